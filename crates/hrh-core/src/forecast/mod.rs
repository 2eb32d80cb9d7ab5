//! Trend forecasting of short annual series (e.g. physicians per 1,000 population).
//!
//! One call fits one model to each of many series (groups) in parallel:
//!
//! - [`trend`]: linear and log-linear least-squares trends with t-based prediction
//!   intervals (as R's `predict.lm`), and the annual growth rate of the log-linear one.
//! - [`holt`]: exponential smoothing ETS(A,N,N), ETS(A,A,N) and ETS(A,Ad,N) by maximum
//!   likelihood as R's `forecast::ets`, or with fixed parameters and the "simple"
//!   initial states of `forecast::holt(initial = "simple")`; analytic intervals.
//! - [`grey`]: the grey model GM(1,1) with the posterior-error ratio, small-error
//!   probability and accuracy grade.
//! - [`arima`]: ARIMA(p, d, q) with optional drift by conditional sum of squares then
//!   exact Gaussian likelihood (Kalman filter), as R's `arima(method = "CSS-ML")`, and
//!   order selection by AICc.
//! - [`optim`]: Nelder-Mead and BFGS minimisers.
//!
//! [`fit_groups`] is the entry point for many series; [`fit`] for one.
//!
//! **Structural breaks** ([`Breaks`], linear and log-linear trends and ARIMA): a level
//! shift at time τ is the step regressor 1{t ≥ τ}, a slope change at τ the hinge
//! (t − τ)·1{t ≥ τ}; both enter the least-squares trend (as R's
//! `lm(y ~ t + step + hinge)`) or the ARIMA regression (as `forecast::Arima(xreg =)`),
//! and take their future values (1 and t − τ) in the forecasts.
//!
//! **Standard errors** ([`Fit::std_err`]): least-squares coefficients s²(X′X)⁻¹ with
//! t tests on n − k degrees of freedom (R's `summary.lm`); ARIMA coefficients the
//! inverse of the numerical Hessian of −log L (σ² concentrated out) in the natural
//! coefficients, with normal tests (R's `arima` `var.coef`, see [`arima`]).

pub mod arima;
pub mod grey;
pub mod holt;
pub mod optim;
pub mod trend;

use rayon::prelude::*;

use crate::control::Control;
use crate::error::{Error, Location, Result, Subject};
use crate::special::{qnorm, qt};

/// The model to fit to every series.
#[derive(Debug, Clone, PartialEq)]
pub enum Model {
    /// y = a + b·t by least squares.
    Linear,
    /// ln y = a + b·t by least squares; forecasts exp of the log-scale forecasts.
    LogLinear,
    /// Exponential smoothing with additive errors.
    Ets(holt::EtsSpec),
    /// Grey model GM(1,1).
    Grey(grey::GreySpec),
    /// ARIMA(p, d, q), fixed order or selected by AICc.
    Arima(arima::ArimaSpec),
}

impl Model {
    /// The smallest number of observations the model can be fitted to.
    pub fn min_points(&self) -> usize {
        match self {
            Model::Linear | Model::LogLinear => 3,
            Model::Ets(s) => s.min_points(),
            Model::Grey(_) => 4,
            Model::Arima(s) => s.min_points(),
        }
    }

    /// Display name, e.g. `ETS(A,Ad,N)`.
    pub fn name(&self) -> String {
        match self {
            Model::Linear => "linear trend".into(),
            Model::LogLinear => "log-linear trend".into(),
            Model::Ets(s) => s.name(),
            Model::Grey(_) => "GM(1,1)".into(),
            Model::Arima(s) => s.name(),
        }
    }

