//! Binding of `hrh_core::attrition`.

use hrh_core::attrition::tally::{self, Columns, Duration, EventCode};
use hrh_core::attrition::{
    competing, curves as cv, kaplan_meier as kmm, life_table as lt, logrank as lr,
    nelson_aalen as na, person_time as ptm, rates, split as sp, RiskTable, SurvData,
};
use numpy::{IntoPyArray, PyReadonlyArray1};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use rayon::prelude::*;

use crate::errors::{choice, run, run_controlled, run_on_arguments};

type F64<'py> = PyReadonlyArray1<'py, f64>;
type U32<'py> = PyReadonlyArray1<'py, u32>;

fn opt<'a>(a: &'a Option<F64<'_>>) -> PyResult<Option<&'a [f64]>> {
    Ok(match a {
        Some(a) => Some(a.as_slice()?),
        None => None,
    })
}

/// A named column of a per-group curve.
type Column<C> = (&'static str, fn(&mut C) -> &mut Vec<f64>);

/// Put per-group curves into `d` as concatenated columns, with a `group` code column;
/// the first column gives each curve's length. A single curve's columns are handed
/// over as they are, without a copy.
fn set_concatenated<C>(
    d: &Bound<'_, PyDict>,
    mut curves: Vec<C>,
    columns: &[Column<C>],
) -> PyResult<()> {
    let py = d.py();
    let len = columns[0].1;
    let lens: Vec<usize> = curves.iter_mut().map(|c| len(c).len()).collect();
    let total = lens.iter().sum();
    let mut group: Vec<u32> = Vec::with_capacity(total);
    for (k, &m) in lens.iter().enumerate() {
        group.resize(group.len() + m, k as u32);
    }
    d.set_item("group", group.into_pyarray(py))?;
    for (name, get) in columns {
        let col: Vec<f64> = match curves.as_mut_slice() {
            [one] => std::mem::take(get(one)),
            many => {
                let mut col = Vec::with_capacity(total);
                for c in many.iter_mut() {
                    col.extend_from_slice(get(c));
                }
                col
            }
        };
        d.set_item(*name, col.into_pyarray(py))?;
    }
    Ok(())
}

fn conf_type(py: Python<'_>, s: &str) -> PyResult<kmm::ConfType> {
    use kmm::ConfType::*;
    choice(
        py,
        "conf_type",
        s,
        &[("log", Log), ("log-log", LogLog), ("plain", Plain)],
    )
}

/// Kaplan-Meier curves of every group, concatenated group by group.
#[allow(clippy::too_many_arguments)]
#[pyfunction]
#[pyo3(signature = (time, event, entry, weights, group, n_groups, *, conf_type, level))]
fn kaplan_meier<'py>(
    py: Python<'py>,
    time: F64<'py>,
    event: U32<'py>,
    entry: Option<F64<'py>>,
    weights: Option<F64<'py>>,
    group: U32<'py>,
    n_groups: usize,
    conf_type: &str,
    level: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let conf = self::conf_type(py, conf_type)?;
    let (t, e, g) = (time.as_slice()?, event.as_slice()?, group.as_slice()?);
    let (en, w) = (opt(&entry)?, opt(&weights)?);
    let curves = run_controlled(py, None, "hrh.kaplan_meier", |ctl| {
        let data = SurvData::new(t, e, en, w, 1)?;
        data.per_group(g, n_groups, Some(ctl), |d| {
            kmm::kaplan_meier(d, conf, level)
        })
    })?;
    let d = PyDict::new(py);
    set_concatenated(&d, curves, &KM_COLUMNS)?;
    Ok(d)
}

/// The columns of Kaplan-Meier curves.
const KM_COLUMNS: [Column<kmm::KaplanMeier>; 8] = [
    ("time", |c| &mut c.time),
    ("at_risk", |c| &mut c.at_risk),
    ("events", |c| &mut c.events),
    ("censored", |c| &mut c.censored),
    ("survival", |c| &mut c.survival),
    ("std_err", |c| &mut c.std_err),
    ("lower", |c| &mut c.lower),
    ("upper", |c| &mut c.upper),
];

