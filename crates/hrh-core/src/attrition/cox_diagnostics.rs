//! Diagnostics of a fitted Cox model: residuals (martingale, deviance, score,
//! Schoenfeld, dfbeta, dfbetas) and the test of proportional hazards on Schoenfeld
//! residuals, following R's `residuals.coxph` and `cox.zph` (survival >= 3.0).

use super::cox::{mart_score_residuals, prepare_with, sweep, CoxData, CoxTies};
use crate::control::Control;
use crate::error::{Error, Result};
use crate::linalg::ldl;
use crate::special::chisq_sf;

/// Kinds of residuals, as R's `residuals.coxph(type = ...)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CoxResidualType {
    /// M_i = δ_i − e^{η_i} ∫ Y_i dΛ̂ (one per row).
    Martingale,
    /// sign(M_i) √(−2 (M_i + δ_i log(δ_i − M_i))) (one per row).
    Deviance,
    /// ∫ (x_i − x̄(t)) dM_i(t) (one row per row, one column per coefficient).
    Score,
    /// x_i − x̄(t_i) at each exit (one row per exit, one column per coefficient).
    Schoenfeld,
    /// Approximate change in β̂ when row i is left out: w_i r_i V (score residuals r,
    /// model-based variance V).
    Dfbeta,
    /// dfbeta scaled by the model-based standard errors.
    Dfbetas,
}

/// Residuals of a Cox model.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CoxResiduals {
    /// The data row of each residual row.
    pub row: Vec<usize>,
    /// The exit time of each row (Schoenfeld residuals only; empty otherwise).
    pub time: Vec<f64>,
    /// Values, row-major rows × `columns`.
    pub values: Vec<f64>,
    /// 1 for martingale and deviance residuals, else the number of coefficients.
    pub columns: usize,
}

fn check_beta(beta: &[f64], p: usize) -> Result<()> {
    if beta.len() != p {
        return Err(Error::input(
            "coef",
            format!("has {} values for {p} covariates", beta.len()),
        ));
    }
    if let Some(j) = beta.iter().position(|b| !b.is_finite()) {
        return Err(Error::input_at(
            "coef",
            j,
            format!("value {} is not a finite number", beta[j]),
        ));
    }
    Ok(())
}

/// Residuals of the Cox model fitted to `d` at coefficients `beta` (the fit's), with
/// `var_model` its model-based variance (row-major p × p; used by dfbeta and dfbetas),
/// as R's `residuals.coxph` with its defaults: martingale, deviance, score and
/// Schoenfeld residuals unweighted, dfbeta and dfbetas multiplied by the case weight;
/// Efron's correction at tied exits as in the fit (tied exits share the mean
/// covariate x̄(t) averaged over the steps of the correction; in the martingale and
/// score residuals an exit at step l carries the share 1 − l/m of the hazard
/// increment). Schoenfeld residuals come one row per exit, ordered by stratum, time
/// and row; all others one row per data row, in order. Rows are at risk on (entry, time],
/// so several (start, stop] rows of a person carry time-varying covariates.
///
/// References: Therneau TM, Grambsch PM, Fleming TR (1990) Martingale-based residuals
/// for survival models. Biometrika 77:147-160; Schoenfeld D (1982) Partial residuals
/// for the proportional hazards regression model. Biometrika 69:239-241; Therneau TM,
/// Grambsch PM (2000) Modeling Survival Data: Extending the Cox Model, ch. 4 and 7.
pub fn residuals(
    d: &CoxData,
    beta: &[f64],
    var_model: &[f64],
    ties: CoxTies,
    kind: CoxResidualType,
) -> Result<CoxResiduals> {
    residuals_with(d, beta, var_model, ties, kind, &Control::default())
}

