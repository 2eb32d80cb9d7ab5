"""The result of a Cox model, :class:`CoxResult`: coefficients, tests, concordance and
baseline hazard, survival predictions for new rows with their standard errors, and
the arrays the model was fitted to, which its residuals and test of proportional
hazards (``_cox_diagnostics``) take back."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import polars as pl

from hrh import _core
from hrh._frames import (
    check_level,
    check_no_nulls,
    check_numeric,
    column_array,
    float_array,
    require_columns,
    rows_of,
    to_frame,
)
from hrh.attrition._cox_diagnostics import (
    CoxZph,
    ResidualType,
    ZphTransform,
    _residuals,
    _zph,
)
from hrh.attrition._design import _Design
from hrh.exceptions import InputError

if TYPE_CHECKING:  # pragma: no cover
    from hrh._core import _CoxData


@dataclass(frozen=True)
class _CoxInputs:
    """The arrays a model was fitted to, for its residuals and tests."""

    time: npt.NDArray[np.float64]
    event: npt.NDArray[np.uint32]
    x: npt.NDArray[np.float64]
    entry: npt.NDArray[np.float64] | None
    strata: npt.NDArray[np.uint32] | None
    weights: npt.NDArray[np.float64] | None
    offset: npt.NDArray[np.float64] | None
    offset_column: str | None
    assign: tuple[int, ...]

    def fitted(self) -> _CoxData:
        """The arrays as the fitted model's methods take them back."""
        return (self.time, self.event, self.x, self.entry, self.strata, self.weights, self.offset)


