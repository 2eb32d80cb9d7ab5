"""hrh.trend / hrh.backtest: the public API, bad input, GM(1,1) against an independent
numpy implementation, groups in one call, and real WDI series."""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

import numpy as np
import polars as pl
import pytest

import hrh

YEARS = list(range(2000, 2012))
VALUES = [2.0, 2.1, 2.3, 2.4, 2.6, 2.7, 2.9, 3.0, 3.2, 3.3, 3.5, 3.6]


def frame() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "country": ["A"] * 12 + ["B"] * 12,
            "year": YEARS * 2,
            "density": VALUES + [v * 1.5 + 0.1 * (i % 3) for i, v in enumerate(VALUES)],
        }
    )


# --------------------------------------------------------------------------- GM(1,1)


def gm11_numpy(x0: np.ndarray, horizon: int, first: bool = False, ddof: int = 0) -> dict[str, Any]:
    """Independent GM(1,1): lstsq on B = [-z, 1], time response, restored values."""
    n = x0.size
    x1 = np.cumsum(x0)
    z = 0.5 * (x1[1:] + x1[:-1])
    design = np.column_stack([-z, np.ones(n - 1)])
    (a, b), *_ = np.linalg.lstsq(design, x0[1:], rcond=None)
    k = np.arange(n + horizon)
    x1hat = (x0[0] - b / a) * np.exp(-a * k) + b / a
    x0hat = np.concatenate([[x0[0]], np.diff(x1hat)])
    e = x0 - x0hat[:n]
    used = e if first else e[1:]
    s1 = np.std(x0, ddof=ddof)
    s2 = np.std(used, ddof=ddof)
    c = s2 / s1
    p = float(np.mean(np.abs(used - used.mean()) < 0.6745 * s1))
    return {"a": a, "b": b, "fitted": x0hat[:n], "mean": x0hat[n:], "c": c, "p": p}


@pytest.mark.parametrize("first", [False, True])
@pytest.mark.parametrize("ddof", [0, 1])
def test_gm11_matches_numpy(first: bool, ddof: int) -> None:
    x0 = np.array(VALUES)
    f = hrh.trend(time=YEARS, value=x0, model="gm11", horizon=5, first_residual=first, ddof=ddof)
    want = gm11_numpy(x0, 5, first, ddof)
    p = f.params.row(0, named=True)
    assert math.isclose(p["a"], want["a"], rel_tol=1e-9)
    assert math.isclose(p["b"], want["b"], rel_tol=1e-9)
    np.testing.assert_allclose(f.fitted["fitted"], want["fitted"], rtol=1e-9)
    np.testing.assert_allclose(f.forecast["mean"], want["mean"], rtol=1e-9)
    acc = f.accuracy.row(0, named=True)
    assert math.isclose(acc["posterior_error_ratio"], want["c"], rel_tol=1e-9)
    assert acc["small_error_probability"] == want["p"]
    assert f.forecast["lower_95"].is_null().all()


def test_gm11_on_wdi_series_matches_numpy(wdi_data: pl.DataFrame) -> None:
    d = wdi_data.filter(
        pl.col("indicator") == "SH.MED.PHYS.ZS", pl.col("iso3").is_in(["CHE", "HUN", "SWE"])
    ).sort("iso3", "year")
    f = hrh.trend(d, time="year", value="value", by="iso3", model="gm11", horizon=5)
    for iso in ("CHE", "HUN", "SWE"):
        x0 = d.filter(pl.col("iso3") == iso)["value"].to_numpy()
        want = gm11_numpy(x0, 5)
        got = f.forecast.filter(pl.col("iso3") == iso)["mean"].to_numpy()
        np.testing.assert_allclose(got, want["mean"], rtol=1e-9)
        acc = f.accuracy.filter(pl.col("iso3") == iso).row(0, named=True)
        assert math.isclose(acc["posterior_error_ratio"], want["c"], rel_tol=1e-9)
        assert acc["grade"] in ("good", "qualified", "barely", "unqualified")


def test_gm11_grades() -> None:
    # A smooth geometric series is graded "good".
    x = 3.0 * 1.04 ** np.arange(10)
    f = hrh.trend(time=range(10), value=x, model="gm11", horizon=1)
    assert f.accuracy["grade"][0] == "good"
    assert f.params["a"][0] == pytest.approx(-math.log(1.04), rel=1e-3)


