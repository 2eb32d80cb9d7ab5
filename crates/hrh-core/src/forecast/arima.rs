//! ARIMA(p, d, q) models with an optional mean (d = 0) or drift (d ≤ 1), fitted as R's
//! `arima(method = "CSS-ML")` and forecast as R's `predict.Arima`.
//!
//! Model: y_t − x_t′β = u_t, (1 − φ₁B − … − φ_pB^p)(1 − B)^d u_t =
//! (1 + θ₁B + … + θ_qB^q) ε_t, ε_t ~ N(0, σ²), with regressors x_t = 1 (mean, d = 0)
//! and/or t = 1..n (drift), as R's `forecast::Arima(include.mean, include.drift)`.
//!
//! Likelihood: the state-space form of R's `makeARIMA` (state of dimension
//! r + d, r = max(p, q + 1), the differencing carried in the state with a diffuse
//! prior κ = 1e6 on its d components, the stationary part started at its stationary
//! covariance, solved here exactly from the discrete Lyapunov equation), a Kalman
//! filter as R's `ARIMA_Like` (observations whose prediction variance exceeds 1e4 are
//! the diffuse ones and are left out), σ² concentrated out:
//! −2 log L = n′ ln(2π σ̂²) + Σ ln F_t + n′ with n′ = n − d, as R's `arima`.
//!
//! Estimation: a conditional-sum-of-squares fit (BFGS) gives the start; the exact
//! likelihood is then maximised by BFGS over the AR and MA coefficients mapped to
//! partial autocorrelations by tanh and the Durbin-Levinson recursion (so every
//! candidate is stationary and invertible; R transforms only the AR part, and the
//! Gaussian likelihood of a non-invertible MA equals that of its invertible mirror),
//! also from the two best points of a coarse grid of partial autocorrelations and, with
//! both AR and MA terms, from the near-cancelling corner φ₁ = −θ₁ = tanh 2 (the
//! likelihood can have several local maxima); the best BFGS end point is polished by
//! Nelder-Mead. In models with a mean or drift, an end point from a grid start with an
//! AR root within 1.01 of the unit circle never replaces the one from the CSS start:
//! there the mean or drift is not identified and the likelihood creeps towards the
//! stationarity boundary.
//!
//! Forecasts and limits: Kalman prediction from the last filtered state (R's
//! `KalmanForecast`), plus x′β at the future times; variance σ²·F_h with
//! σ² = Σ r_t² / (n − d − k) over the standardised innovations r_t, k coefficients, as
//! `forecast::Arima`. Fitted values are y_t − r_t, as in R.
//!
//! Automatic order (`order = None`): d by repeated KPSS level-stationarity tests at
//! 5% (statistic above 0.463, the 5% critical value, means difference again; lag
//! truncation ⌊3√n/13⌋; at most d = 2), as `forecast::ndiffs`; then every
//! p, q ≤ min(3, ⌊n/3⌋) with and without the constant (mean for d = 0, drift for
//! d = 1), the smallest AICc among fits whose AR and MA roots all lie outside
//! |z| = 1.01, as `forecast::auto.arima(stepwise = FALSE, approximation = FALSE)`
//! restricted to p, q ≤ 3.
//!
//! Stepwise order search (`search = Search::Stepwise`, `auto.arima`'s default): d as
//! above; max p = max q = min(5, ⌊n/3⌋); the starting models ARIMA(2,d,2) (1,d,1 when
//! n < 10), (0,d,0), (1,d,0), (0,d,1) with the constant where d ≤ 1, and (0,d,0)
//! without; then, from the best so far, the moves p ± 1, q ± 1, (p, q) ± (1, 1) in
//! the order of Hyndman & Khandakar (2008) and `forecast::auto.arima`, taking the first
//! that lowers the AICc, and last toggling the constant, until no move improves (at
//! most 94 models). A candidate is rejected (AICc = ∞) as `auto.arima`'s `myarima`
//! rejects it: a fit that fails, an AR part from the CSS step that is not stationary
//! (R's `arima` stops there), an AR or MA root within |z| = 1.01, or a coefficient
//! variance that is not positive. When the best optimum hrh finds has a root within
//! 1.01, the candidate is judged at the optimum reached from the CSS start alone (R's
//! path), which may be an admissible local one.
//!
//! Regressors (break terms, see [`super::Breaks`]): columns of x_t after the mean and
//! drift, as `Arima(xreg =)`; in automatic order selection d comes from the residuals
//! of the least-squares fit of y on the regressors, one less when the d-th difference
//! of a regressor is constant, as `auto.arima(xreg =)`.
//!
//! Standard errors: the inverse of the Hessian of −log L (σ² concentrated out, as R)
//! in the natural coefficients (φ, θ, β), by central second differences with steps
//! h = 0.05 and h/2 of each coefficient's standard error, Richardson-extrapolated
//! (a first pass with step 10⁻⁴ of the coefficient's size gives that scale). R's `arima` takes the Hessian in its
//! transformed coordinates by `optim`'s finite differences (step 10⁻³) and maps it back
//! with a forward-difference Jacobian of the AR transformation (also step 10⁻³), so
//! R's `var.coef` differs from the exact inverse information by up to about 10⁻³
//! relative for AR coefficients (and the mean or drift next to them).
//!
//! References: Box GEP, Jenkins GM (1970). Time Series Analysis: Forecasting and
//! Control. Holden-Day. Gardner G, Harvey AC, Phillips GDA (1980). Algorithm AS 154.
//! Applied Statistics 29:311-322. Durbin J, Koopman SJ (2001). Time Series Analysis by
//! State Space Methods. Oxford. Jones RH (1980). Maximum likelihood fitting of ARMA
//! models to time series with missing observations. Technometrics 22:389-395.
//! Kwiatkowski D, Phillips PCB, Schmidt P, Shin Y (1992). Journal of Econometrics
//! 54:159-178. Hyndman RJ, Khandakar Y (2008). Automatic time series forecasting: the
//! forecast package for R. Journal of Statistical Software 27(3).

// Small dense matrices indexed in row-major order read best with index loops.
#![allow(clippy::needless_range_loop)]

use super::optim::{bfgs, nelder_mead};
use super::{normal_intervals, Accuracy, Criteria, Fit};
use crate::error::{Error, Result};

/// Largest AR or MA order.
pub const MAX_ORDER: usize = 5;

/// Parameter names (unused entries NaN).
pub const PARAMS: [&str; 15] = [
    "p",
    "d",
    "q",
    "ar1",
    "ar2",
    "ar3",
    "ar4",
    "ar5",
    "ma1",
    "ma2",
    "ma3",
    "ma4",
    "ma5",
    "intercept",
    "drift",
];

const KAPPA: f64 = 1e6;

/// How the order is searched when it is not given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Search {
    /// Every p, q ≤ 3 with and without the constant
    /// (`auto.arima(stepwise = FALSE)` restricted to p, q ≤ 3).
    #[default]
    Exhaustive,
    /// The stepwise search of Hyndman & Khandakar (2008), `auto.arima`'s default.
    Stepwise,
}

