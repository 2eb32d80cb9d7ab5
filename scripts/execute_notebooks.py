"""Run the notebooks in notebooks/ and store them with their outputs.

Usage: ``HRH_DATA=/path/to/shared/data python3 scripts/execute_notebooks.py [NAME ...]``
(all notebooks without names; a name is a file in notebooks/, with or without
``.ipynb``). Each runs top to bottom in a fresh kernel from the notebooks folder; no
per-cell timing metadata is stored, so a rerun changes the files only where an output
changed. Prints the seconds each notebook took; stops at the first failing cell.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import nbclient
import nbformat

FOLDER = Path(__file__).resolve().parents[1] / "notebooks"


def main(names: list[str]) -> int:
    paths = [FOLDER / (n if n.endswith(".ipynb") else f"{n}.ipynb") for n in names]
    for path in paths or sorted(FOLDER.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        start = time.perf_counter()
        nbclient.NotebookClient(
            nb,
            timeout=900,
            kernel_name="python3",
            record_timing=False,
            resources={"metadata": {"path": str(FOLDER)}},
        ).execute()
        for cell in nb.cells:
            cell.metadata.pop("execution", None)
        nbformat.write(nb, path)
        print(f"{path.name}: {time.perf_counter() - start:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
