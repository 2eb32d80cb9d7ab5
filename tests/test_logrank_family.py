"""hrh.logrank(weighting=...): the weighted log-rank family against R.

Reference values from tests/oracles/logrank_family.R (R's survdiff for the G(rho, 0)
members; the weighted statistic written out from the risk sets for every weight) on
survival's lung and veteran and the Canadian senators' tenure, 2 and 3+ groups, with
and without strata; lifelines' multivariate_logrank_test as a second reference for the
unstratified Gehan-Breslow, Tarone-Ware and Fleming-Harrington tests. Closed forms:
1e-9 relative.
"""

from __future__ import annotations

import functools
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hrh

ORACLE = json.loads((Path(__file__).parent / "oracles" / "logrank_family.json").read_text())
CASES: list[dict[str, Any]] = ORACLE["cases"]
RTOL = 1e-9


@functools.cache
def _frame(name: str) -> pl.DataFrame:
    return pl.DataFrame(ORACLE["data"][name])


def _id(case: dict[str, Any]) -> str:
    w = case["weights"]
    if w == "fleming-harrington":
        w = f"fh{case['p']:g},{case['q']:g}"
    strata = f"-by-{case['strata']}" if case["strata"] else ""
    return f"{case['data']}-{case['group']}{strata}-{w}"


def _fit(case: dict[str, Any], **kw: Any) -> hrh.LogRankResult:
    if not kw:
        kw = {"weighting": case["weights"], "p": case["p"], "q": case["q"]}
    return hrh.logrank(
        _frame(case["data"]),
        duration="time",
        event="status",
        group=case["group"],
        strata=case["strata"],
        **kw,
    )


def _close(got: Any, want: Any, what: str) -> None:
    np.testing.assert_allclose(got, want, rtol=RTOL, atol=0, err_msg=what)


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_weighted_logrank_matches_r(case: dict[str, Any]) -> None:
    r = _fit(case)
    assert r.weighting == case["weights"]
    assert r.df == case["df"]
    _close(r.statistic, case["statistic"], "statistic")
    _close(r.p_value, case["p_value"], "p_value")
    assert r.table[case["group"]].to_list() == case["levels"]
    _close(r.table["observed"].to_numpy(), case["observed"], "observed")
    _close(r.table["expected"].to_numpy(), case["expected"], "expected")
    k = len(case["levels"])
    v = np.asarray(case["variance"]).reshape(k, k, order="F")
    np.testing.assert_allclose(r.variance, v, rtol=RTOL, atol=1e-12 * np.abs(v).max())


SURVDIFF = [c for c in CASES if c["survdiff"] is not None]


@pytest.mark.parametrize("case", SURVDIFF, ids=[_id(c) for c in SURVDIFF])
def test_rho_matches_survdiff(case: dict[str, Any]) -> None:
    """rho= keeps survdiff's G-rho test, and equals the named weights."""
    sd = case["survdiff"]
    r = _fit(case, rho=sd["rho"])
    assert r.rho == sd["rho"]
    _close(r.statistic, sd["statistic"], "statistic")
    _close(r.p_value, sd["p_value"], "p_value")
    _close(r.table["observed"].to_numpy(), sd["observed"], "observed")
    _close(r.table["expected"].to_numpy(), sd["expected"], "expected")
    named = _fit(case)
    assert named.rho == sd["rho"]
    _close(named.statistic, r.statistic, "named weights vs rho")


LIFELINES = {"gehan-breslow": "wilcoxon", "tarone-ware": "tarone-ware"}
# lifelines' Fleming-Harrington weights drop the last point of its Kaplan-Meier curve
# assuming the curve starts with a point added at time 0, and fail on data with exits
# or censorings at time 0 (the senators' tenure has some): those cases rely on R alone.
UNSTRATIFIED = [
    c
    for c in CASES
    if c["strata"] is None
    and (
        c["weights"] in LIFELINES
        or (c["weights"] == "fleming-harrington" and c["data"] != "senators")
    )
]


@pytest.mark.parametrize("case", UNSTRATIFIED, ids=[_id(c) for c in UNSTRATIFIED])
def test_unstratified_weights_match_lifelines(case: dict[str, Any]) -> None:
    lifelines = pytest.importorskip("lifelines.statistics")
    d = _frame(case["data"])
    kw: dict[str, Any] = {"weightings": LIFELINES.get(case["weights"], "fleming-harrington")}
    if case["weights"] == "fleming-harrington":
        kw |= {"p": case["p"], "q": case["q"]}
    ref = lifelines.multivariate_logrank_test(
        d["time"].to_numpy(), d[case["group"]].to_numpy(), d["status"].to_numpy(), **kw
    )
    r = _fit(case)
    _close(r.statistic, ref.test_statistic, "statistic vs lifelines")
    assert r.df == ref.degrees_of_freedom


def test_rho_is_fleming_harrington_p_with_q_zero() -> None:
    case = next(c for c in CASES if c["data"] == "veteran" and c["strata"] == "prior")
    a = _fit(case, rho=0.5)
    b = _fit(case, weighting="fleming-harrington", p=0.5, q=0)
    assert (a.rho, b.rho, b.p, b.q) == (0.5, 0.5, 0.5, 0.0)
    assert a.statistic == b.statistic
    assert _fit(case, rho=0).weighting == "logrank"
    assert _fit(case, weighting="tarone-ware").rho is None


