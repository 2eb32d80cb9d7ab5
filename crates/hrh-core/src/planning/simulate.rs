//! Monte Carlo driver of the stock-and-flow projection: sampling, blocks of draws,
//! regions linked by migration, and quantiles over draws.
//!
//! - A parameter's value in draw `d` depends on `(seed, d, parameter)` only (one random
//!   stream each), so any part of the model can sample the numbers it needs.
//! - Regions linked by migration form a group; groups never exchange staff, so each is
//!   projected on its own, for all draws, by [`supply::run_block`](super::supply) on
//!   blocks of [`L`] draws computed side by side.
//! - Per (year, region, cell), supply, demand and gap are summarised over draws: mean,
//!   P(gap > 0), and type-7 quantiles (exact) or extended P² estimates (streaming).
//!   Totals over regions add the groups' sums in group order.
//! - Blocks, groups and cells run in parallel, but every sum is taken in a fixed order,
//!   so results are identical for any number of threads.

use std::cell::RefCell;

use rayon::prelude::*;

use super::costs::BASE_ITEMS;
use super::flows::NF;
use super::lanes::{has_avx2, L};
use super::param::Dist;
use super::quantile::{exact_in, sum_min_max, P2, PROBS};
use super::scenario::{Demand, Model, Param, Population};
use super::supply::{lanes_of, run_block, Ctx, Flow, Group, Out, Scratch};
use crate::control::Control;
use crate::error::{Error, Result};
use crate::rng::Rng;

/// How quantiles over draws are computed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum QuantileMode {
    /// Keep every draw's numbers (a group of regions at a time) and take type-7 quantiles.
    Exact,
    /// Extended P² estimates; memory independent of the number of draws.
    Streaming,
    /// Exact while the numbers kept at once fit in [`EXACT_BUDGET`], else streaming.
    Auto,
}

/// Bytes of draws kept at once for exact quantiles under [`QuantileMode::Auto`], and the
/// working memory of a chunk of draws when streaming.
pub const EXACT_BUDGET: usize = 64 << 20;

/// Bytes of every draw's totals (shortage, supply and costs) kept for paired comparisons.
pub const KEPT_BUDGET: usize = 128 << 20;

/// The default limit of a simulation's work ([`Options::max_work`]): 1e10 draw-cell-years
/// (draws × years × regions × cells of cadres and grades), hours of computing on a
/// laptop for a scenario with costs and single-year ages; streaming quantiles need
/// little memory, so without it a huge number of draws would start and run for days.
pub const MAX_WORK: u64 = 10_000_000_000;

/// Numbers of a total per draw: supply, demand, shortage and surplus.
const NT: usize = 4;

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
    /// Project every cadre with the general step, a year at a time, even those the
    /// one-pass step could take (same model, same numbers up to rounding; for checks).
    pub general_only: bool,
    /// Also summarise the population, staff per 1,000 population per cell, and per total
    /// the density over its regions and the Theil index of the regions' densities.
    pub density: bool,
    /// Bytes the draws' buffers may take; a simulation that needs more is an input error
    /// before anything is allocated.
    pub max_memory: usize,
    /// Most work, in draw-cell-years (draws × projected years × regions × cells of
    /// cadres and grades), a simulation may take; one that would need more is an input
    /// error before it starts (see [`MAX_WORK`]).
    pub max_work: u64,
    /// Also project the staff in post at the horizon through the years after it (their
    /// expected person-years in post and salaries, kept per draw: `draws_after`).
    pub horizon_value: bool,
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
    /// Per (year, region, cell), row-major; the cells ([`Model::n_cells`]) are the
    /// cadres, then the grades of each cadre with more than one grade (whose demand is
    /// NaN unless the cadre's demand is given by grade).
    pub supply: Summary,
    pub demand: Summary,
    pub gap: Summary,
    /// Per (year, region, cell): `max(gap, 0)` and `max(-gap, 0)` over draws.
    pub shortage: Summary,
    pub surplus: Summary,
    /// Share of draws with demand > supply, per (year, region, cadre).
    pub p_gap: Vec<f64>,
    /// Per (year, cell or all cadres last), summed over regions.
    pub total_supply: Summary,
    pub total_demand: Summary,
    pub total_gap: Summary,
    pub total_p_gap: Vec<f64>,
    /// Per (year, cell or all cadres last): the sum over the cells (region x cadre, or
    /// region x grade for a cadre whose demand is by grade) of `max(demand - supply, 0)`,
    /// never netted against a surplus elsewhere, and of
    /// `max(supply - demand, 0)`, per draw; `total_gap` is their difference (net).
    pub total_shortage: Summary,
    pub total_surplus: Summary,
    /// Share of draws in which some cell is short (`total_shortage > 0`).
    pub total_p_short: Vec<f64>,
    /// With [`Options::density`]: staff per 1,000 population per (year, region, cell) (NaN
    /// for the population cell, the last of each region and year, whose supply is the
    /// population); per (year, cell or all): the density over all regions (staff per
    /// 1,000 of their population) and the Theil index T of the regions' densities,
    /// weighted by population; and every draw's Theil index (within the budget of kept
    /// shortages). Empty otherwise.
    pub density: Summary,
    pub total_density: Summary,
    pub total_theil: Summary,
    pub draws_theil: Vec<f64>,
    /// Every draw's `total_shortage` per (draw, year, cadre or all), kept when it, every
    /// draw's total supply and every draw's costs need at most [`KEPT_BUDGET`] bytes
    /// (else empty): policies run with the same seed are compared draw by draw.
    pub draws_shortage: Vec<f64>,
    /// Mean flows per (projected year, region, cadre, [`FLOWS`](super::flows::FLOWS)).
    pub flows: Vec<f64>,
    /// Cost item names.
    pub cost_items: Vec<String>,
    /// Mean costs per (projected year, region, cadre, item).
    pub costs: Vec<f64>,
    /// Costs summed over regions and cadres per (projected year, item or all items
    /// last), with quantiles over draws.
    pub total_cost: Summary,
    /// Every draw's `total_supply` per (draw, year, cell or all), and its costs per
    /// (draw, projected year, cadre, item), kept with `draws_shortage`.
    pub draws_total_supply: Vec<f64>,
    pub draws_cost: Vec<f64>,
    /// With [`Options::horizon_value`], every draw's expected person-years in post of the
    /// staff at the horizon in each year after it, and their salaries, per (draw, year
    /// after it, cadre, 2), kept with `draws_shortage`.
    pub draws_after: Vec<f64>,
    /// Kept draws: supply and demand per (draw, year, region, cadre).
    pub draws_supply: Vec<f64>,
    pub draws_demand: Vec<f64>,
    pub n_draws: usize,
    /// How the quantiles were computed (never `Auto`).
    pub quantiles: QuantileMode,
}