/// The columns of a table of Kaplan-Meier curves, in the order of [`KM_COLUMNS`]
/// without `censored`.
type KmTable<'py> = (
    F64<'py>,
    F64<'py>,
    F64<'py>,
    F64<'py>,
    F64<'py>,
    F64<'py>,
    F64<'py>,
);

fn km_columns<'a>(t: &'a KmTable<'_>) -> PyResult<cv::KmColumns<'a>> {
    Ok(cv::KmColumns {
        time: t.0.as_slice()?,
        at_risk: t.1.as_slice()?,
        events: t.2.as_slice()?,
        survival: t.3.as_slice()?,
        std_err: t.4.as_slice()?,
        lower: t.5.as_slice()?,
        upper: t.6.as_slice()?,
    })
}

/// Quantile of every group's Kaplan-Meier curve: `time`, `lower`, `upper` (NaN when
/// not reached), one entry per group.
#[pyfunction]
fn km_quantile<'py>(
    py: Python<'py>,
    curves: KmTable<'py>,
    group: U32<'py>,
    n_groups: usize,
    p: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let (c, g) = (km_columns(&curves)?, group.as_slice()?);
    let q = run(py, || cv::km_quantiles(&c, g, n_groups, p))?;
    let d = PyDict::new(py);
    d.set_item("time", q.estimate.into_pyarray(py))?;
    d.set_item("lower", q.lower.into_pyarray(py))?;
    d.set_item("upper", q.upper.into_pyarray(py))?;
    Ok(d)
}

/// Restricted mean survival time and its standard error of every group's curve.
#[pyfunction]
fn km_rmst<'py>(
    py: Python<'py>,
    curves: KmTable<'py>,
    group: U32<'py>,
    n_groups: usize,
    tau: f64,
) -> PyResult<(crate::F64Array<'py>, crate::F64Array<'py>)> {
    let (c, g) = (km_columns(&curves)?, group.as_slice()?);
    let (mean, se) = run(py, || cv::km_rmst(&c, g, n_groups, tau))?;
    Ok((mean.into_pyarray(py), se.into_pyarray(py)))
}

/// Survival, standard error and limits of every group's curve at the same times,
/// group by group.
#[pyfunction]
fn km_at<'py>(
    py: Python<'py>,
    curves: KmTable<'py>,
    group: U32<'py>,
    n_groups: usize,
    times: F64<'py>,
) -> PyResult<Bound<'py, PyDict>> {
    let (c, g, q) = (km_columns(&curves)?, group.as_slice()?, times.as_slice()?);
    let r = run(py, || cv::km_at(&c, g, n_groups, q))?;
    let d = PyDict::new(py);
    d.set_item("survival", r.survival.into_pyarray(py))?;
    d.set_item("std_err", r.std_err.into_pyarray(py))?;
    d.set_item("lower", r.lower.into_pyarray(py))?;
    d.set_item("upper", r.upper.into_pyarray(py))?;
    Ok(d)
}

/// Annual exit rates by band of every group's Kaplan-Meier curve, group by group.
#[pyfunction]
#[pyo3(signature = (curves, group, n_groups, cuts, *, per_year))]
fn km_band_rates<'py>(
    py: Python<'py>,
    curves: KmTable<'py>,
    group: U32<'py>,
    n_groups: usize,
    cuts: F64<'py>,
    per_year: f64,
) -> PyResult<crate::F64Array<'py>> {
    let (c, g, b) = (km_columns(&curves)?, group.as_slice()?, cuts.as_slice()?);
    Ok(run(py, || cv::km_band_rates(&c, g, n_groups, b, per_year))?.into_pyarray(py))
}