/// Regressors besides the mean and drift: in-sample columns and their values at the
/// forecast steps.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Xreg {
    /// One column of n values per regressor.
    pub cols: Vec<Vec<f64>>,
    /// One column of `horizon` future values per regressor.
    pub future: Vec<Vec<f64>>,
}

/// An ARIMA model: a fixed order, or `None` to select it (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ArimaSpec {
    /// (p, d, q), or `None` for automatic selection.
    pub order: Option<(usize, usize, usize)>,
    /// Include a mean when d = 0 (R's `include.mean`, default true).
    pub include_mean: bool,
    /// Include a drift t = 1..n when d ≤ 1 (R's `include.drift`).
    pub drift: bool,
    /// Order search when `order` is `None`.
    pub search: Search,
}

impl ArimaSpec {
    /// Display name.
    pub fn name(&self) -> String {
        match self.order {
            Some((p, d, q)) => format!(
                "ARIMA({p},{d},{q}){}",
                if self.drift && d <= 1 {
                    " with drift"
                } else {
                    ""
                }
            ),
            None => "ARIMA (automatic order)".into(),
        }
    }

    /// Fewest observations: n − d must exceed the coefficients plus σ by 2.
    pub fn min_points(&self) -> usize {
        match self.order {
            Some((p, d, q)) => {
                // Saturating: orders are checked against MAX_ORDER only after this count.
                let k = p
                    .saturating_add(q)
                    .saturating_add(usize::from(d == 0 && self.include_mean))
                    .saturating_add(usize::from(self.drift));
                d.saturating_add(k).saturating_add(3)
            }
            None => 8,
        }
    }
}

/// One candidate model structure.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Structure {
    p: usize,
    d: usize,
    q: usize,
    mean: bool,
    drift: bool,
    /// Regressors besides mean and drift.
    extra: usize,
}

impl Structure {
    fn n_xreg(&self) -> usize {
        usize::from(self.mean) + usize::from(self.drift) + self.extra
    }
    fn n_coef(&self) -> usize {
        self.p + self.q + self.n_xreg()
    }
}

// --------------------------------------------------------------------------- transforms

/// tanh then Durbin-Levinson: unconstrained → coefficients of a stationary AR
/// polynomial (R's `partrans`).
fn partrans(raw: &[f64]) -> Vec<f64> {
    let p = raw.len();
    let mut new: Vec<f64> = raw.iter().map(|v| v.tanh()).collect();
    let mut work = new.clone();
    for j in 1..p {
        let a = new[j];
        for k in 0..j {
            work[k] -= a * new[j - k - 1];
        }
        new[..j].copy_from_slice(&work[..j]);
    }
    new
}

/// Inverse of [`partrans`]; `None` unless the polynomial is stationary (R's
/// `invpartrans`, which also serves as the stationarity check).
fn invpartrans(phi: &[f64]) -> Option<Vec<f64>> {
    let p = phi.len();
    let mut new = phi.to_vec();
    let mut work = new.clone();
    for j in (1..p).rev() {
        let a = new[j];
        if a.abs() >= 1.0 {
            return None;
        }
        for k in 0..j {
            work[k] = (new[k] + a * new[j - k - 1]) / (1.0 - a * a);
        }
        new[..j].copy_from_slice(&work[..j]);
    }
    if new.iter().any(|v| v.abs() >= 1.0) {
        return None;
    }
    Some(new.iter().map(|v| v.atanh()).collect())
}

// --------------------------------------------------------------------------- polynomial roots

/// Smallest modulus of the roots of 1 + c₁z + … + c_kz^k (trailing |c| ≤ 1e-8
/// dropped, as `forecast`'s root check); 2 when there is none.
fn min_root_modulus(c: &[f64]) -> f64 {
    let k = match c.iter().rposition(|v| v.abs() > 1e-8) {
        Some(i) => i + 1,
        None => return 2.0,
    };
    // Roots of z^k + (c_{k-1}/c_k) z^{k-1} + … + 1/c_k by Durand-Kerner.
    let lead = c[k - 1];
    let coef: Vec<f64> = (0..k)
        .map(|i| if i == 0 { 1.0 / lead } else { c[i - 1] / lead })
        .collect(); // coef[i] multiplies z^i, i < k
    let eval = |z: (f64, f64)| -> (f64, f64) {
        let mut acc = (1.0, 0.0);
        for i in (0..k).rev() {
            acc = (
                acc.0 * z.0 - acc.1 * z.1 + coef[i],
                acc.0 * z.1 + acc.1 * z.0,
            );
        }
        acc
    };
    let mut roots: Vec<(f64, f64)> = (0..k)
        .map(|i| {
            let ang = 0.4 + 2.0 * std::f64::consts::PI * i as f64 / k as f64;
            (0.9 * ang.cos(), 0.9 * ang.sin())
        })
        .collect();
    for _ in 0..500 {
        let mut delta = 0.0_f64;
        for i in 0..k {
            let num = eval(roots[i]);
            let mut den = (1.0, 0.0);
            for j in 0..k {
                if i != j {
                    let d = (roots[i].0 - roots[j].0, roots[i].1 - roots[j].1);
                    den = (den.0 * d.0 - den.1 * d.1, den.0 * d.1 + den.1 * d.0);
                }
            }
            let m = den.0 * den.0 + den.1 * den.1;
            if m == 0.0 {
                continue;
            }
            let step = (
                (num.0 * den.0 + num.1 * den.1) / m,
                (num.1 * den.0 - num.0 * den.1) / m,
            );
            roots[i] = (roots[i].0 - step.0, roots[i].1 - step.1);
            delta = delta.max(step.0.abs() + step.1.abs());
        }
        if delta < 1e-14 {
            break;
        }
    }
    roots
        .iter()
        .map(|z| (z.0 * z.0 + z.1 * z.1).sqrt())
        .fold(f64::INFINITY, f64::min)
}

// --------------------------------------------------------------------------- state space

/// Dense state-space matrices of R's `makeARIMA`.
struct StateSpace {
    rd: usize,
    /// r = max(p, q + 1).
    r: usize,
    /// AR coefficients φ (first column of T).
    phi: Vec<f64>,
    /// Differencing coefficients Δ.
    dl: Vec<f64>,
    /// Transition, row-major rd × rd (the filter applies it through `apply_t`; kept
    /// for the tests).
    #[cfg_attr(not(test), allow(dead_code))]
    t: Vec<f64>,
    /// Observation vector Z (applied through `dot_z`; kept for the tests).
    #[cfg_attr(not(test), allow(dead_code))]
    z: Vec<f64>,
    /// R R′, rd × rd.
    v: Vec<f64>,
    /// Initial state covariance.
    pn: Vec<f64>,
}

/// (1 − B)^d as the coefficients Δ of y_t = Σ Δ_i y_{t−i} + ∇^d y_t.
fn delta(d: usize) -> Vec<f64> {
    let mut poly = vec![1.0];
    for _ in 0..d {
        let mut next = vec![0.0; poly.len() + 1];
        for (i, c) in poly.iter().enumerate() {
            next[i] += c;
            next[i + 1] -= c;
        }
        poly = next;
    }
    poly[1..].iter().map(|c| -c).collect()
}

