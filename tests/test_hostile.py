"""Hostile inputs found by hand or by fuzzing: each a named hrh error or the right
number, never NaN, inf or a misleading message."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import pytest

import hrh


def test_weights_near_the_top_of_the_range() -> None:
    # The weights' sum overflowed, every share became 0 and the values looked all zero.
    assert hrh.gini([1.0, 2.0, 3.0], weights=[1e308] * 3) == pytest.approx(
        hrh.gini([1.0, 2.0, 3.0])
    )


def test_tiny_divisors_are_named_errors() -> None:
    with pytest.raises(hrh.InputError, match=r"column 'population', row 0: .*too small"):
        hrh.density({"staff": [10.0], "pop": [1e-310]}, staff="staff", population="pop")
    with pytest.raises(hrh.InputError, match=r"column 'quota', row 0"):
        hrh.quota_gap({"staff": [1e300], "quota": [1e-300]}, staff="staff", quota="quota")


def test_cox_covariate_constant_within_every_stratum() -> None:
    data = {
        "t": [1.0, 2, 3, 4, 5, 6, 7, 8],
        "e": [1, 1, 0, 1, 1, 0, 1, 1],
        "x": [1, 1, 1, 1, 2, 2, 2, 2],
        "y": [0.1, 0.5, 0.2, 0.9, 0.3, 0.7, 0.4, 0.8],
        "s": ["a"] * 4 + ["b"] * 4,
    }
    # Was a coefficient of 0 with NaN z and p.
    with pytest.raises(hrh.InputError, match="'x': is constant within every stratum"):
        hrh.cox(data, duration="t", event="e", covariates=["x", "y"], strata="s")


def test_messages_name_the_users_columns() -> None:
    import datetime as dt

    import pandas as pd

    # person_time named its argument ('exit'), not the user's column.
    with pytest.raises(hrh.InputError, match=r"^column 'out', row 0: exit date 2019-01-01"):
        hrh.person_time(
            {"in": [dt.date(2020, 1, 1)], "out": [dt.date(2019, 1, 1)]}, entry="in", exit="out"
        )
    # A stray string in a pandas object column: was "could not be read as a table".
    frame = pd.DataFrame({"staff": [1.0, "x", 3.0], "pop": [1, 2, 3]})
    with pytest.raises(hrh.InputError, match=r"^column 'staff', row 1: value 'x' is a str"):
        hrh.density(frame, staff="staff", population="pop")


# --- equity measures at the ends of the float range -----------------------------------


def test_atkinson_of_a_subnormal_beside_a_huge_value() -> None:
    # x / mean underflowed to 0 and the log-sum-exp met inf - inf: NaN.
    assert hrh.atkinson([5e-324, 1e308], epsilon=2) == 1.0
    assert hrh.atkinson([5e-324, 1e308], epsilon=0.5) == pytest.approx(0.5, abs=1e-15)


def test_atkinson_and_ge_at_huge_parameters() -> None:
    # A huge aversion tends to 1 - min / mean (was NaN at 1e308 on some values).
    assert hrh.atkinson([5e-324, 1e308], epsilon=1e308) == 1.0
    assert hrh.atkinson([1.0, 3.0], epsilon=1e308) == pytest.approx(0.5, abs=1e-15)
    # GE(alpha) of unequal values at a huge alpha is beyond any float: a named error
    # (was NaN or inf).
    for alpha in (1e308, 2.0**63, -1e308):
        with pytest.raises(hrh.InputError, match=r"argument 'alpha': GE\(.*beyond the largest"):
            hrh.generalized_entropy([1.0, 2.0], alpha=alpha)
    # ... and 0 for equal values, whatever the parameter.
    assert hrh.generalized_entropy([3.0, 3.0, 3.0], alpha=1e308) == 0.0
    # A tiny alpha is Theil L (r**alpha - 1 cancelled to -0.0).
    theil_l = hrh.theil([1.0, 3.0], kind="L").total
    assert hrh.generalized_entropy([1.0, 3.0], alpha=5e-324) == pytest.approx(theil_l, rel=1e-14)


def test_ge_of_values_spanning_the_float_range() -> None:
    # mu / x overflowed: GE(-1) was inf though its value, 4.5e307, is a float.
    assert hrh.generalized_entropy([1e-300, 3.6e8], alpha=-1) == pytest.approx(4.5e307, rel=1e-12)
    with pytest.raises(hrh.InputError, match="beyond the largest float"):
        hrh.generalized_entropy([5e-324, 1.0], alpha=-1)
    assert math.isfinite(hrh.theil([1e-300, 3.6e8], kind="L").total)


def test_theil_about_a_tiny_reference_level() -> None:
    # x / mean overflowed and the total was inf without a word.
    with pytest.raises(hrh.InputError, match=r"^argument 'mean': Theil T about the reference"):
        hrh.theil([1.0, 2.0], mean=5e-324)
    t = hrh.theil([1.0, 2.0], mean=1e-300)
    m = 1e-300
    want = 0.5 * ((1 / m) * math.log(1 / m) + (2 / m) * math.log(2 / m))
    assert t.total == pytest.approx(want, rel=1e-13)


def test_cv_of_a_tiny_weighted_mean() -> None:
    # ((x - mean) / mean) ** 2 overflowed: inf.
    assert hrh.cv([5e-324, 1.0], weights=[1.0, 1e-300], ddof=0) == pytest.approx(1e150, rel=1e-12)


# --- attrition ----------------------------------------------------------------------------


def test_logrank_with_nothing_to_compare() -> None:
    # Each group alone in its stratum, or a group never at risk at an exit: statistic 0
    # on 0 df with p NaN (or p 1 from a zero variance).
    data = {"t": [1.0, 2, 3, 4], "e": [1, 1, 1, 1], "g": ["a", "a", "b", "b"]}
    with pytest.raises(hrh.InputError, match="nothing to compare"):
        hrh.logrank(
            {**data, "s": ["x", "x", "y", "y"]}, duration="t", event="e", group="g", strata="s"
        )
    with pytest.raises(hrh.InputError, match="nothing to compare"):
        hrh.logrank(
            {"t": [5.0, 6, 1], "e": [1, 0, 0], "g": ["a", "a", "b"]},
            duration="t",
            event="e",
            group="g",
        )


def test_logrank_group_count_is_checked_before_allocating() -> None:
    n = 1001
    data = {"t": [float(i % 7 + 1) for i in range(n)], "e": [1] * n, "g": list(range(n))}
    with pytest.raises(hrh.InputError, match="compares at most 1000"):
        hrh.logrank(data, duration="t", event="e", group="g")


def test_cox_concordance_without_comparable_pairs_is_null() -> None:
    # Every duration tied: no pair can be ordered; was NaN.
    fit = hrh.cox(
        {"t": [2.0] * 4, "e": [1, 1, 1, 1], "x": [0.1, 0.5, 0.2, 0.9]},
        duration="t",
        event="e",
        covariates=["x"],
    )
    assert fit.concordance is None and fit.concordance_std_err is None
    assert "concordance = undefined" in fit._repr_html_()


def test_gray_test_left_out_past_its_group_limit() -> None:
    n = hrh._core.GRAY_MAX_GROUPS + 1
    data = {"t": [1.0, 2.0] * n, "c": [1, 2] * n, "g": [i // 2 for i in range(2 * n)]}
    with pytest.warns(UserWarning, match="Gray's test left out"):
        r = hrh.cumulative_incidence(data, duration="t", cause="c", by="g")
    assert r.gray_test is None


def test_binding_group_codes_out_of_range() -> None:
    import numpy as np

    t = np.array([1.0, 2.0, 3.0])
    e = np.array([1, 1, 0], dtype=np.uint32)
    # A code at or above n_groups dropped its rows silently.
    with pytest.raises(hrh.InputError, match="column 'by', row 2: group code 5 is not below 2"):
        hrh._core.kaplan_meier(
            t, e, None, None, np.array([0, 1, 5], dtype=np.uint32), 2, conf_type="log", level=0.95
        )
    with pytest.raises(hrh.InputError, match="9 groups for 3 rows"):
        hrh._core.nelson_aalen(
            t, e, None, None, np.array([0, 1, 1], dtype=np.uint32), 9, ties="nelson-aalen"
        )


def test_attrition_rates_checks_its_table_and_arguments() -> None:
    curve = {
        "time": [0.0, 1.0, 2.0, 0.0, 1.0, 2.0],
        "survival": [1.0, 0.9, 0.8] * 2,
        "row": [0, 0, 0, 2**31, 2**31, 2**31],
    }
    # Int32 and Int64 labels per group: polars SchemaError from pl.concat.
    out = hrh.attrition_rates(curve, bands=[0, 2])
    assert out["row"].to_list() == [0, 2**31]
    bad: list[tuple[dict[str, object], dict[str, object], str]] = [
        ({"time": [], "survival": []}, {}, "curve has no rows"),
        ({"time": [0.0, None], "survival": [1.0, 0.9]}, {}, "column 'time', row 1"),
        ({"time": [0.0, 1.0], "survival": [1.0, "x"]}, {}, "column 'survival'"),
        ({**curve, "row": [0, 0, 0, math.nan, math.nan, math.nan]}, {}, "column 'row', row 3"),
        ({**curve, "row": [0, 0, 0, math.inf, math.inf, math.inf]}, {}, "is not finite"),
        ({**curve, "row": [[1]] * 6}, {}, "column 'row' has type"),
        ({"time": [0.0, 1.0], "survival": [1.0, 0.9]}, {"bands": "02"}, "argument 'bands'"),
        ({"time": [0.0, 1.0], "survival": [1.0, 0.9]}, {"bands": [0, math.nan]}, "'bands'"),
        ({"time": [0.0, 1.0], "survival": [1.0, 0.9]}, {"per_year": "1"}, "'per_year'"),
        ({"time": [0.0, 1.0], "survival": [1.0, 0.9]}, {"per_year": math.inf}, "'per_year'"),
    ]
    for table, kwargs, message in bad:
        args: dict[str, object] = {"bands": [0, 1], **kwargs}
        with pytest.raises(hrh.InputError, match=re.escape(message)):
            hrh.attrition_rates(table, **args)  # type: ignore[arg-type]


# --- planning -----------------------------------------------------------------------------


def test_stock_table_exit_dates_must_be_dates() -> None:
    import datetime as dt

    reg = {
        "birth_date": [dt.date(1990, 1, 1)],
        "hire_date": [dt.date(2010, 1, 1)],
        "exit_date": ["2020-01-01"],
        "cadre": ["nurse"],
    }
    # Text reached polars' cast to Date (InvalidOperationError).
    with pytest.raises(hrh.InputError, match="column 'exit_date': must hold dates, got String"):
        hrh.stock_table(reg, at=dt.date(2024, 1, 1), cadre="cadre")
    # A column of nulls only: everyone still in post.
    out = hrh.stock_table({**reg, "exit_date": [None]}, at=dt.date(2024, 1, 1), cadre="cadre")
    assert out["count"].to_list() == [1]


def test_transitions_ids_and_periods() -> None:
    import polars as pl

    # Mixed objects reached polars' struct/is_duplicated (InvalidOperationError).
    with pytest.raises(hrh.InputError, match="column 'id' has type Object"):
        hrh.transitions(
            pl.DataFrame(
                {"id": [[1], {"k": 1}], "year": [1, 2], "s": ["a", "b"]},
                schema={"id": pl.Object, "year": pl.Int64, "s": pl.String},
            ),
            id="id",
            time="year",
            state="s",
        )
    with pytest.raises(hrh.InputError, match="column 'id' has type List"):
        hrh.transitions(
            {"id": [[1], [2]], "year": [1, 2], "s": ["a", "b"]}, id="id", time="year", state="s"
        )
    # An unsigned period past 2**63 - 1 failed polars' cast to Int64.
    panel = pl.DataFrame(
        {"id": [1, 1], "year": [2020, 2**63], "s": ["a", "b"]},
        schema={"id": pl.Int64, "year": pl.UInt64, "s": pl.String},
    )
    with pytest.raises(hrh.InputError, match=r"column 'year', row 1: period 9223372036854775808"):
        hrh.transitions(panel, id="id", time="year", state="s")
    # Found by the long fuzz profile: a dict of -1 and 2**63 is an Int128 column.
    panel = {"id": [1.0, 1.0], "year": [-1, 2**63], "s": [1.0, 1.0]}
    with pytest.raises(hrh.InputError, match=r"row 1: period 9223372036854775808 is outside"):
        hrh.transitions(panel, id="id", time="year", state="s")


def test_wisn_near_the_top_of_the_range() -> None:
    # 1e308 units of 2 hours: inf staff; the answer, 1.14e305, is a float.
    r = hrh.wisn({"workload": [1e308], "unit_time": [2.0]}, available_time=1760)
    assert r.table["required"][0] == pytest.approx(1e308 / 880, rel=1e-15)
    assert r.activities["staff"][0] == pytest.approx(1e308 / 880, rel=1e-15)
    with pytest.raises(hrh.InputError, match=r"^column 'workload', row 0: the staff required"):
        hrh.wisn({"workload": [1e308, 1e308], "unit_time": [1e6, 1e6]}, available_time=1)
    # The standard workload 1e308 / 0.5 is beyond any float.
    with pytest.raises(hrh.InputError, match=r"column 'unit_time', row 0: the standard workload"):
        hrh.wisn({"workload": [1.0], "unit_time": [0.5]}, available_time=1e308)


def test_wisn_support_per_must_be_text() -> None:
    # A numeric `per` reached polars' is_in against text (InvalidOperationError).
    with pytest.raises(hrh.InputError, match="column 'per' has type Int64 in support"):
        hrh.wisn(
            {"workload": [1.0], "unit_time": [0.5]},
            available_time=1760,
            support={"activity": ["a"], "hours": [1.0], "per": [1]},
        )


PROVINCE = Path(__file__).resolve().parents[1] / "examples" / "province" / "scenario.toml"


def _scenario() -> dict[str, object]:
    """The province's scenario: 11 years x 1 region x 25 cadre and grade cells."""
    return hrh.load_scenario(PROVINCE)


