"""Checks and preparation of the series of a trend fit: one sorted frame with the
user's row numbers and group codes, times checked (and gaps filled on request)."""

from __future__ import annotations

import datetime as dt
import os
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import polars as pl

from hrh._frames import (
    as_list,
    check_no_nulls,
    float_array,
    group_codes,
    require_columns,
    to_frame,
)
from hrh._scale import source
from hrh.exceptions import InputError

_POSITIVE = {"loglinear": "a log-linear trend", "gm11": "GM(1,1)"}
_ROW = "__hrh_row"
_CODE = "__hrh_code"


def _check_positive(df: pl.DataFrame, vname: str, models: Sequence[str]) -> None:
    """InputError naming the first value <= 0 when one of `models` needs positive values."""
    positive = [m for m in models if m in _POSITIVE]
    if not positive:
        return
    s = df.get_column(vname)
    bad = (s <= 0).arg_true()
    if len(bad):
        i = int(bad[0])
        raise InputError(
            f"column '{vname}', row {df[i, _ROW]}: value {s[i]} is not positive; "
            f"{_POSITIVE[positive[0]]} needs values > 0"
        )


def _dates(values: Any) -> pl.Series | None:
    """`values` (time given as an array, not a column) as a Date or Datetime series when
    they are dates, else None."""
    if isinstance(values, pl.Series):
        return values if values.dtype.is_temporal() else None
    if isinstance(values, np.ndarray):
        return pl.Series("time", values) if values.dtype.kind == "M" else None
    dated = isinstance(values, Sequence) and not isinstance(values, str | bytes) and len(values)
    if dated and all(isinstance(v, dt.date) for v in values):
        return pl.Series("time", list(values))
    return None


def _prepare(
    data: Any,
    time: Any,
    value: Any,
    by: str | Sequence[str] | None,
    model: str,
    fill: str | None,
) -> tuple[pl.DataFrame, list[str], str, str, str | None]:
    """The series as one polars frame sorted by group (stable), with the user's row
    number in ``__hrh_row`` and the group code in ``__hrh_code``, checked row by row,
    and the unit of time: ``"year"`` when the times were dates (each becomes its
    calendar year), else None."""
    keys = as_list(by)
    unit = None
    if data is None:
        if keys:
            raise InputError("by: needs a table (data=...) with the group columns")
        dates = _dates(time)
        if dates is not None:
            time, unit = dates.dt.year().cast(pl.Int64).to_numpy(), "year"
        t = float_array(time, "time")
        v = float_array(value, "value")
        if t.size != v.size:
            raise InputError(f"column 'value': has length {v.size} but 'time' has length {t.size}")
        tcol = pl.Series("time", t)
        if np.all(np.abs(t) < 2**53) and np.all(t == np.round(t)):
            tcol = tcol.cast(pl.Int64)  # years stay integers
        df = pl.DataFrame({"time": tcol, "value": v})
        tname, vname = "time", "value"
    else:
        if not isinstance(time, str) or not isinstance(value, str):
            raise InputError("time, value: give column names when data is a table")
        wanted = [*keys, time, value]
        if isinstance(data, pl.LazyFrame | str | os.PathLike):
            # Only the columns the fit needs are read.
            src = source(data)
            require_columns(src.empty(), wanted, role="time/value/by")
            assert src.lazy is not None
            df = src.lazy.select(wanted).collect()
        else:
            df = to_frame(data)
            require_columns(df, wanted, role="time/value/by")
        tname, vname = time, value
        # Rows numbered already (a partition of a Dask DataFrame) keep their numbers.
        df = df.select([*wanted, *([_ROW] if _ROW in df.columns else [])])
        if df.schema[tname] == pl.Date or isinstance(df.schema[tname], pl.Datetime):
            df, unit = df.with_columns(pl.col(tname).dt.year().cast(pl.Int64)), "year"
    for c in (tname, vname):
        s = df.get_column(c)
        if not s.dtype.is_numeric():
            raise InputError(f"column '{c}' has type {s.dtype}, expected numbers")
        check_no_nulls(df, c)
        if s.dtype.is_float():
            bad = s.is_infinite().arg_true()
            if len(bad):
                r = int(bad[0])
                raise InputError(f"column '{c}', row {r}: value {s[r]} is not a finite number")
    for k in keys:
        check_no_nulls(df, k)
    if df.height == 0:
        raise InputError(f"column '{vname}': no observations; a series needs at least 3")
    if _ROW not in df.columns:
        df = df.with_row_index(_ROW)
    codes, _ = group_codes(df, keys)
    df = df.with_columns(pl.Series(_CODE, codes)).sort(_CODE, maintain_order=True)
    _check_positive(df, vname, [model])
    df = _check_times(df, keys, tname, vname, fill, dated=unit is not None)
    return df, keys, tname, vname, unit


def _group_text(df: pl.DataFrame, keys: list[str], i: int) -> str:
    return "" if not keys else " (" + ", ".join(f"{k}={df[i, k]!r}" for k in keys) + ")"


