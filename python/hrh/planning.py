"""Workforce planning: staffing need from workload with the WHO Workload Indicators of
Staffing Need (WISN) method.

References
----------
World Health Organization (2010). Workload indicators of staffing need: user's manual.
Geneva: WHO.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
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

__all__ = ["WisnResult", "available_working_time", "wisn"]


def _non_negative(value: float, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
        raise InputError(f"column '{name}': {value!r} must be a number >= 0")
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
    hours = _non_negative(hours_per_day, "hours_per_day")
    if absent >= days:
        raise InputError(
            f"column 'working_days': {days:g} days leave no working time after {absent:g} "
            "days of holidays and leave"
        )
    if hours == 0:
        raise InputError("column 'hours_per_day': 0 leaves no working time")
    return (days - absent) * hours


@dataclass(frozen=True)
class WisnResult:
    """Staffing need per group.

    Attributes
    ----------
    table : polars.DataFrame
        The `by` columns, ``service_staff``, ``caf``, ``iaf``, ``required`` (with
        ``required_lower``/``required_upper`` when unit times are uncertain),
        ``existing``, ``difference`` = existing − required, ``ratio`` = existing /
        required, ``pressure`` = 1 − ratio.
    activities : polars.DataFrame
        The services with ``unit_time``, ``standard_workload`` (units one staff member
        can do in a year) and ``staff`` (workload / standard workload).
    available_time : float
    """

    table: pl.DataFrame
    activities: pl.DataFrame
    available_time: float

    def to_polars(self) -> pl.DataFrame:
        """The per-group table."""
        return self.table

    def _repr_html_(self) -> str:
        return (
            f"<b>WISN</b> (available working time {self.available_time:,.0f} h/year)"
            + self.table._repr_html_()
        )


def _allowance_per_group(
    table: pl.DataFrame, keys: pl.DataFrame, by: list[str], value: str, n_groups: int
) -> np.ndarray:
    """Sum `value` over the rows of `table` that apply to each group: rows match a group
    on the `by` columns the table has; a table without them applies to every group."""
    shared = [c for c in by if c in table.columns]
    coded = (
        keys.with_row_index("__g") if by else pl.DataFrame({"__g": [0]}, schema={"__g": pl.UInt32})
    )
    joined = (
        coded.join(table.select([*shared, value]), on=shared, how="inner")
        if shared
        else coded.join(table.select(value), how="cross")
    )
    sums = joined.group_by("__g").agg(pl.col(value).sum())
    out = np.zeros(n_groups)
    out[sums["__g"].to_numpy()] = sums[value].to_numpy()
    return out


def wisn(
    services: Any,
    *,
    available_time: float,
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
        :func:`available_working_time`).
    support
        Category allowances (support activities every member of the cadre does):
        ``activity`` and either ``percent`` of working time or ``hours`` with ``per``
        in {"day", "week", "year"}. A daily share is hours / `hours_per_day`, a weekly
        one hours / (`hours_per_day` × `days_per_week`), a yearly one hours /
        `available_time`. CAF = 1 / (1 − Σ CAS % / 100).
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
    draws, level, seed
        Monte Carlo draws, interval level and seed for uncertain unit times.

    Returns
    -------
    WisnResult

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
    if isinstance(available_time, bool) or not isinstance(available_time, int | float):
        raise InputError(f"column 'available_time': {available_time!r} is not a number")
    if not available_time > 0:
        raise InputError(f"column 'available_time': {available_time} must be > 0 hours")
    hpd = _non_negative(hours_per_day, "hours_per_day")
    dpw = _non_negative(days_per_week, "days_per_week")
    if hpd == 0 or dpw == 0:
        raise InputError("hours_per_day and days_per_week must be > 0")
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

    cas = np.zeros(n_groups)
    if support is not None:
        sup = to_frame(support, name="support")
        if "percent" in sup.columns:
            check_numeric(sup, "percent", minimum="non_negative", table="support")
            sup = sup.with_columns(pl.col("percent").cast(pl.Float64).alias("__pct"))
        elif "hours" in sup.columns and "per" in sup.columns:
            check_numeric(sup, "hours", minimum="non_negative", table="support")
            check_no_nulls(sup, "per", table="support")
            bad = (~sup["per"].is_in(["day", "week", "year"])).arg_true()
            if len(bad):
                row = int(bad[0])
                raise InputError(
                    f"column 'per', row {row}: {sup['per'][row]!r} is not 'day', 'week' or "
                    "'year' in support"
                )
            denom = (
                pl.when(pl.col("per") == "day")
                .then(hpd)
                .when(pl.col("per") == "week")
                .then(hpd * dpw)
                .otherwise(float(available_time))
            )
            sup = sup.with_columns((100 * pl.col("hours").cast(pl.Float64) / denom).alias("__pct"))
        else:
            raise InputError("support: give a 'percent' column, or 'hours' with 'per'")
        cas = _allowance_per_group(sup, keys, by_cols, "__pct", n_groups)

    ias = np.zeros(n_groups)
    if additional is not None:
        add = to_frame(additional, name="additional")
        require_columns(add, ["hours_per_year", "staff"], role="additional", table="additional")
        check_numeric(add, "hours_per_year", minimum="non_negative", table="additional")
        check_numeric(add, "staff", minimum="non_negative", table="additional")
        add = add.with_columns(
            (pl.col("hours_per_year").cast(pl.Float64) * pl.col("staff")).alias("__hours")
        )
        ias = _allowance_per_group(add, keys, by_cols, "__hours", n_groups)

    if existing is None:
        have = np.full(n_groups, np.nan)
    elif isinstance(existing, str):
        require_columns(df, [existing], role="existing", table="services")
        check_numeric(df, existing, minimum="non_negative", table="services")
        per_group = (
            df.with_columns(pl.Series("__g", codes))
            .group_by("__g")
            .agg(pl.col(existing).n_unique().alias("n"), pl.col(existing).first().cast(pl.Float64))
        )
        if (per_group["n"] > 1).any():
            raise InputError(
                f"column '{existing}': differs within a group; give one number per group"
            )
        have = np.zeros(n_groups)
        have[per_group["__g"].to_numpy()] = per_group[existing].to_numpy()
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
        mc_seed = int(secrets.randbits(63) if seed is None else seed)
    r = _core.wisn(
        float(available_time),
        codes,
        column_array(df, "workload"),
        column_array(df, "__unit"),
        np.ascontiguousarray(cas),
        np.ascontiguousarray(ias),
        np.ascontiguousarray(have),
        n_groups,
        low=low,
        high=high,
        draws=int(draws),
        level=float(level),
        seed=mc_seed,
    )
    cols = ["service_staff", "caf", "iaf", "required"]
    if "required_lower" in r:
        cols += ["required_lower", "required_upper"]
    table = pl.DataFrame({c: r[c] for c in cols}).with_columns(
        existing=pl.Series(have).fill_nan(None),
        difference=pl.Series(r["difference"]).fill_nan(None),
        ratio=pl.Series(r["ratio"]).fill_nan(None),
        pressure=pl.Series(r["pressure"]).fill_nan(None),
    )
    if by_cols:
        table = pl.concat([keys, table], how="horizontal")
    activities = df.drop("__unit").with_columns(
        unit_time=df["__unit"],
        standard_workload=float(available_time) / df["__unit"],
        staff=df["workload"].cast(pl.Float64) * df["__unit"] / float(available_time),
    )
    return WisnResult(table=table, activities=activities, available_time=float(available_time))
