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
//! Reference: Draper NR, Smith H (1998). Applied Regression Analysis, 3rd ed., Wiley,
//! chapter 3 (prediction intervals of a new observation).

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
    horizon: usize,
    levels: &[f64],
) -> Result<Fit> {
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
    let (mut lower, mut upper) = t_intervals(&mean_log, &se, df, levels);
    let back = |v: f64| if log { v.exp() } else { v };
    let fitted: Vec<f64> = fit_log.iter().map(|&v| back(v)).collect();
    let mean: Vec<f64> = mean_log.iter().map(|&v| back(v)).collect();
    if log {
        for row in lower.iter_mut().chain(upper.iter_mut()) {
            row.iter_mut().for_each(|v| *v = v.exp());
        }
    }
    let residuals: Vec<f64> = values.iter().zip(&fitted).map(|(v, f)| v - f).collect();
    let loglik = -0.5 * nf * ((2.0 * std::f64::consts::PI).ln() + (sse / nf).ln() + 1.0);
    let r2 = if syy > 0.0 { 1.0 - sse / syy } else { f64::NAN };
    let params = if log {
        vec![a, b, b.exp() - 1.0, s2.sqrt(), r2]
    } else {
        vec![a, b, s2.sqrt(), r2]
    };
    Ok(Fit {
        accuracy: Accuracy::new(values, &residuals),
        fitted,
        residuals,
        mean,
        lower,
        upper,
        params,
        criteria: Criteria::from_loglik(loglik, 3, n, s2),
        grey: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_line_has_zero_residuals() {
        let t = [2000.0, 2001.0, 2002.0, 2003.0];
        let y = [1.0, 1.5, 2.0, 2.5];
        let f = fit(&t, &y, false, 2, &[0.95]).unwrap();
        assert!((f.params[1] - 0.5).abs() < 1e-12);
        assert!((f.mean[1] - 3.5).abs() < 1e-9);
        assert!(f.residuals.iter().all(|e| e.abs() < 1e-9));
    }

    #[test]
    fn loglinear_growth_rate() {
        let t = [0.0, 1.0, 2.0, 3.0, 4.0];
        let y: Vec<f64> = t.iter().map(|t: &f64| 2.0 * 1.03_f64.powf(*t)).collect();
        let f = fit(&t, &y, true, 1, &[0.8]).unwrap();
        assert!((f.params[2] - 0.03).abs() < 1e-12);
        assert!((f.mean[0] - 2.0 * 1.03_f64.powi(5)).abs() < 1e-9);
    }
}
