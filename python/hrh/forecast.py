"""Trend forecasting of workforce series (e.g. physicians per 1,000 population, one
series per country): least-squares trends, exponential smoothing, the grey model
GM(1,1) and ARIMA, fitted to every series of a table in one call to the Rust core
(parallel over series), with prediction intervals, accuracy measures and rolling-origin
backtests.

Conventions follow R's ``forecast`` package (Hyndman & Khandakar 2008) unless a keyword
says otherwise; every formula is in the docstring of :func:`trend`.
"""

from __future__ import annotations

import datetime as dt
import html
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import polars as pl

from hrh import _core
from hrh._frames import (
    arrays_as_arguments,
    as_list,
    check_no_nulls,
    float_array,
    group_codes,
    require_columns,
    to_frame,
)
from hrh._progress import progress_after
from hrh.exceptions import InputError

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = ["MODELS", "Forecast", "backtest", "trend"]

ModelName = Literal["linear", "loglinear", "ses", "holt", "damped", "gm11", "arima"]
MODELS: tuple[str, ...] = ("linear", "loglinear", "ses", "holt", "damped", "gm11", "arima")
_POSITIVE = {"loglinear": "a log-linear trend", "gm11": "GM(1,1)"}
_ROW = "__hrh_row"
_CODE = "__hrh_code"


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


def _check_positive(df: pl.DataFrame, vname: str, models: Sequence[str]) -> None:
    """InputError naming the first value <= 0 when one of `models` needs positive values."""
    positive = [m for m in models if m in _POSITIVE]
    if not positive:
        return
    s = df.get_column(vname)
    bad = (s <= 0).arg_true()
    if len(bad):
        i = int(bad[0])
        raise InputError(
            f"column '{vname}', row {df[i, _ROW]}: value {s[i]} is not positive; "
            f"{_POSITIVE[positive[0]]} needs values > 0"
        )


def _dates(values: Any) -> pl.Series | None:
    """`values` (time given as an array, not a column) as a Date or Datetime series when
    they are dates, else None."""
    if isinstance(values, pl.Series):
        return values if values.dtype.is_temporal() else None
    if isinstance(values, np.ndarray):
        return pl.Series("time", values) if values.dtype.kind == "M" else None
    dated = isinstance(values, Sequence) and not isinstance(values, str | bytes) and len(values)
    if dated and all(isinstance(v, dt.date) for v in values):
        return pl.Series("time", list(values))
    return None


def _prepare(
    data: Any,
    time: Any,
    value: Any,
    by: str | Sequence[str] | None,
    model: str,
    fill: str | None,
) -> tuple[pl.DataFrame, list[str], str, str, str | None]:
    """The series as one polars frame sorted by group (stable), with the user's row
    number in ``__hrh_row`` and the group code in ``__hrh_code``, checked row by row,
    and the unit of time: ``"year"`` when the times were dates (each becomes its
    calendar year), else None."""
    keys = as_list(by)
    unit = None
    if data is None:
        if keys:
            raise InputError("by: needs a table (data=...) with the group columns")
        dates = _dates(time)
        if dates is not None:
            time, unit = dates.dt.year().cast(pl.Int64).to_numpy(), "year"
        t = float_array(time, "time")
        v = float_array(value, "value")
        if t.size != v.size:
            raise InputError(f"column 'value': has length {v.size} but 'time' has length {t.size}")
        tcol = pl.Series("time", t)
        if np.all(np.abs(t) < 2**53) and np.all(t == np.round(t)):
            tcol = tcol.cast(pl.Int64)  # years stay integers
        df = pl.DataFrame({"time": tcol, "value": v})
        tname, vname = "time", "value"
    else:
        if not isinstance(time, str) or not isinstance(value, str):
            raise InputError("time, value: give column names when data is a table")
        df = to_frame(data)
        require_columns(df, [time, value, *keys], role="time/value/by")
        tname, vname = time, value
        df = df.select([*keys, tname, vname])
        if df.schema[tname] == pl.Date or isinstance(df.schema[tname], pl.Datetime):
            df, unit = df.with_columns(pl.col(tname).dt.year().cast(pl.Int64)), "year"
    for c in (tname, vname):
        s = df.get_column(c)
        if not s.dtype.is_numeric():
            raise InputError(f"column '{c}' has type {s.dtype}, expected numbers")
        check_no_nulls(df, c)
        if s.dtype.is_float():
            bad = s.is_infinite().arg_true()
            if len(bad):
                r = int(bad[0])
                raise InputError(f"column '{c}', row {r}: value {s[r]} is not a finite number")
    for k in keys:
        check_no_nulls(df, k)
    if df.height == 0:
        raise InputError(f"column '{vname}': no observations; a series needs at least 3")
    df = df.with_row_index(_ROW)
    codes, _ = group_codes(df, keys)
    df = df.with_columns(pl.Series(_CODE, codes)).sort(_CODE, maintain_order=True)
    _check_positive(df, vname, [model])
    df = _check_times(df, keys, tname, vname, fill, dated=unit is not None)
    return df, keys, tname, vname, unit