# --------------------------------------------------------------------------- API


def test_groups_in_one_call_match_separate_calls() -> None:
    df = frame()
    for model in ("linear", "loglinear", "holt", "damped", "ses", "gm11"):
        together = hrh.trend(df, time="year", value="density", by="country", model=model)
        for c in ("A", "B"):
            sub = df.filter(pl.col("country") == c)
            alone = hrh.trend(sub, time="year", value="density", model=model)
            got = together.forecast.filter(pl.col("country") == c).drop("country")
            assert got.equals(alone.forecast), model


def test_result_shapes() -> None:
    f = hrh.trend(frame(), time="year", value="density", by="country", model="holt", horizon=4)
    assert f.fitted.columns == ["country", "year", "density", "fitted", "residual"]
    assert f.forecast.columns == [
        "country",
        "year",
        "mean",
        "lower_80",
        "upper_80",
        "lower_95",
        "upper_95",
    ]
    assert f.forecast.height == 8
    assert f.forecast["year"].to_list()[:4] == [2012, 2013, 2014, 2015]
    assert f.forecast.schema["year"] == pl.Int64
    assert {"alpha", "beta", "l0", "b0", "loglik", "aicc", "sigma2"} <= set(f.params.columns)
    assert "phi" not in f.params.columns
    assert f.accuracy.columns == ["country", "rmse", "mae", "mape"]
    assert f.to_polars() is f.forecast
    assert "ETS(A,A,N)" in f._repr_html_()
    assert f.method == "ETS(A,A,N)"
    fc = f.forecast
    assert (fc["lower_95"] <= fc["lower_80"]).all()
    assert (fc["upper_80"] <= fc["upper_95"]).all()


def test_accuracy_is_in_sample() -> None:
    f = hrh.trend(time=YEARS, value=VALUES, model="linear")
    e = f.fitted["residual"].to_numpy()
    acc = f.accuracy.row(0, named=True)
    assert math.isclose(acc["rmse"], float(np.sqrt(np.mean(e**2))), rel_tol=1e-12)
    assert math.isclose(acc["mae"], float(np.mean(np.abs(e))), rel_tol=1e-12)
    assert math.isclose(
        acc["mape"], float(100 * np.mean(np.abs(e / np.array(VALUES)))), rel_tol=1e-12
    )


def test_one_level_and_pandas_input() -> None:
    pytest.importorskip("pandas")
    df = frame().to_pandas()
    f = hrh.trend(df, time="year", value="density", by="country", level=0.9, horizon=2)
    assert f.forecast.columns == ["country", "year", "mean", "lower", "upper"]


def test_several_group_columns_and_pyarrow_input() -> None:
    pa = pytest.importorskip("pyarrow")
    df = frame().with_columns(cadre=pl.lit("doctor"))
    f = hrh.trend(df.to_arrow(), time="year", value="density", by=["country", "cadre"])
    assert f.params.columns[:2] == ["country", "cadre"]
    assert f.forecast.select("country", "cadre").unique().height == 2
    assert isinstance(df.to_arrow(), pa.Table)


def test_unsorted_groups_keep_user_rows_in_messages() -> None:
    # Rows of the two series interleaved: the error names the user's row.
    df = pl.DataFrame(
        {
            "g": ["A", "B"] * 5,
            "t": [1, 1, 2, 2, 3, 3, 4, 5, 5, 4],
            "v": [1.0] * 10,
        }
    )
    with pytest.raises(hrh.InputError, match=re.escape("column 't', row 9: time 4 is not after")):
        hrh.trend(df, time="t", value="v", by="g")


def test_loglinear_growth_rate() -> None:
    x = 2.0 * 1.05 ** np.arange(8)
    f = hrh.trend(time=range(2010, 2018), value=x, model="loglinear")
    assert f.params["growth_rate"][0] == pytest.approx(0.05, rel=1e-12)


def test_fixed_parameters_are_kept() -> None:
    f = hrh.trend(time=YEARS, value=VALUES, model="damped", alpha=0.5, beta=0.2, phi=0.9)
    p = f.params.row(0, named=True)
    assert (p["alpha"], p["beta"], p["phi"]) == (0.5, 0.2, 0.9)


