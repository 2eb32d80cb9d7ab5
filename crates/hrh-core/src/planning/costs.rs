//! The costs of a projected year of one region's cadre, draw by draw: salaries by grade,
//! training, bond buy-outs repaid (a negative cost) and the costs of the policies switched
//! on. Each is added to the sums over draws per (year, region, cadre, item) and to every
//! draw's own total per (year, cadre, item), from which `compare` pairs policies draw by draw.

use super::lanes::{L, X};
use super::supply::{Ctx, Out};
use crate::planning::scenario::CostKind;

/// Cost items of a projection before the policies' own items: the salaries, then, when a
/// cadre has training programmes, training and buy-outs.
pub const BASE_ITEMS: [&str; 3] = ["salary", "training", "bond_buyout"];
const SALARY: usize = 0;
const TRAINING: usize = 1;
const BUYOUT: usize = 2;

/// A cadre's staff and flows by grade in a year, the numbers its costs follow from.
pub(crate) struct ByGrade<'a> {
    pub(crate) start: &'a [X],
    pub(crate) end: &'a [X],
    pub(crate) entrants: &'a [X],
    pub(crate) returns: &'a [X],
    pub(crate) sent: &'a [X],
    pub(crate) in_training: X,
}

/// What a region's cadre cost in one projected year: by grade, and the year's training
/// cost and buy-outs repaid.
pub(crate) struct CadreYear<'a> {
    pub(crate) by: ByGrade<'a>,
    pub(crate) training: X,
    pub(crate) buyout: X,
}

/// Where one block's costs go.
pub(crate) struct CostSink<'a, 'o> {
    /// Sums over draws of this region's cadre's items in the year (`n_items` numbers).
    pub(crate) row: &'a mut [f64],
    pub(crate) out: &'a mut Out<'o>,
    /// Projected year (1-based) and cadre.
    pub(crate) t: usize,
    pub(crate) ci: usize,
    pub(crate) valid: usize,
    pub(crate) n_cadres: usize,
}

impl CostSink<'_, '_> {
    #[inline(always)]
    fn add(&mut self, n_items: usize, item: usize, x: X) {
        self.row[item] += x.sum_lanes(self.valid);
        let o = (((self.t - 1) * self.n_cadres + self.ci) * n_items + item) * self.out.stride
            + self.out.at;
        for (a, b) in self.out.costs[o..o + L].iter_mut().zip(x.0) {
            *a += b;
        }
    }
}

/// The costs of region `r`'s cadre `ci` in the sink's year: salaries (each grade's salary
/// times its staff in post, the mean of the year's start and end), training and
/// buy-outs, then the costs of the policies in force. (Inlined into the year's step, so
/// that it takes the step's vector instructions.)
#[inline(always)]
pub(crate) fn cadre_costs(
    cx: &Ctx,
    v: &[X],
    (ci, r): (usize, usize),
    y: &CadreYear,
    sink: &mut CostSink,
) {
    let m = cx.m;
    let c = &m.cadres[ci];
    let ni = cx.n_items;
    let by = &y.by;
    let mut salary = X::ZERO;
    for ((&s, &e), &pay) in by.start.iter().zip(by.end).zip(&c.salary) {
        salary += (0.5 * pay) * (s + e);
    }
    sink.add(ni, SALARY, salary);
    if !c.programmes.is_empty() {
        sink.add(ni, TRAINING, y.training);
        sink.add(ni, BUYOUT, X::ZERO - y.buyout);
    }
    let year = m.start_year + sink.t as i32;
    let nc = m.cadres.len();
    for (&pi, cost_item) in cx.policies.iter().zip(cx.item_of) {
        let p = &m.policies[pi];
        if !p.active(year) {
            continue;
        }
        for (cost, &item) in p.costs.iter().zip(cost_item) {
            if cost.cadre.is_some_and(|x| x != ci) || cost.region.is_some_and(|x| x != r) {
                continue;
            }
            let in_grade = |of: &[X]| match cost.grade {
                Some(gi) => of[gi],
                None => X::sum(of),
            };
            let amount = match cost.kind {
                // Staff in post, averaged over the start and end of the year.
                CostKind::PerPersonYear => {
                    (0.5 * cost.amount) * (in_grade(by.start) + in_grade(by.end))
                }
                CostKind::OneOffPerEntrant => {
                    cost.amount * (in_grade(by.entrants) + in_grade(by.returns))
                }
                CostKind::OneOffPerReturner => cost.amount * in_grade(by.returns),
                // The entrants this policy adds (expected numbers), at the grade they
                // join: the one named by the change, else the cadre's entrant grade.
                CostKind::OneOffPerExtraEntrant => {
                    let entry = c.entrants.as_ref().map_or(0, |e| e.grade);
                    let mut n = X::ZERO;
                    for ch in &p.extra_entrants {
                        if ch.cadre == Some(ci)
                            && ch.region.is_none_or(|x| x == r)
                            && cost.grade.is_none_or(|g| ch.grade.unwrap_or(entry) == g)
                        {
                            n += v[ch.value];
                        }
                    }
                    cost.amount * n
                }
                CostKind::OneOffPerTrainee => cost.amount * in_grade(by.sent),
                CostKind::PerTraineeYear => cost.amount * by.in_training,
                CostKind::FixedPerYear => {
                    let ncad = if cost.cadre.is_some() { 1 } else { nc };
                    let nreg = if cost.region.is_some() {
                        1
                    } else {
                        m.regions.len()
                    };
                    X::splat(cost.amount / (nreg * ncad) as f64)
                }
            };
            sink.add(ni, item, amount);
        }
    }
}
