"""The result contract (docs/architecture.md, "Result contract"), checked over hrh.__all__.

Every public class is an immutable result object with ``to_polars()`` and ``_repr_html_``;
every table a public function returns (directly or on a result object) names intervals
``lower`` / ``upper`` beside its estimate (``{estimate}_lower`` / ``{estimate}_upper``
when several estimates carry intervals, ``lower_80`` / ``upper_95`` for several levels,
``{estimate}_lower_90`` / ``{estimate}_upper_50`` for several estimates at several
levels),
standard errors ``std_err``, p-values ``p_value``, and holds null, never NaN, where a
value is undefined; every function that groups takes ``by=``.

Each public function is called on a small example below; a new public function without
an example fails :func:`test_every_public_function_has_an_example`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import importlib.util
import inspect
import re
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import polars as pl
import pytest

import hrh

EXCEPTIONS = {"HrhError", "InputError", "ConvergenceError", "ScenarioError"}

REGISTER = hrh.datasets.synthetic_register()
SURV = {
    "t": [5.0, 8, 2, 9, 4, 7, 3, 6, 1, 10, 2.5, 6.5],
    "left": [1, 0, 1, 1, 1, 0, 1, 1, 1, 0, 1, 0],
    "why": [
        "quit",
        None,
        "retired",
        "quit",
        "quit",
        None,
        "retired",
        "quit",
        "quit",
        None,
        "retired",
        None,
    ],
    "rural": [1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 1, 0],
    "g": ["a", "b"] * 6,
}
UNITS = {
    "year": [1, 1, 1, 2, 2, 2],
    "unit": ["a", "b", "c", "a", "b", "c"],
    "staff": [10, 20, 60, 10, 20, 30],
    "quota": [15, 20, 50, 15, 25, 30],
    "population": [1000, 1500, 1000, 1000, 1200, 1000],
    "area": [10.0, 30, 20, 10, 30, 20],
}
DOC: dict[str, Any] = {
    "start_year": 2024,
    "horizon": 3,
    "regions": ["A", "B"],
    "cadres": [
        {
            "name": "nurse",
            "retirement_age": 60,
            "salary": 10,
            "attrition": {"rate": {"dist": "beta", "a": 5, "b": 95}},
            "entrants": {
                "per_year": {"dist": "uniform", "low": 1, "high": 20},
                "age": {"mean": 25},
            },
            "demand": {"method": "quota", "quota": {"A": 150, "B": 150}},
        }
    ],
    "stock": [
        {"region": "A", "cadre": "nurse", "age": 30, "count": 200},
        {"region": "B", "cadre": "nurse", "age": 30, "count": 100},
    ],
    "policies": [
        {"name": "more", "extra_entrants": [{"cadre": "nurse", "region": "B", "value": 20}]}
    ],
}


def _projection() -> hrh.Projection:
    return hrh.simulate(DOC, draws=50, seed=1)


def _km() -> hrh.KaplanMeier:
    return hrh.kaplan_meier(SURV, duration="t", event="left", by="g")


def _quiet(f: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """`f` without its warning about bootstrap intervals on few units."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "bootstrap intervals on few units", UserWarning)
        return f(*args, **kwargs)


def _series() -> dict[str, list[Any]]:
    return {
        "year": list(range(2010, 2020)) * 2,
        "value": [
            2.0,
            2.1,
            2.3,
            2.4,
            2.6,
            2.7,
            2.9,
            3.0,
            3.2,
            3.3,
            4.8,
            4.9,
            4.9,
            5.0,
            5.1,
            5.1,
            5.3,
            5.4,
            5.4,
            5.5,
        ],
        "region": ["x"] * 10 + ["y"] * 10,
    }


