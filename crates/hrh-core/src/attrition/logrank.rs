//! The G-rho family of k-sample tests (log-rank for rho = 0, Peto-Peto for rho = 1),
//! as R's `survdiff` defines them.

use super::tally::{self, Columns, Duration, EventCode};
use super::RiskTable;
use crate::error::{Error, Result};
use crate::linalg;
use crate::special::chisq_sf;
use crate::validate;

/// Result of a k-sample test.
#[derive(Debug, Clone, PartialEq)]
pub struct LogRank {
    /// Weighted observed exits per group.
    pub observed: Vec<f64>,
    /// Weighted expected exits per group.
    pub expected: Vec<f64>,
    /// Variance-covariance matrix of observed − expected (row-major, k × k).
    pub variance: Vec<f64>,
    /// Number of rows per group.
    pub n: Vec<usize>,
    /// Chi-squared statistic.
    pub statistic: f64,
    /// Degrees of freedom.
    pub df: usize,
    /// P-value.
    pub p_value: f64,
}

/// G-rho test of equal exit hazards in `n_groups` groups, stratified by `strata`
/// (codes in `0..n_strata`). At each exit time the weight is S(t−)^rho, S the pooled
/// Kaplan-Meier estimate within the stratum; O_g = Σ w d_g, E_g = Σ w d n_g / n,
/// V_gh = Σ w² d (n − d)/(n − 1) (n_g/n)(δ_gh − n_h/n). The statistic is
/// (O − E)' V⁻ (O − E) on the groups after the first, with df = (groups with E > 0) − 1.
///
/// References: Harrington DP, Fleming TR (1982) Biometrika 69:553-566; Peto R, Peto J
/// (1972) JRSS A 135:185-207.
///
/// The risk sets come from [`tally::risk_tables`](super::tally::risk_tables) by
/// (stratum, group), so the durations are never sorted row by row.
pub fn logrank<T: Duration, E: EventCode>(
    time: &[T],
    event: &[E],
    group: &[u32],
    n_groups: usize,
    strata: Option<(&[u32], usize)>,
    rho: f64,
) -> Result<LogRank> {
    let n = time.len();
    validate::same_len(n, event.len(), "duration", "event")?;
    validate::same_len(n, group.len(), "duration", "group")?;
    if !rho.is_finite() {
        return Err(Error::input(
            "rho",
            format!("{rho} must be a finite number"),
        ));
    }
    if n_groups < 2 {
        return Err(Error::input(
            "group",
            "needs at least two groups to compare",
        ));
    }
    if let Some(i) = group.iter().position(|&g| g as usize >= n_groups) {
        return Err(Error::input_at(
            "group",
            i,
            format!("group code {} is not below {n_groups}", group[i]),
        ));
    }
    let k = n_groups;
    if k.checked_mul(k).is_none() {
        return Err(Error::input(
            "group",
            format!("{k} groups is too many for a {k} x {k} variance matrix"),
        ));
    }
    let n_strata = strata.map_or(1, |(_, m)| m);
    // One risk table per (stratum, group) pair: no more pairs than rows can fill.
    let budget = (4 * n).max(1 << 16);
    let cells = k.saturating_mul(n_strata);
    if cells > budget {
        return Err(Error::input(
            "group",
            format!(
                "{k} groups in {n_strata} strata make {cells} risk tables, more than {budget} for {n} rows"
            ),
        ));
    }
    let combined: Vec<u32>;
    let codes: &[u32] = match strata {
        Some((s, m)) => {
            validate::same_len(n, s.len(), "duration", "strata")?;
            if let Some(i) = s.iter().position(|&c| c as usize >= m) {
                return Err(Error::input_at(
                    "strata",
                    i,
                    format!("stratum code {} is not below {m}", s[i]),
                ));
            }
            // cells <= budget < 2^32 makes every combined code a u32.
            combined = s
                .iter()
                .zip(group)
                .map(|(&s, &g)| s * k as u32 + g)
                .collect();
            &combined
        }
        None => group,
    };
    let columns = Columns {
        time,
        event,
        group: Some(codes),
        n_groups: cells,
        time_name: "duration",
        event_name: "event",
    };
    let Some(tables) = tally::risk_tables(&columns)? else {
        return Err(Error::input(
            "duration",
            format!("{n} rows is more than the log-rank test counts (fewer than 2^32)"),
        ));
    };
    Ok(from_tables(&tables, k, rho))
}

