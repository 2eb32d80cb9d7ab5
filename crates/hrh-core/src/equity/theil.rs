//! The generalised entropy family: Theil T (GE(1)) and L (GE(0), the mean log
//! deviation) with exact between/within decomposition, GE(α), Atkinson and the
//! coefficient of variation.

use super::{check_groups, Distribution};
use crate::error::{Error, Result};

/// Which Theil index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TheilKind {
    /// Theil T = GE(1) = Σ p_i (x_i/m) ln(x_i/m); zeros contribute 0 (0 ln 0 = 0).
    T,
    /// Theil L = GE(0) = Σ p_i ln(m/x_i), the mean log deviation; undefined with a zero.
    L,
}

/// The reference level `m` the index compares units with.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Reference {
    /// The weighted mean Σ p_i x_i (the textbook definition).
    Weighted,
    /// The plain average of the values, ignoring weights (a variant some published
    /// tables use).
    Unweighted,
    /// A given level, e.g. a mean rounded as printed in a paper.
    Value(f64),
}

/// A Theil index with its decomposition.
#[derive(Debug, Clone, PartialEq)]
pub struct Theil {
    /// The index over all units.
    pub total: f64,
    /// The reference level m the units were compared with.
    pub reference: f64,
    /// Between-group part (0 without groups).
    pub between: f64,
    /// Within-group part (= total without groups).
    pub within: f64,
    /// Each unit's term; they sum to `total`.
    pub unit_contribution: Vec<f64>,
    /// Per group: weight share p_g.
    pub group_weight_share: Vec<f64>,
    /// Per group: share of Σ w x (e.g. of all staff).
    pub group_value_share: Vec<f64>,
    /// Per group: weighted mean level μ_g.
    pub group_mean: Vec<f64>,
    /// Per group: the group's own index about its own mean (NaN for a group whose
    /// values are all zero, where it is undefined).
    pub group_index: Vec<f64>,
    /// Per group: contribution to the within part.
    pub group_within: Vec<f64>,
    /// Per group: contribution to the between part.
    pub group_between: Vec<f64>,
}

fn check_log_base(log_base: f64) -> Result<f64> {
    if log_base.is_finite() && log_base > 0.0 && log_base != 1.0 {
        Ok(log_base.ln())
    } else {
        Err(Error::input(
            "log_base",
            format!("{log_base} must be a finite number > 0 other than 1 (e.g. e, 10 or 2)"),
        ))
    }
}

fn first_zero(d: &Distribution) -> Option<usize> {
    d.values.iter().position(|&x| x == 0.0)
}

/// x ln(x) with 0 ln 0 = 0.
fn xlnx(x: f64) -> f64 {
    if x == 0.0 {
        0.0
    } else {
        x * x.ln()
    }
}

