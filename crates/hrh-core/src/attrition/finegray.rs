//! Fine-Gray regression of the subdistribution hazard of one exit cause in the
//! presence of competing causes, following R's `cmprsk::crr` (estimating equations,
//! censoring weights, iteration, convergence criterion and sandwich variance).
//!
//! Each row has a time and a status: 0 = censored, 1 = an exit of the cause of interest,
//! 2 = an exit of a competing cause. After an exit of a competing cause at `t_j` a
//! person stays in the risk set of the cause of interest with the weight
//! `G(s−) / G(t_j−)` at later times `s`, where `G` is the Kaplan-Meier estimate of the
//! censoring distribution (censorings as events; at tied times the exits count among
//! those at risk of being censored, and `G(t−)` is the left limit, so censorings at `t`
//! do not weigh on exits at `t`; at time 0 `crr` uses `G(0)`, and so does this code).
//!
//! Log pseudo-likelihood (Breslow ties), with `e_j = exp(x_j β)` and `w_j(s)` = 1 while
//! `t_j >= s`, `G(s−)/G(t_j−)` after a competing exit, 0 after a censoring or an exit of
//! interest:
//!
//! `ℓ(β) = Σ_s [ Σ_{i exits at s} x_i β − d_s log S0(s) ]`,  `S0(s) = Σ_j w_j(s) e_j`,
//!
//! maximised by Newton-Raphson from β = 0. The variance is the sandwich
//! `I⁻¹ (Σ_i (η_i + ψ_i)(η_i + ψ_i)ᵀ) I⁻¹` of Fine & Gray (1999, section 3), with `η_i`
//! the score contribution of row i and `ψ_i` the term for the estimated censoring
//! weights.
//!
//! References: Fine JP, Gray RJ (1999). A proportional hazards model for the
//! subdistribution of a competing risk. JASA 94:496-509. Gray RJ, cmprsk (R package),
//! `crr`.

use super::design::{Design, CONSTANT};
use crate::control::Control;
use crate::error::{Error, Result};
use crate::linalg::ldl;
use crate::special::normal_two_sided_p;
use crate::validate;

/// Inputs of a Fine-Gray model: `x` is row-major n × p.
#[derive(Debug, Clone)]
pub struct FineGrayData<'a> {
    /// Exit or censoring times (>= 0).
    pub time: &'a [f64],
    /// 0 = censored, 1 = exit of the cause of interest, 2 = exit of a competing cause.
    pub status: &'a [u32],
    /// Covariates, row-major n × p.
    pub x: &'a [f64],
    /// Number of covariates.
    pub p: usize,
    /// Covariate names (for messages).
    pub names: &'a [String],
}

/// A fitted Fine-Gray model.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FineGrayFit {
    /// Coefficients (log subdistribution hazard ratios).
    pub coef: Vec<f64>,
    /// Standard errors from the sandwich variance.
    pub std_err: Vec<f64>,
    /// z = coef / std_err.
    pub z: Vec<f64>,
    /// Two-sided normal p-values.
    pub p_value: Vec<f64>,
    /// Sandwich variance (row-major p × p), `crr`'s `var`.
    pub var: Vec<f64>,
    /// Information matrix −∂²ℓ/∂β² at the estimate (row-major p × p), `crr`'s `inf`.
    pub information: Vec<f64>,
    /// Log pseudo-likelihood at the estimate.
    pub loglik: f64,
    /// Log pseudo-likelihood at β = 0.
    pub loglik_null: f64,
    /// Newton steps taken.
    pub iterations: usize,
    /// Rows, exits of interest, competing exits and censorings.
    pub n: usize,
    /// Exits of the cause of interest.
    pub n_events: usize,
    /// Exits of competing causes.
    pub n_competing: usize,
    /// Censored rows.
    pub n_censored: usize,
    /// Distinct times of an exit of interest (ascending).
    pub time: Vec<f64>,
    /// Jump of the baseline (covariates 0) cumulative subdistribution hazard at each
    /// of `time`: `d_s / S0(s)` (`crr`'s `bfitj`).
    pub baseline_jump: Vec<f64>,
}

/// Rows sorted by time, centred covariates and the censoring weights.
struct Prepared {
    n: usize,
    p: usize,
    /// Times, ascending.
    t: Vec<f64>,
    /// Status of the sorted rows.
    st: Vec<u32>,
    /// Centred covariates of the sorted rows (row-major).
    xc: Vec<f64>,
    means: Vec<f64>,
    /// `G(t_i−)` of each sorted row (`G(0)` at time 0, as `crr`).
    g: Vec<f64>,
    /// Start of each block of tied times in the sorted rows (plus `n` at the end).
    blocks: Vec<usize>,
    /// Standard deviation of each covariate.
    sd: Vec<f64>,
}