@pytest.mark.parametrize("population", [0.0, [1], "x"])
def test_scenario_population_must_be_a_table(population: object) -> None:
    # 0.0 raised TypeError from dict(); [1] was read as {"base": 1}.
    with pytest.raises(hrh.ScenarioError, match="scenario key 'population': must be a table"):
        hrh.simulate({**_scenario(), "population": population}, draws=0)


@pytest.mark.parametrize("stock", ["", "."])
def test_scenario_stock_path_that_is_a_directory(stock: str) -> None:
    # pl.read_csv on a directory: polars' InvalidOperationError.
    with pytest.raises(hrh.ScenarioError, match=r"scenario key 'stock': '\.' is not a file"):
        hrh.check_scenario({**_scenario(), "stock": stock})


def test_scenario_stock_file_that_is_not_a_table(tmp_path: Path) -> None:
    path = tmp_path / "stock.parquet"
    path.write_bytes(b"not parquet")
    with pytest.raises(hrh.ScenarioError, match="could not be read as a table"):
        hrh.check_scenario({**_scenario(), "stock": str(path)})


def test_simulate_refuses_unbounded_work(monkeypatch: pytest.MonkeyPatch) -> None:
    # Streaming quantiles need little memory, so 2**40 draws started and ran for days.
    with pytest.raises(
        hrh.InputError, match=r"^argument 'draws': 1099511627776 draws .*HRH_MAX_WORK"
    ):
        hrh.simulate(_scenario(), draws=2**40, seed=1, quantiles="streaming")
    # The limit is the environment's: 10 draws of 11 years x 1 region x 25 cells are 2750.
    monkeypatch.setenv("HRH_MAX_WORK", "2749")
    with pytest.raises(hrh.InputError, match=r"2\.75e3 draw-cell-years of work, over the limit"):
        hrh.simulate(_scenario(), draws=10, seed=1)
    monkeypatch.setenv("HRH_MAX_WORK", "2750")
    assert hrh.simulate(_scenario(), draws=10, seed=1).draws == 10
    monkeypatch.setenv("HRH_MAX_WORK", "lots")
    with pytest.raises(hrh.InputError, match="HRH_MAX_WORK: 'lots' is not a number"):
        hrh.simulate(_scenario(), draws=10, seed=1)


