//! Monte Carlo stock-and-flow projection of supply, demand, gap and cost.
//!
//! One draw samples every uncertain parameter once (stream `(seed, draw)`), then runs the
//! yearly model. Each projected year applies, per region, cadre, grade, post-training state
//! and single year of age, in this order:
//!
//! 1. deaths `N x death_rate`, then attrition `(N - deaths) x hazard` (the hazard of the
//!    age band, times the grade multiplier and any policy multiplier, capped at 1; staff in
//!    their bond or after-bond years use the programme's rates);
//! 2. training: each programme sends `min(places, eligible)` staff of its grade and of
//!    eligible age, taken in proportion from every eligible cell;
//! 3. migration: each flow moves its share of the origin's remaining staff;
//! 4. ageing by one year; those reaching the retirement age retire; trainees whose course
//!    ends come back at the higher grade (`return_rate`; the rest are lost);
//! 5. entrants (`per_year x (1 + growth)^(t - 1)`, or the scheduled number for the year,
//!    plus policy extras) join at their ages.
//!
//! So `stock_end = stock_start - deaths - attrition - to_training - out_migration +
//! in_migration - retirements + returns + entrants` in every year, region and cadre.
//! Flows are expected values given the draw's parameters. Draws run in parallel; each
//! draw's numbers depend on `(seed, draw)` only and are merged in draw order, so results
//! are identical for any number of threads.

use rayon::prelude::*;

use super::demand::demand;
use super::quantile::{type7, P2, PROBS};
use super::scenario::{CostKind, Model};
use crate::error::{Error, Result};
use crate::rng::Rng;

/// Flow columns, in order.
pub const FLOWS: [&str; 12] = [
    "stock_start",
    "deaths",
    "attrition",
    "to_training",
    "out_migration",
    "in_migration",
    "retirements",
    "returns",
    "entrants",
    "stock_end",
    "in_training",
    "training_losses",
];
const F_START: usize = 0;
const F_DEATHS: usize = 1;
const F_ATTRITION: usize = 2;
const F_TRAINING: usize = 3;
const F_OUT: usize = 4;
const F_IN: usize = 5;
const F_RETIRE: usize = 6;
const F_RETURNS: usize = 7;
const F_ENTRANTS: usize = 8;
const F_END: usize = 9;
const F_IN_TRAINING: usize = 10;
const F_LOSSES: usize = 11;
const NF: usize = FLOWS.len();

/// How quantiles over draws are computed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum QuantileMode {
    /// Keep every draw's summary and take type-7 quantiles.
    Exact,
    /// Extended P² estimates; memory independent of the number of draws.
    Streaming,
}

/// Options of a simulation.
#[derive(Clone, Debug)]
pub struct Options {
    /// Number of Monte Carlo draws; 0 runs the deterministic path at parameter means.
    pub draws: usize,
    pub seed: u64,
    /// Indices of the policies switched on.
    pub policies: Vec<usize>,
    pub quantiles: QuantileMode,
    /// Return every draw's supply and demand.
    pub keep_draws: bool,
    /// Draw every flow as a binomial count of whole people instead of its expected value.
    pub binomial: bool,
}

/// Takes a share of a count: its expected value, or a binomial draw of whole people.
struct Flow {
    rng: Option<Rng>,
}

impl Flow {
    fn take(&mut self, n: f64, p: f64) -> f64 {
        match &mut self.rng {
            None => n * p,
            Some(rng) => rng.binomial(n.round().max(0.0) as u64, p.clamp(0.0, 1.0)) as f64,
        }
    }

    /// A number of people: unchanged, or rounded at random to an integer with the same mean.
    fn whole(&mut self, x: f64) -> f64 {
        match &mut self.rng {
            None => x,
            Some(rng) => {
                let f = x.floor();
                f + f64::from(u8::from(rng.uniform() < x - f))
            }
        }
    }

    /// Split `n` people over `shares` (summing to 1): in proportion, or multinomially.
    fn split(&mut self, n: f64, shares: &[f64], out: &mut [f64]) {
        if self.rng.is_none() {
            for (o, s) in out.iter_mut().zip(shares) {
                *o += n * s;
            }
            return;
        }
        let mut left = n;
        let mut rest = 1.0;
        for (o, &s) in out.iter_mut().zip(shares) {
            if left <= 0.0 || rest <= 0.0 {
                break;
            }
            let k = if s >= rest {
                left
            } else {
                self.take(left, s / rest)
            };
            *o += k;
            left -= k;
            rest -= s;
        }
    }
}

/// Summary of one projected number over draws.
#[derive(Clone, Debug, Default)]
pub struct Summary {
    /// Mean over draws, one per cell.
    pub mean: Vec<f64>,
    /// Quantiles [`PROBS`], `cells x 5`.
    pub quantiles: Vec<f64>,
}