/// Annual exit rates by band of every group's survival curve (a table of time and
/// survival), group by group; NaN where the curve is 0 at the start of a band.
#[allow(clippy::too_many_arguments)]
#[pyfunction]
#[pyo3(signature = (time, survival, group, n_groups, cuts, *, per_year))]
fn survival_band_rates<'py>(
    py: Python<'py>,
    time: F64<'py>,
    survival: F64<'py>,
    group: U32<'py>,
    n_groups: usize,
    cuts: F64<'py>,
    per_year: f64,
) -> PyResult<crate::F64Array<'py>> {
    let (t, s, g, b) = (
        time.as_slice()?,
        survival.as_slice()?,
        group.as_slice()?,
        cuts.as_slice()?,
    );
    let r = run(py, || {
        cv::survival_band_rates(t, s, g, n_groups, b, per_year)
    })?;
    Ok(r.into_pyarray(py))
}

/// Step curves (rows with the same `curve` code, in time order) at the same times,
/// curve by curve; `before` ahead of a curve's first time.
#[pyfunction]
#[pyo3(signature = (time, value, curve, n_curves, times, *, before))]
fn step_at<'py>(
    py: Python<'py>,
    time: F64<'py>,
    value: F64<'py>,
    curve: U32<'py>,
    n_curves: usize,
    times: F64<'py>,
    before: f64,
) -> PyResult<crate::F64Array<'py>> {
    let (t, v, c, q) = (
        time.as_slice()?,
        value.as_slice()?,
        curve.as_slice()?,
        times.as_slice()?,
    );
    let r = run(py, || cv::step_at(t, v, c, n_curves, q, before))?;
    Ok(r.into_pyarray(py))
}

/// A duration column as numpy holds it.
#[derive(FromPyObject)]
enum Durations<'py> {
    I64(PyReadonlyArray1<'py, i64>),
    I32(PyReadonlyArray1<'py, i32>),
    F64(F64<'py>),
}

/// An event column as numpy holds it.
#[derive(FromPyObject)]
enum Events<'py> {
    Bool(PyReadonlyArray1<'py, bool>),
    I64(PyReadonlyArray1<'py, i64>),
    I32(PyReadonlyArray1<'py, i32>),
    F64(F64<'py>),
    U32(U32<'py>),
}

/// Unweighted data without entry times, read in place: the columns, their names and
/// the group codes (ignored for a single group).
struct Unweighted<'py> {
    time: Durations<'py>,
    event: Events<'py>,
    group: U32<'py>,
    n_groups: usize,
    names: (String, String),
}

impl<'py> Unweighted<'py> {
    /// `curve` of every group's risk table, counted and checked by
    /// [`tally::risk_tables`] with the GIL released, as concatenated `columns`; `None`
    /// when the data do not suit counting by value.
    fn curves<C: Send>(
        &self,
        py: Python<'py>,
        curve: impl Fn(RiskTable) -> hrh_core::Result<C> + Send + Sync,
        columns: &[Column<C>],
    ) -> PyResult<Option<Bound<'py, PyDict>>> {
        let curves = match &self.time {
            Durations::I64(t) => self.with_time(py, t.as_slice()?, curve),
            Durations::I32(t) => self.with_time(py, t.as_slice()?, curve),
            Durations::F64(t) => self.with_time(py, t.as_slice()?, curve),
        }?;
        let Some(curves) = curves else {
            return Ok(None);
        };
        let d = PyDict::new(py);
        set_concatenated(&d, curves, columns)?;
        Ok(Some(d))
    }

    fn with_time<T: Duration, C: Send>(
        &self,
        py: Python<'_>,
        time: &[T],
        curve: impl Fn(RiskTable) -> hrh_core::Result<C> + Send + Sync,
    ) -> PyResult<Option<Vec<C>>> {
        match &self.event {
            Events::Bool(e) => self.count(py, time, e.as_slice()?, curve),
            Events::I64(e) => self.count(py, time, e.as_slice()?, curve),
            Events::I32(e) => self.count(py, time, e.as_slice()?, curve),
            Events::F64(e) => self.count(py, time, e.as_slice()?, curve),
            Events::U32(e) => self.count(py, time, e.as_slice()?, curve),
        }
    }

    fn count<T: Duration, E: EventCode, C: Send>(
        &self,
        py: Python<'_>,
        time: &[T],
        event: &[E],
        curve: impl Fn(RiskTable) -> hrh_core::Result<C> + Send + Sync,
    ) -> PyResult<Option<Vec<C>>> {
        let group = match self.n_groups {
            1 => None,
            _ => Some(self.group.as_slice()?),
        };
        let columns = Columns {
            time,
            event,
            group,
            n_groups: self.n_groups,
            time_name: &self.names.0,
            event_name: &self.names.1,
        };
        run(py, || match tally::risk_tables(&columns)? {
            Some(tables) => tables
                .into_par_iter()
                .map(&curve)
                .collect::<Result<_, _>>()
                .map(Some),
            None => Ok(None),
        })
    }
}

/// Kaplan-Meier curves of unweighted data without entry times, straight from the
/// columns (`None` when they do not suit counting by value).
#[allow(clippy::too_many_arguments)]
#[pyfunction]
#[pyo3(signature = (time, event, group, n_groups, *, names, conf_type, level))]
fn kaplan_meier_unweighted<'py>(
    py: Python<'py>,
    time: Durations<'py>,
    event: Events<'py>,
    group: U32<'py>,
    n_groups: usize,
    names: (String, String),
    conf_type: &str,
    level: f64,
) -> PyResult<Option<Bound<'py, PyDict>>> {
    let conf = self::conf_type(py, conf_type)?;
    let data = Unweighted {
        time,
        event,
        group,
        n_groups,
        names,
    };
    data.curves(py, |rt| kmm::from_risk_table(rt, conf, level), &KM_COLUMNS)
}

/// Cumulative hazard curves of unweighted data without entry times, straight from the
/// columns (`None` when they do not suit counting by value).
#[pyfunction]
#[pyo3(signature = (time, event, group, n_groups, *, names, ties))]
fn nelson_aalen_unweighted<'py>(
    py: Python<'py>,
    time: Durations<'py>,
    event: Events<'py>,
    group: U32<'py>,
    n_groups: usize,
    names: (String, String),
    ties: &str,
) -> PyResult<Option<Bound<'py, PyDict>>> {
    let ties = na_ties(py, ties)?;
    let data = Unweighted {
        time,
        event,
        group,
        n_groups,
        names,
    };
    data.curves(py, |rt| na::from_risk_table(rt, ties), &NA_COLUMNS)
}

