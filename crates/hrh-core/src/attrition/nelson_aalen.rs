//! Cumulative hazard: the Nelson-Aalen estimator and the Fleming-Harrington tie
//! correction, with variances as R's `survfit(ctype = 1 | 2)` computes them.

use super::{risk_table, RiskTable, SurvData};
use crate::error::{Error, Result};
use crate::validate;

/// How tied exits at one time enter the hazard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ties {
    /// Nelson-Aalen: increment d/n, variance increment d/n² (R `ctype = 1`).
    NelsonAalen,
    /// Fleming-Harrington: the m tied exits (mean weight w̄ = d/m) leave one at a time,
    /// increment Σ_{j<m} w̄/(n − j w̄), variance increment Σ_{j<m} w̄/(n − j w̄)²
    /// (R `ctype = 2`).
    FlemingHarrington,
}

/// A cumulative hazard curve, one entry per distinct time.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CumulativeHazard {
    /// Distinct times.
    pub time: Vec<f64>,
    /// Weighted number at risk.
    pub at_risk: Vec<f64>,
    /// Weighted exits.
    pub events: Vec<f64>,
    /// H(t).
    pub cumulative_hazard: Vec<f64>,
    /// Standard error of H(t).
    pub std_err: Vec<f64>,
}

/// The cumulative hazard of `d` with the given tie convention.
///
/// References: Nelson W (1972) Technometrics 14:945-966; Aalen O (1978) Ann Stat
/// 6:701-726; Fleming TR, Harrington DP (1984) Commun Stat Theory Methods 13:2469-2486.
pub fn nelson_aalen(d: &SurvData, ties: Ties) -> CumulativeHazard {
    accumulate(risk_table(d, 1), ties)
}

/// [`nelson_aalen`] from the risk table of the data (e.g. one that
/// [`tally::risk_tables`](super::tally::risk_tables) counted). The table's columns must
/// have one entry per time, and a time with exits at least one exit counted.
pub fn from_risk_table(rt: RiskTable, ties: Ties) -> Result<CumulativeHazard> {
    let m = rt.time.len();
    validate::same_len(m, rt.at_risk.len(), "time", "at_risk")?;
    validate::same_len(m, rt.events.len(), "time", "events")?;
    if ties == Ties::FlemingHarrington {
        if !rt.event_count.is_empty() {
            validate::same_len(m, rt.event_count.len(), "time", "event_count")?;
        }
        if let Some(j) = (0..m).find(|&j| rt.events[j] > 0.0 && rt.exit_count(j) == 0) {
            return Err(Error::input_at(
                "event_count",
                j,
                format!(
                    "0 exits counted at a time with weighted exits {}",
                    rt.events[j]
                ),
            ));
        }
    }
    Ok(accumulate(rt, ties))
}

/// The cumulative hazard of a risk table whose columns have been checked; its times,
/// risk sets and exits are moved into the curve, not copied.
fn accumulate(rt: RiskTable, ties: Ties) -> CumulativeHazard {
    let m = rt.time.len();
    let (mut cumulative_hazard, mut std_err) = (Vec::with_capacity(m), Vec::with_capacity(m));
    let (mut h, mut v) = (0.0, 0.0);
    for j in 0..rt.time.len() {
        let (n, e) = (rt.at_risk[j], rt.events[j]);
        if e > 0.0 {
            match ties {
                Ties::NelsonAalen => {
                    h += e / n;
                    v += e / (n * n);
                }
                Ties::FlemingHarrington => {
                    let m = rt.exit_count(j);
                    let wbar = e / m as f64;
                    for k in 0..m {
                        let r = n - k as f64 * wbar;
                        h += wbar / r;
                        v += wbar / (r * r);
                    }
                }
            }
        }
        cumulative_hazard.push(h);
        std_err.push(v.sqrt());
    }
    CumulativeHazard {
        time: rt.time,
        at_risk: rt.at_risk,
        events: rt.events,
        cumulative_hazard,
        std_err,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_r_survfit_ctype() {
        // R: survfit(Surv(t, s) ~ 1, ctype = 1 and 2) on the data below.
        let t = [1.0, 2.0, 3.0, 3.0, 3.0, 4.0, 5.0, 5.0];
        let s = [1, 0, 1, 1, 0, 1, 1, 1];
        let d = SurvData::new(&t, &s, None, None, 1).unwrap();
        let na = nelson_aalen(&d, Ties::NelsonAalen);
        assert!((na.cumulative_hazard[4] - 1.791_666_666_666_666_7).abs() < 1e-12);
        assert!((na.std_err[4] - 0.826_009_5).abs() < 1e-7);
        let fh = nelson_aalen(&d, Ties::FlemingHarrington);
        assert!((fh.cumulative_hazard[4] - 2.325).abs() < 1e-12);
        assert!((fh.std_err[4] - 1.201_879_3).abs() < 1e-7);
        let w = [1.0, 2.0, 1.0, 1.0, 1.0, 3.0, 1.0, 2.0];
        let d = SurvData::new(&t, &s, None, Some(&w), 1).unwrap();
        let fh = nelson_aalen(&d, Ties::FlemingHarrington);
        assert!((fh.cumulative_hazard[4] - 2.319_444_444_444_444).abs() < 1e-12);
        assert!((fh.std_err[4] - 0.975_490_54).abs() < 1e-7);
    }

    #[test]
    fn risk_table_of_unequal_columns_is_an_input_error() {
        // A hand-built table with fewer at-risk counts than times indexed past them.
        let rt = RiskTable {
            time: vec![1.0, 2.0],
            at_risk: vec![2.0],
            events: vec![1.0, 1.0],
            event_count: vec![1, 1],
            ..Default::default()
        };
        let e = from_risk_table(rt, Ties::NelsonAalen).unwrap_err();
        assert_eq!(
            e.to_string(),
            "column 'at_risk': has length 1 but 'time' has length 2"
        );
        let rt = RiskTable {
            time: vec![1.0, 2.0],
            at_risk: vec![2.0, 1.0],
            events: vec![1.0, 1.0],
            event_count: vec![1],
            ..Default::default()
        };
        let e = from_risk_table(rt.clone(), Ties::FlemingHarrington).unwrap_err();
        assert!(e.to_string().starts_with("column 'event_count'"), "{e}");
        // The plain estimator does not read event_count.
        let na = from_risk_table(rt, Ties::NelsonAalen).unwrap();
        assert_eq!(na.cumulative_hazard, vec![0.5, 1.5]);
    }
}
