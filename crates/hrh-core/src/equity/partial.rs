//! The sums behind Theil T and L (with their between/within parts), Atkinson and the
//! coefficient of variation, for units read in parts (batches, files, partitions).
//!
//! Every one of these indices is a weighted mean of a per-unit term about the
//! distribution's weighted mean μ = Σ wx / Σw (and, for the within parts, about the
//! subgroup's mean μ_g). Read in parts, the indices take two passes:
//!
//! 1. per group and subgroup, the units, Σw and Σ wx (exact sums, [`crate::sums`]), so
//!    that μ and μ_g are the same whatever the parts;
//! 2. per group and subgroup, the exact sum of each unit's [`Term`] about μ and μ_g:
//!    each term depends on its unit and the means alone, and the sums are correctly
//!    rounded, so the partial states merge in any order to the same bits.
//!
//! [`finish`] turns a group's summed terms and Σw into the index, and [`between`] gives
//! each subgroup's share of the between-subgroup parts. Against the one-pass figures of
//! [`super::theil`] (running float sums over the units), the results differ by those
//! sums' rounding: at most about n·2⁻⁵³ times the sum of the terms' magnitudes.
//!
//! References: Theil H (1967) Economics and Information Theory; Shorrocks AF (1980)
//! Econometrica 48:613-625; Atkinson AB (1970) J Econ Theory 2:244-263.

use crate::error::{Error, Result};

/// A unit's term of a sum behind an index, with level x = staff / w and weight w.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Term {
    /// Theil T: w (x/μ) ln(x/μ), 0 at x = 0.
    TheilT,
    /// Theil T's within part: w (x/μ) ln(x/μ_g), 0 at x = 0; summed over a subgroup
    /// and divided by Σw it is the subgroup's share p_g (μ_g/μ) T_g of the within part.
    TheilTWithin,
    /// Theil L: w ln(μ/x) (x > 0).
    TheilL,
    /// Theil L's within part: w ln(μ_g/x), the subgroup's p_g L_g times Σw.
    TheilLWithin,
    /// Atkinson with aversion ε: w (x/μ)^(1−ε), or w ln(x/μ) at ε = 1.
    Atkinson(f64),
    /// Coefficient of variation: w ((x − μ)/μ)².
    Cv,
}

impl Term {
    /// The term of a unit with `staff` over weight `w`, about the means `mu` (of its
    /// group) and `mu_g` (of its subgroup).
    pub fn of(self, staff: f64, w: f64, mu: f64, mu_g: f64) -> f64 {
        let x = staff / w;
        match self {
            Term::TheilT => {
                if x == 0.0 {
                    0.0
                } else {
                    let r = x / mu;
                    w * (r * r.ln())
                }
            }
            Term::TheilTWithin => {
                if x == 0.0 {
                    0.0
                } else {
                    w * ((x / mu) * (x / mu_g).ln())
                }
            }
            Term::TheilL => w * (mu / x).ln(),
            Term::TheilLWithin => w * (mu_g / x).ln(),
            Term::Atkinson(e) => {
                if e == 1.0 {
                    w * (x / mu).ln()
                } else {
                    w * (x / mu).powf(1.0 - e)
                }
            }
            Term::Cv => {
                let d = (x - mu) / mu;
                w * (d * d)
            }
        }
    }
}

/// Each unit's `term`: `staff[i]` over weight `w[i]` about `mu[i]` and `mu_g[i]` (the
/// means of the unit's group and subgroup). Staff must be >= 0, weights and means > 0,
/// and, for Theil L (and Atkinson with ε >= 1), staff > 0.
pub fn unit_terms(
    staff: &[f64],
    w: &[f64],
    mu: &[f64],
    mu_g: &[f64],
    term: Term,
) -> Result<Vec<f64>> {
    let n = staff.len();
    for (len, name) in [
        (w.len(), "weights"),
        (mu.len(), "mean"),
        (mu_g.len(), "mean"),
    ] {
        if len != n {
            return Err(Error::input(
                name,
                format!("has length {len} but staff has length {n}"),
            ));
        }
    }
    if let Term::Atkinson(e) = term {
        if !(e.is_finite() && e >= 0.0) {
            return Err(Error::argument(
                "epsilon",
                format!("{e} must be a finite number >= 0"),
            ));
        }
    }
    let zero_undefined = matches!(term, Term::TheilL | Term::TheilLWithin)
        || matches!(term, Term::Atkinson(e) if e >= 1.0);
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let (s, wi, m, mg) = (staff[i], w[i], mu[i], mu_g[i]);
        if !(s.is_finite() && s >= 0.0) {
            return Err(Error::input_at("staff", i, format!("{s} is not >= 0")));
        }
        if !(wi.is_finite() && wi > 0.0) {
            return Err(Error::input_at("weights", i, format!("{wi} is not > 0")));
        }
        if !(m.is_finite() && m > 0.0 && mg.is_finite() && mg >= 0.0) {
            return Err(Error::input_at(
                "mean",
                i,
                format!("means {m} and {mg} must be finite, the first > 0"),
            ));
        }
        if s == 0.0 && zero_undefined {
            return Err(Error::input_at(
                "staff",
                i,
                "0 staff: the index takes the logarithm (or a negative power) of the level, \
                 undefined at zero",
            ));
        }
        out.push(term.of(s, wi, m, mg));
    }
    Ok(out)
}

