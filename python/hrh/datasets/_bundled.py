"""Small tables bundled with the package and the synthetic register."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from hrh import _core

_EPOCH = dt.date(1970, 1, 1)


def jingjinji_density() -> pl.DataFrame:
    """Health workers per 1,000 population in Beijing, Tianjin and Hebei.

    Columns ``region``, ``cadre`` (``health_technicians``, ``doctors``, ``nurses``) and
    ``density_per_1000``. Beijing, Tianjin and Hebei have 13.8, 8.2 and 6.9 health
    technicians, 5.4, 3.5 and 3.2 licensed (assistant) doctors and 6.1, 3.0 and 2.7
    registered nurses per 1,000 people: the gradient that studies of the region
    describe as a "polarization effect", with health talent draining from Hebei to the
    two municipalities.

    Source: densities as published for the region in the China Health Statistics
    Yearbook series (National Health Commission of the People's Republic of China) and
    quoted in studies of Beijing-Tianjin-Hebei health-workforce integration; the
    figures are rounded to one decimal as quoted. Check the yearbook edition before
    citing a specific year.

    Examples
    --------
    >>> import hrh
    >>> t = hrh.datasets.jingjinji_density()
    >>> t.filter(t["cadre"] == "doctors")["density_per_1000"].to_list()
    [5.4, 3.5, 3.2]
    """
    regions = ["Beijing", "Tianjin", "Hebei"]
    values = {
        "health_technicians": [13.8, 8.2, 6.9],
        "doctors": [5.4, 3.5, 3.2],
        "nurses": [6.1, 3.0, 2.7],
    }
    return pl.DataFrame(
        {
            "region": [r for _ in values for r in regions],
            "cadre": [c for c in values for _ in regions],
            "density_per_1000": [v for vs in values.values() for v in vs],
        }
    )


def province_staffing() -> pl.DataFrame:
    """Staffing of the Vietnamese province of the motivating case.

    One row per indicator (``indicator``, ``value``, ``unit``): 3,087 health workers in
    post against a staffing quota of 3,364 (277 short, a fill rate of 91.8 %); 11
    postgraduate-trained doctors lost in three years, most soon after training the
    province paid for; 104 staff planned for postgraduate training.

    Source: figures reported by the provincial health department of a Vietnamese
    province in a workforce-retention case study (figures as quoted in the case; the
    province is not named there).

    Examples
    --------
    >>> import hrh
    >>> t = hrh.datasets.province_staffing()
    >>> dict(zip(t["indicator"], t["value"]))["quota"]
    3364
    """
    return pl.DataFrame(
        {
            "indicator": [
                "staff",
                "quota",
                "vacancies",
                "postgraduate_doctors_lost_3y",
                "planned_training",
            ],
            "value": [3087, 3364, 277, 11, 104],
            "unit": ["persons", "posts", "posts", "persons", "persons"],
        }
    )


def province_incentives() -> pl.DataFrame:
    """One-off cash incentives offered by the province, by qualification tier.

    Columns ``tier`` (1 = lowest qualification), ``amount_million_vnd`` (150, 250 and
    450 million Vietnamese dong). The source gives the amounts in ascending order of
    qualification without a one-to-one mapping to degrees, so tiers are numbered.

    Source: as for :func:`province_staffing`.

    Examples
    --------
    >>> import hrh
    >>> hrh.datasets.province_incentives()["amount_million_vnd"].to_list()
    [150, 250, 450]
    """
    return pl.DataFrame({"tier": [1, 2, 3], "amount_million_vnd": [150, 250, 450]})


def synthetic_population() -> pl.DataFrame:
    """Population and land area of the nine districts of the synthetic province.

    Invented figures (``district``, ``population``, ``area_km2``, ``zone``: urban,
    lowland or highland) that go with
    :func:`synthetic_register`: 1.25 million people on 11,900 km², a dense provincial
    city and thinly populated highland districts.

    Examples
    --------
    >>> import hrh
    >>> int(hrh.datasets.synthetic_population()["population"].sum())
    1250000
    """
    return pl.DataFrame(
        {
            "district": [
                "Provincial City",
                "North Coast",
                "River Delta",
                "Central Plain",
                "Lake District",
                "South Valley",
                "Highland East",
                "Highland West",
                "Border Hills",
            ],
            "population": [
                265_000,
                150_000,
                172_000,
                158_000,
                121_000,
                118_000,
                98_000,
                91_000,
                77_000,
            ],
            "area_km2": [180.0, 820.0, 960.0, 1_150.0, 1_240.0, 1_310.0, 2_050.0, 2_180.0, 2_010.0],
            "zone": ["urban"] + ["lowland"] * 5 + ["highland"] * 3,
        }
    )


def _dates(days: np.ndarray, mask: np.ndarray | None = None) -> pl.Series:
    s = pl.Series(days.astype(np.int32)).cast(pl.Date)
    if mask is not None:
        s = pl.select(pl.when(pl.Series(mask)).then(s).otherwise(None)).to_series()
    return s


def synthetic_register(
    seed: int = 2024,
    *,
    n_active: int = 3087,
    first_year: int = 1985,
    reference_date: dt.date = dt.date(2024, 12, 31),
) -> pl.DataFrame:
    """A deterministic synthetic HR register of a provincial health workforce.

    Synthetic: every row is invented. Workers are hired from `first_year` on (hiring
    growing over time) until exactly `n_active` are in post at `reference_date`; each
    leaves by resignation, retirement (age 60 for men, 55 for women), transfer or death
    with hazards that depend on cadre and facility level. Doctors are sent to two- or
    three-year postgraduate training, return with a specialist-I or master's degree,
    and resign at six times the usual rate in the two years after training ends: the
    pattern the motivating province reports. Worker ``i`` is drawn from its own random
    stream ``(seed, i)``, so the register is identical on every machine.

    Parameters
    ----------
    seed
        Random seed.
    n_active
        Workers in post at `reference_date` (3,087 like the motivating province).
    first_year
        First hiring year.
    reference_date
        The register's extraction date: exits after it are not yet known (censored).

    Returns
    -------
    polars.DataFrame
        ``worker_id``, ``district``, ``facility_level`` (provincial, district,
        commune), ``cadre`` (doctor, nurse, midwife, pharmacist, technician, other),
        ``qualification`` (secondary, college, bachelor, specialist_1, master,
        specialist_2, phd), ``sex``, ``fte``, ``birth_date``, ``hire_date``,
        ``exit_date`` and ``exit_reason`` (resignation, retirement, transfer, death;
        null while in post), ``training_start`` and ``training_end`` (null if never
        trained). Sorted by hire date.

    Examples
    --------
    >>> import hrh
    >>> reg = hrh.datasets.synthetic_register(seed=1, n_active=200)
    >>> reg.columns[:4]
    ['worker_id', 'district', 'facility_level', 'cadre']
    >>> reg.filter(reg["exit_date"].is_null()).height
    200
    """
    raw = _core.synthetic_register(
        seed=int(seed),
        n_active=int(n_active),
        first_year=int(first_year),
        reference_day=(reference_date - _EPOCH).days,
    )
    labels = raw["labels"]

    def label(name: str, codes: np.ndarray, mask: np.ndarray | None = None) -> pl.Series:
        s = pl.Series(name, np.asarray(labels[name], dtype=object)[codes], dtype=pl.String)
        if mask is not None:
            s = pl.select(pl.when(pl.Series(mask)).then(s).otherwise(None)).to_series()
        return s.alias(name)

    n = len(raw["cadre"])
    width = max(5, len(str(n)))
    reason, reason_ok = raw["exit_reason"]
    return pl.DataFrame(
        [
            pl.Series("worker_id", [f"W{i + 1:0{width}d}" for i in range(n)]),
            label("district", raw["district"]),
            label("facility_level", raw["facility_level"]),
            label("cadre", raw["cadre"]),
            label("qualification", raw["qualification"]),
            label("sex", raw["sex"]),
            pl.Series("fte", raw["fte"]),
            _dates(raw["birth_date"]).alias("birth_date"),
            _dates(raw["hire_date"]).alias("hire_date"),
            _dates(*raw["exit_date"]).alias("exit_date"),
            label("exit_reason", reason, reason_ok),
            _dates(*raw["training_start"]).alias("training_start"),
            _dates(*raw["training_end"]).alias("training_end"),
        ]
    )


def province_scenario() -> dict[str, Any]:
    """The province's planning scenario (the file ``examples/province/scenario.toml``,
    shipped with hrh as ``hrh/datasets/province.toml``), with its starting stock taken
    from the synthetic register: staff in post on 2024-12-31 by cadre, qualification and
    age.

    3,087 staff against a quota of 3,364 (the doctors' posts split by qualification);
    three postgraduate programmes whose graduates resign soon after training; policies
    ``train_104`` (the plan of 67 level I, 9 master's and 28 level II trainees),
    ``incentive`` (VND 150, 250 and 450 million by qualification),
    ``attract_specialists`` and ``retention``. The file's comments say which numbers come
    from the register and which are assumptions.

    Examples
    --------
    >>> import hrh
    >>> s = hrh.datasets.province_scenario()
    >>> sum(r["count"] for r in s["stock"]), [p["name"] for p in s["policies"]]
    (3087, ['train_104', 'incentive', 'attract_specialists', 'retention'])
    """
    from hrh.planning import stock_table

    path = Path(__file__).with_name("province.toml")
    doc: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    reg = synthetic_register()
    doc["stock"] = stock_table(
        reg,
        at=dt.date(2024, 12, 31),
        cadre="cadre",
        grade="qualification",
        default_region="Province",
    ).to_dicts()
    return doc
