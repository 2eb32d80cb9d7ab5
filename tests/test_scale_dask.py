"""`hrh.simulate` with its draws on a Dask cluster, and trend fits of the series of a
Dask DataFrame (or a LazyFrame or Parquet file): the same result, bit for bit, as on one
machine with the whole table in memory."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest

import hrh

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")


def _same(a: pl.DataFrame | None, b: pl.DataFrame | None, what: str = "") -> None:
    assert (a is None) == (b is None), what
    if a is None or b is None:
        return
    assert a.schema == b.schema, what
    assert a.equals(b), what
    for c in a.columns:  # floats to the bit (equals would take -0.0 for 0.0)
        if a.schema[c].is_float():
            x, y = a[c].fill_null(np.nan).to_numpy(), b[c].fill_null(np.nan).to_numpy()
            assert x.tobytes() == y.tobytes(), f"{what}: {c}"


TABLES = (
    "table",
    "totals",
    "flows",
    "costs",
    "grade_table",
    "grade_totals",
    "cost_totals",
    "draws_table",
    "shortage_draws",
)


def _same_projection(a: hrh.Projection, b: hrh.Projection) -> None:
    assert (a.draws, a.seed, a.quantiles, a.policies) == (b.draws, b.seed, b.quantiles, b.policies)
    for name in TABLES:
        _same(getattr(a, name), getattr(b, name), name)


# Three regions, two linked by migration (two groups), grades, training costs, a
# population for densities.
REGIONS: dict[str, Any] = {
    "start_year": 2024,
    "horizon": 5,
    "regions": ["A", "B", "C"],
    "min_age": 22,
    "cadres": [
        {
            "name": "doctor",
            "grades": ["general", "specialist"],
            "retirement_age": 60,
            "attrition": {"rate": {"dist": "beta", "a": 4, "b": 60}},
            "entrants": {"per_year": {"A": 20, "B": 10, "C": 5}, "age": {"mean": 25, "sd": 2}},
            "training": [
                {
                    "from_grade": "general",
                    "to_grade": "specialist",
                    "places": 4,
                    "duration": 2,
                    "cost_per_trainee_year": 5,
                }
            ],
            "demand": {"method": "norm", "per_1000": 1.2},
            "salary": 10,
        },
        {
            "name": "nurse",
            "retirement_age": 55,
            "attrition": {"rate": {"dist": "uniform", "low": 0.05, "high": 0.09}},
            "entrants": {"per_year": 40, "age": {"mean": 23}},
            "demand": {"method": "quota", "quota": {"A": 300, "B": 200, "C": 90}},
        },
    ],
    "population": {
        "base": {"A": 200000, "B": 150000, "C": 60000},
        "growth": {"dist": "normal", "mean": 0.01, "sd": 0.005},
    },
    "migration": [{"from": "B", "to": "A", "rate": 0.03}],
    "stock": [
        {"region": "A", "cadre": "doctor", "count": 250},
        {"region": "B", "cadre": "doctor", "count": 150},
        {"region": "C", "cadre": "doctor", "count": 60},
        {"region": "A", "cadre": "nurse", "count": 280},
        {"region": "B", "cadre": "nurse", "count": 160},
        {"region": "C", "cadre": "nurse", "count": 80},
    ],
}


@pytest.mark.parametrize(
    ("draws", "chunks", "options"),
    [
        (0, None, {}),
        (300, 2, {}),  # exact quantiles, 3 segments in 2 pieces
        (301, 3, {"keep_draws": True, "density": True, "horizon_value": True}),
        (1100, 3, {"quantiles": "streaming", "flows": "binomial"}),  # 3 chunks of the core
        (129, None, {"keep_draws": True, "quantiles": "exact"}),
    ],
)
def test_simulate_on_a_cluster_equals_one_machine(
    client: Any, draws: int, chunks: int | None, options: dict[str, Any]
) -> None:
    here = hrh.simulate(REGIONS, draws=draws, seed=11, **options)
    there = hrh.simulate(REGIONS, draws=draws, seed=11, client=client, chunks=chunks, **options)
    _same_projection(here, there)
    if options.get("keep_draws"):
        assert there.draws_table is not None and there.draws_table.height > 0


@pytest.mark.parametrize("policy", [None, "incentive", ["train_104", "retention"]])
def test_simulate_province_with_policies_on_a_cluster(client: Any, policy: Any) -> None:
    s = hrh.datasets.province_scenario()
    kw: dict[str, Any] = {"policy": policy, "draws": 333, "seed": 3}
    _same_projection(hrh.simulate(s, **kw), hrh.simulate(s, **kw, client=client, chunks=2))


def test_simulate_with_a_bad_client_or_chunks_is_refused(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    kw: dict[str, Any] = {"draws": 300, "seed": 1}
    with pytest.raises(hrh.InputError, match=r"argument 'chunks': 5 chunks for 3 draws"):
        hrh.simulate(REGIONS, draws=3, client=client, chunks=5)
    with pytest.raises(hrh.InputError, match=r"3 segment\(s\) of up to 128 draws; give at most 3"):
        hrh.simulate(REGIONS, **kw, client=client, chunks=4)
    for bad in (0, -1, True, "2", 1.5):
        with pytest.raises(hrh.InputError, match=r"argument 'chunks': .* must be an integer"):
            hrh.simulate(REGIONS, **kw, client=client, chunks=bad)
    with pytest.raises(hrh.InputError, match=r"argument 'chunks': 2 needs a Dask client"):
        hrh.simulate(REGIONS, **kw, chunks=2)
    with pytest.raises(hrh.InputError, match=r"a object is not a dask.distributed.Client"):
        hrh.simulate(REGIONS, **kw, client=object())
    with pytest.raises(hrh.InputError, match=r"unknown policy 'nope'"):
        hrh.simulate(REGIONS, **kw, client=client, policy="nope")
    # Within the budget on one machine (streaming), over it once every draw comes back.
    monkeypatch.setenv("HRH_MAX_MEMORY", "8M")
    with pytest.raises(hrh.InputError, match=r"send the client about .* GiB .*HRH_MAX_MEMORY"):
        hrh.simulate(REGIONS, draws=20_000, seed=1, quantiles="streaming", client=client)
    monkeypatch.delenv("HRH_MAX_MEMORY")
    closed = distributed.Client(client.cluster, set_as_default=False)
    closed.close()
    with pytest.raises(hrh.InputError, match=r"Dask: the client is closed"):
        hrh.simulate(REGIONS, **kw, client=closed)
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if not installed
    with pytest.raises(hrh.InputError, match=r"needs dask.distributed, which is not installed"):
        hrh.simulate(REGIONS, **kw, client="tcp://127.0.0.1:1")


def test_simulate_on_a_cluster_without_workers_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HRH_DASK_WORKER_WAIT", "0.5")
    with (
        distributed.LocalCluster(n_workers=0, processes=False, dashboard_address=None) as empty,
        distributed.Client(empty, set_as_default=False) as c,
        pytest.raises(hrh.InputError, match=r"has had no workers for 0\.5 s"),
    ):
        hrh.simulate(REGIONS, draws=10, seed=1, client=c)


# --- trends ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def series() -> pl.DataFrame:
    """14 series of 16 years, rows ordered by year (so every partition holds a part of
    every series)."""
    rng = np.random.default_rng(8)
    rows = []
    for k in range(14):
        level = rng.uniform(1, 5)
        slope = rng.uniform(-0.05, 0.2)
        walk = np.cumsum(rng.normal(0, 0.1, 16))
        for j, year in enumerate(range(2005, 2021)):
            rows.append(
                {
                    "country": f"c{k:02d}",
                    "cadre": ["doctor", "nurse"][k % 2],
                    "year": year,
                    "density": level + slope * j + walk[j],
                }
            )
    return pl.DataFrame(rows).sort("year", maintain_order=True)


def _same_forecast(a: hrh.Forecast, b: hrh.Forecast) -> None:
    assert (a.model, a.method, a.by, a.levels, a.time_unit) == (
        b.model,
        b.method,
        b.by,
        b.levels,
        b.time_unit,
    )
    for name in ("fitted", "forecast", "params", "accuracy", "coefficients"):
        _same(getattr(a, name), getattr(b, name), name)


@pytest.mark.usefixtures("client")
@pytest.mark.parametrize("partitions", [1, 3, 7])
@pytest.mark.parametrize(
    ("model", "by"),
    [("linear", "country"), ("holt", ["cadre", "country"]), ("gm11", "country"), ("arima", None)],
)
def test_trend_on_dask_equals_the_whole_table(
    series: pl.DataFrame, partitions: int, model: str, by: Any
) -> None:
    data = series if by is not None else series.filter(country="c03")
    kw: dict[str, Any] = {"time": "year", "value": "density", "by": by, "model": model}
    if model == "arima":
        kw["order"] = (1, 1, 0)
    whole = hrh.trend(data, horizon=3, **kw)
    ddf = dd.from_pandas(data.to_pandas(), npartitions=partitions, sort=False)
    _same_forecast(whole, hrh.trend(ddf, horizon=3, **kw))


def test_trend_from_lazy_and_parquet_equals_the_whole_table(
    series: pl.DataFrame, tmp_path: Path
) -> None:
    kw: dict[str, Any] = {"time": "year", "value": "density", "by": "country", "model": "damped"}
    whole = hrh.trend(series, **kw)
    wide = series.with_columns(notes=pl.lit("x" * 30))
    _same_forecast(whole, hrh.trend(wide.lazy(), **kw))
    path = tmp_path / "series.parquet"
    wide.write_parquet(path)
    _same_forecast(whole, hrh.trend(path, **kw))
    _same_forecast(whole, hrh.trend(str(path), **kw))


def _same_error(call: Any, bad: pl.DataFrame, partitions: int, kw: dict[str, Any]) -> Any:
    """`call` of `bad` in memory and on a Dask DataFrame of it fails with the same error,
    naming a row; returns the Dask DataFrame."""
    with pytest.raises(hrh.InputError) as whole:
        call(bad, **kw)
    ddf = dd.from_pandas(bad.to_pandas(), npartitions=partitions, sort=False)
    with pytest.raises(hrh.InputError) as spread:
        call(ddf, **kw)
    assert str(spread.value) == str(whole.value)
    assert "row" in str(whole.value)
    return ddf


@pytest.mark.usefixtures("client")
@pytest.mark.parametrize("partitions", [1, 4])
@pytest.mark.parametrize("by", ["country", ["cadre", "country"], None])
def test_backtest_on_dask_equals_the_whole_table(
    series: pl.DataFrame, partitions: int, by: Any
) -> None:
    data = series if by is not None else series.filter(country="c03")
    kw: dict[str, Any] = {"time": "year", "value": "density", "by": by, "holdout": 2}
    kw["models"] = ["linear", "holt", "gm11"]
    whole = hrh.backtest(data, **kw)
    ddf = dd.from_pandas(data.to_pandas(), npartitions=partitions, sort=False)
    _same(whole, hrh.backtest(ddf, **kw))


@pytest.mark.usefixtures("client")
def test_backtest_on_dask_names_rows_and_refuses_fill(series: pl.DataFrame) -> None:
    bad = series.with_columns(
        density=pl.when((pl.col("country") == "c05") & (pl.col("year") == 2012))
        .then(-1.0)
        .otherwise(pl.col("density"))
    )
    kw: dict[str, Any] = {"time": "year", "value": "density", "by": "country"}
    kw["models"] = ["loglinear"]
    ddf = _same_error(hrh.backtest, bad, 3, kw)
    with pytest.raises(hrh.InputError, match=r"argument 'fill': filling gaps is not done"):
        hrh.backtest(ddf, **kw, fill="linear")


@pytest.mark.usefixtures("client")
def test_trend_on_dask_names_rows_as_the_whole_table(series: pl.DataFrame) -> None:
    bad = series.with_columns(
        year=pl.when((pl.col("country") == "c05") & (pl.col("year") == 2012))
        .then(2011)
        .otherwise(pl.col("year"))
    )
    kw: dict[str, Any] = {"time": "year", "value": "density", "by": "country"}
    ddf = _same_error(hrh.trend, bad, 4, kw)
    with pytest.raises(hrh.InputError, match=r"argument 'fill': filling gaps is not done"):
        hrh.trend(ddf, **kw, fill="linear")
    with pytest.raises(hrh.InputError, match=r"argument 'progress'"):
        hrh.trend(ddf, **kw, progress=True)
    with pytest.raises(hrh.InputError, match=r"column 'nope'"):
        hrh.trend(ddf, time="year", value="nope", by="country")


def test_simulate_reports_a_piece_that_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    import hrh.planning._cluster as on_cluster

    def broken(*args: Any) -> Any:
        raise RuntimeError("out of memory on the worker")

    monkeypatch.setattr(on_cluster, "_piece", broken)
    with (
        distributed.LocalCluster(n_workers=1, processes=False, dashboard_address=None) as cl,
        distributed.Client(cl, set_as_default=False) as c,
        pytest.raises(
            hrh.HrhError,
            match=r"a piece of the draws failed on the cluster \(RuntimeError: out of memory "
            r"on the worker\); nothing was summarised",
        ),
    ):
        hrh.simulate(REGIONS, draws=300, seed=1, client=c)


def _dies_once(marker: str, *args: Any) -> Any:
    """A piece whose worker process dies the first time any piece runs."""
    import os
    from pathlib import Path

    from hrh.planning._cluster import _piece

    if not Path(marker).exists():
        Path(marker).write_text("died")
        os._exit(1)
    return _piece(*args)


def test_simulate_survives_a_lost_worker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import functools

    import cloudpickle

    import hrh.planning._cluster as on_cluster

    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    marker = tmp_path / "died"
    monkeypatch.setattr(on_cluster, "_piece", functools.partial(_dies_once, str(marker)))
    kw: dict[str, Any] = {"draws": 300, "seed": 5}
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cl,
        distributed.Client(cl, set_as_default=False) as c,
    ):
        there = hrh.simulate(REGIONS, **kw, client=c, chunks=2)
    assert marker.exists()  # a worker did die, and Dask ran its piece again
    _same_projection(hrh.simulate(REGIONS, **kw), there)
