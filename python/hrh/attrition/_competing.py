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
from hrh._frames import (
    check_level,
    check_numeric,
    first_seen_codes,
    float_array,
    require_columns,
    to_frame,
    value_codes,
)
from hrh.attrition._common import (
    EventValues,
    _event_table,
    _named_causes,
    _nan_to_null,
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
        ``cmprsk::cuminc(...)$Tests``; ``None`` without groups, and ``None`` with a
        warning beyond 200 groups (its work grows with the groups cubed). A statistic
        is null where the test is undefined (the pooled incidence reaches 1 while a
        group is still at risk).

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
        One row per person: any table hrh reads. Not modified.
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
        rows.

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
    df = to_frame(data)
    require_columns(df, [cause], role="cause")
    if df.height == 0:
        raise InputError("data has no rows")
    if event_values is not None and causes is not None:
        raise InputError("arguments 'causes' and 'event_values': give one of them, not both")
    if isinstance(event_values, Mapping):
        df, causes = _named_causes(df, cause, event_values)
    elif event_values is not None:
        _event_table(event_values)  # a list of distinct labels
        causes = list(event_values)
    c = df.get_column(cause)
    if c.dtype.is_numeric():
        check_numeric(df.with_columns(c.fill_null(0)), cause, minimum="non_negative")
        raw = c.fill_null(0)
        if not raw.dtype.is_integer() and not (raw == raw.round(0)).all():
            row = int((raw != raw.round(0)).arg_true()[0])
            raise InputError(
                f"column '{cause}', row {row}: value {raw[row]} is not an integer code"
            )
        if raw.max() > _MAX_CAUSE_CODE:  # type: ignore[operator]
            row = int((raw > _MAX_CAUSE_CODE).arg_true()[0])
            raise InputError(
                f"column '{cause}', row {row}: value {raw[row]} is not an integer code "
                f"from 1 to {_MAX_CAUSE_CODE}"
            )
        present = _present_codes(raw)
    elif c.dtype in (pl.String, pl.Categorical, pl.Boolean, pl.Null) or isinstance(
        c.dtype, pl.Enum
    ):
        raw = c.cast(pl.String)
        present = sorted(v for v in raw.drop_nulls().unique().to_list())
    else:
        raise InputError(
            f"column '{cause}' has type {c.dtype}, expected exit reasons as text or integer codes"
        )
    if causes is not None:
        if isinstance(causes, str | bytes) or not isinstance(causes, Sequence):
            raise InputError(f"argument 'causes': {causes!r} is not a list of causes")
        allowed = list(causes)
        unknown = [v for v in present if v not in allowed]
        if unknown:
            row = int((raw == unknown[0]).arg_true()[0])
            raise InputError(
                f"column '{cause}', row {row}: cause {unknown[0]!r} is not one of {allowed!r}"
            )
        labels = allowed
    else:
        labels = present
    if not labels:
        labels = []
    code_of = {v: i + 1 for i, v in enumerate(labels)}
    codes = _cause_codes(raw, present, code_of, numeric=c.dtype.is_numeric())
    work = df.with_columns(pl.Series("__hrh_event", (codes > 0).astype(np.uint32)))
    s = _surv(work, duration=duration, event="__hrh_event", by=by)
    if not labels:
        raise InputError(f"column '{cause}': no exits at all (every row is censored)")
    r = _core.cumulative_incidence(
        s.time, codes, s.codes, max(s.keys.height, 1), len(labels), level=float(level)
    )
    table = _with_keys(r, s.by, s.keys, drop=("group", "cause"))
    cause_labels = _labels_of(np.asarray(r["cause"]), labels)
    table = table.insert_column(len(s.by) + 1, cause_labels)
    table = _nan_to_null(table, ["lower", "upper"])
    gray = None
    if s.by and s.keys.height > _core.GRAY_MAX_GROUPS:
        warnings.warn(
            f"Gray's test left out: {s.keys.height} groups is more than the "
            f"{_core.GRAY_MAX_GROUPS} it compares (its work grows with the groups cubed)",
            UserWarning,
            stacklevel=2,
        )
    elif s.by and s.keys.height >= 2:
        rows = []
        for k, lab in enumerate(labels, start=1):
            stat, df_, p = _core.gray_test(s.time, codes, s.codes, s.keys.height, k)
            rows.append({"cause": lab, "statistic": stat, "df": df_, "p_value": p})
        # Null where the test is undefined (the pooled incidence reaches 1 while a group
        # is still at risk, and Gray's variance divides by 1 - F = 0), never NaN.
        gray = pl.DataFrame(rows).with_columns(
            pl.col("statistic", "p_value").cast(pl.Float64).fill_nan(None)
        )
    return CumulativeIncidence(
        table=table, by=s.by, causes=labels, level=float(level), gray_test=gray
    )


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
    used = np.flatnonzero(np.bincount(codes))
    at = np.zeros(int(used[-1]) + 1, dtype=np.int64)
    at[used] = np.arange(used.size)
    return pl.Series("cause", [labels[k - 1] for k in used]).gather(at[codes])