/// Theil T or L of `d` about the reference level, in logarithms to `log_base`, and,
/// with `groups` (codes in `0..n_groups`), the decomposition
///
/// T: between = Σ_g p_g (μ_g/m) ln(μ_g/m), within = Σ_g p_g (μ_g/m) T_g;
/// L: between = Σ_g p_g ln(m/μ_g),       within = Σ_g p_g L_g,
///
/// where T_g and L_g are the group's own indices about its weighted mean μ_g. The parts
/// sum to the total exactly for any reference level m.
///
/// Reference: Theil H (1967) Economics and Information Theory; Shorrocks AF (1980)
/// The class of additively decomposable inequality measures. Econometrica 48:613-625.
pub fn theil(
    d: &Distribution,
    kind: TheilKind,
    reference: Reference,
    log_base: f64,
    groups: Option<(&[u32], usize)>,
) -> Result<Theil> {
    let ln_base = check_log_base(log_base)?;
    let m = match reference {
        Reference::Weighted => d.mean,
        Reference::Unweighted => d.values.iter().sum::<f64>() / d.len() as f64,
        Reference::Value(v) => {
            if !(v.is_finite() && v > 0.0) {
                return Err(Error::input(
                    "mean",
                    format!("{v} must be a finite number > 0"),
                ));
            }
            v
        }
    };
    if kind == TheilKind::L {
        if let Some(i) = first_zero(d) {
            return Err(Error::input_at(
                "values",
                i,
                "value 0: Theil L (mean log deviation) takes ln(mean/value), undefined at zero; \
                 use kind='T' (where 0 ln 0 = 0) or examine the unit",
            ));
        }
    }
    let term = |x: f64, p: f64, m: f64| -> f64 {
        match kind {
            TheilKind::T => p * xlnx(x / m),
            TheilKind::L => p * (m / x).ln(),
        }
    };
    let unit_contribution: Vec<f64> = d
        .values
        .iter()
        .zip(&d.shares)
        .map(|(&x, &p)| term(x, p, m) / ln_base)
        .collect();
    let total: f64 = unit_contribution.iter().sum();

    let (pg, sx, own, n_groups) = match groups {
        Some((codes, n_groups)) => {
            check_groups(codes, d.len(), n_groups)?;
            let mut pg = vec![0.0; n_groups];
            let mut sx = vec![0.0; n_groups];
            for ((&g, &x), &p) in codes.iter().zip(&d.values).zip(&d.shares) {
                pg[g as usize] += p;
                sx[g as usize] += p * x;
            }
            // Each group's own index about its own mean.
            let mut own = vec![0.0; n_groups];
            for ((&g, &x), &p) in codes.iter().zip(&d.values).zip(&d.shares) {
                let g = g as usize;
                let mu = sx[g] / pg[g];
                if mu > 0.0 {
                    own[g] += term(x, p / pg[g], mu) / ln_base;
                }
            }
            (pg, sx, own, n_groups)
        }
        None => {
            // One group: its own index is the total when the reference is the
            // weighted mean; otherwise one more pass about the mean.
            let own = if m == d.mean {
                total
            } else {
                d.values
                    .iter()
                    .zip(&d.shares)
                    .map(|(&x, &p)| term(x, p, d.mean))
                    .sum::<f64>()
                    / ln_base
            };
            (vec![1.0], vec![d.mean], vec![own], 1)
        }
    };
    let mu: Vec<f64> = pg
        .iter()
        .zip(&sx)
        .map(|(&p, &s)| if p > 0.0 { s / p } else { f64::NAN })
        .collect();
    let mut own = own;
    let mut group_within = vec![0.0; n_groups];
    let mut group_between = vec![0.0; n_groups];
    for g in 0..n_groups {
        if pg[g] == 0.0 {
            own[g] = f64::NAN;
            continue;
        }
        if mu[g] == 0.0 {
            own[g] = f64::NAN; // undefined; the group contributes nothing to T
            continue;
        }
        match kind {
            TheilKind::T => {
                group_within[g] = pg[g] * mu[g] / m * own[g];
                group_between[g] = pg[g] * xlnx(mu[g] / m) / ln_base;
            }
            TheilKind::L => {
                group_within[g] = pg[g] * own[g];
                group_between[g] = pg[g] * (m / mu[g]).ln() / ln_base;
            }
        }
    }
    let total_value: f64 = sx.iter().sum();
    let (between, within) = if groups.is_some() {
        (group_between.iter().sum(), group_within.iter().sum())
    } else {
        (0.0, total)
    };
    Ok(Theil {
        total,
        reference: m,
        between,
        within,
        unit_contribution,
        group_weight_share: pg,
        group_value_share: sx.iter().map(|s| s / total_value).collect(),
        group_mean: mu,
        group_index: own,
        group_within,
        group_between,
    })
}

/// Generalised entropy GE(α) = 1/(α(α−1)) Σ p_i ((x_i/μ)^α − 1); α = 1 and α = 0 are
/// Theil T and L. Undefined with a zero value when α <= 0.
///
/// Reference: Shorrocks AF (1980) Econometrica 48:613-625.
pub fn generalized_entropy(d: &Distribution, alpha: f64) -> Result<f64> {
    if !alpha.is_finite() {
        return Err(Error::input(
            "alpha",
            format!("{alpha} must be a finite number"),
        ));
    }
    if alpha == 1.0 {
        return Ok(theil(
            d,
            TheilKind::T,
            Reference::Weighted,
            std::f64::consts::E,
            None,
        )?
        .total);
    }
    if alpha == 0.0 {
        return Ok(theil(
            d,
            TheilKind::L,
            Reference::Weighted,
            std::f64::consts::E,
            None,
        )?
        .total);
    }
    if alpha < 0.0 {
        if let Some(i) = first_zero(d) {
            return Err(Error::input_at(
                "values",
                i,
                format!(
                    "value 0: GE({alpha}) raises values to a negative power, undefined at zero"
                ),
            ));
        }
    }
    let s: f64 = d
        .values
        .iter()
        .zip(&d.shares)
        .map(|(&x, &p)| p * ((x / d.mean).powf(alpha) - 1.0))
        .sum();
    Ok(s / (alpha * (alpha - 1.0)))
}

