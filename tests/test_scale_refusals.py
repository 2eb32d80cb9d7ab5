"""What a Dask collection gets from every public function: the functions that reduce
tables in parts take a Dask DataFrame; every other function taking a table, and every
function taking arrays, refuses it with an hrh InputError that says to call
``.compute()`` (never a foreign exception, never a silent computation of the whole)."""

from __future__ import annotations

import datetime
import inspect
import types
from collections.abc import Callable
from typing import Any

import numpy as np
import polars as pl
import pytest

import hrh

dd = pytest.importorskip("dask.dataframe")
pd = pytest.importorskip("pandas")

#: Public functions that take a Dask DataFrame (tested in tests/test_scale*.py).
ON_DASK = {
    "backtest",
    "cumulative_incidence",
    "density",
    "equity",
    "kaplan_meier",
    "life_table",
    "logrank",
    "nelson_aalen",
    "person_time",
    "transitions",
    "trend",
}
#: Public functions that take a table and need it whole, in memory.
IN_MEMORY = {
    "agglomeration",
    "cox",
    "fine_gray",
    "parametric",
    "quota_gap",
    "shortfall",
    "split_episodes",
    "stock_table",
    "wisn",
}
#: First parameters that are tables.
TABLE_PARAMETERS = {"data", "register", "panel", "services"}


def _public_functions() -> dict[str, Callable[..., Any]]:
    modules = [hrh] + [
        m for m in (getattr(hrh, n) for n in hrh.__all__) if isinstance(m, types.ModuleType)
    ]
    found: dict[str, Callable[..., Any]] = {}
    for module in modules:
        for name in getattr(module, "__all__", []):
            f = getattr(module, name)
            if inspect.isfunction(f) and f not in found.values():  # hrh's own name first
                prefix = "" if module is hrh else module.__name__.removeprefix("hrh.") + "."
                found[prefix + name] = f
    return found


def _table_functions() -> dict[str, Callable[..., Any]]:
    out = {}
    for name, f in _public_functions().items():
        params = list(inspect.signature(f).parameters.values())
        if params and params[0].name in TABLE_PARAMETERS:
            out[name] = f
    return out


@pytest.fixture(scope="module")
def ddf() -> Any:
    frame = pd.DataFrame(
        {
            "x": np.arange(1.0, 21.0),
            "y": np.arange(2.0, 22.0),
            "g": ["a", "b"] * 10,
            "e": [True, False] * 10,
        }
    )
    return dd.from_pandas(frame, npartitions=2)


def test_every_function_taking_a_table_is_classified() -> None:
    names = set(_table_functions())
    assert names == ON_DASK | IN_MEMORY, (
        "a public function taking a table must either take a Dask DataFrame (ON_DASK, "
        "with tests in tests/test_scale*.py) or refuse it with an InputError (IN_MEMORY)"
    )


def _required(f: Callable[..., Any]) -> dict[str, Any]:
    """Placeholder values for the required arguments after the first: column names (a
    date for `at`)."""
    params = list(inspect.signature(f).parameters.values())[1:]
    return {
        p.name: datetime.date(2024, 12, 31) if p.name == "at" else "x"
        for p in params
        if p.default is p.empty and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)
    }


@pytest.mark.parametrize("name", sorted(IN_MEMORY))
def test_functions_that_need_the_table_in_memory_refuse_dask(name: str, ddf: Any) -> None:
    f = _table_functions()[name]
    with pytest.raises(hrh.InputError, match=r"Dask DataFrame.*\.compute\(\)"):
        f(ddf, **_required(f))


ARRAY_CALLS: dict[str, Callable[[Any], Any]] = {
    "gini": lambda s: hrh.gini(s),
    "gini weights": lambda s: hrh.gini([1.0, 2.0], weights=s),
    "theil": lambda s: hrh.theil(s),
    "atkinson": lambda s: hrh.atkinson(s, epsilon=0.5),
    "cv": lambda s: hrh.cv(s),
    "generalized_entropy": lambda s: hrh.generalized_entropy(s, alpha=2),
    "lorenz": lambda s: hrh.lorenz(s),
    "polarization": lambda s: hrh.polarization(s, method="wolfson"),
    "concentration_index": lambda s: hrh.concentration_index(s, rank=[1.0, 2.0]),
    "poisson_ci": lambda s: hrh.poisson_ci(s, 10.0),
    "rate": lambda s: hrh.rate(s, 10.0),
    "rate_ratio": lambda s: hrh.rate_ratio(s, 10.0, 3.0, 10.0),
    "trend": lambda s: hrh.trend(time=list(range(20)), value=s),
    "backtest": lambda s: hrh.backtest(time=list(range(20)), value=s),
}


@pytest.mark.parametrize("name", sorted(ARRAY_CALLS))
@pytest.mark.parametrize("kind", ["series", "frame"])
def test_array_functions_refuse_dask(name: str, kind: str, ddf: Any) -> None:
    values = ddf["x"] if kind == "series" else ddf[["x"]]
    with pytest.raises(hrh.InputError, match=r"argument '\w+': a Dask .*\.compute\(\)"):
        ARRAY_CALLS[name](values)


def test_array_functions_on_computed_values_work(ddf: Any) -> None:
    values = ddf["x"].compute()
    assert hrh.gini(values) == hrh.gini(pl.Series(np.arange(1.0, 21.0)))
