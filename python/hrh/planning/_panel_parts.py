"""Transition counts of a panel read in parts: a polars LazyFrame or Parquet path in
buckets of people, a Dask DataFrame shuffled so that each person's rows share a
partition.

A transition pairs two rows of one person, so a part can be counted on its own only
when it holds each of its people whole. A LazyFrame or Parquet path is read in as many
passes as it has buckets of about ``HRH_BATCH_ROWS`` rows (people assigned to buckets by
a hash of their id; each pass reads the id, time and state columns alone and keeps one
bucket); a Dask DataFrame's rows are shuffled on the id. Each part gives its counts
(:func:`counts_of`: the states it has, the k x k transitions between them and the
gaps), and parts merge by adding integer counts over the union of their states: exact,
so any partitioning gives the counts of the whole panel. Rows named in errors are
counted from the start of the data (for a Dask DataFrame, within its partition).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from hrh import _scale as scale
from hrh.exceptions import InputError
from hrh.planning._transitions import _checked, counts_of

_ROW = "__hrh_row"
_PART = "__hrh_part"

Counts = tuple[pl.Series, npt.NDArray[np.uint64], int]


def counts_in_parts(
    src: scale.Source, id: str, time: str, state: str
) -> tuple[pl.Series, npt.NDArray[np.uint64], int, str | None]:
    """The merged partial state (states, counts, gaps) of the panel and the time unit
    (``"year"`` when times are dates)."""
    schema = src.schema
    unit = "year" if schema[time] == pl.Date or isinstance(schema[time], pl.Datetime) else None
    columns = list(dict.fromkeys([id, time, state]))
    if src.lazy is not None:
        parts = _lazy_parts(src, columns, id, time, state, unit)
    else:
        parts = _dask_parts(src, columns, id, time, state, unit)
    kept = [p for p in parts if p is not None]
    if not kept:
        raise InputError("panel has no rows")
    labels, counts, gaps = merge_counts(kept)
    return labels, counts, gaps, unit


def merge_counts(parts: Sequence[Counts]) -> Counts:
    """Partial states of parts holding different people, added over the union of their
    states (sorted): integer sums, so the order of the parts does not matter."""
    if len(parts) == 1:
        return parts[0]
    frames = [p[0].to_frame() for p in parts]
    labels = pl.concat(frames, how="vertical_relaxed").to_series().unique().sort()
    k = labels.len()
    total = np.zeros(k * k, dtype=np.uint64)
    gaps = 0
    for own, counts, g in parts:
        at = labels.search_sorted(own.cast(labels.dtype)).to_numpy().astype(np.int64)
        cells = (at[:, None] * k + at[None, :]).ravel()
        total[cells] += counts
        gaps += g
    return labels, total, gaps


_ROWS = re.compile(r"\brow (\d+)|\brows (\d+) and (\d+)")


def _relabel(error: InputError, where: Any) -> InputError:
    """The error of a part with its rows named as `where(row)` names them."""

    def sub(m: re.Match[str]) -> str:
        if m.group(1) is not None:
            return str(where(int(m.group(1))))
        return f"rows {str(where(int(m.group(2))))[4:]} and {str(where(int(m.group(3))))[4:]}"

    return InputError(_ROWS.sub(sub, str(error)))


def _count(
    df: pl.DataFrame, id: str, time: str, state: str, unit: str | None, where: Any
) -> Counts | None:
    if df.height == 0:
        return None
    try:
        checked, _ = _checked(df, id, time, state)
        return counts_of(checked, id, time, state, unit)
    except InputError as e:
        raise _relabel(e, where) from None


def _lazy_parts(
    src: scale.Source, columns: list[str], id: str, time: str, state: str, unit: str | None
) -> list[Counts | None]:
    assert src.lazy is not None
    lazy = src.lazy.with_row_index(_ROW).select(_ROW, *columns)
    try:
        rows = int(lazy.select(pl.len()).collect(engine="streaming").item())
    except pl.exceptions.ColumnNotFoundError as e:
        raise InputError(f"{src.name}: a column is missing from some of the data ({e})") from e
    except pl.exceptions.PolarsError as e:
        raise InputError(f"{src.name}: could not be read ({e})") from e
    buckets = max(1, math.ceil(rows / scale._batch_rows()))
    out: list[Counts | None] = []
    for b in range(buckets):
        part = lazy.filter(pl.col(id).hash(seed=0) % buckets == b) if buckets > 1 else lazy
        try:
            df = part.collect(engine="streaming")
        except pl.exceptions.ColumnNotFoundError as e:
            raise InputError(f"{src.name}: a column is missing from some of the data ({e})") from e
        except pl.exceptions.PolarsError as e:
            raise InputError(f"{src.name}: could not be read ({e})") from e
        out.append(_count(df.drop(_ROW), id, time, state, unit, _rows_of(df)))
    return out


def _rows_of(df: pl.DataFrame) -> Any:
    """Row r of a bucket as its row in the data."""
    index = df.get_column(_ROW).to_list()
    return lambda r: f"row {index[r]}"


def _tagged(pdf: Any, schema: pl.Schema, partition_info: Any = None) -> Any:
    """A partition with its number and each row's, after checking that its types are
    those of the metadata (run before the shuffle)."""
    number = 0 if partition_info is None else int(partition_info["number"])
    scale._partition_frame(pdf, f"partition {number}", schema)
    return pdf.assign(**{_PART: number, _ROW: np.arange(len(pdf), dtype=np.int64)})


def _dask_parts(
    src: scale.Source, columns: list[str], id: str, time: str, state: str, unit: str | None
) -> list[Counts | None]:
    scale._check_client()
    schema = pl.Schema({c: src.schema[c] for c in columns})
    ddf = src.dask[columns]
    if ddf.npartitions == 0:
        raise InputError(f"{src.name}: the Dask DataFrame has no partitions")
    meta = ddf._meta.assign(**{_PART: np.int64(0), _ROW: np.int64(0)}).iloc[:0]
    tagged = ddf.map_partitions(_tagged, schema, meta=meta)
    shuffled = tagged.shuffle(on=id, npartitions=ddf.npartitions, shuffle_method="tasks")

    def one(pdf: Any, _: str) -> Counts | None:
        return _dask_part(pdf, schema, id, time, state, unit)

    tasks = scale.partition_tasks(shuffled, [*columns, _PART, _ROW], one, src.name)
    return [scale.reduce_tree(tasks, _merge_some, src.name)]


def _dask_part(
    pdf: Any, schema: pl.Schema, id: str, time: str, state: str, unit: str | None
) -> Counts | None:
    from hrh._frames import to_frame

    df = to_frame(pdf, name="a shuffled partition")
    parts, rows = df.get_column(_PART).to_list(), df.get_column(_ROW).to_list()
    df = df.select(list(schema))

    def where(r: int) -> str:
        return f"row {rows[r]} of partition {parts[r]}"

    return _count(df, id, time, state, unit, where)


def _merge_some(parts: Sequence[Counts | None]) -> Counts | None:
    kept = [p for p in parts if p is not None]
    return merge_counts(kept) if kept else None