def test_plot() -> None:
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    f = hrh.trend(frame(), time="year", value="density", by="country", model="damped")
    ax = f.plot()  # one Axes, one colour per series (tests/test_plot.py: the contract)
    labels = [line.get_label() for line in ax.get_lines() if not line.get_label().startswith("_")]
    assert labels == f.params["country"].to_list()
    import matplotlib.pyplot as plt

    plt.close(ax.figure)


def test_backtest() -> None:
    b = hrh.backtest(
        frame(), time="year", value="density", by="country", models=["linear", "ses"], holdout=3
    )
    assert b.columns == ["country", "model", "n_forecasts", "rmse", "mae", "mape"]
    assert b.height == 4
    assert (b["n_forecasts"] == 6).all()
    # The linear origin-1 forecast error computed by hand for country A.
    a = frame().filter(pl.col("country") == "A")
    errors = []
    for k in (1, 2, 3):
        train = a.head(12 - k)
        slope, icpt = np.polyfit(train["year"], train["density"], 1)
        test = a.tail(k)
        errors += list(test["density"].to_numpy() - (icpt + slope * test["year"].to_numpy()))
    want = float(np.sqrt(np.mean(np.square(errors))))
    got = b.filter(pl.col("country") == "A", pl.col("model") == "linear")["rmse"][0]
    assert math.isclose(got, want, rel_tol=1e-9)


def test_fill_linear_interpolates_with_a_warning() -> None:
    years = [2000, 2001, 2003, 2004, 2005]
    with pytest.warns(UserWarning, match="interpolated 1 missing"):
        f = hrh.trend(
            {"year": years, "v": [1.0, 2.0, 4.0, 5.0, 6.0]},
            time="year",
            value="v",
            fill="linear",
        )
    assert f.fitted["year"].to_list() == [2000, 2001, 2002, 2003, 2004, 2005]
    assert f.fitted["v"][2] == 3.0


# --------------------------------------------------------------------------- bad input


def raises(cls: type[Exception], match: str, **kwargs: Any) -> None:
    with pytest.raises(cls, match=re.escape(match)):
        hrh.trend(**kwargs)


def test_too_few_points_says_how_many() -> None:
    raises(
        hrh.InputError,
        "argument 'value': ETS(A,A,N) has 5 observation(s) but needs at least 6",
        time=[1, 2, 3, 4, 5],
        value=[1.0, 2, 3, 4, 5],
        model="holt",
    )
    raises(
        hrh.InputError,
        "GM(1,1) has 3 observation(s) but needs at least 4 (series country='B')",
        data={"country": ["A"] * 4 + ["B"] * 3, "t": [1, 2, 3, 4, 1, 2, 3], "v": [1.0] * 7},
        time="t",
        value="v",
        by="country",
        model="gm11",
    )


def test_empty_input() -> None:
    raises(hrh.InputError, "argument 'value': no observations", time=[], value=[])


def test_simple_damped_needs_phi() -> None:
    raises(
        hrh.InputError,
        "argument 'phi': initial='simple' with a damped trend needs a fixed phi",
        time=YEARS,
        value=VALUES,
        model="damped",
        initial="simple",
    )


def test_duplicated_time() -> None:
    raises(
        hrh.InputError,
        "column 'year', row 4: time 2001 is duplicated (also at row 3) (country='B')",
        data={
            "country": ["A", "A", "A", "B", "B", "B"],
            "year": [2000, 2001, 2002, 2001, 2001, 2002],
            "v": [1.0] * 6,
        },
        time="year",
        value="v",
        by="country",
    )


def test_decreasing_time() -> None:
    raises(
        hrh.InputError,
        "argument 'time', item 2: time 2000 is not after the previous time 2002 (row 1)",
        time=[2001, 2002, 2000, 2003],
        value=[1.0, 2, 3, 4],
    )


def test_gap_is_an_error_by_default() -> None:
    raises(
        hrh.InputError,
        "argument 'time', item 2: time 2003 follows 2001 but the series steps by 1; the series "
        "has a gap; fill it first or pass fill='linear'",
        time=[2000, 2001, 2003, 2004],
        value=[1.0, 2, 3, 4],
    )


