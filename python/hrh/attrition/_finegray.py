"""Fine-Gray regression: covariate effects on the cumulative incidence of one exit
reason in the presence of the others. The fit (:func:`fine_gray`) reads each row's
status and returns a :class:`FineGrayResult`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from statistics import NormalDist
from typing import Any

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
    require_columns,
    to_frame,
)
from hrh.attrition._common import EventValues, _event_table, _named_causes
from hrh.attrition._competing import _MAX_CAUSE_CODE
from hrh.attrition._design import _design
from hrh.attrition._finegray_result import FineGrayResult
from hrh.exceptions import InputError

_MAX_ITER = 10_000  # Newton steps; crr's default is 10


def _status(
    df: pl.DataFrame, cause: str, cause_of_interest: Any, event_values: EventValues | None
) -> tuple[npt.NDArray[np.uint32], Any]:
    """Each row's status (0 censored, 1 the cause of interest, 2 another cause) and the
    cause of interest as the result names it."""
    interest = cause_of_interest
    if isinstance(event_values, Mapping):
        table, _ = _event_table(event_values)
        df, labels = _named_causes(df, cause, event_values)
        # The cause of interest may be given by one of its labels or by its name.
        if interest not in labels:
            code = table.get(interest) if isinstance(interest, str | int) else None
            if code is None or code == 0:
                raise InputError(
                    f"argument 'cause_of_interest': {interest!r} is not a cause under "
                    f"event_values ({', '.join(repr(v) for v in labels)})"
                )
            codes = sorted({v for v in table.values() if v > 0})
            interest = dict(zip(codes, labels, strict=True))[code]
        c = df.get_column(cause)
        present = c.drop_nulls().unique().to_list()
    else:
        c = df.get_column(cause)
        if isinstance(c.dtype, pl.Categorical | pl.Enum):
            c = c.cast(pl.String)
        if c.dtype.is_numeric():
            check_numeric(df.with_columns(c.fill_null(0)), cause, minimum="non_negative")
            raw = c.fill_null(0)
            if not raw.dtype.is_integer() and not (raw == raw.round(0)).all():
                row = int((raw != raw.round(0)).arg_true()[0])
                raise InputError(
                    f"column '{cause}', row {row}: value {raw[row]} is not an integer code"
                )
            if raw.max() > _MAX_CAUSE_CODE:  # type: ignore[operator]
                row = int((raw > _MAX_CAUSE_CODE).arg_true()[0])
                raise InputError(
                    f"column '{cause}', row {row}: value {raw[row]} is not an integer code "
                    f"from 1 to {_MAX_CAUSE_CODE}"
                )
            c = raw.cast(pl.Int64)
            c = pl.Series(cause, c).set(c == 0, None)
            if isinstance(interest, bool) or not isinstance(interest, int | np.integer):
                raise InputError(
                    f"argument 'cause_of_interest': {interest!r} is not an integer code, as "
                    f"column '{cause}' holds"
                )
            if interest <= 0:
                raise InputError(
                    f"argument 'cause_of_interest': {interest} is the censoring code; give a "
                    "positive cause code"
                )
            interest = int(interest)
        elif c.dtype in (pl.String, pl.Boolean, pl.Null):
            c = c.cast(pl.String)
        else:
            raise InputError(
                f"column '{cause}' has type {c.dtype}, expected exit reasons as text or "
                "integer codes"
            )
        present = c.drop_nulls().unique().to_list()
        if event_values is not None:
            allowed = list(event_values)
            _event_table(allowed)
            unknown = [v for v in present if v not in allowed]
            if unknown:
                row = int((c == unknown[0]).arg_true()[0])
                raise InputError(
                    f"column '{cause}', row {row}: cause {unknown[0]!r} is not in "
                    f"event_values ({', '.join(repr(v) for v in allowed)})"
                )
            if interest not in allowed:
                raise InputError(
                    f"argument 'cause_of_interest': {interest!r} is not in event_values "
                    f"({', '.join(repr(v) for v in allowed)})"
                )
    if interest not in present:
        shown = ", ".join(repr(v) for v in sorted(present, key=str)[:10])
        raise InputError(
            f"argument 'cause_of_interest': {interest!r} does not occur in column "
            f"'{cause}' (causes present: {shown or 'none, every row is censored'}); "
            "there is no exit of interest to model"
        )
    is_interest = (c == interest).fill_null(False).to_numpy()
    censored = c.is_null().to_numpy()
    status = np.where(censored, 0, np.where(is_interest, 1, 2)).astype(np.uint32)
    return np.ascontiguousarray(status), interest


def fine_gray(
    data: Any,
    *,
    duration: str,
    cause: str,
    cause_of_interest: Any,
    covariates: Sequence[str],
    entry: str | None = None,
    reference: Mapping[str, Any] | None = None,
    level: float = 0.95,
    event_values: EventValues | None = None,
    max_iter: int = 25,
    tol: float = 1e-6,
) -> FineGrayResult:
    """Fine-Gray regression of the subdistribution hazard of one exit reason (e.g.
    resignation) in the presence of competing ones (retirement, death, transfer), as R's
    ``cmprsk::crr``.

    The subdistribution hazard ratio exp(coef) says how a covariate changes the
    cumulative incidence of the cause of interest (the share who will have left for
    that reason by time t), counting those who left for another reason as never
    leaving for this one. People who left for a competing reason stay in the risk set
    with the weight G(t−)/G(tⱼ−), G the Kaplan-Meier estimate of the censoring
    distribution (exits count among those at risk of censoring at tied times; ``crr``'s
    convention, including G(0) at time 0). The log pseudo-likelihood (Breslow ties) is
    maximised by Newton-Raphson from 0 with step halving, converged when
    max_j |score_j| max(|β_j|, 1) < `tol` · max(|loglik|, 1) (``crr``'s criterion and
    ``gtol``). Standard errors come from the Fine & Gray sandwich variance, which
    accounts for the estimated censoring weights (``crr``'s ``var``).

    Parameters
    ----------
    data
        One row per person: any table hrh reads. Not modified.
    duration
        Column of times in post at exit or censoring, numeric, >= 0; a null or NaN is an
        InputError.
    cause
        Exit reason per row, as in :func:`cumulative_incidence`: null = still in post
        (censored), otherwise a label (text) or a positive integer code, where 0 is also
        censored. ``crr``'s ``cencode`` is thus null (or 0); to use another censoring
        label, map it to 0 with `event_values`.
    cause_of_interest
        The exit reason modelled (``crr``'s ``failcode``): a label or code that occurs
        in `cause`. Every other non-censored value is a competing reason.
    covariates
        Columns entering the model: numeric ones as they are, string, categorical or
        boolean ones as treatment contrasts (one term per non-reference level, named
        ``column[level]``), as :func:`cox`. A null is an InputError.
    entry
        Not supported: the estimator (like ``crr``) has no delayed entry. Giving a
        column is an InputError rather than being ignored.
    reference
        Reference level of categorical covariates, by column; default the first level
        in sorted order.
    level
        Confidence level of the intervals of exp(coef), in (0, 1).
    event_values
        How to read `cause` labels, as in :func:`cumulative_incidence`: a mapping label
        -> code (0 for still in post, 1, 2, ... for exit reasons; labels sharing a code
        are one reason, named by the labels joined with " / ") or a list of the exit
        labels (any other non-null value is an InputError).
    max_iter
        Most Newton steps, 0 to 10,000 (``crr``'s ``maxiter``, whose default is 10).
    tol
        Convergence tolerance (``crr``'s ``gtol``).

    Returns
    -------
    FineGrayResult
        ``.table`` (``term``, ``coef``, ``exp_coef``, ``std_err``, ``z``,
        ``p_value``, ``lower``, ``upper``), ``.loglik``, ``.variance``,
        ``.iterations``, ``.baseline`` and ``.predict()``.

    Raises
    ------
    InputError
        A column that `data` lacks; a cause of interest that does not occur; bad
        durations (null, NaN, negative) or cause codes; a null covariate; constant or
        collinear covariates; fewer rows than covariates; `entry`; `level` outside
        (0, 1).
    ConvergenceError
        No convergence within `max_iter` Newton steps, a step that halving cannot make
        lower the objective, or a coefficient running off to infinity (a covariate
        that separates exits of interest from the rest), naming it.

    References
    ----------
    Fine JP, Gray RJ (1999). A proportional hazards model for the subdistribution of a
    competing risk. JASA 94:496-509.

    Examples
    --------
    >>> import hrh
    >>> d = {"t": [1, 2, 3, 4, 5, 6, 7, 8], "why": ["quit", "retired", "quit", None,
    ...      "quit", "retired", None, "quit"], "rural": [1, 0, 1, 1, 0, 0, 1, 0]}
    >>> m = hrh.fine_gray(d, duration="t", cause="why", cause_of_interest="quit",
    ...                   covariates=["rural"])
    >>> r = m.table.row(0, named=True)
    >>> r["term"], round(r["exp_coef"], 3), round(r["std_err"], 3), round(r["upper"], 1)
    ('rural', 3.607, 0.994, 25.3)
    >>> m.predict({"rural": [0, 1]}, times=[5]).table["cumulative_incidence"].round(4).to_list()
    [0.2264, 0.6039]
    """
    check_level(level)
    if entry is not None:
        raise InputError(
            f"argument 'entry': delayed entry ('{entry}') is not supported by the "
            "Fine-Gray model (nor by R's cmprsk::crr); fit on rows observed from time 0, "
            "or use hrh.cox per cause for cause-specific hazards with entry times"
        )
    if (
        isinstance(max_iter, bool)
        or not isinstance(max_iter, int | np.integer)
        or not 0 <= max_iter <= _MAX_ITER
    ):
        raise InputError(
            f"argument 'max_iter': {max_iter!r} is not an integer from 0 to {_MAX_ITER:,}"
        )
    if not (isinstance(tol, int | float) and 0 < float(tol) < 1):
        raise InputError(f"argument 'tol': {tol!r} is not a number in (0, 1)")
    if reference is not None and not isinstance(reference, Mapping):
        raise InputError(
            f"argument 'reference': {reference!r} is not a mapping of column to level, "
            "e.g. {'facility_level': 'commune'}"
        )
    df = to_frame(data)
    covs = as_list(covariates, "covariates")
    if not covs:
        raise InputError("covariates: give at least one covariate column")
    require_columns(df, [duration], role="duration")
    require_columns(df, [cause], role="cause")
    require_columns(df, covs, role="covariates")
    if df.height == 0:
        raise InputError("data has no rows")
    check_numeric(df, duration, minimum="non_negative")
    for c in covs:
        check_no_nulls(df, c)
    status, interest = _status(df, cause, cause_of_interest, event_values)
    design = _design(df, covs, reference)
    x = design.matrix(df)
    r, model = _core.fine_gray(
        column_array(df, duration),
        status,
        x,
        design.names,
        max_iter=int(max_iter),
        tol=float(tol),
    )
    z = NormalDist().inv_cdf(1 - (1 - level) / 2)
    coef, se = np.asarray(r["coef"]), np.asarray(r["std_err"])
    with np.errstate(over="ignore"):  # a ratio beyond the float range is null
        ratios = {
            "exp_coef": np.exp(coef),
            "lower": np.exp(coef - z * se),
            "upper": np.exp(coef + z * se),
        }
    table = pl.DataFrame(
        {
            "term": design.names,
            "coef": coef,
            "exp_coef": ratios["exp_coef"],
            "std_err": se,
            "z": r["z"],
            "p_value": r["p_value"],
            "lower": ratios["lower"],
            "upper": ratios["upper"],
        }
    ).with_columns(
        pl.when(pl.col(c).is_infinite()).then(None).otherwise(pl.col(c)).alias(c) for c in ratios
    )
    baseline = pl.DataFrame(
        {"time": r["time"], "cumulative_hazard": np.cumsum(np.asarray(r["baseline_jump"]))}
    )
    return FineGrayResult(
        table=table,
        loglik=float(r["loglik"]),
        loglik_null=float(r["loglik_null"]),
        iterations=int(r["iterations"]),
        converged=True,
        variance=np.asarray(r["var"]),
        information=np.asarray(r["information"]),
        baseline=baseline,
        n=int(r["n"]),
        n_events=int(r["n_events"]),
        n_competing=int(r["n_competing"]),
        n_censored=int(r["n_censored"]),
        cause_of_interest=interest,
        level=float(level),
        _design=design,
        _model=model,
        _times=np.asarray(r["time"], dtype=np.float64),
    )
