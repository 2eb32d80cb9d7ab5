//! Exponential smoothing with additive errors: ETS(A,N,N) (simple exponential
//! smoothing), ETS(A,A,N) (Holt's linear trend) and ETS(A,Ad,N) (damped trend).
//!
//! State space form (Hyndman et al. 2008, chapter 2), state x_t = (ℓ_t, b_t):
//!
//! ŷ_t = ℓ_{t−1} + φ b_{t−1},  e_t = y_t − ŷ_t,
//! ℓ_t = ℓ_{t−1} + φ b_{t−1} + α e_t,  b_t = φ b_{t−1} + β e_t
//!
//! (φ = 1 without damping; no b without trend). The point forecast h steps after the
//! last observation is ℓ_n + (φ + … + φ^h) b_n, and the forecast variance is the
//! class-1 analytic one, σ² (1 + Σ_{j=1}^{h−1} c_j²) with c_j = w′ F^{j−1} g
//! (w = (1, φ)′, F = [[1, φ], [0, φ]], g = (α, β)′), as R's `forecast:::class1`.
//!
//! **Maximum likelihood** (`Initial::Optimal`, R's `forecast::ets`): the parameters
//! minimise n·ln(Σ e_t²), i.e. −2 log-likelihood up to a constant (R reports
//! loglik = −½ n ln Σ e²). The bounds are R's "usual" ones: 1e-4 ≤ α ≤ 0.9999,
//! 1e-4 ≤ β ≤ min(α, 0.9999), 0.8 ≤ φ ≤ 0.98. Because e_t is affine in the initial
//! state x_0 for fixed (α, β, φ), x_0 is concentrated out by least squares, and only
//! (α, β, φ) are searched (Nelder-Mead in a logistic reparametrisation, several
//! starts); the minimum found is never worse than one searching x_0 as well.
//! σ² = Σ e² / (n − k) with k the number of smoothing parameters and initial states,
//! and AIC/AICc/BIC count the free ones plus σ, as R.
//!
//! **Simple initial states** (`Initial::Simple`, R's `forecast::holt(initial =
//! "simple")` / `ses(initial = "simple")`, i.e. `HoltWintersZZ`): ℓ_0 = y_1,
//! b_0 = y_2 − y_1, with Holt's classical recursions ℓ_t = α y_t + (1 − α)(ℓ_{t−1} +
//! φ b_{t−1}), b_t = β*(ℓ_t − ℓ_{t−1}) + (1 − β*) φ b_{t−1}. Free α, β* minimise Σ e²
//! in [0, 1]. σ² = Σ e² / n, and the intervals use the class-1 formula with g =
//! (α, β*) exactly as R does (the state-space β equals α β*, so R's intervals for this
//! case are not those of the equivalent state-space model; we follow R).
//!
//! References: Hyndman RJ, Koehler AB, Ord JK, Snyder RD (2008). Forecasting with
//! Exponential Smoothing: The State Space Approach. Springer (chapter 6, class 1
//! variance). Holt CC (1957/2004). Forecasting seasonals and trends by exponentially
//! weighted moving averages. International Journal of Forecasting 20:5-10.
//! Gardner ES, McKenzie E (1985). Forecasting trends in time series. Management
//! Science 31:1237-1246 (damped trend).

use super::optim::nelder_mead;
use super::{normal_intervals, Accuracy, Criteria, Fit};
use crate::error::{Error, Result};

/// Parameter names: smoothing parameters, then the initial states.
pub const PARAMS: [&str; 5] = ["alpha", "beta", "phi", "l0", "b0"];

const LOWER: f64 = 1e-4;
const UPPER: f64 = 0.9999;
const PHI_LOWER: f64 = 0.8;
const PHI_UPPER: f64 = 0.98;

/// Trend component.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trend {
    /// No trend: ETS(A,N,N).
    None,
    /// Additive trend: ETS(A,A,N).
    Additive,
    /// Damped additive trend: ETS(A,Ad,N).
    Damped,
}

/// How the initial states are set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Initial {
    /// Estimated with the smoothing parameters (maximum likelihood).
    Optimal,
    /// ℓ_0 = y_1, b_0 = y_2 − y_1 (Holt's classical start).
    Simple,
}