/// The result of a simulation.
#[derive(Clone, Debug)]
pub struct Projection {
    /// Years `start_year ..= start_year + horizon`.
    pub years: Vec<i32>,
    /// Per (year, region, cadre), row-major.
    pub supply: Summary,
    pub demand: Summary,
    pub gap: Summary,
    /// Share of draws with demand > supply, per (year, region, cadre).
    pub p_gap: Vec<f64>,
    /// Per (year, cadre or all cadres last), summed over regions.
    pub total_supply: Summary,
    pub total_demand: Summary,
    pub total_gap: Summary,
    pub total_p_gap: Vec<f64>,
    /// Mean flows per (projected year, region, cadre, [`FLOWS`]).
    pub flows: Vec<f64>,
    /// Cost item names.
    pub cost_items: Vec<String>,
    /// Mean costs per (projected year, region, cadre, item).
    pub costs: Vec<f64>,
    /// Kept draws: supply and demand per (draw, year, region, cadre).
    pub draws_supply: Vec<f64>,
    pub draws_demand: Vec<f64>,
    pub n_draws: usize,
}

/// What one draw produces, with its working buffers; reused from draw to draw.
struct DrawOut {
    supply: Vec<f64>,
    demand: Vec<f64>,
    gap: Vec<f64>,
    /// Supply, demand and gap summed over regions, per (year, cadre or all).
    totals: [Vec<f64>; 3],
    flows: Vec<f64>,
    costs: Vec<f64>,
    cur: Vec<f64>,
    mid: Vec<f64>,
}

impl DrawOut {
    fn new(m: &Model, items: usize) -> Self {
        let (nr, nc, h) = (m.regions.len(), m.cadres.len(), m.horizon);
        let cells = (h + 1) * nr * nc;
        let tcells = (h + 1) * (nc + 1);
        DrawOut {
            supply: vec![0.0; cells],
            demand: vec![0.0; cells],
            gap: vec![0.0; cells],
            totals: [vec![0.0; tcells], vec![0.0; tcells], vec![0.0; tcells]],
            flows: vec![0.0; h * nr * nc * NF],
            costs: vec![0.0; h * nr * nc * items],
            cur: vec![0.0; m.stock.len()],
            mid: vec![0.0; m.stock.len()],
        }
    }

    /// Gaps and totals over regions, from supply and demand.
    fn summarise(&mut self, nr: usize, nc: usize) {
        for ((g, d), s) in self.gap.iter_mut().zip(&self.demand).zip(&self.supply) {
            *g = d - s;
        }
        let [ts, td, tg] = &mut self.totals;
        ts.fill(0.0);
        td.fill(0.0);
        for (t, (srow, drow)) in self
            .supply
            .chunks(nr * nc)
            .zip(self.demand.chunks(nr * nc))
            .enumerate()
        {
            for r in 0..nr {
                for c in 0..nc {
                    let k = r * nc + c;
                    ts[t * (nc + 1) + c] += srow[k];
                    td[t * (nc + 1) + c] += drow[k];
                    ts[t * (nc + 1) + nc] += srow[k];
                    td[t * (nc + 1) + nc] += drow[k];
                }
            }
        }
        for ((g, d), s) in tg.iter_mut().zip(td.iter()).zip(ts.iter()) {
            *g = d - s;
        }
    }
}

/// Parameter values of one draw, and the draw's flow sampler (its stream continues after
/// the parameters).
fn sample_params(m: &Model, opts: &Options, draw: usize) -> (Vec<f64>, Flow) {
    if opts.draws == 0 {
        let v = m.params.iter().map(|p| p.dist.mean()).collect();
        return (v, Flow { rng: None });
    }
    let mut rng = Rng::stream(opts.seed, draw as u64);
    let v = m
        .params
        .iter()
        .map(|p| p.dist.sample(&mut rng, p.lower))
        .collect();
    (
        v,
        Flow {
            rng: opts.binomial.then_some(rng),
        },
    )
}

/// Which of the chosen policies act in `year`.
fn active_policies(m: &Model, opts: &Options, year: i32) -> Vec<bool> {
    opts.policies
        .iter()
        .map(|&pi| year >= m.policies[pi].from_year && year <= m.policies[pi].to_year)
        .collect()
}

/// Per-year policy settings for one draw.
struct Year {
    /// Per cadre, region and grade.
    att_mult: Vec<Vec<Vec<f64>>>,
    /// Per cadre and origin region.
    mig_mult: Vec<Vec<f64>>,
    places: Vec<Vec<Vec<f64>>>,
    extra: Vec<Vec<f64>>,
    quota: Vec<Vec<Option<f64>>>,
}

