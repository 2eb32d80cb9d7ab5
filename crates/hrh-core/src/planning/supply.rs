//! The yearly stock-and-flow model of one group of regions (regions linked by
//! migration) for a block of [`L`] draws, with its costs.
//!
//! Each projected year applies, per region, cadre, grade, post-training state and single
//! year of age, in this order:
//!
//! 1. deaths `N x death_rate`, then attrition `(N - deaths) x hazard` (the hazard of the
//!    age band, times the grade multiplier and any policy multiplier, capped at 1; staff in
//!    their bond or after-bond years use the programme's rates);
//! 2. promotions: each moves its share of the staff of a grade (who stay) to another
//!    grade at the same age (the shares out of a grade capped at 1); then training: each
//!    programme sends `min(places, eligible)` staff of its grade and of eligible age,
//!    taken in proportion from every eligible cell;
//! 3. migration: each flow moves its share of the origin's remaining staff;
//! 4. ageing by one year; those reaching the retirement age retire; trainees whose course
//!    ends come back at the higher grade (`return_rate`; the rest are lost);
//! 5. entrants (`per_year x (1 + growth)^(t - 1)`, or the scheduled number for the year,
//!    plus policy extras) join at their ages.
//!
//! So `stock_end = stock_start - deaths - attrition - to_training - out_migration +
//! in_migration - retirements + returns + entrants` in every year, region and cadre
//! (promotions move staff between grades of a cadre).

use std::ops::Range;

use super::costs::{cadre_costs, ByGrade, CadreYear, CostSink};
use super::demand::{demand, growth, population};
use super::general::General;
use super::lanes::{L, X};
use super::scenario::Demand;
use super::scenario::{Cadre, Change, Model};
use crate::rng::Rng;

use super::flows::{F_ATTRITION, F_DEATHS, F_END, F_ENTRANTS, F_RETIRE, F_START, NF};

/// Regions that exchange staff (a connected part of the migration graph), projected
/// together; all other regions are independent of them.
#[derive(Clone, Debug)]
pub(crate) struct Group {
    /// Region indices, ascending.
    pub regions: Vec<usize>,
    /// Migration flows inside the group: (index in `Model::migration`, local origin,
    /// local destination), in scenario order.
    pub migration: Vec<(usize, usize, usize)>,
    /// Parameters used by these regions alone.
    pub local: Vec<usize>,
}

/// What does not change from block to block.
pub(crate) struct Ctx<'a> {
    pub m: &'a Model,
    pub policies: &'a [usize],
    /// Number of cost items, and per chosen policy the item index of each of its costs.
    pub n_items: usize,
    pub item_of: &'a [Vec<usize>],
    /// Per projected year `t` (index `t`), whether the active policies differ from year
    /// `t - 1`.
    pub changes: &'a [bool],
    /// The projected years cut where the active policies change: runs of years with the
    /// same policy settings.
    pub runs: &'a [Range<usize>],
    pub gmax: usize,
    pub pmax: usize,
    pub dmax: usize,
    /// Whether the processor has AVX2 (for the parts compiled twice).
    pub avx2: bool,
    /// Per cadre: whether a policy switched on brings entrants in at a named grade (such
    /// cadres take the general step).
    pub grade_entry: Vec<bool>,
    /// Run every cadre on the general step (see [`Options::general_only`](super::simulate::Options)).
    pub general_only: bool,
    /// Output cells per region and year: [`Model::n_cells`](super::scenario::Model), then
    /// one for the population when densities are asked for.
    pub n_cells: usize,
    /// Whether the last cell of a region and year holds its population (supply) and an
    /// unknown demand.
    pub population_cell: bool,
    /// Project the staff in post at the horizon through the years after it (see
    /// [`after_horizon`]).
    pub horizon_value: bool,
    /// Whether any cost can be nonzero (a salary, a programme's cost or buy-out, a cost
    /// of a policy switched on); else costs are not computed.
    pub costs_live: bool,
}

impl Ctx<'_> {
    /// Output numbers per block: (supply and demand cells, flow cells, cost cells).
    pub fn sizes(&self, k: usize) -> (usize, usize, usize) {
        let nc = self.m.cadres.len();
        let h = self.m.horizon;
        (
            (h + 1) * k * self.n_cells,
            h * k * nc * NF,
            h * k * nc * self.n_items,
        )
    }
}

/// Takes a share of a count: its expected value, or a binomial draw of whole people (one
/// generator per lane).
pub(crate) struct Flow {
    pub rngs: Option<Vec<Rng>>,
}

impl Flow {
    #[inline(always)]
    pub(crate) fn take(&mut self, n: X, p: X) -> X {
        match &mut self.rngs {
            None => n * p,
            Some(rngs) => {
                let mut out = X::ZERO;
                for (l, rng) in rngs.iter_mut().enumerate() {
                    out.0[l] =
                        rng.binomial(n.0[l].round().max(0.0) as u64, p.0[l].clamp(0.0, 1.0)) as f64;
                }
                out
            }
        }
    }

