//! The weighted log-rank family of k-sample tests: log-rank, Gehan-Breslow (Wilcoxon),
//! Tarone-Ware, Peto-Peto, Andersen's modified Peto-Peto and Fleming-Harrington G(p, q),
//! whose G(rho, 0) members are R's `survdiff(rho = )`.

use super::tally::{self, Columns, Duration, EventCode};
use super::{next_time, RiskTable, Work};
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

/// Most groups the test compares: its k × k variance matrix is updated at every exit
/// time (k² work each), so 1,000 groups already mean 8 MB and a million operations per
/// exit time.
pub const MAX_GROUPS: usize = 1000;

/// Row indices ordered by (stratum, time), and where each stratum's run starts and
/// ends: one sort instead of a pass over every row for every stratum.
pub(crate) fn stratum_runs(
    time: &[f64],
    strata: Option<&[u32]>,
) -> (Vec<usize>, Vec<(usize, usize)>) {
    let n = time.len();
    let mut idx: Vec<usize> = (0..n).collect();
    match strata {
        Some(s) => idx.sort_by(|&a, &b| s[a].cmp(&s[b]).then(time[a].total_cmp(&time[b]))),
        None => idx.sort_by(|&a, &b| time[a].total_cmp(&time[b])),
    }
    let mut runs = Vec::new();
    let mut p = 0;
    while p < n {
        let mut q = p + 1;
        if let Some(s) = strata {
            while q < n && s[idx[q]] == s[idx[p]] {
                q += 1;
            }
        } else {
            q = n;
        }
        runs.push((p, q));
        p = q;
    }
    (idx, runs)
}

/// The weight given to each exit time by a test of the log-rank family. At an exit
/// time t of a stratum with n at risk and d exits (all groups pooled), S(t−) the pooled
/// Kaplan-Meier estimate just before t and S̃(t) = Π_{t_j <= t} (1 − d_j / (n_j + 1))
/// (Peto's survival estimate, through t):
///
/// | weights | w(t) |
/// |---|---|
/// | `LogRank` | 1 |
/// | `GehanBreslow` | n (Gehan 1965, Breslow 1970) |
/// | `TaroneWare` | √n (Tarone and Ware 1977) |
/// | `PetoPeto` | S(t−) (Peto and Peto 1972, survival form; `survdiff(rho = 1)`) |
/// | `ModifiedPeto` | S̃(t) n / (n + 1) (Andersen, Borgan, Gill and Keiding 1982) |
/// | `FlemingHarrington { p, q }` | S(t−)^p (1 − S(t−))^q (Fleming and Harrington 1991) |
///
/// References: Klein JP, Moeschberger ML (2003) Survival Analysis, 2nd ed., §7.3;
/// Harrington DP, Fleming TR (1982) Biometrika 69:553-566; Andersen PK, Borgan Ø,
/// Gill RD, Keiding N (1982) Int Stat Rev 50:219-258; Tarone RE, Ware J (1977)
/// Biometrika 64:156-160.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Weights {
    /// w = 1: the log-rank (Mantel-Haenszel) test.
    LogRank,
    /// w = n: the Gehan-Breslow generalised Wilcoxon test.
    GehanBreslow,
    /// w = √n: the Tarone-Ware test.
    TaroneWare,
    /// w = S(t−), the pooled Kaplan-Meier just before t: Peto-Peto (R's rho = 1).
    PetoPeto,
    /// w = S̃(t) n / (n + 1), S̃ = Π (1 − d / (n + 1)): Andersen's modified Peto-Peto.
    ModifiedPeto,
    /// w = S(t−)^p (1 − S(t−))^q, p, q >= 0: Fleming-Harrington G(p, q); G(rho, 0) is
    /// `survdiff(rho = )`.
    FlemingHarrington {
        /// Exponent of S(t−) (early differences).
        p: f64,
        /// Exponent of 1 − S(t−) (late differences).
        q: f64,
    },
}

impl Weights {
    /// Fleming-Harrington exponents finite and >= 0.
    pub fn check(&self) -> Result<()> {
        if let Weights::FlemingHarrington { p, q } = *self {
            for (name, v) in [("p", p), ("q", q)] {
                if !(v.is_finite() && v >= 0.0) {
                    return Err(Error::argument(
                        name,
                        format!("{v} must be a finite number >= 0"),
                    ));
                }
            }
        }
        Ok(())
    }

