"""Gaps against norms and quotas: :func:`hrh.shortfall` (staff short of a density
norm), :func:`hrh.quota_gap` (staff against a staffing quota) and
:func:`hrh.agglomeration` (each unit's share of staff against its share of population
or area)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl

from hrh import _core
from hrh._density._common import _POP, _check_keys, _rows_with_population, _sum
from hrh._frames import (
    Nulls,
    _first,
    as_list,
    check_numeric,
    check_positive,
    column_array,
    drop_nulls,
    group_codes,
    require_columns,
    to_frame,
)
from hrh.exceptions import InputError


def shortfall(
    data: Any,
    *,
    staff: str,
    population: Any,
    norm: float | str,
    per: float = 1000,
    by: str | Sequence[str] | None = None,
    nulls: Nulls = "raise",
    population_sum_over: str | Sequence[str] | None = None,
) -> pl.DataFrame:
    """Staff needed to reach a density norm, and the shortfall or surplus.

    Parameters
    ----------
    data
        Table of counts, one row per unit.
    staff
        Column of `data`.
    population
        A column of `data`; or a separate population table, as in :func:`density`
        (a ``population`` column, or exactly one other numeric column, and unique
        keys), joined to each row of `data` on the key columns the two share: each row
        takes its unit's population. A row without a population row, or a table that
        shares no key column with `data`, is an InputError.
    norm
        Required staff per `per` population: a number (e.g.
        :data:`hrh.norms.SDG_THRESHOLD`, 4.45) or a column of `data` (norms that differ
        between rows, e.g. urban and rural).
    per
        Population denominator of the norm.
    by
        Grouping columns; each row's shortfall and surplus are computed on the row and
        summed per group (without `by`, over all rows).
    nulls
        ``"raise"`` (default): a null or NaN in a used column is an InputError.
        ``"drop"``: rows with one are dropped with a warning giving the count.
    population_sum_over
        With a population table: its key column(s) over which the population is summed
        on purpose (as in :func:`density`); a key column that `data` lacks and that
        varies within a unit is otherwise an InputError.

    Returns
    -------
    polars.DataFrame
        The `by` columns, ``staff``, ``population``, ``required`` = Σ norm × population
        / per, ``shortfall`` = Σ over the group's rows of max(required − staff, 0),
        ``surplus`` = Σ max(staff − required, 0), ``net_gap`` = required − staff (=
        shortfall − surplus: a surplus in one row offsets a shortfall in another, so it
        is named net) and ``ratio`` = staff / required (null where nothing is required,
        e.g. a norm of 0). A shortfall is counted where it is: one row's surplus never
        reduces another row's shortfall.

    Raises
    ------
    InputError
        A column that `data` lacks; null, NaN or non-numeric values (unless
        ``nulls="drop"``); negative staff; a population that is not > 0; a `norm` that
        is negative or neither a number nor a column; ``per <= 0``; `data` without
        rows; a population table with duplicated keys, without a row for a row of
        `data`, or with key columns that would be summed over silently.

    References
    ----------
    World Health Organization (2016). Global strategy on human resources for health:
    Workforce 2030. Geneva: WHO (the SDG threshold of 4.45 per 1,000).
    World Health Organization (2006). The World Health Report 2006: working together
    for health. Geneva: WHO (the threshold of 2.28 per 1,000).

    Examples
    --------
    Two districts, one short of the SDG threshold and one above it:

    >>> import hrh
    >>> hrh.shortfall({"staff": [1200, 5100], "population": [500_000, 1_000_000]},
    ...               staff="staff", population="population", norm=hrh.norms.SDG_THRESHOLD)
    shape: (1, 7)
    ┌────────┬────────────┬──────────┬───────────┬─────────┬─────────┬─────────┐
    │ staff  ┆ population ┆ required ┆ shortfall ┆ surplus ┆ net_gap ┆ ratio   │
    │ ---    ┆ ---        ┆ ---      ┆ ---       ┆ ---     ┆ ---     ┆ ---     │
    │ f64    ┆ f64        ┆ f64      ┆ f64       ┆ f64     ┆ f64     ┆ f64     │
    ╞════════╪════════════╪══════════╪═══════════╪═════════╪═════════╪═════════╡
    │ 6300.0 ┆ 1.5e6      ┆ 6675.0   ┆ 1025.0    ┆ 650.0   ┆ 375.0   ┆ 0.94382 │
    └────────┴────────────┴──────────┴───────────┴─────────┴─────────┴─────────┘
    """
    check_positive(per, "per")
    df = to_frame(data)
    by_cols = as_list(by)
    norm_col = norm if isinstance(norm, str) else None
    if norm_col is None and (
        isinstance(norm, bool) or not isinstance(norm, int | float) or not norm >= 0
    ):
        raise InputError(f"argument 'norm': {norm!r} must be a number >= 0 or a column name")
    pop_in_data = isinstance(population, str)
    pop_name = population if isinstance(population, str) else "population"
    require_columns(df, [staff], role="staff")
    if pop_in_data:
        require_columns(df, [population], role="population")
    if pop_in_data and population_sum_over is not None:
        raise InputError(
            "argument 'population_sum_over': population is a column of data; "
            "population_sum_over applies to a population table"
        )
    if norm_col is not None:
        require_columns(df, [norm_col], role="norm")
    require_columns(df, by_cols, role="by")
    used = [staff] + ([norm_col] if norm_col is not None else [])
    df = drop_nulls(df, by_cols + used + ([population] if pop_in_data else []), nulls)
    if df.height == 0:
        raise InputError("data has no rows")
    _check_keys(df, by_cols)
    check_numeric(df, staff, minimum="non_negative")
    if pop_in_data:
        check_numeric(df, population, minimum="positive")
    else:
        df = _rows_with_population(df, population, None, population_sum_over, used)
    pop_col = population if isinstance(population, str) else _POP
    if norm_col is not None:
        check_numeric(df, norm_col, minimum="non_negative")
    norm_expr = pl.col(norm_col).cast(pl.Float64) if norm_col is not None else pl.lit(float(norm))
    rows = df.select(
        *by_cols,
        pl.col(staff).cast(pl.Float64).alias("_staff"),
        pl.col(pop_col).cast(pl.Float64).alias("_population"),
        (norm_expr * (pl.col(pop_col).cast(pl.Float64) / float(per))).alias("_required"),
    )
    row = _first(rows.get_column("_required").is_infinite())
    if row is not None:
        raise InputError(
            f"column '{pop_name}', row {row}: the staff required, norm x population / "
            f"per, is beyond the largest float (check the unit)"
        )
    short, surplus, _ = _core.shortfall(
        column_array(rows, "_staff"), column_array(rows, "_required")
    )
    rows = rows.with_columns(_shortfall=pl.Series(short), _surplus=pl.Series(surplus))
    agg = _sum(
        rows,
        by_cols,
        {c: f"_{c}" for c in ("staff", "population", "required", "shortfall", "surplus")},
    )
    _, _, ratio = _core.shortfall(column_array(agg, "staff"), column_array(agg, "required"))
    row = _first(pl.Series(ratio).is_infinite())
    if row is not None:
        group = ", ".join(f"{k}={agg[row, k]!r}" for k in by_cols) or "all rows"
        raise InputError(
            f"column '{pop_name}': the staff required over {group}, "
            f"{agg[row, 'required']!r}, is too small beside the staff: their ratio "
            "exceeds the largest number (check the unit)"
        )
    return agg.with_columns(
        net_gap=pl.col("required") - pl.col("staff"), ratio=pl.Series(ratio).fill_nan(None)
    )


def quota_gap(
    data: Any,
    *,
    staff: str,
    quota: str,
    by: str | Sequence[str] | None = None,
    nulls: Nulls = "raise",
) -> pl.DataFrame:
    """Staff against an approved staffing quota (establishment).

    Parameters
    ----------
    data
        Table of counts, one row per unit (e.g. facility or district and cadre).
    staff
        Column of staff in post (>= 0).
    quota
        Column of approved posts (> 0).
    by
        Grouping columns; each row's vacancies and staff over quota are computed on the
        row and summed per group (without `by`, over all rows).
    nulls
        ``"raise"`` (default): a null or NaN in a used column is an InputError.
        ``"drop"``: rows with one are dropped with a warning giving the count.

    Returns
    -------
    polars.DataFrame
        The `by` columns, ``staff``, ``quota``, ``fill_rate`` = staff / quota,
        ``vacancies`` = Σ over the group's rows of max(quota − staff, 0) (posts
        unfilled where they are), ``over_quota`` = Σ max(staff − quota, 0) and
        ``net_vacancies`` = quota − staff (= vacancies − over_quota, netted across
        rows, so named net).

    Raises
    ------
    InputError
        A column that `data` lacks; null, NaN or non-numeric values (unless
        ``nulls="drop"``); negative staff; a quota that is not > 0; `data` without rows.

    References
    ----------
    Dal Poz MR, Gupta N, Quain E, Soucat ALB, eds (2009). Handbook on monitoring and
    evaluation of human resources for health. Geneva: World Health Organization
    (vacancy and fill rates against approved posts).

    Examples
    --------
    The province of the motivating case: 3,087 staff, 277 short of its quota.

    >>> import hrh
    >>> hrh.quota_gap({"staff": [3087], "quota": [3364]}, staff="staff", quota="quota")
    shape: (1, 6)
    ┌────────┬────────┬───────────┬───────────┬────────────┬───────────────┐
    │ staff  ┆ quota  ┆ fill_rate ┆ vacancies ┆ over_quota ┆ net_vacancies │
    │ ---    ┆ ---    ┆ ---       ┆ ---       ┆ ---        ┆ ---           │
    │ f64    ┆ f64    ┆ f64       ┆ f64       ┆ f64        ┆ f64           │
    ╞════════╪════════╪═══════════╪═══════════╪════════════╪═══════════════╡
    │ 3087.0 ┆ 3364.0 ┆ 0.917658  ┆ 277.0     ┆ 0.0        ┆ 277.0         │
    └────────┴────────┴───────────┴───────────┴────────────┴───────────────┘
    """
    df = to_frame(data)
    by_cols = as_list(by)
    require_columns(df, [staff], role="staff")
    require_columns(df, [quota], role="quota")
    require_columns(df, by_cols, role="by")
    df = drop_nulls(df, [*by_cols, staff, quota], nulls)
    if df.height == 0:
        raise InputError("data has no rows")
    _check_keys(df, by_cols)
    check_numeric(df, staff, minimum="non_negative")
    check_numeric(df, quota, minimum="positive")
    rows = df.select(
        *by_cols,
        pl.col(staff).cast(pl.Float64).alias("_staff"),
        pl.col(quota).cast(pl.Float64).alias("_quota"),
    )
    _, gap = _core.quota_gap(column_array(rows, "_staff"), column_array(rows, "_quota"))
    gap_s = pl.Series(gap)
    rows = rows.with_columns(_vacancies=gap_s.clip(lower_bound=0.0), _over=(-gap_s).clip(0.0))
    agg = _sum(
        rows,
        by_cols,
        {"staff": "_staff", "quota": "_quota", "vacancies": "_vacancies", "over_quota": "_over"},
    )
    fill, net = _core.quota_gap(column_array(agg, "staff"), column_array(agg, "quota"))
    return agg.select(
        *by_cols,
        "staff",
        "quota",
        fill_rate=pl.Series(fill),
        vacancies="vacancies",
        over_quota="over_quota",
        net_vacancies=pl.Series(net),
    )


def agglomeration(
    data: Any,
    *,
    staff: str,
    population: str,
    area: str,
    by: str | Sequence[str] | None = None,
    per: float = 1000,
) -> pl.DataFrame:
    """Health-resource and population agglomeration degrees of units within groups.

    For unit i of a `by` group (e.g. a province within a year),
    HRAD_i = (S_i / ΣS) / (A_i / ΣA) and PAD_i = (P_i / ΣP) / (A_i / ΣA), with S staff,
    P population and A area summed over the group. HRAD > 1: staff are more
    concentrated in the unit than its land area; HRAD / PAD > 1: more than its
    population.

    Parameters
    ----------
    data
        Table of counts, one row per unit (e.g. province and year). Not modified.
    staff, population, area
        Columns of staff (>= 0), population (> 0) and land area in km² (> 0).
    by
        Column(s) of the groups within which shares are taken (e.g. ``"year"``); None:
        all rows form one group.
    per
        Population denominator of the density in ``hrdi`` (1,000 by default).

    Returns
    -------
    polars.DataFrame
        `data` with ``staff_share``, ``population_share``, ``area_share``, ``hrad``,
        ``pad``, ``hrad_pad_ratio`` (= staff share / population share) and ``hrdi`` =
        √(staff/population × `per` × staff/area) appended, rows in their input order.

    Raises
    ------
    InputError
        A column that `data` lacks; null, NaN or non-numeric values; negative staff; a
        population or area that is not > 0; ``per <= 0``; `data` without rows.

    References
    ----------
    HRAD and PAD are location quotients on land area, as used for provinces in the
    Chinese health-resource allocation literature (no single original source).
    Horev T, Pesis-Katz I, Mukamel DB (2004). Trends in geographic disparities in
    allocation of health care resources in the US. Health Policy 68:223-232 (HRDI).

    Examples
    --------
    >>> import hrh
    >>> units = {"unit": ["a", "b"], "staff": [30, 10], "population": [1000, 1000],
    ...          "area": [10, 30]}
    >>> hrh.agglomeration(units, staff="staff", population="population", area="area"
    ...     ).select("unit", "hrad", "pad", "hrad_pad_ratio")
    shape: (2, 4)
    ┌──────┬──────────┬──────────┬────────────────┐
    │ unit ┆ hrad     ┆ pad      ┆ hrad_pad_ratio │
    │ ---  ┆ ---      ┆ ---      ┆ ---            │
    │ str  ┆ f64      ┆ f64      ┆ f64            │
    ╞══════╪══════════╪══════════╪════════════════╡
    │ a    ┆ 3.0      ┆ 2.0      ┆ 1.5            │
    │ b    ┆ 0.333333 ┆ 0.666667 ┆ 0.5            │
    └──────┴──────────┴──────────┴────────────────┘
    """
    check_positive(per, "per")
    df = to_frame(data)
    by_cols = as_list(by, "by")
    require_columns(df, [staff], role="staff")
    require_columns(df, [population], role="population")
    require_columns(df, [area], role="area")
    if df.height == 0:
        raise InputError("data has no rows")
    _check_keys(df, by_cols)
    check_numeric(df, staff, minimum="non_negative")
    check_numeric(df, population, minimum="positive")
    check_numeric(df, area, minimum="positive")
    codes, keys = group_codes(df, by_cols)
    out = _core.agglomeration(
        column_array(df, staff),
        column_array(df, population),
        column_array(df, area),
        codes,
        max(keys.height, 1),
        per=float(per),
    )
    return df.with_columns(**{k: pl.Series(v) for k, v in out.items()})
