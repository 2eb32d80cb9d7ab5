# Handwritten stub of the compiled extension hrh._core; checked by mypy.stubtest.
from collections.abc import Sequence
from typing import Any, final

import numpy as np
import numpy.typing as npt

_F = npt.NDArray[np.float64]
_U = npt.NDArray[np.uint32]
_U64 = npt.NDArray[np.uint64]
# Columns the core reads in place: durations int64, int32 or float64; event codes bool,
# int64, int32, float64 or uint32.
_Durations = npt.NDArray[np.int64] | npt.NDArray[np.int32] | npt.NDArray[np.float64]
_Events = (
    npt.NDArray[np.bool_]
    | npt.NDArray[np.int64]
    | npt.NDArray[np.int32]
    | npt.NDArray[np.float64]
    | npt.NDArray[np.uint32]
)

__all__ = [
    "GRAY_MAX_GROUPS",
    "ConvergenceError",
    "CoxModel",
    "FineGrayModel",
    "HrhError",
    "InputError",
    "KeyedSumsState",
    "ParametricModel",
    "ScenarioError",
    "__version__",
    "acceptability",
    "agglomeration",
    "annualize",
    "atkinson",
    "check_scenario",
    "chisq_sf",
    "concentration_index",
    "cox",
    "cumulative_incidence",
    "cumulative_incidence_counts",
    "cv",
    "debug_build",
    "density",
    "discount_factors",
    "discounted",
    "dist_quantiles",
    "equity_between",
    "equity_from_sums",
    "equity_table",
    "equity_unit_terms",
    "fine_gray",
    "forecast",
    "frontier",
    "generalized_entropy",
    "gini",
    "gray_test",
    "grouped_partials",
    "grouped_sums",
    "kaplan_meier",
    "kaplan_meier_unweighted",
    "keyed_sums",
    "km_at",
    "km_band_rates",
    "km_quantile",
    "km_rmst",
    "life_table",
    "logrank",
    "logrank_counts",
    "lorenz",
    "nelson_aalen",
    "nelson_aalen_unweighted",
    "p_best",
    "param_draws",
    "parametric_fit",
    "person_time",
    "person_time_counts",
    "poisson_rate",
    "polarization",
    "prcc",
    "quota_gap",
    "rate_ratio",
    "ratio",
    "shortfall",
    "simulate",
    "simulate_parts",
    "split_episodes",
    "step_at",
    "string_codes",
    "summary",
    "survival_band_rates",
    "synthetic_register",
    "theil",
    "transition_counts",
    "transitions_from_counts",
    "values_within",
    "wisn",
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

GRAY_MAX_GROUPS: int

def poisson_rate(
    count: _F,
    exposure: _F,
    *,
    per: float,
    level: float,
    count_name: str = "count",
    exposure_name: str = "exposure",
    alternative: str = "two-sided",
) -> tuple[_F, _F, _F]: ...
def rate_ratio(
    events1: _F,
    exposure1: _F,
    events2: _F,
    exposure2: _F,
    *,
    null_ratio: float,
    level: float,
    alternative: str,
) -> tuple[_F, _F, _F, _F, _F]: ...
def density(
    staff: _F, population: _F, area: _F | None = None, *, per: float, level: float
) -> tuple[_F, _F, _F, _F | None, _F | None]: ...
def shortfall(staff: _F, required: _F) -> tuple[_F, _F, _F]: ...
def quota_gap(staff: _F, quota: _F) -> tuple[_F, _F]: ...
def grouped_sums(
    codes: Sequence[npt.NDArray[np.uint32]],
    cardinalities: Sequence[int],
    values: Sequence[_F],
    rows: int,
) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64], list[_F]]: ...
def grouped_partials(
    codes: Sequence[npt.NDArray[np.uint32]],
    cardinalities: Sequence[int],
    values: Sequence[_F],
    rows: int,
) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64], list[_F]]: ...

_Keyed = tuple[
    npt.NDArray[np.uint64],
    npt.NDArray[np.uint64],
    list[_F],
    list[list[str | None] | npt.NDArray[np.uint32]],
]

def keyed_sums(
    keys: Sequence[object],
    values: Sequence[_F],
    rows: int,
    *,
    partial: bool = False,
) -> _Keyed | None: ...

@final
class KeyedSumsState:
    def __new__(cls, keys: int, columns: int) -> KeyedSumsState: ...
    def add(
        self, keys: Sequence[object], values: Sequence[_F], rows: int, *, parallel: bool = False
    ) -> bool: ...
    @property
    def rows(self) -> int: ...
    def finish(self, *, partial: bool = False) -> _Keyed | None: ...

