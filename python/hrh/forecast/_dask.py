"""Trend fits of the series of a Dask DataFrame: Dask puts each series in one partition
(a shuffle on the group columns), every partition's series are fitted where it lies,
with the same core call as in memory, and the parts are put together in the order of
the groups, so the result is the one of the whole table in memory."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np
import polars as pl

from hrh._frames import to_frame
from hrh._scale import _check_client, partition_tasks, reduce_tree, source
from hrh.exceptions import InputError
from hrh.forecast._prepare import _ROW, _prepare
from hrh.forecast._result import Forecast

T = TypeVar("T")

#: Statistics of the fit that are kept although undefined for every series (see _fit).
_ALWAYS = {"sigma2"}


def _numbered(pdf: Any, first: int, columns: list[str]) -> Any:
    """A partition with its rows' numbers in the whole table."""
    out = pdf[columns].copy()
    out[_ROW] = np.arange(first, first + len(out), dtype=np.int64)
    return out


def _in_order(pdf: Any, where: str) -> pl.DataFrame | None:
    """A partition of whole series, rows in the order of the whole table (None without
    rows)."""
    df = to_frame(pdf, name=where)
    if df.height == 0:
        return None
    return df.with_columns(pl.col(_ROW).cast(pl.UInt32)).sort(_ROW)


def _stack(frames: list[pl.DataFrame], keys: list[str]) -> pl.DataFrame:
    """Tables of parts, one after another in the order of their groups (each group is
    in one part, and a part's groups are in order)."""
    frames = [f for f in frames if f.width]
    if not frames:
        return pl.DataFrame()
    return pl.concat(frames, how="vertical").sort(keys, maintain_order=True)


def series_parts(
    ddf: Any,
    time: Any,
    value: Any,
    by: list[str],
    fill: Any,
    one: Callable[[pl.DataFrame], T],
) -> list[T]:
    """`one` of each partition of whole series of a Dask DataFrame (Dask shuffles the
    rows on the `by` columns so that each series lies in one partition; each part holds
    the `by`, `time` and `value` columns and the rows' numbers in the whole table, in
    that order), in the order of the partitions."""
    from dask.dataframe import from_delayed
    from dask.delayed import delayed

    if not isinstance(time, str) or not isinstance(value, str):
        raise InputError("time, value: give column names when data is a table")
    if fill is not None:
        raise InputError(
            "argument 'fill': filling gaps is not done on a Dask DataFrame (the count of "
            "filled points is reported for the whole table); fill them in Dask first, or "
            "call .compute() on the series"
        )
    src = source(ddf)
    columns = [*by, time, value]
    missing = [c for c in columns if c not in src.schema]
    if missing:
        raise InputError(
            f"column {missing[0]!r} (time/value/by) is not in the data; columns: "
            f"{', '.join(src.schema)}"
        )
    _check_client()
    pieces = ddf.to_delayed()
    if not pieces:
        raise InputError("data: the Dask DataFrame has no partitions")
    lengths = [int(n) for n in ddf.map_partitions(len).compute()]
    firsts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(int)
    meta = _numbered(ddf._meta, 0, columns)
    numbered = from_delayed(
        [delayed(_numbered)(p, int(f), columns) for p, f in zip(pieces, firsts, strict=True)],
        meta=meta,
        verify_meta=False,
    )
    # Each series in one partition (without `by`, all rows are one series).
    numbered = numbered.shuffle(on=by) if by else numbered.repartition(npartitions=1)

    def reduced(pdf: Any, where: str) -> list[T]:
        df = _in_order(pdf, where)
        return [] if df is None else [one(df)]

    tasks = partition_tasks(numbered, [*columns, _ROW], reduced)
    return reduce_tree(tasks, lambda lists: [x for part in lists for x in part])


def trend_dask(
    ddf: Any, time: Any, value: Any, by: list[str], model: str, fill: Any, fit: Any
) -> Forecast:
    """:func:`hrh.trend` of a Dask DataFrame; `fit(df, keys, tname, vname, unit)` fits
    the prepared series of a part (keeping statistics undefined for all its series)."""

    def one(df: pl.DataFrame) -> Forecast:
        prepared, keys, tname, vname, unit = _prepare(df, time, value, by, model, None)
        return fit(prepared, keys, tname, vname, unit)  # type: ignore[no-any-return]

    fits = series_parts(ddf, time, value, by, fill, one)
    if not fits:
        raise InputError(f"column '{value}': no observations; a series needs at least 3")
    params = _stack([f.params for f in fits], by)
    # Statistics undefined for every series are left out, as in memory.
    empty = [
        c
        for c in params.columns
        if c not in by and params[c].null_count() == params.height and c not in _ALWAYS
    ]
    sigma2 = params.get_column("sigma2", default=None)
    if sigma2 is not None and model == "gm11" and sigma2.null_count() == params.height:
        empty.append("sigma2")
    first = fits[0]
    return Forecast(
        model=first.model,
        method=first.method,
        fitted=_stack([f.fitted for f in fits], by),
        forecast=_stack([f.forecast for f in fits], by),
        params=params.drop(empty),
        accuracy=_stack([f.accuracy for f in fits], by),
        by=by,
        time=first.time,
        value=first.value,
        levels=first.levels,
        time_unit=first.time_unit,
        coefficients=_stack([f.coefficients for f in fits], by),
    )