/// Stationary covariance of the ARMA state: P = T P T′ + R R′ (r × r), by solving
/// (I − T⊗T) vec P = vec(R R′).
fn stationary_cov(phi: &[f64], theta: &[f64], r: usize) -> Option<Vec<f64>> {
    let mut t = vec![0.0; r * r];
    for (i, &f) in phi.iter().enumerate() {
        t[i * r] = f;
    }
    for i in 0..r.saturating_sub(1) {
        t[i * r + i + 1] = 1.0;
    }
    let mut rv = vec![0.0; r];
    rv[0] = 1.0;
    for (i, &th) in theta.iter().enumerate() {
        if i + 1 < r {
            rv[i + 1] = th;
        }
    }
    let m = r * r;
    // A = I − T⊗T, vec row-major: P[i][j] at i*r + j; (TPT′)[i][j] = Σ T[i][k] T[j][l] P[k][l].
    let mut a = vec![0.0; m * m];
    let mut b = vec![0.0; m];
    for i in 0..r {
        for j in 0..r {
            let row = i * r + j;
            b[row] = rv[i] * rv[j];
            a[row * m + row] += 1.0;
            for k in 0..r {
                let tik = t[i * r + k];
                if tik == 0.0 {
                    continue;
                }
                for l in 0..r {
                    a[row * m + k * r + l] -= tik * t[j * r + l];
                }
            }
        }
    }
    solve(&mut a, &mut b, m)?;
    Some(b)
}

/// Gaussian elimination with partial pivoting; solution in `b`.
fn solve(a: &mut [f64], b: &mut [f64], m: usize) -> Option<()> {
    for col in 0..m {
        let piv =
            (col..m).max_by(|&i, &j| a[i * m + col].abs().total_cmp(&a[j * m + col].abs()))?;
        if a[piv * m + col].abs() < 1e-300 {
            return None;
        }
        if piv != col {
            for k in 0..m {
                a.swap(piv * m + k, col * m + k);
            }
            b.swap(piv, col);
        }
        let pv = a[col * m + col];
        for i in col + 1..m {
            let f = a[i * m + col] / pv;
            if f == 0.0 {
                continue;
            }
            for k in col..m {
                a[i * m + k] -= f * a[col * m + k];
            }
            b[i] -= f * b[col];
        }
    }
    for i in (0..m).rev() {
        let mut s = b[i];
        for k in i + 1..m {
            s -= a[i * m + k] * b[k];
        }
        b[i] = s / a[i * m + i];
    }
    b.iter().all(|v| v.is_finite()).then_some(())
}

fn make_state_space(phi: &[f64], theta: &[f64], d: usize) -> Option<StateSpace> {
    let (p, q) = (phi.len(), theta.len());
    let r = p.max(q + 1);
    let dl = delta(d);
    let rd = r + d;
    let mut z = vec![0.0; rd];
    z[0] = 1.0;
    z[r..].copy_from_slice(&dl);
    let mut t = vec![0.0; rd * rd];
    for (i, &f) in phi.iter().enumerate() {
        t[i * rd] = f;
    }
    for i in 0..r - 1 {
        t[i * rd + i + 1] = 1.0;
    }
    if d > 0 {
        t[r * rd..(r + 1) * rd].copy_from_slice(&z);
        for i in 1..d {
            t[(r + i) * rd + r + i - 1] = 1.0;
        }
    }
    let mut rv = vec![0.0; rd];
    rv[0] = 1.0;
    rv[1..=q].copy_from_slice(theta);
    let mut v = vec![0.0; rd * rd];
    for i in 0..rd {
        for j in 0..rd {
            v[i * rd + j] = rv[i] * rv[j];
        }
    }
    let mut pn = vec![0.0; rd * rd];
    if r > 1 {
        let q0 = stationary_cov(phi, theta, r)?;
        for i in 0..r {
            for j in 0..r {
                pn[i * rd + j] = q0[i * r + j];
            }
        }
    } else {
        pn[0] = if p > 0 {
            1.0 / (1.0 - phi[0] * phi[0])
        } else {
            1.0
        };
    }
    for i in 0..d {
        pn[(r + i) * rd + r + i] = KAPPA;
    }
    Some(StateSpace {
        rd,
        r,
        phi: phi.to_vec(),
        dl,
        t,
        z,
        v,
        pn,
    })
}

/// Kalman filter output.
struct Filtered {
    ssq: f64,
    sumlog: f64,
    nu: usize,
    resid: Vec<f64>,
    a: Vec<f64>,
    p: Vec<f64>,
}

impl StateSpace {
    /// y = T x, using the structure of T (R's `makeARIMA`): companion rows for the
    /// ARMA part, then the differencing rows.
    #[inline(always)]
    fn apply_t(&self, x: &[f64], y: &mut [f64]) {
        let (r, p) = (self.r, self.phi.len());
        for i in 0..r {
            let mut v = if i + 1 < r { x[i + 1] } else { 0.0 };
            if i < p {
                v += self.phi[i] * x[0];
            }
            y[i] = v;
        }
        let d = self.dl.len();
        if d > 0 {
            let mut v = x[0];
            for (k, dk) in self.dl.iter().enumerate() {
                v += dk * x[r + k];
            }
            y[r] = v;
            for i in 1..d {
                y[r + i] = x[r + i - 1];
            }
        }
    }

    /// Z′x.
    #[inline(always)]
    fn dot_z(&self, x: &[f64]) -> f64 {
        let mut v = x[0];
        for (k, dk) in self.dl.iter().enumerate() {
            v += dk * x[self.r + k];
        }
        v
    }

    /// P ← T P T′ + V, with `tp` as scratch (all rd × rd, row-major, symmetric P).
    #[inline]
    fn predict_cov(
        &self,
        p: &[f64],
        out: &mut [f64],
        tp: &mut [f64],
        col: &mut [f64],
        tcol: &mut [f64],
    ) {
        let rd = self.rd;
        // tp = T P, column by column.
        for j in 0..rd {
            for i in 0..rd {
                col[i] = p[i * rd + j];
            }
            self.apply_t(col, tcol);
            for i in 0..rd {
                tp[i * rd + j] = tcol[i];
            }
        }
        // out = (T P) T′ + V: row i of out is T applied to row i of tp.
        for i in 0..rd {
            self.apply_t(&tp[i * rd..(i + 1) * rd], tcol);
            for j in 0..rd {
                out[i * rd + j] = tcol[j] + self.v[i * rd + j];
            }
        }
    }
}

