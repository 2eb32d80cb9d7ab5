//! Parametric (accelerated failure time) survival models, as R's `survreg`:
//! exponential, Weibull, log-normal and log-logistic, with right censoring, delayed
//! entry (left truncation) and case weights.
//!
//! The model is log T = xβ + σW, with W standard extreme-value (Weibull; the
//! exponential fixes σ = 1), normal (log-normal) or logistic (log-logistic). With
//! z = (log t − xβ)/σ, f_W and S_W the density and survival function of W, a row
//! contributes w · [log f_W(z) − log σ − log t] when it exits at t, w · log S_W(z)
//! when censored at t, and −w · log S_W(z_e) when it entered observation at e > 0
//! (the likelihood conditioned on having stayed to e). The −log t term makes the
//! log-likelihood that of T, as R reports it.
//!
//! References: Kalbfleisch JD, Prentice RL (2002). The Statistical Analysis of Failure
//! Time Data, 2nd ed., Wiley, ch. 2-3; Therneau TM (2024). A package for survival
//! analysis in R (`survreg`); Klein JP, Moeschberger ML (2003). Survival Analysis,
//! 2nd ed., Springer, §3.4 (left truncation).

use super::design::Design;
use crate::control::Control;
use crate::error::{Error, Result};
use crate::linalg::ldl;
use crate::special::{normal_two_sided_p, qnorm};
use crate::validate;
use statrs::function::erf::erfc;

/// Distribution of the survival time T.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dist {
    /// Exponential: Weibull with σ = 1.
    Exponential,
    /// Weibull: W standard (minimum) extreme value.
    Weibull,
    /// Log-normal: W standard normal.
    LogNormal,
    /// Log-logistic: W standard logistic.
    LogLogistic,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    ExtremeValue,
    Gaussian,
    Logistic,
}

impl Dist {
    fn family(self) -> Family {
        match self {
            Dist::Exponential | Dist::Weibull => Family::ExtremeValue,
            Dist::LogNormal => Family::Gaussian,
            Dist::LogLogistic => Family::Logistic,
        }
    }

    /// Whether σ is estimated (all but the exponential).
    pub fn has_scale(self) -> bool {
        self != Dist::Exponential
    }
}

const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;

/// log(1 + e^z) without overflow.
fn softplus(z: f64) -> f64 {
    if z > 0.0 {
        z + (-z).exp().ln_1p()
    } else {
        z.exp().ln_1p()
    }
}

/// Standard normal upper tail Q(z), its log and the inverse Mills ratio φ(z)/Q(z).
fn normal_tail(z: f64) -> (f64, f64, f64) {
    let log_phi = -0.5 * z * z - LN_SQRT_2PI;
    if z < 35.0 {
        let q = 0.5 * erfc(z / std::f64::consts::SQRT_2);
        let log_q = if q > 0.5 {
            (-0.5 * erfc(-z / std::f64::consts::SQRT_2)).ln_1p()
        } else {
            q.ln()
        };
        (q, log_q, (log_phi - log_q).exp())
    } else {
        // Asymptotic series Q(z) ≈ φ(z)/z · (1 − 1/z² + 3/z⁴).
        let z2 = z * z;
        let corr = 1.0 - 1.0 / z2 + 3.0 / (z2 * z2);
        let log_q = log_phi - z.ln() + corr.ln();
        (log_q.exp(), log_q, z / corr)
    }
}

/// log f_W(z) with its first and second derivatives in z.
fn log_density(fam: Family, z: f64) -> (f64, f64, f64) {
    match fam {
        Family::ExtremeValue => {
            let e = z.exp();
            (z - e, 1.0 - e, -e)
        }
        Family::Gaussian => (-0.5 * z * z - LN_SQRT_2PI, -z, -1.0),
        Family::Logistic => {
            let p = 1.0 / (1.0 + (-z).exp());
            (
                -z.abs() - 2.0 * (-z.abs()).exp().ln_1p(),
                1.0 - 2.0 * p,
                -2.0 * p * (1.0 - p),
            )
        }
    }
}

/// log S_W(z) with its first and second derivatives in z.
fn log_survival(fam: Family, z: f64) -> (f64, f64, f64) {
    match fam {
        Family::ExtremeValue => {
            let e = z.exp();
            (-e, -e, -e)
        }
        Family::Gaussian => {
            let (_, log_q, lam) = normal_tail(z);
            (log_q, -lam, lam * (z - lam))
        }
        Family::Logistic => {
            let p = 1.0 / (1.0 + (-z).exp());
            (-softplus(z), -p, -p * (1.0 - p))
        }
    }
}

/// log h_W(z) = log f_W(z) − log S_W(z) and its derivative in z, without the
/// cancellation of the two logs far in the upper tail.
fn log_hazard_w(fam: Family, z: f64) -> (f64, f64) {
    match fam {
        Family::ExtremeValue => (z, 1.0),
        Family::Gaussian => {
            let (_, _, lam) = normal_tail(z);
            (lam.ln(), lam - z)
        }
        Family::Logistic => {
            let p = 1.0 / (1.0 + (-z).exp());
            (-softplus(-z), 1.0 - p)
        }
    }
}

/// Quantile w_p of W: P(W <= w_p) = p.
fn quantile_w(fam: Family, p: f64) -> f64 {
    match fam {
        Family::ExtremeValue => (-(-p).ln_1p()).ln(),
        Family::Gaussian => qnorm(p),
        Family::Logistic => (p / (1.0 - p)).ln(),
    }
}

/// Inputs of a parametric model: `x` is row-major n × p, without the intercept column
/// (the model always has one).
#[derive(Debug, Clone)]
pub struct ParametricData<'a> {
    /// Exit or censoring times, > 0.
    pub time: &'a [f64],
    /// 1 = exit, 0 = censored.
    pub event: &'a [u32],
    /// Covariates, row-major n × p.
    pub x: &'a [f64],
    /// Number of covariates.
    pub p: usize,
    /// Covariate names (for messages).
    pub names: &'a [String],
    /// Entry times (delayed entry), >= 0 and below `time`, or `None`.
    pub entry: Option<&'a [f64]>,
    /// Case weights, > 0, or `None`.
    pub weights: Option<&'a [f64]>,
}

