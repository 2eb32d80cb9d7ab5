"""The result of a parametric (accelerated failure time) model,
:class:`ParametricResult`: coefficients, scale, likelihood and AIC, and what the
fitted distribution implies for new rows (survival, hazard, quantiles, restricted
mean time in post, annual exit rates by band of seniority) with intervals, and its
plot."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import polars as pl

from hrh import _core
from hrh._frames import check_level, float_array, to_frame
from hrh.attrition._common import _nan_to_null
from hrh.attrition._design import _Design, _matrix
from hrh.exceptions import InputError

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

_LABEL = {
    "exponential": "exponential",
    "weibull": "Weibull",
    "lognormal": "log-normal",
    "loglogistic": "log-logistic",
}


@dataclass(frozen=True)
class ParametricResult:
    """A fitted parametric (accelerated failure time) survival model.

    The model is log T = xβ + σW: ``coef`` are the β (an intercept and one per
    covariate term; exp(β) is a time ratio, > 1 meaning longer stays), ``scale`` is σ,
    and W is standard extreme-value (Weibull, exponential with σ = 1), normal
    (log-normal) or logistic (log-logistic), as R's ``survreg``.

    Attributes
    ----------
    summary : polars.DataFrame
        ``term`` (``(Intercept)``, the covariate terms, then ``log(scale)`` unless the
        model is exponential), ``coef``, ``std_err``, ``z``, ``p_value``, ``lower``,
        ``upper`` (Wald interval at `level`).
    dist : str
        The distribution.
    scale : float
        σ (1 for the exponential).
    loglik, loglik_null : float
        Log-likelihood of the durations (Jacobian of log T included, as R reports it) at
        the estimate and for the intercept-only model.
    aic : float
        −2 loglik + 2 × (number of parameters).
    variance : numpy.ndarray
        Covariance matrix of (coef, log(scale)), in the order of ``summary``.
    n, n_events : int, float
        Rows used, and the (weighted) number of exits.
    iterations : int
        Newton-Raphson iterations of the full model.
    level : float
        Confidence level of the intervals.

    References
    ----------
    Kalbfleisch JD, Prentice RL (2002). The Statistical Analysis of Failure Time Data,
    2nd ed. Wiley (ch. 2-3).
    Therneau TM (2024). survival: A Package for Survival Analysis in R (``survreg``).

    Examples
    --------
    >>> import hrh
    >>> d = {"years": [1.5, 2.0, 3.2, 4.1, 5.5, 6.0, 7.3, 9.9, 0.8, 2.7],
    ...      "left": [1, 0, 1, 1, 0, 1, 1, 0, 1, 1]}
    >>> m = hrh.parametric(d, duration="years", event="left", dist="lognormal")
    >>> m.summary["term"].to_list()
    ['(Intercept)', 'log(scale)']
    >>> m.predict_quantile(p=[0.5])["time"].round(2).to_list()  # median stay
    [4.22]
    """

    summary: pl.DataFrame
    dist: str
    scale: float
    loglik: float
    loglik_null: float
    aic: float
    n: int
    n_events: float
    iterations: int
    level: float
    variance: npt.NDArray[np.float64] = field(repr=False)
    _design: _Design = field(repr=False)
    _coef: npt.NDArray[np.float64] = field(repr=False)
    _model: _core.ParametricModel = field(repr=False)
    _data: dict[str, Any] = field(repr=False)

    @property
    def coef(self) -> npt.NDArray[np.float64]:
        """Intercept and covariate coefficients (log time ratios)."""
        return self._coef.copy()

    def to_polars(self) -> pl.DataFrame:
        """The coefficient table."""
        return self.summary

    def _rows(self, new_data: Any) -> tuple[pl.DataFrame, npt.NDArray[np.float64]]:
        if new_data is None:
            if self._design.columns:
                raise InputError(
                    "new_data: the model has covariates "
                    f"({', '.join(self._design.columns)}); give a table of their values"
                )
            df = pl.DataFrame({"row": [0]})
            return df, np.zeros((1, 0), dtype=np.float64)
        df = to_frame(new_data, name="new_data")
        if df.height == 0:
            raise InputError("new_data has no rows")
        return df, np.ascontiguousarray(_matrix(self._design, df, "new_data"))

    def _predict(
        self, new_data: Any, at: Any, name: str, kind: str, column: str, level: float | None
    ) -> pl.DataFrame:
        lv = self.level if level is None else level
        check_level(lv)
        df, x = self._rows(new_data)
        a = float_array(at, name)
        r = self._model.predict(x, a, kind=kind, level=lv)
        m = df.height
        out = pl.DataFrame(
            {
                "row": np.repeat(np.arange(m), a.size),
                name: np.tile(a, m),
                column: r["estimate"],
                "std_err": r["std_err"],
                "lower": r["lower"],
                "upper": r["upper"],
            }
        )
        return _nan_to_null(out, [column, "std_err", "lower", "upper"])

    def predict_survival(
        self, new_data: Any = None, *, times: Any, level: float | None = None
    ) -> pl.DataFrame:
        """Survival S(t | x) = S_W((log t − xβ)/σ) of each row of `new_data` at `times`.

        The standard error is the delta-method one on the survival scale; the interval
        is built on the log(−log S) scale (so it stays in (0, 1)): exp(−exp(u ± z·se_u))
        with u = log(−log S).

        Parameters
        ----------
        new_data
            Any table hrh reads with the model's covariate columns (categorical levels
            must be ones the model knows); None for a model without covariates.
        times
            Times >= 0 (array-like); S(0) = 1.
        level
            Confidence level; default the model's.

        Returns
        -------
        polars.DataFrame
            ``row`` (of `new_data`), ``time``, ``survival``, ``std_err``, ``lower``,
            ``upper`` (null where undefined, e.g. at survival 0 or 1).
        """
        return self._predict(new_data, times, "times", "survival", "survival", level).rename(
            {"times": "time"}
        )

    def predict_hazard(
        self, new_data: Any = None, *, times: Any, level: float | None = None
    ) -> pl.DataFrame:
        """Hazard (instantaneous exit rate) h(t | x) = f(t | x) / S(t | x) at `times` > 0.

        The interval is built on the log scale: exp(log h ± z·se(log h)).

        Parameters
        ----------
        new_data
            Covariate rows, as in :meth:`hrh.ParametricResult.predict_survival`; None
            without covariates.
        times
            Times > 0 (array-like).
        level
            Confidence level; default the model's.

        Returns
        -------
        polars.DataFrame
            ``row``, ``time``, ``hazard`` (exits per person per unit of time),
            ``std_err``, ``lower``, ``upper``.
        """
        return self._predict(new_data, times, "times", "hazard", "hazard", level).rename(
            {"times": "time"}
        )

    def predict_quantile(
        self, new_data: Any = None, *, p: Any = (0.1, 0.5, 0.9), level: float | None = None
    ) -> pl.DataFrame:
        """The time by which a share `p` has left, exp(xβ + σ w_p) (p = 0.5: the median
        stay), as R's ``predict(type = "quantile")``.

        The standard error is on the time scale, as R's; the interval is built on the
        log scale: exp(log t_p ± z·se(log t_p)).

        Parameters
        ----------
        new_data
            Covariate rows, as in :meth:`hrh.ParametricResult.predict_survival`; None
            without covariates.
        p
            Shares that have left, in (0, 1) (array-like); default 0.1, 0.5, 0.9.
        level
            Confidence level; default the model's.

        Returns
        -------
        polars.DataFrame
            ``row``, ``p``, ``time``, ``std_err``, ``lower``, ``upper``.
        """
        return self._predict(new_data, p, "p", "quantile", "time", level)

    def predict_rmst(
        self, new_data: Any = None, *, tau: Any, level: float | None = None
    ) -> pl.DataFrame:
        """Restricted mean time in post up to `tau`, ∫₀^τ S(t | x) dt (expected years
        served in the first τ), by numerical integration in the core.

        The standard error is the delta-method one; the interval is built on the log
        scale (so it stays positive; its upper limit may exceed τ when the estimate is
        close to τ).

        Parameters
        ----------
        new_data
            Covariate rows, as in :meth:`hrh.ParametricResult.predict_survival`; None
            without covariates.
        tau
            Horizons > 0 (array-like), in the units of the durations.
        level
            Confidence level; default the model's.

        Returns
        -------
        polars.DataFrame
            ``row``, ``tau``, ``rmst``, ``std_err``, ``lower``, ``upper``.
        """
        return self._predict(new_data, tau, "tau", "rmst", "rmst", level)

    def attrition_rates(
        self,
        bands: Sequence[float] = (0, 1, 2, 5, 10, 20, 30),
        *,
        new_data: Any = None,
        per: float = 1.0,
        level: float | None = None,
    ) -> pl.DataFrame:
        """Annual exit rates by band of time in post implied by the fitted model.

        For the band [b_k, b_{k+1}), the probability of leaving within it among those
        still in post at b_k is q_k = 1 − S(b_{k+1}) / S(b_k), and the annual rate is the
        constant yearly probability compounding to it, 1 − (1 − q_k)^(per / width) (as
        :func:`hrh.annualize`). The interval is built on the log of the band's cumulative
        hazard −log(1 − q_k) and carried to the rate.

        These rates come from the fitted distribution, not from counted exits: bands
        beyond the longest follow-up are an extrapolation of the model's shape, only as
        good as the choice of `dist` (compare distributions by AIC and with the
        Kaplan-Meier curve before planning on them).

        Parameters
        ----------
        bands
            Increasing band edges in the units of `duration` (e.g. years of service).
        new_data
            Covariate rows (None without covariates).
        per
            Length of a year in the units of `duration` (365.25 for days); 1 for years.
        level
            Confidence level; default the model's.

        Returns
        -------
        polars.DataFrame
            ``row``, ``band_start``, ``band_end``, ``exit_probability`` (q_k),
            ``annual_rate``, ``std_err``, ``lower``, ``upper``.
        """
        lv = self.level if level is None else level
        check_level(lv)
        df, x = self._rows(new_data)
        e = float_array(bands, "bands")
        if not (isinstance(per, int | float) and math.isfinite(per) and per > 0):
            raise InputError(f"argument 'per': {per!r} must be a finite number > 0")
        r = self._model.band_rates(x, e, per=float(per), level=lv)
        nb = e.size - 1
        m = df.height
        out = pl.DataFrame(
            {
                "row": np.repeat(np.arange(m), nb),
                "band_start": np.tile(e[:-1], m),
                "band_end": np.tile(e[1:], m),
                "exit_probability": r["band_probability"],
                "annual_rate": r["estimate"],
                "std_err": r["std_err"],
                "lower": r["lower"],
                "upper": r["upper"],
            }
        )
        return _nan_to_null(out, ["exit_probability", "annual_rate", "std_err", "lower", "upper"])

    def plot(
        self,
        new_data: Any = None,
        *,
        times: Any = None,
        km: bool = False,
        ci: bool = True,
        ax: Axes | None = None,
    ) -> Axes:
        """Fitted survival curves, one per row of `new_data`, with their intervals and,
        optionally, the Kaplan-Meier curve of the data the model was fitted to.

        Parameters
        ----------
        new_data
            Covariate rows (None without covariates).
        times
            Times to draw at; default 200 points up to the longest duration.
        km
            Overlay the Kaplan-Meier curve of all the fitting data (with delayed entry
            when the model had it); most telling for a model without covariates.
        ci
            Shade the pointwise intervals.
        ax
            Matplotlib Axes to draw on; None: a new figure.

        Returns
        -------
        matplotlib.axes.Axes
            Needs matplotlib (``pip install 'hrh[plot]'``).
        """
        from hrh.attrition._curves import kaplan_meier
        from hrh.plot import _axes

        ax = _axes(ax)
        t = (
            np.linspace(0.0, float(np.max(self._data["time"])), 200)
            if times is None
            else float_array(times, "times")
        )
        s = self.predict_survival(new_data, times=t)
        for r, part in s.group_by("row", maintain_order=True):
            label = f"{_LABEL[self.dist]}" + (f", row {r[0]}" if self._design.columns else "")
            (line,) = ax.plot(part["time"], part["survival"], label=label)
            if ci:
                ax.fill_between(
                    part["time"].to_numpy(),
                    part["lower"].fill_null(float("nan")).to_numpy(),
                    part["upper"].fill_null(float("nan")).to_numpy(),
                    alpha=0.2,
                    color=line.get_color(),
                )
        if km:
            d = self._data
            cols = {"time": d["time"], "event": d["event"]}
            if d["entry"] is not None:
                cols["entry"] = d["entry"]
            if d["weights"] is not None:
                cols["weights"] = d["weights"]
            k = kaplan_meier(
                cols,
                duration="time",
                event="event",
                entry="entry" if d["entry"] is not None else None,
                weights="weights" if d["weights"] is not None else None,
            ).table
            ax.step(
                [0.0, *k["time"].to_list()],
                [1.0, *k["survival"].to_list()],
                where="post",
                color="black",
                linewidth=1,
                label="Kaplan-Meier",
            )
        ax.set_ylim(0, 1.02)
        ax.set_xlabel("time in post")
        ax.set_ylabel("share still in post")
        ax.legend()
        return ax

    def _repr_html_(self) -> str:
        return (
            f"<b>Parametric survival model</b> ({_LABEL[self.dist]}, accelerated failure "
            f"time): n = {self.n}, exits = {self.n_events:g}, scale = {self.scale:.4g}, "
            f"log-likelihood = {self.loglik:.6g}, AIC = {self.aic:.6g}" + self.summary._repr_html_()
        )
