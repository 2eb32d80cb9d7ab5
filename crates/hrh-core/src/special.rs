//! Special functions and quantiles not offered (or not offered precisely enough) by
//! `statrs`.

use statrs::function::beta::beta_reg;
use statrs::function::erf::{erfc, erfc_inv};
use statrs::function::gamma::{gamma_lr, gamma_ur, ln_gamma};

/// Quantile of the standard normal distribution, `Φ⁻¹(p)`.
///
/// Computed as `-√2 · erfc⁻¹(2p)`; `p` outside (0, 1) gives ±∞ or NaN.
pub fn qnorm(p: f64) -> f64 {
    if p <= 0.0 {
        return if p == 0.0 {
            f64::NEG_INFINITY
        } else {
            f64::NAN
        };
    }
    if p >= 1.0 {
        return if p == 1.0 { f64::INFINITY } else { f64::NAN };
    }
    -std::f64::consts::SQRT_2 * erfc_inv(2.0 * p)
}

/// Quantile of the Gamma(shape, rate = 1) distribution: the `x` with
/// `P(shape, x) = p`, where `P` is the regularised lower incomplete gamma function
/// (R's `qgamma(p, shape)`).
///
/// Halley steps on `P` (or on the upper tail `Q` when `p > 0.5`, which keeps relative
/// precision for upper quantiles) inside a bisection bracket; converges to about 1e-14
/// relative. `shape` must be > 0 and `p` in [0, 1]; otherwise NaN.
pub fn qgamma(p: f64, shape: f64) -> f64 {
    if shape.is_nan() || shape <= 0.0 || !(0.0..=1.0).contains(&p) || !shape.is_finite() {
        return f64::NAN;
    }
    if p == 0.0 {
        return 0.0;
    }
    if p == 1.0 {
        return f64::INFINITY;
    }
    if shape >= TEMME_FROM {
        return qgamma_large(p, shape);
    }
    let upper = p > 0.5;
    let target = if upper { 1.0 - p } else { p };
    let lg = ln_gamma(shape);
    // f(x) increasing in x, zero at the quantile.
    let f = |x: f64| {
        if upper {
            target - gamma_ur(shape, x)
        } else {
            gamma_lr(shape, x) - target
        }
    };
    let density = |x: f64| ((shape - 1.0) * x.ln() - x - lg).exp();

    // Initial guess: Wilson-Hilferty, or the small-x series for small shape / tiny p.
    let z = qnorm(p);
    let c = 1.0 / (9.0 * shape);
    let wh = shape * (1.0 - c + z * c.sqrt()).powi(3);
    let small = (p * (ln_gamma(shape + 1.0)).exp()).powf(1.0 / shape);
    let mut x = if wh > 0.0 && shape > 0.5 {
        wh
    } else {
        small.max(1e-300)
    };

    // Bracket.
    let mut lo = 0.0_f64;
    let mut hi = f64::INFINITY;
    for _ in 0..400 {
        let fx = f(x);
        if fx == 0.0 {
            return x;
        }
        if fx < 0.0 {
            lo = x;
        } else {
            hi = x;
        }
        let d = density(x);
        // Halley step: f'' / f' = (shape - 1) / x - 1 for the gamma density.
        let mut next = if d > 0.0 && d.is_finite() {
            let newton = fx / d;
            let curvature = (shape - 1.0) / x - 1.0;
            let denom = 1.0 - 0.5 * newton * curvature;
            if denom > 0.5 {
                x - newton / denom
            } else {
                x - newton
            }
        } else {
            f64::NAN
        };
        if !(next > lo && next < hi) {
            next = if hi.is_finite() {
                0.5 * (lo + hi)
            } else {
                2.0 * x.max(1.0)
            };
        }
        if (next - x).abs() <= 1e-15 * x.abs().max(1e-300) {
            return next;
        }
        if hi.is_finite() && (hi - lo) <= 1e-15 * hi {
            return 0.5 * (lo + hi);
        }
        x = next;
    }
    x
}

/// Upper tail P(X > x) of the chi-squared distribution with `df` degrees of freedom;
/// with `df = 0` the distribution is a point mass at 0 (0 for any x > 0), and a negative
/// or non-finite `df` gives NaN.
pub fn chisq_sf(x: f64, df: f64) -> f64 {
    if x.is_nan() || !df.is_finite() || df < 0.0 {
        return f64::NAN;
    }
    if x <= 0.0 {
        return 1.0;
    }
    if df == 0.0 {
        return 0.0;
    }
    gamma_ur(0.5 * df, 0.5 * x)
}

