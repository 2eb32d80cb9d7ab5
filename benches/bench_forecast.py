"""hrh.trend fitting many short series (30 annual points each, e.g. one per district or
cadre), against statsmodels fitted series by series in a Python loop (what a user
would write without hrh): Holt's linear trend ETS(A,A,N) by maximum likelihood
(statsmodels ``ETSModel``) and ARIMA(1,1,1) by exact likelihood (statsmodels
``ARIMA``). hrh fits all series in one call, in parallel over the machine's cores;
statsmodels runs on one core."""

from __future__ import annotations

import warnings

import numpy as np
import polars as pl
from harness import Case

import hrh

N_POINTS = 30
HORIZON = 10

Inputs = tuple[pl.DataFrame, np.ndarray]


def setup(n_series: int) -> Inputs:
    """`n_series` random walks with drift around 3 per 1,000 (seeded)."""
    rng = np.random.default_rng(0)
    steps = 0.05 + 0.1 * rng.standard_normal((n_series, N_POINTS))
    y = np.cumsum(steps, axis=1) + 3.0 + rng.uniform(0, 2, (n_series, 1))
    df = pl.DataFrame(
        {
            "series": np.repeat(np.arange(n_series), N_POINTS),
            "year": np.tile(np.arange(1990, 1990 + N_POINTS), n_series),
            "value": y.ravel(),
        }
    )
    return df, y


def hrh_holt(inputs: Inputs) -> tuple[np.ndarray, np.ndarray]:
    df, _ = inputs
    f = hrh.trend(df, time="year", value="value", by="series", model="holt", horizon=HORIZON)
    sse = f.fitted.group_by("series", maintain_order=True).agg((pl.col("residual") ** 2).sum())
    return f.forecast["mean"].to_numpy().reshape(-1, HORIZON), sse["residual"].to_numpy()


def sm_holt(inputs: Inputs) -> tuple[np.ndarray, np.ndarray]:
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    _, y = inputs
    means, sse = [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for row in y:
            r = ETSModel(row, error="add", trend="add").fit(disp=False)
            means.append(r.forecast(HORIZON))
            sse.append(float(np.sum(r.resid**2)))
    return np.array(means), np.array(sse)


def check_holt(ours: tuple[np.ndarray, np.ndarray], peer: tuple[np.ndarray, np.ndarray]) -> None:
    # Same model, same criterion. hrh keeps R's bounds (alpha, beta >= 1e-4) where
    # statsmodels lets beta go to 0, so its SSE may be lower by a hair when beta sits
    # on that bound: hrh's SSE within 1e-3 of statsmodels' or better on nearly every
    # series, and the forecasts agree where both found the same optimum.
    better = ours[1] <= peer[1] * (1 + 1e-3)
    assert better.mean() >= 0.95, f"hrh SSE worse on {1 - better.mean():.1%} of series"
    same = np.abs(ours[1] - peer[1]) <= 1e-4 * peer[1]
    rel = np.abs(ours[0][same] - peer[0][same]) / np.abs(peer[0][same])
    assert same.mean() >= 0.5 and np.median(rel) < 1e-3, (same.mean(), np.median(rel))


def hrh_arima(inputs: Inputs) -> tuple[np.ndarray, np.ndarray]:
    df, _ = inputs
    f = hrh.trend(
        df,
        time="year",
        value="value",
        by="series",
        model="arima",
        order=(1, 1, 1),
        horizon=HORIZON,
    )
    return f.forecast["mean"].to_numpy().reshape(-1, HORIZON), f.params["loglik"].to_numpy()


def sm_arima(inputs: Inputs) -> tuple[np.ndarray, np.ndarray]:
    from statsmodels.tsa.arima.model import ARIMA

    _, y = inputs
    means, ll = [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for row in y:
            r = ARIMA(row, order=(1, 1, 1)).fit()
            means.append(r.forecast(HORIZON))
            ll.append(float(r.llf))
    return np.array(means), np.array(ll)


def check_arima(ours: tuple[np.ndarray, np.ndarray], peer: tuple[np.ndarray, np.ndarray]) -> None:
    # hrh's likelihood at least as high on nearly every series (it often finds a higher
    # maximum: about half of these random walks with drift have several); where both
    # reach the same maximum, the forecasts agree.
    better = ours[1] >= peer[1] - 1e-6 * np.abs(peer[1])
    assert better.mean() >= 0.95, f"hrh likelihood worse on {1 - better.mean():.1%} of series"
    same = np.abs(ours[1] - peer[1]) <= 1e-4 * np.abs(peer[1])
    rel = np.abs(ours[0][same] - peer[0][same]) / np.abs(peer[0][same])
    assert same.mean() >= 0.3 and np.median(rel) < 1e-3, (same.mean(), np.median(rel))


def cases(quick: bool) -> list[Case]:
    sizes = [200] if quick else [10_000]
    # statsmodels' ARIMA takes about 0.1 s per series here: 10,000 series would take
    # over 15 minutes per call (the check and the timing make three calls), so the
    # ARIMA case is timed at 1,000 series; hrh's time is linear in the number of series.
    arima_sizes = [200] if quick else [1_000]
    return [
        Case(
            name="holt",
            sizes=sizes,
            setup=setup,
            hrh=hrh_holt,
            peer=sm_holt,
            peer_name="statsmodels ETSModel(error='add', trend='add').fit(), one series at a time",
            check=check_holt,
            min_repeats=1,
            min_seconds=0.0,
            description=f"ETS(A,A,N) by maximum likelihood on n series of {N_POINTS} points, "
            f"{HORIZON}-step forecasts.",
        ),
        Case(
            name="arima",
            sizes=arima_sizes,
            setup=setup,
            hrh=hrh_arima,
            peer=sm_arima,
            peer_name="statsmodels ARIMA(order=(1, 1, 1)).fit(), one series at a time",
            check=check_arima,
            min_repeats=1,
            min_seconds=0.0,
            description=f"ARIMA(1,1,1) by exact likelihood on n series of {N_POINTS} points, "
            f"{HORIZON}-step forecasts.",
        ),
    ]
