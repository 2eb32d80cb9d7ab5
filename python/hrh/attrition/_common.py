"""Inputs shared by the attrition functions: event codes, durations and group keys."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import polars as pl

from hrh import _scale as scale
from hrh._frames import (
    as_list,
    check_no_nulls,
    check_numeric,
    column_array,
    group_codes,
    require_columns,
    rows_of,
    to_frame,
    value_codes,
)
from hrh.exceptions import InputError

if TYPE_CHECKING:  # pragma: no cover
    pass


# --- inputs -----------------------------------------------------------------------------


def _event_codes(df: pl.DataFrame, column: str) -> npt.NDArray[np.uint32]:
    """A 0/1 (or boolean) event column as uint32 codes, naming the first bad row."""
    check_no_nulls(df, column)
    s = df.get_column(column)
    if s.dtype == pl.Boolean:
        return np.ascontiguousarray(s.cast(pl.UInt32).to_numpy())
    if not s.dtype.is_numeric():
        raise InputError(
            f"column '{column}' has type {s.dtype}, expected 0/1 or True/False event codes"
        )
    if s.dtype.is_integer():  # two reductions suffice when no code is outside 0..1
        lo: Any = s.min()
        if lo is None or (lo >= 0 and s.max() <= 1):  # type: ignore[operator]
            return np.ascontiguousarray(s.cast(pl.UInt32).to_numpy())
    bad = (~((s == 0) | (s == 1))).arg_true()
    if len(bad):
        row = int(bad[0])
        raise InputError(
            f"column '{column}', row {row}: value {s[row]} is not 0 (censored) or 1 (exit)"
        )
    return np.ascontiguousarray(s.cast(pl.UInt32).to_numpy())


# Labels of an event column given as text: a mapping label -> code (0: still in post,
# censored; 1, 2, ...: an exit, or its cause) or a list of the labels that are exits.
EventValues = Mapping[Any, int] | Sequence[Any]


def _event_table(event_values: Any) -> tuple[dict[Any, int], bool]:
    """`event_values` as a dict label -> code, and whether a null is censored (the
    list form; a mapping says so with a ``None`` key)."""
    if isinstance(event_values, Mapping):
        table = dict(event_values)
        for label, code in table.items():
            if isinstance(code, bool) or not isinstance(code, int | np.integer) or code < 0:
                raise InputError(
                    f"argument 'event_values': code {code!r} of {label!r} is not 0 (still in "
                    "post, censored) or a positive integer (an exit, or its cause)"
                )
        if not table:
            raise InputError("argument 'event_values': the mapping is empty")
        return {k: int(v) for k, v in table.items()}, None in table
    if isinstance(event_values, str | bytes) or not isinstance(event_values, Sequence):
        raise InputError(
            f"argument 'event_values': {event_values!r} is not a mapping of labels to codes "
            "(e.g. {'resigned': 1, 'retired': 2, 'in post': 0}) or a list of exit labels"
        )
    labels = list(event_values)
    if not labels:
        raise InputError("argument 'event_values': the list of exit labels is empty")
    if len(set(labels)) < len(labels):
        twice = next(v for v in labels if labels.count(v) > 1)
        raise InputError(f"argument 'event_values': label {twice!r} is listed twice")
    return {label: k for k, label in enumerate(labels, start=1)}, True


def _mapped_events(df: pl.DataFrame, column: str, event_values: Any) -> npt.NDArray[np.uint32]:
    """Each row's code under `event_values`, naming the first row whose value it does
    not map."""
    table, null_censored = _event_table(event_values)
    s = df.get_column(column)
    if isinstance(s.dtype, pl.Categorical | pl.Enum):
        s = s.cast(pl.String)
    local, values = value_codes(s)
    distinct = values.to_list()
    lut = np.zeros(len(distinct), dtype=np.uint32)
    unmapped = np.zeros(len(distinct), dtype=bool)
    for k, v in enumerate(distinct):
        if v is None and null_censored and None not in table:
            continue  # the list form: a null is still in post
        try:
            code = table.get(v)
        except TypeError:  # an unhashable value (a list in an object column)
            code = None
        if code is None:
            unmapped[k] = True
        else:
            lut[k] = code
    if unmapped.any():
        row = int(np.flatnonzero(unmapped[local])[0])
        v = distinct[local[row]]
        what = "a null" if v is None else f"value {v!r}"
        raise InputError(
            f"column '{column}', row {row}: {what} is not in event_values "
            f"({', '.join(repr(x) for x in table)})"
            + ("; map None to 0 if a null means still in post" if v is None else "")
        )
    return np.ascontiguousarray(lut[local])


def _with_events(data: Any, event: str, event_values: Any) -> Any:
    """`data` with the `event` column replaced by 0/1 codes under `event_values` (any
    positive code is an exit); `data` itself when `event_values` is None."""
    if event_values is None:
        return data
    df = to_frame(data)
    require_columns(df, [event], role="event")
    codes = _mapped_events(df, event, event_values)
    return df.with_columns(pl.Series(event, (codes > 0).astype(np.uint8)))


def _named_causes(
    df: pl.DataFrame, cause: str, event_values: Any
) -> tuple[pl.DataFrame, list[Any]]:
    """The `cause` column under `event_values` as the causes' names (null: censored),
    and the names in the order of their codes. Labels sharing a code share a cause,
    named by the labels joined with ' / '."""
    event_values = {None: 0, **event_values}  # a null is censored unless mapped
    codes = _mapped_events(df, cause, event_values)
    order, labels = _cause_names(event_values)
    lut = np.array([None, *labels], dtype=object)
    position = np.zeros(max(order, default=0) + 1, dtype=np.int64)
    position[order] = np.arange(1, len(order) + 1)
    named = pl.Series(cause, lut[position[codes]].tolist(), dtype=pl.String)
    return df.with_columns(named), labels


def _cause_names(event_values: Any) -> tuple[list[int], list[str]]:
    """The exit codes of an `event_values` mapping, sorted, and the name of each: its
    labels joined with ' / '."""
    table, _ = _event_table(event_values)
    names: dict[int, list[str]] = {}
    for label, code in table.items():
        if code > 0:
            names.setdefault(code, []).append(str(label))
    order = sorted(names)
    return order, [" / ".join(names[c]) for c in order]


@dataclass(frozen=True)
class _Surv:
    df: pl.DataFrame
    time: npt.NDArray[np.float64]
    event: npt.NDArray[np.uint32]
    entry: npt.NDArray[np.float64] | None
    weights: npt.NDArray[np.float64] | None
    by: list[str]
    codes: npt.NDArray[np.uint32]
    keys: pl.DataFrame


def _frame(
    data: Any,
    *,
    duration: str,
    event: str,
    entry: str | None = None,
    weights: str | None = None,
    by: str | Sequence[str] | None = None,
) -> tuple[pl.DataFrame, list[str]]:
    """`data` as a frame that has the named columns and rows, and the `by` names."""
    df = to_frame(data)
    by_cols = as_list(by)
    require_columns(df, [duration], role="duration")
    require_columns(df, [event], role="event")
    if entry:
        require_columns(df, [entry], role="entry")
    if weights:
        require_columns(df, [weights], role="weights")
    require_columns(df, by_cols, role="by")
    if df.height == 0:
        raise InputError("data has no rows")
    return df, by_cols


_TALLY = "__hrh_weight"


def _tallied(
    data: Any,
    *,
    duration: str,
    event: str,
    entry: str | None,
    weights: str | None,
    by: str | Sequence[str] | None,
    event_values: Any,
) -> tuple[Any, str | None, Any]:
    """Data read in batches or partitions (a LazyFrame, a Parquet path, a Dask
    DataFrame) as the table of row counts, or sums of `weights`, per group, duration,
    event (and entry), each batch checked as the whole table would be; returns that
    table, its weights column and the event labels still to map (None: mapped). A
    table in memory is returned as it is (read once), with `weights` and
    `event_values`.

    The curves from the counts equal those from the rows: the risk sets and exits at
    every time are the same integers. With `weights`, each cell's weight is the exact
    sum of its rows' weights, rounded once."""
    src = scale.source(data)
    if src.frame is not None:
        return src.frame, weights, event_values
    by_cols = as_list(by)
    empty = src.empty()
    roles = [(duration, "duration"), (event, "event"), (entry, "entry"), (weights, "weights")]
    for name, role in roles:
        if name:
            require_columns(empty, [name], role=role)
    require_columns(empty, by_cols, role="by")
    keys = [*by_cols, duration, event, *([entry] if entry else [])]
    columns = [*keys, *([weights] if weights else [])]

    def prepare(batch: pl.DataFrame) -> pl.DataFrame:
        checked: pl.DataFrame = _with_events(batch, event, event_values)
        if checked.height:
            _surv(checked, duration=duration, event=event, entry=entry, weights=weights, by=by_cols)
        return checked

    table, _ = scale.grouped_sums(
        src,
        columns,
        prepare,
        keys,
        {_TALLY: weights} if weights else {},
        count=None if weights else _TALLY,
    )
    return table, _TALLY, None


