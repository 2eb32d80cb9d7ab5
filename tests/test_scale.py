"""Density, person-time, survival curves and the log-rank test from tables larger than
memory (LazyFrame, Parquet, in batches) and from Dask DataFrames: the same result, bit
for bit, as from the whole table in memory."""

from __future__ import annotations

import itertools
import warnings
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hrh

N = 20_000
DISTRICTS = [f"d{i:02d}" for i in range(25)]


@pytest.fixture(scope="module")
def register() -> pl.DataFrame:
    rng = np.random.default_rng(5)
    return pl.DataFrame(
        {
            "district": rng.choice(DISTRICTS, N),
            "cadre": rng.choice(["doctor", "nurse", "midwife"], N),
            "fte": rng.choice([0.1, 0.3, 0.5, 0.8, 1.0], N) * rng.choice([1.0, 0.7], N),
            "age": rng.integers(20, 65, N),
            "notes": ["x" * 20] * N,
        }
    )


@pytest.fixture(scope="module")
def population() -> pl.DataFrame:
    return pl.DataFrame(
        {"district": DISTRICTS, "population": [50_000 + 1000 * i for i in range(25)]}
    )


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HRH_BATCH_ROWS", "997")


def _same(a: pl.DataFrame, b: pl.DataFrame) -> None:
    assert a.columns == b.columns
    assert a.schema == b.schema
    for c in a.columns:
        if a.schema[c].is_float():
            assert a[c].to_numpy().tobytes() == b[c].to_numpy().tobytes(), c
        else:
            assert a[c].to_list() == b[c].to_list(), c


@pytest.mark.usefixtures("small_batches")
@pytest.mark.parametrize("staff", [None, "fte", ["fte", "age"]])
def test_lazyframe_in_batches_equals_the_whole_table(
    register: pl.DataFrame, population: pl.DataFrame, staff: str | list[str] | None
) -> None:
    by = ["district"] if isinstance(staff, list) else ["district", "cadre"]
    whole = hrh.density(register, staff=staff, population=population, by=by)
    shuffled = register.sample(fraction=1.0, shuffle=True, seed=1)
    streamed = hrh.density(shuffled.lazy(), staff=staff, population=population, by=by)
    _same(whole, streamed)


@pytest.mark.usefixtures("small_batches")
def test_only_the_needed_columns_are_read(register: pl.DataFrame, population: pl.DataFrame) -> None:
    # Computing `bad` fails; a call that does not need it never computes it.
    lazy = register.lazy().with_columns(bad=(pl.col("age") * 1000).cast(pl.Int8, strict=True))
    with pytest.raises(pl.exceptions.InvalidOperationError):
        lazy.collect()
    out = hrh.density(lazy, staff="fte", population=population, by="district")
    _same(out, hrh.density(register, staff="fte", population=population, by="district"))


@pytest.mark.usefixtures("small_batches")
def test_bad_row_is_counted_from_the_start_of_the_data(
    register: pl.DataFrame, population: pl.DataFrame
) -> None:
    bad = register.with_columns(
        fte=pl.when(pl.int_range(pl.len()) == 5000).then(-1.0).otherwise(pl.col("fte"))
    )
    with pytest.raises(hrh.InputError) as whole:
        hrh.density(bad, staff="fte", population=population, by="district")
    with pytest.raises(hrh.InputError) as streamed:
        hrh.density(bad.lazy(), staff="fte", population=population, by="district")
    assert "row 5000" in str(whole.value)
    assert str(streamed.value) == str(whole.value)


