//! Density metrics: staff per N population with exact Poisson intervals, per-area
//! density, the health-resource density index (HRDI), shortfall against a norm, quota
//! gaps and agglomeration degrees.
//!
//! All functions work on one value per unit (a region, a region-year, a group):
//! aggregation of registers into units happens before (in the Python layer, by polars).

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::special::qgamma;
use crate::validate;

/// Exact (Garwood) confidence interval for a Poisson mean given an observed `count`.
///
/// lower = G⁻¹(α/2; x), upper = G⁻¹(1 − α/2; x + 1), where G⁻¹(p; a) is the quantile of
/// the Gamma(a, 1) distribution and α = 1 − `level`; the lower limit is 0 when x = 0.
/// For integer x these are the chi-squared limits χ²(α/2; 2x)/2 and χ²(1 − α/2; 2x + 2)/2
/// of Garwood (1936), identical to R's `poisson.test`. Non-integer counts (sums of
/// full-time equivalents) use the same gamma quantiles, the continuous extension.
///
/// Reference: Garwood F. (1936) Fiducial limits for the Poisson distribution.
/// Biometrika 28:437-442.
pub fn garwood(count: f64, level: f64) -> (f64, f64) {
    garwood_limits(count, level, Alternative::TwoSided)
}

/// The alternative hypothesis of a test, and the side(s) of its confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alternative {
    /// Two-sided: an interval with (1 − level)/2 in each tail.
    TwoSided,
    /// "less": the interval [0, upper], all of 1 − level above the upper limit.
    Less,
    /// "greater": the interval [lower, ∞), all of 1 − level below the lower limit.
    Greater,
}

impl Alternative {
    /// From R's names "two.sided" (or "two-sided", "two_sided"), "less", "greater".
    pub fn parse(name: &str) -> Result<Self> {
        match name {
            "two-sided" | "two.sided" | "two_sided" => Ok(Alternative::TwoSided),
            "less" => Ok(Alternative::Less),
            "greater" => Ok(Alternative::Greater),
            other => Err(Error::argument(
                "alternative",
                format!("'{other}' is not 'two-sided', 'less' or 'greater'"),
            )),
        }
    }
}

/// A level whose complement is representable: a one-sided "greater" interval puts all
/// of 1 − level below its lower limit, which is infinite when 1 − level rounds to 1.
fn check_one_sided_level(level: f64, alternative: Alternative) -> Result<()> {
    validate::level(level)?;
    if alternative == Alternative::Greater && 1.0 - level == 1.0 {
        return Err(Error::argument(
            "level",
            format!(
                "{level:e} is too small for a one-sided 'greater' interval: 1 - level rounds \
                 to 1 and the lower limit would be infinite (give a level of at least 1e-15)"
            ),
        ));
    }
    Ok(())
}

/// Exact (Garwood) limits of a Poisson mean with the interval's side(s) chosen by
/// `alternative`, as R's `poisson.test(x, alternative = ...)`: two-sided as
/// [`garwood`]; "less" gives [0, G⁻¹(level; x + 1)]; "greater" gives
/// [G⁻¹(1 − level; x), ∞) (0 when x = 0).
pub fn garwood_limits(count: f64, level: f64, alternative: Alternative) -> (f64, f64) {
    let alpha = 1.0 - level;
    let (a_lower, a_upper) = match alternative {
        Alternative::TwoSided => (alpha / 2.0, alpha / 2.0),
        Alternative::Less => (f64::NAN, alpha),
        Alternative::Greater => (alpha, f64::NAN),
    };
    let lower = if alternative == Alternative::Less || count <= 0.0 {
        0.0
    } else {
        qgamma(a_lower, count)
    };
    let upper = if alternative == Alternative::Greater {
        f64::INFINITY
    } else {
        qgamma(1.0 - a_upper, count + 1.0)
    };
    (lower, upper)
}

/// Distinct counts from which their limits are computed in parallel (fewer are done on
/// the calling thread: waking the pool would cost more than it saves).
const PARALLEL_LIMITS: usize = 256;

