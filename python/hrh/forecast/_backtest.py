"""Rolling-origin backtests of the trend models (:func:`backtest`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import polars as pl

from hrh._frames import arrays_as_arguments, as_list
from hrh._scale import is_dask
from hrh.exceptions import InputError
from hrh.forecast._dask import series_parts
from hrh.forecast._prepare import _CODE, _check_positive, _prepare
from hrh.forecast._trend import _fit


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
        A table, or ``None`` to pass `time` and `value` as arrays (as :func:`trend`). A
        Dask DataFrame is shuffled on `by` so that each series lies in one partition,
        and each partition's series are backtested on its worker: the same table as in
        memory (`fill` is not available there).
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
    if is_dask(data):  # each series in one partition, backtested on its worker
        keys = as_list(by)

        def one(df: pl.DataFrame) -> pl.DataFrame:
            return _backtest(df, time, value, keys, models, holdout, None, options)

        parts = series_parts(data, time, value, keys, fill, one)
        if not parts:
            raise InputError(f"column '{value}': no observations; a series needs at least 3")
        return pl.concat(parts, how="vertical").sort(keys, maintain_order=True)
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
