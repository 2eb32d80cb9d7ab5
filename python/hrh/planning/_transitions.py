"""Transitions between states in a panel, stock tables and attrition rates for scenarios."""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from hrh import _core
from hrh import _scale as scale
from hrh._frames import (
    _first,
    as_list,
    check_key_type,
    check_level,
    check_no_nulls,
    check_numeric,
    first_seen_codes,
    group_codes,
    require_columns,
    to_frame,
)
from hrh.exceptions import InputError

# --------------------------------------------------------------------------- transitions


@dataclass(frozen=True)
class Transitions:
    """A one-period transition matrix estimated from a panel, from
    :func:`hrh.transitions`.

    Attributes
    ----------
    table : polars.DataFrame
        ``from``, ``to``, ``count``, ``probability``, ``lower``, ``upper`` (Wilson score
        interval at `level`).
    states : tuple of str
        The states, in order.
    gaps : int
        Consecutive observations of a person more than one period apart (not used).
    level : float
        Confidence level of the intervals.
    time_unit : str or None
        ``"year"`` when the panel's times were dates (one period is then a calendar
        year), ``None`` when they were integer periods.

    References
    ----------
    Anderson TW, Goodman LA (1957). Statistical inference about Markov chains. Ann
    Math Statist 28:89-110.
    Wilson EB (1927). Probable inference, the law of succession, and statistical
    inference. JASA 22:209-212.

    Examples
    --------
    >>> import hrh
    >>> panel = {"id": [1, 1, 2, 2, 3, 3], "year": [2020, 2021, 2020, 2021, 2020, 2021],
    ...          "region": ["A", "B", "A", "A", "B", "B"]}
    >>> t = hrh.transitions(panel, id="id", time="year", state="region")
    >>> t.migration(cadre="nurse")
    [{'from': 'A', 'to': 'B', 'rate': 0.5, 'cadre': 'nurse'}]
    """

    table: pl.DataFrame
    states: tuple[str, ...]
    gaps: int
    level: float
    time_unit: str | None = None

    def matrix(self) -> pl.DataFrame:
        """Probabilities as a square table, one row per origin state."""
        return self.table.pivot(
            on="to", index="from", values="probability", sort_columns=False
        ).select("from", *self.states)

    def _moves(self, origin: str, destination: str, **extra: Any) -> list[dict[str, Any]]:
        """Positive off-diagonal probabilities as records `{origin, destination, "rate"}`
        plus `extra`."""
        rows = self.table.filter((pl.col("from") != pl.col("to")) & (pl.col("probability") > 0))
        return [
            {origin: r["from"], destination: r["to"], "rate": r["probability"], **extra}
            for r in rows.iter_rows(named=True)
        ]

    def migration(self, *, cadre: str | None = None) -> list[dict[str, Any]]:
        """Off-diagonal probabilities as scenario `migration` records (regions as states).

        Parameters
        ----------
        cadre
            The cadre the records apply to; None: every cadre (no ``cadre`` key).

        Returns
        -------
        list of dict
            One record ``{"from", "to", "rate"(, "cadre")}`` per positive off-diagonal
            probability, for a scenario's ``migration`` list.
        """
        return self._moves("from", "to", **({} if cadre is None else {"cadre": cadre}))

    def promotions(self) -> list[dict[str, Any]]:
        """Off-diagonal probabilities as a cadre's `promotions` records (grades as states):
        each year that share of a grade's staff who stay moves to the other grade."""
        return self._moves("from_grade", "to_grade")

    def to_polars(self) -> pl.DataFrame:
        return self.table

    def _repr_html_(self) -> str:
        return f"<b>Transitions</b> ({len(self.states)} states)" + self.matrix()._repr_html_()