/// The parameters a prediction needs.
#[derive(Debug, Clone, PartialEq)]
pub struct ParametricModel {
    /// Distribution.
    pub dist: Dist,
    /// Intercept and covariate coefficients (length p + 1).
    pub coef: Vec<f64>,
    /// log σ (0 for the exponential).
    pub log_scale: f64,
    /// Variance of (coef, log σ) (row-major k × k; k = p + 2, or p + 1 for the
    /// exponential).
    pub var: Vec<f64>,
}

impl ParametricModel {
    fn k(&self) -> usize {
        self.coef.len() + usize::from(self.dist.has_scale())
    }
}

/// A fitted parametric model.
#[derive(Debug, Clone, PartialEq)]
pub struct ParametricFit {
    /// The estimates and their variance.
    pub model: ParametricModel,
    /// Standard errors of (coef, log σ).
    pub se: Vec<f64>,
    /// z = estimate / se.
    pub z: Vec<f64>,
    /// Two-sided p-values.
    pub p_value: Vec<f64>,
    /// Log-likelihood at the estimate (of T, Jacobian included, as R).
    pub loglik: f64,
    /// Log-likelihood of the intercept-only model (R's `loglik[1]`).
    pub loglik_null: f64,
    /// Newton-Raphson iterations of the full model.
    pub iterations: usize,
    /// Weighted number of exits.
    pub n_events: f64,
}

fn validate_data<'a>(d: &ParametricData<'a>) -> Result<(Vec<f64>, Design<'a>)> {
    let n = d.time.len();
    validate::same_len(n, d.event.len(), "duration", "event")?;
    validate::finite(d.time, "duration")?;
    if let Some(i) = d.time.iter().position(|&t| t <= 0.0) {
        return Err(Error::input_at(
            "duration",
            i,
            format!(
                "duration {} is not > 0; a parametric model works on log durations, so \
                 every duration must be positive (drop zero-length spells or add a small offset)",
                d.time[i]
            ),
        ));
    }
    if let Some(i) = d.event.iter().position(|&e| e > 1) {
        return Err(Error::input_at(
            "event",
            i,
            format!("code {} is not 0 (censored) or 1 (exit)", d.event[i]),
        ));
    }
    let design = Design::new(d.x, n, d.p, d.names)?;
    if let Some(e) = d.entry {
        validate::same_len(n, e.len(), "duration", "entry")?;
        validate::non_negative(e, "entry")?;
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
            // The log-likelihood and its derivatives are weighted sums: keep them finite.
            let total: f64 = w.iter().sum();
            if !total.is_finite() || total > 1e200 {
                return Err(Error::input(
                    "weights",
                    format!(
                        "the weights sum to {total:.3e}, too large for the log-likelihood \
                         to be computed; case weights count people (rescale them)"
                    ),
                ));
            }
            w.to_vec()
        }
        None => vec![1.0; n],
    };
    if !d.event.contains(&1) {
        return Err(Error::input(
            "event",
            "every observation is censored: there is no exit to model",
        ));
    }
    Ok((w, design))
}

/// How each covariate was standardised for the fit: x̃ = (x/m − μ)/s with m the largest
/// |x| (so that no sum overflows), μ and s the weighted mean and standard deviation of
/// x/m.
struct Standardised {
    x: Vec<f64>,
    max_abs: Vec<f64>,
    mean: Vec<f64>,
    sd: Vec<f64>,
}

/// Constant and collinear covariates (InputError naming the column), and the
/// standardised covariates the fit works on (the estimates are carried back after).
fn check_design(
    design: Design<'_>,
    w: &[f64],
    k: usize,
    control: &Control,
) -> Result<Standardised> {
    let (n, p) = (design.n, design.p);
    if n <= k {
        return Err(Error::input(
            "covariates",
            format!("a model with {k} parameters needs more than {k} rows; the data have {n}"),
        ));
    }
    let constant =
        "is constant (or nearly), so its effect cannot be told from the intercept; drop it";
    let mut max_abs = vec![0.0f64; p];
    for i in 0..n {
        for j in 0..p {
            max_abs[j] = max_abs[j].max(design.x[i * p + j].abs());
        }
    }
    if let Some(a) = max_abs.iter().position(|&m| m == 0.0) {
        return Err(design.constant(a, constant));
    }
    let wmax = w.iter().fold(0.0f64, |m, &v| m.max(v));
    let wn: Vec<f64> = w.iter().map(|v| v / wmax).collect();
    let wsum: f64 = wn.iter().sum();
    let u = |i: usize, j: usize| design.x[i * p + j] / max_abs[j];
    let mut means = vec![0.0; p];
    for i in 0..n {
        for j in 0..p {
            means[j] += wn[i] * u(i, j) / wsum;
        }
    }
    let cov = design.cross_products(|i, j| u(i, j) - means[j], |i| wn[i], control)?;
    for a in 0..p {
        if cov[a * p + a] <= 1e-12 * (1.0 + means[a].abs()).powi(2) * wsum {
            return Err(design.constant(a, constant));
        }
    }
    design.check_rank(&cov)?;
    let sd: Vec<f64> = (0..p).map(|a| (cov[a * p + a] / wsum).sqrt()).collect();
    let mut x = vec![0.0; n * p];
    for i in 0..n {
        for j in 0..p {
            x[i * p + j] = (u(i, j) - means[j]) / sd[j];
        }
    }
    Ok(Standardised {
        x,
        max_abs,
        mean: means,
        sd,
    })
}

struct Eval {
    loglik: f64,
    grad: Vec<f64>,
    // Negative Hessian (observed information), row-major k × k.
    info: Vec<f64>,
}

