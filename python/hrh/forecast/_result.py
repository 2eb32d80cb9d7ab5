"""The result of a trend fit: :class:`Forecast`, and the names of its interval columns."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import polars as pl

from hrh.exceptions import InputError

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

ModelName = Literal["linear", "loglinear", "ses", "holt", "damped", "gm11", "arima"]
MODELS: tuple[str, ...] = ("linear", "loglinear", "ses", "holt", "damped", "gm11", "arima")


def _level_name(level: float) -> str:
    """0.8 -> '80', 0.975 -> '97_5'."""
    return f"{100 * level:.10g}".replace(".", "_")


def _bounds(level: float, levels: Sequence[float]) -> tuple[str, str]:
    """The interval columns of `level`: ``lower``/``upper`` when it is the only level,
    else ``lower_80``/``upper_80``, ... (the result contract)."""
    if len(levels) == 1:
        return "lower", "upper"
    name = _level_name(level)
    return f"lower_{name}", f"upper_{name}"


@dataclass(frozen=True)
class Forecast:
    """Fitted models and forecasts, one per series.

    Attributes
    ----------
    model : str
        The model asked for (``"holt"``, ...); ``method`` is its full name
        (``"ETS(A,A,N)"``).
    fitted : polars.DataFrame
        Group columns, time, value, ``fitted`` and ``residual`` (value − fitted; null
        where the model has no fitted value).
    forecast : polars.DataFrame
        Group columns, time, ``mean`` and ``lower_80``, ``upper_80``, ... for each
        requested level, or ``lower``, ``upper`` when one level was asked for (null
        for GM(1,1), which has no intervals).
    params : polars.DataFrame
        Group columns and the estimated parameters (and loglik, aic, aicc, bic,
        sigma2 for likelihood-based models); null where a series has no such value.
    accuracy : polars.DataFrame
        Group columns, ``rmse``, ``mae``, ``mape`` (percent) of the in-sample fit; for
        GM(1,1) also ``posterior_error_ratio`` (C), ``small_error_probability`` (P)
        and ``grade``.
    coefficients : polars.DataFrame
        One row per series and coefficient (linear and log-linear trends: intercept,
        slope and break terms; ARIMA: ``ar1``..., ``ma1``..., ``intercept``, ``drift``
        and break terms): group columns, ``term``, ``estimate``, ``std_err``,
        ``statistic`` (t for the trends, z for ARIMA), ``p_value`` and the
        ``conf_level`` limits ``lower``, ``upper``; null where undefined. Empty for
        exponential smoothing and GM(1,1) (see Notes of :func:`trend`).
    by : list of str
        The group columns.
    time, value : str
        The time and value column names.
    levels : tuple of float
        Interval levels.
    time_unit : str or None
        ``"year"`` when the time column held dates (Date or Datetime), which count by
        their calendar year; ``None`` when it held numbers, in the caller's own unit.

    References
    ----------
    Hyndman RJ, Khandakar Y (2008). Automatic time series forecasting: the forecast
    package for R. Journal of Statistical Software 27(3).
    Hyndman RJ, Athanasopoulos G (2021). Forecasting: Principles and Practice, 3rd ed.
    Melbourne: OTexts (accuracy measures).

    Examples
    --------
    >>> import hrh
    >>> f = hrh.trend(time=[1, 2, 3, 4, 5, 6], value=[5.0, 5.2, 5.5, 5.6, 5.9, 6.1],
    ...               model="ses", horizon=2, level=0.9)
    >>> f.method, f.to_polars().columns
    ('ETS(A,N,N)', ['time', 'mean', 'lower', 'upper'])
    """

    model: str
    method: str
    fitted: pl.DataFrame
    forecast: pl.DataFrame
    params: pl.DataFrame
    accuracy: pl.DataFrame
    by: list[str]
    time: str
    value: str
    levels: tuple[float, ...]
    time_unit: str | None = None
    coefficients: pl.DataFrame = field(default_factory=pl.DataFrame)

    def to_polars(self) -> pl.DataFrame:
        """The forecast table."""
        return self.forecast

    def _repr_html_(self) -> str:
        n = self.params.height
        head = (
            f"<b>{html.escape(self.method)}</b> forecast of "
            f"<code>{html.escape(self.value)}</code> for {n} series, "
            f"{self.forecast.height // max(n, 1)} steps ahead"
            + (f" (time in calendar {self.time_unit}s, from dates)" if self.time_unit else "")
        )
        return (
            head
            + "<br><i>forecast</i>"
            + self.forecast.head(20)._repr_html_()
            + "<i>accuracy</i>"
            + self.accuracy.head(20)._repr_html_()
            + (
                "<i>coefficients</i>" + self.coefficients.head(20)._repr_html_()
                if self.coefficients.height
                else ""
            )
        )

    def plot(
        self,
        ax: Axes | None = None,
        *,
        groups: Sequence[Any] | None = None,
        max_series: int = 6,
    ) -> Axes:
        """Observed values and the forecast with its intervals, on one set of axes.

        One series: observed values (black), fitted values (orange), the forecast mean
        (blue) and a band per interval level. Several series: one colour per series
        (observed values, the forecast mean and its bands), labelled by group; fitted
        values are not drawn. The forecast line starts at the last observation, so the
        observed and forecast lines meet. Needs matplotlib (``pip install 'hrh[plot]'``).

        Parameters
        ----------
        ax
            The matplotlib Axes to draw on; a new figure when ``None``.
        groups
            Series to draw: those whose first group column takes one of these values.
            Default: the first `max_series` series.
        max_series
            At most this many series are drawn (a positive integer).

        Returns
        -------
        matplotlib.axes.Axes
            The axes drawn on (the figure is not displayed twice in a notebook).

        Raises
        ------
        InputError
            `max_series` is not a positive integer, or no series matches `groups`.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> import hrh
        >>> f = hrh.trend(time=[2015, 2016, 2017, 2018], value=[2.0, 2.2, 2.3, 2.5], horizon=2)
        >>> ax = f.plot()
        >>> ax.get_xlabel(), [line.get_label() for line in ax.get_lines()]
        ('time', ['observed', 'fitted', 'forecast'])
        """
        from hrh.plot import _axes

        if isinstance(max_series, bool) or not isinstance(max_series, int) or max_series < 1:
            raise InputError(f"argument 'max_series': {max_series!r} is not a positive integer")
        if self.by:
            keys = self.params.select(self.by)
            if groups is not None:
                wanted = [groups] if isinstance(groups, str) else list(groups)
                keys = keys.filter(pl.col(self.by[0]).is_in(wanted))
                if keys.height == 0:
                    raise InputError(
                        f"argument 'groups': none of {wanted!r} is a value of column '{self.by[0]}'"
                    )
            keys = keys.head(max_series)
        else:
            keys = pl.DataFrame()
        ax = _axes(ax)
        several = keys.height > 1
        for i in range(max(keys.height, 1)):
            # null (undefined) is drawn as a gap: NaN, at plotting time only
            fit = self.fitted.with_columns(pl.col("fitted").fill_null(float("nan")))
            fc = self.forecast.with_columns(pl.selectors.float().fill_null(float("nan")))
            label = None
            if self.by:
                cond = pl.all_horizontal(pl.col(k) == keys[i, k] for k in self.by)
                fit, fc = fit.filter(cond), fc.filter(cond)
                label = ", ".join(str(keys[i, k]) for k in self.by)
            color = f"C{i % 10}" if several else "tab:blue"
            # The forecast drawn from the last observation on.
            t0, v0 = fit[self.time][-1], fit[self.value][-1]
            ft = [t0, *fc[self.time].to_list()]
            for level in sorted(self.levels, reverse=True):
                lo, hi = _bounds(level, self.levels)
                ax.fill_between(
                    ft,
                    [v0, *fc[lo].to_list()],
                    [v0, *fc[hi].to_list()],
                    color=color,
                    alpha=0.15 + 0.15 * (1 - level),
                    lw=0,
                    label="_band" if several else f"{100 * level:g}% interval",
                )
            if several:
                ax.plot(fit[self.time], fit[self.value], ".-", color=color, lw=1, label=label)
                ax.plot(ft, [v0, *fc["mean"].to_list()], "--", color=color, lw=1.5, label="_fc")
            else:
                ax.plot(fit[self.time], fit[self.value], "k.-", lw=1, label="observed")
                ax.plot(fit[self.time], fit["fitted"], color="tab:orange", lw=1, label="fitted")
                ax.plot(ft, [v0, *fc["mean"].to_list()], color=color, lw=1.5, label="forecast")
        title = f"{self.method} (dashed: forecast)" if several else self.method
        if self.by and not several:
            title = f"{label}: {self.method}"
        ax.set_title(title, fontsize=10)
        ax.set_xlabel(f"{self.time} ({self.time_unit})" if self.time_unit else self.time)
        ax.set_ylabel(self.value)
        ax.legend(fontsize=7, loc="best", title=", ".join(self.by) if several else None)
        return ax