def transitions(panel: Any, *, id: str, time: str, state: str, level: float = 0.95) -> Transitions:
    """Estimate a one-period transition matrix (grades, regions) from a panel with one row
    per person and period.

    Consecutive observations of a person one period apart count as one transition; the
    probability from state i to j is `n_ij / n_i` (maximum likelihood for a Markov chain)
    with a Wilson score interval. `time` is an integer period (e.g. year), or a Date or
    Datetime column, whose values count by their calendar year (2019-12-31 is period
    2019; ``.time_unit`` is then ``"year"``). In a scenario,
    `.migration()` gives the `migration` records of regions as states, `.promotions()` a
    cadre's `promotions` records of grades as states.

    Parameters
    ----------
    panel
        One row per person and period: any table hrh reads, or a polars LazyFrame, a
        Parquet path or a Dask DataFrame (read in buckets of people, or shuffled on
        `id`; the same table as in memory). Not modified.
    id
        Column identifying the person.
    time
        Column of integer periods (e.g. year); a person's rows one period apart form a
        transition, rows further apart are counted in ``gaps`` and not used.
    state
        Column of the state in each period (a grade, a region).
    level
        Confidence level of the Wilson intervals, in (0, 1).

    Returns
    -------
    Transitions
        ``.table`` (``from``, ``to``, ``count``, ``probability``, ``lower``, ``upper``),
        ``.matrix()``, ``.migration()``, ``.promotions()`` and ``.gaps``.

    Raises
    ------
    InputError
        A column that `panel` lacks; a null id, time or state; a time that is not an
        integer; a person with two rows in one period; `level` outside (0, 1).

    References
    ----------
    Anderson, T. W. and Goodman, L. A. (1957). Statistical inference about Markov chains.
    Ann. Math. Statist. 28(1), 89-110. Wilson, E. B. (1927). Probable inference, the law of
    succession, and statistical inference. JASA 22(158), 209-212.

    Examples
    --------
    >>> import hrh
    >>> panel = {"id": [1, 1, 1, 2, 2], "year": [2020, 2021, 2022, 2020, 2021],
    ...          "grade": ["I", "I", "II", "I", "I"]}
    >>> hrh.transitions(panel, id="id", time="year", state="grade").matrix().rows()
    [('I', 0.666..., 0.333...), ('II', None, None)]
    """
    src = scale.source(panel, name="panel")
    if src.frame is None:
        from hrh.planning._panel_parts import counts_in_parts

        empty = src.empty()
        require_columns(empty, [id, time, state], role="id, time and state")
        _checked(empty, id, time, state)  # the types, before any work
        check_level(level)
        labels, counts, gaps, unit = counts_in_parts(src, id, time, state)
        return _finish(labels, counts, gaps, level, unit)
    df = src.frame
    require_columns(df, [id], role="id")
    require_columns(df, [time], role="time")
    require_columns(df, [state], role="state")
    if df.height == 0:
        raise InputError("panel has no rows")
    df, unit = _checked(df, id, time, state)
    check_level(level)
    labels, counts, gaps = counts_of(df, id, time, state, unit)
    return _finish(labels, counts, gaps, level, unit)


def _checked(df: pl.DataFrame, id: str, time: str, state: str) -> tuple[pl.DataFrame, str | None]:
    """`df` with no null id, time or state, its periods as integers (dates as their
    calendar year) and keys that can be grouped; and ``"year"`` when times were dates."""
    for c in (id, time, state):
        check_no_nulls(df, c)
    unit = None
    if df.schema[time] == pl.Date or isinstance(df.schema[time], pl.Datetime):
        df, unit = df.with_columns(pl.col(time).dt.year().cast(pl.Int64)), "year"
    if not df.schema[time].is_integer():
        raise InputError(
            f"column '{time}': must hold integer periods (e.g. years) or dates, got "
            f"{df.schema[time]}"
        )
    periods = df.get_column(time)
    if periods.dtype in (pl.UInt64, pl.UInt128, pl.Int128):
        outside = periods > 2**63 - 1
        if periods.dtype == pl.Int128:
            outside = outside | (periods < -(2**63))
        row = _first(outside)
        if row is not None:
            raise InputError(
                f"column '{time}', row {row}: period {df[row, time]} is outside the range "
                "of 64-bit integers"
            )
    for c in (id, state):
        check_key_type(df, c, table="panel")
    return df, unit


