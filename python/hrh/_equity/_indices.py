"""Equity measures of one distribution that return a number or a curve: Gini and
Lorenz, generalised entropy, Atkinson and the coefficient of variation."""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from hrh import _core
from hrh._equity._common import _number, _weights
from hrh._frames import float_array
from hrh.exceptions import InputError


def gini(values: Any, weights: Any = None, *, corrected: bool = False) -> float:
    """Weighted Gini coefficient.

    G = 1 − Σ_k (P_k − P_{k−1})(L_k + L_{k−1}) on the Lorenz polygon of the units
    sorted by value (P cumulative weight share, L cumulative share of Σ w·x). With equal
    weights it is ΣΣ|x_i − x_j| / (2 n² μ). O(n log n).

    Parameters
    ----------
    values, weights
        Per-unit levels (>= 0, not all zero) and sizes (> 0).
    corrected
        Multiply by n / (n − 1) (small-sample correction; equal weights only).

    Returns
    -------
    float
        The coefficient, in [0, 1).

    Raises
    ------
    InputError
        Empty, null, NaN, negative or all-zero `values`; weights that are not > 0 or of
        another length than `values`; `corrected` with unequal weights.

    References
    ----------
    Gini C (1912). Variabilità e mutabilità. Bologna: Cuppini.
    Brown MC (1994). Using Gini-style indices to evaluate the spatial patterns of
    health practitioners. Social Science & Medicine 38:1243-1256.

    Examples
    --------
    >>> import hrh
    >>> hrh.gini([1, 1, 1, 5])
    0.375
    >>> hrh.gini([1, 5], weights=[3, 1])  # the same distribution, weighted
    0.375
    >>> hrh.gini([1, 1, 1, 5], corrected=True)
    0.5
    """
    v = float_array(values, "values")
    if not isinstance(corrected, bool | np.bool_):
        raise InputError(f"argument 'corrected': {corrected!r} must be True or False")
    return float(_core.gini(v, _weights(weights, v.size), corrected=bool(corrected)))


def lorenz(values: Any, weights: Any = None) -> pl.DataFrame:
    """Lorenz curve: ``population_share`` and ``value_share`` of the units sorted by
    value, from (0, 0) to (1, 1) (n + 1 rows).

    Parameters
    ----------
    values
        Per-unit levels (e.g. staff per 1,000 population): a sequence, numpy array or
        polars Series, >= 0 and not all zero; a null or NaN is an InputError.
    weights
        Per-unit sizes (e.g. population), > 0, same length as `values`; None: equal
        weights.

    Returns
    -------
    polars.DataFrame
        ``population_share`` (cumulative share of the weights) and ``value_share``
        (cumulative share of Σ w·x), n + 1 rows from (0, 0).

    Raises
    ------
    InputError
        Empty, null, NaN, negative or all-zero `values`; weights that are not > 0 or of
        another length than `values`.

    References
    ----------
    Lorenz MO (1905). Methods of measuring the concentration of wealth. Publications
    of the American Statistical Association 9(70):209-219.

    Examples
    --------
    >>> import hrh
    >>> hrh.lorenz([3, 1], weights=[1, 1]).rows()
    [(0.0, 0.0), (0.5, 0.25), (1.0, 1.0)]
    """
    v = float_array(values, "values")
    p, share = _core.lorenz(v, _weights(weights, v.size))
    return pl.DataFrame({"population_share": p, "value_share": share})