def values_within(values: _F, minimum: str) -> bool: ...
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
    units: bool = True,
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
    progress_after: float | None = None,
    column: str = "values",
) -> dict[str, Any]: ...
def equity_unit_terms(
    staff: _F, weights: _F, mean: _F, sub_mean: _F, *, term: str, epsilon: float = 0.0
) -> _F: ...
def equity_from_sums(sums: _F, weights: _F, *, term: str, epsilon: float = 0.0) -> _F: ...
def equity_between(weight_g: _F, mean_g: _F, weight: _F, mean: _F) -> tuple[_F, _F]: ...

_I32 = npt.NDArray[np.int32]
_B = npt.NDArray[np.bool_]

def kaplan_meier(
    time: _F,
    event: _U,
    entry: _F | None,
    weights: _F | None,
    group: _U,
    n_groups: int,
    *,
    conf_type: str,
    level: float,
) -> dict[str, Any]: ...
def kaplan_meier_unweighted(
    time: _Durations,
    event: _Events,
    group: _U,
    n_groups: int,
    *,
    names: tuple[str, str],
    conf_type: str,
    level: float,
) -> dict[str, Any] | None: ...

# A table of Kaplan-Meier curves: time, at_risk, events, survival, std_err, lower, upper.
_KmTable = tuple[_F, _F, _F, _F, _F, _F, _F]

def km_quantile(curves: _KmTable, group: _U, n_groups: int, p: float) -> dict[str, _F]: ...
def km_rmst(curves: _KmTable, group: _U, n_groups: int, tau: float) -> tuple[_F, _F]: ...
def km_at(curves: _KmTable, group: _U, n_groups: int, times: _F) -> dict[str, _F]: ...
def km_band_rates(
    curves: _KmTable, group: _U, n_groups: int, cuts: _F, *, per_year: float
) -> _F: ...
def survival_band_rates(
    time: _F, survival: _F, group: _U, n_groups: int, cuts: _F, *, per_year: float
) -> _F: ...
def step_at(time: _F, value: _F, curve: _U, n_curves: int, times: _F, *, before: float) -> _F: ...
def nelson_aalen(
    time: _F,
    event: _U,
    entry: _F | None,
    weights: _F | None,
    group: _U,
    n_groups: int,
    *,
    ties: str,
) -> dict[str, Any]: ...
def nelson_aalen_unweighted(
    time: _Durations,
    event: _Events,
    group: _U,
    n_groups: int,
    *,
    names: tuple[str, str],
    ties: str,
) -> dict[str, Any] | None: ...
def logrank(
    time: _Durations,
    event: _Events,
    group: _U,
    n_groups: int,
    strata: _U | None,
    n_strata: int,
    *,
    weighting: str = "logrank",
    p: float | None = None,
    q: float | None = None,
) -> dict[str, Any]: ...
def split_episodes(
    time: _F,
    event: _U,
    entry: _F | None,
    cuts: _F,
    row_id: _U | None,
    change_id: _U | None,
    change_time: _F | None,
    n_ids: int,
    *,
    row_bytes: int,
    max_memory: int,
) -> dict[str, Any]: ...
def cumulative_incidence(
    time: _F, cause: _U, group: _U, n_groups: int, n_causes: int, *, level: float
) -> dict[str, Any]: ...
def cumulative_incidence_counts(
    cell: _U,
    n_groups: int,
    n_causes: int,
    time: _F,
    count: npt.NDArray[np.uint64],
    *,
    level: float,
) -> dict[str, Any]: ...
def cox(
    time: _F,
    event: _U,
    x: npt.NDArray[np.float64],
    names: list[str],
    entry: _F | None,
    strata: _U | None,
    weights: _F | None,
    *,
    ties: str,
    robust: bool = False,
    max_iter: int = 30,
    offset: _F | None = None,
    cluster: _U | None = None,
) -> tuple[dict[str, Any], CoxModel]: ...

# The data a Cox model was fitted to: time, event, x, entry, strata, weights, offset.
_CoxData = tuple[_F, _U, npt.NDArray[np.float64], _F | None, _U | None, _F | None, _F | None]

@final
class CoxModel:
    def predict(
        self,
        x_new: npt.NDArray[np.float64],
        strata: _U,
        offset: _F | None,
        times: _F,
        *,
        level: float,
    ) -> dict[str, Any]: ...
    def residuals(self, data: _CoxData, *, kind: str) -> dict[str, Any]: ...
    def zph(self, data: _CoxData, assign: list[int], *, transform: str) -> dict[str, Any]: ...

def chisq_sf(x: float, df: float) -> float: ...
def fine_gray(
    time: _F,
    status: _U,
    x: npt.NDArray[np.float64],
    names: list[str],
    *,
    max_iter: int,
    tol: float,
) -> tuple[dict[str, Any], FineGrayModel]: ...

@final
class FineGrayModel:
    def predict(
        self, x_new: npt.NDArray[np.float64], times: _F | None = None
    ) -> npt.NDArray[np.float64]: ...