def _read(
    data: Any,
    *,
    duration: str,
    event: str,
    entry: str | None,
    weights: str | None,
    by: str | Sequence[str] | None,
    event_values: Any,
) -> tuple[Any, str | None]:
    """`data` ready for the curves (:func:`_tallied`, then event labels mapped) and its
    weights column."""
    data, weights, event_values = _tallied(
        data,
        duration=duration,
        event=event,
        entry=entry,
        weights=weights,
        by=by,
        event_values=event_values,
    )
    return _with_events(data, event, event_values), weights


def _surv(
    data: Any,
    *,
    duration: str,
    event: str,
    entry: str | None = None,
    weights: str | None = None,
    by: str | Sequence[str] | None = None,
) -> _Surv:
    df, by_cols = _frame(data, duration=duration, event=event, entry=entry, weights=weights, by=by)
    check_numeric(df, duration, minimum="non_negative")
    ev = _event_codes(df, event)
    if entry:
        check_numeric(df, entry, minimum="any")
    if weights:
        check_numeric(df, weights, minimum="positive")
    for c in by_cols:
        check_no_nulls(df, c)
    codes, keys = group_codes(df, by_cols)
    return _Surv(
        df=df,
        time=column_array(df, duration),
        event=ev,
        entry=column_array(df, entry) if entry else None,
        weights=column_array(df, weights) if weights else None,
        by=by_cols,
        codes=codes,
        keys=keys,
    )


