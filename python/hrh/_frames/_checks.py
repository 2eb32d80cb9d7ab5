"""Checks of named columns and arguments: columns present, without nulls or NaN,
numeric within bounds, usable as keys, unique keys; levels and positive numbers;
array-likes as float64 arrays, broadcast to one length; ``nulls="drop"`` and its
warning. Each raises :class:`hrh.InputError` naming the column or argument, the row
and the value."""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import polars as pl

from hrh import _core
from hrh.exceptions import InputError

Nulls = Literal["raise", "drop"]
FloatArray = npt.NDArray[np.float64]


def as_list(columns: str | Sequence[str] | None, name: str = "by") -> list[str]:
    """A column argument (None, one name or several) as a list of names; `name` is the
    argument's name for the error when it is neither."""
    if columns is None:
        return []
    if isinstance(columns, str):
        return [columns]
    if isinstance(columns, bytes | Mapping) or not hasattr(columns, "__iter__"):
        raise InputError(
            f"argument '{name}': {columns!r} is not a column name or a list of column names"
        )
    return list(columns)


def require_columns(
    df: pl.DataFrame, columns: Sequence[str], *, role: str, table: str = "data"
) -> None:
    """Raise InputError if any of `columns` is missing from `df`."""
    for c in columns:
        if not isinstance(c, str):
            raise InputError(f"{role}: column names must be strings, got {c!r}")
        if c not in df.columns:
            shown = ", ".join(repr(x) for x in df.columns[:20])
            more = ", ..." if len(df.columns) > 20 else ""
            raise InputError(
                f"column '{c}' ({role}) is not in {table}; its columns are {shown}{more}"
            )


def _first(mask: pl.Series) -> int | None:
    idx = mask.arg_true()
    return int(idx[0]) if len(idx) else None


def _value_repr(value: Any) -> str:
    return repr(value) if isinstance(value, str) else str(value)


def check_no_nulls(df: pl.DataFrame, column: str, *, table: str = "data") -> None:
    """Raise InputError at the first null (or NaN) of `column`."""
    s = df.get_column(column)
    if s.null_count():
        row = _first(s.is_null())
        raise InputError(f"column '{column}', row {row}: value is null in {table}")
    if s.dtype.is_float():
        row = _first(s.is_nan())
        if row is not None:
            raise InputError(f"column '{column}', row {row}: value is NaN in {table}")


def _plainly_valid(s: pl.Series, minimum: str) -> bool:
    """True when a few reductions (no masks) show that the numeric `s` has no null,
    NaN or infinity and meets `minimum`; False when they cannot tell, and then the
    checks that find the first bad row run."""
    if s.null_count():
        return False
    if s.len() == 0:
        return True
    if s.dtype == pl.Float64 and s.n_chunks() == 1:
        # Read in place and checked in one parallel pass by the core.
        return _core.values_within(s.to_numpy(), minimum)
    lo: Any = s.min()  # NaN-ignoring
    hi: Any = s.max()
    if lo is None or hi is None:
        return False
    if s.dtype.is_float() and not (
        math.isfinite(lo) and math.isfinite(hi) and not math.isnan(s.sum())
    ):
        return False
    if minimum == "non_negative":
        return bool(lo >= 0)
    if minimum == "positive":
        return bool(lo > 0)
    return True


def check_numeric(
    df: pl.DataFrame,
    column: str,
    *,
    minimum: Literal["any", "non_negative", "positive"] = "non_negative",
    table: str = "data",
) -> None:
    """Raise InputError unless `column` is numeric, without nulls/NaN/inf, and within
    the bound `minimum`."""
    s = df.get_column(column)
    if not s.dtype.is_numeric():
        bad = s.drop_nulls()
        example = f"; row 0 has {_value_repr(s[0])}" if len(bad) else ""
        raise InputError(
            f"column '{column}' has type {s.dtype} in {table}, expected numbers{example}"
        )
    if _plainly_valid(s, minimum):
        return
    check_no_nulls(df, column, table=table)
    if s.dtype.is_float():
        row = _first(s.is_infinite())
        if row is not None:
            raise InputError(f"column '{column}', row {row}: value {s[row]} is not a finite number")
    if minimum == "non_negative":
        row = _first(s < 0)
        if row is not None:
            raise InputError(
                f"column '{column}', row {row}: value {s[row]} is negative; {column} must be >= 0"
            )
    elif minimum == "positive":
        row = _first(s <= 0)
        if row is not None:
            raise InputError(
                f"column '{column}', row {row}: value {s[row]} is not positive; "
                f"{column} must be > 0"
            )


