//! The grey model GM(1,1) with its posterior-error check.
//!
//! For a positive series x⁰(1..n): the accumulated series x¹(k) = Σ_{i≤k} x⁰(i), the
//! background values z(k) = ½ (x¹(k) + x¹(k−1)) for k = 2..n, and the development
//! coefficient a and grey input b by least squares on the grey differential equation
//! x⁰(k) + a z(k) = b, k = 2..n. The time response is
//!
//! x̂¹(k+1) = (x⁰(1) − b/a) e^{−a k} + b/a,  k = 0, 1, …
//!
//! and the restored values x̂⁰(1) = x⁰(1), x̂⁰(k+1) = x̂¹(k+1) − x̂¹(k) are the fitted
//! values (k < n) and forecasts (k ≥ n). (Computed as x⁰(1) e^{−ak} −
//! b·expm1(−ak)/a, which is exact as a → 0.)
//!
//! Posterior-error check, with residuals e(k) = x⁰(k) − x̂⁰(k): S1 the standard
//! deviation of x⁰, S2 that of the residuals, the posterior-error ratio C = S2 / S1, the
//! small-error probability P = share of residuals with |e(k) − ē| < 0.6745·S1, and the
//! grade: good (C ≤ 0.35 and P ≥ 0.95), qualified (C ≤ 0.5, P ≥ 0.8), barely
//! qualified (C ≤ 0.65, P ≥ 0.7), else unqualified. Texts differ on two choices, both
//! keywords here: whether e(1) (0 by construction) is among the residuals
//! (`first_residual`, default false: k = 2..n) and whether the standard deviations
//! divide by n or n − 1 (`ddof`, default 0: by n). GM(1,1) is not a stochastic model
//! and gives no prediction intervals.
//!
//! References: Deng J-L (1982). Control problems of grey systems. Systems & Control
//! Letters 1(5):288-294. Liu S, Lin Y (2010). Grey Systems: Theory and Applications.
//! Springer (GM(1,1) and its posterior-error test).

use super::{Accuracy, Criteria, Fit};
use crate::error::{Error, Result};

/// Parameter names: development coefficient a and grey input b.
pub const PARAMS: [&str; 2] = ["a", "b"];

/// Variant choices of the posterior-error check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GreySpec {
    /// Count e(1) = 0 among the residuals of C, P and the accuracy measures.
    pub first_residual: bool,
    /// Delta degrees of freedom of S1 and S2 (0: divide by n; 1: by n − 1).
    pub ddof: u8,
}

/// Accuracy grade of the posterior-error check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GreyGrade {
    /// C ≤ 0.35 and P ≥ 0.95.
    Good,
    /// C ≤ 0.5 and P ≥ 0.8.
    Qualified,
    /// C ≤ 0.65 and P ≥ 0.7.
    Barely,
    /// Anything else.
    Unqualified,
}

impl GreyGrade {
    /// The grade from C and P.
    pub fn from_c_p(c: f64, p: f64) -> Self {
        if c <= 0.35 && p >= 0.95 {
            GreyGrade::Good
        } else if c <= 0.5 && p >= 0.8 {
            GreyGrade::Qualified
        } else if c <= 0.65 && p >= 0.7 {
            GreyGrade::Barely
        } else {
            GreyGrade::Unqualified
        }
    }

    /// `good`, `qualified`, `barely` or `unqualified`.
    pub fn as_str(&self) -> &'static str {
        match self {
            GreyGrade::Good => "good",
            GreyGrade::Qualified => "qualified",
            GreyGrade::Barely => "barely",
            GreyGrade::Unqualified => "unqualified",
        }
    }
}

/// Posterior-error ratio, small-error probability and grade.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GreyAccuracy {
    /// C = S2 / S1.
    pub c: f64,
    /// P = share of |e(k) − ē| < 0.6745 S1.
    pub p: f64,
    /// The grade.
    pub grade: GreyGrade,
}

fn sd(v: &[f64], ddof: u8) -> f64 {
    let n = v.len() as f64;
    let m = v.iter().sum::<f64>() / n;
    (v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - f64::from(ddof))).sqrt()
}