def _group_text(df: pl.DataFrame, keys: list[str], i: int) -> str:
    return "" if not keys else " (" + ", ".join(f"{k}={df[i, k]!r}" for k in keys) + ")"


def _check_times(
    df: pl.DataFrame,
    keys: list[str],
    tname: str,
    vname: str,
    fill: str | None,
    *,
    dated: bool = False,
) -> pl.DataFrame:
    if fill not in (None, "linear"):
        raise InputError(f"fill: {fill!r} is not None or 'linear'")
    t = pl.col(tname)
    d = (t - t.shift(1)).over(_CODE)
    df = df.with_columns(__hrh_diff=d)
    diff = df.get_column("__hrh_diff")
    bad = (diff <= 0).fill_null(False).arg_true()
    if len(bad):
        i = int(bad[0])
        prev = df[i - 1, tname]
        what = (
            f"time {df[i, tname]} is duplicated (also at row {df[i - 1, _ROW]})"
            + ("; dates count by their calendar year" if dated else "")
            if df[i, tname] == prev
            else f"time {df[i, tname]} is not after the previous time {prev} "
            f"(row {df[i - 1, _ROW]}); sort the series by time"
        )
        raise InputError(f"column '{tname}', row {df[i, _ROW]}: {what}{_group_text(df, keys, i)}")
    steps = df.group_by(_CODE).agg(pl.col("__hrh_diff").min().alias("__hrh_step"))
    df = df.join(steps, on=_CODE, how="left", maintain_order="left")
    gap = ((pl.col("__hrh_diff") - pl.col("__hrh_step")).abs() > 1e-9).fill_null(False)
    bad = df.select(gap).to_series().arg_true()
    if len(bad) and fill is None:
        i = int(bad[0])
        raise InputError(
            f"column '{tname}', row {df[i, _ROW]}: time {df[i, tname]} follows "
            f"{df[i - 1, tname]} but the series steps by {df[i, '__hrh_step']}; the series "
            f"has a gap{_group_text(df, keys, i)}; fill it first or pass fill='linear'"
        )
    if len(bad):
        df = _fill_linear(df, keys, tname, vname)
    return df.drop(["__hrh_diff", "__hrh_step"], strict=False)


_MAX_POINTS = 10_000_000  # time points after filling gaps, over all series
_MAX_HORIZON = 10_000  # steps forecast


def _fill_linear(df: pl.DataFrame, keys: list[str], tname: str, vname: str) -> pl.DataFrame:
    """Insert the missing times of each series (its smallest step) and interpolate the
    values linearly; warns with the count."""
    tdtype = df.schema[tname]
    if not tdtype.is_integer():
        raise InputError(f"fill='linear': column '{tname}' must hold integers (e.g. years)")
    # The filled length of each series, checked before anything is allocated.
    spans = df.group_by(_CODE).agg(
        (
            (pl.col(tname).max().cast(pl.Float64) - pl.col(tname).min().cast(pl.Float64))
            / pl.col("__hrh_step").first().cast(pl.Float64)
        ).alias("n")
    )
    points = float(spans["n"].sum()) + spans.height
    if points > _MAX_POINTS:
        raise InputError(
            f"fill='linear': filling the gaps of column '{tname}' would make {points:.3g} time "
            f"points, more than {_MAX_POINTS:,}: check the times (a stray value?) or fill "
            "them yourself"
        )
    grid = (
        df.group_by(_CODE, maintain_order=True)
        .agg(
            *[pl.col(k).first() for k in keys],
            pl.int_ranges(
                pl.col(tname).min(), pl.col(tname).max() + 1, pl.col("__hrh_step").first()
            )
            .first()
            .alias(tname),
        )
        .explode(tname)
        .with_columns(pl.col(tname).cast(tdtype))
    )
    out = grid.join(df.select([_CODE, tname, vname, _ROW]), on=[_CODE, tname], how="left").sort(
        [_CODE, tname]
    )
    added = out.get_column(vname).null_count()
    warnings.warn(
        f"fill='linear': interpolated {added} missing time point(s) of '{vname}'",
        UserWarning,
        stacklevel=4,
    )
    out = out.with_columns(pl.col(vname).cast(pl.Float64).interpolate().over(_CODE))
    return out.with_columns(pl.col(_ROW).fill_null(-1)).with_columns(
        __hrh_diff=pl.lit(None, dtype=pl.Float64), __hrh_step=pl.lit(None, dtype=pl.Float64)
    )


