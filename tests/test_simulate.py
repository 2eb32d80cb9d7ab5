"""Stock-and-flow projections: a scenario worked by hand, conservation of people for random
scenarios, identical results for 1 and 2 threads, quantiles, policies and costs, bad
scenarios, transitions and stock tables."""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hrh

ROOT = Path(__file__).parents[1]
EXAMPLES = ROOT / "examples"

FLOW_IN = ["in_migration", "returns", "entrants"]
FLOW_OUT = ["deaths", "attrition", "to_training", "out_migration", "retirements"]


def hand_doc() -> dict[str, Any]:
    """One region, one cadre, ages 20-24, retirement at 25, no uncertainty."""
    return {
        "name": "hand",
        "start_year": 2024,
        "horizon": 3,
        "regions": ["A"],
        "min_age": 20,
        "cadres": [
            {
                "name": "nurse",
                "retirement_age": 25,
                "death_rate": 0.01,
                "attrition": {"rate": 0.1, "by_age": [{"from": 23, "rate": 0.2}]},
                "entrants": {
                    "per_year": 40,
                    "growth": 0.5,
                    "age": {"ages": [20, 21], "shares": [3, 1]},
                },
                "demand": {"method": "norm", "per_1000": 2.0},
                "salary": 10.0,
            }
        ],
        "population": {"base": 100_000, "growth": 0.1},
        "stock": [
            {"region": "A", "cadre": "nurse", "age": a, "count": n}
            for a, n in [(20, 100), (21, 80), (22, 60), (23, 40), (24, 20)]
        ],
    }


def by_hand() -> tuple[list[float], list[dict[str, float]]]:
    """The same projection computed directly, year by year."""
    stock = np.array([100.0, 80, 60, 40, 20])
    hazard = np.array([0.1, 0.1, 0.1, 0.2, 0.2])
    supply, flows = [stock.sum()], []
    for t in range(1, 4):
        deaths = stock * 0.01
        leavers = (stock - deaths) * hazard
        stay = stock - deaths - leavers
        new = np.zeros(5)
        new[1:] = stay[:-1]  # everyone ages one year; age 24 retires
        n = 40 * 1.5 ** (t - 1)
        new[0] += n * 0.75
        new[1] += n * 0.25
        flows.append(
            {
                "stock_start": stock.sum(),
                "deaths": deaths.sum(),
                "attrition": leavers.sum(),
                "retirements": stay[-1],
                "entrants": n,
                "stock_end": new.sum(),
            }
        )
        stock = new
        supply.append(stock.sum())
    return supply, flows


def test_projection_worked_by_hand() -> None:
    p = hrh.simulate(hand_doc(), draws=0)
    supply, flows = by_hand()
    np.testing.assert_allclose(p.table["supply"].to_numpy(), supply, rtol=1e-12)
    demand = [2.0 * 100_000 * 1.1**t / 1000 for t in range(4)]
    np.testing.assert_allclose(p.table["demand"].to_numpy(), demand, rtol=1e-12)
    np.testing.assert_allclose(p.table["gap"].to_numpy(), np.subtract(demand, supply), rtol=1e-12)
    for key in flows[0]:
        np.testing.assert_allclose(p.flows[key].to_numpy(), [f[key] for f in flows], rtol=1e-12)
    # Salary cost: 10 per person-year, on the mean of the start and end stock.
    salary = p.costs.filter(pl.col("item") == "salary")["cost"].to_numpy()
    np.testing.assert_allclose(
        salary, [10 * (f["stock_start"] + f["stock_end"]) / 2 for f in flows]
    )
    # Deterministic: every quantile equals the value.
    assert (p.table["supply_lower_90"] == p.table["supply_upper_90"]).all()
    assert p.table["p_gap_positive"].to_list() == [
        float(g > 0) for g in np.subtract(demand, supply)
    ]


def test_training_bond_and_return_by_hand() -> None:
    """Two grades; 10 sent a year for 1 year from age 20; 80 % come back at age 22 into
    a one-year bond with no attrition, then one year with 50 % attrition."""
    doc = {
        "start_year": 2024,
        "horizon": 4,
        "regions": ["A"],
        "min_age": 20,
        "cadres": [
            {
                "name": "doctor",
                "grades": ["general", "specialist"],
                "retirement_age": 30,
                "attrition": {"rate": 0.0},
                "training": [
                    {
                        "from_grade": "general",
                        "to_grade": "specialist",
                        "places": 10,
                        "duration": 1,
                        "max_age": 20,
                        "return_rate": 0.8,
                        "bond_years": 1,
                        "rate_during_bond": 0.0,
                        "years_after_bond": 1,
                        "rate_after_bond": 0.5,
                        "cost_one_off": 3,
                        "cost_per_trainee_year": 2,
                    }
                ],
            }
        ],
        "stock": [{"region": "A", "cadre": "doctor", "grade": "general", "age": 20, "count": 100}],
    }
    p = hrh.simulate(doc, draws=0)
    f = p.flows
    # 2025: 10 of the 100 aged 20 leave for training (the 90 others become 21).
    # 2026: 8 come back (aged 22), 2 are lost; no one aged 20 is left to send.
    # 2027: the 8 are in their bond year... then 2028: half of them leave.
    assert f["to_training"].to_list() == [10.0, 0.0, 0.0, 0.0]
    assert f["returns"].to_list() == [0.0, 8.0, 0.0, 0.0]
    assert f["training_losses"].to_list() == [0.0, 2.0, 0.0, 0.0]
    assert f["in_training"].to_list() == [10.0, 0.0, 0.0, 0.0]
    assert f["attrition"].to_list() == [0.0, 0.0, 0.0, 4.0]
    assert p.table["supply"].to_list() == [100.0, 90.0, 98.0, 98.0, 94.0]
    training = p.costs.filter(pl.col("item") == "training")["cost"].to_list()
    assert training == [3 * 10 + 2 * 10, 0.0, 0.0, 0.0]


