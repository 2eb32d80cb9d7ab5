"""Loaders of national public data sets kept as local copies: United States
health-provider counts by county (:func:`us_counties`), China's provincial health
resources of 1998-1999 and the provinces' areas (:func:`china_provinces`,
:func:`china_province_areas`) and the Canadian senators' tenure register
(:func:`canadian_senators`). How the copies are found and read: ``_local``."""

from __future__ import annotations

from dataclasses import replace

import polars as pl

from hrh.datasets._local import (
    PathLike,
    _join_all,
    _Kind,
    _locate,
    _read,
    _sibling,
    _Source,
)

_US = _Source(
    "us_counties",
    "us_county_health_providers_chrr",
    "us_county_state_health_providers_chrr.csv",
    "the County Health Rankings & Roadmaps provider counts",
    "County Health Rankings & Roadmaps, University of Wisconsin Population Health "
    "Institute (https://www.countyhealthrankings.org/; CC BY-NC-SA 4.0), measure data "
    "in github.com/County-Health-Rankings-and-Roadmaps/county_health_measure_calculations "
    "@ 9086d8a1, measure_datasets/v004_s2026, v088_s2026, v062_r2025, v131_r2025",
)
_CHINA = _Source(
    "china_provinces",
    "china_provincial_health_resources_1998_1999",
    "china_provincial_health_resources_1998_1999_long.csv",
    "the China 1998-1999 provincial health-resource tables",
    "National Bureau of Statistics of China, China Statistical Yearbook 1999 and 2000, "
    "tables 21-16, 21-17 and 4-3 "
    "(http://www.stats.gov.cn/english/statisticaldata/yearlydata/YB1999e/U16E.htm, "
    ".../YB2000e/U17E.htm, .../YB1999e/d03e.htm, .../YB2000e/D03E.htm)",
)
_CHINA_AREA = _Source(
    "china_province_areas",
    "china_provincial_health_resources_1998_1999",
    "china_provinces.csv",
    "the land areas of China's provinces",
    "Table 3 of 'National equity of health resource allocation in China: data from "
    "2009 to 2013', Int J Equity Health 2016, doi:10.1186/s12939-016-0357-1 "
    "(https://equityhealthj.biomedcentral.com/articles/10.1186/s12939-016-0357-1/tables/3; "
    "CC BY 4.0)",
)
_SENATORS = _Source(
    "canadian_senators",
    "canadian_senators_tenure",
    "canadian_senators.csv",
    "the Canadian senators tenure register",
    "Parliament of Canada historical records of senators, as compiled in the Python "
    "package lifelines 0.30.3 (https://pypi.org/project/lifelines/, MIT licence), file "
    "lifelines/datasets/canadian_senators.csv",
)