/// [`residuals`], checking `control` every [`crate::control::CHECK_ROWS`] rows of each
/// pass over the data: once it is cancelled the computation stops with
/// [`Error::Interrupted`].
pub fn residuals_with(
    d: &CoxData,
    beta: &[f64],
    var_model: &[f64],
    ties: CoxTies,
    kind: CoxResidualType,
    control: &Control,
) -> Result<CoxResiduals> {
    let pr = prepare_with(d, control)?;
    let (n, p) = (pr.n, pr.p);
    check_beta(beta, p)?;
    if matches!(kind, CoxResidualType::Dfbeta | CoxResidualType::Dfbetas)
        && var_model.len() != p * p
    {
        return Err(Error::input(
            "var_model",
            format!("has {} values, expected {p} × {p}", var_model.len()),
        ));
    }
    let mut out = CoxResiduals {
        columns: p,
        ..Default::default()
    };
    match kind {
        CoxResidualType::Martingale | CoxResidualType::Deviance => {
            let (mart, _) = mart_score_residuals(d, &pr, beta, ties, control)?;
            out.columns = 1;
            out.row = (0..n).collect();
            out.values = if kind == CoxResidualType::Martingale {
                mart
            } else {
                mart.iter()
                    .zip(d.event)
                    .map(|(&m, &e)| {
                        let s = f64::from(e);
                        let inner = if e == 0 { m } else { m + s * (s - m).ln() };
                        m.signum() * (-2.0 * inner).max(0.0).sqrt()
                    })
                    .collect()
            };
        }
        CoxResidualType::Score | CoxResidualType::Dfbeta | CoxResidualType::Dfbetas => {
            let (_, score) = mart_score_residuals(d, &pr, beta, ties, control)?;
            out.row = (0..n).collect();
            out.values = if kind == CoxResidualType::Score {
                score
            } else {
                let mut v = vec![0.0; n * p];
                let scale: Vec<f64> = (0..p)
                    .map(|j| {
                        if kind == CoxResidualType::Dfbetas {
                            1.0 / var_model[j * p + j].sqrt()
                        } else {
                            1.0
                        }
                    })
                    .collect();
                for i in 0..n {
                    control.check_row(i)?;
                    for c in 0..p {
                        let acc: f64 = (0..p)
                            .map(|k| score[i * p + k] * var_model[k * p + c])
                            .sum();
                        v[i * p + c] = acc * scale[c] * pr.w[i];
                    }
                }
                v
            };
        }
        CoxResidualType::Schoenfeld => {
            let eta = pr.eta(beta);
            let risk: Vec<f64> = (0..n).map(|i| pr.w[i] * eta[i].exp()).collect();
            for s in 0..pr.by_time.len() {
                for st in sweep(&pr, &risk, ties, s, false, control)? {
                    for &i in &st.dead {
                        out.row.push(i);
                        out.time.push(st.t);
                        for c in 0..p {
                            out.values.push(pr.xc[i * p + c] - st.xbar[c]);
                        }
                    }
                }
            }
        }
    }
    Ok(out)
}

/// Time scale of the proportional-hazards test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ZphTransform {
    /// 1 − KM(t−), the left-continuous Kaplan-Meier of all rows (R's default).
    Km,
    /// Rank of the time among all rows' times (ties averaged).
    Rank,
    /// The time itself.
    Identity,
    /// Its logarithm (times must be > 0).
    Log,
}

/// The test of proportional hazards.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CoxZph {
    /// Chi-square of each term, then the global test.
    pub chisq: Vec<f64>,
    /// Degrees of freedom of each, as `chisq`.
    pub df: Vec<usize>,
    /// P-values, as `chisq`.
    pub p_value: Vec<f64>,
    /// Data row of each exit (ordered by stratum, time and row).
    pub row: Vec<usize>,
    /// Exit time of each exit.
    pub time: Vec<f64>,
    /// Transformed time g(t) of each exit.
    pub x: Vec<f64>,
    /// Scaled Schoenfeld residuals, row-major exits × terms; NaN where a term is
    /// constant within the exit's stratum (R's NA).
    pub scaled: Vec<f64>,
    /// Number of terms.
    pub n_terms: usize,
}

