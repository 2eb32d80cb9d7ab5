//! Linear and log-linear least-squares trends.
//!
//! The linear trend fits y_t = a + b·t by ordinary least squares. With
//! t̄ = mean t, S_tt = Σ(t − t̄)², s² = Σ e² / (n − 2), a point forecast at time t₀ is
//! ŷ₀ = a + b·t₀ and its prediction interval
//!
//! ŷ₀ ± t_{n−2, (1+level)/2} · s · √(1 + 1/n + (t₀ − t̄)² / S_tt),
//!
//! exactly R's `predict(lm(y ~ t), newdata, interval = "prediction")`. The log-linear
//! trend fits ln y the same way and returns exp of the log-scale forecast and limits
//! (the median, not the mean, of the log-normal forecast distribution, as R's
//! `forecast::tslm(lambda = 0)` without bias adjustment); its annual growth rate is
//! e^b − 1 per unit of time. The log-likelihood is that of the Gaussian regression
//! (on the log scale for the log-linear trend), with k = 3 parameters (a, b, σ), as
//! R's `logLik.lm`.
//!
//! Standard errors of the intercept and slope are those of `summary.lm`:
//! se(b) = s/√S_tt, se(a) = s·√(1/n + t̄²/S_tt), with t tests on n − 2 degrees of
//! freedom.
//!
//! With break terms (see [`super::Breaks`]) the regression is
//! y = a + b·t + Σ c_j·x_j with x_j the step or hinge regressors, fitted by least
//! squares on the design [1, t − t̄, x₁, …] (modified Gram-Schmidt QR, the intercept
//! moved back to t = 0 afterwards); coefficient covariance s²(X′X)⁻¹, prediction
//! variance s²(1 + x₀′(X′X)⁻¹x₀) at the future regressors x₀, t on n − k degrees of
//! freedom, and the log-likelihood counts k + 1 parameters: R's `lm` and
//! `predict.lm(interval = "prediction")` with the same regressors.
//!
//! Reference: Draper NR, Smith H (1998). Applied Regression Analysis, 3rd ed., Wiley,
//! chapter 3 (prediction intervals of a new observation).

use super::arima::Xreg;
use super::{t_intervals, Accuracy, Criteria, Fit};
use crate::error::Result;

/// Parameter names of the linear trend.
pub const PARAMS_LINEAR: [&str; 4] = ["intercept", "slope", "sigma", "r_squared"];
/// Parameter names of the log-linear trend (intercept and slope on the log scale).
pub const PARAMS_LOGLINEAR: [&str; 5] = ["intercept", "slope", "growth_rate", "sigma", "r_squared"];

/// Fit a (log-)linear trend to a checked series (n >= 3, times equally spaced, values
/// > 0 when `log`).
pub fn fit(
    times: &[f64],
    values: &[f64],
    log: bool,
    xreg: &Xreg,
    horizon: usize,
    levels: &[f64],
) -> Result<Fit> {
    if !xreg.cols.is_empty() {
        return fit_breaks(times, values, log, xreg, horizon, levels);
    }
    let n = values.len();
    let nf = n as f64;
    let y: Vec<f64> = if log {
        values.iter().map(|v| v.ln()).collect()
    } else {
        values.to_vec()
    };
    let tbar = times.iter().sum::<f64>() / nf;
    let ybar = y.iter().sum::<f64>() / nf;
    let (mut stt, mut sty, mut syy) = (0.0, 0.0, 0.0);
    for (t, v) in times.iter().zip(&y) {
        stt += (t - tbar) * (t - tbar);
        sty += (t - tbar) * (v - ybar);
        syy += (v - ybar) * (v - ybar);
    }
    let b = sty / stt;
    let a = ybar - b * tbar;
    let fit_log: Vec<f64> = times.iter().map(|t| ybar + b * (t - tbar)).collect();
    let sse: f64 = y.iter().zip(&fit_log).map(|(v, f)| (v - f) * (v - f)).sum();
    let df = nf - 2.0;
    let s2 = sse / df;
    let step = times[1] - times[0];
    let last = times[n - 1];
    let t0: Vec<f64> = (1..=horizon).map(|h| last + step * h as f64).collect();
    let mean_log: Vec<f64> = t0.iter().map(|t| ybar + b * (t - tbar)).collect();
    let se: Vec<f64> = t0
        .iter()
        .map(|t| (s2 * (1.0 + 1.0 / nf + (t - tbar) * (t - tbar) / stt)).sqrt())
        .collect();
    let out = Scaled::new(values, log, &fit_log, &mean_log, &se, df, levels, sse, syy);
    let params = trend_params(a, b, s2, out.r2, log);
    let mut std_err = vec![f64::NAN; params.len()];
    std_err[0] = (s2 * (1.0 / nf + tbar * tbar / stt)).sqrt();
    std_err[1] = (s2 / stt).sqrt();
    Ok(out.into_fit(values, params, std_err, df, 3, s2))
}

