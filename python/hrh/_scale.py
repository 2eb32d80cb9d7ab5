"""Inputs larger than memory, or spread over a Dask cluster, for statistics that are
sums over rows.

A :class:`Source` wraps what the user passed: an in-memory table (read once, as
always), a polars ``LazyFrame`` or Parquet path (read in batches of only the columns
the call needs), or a Dask DataFrame (one task per partition). :func:`grouped_sums`
adds batches keyed by String columns into one state in the core (``KeyedSumsState``);
otherwise it computes, per batch or partition, a *partial table*: each group's row
count and exact sums, spread over a few rows whose values add up exactly to them (the
core's ``grouped_partials``). States and partial tables merge exactly (partial tables
by concatenation followed by another exact grouped sum), so any batching, partitioning
or order of merging gives the same bits as one pass over the whole table.
"""

from __future__ import annotations

import os
import re
import sys
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import polars as pl

from hrh._frames import (
    StringKeyedSums,
    coded_sums,
    keyed_table,
    sums_table,
    to_frame,
    warn_dropped,
)
from hrh._frames import grouped_sums as whole
from hrh.exceptions import InputError

#: Rows per batch when a LazyFrame or Parquet file is read in batches
#: (``HRH_BATCH_ROWS`` overrides).
BATCH_ROWS = 1 << 20

#: Partial tables kept before they are merged into one (bounds memory while streaming).
_FAN_IN = 8

_COUNT = "__hrh_n"

Prepare = Callable[[pl.DataFrame], pl.DataFrame]


def _batch_rows() -> int:
    raw = os.environ.get("HRH_BATCH_ROWS")
    if raw is None:
        return BATCH_ROWS
    try:
        rows = int(raw)
    except ValueError:
        rows = 0
    if rows < 1:
        raise InputError(f"environment variable HRH_BATCH_ROWS: {raw!r} must be an integer >= 1")
    return rows


def is_dask(data: Any) -> bool:
    """Whether `data` is a Dask DataFrame, without importing Dask."""
    return type(data).__module__.split(".")[0] == "dask" and hasattr(data, "to_delayed")


@dataclass(frozen=True)
class Source:
    """Where the rows come from: exactly one of `frame`, `lazy` and `dask` is set."""

    schema: pl.Schema
    frame: pl.DataFrame | None = None
    lazy: pl.LazyFrame | None = None
    dask: Any = None
    name: str = "data"
    #: The files of a Parquet path, read one after another in slices (None: read
    #: `lazy` in slices if `path`, else in batches)
    files: tuple[str, ...] | None = None
    #: Whether `lazy` is the scan of a Parquet path (rather than a user's LazyFrame)
    path: bool = False

    def empty(self) -> pl.DataFrame:
        """A table with the columns and types and no rows, for checks of names."""
        return self.frame if self.frame is not None else pl.DataFrame(schema=self.schema)


def source(data: Any, *, name: str = "data") -> Source:
    """Wrap `data`: a LazyFrame, a Parquet path (file, directory or glob) or a Dask
    DataFrame is read later in batches or partitions; anything else now, whole."""
    if isinstance(data, pl.LazyFrame):
        try:
            schema = data.collect_schema()
        except pl.exceptions.PolarsError as e:
            raise InputError(f"{name}: could not be read ({e})") from e
        return Source(schema=schema, lazy=data, name=name)
    if isinstance(data, str | os.PathLike):
        path = Path(data)
        if path.suffix not in (".parquet", ".pq", "") and "*" not in str(path):
            raise InputError(
                f"{name}: {str(path)!r} is a path, which hrh reads as Parquet; pass other "
                "files as tables (e.g. polars.read_csv)"
            )
        try:
            lazy = pl.scan_parquet(path, missing_columns="raise")
            schema = lazy.collect_schema()
        except (OSError, pl.exceptions.PolarsError) as e:
            raise InputError(
                f"{name}: could not read the Parquet data at {str(path)!r} ({e})"
            ) from e
        files = _parquet_files(path, schema)
        return Source(schema=schema, lazy=lazy, name=name, files=files, path=True)
    if is_dask(data):
        meta = getattr(data, "_meta", None)
        if meta is None:
            raise InputError(f"{name}: a Dask DataFrame without metadata (_meta)")
        return Source(schema=to_frame(meta, name=name).schema, dask=data, name=name)
    frame = to_frame(data, name=name)
    return Source(schema=frame.schema, frame=frame, name=name)