/// Transformed exit times g(t) of every row.
fn transform_times(d: &CoxData, transform: ZphTransform) -> Result<Vec<f64>> {
    let n = d.time.len();
    Ok(match transform {
        ZphTransform::Identity => d.time.to_vec(),
        ZphTransform::Log => {
            if let Some(i) = (0..n).find(|&i| d.event[i] == 1 && d.time[i] <= 0.0) {
                return Err(Error::input_at(
                    "duration",
                    i,
                    format!(
                        "exit time {} is not positive, so transform 'log' is undefined; use 'km' or 'rank'",
                        d.time[i]
                    ),
                ));
            }
            d.time.iter().map(|t| t.ln()).collect()
        }
        ZphTransform::Rank => {
            let mut idx: Vec<usize> = (0..n).collect();
            idx.sort_by(|&a, &b| d.time[a].total_cmp(&d.time[b]));
            let mut r = vec![0.0; n];
            let mut k = 0;
            while k < n {
                let mut e = k;
                while e < n && d.time[idx[e]] == d.time[idx[k]] {
                    e += 1;
                }
                // Ranks k+1 ..= e share their mean.
                let mean = (k + 1 + e) as f64 / 2.0;
                for &i in &idx[k..e] {
                    r[i] = mean;
                }
                k = e;
            }
            r
        }
        ZphTransform::Km => {
            // Unweighted Kaplan-Meier of all rows pooled, at risk on (entry, time].
            let mut exits: Vec<f64> = (0..n)
                .filter(|&i| d.event[i] == 1)
                .map(|i| d.time[i])
                .collect();
            exits.sort_by(f64::total_cmp);
            let mut stops = d.time.to_vec();
            stops.sort_by(f64::total_cmp);
            let starts = d.entry.map(|e| {
                let mut s = e.to_vec();
                s.sort_by(f64::total_cmp);
                s
            });
            // S(t−) at each distinct exit time.
            let mut km_t: Vec<f64> = Vec::new();
            let mut km_before: Vec<f64> = Vec::new();
            let mut surv = 1.0;
            let mut k = 0;
            while k < exits.len() {
                let t = exits[k];
                let mut e = k;
                while e < exits.len() && exits[e] == t {
                    e += 1;
                }
                let at_risk_stop = (n - stops.partition_point(|&x| x < t)) as f64;
                let not_entered = starts
                    .as_ref()
                    .map_or(0.0, |s| (n - s.partition_point(|&x| x < t)) as f64);
                let nr = at_risk_stop - not_entered;
                km_t.push(t);
                km_before.push(surv);
                surv *= 1.0 - (e - k) as f64 / nr;
                k = e;
            }
            d.time
                .iter()
                .map(|&t| {
                    let k = km_t.partition_point(|&x| x < t);
                    // S(t−): the survival after the last exit time before t.
                    let s = if k < km_t.len() { km_before[k] } else { surv };
                    1.0 - s
                })
                .collect()
        }
    })
}

/// Test of proportional hazards (Grambsch and Therneau 1994) as R's `cox.zph` with
/// survival >= 3.0: for each term j (a group of coefficients, `assign[c]` naming the
/// term of coefficient c) the score test of γ_j = 0 in the model with coefficients
/// β + γ g(t), at the fitted β̂ and γ = 0, using the full information matrix of
/// (β, γ):
///
///   U_γ = Σ_exits g(t) Σ_{i exits at t} w_i (x_i − x̄(t)),  x̄(t) = mean_l a1_l / a0_l,
///   I = Σ_t [I_t, g I_t; g I_t, g² I_t],  I_t = Σ_l w̄ (a2_l/a0_l − a1_l a1_lᵀ/a0_l²),
///
/// chisq_j = (0, U_γj)ᵀ I_(β,γj)⁻¹ (0, U_γj) with df the term's size, and the global
/// test over all γ with df p. g is the transformed time minus its mean over the exits.
/// Scaled Schoenfeld residuals: r* = V̄⁻¹ r + β̂, V̄ = I_ββ / (number of exits) (per
/// stratum, over the covariates that vary within it); a term of several columns is
/// reduced to one, rβ̂ / (β̂ᵀ V̄ β̂) + 1, as R does.
///
/// References: Grambsch PM, Therneau TM (1994) Proportional hazards tests and
/// diagnostics based on weighted residuals. Biometrika 81:515-526; Therneau TM,
/// Grambsch PM (2000) Modeling Survival Data, ch. 6.
pub fn zph(
    d: &CoxData,
    beta: &[f64],
    ties: CoxTies,
    transform: ZphTransform,
    assign: &[usize],
) -> Result<CoxZph> {
    zph_with(d, beta, ties, transform, assign, &Control::default())
}

