//! Competing exit reasons: Aalen-Johansen cumulative incidence with
//! infinitesimal-jackknife standard errors (as R's `survfit` reports them for a
//! multi-state status).

use super::kaplan_meier::{limits, ConfType, POINT_BLOCK};
use super::logrank::{check_group_count, check_strata, stratum_runs};
use rayon::prelude::*;

use super::{next_time, risk_table, tally, RiskTable, SurvData, Work};
use crate::control::Control;
use crate::error::{Error, Result};
use crate::special::qnorm;
use crate::validate;

/// Cumulative incidence of each cause, one entry per distinct time.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CumulativeIncidence {
    /// Distinct times.
    pub time: Vec<f64>,
    /// Number at risk just before each time.
    pub at_risk: Vec<f64>,
    /// Exits per cause at each time (`events[k][j]`).
    pub events: Vec<Vec<f64>>,
    /// Probability of still being in post (all-cause Kaplan-Meier).
    pub in_post: Vec<f64>,
    /// Its standard error.
    pub in_post_std_err: Vec<f64>,
    /// Cumulative incidence F_k(t) (`incidence[k][j]`).
    pub incidence: Vec<Vec<f64>>,
    /// Standard errors of F_k(t).
    pub std_err: Vec<Vec<f64>>,
    /// Lower limits (log scale, as R).
    pub lower: Vec<Vec<f64>>,
    /// Upper limits.
    pub upper: Vec<Vec<f64>>,
}

/// Aalen-Johansen estimate for causes 1..=`n_causes` (status 0 = censored):
/// F_k(t) = Σ_{t_j <= t} S(t_{j−1}) d_kj / n_j, S the all-cause Kaplan-Meier.
///
/// Variances are the infinitesimal jackknife Σ_i U_i(t)², U_i the derivative of the
/// estimate with respect to observation i's case weight. At-risk observations share
/// one influence vector and departed ones evolve linearly, so the sum of squares is
/// carried as a (K+1)×(K+1) matrix: O(n log n + T K²).
///
/// References: Aalen OO, Johansen S (1978) Scand J Stat 5:141-150; Therneau TM, Crowson
/// C, Atkinson E, "Multi-state models and competing risks", survival package vignette.
pub fn cumulative_incidence(
    d: &SurvData,
    n_causes: usize,
    level: f64,
) -> Result<CumulativeIncidence> {
    validate::level(level)?;
    if d.delayed {
        return Err(Error::input(
            "entry",
            "cumulative incidence with delayed entry is not supported",
        ));
    }
    from_risk_table(risk_table(d, n_causes), n_causes, level)
}

/// [`cumulative_incidence`] of every group of unweighted data without delayed entry
/// (`cause` 0 censored, else the exit's cause in `1..=n_causes`; `group` codes below
/// `n_groups`), the risk sets counted by [`tally::risk_tables`] (no sort of the rows by
/// comparison). `Ok(None)` when a value is out of range, or the data are too large to
/// count this way: [`cumulative_incidence`] on [`SurvData`] then reports or handles
/// them. The curves are those of [`cumulative_incidence`].
pub fn cumulative_incidence_counted(
    time: &[f64],
    cause: &[u32],
    group: &[u32],
    n_groups: usize,
    n_causes: usize,
    level: f64,
) -> Result<Option<Vec<CumulativeIncidence>>> {
    validate::level(level)?;
    let n = time.len();
    let states = n_causes + 1;
    let cells = n_groups.saturating_mul(states);
    if cause.len() != n || group.len() != n || n_groups == 0 || cells > (4 * n).max(1 << 16) {
        return Ok(None);
    }
    // One risk table per (group, cause) pair, cause 0 holding the censored rows.
    let mut pair = vec![0u32; n];
    let mut exit = vec![false; n];
    let in_range = pair
        .par_chunks_mut(1 << 14)
        .zip(exit.par_chunks_mut(1 << 14))
        .enumerate()
        .all(|(b, (p, e))| {
            let lo = b << 14;
            let (cs, gs) = (&cause[lo..lo + p.len()], &group[lo..lo + p.len()]);
            let mut ok = true;
            for (((p, e), &c), &g) in p.iter_mut().zip(e.iter_mut()).zip(cs).zip(gs) {
                ok &= (c as usize) < states && (g as usize) < n_groups;
                *p = g.wrapping_mul(states as u32).wrapping_add(c);
                *e = c > 0;
            }
            ok
        });
    if !in_range {
        return Ok(None);
    }
    let columns = tally::Columns {
        time,
        event: &exit,
        group: Some(&pair),
        n_groups: cells,
        time_name: "duration",
        event_name: "event",
    };
    let Ok(Some(tables)) = tally::risk_tables(&columns) else {
        return Ok(None);
    };
    tables
        .par_chunks(states)
        .map(|parts| from_risk_table(merged(parts), n_causes, level))
        .collect::<Result<_>>()
        .map(Some)
}