# name -> a call on a small example. Scalars and free-form dicts return non-tables and
# are checked only for the grouping rule.
EXAMPLES: dict[str, Callable[[], Any]] = {
    "agglomeration": lambda: hrh.agglomeration(
        UNITS, staff="staff", population="population", area="area", by="year"
    ),
    "annualize": lambda: hrh.annualize([0.1], [2.0]),
    "atkinson": lambda: hrh.atkinson([1.0, 2, 3], epsilon=0.5),
    "attrition_rates": lambda: hrh.attrition_rates(_km(), bands=[0, 2, 6], by="g"),
    "available_working_time": lambda: hrh.available_working_time(working_days=260, hours_per_day=8),
    "backtest": lambda: hrh.backtest(
        _series(), time="year", value="value", by="region", models=["linear", "gm11"]
    ),
    "check_scenario": lambda: hrh.check_scenario(hrh.load_scenario(DOC)),
    "compare": lambda: hrh.compare(
        [_projection(), hrh.simulate(DOC, policy="more", draws=50, seed=1)]
    ),
    "concentration_index": lambda: hrh.concentration_index([1.0, 2, 3], [1.0, 2, 3]),
    "cox": lambda: hrh.cox(SURV, duration="t", event="left", covariates=["rural"]),
    "cumulative_incidence": lambda: hrh.cumulative_incidence(
        SURV, duration="t", cause="why", by="g"
    ),
    "cv": lambda: hrh.cv([1.0, 2, 3]),
    "density": lambda: hrh.density(UNITS, staff="staff", population="population", by="unit"),
    "equity": lambda: _quiet(
        hrh.equity,
        UNITS,
        staff="staff",
        population="population",
        by="year",
        bootstrap=20,
        seed=1,
    ),
    "fine_gray": lambda: hrh.fine_gray(
        SURV, duration="t", cause="why", cause_of_interest="quit", covariates=["rural"]
    ),
    "generalized_entropy": lambda: hrh.generalized_entropy([1.0, 2, 3], alpha=2),
    "gini": lambda: hrh.gini([1.0, 2, 3]),
    "kaplan_meier": _km,
    "life_table": lambda: hrh.life_table(SURV, duration="t", event="left", width=2),
    "load_scenario": lambda: hrh.load_scenario(DOC),
    "logrank": lambda: hrh.logrank(SURV, duration="t", event="left", group="g"),
    "lorenz": lambda: hrh.lorenz([1.0, 2, 3]),
    "nelson_aalen": lambda: hrh.nelson_aalen(SURV, duration="t", event="left", by="g"),
    "parametric": lambda: hrh.parametric(SURV, duration="t", event="left", covariates=["rural"]),
    "person_time": lambda: hrh.person_time(
        REGISTER,
        entry="hire_date",
        exit="exit_date",
        by="cadre",
        start="2015-01-01",
        end="2020-01-01",
    ),
    "poisson_ci": lambda: hrh.poisson_ci([0, 10], [100, 200]),
    "polarization": lambda: hrh.polarization([1.0, 2, 3, 4], method="wolfson"),
    "quota_gap": lambda: hrh.quota_gap(UNITS, staff="staff", quota="quota", by="year"),
    "rate": lambda: hrh.rate([0, 10], [100, 200]),
    "rate_ratio": lambda: hrh.rate_ratio([11, 30], [360, 1000], [4, 15], [120, 1000]),
    "sensitivity": lambda: hrh.sensitivity(_projection()),
    "shortfall": lambda: hrh.shortfall(
        UNITS, staff="staff", population="population", norm=10, by="year"
    ),
    "simulate": _projection,
    "split_episodes": lambda: hrh.split_episodes(SURV, duration="t", event="left", cut=[3, 6]),
    "stock_table": lambda: hrh.stock_table(
        REGISTER, at=dt.date(2015, 12, 31), cadre="cadre", region="district"
    ),
    "theil": lambda: hrh.theil([1.0, 2, 3, 4], groups=["a", "a", "b", "b"]),
    "transitions": lambda: hrh.transitions(
        {
            "id": [1, 1, 1, 2, 2],
            "year": [2020, 2021, 2022, 2020, 2021],
            "grade": ["I", "I", "II", "I", "I"],
        },
        id="id",
        time="year",
        state="grade",
    ),
    "trend": lambda: hrh.trend(
        _series(), time="year", value="value", by="region", model="gm11", horizon=2
    ),
    "trend_arima": lambda: hrh.trend(
        _series(), time="year", value="value", by="region", model="arima", horizon=2
    ),
    "trend_one_level": lambda: hrh.trend(
        _series(), time="year", value="value", by="region", horizon=2, level=0.9
    ),
    "wisn": lambda: hrh.wisn(
        {"activity": ["visit", "delivery"], "workload": [6000, 400], "unit_time": [1 / 3, 3]},
        available_time=1760,
        existing=3,
        draws=50,
        seed=1,
    ),
    "wisn_uncertain_unit_times": lambda: hrh.wisn(
        {
            "activity": ["visit", "delivery"],
            "workload": [6000, 400],
            "unit_time": [1 / 3, 3],
            "unit_time_low": [0.25, 2],
            "unit_time_high": [0.5, 4],
        },
        available_time=1760,
        existing=3,
        draws=50,
        seed=1,
    ),
}

