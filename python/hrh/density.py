"""Density metrics: staff per 1,000 population with exact intervals, per-area density,
HRDI, shortfall against a norm, staffing-quota gaps and agglomeration degrees.

All functions take a table (see :mod:`hrh._frames` for the accepted kinds), never
modify it, and return a polars DataFrame.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Any, Literal

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

__all__ = [
    "RateRatio",
    "agglomeration",
    "density",
    "poisson_ci",
    "quota_gap",
    "rate_ratio",
    "shortfall",
]

_STAFF = "__hrh_staff"
# The columns density() writes beside the `by` keys.
_OUTPUT_COLUMNS = (
    "staff",
    "population",
    "density",
    "lower",
    "upper",
    "area",
    "density_per_km2",
    "hrdi",
)

Alternative = Literal["two-sided", "less", "greater"]
_ALTERNATIVES = {"two-sided": "two-sided", "two.sided": "two-sided", "less": "less"}
_ALTERNATIVES["greater"] = "greater"


def check_alternative(alternative: Any) -> str:
    """The core's name of an alternative hypothesis ("two-sided", "less", "greater";
    R's "two.sided" is accepted), or an InputError naming the argument."""
    if not isinstance(alternative, str) or alternative not in _ALTERNATIVES:
        raise InputError(
            f"argument 'alternative': {alternative!r} is not 'two-sided', 'less' or 'greater'"
        )
    return _ALTERNATIVES[alternative]


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
    population: Any,
    by: list[str],
    area: str | None,
    sum_over: str | Sequence[str] | None = None,
    *,
    need_keys: bool = False,
) -> tuple[pl.DataFrame, list[str], str, bool]:
    """Validate a separate population table; return it with one row per combination of
    the `by` keys it has (summed over its other key columns only when `sum_over` names
    them), those keys, its value column and whether it carries `area`."""
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
    keys = [c for c in by if c in key_cols]
    if need_keys and not keys:
        raise InputError(
            "population table: it shares no key column with data, so the rows of data "
            f"cannot be matched to a population (its columns: {', '.join(map(repr, pop.columns))})"
        )
    summed = as_list(sum_over, "population_sum_over")
    for c in summed:
        if c not in key_cols or c in keys:
            raise InputError(
                f"argument 'population_sum_over': {c!r} is not a key column of the population "
                f"table outside the join keys (its other key columns: "
                f"{', '.join(repr(k) for k in key_cols if k not in keys) or 'none'})"
            )
    if keys and set(keys) == set(key_cols):  # one row per group already: nothing to sum
        plain = [pl.col(value).cast(pl.Float64).alias("population")]
        if has_area and area is not None:
            plain.append(pl.col(area).cast(pl.Float64).alias("area"))
        return pop.select(*keys, *plain), keys, value, has_area
    _refuse_silent_sum(pop, keys, [c for c in key_cols if c not in keys], summed, value)
    sums = {"population": value} | ({"area": area} if has_area and area is not None else {})
    return _sum(pop, keys, sums), keys, value, has_area


