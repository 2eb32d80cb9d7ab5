//! Actuarial (life-table) estimate of retention in fixed-width intervals.

use super::SurvData;
use crate::error::{Error, Result};
use crate::validate::short;

/// An actuarial life table.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LifeTable {
    /// Interval start.
    pub start: Vec<f64>,
    /// Interval end (exclusive).
    pub end: Vec<f64>,
    /// Number in post at the interval start.
    pub entered: Vec<f64>,
    /// Censored (withdrawn) within the interval.
    pub withdrawn: Vec<f64>,
    /// Exits within the interval.
    pub events: Vec<f64>,
    /// Effective number at risk: entered − withdrawn / 2.
    pub at_risk: Vec<f64>,
    /// Conditional probability of exit: events / at_risk.
    pub q: Vec<f64>,
    /// 1 − q.
    pub p: Vec<f64>,
    /// Retention at the interval start, Π of earlier p.
    pub survival: Vec<f64>,
    /// Greenwood standard error of `survival`: S √(Σ_{earlier} q/(n' p)).
    pub std_err: Vec<f64>,
}

/// Most intervals a life table may have (each is a row of the table).
pub const MAX_INTERVALS: usize = 1_000_000;

/// Life table with intervals [k w, (k + 1) w), k = 0, 1, ... up to the last time; a
/// time exactly on a boundary belongs to the interval that starts there. Withdrawals
/// count as at risk for half the interval.
///
/// Reference: Lee ET, Wang JW (2003) Statistical Methods for Survival Data Analysis,
/// 3rd ed., Wiley, ch. 4.
pub fn life_table(d: &SurvData, width: f64) -> Result<LifeTable> {
    if !(width.is_finite() && width > 0.0) {
        return Err(Error::argument(
            "width",
            format!("{width} must be a finite number > 0"),
        ));
    }
    if d.delayed {
        return Err(Error::input(
            "entry",
            "the actuarial life table does not support delayed entry; use kaplan_meier",
        ));
    }
    let max_t = d.time.iter().fold(0.0_f64, |m, &t| m.max(t));
    // The number of intervals, checked before anything is allocated.
    let bins = (max_t / width).floor();
    if bins.is_nan() || bins >= MAX_INTERVALS as f64 {
        return Err(Error::argument(
            "width",
            format!(
                "{} cuts durations up to {} into {bins:e} intervals, more than \
                 {MAX_INTERVALS}: use a wider interval",
                short(width),
                short(max_t)
            ),
        ));
    }
    let k = bins as usize + 1;
    let mut events = vec![0.0; k];
    let mut withdrawn = vec![0.0; k];
    for i in 0..d.len() {
        let j = ((d.time[i] / width).floor() as usize).min(k - 1);
        if d.status[i] > 0 {
            events[j] += d.weight[i];
        } else {
            withdrawn[j] += d.weight[i];
        }
    }
    let mut t = LifeTable::default();
    let mut n: f64 = d.weight.iter().sum();
    let (mut s, mut g) = (1.0_f64, 0.0_f64);
    for j in 0..k {
        let eff = n - withdrawn[j] / 2.0;
        let q = if eff > 0.0 { events[j] / eff } else { f64::NAN };
        t.start.push(j as f64 * width);
        t.end.push((j + 1) as f64 * width);
        t.entered.push(n);
        t.withdrawn.push(withdrawn[j]);
        t.events.push(events[j]);
        t.at_risk.push(eff);
        t.q.push(q);
        t.p.push(1.0 - q);
        t.survival.push(s);
        t.std_err.push(s * g.sqrt());
        if q < 1.0 {
            g += q / (eff * (1.0 - q));
        } else {
            g = f64::INFINITY;
        }
        s *= 1.0 - q;
        n -= events[j] + withdrawn[j];
    }
    Ok(t)
}

/// One life table per group (`group[i] < n_groups`; a group without rows gets an empty
/// table), computed in parallel. The total number of intervals over all groups is
/// checked against [`MAX_INTERVALS`] before any table is built.
pub fn life_tables(
    d: &SurvData,
    group: &[u32],
    n_groups: usize,
    width: f64,
) -> Result<Vec<LifeTable>> {
    use rayon::prelude::*;
    let rows = crate::grouping::group_rows(group, n_groups, d.time.len())?;
    // One group: life_table's own checks say it in its terms.
    if n_groups > 1 && width.is_finite() && width > 0.0 {
        let mut total = 0.0;
        for r in &rows {
            let max_t = r.iter().fold(0.0_f64, |m, &i| m.max(d.time[i]));
            total += (max_t / width).floor() + 1.0;
        }
        if total.is_nan() || total > MAX_INTERVALS as f64 {
            return Err(Error::argument(
                "width",
                format!(
                    "{width} gives {total:.3e} intervals over the groups, more than the \
                     {MAX_INTERVALS} a life table may have; use a wider interval"
                ),
            ));
        }
    }
    rows.par_iter()
        .map(|r| {
            if r.is_empty() {
                return Ok(LifeTable::default());
            }
            life_table(&d.subset(r), width)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_hand() {
        let d = SurvData::new(&[0.5, 1.5, 1.0, 2.5, 3.0], &[1, 0, 1, 1, 0], None, None, 1).unwrap();
        let t = life_table(&d, 1.0).unwrap();
        assert_eq!(t.entered, vec![5.0, 4.0, 2.0, 1.0]);
        assert_eq!(t.events, vec![1.0, 1.0, 1.0, 0.0]);
        assert_eq!(t.withdrawn, vec![0.0, 1.0, 0.0, 1.0]);
        assert_eq!(t.at_risk[1], 3.5);
        assert!((t.survival[2] - 0.8 * (1.0 - 1.0 / 3.5)).abs() < 1e-15);
    }

    #[test]
    fn per_group_tables_equal_the_tables_of_each_group() {
        let time = [0.5, 1.5, 1.0, 2.5, 3.0, 0.2, 4.0];
        let status = [1, 0, 1, 1, 0, 1, 0];
        let group = [0, 0, 0, 0, 0, 2, 2];
        let d = SurvData::new(&time, &status, None, None, 1).unwrap();
        let all = life_tables(&d, &group, 3, 1.0).unwrap();
        let first = SurvData::new(&time[..5], &status[..5], None, None, 1).unwrap();
        assert_eq!(all[0], life_table(&first, 1.0).unwrap());
        assert_eq!(all[1], LifeTable::default());
        let last = SurvData::new(&time[5..], &status[5..], None, None, 1).unwrap();
        assert_eq!(all[2], life_table(&last, 1.0).unwrap());
        assert!(life_tables(&d, &group, 2, 1.0).is_err());
        assert!(
            format!("{:?}", life_tables(&d, &group, 3, 1e-6)).contains("intervals over the groups")
        );
    }
}
