"""hrh's retention analysis (Kaplan-Meier, Cox, person-time tables) against lifelines
and a direct polars implementation."""

from __future__ import annotations

import datetime as dt
from typing import Any

import lifelines
import numpy as np
import polars as pl
from harness import Case
from lifelines import CoxPHFitter, KaplanMeierFitter
from scipy.special import gammaincinv

import hrh

REL = 1e-9
COX_REL = 1e-5
COVARIATES = ["x1", "x2", "x3", "x4", "x5"]
BETA = np.array([0.4, -0.3, 0.2, -0.15, 0.5])
EPOCH = dt.date(1970, 1, 1)
START, END = dt.date(2010, 1, 1), dt.date(2025, 1, 1)
EXTRACT = dt.date(2025, 7, 1)  # the register's extraction date: later exits are unknown
CADRES = ["clinical_officer", "doctor", "lab_technician", "midwife", "nurse", "pharmacist"]
CADRE_SHARES = [0.10, 0.15, 0.12, 0.15, 0.40, 0.08]
REASONS = ["death", "dismissal", "resignation", "retirement", "transfer"]
REASON_SHARES = [0.03, 0.05, 0.45, 0.27, 0.20]
LEVEL = 0.95


def rel_diff(a: Any, b: Any) -> float:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), np.finfo(float).tiny)))


def days(d: dt.date) -> int:
    return (d - EPOCH).days


# --------------------------------------------------------------------------- survival data

Surv = dict[str, Any]


