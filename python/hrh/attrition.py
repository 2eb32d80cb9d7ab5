"""Attrition and retention: exit rates and person-time from an HR register, survival
(retention) curves, cumulative hazards, k-sample tests, competing exit reasons, Cox
models of who leaves, and actuarial life tables.

Statistical conventions follow R's ``survival`` package: Kaplan-Meier intervals use
``conf_type="log"`` by default, ``std_err`` columns are on the scale of the estimate
they sit next to, exits come before censorings at tied times, and categorical
covariates use treatment contrasts against the first level in sorted order.

Each row of the data is one person (or one employment spell): a ``duration`` (time in
post, in any unit), an ``event`` (1 or True: left; 0 or False: still in post, i.e.
censored) and, for delayed entry, the ``entry`` time at which the person came under
observation (at risk on (entry, duration]).
"""

from __future__ import annotations

import datetime as dt
import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt
import polars as pl

from hrh import _core
from hrh._frames import (
    as_list,
    broadcast,
    check_key_type,
    check_level,
    check_no_nulls,
    check_numeric,
    check_positive,
    column_array,
    float_array,
    group_codes,
    require_columns,
    to_frame,
    value_codes,
)
from hrh.exceptions import InputError

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = [
    "CoxResult",
    "CumulativeHazard",
    "CumulativeIncidence",
    "KaplanMeier",
    "LogRankResult",
    "annualize",
    "cox",
    "cumulative_incidence",
    "kaplan_meier",
    "life_table",
    "logrank",
    "nelson_aalen",
    "person_time",
    "rate",
]

_EPOCH = dt.date(1970, 1, 1)


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
    table, _ = _event_table(event_values)
    names: dict[int, list[str]] = {}
    for label, code in table.items():
        if code > 0:
            names.setdefault(code, []).append(str(label))
    order = sorted(names)
    labels = [" / ".join(names[c]) for c in order]
    lut = np.array([None, *labels], dtype=object)
    position = np.zeros(max(order, default=0) + 1, dtype=np.int64)
    position[order] = np.arange(1, len(order) + 1)
    named = pl.Series(cause, lut[position[codes]].tolist(), dtype=pl.String)
    return df.with_columns(named), labels


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
            codes, keys = group_codes(df, by_cols)
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
    table: dict[str, Any], by: list[str], keys: pl.DataFrame, drop: Sequence[str] = ("group",)
) -> pl.DataFrame:
    """A core result dict (with a ``group`` code column) as a frame led by the `by` keys."""
    group = np.asarray(table["group"])
    out = pl.DataFrame({k: v for k, v in table.items() if k not in drop and np.ndim(v) == 1})
    if by:
        out = pl.concat([keys[group.tolist()], out], how="horizontal")
    return out


def _nan_to_null(df: pl.DataFrame, columns: Sequence[str]) -> pl.DataFrame:
    return df.with_columns(pl.col(c).fill_nan(None) for c in columns if c in df.columns)


# --- rates ------------------------------------------------------------------------------


