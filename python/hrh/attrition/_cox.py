"""Cox proportional-hazards models of who leaves."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import TYPE_CHECKING, Any, Literal

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
)
from hrh.attrition._common import EventValues, _surv, _with_events
from hrh.attrition._life_table import _chisq_sf
from hrh.exceptions import InputError

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

    from hrh._core import _CoxData

ResidualType = Literal["martingale", "deviance", "score", "schoenfeld", "dfbeta", "dfbetas"]
ZphTransform = Literal["km", "rank", "identity", "log"]

# --- Cox --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Design:
    names: list[str]
    numeric: list[str]
    levels: dict[str, list[Any]]
    columns: list[str]

    def matrix(self, df: pl.DataFrame, *, table: str = "data") -> npt.NDArray[np.float64]:
        parts: list[npt.NDArray[np.float64]] = []
        for col in self.columns:
            require_columns(df, [col], role="covariates", table=table)
            check_no_nulls(df, col, table=table)
            if col in self.levels:
                s = df.get_column(col)
                s = s.cast(pl.String)
                lv = [str(v) for v in self.levels[col]]
                bad = (~s.is_in(lv)).arg_true()
                if len(bad):
                    row = int(bad[0])
                    raise InputError(
                        f"column '{col}', row {row}: level {s[row]!r} was not seen when fitting"
                    )
                for level in lv[1:]:
                    parts.append((s == level).cast(pl.Float64).to_numpy())
            else:
                check_numeric(df, col, minimum="any", table=table)
                parts.append(df.get_column(col).cast(pl.Float64).to_numpy())
        return np.ascontiguousarray(np.column_stack(parts), dtype=np.float64)


def _level_text(v: Any) -> str:
    """A category level as text, as polars casts it (True -> "true")."""
    return str(v).lower() if isinstance(v, bool | np.bool_) else str(v)


def _design(
    df: pl.DataFrame, covariates: Sequence[str], reference: Mapping[str, Any] | None
) -> _Design:
    names: list[str] = []
    levels: dict[str, list[Any]] = {}
    numeric: list[str] = []
    reference = dict(reference or {})
    for col in covariates:
        s = df.get_column(col)
        if s.dtype.is_numeric():
            numeric.append(col)
            names.append(col)
            continue
        if s.dtype not in (pl.String, pl.Categorical, pl.Boolean) and not isinstance(
            s.dtype, pl.Enum
        ):
            raise InputError(f"column '{col}' has type {s.dtype}; expected numbers or categories")
        # Levels as polars writes them as text (booleans are "false" and "true"), the form
        # `matrix` compares with.
        lv = sorted(s.drop_nulls().cast(pl.String).unique().to_list())
        if col in reference:
            ref = _level_text(reference[col])
            if ref not in lv:
                raise InputError(f"reference: level {ref!r} is not in column '{col}' ({lv})")
            lv = [ref] + [v for v in lv if v != ref]
        if len(lv) < 2:
            raise InputError(
                f"column '{col}': has a single level {lv!r}, so its effect cannot be "
                "estimated; drop it"
            )
        levels[col] = lv
        names.extend(f"{col}[{v}]" for v in lv[1:])
    for k in reference:
        if k not in levels:
            raise InputError(f"reference: column '{k}' is not a categorical covariate")
    return _Design(names=names, numeric=numeric, levels=levels, columns=list(covariates))


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
class CoxZph:
    """Test of proportional hazards of a Cox model (R's ``cox.zph``).

    Attributes
    ----------
    table : polars.DataFrame
        ``term`` (each covariate, then ``global``), ``statistic`` (chi-square),
        ``df``, ``p_value``.
    residuals : polars.DataFrame
        Scaled Schoenfeld residuals, one row per exit: ``row`` (of the data), (the
        strata columns), ``time``, ``transformed_time`` and one column per covariate
        (an estimate of its coefficient at that time, β̂ + V̄⁻¹ r; for a categorical
        covariate of several levels the projection on β̂, centred at 1; null where the
        covariate is constant within the exit's stratum).
    transform : str
        The time scale: ``"km"``, ``"rank"``, ``"identity"`` or ``"log"``.

    References
    ----------
    Grambsch PM, Therneau TM (1994). Proportional hazards tests and diagnostics based
    on weighted residuals. Biometrika 81:515-526.

    Examples
    --------
    >>> import hrh
    >>> d = {"t": [5, 8, 2, 9, 4, 7, 3, 6], "left": [1, 0, 1, 1, 1, 0, 1, 1],
    ...      "commune": [1, 0, 1, 0, 1, 0, 0, 1]}
    >>> z = hrh.cox(d, duration="t", event="left", covariates=["commune"]).zph("rank")
    >>> z.transform, z.residuals.columns
    ('rank', ['row', 'time', 'transformed_time', 'commune'])
    """

    table: pl.DataFrame
    residuals: pl.DataFrame
    transform: str
    _reference: dict[str, float] = field(repr=False)

    def to_polars(self) -> pl.DataFrame:
        """The test table."""
        return self.table

    def plot(self, covariate: str | None = None, ax: Axes | None = None) -> Axes:
        """Scaled Schoenfeld residuals of `covariate` against transformed time, with
        a local mean (tricube kernel over a third of the range), the fitted
        coefficient (what proportional hazards predict: a flat line) dashed and zero
        dotted.

        Parameters
        ----------
        covariate
            A covariate of the model (as named in ``.table``); None: the first.
        ax
            Matplotlib Axes to draw on; None: a new figure.

        Returns
        -------
        matplotlib.axes.Axes
            Needs matplotlib (``pip install 'hrh[plot]'``).

        Raises
        ------
        InputError
            A `covariate` the model does not have.
        """
        if covariate is None:
            covariate = next(iter(self._reference))
        if covariate not in self._reference:
            raise InputError(
                f"argument 'covariate': {covariate!r} is not a covariate of the model "
                f"({', '.join(repr(k) for k in self._reference)})"
            )
        from hrh.plot import _axes

        ax = _axes(ax)
        d = self.residuals.select("transformed_time", covariate).drop_nulls()
        x = d["transformed_time"].to_numpy()
        y = d[covariate].to_numpy()
        ax.scatter(x, y, s=10, alpha=0.6, color="C0", label="scaled Schoenfeld residual")
        if x.size > 2 and float(x.max()) > float(x.min()):
            grid = np.linspace(float(x.min()), float(x.max()), 101)
            h = (float(x.max()) - float(x.min())) / 3
            u = np.clip(np.abs(grid[:, None] - x[None, :]) / h, 0, 1)
            k = (1 - u**3) ** 3
            ok = k.sum(axis=1) > 0
            smooth = (k * y[None, :]).sum(axis=1)[ok] / k.sum(axis=1)[ok]
            ax.plot(grid[ok], smooth, color="C1", label="local mean")
        ax.axhline(self._reference[covariate], color="C2", ls="--", label="fitted coefficient")
        ax.axhline(0.0, color="0.4", ls=":", lw=1)
        ax.set_xlabel(f"time ({self.transform} scale)")
        ax.set_ylabel(f"beta(t) for {covariate}")
        row = self.table.filter(pl.col("term") == covariate).row(0, named=True)
        ax.set_title(f"{covariate}: chi² = {row['statistic']:.3g}, p = {row['p_value']:.3g}")
        ax.legend(loc="best", fontsize="small")
        return ax

    def _repr_html_(self) -> str:
        return (
            f"<b>Test of proportional hazards</b> (Schoenfeld residuals, {self.transform} "
            "time scale)" + self.table._repr_html_()
        )


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
            keys = df.select(self._strata)[np.repeat(np.arange(m), k).tolist()]
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
        a = self._inputs
        r = self._model.residuals(a.fitted(), kind=type)
        row = np.asarray(r["row"]).astype(np.int64)
        values = np.asarray(r["values"])
        if type in ("martingale", "deviance"):
            return pl.DataFrame({"row": row, type: values[:, 0]})
        cols = {name: values[:, j] for j, name in enumerate(self._design.names)}
        if type != "schoenfeld":
            return pl.DataFrame({"row": row, **cols})
        out = pl.DataFrame({"row": row, "time": np.asarray(r["time"]), **cols})
        if self._strata:
            keys = self._strata_keys[a.strata[row].tolist()] if a.strata is not None else None
            if keys is not None:
                out = pl.concat([out.select("row"), keys, out.drop("row")], how="horizontal")
        return out

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
        a = self._inputs
        r = self._model.zph(a.fitted(), list(a.assign), transform=transform)
        terms = list(self._design.columns)
        table = pl.DataFrame(
            {
                "term": [*terms, "global"],
                "statistic": np.asarray(r["chisq"]),
                "df": [int(v) for v in r["df"]],
                "p_value": np.asarray(r["p"]),
            }
        )
        row = np.asarray(r["row"]).astype(np.int64)
        scaled = np.asarray(r["scaled"])
        res = pl.DataFrame(
            {
                "row": row,
                "time": np.asarray(r["time"]),
                "transformed_time": np.asarray(r["x"]),
                **{
                    name: pl.Series(name, scaled[:, j]).fill_nan(None)
                    for j, name in enumerate(terms)
                },
            }
        )
        if self._strata and a.strata is not None:
            keys = self._strata_keys[a.strata[row].tolist()]
            res = pl.concat([res.select("row"), keys, res.drop("row")], how="horizontal")
        coef = self.coef
        reference = {}
        for j, name in enumerate(terms):
            idx = [k for k, g in enumerate(a.assign) if g == j]
            reference[name] = float(coef[idx[0]]) if len(idx) == 1 else 1.0
        return CoxZph(table=table, residuals=res, transform=transform, _reference=reference)

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
        base = pl.concat(
            [st_keys[np.asarray(r["baseline_stratum"]).tolist()], base], how="horizontal"
        )
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