fn year_settings(m: &Model, opts: &Options, v: &[f64], year: i32) -> Year {
    let nr = m.regions.len();
    let mut y = Year {
        att_mult: m
            .cadres
            .iter()
            .map(|c| vec![vec![1.0; c.grades.len()]; nr])
            .collect(),
        mig_mult: vec![vec![1.0; nr]; m.cadres.len()],
        places: m
            .cadres
            .iter()
            .map(|c| {
                c.programmes
                    .iter()
                    .map(|p| p.places.iter().map(|&i| v[i]).collect())
                    .collect()
            })
            .collect(),
        extra: vec![vec![0.0; nr]; m.cadres.len()],
        quota: vec![vec![None; nr]; m.cadres.len()],
    };
    for &pi in &opts.policies {
        let p = &m.policies[pi];
        if year < p.from_year || year > p.to_year {
            continue;
        }
        for ch in &p.migration_multiplier {
            for (ci, mults) in y.mig_mult.iter_mut().enumerate() {
                if ch.cadre.is_some_and(|c| c != ci) {
                    continue;
                }
                for (r, mm) in mults.iter_mut().enumerate() {
                    if ch.region.is_none_or(|x| x == r) {
                        *mm *= v[ch.value];
                    }
                }
            }
        }
        for ch in &p.attrition_multiplier {
            for (ci, by_region) in y.att_mult.iter_mut().enumerate() {
                if ch.cadre.is_some_and(|c| c != ci) {
                    continue;
                }
                for (r, mults) in by_region.iter_mut().enumerate() {
                    if ch.region.is_some_and(|x| x != r) {
                        continue;
                    }
                    for (g, mm) in mults.iter_mut().enumerate() {
                        if ch.grade.is_none_or(|x| x == g) {
                            *mm *= v[ch.value];
                        }
                    }
                }
            }
        }
        for ch in &p.training_places {
            if let (Some(ci), Some(pr)) = (ch.cadre, ch.programme) {
                for r in 0..nr {
                    if ch.region.is_none_or(|x| x == r) {
                        y.places[ci][pr][r] = v[ch.value];
                    }
                }
            }
        }
        for ch in &p.extra_entrants {
            if let Some(ci) = ch.cadre {
                for r in 0..nr {
                    if ch.region.is_none_or(|x| x == r) {
                        y.extra[ci][r] += v[ch.value];
                    }
                }
            }
        }
        for ch in &p.quota {
            if let Some(ci) = ch.cadre {
                for r in 0..nr {
                    if ch.region.is_none_or(|x| x == r) {
                        y.quota[ci][r] = Some(v[ch.value]);
                    }
                }
            }
        }
    }
    y
}

/// The cost items: "salary", "training", then each distinct policy item; and for each
/// chosen policy (in `opts.policies` order), the item index of each of its costs.
fn cost_items(m: &Model, opts: &Options) -> (Vec<String>, Vec<Vec<usize>>) {
    let mut items = vec!["salary".to_string(), "training".to_string()];
    let mut index = Vec::with_capacity(opts.policies.len());
    for &pi in &opts.policies {
        let mut of_policy = Vec::with_capacity(m.policies[pi].costs.len());
        for c in &m.policies[pi].costs {
            let k = match items.iter().position(|i| *i == c.item) {
                Some(k) => k,
                None => {
                    items.push(c.item.clone());
                    items.len() - 1
                }
            };
            of_policy.push(k);
        }
        index.push(of_policy);
    }
    (items, index)
}

