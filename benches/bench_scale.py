"""hrh.density, hrh.person_time, hrh.equity and hrh.transitions on data stored as
Parquet (a directory of files), read in batches of only the needed columns, against
polars' streaming engine doing the same aggregation from the same files (with scipy for
the exact Poisson interval of density).

The files are generated on first use under the system's temporary directory
(``hrh-bench-scale/<rows>``), in chunks of at most 10 million rows, and reused.

The ``dask_*`` cases run the same calls on a Dask DataFrame read from the same files,
on a ``distributed.LocalCluster`` of two single-threaded worker processes started
before the timing (partitions of about half a million rows, four Parquet row groups).
The harness's peak memory for them is the client process's; ``python
benches/bench_scale.py --dask 1e6,1e7`` prints the time of each call and the peak
memory of the client and of each worker process, measured from a reset before the call
(summed over the workers)."""

from __future__ import annotations

import atexit
import datetime as dt
import os
import sys
import tempfile
import time
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


# --- the same calls on a two-worker Dask cluster ----------------------------------------

#: Parquet row groups per Dask partition (polars writes row groups of about 125,000 rows).
ROW_GROUPS_PER_PARTITION = 4

_CLUSTER: list[Any] = []


def _client() -> Any:
    """A client of a LocalCluster of two single-threaded worker processes, started once
    per process (not timed) and closed at exit."""
    if not _CLUSTER:
        from distributed import Client, LocalCluster

        cluster = LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
            memory_limit=0,
        )
        client = Client(cluster)
        _CLUSTER.extend([client, cluster])

        def close() -> None:
            client.close()
            cluster.close()

        atexit.register(close)
    return _CLUSTER[0]


def _dask_frame(folder: Path) -> Any:
    import dask.dataframe as dd

    return dd.read_parquet(str(folder / "*.parquet"), split_row_groups=ROW_GROUPS_PER_PARTITION)


#: The Dask frame and the inputs of the one-process case on the same files.
DaskInputs = tuple[Any, Inputs]
DaskSpells = tuple[Any, Path]


def setup_dask(n: int) -> DaskInputs:
    inputs = setup(n)
    _client()
    return _dask_frame(inputs[0]), inputs


def setup_dask_spells(n: int) -> DaskSpells:
    folder = setup_spells(n)
    _client()
    return _dask_frame(folder), folder


def dask_density(inputs: DaskInputs) -> pl.DataFrame:
    frame, (_, population) = inputs
    return hrh.density(frame, staff="fte", population=population, by=KEYS)


def dask_person_time(inputs: DaskSpells) -> pl.DataFrame:
    return hrh.person_time(
        inputs[0],
        entry="hire_date",
        exit="exit_date",
        reason="exit_reason",
        by=PT_KEYS,
        period="year",
        start=START,
        end=END,
    )


def _reset_peak() -> int:
    """In a worker: reset this process's peak-RSS mark; returns the RSS in KiB."""
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    return _vm("VmRSS")


