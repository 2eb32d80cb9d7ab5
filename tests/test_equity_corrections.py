"""Corrections to the equity measures, each checked against an independent computation.

- Wagstaff's normalised concentration index of a bounded variable is
  C mu (b - a) / ((b - mu)(mu - a)) (C / (1 - mu) on [0, 1]), against base R's
  "convenient regression" on China's provinces (oracles/equity_bounded_groups.R).
- hrh.polarization(method="esteban_ray", groups=...) is the index over the groups'
  population shares and mean levels (same oracle); "wolfson" refuses groups and the
  methods without a sensitivity refuse alpha.
- hrh.equity warns when it bootstraps a handful of units, and its intervals and the
  report's numbers never show a negative zero.
"""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import hrh
from hrh.report import interval, number, percent

ORACLE = json.loads((Path(__file__).parent / "oracles" / "equity_bounded_groups.json").read_text())
RTOL = 1e-9


def test_oracle_header() -> None:
    assert ORACLE["r_version"].startswith("R version")
    assert len(ORACLE["region"]) == len(ORACLE["population"]) == 31
    assert all(0 <= h <= 1 for h in ORACLE["nurse_share"])


@pytest.mark.parametrize("entry", ORACLE["concentration"]["bounded"], ids=lambda e: str(e))
def test_bounded_concentration_index_matches_r(entry: dict[str, Any]) -> None:
    h, w = ORACLE["nurse_share"], ORACLE["population"]
    rank = ORACLE["doctors_per_1000"]
    bounds = (entry["lower"], entry["upper"])
    plain = hrh.concentration_index(h, rank, w)
    assert plain == pytest.approx(ORACLE["concentration"]["index"], rel=RTOL)
    for correction in ("wagstaff", "erreygers"):
        got = hrh.concentration_index(h, rank, w, correction=correction, bounds=bounds)
        assert got == pytest.approx(entry[correction], rel=RTOL), correction


def test_wagstaff_on_unit_interval_is_c_over_one_minus_mean() -> None:
    # The case of the issue: fill rates in [0, 1] with weighted mean 0.8698 and C =
    # 0.05187 gave 0.4581, C / ((1 - mu) mu), instead of C / (1 - mu) = 0.3984.
    h, w = ORACLE["nurse_share"], ORACLE["population"]
    c = hrh.concentration_index(h, ORACLE["doctors_per_1000"], w)
    mu = float(np.average(h, weights=w))
    got = hrh.concentration_index(
        h, ORACLE["doctors_per_1000"], w, correction="wagstaff", bounds=(0, 1)
    )
    assert got == pytest.approx(c / (1 - mu), rel=1e-12)
    assert abs(got - c / ((1 - mu) * mu)) > 0.01


@pytest.mark.parametrize("entry", ORACLE["esteban_ray"], ids=lambda e: f"alpha={e['alpha']:g}")
def test_esteban_ray_over_groups_matches_r(entry: dict[str, Any]) -> None:
    y, w, zone = ORACLE["doctors_per_1000"], ORACLE["population"], ORACLE["zone"]
    alpha = entry["alpha"]
    grouped = hrh.polarization(y, w, method="esteban_ray", alpha=alpha, groups=zone)
    assert grouped == pytest.approx(entry["grouped"], rel=RTOL)
    units = hrh.polarization(y, w, method="esteban_ray", alpha=alpha)
    assert units == pytest.approx(entry["units"], rel=RTOL)
    # The groups used to be ignored: the grouped index is not the unit-level one.
    assert abs(grouped - units) > 1e-3


