"""Loaders of international public data sets kept as local copies: the World Bank's
WDI health-workforce indicators (:func:`wdi`), WHO's National Health Workforce
Accounts (:func:`nhwa`) and the UN World Population Prospects 2024 projections
(:func:`wpp`). How the copies are found and read: ``_local``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import polars as pl

from hrh.datasets._local import PathLike, _join_all, _locate, _read, _sibling, _Source
from hrh.exceptions import InputError

WPP_VARIANTS = (
    "medium",
    "low",
    "high",
    "pi80_lower",
    "pi80_upper",
    "pi95_lower",
    "pi95_upper",
)
"""Projection variants of :func:`wpp`."""

_WDI = _Source(
    "wdi",
    "wdi_health_workforce",
    "wdi_health_workforce_long.csv",
    "the World Bank WDI health-workforce indicators",
    "World Bank, World Development Indicators, release 2023-03-01 (CC BY 4.0): "
    "https://databank.worldbank.org/source/world-development-indicators, series "
    "SH.MED.PHYS.ZS, SH.MED.NUMW.P3, SH.MED.BEDS.ZS, SH.MED.SAOP.P5 and SP.POP.TOTL "
    "(e.g. https://data.worldbank.org/indicator/SH.MED.PHYS.ZS)",
)
_NHWA = _Source(
    "nhwa",
    "who_nhwa_doctors_nurses",
    "who_nhwa_doctors_nurses_long.csv",
    "the WHO NHWA doctors and nurses tables",
    "WHO, Global Health Workforce Statistics (NHWA), Global Health Observatory "
    "indicators HWF_0001-HWF_0009 (https://www.who.int/data/gho; OData API "
    "https://ghoapi.azureedge.net/api/HWF_0001), GHO export of Jan-Feb 2022 as "
    "republished unmodified in github.com/cghss/IHR-costing @ 868e16c5, "
    "data/generate-country-data/inputs/who/ (WHO data terms: public-health use, "
    "attribution)",
)
_WPP = _Source(
    "wpp",
    "un_wpp2024_population_projections",
    "wpp2024_total_population_projections_long.csv",
    "the UN World Population Prospects 2024 projections",
    "United Nations, DESA, Population Division, World Population Prospects 2024 "
    "(https://population.un.org/wpp/; CC BY 3.0 IGO), total population 2024-2100, as "
    "republished in github.com/PPgp/wpp2024 @ 2da7768a, data-raw/popproj*.txt",
)


def wdi(path: PathLike | None = None) -> pl.DataFrame:
    """World Bank WDI health-workforce densities, hospital beds and population.

    Country series of the World Development Indicators (release 2023-03-01) for 217
    economies and 48 aggregates (regions, income groups, world), 1960-2021, in long
    form, with each economy's World Bank region, income group and aggregate flag and
    each indicator's name and unit joined in.

    Parameters
    ----------
    path
        The data folder ``wdi_health_workforce`` (or its file
        ``wdi_health_workforce_long.csv``, with ``countries.csv`` and
        ``indicators.csv`` next to it), or the folder that contains the data folders.
        ``None`` reads ``$HRH_DATA/wdi_health_workforce``.

    Returns
    -------
    polars.DataFrame
        29,438 rows, one per (``iso3``, ``indicator``, ``year``) with a value, in the
        file's order:

        - ``iso3`` (String): World Bank economy code (ISO 3166-1 alpha-3 for countries;
          e.g. ``WLD``, ``HIC``, ``AFE`` for aggregates).
        - ``country_name`` (String): World Bank name, from ``countries.csv`` (one name
          per code; the raw files spell some names differently).
        - ``wb_region`` (String), ``income_group`` (String): classification of the
          2023 release; null for aggregates (and ``income_group`` for Venezuela).
        - ``is_aggregate`` (Boolean): True for the 48 regional and income aggregates.
        - ``year`` (Int64).
        - ``indicator`` (String): WDI code, ``SH.MED.PHYS.ZS`` physicians per 1,000
          people, ``SH.MED.NUMW.P3`` nurses and midwives per 1,000 people,
          ``SH.MED.BEDS.ZS`` hospital beds per 1,000 people, ``SH.MED.SAOP.P5``
          specialist surgical workforce per 100,000 population, ``SP.POP.TOTL``
          total population (persons).
        - ``indicator_name`` (String), ``unit`` (String): from ``indicators.csv``.
        - ``value`` (Float64): in ``unit``.

    Raises
    ------
    InputError
        No local copy (the message says where the public original is and how to set
        ``HRH_DATA``), a missing companion file or column, a value that does not
        parse, or a code missing from ``countries.csv`` / ``indicators.csv``.

    Notes
    -----
    Source: World Bank, World Development Indicators, "Last Updated Date 2023-03-01",
    https://databank.worldbank.org/source/world-development-indicators (per series,
    e.g. https://data.worldbank.org/indicator/SH.MED.PHYS.ZS). The per-indicator
    "API_...DS2" downloads were taken from github.com/kompleksanda/EDA-high-low-income
    @ ac86613a (workforce, beds, country metadata) and github.com/ARundle01/ecmm428-pycart
    @ dfd11c45 (population). The workforce series are WHO Global Health Workforce
    Statistics and OECD data. Licence: CC BY 4.0; cite "World Bank, World Development
    Indicators (2023-03-01 release)".

    Caveats: the workforce series are sparse and irregular (many countries report every
    few years); the latest workforce year is 2020 (beds 2019, population 2021); WDI
    publishes densities, not headcounts (density × population / 1,000 is only an
    approximate count; see :func:`nhwa` for headcounts); aggregates are included, filter
    them with ``is_aggregate``.

    Examples
    --------
    >>> import polars as pl, hrh
    >>> w = hrh.datasets.wdi()  # doctest: +SKIP
    >>> w.height  # doctest: +SKIP
    29438
    >>> w.filter(  # doctest: +SKIP
    ...     pl.col("indicator") == "SH.MED.PHYS.ZS", ~pl.col("is_aggregate")
    ... )["iso3"].n_unique()
    208
    """
    main = _locate(_WDI, path)
    long = _read(
        main,
        {"iso3": "str", "country_name": "str", "year": "int", "indicator": "str", "value": "float"},
        loader="wdi",
    )
    countries_file = _sibling(main, replace(_WDI, filename="countries.csv"))
    countries = _read(
        countries_file,
        {
            "iso3": "str",
            "name": "str",
            "wb_region": "str",
            "income_group": "str",
            "is_aggregate": "bool",
        },
        loader="wdi",
    )
    indicators_file = _sibling(main, replace(_WDI, filename="indicators.csv"))
    indicators = _read(
        indicators_file,
        {"indicator": "str", "indicator_name": "str", "unit": "str"},
        loader="wdi",
    )
    out = _join_all(
        long.drop("country_name"),
        countries.rename({"name": "country_name"}),
        "iso3",
        loader="wdi",
        right_file="countries.csv",
    )
    out = _join_all(out, indicators, "indicator", loader="wdi", right_file="indicators.csv")
    return out.select(
        "iso3",
        "country_name",
        "wb_region",
        "income_group",
        "is_aggregate",
        "year",
        "indicator",
        "indicator_name",
        "unit",
        "value",
    )


NHWA_MEASURES: dict[str, str] = {
    "HWF_0001": "medical_doctors_per_10000",
    "HWF_0002": "medical_doctors",
    "HWF_0003": "generalist_medical_practitioners",
    "HWF_0004": "specialist_medical_practitioners",
    "HWF_0005": "medical_doctors_nfd",
    "HWF_0006": "nursing_midwifery_per_10000",
    "HWF_0007": "nursing_midwifery_personnel",
    "HWF_0008": "nursing_personnel",
    "HWF_0009": "midwifery_personnel",
}
"""GHO indicator code -> snake_case ``measure`` of :func:`nhwa`."""


def nhwa(path: PathLike | None = None) -> pl.DataFrame:
    """WHO National Health Workforce Accounts: medical doctors and nursing and
    midwifery personnel, headcounts and densities per 10,000 population.

    Country series (197 countries, 1952-2020) of the WHO Global Health Workforce
    Statistics database as exported from the Global Health Observatory (GHO) in
    January-February 2022, in long form.

    Parameters
    ----------
    path
        The data folder ``who_nhwa_doctors_nurses`` (or its file
        ``who_nhwa_doctors_nurses_long.csv``), or the folder that contains the data
        folders. ``None`` reads ``$HRH_DATA/who_nhwa_doctors_nurses``.

    Returns
    -------
    polars.DataFrame
        22,362 rows, one per (``iso3``, ``year``, ``indicator_code``), in the file's
        order:

        - ``iso3`` (String), ``country_name`` (String; ``country`` in the file).
        - ``who_region_code`` (String: AFR, AMR, EMR, EUR, SEAR, WPR), ``who_region``.
        - ``year`` (Int64).
        - ``indicator_code`` (String): GHO code ``HWF_0001`` ... ``HWF_0009``.
        - ``measure`` (String): snake_case name of the code (:data:`NHWA_MEASURES`):
          ``medical_doctors_per_10000`` (HWF_0001), ``medical_doctors`` (0002),
          ``generalist_medical_practitioners`` (0003),
          ``specialist_medical_practitioners`` (0004), ``medical_doctors_nfd`` (0005,
          not further defined), ``nursing_midwifery_per_10000`` (0006),
          ``nursing_midwifery_personnel`` (0007), ``nursing_personnel`` (0008),
          ``midwifery_personnel`` (0009).
        - ``indicator`` (String): GHO name, e.g. "Medical doctors (per 10,000)".
        - ``unit`` (String): ``"count (headcount)"`` or ``"per 10,000 population"``.
        - ``value`` (Float64): GHO ``FactValueNumeric``.
        - ``is_latest_year`` (Boolean), ``date_modified`` (Date).

    Raises
    ------
    InputError
        No local copy (the message says where the public original is and how to set
        ``HRH_DATA``), a missing column, a value that does not parse, or an indicator
        code outside HWF_0001-HWF_0009.

    Notes
    -----
    Source: World Health Organization, Global Health Workforce Statistics (NHWA),
    Global Health Observatory, https://www.who.int/data/gho (OData API:
    https://ghoapi.azureedge.net/api/HWF_0001 ...), records dated 2022-01-10 to
    2022-02-08. The GHO exports were republished unmodified in github.com/cghss/IHR-costing
    @ 868e16c5, ``data/generate-country-data/inputs/who/medical_doctors_per10000.csv``
    and ``.../ursing_midwives_per10000.csv``. Licence: WHO "Terms and conditions of
    use for WHO data compilations" (use, reproduction and distribution for public
    health purposes, with attribution to WHO and the reporting countries; not a CC
    licence). Cite "WHO, Global Health Workforce Statistics (NHWA), GHO export Jan-Feb
    2022".

    Caveats: WHO densities use UN WPP populations, so count / WDI population × 10,000
    differs slightly from HWF_0001 / HWF_0006 (and much for Moldova, whose WDI
    population excludes Transnistria); densities are published to 2 decimals (1
    decimal from 100 up); generalist + specialist + not-further-defined equals the
    total only where all three are reported; series are sparse and irregular; countries
    only, no aggregates.

    Examples
    --------
    >>> import polars as pl, hrh
    >>> n = hrh.datasets.nhwa()  # doctest: +SKIP
    >>> n.height  # doctest: +SKIP
    22362
    >>> wide = n.pivot(on="measure", index=["iso3", "year"], values="value")  # doctest: +SKIP
    >>> wide.filter(iso3="GBR", year=2020)["medical_doctors"].item()  # doctest: +SKIP
    203907.0
    """
    main = _locate(_NHWA, path)
    df = _read(
        main,
        {
            "iso3": "str",
            "country": "str",
            "who_region_code": "str",
            "who_region": "str",
            "year": "int",
            "indicator_code": "str",
            "indicator": "str",
            "value": "float",
            "is_latest_year": "bool",
            "date_modified": "date",
            "unit": "str",
        },
        loader="nhwa",
    )
    codes = df.get_column("indicator_code")
    unknown = (~codes.is_in(list(NHWA_MEASURES))).arg_true()
    if len(unknown):
        row = int(unknown[0])
        raise InputError(
            f"nhwa(): '{main.name}', column 'indicator_code', row {row}: value "
            f"{codes[row]!r} is not one of HWF_0001 ... HWF_0009"
        )
    return df.select(
        "iso3",
        pl.col("country").alias("country_name"),
        "who_region_code",
        "who_region",
        "year",
        "indicator_code",
        pl.col("indicator_code")
        .replace_strict(NHWA_MEASURES, return_dtype=pl.String)
        .alias("measure"),
        "indicator",
        "unit",
        "value",
        "is_latest_year",
        "date_modified",
    )


def wpp(
    path: PathLike | None = None, *, variant: str | Sequence[str] | None = None
) -> pl.DataFrame:
    """UN World Population Prospects 2024: total population projections, 2024-2100.

    Total population (both sexes, 1 July) of 297 locations (236 countries or areas,
    the world, regions, subregions and special aggregates such as income groups) for
    each year 2024-2100 under seven projection variants.

    Parameters
    ----------
    path
        The data folder ``un_wpp2024_population_projections`` (or its file
        ``wpp2024_total_population_projections_long.csv``), or the folder that contains
        the data folders. ``None`` reads ``$HRH_DATA/un_wpp2024_population_projections``.
    variant
        ``None`` (all seven), one variant or a list of variants, from
        :data:`WPP_VARIANTS`: ``"medium"``, ``"low"``, ``"high"`` (deterministic
        variants, ±0.5 child total fertility), ``"pi80_lower"``, ``"pi80_upper"``,
        ``"pi95_lower"``, ``"pi95_upper"`` (bounds of the 80 % and 95 % probabilistic
        prediction intervals).

    Returns
    -------
    polars.DataFrame
        160,083 rows with all variants (297 locations × 7 variants × 77 years; 22,869
        per variant), in the file's order:

        - ``m49_code`` (Int64): UN M49 numeric location code.
        - ``iso3`` (String): ISO 3166-1 alpha-3 derived from M49 (Kosovo ``XKX``, the
          World Bank code); null for aggregates.
        - ``location`` (String), ``location_type`` (String: ``world``, ``region``,
          ``subregion``, ``country_or_area``, ``special_aggregate``).
        - ``variant`` (String), ``year`` (Int64).
        - ``pop_thousands`` (Float64): population in thousands, as published.
        - ``population`` (Float64): the same in persons (``pop_thousands`` × 1,000,
          rounded to whole persons, exact since WPP gives three decimals), ready for
          ``hrh.density(..., population=...)``.

    Raises
    ------
    InputError
        No local copy (the message says where the public original is and how to set
        ``HRH_DATA``), an unknown `variant`, a missing column or a value that does not
        parse.

    Notes
    -----
    Source: United Nations, Department of Economic and Social Affairs, Population
    Division (2024), World Population Prospects 2024, https://population.un.org/wpp/
    (released 2024-07-11), as republished in the R data package github.com/PPgp/wpp2024
    @ 2da7768a, ``data-raw/popprojMed.txt``, ``popprojLow.txt``, ``popprojHigh.txt``,
    ``popproj80l.txt``, ``popproj80u.txt``, ``popproj95l.txt``, ``popproj95u.txt`` and
    ``data/UNlocations.txt``. Licence: CC BY 3.0 IGO ("2024 United Nations, DESA,
    Population Division. Licensed under CC BY 3.0 IGO").

    Caveats: projections only, no 1950-2023 estimates (use the WDI population,
    ``SP.POP.TOTL`` in :func:`wdi`, for history; WDI and WPP populations differ
    slightly); WPP's China excludes Hong Kong, Macao and Taiwan (separate rows).

    Examples
    --------
    >>> import hrh
    >>> med = hrh.datasets.wpp(variant="medium")  # doctest: +SKIP
    >>> med.height  # doctest: +SKIP
    22869
    >>> med.filter(iso3="JPN", year=2050)["population"].item() > 1e8  # doctest: +SKIP
    True
    """
    variants = _variants(variant)
    main = _locate(_WPP, path)
    df = _read(
        main,
        {
            "m49_code": "int",
            "iso3": "str",
            "location": "str",
            "location_type": "str",
            "variant": "str",
            "year": "int",
            "pop_thousands": "float",
        },
        loader="wpp",
    )
    if variants is not None:
        df = df.filter(pl.col("variant").is_in(variants))
    return df.with_columns(population=(pl.col("pop_thousands") * 1000.0).round(0))


def _variants(variant: str | Sequence[str] | None) -> list[str] | None:
    if variant is None:
        return None
    chosen = [variant] if isinstance(variant, str) else list(variant)
    if not chosen:
        raise InputError("variant: the list of variants is empty; give e.g. 'medium'")
    for v in chosen:
        if v not in WPP_VARIANTS:
            raise InputError(
                f"variant: {v!r} is not a WPP 2024 variant; choose from "
                f"{', '.join(repr(x) for x in WPP_VARIANTS)}"
            )
    return chosen