def random_doc(draw: Any) -> dict[str, Any]:
    n_regions = draw(st.integers(1, 3))
    regions = [f"R{i}" for i in range(n_regions)]
    rate = st.floats(0, 0.5)
    cadres = []
    for c in range(draw(st.integers(1, 2))):
        retire = draw(st.integers(30, 40))
        cadre: dict[str, Any] = {
            "name": f"c{c}",
            "grades": ["g0", "g1"],
            "retirement_age": retire,
            "death_rate": draw(st.floats(0, 0.05)),
            "attrition": {
                "rate": {"dist": "beta", "a": draw(st.floats(0.5, 5)), "b": draw(st.floats(1, 50))},
                "by_age": [{"from": 25, "rate": draw(rate)}],
                "grade_multipliers": [1.0, draw(st.floats(0, 2))],
            },
            "entrants": {"per_year": draw(st.floats(0, 50)), "age": {"mean": 22, "sd": 2}},
            "training": [
                {
                    "from_grade": "g0",
                    "to_grade": "g1",
                    "places": draw(st.floats(0, 30)),
                    "duration": draw(st.integers(1, 3)),
                    "return_rate": {"dist": "uniform", "low": 0.5, "high": 1},
                    "bond_years": draw(st.integers(0, 2)),
                    "years_after_bond": 1,
                    "rate_after_bond": draw(rate),
                }
            ],
            "promotions": [{"from_grade": "g0", "to_grade": "g1", "rate": draw(rate)}],
            "demand": {"method": "quota", "quota": 100},
        }
        if draw(st.booleans()):
            del cadre["demand"]
            cadre["demand_by_grade"] = [
                {"grade": g, "method": "quota", "quota": draw(st.floats(0, 300))}
                for g in ("g1", "g0")
            ]
        cadres.append(cadre)
    migration = [
        {"from": a, "to": b, "rate": draw(st.floats(0, 0.3))}
        for a in regions
        for b in regions
        if a != b and draw(st.booleans())
    ]
    stock = [
        {"region": r, "cadre": c["name"], "grade": g, "count": draw(st.floats(0, 500))}
        for r in regions
        for c in cadres
        for g in ("g0", "g1")
    ]
    return {
        "start_year": 2020,
        "horizon": draw(st.integers(1, 8)),
        "regions": regions,
        "min_age": 20,
        "cadres": cadres,
        "migration": migration,
        "stock": stock,
        "policies": [
            {
                "name": "p",
                "attrition_multiplier": [{"value": draw(st.floats(0, 3))}],
                "migration_multiplier": [
                    {"cadre": "c0", "grade": "g1", "value": draw(st.floats(0, 3))}
                ],
                "extra_entrants": [{"cadre": "c0", "grade": "g1", "value": draw(st.floats(0, 9))}],
                "quota": [
                    {"cadre": c["name"], "grade": "g1", "value": draw(st.floats(0, 300))}
                    for c in cadres
                    if "demand_by_grade" in c
                ],
            }
        ],
    }


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_every_year_conserves_people(data: st.DataObject) -> None:
    doc = random_doc(data.draw)
    p = hrh.simulate(doc, policy="p", draws=5, seed=1)
    f = p.flows
    outflow = sum(f[c].to_numpy() for c in FLOW_OUT)
    inflow = sum(f[c].to_numpy() for c in FLOW_IN)
    lhs = f["stock_start"].to_numpy() - outflow + inflow
    np.testing.assert_allclose(lhs, f["stock_end"].to_numpy(), rtol=1e-9, atol=1e-9)
    # Year to year, the end stock is next year's start stock, and nobody goes negative.
    for (_, _), part in f.group_by(["region", "cadre"], maintain_order=True):
        np.testing.assert_allclose(
            part["stock_start"][1:].to_numpy(), part["stock_end"][:-1].to_numpy()
        )
    assert (p.table["supply_lower_90"] >= -1e-9).all()
    # Migration moves people between regions without creating any.
    assert abs(f["in_migration"].sum() - f["out_migration"].sum()) < 1e-6 * max(
        f["in_migration"].sum(), 1
    )
    # The grades add up to their cadre: supply always, demand where it is by grade; a
    # cadre's total shortage is its grades' (never less than the netted cadre cells').
    keys = ["year", "region", "cadre"]
    g = p.grade_table.group_by(keys).agg(
        pl.col("supply").sum().alias("gs"), pl.col("demand").sum().alias("gd")
    )
    j = p.table.join(g, on=keys)
    np.testing.assert_allclose(j["supply"], j["gs"], rtol=1e-9, atol=1e-9)
    by_grade = j.filter(
        pl.col("cadre").is_in([c["name"] for c in doc["cadres"] if "demand_by_grade" in c])
    )
    np.testing.assert_allclose(by_grade["demand"], by_grade["gd"], rtol=1e-9, atol=1e-9)
    gt = p.grade_totals.group_by("year", "cadre").agg(pl.col("shortage").sum().alias("gs"))
    t = p.totals.join(gt, on=["year", "cadre"])
    for row in t.iter_rows(named=True):
        if any(c["name"] == row["cadre"] and "demand_by_grade" in c for c in doc["cadres"]):
            assert row["shortage"] == pytest.approx(row["gs"], rel=1e-9, abs=1e-9)
        cells = p.table.filter((pl.col("year") == row["year"]) & (pl.col("cadre") == row["cadre"]))
        assert row["shortage"] >= cells["shortage"].sum() - 1e-9


def test_same_table_for_one_and_two_threads(tmp_path: Path) -> None:
    # Three linked regions with streaming quantiles; the province (no migration, so the
    # one-pass step for cadres without training) with exact quantiles and 203 draws (a
    # partial block of draws).
    runs = [
        f"{str(EXAMPLES / 'beijing_tianjin_hebei' / 'scenario.toml')!r}, "
        "policy='hebei_retention', draws=200, seed=11, quantiles='streaming'",
        f"{str(EXAMPLES / 'province' / 'scenario.toml')!r}, policy='incentive', draws=203, seed=12",
    ]
    for i, args in enumerate(runs):
        script = (
            "import hrh, sys\n"
            f"p = hrh.simulate({args})\n"
            "p.table.write_parquet(sys.argv[1]); p.costs.write_parquet(sys.argv[1] + '.c')\n"
            "p.flows.write_parquet(sys.argv[1] + '.f')\n"
            "p.totals.write_parquet(sys.argv[1] + '.t')\n"
            "p.grade_table.write_parquet(sys.argv[1] + '.g')\n"
            "p.grade_totals.write_parquet(sys.argv[1] + '.gt')\n"
        )
        out = {}
        for n in (1, 2):
            path = tmp_path / f"t{i}{n}.parquet"
            env = {**os.environ, "HRH_NUM_THREADS": str(n)}
            subprocess.run([sys.executable, "-c", script, str(path)], env=env, check=True)
            out[n] = [pl.read_parquet(f"{path}{x}") for x in ("", ".c", ".f", ".t", ".g", ".gt")]
        for a, b in zip(out[1], out[2], strict=True):
            assert a.equals(b)


def test_same_seed_same_numbers_and_seed_recorded() -> None:
    a = hrh.simulate(EXAMPLES / "province" / "scenario.toml", draws=50, seed=3)
    b = hrh.simulate(EXAMPLES / "province" / "scenario.toml", draws=50, seed=3)
    c = hrh.simulate(EXAMPLES / "province" / "scenario.toml", draws=50)
    assert a.table.equals(b.table)
    assert not a.table.equals(c.table)
    assert c.seed >= 0 and hrh.simulate(
        EXAMPLES / "province" / "scenario.toml", draws=50, seed=c.seed
    ).table.equals(c.table)


