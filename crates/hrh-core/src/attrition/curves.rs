//! Questions asked of fitted curves, every group in one call: Kaplan-Meier quantiles,
//! restricted means and values at given times, step curves (cumulative incidence) at
//! given times, and annual exit rates by band of a survival curve.
//!
//! A table of curves is a set of columns, one row per (group, time), with a dense group
//! code per row (0..n_groups, numbered by the caller in the order it wants the groups
//! back); the rows of a group need not be contiguous. The step-function lookup that
//! every one of these uses is [`steps_through`].

use super::kaplan_meier::{self as kmm, AtTimes, KaplanMeier};
use crate::error::{Error, Location, Result};
use crate::grouping::map_groups;
use crate::validate;

/// Number of knots at or before `t` in the sorted `time`: the step in force at `t` is
/// the one that starts at knot `k - 1` (right-continuous), and `k = 0` means before the
/// first knot.
pub fn steps_through(time: &[f64], t: f64) -> usize {
    time.partition_point(|&x| x <= t)
}

/// Value at `t` of the step function with `value[j]` from `time[j]` on (`time` sorted),
/// `before` ahead of the first knot.
pub fn step_value(time: &[f64], value: &[f64], t: f64, before: f64) -> f64 {
    match steps_through(time, t) {
        0 => before,
        k => value[k - 1],
    }
}

/// The columns of a table of Kaplan-Meier curves (as [`KaplanMeier`] names them), one
/// row per group and time, each group's rows in time order.
#[derive(Debug, Clone, Copy)]
pub struct KmColumns<'a> {
    /// Distinct times of each curve.
    pub time: &'a [f64],
    /// Number at risk.
    pub at_risk: &'a [f64],
    /// Exits.
    pub events: &'a [f64],
    /// S(t).
    pub survival: &'a [f64],
    /// Standard error of S(t) (NaN where undefined).
    pub std_err: &'a [f64],
    /// Lower limit (NaN where undefined).
    pub lower: &'a [f64],
    /// Upper limit (NaN where undefined).
    pub upper: &'a [f64],
}

impl KmColumns<'_> {
    fn check(&self, group: &[u32]) -> Result<usize> {
        let m = self.time.len();
        for (name, len) in [
            ("at_risk", self.at_risk.len()),
            ("events", self.events.len()),
            ("survival", self.survival.len()),
            ("std_err", self.std_err.len()),
            ("lower", self.lower.len()),
            ("upper", self.upper.len()),
            ("group", group.len()),
        ] {
            validate::same_len(m, len, "time", name)?;
        }
        Ok(m)
    }

    /// The curve of the given rows.
    fn curve(&self, rows: &[usize]) -> KaplanMeier {
        let take = |c: &[f64]| rows.iter().map(|&i| c[i]).collect::<Vec<f64>>();
        KaplanMeier {
            time: take(self.time),
            at_risk: take(self.at_risk),
            events: take(self.events),
            survival: take(self.survival),
            std_err: take(self.std_err),
            lower: take(self.lower),
            upper: take(self.upper),
            ..Default::default()
        }
    }
}

/// Quantiles of several curves, one entry per group (NaN where not reached).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Quantiles {
    /// The quantile of the survival curve.
    pub estimate: Vec<f64>,
    /// The quantile of the lower confidence curve.
    pub lower: Vec<f64>,
    /// The quantile of the upper confidence curve.
    pub upper: Vec<f64>,
}

/// [`kmm::quantile`] of every group's curve.
pub fn km_quantiles(c: &KmColumns, group: &[u32], n_groups: usize, p: f64) -> Result<Quantiles> {
    let rows = c.check(group)?;
    let q = map_groups(group, n_groups, rows, None, |r| {
        kmm::quantile(&c.curve(r), p)
    })?;
    let nan = |v: Option<f64>| v.unwrap_or(f64::NAN);
    Ok(Quantiles {
        estimate: q.iter().map(|r| nan(r.0)).collect(),
        lower: q.iter().map(|r| nan(r.1)).collect(),
        upper: q.iter().map(|r| nan(r.2)).collect(),
    })
}

/// [`kmm::rmst`] of every group's curve: (restricted means, standard errors).
pub fn km_rmst(
    c: &KmColumns,
    group: &[u32],
    n_groups: usize,
    tau: f64,
) -> Result<(Vec<f64>, Vec<f64>)> {
    let rows = c.check(group)?;
    let r = map_groups(group, n_groups, rows, None, |r| kmm::rmst(&c.curve(r), tau))?;
    Ok(r.into_iter().unzip())
}

