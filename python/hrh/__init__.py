"""hrh: human resources for health analytics.

Density metrics, distribution equity, attrition and workforce gap forecasts, with the
numerical work done in a Rust core.

Examples
--------
>>> import hrh
>>> hrh.__version__ == hrh._core.__version__
True
"""

from __future__ import annotations

import warnings

from hrh import _core, attrition, datasets, economics, evidence, forecast, norms, planning
from hrh._density import (
    RateRatio,
    agglomeration,
    density,
    poisson_ci,
    quota_gap,
    rate_ratio,
    shortfall,
)
from hrh._equity import (
    TheilResult,
    atkinson,
    concentration_index,
    cv,
    equity,
    generalized_entropy,
    gini,
    lorenz,
    polarization,
    theil,
)
from hrh.attrition import (
    CoxResult,
    CoxZph,
    CumulativeHazard,
    CumulativeIncidence,
    FineGrayPrediction,
    FineGrayResult,
    KaplanMeier,
    LogRankResult,
    ParametricResult,
    annualize,
    cox,
    cumulative_incidence,
    fine_gray,
    kaplan_meier,
    life_table,
    logrank,
    nelson_aalen,
    parametric,
    person_time,
    rate,
    split_episodes,
)
from hrh.economics import Comparison, Sensitivity, compare, sensitivity
from hrh.exceptions import ConvergenceError, HrhError, InputError, ScenarioError
from hrh.forecast import Forecast, backtest, trend
from hrh.planning import (
    Projection,
    Transitions,
    WisnResult,
    attrition_rates,
    available_working_time,
    check_scenario,
    load_scenario,
    simulate,
    stock_table,
    transitions,
    wisn,
)

__version__: str = _core.__version__

if _core.debug_build:  # pragma: no cover - depends on how the extension was built
    warnings.warn(
        "hrh's compiled core is a debug build and runs many times slower than a release "
        "build; reinstall with `pip install .` (or `maturin develop --release`).",
        RuntimeWarning,
        stacklevel=2,
    )

__all__ = [
    "Comparison",
    "ConvergenceError",
    "CoxResult",
    "CoxZph",
    "CumulativeHazard",
    "CumulativeIncidence",
    "FineGrayPrediction",
    "FineGrayResult",
    "Forecast",
    "HrhError",
    "InputError",
    "KaplanMeier",
    "LogRankResult",
    "ParametricResult",
    "Projection",
    "RateRatio",
    "ScenarioError",
    "Sensitivity",
    "TheilResult",
    "Transitions",
    "WisnResult",
    "__version__",
    "agglomeration",
    "annualize",
    "atkinson",
    "attrition",
    "attrition_rates",
    "available_working_time",
    "backtest",
    "check_scenario",
    "compare",
    "concentration_index",
    "cox",
    "cumulative_incidence",
    "cv",
    "datasets",
    "density",
    "economics",
    "equity",
    "evidence",
    "fine_gray",
    "forecast",
    "generalized_entropy",
    "gini",
    "kaplan_meier",
    "life_table",
    "load_scenario",
    "logrank",
    "lorenz",
    "nelson_aalen",
    "norms",
    "parametric",
    "person_time",
    "planning",
    "poisson_ci",
    "polarization",
    "quota_gap",
    "rate",
    "rate_ratio",
    "sensitivity",
    "shortfall",
    "simulate",
    "split_episodes",
    "stock_table",
    "theil",
    "transitions",
    "trend",
    "wisn",
]
