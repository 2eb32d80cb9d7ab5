"""Every ```python block of README.md runs as pasted, in order, in one namespace."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"


def python_blocks(text: str) -> list[tuple[int, str]]:
    """(first line number, code) of each fenced python block."""
    out = []
    for m in re.finditer(r"^```python\n(.*?)^```", text, re.S | re.M):
        out.append((text[: m.start()].count("\n") + 2, m.group(1)))
    return out


def test_readme_has_python_blocks() -> None:
    blocks = python_blocks(README.read_text(encoding="utf-8"))
    assert len(blocks) >= 5
    assert python_blocks("x\n```python\na = 1\n```\n```bash\nls\n```\n") == [(3, "a = 1\n")]


def test_readme_python_blocks_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = os.environ.get("HRH_DATA") or str(ROOT.parent / "shared" / "data")
    if not Path(data).is_dir():
        pytest.skip(f"the README reads real data sets: HRH_DATA ({data}) is not a folder")
    pytest.importorskip("matplotlib")  # the README draws charts (hrh[plot])
    monkeypatch.setenv("HRH_DATA", data)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    # The README's paths (examples/...) are relative to a clone of the repository: run
    # in a fresh folder holding a copy of them, so that nothing is written into the repo.
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "__readme__"}
    for line, code in python_blocks(README.read_text(encoding="utf-8")):
        try:
            exec(compile(code, f"README.md:{line}", "exec"), namespace)
        except Exception as e:  # name the block that failed
            raise AssertionError(f"README.md block at line {line} raised {e!r}") from e
    import matplotlib.pyplot as plt

    plt.close("all")
