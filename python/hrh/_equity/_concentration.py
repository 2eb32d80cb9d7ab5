"""Concentration (by a ranking variable, with Wagstaff and Erreygers corrections) and
polarization (Esteban-Ray, Wolfson, Zhang-Kanbur) indices."""

from __future__ import annotations

from typing import Any, Literal

import polars as pl

from hrh import _core
from hrh._equity._common import _codes, _number, _pair, _weights
from hrh._frames import float_array
from hrh.exceptions import InputError


def concentration_index(
    values: Any,
    rank: Any,
    weights: Any = None,
    *,
    correction: Literal["wagstaff", "erreygers"] | None = None,
    bounds: tuple[float, float] | None = None,
) -> float:
    """Concentration index C = 2 cov_w(h, R) / μ_h of levels `values` across units
    ranked by `rank` (e.g. income, deprivation, urbanisation), R the weighted
    fractional rank (ties share their average rank). C > 0: `values` concentrate among
    the high-ranked.

    Parameters
    ----------
    values
        Per-unit levels of the health variable h (e.g. staff per 1,000), not all zero;
        a null or NaN is an InputError.
    rank
        Per-unit ranking variable (income, deprivation, urbanisation), same length;
        units are ranked by it (ties share their average rank).
    weights
        Per-unit sizes (population), > 0; None: equal weights.
    correction
        ``"wagstaff"``: C μ (b − a) / ((b − μ)(μ − a)), i.e. C / (1 − μ) in [0, 1];
        ``"erreygers"``: 4 μ C / (b − a), for variables bounded by ``bounds=(a, b)``
        (required with a correction).
    bounds
        The bounds (a, b) of `values`, needed by a correction (and refused without
        one); every value must lie in [a, b].

    Returns
    -------
    float
        The index, in [−1, 1] (0: no concentration by rank).

    Raises
    ------
    InputError
        Empty, null or NaN values, ranks or weights; weights that are not > 0; inputs of
        different lengths; a correction without `bounds`, `bounds` without a
        correction, or a value outside them.

    References
    ----------
    Kakwani N, Wagstaff A, van Doorslaer E (1997). Socioeconomic inequalities in health:
    measurement, computation, and statistical inference. J Econometrics 77:87-103.
    Wagstaff A (2005). The bounds of the concentration index when the variable of
    interest is binary. Health Economics 14:429-432.
    Erreygers G (2009). Correcting the concentration index. J Health Econ 28:504-515.

    Examples
    --------
    >>> import hrh
    >>> hrh.concentration_index([1, 2, 3, 4], rank=[10, 20, 30, 40])
    0.25
    >>> hrh.concentration_index([0.2, 0.4], rank=[1, 2], correction="erreygers", bounds=(0, 1))
    0.2
    """
    v = float_array(values, "values")
    r = float_array(rank, "rank")
    if correction is not None and bounds is None:
        raise InputError(
            f"argument 'bounds': correction={correction!r} needs bounds=(lower, upper)"
        )
    if correction not in (None, "wagstaff", "erreygers"):
        raise InputError(
            f"argument 'correction': {correction!r} is not None, 'wagstaff' or 'erreygers'"
        )
    if correction is None and bounds is not None:
        raise InputError(
            "argument 'bounds': used only by correction='wagstaff' or 'erreygers'; give a "
            "correction, or leave bounds out"
        )
    lo, hi = (0.0, 1.0) if bounds is None else _pair(bounds, "bounds")
    return float(
        _core.concentration_index(
            v, r, _weights(weights, v.size), correction=correction, lower=lo, upper=hi
        )
    )


