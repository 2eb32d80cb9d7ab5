//! Cox proportional-hazards regression by Newton-Raphson on the partial likelihood,
//! with Efron or Breslow ties, strata, case weights and delayed entry, following R's
//! `coxph` (iteration, convergence and tests).

use super::design::{Design, CONSTANT};
use crate::control::Control;
use crate::error::{Error, Result};
use crate::linalg::ldl;
use crate::special::{chisq_sf, normal_two_sided_p};
use crate::validate;

/// Approximation of the partial likelihood at tied exit times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CoxTies {
    /// Efron (1977), R's default.
    Efron,
    /// Breslow (1974).
    Breslow,
}

/// Inputs of a Cox model: `x` is row-major n × p.
#[derive(Debug, Clone)]
pub struct CoxData<'a> {
    /// Entry times (delayed entry), or `None`.
    pub entry: Option<&'a [f64]>,
    /// Exit or censoring times.
    pub time: &'a [f64],
    /// 1 = exit, 0 = censored.
    pub event: &'a [u32],
    /// Covariates, row-major n × p.
    pub x: &'a [f64],
    /// Number of covariates.
    pub p: usize,
    /// Covariate names (for messages).
    pub names: &'a [String],
    /// Stratum codes, or `None`.
    pub strata: Option<&'a [u32]>,
    /// Case weights, or `None`.
    pub weights: Option<&'a [f64]>,
    /// A known term added to each row's linear predictor (R's `offset()`), or `None`.
    pub offset: Option<&'a [f64]>,
    /// Cluster codes (dense, 0..k) of rows that belong together (repeated spells of a
    /// person): the robust variance sums score residuals within a cluster. `None`:
    /// every row is its own cluster.
    pub cluster: Option<&'a [u32]>,
}

/// A fitted Cox model.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CoxFit {
    /// Coefficients (log hazard ratios).
    pub coef: Vec<f64>,
    /// Model-based standard errors.
    pub se: Vec<f64>,
    /// Variance matrix (row-major p × p).
    pub var: Vec<f64>,
    /// z = coef / se.
    pub z: Vec<f64>,
    /// Two-sided p-values.
    pub p_value: Vec<f64>,
    /// Log partial likelihood at 0.
    pub loglik_null: f64,
    /// Log partial likelihood at the estimate.
    pub loglik: f64,
    /// Likelihood-ratio statistic 2 (ℓ(β̂) − ℓ(0)).
    pub lr_test: f64,
    /// Wald statistic β̂ᵀ I(β̂) β̂.
    pub wald_test: f64,
    /// Score statistic U(0)ᵀ I(0)⁻¹ U(0).
    pub score_test: f64,
    /// Degrees of freedom of the tests.
    pub df: usize,
    /// P-values of the LR, Wald and score tests.
    pub test_p_values: [f64; 3],
    /// Harrell's concordance as R's `concordance` computes it.
    pub concordance: f64,
    /// Its infinitesimal-jackknife standard error.
    pub concordance_std_err: f64,
    /// Whether `se`, `var`, `z`, `p_value` and the Wald test use the robust
    /// (sandwich) variance.
    pub robust: bool,
    /// Model-based standard errors (equal to `se` unless robust).
    pub se_model: Vec<f64>,
    /// Robust score test U(0)ᵀ (D₀ᵀD₀)⁻¹ U(0) (NaN unless robust).
    pub robust_score_test: f64,
    /// Newton iterations used.
    pub iterations: usize,
    /// Number of exits.
    pub n_events: f64,
    /// Baseline (x = 0) cumulative hazard: stratum code, time, hazard at each distinct
    /// time of each stratum.
    pub baseline_stratum: Vec<u32>,
    /// Times of the baseline hazard.
    pub baseline_time: Vec<f64>,
    /// Cumulative baseline hazard at x = 0.
    pub baseline_hazard: Vec<f64>,
    /// Model-based variance (inverse information, row-major p × p), whatever `robust`.
    pub var_model: Vec<f64>,
    /// Weighted means of the covariates (the centre of the curves below).
    pub means: Vec<f64>,
    /// Stratum of each exit time of the curves below.
    pub curve_stratum: Vec<u32>,
    /// Distinct exit times of each stratum.
    pub curve_time: Vec<f64>,
    /// Cumulative hazard at the covariate means (offset 0), at `curve_time`.
    pub curve_hazard: Vec<f64>,
    /// Its Aalen-type variance term Σ w̄ / a0² (cumulative).
    pub curve_var: Vec<f64>,
    /// Σ w̄ a1 / a0² (cumulative; centred covariates; row-major times × p), the
    /// derivative of the cumulative hazard in β.
    pub curve_xbar: Vec<f64>,
}

pub(super) struct Prepared {
    pub(super) n: usize,
    pub(super) p: usize,
    pub(super) xc: Vec<f64>,
    pub(super) means: Vec<f64>,
    pub(super) w: Vec<f64>,
    /// Offsets (0 without).
    pub(super) off: Vec<f64>,
    /// Cluster code of each row and the number of clusters, or `None`.
    pub(super) cluster: Option<(Vec<u32>, usize)>,
    // Per stratum: rows sorted by time descending, rows sorted by entry descending.
    pub(super) by_time: Vec<Vec<usize>>,
    pub(super) by_entry: Vec<Vec<usize>>,
    /// The rows laid out in the order of `by_time`.
    pub(super) sorted: Sorted,
}

impl Prepared {
    /// Linear predictors (centred covariates, plus the offset) at `beta`.
    pub(super) fn eta(&self, beta: &[f64]) -> Vec<f64> {
        let p = self.p;
        (0..self.n)
            .map(|i| linear_predictor(&self.xc[i * p..(i + 1) * p], beta, self.off[i]))
            .collect()
    }
}

/// x·β + offset of one row: the same sum, in the same order, wherever the row lies.
fn linear_predictor(x: &[f64], beta: &[f64], off: f64) -> f64 {
    x.iter().zip(beta).map(|(x, b)| x * b).sum::<f64>() + off
}

/// The rows laid out once in the order the risk-set sweeps visit them: stratum by
/// stratum, exit time descending (the order of [`Prepared::by_time`]), so that each
/// Newton evaluation and the concordance read memory forward instead of jumping by
/// row number. Position k holds row `row[k]`; every sum runs over the rows in the
/// same order as before, so results are unchanged to the bit.
#[derive(Default)]
pub(super) struct Sorted {
    p: usize,
    /// Row at each position.
    row: Vec<usize>,
    /// Position of each row.
    pos: Vec<usize>,
    /// First position of each stratum, and n at the end.
    start: Vec<usize>,
    /// Centred covariates (positions × p), weights, offsets, times and exits.
    x: Vec<f64>,
    w: Vec<f64>,
    off: Vec<f64>,
    time: Vec<f64>,
    dead: Vec<bool>,
    /// With delayed entry: per stratum (same runs as `start`), the positions in
    /// descending order of entry ([`Prepared::by_entry`]) and their entry times.
    entry: Option<(Vec<usize>, Vec<f64>)>,
}

impl Sorted {
    fn new(d: &CoxData, pr: &Prepared) -> Sorted {
        let p = pr.p;
        let row: Vec<usize> = pr.by_time.iter().flatten().copied().collect();
        let mut pos = vec![0; pr.n];
        for (k, &i) in row.iter().enumerate() {
            pos[i] = k;
        }
        let mut start = vec![0];
        for rows in &pr.by_time {
            start.push(start[start.len() - 1] + rows.len());
        }
        let entry = d.entry.map(|e| {
            let at: Vec<usize> = pr.by_entry.iter().flatten().map(|&i| pos[i]).collect();
            let times = at.iter().map(|&k| e[row[k]]).collect();
            (at, times)
        });
        Sorted {
            p,
            x: row
                .iter()
                .flat_map(|&i| pr.xc[i * p..(i + 1) * p].iter().copied())
                .collect(),
            w: row.iter().map(|&i| pr.w[i]).collect(),
            off: row.iter().map(|&i| pr.off[i]).collect(),
            time: row.iter().map(|&i| d.time[i]).collect(),
            dead: row.iter().map(|&i| d.event[i] == 1).collect(),
            row,
            pos,
            start,
            entry,
        }
    }

    /// Linear predictors at `beta`, by position.
    fn eta(&self, beta: &[f64]) -> Vec<f64> {
        let p = self.p;
        (0..self.row.len())
            .map(|k| linear_predictor(&self.x[k * p..(k + 1) * p], beta, self.off[k]))
            .collect()
    }

    /// The strata's runs of positions.
    fn strata(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        self.start.windows(2).map(|r| (r[0], r[1]))
    }

    /// The end of the run of positions from `k` (below `hi`) with the time at `k`.
    fn run_end(&self, k: usize, hi: usize) -> usize {
        let t = self.time[k];
        let mut q = k;
        while q < hi && self.time[q] == t {
            q += 1;
        }
        q
    }
}

