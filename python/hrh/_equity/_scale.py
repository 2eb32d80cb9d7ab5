""":func:`hrh.equity` on data read in batches or partitions (a polars LazyFrame, a
Parquet path, a Dask DataFrame): Theil T and L (with the between/within parts over
``groups``), Atkinson and the coefficient of variation from exact sums, in two passes.

Pass 1 sums, per ``by`` group and subgroup, the units, the staff and the weights
(population, area): the weighted mean level of each group, μ = Σ staff / Σ weight, and
of each subgroup, μ_g. Pass 2 sums each unit's terms about those means, formed by the
core (``hrh_core::equity::partial``: w (x/μ) ln(x/μ) for Theil T, w ln(μ/x) for Theil
L, w (x/μ)^(1−ε) for Atkinson, w ((x − μ)/μ)² for the coefficient of variation, and the
within-subgroup terms about μ_g). Every sum is the core's exact (correctly rounded)
grouped sum, and each unit's term depends only on the unit and on the means, which are
themselves exact: the result is the same, bit for bit, for any batching, partitioning
or order of partitions. Against the whole table in memory, whose sums are running float
sums, it differs by that path's rounding: at most about n·2⁻⁵³ times the sum of the
terms' magnitudes over the n units of a group (the tests check 1e-12 on tables of a few
thousand units).

Gini needs the units sorted by level and the bootstrap resamples units: both need the
whole table, and asking for them here is an :class:`hrh.InputError` that says so.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from hrh import _core
from hrh import _scale as scale
from hrh._density._common import _AREA, _POP, _rows_with_population
from hrh._equity._common import _require_table_columns
from hrh._frames import check_no_nulls, check_numeric, to_frame
from hrh.exceptions import InputError

_COLLECT = (
    "call hrh.equity on the collected table (LazyFrame.collect(), polars.read_parquet, "
    "or .compute() of the Dask DataFrame)"
)
_UNITS = "__hrh_units"


def scaled_equity(
    src: scale.Source,
    *,
    staff_cols: list[str],
    wide: bool,
    population: Any,
    area: str | None,
    by_cols: list[str],
    groups: str | None,
    measures: Sequence[str],
    epsilon: float,
    bootstrap: int,
    population_sum_over: Any,
) -> pl.DataFrame:
    """The table of :func:`hrh.equity` (without Gini or bootstrap) from `src` read in
    batches or partitions, in two passes of exact grouped sums."""
    if "gini" in measures:
        raise InputError(
            f"measures: 'gini' needs the units sorted by level, which {src.name} read in "
            "batches or partitions (a LazyFrame, a Parquet path or a Dask DataFrame) does "
            "not allow: leave 'gini' out (theil_t, theil_l, atkinson and cv run on parts), "
            f"or {_COLLECT}"
        )
    if bootstrap:
        raise InputError(
            f"argument 'bootstrap': the bootstrap resamples the units of the whole table, "
            f"which {src.name} read in batches or partitions does not hold: pass "
            f"bootstrap=0, or {_COLLECT}"
        )
    empty = src.empty()
    _require_table_columns(
        empty,
        staff_cols=staff_cols,
        population=population,
        area=area,
        population_sum_over=population_sum_over,
        by_cols=by_cols,
        groups=groups,
    )
    pop_in_data = isinstance(population, str)
    if area is not None and not isinstance(area, str):
        raise InputError(f"argument 'area': expected a column name, got {type(area).__name__}")
    keys = list(dict.fromkeys([*by_cols, *([groups] if groups is not None else [])]))
    used = [*staff_cols, *([area] if area is not None and area in empty.columns else [])]
    needed = [*keys, *used, *([population] if pop_in_data else [])]
    if not pop_in_data:
        # The key columns the population table shares with data are read too.
        shared = to_frame(population, name="population").columns
        needed += [c for c in empty.columns if c in shared]
    needed = list(dict.fromkeys(needed))

    pop_col, area_col = population, area

    def joined(batch: pl.DataFrame) -> pl.DataFrame:
        if pop_in_data:
            return batch
        return _rows_with_population(batch, population, area, population_sum_over, used)

    if not pop_in_data:
        probe = joined(empty.select(needed))
        pop_col = _POP
        if area is not None and area not in empty.columns:
            if _AREA not in probe.columns:
                raise InputError(
                    f"column '{area}' (area) is in neither data nor the population table"
                )
            area_col = _AREA
    bases = [("population", str(pop_col))] + ([("area", area_col)] if area_col else [])
    zero_bad = _zero_rule(measures, epsilon)

    def checked(batch: pl.DataFrame) -> pl.DataFrame:
        batch = joined(batch)
        for c in keys:
            check_no_nulls(batch, c)
        for c in staff_cols:
            check_numeric(batch, c, minimum="non_negative")
            if zero_bad is not None:
                zero = batch.get_column(c) == 0
                if zero.any():
                    row = int(zero.arg_true()[0])
                    raise InputError(f"column '{c}', row {row}: 0 staff; {zero_bad}")
        for _, col in bases:
            check_numeric(batch, col, minimum="positive")
        return batch

    # Pass 1: units, staff and weights per by group and subgroup.
    first = {f"s{i}": c for i, c in enumerate(staff_cols)}
    first |= {f"w_{b}": col for b, col in bases}
    sums, kept = scale.grouped_sums(src, needed, checked, keys, first, count=_UNITS)
    if kept == 0:
        raise InputError("data has no rows")
    for i, c in enumerate(staff_cols):
        _check_some_staff(sums, by_cols, f"s{i}", c)
    means = _means(sums, by_cols, keys, len(staff_cols), [b for b, _ in bases])

    # Pass 2: each unit's terms about its group's and subgroup's means.
    wanted = _terms(measures, groups is not None)

    second = {
        f"{n}{i}_{b}": f"{n}{i}_{b}"
        for i in range(len(staff_cols))
        for b, _ in bases
        for n in wanted
    }

    def terms(batch: pl.DataFrame) -> pl.DataFrame:
        batch = checked(batch)
        if batch.height == 0:
            return batch.select(keys).with_columns(pl.lit(0.0).alias(c) for c in second)
        at = (
            batch.join(means, on=keys, how="left", maintain_order="left")
            if keys
            else batch.with_columns(pl.lit(means[0, c]).alias(c) for c in means.columns)
        )
        out: dict[str, npt.NDArray[np.float64]] = {}
        for i, c in enumerate(staff_cols):
            s = _floats(at, c)
            for b, col in bases:
                w = _floats(at, col)
                mu, mu_g = _floats(at, f"mu{i}_{b}"), _floats(at, f"mug{i}_{b}")
                for name, term in wanted.items():
                    out[f"{name}{i}_{b}"] = _core.equity_unit_terms(
                        s, w, mu, mu_g, term=term, epsilon=epsilon
                    )
        return pl.concat([at.select(keys), pl.DataFrame(out)], how="horizontal")

    parts = sums
    if second:
        found, _ = scale.grouped_sums(src, needed, terms, keys, second)
        parts = (
            sums.join(found, on=keys, how="left", maintain_order="left")
            if keys
            else (pl.concat([sums, found], how="horizontal"))
        )
    return _finish(parts, by_cols, staff_cols, wide, bases, measures, epsilon, groups is not None)


def _floats(df: pl.DataFrame, column: str) -> npt.NDArray[np.float64]:
    return np.ascontiguousarray(df.get_column(column).cast(pl.Float64).to_numpy())


def _zero_rule(measures: Sequence[str], epsilon: float) -> str | None:
    """Why a unit without staff makes a requested measure undefined (None: it does not)."""
    if "theil_l" in measures:
        return (
            "Theil L (mean log deviation) takes ln(mean/level), undefined at zero; leave "
            "'theil_l' out of measures or examine the unit"
        )
    if "atkinson" in measures and epsilon >= 1:
        return (
            f"Atkinson with epsilon = {epsilon} (>= 1) is undefined when a unit has zero; "
            "use epsilon < 1"
        )
    return None


def _check_some_staff(sums: pl.DataFrame, by_cols: list[str], name: str, column: str) -> None:
    if by_cols:
        totals = sums.group_by(by_cols, maintain_order=True).agg(pl.col(name).sum())
        zero = totals.filter(pl.col(name) == 0)
        if zero.height:
            key = ", ".join(f"{k}={zero[0, k]!r}" for k in by_cols)
            raise InputError(
                f"column '{column}': group ({key}) has no staff, so inequality is undefined"
            )
    elif sums.get_column(name).sum() == 0:
        raise InputError(f"column '{column}': every unit has 0 staff, so inequality is undefined")


def _by_totals(df: pl.DataFrame, by_cols: list[str], columns: list[str]) -> pl.DataFrame:
    """Per `by` group, the sums of `columns` over its subgroups, each added exactly
    (math.fsum) in the order of the rows, so the figure depends only on the rows' values."""
    if not by_cols:
        return pl.DataFrame({c: [math.fsum(df.get_column(c).to_list())] for c in columns})
    lists = df.group_by(by_cols, maintain_order=True).agg(columns)
    return lists.with_columns(
        pl.Series(c, [math.fsum(v) for v in lists.get_column(c).to_list()], dtype=pl.Float64)
        for c in columns
    )


