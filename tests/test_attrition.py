"""Attrition API: hand-checked values, invariants, and every bad-input rule."""

from __future__ import annotations

import datetime as dt
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hrh

D = pl.DataFrame(
    {
        "years": [1.0, 2.0, 3.0, 3.0, 4.0, 5.0, 2.5, 6.0],
        "left": [1, 0, 1, 1, 0, 1, 1, 0],
        "cadre": ["doctor", "doctor", "nurse", "nurse", "doctor", "nurse", "nurse", "doctor"],
        "age": [30.0, 45.0, 28.0, 52.0, 38.0, 41.0, 33.0, 60.0],
    }
)


# --- bad input --------------------------------------------------------------------------


def test_negative_and_null_durations() -> None:
    bad = D.with_columns(pl.Series("years", [1.0, -2.0, 3, 3, 4, 5, 2.5, 6]))
    with pytest.raises(hrh.InputError, match=r"column 'years', row 1: value -2.0 is negative"):
        hrh.kaplan_meier(bad, duration="years", event="left")
    bad = D.with_columns(pl.Series("years", [1.0, None, 3, 3, 4, 5, 2.5, 6]))
    with pytest.raises(hrh.InputError, match=r"column 'years', row 1: value is null"):
        hrh.nelson_aalen(bad, duration="years", event="left")
    bad = D.with_columns(pl.Series("years", [1.0, math.nan, 3, 3, 4, 5, 2.5, 6]))
    with pytest.raises(hrh.InputError, match=r"column 'years', row 1: value is NaN"):
        hrh.cox(bad, duration="years", event="left", covariates=["age"])


def test_entry_not_before_exit() -> None:
    d = D.with_columns(pl.Series("start", [0.0, 0, 3.0, 0, 0, 0, 0, 0]))
    with pytest.raises(
        hrh.InputError, match=r"column 'entry', row 2: entry 3 is not before the exit time 3"
    ):
        hrh.kaplan_meier(d, duration="years", event="left", entry="start")
    with pytest.raises(hrh.InputError, match=r"column 'entry', row 2: entry 3 is not before"):
        hrh.cox(d, duration="years", event="left", covariates=["age"], entry="start")


def test_exit_date_before_entry_date() -> None:
    reg = pl.DataFrame(
        {
            "hired": [dt.date(2020, 1, 1), dt.date(2021, 6, 1)],
            "left": [dt.date(2022, 1, 1), dt.date(2021, 1, 1)],
        }
    )
    with pytest.raises(
        hrh.InputError,
        match=r"column 'left', row 1: exit date 2021-01-01 is before the entry date 2021-06-01",
    ):
        hrh.person_time(reg, entry="hired", exit="left")


def test_event_codes_outside_the_set() -> None:
    bad = D.with_columns(pl.Series("left", [1, 0, 2, 1, 0, 1, 1, 0]))
    with pytest.raises(
        hrh.InputError, match=r"column 'left', row 2: value 2 is not 0 \(censored\) or 1 \(exit\)"
    ):
        hrh.kaplan_meier(bad, duration="years", event="left")
    with pytest.raises(hrh.InputError, match=r"column 'left', row 2: value 2 is not 0"):
        hrh.logrank(bad, duration="years", event="left", group="cadre")
    bad = D.with_columns(pl.Series("left", ["y", "n", "y", "y", "n", "y", "y", "n"]))
    with pytest.raises(hrh.InputError, match=r"column 'left' has type String, expected 0/1"):
        hrh.kaplan_meier(bad, duration="years", event="left")


def test_unknown_causes() -> None:
    d = {"t": [1, 2, 3], "why": ["resignation", "emigration", None]}
    with pytest.raises(
        hrh.InputError,
        match=r"column 'why', row 1: cause 'emigration' is not one of \['resignation', "
        r"'retirement'\]",
    ):
        hrh.cumulative_incidence(d, duration="t", cause="why", causes=["resignation", "retirement"])
    with pytest.raises(hrh.InputError, match=r"column 'why', row 1: value -1 is negative"):
        hrh.cumulative_incidence({"t": [1, 2], "why": [1, -1]}, duration="t", cause="why")


def test_all_censored_is_a_documented_result_not_a_crash() -> None:
    d = D.with_columns(pl.lit(0).alias("left"))
    km = hrh.kaplan_meier(d, duration="years", event="left")
    assert (km.table["survival"] == 1.0).all()
    assert km.median()["time"].item() is None
    with pytest.raises(hrh.InputError, match=r"every observation is censored"):
        hrh.cox(d, duration="years", event="left", covariates=["age"])
    with pytest.raises(hrh.InputError, match=r"no exits at all"):
        hrh.cumulative_incidence({"t": [1, 2], "c": [None, None]}, duration="t", cause="c")


