"""Distribution equity: Gini and Lorenz, Theil with between/within decomposition,
generalised entropy, Atkinson, coefficient of variation, concentration and
polarization indices, and :func:`equity`, which computes them per group of a table with
bootstrap intervals.

Array-level functions take per-unit `values` (levels, e.g. staff per 1,000 population)
and `weights` (the units' sizes, e.g. population; ``None`` for equal weights). Measured
"by area" means values = staff / area and weights = area. Units are never dropped:
zeros stay, and measures undefined with a zero raise :class:`hrh.InputError` saying
why.

A note on names: the index many health-workforce papers call "Theil" and write as
T = Σ P_i ln(P_i / Y_i) (P population share, Y resource share) is the mean log deviation
with population weights, ``theil(..., kind="L")``; T = Σ Y_i ln(Y_i / P_i) is
``kind="T"``.
"""

from __future__ import annotations

import functools
import math
import secrets
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import polars as pl

from hrh import _core
from hrh._frames import (
    as_list,
    check_level,
    check_no_nulls,
    check_numeric,
    column_array,
    float_array,
    group_codes,
    require_columns,
    to_frame,
    value_codes,
)
from hrh._progress import progress_after
from hrh.density import _AREA, _POP, _rows_with_population
from hrh.exceptions import InputError

__all__ = [
    "TheilResult",
    "atkinson",
    "concentration_index",
    "cv",
    "equity",
    "generalized_entropy",
    "gini",
    "lorenz",
    "polarization",
    "theil",
]


def _weights(weights: Any, n: int) -> np.ndarray | None:
    if weights is None:
        return None
    w = float_array(weights, "weights")
    if w.size != n:
        raise InputError(f"argument 'weights': has length {w.size} but 'values' has length {n}")
    return w


