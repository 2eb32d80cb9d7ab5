"""Any table in, validated polars columns out.

Every public function that takes a table calls :func:`to_frame` once, then the column
checks below. They raise :class:`hrh.InputError` naming the column, the row and the
value, and never modify the caller's data.
"""

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
            "nelson_aalen, life_table, logrank and cumulative_incidence (the curves) take "
            "Dask DataFrames, LazyFrames and Parquet paths directly"
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


def float_array(values: Any, name: str) -> FloatArray:
    """An array-like (list, numpy array, polars or pandas Series, scalar) passed as the
    argument `name`, as a contiguous float64 numpy array, rejecting nulls and non-numbers
    with the item (``argument 'values', item 3: value is NaN``)."""
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
    if out.size and np.isnan(out.min()):  # the minimum is NaN when any value is
        nan = np.flatnonzero(np.isnan(out))
        raise InputError(f"argument '{name}', item {int(nan[0])}: value is NaN")
    return out


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


def group_codes(df: pl.DataFrame, by: Sequence[str]) -> tuple[npt.NDArray[np.uint32], pl.DataFrame]:
    """Dense integer codes of the `by` key combinations, numbered in sorted key order
    (nulls last), and the table of keys (row `k` holds the keys of code `k`)."""
    if not by:
        return np.zeros(df.height, dtype=np.uint32), pl.DataFrame()
    for c in by:
        check_key_type(df, c)
    if len(by) == 1:
        codes, values = value_codes(df.get_column(by[0]))
        return codes, values.to_frame()
    keys = df.select(by).unique().sort(by, nulls_last=True)
    keys = keys.with_row_index("__hrh_code")
    joined = df.select(by).join(
        keys, on=list(by), how="left", maintain_order="left", nulls_equal=True
    )
    arr = joined.get_column("__hrh_code").cast(pl.UInt32).to_numpy()
    return np.ascontiguousarray(arr), keys.drop("__hrh_code")


def first_seen_codes(
    df: pl.DataFrame, by: Sequence[str]
) -> tuple[npt.NDArray[np.uint32], pl.DataFrame]:
    """Dense integer codes of the `by` key combinations of `df`'s rows, numbered in the
    order each first appears (as ``group_by(maintain_order=True)``), and the table of
    keys in their own types (row `k` holds the keys of code `k`). Without `by`, every
    row has code 0 and the keys table is empty. For tables of results (curves), whose
    groups come back in the order the table gives them."""
    if not by:
        return np.zeros(df.height, dtype=np.uint32), pl.DataFrame()
    keys = df.select(by).filter(pl.struct(by).is_first_distinct())
    codes = (
        df.select(by)
        .join(
            keys.with_row_index("__hrh_code"),
            on=list(by),
            how="left",
            maintain_order="left",
            nulls_equal=True,
        )
        .get_column("__hrh_code")
    )
    return np.ascontiguousarray(codes.cast(pl.UInt32).to_numpy()), keys


def value_codes(s: pl.Series) -> tuple[npt.NDArray[np.uint32], pl.Series]:
    """Dense integer codes of the values of `s`, numbered in sorted order with null
    last, and the distinct values in that order (value `k` has code `k`).

    Strings are read in place by the core (through the Arrow C stream interface) and
    coded in parallel; failing that, by a cast to an Enum of their sorted distinct
    values. Other types are coded by a join on their sorted distinct values.
    """
    if s.dtype == pl.String:
        read = _core.string_codes(s)
        if read is not None:
            return read[0], pl.Series(s.name, read[1], dtype=pl.String)
    values = s.unique().sort(nulls_last=True)
    if s.dtype.is_integer() and not s.null_count():
        # A binary search of the few sorted distinct values (a join costs 10x more).
        codes_np = np.searchsorted(values.to_numpy(), s.to_numpy())
        return np.ascontiguousarray(codes_np, dtype=np.uint32), values
    if s.dtype == pl.String:
        categories = values.drop_nulls()
        codes = s.cast(pl.Enum(categories)).to_physical().fill_null(len(categories))
    else:
        index = values.to_frame().with_row_index("__hrh_code")
        codes = (
            s.to_frame()
            .join(index, on=s.name, how="left", maintain_order="left", nulls_equal=True)
            .get_column("__hrh_code")
        )
    return np.ascontiguousarray(codes.cast(pl.UInt32).to_numpy()), values