/// Log-likelihood, gradient and information at θ = (β, log σ); `control` is checked
/// every [`crate::control::CHECK_ROWS`] rows.
fn evaluate(
    d: &ParametricData,
    w: &[f64],
    dist: Dist,
    theta: &[f64],
    control: &Control,
) -> Result<Eval> {
    let fam = dist.family();
    let p1 = d.p + 1;
    let k = theta.len();
    let tau = if dist.has_scale() { theta[p1] } else { 0.0 };
    let sigma = tau.exp();
    let mut ev = Eval {
        loglik: 0.0,
        grad: vec![0.0; k],
        info: vec![0.0; k * k],
    };
    let mut xi = vec![0.0; p1];
    xi[0] = 1.0;
    for i in 0..d.time.len() {
        control.check_row(i)?;
        xi[1..].copy_from_slice(&d.x[i * d.p..(i + 1) * d.p]);
        let eta: f64 = xi.iter().zip(theta).map(|(a, b)| a * b).sum();
        let y = d.time[i].ln();
        let mut terms: [(f64, f64, bool); 2] = [(0.0, 0.0, false); 2];
        let mut m = 0;
        // (log time, sign, whether an exit)
        terms[m] = (y, 1.0, d.event[i] == 1);
        m += 1;
        if let Some(e) = d.entry {
            if e[i] > 0.0 {
                terms[m] = (e[i].ln(), -1.0, false);
                m += 1;
            }
        }
        for &(yy, sign, exit) in &terms[..m] {
            let z = (yy - eta) / sigma;
            let (g, g1, g2) = if exit {
                log_density(fam, z)
            } else {
                log_survival(fam, z)
            };
            let s = sign * w[i];
            ev.loglik += s * (g + if exit { -tau - yy } else { 0.0 });
            for a in 0..p1 {
                ev.grad[a] -= s * g1 * xi[a] / sigma;
                for b in 0..=a {
                    ev.info[a * k + b] -= s * g2 * xi[a] * xi[b] / (sigma * sigma);
                }
            }
            if dist.has_scale() {
                ev.grad[p1] -= s * (g1 * z + if exit { 1.0 } else { 0.0 });
                for a in 0..p1 {
                    ev.info[p1 * k + a] -= s * xi[a] * (g2 * z + g1) / sigma;
                }
                ev.info[p1 * k + p1] -= s * (g2 * z * z + g1 * z);
            }
        }
    }
    for a in 0..k {
        for b in 0..a {
            ev.info[b * k + a] = ev.info[a * k + b];
        }
    }
    Ok(ev)
}

/// A Newton step on the free parameters `free`: info⁻¹ grad, with a ridge added to an
/// information matrix that is not positive definite (far from the optimum).
fn newton_step(ev: &Eval, k: usize, free: &[usize]) -> Vec<f64> {
    let m = free.len();
    let mut a = vec![0.0; m * m];
    let mut g = vec![0.0; m];
    for (r, &i) in free.iter().enumerate() {
        g[r] = ev.grad[i];
        for (c, &j) in free.iter().enumerate() {
            a[r * m + c] = ev.info[i * k + j];
        }
    }
    let mut ridge = 0.0;
    let scale: f64 = (0..m).map(|r| a[r * m + r].abs()).fold(1e-8, f64::max);
    let mut out = vec![0.0; k];
    for _ in 0..60 {
        let mut b = a.clone();
        for r in 0..m {
            b[r * m + r] += ridge;
        }
        let f = ldl(&b, m, 1e-12);
        if f.rank == m && f.d.iter().all(|&x| x > 0.0) {
            let s = f.solve(&g);
            if s.iter().all(|v| v.is_finite()) {
                for (r, &i) in free.iter().enumerate() {
                    out[i] = s[r];
                }
                return out;
            }
        }
        ridge = if ridge == 0.0 {
            1e-6 * scale
        } else {
            ridge * 10.0
        };
    }
    // Gradient ascent as a last resort; step halving controls its length.
    for (r, &i) in free.iter().enumerate() {
        out[i] = g[r] / scale;
    }
    out
}

/// Newton-Raphson with step halving over the parameters `free` from `theta`. Returns
/// the final evaluation, the iterations and whether it converged (the Newton step
/// below 1e-9 relative in every parameter, or the log-likelihood unchanged to 1e-13).
/// `control` is checked during each evaluation.
fn maximise(
    d: &ParametricData,
    w: &[f64],
    dist: Dist,
    theta: &mut [f64],
    free: &[usize],
    max_iter: usize,
    control: &Control,
) -> Result<(Eval, Vec<f64>, usize, bool)> {
    let k = theta.len();
    let mut cur = evaluate(d, w, dist, theta, control)?;
    let mut step = newton_step(&cur, k, free);
    let mut iterations = 0;
    while iterations < max_iter {
        let small = free
            .iter()
            .all(|&j| step[j].abs() <= 1e-9 * (1.0 + theta[j].abs()));
        if small {
            // One last step: Newton's convergence is quadratic.
            let cand: Vec<f64> = theta.iter().zip(&step).map(|(a, b)| a + b).collect();
            let next = evaluate(d, w, dist, &cand, control)?;
            if next.loglik.is_finite() && next.loglik >= cur.loglik - 1e-12 * cur.loglik.abs() {
                theta.copy_from_slice(&cand);
                cur = next;
                step = newton_step(&cur, k, free);
            }
            return Ok((cur, step, iterations, true));
        }
        iterations += 1;
        let mut frac = 1.0;
        let mut accepted = None;
        for _ in 0..40 {
            let cand: Vec<f64> = theta.iter().zip(&step).map(|(a, b)| a + frac * b).collect();
            let next = evaluate(d, w, dist, &cand, control)?;
            if next.loglik.is_finite() && next.loglik >= cur.loglik - 1e-12 * cur.loglik.abs() {
                accepted = Some((cand, next));
                break;
            }
            frac *= 0.5;
        }
        let Some((cand, next)) = accepted else {
            // No step improves the log-likelihood: at the optimum to rounding.
            let flat = free
                .iter()
                .all(|&j| step[j].abs() <= 1e-6 * (1.0 + theta[j].abs()));
            return Ok((cur, step, iterations, flat));
        };
        let unchanged = (next.loglik - cur.loglik).abs() <= 1e-13 * (1.0 + next.loglik.abs());
        theta.copy_from_slice(&cand);
        cur = next;
        step = newton_step(&cur, k, free);
        if unchanged
            && free
                .iter()
                .all(|&j| step[j].abs() <= 1e-8 * (1.0 + theta[j].abs()))
        {
            return Ok((cur, step, iterations, true));
        }
    }
    Ok((cur, step, iterations, false))
}