def _number(value: Any, name: str) -> float:
    """A scalar argument as a float, or an InputError naming it when it is not a real
    number (text, None, a list, a bool, an integer too large for a float); the range is
    checked by the core."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | float | np.number):
        raise InputError(f"argument '{name}': {value!r} is not a number")
    try:
        return float(value)
    except (OverflowError, TypeError, ValueError) as e:
        raise InputError(f"argument '{name}': {value!r} is not a finite number") from e


def _pair(value: Any, name: str) -> tuple[float, float]:
    """A (lower, upper) argument as two floats, or an InputError naming it."""
    if isinstance(value, str | bytes | dict) or not isinstance(value, Sequence | np.ndarray):
        raise InputError(f"argument '{name}': {value!r} must be a pair (lower, upper)")
    if len(value) != 2:
        raise InputError(f"argument '{name}': {value!r} must be a pair (lower, upper)")
    return _number(value[0], name), _number(value[1], name)


def _codes(groups: Any, n: int) -> tuple[np.ndarray, pl.Series]:
    """Group labels (any array-like) as dense codes in sorted label order."""
    if isinstance(groups, pl.Series):
        s = groups
    else:
        if isinstance(groups, str | bytes) or not hasattr(groups, "__iter__"):
            raise InputError(
                f"argument 'groups': expected one label per value, got {type(groups).__name__}"
            )
        try:
            s = pl.Series("groups", list(groups))
        except (TypeError, OverflowError, pl.exceptions.PolarsError) as e:
            raise InputError(
                "argument 'groups': labels must all be of one type (all text or all numbers)"
            ) from e
    if s.len() != n:
        raise InputError(f"argument 'groups': has length {s.len()} but 'values' has length {n}")
    if s.null_count():
        raise InputError(f"argument 'groups', item {int(s.is_null().arg_true()[0])}: value is null")
    if s.dtype.is_nested() or s.dtype == pl.Object:
        raise InputError(
            f"argument 'groups' has type {s.dtype}; labels must be text, numbers or booleans"
        )
    if s.dtype.is_float() and s.is_nan().any():
        raise InputError(f"argument 'groups', item {int(s.is_nan().arg_true()[0])}: value is NaN")
    if n == 0:
        return np.zeros(0, dtype=np.uint32), s.rename("group")
    if s.dtype == pl.String:  # coded in place by the core, in parallel
        codes_, labels = value_codes(s)
        return codes_, labels.rename("group")
    labels = s.unique().sort()
    codes = s.replace_strict(labels, pl.int_range(labels.len(), eager=True), return_dtype=pl.UInt32)
    return np.ascontiguousarray(codes.to_numpy()), labels.rename("group")


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


@dataclass(frozen=True)
class TheilResult:
    """A Theil index and its decomposition.

    Attributes
    ----------
    total, between, within : float
        The index and its parts (between = 0, within = total without groups).
    kind : str
        ``"T"`` or ``"L"``.
    reference : float
        The reference level m the units were compared with.
    log_base : float
        Base of the logarithms.
    groups : polars.DataFrame or None
        Per group: ``group``, ``population_share`` (weight share), ``value_share``
        (share of Σ w·x, e.g. of staff), ``mean``, ``index`` (the group's own index
        about its own mean), ``within``, ``between`` (its contributions); built on
        first access.
    units : polars.DataFrame
        ``unit`` (row index) and ``contribution`` (terms summing to the total), built
        on first access.

    References
    ----------
    Theil H (1967). Economics and Information Theory. Amsterdam: North-Holland.
    Shorrocks AF (1980). The class of additively decomposable inequality measures.
    Econometrica 48:613-625.

    Examples
    --------
    >>> import hrh
    >>> t = hrh.theil([1, 2, 4, 8], groups=["a", "a", "b", "b"])
    >>> abs(t.between + t.within - t.total) < 1e-12
    True
    >>> t.groups["group"].to_list()
    ['a', 'b']
    """

    total: float
    between: float
    within: float
    kind: str
    reference: float
    log_base: float
    unit_contribution: npt.NDArray[np.float64] = field(repr=False)
    # The core's per-group arrays and the labels, made a table on first access.
    _group_parts: tuple[pl.Series, dict[str, Any]] | None = field(
        default=None, repr=False, compare=False
    )

    @functools.cached_property
    def groups(self) -> pl.DataFrame | None:
        """Per group: shares, mean, own index and contributions (None without groups)."""
        if self._group_parts is None:
            return None
        labels, r = self._group_parts
        return pl.DataFrame(
            {
                "group": labels,
                "population_share": r["group_weight_share"],
                "value_share": r["group_value_share"],
                "mean": r["group_mean"],
                # A group whose values are all 0 has no index of its own (0 / 0): null.
                "index": pl.Series(np.asarray(r["group_index"], np.float64), nan_to_null=True),
                "within": r["group_within"],
                "between": r["group_between"],
            }
        )

    @property
    def units(self) -> pl.DataFrame:
        """Each unit's term of the total."""
        n = self.unit_contribution.size
        return pl.DataFrame({"unit": np.arange(n), "contribution": self.unit_contribution})

    @property
    def between_share(self) -> float:
        """between / total (NaN when the total is 0)."""
        return self.between / self.total if self.total else math.nan

    def to_polars(self) -> pl.DataFrame:
        """One-row table of total, between, within and the between share."""
        return pl.DataFrame(
            {
                "kind": [self.kind],
                "total": [self.total],
                "between": [self.between],
                "within": [self.within],
                "between_share": [self.between_share],
            }
        )

    def _repr_html_(self) -> str:
        parts = [f"<b>Theil {self.kind}</b> = {self.total:.6g}"]
        if self.groups is not None:
            parts.append(
                f" (between {self.between:.6g}, within {self.within:.6g}; "
                f"between share {self.between_share:.1%})"
            )
            parts.append(self.groups._repr_html_())
        return "".join(parts)