def _refuse_silent_sum(
    pop: pl.DataFrame, keys: list[str], others: list[str], allowed: list[str], value: str
) -> None:
    """An InputError when summing the population table to `keys` would add up rows that
    differ in key columns the user did not name in `allowed` (a table of projections
    with its years and variants left in would add them all up). Rows that differ only
    in columns named in `allowed` (and in columns that follow from those, such as a
    district's zone) are summed."""
    kept = keys + allowed
    rest = [c for c in others if c not in allowed]
    if not rest or pop.height == 0:
        return
    if kept:
        spread = pop.group_by(kept).agg(pl.col(rest).n_unique(), pl.len().alias("__hrh_n"))
    else:
        spread = pop.select(pl.col(rest).n_unique(), pl.len().alias("__hrh_n"))
    most = spread.select(pl.col(rest).max()).row(0, named=True)
    varying = [c for c in rest if most[c] > 1]
    if not varying:
        return
    if keys:
        counts = pop.group_by(keys).agg(pl.len().alias("__hrh_n"))
    else:
        counts = pl.DataFrame({"__hrh_n": [pop.height]})
    order = ["__hrh_n", *keys]
    worst = counts.sort(order, descending=[True] + [False] * len(keys)).row(0, named=True)
    where = ", ".join(f"{k}={worst[k]!r}" for k in keys) or "the whole table"
    names = ", ".join(repr(c) for c in varying)
    example = " & ".join(f"(pl.col({c!r}) == ...)" for c in varying)
    raise InputError(
        f"population table: its key column(s) {names} are not among the join keys "
        f"({', '.join(repr(k) for k in keys) or 'none'}), so the population would be summed "
        f"over them ({worst['__hrh_n']} rows for {where}). Filter the table to one value "
        f"of each (e.g. population.filter({example})), group by them too, or sum over them "
        f"on purpose with population_sum_over=[{', '.join(map(repr, allowed + varying))}] "
        "(e.g. age groups or sexes that make up the whole population)"
    )


def _join_population(
    agg: pl.DataFrame, pop: pl.DataFrame, keys: list[str], value: str = "population"
) -> pl.DataFrame:
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
    missing = out.get_column(value).is_null().arg_true()
    if len(missing):
        row = int(missing[0])
        key = ", ".join(f"{k}={out[row, k]!r}" for k in keys)
        raise InputError(
            f"group ({key}) has no population: the population table has no row for it "
            f"({len(missing)} group(s) without population)"
        )
    return out


_POP = "__hrh_population"
_AREA = "__hrh_area"


def _rows_with_population(
    df: pl.DataFrame,
    population: Any,
    area: str | None,
    sum_over: str | Sequence[str] | None,
    used: list[str],
) -> pl.DataFrame:
    """`df` with the population (and area, when the table carries it and `df` does
    not) of each row from a separate population table, joined on the key columns the
    two share, as ``__hrh_population`` (and ``__hrh_area``): the checks and rules of
    :func:`density`'s population table, per row instead of per group. `used` are the
    columns of `df` that are values, never keys."""
    candidates = [c for c in df.columns if c not in used]
    pop, keys, _, has_area = _population_table(
        population, candidates, area, sum_over, need_keys=True
    )
    pop = pop.rename({"population": _POP, **({"area": _AREA} if "area" in pop.columns else {})})
    if has_area and area is not None and area in df.columns:
        pop = pop.drop(_AREA)
    return _join_population(df, pop, keys, value=_POP)


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
    population_sum_over: str | Sequence[str] | None = None,
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
        numeric column), joined on the keys it shares with `by`; a table sharing no
        key with `by` gives one total applied to every group. The table must have
        unique keys, and a group with no population row raises InputError. A key
        column not in `by` that takes several values within a group (years and
        variants of a projections table, or age groups) is an InputError naming it:
        filter the table, or name the columns in `population_sum_over`.
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
    population_sum_over
        Key column(s) of a separate population table over which its population is
        summed on purpose (e.g. ``"age_group"`` or ``["sex", "age_group"]``, parts that
        make up the whole population). None (default): nothing is summed over a
        column left out of `by`.

    Returns
    -------
    polars.DataFrame
        The `by` columns (and ``cadre``), ``staff``, ``population``, ``density``,
        ``lower``, ``upper`` (exact Garwood interval of the density at `level`,
        scaled like it), and with `area`: ``area``, ``density_per_km2``, ``hrdi``.
        Rows are sorted by the `by` keys.

    Raises
    ------
    InputError
        Unknown columns, non-numeric, null, NaN or negative staff, non-positive
        population or area, duplicated population keys, a group without population,
        a population table with key columns outside `by` that vary within a group
        (unless named in `population_sum_over`), ``per <= 0``, `level` outside (0, 1),
        or `data` without rows (empty input is an error, not an empty result: a
        density of nothing has no denominator).

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
    ┌─────────┬──────────┬────────────┬──────────┬──────────┬──────────┐
    │ region  ┆ staff    ┆ population ┆ density  ┆ lower    ┆ upper    │
    │ ---     ┆ ---      ┆ ---        ┆ ---      ┆ ---      ┆ ---      │
    │ str     ┆ f64      ┆ f64        ┆ f64      ┆ f64      ┆ f64      │
    ╞═════════╪══════════╪════════════╪══════════╪══════════╪══════════╡
    │ Beijing ┆ 118000.0 ┆ 2.185e7    ┆ 5.400458 ┆ 5.369688 ┆ 5.43136  │
    │ Hebei   ┆ 237000.0 ┆ 7.42e7     ┆ 3.19407  ┆ 3.181224 ┆ 3.206956 │
    │ Tianjin ┆ 48000.0  ┆ 1.363e7    ┆ 3.521643 ┆ 3.490208 ┆ 3.553291 │
    └─────────┴──────────┴────────────┴──────────┴──────────┴──────────┘
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
    taken = [c for c in by_cols if c in _OUTPUT_COLUMNS]
    if taken:
        raise InputError(
            f"argument 'by': column {taken[0]!r} has the name of an output column of "
            f"density ({', '.join(repr(c) for c in _OUTPUT_COLUMNS)}); rename it first"
        )
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
    if pop_in_data and population_sum_over is not None:
        raise InputError(
            "argument 'population_sum_over': population is a column of data, summed over "
            "each by group already; population_sum_over applies to a population table"
        )
    if not pop_in_data:
        pop, keys, _, has_area = _population_table(population, by_cols, area, population_sum_over)
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
    out = out.with_columns(density=pl.Series(d), lower=pl.Series(lo), upper=pl.Series(hi))
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


