"""Matplotlib plots of hrh results (install the ``plot`` extra: ``pip install
hrh[plot]``).

Each function draws on `ax` (a new figure when ``None``) and returns the axes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import polars as pl

from hrh import norms
from hrh._equity import lorenz as _lorenz
from hrh.exceptions import InputError

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = [
    "acceptability",
    "ce_plane",
    "cumulative_incidence",
    "density",
    "lorenz",
    "survival",
    "tornado",
]


def _axes(ax: Axes | None) -> Axes:
    try:
        import matplotlib.pyplot as plt
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError("hrh.plot needs matplotlib: pip install 'hrh[plot]'") from e
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4.5))
    return ax


def lorenz(
    values: Any,
    weights: Any = None,
    *,
    ax: Axes | None = None,
    label: str | None = None,
    equality: bool = True,
    **style: Any,
) -> Axes:
    """Draw the Lorenz curve of `values` weighted by `weights` (see
    :func:`hrh.lorenz`), with the line of equality.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import hrh.plot
    >>> ax = hrh.plot.lorenz([1, 2, 3, 6], label="units")
    >>> ax.get_xlabel()
    'cumulative share of population'
    """
    ax = _axes(ax)
    curve = _lorenz(values, weights)
    ax.plot(curve["population_share"], curve["value_share"], label=label, **style)
    if equality:
        ax.plot([0, 1], [0, 1], color="0.5", lw=0.8, ls="--", label="_equality")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_aspect("equal")
    ax.set_xlabel("cumulative share of population")
    ax.set_ylabel("cumulative share of staff")
    if label is not None:
        ax.legend(loc="upper left")
    return ax


def density(
    result: pl.DataFrame,
    *,
    label: str,
    ax: Axes | None = None,
    thresholds: Sequence[tuple[str, float]] = (
        ("WHO SDG threshold 4.45", norms.SDG_THRESHOLD),
        ("WHR 2006 threshold 2.28", norms.WHR2006_THRESHOLD),
    ),
) -> Axes:
    """Horizontal bars of the densities of a :func:`hrh.density` result with their
    intervals, against reference thresholds.

    Parameters
    ----------
    result
        Output of :func:`hrh.density` (columns ``density``, ``lower``,
        ``upper``).
    label
        Column naming the bars (e.g. ``"district"``).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import hrh, hrh.plot
    >>> d = hrh.density({"region": ["a", "b"], "staff": [30, 80], "pop": [10_000, 20_000]},
    ...                 staff="staff", population="pop", by="region")
    >>> len(hrh.plot.density(d, label="region").patches)
    2
    """
    for c in (label, "density", "lower", "upper"):
        if c not in result.columns:
            raise InputError(f"column '{c}' is not in the density result")
    ax = _axes(ax)
    names = result[label].cast(pl.String).to_list()
    d = result["density"].to_numpy()
    err = [d - result["lower"].to_numpy(), result["upper"].to_numpy() - d]
    ax.barh(names, d, xerr=err, color="#1b6ca8", ecolor="0.2", capsize=3)
    for (name, v), color in zip(thresholds, ["#e07a1f", "#3a9d5d", "#b23a48"], strict=False):
        ax.axvline(v, color=color, ls="--", lw=1.5, label=name)
    ax.set_xlabel("staff per 1,000 population")
    if thresholds:
        ax.legend(loc="lower right")
    return ax


def survival(result: Any, *, ax: Axes | None = None, ci: bool = True) -> Axes:
    """Step plot of Kaplan-Meier curves (a :class:`hrh.KaplanMeier`) with confidence
    bands.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import hrh, hrh.plot
    >>> km = hrh.kaplan_meier({"t": [1, 2, 3, 4], "e": [1, 0, 1, 1], "g": [0, 0, 1, 1]},
    ...                       duration="t", event="e", by="g")
    >>> len(hrh.plot.survival(km).get_lines())
    2
    """
    ax = _axes(ax)
    by = list(result.by)
    groups = [((), result.table)] if not by else result.table.group_by(by, maintain_order=True)
    for key, part in groups:
        label = ", ".join(str(k) for k in key) if by else None
        t = [0.0, *part["time"].to_list()]
        s = [1.0, *part["survival"].to_list()]
        (line,) = ax.step(t, s, where="post", label=label)
        if ci:
            lo = [1.0, *part["lower"].fill_null(float("nan")).to_list()]
            hi = [1.0, *part["upper"].fill_null(float("nan")).to_list()]
            ax.fill_between(t, lo, hi, step="post", alpha=0.2, color=line.get_color())
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("time in post")
    ax.set_ylabel("share still in post")
    if by:
        ax.legend(title=", ".join(by))
    return ax


def cumulative_incidence(result: Any, *, ax: Axes | None = None) -> Axes:
    """Step curves of the cumulative incidence of each exit reason (a
    :class:`hrh.CumulativeIncidence`; the first group when there are several).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import hrh, hrh.plot
    >>> ci = hrh.cumulative_incidence({"t": [1, 2, 3], "c": ["quit", "retired", None]},
    ...                               duration="t", cause="c")
    >>> len(hrh.plot.cumulative_incidence(ci).get_lines())
    2
    """
    ax = _axes(ax)
    table = result.table
    if result.by:
        first = table.row(0, named=True)
        for c in result.by:
            table = table.filter(pl.col(c) == first[c])
    for cause, part in table.group_by("cause", maintain_order=True):
        t = [0.0, *part["time"].to_list()]
        f = [0.0, *part["cumulative_incidence"].to_list()]
        ax.step(t, f, where="post", label=str(cause[0]))
    ax.set_xlabel("time in post")
    ax.set_ylabel("cumulative incidence of leaving")
    ax.legend(title="reason")
    return ax


def projection(
    result: Any, *, region: str | None = None, cadre: str | None = None, ax: Axes | None = None
) -> Axes:
    """Fan chart of projected supply (median, 50 % and 90 % bands) against demand (mean,
    90 % band) for a :class:`hrh.Projection`: one region and cadre, or (without `region`)
    the sum over regions of one cadre or of all cadres.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import hrh, hrh.plot
    >>> doc = {"start_year": 2024, "horizon": 3, "regions": ["A"],
    ...        "cadres": [{"name": "nurse", "retirement_age": 60, "attrition": {"rate": 0.1},
    ...                    "demand": {"method": "quota", "quota": 120}}],
    ...        "stock": [{"region": "A", "cadre": "nurse", "count": 100}]}
    >>> len(hrh.plot.projection(hrh.simulate(doc, draws=0)).get_lines())
    2
    """
    ax = _axes(ax)
    if region is None:
        t = result.totals.filter(pl.col("cadre") == (cadre or "all"))
        where = "all regions"
    else:
        cadres = result.table["cadre"].unique().to_list()
        if cadre is None and len(cadres) > 1:
            raise InputError(
                f"argument 'cadre': name one of {', '.join(sorted(cadres))} to plot a region"
            )
        t = result.table.filter(
            (pl.col("region") == region) & (pl.col("cadre") == (cadre or cadres[0]))
        )
        where = region
    if t.height == 0:
        raise InputError(
            f"argument 'region': nothing projected for region {region!r}, cadre {cadre!r}"
        )
    years = t["year"].to_list()
    for alpha, width in ((0.15, 90), (0.3, 50)):
        ax.fill_between(
            years,
            t[f"supply_lower_{width}"].to_list(),
            t[f"supply_upper_{width}"].to_list(),
            alpha=alpha,
            color="C0",
            label=f"supply {width} % band",
        )
    ax.plot(years, t["supply_median"].to_list(), color="C0", label="supply (median)")
    if t["demand"].null_count() < t.height:
        ax.plot(years, t["demand"].to_list(), color="C3", label="demand (mean)")
        ax.fill_between(
            years,
            t["demand_lower_90"].fill_null(float("nan")).to_list(),
            t["demand_upper_90"].fill_null(float("nan")).to_list(),
            alpha=0.12,
            color="C3",
        )
    ax.set_xlabel("year")
    ax.set_ylabel("staff")
    ax.set_title(f"{result.label}: {cadre or 'all cadres'}, {where}")
    ax.legend()
    return ax


_EFFECT_LABEL = {
    "shortage_years": ("shortage_years_averted", "shortage-years averted"),
    "person_years": ("extra_person_years", "extra person-years in post"),
}


def ce_plane(result: Any, *, ax: Axes | None = None) -> Axes:
    """The cost-effectiveness plane of a :class:`hrh.Comparison`: each policy's draws of
    incremental cost against its effect (the comparison's `effect`), their mean as a
    larger marker, and the axes through the baseline.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import hrh, hrh.plot
    >>> doc = {"start_year": 2024, "horizon": 3, "regions": ["A"],
    ...        "cadres": [{"name": "nurse", "retirement_age": 60, "salary": 10,
    ...                    "attrition": {"rate": {"dist": "beta", "a": 10, "b": 90}},
    ...                    "demand": {"method": "quota", "quota": 120}}],
    ...        "stock": [{"region": "A", "cadre": "nurse", "count": 100}],
    ...        "policies": [{"name": "hire", "extra_entrants": [{"cadre": "nurse", "value": 5}]}]}
    >>> runs = [hrh.simulate(doc, policy=p, draws=50, seed=1) for p in (None, "hire")]
    >>> ax = hrh.plot.ce_plane(hrh.compare(runs))
    >>> ax.get_ylabel()
    'incremental cost'
    """
    ax = _axes(ax)
    col, label = _EFFECT_LABEL[result.effect]
    if result.draws.height == 0:
        raise InputError(
            "argument 'result': the comparison has no paired draws (draws=0, or not kept)"
        )
    for i, (name, d) in enumerate(result.draws.group_by("projection", maintain_order=True)):
        color = f"C{i % 10}"
        ax.scatter(d[col], d["incremental_cost"], s=6, alpha=0.3, color=color)
        ax.scatter(
            [d[col].mean()],
            [d["incremental_cost"].mean()],
            s=60,
            color=color,
            edgecolor="black",
            label=str(name[0]),
        )
    ax.axhline(0, color="0.5", lw=0.8)
    ax.axvline(0, color="0.5", lw=0.8)
    ax.set_xlabel(label)
    ax.set_ylabel("incremental cost")
    ax.set_title(f"against {result.table['projection'][0]} ({result.currency or 'cost'})")
    ax.legend()
    return ax


def acceptability(result: Any, *, ax: Axes | None = None) -> Axes:
    """Cost-effectiveness acceptability curves of a :class:`hrh.Comparison`: per policy,
    the probability that it is cost-effective against the baseline at each willingness to
    pay per unit of effect."""
    ax = _axes(ax)
    a = result.acceptability.filter(pl.col("p_cost_effective").is_not_null())
    if a.height == 0:
        raise InputError(
            "argument 'result': the comparison has no paired draws (draws=0, or not kept)"
        )
    for name, d in a.group_by("projection", maintain_order=True):
        ax.plot(d["wtp"], d["p_cost_effective"], label=str(name[0]))
    ax.set_ylim(0, 1)
    ax.set_xlabel(f"willingness to pay per {_EFFECT_LABEL[result.effect][1][:-1]}")
    ax.set_ylabel("probability cost-effective")
    ax.legend()
    return ax


def tornado(result: Any, *, top: int = 10, ax: Axes | None = None) -> Axes:
    """Tornado chart of a :class:`hrh.Sensitivity`: the `top` parameters by partial rank
    correlation with the outcome, the strongest at the top."""
    ax = _axes(ax)
    t = result.table.drop_nulls("prcc").head(top).reverse()
    colors = ["C3" if v < 0 else "C0" for v in t["prcc"]]
    ax.barh(t["parameter"].to_list(), t["prcc"].to_list(), color=colors)
    ax.axvline(0, color="0.5", lw=0.8)
    ax.set_xlim(-1, 1)
    ax.set_xlabel(f"partial rank correlation with {result.outcome}")
    return ax