def us_counties(path: PathLike | None = None) -> pl.DataFrame:
    """United States health-provider counts and population by county, state and nation
    (County Health Rankings & Roadmaps).

    Four provider measures of County Health Rankings & Roadmaps (CHR&R) for 3,144
    counties, 51 states (with DC), the nation and 8 pre-2022 Connecticut counties:
    primary care physicians, dentists, mental health providers and other primary care
    providers (nurse practitioners, physician assistants, clinical nurse specialists),
    with the population they are rated against.

    **Licence: CC BY-NC-SA 4.0** (non-commercial, share-alike). Fine for research,
    tests and validation; do not bundle the data into a commercially distributed
    product without checking the terms.

    Parameters
    ----------
    path
        The data folder ``us_county_health_providers_chrr`` (or its file
        ``us_county_state_health_providers_chrr.csv``), or the folder that contains the
        data folders. ``None`` reads ``$HRH_DATA/us_county_health_providers_chrr``.

    Returns
    -------
    polars.DataFrame
        12,816 rows (3,204 geographies × 4 indicators), in the file's order:

        - ``fipscode`` (String, 5 digits), ``statecode`` (String, 2),
          ``countycode`` (String, 3; ``000`` for states and the nation).
        - ``geo_level`` (String): ``nation`` (fipscode ``00000``), ``state``,
          ``county``, ``county_legacy_ct`` (the 8 Connecticut counties before 2022).
        - ``state_abbr`` (String), ``name`` (String).
        - ``indicator`` (String), ``measure_id`` (String): ``primary_care_physicians``
          (v004; non-federal MDs and DOs under 75 in general, family and internal
          medicine and paediatrics, patient care, residents excluded),
          ``dentists`` (v088; dentists with an NPI), ``mental_health_providers``
          (v062; psychiatrists, psychologists, licensed clinical social workers,
          counsellors, marriage and family therapists, psychiatric APRNs),
          ``other_primary_care_providers`` (v131).
        - ``count_year`` (Int64): 2022 (v004), 2023 (v088), 2024 (v062, v131).
        - ``population_year`` (Int64): 2022 (v004), 2023 (others).
        - ``provider_count`` (Float64, whole numbers), ``population`` (Float64, whole
          numbers): null for the 52 Connecticut rows CHR&R does not report.
        - ``per_100k`` (Float64): provider_count / population × 100,000, computed by
          the republisher and rounded to 3 decimals (CHR&R itself publishes the ratio
          population per provider, = 100,000 / per_100k).
        - ``flag_ct`` (String): ``U`` Connecticut not updated for the 2022 geography
          change (no data), ``A`` Connecticut reported on its 9 planning regions.

    Raises
    ------
    InputError
        No local copy (the message says where the public original is and how to set
        ``HRH_DATA``), a missing column or a value that does not parse.

    Notes
    -----
    Source: County Health Rankings & Roadmaps, University of Wisconsin Population
    Health Institute, https://www.countyhealthrankings.org/, computed from the HRSA
    Area Health Resources Files 2023-2024 (AMA Physician Masterfile; NPI counts for
    dentists), the CMS NPPES NPI file 2024 and US Census Bureau population estimates
    (Vintage 2022/2023). Republished in
    github.com/County-Health-Rankings-and-Roadmaps/county_health_measure_calculations @
    9086d8a1, ``measure_datasets/v004_s2026.sas7bdat``, ``v088_s2026.sas7bdat``,
    ``v062_r2025.csv``, ``v131_r2025.csv`` (names from ``inputs/county_fips`` and
    ``inputs/state_fips``), converted to one tidy CSV. Licence: CC BY-NC-SA 4.0; the
    federal inputs are US public domain.

    Caveats: Connecticut has no primary care physician or dentist data (state and
    counties, flag ``U``) and reports mental health and other primary care providers
    on its 9 planning regions (flag ``A``); the 8 legacy counties are empty. A state's
    population is the sum of its counties'; for v004 and v088 so is its provider
    count, but for v062 and v131 the state count can exceed the county sum (providers
    not assignable to a county). Some counties have no providers (count 0). No land
    area.

    Examples
    --------
    >>> import polars as pl, hrh
    >>> us = hrh.datasets.us_counties()  # doctest: +SKIP
    >>> us.group_by("geo_level").len().sort("geo_level")["len"].to_list()  # doctest: +SKIP
    [12576, 32, 4, 204]
    >>> pcp = us.filter(  # doctest: +SKIP
    ...     indicator="primary_care_physicians", geo_level="county"
    ... ).drop_nulls("provider_count")
    >>> hrh.density(pcp, staff="provider_count", population="population",  # doctest: +SKIP
    ...             by="state_abbr", per=100_000).height
    50
    """
    main = _locate(_US, path)
    return _read(
        main,
        {
            "fipscode": "str",
            "statecode": "str",
            "countycode": "str",
            "geo_level": "str",
            "state_abbr": "str",
            "name": "str",
            "indicator": "str",
            "measure_id": "str",
            "count_year": "int",
            "population_year": "int",
            "provider_count": "float",
            "population": "float",
            "per_100k": "float",
            "flag_ct": "str",
        },
        loader="us_counties",
    )


_AREA_KINDS: dict[str, _Kind] = {
    "region": "str",
    "region_zh": "str",
    "admin_code": "str",
    "economic_zone": "str",
    "land_area_km2": "float",
    "published_land_area_10k_km2": "float",
    "area_source_url": "str",
}


def china_province_areas(path: PathLike | None = None) -> pl.DataFrame:
    """Land area of China's 31 provincial-level regions.

    Parameters
    ----------
    path
        The data folder ``china_provincial_health_resources_1998_1999`` (or its file
        ``china_provinces.csv``), or the folder that contains the data folders.
        ``None`` reads ``$HRH_DATA/china_provincial_health_resources_1998_1999``.

    Returns
    -------
    polars.DataFrame
        31 rows: ``region`` (String, English name), ``region_zh`` (String),
        ``admin_code`` (String, GB/T 2260 code such as ``"110000"``),
        ``economic_zone`` (String: East, Central, West, Northeast), ``land_area_km2``
        (Float64, km²; the 31 sum to 9,610,300), ``published_land_area_10k_km2``
        (Float64, as published, in 10,000 km²), ``area_source_url`` (String).

    Raises
    ------
    InputError
        No local copy (the message says where the public original is and how to set
        ``HRH_DATA``), a missing column or a value that does not parse.

    Notes
    -----
    Source: Table 3 of "National equity of health resource allocation in China: data
    from 2009 to 2013", International Journal for Equity in Health (2016),
    doi:10.1186/s12939-016-0357-1,
    https://equityhealthj.biomedcentral.com/articles/10.1186/s12939-016-0357-1/tables/3.
    Licence: CC BY 4.0 (BioMed Central). Areas are published to 0.01 × 10,000 km²
    (±50 km²).

    Examples
    --------
    >>> import hrh
    >>> areas = hrh.datasets.china_province_areas()  # doctest: +SKIP
    >>> areas["land_area_km2"].sum()  # doctest: +SKIP
    9610300.0
    """
    main = _locate(_CHINA_AREA, path)
    return _read(main, _AREA_KINDS, loader="china_province_areas")


