"""Density, person-time, survival curves, the log-rank test, equity and transitions
from tables larger than memory (LazyFrame, Parquet, in batches) and from Dask
DataFrames: the same result, bit for bit, as from the whole table in memory (equity's
floating sums: bit for bit across partitionings, and within EQUITY_BOUND of the whole
table)."""

from __future__ import annotations

import itertools
import warnings
from pathlib import Path
from typing import Any

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
@pytest.mark.parametrize("by", [["age"], ["cadre", "age"], []])
def test_batches_keyed_by_other_types_equal_the_whole_table(
    register: pl.DataFrame, by: list[str]
) -> None:
    # Integer keys are coded batch by batch (codes differ between batches) and merged.
    data = register.with_columns(people=pl.lit(1000.0))
    whole = hrh.density(data, staff="fte", population="people", by=by)
    _same(whole, hrh.density(data.lazy(), staff="fte", population="people", by=by))


@pytest.mark.usefixtures("small_batches")
def test_batches_the_core_cannot_read_in_place_join_the_others(
    register: pl.DataFrame, population: pl.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A batch whose strings the core cannot read in place is coded on its own and its
    # partial table merges with the state of the others: the same table.
    from hrh._frames import _codes

    add = _codes.StringKeyedSums.add
    calls = iter(range(10**6))

    def every_third_refused(
        self: _codes.StringKeyedSums, df: pl.DataFrame, *, parallel: bool = False
    ) -> bool:
        return next(calls) % 3 != 1 and add(self, df, parallel=parallel)

    monkeypatch.setattr(_codes.StringKeyedSums, "add", every_third_refused)
    by = ["district", "cadre"]
    whole = hrh.density(register, staff="fte", population=population, by=by)
    _same(whole, hrh.density(register.lazy(), staff="fte", population=population, by=by))


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


# --- equity ----------------------------------------------------------------------------

# The documented bound: figures from parts are identical for any partitioning and agree
# with the whole table in memory (running float sums) to within 1e-12.
EQUITY_BOUND = 1e-12
EQ_MEASURES = ["theil_t", "theil_l", "atkinson", "cv"]
EQ_CALLS: list[dict[str, object]] = [
    {"staff": "doctors", "by": "year", "groups": "region"},
    {"staff": ["doctors", "nurses"], "area": "area", "measures": ["theil_t", "cv", "atkinson"]},
    {"staff": "doctors", "area": "area", "by": ["year", "region"], "epsilon": 1.0},
    {"staff": "doctors", "groups": "region", "epsilon": 2.0, "area": "area"},
]


@pytest.fixture(scope="module")
def units() -> pl.DataFrame:
    rng = np.random.default_rng(11)
    n = 3000
    return pl.DataFrame(
        {
            "year": rng.integers(2018, 2022, n),
            "region": rng.choice(["east", "central", "west", "north"], n),
            "doctors": rng.gamma(2.0, 20.0, n).round(1) + 0.1,
            "nurses": rng.integers(0, 90, n),  # some zero
            "population": rng.integers(1_000, 200_000, n),
            "area": rng.uniform(5.0, 900.0, n),
            "notes": ["unused"] * n,
        }
    )


def _close(whole: pl.DataFrame, parts: pl.DataFrame, bound: float = EQUITY_BOUND) -> None:
    assert whole.columns == parts.columns
    assert whole.schema == parts.schema
    for c in whole.columns:
        a, b = whole[c], parts[c]
        assert a.is_null().to_list() == b.is_null().to_list(), c
        if whole.schema[c].is_float():
            d = np.abs(a.drop_nulls().to_numpy() - b.drop_nulls().to_numpy())
            assert d.max(initial=0.0) <= bound, (c, d.max())
        else:
            assert a.to_list() == b.to_list(), c


@pytest.mark.parametrize("call", EQ_CALLS)
def test_equity_in_batches_equals_the_whole_table(
    units: pl.DataFrame, call: dict[str, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    kw = {"population": "population", "measures": EQ_MEASURES, **call}
    whole = hrh.equity(units, **kw)  # type: ignore[arg-type]
    first = None
    for rows, seed in [("1000000", 0), ("997", 1), ("50", 2)]:
        monkeypatch.setenv("HRH_BATCH_ROWS", rows)
        shuffled = units.sample(fraction=1.0, shuffle=True, seed=seed)
        out = hrh.equity(shuffled.lazy(), **kw)  # type: ignore[arg-type]
        _close(whole, out)
        if first is None:
            first = out
        _same(first, out)  # bit for bit, whatever the batches and the order of rows
    # Every unit counted once (per staff column).
    assert whole["units"].sum() == units.height * (2 if isinstance(call["staff"], list) else 1)


def test_equity_from_parquet_with_empty_and_single_group_files(
    tmp_path: Path, units: pl.DataFrame
) -> None:
    for (year,), part in units.group_by("year"):
        part.write_parquet(tmp_path / f"year-{year}.parquet")
    units.head(0).write_parquet(tmp_path / "empty.parquet")
    for call in EQ_CALLS:
        kw = {"population": "population", "measures": EQ_MEASURES, **call}
        whole = hrh.equity(units, **kw)  # type: ignore[arg-type]
        from_files = hrh.equity(tmp_path, **kw)  # type: ignore[arg-type]
        _close(whole, from_files)
        _same(hrh.equity(units.lazy(), **kw), from_files)  # type: ignore[arg-type]


def test_equity_with_a_population_table_from_parts(units: pl.DataFrame) -> None:
    keyed = units.with_row_index("unit").with_columns(pl.col("unit").cast(pl.Int64))
    pop = keyed.select("unit", "population", "area")
    data = keyed.drop("population", "area")
    kw = {"staff": "doctors", "population": pop, "area": "area", "by": "year"}
    kw |= {"groups": "region", "measures": EQ_MEASURES}
    whole = hrh.equity(data, **kw)  # type: ignore[arg-type]
    _close(whole, hrh.equity(data.lazy(), **kw))  # type: ignore[arg-type]
    _close(
        hrh.equity(
            units,
            staff="doctors",
            population="population",
            area="area",
            by="year",
            groups="region",
            measures=EQ_MEASURES,
        ),
        whole,
    )


@given(cuts=st.lists(st.integers(0, 3000), max_size=6), seed=st.integers(0, 2**16))
@settings(max_examples=15, deadline=None)
def test_equity_parts_merge_in_any_order(units: pl.DataFrame, cuts: list[int], seed: int) -> None:
    kw = {"staff": "doctors", "population": "population", "by": "year", "groups": "region"}
    kw["measures"] = EQ_MEASURES
    reference = hrh.equity(units.lazy(), **kw)  # type: ignore[arg-type]
    shuffled = units.sample(fraction=1.0, shuffle=True, seed=seed)
    bounds = [0, *sorted(cuts), units.height]
    parts = [shuffled.slice(a, b - a) for a, b in itertools.pairwise(bounds)]
    order = np.random.default_rng(seed).permutation(len(parts))
    lazy = pl.concat([parts[i].lazy() for i in order])
    _same(reference, hrh.equity(lazy, **kw))  # type: ignore[arg-type]


@pytest.mark.usefixtures("small_batches")
def test_equity_in_parts_refuses_what_needs_the_whole_table(
    tmp_path: Path, units: pl.DataFrame
) -> None:
    kw = {"staff": "doctors", "population": "population"}
    with pytest.raises(hrh.InputError, match=r"'gini' needs the units sorted.*collect"):
        hrh.equity(units.lazy(), **kw)  # type: ignore[arg-type]  # gini is a default measure
    with pytest.raises(hrh.InputError, match=r"argument 'bootstrap'.*bootstrap=0"):
        hrh.equity(units.lazy(), **kw, measures=["cv"], bootstrap=10)  # type: ignore[arg-type]
    # A unit without staff makes Theil L undefined: named at its row from the start.
    zero = units.with_columns(
        doctors=pl.when(pl.int_range(pl.len()) == 2345).then(0.0).otherwise(pl.col("doctors"))
    )
    with pytest.raises(hrh.InputError, match=r"column 'doctors', row 2345: 0 staff; Theil L"):
        hrh.equity(zero.lazy(), **kw, measures=["theil_l"])  # type: ignore[arg-type]
    negative = units.with_columns(
        population=pl.when(pl.int_range(pl.len()) == 1234).then(-5).otherwise("population")
    )
    with pytest.raises(hrh.InputError) as whole:
        hrh.equity(negative, **kw, measures=["cv"])  # type: ignore[arg-type]
    with pytest.raises(hrh.InputError) as streamed:
        hrh.equity(negative.lazy(), **kw, measures=["cv"])  # type: ignore[arg-type]
    assert "row 1234" in str(whole.value)
    assert str(streamed.value) == str(whole.value)
    none = units.with_columns(
        doctors=pl.when(pl.col("year") == 2019).then(0.0).otherwise("doctors")
    )
    with pytest.raises(hrh.InputError, match=r"group \(year=2019\) has no staff"):
        hrh.equity(none.lazy(), **kw, by="year", measures=["cv"])  # type: ignore[arg-type]
    with pytest.raises(hrh.InputError, match="data has no rows"):
        hrh.equity(units.head(0).lazy(), **kw, measures=["cv"])  # type: ignore[arg-type]
    units.head(100).write_parquet(tmp_path / "a.parquet")
    units.tail(100).drop("region").write_parquet(tmp_path / "b.parquet")
    with pytest.raises(hrh.InputError, match=r"column is missing from some of the data.*region"):
        hrh.equity(tmp_path, **kw, groups="region", measures=["cv"])  # type: ignore[arg-type]


# --- transitions -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def panel() -> pl.DataFrame:
    rng = np.random.default_rng(21)
    rows = []
    for p in range(600):
        start, n = int(rng.integers(2010, 2016)), int(rng.integers(1, 9))
        grade = str(rng.choice(["I", "II", "III"]))
        for t in range(start, start + n):
            if rng.random() < 0.1:
                continue  # a gap
            if rng.random() < 0.3:
                grade = str(rng.choice(["I", "II", "III", "IV"]))
            rows.append((f"p{p:03d}", t, grade, 1.0))
    df = pl.DataFrame(rows, schema=["id", "year", "grade", "fte"], orient="row")
    return df.sample(fraction=1.0, shuffle=True, seed=4)


def _same_transitions(a: Any, b: Any) -> None:
    assert a.table.equals(b.table)
    assert (a.states, a.gaps, a.level, a.time_unit) == (b.states, b.gaps, b.level, b.time_unit)


TR = {"id": "id", "time": "year", "state": "grade"}


@pytest.mark.parametrize("rows", ["1", "97", "100000"])
def test_transitions_in_parts_equal_the_whole_panel(
    panel: pl.DataFrame, rows: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HRH_BATCH_ROWS", rows)
    whole = hrh.transitions(panel, **TR)
    assert whole.gaps > 0 and whole.table["count"].sum() > 1000
    _same_transitions(whole, hrh.transitions(panel.lazy(), **TR))
    dated = panel.with_columns(year=pl.date(pl.col("year"), 6, 30))
    _same_transitions(hrh.transitions(dated, **TR), hrh.transitions(dated.lazy(), **TR))


def test_transitions_from_parquet_with_empty_and_single_person_files(
    tmp_path: Path, panel: pl.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HRH_BATCH_ROWS", "400")
    first = panel["id"][0]
    panel.filter(pl.col("id") == first).write_parquet(tmp_path / "one.parquet")
    rest = panel.filter(pl.col("id") != first)
    for i, part in enumerate(rest.iter_slices(700)):  # people cut across files
        part.write_parquet(tmp_path / f"part-{i}.parquet")
    panel.head(0).write_parquet(tmp_path / "empty.parquet")
    files = pl.concat([pl.read_parquet(p) for p in sorted(tmp_path.glob("*.parquet"))])
    _same_transitions(hrh.transitions(files, **TR), hrh.transitions(tmp_path, **TR))


@given(cuts=st.lists(st.integers(0, 600), max_size=6), seed=st.integers(0, 2**16))
@settings(max_examples=20, deadline=None)
def test_transition_counts_merge_in_any_order(
    panel: pl.DataFrame, cuts: list[int], seed: int
) -> None:
    from hrh.planning._panel_parts import merge_counts
    from hrh.planning._transitions import counts_of

    people = panel["id"].unique().sort().sample(fraction=1.0, shuffle=True, seed=seed)
    bounds = [0, *sorted(min(c, people.len()) for c in cuts), people.len()]
    parts = [
        panel.filter(pl.col("id").is_in(people.slice(a, b - a).implode()))
        for a, b in itertools.pairwise(bounds)
    ]
    states = [counts_of(p, "id", "year", "grade", None) for p in parts if p.height]
    rng = np.random.default_rng(seed)
    # Merge in a random order, as a random tree: pairs of neighbours until one is left.
    while len(states) > 1:
        states = [states[i] for i in rng.permutation(len(states))]
        i = int(rng.integers(0, len(states) - 1))
        states[i : i + 2] = [merge_counts(states[i : i + 2])]
    labels, counts, gaps = states[0]
    whole_labels, whole_counts, whole_gaps = counts_of(panel, "id", "year", "grade", None)
    assert labels.to_list() == whole_labels.to_list()
    assert counts.tolist() == whole_counts.tolist() and gaps == whole_gaps


def test_transitions_bad_input_in_parts_is_named(
    tmp_path: Path, panel: pl.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HRH_BATCH_ROWS", "300")
    twice = pl.concat([panel, panel.slice(17, 1)])
    row = panel.height
    with pytest.raises(hrh.InputError) as whole:
        hrh.transitions(twice, **TR)
    with pytest.raises(hrh.InputError) as streamed:
        hrh.transitions(twice.lazy(), **TR)
    assert f"column 'year', row {row}:" in str(whole.value)
    assert str(streamed.value) == str(whole.value)
    holes = panel.with_columns(
        grade=pl.when(pl.int_range(pl.len()) == 777).then(None).otherwise("grade")
    )
    with pytest.raises(hrh.InputError, match=r"column 'grade', row 777: value is null"):
        hrh.transitions(holes.lazy(), **TR)
    with pytest.raises(hrh.InputError, match="must hold integer periods"):
        hrh.transitions(panel.lazy().with_columns(pl.col("year").cast(pl.Float64)), **TR)
    with pytest.raises(hrh.InputError, match="panel has no rows"):
        hrh.transitions(panel.head(0).lazy(), **TR)
    panel.head(100).write_parquet(tmp_path / "a.parquet")
    panel.tail(100).drop("grade").write_parquet(tmp_path / "b.parquet")
    with pytest.raises(hrh.InputError, match=r"column is missing from some of the data.*grade"):
        hrh.transitions(tmp_path, **TR)


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
    _same(
        hrh.life_table(spells, duration="years", event="left", width=1),
        hrh.life_table(ddf, duration="years", event="left", width=1),
    )


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


# --- equity and transitions on Dask ----------------------------------------------------


@pytest.mark.usefixtures("client")
@pytest.mark.parametrize("partitions", [1, 3, 7])
def test_equity_on_dask(units: pl.DataFrame, partitions: int) -> None:
    ordered = units.sort("year")
    pdf = ordered.to_pandas()
    empty = dd.from_pandas(pdf.iloc[:0], npartitions=1)
    by_year = [
        dd.from_pandas(p.to_pandas(), npartitions=1)
        for _, p in ordered.group_by("year", maintain_order=True)
    ]
    layouts = [
        dd.from_pandas(pdf, npartitions=partitions, sort=False),
        dd.concat([empty, *by_year, empty]),  # single-group partitions and empty ones
    ]
    for call in EQ_CALLS[:3]:
        kw = {"population": "population", "measures": EQ_MEASURES, **call}
        whole = hrh.equity(ordered, **kw)  # type: ignore[arg-type]
        lazy = hrh.equity(ordered.lazy(), **kw)  # type: ignore[arg-type]
        for ddf in layouts:
            out = hrh.equity(ddf, **kw)  # type: ignore[arg-type]
            _close(whole, out)
            _same(lazy, out)  # the same bits as from batches


@pytest.mark.usefixtures("client")
def test_equity_on_dask_bad_partitions_are_named(units: pl.DataFrame) -> None:
    from dask import delayed

    pdf = units.head(200).select("year", "doctors", "population").to_pandas()
    text = pdf.assign(doctors=pdf["doctors"].astype(str))
    lying = dd.from_delayed([delayed(pdf), delayed(text)], meta=pdf.head(0), verify_meta=False)
    kw = {"staff": "doctors", "population": "population", "measures": ["cv"]}
    with pytest.raises(hrh.InputError, match=r"column 'doctors' has type String in partition 1"):
        hrh.equity(lying, **kw)  # type: ignore[arg-type]
    late = pdf.copy()
    late.loc[7, "population"] = 0
    two = dd.concat([dd.from_pandas(pdf, npartitions=1), dd.from_pandas(late, npartitions=1)])
    with pytest.raises(hrh.InputError, match=r"partition 1: column 'population', row 7"):
        hrh.equity(two, **kw)  # type: ignore[arg-type]
    with pytest.raises(hrh.InputError, match=r"'gini' needs the units sorted.*compute\(\)"):
        hrh.equity(two, staff="doctors", population="population")


@pytest.mark.usefixtures("client")
@pytest.mark.parametrize("partitions", [1, 3, 7])
def test_transitions_on_dask(panel: pl.DataFrame, partitions: int) -> None:
    whole = hrh.transitions(panel, **TR)
    ordered = panel.sort("id")
    pdf = ordered.to_pandas()
    empty = dd.from_pandas(pdf.iloc[:0], npartitions=1)
    first = int((ordered["id"] == ordered["id"][0]).sum())
    layouts = [
        dd.from_pandas(panel.to_pandas(), npartitions=partitions),  # people cut across
        dd.concat(
            [
                empty,
                dd.from_pandas(pdf.iloc[:first], npartitions=1),  # one person
                dd.from_pandas(pdf.iloc[first:], npartitions=partitions, sort=False),
                empty,
            ]
        ),
    ]
    for ddf in layouts:
        _same_transitions(whole, hrh.transitions(ddf, **TR))


@pytest.mark.usefixtures("client")
def test_transitions_on_dask_bad_partitions_are_named(panel: pl.DataFrame) -> None:
    from dask import delayed

    pdf = panel.head(300).to_pandas()
    text = pdf.assign(year=pdf["year"].astype(str))
    lying = dd.from_delayed([delayed(pdf), delayed(text)], meta=pdf.head(0), verify_meta=False)
    with pytest.raises(hrh.InputError, match=r"column 'year' has type String in partition 1"):
        hrh.transitions(lying, **TR)
    again = pdf.iloc[[5]]
    two = dd.concat([dd.from_pandas(pdf, npartitions=1), dd.from_pandas(again, npartitions=1)])
    with pytest.raises(hrh.InputError, match=r"row 0 of partition 1: id .* observed twice"):
        hrh.transitions(two, **TR)
