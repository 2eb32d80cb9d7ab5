//! Competing exit reasons: Aalen-Johansen cumulative incidence with
//! infinitesimal-jackknife standard errors (as R's `survfit` reports them for a
//! multi-state status).

use super::kaplan_meier::{confidence_limits, ConfType};
use super::{risk_table, SurvData};
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
    let k = n_causes;
    let s = k + 1; // state 0 = in post, k = exited by cause k
    let rt = risk_table(d, k);
    let z = qnorm(1.0 - (1.0 - level) / 2.0);
    let mut out = CumulativeIncidence {
        events: vec![Vec::new(); k],
        incidence: vec![Vec::new(); k],
        std_err: vec![Vec::new(); k],
        lower: vec![Vec::new(); k],
        upper: vec![Vec::new(); k],
        ..Default::default()
    };
    let mut p = vec![0.0; s];
    p[0] = 1.0;
    let mut a = vec![0.0; s]; // common influence of the at-risk observations
    let mut c_dep = vec![0.0; s * s]; // Σ U Uᵀ over departed observations
    let mut n_r: f64 = d.weight.iter().sum();
    for j in 0..rt.time.len() {
        let n = rt.at_risk[j];
        let dk: Vec<f64> = (0..k).map(|c| rt.events_by_cause[c][j]).collect();
        let dtot: f64 = dk.iter().sum();
        let cens = rt.censored[j];
        let lam: Vec<f64> = dk.iter().map(|x| x / n).collect();
        let ltot: f64 = lam.iter().sum();
        let p0 = p[0];
        // Linear map M (row-vector convention): u0' = u0 (1 − λ), uk' = uk + u0 λk.
        let apply = |u: &[f64]| -> Vec<f64> {
            let mut v = u.to_vec();
            v[0] = u[0] * (1.0 - ltot);
            for c in 0..k {
                v[c + 1] = u[c + 1] + u[0] * lam[c];
            }
            v
        };
        let a_m = apply(&a);
        // At risk, no exit at t_j: ∂λ_c = −λ_c / n.
        let mut a_new = a_m.clone();
        a_new[0] += p0 * ltot / n;
        for c in 0..k {
            a_new[c + 1] -= p0 * lam[c] / n;
        }
        // C_dep <- Mᵀ C_dep M.
        if dtot > 0.0 {
            let mut rows = vec![0.0; s * s];
            for r in 0..s {
                let row = apply(&c_dep[r * s..(r + 1) * s]);
                rows[r * s..(r + 1) * s].copy_from_slice(&row);
            }
            for col in 0..s {
                let column: Vec<f64> = (0..s).map(|r| rows[r * s + col]).collect();
                let m = apply(&column);
                for r in 0..s {
                    c_dep[r * s + col] = m[r];
                }
            }
        }
        // Observations exiting by cause c: ∂λ_c' = (δ_cc' − λ_c') / n.
        for c in 0..k {
            if dk[c] == 0.0 {
                continue;
            }
            let mut v = a_m.clone();
            v[0] -= p0 * (1.0 - ltot) / n;
            for c2 in 0..k {
                let delta = if c == c2 { 1.0 } else { 0.0 };
                v[c2 + 1] += p0 * (delta - lam[c2]) / n;
            }
            add_outer(&mut c_dep, &v, dk[c], s);
        }
        add_outer(&mut c_dep, &a_new, cens, s);
        n_r -= dtot + cens;
        a = a_new;
        // Estimates.
        for c in 0..k {
            p[c + 1] += p0 * lam[c];
        }
        p[0] = p0 * (1.0 - ltot);
        if p[0] < 1e-15 {
            p[0] = 0.0;
        }
        out.time.push(rt.time[j]);
        out.at_risk.push(n);
        out.in_post.push(p[0]);
        let var0 = c_dep[0] + n_r * a[0] * a[0];
        out.in_post_std_err.push(var0.max(0.0).sqrt());
        for c in 0..k {
            let var = c_dep[(c + 1) * s + (c + 1)] + n_r * a[c + 1] * a[c + 1];
            let se = var.max(0.0).sqrt();
            let f = p[c + 1];
            let sigma = if f > 0.0 { se / f } else { 0.0 };
            let (lo, hi) = confidence_limits(f, sigma, ConfType::Log, z);
            out.events[c].push(dk[c]);
            out.incidence[c].push(f);
            out.std_err[c].push(se);
            out.lower[c].push(lo);
            out.upper[c].push(hi);
        }
    }
    Ok(out)
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
