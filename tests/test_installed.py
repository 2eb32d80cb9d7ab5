"""Smoke tests of an installed hrh: the package, its compiled core and the ``hrh`` command.

The release workflow runs this module against each built wheel on its own platform
(``.github/workflows/release.yml``); in the suite it checks the development install.
"""

from __future__ import annotations

import subprocess
import sys
import sysconfig
from importlib.metadata import version
from pathlib import Path

import hrh
import hrh._core


def _hrh_command() -> Path:
    """The ``hrh`` console script installed next to this interpreter."""
    folder = Path(sysconfig.get_path("scripts"))
    command = folder / ("hrh.exe" if sys.platform == "win32" else "hrh")
    assert command.is_file(), f"the hrh command is not installed in {folder}"
    return command


def test_package_and_compiled_core_import() -> None:
    assert hrh.__version__ == version("hrh")
    assert Path(hrh._core.__file__).parent == Path(hrh.__file__).parent
    # 4 workers per 1,000 with the exact Poisson interval (R: poisson.test(4)$conf.int).
    row = hrh.density({"staff": [4], "population": [1000]}, staff="staff", population="population")
    assert row["density"][0] == 4.0
    assert abs(row["lower"][0] - 1.089865) < 1e-6
    assert abs(row["upper"][0] - 10.241589) < 1e-6


def test_hrh_command_writes_the_demo_report(tmp_path: Path) -> None:
    command = _hrh_command()
    done = subprocess.run(
        [str(command), "--version"], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.strip() == f"hrh {hrh.__version__}"
    out = tmp_path / "demo.html"
    subprocess.run(
        [str(command), "report", "--demo", "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    for section in ("Health workforce density", "Attrition and retention", "Projection"):
        assert section in html