/// Atkinson index A(ε) = 1 − (Σ p_i (x_i/μ)^(1−ε))^(1/(1−ε)); ε = 1: 1 − exp(Σ p_i ln
/// x_i)/μ. ε must be >= 0; undefined with a zero value when ε >= 1.
///
/// Reference: Atkinson AB (1970) On the measurement of inequality. J Econ Theory
/// 2:244-263.
pub fn atkinson(d: &Distribution, epsilon: f64) -> Result<f64> {
    if !(epsilon.is_finite() && epsilon >= 0.0) {
        return Err(Error::input(
            "epsilon",
            format!("{epsilon} must be a finite number >= 0"),
        ));
    }
    if epsilon >= 1.0 {
        if let Some(i) = first_zero(d) {
            return Err(Error::input_at(
                "values",
                i,
                format!(
                    "value 0: Atkinson with epsilon = {epsilon} (>= 1) is undefined when a unit \
                     has zero; use epsilon < 1"
                ),
            ));
        }
    }
    if epsilon == 1.0 {
        let log_mean: f64 = d
            .values
            .iter()
            .zip(&d.shares)
            .map(|(&x, &p)| p * x.ln())
            .sum();
        return Ok(1.0 - log_mean.exp() / d.mean);
    }
    // 1 - (Σ p_i (x_i/μ)^e)^(1/e) with e = 1 - ε, in logarithms (a log-sum-exp), so
    // that a large ε neither overflows nor underflows: with L_i = e ln(x_i/μ) and
    // M = max L_i, the power mean is exp((M + ln Σ p_i exp(L_i - M)) / e). Units with
    // x = 0 (allowed for ε < 1, so e > 0) contribute 0.
    let e = 1.0 - epsilon;
    let logs: Vec<(f64, f64)> = d
        .values
        .iter()
        .zip(&d.shares)
        .filter(|(&x, _)| x > 0.0)
        .map(|(&x, &p)| (e * (x / d.mean).ln(), p))
        .collect();
    let top = logs.iter().fold(f64::NEG_INFINITY, |m, &(l, _)| m.max(l));
    let sum: f64 = logs.iter().map(|&(l, p)| p * (l - top).exp()).sum();
    Ok(1.0 - ((top + sum.ln()) / e).exp())
}