/// Fit a parametric AFT model by Newton-Raphson with analytic gradient and Hessian and
/// step halving, in two stages as `survreg`: the intercept (and log σ) alone from
/// moment estimates on the log durations, then every coefficient from there; converged
/// when every Newton step is below 1e-9 relative (one more step is then taken). The
/// covariates are standardised for the fit and the estimates and variance carried
/// back (the maximum likelihood estimate does not depend on the covariates' units).
///
/// Errors: non-positive durations, bad events, entry or weights, constant or collinear
/// covariates, too few rows and data without exits are input errors; a fit that does not
/// converge in `max_iter` iterations (e.g. a coefficient running off to infinity when a
/// level has no exits) is a convergence error naming the parameter.
pub fn fit(d: &ParametricData, dist: Dist, max_iter: usize) -> Result<ParametricFit> {
    fit_with(d, dist, max_iter, &Control::default())
}

/// [`fit`], checking `control` every [`crate::control::CHECK_ROWS`] rows of each
/// evaluation of the likelihood: once it is cancelled the fit stops with
/// [`Error::Interrupted`].
pub fn fit_with(
    d: &ParametricData,
    dist: Dist,
    max_iter: usize,
    control: &Control,
) -> Result<ParametricFit> {
    let (w, design) = validate_data(d)?;
    let p1 = d.p + 1;
    let k = p1 + usize::from(dist.has_scale());
    let st = check_design(design, &w, k, control)?;
    // Fit on standardised covariates (the same likelihood, better conditioned).
    let original = d;
    let d = &ParametricData {
        x: &st.x,
        ..original.clone()
    };
    let n = d.time.len();
    // Starting values from the log durations (every row, as survreg's first stage).
    let wsum: f64 = w.iter().sum();
    let ys: Vec<f64> = d.time.iter().map(|t| t.ln()).collect();
    let mean = (0..n).map(|i| w[i] * ys[i]).sum::<f64>() / wsum;
    let var = (0..n).map(|i| w[i] * (ys[i] - mean).powi(2)).sum::<f64>() / wsum;
    let sd = var.sqrt().max(1e-3);
    let mut theta = vec![0.0; k];
    let exposure: f64 = (0..n)
        .map(|i| w[i] * (d.time[i] - d.entry.map_or(0.0, |e| e[i])))
        .sum();
    let n_events: f64 = (0..n).filter(|&i| d.event[i] == 1).map(|i| w[i]).sum();
    match dist {
        Dist::Exponential => theta[0] = (exposure / n_events).ln(),
        Dist::Weibull => {
            let s = sd * 6f64.sqrt() / std::f64::consts::PI;
            theta[0] = mean + 0.5772 * s;
            theta[p1] = s.ln();
        }
        Dist::LogNormal => {
            theta[0] = mean;
            theta[p1] = sd.ln();
        }
        Dist::LogLogistic => {
            theta[0] = mean;
            theta[p1] = (sd * 3f64.sqrt() / std::f64::consts::PI).ln();
        }
    }
    let names = |j: usize| -> String {
        if j == 0 {
            "(Intercept)".to_string()
        } else if j < p1 {
            d.names
                .get(j - 1)
                .cloned()
                .unwrap_or_else(|| format!("x{j}"))
        } else {
            "log(scale)".to_string()
        }
    };
    let fail = |step: &[f64], theta: &[f64], iterations: usize, stage: &str| -> Error {
        let j = (0..k)
            .max_by(|&a, &b| {
                (step[a].abs() / (1.0 + theta[a].abs()))
                    .total_cmp(&(step[b].abs() / (1.0 + theta[b].abs())))
            })
            .unwrap_or(0);
        if dist.has_scale() && j == p1 && step[j] < 0.0 && theta[j] < -5.0 {
            return Error::Convergence {
                what: format!("the {} model", dist_name(dist)),
                reason: format!(
                    "{stage}the scale shrinks towards 0 (log(scale) = {:.4} after {iterations} \
                     iterations): the durations are (nearly) all equal, or a covariate \
                     predicts them exactly",
                    theta[j]
                ),
                hint: "check the durations, or fit fewer covariates".into(),
            };
        }
        Error::Convergence {
            what: format!("the {} model", dist_name(dist)),
            reason: format!(
                "{stage}the estimate of '{}' was still moving after {iterations} iterations; \
                 the likelihood may have no maximum (e.g. a covariate level in which nobody, \
                 or everybody, leaves)",
                names(j)
            ),
            hint: "drop or merge sparse covariate levels, rescale covariates, try another \
                   distribution, or raise max_iter"
                .into(),
        }
    };
    let first: Vec<usize> = if dist.has_scale() {
        vec![0, p1]
    } else {
        vec![0]
    };
    let (null_eval, step, it, ok) = maximise(d, &w, dist, &mut theta, &first, max_iter, control)?;
    if !ok {
        return Err(fail(&step, &theta, it, "in the intercept-only model, "));
    }
    let loglik_null = null_eval.loglik;
    let all: Vec<usize> = (0..k).collect();
    let (cur, step, iterations, ok) = if d.p == 0 {
        (null_eval, step, it, ok)
    } else {
        maximise(d, &w, dist, &mut theta, &all, max_iter, control)?
    };
    if !ok || theta.iter().any(|v| !v.is_finite()) {
        return Err(fail(&step, &theta, iterations, ""));
    }
    let f = ldl(&cur.info, k, 1e-12);
    if f.rank < k || f.d.iter().any(|&x| x <= 0.0) {
        return Err(Error::Convergence {
            what: format!("the {} model", dist_name(dist)),
            reason: "the information matrix is singular at the estimate, so the standard \
                     errors are undefined"
                .into(),
            hint: "drop covariates with few exits in a level, or try another distribution".into(),
        });
    }
    let var_std = f.inverse();
    // Back to the caller's covariates: β_j = γ_j / (s_j m_j), β_0 = γ_0 − Σ γ_j μ_j / s_j;
    // θ = A γ and Var θ = A Var γ Aᵀ.
    let mut a = vec![0.0; k * k];
    for j in 0..k {
        a[j * k + j] = 1.0;
    }
    for j in 1..p1 {
        a[j] = -st.mean[j - 1] / st.sd[j - 1];
        a[j * k + j] = 1.0 / st.sd[j - 1] / st.max_abs[j - 1];
    }
    let gamma = theta.clone();
    for r in 0..k {
        theta[r] = (0..k).map(|c| a[r * k + c] * gamma[c]).sum();
    }
    let mut var = vec![0.0; k * k];
    for r in 0..k {
        for c in 0..k {
            let mut acc = 0.0;
            for i in 0..k {
                if a[r * k + i] == 0.0 {
                    continue;
                }
                for j in 0..k {
                    acc += a[r * k + i] * var_std[i * k + j] * a[c * k + j];
                }
            }
            var[r * k + c] = acc;
        }
    }
    if theta.iter().chain(&var).any(|v| !v.is_finite()) || (0..k).any(|j| var[j * k + j] <= 0.0) {
        return Err(Error::Convergence {
            what: format!("the {} model", dist_name(dist)),
            reason: "a coefficient or its variance overflows (or underflows) on the scale of \
                     the covariates"
                .into(),
            hint: "rescale the covariates (e.g. thousands instead of units)".into(),
        });
    }
    let se: Vec<f64> = (0..k).map(|j| var[j * k + j].sqrt()).collect();
    let z: Vec<f64> = theta.iter().zip(&se).map(|(b, s)| b / s).collect();
    let p_value = z.iter().map(|&z| normal_two_sided_p(z)).collect();
    let log_scale = if dist.has_scale() { theta[p1] } else { 0.0 };
    Ok(ParametricFit {
        model: ParametricModel {
            dist,
            coef: theta[..p1].to_vec(),
            log_scale,
            var,
        },
        se,
        z,
        p_value,
        loglik: cur.loglik,
        loglik_null,
        iterations,
        n_events,
    })
}