# --- density --------------------------------------------------------------------------


def test_agglomeration_of_populations_near_the_top_of_the_range() -> None:
    # The populations' sum overflowed: shares 0 and a PAD of 0 instead of 1.
    out = hrh.agglomeration(
        {"staff": [1.0, 1.0], "pop": [1e308, 1e308], "area": [1.0, 1.0]},
        staff="staff",
        population="pop",
        area="area",
    )
    assert out["pad"].to_list() == [1.0, 1.0]


def test_density_names_an_overflowed_sum() -> None:
    # The group's sum overflowed and the message cited "value inf" the user never gave.
    with pytest.raises(hrh.InputError, match=r"^column 'staff': the sum over g='a' is beyond"):
        hrh.density(
            {"staff": [1e308, 1e308], "pop": [1.0, 1.0], "g": ["a", "a"]},
            staff="staff",
            population="pop",
            by="g",
        )
    with pytest.raises(hrh.InputError, match=r"^column 'pop': the sum over all rows is beyond"):
        hrh.density({"staff": [1.0, 1.0], "pop": [1e308, 1e308]}, staff="staff", population="pop")


def test_shortfall_beyond_the_range_names_the_population() -> None:
    # staff / required was inf without a word.
    with pytest.raises(hrh.InputError, match=r"^column 'pop': the staff required over all rows"):
        hrh.shortfall({"staff": [1e300], "pop": [1e-300]}, staff="staff", population="pop", norm=1)
    # norm x population overflowed before dividing by per (and named 'required').
    out = hrh.shortfall(
        {"staff": [1.0], "pop": [1e308]}, staff="staff", population="pop", norm=4.45
    )
    assert out["required"].to_list() == [pytest.approx(4.45e305, rel=1e-15)]


