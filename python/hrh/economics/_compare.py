"""Paired cost-effectiveness of policies against a baseline (:func:`compare`,
:class:`Comparison`): discounted costs, person-years and shortage-years, their
differences draw by draw with intervals, cost-effectiveness ratios, the efficiency
frontier and acceptability curves."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

import numpy as np
import polars as pl

from hrh import _core
from hrh.economics._selection import (
    _EFFECTS,
    _RATIOS,
    _Arr,
    _items,
    _none,
    _person_years,
    _quantiles,
    _rate,
    _select,
)
from hrh.exceptions import InputError
from hrh.planning import Projection


@dataclass(frozen=True)
class Comparison:
    """Policies against a baseline (the first projection), draw by draw.

    Attributes
    ----------
    table
        One row per projection. The final year's state: `supply`, `demand`,
        `shortage` (the sum over cells of each cell's unmet need: a surplus in one region
        never offsets a shortage in another) with its 90 % interval over draws
        `shortage_lower`/`shortage_upper` (the 5 % and 95 % quantiles),
        `p_shortage`, `surplus` and `net_gap` (netted, for reference). Over the projected
        years, discounted: `cost` (all cost items), `person_years` (staff in post, the
        mean of each year's start and end stock) and `shortage_years` (each year's
        end-of-year shortage), each with its 90 % interval `_lower`/`_upper` over draws.
        Against the baseline
        (paired draw by draw; 5 %/95 % quantiles of the draws' differences):
        `incremental_cost`, `extra_person_years`, `shortage_years_averted`,
        `shortage_averted` (final year, undiscounted); the ratios
        `cost_per_person_year` and `cost_per_shortage_year_averted` (mean incremental
        cost over mean effect, null unless the mean effect is positive; their `_lower`/`_upper`
        are quantiles of the draws' own ratios, null unless every draw's effect is
        positive, since a ratio whose denominator changes sign has no interval), with
        `p_more_person_years` and `p_shortage_years_averted`, the shares of draws whose
        effect is positive; `frontier` ("frontier", "dominated" or "extendedly
        dominated", on mean cost and the chosen effect) and `icer`, the incremental ratio
        to the frontier strategy of next lower effect.
    acceptability
        Per policy and willingness to pay `wtp` (per unit of the effect):
        `p_cost_effective`, the share of draws in which `wtp x effect - incremental
        cost > 0` against the baseline, and `p_best`, the share in which the strategy's
        net benefit is the largest of all (the baseline included).
    draws
        Per policy and draw: `incremental_cost`, `extra_person_years`,
        `shortage_years_averted` (the cost-effectiveness plane).
    effect
        The effect of `acceptability`, `frontier` and `icer`: "shortage_years" or
        "person_years".
    discount_rate, outcome_discount_rate, base_year, timing
        The discounting used.
    beyond_horizon
        Whether `cost` and `person_years` count the staff in post at the
        horizon for their expected remaining years.
    currency
        The scenario's currency.

    References
    ----------
    Drummond MF, Sculpher MJ, Claxton K, Stoddart GL, Torrance GW (2015). Methods for
    the Economic Evaluation of Health Care Programmes, 4th ed. Oxford University Press.
    Fenwick E, Claxton K, Sculpher M (2001). Representing uncertainty: the role of
    cost-effectiveness acceptability curves. Health Economics 10:779-787.

    Examples
    --------
    >>> import hrh
    >>> doc = {"start_year": 2024, "horizon": 3, "regions": ["A", "B"],
    ...        "cadres": [{"name": "nurse", "retirement_age": 60, "attrition": {"rate": 0.0},
    ...                    "salary": 10,
    ...                    "demand": {"method": "quota", "quota": {"A": 50, "B": 150}}}],
    ...        "stock": [{"region": "A", "cadre": "nurse", "age": 30, "count": 200},
    ...                  {"region": "B", "cadre": "nurse", "age": 30, "count": 100}],
    ...        "policies": [{"name": "more_in_B",
    ...                      "extra_entrants": [{"cadre": "nurse", "region": "B", "value": 20}]}]}
    >>> runs = [hrh.simulate(doc, draws=0), hrh.simulate(doc, policy="more_in_B", draws=0)]
    >>> c = hrh.compare(runs, discount_rate=0)
    >>> c.table.select("projection", "shortage_years_averted").rows()
    [('scenario', 0.0), ('scenario + more_in_B', 110.0)]
    """

    table: pl.DataFrame
    acceptability: pl.DataFrame
    draws: pl.DataFrame
    effect: str
    discount_rate: float
    outcome_discount_rate: float
    base_year: int
    timing: str
    currency: str
    beyond_horizon: bool = False

    def to_polars(self) -> pl.DataFrame:
        return self.table

    def _repr_html_(self) -> str:
        cols = [
            c
            for c in (
                "projection",
                "shortage",
                "cost",
                "incremental_cost",
                _EFFECTS[self.effect],
                _RATIOS[_EFFECTS[self.effect]],
                "frontier",
            )
            if c in self.table.columns
        ]
        return (
            f"<b>Comparison</b> against {escape(str(self.table['projection'][0]))}, "
            f"discounted at {self.discount_rate:.1%} (costs) and "
            f"{self.outcome_discount_rate:.1%} (outcomes) from {self.base_year}"
            + self.table.select(cols)._repr_html_()
        )

    def plot(self, kind: str = "plane", *, ax: Any = None) -> Any:
        """The cost-effectiveness plane (`kind="plane"`: each policy's draws of
        incremental cost against effect, with their means) or the acceptability curves
        (`kind="acceptability"`).

        Parameters
        ----------
        kind
            ``"plane"`` (default) or ``"acceptability"``; anything else is an
            InputError.
        ax
            Matplotlib Axes to draw on; None: a new figure.

        Returns
        -------
        matplotlib.axes.Axes
            Needs matplotlib (``pip install 'hrh[plot]'``).
        """
        from hrh.plot import acceptability, ce_plane

        if kind == "plane":
            return ce_plane(self, ax=ax)
        if kind == "acceptability":
            return acceptability(self, ax=ax)
        raise InputError(f"argument 'kind': {kind!r} is not 'plane' or 'acceptability'")


def compare(
    projections: Sequence[Projection] | dict[str, Projection],
    *,
    cadre: str | None = None,
    grade: str | None = None,
    region: str | None = None,
    discount_rate: float = 0.03,
    outcome_discount_rate: float | None = None,
    base_year: int | None = None,
    timing: str = "start",
    effect: str = "shortage_years",
    wtp: Sequence[float] | None = None,
    beyond_horizon: bool = False,
) -> Comparison:
    """Policies against a baseline, by cost, staff in post and unmet need, draw by draw.

    The first projection is the baseline. All must project the same years with the same
    seed and number of draws (`hrh.simulate(..., seed=s)` for each): their draws share
    parameter values, so every difference is taken draw by draw.

    Costs and outcomes of projected year `y` are discounted by `(1 + r)^-(y - base_year)`
    (`timing="start"`, the default: the base year is not discounted),
    `(1 + r)^-(y - base_year + 1/2)` ("mid") or `(1 + r)^-(y - base_year + 1)` ("end").
    The default rate, 3 % a year for costs and outcomes alike, is the rate of the WHO
    guide to cost-effectiveness analysis; pass 0 for undiscounted sums.

    Parameters
    ----------
    projections
        Projections from `hrh.simulate`, the baseline first; a dict gives them
        labels (else each projection's `label`).
    cadre
        Only this cadre (default: all cadres); its own costs.
    grade
        Only this grade of `cadre`: supply, staff in post and shortage are the
        grade's (its shortage is known where the cadre's demand is given by grade);
        costs stay the cadre's.
    region
        Only this region (with several cadres, `cadre` too). Its costs are means
        only (each draw's costs are kept per cadre, not per region), so it has no cost
        intervals and no acceptability; its effects' intervals need `keep_draws=True`.
    discount_rate
        Annual discount rate of costs (and of outcomes unless
        `outcome_discount_rate` is given); above -1.
    outcome_discount_rate
        Annual discount rate of person-years and shortage-years.
    base_year
        The year discounted to (default: the first projected year).
    timing
        "start", "mid" or "end" of each year, as above.
    effect
        What the acceptability curves, the frontier and `icer` count:
        "shortage_years" (shortage-years averted) or "person_years" (extra person-years in
        post).
    wtp
        Willingness to pay per unit of `effect` (finite, >= 0) for the acceptability
        curves; default 51 values from 0 to three times the largest positive mean ratio.
    beyond_horizon
        Count the value beyond the horizon: the staff in post at its end
        stay for their expected remaining years in post (from the scenario's own final-
        year attrition, deaths and retirement age; `hrh.simulate(...,
        horizon_value=True)`), adding their discounted person-years to `person_years` and
        their discounted salaries to `cost`. A training programme whose graduates serve
        after the horizon is then credited with their years (and their pay).

    Returns
    -------
    Comparison
        `table`, `acceptability`, `draws` and `.plot()`; see `Comparison`.

    Raises
    ------
    InputError
        No projections or something that is not a projection; projections of different
        years, seeds or numbers of draws; a discount rate of -100 % or less or not a
        number; a willingness to pay that is negative or not finite; a cadre, grade or
        region that a projection does not have.

    References
    ----------
    Tan-Torres Edejer T, Baltussen R, Adam T, et al., eds (2003). Making choices in
    health: WHO guide to cost-effectiveness analysis. Geneva: World Health Organization
    (discounting at 3 %).
    Cantor SB (1994). Cost-effectiveness analysis, extended dominance, and ethics: a
    quantitative assessment. Medical Decision Making 14:259-265.
    Fenwick E, Claxton K, Sculpher M (2001). Representing uncertainty: the role of
    cost-effectiveness acceptability curves. Health Economics 10:779-787.

    Examples
    --------
    >>> import hrh
    >>> doc = {"start_year": 2024, "horizon": 3, "regions": ["A", "B"],
    ...        "cadres": [{"name": "nurse", "retirement_age": 60, "attrition": {"rate": 0.0},
    ...                    "salary": 10,
    ...                    "demand": {"method": "quota", "quota": {"A": 50, "B": 150}}}],
    ...        "stock": [{"region": "A", "cadre": "nurse", "age": 30, "count": 200},
    ...                  {"region": "B", "cadre": "nurse", "age": 30, "count": 100}],
    ...        "policies": [{"name": "more_in_A",
    ...                      "extra_entrants": [{"cadre": "nurse", "region": "A", "value": 20}]},
    ...                     {"name": "more_in_B",
    ...                      "extra_entrants": [{"cadre": "nurse", "region": "B", "value": 20}]}]}
    >>> runs = [hrh.simulate(doc, draws=0)] + [hrh.simulate(doc, policy=p, draws=0)
    ...                                         for p in ("more_in_A", "more_in_B")]
    >>> c = hrh.compare(runs, discount_rate=0)
    >>> c.table.select("projection", "shortage", "net_gap", "shortage_years_averted",
    ...                "cost_per_shortage_year_averted", "frontier").rows()
    [('scenario', 50.0, -100.0, 0.0, None, 'frontier'),
     ('scenario + more_in_A', 50.0, -160.0, 0.0, None, 'dominated'),
     ('scenario + more_in_B', 0.0, -160.0, 110.0, 8.181818181818182, 'frontier')]
    """
    items = _items(projections)
    rate = _rate(discount_rate, "discount_rate")
    orate = (
        rate
        if outcome_discount_rate is None
        else _rate(outcome_discount_rate, "outcome_discount_rate")
    )
    if effect not in _EFFECTS:
        raise InputError(f"argument 'effect': {effect!r} is not 'shortage_years' or 'person_years'")
    years = items[0][1].totals["year"].unique().sort().to_list()
    projected = years[1:]
    if base_year is None:
        base_year = projected[0]
    if isinstance(base_year, bool) or not isinstance(base_year, int):
        raise InputError(f"argument 'base_year': {base_year!r} must be a year (an integer)")
    fc = _core.discount_factors(projected, rate, base_year, timing)
    fo = _core.discount_factors(projected, orate, base_year, timing)
    if not isinstance(beyond_horizon, bool):
        raise InputError(f"argument 'beyond_horizon': {beyond_horizon!r} must be True or False")
    sel = [_select(label, p, cadre, grade, region, beyond_horizon) for label, p in items]
    # Years after the horizon, discounted on from the last projected year.
    after_years = 0 if sel[0].after_py is None else sel[0].after_py.shape[1]
    later = [projected[-1] + k for k in range(1, after_years + 1)]
    fa_c = _core.discount_factors(later, rate, base_year, timing) if later else np.zeros(0)
    fa_o = _core.discount_factors(later, orate, base_year, timing) if later else np.zeros(0)

    def disc(x: _Arr, f: _Arr) -> _Arr:
        return _core.discounted(np.ascontiguousarray(x, dtype=np.float64).ravel(), f)

    # Per projection: discounted totals, means and (when kept) per draw.
    per_draw: list[dict[str, _Arr | None]] = []
    for s in sel:
        r = s.row
        r["cost"] = float(np.dot(s.cost, fc))
        r["person_years"] = float(np.dot(_person_years(s.supply), fo))
        r["shortage_years"] = _none(float(np.dot(s.shortage[1:], fo)))
        beyond_py: _Arr | float = 0.0
        beyond_cost: _Arr | float = 0.0
        if s.after_py is not None and s.after_cost is not None:
            beyond_py = disc(s.after_py, fa_o)
            beyond_cost = disc(s.after_cost, fa_c)
            r["person_years"] += float(np.mean(beyond_py))
            r["cost"] += float(np.mean(beyond_cost))
        draws: dict[str, _Arr | None] = {
            "cost": None if s.cost_draws is None else disc(s.cost_draws, fc) + beyond_cost,
            "person_years": None
            if s.supply_draws is None
            else disc(_person_years(s.supply_draws), fo) + beyond_py,
            "shortage_years": None
            if s.shortage_draws is None
            else disc(s.shortage_draws[:, 1:], fo),
            "shortage": None if s.shortage_draws is None else s.shortage_draws[:, -1].copy(),
        }
        for key in ("cost", "person_years", "shortage_years"):
            r[f"{key}_lower"], r[f"{key}_upper"] = _quantiles(draws[key])
        per_draw.append(draws)
    base, b = sel[0].row, per_draw[0]
    plane = []
    diffs: list[dict[str, _Arr | None]] = []
    for (label, _), s, d in zip(items, sel, per_draw, strict=True):
        r = s.row
        r["incremental_cost"] = r["cost"] - base["cost"]
        r["extra_person_years"] = r["person_years"] - base["person_years"]
        for key, out in (
            ("shortage_years", "shortage_years_averted"),
            ("shortage", "shortage_averted"),
        ):
            r[out] = None if r[key] is None or base[key] is None else base[key] - r[key]

        def diff(key: str, sign: float) -> _Arr | None:
            x, y = d[key], b[key]  # noqa: B023
            return None if x is None or y is None else sign * (x - y)

        dd = {
            "incremental_cost": diff("cost", 1.0),
            "extra_person_years": diff("person_years", 1.0),
            "shortage_years_averted": diff("shortage_years", -1.0),
            "shortage_averted": diff("shortage", -1.0),
        }
        for key, x in dd.items():
            r[f"{key}_lower"], r[f"{key}_upper"] = _quantiles(x)
        for eff, ratio in _RATIOS.items():
            mean_e, mean_c = r[eff], r["incremental_cost"]
            r[ratio] = mean_c / mean_e if mean_e is not None and mean_e > 0 else None
            r[f"{ratio}_lower"] = r[f"{ratio}_upper"] = None
            dc, de = dd["incremental_cost"], dd[eff]
            share = None
            if dc is not None and de is not None and not np.isnan(de).any():
                rr = _core.ratio(dc, de)
                q = rr["quantiles"]
                r[f"{ratio}_lower"], r[f"{ratio}_upper"] = _none(q[0]), _none(q[4])
                share = rr["p_effect_positive"]
            key = (
                "p_more_person_years" if eff == "extra_person_years" else "p_shortage_years_averted"
            )
            r[key] = share
        diffs.append(dd)
        if dd["incremental_cost"] is not None and label != items[0][0]:
            n = len(dd["incremental_cost"])
            plane.append(
                pl.DataFrame(
                    {
                        "projection": [label] * n,
                        "draw": np.arange(n, dtype=np.int32),
                        **{k: dd[k] for k in _RATIOS},
                        "incremental_cost": dd["incremental_cost"],
                    }
                )
            )
    eff = _EFFECTS[effect]
    rows = [s.row for s in sel]
    if all(r[eff] is not None for r in rows):
        status = _core.frontier([r["incremental_cost"] for r in rows], [r[eff] for r in rows])
        for r, (st, icer) in zip(rows, status, strict=True):
            r["frontier"], r["icer"] = st, _none(icer)
    else:
        for r in rows:
            r["frontier"] = r["icer"] = None
    # Acceptability over willingness to pay.
    if wtp is None:
        top = max((r[_RATIOS[eff]] for r in rows[1:] if r[_RATIOS[eff]] is not None), default=None)
        top = 3 * top if top is not None and top > 0 else 1.0
        grid = np.linspace(0.0, top, 51)
    else:
        try:
            grid = np.asarray(wtp, dtype=np.float64).ravel()
        except (TypeError, ValueError) as e:
            raise InputError(f"argument 'wtp': {wtp!r} must be numbers") from e
        bad = np.flatnonzero(~np.isfinite(grid) | (grid < 0))
        if bad.size:
            raise InputError(
                f"argument 'wtp', row {bad[0]}: a willingness to pay must be a finite number "
                f">= 0, got {grid[bad[0]]}"
            )
    acc = []
    kept = all(dd["incremental_cost"] is not None and dd[eff] is not None for dd in diffs)
    if kept and len(items) > 1:
        cost = [np.ascontiguousarray(dd["incremental_cost"]) for dd in diffs]
        eff_d = [np.ascontiguousarray(dd[eff]) for dd in diffs]
        if not any(np.isnan(e).any() for e in eff_d):
            best = np.asarray(_core.p_best(cost, eff_d, grid)).reshape(len(grid), len(items))
            for j, (label, _) in enumerate(items):
                p_ce = (
                    np.full(len(grid), np.nan)
                    if j == 0
                    else _core.acceptability(cost[j], eff_d[j], grid)
                )
                acc.append(
                    pl.DataFrame(
                        {
                            "projection": [label] * len(grid),
                            "wtp": grid,
                            "p_cost_effective": p_ce,
                            "p_best": best[:, j],
                        }
                    ).with_columns(pl.col("p_cost_effective").fill_nan(None))
                )
    schema = {
        "projection": pl.String,
        "wtp": pl.Float64,
        "p_cost_effective": pl.Float64,
        "p_best": pl.Float64,
    }
    return Comparison(
        table=pl.DataFrame(rows, infer_schema_length=None),
        acceptability=pl.concat(acc) if acc else pl.DataFrame(schema=schema),
        draws=pl.concat(plane) if plane else pl.DataFrame(),
        effect=effect,
        discount_rate=rate,
        outcome_discount_rate=orate,
        base_year=base_year,
        timing=timing,
        currency=items[0][1].currency,
        beyond_horizon=beyond_horizon,
    )
