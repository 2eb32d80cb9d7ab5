"""hrh's survival curves and tests on durations in fractional years (the durations users
pass: ``(exit - hire).dt.total_days() / 365.25``), rounded to 0.01 years or unrounded,
against lifelines; and Cox against R's ``coxph`` where R is installed."""

from __future__ import annotations

import functools
import shutil
import subprocess
import tempfile
import warnings
from pathlib import Path
from typing import Any

import lifelines
import numpy as np
import polars as pl
from bench_attrition import (
    COVARIATES,
    COX_REL,
    check_at_event_times,
    check_km,
    cox_setup,
    hrh_cox,
    hrh_km,
    lifelines_km,
    rel_diff,
)
from harness import Case, PeerTiming
from lifelines import AalenJohansenFitter, KaplanMeierFitter, NelsonAalenFitter
from lifelines.statistics import logrank_test

import hrh

REL = 1e-9
SHAPE = 1.2  # Weibull shape of the time in post
SCALE = {"a": 12.0, "b": 10.0}  # Weibull scale in years, by group
FOLLOW_UP = 60.0  # years: hired uniformly over the 60 years before the extraction date
CAUSE_SHARES = [0.6, 0.4]  # exits by cause 1 (e.g. resignation) and 2 (retirement)
BENCHES = Path(__file__).resolve().parent

Surv = dict[str, Any]


def float_survival(n: int, rounded: bool) -> Surv:
    """`n` staff in two groups: time in post in years, Weibull (shape 1.2, scale 12
    years in group a and 10 in group b), censored at the extraction date by a uniform
    follow-up of up to 60 years; an exit's cause 1 or 2 (60:40); `rounded` to 0.01
    years (at most 6,000 distinct times) or not (all times distinct)."""
    rng = np.random.default_rng(0)
    g = rng.integers(0, 2, n)
    scale = np.where(g == 0, SCALE["a"], SCALE["b"])
    exit_time = scale * rng.weibull(SHAPE, n)
    follow_up = rng.uniform(0.0, FOLLOW_UP, n)
    t = np.minimum(exit_time, follow_up)
    if rounded:
        t = np.round(t, 2)
    e = (exit_time <= follow_up).astype(np.int64)
    cause = np.where(e == 1, rng.choice([1, 2], n, p=CAUSE_SHARES), 0).astype(np.int64)
    df = pl.DataFrame({"t": t, "e": e, "g": np.array(["a", "b"])[g], "cause": cause})
    a = g == 0
    return {
        "df": df,
        "t": t,
        "e": e,
        "cause": cause,
        "split": (t[a], t[~a], e[a], e[~a]),
    }


# --------------------------------------------------------------------------- curves


def hrh_na(s: Surv) -> hrh.CumulativeHazard:
    return hrh.nelson_aalen(s["df"], duration="t", event="e")


def lifelines_na(s: Surv) -> NelsonAalenFitter:
    # Increments d/n, as hrh's default (lifelines' default smooths tied exits).
    return NelsonAalenFitter(nelson_aalen_smoothing=False).fit(s["t"], s["e"])


def check_na(ours: hrh.CumulativeHazard, peer: NelsonAalenFitter) -> None:
    check_at_event_times(ours.table, "cumulative_hazard", peer, peer.cumulative_hazard_)


def days_survival(n: int) -> Surv:
    """The staff of :func:`float_survival`, time in post counted in whole days and
    turned into years as users do, ``(exit - hire).dt.total_days() / 365.25``."""
    s = float_survival(n, rounded=False)
    t = np.floor(s["t"] * 365.25) / 365.25
    a = s["df"]["g"].to_numpy() == "a"
    e = s["e"]
    return {
        **s,
        "df": s["df"].with_columns(t=pl.Series(t)),
        "t": t,
        "split": (t[a], t[~a], e[a], e[~a]),
    }


