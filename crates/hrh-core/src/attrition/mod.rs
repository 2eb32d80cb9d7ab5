//! Attrition and retention: exit rates, survival curves, competing exit reasons and
//! proportional-hazards models, following the conventions of R's `survival` package.
//!
//! Time-to-exit data are one row per person: an optional entry time (delayed entry,
//! left truncation: at risk on (entry, time]), the exit or censoring `time`, and a status
//! (0 = censored; 1 = exit, or 1..K = exit cause). Case weights are optional.
//!
//! - [`rates`]: exact Poisson rates per person-time, annualised proportions.
//! - [`person_time`]: headcounts, entrants, exits and person-years per calendar period.
//! - [`kaplan_meier`]: Kaplan-Meier with Greenwood variance, medians, RMST.
//! - [`nelson_aalen`]: cumulative hazard, Nelson-Aalen and Fleming-Harrington ties.
//! - [`logrank`]: the G-rho family of tests (log-rank, Peto-Peto).
//! - [`competing`]: Aalen-Johansen cumulative incidence with infinitesimal-jackknife
//!   standard errors.
//! - [`cox`]: Cox proportional hazards (Efron, Breslow; strata, weights, entry, robust).
//! - [`life_table`]: actuarial life tables.

pub mod competing;
pub mod cox;
pub mod kaplan_meier;
pub mod life_table;
pub mod logrank;
pub mod nelson_aalen;
pub mod person_time;
pub mod rates;

use crate::error::{Error, Result};
use crate::validate;

/// Validated time-to-exit data of one group.
#[derive(Debug, Clone, PartialEq)]
pub struct SurvData {
    /// Entry times (−∞ without delayed entry).
    pub entry: Vec<f64>,
    /// Exit or censoring times.
    pub time: Vec<f64>,
    /// 0 = censored, k >= 1 = exit (cause k).
    pub status: Vec<u32>,
    /// Case weights (all 1 without weights).
    pub weight: Vec<f64>,
    /// Whether entry times were given.
    pub delayed: bool,
}

impl SurvData {
    /// Check and assemble: times finite and >= 0; entry < time; status codes up to
    /// `max_status`; weights finite and > 0.
    pub fn new(
        time: &[f64],
        status: &[u32],
        entry: Option<&[f64]>,
        weight: Option<&[f64]>,
        max_status: u32,
    ) -> Result<Self> {
        let n = time.len();
        validate::same_len(n, status.len(), "duration", "event")?;
        validate::non_negative(time, "duration")?;
        if let Some(i) = status.iter().position(|&s| s > max_status) {
            let allowed = if max_status == 1 {
                "0 (censored) or 1 (exit)".to_string()
            } else {
                format!("0 (censored) to {max_status}")
            };
            return Err(Error::input_at(
                "event",
                i,
                format!("code {} is not {allowed}", status[i]),
            ));
        }
        let entry_v = match entry {
            Some(e) => {
                validate::same_len(n, e.len(), "duration", "entry")?;
                validate::finite(e, "entry")?;
                if let Some(i) = (0..n).find(|&i| e[i] >= time[i]) {
                    return Err(Error::input_at(
                        "entry",
                        i,
                        format!(
                            "entry {} is not before the exit time {}; a person is at risk on (entry, exit]",
                            e[i], time[i]
                        ),
                    ));
                }
                e.to_vec()
            }
            // Without entry times everyone is at risk from the start, time 0 included.
            None => vec![f64::NEG_INFINITY; n],
        };
        let weight_v = match weight {
            Some(w) => {
                validate::same_len(n, w.len(), "duration", "weights")?;
                validate::positive(w, "weights")?;
                w.to_vec()
            }
            None => vec![1.0; n],
        };
        Ok(SurvData {
            entry: entry_v,
            time: time.to_vec(),
            status: status.to_vec(),
            weight: weight_v,
            delayed: entry.is_some(),
        })
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.time.len()
    }

    /// True without rows.
    pub fn is_empty(&self) -> bool {
        self.time.is_empty()
    }

    /// Rows `idx` as a new data set.
    pub fn subset(&self, idx: &[usize]) -> SurvData {
        SurvData {
            entry: idx.iter().map(|&i| self.entry[i]).collect(),
            time: idx.iter().map(|&i| self.time[i]).collect(),
            status: idx.iter().map(|&i| self.status[i]).collect(),
            weight: idx.iter().map(|&i| self.weight[i]).collect(),
            delayed: self.delayed,
        }
    }
}