/// Sums over the risk set at each distinct time of an exit of interest (ascending).
struct RiskSums {
    /// Block index of each exit time.
    block: Vec<usize>,
    /// Number of exits of interest at each.
    d: Vec<f64>,
    /// S0(s).
    s0: Vec<f64>,
    /// S1(s) / S0(s) (row-major, p per time).
    xbar: Vec<f64>,
}

struct Eval {
    loglik: f64,
    u: Vec<f64>,
    imat: Vec<f64>,
}

fn name(d: &FineGrayData, j: usize) -> String {
    d.names
        .get(j)
        .cloned()
        .unwrap_or_else(|| "covariates".into())
}

fn prepare(d: &FineGrayData, control: &Control) -> Result<Prepared> {
    let n = d.time.len();
    let p = d.p;
    validate::same_len(n, d.status.len(), "duration", "cause")?;
    validate::non_negative(d.time, "duration")?;
    let design = Design::new(d.x, n, p, d.names)?;
    design.require_covariates()?;
    if let Some(i) = d.status.iter().position(|&s| s > 2) {
        return Err(Error::input_at(
            "cause",
            i,
            format!(
                "code {} is not 0 (censored), 1 (cause of interest) or 2 (competing cause)",
                d.status[i]
            ),
        ));
    }
    if !d.status.contains(&1) {
        return Err(Error::input(
            "cause",
            "no exit of the cause of interest: there is nothing to model",
        ));
    }
    design.require_rows()?;
    // Constant and collinear covariates, before any fitting. Sums of x / n and of
    // ((x − m) / s)², s the largest |x − m|, so huge values do not overflow.
    let mut means = vec![0.0; p];
    for i in 0..n {
        for j in 0..p {
            means[j] += d.x[i * p + j] / n as f64;
        }
    }
    let mut spread = vec![0.0_f64; p];
    for i in 0..n {
        for j in 0..p {
            spread[j] = spread[j].max((d.x[i * p + j] - means[j]).abs());
        }
    }
    for a in 0..p {
        if !spread[a].is_finite() {
            return Err(Error::input(
                design.name(a),
                "has values too large to fit (their differences overflow); rescale it",
            ));
        }
    }
    let mut cov = vec![0.0; p * p];
    for i in 0..n {
        control.check_row(i)?;
        for a in 0..p {
            if spread[a] == 0.0 {
                continue;
            }
            let xa = (d.x[i * p + a] - means[a]) / spread[a];
            for b in 0..=a {
                if spread[b] > 0.0 {
                    cov[a * p + b] += xa * (d.x[i * p + b] - means[b]) / spread[b];
                }
            }
        }
    }
    for a in 0..p {
        for b in 0..a {
            cov[b * p + a] = cov[a * p + b];
        }
        // Constant: a standard deviation below 1e-6 (1 + |mean|), as for the Cox model.
        let rel = (1.0 + means[a].abs()) / spread[a];
        if spread[a] == 0.0 || cov[a * p + a] <= 1e-12 * rel * rel * n as f64 {
            return Err(design.constant(a, CONSTANT));
        }
    }
    design.check_rank(&cov)?;
    let sd: Vec<f64> = (0..p)
        .map(|a| (cov[a * p + a] / n as f64).sqrt() * spread[a])
        .collect();
    // Sort by time (stable: ties keep the input order, as R's order()).
    let mut idx: Vec<usize> = (0..n).collect();
    idx.sort_by(|&a, &b| d.time[a].total_cmp(&d.time[b]));
    let t: Vec<f64> = idx.iter().map(|&i| d.time[i]).collect();
    let st: Vec<u32> = idx.iter().map(|&i| d.status[i]).collect();
    let mut xc = vec![0.0; n * p];
    for (r, &i) in idx.iter().enumerate() {
        for j in 0..p {
            xc[r * p + j] = d.x[i * p + j] - means[j];
        }
    }
    let mut blocks = Vec::new();
    for i in 0..n {
        if i == 0 || t[i] > t[i - 1] {
            blocks.push(i);
        }
    }
    blocks.push(n);
    // Kaplan-Meier of the censoring distribution, read just before each time.
    let mut g = vec![0.0; n];
    let mut surv = 1.0;
    for b in 0..blocks.len() - 1 {
        let (lo, hi) = (blocks[b], blocks[b + 1]);
        let at_risk = (n - lo) as f64;
        let censored = st[lo..hi].iter().filter(|&&s| s == 0).count() as f64;
        let after = surv * (1.0 - censored / at_risk);
        // crr evaluates the step function at t (1 − 100 ε): the left limit, except at
        // t = 0, where it takes the value at 0.
        let value = if t[lo] == 0.0 { after } else { surv };
        g[lo..hi].fill(value);
        surv = after;
    }
    Ok(Prepared {
        n,
        p,
        t,
        st,
        xc,
        means,
        g,
        blocks,
        sd,
    })
}

