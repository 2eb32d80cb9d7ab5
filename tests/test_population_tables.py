"""Separate population tables in hrh.density, hrh.shortfall and hrh.equity.

A population table whose key columns are not all join keys used to be summed over them
silently: the UN WPP 2024 projections with their 7 variants and 77 years left in gave
Russia 72 billion people. Summing is now refused with an InputError naming the columns
(unless they are named in ``population_sum_over``), and shortfall and equity accept the
same tables as density, through the same code.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl
import pytest

import hrh

STAFF = pl.DataFrame({"iso3": ["RUS", "FRA", "KEN"], "doctors": [550_000, 230_000, 10_000]})


@pytest.fixture(scope="module")
def wpp(wpp_data: pl.DataFrame) -> pl.DataFrame:
    """Countries of WPP 2024, all variants and years, with the key columns a user gets."""
    return wpp_data.filter(
        pl.col("location_type") == "country_or_area", pl.col("iso3").is_in(["RUS", "FRA", "KEN"])
    ).select("iso3", "location", "variant", "year", "population")


def _medium_2024(wpp: pl.DataFrame) -> pl.DataFrame:
    return wpp.filter(pl.col("variant") == "medium", pl.col("year") == 2024)


SUM_REFUSED = (
    r"population table: its key column\(s\) 'variant', 'year' are not among the join keys "
    r"\('iso3'\), so the population would be summed over them \(539 rows for iso3='FRA'\)\. "
    r"Filter the table .*population_sum_over=\['variant', 'year'\]"
)


def test_density_refuses_to_sum_a_projection_table(wpp: pl.DataFrame) -> None:
    with pytest.raises(hrh.InputError, match=SUM_REFUSED):
        hrh.density(STAFF, staff="doctors", population=wpp, by="iso3")


def test_density_with_a_filtered_projection_table(wpp: pl.DataFrame) -> None:
    pop = _medium_2024(wpp)
    out = hrh.density(STAFF, staff="doctors", population=pop, by="iso3")
    want = dict(pop.select("iso3", "population").iter_rows())
    assert out["population"].to_list() == [want[k] for k in out["iso3"]]
    rus = out.filter(pl.col("iso3") == "RUS")
    assert 1.4e8 < rus["population"].item() < 1.5e8  # not 7.2e10
    # 'location' is a key column outside `by` too, but one value per country: no sum.
    np.testing.assert_allclose(rus["density"].item(), 550_000 / want["RUS"] * 1000, rtol=1e-15)


def test_density_joins_on_year_when_data_has_it(wpp: pl.DataFrame) -> None:
    data = pl.DataFrame({"iso3": ["KEN", "KEN"], "year": [2024, 2030], "doctors": [10_000, 14_000]})
    pop = wpp.filter(pl.col("variant") == "medium")
    out = hrh.density(data, staff="doctors", population=pop, by=["iso3", "year"])
    want = pop.filter(pl.col("iso3") == "KEN", pl.col("year").is_in([2024, 2030])).sort("year")
    assert out["population"].to_list() == want["population"].to_list()


def test_sum_over_named_columns_on_purpose(wpp: pl.DataFrame) -> None:
    out = hrh.density(
        STAFF, staff="doctors", population=wpp, by="iso3", population_sum_over=["variant", "year"]
    )
    total = wpp.group_by("iso3").agg(pl.col("population").sum())
    want = dict(total.iter_rows())
    np.testing.assert_allclose(out["population"], [want[k] for k in out["iso3"]], rtol=1e-12)
    # Naming one of the two is not enough.
    with pytest.raises(hrh.InputError, match=r"key column\(s\) 'year' are not among"):
        hrh.density(
            STAFF, staff="doctors", population=wpp, by="iso3", population_sum_over="variant"
        )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"population_sum_over": "iso3"},
            r"argument 'population_sum_over': 'iso3' is not a key column of the population "
            r"table outside the join keys \(its other key columns: 'location', 'variant', 'year'\)",
        ),
        ({"population_sum_over": "age"}, r"argument 'population_sum_over': 'age' is not"),
    ],
)
def test_population_sum_over_names_key_columns(
    wpp: pl.DataFrame, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(hrh.InputError, match=message):
        hrh.density(STAFF, staff="doctors", population=wpp, by="iso3", **kwargs)


def test_population_sum_over_needs_a_population_table() -> None:
    data = STAFF.with_columns(population=pl.lit(1e6))
    for f in (hrh.density, hrh.equity):
        with pytest.raises(hrh.InputError, match=r"argument 'population_sum_over': population"):
            f(data, staff="doctors", population="population", population_sum_over="year")
    with pytest.raises(hrh.InputError, match=r"argument 'population_sum_over': population"):
        hrh.shortfall(
            data, staff="doctors", population="population", norm=1.0, population_sum_over="year"
        )


def test_age_groups_summed_on_purpose() -> None:
    reg = pl.DataFrame({"district": ["x", "y", "y"]})
    pop = pl.DataFrame(
        {"district": ["x", "x", "y", "y"], "age": ["0-14", "15+"] * 2, "population": [4, 6, 5, 15]}
    )
    with pytest.raises(hrh.InputError, match=r"key column\(s\) 'age' are not among the join"):
        hrh.density(reg, population=pop, by="district")
    out = hrh.density(reg, population=pop, by="district", population_sum_over="age")
    assert out["population"].to_list() == [10.0, 20.0]


# --- shortfall and equity take the same tables ---------------------------------------


def test_shortfall_with_a_population_table(wpp: pl.DataFrame) -> None:
    pop = _medium_2024(wpp)
    joined = STAFF.join(pop.select("iso3", "population"), on="iso3", maintain_order="left")
    want = hrh.shortfall(joined, staff="doctors", population="population", norm=4.45)
    got = hrh.shortfall(STAFF, staff="doctors", population=pop, norm=4.45)
    assert got.equals(want)
    # Each row takes its own population: the shortfall is counted where it is.
    per_row = hrh.shortfall(STAFF, staff="doctors", population=pop, norm=4.45, by="iso3")
    assert per_row.height == 3 and (per_row["shortfall"] * per_row["surplus"] == 0).all()
    with pytest.raises(hrh.InputError, match=SUM_REFUSED):
        hrh.shortfall(STAFF, staff="doctors", population=wpp, norm=4.45)


def test_equity_with_a_population_table(wpp: pl.DataFrame) -> None:
    pop = _medium_2024(wpp)
    joined = STAFF.join(pop.select("iso3", "population"), on="iso3", maintain_order="left")
    want = hrh.equity(joined, staff="doctors", population="population")
    got = hrh.equity(STAFF, staff="doctors", population=pop)
    assert got.equals(want)
    with pytest.raises(hrh.InputError, match=SUM_REFUSED):
        hrh.equity(STAFF, staff="doctors", population=wpp)


def test_equity_takes_area_from_the_population_table() -> None:
    data = pl.DataFrame({"unit": ["a", "b", "c"], "staff": [10, 30, 20]})
    pop = pl.DataFrame(
        {"unit": ["c", "a", "b"], "population": [300, 100, 200], "km2": [5.0, 1.0, 2.0]}
    )
    got = hrh.equity(data, staff="staff", population=pop, area="km2", measures=["gini"])
    joined = data.join(pop, on="unit", maintain_order="left")
    want = hrh.equity(joined, staff="staff", population="population", area="km2", measures=["gini"])
    assert got.equals(want)


@pytest.mark.parametrize("func", ["shortfall", "equity"])
def test_population_table_rules_shared_with_density(func: str) -> None:
    data = pl.DataFrame({"unit": ["a", "b"], "staff": [10, 30]})

    def call(pop: Any) -> Any:
        if func == "shortfall":
            return hrh.shortfall(data, staff="staff", population=pop, norm=1.0)
        return hrh.equity(data, staff="staff", population=pop)

    with pytest.raises(hrh.InputError, match=r"group \(unit='b'\) has no population"):
        call({"unit": ["a"], "population": [100]})
    with pytest.raises(hrh.InputError, match=r"population table, row 1: duplicated key"):
        call({"unit": ["a", "a", "b"], "population": [1, 2, 3]})
    with pytest.raises(hrh.InputError, match=r"it shares no key column with data"):
        call({"region": ["a", "b"], "population": [100, 200]})
    with pytest.raises(hrh.InputError, match=r"value -5 is not positive"):
        call({"unit": ["a", "b"], "population": [100, -5]})
