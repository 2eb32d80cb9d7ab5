//! The compiled scenario: names resolved to indices, numbers to parameters, checked.

use crate::planning::param::Dist;

/// What a parameter may be.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Range {
    /// A probability in [0, 1].
    Rate,
    /// A count or multiplier >= 0.
    NonNegative,
    /// Any number (a growth rate above -1).
    Growth,
}

/// A parameter to sample once per draw.
#[derive(Clone, Debug)]
pub struct Param {
    pub dist: Dist,
    pub lower: f64,
    pub path: String,
}

/// Index into the parameter vector of a draw.
pub type P = usize;

/// A training programme, compiled.
#[derive(Clone, Debug)]
pub struct Programme {
    pub name: String,
    pub from: usize,
    pub to: usize,
    pub places: Vec<P>,
    pub duration: usize,
    pub return_rate: P,
    /// Highest age index eligible.
    pub max_age: usize,
    /// First post-training state of this programme.
    pub s_offset: usize,
    pub bond: usize,
    pub during: Option<P>,
    pub after_years: usize,
    pub after: Option<P>,
    pub cost_year: f64,
    pub cost_one_off: f64,
    /// Repaid by each trainee who leaves during the bond.
    pub buyout: f64,
}

/// Demand, compiled.
#[derive(Clone, Debug)]
pub enum Demand {
    None,
    /// Staff per `per` people (0.001 for a norm per 1,000) of the population, or of the
    /// age groups `groups` of the population table when given.
    Norm {
        rate: Vec<P>,
        per: f64,
        groups: Vec<usize>,
    },
    Quota(Vec<P>),
    ServiceUse {
        /// Visits per capita by region (empty with `by_age_group`).
        visits: Vec<P>,
        /// Visits per capita by age group of the population table: (group, parameter).
        by_age_group: Vec<(usize, P)>,
        hours: P,
        available: P,
    },
    Wisn(Vec<P>),
}

/// Entrants, compiled.
#[derive(Clone, Debug)]
pub struct Entrants {
    pub per_year: Vec<P>,
    pub growth: P,
    /// Per projected year `t` (index `t - 1`), entrants by region when scheduled.
    pub schedule: Vec<Option<Vec<P>>>,
    pub grade: usize,
    pub age_shares: Vec<f64>,
    /// Age indices `first..end` holding every nonzero share, and the shares' sum.
    pub share_span: (usize, usize),
    pub share_total: f64,
    /// Entrants capped by the vacant posts (demand minus staff before entrants).
    pub fill_vacancies: bool,
    /// The pre-service course: (years to graduate, completion rate).
    pub education: Option<(usize, P)>,
}

/// A cadre, compiled.
#[derive(Clone, Debug)]
pub struct Cadre {
    pub name: String,
    pub grades: Vec<String>,
    /// Post-training states: 0 = not recently trained, then one per bond / after-bond
    /// year of each programme.
    pub n_s: usize,
    /// Age index at which staff retire (ages at or above it are not in post).
    pub retire_idx: usize,
    pub death: P,
    pub attrition: Vec<P>,
    /// (first age index, rate) bands.
    pub by_age: Vec<(usize, P)>,
    pub grade_mult: Vec<P>,
    pub entrants: Option<Entrants>,
    pub programmes: Vec<Programme>,
    /// Promotions: (from grade, to grade, rate per region).
    pub promotions: Vec<(usize, usize, Vec<P>)>,
    pub demand: Demand,
    /// Demand per grade (empty unless the need is given by grade; then `demand` is
    /// `Demand::None` and the cadre's need is the sum).
    pub grade_demand: Vec<Demand>,
    /// Cost of a person-year in post, per grade.
    pub salary: Vec<f64>,
    /// Offset of this cadre's block inside a region's state.
    pub offset: usize,
    /// With more than one grade, the index of its first grade's output cell among a
    /// region's [`Model::n_cells`] (after the cadres' own cells).
    pub grade_cell0: Option<usize>,
}

impl Cadre {
    /// Cells in one region: grades x states x ages.
    pub fn size(&self, n_ages: usize) -> usize {
        self.grades.len() * self.n_s * n_ages
    }
}

/// A migration flow, compiled.
#[derive(Clone, Debug)]
pub struct Migration {
    pub cadre: Option<usize>,
    pub from: usize,
    pub to: usize,
    pub rate: P,
}

/// Population, compiled.
#[derive(Clone, Debug)]
pub enum Population {
    None,
    Growth { base: Vec<P>, growth: Vec<P> },
    Table(Vec<Vec<f64>>),
}

/// A cost item, compiled.
#[derive(Clone, Debug)]
pub struct Cost {
    pub item: String,
    pub kind: CostKind,
    pub cadre: Option<usize>,
    pub grade: Option<usize>,
    pub region: Option<usize>,
    pub amount: f64,
}

/// Kinds of cost.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum CostKind {
    PerPersonYear,
    OneOffPerEntrant,
    /// Per entrant the policy itself adds (`extra_entrants`), not the baseline's.
    OneOffPerExtraEntrant,
    /// Per trainee returning from training into the grade (retained after training).
    OneOffPerReturner,
    OneOffPerTrainee,
    PerTraineeYear,
    FixedPerYear,
}

/// A change made by a policy, compiled.
#[derive(Clone, Debug)]
pub struct Change {
    pub cadre: Option<usize>,
    pub grade: Option<usize>,
    pub region: Option<usize>,
    pub programme: Option<usize>,
    pub value: P,
}

/// A policy, compiled.
#[derive(Clone, Debug)]
pub struct Policy {
    pub name: String,
    pub from_year: i32,
    pub to_year: i32,
    /// Most years between a policy's action and its effect (students graduating), 0
    /// without `extra_students`.
    pub lag: usize,
    pub attrition_multiplier: Vec<Change>,
    pub migration_multiplier: Vec<Change>,
    pub training_places: Vec<Change>,
    pub extra_entrants: Vec<Change>,
    /// Students added to a pre-service course: entrants `duration` years later.
    pub extra_students: Vec<Change>,
    pub quota: Vec<Change>,
    pub costs: Vec<Cost>,
}

impl Policy {
    /// Whether the policy is in force in `year`.
    pub fn active(&self, year: i32) -> bool {
        year >= self.from_year && year <= self.to_year
    }
}

/// A checked scenario, ready to simulate.
#[derive(Clone, Debug)]
pub struct Model {
    pub name: String,
    pub currency: String,
    pub start_year: i32,
    pub horizon: usize,
    pub regions: Vec<String>,
    pub min_age: u32,
    pub n_ages: usize,
    pub cadres: Vec<Cadre>,
    /// Cells per region (sum of cadre sizes).
    pub region_size: usize,
    pub params: Vec<Param>,
    pub migration: Vec<Migration>,
    pub population: Population,
    /// Age groups of the population table (empty without), and the population per
    /// (region, year, group), row-major.
    pub age_groups: Vec<String>,
    pub pop_by_group: Vec<f64>,
    pub policies: Vec<Policy>,
    /// Starting stock, `regions x region_size`.
    pub stock: Vec<f64>,
    /// Output cells per region and year: one per cadre, then one per grade of each cadre
    /// with more than one grade.
    pub n_cells: usize,
}