/// [`kmm::at`] of every group's curve at the same `times`, group by group (entry
/// `g * times.len() + i` is group `g` at `times[i]`).
pub fn km_at(c: &KmColumns, group: &[u32], n_groups: usize, times: &[f64]) -> Result<AtTimes> {
    let rows = c.check(group)?;
    validate::finite(times, "times").map_err(Error::of_argument)?;
    let parts = map_groups(group, n_groups, rows, None, |r| kmm::at(&c.curve(r), times))?;
    let mut out = AtTimes::default();
    for p in parts {
        out.survival.extend(p.survival);
        out.std_err.extend(p.std_err);
        out.lower.extend(p.lower);
        out.upper.extend(p.upper);
    }
    Ok(out)
}

/// Step curves (e.g. cumulative incidence, one curve per group and cause) at the same
/// `times`: curve `k` is the rows with code `k`, taken in time order (ties in row order),
/// its value `before` ahead of its first time. Entry `k * times.len() + i` is curve `k`
/// at `times[i]`.
pub fn step_at(
    time: &[f64],
    value: &[f64],
    curve: &[u32],
    n_curves: usize,
    times: &[f64],
    before: f64,
) -> Result<Vec<f64>> {
    validate::same_len(time.len(), value.len(), "time", "value")?;
    validate::finite(times, "times").map_err(Error::of_argument)?;
    let parts = map_groups(curve, n_curves, time.len(), None, |rows| {
        let (t, v) = sorted_by_time(time, value, rows);
        Ok(times
            .iter()
            .map(|&q| step_value(&t, &v, q, before))
            .collect::<Vec<f64>>())
    })?;
    Ok(parts.concat())
}

/// Step curves that share their knots `time` (sorted), `rows` of them in `values`
/// (row-major, rows × knots), at `times`, row by row; `before` ahead of the first knot
/// (e.g. predicted cumulative incidence of new covariate rows at the fit's exit times,
/// asked at other times).
pub fn rows_at(
    time: &[f64],
    values: &[f64],
    rows: usize,
    times: &[f64],
    before: f64,
) -> Result<Vec<f64>> {
    validate::finite(times, "times").map_err(Error::of_argument)?;
    let k = time.len();
    if Some(values.len()) != rows.checked_mul(k) {
        return Err(Error::input(
            "values",
            format!("has {} values, not {rows} rows of {k} times", values.len()),
        ));
    }
    let at: Vec<usize> = times.iter().map(|&t| steps_through(time, t)).collect();
    let mut out = Vec::with_capacity(rows * times.len());
    for r in 0..rows {
        let row = &values[r * k..(r + 1) * k];
        out.extend(at.iter().map(|&j| if j == 0 { before } else { row[j - 1] }));
    }
    Ok(out)
}

/// The (time, value) pairs of `rows`, sorted by time (ties in row order).
fn sorted_by_time(time: &[f64], value: &[f64], rows: &[usize]) -> (Vec<f64>, Vec<f64>) {
    let mut r = rows.to_vec();
    r.sort_by(|&a, &b| time[a].total_cmp(&time[b]));
    (
        r.iter().map(|&i| time[i]).collect(),
        r.iter().map(|&i| value[i]).collect(),
    )
}

/// Whether `cuts` are at least two increasing finite band limits.
fn check_cuts(cuts: &[f64]) -> Result<()> {
    if cuts.len() < 2
        || cuts.iter().any(|c| !c.is_finite())
        || cuts.windows(2).any(|w| w[1] <= w[0])
    {
        return Err(Error::argument(
            "bands",
            "must be at least two increasing finite limits",
        ));
    }
    Ok(())
}

fn per_year_ok(per_year: f64) -> bool {
    per_year.is_finite() && per_year > 0.0
}

fn check_per_year(per_year: f64) -> Result<()> {
    if per_year_ok(per_year) {
        Ok(())
    } else {
        Err(Error::argument(
            "per_year",
            format!("{per_year} must be a finite number > 0"),
        ))
    }
}

/// A float as Python's `repr` writes it (`1.0`, `nan`, `1e+16`), for messages about
/// values the caller handed over as Python floats.
fn py_repr(x: f64) -> String {
    if x.is_nan() {
        return "nan".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf" } else { "-inf" }.into();
    }
    let s = format!("{x:?}");
    match s.split_once('e') {
        Some((mantissa, exp)) => {
            let (sign, digits) = match exp.strip_prefix('-') {
                Some(d) => ('-', d),
                None => ('+', exp),
            };
            format!("{mantissa}e{sign}{digits:0>2}")
        }
        None => s,
    }
}