def grouped_sums(
    df: pl.DataFrame, by: Sequence[str], sums: Mapping[str, str], *, count: str | None = None
) -> pl.DataFrame:
    """Exact sums of numeric columns over the `by` key combinations present, sorted by
    the keys (nulls last): one row per group with the keys, the row count as `count`
    (when named) and ``sums`` (output name -> column) as Float64.

    Each sum is the correctly rounded sum of its values, whatever their order and the
    number of threads, so the table is identical from run to run (a parallel float sum
    is not). The core hashes the key combinations of the rows in one pass
    (:func:`coded_sums`).
    """
    cell, coded, counts, totals = coded_sums(df, by, list(sums.values()))
    counted = pl.Series(count, counts, dtype=pl.Int64) if count is not None else None
    return keyed_table(cell, coded, by, dict(zip(sums, totals, strict=True)), count=counted)


def coded_sums(
    df: pl.DataFrame, by: Sequence[str], columns: Sequence[str], *, partial: bool = False
) -> tuple[
    npt.NDArray[np.uint64],
    list[tuple[None, pl.Series]],
    npt.NDArray[np.uint64],
    list[FloatArray],
]:
    """The core's exact grouped sums of `columns` (cast to Float64) over the `by` keys:
    (cell, per key ``(None, distinct values present)``, counts, sums), `cell` the
    mixed-radix combination of each group's ranks in the distinct values (last key
    fastest). With `partial`, the sums are the long partial table of
    ``grouped_partials``.

    The core hashes the combination of key values per row in one pass, reading string
    keys in place (Arrow views); other keys are coded first (:func:`value_codes`)."""
    values = [column_array(df.select(pl.col(c).cast(pl.Float64)), c) for c in columns]
    coded: list[pl.Series | None] = []
    keys: list[Any] = []
    for c in by:
        s = df.get_column(c)
        if s.dtype == pl.String:
            coded.append(None)
            keys.append(s)
        else:
            codes, distinct = value_codes(s)
            coded.append(distinct)
            keys.append(codes)
    out = _core.keyed_sums(keys, values, df.height, partial=partial)
    if out is None:  # a string key the core could not read in place: coded first
        for k, c in enumerate(by):
            if coded[k] is None:
                keys[k], coded[k] = value_codes(df.get_column(c))
        out = _core.keyed_sums(keys, values, df.height, partial=partial)
        if out is None:  # codes are always read
            raise InputError(f"by: the key columns {', '.join(map(repr, by))} could not be read")
    cell, counts, totals, labels = out
    decoded = [
        pl.Series(c, label, dtype=pl.String) if d is None else d.gather(pl.Series(label))
        for c, d, label in zip(by, coded, labels, strict=True)
    ]
    return cell, [(None, d) for d in decoded], counts, totals


def keyed_table(
    cell: npt.NDArray[np.uint64],
    coded: Sequence[tuple[Any, pl.Series]],
    by: Sequence[str],
    columns: Mapping[str, Any],
    *,
    count: pl.Series | None = None,
) -> pl.DataFrame:
    """A table of the key columns decoded from mixed-radix cells (the last key varies
    fastest; `coded` holds each key's codes and distinct values), then `count`, then
    Float64 `columns`."""
    cols: list[pl.Series] = []
    rest = cell
    for (_, distinct), name in reversed(list(zip(coded, by, strict=True))):
        n = len(distinct)
        cols.append(distinct.gather(pl.Series(rest % n)).alias(name))
        rest = rest // n
    cols.reverse()
    cols += [count] if count is not None else []
    cols += [pl.Series(name, v, dtype=pl.Float64) for name, v in columns.items()]
    return pl.DataFrame(cols)
