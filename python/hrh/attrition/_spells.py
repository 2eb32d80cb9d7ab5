"""A register's employment spells as the core reads them (entry and exit days, exit
reason codes), dates as day numbers, the core's person-time tabulation of the spells,
and the person-time table built from its counts; shared by :func:`person_time` on a
whole table and on a register read in parts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from hrh import _core
from hrh._frames import check_key_type, check_no_nulls, value_codes
from hrh.exceptions import InputError

_EPOCH = dt.date(1970, 1, 1)


def _days(s: pl.Series, column: str) -> pl.Series:
    """A date (or datetime) column as days since 1970-01-01 (Int32, nulls kept)."""
    if isinstance(s.dtype, pl.Datetime):
        s = s.dt.date()
    if s.dtype != pl.Date:
        raise InputError(f"column '{column}' has type {s.dtype}, expected dates")
    return s.to_physical()


def _int32(s: pl.Series) -> npt.NDArray[np.int32]:
    return np.ascontiguousarray(s.fill_null(0).to_numpy(), dtype=np.int32)


def _to_day(value: dt.date | str | None, name: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError as e:
            raise InputError(f"argument '{name}': {value!r} is not an ISO date (YYYY-MM-DD)") from e
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        raise InputError(f"argument '{name}': {value!r} is not a date")
    return (value - _EPOCH).days


@dataclass(frozen=True)
class _SpellColumns:
    """A register's spells as the core reads them."""

    entry: npt.NDArray[np.int32]
    exit: npt.NDArray[np.int32]
    exit_day: pl.Series
    known: npt.NDArray[np.bool_]
    reason: npt.NDArray[np.uint32]
    labels: list[str]


def _spells(
    df: pl.DataFrame, entry: str, exit: str, reason: str | None, by_cols: list[str]
) -> _SpellColumns:
    """Check a register (or a batch of one) and read its spells: entry and exit days,
    and reason codes 1.. by the sorted text of the reasons (0 where there is none)."""
    check_no_nulls(df, entry, table="register")
    for c in by_cols:
        check_no_nulls(df, c, table="register")
    e_days = _int32(_days(df.get_column(entry), entry))
    x = _days(df.get_column(exit), exit)
    known = x.is_not_null()
    labels: list[str] = []
    if reason:
        check_key_type(df, reason, table="register")
        r = df.get_column(reason)
        missing = r.is_null() & known
        if missing.any():
            row = int(missing.arg_true()[0])
            raise InputError(
                f"column '{reason}', row {row}: value is null but the person has an exit date"
            )
        value_code, values = value_codes(r)
        text = ["" if v is None else str(v) for v in values.to_list()]
        labels = sorted({t for t, v in zip(text, values.to_list(), strict=True) if v is not None})
        code_of = {lab: i + 1 for i, lab in enumerate(labels)}
        lut = np.array(
            [0 if v is None else code_of[t] for t, v in zip(text, values.to_list(), strict=True)],
            dtype=np.uint32,
        )
        in_place = value_code if value_code.flags.writeable else None
        rcodes = np.take(lut, value_code, out=in_place, mode="clip")
    else:
        rcodes = np.zeros(df.height, dtype=np.uint32)
    return _SpellColumns(e_days, _int32(x), x, known.to_numpy(), rcodes, labels)


def _year_start(day: int) -> int:
    """The first day of the calendar year of `day` (days since 1970-01-01)."""
    first_date = _EPOCH + dt.timedelta(days=day)
    return (dt.date(first_date.year, 1, 1) - _EPOCH).days


def _tabulate(
    core: Any,
    sp: _SpellColumns,
    codes: npt.NDArray[np.uint32],
    keys: pl.DataFrame,
    period: str,
    start: int,
    end: int,
    entry: str,
    exit: str,
) -> dict[str, Any]:
    """`core` (the core's person-time table or its counts) of the spells."""
    try:
        table: dict[str, Any] = core(
            sp.entry,
            sp.exit,
            sp.known,
            sp.reason,
            len(sp.labels),
            codes,
            max(keys.height, 1),
            period=period,
            start=start,
            end=end,
        )
    except InputError as err:
        # The core names its arguments; the user named the columns.
        message = str(err)
        for arg, column in (("entry", entry), ("exit", exit)):
            message = message.replace(f"column '{arg}'", f"column {column!r}", 1)
        raise InputError(message) from None
    return table


def _person_time_table(
    headcount_start: npt.NDArray[np.float64],
    headcount_end: npt.NDArray[np.float64],
    t: Mapping[str, Any],
    by_reason: list[tuple[str, Any]],
    py: npt.NDArray[np.float64],
    by_cols: list[str],
    keys: pl.DataFrame | None,
    level: float,
) -> pl.DataFrame:
    """The person-time table from its counts (`t`: period_start, period_end, entrants,
    exits), exits by reason, person-years and the keys of each row."""
    out = pl.DataFrame(
        {
            "period_start": pl.Series(t["period_start"]).cast(pl.Int32).cast(pl.Date),
            "period_end": pl.Series(t["period_end"]).cast(pl.Int32).cast(pl.Date),
            "headcount_start": headcount_start,
            "headcount_end": headcount_end,
            "entrants": np.asarray(t["entrants"], dtype=np.float64),
            "exits": np.asarray(t["exits"], dtype=np.float64),
        }
    )
    for lab, col in by_reason:
        out = out.with_columns(pl.Series(f"exits_{lab}", np.asarray(col, dtype=np.float64)))
    out = out.with_columns(person_years=pl.Series(py))
    ok = py > 0
    rate_ = np.full(py.size, np.nan)
    lo = np.full(py.size, np.nan)
    hi = np.full(py.size, np.nan)
    if ok.any():
        exits = np.ascontiguousarray(out["exits"].to_numpy()[ok])
        r_, l_, h_ = _core.poisson_rate(
            exits, np.ascontiguousarray(py[ok]), per=100.0, level=float(level)
        )
        rate_[ok], lo[ok], hi[ok] = r_, l_, h_
    mean_hc = (out["headcount_start"] + out["headcount_end"]) / 2
    out = out.with_columns(
        exit_rate=pl.Series(rate_).fill_nan(None),
        lower=pl.Series(lo).fill_nan(None),
        upper=pl.Series(hi).fill_nan(None),
        turnover=pl.when(mean_hc > 0).then(out["exits"] / mean_hc).otherwise(None),
    )
    if by_cols and keys is not None:
        out = pl.concat([keys, out], how="horizontal")
    return out
