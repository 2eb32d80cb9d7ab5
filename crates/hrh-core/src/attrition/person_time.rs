//! Headcounts, entrants, exits and person-years per calendar period and group, from a
//! register of employment spells.

use crate::date::{civil_from_days, days_from_civil};
use crate::error::{Error, Result};

/// Calendar period length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    /// Calendar years.
    Year,
    /// Calendar quarters.
    Quarter,
    /// Calendar months.
    Month,
}

fn period_start(day: i32, period: Period) -> i32 {
    let (y, m, _) = civil_from_days(day);
    match period {
        Period::Year => days_from_civil(y, 1, 1),
        Period::Quarter => days_from_civil(y, 3 * ((m - 1) / 3) + 1, 1),
        Period::Month => days_from_civil(y, m, 1),
    }
}

fn next_start(start: i32, period: Period) -> i32 {
    let (y, m, _) = civil_from_days(start);
    let step = match period {
        Period::Year => 12,
        Period::Quarter => 3,
        Period::Month => 1,
    };
    let months = (y * 12 + (m as i32 - 1)) + step;
    days_from_civil(months.div_euclid(12), (months.rem_euclid(12) + 1) as u32, 1)
}

/// Person-time table, one row per (group, period), group-major.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PersonTime {
    /// Group code of each row.
    pub group: Vec<u32>,
    /// First day of the period (days since 1970-01-01).
    pub period_start: Vec<i32>,
    /// First day after the period (or the end of observation).
    pub period_end: Vec<i32>,
    /// In post at the start of the period.
    pub headcount_start: Vec<f64>,
    /// In post at the end of the period (= next period's start).
    pub headcount_end: Vec<f64>,
    /// Hired during the period.
    pub entrants: Vec<f64>,
    /// Left during the period.
    pub exits: Vec<f64>,
    /// Exits by reason (`exits_by_reason[r - 1][row]`).
    pub exits_by_reason: Vec<Vec<f64>>,
    /// Person-years in the period (days / 365.25).
    pub person_years: Vec<f64>,
}