def counts_of(
    df: pl.DataFrame, id: str, time: str, state: str, unit: str | None
) -> tuple[pl.Series, npt.NDArray[np.uint64], int]:
    """The partial state of a checked panel (or part of one holding its people whole):
    the states present (sorted, in their own type), the k x k transition counts over
    them (row-major, from then to) and the gaps. Parts holding different people merge
    by adding their counts over the union of their states."""
    dup = df.select(pl.struct(id, time).is_duplicated().arg_true()).to_series()
    if len(dup):
        rows = dup.to_list()
        first = df.row(rows[0], named=True)
        raise InputError(
            f"column '{time}', row {rows[1]}: {id} {first[id]!r} observed twice in period "
            f"{first[time]} (rows {rows[0]} and {rows[1]})"
            + ("; dates count by their calendar year" if unit else "")
        )
    ids, _ = group_codes(df, [id])
    codes, keys = group_codes(df, [state])
    counts, gaps = _core.transition_counts(
        ids,
        np.ascontiguousarray(df.get_column(time).cast(pl.Int64).to_numpy()),
        codes,
        keys.height,
    )
    return keys.get_column(state), counts, int(gaps)


def _finish(
    labels: pl.Series,
    counts: npt.NDArray[np.uint64],
    gaps: int,
    level: float,
    unit: str | None,
) -> Transitions:
    """The transition matrix of (merged) counts over the states `labels`."""
    states = [str(s) for s in labels.to_list()]
    k = len(states)
    counts = np.require(counts, dtype=np.uint64, requirements=["C", "A"])  # e.g. unpickled
    raw = _core.transitions_from_counts(counts, k, gaps, level=level)
    table = pl.DataFrame(
        {
            "from": np.repeat(np.asarray(states, dtype=object), k).tolist(),
            "to": states * k,
            "count": raw["count"],
            "probability": raw["probability"],
            "lower": raw["lower"],
            "upper": raw["upper"],
        },
        schema={
            "from": pl.String,
            "to": pl.String,
            "count": pl.Float64,
            "probability": pl.Float64,
            "lower": pl.Float64,
            "upper": pl.Float64,
        },
    ).with_columns(pl.selectors.float().fill_nan(None))
    return Transitions(
        table=table, states=tuple(states), gaps=int(raw["gaps"]), level=level, time_unit=unit
    )