def theil(
    values: Any,
    weights: Any = None,
    *,
    groups: Any = None,
    kind: Literal["T", "L"] = "T",
    log_base: float = math.e,
    mean: Literal["weighted", "unweighted"] | float = "weighted",
) -> TheilResult:
    """Theil index T (GE(1)) or L (GE(0), mean log deviation), decomposed into between-
    and within-group parts when `groups` is given.

    With population shares p_i = w_i / Σw and reference level m:

    - T = Σ p_i (x_i/m) ln(x_i/m), zeros contributing 0 (0 ln 0 = 0);
      between = Σ_g p_g (μ_g/m) ln(μ_g/m), within = Σ_g p_g (μ_g/m) T_g;
    - L = Σ p_i ln(m/x_i) (an InputError if a value is 0);
      between = Σ_g p_g ln(m/μ_g), within = Σ_g p_g L_g,

    μ_g the group's weighted mean and T_g, L_g its own index about μ_g. The parts sum
    to the total exactly, whatever m is.

    Parameters
    ----------
    values
        Per-unit levels (e.g. staff per 1,000 population): a sequence, numpy array or
        polars Series, >= 0 and not all zero; a null or NaN is an InputError.
    weights
        Per-unit sizes (e.g. population), > 0, same length as `values`; None: equal
        weights.
    groups
        Group label per unit (e.g. East/Central/West), same length as `values`; None:
        no decomposition.
    kind
        ``"T"`` or ``"L"``.
    log_base
        Base of the logarithm (e, 10 or 2 as some published tables use).
    mean
        The reference level m: ``"weighted"`` (Σ p_i x_i, the textbook index),
        ``"unweighted"`` (plain average of the values), or a number (e.g. a mean
        rounded as printed in a paper).

    Returns
    -------
    TheilResult
        ``.total``, ``.between``, ``.within``, ``.groups`` (per group: shares, mean, own
        index and contributions) and ``.units`` (each unit's term).

    Raises
    ------
    InputError
        Empty, null, NaN, negative or all-zero `values`; weights that are not > 0 or of
        another length than `values`; a zero value with ``kind="L"``; `groups` of another
        length or with nulls; `kind` not ``"T"`` or ``"L"``; `log_base` not a finite
        number > 0 other than 1; a numeric `mean` that is not finite and > 0.

    References
    ----------
    Theil H (1967). Economics and Information Theory. Amsterdam: North-Holland.
    Shorrocks AF (1980). The class of additively decomposable inequality measures.
    Econometrica 48:613-625.

    Examples
    --------
    >>> import hrh
    >>> t = hrh.theil([1, 2, 3, 6], groups=["a", "a", "b", "b"])
    >>> round(t.total, 6), round(t.between, 6), round(t.within, 6)
    (0.187445, 0.130812, 0.056633)
    >>> round(hrh.theil([1, 2, 3, 6], kind="L", log_base=10).total, 6)
    0.088046
    """
    v = float_array(values, "values")
    w = _weights(weights, v.size)
    codes, labels = (None, pl.Series("group", [])) if groups is None else _codes(groups, v.size)
    if isinstance(mean, bool) or not (isinstance(mean, str | int | float)):
        raise InputError(f"argument 'mean': {mean!r} is not 'weighted', 'unweighted' or a number")
    if isinstance(log_base, bool) or not isinstance(log_base, int | float):
        raise InputError(f"argument 'log_base': {log_base!r} is not a number")
    log_base = _number(log_base, "log_base")
    if not isinstance(mean, str):
        mean = _number(mean, "mean")
    r = _core.theil(v, w, codes, len(labels), kind=str(kind), mean=mean, log_base=log_base)
    return TheilResult(
        total=float(r["total"]),
        between=float(r["between"]),
        within=float(r["within"]),
        kind=str(kind),
        reference=float(r["reference"]),
        log_base=float(log_base),
        unit_contribution=np.asarray(r["unit_contribution"]),
        _group_parts=None if codes is None else (labels, r),
    )


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
        One row per unit (a province, a county): any table hrh reads. Not modified.
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
    df = to_frame(data)
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
    require_columns(df, staff_cols, role="staff")
    pop_in_data = isinstance(population, str)
    if pop_in_data:
        require_columns(df, [population], role="population")
        if area is not None:
            require_columns(df, [area], role="area")
        if population_sum_over is not None:
            raise InputError(
                "argument 'population_sum_over': population is a column of data; "
                "population_sum_over applies to a population table"
            )
    require_columns(df, by_cols, role="by")
    if groups is not None:
        require_columns(df, [groups], role="groups")
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
