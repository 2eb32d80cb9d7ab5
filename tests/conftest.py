"""Shared fixtures: the folder of real public data sets and the tables read from it.

The folder is ``$HRH_DATA`` if set, else ``../shared/data`` next to the repository (the
project's shared data, one folder per data set, each with a README giving its source
and licence). Tests that need it are skipped only when that folder does not exist; a
data folder missing inside it is an error, not a skip.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest

import hrh

# The scripts under oracles/ generate reference values with other libraries (R,
# lifelines, PySAL): they are not tests, and those libraries are not test dependencies.
collect_ignore_glob = ["oracles/*.py"]

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def data_folder() -> Path:
    """``$HRH_DATA``, or the shared data folder next to the repository."""
    env = os.environ.get("HRH_DATA", "").strip()
    return Path(env).expanduser() if env else DEFAULT_DATA


@pytest.fixture(scope="session")
def data_root() -> Path:
    root = data_folder()
    if not root.is_dir():
        pytest.skip(
            f"real data folder {root} does not exist; set HRH_DATA to the folder that "
            "contains the data folders (see docs/architecture.md, Tests and checks)"
        )
    return root


@pytest.fixture(scope="session")
def wdi_data(data_root: Path) -> pl.DataFrame:
    return hrh.datasets.wdi(data_root)


@pytest.fixture(scope="session")
def nhwa_data(data_root: Path) -> pl.DataFrame:
    return hrh.datasets.nhwa(data_root)


@pytest.fixture(scope="session")
def wpp_data(data_root: Path) -> pl.DataFrame:
    return hrh.datasets.wpp(data_root)


@pytest.fixture(scope="session")
def us_data(data_root: Path) -> pl.DataFrame:
    return hrh.datasets.us_counties(data_root)


@pytest.fixture(scope="session")
def china_data(data_root: Path) -> pl.DataFrame:
    return hrh.datasets.china_provinces(data_root)


@pytest.fixture(scope="session")
def china_areas(data_root: Path) -> pl.DataFrame:
    return hrh.datasets.china_province_areas(data_root)


@pytest.fixture(scope="session")
def senators_data(data_root: Path) -> pl.DataFrame:
    return hrh.datasets.canadian_senators(data_root)


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    """A Dask client of a LocalCluster of two worker processes of one thread each (the
    module is skipped without dask.distributed)."""
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as c,
    ):
        yield c
