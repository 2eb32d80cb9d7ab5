//! Distribution equity: how unevenly staff are spread across units.
//!
//! Every measure takes per-unit `values` (levels, e.g. staff per 1,000 population) and
//! `weights` (the units' sizes, e.g. population; `None` for equal weights). "By area"
//! means values = staff / area and weights = area. Units are never dropped: a zero
//! value is kept, and measures undefined with a zero say so.
//!
//! - [`gini`]: Gini coefficient and Lorenz curve.
//! - [`theil`]: generalised entropy family (Theil T and L with between/within
//!   decomposition), Atkinson, coefficient of variation.
//! - [`concentration`]: concentration index with Wagstaff and Erreygers corrections.
//! - [`polarization`]: Esteban-Ray, Wolfson, Zhang-Kanbur.
//! - [`bootstrap`]: seeded, parallel percentile intervals by resampling units.
//! - [`partial`]: the per-unit terms and sums behind Theil, Atkinson and CV for units
//!   read in parts (batches, files, partitions), merged exactly.

pub mod bootstrap;
pub mod concentration;
pub mod gini;
pub mod partial;
pub mod polarization;
pub mod table;
pub mod theil;

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::validate;

/// Validated values and normalised weights of one distribution.
#[derive(Debug, Clone, PartialEq)]
pub struct Distribution {
    /// Per-unit levels, finite and >= 0.
    pub values: Vec<f64>,
    /// Weight shares p_i = w_i / Σw (sum to 1).
    pub shares: Vec<f64>,
    /// Σw.
    pub total_weight: f64,
    /// Weighted mean Σ p_i x_i.
    pub mean: f64,
}

impl Distribution {
    /// Check `values` (finite, >= 0, not all zero) and `weights` (finite, > 0, same
    /// length) and normalise the weights.
    pub fn new(values: &[f64], weights: Option<&[f64]>) -> Result<Self> {
        if values.is_empty() {
            return Err(Error::input(
                "values",
                "is empty: an inequality measure needs at least one unit",
            ));
        }
        validate::non_negative(values, "values")?;
        let shares: Vec<f64>;
        let total_weight;
        match weights {
            Some(w) => {
                validate::same_len(values.len(), w.len(), "values", "weights")?;
                validate::positive(w, "weights")?;
                // Scaled by the largest weight first, so that weights near the top of
                // the range (whose sum overflows) still give their shares.
                let top = w.iter().fold(0.0_f64, |m, &x| m.max(x));
                let scaled = w.iter().map(|x| x / top).sum::<f64>();
                total_weight = top * scaled;
                shares = w.iter().map(|x| (x / top) / scaled).collect();
            }
            None => {
                total_weight = values.len() as f64;
                shares = vec![1.0 / total_weight; values.len()];
            }
        }
        let mean: f64 = values.iter().zip(&shares).map(|(x, p)| x * p).sum();
        if mean <= 0.0 {
            return Err(Error::input(
                "values",
                "are all zero: there is nothing distributed, so inequality is undefined",
            ));
        }
        Ok(Distribution {
            values: values.to_vec(),
            shares,
            total_weight,
            mean,
        })
    }

    /// Number of units.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// True when there are no units (never, for a validated distribution).
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// (value, weight share) of every unit, sorted by value. Sorting the pairs
    /// themselves (not indices into them) keeps the scan cache-friendly; large inputs
    /// sort in parallel.
    pub fn sorted(&self) -> Vec<(f64, f64)> {
        let mut pairs: Vec<(f64, f64)> = self
            .values
            .iter()
            .copied()
            .zip(self.shares.iter().copied())
            .collect();
        if pairs.len() >= 50_000 {
            pairs.par_sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
        } else {
            pairs.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
        }
        pairs
    }

    /// A distribution of the units `idx` (with repetition), for resampling.
    pub(crate) fn subset(&self, idx: &[usize]) -> Option<Self> {
        let w: f64 = idx.iter().map(|&i| self.shares[i]).sum();
        let values: Vec<f64> = idx.iter().map(|&i| self.values[i]).collect();
        let shares: Vec<f64> = idx.iter().map(|&i| self.shares[i] / w).collect();
        let mean: f64 = values.iter().zip(&shares).map(|(x, p)| x * p).sum();
        (mean > 0.0).then_some(Distribution {
            values,
            shares,
            total_weight: w * self.total_weight,
            mean,
        })
    }
}

/// Check group codes: one per unit, each below `n_groups`.
pub(crate) fn check_groups(groups: &[u32], n: usize, n_groups: usize) -> Result<()> {
    validate::same_len(n, groups.len(), "values", "groups")?;
    if let Some(i) = groups.iter().position(|&g| g as usize >= n_groups) {
        return Err(Error::input_at(
            "groups",
            i,
            format!("group code {} is not below {n_groups}", groups[i]),
        ));
    }
    Ok(())
}
