"""The draws of :func:`hrh.simulate` run on a Dask cluster (``client=``).

The core splits a simulation's draws into chunks (summarised one after another: one
chunk with exact quantiles, many with streaming ones), each cut into segments of 128
draws whose numbers depend on (seed, chunk, segment) only, and its groups of regions into
waves. The segments are cut into ``chunks`` pieces of consecutive segments; each piece
runs on a worker (``_core.simulate_parts``) and sends back its segments' numbers; the
client puts each chunk's segments end to end and the core summarises them exactly as one
machine does (``_core.simulate(..., draws_from=...)``), so the tables are the same, bit
for bit, exact and streaming quantiles included.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from hrh import _core
from hrh._scale import _worker_wait, check_client
from hrh.exceptions import HrhError, InputError

#: Draws per segment (the core's 16 blocks of 8 draws side by side).
SEGMENT = 128


def _is_client(client: Any) -> bool:
    """Whether `client` is a dask.distributed Client, without importing Dask."""
    return type(client).__module__.split(".")[0] == "distributed" and hasattr(client, "submit")


def _piece(
    js: str, stock: Any, kwargs: dict[str, Any], units: list[tuple[int, int, int, int]]
) -> Any:
    """Run on a worker: the numbers of the piece's (chunk, wave, segments) units."""
    return _core.simulate_parts(js, stock=stock, **kwargs, pieces=units)["draws"]


def _connect(address: str) -> Any:
    try:
        import distributed
    except ImportError:
        raise InputError(
            f"argument 'client': a scheduler address ({address!r}) needs dask.distributed, "
            "which is not installed: pip install 'hrh[dask]'"
        ) from None
    try:
        return distributed.Client(  # type: ignore[no-untyped-call]
            address, timeout=_worker_wait(), set_as_default=False
        )
    except (OSError, TimeoutError) as e:
        raise InputError(
            f"argument 'client': could not connect to the Dask scheduler at {address!r} ({e})"
        ) from None


def simulate_on(
    client: Any,
    chunks: Any,
    js: str,
    stock: Any,
    kwargs: dict[str, Any],
    progress: float | None,
) -> dict[str, Any]:
    """The core's raw result of a simulation whose draws run on `client` (a Client or a
    scheduler address) in `chunks` pieces (None: one per worker thread)."""
    if (
        isinstance(chunks, bool)
        or not (chunks is None or isinstance(chunks, int))
        or (chunks is not None and chunks < 1)
    ):
        raise InputError(f"argument 'chunks': {chunks!r} must be an integer >= 1 or None")
    if isinstance(client, str):
        own = _connect(client)
        try:
            return _run(own, chunks, js, stock, kwargs, progress, f"the client of {client!r}")
        finally:
            own.close()
    if not _is_client(client):
        raise InputError(
            f"argument 'client': a {type(client).__name__} is not a dask.distributed.Client "
            "(or a scheduler address); see https://distributed.dask.org"
        )
    return _run(client, chunks, js, stock, kwargs, progress, "the client")


def _run(
    client: Any,
    chunks: int | None,
    js: str,
    stock: Any,
    kwargs: dict[str, Any],
    progress: float | None,
    name: str,
) -> dict[str, Any]:
    threads = check_client(client, name)
    layout = _core.simulate_parts(js, stock=stock, **kwargs)["layout"]
    draws = kwargs["draws"]
    budget = kwargs["max_memory"]
    if layout["bytes"] > budget:
        gib = 2.0**30
        raise InputError(
            f"argument 'draws': {draws} draws on a cluster send the client about "
            f"{layout['bytes'] / gib:.1f} GiB of numbers to summarise, over the budget of "
            f"{budget / gib:.1f} GiB (HRH_MAX_MEMORY): use fewer draws, or raise "
            "HRH_MAX_MEMORY"
        )
    # Every segment in summary order: (chunk, segment).
    segments = [(ci, s) for ci, (_, _, nseg) in enumerate(layout["chunks"]) for s in range(nseg)]
    total = len(segments)
    if chunks is None:
        chunks = max(1, min(threads, total))
    elif chunks > max(draws, 1):
        raise InputError(
            f"argument 'chunks': {chunks} chunks for {draws} draws; give at most {max(draws, 1)}"
        )
    elif chunks > total:
        raise InputError(
            f"argument 'chunks': {chunks} chunks for {draws} draws, which the simulation "
            f"splits into {total} segment(s) of up to {SEGMENT} draws; give at most {total}"
        )
    waves = range(len(layout["waves"]))
    pieces: list[list[tuple[int, int, int, int]]] = []
    for k in range(chunks):
        mine = segments[k * total // chunks : (k + 1) * total // chunks]
        units = []
        for ci in dict.fromkeys(c for c, _ in mine):
            ss = [s for c, s in mine if c == ci]
            units += [(ci, wi, ss[0], ss[-1] + 1) for wi in waves]
        pieces.append(units)
    futures = [client.submit(_piece, js, stock, kwargs, units, pure=False) for units in pieces]
    try:
        results = client.gather(futures)
    except HrhError:
        raise
    except Exception as e:  # a task that failed, or a worker lost more often than Dask retries
        raise HrhError(
            f"Dask: a piece of the draws failed on the cluster ({type(e).__name__}: {e}); "
            "nothing was summarised"
        ) from e
    finally:
        client.cancel(futures)
    # Each (chunk, wave): its pieces' arrays end to end, in segment order.
    parts: dict[tuple[int, int], list[list[Any]]] = {}
    for units, result in zip(pieces, results, strict=True):
        for (ci, wi, _, _), arrays in zip(units, result, strict=True):
            parts.setdefault((ci, wi), []).append(arrays)
    del results
    draws_from = [
        [[np.concatenate(col) for col in zip(*parts.pop((ci, wi)), strict=True)] for wi in waves]
        for ci in range(len(layout["chunks"]))
    ]
    return _core.simulate(js, stock=stock, **kwargs, progress_after=progress, draws_from=draws_from)