def stock_table(
    register: Any,
    *,
    at: dt.date,
    cadre: str,
    birth: str = "birth_date",
    entry: str = "hire_date",
    exit: str = "exit_date",
    region: str | None = None,
    grade: str | None = None,
    default_region: str = "all",
) -> pl.DataFrame:
    """Starting stock for a scenario from an HR register: staff in post on `at` (entry on
    or before it, exit null or after it) counted by region, cadre, grade and age in
    completed years.

    Parameters
    ----------
    register
        One row per worker (or employment spell): any table hrh reads. Not modified.
    at
        The reference date (a ``datetime.date``), e.g. the end of the start year.
    cadre
        Column of the cadre; a null is an InputError.
    birth, entry, exit
        Date columns: birth, first day in post and the day the person left (null while
        in post).
    region
        Column of the region; None: every row gets `default_region`.
    grade
        Column of the grade; None: no grade column (the scenario's first grade).
    default_region
        Region name used when `region` is None.

    Returns
    -------
    polars.DataFrame
        Columns `region`, `cadre`, `grade` (when `grade` is given), `age`, `count`,
        ready for a scenario's `stock` key.

    Raises
    ------
    InputError
        A column that `register` lacks; a null or non-date birth or entry date, or a
        null cadre, region or grade of someone in post; `at` that is not a date.

    References
    ----------
    World Health Organization (2017). National health workforce accounts: a handbook.
    Geneva: WHO (the stock as a headcount of active workers at a reference date).

    Examples
    --------
    >>> import datetime as dt, hrh
    >>> reg = {"birth_date": [dt.date(1980, 6, 1), dt.date(1990, 1, 1)],
    ...        "hire_date": [dt.date(2005, 1, 1), dt.date(2015, 1, 1)],
    ...        "exit_date": [None, dt.date(2020, 1, 1)], "cadre": ["nurse", "nurse"]}
    >>> hrh.stock_table(reg, at=dt.date(2024, 12, 31), cadre="cadre").rows()
    [('all', 'nurse', 44, 1)]
    """
    if not isinstance(at, dt.date):
        raise InputError(f"argument 'at': {at!r} must be a date, e.g. datetime.date(2024, 12, 31)")
    df = to_frame(register, name="register")
    cols = [birth, entry, exit, cadre, *([region] if region else []), *([grade] if grade else [])]
    require_columns(df, cols, role="register")
    for c in (birth, entry, exit):
        if c != exit:
            check_no_nulls(df, c)
        elif df.schema[c] == pl.Null:  # every exit date missing: all still in post
            continue
        if not isinstance(df.schema[c], pl.Date | pl.Datetime):
            raise InputError(f"column '{c}': must hold dates, got {df.schema[c]}")
    if df.schema[exit] not in (pl.Date, pl.Datetime, pl.Null):  # null while in post
        raise InputError(f"column '{exit}': must hold dates, got {df.schema[exit]}")
    for c in [cadre, *([region] if region else []), *([grade] if grade else [])]:
        check_no_nulls(df, c)
    at_ = pl.lit(at)
    born = pl.col(birth).cast(pl.Date)
    age = (
        at_.dt.year()
        - born.dt.year()
        - (
            (at_.dt.month() < born.dt.month())
            | ((at_.dt.month() == born.dt.month()) & (at_.dt.day() < born.dt.day()))
        ).cast(pl.Int32)
    )
    in_post = df.filter(
        (pl.col(entry).cast(pl.Date) <= at_)
        & (pl.col(exit).is_null() | (pl.col(exit).cast(pl.Date) > at_))
    )
    unborn = in_post.with_row_index("__row").filter(born > at_)
    if unborn.height:
        row = unborn.row(0, named=True)
        raise InputError(
            f"column '{birth}', row {row['__row']}: born {row[birth]}, after the date "
            f"counted ({at}) but in post"
        )
    keys = [
        (pl.col(region).cast(pl.String) if region else pl.lit(default_region)).alias("region"),
        pl.col(cadre).cast(pl.String).alias("cadre"),
        *([pl.col(grade).cast(pl.String).alias("grade")] if grade else []),
        age.cast(pl.Int32).alias("age"),
    ]
    names = ["region", "cadre", *(["grade"] if grade else []), "age"]
    return (
        in_post.select(keys).group_by(names).agg(pl.len().cast(pl.Int64).alias("count")).sort(names)
    )