fn dist_name(d: Dist) -> &'static str {
    match d {
        Dist::Exponential => "exponential",
        Dist::Weibull => "Weibull",
        Dist::LogNormal => "log-normal",
        Dist::LogLogistic => "log-logistic",
    }
}

/// What [`predict`] computes at each value of `at`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prediction {
    /// S(t | x) at times t >= 0; interval on the log(−log S) scale.
    Survival,
    /// h(t | x) at times t > 0; interval on the log scale.
    Hazard,
    /// The time by which a share p has left, F⁻¹(p | x) = exp(xβ + σ w_p), p in (0, 1);
    /// interval on the log scale (R's `predict(type = "quantile")`).
    Quantile,
    /// Restricted mean ∫₀^τ S(t | x) dt up to τ > 0; interval on the log scale.
    Rmst,
}

/// Estimates with delta-method standard errors and intervals, row-major
/// (rows of `x_new`) × (values of `at`); NaN where undefined.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PredictionTable {
    /// Estimate.
    pub estimate: Vec<f64>,
    /// Standard error on the scale of the estimate.
    pub std_err: Vec<f64>,
    /// Lower limit.
    pub lower: Vec<f64>,
    /// Upper limit.
    pub upper: Vec<f64>,
    /// For [`band_rates`]: the probability of leaving within the band.
    pub band_probability: Vec<f64>,
}

fn check_model(m: &ParametricModel, x_new: &[f64], rows: usize, p: usize) -> Result<()> {
    let k = m.k();
    if m.coef.len() != p + 1 || m.var.len() != k * k {
        return Err(Error::input(
            "new_data",
            format!(
                "needs {} covariate columns and a {k} × {k} variance",
                m.coef.len().saturating_sub(1)
            ),
        ));
    }
    if rows.checked_mul(p) != Some(x_new.len()) {
        return Err(Error::input(
            "new_data",
            format!("has {} values, expected {rows} × {p}", x_new.len()),
        ));
    }
    validate::finite(x_new, "new_data")
}

/// gᵀ V g for a gradient given in (η, log σ): g_β = x g_η.
fn delta_var(m: &ParametricModel, x: &[f64], g_eta: f64, g_tau: f64) -> f64 {
    let k = m.k();
    let p1 = m.coef.len();
    let mut g = vec![0.0; k];
    for j in 0..p1 {
        g[j] = x[j] * g_eta;
    }
    if m.dist.has_scale() {
        g[p1] = g_tau;
    }
    let mut v = 0.0;
    for a in 0..k {
        for b in 0..k {
            v += g[a] * m.var[a * k + b] * g[b];
        }
    }
    v.max(0.0)
}

/// Gauss-Legendre nodes and weights on [−1, 1] (Newton on the Legendre polynomial).
fn gauss_legendre(n: usize) -> Vec<(f64, f64)> {
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let mut x = (std::f64::consts::PI * (i as f64 + 0.75) / (n as f64 + 0.5)).cos();
        let mut dp = 1.0;
        for _ in 0..100 {
            let (mut p0, mut p1) = (1.0, x);
            for j in 2..=n {
                let p2 = ((2 * j - 1) as f64 * x * p1 - (j - 1) as f64 * p0) / j as f64;
                p0 = p1;
                p1 = p2;
            }
            dp = n as f64 * (x * p1 - p0) / (x * x - 1.0);
            let dx = p1 / dp;
            x -= dx;
            if dx.abs() < 1e-16 {
                break;
            }
        }
        out.push((x, 2.0 / ((1.0 - x * x) * dp * dp)));
    }
    out
}