def test_huge_counts_finish() -> None:
    # Exact limits of 1e16 staff took minutes (rate, density, poisson_ci).
    d = hrh.density({"staff": [1e16], "pop": [1e9]}, staff="staff", population="pop")
    assert d["density"].to_list() == [1e10]
    assert d["lower"][0] < 1e10 < d["upper"][0]
    r = hrh.rate([1e16], [1.0])
    assert r["lower"][0] < r["rate"][0] < r["upper"][0]


def test_gray_test_undefined_is_null() -> None:
    # Found by the long fuzz profile: the pooled incidence reaches 1 at t = 3 while group
    # b is still at risk, and the variance divides by 1 - F = 0: statistic and p NaN.
    d = {"t": [0.5, 1e308, 1.0, 3.0], "c": [1, 1, 1, 1], "g": ["c", "b", "c", "a"]}
    g = hrh.cumulative_incidence(d, duration="t", cause="c", by="g").gray_test
    assert g is not None
    assert g.row(0, named=True) == {"cause": 1, "statistic": None, "df": 2, "p_value": None}


def test_curves_at_times_keep_their_key_types() -> None:
    # Found by the long fuzz profile: cause codes 1 and 2**31 became Int32 and Int64
    # literals per curve, and pl.concat raised polars' SchemaError.
    d = {"t": [1.0, 1.0, 1.0], "c": [0, 1, 2**31], "g": [2**31, 0, 2**31]}
    r = hrh.cumulative_incidence(d, duration="t", cause="c")
    third = pytest.approx(1 / 3, rel=1e-15)
    assert r.at([0.0, 1.0])["cumulative_incidence"].to_list() == [0.0, third, 0.0, third]
    km = hrh.kaplan_meier(
        {"t": [1.0, 2.0, 3.0], "e": [1, 0, 1], "g": [0, 2**31, 2**31]},
        duration="t",
        event="e",
        by="g",
    )
    assert km.at([1.5])["g"].to_list() == [0, 2**31]