/// Least squares by modified Gram-Schmidt: coefficients, (X′X)⁻¹ (row-major) and the
/// residual sum of squares; `None` when a column is (numerically) a combination of the
/// previous ones.
pub(crate) fn ols(cols: &[Vec<f64>], y: &[f64]) -> Option<(Vec<f64>, Vec<f64>, f64)> {
    let k = cols.len();
    let n = y.len();
    let mut q: Vec<Vec<f64>> = cols.to_vec();
    let mut r = vec![0.0; k * k];
    for j in 0..k {
        let norm0 = cols[j].iter().map(|v| v * v).sum::<f64>().sqrt();
        for i in 0..j {
            let d: f64 = q[i].iter().zip(&q[j]).map(|(a, b)| a * b).sum();
            r[i * k + j] = d;
            let qi = q[i].clone();
            for (v, w) in q[j].iter_mut().zip(&qi) {
                *v -= d * w;
            }
        }
        let norm = q[j].iter().map(|v| v * v).sum::<f64>().sqrt();
        if norm0 == 0.0 || norm.is_nan() || norm <= 1e-9 * norm0 {
            return None;
        }
        r[j * k + j] = norm;
        q[j].iter_mut().for_each(|v| *v /= norm);
    }
    // β = R⁻¹ Q′y.
    let qty: Vec<f64> = q
        .iter()
        .map(|c| c.iter().zip(y).map(|(a, b)| a * b).sum())
        .collect();
    let mut beta = vec![0.0; k];
    for i in (0..k).rev() {
        let mut v = qty[i];
        for j in i + 1..k {
            v -= r[i * k + j] * beta[j];
        }
        beta[i] = v / r[i * k + i];
    }
    // R⁻¹ (upper triangular), then (X′X)⁻¹ = R⁻¹ R⁻ᵀ.
    let mut rinv = vec![0.0; k * k];
    for c in 0..k {
        for i in (0..=c).rev() {
            let mut v = if i == c { 1.0 } else { 0.0 };
            for j in i + 1..=c {
                v -= r[i * k + j] * rinv[j * k + c];
            }
            rinv[i * k + c] = v / r[i * k + i];
        }
    }
    let mut xtxi = vec![0.0; k * k];
    for i in 0..k {
        for j in 0..k {
            xtxi[i * k + j] = (i.max(j)..k)
                .map(|m| rinv[i * k + m] * rinv[j * k + m])
                .sum();
        }
    }
    let rss = (0..n)
        .map(|t| {
            let f: f64 = (0..k).map(|i| cols[i][t] * beta[i]).sum();
            (y[t] - f) * (y[t] - f)
        })
        .sum();
    Some((beta, xtxi, rss))
}

