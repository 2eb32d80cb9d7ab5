"""Density API: results computed by hand, input kinds, and every bad-input rule."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hrh

COUNTS = pl.DataFrame(
    {
        "region": ["a", "a", "b", "b"],
        "year": [2020, 2021, 2020, 2021],
        "doctors": [10, 12, 30, 31],
        "nurses": [20, 22, 15, 18],
        "population": [10_000, 10_500, 20_000, 20_400],
        "area": [50.0, 50.0, 400.0, 400.0],
    }
)


def test_counts_table_by_region_hand_computed() -> None:
    out = hrh.density(COUNTS, staff="doctors", population="population", by="region")
    assert out.columns == [
        "region",
        "staff",
        "population",
        "density",
        "lower",
        "upper",
    ]
    assert out["region"].to_list() == ["a", "b"]
    assert out["staff"].to_list() == [22.0, 61.0]
    assert out["population"].to_list() == [20_500.0, 40_400.0]
    np.testing.assert_allclose(out["density"], [22 / 20.5, 61 / 40.4], rtol=1e-15)
    assert (out["lower"] < out["density"]).all()
    assert (out["upper"] > out["density"]).all()


def test_register_counts_rows_and_sums_fte() -> None:
    reg = pl.DataFrame(
        {
            "district": ["x", "x", "y", "y", "y"],
            "fte": [1.0, 0.5, 1.0, 1.0, 0.8],
        }
    )
    pop = pl.DataFrame({"district": ["x", "y"], "population": [1000, 3000]})
    heads = hrh.density(reg, population=pop, by="district")
    assert heads["staff"].to_list() == [2.0, 3.0]
    np.testing.assert_allclose(heads["density"], [2.0, 1.0])
    fte = hrh.density(reg, staff="fte", population=pop, by="district")
    np.testing.assert_allclose(fte["staff"], [1.5, 2.8])
    np.testing.assert_allclose(fte["density"], [1.5, 2.8 / 3])


def test_population_table_summed_over_keys_not_in_by() -> None:
    reg = pl.DataFrame({"district": ["x", "y", "y"], "cadre": ["d", "d", "n"]})
    pop = pl.DataFrame(
        {
            "district": ["x", "x", "y", "y"],
            "sex": ["f", "m", "f", "m"],
            "population": [500, 500, 1000, 1000],
        }
    )
    out = hrh.density(reg, population=pop, by=["district", "cadre"], population_sum_over="sex")
    assert out.select("district", "cadre").rows() == [("x", "d"), ("y", "d"), ("y", "n")]
    assert out["population"].to_list() == [1000.0, 2000.0, 2000.0]
    # A population table with no key in `by` must be a single total row.
    total = pl.DataFrame({"population": [4000]})
    out = hrh.density(reg, population=total, by="cadre")
    assert out["population"].to_list() == [4000.0, 4000.0]
    np.testing.assert_allclose(out["density"], [0.5, 0.25])


def test_wide_staff_gives_long_result_with_cadre() -> None:
    out = hrh.density(COUNTS, staff=["doctors", "nurses"], population="population", by="year")
    assert out.columns[:3] == ["year", "cadre", "staff"]
    assert out.height == 4
    row = out.filter((pl.col("year") == 2020) & (pl.col("cadre") == "nurses"))
    assert row["staff"].item() == 35.0
    assert row["density"].item() == pytest.approx(35 / 30)


def test_area_gives_per_km2_and_hrdi() -> None:
    out = hrh.density(
        COUNTS.filter(pl.col("year") == 2020),
        staff="doctors",
        population="population",
        by="region",
        area="area",
    )
    assert out["density_per_km2"].to_list() == [10 / 50, 30 / 400]
    np.testing.assert_allclose(
        out["hrdi"], np.sqrt(out["density"].to_numpy() * out["density_per_km2"].to_numpy())
    )


def test_area_from_population_table() -> None:
    reg = pl.DataFrame({"district": ["x", "y", "y"]})
    pop = pl.DataFrame({"district": ["x", "y"], "population": [1000, 2000], "km2": [10.0, 40.0]})
    out = hrh.density(reg, population=pop, by="district", area="km2")
    assert out["area"].to_list() == [10.0, 40.0]
    assert out["density_per_km2"].to_list() == [0.1, 0.05]


def test_per_and_level_change_scale_and_width() -> None:
    a = hrh.density(COUNTS, staff="doctors", population="population", per=1000)
    b = hrh.density(COUNTS, staff="doctors", population="population", per=100_000, level=0.8)
    assert b["density"].item() == pytest.approx(a["density"].item() * 100)
    width_95 = a["upper"].item() - a["lower"].item()
    width_80 = (b["upper"].item() - b["lower"].item()) / 100
    assert width_80 < width_95


@pytest.mark.parametrize(
    "convert",
    [
        lambda df: df,
        lambda df: df.lazy(),
        lambda df: df.to_pandas(),
        lambda df: df.to_arrow(),
        lambda df: df.to_dict(as_series=False),
    ],
    ids=["polars", "lazy", "pandas", "pyarrow", "dict"],
)
def test_accepts_every_table_kind(convert: object) -> None:
    expected = hrh.density(COUNTS, staff="doctors", population="population", by="region")
    got = hrh.density(convert(COUNTS), staff="doctors", population="population", by="region")  # type: ignore[operator]
    assert got.equals(expected)


def test_accepts_arrow_c_stream_objects() -> None:
    class Stream:
        def __init__(self, table: pa.Table) -> None:
            self.table = table

        def __arrow_c_stream__(self, requested_schema: object = None) -> object:
            return self.table.__arrow_c_stream__(requested_schema)

    got = hrh.density(
        Stream(COUNTS.to_arrow()), staff="doctors", population="population", by="region"
    )
    assert got["staff"].to_list() == [22.0, 61.0]


def test_inputs_are_not_modified() -> None:
    pdf = COUNTS.to_pandas()
    before = pdf.copy()
    polars_before = COUNTS.clone()
    hrh.density(pdf, staff="doctors", population="population", by="region", area="area")
    hrh.agglomeration(COUNTS, staff="doctors", population="population", area="area", by="year")
    pd.testing.assert_frame_equal(pdf, before)
    assert COUNTS.equals(polars_before)


# --- bad input: each rule asserts the class and the message -----------------------------


def _raises(match: str, **kwargs: object) -> None:
    args: dict[str, object] = {"staff": "doctors", "population": "population"}
    args.update(kwargs)
    data = args.pop("data", COUNTS)
    with pytest.raises(hrh.InputError, match=match):
        hrh.density(data, **args)  # type: ignore[arg-type]


def test_unknown_column() -> None:
    _raises(r"column 'medics' \(staff\) is not in data; its columns are 'region'", staff="medics")
    _raises(r"column 'province' \(by\) is not in data", by="province")
    _raises(r"column 'pop' \(population\) is not in data", population="pop")


def test_non_numeric_staff_and_population() -> None:
    bad = COUNTS.with_columns(pl.col("doctors").cast(pl.String))
    _raises(r"column 'doctors' has type String in data, expected numbers; row 0 has '10'", data=bad)
    bad = COUNTS.with_columns(pl.col("population").cast(pl.String))
    _raises(r"column 'population' has type String in data, expected numbers", data=bad)


def test_null_and_nan() -> None:
    bad = COUNTS.with_columns(
        pl.when(pl.int_range(4) == 2).then(None).otherwise(pl.col("doctors")).alias("doctors")
    )
    _raises(r"column 'doctors', row 2: value is null in data", data=bad)
    bad = COUNTS.with_columns(pl.Series("doctors", [1.0, math.nan, 3.0, 4.0]))
    _raises(r"column 'doctors', row 1: value is NaN in data", data=bad)
    bad = COUNTS.with_columns(pl.Series("region", ["a", None, "b", "b"]))
    _raises(r"column 'region', row 1: value is null in data", data=bad, by="region")


def test_nulls_drop_warns_with_count() -> None:
    bad = COUNTS.with_columns(pl.Series("doctors", [10.0, None, 30.0, math.nan]))
    with pytest.warns(UserWarning, match=r"dropped 2 of 4 rows of data with a null or NaN"):
        out = hrh.density(bad, staff="doctors", population="population", nulls="drop")
    assert out["staff"].item() == 40.0
    assert out["population"].item() == 30_000.0


def test_negative_staff() -> None:
    bad = COUNTS.with_columns(pl.Series("doctors", [10, -1, 30, 31]))
    _raises(r"column 'doctors', row 1: value -1 is negative; doctors must be >= 0", data=bad)


def test_zero_or_negative_population_or_area() -> None:
    bad = COUNTS.with_columns(pl.Series("population", [10_000, 0, 1, 1]))
    _raises(
        r"column 'population', row 1: value 0 is not positive; population must be > 0", data=bad
    )
    bad = COUNTS.with_columns(pl.Series("area", [50.0, -2.0, 1.0, 1.0]))
    _raises(
        r"column 'area', row 1: value -2.0 is not positive; area must be > 0", data=bad, area="area"
    )


def test_population_table_rules() -> None:
    reg = pl.DataFrame({"district": ["x", "y", "z"]})
    dup = pl.DataFrame({"district": ["x", "y", "x"], "population": [1, 2, 3]})
    with pytest.raises(
        hrh.InputError,
        match=r"the population table, row 2: duplicated key \(district='x'\), first seen at row 0",
    ):
        hrh.density(reg, population=dup, by="district")
    missing = pl.DataFrame({"district": ["x", "y"], "population": [1, 2]})
    with pytest.raises(hrh.InputError, match=r"group \(district='z'\) has no population"):
        hrh.density(reg, population=missing, by="district")
    several = pl.DataFrame({"population": [1, 2]})
    with pytest.raises(hrh.InputError, match=r"the population table has 2 rows but no key columns"):
        hrh.density(reg, population=several, by="district")
    zero = pl.DataFrame({"district": ["x", "y", "z"], "population": [1, 0, 3]})
    with pytest.raises(
        hrh.InputError, match=r"column 'population', row 1: value 0 is not positive"
    ):
        hrh.density(reg, population=zero, by="district")
    typed = pl.DataFrame({"district": [1, 2, 3], "population": [1, 2, 3]})
    with pytest.raises(
        hrh.InputError, match=r"column 'district' has type String in data but Int64"
    ):
        hrh.density(reg, population=typed, by="district")


def test_per_and_level_out_of_range() -> None:
    _raises(r"argument 'per': 0 must be a finite number > 0", per=0)
    _raises(r"argument 'per': -5 must be a finite number > 0", per=-5)
    _raises(r"argument 'level': 1.5 is outside \(0, 1\)", level=1.5)
    _raises(r"argument 'level': 0 is outside \(0, 1\)", level=0)


def test_empty_input_is_an_error() -> None:
    _raises(r"data has no rows", data=COUNTS.clear())


def test_not_a_table() -> None:
    _raises(r"data: expected a table .* got int", data=42)


# --- shortfall, quota gap, agglomeration, poisson_ci ------------------------------------


def test_shortfall_with_norm_column_and_groups() -> None:
    t = pl.DataFrame(
        {
            "zone": ["urban", "rural", "rural"],
            "staff": [50, 10, 5],
            "population": [10_000, 5_000, 5_000],
            "norm": [4.45, 2.28, 2.28],
        }
    )
    out = hrh.shortfall(t, staff="staff", population="population", norm="norm", by="zone")
    assert out["zone"].to_list() == ["rural", "urban"]
    np.testing.assert_allclose(out["required"], [22.8, 44.5])
    np.testing.assert_allclose(out["shortfall"], [7.8, 0.0], atol=1e-12)
    np.testing.assert_allclose(out["surplus"], [0.0, 5.5], atol=1e-12)
    np.testing.assert_allclose(out["ratio"], [15 / 22.8, 50 / 44.5])
    with pytest.raises(hrh.InputError, match=r"argument 'norm': -1 must be a number >= 0"):
        hrh.shortfall(t, staff="staff", population="population", norm=-1)


def test_shortfall_is_counted_where_it_is() -> None:
    """Rows finer than `by`: one district's surplus never offsets another's shortfall."""
    t = {
        "province": ["P", "P", "P", "Q"],
        "staff": [10, 100, 30, 20],
        "population": [10_000, 10_000, 10_000, 1_000],
    }
    out = hrh.shortfall(t, staff="staff", population="population", norm=4.45, by="province")
    # P: required 44.5 per district: short 34.5 and 14.5, surplus 55.5; net 3.5.
    np.testing.assert_allclose(out["shortfall"], [49.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(out["surplus"], [55.5, 15.55], atol=1e-12)
    np.testing.assert_allclose(out["net_gap"], [-6.5, -15.55], atol=1e-12)
    np.testing.assert_allclose(out["shortfall"] - out["surplus"], out["net_gap"], atol=1e-12)
    q = hrh.quota_gap(
        {"d": ["a", "b", "c"], "p": ["P", "P", "Q"], "staff": [5, 30, 7], "quota": [20, 10, 7]},
        staff="staff",
        quota="quota",
        by="p",
    )
    assert q.columns == [
        "p",
        "staff",
        "quota",
        "fill_rate",
        "vacancies",
        "over_quota",
        "net_vacancies",
    ]
    assert q.rows() == [
        ("P", 35.0, 30.0, 35 / 30, 15.0, 20.0, -5.0),
        ("Q", 7.0, 7.0, 1.0, 0.0, 0.0, 0.0),
    ]


def test_quota_gap_motivating_province() -> None:
    out = hrh.quota_gap({"staff": [3087], "quota": [3364]}, staff="staff", quota="quota")
    assert out["vacancies"].item() == 277
    assert round(100 * out["fill_rate"].item(), 2) == 91.77
    with pytest.raises(hrh.InputError, match=r"column 'quota', row 0: value 0 is not positive"):
        hrh.quota_gap({"staff": [1], "quota": [0]}, staff="staff", quota="quota")


def test_agglomeration_within_groups() -> None:
    out = hrh.agglomeration(
        COUNTS, staff="doctors", population="population", area="area", by="year"
    )
    assert out.height == COUNTS.height
    assert out.columns[: COUNTS.width] == COUNTS.columns
    sums = out.group_by("year").agg(pl.col("staff_share", "population_share", "area_share").sum())
    np.testing.assert_allclose(sums.drop("year").to_numpy(), 1.0, rtol=1e-14)
    first = out.row(0, named=True)
    assert first["hrad"] == pytest.approx((10 / 40) / (50 / 450))
    assert first["pad"] == pytest.approx((10_000 / 30_000) / (50 / 450))
    assert first["hrad_pad_ratio"] == pytest.approx(first["hrad"] / first["pad"])


def test_poisson_ci_broadcasts_and_validates() -> None:
    out = hrh.poisson_ci([0, 4, 9], 2.0, per=100)
    assert out["exposure"].to_list() == [2.0, 2.0, 2.0]
    assert out["rate"].to_list() == [0.0, 200.0, 450.0]
    assert out["lower"][0] == 0.0
    assert out["upper"][0] == pytest.approx(-math.log(0.025) / 2 * 100)
    with pytest.raises(hrh.InputError, match=r"argument 'exposure', item 0: value 0 is not"):
        hrh.poisson_ci([1], [0])
    with pytest.raises(hrh.InputError, match=r"argument 'events', item 1: value is NaN"):
        hrh.poisson_ci([1, math.nan])
    with pytest.raises(hrh.InputError, match=r"argument 'events', item 1: value 'x' is not a"):
        hrh.poisson_ci([1, "x"])
    with pytest.raises(hrh.InputError, match=r"has length 3 but 'events' has length 2"):
        hrh.poisson_ci([1, 2], [1, 2, 3])


# --- properties -------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    staff=st.lists(st.integers(0, 10_000), min_size=1, max_size=20),
    scale=st.integers(1, 50),
)
def test_interval_contains_estimate_and_scales_with_per(staff: list[int], scale: int) -> None:
    pop = [1000 + 37 * i for i in range(len(staff))]
    t = pl.DataFrame({"unit": list(range(len(staff))), "s": staff, "p": pop})
    a = hrh.density(t, staff="s", population="p", by="unit")
    assert (a["lower"] <= a["density"]).all()
    assert (a["density"] < a["upper"]).all()
    b = hrh.density(t, staff="s", population="p", by="unit", per=1000 * scale)
    np.testing.assert_allclose(b["upper"], a["upper"] * scale, rtol=1e-12)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 500), st.integers(1, 10_000)), min_size=2, max_size=15))
def test_group_sums_equal_sum_of_parts(rows: list[tuple[int, int]]) -> None:
    t = pl.DataFrame(
        {
            "g": [i % 3 for i in range(len(rows))],
            "s": [r[0] for r in rows],
            "p": [r[1] for r in rows],
        }
    )
    grouped = hrh.density(t, staff="s", population="p", by="g")
    total = hrh.density(t, staff="s", population="p")
    assert grouped["staff"].sum() == total["staff"].item()
    assert grouped["population"].sum() == total["population"].item()


def test_a_column_both_grouped_and_counted() -> None:
    t = {"x": [1, 2], "population": [100, 200]}
    with pytest.raises(hrh.InputError, match="column 'population' is also the population column"):
        hrh.density(t, staff="x", population="population", by="population")


# Found by tests/test_fuzz.py: each raised a foreign exception before it was checked.
def test_a_column_argument_that_is_not_a_name_is_an_input_error() -> None:
    t = {"s": [1, 2], "p": [100, 200], "g": ["a", "b"]}
    with pytest.raises(hrh.InputError, match=r"argument 'by': 0.0 is not a column name"):
        hrh.density(t, staff="s", population="p", by=0.0)  # type: ignore[arg-type]
    with pytest.raises(hrh.InputError, match=r"argument 'by': 1 is not a column name"):
        hrh.quota_gap(t, staff="s", quota="p", by=1)  # type: ignore[arg-type]


def test_a_pandas_object_column_past_64_bits_is_an_input_error() -> None:
    t = pd.DataFrame({"s": pd.Series([1, 2**64], dtype=object), "p": [100, 200]})
    with pytest.raises(hrh.InputError, match=r"data: could not be read as a table"):
        hrh.density(t, staff="s", population="p")


def test_an_int128_series_is_read_as_numbers() -> None:
    count = pl.Series("c", [3, 2**64], dtype=pl.Int128)
    out = hrh.poisson_ci(count)
    assert out["events"].to_list() == [3.0, float(2**64)]


def test_a_missing_by_column_with_nulls_drop_is_an_input_error() -> None:
    # Found by tests/test_fuzz.py: nulls="drop" looked the column up first (KeyError).
    t = {"s": [1, 2], "p": [100, 200], "q": [3, 4]}
    with pytest.raises(hrh.InputError, match=r"column 'x' \(by\) is not in data"):
        hrh.density(t, staff="s", population="p", by="x", nulls="drop")
    with pytest.raises(hrh.InputError, match=r"column 'x' \(by\) is not in data"):
        hrh.shortfall(t, staff="s", population="p", norm=1, by="x", nulls="drop")
    with pytest.raises(hrh.InputError, match=r"column 'x' \(by\) is not in data"):
        hrh.quota_gap(t, staff="s", quota="q", by="x", nulls="drop")


def test_wide_staff_columns_may_be_called_staff() -> None:
    # Found by tests/test_fuzz.py (long profile): polars DuplicateError on the unpivot.
    t = {"staff": [1.0, 2.0], "population": [1.0, 3.0], "nurses": [1.0, 4.0]}
    out = hrh.density(t, staff=["staff", "nurses"], population="population")
    assert out.select("cadre", "staff").rows() == [("staff", 3.0), ("nurses", 5.0)]


def test_population_table_keys_of_python_objects_are_an_input_error() -> None:
    # Found by tests/test_fuzz.py (long profile): polars InvalidOperationError.
    pop = {"g": [1, b"x"], "population": [1.0, 1.0], "age": [0.0, 0.0]}
    with pytest.raises(hrh.InputError, match=r"column 'g' has type Object in the population"):
        hrh.density({"s": [0.0]}, staff="s", population=pop)


def test_group_keys_of_python_objects_are_an_input_error() -> None:
    # Found by tests/test_fuzz.py: polars InvalidOperationError (cannot sort objects).
    pop = {"g": [1], "population": [10.0]}
    with pytest.raises(hrh.InputError, match=r"column 'g' has type Object in data; keys must"):
        hrh.density({"s": [1.0, 1.0], "g": [1, b"x"]}, staff="s", population=pop, by="g")


def test_shortfall_norm_given_as_an_empty_name() -> None:
    # Found by tests/test_fuzz.py (long profile): norm="" was read as a number
    # (ValueError from float("")).
    t = {"s": [1.0], "p": [100.0]}
    with pytest.raises(hrh.InputError, match=r"column '' \(norm\) is not in data"):
        hrh.shortfall(t, staff="s", population="p", norm="")


def test_a_column_both_staff_and_area_is_an_input_error() -> None:
    # Found by tests/test_fuzz.py (long profile): polars DuplicateError.
    t = {"staff": [1.0, 1.0], "population": [1.0, 1.0], "area": [1.0, 1.0]}
    with pytest.raises(hrh.InputError, match=r"argument 'area': column 'area' is also a staff"):
        hrh.density(t, staff=["staff", "area"], population="population", area="area")


def test_a_by_column_named_like_an_output_column_is_refused() -> None:
    # It was overwritten by the output, losing the groups without a word.
    data = {"lower": ["a", "b"], "n": [3, 4], "pop": [1000, 2000]}
    with pytest.raises(hrh.InputError, match="argument 'by': column 'lower' has the name"):
        hrh.density(data, staff="n", population="pop", by="lower")


def test_table_in_memory_and_in_batches_give_the_same_table_and_errors() -> None:
    # A table in memory is summed straight into the result, a LazyFrame batch by
    # batch through partial tables: the same columns, dtypes and bits either way.
    rng = np.random.default_rng(3)
    n = 500
    reg = pl.DataFrame(
        {
            "district": rng.choice(["d1", "d2", "d3", "a_long_district_name"], n),
            "cadre": rng.choice(["doctor", "nurse"], n),
            "fte": rng.choice([0.25, 0.5, 1.0], n),
            "pop": rng.integers(1, 1000, n),
            "km2": rng.uniform(1.0, 9.0, n),
        }
    )
    names = ["d1", "d2", "d3", "a_long_district_name"]
    table = pl.DataFrame({"district": names, "population": [5e4, 7e4, 1e5, 3e4]})
    with_area = table.with_columns(area=pl.Series([10.0, 20.0, 30.0, 40.0]))
    whole_pop = pl.DataFrame({"population": [1e6]})
    calls: list[dict[str, object]] = [
        {"population": table, "by": ["district", "cadre"]},
        {"staff": "fte", "population": table, "by": ["cadre", "district"]},
        {"staff": "fte", "population": with_area, "by": "district", "area": "area"},
        {"staff": "fte", "population": with_area, "by": "district", "area": "km2"},
        {"staff": "fte", "population": "pop", "by": "cadre", "area": "km2"},
        {"population": whole_pop, "by": "cadre"},
        {"staff": "fte", "population": whole_pop},
        {"staff": "fte", "population": "pop", "per": 10, "level": 0.9},
        {"staff": ["fte", "pop"], "population": table, "by": ["district"]},
        {"staff": ["pop", "fte"], "population": with_area, "by": "district", "area": "km2"},
    ]
    for kwargs in calls:
        whole = hrh.density(reg, **kwargs)  # type: ignore[arg-type]
        batched = hrh.density(reg.lazy(), **kwargs)  # type: ignore[arg-type]
        assert whole.schema == batched.schema, kwargs
        for c in whole.columns:
            assert whole[c].to_list() == batched[c].to_list(), (kwargs, c)
    huge = reg.with_columns(pl.when(pl.col("cadre") == "nurse").then(1e308).otherwise(1.0))
    huge = huge.rename({"literal": "big"})
    for data in (huge, huge.lazy()):
        with pytest.raises(hrh.InputError, match=r"column 'big': the sum over cadre='nurse'"):
            hrh.density(data, staff="big", population=table, by=["cadre", "district"])
    short = table.filter(pl.col("district") != "d2")
    for data in (reg, reg.lazy()):
        with pytest.raises(hrh.InputError, match=r"group \(district='d2'\) has no population"):
            hrh.density(data, population=short, by=["cadre", "district"])


@pytest.mark.parametrize("chunks", [1, 3])
def test_bad_float_staff_found_in_any_block_of_a_long_column(chunks: int) -> None:
    # A long Float64 column is checked in one parallel pass when it is one chunk, by
    # polars otherwise; either way the error names the first bad row and its value.
    n = 200_000
    base = np.full(n, 0.5)
    for value, message in [
        (math.nan, "value is NaN in data"),
        (math.inf, "value inf is not a finite number"),
        (-0.25, "value -0.25 is negative; fte must be >= 0"),
    ]:
        for row in (0, 70_000, n - 1):
            fte = base.copy()
            fte[row] = value
            fte[row + 1 :] = np.where(np.arange(row + 1, n) % 2, value, 0.5)
            parts = np.array_split(fte, chunks)
            reg = pl.concat([pl.DataFrame({"fte": p}) for p in parts], rechunk=False)
            assert reg["fte"].n_chunks() == chunks
            with pytest.raises(hrh.InputError, match=rf"column 'fte', row {row}: {message}"):
                hrh.density(reg, staff="fte", population=pl.DataFrame({"population": [1e6]}))
    ok = pl.DataFrame({"fte": base})
    assert (
        hrh.density(ok, staff="fte", population=pl.DataFrame({"population": [1e6]}))["staff"].item()
        == n * 0.5
    )
