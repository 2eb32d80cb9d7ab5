//! Kaplan-Meier estimator with Greenwood variance, confidence intervals as R's
//! `survfit` computes them, quantiles (medians) and restricted mean survival time.

use rayon::prelude::*;

use super::{risk_table, RiskTable, SurvData};
use crate::error::{Error, Result};
use crate::special::qnorm;
use crate::validate;

/// Transformation under which the pointwise confidence interval is symmetric.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfType {
    /// log S ± z σ (R's default).
    Log,
    /// log(−log S) ± z σ / log S (lifelines' default).
    LogLog,
    /// S ± z S σ, clipped to [0, 1].
    Plain,
}

/// A Kaplan-Meier curve, one entry per distinct exit or censoring time.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct KaplanMeier {
    /// Distinct times.
    pub time: Vec<f64>,
    /// Weighted number at risk.
    pub at_risk: Vec<f64>,
    /// Weighted exits.
    pub events: Vec<f64>,
    /// Weighted censorings.
    pub censored: Vec<f64>,
    /// S(t).
    pub survival: Vec<f64>,
    /// Standard error of S(t) (survival scale): S(t) σ(t).
    pub std_err: Vec<f64>,
    /// Greenwood σ(t) = √(Σ d/(n(n − d))), the standard error of log S(t).
    pub sigma: Vec<f64>,
    /// Lower confidence limit (NaN where undefined, e.g. at S = 0).
    pub lower: Vec<f64>,
    /// Upper confidence limit.
    pub upper: Vec<f64>,
}

/// Pointwise confidence limits of survival `s` with log-scale standard error `sigma`,
/// exactly as R's `survfit` (`conf.lower = "usual"`).
pub fn confidence_limits(s: f64, sigma: f64, conf: ConfType, z: f64) -> (f64, f64) {
    match conf {
        ConfType::Log => {
            if s == 0.0 {
                (f64::NAN, f64::NAN)
            } else {
                // exp(log S ∓ zσ) as S / exp(zσ) and S exp(zσ): one exp, no log (the
                // same limits within an ulp or two).
                let f = (z * sigma).exp();
                (s / f, (s * f).min(1.0))
            }
        }
        ConfType::LogLog => {
            if s == 0.0 || s == 1.0 {
                (f64::NAN, f64::NAN)
            } else {
                let se2 = z * sigma / s.ln();
                let ll = (-s.ln()).ln();
                ((-(ll - se2).exp()).exp(), (-(ll + se2).exp()).exp())
            }
        }
        ConfType::Plain => {
            if s == 0.0 || !sigma.is_finite() {
                return (f64::NAN, f64::NAN);
            }
            let half = z * sigma * s;
            ((s - half).max(0.0), (s + half).min(1.0))
        }
    }
}

/// The Kaplan-Meier estimate S(t) = Π_{t_j <= t} (1 − d_j/n_j) with Greenwood's
/// variance and pointwise intervals at `level`. Exits are counted before censorings at
/// tied times; with delayed entry the risk set at t is {entry < t <= time}.
///
/// References: Kaplan EL, Meier P (1958) JASA 53:457-481; Greenwood M (1926) Reports
/// on Public Health and Medical Subjects 33; Therneau TM, Grambsch PM (2000) Modeling
/// Survival Data, Springer.
pub fn kaplan_meier(d: &SurvData, conf: ConfType, level: f64) -> Result<KaplanMeier> {
    from_risk_table(risk_table(d, 1), conf, level)
}