def _break_times(value: Any, name: str) -> list[float]:
    """Break times as a list of finite numbers (None or [] for none)."""
    if value is None:
        return []
    items = [value] if isinstance(value, int | float) else value
    if isinstance(items, str | bytes) or not isinstance(items, Sequence | np.ndarray):
        raise InputError(f"argument '{name}': {value!r} is not a list of times")
    out = []
    for v in items:
        if isinstance(v, bool) or not isinstance(v, int | float | np.integer | np.floating):
            raise InputError(f"argument '{name}': {v!r} is not a time (a number such as 2011)")
        if not np.isfinite(v):
            raise InputError(f"argument '{name}': break time {v!r} is not finite")
        out.append(float(v))
    return out


def _coefficients(r: dict[str, Any], group_keys: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """The long coefficient table: group columns, term, estimate, std_err, statistic,
    p_value, lower, upper (NaN from the core becomes null)."""
    idx = np.asarray(r["series"], dtype=np.int64)
    cols: dict[str, Any] = {}
    for k in keys:
        cols[k] = group_keys.get_column(k).gather(idx)
    cols["term"] = pl.Series("term", list(r["term"]), dtype=pl.String)
    for name in ("estimate", "std_err", "statistic", "p_value", "lower", "upper"):
        cols[name] = pl.Series(name, np.asarray(r[name], dtype=np.float64)).fill_nan(None)
    return pl.DataFrame(cols)


def _levels(level: float | Sequence[float]) -> tuple[float, ...]:
    levels = (level,) if isinstance(level, int | float) else tuple(level)
    for lv in levels:
        if isinstance(lv, bool) or not isinstance(lv, int | float) or not 0 < lv < 1:
            raise InputError(f"argument 'level': {lv!r} is outside (0, 1); give e.g. 0.95")
    return tuple(float(x) for x in levels)


def _fit(
    df: pl.DataFrame,
    keys: list[str],
    tname: str,
    vname: str,
    model: str,
    horizon: int,
    levels: tuple[float, ...],
    options: dict[str, Any],
    progress: float | None = None,
    time_unit: str | None = None,
) -> Forecast:
    if model not in MODELS:
        raise InputError(f"model: {model!r} is not one of {', '.join(map(repr, MODELS))}")
    if (
        isinstance(horizon, bool)
        or not isinstance(horizon, int)
        or not 1 <= horizon <= _MAX_HORIZON
    ):
        raise InputError(f"horizon: {horizon!r} must be an integer from 1 to {_MAX_HORIZON:,}")
    known = {
        "initial",
        "alpha",
        "beta",
        "phi",
        "first_residual",
        "ddof",
        "order",
        "mean",
        "drift",
        "search",
        "breaks",
        "slope_breaks",
        "conf_level",
    }
    unknown = set(options) - known
    if unknown:
        raise InputError(
            f"unknown option(s) {', '.join(sorted(unknown))}; known: {', '.join(sorted(known))}"
        )
    order = options.get("order")
    if order is not None:
        if len(order) != 3 or not all(isinstance(o, int) and o >= 0 for o in order):
            raise InputError(f"order: {order!r} must be three integers (p, d, q) >= 0")
        order = tuple(int(o) for o in order)
    search = options.get("search", "exhaustive")
    breaks = _break_times(options.get("breaks"), "breaks")
    slope_breaks = _break_times(options.get("slope_breaks"), "slope_breaks")
    conf_level = options.get("conf_level", 0.95)
    if (
        isinstance(conf_level, bool)
        or not isinstance(conf_level, int | float)
        or not 0 < conf_level < 1
    ):
        raise InputError(f"argument 'conf_level': {conf_level!r} is outside (0, 1); give e.g. 0.95")
    code = df.get_column(_CODE).to_numpy()
    counts = np.bincount(code) if code.size else np.zeros(0, dtype=np.int64)
    counts = counts[counts > 0]
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.uint64)
    firsts = offsets[:-1].astype(np.int64)
    group_keys = df[firsts].select(keys) if keys else pl.DataFrame()
    labels = (
        [", ".join(f"{k}={r[k]!r}" for k in keys) for r in group_keys.iter_rows(named=True)]
        if keys
        else [""]
    )
    t = np.ascontiguousarray(df.get_column(tname).cast(pl.Float64).to_numpy())
    v = np.ascontiguousarray(df.get_column(vname).cast(pl.Float64).to_numpy())
    r = _core.forecast(
        t,
        v,
        offsets,
        labels,
        model=model,
        horizon=int(horizon),
        levels=list(levels),
        initial=str(options.get("initial", "optimal")),
        alpha=options.get("alpha"),
        beta=options.get("beta"),
        phi=options.get("phi"),
        first_residual=bool(options.get("first_residual", False)),
        ddof=int(options.get("ddof", 0)),
        order=order,
        mean=bool(options.get("mean", True)),
        drift=bool(options.get("drift", False)),
        search=search,
        breaks=breaks,
        slope_breaks=slope_breaks,
        conf_level=float(conf_level),
        progress_after=progress,
    )
    g = len(counts)
    # Undefined values (no fitted value, no interval, no parameter) are null, not NaN.
    fitted = df.select([*keys, tname, vname]).with_columns(
        fitted=pl.Series(r["fitted"], dtype=pl.Float64).fill_nan(None),
        residual=pl.Series(r["residuals"], dtype=pl.Float64).fill_nan(None),
    )
    last = df.group_by(_CODE, maintain_order=True).agg(
        pl.col(tname).last().alias("last"),
        (pl.col(tname).last() - pl.col(tname).shift(1).last()).alias("step"),
    )
    steps = np.arange(1, horizon + 1)
    ftime = (
        last["last"].to_numpy()[:, None].astype(np.float64)
        + last["step"].to_numpy()[:, None].astype(np.float64) * steps[None, :]
    ).ravel()
    fc_cols: dict[str, Any] = {}
    if keys:
        rep = group_keys.select(pl.all().repeat_by(horizon).explode())
        fc_cols.update({k: rep.get_column(k) for k in keys})
    tdtype = df.schema[tname]
    fc_cols[tname] = pl.Series(tname, ftime).cast(tdtype) if tdtype.is_integer() else ftime
    fc_cols["mean"] = r["mean"]
    lower = np.asarray(r["lower"]).reshape(len(levels), g * horizon)
    upper = np.asarray(r["upper"]).reshape(len(levels), g * horizon)
    bounds: list[str] = []
    for i, lv in enumerate(levels):
        lo, hi = _bounds(lv, levels)
        fc_cols[lo], fc_cols[hi] = lower[i], upper[i]
        bounds += [lo, hi]
    forecast = pl.DataFrame(fc_cols).with_columns(pl.col("mean", *bounds).fill_nan(None))
    names = list(r["param_names"])
    pmat = np.asarray(r["params"]).reshape(g, len(names))
    pcols: dict[str, Any] = {k: group_keys.get_column(k) for k in keys}
    for j, name in enumerate(names):
        if not np.all(np.isnan(pmat[:, j])):
            col = pmat[:, j]
            if name in ("p", "d", "q"):
                pcols[name] = pl.Series(name, col).cast(pl.Int64)
            else:
                pcols[name] = col
    for name in ("loglik", "aic", "aicc", "bic", "sigma2"):
        col = np.asarray(r[name])
        if not np.all(np.isnan(col)) or (name == "sigma2" and model != "gm11"):
            pcols[name] = col
    params = pl.DataFrame(pcols).with_columns(
        pl.col(n).fill_nan(None) for n, v in pcols.items() if n not in keys and _is_float(v)
    )
    acc: dict[str, Any] = {k: group_keys.get_column(k) for k in keys}
    acc.update({"rmse": r["rmse"], "mae": r["mae"], "mape": r["mape"]})
    if "grey_c" in r:
        acc.update(
            {
                "posterior_error_ratio": r["grey_c"],
                "small_error_probability": r["grey_p"],
                "grade": list(r["grey_grade"]),
            }
        )
    return Forecast(
        coefficients=_coefficients(r["coefficients"], group_keys, keys),
        model=model,
        method=str(r["model_name"]),
        fitted=fitted,
        forecast=forecast,
        params=params,
        accuracy=pl.DataFrame(acc).with_columns(
            pl.col(n).fill_nan(None) for n, v in acc.items() if n not in keys and _is_float(v)
        ),
        by=keys,
        time=tname,
        value=vname,
        levels=levels,
        time_unit=time_unit,
    )