/// The trend with break regressors (see the module docs).
fn fit_breaks(
    times: &[f64],
    values: &[f64],
    log: bool,
    xreg: &Xreg,
    horizon: usize,
    levels: &[f64],
) -> Result<Fit> {
    let n = values.len();
    let nf = n as f64;
    let k = 2 + xreg.cols.len();
    if n < k + 1 {
        return Err(super::arg_error(
            "breaks",
            format!(
                "the trend with {} break term(s) has {k} coefficients but the series has only \
                 {n} observations; it needs at least {}",
                xreg.cols.len(),
                k + 1
            ),
        ));
    }
    let y: Vec<f64> = if log {
        values.iter().map(|v| v.ln()).collect()
    } else {
        values.to_vec()
    };
    let tbar = times.iter().sum::<f64>() / nf;
    let mut cols = vec![vec![1.0; n], times.iter().map(|t| t - tbar).collect()];
    cols.extend(xreg.cols.iter().cloned());
    let (beta, xtxi, sse) = ols(&cols, &y).ok_or_else(|| {
        super::arg_error(
            "breaks",
            "the trend and break terms are collinear for this series (two breaks with no \
             observation between them, or a break at the last time with a slope change)",
        )
    })?;
    let df = (n - k) as f64;
    let s2 = sse / df;
    let ybar = y.iter().sum::<f64>() / nf;
    let syy: f64 = y.iter().map(|v| (v - ybar) * (v - ybar)).sum();
    let row = |i: usize| -> Vec<f64> { cols.iter().map(|c| c[i]).collect() };
    let quad = |x: &[f64]| -> f64 {
        let mut v = 0.0;
        for i in 0..k {
            for j in 0..k {
                v += x[i] * xtxi[i * k + j] * x[j];
            }
        }
        v
    };
    let fit_log: Vec<f64> = (0..n)
        .map(|i| row(i).iter().zip(&beta).map(|(a, b)| a * b).sum())
        .collect();
    let step = times[1] - times[0];
    let last = times[n - 1];
    let mut mean_log = Vec::with_capacity(horizon);
    let mut se = Vec::with_capacity(horizon);
    for h in 0..horizon {
        let t0 = last + step * (h + 1) as f64;
        let mut x0 = vec![1.0, t0 - tbar];
        x0.extend(xreg.future.iter().map(|c| c[h]));
        mean_log.push(x0.iter().zip(&beta).map(|(a, b)| a * b).sum::<f64>());
        se.push((s2 * (1.0 + quad(&x0))).sqrt());
    }
    let out = Scaled::new(values, log, &fit_log, &mean_log, &se, df, levels, sse, syy);
    // Intercept at t = 0: a = a_c − b t̄, var a = v₀₀ − 2 t̄ v₀₁ + t̄² v₁₁, cov(a, c_j) =
    // v₀ⱼ − t̄ v₁ⱼ.
    let (ac, b) = (beta[0], beta[1]);
    let a = ac - b * tbar;
    let var_a = xtxi[0] - 2.0 * tbar * xtxi[1] + tbar * tbar * xtxi[k + 1];
    let mut params = trend_params(a, b, s2, out.r2, log);
    let mut std_err = vec![f64::NAN; params.len()];
    std_err[0] = (s2 * var_a).sqrt();
    std_err[1] = (s2 * xtxi[k + 1]).sqrt();
    for j in 2..k {
        params.push(beta[j]);
        std_err.push((s2 * xtxi[j * k + j]).sqrt());
    }
    Ok(out.into_fit(values, params, std_err, df, k + 1, s2))
}

/// The trend's parameters as reported: intercept, slope (and, on the log scale, the
/// growth rate e^b − 1), residual standard deviation and R².
fn trend_params(a: f64, b: f64, s2: f64, r2: f64, log: bool) -> Vec<f64> {
    if log {
        vec![a, b, b.exp() - 1.0, s2.sqrt(), r2]
    } else {
        vec![a, b, s2.sqrt(), r2]
    }
}

/// A least-squares trend's fitted values, forecasts and intervals on the data's own
/// scale (exponentiated when the fit was on logs), with the residuals, the Gaussian
/// log-likelihood and R² every trend fit reports.
struct Scaled {
    fitted: Vec<f64>,
    mean: Vec<f64>,
    lower: Vec<Vec<f64>>,
    upper: Vec<Vec<f64>>,
    residuals: Vec<f64>,
    loglik: f64,
    r2: f64,
}

impl Scaled {
    #[allow(clippy::too_many_arguments)]
    fn new(
        values: &[f64],
        log: bool,
        fit_log: &[f64],
        mean_log: &[f64],
        se: &[f64],
        df: f64,
        levels: &[f64],
        sse: f64,
        syy: f64,
    ) -> Scaled {
        let nf = values.len() as f64;
        let (mut lower, mut upper) = t_intervals(mean_log, se, df, levels);
        let back = |v: f64| if log { v.exp() } else { v };
        let fitted: Vec<f64> = fit_log.iter().map(|&v| back(v)).collect();
        let mean: Vec<f64> = mean_log.iter().map(|&v| back(v)).collect();
        if log {
            for row in lower.iter_mut().chain(upper.iter_mut()) {
                row.iter_mut().for_each(|v| *v = v.exp());
            }
        }
        let residuals: Vec<f64> = values.iter().zip(&fitted).map(|(v, f)| v - f).collect();
        Scaled {
            fitted,
            mean,
            lower,
            upper,
            residuals,
            loglik: -0.5 * nf * ((2.0 * std::f64::consts::PI).ln() + (sse / nf).ln() + 1.0),
            r2: if syy > 0.0 { 1.0 - sse / syy } else { f64::NAN },
        }
    }

