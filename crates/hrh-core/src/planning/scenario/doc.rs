//! The scenario document's schema: what serde reads from JSON (unknown keys and wrong
//! types are rejected with the key's path).

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use crate::planning::param::{ByRegion, Dist};

/// The top of a scenario document.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioDoc {
    /// A label for reports.
    #[serde(default)]
    pub name: Option<String>,
    /// Currency label for costs.
    #[serde(default)]
    pub currency: Option<String>,
    /// The year of the starting stock.
    pub start_year: i32,
    /// Number of years projected after `start_year`.
    pub horizon: u32,
    /// Region names.
    pub regions: Vec<String>,
    /// Youngest age tracked (default 18).
    #[serde(default = "default_min_age")]
    pub min_age: u32,
    /// Cadres and their grades, flows and demand.
    pub cadres: Vec<CadreDoc>,
    /// Starting stock, one record per region, cadre, grade and (optionally) age: a list
    /// of records, or an object of columns `region`, `cadre`, `count` and optionally
    /// `grade` and `age` (row `i` of the columns is record `i`).
    #[serde(default, deserialize_with = "stock_rows")]
    pub stock: Vec<StockRow>,
    /// Migration between regions: annual share of a region's staff moving to another.
    #[serde(default)]
    pub migration: Vec<MigrationDoc>,
    /// Population, for demand.
    #[serde(default)]
    pub population: Option<PopulationDoc>,
    /// Named policies that a simulation can switch on.
    #[serde(default)]
    pub policies: Vec<PolicyDoc>,
}

fn default_min_age() -> u32 {
    18
}

/// One cadre.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CadreDoc {
    pub name: String,
    /// Grades from lowest to highest (default: one grade, "all").
    #[serde(default)]
    pub grades: Option<Vec<String>>,
    /// Age at which everyone still in post retires.
    pub retirement_age: u32,
    /// Annual probability of death in service (default 0).
    #[serde(default)]
    pub death_rate: Option<Dist>,
    /// Annual probability of leaving for any other reason.
    pub attrition: AttritionDoc,
    /// New staff per year.
    #[serde(default)]
    pub entrants: Option<EntrantsDoc>,
    /// Training programmes that move staff up a grade.
    #[serde(default)]
    pub training: Vec<TrainingDoc>,
    /// Promotions between grades without training (e.g. from `hrh.transitions`).
    #[serde(default)]
    pub promotions: Vec<PromotionDoc>,
    /// How need for this cadre is computed.
    #[serde(default)]
    pub demand: Option<DemandDoc>,
    /// Need by grade instead: one demand per grade (each with its `grade`), every grade
    /// once; the cadre's need is their sum, and shortages are counted per grade.
    #[serde(default)]
    pub demand_by_grade: Vec<DemandDoc>,
    /// Cost of one person-year in post (default 0): one number, or one per grade
    /// (`{ general = 120, specialist_1 = 180 }`, every grade named).
    #[serde(default)]
    pub salary: SalaryDoc,
    /// Age profile used to spread stock records given without an age.
    #[serde(default)]
    pub stock_age: Option<AgeDoc>,
}

/// Attrition hazard of a cadre.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttritionDoc {
    /// Annual probability of leaving (all ages unless `by_age` says otherwise).
    pub rate: ByRegion,
    /// Rates for age bands: each applies from its `from` age up to the next band.
    #[serde(default)]
    pub by_age: Vec<AgeRate>,
    /// Multiplier of the hazard per grade (default 1 for every grade).
    #[serde(default)]
    pub grade_multipliers: Option<Vec<Dist>>,
}

/// An attrition rate from an age on.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgeRate {
    pub from: u32,
    pub rate: Dist,
}

/// Inflow of new staff.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntrantsDoc {
    /// Entrants per year in the first projected year.
    pub per_year: ByRegion,
    /// Annual growth of the number of entrants (default 0).
    #[serde(default)]
    pub growth: Option<Dist>,
    /// Grade at entry (default the first).
    #[serde(default)]
    pub grade: Option<String>,
    /// Age of entrants.
    pub age: AgeDoc,
    /// Entrants in given years (e.g. a graduating class already known), replacing
    /// `per_year` with its growth in those years.
    #[serde(default)]
    pub schedule: Vec<ScheduledEntrants>,
    /// Hire only into vacant posts: each year's entrants are the graduates available
    /// (`per_year`, or the schedule, plus a policy's extra entrants) capped by the posts
    /// left vacant after the year's exits, so that staff never exceed the quota through
    /// hiring. Needs demand by quota.
    #[serde(default)]
    pub fill_vacancies: bool,
    /// The pre-service course that produces these entrants, for policies that add
    /// students (`extra_students`): they graduate `duration` years after they start, a
    /// share `completion_rate` of them.
    #[serde(default)]
    pub education: Option<EducationDoc>,
}

/// A pre-service course.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EducationDoc {
    /// Years from starting the course to joining as an entrant (at least 1).
    pub duration: u32,
    /// Share of students who complete and join (default 1).
    #[serde(default)]
    pub completion_rate: Option<Dist>,
}