/// [`kaplan_meier`] from the risk table of the data (e.g. one that
/// [`tally::risk_tables`](super::tally::risk_tables) counted).
pub fn from_risk_table(rt: RiskTable, conf: ConfType, level: f64) -> Result<KaplanMeier> {
    validate::level(level)?;
    let m = rt.time.len();
    validate::same_len(m, rt.at_risk.len(), "time", "at_risk")?;
    validate::same_len(m, rt.events.len(), "time", "events")?;
    validate::same_len(m, rt.censored.len(), "time", "censored")?;
    let z = qnorm(1.0 - (1.0 - level) / 2.0);
    // The products and sums run in order (one pass; the only sequential work); the
    // square roots, standard errors and limits of each point follow in parallel.
    let (mut survival, mut variance) = (Vec::with_capacity(m), Vec::with_capacity(m));
    let (mut s, mut v) = (1.0, 0.0);
    for (&n, &e) in rt.at_risk.iter().zip(&rt.events) {
        if e > 0.0 {
            s *= 1.0 - e / n;
            v += if n > e {
                e / (n * (n - e))
            } else {
                f64::INFINITY
            };
        }
        // A fully emptied risk set gives exactly 0, not rounding noise.
        if s < 1e-15 {
            s = 0.0;
        }
        survival.push(s);
        variance.push(v);
    }
    let points = Points::of(&survival, variance, conf, z);
    Ok(KaplanMeier {
        time: rt.time,
        at_risk: rt.at_risk,
        events: rt.events,
        censored: rt.censored,
        survival,
        sigma: points.sigma,
        std_err: points.std_err,
        lower: points.lower,
        upper: points.upper,
    })
}

/// Points of a curve per parallel block when its columns are computed point by point
/// (each point on its own, so the same for any number of threads).
pub(crate) const POINT_BLOCK: usize = 1 << 13;

/// The columns of a curve computed point by point from its survival and Greenwood
/// variance.
struct Points {
    sigma: Vec<f64>,
    std_err: Vec<f64>,
    lower: Vec<f64>,
    upper: Vec<f64>,
}

impl Points {
    /// σ = √variance (written over `variance`), S σ (NaN at S = 0) and the limits of
    /// every point, in parallel over blocks of points: each is a function of its own
    /// point only, so they are the same for any number of threads. A point equal to the
    /// one before (a time with censorings only) repeats its values.
    fn of(survival: &[f64], variance: Vec<f64>, conf: ConfType, z: f64) -> Points {
        let m = survival.len();
        let mut p = Points {
            sigma: variance,
            std_err: vec![0.0; m],
            lower: vec![0.0; m],
            upper: vec![0.0; m],
        };
        p.sigma
            .par_chunks_mut(POINT_BLOCK)
            .zip(p.std_err.par_chunks_mut(POINT_BLOCK))
            .zip(p.lower.par_chunks_mut(POINT_BLOCK))
            .zip(p.upper.par_chunks_mut(POINT_BLOCK))
            .enumerate()
            .for_each(|(b, (((sg, se), lo), hi))| {
                let s = &survival[b * POINT_BLOCK..b * POINT_BLOCK + sg.len()];
                let mut last: Option<(f64, f64, [f64; 4])> = None;
                for i in 0..sg.len() {
                    let (s, v) = (s[i], sg[i]);
                    let out = match last {
                        Some((s0, v0, out)) if s0 == s && v0 == v => out,
                        _ => {
                            let sigma = v.sqrt();
                            let err = if s == 0.0 { f64::NAN } else { s * sigma };
                            let (l, h) = confidence_limits(s, sigma, conf, z);
                            [sigma, err, l, h]
                        }
                    };
                    last = Some((s, v, out));
                    [sg[i], se[i], lo[i], hi[i]] = out;
                }
            });
        p
    }
}

/// The confidence limits of every point of a curve (`s`, `sigma`), in parallel over
/// blocks of points: each limit is a function of its own point only, so they are the
/// same for any number of threads. A point equal to the one before repeats its limits.
pub(crate) fn limits(s: &[f64], sigma: &[f64], conf: ConfType, z: f64) -> (Vec<f64>, Vec<f64>) {
    let m = s.len();
    let (mut lower, mut upper) = (vec![0.0; m], vec![0.0; m]);
    lower
        .par_chunks_mut(POINT_BLOCK)
        .zip(upper.par_chunks_mut(POINT_BLOCK))
        .enumerate()
        .for_each(|(b, (lo, hi))| {
            let mut last: Option<(f64, f64, (f64, f64))> = None;
            for (i, (l, h)) in lo.iter_mut().zip(hi.iter_mut()).enumerate() {
                let (s, g) = (s[b * POINT_BLOCK + i], sigma[b * POINT_BLOCK + i]);
                let lim = match last {
                    Some((s0, g0, lim)) if s0 == s && g0 == g => lim,
                    _ => confidence_limits(s, g, conf, z),
                };
                last = Some((s, g, lim));
                (*l, *h) = lim;
            }
        });
    (lower, upper)
}

