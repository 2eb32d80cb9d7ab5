"""hrh.parametric: bad input, invariants and the result contract (values against R and
lifelines are in test_parametric_oracle.py)."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import polars as pl
import pytest

import hrh

D = pl.DataFrame(
    {
        "years": [1.5, 2.0, 3.2, 4.1, 5.5, 6.0, 7.3, 9.9, 0.8, 2.7, 3.3, 8.1],
        "left": [1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 1, 0],
        "rural": [1, 0, 1, 0, 0, 1, 0, 0, 1, 1, 0, 1],
        "cadre": ["nurse", "doctor", "nurse", "midwife", "doctor", "nurse"] * 2,
        "since": [0.0, 0.5, 1.0, 0.0, 2.0, 0.0, 3.0, 1.0, 0.0, 0.0, 0.5, 2.0],
    }
)
DISTS = ["exponential", "weibull", "lognormal", "loglogistic"]


# --- bad input ----------------------------------------------------------------------------


def test_durations_must_be_positive() -> None:
    d = D.with_columns(years=pl.Series([1.5, 0.0, *D["years"].to_list()[2:]]))
    with pytest.raises(hrh.InputError, match=r"column 'duration', row 1: duration 0 is not > 0"):
        hrh.parametric(d, duration="years", event="left")
    d = D.with_columns(years=pl.Series([1.5, None, *D["years"].to_list()[2:]]))
    with pytest.raises(hrh.InputError, match=r"column 'years', row 1"):
        hrh.parametric(d, duration="years", event="left")
    d = D.with_columns(years=-pl.col("years"))
    with pytest.raises(hrh.InputError, match=r"column 'years', row 0"):
        hrh.parametric(d, duration="years", event="left")


def test_unknown_distribution_and_bad_arguments() -> None:
    with pytest.raises(hrh.InputError, match=r"argument 'dist': 'gamma' is not 'exponential'"):
        hrh.parametric(D, duration="years", event="left", dist="gamma")  # type: ignore[arg-type]
    with pytest.raises(hrh.InputError, match=r"level"):
        hrh.parametric(D, duration="years", event="left", level=1.5)
    with pytest.raises(hrh.InputError, match=r"argument 'max_iter'"):
        hrh.parametric(D, duration="years", event="left", max_iter=0)
    with pytest.raises(hrh.InputError, match=r"'tenure'"):
        hrh.parametric(D, duration="tenure", event="left")


def test_covariate_nulls_constant_and_collinear() -> None:
    d = D.with_columns(rural=pl.Series([None, *D["rural"].to_list()[1:]]))
    with pytest.raises(hrh.InputError, match=r"column 'rural', row 0"):
        hrh.parametric(d, duration="years", event="left", covariates=["rural"])
    d = D.with_columns(one=pl.lit(3.0))
    with pytest.raises(hrh.InputError, match=r"column 'one': is constant"):
        hrh.parametric(d, duration="years", event="left", covariates=["one"])
    d = D.with_columns(twice=2 * pl.col("rural"))
    with pytest.raises(hrh.InputError, match=r"column 'twice': is a linear combination"):
        hrh.parametric(d, duration="years", event="left", covariates=["rural", "twice"])
    d = D.with_columns(cadre=pl.lit("nurse"))
    with pytest.raises(hrh.InputError, match=r"column 'cadre': has a single level"):
        hrh.parametric(d, duration="years", event="left", covariates=["cadre"])
    with pytest.raises(hrh.InputError, match=r"reference: level 'pharmacist'"):
        hrh.parametric(
            D,
            duration="years",
            event="left",
            covariates=["cadre"],
            reference={"cadre": "pharmacist"},
        )


def test_entry_must_be_before_the_duration_and_not_negative() -> None:
    d = D.with_columns(since=pl.Series([0.0, 2.0, *D["since"].to_list()[2:]]))
    with pytest.raises(hrh.InputError, match=r"column 'entry', row 1: entry 2 is not before"):
        hrh.parametric(d, duration="years", event="left", entry="since")
    d = D.with_columns(since=pl.Series([-1.0, *D["since"].to_list()[1:]]))
    with pytest.raises(hrh.InputError, match=r"column 'entry', row 0: value -1 is negative"):
        hrh.parametric(d, duration="years", event="left", entry="since")


def test_nobody_leaves_and_too_few_rows() -> None:
    with pytest.raises(hrh.InputError, match=r"every observation is censored"):
        hrh.parametric(D.with_columns(left=pl.lit(0)), duration="years", event="left")
    with pytest.raises(hrh.InputError, match=r"needs more than 3 rows"):
        hrh.parametric(D.head(3), duration="years", event="left", covariates=["rural"])


@pytest.mark.parametrize("dist", DISTS)
def test_separation_is_a_convergence_error(dist: str) -> None:
    d = {"t": [1.0, 2, 3, 4, 5, 6, 7, 8], "e": [1, 1, 1, 1, 0, 0, 0, 0], "g": ["a"] * 4 + ["b"] * 4}
    with pytest.raises(hrh.ConvergenceError) as info:
        hrh.parametric(d, duration="t", event="e", covariates=["g"], dist=dist)  # type: ignore[arg-type]
    assert isinstance(info.value, ArithmeticError)
    assert "did not converge" in str(info.value)
    assert info.value.hint


def test_equal_durations_name_the_shrinking_scale() -> None:
    with pytest.raises(hrh.ConvergenceError, match=r"scale shrinks towards 0"):
        hrh.parametric({"t": [1.0, 1, 1, 1], "e": [1, 1, 0, 1]}, duration="t", event="e")


def test_prediction_arguments_are_checked() -> None:
    m = hrh.parametric(D, duration="years", event="left", covariates=["cadre"])
    with pytest.raises(hrh.InputError, match=r"new_data: the model has covariates \(cadre\)"):
        m.predict_survival(times=[1.0])
    with pytest.raises(hrh.InputError, match=r"column 'cadre', row 0: level 'pharmacist' was not"):
        m.predict_survival({"cadre": ["pharmacist"]}, times=[1.0])
    new = {"cadre": ["nurse"]}
    with pytest.raises(hrh.InputError, match=r"argument 'times', item 1: value -1 is not >= 0"):
        m.predict_survival(new, times=[1.0, -1.0])
    with pytest.raises(hrh.InputError, match=r"argument 'times', item 0: value 0 is not > 0"):
        m.predict_hazard(new, times=[0.0])
    with pytest.raises(hrh.InputError, match=r"argument 'p', item 0: value 1 is not in \(0, 1\)"):
        m.predict_quantile(new, p=[1.0])
    with pytest.raises(hrh.InputError, match=r"argument 'tau', item 0"):
        m.predict_rmst(new, tau=[0.0])
    with pytest.raises(hrh.InputError, match=r"argument 'bands', item 2: edge 1 is not above"):
        m.attrition_rates([0, 2, 1], new_data=new)
    with pytest.raises(hrh.InputError, match=r"argument 'bands': give at least two"):
        m.attrition_rates([0], new_data=new)
    with pytest.raises(hrh.InputError, match=r"argument 'per'"):
        m.attrition_rates([0, 1], new_data=new, per=0)
    with pytest.raises(hrh.InputError, match=r"times"):
        m.predict_survival(new, times=[float("nan")])


# --- values and invariants ------------------------------------------------------------------


def test_exponential_is_exits_over_exposure_with_entry_and_weights() -> None:
    w = np.arange(1, 13, dtype=float)
    d = D.with_columns(w=pl.Series(w))
    m = hrh.parametric(
        d, duration="years", event="left", entry="since", weights="w", dist="exponential"
    )
    exits = float((w * D["left"].to_numpy()).sum())
    exposure = float((w * (D["years"] - D["since"]).to_numpy()).sum())
    assert m.coef[0] == pytest.approx(math.log(exposure / exits), rel=1e-12)
    assert m.summary["std_err"][0] == pytest.approx(1 / math.sqrt(exits), rel=1e-9)
    assert m.scale == 1.0 and m.n_events == exits
    h = m.predict_hazard(times=[0.5, 7.0])["hazard"]
    assert h.to_list() == pytest.approx([exits / exposure] * 2, rel=1e-12)


def test_integer_weights_are_repeated_rows() -> None:
    w = [1, 2, 1, 3, 1, 1, 2, 1, 1, 2, 1, 1]
    a = hrh.parametric(
        D.with_columns(w=pl.Series(w)),
        duration="years",
        event="left",
        weights="w",
        covariates=["rural"],
    )
    rep = D.select(pl.all().repeat_by(pl.Series(w)).explode())
    b = hrh.parametric(rep, duration="years", event="left", covariates=["rural"])
    np.testing.assert_allclose(a.summary["coef"], b.summary["coef"], rtol=1e-9)
    np.testing.assert_allclose(a.variance, b.variance, rtol=1e-7)
    assert a.loglik == pytest.approx(b.loglik, rel=1e-12)


def test_reference_level_reparameterises_the_same_fit() -> None:
    a = hrh.parametric(D, duration="years", event="left", covariates=["cadre"])
    b = hrh.parametric(
        D, duration="years", event="left", covariates=["cadre"], reference={"cadre": "nurse"}
    )
    assert a.summary["term"].to_list() == [
        "(Intercept)",
        "cadre[midwife]",
        "cadre[nurse]",
        "log(scale)",
    ]
    assert b.summary["term"].to_list() == [
        "(Intercept)",
        "cadre[doctor]",
        "cadre[midwife]",
        "log(scale)",
    ]
    assert a.loglik == pytest.approx(b.loglik, rel=1e-10)
    new = {"cadre": ["doctor", "nurse"]}
    pa = a.predict_survival(new, times=[2.0, 5.0])
    pb = b.predict_survival(new, times=[2.0, 5.0])
    np.testing.assert_allclose(pa["survival"], pb["survival"], rtol=1e-8)
    np.testing.assert_allclose(pa["lower"], pb["lower"], rtol=1e-6)


def test_event_labels() -> None:
    d = D.with_columns(
        status=pl.when(pl.col("left") == 1).then(pl.lit("resigned")).otherwise(pl.lit("in post"))
    )
    a = hrh.parametric(
        d, duration="years", event="status", event_values={"resigned": 1, "in post": 0}
    )
    b = hrh.parametric(D, duration="years", event="left")
    assert a.loglik == pytest.approx(b.loglik, rel=1e-12)


@pytest.mark.parametrize("dist", DISTS)
def test_predictions_agree_with_each_other(dist: str) -> None:
    m = hrh.parametric(D, duration="years", event="left", covariates=["rural"], dist=dist)  # type: ignore[arg-type]
    new = {"rural": [0, 1]}
    q = m.predict_quantile(new, p=[0.25, 0.5])
    for r in (0, 1):
        rows = q.filter(pl.col("row") == r)
        s = m.predict_survival({"rural": [r]}, times=rows["time"])
        np.testing.assert_allclose(s["survival"], [0.75, 0.5], rtol=1e-10)
        assert (rows["lower"] < rows["time"]).all() and (rows["time"] < rows["upper"]).all()
    s0 = m.predict_survival(new, times=[0.0])
    assert s0["survival"].to_list() == [1.0, 1.0] and s0["std_err"].to_list() == [0.0, 0.0]
    # RMST against the trapezoid rule on a fine grid.
    grid = np.linspace(0.0, 6.0, 60001)
    s = m.predict_survival({"rural": [1]}, times=grid)["survival"].to_numpy()
    trap = float(np.sum((s[1:] + s[:-1]) / 2 * np.diff(grid)))
    r = m.predict_rmst({"rural": [1]}, tau=[6.0])
    assert r["rmst"][0] == pytest.approx(trap, rel=1e-7)
    assert r["lower"][0] < r["rmst"][0] < r["upper"][0]
    # Hazard = -d log S / dt.
    t, h = 3.0, 1e-5
    ls = np.log(m.predict_survival({"rural": [1]}, times=[t - h, t + h])["survival"].to_numpy())
    hz = m.predict_hazard({"rural": [1]}, times=[t])["hazard"][0]
    assert hz == pytest.approx(-(ls[1] - ls[0]) / (2 * h), rel=1e-6)


def test_attrition_rates_extrapolate_with_intervals() -> None:
    m = hrh.parametric(D, duration="years", event="left", dist="lognormal")
    r = m.attrition_rates([0, 1, 5, 10, 40])
    assert r.columns == [
        "row",
        "band_start",
        "band_end",
        "exit_probability",
        "annual_rate",
        "std_err",
        "lower",
        "upper",
    ]
    s = m.predict_survival(times=[1.0, 5.0, 10.0, 40.0])["survival"].to_numpy()
    q = 1 - s / np.concatenate([[1.0], s[:-1]])
    np.testing.assert_allclose(r["exit_probability"], q, rtol=1e-10)
    np.testing.assert_allclose(
        r["annual_rate"], 1 - (1 - q) ** (1 / np.array([1, 4, 5, 30])), rtol=1e-10
    )
    assert (
        r.select(
            (pl.col("lower") < pl.col("annual_rate")) & (pl.col("annual_rate") < pl.col("upper"))
        )
        .to_series()
        .all()
    )
    # The same in days.
    d = D.with_columns(days=pl.col("years") * 365.25)
    md = hrh.parametric(d, duration="days", event="left", dist="lognormal")
    rd = md.attrition_rates([0, 365.25, 5 * 365.25], per=365.25)
    np.testing.assert_allclose(rd["annual_rate"], r["annual_rate"][:2], rtol=1e-6)


def test_result_contract() -> None:
    m = hrh.parametric(
        D, duration="years", event="left", covariates=["rural", "cadre"], dist="weibull"
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        m.dist = "lognormal"  # type: ignore[misc]
    assert m.to_polars() is m.summary
    assert m.summary.columns == ["term", "coef", "std_err", "z", "p_value", "lower", "upper"]
    assert m.variance.shape == (5, 5)
    assert "Weibull" in m._repr_html_()
    assert m.aic == pytest.approx(-2 * m.loglik + 10)
    assert m.loglik >= m.loglik_null
    assert m.n == 12 and m.iterations > 0
    coef = m.coef
    coef[0] = 99.0
    assert m.coef[0] != 99.0  # a copy


def test_plot_returns_axes_with_km() -> None:
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    m = hrh.parametric(D, duration="years", event="left", entry="since", dist="loglogistic")
    ax = m.plot(km=True)
    assert len(ax.get_lines()) == 2
    m2 = hrh.parametric(D, duration="years", event="left", covariates=["rural"])
    ax = m2.plot({"rural": [0, 1]}, times=[0.0, 1.0, 2.0, 5.0], ci=False)
    assert len(ax.get_lines()) == 2


def test_extreme_durations_are_finite_or_named() -> None:
    for t in ([1e300, 2e300, 3e300, 4e300], [1e-300, 2e-300, 3e-300, 5e-300]):
        m = hrh.parametric({"t": t, "e": [1, 1, 0, 1]}, duration="t", event="e")
        assert all(math.isfinite(v) for v in m.summary["coef"])
        assert math.isfinite(m.loglik)


def test_model_without_covariates_predicts_each_row_of_new_data() -> None:
    m = hrh.parametric(D, duration="years", event="left")
    s = m.predict_survival({"anything": [1, 2, 3]}, times=[1.0, 2.0])
    assert s["row"].to_list() == [0, 0, 1, 1, 2, 2]
    assert s["survival"][0] == s["survival"][2] == s["survival"][4]
    assert m.attrition_rates([0, 1, 2], new_data={"x": [0, 0]}).height == 4


def test_covariate_units_do_not_change_the_fit() -> None:
    base = np.array([1.0, -1, 2, 0, 1, 0.5, 0, 3, 2, 1, 0, 1])
    fits = [
        hrh.parametric(
            D.with_columns(x=pl.Series(base * s)), duration="years", event="left", covariates=["x"]
        )
        for s in (1.0, 1e8, 1e-8, 1e100)
    ]
    for m, s in zip(fits[1:], (1e8, 1e-8, 1e100), strict=True):
        assert m.loglik == pytest.approx(fits[0].loglik, rel=1e-10)
        assert m.coef[1] * s == pytest.approx(fits[0].coef[1], rel=1e-7)
        assert m.summary["std_err"][1] * s == pytest.approx(fits[0].summary["std_err"][1], rel=1e-7)
    # A covariate whose coefficient's variance underflows is named, not given std_err 0.
    with pytest.raises(hrh.ConvergenceError, match=r"rescale the covariates"):
        hrh.parametric(
            D.with_columns(x=pl.Series(base * 1e300)),
            duration="years",
            event="left",
            covariates=["x"],
        )


def test_weibull_hazard_far_beyond_follow_up() -> None:
    m = hrh.parametric(D, duration="years", event="left", dist="weibull")
    eta, sigma = m.coef[0], m.scale
    t = np.array([0.5, 10.0, 1e3, 1e6])
    h = m.predict_hazard(times=t)
    want = t ** (1 / sigma - 1) * np.exp(-eta / sigma) / sigma
    np.testing.assert_allclose(h["hazard"], want, rtol=1e-12)
    assert h["lower"].is_not_null().all() and (h["lower"] < h["hazard"]).all()


def test_weights_too_large_to_sum_are_named() -> None:
    d = D.with_columns(w=pl.lit(1e300))
    with pytest.raises(hrh.InputError, match=r"column 'weights': the weights sum to 1.200e301"):
        hrh.parametric(d, duration="years", event="left", weights="w")
    # Tiny weights are fine: the estimates do not depend on the weights' scale.
    a = hrh.parametric(
        D.with_columns(w=pl.lit(1e-300)), duration="years", event="left", weights="w"
    )
    b = hrh.parametric(D, duration="years", event="left")
    np.testing.assert_allclose(a.coef, b.coef, rtol=1e-8)