@pytest.mark.usefixtures("small_batches")
def test_dropped_nulls_are_reported_once(register: pl.DataFrame, population: pl.DataFrame) -> None:
    holes = register.with_columns(
        fte=pl.when(pl.int_range(pl.len()) % 100 == 0).then(None).otherwise(pl.col("fte"))
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = hrh.density(
            holes.lazy(), staff="fte", population=population, by="district", nulls="drop"
        )
    messages = [str(w.message) for w in caught]
    assert messages == [f"dropped 200 of {N} rows of data with a null or NaN in 'district', 'fte'"]
    _same(
        out, hrh.density(holes.drop_nulls("fte"), staff="fte", population=population, by="district")
    )


def test_parquet_files_equal_the_whole_table(
    tmp_path: Path, register: pl.DataFrame, population: pl.DataFrame
) -> None:
    for i, part in enumerate(register.iter_slices(6_000)):
        part.write_parquet(tmp_path / f"part-{i}.parquet")
    whole = hrh.density(register, staff="fte", population=population, by=["district", "cadre"])
    for path in (tmp_path, tmp_path / "*.parquet", str(tmp_path / "part-0.parquet")):
        got = hrh.density(path, staff="fte", population=population, by=["district", "cadre"])
        if path == str(tmp_path / "part-0.parquet"):
            want = hrh.density(
                register.head(6_000), staff="fte", population=population, by=["district", "cadre"]
            )
            _same(got, want)
        else:
            _same(got, whole)


def test_parquet_errors_are_named(tmp_path: Path, population: pl.DataFrame) -> None:
    with pytest.raises(hrh.InputError, match="could not read the Parquet data"):
        hrh.density(tmp_path / "none.parquet", population=population, by="district")
    csv = tmp_path / "register.csv"
    csv.write_text("district\nd01\n")
    with pytest.raises(hrh.InputError, match="reads as Parquet"):
        hrh.density(csv, population=population, by="district")
    parts = tmp_path / "parts"
    parts.mkdir()
    pl.DataFrame({"district": ["d01"], "fte": [1.0]}).write_parquet(parts / "a.parquet")
    pl.DataFrame({"district": ["d02"]}).write_parquet(parts / "b.parquet")
    with pytest.raises(hrh.InputError, match=r"column is missing from some of the data.*fte"):
        hrh.density(parts, staff="fte", population=population, by="district")


# --- person-time in parts ------------------------------------------------------------

PT = {"entry": "hire_date", "exit": "exit_date"}
PT_CALLS = [
    {},
    {"by": "cadre", "reason": "exit_reason"},
    {"by": ["district", "cadre"], "reason": "exit_reason", "period": "quarter"},
    {"by": "district", "period": "month", "start": "2012-03-15", "end": "2024-07-01"},
]


@pytest.fixture(scope="module")
def staff_register() -> pl.DataFrame:
    reg = hrh.datasets.synthetic_register()
    return reg.select("district", "cadre", "hire_date", "exit_date", "exit_reason")


@pytest.mark.parametrize("rows", ["1", "997", "100000"])
@pytest.mark.parametrize("call", PT_CALLS)
def test_person_time_in_batches_equals_the_whole_table(
    staff_register: pl.DataFrame,
    call: dict[str, object],
    rows: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HRH_BATCH_ROWS", rows)
    whole = hrh.person_time(staff_register, **PT, **call)  # type: ignore[arg-type]
    shuffled = staff_register.sample(fraction=1.0, shuffle=True, seed=3)
    _same(whole, hrh.person_time(shuffled.lazy(), **PT, **call))  # type: ignore[arg-type]


@given(cuts=st.lists(st.integers(0, 5873), max_size=6), seed=st.integers(0, 2**16))
@settings(max_examples=15, deadline=None)
def test_person_time_parts_merge_in_any_order(cuts: list[int], seed: int) -> None:
    reg = hrh.datasets.synthetic_register()
    call = {"by": "cadre", "reason": "exit_reason", "period": "quarter"}
    whole = hrh.person_time(reg, **PT, **call)  # type: ignore[arg-type]
    shuffled = reg.sample(fraction=1.0, shuffle=True, seed=seed)
    bounds = [0, *sorted(cuts), reg.height]
    parts = [shuffled.slice(a, b - a) for a, b in itertools.pairwise(bounds)]
    # Parts (some empty, some one group only) in a random order, as one lazy concatenation.
    order = np.random.default_rng(seed).permutation(len(parts))
    lazy = pl.concat([parts[i].lazy() for i in order])
    _same(whole, hrh.person_time(lazy, **PT, **call))  # type: ignore[arg-type]


def test_person_time_parquet_files_with_single_group_and_empty_files(
    tmp_path: Path, staff_register: pl.DataFrame
) -> None:
    for cadre, part in staff_register.group_by("cadre"):
        part.write_parquet(tmp_path / f"{cadre[0]}.parquet")
    staff_register.head(0).write_parquet(tmp_path / "empty.parquet")
    for call in PT_CALLS:
        whole = hrh.person_time(staff_register, **PT, **call)  # type: ignore[arg-type]
        _same(whole, hrh.person_time(tmp_path, **PT, **call))  # type: ignore[arg-type]


def test_person_time_bad_inputs_in_parts_are_named(
    tmp_path: Path, staff_register: pl.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HRH_BATCH_ROWS", "500")
    bad = staff_register.with_columns(
        exit_date=pl.when(pl.int_range(pl.len()) == 4321)
        .then(pl.date(1980, 1, 1))
        .otherwise(pl.col("exit_date"))
    )
    with pytest.raises(hrh.InputError) as whole:
        hrh.person_time(bad, **PT, by="cadre")
    with pytest.raises(hrh.InputError) as streamed:
        hrh.person_time(bad.lazy(), **PT, by="cadre")
    assert "column 'exit_date', row 4321: exit date 1980-01-01 is before" in str(whole.value)
    assert str(streamed.value) == str(whole.value)
    # A column missing from some Parquet files.
    staff_register.head(100).write_parquet(tmp_path / "a.parquet")
    staff_register.tail(100).drop("exit_reason").write_parquet(tmp_path / "b.parquet")
    with pytest.raises(
        hrh.InputError, match=r"column is missing from some of the data.*exit_reason"
    ):
        hrh.person_time(tmp_path, **PT, reason="exit_reason")
    # Types are checked before any batch is read.
    text = staff_register.lazy().with_columns(pl.col("exit_date").cast(pl.String))
    with pytest.raises(hrh.InputError, match="column 'exit_date' has type String, expected dates"):
        hrh.person_time(text, **PT)
    with pytest.raises(hrh.InputError, match="register has no rows"):
        hrh.person_time(staff_register.head(0).lazy(), **PT)
    with pytest.raises(hrh.InputError, match="register has no rows"):
        hrh.person_time(staff_register.head(0).lazy(), **PT, start="2020-01-01", end="2021-01-01")


# --- Dask ------------------------------------------------------------------------------

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")


@pytest.mark.usefixtures("client")
@pytest.mark.parametrize("partitions", [1, 3, 7])
def test_dask_equals_the_whole_table(
    register: pl.DataFrame, population: pl.DataFrame, partitions: int
) -> None:
    pdf = register.to_pandas()
    ddf = dd.from_pandas(pdf, npartitions=partitions)
    for staff in (None, "fte"):
        whole = hrh.density(register, staff=staff, population=population, by=["district", "cadre"])
        _same(whole, hrh.density(ddf, staff=staff, population=population, by=["district", "cadre"]))


@pytest.mark.usefixtures("client")
def test_dask_with_empty_and_single_group_partitions(
    register: pl.DataFrame, population: pl.DataFrame
) -> None:
    ordered = register.sort("district")
    pdf = ordered.to_pandas()
    # Partitions cut at district boundaries (one group each) plus empty ones.
    ddf = dd.from_pandas(pdf, npartitions=25, sort=False)
    empty = dd.from_pandas(pdf.iloc[:0], npartitions=1)
    both = dd.concat([empty, ddf, empty])
    whole = hrh.density(ordered, staff="fte", population=population, by="district")
    _same(whole, hrh.density(both, staff="fte", population=population, by="district"))


@pytest.mark.usefixtures("client")
def test_dask_partitions_that_disagree_on_types_are_named(population: pl.DataFrame) -> None:
    import pandas as pd

    a = pd.DataFrame({"district": ["d01", "d02"], "fte": [1.0, 0.5]})
    b = pd.DataFrame({"district": ["d01"], "fte": ["1.0"]})
    ddf = dd.concat([dd.from_pandas(a, npartitions=1), dd.from_pandas(b, npartitions=1)])
    with pytest.raises(hrh.InputError, match="column 'fte' has type"):
        hrh.density(ddf, staff="fte", population=population, by="district")


@pytest.mark.usefixtures("client")
def test_dask_bad_value_names_the_partition(population: pl.DataFrame) -> None:
    import pandas as pd

    a = pd.DataFrame({"district": ["d01", "d02"], "fte": [1.0, 0.5]})
    b = pd.DataFrame({"district": ["d01", "d03"], "fte": [1.0, -2.0]})
    ddf = dd.concat([dd.from_pandas(a, npartitions=1), dd.from_pandas(b, npartitions=1)])
    with pytest.raises(hrh.InputError, match=r"partition 1: column 'fte', row 1"):
        hrh.density(ddf, staff="fte", population=population, by="district")


# --- survival curves from counts -------------------------------------------------------


@pytest.fixture(scope="module")
def spells() -> pl.DataFrame:
    rng = np.random.default_rng(9)
    n = 6_000
    since = np.round(rng.uniform(0, 0.5, n), 2) * rng.integers(0, 2, n)
    return pl.DataFrame(
        {
            "years": since + np.round(rng.exponential(6.0, n), 2) + 0.01,
            "left": rng.integers(0, 2, n),
            "reason": rng.choice(["resigned", "retired", "in post"], n),
            "cadre": rng.choice(["doctor", "nurse"], n),
            "since": since,
            "fte": rng.choice([0.5, 1.0], n),
        }
    )


@pytest.mark.usefixtures("small_batches")
def test_survival_curves_from_batches_equal_the_whole_table(spells: pl.DataFrame) -> None:
    kw = {"duration": "years", "event": "left", "by": "cadre"}
    lazy = spells.sample(fraction=1.0, shuffle=True, seed=2).lazy()
    _same(hrh.kaplan_meier(spells, **kw).table, hrh.kaplan_meier(lazy, **kw).table)
    _same(hrh.nelson_aalen(spells, **kw).table, hrh.nelson_aalen(lazy, **kw).table)
    with_entry = {**kw, "entry": "since"}
    _same(hrh.kaplan_meier(spells, **with_entry).table, hrh.kaplan_meier(lazy, **with_entry).table)
    _same(
        hrh.life_table(spells, duration="years", event="left", width=1),
        hrh.life_table(lazy, duration="years", event="left", width=1),
    )
    labels = {"event_values": {"resigned": 1, "retired": 1, "in post": 0}}
    by_label = {"duration": "years", "event": "reason", **labels}
    _same(hrh.kaplan_meier(spells, **by_label).table, hrh.kaplan_meier(lazy, **by_label).table)


LOGRANK_CALLS = [
    {"group": "cadre"},
    {"group": "cadre", "strata": "reason"},
    {"group": ["cadre", "reason"], "weighting": "fleming-harrington", "p": 1.0, "q": 0.5},
    {"group": "cadre", "weighting": "gehan-breslow"},
    {"group": "cadre", "weighting": "modified-peto"},
]


def _same_test(a: hrh.LogRankResult, b: hrh.LogRankResult) -> None:
    assert (a.statistic, a.df, a.p_value) == (b.statistic, b.df, b.p_value)
    assert a.variance.tobytes() == b.variance.tobytes()
    _same(a.table, b.table)


@pytest.mark.usefixtures("small_batches")
@pytest.mark.parametrize("call", LOGRANK_CALLS)
def test_logrank_from_batches_equals_the_whole_table(
    spells: pl.DataFrame, call: dict[str, object]
) -> None:
    kw = {"duration": "years", "event": "left", **call}
    lazy = spells.sample(fraction=1.0, shuffle=True, seed=4).lazy()
    _same_test(hrh.logrank(spells, **kw), hrh.logrank(lazy, **kw))  # type: ignore[arg-type]


def test_logrank_from_parquet_files_and_labels(tmp_path: Path, spells: pl.DataFrame) -> None:
    # One file per cadre (a single group each) and an empty file.
    for cadre, part in spells.group_by("cadre"):
        part.write_parquet(tmp_path / f"{cadre[0]}.parquet")
    spells.head(0).write_parquet(tmp_path / "empty.parquet")
    labels = {"resigned": 1, "retired": 1, "in post": 0}
    kw = {"duration": "years", "event": "reason", "group": "cadre", "event_values": labels}
    _same_test(hrh.logrank(spells, **kw), hrh.logrank(tmp_path, **kw))  # type: ignore[arg-type]


@pytest.mark.usefixtures("small_batches")
def test_logrank_bad_input_in_parts_is_named(tmp_path: Path, spells: pl.DataFrame) -> None:
    bad = spells.with_columns(
        left=pl.when(pl.int_range(pl.len()) == 2500).then(2).otherwise(pl.col("left"))
    )
    kw = {"duration": "years", "event": "left", "group": "cadre"}
    with pytest.raises(hrh.InputError) as whole:
        hrh.logrank(bad, **kw)  # type: ignore[arg-type]
    with pytest.raises(hrh.InputError) as streamed:
        hrh.logrank(bad.lazy(), **kw)  # type: ignore[arg-type]
    assert "row 2500" in str(whole.value)
    assert str(streamed.value) == str(whole.value)
    with pytest.raises(hrh.InputError, match="single group"):
        hrh.logrank(spells.filter(pl.col("cadre") == "nurse").lazy(), **kw)  # type: ignore[arg-type]
    with pytest.raises(hrh.InputError, match="holds no events"):
        hrh.logrank(spells.with_columns(left=0).lazy(), **kw)  # type: ignore[arg-type]
    with pytest.raises(hrh.InputError, match="strata"):
        hrh.logrank(spells.lazy(), **kw, strata="site")  # type: ignore[arg-type]
    spells.head(100).write_parquet(tmp_path / "a.parquet")
    spells.tail(100).drop("cadre").write_parquet(tmp_path / "b.parquet")
    with pytest.raises(hrh.InputError, match=r"column is missing from some of the data.*cadre"):
        hrh.logrank(tmp_path, **kw)  # type: ignore[arg-type]


@pytest.mark.usefixtures("small_batches")
def test_weighted_curves_from_batches_agree(spells: pl.DataFrame) -> None:
    kw = {"duration": "years", "event": "left", "by": "cadre", "weights": "fte"}
    whole = hrh.kaplan_meier(spells, **kw).table
    streamed = hrh.kaplan_meier(spells.lazy(), **kw).table
    for c in ["time", "at_risk", "events", "survival", "std_err", "lower", "upper"]:
        np.testing.assert_allclose(streamed[c].to_numpy(), whole[c].to_numpy(), rtol=1e-12)


@pytest.mark.usefixtures("small_batches")
def test_survival_bad_row_is_counted_from_the_start(spells: pl.DataFrame) -> None:
    bad = spells.with_columns(
        years=pl.when(pl.int_range(pl.len()) == 4321).then(-1.0).otherwise(pl.col("years"))
    )
    with pytest.raises(hrh.InputError) as whole:
        hrh.kaplan_meier(bad, duration="years", event="left")
    with pytest.raises(hrh.InputError) as streamed:
        hrh.kaplan_meier(bad.lazy(), duration="years", event="left")
    assert "row 4321" in str(whole.value)
    assert str(streamed.value) == str(whole.value)


@pytest.mark.usefixtures("client")
def test_survival_curves_on_dask(spells: pl.DataFrame) -> None:
    ddf = dd.from_pandas(spells.to_pandas(), npartitions=4)
    kw = {"duration": "years", "event": "left", "by": "cadre"}
    _same(hrh.kaplan_meier(spells, **kw).table, hrh.kaplan_meier(ddf, **kw).table)
    _same(hrh.nelson_aalen(spells, **kw).table, hrh.nelson_aalen(ddf, **kw).table)


def test_dask_client_without_workers_is_refused(
    population: pl.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pandas as pd

    monkeypatch.setenv("HRH_DASK_WORKER_WAIT", "0.5")
    ddf = dd.from_pandas(pd.DataFrame({"district": ["d01"], "fte": [1.0]}), npartitions=1)
    with (
        distributed.LocalCluster(n_workers=0, processes=False, dashboard_address=None) as empty,
        distributed.Client(empty),
        pytest.raises(hrh.InputError, match=r"has had no workers for 0\.5 s"),
    ):
        hrh.density(ddf, staff="fte", population=population, by="district")


@pytest.mark.usefixtures("client")
def test_functions_that_need_the_whole_table_say_so(spells: pl.DataFrame) -> None:
    ddf = dd.from_pandas(spells.to_pandas(), npartitions=2)
    with pytest.raises(hrh.InputError, match=r"needs the whole table.*\.compute\(\)"):
        hrh.cox(ddf, duration="years", event="left", covariates=["fte"])


@pytest.mark.usefixtures("client")
@pytest.mark.parametrize("partitions", [1, 3, 7])
def test_person_time_on_dask_equals_the_whole_table(
    staff_register: pl.DataFrame, partitions: int
) -> None:
    ddf = dd.from_pandas(staff_register.to_pandas(), npartitions=partitions)
    for call in PT_CALLS:
        whole = hrh.person_time(staff_register, **PT, **call)  # type: ignore[arg-type]
        _same(whole, hrh.person_time(ddf, **PT, **call))  # type: ignore[arg-type]


@pytest.mark.usefixtures("client")
def test_person_time_on_dask_with_empty_and_single_group_partitions(
    staff_register: pl.DataFrame,
) -> None:
    ordered = staff_register.sort("district")
    pdf = ordered.to_pandas()
    cuts = [0, *np.flatnonzero(np.diff(ordered["district"].rank("dense").to_numpy())) + 1]
    one_each = [
        dd.from_pandas(pdf.iloc[a:b], npartitions=1)
        for a, b in zip(cuts, [*cuts[1:], len(pdf)], strict=True)
    ]
    empty = dd.from_pandas(pdf.iloc[:0], npartitions=1)
    ddf = dd.concat([empty, *one_each, empty])
    assert ddf.npartitions == len(one_each) + 2
    for call in PT_CALLS:
        whole = hrh.person_time(ordered, **PT, **call)  # type: ignore[arg-type]
        _same(whole, hrh.person_time(ddf, **PT, **call))  # type: ignore[arg-type]


@pytest.mark.usefixtures("client")
def test_person_time_on_dask_bad_partitions_are_named(staff_register: pl.DataFrame) -> None:
    pdf = staff_register.head(200).to_pandas()
    text = pdf.assign(exit_date=pdf["exit_date"].astype(str))
    # Dask's concatenation reads the mixed types as text: named before any work.
    mixed = dd.concat([dd.from_pandas(pdf, npartitions=1), dd.from_pandas(text, npartitions=1)])
    with pytest.raises(hrh.InputError, match=r"column 'exit_date' has type String, expected dates"):
        hrh.person_time(mixed, **PT)
    # Metadata that one partition does not match: named with the partition.
    from dask import delayed

    lying = dd.from_delayed([delayed(pdf), delayed(text)], meta=pdf.head(0), verify_meta=False)
    with pytest.raises(hrh.InputError, match=r"column 'exit_date' has type String in partition 1"):
        hrh.person_time(lying, **PT, start="2010-01-01", end="2020-01-01")
    late = pdf.copy()
    late.loc[7, "exit_date"] = late.loc[7, "hire_date"] - pd_days(1)
    two = dd.concat([dd.from_pandas(pdf, npartitions=1), dd.from_pandas(late, npartitions=1)])
    with pytest.raises(hrh.InputError, match=r"partition 1: column 'exit_date', row 7: exit date"):
        hrh.person_time(two, **PT)


def pd_days(n: int) -> object:
    import pandas as pd

    return pd.Timedelta(days=n)


@pytest.mark.usefixtures("client")
@pytest.mark.parametrize("partitions", [1, 4])
def test_logrank_on_dask(spells: pl.DataFrame, partitions: int) -> None:
    ordered = spells.sort("cadre")
    pdf = ordered.to_pandas()
    empty = dd.from_pandas(pdf.iloc[:0], npartitions=1)
    ddf = dd.concat([empty, dd.from_pandas(pdf, npartitions=partitions, sort=False)])
    for call in LOGRANK_CALLS:
        kw = {"duration": "years", "event": "left", **call}
        _same_test(hrh.logrank(ordered, **kw), hrh.logrank(ddf, **kw))  # type: ignore[arg-type]


# --- cumulative incidence from counts --------------------------------------------------

REASONS = {"resigned": 1, "retired": 2, "in post": 0}


@pytest.fixture(scope="module")
def exits(spells: pl.DataFrame) -> pl.DataFrame:
    """The spells with exit reasons as labels and as integer codes (null: in post)."""
    code = pl.col("reason").replace_strict({"resigned": 1, "retired": 3, "in post": None})
    return spells.with_columns(
        code=code.cast(pl.Int64), why=pl.col("reason").replace("in post", None)
    )


CI_CALLS: list[dict[str, object]] = [
    {"cause": "reason", "event_values": REASONS},
    {"cause": "code"},
    {"cause": "why", "by": "cadre", "gray_test": False, "level": 0.9},
    {"cause": "why", "causes": ["retired", "died", "resigned"]},
    {"cause": "code", "by": "cadre", "gray_test": False, "event_values": [3, 1]},
]


def _same_incidence(a: hrh.CumulativeIncidence, b: hrh.CumulativeIncidence) -> None:
    _same(a.table, b.table)
    assert (a.by, a.causes, a.level) == (b.by, b.causes, b.level)
    assert b.gray_test is None


@pytest.mark.usefixtures("small_batches")
@pytest.mark.parametrize("call", CI_CALLS)
def test_cumulative_incidence_from_batches_equals_the_whole_table(
    exits: pl.DataFrame, call: dict[str, object]
) -> None:
    kw = {"duration": "years", **call}
    whole = hrh.cumulative_incidence(exits, **kw)  # type: ignore[arg-type]
    lazy = exits.sample(fraction=1.0, shuffle=True, seed=3).lazy()
    _same_incidence(whole, hrh.cumulative_incidence(lazy, **kw))  # type: ignore[arg-type]
    if "by" in call:  # the curves with Gray's test are the same curves
        with_test = hrh.cumulative_incidence(exits, **{**kw, "gray_test": True})  # type: ignore[arg-type]
        assert with_test.gray_test is not None
        _same(whole.table, with_test.table)


def test_cumulative_incidence_from_parquet_files(tmp_path: Path, exits: pl.DataFrame) -> None:
    # One file per cadre (a single group each) and an empty file.
    for cadre, part in exits.group_by("cadre"):
        part.write_parquet(tmp_path / f"{cadre[0]}.parquet")
    exits.head(0).write_parquet(tmp_path / "empty.parquet")
    ordered = pl.read_parquet(tmp_path)
    for call in CI_CALLS:
        kw = {"duration": "years", **call}
        whole = hrh.cumulative_incidence(ordered, **kw)  # type: ignore[arg-type]
        _same_incidence(whole, hrh.cumulative_incidence(tmp_path, **kw))  # type: ignore[arg-type]


@pytest.mark.usefixtures("small_batches")
def test_cumulative_incidence_bad_input_in_parts_is_named(
    tmp_path: Path, exits: pl.DataFrame
) -> None:
    kw = {"duration": "years", "cause": "code"}
    for bad_value, said in ((-1, "row 2500"), (2.5, "row 2500: value 2.5 is not an integer")):
        bad = exits.with_columns(
            code=pl.when(pl.int_range(pl.len()) == 2500).then(bad_value).otherwise(pl.col("code"))
        )
        with pytest.raises(hrh.InputError) as whole:
            hrh.cumulative_incidence(bad, **kw)  # type: ignore[arg-type]
        with pytest.raises(hrh.InputError) as streamed:
            hrh.cumulative_incidence(bad.lazy(), **kw)  # type: ignore[arg-type]
        assert said in str(whole.value)
        assert str(streamed.value) == str(whole.value)
    # A label outside `causes`, and one the mapping lacks: the row of the whole table.
    odd = exits.with_columns(
        why=pl.when(pl.int_range(pl.len()) == 3001).then(pl.lit("fired")).otherwise("why")
    )
    for extra in ({"causes": ["resigned", "retired"]}, {"event_values": ["resigned", "retired"]}):
        args = {"duration": "years", "cause": "why", **extra}
        with pytest.raises(hrh.InputError) as whole:
            hrh.cumulative_incidence(odd, **args)  # type: ignore[arg-type]
        with pytest.raises(hrh.InputError) as streamed:
            hrh.cumulative_incidence(odd.lazy(), **args)  # type: ignore[arg-type]
        assert "row 3001: cause 'fired'" in str(whole.value)
        assert str(streamed.value) == str(whole.value)
    # Gray's test needs the rows: named before any work, with the ways to get it.
    with pytest.raises(hrh.InputError, match=r"Gray's test needs the rows.*gray_test=False"):
        hrh.cumulative_incidence(exits.lazy(), **kw, by="cadre")  # type: ignore[arg-type]
    with pytest.raises(hrh.InputError, match="argument 'gray_test'"):
        hrh.cumulative_incidence(exits, **kw, gray_test="no")  # type: ignore[arg-type]
    with pytest.raises(hrh.InputError, match="data has no rows"):
        hrh.cumulative_incidence(exits.head(0).lazy(), **kw)  # type: ignore[arg-type]
    with pytest.raises(hrh.InputError, match="no exits at all"):
        hrh.cumulative_incidence(exits.with_columns(code=0).lazy(), **kw)  # type: ignore[arg-type]
    with pytest.raises(hrh.InputError, match="column 'site'"):
        hrh.cumulative_incidence(exits.lazy(), **kw, by="site", gray_test=False)  # type: ignore[arg-type]
    exits.head(100).write_parquet(tmp_path / "a.parquet")
    exits.tail(100).drop("code").write_parquet(tmp_path / "b.parquet")
    with pytest.raises(hrh.InputError, match=r"column is missing from some of the data.*code"):
        hrh.cumulative_incidence(tmp_path, **kw)  # type: ignore[arg-type]


@pytest.mark.usefixtures("client")
@pytest.mark.parametrize("partitions", [1, 4])
def test_cumulative_incidence_on_dask(exits: pl.DataFrame, partitions: int) -> None:
    ordered = exits.sort("cadre")
    pdf = ordered.to_pandas()
    empty = dd.from_pandas(pdf.iloc[:0], npartitions=1)
    cut = int((ordered["cadre"] == ordered["cadre"][0]).sum())
    one_each = [dd.from_pandas(p, npartitions=1) for p in (pdf.iloc[:cut], pdf.iloc[cut:])]
    layouts = [
        dd.concat([empty, dd.from_pandas(pdf, npartitions=partitions, sort=False)]),
        dd.concat([empty, *one_each, empty]),  # single-group partitions
    ]
    for ddf in layouts:
        for call in CI_CALLS:
            kw = {"duration": "years", **call}
            whole = hrh.cumulative_incidence(ordered, **kw)  # type: ignore[arg-type]
            _same_incidence(whole, hrh.cumulative_incidence(ddf, **kw))  # type: ignore[arg-type]


@pytest.mark.usefixtures("client")
def test_cumulative_incidence_on_dask_bad_partitions_are_named(exits: pl.DataFrame) -> None:
    from dask import delayed

    pdf = exits.head(200).select("years", "code", "cadre").to_pandas()
    text = pdf.assign(code=pdf["code"].astype(str))
    lying = dd.from_delayed([delayed(pdf), delayed(text)], meta=pdf.head(0), verify_meta=False)
    kw = {"duration": "years", "cause": "code"}
    with pytest.raises(hrh.InputError, match=r"column 'code' has type String in partition 1"):
        hrh.cumulative_incidence(lying, **kw)  # type: ignore[arg-type]
    late = pdf.copy()
    late.loc[7, "years"] = -1.0
    two = dd.concat([dd.from_pandas(pdf, npartitions=1), dd.from_pandas(late, npartitions=1)])
    with pytest.raises(hrh.InputError, match=r"partition 1: column 'years', row 7"):
        hrh.cumulative_incidence(two, **kw)  # type: ignore[arg-type]