def _means(
    sums: pl.DataFrame, by_cols: list[str], keys: list[str], n_staff: int, bases: list[str]
) -> pl.DataFrame:
    """Per by group and subgroup (`keys`): the group's mean level ``mu{i}_{basis}`` and
    the subgroup's ``mug{i}_{basis}``, for staff column i."""
    cols = [f"s{i}" for i in range(n_staff)] + [f"w_{b}" for b in bases]
    totals = _by_totals(sums, by_cols, cols)
    table = sums.join(totals, on=by_cols, how="left", suffix="_t") if by_cols else sums
    if not by_cols:
        table = table.with_columns(pl.lit(totals[0, c]).alias(f"{c}_t") for c in cols)
    exprs = []
    for i in range(n_staff):
        for b in bases:
            exprs.append((pl.col(f"s{i}_t") / pl.col(f"w_{b}_t")).alias(f"mu{i}_{b}"))
            exprs.append((pl.col(f"s{i}") / pl.col(f"w_{b}")).alias(f"mug{i}_{b}"))
    return table.select(*keys, *exprs)


def _terms(measures: Sequence[str], decompose: bool) -> dict[str, str]:
    """The sums pass 2 needs (short name -> the core's term)."""
    out: dict[str, str] = {}
    if "theil_t" in measures:
        out |= {"tt": "theil_t", **({"ttw": "theil_t_within"} if decompose else {})}
    if "theil_l" in measures:
        out |= {"tl": "theil_l", **({"tlw": "theil_l_within"} if decompose else {})}
    if "atkinson" in measures:
        out["ta"] = "atkinson"
    if "cv" in measures:
        out["tc"] = "cv"
    return out