/// Tabulate spells [entry, exit) (exit = first day out of post; `None` = still in post)
/// over calendar periods from `start` to the day before `end` (the first period begins
/// at `start`, the last ends at `end`). A person counts in `headcount_start` of a
/// period starting on day p if entry < p and (no exit or exit >= p);
/// an entrant if p <= entry < next; an exit if p <= exit < next. So every period
/// conserves people: headcount_start + entrants − exits = headcount_end. Spells that
/// begin before `start` enter through `headcount_start` (left truncation); exits on or
/// after `end` are not yet observed (right censoring).
#[allow(clippy::too_many_arguments)]
pub fn person_time(
    entry: &[i32],
    exit: &[Option<i32>],
    reason: &[u32],
    n_reasons: usize,
    group: &[u32],
    n_groups: usize,
    period: Period,
    start: i32,
    end: i32,
) -> Result<PersonTime> {
    let n = entry.len();
    crate::validate::same_len(n, exit.len(), "entry", "exit")?;
    crate::validate::same_len(n, group.len(), "entry", "by")?;
    crate::validate::same_len(n, reason.len(), "entry", "reason")?;
    if end <= start {
        return Err(Error::input(
            "end",
            format!("day {end} is not after the start day {start}"),
        ));
    }
    for i in 0..n {
        if let Some(x) = exit[i] {
            if x < entry[i] {
                let (ye, me, de) = civil_from_days(entry[i]);
                let (yx, mx, dx) = civil_from_days(x);
                return Err(Error::input_at(
                    "exit",
                    i,
                    format!("exit date {yx:04}-{mx:02}-{dx:02} is before the entry date {ye:04}-{me:02}-{de:02}"),
                ));
            }
        }
        if reason[i] as usize > n_reasons {
            return Err(Error::input_at(
                "reason",
                i,
                format!("code {} is not below {}", reason[i], n_reasons + 1),
            ));
        }
        if group[i] as usize >= n_groups {
            return Err(Error::input_at(
                "by",
                i,
                format!("group code {} is not below {n_groups}", group[i]),
            ));
        }
    }
    // Period boundaries.
    let mut bounds = vec![period_start(start, period).max(start)];
    let mut b = next_start(period_start(start, period), period);
    while b < end {
        bounds.push(b);
        b = next_start(b, period);
    }
    bounds.push(end);
    let p = bounds.len() - 1;
    // Index of the period containing day x (None outside [start, end)).
    let locate = |x: i32| -> Option<usize> {
        if x < bounds[0] || x >= end {
            None
        } else {
            Some(bounds.partition_point(|&bb| bb <= x) - 1)
        }
    };
    let cells = n_groups * p;
    let mut hc_diff = vec![0.0; cells + 1];
    let mut entrants = vec![0.0; cells];
    let mut exits = vec![0.0; cells];
    let mut by_reason = vec![vec![0.0; cells]; n_reasons];
    let mut full_diff = vec![0.0; cells + 1]; // spells covering whole periods
    let mut partial = vec![0.0; cells]; // days in partially covered periods
    for i in 0..n {
        let g = group[i] as usize;
        let base = g * p;
        let e = entry[i];
        let x = exit[i].unwrap_or(i32::MAX);
        if x <= bounds[0] || e >= end {
            continue;
        }
        // Periods whose start p satisfies e < p <= x: headcount_start.
        let first_hc = bounds[..p].partition_point(|&bb| bb <= e);
        let last_hc = bounds[..p].partition_point(|&bb| bb <= x); // exclusive
        if first_hc < last_hc {
            hc_diff[base + first_hc] += 1.0;
            hc_diff[base + last_hc] -= 1.0;
        }
        if let Some(k) = locate(e) {
            entrants[base + k] += 1.0;
        }
        if let Some(k) = exit[i].and_then(locate) {
            exits[base + k] += 1.0;
            if reason[i] > 0 {
                by_reason[reason[i] as usize - 1][base + k] += 1.0;
            }
        }
        // Exposure: overlap of [e, x) with each period.
        let lo = e.max(bounds[0]);
        let hi = x.min(end);
        if hi <= lo {
            continue;
        }
        let kl = locate(lo).unwrap_or(0);
        let kh = locate(hi - 1).unwrap_or(p - 1);
        if kl == kh {
            partial[base + kl] += (hi - lo) as f64;
        } else {
            partial[base + kl] += (bounds[kl + 1] - lo) as f64;
            partial[base + kh] += (hi - bounds[kh]) as f64;
            if kl + 1 < kh {
                full_diff[base + kl + 1] += 1.0;
                full_diff[base + kh] -= 1.0;
            }
        }
    }
    let mut out = PersonTime {
        exits_by_reason: vec![Vec::with_capacity(cells); n_reasons],
        ..Default::default()
    };
    // Running sums over the flattened cells: a spell's closing difference may sit on
    // the next group's first cell, where it cancels the spell's opening one.
    let (mut hc, mut full) = (0.0, 0.0);
    for g in 0..n_groups {
        for k in 0..p {
            let c = g * p + k;
            hc += hc_diff[c];
            full += full_diff[c];
            let len = (bounds[k + 1] - bounds[k]) as f64;
            out.group.push(g as u32);
            out.period_start.push(bounds[k]);
            out.period_end.push(bounds[k + 1]);
            out.headcount_start.push(hc);
            out.headcount_end.push(hc + entrants[c] - exits[c]);
            out.entrants.push(entrants[c]);
            out.exits.push(exits[c]);
            for r in 0..n_reasons {
                out.exits_by_reason[r].push(by_reason[r][c]);
            }
            out.person_years.push((full * len + partial[c]) / 365.25);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conservation_and_exposure() {
        let d = |y, m, dd| days_from_civil(y, m, dd);
        let entry = [d(2018, 6, 1), d(2020, 1, 1), d(2020, 7, 1), d(2021, 3, 1)];
        let exit = [Some(d(2020, 7, 1)), None, Some(d(2021, 7, 1)), None];
        let reason = [1, 0, 2, 0];
        let t = person_time(
            &entry,
            &exit,
            &reason,
            2,
            &[0, 0, 0, 0],
            1,
            Period::Year,
            d(2020, 1, 1),
            d(2022, 1, 1),
        )
        .unwrap();
        assert_eq!(t.period_start, vec![d(2020, 1, 1), d(2021, 1, 1)]);
        // 2020: starts with person 0 (hired before); person 1 hired on 1 Jan is an entrant.
        assert_eq!(t.headcount_start, vec![1.0, 2.0]);
        assert_eq!(t.entrants, vec![2.0, 1.0]);
        assert_eq!(t.exits, vec![1.0, 1.0]);
        assert_eq!(t.headcount_end, vec![2.0, 2.0]);
        assert_eq!(t.exits_by_reason[0], vec![1.0, 0.0]);
        assert_eq!(t.exits_by_reason[1], vec![0.0, 1.0]);
        let py2020 = ((d(2020, 7, 1) - d(2020, 1, 1)) + 366 + (d(2021, 1, 1) - d(2020, 7, 1)))
            as f64
            / 365.25;
        assert!((t.person_years[0] - py2020).abs() < 1e-12);
    }
}
