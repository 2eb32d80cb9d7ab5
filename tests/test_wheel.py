"""The released artefacts work on a machine without Rust.

* The manylinux wheel that ``scripts/check.sh`` builds (its path in ``HRH_WHEEL``)
  installs into a fresh virtual environment whose ``PATH`` holds no ``cargo`` or
  ``rustc``, imports from there, and ``hrh report --demo`` writes the report.
* Building from source in that environment (``pip install`` of the checkout, and of
  the sdist in ``HRH_SDIST``) fails with one line that names https://rustup.rs and
  ``pip install hrh``, not maturin's traceback or a toolchain download.

Without the built files the tests fail when ``CI`` is set and are skipped otherwise.
"""

from __future__ import annotations

import importlib.util
import os
import platform
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = "Scripts" if os.name == "nt" else "bin"
RUST_TOOLS = ("cargo", "rustc", "rustup")
ONE_LINE = "error: building hrh from source needs Rust"


def _built(variable: str, what: str) -> Path:
    """The file named by ``$variable``; skip (fail in CI) when it was not built."""
    value = os.environ.get(variable, "").strip()
    if value:
        path = Path(value).resolve()
        if not path.is_file():
            pytest.fail(f"{variable}={value} does not exist")
        return path
    reason = f"{variable} is not set: run scripts/check.sh, which builds the {what}"
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (required when CI is set)")
    pytest.skip(reason)


def _rustless_env(venv: Path, home: Path) -> dict[str, str]:
    """The environment of a machine without Rust: PATH is the venv plus system folders
    that hold no Rust tools, and rustup, if found anyway, has no toolchain to run."""
    folders = [str(venv / BIN)]
    for folder in ("/usr/local/bin", "/usr/bin", "/bin"):
        if Path(folder).is_dir() and not any(
            shutil.which(tool, path=folder) for tool in RUST_TOOLS
        ):
            folders.append(folder)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CARGO", "RUSTUP", "MATURIN", "VIRTUAL_ENV", "PYTHON"))
    }
    env.update(
        PATH=os.pathsep.join(folders),
        VIRTUAL_ENV=str(venv),
        CARGO_HOME=str(home / "cargo"),
        RUSTUP_HOME=str(home / "rustup"),
        RUSTUP_TOOLCHAIN="no-such-toolchain",
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        PIP_NO_INPUT="1",
    )
    for tool in RUST_TOOLS:
        assert shutil.which(tool, path=env["PATH"]) is None, f"{tool} is still on {env['PATH']}"
    return env


def _run(
    args: list[str], env: dict[str, str], cwd: Path, check: bool = True
) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        args, env=env, cwd=cwd, capture_output=True, text=True, timeout=900, check=False
    )
    if check and proc.returncode != 0:
        pytest.fail(f"{args} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
    return proc


class Rustless:
    def __init__(self, venv: Path, env: dict[str, str], work: Path) -> None:
        self.venv = venv
        self.env = env
        self.work = work
        self.python = str(venv / BIN / ("python.exe" if os.name == "nt" else "python"))

    def pip(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return _run([self.python, "-m", "pip", *args], self.env, self.work, check=check)


@pytest.fixture(scope="module")
def rustless(tmp_path_factory: pytest.TempPathFactory) -> Rustless:
    """A fresh virtual environment (no system site-packages) and a PATH without Rust,
    with the built wheel installed."""
    wheel = _built("HRH_WHEEL", "manylinux wheel")
    base = tmp_path_factory.mktemp("rustless")
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    work = base / "work"
    work.mkdir()
    box = Rustless(venv, _rustless_env(venv, base), work)
    box.pip("install", "--quiet", str(wheel))
    return box


def test_wheel_is_abi3_manylinux2014_and_carries_the_licences() -> None:
    wheel = _built("HRH_WHEEL", "manylinux wheel")
    assert "-cp311-abi3-" in wheel.name
    # glibc 2.17 at the most, for this machine's architecture.
    assert f"manylinux_2_17_{platform.machine()}" in wheel.name, wheel.name
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata = archive.read("hrh-{}.dist-info/METADATA".format(wheel.name.split("-")[1]))
    licences = sorted(Path(n).name for n in names if "/licenses/" in n)
    assert licences == ["LICENSE-APACHE", "LICENSE-MIT"]
    assert b"License-Expression: MIT OR Apache-2.0" in metadata
    assert any(n.startswith("hrh/_core") for n in names)
    assert "hrh/py.typed" in names


def test_wheel_needs_glibc_2_17_at_most() -> None:
    wheel = _built("HRH_WHEEL", "manylinux wheel")
    if importlib.util.find_spec("auditwheel") is None:
        reason = "auditwheel is not installed (scripts/check.sh installs it)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    done = subprocess.run(
        [sys.executable, "-m", "auditwheel", "show", str(wheel)],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    text = " ".join(done.stdout.split())
    tag = f"manylinux_2_17_{platform.machine()}"
    assert f'consistent with the following platform tag: "{tag}"' in text, text
    glibc = {tuple(map(int, v)) for v in re.findall(r"GLIBC_(\d+)\.(\d+)", text)}
    assert glibc and max(glibc) <= (2, 17), text


def test_wheel_imports_and_writes_the_demo_report_without_rust(rustless: Rustless) -> None:
    probe = _run(
        [
            rustless.python,
            "-c",
            "import hrh, hrh._core; print(hrh.__file__); print(hrh._core.__file__)",
        ],
        rustless.env,
        rustless.work,
    )
    package, core = (Path(line) for line in probe.stdout.split())
    assert rustless.venv in package.parents, f"hrh imported from {package}, not the venv"
    assert rustless.venv in core.parents
    assert ".abi3." in core.name

    out = rustless.work / "report" / "demo.html"
    out.parent.mkdir()
    hrh_command = rustless.venv / BIN / ("hrh.exe" if os.name == "nt" else "hrh")
    _run([str(hrh_command), "report", "--demo", "-o", str(out)], rustless.env, rustless.work)
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    for section in ("Health workforce density", "Attrition and retention", "Projection"):
        assert section in html
    assert html.count("<svg") >= 5


def _source_build_fails_in_one_line(proc: subprocess.CompletedProcess[str]) -> None:
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0, output
    ours = [line.strip() for line in output.splitlines() if ONE_LINE in line]
    assert len(ours) == 1, output
    assert "https://rustup.rs" in ours[0] and "`pip install hrh`" in ours[0]
    assert "Traceback" not in output, output
    assert "puccinialin" not in output and "Rust not found, installing" not in output, output


def test_source_checkout_without_rust_fails_in_one_line(rustless: Rustless) -> None:
    # The README's path (build isolation: pip fetches maturin from PyPI into a
    # throwaway build environment, then the in-tree backend stops).
    proc = rustless.pip("install", str(ROOT), check=False)
    _source_build_fails_in_one_line(proc)


def test_sdist_without_rust_fails_in_one_line(rustless: Rustless) -> None:
    sdist = _built("HRH_SDIST", "sdist")
    rustless.pip("install", "--quiet", "maturin>=1.9.4,<2")
    proc = rustless.pip("install", "--no-build-isolation", str(sdist), check=False)
    _source_build_fails_in_one_line(proc)
    # The failed build left the installed wheel alone.
    _run([rustless.python, "-c", "import hrh._core"], rustless.env, rustless.work)
