"""Every result's ``.plot()`` keeps one contract: it returns the matplotlib Axes it drew
on, draws on the Axes passed as ``ax=`` (no new figure), and otherwise opens exactly one
figure, so that a notebook shows each chart once."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import polars as pl
import pytest

import hrh

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

_DOC = {
    "start_year": 2024,
    "horizon": 3,
    "regions": ["A"],
    "cadres": [
        {
            "name": "nurse",
            "retirement_age": 60,
            "salary": 10,
            "attrition": {"rate": {"dist": "beta", "a": 10, "b": 90}},
            "entrants": {"per_year": {"dist": "uniform", "low": 1, "high": 4}, "age": {"mean": 25}},
            "demand": {"method": "quota", "quota": 120},
        }
    ],
    "stock": [{"region": "A", "cadre": "nurse", "age": 30, "count": 100}],
    "policies": [{"name": "hire", "extra_entrants": [{"cadre": "nurse", "value": 5}]}],
}


def _forecast() -> Any:
    d = pl.DataFrame(
        {
            "country": ["a"] * 6 + ["b"] * 6,
            "year": list(range(2000, 2006)) * 2,
            "density": [1.0, 1.2, 1.3, 1.5, 1.6, 1.8, 3.0, 2.9, 2.7, 2.8, 2.6, 2.5],
        }
    )
    return hrh.trend(d, time="year", value="density", by="country", model="holt", horizon=3)


def _runs() -> list[Any]:
    return [hrh.simulate(_DOC, policy=p, draws=40, seed=1) for p in (None, "hire")]


_STAFF = {"t": [1, 2, 3, 4, 5, 6], "e": [1, 0, 1, 1, 0, 1], "g": ["x", "x", "x", "y", "y", "y"]}
_COX = {
    "t": [5, 8, 2, 9, 4, 7, 3, 6, 10, 1],
    "e": [1, 0, 1, 1, 1, 0, 1, 1, 0, 1],
    "x": [0.3, 1.2, 0.5, 0.1, 0.9, 0.4, 1.5, 0.7, 0.2, 1.1],
    "g": ["a", "b", "a", "b", "b", "a", "a", "b", "a", "b"],
}
_CAUSES = {"t": [1, 2, 3, 4, 5], "c": ["quit", "retired", None, "quit", None]}

# One producer per result class with a plot method, and the calls to check.
RESULTS: dict[str, tuple[Callable[[], Any], list[dict[str, Any]]]] = {
    "KaplanMeier": (
        lambda: hrh.kaplan_meier(_STAFF, duration="t", event="e", by="g"),
        [{}, {"ci": False}],
    ),
    "CoxZph": (
        lambda: hrh.cox(_COX, duration="t", event="e", covariates=["x", "g"]).zph(),
        [{}, {"covariate": "g"}],
    ),
    "CumulativeIncidence": (
        lambda: hrh.cumulative_incidence(_CAUSES, duration="t", cause="c"),
        [{}],
    ),
    "FineGrayPrediction": (
        lambda: hrh.fine_gray(
            {**_CAUSES, "x": [0.1, 0.5, 0.2, 0.9, 0.3]},
            duration="t",
            cause="c",
            cause_of_interest="quit",
            covariates=["x"],
        ).predict({"x": [0.0, 1.0]}),
        [{}],
    ),
    "Forecast": (_forecast, [{}, {"groups": ["b"]}, {"max_series": 1}]),
    "Projection": (lambda: _runs()[0], [{}, {"region": "A", "cadre": "nurse"}]),
    "Comparison": (
        lambda: hrh.compare(_runs()),
        [{"kind": "plane"}, {"kind": "acceptability"}],
    ),
    "Sensitivity": (
        lambda: hrh.sensitivity(_runs()[0]),
        [{}, {"top": 2}],
    ),
    "ParametricResult": (
        lambda: hrh.parametric(_STAFF, duration="t", event="e", covariates=["g"]),
        [{"new_data": {"g": ["x", "y"]}}, {"new_data": {"g": ["y"]}, "km": True, "ci": False}],
    ),
}


def test_every_result_with_a_plot_is_checked() -> None:
    with_plot = {
        name
        for name in hrh.__all__
        if inspect.isclass(getattr(hrh, name))
        and callable(getattr(getattr(hrh, name), "plot", None))
    }
    assert with_plot == set(RESULTS)
    for name in with_plot:
        assert "ax" in inspect.signature(getattr(hrh, name).plot).parameters, name


@pytest.mark.parametrize("name", sorted(RESULTS))
def test_plot_returns_its_axes_and_draws_once(name: str) -> None:
    make, calls = RESULTS[name]
    result = make()
    plt.close("all")
    for kwargs in calls:
        before = set(plt.get_fignums())
        ax = result.plot(**kwargs)
        assert isinstance(ax, Axes) and not isinstance(ax, Figure), (name, kwargs, type(ax))
        assert len(set(plt.get_fignums()) - before) == 1, (name, kwargs)
        assert ax.has_data(), (name, kwargs)
        plt.close("all")
        # On the caller's axes: drawn there, no other figure opened.
        fig, (left, right) = plt.subplots(1, 2)
        assert result.plot(ax=right, **kwargs) is right
        assert right.has_data() and not left.has_data()
        assert plt.get_fignums() == [fig.number]
        plt.close("all")


def test_a_notebook_shows_the_chart_once() -> None:
    """IPython's display of the value a cell returns: a Figure would be shown as an image
    on top of the inline backend's own display of the open figure; Axes show as text."""
    formatters = pytest.importorskip("IPython.core.formatters")
    from IPython.core.pylabtools import select_figure_formats

    # The display formatter of a notebook kernel with the inline backend's PNG figures.
    shell = SimpleNamespace(display_formatter=formatters.DisplayFormatter())
    select_figure_formats(shell, {"png"})
    for name, (make, calls) in RESULTS.items():
        result = make()
        shown, _ = shell.display_formatter.format(result.plot(**calls[0]))
        assert set(shown) == {"text/plain"}, (name, set(shown))
        shown, _ = shell.display_formatter.format(plt.gcf())
        assert "image/png" in shown  # what a returned Figure would have shown again
        plt.close("all")


def test_forecast_plot_lines_meet_and_bad_arguments() -> None:
    f = _forecast()
    ax = f.plot(groups=["a"])
    observed, _, forecast = ax.get_lines()
    assert [line.get_label() for line in ax.get_lines()] == ["observed", "fitted", "forecast"]
    assert forecast.get_xydata()[0].tolist() == observed.get_xydata()[-1].tolist()
    assert ax.get_title() == "a: ETS(A,A,N)" and ax.get_xlabel() == "year"
    ax = f.plot()
    assert [line.get_label() for line in ax.get_lines()] == ["a", "_fc", "b", "_fc"]
    assert ax.get_legend().get_title().get_text() == "country"
    plt.close("all")
    with pytest.raises(hrh.InputError, match=r"argument 'groups': none of \['z'\] is a value"):
        f.plot(groups=["z"])
    with pytest.raises(hrh.InputError, match="argument 'max_series': 0 is not a positive"):
        f.plot(max_series=0)
