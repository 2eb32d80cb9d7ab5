"""Exit rates with Poisson intervals, annualised proportions, and person-time from a
register (:func:`person_time`; its spells are read in ``_spells`` and a register read in
parts is counted in ``_person_time_parts``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import polars as pl

from hrh import _core
from hrh import _scale as scale
from hrh._density._poisson import poisson_ci
from hrh._frames import (
    as_list,
    broadcast,
    check_level,
    group_codes,
    require_columns,
    rows_of,
)
from hrh.attrition._person_time_parts import _person_time_in_parts
from hrh.attrition._spells import (
    _person_time_table,
    _spells,
    _tabulate,
    _to_day,
    _year_start,
)
from hrh.exceptions import InputError

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
    return poisson_ci(events, exposure, per=per, level=level, alternative=alternative)


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
        rows_of(keys, t["group"]) if by_cols else None,
        level,
    )
