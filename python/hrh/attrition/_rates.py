"""Exit rates with Poisson intervals, annualised proportions and person-time from a register."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt
import polars as pl

from hrh import _core
from hrh import _scale as scale
from hrh._frames import (
    as_list,
    broadcast,
    check_key_type,
    check_level,
    check_no_nulls,
    check_positive,
    group_codes,
    require_columns,
    value_codes,
)
from hrh.density import check_alternative
from hrh.exceptions import InputError

if TYPE_CHECKING:  # pragma: no cover
    pass

_EPOCH = dt.date(1970, 1, 1)


# --- rates ------------------------------------------------------------------------------


def rate(
    events: Any,
    exposure: Any = 1.0,
    *,
    per: float = 1.0,
    level: float = 0.95,
    alternative: Literal["two-sided", "less", "greater"] = "two-sided",
) -> pl.DataFrame:
    """Exit rates per `per` person-years with exact (Garwood) Poisson intervals,
    vectorised.

    The same function as :func:`hrh.poisson_ci` (same arguments, defaults and columns).

    Parameters
    ----------
    events
        Exits (counts >= 0; array-like or scalar); a null or NaN is an InputError.
    exposure
        Person-years at risk (> 0; array-like or scalar, broadcast against `events`);
        1 by default.
    per
        Multiplier of the rate: 1 (default) gives exits per person-year, 100 exits
        per 100 person-years.
    level
        Confidence level of the interval, in (0, 1).
    alternative
        ``"two-sided"`` (default); ``"less"``: the one-sided interval [0, upper] (an
        upper bound on the rate at `level`); ``"greater"``: [lower, ∞) (a lower bound;
        `upper` is infinite). As R's ``poisson.test(x, T, alternative=...)``.

    Returns
    -------
    polars.DataFrame
        ``events``, ``exposure``, ``rate`` = events / exposure × per, ``lower``,
        ``upper``.

    Raises
    ------
    InputError
        Negative, null or NaN events; an exposure that is not > 0; inputs of different
        lengths; `level` outside (0, 1); ``per <= 0``; an `alternative` not in the list.

    References
    ----------
    Garwood F (1936). Fiducial limits for the Poisson distribution. Biometrika
    28:437-442.

    Examples
    --------
    >>> import hrh
    >>> hrh.rate([11], [3 * 120], per=100).select("rate").item()  # 11 exits in 360 PY
    3.055555555555556
    """
    check_level(level)
    check_positive(per, "per")
    alt = check_alternative(alternative)
    e, x = broadcast(events=events, exposure=exposure)
    r, lo, hi = _core.poisson_rate(
        e,
        x,
        per=float(per),
        level=float(level),
        count_name="events",
        exposure_name="exposure",
        alternative=alt,
    )
    return pl.DataFrame({"events": e, "exposure": x, "rate": r, "lower": lo, "upper": hi})


def annualize(proportion: Any, years: Any) -> npt.NDArray[np.float64]:
    """The yearly probability that compounds to `proportion` over `years`:
    1 − (1 − p)^(1/years), vectorised.

    Parameters
    ----------
    proportion
        Share that left over the whole span, in [0, 1] (array-like or scalar).
    years
        Length of the span in years, > 0 (array-like or scalar, broadcast).

    Returns
    -------
    numpy.ndarray
        The constant annual probability of leaving.

    Raises
    ------
    InputError
        A proportion outside [0, 1], null or NaN; years that are not > 0; inputs of
        different lengths.

    References
    ----------
    Fleurence RL, Hollenbeak CS (2007). Rates and probabilities in economic modelling:
    transformation, translation and appropriate application. PharmacoEconomics
    25:3-6.

    Examples
    --------
    >>> import hrh
    >>> float(hrh.annualize(0.271, 3)[0])  # 27.1 % left over three years
    0.0999...
    """
    p, y = broadcast(proportion=proportion, years=years)
    return _core.annualize(p, y)


# --- person-time ------------------------------------------------------------------------


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


def person_time(
    register: Any,
    *,
    entry: str,
    exit: str,
    reason: str | None = None,
    by: str | Sequence[str] | None = None,
    period: Literal["year", "quarter", "month"] = "year",
    start: dt.date | str | None = None,
    end: dt.date | str | None = None,
    level: float = 0.95,
) -> pl.DataFrame:
    """Headcounts, entrants, exits, person-years and exit rates per calendar period.

    Parameters
    ----------
    register
        One row per employment spell: any table hrh reads, or a polars ``LazyFrame``, a
        Parquet path (file, directory or glob) or a Dask DataFrame, read in batches or
        partitions of only the columns needed, with the same result.
    entry, exit
        Date columns: the first day in post, and the day the person left (null while
        still in post).
    reason
        Exit-reason column: adds one ``exits_<reason>`` column per reason.
    by
        Grouping columns (cadre, district, ...).
    period
        ``"year"``, ``"quarter"`` or ``"month"`` (calendar periods).
    start, end
        Observation window [start, end): default from the earliest entry to the day
        after the latest date in the register. People hired before `start` enter
        through ``headcount_start`` (left truncation); exits on or after `end` are not
        yet known (right censoring).
    level
        Confidence level of the exit-rate intervals, in (0, 1).

    Returns
    -------
    polars.DataFrame
        The `by` columns, ``period_start``, ``period_end`` (exclusive), ``headcount_start``,
        ``headcount_end``, ``entrants``, ``exits``, ``exits_<reason>``...,
        ``person_years`` (days in post / 365.25), ``exit_rate`` per 100 person-years
        with ``lower``/``upper`` (its exact Poisson interval), and ``turnover``
        = exits / mean(headcount_start, headcount_end). In every period
        headcount_start + entrants − exits = headcount_end.

    Raises
    ------
    InputError
        A column that `register` lacks; an entry that is null or not a date (Date or
        Datetime); an exit before its entry; `period` not one of its values; a window
        with `end` not after `start`; `level` outside (0, 1); a register without rows.

    References
    ----------
    Preston SH, Heuveline P, Guillot M (2001). Demography: Measuring and Modeling
    Population Processes. Oxford: Blackwell, ch. 1 (person-years lived and
    occurrence-exposure rates).
    Garwood F (1936). Fiducial limits for the Poisson distribution. Biometrika
    28:437-442.

    Examples
    --------
    >>> import hrh
    >>> reg = hrh.datasets.synthetic_register()
    >>> pt = hrh.attrition.person_time(reg, entry="hire_date", exit="exit_date",
    ...                                start="2015-01-01", end="2025-01-01")
    >>> pt.select("period_start", "headcount_start", "exits", "headcount_end").tail(2)
    shape: (2, 4)
    ┌──────────────┬─────────────────┬───────┬───────────────┐
    │ period_start ┆ headcount_start ┆ exits ┆ headcount_end │
    │ ---          ┆ ---             ┆ ---   ┆ ---           │
    │ date         ┆ f64             ┆ f64   ┆ f64           │
    ╞══════════════╪═════════════════╪═══════╪═══════════════╡
    │ 2023-01-01   ┆ ...             ┆ ...   ┆ ...           │
    │ 2024-01-01   ┆ ...             ┆ ...   ┆ 3087.0        │
    └──────────────┴─────────────────┴───────┴───────────────┘
    """
    check_level(level)
    if period not in ("year", "quarter", "month"):
        raise InputError(f"argument 'period': {period!r} is not 'year', 'quarter' or 'month'")
    src = scale.source(register, name="register")
    df = src.empty()
    by_cols = as_list(by)
    require_columns(df, [entry], role="entry", table="register")
    require_columns(df, [exit], role="exit", table="register")
    if reason:
        require_columns(df, [reason], role="reason", table="register")
    require_columns(df, by_cols, role="by", table="register")
    s = _to_day(start, "start")
    en = _to_day(end, "end")
    if src.frame is None:
        return _person_time_in_parts(src, entry, exit, reason, by_cols, period, s, en, level)
    if df.height == 0:
        raise InputError("register has no rows")
    sp = _spells(df, entry, exit, reason, by_cols)
    first = int(sp.entry.min())
    if s is None:
        s = _year_start(first)
    if en is None:
        x_last = sp.exit_day.max()  # None without any exit
        en = max(int(sp.entry.max()), x_last if isinstance(x_last, int) else first) + 1
    codes, keys = group_codes(df, by_cols)
    t = _tabulate(_core.person_time, sp, codes, keys, period, s, en, entry, exit)
    hc = np.asarray(t["headcount_start"])
    return _person_time_table(
        hc,
        np.asarray(t["headcount_end"]),
        t,
        list(zip(sp.labels, t["exits_by_reason"], strict=True)),
        np.asarray(t["person_years"]),
        by_cols,
        keys[np.asarray(t["group"]).tolist()] if by_cols else None,
        level,
    )


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


# --- person-time of a register read in parts (LazyFrame, Parquet, Dask) ---------------

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
            part = pl.concat([keys[np.asarray(t["group"]).tolist()], part], how="horizontal")
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
