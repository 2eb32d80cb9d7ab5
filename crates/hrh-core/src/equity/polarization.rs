//! Polarization: Esteban-Ray, Wolfson and Zhang-Kanbur indices.

use super::gini::{gini, lorenz};
use super::theil::{theil, Reference, TheilKind};
use super::{check_groups, Distribution};
use crate::error::{Error, Result};

/// Esteban-Ray polarization ER(α) = Σ_i Σ_j p_i^(1+α) p_j |x_i − x_j| / μ, with
/// population shares p and the normalisation constant K = 1/μ (which makes the index
/// scale invariant). α in [0, 1.6]; α = 0 gives twice the Gini. O(n log n) with
/// prefix sums.
///
/// Reference: Esteban J-M, Ray D (1994) On the measurement of polarization.
/// Econometrica 62:819-851.
pub fn esteban_ray(d: &Distribution, alpha: f64) -> Result<f64> {
    if !(alpha.is_finite() && (0.0..=1.6).contains(&alpha)) {
        return Err(Error::argument(
            "alpha",
            format!("{alpha} is outside [0, 1.6], the range Esteban and Ray admit"),
        ));
    }
    let total_p: f64 = d.shares.iter().sum();
    let total_q: f64 = d.shares.iter().zip(&d.values).map(|(p, x)| p * x).sum();
    let (mut pb, mut qb) = (0.0, 0.0);
    let mut s = 0.0;
    for (x, p) in d.sorted() {
        let pa = total_p - pb - p;
        let qa = total_q - qb - p * x;
        let dist = x * (pb - pa) - (qb - qa);
        s += p.powf(1.0 + alpha) * dist;
        pb += p;
        qb += p * x;
    }
    Ok(s / d.mean)
}

/// Esteban-Ray polarization over groups: ER(α) = Σ_g Σ_h π_g^(1+α) π_h |y_g − y_h| / μ,
/// π_g the group's share of the weight (population) and y_g its weighted mean level, μ
/// the overall weighted mean (= Σ π_g y_g), as in [`esteban_ray`] with K = 1/μ. This is
/// the index as Esteban and Ray define it, on a population partitioned into groups;
/// each unit's level stands for its group's mean. `groups` holds codes in
/// `0..n_groups`; groups without units take no part.
///
/// Reference: Esteban J-M, Ray D (1994) On the measurement of polarization.
/// Econometrica 62:819-851.
pub fn esteban_ray_grouped(
    d: &Distribution,
    groups: &[u32],
    n_groups: usize,
    alpha: f64,
) -> Result<f64> {
    check_groups(groups, d.len(), n_groups)?;
    let mut share = vec![0.0; n_groups];
    let mut level = vec![0.0; n_groups];
    for ((&g, &p), &x) in groups.iter().zip(&d.shares).zip(&d.values) {
        share[g as usize] += p;
        level[g as usize] += p * x;
    }
    let (mut values, mut shares) = (Vec::new(), Vec::new());
    for (s, l) in share.iter().zip(&level) {
        if *s > 0.0 {
            values.push(l / s);
            shares.push(*s);
        }
    }
    let mean = values.iter().zip(&shares).map(|(y, p)| y * p).sum();
    let between = Distribution {
        values,
        shares,
        total_weight: d.total_weight,
        mean,
    };
    esteban_ray(&between, alpha)
}

/// Weighted median: the value at which the cumulative weight share crosses 1/2 (the
/// average of the two neighbouring values when it reaches 1/2 exactly, which gives the
/// ordinary median for equal weights).
pub fn weighted_median(d: &Distribution) -> f64 {
    let sorted = d.sorted();
    let mut cum = 0.0;
    for (k, &(x, p)) in sorted.iter().enumerate() {
        cum += p;
        if (cum - 0.5).abs() <= 1e-12 {
            return match sorted.get(k + 1) {
                Some(&(next, _)) => 0.5 * (x + next),
                None => x,
            };
        }
        if cum > 0.5 {
            return x;
        }
    }
    sorted[sorted.len() - 1].0
}

/// Wolfson polarization W = 2 (μ/m)(1 − 2 L(0.5) − G), m the weighted median, L(0.5)
/// the Lorenz polygon at population share 1/2 and G the Gini. Its maximum is 1. Some
/// software reports (μ/m)(1 − 2 L(0.5) − G) = W/2, on a half scale.
///
/// Reference: Wolfson MC (1994) When inequalities diverge. American Economic Review
/// 84(2):353-358.
pub fn wolfson(d: &Distribution) -> Result<f64> {
    let m = weighted_median(d);
    if m <= 0.0 {
        return Err(Error::input(
            "values",
            "the median is zero: the Wolfson index divides by it and is undefined",
        ));
    }
    let (p, l) = lorenz(d);
    let k = p.partition_point(|&x| x < 0.5).max(1);
    let l_half = if p[k] == p[k - 1] {
        l[k]
    } else {
        l[k - 1] + (l[k] - l[k - 1]) * (0.5 - p[k - 1]) / (p[k] - p[k - 1])
    };
    let g = gini(d, false, true)?;
    Ok(2.0 * (d.mean / m) * (1.0 - 2.0 * l_half - g))
}

