"""Oracle for hrh's equity measures from PySAL ``inequality`` on real data.

Run from the repository root (``pip install inequality``; HRH_DATA may point at the shared
data folder, default ../shared/data relative to the repository)::

    python tests/oracles/equity_pysal.py

It writes tests/oracles/equity_pysal.json next to this script.

PySAL's estimators take no weights. Each unit (province, county) is therefore given a
small integer weight (population in millions or in units of 10,000 people, land area in
units of 10,000 km2, rounded; units whose weight rounds to 0 are dropped) and expanded to
``weight`` copies of its value. On the expanded data every measure used here equals the
weighted measure with those integer weights, so the JSON stores the integer weights and
hrh is called with exactly them (``weights`` null: the units themselves, equal weights).

What ``inequality`` offers and how it maps onto hrh (checked against the installed
source):

* ``gini.Gini(y).g`` = (2 sum_i i y_(i) - (n + 1) sum y) / (n sum y): the uncorrected
  Gini, equal to the Lorenz-polygon Gini -> ``hrh.gini``.
* ``theil.Theil(y).T`` = sum s_i ln(n s_i), s_i = y_i / sum y: Theil T about the mean
  (natural log) -> ``hrh.theil(...).total``. Zeros are replaced by the smallest positive
  double, i.e. the 0 ln 0 = 0 convention.
* ``theil.TheilD(y, partition)``: ``bg`` = sum_g s_g ln(s_g n / n_g) = sum_g p_g (mu_g/mu)
  ln(mu_g/mu), ``wg`` = T - bg -> ``hrh.theil(..., groups=...).between / .within``.
* ``atkinson.atkinson(y, epsilon)`` -> ``hrh.atkinson`` (positive values only).
* ``wolfson.wolfson(y)`` = (2 D50 - G) mu / m with D50 = 0.5 - L(0.5), m = np.median:
  HALF of Wolfson's (1994) index 2 (mu/m)(1 - 2 L(0.5) - G) that hrh.polarization(...,
  method="wolfson") returns; the JSON stores PySAL's number and hrh's scale (x 2).
* ``wolfson.lorenz_curve(y)``: equal-step Lorenz curve; its ordinates at the unit
  boundaries of the expanded data -> ``hrh.lorenz`` (stored here).
* Not mapped: ``gini.Gini_Spatial`` (spatial neighbour decomposition), ``theil.TheilDSim``
  (permutation inference), ``schutz.Schutz`` (Schutz/Pietra distance), ``pen`` (Pen's
  parade plots). No GE(alpha), CV, concentration index or Esteban-Ray.
"""

from __future__ import annotations

