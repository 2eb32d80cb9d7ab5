"""The ``hrh`` command.

``hrh report --demo`` writes the demo report; ``hrh report --register FILE
--population FILE --by COLUMN`` writes a report on your own data. Without
``-o/--output`` the report goes to ``hrh-report.html`` in the working directory and its
path is printed. Exit code 0 on success, 2 on bad input: one line on stderr, the
message of the :class:`hrh.InputError` (no traceback). ``hrh --help`` and ``hrh report
--help`` show examples.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

import polars as pl

import hrh
import hrh.report

_EXAMPLES = """examples:
  hrh report --demo                          the demo report, written to hrh-report.html
  hrh report --register staff.csv --population districts.csv --by district \\
      --cadre cadre --core-cadres doctor,nurse,midwife -o density.html
  hrh report --register staff.csv --sep ";" --population districts.csv --by district
  hrh report --scenario scenario.toml --policies retention --draws 500 -o projection.html

Exit status: 0 on success, 2 on bad input (one line on stderr saying what is wrong).
"""

_REPORT_EXAMPLES = """examples:
  hrh report --demo -o demo.html
      the demo report on the bundled synthetic register and scenario
  hrh report --register staff.csv --population districts.csv --by district \\
      --cadre cadre --core-cadres doctor,nurse,midwife --area area_km2 \\
      --in-post exit_date -o density.html
      density by district from your register: one row per worker; districts.csv has
      the district column and 'population' (and area_km2)
  hrh report --register staff.csv --population districts.csv --by district --sep ";"
      the same from semicolon-separated files (--sep applies to every .csv given)
  hrh report --scenario scenario.toml --policies retention,incentive --draws 500
      a projection of a scenario file against the policies it names
  hrh report --counts counts.csv --by region --cadre cadre --staff count --area area_km2
      published counts (one row per region and cadre, with the region's population
      and area repeated on each row) instead of a register

--demo uses its own data: it cannot be combined with --register, --population, --by,
--cadre, --core-cadres, --area or --in-post. Exit status: 0 on success, 2 on bad input
(one line on stderr saying what is wrong).
"""


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line on stderr (exit status 2)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _separator(sep: str | None) -> str:
    if sep is None:
        return ","
    sep = {"\\t": "\t", "tab": "\t"}.get(sep, sep)
    if len(sep) != 1 or sep in '\r\n"':
        raise hrh.InputError(f"argument --sep: {sep!r} must be one character, e.g. ';' (or 'tab')")
    return sep


def _read_table(path: str, sep: str | None = None) -> pl.DataFrame:
    p = Path(path)
    if not p.exists():
        raise hrh.InputError(f"file {path!r} does not exist")
    if p.is_dir():
        raise hrh.InputError(f"file {path!r} is a folder, not a table")
    suffix = p.suffix.lower()
    try:
        if suffix == ".parquet":
            return pl.read_parquet(p)
        if suffix in {".csv", ".txt", ".tsv"}:
            separator = "\t" if suffix == ".tsv" and sep is None else _separator(sep)
            df = pl.read_csv(p, separator=separator, try_parse_dates=True)
            other = next((c for c in ";,\t|" if c != separator and c in df.columns[0]), None)
            if df.width == 1 and other is not None:
                name = df.columns[0] if len(df.columns[0]) <= 40 else df.columns[0][:40] + "..."
                raise hrh.InputError(
                    f"file {path!r} has one column {name!r}: its values seem "
                    f"separated by {other!r}; pass --sep {other!r}"
                )
            return df
        if suffix in {".json", ".ndjson"}:
            return pl.read_ndjson(p) if suffix == ".ndjson" else pl.read_json(p)
    except (pl.exceptions.PolarsError, UnicodeDecodeError) as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise hrh.InputError(f"file {path!r} could not be read: {first}") from e
    raise hrh.InputError(f"file {path!r}: expected .csv, .tsv, .txt, .parquet, .json or .ndjson")


def _check_output(path: str) -> None:
    """A one-line error before any work when the report could not be written."""
    out = Path(path)
    if out.is_dir():
        raise hrh.InputError(f"-o/--output {path!r} is a folder; give a file name")
    if not out.parent.is_dir():
        raise hrh.InputError(f"-o/--output {path!r}: the folder {str(out.parent)!r} does not exist")


def _check_columns(df: pl.DataFrame, what: str, path: str, **columns: str | None) -> None:
    """A one-line error naming the option when a column it names is not in the file."""
    for option, column in columns.items():
        if column is not None and column not in df.columns:
            have = ", ".join(repr(c) for c in df.columns)
            raise hrh.InputError(
                f"column {column!r} (--{option.replace('_', '-')}) is not in the {what} "
                f"{path!r}; its columns are {have}"
            )


def _core_cadres(register: pl.DataFrame, cadre: str | None, given: str | None) -> list[str] | None:
    """The cadres of --core-cadres, each checked against the register's cadre column."""
    if given is None:
        return None
    names = [c.strip() for c in given.split(",") if c.strip()]
    if not names:
        raise hrh.InputError(f"--core-cadres {given!r}: name at least one cadre")
    if cadre is None:
        raise hrh.InputError("--core-cadres needs --cadre, the register's cadre column")
    present = set(register.get_column(cadre).cast(pl.String).drop_nulls().to_list())
    missing = [c for c in names if c not in present]
    if missing:
        raise hrh.InputError(
            f"--core-cadres: cadre {missing[0]!r} is not in column {cadre!r} of the register "
            f"(its cadres: {', '.join(sorted(present))})"
        )
    return names