/// An exponential smoothing model; `None` parameters are estimated.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EtsSpec {
    /// Trend component.
    pub trend: Trend,
    /// Initial states.
    pub initial: Initial,
    /// Fixed level smoothing parameter.
    pub alpha: Option<f64>,
    /// Fixed trend smoothing parameter (β of the state space form; β* for `Simple`).
    pub beta: Option<f64>,
    /// Fixed damping parameter.
    pub phi: Option<f64>,
}

impl EtsSpec {
    /// Model name, e.g. `ETS(A,Ad,N)`.
    pub fn name(&self) -> String {
        match self.trend {
            Trend::None => "ETS(A,N,N)",
            Trend::Additive => "ETS(A,A,N)",
            Trend::Damped => "ETS(A,Ad,N)",
        }
        .into()
    }

    fn n_states(&self) -> usize {
        if self.trend == Trend::None {
            1
        } else {
            2
        }
    }

    fn n_free(&self) -> usize {
        let mut k = usize::from(self.alpha.is_none());
        if self.trend != Trend::None {
            k += usize::from(self.beta.is_none());
        }
        if self.trend == Trend::Damped {
            k += usize::from(self.phi.is_none());
        }
        k
    }

    /// R's rule: the estimated parameters and states number fewer than n − 1.
    pub fn min_points(&self) -> usize {
        match self.initial {
            Initial::Optimal => self.n_free() + self.n_states() + 2,
            Initial::Simple => self.n_states() + 1,
        }
    }

    fn check(&self) -> Result<()> {
        let unit = |v: Option<f64>, name: &str, lo: f64, hi: f64| -> Result<()> {
            match v {
                Some(x) if !(x >= lo && x <= hi) => Err(Error::argument(
                    name,
                    format!("{x} is outside [{lo}, {hi}]"),
                )),
                _ => Ok(()),
            }
        };
        match self.initial {
            Initial::Optimal => {
                unit(self.alpha, "alpha", LOWER, UPPER)?;
                unit(self.beta, "beta", LOWER, UPPER)?;
                unit(self.phi, "phi", PHI_LOWER, PHI_UPPER)?;
                if let (Some(a), Some(b)) = (self.alpha, self.beta) {
                    if b > a {
                        return Err(Error::argument(
                            "beta",
                            format!("{b} is larger than alpha {a}; ETS needs beta <= alpha"),
                        ));
                    }
                }
            }
            Initial::Simple => {
                unit(self.alpha, "alpha", 0.0, 1.0)?;
                unit(self.beta, "beta", 0.0, 1.0)?;
                unit(self.phi, "phi", 0.0, 1.0)?;
                if self.trend == Trend::Damped && self.phi.is_none() {
                    return Err(Error::argument(
                        "phi",
                        "initial='simple' with a damped trend needs a fixed phi \
                         (or use initial='optimal')",
                    ));
                }
            }
        }
        Ok(())
    }
}

/// Smoothing parameters of one candidate.
#[derive(Debug, Clone, Copy)]
struct Smoothing {
    alpha: f64,
    /// β of the state space form, or Holt's β* when `classical`.
    beta: f64,
    phi: f64,
    /// Holt's classical trend parameter: the state-space gain is α β*.
    classical: bool,
}

impl Smoothing {
    /// The trend gain of the state-space recursion b_t = φ b_{t−1} + gain · e_t.
    fn trend_gain(&self) -> f64 {
        if self.classical {
            self.alpha * self.beta
        } else {
            self.beta
        }
    }
}

/// Run the filter from state (l, b); returns the errors, the final state and SSE.
fn filter(
    y: &[f64],
    s: Smoothing,
    l0: f64,
    b0: f64,
    trend: bool,
    e: &mut [f64],
) -> (f64, f64, f64) {
    let (mut l, mut b) = (l0, if trend { b0 } else { 0.0 });
    let gain = s.trend_gain();
    let mut sse = 0.0;
    for (t, &v) in y.iter().enumerate() {
        let yhat = l + s.phi * b;
        let err = v - yhat;
        e[t] = err;
        sse += err * err;
        l = yhat + s.alpha * err;
        if trend {
            b = s.phi * b + gain * err;
        }
    }
    (l, b, sse)
}