def poisson_ci(
    events: Any,
    exposure: Any = 1.0,
    *,
    per: float = 1.0,
    level: float = 0.95,
    alternative: Alternative = "two-sided",
) -> pl.DataFrame:
    """Exact (Garwood) confidence intervals for Poisson counts and rates, vectorised.

    The same function as :func:`hrh.rate` (same arguments, defaults and columns).

    Parameters
    ----------
    events
        Observed counts (array-like or scalar); zero is allowed (lower limit 0).
    exposure
        Exposure (population, person-years; array-like or scalar, broadcast); 1 by
        default.
    per
        Multiplier of the rate (e.g. 1000 for per 1,000); 1 by default.
    level
        Confidence level.
    alternative
        ``"two-sided"`` (default): (1 − `level`)/2 in each tail. ``"less"``: the
        one-sided interval [0, upper] with upper = G⁻¹(level; x + 1) (an upper bound
        on the rate); ``"greater"``: [lower, ∞) with lower = G⁻¹(1 − level; x) (a lower
        bound; `upper` is infinite). As R's ``poisson.test(x, alternative=...)``.

    Returns
    -------
    polars.DataFrame
        ``events``, ``exposure``, ``rate`` = events / exposure × per, ``lower``,
        ``upper``. With exposure 1 and per 1 the limits are those of R's
        ``poisson.test(events)$conf.int``.

    Raises
    ------
    InputError
        A negative, null or NaN count; an exposure that is not > 0; `events` and
        `exposure` of different lengths (other than a scalar); `level` outside (0, 1);
        ``per <= 0``; an `alternative` not in the list.

    References
    ----------
    Garwood F (1936). Fiducial limits for the Poisson distribution. Biometrika 28:437-442.

    Examples
    --------
    >>> import hrh
    >>> hrh.poisson_ci([0, 10])
    shape: (2, 5)
    ┌────────┬──────────┬──────┬──────────┬───────────┐
    │ events ┆ exposure ┆ rate ┆ lower    ┆ upper     │
    │ ---    ┆ ---      ┆ ---  ┆ ---      ┆ ---       │
    │ f64    ┆ f64      ┆ f64  ┆ f64      ┆ f64       │
    ╞════════╪══════════╪══════╪══════════╪═══════════╡
    │ 0.0    ┆ 1.0      ┆ 0.0  ┆ 0.0      ┆ 3.688879  │
    │ 10.0   ┆ 1.0      ┆ 10.0 ┆ 4.795389 ┆ 18.390356 │
    └────────┴──────────┴──────┴──────────┴───────────┘

    A one-sided 95 % upper bound: with no event seen, the rate is below 3.0 per unit
    of exposure.

    >>> round(hrh.poisson_ci(0, alternative="less")["upper"].item(), 4)
    2.9957
    """
    check_level(level)
    check_positive(per, "per")
    alt = check_alternative(alternative)
    c, e = broadcast(events=events, exposure=exposure)
    rate, lo, hi = _core.poisson_rate(
        c,
        e,
        per=float(per),
        level=float(level),
        count_name="events",
        exposure_name="exposure",
        alternative=alt,
    )
    return pl.DataFrame({"events": c, "exposure": e, "rate": rate, "lower": lo, "upper": hi})


