//! Binomial probabilities to full relative precision: the density by Loader's
//! saddle-point expansion, tail sums from the tail's end inwards, and exact
//! (Clopper-Pearson) limits of a binomial proportion by bisection on those tails.
//!
//! These serve the exact comparison of two Poisson counts (conditional on their sum the
//! first is binomial), where the counts can be large: the regularised incomplete beta
//! function of `statrs` stops after 140 continued-fraction terms, too few beyond a few
//! thousand events.
//!
//! Reference: Loader C (2000). Fast and accurate computation of binomial
//! probabilities. <https://www.r-project.org/doc/reports/CLoader-dbinom-2002.pdf>

use crate::density::Alternative;

/// `ln Γ(n + 1) − (n + ½) ln n + n − ln √(2π)` for whole numbers 1..=15 (computed to 40
/// digits), the error of Stirling's formula for n!.
#[allow(clippy::excessive_precision)]
const STIRLING_ERROR: [f64; 15] = [
    0.081_061_466_795_327_258_22,
    0.041_340_695_955_409_294_094,
    0.027_677_925_684_998_339_149,
    0.020_790_672_103_765_093_112,
    0.016_644_691_189_821_192_163,
    0.013_876_128_823_070_747_999,
    0.011_896_709_945_891_770_095,
    0.010_411_265_261_972_096_497,
    0.009_255_462_182_712_732_917_7,
    0.008_330_563_433_362_871_256_5,
    0.007_573_675_487_951_840_795,
    0.006_942_840_107_209_529_865_7,
    0.006_408_994_188_004_207_068_4,
    0.005_951_370_112_758_847_735_6,
    0.005_554_733_551_962_801_371,
];

/// Stirling's error for a whole number `n >= 1`: the table up to 15, the asymptotic
/// series `1/(12n) − 1/(360n³) + 1/(1260n⁵) − ...` beyond.
fn stirling_error(n: f64) -> f64 {
    if n <= 15.0 {
        return STIRLING_ERROR[(n as usize).saturating_sub(1).min(14)];
    }
    let (s0, s1, s2, s3, s4) = (
        1.0 / 12.0,
        1.0 / 360.0,
        1.0 / 1260.0,
        1.0 / 1680.0,
        1.0 / 1188.0,
    );
    let nn = n * n;
    if n > 500.0 {
        (s0 - s1 / nn) / n
    } else if n > 80.0 {
        (s0 - (s1 - s2 / nn) / nn) / n
    } else if n > 35.0 {
        (s0 - (s1 - (s2 - s3 / nn) / nn) / nn) / n
    } else {
        (s0 - (s1 - (s2 - (s3 - s4 / nn) / nn) / nn) / nn) / n
    }
}

/// Loader's deviance term `x ln(x / m) + m − x`, by its series when x is near m (where
/// the closed form cancels).
fn bd0(x: f64, m: f64) -> f64 {
    if (x - m).abs() < 0.1 * (x + m) {
        let mut v = (x - m) / (x + m);
        let mut s = (x - m) * v;
        let mut ej = 2.0 * x * v;
        v *= v;
        for j in 1..1000 {
            ej *= v;
            let next = s + ej / f64::from(2 * j + 1);
            if next == s {
                return next;
            }
            s = next;
        }
        return s;
    }
    x * (x / m).ln() + m - x
}

/// Binomial probability P(X = k) for X ~ Bin(n, p), `q = 1 − p` given separately so
/// that p near 1 keeps its precision. `k` and `n` are whole numbers, 0 <= k <= n.
pub fn dbinom(k: f64, n: f64, p: f64, q: f64) -> f64 {
    if p == 0.0 {
        return if k == 0.0 { 1.0 } else { 0.0 };
    }
    if q == 0.0 {
        return if k == n { 1.0 } else { 0.0 };
    }
    if k < 0.0 || k > n {
        return 0.0;
    }
    if k == 0.0 {
        if n == 0.0 {
            return 1.0;
        }
        let lc = if p < 0.1 {
            -bd0(n, n * q) - n * p
        } else {
            n * q.ln()
        };
        return lc.exp();
    }
    if k == n {
        let lc = if q < 0.1 {
            -bd0(n, n * p) - n * q
        } else {
            n * p.ln()
        };
        return lc.exp();
    }
    let lc = stirling_error(n)
        - stirling_error(k)
        - stirling_error(n - k)
        - bd0(k, n * p)
        - bd0(n - k, n * q);
    let lf = (2.0 * std::f64::consts::PI).ln() + k.ln() + (-k / n).ln_1p();
    (lc - 0.5 * lf).exp()
}