def test_constant_collinear_and_too_few_rows() -> None:
    d = D.with_columns(pl.lit(3.0).alias("grade"), (pl.col("age") * 2 + 1).alias("age2"))
    with pytest.raises(hrh.InputError, match=r"column 'grade': is constant"):
        hrh.cox(d, duration="years", event="left", covariates=["age", "grade"])
    with pytest.raises(hrh.InputError, match=r"column 'age2': is a linear combination"):
        hrh.cox(d, duration="years", event="left", covariates=["age", "age2"])
    with pytest.raises(
        hrh.InputError, match=r"2 covariates need more than 2 rows; the data have 2"
    ):
        hrh.cox(d.head(2), duration="years", event="left", covariates=["age", "age2"])
    with pytest.raises(hrh.InputError, match=r"column 'cadre': has a single level"):
        hrh.cox(d.head(2), duration="years", event="left", covariates=["cadre"])


def test_separation_is_a_convergence_error_naming_the_covariate() -> None:
    d = pl.DataFrame(
        {
            "t": [1.0, 2, 3, 4, 5, 6, 7, 8],
            "e": [1, 1, 1, 1, 0, 0, 0, 0],
            "commune": [1, 1, 1, 1, 0, 0, 0, 0],
        }
    )
    with pytest.raises(hrh.ConvergenceError, match=r"'commune'") as info:
        hrh.cox(d, duration="t", event="e", covariates=["commune"])
    assert isinstance(info.value, ArithmeticError)
    assert "stratify" in info.value.hint


# --- values and invariants --------------------------------------------------------------


def test_kaplan_meier_by_group_and_methods() -> None:
    km = hrh.kaplan_meier(D, duration="years", event="left", by="cadre")
    assert km.table.columns[:2] == ["cadre", "time"]
    nurses = km.table.filter(pl.col("cadre") == "nurse")
    # nurse times: 2.5, 3, 3, 5 all exits: S = 3/4, 1/4, 0.
    assert nurses["survival"].to_list() == pytest.approx([0.75, 0.25, 0.0])
    med = km.median()
    assert med.filter(pl.col("cadre") == "nurse")["time"].item() == 3.0
    r = km.rmst(5.0).filter(pl.col("cadre") == "nurse")
    assert r["rmst"].item() == pytest.approx(2.5 + 0.75 * 0.5 + 0.25 * 2)
    at = km.at([0.0, 3.0, 10.0]).filter(pl.col("cadre") == "nurse")
    assert at["survival"].to_list() == pytest.approx([1.0, 0.25, 0.0])


def test_cumulative_incidence_sums_with_survival_to_one() -> None:
    reg = hrh.datasets.synthetic_register(seed=3, n_active=300)
    end = dt.date(2024, 12, 31)
    years = (reg["exit_date"].fill_null(end) - reg["hire_date"]).dt.total_days() / 365.25
    d = reg.with_columns(years=years)
    ci = hrh.cumulative_incidence(d, duration="years", cause="exit_reason", by="cadre")
    total = ci.table.group_by("cadre", "time").agg(
        pl.col("cumulative_incidence").sum(), pl.col("in_post").first()
    )
    np.testing.assert_allclose(total["cumulative_incidence"] + total["in_post"], 1.0, atol=1e-12)
    assert ci.gray_test is not None and ci.gray_test.height == len(ci.causes)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 30), st.booleans()), min_size=1, max_size=60))
def test_kaplan_meier_is_non_increasing_and_within_limits(rows: list[tuple[int, bool]]) -> None:
    d = {"t": [float(r[0]) for r in rows], "e": [int(r[1]) for r in rows]}
    km = hrh.kaplan_meier(d, duration="t", event="e")
    s = km.table["survival"].to_numpy()
    assert np.all(np.diff(s) <= 1e-15)
    assert np.all((s >= 0) & (s <= 1))
    lo = km.table["lower"].to_numpy(allow_copy=True)
    ok = ~np.isnan(lo.astype(float))
    assert np.all(lo[ok] <= s[ok] + 1e-12)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from(["year", "quarter", "month"]))
def test_person_time_conserves_people(seed: int, period: str) -> None:
    rng = np.random.default_rng(seed)
    n = 40
    hired = np.array(
        [dt.date(2015, 1, 1) + dt.timedelta(days=int(x)) for x in rng.integers(0, 3000, n)]
    )
    stay = rng.integers(1, 2500, n)
    exits = [
        h + dt.timedelta(days=int(s)) if rng.random() < 0.6 else None
        for h, s in zip(hired, stay, strict=True)
    ]
    reg = pl.DataFrame({"hired": list(hired), "left": exits, "g": rng.integers(0, 3, n)})
    pt = hrh.person_time(
        reg,
        entry="hired",
        exit="left",
        by="g",
        period=period,  # type: ignore[arg-type]
        start="2016-01-01",
        end="2023-01-01",
    )
    lhs = pt["headcount_start"] + pt["entrants"] - pt["exits"]
    np.testing.assert_allclose(lhs, pt["headcount_end"])
    for _, part in pt.group_by("g"):
        part = part.sort("period_start")
        np.testing.assert_allclose(part["headcount_end"][:-1], part["headcount_start"][1:])
    # Person-years never exceed headcount capacity.
    days = (pt["period_end"] - pt["period_start"]).dt.total_days()
    cap = (pt["headcount_start"] + pt["entrants"]) * days / 365.25
    assert (pt["person_years"] <= cap + 1e-9).all()


