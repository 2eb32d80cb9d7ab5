"""Execute every notebook in notebooks/ end to end."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOKS = sorted((Path(__file__).parents[1] / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
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