def polarization(
    values: Any,
    weights: Any = None,
    *,
    method: Literal["esteban_ray", "wolfson", "zhang_kanbur"],
    alpha: float | None = None,
    groups: Any = None,
) -> float:
    """Polarization index.

    - ``"esteban_ray"``: ER(α) = Σ_i Σ_j p_i^(1+α) p_j |x_i − x_j| / μ, normalised by
      the mean (K = 1/μ) so that it is scale invariant; α in [0, 1.6]; ER(0) = 2 G.
      With `groups`, the index Esteban and Ray define on a population partitioned
      into groups: ER(α) = Σ_g Σ_h π_g^(1+α) π_h |y_g − y_h| / μ, π_g the group's share
      of the weight and y_g its weighted mean level; without, each unit is its own
      group.
    - ``"wolfson"``: W = 2 (μ/m)(1 − 2 L(0.5) − G), m the weighted median, L(0.5) the
      Lorenz curve at half the population, G the Gini; maximum 1. Software that
      reports (μ/m)(1 − 2 L(0.5) − G) gives W/2, the half-scale value.
    - ``"zhang_kanbur"``: between-group over within-group Theil T (needs `groups`).

    Parameters
    ----------
    values
        Per-unit levels (e.g. staff per 1,000 population): a sequence, numpy array or
        polars Series, >= 0 and not all zero; a null or NaN is an InputError.
    weights
        Per-unit sizes (e.g. population), > 0, same length as `values`; None: equal
        weights.
    method
        ``"esteban_ray"``, ``"wolfson"`` or ``"zhang_kanbur"``, as above (required).
    alpha
        Esteban-Ray's polarisation sensitivity α, in [0, 1.6]; None (default) is 1.3.
        The other methods have no α: giving one is an InputError.
    groups
        Group label of each unit (same length as `values`): needed by
        ``"zhang_kanbur"``; with ``"esteban_ray"``, the index over the groups (see
        above); ``"wolfson"`` is defined on units and refuses groups.

    Returns
    -------
    float
        The index.

    Raises
    ------
    InputError
        Empty, null, NaN, negative or all-zero `values`; weights that are not > 0 or of
        another length than `values`; a `method` not in the list; `alpha` outside [0, 1.6];
        ``"zhang_kanbur"`` without `groups`; groups of another length or with nulls;
        ``"wolfson"`` with `groups`; `alpha` with a method other than
        ``"esteban_ray"``.

    References
    ----------
    Esteban J-M, Ray D (1994). On the measurement of polarization. Econometrica
    62:819-851.
    Wolfson MC (1994). When inequalities diverge. American Economic Review
    84(2):353-358.
    Zhang X, Kanbur R (2001). What difference do polarisation measures make? Journal
    of Development Studies 37(3):85-98.

    Examples
    --------
    >>> import hrh
    >>> round(hrh.polarization([1, 2, 3, 6], method="wolfson"), 6)
    0.4
    >>> round(hrh.polarization([1, 2, 3, 6], method="esteban_ray", alpha=0), 6) == round(
    ...     2 * hrh.gini([1, 2, 3, 6]), 6)
    True

    Two groups of two regions (levels per 1,000 population, equal populations): the
    index over the groups' means 1.5 and 4.5, 2 × 0.5^2.3 × 0.5 × 3 / 3 = 0.5^2.3.

    >>> g = ["a", "a", "b", "b"]
    >>> round(hrh.polarization([1, 2, 4, 5], method="esteban_ray", groups=g), 6)
    0.203063
    """
    if method not in ("esteban_ray", "wolfson", "zhang_kanbur"):
        raise InputError(
            f"argument 'method': {method!r} is not 'esteban_ray', 'wolfson' or 'zhang_kanbur'"
        )
    if alpha is not None and method != "esteban_ray":
        raise InputError(
            f"argument 'alpha': method {method!r} has no sensitivity α (only 'esteban_ray' "
            "takes alpha); leave it out"
        )
    if groups is not None and method == "wolfson":
        raise InputError(
            "argument 'groups': the Wolfson index is defined on units and takes no groups; "
            "leave groups out, or use method='esteban_ray' (over groups) or 'zhang_kanbur'"
        )
    v = float_array(values, "values")
    codes, labels = (None, pl.Series("group", [])) if groups is None else _codes(groups, v.size)
    return float(
        _core.polarization(
            v,
            _weights(weights, v.size),
            codes,
            len(labels),
            method=str(method),
            alpha=1.3 if alpha is None else _number(alpha, "alpha"),
        )
    )
