"""hrh.density and hrh.person_time on a register stored as Parquet (a directory of
files), read in batches of only the needed columns, against polars' streaming engine
doing the same aggregation from the same files (with scipy for the exact Poisson
interval of density).

The files are generated on first use under the system's temporary directory
(``hrh-bench-scale/<rows>``), in chunks of at most 10 million rows, and reused."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

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


# --- person-time ------------------------------------------------------------------------

REASONS = ["resignation", "retirement", "transfer", "death"]
START, END = dt.date(2005, 1, 1), dt.date(2025, 1, 1)
EPOCH = dt.date(1970, 1, 1)
PT_KEYS = ["cadre"]


def _write_spells(folder: Path, n: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    first = (dt.date(1985, 1, 1) - EPOCH).days
    today = (END - EPOCH).days
    for k, lo in enumerate(range(0, n, CHUNK)):
        rows = min(CHUNK, n - lo)
        rng = np.random.default_rng(100 + k)
        hire = first + rng.integers(0, today - first, rows)
        leave = hire + 1 + np.round(rng.exponential(9 * 365.25, rows)).astype(np.int64)
        known = leave < today
        reason = pl.Series(REASONS).gather(rng.choice(4, rows, p=[0.6, 0.2, 0.15, 0.05]))
        part = (
            pl.DataFrame(
                {
                    "district": pl.Series([f"district_{i:03d}" for i in range(N_DISTRICTS)]).gather(
                        rng.integers(0, N_DISTRICTS, rows)
                    ),
                    "cadre": pl.Series(CADRES).gather(
                        rng.choice(len(CADRES), rows, p=CADRE_SHARES)
                    ),
                    "hire_date": pl.Series(hire, dtype=pl.Int32).cast(pl.Date),
                    "exit_date": pl.Series(np.where(known, leave, 0), dtype=pl.Int32).cast(pl.Date),
                    "exit_reason": reason,
                    "known": known,
                    **{c: rng.integers(0, 1000, rows) for c in EXTRA},
                }
            )
            .with_columns(pl.when("known").then(pl.col("exit_date", "exit_reason")).otherwise(None))
            .drop("known")
        )
        part.write_parquet(folder / f"part-{k:03d}.parquet")
    (folder / "done").write_text(str(n))


def setup_spells(n: int) -> Path:
    folder = Path(tempfile.gettempdir()) / "hrh-bench-scale" / f"spells-{n}"
    if not (folder / "done").exists():
        _write_spells(folder, n)
    return folder


def hrh_person_time(folder: Path) -> pl.DataFrame:
    return hrh.person_time(
        folder / "*.parquet",
        entry="hire_date",
        exit="exit_date",
        reason="exit_reason",
        by=PT_KEYS,
        period="year",
        start=START,
        end=END,
    )


def polars_person_time(folder: Path) -> pl.DataFrame:
    """The same counts from polars expressions: per year, headcount at its start and
    days in post (one expression each per year), entrants and exits by reason (a group
    by on the year of the date)."""
    years = range(START.year, END.year)
    bounds = [(dt.date(y, 1, 1), dt.date(y + 1, 1, 1)) for y in years]
    e, x = pl.col("hire_date"), pl.col("exit_date").fill_null(END)
    scan = pl.scan_parquet(folder / "*.parquet")
    wide = scan.group_by(PT_KEYS).agg(
        *[((e < a) & (x >= a)).sum().alias(f"hc{a.year}") for a, _ in bounds],
        *[
            (pl.min_horizontal(x, pl.lit(b)) - pl.max_horizontal(e, pl.lit(a)))
            .dt.total_days()
            .clip(0)
            .sum()
            .alias(f"pd{a.year}")
            for a, b in bounds
        ],
    )
    window = pl.lit(START), pl.lit(END)
    entrants = (
        scan.filter(e.is_between(*window, closed="left"))
        .group_by(*PT_KEYS, year=e.dt.year())
        .agg(entrants=pl.len())
    )
    exits = (
        scan.filter(pl.col("exit_date").is_between(*window, closed="left"))
        .group_by(*PT_KEYS, pl.col("exit_reason"), year=pl.col("exit_date").dt.year())
        .agg(n=pl.len())
    )
    wide, entrants, exits = pl.collect_all([wide, entrants, exits], engine="streaming")
    long = (
        wide.unpivot(index=PT_KEYS)
        .with_columns(
            kind=pl.col("variable").str.slice(0, 2),
            year=pl.col("variable").str.slice(2).cast(pl.Int32),
        )
        .pivot("kind", index=[*PT_KEYS, "year"], values="value")
    )
    by_reason = exits.pivot("exit_reason", index=[*PT_KEYS, "year"], values="n")
    out = (
        long.join(entrants, on=[*PT_KEYS, "year"], how="left")
        .join(by_reason, on=[*PT_KEYS, "year"], how="left")
        .fill_null(0)
        .sort(*PT_KEYS, "year")
    )
    # numpy divides exactly (polars may multiply by the reciprocal, one ulp apart).
    days = out.get_column("pd").cast(pl.Float64).to_numpy()
    return out.with_columns(exits=pl.sum_horizontal(REASONS), person_years=pl.Series(days / 365.25))


def check_person_time(ours: pl.DataFrame, peer: pl.DataFrame) -> None:
    assert ours.height == peer.height, (ours.height, peer.height)
    assert ours.select(PT_KEYS).equals(peer.select(PT_KEYS)), "groups differ"
    pairs = [("headcount_start", "hc"), ("entrants", "entrants"), ("exits", "exits")]
    pairs += [(f"exits_{r}", r) for r in REASONS]
    pairs += [("person_years", "person_years")]
    for a, b in pairs:
        mine = ours.get_column(a).to_numpy()
        theirs = peer.get_column(b).cast(pl.Float64).to_numpy()
        assert np.array_equal(mine, theirs), a


# --- hrh.simulate on a two-worker LocalCluster ------------------------------------------

SimInputs = tuple[dict[str, Any], int, Any]
_CLUSTER: list[Any] = []  # (cluster, client), started once and kept for the process


def setup_cluster(draws: int) -> SimInputs:
    """The bundled province scenario, the draws, and a client of a LocalCluster of two
    worker processes with one thread each (started on first use, not timed)."""
    if not _CLUSTER:
        import distributed

        cluster = distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        )
        _CLUSTER.extend([cluster, distributed.Client(cluster, set_as_default=False)])
    return hrh.datasets.province_scenario(), draws, _CLUSTER[1]


def simulate_on_cluster(inputs: SimInputs) -> hrh.Projection:
    scenario, draws, client = inputs
    return hrh.simulate(scenario, draws=draws, seed=1, client=client)


def simulate_in_process(inputs: SimInputs) -> hrh.Projection:
    scenario, draws, _ = inputs
    return hrh.simulate(scenario, draws=draws, seed=1)


def check_same_projection(ours: hrh.Projection, peer: hrh.Projection) -> None:
    for name in ("table", "totals", "grade_table", "flows", "costs", "cost_totals"):
        assert getattr(ours, name).equals(getattr(peer, name)), name


def cases(quick: bool) -> list[Case]:
    sizes = [10**6] if quick else [10**6, 10**7, 10**8]
    return [
        Case(
            name="simulate_cluster",
            sizes=[2_000] if quick else [20_000],
            setup=setup_cluster,
            hrh=simulate_on_cluster,
            peer=simulate_in_process,
            peer_name="hrh.simulate in this process (all its threads), the same seed",
            check=check_same_projection,
            min_repeats=1,
            min_seconds=0.5,
            description="`hrh.simulate(province, draws=N, seed=1, client=client)` on a "
            "LocalCluster of 2 worker processes of 1 thread each (the draws in 2 chunks, "
            "summarised in this process), against the same call without a client. "
            "Bundled province scenario (`hrh.datasets.province_scenario()`: 1 region, 6 "
            "cadres, grades, 10 years); streaming quantiles (auto) at 20,000 draws. The "
            "tables are identical.",
        ),
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
        ),
        Case(
            name="parquet_person_time",
            sizes=sizes,
            setup=setup_spells,
            hrh=hrh_person_time,
            peer=polars_person_time,
            peer_name=f"polars {pl.__version__} scan_parquet: per-year expressions for "
            "headcount and days in post, group_by on the year for entrants and exits by "
            "reason, collect_all on the streaming engine",
            check=check_person_time,
            min_repeats=1,
            min_seconds=0.5,
            description='`hrh.person_time(folder / "*.parquet", entry="hire_date", '
            'exit="exit_date", reason="exit_reason", by="cadre", start="2005-01-01", '
            'end="2025-01-01")`: 20 years of headcounts, entrants, exits by 4 reasons and '
            "person-years for 6 cadres. A register of N spells hired 1985-2024 in Parquet "
            f"files of at most 10 million rows (district: {N_DISTRICTS} strings, cadre, "
            "hire and exit dates, exit reason, and 10 integer columns the call does not "
            "need; exits null while in post). hrh reads batches of about a million rows.",
        ),
    ]
