"""WISN: a fully specified example worked by hand, groups, uncertainty, bad input."""

from __future__ import annotations

import polars as pl
import pytest

import hrh


def test_available_working_time_by_hand() -> None:
    # 52 weeks x 5 days = 260 days; minus 10 + 20 + 8 + 2 days; 8 hours a day.
    assert (
        hrh.available_working_time(
            working_days=260,
            holidays=10,
            annual_leave=20,
            sick_leave=8,
            other_leave=2,
            hours_per_day=8,
        )
        == 220 * 8
    )
    with pytest.raises(hrh.InputError, match=r"argument 'working_days': 10 days leave no working"):
        hrh.available_working_time(working_days=10, annual_leave=10, hours_per_day=8)
    with pytest.raises(
        hrh.InputError, match=r"argument 'sick_leave': -1 must be a finite number >= 0"
    ):
        hrh.available_working_time(working_days=200, sick_leave=-1, hours_per_day=8)


SERVICES = pl.DataFrame(
    {
        "facility": ["A", "A", "A", "B", "B"],
        "cadre": ["nurse", "nurse", "midwife", "nurse", "midwife"],
        "activity": ["visit", "injection", "delivery", "visit", "delivery"],
        "workload": [9000, 3000, 500, 4000, 150],
        "unit_time": [0.25, 0.1, 4.0, 0.25, 4.0],
        "in_post": [4, 4, 2, 2, 1],
    }
)


def test_wisn_groups_worked_by_hand() -> None:
    t = 1760.0
    support = pl.DataFrame(
        {"cadre": ["nurse", "midwife"], "activity": ["records", "meetings"], "percent": [10.0, 5.0]}
    )
    extra = pl.DataFrame(
        {
            "facility": ["A"],
            "cadre": ["nurse"],
            "activity": ["training"],
            "hours_per_year": [80.0],
            "staff": [2.0],
        }
    )
    r = hrh.wisn(
        SERVICES,
        available_time=t,
        support=support,
        additional=extra,
        existing="in_post",
        by=["facility", "cadre"],
    )
    tab = r.table
    assert tab.select("facility", "cadre").rows() == [
        ("A", "midwife"),
        ("A", "nurse"),
        ("B", "midwife"),
        ("B", "nurse"),
    ]
    want_service = [500 * 4 / t, (9000 * 0.25 + 3000 * 0.1) / t, 150 * 4 / t, 4000 * 0.25 / t]
    want_caf = [1 / 0.95, 1 / 0.9, 1 / 0.95, 1 / 0.9]
    want_iaf = [0.0, 160 / t, 0.0, 0.0]
    want_req = [s * c + i for s, c, i in zip(want_service, want_caf, want_iaf, strict=True)]
    assert tab["service_staff"].to_list() == pytest.approx(want_service, rel=1e-12)
    assert tab["caf"].to_list() == pytest.approx(want_caf, rel=1e-12)
    assert tab["iaf"].to_list() == pytest.approx(want_iaf, rel=1e-12)
    assert tab["required"].to_list() == pytest.approx(want_req, rel=1e-12)
    assert tab["existing"].to_list() == [2.0, 4.0, 1.0, 2.0]
    assert tab["ratio"].to_list() == pytest.approx(
        [e / q for e, q in zip([2, 4, 1, 2], want_req, strict=True)]
    )
    assert (tab["pressure"] + tab["ratio"]).to_list() == pytest.approx([1.0] * 4)
    acts = r.activities
    assert acts["standard_workload"][0] == pytest.approx(t / 0.25)


def test_rate_standard_and_hourly_support() -> None:
    # 6 visits an hour is a unit time of 10 minutes.
    a = hrh.wisn({"workload": [1200], "rate": [6.0]}, available_time=1000)
    b = hrh.wisn({"workload": [1200], "unit_time": [1 / 6]}, available_time=1000)
    assert a.table["required"].item() == pytest.approx(b.table["required"].item())
    s = hrh.wisn(
        {"workload": [1200], "unit_time": [1 / 6]},
        available_time=1000,
        support={"activity": ["x"], "hours": [100.0], "per": ["year"]},
    )
    assert s.table["caf"].item() == pytest.approx(1 / 0.9)