def _is_float(v: Any) -> bool:
    """Whether a column handed to polars holds floats (numpy array, list or Series)."""
    if isinstance(v, pl.Series):
        return v.dtype.is_float()
    return bool(np.asarray(v).dtype.kind == "f")


def trend(
    data: Any = None,
    *,
    time: Any,
    value: Any,
    by: str | Sequence[str] | None = None,
    model: ModelName = "linear",
    horizon: int = 10,
    level: float | Sequence[float] = (0.80, 0.95),
    fill: Literal["linear"] | None = None,
    progress: bool | None = None,
    **options: Any,
) -> Forecast:
    """Fit a trend model to each series and forecast `horizon` steps ahead.

    Parameters
    ----------
    data
        A table (polars/pandas DataFrame, pyarrow Table, dict of columns); ``None`` to
        pass `time` and `value` as arrays.
    time, value
        Column names (or array-likes without `data`). Times are numbers (e.g. years),
        strictly increasing within each series, with one constant step; values finite
        (and > 0 for ``"loglinear"`` and ``"gm11"``). Times of Date or Datetime type
        (or Python dates) count by their calendar year, as whole numbers: 2019-12-31
        becomes 2019, the forecast's times are years and ``Forecast.time_unit`` is
        ``"year"``; two dates in one year of a series are then a duplicated time (an
        error), so give one date per year.
    by
        Group column(s): one series, and one model, per group. All series are fitted in
        one call to the core, in parallel.
    model
        ``"linear"``, ``"loglinear"``, ``"ses"``, ``"holt"``, ``"damped"``, ``"gm11"`` or
        ``"arima"`` (see Notes).
    horizon
        Steps to forecast.
    level
        Prediction interval level(s) in (0, 1): columns ``lower_80``, ``upper_80``, ...
        for several levels, ``lower``, ``upper`` for one.
    fill
        ``None`` (default): a gap in a series (a missing year) is an error.
        ``"linear"``: insert the missing times (the series' smallest step; integer
        times only) and interpolate the values linearly, with a warning.
    progress
        True writes the share of series fitted to ``sys.stderr`` while the call runs;
        None (default) does so from 5 seconds on in an interactive session, False never.
        Ctrl-C stops the fits with ``KeyboardInterrupt``.
    **options
        Model options:

        - ``initial`` (``"optimal"`` or ``"simple"``), ``alpha``, ``beta``, ``phi``:
          exponential smoothing (below).
        - ``first_residual`` (bool, default False), ``ddof`` (0 or 1, default 0):
          GM(1,1)'s posterior-error check (below).
        - ``order`` ((p, d, q), p, q <= 5, d <= 2; or None for automatic selection),
          ``mean`` (bool, default True: a mean when d = 0), ``drift`` (bool, default
          False: a drift t = 1..n when d <= 1): ARIMA, as ``forecast::Arima``.
        - ``search`` (``"exhaustive"``, the default, or ``"stepwise"``): how
          ``order=None`` searches (below).
        - ``breaks`` (times of level shifts), ``slope_breaks`` (times of slope
          changes): structural breaks in the linear, log-linear and ARIMA models
          (below), e.g. ``breaks=[2011, 2020]`` where a series changed definition.
        - ``conf_level`` (default 0.95): level of the ``lower``/``upper`` limits of
          :attr:`Forecast.coefficients`.

    Returns
    -------
    Forecast
        ``.fitted``, ``.forecast``, ``.params``, ``.accuracy``, ``.plot()``.

    Raises
    ------
    InputError
        A column that `data` lacks; null, NaN or non-numeric times or values; times
        duplicated, unsorted or with gaps within a series (unless ``fill="linear"``);
        values <= 0 for ``"loglinear"`` or ``"gm11"``; a series shorter than the model
        needs (the message says how many points); an unknown `model` or option;
        `horizon` not an integer from 1 to 10,000; a level outside (0, 1); break times
        that are not numbers, given twice, outside a series' times, collinear with the
        trend (no observation between two breaks) or too many for the series, or given
        to a model without breaks; `search` not ``"stepwise"``/``"exhaustive"``;
        `conf_level` outside (0, 1).
    ConvergenceError
        A fit (ETS, GM(1,1), ARIMA) that fails, with the reason and what to try.
    KeyboardInterrupt
        Ctrl-C, once the core has stopped.

    Notes
    -----
    **linear**: y = a + b·t by least squares; prediction interval at t₀
    ŷ₀ ± t_{n−2} s √(1 + 1/n + (t₀ − t̄)²/Σ(t − t̄)²), as R's ``predict.lm``.
    **loglinear**: the same on ln y, back-transformed by exp (the forecast median);
    ``growth_rate`` = e^b − 1 per time step. Log-likelihood and AIC are those of the
    regression (on the log scale for loglinear); fitted/residual on the value scale.

    **ses**, **holt**, **damped**: ETS(A,N,N), ETS(A,A,N), ETS(A,Ad,N) in state-space
    form ŷ_t = ℓ + φb, ℓ_t = ℓ + φb + α e_t, b_t = φb + β e_t, fitted by maximum
    likelihood (minimum n·ln Σe²) within R's "usual" bounds (1e-4 ≤ α ≤ 0.9999,
    1e-4 ≤ β ≤ α, 0.8 ≤ φ ≤ 0.98) with the initial states estimated, as
    ``forecast::ets``; ``loglik`` = −½ n ln Σe² as R reports it. Parameters passed as
    ``alpha=``/``beta=``/``phi=`` are held fixed. ``initial="simple"`` is
    ``forecast::holt(initial="simple")``/``ses(initial="simple")``: ℓ₀ = y₁,
    b₀ = y₂ − y₁, Holt's β* (b_t = β*(ℓ_t − ℓ_{t−1}) + (1 − β*)φ b_{t−1}), free
    parameters minimising Σe² in [0, 1], σ² = Σe²/n. Intervals are R's class-1 analytic
    ones, σ²(1 + Σ_{j<h} c_j²), c_j = α + β(φ + … + φ^j) (with β* in place of β for
    ``initial="simple"``, as R).

    **gm11**: GM(1,1) on the accumulated series with background values
    z_k = ½(x¹_k + x¹_{k−1}), a and b by least squares, time response
    x̂¹(k+1) = (x⁰₁ − b/a)e^{−ak} + b/a and restored values x̂⁰. Accuracy adds the
    posterior-error ratio C = S2/S1, the small-error probability
    P = P(|e_k − ē| < 0.6745 S1) and the grade (good: C ≤ 0.35 and P ≥ 0.95;
    qualified: C ≤ 0.5, P ≥ 0.8; barely: C ≤ 0.65, P ≥ 0.7; else unqualified). By
    default the residuals are k = 2..n (``first_residual=False``; e₁ = 0 by
    construction) and S1, S2 divide by n (``ddof=0``). No prediction intervals (null).

    **arima**: ARIMA(p, d, q) with a mean (d = 0, ``mean=True``) and/or a drift
    (``drift=True``, d <= 1), fitted as R's ``arima(method="CSS-ML")``: a conditional
    sum of squares start, then the exact Gaussian likelihood by a Kalman filter on
    R's state-space form (differencing in the state with a diffuse prior 1e6); hrh
    searches the stationary and invertible region from that start and from zero and
    keeps the best. Limits are R's: Kalman forecast variance times
    σ² = Σr²/(n − d − k), r the standardised innovations. ``order=None`` selects as
    ``auto.arima(stepwise=False, approximation=False)`` with p, q <= 3: d by repeated
    KPSS tests at 5% (at most 2), then every p, q <= min(3, n/3) with and without the
    constant (mean for d = 0, drift for d = 1), smallest AICc among fits whose AR and
    MA roots lie outside |z| = 1.01. ``search="stepwise"`` is ``auto.arima``'s default
    search (Hyndman & Khandakar 2008): max p = max q = min(5, n/3); start from
    ARIMA(2,d,2), (0,d,0), (1,d,0), (0,d,1) with the constant and (0,d,0) without; then
    move p or q by ±1 (and both together) from the best model, taking the first move
    that lowers the AICc, then toggle the constant, until nothing improves; candidates
    are rejected as ``auto.arima`` rejects them (a failed fit, a non-stationary AR part
    from the CSS step, a root within 1.01, a non-positive coefficient variance). The
    default stays ``"exhaustive"`` so that earlier results do not change.

    **Coefficients** (:attr:`Forecast.coefficients`): for the trends, the least-squares
    standard errors and t tests on n − k degrees of freedom of ``summary.lm``; for ARIMA,
    the square roots of the diagonal of the inverse Hessian of −log L (σ² concentrated
    out) in the coefficients, by Richardson-extrapolated central differences, with z
    tests and normal limits. R's ``arima`` reports the same quantity (``var.coef``) from
    coarser finite differences (steps 1e-3 in transformed coordinates), so R's printed
    standard errors can differ from hrh's in the third or fourth digit. Exponential
    smoothing and GM(1,1) have no coefficient table: R's ``ets`` reports no standard
    errors, and its parameters often sit on the bounds of their range, where a Hessian
    says nothing.

    **Breaks**: a level shift at τ adds the step 1{t ≥ τ}, a slope change the hinge
    (t − τ)·1{t ≥ τ}, as regressors of the (log-)linear trend (``lm(y ~ t + step +
    hinge)``, exact prediction intervals) or of ARIMA (``Arima(xreg=)``; for
    ``order=None`` d comes from the residuals on the regressors, as
    ``auto.arima(xreg=)``); the forecasts continue them (step 1, hinge t − τ). Their
    coefficients are the columns ``level_shift_<τ>`` and ``slope_change_<τ>`` of
    ``params`` and rows of ``coefficients``.

    References
    ----------
    Hyndman RJ, Koehler AB, Ord JK, Snyder RD (2008). Forecasting with Exponential
    Smoothing: The State Space Approach. Springer.
    Hyndman RJ, Khandakar Y (2008). Automatic time series forecasting: the forecast
    package for R. Journal of Statistical Software 27(3).
    Deng J-L (1982). Control problems of grey systems. Systems & Control Letters
    1(5):288-294.
    Box GEP, Jenkins GM (1970). Time Series Analysis: Forecasting and Control.
    Holden-Day.

    Examples
    --------
    >>> import hrh
    >>> import polars as pl
    >>> f = hrh.trend(time=[2015, 2016, 2017, 2018, 2019], value=[2.0, 2.1, 2.3, 2.4, 2.6],
    ...               horizon=2)
    >>> f.forecast.select("time", pl.col("mean").round(6)).rows()
    [(2020, 2.73), (2021, 2.88)]
    >>> round(f.params["slope"][0], 3)
    0.15
    >>> g = hrh.trend(time=[1, 2, 3, 4, 5], value=[2.87, 3.28, 3.34, 3.39, 3.68],
    ...               model="gm11", horizon=1)
    >>> g.accuracy.select("posterior_error_ratio", "grade").rows()
    [(0.3..., 'good')]

    A level shift where the series changed definition, with the coefficient table:

    >>> b = hrh.trend(time=list(range(2005, 2015)),
    ...               value=[4.8, 4.9, 4.9, 5.0, 5.1, 5.1, 4.3, 4.4, 4.4, 4.5],
    ...               breaks=[2011], horizon=2)
    >>> b.coefficients.select("term", pl.col("estimate").round(3)).rows()
    [('intercept', -119.944), ('slope', 0.062), ('level_shift_2011', -0.878)]
    """
    levels = _levels(level)
    if not isinstance(model, str) or model not in MODELS:
        raise InputError(f"model: {model!r} is not one of {', '.join(map(repr, MODELS))}")
    with arrays_as_arguments(("time", "value"), when=data is None):
        df, keys, tname, vname, unit = _prepare(data, time, value, by, model, fill)
        return _fit(
            df, keys, tname, vname, model, horizon, levels, options, progress_after(progress), unit
        )