    /// Names of the entries of [`Fit::params`], the same for every series.
    pub fn param_names(&self) -> Vec<&'static str> {
        match self {
            Model::Linear => trend::PARAMS_LINEAR.to_vec(),
            Model::LogLinear => trend::PARAMS_LOGLINEAR.to_vec(),
            Model::Ets(_) => holt::PARAMS.to_vec(),
            Model::Grey(_) => grey::PARAMS.to_vec(),
            Model::Arima(_) => arima::PARAMS.to_vec(),
        }
    }

    /// Names of the entries of [`Fit::params`] with the break terms of `breaks`
    /// appended (`level_shift_<τ>`, then `slope_change_<τ>`).
    pub fn param_names_with(&self, breaks: &Breaks) -> Vec<String> {
        let mut names: Vec<String> = self.param_names().iter().map(|s| s.to_string()).collect();
        names.extend(breaks.names());
        names
    }

    /// Which entries of [`Fit::params`] (named by [`Model::param_names_with`]) are
    /// regression or ARMA coefficients with a standard error: intercept and slope of
    /// the trends, AR, MA, intercept and drift of ARIMA, and the break terms.
    pub fn coefficient_mask(&self, breaks: &Breaks) -> Vec<bool> {
        let base: Vec<bool> = match self {
            Model::Linear | Model::LogLinear => self
                .param_names()
                .iter()
                .map(|n| matches!(*n, "intercept" | "slope"))
                .collect(),
            Model::Arima(_) => arima::PARAMS
                .iter()
                .map(|n| !matches!(*n, "p" | "d" | "q"))
                .collect(),
            _ => vec![false; self.param_names().len()],
        };
        let mut mask = base;
        mask.extend(std::iter::repeat_n(true, breaks.len()));
        mask
    }

    /// Whether the model needs every value > 0.
    pub fn needs_positive(&self) -> bool {
        matches!(self, Model::LogLinear | Model::Grey(_))
    }

    /// Whether the model takes break terms.
    pub fn takes_breaks(&self) -> bool {
        matches!(self, Model::Linear | Model::LogLinear | Model::Arima(_))
    }
}

/// An input error about an argument as a whole: "argument 'name': message".
pub(crate) fn arg_error(name: &str, message: impl std::fmt::Display) -> Error {
    Error::argument(name, message.to_string())
}

/// Structural breaks: level shifts (step 1{t ≥ τ}) and slope changes (hinge
/// (t − τ)·1{t ≥ τ}) at the given times, in the series' own time unit.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Breaks {
    /// Times τ of the level shifts.
    pub level: Vec<f64>,
    /// Times τ of the slope changes.
    pub slope: Vec<f64>,
}

impl Breaks {
    /// Number of break terms.
    pub fn len(&self) -> usize {
        self.level.len() + self.slope.len()
    }

    /// No break terms.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// `level_shift_<τ>` for each level shift, then `slope_change_<τ>`.
    pub fn names(&self) -> Vec<String> {
        let fmt = |t: f64| {
            let s = format!("{t}");
            s.replace('.', "_").replace('-', "m")
        };
        self.level
            .iter()
            .map(|&t| format!("level_shift_{}", fmt(t)))
            .chain(
                self.slope
                    .iter()
                    .map(|&t| format!("slope_change_{}", fmt(t))),
            )
            .collect()
    }

    /// Check the break times: finite, and no time given twice in one list.
    pub fn check(&self) -> Result<()> {
        for (list, name) in [(&self.level, "breaks"), (&self.slope, "slope_breaks")] {
            if let Some(t) = list.iter().find(|t| !t.is_finite()) {
                return Err(arg_error(name, format!("break time {t} is not finite")));
            }
            let mut sorted = list.clone();
            sorted.sort_by(f64::total_cmp);
            if let Some(w) = sorted.windows(2).find(|w| w[0] == w[1]) {
                return Err(arg_error(
                    name,
                    format!("break time {} is given twice", w[0]),
                ));
            }
        }
        Ok(())
    }

    /// The break regressors at `times` (one column per term, in [`Breaks::names`]
    /// order). Each term must vary over the series: a level shift needs a time before τ
    /// and one at or after it, a slope change a time before τ and one after it.
    pub fn columns(&self, times: &[f64]) -> Result<Vec<Vec<f64>>> {
        let n = times.len();
        // Checked before the columns are allocated: every model needs n >= terms + 3.
        if self.len().saturating_add(3) > n {
            return Err(arg_error(
                "breaks",
                format!(
                    "{} break term(s) are too many for a series of {n} observations (at most \
                     {})",
                    self.len(),
                    n.saturating_sub(3)
                ),
            ));
        }
        let (first, last) = (times[0], times[n - 1]);
        let mut cols = Vec::with_capacity(self.len());
        for &tau in &self.level {
            if tau <= first || tau > last {
                return Err(arg_error(
                    "breaks",
                    format!(
                        "level shift at {tau} is outside the series' times ({first} to {last}): \
                         it needs a time before it and one at or after it"
                    ),
                ));
            }
            cols.push(self.level_at(tau, times));
        }
        for &tau in &self.slope {
            if tau < first || tau >= last {
                return Err(arg_error(
                    "slope_breaks",
                    format!(
                        "slope change at {tau} is outside the series' times ({first} to {last}): \
                         it needs a time at or before it and one after it"
                    ),
                ));
            }
            cols.push(self.slope_at(tau, times));
        }
        Ok(cols)
    }