def attrition_rates(
    curve: Any,
    *,
    bands: Sequence[float],
    per_year: float = 1.0,
    by: str | Sequence[str] | None = None,
) -> pl.DataFrame:
    """Annual attrition rates by band from a fitted retention curve, for a scenario.

    For each band `[a, b)` of the curve's time axis, the constant annual probability of
    leaving that gives the curve's survival over the band:
    `rate = 1 - (S(b) / S(a)) ** (per_year / (b - a))`. With a Kaplan-Meier curve on the
    age scale (delayed entry at the age of hire, exit at the age of leaving) the rates are
    by age band, ready for a scenario's `attrition.by_age`; on the time-in-post scale a
    single band gives one average rate for `attrition.rate`.

    Parameters
    ----------
    curve
        A :class:`hrh.KaplanMeier`, or a table with `time` and `survival` (e.g. from
        :meth:`hrh.CoxResult.predict_survival`, whose `row` column is then a group).
    bands
        Increasing band limits on the curve's time axis (at least two).
    per_year
        Curve time units per year (365.25 for days).
    by
        Group columns of a table (a Kaplan-Meier result's own groups are used).

    Returns
    -------
    polars.DataFrame
        The groups, `from`, `to`, `rate` (null where the curve has reached 0 before
        the band).

    Raises
    ------
    InputError
        A table without `time` or `survival`; fewer than two band limits or limits not
        increasing; `per_year` not > 0.

    References
    ----------
    Kaplan EL, Meier P (1958). Nonparametric estimation from incomplete observations.
    JASA 53:457-481.
    Fleurence RL, Hollenbeak CS (2007). Rates and probabilities in economic modelling:
    transformation, translation and appropriate application. PharmacoEconomics
    25:3-6.

    Examples
    --------
    >>> import hrh
    >>> km = hrh.kaplan_meier({"t": [1, 2, 3, 4, 5, 6], "e": [1, 1, 0, 1, 1, 0]},
    ...                       duration="t", event="e")
    >>> hrh.attrition_rates(km, bands=[0, 2, 6]).rows()
    [(0.0, 2.0, 0.1835...), (2.0, 6.0, 0.2401...)]
    """
    numbers = isinstance(bands, Sequence | np.ndarray | pl.Series) and not isinstance(
        bands, str | bytes
    )
    if numbers:
        bands = list(bands)
        numbers = all(
            isinstance(b, int | float | np.number) and not isinstance(b, bool | np.bool_)
            for b in bands
        )
    cuts = [float(b) if abs(b) < 2**1023 else math.inf for b in bands] if numbers else []
    if (
        len(cuts) < 2
        or not all(math.isfinite(b) for b in cuts)
        or any(not (b > a) for a, b in itertools.pairwise(cuts))
    ):
        raise InputError(
            f"argument 'bands': {bands!r} must be at least two increasing finite limits"
        )
    if (
        isinstance(per_year, bool)
        or not isinstance(per_year, int | float | np.number)
        or not 0 < per_year < math.inf
    ):
        raise InputError(f"argument 'per_year': {per_year!r} must be a finite number > 0")
    per_year = float(per_year)
    from hrh.attrition import KaplanMeier

    bands_ = np.asarray(cuts, dtype=np.float64)
    if isinstance(curve, KaplanMeier):
        # Survival over each band from the curve's own factors (1 - d/n) at the event
        # times inside it, so that a band after the curve reaches 0 (a tiny risk set at
        # early ages under delayed entry) still gets its conditional rate.
        groups = list(curve.by)
        codes, keys, n = curve._groups()
        rates = _core.km_band_rates(curve._columns(), codes, n, bands_, per_year=per_year)
    else:
        table = to_frame(curve, name="curve")
        groups = as_list(by) or (["row"] if "row" in table.columns else [])
        require_columns(table, ["time", "survival", *groups], role="curve")
        if table.height == 0:
            raise InputError("curve has no rows")
        check_numeric(table, "time", minimum="any", table="curve")
        surv_col = table.get_column("survival")
        if not surv_col.dtype.is_numeric():
            raise InputError(
                f"column 'survival' has type {surv_col.dtype} in curve, expected numbers"
            )
        row = _first(surv_col.is_null())
        if row is not None:  # (NaN and values outside [0, 1] are named per group below)
            raise InputError(f"column 'survival', row {row}: value is null")
        for g in groups:
            check_key_type(table, g, table="curve")
            check_no_nulls(table, g, table="curve")
            if table.schema[g].is_float():
                row = _first(table.get_column(g).is_infinite())
                if row is not None:
                    raise InputError(
                        f"column '{g}', row {row}: group label {table[row, g]} is not finite"
                    )
        codes, keys = first_seen_codes(table, groups)
        n = max(keys.height, 1)
        # Each group's curve in time order, a step function from 1; the core names a
        # survival outside [0, 1] or rising, at its time.
        rates = _core.survival_band_rates(
            np.ascontiguousarray(table["time"].cast(pl.Float64).to_numpy()),
            np.ascontiguousarray(table["survival"].cast(pl.Float64).to_numpy()),
            codes,
            n,
            bands_,
            per_year=per_year,
        )
    k = len(cuts) - 1
    out = pl.DataFrame(
        {"from": np.tile(cuts[:-1], n), "to": np.tile(cuts[1:], n), "rate": rates}
    ).with_columns(pl.col("rate").fill_nan(None))
    if groups:
        out = pl.concat([keys[np.repeat(np.arange(n), k)], out], how="horizontal")
    return out