/// Run one draw.
fn run_draw(
    m: &Model,
    opts: &Options,
    (items, item_of): (&[String], &[Vec<usize>]),
    draw: usize,
    out: &mut DrawOut,
) {
    let (v, mut flow) = sample_params(m, opts, draw);
    let nr = m.regions.len();
    let nc = m.cadres.len();
    let na = m.n_ages;
    let h = m.horizon;
    let rs = m.region_size;
    let ni = items.len();
    let supply = &mut out.supply;
    let dem = &mut out.demand;
    let flows = &mut out.flows;
    let costs = &mut out.costs;
    flows.fill(0.0);
    costs.fill(0.0);
    let mut cur = &mut out.cur;
    let mut mid = &mut out.mid;
    for (c, &x) in cur.iter_mut().zip(&m.stock) {
        *c = flow.whole(x);
    }
    mid.fill(0.0);
    // Pipelines: per region, cadre, programme: `duration x n_ages` (index 0 returns next).
    let mut pipes: Vec<Vec<Vec<Vec<f64>>>> = (0..nr)
        .map(|_| {
            m.cadres
                .iter()
                .map(|c| {
                    c.programmes
                        .iter()
                        .map(|p| vec![0.0; p.duration * na])
                        .collect()
                })
                .collect()
        })
        .collect();
    let base_year = year_settings(m, opts, &v, m.start_year);
    let mut ys_key = active_policies(m, opts, m.start_year);
    let mut ys = year_settings(m, opts, &v, m.start_year);
    for r in 0..nr {
        for (ci, c) in m.cadres.iter().enumerate() {
            let k = r * nc + ci;
            supply[k] = cur[r * rs + c.offset..r * rs + c.offset + c.size(na)]
                .iter()
                .sum();
            dem[k] = demand(m, &v, base_year.quota[ci][r], ci, r, 0);
        }
    }
    // Scratch space reused every year: per (region, cadre) the start stock by grade, and
    // per (region, cadre, programme) the number sent and the cohort due back by age.
    let gmax = m.cadres.iter().map(|c| c.grades.len()).max().unwrap_or(1);
    let pmax = m
        .cadres
        .iter()
        .map(|c| c.programmes.len())
        .max()
        .unwrap_or(0);
    let mut start_grade = vec![0.0; nr * nc * gmax];
    let mut sent_p = vec![0.0; nr * nc * pmax];
    let mut returning = vec![0.0; nr * nc * pmax * na];
    // The hazard by age of each region and cadre (the draw's rates, before grade and
    // policy multipliers).
    let mut haz = vec![0.0; nr * nc * na];
    for r in 0..nr {
        for (ci, c) in m.cadres.iter().enumerate() {
            let row = &mut haz[(r * nc + ci) * na..(r * nc + ci + 1) * na];
            let mut band = 0;
            for (a, hz) in row.iter_mut().enumerate().take(c.retire_idx) {
                while band < c.by_age.len() && c.by_age[band].0 <= a {
                    band += 1;
                }
                *hz = if band == 0 {
                    v[c.attrition[r]]
                } else {
                    v[c.by_age[band - 1].1]
                };
            }
        }
    }
    let mut end_by_grade = vec![0.0; gmax];
    let mut returns_by_grade = vec![0.0; gmax];
    let mut sent_by_grade = vec![0.0; gmax];
    let mut entrants_by_grade = vec![0.0; gmax];
    let expected = flow.rng.is_none();
    for t in 1..=h {
        let year = m.start_year + t as i32;
        // Settings change only when a policy starts or ends.
        let key = active_policies(m, opts, year);
        if key != ys_key {
            ys = year_settings(m, opts, &v, year);
            ys_key = key;
        }
        let ys = &ys;
        let frow = |r: usize, ci: usize| ((t - 1) * nr * nc + r * nc + ci) * NF;
        // 1-2: deaths, attrition, training, into `mid`.
        for r in 0..nr {
            for (ci, c) in m.cadres.iter().enumerate() {
                let blk = r * rs + c.offset;
                let ns = c.n_s;
                let pd = v[c.death];
                let mut start = 0.0;
                let mut deaths = 0.0;
                let mut leavers = 0.0;
                let by_grade = &mut start_grade[(r * nc + ci) * gmax..(r * nc + ci + 1) * gmax];
                by_grade.iter_mut().for_each(|x| *x = 0.0);
                let retire = c.retire_idx;
                let haz = &haz[(r * nc + ci) * na..(r * nc + ci + 1) * na];
                for g in 0..c.grades.len() {
                    let gm = v[c.grade_mult[g]] * ys.att_mult[ci][r][g];
                    for s in 0..ns {
                        // Staff in a bond or after-bond year have the programme's rate.
                        let fixed = if s == 0 {
                            None
                        } else {
                            c.programmes
                                .iter()
                                .find(|p| {
                                    s >= p.s_offset && s < p.s_offset + p.bond + p.after_years
                                })
                                .and_then(|p| {
                                    if s - p.s_offset < p.bond {
                                        p.during
                                    } else {
                                        p.after
                                    }
                                })
                                .map(|i| v[i])
                        };
                        let cell0 = blk + (g * ns + s) * na;
                        let src = &cur[cell0..cell0 + retire];
                        let dst = &mut mid[cell0..cell0 + retire];
                        let (mut sn, mut sd, mut sl) = (0.0, 0.0, 0.0);
                        if expected {
                            for ((&n, out), &ha) in
                                src.iter().zip(dst.iter_mut()).zip(&haz[..retire])
                            {
                                let hz = (fixed.unwrap_or(ha) * gm).min(1.0);
                                let d = n * pd;
                                let l = (n - d) * hz;
                                sn += n;
                                sd += d;
                                sl += l;
                                *out = n - d - l;
                            }
                        } else {
                            for ((&n, out), &ha) in
                                src.iter().zip(dst.iter_mut()).zip(&haz[..retire])
                            {
                                let hz = (fixed.unwrap_or(ha) * gm).min(1.0);
                                let d = flow.take(n, pd);
                                let l = flow.take(n - d, hz);
                                sn += n;
                                sd += d;
                                sl += l;
                                *out = n - d - l;
                            }
                        }
                        start += sn;
                        deaths += sd;
                        leavers += sl;
                        by_grade[g] += sn;
                    }
                }
                let f = frow(r, ci);
                flows[f + F_START] = start;
                flows[f + F_DEATHS] = deaths;
                flows[f + F_ATTRITION] = leavers;
                // Training departures.
                let mut sent_total = 0.0;
                for (pi, p) in c.programmes.iter().enumerate() {
                    let slot = (r * nc + ci) * pmax + pi;
                    let mut eligible = 0.0;
                    for s in 0..ns {
                        let cell0 = blk + (p.from * ns + s) * na;
                        eligible += mid[cell0..cell0 + p.max_age + 1].iter().sum::<f64>();
                    }
                    let places = ys.places[ci][pi][r];
                    let sent = flow.whole(places).min(eligible);
                    let frac = if eligible > 0.0 { sent / eligible } else { 0.0 };
                    // The cohort due back this year; the others move one year closer
                    // and one year older; this year's trainees join at the back.
                    let pipe = &mut pipes[r][ci][pi];
                    returning[slot * na..(slot + 1) * na].copy_from_slice(&pipe[..na]);
                    for k in 1..p.duration {
                        for a in (0..na - 1).rev() {
                            pipe[(k - 1) * na + a + 1] = pipe[k * na + a];
                        }
                        pipe[(k - 1) * na] = 0.0;
                    }
                    let last = (p.duration - 1) * na;
                    pipe[last..].iter_mut().for_each(|x| *x = 0.0);
                    let mut taken = 0.0;
                    if frac > 0.0 {
                        for s in 0..ns {
                            let cell0 = blk + (p.from * ns + s) * na;
                            for a in 0..=p.max_age {
                                let x = flow.take(mid[cell0 + a], frac);
                                mid[cell0 + a] -= x;
                                pipe[last + a + 1] += x;
                                taken += x;
                            }
                        }
                    }
                    // Binomial draws send about `places` people; count those sent.
                    let sent = if flow.rng.is_some() { taken } else { sent };
                    sent_total += sent;
                    sent_p[slot] = sent;
                }
                flows[f + F_TRAINING] = sent_total;
            }
        }
        // 3: migration, from `mid` into `cur` (reused as the after-migration buffer).
        cur.copy_from_slice(mid);
        // A policy multiplier can push the shares leaving a region above 1: cap them so
        // that at most everyone leaves.
        let mut out_share = vec![vec![0.0; nr]; nc];
        for mg in &m.migration {
            for (ci, share) in out_share.iter_mut().enumerate() {
                if mg.cadre.is_none_or(|x| x == ci) {
                    share[mg.from] += v[mg.rate] * ys.mig_mult[ci][mg.from];
                }
            }
        }
        for mg in &m.migration {
            for (ci, c) in m.cadres.iter().enumerate() {
                if mg.cadre.is_some_and(|x| x != ci) {
                    continue;
                }
                let rate = v[mg.rate] * ys.mig_mult[ci][mg.from] / out_share[ci][mg.from].max(1.0);
                if rate == 0.0 {
                    continue;
                }
                let size = c.size(na);
                let from = mg.from * rs + c.offset;
                let to = mg.to * rs + c.offset;
                let mut moved = 0.0;
                for i in 0..size {
                    // Several flows out of a cell never take more than is left in it.
                    let x = flow.take(mid[from + i], rate).min(cur[from + i]);
                    cur[from + i] -= x;
                    cur[to + i] += x;
                    moved += x;
                }
                flows[frow(mg.from, ci) + F_OUT] += moved;
                flows[frow(mg.to, ci) + F_IN] += moved;
            }
        }
        // 4-5: ageing, retirement, returns, entrants, into `mid` (the new stock).
        mid.iter_mut().for_each(|x| *x = 0.0);
        for r in 0..nr {
            for (ci, c) in m.cadres.iter().enumerate() {
                let blk = r * rs + c.offset;
                let ns = c.n_s;
                let mut retired = 0.0;
                for g in 0..c.grades.len() {
                    for s in 0..ns {
                        let next_s = if s == 0 {
                            0
                        } else {
                            match c.programmes.iter().find(|p| {
                                s >= p.s_offset && s < p.s_offset + p.bond + p.after_years
                            }) {
                                Some(p) if s + 1 < p.s_offset + p.bond + p.after_years => s + 1,
                                _ => 0,
                            }
                        };
                        let src = blk + (g * ns + s) * na;
                        let dst = blk + (g * ns + next_s) * na;
                        let last = c.retire_idx - 1;
                        for (out, &x) in mid[dst + 1..dst + 1 + last]
                            .iter_mut()
                            .zip(&cur[src..src + last])
                        {
                            *out += x;
                        }
                        retired += cur[src + last];
                    }
                }
                let f = frow(r, ci);
                flows[f + F_RETIRE] = retired;
                let mut returns = 0.0;
                let mut losses = 0.0;
                let mut in_training = 0.0;
                returns_by_grade.iter_mut().for_each(|x| *x = 0.0);
                sent_by_grade.iter_mut().for_each(|x| *x = 0.0);
                entrants_by_grade.iter_mut().for_each(|x| *x = 0.0);
                let mut training_cost = 0.0;
                for (pi, p) in c.programmes.iter().enumerate() {
                    let slot = (r * nc + ci) * pmax + pi;
                    let sent = sent_p[slot];
                    let returning = &returning[slot * na..(slot + 1) * na];
                    let rr = v[p.return_rate];
                    let s_ret = if p.bond + p.after_years > 0 {
                        p.s_offset
                    } else {
                        0
                    };
                    let dst = blk + (p.to * ns + s_ret) * na;
                    let mut back = 0.0;
                    let mut due = 0.0;
                    for a in 0..na {
                        let x = returning[a];
                        if x == 0.0 {
                            continue;
                        }
                        due += x;
                        // Guaranteed below retirement by the max_age check.
                        let k = flow.take(x, rr);
                        mid[dst + (a + 1).min(c.retire_idx - 1)] += k;
                        back += k;
                    }
                    let pipe = &pipes[r][ci][pi];
                    let away: f64 = pipe.iter().sum();
                    returns += back;
                    losses += due - back;
                    in_training += away;
                    returns_by_grade[p.to] += back;
                    sent_by_grade[p.from] += sent;
                    training_cost += p.cost_year * away + p.cost_one_off * sent;
                }
                flows[f + F_RETURNS] = returns;
                flows[f + F_LOSSES] = losses;
                flows[f + F_IN_TRAINING] = in_training;
                if let Some(e) = &c.entrants {
                    let planned = match &e.schedule[t - 1] {
                        Some(k) => v[k[r]],
                        None => v[e.per_year[r]] * (1.0 + v[e.growth]).powi(t as i32 - 1),
                    };
                    let n = planned + ys.extra[ci][r];
                    let dst = blk + e.grade * ns * na;
                    let n = flow.whole(n);
                    flow.split(n, &e.age_shares, &mut mid[dst..dst + na]);
                    flows[f + F_ENTRANTS] = n;
                    entrants_by_grade[e.grade] = n;
                } else if ys.extra[ci][r] > 0.0 {
                    // Extra entrants without an entrant profile join the first grade at
                    // the youngest age.
                    let n = flow.whole(ys.extra[ci][r]);
                    mid[blk] += n;
                    flows[f + F_ENTRANTS] = n;
                    entrants_by_grade[0] = n;
                }
                let ng = c.grades.len();
                for (g, e) in end_by_grade.iter_mut().enumerate().take(ng) {
                    *e = mid[blk + g * ns * na..blk + (g + 1) * ns * na].iter().sum();
                }
                let end_by_grade = &end_by_grade[..ng];
                let start_by_grade = &start_grade[(r * nc + ci) * gmax..(r * nc + ci) * gmax + ng];
                let end: f64 = end_by_grade.iter().sum();
                flows[f + F_END] = end;
                let k = t * nr * nc + r * nc + ci;
                supply[k] = end;
                dem[k] = demand(m, &v, ys.quota[ci][r], ci, r, t);
                // Costs.
                let cbase = ((t - 1) * nr * nc + r * nc + ci) * ni;
                let avg = 0.5 * (flows[f + F_START] + end);
                costs[cbase] = c.salary * avg;
                costs[cbase + 1] = training_cost;
                for (&pi, cost_item) in opts.policies.iter().zip(item_of) {
                    let p = &m.policies[pi];
                    if year < p.from_year || year > p.to_year {
                        continue;
                    }
                    for (cost, &item) in p.costs.iter().zip(cost_item) {
                        if cost.cadre.is_some_and(|x| x != ci)
                            || cost.region.is_some_and(|x| x != r)
                        {
                            continue;
                        }
                        let in_grade = |by: &[f64]| match cost.grade {
                            Some(g) => by[g],
                            None => by.iter().sum(),
                        };
                        let amount = match cost.kind {
                            CostKind::PerPersonYear => {
                                // Staff in post, averaged over the start and end of the year.
                                0.5 * cost.amount
                                    * (in_grade(start_by_grade) + in_grade(end_by_grade))
                            }
                            CostKind::OneOffPerEntrant => {
                                cost.amount
                                    * (in_grade(&entrants_by_grade) + in_grade(&returns_by_grade))
                            }
                            CostKind::OneOffPerTrainee => cost.amount * in_grade(&sent_by_grade),
                            CostKind::PerTraineeYear => cost.amount * in_training,
                            CostKind::FixedPerYear => {
                                let ncad = if cost.cadre.is_some() { 1 } else { nc };
                                let nreg = if cost.region.is_some() { 1 } else { nr };
                                cost.amount / (nreg * ncad) as f64
                            }
                        };
                        costs[cbase + item] += amount;
                    }
                }
            }
        }
        std::mem::swap(&mut cur, &mut mid);
    }
    out.summarise(nr, nc);
}

