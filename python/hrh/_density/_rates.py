""":func:`hrh.density`: staff per 1,000 population (or per N) by key with exact Poisson
intervals, per-area density and the HRDI, from a table in memory, read in batches or
on Dask."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import polars as pl

from hrh import _core
from hrh import _scale as scale
from hrh._density._common import (
    _OUTPUT_COLUMNS,
    _STAFF,
    _check_keys,
    _check_sums,
    _join_population,
    _population_table,
)
from hrh._frames import (
    FloatArray,
    Nulls,
    as_list,
    check_level,
    check_numeric,
    check_positive,
    coded_sums,
    column_array,
    drop_nulls,
    keyed_table,
    require_columns,
)
from hrh.exceptions import InputError


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
    if src.frame is not None:
        # In memory: the core's sums stay arrays, and the result is built once.
        df = prepare(src.frame)
        if df.height == 0:
            raise InputError("data has no rows")
        cell, coded, counts, totals = coded_sums(df, by_cols, list(sums.values()))
        keys = keyed_table(cell, coded, by_cols, {})
        summed = dict(zip(sums, totals, strict=True))
        summed |= {} if staff_cols else {_STAFF: counts.astype(np.float64)}
    else:
        agg, kept = scale.grouped_sums(
            src, used, prepare, by_cols, sums, count=None if staff_cols else _STAFF
        )
        if kept == 0:
            raise InputError("data has no rows")
        keys = agg.select(by_cols)
        summed = {c: column_array(agg, c) for c in agg.columns if c not in by_cols}
    return _result(
        keys,
        summed,
        by_cols,
        staff_cols if staff_cols else [_STAFF],
        population,
        area_in_data,
        area,
        population_sum_over,
        wide=wide,
        per=float(per),
        level=float(level),
    )


def _result(
    keys: pl.DataFrame,
    summed: dict[str, FloatArray],
    by: list[str],
    staff: list[str],
    population: Any,
    area_in_data: bool,
    area: str | None,
    population_sum_over: str | Sequence[str] | None,
    *,
    wide: bool,
    per: float,
    level: float,
) -> pl.DataFrame:
    """The table of :func:`density` from the groups' `keys` and their sums (`summed`,
    by the names of the sums: the `staff` columns, and ``population`` and ``area`` when
    they are columns of data), with the population table joined in: built once from
    arrays, without intermediate tables."""
    pop_in_data = isinstance(population, str)
    n = len(summed[staff[0]])
    if any(np.isinf(v).any() for v in summed.values()):
        # A sum beyond the largest float: the table that names its group and column.
        sums = [pl.Series(c, v, dtype=pl.Float64) for c, v in summed.items()]
        names = {"population": population} if pop_in_data else {}
        names |= {"area": area} if area is not None else {}
        _check_sums(pl.DataFrame([*keys.get_columns(), *sums]), by, names)
    if pop_in_data and population_sum_over is not None:
        raise InputError(
            "argument 'population_sum_over': population is a column of data, summed over "
            "each by group already; population_sum_over applies to a population table"
        )
    area_sum = summed["area"] if area_in_data else None
    if pop_in_data:
        pop_sum = summed["population"]
    else:
        pop, on, _, has_area = _population_table(population, by, area, population_sum_over)
        if area is not None and not area_in_data and not has_area:
            raise InputError(f"column '{area}' (area) is in neither data nor the population table")
        if area_in_data and has_area:
            pop = pop.drop("area")
        # Joined on the groups' keys (a cross join without shared keys: one row per group).
        rows = keys.select(on) if on else pl.DataFrame({"__hrh_group": np.arange(n)})
        joined = _join_population(rows, pop, on)
        pop_sum = column_array(joined, "population")
        if area is not None and area_sum is None:
            area_sum = column_array(joined, "area")
    key_columns = keys.get_columns()
    staff_sum = summed[staff[0]]
    if wide:
        # Long form, one block of groups per staff column (in their order), each
        # group with its population and area.
        rows_of = np.tile(np.arange(n), len(staff))
        key_columns = [c.gather(rows_of) for c in key_columns]
        cadres = pl.Series("cadre", staff, dtype=pl.String)
        key_columns.append(cadres.gather(np.repeat(np.arange(len(staff)), n)))
        staff_sum = np.concatenate([summed[c] for c in staff])
        pop_sum = pop_sum[rows_of]
        area_sum = None if area_sum is None else area_sum[rows_of]
    d, lo, hi, km2, hrdi = _core.density(staff_sum, pop_sum, area_sum, per=per, level=level)
    columns: dict[str, Any] = {"staff": staff_sum, "population": pop_sum, "density": d}
    columns |= {"lower": lo, "upper": hi}
    if area is not None:
        columns |= {"area": area_sum, "density_per_km2": km2, "hrdi": hrdi}
    values = [pl.Series(c, v, dtype=pl.Float64) for c, v in columns.items()]
    return pl.DataFrame([*key_columns, *values])