def backtest(
    data: Any = None,
    *,
    time: Any,
    value: Any,
    by: str | Sequence[str] | None = None,
    models: Sequence[str] = ("linear", "loglinear", "holt", "damped", "gm11"),
    holdout: int = 3,
    fill: Literal["linear"] | None = None,
    **options: Any,
) -> pl.DataFrame:
    """Rolling-origin accuracy of each model for each series.

    For each origin k = 1..`holdout`, every series is cut to its first n − k points,
    each model is refitted and forecasts the k held-out points; the errors of all
    origins and steps are pooled (Tashman 2000): holdout·(holdout + 1)/2 forecasts per
    series and model.

    Parameters
    ----------
    data
        A table, or ``None`` to pass `time` and `value` as arrays (as :func:`trend`).
    time, value
        Column names (or array-likes without `data`), as in :func:`trend`.
    by
        Group column(s): one series per group.
    models
        Models to compare (names as :func:`trend`'s `model`).
    holdout
        Number of forecast origins (and the longest horizon), an integer >= 1; every
        series needs `holdout` points more than the most demanding model's minimum.
    fill
        As :func:`trend`: ``None`` (a gap is an error) or ``"linear"``.
    **options
        Model options passed to every fit (as :func:`trend`).

    Returns
    -------
    polars.DataFrame
        Group columns, ``model``, ``n_forecasts``, ``rmse``, ``mae``, ``mape``
        (percent), sorted by group and then by RMSE.

    Raises
    ------
    InputError
        As :func:`trend` (bad times or values, unknown models or options); `holdout`
        not an integer >= 1, or a series too short to refit after holding out
        `holdout` points.
    ConvergenceError
        A refit that fails to converge.

    References
    ----------
    Tashman LJ (2000). Out-of-sample tests of forecasting accuracy: an analysis and
    review. International Journal of Forecasting 16:437-450.

    Examples
    --------
    >>> import hrh
    >>> b = hrh.backtest(time=list(range(2000, 2012)),
    ...                  value=[2.0, 2.1, 2.3, 2.4, 2.6, 2.7, 2.9, 3.0, 3.2, 3.3, 3.5, 3.6],
    ...                  models=["linear", "holt"], holdout=3)
    >>> b.columns
    ['model', 'n_forecasts', 'rmse', 'mae', 'mape']
    """
    if isinstance(holdout, bool) or not isinstance(holdout, int) or holdout < 1:
        raise InputError(f"holdout: {holdout!r} must be an integer >= 1")
    if isinstance(models, str):
        models = [models]
    if not isinstance(models, Sequence) or not all(isinstance(m, str) for m in models):
        raise InputError(f"argument 'models': {models!r} is not a list of model names")
    if not len(models):
        raise InputError("argument 'models': name at least one model")
    with arrays_as_arguments(("time", "value"), when=data is None):
        return _backtest(data, time, value, by, models, holdout, fill, options)