/// Cumulative hazard curves of every group.
#[allow(clippy::too_many_arguments)]
#[pyfunction]
#[pyo3(signature = (time, event, entry, weights, group, n_groups, *, ties))]
fn nelson_aalen<'py>(
    py: Python<'py>,
    time: F64<'py>,
    event: U32<'py>,
    entry: Option<F64<'py>>,
    weights: Option<F64<'py>>,
    group: U32<'py>,
    n_groups: usize,
    ties: &str,
) -> PyResult<Bound<'py, PyDict>> {
    let ties = na_ties(py, ties)?;
    let (t, e, g) = (time.as_slice()?, event.as_slice()?, group.as_slice()?);
    let (en, w) = (opt(&entry)?, opt(&weights)?);
    let curves = run_controlled(py, None, "hrh.nelson_aalen", |ctl| {
        let data = SurvData::new(t, e, en, w, 1)?;
        data.per_group(g, n_groups, Some(ctl), |d| Ok(na::nelson_aalen(d, ties)))
    })?;
    let d = PyDict::new(py);
    set_concatenated(&d, curves, &NA_COLUMNS)?;
    Ok(d)
}

fn na_ties(py: Python<'_>, s: &str) -> PyResult<na::Ties> {
    choice(
        py,
        "ties",
        s,
        &[
            ("nelson-aalen", na::Ties::NelsonAalen),
            ("fleming-harrington", na::Ties::FlemingHarrington),
        ],
    )
}

/// The columns of cumulative hazard curves.
const NA_COLUMNS: [Column<na::CumulativeHazard>; 5] = [
    ("time", |c| &mut c.time),
    ("at_risk", |c| &mut c.at_risk),
    ("events", |c| &mut c.events),
    ("cumulative_hazard", |c| &mut c.cumulative_hazard),
    ("std_err", |c| &mut c.std_err),
];