def _finish(
    parts: pl.DataFrame,
    by_cols: list[str],
    staff_cols: list[str],
    wide: bool,
    bases: list[tuple[str, str]],
    measures: Sequence[str],
    epsilon: float,
    decompose: bool,
) -> pl.DataFrame:
    """The indices per by group from the subgroups' exact sums (the core's
    ``equity_from_sums`` and ``equity_between``)."""
    term_cols = [c for c in parts.columns if c[:2] in ("tt", "tl", "ta", "tc")]
    weight_cols = [f"w_{b}" for b, _ in bases]
    staff_sums = [f"s{i}" for i in range(len(staff_cols))]
    totals = _by_totals(parts, by_cols, [*staff_sums, *weight_cols, *term_cols])
    if by_cols:
        units = parts.group_by(by_cols, maintain_order=True).agg(
            pl.col(_UNITS).sum().cast(pl.UInt32).alias("units")
        )
        totals = units.join(totals, on=by_cols, how="left", maintain_order="left")
    else:
        totals = totals.with_columns(
            pl.lit(int(parts.get_column(_UNITS).sum()), dtype=pl.UInt32).alias("units")
        )
    order = totals.sort(by_cols) if by_cols else totals
    pieces = []
    for i, c in enumerate(staff_cols):
        cols: dict[str, npt.NDArray[np.float64]] = {}
        for b, _ in bases:
            big_w = _floats(order, f"w_{b}")

            def index(column: str, term: str, w: Any = big_w) -> npt.NDArray[np.float64]:
                sums = _floats(order, column)
                return _core.equity_from_sums(sums, w, term=term, epsilon=epsilon)

            between = _between(parts, order, by_cols, i, b) if decompose else None
            for m in measures:
                name = f"{m}_by_{b}"
                if m in ("theil_t", "theil_l"):
                    k = "tt" if m == "theil_t" else "tl"
                    total = index(f"{k}{i}_{b}", m)
                    cols[name] = total
                    if between is not None:
                        bt = _clamp(between[k])
                        cols[f"{m}_between_by_{b}"] = bt
                        cols[f"{m}_within_by_{b}"] = index(f"{k}w{i}_{b}", f"{m}_within")
                        with np.errstate(divide="ignore", invalid="ignore"):
                            share = np.where(total > 0, bt / total, np.nan)
                        cols[f"{m}_between_share_by_{b}"] = share
                elif m in ("atkinson", "cv"):
                    cols[name] = index(f"{'ta' if m == 'atkinson' else 'tc'}{i}_{b}", m)
        for k, v in cols.items():
            if not np.isfinite(v[~np.isnan(v)] if "_between_share_" in k else v).all():
                raise InputError(
                    f"column '{c}': {k} is beyond the range of floats for these values; "
                    f"rescale the values, or {_COLLECT}"
                )
        head = order.select(*by_cols, "units")
        if wide:
            head = head.with_columns(pl.lit(c).alias("cadre")).select(*by_cols, "cadre", "units")
        frame = pl.DataFrame({k: pl.Series(k, v, dtype=pl.Float64) for k, v in cols.items()})
        frame = frame.with_columns(pl.col(k).fill_nan(None) for k in cols if "_between_share_" in k)
        pieces.append(pl.concat([head, frame], how="horizontal"))
    return pl.concat(pieces, how="vertical")