def _backtest(
    data: Any,
    time: Any,
    value: Any,
    by: str | Sequence[str] | None,
    models: Sequence[str],
    holdout: int,
    fill: str | None,
    options: dict[str, Any],
) -> pl.DataFrame:
    df, keys, tname, vname, _ = _prepare(data, time, value, by, "linear", fill)
    _check_positive(df, vname, models)
    idx = pl.int_range(pl.len()).over(_CODE)
    n = pl.len().over(_CODE)
    df = df.with_columns(__hrh_i=idx, __hrh_n=n)
    errors = []
    for model in models:
        for k in range(1, holdout + 1):
            train = df.filter(pl.col("__hrh_i") < pl.col("__hrh_n") - k)
            test = df.filter(pl.col("__hrh_i") >= pl.col("__hrh_n") - k)
            f = _fit(train, keys, tname, vname, model, k, (0.95,), options)
            pred = f.forecast.select([*keys, tname, "mean"])
            joined = test.select([*keys, tname, vname]).join(
                pred, on=[*keys, tname], how="left", nulls_equal=True
            )
            errors.append(
                joined.with_columns(
                    model=pl.lit(model), error=pl.col(vname) - pl.col("mean")
                ).select([*keys, "model", "error", vname])
            )
    e = pl.concat(errors)
    out = (
        e.group_by([*keys, "model"], maintain_order=True)
        .agg(
            pl.len().alias("n_forecasts"),
            (pl.col("error") ** 2).mean().sqrt().alias("rmse"),
            pl.col("error").abs().mean().alias("mae"),
            (100 * (pl.col("error") / pl.col(vname)).abs().mean()).alias("mape"),
        )
        .sort([*keys, "rmse"])
    )
    return out