    /// Future values of the break terms at `times` (after the series).
    pub fn future(&self, times: &[f64]) -> Vec<Vec<f64>> {
        self.level
            .iter()
            .map(|&tau| self.level_at(tau, times))
            .chain(self.slope.iter().map(|&tau| self.slope_at(tau, times)))
            .collect()
    }

    fn level_at(&self, tau: f64, times: &[f64]) -> Vec<f64> {
        times
            .iter()
            .map(|&t| f64::from(u8::from(t >= tau)))
            .collect()
    }

    fn slope_at(&self, tau: f64, times: &[f64]) -> Vec<f64> {
        times
            .iter()
            .map(|&t| if t >= tau { t - tau } else { 0.0 })
            .collect()
    }
}

/// Information criteria of a likelihood-based fit (NaN where not defined).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Criteria {
    /// Log-likelihood on the model's own convention (see each model).
    pub loglik: f64,
    /// Akaike information criterion.
    pub aic: f64,
    /// AIC with the small-sample correction.
    pub aicc: f64,
    /// Bayesian information criterion.
    pub bic: f64,
    /// Innovation (residual) variance used for the intervals.
    pub sigma2: f64,
}

impl Criteria {
    /// All NaN.
    pub const NONE: Criteria = Criteria {
        loglik: f64::NAN,
        aic: f64::NAN,
        aicc: f64::NAN,
        bic: f64::NAN,
        sigma2: f64::NAN,
    };

    /// AIC = −2 loglik + 2k, AICc = AIC + 2k(k+1)/(n−k−1), BIC = −2 loglik + k ln n.
    pub fn from_loglik(loglik: f64, k: usize, n: usize, sigma2: f64) -> Self {
        let (kf, nf) = (k as f64, n as f64);
        let aic = -2.0 * loglik + 2.0 * kf;
        let aicc = if n > k + 1 {
            aic + 2.0 * kf * (kf + 1.0) / (nf - kf - 1.0)
        } else {
            f64::INFINITY
        };
        Criteria {
            loglik,
            aic,
            aicc,
            bic: -2.0 * loglik + kf * nf.ln(),
            sigma2,
        }
    }
}

/// Accuracy of the in-sample one-step (or model) fit over the points with a fitted
/// value: RMSE, MAE and MAPE (in percent, NaN when a value is 0).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Accuracy {
    /// √(mean e²).
    pub rmse: f64,
    /// mean |e|.
    pub mae: f64,
    /// 100 · mean |e / y|.
    pub mape: f64,
}

impl Accuracy {
    /// From observations and residuals; a NaN residual is skipped.
    pub fn new(y: &[f64], residuals: &[f64]) -> Self {
        let (mut n, mut sse, mut sae, mut sape) = (0usize, 0.0, 0.0, 0.0);
        for (&v, &e) in y.iter().zip(residuals) {
            if e.is_nan() {
                continue;
            }
            n += 1;
            sse += e * e;
            sae += e.abs();
            sape += if v != 0.0 { (e / v).abs() } else { f64::NAN };
        }
        let nf = n as f64;
        Accuracy {
            rmse: (sse / nf).sqrt(),
            mae: sae / nf,
            mape: 100.0 * sape / nf,
        }
    }
}

/// One fitted series.
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    /// In-sample fitted values (one-step-ahead for ETS and ARIMA), NaN where none.
    pub fitted: Vec<f64>,
    /// y − fitted, on the scale of y, NaN where no fitted value.
    pub residuals: Vec<f64>,
    /// Point forecasts for steps 1..=horizon.
    pub mean: Vec<f64>,
    /// Lower prediction limits, `lower[level][step]` (NaN where the model has none).
    pub lower: Vec<Vec<f64>>,
    /// Upper prediction limits, `upper[level][step]`.
    pub upper: Vec<Vec<f64>>,
    /// Parameter values, named by [`Model::param_names_with`] (NaN where not used).
    pub params: Vec<f64>,
    /// Standard errors of the coefficients among `params` (NaN for the other entries,
    /// and where the information matrix is not positive definite).
    pub std_err: Vec<f64>,
    /// Degrees of freedom of the coefficients' t tests (n − k for least squares);
    /// infinite for normal (Wald z) tests.
    pub coef_df: f64,
    /// Likelihood and information criteria.
    pub criteria: Criteria,
    /// In-sample accuracy.
    pub accuracy: Accuracy,
    /// GM(1,1) posterior-error ratio, small-error probability and grade.
    pub grey: Option<grey::GreyAccuracy>,
}

