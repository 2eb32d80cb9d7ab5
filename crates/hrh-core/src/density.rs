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
    let alpha = 1.0 - level;
    let lower = if count > 0.0 {
        qgamma(alpha / 2.0, count)
    } else {
        0.0
    };
    let upper = qgamma(1.0 - alpha / 2.0, count + 1.0);
    (lower, upper)
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
    validate::level(level)?;
    validate::positive_scalar(scale, "per")?;
    validate::same_len(count.len(), exposure.len(), count_name, exposure_name)?;
    validate::non_negative(count, count_name)?;
    validate::positive(exposure, exposure_name)?;
    // Each interval is a few incomplete-gamma inversions: worth spreading over threads.
    let limits: Vec<(f64, f64)> = if count.len() >= 256 {
        count.par_iter().map(|&c| garwood(c, level)).collect()
    } else {
        count.iter().map(|&c| garwood(c, level)).collect()
    };
    let k: Vec<f64> = exposure.iter().map(|e| scale / e).collect();
    let out = RateInterval {
        rate: count.iter().zip(&k).map(|(c, k)| c * k).collect(),
        lower: limits.iter().zip(&k).map(|(l, k)| l.0 * k).collect(),
        upper: limits.iter().zip(&k).map(|(l, k)| l.1 * k).collect(),
    };
    // A tiny positive exposure can push a rate beyond the largest number.
    if let Some(i) = out.upper.iter().position(|u| !u.is_finite()) {
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