/// An error about the survival column at a time of the curve.
fn survival_error(t: f64, message: String) -> Error {
    Error::Input {
        location: Location::default(),
        message: format!("column 'survival', at time {}: {message}", py_repr(t)),
    }
}

/// Annual exit rates by band of every group's survival curve (a step function, 1 before
/// its first time): for band [a, b), `rate = 1 − (S(b) / S(a))^(per_year / (b − a))`,
/// NaN where S(a) = 0. Entry `g * (cuts.len() − 1) + j` is group `g`, band `j`.
///
/// A survival value outside [0, 1] (or NaN) or one above the value before it (in time
/// order) is an input error naming the time.
pub fn survival_band_rates(
    time: &[f64],
    survival: &[f64],
    group: &[u32],
    n_groups: usize,
    cuts: &[f64],
    per_year: f64,
) -> Result<Vec<f64>> {
    validate::same_len(time.len(), survival.len(), "time", "survival")?;
    check_cuts(cuts)?;
    check_per_year(per_year)?;
    let parts = map_groups(group, n_groups, time.len(), None, |rows| {
        let (t, s) = sorted_by_time(time, survival, rows);
        if let Some(j) = s.iter().position(|v| !(0.0..=1.0).contains(v)) {
            return Err(survival_error(
                t[j],
                format!("{} is not a survival probability in [0, 1]", py_repr(s[j])),
            ));
        }
        if let Some(j) = s.windows(2).position(|w| w[1] > w[0]) {
            return Err(survival_error(
                t[j + 1],
                format!(
                    "{} rises above the value before it; a survival curve never increases",
                    py_repr(s[j + 1])
                ),
            ));
        }
        let at: Vec<f64> = cuts.iter().map(|&c| step_value(&t, &s, c, 1.0)).collect();
        Ok(cuts
            .windows(2)
            .zip(at.windows(2))
            .map(|(c, s)| {
                if s[0] > 0.0 {
                    1.0 - (s[1] / s[0]).powf(per_year / (c[1] - c[0]))
                } else {
                    f64::NAN
                }
            })
            .collect::<Vec<f64>>())
    })?;
    Ok(parts.concat())
}