def _parquet_files(path: Path, schema: pl.Schema) -> tuple[str, ...] | None:
    """The files of a Parquet path in the order polars' scan reads them, or None when
    they cannot be listed (a polars without its path expansion) or the columns are not
    all in the files (a hive-partitioned dataset): that data is read as one scan, in
    slices."""
    try:
        from polars.io._expand_paths import _expand_paths

        files = tuple(str(f) for f in _expand_paths(path).collect().to_series())
        if not files or set(pl.read_parquet_schema(files[0])) != set(schema):
            return None
    except (ImportError, AttributeError, TypeError, OSError, pl.exceptions.PolarsError):
        return None
    return files


_ROW = re.compile(r"\brow (\d+)")


def _in_batch(error: InputError, offset: int) -> InputError:
    """The error of a batch with its row numbers counted from the start of the data."""
    message = _ROW.sub(lambda m: f"row {int(m.group(1)) + offset}", str(error), count=1)
    return InputError(message)


def _partial(
    df: pl.DataFrame, by: Sequence[str], sums: Mapping[str, str], *, count: bool = True
) -> pl.DataFrame:
    """The partial table of one batch: keys, the row count (unless `count` is false,
    when merging tables that carry it as a sum) and the sums (names of `sums`), each
    group spread over rows that add up exactly."""
    return _partial_table(coded_sums(df, by, list(sums.values()), partial=True), by, sums, count)


def _partial_table(
    out: tuple[Any, list[tuple[None, pl.Series]], Any, list[Any]],
    by: Sequence[str],
    names: Iterable[str],
    count: bool = True,
) -> pl.DataFrame:
    """The partial table of the partial sums `out` (of :func:`coded_sums` or of a
    state's `finish`): keys, the row count (unless `count` is false) and the sums."""
    cell, coded, counts, totals = out
    first = {_COUNT: counts.astype(np.float64)} if count else {}
    return keyed_table(cell, coded, by, first | dict(zip(names, totals, strict=True)))


def _concat(parts: Sequence[pl.DataFrame], by: Sequence[str]) -> pl.DataFrame:
    try:
        return pl.concat(parts, how="vertical")
    except pl.exceptions.PolarsError:
        first = parts[0].schema
        for i, p in enumerate(parts[1:], start=1):
            for c in by:
                if p.schema[c] != first[c] and p.height and parts[0].height:
                    raise InputError(
                        f"column {c!r} has type {first[c]} in one batch or partition and "
                        f"{p.schema[c]} in another (batch or partition {i}); give it one type"
                    ) from None
        return pl.concat(parts, how="vertical_relaxed")


def merge(parts: Sequence[pl.DataFrame], by: Sequence[str], sums: Sequence[str]) -> pl.DataFrame:
    """Merge partial tables into one partial table (exactly)."""
    if len(parts) == 1:
        return parts[0]
    both = _concat(parts, by)
    return _partial(both, by, {c: c for c in [_COUNT, *sums]}, count=False)


def finish(
    part: pl.DataFrame, by: Sequence[str], sums: Sequence[str], count: str | None
) -> pl.DataFrame:
    """The sums (and count) of a partial table, rounded once: one row per group."""
    cell, coded, _, totals = coded_sums(part, by, [_COUNT, *sums])
    counted = pl.Series(count, totals[0]).cast(pl.Int64) if count is not None else None
    return keyed_table(cell, coded, by, dict(zip(sums, totals[1:], strict=True)), count=counted)


def _batches(src: Source, columns: list[str]) -> Iterator[tuple[pl.DataFrame, bool]]:
    """The `columns` of the rows of a LazyFrame or Parquet path, in batches of
    ``HRH_BATCH_ROWS`` rows at most, each with whether it comes alone (no read of the
    next batch runs meanwhile, so work on it may take every core). Parquet files are
    read one after another, in slices of only those columns, so that memory does not
    grow with the rows (a scan's batches read ahead); Parquet data whose files are not
    listed is read as one scan in slices, and a user's LazyFrame in batches of its
    query."""
    assert src.lazy is not None
    rows = _batch_rows()
    try:
        if src.files is None:
            lazy = src.lazy.select(columns)
            read = _scan_slices(lazy, rows) if src.path else lazy.collect_batches(chunk_size=rows)
            for batch in read:
                yield batch, True
            return
        _check_files(src, columns)
        yield from _slices(src.files, columns, rows)
    except pl.exceptions.ColumnNotFoundError as e:
        raise InputError(f"{src.name}: a column is missing from some of the data ({e})") from e
    except (OSError, pl.exceptions.PolarsError) as e:
        raise InputError(f"{src.name}: could not be read ({e})") from e


