//! Workload Indicators of Staffing Need (WISN), the World Health Organization's method
//! for the staff a facility needs to carry out its workload.
//!
//! Per group (facility × cadre):
//! - service staff = Σ_activities workload × unit time / available working time
//!   (= Σ workload / standard workload, the standard workload being available time /
//!   unit time);
//! - category allowance factor CAF = 1 / (1 − Σ CAS% / 100), CAS being the support
//!   activities every member of the cadre does, as shares of working time;
//! - individual allowance factor IAF = Σ IAS hours / available working time, IAS being
//!   activities only some members do (hours per year × number of staff doing them);
//! - required = service staff × CAF + IAF; difference = existing − required; ratio =
//!   existing / required; pressure = 1 − ratio.
//!
//! Reference: World Health Organization (2010). Workload indicators of staffing need:
//! user's manual. Geneva: WHO.

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::rng::Rng;
use crate::validate;

/// Inputs of a WISN calculation for `n_groups` groups; per-activity arrays carry a
/// group code each.
#[derive(Debug, Clone)]
pub struct WisnInput<'a> {
    /// Available working time of one staff member per group, hours per year.
    pub available_time: &'a [f64],
    /// Group code of each health-service activity.
    pub service_group: &'a [u32],
    /// Annual workload of each activity (units per year).
    pub workload: &'a [f64],
    /// Hours per unit of each activity.
    pub unit_time: &'a [f64],
    /// Total category allowance (CAS) per group, percent of working time.
    pub cas_percent: &'a [f64],
    /// Total individual allowance (IAS) per group, hours per year.
    pub ias_hours: &'a [f64],
    /// Existing staff per group (NaN when unknown).
    pub existing: &'a [f64],
    /// Number of groups.
    pub n_groups: usize,
}

/// WISN results, one entry per group.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Wisn {
    /// Staff needed for the health-service activities.
    pub service_staff: Vec<f64>,
    /// Category allowance factor.
    pub caf: Vec<f64>,
    /// Individual allowance factor.
    pub iaf: Vec<f64>,
    /// Required staff.
    pub required: Vec<f64>,
    /// Existing − required.
    pub difference: Vec<f64>,
    /// Existing / required.
    pub ratio: Vec<f64>,
    /// 1 − ratio: the share of the workload the existing staff are short of.
    pub pressure: Vec<f64>,
}

fn check(input: &WisnInput) -> Result<()> {
    validate::positive(input.available_time, "available_time")?;
    let n = input.workload.len();
    validate::same_len(n, input.service_group.len(), "workload", "group")?;
    validate::same_len(n, input.unit_time.len(), "workload", "unit_time")?;
    validate::non_negative(input.workload, "workload")?;
    validate::positive(input.unit_time, "unit_time")?;
    let g = input.n_groups;
    validate::same_len(g, input.available_time.len(), "groups", "available_time")?;
    validate::same_len(g, input.cas_percent.len(), "groups", "cas_percent")?;
    validate::same_len(g, input.ias_hours.len(), "groups", "ias_hours")?;
    validate::same_len(g, input.existing.len(), "groups", "existing")?;
    validate::non_negative(input.ias_hours, "ias_hours")?;
    check_codes(input.service_group, g)?;
    if let Some(k) = input
        .cas_percent
        .iter()
        .position(|&c| !(c.is_finite() && (0.0..100.0).contains(&c)))
    {
        return Err(Error::input_at(
            "percent",
            k,
            format!(
                "category allowances of group {k} add up to {}% of working time; they must stay below 100%",
                input.cas_percent[k]
            ),
        ));
    }
    Ok(())
}

/// workload × unit time / available time, in the order that stays in the float range
/// when the result does (1e308 units of 2 hours over 1,760 hours is 1.1e305 staff).
fn staff_for(workload: f64, unit_time: f64, available: f64) -> f64 {
    let v = workload * unit_time / available;
    if v.is_finite() {
        return v;
    }
    let (a, b) = (
        workload * (unit_time / available),
        (workload / available) * unit_time,
    );
    if a.is_finite() {
        a
    } else {
        b
    }
}