/// Test statistic est/se, two-sided p-value and `conf_level` confidence limits of a
/// coefficient: Student's t on `df` degrees of freedom, or the normal when `df` is
/// infinite (R's `summary.lm`, and `confint.default` / `lmtest::coeftest` for ARIMA).
/// All NaN when `se` is not a positive number.
pub fn coefficient_test(est: f64, se: f64, df: f64, conf_level: f64) -> (f64, f64, f64, f64) {
    if se.is_nan() || se <= 0.0 || !se.is_finite() {
        return (f64::NAN, f64::NAN, f64::NAN, f64::NAN);
    }
    let stat = est / se;
    let (p, q) = if df.is_finite() {
        (
            crate::special::t_two_sided_p(stat, df),
            qt(0.5 * (1.0 + conf_level), df),
        )
    } else {
        (
            crate::special::normal_two_sided_p(stat),
            qnorm(0.5 * (1.0 + conf_level)),
        )
    };
    (stat, p, est - q * se, est + q * se)
}

/// Symmetric normal intervals mean ± z·sd, `z = Φ⁻¹((1 + level)/2)`.
pub(crate) fn normal_intervals(
    mean: &[f64],
    sd: &[f64],
    levels: &[f64],
) -> (Vec<Vec<f64>>, Vec<Vec<f64>>) {
    let mut lower = Vec::with_capacity(levels.len());
    let mut upper = Vec::with_capacity(levels.len());
    for &l in levels {
        let z = qnorm(0.5 * (1.0 + l));
        lower.push(mean.iter().zip(sd).map(|(m, s)| m - z * s).collect());
        upper.push(mean.iter().zip(sd).map(|(m, s)| m + z * s).collect());
    }
    (lower, upper)
}

/// Symmetric t intervals mean ± t_{df}·se.
pub(crate) fn t_intervals(
    mean: &[f64],
    se: &[f64],
    df: f64,
    levels: &[f64],
) -> (Vec<Vec<f64>>, Vec<Vec<f64>>) {
    let mut lower = Vec::with_capacity(levels.len());
    let mut upper = Vec::with_capacity(levels.len());
    for &l in levels {
        let q = qt(0.5 * (1.0 + l), df);
        lower.push(mean.iter().zip(se).map(|(m, s)| m - q * s).collect());
        upper.push(mean.iter().zip(se).map(|(m, s)| m + q * s).collect());
    }
    (lower, upper)
}

/// Check one series: enough points, finite values, positive where the model needs it,
/// and times strictly increasing with one constant step (no gaps). Rows are local.
pub fn check_series(times: &[f64], values: &[f64], model: &Model) -> Result<()> {
    if times.len() != values.len() {
        return Err(Error::input(
            "value",
            format!(
                "has length {} but 'time' has length {}",
                values.len(),
                times.len()
            ),
        ));
    }
    let need = model.min_points();
    if values.len() < need {
        return Err(Error::input(
            "value",
            format!(
                "{} has {} observation(s) but needs at least {need}",
                model.name(),
                values.len()
            ),
        ));
    }
    crate::validate::finite(times, "time")?;
    crate::validate::finite(values, "value")?;
    if model.needs_positive() {
        crate::validate::positive(values, "value").map_err(|e| match e {
            Error::Input { location, message } => Error::Input {
                location,
                message: format!("{message} for {}", model.name()),
            },
            other => other,
        })?;
    }
    let step = times[1] - times[0];
    for i in 1..times.len() {
        let d = times[i] - times[i - 1];
        if d == 0.0 {
            return Err(Error::input_at(
                "time",
                i,
                format!("time {} is duplicated (also at row {})", times[i], i - 1),
            ));
        }
        if d < 0.0 {
            return Err(Error::input_at(
                "time",
                i,
                format!(
                    "time {} is not after the previous time {}; sort the series by time",
                    times[i],
                    times[i - 1]
                ),
            ));
        }
        if (d - step).abs() > 1e-9 * step.abs().max(1.0) {
            return Err(Error::input_at(
                "time",
                i,
                format!(
                    "time {} follows {} (step {d}) but the series starts with step {step}; \
                     the series has a gap",
                    times[i],
                    times[i - 1]
                ),
            ));
        }
    }
    Ok(())
}

