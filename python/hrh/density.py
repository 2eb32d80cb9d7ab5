"""Density metrics: staff per 1,000 population with exact intervals, per-area density,
HRDI, shortfall against a norm, staffing-quota gaps and agglomeration degrees.

All functions take a table (see :mod:`hrh._frames` for the accepted kinds), never
modify it, and return a polars DataFrame.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl

from hrh import _core
from hrh import _scale as scale
from hrh._frames import (
    Nulls,
    _first,
    as_list,
    broadcast,
    check_key_type,
    check_level,
    check_no_nulls,
    check_numeric,
    check_positive,
    check_unique_keys,
    column_array,
    drop_nulls,
    group_codes,
    grouped_sums,
    require_columns,
    to_frame,
)
from hrh.exceptions import InputError

__all__ = ["agglomeration", "density", "poisson_ci", "quota_gap", "shortfall"]

_STAFF = "__hrh_staff"


def _check_keys(df: pl.DataFrame, by: list[str], *, table: str = "data") -> None:
    require_columns(df, by, role="by", table=table)
    for c in by:
        check_key_type(df, c, table=table)
        check_no_nulls(df, c, table=table)


def _sum(
    df: pl.DataFrame,
    by: list[str],
    sums: dict[str, str],
    names: dict[str, str] | None = None,
    *,
    count: str | None = None,
) -> pl.DataFrame:
    """Exact sums (output name -> column) over `by` groups (sorted by the keys), or over
    all rows without `by`, identical for any row order and number of threads; `count`
    names a row-count column."""
    out = grouped_sums(df, by, sums, count=count)
    if count is not None:
        out = out.with_columns(pl.col(count).cast(pl.Float64))
    _check_sums(out, by, names)
    return out


def _check_sums(out: pl.DataFrame, by: list[str], names: dict[str, str] | None) -> None:
    """A sum beyond the largest float is an InputError naming the column (`names` maps
    a sum's name to the user's column) and the group."""
    for c in out.columns:
        if c in by or not out.schema[c].is_float():
            continue
        row = _first(out.get_column(c).is_infinite())
        if row is not None:
            group = ", ".join(f"{k}={out[row, k]!r}" for k in by) or "all rows"
            raise InputError(
                f"column '{(names or {}).get(c, c)}': the sum over {group} is beyond the "
                "largest float (about 1.8e308); check the unit"
            )


def _population_table(
    population: Any, by: list[str], area: str | None
) -> tuple[pl.DataFrame, list[str], str, bool]:
    """Validate a separate population table; return it aggregated to the `by` keys it
    has, those keys, its value column and whether it carries `area`."""
    pop = to_frame(population, name="population")
    if "population" in pop.columns:
        value = "population"
    else:
        numeric = [
            c for c in pop.columns if pop.schema[c].is_numeric() and c not in by and c != area
        ]
        if len(numeric) != 1:
            raise InputError(
                "population table: name its value column 'population' (found columns "
                f"{', '.join(repr(c) for c in pop.columns)})"
            )
        value = numeric[0]
    has_area = area is not None and area in pop.columns
    values = [value] + ([area] if has_area and area is not None else [])
    key_cols = [c for c in pop.columns if c not in values]
    for c in key_cols:
        check_no_nulls(pop, c, table="the population table")
    check_numeric(pop, value, minimum="positive", table="the population table")
    if has_area and area is not None:
        check_numeric(pop, area, minimum="positive", table="the population table")
    check_unique_keys(pop, key_cols, table="the population table")
    keys = [c for c in by if c in pop.columns]
    if keys and set(keys) == set(key_cols):  # one row per group already: nothing to sum
        plain = [pl.col(value).cast(pl.Float64).alias("population")]
        if has_area and area is not None:
            plain.append(pl.col(area).cast(pl.Float64).alias("area"))
        return pop.select(*keys, *plain), keys, value, has_area
    sums = {"population": value} | ({"area": area} if has_area and area is not None else {})
    return _sum(pop, keys, sums), keys, value, has_area


def _join_population(agg: pl.DataFrame, pop: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    if not keys:
        return agg.join(pop, how="cross")
    for k in keys:
        left, right = agg.schema[k], pop.schema[k]
        if left != right:
            if not (left.is_numeric() and right.is_numeric()):
                raise InputError(
                    f"column '{k}' has type {left} in data but {right} in the population "
                    "table; cast one of them so that the keys can match"
                )
            pop = pop.with_columns(pl.col(k).cast(left))
    out = agg.join(pop, on=keys, how="left", maintain_order="left")
    missing = out.get_column("population").is_null().arg_true()
    if len(missing):
        row = int(missing[0])
        key = ", ".join(f"{k}={out[row, k]!r}" for k in keys)
        raise InputError(
            f"group ({key}) has no population: the population table has no row for it "
            f"({len(missing)} group(s) without population)"
        )
    return out


def density(
    data: Any,
    *,
    staff: str | Sequence[str] | None = None,
    population: Any,
    by: str | Sequence[str] | None = None,
    per: float = 1000,
    area: str | None = None,
    level: float = 0.95,
    nulls: Nulls = "raise",
) -> pl.DataFrame:
    """Health workers per `per` population, with exact Poisson confidence intervals.

    Parameters
    ----------
    data
        A register (one row per worker) or a table of counts (one row per unit, e.g.
        province-year): any table hrh reads, or, for data larger than memory, a polars
        ``LazyFrame`` or a Parquet path (file, directory or glob), read in batches of
        only the columns the call needs, or a Dask DataFrame, summed partition by
        partition (``pip install 'hrh[dask]'``). Sums are exact, so every route gives
        the same table, bit for bit.
    staff
        ``None`` counts the rows of `data` (a register); a column name sums that column
        (counts, or full-time equivalents); a list of columns gives one result per
        column (cadres in wide form), in long form with a ``cadre`` column.
    population
        A column of `data`, summed with the staff over each `by` group; or a separate
        table with key columns and a ``population`` column (or exactly one other
        numeric column). The table must have unique keys; it is summed over its keys
        that are not in `by` (e.g. age groups), then joined on the keys it shares with
        `by`; a table sharing no key with `by` gives one total applied to every group.
        A group with no population row raises InputError.
    by
        Grouping columns; ``None`` gives one row for all of `data`.
    per
        Population denominator of the density (1,000 by default).
    area
        Land area in km² (a column of `data`, or of the population table), summed like
        population. Adds ``area``, ``density_per_km2`` and ``hrdi`` = √(density ×
        density_per_km2).
    level
        Confidence level of the interval.
    nulls
        ``"raise"`` (default): a null or NaN is an InputError. ``"drop"``: rows with a
        null in a used column are dropped with a warning giving the count.

    Returns
    -------
    polars.DataFrame
        The `by` columns (and ``cadre``), ``staff``, ``population``, ``density``,
        ``density_low``, ``density_high`` (exact Garwood interval at `level`, scaled
        like the density), and with `area`: ``area``, ``density_per_km2``, ``hrdi``.
        Rows are sorted by the `by` keys.

    Raises
    ------
    InputError
        Unknown columns, non-numeric, null, NaN or negative staff, non-positive
        population or area, duplicated population keys, a group without population,
        ``per <= 0``, `level` outside (0, 1), or `data` without rows (empty input is
        an error, not an empty result: a density of nothing has no denominator).

    Notes
    -----
    The interval treats the staff count as Poisson: lower = G⁻¹(α/2; x) and upper =
    G⁻¹(1 − α/2; x + 1), G⁻¹(p; a) the Gamma(a, 1) quantile, divided by population and
    multiplied by `per`. For integer counts this is R's ``poisson.test``; sums of FTE
    use the same formula (its continuous extension).

    References
    ----------
    Garwood F (1936). Fiducial limits for the Poisson distribution. Biometrika 28:437-442.
    Horev T, Pesis-Katz I, Mukamel DB (2004). Trends in geographic disparities in
    allocation of health care resources in the US. Health Policy 68:223-232 (HRDI).

    Examples
    --------
    >>> import polars as pl, hrh
    >>> counts = pl.DataFrame({
    ...     "region": ["Beijing", "Tianjin", "Hebei"],
    ...     "doctors": [118_000, 48_000, 237_000],
    ...     "nurses": [133_000, 41_000, 200_000],
    ...     "population": [21_850_000, 13_630_000, 74_200_000],
    ... })
    >>> hrh.density(counts, staff="doctors", population="population", by="region")
    shape: (3, 6)
    ┌─────────┬──────────┬────────────┬──────────┬─────────────┬──────────────┐
    │ region  ┆ staff    ┆ population ┆ density  ┆ density_low ┆ density_high │
    │ ---     ┆ ---      ┆ ---        ┆ ---      ┆ ---         ┆ ---          │
    │ str     ┆ f64      ┆ f64        ┆ f64      ┆ f64         ┆ f64          │
    ╞═════════╪══════════╪════════════╪══════════╪═════════════╪══════════════╡
    │ Beijing ┆ 118000.0 ┆ 2.185e7    ┆ 5.400458 ┆ 5.369688    ┆ 5.43136      │
    │ Hebei   ┆ 237000.0 ┆ 7.42e7     ┆ 3.19407  ┆ 3.181224    ┆ 3.206956     │
    │ Tianjin ┆ 48000.0  ┆ 1.363e7    ┆ 3.521643 ┆ 3.490208    ┆ 3.553291     │
    └─────────┴──────────┴────────────┴──────────┴─────────────┴──────────────┘
    >>> long = hrh.density(counts, staff=["doctors", "nurses"], population="population")
    >>> long.select("cadre", "staff", "density")
    shape: (2, 3)
    ┌─────────┬──────────┬──────────┐
    │ cadre   ┆ staff    ┆ density  │
    │ ---     ┆ ---      ┆ ---      │
    │ str     ┆ f64      ┆ f64      │
    ╞═════════╪══════════╪══════════╡
    │ doctors ┆ 403000.0 ┆ 3.674325 │
    │ nurses  ┆ 374000.0 ┆ 3.40992  │
    └─────────┴──────────┴──────────┘
    """
    check_positive(per, "per")
    check_level(level)
    src = scale.source(data)
    df = src.empty()  # the whole table when it is in memory, else its columns
    by_cols = as_list(by)
    staff_cols = as_list(staff, "staff")
    wide = isinstance(staff, list | tuple)
    if wide and not staff_cols:
        raise InputError("staff: the list of staff columns is empty")
    if wide and "cadre" in by_cols:
        raise InputError("by: 'cadre' is taken by the long output of a list of staff columns")
    pop_in_data = isinstance(population, str)
    area_in_data = area is not None and area in df.columns
    roles = [("staff", c) for c in staff_cols]
    roles += [("population", population)] if pop_in_data else []
    roles += [("area", area)] if area is not None else []
    for role, col in roles:
        if col in by_cols:
            raise InputError(
                f"argument 'by': column {col!r} is also the {role} column; group by other columns"
            )
    if area is not None and area in staff_cols:
        raise InputError(f"argument 'area': column {area!r} is also a staff column")
    if area is not None and not isinstance(area, str):
        raise InputError(f"area: expected a column name, got {type(area).__name__}")
    require_columns(df, staff_cols, role="staff")
    if pop_in_data:
        require_columns(df, [population], role="population")
    if area is not None and pop_in_data and not area_in_data:
        require_columns(df, [area], role="area")
    require_columns(df, by_cols, role="by")
    used = by_cols + staff_cols + ([population] if pop_in_data else [])
    used += [area] if area_in_data and area is not None else []

    def prepare(batch: pl.DataFrame) -> pl.DataFrame:
        batch = drop_nulls(batch, used, nulls)
        _check_keys(batch, by_cols)
        for c in staff_cols:
            check_numeric(batch, c, minimum="non_negative")
        if pop_in_data:
            check_numeric(batch, population, minimum="positive")
        if area_in_data and area is not None:
            check_numeric(batch, area, minimum="positive")
        return batch

    sums = {c: c for c in staff_cols}
    if pop_in_data:
        sums["population"] = population
    if area_in_data and area is not None:
        sums["area"] = area
    agg, kept = scale.grouped_sums(
        src, used, prepare, by_cols, sums, count=None if staff_cols else _STAFF
    )
    if kept == 0:
        raise InputError("data has no rows")
    if not staff_cols:
        agg = agg.with_columns(pl.col(_STAFF).cast(pl.Float64))
    _check_sums(
        agg,
        by_cols,
        {
            **({"population": population} if isinstance(population, str) else {}),
            **({"area": area} if area is not None else {}),
        },
    )
    if not pop_in_data:
        pop, keys, _, has_area = _population_table(population, by_cols, area)
        if area is not None and not area_in_data and not has_area:
            raise InputError(f"column '{area}' (area) is in neither data nor the population table")
        if area_in_data and has_area:
            pop = pop.drop("area")
        agg = _join_population(agg, pop, keys)

    extra = ["population"] + (["area"] if area is not None else [])
    if wide:
        # Unpivot under private names, so that a staff column may itself be called
        # "staff" (or "cadre").
        tmp = {c: f"__hrh_cadre_{i}" for i, c in enumerate(staff_cols)}
        agg = agg.rename(tmp).unpivot(
            index=by_cols + extra, on=list(tmp.values()), variable_name="cadre", value_name="staff"
        )
        agg = agg.with_columns(
            pl.col("cadre").replace_strict({v: k for k, v in tmp.items()}, return_dtype=pl.String)
        )
        agg = agg.select([*by_cols, "cadre", "staff", *extra])
    else:
        agg = agg.rename({staff_cols[0] if staff_cols else _STAFF: "staff"})
        agg = agg.select([*by_cols, "staff", *extra])

    d, lo, hi, km2, hrdi = _core.density(
        column_array(agg, "staff"),
        column_array(agg, "population"),
        column_array(agg, "area") if area is not None else None,
        per=float(per),
        level=float(level),
    )
    out = agg.select([*by_cols, *(["cadre"] if wide else []), "staff", "population"])
    out = out.with_columns(
        density=pl.Series(d), density_low=pl.Series(lo), density_high=pl.Series(hi)
    )
    if area is not None:
        out = out.with_columns(
            area=agg.get_column("area"),
            density_per_km2=pl.Series(km2),
            hrdi=pl.Series(hrdi),
        )
    return out


def shortfall(
    data: Any,
    *,
    staff: str,
    population: str,
    norm: float | str,
    per: float = 1000,
    by: str | Sequence[str] | None = None,
    nulls: Nulls = "raise",
) -> pl.DataFrame:
    """Staff needed to reach a density norm, and the shortfall or surplus.

    Parameters
    ----------
    data
        Table of counts, one row per unit.
    staff, population
        Columns of `data`.
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
        rows.

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
        raise InputError(f"column 'norm': {norm!r} must be a number >= 0 or a column name")
    require_columns(df, [staff], role="staff")
    require_columns(df, [population], role="population")
    if norm_col is not None:
        require_columns(df, [norm_col], role="norm")
    require_columns(df, by_cols, role="by")
    df = drop_nulls(
        df, by_cols + [staff, population] + ([norm_col] if norm_col is not None else []), nulls
    )
    if df.height == 0:
        raise InputError("data has no rows")
    _check_keys(df, by_cols)
    check_numeric(df, staff, minimum="non_negative")
    check_numeric(df, population, minimum="positive")
    if norm_col is not None:
        check_numeric(df, norm_col, minimum="non_negative")
    norm_expr = pl.col(norm_col).cast(pl.Float64) if norm_col is not None else pl.lit(float(norm))
    rows = df.select(
        *by_cols,
        pl.col(staff).cast(pl.Float64).alias("_staff"),
        pl.col(population).cast(pl.Float64).alias("_population"),
        (norm_expr * (pl.col(population).cast(pl.Float64) / float(per))).alias("_required"),
    )
    row = _first(rows.get_column("_required").is_infinite())
    if row is not None:
        raise InputError(
            f"column '{population}', row {row}: the staff required, norm x population / "
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
            f"column '{population}': the staff required over {group}, "
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
    within: str | Sequence[str] | None = None,
    per: float = 1000,
) -> pl.DataFrame:
    """Health-resource and population agglomeration degrees of units within groups.

    For unit i of a `within` group (e.g. a province within a year),
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
    within
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
    within_cols = as_list(within, "within")
    require_columns(df, [staff], role="staff")
    require_columns(df, [population], role="population")
    require_columns(df, [area], role="area")
    if df.height == 0:
        raise InputError("data has no rows")
    _check_keys(df, within_cols)
    check_numeric(df, staff, minimum="non_negative")
    check_numeric(df, population, minimum="positive")
    check_numeric(df, area, minimum="positive")
    codes, keys = group_codes(df, within_cols)
    out = _core.agglomeration(
        column_array(df, staff),
        column_array(df, population),
        column_array(df, area),
        codes,
        max(keys.height, 1),
        per=float(per),
    )
    return df.with_columns(**{k: pl.Series(v) for k, v in out.items()})


def poisson_ci(
    count: Any,
    exposure: Any = 1.0,
    *,
    level: float = 0.95,
    per: float = 1.0,
) -> pl.DataFrame:
    """Exact (Garwood) confidence intervals for Poisson counts and rates, vectorised.

    Parameters
    ----------
    count
        Observed counts (array-like or scalar); zero is allowed (lower limit 0).
    exposure
        Exposure (population, person-years; array-like or scalar, broadcast).
    level
        Confidence level.
    per
        Multiplier of the rate (e.g. 1000 for per 1,000).

    Returns
    -------
    polars.DataFrame
        ``count``, ``exposure``, ``rate`` = count / exposure × per, ``lower``,
        ``upper``. With exposure 1 and per 1 the limits are those of R's
        ``poisson.test(count)$conf.int``.

    Raises
    ------
    InputError
        A negative, null or NaN count; an exposure that is not > 0; `count` and
        `exposure` of different lengths (other than a scalar); `level` outside (0, 1);
        ``per <= 0``.

    References
    ----------
    Garwood F (1936). Fiducial limits for the Poisson distribution. Biometrika 28:437-442.

    Examples
    --------
    >>> import hrh
    >>> hrh.poisson_ci([0, 10])
    shape: (2, 5)
    ┌───────┬──────────┬──────┬──────────┬───────────┐
    │ count ┆ exposure ┆ rate ┆ lower    ┆ upper     │
    │ ---   ┆ ---      ┆ ---  ┆ ---      ┆ ---       │
    │ f64   ┆ f64      ┆ f64  ┆ f64      ┆ f64       │
    ╞═══════╪══════════╪══════╪══════════╪═══════════╡
    │ 0.0   ┆ 1.0      ┆ 0.0  ┆ 0.0      ┆ 3.688879  │
    │ 10.0  ┆ 1.0      ┆ 10.0 ┆ 4.795389 ┆ 18.390356 │
    └───────┴──────────┴──────┴──────────┴───────────┘
    """
    check_level(level)
    check_positive(per, "per")
    c, e = broadcast(count=count, exposure=exposure)
    rate, lo, hi = _core.poisson_rate(
        c, e, per=float(per), level=float(level), count_name="count", exposure_name="exposure"
    )
    return pl.DataFrame({"count": c, "exposure": e, "rate": rate, "lower": lo, "upper": hi})