def test_person_time_rates_and_reasons() -> None:
    reg = hrh.datasets.synthetic_register()
    pt = hrh.person_time(
        reg,
        entry="hire_date",
        exit="exit_date",
        reason="exit_reason",
        by="cadre",
        start="2020-01-01",
        end="2025-01-01",
    )
    assert {"exits_resignation", "exits_retirement", "exits_transfer", "exits_death"} <= set(
        pt.columns
    )
    reasons = pt.select(pl.sum_horizontal(pl.col("^exits_.*$"))).to_series()
    np.testing.assert_allclose(reasons, pt["exits"])
    r = pt.filter(pl.col("person_years") > 0)
    np.testing.assert_allclose(r["exit_rate"], 100 * r["exits"] / r["person_years"])
    assert (r["lower"] <= r["exit_rate"]).all()
    in_post_2025 = pt.filter(pl.col("period_start") == dt.date(2024, 1, 1))["headcount_end"].sum()
    assert in_post_2025 == 3087


def test_rate_and_annualize() -> None:
    out = hrh.rate([0, 11], [100, 360], per=100)
    assert out["rate"].to_list() == pytest.approx([0.0, 11 / 3.6])
    assert out["lower"][0] == 0.0
    a = hrh.annualize([0.271, 0.5], [3, 1])
    assert a[1] == 0.5
    assert 1 - (1 - a[0]) ** 3 == pytest.approx(0.271)
    with pytest.raises(hrh.InputError, match=r"argument 'proportion', item 0: value 1.5 is"):
        hrh.annualize(1.5, 2)


def test_life_table_by_hand() -> None:
    lt = hrh.life_table(D, duration="years", event="left", width=2)
    assert lt["start"].to_list() == [0.0, 2.0, 4.0, 6.0]
    assert lt["entered"].to_list() == [8.0, 7.0, 3.0, 1.0]
    assert lt["at_risk"][1] == 7 - 1 / 2  # one withdrawal at 2


def test_cox_categorical_contrast_and_prediction() -> None:
    reg = hrh.datasets.synthetic_register(seed=5, n_active=400)
    end = dt.date(2024, 12, 31)
    d = reg.with_columns(
        years=(pl.col("exit_date").fill_null(end) - pl.col("hire_date")).dt.total_days() / 365.25,
        resigned=(pl.col("exit_reason") == "resignation").fill_null(False).cast(pl.Int8),
    )
    m = hrh.cox(
        d,
        duration="years",
        event="resigned",
        covariates=["facility_level", "sex"],
        reference={"facility_level": "provincial"},
    )
    assert m.summary["term"].to_list() == [
        "facility_level[commune]",
        "facility_level[district]",
        "sex[male]",
    ]
    new = pl.DataFrame({"facility_level": ["commune", "provincial"], "sex": ["female", "female"]})
    pred = m.predict_survival(new, [1.0, 5.0])
    commune = pred.filter(pl.col("row") == 0)["survival"].to_numpy()
    provincial = pred.filter(pl.col("row") == 1)["survival"].to_numpy()
    hr = m.summary["exp_coef"][0]
    np.testing.assert_allclose(commune, provincial**hr, rtol=1e-12)
    with pytest.raises(hrh.InputError, match=r"column 'facility_level', row 0: level 'national'"):
        m.predict_survival(new.with_columns(pl.lit("national").alias("facility_level")), [1.0])


# --- unweighted curves counted straight from the columns -------------------------------


def _spells(n: int, seed: int = 0) -> pl.DataFrame:
    """Whole-day durations with many ties, about 60 % exits, three cadres."""
    rng = np.random.default_rng(seed)
    exit_time = rng.exponential(365.25 * 8, n)
    follow_up = rng.uniform(0, 365.25 * 20, n)
    return pl.DataFrame(
        {
            "t": np.ceil(np.minimum(exit_time, follow_up)).astype(np.int64),
            "e": (exit_time <= follow_up).astype(np.int64),
            "cadre": rng.choice(["doctor", "midwife", "nurse"], n),
            "w": np.ones(n),
        }
    )


