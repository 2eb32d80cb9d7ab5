"""The Theil index (T or L) with its between/within decomposition over groups, and
its result object."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import polars as pl

from hrh import _core
from hrh._equity._common import _codes_and_labels, _label_series, _number
from hrh._frames import check_nan, float_array
from hrh.exceptions import InputError


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
    unit_contribution : numpy.ndarray
        Each unit's term of the total, computed on first access (the total is summed
        without forming them).

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
    # The core's per-group arrays and the labels, made a table on first access.
    _group_parts: tuple[pl.Series | list[Any], dict[str, Any]] | None = field(
        default=None, repr=False, compare=False
    )
    # The core's call with its arguments, for the units' terms on first access.
    _call: Callable[..., dict[str, Any]] | None = field(default=None, repr=False, compare=False)

    @functools.cached_property
    def unit_contribution(self) -> npt.NDArray[np.float64]:
        """Each unit's term of the total."""
        if self._call is None:
            return np.zeros(0)
        return np.asarray(self._call(units=True)["unit_contribution"])

    @functools.cached_property
    def groups(self) -> pl.DataFrame | None:
        """Per group: shares, mean, own index and contributions (None without groups)."""
        if self._group_parts is None:
            return None
        labels, r = self._group_parts
        return pl.DataFrame(
            {
                "group": labels if isinstance(labels, pl.Series) else _label_series(labels),
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
    # NaNs are found by the core's checks, in the same pass as the others; on any error
    # they are named first, as the checks of each argument in turn would.
    v = float_array(values, "values", nan=False)
    w = None
    try:
        if weights is not None:
            w = float_array(weights, "weights", nan=False)
            if w.size != v.size:
                raise InputError(
                    f"argument 'weights': has length {w.size} but 'values' has length {v.size}"
                )
        codes, labels = (None, None) if groups is None else _codes_and_labels(groups, v.size)
        if isinstance(mean, bool) or not (isinstance(mean, str | int | float)):
            raise InputError(
                f"argument 'mean': {mean!r} is not 'weighted', 'unweighted' or a number"
            )
        if isinstance(log_base, bool) or not isinstance(log_base, int | float):
            raise InputError(f"argument 'log_base': {log_base!r} is not a number")
        log_base = _number(log_base, "log_base")
        if not isinstance(mean, str):
            mean = _number(mean, "mean")
        call = functools.partial(
            _core.theil,
            v,
            w,
            codes,
            0 if labels is None else len(labels),
            kind=str(kind),
            mean=mean,
            log_base=log_base,
        )
        r = call(units=False)
    except Exception:
        check_nan(v, "values")
        if w is not None:
            check_nan(w, "weights")
        raise
    return TheilResult(
        total=float(r["total"]),
        between=float(r["between"]),
        within=float(r["within"]),
        kind=str(kind),
        reference=float(r["reference"]),
        log_base=float(log_base),
        _group_parts=None if labels is None else (labels, r),
        _call=call,
    )