/// The index of one group from the exact sum of its units' `term` and its Σw:
/// Theil T or L (or a within part) Σ/Σw; Atkinson 1 − (Σ/Σw)^(1/(1−ε)), or
/// 1 − exp(Σ/Σw) at ε = 1; CV √(Σ/Σw). Each index is >= 0: rounding below 0 becomes 0.
pub fn finish(term: Term, sum: f64, weight: f64) -> f64 {
    let mean = sum / weight;
    let v = match term {
        Term::TheilT | Term::TheilTWithin | Term::TheilL | Term::TheilLWithin => mean,
        Term::Atkinson(e) => {
            if e == 1.0 {
                -mean.exp_m1()
            } else {
                1.0 - mean.powf(1.0 / (1.0 - e))
            }
        }
        Term::Cv => mean.max(0.0).sqrt(),
    };
    if v <= 0.0 {
        0.0
    } else {
        v
    }
}

/// A subgroup's terms of the between-subgroup parts of Theil T and L, with weight share
/// p_g = `weight_g` / `weight` and mean ratio r = `mean_g` / `mean`: (p_g r ln r,
/// −p_g ln r); a subgroup without staff (r = 0) adds 0 to T and makes L undefined (NaN).
pub fn between(weight_g: f64, mean_g: f64, weight: f64, mean: f64) -> (f64, f64) {
    let p = weight_g / weight;
    let r = mean_g / mean;
    if r == 0.0 {
        return (0.0, f64::NAN);
    }
    let l = r.ln();
    (p * (r * l), -p * l)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::equity::theil::{atkinson, cv, theil, Reference, TheilKind};
    use crate::equity::Distribution;
    use crate::sums::ExactSum;

    fn sum(v: &[f64]) -> f64 {
        let mut s = ExactSum::new();
        for &x in v {
            s.add(x);
        }
        s.value()
    }

    #[test]
    fn sums_of_terms_give_the_indices_of_the_whole() {
        // 40 units in 3 subgroups; staff and weights from a fixed recurrence.
        let n = 40;
        let staff: Vec<f64> = (0..n).map(|i| 1.0 + ((i * 37) % 23) as f64).collect();
        let w: Vec<f64> = (0..n)
            .map(|i| 100.0 + ((i * 53) % 71) as f64 * 10.0)
            .collect();
        let g: Vec<u32> = (0..n).map(|i| (i % 3) as u32).collect();
        let x: Vec<f64> = staff.iter().zip(&w).map(|(s, w)| s / w).collect();
        let big_w = sum(&w);
        let mu = sum(&staff) / big_w;
        let mut wg = [0.0; 3];
        let mut sg = [0.0; 3];
        for k in 0..3 {
            let rows: Vec<usize> = (0..n).filter(|&i| g[i] == k as u32).collect();
            wg[k] = sum(&rows.iter().map(|&i| w[i]).collect::<Vec<_>>());
            sg[k] = sum(&rows.iter().map(|&i| staff[i]).collect::<Vec<_>>());
        }
        let mus = vec![mu; n];
        let mug: Vec<f64> = g.iter().map(|&k| sg[k as usize] / wg[k as usize]).collect();
        let idx = |t: Term| {
            finish(
                t,
                sum(&unit_terms(&staff, &w, &mus, &mug, t).unwrap()),
                big_w,
            )
        };
        let d = Distribution::new(&x, Some(&w)).unwrap();
        let groups = Some((g.as_slice(), 3));
        let e = std::f64::consts::E;
        let tt = theil(&d, TheilKind::T, Reference::Weighted, e, groups).unwrap();
        let tl = theil(&d, TheilKind::L, Reference::Weighted, e, groups).unwrap();
        let close = |a: f64, b: f64| assert!((a - b).abs() < 1e-14, "{a} vs {b}");
        close(idx(Term::TheilT), tt.total);
        close(idx(Term::TheilTWithin), tt.within);
        close(idx(Term::TheilL), tl.total);
        close(idx(Term::TheilLWithin), tl.within);
        let parts: Vec<(f64, f64)> = (0..3)
            .map(|k| between(wg[k], sg[k] / wg[k], big_w, mu))
            .collect();
        close(parts.iter().map(|p| p.0).sum(), tt.between);
        close(parts.iter().map(|p| p.1).sum(), tl.between);
        for eps in [0.0, 0.5, 1.0, 2.5] {
            close(idx(Term::Atkinson(eps)), atkinson(&d, eps).unwrap());
        }
        close(idx(Term::Cv), cv(&d, 0.0).unwrap());
        // The parts add up: total = between + within.
        close(idx(Term::TheilT), tt.between + idx(Term::TheilTWithin));
    }

    #[test]
    fn bad_units_are_named() {
        let one = [1.0];
        let e = unit_terms(&[0.0], &one, &one, &one, Term::TheilL).unwrap_err();
        assert!(
            e.to_string().starts_with("column 'staff', row 0: 0 staff"),
            "{e}"
        );
        assert!(unit_terms(&[0.0], &one, &one, &one, Term::Atkinson(0.5)).is_ok());
        assert!(unit_terms(&[0.0], &one, &one, &one, Term::Atkinson(1.0)).is_err());
        assert!(unit_terms(&[1.0], &[0.0], &one, &one, Term::Cv).is_err());
        assert!(unit_terms(&[1.0], &one, &[], &one, Term::Cv).is_err());
        assert!(unit_terms(&[1.0], &one, &one, &one, Term::Atkinson(-1.0)).is_err());
        assert_eq!(
            unit_terms(&[0.0], &one, &one, &one, Term::TheilT).unwrap(),
            [0.0]
        );
        assert_eq!(between(1.0, 0.0, 2.0, 1.0).0, 0.0);
        assert_eq!(finish(Term::Cv, -1e-30, 1.0), 0.0);
    }
}
