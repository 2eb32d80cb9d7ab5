"""Exact Poisson rates: :func:`hrh.poisson_ci` (a count's rate per N with its exact
interval) and :func:`hrh.rate_ratio` (two rates compared, with the exact conditional
binomial test and interval, :class:`hrh.RateRatio`)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape
from typing import Any

import polars as pl

from hrh import _core
from hrh._density._common import Alternative, check_alternative
from hrh._frames import (
    broadcast,
    check_level,
    check_positive,
)
from hrh.exceptions import InputError


def poisson_ci(
    events: Any,
    exposure: Any = 1.0,
    *,
    per: float = 1.0,
    level: float = 0.95,
    alternative: Alternative = "two-sided",
) -> pl.DataFrame:
    """Exact (Garwood) confidence intervals for Poisson counts and rates, vectorised.

    The same function as :func:`hrh.rate` (same arguments, defaults and columns).

    Parameters
    ----------
    events
        Observed counts (array-like or scalar); zero is allowed (lower limit 0).
    exposure
        Exposure (population, person-years; array-like or scalar, broadcast); 1 by
        default.
    per
        Multiplier of the rate (e.g. 1000 for per 1,000); 1 by default.
    level
        Confidence level.
    alternative
        ``"two-sided"`` (default): (1 − `level`)/2 in each tail. ``"less"``: the
        one-sided interval [0, upper] with upper = G⁻¹(level; x + 1) (an upper bound
        on the rate); ``"greater"``: [lower, ∞) with lower = G⁻¹(1 − level; x) (a lower
        bound; `upper` is infinite). As R's ``poisson.test(x, alternative=...)``.

    Returns
    -------
    polars.DataFrame
        ``events``, ``exposure``, ``rate`` = events / exposure × per, ``lower``,
        ``upper``. With exposure 1 and per 1 the limits are those of R's
        ``poisson.test(events)$conf.int``.

    Raises
    ------
    InputError
        A negative, null or NaN count; an exposure that is not > 0; `events` and
        `exposure` of different lengths (other than a scalar); `level` outside (0, 1);
        ``per <= 0``; an `alternative` not in the list.

    References
    ----------
    Garwood F (1936). Fiducial limits for the Poisson distribution. Biometrika 28:437-442.

    Examples
    --------
    >>> import hrh
    >>> hrh.poisson_ci([0, 10])
    shape: (2, 5)
    ┌────────┬──────────┬──────┬──────────┬───────────┐
    │ events ┆ exposure ┆ rate ┆ lower    ┆ upper     │
    │ ---    ┆ ---      ┆ ---  ┆ ---      ┆ ---       │
    │ f64    ┆ f64      ┆ f64  ┆ f64      ┆ f64       │
    ╞════════╪══════════╪══════╪══════════╪═══════════╡
    │ 0.0    ┆ 1.0      ┆ 0.0  ┆ 0.0      ┆ 3.688879  │
    │ 10.0   ┆ 1.0      ┆ 10.0 ┆ 4.795389 ┆ 18.390356 │
    └────────┴──────────┴──────┴──────────┴───────────┘

    A one-sided 95 % upper bound: with no event seen, the rate is below 3.0 per unit
    of exposure.

    >>> round(hrh.poisson_ci(0, alternative="less")["upper"].item(), 4)
    2.9957
    """
    check_level(level)
    check_positive(per, "per")
    alt = check_alternative(alternative)
    c, e = broadcast(events=events, exposure=exposure)
    rate, lo, hi = _core.poisson_rate(
        c,
        e,
        per=float(per),
        level=float(level),
        count_name="events",
        exposure_name="exposure",
        alternative=alt,
    )
    return pl.DataFrame({"events": c, "exposure": e, "rate": rate, "lower": lo, "upper": hi})


@dataclass(frozen=True)
class RateRatio:
    """Exact comparison of two Poisson rates (see :func:`rate_ratio`).

    Attributes
    ----------
    table : polars.DataFrame
        One row per comparison: ``events1``, ``exposure1``, ``events2``, ``exposure2``,
        ``estimate`` = (events1/exposure1)/(events2/exposure2) (null when both counts
        are 0, infinite when only events2 is), ``lower``, ``upper`` (infinite when
        unbounded), ``p_value``.
    level : float
        Confidence level of the interval.
    alternative : str
        ``"two-sided"``, ``"less"`` or ``"greater"``.
    null_ratio : float
        The rate ratio of the null hypothesis.

    References
    ----------
    Przyborowski J, Wilenski H (1940). Homogeneity of results in testing samples from
    Poisson series. Biometrika 31:313-323.
    Clopper CJ, Pearson ES (1934). The use of confidence or fiducial limits illustrated
    in the case of the binomial. Biometrika 26:404-413.

    Examples
    --------
    >>> import hrh
    >>> r = hrh.rate_ratio(30, 1000, 15, 1000)
    >>> r.estimate, round(r.p_value, 4)
    (2.0, 0.0357)
    >>> r.table.columns[-4:]
    ['estimate', 'lower', 'upper', 'p_value']
    """

    table: pl.DataFrame
    level: float
    alternative: str
    null_ratio: float

    def _one(self, column: str) -> float | None:
        if self.table.height != 1:
            raise InputError(f"{self.table.height} comparisons: read their '{column}' from .table")
        v = self.table[0, column]
        return None if v is None else float(v)

    @property
    def estimate(self) -> float | None:
        """The rate ratio of a single comparison (None when both counts are 0)."""
        return self._one("estimate")

    @property
    def lower(self) -> float:
        """Lower limit of a single comparison's interval."""
        return float(self._one("lower") or 0.0)

    @property
    def upper(self) -> float:
        """Upper limit of a single comparison's interval (``inf`` when unbounded)."""
        v = self._one("upper")
        return math.inf if v is None else v

    @property
    def p_value(self) -> float:
        """Exact p-value of a single comparison."""
        v = self._one("p_value")
        return 1.0 if v is None else v

    def to_polars(self) -> pl.DataFrame:
        """The table of comparisons."""
        return self.table

    def _repr_html_(self) -> str:
        side = {"two-sided": "two-sided", "less": "one-sided (less)"}.get(
            self.alternative, "one-sided (greater)"
        )
        return (
            f"<b>Rate ratio</b>: exact conditional test of ratio {self.null_ratio:g}, "
            f"{escape(side)} {self.level:.0%} interval"
            + self.table.with_columns(pl.col(pl.Float64).fill_nan(None))._repr_html_()
        )