@pytest.mark.parametrize("model", ["loglinear", "gm11"])
def test_non_positive_values(model: str) -> None:
    what = "a log-linear trend" if model == "loglinear" else "GM(1,1)"
    raises(
        hrh.InputError,
        f"argument 'value', item 3: value 0.0 is not positive; {what} needs values > 0",
        time=[1, 2, 3, 4, 5],
        value=[1.0, 2, 3, 0, 5],
        model=model,
    )


def test_nan_and_null() -> None:
    raises(
        hrh.InputError,
        "argument 'value', item 1: value is NaN",
        time=[1, 2, 3],
        value=[1.0, float("nan"), 3],
    )
    raises(
        hrh.InputError,
        "column 'v', row 2: value is null",
        data=pl.DataFrame({"t": [1, 2, 3, 4], "v": [1.0, 2.0, None, 4.0]}),
        time="t",
        value="v",
    )


def test_bad_arguments() -> None:
    raises(
        hrh.InputError,
        "model: 'prophet' is not one of",
        time=[1, 2, 3],
        value=[1, 2, 3],
        model="prophet",
    )
    raises(
        hrh.InputError,
        "horizon: 0 must be an integer from 1 to 10,000",
        time=[1, 2, 3],
        value=[1, 2, 3],
        horizon=0,
    )
    raises(
        hrh.InputError,
        "argument 'level': 95 is outside (0, 1)",
        time=[1, 2, 3],
        value=[1, 2, 3],
        level=95,
    )
    raises(hrh.InputError, "unknown option(s) gamma", time=[1, 2, 3], value=[1, 2, 3], gamma=0.1)
    raises(
        hrh.InputError,
        "argument 'alpha': 1.5 is outside [0.0001, 0.9999]",
        time=range(10),
        value=VALUES[:10],
        model="ses",
        alpha=1.5,
    )
    raises(
        hrh.InputError,
        "argument 'beta': 0.6 is larger than alpha 0.5",
        time=range(10),
        value=VALUES[:10],
        model="holt",
        alpha=0.5,
        beta=0.6,
    )
    raises(
        hrh.InputError,
        "column 'year_' (time/value/by) is not in data",
        data=frame(),
        time="year_",
        value="density",
    )


def test_arima_bad_order() -> None:
    raises(
        hrh.InputError,
        "argument 'order': (6, 1, 0): p and q must be <= 5 and d <= 2",
        time=range(40),
        value=np.arange(40.0) ** 1.1,
        model="arima",
        order=(6, 1, 0),
    )
    raises(
        hrh.InputError,
        "argument 'drift': a drift needs d <= 1, got d = 2",
        time=range(40),
        value=np.arange(40.0) ** 1.1,
        model="arima",
        order=(0, 2, 1),
        drift=True,
    )
    raises(
        hrh.InputError,
        "order: (1, 1) must be three integers (p, d, q) >= 0",
        time=range(40),
        value=np.arange(40.0),
        model="arima",
        order=(1, 1),
    )


def test_convergence_error_is_raised_with_reason_and_hint() -> None:
    # GM(1,1) on a series whose time response overflows over a long horizon.
    x = [1.0, 1e3, 1e6, 1e9, 1e12]
    with pytest.raises(hrh.ConvergenceError, match="GM\\(1,1\\) did not converge") as info:
        hrh.trend(time=range(5), value=x, model="gm11", horizon=2000)
    assert "overflows" in info.value.reason
    assert info.value.hint


# --------------------------------------------------------------------------- real data


def test_wdi_physicians_many_countries(wdi_data: pl.DataFrame) -> None:
    d = (
        wdi_data.filter(pl.col("indicator") == "SH.MED.PHYS.ZS", ~pl.col("is_aggregate"))
        .filter(pl.col("year") >= 2000)
        .sort("iso3", "year")
    )
    # Countries with a complete annual run 2000-2019.
    full = (
        d.filter(pl.col("year") <= 2019)
        .group_by("iso3")
        .agg(pl.len().alias("n"))
        .filter(pl.col("n") == 20)["iso3"]
    )
    d = d.filter(pl.col("iso3").is_in(full.implode()), pl.col("year") <= 2019)
    assert d["iso3"].n_unique() >= 10
    for model in ("linear", "holt", "damped", "gm11"):
        f = hrh.trend(d, time="year", value="value", by="iso3", model=model, horizon=5)
        assert f.forecast.height == 5 * d["iso3"].n_unique()
        assert f.forecast["mean"].is_finite().all()


