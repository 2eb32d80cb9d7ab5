//! The G-rho family of k-sample tests (log-rank for rho = 0, Peto-Peto for rho = 1),
//! as R's `survdiff` defines them.

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
#[allow(clippy::too_many_arguments)]
pub fn logrank(
    time: &[f64],
    event: &[u32],
    group: &[u32],
    n_groups: usize,
    strata: Option<(&[u32], usize)>,
    rho: f64,
) -> Result<LogRank> {
    let n = time.len();
    validate::same_len(n, event.len(), "duration", "event")?;
    validate::same_len(n, group.len(), "duration", "group")?;
    validate::non_negative(time, "duration")?;
    if let Some(i) = event.iter().position(|&e| e > 1) {
        return Err(Error::input_at(
            "event",
            i,
            format!("code {} is not 0 (censored) or 1 (exit)", event[i]),
        ));
    }
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
    let (scodes, n_strata): (Vec<u32>, usize) = match strata {
        Some((s, k)) => {
            validate::same_len(n, s.len(), "duration", "strata")?;
            if let Some(i) = s.iter().position(|&c| c as usize >= k) {
                return Err(Error::input_at(
                    "strata",
                    i,
                    format!("stratum code {} is not below {k}", s[i]),
                ));
            }
            (s.to_vec(), k)
        }
        None => (vec![0; n], 1),
    };
    let k = n_groups;
    let Some(kk) = k.checked_mul(k) else {
        return Err(Error::input(
            "group",
            format!("{k} groups is too many for a {k} x {k} variance matrix"),
        ));
    };
    let mut obs = vec![0.0; k];
    let mut exp = vec![0.0; k];
    let mut var = vec![0.0; kk];
    let mut counts = vec![0usize; k];
    for &g in group {
        counts[g as usize] += 1;
    }
    for s in 0..n_strata {
        let mut idx: Vec<usize> = (0..n).filter(|&i| scodes[i] as usize == s).collect();
        idx.sort_by(|&a, &b| time[a].total_cmp(&time[b]));
        let mut at_risk = vec![0.0; k];
        for &i in &idx {
            at_risk[group[i] as usize] += 1.0;
        }
        let mut km = 1.0_f64;
        let mut p = 0;
        while p < idx.len() {
            let t = time[idx[p]];
            let mut q = p;
            let mut d_g = vec![0.0; k];
            while q < idx.len() && time[idx[q]] == t {
                if event[idx[q]] == 1 {
                    d_g[group[idx[q]] as usize] += 1.0;
                }
                q += 1;
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
            for &i in &idx[p..q] {
                at_risk[group[i] as usize] -= 1.0;
            }
            p = q;
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
    Ok(LogRank {
        observed: obs,
        expected: exp,
        variance: var,
        n: counts,
        statistic,
        df,
        p_value,
    })
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