/// [`zph`], checking `control` every [`crate::control::CHECK_ROWS`] rows of each pass
/// over the data: once it is cancelled the test stops with [`Error::Interrupted`].
pub fn zph_with(
    d: &CoxData,
    beta: &[f64],
    ties: CoxTies,
    transform: ZphTransform,
    assign: &[usize],
    control: &Control,
) -> Result<CoxZph> {
    let pr = prepare_with(d, control)?;
    let (n, p) = (pr.n, pr.p);
    check_beta(beta, p)?;
    if assign.len() != p {
        return Err(Error::input(
            "assign",
            format!("has {} values for {p} coefficients", assign.len()),
        ));
    }
    let n_terms = assign.iter().map(|&a| a + 1).max().unwrap_or(0);
    if n_terms > p || (0..n_terms).any(|t| !assign.contains(&t)) {
        return Err(Error::input(
            "assign",
            "term codes must be 0, 1, ... with every term present",
        ));
    }
    let terms: Vec<Vec<usize>> = (0..n_terms)
        .map(|t| (0..p).filter(|&c| assign[c] == t).collect())
        .collect();
    let tt = transform_times(d, transform)?;
    let n_events = (0..n).filter(|&i| d.event[i] == 1).count();
    let tmean = (0..n)
        .filter(|&i| d.event[i] == 1)
        .map(|i| tt[i])
        .sum::<f64>()
        / n_events as f64;
    let eta = pr.eta(beta);
    let risk: Vec<f64> = (0..n).map(|i| pr.w[i] * eta[i].exp()).collect();
    let q = 2 * p;
    let mut u = vec![0.0; p];
    let mut imat = vec![0.0; q * q];
    let mut out = CoxZph {
        n_terms,
        ..Default::default()
    };
    let mut schoen: Vec<f64> = Vec::new();
    let mut stratum_of: Vec<usize> = Vec::new();
    for s in 0..pr.by_time.len() {
        for st in sweep(&pr, &risk, ties, s, true, control)? {
            let g = tt[st.dead[0]] - tmean;
            // Σ_l w̄ a1_l / a0_l = W x̄(t), W the exits' weight.
            let wd: f64 = st.dead.iter().map(|&i| pr.w[i]).sum();
            for a in 0..p {
                let wx: f64 = st.dead.iter().map(|&i| pr.w[i] * pr.xc[i * p + a]).sum();
                u[a] += g * (wx - wd * st.xbar[a]);
                for c in 0..p {
                    let v = st.info[a * p + c];
                    imat[a * q + c] += v;
                    imat[a * q + p + c] += g * v;
                    imat[(p + a) * q + c] += g * v;
                    imat[(p + a) * q + p + c] += g * g * v;
                }
            }
            for &i in &st.dead {
                out.row.push(i);
                out.time.push(st.t);
                out.x.push(tt[i]);
                stratum_of.push(s);
                for c in 0..p {
                    schoen.push(pr.xc[i * p + c] - st.xbar[c]);
                }
            }
        }
    }
    // Score tests.
    let test = |cols: &[usize]| -> f64 {
        let kk: Vec<usize> = (0..p).chain(cols.iter().map(|&c| p + c)).collect();
        let m = kk.len();
        let mut sub = vec![0.0; m * m];
        for (a, &ka) in kk.iter().enumerate() {
            for (c, &kc) in kk.iter().enumerate() {
                sub[a * m + c] = imat[ka * q + kc];
            }
        }
        let mut uu = vec![0.0; m];
        for (a, &c) in cols.iter().enumerate() {
            uu[p + a] = u[c];
        }
        let x = ldl(&sub, m, 1e-12).solve(&uu);
        x.iter().zip(&uu).map(|(a, b)| a * b).sum()
    };
    for cols in &terms {
        let chisq = test(cols);
        out.chisq.push(chisq);
        out.df.push(cols.len());
        out.p_value.push(chisq_sf(chisq, cols.len() as f64));
    }
    let all: Vec<usize> = (0..p).collect();
    let chisq = test(&all);
    out.chisq.push(chisq);
    out.df.push(p);
    out.p_value.push(chisq_sf(chisq, p as f64));

    // Scaled residuals. used[s][c]: the exits of stratum s when covariate c varies
    // within it, else 0.
    let n_strata = pr.by_time.len();
    let mut used = vec![vec![0usize; p]; n_strata];
    for (s, rows) in pr.by_time.iter().enumerate() {
        let ev = rows.iter().filter(|&&i| d.event[i] == 1).count();
        if let Some(&r0) = rows.first() {
            for c in 0..p {
                if rows.iter().any(|&i| d.x[i * p + c] != d.x[r0 * p + c]) {
                    used[s][c] = ev;
                }
            }
        }
    }
    for cols in terms.iter().filter(|c| c.len() > 1) {
        for u_s in used.iter_mut() {
            if cols.iter().any(|&c| u_s[c] == 0) {
                let mx = cols.iter().map(|&c| u_s[c]).max().unwrap_or(0);
                for &c in cols {
                    u_s[c] = mx;
                }
            }
        }
    }
    let mut vmean = vec![0.0; p * p];
    for a in 0..p {
        for c in 0..p {
            let wt: usize = used.iter().map(|u_s| u_s[a].min(u_s[c])).sum();
            vmean[a * p + c] = imat[a * q + c] / if wt == 0 { 1.0 } else { wt as f64 };
        }
    }
    // Reduce to terms: temp (p × terms), 1 for a single column, β̂ for a group.
    let multi = terms.iter().any(|c| c.len() > 1);
    let nt = n_terms;
    let mut temp = vec![0.0; p * nt];
    for (t, cols) in terms.iter().enumerate() {
        for &c in cols {
            temp[c * nt + t] = if cols.len() == 1 { 1.0 } else { beta[c] };
        }
    }
    let ne = out.row.len();
    let (sres, vm, used_t): (Vec<f64>, Vec<f64>, Vec<Vec<usize>>) = if multi {
        let mut sr = vec![0.0; ne * nt];
        for r in 0..ne {
            for t in 0..nt {
                sr[r * nt + t] = (0..p).map(|c| schoen[r * p + c] * temp[c * nt + t]).sum();
            }
        }
        let mut vt = vec![0.0; nt * nt];
        for a in 0..nt {
            for b in 0..nt {
                let mut acc = 0.0;
                for k in 0..p {
                    for l in 0..p {
                        acc += temp[k * nt + a] * vmean[k * p + l] * temp[l * nt + b];
                    }
                }
                vt[a * nt + b] = acc;
            }
        }
        let ut = used
            .iter()
            .map(|u_s| terms.iter().map(|cols| u_s[cols[0]]).collect())
            .collect();
        (sr, vt, ut)
    } else {
        (schoen, vmean, used)
    };
    let mut scaled = vec![f64::NAN; ne * nt];
    for (s, u_s) in used_t.iter().enumerate() {
        let k: Vec<usize> = (0..nt).filter(|&t| u_s[t] > 0).collect();
        if k.is_empty() {
            continue;
        }
        let m = k.len();
        let mut sub = vec![0.0; m * m];
        for (a, &ka) in k.iter().enumerate() {
            for (b, &kb) in k.iter().enumerate() {
                sub[a * m + b] = vm[ka * nt + kb];
            }
        }
        let f = ldl(&sub, m, 1e-12);
        for r in (0..ne).filter(|&r| stratum_of[r] == s) {
            let rhs: Vec<f64> = k.iter().map(|&t| sres[r * nt + t]).collect();
            let sol = f.solve(&rhs);
            for (a, &t) in k.iter().enumerate() {
                scaled[r * nt + t] = sol[a];
            }
        }
    }
    for (t, cols) in terms.iter().enumerate() {
        let add = if cols.len() == 1 { beta[cols[0]] } else { 1.0 };
        for r in 0..ne {
            scaled[r * nt + t] += add;
        }
    }
    out.scaled = scaled;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attrition::cox::cox;

    fn data<'a>(
        time: &'a [f64],
        event: &'a [u32],
        x: &'a [f64],
        names: &'a [String],
    ) -> CoxData<'a> {
        CoxData {
            entry: None,
            time,
            event,
            x,
            p: 1,
            names,
            strata: None,
            weights: None,
            offset: None,
            cluster: None,
        }
    }

    const TIME: [f64; 10] = [5.0, 8.0, 2.0, 9.0, 4.0, 7.0, 3.0, 6.0, 4.0, 1.0];
    const EVENT: [u32; 10] = [1, 0, 1, 1, 1, 0, 1, 1, 1, 1];
    const X: [f64; 10] = [0.3, 1.2, 0.5, 0.1, 0.9, 0.4, 1.5, 0.7, 0.2, 1.1];

    #[test]
    fn martingale_residuals_sum_to_zero_and_schoenfeld_to_the_score() {
        let names = vec!["x".to_string()];
        let d = data(&TIME, &EVENT, &X, &names);
        for ties in [CoxTies::Efron, CoxTies::Breslow] {
            let fit = cox(&d, ties, 30, false).unwrap();
            let m = residuals(
                &d,
                &fit.coef,
                &fit.var_model,
                ties,
                CoxResidualType::Martingale,
            )
            .unwrap();
            assert!(m.values.iter().sum::<f64>().abs() < 1e-10);
            // At the estimate the score is zero: so are the sums of Schoenfeld and score
            // residuals.
            let s = residuals(
                &d,
                &fit.coef,
                &fit.var_model,
                ties,
                CoxResidualType::Schoenfeld,
            )
            .unwrap();
            assert_eq!(s.row.len(), 8);
            assert!(s.values.iter().sum::<f64>().abs() < 1e-8);
            let r = residuals(&d, &fit.coef, &fit.var_model, ties, CoxResidualType::Score).unwrap();
            assert!(r.values.iter().sum::<f64>().abs() < 1e-8);
            // Exits ordered by time, then row (rows 4 and 8 tie at t = 4).
            assert_eq!(s.row, vec![9, 2, 6, 4, 8, 0, 7, 3]);
        }
    }

    #[test]
    fn zph_rejects_log_of_zero_and_bad_assign() {
        let names = vec!["x".to_string()];
        let mut time = TIME;
        time[9] = 0.0;
        let d = data(&time, &EVENT, &X, &names);
        let fit = cox(&d, CoxTies::Efron, 30, false).unwrap();
        let e = zph(&d, &fit.coef, CoxTies::Efron, ZphTransform::Log, &[0]).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("column 'duration', row 9: exit time 0 is not positive"),
            "{e}"
        );
        let e = zph(&d, &fit.coef, CoxTies::Efron, ZphTransform::Km, &[1]).unwrap_err();
        assert!(e.to_string().contains("'assign'"), "{e}");
        let z = zph(&d, &fit.coef, CoxTies::Efron, ZphTransform::Rank, &[0]).unwrap();
        assert_eq!(z.chisq.len(), 2);
        // One term: its test is the global test.
        assert!((z.chisq[0] - z.chisq[1]).abs() < 1e-12);
    }

    #[test]
    fn constant_offset_changes_nothing_but_cluster_of_singletons_is_robust() {
        let names = vec!["x".to_string()];
        let d = data(&TIME, &EVENT, &X, &names);
        let base = cox(&d, CoxTies::Efron, 30, true).unwrap();
        let off = [2.5; 10];
        let shifted = cox(
            &CoxData {
                offset: Some(&off),
                ..d.clone()
            },
            CoxTies::Efron,
            30,
            false,
        )
        .unwrap();
        assert!((base.coef[0] - shifted.coef[0]).abs() < 1e-10);
        let ids: Vec<u32> = (0..10).collect();
        let clustered = cox(
            &CoxData {
                cluster: Some(&ids),
                ..d.clone()
            },
            CoxTies::Efron,
            30,
            false,
        )
        .unwrap();
        assert!(clustered.robust);
        assert!((clustered.se[0] - base.se[0]).abs() < 1e-12);
        // Pairs of rows as clusters change the robust variance.
        let pairs: Vec<u32> = (0..10).map(|i| i / 2).collect();
        let paired = cox(
            &CoxData {
                cluster: Some(&pairs),
                ..d.clone()
            },
            CoxTies::Efron,
            30,
            false,
        )
        .unwrap();
        assert!((paired.se[0] - base.se[0]).abs() > 1e-6);
        let bad = [0u32, 0, 0, 0, 0, 0, 0, 0, 0, 99];
        let e = cox(
            &CoxData {
                cluster: Some(&bad),
                ..d.clone()
            },
            CoxTies::Efron,
            30,
            false,
        )
        .unwrap_err();
        assert!(
            e.to_string()
                .starts_with("column 'cluster', row 9: cluster code 99 is not below"),
            "{e}"
        );
        let inf = [0.0, 0.0, f64::INFINITY, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0];
        let e = cox(
            &CoxData {
                offset: Some(&inf),
                ..d
            },
            CoxTies::Efron,
            30,
            false,
        )
        .unwrap_err();
        assert!(
            e.to_string()
                .starts_with("column 'offset', row 2: value inf is not a finite number"),
            "{e}"
        );
    }

    #[test]
    fn covariate_without_variation_in_any_risk_set_is_an_input_error() {
        // One exit, alone at risk: the partial likelihood says nothing about x (its
        // information is 0; this gave z = NaN).
        let names = vec!["x".to_string()];
        let time = [1.0, 1.0, 1.0, 1.0, 2.0];
        let event = [0, 0, 0, 0, 1];
        let x = [1.0, 1.0, 1.0, 1.0, 2.0];
        let e = cox(&data(&time, &event, &x, &names), CoxTies::Efron, 30, false).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("column 'x': does not vary among those at risk"),
            "{e}"
        );
    }

    #[test]
    fn predicted_survival_has_its_interval_around_it() {
        let names = vec!["x".to_string()];
        let d = data(&TIME, &EVENT, &X, &names);
        let fit = cox(&d, CoxTies::Efron, 30, false).unwrap();
        let p = crate::attrition::cox::predict_survival(
            &fit,
            &[0.5, 1.0],
            1,
            &[0, 0],
            None,
            &[0.5, 3.0, 6.0],
            0.95,
        )
        .unwrap();
        assert_eq!(p.survival.len(), 6);
        // Before the first exit: S = 1 with no uncertainty.
        for k in [0, 3] {
            assert_eq!(
                (p.survival[k], p.std_err[k], p.lower[k], p.upper[k]),
                (1.0, 0.0, 1.0, 1.0)
            );
        }
        for k in [1, 2, 4, 5] {
            assert!(p.lower[k] < p.survival[k] && p.survival[k] <= p.upper[k]);
            assert!(p.upper[k] <= 1.0 && p.std_err[k] > 0.0);
        }
        let e = crate::attrition::cox::predict_survival(&fit, &[0.5], 1, &[3], None, &[1.0], 0.95)
            .unwrap_err();
        assert!(e.to_string().contains("stratum code 3"), "{e}");
    }
}
