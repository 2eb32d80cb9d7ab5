"""hrh.fine_gray: result contract, ways of coding the cause, and every bad-input rule.
(Values against R's cmprsk::crr are in test_finegray_oracle.py.)"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import polars as pl
import pytest

import hrh

D = pl.DataFrame(
    {
        "years": [1.0, 2.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0],
        "why": [
            "resigned",
            "retired",
            "resigned",
            None,
            "resigned",
            "retired",
            "resigned",
            None,
            "died",
            "resigned",
            None,
            "retired",
        ],
        "rural": [1, 0, 1, 1, 0, 0, 1, 0, 1, 0, 1, 0],
        "age": [30.0, 61.0, 28.0, 45.0, 35.0, 63.0, 41.0, 50.0, 58.0, 33.0, 47.0, 60.0],
        "cadre": ["nurse", "doctor", "nurse", "doctor", "nurse", "doctor"] * 2,
    }
)


def fit(data: Any = D, **kw: Any) -> hrh.FineGrayResult:
    args: dict[str, Any] = {
        "duration": "years",
        "cause": "why",
        "cause_of_interest": "resigned",
        "covariates": ["rural", "age"],
    }
    args.update(kw)
    return hrh.fine_gray(data, **args)


# --- result contract ---------------------------------------------------------------------


def test_result_shape() -> None:
    m = fit()
    assert m.table.columns == [
        "term",
        "coef",
        "exp_coef",
        "std_err",
        "z",
        "p_value",
        "lower",
        "upper",
    ]
    assert m.table["term"].to_list() == ["rural", "age"]
    assert (m.n, m.n_events, m.n_competing, m.n_censored) == (12, 5, 4, 3)
    assert m.converged is True and m.iterations >= 1
    assert m.cause_of_interest == "resigned"
    assert m.variance.shape == (2, 2) and m.information.shape == (2, 2)
    np.testing.assert_allclose(m.table["std_err"], np.sqrt(np.diag(m.variance)))
    t = m.table
    assert (t["lower"] < t["exp_coef"]).all() and (t["exp_coef"] < t["upper"]).all()
    assert m.to_polars() is m.table
    assert "Fine-Gray" in m._repr_html_()
    with pytest.raises(dataclasses.FrozenInstanceError):
        m.loglik = 0.0  # type: ignore[misc]


def test_level_widens_the_interval() -> None:
    a, b = fit(level=0.9).table, fit(level=0.99).table
    assert (b["lower"] < a["lower"]).all() and (b["upper"] > a["upper"]).all()


def test_input_not_modified() -> None:
    before = D.clone()
    fit()
    assert D.equals(before)


def test_prediction() -> None:
    m = fit()
    pr = m.predict({"rural": [0, 1], "age": [40.0, 40.0]})
    assert pr.table.columns == ["row", "time", "cumulative_incidence"]
    assert pr.table["row"].unique().sort().to_list() == [0, 1]
    for _, part in pr.table.group_by("row"):
        f = part["cumulative_incidence"].to_numpy()
        assert np.all(np.diff(f) >= 0) and np.all((f >= 0) & (f < 1))
    # Exit times of interest only (resignations): 1, 2, 4, 6, 9.
    assert pr.table.filter(pl.col("row") == 0)["time"].to_list() == [1, 2, 4, 6, 9]
    at = m.predict({"rural": [1], "age": [40.0]}, times=[0.5, 4, 100]).table
    full = pr.table.filter(pl.col("row") == 1)["cumulative_incidence"].to_list()
    assert at["cumulative_incidence"].to_list() == [0.0, full[2], full[-1]]
    assert pr.to_polars() is pr.table
    assert "resigned" in pr._repr_html_()


def test_prediction_plot() -> None:
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.axes import Axes

    ax = fit().predict({"rural": [0, 1], "age": [40.0, 40.0]}).plot()
    assert isinstance(ax, Axes)
    assert len(ax.get_lines()) == 2


def test_prediction_bad_new_data() -> None:
    m = fit(covariates=["cadre", "age"])
    with pytest.raises(hrh.InputError, match=r"column 'cadre', row 1: level 'midwife'"):
        m.predict({"cadre": ["nurse", "midwife"], "age": [30.0, 40.0]})
    with pytest.raises(hrh.InputError, match=r"age"):
        m.predict({"cadre": ["nurse"]})
    with pytest.raises(hrh.InputError, match=r"new_data has no rows"):
        m.predict(pl.DataFrame(schema={"cadre": pl.String, "age": pl.Float64}))


def test_categorical_contrasts_and_reference() -> None:
    m = fit(covariates=["cadre", "age"])
    assert m.table["term"].to_list() == ["cadre[nurse]", "age"]
    r = fit(covariates=["cadre", "age"], reference={"cadre": "nurse"})
    assert r.table["term"].to_list() == ["cadre[doctor]", "age"]
    np.testing.assert_allclose(r.table["coef"][0], -m.table["coef"][0], rtol=1e-9)
    np.testing.assert_allclose(r.loglik, m.loglik, rtol=1e-12)


# --- ways of coding the cause --------------------------------------------------------------


def test_integer_codes_and_labels_agree() -> None:
    codes = {"resigned": 1, "retired": 2, "died": 3}
    coded = D.with_columns(
        pl.col("why").replace_strict(codes, default=0, return_dtype=pl.Int64).alias("why")
    )
    a, b = fit(), fit(coded, cause_of_interest=1)
    np.testing.assert_allclose(a.table["coef"], b.table["coef"], rtol=1e-12)
    np.testing.assert_allclose(a.variance, b.variance, rtol=1e-12)
    assert b.cause_of_interest == 1 and b.n_censored == 3


def test_event_values_mapping() -> None:
    data = D.with_columns(pl.col("why").fill_null("in post"))
    mapping = {"resigned": 1, "retired": 2, "died": 2, "in post": 0}
    a = fit(data, event_values=mapping)
    np.testing.assert_allclose(a.table["coef"], fit().table["coef"], rtol=1e-12)
    # The cause of interest by a label of a merged reason, or by the merged name.
    b = fit(data, event_values=mapping, cause_of_interest="died")
    c = fit(data, event_values=mapping, cause_of_interest="retired / died")
    assert b.cause_of_interest == c.cause_of_interest == "retired / died"
    np.testing.assert_allclose(b.table["coef"], c.table["coef"], rtol=1e-12)
    with pytest.raises(hrh.InputError, match=r"column 'why', row 3: value 'in post' is not"):
        fit(data, event_values={"resigned": 1, "retired": 2, "died": 2})
    with pytest.raises(hrh.InputError, match=r"'cause_of_interest': 'in post' is not a cause"):
        fit(data, event_values=mapping, cause_of_interest="in post")


def test_event_values_list() -> None:
    a = fit(event_values=["resigned", "retired", "died"])
    np.testing.assert_allclose(a.table["coef"], fit().table["coef"], rtol=1e-12)
    with pytest.raises(hrh.InputError, match=r"column 'why', row 8: cause 'died' is not in"):
        fit(event_values=["resigned", "retired"])
    with pytest.raises(hrh.InputError, match=r"'cause_of_interest': 'moved' is not in"):
        fit(event_values=["resigned", "retired", "died"], cause_of_interest="moved")
    with pytest.raises(hrh.InputError, match=r"'cause_of_interest': 'moved' does not occur"):
        fit(event_values=["resigned", "retired", "died", "moved"], cause_of_interest="moved")


# --- bad input ------------------------------------------------------------------------------


def test_cause_of_interest_absent() -> None:
    with pytest.raises(
        hrh.InputError,
        match=r"'cause_of_interest': 'transferred' does not occur in column 'why' "
        r"\(causes present: 'died', 'resigned', 'retired'\)",
    ):
        fit(cause_of_interest="transferred")


def test_no_exit_of_interest() -> None:
    censored = D.with_columns(pl.lit(None, dtype=pl.String).alias("why"))
    with pytest.raises(hrh.InputError, match=r"none, every row is censored"):
        fit(censored)
    coded = D.with_columns(pl.Series("why", [0, 2] * 6))
    with pytest.raises(hrh.InputError, match=r"'cause_of_interest': 1 does not occur"):
        fit(coded, cause_of_interest=1)
    with pytest.raises(hrh.InputError, match=r"'cause_of_interest': 0 is the censoring code"):
        fit(coded, cause_of_interest=0)
    with pytest.raises(hrh.InputError, match=r"'cause_of_interest': 'x' is not an integer code"):
        fit(coded, cause_of_interest="x")


def test_bad_cause_codes() -> None:
    with pytest.raises(hrh.InputError, match=r"column 'why', row 1: value -1 is negative"):
        fit(D.with_columns(pl.Series("why", [1, -1] * 6)), cause_of_interest=1)
    with pytest.raises(hrh.InputError, match=r"column 'why', row 1: value 1.5 is not an integer"):
        fit(D.with_columns(pl.Series("why", [1.0, 1.5] * 6)), cause_of_interest=1)
    with pytest.raises(hrh.InputError, match=r"column 'why', row 1: value 1e\+308 is not an"):
        fit(D.with_columns(pl.Series("why", [1.0, 1e308] * 6)), cause_of_interest=1)
    with pytest.raises(hrh.InputError, match=r"column 'why' has type Date"):
        fit(D.with_columns(pl.date(2020, 1, 1).alias("why")))


def test_null_and_negative_durations() -> None:
    bad = D.with_columns(pl.Series("years", [1.0, None] + [3.0] * 10))
    with pytest.raises(hrh.InputError, match=r"column 'years', row 1: value is null"):
        fit(bad)
    bad = D.with_columns(pl.Series("years", [1.0, -2.0] + [3.0] * 10))
    with pytest.raises(hrh.InputError, match=r"column 'years', row 1: value -2.0 is negative"):
        fit(bad)
    bad = D.with_columns(pl.Series("years", [1.0, float("nan")] + [3.0] * 10))
    with pytest.raises(hrh.InputError, match=r"column 'years', row 1"):
        fit(bad)


def test_null_covariate() -> None:
    bad = D.with_columns(pl.Series("age", [30.0, None] + [40.0] * 10))
    with pytest.raises(hrh.InputError, match=r"column 'age', row 1: value is null"):
        fit(bad)
    bad = D.with_columns(pl.Series("cadre", ["nurse", None] * 6))
    with pytest.raises(hrh.InputError, match=r"column 'cadre', row 1: value is null"):
        fit(bad, covariates=["cadre"])


def test_constant_and_collinear_covariates() -> None:
    with pytest.raises(hrh.InputError, match=r"column 'one': is constant"):
        fit(D.with_columns(pl.lit(1.0).alias("one")), covariates=["rural", "one"])
    with pytest.raises(hrh.InputError, match=r"column 'cadre': has a single level"):
        fit(D.with_columns(pl.lit("nurse").alias("cadre")), covariates=["cadre"])
    twice = D.with_columns((2 * pl.col("age") + 1).alias("age2"))
    with pytest.raises(hrh.InputError, match=r"column 'age2': is a linear combination"):
        fit(twice, covariates=["rural", "age", "age2"])


def test_missing_columns_and_arguments() -> None:
    with pytest.raises(hrh.InputError, match=r"wage"):
        fit(covariates=["rural", "wage"])
    with pytest.raises(hrh.InputError, match=r"reason"):
        fit(cause="reason")
    with pytest.raises(hrh.InputError, match=r"give at least one covariate"):
        fit(covariates=[])
    with pytest.raises(hrh.InputError, match=r"level"):
        fit(level=1.5)
    for bad in (-1, 10**30, 1.5, True):
        with pytest.raises(hrh.InputError, match=r"'max_iter'"):
            fit(max_iter=bad)
    with pytest.raises(hrh.InputError, match=r"'tol'"):
        fit(tol=0.0)
    with pytest.raises(hrh.InputError, match=r"argument 'reference': 1.0 is not a mapping"):
        fit(reference=1.0)
    with pytest.raises(hrh.InputError, match=r"data has no rows"):
        fit(D.head(0))
    with pytest.raises(hrh.InputError, match=r"3 covariates need more than 3 rows"):
        fit(D.head(3), covariates=["rural", "age", "cadre"])


def test_entry_is_refused_not_ignored() -> None:
    data = D.with_columns((pl.col("years") / 2).alias("hired"))
    with pytest.raises(hrh.InputError, match=r"argument 'entry': delayed entry \('hired'\)"):
        fit(data, entry="hired")


# Exits of interest at the five earliest times all have g = 1, and nobody else does:
# the pseudo-likelihood rises for ever as the coefficient of g grows (R's crr stops at
# 15.3 unconverged after 10 steps and reports convergence at 18.3 with maxiter = 50).
SEPARATED = {
    "t": list(range(1, 17)),
    "st": [1, 1, 1, 2, 1, 0, 1, 2, 1, 0, 2, 1, 0, 1, 2, 0],
    "g": [1, 1, 1, 0, 1] + [0] * 11,
    "x": [0.3, -1, 0.5, 1.2, -0.4, 0.8, 0.1, -0.9, 1.5, -0.2, 0.6, -1.1, 0.4, 0.9, -0.6, 0.2],
}


@pytest.mark.parametrize("max_iter", [10, 25, 50, 200])
def test_separation_is_a_convergence_error(max_iter: int) -> None:
    with pytest.raises(hrh.ConvergenceError, match=r"Fine-Gray model did not converge") as e:
        hrh.fine_gray(
            SEPARATED,
            duration="t",
            cause="st",
            cause_of_interest=1,
            covariates=["g", "x"],
            max_iter=max_iter,
        )
    assert "'g'" in str(e.value) or "Newton steps" in str(e.value)
    assert isinstance(e.value, ArithmeticError)


def test_too_few_steps_is_a_convergence_error() -> None:
    with pytest.raises(hrh.ConvergenceError, match=r"after 0 Newton steps.*raise max_iter"):
        fit(max_iter=0)


def test_huge_and_flat_covariates_are_named() -> None:
    d = {"t": [1, 2, 3, 4], "c": [1, 2, 0, 1], "x": [1.7e308, -1.7e308, 1.7e308, 1.7e308]}
    with pytest.raises(hrh.InputError, match=r"column 'x': has values too large"):
        hrh.fine_gray(d, duration="t", cause="c", cause_of_interest=1, covariates=["x"])
    # Large but finite values: the derivatives overflow, a named ConvergenceError.
    d = {"t": [1, 2, 3, 4, 5], "c": [1, 2, 0, 1, 1], "x": [1e200, -1e200, 3e200, 0.0, 2e200]}
    with pytest.raises(hrh.ConvergenceError, match=r"overflow.*rescale covariates"):
        hrh.fine_gray(d, duration="t", cause="c", cause_of_interest=1, covariates=["x"])
    # The only exit of interest is the last row, alone at risk: no information about x.
    d = {"t": [1, 2, 3, 4, 5], "c": [0, 0, 0, 0, 1], "x": [1.0, 2.0, 3.5, 1.0, 0.0]}
    with pytest.raises(hrh.ConvergenceError, match=r"information about 'x' is zero"):
        hrh.fine_gray(d, duration="t", cause="c", cause_of_interest=1, covariates=["x"])