/// The G-rho test from the risk tables of every (stratum, group) pair, stratum-major
/// (`tables[s * n_groups + g]`).
pub fn from_tables(tables: &[RiskTable], n_groups: usize, rho: f64) -> LogRank {
    let k = n_groups;
    let mut obs = vec![0.0; k];
    let mut exp = vec![0.0; k];
    let mut var = vec![0.0; k * k];
    let mut counts = vec![0usize; k];
    for stratum in tables.chunks(k) {
        for (c, t) in counts.iter_mut().zip(stratum) {
            *c += t.at_risk.first().map_or(0, |&a| a as usize);
        }
        // Walk the groups' tables together, one distinct time of the stratum at a time.
        let mut pos = vec![0usize; k];
        let mut at_risk = vec![0.0; k];
        let mut d_g = vec![0.0; k];
        let mut km = 1.0_f64;
        loop {
            let next = stratum
                .iter()
                .zip(&pos)
                .filter_map(|(t, &p)| t.time.get(p).copied())
                .reduce(f64::min);
            let Some(t) = next else { break };
            for g in 0..k {
                let (tab, p) = (&stratum[g], pos[g]);
                at_risk[g] = tab.at_risk.get(p).copied().unwrap_or(0.0);
                d_g[g] = match tab.time.get(p) {
                    Some(&x) if x == t => {
                        pos[g] += 1;
                        tab.events[p]
                    }
                    _ => 0.0,
                };
            }
            let d: f64 = d_g.iter().sum();
            let nr: f64 = at_risk.iter().sum();
            if d > 0.0 {
                let w = km.powf(rho);
                for g in 0..k {
                    obs[g] += w * d_g[g];
                    exp[g] += w * d * at_risk[g] / nr;
                }
                if nr > 1.0 {
                    let c = w * w * d * (nr - d) / (nr - 1.0);
                    for g in 0..k {
                        for h in 0..k {
                            let delta = if g == h { 1.0 } else { 0.0 };
                            var[g * k + h] += c * at_risk[g] / nr * (delta - at_risk[h] / nr);
                        }
                    }
                }
                km *= 1.0 - d / nr;
            }
        }
    }
    // Statistic on groups 1..k (dropping the first), generalised inverse.
    let m = k - 1;
    let diff: Vec<f64> = (1..k).map(|g| obs[g] - exp[g]).collect();
    let mut sub = vec![0.0; m * m];
    for a in 0..m {
        for b in 0..m {
            sub[a * m + b] = var[(a + 1) * k + (b + 1)];
        }
    }
    let statistic = linalg::quadratic_form_ginv(&sub, &diff, m);
    let df = exp.iter().filter(|&&e| e > 0.0).count().saturating_sub(1);
    let p_value = if df > 0 {
        chisq_sf(statistic, df as f64)
    } else {
        f64::NAN
    };
    LogRank {
        observed: obs,
        expected: exp,
        variance: var,
        n: counts,
        statistic,
        df,
        p_value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_groups_by_hand() {
        // Group 0 exits at 1, 3; group 1 exits at 2, censored at 4.
        let r = logrank(
            &[1.0, 3.0, 2.0, 4.0],
            &[1, 1, 1, 0],
            &[0, 0, 1, 1],
            2,
            None,
            0.0,
        )
        .unwrap();
        // t=1: n=(2,2) d=1 -> E0 = .5; t=2: n=(1,2) -> E0 = 1/3; t=3: n=(1,1) -> E0 = .5.
        assert!((r.expected[0] - (0.5 + 1.0 / 3.0 + 0.5)).abs() < 1e-15);
        assert_eq!(r.observed, vec![2.0, 1.0]);
        let v = 0.25 + 2.0 / 9.0 + 0.25;
        assert!((r.variance[0] - v).abs() < 1e-15);
        let o_e = 1.0 - (0.5 + 2.0 / 3.0 + 0.5);
        assert!((r.statistic - o_e * o_e / v).abs() < 1e-12);
        assert_eq!(r.df, 1);
    }

    #[test]
    fn codes_out_of_range_are_input_errors() {
        let (t, e) = ([1.0, 3.0, 2.0, 4.0], [1, 1, 1, 0]);
        // A group code at or above n_groups used to index past the per-group counts.
        let err = logrank(&t, &e, &[0, 0, 1, 2], 2, None, 0.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "column 'group', row 3: group code 2 is not below 2"
        );
        // A stratum code at or above n_strata used to drop its rows silently.
        let err = logrank(&t, &e, &[0, 0, 1, 1], 2, Some((&[0, 1, 0, 1], 1)), 0.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "column 'strata', row 1: stratum code 1 is not below 1"
        );
        let err = logrank(&t, &e, &[0, 0, 1, 1], usize::MAX, None, 0.0).unwrap_err();
        assert!(err.to_string().contains("too many"), "{err}");
    }
}