def drop_nulls(
    df: pl.DataFrame, columns: Sequence[str], nulls: Nulls, *, table: str = "data"
) -> pl.DataFrame:
    """With ``nulls="drop"``, drop rows with a null or NaN in `columns` and warn with the
    count; with ``"raise"`` return `df` unchanged (the checks raise later)."""
    if nulls == "raise":
        return df
    if nulls != "drop":
        raise InputError(f"nulls: {nulls!r} is not one of 'raise', 'drop'")
    cols = list(dict.fromkeys(columns))
    bad = pl.any_horizontal(
        [
            pl.col(c).is_null() | pl.col(c).is_nan()
            if df.schema[c].is_float()
            else pl.col(c).is_null()
            for c in cols
        ]
    )
    n_bad = df.select(bad.sum()).item()
    if n_bad:
        warn_dropped(n_bad, df.height, table, cols)
        return df.filter(~bad)
    return df


def warn_dropped(dropped: int, seen: int, table: str, columns: Sequence[str]) -> None:
    """The warning of ``nulls="drop"``: `dropped` of `seen` rows of `table` had a null or
    NaN in `columns` (nothing when none was dropped). It points at the caller of the
    public function that called the caller of this."""
    if dropped:
        warnings.warn(
            f"dropped {dropped} of {seen} rows of {table} with a null or NaN in "
            f"{', '.join(repr(c) for c in dict.fromkeys(columns))}",
            UserWarning,
            stacklevel=4,
        )


def check_key_type(df: pl.DataFrame, column: str, *, table: str = "data") -> None:
    """Raise InputError unless `column` can be a group key (not Python objects, lists
    or structs, which polars can neither sort nor group)."""
    dtype = df.schema[column]
    if dtype == pl.Object or dtype.is_nested():
        raise InputError(
            f"column '{column}' has type {dtype} in {table}; keys must be text, numbers, "
            "booleans or dates"
        )


def check_unique_keys(df: pl.DataFrame, keys: Sequence[str], *, table: str) -> None:
    """Raise InputError naming the first duplicated key combination."""
    for k in keys:
        check_key_type(df, k, table=table)
    if not keys:
        if df.height > 1:
            raise InputError(
                f"{table} has {df.height} rows but no key columns to tell them apart; "
                "give one row, or key columns"
            )
        return
    repeat = ~df.select(pl.struct(keys).is_first_distinct()).to_series()
    row = _first(repeat)
    if row is not None:
        key = ", ".join(f"{k}={_value_repr(df[row, k])}" for k in keys)
        same = df.select(pl.all_horizontal(pl.col(k) == df[row, k] for k in keys)).to_series()
        raise InputError(
            f"{table}, row {row}: duplicated key ({key}), first seen at row {_first(same)}"
        )


def check_level(level: float) -> None:
    """Confidence level strictly inside (0, 1)."""
    if not (isinstance(level, int | float) and 0 < level < 1):
        raise InputError(f"argument 'level': {level} is outside (0, 1); give e.g. 0.95")


def check_positive(value: float, name: str) -> None:
    """Finite scalar > 0."""
    if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
        raise InputError(f"argument '{name}': {value} must be a finite number > 0")


def refuse_dask(values: Any, name: str) -> None:
    """An InputError for a Dask collection passed as the argument `name` of a function
    that needs its values in memory (NumPy would compute it whole, silently)."""
    if type(values).__module__.split(".")[0] == "dask":
        raise InputError(
            f"argument '{name}': a Dask {type(values).__name__}, but this function needs "
            "the values in memory; call .compute() on it (or on a selection that fits in "
            "memory) first. hrh.density, person_time, the retention curves, logrank, "
            "cumulative_incidence, equity, transitions, trend and backtest take Dask "
            "DataFrames directly"
        )


