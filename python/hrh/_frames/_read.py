"""Any table in as a polars DataFrame (:func:`to_frame`): polars, pandas, pyarrow,
anything with ``__arrow_c_stream__`` or a dict of columns, with an
:class:`hrh.InputError` that names what could not be read (a pandas column of mixed
kinds, a pandas frame that needs pyarrow)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import polars as pl

from hrh.exceptions import InputError


def _present(v: Any) -> bool:
    """False for None, NaN and pandas' NA (whose comparisons are NA, not a bool)."""
    if v is None:
        return False
    try:
        return bool(v == v)
    except TypeError:
        return False


def _mixed_value(data: Any) -> tuple[str, int, Any, Any] | None:
    """In a pandas frame, the first value of an object column whose kind (number, text,
    other) differs from the column's first non-null value: (column, row, value, first)."""

    def kind(v: Any) -> str:
        if isinstance(v, bool):
            return "bool"
        if isinstance(v, (int, float)):
            return "number"
        return "text" if isinstance(v, str) else type(v).__name__

    for column in data.columns:
        values = data[column].tolist()
        present = [(i, v) for i, v in enumerate(values) if _present(v)]
        if not present:
            continue
        first = present[0][1]
        for i, v in present[1:]:
            if kind(v) != kind(first):
                return str(column), i, v, first
    return None


def _needs_pyarrow(data: Any, name: str) -> str:
    """The message for a pandas frame that polars reads only with pyarrow, which is not
    installed: the first column that needs it, and how to install it."""
    column = next(
        (
            (str(c), str(t))
            for c, t in zip(data.columns, data.dtypes, strict=True)
            if not isinstance(t, np.dtype) or t.kind not in "biufmM"
        ),
        None,
    )
    what = f"column {column[0]!r} ({column[1]})" if column else name
    return (
        f"{what}: reading a pandas DataFrame with text, category, date or nullable "
        "columns needs pyarrow, which is not installed: pip install 'hrh[pandas]'"
    )


def to_frame(data: Any, *, name: str = "data") -> pl.DataFrame:
    """Return `data` as a polars DataFrame.

    Accepts a polars DataFrame or LazyFrame, a pandas DataFrame, a pyarrow Table, any
    object exposing ``__arrow_c_stream__``, or a mapping of column name to values. A
    pandas DataFrame whose columns are not all plain numpy numbers needs pyarrow
    (``pip install 'hrh[pandas]'``); without it, an :class:`hrh.InputError` says so.
    """
    if isinstance(data, pl.DataFrame):
        return data
    if isinstance(data, pl.LazyFrame):
        return data.collect()
    module = type(data).__module__.split(".")[0]
    if module == "dask" and hasattr(data, "to_delayed"):
        raise InputError(
            f"{name}: a Dask DataFrame, but this function needs the whole table in one "
            "process (Cox models, for one, need whole risk sets): call .compute() on a "
            "selection that fits in memory. hrh.density, person_time, kaplan_meier, "
            "nelson_aalen, life_table, logrank, cumulative_incidence (the curves), equity "
            "(without Gini or the bootstrap), transitions, trend and backtest take Dask "
            "DataFrames, LazyFrames and Parquet paths directly"
        )
    try:
        if module == "pandas":
            try:
                return pl.from_pandas(data)
            except ImportError as e:  # pyarrow, which all but plain numpy columns need
                raise InputError(_needs_pyarrow(data, name)) from e
        if module == "pyarrow":
            out = pl.from_arrow(data)
            if isinstance(out, pl.DataFrame):
                return out
        if hasattr(data, "__arrow_c_stream__"):
            return pl.DataFrame(data)
        if isinstance(data, Mapping):
            return pl.DataFrame(dict(data), strict=False)
    except InputError:
        raise
    except (TypeError, ValueError, ArithmeticError, pl.exceptions.PolarsError) as e:
        # ArithmeticError: pyarrow's OverflowError for an integer past 64 bits in a
        # pandas object column.
        where = _mixed_value(data) if module == "pandas" else None
        if where is not None:
            column, row, value, first = where
            raise InputError(
                f"column {column!r}, row {row}: value {value!r} is a {type(value).__name__} "
                f"in a column whose values are {type(first).__name__}s"
            ) from e
        raise InputError(f"{name}: could not be read as a table ({e})") from e
    raise InputError(
        f"{name}: expected a table (polars or pandas DataFrame, pyarrow Table, an object "
        f"with __arrow_c_stream__, or a dict of columns), got {type(data).__name__}"
    )