def china_provinces(path: PathLike | None = None) -> pl.DataFrame:
    """China: health institutions, beds, health personnel and population by province,
    1998 and 1999, with land area.

    The provincial tables of the China Statistical Yearbook 1999 and 2000 (National
    Bureau of Statistics, English edition), for 31 provincial-level regions and the
    national total, in long form, with the land area of :func:`china_province_areas`
    joined in.

    Parameters
    ----------
    path
        The data folder ``china_provincial_health_resources_1998_1999`` (or its file
        ``china_provincial_health_resources_1998_1999_long.csv``, with
        ``china_provinces.csv`` next to it), or the folder that contains the data
        folders. ``None`` reads
        ``$HRH_DATA/china_provincial_health_resources_1998_1999``.

    Returns
    -------
    polars.DataFrame
        441 rows, one per (region, year, indicator), in the file's order:

        - ``region`` (String; ``"National Total"`` for the nation), ``region_zh``.
        - ``admin_code`` (String): GB/T 2260 code; ``"100000"`` for the nation.
        - ``economic_zone`` (String: East, Central, West, Northeast; null for the
          nation).
        - ``geo_level`` (String): ``province`` or ``national``.
        - ``year`` (Int64): 1998 or 1999.
        - ``indicator`` (String): 1998 ``health_institutions``, ``hospitals`` (units),
          ``beds``, ``hospital_beds``, ``health_personnel``,
          ``medical_technical_personnel`` (health technicians, 卫生技术人员),
          ``doctors`` (医生: physicians and assistant doctors, Western and TCM),
          ``population``; 1999 ``health_personnel``, ``medical_technical_personnel``,
          ``doctors``, ``physicians`` (of which 医师), ``nurses`` (senior and junior),
          ``population``.
        - ``value`` (Float64): in persons, beds or units (``published_value`` × 10,000
          where the yearbook gives 10,000s).
        - ``unit`` (String): ``persons`` or ``count``.
        - ``published_value`` (Float64), ``published_unit`` (String): as printed
          (``10 000 persons``, ``10 000 beds``, ``unit``).
        - ``quality_flag`` (String): null, or why a value is suspect.
        - ``land_area_km2`` (Float64): the province's land area; for the national rows
          the sum of the 31 provinces (9,610,300 km²).
        - ``source_table`` (String), ``source_url`` (String).

    Raises
    ------
    InputError
        No local copy (the message says where the public original is and how to set
        ``HRH_DATA``), a missing companion file or column, a value that does not parse,
        or a province whose ``admin_code`` is not in ``china_provinces.csv``.

    Notes
    -----
    Source: National Bureau of Statistics of China, China Statistical Yearbook 1999 and
    2000, tables 21-16 "Number of Health Institutions, Beds and Persons Engaged by
    Region (1998)", 21-17 "Number of Persons Engaged in Health Institutions by Region
    1999" and 4-3 "Total Population ... by Region", transcribed by hand from the
    archived official pages
    http://www.stats.gov.cn/english/statisticaldata/yearlydata/YB1999e/U16E.htm,
    http://www.stats.gov.cn/english/statisticaldata/yearlydata/YB2000e/U17E.htm,
    http://www.stats.gov.cn/english/statisticaldata/yearlydata/YB1999e/d03e.htm and
    http://www.stats.gov.cn/english/statisticaldata/yearlydata/YB2000e/D03E.htm.
    Licence: official NBS statistics, no explicit open licence (factual statistics,
    attribute to NBS). Land area: see :func:`china_province_areas` (CC BY 4.0).

    Caveats: 1998 has no Xinjiang health rows (the archived page is truncated after
    Ningxia): 30 provinces and the national total, while 1998 population has all 31,
    so 1998 provincial sums fall short of the national totals. Hainan's 1998
    ``hospital_beds`` is printed as 32.1 (10,000) although its total beds are 2.1, an
    apparent typo kept as published and flagged in ``quality_flag``. Personnel and beds
    are rounded to 0.1 × 10,000 (±500), a large relative error for small provinces
    (Tibet). Provincial population excludes the military, the national total includes
    it (provinces sum to about 1.3 % less). Old data: 1998-1999 only.

    Examples
    --------
    >>> import polars as pl, hrh
    >>> cn = hrh.datasets.china_provinces()  # doctest: +SKIP
    >>> cn.height  # doctest: +SKIP
    441
    >>> docs = cn.filter(year=1999, geo_level="province", indicator="doctors")  # doctest: +SKIP
    >>> pop = cn.filter(year=1999, geo_level="province", indicator="population")  # doctest: +SKIP
    >>> hrh.density(docs, staff="value", by="region", area="land_area_km2",  # doctest: +SKIP
    ...             population=pop.select("region", population="value")).height
    31
    """
    main = _locate(_CHINA, path)
    df = _read(
        main,
        {
            "region": "str",
            "region_zh": "str",
            "admin_code": "str",
            "economic_zone": "str",
            "geo_level": "str",
            "year": "int",
            "indicator": "str",
            "value": "float",
            "unit": "str",
            "published_value": "float",
            "published_unit": "str",
            "quality_flag": "str",
            "source_table": "str",
            "source_url": "str",
        },
        loader="china_provinces",
    )
    areas = _read(
        _sibling(main, replace(_CHINA_AREA, loader="china_provinces")),
        _AREA_KINDS,
        loader="china_provinces",
    ).select("admin_code", "land_area_km2")
    national = pl.col("geo_level") == "national"
    provinces = df.filter(~national)
    _join_all(
        provinces.select("admin_code"),
        areas,
        "admin_code",
        loader="china_provinces",
        right_file="china_provinces.csv",
    )
    total = float(areas.get_column("land_area_km2").sum())
    out = df.join(areas, on="admin_code", how="left", maintain_order="left")
    out = out.with_columns(
        land_area_km2=pl.when(national).then(pl.lit(total)).otherwise(pl.col("land_area_km2"))
    )
    return out.select(
        "region",
        "region_zh",
        "admin_code",
        "economic_zone",
        "geo_level",
        "year",
        "indicator",
        "value",
        "unit",
        "published_value",
        "published_unit",
        "quality_flag",
        "land_area_km2",
        "source_table",
        "source_url",
    )