@dataclass(frozen=True)
class RateRatio:
    """Exact comparison of two Poisson rates (see :func:`rate_ratio`).

    Attributes
    ----------
    table : polars.DataFrame
        One row per comparison: ``events1``, ``exposure1``, ``events2``, ``exposure2``,
        ``estimate`` = (events1/exposure1)/(events2/exposure2) (null when both counts
        are 0, infinite when only events2 is), ``lower``, ``upper`` (infinite when
        unbounded), ``p_value``.
    level : float
        Confidence level of the interval.
    alternative : str
        ``"two-sided"``, ``"less"`` or ``"greater"``.
    null_ratio : float
        The rate ratio of the null hypothesis.

    References
    ----------
    Przyborowski J, Wilenski H (1940). Homogeneity of results in testing samples from
    Poisson series. Biometrika 31:313-323.
    Clopper CJ, Pearson ES (1934). The use of confidence or fiducial limits illustrated
    in the case of the binomial. Biometrika 26:404-413.

    Examples
    --------
    >>> import hrh
    >>> r = hrh.rate_ratio(30, 1000, 15, 1000)
    >>> r.estimate, round(r.p_value, 4)
    (2.0, 0.0357)
    >>> r.table.columns[-4:]
    ['estimate', 'lower', 'upper', 'p_value']
    """

    table: pl.DataFrame
    level: float
    alternative: str
    null_ratio: float

    def _one(self, column: str) -> float | None:
        if self.table.height != 1:
            raise InputError(f"{self.table.height} comparisons: read their '{column}' from .table")
        v = self.table[0, column]
        return None if v is None else float(v)

    @property
    def estimate(self) -> float | None:
        """The rate ratio of a single comparison (None when both counts are 0)."""
        return self._one("estimate")

    @property
    def lower(self) -> float:
        """Lower limit of a single comparison's interval."""
        return float(self._one("lower") or 0.0)

    @property
    def upper(self) -> float:
        """Upper limit of a single comparison's interval (``inf`` when unbounded)."""
        v = self._one("upper")
        return math.inf if v is None else v

    @property
    def p_value(self) -> float:
        """Exact p-value of a single comparison."""
        v = self._one("p_value")
        return 1.0 if v is None else v

    def to_polars(self) -> pl.DataFrame:
        """The table of comparisons."""
        return self.table

    def _repr_html_(self) -> str:
        side = {"two-sided": "two-sided", "less": "one-sided (less)"}.get(
            self.alternative, "one-sided (greater)"
        )
        return (
            f"<b>Rate ratio</b>: exact conditional test of ratio {self.null_ratio:g}, "
            f"{escape(side)} {self.level:.0%} interval"
            + self.table.with_columns(pl.col(pl.Float64).fill_nan(None))._repr_html_()
        )