/// Counts at each distinct exit/censoring time.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RiskTable {
    /// Distinct times (sorted).
    pub time: Vec<f64>,
    /// Weighted number at risk just before each time.
    pub at_risk: Vec<f64>,
    /// Weighted exits of any cause.
    pub events: Vec<f64>,
    /// Weighted exits per cause (`events_by_cause[k - 1][j]`).
    pub events_by_cause: Vec<Vec<f64>>,
    /// Weighted censorings.
    pub censored: Vec<f64>,
    /// Unweighted number of exits (for tie corrections).
    pub event_count: Vec<usize>,
}

/// Tabulate risk sets at every distinct exit or censoring time, O(n log n).
/// At time t the risk set is {i : entry_i < t <= time_i}.
pub fn risk_table(d: &SurvData, n_causes: usize) -> RiskTable {
    let n = d.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| d.time[a].total_cmp(&d.time[b]));
    // Entry times sorted with weights, for the delayed-entry correction.
    let mut entries: Vec<(f64, f64)> = (0..n).map(|i| (d.entry[i], d.weight[i])).collect();
    entries.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total_w: f64 = d.weight.iter().sum();

    let mut t = RiskTable {
        events_by_cause: vec![Vec::new(); n_causes],
        ..Default::default()
    };
    let mut left_w = 0.0; // weight of rows with time < current t
    let mut k = 0;
    let mut e_idx = 0;
    let mut not_entered = total_w; // weight with entry >= current t
    let mut entered_w = 0.0;
    while k < n {
        let tk = d.time[order[k]];
        // Rows with entry < tk have entered.
        while e_idx < n && entries[e_idx].0 < tk {
            entered_w += entries[e_idx].1;
            e_idx += 1;
        }
        not_entered = total_w - entered_w;
        let mut ev = 0.0;
        let mut cens = 0.0;
        let mut count = 0;
        let mut by_cause = vec![0.0; n_causes];
        let mut j = k;
        while j < n && d.time[order[j]] == tk {
            let i = order[j];
            if d.status[i] > 0 {
                ev += d.weight[i];
                count += 1;
                if let Some(c) = by_cause.get_mut(d.status[i] as usize - 1) {
                    *c += d.weight[i];
                }
            } else {
                cens += d.weight[i];
            }
            j += 1;
        }
        t.time.push(tk);
        t.at_risk.push(total_w - left_w - not_entered);
        t.events.push(ev);
        t.censored.push(cens);
        t.event_count.push(count);
        for (c, v) in by_cause.into_iter().enumerate() {
            t.events_by_cause[c].push(v);
        }
        for &i in &order[k..j] {
            left_w += d.weight[i];
        }
        k = j;
    }
    let _ = not_entered;
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn risk_sets_with_ties_and_entry() {
        let d = SurvData::new(
            &[2.0, 3.0, 3.0, 5.0, 8.0],
            &[1, 1, 0, 1, 0],
            Some(&[0.0, 0.0, 2.5, 4.0, 0.0]),
            None,
            1,
        )
        .unwrap();
        let t = risk_table(&d, 1);
        assert_eq!(t.time, vec![2.0, 3.0, 5.0, 8.0]);
        // At 2: rows 0,1,4 (row 2 enters at 2.5, row 3 at 4).
        assert_eq!(t.at_risk, vec![3.0, 3.0, 2.0, 1.0]);
        assert_eq!(t.events, vec![1.0, 1.0, 1.0, 0.0]);
        assert_eq!(t.censored, vec![0.0, 1.0, 0.0, 1.0]);
    }

    #[test]
    fn entry_must_precede_exit() {
        let e = SurvData::new(&[2.0], &[1], Some(&[2.0]), None, 1).unwrap_err();
        assert!(e
            .to_string()
            .starts_with("column 'entry', row 0: entry 2 is not before"));
        let e = SurvData::new(&[2.0], &[3], None, None, 1).unwrap_err();
        assert_eq!(
            e.to_string(),
            "column 'event', row 0: code 3 is not 0 (censored) or 1 (exit)"
        );
    }
}