/// The cost items: "salary", then "training" and "bond_buyout" when a cadre trains, then
/// each distinct policy item; and for each
/// chosen policy (in `opts.policies` order), the item index of each of its costs.
fn cost_items(m: &Model, opts: &Options) -> (Vec<String>, Vec<Vec<usize>>) {
    let trains = m.cadres.iter().any(|c| !c.programmes.is_empty());
    let base = if trains {
        &BASE_ITEMS[..]
    } else {
        &BASE_ITEMS[..1]
    };
    let mut items: Vec<String> = base.iter().map(|s| s.to_string()).collect();
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

/// Calls `f(region, parameter)` for every parameter that a region-indexed setting gives
/// a region.
fn region_params(m: &Model, mut f: impl FnMut(usize, usize)) {
    let mut each = |ps: &[usize]| ps.iter().enumerate().for_each(|(r, &p)| f(r, p));
    for c in &m.cadres {
        each(&c.attrition);
        if let Some(e) = &c.entrants {
            each(&e.per_year);
            e.schedule.iter().flatten().for_each(|s| each(s));
        }
        c.programmes.iter().for_each(|p| each(&p.places));
        c.promotions.iter().for_each(|(_, _, rate)| each(rate));
        match &c.demand {
            Demand::Norm { rate: k, .. } | Demand::Quota(k) | Demand::Wisn(k) => each(k),
            Demand::ServiceUse { visits, .. } => each(visits),
            Demand::None => {}
        }
    }
    if let Population::Growth { base, growth } = &m.population {
        each(base);
        each(growth);
    }
}

/// Groups of regions linked by migration (ordered by their first region), and the
/// parameters shared by more than one region (sampled once per draw for all groups).
fn groups(m: &Model) -> (Vec<Group>, Vec<usize>) {
    let nr = m.regions.len();
    let mut root: Vec<usize> = (0..nr).collect();
    fn find(root: &mut [usize], mut r: usize) -> usize {
        while root[r] != r {
            root[r] = root[root[r]];
            r = root[r];
        }
        r
    }
    for mg in &m.migration {
        let (a, b) = (find(&mut root, mg.from), find(&mut root, mg.to));
        root[a.max(b)] = a.min(b);
    }
    let mut group_of = vec![usize::MAX; nr];
    let mut local = vec![0; nr];
    let mut out: Vec<Group> = Vec::new();
    for r in 0..nr {
        let top = find(&mut root, r);
        if group_of[top] == usize::MAX {
            group_of[top] = out.len();
            out.push(Group {
                regions: Vec::new(),
                migration: Vec::new(),
                local: Vec::new(),
            });
        }
        let gi = group_of[top];
        group_of[r] = gi;
        local[r] = out[gi].regions.len();
        out[gi].regions.push(r);
    }
    for (mi, mg) in m.migration.iter().enumerate() {
        out[group_of[mg.from]]
            .migration
            .push((mi, local[mg.from], local[mg.to]));
    }
    let mut owner = vec![(0usize, usize::MAX); m.params.len()];
    region_params(m, |r, p| {
        let o = &mut owner[p];
        o.0 += 1;
        o.1 = r;
    });
    let mut global = Vec::new();
    for (p, &(count, r)) in owner.iter().enumerate() {
        if count == 1 {
            out[group_of[r]].local.push(p);
        } else {
            global.push(p);
        }
    }
    (out, global)
}

/// Add a group's per-draw numbers, `w` per draw in (segment, number, draw of the segment)
/// order (`sl` draws a segment), to `rows`, `w` rows of `nd` draws.
fn add_by_segment(rows: &mut [f64], src: &[f64], w: usize, nd: usize, sl: usize) {
    if w == 0 {
        return;
    }
    for (sg, seg) in src.chunks_exact(w * sl).enumerate() {
        let d0 = sg * sl;
        if d0 >= nd {
            break;
        }
        let lanes = sl.min(nd - d0);
        for (j, part) in seg.chunks_exact(sl).enumerate() {
            let out = &mut rows[j * nd + d0..][..lanes];
            out.iter_mut()
                .zip(&part[..lanes])
                .for_each(|(a, b)| *a += b);
        }
    }
}

/// Numbers per draw after the horizon: (year after it, cadre, person-years or salaries),
/// with [`Options::horizon_value`] (else none).
fn after_len(m: &Model, opts: &Options) -> usize {
    if opts.horizon_value {
        m.n_ages * m.cadres.len() * 2
    } else {
        0
    }
}

/// The seed of draw `d`'s parameter streams.
fn draw_seed(seed: u64, draw: usize) -> u64 {
    Rng::stream(seed, draw as u64).next_u64()
}

/// Parameter `i` in the draw with seed `ds`, or its mean on the deterministic path.
fn sample(p: &Param, i: usize, ds: Option<u64>) -> f64 {
    match (&p.dist, ds) {
        (Dist::Fixed(v), _) => *v,
        (d, None) => d.mean(),
        (d, Some(ds)) => d.sample(&mut Rng::stream(ds, i as u64), p.lower),
    }
}

/// The values that draws `0..n` of a simulation with `seed` give the parameters that
/// vary (not fixed numbers): their indices in [`Model::params`] and the values per (draw,
/// parameter), row-major, exactly as the simulation drew them.
pub fn param_draws(m: &Model, seed: u64, n: usize) -> Result<(Vec<usize>, Vec<f64>)> {
    let which: Vec<usize> = (0..m.params.len())
        .filter(|&p| !matches!(m.params[p].dist, Dist::Fixed(_)))
        .collect();
    if n.checked_mul(which.len() * 8)
        .is_none_or(|b| b > KEPT_BUDGET * 8)
    {
        return Err(Error::argument(
            "draws",
            format!(
                "{n} draws of {} parameters are too many to keep",
                which.len()
            ),
        ));
    }
    let mut out = vec![0.0; n * which.len()];
    out.par_chunks_mut(which.len().max(1))
        .enumerate()
        .for_each(|(d, row)| {
            let ds = Some(draw_seed(seed, d));
            for (x, &p) in row.iter_mut().zip(&which) {
                *x = sample(&m.params[p], p, ds);
            }
        });
    Ok((which, out))
}

/// Running summary of `N` numbers of one cell over draws (supply, demand and gap for a
/// region's cell; with shortage and surplus for a total): their sums, the counts of
/// positive values, and P² estimators (streaming) or the final quantiles (exact).
#[derive(Clone)]
struct Cell<const N: usize> {
    sum: [f64; N],
    positive: [u32; N],
    p2: Option<Box<[P2; N]>>,
    q: [[f64; 5]; N],
    /// Sums of the shortage `max(gap, 0)` and surplus `max(-gap, 0)` of a region's
    /// cell, whose gap is its third number (see [`Cell::add_tails`]).
    tails: [f64; 2],
}

impl<const N: usize> Cell<N> {
    fn new(streaming: bool) -> Self {
        Cell {
            sum: [0.0; N],
            positive: [0; N],
            p2: streaming.then(|| Box::new(std::array::from_fn(|_| P2::new()))),
            q: [[f64::NAN; 5]; N],
            tails: [0.0; 2],
        }
    }

    /// Add the shortage and surplus of draws of a cell's gap (their quantiles follow from
    /// the gap's, see [`tails_of`]).
    /// Draws with an unknown gap (NaN) count as 0 here; [`tails_of`] makes the result
    /// NaN when the gap's sum is.
    ///
    /// One pass sums the positive parts and the gaps themselves (four interleaved lanes,
    /// added in a fixed order); the surplus is their difference, exactly 0 when every gap
    /// is positive and exactly minus the sum when none is (rounding-level otherwise).
    fn add_tails(&mut self, gap: &[f64]) {
        let (mut short, mut all) = ([0.0; 4], [0.0; 4]);
        let chunks = gap.chunks_exact(4);
        let rest = chunks.remainder();
        for c in chunks {
            for l in 0..4 {
                short[l] += pos(c[l]);
                all[l] += c[l];
            }
        }
        for &g in rest {
            short[0] += pos(g);
            all[0] += g;
        }
        let short = (short[0] + short[1]) + (short[2] + short[3]);
        let all = (all[0] + all[1]) + (all[2] + all[3]);
        self.tails[0] += short;
        self.tails[1] += short - all;
    }

    /// Add draws of the numbers in draw order; with `all`, they are every draw and the
    /// exact quantiles are taken. The vectors are reused as scratch.
    /// Positive values are counted for the numbers flagged in `count`.
    fn add(&mut self, xs: [&mut Vec<f64>; N], count: [bool; N], all: bool) {
        for (j, w) in xs.into_iter().enumerate() {
            // The sum (over four interleaved lanes of draws, added in a fixed order at
            // the end) and the smallest and largest values (NaN left out).
            let (sum, lo, hi) = sum_min_max(w);
            self.sum[j] += sum;
            if count[j] {
                self.positive[j] += w.iter().map(|&z| u32::from(z > 0.0)).sum::<u32>();
            }
            match &mut self.p2 {
                Some(p2) => w
                    .iter()
                    .filter(|x| !x.is_nan())
                    .for_each(|&x| p2[j].push(x)),
                None if all => {
                    // A NaN makes the sum NaN.
                    if self.sum[j].is_nan() {
                        w.retain(|x| !x.is_nan());
                    }
                    self.q[j] = exact_in(w, lo, hi);
                }
                None => {}
            }
        }
    }

    /// Means, quantiles and shares of positive values over `n` draws (NaN where the mean
    /// is NaN).
    fn finish(&self, n: usize) -> ([f64; N], [[f64; 5]; N], [f64; N]) {
        let nn = n as f64;
        let mean = self.sum.map(|s| s / nn);
        let q = match &self.p2 {
            Some(p2) => std::array::from_fn(|j| p2[j].quantiles()),
            None => self.q,
        };
        let share = std::array::from_fn(|j| {
            if mean[j].is_nan() {
                f64::NAN
            } else {
                f64::from(self.positive[j]) / nn
            }
        });
        (mean, q, share)
    }
}

/// A cell's shortage and surplus over `n` draws from its tail sums and its gap's
/// quantiles: `max(gap, 0)` is a non-decreasing function of the gap, so its quantiles are
/// the gap's, floored at 0; and the surplus's quantile at `p` is `max(-q_gap(1 - p), 0)`
/// (type 7 quantiles are symmetric; [`PROBS`] is).
fn tails_of(tails: [f64; 2], gap_mean: f64, gap_q: &[f64; 5], n: usize) -> [(f64, [f64; 5]); 2] {
    let floor = |x: f64| if x.is_nan() { x } else { x.max(0.0) };
    let mean = |t: f64| {
        if gap_mean.is_nan() {
            f64::NAN
        } else {
            t / n as f64
        }
    };
    [
        (mean(tails[0]), gap_q.map(floor)),
        (
            mean(tails[1]),
            std::array::from_fn(|i| floor(-gap_q[4 - i])),
        ),
    ]
}

/// Add a cell's draws `s` (supply) and `d` (demand) to its total's supply, demand,
/// shortage and surplus (`acc`, in that order, as long as `s`).
#[inline(always)]
fn add_cell([ts, td, sh, su]: [&mut [f64]; 4], s: &[f64], d: &[f64]) {
    let n = s.len();
    let (ts, td, sh, su, d) = (
        &mut ts[..n],
        &mut td[..n],
        &mut sh[..n],
        &mut su[..n],
        &d[..n],
    );
    for l in 0..n {
        ts[l] += s[l];
        td[l] += d[l];
        let (short, over) = unmet(d[l] - s[l]);
        sh[l] += short;
        su[l] += over;
    }
}

/// [`add_cell`] compiled for AVX2 when `avx2` says the processor has it (the same IEEE
/// operations, so the same numbers).
fn add_cell_fast(avx2: bool, acc: [&mut [f64]; 4], s: &[f64], d: &[f64]) {
    #[cfg(target_arch = "x86_64")]
    {
        #[target_feature(enable = "avx2")]
        fn twin(acc: [&mut [f64]; 4], s: &[f64], d: &[f64]) {
            add_cell(acc, s, d);
        }
        if avx2 {
            // SAFETY: the processor supports AVX2 (`has_avx2`).
            unsafe { twin(acc, s, d) };
            return;
        }
    }
    add_cell(acc, s, d);
}

/// `x ln(x / p)`, 0 at `x = 0` (its limit).
#[inline(always)]
fn xlogx(x: f64, p: f64) -> f64 {
    if x > 0.0 {
        x * (x / p).ln()
    } else {
        0.0
    }
}

/// Per draw of a total: its density (staff per 1,000 of the population of its regions)
/// and the Theil index T of its regions' densities weighted by population,
/// `Σ x ln(x / p) / S - ln(S / P)` with `S = Σ x` and `P = Σ p` (NaN without staff).
fn density_theil(staff: f64, pop: f64, xl: f64) -> (f64, f64) {
    let theil = if staff > 0.0 {
        xl / staff - (staff / pop).ln()
    } else {
        f64::NAN
    };
    (1000.0 * staff / pop, theil)
}

/// `demand - supply` of one draw.
#[inline(always)]
fn gap_of(s: &[f64], d: &[f64], gap: &mut Vec<f64>) {
    gap.clear();
    gap.extend(d.iter().zip(s).map(|(d, s)| d - s));
}

/// `max(x, 0)`, 0 for NaN (callers mark unknown demand), as one vector instruction.
#[inline(always)]
fn pos(x: f64) -> f64 {
    if x > 0.0 {
        x
    } else {
        0.0
    }
}

/// The shortage `max(g, 0)` and surplus `max(-g, 0)` in a cell's gap `g = demand -
/// supply`, without branches (both 0 for a NaN gap: callers mark unknown demand).
#[inline(always)]
fn unmet(g: f64) -> (f64, f64) {
    (pos(g), pos(-g))
}

/// Blocks of a segment run one after another on one worker, adding their flows and costs
/// lane by lane; segments run in parallel and are added in segment order.
const SEG: usize = 16;

/// Draws of a segment of a chunk of `nd` draws: [`SEG`] blocks, fewer for a small chunk.
/// Buffers of draws hold, per segment, each cell's draws side by side (a cell's draws are
/// then a few long runs), padded to whole segments.
fn seg_len(nd: usize) -> usize {
    (SEG * L).min(nd.next_multiple_of(L))
}

/// Draw slots of a buffer for `nd` draws: whole segments.
fn slots(nd: usize) -> usize {
    let sl = seg_len(nd);
    nd.div_ceil(sl) * sl
}

/// Flows and costs of a chunk of draws of a group, summed over the draws, per local cell.
struct GroupChunk {
    flows: Vec<f64>,
    costs: Vec<f64>,
    /// Each draw's costs per (segment, year, cadre and item, draw of the segment).
    draw_costs: Vec<f64>,
    /// Each draw's person-years and salaries after the horizon, the same layout.
    draw_after: Vec<f64>,
}

thread_local! {
    /// A worker's buffers (whose flows and costs sum a segment's blocks).
    static WORKER: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// Everything fixed for a simulation.
struct Run<'a> {
    cx: Ctx<'a>,
    opts: &'a Options,
    global: &'a [usize],
    control: &'a Control,
}

impl Run<'_> {
    /// Numbers per segment of a chunk of `nd` draws of group `g` in each buffer of
    /// [`GroupDraws`], in its field order.
    fn per_segment(&self, g: &Group, nd: usize) -> [usize; 6] {
        let m = self.cx.m;
        let (cl, fl, cc) = self.cx.sizes(g.regions.len());
        let sl = seg_len(nd);
        let yi = m.horizon * m.cadres.len() * self.cx.n_items;
        // (Without live costs, one unused number per draw.)
        let yk = if self.cx.costs_live { yi } else { 0 };
        // (One unused number per draw without `horizon_value`, so that every segment has
        // its slice.)
        let ka = after_len(m, self.opts);
        [cl * sl, cl * sl, fl, cc, yk.max(1) * sl, ka.max(1) * sl]
    }

    /// Run the draws of segments `segs` of the chunk of `nd` draws from `c0` of group
    /// `g` into `sbuf` and `dbuf` (supply and demand per segment, local cell and draw of
    /// the segment, from segment `segs.start`); returns the other numbers of
    /// [`GroupDraws`] (its `supply` and `demand` left empty). `seeds` and `gvals` are
    /// the chunk's draw seeds (None on the deterministic path) and global parameters.
    /// A segment's numbers depend on the chunk and the segment only, so segments may
    /// run anywhere.
    #[allow(clippy::too_many_arguments)]
    fn draw(
        &self,
        g: &Group,
        c0: usize,
        nd: usize,
        seeds: &[Option<u64>],
        gvals: &[f64],
        segs: std::ops::Range<usize>,
        sbuf: &mut [f64],
        dbuf: &mut [f64],
    ) -> GroupDraws {
        let m = self.cx.m;
        let opts = self.opts;
        let (cl, fl, cc) = self.cx.sizes(g.regions.len());
        let sl = seg_len(nd);
        let nseg = segs.len();
        let nblocks = nd.div_ceil(L);
        let ng = self.global.len();
        let [_, _, _, _, kw, aw] = self.per_segment(g, nd);
        let mut fbuf = vec![0.0; nseg * fl];
        let mut cbuf = vec![0.0; nseg * cc];
        let mut kbuf = vec![0.0; nseg * kw];
        let mut abuf = vec![0.0; nseg * aw];
        sbuf.par_chunks_mut(cl * sl)
            .zip(dbuf.par_chunks_mut(cl * sl))
            .zip(fbuf.par_chunks_mut(fl))
            .zip(cbuf.par_chunks_mut(cc))
            .zip(kbuf.par_chunks_mut(kw))
            .zip(abuf.par_chunks_mut(aw))
            .enumerate()
            .for_each(|(i, (((((sb, db), fb), cb), kb), ab))| {
                let sg = segs.start + i;
                WORKER.with_borrow_mut(|s| {
                    if s.v.len() != m.params.len() {
                        *s = Scratch::new(m.params.len());
                    }
                    s.flows.clear();
                    s.flows.resize(fl, 0.0);
                    s.costs.clear();
                    s.costs.resize(cc, 0.0);
                    let per_seg = sl / L;
                    for bi in 0..(nblocks - sg * per_seg).min(per_seg) {
                        // Asked to stop: the rest is skipped and the caller returns
                        // `Error::Interrupted`.
                        if self.control.cancelled() {
                            break;
                        }
                        let first = c0 + (sg * per_seg + bi) * L;
                        let valid = L.min(c0 + nd - first);
                        let lanes = lanes_of(first, valid);
                        let seeds = lanes.map(|d| seeds[d - c0]);
                        for (j, &p) in self.global.iter().enumerate() {
                            let x = &mut s.v[p];
                            for (l, &d) in lanes.iter().enumerate() {
                                x.0[l] = gvals[(d - c0) * ng + j];
                            }
                        }
                        for &p in &g.local {
                            let x = &mut s.v[p];
                            for (l, sd) in seeds.iter().enumerate() {
                                x.0[l] = sample(&m.params[p], p, *sd);
                            }
                        }
                        let mut flow = Flow {
                            rngs: opts.binomial.then(|| {
                                seeds
                                    .iter()
                                    .map(|sd| {
                                        let stream = m.params.len() + g.regions[0];
                                        Rng::stream(sd.unwrap_or(0), stream as u64)
                                    })
                                    .collect()
                            }),
                        };
                        // Lanes past the last draw repeat it and are left out.
                        let mut out = Out {
                            supply: sb,
                            demand: db,
                            costs: kb,
                            after: ab,
                            stride: sl,
                            at: bi * L,
                        };
                        run_block_fast(&self.cx, g, &mut flow, s, &mut out, valid);
                    }
                    fb.copy_from_slice(&s.flows);
                    cb.copy_from_slice(&s.costs);
                });
            });
        GroupDraws {
            supply: Vec::new(),
            demand: Vec::new(),
            flows: fbuf,
            costs: cbuf,
            draw_costs: kbuf,
            draw_after: abuf,
        }
    }

    /// Add the draws of a chunk of `nd` draws of a group, `sbuf` and `dbuf` (supply and
    /// demand per segment, local cell and draw of the segment) and `raw`'s per-segment
    /// flows and costs, to its cells; returns its flows and costs summed over the draws.
    fn summarise(
        &self,
        g: &Group,
        nd: usize,
        sbuf: &[f64],
        dbuf: &[f64],
        raw: GroupDraws,
        (cells, dcells): (&mut [Cell<3>], &mut [Cell<1>]),
    ) -> GroupChunk {
        let opts = self.opts;
        let (cl, fl, cc) = self.cx.sizes(g.regions.len());
        let GroupDraws {
            flows: fbuf,
            costs: cbuf,
            draw_costs: kbuf,
            draw_after: abuf,
            ..
        } = raw;
        // Segment sums, in segment order.
        let fold = |buf: &[f64], len: usize| {
            let mut out = vec![0.0; len];
            for part in buf.chunks_exact(len) {
                out.iter_mut().zip(part).for_each(|(a, b)| *a += b);
            }
            out
        };
        let all = opts.quantiles == QuantileMode::Exact;
        cells
            .par_iter_mut()
            .enumerate()
            .with_min_len(8)
            .for_each_init(
                || (vec![0.0; nd], vec![0.0; nd], Vec::new()),
                |(s, d, gap), (i, cell)| {
                    s.resize(nd, 0.0);
                    d.resize(nd, 0.0);
                    gather(sbuf, cl, i, s);
                    gather(dbuf, cl, i, d);
                    gap_of(s, d, gap);
                    cell.add_tails(gap);
                    cell.add([s, d, gap], [false, false, true], all);
                },
            );
        // Staff per 1,000 population of each cell, draw by draw (the population cell is
        // the last of each region and year).
        let nw = self.cx.n_cells;
        dcells
            .par_iter_mut()
            .enumerate()
            .with_min_len(8)
            .for_each_init(
                || (vec![0.0; nd], vec![0.0; nd]),
                |(x, pop), (i, cell)| {
                    x.resize(nd, 0.0);
                    pop.resize(nd, 0.0);
                    if i % nw == nw - 1 {
                        x.fill(f64::NAN);
                    } else {
                        gather(sbuf, cl, i, x);
                        gather(sbuf, cl, i - i % nw + nw - 1, pop);
                        x.iter_mut()
                            .zip(pop.iter())
                            .for_each(|(x, p)| *x *= 1000.0 / p);
                    }
                    cell.add([x], [false], all);
                },
            );
        GroupChunk {
            flows: fold(&fbuf, fl),
            costs: fold(&cbuf, cc),
            draw_costs: kbuf,
            draw_after: abuf,
        }
    }
}