/// R's `ARIMA_Like`: filter `y` through `ss` from a = 0, P = Pn.
fn kalman(y: &[f64], ss: &StateSpace, keep_resid: bool) -> Filtered {
    let rd = ss.rd;
    let mut a = vec![0.0; rd];
    let mut p = vec![0.0; rd * rd];
    let mut anew = vec![0.0; rd];
    let mut pnew = ss.pn.clone();
    let mut tp = vec![0.0; rd * rd];
    let mut col = vec![0.0; rd];
    let mut tcol = vec![0.0; rd];
    let mut m = vec![0.0; rd];
    let (mut ssq, mut sumlog, mut nu) = (0.0, 0.0, 0usize);
    let mut resid = if keep_resid {
        Vec::with_capacity(y.len())
    } else {
        Vec::new()
    };
    for (l, &yl) in y.iter().enumerate() {
        ss.apply_t(&a, &mut anew);
        if l > 0 {
            ss.predict_cov(&p, &mut pnew, &mut tp, &mut col, &mut tcol);
        }
        let resid0 = yl - ss.dot_z(&anew);
        for i in 0..rd {
            m[i] = ss.dot_z(&pnew[i * rd..(i + 1) * rd]);
        }
        let gain = ss.dot_z(&m);
        for i in 0..rd {
            a[i] = anew[i] + m[i] * resid0 / gain;
        }
        for i in 0..rd {
            for j in 0..rd {
                p[i * rd + j] = pnew[i * rd + j] - m[i] * m[j] / gain;
            }
        }
        if gain < 1e4 {
            nu += 1;
            ssq += resid0 * resid0 / gain;
            sumlog += gain.ln();
        }
        if keep_resid {
            resid.push(resid0 / gain.sqrt());
        }
    }
    Filtered {
        ssq,
        sumlog,
        nu,
        resid,
        a,
        p,
    }
}

// --------------------------------------------------------------------------- fitting

struct Problem<'a> {
    y: &'a [f64],
    s: Structure,
    /// Regressor columns (mean: 1; drift: t = 1..n).
    xreg: Vec<Vec<f64>>,
    /// Scale of each regression coefficient in the optimiser (lm standard error).
    scale: Vec<f64>,
    /// lm start of the regression coefficients.
    beta0: Vec<f64>,
}

impl<'a> Problem<'a> {
    fn new(y: &'a [f64], s: Structure, extra: &Xreg) -> Self {
        let n = y.len();
        let mut xreg = Vec::new();
        if s.mean {
            xreg.push(vec![1.0; n]);
        }
        if s.drift {
            xreg.push((1..=n).map(|t| t as f64).collect());
        }
        xreg.extend(extra.cols.iter().cloned());
        // lm of the differenced series on the differenced regressors (R's start).
        let diff = |v: &[f64]| -> Vec<f64> {
            let mut w = v.to_vec();
            for _ in 0..s.d {
                w = w.windows(2).map(|p| p[1] - p[0]).collect();
            }
            w
        };
        let dy = diff(y);
        let dx: Vec<Vec<f64>> = xreg.iter().map(|c| diff(c)).collect();
        let (beta0, scale) = lm_start(&dy, &dx);
        Problem {
            y,
            s,
            xreg,
            scale,
            beta0,
        }
    }

    fn adjusted(&self, beta: &[f64]) -> Vec<f64> {
        let mut w = self.y.to_vec();
        for (col, b) in self.xreg.iter().zip(beta) {
            for (wi, xi) in w.iter_mut().zip(col) {
                *wi -= b * xi;
            }
        }
        w
    }

    /// R's CSS objective 0.5 ln(ssq / nu) at raw coefficients (φ, θ, β).
    fn css(&self, coef: &[f64]) -> f64 {
        let s = self.s;
        let (phi, rest) = coef.split_at(s.p);
        let (theta, beta) = rest.split_at(s.q);
        let mut w = self.adjusted(beta);
        let n = w.len();
        for _ in 0..s.d {
            for l in (1..n).rev() {
                w[l] -= w[l - 1];
            }
        }
        let ncond = s.d + s.p;
        let mut resid = vec![0.0; n];
        let (mut ssq, mut nu) = (0.0, 0usize);
        for l in ncond..n {
            let mut tmp = w[l];
            for j in 0..s.p {
                tmp -= phi[j] * w[l - j - 1];
            }
            for j in 0..(l - ncond).min(s.q) {
                tmp -= theta[j] * resid[l - j - 1];
            }
            resid[l] = tmp;
            ssq += tmp * tmp;
            nu += 1;
        }
        0.5 * (ssq / nu as f64).ln()
    }

    /// Coefficients from optimiser coordinates u (transformed AR/MA, scaled β).
    fn decode(&self, u: &[f64]) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
        let s = self.s;
        let phi = partrans(&u[..s.p]);
        let theta: Vec<f64> = partrans(&u[s.p..s.p + s.q]).iter().map(|v| -v).collect();
        let beta: Vec<f64> = u[s.p + s.q..]
            .iter()
            .zip(&self.scale)
            .map(|(v, sc)| v * sc)
            .collect();
        (phi, theta, beta)
    }

    fn encode(&self, phi: &[f64], theta: &[f64], beta: &[f64]) -> Option<Vec<f64>> {
        let mut u = invpartrans(phi)?;
        let neg: Vec<f64> = theta.iter().map(|v| -v).collect();
        u.extend(invpartrans(&neg)?);
        u.extend(beta.iter().zip(&self.scale).map(|(b, sc)| b / sc));
        Some(u)
    }

    /// R's ML objective 0.5 (ln(ssq/nu) + sumlog/nu).
    fn ml(&self, phi: &[f64], theta: &[f64], beta: &[f64]) -> f64 {
        let Some(ss) = make_state_space(phi, theta, self.s.d) else {
            return f64::INFINITY;
        };
        let f = kalman(&self.adjusted(beta), &ss, false);
        if f.nu == 0 {
            return f64::INFINITY;
        }
        let nu = f.nu as f64;
        0.5 * ((f.ssq / nu).ln() + f.sumlog / nu)
    }
}

/// Least squares of y on the columns x: coefficients and standard errors (R's
/// `lm(dx ~ dxreg - 1)`); scale 1 when not estimable.
fn lm_start(y: &[f64], x: &[Vec<f64>]) -> (Vec<f64>, Vec<f64>) {
    let k = x.len();
    if k == 0 {
        return (Vec::new(), Vec::new());
    }
    let n = y.len();
    let mut xtx = vec![0.0; k * k];
    let mut xty = vec![0.0; k];
    for i in 0..k {
        for j in 0..k {
            xtx[i * k + j] = x[i].iter().zip(&x[j]).map(|(a, b)| a * b).sum();
        }
        xty[i] = x[i].iter().zip(y).map(|(a, b)| a * b).sum();
    }
    let mut a = xtx.clone();
    let mut beta = xty.clone();
    if n <= k || solve(&mut a, &mut beta, k).is_none() {
        return (vec![0.0; k], vec![1.0; k]);
    }
    let rss: f64 = (0..n)
        .map(|t| {
            let f: f64 = (0..k).map(|i| x[i][t] * beta[i]).sum();
            (y[t] - f) * (y[t] - f)
        })
        .sum();
    let s2 = rss / (n - k) as f64;
    let mut se = Vec::with_capacity(k);
    for i in 0..k {
        let mut a = xtx.clone();
        let mut e = vec![0.0; k];
        e[i] = 1.0;
        let v = if solve(&mut a, &mut e, k).is_some() {
            (s2 * e[i]).sqrt()
        } else {
            1.0
        };
        se.push(if v.is_finite() && v > 0.0 { v } else { 1.0 });
    }
    (beta, se)
}