/// Linear predictors of the centred covariates and their exponentials.
fn risks(pr: &Prepared, beta: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let p = pr.p;
    let eta: Vec<f64> = (0..pr.n)
        .map(|i| (0..p).map(|j| pr.xc[i * p + j] * beta[j]).sum())
        .collect();
    let e = eta.iter().map(|v| v.exp()).collect();
    (eta, e)
}

/// Log pseudo-likelihood, score and information at `beta`; with `sums`, also the risk
/// sums at each exit time (for the variance and the baseline hazard).
///
/// One backward pass over the blocks of tied times: the sums over those still at risk
/// (`t_j >= s`) grow by addition; the competing exits before `s` enter as
/// `G(s−) (Σ_all − Σ_{t_j >= s}) e_j / G(t_j−)`.
///
/// `control` is checked every [`crate::control::CHECK_ROWS`] rows.
fn evaluate(
    pr: &Prepared,
    beta: &[f64],
    want_sums: bool,
    control: &Control,
) -> Result<(Eval, Option<RiskSums>)> {
    let p = pr.p;
    let (eta, e) = risks(pr, beta);
    let nb = pr.blocks.len() - 1;
    // Totals over all competing exits of e_j / G_j (times 1, x, x xᵀ).
    let (mut c0_all, mut c1_all, mut c2_all) = (0.0, vec![0.0; p], vec![0.0; p * p]);
    for i in 0..pr.n {
        if pr.st[i] == 2 {
            let w = e[i] / pr.g[i];
            add_row(
                &pr.xc[i * p..(i + 1) * p],
                w,
                &mut c0_all,
                &mut c1_all,
                &mut c2_all,
            );
        }
    }
    let (mut r0, mut r1, mut r2) = (0.0, vec![0.0; p], vec![0.0; p * p]);
    let (mut q0, mut q1, mut q2) = (0.0, vec![0.0; p], vec![0.0; p * p]);
    let mut ev = Eval {
        loglik: 0.0,
        u: vec![0.0; p],
        imat: vec![0.0; p * p],
    };
    let mut sums = RiskSums {
        block: Vec::new(),
        d: Vec::new(),
        s0: Vec::new(),
        xbar: Vec::new(),
    };
    let (mut s1, mut s2) = (vec![0.0; p], vec![0.0; p * p]);
    for b in (0..nb).rev() {
        let (lo, hi) = (pr.blocks[b], pr.blocks[b + 1]);
        let mut deaths = 0.0;
        for i in lo..hi {
            control.check_row(i)?;
            let xi = &pr.xc[i * p..(i + 1) * p];
            add_row(xi, e[i], &mut r0, &mut r1, &mut r2);
            if pr.st[i] == 2 {
                add_row(xi, e[i] / pr.g[i], &mut q0, &mut q1, &mut q2);
            }
            if pr.st[i] == 1 {
                deaths += 1.0;
                ev.loglik += eta[i];
                for a in 0..p {
                    ev.u[a] += xi[a];
                }
            }
        }
        if deaths == 0.0 {
            continue;
        }
        let gs = pr.g[lo];
        let s0 = r0 + gs * (c0_all - q0);
        for a in 0..p {
            s1[a] = r1[a] + gs * (c1_all[a] - q1[a]);
            for c in 0..=a {
                s2[a * p + c] = r2[a * p + c] + gs * (c2_all[a * p + c] - q2[a * p + c]);
            }
        }
        ev.loglik -= deaths * s0.ln();
        for a in 0..p {
            let xa = s1[a] / s0;
            ev.u[a] -= deaths * xa;
            for c in 0..=a {
                ev.imat[a * p + c] += deaths * (s2[a * p + c] / s0 - xa * s1[c] / s0);
            }
        }
        if want_sums {
            sums.block.push(b);
            sums.d.push(deaths);
            sums.s0.push(s0);
            sums.xbar.extend(s1.iter().map(|v| v / s0));
        }
    }
    for a in 0..p {
        for c in 0..a {
            ev.imat[c * p + a] = ev.imat[a * p + c];
        }
    }
    if !want_sums {
        return Ok((ev, None));
    }
    // Ascending order of time.
    sums.block.reverse();
    sums.d.reverse();
    sums.s0.reverse();
    let k = sums.block.len();
    let mut xbar = vec![0.0; k * p];
    for r in 0..k {
        xbar[r * p..(r + 1) * p].copy_from_slice(&sums.xbar[(k - 1 - r) * p..(k - r) * p]);
    }
    sums.xbar = xbar;
    Ok((ev, Some(sums)))
}