def hrh_km_by(s: Surv) -> hrh.KaplanMeier:
    return hrh.kaplan_meier(s["df"], duration="t", event="e", by="g")


def lifelines_km_by(s: Surv) -> list[KaplanMeierFitter]:
    """One fit per group, on numpy arrays split by group beforehand (not timed)."""
    ta, tb, ea, eb = s["split"]
    return [KaplanMeierFitter().fit(ta, ea), KaplanMeierFitter().fit(tb, eb)]


def check_km_by(ours: hrh.KaplanMeier, peer: list[KaplanMeierFitter]) -> None:
    assert ours.table["g"].unique(maintain_order=True).to_list() == ["a", "b"], "groups"
    for g, fitter in zip(("a", "b"), peer, strict=True):
        tab = ours.table.filter(pl.col("g") == g)
        check_at_event_times(tab, "survival", fitter, fitter.survival_function_)


# --------------------------------------------------------------------------- log-rank


def hrh_logrank(s: Surv) -> hrh.LogRankResult:
    return hrh.logrank(s["df"], duration="t", event="e", group="g")


def lifelines_logrank(s: Surv) -> Any:
    ta, tb, ea, eb = s["split"]
    return logrank_test(ta, tb, ea, eb)


def check_logrank(ours: hrh.LogRankResult, peer: Any) -> None:
    d = rel_diff(ours.statistic, peer.test_statistic)
    assert d < REL, f"statistic: relative difference {d:.3g}"
    d = rel_diff(ours.p_value, peer.p_value)
    assert d < REL, f"p-value: relative difference {d:.3g}"


# --------------------------------------------------------------------------- Aalen-Johansen


def hrh_aj(s: Surv) -> tuple[hrh.CumulativeIncidence, Surv]:
    # The inputs ride along for the check's reference (no cost to the timing).
    return hrh.cumulative_incidence(s["df"], duration="t", cause="cause"), s


def lifelines_aj(s: Surv) -> list[AalenJohansenFitter]:
    """One fit per cause (lifelines estimates one cause at a time), without its
    variance (9 s per cause at 1e5 rows on the reference machine)."""
    with warnings.catch_warnings():  # lifelines warns when it jitters tied times
        warnings.simplefilter("ignore")
        t, cause = s["t"], s["cause"]
        return [
            AalenJohansenFitter(calculate_variance=False).fit(t, cause, event_of_interest=k)
            for k in (1, 2)
        ]


