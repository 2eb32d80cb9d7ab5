"""Published staffing norms, in health workers per 1,000 population.

Attributes
----------
SDG_THRESHOLD : float
    4.45 doctors, nurses and midwives per 1,000 population: the density associated
    with a median 25 % attainment of the 12 tracer indicators of the Sustainable
    Development Goal (SDG) index for universal health coverage. Source: World Health
    Organization (2016). Global strategy on human resources for health: Workforce 2030.
    Geneva: WHO, and the underlying WHO (2016) Health workforce requirements for
    universal health coverage and the Sustainable Development Goals (Human Resources
    for Health Observer Series No. 17).
WHR2006_THRESHOLD : float
    2.28 doctors, nurses and midwives per 1,000 population: the density below which
    countries were unlikely to reach 80 % coverage of skilled birth attendance and
    measles immunisation. Source: World Health Organization (2006). The World Health
    Report 2006: Working together for health. Geneva: WHO.

Examples
--------
>>> import hrh
>>> hrh.norms.SDG_THRESHOLD, hrh.norms.WHR2006_THRESHOLD
(4.45, 2.28)
>>> hrh.norms.THRESHOLDS["sdg_2016"]
4.45
"""

from __future__ import annotations

from typing import Final

SDG_THRESHOLD: Final[float] = 4.45
WHR2006_THRESHOLD: Final[float] = 2.28

#: All thresholds by short name, for loops and reports.
THRESHOLDS: Final[dict[str, float]] = {
    "sdg_2016": SDG_THRESHOLD,
    "whr_2006": WHR2006_THRESHOLD,
}

__all__ = ["SDG_THRESHOLD", "THRESHOLDS", "WHR2006_THRESHOLD"]
