"""Trend fits of every series in one call to the core (:func:`trend`) and
rolling-origin backtests (:func:`backtest`)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any, Literal

import numpy as np
import polars as pl

from hrh import _core
from hrh._frames import arrays_as_arguments, as_list
from hrh._progress import progress_after
from hrh._scale import is_dask
from hrh.exceptions import InputError
from hrh.forecast._dask import trend_dask
from hrh.forecast._prepare import (
    _CODE,
    _MAX_HORIZON,
    _break_times,
    _coefficients,
    _is_float,
    _levels,
    _prepare,
)
from hrh.forecast._result import MODELS, Forecast, ModelName, _bounds


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
    keep_empty: bool = False,
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
        elif keep_empty:  # (a part of the series: see forecast._dask)
            pcols[name] = pmat[:, j]
    for name in ("loglik", "aic", "aicc", "bic", "sigma2"):
        col = np.asarray(r[name])
        if keep_empty or not np.all(np.isnan(col)) or (name == "sigma2" and model != "gm11"):
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
        pass `time` and `value` as arrays. A polars LazyFrame or a Parquet path (file,
        directory or glob) is read for the `by`, `time` and `value` columns only. A Dask
        DataFrame (``hrh[dask]``) is shuffled on `by` so that each series lies in one
        partition, and each partition's series are fitted on the worker that holds it:
        the result is the one of the whole table in memory (each series' fit is the same
        computation), rows numbered as in the whole table in messages; ``fill`` and
        ``progress=True`` are not available there.
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
        `conf_level` outside (0, 1); with a Dask DataFrame, ``fill`` or
        ``progress=True``, or a default Dask client that is closed or has no workers.
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
    if is_dask(data):
        if progress:
            raise InputError(
                "argument 'progress': the fits of a Dask DataFrame run on its workers, "
                "whose progress Dask's own dashboard shows; leave progress at None or False"
            )
        fit = partial(_fit_piece, model=model, horizon=horizon, levels=levels, options=options)
        return trend_dask(data, time, value, as_list(by), model, fill, fit)
    with arrays_as_arguments(("time", "value"), when=data is None):
        df, keys, tname, vname, unit = _prepare(data, time, value, by, model, fill)
        return _fit(
            df, keys, tname, vname, model, horizon, levels, options, progress_after(progress), unit
        )


def _fit_piece(
    df: pl.DataFrame,
    keys: list[str],
    tname: str,
    vname: str,
    unit: str | None,
    *,
    model: str,
    horizon: int,
    levels: tuple[float, ...],
    options: dict[str, Any],
) -> Forecast:
    """The fit of a part of the series, keeping statistics undefined for all of them
    (for `trend_dask`, which drops those undefined for every series)."""
    return _fit(df, keys, tname, vname, model, horizon, levels, options, None, unit, True)