/// Running sums over a risk set of r, r x and r x xᵀ (lower triangle), r = w e^η.
struct RiskSums {
    s0: f64,
    s1: Vec<f64>,
    s2: Vec<f64>,
}

impl RiskSums {
    fn new(p: usize) -> Self {
        RiskSums {
            s0: 0.0,
            s1: vec![0.0; p],
            s2: vec![0.0; p * p],
        }
    }

    fn clear(&mut self) {
        self.s0 = 0.0;
        self.s1.fill(0.0);
        self.s2.fill(0.0);
    }

    /// Add (`sign` 1) or remove (-1) a row with covariates `x` and risk `r`.
    #[inline]
    fn add<const SIGN: i8>(&mut self, x: &[f64], r: f64) {
        let p = x.len();
        if SIGN > 0 {
            self.s0 += r;
        } else {
            self.s0 -= r;
        }
        for a in 0..p {
            let xa = x[a] * r;
            let row = &mut self.s2[a * p..a * p + a + 1];
            if SIGN > 0 {
                self.s1[a] += xa;
                for (s, xb) in row.iter_mut().zip(x) {
                    *s += xa * xb;
                }
            } else {
                self.s1[a] -= xa;
                for (s, xb) in row.iter_mut().zip(x) {
                    *s -= xa * xb;
                }
            }
        }
    }
}

struct Eval {
    loglik: f64,
    u: Vec<f64>,
    imat: Vec<f64>,
}

#[cfg(test)]
pub(super) fn prepare(d: &CoxData) -> Result<Prepared> {
    prepare_with(d, &Control::default())
}

/// [`prepare`], checking `control` every [`crate::control::CHECK_ROWS`] rows of the
/// collinearity check.
pub(super) fn prepare_with(d: &CoxData, control: &Control) -> Result<Prepared> {
    let n = d.time.len();
    let p = d.p;
    validate::same_len(n, d.event.len(), "duration", "event")?;
    validate::non_negative(d.time, "duration")?;
    let design = Design::new(d.x, n, p, d.names)?;
    if let Some(i) = d.event.iter().position(|&e| e > 1) {
        return Err(Error::input_at(
            "event",
            i,
            format!("code {} is not 0 (censored) or 1 (exit)", d.event[i]),
        ));
    }
    if let Some(e) = d.entry {
        validate::same_len(n, e.len(), "duration", "entry")?;
        validate::finite(e, "entry")?;
        if let Some(i) = (0..n).find(|&i| e[i] >= d.time[i]) {
            return Err(Error::input_at(
                "entry",
                i,
                format!(
                    "entry {} is not before the exit time {}; a person is at risk on (entry, exit]",
                    e[i], d.time[i]
                ),
            ));
        }
    }
    let w = match d.weights {
        Some(w) => {
            validate::same_len(n, w.len(), "duration", "weights")?;
            validate::positive(w, "weights")?;
            w.to_vec()
        }
        None => vec![1.0; n],
    };
    let off = match d.offset {
        Some(o) => {
            validate::same_len(n, o.len(), "duration", "offset")?;
            validate::finite(o, "offset")?;
            o.to_vec()
        }
        None => vec![0.0; n],
    };
    let cluster = match d.cluster {
        Some(c) => {
            validate::same_len(n, c.len(), "duration", "cluster")?;
            if let Some(i) = c.iter().position(|&x| x as usize >= n) {
                return Err(Error::input_at(
                    "cluster",
                    i,
                    format!(
                        "cluster code {} is not below the number of rows {n}; give dense codes 0, 1, ...",
                        c[i]
                    ),
                ));
            }
            let k = c.iter().map(|&x| x as usize + 1).max().unwrap_or(1);
            Some((c.to_vec(), k))
        }
        None => None,
    };
    design.require_covariates()?;
    design.require_rows()?;
    if !d.event.contains(&1) {
        return Err(Error::input(
            "event",
            "every observation is censored: there is no exit to model",
        ));
    }
    // Centre, and check for constant and collinear covariates.
    let wsum: f64 = w.iter().sum();
    let mut means = vec![0.0; p];
    for i in 0..n {
        for j in 0..p {
            means[j] += w[i] * d.x[i * p + j];
        }
    }
    for m in &mut means {
        *m /= wsum;
    }
    let mut xc = d.x.to_vec();
    for i in 0..n {
        for j in 0..p {
            xc[i * p + j] -= means[j];
        }
    }
    let cov = design.cross_products(|i, j| xc[i * p + j], |i| w[i], control)?;
    for a in 0..p {
        if cov[a * p + a] <= 1e-12 * (1.0 + means[a].abs()).powi(2) * wsum {
            return Err(design.constant(a, CONSTANT));
        }
    }
    design.check_rank(&cov)?;
    let (codes, n_strata) = match d.strata {
        Some(s) => {
            validate::same_len(n, s.len(), "duration", "strata")?;
            // One list of rows per code up to the largest: dense codes (0..k, k <= n)
            // keep that small, a stray large one would not.
            if let Some(i) = s.iter().position(|&x| x as usize >= n) {
                return Err(Error::input_at(
                    "strata",
                    i,
                    format!(
                        "stratum code {} is not below the number of rows {n}; give dense codes 0, 1, ...",
                        s[i]
                    ),
                ));
            }
            (
                s.to_vec(),
                s.iter().map(|&x| x as usize + 1).max().unwrap_or(1),
            )
        }
        None => (vec![0; n], 1),
    };
    let mut by_time: Vec<Vec<usize>> = vec![Vec::new(); n_strata];
    for i in 0..n {
        by_time[codes[i] as usize].push(i);
    }
    // A covariate constant within every stratum is absorbed by the strata's baselines:
    // its effect cannot be estimated (R's coxph reports NA for it).
    if n_strata > 1 {
        for a in 0..p {
            let constant = by_time.iter().all(|rows| {
                rows.first().is_none_or(|&r0| {
                    let x0 = d.x[r0 * p + a];
                    rows.iter()
                        .all(|&r| (d.x[r * p + a] - x0).abs() <= 1e-12 * (1.0 + x0.abs()))
                })
            });
            if constant {
                return Err(Error::input(
                    d.names.get(a).map_or("covariates", |s| s.as_str()),
                    "is constant within every stratum, so the strata absorb it and its \
                     effect cannot be estimated; drop it or the strata",
                ));
            }
        }
    }
    let by_entry = match d.entry {
        Some(e) => by_time.iter().map(|rows| descending(rows, e)).collect(),
        None => vec![Vec::new(); n_strata],
    };
    for rows in &mut by_time {
        *rows = descending(rows, d.time);
    }
    let mut pr = Prepared {
        n,
        p,
        xc,
        means,
        w,
        off,
        cluster,
        by_time,
        by_entry,
        sorted: Sorted::default(),
    };
    pr.sorted = Sorted::new(d, &pr);
    Ok(pr)
}

/// `rows` (ascending) in descending order of `v` (`f64::total_cmp`), equal values in
/// ascending order of row: what a stable sort by descending value gives, found by
/// sorting pairs of integers (an order-preserving key of the value, the row) instead of
/// comparing values looked up row by row.
fn descending(rows: &[usize], v: &[f64]) -> Vec<usize> {
    let key = |x: f64| {
        let b = x.to_bits();
        if b >> 63 == 1 {
            !b
        } else {
            b | 1 << 63
        }
    };
    let mut keyed: Vec<(u64, usize)> = rows.iter().map(|&i| (!key(v[i]), i)).collect();
    keyed.sort_unstable();
    keyed.into_iter().map(|(_, i)| i).collect()
}