fn compute(input: &WisnInput, unit_time: &[f64]) -> Wisn {
    let g = input.n_groups;
    // Staff for the service activities, summed per group (each activity's staff taken
    // before summing, so that hours past the float range do not overflow).
    let mut staff = vec![0.0; g];
    for ((&c, &w), &u) in input
        .service_group
        .iter()
        .zip(input.workload)
        .zip(unit_time)
    {
        let c = c as usize;
        staff[c] += staff_for(w, u, input.available_time[c]);
    }
    let mut out = Wisn::default();
    for k in 0..g {
        let service = staff[k];
        let caf = 1.0 / (1.0 - input.cas_percent[k] / 100.0);
        let iaf = input.ias_hours[k] / input.available_time[k];
        let required = service * caf + iaf;
        let existing = input.existing[k];
        let ratio = if required > 0.0 {
            existing / required
        } else {
            f64::NAN
        };
        out.service_staff.push(service);
        out.caf.push(caf);
        out.iaf.push(iaf);
        out.required.push(required);
        out.difference.push(existing - required);
        out.ratio.push(ratio);
        out.pressure.push(1.0 - ratio);
    }
    out
}

/// The WISN calculation (see the module documentation).
pub fn wisn(input: &WisnInput) -> Result<Wisn> {
    check(input)?;
    let out = compute(input, input.unit_time);
    beyond_range(input, &out.required)?;
    Ok(out)
}

/// The first group whose required staff is past the largest float, as an input error
/// naming the workload (the staff numbers themselves are only as large as the data make
/// them).
fn beyond_range(input: &WisnInput, required: &[f64]) -> Result<()> {
    match required.iter().position(|r| !r.is_finite()) {
        None => Ok(()),
        Some(k) => {
            let row = input
                .service_group
                .iter()
                .position(|&c| c as usize == k)
                .unwrap_or(0);
            Err(Error::input_at(
                "workload",
                row,
                format!(
                    "the staff required for the group of this row are beyond the largest \
                     float (about 1.8e308): workload {} x unit time {} over {} hours \
                     available (check the units)",
                    input.workload[row], input.unit_time[row], input.available_time[k]
                ),
            ))
        }
    }
}

/// How a category allowance (CAS) is given: as a share of working time, or as hours
/// per day, week or year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Per {
    /// Percent of working time.
    Percent,
    /// Hours a day: hours / hours per day.
    Day,
    /// Hours a week: hours / (hours per day × days per week).
    Week,
    /// Hours a year: hours / the group's available working time.
    Year,
}

/// The category allowances (CAS) of each group, percent of working time, from support
/// activities applied to groups: activity `i` applies to group `group[i]` (an activity
/// that applies to several groups appears once for each), with `value[i]` a percent or a
/// number of hours `per[i]`. Daily and weekly hours become shares of the day
/// (`hours_per_day`) and of the week (`hours_per_day` × `days_per_week`); yearly hours
/// are summed per group and taken over that group's `available_time`.
pub fn category_allowance(
    group: &[u32],
    value: &[f64],
    per: &[Per],
    hours_per_day: f64,
    days_per_week: f64,
    available_time: &[f64],
) -> Result<Vec<f64>> {
    let n = group.len();
    validate::same_len(n, value.len(), "activity", "percent")?;
    validate::same_len(n, per.len(), "activity", "per")?;
    validate::non_negative(value, "percent")?;
    validate::positive_scalar(hours_per_day, "hours_per_day")?;
    validate::positive_scalar(days_per_week, "days_per_week")?;
    validate::positive(available_time, "available_time")?;
    let g = available_time.len();
    check_codes(group, g)?;
    let mut percent = vec![0.0; g];
    let mut yearly = vec![0.0; g];
    for ((&c, &v), &p) in group.iter().zip(value).zip(per) {
        let c = c as usize;
        match p {
            Per::Percent => percent[c] += v,
            Per::Day => percent[c] += 100.0 * v / hours_per_day,
            Per::Week => percent[c] += 100.0 * v / (hours_per_day * days_per_week),
            Per::Year => yearly[c] += v,
        }
    }
    Ok(percent
        .iter()
        .zip(&yearly)
        .zip(available_time)
        .map(|((&p, &y), &a)| p + 100.0 * y / a)
        .collect())
}

/// The individual allowances (IAS) of each of `n_groups` groups, hours per year: the sum
/// of hours per year × staff doing them over the activities applied to the group
/// (activity `i` to group `group[i]`).
pub fn individual_allowance(
    group: &[u32],
    hours_per_year: &[f64],
    staff: &[f64],
    n_groups: usize,
) -> Result<Vec<f64>> {
    let n = group.len();
    validate::same_len(n, hours_per_year.len(), "activity", "hours_per_year")?;
    validate::same_len(n, staff.len(), "activity", "staff")?;
    validate::non_negative(hours_per_year, "hours_per_year")?;
    validate::non_negative(staff, "staff")?;
    check_codes(group, n_groups)?;
    let mut out = vec![0.0; n_groups];
    for ((&c, &h), &s) in group.iter().zip(hours_per_year).zip(staff) {
        out[c as usize] += h * s;
    }
    Ok(out)
}

