//! Concentration index of a level across units ranked by another variable.

use super::Distribution;
use crate::error::{Error, Result};
use crate::validate;

/// Correction of the concentration index for bounded variables.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Correction {
    /// The standard index.
    None,
    /// Wagstaff (2005): C μ (b − a) / ((b − μ)(μ − a)), which is C / (1 − μ) for a
    /// variable in [0, 1].
    Wagstaff { lower: f64, upper: f64 },
    /// Erreygers (2009): 4 μ C / (b − a).
    Erreygers { lower: f64, upper: f64 },
}

/// Weighted fractional ranks R_i = (weight ranked strictly below i)/W + w_i/(2W) of the
/// units sorted by `rank`; tied ranks share the average fractional rank of the tie.
pub fn fractional_rank(rank: &[f64], shares: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..rank.len()).collect();
    idx.sort_by(|&a, &b| rank[a].total_cmp(&rank[b]));
    let mut out = vec![0.0; rank.len()];
    let mut below = 0.0;
    let mut k = 0;
    while k < idx.len() {
        let mut j = k;
        let mut tie_weight = 0.0;
        while j < idx.len() && rank[idx[j]] == rank[idx[k]] {
            tie_weight += shares[idx[j]];
            j += 1;
        }
        let r = below + tie_weight / 2.0;
        for &i in &idx[k..j] {
            out[i] = r;
        }
        below += tie_weight;
        k = j;
    }
    out
}

/// Concentration index C = 2 cov_w(h, R) / μ_h of levels `h` (in `d`) across units
/// ranked by `rank` (e.g. income or deprivation), R the weighted fractional rank; C < 0
/// when `h` concentrates among the low-ranked.
///
/// References: Kakwani N, Wagstaff A, van Doorslaer E (1997) J Econometrics 77:87-103;
/// Wagstaff A (2005) Health Econ 14:429-432; Erreygers G (2009) J Health Econ 28:504-515.
pub fn concentration_index(d: &Distribution, rank: &[f64], correction: Correction) -> Result<f64> {
    validate::same_len(d.len(), rank.len(), "values", "rank")?;
    validate::finite(rank, "rank")?;
    let r = fractional_rank(rank, &d.shares);
    let rbar: f64 = r.iter().zip(&d.shares).map(|(r, p)| r * p).sum();
    let cov: f64 = d
        .values
        .iter()
        .zip(&r)
        .zip(&d.shares)
        .map(|((h, r), p)| p * (h - d.mean) * (r - rbar))
        .sum();
    let c = 2.0 * cov / d.mean;
    let bounds = |a: f64, b: f64| -> Result<()> {
        if !(a.is_finite() && b.is_finite() && a < b) {
            return Err(Error::argument(
                "bounds",
                format!("({a}, {b}) must be finite with lower < upper"),
            ));
        }
        if let Some(i) = d.values.iter().position(|&h| h < a || h > b) {
            return Err(Error::input_at(
                "values",
                i,
                format!("value {} lies outside bounds ({a}, {b})", d.values[i]),
            ));
        }
        Ok(())
    };
    match correction {
        Correction::None => Ok(c),
        Correction::Wagstaff { lower, upper } => {
            bounds(lower, upper)?;
            if d.mean >= upper || d.mean <= lower {
                return Err(Error::argument(
                    "bounds",
                    "the mean equals a bound: Wagstaff's correction is undefined",
                ));
            }
            Ok(c * d.mean * (upper - lower) / ((upper - d.mean) * (d.mean - lower)))
        }
        Correction::Erreygers { lower, upper } => {
            bounds(lower, upper)?;
            Ok(4.0 * d.mean * c / (upper - lower))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_and_sign() {
        let d = Distribution::new(&[1.0, 2.0, 3.0, 4.0], None).unwrap();
        let r = fractional_rank(&[10.0, 20.0, 20.0, 40.0], &d.shares);
        assert_eq!(r, vec![0.125, 0.5, 0.5, 0.875]);
        // Levels rising with rank: positive concentration; equal to the Gini when
        // ranked by the level itself (no ties).
        let c = concentration_index(&d, &[1.0, 2.0, 3.0, 4.0], Correction::None).unwrap();
        let g = super::super::gini::gini(&d, false, false).unwrap();
        assert!((c - g).abs() < 1e-15);
        let c = concentration_index(&d, &[4.0, 3.0, 2.0, 1.0], Correction::None).unwrap();
        assert!((c + g).abs() < 1e-15);
    }
}