/// Log partial likelihood, score and information at `beta` (centred covariates), in
/// one forward pass over the rows in time order per stratum. `control` is checked every
/// [`crate::control::CHECK_ROWS`] rows.
fn evaluate(srt: &Sorted, beta: &[f64], ties: CoxTies, control: &Control) -> Result<Eval> {
    let p = srt.p;
    let eta = srt.eta(beta);
    let risk: Vec<f64> = eta.iter().zip(&srt.w).map(|(e, w)| w * e.exp()).collect();
    let mut ev = Eval {
        loglik: 0.0,
        u: vec![0.0; p],
        imat: vec![0.0; p * p],
    };
    let (mut at_risk, mut exits) = (RiskSums::new(p), RiskSums::new(p));
    let mut a1 = vec![0.0; p];
    for (lo, hi) in srt.strata() {
        at_risk.clear();
        let (mut k, mut ke) = (lo, lo);
        let mut checked = lo;
        while k < hi {
            if k >= checked {
                control.check()?;
                checked = k + crate::control::CHECK_ROWS;
            }
            let t = srt.time[k];
            // Add everyone with time >= t (all rows at this time).
            let q = srt.run_end(k, hi);
            let mut m = 0usize;
            for i in k..q {
                at_risk.add::<1>(&srt.x[i * p..(i + 1) * p], risk[i]);
                m += usize::from(srt.dead[i]);
            }
            // Remove those not yet entered at t (entry >= t).
            if let Some((at, entry)) = &srt.entry {
                while ke < hi && entry[ke] >= t {
                    let i = at[ke];
                    at_risk.add::<-1>(&srt.x[i * p..(i + 1) * p], risk[i]);
                    ke += 1;
                }
            }
            if m > 0 {
                exits.clear();
                let mut wd = 0.0;
                for i in (k..q).filter(|&i| srt.dead[i]) {
                    let (w, x) = (srt.w[i], &srt.x[i * p..(i + 1) * p]);
                    wd += w;
                    ev.loglik += w * eta[i];
                    for a in 0..p {
                        ev.u[a] += w * x[a];
                    }
                    exits.add::<1>(x, risk[i]);
                }
                let (steps, wbar) = match ties {
                    CoxTies::Breslow => (1usize, wd),
                    CoxTies::Efron => (m, wd / m as f64),
                };
                let (s, dd) = (&at_risk, &exits);
                for l in 0..steps {
                    let frac = match ties {
                        CoxTies::Breslow => 0.0,
                        CoxTies::Efron => l as f64 / m as f64,
                    };
                    let a0 = s.s0 - frac * dd.s0;
                    ev.loglik -= wbar * a0.ln();
                    for a in 0..p {
                        a1[a] = s.s1[a] - frac * dd.s1[a];
                        ev.u[a] -= wbar * a1[a] / a0;
                        for b in 0..=a {
                            let a2 = s.s2[a * p + b] - frac * dd.s2[a * p + b];
                            ev.imat[a * p + b] += wbar * (a2 / a0 - a1[a] * a1[b] / (a0 * a0));
                        }
                    }
                }
            }
            k = q;
        }
    }
    for a in 0..p {
        for b in 0..a {
            ev.imat[b * p + a] = ev.imat[a * p + b];
        }
    }
    Ok(ev)
}

/// Fit a Cox model. Newton-Raphson from β = 0 with step halving, converged when
/// |1 − ℓ_old/ℓ_new| <= 1e-9 (R's defaults, at most `max_iter` iterations).
///
/// Errors: constant or collinear covariates and fewer rows than covariates are input
/// errors; a likelihood that keeps rising as a coefficient runs off to infinity
/// (separation: a covariate level with no exits, or only exits) is a convergence error
/// naming the covariate.
///
/// References: Cox DR (1972) JRSS B 34:187-220; Efron B (1977) JASA 72:557-565;
/// Breslow NE (1974) Biometrics 30:89-99; Therneau TM, Grambsch PM (2000) Modeling
/// Survival Data: Extending the Cox Model, Springer.
pub fn cox(d: &CoxData, ties: CoxTies, max_iter: usize, robust: bool) -> Result<CoxFit> {
    cox_with(d, ties, max_iter, robust, &Control::default())
}