def rate_ratio(
    events1: Any,
    exposure1: Any,
    events2: Any,
    exposure2: Any,
    *,
    level: float = 0.95,
    alternative: Alternative = "two-sided",
    null_ratio: float = 1.0,
) -> RateRatio:
    """Exact comparison of two Poisson rates: the rate ratio, its exact interval and
    the exact p-value, vectorised over arrays.

    Given n = x₁ + x₂ events, x₁ is binomial with probability π = θT₁/(θT₁ + T₂), θ
    the rate ratio. The interval is the Clopper-Pearson interval of π mapped to
    θ = π/(1 − π) · T₂/T₁; the test of θ = `null_ratio` is the exact binomial test
    (two-sided: the probability of the outcomes no more likely than the one seen).
    This is R's ``poisson.test(c(x1, x2), c(T1, T2), r=null_ratio, alternative=...)``.

    Parameters
    ----------
    events1, exposure1
        Events (whole numbers >= 0) and exposure (person-years, population; > 0) of the
        first group: array-likes or scalars, broadcast against each other and the
        second group.
    events2, exposure2
        The same for the second (reference) group.
    level
        Confidence level of the interval, in (0, 1).
    alternative
        ``"two-sided"`` (default), ``"less"`` (θ below `null_ratio`; interval
        [0, upper]) or ``"greater"`` (θ above; interval [lower, ∞)). R's
        ``"two.sided"`` is accepted.
    null_ratio
        The rate ratio under the null hypothesis (> 0; default 1, equal rates).

    Returns
    -------
    RateRatio
        ``.table`` with one row per comparison; ``.estimate``, ``.lower``, ``.upper``
        and ``.p_value`` for a single comparison. Both counts 0 (which R refuses): the
        estimate is null, the interval [0, ∞) and the p-value 1.

    Raises
    ------
    InputError
        Events that are negative, not whole numbers, null or NaN, or above 2**53;
        exposures that are not > 0; inputs of different lengths (other than scalars);
        `level` outside (0, 1); `null_ratio` not > 0; an `alternative` not in the list.

    References
    ----------
    Przyborowski J, Wilenski H (1940). Homogeneity of results in testing samples from
    Poisson series. Biometrika 31:313-323.
    Clopper CJ, Pearson ES (1934). The use of confidence or fiducial limits illustrated
    in the case of the binomial. Biometrika 26:404-413.

    Examples
    --------
    Nurses left at 11 per 360 person-years in one district and 4 per 120 in another:

    >>> import hrh
    >>> r = hrh.rate_ratio(11, 360, 4, 120)
    >>> round(r.estimate, 4), round(r.lower, 4), round(r.upper, 4), round(r.p_value, 4)
    (0.9167, 0.2716, 3.9472, 1.0)

    Vectorised: one row per pair of districts.

    >>> hrh.rate_ratio([11, 30], [360, 1000], [4, 15], [120, 1000]).table["p_value"].round(4)
    shape: (2,)
    Series: 'p_value' [f64]
    [
        1.0
        0.0357
    ]
    """
    check_level(level)
    check_positive(null_ratio, "null_ratio")
    alt = check_alternative(alternative)
    x1, t1, x2, t2 = broadcast(
        events1=events1, exposure1=exposure1, events2=events2, exposure2=exposure2
    )
    est, lo, hi, p, _ = _core.rate_ratio(
        x1, t1, x2, t2, null_ratio=float(null_ratio), level=float(level), alternative=alt
    )
    table = pl.DataFrame(
        {
            "events1": x1,
            "exposure1": t1,
            "events2": x2,
            "exposure2": t2,
            "estimate": est,
            "lower": lo,
            "upper": hi,
            "p_value": p,
        }
    ).with_columns(pl.col("estimate").fill_nan(None))
    return RateRatio(table=table, level=float(level), alternative=alt, null_ratio=float(null_ratio))
