"""Evidence to distributions: turn counts from registers and surveys into the uncertain
numbers a scenario takes, with the prior stated.

Each helper returns what the scenario document accepts in place of a number (see the
example below).

The posteriors are conjugate: a Poisson rate from `events` in `exposure` person-years is
Gamma(events + a0, exposure + b0); a proportion of `k` in `n` is Beta(k + a0, n - k + b0);
the shares of an origin's moves to each destination are Dirichlet(counts + a0), whose
margins are betas. The default prior is Jeffreys' (a0 = 1/2, b0 = 0 for a rate; 1/2, 1/2
for a proportion), which gives zero events an honest upper tail: `rate(0, 100)` has mean
0.005 and 95th percentile 0.0192 per person-year, where the point estimate says 0.

References
----------
Gelman, A. et al. (2013). Bayesian Data Analysis, 3rd ed., ch. 2 (conjugate Poisson and
binomial models, Jeffreys priors). Brown, L. D., Cai, T. T. and DasGupta, A. (2001).
Interval estimation for a binomial proportion. Statistical Science 16(2), 101-133.

Examples
--------
>>> import hrh
>>> doc = {"cadres": [{"attrition": {"rate": 0.05}}]}
>>> doc["cadres"][0]["attrition"]["rate"] = hrh.evidence.rate(11, 1251)
>>> doc["cadres"][0]["attrition"]["rate"]
{'dist': 'gamma', 'shape': 11.5, 'rate': 1251.0}
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any

import polars as pl

from hrh import _core
from hrh.exceptions import InputError

__all__ = ["mean", "migration", "proportion", "quantile", "rate"]

_RATE_PRIORS = {"jeffreys": (0.5, 0.0), "uniform": (1.0, 0.0)}
_PROPORTION_PRIORS = {"jeffreys": (0.5, 0.5), "uniform": (1.0, 1.0)}


def _count(value: Any, name: str, *, integer: bool = True) -> float:
    ok = (
        not isinstance(value, bool)
        and isinstance(value, (int, float))
        and math.isfinite(value)
        and value >= 0
        and (not integer or float(value).is_integer())
    )
    if not ok:
        kind = "a whole number >= 0" if integer else "a finite number >= 0"
        raise InputError(f"argument '{name}': {value!r} must be {kind}")
    return float(value)


def _prior(prior: Any, table: dict[str, tuple[float, float]], name: str) -> tuple[float, float]:
    if isinstance(prior, str):
        if prior not in table:
            raise InputError(
                f"argument 'prior': {prior!r} is not {' or '.join(map(repr, table))} or a pair "
                "of numbers"
            )
        return table[prior]
    try:
        a, b = prior
    except (TypeError, ValueError):
        raise InputError(
            f"argument 'prior': {prior!r} is not {' or '.join(map(repr, table))} or a pair of "
            "numbers"
        ) from None
    return _count(a, "prior", integer=False), _count(b, "prior", integer=False)


def rate(
    events: int, exposure: float, *, prior: str | Sequence[float] = "jeffreys"
) -> dict[str, Any]:
    """An event rate per unit of exposure (e.g. resignations per person-year) from a count.

    Parameters
    ----------
    events : number of events (a whole number >= 0).
    exposure : the exposure they occurred in (person-years, > 0).
    prior : "jeffreys" (Gamma(1/2, 0), the default), "uniform" (Gamma(1, 0)) or a pair
        `(a0, b0)`: the posterior is Gamma(events + a0, exposure + b0).

    Returns
    -------
    dict
        `{"dist": "gamma", "shape": ..., "rate": ...}`. As an annual attrition rate, a
        scenario takes it where all but 1e-12 of it lies below 1.

    Examples
    --------
    >>> import hrh
    >>> d = hrh.evidence.rate(0, 100)
    >>> round(hrh.evidence.mean(d), 6), round(hrh.evidence.quantile(d, 0.95), 6)
    (0.005, 0.019207)
    """
    e = _count(events, "events")
    x = _count(exposure, "exposure", integer=False)
    a0, b0 = _prior(prior, _RATE_PRIORS, "rate")
    shape, rt = e + a0, x + b0
    if not (shape > 0 and rt > 0):
        raise InputError(
            f"argument 'exposure': the posterior Gamma({shape}, {rt}) is improper: give "
            "exposure > 0 (or a prior with a0 > 0 and b0 > 0)"
        )
    return {"dist": "gamma", "shape": shape, "rate": rt}


def proportion(k: int, n: int, *, prior: str | Sequence[float] = "jeffreys") -> dict[str, Any]:
    """A proportion from `k` successes in `n` trials (e.g. trainees who returned).

    Parameters
    ----------
    k, n : whole numbers with 0 <= k <= n.
    prior : "jeffreys" (Beta(1/2, 1/2), the default), "uniform" (Beta(1, 1)) or a pair
        `(a0, b0)`: the posterior is Beta(k + a0, n - k + b0).

    Returns
    -------
    dict
        `{"dist": "beta", "a": ..., "b": ...}`.

    Examples
    --------
    >>> import hrh
    >>> hrh.evidence.proportion(0, 12)
    {'dist': 'beta', 'a': 0.5, 'b': 12.5}
    """
    kk, nn = _count(k, "k"), _count(n, "n")
    if kk > nn:
        raise InputError(f"argument 'k': {k} successes in {n} trials (k must be <= n)")
    a0, b0 = _prior(prior, _PROPORTION_PRIORS, "proportion")
    a, b = kk + a0, nn - kk + b0
    if not (a > 0 and b > 0):
        raise InputError(
            f"argument 'prior': the posterior Beta({a}, {b}) is improper: use a prior with "
            "a0 > 0 and b0 > 0"
        )
    return {"dist": "beta", "a": a, "b": b}


def migration(
    transitions: Any,
    *,
    cadre: str | None = None,
    prior: str | Sequence[float] = "jeffreys",
) -> list[dict[str, Any]]:
    """Migration records for a scenario from `hrh.transitions` (regions as states), each
    move's yearly rate a beta distribution: the margin of the Dirichlet posterior of its
    origin's counts (with `a0` added to every count; Jeffreys' 1/2 by default).

    Examples
    --------
    >>> import hrh
    >>> panel = {"id": [1, 1, 2, 2, 3, 3, 4, 4], "year": [1, 2] * 4,
    ...          "region": ["A", "B", "A", "A", "A", "A", "B", "B"]}
    >>> tr = hrh.transitions(panel, id="id", time="year", state="region")
    >>> for move in hrh.evidence.migration(tr):
    ...     print(move)
    {'from': 'A', 'to': 'B', 'rate': {'dist': 'beta', 'a': 1.5, 'b': 2.5}}
    {'from': 'B', 'to': 'A', 'rate': {'dist': 'beta', 'a': 0.5, 'b': 1.5}}
    """
    from hrh.planning import Transitions

    if not isinstance(transitions, Transitions):
        raise InputError(
            f"argument 'transitions': a {type(transitions).__name__}, not the result of "
            "hrh.transitions"
        )
    a0, _ = _prior(prior, {"jeffreys": (0.5, 0.5), "uniform": (1.0, 1.0)}, "migration")
    if a0 <= 0:
        raise InputError("argument 'prior': a0 must be > 0 (a Dirichlet needs positive weights)")
    t = transitions.table.with_columns(pl.col("count").cast(pl.Float64) + a0)
    totals = t.group_by("from").agg(total=pl.col("count").sum())
    moves = t.join(totals, on="from").filter(pl.col("from") != pl.col("to"))
    extra = {} if cadre is None else {"cadre": cadre}
    return [
        {
            "from": r["from"],
            "to": r["to"],
            "rate": {"dist": "beta", "a": r["count"], "b": r["total"] - r["count"]},
            **extra,
        }
        for r in moves.sort("from", "to").iter_rows(named=True)
    ]


def _moments(dist: Any, probs: list[float]) -> tuple[float, list[float]]:
    try:
        text = json.dumps(dist)
    except (TypeError, ValueError) as e:
        raise InputError(f"argument 'dist': {dist!r} is not a number or distribution") from e
    return _core.dist_quantiles(text, probs)


def mean(dist: Any) -> float:
    """The mean of a scenario number or distribution (`{"dist": "gamma", ...}`)."""
    return float(_moments(dist, [])[0])


def quantile(dist: Any, q: float) -> float:
    """The `q` quantile (0 <= q <= 1) of a scenario number or distribution."""
    if isinstance(q, bool) or not isinstance(q, (int, float)) or not 0 <= q <= 1:
        raise InputError(f"argument 'q': {q!r} must be a probability in [0, 1]")
    return float(_moments(dist, [float(q)])[1][0])
