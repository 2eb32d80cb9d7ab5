"""The ``hrh`` command.

``hrh report --demo`` writes the demo report; ``hrh report --register FILE
--population FILE --by COLUMN`` writes a report on your own data. Without
``-o/--output`` the report goes to ``hrh-report.html`` in the working directory and its
path is printed. Exit code 0 on success, 2 on bad input (with the message of the
:class:`hrh.InputError`).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import polars as pl

import hrh
import hrh.report


def _read_table(path: str) -> pl.DataFrame:
    p = Path(path)
    if not p.exists():
        raise hrh.InputError(f"file {path!r} does not exist")
    suffix = p.suffix.lower()
    try:
        if suffix == ".parquet":
            return pl.read_parquet(p)
        if suffix in {".csv", ".txt"}:
            return pl.read_csv(p, try_parse_dates=True)
        if suffix in {".json", ".ndjson"}:
            return pl.read_ndjson(p) if suffix == ".ndjson" else pl.read_json(p)
    except pl.exceptions.PolarsError as e:
        raise hrh.InputError(f"file {path!r} could not be read: {e}") from e
    raise hrh.InputError(f"file {path!r}: expected .csv, .parquet, .json or .ndjson")


def _report(args: argparse.Namespace) -> int:
    if args.demo:
        report = hrh.report.demo()
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
        register = _read_table(args.register)
        population = _read_table(args.population)
        if args.in_post:
            if args.in_post not in register.columns:
                raise hrh.InputError(f"column '{args.in_post}' (--in-post) is not in the register")
            register = register.filter(pl.col(args.in_post).is_null())
        report = hrh.report.Report(
            args.title or "Health workforce report",
            f"Register {args.register}; population {args.population}.",
        )
        report.add(
            hrh.report.density_section(
                register,
                population,
                by=args.by,
                cadre=args.cadre,
                core_cadres=args.core_cadres.split(",") if args.core_cadres else None,
                area=args.area,
            )
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
    parser = argparse.ArgumentParser(
        prog="hrh", description="Human resources for health analytics."
    )
    parser.add_argument("--version", action="version", version=f"hrh {hrh.__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    rep = sub.add_parser("report", help="write a self-contained HTML report")
    rep.add_argument("--demo", action="store_true", help="report on the bundled demo data")
    rep.add_argument("--register", help="HR register (.csv/.parquet), one row per worker")
    rep.add_argument("--population", help="population table with the --by column and 'population'")
    rep.add_argument("--by", help="region column shared by register and population")
    rep.add_argument("--cadre", help="cadre column of the register")
    rep.add_argument(
        "--core-cadres", help="comma-separated cadres counted against the WHO thresholds"
    )
    rep.add_argument("--area", help="area column (km2) of the population table")
    rep.add_argument(
        "--in-post",
        metavar="EXIT_COLUMN",
        help="keep only rows where this column (an exit date) is empty",
    )
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
    except hrh.InputError as e:
        print(f"hrh: error: {e}", file=sys.stderr)
        return 2
    except OSError as e:  # an unreadable input or an unwritable output
        where = f" {e.filename}" if e.filename else ""
        print(f"hrh: error: cannot use{where}: {e.strerror or e}", file=sys.stderr)
        return 2
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
