"""No Python loop over groups or rows calls the core: the curves' and models' methods
make as many ``hrh._core`` calls for 1,000 groups (or rows) as for 10.

Every public function of ``hrh._core`` is wrapped with a counter (and the methods of the
fitted models the core holds, through a proxy); the counts are compared, never the time
taken.
"""

from __future__ import annotations

import collections
import dataclasses
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import polars as pl
import pytest

import hrh
from hrh import _core

Calls = collections.Counter[str]


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[Calls]:
    counter: Calls = collections.Counter()
    for name in dir(_core):
        f = getattr(_core, name)
        if name.startswith("_") or isinstance(f, type) or not callable(f):
            continue

        def counted(*args: Any, _f: Callable[..., Any] = f, _name: str = name, **kw: Any) -> Any:
            counter[_name] += 1
            return _f(*args, **kw)

        monkeypatch.setattr(_core, name, counted)
    yield counter


class _CountedModel:
    """A fitted model held by the core (``_core.CoxModel``, ``_core.FineGrayModel``)
    whose method calls are counted as core calls."""

    def __init__(self, model: Any, counter: Calls) -> None:
        self._model, self._counter = model, counter

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._model, name)

        def counted(*args: Any, **kw: Any) -> Any:
            self._counter[f"{type(self._model).__name__}.{name}"] += 1
            return method(*args, **kw)

        return counted


def _register(groups: int, seed: int = 1) -> pl.DataFrame:
    """Six spells in each of `groups` groups, with exits of two causes."""
    rng = np.random.default_rng(seed)
    n = 6 * groups
    cause = rng.choice(np.array(["quit", "retired", None], dtype=object), size=n)
    return pl.DataFrame(
        {
            "g": np.repeat([f"g{k:04d}" for k in range(groups)], 6),
            "t": rng.integers(1, 10, size=n).astype(np.float64),
            "left": (cause != None).astype(np.int64),  # noqa: E711 (elementwise)
            "why": pl.Series(cause.tolist(), dtype=pl.String),
            "x": rng.normal(size=n),
        }
    )


def _counts(groups: int, calls: Calls) -> dict[str, Calls]:
    """The core calls each method makes on data of `groups` groups."""
    reg = _register(groups)
    km = hrh.kaplan_meier(reg, duration="t", event="left", by="g")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Gray's test left out past 200 groups
        ci = hrh.cumulative_incidence(reg, duration="t", cause="why", by="g")
    model = hrh.cox(reg, duration="t", event="left", covariates=["x"])
    model = dataclasses.replace(model, _model=_CountedModel(model._model, calls))
    fg = hrh.fine_gray(reg, duration="t", cause="why", cause_of_interest="quit", covariates=["x"])
    fg = dataclasses.replace(fg, _model=_CountedModel(fg._model, calls))
    aft = hrh.parametric(reg, duration="t", event="left", covariates=["x"], dist="weibull")
    aft = dataclasses.replace(aft, _model=_CountedModel(aft._model, calls))
    new_rows = pl.DataFrame({"x": np.linspace(-1, 1, groups)})
    curve = km.at([1.0, 4.0, 8.0])
    out: dict[str, Calls] = {}
    methods: dict[str, Callable[[], Any]] = {
        "KaplanMeier.quantile": lambda: km.quantile(0.75),
        "KaplanMeier.median": km.median,
        "KaplanMeier.summary": lambda: km.summary,
        "KaplanMeier.rmst": lambda: km.rmst(5.0),
        "KaplanMeier.at": lambda: km.at([0.5, 3.0, 9.0]),
        "CumulativeIncidence.at": lambda: ci.at([2.0, 6.0]),
        "attrition_rates(KaplanMeier)": lambda: hrh.attrition_rates(km, bands=[0, 3, 9]),
        "attrition_rates(table)": lambda: hrh.attrition_rates(curve, bands=[0, 3, 9], by="g"),
        "CoxResult.predict_survival": lambda: model.predict_survival(new_rows, [2.0, 5.0]),
        "FineGrayResult.predict": lambda: fg.predict(new_rows, times=[2.0, 5.0]).table,
        "ParametricResult.predict_survival": lambda: aft.predict_survival(new_rows, times=[2.0]),
        "ParametricResult.attrition_rates": lambda: aft.attrition_rates(
            [0, 2, 5], new_data=new_rows
        ),
    }
    for name, method in methods.items():
        calls.clear()
        result = method()
        assert isinstance(result, pl.DataFrame) and result.height > 0
        out[name] = collections.Counter(calls)
    return out


def test_core_calls_do_not_grow_with_the_groups(calls: Calls) -> None:
    few, many = _counts(10, calls), _counts(1000, calls)
    for name in few:
        assert many[name] == few[name], (name, few[name], many[name])
        # Each method asks the core, in at most a handful of calls.
        assert 1 <= sum(many[name].values()) <= 3, (name, many[name])


def test_one_core_call_answers_every_group(calls: Calls) -> None:
    reg = _register(1000)
    km = hrh.kaplan_meier(reg, duration="t", event="left", by="g")
    calls.clear()
    q = km.quantile(0.5)
    assert calls == {"km_quantile": 1}
    assert q.height == 1000 and q["g"].to_list() == sorted(q["g"].to_list())
    # Each group's median equals that of its curve fitted alone.
    for k in (0, 499, 999):
        alone = hrh.kaplan_meier(
            reg.filter(pl.col("g") == f"g{k:04d}"), duration="t", event="left"
        ).median()
        assert q.row(k, named=True)["time"] == alone["time"].item()