/// Two-sided normal p-value 2 (1 − Φ(|z|)) = erfc(|z| / √2).
pub fn normal_two_sided_p(z: f64) -> f64 {
    erfc(z.abs() / std::f64::consts::SQRT_2)
}

/// Two-sided p-value of Student's t, 2 P(T > |t|) with `df` degrees of freedom.
pub fn t_two_sided_p(t: f64, df: f64) -> f64 {
    if t.is_nan() {
        return f64::NAN;
    }
    2.0 * t_upper(t.abs(), df)
}

/// Upper tail of Student's t distribution, `P(T > t)` for `t >= 0`.
fn t_upper(t: f64, df: f64) -> f64 {
    0.5 * beta_reg(0.5 * df, 0.5, df / (df + t * t))
}

/// Quantile of Student's t distribution with `df` > 0 degrees of freedom (R's
/// `qt(p, df)`).
///
/// Newton steps on the upper tail `P(T > t) = I_{ν/(ν+t²)}(ν/2, 1/2) / 2` (regularised
/// incomplete beta), from the normal quantile, kept inside a bisection bracket;
/// converges to about 1e-14 relative.
pub fn qt(p: f64, df: f64) -> f64 {
    if df.is_nan() || df <= 0.0 || !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    if p == 0.5 {
        return 0.0;
    }
    if p < 0.5 {
        return -qt(1.0 - p, df);
    }
    if p == 1.0 {
        return f64::INFINITY;
    }
    if df.is_infinite() {
        return qnorm(p);
    }
    let target = 1.0 - p;
    let lc =
        ln_gamma(0.5 * (df + 1.0)) - ln_gamma(0.5 * df) - 0.5 * (df * std::f64::consts::PI).ln();
    let density = |t: f64| (lc - 0.5 * (df + 1.0) * (1.0 + t * t / df).ln()).exp();
    let (mut lo, mut hi) = (0.0_f64, f64::INFINITY);
    let mut t = qnorm(p).max(1e-3);
    for _ in 0..200 {
        let q = t_upper(t, df);
        if q > target {
            lo = t;
        } else {
            hi = t;
        }
        let mut next = t + (q - target) / density(t);
        if !(next > lo && next < hi && next.is_finite()) {
            next = if hi.is_finite() {
                0.5 * (lo + hi)
            } else {
                2.0 * t + 1.0
            };
        }
        if (next - t).abs() <= 1e-15 * next.abs() {
            return next;
        }
        t = next;
    }
    t
}

/// Shapes from which [`qgamma`] uses Temme's uniform asymptotic expansion: its first
/// omitted term moves a quantile by about `8e-4 / shape^3` of itself (8e-13 here).
const TEMME_FROM: f64 = 1000.0;

/// `λ - 1 - ln λ` for `t = λ - 1 > -1`, without cancellation near `t = 0`.
fn t_minus_log1p(t: f64) -> f64 {
    if t.abs() < 0.05 {
        // t^2/2 - t^3/3 + t^4/4 - ...: 18 terms reach 1e-25 of t^2 at |t| = 0.05.
        let mut term = t * t;
        let mut sum = 0.0;
        for k in 2..20 {
            sum += term / k as f64 * if k % 2 == 0 { 1.0 } else { -1.0 };
            term *= t;
        }
        sum
    } else {
        t - t.ln_1p()
    }
}

/// Horner evaluation of `c[0] + c[1] x + ...`.
fn poly(c: &[f64], x: f64) -> f64 {
    c.iter().rev().fold(0.0, |acc, &k| acc * x + k)
}

/// The coefficients `C_0(η)` and `C_1(η)` of Temme's expansion, with `t = λ - 1`; their
/// Taylor series in η near 0 (where the closed forms cancel), derived symbolically.
fn temme_c(eta: f64, t: f64) -> (f64, f64) {
    const C0: [f64; 11] = [
        -1.0 / 3.0,
        1.0 / 12.0,
        -2.0 / 135.0,
        1.0 / 864.0,
        1.0 / 2835.0,
        -139.0 / 777600.0,
        1.0 / 25515.0,
        -571.0 / 261273600.0,
        -281.0 / 151559100.0,
        163879.0 / 197522841600.0,
        -5221.0 / 29554024500.0,
    ];
    const C1: [f64; 11] = [
        -1.0 / 540.0,
        -1.0 / 288.0,
        1.0 / 378.0,
        -77.0 / 77760.0,
        1.0 / 4860.0,
        -1.0 / 2488320.0,
        -2743.0 / 151559100.0,
        41969.0 / 5486745600.0,
        -11.0 / 6823440.0,
        47207.0 / 10158317568000.0,
        3761.0 / 27280638000.0,
    ];
    if eta.abs() < 0.25 {
        (poly(&C0, eta), poly(&C1, eta))
    } else {
        let c0 = 1.0 / t - 1.0 / eta;
        let c1 = 1.0 / (eta * eta * eta) - 1.0 / (t * t * t) - 1.0 / (t * t) - 1.0 / (12.0 * t);
        (c0, c1)
    }
}