/// Annual exit rates by band of every group's Kaplan-Meier curve, from the curve's own
/// factors (1 − d/n) at the exit times inside each band (a band (a, b] holds the times
/// a < t <= b): `rate = 1 − exp(Σ log(1 − d/n) · per_year / (b − a))`, 0 in a band
/// without exits. A band after the curve has reached 0 (a tiny risk set at early ages
/// under delayed entry) still gets its conditional rate. Entry
/// `g * (cuts.len() − 1) + j` is group `g`, band `j`.
pub fn km_band_rates(
    c: &KmColumns,
    group: &[u32],
    n_groups: usize,
    cuts: &[f64],
    per_year: f64,
) -> Result<Vec<f64>> {
    let rows = c.check(group)?;
    check_cuts(cuts)?;
    check_per_year(per_year)?;
    let bands = cuts.len() - 1;
    let parts = map_groups(group, n_groups, rows, None, |r| {
        let mut log = vec![0.0; bands];
        for &i in r {
            let (t, d, n) = (c.time[i], c.events[i], c.at_risk[i]);
            if d.is_nan() || d <= 0.0 {
                continue;
            }
            // Band b holds the exit times in (cuts[b - 1], cuts[b]].
            let b = cuts.partition_point(|&x| x < t);
            if (1..=bands).contains(&b) {
                log[b - 1] += (1.0 - d / n).ln();
            }
        }
        Ok(log
            .iter()
            .zip(cuts.windows(2))
            .map(|(l, c)| 1.0 - (l * per_year / (c[1] - c[0])).exp())
            .collect::<Vec<f64>>())
    })?;
    Ok(parts.concat())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attrition::kaplan_meier::{kaplan_meier, ConfType};
    use crate::attrition::SurvData;

    fn km(t: &[f64], e: &[u32]) -> KaplanMeier {
        let d = SurvData::new(t, e, None, None, 1).unwrap();
        kaplan_meier(&d, ConfType::Log, 0.95).unwrap()
    }

    /// Two curves stacked as a table, with their group codes.
    fn table(a: &KaplanMeier, b: &KaplanMeier) -> (Vec<Vec<f64>>, Vec<u32>) {
        let cols = |k: &KaplanMeier| {
            vec![
                k.time.clone(),
                k.at_risk.clone(),
                k.events.clone(),
                k.survival.clone(),
                k.std_err.clone(),
                k.lower.clone(),
                k.upper.clone(),
            ]
        };
        let (ca, cb) = (cols(a), cols(b));
        let stacked = ca
            .into_iter()
            .zip(cb)
            .map(|(x, y)| [x, y].concat())
            .collect();
        let group = [vec![0; a.time.len()], vec![1; b.time.len()]].concat();
        (stacked, group)
    }

    fn columns(c: &[Vec<f64>]) -> KmColumns<'_> {
        KmColumns {
            time: &c[0],
            at_risk: &c[1],
            events: &c[2],
            survival: &c[3],
            std_err: &c[4],
            lower: &c[5],
            upper: &c[6],
        }
    }

    #[test]
    fn all_groups_at_once_equal_each_curve_alone() {
        let a = km(&[1.0, 2.0, 3.0, 3.0, 4.0, 5.0], &[1, 0, 1, 1, 0, 1]);
        let b = km(&[2.0, 2.0, 4.0, 6.0], &[1, 1, 1, 0]);
        let (cols, group) = table(&a, &b);
        let c = columns(&cols);
        let q = km_quantiles(&c, &group, 2, 0.5).unwrap();
        for (k, curve) in [&a, &b].iter().enumerate() {
            let (e, _, _) = kmm::quantile(curve, 0.5).unwrap();
            assert_eq!(e, Some(q.estimate[k]));
            assert_eq!(
                kmm::rmst(curve, 5.0).unwrap().0,
                km_rmst(&c, &group, 2, 5.0).unwrap().0[k]
            );
        }
        let times = [0.5, 3.0, 10.0];
        let at = km_at(&c, &group, 2, &times).unwrap();
        assert_eq!(at.survival[..3], kmm::at(&a, &times).unwrap().survival[..]);
        assert_eq!(at.survival[3..], kmm::at(&b, &times).unwrap().survival[..]);
    }

    #[test]
    fn step_curves_in_time_order_with_a_value_before() {
        // Curve 0 given out of time order; curve 1 interleaved with it.
        let time = [3.0, 1.0, 2.0, 5.0];
        let value = [0.5, 0.1, 0.2, 0.9];
        let curve = [0, 0, 1, 1];
        let v = step_at(&time, &value, &curve, 2, &[0.0, 1.0, 4.0], 0.0).unwrap();
        assert_eq!(v, vec![0.0, 0.1, 0.5, 0.0, 0.0, 0.2]);
    }

    #[test]
    fn band_rates_of_a_survival_table() {
        let time = [0.0, 1.0, 2.0];
        let s = [1.0, 0.9, 0.81];
        let r = survival_band_rates(&time, &s, &[0, 0, 0], 1, &[0.0, 2.0], 1.0).unwrap();
        assert!((r[0] - 0.1).abs() < 1e-12);
        let e =
            survival_band_rates(&time, &[1.0, 1.5, 0.5], &[0; 3], 1, &[0.0, 1.0], 1.0).unwrap_err();
        assert_eq!(
            e.to_string(),
            "column 'survival', at time 1.0: 1.5 is not a survival probability in [0, 1]"
        );
        let e =
            survival_band_rates(&time, &[1.0, 0.5, 0.7], &[0; 3], 1, &[0.0, 1.0], 1.0).unwrap_err();
        assert!(e.to_string().contains("never increases"), "{e}");
        // Survival 0 at the start of a band: no rate.
        let r = survival_band_rates(&time, &[1.0, 0.0, 0.0], &[0; 3], 1, &[0.0, 1.0, 2.0], 1.0)
            .unwrap();
        assert_eq!(r[0], 1.0);
        assert!(r[1].is_nan());
    }

    #[test]
    fn rows_sharing_knots() {
        let v = rows_at(&[1.0, 2.0], &[0.1, 0.2, 0.3, 0.4], 2, &[0.0, 1.5, 9.0], 0.0).unwrap();
        assert_eq!(v, vec![0.0, 0.1, 0.2, 0.0, 0.3, 0.4]);
    }

    #[test]
    fn python_float_text() {
        assert_eq!(py_repr(1.0), "1.0");
        assert_eq!(py_repr(1e16), "1e+16");
        assert_eq!(py_repr(1e-5), "1e-05");
        assert_eq!(py_repr(f64::NAN), "nan");
    }
}