/// The weights of a log-rank family test from their name and Fleming-Harrington
/// exponents (given for "fleming-harrington" only).
pub(crate) fn lr_weights(
    py: Python<'_>,
    name: &str,
    p: Option<f64>,
    q: Option<f64>,
) -> PyResult<lr::Weights> {
    use lr::Weights::*;
    let fh = FlemingHarrington { p: 0.0, q: 0.0 };
    let w = choice(
        py,
        "weights",
        name,
        &[
            ("logrank", LogRank),
            ("gehan-breslow", GehanBreslow),
            ("tarone-ware", TaroneWare),
            ("peto-peto", PetoPeto),
            ("modified-peto", ModifiedPeto),
            ("fleming-harrington", fh),
        ],
    )?;
    let bad = |msg: String| {
        Err(crate::errors::to_pyerr(
            py,
            hrh_core::Error::input("weights", msg),
        ))
    };
    match (w, p, q) {
        (FlemingHarrington { .. }, Some(p), Some(q)) => Ok(FlemingHarrington { p, q }),
        (FlemingHarrington { .. }, _, _) => {
            bad("\"fleming-harrington\" needs both exponents p and q".into())
        }
        (w, None, None) => Ok(w),
        _ => bad(format!("{name:?} takes no exponents p or q")),
    }
}

/// [`lr::logrank_weighted`] with the GIL released.
fn lr_run<T: Duration, E: EventCode>(
    py: Python<'_>,
    time: &[T],
    event: &[E],
    group: &[u32],
    n_groups: usize,
    strata: Option<(&[u32], usize)>,
    w: lr::Weights,
) -> PyResult<lr::LogRank> {
    run(py, || {
        lr::logrank_weighted(time, event, group, n_groups, strata, w)
    })
}

/// Weighted log-rank k-sample test.
#[allow(clippy::too_many_arguments)]
#[pyfunction]
#[pyo3(signature = (time, event, group, n_groups, strata, n_strata, *, weighting="logrank", p=None, q=None))]
fn logrank<'py>(
    py: Python<'py>,
    time: Durations<'py>,
    event: Events<'py>,
    group: U32<'py>,
    n_groups: usize,
    strata: Option<U32<'py>>,
    n_strata: usize,
    weighting: &str,
    p: Option<f64>,
    q: Option<f64>,
) -> PyResult<Bound<'py, PyDict>> {
    let w = lr_weights(py, weighting, p, q)?;
    let g = group.as_slice()?;
    let s = match &strata {
        Some(s) => Some((s.as_slice()?, n_strata)),
        None => None,
    };
    // Durations and event codes are read in place, whatever their numeric type.
    macro_rules! test {
        ($t:expr) => {
            match &event {
                Events::Bool(e) => lr_run(py, $t, e.as_slice()?, g, n_groups, s, w),
                Events::I64(e) => lr_run(py, $t, e.as_slice()?, g, n_groups, s, w),
                Events::I32(e) => lr_run(py, $t, e.as_slice()?, g, n_groups, s, w),
                Events::F64(e) => lr_run(py, $t, e.as_slice()?, g, n_groups, s, w),
                Events::U32(e) => lr_run(py, $t, e.as_slice()?, g, n_groups, s, w),
            }
        };
    }
    let r = match &time {
        Durations::I64(t) => test!(t.as_slice()?),
        Durations::I32(t) => test!(t.as_slice()?),
        Durations::F64(t) => test!(t.as_slice()?),
    }?;
    crate::scale::logrank_dict(py, r, n_groups)
}