@pytest.mark.parametrize("by", [None, "cadre"])
def test_unweighted_counting_equals_the_general_route(by: str | None) -> None:
    # Unit weights send the same rows through the general route (copies, risk sets by
    # difference arrays); counting by value must give the same bits.
    d = _spells(60_000)
    want_km = hrh.kaplan_meier(d, duration="t", event="e", by=by, weights="w").table
    want_na = hrh.nelson_aalen(
        d, duration="t", event="e", by=by, weights="w", ties="fleming-harrington"
    ).table
    variants = {
        "int64 / int64": d,
        "float64 days / bool": d.with_columns(pl.col("t").cast(pl.Float64), pl.col("e") == 1),
        "int32 / float64": d.with_columns(pl.col("t").cast(pl.Int32), pl.col("e").cast(float)),
        "uint16 / int8": d.with_columns(pl.col("t").cast(pl.UInt16), pl.col("e").cast(pl.Int8)),
        "two chunks": pl.concat([d.head(25_000), d.tail(35_000)], rechunk=False),
    }
    codes = np.zeros(d.height, dtype=np.uint32)
    counted = hrh._core.kaplan_meier_unweighted(
        d["t"].to_numpy(),
        d["e"].to_numpy(),
        codes,
        1,
        names=("t", "e"),
        conf_type="log",
        level=0.95,
    )
    assert counted is not None  # these data take the counting route
    for name, v in variants.items():
        km = hrh.kaplan_meier(v, duration="t", event="e", by=by).table
        assert km.equals(want_km), name
        na = hrh.nelson_aalen(v, duration="t", event="e", by=by, ties="fleming-harrington")
        assert na.table.equals(want_na), name


def test_unweighted_counting_of_fractional_and_widely_spread_durations() -> None:
    d = _spells(20_000, seed=1)
    years = pl.col("t") / 365.25
    first_half = pl.int_range(pl.len()) < 10_000
    for t in [
        pl.col("t") / 7,
        pl.col("t") * 1_000_003,
        pl.col("t") / 7 * 1e12,
        # Whole numbers of a unit, counted in bins of that unit.
        years,
        years.round(2),
        years.round(4),
        pl.col("t") / 12,
        pl.when(first_half).then(years.round(1)).otherwise(years.round(3)),
        pl.when(first_half).then(pl.col("t").cast(pl.Float64)).otherwise(years),
    ]:
        v = d.with_columns(t.alias("t"))
        for by in [None, "cadre"]:
            km = hrh.kaplan_meier(v, duration="t", event="e", by=by).table
            assert km.equals(hrh.kaplan_meier(v, duration="t", event="e", by=by, weights="w").table)
            na = hrh.nelson_aalen(v, duration="t", event="e", by=by).table
            assert na.equals(hrh.nelson_aalen(v, duration="t", event="e", by=by, weights="w").table)


def _with_threads(threads: str, code: str, *args: Path) -> None:
    """Run `code` (with sys.argv = [..., *args]) in a fresh interpreter whose thread
    pool is capped at `threads`."""
    env = {**os.environ, "HRH_NUM_THREADS": threads}
    cmd = [sys.executable, "-c", code, *map(str, args)]
    subprocess.run(cmd, env=env, check=True)


def test_unweighted_counting_is_the_same_for_any_number_of_threads(tmp_path: Path) -> None:
    code = (
        "import sys, polars as pl, hrh\n"
        "d = pl.read_parquet(sys.argv[1])\n"
        "km = hrh.kaplan_meier(d, duration='t', event='e', by='cadre')\n"
        "km.table.write_parquet(sys.argv[2])\n"
        "y = d.with_columns((pl.col('t') / 365.25).round(2))\n"
        "km = hrh.kaplan_meier(y, duration='t', event='e', by='cadre')\n"
        "km.table.write_parquet(sys.argv[2].replace('km_', 'years_'))\n"
    )
    src = tmp_path / "spells.parquet"
    _spells(300_000, seed=2).write_parquet(src)
    for threads in ["1", "2"]:
        _with_threads(threads, code, src, tmp_path / f"km_{threads}.parquet")
    for name in ["km", "years"]:
        one, two = (pl.read_parquet(tmp_path / f"{name}_{t}.parquet") for t in "12")
        assert one.equals(two)


def test_person_time_is_the_same_for_any_number_of_threads(tmp_path: Path) -> None:
    code = (
        "import sys, polars as pl, hrh\n"
        "reg = hrh.datasets.synthetic_register(seed=4, n_active=60_000)\n"
        "pt = hrh.person_time(reg, entry='hire_date', exit='exit_date', reason='exit_reason',\n"
        "                     by='cadre', period='month', start='2005-01-01', end='2025-01-01')\n"
        "pt.write_parquet(sys.argv[1])\n"
    )
    for threads in ["1", "2"]:
        _with_threads(threads, code, tmp_path / f"pt_{threads}.parquet")
    one, two = (pl.read_parquet(tmp_path / f"pt_{t}.parquet") for t in "12")
    assert one.height > 1000
    assert one.equals(two)