/// First time a step curve (value 1 before the first time) falls to `p` or below, with
/// R's convention for a curve that sits exactly at `p`: the midpoint between the time
/// it reaches `p` and the next time it drops. `None` if it never reaches `p`.
fn curve_quantile(time: &[f64], curve: &[f64], p: f64) -> Option<f64> {
    let tol = f64::EPSILON.sqrt();
    // Keep the points where the curve changes value.
    let mut pts: Vec<(f64, f64)> = Vec::new();
    let mut last = 1.0;
    for (&t, &y) in time.iter().zip(curve) {
        if y.is_nan() {
            continue;
        }
        if (y - last).abs() > 0.0 {
            pts.push((t, y));
            last = y;
        }
    }
    let k = pts.iter().position(|&(_, y)| y <= p + tol)?;
    if (pts[k].1 - p).abs() < tol {
        return Some(match pts.get(k + 1) {
            Some(next) => 0.5 * (pts[k].0 + next.0),
            None => pts[k].0,
        });
    }
    Some(pts[k].0)
}

/// Quantile q of the survival time (the time by which a share `1 − p` has left; the
/// median for p = 0.5), with the interval from the confidence curves, as R's
/// `quantile.survfit`: (estimate, lower, upper), each `None` when not reached.
pub fn quantile(km: &KaplanMeier, p: f64) -> Result<(Option<f64>, Option<f64>, Option<f64>)> {
    let m = km.time.len();
    validate::same_len(m, km.survival.len(), "time", "survival")?;
    validate::same_len(m, km.lower.len(), "time", "lower")?;
    validate::same_len(m, km.upper.len(), "time", "upper")?;
    if !(p > 0.0 && p < 1.0) {
        return Err(Error::argument("p", format!("{p} is outside (0, 1)")));
    }
    Ok((
        curve_quantile(&km.time, &km.survival, p),
        curve_quantile(&km.time, &km.lower, p),
        curve_quantile(&km.time, &km.upper, p),
    ))
}

/// Restricted mean survival time ∫₀^τ S(t) dt and its standard error
/// √(Σ_{t_j <= τ} A_j² d_j / (n_j (n_j − d_j))), A_j the area under the curve from t_j
/// to τ (as R's `print.survfit(rmean = tau)`).
///
/// Reference: Andersen PK, Hansen MG, Klein JP (2004) Lifetime Data Anal 10:335-350.
pub fn rmst(km: &KaplanMeier, tau: f64) -> Result<(f64, f64)> {
    let m = km.time.len();
    validate::same_len(m, km.survival.len(), "time", "survival")?;
    validate::same_len(m, km.at_risk.len(), "time", "at_risk")?;
    validate::same_len(m, km.events.len(), "time", "events")?;
    if !(tau.is_finite() && tau > 0.0) {
        return Err(Error::argument(
            "tau",
            format!("{tau} must be a finite number > 0"),
        ));
    }
    // Event times up to tau, with the survival just after each.
    let mut knots: Vec<(f64, f64, f64, f64)> = Vec::new(); // (t, S(t), n, d)
    for j in 0..km.time.len() {
        if km.events[j] > 0.0 && km.time[j] <= tau {
            knots.push((km.time[j], km.survival[j], km.at_risk[j], km.events[j]));
        }
    }
    let mut area = 0.0;
    let mut prev_t = 0.0;
    let mut prev_s = 1.0;
    // Area from each knot to tau, computed backwards.
    let mut tail = vec![0.0; knots.len()];
    for &(t, s, _, _) in &knots {
        area += prev_s * (t - prev_t);
        prev_t = t;
        prev_s = s;
    }
    area += prev_s * (tau - prev_t);
    let mut acc = 0.0;
    let mut next_t = tau;
    for (j, &(t, s, _, _)) in knots.iter().enumerate().rev() {
        acc += s * (next_t - t);
        tail[j] = acc;
        next_t = t;
    }
    let mut var = 0.0;
    for (j, &(_, _, n, e)) in knots.iter().enumerate() {
        if n > e {
            var += tail[j] * tail[j] * e / (n * (n - e));
        }
    }
    Ok((area, var.sqrt()))
}

