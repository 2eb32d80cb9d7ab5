"""Loaders of the public data sets (hrh.datasets.wdi, nhwa, wpp, us_counties,
china_provinces, china_province_areas, canadian_senators).

Shapes, dtypes and row counts are those stated in each data folder's README.md; where
the data and the README disagree the test asserts what the data hold and says so. The
error tests need no data.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl
import pytest

import hrh

Loader = Callable[..., pl.DataFrame]

# loader, data folder, main file, a fragment of the public original's address
LOADERS: list[tuple[str, str, str, str]] = [
    ("wdi", "wdi_health_workforce", "wdi_health_workforce_long.csv", "worldbank.org"),
    ("nhwa", "who_nhwa_doctors_nurses", "who_nhwa_doctors_nurses_long.csv", "who.int"),
    (
        "wpp",
        "un_wpp2024_population_projections",
        "wpp2024_total_population_projections_long.csv",
        "population.un.org/wpp",
    ),
    (
        "us_counties",
        "us_county_health_providers_chrr",
        "us_county_state_health_providers_chrr.csv",
        "countyhealthrankings.org",
    ),
    (
        "china_provinces",
        "china_provincial_health_resources_1998_1999",
        "china_provincial_health_resources_1998_1999_long.csv",
        "stats.gov.cn",
    ),
    (
        "china_province_areas",
        "china_provincial_health_resources_1998_1999",
        "china_provinces.csv",
        "10.1186/s12939-016-0357-1",
    ),
    ("canadian_senators", "canadian_senators_tenure", "canadian_senators.csv", "lifelines"),
]
IDS = [x[0] for x in LOADERS]


def _loader(name: str) -> Loader:
    fn: Loader = getattr(hrh.datasets, name)
    return fn


def _counts(df: pl.DataFrame, *keys: str) -> dict[Any, int]:
    """Rows per key (a tuple of values when several keys)."""
    out = df.group_by(list(keys)).len()
    if len(keys) == 1:
        return dict(zip(out[keys[0]].to_list(), out["len"].to_list(), strict=True))
    return {tuple(r[:-1]): r[-1] for r in out.select([*keys, "len"]).iter_rows()}


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(("name", "folder", "filename", "origin"), LOADERS, ids=IDS)
def test_missing_copy_is_input_error_with_directions(
    name: str, folder: str, filename: str, origin: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HRH_DATA", raising=False)
    with pytest.raises(hrh.InputError) as info:
        _loader(name)()
    msg = str(info.value)
    assert isinstance(info.value, ValueError)
    assert msg.startswith(f"{name}(): no local copy of ")
    assert "HRH_DATA is not set" in msg
    assert origin in msg, "the message names the public original"
    assert f"'{folder}'" in msg and f"'{filename}'" in msg
    assert f"hrh.datasets.{name}(path=" in msg
    assert "export HRH_DATA=" in msg


@pytest.mark.parametrize(("name", "folder", "filename", "origin"), LOADERS, ids=IDS)
def test_bad_path_and_bad_hrh_data_are_input_errors(
    name: str,
    folder: str,
    filename: str,
    origin: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    missing = tmp_path / "nowhere"
    with pytest.raises(hrh.InputError, match=r"path '.*nowhere' does not exist") as info:
        _loader(name)(missing)
    assert origin in str(info.value)

    with pytest.raises(hrh.InputError, match=f"holds neither '{filename}' nor '{folder}/"):
        _loader(name)(tmp_path)

    monkeypatch.setenv("HRH_DATA", str(tmp_path))
    with pytest.raises(hrh.InputError, match=f"HRH_DATA='.*' has no '{folder}/{filename}'"):
        _loader(name)()


def test_wpp_rejects_unknown_variant() -> None:
    with pytest.raises(hrh.InputError, match=r"variant: 'median' is not a WPP 2024 variant"):
        hrh.datasets.wpp(variant="median")
    with pytest.raises(hrh.InputError, match="list of variants is empty"):
        hrh.datasets.wpp(variant=[])


def test_unparsable_value_names_file_column_row_and_value(tmp_path: Path) -> None:
    bad = tmp_path / "canadian_senators.csv"
    bad.write_text(
        "name,affiliation_at_appointment,province_territory,appointed_on_advice_of,"
        "term_text,start_date,end_date,exit_reason,tenure_days,exit_observed\n"
        "A,x,Quebec,B,t,1900-01-01,1900-01-11,Death,10,True\n"
        "C,x,Quebec,D,t,1900-01-01,1900-01-11,Death,ten,True\n"
    )
    with pytest.raises(
        hrh.InputError,
        match=r"'canadian_senators.csv', column 'tenure_days', row 1: value 'ten' is not a "
        "whole number",
    ):
        hrh.datasets.canadian_senators(bad)


def test_missing_column_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "x.csv"
    bad.write_text("iso3,year\nGBR,2020\n")
    with pytest.raises(hrh.InputError, match=r"column 'country' \(read by hrh.datasets.nhwa\)"):
        hrh.datasets.nhwa(bad)


def test_wdi_needs_its_companion_files(data_root: Path, tmp_path: Path) -> None:
    shutil.copy(data_root / "wdi_health_workforce" / "wdi_health_workforce_long.csv", tmp_path)
    with pytest.raises(hrh.InputError, match=r"'countries.csv' is missing from"):
        hrh.datasets.wdi(tmp_path)


# ------------------------------------------------------------------ path resolution


@pytest.mark.parametrize(("name", "folder", "filename", "origin"), LOADERS, ids=IDS)
def test_path_may_be_file_folder_or_root_or_hrh_data(
    name: str,
    folder: str,
    filename: str,
    origin: str,
    data_root: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    load = _loader(name)
    ref = load(data_root)
    assert load(data_root / folder).equals(ref)
    assert load(str(data_root / folder / filename)).equals(ref)
    monkeypatch.setenv("HRH_DATA", str(data_root))
    assert load().equals(ref)


# ----------------------------------------------------------------------------- WDI

WDI_SCHEMA = {
    "iso3": pl.String,
    "country_name": pl.String,
    "wb_region": pl.String,
    "income_group": pl.String,
    "is_aggregate": pl.Boolean,
    "year": pl.Int64,
    "indicator": pl.String,
    "indicator_name": pl.String,
    "unit": pl.String,
    "value": pl.Float64,
}


def test_wdi_shape_and_dtypes(wdi_data: pl.DataFrame) -> None:
    assert dict(wdi_data.schema) == WDI_SCHEMA
    assert wdi_data.height == 29_438
    assert wdi_data.null_count()[["iso3", "country_name", "year", "value"]].sum_horizontal()[0] == 0
    assert not wdi_data.select(["iso3", "indicator", "year"]).is_duplicated().any()
    # one name per economy (the raw files spell some differently)
    assert (
        wdi_data.group_by("iso3").agg(pl.col("country_name").n_unique())["country_name"].max() == 1
    )


def test_wdi_counts_as_readme(wdi_data: pl.DataFrame) -> None:
    # indicator: rows, economies incl. aggregates, countries, first and last year
    readme = {
        "SH.MED.PHYS.ZS": (4_964, 256, 208, 1960, 2020),
        "SH.MED.NUMW.P3": (2_855, 240, 192, 1990, 2020),
        "SH.MED.BEDS.ZS": (4_876, 248, 201, 1960, 2019),
        "SH.MED.SAOP.P5": (343, 224, 176, 2008, 2018),
        "SP.POP.TOTL": (16_400, 265, 217, 1960, 2021),
    }
    got = wdi_data.group_by("indicator").agg(
        pl.len(),
        pl.col("iso3").n_unique().alias("economies"),
        pl.col("iso3").filter(~pl.col("is_aggregate")).n_unique().alias("countries"),
        pl.col("year").min().alias("first"),
        pl.col("year").max().alias("last"),
    )
    assert {r[0]: tuple(r[1:]) for r in got.iter_rows()} == readme
    economies = wdi_data.select("iso3", "is_aggregate").unique()
    assert economies.height == 265
    assert economies["is_aggregate"].sum() == 48
    units = dict(wdi_data.select("indicator", "unit").unique().iter_rows())
    assert units["SP.POP.TOTL"] == "persons"
    assert units["SH.MED.SAOP.P5"] == "per 100,000 population"
    assert units["SH.MED.PHYS.ZS"] == "per 1,000 people"


# ---------------------------------------------------------------------------- NHWA


def test_nhwa_shape_and_dtypes(nhwa_data: pl.DataFrame) -> None:
    assert dict(nhwa_data.schema) == {
        "iso3": pl.String,
        "country_name": pl.String,
        "who_region_code": pl.String,
        "who_region": pl.String,
        "year": pl.Int64,
        "indicator_code": pl.String,
        "measure": pl.String,
        "indicator": pl.String,
        "unit": pl.String,
        "value": pl.Float64,
        "is_latest_year": pl.Boolean,
        "date_modified": pl.Date,
    }
    assert nhwa_data.height == 22_362
    assert nhwa_data["iso3"].n_unique() == 197
    assert set(nhwa_data["who_region_code"]) == {"AFR", "AMR", "EMR", "EUR", "SEAR", "WPR"}
    assert not nhwa_data.select(["iso3", "year", "indicator_code"]).is_duplicated().any()
    assert nhwa_data.null_count().sum_horizontal()[0] == 0


def test_nhwa_counts_as_readme(nhwa_data: pl.DataFrame) -> None:
    readme = {  # code: rows, countries, first year, last year
        "HWF_0001": (2_844, 194, 1990, 2020),
        "HWF_0002": (3_410, 196, 1952, 2020),
        "HWF_0003": (1_279, 143, 1980, 2020),
        "HWF_0004": (1_195, 143, 1980, 2020),
        "HWF_0005": (2_780, 189, 1952, 2020),
        "HWF_0006": (2_744, 194, 1990, 2020),
        "HWF_0007": (2_998, 197, 1960, 2020),
        "HWF_0008": (2_998, 197, 1960, 2020),
        "HWF_0009": (2_114, 175, 1970, 2020),
    }
    got = nhwa_data.group_by("indicator_code").agg(
        pl.len(), pl.col("iso3").n_unique(), pl.col("year").min(), pl.col("year").max().alias("y")
    )
    assert {r[0]: tuple(r[1:]) for r in got.iter_rows()} == readme
    kinds = dict(nhwa_data.select("measure", "unit").unique().iter_rows())
    assert kinds == {
        m: ("per 10,000 population" if m.endswith("_per_10000") else "count (headcount)")
        for m in hrh.datasets.NHWA_MEASURES.values()
    }


def test_nhwa_headcounts_add_up(nhwa_data: pl.DataFrame) -> None:
    """Nursing and midwifery = nursing + midwifery wherever all three are reported
    (1,907 country-years), and doctors = generalist + specialist + not further defined
    wherever all four are (384), exactly."""
    wide = nhwa_data.pivot(on="measure", index=["iso3", "year"], values="value")
    nm = wide.drop_nulls(
        ["nursing_midwifery_personnel", "nursing_personnel", "midwifery_personnel"]
    )
    assert nm.height == 1_907
    assert (
        nm["nursing_midwifery_personnel"] == nm["nursing_personnel"] + nm["midwifery_personnel"]
    ).all()
    parts = [
        "generalist_medical_practitioners",
        "specialist_medical_practitioners",
        "medical_doctors_nfd",
    ]
    md = wide.drop_nulls(["medical_doctors", *parts])
    assert md.height == 384
    assert (md["medical_doctors"] == md.select(pl.sum_horizontal(parts)).to_series()).all()


# ----------------------------------------------------------------------------- WPP


def test_wpp_shape_and_dtypes(wpp_data: pl.DataFrame) -> None:
    assert dict(wpp_data.schema) == {
        "m49_code": pl.Int64,
        "iso3": pl.String,
        "location": pl.String,
        "location_type": pl.String,
        "variant": pl.String,
        "year": pl.Int64,
        "pop_thousands": pl.Float64,
        "population": pl.Float64,
    }
    assert wpp_data.height == 160_083 == 297 * 7 * 77
    assert wpp_data["m49_code"].n_unique() == 297
    assert set(wpp_data["variant"]) == set(hrh.datasets.WPP_VARIANTS)
    assert (wpp_data["year"].min(), wpp_data["year"].max()) == (2024, 2100)
    assert not wpp_data.select(["m49_code", "variant", "year"]).is_duplicated().any()
    locations = _counts(wpp_data.select("m49_code", "location_type").unique(), "location_type")
    assert locations == {
        "world": 1,
        "region": 7,
        "subregion": 21,
        "country_or_area": 236,
        "special_aggregate": 32,
    }
    # iso3 exactly for countries and areas
    assert (wpp_data["iso3"].is_null() == (wpp_data["location_type"] != "country_or_area")).all()
    assert wpp_data.filter(m49_code=412)["iso3"].unique().to_list() == ["XKX"]
    assert ((wpp_data["population"] - wpp_data["pop_thousands"] * 1000).abs() <= 0.5).all()
    assert (wpp_data["population"] == wpp_data["population"].round(0)).all()


def test_wpp_variants_are_ordered(wpp_data: pl.DataFrame) -> None:
    """low <= medium <= high and pi95_lower <= pi80_lower <= medium <= pi80_upper <=
    pi95_upper, for every location and year."""
    wide = wpp_data.pivot(on="variant", index=["m49_code", "year"], values="population")
    for lo, hi in [
        ("low", "medium"),
        ("medium", "high"),
        ("pi95_lower", "pi80_lower"),
        ("pi80_lower", "medium"),
        ("medium", "pi80_upper"),
        ("pi80_upper", "pi95_upper"),
    ]:
        assert (wide[lo] <= wide[hi]).all(), (lo, hi)


def test_wpp_variant_filter(data_root: Path, wpp_data: pl.DataFrame) -> None:
    med = hrh.datasets.wpp(data_root, variant="medium")
    assert med.height == 297 * 77
    assert med.equals(wpp_data.filter(variant="medium"))
    two = hrh.datasets.wpp(data_root, variant=["low", "high"])
    assert _counts(two, "variant") == {"low": 22_869, "high": 22_869}


# ------------------------------------------------------------------------ US counties


def test_us_counties_shape_and_dtypes(us_data: pl.DataFrame) -> None:
    assert dict(us_data.schema) == {
        "fipscode": pl.String,
        "statecode": pl.String,
        "countycode": pl.String,
        "geo_level": pl.String,
        "state_abbr": pl.String,
        "name": pl.String,
        "indicator": pl.String,
        "measure_id": pl.String,
        "count_year": pl.Int64,
        "population_year": pl.Int64,
        "provider_count": pl.Float64,
        "population": pl.Float64,
        "per_100k": pl.Float64,
        "flag_ct": pl.String,
    }
    assert us_data.height == 12_816 == 3_204 * 4
    assert us_data["fipscode"].n_unique() == 3_204
    assert (us_data["fipscode"].str.len_chars() == 5).all()
    assert (us_data["fipscode"] == us_data["statecode"] + us_data["countycode"]).all()
    geos = _counts(us_data.select("fipscode", "geo_level").unique(), "geo_level")
    assert geos == {"nation": 1, "state": 51, "county": 3_144, "county_legacy_ct": 8}
    assert us_data.filter(geo_level="nation")["fipscode"].unique().to_list() == ["00000"]


def test_us_counties_measures_as_readme(us_data: pl.DataFrame) -> None:
    got = set(
        us_data.select("indicator", "measure_id", "count_year", "population_year")
        .unique()
        .iter_rows()
    )
    assert got == {
        ("primary_care_physicians", "v004", 2022, 2022),
        ("dentists", "v088", 2023, 2023),
        ("mental_health_providers", "v062", 2024, 2023),
        ("other_primary_care_providers", "v131", 2024, 2023),
    }


def test_us_counties_gaps_are_connecticut_only(us_data: pl.DataFrame) -> None:
    empty = us_data.filter(pl.col("provider_count").is_null())
    assert empty.height == 52
    assert set(empty["state_abbr"]) == {"CT"}
    assert (empty["population"].is_null() & empty["per_100k"].is_null()).all()
    # U: no data (v004/v088 everywhere in CT, legacy counties for all four); A: planning regions
    assert _counts(us_data.drop_nulls("flag_ct"), "flag_ct", "geo_level") == {
        ("U", "state"): 2,
        ("U", "county"): 18,
        ("U", "county_legacy_ct"): 32,
        ("A", "county"): 18,
    }
    assert set(empty.filter(geo_level="county")["measure_id"]) == {"v004", "v088"}
    # the README says zero counts may have an empty per_100k; in this copy every row with a
    # count has its per_100k (zero counts have per_100k = 0)
    assert us_data.filter(pl.col("provider_count").is_not_null())["per_100k"].null_count() == 0
    zeros = us_data.filter(provider_count=0.0)
    assert zeros.height > 0 and (zeros["per_100k"] == 0).all()


# --------------------------------------------------------------------------- China


def test_china_provinces_shape_and_dtypes(china_data: pl.DataFrame) -> None:
    assert dict(china_data.schema) == {
        "region": pl.String,
        "region_zh": pl.String,
        "admin_code": pl.String,
        "economic_zone": pl.String,
        "geo_level": pl.String,
        "year": pl.Int64,
        "indicator": pl.String,
        "value": pl.Float64,
        "unit": pl.String,
        "published_value": pl.Float64,
        "published_unit": pl.String,
        "quality_flag": pl.String,
        "land_area_km2": pl.Float64,
        "source_table": pl.String,
        "source_url": pl.String,
    }
    assert china_data.height == 441
    assert not china_data.select(["admin_code", "year", "indicator"]).is_duplicated().any()
    assert china_data["land_area_km2"].null_count() == 0
    assert china_data.filter(geo_level="national")["land_area_km2"].unique().to_list() == [
        9_610_300.0
    ]


def test_china_rows_as_readme(china_data: pl.DataFrame) -> None:
    prov = china_data.filter(geo_level="province")
    per = _counts(prov, "year", "indicator")
    for ind in [
        "health_institutions",
        "hospitals",
        "beds",
        "hospital_beds",
        "health_personnel",
        "medical_technical_personnel",
        "doctors",
    ]:
        assert per[(1998, ind)] == 30, ind  # no Xinjiang health rows in 1998
    for ind in [
        "health_personnel",
        "medical_technical_personnel",
        "doctors",
        "physicians",
        "nurses",
    ]:
        assert per[(1999, ind)] == 31, ind
    assert per[(1998, "population")] == per[(1999, "population")] == 31
    assert len(per) == 14
    xinjiang_1998 = prov.filter(region="Xinjiang", year=1998)["indicator"].to_list()
    assert xinjiang_1998 == ["population"]
    nat = china_data.filter(geo_level="national")
    assert nat.height == 14 and nat["economic_zone"].null_count() == 14


def test_china_units_converted_from_published(china_data: pl.DataFrame) -> None:
    scale = pl.when(pl.col("published_unit") == "unit").then(1.0).otherwise(10_000.0)
    diff = china_data.select((pl.col("value") - pl.col("published_value") * scale).abs().max())
    assert diff.item() < 1e-6
    flagged = china_data.drop_nulls("quality_flag")
    assert flagged.select("region", "year", "indicator").rows() == [
        ("Hainan", 1998, "hospital_beds")
    ]


def test_china_province_areas(china_areas: pl.DataFrame, china_data: pl.DataFrame) -> None:
    assert china_areas.height == 31
    assert dict(china_areas.schema)["land_area_km2"] == pl.Float64
    assert china_areas["land_area_km2"].sum() == 9_610_300.0  # "sum 9.61 million km²"
    assert (
        (china_areas["land_area_km2"] - china_areas["published_land_area_10k_km2"] * 1e4).abs()
        < 1e-6
    ).all()
    joined = china_data.filter(geo_level="province").select("admin_code", "land_area_km2").unique()
    assert joined.sort("admin_code").equals(
        china_areas.select("admin_code", "land_area_km2").sort("admin_code")
    )


# ------------------------------------------------------------------------- senators


def test_canadian_senators(senators_data: pl.DataFrame) -> None:
    assert dict(senators_data.schema) == {
        "name": pl.String,
        "affiliation_at_appointment": pl.String,
        "province_territory": pl.String,
        "appointed_on_advice_of": pl.String,
        "term_text": pl.String,
        "start_date": pl.Date,
        "end_date": pl.Date,
        "exit_reason": pl.String,
        "tenure_days": pl.Int64,
        "exit_observed": pl.Boolean,
    }
    assert senators_data.height == 933
    censored = senators_data.filter(~pl.col("exit_observed"))
    assert censored.height == 99
    assert censored["exit_reason"].null_count() == 99
    assert censored["end_date"].unique().to_list() == [dt.date(2013, 10, 1)]
    assert _counts(senators_data.drop_nulls("exit_reason"), "exit_reason") == {
        "Death": 494,
        "Resignation": 201,
        "Retirement": 136,
        "Appointment declined": 3,
    }
    days = (senators_data["end_date"] - senators_data["start_date"]).dt.total_days()
    assert (days == senators_data["tenure_days"]).all()
    provinces = _counts(senators_data, "province_territory")
    assert provinces["Quebec"] == 247 and provinces["Ontario"] == 242
    # the README says 16 values; the file has 17: the 10 provinces, the 3 territories
    # and 4 historical "(Division)" labels
    assert len(provinces) == 17