def _vm(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def _peak() -> int:
    return _vm("VmHWM")


def measure_dask(sizes: list[int]) -> None:
    """Print, per size, the time of each Dask call (best of two after a warm-up) and
    the peak memory above the RSS before the call of the client and of each worker."""
    client = _client()
    print("| call | rows | partitions | time s | client peak MiB | worker peaks MiB | sum MiB |")
    print("|---|---:|---:|---:|---:|---|---:|")
    for n in sizes:
        runs: list[tuple[str, Any, tuple[Any, Any]]] = [
            ("density", dask_density, setup_dask(n)),
            ("person_time", dask_person_time, setup_dask_spells(n)),
        ]
        for name, fn, inputs in runs:
            fn(inputs)  # warm-up: imports and task code on the workers
            best = float("inf")
            client_peak = 0
            worker_peaks: dict[str, int] = {}
            for _ in range(2):
                with open("/proc/self/clear_refs", "w") as f:
                    f.write("5")
                base = _vm("VmRSS")
                worker_base = client.run(_reset_peak)
                t0 = time.perf_counter()
                fn(inputs)
                best = min(best, time.perf_counter() - t0)
                client_peak = max(client_peak, _peak() - base)
                for w, peak in client.run(_peak).items():
                    worker_peaks[w] = max(worker_peaks.get(w, 0), peak - worker_base[w])
            frame = inputs[0]
            peaks = [v / 1024 for v in worker_peaks.values()]
            mine = client_peak / 1024
            print(
                f"| {name} | {n:,} | {frame.npartitions} | {best:.2f} | {mine:.1f} "
                f"| {', '.join(f'{p:.1f}' for p in peaks)} | {mine + sum(peaks):.1f} |",
                flush=True,
            )


# --- equity and transitions -------------------------------------------------------------

EQ_MEASURES = ["theil_t", "theil_l", "atkinson", "cv"]
ZONES = ["urban", "lowland", "highland", "coast"]


def setup_units(n: int) -> Path:
    """N units (e.g. facilities' catchments) with staff, population, a zone and a year."""
    folder = Path(tempfile.gettempdir()) / "hrh-bench-scale-units" / str(n)
    if not (folder / "done").exists():
        folder.mkdir(parents=True, exist_ok=True)
        for k, lo in enumerate(range(0, n, CHUNK)):
            rows = min(CHUNK, n - lo)
            rng = np.random.default_rng(100 + k)
            pl.DataFrame(
                {
                    "year": rng.integers(2015, 2025, rows),
                    "zone": pl.Series(ZONES).gather(rng.integers(0, len(ZONES), rows)),
                    "staff": rng.integers(1, 200, rows).astype(np.float64),
                    "population": rng.integers(1_000, 500_000, rows),
                    **{c: rng.integers(0, 1000, rows) for c in EXTRA},
                }
            ).write_parquet(folder / f"part-{k:03d}.parquet")
        (folder / "done").write_text(str(n))
    return folder


def hrh_equity(folder: Path) -> pl.DataFrame:
    return hrh.equity(
        folder / "*.parquet",
        staff="staff",
        population="population",
        by="year",
        groups="zone",
        measures=EQ_MEASURES,
    )


def polars_equity(folder: Path) -> pl.DataFrame:
    """The same indices in two streaming passes: the means, then the terms about them."""
    lf = pl.scan_parquet(folder / "*.parquet").select("year", "zone", "staff", "population")
    sub = (
        lf.group_by("year", "zone")
        .agg(s=pl.col("staff").sum(), w=pl.col("population").cast(pl.Float64).sum())
        .collect(engine="streaming")
    )
    means = sub.with_columns(
        mu=pl.col("s").sum().over("year") / pl.col("w").sum().over("year"),
        mu_g=pl.col("s") / pl.col("w"),
        big_w=pl.col("w").sum().over("year"),
    )
    w = pl.col("population").cast(pl.Float64)
    r = pl.col("staff") / w / pl.col("mu")
    sums = (
        lf.join(means.lazy(), on=["year", "zone"])
        .group_by("year")
        .agg(
            tt=(w * r * r.log()).sum() / pl.col("big_w").first(),
            tl=(-w * r.log()).sum() / pl.col("big_w").first(),
            ta=(w * r.sqrt()).sum() / pl.col("big_w").first(),
            tc=(w * (r - 1) ** 2).sum() / pl.col("big_w").first(),
        )
        .sort("year")
        .collect(engine="streaming")
    )
    return sums.select(
        "year",
        theil_t_by_population="tt",
        theil_l_by_population="tl",
        atkinson_by_population=1 - pl.col("ta") ** 2,
        cv_by_population=pl.col("tc").sqrt(),
    )


def check_equity(ours: pl.DataFrame, peer: pl.DataFrame) -> None:
    assert ours["year"].to_list() == peer["year"].to_list()
    for c in peer.columns[1:]:
        np.testing.assert_allclose(ours[c].to_numpy(), peer[c].to_numpy(), rtol=1e-9, err_msg=c)


def setup_panel(n: int) -> Path:
    """A panel of about N person-years: people followed for 1-10 years between 2010 and
    2024, moving between 5 grades (some years missing)."""
    folder = Path(tempfile.gettempdir()) / "hrh-bench-scale-panel" / str(n)
    if not (folder / "done").exists():
        folder.mkdir(parents=True, exist_ok=True)
        people = max(1, n // 5)
        for k, lo in enumerate(range(0, people, CHUNK // 5)):
            count = min(CHUNK // 5, people - lo)
            rng = np.random.default_rng(200 + k)
            ids = np.arange(lo, lo + count)
            years = rng.integers(1, 10, count)
            person = np.repeat(ids, years)
            first = np.repeat(rng.integers(2010, 2020, count), years)
            offset = np.arange(person.size) - np.repeat(np.cumsum(years) - years, years)
            keep = rng.random(person.size) > 0.05
            pl.DataFrame(
                {
                    "person": person[keep],
                    "year": (first + offset)[keep],
                    "grade": pl.Series([f"G{g}" for g in range(5)]).gather(
                        np.minimum(offset[keep] // 2 + rng.integers(0, 2, keep.sum()), 4)
                    ),
                    **{c: rng.integers(0, 1000, int(keep.sum())) for c in EXTRA[:4]},
                }
            ).write_parquet(folder / f"part-{k:03d}.parquet")
        (folder / "done").write_text(str(n))
    return folder


def hrh_transitions(folder: Path) -> pl.DataFrame:
    t = hrh.transitions(folder / "*.parquet", id="person", time="year", state="grade")
    return t.table.filter(pl.col("count") > 0).select("from", "to", "count")


def polars_transitions(folder: Path) -> pl.DataFrame:
    lf = pl.scan_parquet(folder / "*.parquet").select("person", "year", "grade")
    following = lf.select("person", year=pl.col("year") - 1, to="grade")
    return (
        lf.join(following, on=["person", "year"])
        .group_by(pl.col("grade").alias("from"), "to")
        .agg(count=pl.len().cast(pl.Float64))
        .sort("from", "to")
        .collect(engine="streaming")
    )


def check_transitions(ours: pl.DataFrame, peer: pl.DataFrame) -> None:
    assert ours.sort("from", "to").equals(peer), "counts differ"


# --- hrh.simulate on a two-worker LocalCluster ------------------------------------------

SimInputs = tuple[dict[str, Any], int, Any]


def setup_cluster(draws: int) -> SimInputs:
    """The bundled province scenario, the draws, and the client of the two-worker
    LocalCluster above (started on first use, not timed)."""
    return hrh.datasets.province_scenario(), draws, _client()


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
    dask_sizes = [10**6] if quick else [10**6, 10**7]
    dask_note = (
        " On a Dask DataFrame (`dask.dataframe.read_parquet(..., split_row_groups="
        f"{ROW_GROUPS_PER_PARTITION})`, partitions of about 500,000 rows) and a "
        "`distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True)` "
        "started before the timing; the peer is polars' streaming engine in one process. "
        "hrh's peak memory is the client process's (the workers' is printed by "
        "`python benches/bench_scale.py --dask`)."
    )
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
            min_repeats=3,
            min_seconds=2.0,
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
            min_repeats=3,
            min_seconds=2.0,
            description='`hrh.person_time(folder / "*.parquet", entry="hire_date", '
            'exit="exit_date", reason="exit_reason", by="cadre", start="2005-01-01", '
            'end="2025-01-01")`: 20 years of headcounts, entrants, exits by 4 reasons and '
            "person-years for 6 cadres. A register of N spells hired 1985-2024 in Parquet "
            f"files of at most 10 million rows (district: {N_DISTRICTS} strings, cadre, "
            "hire and exit dates, exit reason, and 10 integer columns the call does not "
            "need; exits null while in post). hrh reads batches of about a million rows.",
        ),
        Case(
            name="dask_fte",
            sizes=dask_sizes,
            setup=setup_dask,
            hrh=dask_density,
            peer=lambda inputs: polars_streaming(inputs[1]),
            peer_name=f"polars {pl.__version__} scan_parquet + group_by + join + sort, "
            "streaming engine; scipy gammaincinv",
            check=check,
            min_repeats=1,
            min_seconds=0.5,
            description='`hrh.density(dask_frame, staff="fte", population=pop, '
            'by=["district", "cadre"])` on the files of `parquet_fte`.' + dask_note,
        ),
        Case(
            name="dask_person_time",
            sizes=dask_sizes,
            setup=setup_dask_spells,
            hrh=dask_person_time,
            peer=lambda inputs: polars_person_time(inputs[1]),
            peer_name=f"polars {pl.__version__} scan_parquet, as `parquet_person_time`, "
            "streaming engine",
            check=check_person_time,
            min_repeats=1,
            min_seconds=0.5,
            description='`hrh.person_time(dask_frame, entry="hire_date", exit="exit_date", '
            'reason="exit_reason", by="cadre", start="2005-01-01", end="2025-01-01")` on '
            "the files of `parquet_person_time`." + dask_note,
        ),
        Case(
            name="parquet_equity",
            sizes=sizes[:2],
            setup=setup_units,
            hrh=hrh_equity,
            peer=polars_equity,
            peer_name=f"polars {pl.__version__} scan_parquet: group means, then the "
            "terms about them joined and summed by year, streaming engine",
            check=check_equity,
            min_repeats=1,
            min_seconds=0.5,
            description='`hrh.equity(folder / "*.parquet", staff="staff", '
            'population="population", by="year", groups="zone", measures=["theil_t", '
            '"theil_l", "atkinson", "cv"])`: two passes of exact sums (means, then terms). '
            "N units over 10 years and 4 zones in Parquet files of at most 10 million "
            "rows, with 10 integer columns the call does not need.",
        ),
        Case(
            name="parquet_transitions",
            sizes=sizes[:2],
            setup=setup_panel,
            hrh=hrh_transitions,
            peer=polars_transitions,
            peer_name=f"polars {pl.__version__} scan_parquet: self-join on (person, "
            "year + 1), group_by (from, to), streaming engine",
            check=check_transitions,
            min_repeats=1,
            min_seconds=0.5,
            description='`hrh.transitions(folder / "*.parquet", id="person", time="year", '
            'state="grade")`. A panel of about N person-years (people followed 1-9 years, '
            "5 grades, 5 % of years missing) in Parquet files, with 4 integer columns the "
            "call does not need; hrh reads the three columns in buckets of people of about "
            "a million rows.",
        ),
    ]


if __name__ == "__main__" and sys.argv[1:2] == ["--dask"]:
    # e.g. python benches/bench_scale.py --dask 1e6,1e7
    wanted = sys.argv[2] if len(sys.argv) > 2 else "1e6,1e7"
    os.environ.setdefault("HRH_DASK_WORKER_WAIT", "60")
    measure_dask([int(float(x)) for x in wanted.split(",")])
