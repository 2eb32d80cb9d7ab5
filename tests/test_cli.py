"""The hrh command: version, the demo report, a report on user files, exit codes."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

import hrh
from hrh.cli import build_parser, main


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"hrh {hrh.__version__}"


def test_demo_report_is_self_contained_html(tmp_path: Path) -> None:
    out = tmp_path / "demo.html"
    assert main(["report", "--demo", "-o", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    for section in (
        "Health workforce density",
        "Distribution equity",
        "Attrition and retention",
        "Projection",
    ):
        assert section in html
    for policy in ("train_104", "incentive", "retention"):
        assert policy in html
    assert html.count("<svg") >= 5
    assert "<script" not in html and "http://" not in html.replace("http://www.w3.org", "")


def test_report_on_user_files_and_bad_input_exit_code(tmp_path: Path) -> None:
    reg = hrh.datasets.synthetic_register(seed=2, n_active=300)
    reg.write_csv(tmp_path / "staff.csv")
    hrh.datasets.synthetic_population().write_csv(tmp_path / "pop.csv")
    out = tmp_path / "r.html"
    args = [
        "report",
        "--register",
        str(tmp_path / "staff.csv"),
        "--population",
        str(tmp_path / "pop.csv"),
        "--by",
        "district",
        "--cadre",
        "cadre",
        "--in-post",
        "exit_date",
        "--area",
        "area_km2",
        "-o",
        str(out),
    ]
    assert main(args) == 0
    assert "Density of all cadres by district" in out.read_text(encoding="utf-8")
    pl.DataFrame({"district": ["x"], "population": [0]}).write_csv(tmp_path / "bad.csv")
    bad = [a if a != str(tmp_path / "pop.csv") else str(tmp_path / "bad.csv") for a in args]
    proc = subprocess.run(
        [sys.executable, "-m", "hrh.cli", *bad], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 2
    assert "hrh: error: column 'population', row 0: value 0 is not positive" in proc.stderr


def test_report_on_a_scenario(tmp_path: Path) -> None:
    scenario = Path(__file__).parents[1] / "examples" / "province" / "scenario.toml"
    out = tmp_path / "projection.html"
    args = [
        "report",
        "--scenario",
        str(scenario),
        "--draws",
        "50",
        "--policies",
        "retention",
        "-o",
        str(out),
    ]
    assert main(args) == 0
    html = out.read_text(encoding="utf-8")
    assert "Projection: province" in html and "<svg" in html
    assert html.count(">demand</text>") == 1  # the demand line is drawn once
    assert "province + retention" in html and "Policies against the baseline (million VND)" in html
    bad = tmp_path / "bad.toml"
    bad.write_text(
        scenario.read_text(encoding="utf-8").replace("retirement_age = 60", "retirement_age = 6", 1)
    )
    (tmp_path / "stock.csv").write_bytes((scenario.parent / "stock.csv").read_bytes())
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "hrh.cli",
            "report",
            "--scenario",
            str(bad),
            "-o",
            str(tmp_path / "x.html"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert (
        "hrh: error: scenario key 'cadres[0].retirement_age': 6 must be above min_age (18)"
        in proc.stderr
    )


def test_bad_sizes_and_paths_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scenario = Path(__file__).parents[1] / "examples" / "province" / "scenario.toml"
    code = main(["report", "--scenario", str(scenario), "--draws", str(2**64), "-o", "x.html"])
    assert code == 2
    assert "argument 'draws': 18446744073709551616" in capsys.readouterr().err
    out = tmp_path / "no-such-folder" / "report.html"
    code = main(["report", "--scenario", str(scenario), "--draws", "10", "-o", str(out)])
    err = capsys.readouterr().err
    # Checked before the projection runs.
    assert code == 2 and err.startswith(f"hrh: error: -o/--output '{out}': the folder"), err


def test_cadre_named_like_the_region_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reg, pop = tmp_path / "reg.csv", tmp_path / "pop.csv"
    reg.write_text("district,cadre\nA,district\nA,nurse\nB,nurse\n")
    pop.write_text("district,population\nA,1000\nB,2000\n")
    args = ["report", "--register", str(reg), "--population", str(pop), "--by", "district"]
    code = main([*args, "--cadre", "cadre", "-o", str(tmp_path / "r.html")])
    err = capsys.readouterr().err
    # Was a polars DuplicateError traceback.
    assert code == 2 and "column 'cadre': value 'district' is also the name" in err, err


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    """A small register and population table as comma- and semicolon-separated files."""
    reg = pl.DataFrame(
        {
            "district": ["A", "A", "B", "B"],
            "cadre": ["doctor", "nurse", "nurse", "midwife"],
            "exit_date": [None, None, "2020-01-01", None],
        }
    )
    pop = pl.DataFrame({"district": ["A", "B"], "population": [1000, 2000]})
    out = {"reg": tmp_path / "reg.csv", "pop": tmp_path / "pop.csv"}
    reg.write_csv(out["reg"])
    pop.write_csv(out["pop"])
    out["reg_semi"] = tmp_path / "reg_semi.csv"
    out["pop_semi"] = tmp_path / "pop_semi.csv"
    reg.write_csv(out["reg_semi"], separator=";")
    pop.write_csv(out["pop_semi"], separator=";")
    return out


def _one_line_error(code: int, err: str, expected: str) -> None:
    assert code == 2, err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert err.startswith("hrh: error: ") or err.startswith("hrh report: error: "), err
    assert expected in err, err


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (["-o", "{tmp}/no-such-folder/r.html"], "the folder '{tmp}/no-such-folder' does not exist"),
        (["-o", "{tmp}"], "is a folder; give a file name"),
        (
            ["--cadre", "cadre", "--core-cadres", "doctor,dentist"],
            "--core-cadres: cadre 'dentist' is not in column 'cadre' of the register "
            "(its cadres: doctor, midwife, nurse)",
        ),
        (["--core-cadres", "doctor"], "--core-cadres needs --cadre"),
        (["--cadre", "cadre", "--core-cadres", " , "], "name at least one cadre"),
        (["--demo"], "--demo cannot be combined with --register"),
        (["--cadre", "grade"], "column 'grade' (--cadre) is not in the register"),
        (["--in-post", "left"], "column 'left' (--in-post) is not in the register"),
        (["--sep", ";;"], "argument --sep: ';;' must be one character"),
        (["--draws", "many"], "argument --draws: invalid int value: 'many'"),
        (["--bogus"], "unrecognized arguments: --bogus"),
    ],
)
def test_user_errors_exit_2_with_one_line(
    files: dict[str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    extra: list[str],
    expected: str,
) -> None:
    args = ["report", "--register", str(files["reg"]), "--population", str(files["pop"])]
    args += ["--by", "district", "-o", str(tmp_path / "r.html")]
    extra = [a.replace("{tmp}", str(tmp_path)) for a in extra]
    try:
        code = main([*args, *extra])
    except SystemExit as e:  # argparse's own usage errors
        code = int(e.code or 0)
    _one_line_error(code, capsys.readouterr().err, expected.replace("{tmp}", str(tmp_path)))
    assert not (tmp_path / "r.html").exists()


def test_demo_with_register_is_one_line_in_a_subprocess(files: dict[str, Path]) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "hrh.cli", "report", "--demo", "--register", str(files["reg"])],
        capture_output=True,
        text=True,
        check=False,
    )
    _one_line_error(proc.returncode, proc.stderr, "--demo cannot be combined with --register")
    assert proc.stdout == ""


def test_bad_files_exit_2_with_one_line(
    files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "empty.csv").write_text("")
    (tmp_path / "header_only.csv").write_text("district,cadre\n")
    (tmp_path / "staff.xlsx").write_bytes(files["reg"].read_bytes())
    (tmp_path / "broken.parquet").write_text("not parquet")
    (tmp_path / "broken.json").write_text("{not json")
    (tmp_path / "folder.csv").mkdir()
    cases = {
        "empty.csv": "file '{p}' could not be read: empty CSV",
        "header_only.csv": "has no rows",
        "staff.xlsx": "file '{p}': expected .csv, .tsv, .txt, .parquet, .json or .ndjson",
        "broken.parquet": "file '{p}' could not be read: ",
        "broken.json": "file '{p}' could not be read: ",
        "folder.csv": "file '{p}' is a folder, not a table",
        "missing.csv": "file '{p}' does not exist",
    }
    for name, expected in cases.items():
        path = str(tmp_path / name)
        args = ["report", "--register", path, "--population", str(files["pop"])]
        code = main([*args, "--by", "district", "-o", str(tmp_path / "r.html")])
        _one_line_error(code, capsys.readouterr().err, expected.replace("{p}", path))


def test_semicolon_files_need_sep(
    files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "r.html"
    args = ["report", "--register", str(files["reg_semi"]), "--population", str(files["pop_semi"])]
    args += ["--by", "district", "--cadre", "cadre", "--core-cadres", "doctor, nurse"]
    args += ["--in-post", "exit_date", "-o", str(out)]
    code = main(args)
    _one_line_error(
        code,
        capsys.readouterr().err,
        "has one column 'district;cadre;exit_date': its values "
        "seem separated by ';'; pass --sep ';'",
    )
    assert main([*args, "--sep", ";"]) == 0
    html = out.read_text(encoding="utf-8")
    assert "Density of doctor, nurse by district" in html
    # The same report as from the comma-separated files.
    plain = {str(files["reg_semi"]): str(files["reg"]), str(files["pop_semi"]): str(files["pop"])}
    comma = [plain.get(a, a) for a in args]
    comma[-1] = str(tmp_path / "comma.html")
    assert main(comma) == 0
    assert (tmp_path / "comma.html").read_text(encoding="utf-8") == html.replace(
        "reg_semi.csv", "reg.csv"
    ).replace("pop_semi.csv", "pop.csv")
    tab = tmp_path / "pop.tsv"
    tab.write_text(files["pop"].read_text().replace(",", "\t"))
    args[args.index(str(files["pop_semi"]))] = str(tab)
    assert main([*args, "--sep", ";"]) == 2  # --sep applies to .tsv files too
    assert "its values seem separated by '\\t'" in capsys.readouterr().err
    args[args.index(str(files["reg_semi"]))] = str(files["reg"])
    assert main(args) == 0  # a .tsv file is tab-separated without --sep


@pytest.mark.parametrize("command", [[], ["report"]])
def test_help_shows_examples(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main([*command, "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert "examples:\n  hrh report --demo" in out
    assert "--sep" in out and "Exit status: 0 on success, 2 on bad input" in out
    # Every example command parses (options the parser knows, values of the right type).
    lines = out.split("examples:")[1].splitlines()
    commands = []
    for i, line in enumerate(lines):
        if line.startswith("  hrh "):
            text = line.split("   ")[0] if "\\" not in line else line
            while text.endswith("\\"):
                i += 1
                text = text[:-1] + lines[i]
            commands.append(shlex.split(text)[1:])
    assert len(commands) >= 4
    for command_line in commands:
        parsed = build_parser().parse_args(command_line)
        assert parsed.command == "report"