/// A fitted structure.
struct Fitted {
    s: Structure,
    phi: Vec<f64>,
    theta: Vec<f64>,
    beta: Vec<f64>,
    value: f64,
    /// The AR part of the CSS estimates is stationary (R's `arima` stops otherwise).
    css_ar_ok: bool,
}

impl Fitted {
    fn loglik(&self, n: usize) -> f64 {
        let nused = (n - self.s.d) as f64;
        -0.5 * (2.0 * nused * self.value + nused + nused * (2.0 * std::f64::consts::PI).ln())
    }
}

fn fit_structure(y: &[f64], s: Structure, extra: &Xreg) -> Option<Fitted> {
    fit_structure_with(y, s, extra, false)
}

/// [`fit_structure`]; with `css_only`, only from the CSS start when it is usable (R's
/// path), without the grid and corner starts.
fn fit_structure_with(y: &[f64], s: Structure, extra: &Xreg, css_only: bool) -> Option<Fitted> {
    let pr = Problem::new(y, s, extra);
    let k = s.n_coef();
    // 1. Conditional sum of squares from zero ARMA coefficients and the lm β.
    let mut raw0 = vec![0.0; s.p + s.q];
    raw0.extend_from_slice(&pr.beta0);
    let css_scale: Vec<f64> = (0..k)
        .map(|i| {
            if i < s.p + s.q {
                1.0
            } else {
                pr.scale[i - s.p - s.q]
            }
        })
        .collect();
    let css = bfgs(
        |v: &[f64]| {
            let c: Vec<f64> = v.iter().zip(&css_scale).map(|(a, b)| a * b).collect();
            pr.css(&c)
        },
        &raw0
            .iter()
            .zip(&css_scale)
            .map(|(a, b)| a / b)
            .collect::<Vec<_>>(),
        &vec![1e-3; k],
        1e-8,
        100,
    );
    let css_coef: Vec<f64> = css.x.iter().zip(&css_scale).map(|(a, b)| a * b).collect();
    let css_ar_ok = invpartrans(&css_coef[..s.p]).is_some();
    let mut starts: Vec<Vec<f64>> = Vec::new();
    if let Some(u) = pr.encode(
        &css_coef[..s.p],
        &css_coef[s.p..s.p + s.q],
        &css_coef[s.p + s.q..],
    ) {
        if u.iter().all(|v| v.is_finite()) {
            starts.push(u);
        }
    }
    let css_start = !starts.is_empty();
    let objective = |u: &[f64]| {
        let (phi, theta, beta) = pr.decode(u);
        pr.ml(&phi, &theta, &beta)
    };
    // The likelihood can have several local maxima: besides the CSS start, the best two
    // points of a coarse grid of partial autocorrelations (tanh(±1.2) ≈ ±0.83, and 0).
    let m = s.p + s.q;
    let mut grid: Vec<(f64, Vec<f64>)> = Vec::new();
    let beta_u: Vec<f64> = pr
        .beta0
        .iter()
        .zip(&pr.scale)
        .map(|(b, sc)| b / sc)
        .collect();
    let levels = [0.0, -1.2, 1.2];
    let full = m <= 3;
    let count = if full {
        3usize.pow(m as u32)
    } else {
        1 + 2 * m
    };
    for c in 0..count {
        let mut u = vec![0.0; m];
        if full {
            let mut code = c;
            for v in u.iter_mut() {
                *v = levels[code % 3];
                code /= 3;
            }
        } else if c > 0 {
            u[(c - 1) / 2] = levels[1 + (c - 1) % 2];
        }
        u.extend_from_slice(&beta_u);
        grid.push((objective(&u), u));
    }
    grid.sort_by(|a, b| a.0.total_cmp(&b.0));
    let css_only = css_only && css_start;
    if !css_only {
        starts.extend(grid.into_iter().take(2).map(|(_, u)| u));
    }
    // With AR and MA terms, the near-cancelling corner φ₁ ≈ 1, θ₁ ≈ −1 (a trend
    // mimicked by an AR root next to an MA root) is a frequent separate maximum on
    // trending series that no grid point's value announces.
    if s.p > 0 && s.q > 0 && !css_only {
        let mut u = vec![0.0; m];
        u[0] = 2.0;
        u[s.p] = 2.0;
        u.extend_from_slice(&beta_u);
        starts.push(u);
    }
    // With a mean or drift, an optimum with an AR root within 1.01 of the unit circle
    // is degenerate (the mean or drift is no longer identified and the likelihood
    // creeps up towards the boundary). One reached from a grid start never replaces the optimum from the CSS
    // start (R's path); among the rest, the higher likelihood wins.
    let on_boundary = |u: &[f64]| -> bool {
        if s.p == 0 || s.n_xreg() == 0 {
            return false;
        }
        let (phi, _, _) = pr.decode(u);
        let poly: Vec<f64> = phi.iter().map(|v| -v).collect();
        min_root_modulus(&poly) < 1.01
    };
    let n_css = usize::from(css_start);
    let mut best: Option<(Vec<f64>, f64, bool)> = None;
    for (i, u0) in starts.into_iter().enumerate() {
        if k == 0 {
            let v = objective(&u0);
            best = Some((u0, v, false));
            break;
        }
        let m = bfgs(objective, &u0, &vec![1e-4; k], 1e-12, 200);
        let penalised = i >= n_css && on_boundary(&m.x);
        let better = match &best {
            None => true,
            Some((_, v, pen)) => (penalised, m.value) < (*pen, *v),
        };
        if better {
            best = Some((m.x, m.value, penalised));
        }
    }
    // Nelder-Mead polish of the best BFGS end point (flat or kinked likelihoods).
    if let Some((u, v, pen)) = best.as_ref().filter(|_| k > 0) {
        let m = nelder_mead(objective, u, &vec![0.05; k], 1e-13, 1e-8, 2000 + 400 * k);
        if m.value < *v && (*pen || !on_boundary(&m.x) || on_boundary(u)) {
            best = Some((m.x, m.value, *pen));
        }
    }
    let best = best.map(|(u, v, _)| (u, v));
    let (u, value) = best?;
    if !value.is_finite() {
        return None;
    }
    let (phi, theta, beta) = pr.decode(&u);
    Some(Fitted {
        s,
        phi,
        theta,
        beta,
        value,
        css_ar_ok,
    })
}

