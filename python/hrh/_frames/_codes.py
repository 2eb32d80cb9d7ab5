"""Group keys as dense integer codes (in sorted key order for data, in order of first
appearance for tables of results; values read in place by the core where it can), and
exact grouped sums through the core's keyed sums, with the table of keys decoded from
their mixed-radix cells."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from hrh import _core
from hrh._frames._checks import FloatArray, check_key_type, column_array
from hrh.exceptions import InputError


def group_codes(df: pl.DataFrame, by: Sequence[str]) -> tuple[npt.NDArray[np.uint32], pl.DataFrame]:
    """Dense integer codes of the `by` key combinations, numbered in sorted key order
    (nulls last), and the table of keys (row `k` holds the keys of code `k`)."""
    if not by:
        return np.zeros(df.height, dtype=np.uint32), pl.DataFrame()
    for c in by:
        check_key_type(df, c)
    if len(by) == 1:
        codes, values = value_codes(df.get_column(by[0]))
        return codes, values.to_frame()
    keys = df.select(by).unique().sort(by, nulls_last=True)
    keys = keys.with_row_index("__hrh_code")
    joined = df.select(by).join(
        keys, on=list(by), how="left", maintain_order="left", nulls_equal=True
    )
    arr = joined.get_column("__hrh_code").cast(pl.UInt32).to_numpy()
    return np.ascontiguousarray(arr), keys.drop("__hrh_code")


def rows_of(keys: pl.DataFrame, codes: Any) -> pl.DataFrame:
    """Row `codes[i]` of `keys` for every i (the keys of each row of a result, from its
    group codes): one gather per column, not a Python list of the codes."""
    idx = pl.Series(np.asarray(codes), dtype=pl.UInt32)
    return keys.select(pl.all().gather(idx))


def first_seen_codes(
    df: pl.DataFrame, by: Sequence[str]
) -> tuple[npt.NDArray[np.uint32], pl.DataFrame]:
    """Dense integer codes of the `by` key combinations of `df`'s rows, numbered in the
    order each first appears (as ``group_by(maintain_order=True)``), and the table of
    keys in their own types (row `k` holds the keys of code `k`). Without `by`, every
    row has code 0 and the keys table is empty. For tables of results (curves), whose
    groups come back in the order the table gives them."""
    if not by:
        return np.zeros(df.height, dtype=np.uint32), pl.DataFrame()
    keys = df.select(by).filter(pl.struct(by).is_first_distinct())
    codes = (
        df.select(by)
        .join(
            keys.with_row_index("__hrh_code"),
            on=list(by),
            how="left",
            maintain_order="left",
            nulls_equal=True,
        )
        .get_column("__hrh_code")
    )
    return np.ascontiguousarray(codes.cast(pl.UInt32).to_numpy()), keys


def value_codes(s: pl.Series) -> tuple[npt.NDArray[np.uint32], pl.Series]:
    """Dense integer codes of the values of `s`, numbered in sorted order with null
    last, and the distinct values in that order (value `k` has code `k`).

    Strings are read in place by the core (through the Arrow C stream interface) and
    coded in parallel; failing that, by a cast to an Enum of their sorted distinct
    values. Other types are coded by a join on their sorted distinct values.
    """
    if s.dtype == pl.String:
        read = _core.string_codes(s)
        if read is not None:
            return read[0], pl.Series(s.name, read[1], dtype=pl.String)
    values = s.unique().sort(nulls_last=True)
    if s.dtype.is_integer() and not s.null_count():
        # A binary search of the few sorted distinct values (a join costs 10x more).
        codes_np = np.searchsorted(values.to_numpy(), s.to_numpy())
        return np.ascontiguousarray(codes_np, dtype=np.uint32), values
    if s.dtype == pl.String:
        categories = values.drop_nulls()
        codes = s.cast(pl.Enum(categories)).to_physical().fill_null(len(categories))
    else:
        index = values.to_frame().with_row_index("__hrh_code")
        codes = (
            s.to_frame()
            .join(index, on=s.name, how="left", maintain_order="left", nulls_equal=True)
            .get_column("__hrh_code")
        )
    return np.ascontiguousarray(codes.cast(pl.UInt32).to_numpy()), values


def grouped_sums(
    df: pl.DataFrame, by: Sequence[str], sums: Mapping[str, str], *, count: str | None = None
) -> pl.DataFrame:
    """Exact sums of numeric columns over the `by` key combinations present, sorted by
    the keys (nulls last): one row per group with the keys, the row count as `count`
    (when named) and ``sums`` (output name -> column) as Float64.

    Each sum is the correctly rounded sum of its values, whatever their order and the
    number of threads, so the table is identical from run to run (a parallel float sum
    is not). The core hashes the key combinations of the rows in one pass
    (:func:`coded_sums`).
    """
    return sums_table(coded_sums(df, by, list(sums.values())), by, list(sums), count=count)


def sums_table(
    out: tuple[
        npt.NDArray[np.uint64],
        list[tuple[None, pl.Series]],
        npt.NDArray[np.uint64],
        list[FloatArray],
    ],
    by: Sequence[str],
    names: Sequence[str],
    *,
    count: str | None = None,
) -> pl.DataFrame:
    """The table of :func:`grouped_sums` from the result of :func:`coded_sums` (or of
    :meth:`StringKeyedSums.finish`): the keys, the row count as `count` (when named),
    then the sums named `names`."""
    cell, coded, counts, totals = out
    counted = pl.Series(count, counts, dtype=pl.Int64) if count is not None else None
    return keyed_table(cell, coded, by, dict(zip(names, totals, strict=True)), count=counted)


def coded_sums(
    df: pl.DataFrame, by: Sequence[str], columns: Sequence[str], *, partial: bool = False
) -> tuple[
    npt.NDArray[np.uint64],
    list[tuple[None, pl.Series]],
    npt.NDArray[np.uint64],
    list[FloatArray],
]:
    """The core's exact grouped sums of `columns` (cast to Float64) over the `by` keys:
    (cell, per key ``(None, distinct values present)``, counts, sums), `cell` the
    mixed-radix combination of each group's ranks in the distinct values (last key
    fastest). With `partial`, the sums are the long partial table of
    ``grouped_partials``.

    The core hashes the combination of key values per row in one pass, reading string
    keys in place (Arrow views); other keys are coded first (:func:`value_codes`)."""
    values = [column_array(df, c) for c in columns]  # Float64 columns read in place
    coded: list[pl.Series | None] = []
    keys: list[Any] = []
    for c in by:
        s = df.get_column(c)
        if s.dtype == pl.String:
            coded.append(None)
            keys.append(s)
        else:
            codes, distinct = value_codes(s)
            coded.append(distinct)
            keys.append(codes)
    out = _core.keyed_sums(keys, values, df.height, partial=partial)
    if out is None:  # a string key the core could not read in place: coded first
        for k, c in enumerate(by):
            if coded[k] is None:
                keys[k], coded[k] = value_codes(df.get_column(c))
        out = _core.keyed_sums(keys, values, df.height, partial=partial)
        if out is None:  # codes are always read
            raise InputError(f"by: the key columns {', '.join(map(repr, by))} could not be read")
    return _decoded(out, by, coded)


def _decoded(
    out: Any, by: Sequence[str], coded: Sequence[pl.Series | None]
) -> tuple[
    npt.NDArray[np.uint64],
    list[tuple[None, pl.Series]],
    npt.NDArray[np.uint64],
    list[FloatArray],
]:
    """The core's (cell, count, sums, labels) as :func:`coded_sums` returns them: each
    key's labels decoded (strings as they are, codes through the distinct values of
    `coded`)."""
    cell, counts, totals, labels = out
    decoded = [
        pl.Series(c, label, dtype=pl.String) if d is None else d.gather(pl.Series(label))
        for c, d, label in zip(by, coded, labels, strict=True)
    ]
    return cell, [(None, d) for d in decoded], counts, totals


class StringKeyedSums:
    """:func:`coded_sums` over rows that come in batches, when every key is a String
    column: the core groups each batch and merges it into one exact state, whose
    result is that of one pass over all the rows (order and bits)."""

    def __init__(self, by: Sequence[str], columns: Sequence[str]) -> None:
        self.by, self.columns = list(by), list(columns)
        self.state = _core.KeyedSumsState(len(self.by), len(self.columns))

    def add(self, df: pl.DataFrame, *, parallel: bool = False) -> bool:
        """Add the rows of `df`, on one thread (or on every core with `parallel`, when
        nothing else runs meanwhile); False (nothing added) when a key cannot be read in
        place."""
        keys = [df.get_column(c) for c in self.by]
        values = [column_array(df, c) for c in self.columns]
        return self.state.add(keys, values, df.height, parallel=parallel)

    @property
    def rows(self) -> int:
        """The rows added so far."""
        return self.state.rows

    def finish(
        self, *, partial: bool = False
    ) -> tuple[
        npt.NDArray[np.uint64],
        list[tuple[None, pl.Series]],
        npt.NDArray[np.uint64],
        list[FloatArray],
    ]:
        """:func:`coded_sums`' result over every row added."""
        out = self.state.finish(partial=partial)
        if out is None:  # polars strings are UTF-8
            raise InputError(f"by: the key columns {', '.join(map(repr, self.by))} are not UTF-8")
        return _decoded(out, self.by, [None] * len(self.by))


def keyed_table(
    cell: npt.NDArray[np.uint64],
    coded: Sequence[tuple[Any, pl.Series]],
    by: Sequence[str],
    columns: Mapping[str, Any],
    *,
    count: pl.Series | None = None,
) -> pl.DataFrame:
    """A table of the key columns decoded from mixed-radix cells (the last key varies
    fastest; `coded` holds each key's codes and distinct values), then `count`, then
    Float64 `columns`."""
    cols: list[pl.Series] = []
    rest = cell
    for (_, distinct), name in reversed(list(zip(coded, by, strict=True))):
        n = len(distinct)
        cols.append(distinct.gather(pl.Series(rest % n)).alias(name))
        rest = rest // n
    cols.reverse()
    cols += [count] if count is not None else []
    cols += [pl.Series(name, v, dtype=pl.Float64) for name, v in columns.items()]
    return pl.DataFrame(cols)
