"""hrh's inequality measures (Gini, Theil with its between/within decomposition, and
``hrh.equity`` with bootstrap intervals) against vectorised numpy and PySAL's
``inequality`` package."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from importlib.metadata import version
from typing import Any

import numpy as np
import polars as pl
from harness import Case
from inequality.gini import Gini
from inequality.theil import Theil, TheilD
from scipy.special import xlogy

import hrh

REL = 1e-9
REGIONS = np.array(["central", "east", "north", "west"])  # sorted: codes = hrh's order
REGION_EFFECT = np.array([0.9, 1.5, 0.6, 1.1])  # multiplies the density
MEASURES = ("gini", "theil_t", "theil_l", "atkinson", "cv")
EPSILON = 0.5
REPLICATES = 1000
LEVEL = 0.95
PYSAL = f"PySAL inequality {version('inequality')}"
DATA = os.environ.get("HRH_BENCH_DATA", "/work/shared/data")


def rel_diff(a: Any, b: Any) -> float:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), np.finfo(float).tiny)))


def close(name: str, a: Any, b: Any, tol: float = REL) -> None:
    d = rel_diff(a, b)
    assert d < tol, f"{name}: max relative difference {d:.3g} (hrh {a}, peer {b})"


# --------------------------------------------------------------------------- units

Units = dict[str, Any]


def units(n: int) -> Units:
    """`n` synthetic units (districts): population (log-normal, 100 to millions), staff
    drawn as Poisson counts around a log-normal density (so small units sometimes have
    none), the level staff per 1,000 population, and a region for each unit."""
    rng = np.random.default_rng(0)
    population = np.round(rng.lognormal(10.0, 1.2, n)) + 100.0
    codes = rng.integers(0, len(REGIONS), n)
    density = REGION_EFFECT[codes] * rng.lognormal(np.log(1.5), 0.5, n)  # per 1,000
    staff = rng.poisson(population * density / 1000.0).astype(np.float64)
    return {
        "values": staff / population * 1000.0,
        "weights": population,
        "codes": codes,
        "region": pl.Series("region", REGIONS[codes]),
    }


# --------------------------------------------------------------------------- Gini


def np_gini(x: np.ndarray, w: np.ndarray | None = None) -> float:
    """Weighted Gini on the Lorenz polygon: G = 1 − Σ p_k (L_k + L_{k−1})."""
    o = np.argsort(x)
    xs = x[o]
    p = np.full(x.size, 1.0 / x.size) if w is None else w[o] / w.sum()
    px = p * xs
    cum = np.cumsum(px)
    return float(1.0 - np.sum(p * (2.0 * cum - px)) / cum[-1])


# --------------------------------------------------------------------------- Theil


def np_theil_t(x: np.ndarray, w: np.ndarray) -> float:
    """Theil T with population weights: Σ p_i r_i ln r_i, r_i = x_i / μ (0 ln 0 = 0)."""
    p = w / w.sum()
    r = x / (p @ x)
    return float(p @ xlogy(r, r))


def np_theil_t_groups(x: np.ndarray, w: np.ndarray, g: np.ndarray) -> tuple[float, ...]:
    """Theil T and its between/within parts, groups by integer code (np.bincount)."""
    k = int(g.max()) + 1
    p = w / w.sum()
    px = p * x
    mu = px.sum()
    r = x / mu
    total = float(p @ xlogy(r, r))
    pg = np.bincount(g, weights=p, minlength=k)
    mug = np.bincount(g, weights=px, minlength=k) / pg
    rg = mug / mu
    between = float(pg @ xlogy(rg, rg))
    ri = x / mug[g]  # each unit against its own group's mean
    own = np.bincount(g, weights=p * xlogy(ri, ri), minlength=k) / pg
    within = float(np.sum(pg * rg * own))
    return total, between, within


def hrh_theil_groups(u: Units, weighted: bool) -> tuple[float, ...]:
    t = hrh.theil(u["values"], u["weights"] if weighted else None, groups=u["region"])
    return t.total, t.between, t.within


def pysal_theil_groups(u: Units) -> tuple[float, ...]:
    t = TheilD(u["values"], u["codes"])
    return float(t.T), float(np.ravel(t.bg)[0]), float(np.ravel(t.wg)[0])


def check_parts(ours: tuple[float, ...], peer: tuple[float, ...]) -> None:
    for name, a, b in zip(("total", "between", "within"), ours, peer, strict=True):
        close(name, a, b)


# --------------------------------------------------------------------------- equity


@functools.cache
def counties() -> pl.DataFrame:
    """US counties with primary-care physicians (CHR&R): nulls, zero populations and
    zero counts dropped (Theil L is undefined at zero)."""
    df = hrh.datasets.us_counties(DATA)
    return (
        df.filter(pl.col("indicator") == "primary_care_physicians", pl.col("geo_level") == "county")
        .drop_nulls(["provider_count", "population"])
        .filter(pl.col("population") > 0, pl.col("provider_count") > 0)
        .select("fipscode", "provider_count", "population")
    )


def equity_setup(n: int) -> pl.DataFrame:
    """The counties, replicated to `n` units (a multiple of the number of counties)."""
    c = counties()
    reps, rest = divmod(n, c.height)
    assert rest == 0 and reps >= 1, f"size {n} is not a multiple of {c.height}"
    return pl.concat([c] * reps) if reps > 1 else c


def np_measures(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """The five measures of the rows of `x` (levels) weighted by `w`: shape (..., 5)."""
    p = w / w.sum(axis=-1, keepdims=True)
    px = p * x
    mu = px.sum(axis=-1, keepdims=True)
    r = x / mu
    o = np.argsort(x, axis=-1)
    ps, pxs = np.take_along_axis(p, o, -1), np.take_along_axis(px, o, -1)
    cum = np.cumsum(pxs, axis=-1)
    gini = 1.0 - np.sum(ps * (2.0 * cum - pxs), axis=-1) / cum[..., -1]
    theil_t = np.sum(p * xlogy(r, r), axis=-1)
    theil_l = -np.sum(p * np.log(r), axis=-1)
    e = 1.0 - EPSILON
    atkinson = 1.0 - np.sum(p * r**e, axis=-1) ** (1.0 / e)
    cv = np.sqrt(np.sum(p * (r - 1.0) ** 2, axis=-1))
    return np.stack([gini, theil_t, theil_l, atkinson, cv], axis=-1)


def np_equity(df: pl.DataFrame, chunk_elements: int = 10_000_000) -> dict[str, np.ndarray]:
    """Point estimates and 95% percentile intervals from REPLICATES resamples of the
    units, all replicates of a chunk at once as a 2-D index array."""
    w = df.get_column("population").to_numpy()
    x = df.get_column("provider_count").to_numpy() / w
    n = x.size
    rng = np.random.default_rng(1)
    per_chunk = max(1, chunk_elements // n)
    reps = []
    for start in range(0, REPLICATES, per_chunk):
        idx = rng.integers(0, n, size=(min(per_chunk, REPLICATES - start), n))
        reps.append(np_measures(x[idx], w[idx]))
    a = (1.0 - LEVEL) / 2.0
    lower, upper = np.percentile(np.concatenate(reps), [100 * a, 100 * (1 - a)], axis=0)
    return {"estimate": np_measures(x, w), "lower": lower, "upper": upper}


def hrh_equity(df: pl.DataFrame) -> pl.DataFrame:
    return hrh.equity(
        df,
        staff="provider_count",
        population="population",
        measures=MEASURES,
        bootstrap=REPLICATES,
        seed=1,
    )


def check_equity(ours: pl.DataFrame, peer: dict[str, np.ndarray]) -> None:
    cols = [f"{m}_by_population" for m in MEASURES]
    close("estimates", ours.select(cols).row(0), peer["estimate"])
    width = np.array([ours[f"{c}_upper"][0] - ours[f"{c}_lower"][0] for c in cols])
    peer_width = peer["upper"] - peer["lower"]
    ratio = width / peer_width
    assert np.all(np.abs(ratio - 1.0) < 0.2), f"interval widths differ: hrh/peer {ratio}"
    for c, lo, hi in zip(cols, peer["lower"], peer["upper"], strict=True):
        est = ours[c][0]
        assert ours[f"{c}_lower"][0] <= est <= ours[f"{c}_upper"][0], c
        assert lo <= est <= hi, c


# --------------------------------------------------------------------------- cases


def cases(quick: bool) -> list[Case]:
    big = [10**4, 10**5] if quick else [10**4, 10**5, 10**6, 10**7]
    pysal_sizes = [10**3, 10**4, 10**5] if quick else [10**3, 10**4, 10**5, 10**6, 10**7]
    workload = (
        "N synthetic units: population log-normal (100 to millions), staff Poisson around "
        "a log-normal density per 1,000 (some units have none), 4 regions with different "
        "mean densities."
    )

    def scalar(name: str) -> Callable[[Any, Any], None]:
        return lambda a, b: close(name, a, b)

    n_counties = counties().height
    out = [
        Case(
            name="gini",
            sizes=big,
            setup=units,
            hrh=lambda u: hrh.gini(u["values"], u["weights"]),
            peer=lambda u: np_gini(u["values"], u["weights"]),
            peer_name=f"numpy {np.__version__}: argsort, cumsum, Lorenz-polygon formula",
            check=scalar("gini"),
            description="`hrh.gini(values, weights)`, weighted Gini on the Lorenz polygon, "
            f"O(n log n) (one sort and one scan). {workload}",
        ),
        Case(
            name="gini_vs_pysal",
            sizes=pysal_sizes,
            setup=units,
            hrh=lambda u: hrh.gini(u["values"]),
            peer=lambda u: Gini(u["values"]).g,
            peer_name=f"{PYSAL} `inequality.gini.Gini(values).g` (sort-based, O(n log n): "
            "no n×n matrix in this version)",
            check=scalar("gini"),
            description=f"`hrh.gini(values)`, unweighted. {workload}",
        ),
        Case(
            name="theil",
            sizes=big,
            setup=units,
            hrh=lambda u: hrh.theil(u["values"], u["weights"]).total,
            peer=lambda u: np_theil_t(u["values"], u["weights"]),
            peer_name=f"numpy {np.__version__} vectorised, scipy.special.xlogy for 0 ln 0",
            check=scalar("theil"),
            description="`hrh.theil(values, weights).total`, Theil T weighted by population. "
            + workload,
        ),
        Case(
            name="theil_groups",
            sizes=big,
            setup=units,
            hrh=lambda u: hrh_theil_groups(u, weighted=True),
            peer=lambda u: np_theil_t_groups(u["values"], u["weights"], u["codes"]),
            peer_name=f"numpy {np.__version__} vectorised (np.bincount over integer region "
            "codes, given to it precomputed), scipy.special.xlogy",
            check=check_parts,
            description="`hrh.theil(values, weights, groups=region)`: total, between, within, "
            "with `region` a polars String Series of 4 labels. " + workload,
        ),
        Case(
            name="theil_vs_pysal",
            sizes=pysal_sizes,
            setup=units,
            hrh=lambda u: hrh.theil(u["values"]).total,
            peer=lambda u: float(Theil(u["values"]).T),
            peer_name=f"{PYSAL} `inequality.theil.Theil(values).T`",
            check=scalar("theil"),
            description=f"`hrh.theil(values).total`, unweighted Theil T. {workload}",
        ),
        Case(
            name="theil_groups_vs_pysal",
            sizes=pysal_sizes,
            setup=units,
            hrh=lambda u: hrh_theil_groups(u, weighted=False),
            peer=pysal_theil_groups,
            peer_name=f"{PYSAL} `inequality.theil.TheilD(values, codes)` "
            "(T, bg, wg), integer region codes",
            check=check_parts,
            description="`hrh.theil(values, groups=region)`: total, between, within, "
            "unweighted, `region` a polars String Series. " + workload,
        ),
        Case(
            name="equity_bootstrap",
            sizes=[n_counties] if quick else [n_counties, 10 * n_counties],
            setup=equity_setup,
            hrh=hrh_equity,
            peer=np_equity,
            peer_name=f"numpy {np.__version__}: the five measures vectorised over a 2-D "
            "(replicates × units) index array from default_rng (chunks of at most 1e7 "
            "elements), np.percentile",
            check=check_equity,
            min_repeats=3,
            description=f'`hrh.equity(counties, staff="provider_count", '
            f'population="population", measures={MEASURES}, bootstrap={REPLICATES}, '
            "seed=1)`: weighted by population, Atkinson ε = 0.5, CV ddof 0, percentile "
            f"intervals. {n_counties:,} US counties (CHR&R primary care physicians 2022, "
            "county level; counties with a null or zero count or population dropped, as "
            "Theil L is undefined at zero); larger sizes repeat the counties.",
        ),
    ]
    return out