fn check_codes(group: &[u32], n_groups: usize) -> Result<()> {
    match group.iter().position(|&c| c as usize >= n_groups) {
        Some(i) => Err(Error::input_at(
            "group",
            i,
            format!("group code {} is not below {n_groups}", group[i]),
        )),
        None => Ok(()),
    }
}

/// Per health-service activity: the standard workload (units one staff member can do in
/// a year, available time / unit time) and the staff its workload needs (workload /
/// standard workload).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Activities {
    /// Units of the activity one staff member can do in a year.
    pub standard_workload: Vec<f64>,
    /// Staff the activity's workload needs.
    pub staff: Vec<f64>,
}

/// The standard workload and staff of each activity of `input`; an error naming the
/// unit time when a standard workload is beyond the largest float.
pub fn activities(input: &WisnInput) -> Result<Activities> {
    check(input)?;
    let mut out = Activities::default();
    for (i, ((&c, &w), &u)) in input
        .service_group
        .iter()
        .zip(input.workload)
        .zip(input.unit_time)
        .enumerate()
    {
        let at = input.available_time[c as usize];
        let standard = at / u;
        if !standard.is_finite() {
            return Err(Error::input_at(
                "unit_time",
                i,
                format!(
                    "the standard workload, available time {at:?} / unit time {u:?}, is \
                     beyond the largest float (check the units)"
                ),
            ));
        }
        out.standard_workload.push(standard);
        out.staff.push(staff_for(w, u, at));
    }
    Ok(out)
}

/// Most Monte Carlo draws of a WISN calculation (each draw's requirements are kept).
pub const MAX_DRAWS: usize = 10_000_000;

