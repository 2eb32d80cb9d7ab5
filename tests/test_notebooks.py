"""The notebooks in notebooks/: each runs end to end, is stored with its outputs (the
documentation site renders them as stored), checks what it shows with asserts, and the
reproduction gallery's notebooks say where their tables were published.

Refresh the stored outputs with ``python3 scripts/execute_notebooks.py`` (HRH_DATA set).
"""

from __future__ import annotations

import ast
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

FOLDER = Path(__file__).parents[1] / "notebooks"
NOTEBOOKS = sorted(FOLDER.glob("*.ipynb"))
GALLERY = [p for p in NOTEBOOKS if p.stem.startswith("gallery_")]
IDS = [p.stem for p in NOTEBOOKS]

# Paths of the machine that ran the notebook: /root/..., /home/<user>/..., /tmp/...,
# C:\Users\..., and this workspace's own folders.
MACHINE_PATH = re.compile(r"(?<![\w.])(/root/|/home/\w|/tmp/|/work/|[A-Za-z]:\\\\Users)")


def _code_cells(nb: Any) -> list[Any]:
    return [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_runs(path: Path, data_root: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    env_before = os.environ.get("HRH_DATA")
    os.environ["HRH_DATA"] = str(data_root)
    try:
        nbclient.NotebookClient(
            nb,
            timeout=600,
            kernel_name="python3",
            resources={"metadata": {"path": str(path.parent)}},
        ).execute()
    finally:
        if env_before is None:
            os.environ.pop("HRH_DATA", None)
        else:
            os.environ["HRH_DATA"] = env_before


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_stored_with_outputs(path: Path) -> None:
    """Every code cell was run once, top to bottom in one fresh kernel (execution counts
    1, 2, 3, ...), none failed, the cells show something, and no output names a folder
    of the machine that ran it or carries per-run timing metadata."""
    nb = nbformat.read(path, as_version=4)
    cells = _code_cells(nb)
    assert cells, f"{path.name} has no code"
    counts = [c.get("execution_count") for c in cells]
    assert counts == list(range(1, len(cells) + 1)), (
        f"{path.name} is stored without its outputs or was not run top to bottom in one "
        f"kernel (execution counts {counts}); run scripts/execute_notebooks.py"
    )
    outputs = [o for c in cells for o in c.get("outputs", [])]
    assert outputs, f"{path.name} is stored without outputs"
    errors = [o.get("ename") for o in outputs if o.get("output_type") == "error"]
    assert not errors, f"{path.name} is stored with errors: {errors}"
    stderr = [
        "".join(o.get("text", ""))[:200]
        for o in outputs
        if o.get("output_type") == "stream" and o.get("name") == "stderr"
    ]
    assert not stderr, f"{path.name} stores output on stderr (warnings, progress): {stderr}"
    text = json.dumps(outputs)
    found = MACHINE_PATH.search(text)
    assert found is None, f"{path.name}: an output names a machine path: {found.group(0)!r}"
    timed = [i for i, c in enumerate(nb.cells) if "execution" in c.get("metadata", {})]
    assert not timed, f"{path.name}: cells {timed} store execution timestamps"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_asserts_what_it_shows(path: Path) -> None:
    """A notebook that presents numbers checks them: at least one assert statement."""
    nb = nbformat.read(path, as_version=4)
    asserts = 0
    for cell in _code_cells(nb):
        source = "\n".join(
            line for line in cell.source.splitlines() if not line.lstrip().startswith(("%", "!"))
        )
        asserts += sum(isinstance(n, ast.Assert) for n in ast.walk(ast.parse(source)))
    assert asserts > 0, f"{path.name} asserts nothing"


def test_gallery_has_five_reproductions() -> None:
    assert len(GALLERY) >= 5, [p.name for p in GALLERY]


@pytest.mark.parametrize("path", GALLERY, ids=[p.stem for p in GALLERY])
def test_gallery_notebook_cites_its_source(path: Path) -> None:
    """A reproduction opens by saying where the table was published (authors or
    publisher, title, year, table or file) and what it asserts."""
    nb = nbformat.read(path, as_version=4)
    first = nb.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# Reproduction:")
    assert "**Where it was published.**" in first.source, path.name
    assert "**What is asserted.**" in first.source, path.name
    assert re.search(r"\b(19|20)\d\d\b", first.source), f"{path.name}: no year"


def test_gallery_index_lists_every_notebook() -> None:
    """notebooks/README.md names every notebook in the folder, and only those."""
    index = (FOLDER / "README.md").read_text(encoding="utf-8")
    named = set(re.findall(r"\(([\w-]+\.ipynb)\)", index))
    assert named == {p.name for p in NOTEBOOKS}
