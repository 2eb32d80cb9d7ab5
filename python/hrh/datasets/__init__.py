"""Data sets: small tables bundled with hrh, a synthetic HR register, and loaders for
public data sets kept as local copies.

Bundled tables carry the figures of the cases that motivate hrh; each function's
docstring gives the source. The synthetic register is invented (no row is a real
person) but shaped after a real provincial workforce, for demos and tests.

Examples
--------
>>> import hrh
>>> reg = hrh.datasets.synthetic_register()
>>> reg.filter(reg["exit_date"].is_null()).height
3087
"""

from __future__ import annotations

from hrh.datasets._bundled import (
    jingjinji_density,
    province_incentives,
    province_staffing,
    synthetic_population,
    synthetic_register,
)

__all__ = [
    "jingjinji_density",
    "province_incentives",
    "province_staffing",
    "synthetic_population",
    "synthetic_register",
]