/// Zhang-Kanbur polarization: between-group over within-group Theil T (weighted mean
/// reference).
///
/// Reference: Zhang X, Kanbur R (2001) What difference do polarisation measures make?
/// Journal of Development Studies 37(3):85-98.
pub fn zhang_kanbur(d: &Distribution, groups: &[u32], n_groups: usize) -> Result<f64> {
    let t = theil(
        d,
        TheilKind::T,
        Reference::Weighted,
        std::f64::consts::E,
        Some((groups, n_groups)),
    )?;
    if t.within <= 0.0 {
        return Err(Error::input(
            "groups",
            "within-group inequality is zero, so the Zhang-Kanbur ratio is infinite",
        ));
    }
    Ok(t.between / t.within)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn esteban_ray_matches_double_sum() {
        let x = [1.0, 3.0, 3.0, 7.0, 2.0];
        let w = [2.0, 1.0, 4.0, 1.0, 3.0];
        let d = Distribution::new(&x, Some(&w)).unwrap();
        for alpha in [0.0, 1.0, 1.3, 1.6] {
            let mut s = 0.0;
            for i in 0..5 {
                for j in 0..5 {
                    s += d.shares[i].powf(1.0 + alpha) * d.shares[j] * (x[i] - x[j]).abs();
                }
            }
            assert!((esteban_ray(&d, alpha).unwrap() - s / d.mean).abs() < 1e-14);
        }
        let g = gini(&d, false, true).unwrap();
        assert!((esteban_ray(&d, 0.0).unwrap() - 2.0 * g).abs() < 1e-14);
    }

    #[test]
    fn grouped_esteban_ray_is_the_double_sum_over_groups() {
        let x = [1.0, 3.0, 3.0, 7.0, 2.0];
        let w = [2.0, 1.0, 4.0, 1.0, 3.0];
        let g = [0u32, 1, 1, 2, 0];
        let d = Distribution::new(&x, Some(&w)).unwrap();
        // Groups: 0 = {1 (w 2), 2 (w 3)}, 1 = {3, 3}, 2 = {7}; total weight 11.
        let pi: [f64; 3] = [5.0 / 11.0, 5.0 / 11.0, 1.0 / 11.0];
        let y: [f64; 3] = [(2.0 + 6.0) / 5.0, 3.0, 7.0];
        let mu = x.iter().zip(&w).map(|(x, w)| x * w).sum::<f64>() / 11.0;
        for alpha in [0.0, 1.0, 1.3, 1.6] {
            let mut s = 0.0;
            for i in 0..3 {
                for j in 0..3 {
                    s += pi[i].powf(1.0 + alpha) * pi[j] * (y[i] - y[j]).abs();
                }
            }
            let got = esteban_ray_grouped(&d, &g, 3, alpha).unwrap();
            assert!((got - s / mu).abs() < 1e-14, "{got} {}", s / mu);
        }
        // One unit per group: the unit-level index.
        let own = [0u32, 1, 2, 3, 4];
        let a = esteban_ray_grouped(&d, &own, 5, 1.3).unwrap();
        assert!((a - esteban_ray(&d, 1.3).unwrap()).abs() < 1e-14);
        assert!(esteban_ray_grouped(&d, &[0, 1, 1, 2], 3, 1.3).is_err());
        assert!(esteban_ray_grouped(&d, &[0, 1, 1, 2, 5], 3, 1.3).is_err());
    }

    #[test]
    fn median_and_wolfson_bounds() {
        let d = Distribution::new(&[1.0, 2.0, 3.0, 4.0], None).unwrap();
        assert_eq!(weighted_median(&d), 2.5);
        let d = Distribution::new(&[1.0, 2.0, 3.0], None).unwrap();
        assert_eq!(weighted_median(&d), 2.0);
        // A perfectly bipolar distribution has W close to its maximum.
        let d = Distribution::new(&[1e-9, 1e-9, 1.0, 1.0], None).unwrap();
        let w = wolfson(&d).unwrap();
        assert!(w > 0.0 && w <= 1.0 + 1e-12);
    }
}
