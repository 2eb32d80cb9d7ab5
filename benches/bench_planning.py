"""hrh.simulate (Monte Carlo stock-and-flow workforce projection) against the same model
written in vectorised numpy.

The scenario: 700 districts x 5 cadres x 45 single-year ages (20 to 64, retirement at
65), one grade per cadre, no training programmes, 30 projected years. Per draw: a death
rate per cadre (beta), an attrition rate per district and cadre for ages 20-34 (beta) and
one per cadre for ages 35-54 and 55-64 (beta), entrants per district and cadre (normal,
truncated at 0) with a discretised-normal age profile, migration out of five districts
into neighbours (beta), and population growth per district (normal) driving demand by a
norm per 1,000 population. The size of each case is the number of draws.

The numpy peer steps the same expected-value model year by year on arrays of shape
(age, cadre, batch of draws, district), keeps every draw's supply and population, and
takes exact quantiles with ``np.quantile``. Its random streams differ from hrh's, so the
check compares the deterministic paths (``draws=0``, every parameter at its mean) to 1e-9
and the distributions over draws statistically.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl
from harness import Case
from scipy.special import erfc

import hrh

REL = 1e-9
START_YEAR = 2024
HORIZON = 30
N_DISTRICTS = 700
MIN_AGE, RETIREMENT_AGE = 20, 65
N_AGES = RETIREMENT_AGE - MIN_AGE
CADRES = ["doctor", "nurse", "midwife", "clinical_officer", "lab_technician"]
STAFF_PER_DISTRICT = np.array([15.0, 120.0, 50.0, 35.0, 20.0])  # mean stock per cadre
NORM_PER_1000 = np.array([0.25, 1.8, 0.7, 0.5, 0.3])
DEATH_AB = np.array([[4.0, 1996.0], [5.0, 1995.0], [4.0, 1996.0], [6.0, 1994.0], [5.0, 1995.0]])
ATTRITION_CONCENTRATION = 300.0  # a + b of the district attrition betas (sd about 0.013)
BANDS = (35, 55)  # attrition bands 20-34 (by district), 35-54 and 55-64 (by cadre)
BAND_AB = np.array([[[30.0, 970.0], [45.0, 955.0]]] * len(CADRES))  # (cadre, band, a/b)
ENTRANT_AGE = np.array([(27.0, 2.0), (23.0, 2.5), (23.0, 2.5), (24.0, 2.0), (24.0, 2.0)])
ENTRANT_CV = 0.2
GROWTH_SD = 0.005
# Migration: (from, to) district indices, each origin once (the shares leaving a district
# may not exceed 1, and a beta can reach 1); every cadre moves.
MIGRATION = [(1, 0), (2, 0), (11, 10), (101, 100), (350, 349)]
MIGRATION_AB = (2.0, 98.0)
PROBS = np.array([0.05, 0.25, 0.5, 0.75, 0.95])
Q_NAMES = ["lower_90", "lower_50", "median", "upper_50", "upper_90"]  # the 5 ... 95 % quantiles
BATCH = 4  # numpy draws per batch: state arrays of 4 x 45 x 5 x 700 floats (5 MiB)


# --------------------------------------------------------------------------- scenario

Inputs = dict[str, Any]


def beta_doc(a: float, b: float) -> dict[str, Any]:
    return {"dist": "beta", "a": float(a), "b": float(b)}


def normal_doc(mean: float, sd: float) -> dict[str, Any]:
    return {"dist": "normal", "mean": float(mean), "sd": float(sd)}


def setup(draws: int) -> Inputs:
    """The scenario as arrays (for numpy) and as an hrh scenario dict, from a seeded
    generator; `draws` only travels along."""
    rng = np.random.default_rng(0)
    regions = [f"D{r:03d}" for r in range(N_DISTRICTS)]
    ages = np.arange(MIN_AGE, RETIREMENT_AGE)
    # Stock: Poisson counts around a district size factor x cadre size x an age profile
    # that thins out towards retirement.
    size = rng.lognormal(0.0, 0.5, N_DISTRICTS)
    profile = np.exp(-((ages - 38.0) ** 2) / (2 * 12.0**2))
    profile /= profile.sum()
    lam = size[:, None, None] * STAFF_PER_DISTRICT[None, :, None] * profile[None, None, :]
    stock = rng.poisson(lam).astype(np.float64)  # (district, cadre, age)
    att_mean = rng.uniform(0.03, 0.08, (N_DISTRICTS, len(CADRES)))
    att_a = att_mean * ATTRITION_CONCENTRATION
    att_b = (1 - att_mean) * ATTRITION_CONCENTRATION
    ent_mean = stock.sum(axis=2) * rng.uniform(0.04, 0.07, (N_DISTRICTS, len(CADRES))) + 0.5
    ent_sd = ENTRANT_CV * ent_mean
    pop_base = np.round(1e5 * size * rng.uniform(0.8, 1.2, N_DISTRICTS))
    growth_mean = rng.uniform(0.015, 0.03, N_DISTRICTS)
    mig_from = np.array([f for f, _ in MIGRATION])
    mig_to = np.array([t for _, t in MIGRATION])

    r_idx, c_idx, a_idx = np.nonzero(np.ones_like(stock, dtype=bool))
    stock_rows = [
        {"region": regions[r], "cadre": CADRES[c], "age": MIN_AGE + a, "count": n}
        for r, c, a, n in zip(
            r_idx.tolist(), c_idx.tolist(), a_idx.tolist(), stock.ravel().tolist(), strict=True
        )
    ]
    cadres = []
    for c, name in enumerate(CADRES):
        cadres.append(
            {
                "name": name,
                "retirement_age": RETIREMENT_AGE,
                "death_rate": beta_doc(*DEATH_AB[c]),
                "attrition": {
                    "rate": {
                        regions[r]: beta_doc(att_a[r, c], att_b[r, c]) for r in range(N_DISTRICTS)
                    },
                    "by_age": [
                        {"from": BANDS[j], "rate": beta_doc(*BAND_AB[c, j])}
                        for j in range(len(BANDS))
                    ],
                },
                "entrants": {
                    "per_year": {
                        regions[r]: normal_doc(ent_mean[r, c], ent_sd[r, c])
                        for r in range(N_DISTRICTS)
                    },
                    "age": {"mean": float(ENTRANT_AGE[c, 0]), "sd": float(ENTRANT_AGE[c, 1])},
                },
                "demand": {"method": "norm", "per_1000": float(NORM_PER_1000[c])},
            }
        )
    scenario = {
        "name": "700 districts",
        "start_year": START_YEAR,
        "horizon": HORIZON,
        "regions": regions,
        "min_age": MIN_AGE,
        "cadres": cadres,
        "stock": stock_rows,
        "migration": [
            {"from": regions[f], "to": regions[t], "rate": beta_doc(*MIGRATION_AB)}
            for f, t in MIGRATION
        ],
        "population": {
            "base": {regions[r]: float(pop_base[r]) for r in range(N_DISTRICTS)},
            "growth": {
                regions[r]: normal_doc(growth_mean[r], GROWTH_SD) for r in range(N_DISTRICTS)
            },
        },
    }
    return {
        "draws": draws,
        "scenario": scenario,
        "stock": stock,
        "att_a": att_a,
        "att_b": att_b,
        "ent_mean": ent_mean,
        "ent_sd": ent_sd,
        "pop_base": pop_base,
        "growth_mean": growth_mean,
        "mig_from": mig_from,
        "mig_to": mig_to,
        "entrant_shares": entrant_shares(),
    }


def entrant_shares() -> np.ndarray:
    """Entrants' age shares per cadre (cadre, age): the normal's mass over each year of
    age, normalised over the working ages (hrh's discretisation)."""
    mean, sd = ENTRANT_AGE[:, :1], ENTRANT_AGE[:, 1:]
    lo = (MIN_AGE + np.arange(N_AGES)[None, :] - mean) / sd

    def cdf(x: np.ndarray) -> np.ndarray:
        return 0.5 * erfc(-x / np.sqrt(2.0))

    shares = cdf(lo + 1.0 / sd) - cdf(lo)
    return shares / shares.sum(axis=1, keepdims=True)


# --------------------------------------------------------------------------- numpy peer


def truncated_normal(
    rng: np.random.Generator, mean: np.ndarray, sd: np.ndarray, lower: float, size: tuple
) -> np.ndarray:
    """Normal draws below `lower` redrawn (hrh's rejection sampling)."""
    mean, sd = np.broadcast_to(mean, size), np.broadcast_to(sd, size)
    x = rng.normal(mean, sd)
    bad = x < lower
    while bad.any():
        x[bad] = rng.normal(mean[bad], sd[bad])
        bad = x < lower
    return x


def sample(p: Inputs, rng: np.random.Generator | None, n: int) -> dict[str, np.ndarray]:
    """Parameters of `n` draws; with no generator, every parameter at its mean."""
    nr, nc = p["att_a"].shape
    k = len(p["mig_from"])
    if rng is None:

        def one(x: Any) -> np.ndarray:
            return np.broadcast_to(x, (n, *np.shape(x))).copy()

        return {
            "death": one(DEATH_AB[:, 0] / DEATH_AB.sum(axis=1)),
            "att": one(p["att_a"] / (p["att_a"] + p["att_b"])),
            "band": one(BAND_AB[..., 0] / BAND_AB.sum(axis=2)),
            "ent": one(p["ent_mean"]),
            "growth": one(p["growth_mean"]),
            "mig": one(np.full(k, MIGRATION_AB[0] / sum(MIGRATION_AB))),
        }
    return {
        "death": rng.beta(DEATH_AB[:, 0], DEATH_AB[:, 1], (n, nc)),
        "att": rng.beta(p["att_a"], p["att_b"], (n, nr, nc)),
        "band": rng.beta(BAND_AB[..., 0], BAND_AB[..., 1], (n, nc, len(BANDS))),
        "ent": truncated_normal(rng, p["ent_mean"], p["ent_sd"], 0.0, (n, nr, nc)),
        "growth": truncated_normal(rng, p["growth_mean"], GROWTH_SD, -1.0, (n, nr)),
        "mig": rng.beta(*MIGRATION_AB, (n, k)),
    }


def numpy_paths(p: Inputs, draws: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Supply per (year, draw, district, cadre) and population per (year, draw,
    district); `draws` = 0 runs one draw at the parameter means.

    The state of a batch of draws is an (age, cadre, draw, district) array: ageing is a
    shift along the outer axis and the other flows are products with contiguous rows
    of a few thousand numbers, which numpy does at memory speed (an (draw, district,
    cadre, age) layout, with rows of 45 ages, runs about four times slower)."""
    rng = None if draws == 0 else np.random.default_rng(seed)
    n = max(draws, 1)
    nr, nc, na = p["stock"].shape
    supply = np.empty((HORIZON + 1, n, nr, nc))
    pop = np.empty((HORIZON + 1, n, nr))
    years = np.arange(HORIZON + 1)[:, None, None]
    b1, b2 = BANDS[0] - MIN_AGE, BANDS[1] - MIN_AGE
    stock = p["stock"].transpose(2, 1, 0)[:, :, None, :]  # (age, cadre, 1, district)
    shares = p["entrant_shares"].T  # (age, cadre)
    young = int(np.flatnonzero(shares.any(axis=1))[-1]) + 1  # entrants are younger
    shares = shares[:young, :, None, None]
    mig_from, mig_to = p["mig_from"], p["mig_to"]
    for start in range(0, n, BATCH):
        b = min(BATCH, n - start)
        v = sample(p, rng, b)
        # Survival over one year, constant within a draw: (1 - death) x (1 - hazard),
        # for ages 20..63 (those aged 64 retire).
        hazard = np.empty((na - 1, nc, b, nr))
        hazard[:b1] = v["att"].transpose(2, 0, 1)
        hazard[b1:b2] = v["band"][:, :, 0].T[:, :, None]
        hazard[b2:] = v["band"][:, :, 1].T[:, :, None]
        np.minimum(hazard, 1.0, out=hazard)
        surv = np.subtract(1.0, hazard, out=hazard)
        surv *= (1.0 - v["death"]).T[:, :, None]
        entrants = v["ent"].transpose(2, 0, 1)  # (cadre, draw, district)
        rate = v["mig"]  # (draw, flow)
        cur = np.repeat(stock, b, axis=2)
        nxt = np.empty_like(cur)
        arrivals = np.empty((young, nc, b, nr))
        supply[0, start : start + b] = cur.sum(axis=0).transpose(1, 2, 0)
        for t in range(1, HORIZON + 1):
            # Deaths and attrition, then ageing: survivors move up one year of age.
            np.multiply(cur[:-1], surv, out=nxt[1:])
            nxt[0] = 0.0
            # Migration: every flow moves its share of the origin's staff before any move
            # (hrh migrates before ageing; after the shift it is the same numbers one
            # year of age up, and those who retire do not count).
            moved = nxt[..., mig_from] * rate
            for j in range(len(mig_from)):
                nxt[..., mig_from[j]] -= moved[..., j]
                nxt[..., mig_to[j]] += moved[..., j]
            # Entrants at their ages (a constant number per year).
            np.multiply(shares, entrants, out=arrivals)
            nxt[:young] += arrivals
            supply[t, start : start + b] = nxt.sum(axis=0).transpose(1, 2, 0)
            cur, nxt = nxt, cur
        pop[:, start : start + b] = p["pop_base"] * (1.0 + v["growth"]) ** years
    return supply, pop


def summarise(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and exact (type 7) quantiles over draws (axis 0)."""
    return x.mean(axis=0), np.quantile(x, PROBS, axis=0)


def numpy_simulate(p: Inputs, draws: int, seed: int = 1) -> dict[str, np.ndarray]:
    """Supply, demand and gap per (year, district, cadre): mean, quantiles (first axis
    PROBS) and P(gap > 0); and the same summed over districts per (year, cadre + all)."""
    supply, pop = numpy_paths(p, draws, seed)
    out: dict[str, Any] = {}
    shape = (supply.shape[0], *supply.shape[2:])  # (year, district, cadre)
    for key in ("supply", "demand", "gap"):
        out[key] = np.empty(shape)
        out[f"{key}_q"] = np.empty((len(PROBS), *shape))
    out["p_gap"] = np.empty(shape)
    norm = NORM_PER_1000 / 1000.0
    for t in range(HORIZON + 1):  # one year at a time, so temporaries stay small
        s = supply[t]
        d = norm * pop[t, :, :, None]
        g = d - s
        for key, x in (("supply", s), ("demand", d), ("gap", g)):
            out[key][t], out[f"{key}_q"][:, t] = summarise(x)
        out["p_gap"][t] = (g > 0).mean(axis=0)
    ts = supply.sum(axis=2).transpose(1, 0, 2)  # (draw, year, cadre)
    td = norm * pop.sum(axis=2).T[..., None]
    ts = np.concatenate([ts, ts.sum(axis=2, keepdims=True)], axis=2)
    td = np.concatenate([td, td.sum(axis=2, keepdims=True)], axis=2)
    for key, x in (("supply", ts), ("demand", td), ("gap", td - ts)):
        out[f"total_{key}"], out[f"total_{key}_q"] = summarise(x)
    out["total_p_gap"] = (td - ts > 0).mean(axis=0)
    return out


# --------------------------------------------------------------------------- the case


def hrh_simulate(p: Inputs) -> tuple[Inputs, hrh.Projection]:
    return p, hrh.simulate(p["scenario"], draws=p["draws"], seed=1)


def numpy_run(p: Inputs) -> dict[str, np.ndarray]:
    return numpy_simulate(p, p["draws"], seed=1)


def grid(table: pl.DataFrame, col: str) -> np.ndarray:
    """A (year, district, cadre) column of hrh's table as an array."""
    return table[col].to_numpy().reshape(HORIZON + 1, N_DISTRICTS, len(CADRES))


def rel_diff(a: Any, b: Any) -> float:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), np.finfo(float).tiny)))


