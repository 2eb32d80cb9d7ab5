"""Attrition and retention: exit rates and person-time from an HR register, survival
(retention) curves, cumulative hazards, k-sample tests, competing exit reasons, Cox
models of who leaves, Fine-Gray models of one exit reason among others, parametric
(accelerated failure time) models, and actuarial life tables.

Statistical conventions follow R's ``survival`` package: Kaplan-Meier intervals use
``conf_type="log"`` by default, ``std_err`` columns are on the scale of the estimate
they sit next to, exits come before censorings at tied times, and categorical
covariates use treatment contrasts against the first level in sorted order.

Each row of the data is one person (or one employment spell): a ``duration`` (time in
post, in any unit), an ``event`` (1 or True: left; 0 or False: still in post, i.e.
censored) and, for delayed entry, the ``entry`` time at which the person came under
observation (at risk on (entry, duration]).
"""

from __future__ import annotations

from hrh.attrition._competing import CumulativeIncidence, cumulative_incidence
from hrh.attrition._cox import cox
from hrh.attrition._cox_diagnostics import CoxZph
from hrh.attrition._cox_result import CoxResult
from hrh.attrition._curves import CumulativeHazard, KaplanMeier, kaplan_meier, nelson_aalen
from hrh.attrition._finegray import fine_gray
from hrh.attrition._finegray_result import FineGrayPrediction, FineGrayResult
from hrh.attrition._life_table import life_table
from hrh.attrition._logrank import LogRankResult, logrank
from hrh.attrition._parametric import parametric
from hrh.attrition._parametric_result import ParametricResult
from hrh.attrition._rates import annualize, person_time, rate
from hrh.attrition._split import split_episodes

__all__ = [
    "CoxResult",
    "CoxZph",
    "CumulativeHazard",
    "CumulativeIncidence",
    "FineGrayPrediction",
    "FineGrayResult",
    "KaplanMeier",
    "LogRankResult",
    "ParametricResult",
    "annualize",
    "cox",
    "cumulative_incidence",
    "fine_gray",
    "kaplan_meier",
    "life_table",
    "logrank",
    "nelson_aalen",
    "parametric",
    "person_time",
    "rate",
    "split_episodes",
]