/// `ln Γ*(a)`, `Γ*(a) = Γ(a) / (√(2π) a^(a - 1/2) e^-a)`, by Stirling's series (a >= 1000:
/// the omitted term is below 1e-20).
fn ln_gamma_star(a: f64) -> f64 {
    let r = 1.0 / a;
    let r2 = r * r;
    r * (1.0 / 12.0 - r2 * (1.0 / 360.0 - r2 * (1.0 / 1260.0 - r2 / 1680.0)))
}

/// For shape `a` >= [`TEMME_FROM`] and `x > 0`: the lower and upper regularised incomplete
/// gamma functions `(P, Q)` and the Gamma(a) density at `x`, in constant time, by Temme's
/// uniform asymptotic expansion: with `λ = x / a` and `η² / 2 = λ - 1 - ln λ` (η of the
/// sign of λ - 1),
/// `Q = erfc(η √(a/2)) / 2 + e^(-aη²/2) / √(2πa) (C_0(η) + C_1(η) / a)`.
///
/// Reference: Temme, N. M. (1979). The asymptotic expansion of the incomplete gamma
/// functions. SIAM J. Math. Anal. 10(4), 757-766; DiDonato, A. R. and Morris, A. H.
/// (1986). Computation of the incomplete gamma function ratios and their inverse. ACM
/// TOMS 12(4), 377-393.
fn gamma_pq_large(a: f64, x: f64) -> (f64, f64, f64) {
    let t = x / a - 1.0;
    let half_eta2 = t_minus_log1p(t);
    let eta = (2.0 * half_eta2).sqrt().copysign(t);
    let (c0, c1) = temme_c(eta, t);
    let e = (-a * half_eta2).exp();
    let r = e / (2.0 * std::f64::consts::PI * a).sqrt() * (c0 + c1 / a);
    let z = eta * (0.5 * a).sqrt();
    let q = 0.5 * erfc(z) + r;
    let p = 0.5 * erfc(-z) - r;
    // x^(a-1) e^-x / Γ(a) = e^(-a η²/2) √(a / 2π) / (x Γ*(a)).
    let density = e * (a / (2.0 * std::f64::consts::PI)).sqrt() / (x * ln_gamma_star(a).exp());
    (p, q, density)
}

/// [`qgamma`] for large shapes: Newton steps on the smaller tail from the normal
/// approximation's quantile (three or four steps reach the bracket's precision).
fn qgamma_large(p: f64, a: f64) -> f64 {
    let upper = p > 0.5;
    let target = if upper { 1.0 - p } else { p };
    let sd = a.sqrt();
    // Wilson-Hilferty start.
    let z = qnorm(p);
    let c = 1.0 / (9.0 * a);
    let mut x = a * (1.0 - c + z * c.sqrt()).powi(3);
    // (NaN-safe: a start that is not positive falls back to the normal quantile.)
    if x.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
        x = (a + z * sd).max(a * 1e-3);
    }
    for _ in 0..50 {
        let (pl, qu, d) = gamma_pq_large(a, x);
        // f(x) = P - p (or p's upper tail - Q), increasing in x.
        let f = if upper { target - qu } else { pl - target };
        if d <= 0.0 || !d.is_finite() {
            break;
        }
        let step = f / d;
        let next = (x - step).max(0.5 * x);
        if (next - x).abs() <= 4.0 * f64::EPSILON * x {
            return next;
        }
        x = next;
    }
    x
}

