"""The hrh command: version, the demo report, a report on user files, exit codes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

import hrh
from hrh.cli import main


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
    assert code == 2 and err.startswith(f"hrh: error: cannot use {out}"), err


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
