"""Staffing need from workload: the WHO Workload Indicators of Staffing Need (WISN)."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import polars as pl

from hrh import _core
from hrh._frames import (
    as_list,
    check_level,
    check_no_nulls,
    check_numeric,
    column_array,
    group_codes,
    require_columns,
    to_frame,
)
from hrh.exceptions import InputError


def _non_negative(value: float, name: str) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not 0 <= value < float("inf")
    ):
        raise InputError(f"argument '{name}': {value!r} must be a finite number >= 0")
    return float(value)


def available_working_time(
    *,
    working_days: float,
    holidays: float = 0,
    annual_leave: float = 0,
    sick_leave: float = 0,
    other_leave: float = 0,
    hours_per_day: float,
) -> float:
    """Available working time of one staff member in hours per year (WISN step 2):
    (working days − public holidays − annual, sick and other leave) × hours per day.

    Days in, hours out.

    Parameters
    ----------
    working_days
        Working days in a year (e.g. 52 weeks × 5 days = 260), finite and >= 0.
    holidays, annual_leave, sick_leave, other_leave
        Days off of each kind in a year (>= 0, default 0); together below
        `working_days`.
    hours_per_day
        Working hours in a day (> 0).

    Returns
    -------
    float
        Available working time in hours per year, for :func:`hrh.wisn`.

    Raises
    ------
    InputError
        An argument that is negative or not finite, days off that leave no working
        time, `hours_per_day` outside (0, 24].

    References
    ----------
    World Health Organization (2010). Workload indicators of staffing need (WISN):
    user's manual. Geneva: WHO.

    Examples
    --------
    >>> import hrh
    >>> hrh.available_working_time(working_days=260, holidays=10, annual_leave=20,
    ...                            sick_leave=8, other_leave=2, hours_per_day=8)
    1760.0
    """
    days = _non_negative(working_days, "working_days")
    absent = sum(
        _non_negative(v, n)
        for v, n in [
            (holidays, "holidays"),
            (annual_leave, "annual_leave"),
            (sick_leave, "sick_leave"),
            (other_leave, "other_leave"),
        ]
    )
    hours = _hours_per_day(hours_per_day)
    if absent >= days:
        raise InputError(
            f"argument 'working_days': {days:g} days leave no working time after {absent:g} "
            "days of holidays and leave"
        )
    return (days - absent) * hours


def _draws_and_seed(draws: Any, seed: Any) -> tuple[int, int]:
    """`draws` and `seed` checked as integers in the core's range; a seed of None is
    picked at random."""
    if isinstance(draws, bool) or not isinstance(draws, int) or not 0 <= draws < 2**63:
        raise InputError(f"argument 'draws': {draws!r} must be an integer from 0 to 2**63 - 1")
    if seed is None:
        seed = secrets.randbits(63)
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**64:
        raise InputError(f"argument 'seed': {seed!r} must be an integer from 0 to 2**64 - 1")
    return draws, seed


def _hours_per_day(value: Any, name: str = "hours_per_day") -> float:
    """Working hours in a day: more than 0 and at most 24."""
    hours = _non_negative(value, name)
    if not 0 < hours <= 24:
        raise InputError(
            f"argument '{name}': {value!r} hours a day must be more than 0 and at most 24"
        )
    return hours


@dataclass(frozen=True)
class WisnResult:
    """Staffing need per group.

    Attributes
    ----------
    table : polars.DataFrame
        The `by` columns, ``service_staff``, ``caf``, ``iaf``, ``required`` (with
        its interval ``lower``/``upper`` when unit times are uncertain),
        ``existing``, ``difference`` = existing − required, ``ratio`` = existing /
        required, ``pressure`` = 1 − ratio.
    activities : polars.DataFrame
        The services with ``unit_time``, ``standard_workload`` (units one staff member
        can do in a year) and ``staff`` (workload / standard workload).
    available_time : float or None
        The available working time; None when it differs by group (then it is a
        column of `table`).

    References
    ----------
    World Health Organization (2010). Workload indicators of staffing need (WISN):
    user's manual. Geneva: WHO.

    Examples
    --------
    >>> import hrh
    >>> services = {"activity": ["outpatient visit"], "workload": [8800], "unit_time": [0.2]}
    >>> r = hrh.wisn(services, available_time=1760, existing=2)
    >>> r.table.select("required", "existing", "difference").rows()
    [(1.0, 2.0, 1.0)]
    >>> r.activities["standard_workload"].to_list()
    [8800.0]
    """

    table: pl.DataFrame
    activities: pl.DataFrame
    available_time: float | None

    def to_polars(self) -> pl.DataFrame:
        """The per-group table."""
        return self.table

    def _repr_html_(self) -> str:
        at = (
            f"available working time {self.available_time:,.0f} h/year"
            if self.available_time is not None
            else "available working time by group"
        )
        return f"<b>WISN</b> ({at})" + self.table._repr_html_()


def _per_group(
    df: pl.DataFrame,
    codes: Any,
    n_groups: int,
    column: str,
    *,
    minimum: Literal["non_negative", "positive"],
) -> npt.NDArray[np.float64]:
    """One number per group from a column of `df` that must be constant within groups."""
    require_columns(df, [column], role=column, table="services")
    check_numeric(df, column, minimum=minimum, table="services")
    per_group = (
        df.with_columns(pl.Series("__g", codes))
        .group_by("__g")
        .agg(pl.col(column).n_unique().alias("n"), pl.col(column).first().cast(pl.Float64))
    )
    if (per_group["n"] > 1).any():
        raise InputError(f"column '{column}': differs within a group; give one number per group")
    out = np.zeros(n_groups)
    out[per_group["__g"].to_numpy()] = per_group[column].to_numpy()
    return out


def _applied(
    table: pl.DataFrame, keys: pl.DataFrame, by: list[str], values: list[str]
) -> pl.DataFrame:
    """The rows of `table` paired with each group they apply to (`__g`, the group's code,
    and `values`): rows match a group on the `by` columns the table has; a table without
    them applies to every group."""
    shared = [c for c in by if c in table.columns]
    coded = (
        keys.with_row_index("__g") if by else pl.DataFrame({"__g": [0]}, schema={"__g": pl.UInt32})
    )
    joined = (
        coded.join(table.select([*shared, *values]), on=shared, how="inner")
        if shared
        else coded.join(table.select(values), how="cross")
    )
    return joined.select(pl.col("__g").cast(pl.UInt32), *values)


_PER = {"percent": 0, "day": 1, "week": 2, "year": 3}


def wisn(
    services: Any,
    *,
    available_time: float | str,
    support: Any = None,
    additional: Any = None,
    existing: float | str | None = None,
    by: str | Sequence[str] | None = None,
    hours_per_day: float = 8,
    days_per_week: float = 5,
    draws: int = 1000,
    level: float = 0.95,
    seed: int | None = None,
) -> WisnResult:
    """Staff required for a workload, by the WHO WISN method.

    Parameters
    ----------
    services
        Health-service activities: ``activity``, ``workload`` (units per year) and
        ``unit_time`` (hours per unit) — or ``rate`` (units per hour, a standard given
        as a rate of working; unit time = 1 / rate). Optional ``unit_time_low`` and
        ``unit_time_high`` make the unit time uncertain (uniform between them) and add
        a Monte Carlo interval on ``required``.
    available_time
        Available working time of one staff member, hours per year (see
        :func:`available_working_time`): a number, or a column of `services` constant
        within each group (WHO computes it per staff category and facility, whose
        working hours differ).
    support
        Category allowances (support activities every member of the cadre does):
        ``activity`` and either ``percent`` of working time or ``hours`` with ``per``
        in {"day", "week", "year"}. A daily share is hours / `hours_per_day`, a weekly
        one hours / (`hours_per_day` × `days_per_week`), a yearly one hours /
        `available_time` (of each group). CAF = 1 / (1 − Σ CAS % / 100).
    additional
        Individual allowances (done by some members only): ``activity``,
        ``hours_per_year`` and ``staff``. IAF = Σ hours × staff / available time.
    existing
        Staff in post: a number (every group) or a column of `services`, constant
        within each group.
    by
        Grouping columns of `services` (e.g. facility, cadre). `support` and
        `additional` rows apply to the groups whose `by` values they carry; without
        those columns they apply to every group.
    hours_per_day, days_per_week
        Working hours in a day (8) and days in a week (5), to turn daily and weekly
        support hours into shares of working time; > 0.
    draws, level, seed
        Monte Carlo draws, interval level and seed for uncertain unit times.

    Returns
    -------
    WisnResult
        ``.table`` per group (``service_staff``, ``caf``, ``iaf``, ``required``,
        ``existing``, ``difference``, ``ratio``, ``pressure``) and ``.activities``.

    Raises
    ------
    InputError
        A column that `services`, `support` or `additional` lacks (neither
        ``unit_time`` nor ``rate``); a negative, null or NaN workload or unit time; an
        available time that is not > 0 or not constant within a group; category
        allowances that add up to 100 % or more; a ``per`` other than day, week or
        year; `hours_per_day` outside (0, 24] or `days_per_week` outside (0, 7];
        `draws` or `seed` not an integer in range; `level` outside (0, 1).

    References
    ----------
    World Health Organization (2010). Workload indicators of staffing need: user's
    manual. Geneva: WHO.

    Examples
    --------
    >>> import hrh
    >>> services = {"activity": ["outpatient visit", "delivery"],
    ...             "workload": [6000, 400], "unit_time": [1 / 3, 3]}
    >>> support = {"activity": ["meetings", "records"], "hours": [2, 0.4], "per": ["week", "day"]}
    >>> extra = {"activity": ["supervision"], "hours_per_year": [100], "staff": [2]}
    >>> r = hrh.wisn(services, available_time=1760, support=support, additional=extra,
    ...              existing=3)
    >>> import polars as pl
    >>> r.table.select(pl.col("service_staff", "caf", "required", "ratio").round(4))
    shape: (1, 4)
    ┌───────────────┬────────┬──────────┬────────┐
    │ service_staff ┆ caf    ┆ required ┆ ratio  │
    │ ---           ┆ ---    ┆ ---      ┆ ---    │
    │ f64           ┆ f64    ┆ f64      ┆ f64    │
    ╞═══════════════╪════════╪══════════╪════════╡
    │ 1.8182        ┆ 1.1111 ┆ 2.1338   ┆ 1.4059 │
    └───────────────┴────────┴──────────┴────────┘
    """
    hpd = _hours_per_day(hours_per_day)
    dpw = _non_negative(days_per_week, "days_per_week")
    if not 0 < dpw <= 7:
        raise InputError(
            f"argument 'days_per_week': {days_per_week!r} must be more than 0 and at most 7"
        )
    draws_checked, seed_checked = _draws_and_seed(draws, seed)
    df = to_frame(services, name="services")
    by_cols = as_list(by)
    require_columns(df, ["workload"], role="workload", table="services")
    require_columns(df, by_cols, role="by", table="services")
    if df.height == 0:
        raise InputError("services has no rows")
    for c in by_cols:
        check_no_nulls(df, c, table="services")
    check_numeric(df, "workload", minimum="non_negative", table="services")
    if "unit_time" in df.columns:
        check_numeric(df, "unit_time", minimum="positive", table="services")
        unit = df.get_column("unit_time").cast(pl.Float64)
    elif "rate" in df.columns:
        check_numeric(df, "rate", minimum="positive", table="services")
        unit = 1.0 / df.get_column("rate").cast(pl.Float64)
    else:
        raise InputError("services: give a 'unit_time' (hours per unit) or a 'rate' column")
    df = df.with_columns(unit.alias("__unit"))
    codes, keys = group_codes(df, by_cols)
    n_groups = max(keys.height, 1)
    if isinstance(available_time, str):
        at = _per_group(df, codes, n_groups, available_time, minimum="positive")
    elif isinstance(available_time, bool) or not isinstance(available_time, int | float):
        raise InputError(f"argument 'available_time': {available_time!r} is not a number")
    elif not available_time > 0:
        raise InputError(f"argument 'available_time': {available_time} must be > 0 hours")
    else:
        at = np.full(n_groups, float(available_time))

    # Which support and additional rows apply to which group; the allowances themselves
    # are computed in the core.
    sup_rows = pl.DataFrame(
        {"__g": [], "__value": [], "__per": []},
        schema={"__g": pl.UInt32, "__value": pl.Float64, "__per": pl.UInt8},
    )
    if support is not None:
        sup = to_frame(support, name="support")
        if "percent" in sup.columns:
            check_numeric(sup, "percent", minimum="non_negative", table="support")
            sup = sup.with_columns(
                pl.col("percent").cast(pl.Float64).alias("__value"),
                pl.lit(_PER["percent"], dtype=pl.UInt8).alias("__per"),
            )
        elif "hours" in sup.columns and "per" in sup.columns:
            check_numeric(sup, "hours", minimum="non_negative", table="support")
            check_no_nulls(sup, "per", table="support")
            if sup.schema["per"] != pl.String:
                raise InputError(
                    f"column 'per' has type {sup.schema['per']} in support, expected text "
                    "('day', 'week' or 'year')"
                )
            bad = (~sup["per"].is_in(["day", "week", "year"])).arg_true()
            if len(bad):
                row = int(bad[0])
                raise InputError(
                    f"column 'per', row {row}: {sup['per'][row]!r} is not 'day', 'week' or "
                    "'year' in support"
                )
            sup = sup.with_columns(
                pl.col("hours").cast(pl.Float64).alias("__value"),
                pl.col("per").replace_strict(_PER, return_dtype=pl.UInt8).alias("__per"),
            )
        else:
            raise InputError("support: give a 'percent' column, or 'hours' with 'per'")
        sup_rows = _applied(sup, keys, by_cols, ["__value", "__per"])

    add_rows = pl.DataFrame(
        {"__g": [], "hours_per_year": [], "staff": []},
        schema={"__g": pl.UInt32, "hours_per_year": pl.Float64, "staff": pl.Float64},
    )
    if additional is not None:
        add = to_frame(additional, name="additional")
        require_columns(add, ["hours_per_year", "staff"], role="additional", table="additional")
        check_numeric(add, "hours_per_year", minimum="non_negative", table="additional")
        check_numeric(add, "staff", minimum="non_negative", table="additional")
        add = add.with_columns(pl.col("hours_per_year", "staff").cast(pl.Float64))
        add_rows = _applied(add, keys, by_cols, ["hours_per_year", "staff"])

    if existing is None:
        have = np.full(n_groups, np.nan)
    elif isinstance(existing, str):
        have = _per_group(df, codes, n_groups, existing, minimum="non_negative")
    else:
        have = np.full(n_groups, _non_negative(existing, "existing"))

    low = high = None
    mc_seed = 0
    if "unit_time_low" in df.columns and "unit_time_high" in df.columns:
        check_numeric(df, "unit_time_low", minimum="positive", table="services")
        check_numeric(df, "unit_time_high", minimum="positive", table="services")
        check_level(level)
        low = column_array(df, "unit_time_low")
        high = column_array(df, "unit_time_high")
        mc_seed = seed_checked
    r = _core.wisn(
        np.ascontiguousarray(at),
        codes,
        column_array(df, "workload"),
        column_array(df, "__unit"),
        np.ascontiguousarray(have),
        n_groups,
        support_group=sup_rows["__g"].to_numpy(),
        support_value=sup_rows["__value"].to_numpy(),
        support_per=sup_rows["__per"].to_numpy(),
        additional_group=add_rows["__g"].to_numpy(),
        additional_hours=add_rows["hours_per_year"].to_numpy(),
        additional_staff=add_rows["staff"].to_numpy(),
        hours_per_day=hpd,
        days_per_week=dpw,
        low=low,
        high=high,
        draws=draws_checked,
        level=float(level),
        seed=mc_seed,
    )
    cols = {c: c for c in ("service_staff", "caf", "iaf", "required")}
    if "required_lower" in r:
        cols |= {"lower": "required_lower", "upper": "required_upper"}
    table = pl.DataFrame({name: r[key] for name, key in cols.items()}).with_columns(
        existing=pl.Series(have).fill_nan(None),
        difference=pl.Series(r["difference"]).fill_nan(None),
        ratio=pl.Series(r["ratio"]).fill_nan(None),
        pressure=pl.Series(r["pressure"]).fill_nan(None),
    )
    if isinstance(available_time, str):
        table = table.with_columns(available_time=pl.Series(at))
    if by_cols:
        table = pl.concat([keys, table], how="horizontal")
    activities = df.drop("__unit").with_columns(
        unit_time=df["__unit"],
        standard_workload=pl.Series(r["standard_workload"]),
        staff=pl.Series(r["staff"]),
    )
    return WisnResult(
        table=table,
        activities=activities,
        available_time=float(at[0]) if not isinstance(available_time, str) else None,
    )