/// Accumulates one projected number per cell over draws, in draw order.
struct Acc {
    sum: Vec<f64>,
    positive: Vec<u32>,
    p2: Vec<P2>,
    values: Vec<f64>,
    cells: usize,
    mode: QuantileMode,
}

impl Acc {
    fn new(cells: usize, mode: QuantileMode, draws: usize) -> Self {
        Acc {
            sum: vec![0.0; cells],
            positive: vec![0; cells],
            p2: if mode == QuantileMode::Streaming {
                vec![P2::new(); cells]
            } else {
                Vec::new()
            },
            values: if mode == QuantileMode::Exact {
                Vec::with_capacity(cells * draws)
            } else {
                Vec::new()
            },
            cells,
            mode,
        }
    }

    /// Add a batch of draws (each a slice of `cells` values), in draw order.
    fn add(&mut self, batch: &[&[f64]]) {
        for x in batch {
            for ((s, p), &v) in self
                .sum
                .iter_mut()
                .zip(self.positive.iter_mut())
                .zip(x.iter())
            {
                *s += v;
                *p += u32::from(v > 0.0);
            }
        }
        match self.mode {
            QuantileMode::Streaming => {
                self.p2
                    .par_iter_mut()
                    .enumerate()
                    .with_min_len(256)
                    .for_each(|(i, q)| {
                        for x in batch {
                            if !x[i].is_nan() {
                                q.push(x[i]);
                            }
                        }
                    });
            }
            QuantileMode::Exact => {
                for x in batch {
                    self.values.extend_from_slice(x);
                }
            }
        }
    }

