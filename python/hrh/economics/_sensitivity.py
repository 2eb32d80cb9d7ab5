"""Which drawn assumptions drive a projection's outcome (:func:`sensitivity`,
:class:`Sensitivity`): every draw's parameter values regenerated from the seed and
ranked by partial rank correlation with the outcome."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Any

import numpy as np
import polars as pl

from hrh import _core
from hrh.economics._selection import _Arr, _items, _rate
from hrh.exceptions import InputError
from hrh.planning import Projection


@dataclass(frozen=True)
class Sensitivity:
    """Which drawn assumptions drive an outcome.

    Attributes
    ----------
    table
        One row per parameter that varies over the draws (its scenario path):
        `prcc`, its partial rank correlation with the outcome over the draws (from -1 to
        1: the association of their ranks with the other parameters held in account),
        and `rank` by `|prcc|`, largest first.
    outcome
        What was ranked against.
    draws
        Number of draws.

    References
    ----------
    Blower SM, Dowlatabadi H (1994). Sensitivity and uncertainty analysis of complex
    models of disease transmission: an HIV model, as an example. International
    Statistical Review 62:229-243.

    Examples
    --------
    >>> import hrh
    >>> doc = {"start_year": 2024, "horizon": 3, "regions": ["A"],
    ...        "cadres": [{"name": "nurse", "retirement_age": 60,
    ...                    "attrition": {"rate": {"dist": "beta", "a": 5, "b": 95}},
    ...                    "entrants": {"per_year": {"dist": "uniform", "low": 0, "high": 20},
    ...                                 "age": {"mean": 25}},
    ...                    "demand": {"method": "quota", "quota": 250}}],
    ...        "stock": [{"region": "A", "cadre": "nurse", "age": 30, "count": 200}]}
    >>> s = hrh.sensitivity(hrh.simulate(doc, draws=200, seed=1))
    >>> s.table["parameter"].to_list()
    ['cadres[0].entrants.per_year', 'cadres[0].attrition.rate']
    """

    table: pl.DataFrame
    outcome: str
    draws: int

    def to_polars(self) -> pl.DataFrame:
        return self.table

    def _repr_html_(self) -> str:
        return f"<b>Sensitivity</b> of {escape(self.outcome)}" + self.table._repr_html_()

    def plot(self, *, top: int = 10, ax: Any = None) -> Any:
        """Tornado chart of the `top` parameters by partial rank correlation.

        Parameters
        ----------
        top
            Number of parameters shown, largest `|prcc|` first (default 10).
        ax
            Matplotlib Axes to draw on; None: a new figure.

        Returns
        -------
        matplotlib.axes.Axes
            Needs matplotlib (``pip install 'hrh[plot]'``).
        """
        from hrh.plot import tornado

        return tornado(self, top=top, ax=ax)


def sensitivity(
    projection: Projection,
    *,
    baseline: Projection | None = None,
    outcome: str = "shortage",
    cadre: str | None = None,
    year: int | None = None,
    discount_rate: float = 0.03,
) -> Sensitivity:
    """Rank the scenario's uncertain parameters by their influence on an outcome.

    Each draw's parameter values are regenerated exactly as `hrh.simulate` drew them
    (from the projection's seed), and set against each draw's outcome by partial rank
    correlation (PRCC; Marino et al. 2008): rank-based, so any monotone relation counts,
    and partial, so a parameter's effect is not credited to another drawn with it. With
    about 10 draws per parameter or more it separates strong from weak drivers; it does
    not measure interactions (a variance-based index would).

    Parameters
    ----------
    projection
        A projection with draws (its draws kept: under 128 MiB).
    baseline
        With it, the outcome is the policy's effect against the baseline (same
        seed and draws): "shortage" becomes the shortage averted in `year`, "cost" the
        incremental cost.
    outcome
        "shortage" (the total shortage of `cadre` in `year`, never netted),
        "shortage_years" (summed over the projected years) or "cost" (discounted cost
        over the projected years at `discount_rate`, from the first projected year).
    cadre
        The cadre of the shortage (default: all cadres).
    year
        The year of "shortage" (default: the final year).
    discount_rate
        For "cost"; above -1.

    Returns
    -------
    Sensitivity

    Raises
    ------
    InputError
        A projection without draws or whose draws were not kept, a baseline of other
        draws, an unknown outcome, cadre or year.

    References
    ----------
    Blower SM, Dowlatabadi H (1994). Sensitivity and uncertainty analysis of complex
    models of disease transmission: an HIV model, as an example. International
    Statistical Review 62:229-243.
    Marino S, Hogue IB, Ray CJ, Kirschner DE (2008). A methodology for performing global
    uncertainty and sensitivity analysis in systems biology. Journal of Theoretical
    Biology 254:178-196.

    Examples
    --------
    >>> import hrh
    >>> doc = {"start_year": 2024, "horizon": 5, "regions": ["A"],
    ...        "cadres": [{"name": "nurse", "retirement_age": 60,
    ...                    "attrition": {"rate": {"dist": "beta", "a": 5, "b": 95}},
    ...                    "entrants": {"per_year": {"dist": "uniform", "low": 1, "high": 2},
    ...                                 "age": {"mean": 25}},
    ...                    "demand": {"method": "quota", "quota": 120}}],
    ...        "stock": [{"region": "A", "cadre": "nurse", "age": 30, "count": 100}]}
    >>> s = hrh.sensitivity(hrh.simulate(doc, draws=500, seed=1))
    >>> s.table.select("parameter", "rank").rows()
    [('cadres[0].attrition.rate', 1), ('cadres[0].entrants.per_year', 2)]
    """
    if not isinstance(projection, Projection):
        raise InputError(f"argument 'projection': a {type(projection).__name__}, not a Projection")
    d = projection._draws
    if projection.draws == 0 or d is None or projection._source is None:
        raise InputError(
            "argument 'projection': sensitivity needs a projection with draws, kept (under 128 MiB)"
        )
    if outcome not in ("shortage", "shortage_years", "cost"):
        raise InputError(
            f"argument 'outcome': {outcome!r} is not 'shortage', 'shortage_years' or 'cost'"
        )
    rate = _rate(discount_rate, "discount_rate")
    if cadre is not None and cadre not in d.cadres:
        raise InputError(f"argument 'cadre': {cadre!r} is not a cadre of the projection")
    if year is None:
        year = d.years[-1]
    if year not in d.years:
        raise InputError(
            f"argument 'year': {year!r} is not projected ({d.years[0]} to {d.years[-1]})"
        )

    def value(p: Projection) -> _Arr:
        pd = p._draws
        assert pd is not None
        j = pd.cells.index((cadre or "all", None))
        if outcome == "shortage":
            return pd.shortage[:, pd.years.index(year), j]
        if outcome == "shortage_years":
            out: _Arr = pd.shortage[:, 1:, j].sum(axis=1)
            return out
        f = _core.discount_factors(pd.years[1:], rate, pd.years[1], "start")
        c = pd.cost.sum(axis=3)
        c = c.sum(axis=2) if cadre is None else c[:, :, pd.cadres.index(cadre)]
        return np.asarray(_core.discounted(np.ascontiguousarray(c, dtype=np.float64).ravel(), f))

    y = value(projection)
    label = outcome if cadre is None else f"{outcome} of {cadre}"
    if baseline is not None:
        _items([baseline, projection])
        if baseline._draws is None:
            raise InputError("argument 'baseline': its draws were not kept")
        base = value(baseline)
        y = base - y if outcome != "cost" else y - base
        label = {
            "shortage": "shortage averted",
            "shortage_years": "shortage-years averted",
            "cost": "incremental cost",
        }[outcome] + ("" if cadre is None else f" of {cadre}")
    if np.isnan(y).any():
        raise InputError(
            f"argument 'outcome': {label} is unknown in some draws (a demand without a method)"
        )
    js, stock = projection._source
    paths, values = _core.param_draws(js, stock=stock, seed=projection.seed, draws=projection.draws)
    k = len(paths)
    if k == 0:
        raise InputError("argument 'projection': no parameter of the scenario is uncertain")
    r = np.asarray(_core.prcc(values, k, np.ascontiguousarray(y, dtype=np.float64)))
    table = (
        pl.DataFrame({"parameter": paths, "prcc": r})
        .with_columns(pl.col("prcc").fill_nan(None))
        .with_columns(
            rank=pl.col("prcc").abs().rank(method="ordinal", descending=True).cast(pl.Int32)
        )
        .sort("rank", nulls_last=True)
    )
    return Sensitivity(table=table, outcome=label, draws=projection.draws)