/// [`cox`], checking `control` every [`crate::control::CHECK_ROWS`] rows of each
/// Newton step and step halving, and before the robust variance, the concordance and
/// the baseline hazard: once it is cancelled the fit stops with [`Error::Interrupted`].
pub fn cox_with(
    d: &CoxData,
    ties: CoxTies,
    max_iter: usize,
    robust: bool,
    control: &Control,
) -> Result<CoxFit> {
    let pr = prepare_with(d, control)?;
    let srt = &pr.sorted;
    let robust = robust || pr.cluster.is_some();
    let p = pr.p;
    let mut beta = vec![0.0; p];
    let first = evaluate(srt, &beta, ties, control)?;
    let loglik_null = first.loglik;
    let f0 = ldl(&first.imat, p, 1e-12);
    let step0 = f0.solve(&first.u);
    let score_test: f64 = first.u.iter().zip(&step0).map(|(a, b)| a * b).sum();
    let mut cur = first;
    let mut step = step0;
    let mut iterations = 0;
    let mut converged = false;
    while iterations < max_iter {
        control.check()?;
        iterations += 1;
        let mut candidate: Vec<f64> = beta.iter().zip(&step).map(|(b, s)| b + s).collect();
        let mut next = evaluate(srt, &candidate, ties, control)?;
        let mut halvings = 0;
        while !(next.loglik.is_finite() && next.loglik >= cur.loglik - 1e-12 * cur.loglik.abs())
            && halvings < 30
        {
            control.check()?;
            candidate = beta
                .iter()
                .zip(&candidate)
                .map(|(b, c)| 0.5 * (b + c))
                .collect();
            next = evaluate(srt, &candidate, ties, control)?;
            halvings += 1;
        }
        // (Equal log-likelihoods count as converged: both 0 when every exit is alone at
        // risk.)
        let done = (next.loglik == cur.loglik || (1.0 - cur.loglik / next.loglik).abs() <= 1e-9)
            && halvings == 0;
        beta = candidate;
        cur = next;
        let f = ldl(&cur.imat, p, 1e-12);
        step = f.solve(&cur.u);
        if done {
            converged = true;
            break;
        }
    }
    let fin = ldl(&cur.imat, p, 1e-12);
    let var = fin.inverse();
    // Infinite coefficients: the next Newton step is still large relative to β.
    let infinite: Vec<usize> = (0..p)
        .filter(|&j| step[j].abs() > 1e-9 && step[j].abs() > 1e-9f64.sqrt() * beta[j].abs())
        .collect();
    let bad = |idx: &[usize]| -> String {
        idx.iter()
            .map(|&j| format!("'{}'", d.names.get(j).map_or("?", |s| s.as_str())))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !converged || !infinite.is_empty() || beta.iter().any(|b| !b.is_finite()) {
        let culprits = if infinite.is_empty() {
            let j = (0..p)
                .max_by(|&a, &b| beta[a].abs().total_cmp(&beta[b].abs()))
                .unwrap_or(0);
            vec![j]
        } else {
            infinite
        };
        return Err(Error::Convergence {
            what: "the Cox model".into(),
            reason: format!(
                "the coefficient of {} keeps growing after {iterations} iterations (monotone likelihood: \
                 the covariate separates those who exit from those who stay, e.g. a level with no exits)",
                bad(&culprits)
            ),
            hint: "drop the covariate, merge sparse levels, or stratify on it".into(),
        });
    }
    if fin.rank < p {
        // A coefficient the partial likelihood does not inform: the covariate does not
        // vary among those at risk at any exit time (R's coxph reports NA for it).
        let j = fin.d.iter().position(|&x| x == 0.0).unwrap_or(0);
        return Err(Error::input(
            d.names.get(j).map_or("covariates", |s| s.as_str()),
            "does not vary among those at risk at any exit time (or is a combination of \
             the covariates before it there), so its effect cannot be estimated; drop it",
        ));
    }
    let se_model: Vec<f64> = (0..p).map(|j| var[j * p + j].sqrt()).collect();
    let var_model = var.clone();
    let (var, wald, robust_score_test) = if robust {
        // Sandwich V (Σ (w r)(w r)ᵀ) V with score residuals r, as R's robust = TRUE.
        // With clusters, the weighted residuals are first summed within each cluster
        // (R's coxph(..., cluster = id)).
        let meat = |b: &[f64]| -> Result<Vec<f64>> {
            control.check()?;
            let mut r = score_residuals(d, &pr, b, ties, control)?;
            for i in 0..pr.n {
                for a in 0..p {
                    r[i * p + a] *= pr.w[i];
                }
            }
            let (g, k) = match &pr.cluster {
                Some((codes, k)) => {
                    let mut g = vec![0.0; k * p];
                    for i in 0..pr.n {
                        let c = codes[i] as usize;
                        for a in 0..p {
                            g[c * p + a] += r[i * p + a];
                        }
                    }
                    (g, *k)
                }
                None => (r, pr.n),
            };
            let mut m = vec![0.0; p * p];
            for i in 0..k {
                for a in 0..p {
                    let ra = g[i * p + a];
                    for c in 0..p {
                        m[a * p + c] += ra * g[i * p + c];
                    }
                }
            }
            Ok(m)
        };
        let dd = meat(&beta)?;
        let mut vr = vec![0.0; p * p];
        for a in 0..p {
            for c in 0..p {
                let mut acc = 0.0;
                for k in 0..p {
                    for l in 0..p {
                        acc += var[a * p + k] * dd[k * p + l] * var[l * p + c];
                    }
                }
                vr[a * p + c] = acc;
            }
        }
        let wald = crate::linalg::quadratic_form_ginv(&vr, &beta, p);
        let d0 = meat(&vec![0.0; p])?;
        control.check()?;
        let u0 = evaluate(srt, &vec![0.0; p], ties, control)?.u;
        (vr, wald, crate::linalg::quadratic_form_ginv(&d0, &u0, p))
    } else {
        let mut wald = 0.0;
        for a in 0..p {
            for b in 0..p {
                wald += beta[a] * cur.imat[a * p + b] * beta[b];
            }
        }
        (var, wald, f64::NAN)
    };
    let se: Vec<f64> = (0..p).map(|j| var[j * p + j].sqrt()).collect();
    let z: Vec<f64> = beta.iter().zip(&se).map(|(b, s)| b / s).collect();
    let p_value = z.iter().map(|&z| normal_two_sided_p(z)).collect();
    let df = ldl(&cur.imat, p, 1e-12).rank;
    let lr = 2.0 * (cur.loglik - loglik_null);
    let mut fit = CoxFit {
        coef: beta.clone(),
        se,
        var,
        z,
        p_value,
        loglik_null,
        loglik: cur.loglik,
        lr_test: lr,
        wald_test: wald,
        score_test,
        df,
        // No degrees of freedom (an information matrix of rank 0): no p-value.
        test_p_values: [lr, wald, score_test].map(|x| {
            if df == 0 {
                f64::NAN
            } else {
                chisq_sf(x, df as f64)
            }
        }),
        iterations,
        robust,
        se_model,
        robust_score_test,
        var_model,
        means: pr.means.clone(),
        n_events: (0..pr.n)
            .filter(|&i| d.event[i] == 1)
            .map(|i| pr.w[i])
            .sum(),
        ..Default::default()
    };
    control.check()?;
    let (c, cvar) = concordance(&pr, srt, &beta);
    fit.concordance = c;
    fit.concordance_std_err = cvar.sqrt();
    control.check()?;
    baseline(d, &pr, &beta, ties, &mut fit, control)?;
    Ok(fit)
}

/// What one distinct exit time of a stratum contributes, summed over the steps of the
/// tie correction. With m tied exits of total weight W at time t, Efron's correction
/// evaluates the risk set m times, step l = 0..m−1 removing the share l/m of the
/// exits' risk: a0_l = S0 − (l/m) D0, a1_l = S1 − (l/m) D1 (D: sums over the exits), each
/// step carrying the mean weight w̄ = W/m; Breslow takes one step, l = 0, with w̄ = W.
/// Covariates are centred; `risk` is w e^η.
pub(super) struct Step {
    /// The exit time.
    pub(super) t: f64,
    /// Rows exiting at `t`, ascending.
    pub(super) dead: Vec<usize>,
    /// Hazard increment dΛ = Σ_l w̄ / a0_l.
    pub(super) haz: f64,
    /// The increment the exits themselves carry: Σ_l (1 − l/m) w̄ / a0_l.
    pub(super) haz_dead: f64,
    /// Aalen-type variance increment Σ_l w̄ / a0_l².
    pub(super) var: f64,
    /// Σ_l w̄ a1_l / a0_l² = ∫ x̄ dΛ over the step (also the derivative of dΛ in β,
    /// for the variance of predicted curves).
    pub(super) b: Vec<f64>,
    /// Σ_l (1 − l/m) w̄ a1_l / a0_l², what the exits themselves carry.
    pub(super) b_dead: Vec<f64>,
    /// Mean over the steps of a1_l / a0_l (the mean covariate of Schoenfeld residuals).
    pub(super) xbar: Vec<f64>,
    /// Σ_l w̄ (a2_l / a0_l − a1_l a1_lᵀ / a0_l²), row-major p × p; empty unless asked.
    pub(super) info: Vec<f64>,
}

/// The [`Step`]s of stratum `s`, in ascending order of time. Rows are at risk on
/// (entry, time]. `control` is checked every [`crate::control::CHECK_ROWS`] rows.
pub(super) fn sweep(
    pr: &Prepared,
    risk: &[f64],
    ties: CoxTies,
    s: usize,
    second: bool,
    control: &Control,
) -> Result<Vec<Step>> {
    let p = pr.p;
    // Positions (rows in time order, see [`Sorted`]); `risk` is by row.
    let srt = &pr.sorted;
    let (lo, hi) = (srt.start[s], srt.start[s + 1]);
    let q2 = if second { p * p } else { 0 };
    let mut steps: Vec<Step> = Vec::new();
    let (mut s0, mut s1, mut s2) = (0.0, vec![0.0; p], vec![0.0; q2]);
    let add = |sign: f64, k: usize, s0: &mut f64, s1: &mut [f64], s2: &mut [f64]| {
        let (r, x) = (risk[srt.row[k]], &srt.x[k * p..(k + 1) * p]);
        *s0 += sign * r;
        for a in 0..p {
            let xa = sign * r * x[a];
            s1[a] += xa;
            if second {
                for c in 0..=a {
                    s2[a * p + c] += xa * x[c];
                }
            }
        }
    };
    let (mut k, mut ke) = (lo, lo);
    let mut checked = lo;
    while k < hi {
        if k >= checked {
            control.check()?;
            checked = k + crate::control::CHECK_ROWS;
        }
        let t = srt.time[k];
        let (mut d0, mut d1, mut d2, mut wd) = (0.0, vec![0.0; p], vec![0.0; q2], 0.0);
        let mut dead = Vec::new();
        let q = srt.run_end(k, hi);
        for i in k..q {
            add(1.0, i, &mut s0, &mut s1, &mut s2);
            if srt.dead[i] {
                add(1.0, i, &mut d0, &mut d1, &mut d2);
                wd += srt.w[i];
                dead.push(srt.row[i]);
            }
        }
        if let Some((at, entry)) = &srt.entry {
            while ke < hi && entry[ke] >= t {
                add(-1.0, at[ke], &mut s0, &mut s1, &mut s2);
                ke += 1;
            }
        }
        if !dead.is_empty() {
            let m = dead.len();
            let (nsteps, wbar) = match ties {
                CoxTies::Breslow => (1usize, wd),
                CoxTies::Efron => (m, wd / m as f64),
            };
            dead.sort_unstable();
            let mut st = Step {
                t,
                dead,
                haz: 0.0,
                haz_dead: 0.0,
                var: 0.0,
                b: vec![0.0; p],
                b_dead: vec![0.0; p],
                xbar: vec![0.0; p],
                info: vec![0.0; q2],
            };
            let mut a1 = vec![0.0; p];
            for l in 0..nsteps {
                let frac = match ties {
                    CoxTies::Breslow => 0.0,
                    CoxTies::Efron => l as f64 / m as f64,
                };
                let a0 = s0 - frac * d0;
                let dl = wbar / a0;
                let down = 1.0 - frac;
                st.haz += dl;
                st.haz_dead += down * dl;
                st.var += dl / a0;
                for j in 0..p {
                    a1[j] = s1[j] - frac * d1[j];
                    let xb = a1[j] / a0;
                    st.b[j] += xb * dl;
                    st.b_dead[j] += down * xb * dl;
                    st.xbar[j] += xb / nsteps as f64;
                }
                if second {
                    for a in 0..p {
                        for c in 0..=a {
                            let a2 = s2[a * p + c] - frac * d2[a * p + c];
                            let v = wbar * (a2 / a0 - a1[a] * a1[c] / (a0 * a0));
                            st.info[a * p + c] += v;
                        }
                    }
                }
            }
            if second {
                for a in 0..p {
                    for c in 0..a {
                        st.info[c * p + a] = st.info[a * p + c];
                    }
                }
            }
            steps.push(st);
        }
        k = q;
    }
    steps.reverse();
    Ok(steps)
}

/// Martingale residuals M_i = δ_i − e^{η_i} ∫ Y_i(t) dΛ(t) (length n) and score
/// residuals r_i = ∫ (x_i − x̄(t)) dM_i(t) (row-major n × p), with Efron's
/// down-weighting of tied exits as in R's `residuals(fit, type = "martingale")` and
/// `type = "score"`: at a time with m tied exits the risk set is evaluated m times,
/// the exits carrying weight 1 − l/m at step l. Both are unweighted (case weights enter
/// the hazard, not the residual).
///
/// Reference: Therneau TM, Grambsch PM, Fleming TR (1990) Martingale-based residuals
/// for survival models. Biometrika 77:147-160.
pub(super) fn mart_score_residuals(
    d: &CoxData,
    pr: &Prepared,
    beta: &[f64],
    ties: CoxTies,
    control: &Control,
) -> Result<(Vec<f64>, Vec<f64>)> {
    let p = pr.p;
    let n = pr.n;
    let eta = pr.eta(beta);
    let risk: Vec<f64> = (0..n).map(|i| pr.w[i] * eta[i].exp()).collect();
    let mut mart = vec![0.0; n];
    let mut res = vec![0.0; n * p];
    for (s, rows) in pr.by_time.iter().enumerate() {
        let steps = sweep(pr, &risk, ties, s, false, control)?;
        let times: Vec<f64> = steps.iter().map(|s| s.t).collect();
        // Cumulative sums A(t) = Σ_{t_j <= t} dΛ_j, B(t) likewise.
        let mut cum_a = vec![0.0; steps.len() + 1];
        let mut cum_b = vec![0.0; (steps.len() + 1) * p];
        for (j, st) in steps.iter().enumerate() {
            cum_a[j + 1] = cum_a[j] + st.haz;
            for c in 0..p {
                cum_b[(j + 1) * p + c] = cum_b[j * p + c] + st.b[c];
            }
        }
        for (r, &i) in rows.iter().enumerate() {
            control.check_row(r)?;
            let ti = d.time[i];
            // Steps with time < ti, and the step at ti (if any).
            let before = times.partition_point(|&t| t < ti);
            let at_own = before < times.len() && times[before] == ti;
            let start = match d.entry {
                Some(e) => times.partition_point(|&t| t <= e[i]).min(before),
                None => 0,
            };
            let er = eta[i].exp();
            let dead = d.event[i] == 1;
            let mut a = cum_a[before] - cum_a[start];
            if at_own {
                a += if dead {
                    steps[before].haz_dead
                } else {
                    steps[before].haz
                };
            }
            mart[i] = f64::from(u8::from(dead)) - er * a;
            for c in 0..p {
                let x = pr.xc[i * p + c];
                let mut b = cum_b[before * p + c] - cum_b[start * p + c];
                let mut r = 0.0;
                if at_own {
                    let st = &steps[before];
                    if dead {
                        b += st.b_dead[c];
                        r += x - st.xbar[c];
                    } else {
                        b += st.b[c];
                    }
                }
                r -= er * (x * a - b);
                res[i * p + c] = r;
            }
        }
    }
    Ok((mart, res))
}

/// Score residuals (row-major n × p); see [`mart_score_residuals`].
fn score_residuals(
    d: &CoxData,
    pr: &Prepared,
    beta: &[f64],
    ties: CoxTies,
    control: &Control,
) -> Result<Vec<f64>> {
    Ok(mart_score_residuals(d, pr, beta, ties, control)?.1)
}

/// Cumulative baseline hazard at x = 0 at every distinct time of each stratum:
/// increments d / S0 (Breslow) or Σ_l w̄ / (S0 − (l/m) D0) (Efron), as R's
/// `basehaz(fit, centered = FALSE)`.
fn baseline(
    d: &CoxData,
    pr: &Prepared,
    beta: &[f64],
    ties: CoxTies,
    fit: &mut CoxFit,
    control: &Control,
) -> Result<()> {
    let p = pr.p;
    let shift: f64 = (0..p).map(|j| pr.means[j] * beta[j]).sum();
    let eta = pr.eta(beta);
    let risk: Vec<f64> = (0..pr.n).map(|i| pr.w[i] * eta[i].exp()).collect();
    // Curves at the covariate means, for predictions and their variance (R's agsurv).
    for s in 0..pr.by_time.len() {
        let (mut h, mut v, mut xb) = (0.0, 0.0, vec![0.0; p]);
        for st in sweep(pr, &risk, ties, s, false, control)? {
            h += st.haz;
            v += st.var;
            for j in 0..p {
                xb[j] += st.b[j];
            }
            fit.curve_stratum.push(s as u32);
            fit.curve_time.push(st.t);
            fit.curve_hazard.push(h);
            fit.curve_var.push(v);
            fit.curve_xbar.extend_from_slice(&xb);
        }
    }
    for (s, (rows, erows)) in pr.by_time.iter().zip(&pr.by_entry).enumerate() {
        // Walk times descending collecting increments, then accumulate ascending.
        let mut incs: Vec<(f64, f64)> = Vec::new();
        let mut s0 = 0.0;
        let (mut k, mut ke) = (0, 0);
        while k < rows.len() {
            let t = d.time[rows[k]];
            let (mut d0, mut wd, mut m) = (0.0, 0.0, 0usize);
            let mut q = k;
            while q < rows.len() && d.time[rows[q]] == t {
                let i = rows[q];
                s0 += risk[i];
                if d.event[i] == 1 {
                    d0 += risk[i];
                    wd += pr.w[i];
                    m += 1;
                }
                q += 1;
            }
            if let Some(e) = d.entry {
                while ke < erows.len() && e[erows[ke]] >= t {
                    s0 -= risk[erows[ke]];
                    ke += 1;
                }
            }
            let inc = if m == 0 {
                0.0
            } else {
                match ties {
                    CoxTies::Breslow => wd / s0,
                    CoxTies::Efron => {
                        let wbar = wd / m as f64;
                        (0..m).map(|l| wbar / (s0 - l as f64 / m as f64 * d0)).sum()
                    }
                }
            };
            incs.push((t, inc));
            k = q;
        }
        let mut h = 0.0;
        for &(t, inc) in incs.iter().rev() {
            h += inc;
            fit.baseline_stratum.push(s as u32);
            fit.baseline_time.push(t);
            // Centred risk scores: move from x = mean to x = 0.
            fit.baseline_hazard.push(h * (-shift).exp());
        }
    }
    Ok(())
}

/// Weighted Fenwick tree over ranks.
struct Fenwick(Vec<f64>);

impl Fenwick {
    fn new(m: usize) -> Self {
        Fenwick(vec![0.0; m + 1])
    }
    fn add(&mut self, rank: usize, v: f64) {
        let mut k = rank + 1;
        while k < self.0.len() {
            self.0[k] += v;
            k += k & k.wrapping_neg();
        }
    }
    /// Sum over ranks < r.
    fn below(&self, r: usize) -> f64 {
        let (mut k, mut s) = (r, 0.0);
        while k > 0 {
            s += self.0[k];
            k -= k & k.wrapping_neg();
        }
        s
    }
    /// (weight with rank < r, with rank == r, with rank > r).
    fn split(&self, r: usize) -> [f64; 3] {
        let below = self.below(r);
        let upto = self.below(r + 1);
        let total = self.below(self.0.len() - 1);
        [below, upto - below, total - upto]
    }
}

/// The rank of each linear predictor among the distinct ones (values within 1e-12
/// relative of the smaller one before them count as one), and their number. Walks the
/// values in ascending order with a pointer into the distinct ones instead of a binary
/// search per value; the pointer steps back should a rounding make a threshold fall.
fn eta_ranks(eta: &[f64]) -> (Vec<usize>, usize) {
    let mut order: Vec<(f64, usize)> = eta.iter().copied().zip(0..).collect();
    order.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
    let mut sorted: Vec<f64> = order.iter().map(|o| o.0).collect();
    sorted.dedup_by(|a, b| (*a - *b).abs() <= 1e-12 * (1.0 + b.abs()));
    let m = sorted.len();
    let mut ranks = vec![0; eta.len()];
    let mut r = 0;
    for &(v, k) in &order {
        // The first distinct value not below v − 1e-12 (1 + |v|).
        let floor = v - 1e-12 * (1.0 + v.abs());
        while r < m && sorted[r] < floor {
            r += 1;
        }
        while r > 0 && sorted[r - 1] >= floor {
            r -= 1;
        }
        ranks[k] = r.min(m.saturating_sub(1));
    }
    (ranks, m)
}

/// Harrell's C over comparable pairs (i exits at t_i; j in the same stratum still at
/// risk after t_i, or censored at t_i), the weighted share with η_i > η_j, ties in η
/// counting one half, and its infinitesimal-jackknife variance, both as R's
/// `concordance` reports them for a Cox model. O(n log n) with Fenwick trees.
///
/// Reference: Therneau TM, Watson EA (2017) The concordance statistic and the Cox
/// model. Mayo Clinic technical report; Harrell FE et al. (1982) JAMA 247:2543-2546.
fn concordance(pr: &Prepared, srt: &Sorted, beta: &[f64]) -> (f64, f64) {
    let n = pr.n;
    let (ranks, m) = eta_ranks(&srt.eta(beta));
    let (w, dead, time) = (&srt.w, &srt.dead, &srt.time);
    // Per position: weighted counts of its concordant, discordant and η-tied pairs.
    let mut infl = vec![[0.0f64; 3]; n];
    for (lo, hi) in srt.strata() {
        // Exits against those who outlast them (positions run by time descending).
        let mut tree = Fenwick::new(m);
        let (mut k, mut ke) = (lo, lo);
        while k < hi {
            let t = time[k];
            let q = srt.run_end(k, hi);
            for i in (k..q).filter(|&i| !dead[i]) {
                tree.add(ranks[i], w[i]);
            }
            if let Some((at, entry)) = &srt.entry {
                while ke < hi && entry[ke] >= t {
                    let i = at[ke];
                    if time[i] > t || !dead[i] {
                        tree.add(ranks[i], -w[i]);
                    }
                    ke += 1;
                }
            }
            for i in (k..q).filter(|&i| dead[i]) {
                let [below, tied, above] = tree.split(ranks[i]);
                infl[i][0] += below;
                infl[i][1] += above;
                infl[i][2] += tied;
            }
            for i in (k..q).filter(|&i| dead[i]) {
                tree.add(ranks[i], w[i]);
            }
            k = q;
        }
        // Those who outlast, against the exits before them: a sweep over thresholds in
        // ascending order, adding each exit's weight once the threshold passes its
        // time. Thresholds: each row's time (inclusive when censored; at one time the
        // exits' exclusive ones first) and, with delayed entry, each entry time
        // (inclusive, subtracting what the row was never at risk for). Runs of equal
        // times are walked backwards, so exits are added by ascending time.
        let (mut exits, mut at_time) = (Vec::new(), Vec::with_capacity(hi - lo));
        let mut end = hi;
        while end > lo {
            let bits = time[end - 1].to_bits();
            let mut b = end - 1;
            while b > lo && time[b - 1].to_bits() == bits {
                b -= 1;
            }
            exits.extend((b..end).filter(|&i| dead[i]));
            at_time.extend((b..end).filter(|&i| dead[i]));
            at_time.extend((b..end).filter(|&i| !dead[i]));
            end = b;
        }
        let mut tree = Fenwick::new(m);
        let mut next = 0;
        let mut query = |x: f64, inclusive: bool, j: usize, sign: f64| {
            while next < exits.len()
                && (time[exits[next]] < x || (inclusive && time[exits[next]] == x))
            {
                tree.add(ranks[exits[next]], w[exits[next]]);
                next += 1;
            }
            let [below, tied, above] = tree.split(ranks[j]);
            // An exit with higher η than j is concordant.
            infl[j][0] += sign * above;
            infl[j][1] += sign * below;
            infl[j][2] += sign * tied;
        };
        let entered: &[usize] = srt.entry.as_ref().map_or(&[], |(at, _)| &at[lo..hi]);
        let entries: &[f64] = srt.entry.as_ref().map_or(&[], |(_, e)| &e[lo..hi]);
        let mut ke = entered.len();
        for j in at_time {
            let key = (time[j], !dead[j]);
            // Entry thresholds below this one (entries ascend from the end).
            while ke > 0
                && entries[ke - 1]
                    .total_cmp(&key.0)
                    .then(true.cmp(&key.1))
                    .is_lt()
            {
                ke -= 1;
                query(entries[ke], true, entered[ke], -1.0);
            }
            query(key.0, key.1, j, 1.0);
        }
        while ke > 0 {
            ke -= 1;
            query(entries[ke], true, entered[ke], -1.0);
        }
    }
    // Σ_i w_i count_i counts every pair twice, once from each member.
    // (Summed by row, as ever.)
    let mut totals = [0.0; 3];
    for i in 0..n {
        let v = infl[srt.pos[i]];
        for k in 0..3 {
            totals[k] += pr.w[i] * v[k] / 2.0;
        }
    }
    let [conc, disc, tied] = totals;
    let npair = conc + disc + tied;
    let somers = (conc - disc) / npair;
    let var: f64 = (0..n)
        .map(|i| {
            let [c, dd, t] = infl[srt.pos[i]];
            let dfbeta = pr.w[i] * ((c - dd) / npair - somers / npair * (c + dd + t));
            dfbeta * dfbeta
        })
        .sum::<f64>()
        / 4.0;
    ((somers + 1.0) / 2.0, var)
}

/// Predicted survival curves with their standard errors and intervals.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CoxPrediction {
    /// S(t | x), row-major (rows of `x_new`) × times.
    pub survival: Vec<f64>,
    /// Standard error of S (survival scale: S · se(H)).
    pub std_err: Vec<f64>,
    /// Lower end of the log-type interval S · exp(−z se(H)).
    pub lower: Vec<f64>,
    /// Upper end min(1, S · exp(z se(H))).
    pub upper: Vec<f64>,
}