def survival_data(n: int, covariates: bool = False) -> Surv:
    """`n` staff: time in post in whole days (exponential with a mean of 8 years at x = 0,
    so many ties) censored by a uniform follow-up of up to 20 years, about 60 % exits;
    with `covariates`, five standard-normal covariates acting with BETA."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, len(BETA))) if covariates else np.zeros((n, len(BETA)))
    exit_time = rng.exponential(365.25 * 8 / np.exp(x @ BETA))
    follow_up = rng.uniform(0, 365.25 * 20, n)
    t = np.ceil(np.minimum(exit_time, follow_up)).astype(np.int64)
    e = (exit_time <= follow_up).astype(np.int64)
    cols: dict[str, Any] = {"t": t, "e": e}
    if covariates:
        cols |= {c: x[:, j] for j, c in enumerate(COVARIATES)}
    df = pl.DataFrame(cols)
    return {"df": df, "t": t, "e": e, "pandas": df.to_pandas() if covariates else None}


def km_setup(n: int) -> Surv:
    return survival_data(n)


def cox_setup(n: int) -> Surv:
    return survival_data(n, covariates=True)


def hrh_km(s: Surv) -> hrh.KaplanMeier:
    return hrh.kaplan_meier(s["df"], duration="t", event="e")


def lifelines_km(s: Surv) -> KaplanMeierFitter:
    return KaplanMeierFitter().fit(s["t"], s["e"])


def check_at_event_times(table: pl.DataFrame, column: str, peer: Any, curve: Any) -> None:
    """hrh's `column` of a curve `table` against a lifelines fitter's `curve` (a
    one-column frame indexed by time) at every time with an exit, and the same number
    of such times."""
    tab = table.filter(pl.col("events") > 0)
    times = tab["time"].to_numpy()
    grid = curve.index.to_numpy(dtype=float)
    pos = np.searchsorted(grid, times)
    assert np.all(grid[pos] == times), "lifelines' timeline lacks some event times"
    n_event_times = int(np.sum(peer.event_table["observed"].to_numpy() > 0))
    assert times.size == n_event_times, (times.size, n_event_times)
    d = rel_diff(tab[column].to_numpy(), curve.iloc[pos, 0].to_numpy())
    assert d < REL, f"{column}: max relative difference {d:.3g}"


def check_km(ours: hrh.KaplanMeier, peer: KaplanMeierFitter) -> None:
    check_at_event_times(ours.table, "survival", peer, peer.survival_function_)


def hrh_cox(s: Surv) -> hrh.CoxResult:
    return hrh.cox(s["df"], duration="t", event="e", covariates=COVARIATES, ties="efron")


def lifelines_cox(s: Surv) -> CoxPHFitter:
    # lifelines' only tie method is Efron's.
    return CoxPHFitter().fit(s["pandas"], duration_col="t", event_col="e")


def check_cox(ours: hrh.CoxResult, peer: CoxPHFitter) -> None:
    assert ours.summary["term"].to_list() == list(peer.params_.index), "terms differ"
    a, b = ours.summary["coef"].to_numpy(), peer.params_.to_numpy()
    d = rel_diff(a, b)
    assert d < COX_REL, f"coefficients: max relative difference {d:.3g} ({a} vs {b})"


# --------------------------------------------------------------------------- person-time


def register(n: int) -> pl.DataFrame:
    """`n` employment spells: hired uniformly 1985-2024; tenure exponential (mean 9
    years, at least a day); exits after the extraction date (mid-2025) unknown (null);
    an exit reason for every known exit; 6 cadres."""
    rng = np.random.default_rng(0)
    hire = rng.integers(days(dt.date(1985, 1, 1)), days(END), n)
    exit_ = hire + 1 + rng.exponential(365.25 * 9, n).astype(np.int64)
    known = exit_ < days(EXTRACT)
    reason = np.array(REASONS)[rng.choice(len(REASONS), n, p=REASON_SHARES)]
    cadre = np.array(CADRES)[rng.choice(len(CADRES), n, p=CADRE_SHARES)]
    return pl.DataFrame(
        {
            "cadre": cadre,
            "hire": pl.Series(hire.astype(np.int32)).cast(pl.Date),
            "exit": pl.Series(np.where(known, exit_, 0).astype(np.int32)).cast(pl.Date),
            "reason": reason,
            "known": known,
        }
    ).select(
        "cadre",
        "hire",
        pl.when("known").then("exit").alias("exit"),
        pl.when("known").then("reason").alias("reason"),
    )


def hrh_person_time(reg: pl.DataFrame) -> pl.DataFrame:
    return hrh.person_time(
        reg, entry="hire", exit="exit", reason="reason", by="cadre", start=START, end=END
    )


def polars_person_time(reg: pl.DataFrame) -> pl.DataFrame:
    """The same table straight in polars: spells [hire, exit) overlapping [START, END), and
    those that end on START (in post at its start and an exit then, as in hrh);
    headcount at each year's start and person-days by per-year overlap arithmetic (one
    group_by with an expression per year), entrants and exits by reason from group_by on
    the year, joined onto the full cadre × year grid."""
    years = list(range(START.year, END.year))
    bounds = [dt.date(y, 1, 1) for y in years] + [END]
    hire, exit_ = pl.col("hire"), pl.col("exit")
    spells = reg.lazy().filter((hire < END) & (exit_.is_null() | (exit_ >= START)))
    open_end = exit_.fill_null(END)
    per_year = []
    for y, p, q in zip(years, bounds[:-1], bounds[1:], strict=True):
        overlap = pl.min_horizontal(open_end, pl.lit(q)) - pl.max_horizontal(hire, pl.lit(p))
        per_year += [
            ((hire < p) & (exit_.is_null() | (exit_ >= p))).sum().alias(f"hc_{y}"),
            overlap.dt.total_days().clip(lower_bound=0).sum().alias(f"days_{y}"),
        ]
    wide = spells.group_by("cadre").agg(per_year)
    stocks = (
        wide.unpivot(index="cadre")
        .with_columns(pl.col("variable").str.split_exact("_", 1).struct.unnest())
        .select(
            "cadre",
            pl.col("field_1").cast(pl.Int32).alias("year"),
            pl.col("field_0").alias("what"),
            pl.col("value").cast(pl.Float64),
        )
        .collect()
        .pivot(on="what", index=["cadre", "year"], values="value")
    )
    entrants = (
        spells.filter(hire >= START)
        .group_by("cadre", hire.dt.year().alias("year"))
        .agg(pl.len().cast(pl.Float64).alias("entrants"))
        .collect()
    )
    exits = (
        spells.filter(exit_ < END)
        .group_by("cadre", exit_.dt.year().alias("year"), "reason")
        .agg(pl.len().cast(pl.Float64).alias("n"))
        .collect()
        .pivot(on="reason", index=["cadre", "year"], values="n", sort_columns=True)
    )
    reasons = sorted(c for c in exits.columns if c not in ("cadre", "year"))
    exits = exits.rename({r: f"exits_{r}" for r in reasons})
    grid = (
        reg.select(pl.col("cadre").unique())
        .join(pl.DataFrame({"year": pl.Series(years, dtype=pl.Int32)}), how="cross")
        .sort("cadre", "year")
    )
    out = (
        grid.join(stocks, on=["cadre", "year"], how="left")
        .join(entrants, on=["cadre", "year"], how="left")
        .join(exits, on=["cadre", "year"], how="left")
        .fill_null(0.0)
        .with_columns(exits=pl.sum_horizontal(f"exits_{r}" for r in reasons))
        .with_columns(
            period_start=pl.date(pl.col("year"), 1, 1),
            period_end=pl.date(pl.col("year") + 1, 1, 1),
            headcount_end=pl.col("hc") + pl.col("entrants") - pl.col("exits"),
            person_years=pl.col("days") / 365.25,
        )
    )
    x = out["exits"].to_numpy()
    py = out["person_years"].to_numpy()
    alpha = 1 - LEVEL
    low = np.zeros_like(x)
    low[x > 0] = gammaincinv(x[x > 0], alpha / 2)
    high = gammaincinv(x + 1, 1 - alpha / 2)
    return out.select(
        "cadre",
        "period_start",
        "period_end",
        pl.col("hc").alias("headcount_start"),
        "headcount_end",
        "entrants",
        "exits",
        *(f"exits_{r}" for r in reasons),
        "person_years",
        exit_rate=pl.Series(100 * x / py),
        lower=pl.Series(100 * low / py),
        upper=pl.Series(100 * high / py),
        turnover=pl.col("exits") / ((pl.col("hc") + pl.col("headcount_end")) / 2),
    )


def check_person_time(ours: pl.DataFrame, peer: pl.DataFrame) -> None:
    assert ours.columns == peer.columns, f"columns differ: {ours.columns} vs {peer.columns}"
    keys = ["cadre", "period_start", "period_end"]
    assert ours.select(keys).equals(peer.select(keys)), "rows differ or are not in the same order"
    for c in ours.columns[len(keys) :]:
        a = ours[c].cast(pl.Float64).to_numpy()
        b = peer[c].cast(pl.Float64).to_numpy()
        if c in ("person_years", "exit_rate", "lower", "upper", "turnover"):
            d = rel_diff(a, b)
            assert d < REL, f"{c}: max relative difference {d:.3g}"
        else:
            assert np.array_equal(a, b), f"{c}: counts differ"


# --------------------------------------------------------------------------- cases


def cases(quick: bool) -> list[Case]:
    ll = f"lifelines {lifelines.__version__}"
    surv = (
        "N staff: time in post in whole days (exponential, mean 8 years, censored by a "
        "uniform follow-up of up to 20 years; about 60 % exits, ~7,000 distinct times)"
    )
    return [
        Case(
            name="kaplan_meier",
            sizes=[10**5, 10**6] if quick else [10**5, 10**6, 10**7],
            setup=km_setup,
            hrh=hrh_km,
            peer=lifelines_km,
            peer_name=f"{ll} `KaplanMeierFitter().fit(t, e)` on numpy arrays",
            check=check_km,
            description='`hrh.kaplan_meier(df, duration="t", event="e")` (with Greenwood '
            f"standard errors and log intervals; lifelines adds log-log ones). {surv}.",
        ),
        Case(
            name="cox",
            sizes=[10**4, 10**5] if quick else [10**4, 10**5, 10**6],
            setup=cox_setup,
            hrh=hrh_cox,
            peer=lifelines_cox,
            peer_name=f"{ll} `CoxPHFitter().fit(df, duration_col, event_col)` (Efron ties, "
            "default convergence) on a pandas DataFrame",
            check=check_cox,
            min_repeats=1,
            description='`hrh.cox(df, duration="t", event="e", covariates=[x1..x5], '
            f'ties="efron")`. {surv}; five standard-normal covariates, true log hazard '
            f"ratios {', '.join(f'{b:g}' for b in BETA)}. Coefficients agree to "
            f"{COX_REL:g} relative.",
        ),
        Case(
            name="person_time",
            sizes=[10**5, 10**6] if quick else [10**5, 10**6, 10**7],
            setup=register,
            hrh=hrh_person_time,
            peer=polars_person_time,
            peer_name=f"polars {pl.__version__} lazy (overlap filter, one group_by with "
            "per-year headcount and overlap-days expressions, group_by year for entrants "
            "and exits by reason, pivot, joins onto the cadre × year grid); scipy "
            "gammaincinv for the exact Poisson interval",
            check=check_person_time,
            description='`hrh.person_time(register, entry="hire", exit="exit", '
            'reason="reason", by="cadre", start="2010-01-01", end="2025-01-01")`: 6 '
            "cadres × 15 years. Register of N spells: hired uniformly 1985-2024, tenure "
            "exponential with mean 9 years, exits after mid-2025 unknown (null), 5 exit "
            "reasons; polars Date columns.",
        ),
    ]