def float_array(values: Any, name: str, *, nan: bool = True) -> FloatArray:
    """An array-like (list, numpy array, polars or pandas Series, scalar) passed as the
    argument `name`, as a contiguous float64 numpy array, rejecting nulls and non-numbers
    with the item (``argument 'values', item 3: value is NaN``). With ``nan=False`` a NaN
    is left for the caller, whose own checks find it in the same pass as the others
    (then :func:`check_nan` names it)."""
    if (
        type(values) is np.ndarray
        and values.dtype == np.float64
        and values.ndim == 1
        and values.flags.c_contiguous
    ):  # already what the core reads: no conversion to check
        if nan:
            check_nan(values, name)
        return values
    refuse_dask(values, name)
    if isinstance(values, pl.Series):
        if values.null_count():
            raise InputError(f"argument '{name}', item {_first(values.is_null())}: value is null")
        if not values.dtype.is_numeric():
            raise InputError(f"argument '{name}' has type {values.dtype}, expected numbers")
        if values.dtype in (pl.Int128, pl.UInt128):
            values = values.cast(pl.Float64)
        values = values.to_numpy()
    elif type(values).__module__.split(".")[0] == "pandas":
        values = values.to_numpy()
    try:
        arr = np.asarray(values)
    except (TypeError, ValueError) as e:
        raise InputError(f"argument '{name}': could not be read as numbers ({e})") from e
    if arr.dtype.kind in "OUS":
        arr = np.asarray(values, dtype=object)
        for i, v in enumerate(arr.ravel()):
            if v is None:
                raise InputError(f"argument '{name}', item {i}: value is null")
            if not isinstance(v, int | float | np.number):
                raise InputError(f"argument '{name}', item {i}: value {v!r} is not a number")
    elif not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise InputError(f"argument '{name}' has type {arr.dtype}, expected numbers")
    out = np.ascontiguousarray(np.atleast_1d(arr), dtype=np.float64)
    if out.ndim != 1:
        raise InputError(f"argument '{name}': expected one dimension, got shape {out.shape}")
    if nan:
        check_nan(out, name)
    return out


def check_nan(values: FloatArray, name: str) -> None:
    """An InputError naming the first NaN of the argument `name`, if any."""
    if values.size and np.isnan(values.min()):  # the minimum is NaN when any value is
        at = np.flatnonzero(np.isnan(values))
        raise InputError(f"argument '{name}', item {int(at[0])}: value is NaN")


@contextmanager
def arrays_as_arguments(names: Sequence[str], when: bool = True) -> Iterator[None]:
    """Input errors about `names`, arrays passed as arguments rather than columns of a
    table, name them as arguments: ``column 'value', row 3: ...`` (what the checks
    shared with tables say) becomes ``argument 'value', item 3: ...``."""
    try:
        yield
    except InputError as e:
        if not when or type(e) is not InputError:
            raise
        msg = str(e)
        for name in names:
            for column, argument in (
                (f"column '{name}', row ", f"argument '{name}', item "),
                (f"column '{name}'", f"argument '{name}'"),
            ):
                if msg.startswith(column):
                    raise InputError(argument + msg[len(column) :]) from e
        raise


def broadcast(**arrays: Any) -> list[FloatArray]:
    """Array-likes (see :func:`float_array`) named by keyword, with length-1 ones
    repeated to the common length; an InputError when lengths differ otherwise."""
    out = {name: float_array(v, name) for name, v in arrays.items()}
    for name, a in out.items():
        if a.size == 0:
            raise InputError(f"argument '{name}': is empty")
    sizes = {a.size for a in out.values()} - {1}
    if len(sizes) > 1:
        (first, a0), *rest = out.items()
        name, a = next((k, v) for k, v in rest if v.size not in (1, a0.size))
        raise InputError(
            f"argument '{name}': has length {a.size} but '{first}' has length {a0.size}"
        )
    n = max(a.size for a in out.values())
    for name, a in out.items():
        if a.size != n:
            out[name] = np.full(n, a[0])
    return list(out.values())


def column_array(df: pl.DataFrame, column: str) -> FloatArray:
    """A validated numeric column as a contiguous float64 array (zero-copy when it is
    already a single-chunk Float64 column without nulls)."""
    s = df.get_column(column)
    if s.dtype != pl.Float64:
        s = s.cast(pl.Float64)
    return np.ascontiguousarray(s.to_numpy(allow_copy=True))