/// Survival curves S(t | x) = exp(−H(t | x)) of new covariate rows `x_new` (row-major
/// m × p), row r in stratum `strata[r]` with offset `offset[r]` (0 without), at
/// `times`, as R's `survfit.coxph` with its defaults: H(t | x) = e^{(x − x̄)β + o}
/// H_c(t), H_c the hazard at the covariate means (Breslow's increments, or Efron's
/// with Efron ties), and
///
/// Var H(t | x) = e^{2((x − x̄)β + o)} [ Σ_{t_k <= t} Σ_l w̄ / a0_l²
///                + q(t)ᵀ V q(t) ],   q(t) = H_c(t) (x − x̄) − Σ_{t_k <= t} Σ_l w̄ a1_l / a0_l²
///
/// (the Aalen-type term plus the uncertainty of β̂ through V, the fit's variance,
/// robust when the fit is). The interval is R's default `conf.type = "log"`:
/// S exp(±z se(H)), the upper end capped at 1; the standard error is reported on the
/// survival scale, S se(H). All rows in one call.
///
/// References: Tsiatis AA (1981) A large sample study of Cox's regression model.
/// Ann Stat 9:93-108; Therneau TM, Grambsch PM (2000) Modeling Survival Data, ch. 10.
pub fn predict_survival(
    fit: &CoxFit,
    x_new: &[f64],
    p: usize,
    strata: &[u32],
    offset: Option<&[f64]>,
    times: &[f64],
    level: f64,
) -> Result<CoxPrediction> {
    let control = Control::default();
    predict_survival_with(fit, x_new, p, strata, offset, times, level, &control)
}

