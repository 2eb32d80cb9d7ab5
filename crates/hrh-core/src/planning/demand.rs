//! Demand: staff needed per region, cadre (or grade) and year, from population norms, quotas,
//! service use or WISN, for a block of draws.

use super::lanes::X;
use super::scenario::{Demand, Model, Population};

/// Population of region `r` in year `start_year + t` for the draws' parameters `v`, where
/// `factor` is the growth `(1 + growth)^t` so far (see [`growth`]).
#[inline(always)]
pub fn population(m: &Model, v: &[X], r: usize, t: usize, factor: X) -> X {
    match &m.population {
        Population::None => X::splat(f64::NAN),
        Population::Growth { base, .. } => v[base[r]] * factor,
        Population::Table(tab) => X::splat(tab[r][t]),
    }
}

/// One year's population growth factor `1 + growth` of region `r` (1 without growth).
#[inline(always)]
pub fn growth(m: &Model, v: &[X], r: usize) -> X {
    match &m.population {
        Population::Growth { growth, .. } => 1.0 + v[growth[r]],
        _ => X::ONE,
    }
}

/// Staff needed by demand `d` in region `r` (NaN without a method), given the
/// population `pop` of year `start_year + t` and `pop0` of the start year:
/// - `norm`: per_1000 x population x 0.001 (per_100000 x population x 0.00001), the
///   population being that of the target age groups when the norm names them;
/// - `quota`: the number;
/// - `service_use`: population x visits per capita x hours per visit / available hours,
///   or with visits by age group, the sum over age groups of population x visits, times
///   hours per visit / available hours;
/// - `wisn`: required staff x population(t) / population(start) (constant without a
///   population).
///
/// A policy quota in force replaces it (see `supply::put_year`).
#[inline(always)]
pub fn demand(m: &Model, d: &Demand, v: &[X], r: usize, t: usize, pop: X, pop0: X) -> X {
    match d {
        Demand::None => X::splat(f64::NAN),
        Demand::Norm { rate, per, groups } => {
            let base = if groups.is_empty() {
                pop
            } else {
                let ng = m.age_groups.len();
                let at = (r * (m.horizon + 1) + t) * ng;
                X::splat(groups.iter().map(|&g| m.pop_by_group[at + g]).sum())
            };
            v[rate[r]] * base * X::splat(*per)
        }
        Demand::Quota(q) => v[q[r]],
        Demand::ServiceUse {
            visits,
            by_age_group,
            hours,
            available,
        } => {
            if by_age_group.is_empty() {
                pop * v[visits[r]] * v[*hours] / v[*available]
            } else {
                let ng = m.age_groups.len();
                let at = (r * (m.horizon + 1) + t) * ng;
                let mut uses = X::ZERO;
                for &(g, p) in by_age_group {
                    uses += X::splat(m.pop_by_group[at + g]) * v[p];
                }
                uses * v[*hours] / v[*available]
            }
        }
        Demand::Wisn(req) => match m.population {
            Population::None => v[req[r]],
            _ => v[req[r]] * pop / pop0,
        },
    }
}