/// Episode splitting: for each output row its source row, start, stop, event code,
/// episode and the state-change row in force (−1: none).
#[allow(clippy::too_many_arguments)]
#[pyfunction]
#[pyo3(signature = (time, event, entry, cuts, row_id, change_id, change_time, n_ids, *, row_bytes, max_memory))]
fn split_episodes<'py>(
    py: Python<'py>,
    time: F64<'py>,
    event: U32<'py>,
    entry: Option<F64<'py>>,
    cuts: F64<'py>,
    row_id: Option<U32<'py>>,
    change_id: Option<U32<'py>>,
    change_time: Option<F64<'py>>,
    n_ids: usize,
    row_bytes: usize,
    max_memory: usize,
) -> PyResult<Bound<'py, PyDict>> {
    let (t, e, c) = (time.as_slice()?, event.as_slice()?, cuts.as_slice()?);
    let en = opt(&entry)?;
    let changes = match (&row_id, &change_id, &change_time) {
        (Some(r), Some(i), Some(ct)) => Some(sp::Changes {
            row_id: r.as_slice()?,
            id: i.as_slice()?,
            time: ct.as_slice()?,
            n_ids,
        }),
        _ => None,
    };
    let r = run(py, || {
        sp::split_episodes(t, e, en, c, changes, row_bytes, max_memory)
    })?;
    let d = PyDict::new(py);
    d.set_item("row", r.row.into_pyarray(py))?;
    d.set_item("start", r.start.into_pyarray(py))?;
    d.set_item("stop", r.stop.into_pyarray(py))?;
    d.set_item("event", r.event.into_pyarray(py))?;
    d.set_item("episode", r.episode.into_pyarray(py))?;
    d.set_item("state", r.state.into_pyarray(py))?;
    Ok(d)
}

/// Aalen-Johansen cumulative incidence of every group (long: group, time, cause).
#[pyfunction]
#[pyo3(signature = (time, cause, group, n_groups, n_causes, *, level))]
fn cumulative_incidence<'py>(
    py: Python<'py>,
    time: F64<'py>,
    cause: U32<'py>,
    group: U32<'py>,
    n_groups: usize,
    n_causes: usize,
    level: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let (t, c, g) = (time.as_slice()?, cause.as_slice()?, group.as_slice()?);
    let curves = run_controlled(py, None, "hrh.cumulative_incidence", |ctl| {
        let counted = competing::cumulative_incidence_counted(t, c, g, n_groups, n_causes, level)?;
        if let Some(curves) = counted {
            return Ok(curves);
        }
        let data = SurvData::new(t, c, None, None, n_causes as u32)?;
        data.per_group(g, n_groups, Some(ctl), |d| {
            competing::cumulative_incidence(d, n_causes, level)
        })
    })?;
    incidence_dict(py, &curves, n_causes)
}

/// Cumulative incidence curves of every group as the dict (long: group, time, cause)
/// that `hrh.cumulative_incidence` reads.
pub(crate) fn incidence_dict<'py>(
    py: Python<'py>,
    curves: &[competing::CumulativeIncidence],
    n_causes: usize,
) -> PyResult<Bound<'py, PyDict>> {
    type Pick = fn(&competing::CumulativeIncidence, usize) -> &[f64];
    const COLUMNS: [(&str, Pick); 8] = [
        ("time", |cv, _| &cv.time),
        ("at_risk", |cv, _| &cv.at_risk),
        ("events", |cv, c| &cv.events[c]),
        ("cumulative_incidence", |cv, c| &cv.incidence[c]),
        ("std_err", |cv, c| &cv.std_err[c]),
        ("lower", |cv, c| &cv.lower[c]),
        ("upper", |cv, c| &cv.upper[c]),
        ("in_post", |cv, _| &cv.in_post),
    ];
    let rows = curves.iter().map(|cv| cv.time.len()).sum::<usize>() * n_causes;
    // Each column interleaves the causes time by time: a copy per column, built in
    // parallel without the GIL (each column on its own, so the same for any number of
    // threads), cause by cause into every `n_causes`-th slot.
    let (codes, cols) = py.detach(|| {
        rayon::join(
            || {
                let (mut gcol, mut ccol) = (vec![0u32; rows], vec![0u32; rows]);
                let mut at = 0;
                for (k, cv) in curves.iter().enumerate() {
                    let m = cv.time.len() * n_causes;
                    gcol[at..at + m].fill(k as u32);
                    for (j, c) in ccol[at..at + m].iter_mut().enumerate() {
                        *c = (j % n_causes) as u32 + 1;
                    }
                    at += m;
                }
                (gcol, ccol)
            },
            || {
                COLUMNS
                    .par_iter()
                    .map(|(_, pick)| {
                        let mut col = vec![0.0; rows];
                        let mut at = 0;
                        for cv in curves {
                            let m = cv.time.len();
                            let part = &mut col[at..at + m * n_causes];
                            for c in 0..n_causes {
                                let slots = part[c..].iter_mut().step_by(n_causes);
                                for (x, &v) in slots.zip(pick(cv, c)) {
                                    *x = v;
                                }
                            }
                            at += m * n_causes;
                        }
                        col
                    })
                    .collect::<Vec<Vec<f64>>>()
            },
        )
    });
    let d = PyDict::new(py);
    d.set_item("group", codes.0.into_pyarray(py))?;
    d.set_item("cause", codes.1.into_pyarray(py))?;
    for ((name, _), col) in COLUMNS.iter().zip(cols) {
        d.set_item(*name, col.into_pyarray(py))?;
    }
    Ok(d)
}

