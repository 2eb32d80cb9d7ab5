"""Loaders for public data sets kept as local copies.

The files are not shipped with hrh (several licences forbid or restrict it, and some are
large). Each loader reads one data folder, as described in that folder's ``README.md``:
from the `path` argument (the data folder, its main file, or the folder that contains
the data folders), else from the folder named by the environment variable ``HRH_DATA``
(the folder that contains the data folders). Without either it raises
:class:`hrh.InputError` saying where the public original is.

Every loader returns a tidy polars DataFrame: years are ``Int64``, measured values
(counts, populations, densities, areas) ``Float64``, codes ``String`` (``fipscode``
keeps its leading zeros), dates ``Date`` and flags ``Boolean``. A value that does not
parse raises InputError naming the file, the column, the row and the value.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

import polars as pl

from hrh._frames import require_columns
from hrh.exceptions import InputError

__all__ = [
    "ENV_VAR",
    "NHWA_MEASURES",
    "WPP_VARIANTS",
    "canadian_senators",
    "china_province_areas",
    "china_provinces",
    "nhwa",
    "us_counties",
    "wdi",
    "wpp",
]

ENV_VAR = "HRH_DATA"
"""Environment variable naming the folder that contains the data folders."""

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

PathLike = str | os.PathLike[str]
_Kind = Literal["str", "int", "float", "bool", "date"]
_DTYPES: dict[_Kind, str] = {
    "int": "a whole number",
    "float": "a number",
    "bool": "True or False",
    "date": "a date (YYYY-MM-DD)",
}


@dataclass(frozen=True)
class _Source:
    loader: str
    folder: str
    filename: str
    title: str
    original: str


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


def _hint(src: _Source) -> str:
    return (
        f"The public original is {src.original}. hrh reads the tidy copy described in the "
        f"data folder's README.md: a folder '{src.folder}' holding '{src.filename}'. Pass "
        f"its location, hrh.datasets.{src.loader}(path='/data/{src.folder}'), or set the "
        f"environment variable {ENV_VAR} to the folder that contains '{src.folder}' "
        f"(e.g. export {ENV_VAR}=/data)."
    )


def _locate(src: _Source, path: PathLike | None) -> Path:
    """The main file of `src`: from `path` (file, data folder or folder of data
    folders), else from $HRH_DATA, else InputError."""
    where = f"{src.loader}()"
    if path is not None:
        p = Path(path).expanduser()
        if p.is_file():
            return p
        if p.is_dir():
            for candidate in (p / src.filename, p / src.folder / src.filename):
                if candidate.is_file():
                    return candidate
            raise InputError(
                f"{where}: path '{p}' holds neither '{src.filename}' nor "
                f"'{src.folder}/{src.filename}'. {_hint(src)}"
            )
        raise InputError(f"{where}: path '{p}' does not exist. {_hint(src)}")
    root = os.environ.get(ENV_VAR, "").strip()
    if root:
        candidate = Path(root).expanduser() / src.folder / src.filename
        if candidate.is_file():
            return candidate
        raise InputError(
            f"{where}: {ENV_VAR}='{root}' has no '{src.folder}/{src.filename}'. {_hint(src)}"
        )
    raise InputError(
        f"{where}: no local copy of {src.title}: no path was given and the environment "
        f"variable {ENV_VAR} is not set. {_hint(src)}"
    )


def _sibling(main: Path, src: _Source) -> Path:
    """A companion file that lives next to the main file."""
    p = main.parent / src.filename
    if not p.is_file():
        raise InputError(
            f"{src.loader}(): '{src.filename}' is missing from '{main.parent}' (it belongs "
            f"next to '{main.name}'). {_hint(src)}"
        )
    return p


def _read(file: Path, kinds: Mapping[str, _Kind], *, loader: str) -> pl.DataFrame:
    """Read a CSV as text, check that `kinds` are its columns, and cast each column,
    naming the file, column, row and value of anything that does not parse."""
    try:
        raw = pl.read_csv(file, infer_schema=False)
    except (OSError, pl.exceptions.PolarsError) as e:
        raise InputError(f"{loader}(): could not read '{file}' as CSV ({e})") from e
    require_columns(raw, list(kinds), role=f"read by hrh.datasets.{loader}", table=f"'{file}'")
    columns: list[pl.Series] = []
    for name, kind in kinds.items():
        s = raw.get_column(name)
        if kind == "str":
            columns.append(s)
            continue
        if kind == "bool":
            out = s.replace_strict(
                {"True": True, "False": False, "true": True, "false": False},
                default=None,
                return_dtype=pl.Boolean,
            )
        elif kind == "date":
            out = s.str.to_date("%Y-%m-%d", strict=False)
        else:
            out = s.str.strip_chars().cast(pl.Int64 if kind == "int" else pl.Float64, strict=False)
        bad = (out.is_null() & s.is_not_null()).arg_true()
        if len(bad):
            row = int(bad[0])
            raise InputError(
                f"{loader}(): '{file.name}', column '{name}', row {row}: value {s[row]!r} "
                f"is not {_DTYPES[kind]}"
            )
        columns.append(out.alias(name))
    return pl.DataFrame(columns)


def _join_all(
    left: pl.DataFrame, right: pl.DataFrame, key: str, *, loader: str, right_file: str
) -> pl.DataFrame:
    """Left join on `key` that raises InputError when a key of `left` is not in
    `right`."""
    absent = (~left.get_column(key).is_in(right.get_column(key).implode())).arg_true()
    if len(absent):
        row = int(absent[0])
        raise InputError(
            f"{loader}(): column '{key}', row {row}: value {left[row, key]!r} is not in "
            f"'{right_file}' ({len(absent)} row(s) without a match)"
        )
    return left.join(right, on=key, how="left", maintain_order="left")


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
