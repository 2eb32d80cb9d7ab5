"""Episode splitting: spells cut at given times and where a person's state changes."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from hrh import _core
from hrh._frames import (
    check_key_type,
    check_no_nulls,
    check_numeric,
    column_array,
    require_columns,
    to_frame,
    value_codes,
)
from hrh.exceptions import InputError
from hrh.planning._scenario import _max_memory

# Bytes per row of the arrays the core returns (source row, start, stop, event,
# episode, state row).
_CORE_BYTES = 40


def _cuts(cut: Any) -> npt.NDArray[np.float64]:
    """The cut times as floats, in the order given (the core checks the order)."""
    if isinstance(cut, str | bytes) or not isinstance(cut, Sequence | np.ndarray | pl.Series):
        raise InputError(f"argument 'cut': {cut!r} is not a list of times")
    out = []
    for i, c in enumerate(cut):
        if isinstance(c, bool) or not isinstance(c, int | float | np.number):
            raise InputError(f"argument 'cut', item {i}: {c!r} is not a number")
        out.append(float(c))
    return np.asarray(out, dtype=np.float64)


def _event_codes(df: pl.DataFrame, column: str) -> npt.NDArray[np.uint32]:
    """Event codes: booleans or whole numbers >= 0 (0 censored, k >= 1 an exit or its
    cause), naming the first bad row."""
    check_no_nulls(df, column)
    s = df.get_column(column)
    if s.dtype == pl.Boolean:
        return np.ascontiguousarray(s.cast(pl.UInt32).to_numpy())
    if not s.dtype.is_numeric():
        raise InputError(
            f"column '{column}' has type {s.dtype}, expected event codes "
            "(0 censored, 1 or a cause code >= 1 an exit) or True/False"
        )
    f = s.cast(pl.Float64)
    bad = (~(f.is_finite() & (f >= 0) & (f == f.floor()) & (f < 2**32))).arg_true()
    if len(bad):
        row = int(bad[0])
        raise InputError(
            f"column '{column}', row {row}: value {s[row]} is not an event code "
            "(0 censored, a whole number >= 1 an exit)"
        )
    return np.ascontiguousarray(f.cast(pl.UInt32).to_numpy())


def _new_name(df: pl.DataFrame, name: str, argument: str) -> None:
    if not isinstance(name, str) or not name:
        raise InputError(f"argument '{argument}': {name!r} is not a column name")
    if name in df.columns:
        raise InputError(
            f"argument '{argument}': column '{name}' is already in data; "
            f"name the new column otherwise ({argument}=...)"
        )


def split_episodes(
    data: Any,
    *,
    duration: str,
    event: str,
    cut: Sequence[float] = (),
    entry: str | None = None,
    start: str = "start",
    episode: str | None = "episode",
    id: str | None = None,
    changes: Any = None,
    at: str = "time",
) -> pl.DataFrame:
    """Split each spell at cut times and at changes of state, as R's ``survSplit``
    (and ``tmerge`` for states that change): one row per piece (start, stop].

    A spell at risk on (entry, duration] (entry 0 without `entry`) is cut at every
    time of `cut` and every change time of its person in `changes` strictly inside
    it, into pieces (t₀, t₁], (t₁, t₂], …, (t_m, duration]. The event stays on the
    last piece; the earlier pieces are censored (0 or False). The other columns are
    repeated. Fitting :func:`cox` on the pieces with ``entry=`` the start column gives
    the same model as on the spells; the pieces let a covariate depend on the
    episode (time since hire, a period) or on the state in force.

    Conventions: a cut or change at or before the start, or at or after the end, of
    a spell does not split it. A change at time c governs (c, …]: the state on a
    piece is the person's last change at or before the piece's start, so a change
    exactly at a spell's start governs its first piece, one exactly at its end none of
    it, and pieces before the person's first change have null states.

    Parameters
    ----------
    data
        One row per spell: any table hrh reads (polars, pandas, pyarrow, a dict of
        columns). Not modified.
    duration
        Column of exit or censoring times, numbers >= 0. In the result it holds each
        piece's stop.
    event
        Column of event codes: 0 or False censored; 1, True or a cause code >= 1 an
        exit. In the result the event sits on the last piece only.
    cut
        Cut times: finite, >= 0, strictly increasing (sorted, no duplicates). May be
        empty when `changes` is given.
    entry
        Column of entry times (delayed entry), each before its duration; in the result
        it holds each piece's start. None: spells start at 0 and a new column `start`
        holds the pieces' starts.
    start
        Name of the new start column when `entry` is None (R: ``tstart``).
    episode
        Name of the new column numbering the pieces by cut interval: 1 + the number
        of cut times at or before the piece's start (R's ``episode``). None: no such
        column.
    id
        Column identifying persons, in `data` and in `changes` (required with
        `changes`; a person may have several spells).
    changes
        Long table of state changes: the `id` column, the `at` column (the time the
        new state takes effect, on the scale of `duration`) and one or more state
        columns (every other column, e.g. qualification or facility level), which are
        added to the result. A person's change times are distinct.
    at
        Column of `changes` holding the change times.

    Returns
    -------
    polars.DataFrame
        The columns of `data` (with `duration`, `event` and `entry` per piece), the
        start column inserted before `duration` when `entry` is None, `episode`, then
        the state columns of `changes`; rows in the order of the spells, pieces in time
        order.

    Raises
    ------
    InputError
        A missing column; bad durations, entries (not before the duration) or event
        codes; cut times unsorted, duplicated, negative or not finite; neither cut
        times nor changes; `changes` without `id`; an `id` with nulls; change times
        null or not finite, two changes of a person at the same time, or changes of
        a person without a spell in `data`; a new column name already in `data`; an
        output larger than the memory budget (``HRH_MAX_MEMORY``, 4 GiB by default),
        with the size it would need.

    References
    ----------
    Therneau TM, Crowson C, Atkinson E (2024). Using time dependent covariates and
    time dependent coefficients in the Cox model. Vignette of the R package survival.

    Examples
    --------
    >>> import hrh
    >>> d = {"t": [5.0, 3.0], "left": [1, 0], "cadre": ["nurse", "doctor"]}
    >>> for row in hrh.split_episodes(d, duration="t", event="left", cut=[2, 4]).rows():
    ...     print(row)
    (0.0, 2.0, 0, 'nurse', 1)
    (2.0, 4.0, 0, 'nurse', 2)
    (4.0, 5.0, 1, 'nurse', 3)
    (0.0, 2.0, 0, 'doctor', 1)
    (2.0, 3.0, 0, 'doctor', 2)
    >>> spells = {"id": [1, 2], "t": [6.0, 4.0], "left": [1, 1]}
    >>> grades = {"id": [1, 1], "time": [0.0, 3.0], "grade": ["junior", "senior"]}
    >>> hrh.split_episodes(
    ...     spells, duration="t", event="left", id="id", changes=grades, episode=None
    ... ).rows()
    [(1, 0.0, 3.0, 0, 'junior'), (1, 3.0, 6.0, 1, 'senior'), (2, 0.0, 4.0, 1, None)]
    """
    df = to_frame(data)
    require_columns(df, [duration], role="duration")
    require_columns(df, [event], role="event")
    if entry is not None:
        require_columns(df, [entry], role="entry")
    check_numeric(df, duration, minimum="non_negative")
    ev = _event_codes(df, event)
    if entry is not None:
        check_numeric(df, entry, minimum="any")
    else:
        _new_name(df, start, "start")
    if episode is not None:
        _new_name(df, episode, "episode")
    cuts = _cuts(cut)
    cut_list: list[float] = cuts.tolist()
    for i, c in enumerate(cut_list):
        if not (math.isfinite(c) and c >= 0):
            raise InputError(f"argument 'cut', item {i}: {c!r} is not a finite time >= 0")
        if i and c <= cut_list[i - 1]:
            raise InputError(
                f"argument 'cut', item {i}: {c!r} does not follow {cut_list[i - 1]!r}; cut "
                "times must be strictly increasing (sorted, no duplicates)"
            )
    state_frame: pl.DataFrame | None = None
    row_id = change_id = change_time = None
    n_ids = 0
    if changes is None:
        if len(cuts) == 0:
            raise InputError("argument 'cut': no cut times and no changes, nothing to split at")
    else:
        if id is None:
            raise InputError(
                "argument 'id': changes= needs id=, the column naming persons in data and "
                "in changes"
            )
        ch = to_frame(changes, name="changes")
        require_columns(df, [id], role="id")
        require_columns(ch, [id], role="id", table="changes")
        require_columns(ch, [at], role="at", table="changes")
        check_no_nulls(df, id)
        check_key_type(df, id)
        check_no_nulls(ch, id, table="changes")
        check_numeric(ch, at, minimum="any", table="changes")
        ids, ch_ids = df.get_column(id), ch.get_column(id)
        if ids.dtype != ch_ids.dtype:
            raise InputError(
                f"column '{id}' has type {ids.dtype} in data and {ch_ids.dtype} in changes"
            )
        state_cols = [c for c in ch.columns if c not in (id, at)]
        for name in state_cols:
            if name in df.columns or name in (start, episode):
                raise InputError(
                    f"column '{name}' of changes is also a column of the result; rename it"
                )
        codes, _ = value_codes(pl.concat([ids, ch_ids]))
        row_id = np.ascontiguousarray(codes[: df.height])
        change_id = np.ascontiguousarray(codes[df.height :])
        known = np.zeros(int(codes.max()) + 1 if len(codes) else 0, dtype=bool)
        known[row_id] = True
        unknown = np.flatnonzero(~known[change_id])
        if len(unknown):
            j = int(unknown[0])
            raise InputError(
                f"column '{id}', row {j} of changes: person {ch_ids[j]!r} has no spell in data"
            )
        change_time = column_array(ch, at)
        n_ids = len(known)
        state_frame = ch.select(state_cols)
    row_bytes = int(df.estimated_size() / max(df.height, 1)) + _CORE_BYTES
    if state_frame is not None and state_frame.height:
        row_bytes += int(state_frame.estimated_size() / state_frame.height)
    r = _core.split_episodes(
        column_array(df, duration),
        ev,
        column_array(df, entry) if entry is not None else None,
        cuts,
        row_id,
        change_id,
        change_time,
        n_ids,
        row_bytes=row_bytes,
        max_memory=_max_memory(),
    )
    rows = pl.Series(r["row"], dtype=pl.UInt64)
    out = df.select(pl.all().gather(rows))
    ev_dtype = df.schema[event]
    pieces = {
        duration: pl.Series(duration, r["stop"]),
        event: pl.Series(event, r["event"]).cast(ev_dtype),
    }
    if entry is not None:
        pieces[entry] = pl.Series(entry, r["start"])
    out = out.with_columns(**pieces)
    if entry is None:
        out.insert_column(out.columns.index(duration), pl.Series(start, r["start"]))
    if episode is not None:
        out = out.with_columns(pl.Series(episode, r["episode"], dtype=pl.Int64))
    if state_frame is not None:
        idx = pl.Series(r["state"])
        idx = pl.select(pl.when(idx >= 0).then(idx).cast(pl.UInt64)).to_series()
        out = pl.concat([out, state_frame.select(pl.all().gather(idx))], how="horizontal")
    return out