/// Actuarial life tables, one per group (rows in group order): a dict of columns with
/// `group`, the group code of each row.
#[pyfunction]
#[pyo3(signature = (time, event, weights, group, n_groups, *, width))]
fn life_table<'py>(
    py: Python<'py>,
    time: F64<'py>,
    event: U32<'py>,
    weights: Option<F64<'py>>,
    group: U32<'py>,
    n_groups: usize,
    width: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let (t, e, w) = (time.as_slice()?, event.as_slice()?, opt(&weights)?);
    let g = group.as_slice()?;
    let tables = run(py, || {
        lt::life_tables(&SurvData::new(t, e, None, w, 1)?, g, n_groups, width)
    })?;
    let mut codes: Vec<u32> = Vec::new();
    let mut all = lt::LifeTable::default();
    for (k, r) in tables.into_iter().enumerate() {
        codes.extend(std::iter::repeat_n(k as u32, r.start.len()));
        all.start.extend(r.start);
        all.end.extend(r.end);
        all.entered.extend(r.entered);
        all.withdrawn.extend(r.withdrawn);
        all.events.extend(r.events);
        all.at_risk.extend(r.at_risk);
        all.q.extend(r.q);
        all.p.extend(r.p);
        all.survival.extend(r.survival);
        all.std_err.extend(r.std_err);
    }
    let d = PyDict::new(py);
    d.set_item("group", codes.into_pyarray(py))?;
    d.set_item("start", all.start.into_pyarray(py))?;
    d.set_item("end", all.end.into_pyarray(py))?;
    d.set_item("entered", all.entered.into_pyarray(py))?;
    d.set_item("withdrawn", all.withdrawn.into_pyarray(py))?;
    d.set_item("events", all.events.into_pyarray(py))?;
    d.set_item("at_risk", all.at_risk.into_pyarray(py))?;
    d.set_item("q", all.q.into_pyarray(py))?;
    d.set_item("p", all.p.into_pyarray(py))?;
    d.set_item("survival", all.survival.into_pyarray(py))?;
    d.set_item("std_err", all.std_err.into_pyarray(py))?;
    Ok(d)
}

