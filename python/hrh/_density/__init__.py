"""Density metrics: staff per 1,000 population with exact intervals, per-area density,
HRDI, shortfall against a norm, staffing-quota gaps, agglomeration degrees and exact
Poisson rates.

All functions take a table (see :mod:`hrh._frames` for the accepted kinds), never
modify it, and return a polars DataFrame. They are imported from ``hrh``
(``hrh.density``, ``hrh.shortfall``, ...); this package is private so that no module
hides behind the function of the same name. Its modules: ``_common`` (output columns,
summing staff and population by key, population tables), ``_rates`` (``density``),
``_gaps`` (``shortfall``, ``quota_gap``, ``agglomeration``) and ``_poisson``
(``poisson_ci``, ``rate_ratio``, ``RateRatio``).
"""

from __future__ import annotations

from hrh._density._gaps import agglomeration, quota_gap, shortfall
from hrh._density._poisson import RateRatio, poisson_ci, rate_ratio
from hrh._density._rates import density

__all__ = [
    "RateRatio",
    "agglomeration",
    "density",
    "poisson_ci",
    "quota_gap",
    "rate_ratio",
    "shortfall",
]