/// Standard errors of (φ, θ, β) from the numerical Hessian of
/// −log L = (n − d)·R's objective (see the module docs); NaN where the inverse
/// Hessian's diagonal is not positive.
fn coef_std_err(pr: &Problem, f: &Fitted, n_used: usize) -> Vec<f64> {
    let s = f.s;
    let k = s.n_coef();
    if k == 0 {
        return Vec::new();
    }
    let mut x0: Vec<f64> = f.phi.clone();
    x0.extend_from_slice(&f.theta);
    x0.extend_from_slice(&f.beta);
    let nu = n_used as f64;
    let g = |x: &[f64]| -> f64 {
        let (phi, rest) = x.split_at(s.p);
        let (theta, beta) = rest.split_at(s.q);
        nu * pr.ml(phi, theta, beta)
    };
    let hessian = |h: &[f64]| -> Vec<f64> {
        let g0 = g(&x0);
        let mut hm = vec![0.0; k * k];
        let mut x = x0.clone();
        for i in 0..k {
            x[i] = x0[i] + h[i];
            let gp = g(&x);
            x[i] = x0[i] - h[i];
            let gm = g(&x);
            x[i] = x0[i];
            hm[i * k + i] = (gp - 2.0 * g0 + gm) / (h[i] * h[i]);
            for j in 0..i {
                let mut e = [0.0; 4];
                for (c, (si, sj)) in [(1.0, 1.0), (1.0, -1.0), (-1.0, 1.0), (-1.0, -1.0)]
                    .into_iter()
                    .enumerate()
                {
                    x[i] = x0[i] + si * h[i];
                    x[j] = x0[j] + sj * h[j];
                    e[c] = g(&x);
                }
                x[i] = x0[i];
                x[j] = x0[j];
                let v = (e[0] - e[1] - e[2] + e[3]) / (4.0 * h[i] * h[j]);
                hm[i * k + j] = v;
                hm[j * k + i] = v;
            }
        }
        hm
    };
    let se_of = |hm: &[f64]| -> Vec<f64> {
        (0..k)
            .map(|i| {
                let mut a = hm.to_vec();
                let mut e = vec![0.0; k];
                e[i] = 1.0;
                if hm.iter().all(|v| v.is_finite()) && solve(&mut a, &mut e, k).is_some() {
                    if e[i] > 0.0 {
                        e[i].sqrt()
                    } else {
                        f64::NAN
                    }
                } else {
                    f64::NAN
                }
            })
            .collect()
    };
    let h1: Vec<f64> = x0
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let floor = if i < s.p + s.q {
                0.1
            } else {
                pr.scale[i - s.p - s.q]
            };
            1e-4 * v.abs().max(floor)
        })
        .collect();
    let se1 = se_of(&hessian(&h1));
    // Richardson extrapolation of steps h and h/2, h = 0.05 se: the diffuse prior
    // (κ = 1e6) leaves the likelihood about 1e-11 relative noise, too much for smaller
    // steps; the extrapolation removes the O(h²) error of the larger ones.
    let h2: Vec<f64> = h1
        .iter()
        .zip(&se1)
        .map(|(h, se)| if se.is_finite() { 0.05 * se } else { *h })
        .collect();
    let h3: Vec<f64> = h2.iter().map(|h| 0.5 * h).collect();
    let (a, b) = (hessian(&h2), hessian(&h3));
    let hm: Vec<f64> = a.iter().zip(&b).map(|(a, b)| (4.0 * b - a) / 3.0).collect();
    se_of(&hm)
}

/// KPSS level-stationarity statistic with `lags` Bartlett lags (urca's `ur.kpss`,
/// type "mu").
fn kpss(x: &[f64], lags: usize) -> f64 {
    let n = x.len();
    let nf = n as f64;
    let mean = x.iter().sum::<f64>() / nf;
    let e: Vec<f64> = x.iter().map(|v| v - mean).collect();
    let mut s = 0.0;
    let mut num = 0.0;
    for v in &e {
        s += v;
        num += s * s;
    }
    num /= nf * nf;
    let mut den = e.iter().map(|v| v * v).sum::<f64>() / nf;
    for l in 1..=lags {
        let cov: f64 = (l..n).map(|t| e[t] * e[t - l]).sum();
        den += 2.0 / nf * (1.0 - l as f64 / (lags as f64 + 1.0)) * cov;
    }
    num / den
}

fn is_constant(x: &[f64]) -> bool {
    x.iter().all(|v| *v == x[0])
}

/// Number of differences by repeated KPSS tests at 5% (`forecast::ndiffs`).
fn ndiffs(y: &[f64]) -> usize {
    let mut x = y.to_vec();
    let mut d = 0;
    if is_constant(&x) {
        return 0;
    }
    let test = |x: &[f64]| {
        let lags = (3.0 * (x.len() as f64).sqrt() / 13.0).floor() as usize;
        kpss(x, lags) > 0.463
    };
    let mut dodiff = test(&x);
    while dodiff && d < 2 {
        d += 1;
        x = x.windows(2).map(|w| w[1] - w[0]).collect();
        if is_constant(&x) {
            return d;
        }
        dodiff = test(&x);
    }
    d
}

fn aicc(f: &Fitted, n: usize) -> f64 {
    let k = f.s.n_coef() + 1;
    Criteria::from_loglik(f.loglik(n), k, n - f.s.d, f64::NAN).aicc
}

/// Order d for automatic selection: [`ndiffs`] of y, or of the residuals of y on the
/// regressors, one less when the d-th difference of a regressor is constant
/// (`auto.arima(xreg =)`).
fn auto_d(y: &[f64], extra: &Xreg) -> usize {
    if extra.cols.is_empty() {
        return ndiffs(y);
    }
    let n = y.len();
    let mut cols = vec![vec![1.0; n]];
    cols.extend(extra.cols.iter().cloned());
    let resid: Vec<f64> = match super::trend::ols(&cols, y) {
        Some((beta, _, _)) => (0..n)
            .map(|t| y[t] - cols.iter().zip(&beta).map(|(c, b)| c[t] * b).sum::<f64>())
            .collect(),
        None => y.to_vec(),
    };
    let mut d = ndiffs(&resid);
    if d > 0 {
        let constant = extra.cols.iter().any(|c| {
            let mut w = c.clone();
            for _ in 0..d {
                w = w.windows(2).map(|p| p[1] - p[0]).collect();
            }
            is_constant(&w)
        });
        if constant {
            d -= 1;
        }
    }
    d
}

/// AR and MA roots outside |z| = 1.01 (`auto.arima`'s check).
fn roots_ok(f: &Fitted) -> bool {
    let ar: Vec<f64> = f.phi.iter().map(|v| -v).collect();
    min_root_modulus(&ar).min(min_root_modulus(&f.theta)) >= 1.01
}

/// One candidate of the stepwise search, judged as `auto.arima`'s `myarima`.
fn candidate(y: &[f64], s: Structure, extra: &Xreg) -> Option<(f64, Fitted)> {
    let n = y.len();
    if n < s.d + s.n_coef() + 3 {
        return None;
    }
    let mut f = fit_structure(y, s, extra)?;
    if !roots_ok(&f) {
        // The best optimum has a root on the unit circle; R's path from the CSS start
        // may stop at an admissible local one, which R then judges.
        f = fit_structure_with(y, s, extra, true)?;
    }
    if !f.css_ar_ok || !roots_ok(&f) {
        return None;
    }
    let pr = Problem::new(y, s, extra);
    if coef_std_err(&pr, &f, n - s.d).iter().any(|v| v.is_nan()) {
        return None;
    }
    let ic = aicc(&f, n);
    ic.is_finite().then_some((ic, f))
}