/// The draws of local cell `i` from a buffer of (segment, cell, draw of the segment)
/// numbers with `cl` cells, in draw order.
fn gather(buf: &[f64], cl: usize, i: usize, out: &mut [f64]) {
    let sl = seg_len(out.len());
    for (sg, o) in out.chunks_mut(sl).enumerate() {
        o.copy_from_slice(&buf[(sg * cl + i) * sl..][..o.len()]);
    }
}

/// [`run_block`] compiled for AVX2 when the processor has it (the same IEEE operations,
/// so the same numbers, on 4 lanes per instruction instead of 2).
fn run_block_fast(
    cx: &Ctx,
    g: &Group,
    flow: &mut Flow,
    s: &mut Scratch,
    out: &mut Out,
    valid: usize,
) {
    #[cfg(target_arch = "x86_64")]
    {
        #[target_feature(enable = "avx2")]
        fn avx2(
            cx: &Ctx,
            g: &Group,
            flow: &mut Flow,
            s: &mut Scratch,
            out: &mut Out,
            valid: usize,
        ) {
            run_block(cx, g, flow, s, out, valid);
        }
        if cx.avx2 {
            // SAFETY: the processor supports AVX2 (`has_avx2`).
            unsafe { avx2(cx, g, flow, s, out, valid) };
            return;
        }
    }
    run_block(cx, g, flow, s, out, valid);
}

/// Run the projection.
pub fn simulate(m: &Model, opts: &Options) -> Result<Projection> {
    simulate_with(m, opts, &Control::default())
}

/// [`simulate`], reporting its progress (in draws of groups of regions) to `control` and
/// stopping with [`Error::Interrupted`] when asked to.
pub fn simulate_with(m: &Model, opts: &Options, control: &Control) -> Result<Projection> {
    run_draws(m, opts, control, None)
}

/// One group of regions' numbers from draws of a chunk, segment after segment (see
/// [`Layout`]): supply and demand per (segment, local cell, draw of the segment), flows
/// and costs summed over each segment's draws, and each draw's costs and numbers after
/// the horizon per segment. The buffers of consecutive segments follow one another, so
/// the numbers of a chunk are those of its segments put end to end.
#[derive(Clone, Debug, Default)]
pub struct GroupDraws {
    pub supply: Vec<f64>,
    pub demand: Vec<f64>,
    pub flows: Vec<f64>,
    pub costs: Vec<f64>,
    pub draw_costs: Vec<f64>,
    pub draw_after: Vec<f64>,
}

/// How a simulation splits its draws: chunks of draws summarised one after another, each
/// cut into segments of draws whose numbers depend on (chunk, segment) only; and waves of
/// groups of regions projected together.
#[derive(Clone, Debug)]
pub struct Layout {
    /// Per chunk: its first draw, its number of draws and its number of segments.
    pub chunks: Vec<(usize, usize, usize)>,
    /// Per wave: its groups (ranges of group indices).
    pub waves: Vec<std::ops::Range<usize>>,
    /// Bytes of every draw's numbers of every group ([`GroupDraws`] of all chunks and
    /// waves), what [`simulate_from`]'s source hands over in all.
    pub bytes: u64,
}

/// The [`Layout`] of a simulation, after the checks [`simulate`] makes before it starts
/// (the same errors).
pub fn layout(m: &Model, opts: &Options) -> Result<Layout> {
    let p = prepare(m, opts)?;
    let run = Run {
        cx: p.ctx(m),
        opts: &p.opts,
        global: &p.global,
        control: &Control::default(),
    };
    let mut chunks = Vec::new();
    let mut bytes = 0u64;
    let mut c0 = 0;
    while c0 < p.n {
        let nd = p.chunk.min(p.n - c0);
        let nseg = slots(nd) / seg_len(nd);
        chunks.push((c0, nd, nseg));
        for g in &p.groups {
            let per: usize = run.per_segment(g, nd).iter().sum();
            bytes = bytes.saturating_add(8 * (per as u64).saturating_mul(nseg as u64));
        }
        c0 += nd;
    }
    Ok(Layout {
        chunks,
        waves: p.waves.clone(),
        bytes,
    })
}

/// The numbers of segments `segs` of chunk `chunk` (see [`layout`]) of the groups of
/// wave `wave`, one [`GroupDraws`] per group, exactly as [`simulate`] computes them: a
/// simulation may be split into such pieces, run anywhere, and summarised by
/// [`simulate_from`].
pub fn simulate_draws(
    m: &Model,
    opts: &Options,
    chunk: usize,
    wave: usize,
    segs: std::ops::Range<usize>,
    control: &Control,
) -> Result<Vec<GroupDraws>> {
    let p = prepare(m, opts)?;
    let c0 = chunk.checked_mul(p.chunk).filter(|&c| c < p.n);
    let (Some(c0), Some(groups)) = (c0, p.waves.get(wave)) else {
        return Err(Error::argument(
            "chunk",
            format!("no chunk {chunk} of wave {wave} in this simulation"),
        ));
    };
    let nd = p.chunk.min(p.n - c0);
    let nseg = slots(nd) / seg_len(nd);
    if segs.start >= segs.end || segs.end > nseg {
        return Err(Error::argument(
            "segments",
            format!(
                "segments {}..{} are not within the chunk's {nseg}",
                segs.start, segs.end
            ),
        ));
    }
    let run = Run {
        cx: p.ctx(m),
        opts: &p.opts,
        global: &p.global,
        control,
    };
    let (seeds, gvals) = chunk_seeds(m, &p, c0, nd);
    let out = p.groups[groups.clone()]
        .par_iter()
        .map(|g| {
            let [sw, dw, ..] = run.per_segment(g, nd);
            let mut supply = vec![0.0; segs.len() * sw];
            let mut demand = vec![0.0; segs.len() * dw];
            let d = run.draw(
                g,
                c0,
                nd,
                &seeds,
                &gvals,
                segs.clone(),
                &mut supply,
                &mut demand,
            );
            GroupDraws {
                supply,
                demand,
                ..d
            }
        })
        .collect();
    control.check()?;
    Ok(out)
}

/// Where [`simulate_from`] takes each chunk's draws: called once per (chunk, wave) in
/// order, it returns the [`GroupDraws`] of the wave's groups over the whole chunk.
pub type DrawSource<'a> = dyn FnMut(usize, usize) -> Result<Vec<GroupDraws>> + 'a;

/// [`simulate_with`] on draws computed elsewhere ([`simulate_draws`] of every chunk,
/// wave and segment, put together): the same summaries in the same order, so the same
/// numbers as [`simulate`] with the same options and seed.
pub fn simulate_from(
    m: &Model,
    opts: &Options,
    control: &Control,
    source: &mut DrawSource<'_>,
) -> Result<Projection> {
    run_draws(m, opts, control, Some(source))
}

/// Everything a simulation fixes before its first draw, checked.
struct Prep {
    /// The options with the quantile mode resolved (never `Auto`).
    opts: Options,
    /// Draws run (1 on the deterministic path) and whether it is that path.
    n: usize,
    det: bool,
    items: Vec<String>,
    item_of: Vec<Vec<usize>>,
    changes: Vec<bool>,
    runs: Vec<std::ops::Range<usize>>,
    groups: Vec<Group>,
    global: Vec<usize>,
    /// Per cell: whether its shortage counts in its own total, and the cadre whose total
    /// also counts it.
    credit: Vec<(bool, Option<usize>)>,
    /// The population's cell, cells per region and year, totals per draw, each draw's
    /// costs and its numbers after the horizon.
    popc: usize,
    nw: usize,
    tc: usize,
    yi: usize,
    ka: usize,
    /// Draws summarised at a time.
    chunk: usize,
    waves: Vec<std::ops::Range<usize>>,
}

impl Prep {
    fn ctx<'a>(&'a self, m: &'a Model) -> Ctx<'a> {
        let opts = &self.opts;
        Ctx {
            m,
            policies: &opts.policies,
            n_items: self.items.len(),
            item_of: &self.item_of,
            changes: &self.changes,
            runs: &self.runs,
            gmax: m.cadres.iter().map(|c| c.grades.len()).max().unwrap_or(1),
            pmax: m
                .cadres
                .iter()
                .map(|c| c.programmes.len())
                .max()
                .unwrap_or(0),
            dmax: m
                .cadres
                .iter()
                .flat_map(|c| c.programmes.iter().map(|p| p.duration))
                .max()
                .unwrap_or(0),
            avx2: has_avx2(),
            grade_entry: (0..m.cadres.len())
                .map(|ci| {
                    opts.policies.iter().any(|&pi| {
                        let p = &m.policies[pi];
                        p.extra_entrants
                            .iter()
                            .any(|ch| ch.cadre == Some(ci) && ch.grade.is_some())
                    })
                })
                .collect(),
            general_only: opts.general_only,
            n_cells: self.nw,
            population_cell: opts.density,
            horizon_value: opts.horizon_value,
            costs_live: m.cadres.iter().any(|c| {
                c.salary.iter().any(|&x| x != 0.0)
                    || c.programmes
                        .iter()
                        .any(|p| p.cost_year != 0.0 || p.cost_one_off != 0.0 || p.buyout != 0.0)
            }) || opts
                .policies
                .iter()
                .any(|&p| !m.policies[p].costs.is_empty()),
        }
    }
}

/// The seeds of draws `c0..c0 + nd` (None on the deterministic path) and their values of
/// the global parameters, per (draw, parameter).
fn chunk_seeds(m: &Model, p: &Prep, c0: usize, nd: usize) -> (Vec<Option<u64>>, Vec<f64>) {
    let ng = p.global.len();
    let seeds: Vec<Option<u64>> = (c0..c0 + nd)
        .map(|d| (!p.det).then(|| draw_seed(p.opts.seed, d)))
        .collect();
    let mut gvals = vec![0.0; nd * ng];
    gvals
        .par_chunks_mut(ng.max(1))
        .zip(&seeds)
        .for_each(|(row, &ds)| {
            for (x, &q) in row.iter_mut().zip(&p.global) {
                *x = sample(&m.params[q], q, ds);
            }
        });
    (seeds, gvals)
}