/// [`garwood_limits`] of each count, computed once per distinct count (by its bits)
/// and copied to the others: counts of staff and events repeat (integers, or sums of
/// a few FTE fractions), and each pair of limits is a few incomplete-gamma
/// inversions. The same function of the same value, so the bits are those of one
/// call per count, for any number of threads.
fn distinct_limits(count: &[f64], level: f64, alternative: Alternative) -> Vec<(f64, f64)> {
    let mut order: Vec<usize> = (0..count.len()).collect();
    order.sort_unstable_by_key(|&i| count[i].to_bits());
    // The distinct counts, and for each row of `order` the index of its count in them.
    let mut values: Vec<f64> = Vec::new();
    let mut at: Vec<usize> = Vec::with_capacity(order.len());
    for &i in &order {
        let c = count[i];
        if values.last().is_none_or(|v| v.to_bits() != c.to_bits()) {
            values.push(c);
        }
        at.push(values.len() - 1);
    }
    let distinct: Vec<(f64, f64)> = if values.len() >= PARALLEL_LIMITS {
        values
            .par_iter()
            .map(|&c| garwood_limits(c, level, alternative))
            .collect()
    } else {
        values
            .iter()
            .map(|&c| garwood_limits(c, level, alternative))
            .collect()
    };
    let mut out = vec![(0.0, 0.0); count.len()];
    for (&i, &d) in order.iter().zip(&at) {
        out[i] = distinct[d];
    }
    out
}

/// A rate with its exact interval, one entry per unit.
#[derive(Debug, Clone, PartialEq)]
pub struct RateInterval {
    /// count / exposure × scale.
    pub rate: Vec<f64>,
    /// Lower limit, scaled like the rate.
    pub lower: Vec<f64>,
    /// Upper limit, scaled like the rate.
    pub upper: Vec<f64>,
}

/// Rates `count / exposure × scale` with exact Garwood intervals at `level`
/// (see [`garwood`]). Counts must be finite and >= 0, exposures finite and > 0.
pub fn poisson_rate(
    count: &[f64],
    exposure: &[f64],
    scale: f64,
    level: f64,
    count_name: &str,
    exposure_name: &str,
) -> Result<RateInterval> {
    poisson_rate_sided(
        count,
        exposure,
        scale,
        level,
        Alternative::TwoSided,
        count_name,
        exposure_name,
    )
}

/// [`poisson_rate`] with one-sided intervals on request (see [`garwood_limits`]); a
/// one-sided interval's open end is 0 ("less") or ∞ ("greater").
pub fn poisson_rate_sided(
    count: &[f64],
    exposure: &[f64],
    scale: f64,
    level: f64,
    alternative: Alternative,
    count_name: &str,
    exposure_name: &str,
) -> Result<RateInterval> {
    check_one_sided_level(level, alternative)?;
    validate::positive_scalar(scale, "per")?;
    validate::same_len(count.len(), exposure.len(), count_name, exposure_name)?;
    validate::non_negative(count, count_name)?;
    validate::positive(exposure, exposure_name)?;
    let limits = distinct_limits(count, level, alternative);
    let k: Vec<f64> = exposure.iter().map(|e| scale / e).collect();
    let out = RateInterval {
        rate: count.iter().zip(&k).map(|(c, k)| c * k).collect(),
        lower: limits.iter().zip(&k).map(|(l, k)| l.0 * k).collect(),
        upper: limits.iter().zip(&k).map(|(l, k)| l.1 * k).collect(),
    };
    // A tiny positive exposure can push a rate beyond the largest number (the open
    // end of a "greater" interval is infinite by definition).
    let beyond = |u: &f64| !u.is_finite() && alternative != Alternative::Greater;
    if let Some(i) = out
        .upper
        .iter()
        .zip(&out.rate)
        .position(|(u, r)| beyond(u) || !r.is_finite())
    {
        return Err(Error::input_at(
            exposure_name,
            i,
            format!(
                "{exposure_name} {:e} is too small for {count_name} {}: the rate per {scale} \
                 exceeds the largest number (check the unit)",
                exposure[i], count[i]
            ),
        ));
    }
    Ok(out)
}

/// The first of `x` that is not finite, as an input error on `column` (a ratio whose
/// divisor is tiny).
fn finite_ratio(x: &[f64], divisor: &[f64], column: &str, what: &str) -> Result<()> {
    match x.iter().position(|v| !v.is_finite()) {
        Some(i) => Err(Error::input_at(
            column,
            i,
            format!(
                "{column} {:e} is too small: {what} exceeds the largest number (check the unit)",
                divisor[i]
            ),
        )),
        None => Ok(()),
    }
}