def test_transitions_with_ten_thousand_states() -> None:
    # Issue reproducer without a test until now: dense k x k tables of 10,000 states
    # (3.2 GB) aborted the interpreter before the core counted its states.
    n = 10_000
    panel = {"id": list(range(n)), "year": [2020] * n, "s": [f"s{i}" for i in range(n)]}
    with pytest.raises(hrh.InputError, match="10000 states is more than 4096"):
        hrh.transitions(panel, id="id", time="year", state="s")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"draws": -1}, r"argument 'draws': -1 must be an integer from 0 to 2\*\*63 - 1"),
        ({"draws": 2**70}, r"argument 'draws': \d+ must be an integer"),
        ({"draws": 1.5}, r"argument 'draws': 1.5 must be an integer"),
        ({"seed": -1}, r"argument 'seed': -1 must be an integer from 0 to 2\*\*64 - 1"),
        ({"hours_per_day": 25}, r"argument 'hours_per_day': 25 hours a day must be more than 0"),
        ({"hours_per_day": 0}, r"argument 'hours_per_day': 0 hours a day must be more than 0"),
        ({"days_per_week": 8}, r"argument 'days_per_week': 8 must be more than 0 and at most 7"),
    ],
)
def test_wisn_arguments_out_of_range_are_named(kwargs: dict[str, object], message: str) -> None:
    # draws=-1 and 2**70 raised OverflowError from the binding, draws=1.5 was accepted
    # and 25 hours a day gave a workload no one can work.
    services = {"activity": ["a"], "workload": [100.0], "unit_time": [0.5]}
    with pytest.raises(hrh.InputError, match=message):
        hrh.wisn(services, available_time=1500.0, **kwargs)  # type: ignore[arg-type]