    fn finish(self, n: usize) -> (Summary, Vec<f64>) {
        let nn = n as f64;
        let mean: Vec<f64> = self.sum.iter().map(|s| s / nn).collect();
        let share: Vec<f64> = self
            .positive
            .iter()
            .zip(&mean)
            .map(|(&p, m)| if m.is_nan() { f64::NAN } else { p as f64 / nn })
            .collect();
        let k = PROBS.len();
        let mut quantiles = vec![f64::NAN; self.cells * k];
        match self.mode {
            QuantileMode::Streaming => {
                for (i, q) in self.p2.iter().enumerate() {
                    quantiles[i * k..(i + 1) * k].copy_from_slice(&q.quantiles());
                }
            }
            QuantileMode::Exact => {
                let cells = self.cells;
                let values = &self.values;
                quantiles
                    .par_chunks_mut(k)
                    .enumerate()
                    .with_min_len(64)
                    .for_each(|(i, out)| {
                        let mut col: Vec<f64> = (0..n)
                            .map(|d| values[d * cells + i])
                            .filter(|v| !v.is_nan())
                            .collect();
                        col.sort_by(f64::total_cmp);
                        for (o, &p) in out.iter_mut().zip(&PROBS) {
                            *o = type7(&col, p);
                        }
                    });
            }
        }
        (Summary { mean, quantiles }, share)
    }
}