@dataclass(frozen=True)
class CoxResult:
    """A fitted Cox proportional-hazards model.

    Attributes
    ----------
    summary : polars.DataFrame
        ``term``, ``coef`` (log hazard ratio), ``exp_coef`` (the hazard ratio),
        ``std_err`` (of ``coef``; with a robust variance also ``std_err_model``, the
        model-based one), ``z``, ``p_value``, ``lower``, ``upper`` (interval of the
        hazard ratio at `level`), the columns of :func:`hrh.fine_gray`.
    loglik : tuple of float
        Log partial likelihood at β = 0 and at the estimate.
    tests : polars.DataFrame
        Likelihood-ratio, Wald and score tests: ``test``, ``statistic``, ``df``,
        ``p_value``.
    concordance, concordance_std_err : float or None
        Harrell's C and its infinitesimal-jackknife standard error, as R's
        ``concordance`` computes them; ``None`` when no pair of rows can be compared.
    baseline_hazard : polars.DataFrame
        Cumulative hazard at covariates 0 (reference levels): (strata,) ``time``,
        ``hazard`` (R's ``basehaz(fit, centered = FALSE)``).
    n, n_events : int, float
        Rows used, and the (weighted) number of exits.
    iterations : int
        Newton-Raphson iterations to convergence.

    Notes
    -----
    ``.predict_survival()`` gives survival curves with standard errors and intervals,
    ``.residuals(type)`` the residuals of R's ``residuals.coxph`` and ``.zph()`` the test
    of proportional hazards of R's ``cox.zph``.

    References
    ----------
    Cox DR (1972). Regression models and life-tables. JRSS B 34:187-220.
    Harrell FE, Califf RM, Pryor DB, Lee KL, Rosati RA (1982). Evaluating the yield of
    medical tests. JAMA 247:2543-2546 (concordance).
    Breslow NE (1972). Discussion of the paper by D. R. Cox. JRSS B 34:216-217
    (baseline hazard).

    Examples
    --------
    >>> import hrh
    >>> d = {"t": [5, 8, 2, 9, 4, 7, 3, 6], "left": [1, 0, 1, 1, 1, 0, 1, 1],
    ...      "commune": [1, 0, 1, 0, 1, 0, 0, 1]}
    >>> m = hrh.cox(d, duration="t", event="left", covariates=["commune"])
    >>> m.n, m.n_events, m.tests["test"].to_list()
    (8, 6.0, ['likelihood_ratio', 'wald', 'score'])
    >>> m.predict_survival({"commune": [0, 1]}, times=[5])["survival"].round(3).to_list()
    [0.823, 0.309]
    """

    summary: pl.DataFrame
    loglik: tuple[float, float]
    tests: pl.DataFrame
    concordance: float | None
    concordance_std_err: float | None
    baseline_hazard: pl.DataFrame
    n: int
    n_events: float
    iterations: int
    ties: str
    variance: npt.NDArray[np.float64] = field(repr=False)
    _design: _Design = field(repr=False)
    _strata: list[str] = field(repr=False)
    _strata_keys: pl.DataFrame = field(repr=False)
    _model: _core.CoxModel = field(repr=False)
    _inputs: _CoxInputs = field(repr=False)

    @property
    def coef(self) -> npt.NDArray[np.float64]:
        """Coefficients (log hazard ratios)."""
        return self.summary["coef"].to_numpy()

    def predict_survival(self, new_data: Any, times: Any, *, level: float = 0.95) -> pl.DataFrame:
        """Survival S(t | x) = exp(−H₀(t) e^{xβ}) of each row of `new_data` at `times`,
        with its standard error and confidence interval.

        As R's ``survfit.coxph`` with its defaults: the cumulative hazard takes
        Breslow's increments (Efron's with Efron ties), its variance is the Aalen-type
        term plus the uncertainty of the coefficients (through the model's variance,
        robust when the model is), and the interval is the ``"log"`` type
        S exp(±z se(H)), the upper end capped at 1. All rows are computed in one call.

        Parameters
        ----------
        new_data
            Any table hrh reads with the model's covariate columns (and strata
            columns, if the model has strata; the offset column, if it has an
            offset); categorical levels must be ones the model knows.
        times
            Times at which to evaluate the survival (array-like of numbers).
        level
            Confidence level of the interval, in (0, 1).

        Returns
        -------
        polars.DataFrame
            ``row`` (the row of `new_data`), (the strata columns), ``time``,
            ``survival``, ``std_err`` (on the survival scale, S · se(H)), ``lower``,
            ``upper``.

        Raises
        ------
        InputError
            A column `new_data` lacks, a null in it, a category level or stratum the
            model did not see (naming the column, row and value), a non-finite
            offset or time, `level` outside (0, 1).

        References
        ----------
        Tsiatis AA (1981). A large sample study of Cox's regression model. Annals of
        Statistics 9:93-108.
        Therneau TM, Grambsch PM (2000). Modeling Survival Data: Extending the Cox
        Model, ch. 10. New York: Springer.

        Examples
        --------
        >>> import hrh
        >>> d = {"t": [5, 8, 2, 9, 4, 7, 3, 6], "left": [1, 0, 1, 1, 1, 0, 1, 1],
        ...      "commune": [1, 0, 1, 0, 1, 0, 0, 1]}
        >>> m = hrh.cox(d, duration="t", event="left", covariates=["commune"])
        >>> p = m.predict_survival({"commune": [0, 1]}, times=[5])
        >>> p.columns
        ['row', 'time', 'survival', 'std_err', 'lower', 'upper']
        """
        check_level(level)
        df = to_frame(new_data, name="new_data")
        x = self._design.matrix(df, table="new_data")
        t = float_array(times, "times")
        if self._strata:
            for c in self._strata:
                require_columns(df, [c], role="strata", table="new_data")
                check_no_nulls(df, c, table="new_data")
            keyed = self._strata_keys.with_row_index("__s")
            codes = df.select(self._strata).join(
                keyed, on=self._strata, how="left", maintain_order="left"
            )["__s"]
            if codes.null_count():
                row = int(codes.is_null().arg_true()[0])
                seen = ", ".join(f"{c} = {df[row, c]!r}" for c in self._strata)
                raise InputError(f"new_data, row {row}: stratum ({seen}) was not seen when fitting")
            stratum = np.ascontiguousarray(codes.to_numpy(), dtype=np.uint32)
        else:
            stratum = np.zeros(df.height, dtype=np.uint32)
        off = None
        if self._inputs.offset_column is not None:
            oc = self._inputs.offset_column
            require_columns(df, [oc], role="offset", table="new_data")
            check_numeric(df, oc, minimum="any", table="new_data")
            off = column_array(df, oc)
        r = self._model.predict(x, stratum, off, t, level=float(level))
        m, k = df.height, t.size
        out = pl.DataFrame(
            {
                "row": np.repeat(np.arange(m, dtype=np.int64), k),
                "time": np.tile(t, m),
                "survival": np.asarray(r["survival"]).ravel(),
                "std_err": np.asarray(r["std_err"]).ravel(),
                "lower": np.asarray(r["lower"]).ravel(),
                "upper": np.asarray(r["upper"]).ravel(),
            }
        )
        if self._strata:
            keys = rows_of(df.select(self._strata), np.repeat(np.arange(m), k))
            out = pl.concat([out, keys], how="horizontal")
        return out.select(["row", *self._strata, "time", "survival", "std_err", "lower", "upper"])

    def residuals(self, type: ResidualType = "martingale") -> pl.DataFrame:
        """Residuals of the model, as R's ``residuals.coxph``.

        Parameters
        ----------
        type
            ``"martingale"`` (default): M_i = δ_i − e^{η_i} ∫ Y_i dΛ̂, observed minus
            expected exits; ``"deviance"``: sign(M) √(−2 (M + δ log(δ − M))), more
            symmetric; ``"score"``: ∫ (x_i − x̄(t)) dM_i(t), one column per term;
            ``"schoenfeld"``: x_i − x̄(t_i), one row per exit; ``"dfbeta"``: the
            approximate change of each coefficient when the row is left out (score
            residual × model-based variance × case weight); ``"dfbetas"``: dfbeta
            divided by the model-based standard errors. Martingale, deviance, score
            and Schoenfeld residuals are unweighted, as R's defaults. Tied exits under
            Efron's method are handled as R does (in the martingale and score
            residuals an exit carries its share of Efron's down-weighted hazard; tied
            exits share one mean x̄(t)).

        Returns
        -------
        polars.DataFrame
            ``row`` (the row of the data the model was fitted to) and ``martingale``
            or ``deviance``; or ``row`` and one column per term (score, dfbeta,
            dfbetas); Schoenfeld: ``row``, (the strata columns), ``time`` and one
            column per term, one row per exit, ordered by stratum, time and row.

        Raises
        ------
        InputError
            An unknown `type`.

        References
        ----------
        Therneau TM, Grambsch PM, Fleming TR (1990). Martingale-based residuals for
        survival models. Biometrika 77:147-160.
        Schoenfeld D (1982). Partial residuals for the proportional hazards regression
        model. Biometrika 69:239-241.

        Examples
        --------
        >>> import hrh
        >>> d = {"t": [5, 8, 2, 9, 4, 7, 3, 6], "left": [1, 0, 1, 1, 1, 0, 1, 1],
        ...      "commune": [1, 0, 1, 0, 1, 0, 0, 1]}
        >>> m = hrh.cox(d, duration="t", event="left", covariates=["commune"])
        >>> r = m.residuals("martingale")
        >>> r.columns, r.height, round(float(r["martingale"].sum()), 12)
        (['row', 'martingale'], 8, 0.0)
        >>> m.residuals("schoenfeld").columns
        ['row', 'time', 'commune']
        """
        kinds = ("martingale", "deviance", "score", "schoenfeld", "dfbeta", "dfbetas")
        if not isinstance(type, str) or type not in kinds:
            raise InputError(
                f"argument 'type': {type!r} is not one of {', '.join(repr(k) for k in kinds)}"
            )
        return _residuals(self, type)

    def zph(self, transform: ZphTransform = "km") -> CoxZph:
        """Test of proportional hazards on scaled Schoenfeld residuals, as R's
        ``cox.zph`` (survival >= 3.0).

        For each covariate (a categorical one is one term with one degree of freedom
        per non-reference level) the score test that its coefficient does not change
        with g(t), in the model β + γ g(t) at the fitted β̂ and γ = 0, using the full
        information matrix of (β, γ); and the global test of all γ = 0. This is the
        algorithm of R's survival 3.x (the oracle is survival 3.5-3), not the older
        approximation from scaled residuals of survival 2.x.

        Parameters
        ----------
        transform
            Time scale g(t): ``"km"`` (default, 1 − Kaplan-Meier of all rows just
            before t), ``"rank"`` (rank of t among all rows' times), ``"identity"``
            (t) or ``"log"`` (log t).

        Returns
        -------
        CoxZph
            ``.table`` (``term``, ``statistic``, ``df``, ``p_value``; the last row is
            ``global``), ``.residuals`` (scaled Schoenfeld residuals against time and
            transformed time) and ``.plot(covariate)``.

        Raises
        ------
        InputError
            An unknown `transform`; ``"log"`` with an exit at time 0.

        References
        ----------
        Grambsch PM, Therneau TM (1994). Proportional hazards tests and diagnostics
        based on weighted residuals. Biometrika 81:515-526.

        Examples
        --------
        >>> import hrh
        >>> d = {"t": [5, 8, 2, 9, 4, 7, 3, 6], "left": [1, 0, 1, 1, 1, 0, 1, 1],
        ...      "commune": [1, 0, 1, 0, 1, 0, 0, 1]}
        >>> m = hrh.cox(d, duration="t", event="left", covariates=["commune"])
        >>> z = m.zph()
        >>> z.table["term"].to_list(), z.table.columns
        (['commune', 'global'], ['term', 'statistic', 'df', 'p_value'])
        """
        transforms = ("km", "rank", "identity", "log")
        if not isinstance(transform, str) or transform not in transforms:
            raise InputError(
                f"argument 'transform': {transform!r} is not one of "
                f"{', '.join(repr(k) for k in transforms)}"
            )
        return _zph(self, transform)

    def to_polars(self) -> pl.DataFrame:
        """The coefficient table."""
        return self.summary

    def _repr_html_(self) -> str:
        lr = self.tests.row(0, named=True)
        c = self.concordance
        return (
            f"<b>Cox model</b> ({self.ties} ties): n = {self.n}, exits = {self.n_events:g}, "
            f"concordance = {'undefined' if c is None else f'{c:.3f}'}, "
            f"LR chi² = {lr['statistic']:.4g} on "
            f"{lr['df']} df (p = {lr['p_value']:.3g})" + self.summary._repr_html_()
        )
