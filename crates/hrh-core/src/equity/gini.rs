//! Gini coefficient and Lorenz curve.

use super::Distribution;
use crate::error::{Error, Result};

/// Lorenz curve: cumulative weight shares `p` and value shares `l` of the units sorted
/// by value, starting at (0, 0) and ending at (1, 1); `n + 1` points.
pub fn lorenz(d: &Distribution) -> (Vec<f64>, Vec<f64>) {
    let mut p = Vec::with_capacity(d.len() + 1);
    let mut l = Vec::with_capacity(d.len() + 1);
    p.push(0.0);
    l.push(0.0);
    let (mut cp, mut cl) = (0.0, 0.0);
    for (x, s) in d.sorted() {
        cp += s;
        cl += s * x / d.mean;
        p.push(cp);
        l.push(cl);
    }
    // Remove rounding drift: the curve ends at (1, 1) by definition.
    if let (Some(lp), Some(ll)) = (p.last_mut(), l.last_mut()) {
        *lp = 1.0;
        *ll = 1.0;
    }
    (p, l)
}

/// Weighted Gini coefficient G = 1 − Σ_k (P_k − P_{k−1})(L_k + L_{k−1}) on the Lorenz
/// polygon (twice the area between the diagonal and the polygon). For equal weights
/// this equals the mean absolute difference over twice the mean,
/// ΣΣ|x_i − x_j| / (2 n² μ). `corrected` multiplies by n / (n − 1) (equal weights only).
///
/// O(n log n): one sort and one scan.
///
/// Reference: Gini C (1912) Variabilità e mutabilità; the polygon form as in Brown M
/// (1994) Using Gini-style indices to evaluate the spatial patterns of health
/// practitioners. Soc Sci Med 38:1243-1256.
pub fn gini(d: &Distribution, corrected: bool, weighted: bool) -> Result<f64> {
    let (mut l_prev, mut acc, mut area) = (0.0, 0.0, 0.0);
    for (x, s) in d.sorted() {
        acc += s * x;
        area += s * (acc + l_prev);
        l_prev = acc;
    }
    // `acc` is Σ p x = μ up to rounding: dividing by it closes the curve at (1, 1).
    // Clamp the last-ulp noise of an equal distribution (e.g. -2e-16) to 0.
    let mut g = (1.0 - area / acc).max(0.0);
    if corrected {
        if weighted {
            return Err(Error::argument(
                "corrected",
                "the n/(n-1) correction applies to unweighted data only; drop the weights or corrected=True",
            ));
        }
        let n = d.len() as f64;
        if d.len() < 2 {
            return Err(Error::argument("corrected", "needs at least two units"));
        }
        g *= n / (n - 1.0);
    }
    Ok(g)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn brute(x: &[f64]) -> f64 {
        let n = x.len() as f64;
        let mu = x.iter().sum::<f64>() / n;
        let mut s = 0.0;
        for a in x {
            for b in x {
                s += (a - b).abs();
            }
        }
        s / (2.0 * n * n * mu)
    }

    #[test]
    fn unweighted_equals_mean_difference() {
        let x = [3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0];
        let d = Distribution::new(&x, None).unwrap();
        assert!((gini(&d, false, false).unwrap() - brute(&x)).abs() < 1e-15);
    }

    #[test]
    fn weights_equal_replication() {
        let d = Distribution::new(&[1.0, 2.0, 5.0], Some(&[2.0, 1.0, 3.0])).unwrap();
        let x = [1.0, 1.0, 2.0, 5.0, 5.0, 5.0];
        assert!((gini(&d, false, true).unwrap() - brute(&x)).abs() < 1e-15);
    }

    #[test]
    fn equality_and_concentration() {
        let d = Distribution::new(&[2.0; 5], None).unwrap();
        assert!(gini(&d, false, false).unwrap().abs() < 1e-15);
        let d = Distribution::new(&[0.0, 0.0, 0.0, 1.0], None).unwrap();
        assert!((gini(&d, false, false).unwrap() - 0.75).abs() < 1e-15);
        assert!((gini(&d, true, false).unwrap() - 1.0).abs() < 1e-15);
    }

    #[test]
    fn lorenz_endpoints() {
        let d = Distribution::new(&[4.0, 1.0], Some(&[1.0, 3.0])).unwrap();
        let (p, l) = lorenz(&d);
        assert_eq!((p[0], l[0]), (0.0, 0.0));
        assert_eq!((p[2], l[2]), (1.0, 1.0));
        assert!((p[1] - 0.75).abs() < 1e-15 && (l[1] - 3.0 / 7.0).abs() < 1e-15);
    }
}
