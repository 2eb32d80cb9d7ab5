# Handwritten stub of the compiled extension hrh._core; checked by mypy.stubtest.
from typing import Any

import numpy as np
import numpy.typing as npt

_F = npt.NDArray[np.float64]
_U = npt.NDArray[np.uint32]
_U64 = npt.NDArray[np.uint64]

__all__ = [
    "ConvergenceError",
    "HrhError",
    "InputError",
    "ScenarioError",
    "__version__",
    "agglomeration",
    "atkinson",
    "concentration_index",
    "cv",
    "debug_build",
    "density",
    "equity_table",
    "forecast",
    "generalized_entropy",
    "gini",
    "lorenz",
    "poisson_rate",
    "polarization",
    "quota_gap",
    "shortfall",
    "synthetic_register",
    "theil",
]
__version__: str
debug_build: bool

class HrhError(Exception): ...
class InputError(HrhError, ValueError): ...

class ScenarioError(InputError):
    path: str

class ConvergenceError(HrhError, ArithmeticError):
    reason: str
    hint: str

def poisson_rate(
    count: _F,
    exposure: _F,
    *,
    per: float,
    level: float,
    count_name: str = "count",
    exposure_name: str = "exposure",
) -> tuple[_F, _F, _F]: ...
def density(
    staff: _F, population: _F, area: _F | None = None, *, per: float, level: float
) -> tuple[_F, _F, _F, _F | None, _F | None]: ...
def shortfall(staff: _F, required: _F) -> tuple[_F, _F, _F]: ...
def quota_gap(staff: _F, quota: _F) -> tuple[_F, _F]: ...
def agglomeration(
    staff: _F,
    population: _F,
    area: _F,
    group: npt.NDArray[np.uint32],
    n_groups: int,
    *,
    per: float,
) -> dict[str, _F]: ...
def synthetic_register(
    *, seed: int, n_active: int, first_year: int, reference_day: int
) -> dict[str, Any]: ...
def gini(values: _F, weights: _F | None = None, *, corrected: bool = False) -> float: ...
def lorenz(values: _F, weights: _F | None = None) -> tuple[_F, _F]: ...
def theil(
    values: _F,
    weights: _F | None = None,
    groups: _U | None = None,
    n_groups: int = 0,
    *,
    kind: str,
    mean: str | float,
    log_base: float,
) -> dict[str, Any]: ...
def generalized_entropy(values: _F, weights: _F | None = None, *, alpha: float) -> float: ...
def atkinson(values: _F, weights: _F | None = None, *, epsilon: float) -> float: ...
def cv(values: _F, weights: _F | None = None, *, ddof: float) -> float: ...
def concentration_index(
    values: _F,
    rank: _F,
    weights: _F | None = None,
    *,
    correction: str | None = None,
    lower: float = 0.0,
    upper: float = 1.0,
) -> float: ...
def polarization(
    values: _F,
    weights: _F | None = None,
    groups: _U | None = None,
    n_groups: int = 0,
    *,
    method: str,
    alpha: float,
) -> float: ...
def equity_table(
    values: _F,
    weights: _F,
    by: _U,
    n_by: int,
    groups: _U | None = None,
    n_groups: int = 0,
    *,
    measures: list[str],
    epsilon: float,
    bootstrap: int,
    level: float,
    seed: int,
) -> dict[str, Any]: ...
def forecast(
    times: _F,
    values: _F,
    offsets: _U64,
    labels: list[str],
    *,
    model: str,
    horizon: int,
    levels: list[float],
    initial: str = "optimal",
    alpha: float | None = None,
    beta: float | None = None,
    phi: float | None = None,
    first_residual: bool = False,
    ddof: int = 0,
    order: tuple[int, int, int] | None = None,
    mean: bool = True,
    drift: bool = False,
) -> dict[str, Any]: ...