/// Quantile of the Beta(a, b) distribution (R's `qbeta(p, a, b)`): the `x` with
/// `I_x(a, b) = p`, by bisection on the regularised incomplete beta function (on the
/// upper tail `1 - I_x` for `p > 0.5`, and on `log x` below 1e-3, so that small
/// quantiles keep their relative precision) until the bracket is one ulp wide. `a` and
/// `b` must be finite and > 0 and `p` in [0, 1]; otherwise NaN.
pub fn qbeta(p: f64, a: f64, b: f64) -> f64 {
    let ok = |v: f64| v.is_finite() && v > 0.0;
    if !(ok(a) && ok(b) && (0.0..=1.0).contains(&p)) {
        return f64::NAN;
    }
    if p == 0.0 || p == 1.0 {
        return p;
    }
    // f(x) increases in x and is 0 at the quantile.
    let f = |x: f64| {
        if p <= 0.5 {
            beta_reg(a, b, x) - p
        } else {
            (1.0 - p) - (1.0 - beta_reg(a, b, x))
        }
    };
    let (mut lo, mut hi) = (0.0_f64, 1.0_f64);
    // Shrink the lower end geometrically first: quantiles can be as small as 1e-300.
    let mut x = 0.5;
    while x > 1e-300 && f(x) > 0.0 {
        hi = x;
        x *= 1e-3;
    }
    if x > 1e-300 {
        lo = x;
    }
    for _ in 0..2000 {
        let mid = if lo > 0.0 && hi / lo > 4.0 {
            (lo * hi).sqrt()
        } else {
            0.5 * (lo + hi)
        };
        if mid <= lo || mid >= hi {
            break;
        }
        if f(mid) > 0.0 {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    0.5 * (lo + hi)
}

/// Quantile of the chi-squared distribution with `df` degrees of freedom.
pub fn qchisq(p: f64, df: f64) -> f64 {
    2.0 * qgamma(p, 0.5 * df)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        ((a - b) / b).abs() < tol
    }

    #[test]
    fn normal_quantiles() {
        assert!(close(qnorm(0.975), 1.959_963_984_540_054, 1e-14));
        assert!(close(qnorm(0.025), -1.959_963_984_540_054, 1e-14));
        assert_eq!(qnorm(0.5), 0.0);
    }

    #[test]
    fn gamma_quantiles_invert_the_cdf() {
        for &shape in &[1e-3_f64, 0.1, 0.5, 1.0, 2.5, 10.0, 277.0, 1e4, 1e7] {
            for &p in &[1e-12_f64, 1e-4, 0.025, 0.3, 0.5, 0.7, 0.975, 1.0 - 1e-9] {
                if p.powf(1.0 / shape) < 1e-290 {
                    continue; // the quantile underflows f64
                }
                let x = qgamma(p, shape);
                let back = if p > 0.5 {
                    1.0 - gamma_ur(shape, x)
                } else {
                    gamma_lr(shape, x)
                };
                // statrs' incomplete gamma itself is good to about 1e-8 relative in
                // the far tail of very large shapes.
                let tol = if shape > 1e5 { 1e-7 } else { 1e-9 };
                assert!(
                    ((back - p) / p).abs() < tol,
                    "shape {shape} p {p}: x {x} gives {back}"
                );
            }
        }
    }

    #[test]
    fn exponential_closed_form() {
        // Gamma(1, 1) is Exp(1): q = -ln(1 - p).
        for &p in &[0.01, 0.5, 0.99] {
            assert!(close(qgamma(p, 1.0), -(1.0 - p).ln(), 1e-12));
        }
    }

    #[test]
    fn t_quantiles() {
        // R: qt(0.975, 2), qt(0.9, 87), qt(0.025, 10)
        assert!(close(qt(0.975, 2.0), 4.302_652_729_749_462, 1e-13));
        assert!(close(qt(0.9, 87.0), 1.291_358_243_324_779, 1e-12));
        assert!(close(qt(0.025, 10.0), -2.228_138_851_986_274, 1e-13));
    }

    #[test]
    fn chisq_with_zero_or_bad_df_does_not_panic() {
        assert_eq!(chisq_sf(3.0, 0.0), 0.0);
        assert_eq!(chisq_sf(0.0, 0.0), 1.0);
        assert!(chisq_sf(3.0, -1.0).is_nan());
        assert!(chisq_sf(3.0, f64::NAN).is_nan());
        assert!(chisq_sf(3.0, f64::INFINITY).is_nan());
    }

    #[test]
    fn chisq_known_values() {
        // R: qchisq(0.95, 1) = 3.841458820694124
        assert!(close(qchisq(0.95, 1.0), 3.841_458_820_694_124, 1e-12));
    }
}