import csv
import datetime
import json
import math
import os
import platform
import sys
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
DATA = Path(os.environ.get("HRH_DATA", REPO.parent / "shared" / "data"))
CHINA = DATA / "china_provincial_health_resources_1998_1999"
US = DATA / "us_county_health_providers_chrr" / "us_county_state_health_providers_chrr.csv"
MAX_EXPANDED = 5000


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _pysal_case(
    case_id: str,
    description: str,
    labels: list[str],
    values: np.ndarray,
    weights: np.ndarray | None,
    groups: list[str] | None,
    *,
    positive: bool = True,
) -> dict[str, Any]:
    # Imported here, not at module level: pytest's --doctest-modules imports this file,
    # and `inequality` is only needed to regenerate the oracle.
    from inequality.atkinson import atkinson
    from inequality.gini import Gini
    from inequality.theil import Theil, TheilD
    from inequality.wolfson import lorenz_curve, wolfson

    values = np.asarray(values, dtype=float)
    if weights is None:
        w = np.ones(len(values), dtype=np.int64)
    else:
        w = np.asarray(weights, dtype=np.int64)
        keep = w > 0
        values, w = values[keep], w[keep]
        labels = [lab for lab, k in zip(labels, keep, strict=True) if k]
        if groups is not None:
            groups = [g for g, k in zip(groups, keep, strict=True) if k]
    n_expanded = int(w.sum())
    assert n_expanded <= MAX_EXPANDED, (case_id, n_expanded)
    y = np.repeat(values, w)

    out: dict[str, Any] = {
        "id": case_id,
        "description": description,
        "n": len(values),
        "n_expanded": n_expanded,
        "labels": labels,
        "values": values.tolist(),
        "weights": None if weights is None else [int(v) for v in w],
        "groups": groups,
        "has_value_ties": bool(len(np.unique(values)) < len(values)),
        "gini": float(Gini(y).g),
        "theil_t": float(np.asarray(Theil(y).T).item()),
    }

    if groups is not None:
        d = TheilD(y, np.repeat(np.asarray(groups), w))
        out["theil_t_between"] = float(np.asarray(d.bg).item())
        out["theil_t_within"] = float(np.asarray(d.wg).item())

    # Lorenz curve of the expanded data at the unit boundaries (stable order by value).
    pop, share = lorenz_curve(y)
    order = np.argsort(values, kind="stable")
    idx = np.concatenate([[0], np.cumsum(w[order])])
    out["lorenz"] = {
        "population_share": pop[idx].tolist(),
        "value_share": share[idx].tolist(),
    }

    if positive:
        assert np.all(values > 0), case_id
        out["atkinson"] = [{"epsilon": e, "value": float(atkinson(y, e))} for e in (0.5, 1.0, 2.0)]
    w_pysal = float(wolfson(y))
    out["wolfson_pysal"] = w_pysal
    out["wolfson"] = 2.0 * w_pysal
    out["median"] = float(np.median(y))
    return out


def china_cases() -> list[dict[str, Any]]:
    long = _read(CHINA / "china_provincial_health_resources_1998_1999_long.csv")
    prov = _read(CHINA / "china_provinces.csv")
    assert len(prov) == 31

    def get(year: str, indicator: str) -> dict[str, float]:
        return {
            r["admin_code"]: float(r["value"])
            for r in long
            if r["geo_level"] == "province" and r["year"] == year and r["indicator"] == indicator
        }

    short = {
        "doctors": "doctors",
        "nurses": "nurses",
        "medical_technical_personnel": "health_technicians",
    }
    sets = {"1998": ["doctors", "medical_technical_personnel"], "1999": list(short)}
    cases = []
    for year, indicators in sets.items():
        pop = get(year, "population")
        for ind in indicators:
            staff = get(year, ind)
            rows = [p for p in prov if p["admin_code"] in staff and p["admin_code"] in pop]
            codes = [p["admin_code"] for p in rows]
            labels = [p["region"] for p in rows]
            zones = [p["economic_zone"] for p in rows]
            st = np.array([staff[c] for c in codes])
            pp = np.array([pop[c] for c in codes])
            area = np.array([float(p["land_area_km2"]) for p in rows])
            tag = f"china{year}_{short[ind]}"
            cases.append(
                _pysal_case(
                    f"{tag}_by_population",
                    f"China {year}, {ind} per 1,000 population by province; integer weights "
                    "= population in millions (rounded); partition = economic zone",
                    labels,
                    st / pp * 1000.0,
                    np.rint(pp / 1e6),
                    zones,
                )
            )
            cases.append(
                _pysal_case(
                    f"{tag}_by_area",
                    f"China {year}, {ind} per km2 by province; integer weights = land area "
                    "in 10,000 km2 (rounded); partition = economic zone",
                    labels,
                    st / area,
                    np.rint(area / 1e4),
                    zones,
                )
            )
            cases.append(
                _pysal_case(
                    f"{tag}_unweighted",
                    f"China {year}, {ind} per 1,000 population by province, one value per "
                    "province (no weights); partition = economic zone",
                    labels,
                    st / pp * 1000.0,
                    None,
                    zones,
                )
            )
    return cases