    /// A number of people: unchanged, or rounded at random to an integer with the same mean.
    #[inline(always)]
    pub(crate) fn whole(&mut self, x: X) -> X {
        match &mut self.rngs {
            None => x,
            Some(rngs) => {
                let mut out = x;
                for (o, rng) in out.0.iter_mut().zip(rngs.iter_mut()) {
                    let f = o.floor();
                    *o = f + f64::from(u8::from(rng.uniform() < *o - f));
                }
                out
            }
        }
    }

    /// Split `n` people over `shares` (summing to 1): in proportion, or multinomially.
    #[inline(always)]
    pub(crate) fn split(&mut self, n: X, shares: &[f64], out: &mut [X]) {
        let Some(rngs) = &mut self.rngs else {
            for (o, &s) in out.iter_mut().zip(shares) {
                *o += n * X::splat(s);
            }
            return;
        };
        for (l, rng) in rngs.iter_mut().enumerate() {
            let mut left = n.0[l];
            let mut rest = 1.0;
            for (o, &s) in out.iter_mut().zip(shares) {
                if left <= 0.0 || rest <= 0.0 {
                    break;
                }
                let k = if s >= rest {
                    left
                } else {
                    rng.binomial(left.round().max(0.0) as u64, (s / rest).clamp(0.0, 1.0)) as f64
                };
                o.0[l] += k;
                left -= k;
                rest -= s;
            }
        }
    }
}

/// Policy settings in force in a year, per (cadre, local region[, grade or programme]).
#[derive(Default)]
pub(crate) struct Year {
    /// Per (cadre, local region, grade).
    pub(crate) att_mult: Vec<X>,
    /// Per (cadre, local origin, grade).
    pub(crate) mig_mult: Vec<X>,
    pub(crate) places: Vec<X>,
    /// Extra entrants at the cadre's entrant grade, per (cadre, local region).
    pub(crate) extra: Vec<X>,
    /// Extra entrants at a named grade, per (cadre, local region, grade).
    pub(crate) extra_grade: Vec<X>,
    /// A quota replacing the cadre's demand, per (cadre, local region).
    pub(crate) quota: Vec<Option<X>>,
    /// A quota replacing a grade's demand, per (cadre, local region, grade).
    pub(crate) grade_quota: Vec<Option<X>>,
}