/// Fit GM(1,1) to a checked positive series (n ≥ 4) and forecast `horizon` steps.
pub fn fit(x0: &[f64], spec: &GreySpec, horizon: usize) -> Result<Fit> {
    if spec.ddof > 1 {
        return Err(Error::argument(
            "ddof",
            format!("{} is not 0 or 1", spec.ddof),
        ));
    }
    let n = x0.len();
    let mut x1 = Vec::with_capacity(n);
    let mut acc = 0.0;
    for &v in x0 {
        acc += v;
        x1.push(acc);
    }
    // Least squares of x0(k) on (−z(k), 1), k = 2..n.
    let m = (n - 1) as f64;
    let (mut sz, mut szz, mut sy, mut szy) = (0.0, 0.0, 0.0, 0.0);
    for k in 1..n {
        let z = 0.5 * (x1[k] + x1[k - 1]);
        sz += z;
        szz += z * z;
        sy += x0[k];
        szy += z * x0[k];
    }
    let det = m * szz - sz * sz;
    if !(det.is_finite() && det > 0.0) {
        return Err(Error::Convergence {
            what: "GM(1,1)".into(),
            reason: "the background values are collinear with the constant".into(),
            hint: "check the series for extreme values".into(),
        });
    }
    // Normal equations of β = (a, b) with columns (−z, 1).
    let a = -(m * szy - sz * sy) / det;
    let b = (szz * sy - sz * szy) / det;
    let response = |k: f64| -> f64 {
        let g = if a != 0.0 { -(-a * k).exp_m1() / a } else { k };
        x0[0] * (-a * k).exp() + b * g
    };
    let restored = |k: usize| -> f64 {
        if k == 0 {
            x0[0]
        } else {
            response(k as f64) - response((k - 1) as f64)
        }
    };
    let fitted: Vec<f64> = (0..n).map(restored).collect();
    let mean: Vec<f64> = (n..n + horizon).map(restored).collect();
    if fitted.iter().chain(&mean).any(|v| !v.is_finite()) {
        return Err(Error::Convergence {
            what: "GM(1,1)".into(),
            reason: format!("the time response overflows (a = {a})"),
            hint: "shorten the horizon or use another model".into(),
        });
    }
    let residuals: Vec<f64> = x0.iter().zip(&fitted).map(|(v, f)| v - f).collect();
    let start = usize::from(!spec.first_residual);
    let used = &residuals[start..];
    let s1 = sd(x0, spec.ddof);
    let s2 = sd(used, spec.ddof);
    let c = s2 / s1;
    let ebar = used.iter().sum::<f64>() / used.len() as f64;
    let p = used
        .iter()
        .filter(|e| (*e - ebar).abs() < 0.6745 * s1)
        .count() as f64
        / used.len() as f64;
    Ok(Fit {
        accuracy: Accuracy::new(&x0[start..], used),
        fitted,
        residuals,
        mean,
        lower: Vec::new(),
        upper: Vec::new(),
        params: vec![a, b],
        std_err: vec![f64::NAN; 2],
        coef_df: f64::INFINITY,
        criteria: Criteria::NONE,
        grey: Some(GreyAccuracy {
            c,
            p,
            grade: GreyGrade::from_c_p(c, p),
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn least_squares_normal_equation_holds() {
        // The least-squares identity on a short series.
        let x0 = [2.874, 3.278, 3.337, 3.390, 3.679];
        let f = fit(&x0, &GreySpec::default(), 2).unwrap();
        // The normal equations: residuals of x0(k) + a z(k) − b are orthogonal to 1.
        let (a, b) = (f.params[0], f.params[1]);
        let mut x1 = 0.0;
        let mut s = 0.0;
        for (k, &v) in x0.iter().enumerate() {
            let prev = x1;
            x1 += v;
            if k > 0 {
                s += v + a * 0.5 * (x1 + prev) - b;
            }
        }
        assert!(s.abs() < 1e-10, "{s}");
        assert_eq!(f.fitted[0], x0[0]);
        assert!(f.grey.is_some());
    }

    #[test]
    fn grades() {
        assert_eq!(GreyGrade::from_c_p(0.35, 0.95), GreyGrade::Good);
        assert_eq!(GreyGrade::from_c_p(0.36, 0.95), GreyGrade::Qualified);
        assert_eq!(GreyGrade::from_c_p(0.6, 0.75), GreyGrade::Barely);
        assert_eq!(GreyGrade::from_c_p(0.3, 0.6), GreyGrade::Unqualified);
    }
}
