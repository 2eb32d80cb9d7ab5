"""Data sets: small tables bundled with hrh, a synthetic HR register, and loaders for
public data sets kept as local copies.

Bundled tables carry the figures of the cases that motivate hrh; each function's
docstring gives the source. The synthetic register is invented (no row is a real
person) but shaped after a real provincial workforce, for demos and tests.

The loaders :func:`wdi`, :func:`nhwa`, :func:`wpp`, :func:`us_counties`,
:func:`china_provinces`, :func:`china_province_areas` and :func:`canadian_senators`
read public data sets that are not shipped with hrh: from a `path` argument, else from
the folder named by the environment variable ``HRH_DATA`` (the folder that contains the
data folders, one per data set, each with its README). Each docstring gives the public
original, its licence, the columns and the caveats; without a local copy the loader
raises :class:`hrh.InputError` saying where to get it.

Examples
--------
>>> import hrh
>>> reg = hrh.datasets.synthetic_register()
>>> reg.filter(reg["exit_date"].is_null()).height
3087
>>> try:
...     hrh.datasets.wdi(path="no/such/folder")
... except hrh.InputError as e:
...     print(str(e)[:60])
wdi(): path 'no/such/folder' does not exist. The public orig
"""

from __future__ import annotations

from hrh.datasets._bundled import (
    jingjinji_density,
    province_incentives,
    province_scenario,
    province_staffing,
    synthetic_population,
    synthetic_register,
)
from hrh.datasets._international import NHWA_MEASURES, WPP_VARIANTS, nhwa, wdi, wpp
from hrh.datasets._local import ENV_VAR
from hrh.datasets._national import (
    canadian_senators,
    china_province_areas,
    china_provinces,
    us_counties,
)

__all__ = [
    "ENV_VAR",
    "NHWA_MEASURES",
    "WPP_VARIANTS",
    "canadian_senators",
    "china_province_areas",
    "china_provinces",
    "jingjinji_density",
    "nhwa",
    "province_incentives",
    "province_scenario",
    "province_staffing",
    "synthetic_population",
    "synthetic_register",
    "us_counties",
    "wdi",
    "wpp",
]