/// Draws computed together before merging; a fixed number, so results never depend on
/// the thread count.
const BATCH: usize = 16;

/// Run the projection.
pub fn simulate(m: &Model, opts: &Options) -> Result<Projection> {
    for &p in &opts.policies {
        if p >= m.policies.len() {
            return Err(Error::input("policy", format!("no policy number {p}")));
        }
    }
    let n = opts.draws.max(1);
    let (items, item_of) = cost_items(m, opts);
    let nr = m.regions.len();
    let nc = m.cadres.len();
    let h = m.horizon;
    let cells = (h + 1) * nr * nc;
    let tcells = (h + 1) * (nc + 1);
    let mode = if opts.draws == 0 {
        QuantileMode::Exact
    } else {
        opts.quantiles
    };
    let mut acc = [
        Acc::new(cells, mode, n),
        Acc::new(cells, mode, n),
        Acc::new(cells, mode, n),
    ];
    let mut tacc = [
        Acc::new(tcells, mode, n),
        Acc::new(tcells, mode, n),
        Acc::new(tcells, mode, n),
    ];
    let mut flows = vec![0.0; h * nr * nc * NF];
    let mut costs = vec![0.0; h * nr * nc * items.len()];
    let mut kept_s = Vec::new();
    let mut kept_d = Vec::new();
    let mut pool: Vec<DrawOut> = (0..BATCH.min(n))
        .map(|_| DrawOut::new(m, items.len()))
        .collect();
    let mut start = 0;
    while start < n {
        let end = (start + BATCH).min(n);
        let outs = &mut pool[..end - start];
        outs.par_iter_mut()
            .enumerate()
            .for_each(|(i, o)| run_draw(m, opts, (&items, &item_of), start + i, o));
        acc[0].add(&outs.iter().map(|o| o.supply.as_slice()).collect::<Vec<_>>());
        acc[1].add(&outs.iter().map(|o| o.demand.as_slice()).collect::<Vec<_>>());
        acc[2].add(&outs.iter().map(|o| o.gap.as_slice()).collect::<Vec<_>>());
        for (j, a) in tacc.iter_mut().enumerate() {
            a.add(
                &outs
                    .iter()
                    .map(|o| o.totals[j].as_slice())
                    .collect::<Vec<_>>(),
            );
        }
        for o in outs.iter() {
            flows.iter_mut().zip(&o.flows).for_each(|(a, b)| *a += b);
            costs.iter_mut().zip(&o.costs).for_each(|(a, b)| *a += b);
            if opts.keep_draws {
                kept_s.extend_from_slice(&o.supply);
                kept_d.extend_from_slice(&o.demand);
            }
        }
        start = end;
    }
    let nn = n as f64;
    flows.iter_mut().for_each(|x| *x /= nn);
    costs.iter_mut().for_each(|x| *x /= nn);
    let [a0, a1, a2] = acc;
    let (supply, _) = a0.finish(n);
    let (demand, _) = a1.finish(n);
    let (gap, p_gap) = a2.finish(n);
    let [t0, t1, t2] = tacc;
    let (total_supply, _) = t0.finish(n);
    let (total_demand, _) = t1.finish(n);
    let (total_gap, total_p_gap) = t2.finish(n);
    Ok(Projection {
        years: (0..=h).map(|t| m.start_year + t as i32).collect(),
        supply,
        demand,
        gap,
        p_gap,
        total_supply,
        total_demand,
        total_gap,
        total_p_gap,
        flows,
        cost_items: items,
        costs,
        draws_supply: kept_s,
        draws_demand: kept_d,
        n_draws: opts.draws,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::planning::scenario::from_json;

    fn opts(draws: usize) -> Options {
        Options {
            draws,
            seed: 7,
            policies: vec![],
            quantiles: QuantileMode::Exact,
            keep_draws: false,
            binomial: false,
        }
    }

    #[test]
    fn worked_by_hand() {
        // Ages 20-22; 10 % leave each year; 30 entrants aged 20; retirement at 23.
        let m = from_json(
            r#"{"start_year": 2024, "horizon": 2, "regions": ["A"], "min_age": 20,
                "cadres": [{"name": "nurse", "retirement_age": 23, "attrition": {"rate": 0.1},
                            "entrants": {"per_year": 30, "age": {"mean": 20}},
                            "demand": {"method": "norm", "per_1000": 4.45}}],
                "population": {"base": 40000},
                "stock": [{"region": "A", "cadre": "nurse", "age": 20, "count": 100},
                          {"region": "A", "cadre": "nurse", "age": 21, "count": 50},
                          {"region": "A", "cadre": "nurse", "age": 22, "count": 10}]}"#,
        )
        .unwrap();
        let p = simulate(&m, &opts(0)).unwrap();
        // 2025: 90 + 45 stay and age, 9 retire, 30 enter: 165. 2026: 27 + 81 + 30 = 138.
        assert_eq!(p.supply.mean, vec![160.0, 165.0, 138.0]);
        assert!((p.demand.mean[1] - 178.0).abs() < 1e-12);
        let f = &p.flows[..NF];
        assert_eq!(f[F_ATTRITION], 16.0);
        assert_eq!(f[F_RETIRE], 9.0);
        assert_eq!(f[F_ENTRANTS], 30.0);
    }

    fn conserved(p: &Projection) {
        for row in p.flows.chunks(NF) {
            let lhs =
                row[F_START] - row[F_DEATHS] - row[F_ATTRITION] - row[F_TRAINING] - row[F_OUT]
                    + row[F_IN]
                    - row[F_RETIRE]
                    + row[F_RETURNS]
                    + row[F_ENTRANTS];
            assert!(
                (lhs - row[F_END]).abs() < 1e-9 * row[F_END].max(1.0),
                "{row:?}"
            );
        }
    }

    const FULL: &str = r#"{"start_year": 2024, "horizon": 8, "regions": ["A", "B"], "min_age": 22,
        "cadres": [{"name": "doctor", "grades": ["general", "specialist"], "retirement_age": 60,
                    "death_rate": 0.002,
                    "attrition": {"rate": {"A": 0.05, "B": {"dist": "beta", "a": 4, "b": 60}},
                                  "by_age": [{"from": 55, "rate": 0.1}],
                                  "grade_multipliers": [1, 0.8]},
                    "entrants": {"per_year": {"A": 20, "B": 10}, "growth": 0.02, "age": {"mean": 25, "sd": 2}},
                    "training": [{"from_grade": "general", "to_grade": "specialist", "places": 6,
                                  "duration": 2, "return_rate": {"dist": "uniform", "low": 0.8, "high": 1},
                                  "bond_years": 3, "rate_during_bond": 0.01, "years_after_bond": 2,
                                  "rate_after_bond": 0.3, "cost_per_trainee_year": 5, "cost_one_off": 2}],
                    "demand": {"method": "norm", "per_1000": 1.2}, "salary": 10},
                   {"name": "nurse", "retirement_age": 55, "attrition": {"rate": 0.07},
                    "entrants": {"per_year": 40, "age": {"ages": [22, 23], "shares": [1, 1]}},
                    "demand": {"method": "quota", "quota": {"A": 300, "B": 200}}}],
        "population": {"base": {"A": 200000, "B": 150000}, "growth": {"dist": "normal", "mean": 0.01, "sd": 0.005}},
        "migration": [{"from": "B", "to": "A", "rate": 0.03}, {"cadre": "nurse", "from": "A", "to": "B", "rate": 0.01}],
        "stock": [{"region": "A", "cadre": "doctor", "count": 250}, {"region": "B", "cadre": "doctor", "count": 150},
                  {"region": "A", "cadre": "doctor", "grade": "specialist", "age": 45, "count": 30},
                  {"region": "A", "cadre": "nurse", "count": 280}, {"region": "B", "cadre": "nurse", "count": 160}],
        "policies": [{"name": "incentive", "attrition_multiplier": [{"cadre": "doctor", "value": 0.7}],
                      "costs": [{"item": "incentive", "kind": "per_person_year", "cadre": "doctor", "amount": 3}]}]}"#;

    #[test]
    fn conservation_with_every_flow() {
        let m = from_json(FULL).unwrap();
        for (draws, binomial) in [(0, false), (20, false), (20, true)] {
            let p = simulate(
                &m,
                &Options {
                    policies: vec![0],
                    binomial,
                    ..opts(draws)
                },
            )
            .unwrap();
            conserved(&p);
            assert!(p
                .flows
                .chunks(NF)
                .any(|r| r[F_RETURNS] > 0.0 && r[F_IN] > 0.0 && r[F_TRAINING] > 0.0));
        }
    }

    #[test]
    fn same_for_any_thread_count() {
        let m = from_json(FULL).unwrap();
        let run = |threads| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(|| {
                simulate(
                    &m,
                    &Options {
                        quantiles: QuantileMode::Streaming,
                        ..opts(40)
                    },
                )
                .unwrap()
            })
        };
        let (a, b) = (run(1), run(2));
        assert_eq!(a.supply.quantiles, b.supply.quantiles);
        assert_eq!(a.gap.mean, b.gap.mean);
        assert_eq!(a.costs, b.costs);
    }

    #[test]
    fn bad_keys_have_paths() {
        let e = from_json(&FULL.replace(r#""rate": 0.07"#, r#""rate": 1.5"#))
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "scenario key 'cadres[1].attrition.rate': a rate must lie in [0, 1], got 1.5"
        );
        let e = from_json(&FULL.replace(r#""salary": 10"#, r#""salary": 10, "wage": 1"#))
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("scenario key 'cadres[0].wage': unknown field `wage`"),
            "{e}"
        );
        let e = from_json(&FULL.replace(r#""B": {"dist": "beta""#, r#""C": {"dist": "beta""#))
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("scenario key 'cadres[0].attrition.rate.C': unknown region 'C'"),
            "{e}"
        );
        let e = from_json(&FULL.replace(r#""retirement_age": 55"#, r#""retirement_age": 20"#))
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("scenario key 'cadres[1].retirement_age'"),
            "{e}"
        );
        let e = from_json(&FULL.replace(r#""duration": 2"#, r#""duration": "two""#))
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("scenario key 'cadres[0].training[0].duration': invalid type"),
            "{e}"
        );
    }
}