/// The risk table of a group from those of its rows by cause (`parts[0]`: the censored
/// rows, `parts[c]`: the exits by cause c), with the exits of each cause. The rows are
/// unweighted, so the table keeps no separate `event_count`.
pub(super) fn merged(parts: &[RiskTable]) -> RiskTable {
    let k = parts.len() - 1;
    // At most one time per row of the parts.
    let m: usize = parts.iter().map(|p| p.time.len()).sum();
    let mut rt = RiskTable {
        time: Vec::with_capacity(m),
        at_risk: Vec::with_capacity(m),
        events: Vec::with_capacity(m),
        events_by_cause: (0..k).map(|_| Vec::with_capacity(m)).collect(),
        censored: Vec::with_capacity(m),
        event_count: Vec::new(),
    };
    let mut pos = vec![0usize; parts.len()];
    // A part past its last time has nobody at risk.
    while let Some(t) = next_time(parts, &pos) {
        let (mut at_risk, mut events, mut censored) = (0.0, 0.0, 0.0);
        for (c, (p, j)) in parts.iter().zip(pos.iter_mut()).enumerate() {
            // Rows of this part still at risk: those with times from its next one on.
            at_risk += p.at_risk.get(*j).copied().unwrap_or(0.0);
            let here = p.time.get(*j) == Some(&t);
            if c > 0 {
                let d = p.events.get(*j).copied().unwrap_or(0.0);
                let d = if here { d } else { 0.0 };
                rt.events_by_cause[c - 1].push(d);
                events += d;
            }
            let cens = p.censored.get(*j).copied().unwrap_or(0.0);
            censored += if here { cens } else { 0.0 };
            *j += usize::from(here);
        }
        rt.time.push(t);
        rt.at_risk.push(at_risk);
        rt.events.push(events);
        rt.censored.push(censored);
    }
    rt
}

/// [`cumulative_incidence`] from the risk table of the data (exits by cause).
pub(super) fn from_risk_table(
    rt: RiskTable,
    n_causes: usize,
    level: f64,
) -> Result<CumulativeIncidence> {
    // One to three causes (most registers) keep their work in fixed-size arrays.
    Ok(match n_causes {
        1 => aalen_johansen::<[f64; 1], [f64; 2], [f64; 4]>(rt, n_causes, level),
        2 => aalen_johansen::<[f64; 2], [f64; 3], [f64; 9]>(rt, n_causes, level),
        3 => aalen_johansen::<[f64; 3], [f64; 4], [f64; 16]>(rt, n_causes, level),
        _ => aalen_johansen::<Vec<f64>, Vec<f64>, Vec<f64>>(rt, n_causes, level),
    })
}

