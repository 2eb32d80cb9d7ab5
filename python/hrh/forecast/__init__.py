"""Trend forecasting of workforce series (e.g. physicians per 1,000 population, one
series per country): least-squares trends, exponential smoothing, the grey model
GM(1,1) and ARIMA, fitted to every series of a table in one call to the Rust core
(parallel over series), with prediction intervals, accuracy measures and rolling-origin
backtests.

Conventions follow R's ``forecast`` package (Hyndman & Khandakar 2008) unless a keyword
says otherwise; every formula is in the docstring of :func:`trend`.
"""

from hrh.forecast._backtest import backtest
from hrh.forecast._result import MODELS, Forecast
from hrh.forecast._trend import trend

__all__ = ["MODELS", "Forecast", "backtest", "trend"]