def _clamp(v: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Every index is >= 0: rounding noise below 0 (and -0.0) becomes 0, as in memory."""
    return np.where(v <= 0, 0.0, v)


def _between(
    parts: pl.DataFrame, order: pl.DataFrame, by_cols: list[str], i: int, b: str
) -> dict[str, npt.NDArray[np.float64]]:
    """Theil T's and L's between-subgroup parts per by group, from the subgroups'
    weights and staff: Σ_g (W_g/W)(μ_g/μ) ln(μ_g/μ) and Σ_g (W_g/W) ln(μ/μ_g)."""
    big = order.select(
        *by_cols, (pl.col(f"s{i}") / pl.col(f"w_{b}")).alias("mu"), pl.col(f"w_{b}").alias("W")
    )
    sub = parts.select(*by_cols, (pl.col(f"s{i}") / pl.col(f"w_{b}")).alias("mu_g"), f"w_{b}")
    sub = (
        sub.join(big, on=by_cols, how="left", maintain_order="left")
        if by_cols
        else sub.with_columns(pl.lit(big[0, "mu"]).alias("mu"), pl.lit(big[0, "W"]).alias("W"))
    )
    t, lg = _core.equity_between(
        _floats(sub, f"w_{b}"), _floats(sub, "mu_g"), _floats(sub, "W"), _floats(sub, "mu")
    )
    terms = pl.concat([sub.select(by_cols), pl.DataFrame({"bt": t, "bl": lg})], how="horizontal")
    summed = _by_totals(terms, by_cols, ["bt", "bl"])
    if by_cols:
        summed = order.select(by_cols).join(summed, on=by_cols, how="left", maintain_order="left")
    return {"tt": _floats(summed, "bt"), "tl": _floats(summed, "bl")}