    /// The whole fit, with `n_params` estimated parameters (the variance counted).
    fn into_fit(
        self,
        values: &[f64],
        params: Vec<f64>,
        std_err: Vec<f64>,
        df: f64,
        n_params: usize,
        s2: f64,
    ) -> Fit {
        Fit {
            accuracy: Accuracy::new(values, &self.residuals),
            criteria: Criteria::from_loglik(self.loglik, n_params, values.len(), s2),
            fitted: self.fitted,
            residuals: self.residuals,
            mean: self.mean,
            lower: self.lower,
            upper: self.upper,
            params,
            std_err,
            coef_df: df,
            grey: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_line_has_zero_residuals() {
        let t = [2000.0, 2001.0, 2002.0, 2003.0];
        let y = [1.0, 1.5, 2.0, 2.5];
        let f = fit(&t, &y, false, &Xreg::default(), 2, &[0.95]).unwrap();
        assert!((f.params[1] - 0.5).abs() < 1e-12);
        assert!((f.mean[1] - 3.5).abs() < 1e-9);
        assert!(f.residuals.iter().all(|e| e.abs() < 1e-9));
    }

    #[test]
    fn ols_matches_the_closed_form_line() {
        let t = [1.0, 2.0, 3.0, 4.0, 5.0];
        let y = [1.0, 2.5, 2.9, 4.2, 5.1];
        let (beta, xtxi, rss) = ols(&[vec![1.0; 5], t.to_vec()], &y).unwrap();
        let f = fit(&t, &y, false, &Xreg::default(), 1, &[0.9]).unwrap();
        assert!((beta[0] - f.params[0]).abs() < 1e-12 && (beta[1] - f.params[1]).abs() < 1e-12);
        let s2 = rss / 3.0;
        assert!(((s2 * xtxi[3]).sqrt() - f.std_err[1]).abs() < 1e-12);
        assert!(((s2 * xtxi[0]).sqrt() - f.std_err[0]).abs() < 1e-12);
        // A repeated column is collinear.
        assert!(ols(&[vec![1.0; 5], t.to_vec(), t.to_vec()], &y).is_none());
    }

    #[test]
    fn a_level_shift_is_recovered_exactly() {
        let t: Vec<f64> = (0..8).map(f64::from).collect();
        let y: Vec<f64> = t
            .iter()
            .enumerate()
            .map(|(i, t)| 1.0 + 0.5 * t + if *t >= 4.0 { 2.0 } else { 0.0 } + [0.01, -0.01][i % 2])
            .collect();
        let xreg = Xreg {
            cols: vec![t.iter().map(|t| f64::from(u8::from(*t >= 4.0))).collect()],
            future: vec![vec![1.0, 1.0]],
        };
        let f = fit(&t, &y, false, &xreg, 2, &[0.95]).unwrap();
        assert!((f.params[4] - 2.0).abs() < 0.05, "{:?}", f.params);
        assert!((f.mean[0] - (1.0 + 0.5 * 8.0 + 2.0)).abs() < 0.05);
        assert_eq!(f.params.len(), 5);
        assert!(f.std_err[4] > 0.0);
    }

    #[test]
    fn loglinear_growth_rate() {
        let t = [0.0, 1.0, 2.0, 3.0, 4.0];
        let y: Vec<f64> = t.iter().map(|t: &f64| 2.0 * 1.03_f64.powf(*t)).collect();
        let f = fit(&t, &y, true, &Xreg::default(), 1, &[0.8]).unwrap();
        assert!((f.params[2] - 0.03).abs() < 1e-12);
        assert!((f.mean[0] - 2.0 * 1.03_f64.powi(5)).abs() < 1e-9);
    }
}