def test_person_time_reason_codes_by_text_and_group_codes_in_key_order() -> None:
    reg = pl.DataFrame(
        {
            "hired": [dt.date(2020, 1, 1)] * 4,
            "left": [dt.date(2020, 6, 1), dt.date(2020, 7, 1), None, dt.date(2021, 2, 1)],
            "why": [10, 2, None, 10],
            "unit": ["b", "a", "b", "c"],
        }
    )
    pt = hrh.person_time(reg, entry="hired", exit="left", reason="why", by="unit")
    assert [c for c in pt.columns if c.startswith("exits_")] == ["exits_10", "exits_2"]
    assert pt["unit"].to_list() == ["a", "a", "b", "b", "c", "c"]
    assert pt["exits_10"].to_list() == [0, 0, 1, 0, 0, 1]
    assert pt["exits_2"].to_list() == [1, 0, 0, 0, 0, 0]
    with pytest.raises(
        hrh.InputError,
        match=r"column 'why', row 2: value is null but the person has an exit date",
    ):
        hrh.person_time(
            reg.with_columns(left=pl.lit(dt.date(2022, 1, 1))),
            entry="hired",
            exit="left",
            reason="why",
        )


@pytest.mark.parametrize(
    ("t", "e", "message"),
    [
        ([1, -2, 3, 4], [1, 0, 1, 1], r"column 't', row 1: value -2 is negative; t must be >= 0"),
        ([1.0, -2.0, 3, math.nan], [1, 0, 1, 1], r"column 't', row 3: value is NaN"),
        ([1.0, math.inf, 3, -4.0], [1, 0, 1, 1], r"column 't', row 1: value inf is not a finite"),
        ([1.5, 2, 3, 4], [1, 0, 2, 1], r"column 'e', row 2: value 2 is not 0 \(censored\) or 1"),
        ([1, 2, 3, 4], [1.0, 0.5, 1, 1], r"column 'e', row 1: value 0.5 is not 0 \(censored\)"),
        ([1, 2, 3, 4], [1, 0, -1, 1], r"column 'e', row 2: value -1 is not 0 \(censored\)"),
    ],
)
def test_unweighted_counting_reports_bad_values(
    t: list[float], e: list[float], message: str
) -> None:
    # The same message from the counting route and from the general one (weights).
    d = pl.DataFrame({"t": t, "e": e, "g": ["a", "b", "a", "b"], "w": [1.0] * 4})
    for by, w in [(None, None), ("g", None), (None, "w")]:
        with pytest.raises(hrh.InputError, match=message):
            hrh.kaplan_meier(d, duration="t", event="e", by=by, weights=w)
        with pytest.raises(hrh.InputError, match=message):
            hrh.nelson_aalen(d, duration="t", event="e", by=by, weights=w)


def test_unweighted_counting_finds_the_first_bad_row_of_a_large_input() -> None:
    d = _spells(200_000).with_columns(pl.col("t").cast(pl.Int32))
    t = d["t"].to_numpy().copy()
    t[[150_001, 199_999]] = [-3, -1]
    with pytest.raises(hrh.InputError, match=r"column 't', row 150001: value -3 is negative"):
        hrh.kaplan_meier(d.with_columns(t=t), duration="t", event="e")
    e = d["e"].to_numpy().copy()
    e[[170_000, 120_000]] = 2
    with pytest.raises(hrh.InputError, match=r"column 'e', row 120000: value 2 is not 0"):
        hrh.kaplan_meier(d.with_columns(e=e), duration="t", event="e", by="cadre")
    # The caller's columns are left as they were.
    assert d["t"].min() == 1


@pytest.mark.parametrize("arrow_type", [None, "string", "large_string"])
def test_string_group_codes_read_in_place(arrow_type: str | None) -> None:
    # Short values (inline in Arrow string views), long ones, non-ASCII, empty, nulls,
    # several chunks and a slice: codes in sorted order with null last, as a join gives.
    import pyarrow as pa

    from hrh._frames import value_codes

    rng = np.random.default_rng(5)
    words = ["nurse", "", "é-ü ñ", "a" * 12, "a" * 12 + "b", "clinical_officer", "z" * 40]
    picks = rng.integers(0, len(words) + 1, 150_000)
    s = pl.Series("cadre", [words[i] if i < len(words) else None for i in picks])
    s = pl.concat([s[:70_000], s[70_000:]], rechunk=False)[3:]
    want = s.to_frame().join(
        s.unique().sort(nulls_last=True).to_frame().with_row_index("code"),
        on="cadre",
        how="left",
        maintain_order="left",
        nulls_equal=True,
    )
    if arrow_type is None:
        codes, values = value_codes(s)
    else:
        column = pa.chunked_array([pa.array(s.to_list(), type=getattr(pa, arrow_type)())])
        read = hrh._core.string_codes(column)
        assert read is not None
        codes, values = read[0], pl.Series("cadre", read[1], dtype=pl.String)
    assert values.to_list() == [*sorted(words), None]
    np.testing.assert_array_equal(codes, want["code"].to_numpy())
    assert hrh._core.string_codes(pl.Series([1, 2])) is None