/// Person-time table of a register of spells.
#[allow(clippy::too_many_arguments)]
#[pyfunction]
#[pyo3(signature = (entry, exit, exit_known, reason, n_reasons, group, n_groups, *, period, start, end))]
fn person_time<'py>(
    py: Python<'py>,
    entry: PyReadonlyArray1<'py, i32>,
    exit: PyReadonlyArray1<'py, i32>,
    exit_known: PyReadonlyArray1<'py, bool>,
    reason: U32<'py>,
    n_reasons: usize,
    group: U32<'py>,
    n_groups: usize,
    period: &str,
    start: i32,
    end: i32,
) -> PyResult<Bound<'py, PyDict>> {
    let t = crate::scale::with_spells(
        py,
        &entry,
        &exit,
        &exit_known,
        &reason,
        n_reasons,
        &group,
        n_groups,
        period,
        |sp, period| ptm::person_time(sp, period, start, end),
    )?;
    let d = PyDict::new(py);
    d.set_item("group", t.group.into_pyarray(py))?;
    d.set_item("period_start", t.period_start.into_pyarray(py))?;
    d.set_item("period_end", t.period_end.into_pyarray(py))?;
    d.set_item("headcount_start", t.headcount_start.into_pyarray(py))?;
    d.set_item("headcount_end", t.headcount_end.into_pyarray(py))?;
    d.set_item("entrants", t.entrants.into_pyarray(py))?;
    d.set_item("exits", t.exits.into_pyarray(py))?;
    let by: Vec<_> = t
        .exits_by_reason
        .into_iter()
        .map(|v| v.into_pyarray(py))
        .collect();
    d.set_item("exits_by_reason", by)?;
    d.set_item("person_years", t.person_years.into_pyarray(py))?;
    Ok(d)
}

/// Annualised proportions 1 − (1 − p)^(1/years).
#[pyfunction]
fn annualize<'py>(
    py: Python<'py>,
    proportion: F64<'py>,
    years: F64<'py>,
) -> PyResult<crate::F64Array<'py>> {
    let (p, y) = (proportion.as_slice()?, years.as_slice()?);
    Ok(run_on_arguments(py, || rates::annualize(p, y))?.into_pyarray(py))
}

/// Gray's test for one cause: (statistic, df, p_value).
#[pyfunction]
#[pyo3(signature = (time, status, group, n_groups, cause, *, rho=0.0))]
fn gray_test(
    py: Python<'_>,
    time: F64<'_>,
    status: U32<'_>,
    group: U32<'_>,
    n_groups: usize,
    cause: u32,
    rho: f64,
) -> PyResult<(f64, usize, f64)> {
    let (t, s, g) = (time.as_slice()?, status.as_slice()?, group.as_slice()?);
    let r = run_controlled(py, None, "hrh.gray_test", |c| {
        competing::gray_test_with(t, s, g, n_groups, None, cause, rho, c)
    })?;
    Ok((r.statistic, r.df, r.p_value))
}

/// Upper tail of the chi-squared distribution.
#[pyfunction]
fn chisq_sf(x: f64, df: f64) -> f64 {
    hrh_core::special::chisq_sf(x, df)
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("GRAY_MAX_GROUPS", competing::MAX_GRAY_GROUPS)?;
    m.add_function(wrap_pyfunction!(chisq_sf, m)?)?;
    m.add_function(wrap_pyfunction!(gray_test, m)?)?;
    m.add_function(wrap_pyfunction!(kaplan_meier, m)?)?;
    m.add_function(wrap_pyfunction!(km_quantile, m)?)?;
    m.add_function(wrap_pyfunction!(km_rmst, m)?)?;
    m.add_function(wrap_pyfunction!(km_at, m)?)?;
    m.add_function(wrap_pyfunction!(km_band_rates, m)?)?;
    m.add_function(wrap_pyfunction!(survival_band_rates, m)?)?;
    m.add_function(wrap_pyfunction!(step_at, m)?)?;
    m.add_function(wrap_pyfunction!(kaplan_meier_unweighted, m)?)?;
    m.add_function(wrap_pyfunction!(nelson_aalen, m)?)?;
    m.add_function(wrap_pyfunction!(nelson_aalen_unweighted, m)?)?;
    m.add_function(wrap_pyfunction!(logrank, m)?)?;
    m.add_function(wrap_pyfunction!(split_episodes, m)?)?;
    m.add_function(wrap_pyfunction!(cumulative_incidence, m)?)?;
    m.add_function(wrap_pyfunction!(life_table, m)?)?;
    m.add_function(wrap_pyfunction!(person_time, m)?)?;
    m.add_function(wrap_pyfunction!(annualize, m)?)?;
    Ok(())
}