/// Sum of the terms from `start` (whose probability is `first`) stepping by `dir`
/// (−1 or +1) while they stay in [0, n] and matter (each term below 1e-17 of the sum
/// ends it, once the terms decrease). The ratio of neighbouring terms is
/// P(i − 1)/P(i) = i/(n − i + 1) · q/p.
fn tail_sum(start: f64, first: f64, n: f64, p: f64, q: f64, dir: f64) -> f64 {
    let mut sum = first;
    let mut term = first;
    let mut i = start;
    let odds = q / p;
    loop {
        let next = i + dir;
        if next < 0.0 || next > n {
            break;
        }
        let ratio = if dir < 0.0 {
            i / (n - i + 1.0) * odds
        } else {
            (n - i) / (i + 1.0) / odds
        };
        term *= ratio;
        i = next;
        sum += term;
        if term <= sum * 1e-17 && ratio < 1.0 {
            break;
        }
    }
    sum
}

/// Lower tail P(X <= k) for X ~ Bin(n, p) with q = 1 − p: summed from k downwards when
/// k is at most the mean (where the terms only decrease), else 1 − P(X >= k + 1).
pub fn pbinom_lower(k: f64, n: f64, p: f64, q: f64) -> f64 {
    if k < 0.0 {
        return 0.0;
    }
    if k >= n {
        return 1.0;
    }
    if k <= n * p {
        tail_sum(k, dbinom(k, n, p, q), n, p, q, -1.0)
    } else {
        (1.0 - pbinom_upper(k + 1.0, n, p, q)).max(0.0)
    }
}

/// Upper tail P(X >= k) for X ~ Bin(n, p) with q = 1 − p (see [`pbinom_lower`]).
pub fn pbinom_upper(k: f64, n: f64, p: f64, q: f64) -> f64 {
    if k <= 0.0 {
        return 1.0;
    }
    if k > n {
        return 0.0;
    }
    if k >= n * p {
        tail_sum(k, dbinom(k, n, p, q), n, p, q, 1.0)
    } else {
        (1.0 - pbinom_lower(k - 1.0, n, p, q)).max(0.0)
    }
}

/// p = 1/(1 + e^−z) and q = 1 − p = 1/(1 + e^z), each to full relative precision.
fn logistic(z: f64) -> (f64, f64) {
    (1.0 / (1.0 + (-z).exp()), 1.0 / (1.0 + z.exp()))
}