/// Add `w (1, x, x xᵀ)` (lower triangle) to the sums.
fn add_row(x: &[f64], w: f64, s0: &mut f64, s1: &mut [f64], s2: &mut [f64]) {
    let p = x.len();
    *s0 += w;
    for a in 0..p {
        let xa = w * x[a];
        s1[a] += xa;
        for c in 0..=a {
            s2[a * p + c] += xa * x[c];
        }
    }
}

/// Sandwich middle `Σ_i (η_i + ψ_i)(η_i + ψ_i)ᵀ` at `beta` (Fine & Gray 1999, §3;
/// `crr`'s `crrvv`):
///
/// `η_i = δ1_i (x_i − x̄(t_i)) − Σ_s d_s w_i(s) e_i (x_i − x̄(s)) / S0(s)`,
///
/// `ψ_i = δ0_i q(t_i)/π(t_i) − Σ_{v <= t_i} c_v q(v)/π(v)²` over censoring times `v`,
/// `c_v` censorings at `v`, `π(v) = #{t_j >= v}`, and
/// `q(u) = Σ_{s >= u} (d_s G(s−)/S0(s)) Σ_{competing j, t_j < u} (e_j/G(t_j−)) (x_j − x̄(s))`.
fn sandwich_middle(pr: &Prepared, beta: &[f64], sums: &RiskSums) -> Vec<f64> {
    let p = pr.p;
    let n = pr.n;
    let (_, e) = risks(pr, beta);
    let k = sums.block.len();
    // Per exit time: a_k = d_k / S0_k (times 1 and x̄) and the same times G(s_k−).
    let mut gk = vec![0.0; k];
    for r in 0..k {
        gk[r] = pr.g[pr.blocks[sums.block[r]]];
    }
    // Suffix sums over exit times s_r, r >= m (m = 0..=k): B0 = Σ d G / S0, B1 = Σ d G x̄ / S0.
    let mut b0 = vec![0.0; k + 1];
    let mut b1 = vec![0.0; (k + 1) * p];
    for r in (0..k).rev() {
        let a = sums.d[r] * gk[r] / sums.s0[r];
        b0[r] = b0[r + 1] + a;
        for j in 0..p {
            b1[r * p + j] = b1[(r + 1) * p + j] + a * sums.xbar[r * p + j];
        }
    }
    let mut omega = vec![0.0; p * p];
    // Forward pass over blocks: C = Σ_{s <= t} d/S0 (times 1, x̄); A = Σ over competing
    // exits before the block of e/G (times 1, x); the censoring martingale sum.
    let (mut c0, mut c1) = (0.0, vec![0.0; p]);
    let (mut a0, mut a1) = (0.0, vec![0.0; p]);
    let mut psi_cum = vec![0.0; p];
    let mut r = 0; // next exit time
    let mut q = vec![0.0; p];
    let mut eta = vec![0.0; p];
    for b in 0..pr.blocks.len() - 1 {
        let (lo, hi) = (pr.blocks[b], pr.blocks[b + 1]);
        // q(t) for this block: exit times s >= t are r.. (r points at this block's
        // exit time if it has one).
        let m = r;
        for j in 0..p {
            q[j] = a1[j] * b0[m] - a0 * b1[m * p + j];
        }
        let here = r < k && sums.block[r] == b;
        if here {
            let a = sums.d[r] / sums.s0[r];
            c0 += a;
            for j in 0..p {
                c1[j] += a * sums.xbar[r * p + j];
            }
        }
        let after = if here { r + 1 } else { r }; // exit times strictly after the block
        let pi = (n - lo) as f64;
        let censored = pr.st[lo..hi].iter().filter(|&&s| s == 0).count() as f64;
        if censored > 0.0 {
            for j in 0..p {
                psi_cum[j] -= censored * q[j] / (pi * pi);
            }
        }
        for i in lo..hi {
            let xi = &pr.xc[i * p..(i + 1) * p];
            for j in 0..p {
                eta[j] = -e[i] * (xi[j] * c0 - c1[j]);
            }
            match pr.st[i] {
                1 => {
                    for j in 0..p {
                        eta[j] += xi[j] - sums.xbar[r * p + j];
                    }
                }
                2 => {
                    let f = e[i] / pr.g[i];
                    for j in 0..p {
                        eta[j] -= f * (xi[j] * b0[after] - b1[after * p + j]);
                    }
                }
                _ => {
                    for j in 0..p {
                        eta[j] += q[j] / pi;
                    }
                }
            }
            for j in 0..p {
                eta[j] += psi_cum[j];
            }
            for a in 0..p {
                for c in 0..=a {
                    omega[a * p + c] += eta[a] * eta[c];
                }
            }
        }
        for i in lo..hi {
            if pr.st[i] == 2 {
                let f = e[i] / pr.g[i];
                a0 += f;
                for j in 0..p {
                    a1[j] += f * pr.xc[i * p + j];
                }
            }
        }
        r = after;
    }
    for a in 0..p {
        for c in 0..a {
            omega[c * p + a] = omega[a * p + c];
        }
    }
    omega
}