def test_uncertain_unit_times_give_a_seeded_interval() -> None:
    services = SERVICES.with_columns(
        unit_time_low=pl.col("unit_time") * 0.8, unit_time_high=pl.col("unit_time") * 1.3
    )
    a = hrh.wisn(services, available_time=1760, by="facility", draws=400, seed=3)
    b = hrh.wisn(services, available_time=1760, by="facility", draws=400, seed=3)
    assert a.table.equals(b.table)
    t = a.table
    assert (t["lower"] < t["required"]).all()
    assert (t["required"] < t["upper"]).all()


def test_wisn_bad_input() -> None:
    with pytest.raises(hrh.InputError, match=r"give a 'unit_time' \(hours per unit\) or a 'rate'"):
        hrh.wisn({"workload": [1]}, available_time=1000)
    with pytest.raises(hrh.InputError, match=r"column 'unit_time', row 0: value 0 is not positive"):
        hrh.wisn({"workload": [1], "unit_time": [0]}, available_time=1000)
    with pytest.raises(hrh.InputError, match=r"column 'workload', row 1: value -3 is negative"):
        hrh.wisn({"workload": [1, -3], "unit_time": [1, 1]}, available_time=1000)
    with pytest.raises(hrh.InputError, match=r"column 'per', row 0: 'month' is not 'day', 'week'"):
        hrh.wisn(
            {"workload": [1], "unit_time": [1]},
            available_time=1000,
            support={"activity": ["x"], "hours": [1], "per": ["month"]},
        )
    with pytest.raises(
        hrh.InputError, match=r"add up to 120% of working time; they must stay below 100%"
    ):
        hrh.wisn(
            {"workload": [1], "unit_time": [1]},
            available_time=1000,
            support={"activity": ["x", "y"], "percent": [60, 60]},
        )
    with pytest.raises(hrh.InputError, match=r"argument 'available_time': 0 must be > 0"):
        hrh.wisn({"workload": [1], "unit_time": [1]}, available_time=0)
    with pytest.raises(hrh.InputError, match=r"column 'in_post': differs within a group"):
        hrh.wisn(SERVICES, available_time=1000, existing="in_post", by="facility")


def test_available_time_by_group_matches_one_call_per_group() -> None:
    # Facility A works 1,760 h a year, B 1,500 h: one call with a column equals one call
    # per facility, including yearly support hours (a share of each group's own time).
    services = SERVICES.with_columns(
        hours=pl.when(pl.col("facility") == "A").then(1760.0).otherwise(1500.0)
    )
    support = {"activity": ["audit", "records"], "hours": [88.0, 1.0], "per": ["year", "week"]}
    extra = {"activity": ["training"], "hours_per_year": [60.0], "staff": [1.0]}
    both = hrh.wisn(
        services,
        available_time="hours",
        support=support,
        additional=extra,
        existing="in_post",
        by=["facility", "cadre"],
    )
    assert both.available_time is None
    assert both.table["available_time"].to_list() == [1760.0, 1760.0, 1500.0, 1500.0]
    for facility, t in [("A", 1760.0), ("B", 1500.0)]:
        one = hrh.wisn(
            services.filter(pl.col("facility") == facility),
            available_time=t,
            support=support,
            additional=extra,
            existing="in_post",
            by=["facility", "cadre"],
        )
        part = both.table.filter(pl.col("facility") == facility)
        for c in ["service_staff", "caf", "iaf", "required", "ratio"]:
            assert part[c].to_list() == pytest.approx(one.table[c].to_list(), rel=1e-12)
        # CAS: 88 h of 1,760 or 1,500 a year, plus 1 h of a 40-h week.
        assert part["caf"][0] == pytest.approx(1 / (1 - 88 / t - 1 / 40), rel=1e-12)
    with pytest.raises(hrh.InputError, match=r"column 'hours': differs within a group"):
        hrh.wisn(services, available_time="hours", by="cadre")
    with pytest.raises(hrh.InputError, match=r"column 'hours', row 0: .*"):
        hrh.wisn(services.with_columns(hours=pl.lit(0.0)), available_time="hours", by="facility")
