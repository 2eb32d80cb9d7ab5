"""The result of a Fine-Gray model, :class:`FineGrayResult` (coefficients on the
subdistribution hazard, likelihoods, sandwich variance, baseline), and its predictions
of the cumulative incidence of the cause of interest for new rows,
:class:`FineGrayPrediction`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import polars as pl

from hrh import _core
from hrh._frames import float_array, to_frame
from hrh.attrition._design import _Design
from hrh.exceptions import InputError

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes


@dataclass(frozen=True)
class FineGrayPrediction:
    """Predicted cumulative incidence of the cause of interest for covariate rows, from
    :meth:`FineGrayResult.predict`.

    Attributes
    ----------
    table : polars.DataFrame
        ``row`` (the row of `new_data`), ``time``, ``cumulative_incidence``.
    cause_of_interest
        The exit reason the curves are of.

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
    >>> pr = m.predict({"rural": [0, 1]})
    >>> pr.table.filter(pr.table["row"] == 1).rows()[:2]
    [(1, 1.0, 0.17776...), (1, 3.0, 0.35538...)]
    """

    table: pl.DataFrame
    cause_of_interest: Any

    def to_polars(self) -> pl.DataFrame:
        """The prediction table."""
        return self.table

    def plot(self, ax: Axes | None = None) -> Axes:
        """Step curves of the predicted cumulative incidence, one per row.

        Parameters
        ----------
        ax
            Matplotlib Axes to draw on; None: a new figure.

        Returns
        -------
        matplotlib.axes.Axes
            Needs matplotlib (``pip install 'hrh[plot]'``).
        """
        from hrh.plot import _axes

        ax = _axes(ax)
        for (row,), part in self.table.group_by("row", maintain_order=True):
            t = [0.0, *part["time"].to_list()]
            f = [0.0, *part["cumulative_incidence"].to_list()]
            ax.step(t, f, where="post", label=f"row {row}")
        ax.set_xlabel("time in post")
        ax.set_ylabel(f"cumulative incidence of {self.cause_of_interest}")
        ax.legend(title="new_data")
        return ax

    def _repr_html_(self) -> str:
        return (
            f"<b>Predicted cumulative incidence</b> of {self.cause_of_interest}"
            + self.table.tail(10)._repr_html_()
        )


@dataclass(frozen=True)
class FineGrayResult:
    """A fitted Fine-Gray model, from :func:`hrh.fine_gray`.

    Attributes
    ----------
    table : polars.DataFrame
        ``term``, ``coef`` (log subdistribution hazard ratio), ``exp_coef`` (the
        subdistribution hazard ratio), ``std_err`` (of ``coef``, from the sandwich
        variance), ``z``, ``p_value``, and ``lower`` / ``upper``, the interval of
        ``exp_coef`` at `level` (R's ``summary(crr)``); a ratio beyond the float
        range (a coefficient above 709, e.g. of a covariate in tiny units) is null.
    loglik, loglik_null : float
        Log pseudo-likelihood at the estimate and at coefficients 0 (``crr``'s
        ``loglik`` and ``loglik.null``).
    iterations : int
        Newton steps taken.
    converged : bool
        Always True: a fit that does not converge raises ConvergenceError.
    variance : numpy.ndarray
        Sandwich variance of the coefficients (``crr``'s ``var``).
    information : numpy.ndarray
        Information matrix (minus the Hessian of the log pseudo-likelihood) at the
        estimate (``crr``'s ``inf``).
    baseline : polars.DataFrame
        ``time`` (each distinct time of an exit of interest) and
        ``cumulative_hazard``, the baseline cumulative subdistribution hazard at
        covariates 0 (reference levels).
    n, n_events, n_competing, n_censored : int
        Rows, exits of the cause of interest, exits of other causes, censored rows.
    cause_of_interest
        The exit reason modelled.
    level : float
        Confidence level of ``lower`` / ``upper``.

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
    >>> m.table.columns
    ['term', 'coef', 'exp_coef', 'std_err', 'z', 'p_value', 'lower', 'upper']
    >>> m.n, m.n_events, m.n_competing, m.n_censored
    (8, 4, 2, 2)
    """

    table: pl.DataFrame
    loglik: float
    loglik_null: float
    iterations: int
    converged: bool
    variance: npt.NDArray[np.float64] = field(repr=False)
    information: npt.NDArray[np.float64] = field(repr=False)
    baseline: pl.DataFrame = field(repr=False)
    n: int
    n_events: int
    n_competing: int
    n_censored: int
    cause_of_interest: Any
    level: float
    _design: _Design = field(repr=False)
    _model: _core.FineGrayModel = field(repr=False)
    _times: npt.NDArray[np.float64] = field(repr=False)

    @property
    def coef(self) -> npt.NDArray[np.float64]:
        """Coefficients (log subdistribution hazard ratios)."""
        return self.table["coef"].to_numpy()

    def predict(self, new_data: Any, times: Any = None) -> FineGrayPrediction:
        """Cumulative incidence of the cause of interest for each row of `new_data`,
        F(t | x) = 1 − exp(−exp(xβ) Λ₀(t)), as R's ``predict.crr``.

        Parameters
        ----------
        new_data
            Any table hrh reads with the model's covariate columns; categorical levels
            must be ones the model knows.
        times
            Times at which to evaluate the curves (array-like of numbers; a step
            function, 0 before the first exit of interest). None (default): each
            distinct time of an exit of interest, as ``predict.crr``.

        Returns
        -------
        FineGrayPrediction
            ``.table`` with ``row``, ``time``, ``cumulative_incidence``; ``.plot()``.
        """
        df = to_frame(new_data, name="new_data")
        if df.height == 0:
            raise InputError("new_data has no rows")
        x = self._design.matrix(df, table="new_data")
        if times is None:
            t = self._times
            f = np.asarray(self._model.predict(x))
        else:
            t = float_array(times, "times")
            f = np.asarray(self._model.predict(x, t))
        m = df.height
        table = pl.DataFrame(
            {
                "row": np.repeat(np.arange(m, dtype=np.int64), t.size),
                "time": np.tile(t, m),
                "cumulative_incidence": f.reshape(-1),
            }
        )
        return FineGrayPrediction(table=table, cause_of_interest=self.cause_of_interest)

    def to_polars(self) -> pl.DataFrame:
        """The coefficient table."""
        return self.table

    def _repr_html_(self) -> str:
        return (
            f"<b>Fine-Gray model</b> of {self.cause_of_interest!s}: n = {self.n}, "
            f"exits of interest = {self.n_events}, competing exits = {self.n_competing}, "
            f"censored = {self.n_censored}, log pseudo-likelihood = {self.loglik:.6g} "
            f"({self.iterations} Newton steps)" + self.table._repr_html_()
        )