def test_kept_draws_give_the_table_exact_quantiles_and_streaming_is_close() -> None:
    path = EXAMPLES / "beijing_tianjin_hebei" / "scenario.toml"
    exact = hrh.simulate(path, draws=400, seed=5, keep_draws=True, quantiles="exact")
    assert exact.quantiles == "exact" and exact.draws_table is not None
    d = exact.draws_table.with_columns(gap=pl.col("demand") - pl.col("supply"))
    q = d.group_by("year", "region", "cadre").agg(
        pl.col("supply").mean().alias("m"),
        pl.col("supply").quantile(0.05, interpolation="linear").alias("q5"),
        pl.col("gap").quantile(0.95, interpolation="linear").alias("g95"),
        (pl.col("gap") > 0).mean().alias("p"),
    )
    j = exact.table.join(q, on=["year", "region", "cadre"])
    np.testing.assert_allclose(j["supply"], j["m"], rtol=1e-12)
    np.testing.assert_allclose(j["supply_lower_90"], j["q5"], rtol=1e-12)
    np.testing.assert_allclose(j["gap_upper_90"], j["g95"], rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(j["p_gap_positive"], j["p"])
    stream = hrh.simulate(path, draws=400, seed=5, quantiles="streaming")
    assert stream.quantiles == "streaming"
    np.testing.assert_allclose(stream.table["supply"], exact.table["supply"], rtol=1e-12)
    # P² estimates: within 1 % of the exact quantile (the spread is a few %).
    np.testing.assert_allclose(
        stream.table["supply_median"], exact.table["supply_median"], rtol=0.01
    )
    np.testing.assert_allclose(
        stream.table["supply_upper_90"], exact.table["supply_upper_90"], rtol=0.01
    )
    # Totals are quantiles of sums over regions, not sums of quantiles.
    sums = (
        d.group_by("year", "draw")
        .agg(pl.col("supply").sum())
        .group_by("year")
        .agg(pl.col("supply").quantile(0.95, interpolation="linear").alias("q95"))
    )
    j = exact.totals.filter(pl.col("cadre") == "all").join(sums, on="year")
    np.testing.assert_allclose(j["supply_upper_90"], j["q95"], rtol=1e-12)


def test_policies_change_flows_and_costs() -> None:
    path = EXAMPLES / "province" / "scenario.toml"
    base = hrh.simulate(path, draws=0)
    train = hrh.simulate(path, policy="train_104", draws=0)
    doctors = pl.col("cadre") == "doctor"
    sent = train.flows.filter(doctors)["to_training"].to_list()
    # 33.5 + 4.5 + 14 a year to the three programmes, then their usual 10 + 3 + 2.
    assert (
        sent[:2] == [52.0, 52.0] and sent[2] == base.flows.filter(doctors)["to_training"][2] == 15.0
    )
    # The incentive is paid only to the doctors it attracts: on average 3 bachelors
    # (150 each), 1 master (250) and 1 level I specialist (450) a year, never to the
    # doctors who would have come anyway or to those coming back from training.
    incentive = hrh.simulate(path, policy="incentive", draws=0)
    ent = incentive.flows.filter(doctors)["entrants"] - base.flows.filter(doctors)["entrants"]
    np.testing.assert_allclose(ent.to_numpy(), 5.0)
    cost = (
        incentive.costs.filter(pl.col("item") == "incentive")
        .group_by("year")
        .agg(pl.col("cost").sum())
        .sort("year")
    )
    np.testing.assert_allclose(cost["cost"].to_numpy(), 3 * 150 + 250 + 450)
    # Salaries by grade: each grade's pay times its mean staff over the year.
    g = incentive.grade_table.filter(pl.col("cadre") == "doctor").sort("year", "grade")
    pay = {"bachelor": 110, "master": 140, "specialist_1": 150, "specialist_2": 190}
    g = g.with_columns(pay=pl.col("grade").replace_strict(pay).cast(pl.Float64))
    g = g.with_columns(py=(pl.col("supply") + pl.col("supply").shift(1).over("grade")) / 2)
    want = (
        g.drop_nulls("py").group_by("year").agg((pl.col("py") * pl.col("pay")).sum()).sort("year")
    )
    salary = incentive.costs.filter(doctors & (pl.col("item") == "salary")).sort("year")["cost"]
    np.testing.assert_allclose(salary.to_numpy(), want["py"].to_numpy(), rtol=1e-12)
    cmp = hrh.compare([base, train, incentive], cadre="doctor", discount_rate=0).table
    assert cmp["projection"].to_list() == [
        "province",
        "province + train_104",
        "province + incentive",
    ]
    assert cmp["incremental_cost"][0] == 0.0
    # The incentives paid plus the salaries of the doctors they bring.
    paid = float(cost["cost"].sum())
    salaries = [
        float(p.costs.filter(doctors & (pl.col("item") == "salary"))["cost"].sum())
        for p in (base, incentive)
    ]
    assert cmp["incremental_cost"][2] == pytest.approx(paid + salaries[1] - salaries[0])


def test_population_table_and_demand_methods() -> None:
    doc = hand_doc()
    doc["population"] = {
        "table": pl.DataFrame(
            {
                "region": ["A"] * 5,
                "year": [2023, 2024, 2025, 2026, 2027],
                "population": [9e4, 1e5, 2e5, 3e5, 4e5],
            }
        )
    }
    p = hrh.simulate(doc, draws=0)
    assert p.table["demand"].to_list() == [200.0, 400.0, 600.0, 800.0]
    doc["cadres"][0]["demand"] = {
        "method": "service_use",
        "visits_per_capita": 2.0,
        "hours_per_visit": 0.25,
        "available_hours": 1000,
    }
    assert hrh.simulate(doc, draws=0).table["demand"].to_list() == [50.0, 100.0, 150.0, 200.0]
    doc["cadres"][0]["demand"] = {"method": "wisn", "required": 30}
    assert hrh.simulate(doc, draws=0).table["demand"].to_list() == [30.0, 60.0, 90.0, 120.0]
    assert (
        hrh.simulate({**doc, "population": None}, draws=0).table["demand"].to_list() == [30.0] * 4
    )
    doc["cadres"][0]["demand"] = {"method": "none"}
    p = hrh.simulate(doc, draws=0)
    assert p.table["demand"].null_count() == 4 and p.table["p_gap_positive"].null_count() == 4


def test_service_use_by_age_group() -> None:
    # Visits per capita by age group, with a population table by age group: demand is the
    # sum over groups of population x visits, x hours per visit / available hours; other
    # methods see the total population. Visits may be distributions (seeded).
    doc = hand_doc()
    years = [2024, 2025, 2026, 2027]
    pop = {
        "0-14": [3e4, 3.1e4, 3.2e4, 3.3e4],
        "15-64": [6e4, 6.2e4, 6.4e4, 6.6e4],
        "65+": [1e4] * 4,
    }
    doc["population"] = {
        "table": pl.DataFrame(
            {
                "region": ["A"] * 12,
                "year": years * 3,
                "age_group": [g for g in pop for _ in years],
                "population": [x for g in pop for x in pop[g]],
            }
        )
    }
    visits = {"0-14": 2.5, "15-64": 1.5, "65+": 6.0}
    doc["cadres"][0]["demand"] = {
        "method": "service_use",
        "visits_by_age_group": visits,
        "hours_per_visit": 0.25,
        "available_hours": 1500,
    }
    got = hrh.simulate(doc, draws=0).table["demand"].to_numpy()
    want = [sum(pop[g][t] * visits[g] for g in pop) * 0.25 / 1500 for t in range(4)]
    np.testing.assert_allclose(got, want, rtol=1e-12)
    doc["cadres"][0]["demand"] = {"method": "norm", "per_1000": 2.0}
    got = hrh.simulate(doc, draws=0).table["demand"].to_numpy()
    np.testing.assert_allclose(got, [2.0 * sum(pop[g][t] for g in pop) / 1000 for t in range(4)])
    doc["cadres"][0]["demand"] = {
        "method": "service_use",
        "visits_by_age_group": {
            **visits,
            "65+": {"dist": "lognormal", "meanlog": 1.8, "sdlog": 0.2},
        },
        "hours_per_visit": 0.25,
        "available_hours": 1500,
    }
    a, b = (hrh.simulate(doc, draws=50, seed=2).table for _ in range(2))
    assert a.equals(b) and (a["demand_upper_90"] > a["demand_lower_90"]).all()
    with pytest.raises(hrh.ScenarioError, match="no value for age group '65"):
        doc["cadres"][0]["demand"]["visits_by_age_group"] = {"0-14": 1, "15-64": 1}
        hrh.simulate(doc, draws=0)
    doc["population"] = {"base": 1e5}
    doc["cadres"][0]["demand"]["visits_by_age_group"] = visits
    with pytest.raises(hrh.ScenarioError, match="age_group' column") as e:
        hrh.simulate(doc, draws=0)
    assert e.value.path == "cadres[0].demand.visits_by_age_group"


def test_loads_toml_json_and_files_relative_to_the_scenario(tmp_path: Path) -> None:
    doc = hand_doc()
    stock = pl.DataFrame(doc.pop("stock"))
    stock.write_csv(tmp_path / "stock.csv")
    (tmp_path / "s.json").write_text(json.dumps({**doc, "stock": "stock.csv"}))
    a = hrh.simulate(tmp_path / "s.json", draws=0)
    b = hrh.simulate({**doc, "stock": stock}, draws=0)
    c = hrh.simulate(json.dumps({**doc, "stock": stock.to_dicts()}), draws=0)
    assert a.table.equals(b.table) and b.table.equals(c.table)
    original = copy.deepcopy(hand_doc())
    given_doc = hand_doc()
    hrh.simulate(given_doc, draws=0)
    assert given_doc == original  # the input is not modified


@pytest.mark.parametrize(
    ("edit", "path", "message"),
    [
        (
            lambda d: d["cadres"][0]["attrition"].update(rate=1.5),
            "cadres[0].attrition.rate",
            "a rate must lie in [0, 1], got 1.5",
        ),
        (lambda d: d["cadres"][0].update(wage=3), "cadres[0].wage", "unknown field `wage`"),
        (
            lambda d: d["cadres"][0].update(retirement_age=19),
            "cadres[0].retirement_age",
            "19 must be above min_age (20)",
        ),
        (
            lambda d: d["cadres"][0]["attrition"].update(
                rate={"dist": "normal", "mean": 0.1, "sd": 0.01}
            ),
            "cadres[0].attrition.rate",
            "use a beta, uniform or empirical",
        ),
        (
            lambda d: d["cadres"][0]["attrition"].update(rate={"dist": "beta", "a": 1}),
            "cadres[0].attrition.rate",
            "missing field `b`",
        ),
        (
            lambda d: d["cadres"][0]["attrition"].update(rate={"B": 0.1}),
            "cadres[0].attrition.rate.B",
            "unknown region 'B' (regions: A)",
        ),
        (
            lambda d: d["stock"][1].update(age=30),
            "stock[1].age",
            "age 30 is outside the working ages 20 to 24",
        ),
        (
            lambda d: d["stock"][1].update(cadre="midwife"),
            "stock[1].cadre",
            "unknown cadre 'midwife' (known: nurse)",
        ),
        (
            lambda d: d["stock"][2].update(count=-1),
            "stock[2].count",
            "must be a number >= 0 and at most 1e12, got -1",
        ),
        (lambda d: d.update(horizon="ten"), "horizon", 'invalid type: string "ten"'),
        (
            lambda d: d["cadres"][0]["demand"].update(method="ratio"),
            "cadres[0].demand.method",
            "unknown method 'ratio'",
        ),
        (
            lambda d: d.pop("population"),
            "population",
            "demand by norm or service use needs a population",
        ),
        (
            lambda d: d["cadres"][0]["entrants"].update(age={"mean": 70}),
            "cadres[0].entrants.age.mean",
            "70 is outside the working ages 20 to 24",
        ),
        (
            lambda d: d.update(policies=[{"name": "x", "from_year": 2024}]),
            "policies[0].from_year",
            "2024 is not after the start year 2024",
        ),
        (
            lambda d: d.update(migration=[{"from": "A", "to": "A", "rate": 0.1}]),
            "migration[0].to",
            "'A' is also the origin",
        ),
        (
            lambda d: d.update(
                policies=[
                    {"name": "x", "extra_entrants": [{"cadre": "nurse", "grade": "II", "value": 1}]}
                ]
            ),
            "policies[0].extra_entrants[0].grade",
            "unknown grade 'II'",
        ),
        (
            lambda d: d.update(
                policies=[{"name": "x", "quota": [{"cadre": "nurse", "grade": "all", "value": 1}]}]
            ),
            "policies[0].quota[0].grade",
            "a quota by grade needs the cadre's demand by grade",
        ),
        (
            lambda d: d["cadres"][0].update(
                demand_by_grade=[{"grade": "all", "method": "quota", "quota": 5}] * 2
            ),
            "cadres[0].demand_by_grade",
            "give demand or demand_by_grade, not both",
        ),
        (
            lambda d: d["cadres"][0].update(
                demand=None,
                demand_by_grade=[{"grade": "all", "method": "quota", "quota": 5}] * 2,
            ),
            "cadres[0].demand_by_grade[1].grade",
            "grade 'all' has a demand already",
        ),
    ],
)
def test_bad_scenarios_name_the_key(edit: Any, path: str, message: str) -> None:
    doc = hand_doc()
    edit(doc)
    with pytest.raises(hrh.ScenarioError) as info:
        hrh.check_scenario(doc)
    assert info.value.path == path
    assert str(info.value).startswith(f"scenario key '{path}': ")
    assert message in str(info.value)
    assert isinstance(info.value, hrh.InputError)


@pytest.mark.parametrize(
    ("edit", "path", "message"),
    [
        (lambda d: d["stock"][0].update(level=1), "stock[0]", "unknown field `level`"),
        (lambda d: d["stock"][1].pop("count"), "stock[1]", "missing field `count`"),
        (lambda d: d["stock"][0].update(count="3"), "stock[0].count", "expected f64"),
        (lambda d: d["stock"][0].update(count=True), "stock[0].count", "expected f64"),
        (lambda d: d["stock"][2].update(region=5), "stock[2].region", "expected a string"),
        (lambda d: d["stock"][0].update(age=-1), "stock[0].age", "expected u32"),
        (lambda d: d["stock"].__setitem__(1, [1, 2]), "stock[1]", "expected"),
    ],
)
def test_bad_stock_records_name_the_record_read_directly_or_from_json(
    edit: Any, path: str, message: str
) -> None:
    # A dict's stock list is read by the core directly, a JSON string's by its JSON
    # reader: both name the same record and key.
    doc = hand_doc()
    edit(doc)
    for source in (doc, json.dumps(doc)):
        with pytest.raises(hrh.ScenarioError) as info:
            hrh.simulate(source, draws=0)
        assert info.value.path == path
        assert message in str(info.value)


def test_stock_records_with_numpy_numbers() -> None:
    doc = hand_doc()
    plain = hrh.simulate(doc, draws=0).table
    doc["stock"] = [
        {**r, "count": np.float64(r["count"]), "age": np.int64(r["age"])} for r in doc["stock"]
    ]
    assert hrh.simulate(doc, draws=0).table.equals(plain)


def test_bad_arguments() -> None:
    with pytest.raises(hrh.InputError, match=r"unknown policy 'bonus' \(scenario has: \)"):
        hrh.simulate(hand_doc(), policy="bonus", draws=0)
    with pytest.raises(hrh.InputError, match=r"argument 'draws': -1 must be an integer from 0"):
        hrh.simulate(hand_doc(), draws=-1)
    with pytest.raises(hrh.InputError, match=r"argument 'draws': 18446744073709551616 must"):
        hrh.simulate(hand_doc(), draws=2**64)
    with pytest.raises(hrh.InputError, match=r"argument 'seed': 18446744073709551616 must"):
        hrh.simulate(hand_doc(), draws=0, seed=2**64)
    with pytest.raises(hrh.InputError, match=r"argument 'quantiles': 'p2' is not"):
        hrh.simulate(hand_doc(), quantiles="p2")
    with pytest.raises(
        hrh.ScenarioError, match=r"scenario key 'stock': file .*nope.csv' does not exist"
    ):
        hrh.simulate({**hand_doc(), "stock": "nope.csv"})
    with pytest.raises(
        hrh.ScenarioError, match=r"scenario key 'stock': table has no column 'count'"
    ):
        hrh.simulate({**hand_doc(), "stock": pl.DataFrame({"region": ["A"], "cadre": ["nurse"]})})
    with pytest.raises(hrh.InputError, match=r"scenario file 'missing.toml' does not exist"):
        hrh.simulate("missing.toml")


def test_transitions_by_hand() -> None:
    panel = pl.DataFrame(
        {
            "id": [1, 1, 1, 2, 2, 3, 3, 3],
            "year": [2020, 2021, 2022, 2020, 2021, 2020, 2022, 2023],
            "region": [
                "Hebei",
                "Hebei",
                "Beijing",
                "Hebei",
                "Hebei",
                "Tianjin",
                "Tianjin",
                "Beijing",
            ],
        }
    )
    t = hrh.transitions(panel, id="id", time="year", state="region")
    m = t.table.filter(pl.col("from") == "Hebei")
    assert dict(zip(m["to"], m["count"], strict=True)) == {
        "Beijing": 1.0,
        "Hebei": 2.0,
        "Tianjin": 0.0,
    }
    assert m.filter(pl.col("to") == "Beijing")["probability"][0] == pytest.approx(1 / 3)
    assert t.gaps == 1  # person 3: 2020 -> 2022
    # Wilson 95 % interval for 1 of 3 (Wilson 1927, eq. as in Agresti and Coull 1998).
    z = 1.959963984540054
    n, phat = 3, 1 / 3
    centre = (phat + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * np.sqrt(phat * (1 - phat) / n + z * z / (4 * n * n))
    lo, hi = m.filter(pl.col("to") == "Beijing").select("lower", "upper").row(0)
    assert (lo, hi) == pytest.approx((centre - half, centre + half), rel=1e-12)
    rec = t.migration(cadre="doctor")
    assert {
        "from": "Hebei",
        "to": "Beijing",
        "rate": pytest.approx(1 / 3),
        "cadre": "doctor",
    } in rec
    with pytest.raises(
        hrh.InputError,
        match=r"column 'year', row 1: id 1 observed twice in period 2020 \(rows 0 and 1\)",
    ):
        hrh.transitions(
            {"id": [1, 1], "year": [2020, 2020], "region": ["A", "B"]},
            id="id",
            time="year",
            state="region",
        )
    with pytest.raises(hrh.InputError, match=r"column 'year': must hold integer periods"):
        hrh.transitions(
            {"id": [1], "year": [2020.5], "region": ["A"]}, id="id", time="year", state="region"
        )


def test_transitions_from_dates_count_by_calendar_year() -> None:
    years = [2020, 2021, 2022, 2020, 2021, 2020, 2022, 2023]
    regions = ["H", "H", "B", "H", "H", "T", "T", "B"]
    ids = [1, 1, 1, 2, 2, 3, 3, 3]
    by_year = hrh.transitions(
        {"id": ids, "year": years, "region": regions}, id="id", time="year", state="region"
    )
    assert by_year.time_unit is None
    for when in (
        [dt.date(y, 12, 31) for y in years],
        [dt.datetime(y, 3, 1, 8) for y in years],
    ):
        t = hrh.transitions(
            {"id": ids, "when": when, "region": regions}, id="id", time="when", state="region"
        )
        assert t.time_unit == "year"
        assert t.table.equals(by_year.table) and t.gaps == by_year.gaps == 1
    with pytest.raises(
        hrh.InputError,
        match=r"column 'when', row 1: id 1 observed twice in period 2020 \(rows 0 and 1\); "
        "dates count by their calendar year",
    ):
        hrh.transitions(
            {"id": [1, 1], "when": [dt.date(2020, 1, 1), dt.date(2020, 7, 1)], "s": ["A", "B"]},
            id="id",
            time="when",
            state="s",
        )
    with pytest.raises(hrh.InputError, match=r"column 'when': must hold integer periods"):
        hrh.transitions(
            {"id": [1], "when": ["2020-01-01"], "s": ["A"]}, id="id", time="when", state="s"
        )


def test_promotions_from_a_panel_move_staff_between_grades() -> None:
    # 3 of 10 grade I doctors are promoted each year in the panel: 30 % of grade I staff
    # who stay move to grade II, and the cadre's total does not change.
    panel = {
        "id": [i for i in range(10) for _ in (0, 1)],
        "year": [2020, 2021] * 10,
        "grade": [g for i in range(10) for g in ("I", "II" if i < 3 else "I")],
    }
    tr = hrh.transitions(panel, id="id", time="year", state="grade")
    assert tr.promotions() == [{"from_grade": "I", "to_grade": "II", "rate": 0.3}]
    doc = {
        "start_year": 2024,
        "horizon": 2,
        "regions": ["A"],
        "min_age": 20,
        "cadres": [
            {
                "name": "doctor",
                "grades": ["I", "II"],
                "retirement_age": 60,
                "attrition": {"rate": 0.1},
                "promotions": tr.promotions(),
                "salary": 1.0,
            }
        ],
        "stock": [{"region": "A", "cadre": "doctor", "grade": "I", "age": 30, "count": 100}],
    }
    p = hrh.simulate(doc, draws=0)
    # 2025: 90 stay, 27 promoted; 2026: 63 x 0.9 = 56.7 stay in grade I, 17.01 promoted.
    np.testing.assert_allclose(p.flows["promotions"], [27.0, 17.01], rtol=1e-12)
    np.testing.assert_allclose(p.table["supply"], [100.0, 90.0, 81.0], rtol=1e-12)


def test_bundled_province_scenario_is_the_example() -> None:
    # The package ships the example's scenario file; its stock is taken from the synthetic
    # register as examples/province/make_inputs.py writes stock.csv.
    bundled = hrh.datasets.province_scenario()
    example = hrh.load_scenario(EXAMPLES / "province" / "scenario.toml")
    assert {k: v for k, v in bundled.items() if k != "stock"} == {
        k: v for k, v in example.items() if k != "stock"
    }
    cols = ["region", "cadre", "grade", "age", "count"]
    a, b = pl.DataFrame(bundled["stock"]), pl.DataFrame(example["stock"]).select(cols)
    assert a.sort(cols).equals(b.sort(cols))


def test_stock_table_from_the_register() -> None:
    reg = hrh.datasets.synthetic_register()
    s = hrh.stock_table(
        reg, at=dt.date(2024, 12, 31), cadre="cadre", region="district", grade="qualification"
    )
    assert s["count"].sum() == 3087
    assert s.columns == ["region", "cadre", "grade", "age", "count"]
    assert s["age"].min() >= 18
    with pytest.raises(hrh.InputError, match=r"column 'birth_date': must hold dates"):
        hrh.stock_table(
            {
                "birth_date": [1],
                "hire_date": [dt.date(2020, 1, 1)],
                "exit_date": [None],
                "c": ["x"],
            },
            at=dt.date(2024, 1, 1),
            cadre="c",
        )


def test_attrition_rates_from_fitted_curves_feed_a_scenario() -> None:
    reg = hrh.datasets.synthetic_register().with_columns(
        age_in=(pl.col("hire_date") - pl.col("birth_date")).dt.total_days() / 365.25,
        age_out=(
            pl.coalesce("exit_date", pl.lit(dt.date(2024, 12, 31))) - pl.col("birth_date")
        ).dt.total_days()
        / 365.25,
        left=pl.col("exit_reason")
        .is_in(["resignation", "transfer"])
        .fill_null(False)
        .cast(pl.Int32),
    )
    reg = reg.filter(pl.col("age_out") > pl.col("age_in"))  # drop same-day hire and exit
    km = hrh.kaplan_meier(reg, duration="age_out", event="left", entry="age_in")
    rates = hrh.attrition_rates(km, bands=[25, 35, 45, 55, 60])
    # Each rate reproduces the product of the curve's factors (1 - d/n) over its band.
    t = km.table
    for lo, hi, rate in rates.select("from", "to", "rate").rows():
        part = t.filter((pl.col("time") > lo) & (pl.col("time") <= hi))
        survival = float(np.prod(1 - part["events"].to_numpy() / part["at_risk"].to_numpy()))
        assert (1 - rate) ** (hi - lo) == pytest.approx(survival, rel=1e-12)
    assert ((rates["rate"] > 0) & (rates["rate"] < 0.2)).all()
    doc = hand_doc()
    doc["min_age"] = 18
    doc["cadres"][0]["retirement_age"] = 60
    doc["cadres"][0]["attrition"] = {
        "rate": float(rates["rate"][0]),
        "by_age": rates.select("from", "rate")
        .with_columns(pl.col("from").cast(pl.Int64))
        .to_dicts(),
    }
    assert hrh.simulate(doc, draws=0).table.height == 4
    cox = hrh.cox(
        reg.with_columns(doc=(pl.col("cadre") == "doctor").cast(pl.Int32)),
        duration="age_out",
        event="left",
        entry="age_in",
        covariates=["doc"],
    )
    curve = cox.predict_survival(pl.DataFrame({"doc": [0, 1]}), [20, 30, 40, 50, 60])
    by_row = hrh.attrition_rates(curve, bands=[20, 40, 60])
    assert by_row.columns == ["row", "from", "to", "rate"] and by_row.height == 4
    doctors = by_row.filter(pl.col("row") == 1)["rate"].to_numpy()
    others = by_row.filter(pl.col("row") == 0)["rate"].to_numpy()
    assert (doctors > others).all() == (cox.summary["coef"][0] > 0)
    with pytest.raises(
        hrh.InputError, match=r"argument 'bands': \[3, 1\] must be at least two increasing"
    ):
        hrh.attrition_rates(km, bands=[3, 1])


def test_binomial_flows_move_whole_people() -> None:
    path = EXAMPLES / "beijing_tianjin_hebei" / "scenario.toml"
    b = hrh.simulate(
        path, policy="hebei_retention", draws=40, seed=4, flows="binomial", keep_draws=True
    )
    e = hrh.simulate(path, policy="hebei_retention", draws=40, seed=4)
    assert b.draws_table is not None
    supply = b.draws_table["supply"].to_numpy()
    assert (supply == np.round(supply)).all()
    f = b.flows
    lhs = (
        f["stock_start"].to_numpy()
        - sum(f[c].to_numpy() for c in FLOW_OUT)
        + sum(f[c].to_numpy() for c in FLOW_IN)
    )
    np.testing.assert_allclose(lhs, f["stock_end"].to_numpy(), rtol=1e-12)
    # Same parameter draws (the flow stream follows them): means agree to sampling noise,
    # far below the spread between draws.
    np.testing.assert_allclose(b.table["supply"], e.table["supply"], rtol=2e-3)
    with pytest.raises(hrh.InputError, match=r"argument 'flows': binomial flows need draws > 0"):
        hrh.simulate(path, draws=0, flows="binomial")


def test_scheduled_entrants_replace_the_trend_in_their_years() -> None:
    doc = hand_doc()
    doc["cadres"][0]["entrants"]["schedule"] = [{"year": 2026, "value": 7}]
    p = hrh.simulate(doc, draws=0)
    assert p.flows["entrants"].to_list() == [40.0, 7.0, 90.0]  # 40, scheduled, 40 x 1.5^2
    doc["cadres"][0]["entrants"]["schedule"] = [{"year": 2024, "value": 7}]
    with pytest.raises(
        hrh.ScenarioError, match=r"entrants.schedule\[0\].year': 2024 is not a projected year"
    ):
        hrh.check_scenario(doc)


def linked_doc(link_r2_r3: bool) -> dict[str, Any]:
    """Four regions, a cadre with training and one without; R0 sends staff to R1, and R2
    and R3 are linked by flows of rate 0 when `link_r2_r3`."""
    regions = ["R0", "R1", "R2", "R3"]
    beta = {"dist": "beta", "a": 4.0, "b": 60.0}
    cadres = [
        {
            "name": "nurse",
            "retirement_age": 40,
            "death_rate": 0.003,
            "attrition": {
                "rate": dict.fromkeys(regions, beta),
                "by_age": [{"from": 30, "rate": 0.04}],
            },
            "entrants": {
                "per_year": {"dist": "normal", "mean": 12, "sd": 3},
                "growth": 0.01,
                "age": {"mean": 23, "sd": 2},
            },
            "demand": {
                "method": "quota",
                "quota": {r: 150 + 10 * i for i, r in enumerate(regions)},
            },
        },
        {
            "name": "doctor",
            "grades": ["general", "specialist"],
            "retirement_age": 40,
            "attrition": {"rate": {"dist": "uniform", "low": 0.02, "high": 0.08}},
            "entrants": {"per_year": 5, "age": {"mean": 25, "sd": 1}},
            "training": [
                {
                    "from_grade": "general",
                    "to_grade": "specialist",
                    "places": 2,
                    "duration": 2,
                    "bond_years": 1,
                }
            ],
            "demand": {"method": "quota", "quota": 60},
        },
    ]
    migration = [{"from": "R0", "to": "R1", "rate": {"dist": "beta", "a": 2, "b": 40}}]
    if link_r2_r3:
        migration += [{"from": "R2", "to": "R3", "rate": 0}, {"from": "R3", "to": "R2", "rate": 0}]
    stock = [
        {"region": r, "cadre": c, "age": a, "count": float(5 + (i * 7 + a) % 11)}
        for i, r in enumerate(regions)
        for c in ("nurse", "doctor")
        for a in range(20, 40)
    ]
    # A policy from the third to the fifth year: the one-pass step then runs its years in
    # three runs with different settings.
    policy = {
        "name": "bonus",
        "from_year": 2026,
        "to_year": 2028,
        "attrition_multiplier": [{"cadre": "nurse", "value": 0.7}],
        "extra_entrants": [{"cadre": "nurse", "region": "R2", "value": 3}],
        "quota": [{"cadre": "nurse", "region": "R3", "value": 170}],
        "costs": [
            {"item": "bonus", "kind": "per_person_year", "cadre": "nurse", "amount": 2},
            {"item": "bonus", "kind": "one_off_per_entrant", "amount": 5},
            {"item": "office", "kind": "fixed_per_year", "amount": 40},
        ],
    }
    return {
        "start_year": 2024,
        "horizon": 7,
        "regions": regions,
        "min_age": 20,
        "cadres": cadres,
        "migration": migration,
        "stock": stock,
        "policies": [policy],
    }


@pytest.mark.parametrize("policy", [None, "bonus"])
def test_regions_projected_apart_match_the_linked_projection(policy: str | None) -> None:
    # Regions exchanging no staff are projected on their own, and a cadre without training
    # takes a one-pass step; linking R2 and R3 by flows of rate 0 sends them through the
    # general step together. Same parameter draws, so the same numbers (13 draws: one
    # block of 8 and a partial one).
    apart = hrh.simulate(linked_doc(False), draws=13, seed=4, keep_draws=True, policy=policy)
    linked = hrh.simulate(linked_doc(True), draws=13, seed=4, keep_draws=True, policy=policy)
    if policy is not None:
        assert set(apart.costs["item"]) == {"salary", "training", "bond_buyout", "bonus", "office"}
    for col in ("supply", "supply_lower_90", "supply_upper_90", "gap_median", "p_gap_positive"):
        np.testing.assert_allclose(apart.table[col], linked.table[col], rtol=1e-12, atol=1e-12)
    flows = [c for c in apart.flows.columns if c not in ("year", "region", "cadre")]
    for col in flows:
        np.testing.assert_allclose(apart.flows[col], linked.flows[col], rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(apart.costs["cost"], linked.costs["cost"], rtol=1e-12)
    # Means over the 13 kept draws are the table's means.
    assert apart.draws_table is not None
    means = apart.draws_table.group_by("year", "region", "cadre", maintain_order=True).agg(
        pl.col("supply").mean()
    )
    np.testing.assert_allclose(means["supply"], apart.table["supply"], rtol=1e-12)


# ------------------------------------------------------------------ unmet need, never netted


def two_regions(draws: int = 200) -> tuple[dict[str, Any], list[hrh.Projection]]:
    """A has 200 nurses against a quota of 50, B 100 against 150; a policy adds nurses
    in A only, another in B only."""
    doc = {
        "start_year": 2024,
        "horizon": 4,
        "regions": ["A", "B"],
        "cadres": [
            {
                "name": "nurse",
                "retirement_age": 60,
                "attrition": {"rate": {"dist": "beta", "a": 2, "b": 400}},
                "demand": {"method": "quota", "quota": {"A": 50, "B": 150}},
            }
        ],
        "stock": [
            {"region": "A", "cadre": "nurse", "age": 30, "count": 200},
            {"region": "B", "cadre": "nurse", "age": 30, "count": 100},
        ],
        "policies": [
            {"name": "in_A", "extra_entrants": [{"cadre": "nurse", "region": "A", "value": 30}]},
            {"name": "in_B", "extra_entrants": [{"cadre": "nurse", "region": "B", "value": 10}]},
        ],
    }
    runs = [hrh.simulate(doc, policy=p, draws=draws, seed=3) for p in (None, "in_A", "in_B")]
    return doc, runs


def test_surplus_in_one_region_never_hides_a_shortage_in_another() -> None:
    _, (base, in_a, in_b) = two_regions()
    b = base.table.filter(pl.col("region") == "B")
    tot = base.totals.filter(pl.col("cadre") == "all")
    # B is short at least 50 nurses in every year and draw; the net gap says surplus.
    assert (b["shortage_lower_90"] >= 50).all() and (b["p_gap_positive"] == 1).all()
    assert (tot["shortage_lower_90"] >= 50).all() and (tot["p_shortage"] == 1).all()
    assert (tot["net_gap"] < -90).all() and (tot["p_net_gap_positive"] == 0).all()
    np.testing.assert_allclose(tot["shortage"], b["shortage"], rtol=1e-12)
    np.testing.assert_allclose(tot["shortage"] - tot["surplus"], tot["net_gap"], rtol=1e-12)
    # Paired per draw: adding nurses in A averts nothing; in B it averts 10 a year.
    cmp = hrh.compare([base, in_a, in_b], discount_rate=0).table
    assert cmp["shortage_averted"].to_list()[:2] == [0.0, 0.0]
    assert cmp["shortage_averted_lower"][1] == cmp["shortage_averted_upper"][1] == 0.0
    assert cmp["net_gap"][1] < cmp["net_gap"][0] - 100
    assert cmp["cost_per_shortage_year_averted"][1] is None
    # In B: 10, 20, 30, 40 extra nurses less a little attrition, in every draw.
    assert 40 * 0.97 < cmp["shortage_averted_lower"][2] <= cmp["shortage_averted_upper"][2] <= 40
    assert 100 * 0.97 < cmp["shortage_years_averted"][2] <= 100


def test_shortage_against_the_draws() -> None:
    """Every total and cell number recomputed from the kept draws."""
    doc, _ = two_regions()
    doc["cadres"][0]["demand"]["quota"] = {"A": {"dist": "normal", "mean": 200, "sd": 20}, "B": 95}
    p = hrh.simulate(doc, draws=300, seed=5, keep_draws=True, quantiles="exact")
    d = p.draws_table
    assert d is not None and p.shortage_draws is not None
    d = d.with_columns(
        shortage=(pl.col("demand") - pl.col("supply")).clip(lower_bound=0),
        surplus=(pl.col("supply") - pl.col("demand")).clip(lower_bound=0),
    )
    # Cells: mean and type-7 quantiles of max(gap, 0) and max(-gap, 0).
    cells = d.group_by("year", "region", maintain_order=True).agg(
        pl.col("shortage").mean().alias("m"),
        pl.col("shortage").quantile(0.25, interpolation="linear").alias("q25"),
        pl.col("surplus").mean().alias("sm"),
        pl.col("surplus").quantile(0.95, interpolation="linear").alias("s95"),
    )
    j = p.table.join(cells, on=["year", "region"])
    assert (j["m"] > 0).any() and (j["sm"] > 0).any()
    for ours, ref in (
        ("shortage", "m"),
        ("shortage_lower_50", "q25"),
        ("surplus", "sm"),
        ("surplus_upper_90", "s95"),
    ):
        np.testing.assert_allclose(j[ours], j[ref], rtol=1e-9, atol=1e-9)
    # Totals: the sum over cells per draw, then mean, quantiles and P(some cell short).
    per_draw = d.group_by("year", "draw").agg(
        pl.col("shortage").sum(),
        pl.col("surplus").sum(),
        (pl.col("shortage") > 0).any().alias("any"),
    )
    tot = per_draw.group_by("year").agg(
        pl.col("shortage").mean().alias("m"),
        pl.col("shortage").quantile(0.05, interpolation="linear").alias("q5"),
        pl.col("surplus").quantile(0.5, interpolation="linear").alias("s50"),
        pl.col("any").mean().alias("p"),
    )
    j = p.totals.filter(pl.col("cadre") == "all").join(tot, on="year")
    for ours, ref in (
        ("shortage", "m"),
        ("shortage_lower_90", "q5"),
        ("surplus_median", "s50"),
        ("p_shortage", "p"),
    ):
        np.testing.assert_allclose(j[ours], j[ref], rtol=1e-9, atol=1e-9)
    kept = p.shortage_draws.filter(pl.col("cadre") == "all").join(per_draw, on=["year", "draw"])
    np.testing.assert_allclose(kept["shortage"], kept["shortage_right"], rtol=1e-12)


def test_shortage_without_demand_is_null() -> None:
    doc, _ = two_regions()
    del doc["cadres"][0]["demand"]
    p = hrh.simulate(doc, draws=20, seed=1)
    assert p.totals["shortage"].null_count() == p.totals.height
    assert p.table["surplus"].null_count() == p.table.height


# ------------------------------------------------------------ density and its inequality


def test_density_and_theil_against_the_draws_and_hrh_theil() -> None:
    doc, _ = two_regions()
    doc["population"] = {"base": {"A": 40_000, "B": 60_000}, "growth": {"A": 0.01, "B": -0.02}}
    doc["cadres"][0]["entrants"] = {
        "per_year": {"A": {"dist": "normal", "mean": 8, "sd": 3}, "B": 12},
        "age": {"mean": 25},
    }
    p = hrh.simulate(doc, draws=300, seed=4, keep_draws=True, density=True, quantiles="exact")
    d = p.draws_table
    assert d is not None
    pops = {"A": 40_000 * 1.01 ** (d["year"] - 2024), "B": 60_000 * 0.98 ** (d["year"] - 2024)}
    d = d.with_columns(
        population=pl.when(pl.col("region") == "A").then(pops["A"]).otherwise(pops["B"])
    ).with_columns(density=1000 * pl.col("supply") / pl.col("population"))
    cells = d.group_by("year", "region").agg(
        pl.col("population").first(),
        pl.col("density").mean().alias("m"),
        pl.col("density").quantile(0.75, interpolation="linear").alias("q75"),
    )
    j = p.table.join(cells, on=["year", "region"])
    np.testing.assert_allclose(j["population"], j["population_right"], rtol=1e-12)
    np.testing.assert_allclose(j["density_per_1000"], j["m"], rtol=1e-12)
    np.testing.assert_allclose(j["density_per_1000_upper_50"], j["q75"], rtol=1e-12)
    # The Theil index of each draw, by hrh.theil (checked against PySAL elsewhere).
    theil = {
        (year, draw): hrh.theil(part["density"], part["population"]).total
        for (year, draw), part in d.group_by("year", "draw")
    }
    per_draw = pl.DataFrame(
        [{"year": y, "draw": k, "theil": t} for (y, k), t in theil.items()],
        schema={"year": pl.Int32, "draw": pl.Int32, "theil": pl.Float64},
    )
    start = per_draw.filter(pl.col("year") == 2024).select("draw", t0="theil")
    ref = (
        per_draw.join(start, on="draw")
        .group_by("year")
        .agg(
            pl.col("theil").mean().alias("m"),
            pl.col("theil").quantile(0.05, interpolation="linear").alias("q5"),
            (pl.col("theil") < pl.col("t0")).mean().alias("below"),
        )
    )
    t = p.totals.filter(pl.col("cadre") == "all").join(ref, on="year")
    assert t["theil"].min() > 0 and 0 < t["p_theil_below_start"].max() <= 1
    np.testing.assert_allclose(t["theil"], t["m"], rtol=1e-9)
    np.testing.assert_allclose(t["theil_lower_90"], t["q5"], rtol=1e-9)
    np.testing.assert_allclose(t["p_theil_below_start"], t["below"], rtol=1e-12)
    total = d.group_by("year", "draw").agg(
        (1000 * pl.col("supply").sum() / pl.col("population").sum()).alias("x")
    )
    dens = total.group_by("year").agg(pl.col("x").mean())
    t = p.totals.filter(pl.col("cadre") == "all").join(dens, on="year")
    np.testing.assert_allclose(t["density_per_1000"], t["x"], rtol=1e-12)
    # Without a population, densities are refused with a clear error.
    del doc["population"]
    with pytest.raises(hrh.InputError, match="densities need a population"):
        hrh.simulate(doc, draws=0, density=True)
    with pytest.raises(hrh.InputError, match="argument 'density'"):
        hrh.simulate(doc, draws=0, density="yes")  # type: ignore[arg-type]


def test_hiring_into_vacancies_never_passes_the_quota() -> None:
    doc, _ = two_regions()
    doc["cadres"][0]["entrants"] = {
        "per_year": {"dist": "normal", "mean": 30, "sd": 10},
        "age": {"mean": 25},
        "fill_vacancies": True,
        "education": {
            "duration": 2,
            "completion_rate": {"dist": "uniform", "low": 0.7, "high": 0.9},
        },
    }
    doc["stock"][0]["count"] = 40  # A starts below its quota of 50
    doc["policies"].append({"name": "school", "extra_students": [{"cadre": "nurse", "value": 20}]})
    for policy in (None, "school"):
        p = hrh.simulate(doc, policy=policy, draws=200, seed=2, keep_draws=True)
        d = p.draws_table
        assert d is not None
        # Hiring stops at the quota, in every draw and region.
        assert (d["supply"] <= d["demand"] + 1e-9).filter(d["year"] > 2024).all()
        # A fills its 50 posts unless a year's graduates are too few.
        a = p.table.filter((pl.col("region") == "A") & (pl.col("year") > 2024))
        assert ((a["supply_upper_90"] - 50).abs() < 1e-9).all() and (a["supply"] > 49).all()


def test_compare_needs_the_same_years() -> None:
    doc, (base, _, _) = two_regions()
    longer = hrh.simulate({**doc, "horizon": 6}, draws=200, seed=3)
    with pytest.raises(hrh.InputError, match=r"argument 'projections'.*same years"):
        hrh.compare([base, longer])
    # Paired draws need the same seed and number of draws.
    other = hrh.simulate(doc, draws=200, seed=4)
    with pytest.raises(hrh.InputError, match=r"argument 'projections'.*seed 4.*same seed"):
        hrh.compare([base, other])
    fewer = hrh.simulate(doc, draws=100, seed=3)
    with pytest.raises(hrh.InputError, match=r"100 draws.*same seed and number of draws"):
        hrh.compare([base, fewer])


def test_hostile_planning_inputs_are_named_errors(tmp_path: Path) -> None:
    path = EXAMPLES / "province" / "scenario.toml"
    # Sizes are checked before anything is allocated (these aborted the interpreter).
    with pytest.raises(hrh.InputError, match=r"10000000 draws would need about 9\.\d GiB"):
        hrh.simulate(path, draws=10**7, seed=1, keep_draws=True)
    with pytest.raises(hrh.InputError, match="quantiles='streaming'"):
        hrh.simulate(path, draws=10**9, seed=1, quantiles="exact")
    # A policy named twice was applied twice.
    with pytest.raises(hrh.InputError, match="argument 'policy': 'incentive' is named twice"):
        hrh.simulate(path, policy=["incentive", "incentive"], draws=5, seed=1)
    # Non-finite values name their key, from a dict or from TOML.
    doc = hrh.load_scenario(path)
    doc["cadres"][1]["attrition"]["rate"]["a"] = float("nan")
    with pytest.raises(hrh.ScenarioError) as e:
        hrh.simulate(doc, draws=0)
    assert e.value.path == "cadres[1].attrition.rate.a"
    text = path.read_text().replace("death_rate = 0.0022", "death_rate = inf")
    (tmp_path / "scenario.toml").write_text(text)
    (tmp_path / "stock.csv").write_text((path.parent / "stock.csv").read_text())
    with pytest.raises(hrh.ScenarioError) as e:
        hrh.simulate(tmp_path / "scenario.toml", draws=0)
    assert e.value.path == "cadres[1].death_rate"
    # Out-of-range years and numbers too large to project.
    doc = hrh.load_scenario(path)
    doc["start_year"] = 2**31 - 5
    with pytest.raises(hrh.ScenarioError, match="'start_year': must be between 1800 and 2500"):
        hrh.check_scenario(doc)
    doc = hrh.load_scenario(path)
    doc["cadres"][1]["entrants"]["per_year"]["mean"] = 1e308
    with pytest.raises(hrh.ScenarioError, match=r"entrants\.per_year': must be a finite number"):
        hrh.check_scenario(doc)
    with pytest.raises(hrh.InputError, match="argument 'projections': '1' is a int"):
        hrh.compare([1, 2])  # type: ignore[list-item]


def test_memory_budget_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    doc, _ = two_regions()
    monkeypatch.setenv("HRH_MAX_MEMORY", "1K")
    with pytest.raises(hrh.InputError, match=r"over the budget of 0\.0 GiB"):
        hrh.simulate(doc, draws=100, seed=1)
    monkeypatch.setenv("HRH_MAX_MEMORY", "lots")
    with pytest.raises(hrh.InputError, match="HRH_MAX_MEMORY: 'lots' is not a number"):
        hrh.simulate(doc, draws=100, seed=1)
    monkeypatch.setenv("HRH_MAX_MEMORY", "1G")
    assert hrh.simulate(doc, draws=100, seed=1).draws == 100


def test_hostile_inputs_to_planning_helpers() -> None:
    with pytest.raises(hrh.InputError, match="argument 'existing': inf must be a finite number"):
        hrh.wisn(
            {"workload": [100.0], "unit_time": [1.0]}, available_time=1760, existing=float("inf")
        )
    reg = {
        "birth_date": [dt.date(1990, 1, 1), dt.date(2030, 1, 1)],
        "hire_date": [dt.date(2015, 1, 1), dt.date(2020, 1, 1)],
        "exit_date": [None, None],
        "cadre": ["nurse", "nurse"],
    }
    with pytest.raises(hrh.InputError, match="column 'birth_date', row 1: born 2030-01-01"):
        hrh.stock_table(reg, at=dt.date(2024, 12, 31), cadre="cadre")
    curve = {"time": [0.0, 1, 2], "survival": [1.0, 1.5, float("nan")]}
    with pytest.raises(hrh.InputError, match=r"column 'survival', at time 1\.0: 1\.5 is not"):
        hrh.attrition_rates(curve, bands=[0, 1, 2])
    curve = {"time": [0.0, 1, 2], "survival": [1.0, 0.5, 0.7]}
    with pytest.raises(hrh.InputError, match="never increases"):
        hrh.attrition_rates(curve, bands=[0, 1, 2])
    with pytest.raises(hrh.InputError, match="argument 'events': is empty"):
        hrh.poisson_ci([])
    out = hrh.shortfall({"staff": [10], "pop": [1000]}, staff="staff", population="pop", norm=0)
    assert out["ratio"].to_list() == [None] and out["surplus"].to_list() == [10.0]


def test_stock_table_needs_a_date() -> None:
    reg = {
        "birth_date": [dt.date(1990, 1, 1)],
        "hire_date": [dt.date(2020, 1, 1)],
        "exit_date": [None],
        "cadre": ["nurse"],
    }
    with pytest.raises(hrh.InputError, match="argument 'at': '2024-12-31' must be a date"):
        hrh.stock_table(reg, at="2024-12-31", cadre="cadre")  # type: ignore[arg-type]


def test_many_separate_regions_keep_exact_quantiles() -> None:
    """Per-draw buffers of one group at a time count towards the exact-quantile budget,
    not those of every group (which sent many-region scenarios to streaming estimates)."""
    regions = [f"R{i}" for i in range(300)]
    doc = {
        "start_year": 2024,
        "horizon": 30,
        "regions": regions,
        "cadres": [
            {
                "name": "nurse",
                "retirement_age": 60,
                "salary": 1,
                "attrition": {"rate": {"dist": "beta", "a": 5, "b": 95}},
                "demand": {"method": "quota", "quota": 100},
            }
        ],
        "stock": [{"region": r, "cadre": "nurse", "age": 30, "count": 100} for r in regions],
    }
    p = hrh.simulate(doc, draws=1000, seed=1)
    assert p.quantiles == "exact"
    assert p._draws is not None and p._draws.cost.shape == (1000, 30, 1, 1)


def test_stock_table_exit_dates_as_text_are_a_named_error() -> None:
    reg = pl.DataFrame(
        {
            "birth_date": [dt.datetime(1980, 6, 1)],
            "hire_date": [dt.datetime(2005, 1, 1)],
            "exit_date": ["2020-01-01"],
            "cadre": ["nurse"],
        }
    )
    # Was polars' InvalidOperationError from a cast of text to Date.
    with pytest.raises(hrh.InputError, match="column 'exit_date': must hold dates, got String"):
        hrh.stock_table(reg, at=dt.date(2024, 12, 31), cadre="cadre")
    # Datetime columns, and an exit column that is all null, are dates.
    ok = reg.with_columns(pl.lit(None).alias("exit_date"))
    assert hrh.stock_table(ok, at=dt.date(2024, 12, 31), cadre="cadre").rows() == [
        ("all", "nurse", 44, 1)
    ]