def us_cases() -> list[dict[str, Any]]:
    rows = [
        r
        for r in _read(US)
        if r["geo_level"] == "county"
        and r["indicator"] == "primary_care_physicians"
        and r["provider_count"] != ""
        and r["population"] != ""
    ]

    def pick(states: tuple[str, ...]) -> list[dict[str, str]]:
        sel = [r for r in rows if r["state_abbr"] in states]
        return sorted(sel, key=lambda r: r["fipscode"])

    def arrays(sel: list[dict[str, str]]) -> tuple[np.ndarray, np.ndarray]:
        count = np.array([float(r["provider_count"]) for r in sel])
        pop = np.array([float(r["population"]) for r in sel])
        return count / pop * 1e5, pop

    cases = []
    sel = pick(("LA", "SC", "WV"))
    dens, pop = arrays(sel)
    assert np.all(dens > 0)
    cases.append(
        _pysal_case(
            "us_la_sc_wv_pcp_by_population",
            "US counties of Louisiana, South Carolina and West Virginia, primary-care "
            "physicians per 100,000 (2022); integer weights = population in units of "
            "10,000 (rounded; counties rounding to 0 dropped); partition = state",
            [f"{r['name']}, {r['state_abbr']}" for r in sel],
            dens,
            np.rint(pop / 1e4),
            [r["state_abbr"] for r in sel],
        )
    )
    sel = pick(("IA",))
    dens, pop = arrays(sel)
    cases.append(
        _pysal_case(
            "us_ia_pcp_by_population_with_zero",
            "US Iowa counties, primary-care physicians per 100,000 (2022), one county "
            "with none; integer weights = population in units of 1,000 (rounded)",
            [r["name"] for r in sel],
            dens,
            np.rint(pop / 1e3),
            None,
            positive=False,
        )
    )
    sel = pick(("GA",))
    dens, pop = arrays(sel)
    cases.append(
        _pysal_case(
            "us_ga_pcp_by_population_with_zeros",
            "US Georgia counties, primary-care physicians per 100,000 (2022), 14 with none "
            "(tied zeros); integer weights = population in units of 10,000 (rounded; "
            "counties rounding to 0 dropped)",
            [r["name"] for r in sel],
            dens,
            np.rint(pop / 1e4),
            None,
            positive=False,
        )
    )
    return cases


def main() -> None:
    cases = china_cases() + us_cases()
    for c in cases:
        for key in ("gini", "theil_t", "wolfson"):
            assert math.isfinite(c[key]), (c["id"], key)
    out = {
        "generator": "tests/oracles/equity_pysal.py",
        "python_version": sys.version.split()[0],
        "platform": platform.platform(),
        "packages": {
            "inequality": version("inequality"),
            "numpy": version("numpy"),
            "scipy": version("scipy"),
        },
        "date": datetime.date.today().isoformat(),
        "data": {
            "china": "../shared/data/china_provincial_health_resources_1998_1999",
            "us": "../shared/data/us_county_health_providers_chrr",
        },
        "notes": (
            "PySAL inequality has no weights: each unit is expanded to `weights` copies of "
            "its value (weights null: no expansion, equal weights). Call hrh with exactly "
            "these values and integer weights. gini = Gini(y).g; theil_t = Theil(y).T; "
            "theil_t_between/within = TheilD(y, partition).bg/.wg; atkinson = "
            "atkinson(y, epsilon); wolfson_pysal = wolfson(y) = (2 D50 - G) mu/m, half "
            "of Wolfson's index, and wolfson = 2 * wolfson_pysal is hrh's scale; median = "
            "np.median(y); lorenz = lorenz_curve(y) at the unit boundaries in stable "
            "order of the value (a curve: with tied values compare by interpolation)."
        ),
        "cases": cases,
    }
    path = HERE / "equity_pysal.json"
    path.write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {path} with {len(cases)} cases")


if __name__ == "__main__":
    main()
