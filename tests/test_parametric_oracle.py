"""hrh.parametric (parametric AFT survival models) against R's survreg and lifelines.

Expected values: oracles/parametric.json from oracles/parametric.R (R's survival::survreg
on lung, ovarian and the Canadian senators register, all four distributions; versions
recorded in the JSON, conventions in the script's header) and
oracles/parametric_entry.json from oracles/parametric_entry.py (lifelines' AFT fitters
with ``entry_col`` for delayed entry, which survreg cannot fit).

Tolerances (docs/architecture.md, Tolerances): the fits are iterative, so 1e-5 relative against R
(R was run with rel.tolerance = 1e-12); 1e-4 against lifelines (its optimiser stops
earlier). R's standard errors of survival, hazard and restricted mean are finite
differences (step 1e-5 or 1e-4), so their intervals are compared to 1e-5 relative too.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest

import hrh

HERE = Path(__file__).parent / "oracles"
R = json.loads((HERE / "parametric.json").read_text())
RTOL = 1e-5
DISTS = ["exponential", "weibull", "lognormal", "loglogistic"]


def _data(name: str) -> pl.DataFrame:
    cols = R["data"][name]
    df = pl.DataFrame(cols, strict=False, infer_schema_length=None)
    if name == "senators":
        df = df.with_columns(time=pl.col("tenure_days") / 365.25)
    return df


def _close(got: Any, want: Any, rtol: float = RTOL, atol: float = 1e-12) -> None:
    np.testing.assert_allclose(
        np.asarray(got, dtype=float), np.asarray(want, dtype=float), rtol=rtol, atol=atol
    )


CASES = sorted(R["cases"])


@pytest.fixture(scope="module")
def fits() -> dict[str, hrh.ParametricResult]:
    out = {}
    for key in CASES:
        c = R["cases"][key]
        out[key] = hrh.parametric(
            _data(c["data"]),
            duration="time",
            event="event",
            covariates=c["covariates"],
            dist=c["dist"],
        )
    return out


def test_all_data_sets_and_distributions_are_covered() -> None:
    assert {(c["data"], c["dist"]) for c in R["cases"].values()} == {
        (d, f) for d in ("lung", "ovarian", "senators") for f in DISTS
    }


@pytest.mark.parametrize("key", CASES)
def test_coefficients_scale_loglik_variance(key: str, fits: dict[str, Any]) -> None:
    c = R["cases"][key]
    m = fits[key]
    k = len(c["coef"])
    _close(m.coef, c["coef"])
    # Terms in R's order; hrh names a level as column[level] where R pastes them.
    assert m.summary["term"][0] == "(Intercept)"
    assert m.summary["term"].to_list()[1:k] == [
        t.replace("region", "region[") + "]" if t.startswith("region") else t
        for t in c["terms"][1:]
    ]
    if c["dist"] == "exponential":
        assert m.scale == 1.0 and m.variance.shape == (k, k)
    else:
        _close(m.summary["coef"][k], c["log_scale"])
        assert m.summary["term"][k] == "log(scale)"
    _close([m.loglik_null, m.loglik], c["loglik"])
    _close(m.variance, c["var"])
    _close(m.summary["std_err"], np.sqrt(np.diag(np.asarray(c["var"]))))
    n_par = k + (c["dist"] != "exponential")
    assert m.aic == pytest.approx(-2 * c["loglik"][1] + 2 * n_par, rel=1e-9)


@pytest.mark.parametrize("key", CASES)
def test_quantiles_with_standard_errors(key: str, fits: dict[str, Any]) -> None:
    c = R["cases"][key]
    q = fits[key].predict_quantile(c["new_data"], p=c["probs"])
    _close(q["time"].to_numpy().reshape(-1, 3), c["quantile"])
    _close(q["std_err"].to_numpy().reshape(-1, 3), c["quantile_se"])
    # Interval on the log scale.
    se_log = q["std_err"] / q["time"]
    _close(q["lower"], q["time"] * np.exp(-1.959963984540054 * se_log), rtol=1e-12)


@pytest.mark.parametrize("key", CASES)
def test_survival_and_hazard_with_intervals(key: str, fits: dict[str, Any]) -> None:
    c = R["cases"][key]
    m = fits[key]
    nt = len(c["times"])
    s = m.predict_survival(c["new_data"], times=c["times"])
    _close(s["survival"].to_numpy().reshape(-1, nt), c["survival"])
    _close(s["lower"].to_numpy().reshape(-1, nt), c["survival_lower"])
    _close(s["upper"].to_numpy().reshape(-1, nt), c["survival_upper"])
    h = m.predict_hazard(c["new_data"], times=c["times"])
    _close(h["hazard"].to_numpy().reshape(-1, nt), c["hazard"])
    _close(h["lower"].to_numpy().reshape(-1, nt), c["hazard_lower"])
    _close(h["upper"].to_numpy().reshape(-1, nt), c["hazard_upper"])


@pytest.mark.parametrize("key", CASES)
def test_restricted_mean(key: str, fits: dict[str, Any]) -> None:
    c = R["cases"][key]
    r = fits[key].predict_rmst(c["new_data"], tau=c["tau"])
    nt = len(c["tau"])
    _close(r["rmst"].to_numpy().reshape(-1, nt), c["rmst"], rtol=1e-8)
    _close(r["std_err"].to_numpy().reshape(-1, nt), c["rmst_se"])


@pytest.mark.parametrize("key", CASES)
def test_attrition_rates_follow_the_survival_curve(key: str, fits: dict[str, Any]) -> None:
    c = R["cases"][key]
    m = fits[key]
    edges = [0.0, *c["times"]]
    rates = m.attrition_rates(edges, new_data=c["new_data"])
    s = np.asarray(c["survival"])  # rows x times, from R
    s_prev = np.column_stack([np.ones(s.shape[0]), s[:, :-1]])
    q = 1 - s / s_prev
    width = np.diff(edges)
    _close(rates["exit_probability"].to_numpy().reshape(s.shape), q)
    _close(rates["annual_rate"].to_numpy().reshape(s.shape), 1 - (1 - q) ** (1 / width))
    assert (rates["lower"] < rates["annual_rate"]).all()
    assert (rates["annual_rate"] < rates["upper"]).all()


# ---------------------------------------------------------------------------------
# delayed entry: lifelines (and a Poisson GLM for the exponential)

ENTRY = json.loads((HERE / "parametric_entry.json").read_text())
RTOL_ENTRY = 1e-4


@pytest.mark.parametrize("key", sorted(ENTRY["cases"]))
def test_delayed_entry_against_lifelines(key: str) -> None:
    c = ENTRY["cases"][key]
    df = pl.DataFrame(ENTRY["data"], strict=False, infer_schema_length=None).with_columns(
        time=pl.col("tenure_days") / 365.25, entry=pl.col("entry_days") / 365.25
    )
    covs = ["decade", "region"] if c["covariates"] else []
    m = hrh.parametric(
        df, duration="time", event="event", entry="entry", covariates=covs, dist=c["dist"]
    )
    _close(m.coef, c["coef"], rtol=RTOL_ENTRY)
    if c["dist"] != "exponential":
        _close(m.summary["coef"][-1], c["log_scale"], rtol=RTOL_ENTRY)
    _close(m.loglik, c["loglik"], rtol=RTOL_ENTRY)
    _close(m.variance, c["var"], rtol=RTOL_ENTRY, atol=1e-9)
    # Conditioning on entry matters: without it the fit is another one.
    plain = hrh.parametric(df, duration="time", event="event", covariates=covs, dist=c["dist"])
    assert abs(plain.loglik - m.loglik) > 1.0