/// [`from_risk_table`] with work space `K` of one value per cause, `S` of one per
/// state (in post and each cause) and `SS` of one per pair of states. The estimates
/// and variances run time by time; square roots, relative errors and limits follow in
/// parallel, point by point.
fn aalen_johansen<K: Work<f64>, S: Work<f64>, SS: Work<f64>>(
    rt: RiskTable,
    n_causes: usize,
    level: f64,
) -> CumulativeIncidence {
    let z = qnorm(1.0 - (1.0 - level) / 2.0);
    // Work space, reused at every time; k and s read from it are constants in the
    // fixed-size cases.
    let (mut dk, mut lam) = (K::zeros(n_causes), K::zeros(n_causes));
    let (dk, lam) = (dk.as_mut(), lam.as_mut());
    let (k, s) = (dk.len(), n_causes + 1); // state 0 = in post, c = exited by cause c
    let (mut p, mut a) = (S::zeros(s), S::zeros(s));
    let (p, mut a) = (p.as_mut(), a.as_mut()); // a: common influence of those at risk
    let (mut a_m, mut a_new, mut v) = (S::zeros(s), S::zeros(s), S::zeros(s));
    let (a_m, mut a_new, v) = (a_m.as_mut(), a_new.as_mut(), v.as_mut());
    let (mut column, mut mapped) = (S::zeros(s), S::zeros(s));
    let (column, mapped) = (column.as_mut(), mapped.as_mut());
    let (mut c_dep, mut rows) = (SS::zeros(s * s), SS::zeros(s * s));
    let (c_dep, rows) = (c_dep.as_mut(), rows.as_mut()); // c_dep: Σ U Uᵀ over departed
                                                         // The columns computed here, allocated once; times, risk sets and events are the
                                                         // risk table's own, moved at the end. The standard errors hold variances until the
                                                         // parallel pass.
    let m = rt.time.len();
    let columns = || -> Vec<Vec<f64>> { (0..k).map(|_| Vec::with_capacity(m)).collect() };
    let mut out = CumulativeIncidence {
        in_post: Vec::with_capacity(m),
        in_post_std_err: Vec::with_capacity(m),
        incidence: columns(),
        std_err: columns(),
        ..Default::default()
    };
    p[0] = 1.0;
    // Everyone is at risk at the first time (no delayed entry): the total weight.
    let mut n_r: f64 = rt.at_risk.first().copied().unwrap_or(0.0);
    // The linear map M (row-vector convention): u0' = u0 (1 − λ), uk' = uk + u0 λk.
    let apply = |u: &[f64], out: &mut [f64], lam: &[f64], ltot: f64| {
        out[0] = u[0] * (1.0 - ltot);
        for c in 0..k {
            out[c + 1] = u[c + 1] + u[0] * lam[c];
        }
    };
    for j in 0..rt.time.len() {
        let n = rt.at_risk[j];
        for (c, x) in dk.iter_mut().enumerate() {
            *x = rt.events_by_cause[c][j];
        }
        let dtot: f64 = dk.iter().sum();
        let cens = rt.censored[j];
        for (l, x) in lam.iter_mut().zip(dk.iter()) {
            *l = x / n;
        }
        let ltot: f64 = lam.iter().sum();
        let p0 = p[0];
        apply(a, a_m, lam, ltot);
        // At risk, no exit at t_j: ∂λ_c = −λ_c / n.
        a_new.copy_from_slice(a_m);
        a_new[0] += p0 * ltot / n;
        for c in 0..k {
            a_new[c + 1] -= p0 * lam[c] / n;
        }
        // C_dep <- Mᵀ C_dep M.
        if dtot > 0.0 {
            for r in 0..s {
                apply(
                    &c_dep[r * s..(r + 1) * s],
                    &mut rows[r * s..(r + 1) * s],
                    lam,
                    ltot,
                );
            }
            for col in 0..s {
                for r in 0..s {
                    column[r] = rows[r * s + col];
                }
                apply(column, mapped, lam, ltot);
                for r in 0..s {
                    c_dep[r * s + col] = mapped[r];
                }
            }
        }
        // Observations exiting by cause c: ∂λ_c' = (δ_cc' − λ_c') / n.
        for c in 0..k {
            if dk[c] == 0.0 {
                continue;
            }
            v.copy_from_slice(a_m);
            v[0] -= p0 * (1.0 - ltot) / n;
            for c2 in 0..k {
                let delta = if c == c2 { 1.0 } else { 0.0 };
                v[c2 + 1] += p0 * (delta - lam[c2]) / n;
            }
            add_outer(c_dep, v, dk[c], s);
        }
        add_outer(c_dep, a_new, cens, s);
        n_r -= dtot + cens;
        std::mem::swap(&mut a, &mut a_new);
        // Estimates.
        for c in 0..k {
            p[c + 1] += p0 * lam[c];
        }
        p[0] = p0 * (1.0 - ltot);
        if p[0] < 1e-15 {
            p[0] = 0.0;
        }
        out.in_post.push(p[0]);
        let var0 = c_dep[0] + n_r * a[0] * a[0];
        out.in_post_std_err.push(var0.max(0.0));
        for c in 0..k {
            let var = c_dep[(c + 1) * s + (c + 1)] + n_r * a[c + 1] * a[c + 1];
            out.incidence[c].push(p[c + 1]);
            out.std_err[c].push(var.max(0.0));
        }
    }
    out.in_post_std_err
        .par_chunks_mut(POINT_BLOCK)
        .for_each(|b| b.iter_mut().for_each(|x| *x = x.sqrt()));
    for c in 0..k {
        // Standard errors from the variances, and relative ones for the limits.
        let mut sigma = vec![0.0; m];
        out.std_err[c]
            .par_chunks_mut(POINT_BLOCK)
            .zip(sigma.par_chunks_mut(POINT_BLOCK))
            .zip(out.incidence[c].par_chunks(POINT_BLOCK))
            .for_each(|((se, sigma), f)| {
                for ((se, sigma), &f) in se.iter_mut().zip(sigma).zip(f) {
                    *se = se.sqrt();
                    *sigma = if f > 0.0 { *se / f } else { 0.0 };
                }
            });
        let (lower, upper) = limits(&out.incidence[c], &sigma, ConfType::Log, z);
        out.lower.push(lower);
        out.upper.push(upper);
    }
    out.time = rt.time;
    out.at_risk = rt.at_risk;
    out.events = rt.events_by_cause;
    out.events.resize(k, Vec::new());
    out
}