    /// The weight at an exit time with `n` at risk, from S(t−) (`km`) and S̃(t)
    /// (`peto`, already including this time's factor).
    fn at(&self, n: f64, km: f64, peto: f64) -> f64 {
        match *self {
            Weights::LogRank => 1.0,
            Weights::GehanBreslow => n,
            Weights::TaroneWare => n.sqrt(),
            Weights::PetoPeto => km,
            Weights::ModifiedPeto => peto * n / (n + 1.0),
            // 0^0 = 1: G(0, q) at the first exit, G(p, 0) once S reaches 0.
            Weights::FlemingHarrington { p, q } => km.powf(p) * (1.0 - km).powf(q),
        }
    }
}

/// G-rho test of equal exit hazards in `n_groups` groups, stratified by `strata`
/// (codes in `0..n_strata`): [`logrank_weighted`] with Fleming-Harrington weights
/// S(t−)^rho (rho >= 0), as R's `survdiff(rho = )`.
pub fn logrank<T: Duration, E: EventCode>(
    time: &[T],
    event: &[E],
    group: &[u32],
    n_groups: usize,
    strata: Option<(&[u32], usize)>,
    rho: f64,
) -> Result<LogRank> {
    if !(rho.is_finite() && rho >= 0.0) {
        return Err(Error::argument(
            "rho",
            format!("{rho} must be a finite number >= 0"),
        ));
    }
    let weights = if rho == 0.0 {
        Weights::LogRank
    } else {
        Weights::FlemingHarrington { p: rho, q: 0.0 }
    };
    logrank_weighted(time, event, group, n_groups, strata, weights)
}

/// Weighted log-rank test of equal exit hazards in `n_groups` groups, stratified by
/// `strata` (codes in `0..n_strata`). At each exit time the weight w is given by
/// `weights` (see [`Weights`]), computed once from the pooled risk set of the stratum;
/// O_g = Σ w d_g, E_g = Σ w d n_g / n, V_gh = Σ w² d (n − d)/(n − 1) (n_g/n)(δ_gh − n_h/n),
/// each summed over the strata. The statistic is (O − E)' V⁻ (O − E) on the groups
/// after the first, with df = (groups with E > 0) − 1.
///
/// References: Harrington DP, Fleming TR (1982) Biometrika 69:553-566; Peto R, Peto J
/// (1972) JRSS A 135:185-207; Klein JP, Moeschberger ML (2003) Survival Analysis,
/// 2nd ed., §7.3.
///
/// The risk sets come from [`tally::risk_tables`](super::tally::risk_tables) by
/// (stratum, group), so the durations are never sorted row by row.
pub fn logrank_weighted<T: Duration, E: EventCode>(
    time: &[T],
    event: &[E],
    group: &[u32],
    n_groups: usize,
    strata: Option<(&[u32], usize)>,
    weights: Weights,
) -> Result<LogRank> {
    let n = time.len();
    validate::same_len(n, event.len(), "duration", "event")?;
    validate::same_len(n, group.len(), "duration", "group")?;
    weights.check()?;
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
    check_group_count(k, MAX_GROUPS, "the log-rank test")?;
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
            check_strata(s, n, m)?;
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
    from_tables(&tables, k, weights)
}