/// The log-odds z at which the decreasing function `f(p, q)` of the success probability
/// (given as z) equals `target`, by bisection on z ∈ [−1500, 1500] until the bracket
/// stops shrinking (about 1e-15 of z).
fn solve_log_odds(target: f64, f: impl Fn(f64, f64) -> f64) -> f64 {
    let (mut lo, mut hi) = (-1500.0_f64, 1500.0_f64);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        let (p, q) = logistic(mid);
        if f(p, q) > target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// Clopper-Pearson limits of a binomial proportion, returned as odds p/(1 − p) (which
/// keeps their precision near p = 1): the lower limit solves P(X >= x; n, p) = `alpha`
/// (0 when x = 0), the upper P(X <= x; n, p) = `alpha` (∞ when x = n). These are R's
/// `qbeta(alpha, x, n − x + 1)` and `qbeta(1 − alpha, x + 1, n − x)`, the limits of
/// `binom.test`, with `alpha` the probability in each tail.
///
/// Reference: Clopper CJ, Pearson ES (1934). The use of confidence or fiducial limits
/// illustrated in the case of the binomial. Biometrika 26:404-413.
pub fn clopper_pearson_odds(x: f64, n: f64, alpha_lower: f64, alpha_upper: f64) -> (f64, f64) {
    let lower = if x <= 0.0 {
        0.0
    } else {
        // P(X >= x) increases with p: solve on its negative.
        solve_log_odds(-alpha_lower, |p, q| -pbinom_upper(x, n, p, q)).exp()
    };
    let upper = if x >= n {
        f64::INFINITY
    } else {
        solve_log_odds(alpha_upper, |p, q| pbinom_lower(x, n, p, q)).exp()
    };
    (lower, upper)
}

/// Exact binomial test of x successes in n trials against success probability p (with
/// q = 1 − p), as R's `binom.test`: "less" P(X <= x), "greater" P(X >= x), and
/// "two-sided" the probability of the outcomes no more likely than x (a relative
/// tolerance of 1e-7 on the comparison, as R), capped at 1. The outcomes on the far side
/// of the mean are found by bisection (the density is monotone there), not by listing
/// them.
pub fn binom_test_p(x: f64, n: f64, p: f64, q: f64, alternative: Alternative) -> f64 {
    let pv = match alternative {
        Alternative::Less => pbinom_lower(x, n, p, q),
        Alternative::Greater => pbinom_upper(x, n, p, q),
        Alternative::TwoSided => {
            let d = dbinom(x, n, p, q) * (1.0 + 1e-7);
            let m = n * p;
            if x == m {
                1.0
            } else if x < m {
                // First j in [ceil(m), n] with P(X = j) <= d (non-increasing there).
                let (mut lo, mut hi) = (m.ceil(), n + 1.0);
                while lo < hi {
                    let mid = (0.5 * (lo + hi)).floor();
                    if dbinom(mid, n, p, q) <= d {
                        hi = mid;
                    } else {
                        lo = mid + 1.0;
                    }
                }
                pbinom_lower(x, n, p, q)
                    + if lo <= n {
                        pbinom_upper(lo, n, p, q)
                    } else {
                        0.0
                    }
            } else {
                // Last j in [0, floor(m)] with P(X = j) <= d (non-decreasing there).
                let (mut lo, mut hi) = (-1.0, m.floor());
                while lo < hi {
                    let mid = (0.5 * (lo + hi + 1.0)).floor();
                    if dbinom(mid, n, p, q) <= d {
                        lo = mid;
                    } else {
                        hi = mid - 1.0;
                    }
                }
                (if lo >= 0.0 {
                    pbinom_lower(lo, n, p, q)
                } else {
                    0.0
                }) + pbinom_upper(x, n, p, q)
            }
        }
    };
    pv.min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn choose_pmf(k: u32, n: u32, p: f64) -> f64 {
        let mut c = 1.0;
        for i in 0..k {
            c *= f64::from(n - i) / f64::from(i + 1);
        }
        c * p.powi(k as i32) * (1.0 - p).powi((n - k) as i32)
    }

    #[test]
    fn density_and_tails_match_direct_sums() {
        for &(n, p) in &[(10u32, 0.3), (25, 0.5), (40, 0.05), (60, 0.93)] {
            let q = 1.0 - p;
            let mut cum = 0.0;
            for k in 0..=n {
                let want = choose_pmf(k, n, p);
                let got = dbinom(f64::from(k), f64::from(n), p, q);
                assert!((got - want).abs() <= 1e-13 * want, "{n} {p} {k}");
                cum += want;
                let lower = pbinom_lower(f64::from(k), f64::from(n), p, q);
                assert!((lower - cum.min(1.0)).abs() <= 1e-12 * cum, "{n} {p} {k}");
                let upper = pbinom_upper(f64::from(k) + 1.0, f64::from(n), p, q);
                assert!((upper - (1.0 - cum).max(0.0)).abs() <= 1e-12, "{n} {p} {k}");
            }
        }
    }

    #[test]
    fn limits_solve_their_tails() {
        let (lo, hi) = clopper_pearson_odds(7.0, 20.0, 0.025, 0.025);
        let pl = lo / (1.0 + lo);
        let pu = hi / (1.0 + hi);
        assert!((pbinom_upper(7.0, 20.0, pl, 1.0 - pl) - 0.025).abs() < 1e-14);
        assert!((pbinom_lower(7.0, 20.0, pu, 1.0 - pu) - 0.025).abs() < 1e-14);
        assert_eq!(clopper_pearson_odds(0.0, 5.0, 0.05, 0.05).0, 0.0);
        assert!(clopper_pearson_odds(5.0, 5.0, 0.05, 0.05).1.is_infinite());
    }
}