def _spans(files: Sequence[str], rows: int) -> tuple[list[tuple[str, int, int]], list[int]]:
    """(file, first row, rows) of the slices of `files` (empty files left out), `rows`
    rows each but the first slice of all, cut in two (an eighth and the rest) so that
    work starts sooner; and each file's rows."""
    spans: list[tuple[str, int, int]] = []
    lengths = []
    for file in files:
        n = pl.scan_parquet(file).select(pl.len()).collect().item()
        lengths.append(n)
        first = not spans
        spans += [(file, lo, rows) for lo in range(0, n, rows)]
        if first and n > rows // 8 > 0:
            spans[0:1] = [(file, 0, rows // 8), (file, rows // 8, rows - rows // 8)]
    return spans, lengths


def _along_row_groups(
    spans: list[tuple[str, int, int]], i: int, batch: pl.DataFrame, n: int, rows: int
) -> None:
    """Once the first slice of a file (`spans[i]`, of a file of `n` rows) is read, cut
    the file's later slices at its row groups, which that slice shows as its chunks
    (when they are all of one size but the last): a slice that ends inside a row group
    has the group decoded twice, by it and by the next. The rows read stay the same."""
    file, lo, length = spans[i]
    if lo != 0 or not batch.width:
        return
    chunks = batch.to_series(0).chunk_lengths()
    group = chunks[0]
    if len(chunks) < 2 or not 1 <= group <= rows or any(c != group for c in chunks[:-1]):
        return
    step = max(1, rows // group) * group
    start = length
    later = []
    end = (start // group) * group + step
    while start < n:
        later.append((file, start, min(end, n) - start))
        start, end = end, end + step
    rest = i + 1
    while rest < len(spans) and spans[rest][0] == file:
        rest += 1
    spans[i + 1 : rest] = later


def _slices(
    files: Sequence[str], columns: list[str], rows: int
) -> Iterator[tuple[pl.DataFrame, bool]]:
    """The `columns` of the `files`, one after another, in slices of about `rows` rows
    (see :func:`_spans` and :func:`_along_row_groups`), each with whether it is the
    last. The next slice is read in a thread while the caller works on the current one
    (polars reads without the GIL; Python there would hold the GIL when the caller
    needs it, so only the read is done there): two slices in memory at most."""
    spans, lengths = _spans(files, rows)
    rows_of = dict(zip(files, lengths, strict=True))

    scans: dict[str, pl.LazyFrame] = {}

    def read(span: tuple[str, int, int]) -> pl.DataFrame:
        file, lo, n = span
        # One scan per file, sliced again and again (polars keeps what it read of the
        # file's metadata: 0.7 ms less per slice).
        if file not in scans:
            scans.clear()
            scans[file] = pl.scan_parquet(file).select(columns)
        return scans[file].slice(lo, n).collect()

    with ThreadPoolExecutor(max_workers=1) as pool:
        ahead = pool.submit(read, spans[0]) if spans else None
        i = 0
        while ahead is not None:
            batch = ahead.result()
            _along_row_groups(spans, i, batch, rows_of[spans[i][0]], rows)
            ahead = pool.submit(read, spans[i + 1]) if i + 1 < len(spans) else None
            i += 1
            yield batch, ahead is None


def _scan_slices(scan: pl.LazyFrame, rows: int) -> Iterator[pl.DataFrame]:
    """The rows of `scan` in slices of `rows` rows, until one comes short (polars pushes
    each slice down to its Parquet reader)."""
    offset = 0
    while True:
        batch = scan.slice(offset, rows).collect()
        if batch.height:
            yield batch
        if batch.height < rows:
            return
        offset += rows


def _check_files(src: Source, columns: list[str]) -> None:
    """Every file of a Parquet path has the `columns`, of the types of the first: an
    InputError naming the column and the file before any row is read."""
    assert src.files is not None
    for file in src.files:
        schema = pl.read_parquet_schema(file)
        for c in columns:
            if c not in schema:
                raise InputError(
                    f"{src.name}: a column is missing from some of the data: {c!r} is not "
                    f"in the Parquet file {file!r}"
                )
            if schema[c] != src.schema[c]:
                raise InputError(
                    f"{src.name}: column {c!r} has type {schema[c]} in the Parquet file "
                    f"{file!r} but {src.schema[c]} in the first file; give it one type"
                )


def _prepared(prepare: Prepare, batch: pl.DataFrame, offset: int) -> tuple[pl.DataFrame, int]:
    """A checked batch and the rows its null rule dropped; errors count rows from the
    start of the data."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        try:
            out = prepare(batch)
        except InputError as e:
            raise _in_batch(e, offset) from None
    return out, batch.height - out.height


def _partition_frame(pdf: Any, where: str, schema: pl.Schema) -> pl.DataFrame:
    """A Dask partition as a polars frame of the `schema` columns, whose types it must
    share (an empty partition may differ)."""
    df = to_frame(pdf, name=where)
    for c in schema:
        if c in df.columns and df.schema[c] != schema[c] and df.height:
            raise InputError(
                f"column {c!r} has type {df.schema[c]} in {where} but {schema[c]} "
                "in the Dask DataFrame's metadata; give every partition the same types"
            )
    return df.select(list(schema))


def _partition_partial(
    pdf: Any,
    where: str,
    schema: pl.Schema,
    prepare: Prepare,
    by: Sequence[str],
    sums: Mapping[str, str],
) -> tuple[pl.DataFrame, int, int]:
    df = _partition_frame(pdf, where, schema)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            out = prepare(df)
    except InputError as e:
        raise InputError(f"{where}: {e}") from None
    return _partial(out, by, sums), df.height, df.height - out.height


def _needed(src: Source, columns: Sequence[str]) -> list[str]:
    """The distinct `columns` to read, or the first column of the data when none is
    needed (rows are counted; a selection of no columns would have none)."""
    needed = list(dict.fromkeys(columns))
    if not needed and src.schema:
        needed = [next(iter(src.schema))]
    return needed


def grouped_sums(
    src: Source,
    columns: Sequence[str],
    prepare: Prepare,
    by: Sequence[str],
    sums: Mapping[str, str],
    *,
    count: str | None = None,
) -> tuple[pl.DataFrame, int]:
    """Exact sums (output name -> column) and the row count over `by` groups of the rows
    `prepare` checks (and may filter), batch by batch or partition by partition; returns
    the table and the number of rows kept. Only `columns` are read."""
    needed = _needed(src, columns)
    names = list(sums)
    if src.frame is not None:
        df = prepare(src.frame)
        return whole(df, by, sums, count=count), df.height
    if src.lazy is not None:
        # String keys: every batch into one state in the core. Other keys are coded per
        # batch (their codes differ between batches): each batch's partial table, merged.
        state = (
            StringKeyedSums(by, list(sums.values()))
            if all(src.schema[c] == pl.String for c in by)
            else None
        )
        parts: list[pl.DataFrame] = []
        first: pl.DataFrame | None = None  # a lone batch is summed directly
        offset = dropped = 0
        for batch, alone in _batches(src, needed):
            checked, lost = _prepared(prepare, batch, offset)
            offset += batch.height
            dropped += lost
            if state is not None and state.add(checked, parallel=alone):
                continue
            if state is None and first is None and not parts:
                first = checked
                continue
            if first is not None:
                parts.append(_partial(first, by, sums))
                first = None
            parts.append(_partial(checked, by, sums))
            if len(parts) >= _FAN_IN:
                parts = [merge(parts, by, names)]
        warn_dropped(dropped, offset, src.name, needed)
        if state is not None and state.rows:
            if not parts:
                return sums_table(state.finish(), by, names, count=count), offset - dropped
            parts.append(_partial_table(state.finish(partial=True), by, names))
        if not parts:
            if first is None:
                first = prepare(src.empty().select(needed))
            return whole(first, by, sums, count=count), offset - dropped
        return finish(merge(parts, by, names), by, names, count), offset - dropped
    return _dask_sums(src, needed, prepare, by, sums, count)


def _check_client() -> None:
    """A default Dask client that is closed or has no workers would fail or wait for
    ever: an InputError before any work is sent. Without distributed (or without a
    client) Dask's local scheduler runs the tasks."""
    distributed = sys.modules.get("distributed")
    if distributed is None:
        return
    try:
        client = distributed.default_client()
    except ValueError:  # no client: the local scheduler
        return
    check_client(client, "the default client")


def check_client(client: Any, name: str) -> int:
    """The number of worker threads of a Dask `client` (`name` in messages); an
    InputError when it is closed or its cluster has no workers within
    ``HRH_DASK_WORKER_WAIT`` seconds."""
    if client.status in ("closing", "closed"):
        raise InputError(f"Dask: {name} is closed; open a new one or remove it to run locally")
    threads = client.nthreads()  # asks the scheduler now (scheduler_info() may be stale)
    if threads:
        return int(sum(threads.values()))
    wait = _worker_wait()
    try:
        client.wait_for_workers(1, timeout=wait)
    except TimeoutError:
        raise InputError(
            f"Dask: the cluster of {name} has had no workers for {wait:g} s, so the work "
            "would wait for ever; start workers (e.g. LocalCluster(n_workers=2)) or close "
            "the client to run locally (HRH_DASK_WORKER_WAIT sets the wait)"
        ) from None
    return int(sum(client.nthreads().values()))


def _worker_wait() -> float:
    """Seconds to wait for a Dask worker (``HRH_DASK_WORKER_WAIT``, default 30)."""
    raw = os.environ.get("HRH_DASK_WORKER_WAIT", "30")
    try:
        wait = float(raw)
    except ValueError:
        wait = -1.0
    if not (0 < wait < float("inf")):
        raise InputError(
            f"environment variable HRH_DASK_WORKER_WAIT: {raw!r} must be a number of seconds > 0"
        )
    return wait


def _dask_sums(
    src: Source,
    needed: list[str],
    prepare: Prepare,
    by: Sequence[str],
    sums: Mapping[str, str],
    count: str | None,
) -> tuple[pl.DataFrame, int]:
    names = list(sums)
    schema = pl.Schema({c: src.schema[c] for c in needed})

    def one(pdf: Any, where: str) -> tuple[pl.DataFrame, int, int]:
        return _partition_partial(pdf, where, schema, prepare, by, sums)

    def merged(triples: list[tuple[pl.DataFrame, int, int]]) -> tuple[pl.DataFrame, int, int]:
        return (
            merge([t[0] for t in triples], by, names),
            sum(t[1] for t in triples),
            sum(t[2] for t in triples),
        )

    part, seen, dropped = reduce_tree(
        partition_tasks(src.dask, needed, one, src.name), merged, src.name
    )
    warn_dropped(dropped, seen, src.name, needed)
    return finish(part, by, names, count), seen - dropped


_STATE = "__hrh_state"
T = TypeVar("T")


def partition_tasks(
    ddf: Any, columns: Sequence[str], reduce: Callable[[Any, str], T], name: str = "data"
) -> list[Any]:
    """One Dask task per partition of `ddf` that reads its `columns` and reduces them
    with ``reduce(partition, where)`` (`where` names the partition in messages, e.g.
    ``"partition 3"``): Dask fuses the reading (of a Parquet file, say) and the
    reduction into one task, so a partition's rows stay in the worker that reads them
    and only the reduced state travels. When Dask reads several small partitions of a
    column selection as one, `where` names them all. The tasks are delayed objects whose
    values :func:`reduce_tree` unwraps."""
    import pandas as pd  # type: ignore[import-untyped]

    _check_client()
    _check_parquet_parts(ddf, columns, name)
    selected = ddf[list(columns)]
    if selected.npartitions == 0:
        raise InputError(f"{name}: the Dask DataFrame has no partitions")
    meta = pd.DataFrame({_STATE: pd.Series([], dtype=object)})
    states = selected.map_partitions(_wrapped, reduce, None, meta=meta, align_dataframes=False)
    together = _read_together(states)
    if together is not None:
        states = selected.map_partitions(
            _wrapped, reduce, together, meta=meta, align_dataframes=False
        )
    return list(states.to_delayed(optimize_graph=True))


def _read_together(states: Any) -> list[list[int]] | None:
    """The partitions that Dask reads as one task, per task, when it combines the small
    partitions of a column selection of a file reader (None when it does not, or when
    that cannot be told)."""
    try:
        for node in states.optimize().expr.walk():
            fused = "exprs" in getattr(type(node), "_parameters", ())  # lists its parts
            for part in [node, *(node.operand("exprs") if fused else ())]:
                if "_fusion_buckets" in dir(type(part)):
                    return [[int(i) for i in bucket] for bucket in part._fusion_buckets]
    except (AttributeError, KeyError, TypeError, ValueError, NotImplementedError):
        return None
    return None


def _check_parquet_parts(ddf: Any, columns: Sequence[str], name: str) -> None:
    """A Dask DataFrame read from Parquet files (``dd.read_parquet``) whose files do not
    all have the `columns` it reads: an InputError naming the column and the file before
    any task runs (Dask's metadata comes from one file). Nothing is checked when the
    files cannot be listed (another reader, or a Dask without these internals)."""
    try:
        reads = [n for n in ddf.expr.walk() if type(n).__name__.startswith("ReadParquet")]
        found = []
        for node in reads:
            info = node._dataset_info
            keys = set(info.get("partition_names") or ())
            wanted = [c for c in columns if c in info["schema"].names and c not in keys]
            for fragment in info["ds"].get_fragments():
                found.append((fragment.path, fragment.physical_schema.names, wanted))
    except (AttributeError, KeyError, TypeError, ValueError, OSError):
        return
    for path, names, wanted in found:
        for c in wanted:
            if c not in names:
                raise InputError(
                    f"{name}: a column is missing from some of the data: {c!r} is not in "
                    f"the Parquet file {path!r} of the Dask DataFrame"
                )


def _wrapped(
    pdf: Any,
    reduce: Callable[[Any, str], T],
    together: list[list[int]] | None,
    partition_info: Any = None,
) -> Any:
    """The state of a partition in a one-row pandas frame (what a partition must be)."""
    import pandas as pd

    number = 0 if partition_info is None else int(partition_info["number"])
    where = f"partition {number}"
    if together is not None:
        first, last = together[number][0], together[number][-1]
        where = f"partition {first}"
        if last != first:
            where = f"partitions {first} to {last} (which Dask reads as one)"
    return pd.DataFrame({_STATE: pd.Series([reduce(pdf, where)], dtype=object)})


def _unwrapped(part: Any) -> Any:
    return part.iloc[0, 0] if hasattr(part, "iloc") else part


def _combined(parts: Sequence[Any], combine: Callable[[list[T]], T]) -> T:
    states = [_unwrapped(p) for p in parts]
    return states[0] if len(states) == 1 else combine(states)


def reduce_tree(tasks: Sequence[Any], combine: Callable[[list[T]], T], name: str = "data") -> T:
    """The state of all the partitions of :func:`partition_tasks`, combined by
    `combine` (associative) in a tree of at most ``_FAN_IN`` states a task."""
    from dask.delayed import delayed

    both = delayed(_combined, pure=True)
    level = [both(tasks[i : i + _FAN_IN], combine) for i in range(0, len(tasks), _FAN_IN)]
    while len(level) > 1:
        level = [both(level[i : i + _FAN_IN], combine) for i in range(0, len(level), _FAN_IN)]
    try:
        return level[0].compute()  # type: ignore[no-any-return]
    except KeyError as e:  # a partition without a column its metadata has
        raise InputError(
            f"{name}: a column is missing from some partitions of the Dask DataFrame ({e}); "
            "give every partition the same columns"
        ) from None


# --- any mergeable partial state --------------------------------------------------------

State = TypeVar("State")


def fold(
    src: Source,
    columns: Sequence[str],
    partial: Callable[[pl.DataFrame], State],
    merge: Callable[[list[State]], State],
) -> tuple[State | None, int]:
    """The partial state of all the rows (None without rows) and their number:
    `partial` of each batch or partition that has rows, combined by `merge`
    (associative and commutative, so any batching or partitioning gives the same
    state). Only `columns` are read; an InputError of a batch counts rows from the
    start of the data, one of a partition names it. A table in memory is one batch."""
    needed = _needed(src, columns)
    if src.frame is not None:
        return (partial(src.frame) if src.frame.height else None), src.frame.height
    if src.lazy is not None:
        kept: list[State] = []
        offset = 0
        for batch, _ in _batches(src, needed):
            if batch.height:
                try:
                    kept.append(partial(batch))
                except InputError as e:
                    raise _in_batch(e, offset) from None
            offset += batch.height
            if len(kept) >= _FAN_IN:
                kept = [merge(kept)]
        return (merge(kept) if kept else None), offset
    schema = pl.Schema({c: src.schema[c] for c in needed})

    def one(pdf: Any, where: str) -> tuple[State | None, int]:
        return _fold_partition(pdf, where, schema, partial)

    def both(pairs: list[tuple[State | None, int]]) -> tuple[State | None, int]:
        states = [s for s, _ in pairs if s is not None]
        return (merge(states) if states else None), sum(n for _, n in pairs)

    return reduce_tree(partition_tasks(src.dask, needed, one, src.name), both, src.name)


def _fold_partition(
    pdf: Any, where: str, schema: pl.Schema, partial: Callable[[pl.DataFrame], State]
) -> tuple[State | None, int]:
    df = _partition_frame(pdf, where, schema)
    try:
        return (partial(df) if df.height else None), df.height
    except InputError as e:
        raise InputError(f"{where}: {e}") from None
