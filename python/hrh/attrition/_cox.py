"""Cox proportional-hazards models of who leaves: the fit (:func:`cox`), from the
data's checks and design matrix to the :class:`CoxResult` it returns."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from statistics import NormalDist
from typing import Any, Literal

import numpy as np
import polars as pl

from hrh import _core
from hrh._frames import (
    as_list,
    check_level,
    check_no_nulls,
    check_numeric,
    column_array,
    group_codes,
    require_columns,
    rows_of,
)
from hrh.attrition._common import EventValues, _surv, _with_events
from hrh.attrition._cox_result import CoxResult, _CoxInputs
from hrh.attrition._design import _design
from hrh.attrition._life_table import _chisq_sf
from hrh.exceptions import InputError


def _finite_or_none(x: Any) -> float | None:
    v = float(x)
    return v if math.isfinite(v) else None


def cox(
    data: Any,
    *,
    duration: str,
    event: str,
    covariates: Sequence[str],
    entry: str | None = None,
    strata: str | Sequence[str] | None = None,
    weights: str | None = None,
    ties: Literal["efron", "breslow"] = "efron",
    robust: bool = False,
    cluster: str | None = None,
    offset: str | None = None,
    reference: Mapping[str, Any] | None = None,
    level: float = 0.95,
    event_values: EventValues | None = None,
) -> CoxResult:
    """Cox proportional-hazards model of who leaves.

    Newton-Raphson on the partial likelihood from β = 0 with step halving, converged
    when the log-likelihood changes by less than 1e-9 relative (R's ``coxph``
    defaults). Numeric covariates enter as they are; categorical (string, categorical,
    boolean) ones by treatment contrasts against the first level in sorted order, or
    the level `reference` names.

    With ``robust=True`` the standard errors, z, p, intervals and the Wald test use the
    sandwich variance V (Σ (w r)(w r)ᵀ) V built from score residuals r (Efron-weighted
    at ties), as R's ``coxph(robust = TRUE)``; ``se_model`` keeps the model-based ones
    and ``tests`` gains R's robust score test. With ``cluster=`` the weighted score
    residuals are first summed within each cluster (R's ``coxph(..., cluster = id)``),
    and the variance is robust whatever `robust` says.

    Time-varying covariates and repeated spells are given in counting-process form:
    several rows per person, each an interval (start, stop] with the covariates' values
    over it, ``entry=`` naming the start column and `duration` the stop column; the
    event is 1 only on a row that ends in an exit. Give ``cluster=`` the person's id so
    that the standard errors allow for the rows of a person being dependent.

    Parameters
    ----------
    data
        One row per person (or spell): any table hrh reads. Not modified.
    duration
        Column of times in post at exit or censoring, numeric, >= 0; a null or NaN is an
        InputError.
    event
        Column of exit indicators: 1 or True = left, 0 or False = censored.
    covariates
        Columns entering the model: numeric ones as they are, string, categorical or
        boolean ones as treatment contrasts (one term per non-reference level, named
        ``column[level]``). A null in a covariate is an InputError.
    entry
        Column of entry times (delayed entry), below `duration`; None: from time 0.
    strata
        Column(s) of strata, each with its own baseline hazard; None: one stratum.
    weights
        Column of case weights (> 0); None: every row counts once.
    ties
        ``"efron"`` (default, as R) or ``"breslow"`` handling of tied exit times.
    robust
        Sandwich (robust) standard errors, as above.
    cluster
        Column of cluster ids (any type; e.g. the person's id when a person has
        several rows): cluster-robust standard errors, as above. A null is an
        InputError. None: each row is its own cluster (only with ``robust=True``).
    offset
        Column of a known term added to each row's log hazard (R's ``offset()``), e.g.
        a log exposure or a published effect held fixed; numeric and finite. Models
        with an offset need the column in ``predict_survival``'s `new_data` too.
    reference
        Reference level of categorical covariates, by column (e.g.
        ``{"facility_level": "commune"}``); default the first level in sorted order.
    level
        Confidence level of the hazard-ratio intervals, in (0, 1).
    event_values
        How to read an `event` column of labels, as in :func:`kaplan_meier`: a mapping
        label -> code (0: still in post; a positive code: an exit) or a list of the
        labels that are exits. None (default): `event` holds 0/1 codes.

    Returns
    -------
    CoxResult
        ``.summary`` (``term``, ``coef``, ``exp_coef``, ``std_err``, ``z``,
        ``p_value``, ``lower``, ``upper``), ``.tests``, ``.loglik``, ``.concordance``,
        ``.baseline_hazard``, ``.predict_survival()`` (with standard errors and
        intervals), ``.residuals(type)`` and ``.zph()`` (test of proportional
        hazards).

    Raises
    ------
    InputError
        A column that `data` lacks; constant or collinear covariates (also a covariate
        constant within every stratum), fewer rows than covariates, a data set in which
        nobody leaves, bad durations, event codes or weights, a `reference` level the
        column does not have, `level` outside (0, 1), a null in the `cluster` column,
        a null or non-finite value in the `offset` column.
    ConvergenceError
        A coefficient that runs off to infinity (monotone likelihood, e.g. a level in
        which nobody or everybody leaves), naming the covariate.

    References
    ----------
    Cox DR (1972). Regression models and life-tables. JRSS B 34:187-220.
    Efron B (1977). The efficiency of Cox's likelihood function for censored data.
    JASA 72:557-565.
    Therneau TM, Grambsch PM (2000). Modeling Survival Data: Extending the Cox Model.
    New York: Springer.
    Andersen PK, Gill RD (1982). Cox's regression model for counting processes: a
    large sample study. Annals of Statistics 10:1100-1120 ((start, stop] data).
    Lin DY, Wei LJ (1989). The robust inference for the Cox proportional hazards
    model. JASA 84:1074-1078 (robust and cluster-robust variance).

    Examples
    --------
    >>> import hrh
    >>> d = {"t": [5, 8, 2, 9, 4, 7, 3, 6], "left": [1, 0, 1, 1, 1, 0, 1, 1],
    ...      "commune": [1, 0, 1, 0, 1, 0, 0, 1]}
    >>> m = hrh.cox(d, duration="t", event="left", covariates=["commune"])
    >>> m.summary.select("term", "exp_coef").with_columns(
    ...     exp_coef=m.summary["exp_coef"].round(3))
    shape: (1, 2)
    ┌─────────┬──────────┐
    │ term    ┆ exp_coef │
    │ ---     ┆ ---      │
    │ str     ┆ f64      │
    ╞═════════╪══════════╡
    │ commune ┆ ...      │
    └─────────┴──────────┘
    """
    check_level(level)
    data = _with_events(data, event, event_values)
    covs = as_list(covariates, "covariates")
    if not covs:
        raise InputError("covariates: give at least one covariate column")
    st_cols = as_list(strata, "strata")
    s = _surv(data, duration=duration, event=event, entry=entry, weights=weights)
    df = s.df
    require_columns(df, covs, role="covariates")
    for c in covs:
        check_no_nulls(df, c)
    require_columns(df, st_cols, role="strata")
    for c in st_cols:
        check_no_nulls(df, c)
    off = None
    if offset is not None:
        if not isinstance(offset, str):
            raise InputError(f"argument 'offset': {offset!r} is not a column name")
        require_columns(df, [offset], role="offset")
        check_numeric(df, offset, minimum="any")
        off = column_array(df, offset)
    cl_codes = None
    if cluster is not None:
        if not isinstance(cluster, str):
            raise InputError(f"argument 'cluster': {cluster!r} is not a column name")
        require_columns(df, [cluster], role="cluster")
        check_no_nulls(df, cluster)
        cl_codes, _ = group_codes(df, [cluster])
    design = _design(df, covs, reference)
    x = design.matrix(df)
    st_codes, st_keys = group_codes(df, st_cols) if st_cols else (None, pl.DataFrame())
    r, model = _core.cox(
        s.time,
        s.event,
        x,
        design.names,
        s.entry,
        st_codes,
        s.weights,
        ties=str(ties),
        robust=bool(robust),
        offset=off,
        cluster=cl_codes,
    )
    robust = bool(r["robust"])
    z = NormalDist().inv_cdf(1 - (1 - level) / 2)
    coef, se = np.asarray(r["coef"]), np.asarray(r["se"])
    summary = pl.DataFrame(
        {
            "term": design.names,
            "coef": coef,
            "exp_coef": np.exp(coef),
            "std_err": se,
            **({"std_err_model": r["se_model"]} if robust else {}),
            "z": r["z"],
            "p_value": r["p"],
            "lower": np.exp(coef - z * se),
            "upper": np.exp(coef + z * se),
        }
    ).with_columns(
        # z and p are undefined (null) where the standard error is 0, e.g. a robust
        # variance whose score residuals all vanish.
        pl.col("z", "p_value").fill_nan(None)
    )
    pv = r["test_p_values"]
    tests = pl.DataFrame(
        {
            "test": ["likelihood_ratio", "wald", "score"],
            "statistic": [r["lr_test"], r["wald_test"], r["score_test"]],
            "df": [int(r["df"])] * 3,
            "p_value": pv,
        }
    )
    if robust:
        rs = float(r["robust_score_test"])
        tests = pl.concat(
            [
                tests,
                pl.DataFrame(
                    {
                        "test": ["robust_score"],
                        "statistic": [rs],
                        "df": [int(r["df"])],
                        "p_value": [_chisq_sf(rs, int(r["df"])) if int(r["df"]) > 0 else math.nan],
                    }
                ),
            ]
        )
    # Undefined p-values (no degrees of freedom) are null.
    tests = tests.with_columns(pl.col("p_value").fill_nan(None))
    base = pl.DataFrame({"time": r["baseline_time"], "hazard": r["baseline_hazard"]})
    if st_cols:
        base = pl.concat([rows_of(st_keys, r["baseline_stratum"]), base], how="horizontal")
    return CoxResult(
        summary=summary,
        loglik=(float(r["loglik_null"]), float(r["loglik"])),
        tests=tests,
        # Null where no pair of rows is comparable (e.g. every duration tied).
        concordance=_finite_or_none(r["concordance"]),
        concordance_std_err=_finite_or_none(r["concordance_std_err"]),
        baseline_hazard=base,
        n=df.height,
        n_events=float(r["n_events"]),
        iterations=int(r["iterations"]),
        ties=str(ties),
        variance=np.asarray(r["var"]),
        _design=design,
        _strata=st_cols,
        _strata_keys=st_keys,
        _model=model,
        _inputs=_CoxInputs(
            time=s.time,
            event=s.event,
            x=x,
            entry=s.entry,
            strata=st_codes,
            weights=s.weights,
            offset=off,
            offset_column=offset,
            assign=tuple(
                j
                for j, col in enumerate(design.columns)
                for _ in range(len(design.levels[col]) - 1 if col in design.levels else 1)
            ),
        ),
    )