_DATA_OPTIONS = (
    "register",
    "population",
    "by",
    "cadre",
    "core_cadres",
    "area",
    "in_post",
    "counts",
    "staff",
    "hire_date",
    "exit_reason",
)


def _report(args: argparse.Namespace) -> int:
    if args.demo:
        clash = next((o for o in _DATA_OPTIONS if getattr(args, o) is not None), None)
        if clash is not None:
            raise hrh.InputError(
                f"--demo cannot be combined with --{clash.replace('_', '-')}: the demo "
                "report uses its own data; drop one of them"
            )
    _check_output(args.output)
    if args.demo:
        report = hrh.report.demo()
    elif args.counts:
        if not (args.by and args.staff):
            raise hrh.InputError("report: --counts FILE needs --by COLUMN and --staff COLUMN")
        counts = _read_table(args.counts, args.sep)
        _check_columns(counts, "table", args.counts, by=args.by, cadre=args.cadre, area=args.area)
        report = hrh.report.aggregate_report(
            counts,
            by=args.by,
            staff=args.staff,
            cadre=args.cadre,
            core_cadres=_core_cadres(counts, args.cadre, args.core_cadres),
            area=args.area,
            title=args.title or "Health workforce report",
            subtitle=f"Counts {args.counts}.",
        )
    elif args.scenario and not args.register:
        report = hrh.report.Report(
            args.title or "Workforce projection",
            f"Scenario {args.scenario}.",
        )
    else:
        if not (args.register and args.population and args.by):
            raise hrh.InputError(
                "report: give --demo, or --register FILE --population FILE --by COLUMN"
            )
        register = _read_table(args.register, args.sep)
        population = _read_table(args.population, args.sep)
        _check_columns(
            register, "register", args.register, by=args.by, cadre=args.cadre, in_post=args.in_post
        )
        _check_columns(population, "population table", args.population, by=args.by)
        core_cadres = _core_cadres(register, args.cadre, args.core_cadres)
        report = hrh.report.register_report(
            register,
            population,
            by=args.by,
            cadre=args.cadre,
            core_cadres=core_cadres,
            area=args.area,
            entry=args.hire_date,
            exit=args.in_post,
            reason=args.exit_reason,
            title=args.title or "Health workforce report",
            subtitle=f"Register {args.register}; population {args.population}.",
        )
    if args.scenario:
        doc = hrh.load_scenario(args.scenario)
        policies = (
            [p for p in args.policies.split(",") if p]
            if args.policies is not None
            else [p["name"] for p in doc.get("policies", [])]
        )
        report.add(
            hrh.report.projection_section(doc, policies=policies, draws=args.draws, seed=args.seed)
        )
    out = report.write(args.output)
    print(out.resolve())
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``hrh`` command."""
    parser = _Parser(
        prog="hrh",
        description="Human resources for health analytics.",
        epilog=_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"hrh {hrh.__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    rep = sub.add_parser(
        "report",
        help="write a self-contained HTML report",
        description="Write a self-contained HTML report (density, equity, attrition,\n"
        "projection) on the demo data, your own register or a scenario file.",
        epilog=_REPORT_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    rep.add_argument("--demo", action="store_true", help="report on the bundled demo data")
    rep.add_argument("--register", help="HR register (.csv/.parquet), one row per worker")
    rep.add_argument("--population", help="population table with the --by column and 'population'")
    rep.add_argument(
        "--sep",
        metavar="CHAR",
        help="field separator of .csv/.txt input, one character such as ';' or 'tab' (default ',')",
    )
    rep.add_argument("--by", help="region column shared by register and population")
    rep.add_argument("--cadre", help="cadre column of the register")
    rep.add_argument(
        "--core-cadres", help="comma-separated cadres counted against the WHO thresholds"
    )
    rep.add_argument("--area", help="area column (km2) of the population table")
    rep.add_argument(
        "--in-post",
        metavar="EXIT_COLUMN",
        help="exit date column of the register: rows where it is empty are in post "
        "(default: exit_date, end_date or leave_date when present)",
    )
    rep.add_argument(
        "--hire-date",
        metavar="COLUMN",
        help="hire date column of the register (default: hire_date, entry_date or start_date "
        "when present); with the exit dates it adds attrition and trend sections",
    )
    rep.add_argument(
        "--exit-reason",
        metavar="COLUMN",
        help="exit reason column of the register (default: exit_reason or reason when present)",
    )
    rep.add_argument(
        "--counts",
        metavar="FILE",
        help="published counts instead of a register: one row per --by unit (and --cadre) "
        "with the --staff count, 'population' (and --area)",
    )
    rep.add_argument("--staff", metavar="COLUMN", help="count column of the --counts table")
    rep.add_argument("--title", help="report title")
    rep.add_argument("--scenario", help="scenario file (.toml/.json) to project")
    rep.add_argument(
        "--policies",
        help="comma-separated policies of the scenario to compare (default: all of them)",
    )
    rep.add_argument("--draws", type=int, default=1000, help="Monte Carlo draws (default 1000)")
    rep.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    rep.add_argument(
        "-o", "--output", default="hrh-report.html", help="output path (default: %(default)s)"
    )
    rep.set_defaults(func=_report)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``hrh`` command; returns the exit code."""
    args = build_parser().parse_args(argv)
    try:
        code: int = args.func(args)
    except hrh.HrhError as e:  # bad input, or a fit the data do not allow
        print(f"hrh: error: {e}", file=sys.stderr)
        return 2
    except OSError as e:  # an unreadable input or an unwritable output
        where = f" {e.filename}" if e.filename else ""
        print(f"hrh: error: cannot use{where}: {e.strerror or e}", file=sys.stderr)
        return 2
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
