"""Oracle for hrh.parametric with delayed entry (left truncation), which R's survreg
cannot fit: lifelines' WeibullAFTFitter, LogNormalAFTFitter and LogLogisticAFTFitter
with ``entry_col``, and for the exponential statsmodels' Poisson GLM with offset
log(time - entry) (the exponential model's likelihood is a Poisson one in the exits
given the exposure; its coefficients are minus the AFT ones).

Run from the repository root:
    python tests/oracles/parametric_entry.py
It reads the shared real-data file
../shared/data/canadian_senators_tenure/canadian_senators.csv (or
$HRH_DATA/canadian_senators_tenure/...) and writes tests/oracles/parametric_entry.json.

Data: the Canadian senators register as if it had been kept only from 1 January 1900:
senators whose tenure ended before that date are not in it, and those appointed before
it enter observation at entry = (1900-01-01 - start_date) years (left truncation); the
others at 0. Durations and entry in years (days / 365.25); rows with 0 days dropped.
Covariates: `decade` = (year of start_date - 1867) / 10, `region` = Ontario (the
reference), Other or Quebec, as dummy columns.

Parameterisations mapped to survreg's log T = xβ + σW:
* Weibull: lifelines' lambda_ coefficients are β; rho_ = exp(rho_ Intercept) = 1/σ.
* log-normal: mu_ coefficients are β; sigma_ Intercept is log σ.
* log-logistic: alpha_ coefficients are β; beta_ = exp(beta_ Intercept) = 1/σ.
lifelines' log_likelihood_ is that of T (as survreg's), conditioned on survival to
entry. Variances are lifelines' variance_matrix_ carried to (β, log σ) (the sign of the
shape parameter's row and column flips where log σ = -log(shape)). The Poisson GLM
log-likelihood exceeds the survival one by Σ d log(exposure) (d in 0/1, so log d! = 0),
which is taken off here. lifelines is run with scipy's L-BFGS-B at tight tolerances
(the optimizer is recorded per case); the test compares to 1e-4.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import lifelines
import lifelines.exceptions
import numpy as np
import pandas as pd
import statsmodels
import statsmodels.api as sm
from lifelines import LogLogisticAFTFitter, LogNormalAFTFitter, WeibullAFTFitter

HERE = Path(__file__).parent
data_dir = Path(os.environ.get("HRH_DATA", HERE.parents[2] / "shared" / "data"))
csv = data_dir / "canadian_senators_tenure" / "canadian_senators.csv"
if not csv.exists():
    csv = Path("/work/shared/data/canadian_senators_tenure/canadian_senators.csv")

raw = pd.read_csv(csv)
raw = raw[raw["tenure_days"] > 0]
start = pd.to_datetime(raw["start_date"])
end = pd.to_datetime(raw["end_date"])
cut = pd.Timestamp("1900-01-01")
keep = end > cut
raw, start = raw[keep], start[keep]
entry_days = (cut - start).dt.days.clip(lower=0)
df = pd.DataFrame(
    {
        "tenure_days": raw["tenure_days"].to_numpy(),
        "entry_days": entry_days.to_numpy(),
        "event": raw["exit_observed"].astype(int).to_numpy(),
        "decade": ((start.dt.year - 1867) / 10).to_numpy(),
        "region": np.where(
            raw["province_territory"].isin(["Quebec", "Ontario"]),
            raw["province_territory"],
            "Other",
        ),
    }
)
assert (df["entry_days"] < df["tenure_days"]).all()
df["time"] = df["tenure_days"] / 365.25
df["entry"] = df["entry_days"] / 365.25
df["region_Other"] = (df["region"] == "Other").astype(float)
df["region_Quebec"] = (df["region"] == "Quebec").astype(float)
covs = ["decade", "region_Other", "region_Quebec"]

FITTERS = {
    "weibull": (WeibullAFTFitter, "lambda_", "rho_", -1.0),
    "lognormal": (LogNormalAFTFitter, "mu_", "sigma_", 1.0),
    "loglogistic": (LogLogisticAFTFitter, "alpha_", "beta_", -1.0),
}

cases: dict[str, dict[str, object]] = {}
for with_covs in (False, True):
    cols = (covs if with_covs else []) + ["time", "event", "entry"]
    for dist, (cls, loc, shape, sign) in FITTERS.items():
        # scipy's L-BFGS-B with tight tolerances (lifelines' default BFGS stops short of
        # the optimum on these data: its log-likelihood is 2.5e-4 lower for the
        # log-logistic); SLSQP if it fails. lifelines names _scipy_fit_method as the knob.
        for method, options in (
            ("L-BFGS-B", {"ftol": 1e-15, "gtol": 1e-12, "maxiter": 5000}),
            ("SLSQP", {"ftol": 1e-15, "maxiter": 5000}),
        ):
            f = cls(penalizer=0.0)
            f._scipy_fit_method = method
            try:
                f.fit(
                    df[cols],
                    duration_col="time",
                    event_col="event",
                    entry_col="entry",
                    fit_options=options,
                )
                break
            except lifelines.exceptions.ConvergenceError:
                continue
        names = ["Intercept", *(covs if with_covs else [])]
        order = [(loc, n) for n in names] + [(shape, "Intercept")]
        theta = f.params_.loc[order].to_numpy().copy()
        theta[-1] *= sign
        v = f.variance_matrix_.loc[order, order].to_numpy().copy()
        v[-1, :] *= sign
        v[:, -1] *= sign
        cases[f"{dist}{'_covariates' if with_covs else ''}"] = {
            "dist": dist,
            "covariates": covs if with_covs else [],
            "coef": theta[:-1].tolist(),
            "log_scale": float(theta[-1]),
            "var": v.tolist(),
            "loglik": float(f.log_likelihood_),
            "optimizer": method,
        }
    # Exponential: Poisson GLM with offset log(exposure).
    x = sm.add_constant(df[covs]) if with_covs else np.ones((len(df), 1))
    exposure = (df["time"] - df["entry"]).to_numpy()
    g = sm.GLM(
        df["event"].to_numpy(), x, family=sm.families.Poisson(), offset=np.log(exposure)
    ).fit(tol=1e-14)
    d = df["event"].to_numpy()
    cases[f"exponential{'_covariates' if with_covs else ''}"] = {
        "dist": "exponential",
        "covariates": covs if with_covs else [],
        "coef": (-np.asarray(g.params)).tolist(),
        "var": np.asarray(g.cov_params()).tolist(),
        "loglik": float(g.llf - np.sum(d * np.log(exposure))),
    }

out = {
    "versions": {
        "lifelines": lifelines.__version__,
        "statsmodels": statsmodels.__version__,
        "numpy": np.__version__,
        "pandas": pd.__version__,
    },
    "data": {c: df[c].tolist() for c in ["tenure_days", "entry_days", "event", "decade", "region"]},
    "cases": cases,
}
(HERE / "parametric_entry.json").write_text(json.dumps(out))
print("wrote tests/oracles/parametric_entry.json")