def canadian_senators(path: PathLike | None = None) -> pl.DataFrame:
    """Tenure and exits of Canadian senators, 1867-2013: an individual-level register
    with exit reasons and right-censoring.

    A stand-in for a health-workforce register in attrition work (Kaplan-Meier
    retention, competing exit reasons, cohorts and regions): one row per appointment.

    Parameters
    ----------
    path
        The data folder ``canadian_senators_tenure`` (or its file
        ``canadian_senators.csv``), or the folder that contains the data folders.
        ``None`` reads ``$HRH_DATA/canadian_senators_tenure``.

    Returns
    -------
    polars.DataFrame
        933 rows, in the file's order:

        - ``name`` (String; 922 distinct, a few senators were appointed twice),
          ``affiliation_at_appointment`` (String), ``province_territory`` (String: the
          provinces and territories, plus a few historical "(Division)" labels),
          ``appointed_on_advice_of`` (String: the prime minister).
        - ``term_text`` (String): the original term description.
        - ``start_date`` (Date), ``end_date`` (Date; 2013-10-01 for senators still
          sitting).
        - ``exit_reason`` (String): ``Death``, ``Resignation``, ``Retirement``,
          ``Appointment declined``; null when censored.
        - ``tenure_days`` (Int64): ``end_date`` − ``start_date`` in days.
        - ``exit_observed`` (Boolean): False for the 99 senators still sitting at the
          extraction (right-censored).

    Raises
    ------
    InputError
        No local copy (the message says where the public original is and how to set
        ``HRH_DATA``), a missing column or a value that does not parse.

    Notes
    -----
    Source: Parliament of Canada historical records of senators, compiled by the
    lifelines authors (October 2013), from the Python package lifelines 0.30.3
    (https://pypi.org/project/lifelines/), file ``lifelines/datasets/canadian_senators.csv``
    (loader ``lifelines.datasets.load_canadian_senators``); only the CSV was kept, with
    columns renamed and dates truncated to YYYY-MM-DD. Licence: MIT (lifelines); the
    facts are public parliamentary records.

    Caveats: not health workers; senators retire at 75 by law since 1965 (a mandatory
    exit that health registers have in another form); 3 "Appointment declined" rows
    have a tenure of 0 days.

    Examples
    --------
    >>> import hrh
    >>> s = hrh.datasets.canadian_senators()  # doctest: +SKIP
    >>> s.height, int((~s["exit_observed"]).sum())  # doctest: +SKIP
    (933, 99)
    """
    main = _locate(_SENATORS, path)
    return _read(
        main,
        {
            "name": "str",
            "affiliation_at_appointment": "str",
            "province_territory": "str",
            "appointed_on_advice_of": "str",
            "term_text": "str",
            "start_date": "date",
            "end_date": "date",
            "exit_reason": "str",
            "tenure_days": "int",
            "exit_observed": "bool",
        },
        loader="canadian_senators",
    )