def test_weights_are_computed_once_for_all_groups() -> None:
    """Relabelling groups does not change the test (the weight is the pooled one)."""
    case = next(c for c in CASES if c["data"] == "veteran" and c["group"] == "celltype")
    d = _frame("veteran").with_columns(pl.col("celltype").str.to_uppercase().alias("cell2"))
    for w in ["gehan-breslow", "modified-peto", "tarone-ware"]:
        a = hrh.logrank(d, duration="time", event="status", group="celltype", weighting=w)
        b = hrh.logrank(d, duration="time", event="status", group="cell2", weighting=w)
        assert math.isclose(a.statistic, b.statistic, rel_tol=1e-12), w
    assert case["df"] == 3


D = {"t": [1, 3, 2, 4, 5], "e": [1, 1, 1, 0, 1], "g": ["a", "a", "b", "b", "b"]}


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"weighting": "wilcoxon"}, r"argument 'weighting': 'wilcoxon' is not one of 'logrank'"),
        ({"weighting": 1}, r"argument 'weighting': 1 is not one of"),
        ({"weighting": "logrank", "p": 1}, r"arguments 'p' and 'weighting': the exponents"),
        (
            {"weighting": "tarone-ware", "p": 1, "q": 0},
            r"arguments 'p' and 'q' and 'weighting': .* not 'tarone-ware'",
        ),
        ({"weighting": "fleming-harrington", "p": 1}, r"argument 'q': .* needs both"),
        ({"weighting": "fleming-harrington"}, r"arguments 'p' and 'q': .* needs both"),
        (
            {"weighting": "fleming-harrington", "p": -1, "q": 0},
            r"argument 'p': -1.0 must be a finite number >= 0",
        ),
        (
            {"weighting": "fleming-harrington", "p": 0, "q": math.inf},
            r"argument 'q': inf must be a finite number >= 0",
        ),
        (
            {"weighting": "fleming-harrington", "p": math.nan, "q": 1},
            r"argument 'p': nan must be a finite number >= 0",
        ),
        ({"weighting": "fleming-harrington", "p": "1", "q": 1}, r"argument 'p': '1' is not a"),
        ({"rho": 1, "weighting": "peto-peto"}, r"arguments 'rho' and 'weighting': rho is"),
        ({"rho": 1, "p": 1, "q": 0}, r"arguments 'rho' and 'p' and 'q'"),
        ({"rho": -0.5}, r"argument 'rho': -0.5 must be a finite number >= 0"),
        ({"rho": math.nan}, r"argument 'rho': nan must be a finite number >= 0"),
        ({"rho": True}, r"argument 'rho': True is not a number"),
    ],
)
def test_bad_weights(kw: dict[str, Any], message: str) -> None:
    with pytest.raises(hrh.InputError, match=message):
        hrh.logrank(D, duration="t", event="e", group="g", **kw)


def test_core_refuses_exponents_with_other_weights() -> None:
    t = np.array([1.0, 2.0, 3.0])
    e = np.ones(3, dtype=np.uint32)
    g = np.array([0, 1, 0], dtype=np.uint32)
    with pytest.raises(hrh.InputError, match=r"\"peto-peto\" takes no exponents"):
        hrh._core.logrank(t, e, g, 2, None, 1, weighting="peto-peto", p=1.0)
    with pytest.raises(hrh.InputError, match=r"needs both exponents"):
        hrh._core.logrank(t, e, g, 2, None, 1, weighting="fleming-harrington", q=1.0)
    with pytest.raises(hrh.InputError, match=r"argument 'q': -1 must be a finite number >= 0"):
        hrh._core.logrank(t, e, g, 2, None, 1, weighting="fleming-harrington", p=0.0, q=-1.0)


@settings(max_examples=100, deadline=None, derandomize=True)
@given(
    st.lists(
        st.tuples(st.integers(0, 6).map(float), st.integers(0, 1), st.sampled_from("abc")),
        min_size=2,
        max_size=12,
    ),
    st.sampled_from(
        [
            ("logrank", None, None),
            ("gehan-breslow", None, None),
            ("tarone-ware", None, None),
            ("peto-peto", None, None),
            ("modified-peto", None, None),
            ("fleming-harrington", 0.0, 1.0),
            ("fleming-harrington", 2.0, 0.5),
        ]
    ),
)
def test_any_small_data_gives_a_finite_test_or_an_input_error(
    rows: list[tuple[float, int, str]], w: tuple[str, float | None, float | None]
) -> None:
    d = {"t": [r[0] for r in rows], "e": [r[1] for r in rows], "g": [r[2] for r in rows]}
    try:
        r = hrh.logrank(d, duration="t", event="e", group="g", weighting=w[0], p=w[1], q=w[2])
    except hrh.InputError:
        return
    assert math.isfinite(r.statistic) and r.statistic >= -1e-12
    assert 0 <= r.p_value <= 1 and r.df >= 1
    assert r.table["observed"].is_finite().all() and r.table["expected"].is_finite().all()