def rate(events: Any, exposure: Any, *, per: float = 100, level: float = 0.95) -> pl.DataFrame:
    """Exit rates per `per` person-years with exact (Garwood) Poisson intervals,
    vectorised.

    Parameters
    ----------
    events
        Exits (counts >= 0; array-like or scalar); a null or NaN is an InputError.
    exposure
        Person-years at risk (> 0; array-like or scalar, broadcast against `events`).
    per
        Multiplier of the rate: 100 (default) gives exits per 100 person-years.
    level
        Confidence level of the interval, in (0, 1).

    Returns
    -------
    polars.DataFrame
        ``events``, ``exposure``, ``rate`` = events / exposure × per, ``lower``,
        ``upper``.

    Raises
    ------
    InputError
        Negative, null or NaN events; an exposure that is not > 0; inputs of different
        lengths; `level` outside (0, 1); ``per <= 0``.

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
    e, x = broadcast(events=events, exposure=exposure)
    r, lo, hi = _core.poisson_rate(
        e, x, per=float(per), level=float(level), count_name="events", exposure_name="exposure"
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
            raise InputError(f"column '{name}': {value!r} is not an ISO date (YYYY-MM-DD)") from e
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        raise InputError(f"column '{name}': {value!r} is not a date")
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
        One row per employment spell.
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
        with ``exit_rate_lower``/``exit_rate_upper`` (exact Poisson), and ``turnover``
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
    df = to_frame(register, name="register")
    by_cols = as_list(by)
    require_columns(df, [entry], role="entry", table="register")
    require_columns(df, [exit], role="exit", table="register")
    if reason:
        require_columns(df, [reason], role="reason", table="register")
    require_columns(df, by_cols, role="by", table="register")
    if df.height == 0:
        raise InputError("register has no rows")
    check_no_nulls(df, entry, table="register")
    for c in by_cols:
        check_no_nulls(df, c, table="register")
    e_days = _int32(_days(df.get_column(entry), entry))
    x = _days(df.get_column(exit), exit)
    known = x.is_not_null()
    x_days = _int32(x)
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
        # Codes 1.. by the sorted text of the reasons, 0 where there is none.
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
    first = int(e_days.min())
    s = _to_day(start, "start")
    if s is None:
        first_date = _EPOCH + dt.timedelta(days=first)
        s = (dt.date(first_date.year, 1, 1) - _EPOCH).days
    en = _to_day(end, "end")
    if en is None:
        x_last = x.max()  # None without any exit
        last = max(int(e_days.max()), x_last if isinstance(x_last, int) else first)
        en = last + 1
    codes, keys = group_codes(df, by_cols)
    try:
        t = _core.person_time(
            e_days,
            x_days,
            known.to_numpy(),
            rcodes,
            len(labels),
            codes,
            max(keys.height, 1),
            period=period,
            start=s,
            end=en,
        )
    except InputError as err:
        # The core names its arguments; the user named the columns.
        message = str(err)
        for arg, column in (("entry", entry), ("exit", exit)):
            message = message.replace(f"column '{arg}'", f"column {column!r}", 1)
        raise InputError(message) from None
    out = pl.DataFrame(
        {
            "period_start": pl.Series(t["period_start"]).cast(pl.Date),
            "period_end": pl.Series(t["period_end"]).cast(pl.Date),
            "headcount_start": t["headcount_start"],
            "headcount_end": t["headcount_end"],
            "entrants": t["entrants"],
            "exits": t["exits"],
        }
    )
    for lab, col in zip(labels, t["exits_by_reason"], strict=True):
        out = out.with_columns(pl.Series(f"exits_{lab}", col))
    py = np.asarray(t["person_years"])
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
        exit_rate_lower=pl.Series(lo).fill_nan(None),
        exit_rate_upper=pl.Series(hi).fill_nan(None),
        turnover=pl.when(mean_hc > 0).then(out["exits"] / mean_hc).otherwise(None),
    )
    if by_cols:
        out = pl.concat([keys[np.asarray(t["group"]).tolist()], out], how="horizontal")
    return out


# --- Kaplan-Meier -----------------------------------------------------------------------


def _groups_of(table: pl.DataFrame, by: list[str]) -> list[tuple[dict[str, Any], pl.DataFrame]]:
    if not by:
        return [({}, table)]
    out = []
    for key, part in table.group_by(by, maintain_order=True):
        out.append((dict(zip(by, key, strict=True)), part))
    return out


@dataclass(frozen=True)
class KaplanMeier:
    """Kaplan-Meier retention curves.

    Attributes
    ----------
    table : polars.DataFrame
        The `by` columns, ``time``, ``at_risk``, ``events``, ``censored``,
        ``survival``, ``std_err`` (of the survival), ``lower``, ``upper`` (null where
        undefined, e.g. at survival 0).
    summary : polars.DataFrame
        Medians, not curves: one row per curve with the `by` columns, ``n``,
        ``events``, ``median`` (median time in post) and its interval ``lower``,
        ``upper`` (see :meth:`median`); what the notebook display shows.
    by : list of str
        The grouping columns (one curve per group).
    conf_type : str
        Scale of the intervals (``"log"``, ``"log-log"`` or ``"plain"``).
    level : float
        Confidence level of the intervals.

    References
    ----------
    Kaplan EL, Meier P (1958). Nonparametric estimation from incomplete observations.
    JASA 53:457-481.
    Therneau TM (2024). survival: A Package for Survival Analysis in R. R package
    (``survfit``, whose conventions the table follows).

    Examples
    --------
    >>> import hrh
    >>> km = hrh.kaplan_meier({"years": [1, 2, 3, 3, 4, 5], "left": [1, 0, 1, 1, 0, 1]},
    ...                       duration="years", event="left")
    >>> km.at([2.5])["survival"].round(4).to_list()
    [0.8333]
    >>> km.rmst(5)["rmst"].round(4).to_list()
    [3.5]
    """

    table: pl.DataFrame
    by: list[str]
    conf_type: str
    level: float

    def _curves(self) -> list[tuple[dict[str, Any], pl.DataFrame]]:
        return _groups_of(self.table, self.by)

    @staticmethod
    def _arr(part: pl.DataFrame, c: str) -> npt.NDArray[np.float64]:
        return np.ascontiguousarray(part[c].fill_null(np.nan).to_numpy(), dtype=np.float64)

    def quantile(self, p: float = 0.5) -> pl.DataFrame:
        """Time by which a share ``1 − p`` has left (the survival curve reaches `p`),
        with its confidence interval from the pointwise limits, as R's
        ``quantile.survfit``; null when not reached.

        Parameters
        ----------
        p
            Survival level in (0, 1); 0.5 (default) gives the median.

        Returns
        -------
        polars.DataFrame
            The `by` columns, ``quantile``, ``time``, ``lower``, ``upper``.
        """
        rows = []
        for key, part in self._curves():
            est, lo, hi = _core.km_quantile(
                self._arr(part, "time"),
                self._arr(part, "at_risk"),
                self._arr(part, "events"),
                self._arr(part, "survival"),
                self._arr(part, "lower"),
                self._arr(part, "upper"),
                float(p),
            )
            rows.append({**key, "quantile": p, "time": est, "lower": lo, "upper": hi})
        return pl.DataFrame(
            rows, schema_overrides={"time": pl.Float64, "lower": pl.Float64, "upper": pl.Float64}
        )

    def median(self) -> pl.DataFrame:
        """Median retention time with its interval (see :meth:`quantile`)."""
        return self.quantile(0.5).drop("quantile")

    @property
    def summary(self) -> pl.DataFrame:
        """One row per curve, as R's ``print.survfit``: the `by` columns, ``n`` (people,
        or their total weight), ``events`` (exits), ``median`` (median time in post: the
        first time the curve is at or below 0.5; null when it never gets there) and
        ``lower`` / ``upper``, the confidence interval of the median at `level`."""
        counts = [
            {
                **key,
                "n": float(part["events"].sum()) + float(part["censored"].sum()),
                "events": float(part["events"].sum()),
            }
            for key, part in self._curves()
        ]
        med = self.median().rename({"time": "median"})
        return pl.concat(
            [pl.DataFrame(counts), med.select("median", "lower", "upper")], how="horizontal"
        )

    def rmst(self, tau: float) -> pl.DataFrame:
        """Restricted mean survival time up to `tau` — the expected years retained out
        of the first `tau` — with its standard error (R's ``rmean``).

        Parameters
        ----------
        tau
            Truncation time (> 0), in the unit of the durations.

        Returns
        -------
        polars.DataFrame
            The `by` columns, ``tau``, ``rmst`` and ``std_err``.

        References
        ----------
        Royston P, Parmar MKB (2013). Restricted mean survival time. BMC Med Res
        Methodol 13:152.
        """
        rows = []
        for key, part in self._curves():
            mean, se = _core.km_rmst(
                self._arr(part, "time"),
                self._arr(part, "at_risk"),
                self._arr(part, "events"),
                self._arr(part, "survival"),
                float(tau),
            )
            rows.append({**key, "tau": float(tau), "rmst": mean, "std_err": se})
        return pl.DataFrame(rows)

    def at(self, times: Any) -> pl.DataFrame:
        """Survival, its standard error and limits at the given times (step function;
        survival 1 and standard error 0 before the first time).

        Parameters
        ----------
        times
            Times (array-like of numbers; a null or non-number is an InputError).

        Returns
        -------
        polars.DataFrame
            The `by` columns, ``time``, ``survival``, ``std_err``, ``lower``, ``upper``.
        """
        t = float_array(times, "times")
        frames = []
        for key, part in self._curves():
            r = _core.km_at(
                self._arr(part, "time"),
                self._arr(part, "survival"),
                self._arr(part, "std_err"),
                self._arr(part, "lower"),
                self._arr(part, "upper"),
                t,
            )
            f = pl.DataFrame({"time": t, **r})
            frames.append(
                f.with_columns(
                    pl.lit(v, dtype=self.table.schema[k]).alias(k) for k, v in key.items()
                )
            )
        out = pl.concat(frames)
        out = out.select([*self.by, "time", "survival", "std_err", "lower", "upper"])
        return _nan_to_null(out, ["std_err", "lower", "upper"])

    def to_polars(self) -> pl.DataFrame:
        """The curve table."""
        return self.table

    def plot(self, ax: Axes | None = None, *, ci: bool = True) -> Axes:
        """Step plot of the curves with their confidence bands.

        Parameters
        ----------
        ax
            Matplotlib Axes to draw on; None: a new figure.
        ci
            Draw the confidence bands (default True).

        Returns
        -------
        matplotlib.axes.Axes
            Needs matplotlib (``pip install 'hrh[plot]'``).
        """
        from hrh.plot import survival

        return survival(self, ax=ax, ci=ci)

    def _repr_html_(self) -> str:
        return (
            f"<b>Kaplan-Meier retention</b>: median time in post per curve, with its "
            f"{self.level:.0%} confidence interval ({self.conf_type}); the curves are in "
            "<code>.table</code>" + self.summary._repr_html_()
        )


def kaplan_meier(
    data: Any,
    *,
    duration: str,
    event: str,
    entry: str | None = None,
    by: str | Sequence[str] | None = None,
    weights: str | None = None,
    conf_type: Literal["log", "log-log", "plain"] = "log",
    level: float = 0.95,
    event_values: EventValues | None = None,
) -> KaplanMeier:
    """Kaplan-Meier estimate of retention (the probability of still being in post).

    S(t) = Π_{t_j <= t} (1 − d_j / n_j) with Greenwood's variance
    σ²(t) = Σ d_j / (n_j (n_j − d_j)); exits are counted before censorings at tied
    times; with `entry` the risk set at t is {entry < t <= duration} (delayed entry,
    counting-process data). Confidence limits as R's ``survfit``: ``"log"`` (R's
    default) S·exp(±zσ); ``"log-log"`` (lifelines' default); ``"plain"`` S ± zSσ.
    Data in which nobody has left give a curve of ones (a result, not an error).

    Parameters
    ----------
    data
        One row per person (or spell): any table hrh reads (polars, pandas, pyarrow, a
        dict of columns). Not modified.
    duration
        Column of times in post at exit or censoring (e.g. years, fractional allowed),
        numeric, >= 0; a null or NaN is an InputError.
    event
        Column of exit indicators: 1 or True = left, 0 or False = still in post
        (censored); any other value, or a null, is an InputError.
    entry
        Column of times at which each person entered observation (delayed entry,
        left truncation), same unit as `duration` and below it; None: everyone is
        observed from time 0.
    by
        Column(s) whose groups get one curve each (kept in the result); None: one curve.
    weights
        Column of case weights (> 0); None: every row counts once.
    conf_type
        Scale of the pointwise interval: ``"log"`` (default, as R), ``"log-log"``
        or ``"plain"``.
    level
        Confidence level of the interval, in (0, 1).
    event_values
        How to read an `event` column of labels: a mapping label -> code, 0 for still
        in post (censored) and a positive integer for an exit, e.g.
        ``{"resigned": 1, "retired": 2, "in post": 0}`` (every positive code counts
        as an exit here; :func:`cumulative_incidence` keeps the causes apart), with a
        ``None`` key for nulls; or a list of the labels that are exits, a null then
        meaning still in post. A value it does not map is an InputError naming the
        column, row and value. None (default): `event` holds 0/1 codes.

    Returns
    -------
    KaplanMeier
        ``.table`` (one row per group and distinct time: ``at_risk``, ``events``,
        ``censored``, ``survival``, ``std_err``, ``lower``, ``upper``), with
        ``.median()``, ``.quantile()``, ``.rmst()``, ``.at()`` and ``.plot()``.

    Raises
    ------
    InputError
        A column that `data` lacks; a null, NaN, negative or non-numeric duration; an
        event that is not 0/1 (or boolean); an entry not below its duration; a weight
        that is not > 0; `data` without rows; `conf_type` not one of its values or
        `level` outside (0, 1). The message names the column, row and value.

    References
    ----------
    Kaplan EL, Meier P (1958). Nonparametric estimation from incomplete observations.
    JASA 53:457-481.
    Greenwood M (1926). The natural duration of cancer. Reports on Public Health and
    Medical Subjects 33. London: HMSO.

    Examples
    --------
    >>> import hrh
    >>> d = {"years": [1, 2, 3, 3, 4, 5], "left": [1, 0, 1, 1, 0, 1]}
    >>> km = hrh.kaplan_meier(d, duration="years", event="left")
    >>> km.table.select("time", "at_risk", "events", "survival")
    shape: (5, 4)
    ┌──────┬─────────┬────────┬──────────┐
    │ time ┆ at_risk ┆ events ┆ survival │
    │ ---  ┆ ---     ┆ ---    ┆ ---      │
    │ f64  ┆ f64     ┆ f64    ┆ f64      │
    ╞══════╪═════════╪════════╪══════════╡
    │ 1.0  ┆ 6.0     ┆ 1.0    ┆ 0.833333 │
    │ 2.0  ┆ 5.0     ┆ 0.0    ┆ 0.833333 │
    │ 3.0  ┆ 4.0     ┆ 2.0    ┆ 0.416667 │
    │ 4.0  ┆ 2.0     ┆ 0.0    ┆ 0.416667 │
    │ 5.0  ┆ 1.0     ┆ 1.0    ┆ 0.0      │
    └──────┴─────────┴────────┴──────────┘
    >>> km.median()["time"].item()
    3.0
    """
    data = _with_events(data, event, event_values)
    check_level(level)
    conf, lev = str(conf_type), float(level)
    r, by_cols, keys = _curves(
        data,
        duration=duration,
        event=event,
        entry=entry,
        weights=weights,
        by=by,
        unweighted=lambda t, e, g, n: _core.kaplan_meier_unweighted(
            t, e, g, n, names=(duration, event), conf_type=conf, level=lev
        ),
        general=lambda s: _core.kaplan_meier(
            s.time,
            s.event,
            s.entry,
            s.weights,
            s.codes,
            max(s.keys.height, 1),
            conf_type=conf,
            level=lev,
        ),
    )
    table = _nan_to_null(_with_keys(r, by_cols, keys), ["std_err", "lower", "upper"])
    return KaplanMeier(table=table, by=by_cols, conf_type=conf, level=lev)


# --- Nelson-Aalen -----------------------------------------------------------------------


@dataclass(frozen=True)
class CumulativeHazard:
    """Cumulative hazard curves (Nelson-Aalen), from :func:`hrh.nelson_aalen`.

    Attributes
    ----------
    table : polars.DataFrame
        The `by` columns, ``time``, ``at_risk``, ``events``, ``cumulative_hazard`` and
        ``std_err``.
    by : list of str
        The grouping columns (one curve per group).
    ties : str
        ``"nelson-aalen"`` or ``"fleming-harrington"``.

    References
    ----------
    Nelson W (1972). Theory and applications of hazard plotting for censored failure
    data. Technometrics 14:945-966.
    Aalen O (1978). Nonparametric inference for a family of counting processes. Ann
    Stat 6:701-726.

    Examples
    --------
    >>> import hrh
    >>> h = hrh.nelson_aalen({"t": [1, 2, 3], "e": [1, 0, 1]}, duration="t", event="e")
    >>> h.table["cumulative_hazard"].round(4).to_list()
    [0.3333, 0.3333, 1.3333]
    """

    table: pl.DataFrame
    by: list[str]
    ties: str

    def to_polars(self) -> pl.DataFrame:
        """The curve table."""
        return self.table

    def _repr_html_(self) -> str:
        return f"<b>Cumulative hazard</b> ({self.ties})" + self.table._repr_html_()


def nelson_aalen(
    data: Any,
    *,
    duration: str,
    event: str,
    entry: str | None = None,
    by: str | Sequence[str] | None = None,
    weights: str | None = None,
    ties: Literal["nelson-aalen", "fleming-harrington"] = "nelson-aalen",
    event_values: EventValues | None = None,
) -> CumulativeHazard:
    """Cumulative hazard of leaving.

    ``ties="nelson-aalen"``: increments d/n, variance Σ d/n² (R ``ctype = 1``);
    ``"fleming-harrington"``: tied exits leave one at a time, Σ_{j<m} w̄/(n − j w̄)
    (R ``ctype = 2``).

    Parameters
    ----------
    data
        One row per person (or spell): any table hrh reads. Not modified.
    duration
        Column of times in post at exit or censoring, numeric, >= 0; a null or NaN is an
        InputError.
    event
        Column of exit indicators: 1 or True = left, 0 or False = censored; any other
        value, or a null, is an InputError.
    entry
        Column of entry times (delayed entry), below `duration`; None: from time 0.
    by
        Column(s) whose groups get one curve each; None: one curve.
    weights
        Column of case weights (> 0); None: every row counts once.
    ties
        ``"nelson-aalen"`` (default) or ``"fleming-harrington"``, as above.
    event_values
        How to read an `event` column of labels, as in :func:`kaplan_meier`: a mapping
        label -> code (0: still in post; a positive code: an exit) or a list of the
        labels that are exits. None (default): `event` holds 0/1 codes.

    Returns
    -------
    CumulativeHazard
        ``.table``: the `by` columns, ``time``, ``at_risk``, ``events``,
        ``cumulative_hazard`` and ``std_err``.

    Raises
    ------
    InputError
        A column that `data` lacks; a null, NaN, negative or non-numeric duration; an
        event that is not 0/1; an entry not below its duration; a weight that is not
        > 0; `data` without rows; `ties` not one of its values.

    References
    ----------
    Nelson W (1972). Theory and applications of hazard plotting for censored failure
    data. Technometrics 14:945-966.
    Aalen O (1978). Nonparametric inference for a family of counting processes. Ann
    Stat 6:701-726.
    Fleming TR, Harrington DP (1984). Nonparametric estimation of the survival
    distribution in censored data. Commun Stat Theory Methods 13:2469-2486.

    Examples
    --------
    >>> import hrh
    >>> d = {"t": [1, 2, 3, 3, 3], "e": [1, 0, 1, 1, 0]}
    >>> hrh.nelson_aalen(d, duration="t", event="e").table["cumulative_hazard"].to_list()
    [0.2, 0.2, 0.8666666666666667]
    """
    data = _with_events(data, event, event_values)
    r, by_cols, keys = _curves(
        data,
        duration=duration,
        event=event,
        entry=entry,
        weights=weights,
        by=by,
        unweighted=lambda t, e, g, n: _core.nelson_aalen_unweighted(
            t, e, g, n, names=(duration, event), ties=str(ties)
        ),
        general=lambda s: _core.nelson_aalen(
            s.time, s.event, s.entry, s.weights, s.codes, max(s.keys.height, 1), ties=str(ties)
        ),
    )
    return CumulativeHazard(table=_with_keys(r, by_cols, keys), by=by_cols, ties=str(ties))


# --- log-rank ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LogRankResult:
    """A k-sample test of equal exit hazards, from :func:`hrh.logrank`.

    Attributes
    ----------
    statistic : float
        The chi-squared statistic.
    df : int
        Degrees of freedom (groups − 1).
    p_value : float
        Upper tail probability of the statistic.
    rho : float
        The weight exponent used (0 log-rank, 1 Peto-Peto).
    table : polars.DataFrame
        Per group: the group column(s), ``n``, ``observed`` and ``expected`` exits and
        ``oe2_over_e`` = (O − E)² / E.
    variance : numpy.ndarray
        Variance matrix of O − E.

    References
    ----------
    Mantel N (1966). Evaluation of survival data and two new rank order statistics
    arising in its consideration. Cancer Chemotherapy Reports 50:163-170.
    Harrington DP, Fleming TR (1982). A class of rank test procedures for censored
    survival data. Biometrika 69:553-566.

    Examples
    --------
    >>> import hrh
    >>> d = {"t": [1, 3, 2, 4], "e": [1, 1, 1, 0], "g": ["a", "a", "b", "b"]}
    >>> r = hrh.logrank(d, duration="t", event="e", group="g")
    >>> r.table["observed"].to_list(), round(r.p_value, 4)
    ([2.0, 1.0], 0.4328)
    """

    statistic: float
    df: int
    p_value: float
    rho: float
    table: pl.DataFrame
    variance: npt.NDArray[np.float64] = field(repr=False)

    def to_polars(self) -> pl.DataFrame:
        """The per-group table."""
        return self.table

    def _repr_html_(self) -> str:
        name = "Log-rank" if self.rho == 0 else f"G-rho (rho = {self.rho})"
        return (
            f"<b>{name} test</b>: chi² = {self.statistic:.4g} on {self.df} df, "
            f"p = {self.p_value:.4g}" + self.table._repr_html_()
        )


def logrank(
    data: Any,
    *,
    duration: str,
    event: str,
    group: str | Sequence[str],
    strata: str | Sequence[str] | None = None,
    rho: float = 0,
    event_values: EventValues | None = None,
) -> LogRankResult:
    """Test that groups have the same exit hazard (the G-rho family of R's
    ``survdiff``).

    Each exit time is weighted by S(t−)^rho, S the pooled Kaplan-Meier within the
    stratum: ``rho=0`` is the log-rank test, ``rho=1`` the Peto-Peto modification of
    the Gehan-Wilcoxon test. Observed and expected are weighted likewise.

    Parameters
    ----------
    data
        One row per person (or spell): any table hrh reads (polars, pandas, pyarrow, a
        dict of columns). Not modified.
    duration
        Column of times in post at exit or censoring (e.g. years, fractional allowed),
        numeric, >= 0; a null or NaN is an InputError.
    event
        Column of exit indicators: 1 or True = left, 0 or False = still in post
        (censored); any other value, or a null, is an InputError.
    group
        Column(s) defining the groups compared (at least two groups).
    strata
        Column(s) of strata: the test is computed within each stratum and summed
        (R's ``strata()`` term); None: no strata.
    rho
        Exponent of the weight S(t−)^rho: 0 (default) the log-rank test, 1 Peto-Peto.
    event_values
        How to read an `event` column of labels, as in :func:`kaplan_meier`: a mapping
        label -> code (0: still in post; a positive code: an exit) or a list of the
        labels that are exits. None (default): `event` holds 0/1 codes.

    Returns
    -------
    LogRankResult
        ``.statistic`` (chi-squared), ``.df`` (groups − 1), ``.p_value`` and
        ``.table`` with each group's ``n``, ``observed``, ``expected`` exits.

    Raises
    ------
    InputError
        A column that `data` lacks; bad durations or event codes (as in
        :func:`kaplan_meier`); a single group, or at most one group with expected
        exits or a variance of zero (nothing to compare); more than 1,000 groups;
        `data` without rows.

    References
    ----------
    Peto R, Peto J (1972). Asymptotically efficient rank invariant test procedures.
    JRSS A 135:185-207.
    Harrington DP, Fleming TR (1982). A class of rank test procedures for censored
    survival data. Biometrika 69:553-566.

    Examples
    --------
    >>> import hrh
    >>> d = {"t": [1, 3, 2, 4], "e": [1, 1, 1, 0], "g": ["a", "a", "b", "b"]}
    >>> r = hrh.logrank(d, duration="t", event="e", group="g")
    >>> round(r.statistic, 4), r.df
    (0.6154, 1)
    """
    if isinstance(rho, bool) or not isinstance(rho, int | float | np.number):
        raise InputError(f"argument 'rho': {rho!r} is not a number")
    data = _with_events(data, event, event_values)
    s = _surv(data, duration=duration, event=event, by=as_list(group, "group"))
    if not np.any(np.asarray(s.event) > 0):
        raise InputError(
            f"column '{event}': holds no events, so the log-rank test has nothing to compare"
        )
    if s.keys.height < 2:
        raise InputError(f"group: {as_list(group)} has a single group; nothing to compare")
    st_codes, st_keys = (None, pl.DataFrame())
    if strata is not None:
        st_cols = as_list(strata, "strata")
        require_columns(s.df, st_cols, role="strata")
        for c in st_cols:
            check_no_nulls(s.df, c)
        st_codes, st_keys = group_codes(s.df, st_cols)
    r = _core.logrank(
        s.time, s.event, s.codes, s.keys.height, st_codes, max(st_keys.height, 1), rho=float(rho)
    )
    obs, exp = np.asarray(r["observed"]), np.asarray(r["expected"])
    table = s.keys.with_columns(
        n=pl.Series(r["n"], dtype=pl.Int64),
        observed=pl.Series(obs),
        expected=pl.Series(exp),
        # Null where nothing is expected (a group with no one at risk at any exit time).
        oe2_over_e=pl.Series(
            np.divide((obs - exp) ** 2, exp, out=np.full(exp.shape, np.nan), where=exp > 0)
        ).fill_nan(None),
    )
    return LogRankResult(
        statistic=float(r["statistic"]),
        df=int(r["df"]),
        p_value=float(r["p_value"]),
        rho=float(rho),
        table=table,
        variance=np.asarray(r["variance"]),
    )


# --- competing risks --------------------------------------------------------------------


@dataclass(frozen=True)
class CumulativeIncidence:
    """Cumulative incidence of each exit reason, from :func:`hrh.cumulative_incidence`.

    Attributes
    ----------
    table : polars.DataFrame
        The `by` columns, ``time``, ``cause``, ``at_risk``, ``events`` (of that cause),
        ``cumulative_incidence``, ``std_err``, ``lower``, ``upper``, and ``in_post``
        (the probability of not having left for any reason).
    by : list of str
        The grouping columns.
    causes : list
        The causes, in the order reported.
    level : float
        Confidence level of the intervals.
    gray_test : polars.DataFrame or None
        With `by`: Gray's test that each cause's cumulative incidence is the same in
        every group — ``cause``, ``statistic``, ``df``, ``p_value`` — as R's
        ``cmprsk::cuminc(...)$Tests``; ``None`` without groups, and ``None`` with a
        warning beyond 200 groups (its work grows with the groups cubed). A statistic
        is null where the test is undefined (the pooled incidence reaches 1 while a
        group is still at risk).

    References
    ----------
    Aalen OO, Johansen S (1978). An empirical transition matrix for non-homogeneous
    Markov chains based on censored observations. Scand J Stat 5:141-150.
    Gray RJ (1988). A class of K-sample tests for comparing the cumulative incidence
    of a competing risk. Ann Stat 16:1141-1154.

    Examples
    --------
    >>> import hrh
    >>> d = {"t": [1, 2, 2, 3, 4], "why": ["resigned", "retired", None, "resigned", None]}
    >>> ci = hrh.cumulative_incidence(d, duration="t", cause="why")
    >>> ci.at([3]).rows()
    [('resigned', 3.0, 0.5), ('retired', 3.0, 0.2)]
    """

    table: pl.DataFrame
    by: list[str]
    causes: list[Any]
    level: float
    gray_test: pl.DataFrame | None = None

    def to_polars(self) -> pl.DataFrame:
        """The curve table."""
        return self.table

    def at(self, times: Any) -> pl.DataFrame:
        """Cumulative incidence of each cause at the given times (step function).

        Parameters
        ----------
        times
            Times (array-like of numbers; a null or non-number is an InputError).

        Returns
        -------
        polars.DataFrame
            The `by` columns, ``cause``, ``time`` and ``cumulative_incidence``.
        """
        t = np.sort(float_array(times, "times"))
        keys = [*self.by, "cause"]
        frames = []
        for key, part in self.table.group_by(keys, maintain_order=True):
            part = part.sort("time")
            idx = np.searchsorted(part["time"].to_numpy(), t, side="right") - 1
            vals = part["cumulative_incidence"].to_numpy()
            f = pl.DataFrame(
                {
                    "time": t,
                    "cumulative_incidence": np.where(idx >= 0, vals[np.maximum(idx, 0)], 0.0),
                }
            )
            frames.append(
                # Each key in its column's type (a literal 2**31 is Int64 beside Int32).
                f.with_columns(
                    pl.lit(v, dtype=self.table.schema[k]).alias(k)
                    for k, v in zip(keys, key, strict=True)
                )
            )
        return pl.concat(frames).select([*keys, "time", "cumulative_incidence"])

    def plot(self, ax: Axes | None = None) -> Axes:
        """Stacked step curves of cumulative incidence by cause.

        Parameters
        ----------
        ax
            Matplotlib Axes to draw on; None: a new figure.

        Returns
        -------
        matplotlib.axes.Axes
            Needs matplotlib (``pip install 'hrh[plot]'``).
        """
        from hrh.plot import cumulative_incidence

        return cumulative_incidence(self, ax=ax)

    def _repr_html_(self) -> str:
        return "<b>Cumulative incidence</b>" + self.table.tail(10)._repr_html_()


def cumulative_incidence(
    data: Any,
    *,
    duration: str,
    cause: str,
    by: str | Sequence[str] | None = None,
    causes: Sequence[Any] | None = None,
    level: float = 0.95,
    event_values: EventValues | None = None,
) -> CumulativeIncidence:
    """Aalen-Johansen cumulative incidence of each exit reason (resignation,
    retirement, transfer, death, ...) in the presence of the others.

    F_k(t) = Σ_{t_j <= t} S(t_{j−1}) d_kj / n_j, S the all-cause Kaplan-Meier; tied
    exits of different causes at one time are handled exactly. Standard errors are the
    infinitesimal jackknife, as R's ``survfit`` reports for a multi-state status;
    intervals are on the log scale, F·exp(±z se/F).

    Parameters
    ----------
    data
        One row per person: any table hrh reads. Not modified.
    duration
        Column of times in post at exit or censoring, numeric, >= 0; a null or NaN is an
        InputError.
    cause
        Exit reason per row: null or 0 = still in post (censored); otherwise a label
        (string) or a positive integer code.
    by
        Column(s) whose groups get curves of their own (and Gray's test between them);
        None: one set of curves.
    causes
        The allowed causes in the order to report them; a value outside them is an
        InputError. Default: the causes present, sorted.
    level
        Confidence level of the intervals, in (0, 1).
    event_values
        How to read `cause` labels (instead of `causes`): a mapping label -> code, 0
        for still in post (censored) and 1, 2, ... for the causes in that order, e.g.
        ``{"resigned": 1, "retired": 2, "died": 2, "in post": 0}``; labels sharing a
        code are one cause, named by the labels joined with " / " (``"retired /
        died"``), and the result names each cause by its labels. A null is still in
        post unless the mapping has a ``None`` key. Or a list of the causes' labels, as
        `causes`. A value it does not map is an InputError naming the column, row and
        value.

    Returns
    -------
    CumulativeIncidence
        ``.table`` (per group, time and cause: ``at_risk``, ``events``,
        ``cumulative_incidence``, ``std_err``, ``lower``, ``upper``, ``in_post``),
        ``.gray_test`` with `by`, ``.at()`` and ``.plot()``.

    Raises
    ------
    InputError
        A column that `data` lacks; bad durations; a cause outside `causes`, or a
        negative or non-integer numeric code; `level` outside (0, 1); `data` without
        rows.

    References
    ----------
    Aalen OO, Johansen S (1978). An empirical transition matrix for non-homogeneous
    Markov chains based on censored observations. Scand J Stat 5:141-150.
    Gray RJ (1988). A class of K-sample tests for comparing the cumulative incidence
    of a competing risk. Ann Stat 16:1141-1154.

    Examples
    --------
    >>> import hrh
    >>> d = {"t": [1, 2, 2, 3, 4], "why": ["resigned", "retired", None, "resigned", None]}
    >>> ci = hrh.cumulative_incidence(d, duration="t", cause="why")
    >>> ci.table.filter(ci.table["time"] == 3).select("cause", "cumulative_incidence")
    shape: (2, 2)
    ┌──────────┬──────────────────────┐
    │ cause    ┆ cumulative_incidence │
    │ ---      ┆ ---                  │
    │ str      ┆ f64                  │
    ╞══════════╪══════════════════════╡
    │ resigned ┆ 0.5                  │
    │ retired  ┆ 0.2                  │
    └──────────┴──────────────────────┘
    """
    check_level(level)
    df = to_frame(data)
    require_columns(df, [cause], role="cause")
    if df.height == 0:
        raise InputError("data has no rows")
    if event_values is not None and causes is not None:
        raise InputError("arguments 'causes' and 'event_values': give one of them, not both")
    if isinstance(event_values, Mapping):
        df, causes = _named_causes(df, cause, event_values)
    elif event_values is not None:
        _event_table(event_values)  # a list of distinct labels
        causes = list(event_values)
    c = df.get_column(cause)
    if c.dtype.is_numeric():
        check_numeric(df.with_columns(c.fill_null(0)), cause, minimum="non_negative")
        raw = c.fill_null(0)
        if not raw.dtype.is_integer() and not (raw == raw.round(0)).all():
            row = int((raw != raw.round(0)).arg_true()[0])
            raise InputError(
                f"column '{cause}', row {row}: value {raw[row]} is not an integer code"
            )
        if raw.max() > _MAX_CAUSE_CODE:  # type: ignore[operator]
            row = int((raw > _MAX_CAUSE_CODE).arg_true()[0])
            raise InputError(
                f"column '{cause}', row {row}: value {raw[row]} is not an integer code "
                f"from 1 to {_MAX_CAUSE_CODE}"
            )
        present = _present_codes(raw)
    elif c.dtype in (pl.String, pl.Categorical, pl.Boolean, pl.Null) or isinstance(
        c.dtype, pl.Enum
    ):
        raw = c.cast(pl.String)
        present = sorted(v for v in raw.drop_nulls().unique().to_list())
    else:
        raise InputError(
            f"column '{cause}' has type {c.dtype}, expected exit reasons as text or integer codes"
        )
    if causes is not None:
        if isinstance(causes, str | bytes) or not isinstance(causes, Sequence):
            raise InputError(f"argument 'causes': {causes!r} is not a list of causes")
        allowed = list(causes)
        unknown = [v for v in present if v not in allowed]
        if unknown:
            row = int((raw == unknown[0]).arg_true()[0])
            raise InputError(
                f"column '{cause}', row {row}: cause {unknown[0]!r} is not one of {allowed!r}"
            )
        labels = allowed
    else:
        labels = present
    if not labels:
        labels = []
    code_of = {v: i + 1 for i, v in enumerate(labels)}
    codes = _cause_codes(raw, present, code_of, numeric=c.dtype.is_numeric())
    work = df.with_columns(pl.Series("__hrh_event", (codes > 0).astype(np.uint32)))
    s = _surv(work, duration=duration, event="__hrh_event", by=by)
    if not labels:
        raise InputError(f"column '{cause}': no exits at all (every row is censored)")
    r = _core.cumulative_incidence(
        s.time, codes, s.codes, max(s.keys.height, 1), len(labels), level=float(level)
    )
    table = _with_keys(r, s.by, s.keys, drop=("group", "cause"))
    cause_labels = _labels_of(np.asarray(r["cause"]), labels)
    table = table.insert_column(len(s.by) + 1, cause_labels)
    table = _nan_to_null(table, ["lower", "upper"])
    gray = None
    if s.by and s.keys.height > _core.GRAY_MAX_GROUPS:
        warnings.warn(
            f"Gray's test left out: {s.keys.height} groups is more than the "
            f"{_core.GRAY_MAX_GROUPS} it compares (its work grows with the groups cubed)",
            UserWarning,
            stacklevel=2,
        )
    elif s.by and s.keys.height >= 2:
        rows = []
        for k, lab in enumerate(labels, start=1):
            stat, df_, p = _core.gray_test(s.time, codes, s.codes, s.keys.height, k)
            rows.append({"cause": lab, "statistic": stat, "df": df_, "p_value": p})
        # Null where the test is undefined (the pooled incidence reaches 1 while a group
        # is still at risk, and Gray's variance divides by 1 - F = 0), never NaN.
        gray = pl.DataFrame(rows).with_columns(
            pl.col("statistic", "p_value").cast(pl.Float64).fill_nan(None)
        )
    return CumulativeIncidence(
        table=table, by=s.by, causes=labels, level=float(level), gray_test=gray
    )


_MAX_CAUSE_CODE = 2**53  # integer cause codes exact in a float


def _cause_codes(
    raw: pl.Series, present: list[Any], code_of: dict[Any, int], *, numeric: bool
) -> npt.NDArray[np.uint32]:
    """Each row's cause code (0: censored), by a lookup of its distinct value: `raw`
    holds validated integer codes (0 censored, null filled with 0) when `numeric`, else
    labels (null censored); every value in `present` is a key of `code_of`."""
    if numeric and (not present or present[-1] < 1 << 16):  # a table indexed by the code
        lut = np.zeros((present[-1] if present else 0) + 1, dtype=np.uint32)
        lut[present] = [code_of[v] for v in present]
        return np.ascontiguousarray(lut[raw.cast(pl.Int64).to_numpy()])
    if numeric:
        keys = np.array([0, *present], dtype=np.int64)
        lut = np.array([0, *(code_of[v] for v in present)], dtype=np.uint32)
        at = np.searchsorted(keys, raw.cast(pl.Int64).to_numpy())
        return np.ascontiguousarray(lut[at])
    if not present:
        return np.zeros(raw.len(), dtype=np.uint32)
    local, values = value_codes(raw)
    lut = np.array([0 if v is None else code_of[v] for v in values.to_list()], dtype=np.uint32)
    return np.ascontiguousarray(lut[local])


def _present_codes(raw: pl.Series) -> list[int]:
    """The distinct nonzero values of validated integer codes (no null, none negative),
    sorted: by counting when they are small, else by hashing."""
    if raw.max() < 1 << 16:  # type: ignore[operator]
        counts = np.bincount(raw.cast(pl.Int64).to_numpy())
        return [int(v) + 1 for v in np.flatnonzero(counts[1:])]
    return sorted(int(v) for v in raw.unique().to_list() if v != 0)


def _labels_of(codes: npt.NDArray[Any], labels: list[Any]) -> pl.Series:
    """The ``cause`` column: label ``labels[k - 1]`` of each code k, built from the
    labels of the codes that occur (so its type is inferred from those alone)."""
    if codes.size == 0:
        return pl.Series("cause", [])
    used = np.flatnonzero(np.bincount(codes))
    at = np.zeros(int(used[-1]) + 1, dtype=np.int64)
    at[used] = np.arange(used.size)
    return pl.Series("cause", [labels[k - 1] for k in used]).gather(at[codes])


# --- Cox --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Design:
    names: list[str]
    numeric: list[str]
    levels: dict[str, list[Any]]
    columns: list[str]

    def matrix(self, df: pl.DataFrame, *, table: str = "data") -> npt.NDArray[np.float64]:
        parts: list[npt.NDArray[np.float64]] = []
        for col in self.columns:
            require_columns(df, [col], role="covariates", table=table)
            check_no_nulls(df, col, table=table)
            if col in self.levels:
                s = df.get_column(col)
                s = s.cast(pl.String)
                lv = [str(v) for v in self.levels[col]]
                bad = (~s.is_in(lv)).arg_true()
                if len(bad):
                    row = int(bad[0])
                    raise InputError(
                        f"column '{col}', row {row}: level {s[row]!r} was not seen when fitting"
                    )
                for level in lv[1:]:
                    parts.append((s == level).cast(pl.Float64).to_numpy())
            else:
                check_numeric(df, col, minimum="any", table=table)
                parts.append(df.get_column(col).cast(pl.Float64).to_numpy())
        return np.ascontiguousarray(np.column_stack(parts), dtype=np.float64)


def _level_text(v: Any) -> str:
    """A category level as text, as polars casts it (True -> "true")."""
    return str(v).lower() if isinstance(v, bool | np.bool_) else str(v)


def _design(
    df: pl.DataFrame, covariates: Sequence[str], reference: Mapping[str, Any] | None
) -> _Design:
    names: list[str] = []
    levels: dict[str, list[Any]] = {}
    numeric: list[str] = []
    reference = dict(reference or {})
    for col in covariates:
        s = df.get_column(col)
        if s.dtype.is_numeric():
            numeric.append(col)
            names.append(col)
            continue
        if s.dtype not in (pl.String, pl.Categorical, pl.Boolean) and not isinstance(
            s.dtype, pl.Enum
        ):
            raise InputError(f"column '{col}' has type {s.dtype}; expected numbers or categories")
        # Levels as polars writes them as text (booleans are "false" and "true"), the form
        # `matrix` compares with.
        lv = sorted(s.drop_nulls().cast(pl.String).unique().to_list())
        if col in reference:
            ref = _level_text(reference[col])
            if ref not in lv:
                raise InputError(f"reference: level {ref!r} is not in column '{col}' ({lv})")
            lv = [ref] + [v for v in lv if v != ref]
        if len(lv) < 2:
            raise InputError(
                f"column '{col}': has a single level {lv!r}, so its effect cannot be "
                "estimated; drop it"
            )
        levels[col] = lv
        names.extend(f"{col}[{v}]" for v in lv[1:])
    for k in reference:
        if k not in levels:
            raise InputError(f"reference: column '{k}' is not a categorical covariate")
    return _Design(names=names, numeric=numeric, levels=levels, columns=list(covariates))


@dataclass(frozen=True)
class CoxResult:
    """A fitted Cox proportional-hazards model.

    Attributes
    ----------
    summary : polars.DataFrame
        ``term``, ``coef``, ``se``, ``z``, ``p``, ``hazard_ratio``, ``lower``, ``upper``
        (interval of the hazard ratio at `level`).
    loglik : tuple of float
        Log partial likelihood at β = 0 and at the estimate.
    tests : polars.DataFrame
        Likelihood-ratio, Wald and score tests: ``test``, ``statistic``, ``df``, ``p``.
    concordance, concordance_std_err : float or None
        Harrell's C and its infinitesimal-jackknife standard error, as R's
        ``concordance`` computes them; ``None`` when no pair of rows can be compared.
    baseline_hazard : polars.DataFrame
        Cumulative hazard at covariates 0 (reference levels): (strata,) ``time``,
        ``hazard`` (R's ``basehaz(fit, centered = FALSE)``).
    n, n_events : int, float
        Rows used, and the (weighted) number of exits.
    iterations : int
        Newton-Raphson iterations to convergence.

    References
    ----------
    Cox DR (1972). Regression models and life-tables. JRSS B 34:187-220.
    Harrell FE, Califf RM, Pryor DB, Lee KL, Rosati RA (1982). Evaluating the yield of
    medical tests. JAMA 247:2543-2546 (concordance).
    Breslow NE (1972). Discussion of the paper by D. R. Cox. JRSS B 34:216-217
    (baseline hazard).

    Examples
    --------
    >>> import hrh
    >>> d = {"t": [5, 8, 2, 9, 4, 7, 3, 6], "left": [1, 0, 1, 1, 1, 0, 1, 1],
    ...      "commune": [1, 0, 1, 0, 1, 0, 0, 1]}
    >>> m = hrh.cox(d, duration="t", event="left", covariates=["commune"])
    >>> m.n, m.n_events, m.tests["test"].to_list()
    (8, 6.0, ['likelihood_ratio', 'wald', 'score'])
    >>> m.predict_survival({"commune": [0, 1]}, times=[5])["survival"].round(3).to_list()
    [0.823, 0.309]
    """

    summary: pl.DataFrame
    loglik: tuple[float, float]
    tests: pl.DataFrame
    concordance: float | None
    concordance_std_err: float | None
    baseline_hazard: pl.DataFrame
    n: int
    n_events: float
    iterations: int
    ties: str
    variance: npt.NDArray[np.float64] = field(repr=False)
    _design: _Design = field(repr=False)
    _strata: list[str] = field(repr=False)
    _strata_keys: pl.DataFrame = field(repr=False)
    _core_fit: dict[str, Any] = field(repr=False)

    @property
    def coef(self) -> npt.NDArray[np.float64]:
        """Coefficients (log hazard ratios)."""
        return self.summary["coef"].to_numpy()

    def predict_survival(self, new_data: Any, times: Any) -> pl.DataFrame:
        """Survival S(t | x) = exp(−H₀(t) e^{xβ}) of each row of `new_data` at `times`.

        Parameters
        ----------
        new_data
            Any table hrh reads with the model's covariate columns (and strata
            columns, if the model has strata); categorical levels must be ones the
            model knows.
        times
            Times at which to evaluate the survival (array-like of numbers).

        Returns
        -------
        polars.DataFrame
            ``row`` (the row of `new_data`), (the strata columns), ``time``,
            ``survival``.
        """
        df = to_frame(new_data, name="new_data")
        x = self._design.matrix(df, table="new_data")
        t = float_array(times, "times")
        fit = self._core_fit
        frames = []
        if self._strata:
            for c in self._strata:
                require_columns(df, [c], role="strata", table="new_data")
            keyed = self._strata_keys.with_row_index("__s")
            codes = df.select(self._strata).join(
                keyed, on=self._strata, how="left", maintain_order="left"
            )["__s"]
            if codes.null_count():
                row = int(codes.is_null().arg_true()[0])
                raise InputError(f"new_data, row {row}: stratum not seen when fitting")
            stratum_of = codes.to_list()
        else:
            stratum_of = [0] * df.height
        for r in range(df.height):
            s = _core.cox_predict(
                fit["coef"],
                fit["baseline_stratum"],
                fit["baseline_time"],
                fit["baseline_hazard"],
                np.ascontiguousarray(x[r : r + 1]),
                int(stratum_of[r]),
                t,
            )
            f = pl.DataFrame({"row": np.full(t.size, r), "time": t, "survival": s[0]})
            if self._strata:
                f = f.with_columns(pl.lit(df[r, c]).alias(c) for c in self._strata)
            frames.append(f)
        return pl.concat(frames).select(["row", *self._strata, "time", "survival"])

    def to_polars(self) -> pl.DataFrame:
        """The coefficient table."""
        return self.summary

    def _repr_html_(self) -> str:
        lr = self.tests.row(0, named=True)
        c = self.concordance
        return (
            f"<b>Cox model</b> ({self.ties} ties): n = {self.n}, exits = {self.n_events:g}, "
            f"concordance = {'undefined' if c is None else f'{c:.3f}'}, "
            f"LR chi² = {lr['statistic']:.4g} on "
            f"{lr['df']} df (p = {lr['p']:.3g})" + self.summary._repr_html_()
        )


def _finite_or_none(x: Any) -> float | None:
    v = float(x)
    return v if math.isfinite(v) else None


def cox(
    data: Any,
    *,
    duration: str,
    event: str,
    covariates: Sequence[str],
    entry: str | None = None,
    strata: str | Sequence[str] | None = None,
    weights: str | None = None,
    ties: Literal["efron", "breslow"] = "efron",
    robust: bool = False,
    reference: Mapping[str, Any] | None = None,
    level: float = 0.95,
    event_values: EventValues | None = None,
) -> CoxResult:
    """Cox proportional-hazards model of who leaves.

    Newton-Raphson on the partial likelihood from β = 0 with step halving, converged
    when the log-likelihood changes by less than 1e-9 relative (R's ``coxph``
    defaults). Numeric covariates enter as they are; categorical (string, categorical,
    boolean) ones by treatment contrasts against the first level in sorted order, or
    the level `reference` names.

    With ``robust=True`` the standard errors, z, p, intervals and the Wald test use the
    sandwich variance V (Σ (w r)(w r)ᵀ) V built from score residuals r (Efron-weighted
    at ties), as R's ``coxph(robust = TRUE)``; ``se_model`` keeps the model-based ones
    and ``tests`` gains R's robust score test.

    Parameters
    ----------
    data
        One row per person (or spell): any table hrh reads. Not modified.
    duration
        Column of times in post at exit or censoring, numeric, >= 0; a null or NaN is an
        InputError.
    event
        Column of exit indicators: 1 or True = left, 0 or False = censored.
    covariates
        Columns entering the model: numeric ones as they are, string, categorical or
        boolean ones as treatment contrasts (one term per non-reference level, named
        ``column[level]``). A null in a covariate is an InputError.
    entry
        Column of entry times (delayed entry), below `duration`; None: from time 0.
    strata
        Column(s) of strata, each with its own baseline hazard; None: one stratum.
    weights
        Column of case weights (> 0); None: every row counts once.
    ties
        ``"efron"`` (default, as R) or ``"breslow"`` handling of tied exit times.
    robust
        Sandwich (robust) standard errors, as above.
    reference
        Reference level of categorical covariates, by column (e.g.
        ``{"facility_level": "commune"}``); default the first level in sorted order.
    level
        Confidence level of the hazard-ratio intervals, in (0, 1).
    event_values
        How to read an `event` column of labels, as in :func:`kaplan_meier`: a mapping
        label -> code (0: still in post; a positive code: an exit) or a list of the
        labels that are exits. None (default): `event` holds 0/1 codes.

    Returns
    -------
    CoxResult
        ``.summary`` (``term``, ``coef``, ``se``, ``z``, ``p``, ``hazard_ratio``,
        ``lower``, ``upper``), ``.tests``, ``.loglik``, ``.concordance``,
        ``.baseline_hazard`` and ``.predict_survival()``.

    Raises
    ------
    InputError
        A column that `data` lacks; constant or collinear covariates (also a covariate
        constant within every stratum), fewer rows than covariates, a data set in which
        nobody leaves, bad durations, event codes or weights, a `reference` level the
        column does not have, `level` outside (0, 1).
    ConvergenceError
        A coefficient that runs off to infinity (monotone likelihood, e.g. a level in
        which nobody or everybody leaves), naming the covariate.

    References
    ----------
    Cox DR (1972). Regression models and life-tables. JRSS B 34:187-220.
    Efron B (1977). The efficiency of Cox's likelihood function for censored data.
    JASA 72:557-565.
    Therneau TM, Grambsch PM (2000). Modeling Survival Data: Extending the Cox Model.
    New York: Springer.

    Examples
    --------
    >>> import hrh
    >>> d = {"t": [5, 8, 2, 9, 4, 7, 3, 6], "left": [1, 0, 1, 1, 1, 0, 1, 1],
    ...      "commune": [1, 0, 1, 0, 1, 0, 0, 1]}
    >>> m = hrh.cox(d, duration="t", event="left", covariates=["commune"])
    >>> m.summary.select("term", "hazard_ratio").with_columns(
    ...     hazard_ratio=m.summary["hazard_ratio"].round(3))
    shape: (1, 2)
    ┌─────────┬──────────────┐
    │ term    ┆ hazard_ratio │
    │ ---     ┆ ---          │
    │ str     ┆ f64          │
    ╞═════════╪══════════════╡
    │ commune ┆ ...          │
    └─────────┴──────────────┘
    """
    check_level(level)
    data = _with_events(data, event, event_values)
    covs = as_list(covariates, "covariates")
    if not covs:
        raise InputError("covariates: give at least one covariate column")
    st_cols = as_list(strata, "strata")
    s = _surv(data, duration=duration, event=event, entry=entry, weights=weights)
    df = s.df
    require_columns(df, covs, role="covariates")
    for c in covs:
        check_no_nulls(df, c)
    require_columns(df, st_cols, role="strata")
    for c in st_cols:
        check_no_nulls(df, c)
    design = _design(df, covs, reference)
    x = design.matrix(df)
    st_codes, st_keys = group_codes(df, st_cols) if st_cols else (None, pl.DataFrame())
    r = _core.cox(
        s.time,
        s.event,
        x,
        design.names,
        s.entry,
        st_codes,
        s.weights,
        ties=str(ties),
        robust=bool(robust),
    )
    z = NormalDist().inv_cdf(1 - (1 - level) / 2)
    coef, se = np.asarray(r["coef"]), np.asarray(r["se"])
    summary = pl.DataFrame(
        {
            "term": design.names,
            "coef": coef,
            "se": se,
            **({"se_model": r["se_model"]} if robust else {}),
            "z": r["z"],
            "p": r["p"],
            "hazard_ratio": np.exp(coef),
            "lower": np.exp(coef - z * se),
            "upper": np.exp(coef + z * se),
        }
    )
    pv = r["test_p_values"]
    tests = pl.DataFrame(
        {
            "test": ["likelihood_ratio", "wald", "score"],
            "statistic": [r["lr_test"], r["wald_test"], r["score_test"]],
            "df": [int(r["df"])] * 3,
            "p": pv,
        }
    )
    if robust:
        rs = float(r["robust_score_test"])
        tests = pl.concat(
            [
                tests,
                pl.DataFrame(
                    {
                        "test": ["robust_score"],
                        "statistic": [rs],
                        "df": [int(r["df"])],
                        "p": [_chisq_sf(rs, int(r["df"]))],
                    }
                ),
            ]
        )
    base = pl.DataFrame({"time": r["baseline_time"], "hazard": r["baseline_hazard"]})
    if st_cols:
        base = pl.concat(
            [st_keys[np.asarray(r["baseline_stratum"]).tolist()], base], how="horizontal"
        )
    return CoxResult(
        summary=summary,
        loglik=(float(r["loglik_null"]), float(r["loglik"])),
        tests=tests,
        # Null where no pair of rows is comparable (e.g. every duration tied).
        concordance=_finite_or_none(r["concordance"]),
        concordance_std_err=_finite_or_none(r["concordance_std_err"]),
        baseline_hazard=base,
        n=df.height,
        n_events=float(r["n_events"]),
        iterations=int(r["iterations"]),
        ties=str(ties),
        variance=np.asarray(r["var"]),
        _design=design,
        _strata=st_cols,
        _strata_keys=st_keys,
        _core_fit=r,
    )


# --- life table -------------------------------------------------------------------------


def _chisq_sf(x: float, df: int) -> float:
    """Upper tail P(χ²_df > x), computed in the core."""
    if not math.isfinite(x):
        return math.nan
    return float(_core.chisq_sf(x, float(df)))


def life_table(
    data: Any,
    *,
    duration: str,
    event: str,
    width: float,
    weights: str | None = None,
    event_values: EventValues | None = None,
) -> pl.DataFrame:
    """Actuarial life table in intervals [k·width, (k+1)·width).

    Parameters
    ----------
    data
        One row per person: any table hrh reads. Not modified.
    duration
        Column of times in post at exit or censoring, numeric, >= 0 (no nulls or NaN).
    event
        Column of exit indicators: 1 or True = left, 0 or False = censored.
    width
        Width of each interval, in the unit of `duration` (> 0).
    weights
        Column of case weights (> 0); None: every row counts once.
    event_values
        How to read an `event` column of labels, as in :func:`kaplan_meier`: a mapping
        label -> code (0: still in post; a positive code: an exit) or a list of the
        labels that are exits. None (default): `event` holds 0/1 codes.

    Returns
    -------
    polars.DataFrame
        ``start``, ``end``, ``entered``, ``withdrawn`` (censored in the interval),
        ``events``, ``at_risk`` = entered − withdrawn/2, ``q`` = events / at_risk,
        ``p`` = 1 − q, ``survival`` (at the interval start) and ``std_err``
        (Greenwood: S √(Σ q/(n′ p)) over earlier intervals).

    Raises
    ------
    InputError
        A column that `data` lacks; a null, NaN, negative or non-numeric duration; an
        event that is not 0/1; a weight that is not > 0; `width` not > 0 (or so small
        that the table would exceed the memory budget); `data` without rows.

    References
    ----------
    Lee ET, Wang JW (2003). Statistical Methods for Survival Data Analysis, 3rd ed.
    Hoboken: Wiley, ch. 4.

    Examples
    --------
    >>> import hrh
    >>> d = {"years": [0.5, 1.5, 1.0, 2.5, 3.0], "left": [1, 0, 1, 1, 0]}
    >>> hrh.life_table(d, duration="years", event="left", width=1)["survival"].to_list()
    [1.0, 0.8, 0.5714285714285715, 0.2857142857142858]
    """
    if isinstance(width, bool) or not isinstance(width, int | float | np.number):
        raise InputError(f"argument 'width': {width!r} is not a number")
    data = _with_events(data, event, event_values)
    s = _surv(data, duration=duration, event=event, weights=weights)
    try:
        w = float(width)
    except OverflowError as e:
        raise InputError(f"argument 'width': {width!r} is too large") from e
    r = _core.life_table(s.time, s.event, s.weights, width=w)
    return pl.DataFrame(r)
