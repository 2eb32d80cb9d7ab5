# Handwritten stub of the compiled extension hrh._core; checked by mypy.stubtest.
from typing import Any

import numpy as np
import numpy.typing as npt

_F = npt.NDArray[np.float64]

__all__ = [
    "ConvergenceError",
    "HrhError",
    "InputError",
    "ScenarioError",
    "__version__",
    "agglomeration",
    "debug_build",
    "density",
    "poisson_rate",
    "quota_gap",
    "shortfall",
    "synthetic_register",
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
