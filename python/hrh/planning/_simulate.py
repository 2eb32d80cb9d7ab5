"""Monte Carlo projections of supply, demand and the gap, and paired comparisons."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hrh import _core
from hrh._frames import as_list
from hrh._progress import progress_after
from hrh.exceptions import InputError
from hrh.planning._cluster import simulate_on
from hrh.planning._projection import Projection, _projection
from hrh.planning._scenario import Scenario, _core_args, _load, _max_memory, _max_work
from hrh.planning._wisn import _draws_and_seed


def simulate(
    scenario: Scenario | str | Path,
    *,
    policy: str | Sequence[str] | None = None,
    draws: int = 1000,
    seed: int | None = None,
    keep_draws: bool = False,
    quantiles: str = "auto",
    flows: str = "expected",
    density: bool = False,
    horizon_value: bool = False,
    progress: bool | None = None,
    client: Any = None,
    chunks: int | None = None,
) -> Projection:
    """Project supply, demand, the gap and costs of a scenario, with Monte Carlo
    uncertainty.

    Each draw samples every distribution in the scenario once (each number from its own
    stream `(seed, draw, parameter)`), then runs the yearly stock-and-flow model by region,
    cadre, grade, post-training state and single year of age (deaths, attrition, training
    departures, migration, ageing and retirement, returns from training, entrants; see the
    core's `planning::supply` documentation for the order). Draws run in parallel and the
    results are identical for any number of threads.

    Parameters
    ----------
    scenario
        A dict, a JSON string, or a TOML/JSON file (see `examples/`).
    policy
        Name(s) of policies in the scenario to switch on.
    draws
        Number of draws; 0 runs the deterministic path at parameter means.
    seed
        Random seed; None picks one (recorded in `Projection.seed`).
    keep_draws
        Also return every draw's supply and demand (`draws_table`).
    quantiles
        "exact" keeps every draw's numbers of one group of regions at a time
        (regions linked by migration form a group; memory grows with draws);
        "streaming" uses extended P² estimates (fixed memory); "auto" is exact while the
        numbers kept at once need under 64 MiB.
    flows
        "expected" moves the expected number of people in each flow given the draw's
        parameters; "binomial" draws every flow as a binomial count of whole people (the
        starting stock and entrants rounded at random to whole people, entrants spread
        over ages multinomially, each eligible person sent to training with probability
        places / eligible), adding the chance variation of a small workforce.
    density
        Also project the population and staff per 1,000 population: `table` and
        `grade_table` gain `population` (the mean over draws) and `density_per_1000`
        (staff per 1,000 population, with quantiles), to set against
        `hrh.norms.SDG_THRESHOLD` and the like; `totals` gain the `population` of all
        regions, `density_per_1000` over all regions and `theil`, the Theil index T of
        the regions' densities weighted by population, per draw with quantiles (0 when
        staff are spread as people are), and `p_theil_below_start`, the share of draws in
        which it is below the start year's. Needs a population in the scenario; costs an
        extra summary per cell.
    horizon_value
        Also carry the staff in post at the horizon through the years after it,
        for `hrh.compare(..., beyond_horizon=True)`: each year the draw's final-year
        rates (deaths, attrition with its grade and policy multipliers) take their share
        of each age, the rest grow a year older, and everyone retires at the retirement
        age; staff keep their grade (and pay) and nobody joins. Kept per draw with the
        draws' totals.
    progress
        True writes the share of the work done to `sys.stderr` while the call runs;
        None (the default) does so from 5 seconds on in an interactive session (a
        notebook, or a terminal), False never. Ctrl-C stops a call at any time with
        `KeyboardInterrupt`, leaving nothing half-done. With a `client`, the progress
        is that of summarising the draws once the workers have run them.
    client
        A ``dask.distributed.Client`` (or a scheduler address such as
        ``"tcp://10.0.0.5:8786"``, connected to for the call and closed after it): the
        draws run on its workers, in `chunks` pieces of consecutive draws, and this
        process summarises them. Every draw's random numbers depend on (seed, draw) only
        and the summaries are taken in the same order, so the projection is the one this
        machine computes with the same seed, to the bit, with exact or streaming
        quantiles. The draws' numbers (supply and demand of every cell, costs) come back
        to this process, so `HRH_MAX_MEMORY` bounds them too. Needs ``hrh[dask]``. A
        worker lost during the run has its piece rerun by Dask; a piece that still fails
        raises `HrhError` and no projection is made. See the guide's page on scale.
    chunks
        With a `client`, the number of pieces the draws are split into (whole segments of
        up to 128 draws, so at most `draws` and at most the number of segments); None:
        one per worker thread. Only with a `client`.

    Returns
    -------
    Projection

    Raises
    ------
    InputError
        `draws` or `seed` not an integer in range, a policy named twice, `flows` or
        `quantiles` not one of their values, binomial flows with ``draws=0``, `density`
        without a population in the scenario, or more memory than the budget: the
        memory the draws need is checked before anything is allocated, and beyond the
        budget (`HRH_MAX_MEMORY`, 4 GiB by default; e.g. `8G`) the message says how much
        the call would need and what to change; more work than the limit: draws ×
        years × regions × cadre-and-grade cells are checked before the run starts,
        against `HRH_MAX_WORK` (1e10 by default), and the message names `draws` and
        the limit; a policy the scenario does not have. With a `client`: a closed client,
        a cluster without workers (after ``HRH_DASK_WORKER_WAIT`` seconds, 30 by
        default), something other than a Client or an address, an address when
        dask.distributed is not installed, `chunks` not an integer >= 1, more chunks than
        draws or segments, `chunks` without a `client`, or draws whose numbers would
        take more than the memory budget on this machine.
    HrhError
        With a `client`: a piece of the draws that failed on the cluster (Dask reruns
        the pieces of a lost worker first).
    ScenarioError
        A bad scenario key (unknown, wrong type, or a value that breaks a rule of the
        scenario reference); the message gives the key's path.
    KeyboardInterrupt
        Ctrl-C, once the core has stopped.

    References
    ----------
    Jain, R. and Chlamtac, I. (1985). The P² algorithm for dynamic calculation of
    quantiles and histograms without storing observations. CACM 28(10), 1076-1085.

    Examples
    --------
    >>> import hrh
    >>> doc = {"start_year": 2024, "horizon": 2, "regions": ["A"], "min_age": 20,
    ...        "cadres": [{"name": "nurse", "retirement_age": 23, "attrition": {"rate": 0.1},
    ...                    "entrants": {"per_year": 30, "age": {"mean": 20}},
    ...                    "demand": {"method": "norm", "per_1000": 4.45}}],
    ...        "population": {"base": 40000},
    ...        "stock": [{"region": "A", "cadre": "nurse", "age": a, "count": n}
    ...                  for a, n in [(20, 100), (21, 50), (22, 10)]]}
    >>> p = hrh.simulate(doc, draws=0)
    >>> p.table.select("year", "supply", "demand", "gap").rows()
    [(2024, 160.0, 178.0, 18.0), (2025, 165.0, 178.0, 13.0), (2026, 138.0, 178.0, 40.0)]
    """
    doc = _load(scenario, copy_dict=False)
    for name, flag in (("density", density), ("horizon_value", horizon_value)):
        if not isinstance(flag, bool):
            raise InputError(f"argument '{name}': {flag!r} must be True or False")
    if density and not doc.get("population"):
        raise InputError(
            "argument 'density': densities need a population: give the scenario a `population`"
        )
    draws, seed = _draws_and_seed(draws, seed)
    policies = as_list(policy)
    for i, name in enumerate(policies):
        if name in policies[:i]:
            raise InputError(f"argument 'policy': {name!r} is named twice")
    js, stock = _core_args(doc)
    kwargs: dict[str, Any] = {
        "draws": draws,
        "seed": seed,
        "policies": policies,
        "quantiles": quantiles,
        "keep_draws": keep_draws,
        "flows": flows,
        "density": density,
        "max_memory": _max_memory(),
        "max_work": _max_work(),
        "horizon_value": horizon_value,
    }
    if client is not None:
        raw = simulate_on(client, chunks, js, stock, kwargs, progress_after(progress))
    elif chunks is not None:
        raise InputError(
            f"argument 'chunks': {chunks!r} needs a Dask client (client=...) to spread the "
            "draws over; without one the draws run on this machine's threads"
        )
    else:
        raw = _core.simulate(js, stock=stock, **kwargs, progress_after=progress_after(progress))
    return _projection(raw, policies, draws, seed, raw["quantiles"], (js, stock))