/// Restricted mean ∫₀^τ S(t) dt and its derivatives in η and log σ. In z = (log t − η)/σ
/// (t = e^{η+σz}, dt = σ t dz): R = ∫ σ t S_W(z) dz, ∂R/∂η = ∫ t f_W(z) dz,
/// ∂R/∂log σ = ∫ σ t z f_W(z) dz, over z < z_τ. Below z = a, S_W = 1 to double
/// precision, so that part is t(a) exactly; above it composite 10-point Gauss-Legendre
/// panels no wider than min(0.5, 1/σ).
fn rmst(fam: Family, eta: f64, sigma: f64, tau: f64) -> (f64, f64, f64) {
    let a = match fam {
        Family::Gaussian => -9.5,
        _ => -38.0,
    };
    let z_tau = (tau.ln() - eta) / sigma;
    if z_tau <= a {
        return (tau, 0.0, 0.0);
    }
    // Beyond these points the integrands are below double precision of the total.
    let cap = match fam {
        Family::ExtremeValue => 6.0,
        Family::Gaussian => sigma + 12.0,
        Family::Logistic if sigma < 0.9 => 45.0 / (1.0 - sigma),
        Family::Logistic => f64::INFINITY,
    };
    let b = z_tau.min(cap);
    let h = 0.5f64.min(1.0 / sigma);
    let panels = (((b - a) / h).ceil() as usize).clamp(1, 200_000);
    let h = (b - a) / panels as f64;
    let nodes = gauss_legendre(10);
    let (mut r, mut d_eta, mut d_tau) = ((eta + sigma * a).exp(), 0.0, 0.0);
    for k in 0..panels {
        let mid = a + (k as f64 + 0.5) * h;
        for &(x, wt) in &nodes {
            let z = mid + 0.5 * h * x;
            let t = (eta + sigma * z).exp();
            let s = log_survival(fam, z).0.exp();
            let f = log_density(fam, z).0.exp();
            let ww = 0.5 * h * wt;
            r += ww * sigma * t * s;
            d_eta += ww * t * f;
            d_tau += ww * sigma * t * z * f;
        }
    }
    (r, d_eta, d_tau)
}

/// Predictions for the covariate rows `x_new` (row-major `rows` × p, without the intercept)
/// at each value of `at`, with delta-method standard errors from the variance of
/// (β, log σ) and intervals at `level` on the scale stated in [`Prediction`].
pub fn predict(
    m: &ParametricModel,
    x_new: &[f64],
    rows: usize,
    p: usize,
    what: Prediction,
    at: &[f64],
    level: f64,
) -> Result<PredictionTable> {
    predict_with(m, x_new, rows, p, what, at, level, &Control::default())
}

/// [`predict`], checking `control` before each new row: once it is cancelled the
/// prediction stops with [`Error::Interrupted`].
#[allow(clippy::too_many_arguments)]
pub fn predict_with(
    m: &ParametricModel,
    x_new: &[f64],
    rows: usize,
    p: usize,
    what: Prediction,
    at: &[f64],
    level: f64,
    control: &Control,
) -> Result<PredictionTable> {
    validate::level(level)?;
    check_model(m, x_new, rows, p)?;
    let (arg, ok, rule): (&str, fn(f64) -> bool, &str) = match what {
        Prediction::Survival => ("times", |v| v >= 0.0, ">= 0"),
        Prediction::Hazard => ("times", |v| v > 0.0, "> 0"),
        Prediction::Quantile => ("p", |v| v > 0.0 && v < 1.0, "in (0, 1)"),
        Prediction::Rmst => ("tau", |v| v > 0.0, "> 0"),
    };
    validate::finite(at, arg).map_err(Error::of_argument)?;
    if let Some(i) = at.iter().position(|&v| !ok(v)) {
        return Err(Error::argument_at(
            arg,
            i,
            format!("value {} is not {rule}", at[i]),
        ));
    }
    let size = rows.checked_mul(at.len()).filter(|&s| s <= 100_000_000);
    let Some(size) = size else {
        return Err(Error::input(
            "new_data",
            format!(
                "{rows} rows × {} values is more than 100,000,000 predictions",
                at.len()
            ),
        ));
    };
    let fam = m.dist.family();
    let sigma = m.log_scale.exp();
    let zq = qnorm(1.0 - (1.0 - level) / 2.0);
    let mut out = PredictionTable {
        estimate: Vec::with_capacity(size),
        std_err: Vec::with_capacity(size),
        lower: Vec::with_capacity(size),
        upper: Vec::with_capacity(size),
        band_probability: Vec::new(),
    };
    let mut xi = vec![1.0; p + 1];
    for r in 0..rows {
        control.check()?;
        xi[1..].copy_from_slice(&x_new[r * p..(r + 1) * p]);
        let eta: f64 = xi.iter().zip(&m.coef).map(|(a, b)| a * b).sum();
        for &v in at {
            let (est, se, lo, hi) = match what {
                Prediction::Survival => {
                    if v == 0.0 {
                        (1.0, 0.0, 1.0, 1.0)
                    } else {
                        let z = (v.ln() - eta) / sigma;
                        let ls = log_survival(fam, z).0;
                        let haz_w = log_hazard_w(fam, z).0.exp();
                        let cum = -ls;
                        // u = log H = log(−log S); du/dz = h_W / H.
                        let du = haz_w / cum;
                        let var = delta_var(m, &xi, -du / sigma, -du * z);
                        let se_u = var.sqrt();
                        let s = ls.exp();
                        let u = cum.ln();
                        if cum > 0.0 && cum.is_finite() && s > 0.0 && du.is_finite() {
                            (
                                s,
                                s * cum * se_u,
                                (-(u + zq * se_u).exp()).exp(),
                                (-(u - zq * se_u).exp()).exp(),
                            )
                        } else {
                            (s, f64::NAN, f64::NAN, f64::NAN)
                        }
                    }
                }
                Prediction::Hazard => {
                    let z = (v.ln() - eta) / sigma;
                    let (lh, dz) = log_hazard_w(fam, z);
                    let log_h = lh - m.log_scale - v.ln();
                    let se_l = delta_var(m, &xi, -dz / sigma, -dz * z - 1.0).sqrt();
                    let h = log_h.exp();
                    (
                        h,
                        h * se_l,
                        (log_h - zq * se_l).exp(),
                        (log_h + zq * se_l).exp(),
                    )
                }
                Prediction::Quantile => {
                    let wp = quantile_w(fam, v);
                    let lt = eta + sigma * wp;
                    let se_l = delta_var(m, &xi, 1.0, sigma * wp).sqrt();
                    let t = lt.exp();
                    (t, t * se_l, (lt - zq * se_l).exp(), (lt + zq * se_l).exp())
                }
                Prediction::Rmst => {
                    let (rm, d_eta, d_tau) = rmst(fam, eta, sigma, v);
                    let se = delta_var(m, &xi, d_eta, d_tau).sqrt();
                    let se_l = se / rm;
                    (rm, se, rm * (-zq * se_l).exp(), rm * (zq * se_l).exp())
                }
            };
            out.estimate.push(est);
            out.std_err.push(se);
            out.lower.push(lo);
            out.upper.push(hi);
        }
    }
    Ok(out)
}

