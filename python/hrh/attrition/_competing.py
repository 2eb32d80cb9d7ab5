"""Competing exit reasons: Aalen-Johansen cumulative incidence and Gray's test."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import polars as pl

from hrh import _core
from hrh import _scale as scale
from hrh._frames import (
    as_list,
    check_level,
    check_numeric,
    first_seen_codes,
    float_array,
    group_codes,
    require_columns,
    value_codes,
)
from hrh.attrition._common import (
    _TALLY,
    EventValues,
    _cause_names,
    _event_table,
    _named_causes,
    _surv,
    _with_keys,
)
from hrh.exceptions import InputError

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

# --- competing risks --------------------------------------------------------------------


@dataclass(frozen=True)
class CumulativeIncidence:
    """Cumulative incidence of each exit reason, from :func:`hrh.cumulative_incidence`.

    Attributes
    ----------
    table : polars.DataFrame
        The `by` columns, ``time``, ``cause``, ``at_risk``, ``events`` (of that cause),
        ``cumulative_incidence``, ``std_err``, ``lower``, ``upper``, and ``in_post``
        (the probability of not having left for any reason).
    by : list of str
        The grouping columns.
    causes : list
        The causes, in the order reported.
    level : float
        Confidence level of the intervals.
    gray_test : polars.DataFrame or None
        With `by`: Gray's test that each cause's cumulative incidence is the same in
        every group — ``cause``, ``statistic``, ``df``, ``p_value`` — as R's
        ``cmprsk::cuminc(...)$Tests``; ``None`` without groups or with
        ``gray_test=False``, and ``None`` with a warning beyond 200 groups (its work
        grows with the groups cubed). A statistic is null where the test is undefined
        (the pooled incidence reaches 1 while a group is still at risk).

    References
    ----------
    Aalen OO, Johansen S (1978). An empirical transition matrix for non-homogeneous
    Markov chains based on censored observations. Scand J Stat 5:141-150.
    Gray RJ (1988). A class of K-sample tests for comparing the cumulative incidence
    of a competing risk. Ann Stat 16:1141-1154.

    Examples
    --------
    >>> import hrh
    >>> d = {"t": [1, 2, 2, 3, 4], "why": ["resigned", "retired", None, "resigned", None]}
    >>> ci = hrh.cumulative_incidence(d, duration="t", cause="why")
    >>> ci.at([3]).rows()
    [('resigned', 3.0, 0.5), ('retired', 3.0, 0.2)]
    """

    table: pl.DataFrame
    by: list[str]
    causes: list[Any]
    level: float
    gray_test: pl.DataFrame | None = None

    def to_polars(self) -> pl.DataFrame:
        """The curve table."""
        return self.table

    def at(self, times: Any) -> pl.DataFrame:
        """Cumulative incidence of each cause at the given times (step function).

        Parameters
        ----------
        times
            Times (array-like of numbers; a null or non-number is an InputError).

        Returns
        -------
        polars.DataFrame
            The `by` columns, ``cause``, ``time`` and ``cumulative_incidence``.
        """
        t = np.sort(float_array(times, "times"))
        keys = [*self.by, "cause"]
        # One curve per group and cause, in the order they first appear.
        curve, curves = first_seen_codes(self.table, keys)
        n = curves.height
        value = _core.step_at(
            np.ascontiguousarray(self.table["time"].to_numpy(), dtype=np.float64),
            np.ascontiguousarray(
                self.table["cumulative_incidence"].fill_null(np.nan).to_numpy(), dtype=np.float64
            ),
            curve,
            n,
            t,
            before=0.0,
        )
        each = np.repeat(np.arange(n), t.size)
        return pl.concat(
            [
                curves[each],
                pl.DataFrame({"time": np.tile(t, n), "cumulative_incidence": value}),
            ],
            how="horizontal",
        )

    def plot(self, ax: Axes | None = None) -> Axes:
        """Stacked step curves of cumulative incidence by cause.

        Parameters
        ----------
        ax
            Matplotlib Axes to draw on; None: a new figure.

        Returns
        -------
        matplotlib.axes.Axes
            Needs matplotlib (``pip install 'hrh[plot]'``).
        """
        from hrh.plot import cumulative_incidence

        return cumulative_incidence(self, ax=ax)

    def _repr_html_(self) -> str:
        return "<b>Cumulative incidence</b>" + self.table.tail(10)._repr_html_()


def cumulative_incidence(
    data: Any,
    *,
    duration: str,
    cause: str,
    by: str | Sequence[str] | None = None,
    causes: Sequence[Any] | None = None,
    level: float = 0.95,
    event_values: EventValues | None = None,
    gray_test: bool = True,
) -> CumulativeIncidence:
    """Aalen-Johansen cumulative incidence of each exit reason (resignation,
    retirement, transfer, death, ...) in the presence of the others.

    F_k(t) = Σ_{t_j <= t} S(t_{j−1}) d_kj / n_j, S the all-cause Kaplan-Meier; tied
    exits of different causes at one time are handled exactly. Standard errors are the
    infinitesimal jackknife, as R's ``survfit`` reports for a multi-state status;
    intervals are on the log scale, F·exp(±z se/F).

    Parameters
    ----------
    data
        One row per person: any table hrh reads, or a polars ``LazyFrame``, a Parquet
        path or a Dask DataFrame, read in batches or partitions with the same curves
        (Gray's test then needs ``gray_test=False``; see `gray_test`). Not modified.
    duration
        Column of times in post at exit or censoring, numeric, >= 0; a null or NaN is an
        InputError.
    cause
        Exit reason per row: null or 0 = still in post (censored); otherwise a label
        (string) or a positive integer code.
    by
        Column(s) whose groups get curves of their own (and Gray's test between them);
        None: one set of curves.
    causes
        The allowed causes in the order to report them; a value outside them is an
        InputError. Default: the causes present, sorted.
    level
        Confidence level of the intervals, in (0, 1).
    event_values
        How to read `cause` labels (instead of `causes`): a mapping label -> code, 0
        for still in post (censored) and 1, 2, ... for the causes in that order, e.g.
        ``{"resigned": 1, "retired": 2, "died": 2, "in post": 0}``; labels sharing a
        code are one cause, named by the labels joined with " / " (``"retired /
        died"``), and the result names each cause by its labels. A null is still in
        post unless the mapping has a ``None`` key. Or a list of the causes' labels, as
        `causes`. A value it does not map is an InputError naming the column, row and
        value.
    gray_test
        With `by`: whether to compute Gray's test between the groups (True, the
        default). Gray's test needs the rows of the whole table, so data read in parts
        with `by` needs ``gray_test=False``; for the test, call this on the collected
        table.

    Returns
    -------
    CumulativeIncidence
        ``.table`` (per group, time and cause: ``at_risk``, ``events``,
        ``cumulative_incidence``, ``std_err``, ``lower``, ``upper``, ``in_post``),
        ``.gray_test`` with `by`, ``.at()`` and ``.plot()``.

    Raises
    ------
    InputError
        A column that `data` lacks; bad durations; a cause outside `causes`, or a
        negative or non-integer numeric code; `level` outside (0, 1); `data` without
        rows; `gray_test` not a bool, or True with `by` for data read in parts.

    References
    ----------
    Aalen OO, Johansen S (1978). An empirical transition matrix for non-homogeneous
    Markov chains based on censored observations. Scand J Stat 5:141-150.
    Gray RJ (1988). A class of K-sample tests for comparing the cumulative incidence
    of a competing risk. Ann Stat 16:1141-1154.

    Examples
    --------
    >>> import hrh
    >>> d = {"t": [1, 2, 2, 3, 4], "why": ["resigned", "retired", None, "resigned", None]}
    >>> ci = hrh.cumulative_incidence(d, duration="t", cause="why")
    >>> ci.table.filter(ci.table["time"] == 3).select("cause", "cumulative_incidence")
    shape: (2, 2)
    ┌──────────┬──────────────────────┐
    │ cause    ┆ cumulative_incidence │
    │ ---      ┆ ---                  │
    │ str      ┆ f64                  │
    ╞══════════╪══════════════════════╡
    │ resigned ┆ 0.5                  │
    │ retired  ┆ 0.2                  │
    └──────────┴──────────────────────┘
    """
    check_level(level)
    if event_values is not None and causes is not None:
        raise InputError("arguments 'causes' and 'event_values': give one of them, not both")
    if not isinstance(gray_test, bool):
        raise InputError(f"argument 'gray_test': {gray_test!r} is not True or False")
    if causes is not None and (isinstance(causes, str | bytes) or not isinstance(causes, Sequence)):
        raise InputError(f"argument 'causes': {causes!r} is not a list of causes")
    if event_values is not None and not isinstance(event_values, Mapping):
        _event_table(event_values)  # a list of distinct labels
        causes, event_values = list(event_values), None
    src = scale.source(data)
    if src.frame is None:
        return _counted(src, duration, cause, by, causes, level, event_values, gray_test)
    df = src.frame
    require_columns(df, [cause], role="cause")
    if df.height == 0:
        raise InputError("data has no rows")
    df, raw, labels = _cause_values(df, cause, causes, event_values)
    numeric = raw.dtype.is_numeric()
    present = _present_codes(raw) if numeric else sorted(raw.drop_nulls().unique().to_list())
    labels = labels if labels is not None else present
    code_of = {v: i + 1 for i, v in enumerate(labels)}
    codes = _cause_codes(raw, present, code_of, numeric=numeric)
    work = df.with_columns(pl.Series("__hrh_event", (codes > 0).astype(np.uint32)))
    s = _surv(work, duration=duration, event="__hrh_event", by=by)
    if not labels:
        raise InputError(f"column '{cause}': no exits at all (every row is censored)")
    r = _core.cumulative_incidence(
        s.time, codes, s.codes, max(s.keys.height, 1), len(labels), level=float(level)
    )
    gray = None
    if gray_test and s.by and s.keys.height > _core.GRAY_MAX_GROUPS:
        warnings.warn(
            f"Gray's test left out: {s.keys.height} groups is more than the "
            f"{_core.GRAY_MAX_GROUPS} it compares (its work grows with the groups cubed)",
            UserWarning,
            stacklevel=2,
        )
    elif gray_test and s.by and s.keys.height >= 2:
        rows = []
        for k, lab in enumerate(labels, start=1):
            stat, df_, p = _core.gray_test(s.time, codes, s.codes, s.keys.height, k)
            rows.append({"cause": lab, "statistic": stat, "df": df_, "p_value": p})
        # Null where the test is undefined (the pooled incidence reaches 1 while a group
        # is still at risk, and Gray's variance divides by 1 - F = 0), never NaN.
        gray = pl.DataFrame(rows).with_columns(
            pl.col("statistic", "p_value").cast(pl.Float64).fill_nan(None)
        )
    return _result(r, s.by, s.keys, labels, float(level), gray)


def _result(
    r: dict[str, Any],
    by: list[str],
    keys: pl.DataFrame,
    labels: list[Any],
    level: float,
    gray: pl.DataFrame | None,
) -> CumulativeIncidence:
    """The curves of the core's dict `r` with their group keys and cause labels."""
    table = _with_keys(r, by, keys, drop=("group", "cause"), nan_to_null=["lower", "upper"])
    cause_labels = _labels_of(np.asarray(r["cause"]), labels)
    table = table.insert_column(len(by) + 1, cause_labels)
    return CumulativeIncidence(table=table, by=by, causes=labels, level=level, gray_test=gray)


def _cause_values(
    df: pl.DataFrame, cause: str, causes: Sequence[Any] | None, event_values: Any
) -> tuple[pl.DataFrame, pl.Series, list[Any] | None]:
    """`df` with `cause` named by an `event_values` mapping (if any), the column's
    checked values (integer codes, a null filled with 0, or labels as text) and the
    causes to report (`causes`, the mapping's names, or None: those present); a bad
    value or one outside `causes` is an InputError naming its row."""
    if isinstance(event_values, Mapping):
        df, causes = _named_causes(df, cause, event_values)
    c = df.get_column(cause)
    if c.dtype.is_numeric():
        check_numeric(df.with_columns(c.fill_null(0)), cause, minimum="non_negative")
        raw = c.fill_null(0)
        if not raw.dtype.is_integer() and not (raw == raw.round(0)).all():
            row = int((raw != raw.round(0)).arg_true()[0])
            raise InputError(
                f"column '{cause}', row {row}: value {raw[row]} is not an integer code"
            )
        if raw.len() and raw.max() > _MAX_CAUSE_CODE:  # type: ignore[operator]
            row = int((raw > _MAX_CAUSE_CODE).arg_true()[0])
            raise InputError(
                f"column '{cause}', row {row}: value {raw[row]} is not an integer code "
                f"from 1 to {_MAX_CAUSE_CODE}"
            )
    elif c.dtype in (pl.String, pl.Categorical, pl.Boolean, pl.Null) or isinstance(
        c.dtype, pl.Enum
    ):
        raw = c.cast(pl.String)
    else:
        raise InputError(
            f"column '{cause}' has type {c.dtype}, expected exit reasons as text or integer codes"
        )
    if causes is None:
        return df, raw, None
    if isinstance(causes, str | bytes) or not isinstance(causes, Sequence):
        raise InputError(f"argument 'causes': {causes!r} is not a list of causes")
    allowed = list(causes)
    present = _present_codes(raw) if raw.dtype.is_numeric() else raw.drop_nulls().unique().to_list()
    unknown = sorted(v for v in present if v not in allowed)
    if unknown:
        row = int((raw == unknown[0]).arg_true()[0])
        raise InputError(
            f"column '{cause}', row {row}: cause {unknown[0]!r} is not one of {allowed!r}"
        )
    return df, raw, allowed


def _counted(
    src: scale.Source,
    duration: str,
    cause: str,
    by: str | Sequence[str] | None,
    causes: Sequence[Any] | None,
    level: float,
    event_values: Mapping[Any, int] | None,
    gray_test: bool,
) -> CumulativeIncidence:
    """The curves of data read in batches or partitions (a LazyFrame, a Parquet path, a
    Dask DataFrame): the number of people per group, duration and cause (each part
    checked as the whole table would be; counts of parts added exactly), whose risk
    tables, and so curves, are those of the rows."""
    by_cols = as_list(by)
    if by_cols and gray_test:
        raise InputError(
            f"argument 'by': Gray's test needs the rows of the whole table, which {src.name} "
            "read in batches or partitions (a LazyFrame, a Parquet path or a Dask DataFrame) "
            "does not hold: pass gray_test=False for the curves alone, or for the test call "
            "hrh.cumulative_incidence on the collected table (LazyFrame.collect(), "
            "polars.read_parquet, or .compute() of the Dask DataFrame)"
        )
    empty = src.empty()
    require_columns(empty, [duration], role="duration")
    require_columns(empty, [cause], role="cause")
    require_columns(empty, by_cols, role="by")
    labels = None if causes is None else list(causes)
    if event_values is not None:
        labels = _cause_names({None: 0, **event_values})[1]

    def prepare(batch: pl.DataFrame) -> pl.DataFrame:
        if not batch.height:  # the type the checked rows of other parts have
            numeric = batch.schema[cause].is_numeric() and event_values is None
            kind = pl.Int64 if numeric else pl.String
            return batch.with_columns(pl.Series(cause, [], dtype=kind))
        named, raw, _ = _cause_values(batch, cause, causes, event_values)
        exits = raw != 0 if raw.dtype.is_numeric() else raw.is_not_null()
        _surv(
            named.with_columns(exits.cast(pl.UInt32).alias("__hrh_event")),
            duration=duration,
            event="__hrh_event",
            by=by_cols,
        )
        kept = raw.cast(pl.Int64) if raw.dtype.is_numeric() else raw
        return named.with_columns(kept.alias(cause))

    keys = [*by_cols, duration, cause]
    table, n = scale.grouped_sums(src, keys, prepare, keys, {}, count=_TALLY)
    if n == 0:
        raise InputError("data has no rows")
    raw = table.get_column(cause)
    numeric = raw.dtype.is_numeric()
    present = _present_codes(raw) if numeric else sorted(raw.drop_nulls().unique().to_list())
    labels = labels if labels is not None else present
    if not labels:
        raise InputError(f"column '{cause}': no exits at all (every row is censored)")
    codes = _cause_codes(raw, present, {v: i + 1 for i, v in enumerate(labels)}, numeric=numeric)
    groups, group_keys = group_codes(table, by_cols)
    cell = groups.astype(np.uint64) * (len(labels) + 1) + codes
    if cell.size and int(cell.max()) >= 2**32:
        raise InputError(
            f"argument 'by': {group_keys.height} groups with {len(labels)} causes are too many"
        )
    r = _core.cumulative_incidence_counts(
        np.ascontiguousarray(cell, dtype=np.uint32),
        max(group_keys.height, 1),
        len(labels),
        table.get_column(duration).cast(pl.Float64).to_numpy(),
        table.get_column(_TALLY).cast(pl.UInt64).to_numpy(),
        level=level,
    )
    return _result(r, by_cols, group_keys, labels, level, None)


_MAX_CAUSE_CODE = 2**53  # integer cause codes exact in a float


def _cause_codes(
    raw: pl.Series, present: list[Any], code_of: dict[Any, int], *, numeric: bool
) -> npt.NDArray[np.uint32]:
    """Each row's cause code (0: censored), by a lookup of its distinct value: `raw`
    holds validated integer codes (0 censored, null filled with 0) when `numeric`, else
    labels (null censored); every value in `present` is a key of `code_of`."""
    if numeric and (not present or present[-1] < 1 << 16):  # a table indexed by the code
        lut = np.zeros((present[-1] if present else 0) + 1, dtype=np.uint32)
        lut[present] = [code_of[v] for v in present]
        return np.ascontiguousarray(lut[raw.cast(pl.Int64).to_numpy()])
    if numeric:
        keys = np.array([0, *present], dtype=np.int64)
        lut = np.array([0, *(code_of[v] for v in present)], dtype=np.uint32)
        at = np.searchsorted(keys, raw.cast(pl.Int64).to_numpy())
        return np.ascontiguousarray(lut[at])
    if not present:
        return np.zeros(raw.len(), dtype=np.uint32)
    local, values = value_codes(raw)
    lut = np.array([0 if v is None else code_of[v] for v in values.to_list()], dtype=np.uint32)
    return np.ascontiguousarray(lut[local])


def _present_codes(raw: pl.Series) -> list[int]:
    """The distinct nonzero values of validated integer codes (no null, none negative),
    sorted: by counting when they are small, else by hashing."""
    if raw.max() < 1 << 16:  # type: ignore[operator]
        counts = np.bincount(raw.cast(pl.Int64).to_numpy())
        return [int(v) + 1 for v in np.flatnonzero(counts[1:])]
    return sorted(int(v) for v in raw.unique().to_list() if v != 0)


def _labels_of(codes: npt.NDArray[Any], labels: list[Any]) -> pl.Series:
    """The ``cause`` column: label ``labels[k - 1]`` of each code k, built from the
    labels of the codes that occur (so its type is inferred from those alone)."""
    if codes.size == 0:
        return pl.Series("cause", [])
    if labels and all(type(v) is int and -(2**63) <= v < 2**63 for v in labels):
        # Integer labels (the usual codes 1, 2, ...): Int64 whichever occur, by a lookup.
        lut = np.array(labels, dtype=np.int64)
        return pl.Series("cause", lut[codes.astype(np.int64) - 1])
    used = np.flatnonzero(np.bincount(codes))
    at = np.zeros(int(used[-1]) + 1, dtype=np.int64)
    at[used] = np.arange(used.size)
    return pl.Series("cause", [labels[k - 1] for k in used]).gather(at[codes])