def life_table(
    time: _F, event: _U, weights: _F | None, group: _U, n_groups: int, *, width: float
) -> dict[str, Any]: ...
def parametric_fit(
    time: _F,
    event: _U,
    x: npt.NDArray[np.float64],
    names: list[str],
    entry: _F | None,
    weights: _F | None,
    *,
    dist: str,
    max_iter: int = 50,
) -> tuple[dict[str, Any], ParametricModel]: ...

@final
class ParametricModel:
    def predict(
        self, x_new: npt.NDArray[np.float64], at: _F, *, kind: str, level: float
    ) -> dict[str, Any]: ...
    def band_rates(
        self, x_new: npt.NDArray[np.float64], edges: _F, *, per: float, level: float
    ) -> dict[str, Any]: ...

def person_time(
    entry: _I32,
    exit: _I32,
    exit_known: _B,
    reason: _U,
    n_reasons: int,
    group: _U,
    n_groups: int,
    *,
    period: str,
    start: int,
    end: int,
) -> dict[str, Any]: ...
def logrank_counts(
    cell: _U,
    n_groups: int,
    n_strata: int,
    time: _F,
    exit: _B,
    count: npt.NDArray[np.uint64],
    *,
    weighting: str = "logrank",
    p: float | None = None,
    q: float | None = None,
) -> dict[str, Any]: ...
def person_time_counts(
    entry: _I32,
    exit: _I32,
    exit_known: _B,
    reason: _U,
    n_reasons: int,
    group: _U,
    n_groups: int,
    *,
    period: str,
    start: int,
    end: int,
) -> dict[str, Any]: ...
def annualize(proportion: _F, years: _F) -> _F: ...
def gray_test(
    time: _F, status: _U, group: _U, n_groups: int, cause: int, *, rho: float = 0.0
) -> tuple[float, int, float]: ...
def wisn(
    available_time: _F,
    service_group: _U,
    workload: _F,
    unit_time: _F,
    existing: _F,
    n_groups: int,
    *,
    support_group: _U,
    support_value: _F,
    support_per: npt.NDArray[np.uint8],
    additional_group: _U,
    additional_hours: _F,
    additional_staff: _F,
    hours_per_day: float,
    days_per_week: float,
    low: _F | None = None,
    high: _F | None = None,
    draws: int = 0,
    level: float = 0.95,
    seed: int = 0,
) -> dict[str, Any]: ...
def check_scenario(json: str, *, stock: list[Any] | None = None) -> dict[str, Any]: ...
def simulate(
    json: str,
    *,
    stock: list[Any] | None = None,
    draws: int,
    seed: int,
    policies: list[str],
    quantiles: object,
    keep_draws: bool,
    flows: object,
    density: bool = False,
    max_memory: int = ...,
    max_work: int = ...,
    horizon_value: bool = False,
    progress_after: float | None = None,
    draws_from: list[list[list[_F]]] | None = None,
) -> dict[str, Any]: ...
def simulate_parts(
    json: str,
    *,
    stock: list[Any] | None = None,
    draws: int,
    seed: int,
    policies: list[str],
    quantiles: object,
    keep_draws: bool,
    flows: object,
    density: bool = False,
    max_memory: int = ...,
    max_work: int = ...,
    horizon_value: bool = False,
    pieces: list[tuple[int, int, int, int]] = ...,
) -> dict[str, Any]: ...
def transition_counts(
    id: _U, time: npt.NDArray[np.int64], state: _U, k: int
) -> tuple[npt.NDArray[np.uint64], int]: ...
def transitions_from_counts(
    counts: npt.NDArray[np.uint64], k: int, gaps: int, *, level: float
) -> dict[str, Any]: ...
def param_draws(
    json: str, *, stock: list[Any] | None = None, seed: int, draws: int
) -> tuple[list[str], _F]: ...
def dist_quantiles(dist: str, p: list[float]) -> tuple[float, list[float]]: ...
def discount_factors(years: list[int], rate: float, base_year: int, timing: str) -> _F: ...
def discounted(x: _F, factors: _F) -> _F: ...
def summary(x: _F) -> tuple[float, list[float]]: ...
def ratio(dc: _F, de: _F) -> dict[str, Any]: ...
def acceptability(dc: _F, de: _F, wtp: _F) -> _F: ...
def p_best(cost: list[_F], effect: list[_F], wtp: _F) -> _F: ...
def frontier(cost: list[float], effect: list[float]) -> list[tuple[str, float]]: ...
def prcc(x: _F, p: int, y: _F) -> _F: ...
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
    search: str,
    breaks: list[float] = ...,
    slope_breaks: list[float] = ...,
    conf_level: float = 0.95,
    progress_after: float | None = None,
) -> dict[str, Any]: ...
def string_codes(column: object) -> tuple[_U, list[str | None]] | None: ...