/// Densities of one set of units.
#[derive(Debug, Clone, PartialEq)]
pub struct Density {
    /// Staff per `per` population, with its exact interval.
    pub per_population: RateInterval,
    /// Staff per km² (when areas are given).
    pub per_km2: Option<Vec<f64>>,
    /// Health-resource density index √(density × density per km²) (when areas are given).
    pub hrdi: Option<Vec<f64>>,
}

/// Staff per `per` population with exact intervals and, when `area` (km²) is given, the
/// density per km² and the health-resource density index
/// HRDI = √(staff/population × `per` · staff/area).
///
/// Reference for HRDI: Horev T, Pesis-Katz I, Mukamel DB (2004) Trends in geographic
/// disparities in allocation of health care resources in the US. Health Policy
/// 68:223-232.
pub fn density(
    staff: &[f64],
    population: &[f64],
    area: Option<&[f64]>,
    per: f64,
    level: f64,
) -> Result<Density> {
    let per_population = poisson_rate(staff, population, per, level, "staff", "population")?;
    let (per_km2, hrdi) = match area {
        None => (None, None),
        Some(area) => {
            validate::same_len(staff.len(), area.len(), "staff", "area")?;
            validate::positive(area, "area")?;
            let km2: Vec<f64> = staff.iter().zip(area).map(|(s, a)| s / a).collect();
            finite_ratio(&km2, area, "area", "the density per km²")?;
            let hrdi = per_population
                .rate
                .iter()
                .zip(&km2)
                .map(|(d, k)| (d * k).sqrt())
                .collect();
            (Some(km2), Some(hrdi))
        }
    };
    Ok(Density {
        per_population,
        per_km2,
        hrdi,
    })
}

/// Staff against a requirement.
#[derive(Debug, Clone, PartialEq)]
pub struct Shortfall {
    /// max(required − staff, 0).
    pub shortfall: Vec<f64>,
    /// max(staff − required, 0).
    pub surplus: Vec<f64>,
    /// staff / required (NaN where nothing is required).
    pub ratio: Vec<f64>,
}

/// Shortfall, surplus and ratio of `staff` against `required` staff.
pub fn shortfall(staff: &[f64], required: &[f64]) -> Result<Shortfall> {
    validate::same_len(staff.len(), required.len(), "staff", "required")?;
    validate::non_negative(staff, "staff")?;
    validate::non_negative(required, "required")?;
    Ok(Shortfall {
        shortfall: staff
            .iter()
            .zip(required)
            .map(|(s, r)| (r - s).max(0.0))
            .collect(),
        surplus: staff
            .iter()
            .zip(required)
            .map(|(s, r)| (s - r).max(0.0))
            .collect(),
        ratio: staff
            .iter()
            .zip(required)
            .map(|(s, r)| if *r > 0.0 { s / r } else { f64::NAN })
            .collect(),
    })
}

/// Staff against an approved staffing quota.
#[derive(Debug, Clone, PartialEq)]
pub struct QuotaGap {
    /// staff / quota.
    pub fill_rate: Vec<f64>,
    /// quota − staff (negative when staff exceed the quota).
    pub vacancies: Vec<f64>,
}

/// Fill rate and vacancies of `staff` against a positive `quota`.
pub fn quota_gap(staff: &[f64], quota: &[f64]) -> Result<QuotaGap> {
    validate::same_len(staff.len(), quota.len(), "staff", "quota")?;
    validate::non_negative(staff, "staff")?;
    validate::positive(quota, "quota")?;
    let fill_rate: Vec<f64> = staff.iter().zip(quota).map(|(s, q)| s / q).collect();
    finite_ratio(&fill_rate, quota, "quota", "the fill rate")?;
    Ok(QuotaGap {
        fill_rate,
        vacancies: staff.iter().zip(quota).map(|(s, q)| q - s).collect(),
    })
}

/// Agglomeration degrees of units within groups.
#[derive(Debug, Clone, PartialEq)]
pub struct Agglomeration {
    /// Unit's share of its group's staff.
    pub staff_share: Vec<f64>,
    /// Unit's share of its group's population.
    pub population_share: Vec<f64>,
    /// Unit's share of its group's area.
    pub area_share: Vec<f64>,
    /// Health-resource agglomeration degree: staff share / area share.
    pub hrad: Vec<f64>,
    /// Population agglomeration degree: population share / area share.
    pub pad: Vec<f64>,
    /// HRAD / PAD (= staff share / population share).
    pub ratio: Vec<f64>,
    /// √(staff/population × `per` · staff/area).
    pub hrdi: Vec<f64>,
}