/// Values of the curve at arbitrary times (right-continuous step function; survival 1
/// and standard error 0 before the first time).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AtTimes {
    /// S(t).
    pub survival: Vec<f64>,
    /// Standard error of S(t).
    pub std_err: Vec<f64>,
    /// Lower limit.
    pub lower: Vec<f64>,
    /// Upper limit.
    pub upper: Vec<f64>,
}

/// The curve at arbitrary `times`, as R's `summary(fit, times = ...)`.
pub fn at(km: &KaplanMeier, times: &[f64]) -> Result<AtTimes> {
    validate::finite(times, "times").map_err(Error::of_argument)?;
    let m = km.time.len();
    for (name, len) in [
        ("survival", km.survival.len()),
        ("std_err", km.std_err.len()),
        ("lower", km.lower.len()),
        ("upper", km.upper.len()),
    ] {
        validate::same_len(m, len, "time", name)?;
    }
    let mut out = AtTimes::default();
    for &t in times {
        let k = super::curves::steps_through(&km.time, t);
        if k == 0 {
            out.survival.push(1.0);
            out.std_err.push(0.0);
            out.lower.push(1.0);
            out.upper.push(1.0);
        } else {
            out.survival.push(km.survival[k - 1]);
            out.std_err.push(km.std_err[k - 1]);
            out.lower.push(km.lower[k - 1]);
            out.upper.push(km.upper[k - 1]);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn textbook_example() {
        // Times 1, 2+, 3, 3, 4+, 5: S = 5/6, 5/6, 5/6 * 2/4, ..., then * 0/1.
        let d = SurvData::new(
            &[1.0, 2.0, 3.0, 3.0, 4.0, 5.0],
            &[1, 0, 1, 1, 0, 1],
            None,
            None,
            1,
        )
        .unwrap();
        let km = kaplan_meier(&d, ConfType::Log, 0.95).unwrap();
        assert_eq!(km.time, vec![1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(km.at_risk, vec![6.0, 5.0, 4.0, 2.0, 1.0]);
        let s3 = 5.0 / 6.0 * 0.5;
        assert!((km.survival[2] - s3).abs() < 1e-15);
        assert_eq!(km.survival[4], 0.0);
        let g: f64 = 1.0 / (6.0 * 5.0) + 2.0 / (4.0 * 2.0);
        assert!((km.std_err[2] - s3 * g.sqrt()).abs() < 1e-15);
        let (med, _, _) = quantile(&km, 0.5).unwrap();
        assert_eq!(med, Some(3.0));
        // RMST to 5: 1 + (5/6)*2 + s3*2 = area.
        let (mean, _) = rmst(&km, 5.0).unwrap();
        assert!((mean - (1.0 + 5.0 / 6.0 * 2.0 + s3 * 2.0)).abs() < 1e-12);
    }

    #[test]
    fn median_on_a_flat_half() {
        // Survival exactly 0.5 from t=2 until the next drop at t=4: median 3.
        let d = SurvData::new(&[1.0, 2.0, 4.0, 6.0], &[0, 1, 1, 0], None, None, 1).unwrap();
        let km = kaplan_meier(&d, ConfType::Log, 0.95).unwrap();
        let s: Vec<f64> = km.survival.clone();
        assert!((s[1] - 2.0 / 3.0).abs() < 1e-15);
        let d = SurvData::new(&[2.0, 2.0, 4.0, 6.0], &[1, 1, 1, 0], None, None, 1).unwrap();
        let km = kaplan_meier(&d, ConfType::Log, 0.95).unwrap();
        assert_eq!(quantile(&km, 0.5).unwrap().0, Some(3.0));
    }

    #[test]
    fn risk_table_of_unequal_columns_is_an_input_error() {
        // A hand-built table with fewer at-risk counts than times used to index past them.
        let rt = RiskTable {
            time: vec![1.0, 2.0],
            at_risk: vec![2.0],
            events: vec![1.0, 1.0],
            censored: vec![0.0, 0.0],
            ..Default::default()
        };
        let e = from_risk_table(rt, ConfType::Log, 0.95).unwrap_err();
        assert_eq!(
            e.to_string(),
            "column 'at_risk': has length 1 but 'time' has length 2"
        );
    }
}