def generalized_entropy(values: Any, weights: Any = None, *, alpha: float) -> float:
    """Generalised entropy GE(α) = 1/(α(α−1)) Σ p_i ((x_i/μ)^α − 1); α = 0 and 1 are
    Theil L and T. Undefined with a zero value when α <= 0.

    Parameters
    ----------
    values
        Per-unit levels (e.g. staff per 1,000 population): a sequence, numpy array or
        polars Series, >= 0 and not all zero; a null or NaN is an InputError.
    weights
        Per-unit sizes (e.g. population), > 0, same length as `values`; None: equal
        weights.
    alpha
        The parameter α (finite): 0 Theil L, 1 Theil T, 2 half the squared coefficient
        of variation.

    Returns
    -------
    float
        The index (>= 0).

    Raises
    ------
    InputError
        Empty, null, NaN, negative or all-zero `values`; weights that are not > 0 or of
        another length than `values`; `alpha` not finite, or <= 0 with a zero value.

    References
    ----------
    Shorrocks AF (1980). Econometrica 48:613-625.

    Examples
    --------
    >>> import hrh
    >>> round(hrh.generalized_entropy([1, 2, 3, 6], alpha=2), 6)
    0.194444
    """
    v = float_array(values, "values")
    return float(
        _core.generalized_entropy(v, _weights(weights, v.size), alpha=_number(alpha, "alpha"))
    )


def atkinson(values: Any, weights: Any = None, *, epsilon: float) -> float:
    """Atkinson index A(ε) = 1 − (Σ p_i (x_i/μ)^(1−ε))^(1/(1−ε)); A(1) = 1 − exp(Σ p_i
    ln x_i)/μ. ε >= 0 is the aversion to inequality; with a zero value ε >= 1 is
    undefined (an InputError).

    Parameters
    ----------
    values
        Per-unit levels (e.g. staff per 1,000 population): a sequence, numpy array or
        polars Series, >= 0 and not all zero; a null or NaN is an InputError.
    weights
        Per-unit sizes (e.g. population), > 0, same length as `values`; None: equal
        weights.
    epsilon
        Inequality aversion ε, finite and >= 0 (0 gives 0; larger values weigh the
        worst-off units more). No default: the choice is the analyst's (0.5 is common).

    Returns
    -------
    float
        The index, in [0, 1).

    Raises
    ------
    InputError
        Empty, null, NaN, negative or all-zero `values`; weights that are not > 0 or of
        another length than `values`; `epsilon` negative or not finite, or >= 1 with a zero value.

    References
    ----------
    Atkinson AB (1970). On the measurement of inequality. Journal of Economic Theory
    2:244-263.

    Examples
    --------
    >>> import hrh
    >>> round(hrh.atkinson([1, 2, 3, 6], epsilon=1), 6)
    0.183503
    """
    v = float_array(values, "values")
    return float(_core.atkinson(v, _weights(weights, v.size), epsilon=_number(epsilon, "epsilon")))


def cv(values: Any, weights: Any = None, *, ddof: float = 0) -> float:
    """Coefficient of variation √(Σ w_i (x_i − μ)² / (Σw − ddof)) / μ, weights read as
    frequency weights (``ddof=1``: the sample standard deviation for equal weights).

    Parameters
    ----------
    values
        Per-unit levels (e.g. staff per 1,000 population): a sequence, numpy array or
        polars Series, >= 0 and not all zero; a null or NaN is an InputError.
    weights
        Per-unit sizes (e.g. population), > 0, same length as `values`; None: equal
        weights.
    ddof
        Subtracted from Σw in the variance's denominator: 0 (default) the population
        variance, 1 the sample variance for equal unit weights.

    Returns
    -------
    float
        The coefficient of variation (standard deviation over the weighted mean).

    Raises
    ------
    InputError
        Empty, null, NaN, negative or all-zero `values`; weights that are not > 0 or of
        another length than `values`; `ddof` not smaller than Σw.

    References
    ----------
    Brown MC (1994). Using Gini-style indices to evaluate the spatial patterns of
    health practitioners. Social Science & Medicine 38:1243-1256 (the coefficient of
    variation among measures of the distribution of health workers).

    Examples
    --------
    >>> import hrh
    >>> hrh.cv([1, 3])
    0.5
    """
    v = float_array(values, "values")
    return float(_core.cv(v, _weights(weights, v.size), ddof=_number(ddof, "ddof")))