/// Most steps a forecast may have.
pub const MAX_HORIZON: usize = 10_000;

/// Fit `model` to one series and forecast `horizon` steps with intervals at `levels`
/// (each in (0, 1)).
pub fn fit(
    times: &[f64],
    values: &[f64],
    model: &Model,
    horizon: usize,
    levels: &[f64],
) -> Result<Fit> {
    fit_with_breaks(times, values, model, &Breaks::default(), horizon, levels)
}

/// [`fit`] with structural `breaks` (linear, log-linear and ARIMA models only).
pub fn fit_with_breaks(
    times: &[f64],
    values: &[f64],
    model: &Model,
    breaks: &Breaks,
    horizon: usize,
    levels: &[f64],
) -> Result<Fit> {
    check_series(times, values, model)?;
    if !breaks.is_empty() && !model.takes_breaks() {
        return Err(arg_error(
            "breaks",
            format!(
                "{} takes no break terms; use a linear, log-linear or ARIMA model",
                model.name()
            ),
        ));
    }
    breaks.check()?;
    let xreg = if breaks.is_empty() {
        arima::Xreg::default()
    } else {
        let step = times[1] - times[0];
        let last = times[times.len() - 1];
        let future: Vec<f64> = (1..=horizon).map(|h| last + step * h as f64).collect();
        arima::Xreg {
            cols: breaks.columns(times)?,
            future: breaks.future(&future),
        }
    };
    if horizon > MAX_HORIZON {
        return Err(Error::argument(
            "horizon",
            format!("{horizon} steps is more than {MAX_HORIZON}"),
        ));
    }
    for &l in levels {
        crate::validate::level(l)?;
    }
    let mut out = match model {
        Model::Linear => trend::fit(times, values, false, &xreg, horizon, levels),
        Model::LogLinear => trend::fit(times, values, true, &xreg, horizon, levels),
        Model::Ets(spec) => holt::fit(values, spec, horizon, levels),
        Model::Grey(spec) => grey::fit(values, spec, horizon),
        Model::Arima(spec) => arima::fit(values, spec, &xreg, horizon, levels),
    }?;
    if out.lower.len() != levels.len() {
        // Models without prediction intervals (GM(1,1)).
        out.lower = vec![vec![f64::NAN; horizon]; levels.len()];
        out.upper = out.lower.clone();
    }
    Ok(out)
}

/// Prefix an error with the series it belongs to and shift its row to the row of the
/// concatenated input.
fn relabel(err: Error, offset: usize, label: &str) -> Error {
    match err {
        Error::Input { location, message } => Error::Input {
            location: Location {
                row: match location.subject {
                    Subject::Column => location.row.map(|r| r + offset),
                    Subject::Argument => location.row,
                },
                ..location
            },
            message: if label.is_empty() {
                message
            } else {
                format!("{message} (series {label})")
            },
        },
        Error::Convergence { what, reason, hint } => Error::Convergence {
            what: if label.is_empty() {
                what
            } else {
                format!("{what} for series {label}")
            },
            reason,
            hint,
        },
        other => other,
    }
}

/// Fit `model` to every series: series `g` is `times[offsets[g]..offsets[g+1]]`,
/// `values[..]` likewise, named `labels[g]` in error messages (empty for none).
/// Series are fitted in parallel (rayon); the first failing series (in order) is
/// reported, with rows counted in the concatenated input.
pub fn fit_groups(
    times: &[f64],
    values: &[f64],
    offsets: &[usize],
    labels: &[String],
    model: &Model,
    horizon: usize,
    levels: &[f64],
) -> Result<Vec<Fit>> {
    let control = Control::default();
    fit_groups_with(
        times,
        values,
        offsets,
        labels,
        model,
        (horizon, levels, &Breaks::default()),
        &control,
    )
}