/// The weighted log-rank test from the risk tables of every (stratum, group) pair,
/// stratum-major (`tables[s * n_groups + g]`).
pub fn from_tables(tables: &[RiskTable], n_groups: usize, weights: Weights) -> Result<LogRank> {
    weights.check()?;
    let k = n_groups;
    let mut sums = Sums {
        obs: vec![0.0; k],
        exp: vec![0.0; k],
        var: vec![0.0; k * k],
    };
    let mut counts = vec![0usize; k];
    for stratum in tables.chunks(k) {
        for (c, t) in counts.iter_mut().zip(stratum) {
            *c += t.at_risk.first().map_or(0, |&a| a as usize);
        }
        // Two or three groups (most tests) keep their work in fixed-size arrays, which
        // the compiler holds in registers; the arithmetic is the same.
        match k {
            2 => walk::<[f64; 2], [usize; 2], [f64; 4]>(stratum, weights, &mut sums),
            3 => walk::<[f64; 3], [usize; 3], [f64; 9]>(stratum, weights, &mut sums),
            _ => walk::<Vec<f64>, Vec<usize>, Vec<f64>>(stratum, weights, &mut sums),
        }
    }
    let Sums { obs, exp, var } = sums;
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
    // Nothing compared: at most one group ever expected to exit, or a variance of 0
    // (each group alone in its stratum, or everyone at risk exiting at once).
    if df == 0 || var.iter().all(|&v| v == 0.0) {
        return Err(Error::input(
            "group",
            "no exit happens while two groups are at risk (within a stratum) and some stay \
             at risk, so there is nothing to compare",
        ));
    }
    let p_value = chisq_sf(statistic, df as f64);
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

/// Running sums of the test over the strata: O_g, E_g and V_gh (row-major).
struct Sums {
    obs: Vec<f64>,
    exp: Vec<f64>,
    var: Vec<f64>,
}

/// Add one stratum's terms to `sums`, walking its groups' tables together one distinct
/// time at a time (`G`, `P`: per-group work of floats and positions, `V`: k × k). The
/// sums are carried in and out, so each keeps one order of addition over all strata.
fn walk<G: Work<f64>, P: Work<usize>, V: Work<f64>>(
    stratum: &[RiskTable],
    weights: Weights,
    sums: &mut Sums,
) {
    let k = stratum.len();
    let (mut obs, mut exp, mut var) = (G::zeros(k), G::zeros(k), V::zeros(k * k));
    obs.as_mut().copy_from_slice(&sums.obs);
    exp.as_mut().copy_from_slice(&sums.exp);
    var.as_mut().copy_from_slice(&sums.var);
    let (obs_, exp_, var_) = (obs.as_mut(), exp.as_mut(), var.as_mut());
    let mut pos = P::zeros(k);
    let pos = pos.as_mut();
    let (mut at_risk, mut d_g) = (G::zeros(k), G::zeros(k));
    let (at_risk, d_g) = (at_risk.as_mut(), d_g.as_mut());
    let (mut scaled, mut share) = (G::zeros(k), G::zeros(k));
    let (scaled, share) = (scaled.as_mut(), share.as_mut());
    // Pooled Kaplan-Meier S(t−) and Peto's S̃ of the stratum.
    let mut km = 1.0_f64;
    let mut peto = 1.0_f64;
    // A group past its last time has nobody at risk and no exit.
    while let Some(t) = next_time(stratum, pos) {
        for g in 0..k {
            let (tab, p) = (&stratum[g], pos[g]);
            let here = tab.time.get(p) == Some(&t);
            at_risk[g] = tab.at_risk.get(p).copied().unwrap_or(0.0);
            let e = tab.events.get(p).copied().unwrap_or(0.0);
            d_g[g] = if here { e } else { 0.0 };
            pos[g] += usize::from(here);
        }
        let d: f64 = d_g.iter().sum();
        let nr: f64 = at_risk.iter().sum();
        if d > 0.0 {
            peto *= 1.0 - d / (nr + 1.0);
            let w = weights.at(nr, km, peto);
            for g in 0..k {
                obs_[g] += w * d_g[g];
                exp_[g] += w * d * at_risk[g] / nr;
            }
            if nr > 1.0 {
                let c = w * w * d * (nr - d) / (nr - 1.0);
                // c n_g / n and n_h / n once per group, not once per pair.
                for g in 0..k {
                    scaled[g] = c * at_risk[g] / nr;
                    share[g] = at_risk[g] / nr;
                }
                for g in 0..k {
                    for h in 0..k {
                        let delta = if g == h { 1.0 } else { 0.0 };
                        var_[g * k + h] += scaled[g] * (delta - share[h]);
                    }
                }
            }
            km *= 1.0 - d / nr;
        }
    }
    sums.obs.copy_from_slice(obs_);
    sums.exp.copy_from_slice(exp_);
    sums.var.copy_from_slice(var_);
}

/// Stratum codes: one per row, each below `n_strata` (a code at or above it would drop
/// its rows silently).
pub(crate) fn check_strata(s: &[u32], n: usize, n_strata: usize) -> Result<()> {
    validate::same_len(n, s.len(), "duration", "strata")?;
    if let Some(i) = s.iter().position(|&c| c as usize >= n_strata) {
        return Err(Error::input_at(
            "strata",
            i,
            format!("stratum code {} is not below {n_strata}", s[i]),
        ));
    }
    Ok(())
}

/// A group count within a test's limit, checked before its k × k tables are allocated.
pub(crate) fn check_group_count(k: usize, max: usize, test: &str) -> Result<()> {
    if k > max {
        return Err(Error::input(
            "group",
            format!(
                "{k} groups is too many for {test}, which compares at most {max} \
                 (its k x k variance is updated at every exit time); merge groups or \
                 compare them in subsets"
            ),
        ));
    }
    Ok(())
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
    fn every_weight_by_hand() {
        // As above: exits at 1 (n = 2 + 2), 2 (n = 1 + 2), 3 (n = 1 + 1), one each.
        // Pooled S(t−) = 1, 3/4, 1/2; S̃(t) = 4/5, 3/5, 2/5.
        let cases: [(Weights, [f64; 3]); 7] = [
            (Weights::LogRank, [1.0, 1.0, 1.0]),
            (Weights::GehanBreslow, [4.0, 3.0, 2.0]),
            (Weights::TaroneWare, [2.0, 3f64.sqrt(), 2f64.sqrt()]),
            (Weights::PetoPeto, [1.0, 0.75, 0.5]),
            (
                Weights::ModifiedPeto,
                [0.8 * 4.0 / 5.0, 0.6 * 3.0 / 4.0, 0.4 * 2.0 / 3.0],
            ),
            (
                Weights::FlemingHarrington { p: 1.0, q: 1.0 },
                [0.0, 0.75 * 0.25, 0.25],
            ),
            (
                Weights::FlemingHarrington { p: 0.0, q: 2.0 },
                [0.0, 0.0625, 0.25],
            ),
        ];
        for (weights, w) in cases {
            let r = logrank_weighted(
                &[1.0, 3.0, 2.0, 4.0],
                &[1, 1, 1, 0],
                &[0, 0, 1, 1],
                2,
                None,
                weights,
            )
            .unwrap();
            let obs0 = w[0] + w[2];
            let exp0 = w[0] * 0.5 + w[1] / 3.0 + w[2] * 0.5;
            let v = 0.25 * w[0] * w[0] + 2.0 / 9.0 * w[1] * w[1] + 0.25 * w[2] * w[2];
            assert!((r.observed[0] - obs0).abs() < 1e-14, "{weights:?}");
            assert!((r.expected[0] - exp0).abs() < 1e-14, "{weights:?}");
            assert!((r.variance[0] - v).abs() < 1e-14, "{weights:?}");
            let want = (obs0 - exp0).powi(2) / v;
            assert!((r.statistic - want).abs() < 1e-12 * want, "{weights:?}");
        }
        // rho is G(rho, 0).
        let a = logrank(
            &[1.0, 3.0, 2.0, 4.0],
            &[1, 1, 1, 0],
            &[0, 0, 1, 1],
            2,
            None,
            1.0,
        );
        let b = logrank_weighted(
            &[1.0, 3.0, 2.0, 4.0],
            &[1, 1, 1, 0],
            &[0, 0, 1, 1],
            2,
            None,
            Weights::PetoPeto,
        );
        assert_eq!(a, b);
    }

    #[test]
    fn bad_exponents_are_input_errors() {
        let (t, e, g) = ([1.0, 3.0, 2.0, 4.0], [1, 1, 1, 0], [0, 0, 1, 1]);
        for (p, q, col) in [
            (-1.0, 0.0, "p"),
            (0.0, f64::NAN, "q"),
            (f64::INFINITY, 1.0, "p"),
        ] {
            let w = Weights::FlemingHarrington { p, q };
            let err = logrank_weighted(&t, &e, &g, 2, None, w).unwrap_err();
            assert!(
                err.to_string().starts_with(&format!("argument '{col}'")),
                "{err}"
            );
        }
        let err = logrank(&t, &e, &g, 2, None, -0.5).unwrap_err();
        assert!(
            err.to_string()
                .contains("-0.5 must be a finite number >= 0"),
            "{err}"
        );
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
        // Checked before the k x k matrix is allocated (1e5 groups were 80 GB).
        let err = logrank(&t, &e, &[0, 0, 1, 1], 100_000, None, 0.0).unwrap_err();
        assert!(err.to_string().contains("at most 1000"), "{err}");
    }

    #[test]
    fn nothing_to_compare_is_an_input_error() {
        // Each group alone in its stratum: statistic 0 on 0 df with p NaN before.
        let err = logrank(
            &[1.0, 2.0, 3.0, 4.0],
            &[1, 1, 1, 1],
            &[0, 0, 1, 1],
            2,
            Some((&[0, 0, 1, 1], 2)),
            0.0,
        )
        .unwrap_err();
        assert!(err.to_string().contains("nothing to compare"), "{err}");
        // Group 1 leaves the risk set before group 0's only exit.
        let err = logrank(&[5.0, 6.0, 1.0], &[1, 0, 0], &[0, 0, 1], 2, None, 0.0).unwrap_err();
        assert!(err.to_string().contains("nothing to compare"), "{err}");
    }

    #[test]
    fn strata_in_any_order_give_the_same_test() {
        let t = [1.0, 3.0, 2.0, 4.0, 1.5, 2.5, 3.5, 0.5];
        let e = [1, 1, 1, 0, 1, 0, 1, 1];
        let g = [0, 0, 1, 1, 0, 1, 1, 0];
        let s = [0, 1, 0, 1, 1, 0, 1, 0];
        let a = logrank(&t, &e, &g, 2, Some((&s, 2)), 0.0).unwrap();
        // The same test summed over the strata run separately.
        let pick = |k: u32| -> (Vec<f64>, Vec<u32>, Vec<u32>) {
            let rows: Vec<usize> = (0..8).filter(|&i| s[i] == k).collect();
            (
                rows.iter().map(|&i| t[i]).collect(),
                rows.iter().map(|&i| e[i]).collect(),
                rows.iter().map(|&i| g[i]).collect(),
            )
        };
        let (t0, e0, g0) = pick(0);
        let (t1, e1, g1) = pick(1);
        let r0 = logrank(&t0, &e0, &g0, 2, None, 0.0).unwrap();
        let r1 = logrank(&t1, &e1, &g1, 2, None, 0.0).unwrap();
        assert!((a.expected[1] - r0.expected[1] - r1.expected[1]).abs() < 1e-14);
        assert!((a.variance[3] - r0.variance[3] - r1.variance[3]).abs() < 1e-14);
    }

    #[test]
    fn fixed_size_and_vector_walks_agree_bit_for_bit() {
        // Three groups in two strata, with ties, censorings and a group that runs out
        // of times first; every weight. The fixed-size walk of k = 2 and 3 must give the
        // sums of the general one exactly.
        let t = [
            1.0, 3.0, 2.0, 4.0, 1.5, 2.5, 3.5, 0.5, 2.0, 3.0, 5.0, 1.0, 2.5,
        ];
        let e = [1, 1, 1, 0, 1, 0, 1, 1, 1, 0, 1, 1, 1];
        let g = [0, 0, 1, 1, 0, 1, 2, 2, 2, 1, 0, 2, 1];
        let s = [0, 1, 0, 1, 1, 0, 1, 0, 0, 1, 0, 1, 0];
        let weights = [
            Weights::LogRank,
            Weights::GehanBreslow,
            Weights::TaroneWare,
            Weights::PetoPeto,
            Weights::ModifiedPeto,
            Weights::FlemingHarrington { p: 0.5, q: 1.5 },
        ];
        for k in [2usize, 3] {
            let rows: Vec<usize> = (0..t.len()).filter(|&i| (g[i] as usize) < k).collect();
            let pick = |x: &[u32]| -> Vec<u32> { rows.iter().map(|&i| x[i]).collect() };
            let tk: Vec<f64> = rows.iter().map(|&i| t[i]).collect();
            let (ek, gk, sk) = (pick(&e), pick(&g), pick(&s));
            let cells: Vec<u32> = sk
                .iter()
                .zip(&gk)
                .map(|(&s, &g)| s * k as u32 + g)
                .collect();
            let columns = Columns {
                time: &tk,
                event: &ek,
                group: Some(&cells),
                n_groups: 2 * k,
                time_name: "t",
                event_name: "e",
            };
            let tables = tally::risk_tables(&columns).unwrap().unwrap();
            for w in weights {
                let sums = |fixed: bool| {
                    let mut sums = Sums {
                        obs: vec![0.0; k],
                        exp: vec![0.0; k],
                        var: vec![0.0; k * k],
                    };
                    for stratum in tables.chunks(k) {
                        match (fixed, k) {
                            (true, 2) => {
                                walk::<[f64; 2], [usize; 2], [f64; 4]>(stratum, w, &mut sums)
                            }
                            (true, _) => {
                                walk::<[f64; 3], [usize; 3], [f64; 9]>(stratum, w, &mut sums)
                            }
                            (false, _) => {
                                walk::<Vec<f64>, Vec<usize>, Vec<f64>>(stratum, w, &mut sums)
                            }
                        }
                    }
                    [sums.obs, sums.exp, sums.var].concat()
                };
                let (a, b) = (sums(true), sums(false));
                assert!(a.iter().any(|&x| x != 0.0), "{w:?}");
                let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                assert_eq!(bits(&a), bits(&b), "k = {k}, {w:?}");
            }
        }
    }
}