/// LDLᵀ of the information matrix after scaling it to unit diagonal, so that
/// covariates on very different scales (years, thousands of units) do not pass for
/// singular directions. A direction with zero information stays zero.
struct Scaled {
    fac: crate::linalg::Ldl,
    s: Vec<f64>,
}

impl Scaled {
    fn new(imat: &[f64], p: usize) -> Self {
        let s: Vec<f64> = (0..p)
            .map(|j| {
                let v = imat[j * p + j];
                if v > 0.0 && v.is_finite() {
                    v.sqrt()
                } else {
                    1.0
                }
            })
            .collect();
        let mut a = vec![0.0; p * p];
        for i in 0..p {
            for j in 0..p {
                a[i * p + j] = imat[i * p + j] / (s[i] * s[j]);
            }
        }
        Scaled {
            fac: ldl(&a, p, 1e-12),
            s,
        }
    }

    fn rank(&self) -> usize {
        self.fac.rank
    }

    fn solve(&self, u: &[f64]) -> Vec<f64> {
        let b: Vec<f64> = u.iter().zip(&self.s).map(|(u, s)| u / s).collect();
        let y = self.fac.solve(&b);
        y.iter().zip(&self.s).map(|(y, s)| y / s).collect()
    }

    fn inverse(&self) -> Vec<f64> {
        let p = self.s.len();
        let mut inv = self.fac.inverse();
        for i in 0..p {
            for j in 0..p {
                inv[i * p + j] /= self.s[i] * self.s[j];
            }
        }
        inv
    }
}

fn mat_mul(a: &[f64], b: &[f64], p: usize) -> Vec<f64> {
    let mut out = vec![0.0; p * p];
    for i in 0..p {
        for k in 0..p {
            let aik = a[i * p + k];
            for j in 0..p {
                out[i * p + j] += aik * b[k * p + j];
            }
        }
    }
    out
}

/// Fit a Fine-Gray model as `cmprsk::crr`: Newton-Raphson from β = 0 on the log
/// pseudo-likelihood, with step halving until `f(β + λ δ) <= f(β) + 10⁻⁴ λ δᵀ∇f`
/// (`f = −ℓ`, at most 20 halvings), converged when
/// `max_j |∂f/∂β_j| max(|β_j|, 1) < tol · max(|f|, 1)` (`crr`'s `gtol`, default
/// 1e-6), in at most `max_iter` Newton steps (`crr`'s `maxiter`, default 10).
///
/// Where step halving cannot lower the objective because the Newton decrement
/// `Uᵀ I⁻¹ U` is already below 10⁻¹² max(|f|, 1) (rounding level), the fit stops there
/// as converged (`crr` reports it unconverged; this happens only with covariates on very
/// different scales, since its criterion is not scale-free).
///
/// Errors: constant or collinear covariates, no exit of the cause of interest, fewer
/// rows than covariates, bad times or codes are input errors; a fit that does not meet
/// the criterion in `max_iter` steps, a step that halving cannot make descend, or a
/// coefficient still running off to infinity when the criterion is met (the covariate
/// separates, e.g. a level without exits of interest) is a convergence error.
///
/// Reference: Fine JP, Gray RJ (1999) JASA 94:496-509.
pub fn fine_gray(d: &FineGrayData, max_iter: usize, tol: f64) -> Result<FineGrayFit> {
    fine_gray_with(d, max_iter, tol, &Control::default())
}

