//! Demand: staff needed per region, cadre and year, from population norms, quotas,
//! service use or WISN.

use super::scenario::{Demand, Model, Population};

/// Population of region `r` in year `start_year + t` for the draw's parameter values `v`.
pub fn population(m: &Model, v: impl Fn(usize) -> f64, r: usize, t: usize) -> f64 {
    match &m.population {
        Population::None => f64::NAN,
        Population::Growth { base, growth } => v(base[r]) * (1.0 + v(growth[r])).powi(t as i32),
        Population::Table(tab) => tab[r][t],
    }
}

/// Staff needed for cadre `ci` in region `r` in year `start_year + t`: a policy quota
/// when one is in force, else the cadre's method (NaN without one):
/// - `norm`: per_1000 x population / 1,000;
/// - `quota`: the number;
/// - `service_use`: population x visits per capita x hours per visit / available hours;
/// - `wisn`: required staff x population(t) / population(start) (constant without a
///   population).
pub fn demand(
    m: &Model,
    v: impl Fn(usize) -> f64 + Copy,
    quota: Option<f64>,
    ci: usize,
    r: usize,
    t: usize,
) -> f64 {
    if let Some(q) = quota {
        return q;
    }
    let pop = || population(m, v, r, t);
    match &m.cadres[ci].demand {
        Demand::None => f64::NAN,
        Demand::Norm(k) => v(k[r]) * pop() / 1000.0,
        Demand::Quota(q) => v(q[r]),
        Demand::ServiceUse {
            visits,
            hours,
            available,
        } => pop() * v(visits[r]) * v(*hours) / v(*available),
        Demand::Wisn(req) => match m.population {
            Population::None => v(req[r]),
            _ => v(req[r]) * pop() / population(m, v, r, 0),
        },
    }
}