def test_available_working_time_beyond_a_day_is_named() -> None:
    with pytest.raises(hrh.InputError, match="at most 24"):
        hrh.available_working_time(
            working_days=260,
            holidays=10,
            annual_leave=20,
            sick_leave=5,
            other_leave=2,
            hours_per_day=25,
        )


NAN = float("nan")

# Functions that take arrays as arguments (not columns of a table): a bad value is named
# as an argument, with its item and value, whether Python or the core finds it.
ARRAY_ARGUMENTS = [
    (lambda: hrh.gini([1, NAN, 3]), r"^argument 'values', item 1: value is NaN"),
    (lambda: hrh.gini([1, -2, 3]), r"^argument 'values', item 1: value -2 is negative"),
    (lambda: hrh.gini([1, 2], [1, 0]), r"^argument 'weights', item 1: value 0 is not positive"),
    (lambda: hrh.gini([1, 2, 3], [1, 1]), r"^argument 'weights': has length 2 but 'values'"),
    (lambda: hrh.gini([]), r"^argument 'values': is empty"),
    (lambda: hrh.lorenz([1, None, 3]), r"^argument 'values', item 1: value is null"),
    (lambda: hrh.theil([1, -1, 3]), r"^argument 'values', item 1: value -1 is negative"),
    (lambda: hrh.theil([1, 0, 3], kind="L"), r"^argument 'values', item 1: value 0: Theil L"),
    (lambda: hrh.theil([1, 2], groups=["a", None]), r"^argument 'groups', item 1: value is null"),
    (
        lambda: hrh.generalized_entropy([1, 0, 3], alpha=0),
        r"^argument 'values', item 1: value 0",
    ),
    (
        lambda: hrh.atkinson([2, 0, 3], epsilon=1),
        r"^argument 'values', item 1: value 0: Atkinson",
    ),
    (lambda: hrh.cv([1, "x"]), r"^argument 'values', item 1: value 'x' is not a number"),
    (
        lambda: hrh.concentration_index([1, 2, 3], [1, NAN, 2]),
        r"^argument 'rank', item 1: value is NaN",
    ),
    (
        lambda: hrh.concentration_index([1, 5, 3], [1, 2, 3], correction="wagstaff", bounds=(0, 2)),
        r"^argument 'values', item 1: value 5 lies outside bounds",
    ),
    (
        lambda: hrh.polarization([1, -1, 3], method="wolfson"),
        r"^argument 'values', item 1: value -1 is negative",
    ),
    (
        lambda: hrh.polarization([1, 2, 3], method="zhang_kanbur", groups=[1, 2]),
        r"^argument 'groups': has length 2 but 'values' has length 3",
    ),
    (lambda: hrh.annualize([0.1, 1.5], [1, 1]), r"^argument 'proportion', item 1: value 1.5"),
    (lambda: hrh.annualize([0.1, 0.5], [1, -1]), r"^argument 'years', item 1: value -1"),
    (lambda: hrh.rate([1, -2], [1, 1]), r"^argument 'events', item 1: value -2 is negative"),
    (lambda: hrh.poisson_ci([1, 2], [1, 0]), r"^argument 'exposure', item 1: value 0 is not"),
    (lambda: hrh.rate_ratio(1, 10, -2, 10), r"^argument 'events2', item 0: value -2"),
    (
        lambda: hrh.trend(time=[2000, 2001, 2002, 2003], value=[1, NAN, 3, 4]),
        r"^argument 'value', item 1: value is NaN",
    ),
    (
        lambda: hrh.trend(time=[2000, 2001, 2002, 2003], value=[1, 2, 0, 4], model="loglinear"),
        r"^argument 'value', item 2: value 0.0 is not positive",
    ),
    (
        lambda: hrh.backtest(time=[2000, 2001, 2001, 2003, 2004], value=[1, 2, 3, 4, 5]),
        r"^argument 'time', item 2: time 2001 is duplicated",
    ),
]


@pytest.mark.parametrize(("call", "message"), ARRAY_ARGUMENTS)
def test_array_arguments_are_named_as_arguments(call: Any, message: str) -> None:
    with pytest.raises(hrh.InputError, match=message):
        call()


def test_table_columns_stay_columns() -> None:
    with pytest.raises(hrh.InputError, match=r"^column 'v', row 1: value is NaN"):
        hrh.trend({"t": [2000, 2001, 2002], "v": [1, NAN, 3]}, time="t", value="v")
    data = {"t": [2000, 2001, 2002, 2003], "v": [1.0, 2.0, 0.0, 4.0]}
    with pytest.raises(hrh.InputError, match=r"^column 'v', row 2: value 0.0 is not positive"):
        hrh.trend(data, time="t", value="v", model="loglinear")
    with pytest.raises(hrh.InputError, match=r"^column 'staff', row 1"):
        hrh.equity({"staff": [1, -1], "pop": [10, 10]}, staff="staff", population="pop")