/// The initial state minimising Σ e² for fixed smoothing parameters (least squares:
/// e_t = e⁰_t − a_t′ x_0 with a_t′ = w′ D^{t−1}, D = F − g w′).
fn best_initial(y: &[f64], s: Smoothing, trend: bool, e: &mut [f64]) -> Option<(f64, f64)> {
    filter(y, s, 0.0, 0.0, trend, e);
    if !trend {
        // a_t = (1 − α)^{t−1}.
        let (mut a, mut saa, mut sae) = (1.0, 0.0, 0.0);
        for &et in e.iter() {
            saa += a * a;
            sae += a * et;
            a *= 1.0 - s.alpha;
        }
        return (saa > 0.0).then(|| (sae / saa, 0.0));
    }
    // D = [[1 − α, φ − αφ], [−β, φ − βφ]]; a_t′ = w′ M_{t−1}, M_0 = I, M_t = D M_{t−1}.
    let beta = s.trend_gain();
    let d = [
        [1.0 - s.alpha, s.phi * (1.0 - s.alpha)],
        [-beta, s.phi * (1.0 - beta)],
    ];
    let mut m = [[1.0, 0.0], [0.0, 1.0]];
    let (mut s11, mut s12, mut s22, mut r1, mut r2) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for &et in e.iter() {
        let a1 = m[0][0] + s.phi * m[1][0];
        let a2 = m[0][1] + s.phi * m[1][1];
        s11 += a1 * a1;
        s12 += a1 * a2;
        s22 += a2 * a2;
        r1 += a1 * et;
        r2 += a2 * et;
        m = [
            [
                d[0][0] * m[0][0] + d[0][1] * m[1][0],
                d[0][0] * m[0][1] + d[0][1] * m[1][1],
            ],
            [
                d[1][0] * m[0][0] + d[1][1] * m[1][0],
                d[1][0] * m[0][1] + d[1][1] * m[1][1],
            ],
        ];
    }
    let det = s11 * s22 - s12 * s12;
    if !(det.is_finite() && det > 1e-12 * s11 * s22) {
        return None;
    }
    Some(((s22 * r1 - s12 * r2) / det, (s11 * r2 - s12 * r1) / det))
}

fn sigmoid(u: f64) -> f64 {
    1.0 / (1.0 + (-u).exp())
}

fn logit(p: f64) -> f64 {
    let p = p.clamp(1e-12, 1.0 - 1e-12);
    (p / (1.0 - p)).ln()
}

/// Maps the free coordinates u to smoothing parameters within bounds.
struct Space {
    spec: EtsSpec,
    lo: f64,
    hi: f64,
    phi_lo: f64,
    phi_hi: f64,
}

impl Space {
    fn new(spec: EtsSpec) -> Self {
        match spec.initial {
            Initial::Optimal => Space {
                spec,
                lo: LOWER,
                hi: UPPER,
                phi_lo: PHI_LOWER,
                phi_hi: PHI_UPPER,
            },
            Initial::Simple => Space {
                spec,
                lo: 0.0,
                hi: 1.0,
                phi_lo: 0.0,
                phi_hi: 1.0,
            },
        }
    }

    fn alpha_bounds(&self) -> (f64, f64) {
        // R raises alpha's lower bound to a fixed beta (ETS needs beta <= alpha).
        let lo = match (self.spec.initial, self.spec.beta) {
            (Initial::Optimal, Some(b)) if self.spec.trend != Trend::None => self.lo.max(b),
            _ => self.lo,
        };
        (lo, self.hi)
    }

    fn beta_upper(&self, alpha: f64) -> f64 {
        match self.spec.initial {
            Initial::Optimal => self.hi.min(alpha),
            Initial::Simple => self.hi,
        }
    }

    fn decode(&self, u: &[f64]) -> Smoothing {
        let mut k = 0;
        let mut next = |lo: f64, hi: f64| {
            let v = lo + (hi - lo) * sigmoid(u[k]);
            k += 1;
            v
        };
        let (alo, ahi) = self.alpha_bounds();
        let alpha = self.spec.alpha.unwrap_or_else(|| next(alo, ahi));
        let beta = match self.spec.trend {
            Trend::None => 0.0,
            _ => self
                .spec
                .beta
                .unwrap_or_else(|| next(self.lo, self.beta_upper(alpha))),
        };
        let phi = match self.spec.trend {
            Trend::Damped => self
                .spec
                .phi
                .unwrap_or_else(|| next(self.phi_lo, self.phi_hi)),
            _ => self.spec.phi.unwrap_or(1.0),
        };
        Smoothing {
            alpha,
            beta,
            phi,
            classical: self.spec.initial == Initial::Simple,
        }
    }