# Functions whose argument names a grouping of the input; each must accept by=.
GROUPING = {
    "agglomeration",
    "attrition_rates",
    "backtest",
    "cumulative_incidence",
    "density",
    "equity",
    "kaplan_meier",
    "life_table",
    "nelson_aalen",
    "person_time",
    "quota_gap",
    "shortfall",
    "trend",
    "wisn",
}

# Known departures, listed in CHANGELOG.md as not yet done. Strict: when one is fixed the
# test passes unexpectedly and fails, so the entry must be removed here.
PENDING_BY: dict[str, str] = {}
PENDING_INTERVALS: dict[str, str] = {}


def _with_pending(names: list[str], pending: dict[str, str]) -> list[Any]:
    return [
        pytest.param(n, marks=pytest.mark.xfail(strict=True, reason=pending[n]))
        if n in pending
        else n
        for n in names
    ]


# Input columns a result echoes under the user's names (WISN's uncertain unit times).
USER_COLUMNS = ("unit_time_low", "unit_time_high")

INTERVAL = re.compile(r"(lower|upper|low|high|_p\d+$|^p\d+_)")
LEVELLED = re.compile(r"^(lower|upper)_\d+$")
# Several estimates, each with intervals at several levels: supply_lower_90, ...
LEVELLED_OF = re.compile(r"^(.+)_(lower|upper)_(\d+)$")


def _public(kind: Callable[[Any], bool]) -> list[str]:
    return [n for n in hrh.__all__ if kind(getattr(hrh, n))]


def _tables(value: Any) -> Iterator[tuple[str, pl.DataFrame]]:
    """Every polars table a result carries: itself, ``to_polars()`` and its table fields."""
    if isinstance(value, pl.DataFrame):
        yield "table", value
        return
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        if hasattr(value, "to_polars"):
            yield "to_polars()", value.to_polars()
        for f in dataclasses.fields(value):
            if f.name.startswith("_"):
                continue
            v = getattr(value, f.name)
            if isinstance(v, pl.DataFrame):
                yield f.name, v


@functools.cache
def _result(name: str) -> Any:
    return EXAMPLES[name]()


def _tables_of(name: str) -> list[tuple[str, pl.DataFrame]]:
    return list(_tables(_result(name)))


def test_every_public_function_has_an_example() -> None:
    missing = set(_public(inspect.isfunction)) - set(EXAMPLES)
    assert not missing, f"add an example to EXAMPLES for {sorted(missing)}"


@pytest.mark.parametrize(
    "name",
    [n for n in _public(inspect.isclass) if n not in EXCEPTIONS],
)
def test_public_classes_are_frozen_result_objects(name: str) -> None:
    cls = getattr(hrh, name)
    assert dataclasses.is_dataclass(cls), name
    assert cls.__dataclass_params__.frozen, f"{name} is not frozen"  # type: ignore[attr-defined]
    assert callable(getattr(cls, "to_polars", None)), f"{name} has no to_polars()"
    assert callable(getattr(cls, "_repr_html_", None)), f"{name} has no _repr_html_"


def test_result_objects_render() -> None:
    classes = {getattr(hrh, n) for n in _public(inspect.isclass) if n not in EXCEPTIONS}
    covered = set()
    for name in EXAMPLES:
        result = _result(name)
        if type(result) in classes:
            covered.add(type(result))
            assert isinstance(result.to_polars(), pl.DataFrame)
            assert "<" in result._repr_html_()
            with pytest.raises(dataclasses.FrozenInstanceError):
                setattr(result, dataclasses.fields(result)[0].name, None)
    # the classes the examples return (the rest come from methods)
    assert covered


@pytest.mark.parametrize("name", _with_pending(sorted(GROUPING), PENDING_BY))
def test_grouping_functions_take_by(name: str) -> None:
    params = inspect.signature(getattr(hrh, name)).parameters
    assert "by" in params, f"hrh.{name} groups but has no by="
    assert not {"within", "group_by", "groups_by"} & set(params)


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_standard_error_and_p_value_names(name: str) -> None:
    for where, table in _tables_of(name):
        _standard_error_and_p_value_names(table, f"{name}.{where}")


def _standard_error_and_p_value_names(table: pl.DataFrame, where: str) -> None:
    assert "se" not in table.columns, f"{where}: standard errors are std_err"
    # ARIMA's orders p, d, q keep R's names; any other p is a p-value
    arima_orders = {"p", "d", "q"} <= set(table.columns)
    assert "p" not in table.columns or arima_orders, f"{where}: p-values are p_value"
    se = [c for c in table.columns if c.endswith("_se")]
    assert not se, f"{where}: standard errors are std_err"


