"""Actuarial life tables."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from hrh import _core
from hrh._frames import rows_of
from hrh.attrition._common import EventValues, _read, _surv
from hrh.exceptions import InputError

if TYPE_CHECKING:  # pragma: no cover
    pass

# --- life table -------------------------------------------------------------------------


def _chisq_sf(x: float, df: int) -> float:
    """Upper tail P(χ²_df > x), computed in the core."""
    if not math.isfinite(x):
        return math.nan
    return float(_core.chisq_sf(x, float(df)))


def life_table(
    data: Any,
    *,
    duration: str,
    event: str,
    width: float,
    by: str | Sequence[str] | None = None,
    weights: str | None = None,
    event_values: EventValues | None = None,
) -> pl.DataFrame:
    """Actuarial life table in intervals [k·width, (k+1)·width), one per `by` group.

    Parameters
    ----------
    data
        One row per person: any table hrh reads, or, for registers larger than memory, a
        polars LazyFrame, a Parquet path or a Dask DataFrame, reduced batch by batch to
        counts per group, duration and event (the same curve; see the guide's Data at
        scale page). Not modified.
    duration
        Column of times in post at exit or censoring, numeric, >= 0 (no nulls or NaN).
    event
        Column of exit indicators: 1 or True = left, 0 or False = censored.
    width
        Width of each interval, in the unit of `duration` (> 0).
    by
        Grouping columns: one table per group (computed in one call), the group's keys
        in the first columns. Each group's intervals run to its own longest time.
    weights
        Column of case weights (> 0); None: every row counts once.
    event_values
        How to read an `event` column of labels, as in :func:`kaplan_meier`: a mapping
        label -> code (0: still in post; a positive code: an exit) or a list of the
        labels that are exits. None (default): `event` holds 0/1 codes.

    Returns
    -------
    polars.DataFrame
        ``start``, ``end``, ``entered``, ``withdrawn`` (censored in the interval),
        ``events``, ``at_risk`` = entered − withdrawn/2, ``exit_probability`` q =
        events / at_risk, ``stay_probability`` p = 1 − q (the textbook's q and p),
        ``survival`` (at the interval start) and ``std_err`` (Greenwood:
        S √(Σ q/(n′ p)) over earlier intervals).

    Raises
    ------
    InputError
        A column that `data` lacks; a null, NaN, negative or non-numeric duration; an
        event that is not 0/1; a weight that is not > 0; `width` not > 0 (or so small
        that the table would exceed the memory budget); `data` without rows.

    References
    ----------
    Lee ET, Wang JW (2003). Statistical Methods for Survival Data Analysis, 3rd ed.
    Hoboken: Wiley, ch. 4.

    Examples
    --------
    >>> import hrh
    >>> d = {"years": [0.5, 1.5, 1.0, 2.5, 3.0], "left": [1, 0, 1, 1, 0]}
    >>> hrh.life_table(d, duration="years", event="left", width=1)["survival"].to_list()
    [1.0, 0.8, 0.5714285714285715, 0.2857142857142858]
    """
    if isinstance(width, bool) or not isinstance(width, int | float | np.number):
        raise InputError(f"argument 'width': {width!r} is not a number")
    data, weights = _read(
        data,
        duration=duration,
        event=event,
        entry=None,
        weights=weights,
        by=by,
        event_values=event_values,
    )
    s = _surv(data, duration=duration, event=event, weights=weights, by=by)
    try:
        w = float(width)
    except OverflowError as e:
        raise InputError(f"argument 'width': {width!r} is too large") from e
    r = _core.life_table(s.time, s.event, s.weights, s.codes, max(s.keys.height, 1), width=w)
    group = r.pop("group")
    table = pl.DataFrame(r).rename({"q": "exit_probability", "p": "stay_probability"})
    if not s.by:
        return table
    keys: pl.DataFrame = rows_of(s.keys, group)
    return keys.hstack(table)
