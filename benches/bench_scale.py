"""hrh.density on a register stored as Parquet (a directory of files, 13 columns), read
in batches of only the needed columns, against polars' streaming engine doing the same
aggregation from the same files (with scipy for the exact Poisson interval).

The files are generated on first use under the system's temporary directory
(``hrh-bench-scale/<rows>``), in chunks of at most 10 million rows, and reused."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import polars as pl
from bench_density import CADRE_SHARES, CADRES, KEYS, LEVEL, N_DISTRICTS, PER, check
from harness import Case
from scipy.special import gammaincinv

import hrh

CHUNK = 10_000_000
EXTRA = [f"attribute_{i}" for i in range(10)]

Inputs = tuple[Path, pl.DataFrame]


def _write(folder: Path, n: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    districts = pl.Series("district", [f"district_{i:03d}" for i in range(N_DISTRICTS)])
    for k, lo in enumerate(range(0, n, CHUNK)):
        rows = min(CHUNK, n - lo)
        rng = np.random.default_rng(k)
        part = pl.DataFrame(
            {
                "district": districts.gather(rng.integers(0, N_DISTRICTS, rows)),
                "cadre": pl.Series(CADRES).gather(rng.choice(len(CADRES), rows, p=CADRE_SHARES)),
                "fte": rng.choice(np.array([0.5, 0.75, 1.0]), rows, p=[0.1, 0.1, 0.8]),
                **{c: rng.integers(0, 1000, rows) for c in EXTRA},
            }
        )
        part.write_parquet(folder / f"part-{k:03d}.parquet")
    (folder / "done").write_text(str(n))


def setup(n: int) -> Inputs:
    folder = Path(tempfile.gettempdir()) / "hrh-bench-scale" / str(n)
    if not (folder / "done").exists():
        _write(folder, n)
    rng = np.random.default_rng(0)
    population = pl.DataFrame(
        {
            "district": [f"district_{i:03d}" for i in range(N_DISTRICTS)],
            "population": rng.integers(20_000, 3_000_000, N_DISTRICTS),
        }
    )
    return folder, population


def hrh_density(inputs: Inputs) -> pl.DataFrame:
    folder, population = inputs
    return hrh.density(folder / "*.parquet", staff="fte", population=population, by=KEYS)


def polars_streaming(inputs: Inputs) -> pl.DataFrame:
    folder, population = inputs
    out = (
        pl.scan_parquet(folder / "*.parquet")
        .group_by(KEYS)
        .agg(pl.col("fte").sum().cast(pl.Float64).alias("staff"))
        .join(population.lazy(), on="district", how="left")
        .sort(KEYS)
        .collect(engine="streaming")
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


def cases(quick: bool) -> list[Case]:
    sizes = [10**6] if quick else [10**6, 10**7, 10**8]
    return [
        Case(
            name="parquet_fte",
            sizes=sizes,
            setup=setup,
            hrh=hrh_density,
            peer=polars_streaming,
            peer_name=f"polars {pl.__version__} scan_parquet + group_by + join + sort, "
            "streaming engine; scipy gammaincinv",
            check=check,
            min_repeats=1,
            min_seconds=0.5,
            description='`hrh.density(folder / "*.parquet", staff="fte", population=pop, '
            'by=["district", "cadre"])`. A register of N workers in Parquet files of at most '
            f"10 million rows (district: {N_DISTRICTS} strings, cadre: 6 strings, fte, and "
            "10 integer columns the call does not need) and a population table of "
            f"{N_DISTRICTS} districts. hrh reads batches of about a million rows.",
        )
    ]