def test_boolean_covariates_and_a_logrank_without_events() -> None:
    d = {"t": [1.0, 2, 3, 4, 5, 6], "e": [1, 1, 0, 1, 1, 0], "male": [True, False] * 3}
    fit = hrh.cox(d, duration="t", event="e", covariates=["male"])
    coded = hrh.cox({**d, "male": [1.0, 0.0] * 3}, duration="t", event="e", covariates=["male"])
    assert fit.summary["term"].to_list() == ["male[true]"]
    assert fit.summary["coef"][0] == pytest.approx(coded.summary["coef"][0], rel=1e-12)
    flipped = hrh.cox(d, duration="t", event="e", covariates=["male"], reference={"male": True})
    assert flipped.summary["coef"][0] == pytest.approx(-coded.summary["coef"][0], rel=1e-12)
    none = {"t": [1.0, 2, 3, 4], "e": [0, 0, 0, 0], "g": ["a", "a", "b", "b"]}
    with pytest.raises(hrh.InputError, match="column 'e': holds no events"):
        hrh.logrank(none, duration="t", event="e", group="g")


# Found by tests/test_fuzz.py: each raised a foreign exception before it was checked.
def test_cause_columns_and_arguments_that_cannot_be_read_are_input_errors() -> None:
    with pytest.raises(hrh.InputError, match=r"column 'c' has type List\(Int64\), expected"):
        hrh.cumulative_incidence({"t": [1.0, 2], "c": [[1], [0]]}, duration="t", cause="c")
    with pytest.raises(hrh.InputError, match=r"column 'c', row 1: value 1e\+308 is not an"):
        hrh.cumulative_incidence({"t": [1.0, 2], "c": [1.0, 1e308]}, duration="t", cause="c")
    with pytest.raises(hrh.InputError, match=r"argument 'causes': 0.0 is not a list"):
        hrh.cumulative_incidence(
            {"t": [1.0, 2], "c": [1, 0]},
            duration="t",
            cause="c",
            causes=0.0,  # type: ignore[arg-type]
        )
    with pytest.raises(hrh.InputError, match=r"argument 'width': None is not a number"):
        hrh.life_table({"t": [1.0], "e": [0]}, duration="t", event="e", width=None)  # type: ignore[arg-type]
    with pytest.raises(hrh.InputError, match=r"argument 'group': 1.5 is not a column name"):
        hrh.logrank({"t": [1.0], "e": [1]}, duration="t", event="e", group=1.5)  # type: ignore[arg-type]


def test_person_time_period_and_object_keys_are_input_errors() -> None:
    # Found by tests/test_fuzz.py: period=0.0 reached the core (TypeError); a key column
    # of Python objects reached polars' sort (InvalidOperationError).
    reg = {"entry": [dt.date(2000, 1, 1)], "exit": [dt.date(2001, 1, 1)]}
    with pytest.raises(hrh.InputError, match=r"argument 'period': 0.0 is not 'year'"):
        hrh.person_time(reg, entry="entry", exit="exit", period=0.0)  # type: ignore[arg-type]
    d = pl.DataFrame(
        {"t": [1.0, 2.0], "e": [1, 1], "g": [1, "a"]}, schema_overrides={"g": pl.Object}
    )
    with pytest.raises(hrh.InputError, match=r"column 'g' has type Object in data; keys must"):
        hrh.logrank(d, duration="t", event="e", group="g")


def test_logrank_term_is_null_where_nothing_is_expected() -> None:
    # Found by tests/test_fuzz.py: (O - E)^2 / E was NaN (0 / 0) for a group with nobody
    # at risk at any exit time; the contract asks for null. (Groups b and c can be
    # compared; with a and b alone there is nothing to compare, an InputError.)
    d = {
        "t": [0.0, 0.0, 0.0, 2.0, 0.0, 1.0, 1.5, 3.0],
        "e": [0, 0, 0, 1, 0, 1, 1, 1],
        "g": ["a", "a", "a", "b", "b", "b", "c", "c"],
    }
    r = hrh.logrank(d, duration="t", event="e", group="g")
    assert r.table["expected"].to_list()[0] == 0.0
    assert r.table["oe2_over_e"].to_list()[0] is None
    assert r.df == 1 and 0 < r.p_value < 1


def test_logrank_rho_and_cumulative_incidence_float_causes() -> None:
    # Found by tests/test_fuzz.py (long profile): rho="x" raised ValueError; a float
    # cause code outside `causes` raised a polars InvalidOperationError.
    d = {"t": [1.0, 2.0], "e": [1, 1], "g": ["a", "b"]}
    with pytest.raises(hrh.InputError, match=r"argument 'rho': 'x' is not a number"):
        hrh.logrank(d, duration="t", event="e", group="g", rho="x")  # type: ignore[arg-type]
    with pytest.raises(hrh.InputError, match=r"column 'c', row 1: cause 2 is not one of \[1\]"):
        hrh.cumulative_incidence(
            {"t": [1.0, 2.0], "c": [None, 2.0]}, duration="t", cause="c", causes=[1]
        )