/// [`fine_gray`], checking `control` every [`crate::control::CHECK_ROWS`] rows of each
/// pass over the risk sets and before the variance: once it is cancelled the fit stops
/// with [`Error::Interrupted`].
pub fn fine_gray_with(
    d: &FineGrayData,
    max_iter: usize,
    tol: f64,
    control: &Control,
) -> Result<FineGrayFit> {
    if !(tol > 0.0 && tol.is_finite()) {
        return Err(Error::argument(
            "tol",
            format!("{tol} is not a positive number"),
        ));
    }
    let pr = prepare(d, control)?;
    let p = pr.p;
    let mut beta = vec![0.0; p];
    let null = evaluate(&pr, &beta, false, control)?.0;
    let loglik_null = null.loglik;
    let mut cur = null;
    let mut iterations = 0;
    let fail = |reason: String, hint: &str| Error::Convergence {
        what: "the Fine-Gray model".into(),
        reason,
        hint: hint.into(),
    };
    let overflow = |ev: &Eval| {
        !(ev.loglik.is_finite()
            && ev.u.iter().all(|v| v.is_finite())
            && ev.imat.iter().all(|v| v.is_finite()))
    };
    let overflowed = || {
        fail(
            "the pseudo-likelihood or its derivatives overflow at the current coefficients".into(),
            "rescale covariates with large values (e.g. thousands instead of units)",
        )
    };
    loop {
        if overflow(&cur) {
            return Err(overflowed());
        }
        // crr minimises f = −ℓ: gradient −U, Hessian I.
        let f = -cur.loglik;
        let crit = (0..p)
            .map(|j| cur.u[j].abs() * beta[j].abs().max(1.0))
            .fold(0.0, f64::max);
        if crit < f.abs().max(1.0) * tol {
            break;
        }
        if iterations == max_iter {
            return Err(fail(
                format!(
                    "the score is still {crit:.3e} (criterion {:.3e}) after {max_iter} Newton steps",
                    f.abs().max(1.0) * tol
                ),
                "raise max_iter, rescale covariates, or drop sparse levels",
            ));
        }
        let fac = Scaled::new(&cur.imat, p);
        if fac.rank() < p {
            return Err(fail(
                format!(
                    "the information matrix is singular at the coefficients of step {iterations}"
                ),
                "drop covariates that separate exits of interest from the rest, merge levels, \
                 or rescale covariates",
            ));
        }
        let mut step = fac.solve(&cur.u);
        let slope: f64 = -step.iter().zip(&cur.u).map(|(s, u)| s * u).sum::<f64>();
        let mut halvings = 0;
        let next = loop {
            let cand: Vec<f64> = beta.iter().zip(&step).map(|(b, s)| b + s).collect();
            let ev = evaluate(&pr, &cand, false, control)?.0;
            let fb = -ev.loglik;
            let fb_ok = fb.is_finite() && fb <= f + 1e-4 * slope * 0.5f64.powi(halvings);
            if fb_ok {
                break Some((cand, ev));
            }
            halvings += 1;
            if halvings > 20 {
                break None;
            }
            for s in &mut step {
                *s *= 0.5;
            }
        };
        let Some((cand, ev)) = next else {
            // The Newton decrement λ² = Uᵀ I⁻¹ U (twice the predicted gain) is below what
            // the objective can resolve in floating point: the fit is at its maximum, and
            // only crr's score criterion, which is not scale-free, is unmet (a covariate
            // in thousands of units). crr would stop here unconverged.
            if -slope <= 1e-12 * f.abs().max(1.0) {
                break;
            }
            return Err(fail(
                format!(
                    "no step along the Newton direction lowers the objective after 20 halvings (step {})",
                    iterations + 1
                ),
                "rescale covariates or drop covariates that separate exits of interest from the rest",
            ));
        };
        beta = cand;
        cur = ev;
        iterations += 1;
    }
    let (cur, sums) = evaluate(&pr, &beta, true, control)?;
    let sums = sums.unwrap_or(RiskSums {
        block: Vec::new(),
        d: Vec::new(),
        s0: Vec::new(),
        xbar: Vec::new(),
    });
    if overflow(&cur) {
        return Err(overflowed());
    }
    let fac = Scaled::new(&cur.imat, p);
    if fac.rank() < p {
        let flat = (0..p)
            .filter(|&j| fac.fac.d[j] == 0.0)
            .map(|j| format!("'{}'", name(d, j)))
            .collect::<Vec<_>>()
            .join(", ");
        return Err(fail(
            format!(
                "the information about {flat} is zero at the estimate: the exits of interest do \
                 not tell its values apart (e.g. no one else with another value is at risk when they happen)"
            ),
            "drop the covariate or fit on more data",
        ));
    }
    // A coefficient running off to infinity meets crr's criterion (its score decays
    // exponentially) while the next Newton step stays of order one: a step that still
    // moves the linear predictor by 0.05 of a standard deviation of the covariate.
    let step = fac.solve(&cur.u);
    let running: Vec<usize> = (0..p)
        .filter(|&j| step[j].abs() * pr.sd[j] > 0.05)
        .collect();
    if !running.is_empty() || beta.iter().any(|b| !b.is_finite()) {
        let names = running
            .iter()
            .map(|&j| format!("'{}'", name(d, j)))
            .collect::<Vec<_>>()
            .join(", ");
        return Err(fail(
            format!(
                "the coefficient of {} keeps growing (monotone pseudo-likelihood: the covariate \
                 separates exits of interest from the rest, e.g. a level in which everyone or no one leaves for this reason)",
                if names.is_empty() {
                    "a covariate".into()
                } else {
                    names
                }
            ),
            "drop the covariate or merge sparse levels",
        ));
    }
    let inv = fac.inverse();
    control.check()?;
    let omega = sandwich_middle(&pr, &beta, &sums);
    let var = mat_mul(&mat_mul(&inv, &omega, p), &inv, p);
    let std_err: Vec<f64> = (0..p).map(|j| var[j * p + j].sqrt()).collect();
    let z: Vec<f64> = beta.iter().zip(&std_err).map(|(b, s)| b / s).collect();
    let p_value = z.iter().map(|&z| normal_two_sided_p(z)).collect();
    // Baseline jumps at covariates 0 (not centred): d / S0 scaled by exp(−m β).
    let shift: f64 = pr.means.iter().zip(&beta).map(|(m, b)| m * b).sum();
    let scale = (-shift).exp();
    let baseline_jump = sums
        .d
        .iter()
        .zip(&sums.s0)
        .map(|(d, s)| d / s * scale)
        .collect();
    let time = sums.block.iter().map(|&b| pr.t[pr.blocks[b]]).collect();
    let count = |c: u32| pr.st.iter().filter(|&&s| s == c).count();
    Ok(FineGrayFit {
        coef: beta,
        std_err,
        z,
        p_value,
        var,
        information: cur.imat,
        loglik: cur.loglik,
        loglik_null,
        iterations,
        n: pr.n,
        n_events: count(1),
        n_competing: count(2),
        n_censored: count(0),
        time,
        baseline_jump,
    })
}