/// Annual exit rates by band of time in post from the fitted model: for band
/// [b_k, b_{k+1}), the probability of leaving within it given presence at b_k,
/// q_k = 1 − S(b_{k+1})/S(b_k) = 1 − exp(−ΔH_k), and the constant yearly probability
/// that compounds to it, 1 − exp(−ΔH_k · per / (b_{k+1} − b_k)), with `per` the length
/// of a year in the units of the durations. The interval is built on log ΔH_k (so the
/// rate stays in (0, 1)). Row-major (rows of `x_new`) × (bands).
pub fn band_rates(
    m: &ParametricModel,
    x_new: &[f64],
    rows: usize,
    p: usize,
    edges: &[f64],
    per: f64,
    level: f64,
) -> Result<PredictionTable> {
    band_rates_with(m, x_new, rows, p, edges, per, level, &Control::default())
}

/// [`band_rates`], checking `control` before each new row: once it is cancelled the
/// computation stops with [`Error::Interrupted`].
#[allow(clippy::too_many_arguments)]
pub fn band_rates_with(
    m: &ParametricModel,
    x_new: &[f64],
    rows: usize,
    p: usize,
    edges: &[f64],
    per: f64,
    level: f64,
    control: &Control,
) -> Result<PredictionTable> {
    validate::level(level)?;
    validate::positive_scalar(per, "per")?;
    check_model(m, x_new, rows, p)?;
    validate::non_negative(edges, "bands").map_err(Error::of_argument)?;
    if edges.len() < 2 {
        return Err(Error::argument(
            "bands",
            "give at least two band edges, e.g. [0, 2, 5, 10]",
        ));
    }
    if let Some(i) = (1..edges.len()).find(|&i| edges[i] <= edges[i - 1]) {
        return Err(Error::argument_at(
            "bands",
            i,
            format!(
                "edge {} is not above the edge before it ({}); give increasing edges",
                edges[i],
                edges[i - 1]
            ),
        ));
    }
    let nb = edges.len() - 1;
    let size = rows.checked_mul(nb).filter(|&s| s <= 100_000_000);
    let Some(size) = size else {
        return Err(Error::input(
            "new_data",
            format!("{rows} rows × {nb} bands is more than 100,000,000 rates"),
        ));
    };
    let fam = m.dist.family();
    let sigma = m.log_scale.exp();
    let zq = qnorm(1.0 - (1.0 - level) / 2.0);
    let mut out = PredictionTable {
        estimate: Vec::with_capacity(size),
        std_err: Vec::with_capacity(size),
        lower: Vec::with_capacity(size),
        upper: Vec::with_capacity(size),
        band_probability: Vec::with_capacity(size),
    };
    let mut xi = vec![1.0; p + 1];
    for r in 0..rows {
        control.check()?;
        xi[1..].copy_from_slice(&x_new[r * p..(r + 1) * p]);
        let eta: f64 = xi.iter().zip(&m.coef).map(|(a, b)| a * b).sum();
        // Cumulative hazard H(b) and its derivatives in η and log σ.
        let cum = |b: f64| -> (f64, f64, f64) {
            if b == 0.0 {
                return (0.0, 0.0, 0.0);
            }
            let z = (b.ln() - eta) / sigma;
            let ls = log_survival(fam, z).0;
            let hw = log_hazard_w(fam, z).0.exp();
            (-ls, -hw / sigma, -hw * z)
        };
        for k in 0..nb {
            let (h0, e0, t0) = cum(edges[k]);
            let (h1, e1, t1) = cum(edges[k + 1]);
            let dh = h1 - h0;
            let c = per / (edges[k + 1] - edges[k]);
            let rate = -(-dh * c).exp_m1();
            let se_dh = delta_var(m, &xi, e1 - e0, t1 - t0).sqrt();
            out.band_probability.push(-(-dh).exp_m1());
            out.estimate.push(rate);
            out.std_err.push(c * (-dh * c).exp() * se_dh);
            if dh > 0.0 && dh.is_finite() {
                let se_l = se_dh / dh;
                out.lower.push(-(-dh * c * (-zq * se_l).exp()).exp_m1());
                out.upper.push(-(-dh * c * (zq * se_l).exp()).exp_m1());
            } else {
                out.lower.push(f64::NAN);
                out.upper.push(f64::NAN);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numeric_grad(d: &ParametricData, dist: Dist, theta: &[f64]) -> (Vec<f64>, Vec<f64>) {
        let w = vec![1.0; d.time.len()];
        let k = theta.len();
        let h = 1e-5;
        let mut g = vec![0.0; k];
        let mut info = vec![0.0; k * k];
        for j in 0..k {
            let mut up = theta.to_vec();
            let mut dn = theta.to_vec();
            up[j] += h;
            dn[j] -= h;
            let eu = evaluate(d, &w, dist, &up, &Control::default()).unwrap();
            let ed = evaluate(d, &w, dist, &dn, &Control::default()).unwrap();
            g[j] = (eu.loglik - ed.loglik) / (2.0 * h);
            for i in 0..k {
                info[i * k + j] = -(eu.grad[i] - ed.grad[i]) / (2.0 * h);
            }
        }
        (g, info)
    }

    #[test]
    fn analytic_gradient_and_information_match_finite_differences() {
        let time = [1.5, 2.0, 3.2, 4.1, 5.5, 6.0, 7.3, 9.9];
        let event = [1, 0, 1, 1, 0, 1, 1, 0];
        let x = [0.3, 1.0, 0.7, 0.1, 1.5, 0.4, 0.9, 1.2];
        let entry = [0.0, 0.5, 1.0, 0.0, 2.0, 0.0, 3.0, 1.0];
        let names = vec!["x".to_string()];
        for dist in [
            Dist::Exponential,
            Dist::Weibull,
            Dist::LogNormal,
            Dist::LogLogistic,
        ] {
            let d = ParametricData {
                time: &time,
                event: &event,
                x: &x,
                p: 1,
                names: &names,
                entry: Some(&entry),
                weights: None,
            };
            let theta: Vec<f64> = if dist.has_scale() {
                vec![1.4, 0.2, -0.3]
            } else {
                vec![1.4, 0.2]
            };
            let ev = evaluate(&d, &[1.0; 8], dist, &theta, &Control::default()).unwrap();
            let (g, info) = numeric_grad(&d, dist, &theta);
            for (a, b) in ev.grad.iter().zip(&g) {
                assert!((a - b).abs() < 1e-6, "{dist:?} grad {a} vs {b}");
            }
            for (a, b) in ev.info.iter().zip(&info) {
                assert!((a - b).abs() < 1e-5, "{dist:?} info {a} vs {b}");
            }
        }
    }

    #[test]
    fn exponential_without_covariates_is_events_over_exposure() {
        let time = [1.5, 2.0, 3.2, 4.1, 5.5, 6.0];
        let event = [1, 0, 1, 1, 0, 1];
        let entry = [0.0, 0.5, 1.0, 0.0, 2.0, 0.0];
        let d = ParametricData {
            time: &time,
            event: &event,
            x: &[],
            p: 0,
            names: &[],
            entry: Some(&entry),
            weights: None,
        };
        let f = fit(&d, Dist::Exponential, 50).unwrap();
        let exposure: f64 = time.iter().zip(&entry).map(|(t, e)| t - e).sum();
        assert!((f.model.coef[0] - (exposure / 4.0).ln()).abs() < 1e-12);
        assert!((f.se[0] - 0.5).abs() < 1e-10); // 1/sqrt(4 exits)
    }

    #[test]
    fn rmst_matches_closed_forms() {
        // Weibull with σ = 1 (exponential): ∫₀^τ e^{−t/λ} dt = λ(1 − e^{−τ/λ}).
        let (r, _, _) = rmst(Family::ExtremeValue, 1.0, 1.0, 3.0);
        let lam = 1f64.exp();
        assert!((r - lam * (1.0 - (-3.0 / lam).exp())).abs() < 1e-12);
        // Log-normal: τS(τ) + e^{μ+σ²/2} Φ((log τ − μ − σ²)/σ).
        let (mu, s, tau) = (0.7, 0.8, 4.0);
        let (r, _, _) = rmst(Family::Gaussian, mu, s, tau);
        let z = (f64::ln(tau) - mu) / s;
        let phi = |x: f64| 0.5 * erfc(-x / std::f64::consts::SQRT_2);
        let want = tau * (1.0 - phi(z)) + (mu + s * s / 2.0).exp() * phi(z - s);
        assert!((r - want).abs() < 1e-9 * want, "{r} vs {want}");
        // Derivatives against finite differences (log-logistic).
        let (e, s, tau) = (0.4, 0.6, 5.0);
        let (_, de, dt) = rmst(Family::Logistic, e, s, tau);
        let h = 1e-6;
        let fe = (rmst(Family::Logistic, e + h, s, tau).0
            - rmst(Family::Logistic, e - h, s, tau).0)
            / (2.0 * h);
        let ft = (rmst(Family::Logistic, e, (s.ln() + h).exp(), tau).0
            - rmst(Family::Logistic, e, (s.ln() - h).exp(), tau).0)
            / (2.0 * h);
        assert!(
            (de - fe).abs() < 1e-7 && (dt - ft).abs() < 1e-7,
            "{de} {fe} {dt} {ft}"
        );
    }

    #[test]
    fn log_hazard_matches_density_over_survival_and_stays_finite_in_the_tail() {
        for fam in [Family::ExtremeValue, Family::Gaussian, Family::Logistic] {
            for z in [-5.0, -1.0, 0.0, 0.7, 2.5] {
                let (lh, d) = log_hazard_w(fam, z);
                let want = log_density(fam, z).0 - log_survival(fam, z).0;
                assert!((lh - want).abs() < 1e-12, "{fam:?} {z}");
                let want_d = log_density(fam, z).1 - log_survival(fam, z).1;
                assert!((d - want_d).abs() < 1e-10, "{fam:?} {z}");
            }
            let (lh, _) = log_hazard_w(fam, 60.0);
            assert!(lh.is_finite() && lh > -1e-9, "{fam:?}");
        }
        // Gaussian: h(z) ≈ z for large z.
        assert!((log_hazard_w(Family::Gaussian, 40.0).0 - 40f64.ln()).abs() < 1e-3);
    }

    #[test]
    fn bad_input_is_named() {
        let names = vec!["x".to_string()];
        let d = ParametricData {
            time: &[1.0, 0.0, 2.0],
            event: &[1, 1, 0],
            x: &[],
            p: 0,
            names: &names,
            entry: None,
            weights: None,
        };
        let e = fit(&d, Dist::Weibull, 50).unwrap_err().to_string();
        assert!(
            e.starts_with("column 'duration', row 1: duration 0 is not > 0"),
            "{e}"
        );
        let d = ParametricData {
            time: &[1.0, 3.0, 2.0, 4.0],
            event: &[1, 1, 0, 1],
            x: &[5.0, 5.0, 5.0, 5.0],
            p: 1,
            ..d
        };
        let e = fit(&d, Dist::Weibull, 50).unwrap_err().to_string();
        assert!(e.starts_with("column 'x': is constant"), "{e}");
    }
}