/// Entrants in one year.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduledEntrants {
    pub year: i32,
    pub value: ByRegion,
}

/// An age distribution: one age, a discretised normal, or shares by age.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgeDoc {
    #[serde(default)]
    pub mean: Option<f64>,
    #[serde(default)]
    pub sd: Option<f64>,
    #[serde(default)]
    pub ages: Option<Vec<u32>>,
    #[serde(default)]
    pub shares: Option<Vec<f64>>,
}

/// A training programme: staff of `from_grade` leave for `duration` years and come back
/// at `to_grade` with probability `return_rate`, then serve a bond.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainingDoc {
    /// Name used by policies (default `"<from_grade>-><to_grade>"`).
    #[serde(default)]
    pub name: Option<String>,
    pub from_grade: String,
    /// A grade above `from_grade` in the cadre's order (a lower one only with
    /// `to_lower_grade`).
    pub to_grade: String,
    /// Declare a programme that ends at a lower grade than it starts from (e.g.
    /// retraining into another track listed lower).
    #[serde(default)]
    pub to_lower_grade: bool,
    /// Staff sent per year (capped by the eligible stock).
    pub places: ByRegion,
    /// Years away.
    pub duration: u32,
    /// Probability of coming back (default 1).
    #[serde(default)]
    pub return_rate: Option<Dist>,
    /// Oldest age at which staff are sent (default: retirement age - duration - 2, so that
    /// everyone returns before retiring).
    #[serde(default)]
    pub max_age: Option<u32>,
    /// Years of bonded service after return (default 0).
    #[serde(default)]
    pub bond_years: u32,
    /// Annual attrition during the bond (default: the cadre's attrition).
    #[serde(default)]
    pub rate_during_bond: Option<Dist>,
    /// Years after the bond ends with a different attrition rate (default 0).
    #[serde(default)]
    pub years_after_bond: u32,
    /// Annual attrition in the years after the bond.
    #[serde(default)]
    pub rate_after_bond: Option<Dist>,
    /// Cost per trainee per year away.
    #[serde(default)]
    pub cost_per_trainee_year: f64,
    /// One-off cost per trainee sent.
    #[serde(default)]
    pub cost_one_off: f64,
    /// Repaid by each trainee who leaves during the bond (a negative cost, item
    /// `bond_buyout`).
    #[serde(default)]
    pub buyout: f64,
}

/// A salary: one amount for every grade, or one per grade.
#[derive(Debug, Deserialize)]
#[serde(
    untagged,
    expecting = "a number, or a table of numbers by grade such as { general = 120, specialist_1 = 180 }"
)]
pub enum SalaryDoc {
    All(f64),
    ByGrade(std::collections::BTreeMap<String, f64>),
}

impl Default for SalaryDoc {
    fn default() -> Self {
        SalaryDoc::All(0.0)
    }
}

/// A promotion: each year `rate` of the staff of `from_grade` who stay (after deaths and
/// attrition) move to `to_grade`, at the same age.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PromotionDoc {
    pub from_grade: String,
    pub to_grade: String,
    pub rate: ByRegion,
}

/// Demand for a cadre.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemandDoc {
    /// `norm` (staff per 1,000 population), `quota` (a fixed number), `service_use`
    /// (visits per capita x hours per visit / available hours; the visits per capita
    /// either by region, or by age group with a population table by age group) or `wisn`
    /// (required staff in the start year, from `hrh.wisn`, growing with population when
    /// one is given).
    pub method: String,
    /// The grade this demand is for (in `demand_by_grade` only).
    #[serde(default)]
    pub grade: Option<String>,
    #[serde(default)]
    pub per_1000: Option<ByRegion>,
    /// A norm per 100,000 population instead of per 1,000.
    #[serde(default)]
    pub per_100000: Option<ByRegion>,
    /// A norm against a target population: the age groups of the population table it
    /// counts (children for paediatricians, women 15-49 for obstetric staff).
    #[serde(default)]
    pub age_groups: Option<Vec<String>>,
    #[serde(default)]
    pub quota: Option<ByRegion>,
    #[serde(default)]
    pub visits_per_capita: Option<ByRegion>,
    /// Visits per person per year in each age group of the population table.
    #[serde(default)]
    pub visits_by_age_group: Option<std::collections::BTreeMap<String, Dist>>,
    #[serde(default)]
    pub hours_per_visit: Option<Dist>,
    #[serde(default)]
    pub available_hours: Option<Dist>,
    #[serde(default)]
    pub required: Option<ByRegion>,
}

/// A stock record.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StockRow {
    pub region: String,
    pub cadre: String,
    #[serde(default)]
    pub grade: Option<String>,
    #[serde(default)]
    pub age: Option<u32>,
    pub count: f64,
}

/// The stock as columns.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StockColumns {
    region: Vec<String>,
    cadre: Vec<String>,
    #[serde(default)]
    grade: Option<Vec<Option<String>>>,
    #[serde(default)]
    age: Option<Vec<Option<u32>>>,
    count: Vec<f64>,
}