/// Cumulative incidence of the cause of interest for covariate rows `x_new`
/// (row-major m × p) at each of `fit.time`:
/// `F(t | x) = 1 − exp(−exp(x β) Σ_{s <= t} ΔΛ₀(s))` (`cmprsk`'s `predict.crr`).
/// Returns m × `fit.time.len()` values, row-major.
pub fn predict_cumulative_incidence(
    fit: &FineGrayFit,
    x_new: &[f64],
    p: usize,
) -> Result<Vec<f64>> {
    predict_cumulative_incidence_with(fit, x_new, p, &Control::default())
}

/// [`predict_cumulative_incidence`], checking `control` at every
/// [`crate::control::CHECK_ROWS`]th row: once it is cancelled the prediction stops with
/// [`Error::Interrupted`].
pub fn predict_cumulative_incidence_with(
    fit: &FineGrayFit,
    x_new: &[f64],
    p: usize,
    control: &Control,
) -> Result<Vec<f64>> {
    if p != fit.coef.len() {
        return Err(Error::input(
            "new_data",
            format!("has {p} covariate columns, the model {}", fit.coef.len()),
        ));
    }
    if p == 0 || x_new.len() % p != 0 {
        return Err(Error::input(
            "new_data",
            format!(
                "has {} values, not a multiple of {p} covariates",
                x_new.len()
            ),
        ));
    }
    if let Some(i) = x_new.iter().position(|v| !v.is_finite()) {
        return Err(Error::input_at(
            "new_data",
            i / p,
            format!("covariate {} is {}, not a finite number", i % p, x_new[i]),
        ));
    }
    let m = x_new.len() / p;
    let k = fit.baseline_jump.len();
    let size = m.checked_mul(k).ok_or_else(|| {
        Error::input(
            "new_data",
            format!("{m} rows × {k} times is too many values"),
        )
    })?;
    if size > 1 << 28 {
        return Err(Error::input(
            "new_data",
            format!(
                "{m} rows × {k} times would need {} MiB; predict fewer rows at a time",
                (size * 8) >> 20
            ),
        ));
    }
    let mut out = Vec::with_capacity(size);
    for (i, row) in x_new.chunks_exact(p).enumerate() {
        control.check_row(i)?;
        let lp: f64 = row.iter().zip(&fit.coef).map(|(x, b)| x * b).sum();
        let r = lp.exp();
        let mut cum = 0.0;
        for &j in &fit.baseline_jump {
            cum += j;
            out.push(-(-r * cum).exp_m1());
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(p: usize) -> Vec<String> {
        (0..p).map(|j| format!("x{j}")).collect()
    }

    /// A fit raises the pseudo-likelihood from β = 0, counts the rows, and predicts
    /// curves that rise with time.
    #[test]
    fn fits_and_predicts() {
        let time = [1.0, 2.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0];
        let status = [1, 2, 1, 0, 1, 2, 1, 0, 1, 1];
        let x = [0.5, 1.0, -0.3, 0.2, 1.5, -1.0, 0.0, 0.7, -0.4, 0.9];
        let nm = names(1);
        let d = FineGrayData {
            time: &time,
            status: &status,
            x: &x,
            p: 1,
            names: &nm,
        };
        let f = fine_gray(&d, 25, 1e-9).unwrap();
        assert!(f.loglik >= f.loglik_null);
        assert_eq!(f.n_events, 6);
        assert_eq!(f.time.len(), 6);
        assert!(f.var[0] > 0.0);
        let pred = predict_cumulative_incidence(&f, &[0.0, 1.0], 1).unwrap();
        assert_eq!(pred.len(), 12);
        assert!(pred.windows(2).take(5).all(|w| w[1] >= w[0]));
    }

    fn example() -> (Vec<f64>, Vec<u32>, Vec<f64>) {
        let time = vec![
            1.0, 1.0, 2.0, 2.0, 2.0, 3.0, 4.0, 4.0, 5.0, 6.0, 6.0, 7.0, 8.0, 9.0, 9.0, 10.0,
        ];
        let status = vec![1, 2, 1, 0, 2, 1, 0, 1, 2, 1, 0, 2, 1, 0, 1, 0];
        let x = vec![
            0.5, 1.0, 1.0, 0.0, -0.3, 1.0, 0.2, 0.0, 1.5, 1.0, -1.0, 0.0, 0.0, 1.0, 0.7, 0.0, -0.4,
            1.0, 0.9, 1.0, 0.1, 0.0, -0.8, 1.0, 1.2, 0.0, 0.3, 1.0, -0.6, 0.0, 0.4, 1.0,
        ];
        (time, status, x)
    }

    /// The score and information are the derivatives of the log pseudo-likelihood.
    #[test]
    fn score_and_information_are_derivatives() {
        let (time, status, x) = example();
        let nm = names(2);
        let d = FineGrayData {
            time: &time,
            status: &status,
            x: &x,
            p: 2,
            names: &nm,
        };
        let pr = prepare(&d, &Control::default()).unwrap();
        let beta = [0.4, -0.7];
        let ev = evaluate(&pr, &beta, false, &Control::default()).unwrap().0;
        let h = 1e-5;
        for j in 0..2 {
            let mut up = beta;
            let mut dn = beta;
            up[j] += h;
            dn[j] -= h;
            let (eu, ed) = (
                evaluate(&pr, &up, false, &Control::default()).unwrap().0,
                evaluate(&pr, &dn, false, &Control::default()).unwrap().0,
            );
            let grad = (eu.loglik - ed.loglik) / (2.0 * h);
            assert!(
                (grad - ev.u[j]).abs() < 1e-7,
                "score {j}: {grad} vs {}",
                ev.u[j]
            );
            for k in 0..2 {
                let hess = -(eu.u[k] - ed.u[k]) / (2.0 * h);
                assert!(
                    (hess - ev.imat[j * 2 + k]).abs() < 1e-7,
                    "information {j},{k}"
                );
            }
        }
    }

    /// Rows in another order give the same fit.
    #[test]
    fn row_order_does_not_matter() {
        let (time, status, x) = example();
        let nm = names(2);
        let fit = |t: &[f64], s: &[u32], x: &[f64]| {
            let d = FineGrayData {
                time: t,
                status: s,
                x,
                p: 2,
                names: &nm,
            };
            fine_gray(&d, 25, 1e-9).unwrap()
        };
        let a = fit(&time, &status, &x);
        let n = time.len();
        let order: Vec<usize> = (0..n).rev().collect();
        let t2: Vec<f64> = order.iter().map(|&i| time[i]).collect();
        let s2: Vec<u32> = order.iter().map(|&i| status[i]).collect();
        let x2: Vec<f64> = order
            .iter()
            .flat_map(|&i| [x[2 * i], x[2 * i + 1]])
            .collect();
        let b = fit(&t2, &s2, &x2);
        for (u, v) in a.coef.iter().zip(&b.coef).chain(a.var.iter().zip(&b.var)) {
            assert!((u - v).abs() <= 1e-10 * v.abs().max(1.0), "{u} vs {v}");
        }
        assert!((a.loglik - b.loglik).abs() < 1e-10);
    }

    #[test]
    fn rejects_bad_input() {
        let nm = names(1);
        let time = [1.0, 2.0, 3.0];
        let d = FineGrayData {
            time: &time,
            status: &[0, 2, 0],
            x: &[1.0, 2.0, 3.0],
            p: 1,
            names: &nm,
        };
        assert!(matches!(fine_gray(&d, 10, 1e-6), Err(Error::Input { .. })));
        let d = FineGrayData {
            time: &time,
            status: &[1, 2, 0],
            x: &[1.0, 1.0, 1.0],
            p: 1,
            names: &nm,
        };
        let e = fine_gray(&d, 10, 1e-6).unwrap_err().to_string();
        assert!(e.contains("x0") && e.contains("constant"), "{e}");
        let d = FineGrayData {
            time: &time,
            status: &[1, 3, 0],
            x: &[1.0, 2.0, 1.0],
            p: 1,
            names: &nm,
        };
        assert!(fine_gray(&d, 10, 1e-6).is_err());
    }
}
