"""Workforce planning: staffing need from workload (the WHO Workload Indicators of
Staffing Need, WISN), scenario files, Monte Carlo projections of supply, demand and the
gap by region, cadre and specialty, paired policy comparisons, and the transition, stock
and attrition tables a scenario is built from.

References
----------
World Health Organization (2010). Workload indicators of staffing need: user's manual.
Geneva: WHO.
"""

from __future__ import annotations

from hrh.planning._projection import Projection
from hrh.planning._scenario import check_scenario, load_scenario
from hrh.planning._simulate import simulate
from hrh.planning._transitions import Transitions, attrition_rates, stock_table, transitions
from hrh.planning._wisn import WisnResult, available_working_time, wisn

__all__ = [
    "Projection",
    "Transitions",
    "WisnResult",
    "attrition_rates",
    "available_working_time",
    "check_scenario",
    "load_scenario",
    "simulate",
    "stock_table",
    "transitions",
    "wisn",
]
