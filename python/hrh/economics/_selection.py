"""What :func:`compare` and :func:`sensitivity` read from projections: the checks of
a discount rate and of the projections set side by side (same years, seed and draws),
and one projection's numbers for a comparison (the final year's state, means per year
and, when kept, every draw's), with the quantiles and ratios' helpers."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from hrh import _core
from hrh.exceptions import InputError
from hrh.planning import Projection
from hrh.planning._projection import _shortage_draws

_EFFECTS = {
    "shortage_years": "shortage_years_averted",
    "person_years": "extra_person_years",
}
_RATIOS = {
    "shortage_years_averted": "cost_per_shortage_year_averted",
    "extra_person_years": "cost_per_person_year",
}
_Arr = npt.NDArray[np.float64]


def _rate(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InputError(f"argument '{name}': {value!r} must be a number (0.03 for 3 %)")
    if not (math.isfinite(value) and value > -1):
        raise InputError(f"argument '{name}': must be a finite rate above -1 (-100 %), got {value}")
    return float(value)


def _items(projections: Sequence[Projection] | dict[str, Projection]) -> list[tuple[str, Any]]:
    items = (
        list(projections.items())
        if isinstance(projections, dict)
        else [(p.label if isinstance(p, Projection) else repr(p), p) for p in projections]
    )
    if not items:
        raise InputError("argument 'projections': compare needs at least one projection")
    for label, p in items:
        if not isinstance(p, Projection):
            raise InputError(
                f"argument 'projections': {label!r} is a {type(p).__name__}, not a Projection "
                "from hrh.simulate"
            )
    base_label, base = items[0]
    years = base.totals["year"].unique().sort().to_list()
    for label, p in items[1:]:
        own = p.totals["year"].unique().sort().to_list()
        if own != years:
            raise InputError(
                f"argument 'projections': {label!r} projects {own[0]} to {own[-1]}, the "
                f"baseline {years[0]} to {years[-1]}: compare projections of the same years"
            )
        if p.draws != base.draws or (p.draws > 0 and p.seed != base.seed):
            raise InputError(
                f"argument 'projections': {label!r} has {p.draws} draws with seed {p.seed}, "
                f"the baseline {base_label!r} {base.draws} with seed {base.seed}: paired "
                "draws need the same seed and number of draws"
            )
    return items


@dataclass(frozen=True)
class _Selected:
    """One projection's numbers for the comparison: per year means, and per draw when
    kept (draws x years)."""

    row: dict[str, Any]
    shortage: _Arr  # mean per year
    supply: _Arr
    cost: _Arr  # mean per projected year
    shortage_draws: _Arr | None
    supply_draws: _Arr | None
    cost_draws: _Arr | None
    # Person-years and salaries after the horizon per draw and year after it.
    after_py: _Arr | None = None
    after_cost: _Arr | None = None


def _select(
    label: str,
    p: Projection,
    cadre: str | None,
    grade: str | None,
    region: str | None,
    beyond: bool = False,
) -> _Selected:
    totals, costs = p.totals, p.costs
    cadres = p.table["cadre"].unique().to_list()
    if cadre is not None and cadre not in cadres:
        raise InputError(f"argument 'cadre': {cadre!r} is not a cadre of {label!r}")
    which = cadre
    if grade is not None:
        if cadre is None:
            raise InputError("argument 'grade': name the cadre too (argument 'cadre')")
        known = p.grade_table.filter(pl.col("cadre") == cadre)["grade"].unique().to_list()
        if grade not in known:
            raise InputError(
                f"argument 'grade': {grade!r} is not a grade of cadre {cadre!r} in "
                f"{label!r} (grades: {', '.join(sorted(known)) or 'one grade only'})"
            )
        totals = p.grade_totals.filter(pl.col("grade") == grade)
    if region is not None:
        if region not in set(p.table["region"]):
            raise InputError(f"argument 'region': {region!r} is not a region of {label!r}")
        if cadre is None and len(cadres) > 1:
            raise InputError(f"argument 'cadre': name one of {', '.join(sorted(cadres))}")
        which = cadre or cadres[0]
        table = p.table if grade is None else p.grade_table.filter(pl.col("grade") == grade)
        totals = table.filter(pl.col("region") == region).rename(
            {"gap": "net_gap", "p_gap_positive": "p_shortage"}
        )
        costs = costs.filter(pl.col("region") == region)
    if which is not None:
        costs = costs.filter(pl.col("cadre") == which)
    sel = totals.filter(pl.col("cadre") == (which or "all")).sort("year")
    last = sel.row(sel.height - 1, named=True)
    row = {
        "projection": label,
        "final_year": last["year"],
        "supply": last["supply"],
        "demand": last["demand"],
        "shortage": last["shortage"],
        "shortage_lower": last["shortage_lower_90"],
        "shortage_upper": last["shortage_upper_90"],
        "p_shortage": last["p_shortage"],
        "surplus": last["surplus"],
        "net_gap": last["net_gap"],
    }
    cost = costs.group_by("year").agg(pl.col("cost").sum()).sort("year")["cost"].to_numpy()
    shortage = sel["shortage"].fill_null(float("nan")).to_numpy()
    supply = sel["supply"].to_numpy()
    # Every draw's numbers, when kept (never per region for costs).
    sd = yd = cd = None
    d = p._draws
    if region is not None:
        sd = _shortage_draws(p, which or "all", grade, region)
        if sd is not None and p.draws_table is not None:
            t = p.draws_table.filter((pl.col("region") == region) & (pl.col("cadre") == which))
            yd = t["supply"].to_numpy().reshape(sd.shape)
    elif d is not None:
        j = d.cells.index((which or "all", grade))
        sd, yd = d.shortage[:, :, j], d.supply[:, :, j]
        if which is None:
            cd = d.cost.sum(axis=(2, 3))
        else:
            cd = d.cost[:, :, d.cadres.index(which), :].sum(axis=2)
    apy = acost = None
    if beyond:
        if d is None or d.after is None or region is not None or grade is not None:
            raise InputError(
                f"argument 'beyond_horizon': {label!r} has no staff carried beyond the "
                "horizon: simulate it with horizon_value=True (its draws kept), for all "
                "regions and a whole cadre (not region= or grade=)"
            )
        a = d.after.sum(axis=2) if which is None else d.after[:, :, d.cadres.index(which), :]
        apy, acost = a[:, :, 0], a[:, :, 1]
    return _Selected(row, shortage, supply, cost, sd, yd, cd, apy, acost)


def _person_years(supply: _Arr) -> _Arr:
    """Person-years in post per projected year: the mean of the stock at its start and
    end (the last axis is the year)."""
    return 0.5 * (supply[..., :-1] + supply[..., 1:])


def _quantiles(x: _Arr | None) -> tuple[float | None, float | None]:
    if x is None:
        return None, None
    _, q = _core.summary(np.ascontiguousarray(x, dtype=np.float64))
    # (+ 0.0: a quantile of zero differences is 0, never -0.)
    return (None, None) if math.isnan(q[0]) else (q[0] + 0.0, q[4] + 0.0)


def _none(x: float) -> float | None:
    return None if math.isnan(x) else float(x)