def test_esteban_ray_over_groups_by_hand() -> None:
    # Groups a = {1, 2} and b = {4, 5} of equal populations: means 1.5 and 4.5, shares
    # 1/2, overall mean 3: ER = 2 (1/2)^(1 + alpha) (1/2) |4.5 - 1.5| / 3.
    for alpha in (0.0, 1.0, 1.3, 1.6):
        got = hrh.polarization(
            [1, 2, 4, 5], method="esteban_ray", alpha=alpha, groups=["a", "a", "b", "b"]
        )
        assert got == pytest.approx(2 * 0.5 ** (1 + alpha) * 0.5 * 3 / 3, rel=1e-14)
    # One unit per group is the unit-level index.
    x, w = [1.0, 3.0, 7.0, 2.0], [2.0, 1.0, 1.0, 3.0]
    own = hrh.polarization(x, w, method="esteban_ray", groups=["p", "q", "r", "s"])
    assert own == pytest.approx(hrh.polarization(x, w, method="esteban_ray"), rel=1e-14)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"method": "wolfson", "groups": ["a", "a", "b", "b"]},
            r"argument 'groups': the Wolfson index is defined on units and takes no groups",
        ),
        ({"method": "wolfson", "alpha": 1.0}, r"argument 'alpha': method 'wolfson' has no"),
        (
            {"method": "zhang_kanbur", "alpha": 1.3, "groups": ["a", "a", "b", "b"]},
            r"argument 'alpha': method 'zhang_kanbur' has no",
        ),
        ({"method": "esteban", "alpha": 1.3}, r"argument 'method': 'esteban' is not"),
        (
            {"method": "esteban_ray", "groups": ["a", "b"]},
            r"argument 'groups'",
        ),
    ],
)
def test_polarization_arguments_are_used_or_refused(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(hrh.InputError, match=message):
        hrh.polarization([1, 2, 4, 5], **kwargs)


THREE = {"region": ["a", "b", "c"], "staff": [120, 100, 150], "population": [1000, 1000, 1000]}


def test_bootstrap_on_few_units_warns() -> None:
    with pytest.warns(UserWarning, match=r"1 of 1 group\(s\) have fewer than 10 units"):
        hrh.equity(THREE, staff="staff", population="population", bootstrap=50, seed=1)
    many = {
        "staff": list(range(100, 130)),
        "population": [1000] * 30,
        "year": [1] * 15 + [2] * 15,
    }
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        hrh.equity(many, staff="staff", population="population", by="year", bootstrap=20, seed=1)
        hrh.equity(THREE, staff="staff", population="population")  # no bootstrap: no warning
    few = {**many, "year": [1] * 25 + [2] * 5}
    with pytest.warns(UserWarning, match=r"group \(year=2\) has 5"):
        hrh.equity(few, staff="staff", population="population", by="year", bootstrap=20, seed=1)


def test_bootstrap_limits_are_never_negative_zero() -> None:
    # Resamples of one unit repeated have equal levels: Theil came out as -1.1e-16.
    rng = np.random.default_rng(1)
    for seed in range(40):
        data = {"staff": rng.integers(50, 500, 3), "population": rng.integers(1000, 5000, 3)}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            out = hrh.equity(data, staff="staff", population="population", bootstrap=100, seed=seed)
        for c in out.columns[1:]:
            v = float(out[c].item())
            assert v > 0 or (v == 0 and math.copysign(1, v) == 1), (c, v)


def test_report_numbers_have_no_negative_zero() -> None:
    assert number(-1.1102230246251565e-16, 4) == "0.0000"
    assert number(-0.0, 3) == "0.000"
    assert number(-0.0004, 3) == "0.000"
    assert number(-0.0006, 3) == "-0.001"
    assert number(-1234.5, 1) == "-1,234.5"
    assert percent(-1e-18).startswith("0.0")
    assert "-0" not in interval(0.1, -1e-17, 0.1277, lambda v: number(v, 4))


def test_report_says_when_intervals_rest_on_few_units() -> None:
    from hrh.report import equity_section

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        section = equity_section(
            THREE, staff="staff", population="population", unit="region", bootstrap=200
        )
    html = section.html
    assert "With only 3 units there are few distinct resamples" in html
    assert "-0.0" not in html


def test_concentration_bounds_without_a_correction_are_refused() -> None:
    # They used to be accepted and ignored.
    with pytest.raises(hrh.InputError, match=r"argument 'bounds': used only by correction="):
        hrh.concentration_index([0.2, 0.4, 0.9], [1, 2, 3], bounds=(0, 1))