# Column types the core reads in place, and what other numeric types are cast to
# (float64 where `_surv` would cast, as for any duration). Event codes may also be
# booleans.
_DURATION_TYPES: dict[type[pl.DataType], type[pl.DataType]] = {
    pl.Int64: pl.Int64,
    pl.Int32: pl.Int32,
    pl.Float64: pl.Float64,
    pl.Int8: pl.Int32,
    pl.Int16: pl.Int32,
    pl.UInt8: pl.Int32,
    pl.UInt16: pl.Int32,
    pl.UInt32: pl.Int64,
    pl.UInt64: pl.Float64,
    pl.Float32: pl.Float64,
}
_EVENT_TYPES: dict[type[pl.DataType], type[pl.DataType]] = {
    pl.Boolean: pl.Boolean,
    **_DURATION_TYPES,
}

# The core's counting of unweighted data: (time, event, group codes, number of groups)
# -> a result dict, or None when the data do not suit it.
_Count = Callable[[npt.NDArray[Any], npt.NDArray[Any], npt.NDArray[np.uint32], int], Any]


def _native(s: pl.Series, types: Mapping[type[pl.DataType], type[pl.DataType]]) -> Any:
    """`s` as a numpy array of a type the core reads in place (no copy when it already
    is one), or None when it has nulls or a type outside `types`."""
    target = types.get(s.dtype.base_type())
    if target is None or s.null_count():
        return None
    return (s if s.dtype == target else s.cast(target)).to_numpy()


def _curves(
    data: Any,
    *,
    duration: str,
    event: str,
    entry: str | None,
    weights: str | None,
    by: str | Sequence[str] | None,
    unweighted: _Count,
    general: Callable[[_Surv], dict[str, Any]],
) -> tuple[dict[str, Any], list[str], pl.DataFrame]:
    """A core result, the `by` names and the group keys.

    Unweighted data without entry times go to the core as they are (`unweighted`),
    checked there as they are counted, in one pass; a bad value is then reported with
    the message of :func:`_surv`'s checks. Everything else (weights, entry times, nulls,
    other column types, too many groups times distinct durations) goes through
    :func:`_surv` to `general`.
    """
    df, by_cols = _frame(data, duration=duration, event=event, entry=entry, weights=weights, by=by)
    for c in by_cols:  # null or NaN keys are errors on every path
        check_no_nulls(df, c)
    if entry is None and weights is None:
        t = _native(df.get_column(duration), _DURATION_TYPES)
        e = _native(df.get_column(event), _EVENT_TYPES)
        if t is not None and e is not None and not any(df[c].null_count() for c in by_cols):
            # One group: the core reads no codes (a column of zeros would cost a pass).
            codes, keys = (
                group_codes(df, by_cols) if by_cols else (np.zeros(0, np.uint32), pl.DataFrame())
            )
            try:
                r = unweighted(t, e, codes, max(keys.height, 1))
            except InputError:
                _surv(df, duration=duration, event=event, by=by_cols)
                raise
            if r is not None:
                return r, by_cols, keys
    s = _surv(df, duration=duration, event=event, entry=entry, weights=weights, by=by_cols)
    return general(s), by_cols, s.keys


def _with_keys(
    table: dict[str, Any],
    by: list[str],
    keys: pl.DataFrame,
    drop: Sequence[str] = ("group",),
    nan_to_null: Sequence[str] = (),
) -> pl.DataFrame:
    """A core result dict (with a ``group`` code column) as a frame led by the `by` keys;
    the columns `nan_to_null` hold null where the core wrote NaN (undefined)."""
    group = np.asarray(table["group"])
    out = pl.DataFrame(
        [
            pl.Series(k, v, nan_to_null=k in nan_to_null)
            for k, v in table.items()
            if k not in drop and np.ndim(v) == 1
        ]
    )
    if by:
        out = pl.concat([rows_of(keys, group), out], how="horizontal")
    return out


def _nan_to_null(df: pl.DataFrame, columns: Sequence[str]) -> pl.DataFrame:
    return df.with_columns(pl.col(c).fill_nan(None) for c in columns if c in df.columns)