fn add_outer(m: &mut [f64], v: &[f64], weight: f64, s: usize) {
    if weight == 0.0 {
        return;
    }
    for r in 0..s {
        for c in 0..s {
            m[r * s + c] += weight * v[r] * v[c];
        }
    }
}

/// Gray's test for one cause.
#[derive(Debug, Clone, PartialEq)]
pub struct GrayTest {
    /// Chi-squared statistic.
    pub statistic: f64,
    /// Degrees of freedom (groups − 1).
    pub df: usize,
    /// P-value.
    pub p_value: f64,
}

/// Running state of one group during Gray's test.
#[derive(Debug, Clone, Copy, Default)]
struct GroupState {
    at_risk: f64,
    surv_left: f64,
    surv: f64,
    inc_left: f64,
}

/// Most groups Gray's test compares: each exit time updates its k × k tables and a
/// (k − 1)² variance from every group (k³ work), so 200 groups already mean 8 million
/// operations per exit time.
pub const MAX_GRAY_GROUPS: usize = 200;

/// Distinct times between checks of the control in [`gray_test_with`].
const GRAY_CHECK_EVERY: usize = 256;

/// Gray's k-sample test that the cumulative incidence of `cause` is the same in
/// `n_groups` groups (`status` 0 = censored, any other value = an exit of that cause),
/// stratified by `strata`, with weight (1 − F(t−))^rho on the pooled incidence F (R's
/// `cmprsk::cuminc` uses rho = 0).
///
/// For each group the score compares its exits from `cause` with those expected from
/// the pooled subdistribution hazard given the group's subdistribution risk set
/// n_g (1 − F_g(t−)) / S_g(t−); the variance is Gray's estimator, which adds the
/// variability of the group's incidence and all-cause survival estimates through
/// their influence on the risk sets. Summed over strata; statistic sᵀ V⁻¹ s on the first
/// k − 1 groups with k − 1 degrees of freedom.
///
/// Reference: Gray RJ (1988) A class of K-sample tests for comparing the cumulative
/// incidence of a competing risk. Annals of Statistics 16:1141-1154.
#[allow(clippy::too_many_arguments)]
pub fn gray_test(
    time: &[f64],
    status: &[u32],
    group: &[u32],
    n_groups: usize,
    strata: Option<(&[u32], usize)>,
    cause: u32,
    rho: f64,
) -> Result<GrayTest> {
    gray_test_with(
        time,
        status,
        group,
        n_groups,
        strata,
        cause,
        rho,
        &Control::default(),
    )
}

