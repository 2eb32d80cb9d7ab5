"""hrh.density on a worker register joined to a population table, against the same
computation written directly in polars (with scipy for the exact Poisson interval)."""

from __future__ import annotations

import numpy as np
import polars as pl
from harness import Case
from scipy.special import gammaincinv

import hrh

N_DISTRICTS = 700
CADRES = ["doctor", "nurse", "midwife", "clinical_officer", "pharmacist", "lab_technician"]
CADRE_SHARES = [0.15, 0.40, 0.15, 0.10, 0.08, 0.12]
KEYS = ["district", "cadre"]
PER = 1000.0
LEVEL = 0.95

Inputs = tuple[pl.DataFrame, pl.DataFrame]


def setup(n: int) -> Inputs:
    """A register of `n` workers (district, cadre, fte) and the population of each
    district."""
    rng = np.random.default_rng(0)
    districts = pl.Series("district", [f"district_{i:03d}" for i in range(N_DISTRICTS)])
    register = pl.DataFrame(
        {
            "district": districts.gather(rng.integers(0, N_DISTRICTS, n)),
            "cadre": pl.Series(CADRES).gather(rng.choice(len(CADRES), n, p=CADRE_SHARES)),
            "fte": rng.choice(np.array([0.5, 0.75, 1.0]), n, p=[0.1, 0.1, 0.8]),
        }
    )
    population = pl.DataFrame(
        {"district": districts, "population": rng.integers(20_000, 3_000_000, N_DISTRICTS)}
    )
    return register, population


def hrh_density(inputs: Inputs, staff: str | None) -> pl.DataFrame:
    register, population = inputs
    return hrh.density(register, staff=staff, population=population, by=KEYS)


def polars_density(inputs: Inputs, staff: str | None, lazy: bool = True) -> pl.DataFrame:
    """What a user would write without hrh: the lazy API (polars' recommended style,
    run by its default engine) or the eager DataFrame API."""
    register, population = inputs
    value = pl.len() if staff is None else pl.col(staff).sum()
    if lazy:
        out = (
            register.lazy()
            .group_by(KEYS)
            .agg(value.cast(pl.Float64).alias("staff"))
            .join(population.lazy(), on="district", how="left")
            .sort(KEYS)
            .collect()
        )
    else:
        out = (
            register.group_by(KEYS)
            .agg(value.cast(pl.Float64).alias("staff"))
            .join(population, on="district", how="left")
            .sort(KEYS)
        )
    x = out.get_column("staff").to_numpy()
    scale = PER / out.get_column("population").to_numpy()
    alpha = 1 - LEVEL
    low = np.zeros_like(x)
    low[x > 0] = gammaincinv(x[x > 0], alpha / 2)
    high = gammaincinv(x + 1, 1 - alpha / 2)
    return out.with_columns(
        density=pl.Series(x * scale),
        lower=pl.Series(low * scale),
        upper=pl.Series(high * scale),
    )


def check(ours: pl.DataFrame, peer: pl.DataFrame) -> None:
    assert ours.height == peer.height, (ours.height, peer.height)
    assert ours.select(KEYS).equals(peer.select(KEYS)), "groups differ or are not in the same order"
    for c in ["staff", "population", "density", "lower", "upper"]:
        a = ours.get_column(c).cast(pl.Float64).to_numpy()
        b = peer.get_column(c).cast(pl.Float64).to_numpy()
        rel = np.max(np.abs(a - b) / np.maximum(np.abs(b), np.finfo(float).tiny))
        assert rel < 1e-9, f"{c}: max relative difference {rel:.3g}"


def cases(quick: bool) -> list[Case]:
    sizes = [10**5, 10**6] if quick else [10**5, 10**6, 10**7]
    workload = (
        f"Register of N workers (district: {N_DISTRICTS} strings, cadre: 6 strings, fte) "
        f"and a population table of {N_DISTRICTS} districts (Int64)."
    )
    calls = {
        None: 'hrh.density(register, population=pop, by=["district", "cadre"])',
        "fte": 'hrh.density(register, staff="fte", population=pop, by=["district", "cadre"])',
    }
    peers = {
        True: f"polars {pl.__version__} lazy group_by + join + sort, default engine; "
        "scipy gammaincinv",
        False: f"polars {pl.__version__} eager DataFrame group_by + join + sort; scipy gammaincinv",
    }

    def make(staff: str | None, lazy: bool) -> Case:
        return Case(
            name=(staff or "count") + ("" if lazy else "_vs_eager"),
            sizes=sizes,
            setup=setup,
            hrh=lambda inputs: hrh_density(inputs, staff),
            peer=lambda inputs: polars_density(inputs, staff, lazy),
            peer_name=peers[lazy],
            check=check,
            description=f"`{calls[staff]}`. {workload}",
        )

    return [make(staff, lazy) for lazy in (True, False) for staff in (None, "fte")]
