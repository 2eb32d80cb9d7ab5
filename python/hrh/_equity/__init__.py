"""Distribution equity: Gini and Lorenz, Theil with between/within decomposition,
generalised entropy, Atkinson, coefficient of variation, concentration and
polarization indices, and :func:`equity`, which computes them per group of a table with
bootstrap intervals.

Array-level functions take per-unit `values` (levels, e.g. staff per 1,000 population)
and `weights` (the units' sizes, e.g. population; ``None`` for equal weights). Measured
"by area" means values = staff / area and weights = area. Units are never dropped:
zeros stay, and measures undefined with a zero raise :class:`hrh.InputError` saying
why.

A note on names: the index many health-workforce papers call "Theil" and write as
T = Σ P_i ln(P_i / Y_i) (P population share, Y resource share) is the mean log deviation
with population weights, ``theil(..., kind="L")``; T = Σ Y_i ln(Y_i / P_i) is
``kind="T"``.

The functions live in private modules (``_indices``, ``_theil``, ``_concentration``,
``_table``) and are imported from here and from ``hrh``.
"""

from __future__ import annotations

from hrh._equity._concentration import concentration_index, polarization
from hrh._equity._indices import atkinson, cv, generalized_entropy, gini, lorenz
from hrh._equity._table import BOOTSTRAP_MIN_UNITS as BOOTSTRAP_MIN_UNITS
from hrh._equity._table import equity
from hrh._equity._theil import TheilResult, theil

__all__ = [
    "TheilResult",
    "atkinson",
    "concentration_index",
    "cv",
    "equity",
    "generalized_entropy",
    "gini",
    "lorenz",
    "polarization",
    "theil",
]