/// [`gray_test`], checking `control` in each stratum every [`GRAY_CHECK_EVERY`]
/// distinct times: once it is cancelled the test stops with [`Error::Interrupted`].
#[allow(clippy::too_many_arguments)]
pub fn gray_test_with(
    time: &[f64],
    status: &[u32],
    group: &[u32],
    n_groups: usize,
    strata: Option<(&[u32], usize)>,
    cause: u32,
    rho: f64,
    control: &Control,
) -> Result<GrayTest> {
    let n = time.len();
    validate::same_len(n, status.len(), "duration", "cause")?;
    validate::same_len(n, group.len(), "duration", "group")?;
    validate::non_negative(time, "duration")?;
    if n_groups < 2 {
        return Err(Error::input("by", "Gray's test needs at least two groups"));
    }
    if let Some(i) = group.iter().position(|&g| g as usize >= n_groups) {
        return Err(Error::input_at(
            "by",
            i,
            format!("group code {} is not below {n_groups}", group[i]),
        ));
    }
    let scodes = match strata {
        Some((s, k)) => {
            check_strata(s, n, k)?;
            Some(s)
        }
        None => None,
    };
    let g = n_groups;
    check_group_count(g, MAX_GRAY_GROUPS, "Gray's test")?;
    let m = g - 1;
    let mut score = vec![0.0; m];
    let mut var = vec![0.0; m * m];
    let (order, runs) = stratum_runs(time, scodes);
    for &(from, to) in &runs {
        let idx = &order[from..to];
        let mut st = vec![
            GroupState {
                surv_left: 1.0,
                surv: 1.0,
                ..Default::default()
            };
            g
        ];
        for &i in idx {
            st[group[i] as usize].at_risk += 1.0;
        }
        let mut c = vec![0.0; g * g];
        let mut a = vec![0.0; g * g];
        let mut v2 = vec![0.0; m * g];
        let mut v3 = vec![0.0; g];
        let (mut pooled_left, mut pooled) = (0.0_f64, 0.0_f64);
        let mut p = 0;
        let mut times = 0usize;
        while p < idx.len() {
            if times % GRAY_CHECK_EVERY == 0 {
                control.check()?;
            }
            times += 1;
            let t = time[idx[p]];
            let mut q = p;
            let mut d1 = vec![0.0; g];
            let mut d2 = vec![0.0; g];
            while q < idx.len() && time[idx[q]] == t {
                let i = idx[q];
                let k = group[i] as usize;
                if status[i] == cause {
                    d1[k] += 1.0;
                } else if status[i] != 0 {
                    d2[k] += 1.0;
                }
                q += 1;
            }
            let (nd1, nd2): (f64, f64) = (d1.iter().sum(), d2.iter().sum());
            if nd1 > 0.0 || nd2 > 0.0 {
                let mut inc_right = vec![0.0; g];
                let (mut h, mut r_sub) = (0.0, 0.0);
                for k in 0..g {
                    let x = &mut st[k];
                    if x.at_risk <= 0.0 {
                        inc_right[k] = x.inc_left;
                        continue;
                    }
                    x.surv = x.surv_left * (x.at_risk - d1[k] - d2[k]) / x.at_risk;
                    inc_right[k] = x.inc_left + x.surv_left * d1[k] / x.at_risk;
                    h += x.at_risk / x.surv_left;
                    r_sub += x.at_risk * (1.0 - x.inc_left) / x.surv_left;
                }
                pooled = pooled_left + nd1 / h;
                let w = (1.0 - pooled_left).powf(rho);
                for i in 0..g {
                    for j in 0..g {
                        a[i * g + j] = 0.0;
                    }
                }
                for i in 0..g {
                    if st[i].at_risk <= 0.0 {
                        continue;
                    }
                    let ti = st[i].at_risk / st[i].surv_left;
                    for j in i..g {
                        if st[j].at_risk <= 0.0 {
                            continue;
                        }
                        let aij = if i == j {
                            w * ti * (1.0 - ti / h)
                        } else {
                            -w * ti * st[j].at_risk / (st[j].surv_left * h)
                        };
                        a[i * g + j] = aij;
                        a[j * g + i] = aij;
                        c[i * g + j] += aij * nd1 / (h * (1.0 - pooled_left));
                        if i != j {
                            c[j * g + i] = c[i * g + j];
                        }
                    }
                }
                for i in 0..m {
                    let x = st[i];
                    if x.at_risk > 0.0 {
                        score[i] += w
                            * (d1[i]
                                - nd1 * x.at_risk * (1.0 - x.inc_left) / (x.surv_left * r_sub));
                    }
                }
                if nd1 > 0.0 {
                    for k in 0..g {
                        let x = st[k];
                        if x.at_risk <= 0.0 {
                            continue;
                        }
                        let t4 = if x.surv > 0.0 {
                            1.0 - (1.0 - pooled) / x.surv
                        } else {
                            1.0
                        };
                        let t5 = if nd1 > 1.0 {
                            1.0 - (nd1 - 1.0) / (h * x.surv_left - 1.0)
                        } else {
                            1.0
                        };
                        let t3 = t5 * x.surv_left * nd1 / (h * x.at_risk);
                        v3[k] += t4 * t4 * t3;
                        for i in 0..m {
                            let bi = a[i * g + k] - t4 * c[i * g + k];
                            v2[i * g + k] += bi * t4 * t3;
                            for j in 0..=i {
                                let bj = a[j * g + k] - t4 * c[j * g + k];
                                var[i * m + j] += bi * bj * t3;
                            }
                        }
                    }
                }
                if nd2 > 0.0 {
                    for k in 0..g {
                        let x = st[k];
                        if x.surv <= 0.0 || d2[k] <= 0.0 {
                            continue;
                        }
                        let t4 = (1.0 - pooled) / x.surv;
                        let t5 = if d2[k] > 1.0 {
                            1.0 - (d2[k] - 1.0) / (x.at_risk - 1.0)
                        } else {
                            1.0
                        };
                        let t3 = t5 * x.surv_left * x.surv_left * d2[k] / (x.at_risk * x.at_risk);
                        v3[k] += t4 * t4 * t3;
                        for i in 0..m {
                            let bi = t4 * c[i * g + k];
                            v2[i * g + k] -= bi * t4 * t3;
                            for j in 0..=i {
                                let bj = t4 * c[j * g + k];
                                var[i * m + j] += bi * bj * t3;
                            }
                        }
                    }
                }
                for k in 0..g {
                    st[k].inc_left = inc_right[k];
                }
            }
            // Everyone at this time leaves the risk sets.
            for &i in &idx[p..q] {
                st[group[i] as usize].at_risk -= 1.0;
            }
            pooled_left = pooled;
            for x in &mut st {
                x.surv_left = x.surv;
            }
            p = q;
        }
        for i in 0..m {
            for j in 0..=i {
                for k in 0..g {
                    var[i * m + j] += c[i * g + k] * c[j * g + k] * v3[k]
                        + c[i * g + k] * v2[j * g + k]
                        + c[j * g + k] * v2[i * g + k];
                }
            }
        }
    }
    for i in 0..m {
        for j in 0..i {
            var[j * m + i] = var[i * m + j];
        }
    }
    let statistic = crate::linalg::quadratic_form_ginv(&var, &score, m);
    Ok(GrayTest {
        statistic,
        df: m,
        p_value: crate::special::chisq_sf(statistic, m as f64),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: [f64; 8] = [1.0, 2.0, 3.0, 4.0, 1.5, 2.5, 3.5, 4.5];
    const STATUS: [u32; 8] = [1, 2, 1, 0, 1, 1, 2, 0];
    const GROUP: [u32; 8] = [0, 0, 0, 0, 1, 1, 1, 1];

    /// The fixed-size passes (one to three causes) give the general pass's curves bit
    /// for bit, ties of causes and censorings included.
    #[test]
    fn fixed_size_and_vector_passes_agree_bit_for_bit() {
        let t = [1.0, 2.0, 2.0, 3.0, 4.0, 1.5, 2.5, 2.5, 3.5, 4.5, 5.0, 0.5];
        let status = [1u32, 2, 3, 1, 0, 1, 3, 2, 2, 0, 1, 3];
        for k in 1..=3u32 {
            let st: Vec<u32> = status.iter().map(|&c| if c > k { 0 } else { c }).collect();
            let d = SurvData::new(&t, &st, None, None, k).unwrap();
            let rt = risk_table(&d, k as usize);
            let n = k as usize;
            let fixed = match k {
                1 => aalen_johansen::<[f64; 1], [f64; 2], [f64; 4]>(rt.clone(), n, 0.9),
                2 => aalen_johansen::<[f64; 2], [f64; 3], [f64; 9]>(rt.clone(), n, 0.9),
                _ => aalen_johansen::<[f64; 3], [f64; 4], [f64; 16]>(rt.clone(), n, 0.9),
            };
            let general = aalen_johansen::<Vec<f64>, Vec<f64>, Vec<f64>>(rt, n, 0.9);
            let bits = |c: &CumulativeIncidence| -> Vec<u64> {
                let mut all = c.in_post.clone();
                all.extend(&c.in_post_std_err);
                for v in [&c.incidence, &c.std_err, &c.lower, &c.upper] {
                    v.iter().for_each(|x| all.extend(x));
                }
                all.iter().map(|x| x.to_bits()).collect()
            };
            assert_eq!(bits(&fixed), bits(&general), "{k} causes");
            assert!(fixed.incidence.iter().all(|f| f.iter().any(|&x| x > 0.0)));
        }
    }

    /// The counted curves equal those of `cumulative_incidence` on each group's rows,
    /// for whole, rounded and continuous durations and any number of threads; a cause
    /// or group code out of range is left to the general path.
    #[test]
    fn counted_curves_equal_the_general_ones() {
        let n = 150_000;
        let mut x = 0x2545_F491_4F6C_DD1D_u64;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let mut cont = Vec::with_capacity(n);
        let (mut cause, mut group) = (Vec::with_capacity(n), Vec::with_capacity(n));
        for _ in 0..n {
            let u = (next() >> 11) as f64 / (1u64 << 53) as f64;
            cont.push(-8.0 * (1.0 - u).ln());
            cause.push((next() % 4) as u32); // 0 censored, causes 1..=3
            group.push((next() % 3) as u32);
        }
        let whole: Vec<f64> = cont.iter().map(|v| (v * 365.25).round()).collect();
        let rounded: Vec<f64> = cont.iter().map(|v| (v * 100.0).round() / 100.0).collect();
        for time in [&whole, &rounded, &cont] {
            let want: Vec<CumulativeIncidence> = (0..3)
                .map(|g| {
                    let rows: Vec<usize> = (0..n).filter(|&i| group[i] == g).collect();
                    let d = SurvData::new(time, &cause, None, None, 3)
                        .unwrap()
                        .subset(&rows);
                    cumulative_incidence(&d, 3, 0.9).unwrap()
                })
                .collect();
            for threads in [1, 2, 3] {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .unwrap();
                let got = pool
                    .install(|| cumulative_incidence_counted(time, &cause, &group, 3, 3, 0.9))
                    .unwrap()
                    .unwrap();
                // Compared as printed: the limits are NaN where an incidence is 0.
                assert_eq!(format!("{got:?}"), format!("{want:?}"), "{threads} threads");
            }
        }
        let mut bad = cause.clone();
        bad[77] = 4;
        let r = cumulative_incidence_counted(&cont, &bad, &group, 3, 3, 0.9).unwrap();
        assert!(r.is_none());
        let mut t = cont.clone();
        t[5] = f64::NAN;
        let r = cumulative_incidence_counted(&t, &cause, &group, 3, 3, 0.9).unwrap();
        assert!(r.is_none());
    }

    #[test]
    fn stratum_codes_out_of_range_are_input_errors() {
        // A stratum code at or above n_strata used to drop its rows silently.
        let s = [0, 0, 1, 1, 0, 0, 1, 2];
        let err = gray_test(&T, &STATUS, &GROUP, 2, Some((&s, 2)), 1, 0.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "column 'strata', row 7: stratum code 2 is not below 2"
        );
        // With every code in range the strata are summed.
        let s = [0, 0, 1, 1, 0, 0, 1, 1];
        let r = gray_test(&T, &STATUS, &GROUP, 2, Some((&s, 2)), 1, 0.0).unwrap();
        assert!(r.statistic.is_finite() && r.df == 1);
    }

    #[test]
    fn too_many_groups_are_refused_before_allocating() {
        // (k x k tables: 1e6 groups would have been 8 TB.)
        let err = gray_test(&T, &STATUS, &GROUP, 1_000_000, None, 1, 0.0).unwrap_err();
        assert!(err.to_string().contains("at most 200"), "{err}");
    }

    #[test]
    fn one_stratum_equals_no_strata() {
        let a = gray_test(&T, &STATUS, &GROUP, 2, None, 1, 0.0).unwrap();
        let b = gray_test(&T, &STATUS, &GROUP, 2, Some((&[0; 8], 1)), 1, 0.0).unwrap();
        assert_eq!(a, b);
    }
}