def test_nan_group_key_and_object_reason_are_input_errors() -> None:
    # Found by tests/test_fuzz.py (long profile): a NaN key passed the unweighted path and
    # came back as a NaN group; a reason column of Python objects raised a polars error.
    d = {"t": [1.0, 1.0], "e": [0, 1], "g": [1.0, math.nan]}
    with pytest.raises(hrh.InputError, match=r"column 'g', row 1: value is NaN"):
        hrh.nelson_aalen(d, duration="t", event="e", by="g")
    with pytest.raises(hrh.InputError, match=r"column 'g', row 1: value is NaN"):
        hrh.kaplan_meier(d, duration="t", event="e", by="g")
    reg = pl.DataFrame(
        {
            "entry": [dt.date(2000, 1, 1)] * 2,
            "exit": [dt.date(2000, 6, 1)] * 2,
            "why": [1, b"x"],
        },
        schema_overrides={"why": pl.Object},
    )
    with pytest.raises(hrh.InputError, match=r"column 'why' has type Object in register"):
        hrh.person_time(reg, entry="entry", exit="exit", reason="why")


# --- event codes given as labels (event_values=) ------------------------------------

_LABELLED = {
    "t": [1.0, 2, 3, 4, 5, 6, 7, 8],
    "why": ["resigned", "in post", "retired", "resigned", None, "in post", "died", "retired"],
    "g": ["a", "a", "a", "a", "b", "b", "b", "b"],
}
_CODES = {"resigned": 1, "retired": 2, "died": 2, "in post": 0, None: 0}
# The same people with 0/1 exit codes.
_BINARY = {"t": _LABELLED["t"], "e": [1, 0, 1, 1, 0, 0, 1, 1], "g": _LABELLED["g"]}


def test_event_values_give_the_results_of_0_1_codes() -> None:
    lab = {"duration": "t", "event": "why", "event_values": _CODES}
    bin_ = {"duration": "t", "event": "e"}
    assert (
        hrh.kaplan_meier(_LABELLED, **lab, by="g")
        .table.drop("g")
        .equals(hrh.kaplan_meier(_BINARY, **bin_, by="g").table.drop("g"))
    )
    assert hrh.nelson_aalen(_LABELLED, **lab).table.equals(hrh.nelson_aalen(_BINARY, **bin_).table)
    assert hrh.life_table(_LABELLED, **lab, width=2).equals(
        hrh.life_table(_BINARY, **bin_, width=2)
    )
    a = hrh.logrank(_LABELLED, **lab, group="g")
    b = hrh.logrank(_BINARY, **bin_, group="g")
    assert (a.statistic, a.df, a.p_value) == (b.statistic, b.df, b.p_value)
    x = {"x": [0.5, 1.2, 0.3, 2.0, 1.1, 0.7, 1.9, 0.2]}
    c = hrh.cox({**_LABELLED, **x}, **lab, covariates=["x"])
    d = hrh.cox({**_BINARY, **x}, **bin_, covariates=["x"])
    assert c.summary.equals(d.summary)
    # The list form: the labels that are exits; a null is still in post.
    exits = ["resigned", "retired", "died"]
    data = {**_LABELLED, "why": [v if v != "in post" else None for v in _LABELLED["why"]]}
    assert hrh.kaplan_meier(data, duration="t", event="why", event_values=exits).table.equals(
        hrh.kaplan_meier(_BINARY, **bin_).table
    )
    # A categorical column reads the same.
    cat = pl.DataFrame(_LABELLED).with_columns(pl.col("why").cast(pl.Categorical))
    assert hrh.kaplan_meier(cat, **lab).table.equals(hrh.kaplan_meier(_BINARY, **bin_).table)


def test_event_values_name_the_causes_of_cumulative_incidence() -> None:
    ci = hrh.cumulative_incidence(_LABELLED, duration="t", cause="why", event_values=_CODES)
    assert ci.causes == ["resigned", "retired / died"]
    assert ci.table["cause"].unique(maintain_order=True).to_list() == ci.causes
    # The same as recoding the labels by hand.
    recoded = [
        {"resigned": "resigned", "retired": "retired / died", "died": "retired / died"}.get(v)
        for v in _LABELLED["why"]
    ]
    by_hand = hrh.cumulative_incidence(
        {"t": _LABELLED["t"], "why": recoded}, duration="t", cause="why"
    )
    assert ci.table.equals(by_hand.table)
    # Codes give the order of the causes; the list form is `causes`.
    order = {"retired": 1, "died": 1, "resigned": 2, "in post": 0}
    ci = hrh.cumulative_incidence(_LABELLED, duration="t", cause="why", event_values=order)
    assert ci.causes == ["retired / died", "resigned"]
    data = {**_LABELLED, "why": [v if v != "in post" else None for v in _LABELLED["why"]]}
    listed = hrh.cumulative_incidence(
        data, duration="t", cause="why", event_values=["retired", "resigned", "died"]
    )
    assert listed.causes == ["retired", "resigned", "died"]
    assert listed.table.equals(
        hrh.cumulative_incidence(
            data, duration="t", cause="why", causes=["retired", "resigned", "died"]
        ).table
    )


