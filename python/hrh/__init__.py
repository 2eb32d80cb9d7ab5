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

from hrh import _core, datasets, norms
from hrh.density import agglomeration, density, poisson_ci, quota_gap, shortfall
from hrh.equity import (
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
from hrh.exceptions import ConvergenceError, HrhError, InputError, ScenarioError
from hrh.forecast import Forecast, backtest, trend

__version__: str = _core.__version__

if _core.debug_build:  # pragma: no cover - depends on how the extension was built
    warnings.warn(
        "hrh's compiled core is a debug build and runs many times slower than a release "
        "build; reinstall with `pip install .` (or `maturin develop --release`).",
        RuntimeWarning,
        stacklevel=2,
    )

__all__ = [
    "ConvergenceError",
    "Forecast",
    "HrhError",
    "InputError",
    "ScenarioError",
    "TheilResult",
    "__version__",
    "agglomeration",
    "atkinson",
    "backtest",
    "concentration_index",
    "cv",
    "datasets",
    "density",
    "equity",
    "generalized_entropy",
    "gini",
    "lorenz",
    "norms",
    "poisson_ci",
    "polarization",
    "quota_gap",
    "shortfall",
    "theil",
    "trend",
]