@pytest.mark.parametrize("name", _with_pending(sorted(EXAMPLES), PENDING_INTERVALS))
def test_interval_names(name: str) -> None:
    for where, table in _tables_of(name):
        _interval_names(table, f"{name}.{where}")


def _interval_names(table: pl.DataFrame, where: str) -> None:
    cols = table.columns
    intervals = [
        c for c in cols if INTERVAL.search(c) and c not in ("lower", "upper", *USER_COLUMNS)
    ]
    prefixed = {c.rsplit("_", 1)[0] for c in intervals if c.endswith(("_lower", "_upper"))}
    for c in intervals:
        if LEVELLED.match(c):
            levels = {x.split("_")[1] for x in cols if LEVELLED.match(x)}
            assert len(levels) > 1, f"{where}.{c}: one level is lower/upper"
            continue
        if (m := LEVELLED_OF.match(c)) and not LEVELLED.match(c):
            est, side, level = m.groups()
            assert est in cols, f"{where}.{c}: no estimate column {est!r} beside it"
            other = f"{est}_{'upper' if side == 'lower' else 'lower'}_{level}"
            assert other in cols, f"{where}.{c}: no {other!r} beside it"
            levels = {x.rsplit("_", 1)[1] for x in cols if x.startswith(f"{est}_lower_")}
            assert len(levels) > 1, f"{where}.{c}: one level is {est}_lower/{est}_upper"
            continue
        if c.endswith(("_lower", "_upper")):
            est = c.rsplit("_", 1)[0]
            assert est in cols, f"{where}.{c}: no estimate column {est!r} beside it"
            assert len(prefixed) > 1, f"{where}.{c}: one estimate's interval is lower/upper"
            continue
        pytest.fail(f"{where}: column {c!r} does not follow the interval naming rule")
    if "lower" in cols or "upper" in cols:
        assert "lower" in cols and "upper" in cols
        assert not prefixed, f"{where}: {sorted(prefixed)} beside plain lower/upper"


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_no_nan_for_undefined(name: str) -> None:
    for where, table in _tables_of(name):
        _no_nan_for_undefined(table, f"{name}.{where}")


def _no_nan_for_undefined(table: pl.DataFrame, where: str) -> None:
    floats = [c for c, t in table.schema.items() if t in (pl.Float32, pl.Float64)]
    nan = [c for c in floats if table[c].is_nan().any()]
    assert not nan, f"{where}: NaN in {nan}; undefined values are null"


def test_a_forecast_without_an_interval_has_null_bounds() -> None:
    # GM(1,1) gives no prediction interval: its bounds are undefined, so null
    f = _result("trend")
    assert f.forecast["lower_95"].null_count() == f.forecast.height


def test_rate_and_poisson_ci_are_one_function() -> None:
    """One rate-and-interval computation: same arguments, defaults and columns."""
    a, b = inspect.signature(hrh.rate), inspect.signature(hrh.poisson_ci)
    assert [(p.name, p.kind, p.default) for p in a.parameters.values()] == [
        (p.name, p.kind, p.default) for p in b.parameters.values()
    ]
    assert hrh.rate([0, 3], [10, 20]).equals(hrh.poisson_ci([0, 3], [10, 20]))


@pytest.mark.parametrize("name", sorted(hrh.__all__))
def test_no_public_function_shadows_a_module(name: str) -> None:
    """`hrh.density` is the function: no module `hrh.density` hides behind it (or behind
    any other public function or class), so `import hrh.x` and `hrh.x` never disagree."""
    obj = getattr(hrh, name)
    if inspect.ismodule(obj):
        return
    assert importlib.util.find_spec(f"hrh.{name}") is None, f"hrh.{name} is also a module"


def test_keyword_errors_name_arguments() -> None:
    with pytest.raises(hrh.InputError, match=r"argument 'draws'"):
        hrh.simulate(DOC, draws=-5)
    with pytest.raises(hrh.InputError, match=r"argument 'per'"):
        hrh.rate(1, 1, per=-1)


PLOT_ARGS: dict[str, dict[str, Any]] = {"parametric": {"new_data": {"rural": [0, 1]}}}


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_plot_returns_axes(name: str) -> None:
    result = _result(name)
    # (polars' own DataFrame.plot needs altair: only result objects are asked)
    plot = getattr(result, "plot", None) if dataclasses.is_dataclass(result) else None
    if not callable(plot):
        pytest.skip(f"{name} returns no result object with .plot()")
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.axes import Axes

    ax = plot(**PLOT_ARGS.get(name, {}))
    assert isinstance(ax, Axes), f"{name}.plot() returned {type(ax).__name__}"
    plt.close("all")