impl Year {
    fn set(&mut self, cx: &Ctx, g: &Group, v: &[X], year: i32) {
        let m = cx.m;
        let k = g.regions.len();
        let nc = m.cadres.len();
        let (gmax, pmax) = (cx.gmax, cx.pmax);
        self.att_mult.clear();
        self.att_mult.resize(nc * k * gmax, X::ONE);
        self.mig_mult.clear();
        self.mig_mult.resize(nc * k * gmax, X::ONE);
        self.extra.clear();
        self.extra.resize(nc * k, X::ZERO);
        self.extra_grade.clear();
        self.extra_grade.resize(nc * k * gmax, X::ZERO);
        self.quota.clear();
        self.quota.resize(nc * k, None);
        self.grade_quota.clear();
        self.grade_quota.resize(nc * k * gmax, None);
        self.places.clear();
        self.places.resize(nc * pmax * k, X::ZERO);
        for (ci, c) in m.cadres.iter().enumerate() {
            for (pi, p) in c.programmes.iter().enumerate() {
                for (ri, &r) in g.regions.iter().enumerate() {
                    self.places[(ci * pmax + pi) * k + ri] = v[p.places[r]];
                }
            }
        }
        // Changes that apply to cadre `ci` and global region `r`.
        let applies = |cadre: Option<usize>, region: Option<usize>, ci: usize, r: usize| {
            cadre.is_none_or(|c| c == ci) && region.is_none_or(|x| x == r)
        };
        for &pi in cx.policies {
            let p = &m.policies[pi];
            // Students who started a course while the policy was in force graduate now.
            for ch in &p.extra_students {
                let Some((ci, Some((duration, done)))) = ch
                    .cadre
                    .map(|ci| (ci, m.cadres[ci].entrants.as_ref().and_then(|e| e.education)))
                else {
                    continue;
                };
                if !p.active(year - duration as i32) {
                    continue;
                }
                for (ri, &r) in g.regions.iter().enumerate() {
                    if ch.region.is_none_or(|x| x == r) {
                        self.extra[ci * k + ri] += v[ch.value] * v[done];
                    }
                }
            }
            if !p.active(year) {
                continue;
            }
            for ci in 0..nc {
                for (ri, &r) in g.regions.iter().enumerate() {
                    let at = ci * k + ri;
                    // Multipliers of every grade, or of the one named.
                    fn grades(ch: &Change, n: usize) -> impl Iterator<Item = usize> + '_ {
                        (0..n).filter(move |&gi| ch.grade.is_none_or(|x| x == gi))
                    }
                    let ng = m.cadres[ci].grades.len();
                    for ch in &p.migration_multiplier {
                        if applies(ch.cadre, ch.region, ci, r) {
                            for gi in grades(ch, ng) {
                                self.mig_mult[at * gmax + gi] *= v[ch.value];
                            }
                        }
                    }
                    for ch in &p.attrition_multiplier {
                        if applies(ch.cadre, ch.region, ci, r) {
                            for gi in grades(ch, ng) {
                                self.att_mult[at * gmax + gi] *= v[ch.value];
                            }
                        }
                    }
                    for ch in &p.training_places {
                        if let (Some(c), Some(pr)) = (ch.cadre, ch.programme) {
                            if c == ci && ch.region.is_none_or(|x| x == r) {
                                self.places[(ci * pmax + pr) * k + ri] = v[ch.value];
                            }
                        }
                    }
                    for ch in &p.extra_entrants {
                        if ch.cadre == Some(ci) && ch.region.is_none_or(|x| x == r) {
                            match ch.grade {
                                Some(gi) => self.extra_grade[at * gmax + gi] += v[ch.value],
                                None => self.extra[at] += v[ch.value],
                            }
                        }
                    }
                    for ch in &p.quota {
                        if ch.cadre == Some(ci) && ch.region.is_none_or(|x| x == r) {
                            match ch.grade {
                                Some(gi) => self.grade_quota[at * gmax + gi] = Some(v[ch.value]),
                                None => self.quota[at] = Some(v[ch.value]),
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Working buffers of one worker, reused from block to block.
#[derive(Default)]
pub(crate) struct Scratch {
    /// Parameter values of the block's draws (only the group's parameters are set).
    pub v: Vec<X>,
    cur: Vec<X>,
    mid: Vec<X>,
    /// Per (region, cadre, programme): `dmax x n_ages` trainees by years left and age.
    pipes: Vec<X>,
    start_grade: Vec<X>,
    sent_p: Vec<X>,
    returning: Vec<X>,
    haz: Vec<X>,
    /// Per (region, cadre, grade, age): the hazard times the grade and policy
    /// multipliers, capped at 1.
    hzt: Vec<X>,
    /// The same cells: the share who stay a year, `(1 - death rate) x (1 - hazard)`.
    surv: Vec<X>,
    /// Per (region, cadre, grade): the stock at the end of the year just projected.
    end_grade: Vec<X>,
    out_share: Vec<X>,
    /// Population by (region, year).
    pops: Vec<X>,
    ent_factor: Vec<X>,
    by_grade: [Vec<X>; 4],
    /// Per (region, cadre): buy-outs repaid in the year.
    buyout: Vec<X>,
    year: Year,
    /// Flows and costs summed over the draws of this and earlier blocks (the caller
    /// sizes and zeroes them).
    pub flows: Vec<f64>,
    pub costs: Vec<f64>,
}

fn sized(v: &mut Vec<X>, n: usize) {
    v.clear();
    v.resize(n, X::ZERO);
}

impl Scratch {
    pub fn new(n_params: usize) -> Self {
        Scratch {
            v: vec![X::splat(f64::NAN); n_params],
            ..Default::default()
        }
    }
}

/// Post-training states: the state after `s` next year and, for bond or after-bond
/// states, the parameter of the rate that replaces the hazard.
pub(crate) fn bond_state(c: &Cadre, s: usize) -> Option<(usize, Option<usize>)> {
    if s == 0 {
        return None;
    }
    c.programmes
        .iter()
        .find(|p| s >= p.s_offset && s < p.s_offset + p.bond + p.after_years)
        .map(|p| {
            let end = p.s_offset + p.bond + p.after_years;
            let next = if s + 1 < end { s + 1 } else { 0 };
            let rate = if s - p.s_offset < p.bond {
                p.during
            } else {
                p.after
            };
            (next, rate)
        })
}

/// Where a block's supply, demand and costs go: lane `l` of cell `i` (the layout of
/// [`Ctx::sizes`]) at `i * stride + at + l`.
pub(crate) struct Out<'a> {
    pub supply: &'a mut [f64],
    pub demand: &'a mut [f64],
    /// Each draw's costs per (projected year - 1, cadre, item), the same stride.
    pub costs: &'a mut [f64],
    /// With [`Ctx::horizon_value`], each draw's expected person-years in post of the
    /// staff at the horizon, and their salaries, per (year after it - 1, cadre, 2).
    pub after: &'a mut [f64],
    pub stride: usize,
    pub at: usize,
}

impl Out<'_> {
    #[inline(always)]
    fn put(&mut self, i: usize, supply: X, demand: X) {
        let o = i * self.stride + self.at;
        self.supply[o..o + L].copy_from_slice(&supply.0);
        self.demand[o..o + L].copy_from_slice(&demand.0);
    }
}

/// The need of local region `ri` (of `k`; global `r`)'s cadre `ci` in year `t`: with
/// demand by grade, the sum of its grades' needs, each also passed to `grade(gi, need)`.
/// A policy quota in force replaces the demand it names.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub(crate) fn need(
    cx: &Ctx,
    v: &[X],
    ys: &Year,
    (t, ri, ci): (usize, usize, usize),
    (r, k): (usize, usize),
    (pop, pop0): (X, X),
    mut grade: impl FnMut(usize, X),
) -> X {
    let m = cx.m;
    let c = &m.cadres[ci];
    let of =
        |d: &Demand, quota: Option<X>| quota.unwrap_or_else(|| demand(m, d, v, r, t, pop, pop0));
    if c.grade_demand.is_empty() {
        return of(&c.demand, ys.quota[ci * k + ri]);
    }
    let mut sum = X::ZERO;
    for (gi, d) in c.grade_demand.iter().enumerate() {
        let x = of(d, ys.grade_quota[(ci * k + ri) * cx.gmax + gi]);
        grade(gi, x);
        sum += x;
    }
    sum
}

/// Supply and demand of local region `ri`'s cadre `ci` in year `t`, whose stock by grade
/// is `by_grade` (summing to `total`), and of each grade when the cadre has cells by grade:
/// a grade's demand is its own with demand by grade (and the cadre's, their sum), else
/// unknown (NaN).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub(crate) fn put_year(
    out: &mut Out,
    cx: &Ctx,
    g: &Group,
    v: &[X],
    ys: &Year,
    (t, ri, ci): (usize, usize, usize),
    (total, by_grade): (X, &[X]),
    pops: (X, X),
) {
    let m = cx.m;
    let c = &m.cadres[ci];
    let k = g.regions.len();
    let base = (t * k + ri) * cx.n_cells;
    let g0 = c.grade_cell0;
    if g0.is_none() && c.grade_demand.is_empty() {
        // One grade: the cadre's cell alone.
        let d = need(cx, v, ys, (t, ri, ci), (g.regions[ri], k), pops, |_, _| {});
        out.put(base + ci, total, d);
        return;
    }
    let by_grade_demand = !c.grade_demand.is_empty();
    let at = (g.regions[ri], k);
    let sum = need(cx, v, ys, (t, ri, ci), at, pops, |gi, x| {
        if let Some(g0) = g0 {
            out.put(base + g0 + gi, by_grade[gi], x);
        }
    });
    out.put(base + ci, total, sum);
    if let (Some(g0), false) = (g0, by_grade_demand) {
        for (gi, &x) in by_grade.iter().enumerate() {
            out.put(base + g0 + gi, x, X::splat(f64::NAN));
        }
    }
}

/// Project group `g` for the block's draws, whose parameters are in `s.v`; supply and
/// demand go to `out`, and the flows and costs of the first `valid` lanes are added to
/// `s.flows` and `s.costs` (layouts as [`Ctx::sizes`]).
#[inline(always)]
pub(crate) fn run_block(
    cx: &Ctx,
    g: &Group,
    flow: &mut Flow,
    s: &mut Scratch,
    out: &mut Out,
    valid: usize,
) {
    let m = cx.m;
    let nc = m.cadres.len();
    let na = m.n_ages;
    let h = m.horizon;
    let rs = m.region_size;
    let k = g.regions.len();
    let (gmax, pmax, dmax) = (cx.gmax, cx.pmax, cx.dmax);
    let (_, fcells, ccells) = cx.sizes(k);
    let Scratch {
        v,
        cur,
        mid,
        pipes,
        start_grade,
        sent_p,
        returning,
        haz,
        hzt,
        surv,
        end_grade,
        out_share,
        pops,
        ent_factor,
        by_grade,
        buyout,
        year: ys,
        flows,
        costs,
    } = s;
    let v = &v[..];
    // Every number of these is set below (flows and costs: added to).
    flows.resize(fcells, 0.0);
    costs.resize(ccells, 0.0);
    let expected = flow.rngs.is_none();
    // Cadres without training in a group without migration, on the expected path, go
    // from this year's stock to next year's in one pass.
    let fused = |ci: usize| {
        let c = &m.cadres[ci];
        !cx.general_only
            && expected
            && g.migration.is_empty()
            && c.programmes.is_empty()
            && c.promotions.is_empty()
            && !cx.grade_entry[ci]
            && !c.entrants.as_ref().is_some_and(|e| e.fill_vacancies)
    };
    let general = (0..nc).any(|ci| !fused(ci));
    cur.resize(k * rs, X::ZERO); // set from the stock below
    if general {
        sized(mid, k * rs);
    }
    sized(pipes, k * nc * pmax * dmax * na);
    sized(start_grade, k * nc * gmax);
    sized(end_grade, k * nc * gmax);
    sized(sent_p, k * nc * pmax);
    sized(returning, k * nc * pmax * na);
    haz.resize(k * nc * na, X::ZERO); // set below
    sized(out_share, k * nc * gmax);
    sized(buyout, k * nc);
    for b in by_grade.iter_mut() {
        sized(b, gmax);
    }
    let [end_by_grade, returns_by_grade, sent_by_grade, entrants_by_grade] = by_grade;
    let mut cur = cur;
    let mut mid = mid;
    for (ri, &r) in g.regions.iter().enumerate() {
        for (c, &x) in cur[ri * rs..(ri + 1) * rs]
            .iter_mut()
            .zip(&m.stock[r * rs..(r + 1) * rs])
        {
            *c = flow.whole(X::splat(x));
        }
    }
    ys.set(cx, g, v, m.start_year);
    sized(pops, k * (h + 1));
    sized(ent_factor, k * nc);
    for (ri, &r) in g.regions.iter().enumerate() {
        let mut factor = X::ONE;
        for t in 0..=h {
            if t > 0 {
                factor *= growth(m, v, r);
            }
            pops[ri * (h + 1) + t] = population(m, v, r, t, factor);
            if cx.population_cell {
                let at = (t * k + ri) * cx.n_cells + cx.n_cells - 1;
                out.put(at, pops[ri * (h + 1) + t], X::splat(f64::NAN));
            }
        }
        for (ci, c) in m.cadres.iter().enumerate() {
            let pop0 = pops[ri * (h + 1)];
            let ng = c.grades.len();
            let gsize = c.n_s * na;
            let blk = ri * rs + c.offset;
            for (gi, x) in end_by_grade[..ng].iter_mut().enumerate() {
                *x = X::sum(&cur[blk + gi * gsize..blk + (gi + 1) * gsize]);
            }
            let total = X::sum(&end_by_grade[..ng]);
            let at = (0, ri, ci);
            put_year(
                out,
                cx,
                g,
                v,
                ys,
                at,
                (total, &end_by_grade[..ng]),
                (pop0, pop0),
            );
        }
    }
    // The hazard by age of each region and cadre (the draw's rates, before grade and
    // policy multipliers).
    for (ri, &r) in g.regions.iter().enumerate() {
        for (ci, c) in m.cadres.iter().enumerate() {
            let row = &mut haz[(ri * nc + ci) * na..(ri * nc + ci + 1) * na];
            let retire = c.retire_idx;
            // Age bands (ascending first ages): the region's rate below the first.
            let mut from = 0;
            let mut rate = v[c.attrition[r]];
            for &(first, p) in &c.by_age {
                let to = first.clamp(from, retire);
                row[from..to].fill(rate);
                from = to;
                rate = v[p];
            }
            row[from..retire].fill(rate);
            row[retire..].fill(X::ZERO);
        }
    }
    hzt.resize(k * nc * gmax * na, X::ZERO); // set by `set_hz`
    surv.resize(k * nc * gmax * na, X::ZERO); // set by `set_hz`
    let set_hz = |hzt: &mut [X], surv: &mut [X], ys: &Year| {
        for ri in 0..k {
            for (ci, c) in m.cadres.iter().enumerate() {
                let haz = &haz[(ri * nc + ci) * na..(ri * nc + ci + 1) * na];
                let keep = X::ONE - v[c.death];
                for gi in 0..c.grades.len() {
                    let gm = v[c.grade_mult[gi]] * ys.att_mult[(ci * k + ri) * gmax + gi];
                    let row = ((ri * nc + ci) * gmax + gi) * na;
                    let surv = &mut surv[row..row + na];
                    if fused(ci) {
                        // The one-pass step reads only the shares who stay.
                        for (sv, &ha) in surv.iter_mut().zip(haz) {
                            *sv = keep * (X::ONE - (ha * gm).min(X::ONE));
                        }
                        continue;
                    }
                    for ((o, sv), &ha) in hzt[row..row + na].iter_mut().zip(surv).zip(haz) {
                        *o = (ha * gm).min(X::ONE);
                        *sv = keep * (X::ONE - *o);
                    }
                }
            }
        }
    };
    set_hz(hzt, surv, ys);
    // Fused cadres, one region and cadre at a time through every year (in place in
    // `cur`), so that its numbers stay in the fastest cache.
    for ri in 0..k {
        for ci in 0..nc {
            if !fused(ci) {
                continue;
            }
            let mut changed = false;
            for run in cx.runs {
                if cx.changes[run.start] {
                    ys.set(cx, g, v, m.start_year + run.start as i32);
                    set_hz(hzt, surv, ys);
                    changed = true;
                }
                let mut one = OnePass {
                    cx,
                    g,
                    v,
                    ys,
                    pops,
                    surv,
                    cur,
                    ent_factor,
                    start_grade,
                    end_grade,
                    by_grade: [
                        &mut end_by_grade[..],
                        &mut returns_by_grade[..],
                        &mut sent_by_grade[..],
                        &mut entrants_by_grade[..],
                    ],
                    flows,
                    costs,
                    flow,
                    valid,
                };
                one.years(out, ri, ci, run.clone());
            }
            if cx.horizon_value {
                let c = &m.cadres[ci];
                let blk = ri * rs + c.offset;
                let rows = &surv[(ri * nc + ci) * gmax * na..][..gmax * na];
                after_horizon(cx, ci, &cur[blk..blk + c.size(na)], rows, out);
            }
            if changed {
                ys.set(cx, g, v, m.start_year);
                set_hz(hzt, surv, ys);
            }
        }
    }
    // The other cadres, a year at a time (no years when every cadre took one pass).
    let years = if general { h } else { 0 };
    for t in 1..=years {
        // Settings change only when a policy starts or ends.
        if cx.changes[t] {
            ys.set(cx, g, v, m.start_year + t as i32);
            set_hz(hzt, surv, ys);
        }
        let mut step = General {
            cx,
            g,
            v,
            ys,
            pops,
            haz,
            hzt,
            cur: &mut *cur,
            mid: &mut *mid,
            pipes,
            start_grade,
            sent_p,
            returning,
            out_share,
            ent_factor,
            by_grade: [
                &mut end_by_grade[..],
                &mut returns_by_grade[..],
                &mut sent_by_grade[..],
                &mut entrants_by_grade[..],
            ],
            buyout,
            flows,
            costs,
            flow,
            valid,
        };
        step.year(out, t, |ci| !fused(ci));
        std::mem::swap(&mut cur, &mut mid);
    }
    if cx.horizon_value && general {
        for ri in 0..k {
            for (ci, c) in m.cadres.iter().enumerate().filter(|&(ci, _)| !fused(ci)) {
                let blk = ri * rs + c.offset;
                let rows = &surv[(ri * nc + ci) * gmax * na..][..gmax * na];
                after_horizon(cx, ci, &cur[blk..blk + c.size(na)], rows, out);
            }
        }
    }
}

/// The staff of cadre `ci` in post at the horizon (`stock`: its block of one region, by
/// grade, post-training state and age) carried through the years after it: each year
/// `surv` of each age (the final year's rates: deaths, attrition with its grade and
/// policy multipliers) stay and grow a year older, until retirement. Adds to `out.after`
/// the person-years in post of each year after the horizon (the mean of its start and
/// end) and their salaries. Staff keep their grade, and bonded staff the grade's rate.
pub(crate) fn after_horizon(cx: &Ctx, ci: usize, stock: &[X], surv: &[X], out: &mut Out) {
    let m = cx.m;
    let c = &m.cadres[ci];
    let (na, ns, nc) = (m.n_ages, c.n_s, m.cadres.len());
    let retire = c.retire_idx;
    let mut ages = vec![X::ZERO; retire];
    for (gi, &pay) in c.salary.iter().enumerate() {
        ages.fill(X::ZERO);
        for st in 0..ns {
            let cell = &stock[(gi * ns + st) * na..][..retire];
            for (a, &x) in ages.iter_mut().zip(cell) {
                *a += x;
            }
        }
        let sv = &surv[gi * na..][..retire];
        let mut before = X::sum(&ages);
        for k in 0..na {
            if before.all_zero() {
                break;
            }
            // A year older: the oldest age before retirement leaves; nobody joins.
            for a in (0..retire).rev() {
                ages[a] = if a == 0 {
                    X::ZERO
                } else {
                    ages[a - 1] * sv[a - 1]
                };
            }
            let now = X::sum(&ages);
            let py = 0.5 * (before + now);
            for (j, x) in [(0, py), (1, pay * py)] {
                let o = ((k * nc + ci) * 2 + j) * out.stride + out.at;
                for (a, b) in out.after[o..o + L].iter_mut().zip(x.0) {
                    *a += b;
                }
            }
            before = now;
        }
    }
}

/// Entrants of cadre `c` in region `r` in projected year `t`: (grade, number, age
/// shares; None: all at the youngest age). `extra` are a policy's extra entrants, and
/// `factor` the growth so far, `(1 + growth)^(t - 1)`, updated here.
#[inline(always)]
pub(crate) fn entrants<'c>(
    c: &'c Cadre,
    v: &[X],
    r: usize,
    t: usize,
    extra: X,
    factor: &mut X,
    flow: &mut Flow,
) -> Option<(usize, X, Option<&'c [f64]>)> {
    if let Some(e) = &c.entrants {
        *factor = if t == 1 {
            X::ONE
        } else {
            *factor * (1.0 + v[e.growth])
        };
        let planned = match &e.schedule[t - 1] {
            Some(kv) => v[kv[r]],
            None => v[e.per_year[r]] * *factor,
        };
        Some((
            e.grade,
            flow.whole(planned + extra),
            Some(&e.age_shares[..]),
        ))
    } else if extra.any_positive() {
        // Extra entrants without an entrant profile join the first grade at the
        // youngest age.
        Some((0, flow.whole(extra), None))
    } else {
        None
    }
}

/// What the one-pass step of a block reads and writes (see [`run_block`]).
struct OnePass<'a, 'b> {
    cx: &'a Ctx<'a>,
    g: &'a Group,
    v: &'a [X],
    ys: &'a Year,
    pops: &'a [X],
    surv: &'a [X],
    cur: &'b mut [X],
    ent_factor: &'b mut [X],
    start_grade: &'b mut [X],
    end_grade: &'b mut [X],
    /// End stock, returns, trainees sent and entrants, by grade.
    by_grade: [&'b mut [X]; 4],
    flows: &'b mut [f64],
    costs: &'b mut [f64],
    flow: &'b mut Flow,
    valid: usize,
}

impl OnePass<'_, '_> {
    /// Years `years` of region `ri` (local) and cadre `ci`, whose policy settings do not
    /// change over them: one post-training state and no training, so deaths, attrition,
    /// ageing, retirement and entrants take one pass, in place. Staff who stay a year are
    /// `surv` of each age; deaths are the death rate of the staff, and leavers the rest
    /// of those who go. Below the retirement age, the staff at the start of a year are
    /// those at the end of the year before.
    fn years(&mut self, out: &mut Out, ri: usize, ci: usize, years: Range<usize>) {
        #[cfg(target_arch = "x86_64")]
        if self.cx.avx2 {
            // SAFETY: `cx.avx2` says that the processor has AVX2.
            unsafe { self.years_avx2(out, ri, ci, years) };
            return;
        }
        self.years_plain(out, ri, ci, years);
    }

    /// [`Self::years`] as a function of its own: kept apart from the rest of the block's
    /// code, its lane loops compile to full-width vector instructions.
    #[inline(never)]
    fn years_plain(&mut self, out: &mut Out, ri: usize, ci: usize, years: Range<usize>) {
        self.years_impl(out, ri, ci, years);
    }

    /// [`Self::years_plain`] compiled for AVX2 (the same IEEE operations, so the same
    /// numbers).
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    #[inline(never)]
    unsafe fn years_avx2(&mut self, out: &mut Out, ri: usize, ci: usize, years: Range<usize>) {
        self.years_impl(out, ri, ci, years);
    }

    #[inline(always)]
    fn years_impl(&mut self, out: &mut Out, ri: usize, ci: usize, years: Range<usize>) {
        let (cx, g, v, ys) = (self.cx, self.g, self.v, self.ys);
        let m = cx.m;
        let (nc, na, h, rs, gmax) = (m.cadres.len(), m.n_ages, m.horizon, m.region_size, cx.gmax);
        let k = g.regions.len();
        let r = g.regions[ri];
        let c = &m.cadres[ci];
        let ng = c.grades.len();
        let retire = c.retire_idx;
        let blk = ri * rs + c.offset;
        let pd = v[c.death];
        let extra = ys.extra[ci * k + ri];
        let pop0 = self.pops[ri * (h + 1)];
        let valid = self.valid;
        let [end_by_grade, returns_by_grade, sent_by_grade, entrants_by_grade] = &mut self.by_grade;
        // Nobody returns from or leaves for training on this path.
        returns_by_grade[..ng].fill(X::ZERO);
        sent_by_grade[..ng].fill(X::ZERO);
        for t in years {
            let ent = entrants(
                c,
                v,
                r,
                t,
                extra,
                &mut self.ent_factor[ri * nc + ci],
                self.flow,
            );
            entrants_by_grade[..ng].fill(X::ZERO);
            let mut n_ent = X::ZERO;
            if let Some((eg, n, _)) = ent {
                entrants_by_grade[eg] = n;
                n_ent = n;
            }
            let (mut start, mut deaths, mut leavers, mut retired) =
                (X::ZERO, X::ZERO, X::ZERO, X::ZERO);
            for gi in 0..ng {
                let cell0 = blk + gi * na;
                let slot = (ri * nc + ci) * gmax + gi;
                let sv = &self.surv[slot * na..][..retire];
                let x = &mut self.cur[cell0..cell0 + na];
                let sn = if t > 1 && retire == na {
                    self.end_grade[slot]
                } else {
                    X::sum(&x[..retire])
                };
                let entry = match ent {
                    Some((eg, n, sh)) if eg == gi => Some((
                        n,
                        sh.zip(c.entrants.as_ref())
                            .map(|(sh, e)| (sh, e.share_span, e.share_total)),
                    )),
                    _ => None,
                };
                let GradeYear {
                    end,
                    stay,
                    out: gone,
                } = grade_year(x, sv, entry);
                retired += gone;
                let d = sn * pd;
                start += sn;
                deaths += d;
                leavers += sn - d - stay;
                self.start_grade[slot] = sn;
                self.end_grade[slot] = end;
                end_by_grade[gi] = end;
            }
            let end = X::sum(&end_by_grade[..ng]);
            let f = ((t - 1) * k * nc + ri * nc + ci) * NF;
            let row = &mut self.flows[f..f + NF];
            for (col, x) in [
                (F_ENTRANTS, n_ent),
                (F_START, start),
                (F_DEATHS, deaths),
                (F_ATTRITION, leavers),
                (F_RETIRE, retired),
                (F_END, end),
            ] {
                row[col] += x.sum_lanes(valid);
            }
            let pop = self.pops[ri * (h + 1) + t];
            let at = (t, ri, ci);
            put_year(
                out,
                cx,
                g,
                v,
                ys,
                at,
                (end, &end_by_grade[..ng]),
                (pop, pop0),
            );
            if !cx.costs_live {
                continue;
            }
            let cbase = ((t - 1) * k * nc + ri * nc + ci) * cx.n_items;
            let slot0 = (ri * nc + ci) * gmax;
            let year = CadreYear {
                by: ByGrade {
                    start: &self.start_grade[slot0..slot0 + ng],
                    end: &end_by_grade[..ng],
                    entrants: &entrants_by_grade[..ng],
                    returns: &returns_by_grade[..ng],
                    sent: &sent_by_grade[..ng],
                    in_training: X::ZERO,
                },
                training: X::ZERO,
                buyout: X::ZERO,
            };
            let mut sink = CostSink {
                row: &mut self.costs[cbase..cbase + cx.n_items],
                out,
                t,
                ci,
                valid,
                n_cadres: nc,
            };
            cadre_costs(cx, v, (ci, r), &year, &mut sink);
        }
    }
}

/// Deaths `n x pd` and then attrition `(n - deaths) x hz` out of `n` staff, added to
/// `sums` (staff, deaths, leavers); returns those who stay.
#[inline(always)]
pub(crate) fn survive(n: X, pd: X, hz: X, sums: &mut [X; 3]) -> X {
    let d = n * pd;
    let l = (n - d) * hz;
    sums[0] += n;
    sums[1] += d;
    sums[2] += l;
    n - d - l
}

/// Entrants of a grade in a year: their number and, when they come at several ages,
/// the age shares with the span of the nonzero ones and their sum.
type Entry<'a> = Option<(X, Option<(&'a [f64], (usize, usize), f64)>)>;

/// One grade's year on the one-pass step.
struct GradeYear {
    /// Stock at the end of the year.
    end: X,
    /// Staff who stayed a year (retiring or not).
    stay: X,
    /// Staff who stayed and reached the retirement age.
    out: X,
}

/// The one-pass step of one grade, in place on its stock by age `x` (`sv`: the share who
/// stay a year, per age below the retirement age): ageing from the oldest age down,
/// retirement, and entrants at their ages.
#[inline(always)]
fn grade_year(x: &mut [X], sv: &[X], entry: Entry) -> GradeYear {
    let retire = sv.len();
    let last = retire - 1;
    let out = x[last] * sv[last];
    // Those who stay and do not retire.
    let mut stay = X::ZERO;
    let entrants = match entry {
        Some((n, Some((sh, (lo, hi), total)))) => {
            let (lo, hi) = (lo.max(1), hi.max(1));
            age_down(&mut x[hi - 1..retire], &sv[hi - 1..], &mut stay);
            let mut it = x[lo - 1..hi].iter_mut().rev();
            // Cannot fail: the compiler gives every entrant profile a span `lo <= hi`, so
            // the slice holds at least one age.
            let mut slot = it.next().expect("an entrant span holds at least one age");
            for ((e, &s), &sh) in it
                .zip(sv[lo - 1..hi - 1].iter().rev())
                .zip(sh[lo..hi].iter().rev())
            {
                let y = *e * s;
                stay += y;
                *slot = y + n * X::splat(sh);
                slot = e;
            }
            age_down(&mut x[..lo], sv, &mut stay);
            x[0] = n * X::splat(sh[0]);
            n * X::splat(total)
        }
        Some((n, None)) => {
            age_down(&mut x[..retire], sv, &mut stay);
            x[0] = n;
            n
        }
        None => {
            age_down(&mut x[..retire], sv, &mut stay);
            x[0] = X::ZERO;
            X::ZERO
        }
    };
    x[retire..].iter_mut().for_each(|x| *x = X::ZERO);
    GradeYear {
        end: stay + entrants,
        stay: stay + out,
        out,
    }
}

/// Ageing in place from the oldest age down: each of `x` but the first gets the number
/// before it times that one's share who stay in `sv`, added to `stay`.
#[inline(always)]
fn age_down(x: &mut [X], sv: &[X], stay: &mut X) {
    let n = x.len();
    let mut it = x.iter_mut().rev();
    let Some(mut slot) = it.next() else { return };
    for (e, &s) in it.zip(sv[..n - 1].iter().rev()) {
        let y = *e * s;
        *stay += y;
        *slot = y;
        slot = e;
    }
}

/// Lanes beyond the block's draws repeat its last draw; they are never read.
pub(crate) fn lanes_of(first: usize, n: usize) -> [usize; L] {
    std::array::from_fn(|l| first + l.min(n - 1))
}
