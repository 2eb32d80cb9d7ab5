"""The structure a benchmark module declares; `run.py` does the rest.

A module ``benches/bench_<name>.py`` defines ``cases(quick: bool) -> list[Case]``. Each
case is timed at each of its sizes, hrh and the peer in separate fresh processes, after
``check`` (run in yet another process) has confirmed they compute the same thing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Case:
    """One benchmark: hrh against the tool a user would pick instead.

    name
        Short identifier, unique within its module (the full id is ``module/name``).
    sizes
        Input sizes (usually rows); ``setup`` receives each in turn.
    setup
        Builds the inputs for one size, deterministically. Not timed; its memory is
        part of the baseline.
    hrh, peer
        Do the measured work on the inputs and return the result.
    peer_name
        What the peer is, for the report (e.g. "polars 1.x, direct").
    check
        Raises AssertionError unless the two results agree (``check(hrh_out,
        peer_out)``); run once per size before timing, so the timings compare like
        with like.
    min_repeats
        Timed calls after one warm-up call, at least; fast cases repeat until about
        ``min_seconds`` of timed calls (at most 100 calls). The best is reported.
    description
        One line for the report.
    peer_timed_itself
        The peer runs outside this process (e.g. R) and times itself: ``peer(inputs)``
        then returns a :class:`PeerTiming` instead of its result, and its times and
        peak memory are the peer's own.
    """

    name: str
    sizes: Sequence[int]
    setup: Callable[[int], Any]
    hrh: Callable[[Any], Any]
    peer: Callable[[Any], Any]
    peer_name: str
    check: Callable[[Any, Any], None] | None = None
    min_repeats: int = 5
    min_seconds: float = 2.0
    description: str = ""
    peer_timed_itself: bool = False


@dataclass(frozen=True)
class PeerTiming:
    """What a peer that times itself reports: its result (for ``check``), the times of
    its calls after a warm-up call, in seconds, and its peak memory during them above
    its level before them, in MiB."""

    result: Any
    times_s: list[float]
    peak_mib: float
