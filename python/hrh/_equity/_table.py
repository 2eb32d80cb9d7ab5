""":func:`equity`: the measures per group of units of a table, by population and by
area, with bootstrap intervals."""

from __future__ import annotations

import secrets
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import polars as pl

from hrh import _core
from hrh import _scale as scale
from hrh._density._common import _AREA, _POP, _rows_with_population
from hrh._equity._common import _number, _require_table_columns
from hrh._equity._scale import scaled_equity
from hrh._frames import (
    as_list,
    check_level,
    check_no_nulls,
    check_numeric,
    column_array,
    group_codes,
)
from hrh._progress import progress_after
from hrh.exceptions import InputError

_MEASURES = ("gini", "theil_t", "theil_l", "atkinson", "cv")

BOOTSTRAP_MIN_UNITS = 10
"""Fewest units per group for which :func:`equity` bootstraps without a warning: with
n units there are at most C(2n − 1, n) distinct resamples (10 for three units, 92,378
for ten), too few below 10 for a percentile interval to mean much."""


def equity(
    data: Any,
    *,
    staff: str | Sequence[str],
    population: Any,
    area: str | None = None,
    by: str | Sequence[str] | None = None,
    groups: str | None = None,
    measures: Sequence[str] = ("gini", "theil_t", "theil_l", "atkinson", "cv"),
    epsilon: float = 0.5,
    bootstrap: int = 0,
    level: float = 0.95,
    seed: int | None = None,
    progress: bool | None = None,
    population_sum_over: str | Sequence[str] | None = None,
) -> pl.DataFrame:
    """Inequality of staff across units, per group of units, by population and by area.

    Each row of `data` is a unit (a province, a county). Measured by population, the
    units' levels are staff / population weighted by population; by area, staff / area
    weighted by area.

    Parameters
    ----------
    data
        One row per unit (a province, a county): any table hrh reads, or, for data
        larger than memory, a polars LazyFrame, a Parquet path or a Dask DataFrame
        (read in two passes of exact sums; ``gini`` and `bootstrap` then need the
        collected table, see the guide's "Data at scale"). Not modified.
    staff
        Staff column, or a list of columns (cadres): the result is long with ``cadre``.
    population
        A column of `data`; or a separate population table, as in
        :func:`hrh.density` (a ``population`` column, or exactly one other numeric
        column, and unique keys), joined to each unit (row of `data`) on the key
        columns the two share. A unit without a population row, or a table that
        shares no key column with `data`, is an InputError.
    area
        Column (km²) of `data`, or of the population table; adds the measures by area.
    by
        Columns whose groups are analysed separately (e.g. year, or state for counties
        within states); ``None``: all units together.
    groups
        Column of subgroups (e.g. East/Central/West) for the Theil between/within
        decomposition.
    measures
        Any of ``"gini"``, ``"theil_t"``, ``"theil_l"``, ``"atkinson"`` (with
        `epsilon`), ``"cv"``.
    epsilon
        Inequality aversion of the Atkinson index (>= 0; default 0.5).
    bootstrap
        Number of bootstrap replicates (0: none). Units are resampled with replacement
        within each `by` group; intervals are percentile intervals at `level`. A group
        of fewer than ``BOOTSTRAP_MIN_UNITS`` (10) units gets its intervals with a
        ``UserWarning``: a handful of units has a handful of distinct resamples, and
        their percentiles are not a confidence interval worth printing.
    level
        Level of the bootstrap intervals, in (0, 1).
    seed
        Seed of the bootstrap; replicate b of group g draws from the stream
        (seed, g·2³² + b), so results are identical for any number of threads.
        ``None`` draws a fresh seed.
    progress
        True writes the share of bootstrap replicates done to ``sys.stderr``; None
        (default) does so from 5 seconds on in an interactive session, False never.
        Ctrl-C stops the bootstrap with ``KeyboardInterrupt``.
    population_sum_over
        With a population table: its key column(s) over which the population is summed
        on purpose (as in :func:`hrh.density`); a key column that `data` lacks and
        that varies within a unit is otherwise an InputError.

    Returns
    -------
    polars.DataFrame
        One row per `by` group (and cadre): the `by` columns, ``units``, then for each
        measure ``{measure}_by_population`` (and ``_by_area``); with `groups`,
        ``theil_t_between_by_population``, ``..._within_...``,
        ``..._between_share_...``; with `bootstrap`, ``{column}_lower`` and
        ``{column}_upper`` after each estimate.

    Raises
    ------
    InputError
        A column that `data` lacks; null, NaN, negative or non-numeric staff; a
        population or area that is not > 0; a measure not in the list; `bootstrap` not
        an integer >= 0; `level` outside (0, 1); a group whose measures are undefined
        (e.g. all staff zero, or a zero level with ``"theil_l"``).
    KeyboardInterrupt
        Ctrl-C during the bootstrap, once the core has stopped.

    References
    ----------
    See :func:`gini`, :func:`theil`, :func:`atkinson` and :func:`cv` for the measures.
    Efron B, Tibshirani RJ (1993). An Introduction to the Bootstrap. New York: Chapman
    & Hall (percentile intervals).

    Examples
    --------
    >>> import hrh, polars as pl
    >>> units = pl.DataFrame({"year": [1, 1, 1, 2, 2, 2], "staff": [10, 20, 60, 10, 20, 30],
    ...                       "population": [1000, 1000, 1000, 1000, 1000, 1000]})
    >>> hrh.equity(units, staff="staff", population="population", by="year",
    ...            measures=["gini"])
    shape: (2, 3)
    ┌──────┬───────┬────────────────────┐
    │ year ┆ units ┆ gini_by_population │
    │ ---  ┆ ---   ┆ ---                │
    │ i64  ┆ u32   ┆ f64                │
    ╞══════╪═══════╪════════════════════╡
    │ 1    ┆ 3     ┆ 0.37037            │
    │ 2    ┆ 3     ┆ 0.222222           │
    └──────┴───────┴────────────────────┘
    """
    src = scale.source(data)
    staff_cols = as_list(staff, "staff")
    wide = not isinstance(staff, str)
    by_cols = as_list(by)
    if not staff_cols:
        raise InputError("staff: the list of staff columns is empty")
    for m in measures:
        if m not in _MEASURES:
            raise InputError(f"measures: {m!r} is not one of {', '.join(map(repr, _MEASURES))}")
    if isinstance(bootstrap, bool) or not isinstance(bootstrap, int) or bootstrap < 0:
        raise InputError(f"argument 'bootstrap': {bootstrap!r} must be an integer >= 0")
    if bootstrap:
        check_level(level)
    if src.frame is None:
        return scaled_equity(
            src,
            staff_cols=staff_cols,
            wide=wide,
            population=population,
            area=area,
            by_cols=by_cols,
            groups=groups,
            measures=measures,
            epsilon=_number(epsilon, "epsilon"),
            bootstrap=bootstrap,
            population_sum_over=population_sum_over,
        )
    df = src.frame
    _require_table_columns(
        df,
        staff_cols=staff_cols,
        population=population,
        area=area,
        population_sum_over=population_sum_over,
        by_cols=by_cols,
        groups=groups,
    )
    pop_in_data = isinstance(population, str)
    if df.height == 0:
        raise InputError("data has no rows")
    if not pop_in_data:
        if area is not None and not isinstance(area, str):
            raise InputError(f"argument 'area': expected a column name, got {type(area).__name__}")
        used = [*staff_cols, *([area] if area is not None and area in df.columns else [])]
        df = _rows_with_population(df, population, area, population_sum_over, used)
        population = _POP
        if area is not None and area not in df.columns:
            if _AREA not in df.columns:
                raise InputError(
                    f"column '{area}' (area) is in neither data nor the population table"
                )
            area = _AREA
    for c in [*by_cols, *([groups] if groups else [])]:
        check_no_nulls(df, c)
    for c in staff_cols:
        check_numeric(df, c, minimum="non_negative")
    check_numeric(df, population, minimum="positive")
    if area is not None:
        check_numeric(df, area, minimum="positive")
    by_codes, keys = group_codes(df, by_cols)
    n_by = max(keys.height, 1)
    grp_codes, grp_keys = (None, pl.DataFrame()) if groups is None else group_codes(df, [groups])
    n_grp = grp_keys.height
    if seed is None:
        seed = secrets.randbits(63)
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**64:
        raise InputError(f"argument 'seed': {seed!r} must be an integer from 0 to 2**64 - 1")

    # Every group must have some staff for the measures to exist.
    for c in staff_cols:
        if by_cols:
            sums = df.group_by(by_cols).agg(pl.col(c).sum()).filter(pl.col(c) == 0)
            if sums.height:
                key = ", ".join(f"{k}={sums[0, k]!r}" for k in by_cols)
                raise InputError(
                    f"column '{c}': group ({key}) has no staff, so inequality is undefined"
                )
        elif df.get_column(c).sum() == 0:
            raise InputError(f"column '{c}': every unit has 0 staff, so inequality is undefined")

    if bootstrap:
        sizes = np.bincount(by_codes, minlength=n_by)
        small = int((sizes < BOOTSTRAP_MIN_UNITS).sum())
        if small:
            row = int(np.argmin(sizes))
            where = (
                "all units together"
                if not by_cols
                else "group (" + ", ".join(f"{k}={keys[row, k]!r}" for k in by_cols) + ")"
            )
            warnings.warn(
                f"bootstrap intervals on few units: {small} of {n_by} group(s) have fewer "
                f"than {BOOTSTRAP_MIN_UNITS} units ({where} has {int(sizes[row])}); their "
                "percentile intervals come from a handful of distinct resamples and say "
                "little about uncertainty",
                UserWarning,
                stacklevel=2,
            )
    bases = [("population", population)] + ([("area", area)] if area is not None else [])
    after = progress_after(progress)
    pieces: list[pl.DataFrame] = []
    for ci, c in enumerate(staff_cols):
        s = column_array(df, c)
        frames: list[pl.DataFrame] = []
        for basis, col in bases:
            w = column_array(df, col)
            r = _core.equity_table(
                np.ascontiguousarray(s / w),
                w,
                by_codes,
                n_by,
                grp_codes,
                n_grp,
                measures=list(measures),
                epsilon=_number(epsilon, "epsilon"),
                bootstrap=int(bootstrap),
                level=float(level),
                seed=(int(seed) + ci) % 2**64,
                progress_after=after,
                column=c,
            )
            cols: dict[str, Any] = {}
            for j, name in enumerate(r["columns"]):
                cols[f"{name}_by_{basis}"] = r["estimate"][:, j]
                if bootstrap:
                    cols[f"{name}_by_{basis}_lower"] = r["lower"][:, j]
                    cols[f"{name}_by_{basis}_upper"] = r["upper"][:, j]
            # A between share is undefined (0 / 0) where the total is 0: null, not NaN.
            frames.append(
                pl.DataFrame(cols).with_columns(
                    pl.col(k).fill_nan(None) for k in cols if "_between_share_" in k
                )
            )
        counts = np.bincount(by_codes, minlength=n_by).astype(np.uint32)
        units = pl.Series("units", counts)
        head = keys.with_columns(units) if by_cols else units.to_frame()
        if wide:
            head = head.with_columns(pl.lit(c).alias("cadre"))
            head = head.select([*by_cols, "cadre", "units"])
        pieces.append(pl.concat([head, *frames], how="horizontal"))
    return pl.concat(pieces, how="vertical")
