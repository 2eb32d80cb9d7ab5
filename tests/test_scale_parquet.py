"""Parquet paths read file by file in slices of HRH_BATCH_ROWS rows: a folder of files,
a glob and a hive-partitioned folder give the same tables, bit for bit, as the frame in
memory, for any slice size; a file without a column the call needs is named before any
row is read."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest
from test_scale import _same

import hrh
from hrh import _scale as scale

N = 12_000
DISTRICTS = [f"d{i:02d}" for i in range(12)]


@pytest.fixture(scope="module")
def register() -> pl.DataFrame:
    rng = np.random.default_rng(11)
    hire = rng.integers(14_000, 19_000, N)
    stay = rng.integers(30, 4_000, N)
    left = rng.random(N) < 0.6
    return pl.DataFrame(
        {
            "district": rng.choice(DISTRICTS, N),
            "cadre": rng.choice(["doctor", "nurse", "midwife"], N),
            "fte": rng.choice([0.1, 0.3, 0.5, 0.8, 1.0], N) * rng.choice([1.0, 0.7], N),
            "hire_date": pl.Series(hire, dtype=pl.Int32).cast(pl.Date),
            "exit_date": pl.Series(hire + stay, dtype=pl.Int32)
            .cast(pl.Date)
            .scatter(np.flatnonzero(~left), None),
            "notes": ["x" * 12] * N,
        }
    )


@pytest.fixture(scope="module")
def population() -> pl.DataFrame:
    return pl.DataFrame(
        {"district": DISTRICTS, "population": [40_000 + 1000 * i for i in range(12)]}
    )


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory, register: pl.DataFrame) -> Path:
    out = tmp_path_factory.mktemp("files")
    for i, part in enumerate(register.iter_slices(2_500)):  # 5 files, the last short
        part.write_parquet(out / f"part-{i:02d}.parquet", row_group_size=700)
    pl.DataFrame(schema=register.schema).write_parquet(out / "part-99.parquet")  # no rows
    return out


@pytest.fixture(scope="module")
def hive(tmp_path_factory: pytest.TempPathFactory, register: pl.DataFrame) -> Path:
    out = tmp_path_factory.mktemp("hive")
    for (cadre,), part in register.group_by("cadre", maintain_order=True):
        (out / f"cadre={cadre}").mkdir()
        part.drop("cadre").write_parquet(out / f"cadre={cadre}" / "data.parquet")
    return out


def _density(data: object, population: pl.DataFrame) -> pl.DataFrame:
    return hrh.density(data, staff="fte", population=population, by=["district", "cadre"])


PT = {"entry": "hire_date", "exit": "exit_date", "by": "cadre", "start": "2010-01-01"}


@pytest.mark.parametrize("rows", ["1000", "2500", "3333", "1048576"])
@pytest.mark.parametrize("kind", ["folder", "glob", "one_file"])
def test_files_in_slices_equal_the_frame(
    monkeypatch: pytest.MonkeyPatch,
    folder: Path,
    register: pl.DataFrame,
    population: pl.DataFrame,
    rows: str,
    kind: str,
) -> None:
    monkeypatch.setenv("HRH_BATCH_ROWS", rows)
    path = {
        "folder": folder,
        "glob": folder / "part-*.parquet",
        "one_file": str(folder / "part-00.parquet"),
    }[kind]
    frame = register.head(2_500) if kind == "one_file" else register
    _same(_density(path, population), _density(frame, population))
    _same(hrh.person_time(path, **PT), hrh.person_time(frame, **PT))


def test_files_are_read_one_by_one_in_slices(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    monkeypatch.setenv("HRH_BATCH_ROWS", "1000")
    src = scale.source(folder)
    assert src.files is not None and len(src.files) == 6
    batches = list(scale._batches(src, ["district", "fte"]))
    # The first slice is cut in two, so that work starts sooner; after the first slice
    # of a file, the slices end at its row groups of 700 rows (the first of all shows one
    # chunk, so its file's slices stay as they are).
    heights = [b.height for b, _ in batches]
    assert heights == [125, 875, 1000, 500] + [1000, 400, 700, 400] * 3 + [1000, 400, 600]
    assert all(b.columns == ["district", "fte"] for b, _ in batches)
    # Only the last batch comes while no read runs.
    assert [alone for _, alone in batches] == [False] * (len(batches) - 1) + [True]
    # Row groups larger than a batch: the slices keep to the batch size.
    monkeypatch.setenv("HRH_BATCH_ROWS", "500")
    heights = [b.height for b, _ in scale._batches(src, ["fte"])]
    assert max(heights) <= 500 and sum(heights) == N


@pytest.mark.parametrize("rows", ["997", "1048576"])
def test_hive_partitioned_folder_equals_the_frame(
    monkeypatch: pytest.MonkeyPatch,
    hive: Path,
    register: pl.DataFrame,
    population: pl.DataFrame,
    rows: str,
) -> None:
    monkeypatch.setenv("HRH_BATCH_ROWS", rows)
    src = scale.source(hive)
    assert src.files is None  # the cadre is in the folder names, not in the files
    batches = [b for b, _ in scale._batches(src, ["district", "cadre"])]
    assert sum(b.height for b in batches) == N
    assert max(b.height for b in batches) <= int(rows)
    # The files hold the cadres one after another: compare with the frame in that order.
    ordered = register.sort("cadre", maintain_order=True)
    _same(_density(hive, population), _density(ordered, population))
    _same(hrh.person_time(hive, **PT), hrh.person_time(ordered, **PT))


def test_without_path_expansion_the_scan_is_read(
    monkeypatch: pytest.MonkeyPatch, folder: Path, register: pl.DataFrame, population: pl.DataFrame
) -> None:
    import polars.io._expand_paths as expand

    monkeypatch.delattr(expand, "_expand_paths")
    monkeypatch.setenv("HRH_BATCH_ROWS", "997")
    assert scale.source(folder).files is None
    _same(_density(folder, population), _density(register, population))


def test_bad_row_in_a_later_file_is_counted_from_the_start(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    register: pl.DataFrame,
    population: pl.DataFrame,
) -> None:
    monkeypatch.setenv("HRH_BATCH_ROWS", "1000")
    bad = register.with_columns(
        fte=pl.when(pl.int_range(pl.len()) == 7_777).then(-1.0).otherwise(pl.col("fte"))
    )
    for i, part in enumerate(bad.iter_slices(2_500)):
        part.write_parquet(tmp_path / f"part-{i:02d}.parquet")
    with pytest.raises(hrh.InputError) as whole:
        _density(bad, population)
    with pytest.raises(hrh.InputError) as files:
        _density(tmp_path, population)
    assert "row 7777" in str(whole.value)
    assert str(files.value) == str(whole.value)


def test_a_file_without_a_column_is_named(
    tmp_path: Path, register: pl.DataFrame, population: pl.DataFrame
) -> None:
    register.head(100).write_parquet(tmp_path / "a.parquet")
    register.slice(100, 100).drop("fte").write_parquet(tmp_path / "b.parquet")
    with pytest.raises(hrh.InputError, match=r"'fte' is not in the Parquet file '.*b\.parquet'"):
        _density(tmp_path, population)
    # a call that does not need the column reads both files
    counted = hrh.density(tmp_path, population=population, by="district")
    _same(counted, hrh.density(register.head(200), population=population, by="district"))


def test_a_file_with_another_type_is_named(
    tmp_path: Path, register: pl.DataFrame, population: pl.DataFrame
) -> None:
    register.head(100).write_parquet(tmp_path / "a.parquet")
    register.slice(100, 100).with_columns(pl.col("fte").cast(pl.Float32)).write_parquet(
        tmp_path / "b.parquet"
    )
    with pytest.raises(
        hrh.InputError, match=r"column 'fte' has type Float32 in the Parquet file '.*b\.parquet'"
    ):
        _density(tmp_path, population)


# --- Parquet files read by Dask ------------------------------------------------------


def test_dask_reads_and_reduces_each_partition_in_one_task(folder: Path) -> None:
    dd = pytest.importorskip("dask.dataframe")
    ddf = dd.read_parquet(str(folder / "part-0*.parquet"))
    tasks = scale.partition_tasks(ddf, ["district", "fte"], lambda pdf, i: (i, len(pdf)))
    graph = dict(tasks[0].__dask_graph__())
    assert len(tasks) == len(graph)  # one task a partition: none of rows alone
    states = scale.reduce_tree(tasks, lambda parts: (-1, sum(n for _, n in parts)))
    assert states == (-1, N)


def test_dask_parquet_file_without_a_column_is_named(
    tmp_path: Path, register: pl.DataFrame, population: pl.DataFrame
) -> None:
    dd = pytest.importorskip("dask.dataframe")
    register.head(100).write_parquet(tmp_path / "a.parquet")
    register.slice(100, 100).drop("fte").write_parquet(tmp_path / "b.parquet")
    ddf = dd.read_parquet(str(tmp_path))
    with pytest.raises(
        hrh.InputError, match=r"'fte' is not in the Parquet file '.*b\.parquet' of the Dask"
    ):
        _density(ddf, population)
    with pytest.raises(hrh.InputError, match=r"'fte' is not in the Parquet file '.*b\.parquet'"):
        _density(ddf[["district", "cadre", "fte"]], population)  # a selection, too
    counted = hrh.density(ddf, population=population, by="district")
    _same(counted, hrh.density(register.head(200), population=population, by="district"))


def test_dask_partition_without_a_column_is_an_input_error(population: pl.DataFrame) -> None:
    dd = pytest.importorskip("dask.dataframe")
    pd = pytest.importorskip("pandas")
    from dask import delayed

    parts = [
        delayed(pd.DataFrame)({"district": ["d01"], "fte": [1.0]}),
        delayed(pd.DataFrame)({"district": ["d02"]}),
    ]
    meta = pd.DataFrame(
        {"district": pd.Series([], dtype=object), "fte": pd.Series([], dtype=float)}
    )
    ddf = dd.from_delayed(parts, meta=meta, verify_meta=False)
    with pytest.raises(hrh.InputError, match=r"column is missing from some partitions.*fte"):
        _density(ddf.assign(cadre="nurse"), population)


def test_dask_partitions_read_together_are_named(
    tmp_path: Path, register: pl.DataFrame, population: pl.DataFrame
) -> None:
    dd = pytest.importorskip("dask.dataframe")
    bad = register.with_columns(
        fte=pl.when(pl.int_range(pl.len()) == 7_777).then(-1.0).otherwise(pl.col("fte"))
    )
    for i, part in enumerate(bad.iter_slices(2_500)):  # the bad row: file 3, row 277
        part.write_parquet(tmp_path / f"part-{i:02d}.parquet")
    ddf = dd.read_parquet(str(tmp_path))
    # Two of six columns: Dask reads the five files' partitions in two tasks.
    tasks = scale.partition_tasks(ddf, ["district", "fte"], lambda pdf, where: where)
    names = scale.reduce_tree(tasks, lambda parts: "; ".join(parts))
    together = "(which Dask reads as one)"
    assert names == f"partitions 0 to 1 {together}; partitions 2 to 4 {together}"
    with pytest.raises(hrh.InputError) as spread:
        hrh.density(ddf, staff="fte", population=population, by="district")
    assert str(spread.value).startswith(f"partitions 2 to 4 {together}: column 'fte', row 2777")
    # every partition on its own when all columns are read
    whole = scale.partition_tasks(ddf, list(ddf.columns), lambda pdf, where: where)
    assert len(whole) == ddf.npartitions


def test_rows_counted_when_no_column_is_needed(
    monkeypatch: pytest.MonkeyPatch, folder: Path, register: pl.DataFrame
) -> None:
    # Without `by` or `staff` the rows are counted: a selection of no columns has none,
    # so one column is read to count them (this was "data has no rows").
    monkeypatch.setenv("HRH_BATCH_ROWS", "1000")
    pop = pl.DataFrame({"population": [1_000_000.0]})
    want = hrh.density(register, population=pop)
    assert want["staff"].to_list() == [float(N)]
    _same(hrh.density(register.lazy(), population=pop), want)
    _same(hrh.density(folder, population=pop), want)
    dd = pytest.importorskip("dask.dataframe")
    _same(hrh.density(dd.read_parquet(str(folder / "part-0*.parquet")), population=pop), want)