@pytest.mark.parametrize(
    ("event_values", "message"),
    [
        (
            {"resigned": 1, "retired": 2, "in post": 0},
            r"column 'why', row 4: a null is not in event_values \('resigned', 'retired', "
            r"'in post'\); map None to 0 if a null means still in post",
        ),
        (
            {"resigned": 1, "retired": 2, None: 0},
            r"column 'why', row 1: value 'in post' is not in event_values",
        ),
        (["resigned", "retired"], r"column 'why', row 1: value 'in post' is not in event_values"),
        ({"resigned": -1}, r"argument 'event_values': code -1 of 'resigned' is not 0"),
        ({"resigned": True}, r"argument 'event_values': code True of 'resigned' is not 0"),
        ({"resigned": 1.5}, r"argument 'event_values': code 1.5 of 'resigned' is not 0"),
        ({}, r"argument 'event_values': the mapping is empty"),
        ([], r"argument 'event_values': the list of exit labels is empty"),
        (["died", "died"], r"argument 'event_values': label 'died' is listed twice"),
        ("resigned", r"argument 'event_values': 'resigned' is not a mapping of labels"),
    ],
)
def test_bad_event_values_are_named_errors(event_values: Any, message: str) -> None:
    for f in (hrh.kaplan_meier, hrh.nelson_aalen):
        with pytest.raises(hrh.InputError, match=message):
            f(_LABELLED, duration="t", event="why", event_values=event_values)
    with pytest.raises(hrh.InputError, match=message):
        hrh.logrank(_LABELLED, duration="t", event="why", group="g", event_values=event_values)
    with pytest.raises(hrh.InputError, match=message):
        hrh.life_table(_LABELLED, duration="t", event="why", width=1, event_values=event_values)
    with pytest.raises(hrh.InputError, match=message):
        hrh.cox(
            {**_LABELLED, "x": list(range(8))},
            duration="t",
            event="why",
            covariates=["x"],
            event_values=event_values,
        )


def test_event_values_in_cumulative_incidence_errors() -> None:
    with pytest.raises(hrh.InputError, match="'causes' and 'event_values': give one of them"):
        hrh.cumulative_incidence(
            _LABELLED, duration="t", cause="why", causes=["died"], event_values={"died": 1}
        )
    with pytest.raises(hrh.InputError, match=r"column 'why', row 1: value 'in post' is not in"):
        hrh.cumulative_incidence(
            _LABELLED, duration="t", cause="why", event_values={"resigned": 1, "retired": 2}
        )
    with pytest.raises(hrh.InputError, match="column 'why': no exits at all"):
        hrh.cumulative_incidence(
            _LABELLED,
            duration="t",
            cause="why",
            event_values=dict.fromkeys(["resigned", "retired", "died", "in post"], 0),
        )
    with pytest.raises(hrh.InputError, match=r"column 'event' \(event\) is not in data"):
        hrh.kaplan_meier(_LABELLED, duration="t", event="event", event_values=["died"])


def test_event_values_on_the_synthetic_register() -> None:
    """The register's exit_reason column (null while in post) read directly."""
    reg = hrh.datasets.synthetic_register(seed=3, n_active=200)
    end = dt.date(2025, 1, 1)
    years = reg.select(
        ((pl.col("exit_date").fill_null(end) - pl.col("hire_date")).dt.total_days() / 365.25).alias(
            "years"
        ),
        pl.col("exit_reason"),
        pl.col("exit_date").is_not_null().cast(pl.Int8).alias("left"),
    )
    reasons = sorted(years["exit_reason"].drop_nulls().unique().to_list())
    km = hrh.kaplan_meier(years, duration="years", event="exit_reason", event_values=reasons)
    assert km.table.equals(hrh.kaplan_meier(years, duration="years", event="left").table)


def test_life_table_by_group_equals_each_group_alone() -> None:
    rng = np.random.default_rng(4)
    n = 400
    d = pl.DataFrame(
        {
            "t": np.round(rng.exponential(3.0, n), 2),
            "e": rng.integers(0, 2, n),
            "cadre": rng.choice(["nurse", "doctor", "midwife"], n),
        }
    )
    out = hrh.life_table(d, duration="t", event="e", width=1, by="cadre")
    assert out.columns[0] == "cadre"
    assert out["cadre"].unique(maintain_order=True).to_list() == ["doctor", "midwife", "nurse"]
    for cadre in ["doctor", "midwife", "nurse"]:
        alone = hrh.life_table(d.filter(pl.col("cadre") == cadre), duration="t", event="e", width=1)
        assert out.filter(pl.col("cadre") == cadre).drop("cadre").equals(alone)