/// Percentile interval at `level` of the required staff of each group when each
/// activity's unit time is uncertain, uniform on [`low`, `high`]: `draws` Monte Carlo
/// draws, draw `b` from the random stream (seed, b), identical for any thread count.
#[allow(clippy::too_many_arguments)]
pub fn wisn_interval(
    input: &WisnInput,
    low: &[f64],
    high: &[f64],
    draws: usize,
    level: f64,
    seed: u64,
) -> Result<(Vec<f64>, Vec<f64>)> {
    check(input)?;
    validate::level(level)?;
    let n = input.unit_time.len();
    validate::same_len(n, low.len(), "unit_time", "unit_time_low")?;
    validate::same_len(n, high.len(), "unit_time", "unit_time_high")?;
    validate::positive(low, "unit_time_low")?;
    validate::positive(high, "unit_time_high")?;
    if let Some(i) =
        (0..n).find(|&i| !(low[i] <= input.unit_time[i] && input.unit_time[i] <= high[i]))
    {
        return Err(Error::input_at(
            "unit_time",
            i,
            format!(
                "{} is not within [unit_time_low {}, unit_time_high {}]",
                input.unit_time[i], low[i], high[i]
            ),
        ));
    }
    if !(2..=MAX_DRAWS).contains(&draws) {
        return Err(Error::argument(
            "draws",
            format!("{draws} must be from 2 to {MAX_DRAWS}"),
        ));
    }
    let reps: Vec<Vec<f64>> = (0..draws)
        .into_par_iter()
        .map(|b| {
            let mut rng = Rng::stream(seed, b as u64);
            let u: Vec<f64> = (0..n)
                .map(|i| low[i] + (high[i] - low[i]) * rng.uniform())
                .collect();
            compute(input, &u).required
        })
        .collect();
    for r in &reps {
        beyond_range(input, r)?;
    }
    crate::equity::bootstrap::percentile_intervals(&reps, input.n_groups, level)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worked_by_hand() {
        // One facility, one cadre: 1,760 available hours; 6,000 visits of 20 minutes and
        // 400 deliveries of 3 hours; CAS 10% + 5%; IAS 2 staff × 100 hours.
        let input = WisnInput {
            available_time: &[1760.0],
            service_group: &[0, 0],
            workload: &[6000.0, 400.0],
            unit_time: &[1.0 / 3.0, 3.0],
            cas_percent: &[15.0],
            ias_hours: &[200.0],
            existing: &[3.0],
            n_groups: 1,
        };
        let w = wisn(&input).unwrap();
        let service = (2000.0 + 1200.0) / 1760.0;
        assert!((w.service_staff[0] - service).abs() < 1e-12);
        assert!((w.caf[0] - 1.0 / 0.85).abs() < 1e-12);
        let required = service / 0.85 + 200.0 / 1760.0;
        assert!((w.required[0] - required).abs() < 1e-12);
        assert!((w.ratio[0] - 3.0 / required).abs() < 1e-12);
        let (lo, hi) = wisn_interval(&input, &[0.25, 2.5], &[0.5, 3.5], 500, 0.9, 7).unwrap();
        assert!(lo[0] < required && required < hi[0]);
    }

    #[test]
    fn workloads_near_the_top_of_the_range() {
        // 1e308 units of 2 hours: hours overflowed and service staff was inf; the staff,
        // 1e308 x 2 / 1760 = 1.14e305, is a float.
        let input = WisnInput {
            available_time: &[1760.0],
            service_group: &[0],
            workload: &[1e308],
            unit_time: &[2.0],
            cas_percent: &[0.0],
            ias_hours: &[0.0],
            existing: &[f64::NAN],
            n_groups: 1,
        };
        let w = wisn(&input).unwrap();
        assert!((w.service_staff[0] / (1e308 / 880.0) - 1.0).abs() < 1e-15);
        let (lo, hi) = wisn_interval(&input, &[1.0], &[3.0], 20, 0.9, 1).unwrap();
        assert!(lo[0].is_finite() && hi[0].is_finite());
        // Two such activities sum past the range: a named error.
        let twice = WisnInput {
            service_group: &[0, 0],
            workload: &[1e308, 1e308],
            unit_time: &[1e6, 1e6],
            available_time: &[1.0],
            ..input
        };
        let e = wisn(&twice).unwrap_err().to_string();
        assert!(
            e.starts_with("column 'workload', row 0: the staff required"),
            "{e}"
        );
    }

    #[test]
    fn allowances_of_100_percent_are_rejected() {
        let input = WisnInput {
            available_time: &[1000.0],
            service_group: &[0],
            workload: &[10.0],
            unit_time: &[1.0],
            cas_percent: &[100.0],
            ias_hours: &[0.0],
            existing: &[1.0],
            n_groups: 1,
        };
        assert!(wisn(&input).unwrap_err().to_string().contains("below 100%"));
    }

    #[test]
    fn allowances_by_hand() {
        // Group 0: 10% + 2 hours a week (5 % of 8 h × 5 d) + 0.4 hours a day (5 %) + 17.6
        // hours a year (1 % of 1,760 h); group 1: 3 % only.
        let cas = category_allowance(
            &[0, 0, 0, 0, 1],
            &[10.0, 2.0, 0.4, 17.6, 3.0],
            &[Per::Percent, Per::Week, Per::Day, Per::Year, Per::Percent],
            8.0,
            5.0,
            &[1760.0, 1500.0],
        )
        .unwrap();
        assert!((cas[0] - 21.0).abs() < 1e-12 && cas[1] == 3.0, "{cas:?}");
        let ias = individual_allowance(&[1, 1, 0], &[100.0, 50.0, 10.0], &[2.0, 1.0, 3.0], 3);
        assert_eq!(ias.unwrap(), vec![30.0, 250.0, 0.0]);
        let bad = category_allowance(&[2], &[1.0], &[Per::Day], 8.0, 5.0, &[1760.0]);
        assert!(bad
            .unwrap_err()
            .to_string()
            .starts_with("column 'group', row 0"));
    }

    #[test]
    fn standard_workloads_and_staff() {
        let input = WisnInput {
            available_time: &[1760.0, 1000.0],
            service_group: &[0, 1],
            workload: &[8800.0, 500.0],
            unit_time: &[0.2, 4.0],
            cas_percent: &[0.0, 0.0],
            ias_hours: &[0.0, 0.0],
            existing: &[f64::NAN, f64::NAN],
            n_groups: 2,
        };
        let a = activities(&input).unwrap();
        assert_eq!(a.standard_workload, vec![1760.0 / 0.2, 250.0]);
        assert_eq!(a.staff, vec![8800.0 * 0.2 / 1760.0, 2.0]);
        let tiny = WisnInput {
            available_time: &[1e308],
            service_group: &[0],
            workload: &[1.0],
            unit_time: &[0.5],
            cas_percent: &[0.0],
            ias_hours: &[0.0],
            existing: &[f64::NAN],
            n_groups: 1,
        };
        let e = activities(&tiny).unwrap_err().to_string();
        assert!(
            e.starts_with("column 'unit_time', row 0: the standard workload"),
            "{e}"
        );
    }
}