    fn encode(&self, s: Smoothing) -> Vec<f64> {
        let mut u = Vec::new();
        let frac = |v: f64, lo: f64, hi: f64| if hi > lo { (v - lo) / (hi - lo) } else { 0.5 };
        let (alo, ahi) = self.alpha_bounds();
        if self.spec.alpha.is_none() {
            u.push(logit(frac(s.alpha, alo, ahi)));
        }
        if self.spec.trend != Trend::None && self.spec.beta.is_none() {
            u.push(logit(frac(s.beta, self.lo, self.beta_upper(s.alpha))));
        }
        if self.spec.trend == Trend::Damped && self.spec.phi.is_none() {
            u.push(logit(frac(s.phi, self.phi_lo, self.phi_hi)));
        }
        u
    }
}

/// Fit an exponential smoothing model to a checked series and forecast.
pub fn fit(y: &[f64], spec: &EtsSpec, horizon: usize, levels: &[f64]) -> Result<Fit> {
    spec.check()?;
    let n = y.len();
    let trend = spec.trend != Trend::None;
    let space = Space::new(*spec);
    let mut e = vec![0.0; n];
    let simple_start = (y[0], if n > 1 { y[1] - y[0] } else { 0.0 });

    // SSE of the candidate with its initial state.
    let evaluate = |s: Smoothing, e: &mut [f64]| -> Option<(f64, f64, f64)> {
        let (l0, b0) = match spec.initial {
            Initial::Optimal => best_initial(y, s, trend, e)?,
            Initial::Simple => simple_start,
        };
        let (_, _, sse) = filter(y, s, l0, b0, trend, e);
        sse.is_finite().then_some((sse, l0, b0))
    };
    let dim = spec.n_free();
    let best = if dim == 0 {
        space.decode(&[])
    } else {
        let mut scratch = vec![0.0; n];
        let mut objective = |u: &[f64]| -> f64 {
            match evaluate(space.decode(u), &mut scratch) {
                Some((sse, _, _)) => sse,
                None => f64::INFINITY,
            }
        };
        // Starts: R's initparam values and a small grid.
        let classical = spec.initial == Initial::Simple;
        let (alo, ahi) = space.alpha_bounds();
        let r_alpha = alo + 0.2 * (ahi - alo);
        let mut starts = vec![Smoothing {
            alpha: spec.alpha.unwrap_or(r_alpha),
            beta: spec
                .beta
                .unwrap_or(space.lo + 0.1 * (r_alpha.min(space.hi) - space.lo)),
            phi: spec
                .phi
                .unwrap_or(space.phi_lo + 0.99 * (space.phi_hi - space.phi_lo)),
            classical,
        }];
        for &a in &[0.1, 0.5, 0.95] {
            for &bf in &[0.05, 0.5, 0.95] {
                for &pf in &[0.1, 0.9] {
                    let alpha = spec.alpha.unwrap_or(alo + a * (ahi - alo));
                    starts.push(Smoothing {
                        alpha,
                        beta: spec
                            .beta
                            .unwrap_or(space.lo + bf * (space.beta_upper(alpha) - space.lo)),
                        phi: spec
                            .phi
                            .unwrap_or(space.phi_lo + pf * (space.phi_hi - space.phi_lo)),
                        classical,
                    });
                }
            }
        }
        let mut best_u: Option<(Vec<f64>, f64)> = None;
        let mut scored: Vec<(f64, Vec<f64>)> = starts
            .iter()
            .map(|&s| {
                let u = space.encode(s);
                (objective(&u), u)
            })
            .collect();
        scored.sort_by(|a, b| a.0.total_cmp(&b.0));
        for (_, u) in scored.into_iter().take(2) {
            let m = nelder_mead(&mut objective, &u, &vec![0.5; dim], 1e-13, 1e-7, 4000);
            if best_u.as_ref().is_none_or(|(_, v)| m.value < *v) {
                best_u = Some((m.x, m.value));
            }
        }
        match best_u {
            Some((u, v)) if v.is_finite() => space.decode(&u),
            _ => {
                return Err(Error::Convergence {
                    what: spec.name(),
                    reason: "no parameter value gave a finite sum of squared errors".into(),
                    hint: "check the series for extreme values, or fix alpha/beta".into(),
                })
            }
        }
    };
    let Some((sse, l0, b0)) = evaluate(best, &mut e) else {
        return Err(Error::Convergence {
            what: spec.name(),
            reason: "the initial states could not be estimated (singular least squares)".into(),
            hint: "use more observations, fix the smoothing parameters, or initial='simple'".into(),
        });
    };
    let (ln, bn, _) = filter(y, best, l0, b0, trend, &mut e);
    let nf = n as f64;
    let n_smooth = 1 + usize::from(trend) + usize::from(spec.trend == Trend::Damped);
    let criteria = match spec.initial {
        Initial::Optimal => {
            let k_all = n_smooth + spec.n_states();
            let sigma2 = sse / (nf - k_all as f64);
            let loglik = -0.5 * nf * sse.ln();
            Criteria::from_loglik(loglik, spec.n_free() + spec.n_states() + 1, n, sigma2)
        }
        Initial::Simple => Criteria {
            sigma2: sse / nf,
            ..Criteria::NONE
        },
    };
    // Forecast means and class-1 variances.
    let phi = best.phi;
    let mut mean = Vec::with_capacity(horizon);
    let mut var = Vec::with_capacity(horizon);
    let (mut damp, mut cum_c2) = (0.0, 0.0);
    let mut phi_pow = 1.0;
    for _ in 0..horizon {
        phi_pow *= phi;
        damp += phi_pow; // φ + … + φ^h
        mean.push(ln + if trend { damp * bn } else { 0.0 });
        var.push(criteria.sigma2 * (1.0 + cum_c2));
        // c_h = α + β (φ + … + φ^h) for the next step's variance (R uses β* here
        // for the classical recursions, see the module docs).
        let c = best.alpha + if trend { best.beta * damp } else { 0.0 };
        cum_c2 += c * c;
    }
    let sd: Vec<f64> = var.iter().map(|v| v.sqrt()).collect();
    let (lower, upper) = normal_intervals(&mean, &sd, levels);
    let fitted: Vec<f64> = y.iter().zip(&e).map(|(v, err)| v - err).collect();
    let nan = f64::NAN;
    let params = vec![
        best.alpha,
        if trend { best.beta } else { nan },
        if spec.trend == Trend::Damped || spec.phi.is_some() && trend {
            phi
        } else {
            nan
        },
        l0,
        if trend { b0 } else { nan },
    ];
    Ok(Fit {
        accuracy: Accuracy::new(y, &e),
        fitted,
        residuals: e,
        mean,
        lower,
        upper,
        std_err: vec![f64::NAN; params.len()],
        coef_df: f64::INFINITY,
        params,
        criteria,
        grey: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(trend: Trend) -> EtsSpec {
        EtsSpec {
            trend,
            initial: Initial::Optimal,
            alpha: None,
            beta: None,
            phi: None,
        }
    }

    #[test]
    fn concentrated_initial_state_is_the_least_squares_one() {
        let y = [3.0, 3.4, 3.1, 3.9, 4.2, 4.0, 4.8, 5.1, 5.0, 5.6];
        let s = Smoothing {
            alpha: 0.4,
            beta: 0.1,
            phi: 0.9,
            classical: false,
        };
        let mut e = vec![0.0; y.len()];
        let (l0, b0) = best_initial(&y, s, true, &mut e).unwrap();
        let (_, _, best) = filter(&y, s, l0, b0, true, &mut e);
        for (dl, db) in [(1e-3, 0.0), (-1e-3, 0.0), (0.0, 1e-3), (0.0, -1e-3)] {
            let (_, _, other) = filter(&y, s, l0 + dl, b0 + db, true, &mut e);
            assert!(other > best);
        }
    }

    #[test]
    fn holt_on_a_straight_line_forecasts_the_line() {
        let y: Vec<f64> = (0..12).map(|t| 2.0 + 0.5 * t as f64).collect();
        let f = fit(&y, &spec(Trend::Additive), 3, &[0.95]).unwrap();
        assert!(
            (f.mean[2] - (2.0 + 0.5 * 14.0)).abs() < 1e-6,
            "{:?}",
            f.mean
        );
    }

    #[test]
    fn simple_initial_fixed_parameters() {
        let y = [1.0, 2.0, 4.0, 5.0];
        let s = EtsSpec {
            trend: Trend::Additive,
            initial: Initial::Simple,
            alpha: Some(0.5),
            beta: Some(0.5),
            phi: None,
        };
        let f = fit(&y, &s, 1, &[0.8]).unwrap();
        // l0 = 1, b0 = 1: first one-step forecast is 2.
        assert_eq!(f.fitted[0], 2.0);
        assert_eq!(f.params[3], 1.0);
    }
}