/// [`fit_groups`] with `(horizon, levels, breaks)`, reporting its progress (in series) to
/// `control` and stopping with [`Error::Interrupted`] when asked to.
pub fn fit_groups_with(
    times: &[f64],
    values: &[f64],
    offsets: &[usize],
    labels: &[String],
    model: &Model,
    (horizon, levels, breaks): (usize, &[f64], &Breaks),
    control: &Control,
) -> Result<Vec<Fit>> {
    crate::validate::same_len(times.len(), values.len(), "time", "value")?;
    if offsets.is_empty()
        || offsets[0] != 0
        || offsets[offsets.len() - 1] != values.len()
        || offsets.windows(2).any(|w| w[1] < w[0])
    {
        return Err(Error::input(
            "offsets",
            "must start at 0, be non-decreasing and end at the number of values",
        ));
    }
    let groups = offsets.len() - 1;
    control.set_total(groups as u64);
    let results: Vec<Result<Fit>> = (0..groups)
        .into_par_iter()
        .map(|g| {
            control.check()?;
            let (a, b) = (offsets[g], offsets[g + 1]);
            let label = labels.get(g).map(String::as_str).unwrap_or("");
            let out = fit_with_breaks(&times[a..b], &values[a..b], model, breaks, horizon, levels)
                .map_err(|e| relabel(e, a, label));
            control.add(1);
            out
        })
        .collect();
    control.check()?;
    results.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn series_checks_name_row_and_value() {
        let m = Model::Linear;
        let e = check_series(&[1.0, 2.0], &[1.0, 2.0], &m).unwrap_err();
        assert!(e.to_string().contains("needs at least 3"), "{e}");
        let e = check_series(&[1.0, 2.0, 2.0], &[1.0, 2.0, 3.0], &m).unwrap_err();
        assert_eq!(
            e.to_string(),
            "column 'time', row 2: time 2 is duplicated (also at row 1)"
        );
        let e = check_series(&[1.0, 2.0, 4.0], &[1.0, 2.0, 3.0], &m).unwrap_err();
        assert!(e.to_string().contains("gap"), "{e}");
        let e = check_series(&[1.0, 2.0, 3.0], &[1.0, 0.0, 3.0], &Model::LogLinear).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("column 'value', row 1: value 0 is not positive"),
            "{e}"
        );
    }

    #[test]
    fn break_columns_and_their_checks() {
        let b = Breaks {
            level: vec![2002.0],
            slope: vec![2001.0],
        };
        // Two break terms need at least five observations.
        let e = b.columns(&[2000.0, 2001.0, 2002.0, 2003.0]).unwrap_err();
        assert!(e.to_string().contains("too many for a series of 4"), "{e}");
        let t = [2000.0, 2001.0, 2002.0, 2003.0, 2004.0];
        let cols = b.columns(&t).unwrap();
        assert_eq!(cols[0], vec![0.0, 0.0, 1.0, 1.0, 1.0]);
        assert_eq!(cols[1], vec![0.0, 0.0, 1.0, 2.0, 3.0]);
        assert_eq!(b.future(&[2005.0]), vec![vec![1.0], vec![4.0]]);
        assert_eq!(b.names(), vec!["level_shift_2002", "slope_change_2001"]);
        let late = Breaks {
            level: vec![2005.0],
            slope: vec![],
        };
        let e = late.columns(&t).unwrap_err().to_string();
        assert!(
            e.starts_with("argument 'breaks': level shift at 2005"),
            "{e}"
        );
        let e = fit_with_breaks(
            &t,
            &t,
            &Model::Grey(grey::GreySpec {
                first_residual: false,
                ddof: 0,
            }),
            &b,
            1,
            &[0.9],
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("takes no break terms"), "{e}");
    }

    #[test]
    fn coefficient_tests_t_and_normal() {
        let (z, p, lo, hi) = coefficient_test(2.0, 1.0, f64::INFINITY, 0.95);
        assert!((z - 2.0).abs() < 1e-15);
        assert!((p / 0.045_500_263_896_358_4 - 1.0).abs() < 1e-9, "{p}");
        assert!((lo - (2.0 - 1.959_963_984_540_054)).abs() < 1e-12 && hi > lo);
        // R: 2 * pt(-2, 5) = 0.101939478829858
        let (_, p, _, _) = coefficient_test(2.0, 1.0, 5.0, 0.95);
        assert!((p / 0.101_939_478_829_858 - 1.0).abs() < 1e-9, "{p}");
        assert!(coefficient_test(1.0, 0.0, 5.0, 0.95).0.is_nan());
    }

    #[test]
    fn groups_report_offset_rows_and_labels() {
        let t = [1.0, 2.0, 3.0, 1.0, 2.0, 3.0];
        let y = [1.0, 2.0, 3.0, 1.0, f64::NAN, 3.0];
        let e = fit_groups(
            &t,
            &y,
            &[0, 3, 6],
            &["A".into(), "B".into()],
            &Model::Linear,
            2,
            &[0.95],
        )
        .unwrap_err();
        assert!(e.to_string().starts_with("column 'value', row 4:"), "{e}");
        assert!(e.to_string().ends_with("(series B)"), "{e}");
    }
}