/// [`predict_survival`], checking `control` before each new row: once it is cancelled
/// the prediction stops with [`Error::Interrupted`].
#[allow(clippy::too_many_arguments)]
pub fn predict_survival_with(
    fit: &CoxFit,
    x_new: &[f64],
    p: usize,
    strata: &[u32],
    offset: Option<&[f64]>,
    times: &[f64],
    level: f64,
    control: &Control,
) -> Result<CoxPrediction> {
    if p != fit.coef.len() || x_new.len() % p.max(1) != 0 {
        return Err(Error::input(
            "new_data",
            format!("needs {} covariate columns", fit.coef.len()),
        ));
    }
    validate::level(level)?;
    validate::finite(x_new, "new_data")?;
    validate::finite(times, "times").map_err(Error::of_argument)?;
    let m = x_new.len() / p.max(1);
    validate::same_len(m, strata.len(), "new_data", "strata")?;
    if let Some(o) = offset {
        validate::same_len(m, o.len(), "new_data", "offset")?;
        validate::finite(o, "offset")?;
    }
    let size = m.checked_mul(times.len()).filter(|&s| s <= (1 << 28));
    let Some(size) = size else {
        return Err(Error::input(
            "times",
            format!(
                "{m} rows × {} times is more than 2^28 predictions; ask for fewer",
                times.len()
            ),
        ));
    };
    let means = if fit.means.len() == p {
        fit.means.clone()
    } else {
        vec![0.0; p]
    };
    let has_var = fit.var.len() == p * p && fit.curve_xbar.len() == fit.curve_time.len() * p;
    // Each stratum's run of curve entries.
    let n_strata = fit
        .baseline_stratum
        .iter()
        .chain(&fit.curve_stratum)
        .map(|&s| s as usize + 1)
        .max()
        .unwrap_or(0);
    let mut known = vec![false; n_strata];
    for &s in &fit.baseline_stratum {
        known[s as usize] = true;
    }
    let mut ranges = vec![(0usize, 0usize); n_strata];
    let mut k = 0;
    while k < fit.curve_stratum.len() {
        let s = fit.curve_stratum[k] as usize;
        let mut e = k;
        while e < fit.curve_stratum.len() && fit.curve_stratum[e] as usize == s {
            e += 1;
        }
        ranges[s] = (k, e);
        known[s] = true;
        k = e;
    }
    if let Some(r) = strata
        .iter()
        .position(|&s| !known.get(s as usize).copied().unwrap_or(false))
    {
        return Err(Error::input_at(
            "strata",
            r,
            format!("stratum code {} has no baseline hazard", strata[r]),
        ));
    }
    let z = crate::special::qnorm(0.5 + level / 2.0);
    let mut out = CoxPrediction {
        survival: Vec::with_capacity(size),
        std_err: Vec::with_capacity(size),
        lower: Vec::with_capacity(size),
        upper: Vec::with_capacity(size),
    };
    let mut xc = vec![0.0; p];
    let mut q = vec![0.0; p];
    for r in 0..m {
        control.check()?;
        for j in 0..p {
            xc[j] = x_new[r * p + j] - means[j];
        }
        let lp: f64 =
            (0..p).map(|j| xc[j] * fit.coef[j]).sum::<f64>() + offset.map_or(0.0, |o| o[r]);
        let risk = lp.exp();
        let (a, b) = ranges[strata[r] as usize];
        let ts = &fit.curve_time[a..b];
        for &t in times {
            let k = ts.partition_point(|&x| x <= t);
            let (h, se) = if k == 0 {
                (0.0, 0.0)
            } else {
                let c = a + k - 1;
                let hc = fit.curve_hazard[c];
                let se = if has_var {
                    for j in 0..p {
                        q[j] = hc * xc[j] - fit.curve_xbar[c * p + j];
                    }
                    let mut quad = 0.0;
                    for i in 0..p {
                        for j in 0..p {
                            quad += q[i] * fit.var[i * p + j] * q[j];
                        }
                    }
                    ((fit.curve_var[c] + quad).max(0.0)).sqrt() * risk
                } else {
                    f64::NAN
                };
                (hc * risk, se)
            };
            let sv = (-h).exp();
            out.survival.push(sv);
            out.std_err.push(sv * se);
            out.lower.push(sv * (-z * se).exp());
            out.upper.push((sv * (z * se).exp()).min(1.0));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Random Cox data with tied times, tied linear predictors (repeated covariate
    /// rows), and optionally strata, weights, delayed entry and offsets.
    struct RandomData {
        time: Vec<f64>,
        event: Vec<u32>,
        x: Vec<f64>,
        strata: Option<Vec<u32>>,
        weights: Option<Vec<f64>>,
        entry: Option<Vec<f64>>,
        offset: Option<Vec<f64>>,
        names: Vec<String>,
    }

    impl RandomData {
        fn new(seed: u64, strata: bool, weights: bool, entry: bool, offset: bool) -> Self {
            let mut rng = crate::rng::Rng::stream(seed, 0);
            let (n, p) = (40 + rng.below(160) as usize, 3);
            let mut x: Vec<f64> = Vec::with_capacity(n * p);
            for i in 0..n {
                if i > 0 && rng.bernoulli(0.3) {
                    let j = rng.below(i as u64) as usize;
                    x.extend_from_within(j * p..(j + 1) * p);
                } else {
                    x.extend([rng.normal(), rng.below(3) as f64, rng.normal()]);
                }
            }
            let time: Vec<f64> = (0..n).map(|_| 1.0 + rng.below(12) as f64).collect();
            let mut draw = |on: bool, f: &mut dyn FnMut(&mut crate::rng::Rng, usize) -> f64| {
                on.then(|| (0..n).map(|i| f(&mut rng, i)).collect::<Vec<f64>>())
            };
            let strata = draw(strata, &mut |r, _| r.below(3) as f64);
            let weights = draw(weights, &mut |r, _| 0.5 + 1.5 * r.uniform());
            let entry = draw(entry, &mut |r, i| {
                if r.bernoulli(0.5) {
                    (r.uniform() * time[i]).floor()
                } else {
                    -1.0
                }
            });
            let offset = draw(offset, &mut |r, _| 0.2 * r.normal());
            let event = (0..n).map(|_| u32::from(rng.bernoulli(0.7))).collect();
            RandomData {
                time,
                event,
                x,
                strata: strata.map(|s| s.iter().map(|&c| c as u32).collect()),
                weights,
                entry,
                offset,
                names: vec!["a".into(), "b".into(), "c".into()],
            }
        }

        fn data(&self) -> CoxData<'_> {
            CoxData {
                entry: self.entry.as_deref(),
                time: &self.time,
                event: &self.event,
                x: &self.x,
                p: 3,
                names: &self.names,
                strata: self.strata.as_deref(),
                weights: self.weights.as_deref(),
                offset: self.offset.as_deref(),
                cluster: None,
            }
        }
    }

    fn close(a: f64, b: f64, what: &str) {
        assert!(
            (a - b).abs() <= 1e-12 * a.abs().max(b.abs()).max(1.0),
            "{what}: {a} vs {b}"
        );
    }

    /// The log partial likelihood, score and information straight from their
    /// definitions: at each exit time of each stratum, the risk set is every row of the
    /// stratum with exit time >= t and entry < t, summed afresh.
    fn reference_evaluate(d: &CoxData, pr: &Prepared, beta: &[f64], ties: CoxTies) -> Eval {
        let (n, p) = (pr.n, pr.p);
        let eta = pr.eta(beta);
        let stratum = |i: usize| d.strata.map_or(0, |s| s[i]);
        let entered = |i: usize, t: f64| d.entry.is_none_or(|e| e[i] < t);
        let mut ev = Eval {
            loglik: 0.0,
            u: vec![0.0; p],
            imat: vec![0.0; p * p],
        };
        let mut done = std::collections::HashSet::new();
        for i0 in (0..n).filter(|&i| d.event[i] == 1) {
            let (t, s) = (d.time[i0], stratum(i0));
            if !done.insert((t.to_bits(), s)) {
                continue;
            }
            let sums = |rows: &mut dyn Iterator<Item = usize>| {
                let (mut s0, mut s1, mut s2) = (0.0, vec![0.0; p], vec![0.0; p * p]);
                for i in rows {
                    let r = pr.w[i] * eta[i].exp();
                    s0 += r;
                    for a in 0..p {
                        s1[a] += r * pr.xc[i * p + a];
                        for b in 0..p {
                            s2[a * p + b] += r * pr.xc[i * p + a] * pr.xc[i * p + b];
                        }
                    }
                }
                (s0, s1, s2)
            };
            let at_risk = |i: usize| stratum(i) == s && d.time[i] >= t && entered(i, t);
            let exits = |i: usize| stratum(i) == s && d.time[i] == t && d.event[i] == 1;
            let (s0, s1, s2) = sums(&mut (0..n).filter(|&i| at_risk(i)));
            let (d0, d1, d2) = sums(&mut (0..n).filter(|&i| exits(i)));
            let dead: Vec<usize> = (0..n).filter(|&i| exits(i)).collect();
            let m = dead.len();
            let wd: f64 = dead.iter().map(|&i| pr.w[i]).sum();
            for &i in &dead {
                ev.loglik += pr.w[i] * eta[i];
                for a in 0..p {
                    ev.u[a] += pr.w[i] * pr.xc[i * p + a];
                }
            }
            let fracs: Vec<f64> = match ties {
                CoxTies::Breslow => vec![0.0],
                CoxTies::Efron => (0..m).map(|l| l as f64 / m as f64).collect(),
            };
            let wbar = wd / fracs.len() as f64;
            for f in fracs {
                let a0 = s0 - f * d0;
                let a1: Vec<f64> = (0..p).map(|a| s1[a] - f * d1[a]).collect();
                ev.loglik -= wbar * a0.ln();
                for a in 0..p {
                    ev.u[a] -= wbar * a1[a] / a0;
                    for b in 0..p {
                        let a2 = s2[a * p + b] - f * d2[a * p + b];
                        ev.imat[a * p + b] += wbar * (a2 / a0 - a1[a] * a1[b] / (a0 * a0));
                    }
                }
            }
        }
        ev
    }

    /// Harrell's C and its jackknife variance by comparing every pair: i exits at t,
    /// j of the same stratum is at risk at t (entry < t) and outlasts t, or is censored
    /// at t; the pair weighs w_i w_j and is concordant when η_i > η_j.
    fn reference_concordance(d: &CoxData, pr: &Prepared, beta: &[f64]) -> (f64, f64) {
        let n = pr.n;
        let eta = pr.eta(beta);
        let stratum = |i: usize| d.strata.map_or(0, |s| s[i]);
        let mut infl = vec![[0.0f64; 3]; n];
        for i in (0..n).filter(|&i| d.event[i] == 1) {
            let t = d.time[i];
            for j in 0..n {
                let outlasts = d.time[j] > t || (d.time[j] == t && d.event[j] == 0);
                if stratum(j) != stratum(i) || !outlasts || !d.entry.is_none_or(|e| e[j] < t) {
                    continue;
                }
                let k = if eta[i] > eta[j] {
                    0
                } else if eta[i] < eta[j] {
                    1
                } else {
                    2
                };
                infl[i][k] += pr.w[j];
                infl[j][k] += pr.w[i];
            }
        }
        let total = |k: usize| (0..n).map(|i| pr.w[i] * infl[i][k]).sum::<f64>() / 2.0;
        let (conc, disc, tied) = (total(0), total(1), total(2));
        let npair = conc + disc + tied;
        let somers = (conc - disc) / npair;
        let var = (0..n)
            .map(|i| {
                let [c, dd, t] = infl[i];
                (pr.w[i] * ((c - dd) / npair - somers / npair * (c + dd + t))).powi(2)
            })
            .sum::<f64>()
            / 4.0;
        ((somers + 1.0) / 2.0, var)
    }

    #[test]
    fn descending_is_a_stable_sort_by_descending_value() {
        let mut rng = crate::rng::Rng::stream(7, 0);
        let pool = [
            -2.5,
            -1.0,
            -0.0,
            0.0,
            0.5,
            3.0,
            1e300,
            -1e-300,
            f64::INFINITY,
        ];
        let v: Vec<f64> = (0..500).map(|_| pool[rng.below(9) as usize]).collect();
        let rows: Vec<usize> = (0..500).filter(|_| rng.bernoulli(0.7)).collect();
        let mut want = rows.clone();
        want.sort_by(|&a, &b| v[b].total_cmp(&v[a]));
        assert_eq!(descending(&rows, &v), want);
    }

    #[test]
    fn time_ordered_passes_match_the_definitions_on_random_data() {
        let mut setups = 0;
        for seed in 0..32u64 {
            let flags = [seed & 1 != 0, seed & 2 != 0, seed & 4 != 0, seed & 8 != 0];
            let rd = RandomData::new(seed, flags[0], flags[1], flags[2], flags[3]);
            let d = rd.data();
            let Ok(pr) = prepare(&d) else { continue };
            let srt = &pr.sorted;
            for beta in [[0.0, 0.0, 0.0], [0.4, -0.3, 0.25]] {
                for ties in [CoxTies::Efron, CoxTies::Breslow] {
                    let got = evaluate(srt, &beta, ties, &Control::default()).unwrap();
                    let want = reference_evaluate(&d, &pr, &beta, ties);
                    close(got.loglik, want.loglik, "loglik");
                    for (a, b) in got.u.iter().zip(&want.u) {
                        close(*a, *b, "score");
                    }
                    for (a, b) in got.imat.iter().zip(&want.imat) {
                        close(*a, *b, "information");
                    }
                }
                let (c, v) = concordance(&pr, srt, &beta);
                let (c_ref, v_ref) = reference_concordance(&d, &pr, &beta);
                close(c, c_ref, "concordance");
                close(v, v_ref, "concordance variance");
                setups += 1;
            }
        }
        assert!(setups >= 60, "{setups}");
    }

    #[test]
    fn one_binary_covariate_no_ties_matches_closed_form_score() {
        // Score test at 0 with one binary covariate and no ties equals the log-rank
        // statistic.
        let time = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0];
        let event = [1, 1, 0, 1, 1, 1, 0, 1];
        let x = [1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 0.0];
        let names = vec!["x".to_string()];
        let d = CoxData {
            entry: None,
            time: &time,
            event: &event,
            x: &x,
            p: 1,
            names: &names,
            strata: None,
            weights: None,
            offset: None,
            cluster: None,
        };
        let fit = cox(&d, CoxTies::Efron, 20, false).unwrap();
        let lr =
            super::super::logrank::logrank(&time, &event, &[1, 0, 1, 1, 0, 1, 0, 0], 2, None, 0.0)
                .unwrap();
        assert!((fit.score_test - lr.statistic).abs() < 1e-10);
        assert!(fit.loglik >= fit.loglik_null);
        assert!(fit.concordance > 0.0 && fit.concordance < 1.0);
    }

    #[test]
    fn a_cancelled_control_stops_the_fit() {
        let time = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0];
        let event = [1, 1, 0, 1, 1, 1, 0, 1];
        let x = [1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 0.0];
        let names = vec!["x".to_string()];
        let d = CoxData {
            entry: None,
            time: &time,
            event: &event,
            x: &x,
            p: 1,
            names: &names,
            strata: None,
            weights: None,
            offset: None,
            cluster: None,
        };
        let c = Control::default();
        let plain = cox(&d, CoxTies::Efron, 20, true).unwrap();
        assert_eq!(cox_with(&d, CoxTies::Efron, 20, true, &c).unwrap(), plain);
        c.cancel();
        for robust in [false, true] {
            let e = cox_with(&d, CoxTies::Efron, 20, robust, &c).unwrap_err();
            assert_eq!(e, Error::Interrupted);
        }
    }

    #[test]
    fn separation_is_a_convergence_error() {
        let time = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let event = [1, 1, 1, 0, 0, 0];
        let x = [1.0, 1.0, 1.0, 0.0, 0.0, 0.0];
        let names = vec!["grade".to_string()];
        let d = CoxData {
            entry: None,
            time: &time,
            event: &event,
            x: &x,
            p: 1,
            names: &names,
            strata: None,
            weights: None,
            offset: None,
            cluster: None,
        };
        let e = cox(&d, CoxTies::Efron, 30, false).unwrap_err();
        assert!(e.to_string().contains("'grade'"), "{e}");
    }

    #[test]
    fn collinear_and_constant_covariates_are_input_errors() {
        let time = [1.0, 2.0, 3.0, 4.0];
        let event = [1, 1, 0, 1];
        let names = vec!["a".to_string(), "b".to_string()];
        let x = [1.0, 2.0, 2.0, 4.0, 3.0, 6.0, 4.0, 8.0];
        let d = CoxData {
            entry: None,
            time: &time,
            event: &event,
            x: &x,
            p: 2,
            names: &names,
            strata: None,
            weights: None,
            offset: None,
            cluster: None,
        };
        let e = cox(&d, CoxTies::Efron, 20, false).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("column 'b': is a linear combination"),
            "{e}"
        );
        let x = [1.0, 5.0, 2.0, 5.0, 3.0, 5.0, 4.0, 5.0];
        let d = CoxData { x: &x, ..d };
        let e = cox(&d, CoxTies::Efron, 20, false).unwrap_err();
        assert!(e.to_string().starts_with("column 'b': is constant"), "{e}");
    }

    #[test]
    fn score_residuals_match_brute_force() {
        let time = [1.0, 1.0, 3.0, 3.0, 5.0, 5.0, 7.0, 8.0];
        let event = [1, 1, 0, 1, 1, 1, 0, 1];
        let x = [
            1.0, 0.5, 0.0, 1.5, 1.0, 2.0, 1.0, 0.2, 0.0, 3.0, 1.0, 1.0, 0.0, 0.7, 0.0, 2.2,
        ];
        let names = vec!["a".to_string(), "b".to_string()];
        let d = CoxData {
            entry: None,
            time: &time,
            event: &event,
            x: &x,
            p: 2,
            names: &names,
            strata: None,
            weights: None,
            offset: None,
            cluster: None,
        };
        let pr = prepare(&d).unwrap();
        let r =
            score_residuals(&d, &pr, &[0.3, -0.2], CoxTies::Breslow, &Control::default()).unwrap();
        // Brute force in numpy: for each exit time, dN (x - xbar) - Y e^eta (x - xbar) dL.
        let want = [
            0.25494, -0.445877, -0.492839, 0.264361, -0.159103, -0.32737, 0.156037, -0.472671,
            -0.072576, 0.52434, 0.002396, -0.046077, 0.437754, 0.647926, 0.324296, -0.573475,
        ];
        for (a, b) in r.iter().zip(want) {
            assert!((a - b).abs() < 1e-6, "{a} vs {b}");
        }
    }

    #[test]
    fn covariate_constant_within_strata_is_an_input_error() {
        let time = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0];
        let event = [1u32, 1, 0, 1, 1, 0, 1, 1];
        let x = [
            1.0, 0.1, 1.0, 0.5, 1.0, 0.2, 1.0, 0.9, 2.0, 0.3, 2.0, 0.7, 2.0, 0.4, 2.0, 0.8,
        ];
        let strata = [0u32, 0, 0, 0, 1, 1, 1, 1];
        let names = vec!["x".to_string(), "y".to_string()];
        let d = CoxData {
            time: &time,
            event: &event,
            x: &x,
            p: 2,
            names: &names,
            entry: None,
            strata: Some(&strata),
            weights: None,
            offset: None,
            cluster: None,
        };
        let e = cox(&d, CoxTies::Efron, 20, false).unwrap_err().to_string();
        assert!(
            e.starts_with("column 'x': is constant within every stratum"),
            "{e}"
        );
    }

    #[test]
    fn stray_stratum_code_or_huge_p_is_an_input_error() {
        let time = [1.0, 2.0, 3.0, 4.0, 5.0];
        let event = [1, 0, 1, 1, 0];
        let x = [0.1, 0.5, 0.2, 0.9, 0.4];
        let names = vec!["a".to_string()];
        let d = CoxData {
            entry: None,
            time: &time,
            event: &event,
            x: &x,
            p: 1,
            names: &names,
            strata: Some(&[0, 0, 1, 1, u32::MAX]),
            weights: None,
            offset: None,
            cluster: None,
        };
        // The code u32::MAX used to ask for 2^32 lists of rows.
        let e = prepare(&d).err().expect("an error");
        assert!(
            e.to_string()
                .starts_with("column 'strata', row 4: stratum code 4294967295 is not below"),
            "{e}"
        );
        // n x p used to overflow.
        let d = CoxData {
            p: usize::MAX,
            strata: None,
            ..d
        };
        let e = prepare(&d).err().expect("an error");
        assert!(
            e.to_string()
                .starts_with("column 'covariates': has 5 values"),
            "{e}"
        );
    }
}