fn prepare(m: &Model, opts: &Options) -> Result<Prep> {
    for &p in &opts.policies {
        if p >= m.policies.len() {
            return Err(Error::argument("policy", format!("no policy number {p}")));
        }
    }
    let n = opts.draws.max(1);
    let det = opts.draws == 0;
    let (items, item_of) = cost_items(m, opts);
    let nr = m.regions.len();
    let nc = m.cadres.len();
    let density = opts.density;
    if density && matches!(m.population, Population::None) {
        return Err(Error::argument(
            "density",
            "densities need a population: give the scenario a `population`",
        ));
    }
    // Output cells per region and year: the cadres', then grades' (`Model::n_cells`),
    // then with densities the population's (`popc`).
    let popc = m.n_cells;
    let nw = m.n_cells + usize::from(density);
    let h = m.horizon;
    let tc = (h + 1) * (nw + 1);
    // Per cell: whether its shortage counts in its own total (a cadre with demand by
    // grade counts its grades' shortages instead), and the cadre whose total also counts
    // it (a grade of a cadre with demand by grade). The population cell has none.
    let mut credit: Vec<(bool, Option<usize>)> = vec![(true, None); nw];
    if density {
        credit[popc].0 = false;
    }
    for (ci, c) in m.cadres.iter().enumerate() {
        if let (Some(g0), false) = (c.grade_cell0, c.grade_demand.is_empty()) {
            credit[ci].0 = false;
            for j in g0..g0 + c.grades.len() {
                credit[j].1 = Some(ci);
            }
        }
    }
    let (groups, global) = groups(m);
    // Years whose active policies differ from the year before.
    // (Students a policy adds graduate up to `lag` years after it acts.)
    let active = |t: usize| -> Vec<bool> {
        let year = m.start_year + t as i32;
        opts.policies
            .iter()
            .flat_map(|&pi| {
                let p = &m.policies[pi];
                (0..=p.lag).map(move |d| p.active(year - d as i32))
            })
            .collect()
    };
    let changes: Vec<bool> = (0..=h)
        .map(|t| t > 0 && active(t) != active(t - 1))
        .collect();
    // Runs of years with the same policy settings.
    let mut runs = Vec::new();
    let mut t0 = 1;
    for t in 2..=h + 1 {
        if t > h || changes[t] {
            runs.push(t0..t);
            t0 = t;
        }
    }
    // Memory per draw: the largest group's supply and demand, plus the totals' supply,
    // demand, shortage and surplus.
    let biggest = groups.iter().map(|g| g.regions.len()).max().unwrap_or(0);
    // Each draw's costs per (projected year, cadre, item): one buffer per group, and the
    // sum.
    let yi = h * nc * items.len();
    let ka = after_len(m, opts);
    // Per draw: the largest group's supply, demand, costs and numbers after the horizon
    // (each group of a wave has its own), and the chunk's totals.
    let per_draw = 16 * (h + 1) * biggest * nw + 8 * (yi + ka.max(1)) + 8 * NT * tc + 8 * (yi + ka);
    let mode = match opts.quantiles {
        _ if det => QuantileMode::Exact,
        QuantileMode::Auto if per_draw * slots(n) <= EXACT_BUDGET => QuantileMode::Exact,
        QuantileMode::Auto => QuantileMode::Streaming,
        q => q,
    };
    let opts = &Options {
        quantiles: mode,
        ..opts.clone()
    };
    let chunk = match mode {
        QuantileMode::Exact => n,
        _ => (EXACT_BUDGET / per_draw / L * L).clamp(L, 64 * L).min(n),
    };
    // Memory the draws' buffers need, checked before anything is allocated: a chunk's
    // supply and demand (the largest group's), its totals, and the kept draws.
    let need = (|| {
        let slots = chunk.checked_next_multiple_of(SEG * L)?;
        let chunk_bytes = per_draw.checked_add(8 * tc)?.checked_mul(slots)?;
        let kept = if opts.keep_draws {
            n.checked_mul((h + 1) * nr * nc)?.checked_mul(16)?
        } else {
            0
        };
        let seeds = chunk.checked_mul(16 + 8 * m.params.len())?;
        chunk_bytes.checked_add(kept)?.checked_add(seeds)
    })();
    match need {
        Some(bytes) if bytes <= opts.max_memory => {}
        _ => {
            let gib = |b: f64| b / f64::from(1u32 << 30);
            let want = need.map_or("more than the address space".to_string(), |b| {
                format!("about {:.1} GiB", gib(b as f64))
            });
            let hint = if opts.keep_draws {
                "keep fewer draws (keep_draws=False)"
            } else {
                "use quantiles='streaming' or 'auto', or fewer draws"
            };
            return Err(Error::argument(
                "draws",
                format!(
                    "{} draws would need {want} of memory, over the budget of {:.1} GiB \
                     (HRH_MAX_MEMORY): {hint}",
                    opts.draws,
                    gib(opts.max_memory as f64)
                ),
            ));
        }
    }
    // Work, checked before anything starts: streaming quantiles keep memory fixed, so
    // the memory check alone would let a huge number of draws run for days.
    let years = h as u64 + 1;
    let work = (n as u64)
        .checked_mul(years)
        .and_then(|w| w.checked_mul(nr as u64))
        .and_then(|w| w.checked_mul(m.n_cells.max(1) as u64));
    if work.is_none_or(|w| w > opts.max_work) {
        let amount = work.map_or("more than 1.8e19".to_string(), |w| {
            format!("{:.2e}", w as f64)
        });
        return Err(Error::argument(
            "draws",
            format!(
                "{} draws of {years} years x {nr} regions x {} cadre and grade cells are \
                 {amount} draw-cell-years of work, over the limit of {:.2e} (HRH_MAX_WORK): \
                 use fewer draws, or raise HRH_MAX_WORK if the run is meant to take that long",
                opts.draws,
                m.n_cells.max(1),
                opts.max_work as f64
            ),
        ));
    }
    // Groups run in waves whose buffers of supply and demand draws fit the budget.
    let mut waves = Vec::new();
    let mut start = 0;
    while start < groups.len() {
        let mut end = start;
        let mut bytes = 0;
        while end < groups.len() {
            let b = slots(chunk)
                * (16 * (h + 1) * groups[end].regions.len() * nw + 8 * (yi + ka.max(1)));
            if end > start && bytes + b > EXACT_BUDGET {
                break;
            }
            bytes += b;
            end += 1;
        }
        waves.push(start..end);
        start = end;
    }
    Ok(Prep {
        opts: opts.clone(),
        n,
        det,
        items,
        item_of,
        changes,
        runs,
        groups,
        global,
        credit,
        popc,
        nw,
        tc,
        yi,
        ka,
        chunk,
        waves,
    })
}