/// The stepwise search of `auto.arima` (non-seasonal), see the module docs.
fn stepwise(y: &[f64], d: usize, extra: &Xreg) -> Option<Fitted> {
    const NMODELS: usize = 94;
    let n = y.len();
    let max_p = 5.min(n / 3);
    let max_q = max_p;
    let start = if n < 10 { 1 } else { 2 };
    let allow_constant = d <= 1;
    let structure = |p: usize, q: usize, c: bool| Structure {
        p,
        d,
        q,
        mean: c && d == 0,
        drift: c && d == 1,
        extra: extra.cols.len(),
    };
    let mut results: Vec<(usize, usize, bool)> = Vec::new();
    let mut best: Option<(f64, Fitted)> = None;
    // Fit (p, q, c), record it, and say whether it beat the best so far.
    let mut try_model =
        |p: usize, q: usize, c: bool, results: &mut Vec<(usize, usize, bool)>| -> bool {
            results.push((p, q, c));
            match candidate(y, structure(p, q, c), extra) {
                Some((ic, f)) if best.as_ref().is_none_or(|(b, _)| ic < *b) => {
                    best = Some((ic, f));
                    true
                }
                _ => false,
            }
        };
    let mut constant = allow_constant;
    let (mut p, mut q) = (start.min(max_p), start.min(max_q));
    try_model(p, q, constant, &mut results);
    if try_model(0, 0, constant, &mut results) {
        (p, q) = (0, 0);
    }
    if max_p > 0 && try_model(1, 0, constant, &mut results) {
        (p, q) = (1, 0);
    }
    if max_q > 0 && try_model(0, 1, constant, &mut results) {
        (p, q) = (0, 1);
    }
    if constant && try_model(0, 0, false, &mut results) {
        (p, q) = (0, 0);
        // R keeps `constant` as it was here.
    }
    let mut startk = 0;
    while startk < results.len() && results.len() < NMODELS {
        startk = results.len();
        let moves: [(isize, isize); 8] = [
            (-1, 0),
            (0, -1),
            (1, 0),
            (0, 1),
            (-1, -1),
            (-1, 1),
            (1, -1),
            (1, 1),
        ];
        let mut moved = false;
        for (dp, dq) in moves {
            let np = p as isize + dp;
            let nq = q as isize + dq;
            if np < 0 || nq < 0 || np > max_p as isize || nq > max_q as isize {
                continue;
            }
            let (np, nq) = (np as usize, nq as usize);
            if results.contains(&(np, nq, constant)) {
                continue;
            }
            if results.len() >= NMODELS {
                break;
            }
            if try_model(np, nq, constant, &mut results) {
                (p, q) = (np, nq);
                moved = true;
                break;
            }
        }
        if moved {
            continue;
        }
        if allow_constant
            && !results.contains(&(p, q, !constant))
            && results.len() < NMODELS
            && try_model(p, q, !constant, &mut results)
        {
            constant = !constant;
        }
    }
    best.map(|(_, f)| f)
}

/// Fit an ARIMA model to a checked series, with the regressors `extra` (break terms;
/// empty for none), and forecast.
pub fn fit(
    y: &[f64],
    spec: &ArimaSpec,
    extra: &Xreg,
    horizon: usize,
    levels: &[f64],
) -> Result<Fit> {
    let n = y.len();
    let fitted = match spec.order {
        Some((p, d, q)) => {
            if p > MAX_ORDER || q > MAX_ORDER || d > 2 {
                return Err(Error::argument(
                    "order",
                    format!("({p}, {d}, {q}): p and q must be <= {MAX_ORDER} and d <= 2"),
                ));
            }
            if spec.drift && d > 1 {
                return Err(Error::argument(
                    "drift",
                    format!("a drift needs d <= 1, got d = {d}"),
                ));
            }
            let s = Structure {
                p,
                d,
                q,
                mean: d == 0 && spec.include_mean,
                drift: spec.drift,
                extra: extra.cols.len(),
            };
            if n < d + s.n_coef() + 3 {
                return Err(super::arg_error(
                    "breaks",
                    format!(
                        "{} with {} break term(s) has {} coefficients and needs at least {} \
                         observations, the series has {n}",
                        spec.name(),
                        s.extra,
                        s.n_coef(),
                        d + s.n_coef() + 3
                    ),
                ));
            }
            fit_structure(y, s, extra).ok_or_else(|| Error::Convergence {
                what: spec.name(),
                reason: "the likelihood could not be evaluated at any start".into(),
                hint: "try a lower order or another d".into(),
            })?
        }
        None if spec.search == Search::Stepwise => {
            let d = auto_d(y, extra);
            stepwise(y, d, extra).ok_or_else(|| Error::Convergence {
                what: spec.name(),
                reason: "no model of the stepwise search gave a usable fit".into(),
                hint: "give order=(p, d, q) or search='exhaustive'".into(),
            })?
        }
        None => {
            let d = auto_d(y, extra);
            let max_pq = 3.min(n / 3);
            let mut best: Option<(f64, Fitted)> = None;
            for p in 0..=max_pq {
                for q in 0..=max_pq {
                    for constant in [false, true] {
                        if constant && d > 1 {
                            continue;
                        }
                        let s = Structure {
                            p,
                            d,
                            q,
                            mean: constant && d == 0,
                            drift: constant && d == 1,
                            extra: extra.cols.len(),
                        };
                        if n < d + s.n_coef() + 3 {
                            continue;
                        }
                        let Some(f) = fit_structure(y, s, extra) else {
                            continue;
                        };
                        let ic = if roots_ok(&f) {
                            aicc(&f, n)
                        } else {
                            f64::INFINITY
                        };
                        if ic.is_finite() && best.as_ref().is_none_or(|(b, _)| ic < *b) {
                            best = Some((ic, f));
                        }
                    }
                }
            }
            match best {
                Some((_, f)) => f,
                None => {
                    return Err(Error::Convergence {
                        what: spec.name(),
                        reason: "no candidate order gave a usable fit".into(),
                        hint: "give order=(p, d, q)".into(),
                    })
                }
            }
        }
    };
    finish(y, fitted, extra, horizon, levels)
}

