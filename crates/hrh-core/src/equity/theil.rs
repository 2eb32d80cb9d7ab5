//! The generalised entropy family: Theil T (GE(1)) and L (GE(0), the mean log
//! deviation) with exact between/within decomposition, GE(α), Atkinson and the
//! coefficient of variation.

pub mod fast;

use super::{check_groups, Distribution};
use crate::error::{Error, Result};
use crate::validate::short;

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
    /// Each unit's term; they sum to `total` (empty from [`theil_of`] without
    /// `with_units`).
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
        Err(Error::argument(
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

/// ln(a / b) for a >= 0 and b > 0 without overflow or underflow of the quotient: the
/// quotient's own logarithm where it is a normal number, else the difference of the
/// logarithms (−inf at a = 0).
fn ln_ratio(a: f64, b: f64) -> f64 {
    let q = a / b;
    if q.is_finite() && q >= f64::MIN_POSITIVE {
        q.ln()
    } else {
        a.ln() - b.ln()
    }
}

/// p (x/m) ln(x/m), Theil T's term, in logarithms where x/m or the product leaves the
/// float range (a tiny reference level beside large values); inf only when the term
/// itself is beyond the largest float.
fn t_term(x: f64, p: f64, m: f64) -> f64 {
    if x == 0.0 || p == 0.0 {
        return 0.0;
    }
    let r = x / m;
    if r.is_finite() && r >= f64::MIN_POSITIVE {
        let v = p * xlnx(r);
        if v.is_finite() {
            return v;
        }
    }
    let l = ln_ratio(x, m);
    if l == 0.0 {
        0.0
    } else {
        l.signum() * (p.ln() + l + l.abs().ln()).exp()
    }
}

/// p · μ / m, a group's weight in Theil T's within part, in logarithms where the
/// quotient leaves the float range.
fn scaled_share(p: f64, mu: f64, m: f64) -> f64 {
    let v = p * mu / m;
    if v.is_finite() && (v == 0.0 || v >= f64::MIN_POSITIVE) {
        v
    } else {
        (p.ln() + ln_ratio(mu, m)).exp()
    }
}

/// True when every value is the same (every measure of inequality is then 0, whatever
/// rounding does to the mean).
fn all_equal(d: &Distribution) -> bool {
    d.values.iter().all(|&x| x == d.values[0])
}

/// (e^(a·l) − 1) / a without cancellation for a small a·l (a ≠ 0).
fn expm1_over(a: f64, l: f64) -> f64 {
    let y = a * l;
    if y.abs() < 1e-5 {
        l * (1.0 + y / 2.0 + y * y / 6.0)
    } else {
        y.exp_m1() / a
    }
}

/// The error for an index whose true value is beyond the largest float.
fn beyond_range(what: &str, column: &str, hint: &str) -> Error {
    Error::input(
        column,
        format!("{what} of these values is beyond the largest float (about 1.8e308); {hint}"),
    )
}

/// The same error, said of the argument (`alpha`, `mean`) that takes it past the range.
fn beyond_range_for(what: &str, argument: &str, hint: &str) -> Error {
    beyond_range(what, argument, hint).of_argument()
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
    let units = Units {
        values: &d.values,
        mean: d.mean,
    };
    theil_parts(
        units,
        |i| d.shares[i],
        kind,
        reference,
        log_base,
        groups,
        true,
    )
}

/// [`theil`] of `values` and `weights` (checked as [`Distribution::new`] checks them)
/// read in place (no copy of the values): one pass checks both, and the terms are
/// summed block by block as they are formed. Each unit's term is kept only with
/// `with_units` (else `unit_contribution` is empty). Every figure is the same, to the
/// last bit, as `theil(&Distribution::new(values, weights)?, ...)`.
pub fn theil_of(
    values: &[f64],
    weights: Option<&[f64]>,
    kind: TheilKind,
    reference: Reference,
    log_base: f64,
    groups: Option<(&[u32], usize)>,
    with_units: bool,
) -> Result<Theil> {
    if values.is_empty() {
        // The same error as Distribution::new.
        return Distribution::new(values, weights)
            .and_then(|d| theil(&d, kind, reference, log_base, groups));
    }
    let bad_value = |&x: &f64| !(x.is_finite() && x >= 0.0);
    match weights {
        Some(w) => {
            let top = if w.len() == values.len() {
                let mut top = 0.0_f64;
                let mut bad = false;
                for (x, &wi) in values.iter().zip(w) {
                    bad |= bad_value(x) | !(wi.is_finite() && wi > 0.0);
                    top = top.max(wi);
                }
                (!bad).then_some(top)
            } else {
                None
            };
            let Some(top) = top else {
                // Distribution::new names the first problem.
                return Distribution::new(values, weights)
                    .and_then(|d| theil(&d, kind, reference, log_base, groups));
            };
            let mut shares: Vec<f64> = w.iter().map(|x| x / top).collect();
            let scaled: f64 = shares.iter().sum();
            for p in shares.iter_mut() {
                *p /= scaled;
            }
            let mean: f64 = values.iter().zip(&shares).map(|(x, p)| x * p).sum();
            check_mean(mean)?;
            let units = Units { values, mean };
            theil_parts(
                units,
                |i| shares[i],
                kind,
                reference,
                log_base,
                groups,
                with_units,
            )
        }
        None => {
            if values.iter().any(bad_value) {
                return Distribution::new(values, None)
                    .and_then(|d| theil(&d, kind, reference, log_base, groups));
            }
            let p = 1.0 / values.len() as f64;
            let mean: f64 = values.iter().map(|x| x * p).sum();
            check_mean(mean)?;
            let units = Units { values, mean };
            theil_parts(units, |_| p, kind, reference, log_base, groups, with_units)
        }
    }
}

/// The error of [`Distribution::new`] for values that are all zero.
fn check_mean(mean: f64) -> Result<()> {
    if mean <= 0.0 {
        return Err(Error::input(
            "values",
            "are all zero: there is nothing distributed, so inequality is undefined",
        ));
    }
    Ok(())
}

/// The checked values and their weighted mean.
#[derive(Clone, Copy)]
struct Units<'a> {
    values: &'a [f64],
    mean: f64,
}

/// [`theil`] of values with weight shares `share(i)`.
fn theil_parts(
    d: Units<'_>,
    share: impl Fn(usize) -> f64,
    kind: TheilKind,
    reference: Reference,
    log_base: f64,
    groups: Option<(&[u32], usize)>,
    with_units: bool,
) -> Result<Theil> {
    let ln_base = check_log_base(log_base)?;
    let n = d.values.len();
    let m = match reference {
        Reference::Weighted => d.mean,
        Reference::Unweighted => {
            let nf = n as f64;
            let sum: f64 = d.values.iter().sum();
            if sum.is_finite() {
                sum / nf
            } else {
                // Values near the top of the range: average their n-th parts.
                d.values.iter().map(|x| x / nf).sum()
            }
        }
        Reference::Value(v) => {
            if !(v.is_finite() && v > 0.0) {
                return Err(Error::argument(
                    "mean",
                    format!("{v} must be a finite number > 0"),
                ));
            }
            v
        }
    };
    if kind == TheilKind::L {
        if let Some(i) = d.values.iter().position(|&x| x == 0.0) {
            return Err(Error::input_at(
                "values",
                i,
                "value 0: Theil L (mean log deviation) takes ln(mean/value), undefined at zero; \
                 use kind='T' (where 0 ln 0 = 0) or examine the unit",
            ));
        }
    }
    // In base e (ln e = 1) the division by ln_base changes nothing and is skipped.
    let natural = ln_base == 1.0;
    let term = |x: f64, p: f64, m: f64| -> f64 {
        let t = match kind {
            TheilKind::T => t_term(x, p, m),
            TheilKind::L => p * ln_ratio(m, x),
        };
        if natural {
            t
        } else {
            t / ln_base
        }
    };
    if let Some((codes, n_groups)) = groups {
        check_groups(codes, n, n_groups)?;
    }
    // One pass: each unit's term, summed in order (and kept with `with_units`), and
    // with groups each group's weight share and Σ p x. The terms of a block of units
    // are formed first and then added, so that the running sums stay in registers
    // across the logarithms.
    const BLOCK: usize = 256;
    let mut unit_contribution = Vec::with_capacity(if with_units { n } else { 0 });
    let mut total = -0.0;
    let (mut pg, mut sx) = match groups {
        Some((_, n_groups)) => (vec![0.0; n_groups], vec![0.0; n_groups]),
        None => (Vec::new(), Vec::new()),
    };
    let mut block = [0.0; BLOCK];
    for start in (0..n).step_by(BLOCK) {
        let end = (start + BLOCK).min(n);
        let terms = &mut block[..end - start];
        for ((t, &x), i) in terms.iter_mut().zip(&d.values[start..end]).zip(start..) {
            *t = term(x, share(i), m);
        }
        for &t in terms.iter() {
            total += t;
        }
        if with_units {
            unit_contribution.extend_from_slice(terms);
        }
        if let Some((codes, _)) = groups {
            for ((&x, &g), i) in d.values[start..end]
                .iter()
                .zip(&codes[start..end])
                .zip(start..)
            {
                let p = share(i);
                pg[g as usize] += p;
                sx[g as usize] += p * x;
            }
        }
    }

    let (own, n_groups) = match groups {
        Some((codes, n_groups)) => {
            // Each group's own index about its own mean.
            let mu: Vec<f64> = pg.iter().zip(&sx).map(|(&p, &s)| s / p).collect();
            let mut own = vec![0.0; n_groups];
            for (i, (&x, &g)) in d.values.iter().zip(codes).enumerate() {
                let g = g as usize;
                if mu[g] > 0.0 {
                    own[g] += term(x, share(i) / pg[g], mu[g]);
                }
            }
            (own, n_groups)
        }
        None => {
            // One group: its own index is the total when the reference is the
            // weighted mean; otherwise one more pass about the mean.
            let own = if m == d.mean {
                total
            } else {
                let mut s = -0.0;
                for (i, &x) in d.values.iter().enumerate() {
                    s += match kind {
                        TheilKind::T => t_term(x, share(i), d.mean),
                        TheilKind::L => share(i) * ln_ratio(d.mean, x),
                    };
                }
                s / ln_base
            };
            pg = vec![1.0];
            sx = vec![d.mean];
            (vec![own], 1)
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
                group_within[g] = scaled_share(pg[g], mu[g], m) * own[g];
                group_between[g] = t_term(mu[g], pg[g], m) / ln_base;
            }
            TheilKind::L => {
                group_within[g] = pg[g] * own[g];
                group_between[g] = pg[g] * ln_ratio(m, mu[g]) / ln_base;
            }
        }
    }
    let total_value: f64 = sx.iter().sum();
    let (between, within): (f64, f64) = if groups.is_some() {
        (group_between.iter().sum(), group_within.iter().sum())
    } else {
        (0.0, total)
    };
    // A unit's term beyond the float range makes the total so too.
    let overflowed = !(total.is_finite() && between.is_finite() && within.is_finite())
        || group_within
            .iter()
            .chain(&group_between)
            .any(|v| !v.is_finite());
    if overflowed {
        let name = match kind {
            TheilKind::T => "Theil T",
            TheilKind::L => "Theil L",
        };
        return Err(match reference {
            Reference::Value(v) => beyond_range_for(
                &format!("{name} about the reference level {}", short(v)),
                "mean",
                "give a reference level nearer the values, or mean='weighted'",
            ),
            _ => beyond_range(name, "values", "rescale the values"),
        });
    }
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
        return Err(Error::argument(
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
    if all_equal(d) {
        return Ok(0.0);
    }
    // With l_i = ln(x_i / μ) (−inf at a zero, allowed for α > 0), GE(α) =
    // Σ p_i (e^(α l_i) − 1) / (α (α − 1)). Each term as expm1 over α, so that a small α
    // loses nothing to cancellation; where α l_i leaves the float range, in logarithms.
    let logs: Vec<(f64, f64)> = d
        .values
        .iter()
        .zip(&d.shares)
        .filter(|(_, &p)| p > 0.0)
        .map(|(&x, &p)| (ln_ratio(x, d.mean), p))
        .collect();
    let peak = logs
        .iter()
        .fold(f64::NEG_INFINITY, |m, &(l, _)| m.max(alpha * l));
    let hint = "use an alpha nearer 0 to 2";
    let what = format!("GE({})", short(alpha));
    if peak <= 700.0 {
        let s: f64 = logs.iter().map(|&(l, p)| p * expm1_over(alpha, l)).sum();
        let ge = s / (alpha - 1.0);
        return if ge.is_finite() {
            Ok(ge.max(0.0))
        } else {
            Err(beyond_range_for(&what, "alpha", hint))
        };
    }
    // ln S, S = Σ p_i e^(α l_i), by log-sum-exp; then |S − 1| / |α (α − 1)| (S >= 1 for
    // α > 1 or α < 0 and S <= 1 for 0 < α < 1, so GE >= 0).
    let ln_s = peak
        + logs
            .iter()
            .map(|&(l, p)| p * (alpha * l - peak).exp())
            .sum::<f64>()
            .ln();
    let ln_num = if ln_s > 0.0 {
        ln_s + (-(-ln_s).exp()).ln_1p()
    } else {
        (-ln_s.exp_m1()).ln()
    };
    let ln_ge = ln_num - alpha.abs().ln() - (alpha - 1.0).abs().ln();
    if ln_ge.is_nan() || ln_ge > f64::MAX.ln() {
        return Err(beyond_range_for(&what, "alpha", hint));
    }
    Ok(ln_ge.exp())
}

/// Atkinson index A(ε) = 1 − (Σ p_i (x_i/μ)^(1−ε))^(1/(1−ε)); ε = 1: 1 − exp(Σ p_i ln
/// x_i)/μ. ε must be >= 0; undefined with a zero value when ε >= 1.
///
/// Reference: Atkinson AB (1970) On the measurement of inequality. J Econ Theory
/// 2:244-263.
pub fn atkinson(d: &Distribution, epsilon: f64) -> Result<f64> {
    if !(epsilon.is_finite() && epsilon >= 0.0) {
        return Err(Error::argument(
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
    if all_equal(d) {
        return Ok(0.0);
    }
    // l_i = ln(x_i / μ) over the units with a value (zeros, allowed for ε < 1,
    // contribute 0), without forming x_i / μ where it leaves the float range.
    let logs: Vec<(f64, f64)> = d
        .values
        .iter()
        .zip(&d.shares)
        .filter(|(&x, &p)| x > 0.0 && p > 0.0)
        .map(|(&x, &p)| (ln_ratio(x, d.mean), p))
        .collect();
    if epsilon == 1.0 {
        // 1 − exp(Σ p_i l_i): the geometric mean over the arithmetic one.
        let log_mean: f64 = logs.iter().map(|&(l, p)| p * l).sum();
        return Ok(-log_mean.exp_m1());
    }
    // 1 − (Σ p_i e^(e l_i))^(1/e) with e = 1 − ε, about the unit that dominates the sum
    // (the largest l for e > 0, the smallest for e < 0), so that e (l_i − anchor) <= 0:
    // nothing overflows for any ε, and the anchor's own term keeps the sum >= its share.
    let e = 1.0 - epsilon;
    let anchor = if e > 0.0 {
        logs.iter().fold(f64::NEG_INFINITY, |m, &(l, _)| m.max(l))
    } else {
        logs.iter().fold(f64::INFINITY, |m, &(l, _)| m.min(l))
    };
    let sum: f64 = logs
        .iter()
        .map(|&(l, p)| p * (e * (l - anchor)).exp())
        .sum();
    let ln_power_mean = anchor + sum.ln() / e;
    Ok(-ln_power_mean.exp_m1())
}

/// Coefficient of variation √(Σ w_i (x_i − μ)² / (Σw − ddof)) / μ, weights read as
/// frequency weights (ddof = 1 is the sample standard deviation for equal weights).
pub fn cv(d: &Distribution, ddof: f64) -> Result<f64> {
    let denom = d.total_weight - ddof;
    if !(ddof.is_finite() && ddof >= 0.0) || denom <= 0.0 {
        return Err(Error::argument(
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
        .sum::<f64>();
    // Σw / (Σw − ddof), 1 without a correction (also when Σw is beyond the range).
    let factor = if ddof == 0.0 {
        1.0
    } else {
        d.total_weight / denom
    };
    let cv = (ss * factor).sqrt();
    if cv.is_finite() {
        return Ok(cv);
    }
    // A mean tiny beside the largest value: deviations scaled by the largest value,
    // the standard deviation taken before dividing by the (scaled) mean.
    let top = d.values.iter().fold(0.0_f64, |m, &x| m.max(x));
    let nu = d.mean / top;
    let ss: f64 = d
        .values
        .iter()
        .zip(&d.shares)
        .map(|(&x, &p)| p * (x / top - nu).powi(2))
        .sum();
    let sd = (ss * factor).sqrt();
    let cv = sd / nu;
    if cv.is_finite() {
        Ok(cv)
    } else {
        Err(beyond_range(
            "The coefficient of variation",
            "values",
            "the mean is too small beside the largest value",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// theil_of reads the values in place and sums as it goes; every figure must be
    /// the same, bit for bit, as theil of a Distribution, and so must every error.
    #[test]
    fn theil_of_is_theil_of_the_distribution() {
        let bits = |t: &Theil| -> Vec<u64> {
            [t.total, t.reference, t.between, t.within]
                .iter()
                .chain(&t.group_weight_share)
                .chain(&t.group_value_share)
                .chain(&t.group_mean)
                .chain(&t.group_index)
                .chain(&t.group_within)
                .chain(&t.group_between)
                .map(|v| v.to_bits())
                .collect()
        };
        let values = [0.0, 3.5, 1.25, 7.0, 0.5, 2.0, 0.0, 9.75, 4.0, 1e-3];
        let weights = [1.0, 250.0, 3.5, 1e6, 7.0, 12.0, 0.25, 44.0, 8.0, 3.0];
        let codes = [0u32, 1, 1, 2, 0, 2, 1, 0, 2, 1];
        let cases: [(&[f64], Option<&[f64]>); 4] = [
            (&values, Some(&weights)),
            (&values, None),
            (&[2.0, 2.0, 2.0], None),
            (&[0.0, 1e300, 1.7e308], Some(&[1e308, 1.0, 1e-300])),
        ];
        for (v, w) in cases {
            let d = Distribution::new(v, w).unwrap();
            for kind in [TheilKind::T, TheilKind::L] {
                for r in [
                    Reference::Weighted,
                    Reference::Unweighted,
                    Reference::Value(0.7),
                ] {
                    for base in [std::f64::consts::E, 10.0, 2.0, 0.5] {
                        let g = &codes[..v.len()];
                        for groups in [None, Some((g, 3)), Some((g, 4))] {
                            let want = theil(&d, kind, r, base, groups);
                            for units in [true, false] {
                                let got = theil_of(v, w, kind, r, base, groups, units);
                                match (&want, got) {
                                    (Ok(a), Ok(b)) => {
                                        assert_eq!(bits(a), bits(&b));
                                        let n = if units { v.len() } else { 0 };
                                        assert_eq!(b.unit_contribution.len(), n);
                                        if units {
                                            let ua: Vec<u64> = a
                                                .unit_contribution
                                                .iter()
                                                .map(|x| x.to_bits())
                                                .collect();
                                            let ub: Vec<u64> = b
                                                .unit_contribution
                                                .iter()
                                                .map(|x| x.to_bits())
                                                .collect();
                                            assert_eq!(ua, ub);
                                        }
                                    }
                                    (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
                                    (a, b) => panic!("{a:?} but {b:?}"),
                                }
                            }
                        }
                    }
                }
            }
        }
        // Bad input gives Distribution::new's error.
        let bad: [(&[f64], Option<&[f64]>); 6] = [
            (&[], None),
            (&[1.0, f64::NAN], None),
            (&[1.0, -1.0], Some(&[1.0, 1.0])),
            (&[1.0, 2.0], Some(&[1.0])),
            (&[1.0, 2.0], Some(&[1.0, 0.0])),
            (&[0.0, 0.0], Some(&[1.0, f64::INFINITY])),
        ];
        for (v, w) in bad {
            let want = Distribution::new(v, w).unwrap_err().to_string();
            let got = theil_of(v, w, TheilKind::T, Reference::Weighted, 10.0, None, false);
            assert_eq!(got.unwrap_err().to_string(), want);
        }
        let e = theil_of(
            &[0.0, 0.0],
            None,
            TheilKind::T,
            Reference::Weighted,
            10.0,
            None,
            true,
        );
        assert_eq!(
            e.unwrap_err().to_string(),
            Distribution::new(&[0.0, 0.0], None)
                .unwrap_err()
                .to_string()
        );
    }

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

    #[test]
    fn values_and_parameters_at_the_ends_of_the_range() {
        // A subnormal value beside a huge one: x / μ underflowed to 0 and atkinson(2)
        // was NaN. The answer is 1 − harmonic mean / mean, here 1 to double precision.
        let d = dist(&[5e-324, 1e308], &[1.0, 1.0]);
        assert_eq!(atkinson(&d, 2.0).unwrap(), 1.0);
        assert!((atkinson(&d, 0.5).unwrap() - 0.5).abs() < 1e-15);
        // ε = 2 on [1, 3]: harmonic mean 1.5 over mean 2.
        let d = dist(&[1.0, 3.0], &[1.0, 1.0]);
        assert!((atkinson(&d, 2.0).unwrap() - 0.25).abs() < 1e-15);
        // A huge ε tends to 1 − min / mean, with or without weights.
        for eps in [1e308, 2f64.powi(63)] {
            assert!((atkinson(&d, eps).unwrap() - 0.5).abs() < 1e-15);
        }
        // GE(α) for a tiny α is Theil L (it was −0: r^α − 1 cancelled to 0).
        let l = generalized_entropy(&d, 0.0).unwrap(); // Theil L
        let g = generalized_entropy(&d, 5e-324).unwrap();
        assert!((g - l).abs() < 1e-15, "{g} {l}");
        // A huge α: GE ~ Σ p (x/μ)^α / α², beyond the largest float: a named error.
        for alpha in [1e308, 2f64.powi(63), -1e308] {
            let e = generalized_entropy(&d, alpha).unwrap_err().to_string();
            assert!(e.contains("beyond the largest float"), "{e}");
        }
        // α = 1030 on 1 and 1000: (x/μ)^α overflows but GE itself is finite, taken in
        // logarithms: ln GE = α ln(1000/500.5) + ln 0.5 − ln(α (α − 1)).
        let d2 = dist(&[1.0, 1e3], &[1.0, 1.0]);
        let a = 1030.0f64;
        let want = (a * (1e3f64 / 500.5).ln() + 0.5f64.ln() - (a * (a - 1.0)).ln()).exp();
        assert!(want.is_finite() && (1e3f64 / 500.5).powf(a).is_infinite());
        let got = generalized_entropy(&d2, a).unwrap();
        assert!((got / want - 1.0).abs() < 1e-12, "{got} {want}");
        // Equal values: every index is 0 whatever the parameter.
        let eq = dist(&[3.0; 3], &[1.0, 2.0, 7.0]);
        assert_eq!(generalized_entropy(&eq, 1e308).unwrap(), 0.0);
        assert_eq!(atkinson(&eq, 1e308).unwrap(), 0.0);
        // Wide ranges and GE(0) / GE(-1): finite where the answer is.
        let w = dist(&[1e-300, 3.6e8], &[1.0, 1.0]);
        let l = generalized_entropy(&w, 0.0).unwrap(); // Theil L
        let want = 0.5 * (1.8e8f64.ln() - 1e-300f64.ln() + (1.8e8f64 / 3.6e8).ln());
        assert!((l / want - 1.0).abs() < 1e-14, "{l} {want}");
        // GE(−1) = Σ p (μ/x − 1) / 2 ≈ 0.5 · 1.8e308 / 2, just inside the range.
        let g = generalized_entropy(&w, -1.0).unwrap();
        assert!((g / 4.5e307 - 1.0).abs() < 1e-12, "{g}");
        // and GE(−2) beyond it.
        assert!(generalized_entropy(&w, -2.0)
            .unwrap_err()
            .to_string()
            .contains("beyond"));
    }

    #[test]
    fn a_tiny_reference_level_is_computed_or_named() {
        let d = dist(&[1.0, 2.0], &[1.0, 1.0]);
        // T about m = 1e-300: x/m = 1e300, 2e300 and the terms near 1e303: finite.
        let t = theil(&d, TheilKind::T, Reference::Value(1e-300), 10.0, None).unwrap();
        let m = 1e-300f64;
        let want = 0.5 * ((1.0 / m) * (1.0 / m).ln() + (2.0 / m) * (2.0 / m).ln()) / 10f64.ln();
        assert!((t.total / want - 1.0).abs() < 1e-13, "{} {want}", t.total);
        // About m = 5e-324 the index is beyond the range: a named error (was total inf).
        let e = theil(&d, TheilKind::T, Reference::Value(5e-324), 10.0, None).unwrap_err();
        assert!(e.to_string().starts_with("argument 'mean': Theil T"), "{e}");
        // Theil L about it is finite: ln(m / x) is only −744.
        let l = theil(&d, TheilKind::L, Reference::Value(5e-324), 10.0, None).unwrap();
        assert!(l.total.is_finite() && l.total < 0.0);
        // The decomposition keeps summing, with the groups' shares in logarithms.
        let t = theil(
            &d,
            TheilKind::T,
            Reference::Value(1e-300),
            10.0,
            Some((&[0, 1], 2)),
        )
        .unwrap();
        assert!(((t.between + t.within) / t.total - 1.0).abs() < 1e-13);
        // The unweighted reference of values near the top of the range (the plain sum
        // overflowed, m was inf and T was 0).
        let big = dist(&[1e308, 1.5e308], &[1.0, 1.0]);
        let t = theil(&big, TheilKind::T, Reference::Unweighted, 10.0, None).unwrap();
        let small = dist(&[1.0, 1.5], &[1.0, 1.0]);
        let want = theil(&small, TheilKind::T, Reference::Unweighted, 10.0, None).unwrap();
        assert!((t.total - want.total).abs() < 1e-14 && t.total > 0.0);
        assert!((t.reference / 1.25e308 - 1.0).abs() < 1e-15);
    }

    #[test]
    fn cv_of_a_tiny_mean_beside_a_large_value() {
        // Weights put almost all mass on a subnormal value: (x − μ)/μ overflowed.
        // (Σ p (x/μ)² − 1 <= 1 / min p, so the index itself is always below 1e162.)
        let d = dist(&[5e-324, 1.0], &[1.0, 1e-300]);
        let c = cv(&d, 0.0).unwrap();
        assert!((c / 1e150 - 1.0).abs() < 1e-12, "{c}");
        let d = dist(&[1e-300, 1.0], &[1.0, 1e-10]);
        let c = cv(&d, 0.0).unwrap();
        // μ ≈ 1e-10, sd ≈ sqrt(1e-10): cv ≈ 1e5.
        assert!((c / 1e5 - 1.0).abs() < 1e-6, "{c}");
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