/// Stock records from a list of records or from columns.
fn stock_rows<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Vec<StockRow>, D::Error> {
    struct Rows;
    impl<'de> Visitor<'de> for Rows {
        type Value = Vec<StockRow>;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a list of stock records, or columns region, cadre, count [, grade, age]")
        }

        fn visit_seq<A: SeqAccess<'de>>(
            self,
            mut seq: A,
        ) -> std::result::Result<Self::Value, A::Error> {
            let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1 << 20));
            while let Some(row) = seq.next_element()? {
                out.push(row);
            }
            Ok(out)
        }

        fn visit_map<A: MapAccess<'de>>(
            self,
            map: A,
        ) -> std::result::Result<Self::Value, A::Error> {
            let c = StockColumns::deserialize(de::value::MapAccessDeserializer::new(map))?;
            let n = c.count.len();
            let lens = [
                ("region", c.region.len()),
                ("cadre", c.cadre.len()),
                ("grade", c.grade.as_ref().map_or(n, Vec::len)),
                ("age", c.age.as_ref().map_or(n, Vec::len)),
            ];
            if let Some((name, len)) = lens.iter().find(|(_, len)| *len != n) {
                return Err(de::Error::custom(format!(
                    "column '{name}' has {len} values but 'count' has {n}"
                )));
            }
            let mut grade = c.grade.map(Vec::into_iter);
            let mut age = c.age.map(Vec::into_iter);
            Ok(c.region
                .into_iter()
                .zip(c.cadre)
                .zip(c.count)
                .map(|((region, cadre), count)| StockRow {
                    region,
                    cadre,
                    grade: grade.as_mut().and_then(|g| g.next().flatten()),
                    age: age.as_mut().and_then(|a| a.next().flatten()),
                    count,
                })
                .collect())
        }
    }
    d.deserialize_any(Rows)
}

/// A migration flow.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MigrationDoc {
    /// Cadre (default: every cadre).
    #[serde(default)]
    pub cadre: Option<String>,
    pub from: String,
    pub to: String,
    /// Annual share of `from`'s staff moving to `to`.
    pub rate: Dist,
}

/// Population: a base with growth, or a table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PopulationDoc {
    #[serde(default)]
    pub base: Option<ByRegion>,
    #[serde(default)]
    pub growth: Option<ByRegion>,
    #[serde(default)]
    pub table: Vec<PopulationRow>,
}

/// A population record.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PopulationRow {
    pub region: String,
    pub year: i32,
    /// Age group (all rows or none): the population of the region and year is the sum
    /// over its groups.
    #[serde(default)]
    pub age_group: Option<String>,
    pub population: f64,
}

/// A named policy.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyDoc {
    pub name: String,
    /// First year the policy acts on (default start_year + 1).
    #[serde(default)]
    pub from_year: Option<i32>,
    /// Last year the policy acts on (default: to the end of the projection).
    #[serde(default)]
    pub to_year: Option<i32>,
    /// Multiply attrition (e.g. 0.8 for an incentive that cuts it by a fifth).
    #[serde(default)]
    pub attrition_multiplier: Vec<ChangeDoc>,
    /// Multiply migration out of a region (`region` = origin; default every region).
    #[serde(default)]
    pub migration_multiplier: Vec<ChangeDoc>,
    /// Replace the places of a training programme.
    #[serde(default)]
    pub training_places: Vec<ChangeDoc>,
    /// Add entrants per year.
    #[serde(default)]
    pub extra_entrants: Vec<ChangeDoc>,
    /// Add students per year to a cadre's pre-service course (`entrants.education`):
    /// those who complete join as entrants `duration` years after they start.
    #[serde(default)]
    pub extra_students: Vec<ChangeDoc>,
    /// Replace the quota (demand method `quota`) or set the demand to a number.
    #[serde(default)]
    pub quota: Vec<ChangeDoc>,
    /// What the policy costs.
    #[serde(default)]
    pub costs: Vec<CostDoc>,
}

/// One change made by a policy.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangeDoc {
    #[serde(default)]
    pub cadre: Option<String>,
    #[serde(default)]
    pub grade: Option<String>,
    #[serde(default)]
    pub region: Option<String>,
    #[serde(default)]
    pub programme: Option<String>,
    pub value: Dist,
}

/// A cost of a policy.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CostDoc {
    /// Label in the cost table.
    pub item: String,
    /// `per_person_year` (staff in post), `one_off_per_entrant` (entrants and training
    /// returners arriving in the grade), `one_off_per_extra_entrant` (only the entrants
    /// this policy adds with `extra_entrants`: those it attracts), `one_off_per_returner`
    /// (trainees returning into the grade: those retained after training),
    /// `one_off_per_trainee`, `per_trainee_year`, `fixed_per_year`.
    pub kind: String,
    #[serde(default)]
    pub cadre: Option<String>,
    #[serde(default)]
    pub grade: Option<String>,
    /// Region (default: every region).
    #[serde(default)]
    pub region: Option<String>,
    pub amount: f64,
}