fn finish(y: &[f64], f: Fitted, extra: &Xreg, horizon: usize, levels: &[f64]) -> Result<Fit> {
    let n = y.len();
    let s = f.s;
    let pr = Problem::new(y, s, extra);
    let ss = make_state_space(&f.phi, &f.theta, s.d).ok_or_else(|| Error::Convergence {
        what: format!("ARIMA({},{},{})", s.p, s.d, s.q),
        reason: "the fitted model has no stationary covariance".into(),
        hint: "try a lower order".into(),
    })?;
    let filt = kalman(&pr.adjusted(&f.beta), &ss, true);
    let k = s.n_coef();
    let nstar = n - s.d;
    let sigma2 = filt.resid.iter().map(|r| r * r).sum::<f64>() / (nstar - k) as f64;
    let loglik = f.loglik(n);
    let criteria = Criteria::from_loglik(loglik, k + 1, nstar, sigma2);
    // Forecast from the last filtered state.
    let rd = ss.rd;
    let mut a = filt.a.clone();
    let mut p = filt.p.clone();
    let mut mean = Vec::with_capacity(horizon);
    let mut sd = Vec::with_capacity(horizon);
    let mut tp = vec![0.0; rd * rd];
    let mut pn = vec![0.0; rd * rd];
    let (mut col, mut tcol) = (vec![0.0; rd], vec![0.0; rd]);
    let mut anew = vec![0.0; rd];
    for h in 1..=horizon {
        ss.apply_t(&a, &mut anew);
        a.copy_from_slice(&anew);
        ss.predict_cov(&p, &mut pn, &mut tp, &mut col, &mut tcol);
        p.copy_from_slice(&pn);
        let fc = ss.dot_z(&a);
        for i in 0..rd {
            col[i] = ss.dot_z(&p[i * rd..(i + 1) * rd]);
        }
        let var = ss.dot_z(&col);
        let mut x = fc;
        let mut bi = 0;
        if s.mean {
            x += f.beta[bi];
            bi += 1;
        }
        if s.drift {
            x += f.beta[bi] * (n + h) as f64;
            bi += 1;
        }
        for (col, b) in extra.future.iter().zip(&f.beta[bi..]) {
            x += b * col[h - 1];
        }
        mean.push(x);
        sd.push((var * sigma2).sqrt());
    }
    let (lower, upper) = normal_intervals(&mean, &sd, levels);
    let fitted: Vec<f64> = y.iter().zip(&filt.resid).map(|(v, r)| v - r).collect();
    let residuals = filt.resid;
    let nan = f64::NAN;
    let mut params = vec![nan; PARAMS.len()];
    params[0] = s.p as f64;
    params[1] = s.d as f64;
    params[2] = s.q as f64;
    for (i, v) in f.phi.iter().enumerate() {
        params[3 + i] = *v;
    }
    for (i, v) in f.theta.iter().enumerate() {
        params[3 + MAX_ORDER + i] = *v;
    }
    let se = coef_std_err(&pr, &f, nstar);
    let mut std_err = vec![nan; PARAMS.len()];
    std_err[3..3 + s.p].copy_from_slice(&se[..s.p]);
    for i in 0..s.q {
        std_err[3 + MAX_ORDER + i] = se[s.p + i];
    }
    let mut bi = 0;
    if s.mean {
        params[3 + 2 * MAX_ORDER] = f.beta[bi];
        std_err[3 + 2 * MAX_ORDER] = se[s.p + s.q + bi];
        bi += 1;
    }
    if s.drift {
        params[4 + 2 * MAX_ORDER] = f.beta[bi];
        std_err[4 + 2 * MAX_ORDER] = se[s.p + s.q + bi];
        bi += 1;
    }
    for j in bi..f.beta.len() {
        params.push(f.beta[j]);
        std_err.push(se[s.p + s.q + j]);
    }
    Ok(Fit {
        std_err,
        coef_df: f64::INFINITY,
        accuracy: Accuracy::new(y, &residuals),
        fitted,
        residuals,
        mean,
        lower,
        upper,
        params,
        criteria,
        grey: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partrans_roundtrip() {
        let raw = [0.3, -0.8, 1.2];
        let phi = partrans(&raw);
        let back = invpartrans(&phi).unwrap();
        for (a, b) in raw.iter().zip(&back) {
            assert!((a - b).abs() < 1e-12);
        }
        assert!(invpartrans(&[1.5]).is_none());
    }

    #[test]
    fn stationary_cov_ar1() {
        let q = stationary_cov(&[0.5], &[], 1).unwrap();
        assert!((q[0] - 1.0 / 0.75).abs() < 1e-12);
        // ARMA(1,1): r = 2; P[0][0] = (1 + 2φθ + θ²)/(1 − φ²).
        let q = stationary_cov(&[0.5], &[0.4], 2).unwrap();
        let want = (1.0 + 2.0 * 0.5 * 0.4 + 0.16) / 0.75;
        assert!((q[0] - want).abs() < 1e-12, "{q:?}");
    }

    #[test]
    fn roots() {
        // 1 − 0.5z: root 2.
        assert!((min_root_modulus(&[-0.5]) - 2.0).abs() < 1e-10);
        // 1 + 0.25 z²: roots ±2i.
        assert!((min_root_modulus(&[0.0, 0.25]) - 2.0).abs() < 1e-10);
        assert_eq!(min_root_modulus(&[0.0]), 2.0);
    }

    #[test]
    fn structured_transition_matches_dense() {
        let ss = make_state_space(&[0.5, -0.2], &[0.3, 0.1, 0.05], 2).unwrap();
        let rd = ss.rd;
        let x: Vec<f64> = (0..rd).map(|i| 1.0 + i as f64 * 0.7).collect();
        let mut y = vec![0.0; rd];
        ss.apply_t(&x, &mut y);
        for i in 0..rd {
            let dense: f64 = (0..rd).map(|k| ss.t[i * rd + k] * x[k]).sum();
            assert!((dense - y[i]).abs() < 1e-14);
        }
        let dense_z: f64 = (0..rd).map(|k| ss.z[k] * x[k]).sum();
        assert!((dense_z - ss.dot_z(&x)).abs() < 1e-14);
    }

    #[test]
    fn automatic_order_on_a_short_trending_series() {
        let y: Vec<f64> = (0..30)
            .map(|t| 3.0 + 0.05 * t as f64 + 0.1 * ((t * 7919 % 13) as f64 / 13.0 - 0.5))
            .collect();
        let spec = ArimaSpec {
            order: None,
            include_mean: true,
            drift: false,
            search: Search::Exhaustive,
        };
        let f = fit(&y, &spec, &Xreg::default(), 5, &[0.95]).unwrap();
        assert!(f.mean.iter().all(|v| v.is_finite()));
        assert!(f.lower[0][0] < f.mean[0] && f.mean[0] < f.upper[0][0]);
    }

    #[test]
    fn huge_order_is_an_input_error() {
        // The needed number of points, p + q + 3, used to overflow before the order check.
        let spec = ArimaSpec {
            order: Some((usize::MAX, 0, 1)),
            include_mean: true,
            drift: false,
            search: Search::Exhaustive,
        };
        assert_eq!(spec.min_points(), usize::MAX);
        let t: Vec<f64> = (0..10).map(f64::from).collect();
        let e = crate::forecast::fit(&t, &t, &crate::forecast::Model::Arima(spec), 2, &[0.9])
            .unwrap_err();
        assert!(matches!(e, Error::Input { .. }), "{e}");
    }

    #[test]
    fn delta_coefficients() {
        assert_eq!(delta(1), vec![1.0]);
        assert_eq!(delta(2), vec![2.0, -1.0]);
    }
}