def test_backtest_needs_a_model() -> None:
    with pytest.raises(hrh.InputError, match="argument 'models': name at least one model"):
        hrh.backtest(time=[1, 2, 3, 4, 5, 6, 7, 8], value=[1.0, 2, 3, 4, 5, 6, 7, 8], models=[])


def test_backtest_models_must_be_names() -> None:
    # Found by tests/test_fuzz.py: a number here raised TypeError (len of a float).
    with pytest.raises(hrh.InputError, match=r"argument 'models': 1.0 is not a list of model"):
        hrh.backtest(time=[1, 2, 3, 4, 5], value=[1.0, 2, 3, 4, 5], models=1.0)  # type: ignore[arg-type]


def test_trend_model_must_be_a_name() -> None:
    # Found by tests/test_fuzz.py (long profile): a list raised TypeError (unhashable).
    with pytest.raises(hrh.InputError, match=r"model: \[1.0\] is not one of 'linear'"):
        hrh.trend(time=[1, 2, 3], value=[1.0, 2, 3], model=[1.0])  # type: ignore[arg-type]


def test_dates_count_by_calendar_year() -> None:
    years = list(range(2010, 2018))
    values = [2.0, 2.1, 2.3, 2.4, 2.6, 2.7, 2.9, 3.1]
    numbers = hrh.trend(time=years, value=values, model="holt", horizon=3)
    assert numbers.time_unit is None
    dated = [
        pl.DataFrame({"when": [dt.date(y, 12, 31) for y in years], "v": values}),
        pl.DataFrame({"when": [dt.datetime(y, 7, 1, 12) for y in years], "v": values}),
    ]
    for frame_ in dated:
        f = hrh.trend(frame_, time="when", value="v", model="holt", horizon=3)
        assert f.time_unit == "year"
        assert f.forecast["when"].to_list() == [2018, 2019, 2020]
        assert f.forecast["mean"].to_list() == numbers.forecast["mean"].to_list()
        assert f.fitted["when"].to_list() == years
        assert "calendar years" in f._repr_html_()
        b = hrh.backtest(frame_, time="when", value="v", models=["linear"], holdout=2)
        assert b.equals(hrh.backtest(time=years, value=values, models=["linear"], holdout=2))
    # Dates as arrays without a table: Python dates and numpy datetime64.
    as_dates = hrh.trend(time=[dt.date(y, 1, 1) for y in years], value=values, horizon=1)
    as_numpy = hrh.trend(
        time=np.array([f"{y}-06-30" for y in years], dtype="datetime64[D]"), value=values, horizon=1
    )
    for f in (as_dates, as_numpy):
        assert f.time_unit == "year" and f.forecast["time"].to_list() == [2018]
    # Two dates in one year are one time twice.
    twice = [dt.date(2010, 1, 1), dt.date(2010, 12, 1), dt.date(2011, 1, 1), dt.date(2012, 1, 1)]
    with pytest.raises(
        hrh.InputError,
        match=r"argument 'time', item 1: time 2010 is duplicated \(also at row 0\); dates count "
        "by their calendar year",
    ):
        hrh.trend(time=twice, value=[1.0, 2, 3, 4])
    with pytest.raises(hrh.InputError, match=r"column 'when', row 2: value is null"):
        hrh.trend(
            {"when": [dt.date(2010, 1, 1), dt.date(2011, 1, 1), None], "v": [1.0, 2, 3]},
            time="when",
            value="v",
        )


def test_plot_says_the_unit_of_dates() -> None:
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    years = list(range(2010, 2016))
    f = hrh.trend(
        {"when": [dt.date(y, 1, 1) for y in years], "v": [1.0, 1.1, 1.3, 1.4, 1.6, 1.7]},
        time="when",
        value="v",
    )
    ax = f.plot()
    assert ax.get_xlabel() == "when (year)"
    import matplotlib.pyplot as plt

    plt.close(ax.figure)