def rate_ratio(
    events1: Any,
    exposure1: Any,
    events2: Any,
    exposure2: Any,
    *,
    level: float = 0.95,
    alternative: Alternative = "two-sided",
    null_ratio: float = 1.0,
) -> RateRatio:
    """Exact comparison of two Poisson rates: the rate ratio, its exact interval and
    the exact p-value, vectorised over arrays.

    Given n = x₁ + x₂ events, x₁ is binomial with probability π = θT₁/(θT₁ + T₂), θ
    the rate ratio. The interval is the Clopper-Pearson interval of π mapped to
    θ = π/(1 − π) · T₂/T₁; the test of θ = `null_ratio` is the exact binomial test
    (two-sided: the probability of the outcomes no more likely than the one seen).
    This is R's ``poisson.test(c(x1, x2), c(T1, T2), r=null_ratio, alternative=...)``.

    Parameters
    ----------
    events1, exposure1
        Events (whole numbers >= 0) and exposure (person-years, population; > 0) of the
        first group: array-likes or scalars, broadcast against each other and the
        second group.
    events2, exposure2
        The same for the second (reference) group.
    level
        Confidence level of the interval, in (0, 1).
    alternative
        ``"two-sided"`` (default), ``"less"`` (θ below `null_ratio`; interval
        [0, upper]) or ``"greater"`` (θ above; interval [lower, ∞)). R's
        ``"two.sided"`` is accepted.
    null_ratio
        The rate ratio under the null hypothesis (> 0; default 1, equal rates).

    Returns
    -------
    RateRatio
        ``.table`` with one row per comparison; ``.estimate``, ``.lower``, ``.upper``
        and ``.p_value`` for a single comparison. Both counts 0 (which R refuses): the
        estimate is null, the interval [0, ∞) and the p-value 1.

    Raises
    ------
    InputError
        Events that are negative, not whole numbers, null or NaN, or above 2**53;
        exposures that are not > 0; inputs of different lengths (other than scalars);
        `level` outside (0, 1); `null_ratio` not > 0; an `alternative` not in the list.

    References
    ----------
    Przyborowski J, Wilenski H (1940). Homogeneity of results in testing samples from
    Poisson series. Biometrika 31:313-323.
    Clopper CJ, Pearson ES (1934). The use of confidence or fiducial limits illustrated
    in the case of the binomial. Biometrika 26:404-413.

    Examples
    --------
    Nurses left at 11 per 360 person-years in one district and 4 per 120 in another:

    >>> import hrh
    >>> r = hrh.rate_ratio(11, 360, 4, 120)
    >>> round(r.estimate, 4), round(r.lower, 4), round(r.upper, 4), round(r.p_value, 4)
    (0.9167, 0.2716, 3.9472, 1.0)

    Vectorised: one row per pair of districts.

    >>> hrh.rate_ratio([11, 30], [360, 1000], [4, 15], [120, 1000]).table["p_value"].round(4)
    shape: (2,)
    Series: 'p_value' [f64]
    [
        1.0
        0.0357
    ]
    """
    check_level(level)
    check_positive(null_ratio, "null_ratio")
    alt = check_alternative(alternative)
    x1, t1, x2, t2 = broadcast(
        events1=events1, exposure1=exposure1, events2=events2, exposure2=exposure2
    )
    est, lo, hi, p, _ = _core.rate_ratio(
        x1, t1, x2, t2, null_ratio=float(null_ratio), level=float(level), alternative=alt
    )
    table = pl.DataFrame(
        {
            "events1": x1,
            "exposure1": t1,
            "events2": x2,
            "exposure2": t2,
            "estimate": est,
            "lower": lo,
            "upper": hi,
            "p_value": p,
        }
    ).with_columns(pl.col("estimate").fill_nan(None))
    return RateRatio(table=table, level=float(level), alternative=alt, null_ratio=float(null_ratio))