def check(ours: tuple[Inputs, hrh.Projection], peer: dict[str, np.ndarray]) -> None:
    p, proj = ours
    # 1. The same model: the deterministic paths at parameter means agree to 1e-9.
    det_proj = hrh.simulate(p["scenario"], draws=0)
    det, det_totals = det_proj.table, det_proj.totals
    ref = numpy_simulate(p, 0)
    for key in ("supply", "demand"):
        d = rel_diff(grid(det, key), ref[key])
        assert d < REL, f"draws=0, {key}: max relative difference {d:.3g}"
        total = det_totals[key].to_numpy().reshape(HORIZON + 1, len(CADRES) + 1)
        d = rel_diff(total, ref[f"total_{key}"])
        assert d < REL, f"draws=0, total {key}: max relative difference {d:.3g}"
    # 2. The same distributions: hrh's and numpy's summaries over draws differ by Monte
    # Carlo error only (different random streams; both take exact quantiles here). Per cell,
    # the difference of two independent estimates of a mean has standard error sd * sqrt(2 /
    # n); of a p-quantile, about sqrt(2 p (1 - p) / n) / density, i.e. sd * sqrt(2 / n)
    # times 1.25 (median), 1.36 (quartiles) or 2.11 (5 % and 95 %) for a normal. So
    # |difference| / standard error is roughly half-normal: median 0.67, 99th percentile 2.6
    # over cells. Measured here: medians 0.6-0.9 and 99th percentiles 2.4-3.4 at 100 draws
    # (up to 4.6 at 10 draws, where the sd itself is poorly estimated). The bounds, 1.5 and
    # 6, leave room for that and for cells sharing the cadre-wide parameters (correlated
    # errors), and still catch a sampling mistake (a wrong beta parametrisation or sd shifts
    # every cell by many standard errors at 100 draws and more).
    n = p["draws"]
    tab = proj.table
    for key in ("supply", "demand", "gap"):
        sd = (peer[f"{key}_q"][4] - peer[f"{key}_q"][0]) / (2 * 1.645)
        spread = np.isfinite(sd) & (sd > 1e-9 * np.abs(peer[key]) + 1e-12)
        for col, est, factor in [
            (key, peer[key], 1.0),
            *(
                (f"{key}_{q}", peer[f"{key}_q"][j], f)
                for j, (q, f) in enumerate(
                    zip(Q_NAMES, [2.11, 1.36, 1.25, 1.36, 2.11], strict=True)
                )
            ),
        ]:
            ours_ = grid(tab, col)
            # Without spread (the start year), both must be the same number.
            flat = ~spread
            if flat.any():
                d = rel_diff(ours_[flat], est[flat])
                assert d < REL, f"{col} where draws do not vary: max relative difference {d:.3g}"
            z = np.abs(ours_[spread] - est[spread]) / (factor * sd[spread] * np.sqrt(2.0 / n))
            med, p99 = np.median(z), np.quantile(z, 0.99)
            assert med < 1.5 and p99 < 6.0, (
                f"{col}: |hrh - numpy| / standard error: median {med:.2f}, 99th pct {p99:.2f}"
            )
    # P(gap > 0): a share with binomial error; within 0.1 + 3 standard errors.
    pg, ref_pg = grid(tab, "p_gap_positive"), peer["p_gap"]
    se = np.sqrt(np.maximum(ref_pg * (1 - ref_pg), 1.0 / n) * 2.0 / n)
    bad = np.mean(np.abs(pg - ref_pg) > 0.1 + 3 * se)
    assert bad < 0.01, f"p_gap_positive: {bad:.1%} of cells differ by more than 0.1 + 3 SE"