def aj_reference(t: np.ndarray, cause: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
    """Aalen-Johansen by its formula at each distinct time (hrh reports every one):
    F_k(t) = Σ_{t_j <= t} S(t_{j−1}) d_kj / n_j, S the all-cause Kaplan-Meier."""
    u, inv = np.unique(t, return_inverse=True)
    at_risk = np.bincount(inv, minlength=u.size)[::-1].cumsum()[::-1].astype(float)
    d = [np.bincount(inv, weights=(cause == k).astype(float), minlength=u.size) for k in (1, 2)]
    d_all = d[0] + d[1]
    surv = np.cumprod(1.0 - d_all / at_risk)
    before = np.concatenate([[1.0], surv[:-1]])
    return u, [np.cumsum(before * dk / at_risk) for dk in d]


def check_aj(ours: tuple[hrh.CumulativeIncidence, Surv], peer: list[AalenJohansenFitter]) -> None:
    """hrh against the formula; against lifelines too when no two exits share a time
    (with ties lifelines jitters the tied times at random, by design, so its curve is
    that of other data)."""
    ci, s = ours
    t, cause = s["t"], s["cause"]
    times, ref = aj_reference(t, cause)
    exits = t[cause > 0]
    tied = np.unique(exits).size < exits.size
    for k, fitter in zip((1, 2), peer, strict=True):
        tab = ci.table.filter(pl.col("cause") == k)
        got = tab["time"].to_numpy()
        assert np.array_equal(got, times), f"cause {k}: times differ from the distinct times"
        inc = tab["cumulative_incidence"].to_numpy()
        d = rel_diff(inc, ref[k - 1])
        assert d < REL, f"cause {k}: max relative difference {d:.3g} from the formula"
        if not tied:
            cd = fitter.cumulative_density_
            grid = cd.index.to_numpy(dtype=float)
            pos = np.searchsorted(grid, got)
            assert np.all(grid[pos] == got), "lifelines' timeline lacks some exit times"
            d = rel_diff(inc, cd.iloc[pos, 0].to_numpy())
            assert d < REL, f"cause {k}: max relative difference {d:.3g} from lifelines"


# --------------------------------------------------------------------------- Cox against R


@functools.cache
def r_survival() -> str | None:
    """The version of R's survival package, or None without R or the package."""
    if shutil.which("Rscript") is None:
        return None
    proc = subprocess.run(
        ["Rscript", "-e", 'cat(as.character(packageVersion("survival")))'],
        capture_output=True,
        text=True,
    )
    return proc.stdout.strip() if proc.returncode == 0 else None


def cox_r_setup(n: int) -> dict[str, Any]:
    """The Cox data of bench_attrition, also written once as CSV for R (kept in the
    temporary directory between processes; the polars CSV writer keeps every digit)."""
    s = cox_setup(n)
    path = Path(tempfile.gettempdir()) / "hrh-bench" / f"cox_{n}.csv"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{np.random.default_rng().integers(1 << 30)}.tmp")
        s["df"].write_csv(tmp)
        tmp.replace(path)
    return {**s, "csv": path}


def r_coxph(s: dict[str, Any], min_repeats: int = 1, min_seconds: float = 2.0) -> PeerTiming:
    proc = subprocess.run(
        ["Rscript", str(BENCHES / "coxph.R"), str(s["csv"]), str(min_repeats), str(min_seconds)],
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"Rscript failed:\n{proc.stderr[-2000:]}")
    out = {ln.split()[0]: ln.split()[1:] for ln in proc.stdout.splitlines() if ln.strip()}
    return PeerTiming(
        result=np.array([float(v) for v in out["coef"]]),
        times_s=[float(v) for v in out["times"]],
        peak_mib=float(out["peak_mib"][0]),
    )


def check_cox_r(ours: hrh.CoxResult, peer: np.ndarray) -> None:
    assert ours.summary["term"].to_list() == COVARIATES, "terms differ"
    a = ours.summary["coef"].to_numpy()
    d = rel_diff(a, peer)
    assert d < COX_REL, f"coefficients: max relative difference {d:.3g} ({a} vs {peer})"


# --------------------------------------------------------------------------- cases


def cases(quick: bool) -> list[Case]:
    ll = f"lifelines {lifelines.__version__}"
    sizes = [10**5, 10**6] if quick else [10**5, 10**6, 10**7]
    data = {
        True: "rounded to 0.01 years (5,204 distinct times at 1e6 rows)",
        False: "unrounded (every time distinct)",
    }
    workload = (
        "N staff in 2 groups (String column): time in post in years, Weibull (shape "
        f"{SHAPE:g}, scale {SCALE['a']:g} and {SCALE['b']:g} years), censored by a uniform "
        f"follow-up of up to {FOLLOW_UP:g} years (about 83 % exits); Float64 durations "
    )
    # Kaplan-Meier against lifelines, on every kind of duration.
    km: dict[str, Any] = {
        "hrh": hrh_km,
        "peer": lifelines_km,
        "peer_name": f"{ll} `KaplanMeierFitter().fit(t, e)` on numpy arrays",
        "check": check_km,
    }
    out: list[Case] = []
    for rounded in (True, False):
        tag = "years_0.01" if rounded else "years"
        setup = functools.partial(float_survival, rounded=rounded)
        about = workload + data[rounded] + "."
        out += [
            Case(
                name=f"kaplan_meier_{tag}",
                sizes=sizes,
                setup=setup,
                **km,
                description='`hrh.kaplan_meier(df, duration="t", event="e")` (Greenwood '
                f"standard errors, log intervals). {about}",
            ),
            Case(
                name=f"nelson_aalen_{tag}",
                sizes=sizes,
                setup=setup,
                hrh=hrh_na,
                peer=lifelines_na,
                peer_name=f"{ll} `NelsonAalenFitter(nelson_aalen_smoothing=False).fit(t, e)` "
                "on numpy arrays",
                check=check_na,
                description='`hrh.nelson_aalen(df, duration="t", event="e")` (increments d/n, '
                f"with standard errors). {about}",
            ),
            Case(
                name=f"logrank_{tag}",
                sizes=sizes,
                setup=setup,
                hrh=hrh_logrank,
                peer=lifelines_logrank,
                peer_name=f"{ll} `statistics.logrank_test(t_a, t_b, e_a, e_b)` on numpy arrays "
                "split by group beforehand (not timed)",
                check=check_logrank,
                description='`hrh.logrank(df, duration="t", event="e", group="g")`, 2 groups; '
                f"statistic and p-value agree to {REL:g}. {about}",
            ),
            Case(
                name=f"aalen_johansen_{tag}",
                sizes=sizes,
                setup=setup,
                hrh=hrh_aj,
                peer=lifelines_aj,
                peer_name=f"{ll} `AalenJohansenFitter(calculate_variance=False)`, one fit per "
                "cause, on numpy arrays (without the variance, which hrh computes: lifelines "
                "takes 9 s per cause for it at 1e5 rows)",
                check=check_aj,
                description='`hrh.cumulative_incidence(df, duration="t", cause="cause")`, '
                "2 causes (60:40, integer codes), with standard errors and intervals. Checked "
                "against the Aalen-Johansen formula computed in numpy, and against lifelines "
                "where no two exits share a time (with ties lifelines jitters the tied times "
                f"at random, so its curve is that of other data). {about}",
            ),
        ]
    out += [
        Case(
            name="kaplan_meier_by_years_0.01",
            sizes=sizes,
            setup=functools.partial(float_survival, rounded=True),
            hrh=hrh_km_by,
            peer=lifelines_km_by,
            peer_name=f"{ll} `KaplanMeierFitter().fit(t, e)` once per group, on numpy arrays "
            "split by group beforehand (not timed)",
            check=check_km_by,
            description='`hrh.kaplan_meier(df, duration="t", event="e", by="g")`, one curve '
            f"per group of the String column. {workload}{data[True]}.",
        ),
        Case(
            name="kaplan_meier_days_365.25",
            sizes=sizes,
            setup=days_survival,
            **km,
            description='`hrh.kaplan_meier(df, duration="t", event="e")`. '
            f"{workload}in whole days / 365.25, as `(exit - hire).dt.total_days() / 365.25` "
            "gives them.",
        ),
    ]
    version = r_survival()
    if version is not None:
        out.append(
            Case(
                name="cox_vs_r",
                sizes=[10**4, 10**5] if quick else [10**4, 10**5, 10**6],
                setup=cox_r_setup,
                hrh=hrh_cox,
                peer=r_coxph,
                peer_name=f"R survival {version} `coxph(Surv(t, e) ~ x1 + ... + x5, "
                'ties = "efron")`, timed inside R by `system.time` around `coxph` alone '
                "(data read from CSV once, one warm-up fit); peak MiB is R's heap "
                "(`gc()` max used) above its level before the fits",
                check=check_cox_r,
                min_repeats=1,
                peer_timed_itself=True,
                description='`hrh.cox(df, duration="t", event="e", covariates=[x1..x5], '
                'ties="efron")` on the data of attrition/cox (whole days, five '
                f"standard-normal covariates). Coefficients agree to {COX_REL:g} relative.",
            )
        )
    return out