def _check_times(
    df: pl.DataFrame,
    keys: list[str],
    tname: str,
    vname: str,
    fill: str | None,
    *,
    dated: bool = False,
) -> pl.DataFrame:
    if fill not in (None, "linear"):
        raise InputError(f"fill: {fill!r} is not None or 'linear'")
    t = pl.col(tname)
    d = (t - t.shift(1)).over(_CODE)
    df = df.with_columns(__hrh_diff=d)
    diff = df.get_column("__hrh_diff")
    bad = (diff <= 0).fill_null(False).arg_true()
    if len(bad):
        i = int(bad[0])
        prev = df[i - 1, tname]
        what = (
            f"time {df[i, tname]} is duplicated (also at row {df[i - 1, _ROW]})"
            + ("; dates count by their calendar year" if dated else "")
            if df[i, tname] == prev
            else f"time {df[i, tname]} is not after the previous time {prev} "
            f"(row {df[i - 1, _ROW]}); sort the series by time"
        )
        raise InputError(f"column '{tname}', row {df[i, _ROW]}: {what}{_group_text(df, keys, i)}")
    steps = df.group_by(_CODE).agg(pl.col("__hrh_diff").min().alias("__hrh_step"))
    df = df.join(steps, on=_CODE, how="left", maintain_order="left")
    gap = ((pl.col("__hrh_diff") - pl.col("__hrh_step")).abs() > 1e-9).fill_null(False)
    bad = df.select(gap).to_series().arg_true()
    if len(bad) and fill is None:
        i = int(bad[0])
        raise InputError(
            f"column '{tname}', row {df[i, _ROW]}: time {df[i, tname]} follows "
            f"{df[i - 1, tname]} but the series steps by {df[i, '__hrh_step']}; the series "
            f"has a gap{_group_text(df, keys, i)}; fill it first or pass fill='linear'"
        )
    if len(bad):
        df = _fill_linear(df, keys, tname, vname)
    return df.drop(["__hrh_diff", "__hrh_step"], strict=False)


_MAX_POINTS = 10_000_000  # time points after filling gaps, over all series
_MAX_HORIZON = 10_000  # steps forecast


def _fill_linear(df: pl.DataFrame, keys: list[str], tname: str, vname: str) -> pl.DataFrame:
    """Insert the missing times of each series (its smallest step) and interpolate the
    values linearly; warns with the count."""
    tdtype = df.schema[tname]
    if not tdtype.is_integer():
        raise InputError(f"fill='linear': column '{tname}' must hold integers (e.g. years)")
    # The filled length of each series, checked before anything is allocated.
    spans = df.group_by(_CODE).agg(
        (
            (pl.col(tname).max().cast(pl.Float64) - pl.col(tname).min().cast(pl.Float64))
            / pl.col("__hrh_step").first().cast(pl.Float64)
        ).alias("n")
    )
    points = float(spans["n"].sum()) + spans.height
    if points > _MAX_POINTS:
        raise InputError(
            f"fill='linear': filling the gaps of column '{tname}' would make {points:.3g} time "
            f"points, more than {_MAX_POINTS:,}: check the times (a stray value?) or fill "
            "them yourself"
        )
    grid = (
        df.group_by(_CODE, maintain_order=True)
        .agg(
            *[pl.col(k).first() for k in keys],
            pl.int_ranges(
                pl.col(tname).min(), pl.col(tname).max() + 1, pl.col("__hrh_step").first()
            )
            .first()
            .alias(tname),
        )
        .explode(tname)
        .with_columns(pl.col(tname).cast(tdtype))
    )
    out = grid.join(df.select([_CODE, tname, vname, _ROW]), on=[_CODE, tname], how="left").sort(
        [_CODE, tname]
    )
    added = out.get_column(vname).null_count()
    warnings.warn(
        f"fill='linear': interpolated {added} missing time point(s) of '{vname}'",
        UserWarning,
        stacklevel=4,
    )
    out = out.with_columns(pl.col(vname).cast(pl.Float64).interpolate().over(_CODE))
    return out.with_columns(pl.col(_ROW).fill_null(-1)).with_columns(
        __hrh_diff=pl.lit(None, dtype=pl.Float64), __hrh_step=pl.lit(None, dtype=pl.Float64)
    )


def _break_times(value: Any, name: str) -> list[float]:
    """Break times as a list of finite numbers (None or [] for none)."""
    if value is None:
        return []
    items = [value] if isinstance(value, int | float) else value
    if isinstance(items, str | bytes) or not isinstance(items, Sequence | np.ndarray):
        raise InputError(f"argument '{name}': {value!r} is not a list of times")
    out = []
    for v in items:
        if isinstance(v, bool) or not isinstance(v, int | float | np.integer | np.floating):
            raise InputError(f"argument '{name}': {v!r} is not a time (a number such as 2011)")
        if not np.isfinite(v):
            raise InputError(f"argument '{name}': break time {v!r} is not finite")
        out.append(float(v))
    return out


def _coefficients(r: dict[str, Any], group_keys: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """The long coefficient table: group columns, term, estimate, std_err, statistic,
    p_value, lower, upper (NaN from the core becomes null)."""
    idx = np.asarray(r["series"], dtype=np.int64)
    cols: dict[str, Any] = {}
    for k in keys:
        cols[k] = group_keys.get_column(k).gather(idx)
    cols["term"] = pl.Series("term", list(r["term"]), dtype=pl.String)
    for name in ("estimate", "std_err", "statistic", "p_value", "lower", "upper"):
        cols[name] = pl.Series(name, np.asarray(r[name], dtype=np.float64)).fill_nan(None)
    return pl.DataFrame(cols)


def _levels(level: float | Sequence[float]) -> tuple[float, ...]:
    levels = (level,) if isinstance(level, int | float) else tuple(level)
    for lv in levels:
        if isinstance(lv, bool) or not isinstance(lv, int | float) or not 0 < lv < 1:
            raise InputError(f"argument 'level': {lv!r} is outside (0, 1); give e.g. 0.95")
    return tuple(float(x) for x in levels)


def _is_float(v: Any) -> bool:
    """Whether a column handed to polars holds floats (numpy array, list or Series)."""
    if isinstance(v, pl.Series):
        return v.dtype.is_float()
    return bool(np.asarray(v).dtype.kind == "f")