def cases(quick: bool) -> list[Case]:
    geo = (
        f"{N_DISTRICTS} districts x {len(CADRES)} cadres x {N_AGES} single-year ages "
        f"({MIN_AGE}-{RETIREMENT_AGE - 1}, retirement at {RETIREMENT_AGE}) x {HORIZON} years"
    )
    return [
        Case(
            name="simulate",
            sizes=[10, 100] if quick else [10, 100, 1000],
            setup=setup,
            hrh=hrh_simulate,
            peer=numpy_run,
            peer_name=f"numpy {np.__version__}: the same expected-value model stepped year by "
            f"year on (age, cadre, batch of {BATCH} draws, district) arrays, parameters "
            "sampled with `numpy.random.Generator` (beta, rejection-truncated normal), all "
            "draws kept, exact quantiles with `np.quantile` one year at a time",
            check=check,
            min_repeats=3,
            min_seconds=0.0,
            description="`hrh.simulate(scenario, draws=N, seed=1)` (default "
            '`quantiles="auto"`, exact here: districts that exchange no staff are projected '
            "one at a time, so only one district's draws are kept at once); size = N draws. "
            f"{geo}; one grade per cadre, no training. Per draw: death rate per cadre, "
            "attrition per district and cadre for ages 20-34 and per cadre for 35-54 and "
            "55-64 (all beta), entrants per district and cadre (normal) with a discretised "
            "normal age profile, migration out of 5 districts (beta), population growth "
            "per district (normal) driving demand by a norm per 1,000 population. Output: "
            "supply, demand, gap, shortage and surplus (mean, 5/25/50/75/95 % quantiles) "
            "and P(gap > 0) per year, district and cadre, and summed over districts (hrh "
            "also sums each district's shortage and surplus apart, per draw, and keeps "
            "every draw's total shortage for paired comparisons; the numpy peer does not). "
            "Deterministic paths agree to 1e-9; quantiles agree within Monte Carlo error.",
        ),
    ]
