"""The scenario document's reference, generated from the parser's own schema.

The keys, their types and whether they are required are read from the serde structs in
``crates/hrh-core/src/planning/scenario/doc.rs`` (and the distribution keys from
``crates/hrh-core/src/planning/param.rs``); descriptions come from their ``///`` comments.
What Rust does not say in the struct (defaults, the rules the compiler checks) is in
`NOTES` below, one entry per key. ``tests/test_docs.py`` proves both directions: every
serde field has an entry here and every entry is a serde field, and every key appears in
one of the `EXAMPLES`, each of which ``hrh.check_scenario`` accepts.

Run ``python3 scripts/scenario_reference.py`` to print the page; the documentation build
(``scripts/docs_hooks.py``) generates it on every build, so it cannot drift.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DOC_RS = ROOT / "crates/hrh-core/src/planning/scenario/doc.rs"
PARAM_RS = ROOT / "crates/hrh-core/src/planning/param.rs"


@dataclass(frozen=True)
class Field:
    struct: str
    name: str
    rust_type: str
    required: bool
    doc: str


def rust_structs(text: str | None = None) -> dict[str, list[Field]]:
    """Every struct that serde deserialises in doc.rs, with its fields in order."""
    text = DOC_RS.read_text(encoding="utf-8") if text is None else text
    out: dict[str, list[Field]] = {}
    block = re.compile(
        r"#\[derive\([^)]*Deserialize[^)]*\)\]\s*(?:#\[serde\([^\]]*\)\]\s*)*"
        r"(?:pub )?struct (\w+) \{(.*?)\n\}",
        re.S,
    )
    for m in block.finditer(text):
        name, body = m.group(1), m.group(2)
        fields: list[Field] = []
        doc: list[str] = []
        default = False
        for raw in body.splitlines():
            line = raw.strip()
            if line.startswith("///"):
                doc.append(line[3:].strip())
            elif line.startswith("#[serde("):
                default = default or "default" in line
            elif f := re.match(r"(?:pub )?(\w+): (.+),$", line):
                ty = f.group(2)
                required = not (default or ty.startswith("Option<"))
                fields.append(Field(name, f.group(1), ty, required, " ".join(doc)))
                doc, default = [], False
        out[name] = fields
    return out


def dist_keys(text: str | None = None) -> dict[str, list[str]]:
    """The distribution kinds of param.rs and the keys each takes."""
    text = PARAM_RS.read_text(encoding="utf-8") if text is None else text
    kinds = dict(re.findall(r'"(\w+)" => &\[([^\]]*)\]', text))
    return {k: re.findall(r'"(\w+)"', v) for k, v in kinds.items()}


# Where each struct appears in a document, and its section title.
PLACES: dict[str, tuple[str, list[str]]] = {
    "ScenarioDoc": ("The document", ["(top level)"]),
    "CadreDoc": ("Cadres", ["cadres[]"]),
    "AttritionDoc": ("Attrition", ["cadres[].attrition"]),
    "AgeRate": ("Attrition by age", ["cadres[].attrition.by_age[]"]),
    "EntrantsDoc": ("Entrants", ["cadres[].entrants"]),
    "EducationDoc": ("Pre-service course", ["cadres[].entrants.education"]),
    "ScheduledEntrants": ("Scheduled entrants", ["cadres[].entrants.schedule[]"]),
    "AgeDoc": ("Age profiles", ["cadres[].entrants.age", "cadres[].stock_age"]),
    "TrainingDoc": ("Training programmes", ["cadres[].training[]"]),
    "PromotionDoc": ("Promotions", ["cadres[].promotions[]"]),
    "DemandDoc": ("Demand", ["cadres[].demand", "cadres[].demand_by_grade[]"]),
    "StockRow": ("Stock records", ["stock[]"]),
    "StockColumns": ("Stock as columns", ["stock (a table of columns)"]),
    "MigrationDoc": ("Migration", ["migration[]"]),
    "PopulationDoc": ("Population", ["population"]),
    "PopulationRow": ("Population table", ["population.table[]"]),
    "PolicyDoc": ("Policies", ["policies[]"]),
    "ChangeDoc": (
        "Policy changes",
        [
            f"policies[].{k}[]"
            for k in (
                "attrition_multiplier",
                "migration_multiplier",
                "training_places",
                "extra_entrants",
                "extra_students",
                "quota",
            )
        ],
    ),
    "CostDoc": ("Policy costs", ["policies[].costs[]"]),
}

RATE = "a rate: every value a draw can take lies in [0, 1] (beta, uniform, empirical, gamma)"
NONNEG = "every value a draw can take is >= 0 (a normal needs a positive mean)"
MAXV = "at most 1e12"
AMOUNT = ">= 0 and at most 1e15"

# "Struct.field": (default for an optional key or None, rule checked, description if the
# Rust field has no doc comment).
NOTES: dict[str, tuple[str | None, str] | tuple[str | None, str, str]] = {
    "ScenarioDoc.name": ('"scenario"', "any text"),
    "ScenarioDoc.currency": ("none", "any text"),
    "ScenarioDoc.start_year": (None, "1800 to 2500"),
    "ScenarioDoc.horizon": (None, "1 to 200"),
    "ScenarioDoc.regions": (None, "at least one; names unique and not empty"),
    "ScenarioDoc.min_age": ("18", "below every cadre's retirement_age"),
    "ScenarioDoc.cadres": (None, "at least one; names unique and not empty"),
    "ScenarioDoc.stock": (
        "no staff",
        "each record's region, cadre and grade known; in Python also a frame or a "
        "CSV/Parquet path (relative to the scenario file)",
    ),
    "ScenarioDoc.migration": ("none", "per cadre and origin, the shares' means add up to <= 1"),
    "ScenarioDoc.population": (
        "none",
        "needed by demand by norm or service use and by `simulate(density=True)`",
    ),
    "ScenarioDoc.policies": ("none", "names unique and not empty"),
    "CadreDoc.name": (None, "unique, not empty", "Cadre name (e.g. `doctor`)."),
    "CadreDoc.grades": ('["all"]', "at least one; names unique and not empty"),
    "CadreDoc.retirement_age": (None, "above min_age and at most 100"),
    "CadreDoc.death_rate": ("0", RATE),
    "CadreDoc.attrition": (None, "see [Attrition](#attrition)"),
    "CadreDoc.entrants": ("no entrants", "see [Entrants](#entrants)"),
    "CadreDoc.training": ("none", "programme names unique within the cadre"),
    "CadreDoc.promotions": ("none", "grades of this cadre"),
    "CadreDoc.demand": ("none (no demand, no gap)", "not together with demand_by_grade"),
    "CadreDoc.demand_by_grade": ("none", "every grade exactly once; not together with demand"),
    "CadreDoc.salary": ("0", f"{AMOUNT}; by grade: every grade named, no other key"),
    "CadreDoc.stock_age": (
        "equal shares over the working ages",
        "see [Age profiles](#age-profiles)",
    ),
    "AttritionDoc.rate": (None, RATE),
    "AttritionDoc.by_age": ("none", "`from` ages in increasing order"),
    "AttritionDoc.grade_multipliers": ("1 for every grade", f"one per grade; {NONNEG}"),
    "AgeRate.from": (
        None,
        "min_age <= from < retirement_age",
        "First age of the band (whole years).",
    ),
    "AgeRate.rate": (None, RATE, "Annual probability of leaving from that age on."),
    "EntrantsDoc.per_year": (None, f"{NONNEG}; {MAXV}"),
    "EntrantsDoc.growth": ("0", "a growth rate: every value a draw can take is > -1"),
    "EntrantsDoc.grade": ("the first grade", "a grade of the cadre"),
    "EntrantsDoc.age": (None, "see [Age profiles](#age-profiles)"),
    "EntrantsDoc.schedule": ("none", "years after start_year, within the horizon, each once"),
    "EntrantsDoc.fill_vacancies": ("false", "needs demand by quota (by grade or not)"),
    "EntrantsDoc.education": ("none", "needed by a policy's extra_students"),
    "EducationDoc.duration": (None, "1 to 20"),
    "EducationDoc.completion_rate": ("1", RATE),
    "ScheduledEntrants.year": (None, "after start_year, within the horizon", "Calendar year."),
    "ScheduledEntrants.value": (None, NONNEG, "Entrants in that year."),
    "AgeDoc.mean": (
        "none",
        "with `sd`: finite, within the working ages",
        "Mean age of a discretised normal age distribution.",
    ),
    "AgeDoc.sd": ("0 (everyone at `mean`)", ">= 0", "Its standard deviation (years)."),
    "AgeDoc.ages": (
        "none",
        "with `shares`: each within the working ages",
        "Ages (whole years) of an age distribution given by shares.",
    ),
    "AgeDoc.shares": (
        "none",
        "one per age, >= 0, not all 0 (normalised to sum 1)",
        "Share of each age in `ages`.",
    ),
    "TrainingDoc.name": ('"<from_grade>-><to_grade>"', "unique within the cadre"),
    "TrainingDoc.from_grade": (None, "a grade of the cadre", "Grade of the staff sent."),
    "TrainingDoc.to_grade": (None, "differs from from_grade; above it unless to_lower_grade"),
    "TrainingDoc.to_lower_grade": ("false", "true or false"),
    "TrainingDoc.places": (None, NONNEG),
    "TrainingDoc.duration": (None, "1 to 20, shorter than a working life"),
    "TrainingDoc.return_rate": ("1", RATE),
    "TrainingDoc.max_age": ("retirement_age - duration - 2", "a working age"),
    "TrainingDoc.bond_years": ("0", "at most 100"),
    "TrainingDoc.rate_during_bond": ("the cadre's attrition", RATE),
    "TrainingDoc.years_after_bond": ("0", "at most 100"),
    "TrainingDoc.rate_after_bond": ("none", f"{RATE}; required when years_after_bond > 0"),
    "TrainingDoc.cost_per_trainee_year": ("0", AMOUNT),
    "TrainingDoc.cost_one_off": ("0", AMOUNT),
    "TrainingDoc.buyout": ("0", f"{AMOUNT}; needs bond_years > 0"),
    "PromotionDoc.from_grade": (None, "a grade of the cadre", "Grade promoted from."),
    "PromotionDoc.to_grade": (None, "a grade of the cadre, not from_grade", "Grade promoted to."),
    "PromotionDoc.rate": (None, RATE, "Annual share of the grade's staff who stay promoted."),
    "DemandDoc.method": (None, "`norm`, `quota`, `service_use`, `wisn` or `none`"),
    "DemandDoc.grade": ("none", "only in demand_by_grade, where it is required"),
    "DemandDoc.per_1000": (
        "none",
        f"method `norm` (this or per_100000); {NONNEG}",
        "Staff per 1,000 population (method `norm`).",
    ),
    "DemandDoc.per_100000": ("none", f"method `norm`, not with per_1000; {NONNEG}"),
    "DemandDoc.age_groups": (
        "the whole population",
        "method `norm`; age groups of the population table, each once",
    ),
    "DemandDoc.quota": (
        "none",
        f"required by method `quota`; {NONNEG}",
        "Number of posts (method `quota`).",
    ),
    "DemandDoc.visits_per_capita": (
        "none",
        f"method `service_use` (this or visits_by_age_group); {NONNEG}",
        "Visits per person per year by region (method `service_use`).",
    ),
    "DemandDoc.visits_by_age_group": (
        "none",
        "method `service_use`; every age group of the population table; " + NONNEG,
    ),
    "DemandDoc.hours_per_visit": (
        "none",
        f"required by method `service_use`; {NONNEG}",
        "Staff hours per visit (method `service_use`).",
    ),
    "DemandDoc.available_hours": (
        "none",
        "required by method `service_use`; > 0",
        "Hours one staff member works in a year (method `service_use`).",
    ),
    "DemandDoc.required": (
        "none",
        f"required by method `wisn`; {NONNEG}",
        "Staff required in the start year, e.g. from `hrh.wisn` (method `wisn`).",
    ),
    "StockRow.region": (None, "a region of the document", "Region."),
    "StockRow.cadre": (None, "a cadre of the document", "Cadre."),
    "StockRow.grade": ("the cadre's first grade", "a grade of the cadre", "Grade."),
    "StockRow.age": (
        "spread by the cadre's stock_age",
        "min_age <= age < retirement_age",
        "Age in whole years.",
    ),
    "StockRow.count": (None, f">= 0 and {MAXV}", "Staff in post (may be fractional, e.g. FTE)."),
    "StockColumns.region": (None, "same length as count", "Region of each record."),
    "StockColumns.cadre": (None, "same length as count", "Cadre of each record."),
    "StockColumns.grade": (
        "the first grade",
        "same length as count; null: the first grade",
        "Grade of each record.",
    ),
    "StockColumns.age": (
        "spread by stock_age",
        "same length as count; null: spread by stock_age",
        "Age of each record.",
    ),
    "StockColumns.count": (None, f"each >= 0 and {MAXV}", "Staff in post of each record."),
    "MigrationDoc.cadre": ("every cadre", "a cadre of the document"),
    "MigrationDoc.from": (None, "a region", "Origin region."),
    "MigrationDoc.to": (None, "a region other than from", "Destination region."),
    "MigrationDoc.rate": (None, RATE),
    "PopulationDoc.base": (
        "none",
        f"with growth, instead of table; {NONNEG}",
        "Population of each region in the start year.",
    ),
    "PopulationDoc.growth": (
        "0",
        "a growth rate > -1; only with base",
        "Annual growth of the population of each region.",
    ),
    "PopulationDoc.table": (
        "none",
        "instead of base and growth; every region and every year from start_year to the "
        "horizon, each once (per age group)",
        "Population by region and year (and optionally age group).",
    ),
    "PopulationRow.region": (None, "a region", "Region."),
    "PopulationRow.year": (None, "each year of the projection", "Calendar year."),
    "PopulationRow.age_group": ("none", "given in every row or in none"),
    "PopulationRow.population": (
        None,
        "> 0 (without age groups); >= 0 per age group with a total > 0",
        "People.",
    ),
    "PolicyDoc.name": (None, "unique, not empty", "Name passed to `simulate(policy=...)`."),
    "PolicyDoc.from_year": ("start_year + 1", "after start_year"),
    "PolicyDoc.to_year": ("the last projected year", "not before from_year"),
    "PolicyDoc.attrition_multiplier": ("none", NONNEG),
    "PolicyDoc.migration_multiplier": ("none", NONNEG),
    "PolicyDoc.training_places": ("none", f"each needs cadre and programme; {NONNEG}"),
    "PolicyDoc.extra_entrants": ("none", f"each needs a cadre; {NONNEG}"),
    "PolicyDoc.extra_students": (
        "none",
        f"each needs a cadre with entrants.education, and no grade; {NONNEG}",
    ),
    "PolicyDoc.quota": ("none", f"each needs a cadre; {NONNEG}"),
    "PolicyDoc.costs": ("none", "see [Policy costs](#policy-costs)"),
    "ChangeDoc.cadre": (
        "every cadre (where the change allows it)",
        "a cadre of the document",
        "Cadre changed.",
    ),
    "ChangeDoc.grade": (
        "every grade",
        "a grade of `cadre` (which it needs), for a lever that can use it",
        "Grade changed (quota with demand by grade, extra_entrants' entry grade, "
        "attrition_multiplier, migration_multiplier).",
    ),
    "ChangeDoc.region": ("every region", "a region", "Region changed (for migration: origin)."),
    "ChangeDoc.programme": (
        "none",
        "training_places only: a training programme of `cadre`",
        "Training programme (by its name).",
    ),
    "ChangeDoc.value": (
        None,
        NONNEG,
        "The multiplier, the places, the extra entrants or students per year, or the quota.",
    ),
    "CostDoc.item": (None, "any text"),
    "CostDoc.kind": (
        None,
        "one of the kinds listed; a kind must apply to a flow the policy or scenario has",
    ),
    "CostDoc.cadre": ("every cadre", "a cadre; required by one_off_per_extra_entrant", "Cadre."),
    "CostDoc.grade": (
        "every grade",
        "a grade of `cadre`; not for trainee or fixed costs",
        "Grade.",
    ),
    "CostDoc.region": ("every region", "a region"),
    "CostDoc.amount": (None, "finite, of size at most 1e15", "Amount per unit of `kind`."),
}

DIST_HELP = {
    "normal": "Normal(mean, sd), sd > 0",
    "lognormal": "log-normal with log-scale meanlog and sdlog > 0",
    "beta": "Beta(a, b) on [0, 1], a, b > 0: a proportion from counts",
    "uniform": "uniform on [low, high], low <= high",
    "gamma": "Gamma with shape and rate > 0 (mean shape / rate): an event rate from counts",
    "empirical": "one of `values` (at least one), equally likely",
}


def _province() -> dict[str, Any]:
    """An example using most keys: two regions, graded doctors, every policy lever."""
    doctor: dict[str, Any] = {
        "name": "doctor",
        "grades": ["general", "specialist"],
        "retirement_age": 60,
        "death_rate": {"dist": "uniform", "low": 0.002, "high": 0.004},
        "attrition": {
            "rate": {"North": {"dist": "beta", "a": 29, "b": 551}, "*": 0.04},
            "by_age": [{"from": 18, "rate": 0.08}, {"from": 30, "rate": 0.04}],
            "grade_multipliers": [1.0, {"dist": "lognormal", "meanlog": 0.1, "sdlog": 0.05}],
        },
        "entrants": {
            "per_year": {"dist": "normal", "mean": 40, "sd": 5},
            "growth": 0.01,
            "grade": "general",
            "age": {"mean": 25, "sd": 1.5},
            "schedule": [{"year": 2026, "value": 55}],
            "education": {"duration": 6, "completion_rate": 0.9},
        },
        "training": [
            {
                "name": "residency",
                "from_grade": "general",
                "to_grade": "specialist",
                "places": {"North": 4, "South": 2},
                "duration": 3,
                "return_rate": {"dist": "beta", "a": 18, "b": 2},
                "max_age": 45,
                "bond_years": 3,
                "rate_during_bond": 0.02,
                "years_after_bond": 2,
                "rate_after_bond": 0.15,
                "cost_per_trainee_year": 60,
                "cost_one_off": 100,
                "buyout": 50,
            }
        ],
        "promotions": [{"from_grade": "general", "to_grade": "specialist", "rate": 0.01}],
        "demand": {"method": "norm", "per_1000": {"North": 1.2, "South": 1.0}},
        "salary": {"general": 110, "specialist": 160},
        "stock_age": {"ages": [30, 40, 50], "shares": [0.4, 0.4, 0.2]},
    }
    nurse: dict[str, Any] = {
        "name": "nurse",
        "retirement_age": 55,
        "attrition": {"rate": {"dist": "gamma", "shape": 11, "rate": 251}},
        "entrants": {"per_year": 30, "age": {"ages": [22, 23], "shares": [1, 1]}},
        "demand": {"method": "norm", "per_100000": 250},
        "salary": 80,
    }
    return {
        "name": "two regions",
        "currency": "USD thousand",
        "start_year": 2024,
        "horizon": 10,
        "regions": ["North", "South"],
        "min_age": 18,
        "cadres": [doctor, nurse],
        "stock": [
            {"region": "North", "cadre": "doctor", "grade": "general", "age": 35, "count": 120},
            {"region": "South", "cadre": "doctor", "count": 80},
            {"region": "North", "cadre": "nurse", "count": 300},
            {"region": "South", "cadre": "nurse", "age": 30, "count": 210.5},
        ],
        "migration": [
            {"cadre": "doctor", "from": "South", "to": "North", "rate": 0.02},
            {"from": "North", "to": "South", "rate": {"dist": "empirical", "values": [0, 0.01]}},
        ],
        "population": {"base": {"North": 900_000, "South": 700_000}, "growth": 0.012},
        "policies": [
            {
                "name": "package",
                "from_year": 2026,
                "to_year": 2030,
                "attrition_multiplier": [{"cadre": "doctor", "grade": "specialist", "value": 0.8}],
                "migration_multiplier": [{"region": "South", "value": 0.5}],
                "training_places": [{"cadre": "doctor", "programme": "residency", "value": 8}],
                "extra_entrants": [{"cadre": "doctor", "region": "South", "value": 5}],
                "extra_students": [{"cadre": "doctor", "value": 10}],
                "costs": [
                    {
                        "item": "allowance",
                        "kind": "per_person_year",
                        "cadre": "doctor",
                        "grade": "specialist",
                        "region": "South",
                        "amount": 12,
                    },
                    {
                        "item": "signing bonus",
                        "kind": "one_off_per_extra_entrant",
                        "cadre": "doctor",
                        "amount": 20,
                    },
                    {
                        "item": "welcome",
                        "kind": "one_off_per_entrant",
                        "cadre": "doctor",
                        "amount": 1,
                    },
                    {"item": "stipend", "kind": "per_trainee_year", "cadre": "doctor", "amount": 5},
                    {"item": "kit", "kind": "one_off_per_trainee", "amount": 2},
                    {
                        "item": "retention",
                        "kind": "one_off_per_returner",
                        "cadre": "doctor",
                        "grade": "specialist",
                        "amount": 3,
                    },
                    {"item": "office", "kind": "fixed_per_year", "amount": 100},
                ],
            }
        ],
    }


def _district() -> dict[str, Any]:
    """An example of demand by grade, quotas, service use by age group, WISN and
    a population table by age group, with the stock as columns."""
    years = range(2024, 2029)
    groups = {"0-14": 0.3, "15-64": 0.6, "65+": 0.1}
    table = [
        {"region": r, "year": y, "age_group": g, "population": base * s * 1.01 ** (y - 2024)}
        for r, base in (("Hill", 200_000), ("Coast", 350_000))
        for y in years
        for g, s in groups.items()
    ]
    return {
        "start_year": 2024,
        "horizon": 4,
        "regions": ["Hill", "Coast"],
        "cadres": [
            {
                "name": "doctor",
                "grades": ["general", "paediatrician"],
                "retirement_age": 62,
                "attrition": {"rate": 0.05},
                "entrants": {
                    "per_year": 20,
                    "age": {"mean": 26, "sd": 1},
                    "fill_vacancies": True,
                },
                "training": [
                    {
                        "from_grade": "paediatrician",
                        "to_grade": "general",
                        "to_lower_grade": True,
                        "places": 1,
                        "duration": 1,
                    }
                ],
                "demand_by_grade": [
                    {"grade": "general", "method": "quota", "quota": {"Hill": 40, "Coast": 70}},
                    {"grade": "paediatrician", "method": "quota", "quota": 6},
                ],
            },
            {
                "name": "paediatric nurse",
                "retirement_age": 60,
                "attrition": {"rate": 0.06},
                "demand": {"method": "norm", "per_1000": 0.5, "age_groups": ["0-14"]},
            },
            {
                "name": "clinical officer",
                "retirement_age": 60,
                "attrition": {"rate": 0.05},
                "demand": {
                    "method": "service_use",
                    "visits_by_age_group": {"0-14": 2.0, "15-64": 1.2, "65+": 3.5},
                    "hours_per_visit": 0.25,
                    "available_hours": 1600,
                },
            },
            {
                "name": "midwife",
                "retirement_age": 60,
                "attrition": {"rate": 0.04},
                "demand": {
                    "method": "service_use",
                    "visits_per_capita": {"Hill": 0.1, "Coast": 0.12},
                    "hours_per_visit": 1.0,
                    "available_hours": 1700,
                },
            },
            {
                "name": "pharmacist",
                "retirement_age": 60,
                "attrition": {"rate": 0.03},
                "demand": {"method": "wisn", "required": {"Hill": 8, "Coast": 12}},
            },
        ],
        "stock": {
            "region": ["Hill", "Coast", "Hill", "Coast", "Hill", "Coast", "Coast", "Hill"],
            "cadre": [
                "doctor",
                "doctor",
                "doctor",
                "paediatric nurse",
                "clinical officer",
                "midwife",
                "pharmacist",
                "pharmacist",
            ],
            "grade": ["general", "general", "paediatrician", None, None, None, None, None],
            "age": [40, None, 45, 30, None, None, 33, 50],
            "count": [35, 60, 3, 40, 25, 30, 10, 6],
        },
        "population": {"table": table},
        "policies": [
            {"name": "more posts", "quota": [{"cadre": "doctor", "grade": "general", "value": 80}]}
        ],
    }


def _plain() -> dict[str, Any]:
    """An example with a population table without age groups and demand method none."""
    return {
        "start_year": 2024,
        "horizon": 2,
        "regions": ["A"],
        "cadres": [
            {
                "name": "nurse",
                "retirement_age": 60,
                "attrition": {"rate": 0.05},
                "demand": {"method": "none"},
            }
        ],
        "population": {
            "table": [{"region": "A", "year": y, "population": 1000} for y in (2024, 2025, 2026)]
        },
    }


EXAMPLES: dict[str, dict[str, Any]] = {
    "two regions": _province(),
    "district": _district(),
    "plain": _plain(),
}


def _struct_of(rust_type: str, structs: dict[str, list[Field]]) -> str | None:
    inner = re.sub(r"^(Option|Vec)<(.*)>$", r"\2", rust_type)
    inner = re.sub(r"^(Option|Vec)<(.*)>$", r"\2", inner)
    return inner if inner in structs else None


def used_keys(
    doc: Any,
    struct: str = "ScenarioDoc",
    structs: dict[str, list[Field]] | None = None,
) -> set[str]:
    """The "Struct.field" keys a document uses (and "Dist.<key>" for distributions)."""
    structs = rust_structs() if structs is None else structs
    out: set[str] = set()
    fields = {f.name: f for f in structs[struct]}
    items = doc if isinstance(doc, list) else [doc]
    for item in items:
        for key, value in item.items():
            out.add(f"{struct}.{key}")
            f = fields.get(key)
            if f is None:
                continue
            sub = _struct_of(f.rust_type, structs)
            if key == "stock" and struct == "ScenarioDoc":
                sub = "StockColumns" if isinstance(value, dict) else "StockRow"
            if sub is not None:
                out |= used_keys(value, sub, structs)
            else:
                out |= _dist_keys_used(value)
    return out


def _dist_keys_used(value: Any) -> set[str]:
    out: set[str] = set()
    if isinstance(value, dict):
        if "dist" in value:
            out.add(f"Dist.{value['dist']}")
        for v in value.values():
            out |= _dist_keys_used(v)
    elif isinstance(value, list):
        for v in value:
            out |= _dist_keys_used(v)
    return out


_SCALARS = {
    "String": "string",
    "bool": "boolean",
    "i32": "integer",
    "u32": "integer >= 0",
    "f64": "number",
    "Dist": "[number or distribution](#numbers-and-distributions)",
    "ByRegion": "[number, distribution or table by region](#numbers-and-distributions)",
    "SalaryDoc": "number, or table of numbers by grade",
    "std::collections::BTreeMap<String, Dist>": "table of [numbers or distributions]"
    "(#numbers-and-distributions) by age group",
}


def type_text(f: Field, structs: dict[str, list[Field]]) -> str:
    """The type of a field in words."""
    if f.struct == "ScenarioDoc" and f.name == "stock":
        return "list of [stock records](#stock-records), or a [table of columns](#stock-as-columns)"
    ty = f.rust_type
    ty = re.sub(r"^Option<(.*)>$", r"\1", ty)
    ty = re.sub(r"^Option<(.*)>$", r"\1", ty)
    if m := re.match(r"^Vec<(.*)>$", ty):
        inner = re.sub(r"^Option<(.*)>$", r"\1", m.group(1))
        if inner in structs:
            title = PLACES[inner][0]
            return f"list of tables ([{title.lower()}](#{_anchor(title)}))"
        word = _SCALARS[inner].replace("number or distribution", "numbers or distributions")
        word = {
            "string": "strings",
            "integer": "integers",
            "integer >= 0": "integers >= 0",
            "number": "numbers",
        }.get(word, word)
        return f"list of {word}"
    if ty in structs:
        title = PLACES[ty][0]
        return f"table ([{title.lower()}](#{_anchor(title)}))"
    return _SCALARS[ty]


def _anchor(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render() -> str:
    """The reference page in Markdown."""
    structs = rust_structs()
    dists = dist_keys()
    lines = [
        "# Scenario reference",
        "",
        "<!-- Generated by scripts/scenario_reference.py from "
        "crates/hrh-core/src/planning/scenario/doc.rs on every documentation build. -->",
        "",
        "A scenario is a TOML or JSON file, a JSON string or a Python dict (see "
        "[Planning](../guide/planning.md)). The core parses it with serde: an unknown key, a "
        "missing required key or a wrong type raises `hrh.ScenarioError` with the key's "
        "path (`cadres[1].attrition.rate`), and so does a value that breaks a rule below. "
        "Check a document without running it with `hrh.check_scenario`.",
        "",
        "This page is generated from the parser's own structs "
        "(`crates/hrh-core/src/planning/scenario/doc.rs`), so the keys, their types and "
        "whether they are required are those the parser reads; a test checks that every "
        "key is listed here and that the examples at the end, which use every key, pass "
        "`hrh.check_scenario`.",
        "",
        "## Numbers and distributions",
        "",
        "Any *number or distribution* is a plain number (fixed) or a table with `dist` "
        "and its parameters; a draw of the Monte Carlo takes one value from it, and the "
        "deterministic path (`draws=0`) takes its mean. A *number, distribution or table "
        "by region* is one of those for every region, or a table keyed by region name "
        '(`{ North = 1.2, South = 1.0 }`), where `"*"` gives the value of every region '
        "not named.",
        "",
        "| `dist` | keys | meaning |",
        "|---|---|---|",
    ]
    for kind, keys in dists.items():
        shown = ", ".join(f"`{k}`" for k in keys) if keys else "`values`"
        lines.append(f"| `{kind}` | {shown} | {DIST_HELP[kind]} |")
    lines += [
        "",
        "Every value must be finite and of size at most 1e12. A *rate* (a yearly "
        "probability) must stay in [0, 1] in every draw: use a beta, uniform, empirical or "
        "gamma distribution (a normal or log-normal rate is refused). A count or a "
        "multiplier must stay >= 0 (a normal is allowed when its mean is positive and is "
        "then cut at 0).",
        "",
    ]
    for struct, (title, where) in PLACES.items():
        lines += [f"## {title}", ""]
        lines.append("Where: " + ", ".join(f"`{w}`" for w in where) + ".")
        lines += [
            "",
            "| key | type | required / default | rule | description |",
            "|---|---|---|---|---|",
        ]
        for f in structs[struct]:
            note = NOTES[f"{struct}.{f.name}"]
            default, rule = note[0], note[1]
            desc = f.doc or (note[2] if len(note) > 2 else "")  # type: ignore[misc]
            need = "required" if f.required else f"default: {default}"
            lines.append(
                f"| `{f.name}` | {_cell(type_text(f, structs))} | {_cell(need)} | "
                f"{_cell(rule)} | {_cell(desc)} |"
            )
        lines.append("")
    lines += [
        "## Examples",
        "",
        "Each of these documents passes `hrh.check_scenario`; together they use every key "
        "above (the test suite checks both).",
        "",
    ]
    import json

    for label, doc in EXAMPLES.items():
        lines += [
            f"### {label.capitalize()}",
            "",
            "```json",
            json.dumps(doc, indent=1, ensure_ascii=False),
            "```",
            "",
        ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.stdout.write(render())