/// Health-resource and population agglomeration degrees (HRAD, PAD) of each unit within
/// its group (`group[i]` in `0..n_groups`; all zeros for one group).
///
/// HRAD_i = (S_i / ΣS) / (A_i / ΣA), PAD_i = (P_i / ΣP) / (A_i / ΣA), sums over the
/// unit's group. A value above 1 means staff (people) are more concentrated in the unit
/// than its land area would suggest.
///
/// The agglomeration degree is the location quotient of regional science applied to land
/// area, as the Chinese health-resource allocation literature uses it for provinces
/// (HRAD, PAD); no single original source is cited here.
pub fn agglomeration(
    staff: &[f64],
    population: &[f64],
    area: &[f64],
    group: &[u32],
    n_groups: usize,
    per: f64,
) -> Result<Agglomeration> {
    let n = staff.len();
    validate::same_len(n, population.len(), "staff", "population")?;
    validate::same_len(n, area.len(), "staff", "area")?;
    validate::same_len(n, group.len(), "staff", "within")?;
    validate::positive_scalar(per, "per")?;
    validate::non_negative(staff, "staff")?;
    validate::positive(population, "population")?;
    validate::positive(area, "area")?;
    if let Some(i) = group.iter().position(|&g| g as usize >= n_groups) {
        return Err(Error::input_at(
            "within",
            i,
            format!("group code {} is not below {n_groups}", group[i]),
        ));
    }
    let sums = |unit: &[[f64; 3]]| {
        let mut totals = vec![[0.0f64; 3]; n_groups];
        for i in 0..n {
            let g = group[i] as usize;
            let (t, m) = (&mut totals[g], unit[g]);
            for (k, x) in [staff[i], population[i], area[i]].into_iter().enumerate() {
                if m[k] > 0.0 {
                    t[k] += x / m[k];
                }
            }
        }
        totals
    };
    let mut unit = vec![[1.0f64; 3]; n_groups];
    let mut totals = sums(&unit);
    if totals.iter().flatten().any(|t| !t.is_finite()) {
        // Values near the top of the range, whose plain sum overflows: each group's sums
        // in units of its largest value, so that the shares stay right.
        unit = vec![[0.0f64; 3]; n_groups];
        for i in 0..n {
            let m = &mut unit[group[i] as usize];
            m[0] = m[0].max(staff[i]);
            m[1] = m[1].max(population[i]);
            m[2] = m[2].max(area[i]);
        }
        totals = sums(&unit);
    }
    if let Some(g) = totals.iter().position(|t| t[0] <= 0.0) {
        let row = group.iter().position(|&x| x as usize == g).unwrap_or(0);
        return Err(Error::input_at(
            "staff",
            row,
            "the group of this row has no staff at all, so staff shares are undefined",
        ));
    }
    let mut out = Agglomeration {
        staff_share: Vec::with_capacity(n),
        population_share: Vec::with_capacity(n),
        area_share: Vec::with_capacity(n),
        hrad: Vec::with_capacity(n),
        pad: Vec::with_capacity(n),
        ratio: Vec::with_capacity(n),
        hrdi: Vec::with_capacity(n),
    };
    for i in 0..n {
        let g = group[i] as usize;
        let (t, m) = (totals[g], unit[g]);
        let (ss, ps, as_) = (
            staff[i] / m[0] / t[0],
            population[i] / m[1] / t[1],
            area[i] / m[2] / t[2],
        );
        out.staff_share.push(ss);
        out.population_share.push(ps);
        out.area_share.push(as_);
        out.hrad.push(ss / as_);
        out.pad.push(ps / as_);
        out.ratio.push(ss / ps);
        // √(S/P · per) · √(S/A): the product under one root overflowed first.
        out.hrdi
            .push((staff[i] / population[i] * per).sqrt() * (staff[i] / area[i]).sqrt());
    }
    finite_ratio(&out.hrad, area, "area", "the agglomeration degree")?;
    finite_ratio(&out.hrdi, area, "area", "the density index")?;
    Ok(out)
}