/// Coefficient of variation √(Σ w_i (x_i − μ)² / (Σw − ddof)) / μ, weights read as
/// frequency weights (ddof = 1 is the sample standard deviation for equal weights).
pub fn cv(d: &Distribution, ddof: f64) -> Result<f64> {
    let denom = d.total_weight - ddof;
    if !(ddof.is_finite() && ddof >= 0.0) || denom <= 0.0 {
        return Err(Error::input(
            "ddof",
            format!(
                "{ddof} must be >= 0 and below the total weight {}",
                d.total_weight
            ),
        ));
    }
    // Deviations relative to the mean, so that large values do not overflow when squared.
    let ss: f64 = d
        .values
        .iter()
        .zip(&d.shares)
        .map(|(&x, &p)| p * ((x - d.mean) / d.mean).powi(2))
        .sum::<f64>()
        * d.total_weight;
    Ok((ss / denom).sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extreme_parameters_and_values() {
        // Atkinson with a large aversion tends to 1 - min / mean: 1 - 1 / (7/3) = 0.5714.
        let d = dist(&[1.0, 2.0, 4.0], &[1.0, 1.0, 1.0]);
        let a = atkinson(&d, 1000.0).unwrap();
        let limit = 1.0 - 1.0 / (7.0 / 3.0);
        assert!((a - limit).abs() < 1e-3, "{a}");
        // The same as the direct formula where that does not overflow.
        let direct = 1.0
            - ((1.0f64 / (7.0 / 3.0)).powf(-2.0) / 3.0
                + (2.0f64 / (7.0 / 3.0)).powf(-2.0) / 3.0
                + (4.0f64 / (7.0 / 3.0)).powf(-2.0) / 3.0)
                .powf(-0.5);
        assert!((atkinson(&d, 3.0).unwrap() - direct).abs() < 1e-14);
        // Scale invariance of the coefficient of variation at the top of the range.
        let small = cv(&dist(&[1.0, 3.0, 2.0], &[1.0, 1.0, 1.0]), 1.0).unwrap();
        let large = cv(&dist(&[1e200, 3e200, 2e200], &[1.0, 1.0, 1.0]), 1.0).unwrap();
        assert!(
            (small - 0.5).abs() < 1e-15 && (large - small).abs() < 1e-14,
            "{large}"
        );
    }

    fn dist(x: &[f64], w: &[f64]) -> Distribution {
        Distribution::new(x, Some(w)).unwrap()
    }

    #[test]
    fn decomposition_sums_for_any_reference() {
        let d = dist(&[1.0, 2.0, 0.5, 4.0, 3.0], &[10.0, 5.0, 8.0, 2.0, 7.0]);
        let g = [0u32, 0, 1, 1, 2];
        for kind in [TheilKind::T, TheilKind::L] {
            for r in [
                Reference::Weighted,
                Reference::Unweighted,
                Reference::Value(1.7),
            ] {
                for base in [std::f64::consts::E, 10.0, 2.0] {
                    let t = theil(&d, kind, r, base, Some((&g, 3))).unwrap();
                    assert!(
                        (t.between + t.within - t.total).abs() < 1e-14,
                        "{kind:?} {r:?}"
                    );
                    let s: f64 = t.unit_contribution.iter().sum();
                    assert!((s - t.total).abs() < 1e-14);
                }
            }
        }
    }

    #[test]
    fn ge_limits_and_atkinson() {
        let d = dist(&[1.0, 2.0, 4.0], &[1.0, 2.0, 1.0]);
        let t = theil(
            &d,
            TheilKind::T,
            Reference::Weighted,
            std::f64::consts::E,
            None,
        )
        .unwrap();
        assert!((generalized_entropy(&d, 1.0 + 1e-7).unwrap() - t.total).abs() < 1e-6);
        let l = theil(
            &d,
            TheilKind::L,
            Reference::Weighted,
            std::f64::consts::E,
            None,
        )
        .unwrap();
        assert!((generalized_entropy(&d, 1e-7).unwrap() - l.total).abs() < 1e-6);
        // Atkinson(1) = 1 - exp(-L)
        assert!((atkinson(&d, 1.0).unwrap() - (1.0 - (-l.total).exp())).abs() < 1e-15);
        assert!((atkinson(&d, 1.0 + 1e-8).unwrap() - atkinson(&d, 1.0).unwrap()).abs() < 1e-7);
    }

    #[test]
    fn zeros() {
        let d = dist(&[0.0, 2.0, 4.0], &[1.0, 1.0, 1.0]);
        assert!(theil(&d, TheilKind::T, Reference::Weighted, 10.0, None).is_ok());
        let e = theil(&d, TheilKind::L, Reference::Weighted, 10.0, None).unwrap_err();
        assert!(e
            .to_string()
            .starts_with("column 'values', row 0: value 0: Theil L"));
        assert!(atkinson(&d, 2.0).is_err());
        assert!(atkinson(&d, 0.5).is_ok());
    }

    #[test]
    fn cv_sample_and_population() {
        let d = Distribution::new(&[1.0, 2.0, 3.0, 4.0], None).unwrap();
        let sd0 = (1.25f64).sqrt();
        assert!((cv(&d, 0.0).unwrap() - sd0 / 2.5).abs() < 1e-15);
        assert!((cv(&d, 1.0).unwrap() - (5.0f64 / 3.0).sqrt() / 2.5).abs() < 1e-15);
    }
}
