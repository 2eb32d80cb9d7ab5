"""Parametric (accelerated failure time) models of time in post, as R's ``survreg``:
the fit (:func:`parametric`), which returns a :class:`ParametricResult`."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from statistics import NormalDist
from typing import Any, Literal

import numpy as np
import polars as pl

from hrh import _core
from hrh._frames import as_list, check_level, check_no_nulls, require_columns
from hrh.attrition._common import EventValues, _surv, _with_events
from hrh.attrition._design import _design, _matrix
from hrh.attrition._parametric_result import ParametricResult
from hrh.exceptions import InputError

Dist = Literal["exponential", "weibull", "lognormal", "loglogistic"]
_DISTS = ("exponential", "weibull", "lognormal", "loglogistic")


def parametric(
    data: Any,
    *,
    duration: str,
    event: str,
    dist: Dist = "weibull",
    covariates: str | Sequence[str] = (),
    entry: str | None = None,
    weights: str | None = None,
    reference: Mapping[str, Any] | None = None,
    level: float = 0.95,
    event_values: EventValues | None = None,
    max_iter: int = 50,
) -> ParametricResult:
    """Parametric survival model of time in post (accelerated failure time), as R's
    ``survreg``: exponential, Weibull, log-normal or log-logistic.

    The model is log T = xβ + σW, so exp(β) multiplies the time people stay (a time
    ratio). W is standard extreme-value for the Weibull (the exponential fixes σ = 1;
    the Weibull hazard rises with time in post when σ < 1 and falls when σ > 1), normal
    for the log-normal and logistic for the log-logistic (whose hazards rise then fall).
    Completed length of service is classically log-normal in manpower planning
    (Lane and Andrew 1955; Bartholomew, Forbes and McClean 1991): many leave early,
    the survivors settle, and the exit rate falls with seniority.

    Right-censored rows (still in post) contribute log S(t); with `entry`, each row's
    likelihood is conditioned on having stayed to its entry time (left truncation:
    staff who were already in post when the register started). Newton-Raphson with
    analytic gradient and Hessian and step halving, in two stages as ``survreg`` (the
    intercept and scale alone from moment estimates on the log durations, then every
    coefficient), converged when the Newton step is below 1e-9 relative.

    Parameters
    ----------
    data
        One row per person (or spell): any table hrh reads. Not modified.
    duration
        Column of times in post at exit or censoring, numeric and > 0 (the model is on
        log durations); a null, NaN or 0 is an InputError.
    event
        Column of exit indicators: 1 or True = left, 0 or False = censored.
    dist
        ``"weibull"`` (default, as R), ``"exponential"``, ``"lognormal"`` or
        ``"loglogistic"``.
    covariates
        Columns entering the model: numeric ones as they are, string, categorical or
        boolean ones as treatment contrasts against the first level in sorted order (or
        `reference`), one term per other level, named ``column[level]``.
    entry
        Column of entry times (delayed entry), >= 0 and below `duration`; None: from 0.
    weights
        Column of case weights (> 0); None: every row counts once.
    reference
        Reference level of categorical covariates, by column.
    level
        Confidence level of the coefficient and prediction intervals, in (0, 1).
    event_values
        How to read an `event` column of labels, as in :func:`kaplan_meier`.
    max_iter
        Most Newton-Raphson iterations per stage.

    Returns
    -------
    ParametricResult
        ``.summary`` (``term``, ``coef``, ``std_err``, ``z``, ``p_value``, ``lower``,
        ``upper``), ``.scale``, ``.loglik``, ``.aic``, ``.variance``, and the methods
        ``predict_survival``, ``predict_hazard``, ``predict_quantile``,
        ``predict_rmst``, ``attrition_rates`` and ``plot``.

    Raises
    ------
    InputError
        A column that `data` lacks; nulls; durations that are not > 0; entry times
        below 0 or not before the duration; an unknown `dist`; constant or collinear
        covariates; data in which nobody leaves; fewer rows than parameters.
    ConvergenceError
        A fit that does not converge (e.g. a covariate level in which nobody leaves, so
        its coefficient runs off to infinity), naming the parameter.

    References
    ----------
    Kalbfleisch JD, Prentice RL (2002). The Statistical Analysis of Failure Time Data,
    2nd ed. Wiley.
    Klein JP, Moeschberger ML (2003). Survival Analysis, 2nd ed. Springer (§3.4, left
    truncation).
    Lane KF, Andrew JE (1955). A method of labour turnover analysis. JRSS A 118:296-323.
    Bartholomew DJ, Forbes AF, McClean SI (1991). Statistical Techniques for Manpower
    Planning, 2nd ed. Wiley.

    Examples
    --------
    >>> import hrh
    >>> d = {"years": [1.5, 2.0, 3.2, 4.1, 5.5, 6.0, 7.3, 9.9, 0.8, 2.7],
    ...      "left": [1, 0, 1, 1, 0, 1, 1, 0, 1, 1],
    ...      "rural": [1, 0, 1, 0, 0, 1, 0, 0, 1, 1]}
    >>> m = hrh.parametric(d, duration="years", event="left", covariates=["rural"])
    >>> m.summary["term"].to_list()
    ['(Intercept)', 'rural', 'log(scale)']
    >>> m.attrition_rates([0, 2, 5], new_data={"rural": [1]})["band_end"].to_list()
    [2.0, 5.0]
    """
    check_level(level)
    if dist not in _DISTS:
        raise InputError(
            f"argument 'dist': {dist!r} is not 'exponential', 'weibull', 'lognormal' or "
            "'loglogistic'"
        )
    if isinstance(max_iter, bool) or not isinstance(max_iter, int) or max_iter < 1:
        raise InputError(f"argument 'max_iter': {max_iter!r} must be an integer >= 1")
    data = _with_events(data, event, event_values)
    covs = as_list(covariates, "covariates")
    s = _surv(data, duration=duration, event=event, entry=entry, weights=weights)
    df = s.df
    require_columns(df, covs, role="covariates")
    for c in covs:
        check_no_nulls(df, c)
    design = _design(df, covs, reference)
    x = np.ascontiguousarray(_matrix(design, df, "data"))
    r, model = _core.parametric_fit(
        s.time, s.event, x, design.names, s.entry, s.weights, dist=dist, max_iter=max_iter
    )
    has_scale = dist != "exponential"
    terms = ["(Intercept)", *design.names] + (["log(scale)"] if has_scale else [])
    coef = np.asarray(r["coef"], dtype=np.float64)
    est = np.concatenate([coef, [r["log_scale"]]]) if has_scale else coef
    se = np.asarray(r["se"])
    zq = NormalDist().inv_cdf(1 - (1 - level) / 2)
    summary = pl.DataFrame(
        {
            "term": terms,
            "coef": est,
            "std_err": se,
            "z": r["z"],
            "p_value": r["p"],
            "lower": est - zq * se,
            "upper": est + zq * se,
        }
    )
    k = len(terms)
    return ParametricResult(
        summary=summary,
        dist=dist,
        scale=float(math.exp(r["log_scale"])),
        loglik=float(r["loglik"]),
        loglik_null=float(r["loglik_null"]),
        aic=float(-2 * r["loglik"] + 2 * k),
        n=df.height,
        n_events=float(r["n_events"]),
        iterations=int(r["iterations"]),
        level=float(level),
        variance=np.asarray(r["var"]),
        _design=design,
        _coef=coef,
        _model=model,
        _data={"time": s.time, "event": s.event, "entry": s.entry, "weights": s.weights},
    )