fn run_draws(
    m: &Model,
    opts: &Options,
    control: &Control,
    mut source: Option<&mut DrawSource<'_>>,
) -> Result<Projection> {
    let p = prepare(m, opts)?;
    let opts = &p.opts;
    let (n, chunk, mode) = (p.n, p.chunk, opts.quantiles);
    let (groups, global, credit, waves, items) =
        (&p.groups, &p.global[..], &p.credit, &p.waves, &p.items);
    let (popc, nw, tc, yi, ka) = (p.popc, p.nw, p.tc, p.yi, p.ka);
    let (nr, nc, h, density) = (m.regions.len(), m.cadres.len(), m.horizon, opts.density);
    let run = Run {
        cx: p.ctx(m),
        opts,
        global,
        control,
    };
    // Progress in draws of groups.
    control.set_total((n as u64).saturating_mul(groups.len() as u64));
    let streaming = mode == QuantileMode::Streaming;
    let mut cells: Vec<Vec<Cell<3>>> = groups
        .iter()
        .map(|g| vec![Cell::new(streaming); run.cx.sizes(g.regions.len()).0])
        .collect();
    let mut tcells = vec![Cell::<5>::new(streaming); tc];
    // Densities: per region's cell, and per total (density, Theil index).
    let mut dcells: Vec<Vec<Cell<1>>> = groups
        .iter()
        .map(|g| match density {
            true => vec![Cell::new(streaming); run.cx.sizes(g.regions.len()).0],
            false => Vec::new(),
        })
        .collect();
    let mut dtcells = vec![Cell::<2>::new(streaming); if density { tc } else { 0 }];
    // Every draw's total shortage and supply per (year, cell or all), and costs per
    // (projected year, item), when they fit the budget.
    let keep_short = n
        .checked_mul(8 * (2 * tc + yi + ka))
        .is_some_and(|b| b <= KEPT_BUDGET);
    let kept = |len: usize| {
        if keep_short {
            vec![0.0; n * len]
        } else {
            Vec::new()
        }
    };
    let (mut kept_short, mut kept_supply, mut kept_cost) = (kept(tc), kept(tc), kept(yi));
    let mut kept_after = kept(ka);
    // Costs per (projected year, item or all items).
    let mut ccells = vec![Cell::<1>::new(streaming); h * (items.len() + 1)];
    let mut kept_theil = if keep_short && density {
        vec![0.0; n * tc]
    } else {
        Vec::new()
    };
    let ni = items.len();
    let mut flows = vec![0.0; h * nr * nc * NF];
    let mut costs = vec![0.0; h * nr * nc * ni];
    let keep = opts.keep_draws;
    let cells_all = (h + 1) * nr * nw;
    // Kept draws: the cadres' cells.
    let kept_all = (h + 1) * nr * nc;
    let mut kept_s = if keep {
        vec![0.0; n * kept_all]
    } else {
        Vec::new()
    };
    let mut kept_d = if keep {
        vec![0.0; n * kept_all]
    } else {
        Vec::new()
    };
    let mut pool = [Vec::new(), Vec::new()];
    let mut c0 = 0;
    while c0 < n {
        let nd = chunk.min(n - c0);
        let sl = seg_len(nd);
        let nseg = slots(nd) / sl;
        // Computed here, or taken from the source.
        let (seeds, gvals) = match source {
            None => chunk_seeds(m, &p, c0, nd),
            Some(_) => (Vec::new(), Vec::new()),
        };
        // Totals per (segment, year and cadre, draw of the segment): supply, demand, and
        // the sums of the cells' shortages and surpluses.
        let mut ctot: [Vec<f64>; NT] = std::array::from_fn(|_| vec![0.0; slots(nd) * tc]);
        // With densities: per total, the sum over its regions of x ln(x / population), x
        // the staff of the region's cell (or of all its cadres), for the Theil index.
        // (Zeros without densities: it is small, and one layout serves both.)
        let mut cxl = vec![0.0; slots(nd) * tc];
        // Each draw's costs per (projected year, cadre, item), and its numbers after the
        // horizon, as (number, draw) rows; the groups added in group order.
        let mut kc = vec![0.0; nd * yi];
        let mut kafter = vec![0.0; nd * ka];
        for (wi, wave) in waves.iter().enumerate() {
            control.check()?;
            let gs = &groups[wave.clone()];
            // Each group's (segment, cell, draw of the segment) supply and demand, in one
            // buffer per wave.
            let len = |g: &Group| slots(nd) * run.cx.sizes(g.regions.len()).0;
            let mut offsets = vec![0];
            let mut total = 0;
            for g in gs {
                total += len(g);
                offsets.push(total);
            }
            if pool[0].len() < total {
                pool = [vec![0.0; total], vec![0.0; total]];
            }
            let [ps, pd] = &mut pool;
            let mut parts_s = Vec::with_capacity(gs.len());
            let mut parts_d = Vec::with_capacity(gs.len());
            let (mut rest_s, mut rest_d) = (&mut ps[..total], &mut pd[..total]);
            for g in gs {
                let (a, b) = std::mem::take(&mut rest_s).split_at_mut(len(g));
                parts_s.push(a);
                rest_s = b;
                let (a, b) = std::mem::take(&mut rest_d).split_at_mut(len(g));
                parts_d.push(a);
                rest_d = b;
            }
            let parts = gs
                .par_iter()
                .zip(parts_s)
                .zip(parts_d)
                .zip(cells[wave.clone()].par_iter_mut())
                .zip(dcells[wave.clone()].par_iter_mut());
            let outs: Vec<GroupChunk> = match source.as_deref_mut() {
                None => parts
                    .map(|((((g, sb), db), cs), ds)| {
                        let raw = run.draw(g, c0, nd, &seeds, &gvals, 0..nseg, sb, db);
                        let out = run.summarise(g, nd, sb, db, raw, (cs, ds));
                        control.add(nd as u64);
                        out
                    })
                    .collect(),
                Some(src) => {
                    let got = src(c0 / chunk, wi)?;
                    let fits = |g: &Group, d: &GroupDraws| {
                        let want = run.per_segment(g, nd).map(|w| w * nseg);
                        let have = [
                            &d.supply,
                            &d.demand,
                            &d.flows,
                            &d.costs,
                            &d.draw_costs,
                            &d.draw_after,
                        ]
                        .map(Vec::len);
                        want == have
                    };
                    if got.len() != gs.len() || gs.iter().zip(&got).any(|(g, d)| !fits(g, d)) {
                        return Err(Error::argument(
                            "draws",
                            format!(
                                "the draws of chunk {} and wave {wi} do not have the layout \
                                 of this simulation (see `layout`)",
                                c0 / chunk
                            ),
                        ));
                    }
                    parts
                        .zip(got)
                        .map(|(((((g, sb), db), cs), ds), raw)| {
                            sb.copy_from_slice(&raw.supply);
                            db.copy_from_slice(&raw.demand);
                            let out = run.summarise(g, nd, sb, db, raw, (cs, ds));
                            control.add(nd as u64);
                            out
                        })
                        .collect()
                }
            };
            control.check()?;
            let (ps, pd) = (&pool[0][..total], &pool[1][..total]);
            // Totals: each draw adds the groups' regions in group order (a segment of
            // draws at a time); a cell's shortage or surplus is counted where it is, never
            // netted against another cell's.
            let [cs, cd, csh, csu] = &mut ctot;
            let avx2 = run.cx.avx2;
            cs.par_chunks_mut(tc * sl)
                .zip(cd.par_chunks_mut(tc * sl))
                .zip(csh.par_chunks_mut(tc * sl))
                .zip(csu.par_chunks_mut(tc * sl))
                .zip(cxl.par_chunks_mut(tc * sl))
                .enumerate()
                .for_each(|(sg, ((((ts, td), tsh), tsu), txl))| {
                    let lanes = sl.min(nd - sg * sl);
                    // A year at a time, so that its totals stay in the fastest cache
                    // (each total still adds the groups' regions in group order).
                    for t in 0..=h {
                        for (gi, g) in gs.iter().enumerate() {
                            let k = g.regions.len();
                            let cl = run.cx.sizes(k).0;
                            let base = offsets[gi] + sg * cl * sl;
                            for ri in 0..k {
                                for (c, &(own, also)) in credit.iter().enumerate() {
                                    let i = base + ((t * k + ri) * nw + c) * sl;
                                    let at = (t * (nw + 1) + c) * sl;
                                    let (s, d) = (&ps[i..i + lanes], &pd[i..i + lanes]);
                                    let r = at..at + lanes;
                                    let (ts, td) = (&mut ts[r.clone()], &mut td[r.clone()]);
                                    if own {
                                        // One pass: sums, shortage and surplus.
                                        let (sh, su) = (&mut tsh[r.clone()], &mut tsu[r]);
                                        add_cell_fast(avx2, [ts, td, sh, su], s, d);
                                    } else {
                                        for l in 0..lanes {
                                            ts[l] += s[l];
                                            td[l] += d[l];
                                        }
                                    }
                                    if let Some(ci) = also {
                                        let to = (t * (nw + 1) + ci) * sl;
                                        let sh = &mut tsh[to..to + lanes];
                                        let su = &mut tsu[to..to + lanes];
                                        for l in 0..lanes {
                                            let (short, over) = unmet(d[l] - s[l]);
                                            sh[l] += short;
                                            su[l] += over;
                                        }
                                    }
                                }
                                if density {
                                    // x ln(x / population) of each cell and of all cadres.
                                    let cell = |c: usize| base + ((t * k + ri) * nw + c) * sl;
                                    let pop = &ps[cell(popc)..cell(popc) + lanes];
                                    let mut all = [0.0; SEG * L];
                                    for c in 0..popc {
                                        let x = &ps[cell(c)..cell(c) + lanes];
                                        let at = (t * (nw + 1) + c) * sl;
                                        for l in 0..lanes {
                                            txl[at + l] += xlogx(x[l], pop[l]);
                                            if c < nc {
                                                all[l] += x[l];
                                            }
                                        }
                                    }
                                    let at = (t * (nw + 1) + nw) * sl;
                                    for l in 0..lanes {
                                        txl[at + l] += xlogx(all[l], pop[l]);
                                    }
                                }
                            }
                        }
                    }
                });
            for (gi, (g, o)) in gs.iter().zip(&outs).enumerate() {
                if run.cx.costs_live {
                    add_by_segment(&mut kc, &o.draw_costs, yi, nd, sl);
                }
                add_by_segment(&mut kafter, &o.draw_after, ka, nd, sl);
                let k = g.regions.len();
                for t in 0..h {
                    for (ri, &r) in g.regions.iter().enumerate() {
                        let (src, dst) = ((t * k + ri) * nc, (t * nr + r) * nc);
                        let f = &o.flows[src * NF..(src + nc) * NF];
                        flows[dst * NF..(dst + nc) * NF]
                            .iter_mut()
                            .zip(f)
                            .for_each(|(a, b)| *a += b);
                        let c = &o.costs[src * ni..(src + nc) * ni];
                        costs[dst * ni..(dst + nc) * ni]
                            .iter_mut()
                            .zip(c)
                            .for_each(|(a, b)| *a += b);
                    }
                }
                if keep {
                    let cl = run.cx.sizes(k).0;
                    for d in 0..nd {
                        for t in 0..=h {
                            for (ri, &r) in g.regions.iter().enumerate() {
                                for c in 0..nc {
                                    let i = (t * k + ri) * nw + c;
                                    let src = offsets[gi] + ((d / sl) * cl + i) * sl + d % sl;
                                    let dst = (c0 + d) * kept_all + (t * nr + r) * nc + c;
                                    kept_s[dst] = ps[src];
                                    kept_d[dst] = pd[src];
                                }
                            }
                        }
                    }
                }
            }
        }
        // All cadres: the sum of the cadres' totals (not their grades'), draw by draw.
        for tot in &mut ctot {
            for year in tot.chunks_exact_mut((nw + 1) * sl) {
                let (cells, all) = year.split_at_mut(nw * sl);
                all.fill(0.0);
                for c in cells[..nc * sl].chunks_exact(sl) {
                    all.iter_mut().zip(c).for_each(|(a, b)| *a += b);
                }
            }
        }
        // A total whose demand is unknown in a draw has an unknown shortage and surplus.
        {
            let [_, cd, csh, csu] = &mut ctot;
            for ((d, a), b) in cd.iter().zip(csh.iter_mut()).zip(csu.iter_mut()) {
                if d.is_nan() {
                    *a = f64::NAN;
                    *b = f64::NAN;
                }
            }
        }
        if keep_short {
            for (kept, tot) in [(&mut kept_short, &ctot[2]), (&mut kept_supply, &ctot[0])] {
                for (d, row) in kept[c0 * tc..(c0 + nd) * tc]
                    .chunks_exact_mut(tc)
                    .enumerate()
                {
                    let base = (d / sl) * tc * sl + d % sl;
                    for (j, x) in row.iter_mut().enumerate() {
                        *x = tot[base + j * sl];
                    }
                }
            }
            for (kept, rows, w) in [(&mut kept_cost, &kc, yi), (&mut kept_after, &kafter, ka)] {
                for (d, out) in kept[c0 * w..(c0 + nd) * w]
                    .chunks_exact_mut(w.max(1))
                    .enumerate()
                {
                    for (j, x) in out.iter_mut().enumerate() {
                        *x = rows[j * nd + d];
                    }
                }
            }
        }
        // Costs per year and item, and per year over all items.
        let ni = items.len();
        ccells
            .par_iter_mut()
            .enumerate()
            .for_each_init(Vec::new, |x, (j, cell)| {
                let (t, item) = (j / (ni + 1), j % (ni + 1));
                // Rows (t, cadre, item) of the (number, draw) rows.
                x.clear();
                x.resize(nd, 0.0);
                for ci in 0..nc {
                    for it in (0..ni).filter(|&it| item == ni || it == item) {
                        let row = &kc[((t * nc + ci) * ni + it) * nd..][..nd];
                        x.iter_mut().zip(row).for_each(|(a, b)| *a += b);
                    }
                }
                cell.add([x], [false], !streaming);
            });
        // The chunk's totals (exact: every draw, in the one chunk).
        tcells.par_iter_mut().enumerate().for_each_init(
            || std::array::from_fn::<Vec<f64>, 5, _>(|_| Vec::new()),
            |[s, d, gap, short, surplus], (j, cell)| {
                for (v, tot) in [&mut *s, &mut *d, &mut *short, &mut *surplus]
                    .into_iter()
                    .zip(&ctot)
                {
                    v.resize(nd, 0.0);
                    gather(tot, tc, j, v);
                }
                gap_of(s, d, gap);
                let count = [false, false, true, true, false];
                cell.add([s, d, gap, short, surplus], count, !streaming);
            },
        );
        if density {
            // Totals' densities and Theil indices, draw by draw; the population total of
            // year t is its population cell's supply total.
            let cs = &ctot[0];
            let per_draw = |j: usize, d: usize| {
                let (t, c) = (j / (nw + 1), j % (nw + 1));
                let at = |c: usize| ((d / sl) * tc + t * (nw + 1) + c) * sl + d % sl;
                if c == popc {
                    return (f64::NAN, f64::NAN);
                }
                density_theil(cs[at(c)], cs[at(popc)], cxl[at(c)])
            };
            if !kept_theil.is_empty() {
                for (d, row) in kept_theil[c0 * tc..(c0 + nd) * tc]
                    .chunks_exact_mut(tc)
                    .enumerate()
                {
                    for (j, x) in row.iter_mut().enumerate() {
                        *x = per_draw(j, d).1;
                    }
                }
            }
            dtcells.par_iter_mut().enumerate().for_each_init(
                || (Vec::new(), Vec::new()),
                |(dens, theil): &mut (Vec<f64>, Vec<f64>), (j, cell)| {
                    dens.clear();
                    theil.clear();
                    for d in 0..nd {
                        let (a, b) = per_draw(j, d);
                        dens.push(a);
                        theil.push(b);
                    }
                    cell.add([dens, theil], [false, false], !streaming);
                },
            );
        }
        c0 += nd;
    }
    let nn = n as f64;
    flows.iter_mut().for_each(|x| *x /= nn);
    costs.iter_mut().for_each(|x| *x /= nn);
    // Cells back to (year, region, cadre) order.
    let k5 = PROBS.len();
    let mut summaries: [Summary; 5] = std::array::from_fn(|_| Summary {
        mean: vec![0.0; cells_all],
        quantiles: vec![0.0; cells_all * k5],
    });
    let mut p_gap = vec![0.0; cells_all];
    for (g, cs) in groups.iter().zip(&cells) {
        let k = g.regions.len();
        for t in 0..=h {
            for (ri, &r) in g.regions.iter().enumerate() {
                for c in 0..nw {
                    let cell = &cs[(t * k + ri) * nw + c];
                    let (mean, q, share) = cell.finish(n);
                    let [short, surplus] = tails_of(cell.tails, mean[2], &q[2], n);
                    let at = (t * nr + r) * nw + c;
                    let all = [mean[0], mean[1], mean[2], short.0, surplus.0];
                    let qs = [&q[0], &q[1], &q[2], &short.1, &surplus.1];
                    for (j, sm) in summaries.iter_mut().enumerate() {
                        sm.mean[at] = all[j];
                        sm.quantiles[at * k5..(at + 1) * k5].copy_from_slice(qs[j]);
                    }
                    p_gap[at] = share[2];
                }
            }
        }
    }
    let mut totals: [Summary; 5] = std::array::from_fn(|_| Summary {
        mean: vec![0.0; tc],
        quantiles: vec![0.0; tc * k5],
    });
    let mut total_p_gap = vec![0.0; tc];
    let mut total_p_short = vec![0.0; tc];
    for (at, cell) in tcells.iter().enumerate() {
        let (mean, q, share) = cell.finish(n);
        for (j, sm) in totals.iter_mut().enumerate() {
            sm.mean[at] = mean[j];
            sm.quantiles[at * k5..(at + 1) * k5].copy_from_slice(&q[j]);
        }
        total_p_gap[at] = share[2];
        total_p_short[at] = share[3];
    }
    let [supply, demand, gap, shortage, surplus] = summaries;
    // Densities: cells back to (year, region, cell) order; totals as they are.
    let put = |out: &mut Summary, o: usize, mean: f64, q: &[f64; 5]| {
        out.mean[o] = mean;
        out.quantiles[o * k5..(o + 1) * k5].copy_from_slice(q);
    };
    let sized = |len: usize| Summary {
        mean: vec![f64::NAN; if density { len } else { 0 }],
        quantiles: vec![f64::NAN; if density { len * k5 } else { 0 }],
    };
    let mut dens = sized(cells_all);
    for (g, ds) in groups.iter().zip(&dcells) {
        let k = g.regions.len();
        for (i, cell) in ds.iter().enumerate() {
            let (t, ri, c) = (i / (k * nw), (i / nw) % k, i % nw);
            let (mean, q, _) = cell.finish(n);
            put(&mut dens, (t * nr + g.regions[ri]) * nw + c, mean[0], &q[0]);
        }
    }
    let (mut total_density, mut total_theil) = (sized(tc), sized(tc));
    for (j, cell) in dtcells.iter().enumerate() {
        let (mean, q, _) = cell.finish(n);
        put(&mut total_density, j, mean[0], &q[0]);
        put(&mut total_theil, j, mean[1], &q[1]);
    }
    let [total_supply, total_demand, total_gap, total_shortage, total_surplus] = totals;
    let mut total_cost = Summary {
        mean: vec![0.0; ccells.len()],
        quantiles: vec![0.0; ccells.len() * k5],
    };
    for (j, cell) in ccells.iter().enumerate() {
        let (mean, q, _) = cell.finish(n);
        put(&mut total_cost, j, mean[0], &q[0]);
    }
    Ok(Projection {
        years: (0..=h).map(|t| m.start_year + t as i32).collect(),
        supply,
        demand,
        gap,
        shortage,
        surplus,
        p_gap,
        total_supply,
        total_demand,
        total_gap,
        total_p_gap,
        total_shortage,
        total_surplus,
        total_p_short,
        draws_shortage: kept_short,
        density: dens,
        total_density,
        total_theil,
        draws_theil: kept_theil,
        flows,
        cost_items: items.clone(),
        costs,
        total_cost,
        draws_total_supply: kept_supply,
        draws_cost: kept_cost,
        draws_after: kept_after,
        draws_supply: kept_s,
        draws_demand: kept_d,
        n_draws: opts.draws,
        quantiles: mode,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::planning::flows::{
        F_ATTRITION, F_END, F_ENTRANTS, F_IN, F_OUT, F_PROMOTIONS, F_RETIRE, F_RETURNS, F_TRAINING,
    };
    use crate::planning::scenario::from_json;
    use crate::planning::scenario::CostKind;

    fn opts(draws: usize) -> Options {
        Options {
            draws,
            seed: 7,
            policies: vec![],
            quantiles: QuantileMode::Exact,
            keep_draws: false,
            binomial: false,
            general_only: false,
            density: false,
            max_memory: 1 << 32,
            max_work: MAX_WORK,
            horizon_value: false,
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
            let off = crate::planning::flows::imbalance(row);
            assert!(off.abs() < 1e-9 * row[F_END].max(1.0), "{row:?}");
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

    /// Two regions, A with 200 nurses against a quota of 50 and B with 100 against 150.
    const TWO_REGIONS: &str = r#"{"start_year": 2024, "horizon": 3, "regions": ["A", "B"],
        "cadres": [{"name": "nurse", "retirement_age": 60,
                    "attrition": {"rate": {"dist": "beta", "a": 1, "b": 1000}},
                    "demand": {"method": "quota", "quota": {"A": 50, "B": 150}}}],
        "stock": [{"region": "A", "cadre": "nurse", "age": 30, "count": 200},
                  {"region": "B", "cadre": "nurse", "age": 30, "count": 100}],
        "policies": [{"name": "more_in_A", "extra_entrants": [{"cadre": "nurse", "region": "A", "value": 40}]}]}"#;

    #[test]
    fn shortage_is_never_netted() {
        let m = from_json(TWO_REGIONS).unwrap();
        for draws in [0, 50] {
            for quantiles in [QuantileMode::Exact, QuantileMode::Streaming] {
                let p = simulate(
                    &m,
                    &Options {
                        quantiles,
                        ..opts(draws)
                    },
                )
                .unwrap();
                let n = draws.max(1);
                // Per (year, nurse | all): the net gap is negative, yet B is short.
                for at in 0..p.total_gap.mean.len() {
                    assert!(p.total_gap.mean[at] < -90.0, "{}", p.total_gap.mean[at]);
                    assert!(p.total_shortage.mean[at] >= 50.0 - 1e-9);
                    assert_eq!(p.total_p_short[at], 1.0);
                    assert_eq!(p.total_p_gap[at], 0.0);
                    let net = p.total_shortage.mean[at] - p.total_surplus.mean[at];
                    assert!((net - p.total_gap.mean[at]).abs() < 1e-9);
                }
                // The shortage is B's own gap, draw by draw.
                for (d, row) in p.draws_shortage.chunks(2).enumerate() {
                    assert_eq!(row[0], row[1], "draw {d}");
                }
                assert_eq!(p.draws_shortage.len(), n * 4 * 2);
                let b_gap: Vec<f64> = (0..4).map(|t| p.gap.mean[t * 2 + 1]).collect();
                for t in 0..4 {
                    assert!((p.total_shortage.mean[t * 2] - b_gap[t]).abs() < 1e-9);
                }
                // Per cell: B's shortage is its gap, A's surplus its negative gap.
                for t in 0..4 {
                    let (a, b) = (t * 2, t * 2 + 1);
                    assert!((p.shortage.mean[b] - p.gap.mean[b]).abs() < 1e-9);
                    assert_eq!(p.shortage.mean[a], 0.0);
                    assert!((p.surplus.mean[a] + p.gap.mean[a]).abs() < 1e-9);
                    assert_eq!(p.surplus.quantiles[a * 5 + 4], -p.gap.quantiles[a * 5]);
                    assert_eq!(p.shortage.quantiles[b * 5 + 2], p.gap.quantiles[b * 5 + 2]);
                }
                // Adding staff only in A averts no shortage, in any draw.
                let q = simulate(
                    &m,
                    &Options {
                        quantiles,
                        policies: vec![0],
                        ..opts(draws)
                    },
                )
                .unwrap();
                assert_eq!(q.draws_shortage, p.draws_shortage);
                assert!(q.total_gap.mean[6] < p.total_gap.mean[6] - 30.0);
            }
        }
    }

    /// Doctors in two grades with need by grade; `extra` goes into the document's end.
    fn by_grade(extra: &str) -> String {
        format!(
            r#"{{"start_year": 2024, "horizon": 2, "regions": ["A", "B"], "min_age": 25,
            "cadres": [{{"name": "doctor", "grades": ["general", "specialist"], "retirement_age": 60,
                         "attrition": {{"rate": 0}},
                         "demand_by_grade": [{{"grade": "specialist", "method": "quota", "quota": 35}},
                                             {{"grade": "general", "method": "quota", "quota": {{"A": 90, "B": 0}}}}]}}],
            "stock": [{{"region": "A", "cadre": "doctor", "grade": "general", "age": 30, "count": 100}},
                      {{"region": "A", "cadre": "doctor", "grade": "specialist", "age": 40, "count": 20}}],
            "policies": [{{"name": "attract", "extra_entrants": [{{"cadre": "doctor", "grade": "specialist", "region": "A", "value": 10}}]}},
                         {{"name": "quota", "quota": [{{"cadre": "doctor", "grade": "specialist", "region": "A", "value": 50}}]}},
                         {{"name": "keep_specialists", "migration_multiplier": [{{"cadre": "doctor", "grade": "specialist", "value": 0}}]}}]
            {extra}}}"#
        )
    }

    #[test]
    fn demand_and_levers_by_grade_by_hand() {
        let m = from_json(&by_grade("")).unwrap();
        assert_eq!(m.n_cells, 3);
        let run = |policies: Vec<usize>| {
            simulate(
                &m,
                &Options {
                    policies,
                    ..opts(0)
                },
            )
            .unwrap()
        };
        let p = run(vec![]);
        // Per year and region: the cadre, then general and specialist. Region B has no
        // staff and needs 35 specialists.
        let year0 = |x: &Summary| x.mean[..6].to_vec();
        assert_eq!(year0(&p.supply), [120.0, 100.0, 20.0, 0.0, 0.0, 0.0]);
        assert_eq!(year0(&p.demand), [125.0, 90.0, 35.0, 35.0, 0.0, 35.0]);
        assert_eq!(year0(&p.shortage), [5.0, 0.0, 15.0, 35.0, 0.0, 35.0]);
        // Totals per (year, cell or all): the cadre's shortage adds its grades' (15 + 35
        // specialists), not the cadre cells' netted 5 + 35.
        let tot = |x: &Summary, t: usize| x.mean[t * 4..(t + 1) * 4].to_vec();
        assert_eq!(tot(&p.total_shortage, 0), [50.0, 0.0, 50.0, 50.0]);
        assert_eq!(tot(&p.total_surplus, 0), [10.0, 10.0, 0.0, 10.0]);
        assert_eq!(tot(&p.total_gap, 0), [40.0, -10.0, 50.0, 40.0]);
        // Ten specialists a year come into A at the youngest age.
        let p = run(vec![0]);
        let sup = |t: usize| p.supply.mean[t * 6..t * 6 + 3].to_vec();
        assert_eq!(
            [sup(1), sup(2)],
            [[130.0, 100.0, 30.0], [140.0, 100.0, 40.0]]
        );
        assert_eq!(tot(&p.total_shortage, 2), [35.0, 0.0, 35.0, 35.0]);
        assert_eq!(p.flows[F_ENTRANTS], 10.0);
        conserved(&p);
        // A quota of 50 specialists in A from 2025.
        let p = run(vec![1]);
        assert_eq!(p.demand.mean[6..9], [140.0, 90.0, 50.0]);
        assert_eq!(p.demand.mean[9..12], [35.0, 0.0, 35.0]);
    }

    #[test]
    fn migration_by_grade() {
        let m = from_json(&by_grade(
            r#", "migration": [{"from": "A", "to": "B", "rate": 0.1}]"#,
        ))
        .unwrap();
        for (policies, moved) in [(vec![], 12.0), (vec![2], 10.0)] {
            let p = simulate(
                &m,
                &Options {
                    policies,
                    ..opts(0)
                },
            )
            .unwrap();
            // Region A's doctors in 2025: 10 % of 100 generals and 20 specialists leave,
            // specialists stay when the policy keeps them.
            assert_eq!(p.flows[F_OUT], moved);
            assert_eq!(p.flows[NF + F_IN], moved);
            conserved(&p);
        }
    }

    #[test]
    fn bad_grade_keys_are_scenario_errors() {
        let e = |from: &str, to: &str| {
            let doc = by_grade("").replacen(from, to, 1);
            assert_ne!(doc, by_grade(""), "{from}");
            from_json(&doc).unwrap_err().to_string()
        };
        for (from, to, want) in [
            (
                r#""grade": "specialist", "region": "A", "value": 10"#,
                r#""grade": "consultant", "region": "A", "value": 10"#,
                "scenario key 'policies[0].extra_entrants[0].grade': unknown grade 'consultant'",
            ),
            (
                r#"{"grade": "specialist", "method": "quota", "quota": 35},"#,
                "",
                "scenario key 'cadres[0].demand_by_grade': no demand for grade 'specialist'",
            ),
            (
                r#""grade": "general", "method""#,
                r#""grade": "specialist", "method""#,
                "scenario key 'cadres[0].demand_by_grade[1].grade': grade 'specialist' has a demand already",
            ),
            (
                r#""grade": "general", "method""#,
                r#""method""#,
                "scenario key 'cadres[0].demand_by_grade[1].grade': missing",
            ),
            (
                r#""attrition": {"rate": 0},"#,
                r#""attrition": {"rate": 0}, "demand": {"method": "quota", "quota": 1},"#,
                "scenario key 'cadres[0].demand_by_grade': give demand or demand_by_grade",
            ),
            (
                r#""grade": "specialist", "region": "A", "value": 50"#,
                r#""region": "A", "value": 50"#,
                "scenario key 'policies[1].quota[0].grade': cadre 'doctor' has its demand by grade",
            ),
        ] {
            let got = e(from, to);
            assert!(got.starts_with(want), "{got}");
        }
        // A quota by grade needs demand by grade; training places and fixed costs have
        // no grade.
        let plain = by_grade("").replace(
            r#""demand_by_grade""#,
            r#""demand": {"method": "quota", "quota": 10}, "x""#,
        );
        let plain = plain.replacen(r#", "x": [{"grade": "specialist", "method": "quota", "quota": 35},
                                             {"grade": "general", "method": "quota", "quota": {"A": 90, "B": 0}}]"#, "", 1);
        let got = from_json(&plain).unwrap_err().to_string();
        assert!(
            got.starts_with("scenario key 'policies[1].quota[0].grade': a quota by grade needs"),
            "{got}"
        );
        let got = e(
            r#""extra_entrants""#,
            r#""costs": [{"item": "x", "kind": "fixed_per_year", "cadre": "doctor", "grade": "general", "amount": 1}], "extra_entrants""#,
        );
        assert!(
            got.starts_with(
                "scenario key 'policies[0].costs[0].grade': is not used by kind 'fixed_per_year'"
            ),
            "{got}"
        );
    }

    /// A random scenario: 1-3 regions, 1-3 cadres of 1-3 grades, age bands of attrition,
    /// entrants by age, demand by cadre or grade, and a policy from mid-horizon.
    fn random_doc(seed: u64) -> String {
        let mut r = Rng::stream(seed, 0);
        let mut u = |lo: f64, hi: f64| lo + (hi - lo) * r.uniform();
        let nr = 1 + (u(0.0, 3.0) as usize).min(2);
        let regions: Vec<String> = (0..nr).map(|i| format!("\"R{i}\"")).collect();
        let mut cadres = Vec::new();
        let mut stock = Vec::new();
        let mut changes = Vec::new();
        for ci in 0..1 + (u(0.0, 3.0) as usize).min(2) {
            let ng = 1 + (u(0.0, 3.0) as usize).min(2);
            let grades: Vec<String> = (0..ng).map(|g| format!("\"g{g}\"")).collect();
            let retire = 50 + u(0.0, 15.0) as u32;
            let demand = if ng > 1 && u(0.0, 1.0) < 0.5 {
                let each: Vec<String> = (0..ng)
                    .map(|g| {
                        format!(
                            r#"{{"grade": "g{g}", "method": "quota", "quota": {}}}"#,
                            u(10.0, 300.0)
                        )
                    })
                    .collect();
                format!(r#""demand_by_grade": [{}]"#, each.join(","))
            } else {
                format!(
                    r#""demand": {{"method": "norm", "per_1000": {}}}"#,
                    u(0.5, 4.0)
                )
            };
            cadres.push(format!(
                r#"{{"name": "c{ci}", "grades": [{}], "retirement_age": {retire}, "death_rate": {},
                    "attrition": {{"rate": {{"dist": "beta", "a": {}, "b": {}}},
                                  "by_age": [{{"from": {}, "rate": {}}}]}},
                    "entrants": {{"per_year": {}, "growth": {}, "age": {{"mean": {}, "sd": {}}}}},
                    {demand}}}"#,
                grades.join(","),
                u(0.0, 0.01),
                u(1.0, 5.0),
                u(20.0, 80.0),
                u(30.0, f64::from(retire) - 1.0) as u32,
                u(0.0, 0.2),
                u(0.0, 40.0),
                u(-0.02, 0.05),
                u(23.0, 35.0),
                u(1.0, 5.0),
            ));
            for (ri, region) in regions.iter().enumerate() {
                for g in 0..ng {
                    stock.push(format!(
                        r#"{{"region": {region}, "cadre": "c{ci}", "grade": "g{g}", "age": {}, "count": {}}}"#,
                        24 + (u(0.0, 20.0) as u32),
                        u(0.0, 200.0) + ri as f64
                    ));
                }
                stock.push(format!(
                    r#"{{"region": {region}, "cadre": "c{ci}", "count": {}}}"#,
                    u(0.0, 300.0)
                ));
            }
            changes.push(format!(
                r#"{{"cadre": "c{ci}", "grade": "g{}", "value": {}}}"#,
                ng - 1,
                u(0.3, 1.5)
            ));
        }
        format!(
            r#"{{"start_year": 2024, "horizon": {}, "regions": [{}], "min_age": 20,
                "cadres": [{}],
                "population": {{"base": {}, "growth": {{"dist": "normal", "mean": 0.01, "sd": 0.005}}}},
                "stock": [{}],
                "policies": [{{"name": "p", "from_year": 2027, "attrition_multiplier": [{}],
                               "extra_entrants": [{{"cadre": "c0", "value": 5}}]}}]}}"#,
            3 + u(0.0, 8.0) as usize,
            regions.join(","),
            cadres.join(","),
            u(1e5, 1e6),
            stock.join(","),
            changes.join(",")
        )
    }

    /// Every number of two projections agrees to `tol` relative (NaN where the other is).
    fn agree(a: &Projection, b: &Projection, tol: f64) {
        let pairs = [
            (&a.supply.mean, &b.supply.mean),
            (&a.supply.quantiles, &b.supply.quantiles),
            (&a.demand.mean, &b.demand.mean),
            (&a.shortage.mean, &b.shortage.mean),
            (&a.total_shortage.quantiles, &b.total_shortage.quantiles),
            (&a.total_surplus.mean, &b.total_surplus.mean),
            (&a.density.quantiles, &b.density.quantiles),
            (&a.total_theil.quantiles, &b.total_theil.quantiles),
            (&a.draws_theil, &b.draws_theil),
            (&a.flows, &b.flows),
            (&a.costs, &b.costs),
        ];
        for (x, y) in pairs {
            assert_eq!(x.len(), y.len());
            for (p, q) in x.iter().zip(y) {
                let ok = (p.is_nan() && q.is_nan()) || (p - q).abs() <= tol * p.abs().max(1.0);
                assert!(ok, "{p} against {q}");
            }
        }
    }

    #[test]
    fn general_one_pass_and_portable_paths_agree() {
        for seed in 0..24 {
            let m = from_json(&random_doc(seed)).unwrap();
            for (draws, policies) in [(0, vec![]), (20, vec![]), (20, vec![0])] {
                let o = Options {
                    policies,
                    density: true,
                    ..opts(draws)
                };
                let fast = simulate(&m, &o).unwrap();
                let general = simulate(
                    &m,
                    &Options {
                        general_only: true,
                        ..o.clone()
                    },
                )
                .unwrap();
                agree(&fast, &general, 1e-12);
                conserved(&general);
                crate::planning::lanes::force_portable(true);
                let portable = simulate(&m, &o);
                crate::planning::lanes::force_portable(false);
                agree(&fast, &portable.unwrap(), 1e-12);
            }
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
                        density: true,
                        ..opts(40)
                    },
                )
                .unwrap()
            })
        };
        let (a, b) = (run(1), run(2));
        let bits = |x: &[f64]| x.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&a.supply.quantiles), bits(&b.supply.quantiles));
        assert_eq!(bits(&a.gap.mean), bits(&b.gap.mean));
        assert_eq!(
            bits(&a.total_shortage.quantiles),
            bits(&b.total_shortage.quantiles)
        );
        assert_eq!(bits(&a.density.quantiles), bits(&b.density.quantiles));
        assert_eq!(bits(&a.total_theil.mean), bits(&b.total_theil.mean));
        assert_eq!(a.costs, b.costs);
    }

    /// [`simulate`] run as pieces: every chunk and wave's segments cut into `pieces`
    /// runs of [`simulate_draws`], put end to end and summarised by [`simulate_from`].
    fn in_pieces(m: &Model, o: &Options, pieces: usize) -> Projection {
        let lay = layout(m, o).unwrap();
        let mut got = Vec::new();
        for (ci, &(_, _, nseg)) in lay.chunks.iter().enumerate() {
            for wi in 0..lay.waves.len() {
                let cuts: Vec<usize> = (0..=pieces).map(|i| i * nseg / pieces).collect();
                let mut whole: Vec<GroupDraws> = Vec::new();
                for w in cuts.windows(2).filter(|w| w[0] < w[1]) {
                    let part = simulate_draws(m, o, ci, wi, w[0]..w[1], &Control::default());
                    let part = part.unwrap();
                    if whole.is_empty() {
                        whole = part;
                        continue;
                    }
                    for (a, b) in whole.iter_mut().zip(part) {
                        a.supply.extend(b.supply);
                        a.demand.extend(b.demand);
                        a.flows.extend(b.flows);
                        a.costs.extend(b.costs);
                        a.draw_costs.extend(b.draw_costs);
                        a.draw_after.extend(b.draw_after);
                    }
                }
                got.push(whole);
            }
        }
        let mut it = got.into_iter();
        let mut source = |_: usize, _: usize| Ok(it.next().unwrap());
        simulate_from(m, o, &Control::default(), &mut source).unwrap()
    }

    #[test]
    fn split_draws_give_the_same_projection() {
        let full = from_json(FULL).unwrap();
        let cases = [
            (QuantileMode::Exact, 0, true),
            (QuantileMode::Exact, 301, true),
            (QuantileMode::Streaming, 1100, false),
            (QuantileMode::Auto, 37, true),
        ];
        for (quantiles, draws, keep_draws) in cases {
            for pieces in [1, 2, 3] {
                let o = Options {
                    quantiles,
                    keep_draws,
                    density: true,
                    horizon_value: true,
                    ..opts(draws)
                };
                let want = format!("{:?}", simulate(&full, &o).unwrap());
                let got = format!("{:?}", in_pieces(&full, &o, pieces));
                assert!(want == got, "{quantiles:?}, {draws} draws, {pieces} pieces");
            }
        }
        for seed in 0..6 {
            let m = from_json(&random_doc(seed)).unwrap();
            let o = Options {
                policies: vec![0],
                binomial: true,
                ..opts(150)
            };
            let want = format!("{:?}", simulate(&m, &o).unwrap());
            assert!(want == format!("{:?}", in_pieces(&m, &o, 2)), "seed {seed}");
        }
        // A source whose numbers do not fit is an error, not a wrong result.
        let o = opts(40);
        let mut short = |_: usize, _: usize| Ok(vec![GroupDraws::default()]);
        let e = simulate_from(&full, &o, &Control::default(), &mut short).unwrap_err();
        assert!(e.to_string().contains("layout"), "{e}");
        let e = simulate_draws(&full, &o, 5, 0, 0..1, &Control::default()).unwrap_err();
        assert!(e.to_string().contains("no chunk 5"), "{e}");
    }

    #[test]
    fn stock_as_columns() {
        let records = r#"[{"region": "A", "cadre": "nurse", "age": 20, "count": 100},
                          {"region": "A", "cadre": "nurse", "age": 21, "count": 50},
                          {"region": "A", "cadre": "nurse", "count": 10}]"#;
        let columns = r#"{"region": ["A", "A", "A"], "cadre": ["nurse", "nurse", "nurse"],
                          "age": [20, 21, null], "count": [100, 50, 10]}"#;
        let doc = |stock: &str| {
            format!(
                r#"{{"start_year": 2024, "horizon": 2, "regions": ["A"], "min_age": 20,
                "cadres": [{{"name": "nurse", "retirement_age": 30, "attrition": {{"rate": 0.1}}}}],
                "stock": {stock}}}"#
            )
        };
        let a = from_json(&doc(records)).unwrap();
        let b = from_json(&doc(columns)).unwrap();
        assert_eq!(a.stock, b.stock);
        // (text replaced, its replacement, the start of the error).
        for (from, to, want) in [
            (
                "[100, 50, 10]",
                "[100, 50]",
                "scenario key 'stock': column 'region' has 3 values but 'count' has 2",
            ),
            (
                "\"age\"",
                "\"ages\"",
                "scenario key 'stock.ages': unknown field",
            ),
            (
                "[100, 50, 10]",
                "[100, \"x\", 10]",
                "scenario key 'stock.count[1]': invalid type",
            ),
        ] {
            let e = from_json(&doc(&columns.replace(from, to)))
                .unwrap_err()
                .to_string();
            assert!(e.starts_with(want), "{e}");
        }
    }

    #[test]
    fn service_use_by_age_group() {
        let doc = |visits: &str, extra_row: &str| {
            format!(
                r#"{{"start_year": 2024, "horizon": 2, "regions": ["A"], "min_age": 20,
                "cadres": [{{"name": "nurse", "retirement_age": 30, "attrition": {{"rate": 0.1}},
                             "demand": {{"method": "service_use", "visits_by_age_group": {visits},
                                         "hours_per_visit": 0.25, "available_hours": 1500}}}},
                           {{"name": "doctor", "retirement_age": 30, "attrition": {{"rate": 0.1}},
                             "demand": {{"method": "norm", "per_1000": 2}}}}],
                "population": {{"table": [
                    {{"region": "A", "year": 2024, "age_group": "0-14", "population": 1000}},
                    {{"region": "A", "year": 2025, "age_group": "0-14", "population": 1100}},
                    {{"region": "A", "year": 2026, "age_group": "0-14", "population": 1200}},
                    {{"region": "A", "year": 2024, "age_group": "15+", "population": 3000}},
                    {{"region": "A", "year": 2025, "age_group": "15+", "population": 3100}},
                    {{"region": "A", "year": 2026, "age_group": "15+", "population": 3200}}{extra_row}]}},
                "stock": [{{"region": "A", "cadre": "nurse", "count": 10}},
                          {{"region": "A", "cadre": "doctor", "count": 10}}]}}"#
            )
        };
        let m = from_json(&doc(r#"{"15+": 3, "0-14": 2}"#, "")).unwrap();
        let p = simulate(&m, &opts(0)).unwrap();
        for (t, (young, old)) in [(1000.0, 3000.0), (1100.0, 3100.0), (1200.0, 3200.0)]
            .into_iter()
            .enumerate()
        {
            let nurses = (young * 2.0 + old * 3.0) * 0.25 / 1500.0;
            assert!((p.demand.mean[t * 2] - nurses).abs() < 1e-12 * nurses);
            let doctors = 2.0 * (young + old) / 1000.0;
            assert!((p.demand.mean[t * 2 + 1] - doctors).abs() < 1e-12 * doctors);
        }
        let e = |visits: &str, extra: &str| from_json(&doc(visits, extra)).unwrap_err().to_string();
        assert!(e(r#"{"0-14": 2}"#, "").contains("no value for age group '15+'"));
        assert!(e(r#"{"0-14": 2, "15+": 3, "65+": 1}"#, "").starts_with(
            "scenario key 'cadres[0].demand.visits_by_age_group.65+': unknown age group"
        ));
        let dup = r#", {"region": "A", "year": 2026, "age_group": "15+", "population": 5}"#;
        assert!(e(r#"{"0-14": 2, "15+": 3}"#, dup).contains("duplicate age group '15+'"));
        let missing = r#", {"region": "A", "year": 2026, "population": 5}"#;
        assert!(e(r#"{"0-14": 2, "15+": 3}"#, missing)
            .starts_with("scenario key 'population.table[6].age_group': missing"));
    }

    #[test]
    fn norms_against_a_target_population() {
        let doc = |demand: &str, table: &str| {
            format!(
                r#"{{"start_year": 2024, "horizon": 1, "regions": ["A"], "min_age": 20,
                "cadres": [{{"name": "paediatrician", "retirement_age": 30, "attrition": {{"rate": 0}},
                             "demand": {demand}}}],
                "population": {table},
                "stock": [{{"region": "A", "cadre": "paediatrician", "count": 10}}]}}"#
            )
        };
        let table = r#"{"table": [
            {"region": "A", "year": 2024, "age_group": "0-14", "population": 2000},
            {"region": "A", "year": 2025, "age_group": "0-14", "population": 3000},
            {"region": "A", "year": 2024, "age_group": "15+", "population": 8000},
            {"region": "A", "year": 2025, "age_group": "15+", "population": 9000}]}"#;
        let run = |demand: &str| {
            let m = from_json(&doc(demand, table)).unwrap();
            simulate(&m, &opts(0)).unwrap().demand.mean
        };
        let children = [2000.0, 3000.0];
        for (demand, per) in [
            (
                r#"{"method": "norm", "per_1000": 1.5, "age_groups": ["0-14"]}"#,
                1.5e-3,
            ),
            (
                r#"{"method": "norm", "per_100000": 150, "age_groups": ["0-14"]}"#,
                1.5e-3,
            ),
        ] {
            let got = run(demand);
            for (g, c) in got.iter().zip(children) {
                assert!((g - per * c).abs() < 1e-12, "{got:?}");
            }
        }
        let all = run(r#"{"method": "norm", "per_1000": 1, "age_groups": ["15+", "0-14"]}"#);
        assert!((all[1] - 12.0).abs() < 1e-12);
        let e = |demand: &str, table: &str| from_json(&doc(demand, table)).unwrap_err().to_string();
        let unknown = e(
            r#"{"method": "norm", "per_1000": 1, "age_groups": ["0-4"]}"#,
            table,
        );
        assert!(
            unknown.starts_with(
                "scenario key 'cadres[0].demand.age_groups[0]': unknown age group '0-4'"
            ),
            "{unknown}"
        );
        let flat = e(
            r#"{"method": "norm", "per_1000": 1, "age_groups": ["0-14"]}"#,
            r#"{"base": 1000}"#,
        );
        assert!(
            flat.contains("needs a population table with an 'age_group' column"),
            "{flat}"
        );
        let both = e(
            r#"{"method": "norm", "per_1000": 1, "per_100000": 100}"#,
            table,
        );
        assert!(
            both.contains("give per_1000 or per_100000, not both"),
            "{both}"
        );
    }

    #[test]
    fn hiring_fills_vacancies_only() {
        let doc = |graduates: f64, demand: &str| {
            format!(
                r#"{{"start_year": 2024, "horizon": 3, "regions": ["A"], "min_age": 20,
                "cadres": [{{"name": "nurse", "retirement_age": 60, "attrition": {{"rate": 0.1}},
                             "entrants": {{"per_year": {graduates}, "age": {{"mean": 25}}, "fill_vacancies": true}},
                             "demand": {demand}}}],
                "population": {{"base": 50000}},
                "stock": [{{"region": "A", "cadre": "nurse", "age": 30, "count": 95}}]}}"#
            )
        };
        let quota = r#"{"method": "quota", "quota": 100}"#;
        let m = from_json(&doc(20.0, quota)).unwrap();
        let p = simulate(&m, &opts(0)).unwrap();
        // 2025: 95 - 9.5 leave = 85.5, 14.5 hired; then 10 a year; never above the quota.
        assert_eq!(p.supply.mean, [95.0, 100.0, 100.0, 100.0]);
        let entrants: Vec<f64> = p.flows.chunks(NF).map(|r| r[F_ENTRANTS]).collect();
        assert_eq!(entrants, [14.5, 10.0, 10.0]);
        conserved(&p);
        // Few graduates: all are hired.
        let m = from_json(&doc(5.0, quota)).unwrap();
        let p = simulate(&m, &opts(0)).unwrap();
        assert_eq!(p.flows[F_ENTRANTS], 5.0);
        let e = from_json(&doc(5.0, r#"{"method": "norm", "per_1000": 2}"#))
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("scenario key 'cadres[0].entrants.fill_vacancies': hiring into vacancies needs posts"),
            "{e}"
        );
    }

    #[test]
    fn density_and_theil_by_hand() {
        let m = from_json(
            r#"{"start_year": 2024, "horizon": 2, "regions": ["A", "B"], "min_age": 20,
                "cadres": [{"name": "nurse", "retirement_age": 60, "attrition": {"rate": 0},
                            "demand": {"method": "norm", "per_1000": 2}},
                           {"name": "doctor", "retirement_age": 60, "attrition": {"rate": 0}}],
                "population": {"base": {"A": 1000, "B": 3000}},
                "stock": [{"region": "A", "cadre": "nurse", "age": 30, "count": 10},
                          {"region": "B", "cadre": "nurse", "age": 30, "count": 3},
                          {"region": "A", "cadre": "doctor", "age": 30, "count": 2},
                          {"region": "B", "cadre": "doctor", "age": 30, "count": 6}]}"#,
        )
        .unwrap();
        let p = simulate(
            &m,
            &Options {
                density: true,
                ..opts(0)
            },
        )
        .unwrap();
        // Cells per region and year: nurse, doctor, population.
        assert_eq!(p.supply.mean[..6], [10.0, 2.0, 1000.0, 3.0, 6.0, 3000.0]);
        assert_eq!(p.density.mean[..2], [10.0, 2.0]);
        assert_eq!(p.density.mean[3..5], [1.0, 2.0]);
        assert!(p.density.mean[2].is_nan());
        // Totals per year: nurse, doctor, population, all.
        let theil = |x: [f64; 2], pop: [f64; 2]| {
            let (s, pp) = (x[0] + x[1], pop[0] + pop[1]);
            (0..2)
                .map(|i| x[i] / s * ((x[i] / s) / (pop[i] / pp)).ln())
                .sum::<f64>()
        };
        let pop = [1000.0, 3000.0];
        assert!((p.total_density.mean[0] - 3.25).abs() < 1e-12);
        assert!((p.total_theil.mean[0] - theil([10.0, 3.0], pop)).abs() < 1e-12);
        // Doctors are spread as people are: no inequality.
        assert!(p.total_theil.mean[1].abs() < 1e-12);
        assert!((p.total_theil.mean[3] - theil([12.0, 9.0], pop)).abs() < 1e-12);
        assert!((p.total_density.mean[3] - 21.0 / 4.0).abs() < 1e-12);
        assert_eq!(p.draws_theil.len(), 3 * 4);
        // Without a population, densities are an input error.
        let m = from_json(TWO_REGIONS).unwrap();
        let e = simulate(
            &m,
            &Options {
                density: true,
                ..opts(0)
            },
        );
        assert!(e
            .unwrap_err()
            .to_string()
            .contains("densities need a population"));
    }

    #[test]
    fn students_graduate_after_their_course() {
        let doc = |course: &str, students: &str| {
            format!(
                r#"{{"start_year": 2024, "horizon": 6, "regions": ["A"], "min_age": 20,
                "cadres": [{{"name": "nurse", "retirement_age": 60, "attrition": {{"rate": 0}},
                             "entrants": {{"per_year": 10, "age": {{"mean": 22}}{course}}}}}],
                "stock": [{{"region": "A", "cadre": "nurse", "age": 30, "count": 100}}],
                "policies": [{{"name": "school", "from_year": 2025, "to_year": 2026,
                               "extra_students": [{{"cadre": "nurse"{students}, "value": 50}}]}}]}}"#
            )
        };
        let course = r#", "education": {"duration": 3, "completion_rate": 0.8}"#;
        let m = from_json(&doc(course, "")).unwrap();
        for draws in [0, 9] {
            let p = simulate(
                &m,
                &Options {
                    policies: vec![0],
                    ..opts(draws)
                },
            )
            .unwrap();
            let entrants: Vec<f64> = p.flows.chunks(NF).map(|r| r[F_ENTRANTS]).collect();
            // Students of 2025 and 2026 join in 2028 and 2029, four in five of them.
            assert_eq!(entrants, [10.0, 10.0, 10.0, 50.0, 50.0, 10.0]);
            conserved(&p);
        }
        let e = from_json(&doc("", "")).unwrap_err().to_string();
        assert!(
            e.starts_with("scenario key 'policies[0].extra_students[0].cadre': cadre 'nurse' has no pre-service course"),
            "{e}"
        );
        let e = from_json(&doc(course, r#", "grade": "all""#))
            .unwrap_err()
            .to_string();
        assert!(e.contains("extra_students[0].grade"), "{e}");
    }

    #[test]
    fn costs_by_hand_and_draw_by_draw() {
        // Two grades paid 10 and 20; 100 general and 50 specialists, nobody leaves; ten
        // entrants a year (general). The policy attracts 4 specialists a year, each paid
        // 7 once; a programme sends 2 general doctors a year for 1 year, bonded 2 years,
        // with a buy-out of 3 and attrition 0.5 during the bond.
        let doc = |extra: &str, cost: &str| {
            format!(
                r#"{{"start_year": 2024, "horizon": 3, "regions": ["A"], "min_age": 20,
                "cadres": [{{"name": "doc", "grades": ["general", "specialist"],
                    "retirement_age": 60, "attrition": {{"rate": 0}},
                    "salary": {{"general": 10, "specialist": 20}},
                    "entrants": {{"per_year": 10, "age": {{"mean": 30}}}},
                    "training": [{{"name": "t", "from_grade": "general",
                        "to_grade": "specialist", "places": 2, "duration": 1,
                        "bond_years": 2, "rate_during_bond": 0.5, "buyout": 3}}]}}],
                "stock": [{{"region": "A", "cadre": "doc", "grade": "general", "age": 30, "count": 100}},
                          {{"region": "A", "cadre": "doc", "grade": "specialist", "age": 30, "count": 50}}],
                "policies": [{{"name": "attract", "extra_entrants": [{{"cadre": "doc"{extra}, "value": 4}}],
                               "costs": [{{"item": "incentive", "kind": "{cost}", "cadre": "doc", "grade": "specialist", "amount": 7}}]}}]}}"#
            )
        };
        let m = from_json(&doc(
            r#", "grade": "specialist""#,
            "one_off_per_extra_entrant",
        ))
        .unwrap();
        let p = simulate(
            &m,
            &Options {
                policies: vec![0],
                ..opts(0)
            },
        )
        .unwrap();
        assert_eq!(
            p.cost_items,
            ["salary", "training", "bond_buyout", "incentive"]
        );
        let ni = 4;
        let row = |t: usize| p.costs[(t - 1) * ni..t * ni].to_vec();
        // Year 1: 2 leave for training; 10 + 0 general join, 4 specialists join.
        // General: start 100, end 100 - 2 + 10 = 108; specialists: 50 -> 54.
        let salary1 = 10.0 * 0.5 * (100.0 + 108.0) + 20.0 * 0.5 * (50.0 + 54.0);
        assert_eq!(row(1), [salary1, 0.0, 0.0, 28.0]);
        // Year 2: the 2 return as bonded specialists; year 3: half of them leave during
        // the bond and repay 3 each.
        assert_eq!(row(2)[3], 28.0);
        assert_eq!(row(3)[2], -3.0 * 0.5 * 2.0);
        // Each draw's costs per (year, cadre, item) add up to the table (one region).
        assert_eq!(p.draws_cost, p.costs);
        assert_eq!(p.total_cost.mean[..ni], row(1)[..]);
        assert_eq!(p.total_cost.mean[ni], row(1).iter().sum::<f64>());
        // Kept supply per (year, cell or all): cells are the cadre then its two grades.
        assert_eq!(p.draws_total_supply[..4], [150.0, 100.0, 50.0, 150.0]);
        // With draws, the draws' costs average to the table.
        let mut d = opts(40);
        d.policies = vec![0];
        let p = simulate(&m, &d).unwrap();
        for (j, &mean) in p.costs.iter().enumerate() {
            let from_draws: f64 = p.draws_cost.chunks(3 * ni).map(|r| r[j]).sum::<f64>() / 40.0;
            assert!(
                (from_draws - mean).abs() <= 1e-9 * mean.abs().max(1.0),
                "{j}"
            );
        }
        // Costs that do not apply to the flow named are scenario errors.
        let e = from_json(&doc("", "one_off_per_extra_entrant"))
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("scenario key 'policies[0].costs[0].kind': one_off_per_extra_entrant does not apply"),
            "{e}"
        );
        let e = from_json(&doc("", "one_off_per_returner")).unwrap();
        assert_eq!(e.policies[0].costs[0].kind, CostKind::OneOffPerReturner);
        let e = from_json(&doc("", "one_off_per_trainee"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("no training programme takes from grade 'specialist'"),
            "{e}"
        );
        let bad = doc("", "per_person_year").replace(r#""specialist": 20"#, r#""chief": 20"#);
        let e = from_json(&bad).unwrap_err().to_string();
        assert!(
            e.starts_with(
                "scenario key 'cadres[0].salary.chief': 'chief' is not a grade of cadre 'doc'"
            ),
            "{e}"
        );
        let bad = doc("", "per_person_year").replace(r#", "specialist": 20"#, "");
        let e = from_json(&bad).unwrap_err().to_string();
        assert!(e.contains("'cadres[0].salary.specialist'"), "{e}");
        let bad = doc("", "per_person_year").replace(r#""bond_years": 2"#, r#""bond_years": 0"#);
        let e = from_json(&bad).unwrap_err().to_string();
        assert!(e.contains("'cadres[0].training[0].buyout'"), "{e}");
    }

    #[test]
    fn staff_beyond_the_horizon_by_hand() {
        // 100 staff aged 57 at the horizon, retiring at 60, a tenth leaving a year: they
        // work 90 and 81 of the next years' ends (ages 58 and 59), then retire.
        let doc = r#"{"start_year": 2024, "horizon": 1, "regions": ["A", "B"], "min_age": 20,
            "cadres": [{"name": "n", "retirement_age": 60, "attrition": {"rate": 0.1},
                        "salary": 2},
                       {"name": "m", "retirement_age": 60, "attrition": {"rate": 0.1},
                        "grades": ["a", "b"],
                        "training": [{"name": "t", "from_grade": "a", "to_grade": "b",
                                      "places": 0, "duration": 1}]}],
            "stock": [{"region": "A", "cadre": "n", "age": 56, "count": 100},
                      {"region": "B", "cadre": "n", "age": 56, "count": 100},
                      {"region": "A", "cadre": "m", "grade": "a", "age": 56, "count": 100}]}"#;
        let m = from_json(doc).unwrap();
        let mut o = opts(0);
        o.horizon_value = true;
        let p = simulate(&m, &o).unwrap();
        let (na, nc) = (m.n_ages, 2);
        assert_eq!(p.draws_after.len(), na * nc * 2);
        let at = |k: usize, ci: usize, j: usize| p.draws_after[(k * nc + ci) * 2 + j];
        // At the horizon (end of 2025) they are 57: 90 each in A and B.
        let py = [0.5 * (180.0 + 162.0), 0.5 * (162.0 + 145.8), 0.5 * 145.8];
        for (k, want) in py.iter().enumerate() {
            assert!((at(k, 0, 0) - want).abs() < 1e-9, "{k}: {}", at(k, 0, 0));
            assert!((at(k, 0, 1) - 2.0 * want).abs() < 1e-9);
            // The general step's cadre (it trains) in region A alone.
            assert!((at(k, 1, 0) - want / 2.0).abs() < 1e-9, "{k}");
        }
        assert!(p.draws_after[3 * nc * 2..].iter().all(|&x| x == 0.0));
        assert!(simulate(&m, &opts(0)).unwrap().draws_after.is_empty());
    }

    #[test]
    fn stops_when_asked_and_reports_progress() {
        let m = from_json(TWO_REGIONS).unwrap();
        let c = Control::default();
        c.cancel();
        assert_eq!(
            simulate_with(&m, &opts(64), &c).unwrap_err(),
            Error::Interrupted
        );
        let c = Control::default();
        simulate_with(&m, &opts(64), &c).unwrap();
        let (done, total) = c.progress();
        assert!(total > 0 && done == total, "{done} of {total}");
    }

    #[test]
    fn promotions_by_hand() {
        // Two grades, no deaths or attrition, retirement far away: 20 % of grade I move to
        // grade II each year; a second promotion out of grade I at 90 % caps the shares.
        let doc = |extra: &str| {
            format!(
                r#"{{"start_year": 2024, "horizon": 2, "regions": ["A"], "min_age": 20,
                "cadres": [{{"name": "doctor", "grades": ["I", "II", "III"], "retirement_age": 60,
                             "attrition": {{"rate": 0}},
                             "promotions": [{{"from_grade": "I", "to_grade": "II", "rate": 0.2}}{extra}]}}],
                "stock": [{{"region": "A", "cadre": "doctor", "grade": "I", "age": 30, "count": 100}},
                          {{"region": "A", "cadre": "doctor", "grade": "II", "age": 40, "count": 50}}]}}"#
            )
        };
        let m = from_json(&doc("")).unwrap();
        let p = simulate(&m, &opts(0)).unwrap();
        // Cells per year: the cadre, then its grades I, II and III.
        assert_eq!(
            p.supply.mean,
            vec![150.0, 100.0, 50.0, 0.0, 150.0, 80.0, 70.0, 0.0, 150.0, 64.0, 86.0, 0.0]
        );
        let f = |t: usize, col: usize| p.flows[t * NF + col];
        assert_eq!(f(0, F_PROMOTIONS), 20.0);
        assert_eq!(f(1, F_PROMOTIONS), 16.0);
        let m = from_json(&doc(
            r#", {"from_grade": "I", "to_grade": "III", "rate": 0.9}"#,
        ))
        .unwrap();
        let p = simulate(&m, &opts(0)).unwrap();
        // Shares 0.2 and 0.9 add up to 1.1: scaled to 0.2/1.1 and 0.9/1.1, all of grade I moves.
        let moved = p.flows[F_PROMOTIONS];
        assert!((moved - 100.0).abs() < 1e-12, "{moved}");
        let e = from_json(&doc(
            r#", {"from_grade": "I", "to_grade": "I", "rate": 0.1}"#,
        ))
        .unwrap_err()
        .to_string();
        assert!(
            e.starts_with("scenario key 'cadres[0].promotions[1].to_grade'"),
            "{e}"
        );
        let e = from_json(&doc(
            r#", {"from_grade": "I", "to_grade": "IV", "rate": 0.1}"#,
        ))
        .unwrap_err()
        .to_string();
        assert!(e.contains("unknown grade 'IV'"), "{e}");
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