/// Exact comparisons of two Poisson rates, one entry per pair.
#[derive(Debug, Clone, PartialEq)]
pub struct RateRatio {
    /// (x₁/T₁)/(x₂/T₂): ∞ when x₂ = 0 < x₁, NaN (undefined) when both counts are 0.
    pub estimate: Vec<f64>,
    /// Lower limit of the ratio (0 for "less" and when x₁ = 0).
    pub lower: Vec<f64>,
    /// Upper limit of the ratio (∞ for "greater" and when x₂ = 0).
    pub upper: Vec<f64>,
    /// Exact p-value against the null ratio.
    pub p_value: Vec<f64>,
    /// x₁ + x₂, the number of trials of the conditional binomial.
    pub total: Vec<f64>,
}

/// Largest count accepted by [`rate_ratio`]: whole numbers are exact up to 2⁵³.
pub const MAX_EXACT_COUNT: f64 = 9_007_199_254_740_992.0;

/// Exact comparison of two Poisson rates: counts x₁ in exposure T₁ and x₂ in T₂, rate
/// ratio θ = (x₁/T₁)/(x₂/T₂). Given n = x₁ + x₂, x₁ ~ Bin(n, π) with
/// π = θ T₁/(θ T₁ + T₂); the test of θ = `null_ratio` is the exact binomial test of
/// π₀ = r T₁/(r T₁ + T₂) (two-sided: the outcomes no more likely than x₁, as R), and
/// the interval is the Clopper-Pearson interval of π mapped to θ = π/(1 − π) · T₂/T₁.
/// This is R's `poisson.test(c(x1, x2), c(T1, T2), r, alternative, conf.level)`; where
/// R stops (both counts 0) the estimate is NaN, the interval [0, ∞) and the p-value 1.
///
/// Counts must be whole numbers in [0, 2⁵³], exposures finite and > 0, `null_ratio`
/// finite and > 0. The cost of a pair grows with √n (tails summed term by term).
///
/// References: Clopper CJ, Pearson ES (1934) Biometrika 26:404-413; Przyborowski J,
/// Wilenski H (1940) Homogeneity of results in testing samples from Poisson series.
/// Biometrika 31:313-323; R's `stats::poisson.test`.
#[allow(clippy::too_many_arguments)]
pub fn rate_ratio(
    events1: &[f64],
    exposure1: &[f64],
    events2: &[f64],
    exposure2: &[f64],
    null_ratio: f64,
    level: f64,
    alternative: Alternative,
) -> Result<RateRatio> {
    check_one_sided_level(level, alternative)?;
    validate::positive_scalar(null_ratio, "null_ratio")?;
    let n = events1.len();
    validate::same_len(n, exposure1.len(), "events1", "exposure1")?;
    validate::same_len(n, events2.len(), "events1", "events2")?;
    validate::same_len(n, exposure2.len(), "events1", "exposure2")?;
    for (x, name) in [(events1, "events1"), (events2, "events2")] {
        validate::non_negative(x, name)?;
        if let Some(i) = x
            .iter()
            .position(|&v| v.fract() != 0.0 || v > MAX_EXACT_COUNT)
        {
            return Err(Error::input_at(
                name,
                i,
                format!(
                    "{} is not a whole number of events up to 2**53: the exact comparison \
                     conditions on whole counts",
                    validate::short(x[i])
                ),
            ));
        }
    }
    validate::positive(exposure1, "exposure1")?;
    validate::positive(exposure2, "exposure2")?;
    if let Some(i) = (0..n).position(|i| events1[i] + events2[i] > MAX_EXACT_COUNT) {
        return Err(Error::input_at(
            "events1",
            i,
            "events1 + events2 exceeds 2**53, beyond exact whole numbers",
        ));
    }
    let alpha = 1.0 - level;
    let (a_lower, a_upper) = match alternative {
        Alternative::TwoSided => (alpha / 2.0, alpha / 2.0),
        Alternative::Less => (f64::NAN, alpha),
        Alternative::Greater => (alpha, f64::NAN),
    };
    let one = |i: usize| -> (f64, f64, f64, f64) {
        let (x1, x2, t1, t2) = (events1[i], events2[i], exposure1[i], exposure2[i]);
        let total = x1 + x2;
        let estimate = (x1 / t1) / (x2 / t2);
        let (mut lo, mut hi) = crate::binom::clopper_pearson_odds(x1, total, a_lower, a_upper);
        match alternative {
            Alternative::Less => lo = 0.0,
            Alternative::Greater => hi = f64::INFINITY,
            Alternative::TwoSided => {}
        }
        let k = t2 / t1;
        // pi0 and 1 - pi0, each without cancellation.
        let (p, q) = (null_ratio * t1, t2);
        let (p, q) = (p / (p + q), q / (p + q));
        let pv = crate::binom::binom_test_p(x1, total, p, q, alternative);
        (estimate, lo * k, hi * k, pv)
    };
    let rows: Vec<(f64, f64, f64, f64)> = if n >= 16 {
        (0..n).into_par_iter().map(one).collect()
    } else {
        (0..n).map(one).collect()
    };
    // Exposures of very different size can push a ratio beyond the largest number; the
    // only infinities are the documented ones (x2 = 0, or the open end of "greater").
    if let Some(i) = rows.iter().enumerate().position(|(i, r)| {
        let open = events2[i] == 0.0 || alternative == Alternative::Greater;
        (r.0.is_infinite() && events2[i] > 0.0) || r.1.is_infinite() || (r.2.is_infinite() && !open)
    }) {
        return Err(Error::input_at(
            "exposure1",
            i,
            format!(
                "exposures {:e} and {:e} are too far apart: the rate ratio exceeds the \
                 largest number (check the units)",
                exposure1[i], exposure2[i]
            ),
        ));
    }
    Ok(RateRatio {
        estimate: rows.iter().map(|r| r.0).collect(),
        lower: rows.iter().map(|r| r.1).collect(),
        upper: rows.iter().map(|r| r.2).collect(),
        p_value: rows.iter().map(|r| r.3).collect(),
        total: (0..n).map(|i| events1[i] + events2[i]).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiny_divisors_are_named_errors() {
        let e = density(&[10.0], &[1e-310], None, 1000.0, 0.95).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("column 'population', row 0: population 1e-310 is too small"),
            "{e}"
        );
        let e = density(&[10.0], &[1000.0], Some(&[5e-324]), 1000.0, 0.95).unwrap_err();
        assert!(e.to_string().starts_with("column 'area', row 0"), "{e}");
        let e = quota_gap(&[1e300], &[1e-300]).unwrap_err();
        assert!(e.to_string().starts_with("column 'quota', row 0"), "{e}");
    }

    #[test]
    fn one_sided_limits_and_tiny_levels() {
        let (lo, hi) = garwood_limits(3.0, 0.95, Alternative::Less);
        assert_eq!(lo, 0.0);
        assert!((hi - garwood(3.0, 0.90).1).abs() < 1e-12 * hi);
        let (lo, hi) = garwood_limits(3.0, 0.95, Alternative::Greater);
        assert!((lo - garwood(3.0, 0.90).0).abs() < 1e-12 * lo);
        assert!(hi.is_infinite());
        let e = poisson_rate_sided(&[1.0], &[1.0], 1.0, 5e-324, Alternative::Greater, "c", "e");
        assert!(e
            .unwrap_err()
            .to_string()
            .contains("too small for a one-sided"));
        let e = rate_ratio(
            &[1.0],
            &[1.0],
            &[2.0],
            &[1.0],
            1.0,
            1e-17,
            Alternative::Greater,
        );
        assert!(e.is_err());
    }

    #[test]
    fn repeated_counts_get_the_limits_of_their_own_call() {
        // Few distinct counts (computed on the calling thread) and many (in parallel),
        // repeated and out of order, with zeros of both signs and FTE fractions.
        for distinct in [7usize, 600] {
            let count: Vec<f64> = (0..5 * distinct)
                .map(|i| match (i * 7919) % distinct {
                    0 => 0.0,
                    1 => -0.0,
                    k => k as f64 * 0.25,
                })
                .collect();
            for alt in [
                Alternative::TwoSided,
                Alternative::Less,
                Alternative::Greater,
            ] {
                let got = distinct_limits(&count, 0.9, alt);
                assert_eq!(got.len(), count.len());
                for (&c, &(lo, hi)) in count.iter().zip(&got) {
                    let (l, h) = garwood_limits(c, 0.9, alt);
                    assert_eq!((lo.to_bits(), hi.to_bits()), (l.to_bits(), h.to_bits()));
                }
            }
        }
        assert!(distinct_limits(&[], 0.95, Alternative::TwoSided).is_empty());
    }

    #[test]
    fn garwood_matches_r_poisson_test() {
        // R 4.x: poisson.test(10)$conf.int = 4.795389 18.390356 (printed digits)
        let (lo, hi) = garwood(10.0, 0.95);
        assert!((lo - 4.795_389).abs() < 1e-6);
        assert!((hi - 18.390_356).abs() < 1e-6);
        // Zero count: lower 0, upper -ln(0.025) = 3.688879...
        let (lo, hi) = garwood(0.0, 0.95);
        assert_eq!(lo, 0.0);
        assert!((hi - (-(0.025f64).ln())).abs() < 1e-12);
    }

    #[test]
    fn density_and_hrdi() {
        let d = density(&[30.0], &[10_000.0], Some(&[50.0]), 1000.0, 0.95).unwrap();
        assert!((d.per_population.rate[0] - 3.0).abs() < 1e-12);
        assert!((d.per_km2.as_ref().unwrap()[0] - 0.6).abs() < 1e-12);
        assert!((d.hrdi.as_ref().unwrap()[0] - (1.8f64).sqrt()).abs() < 1e-12);
        let (lo, hi) = (d.per_population.lower[0], d.per_population.upper[0]);
        assert!(lo < 3.0 && hi > 3.0);
    }

    #[test]
    fn bad_inputs_name_column_and_row() {
        let e = density(&[1.0, -2.0], &[10.0, 10.0], None, 1000.0, 0.95).unwrap_err();
        assert_eq!(
            e.to_string(),
            "column 'staff', row 1: value -2 is negative; staff must be >= 0"
        );
        let e = density(&[1.0], &[0.0], None, 1000.0, 0.95).unwrap_err();
        assert!(e.to_string().contains("column 'population', row 0"));
        let e = density(&[1.0], &[1.0], None, 1000.0, 1.5).unwrap_err();
        assert!(e.to_string().contains("level"));
    }

    #[test]
    fn motivating_province_quota() {
        let q = quota_gap(&[3087.0], &[3364.0]).unwrap();
        assert_eq!(q.vacancies[0], 277.0);
        assert!((q.fill_rate[0] - 0.917_657_550_535_077_3).abs() < 1e-12);
    }

    #[test]
    fn shortfall_is_one_sided() {
        let s = shortfall(&[5.0, 12.0], &[10.0, 10.0]).unwrap();
        assert_eq!(s.shortfall, vec![5.0, 0.0]);
        assert_eq!(s.surplus, vec![0.0, 2.0]);
        assert_eq!(s.ratio, vec![0.5, 1.2]);
    }

    #[test]
    fn agglomeration_near_the_top_of_the_range() {
        // The populations' sum overflowed: every population share, and so PAD, was 0.
        let a = agglomeration(
            &[10.0, 10.0],
            &[1e308, 1e308],
            &[5.0, 5.0],
            &[0, 0],
            1,
            1000.0,
        )
        .unwrap();
        assert_eq!(a.pad, vec![1.0, 1.0]);
        assert_eq!(a.population_share, vec![0.5, 0.5]);
        assert_eq!(a.ratio, vec![1.0, 1.0]);
        // Staff and areas there too, in another group beside an ordinary one.
        let a = agglomeration(
            &[1.5e308, 0.5e308, 1.0, 3.0],
            &[1.0, 1.0, 2.0, 2.0],
            &[1e308, 1e308, 1.0, 1.0],
            &[0, 0, 1, 1],
            2,
            1.0,
        )
        .unwrap();
        assert!((a.hrad[0] - 1.5).abs() < 1e-15 && (a.hrad[3] - 1.5).abs() < 1e-15);
        assert!(a.hrdi.iter().all(|h| h.is_finite()));
        // A density index truly beyond the range is a named error.
        let e = agglomeration(&[1e300], &[1e-300], &[1e-300], &[0], 1, 1.0).unwrap_err();
        assert!(e.to_string().starts_with("column 'area', row 0"), "{e}");
    }

    #[test]
    fn agglomeration_shares_sum_to_one() {
        let a = agglomeration(
            &[10.0, 30.0, 5.0, 5.0],
            &[100.0, 100.0, 50.0, 150.0],
            &[1.0, 3.0, 2.0, 2.0],
            &[0, 0, 1, 1],
            2,
            1000.0,
        )
        .unwrap();
        assert!((a.staff_share[0] + a.staff_share[1] - 1.0).abs() < 1e-15);
        assert!((a.hrad[0] - 1.0).abs() < 1e-15); // 0.25 / 0.25
        assert!((a.pad[2] - 0.5).abs() < 1e-15); // 0.25 / 0.5
        assert!((a.ratio[2] - 2.0).abs() < 1e-15);
    }
}
