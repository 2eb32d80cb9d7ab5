"""Person-time of a register read in parts (a LazyFrame, Parquet files or a Dask
DataFrame): each part's integer counts per group and period, added up exactly, then
finished as for a whole table."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import polars as pl

from hrh import _core
from hrh import _scale as scale
from hrh._frames import check_key_type, group_codes, rows_of
from hrh.attrition._spells import (
    _days,
    _person_time_table,
    _spells,
    _tabulate,
    _year_start,
)
from hrh.exceptions import InputError

_PERIOD = "__hrh_period_start"
_PERIOD_END = "__hrh_period_end"
_COUNTS = ("headcount_start", "entrants", "exits", "person_days")
_REASON = "__hrh_exits:"


def _person_time_in_parts(
    src: scale.Source,
    entry: str,
    exit: str,
    reason: str | None,
    by_cols: list[str],
    period: str,
    start: int | None,
    end: int | None,
    level: float,
) -> pl.DataFrame:
    """The person-time table of a register read in batches or partitions: each part's
    integer counts per group and period (the core's partial state), keyed by the
    group's values, added up exactly, then finished as for the whole table. The
    default window needs a first, cheaper pass over the entry and exit dates."""
    empty = src.empty()
    _days(empty.get_column(entry), entry)  # the types, before any work
    _days(empty.get_column(exit), exit)
    if reason:
        check_key_type(empty, reason, table="register")
    for c in by_cols:
        check_key_type(empty, c, table="register")
    if start is None or end is None:
        widest = scale.fold(src, [entry, exit], partial=_span(entry, exit), merge=_widest)
        span, rows = widest
        if rows == 0:
            raise InputError("register has no rows")
        first, last_entry, last_exit = span if span is not None else (None, None, None)
        if first is None or last_entry is None:  # every entry null: the count names the row
            start, end = 0, 1
        else:
            if start is None:
                start = _year_start(first)
            if end is None:
                end = max(last_entry, last_exit if last_exit is not None else first) + 1
    window = (start, end)
    columns = [entry, exit, *([reason] if reason else []), *by_cols]

    def counts(batch: pl.DataFrame) -> pl.DataFrame:
        sp = _spells(batch, entry, exit, reason, by_cols)
        codes, keys = group_codes(batch, by_cols)
        t = _tabulate(_core.person_time_counts, sp, codes, keys, period, *window, entry, exit)
        part = pl.DataFrame(
            {
                _PERIOD: t["period_start"],
                _PERIOD_END: t["period_end"],
                **{c: t[c] for c in _COUNTS},
                **{
                    _REASON + lab: col
                    for lab, col in zip(sp.labels, t["exits_by_reason"], strict=True)
                },
            }
        )
        if by_cols:
            part = pl.concat([rows_of(keys, t["group"]), part], how="horizontal")
        return part

    def merge(parts: list[pl.DataFrame]) -> pl.DataFrame:
        if len(parts) == 1:
            return parts[0]
        reasons = sorted({c for p in parts for c in p.columns if c.startswith(_REASON)})
        aligned = [
            p.with_columns(
                pl.lit(0, pl.Int64).alias(c) for c in reasons if c not in p.columns
            ).select(*by_cols, _PERIOD, _PERIOD_END, *_COUNTS, *reasons)
            for p in parts
        ]
        both = scale._concat(aligned, by_cols)
        return both.group_by(*by_cols, _PERIOD, _PERIOD_END).agg(
            pl.exclude(*by_cols, _PERIOD, _PERIOD_END).sum()
        )

    summed = scale.fold(src, columns, partial=counts, merge=merge)
    total = summed[0]
    if total is None:
        raise InputError("register has no rows")
    # Groups in the order of the whole table's codes (sorted keys), periods in order.
    codes, _ = group_codes(total, by_cols)
    total = total.with_columns(pl.Series("__hrh_group", codes)).sort("__hrh_group", _PERIOD)
    hc = total["headcount_start"].cast(pl.Float64).to_numpy()
    moved = total["headcount_start"] + total["entrants"] - total["exits"]
    t = {
        "period_start": total[_PERIOD],
        "period_end": total[_PERIOD_END],
        "entrants": total["entrants"].to_numpy(),
        "exits": total["exits"].to_numpy(),
    }
    labels = sorted(c.removeprefix(_REASON) for c in total.columns if c.startswith(_REASON))
    return _person_time_table(
        hc,
        moved.cast(pl.Float64).to_numpy(),
        t,
        [(lab, total[_REASON + lab].to_numpy()) for lab in labels],
        total["person_days"].cast(pl.Float64).to_numpy() / 365.25,
        by_cols,
        total.select(by_cols) if by_cols else None,
        level,
    )


_Span = tuple[int | None, int | None, int | None]


def _span(entry: str, exit: str) -> Callable[[pl.DataFrame], _Span]:
    """The partial state of the default window: the first and last entry day and the
    last exit day of a batch (None where it has none)."""

    def span(batch: pl.DataFrame) -> _Span:
        e = _days(batch.get_column(entry), entry)
        x = _days(batch.get_column(exit), exit)
        return e.min(), e.max(), x.max()  # type: ignore[return-value]

    return span


def _widest(spans: list[_Span]) -> _Span:
    def pick(values: list[int | None], f: Any) -> int | None:
        known = [v for v in values if v is not None]
        return f(known) if known else None

    return (
        pick([s[0] for s in spans], min),
        pick([s[1] for s in spans], max),
        pick([s[2] for s in spans], max),
    )
