//! Binding of the mergeable partial states that the scale layer (`hrh._scale`) reads a
//! register in parts with.

use hrh_core::attrition::logrank::LogRank;
use hrh_core::attrition::{counted, person_time as ptm};
use numpy::{IntoPyArray, PyArrayMethods, PyReadonlyArray1};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::errors::{choice, run};

type U32<'py> = PyReadonlyArray1<'py, u32>;

/// `f` of a register's spells (the columns of `person_time` and `person_time_counts`)
/// in the calendar `period`, with the GIL released.
#[allow(clippy::too_many_arguments)]
pub(crate) fn with_spells<'py, T: Send>(
    py: Python<'py>,
    entry: &PyReadonlyArray1<'py, i32>,
    exit: &PyReadonlyArray1<'py, i32>,
    exit_known: &PyReadonlyArray1<'py, bool>,
    reason: &U32<'py>,
    n_reasons: usize,
    group: &U32<'py>,
    n_groups: usize,
    period: &str,
    f: impl FnOnce(&ptm::Spells<'_>, ptm::Period) -> hrh_core::Result<T> + Send,
) -> PyResult<T> {
    use ptm::Period::*;
    let period = choice(
        py,
        "period",
        period,
        &[("year", Year), ("quarter", Quarter), ("month", Month)],
    )?;
    let spells = ptm::Spells {
        entry: entry.as_slice()?,
        exit: exit.as_slice()?,
        exit_known: exit_known.as_slice()?,
        reason: reason.as_slice()?,
        n_reasons,
        group: group.as_slice()?,
        n_groups,
    };
    run(py, || f(&spells, period))
}

/// The integer counts of the person-time table of a part of a register: headcount at
/// the start, entrants, exits (and by reason) and person-days per group and period.
#[allow(clippy::too_many_arguments)]
#[pyfunction]
#[pyo3(signature = (entry, exit, exit_known, reason, n_reasons, group, n_groups, *, period, start, end))]
fn person_time_counts<'py>(
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
    let t = with_spells(
        py,
        &entry,
        &exit,
        &exit_known,
        &reason,
        n_reasons,
        &group,
        n_groups,
        period,
        |sp, period| ptm::person_time_counts(sp, period, start, end),
    )?;
    let d = PyDict::new(py);
    d.set_item("group", t.group.into_pyarray(py))?;
    d.set_item("period_start", t.period_start.into_pyarray(py))?;
    d.set_item("period_end", t.period_end.into_pyarray(py))?;
    d.set_item("headcount_start", t.headcount_start.into_pyarray(py))?;
    d.set_item("entrants", t.entrants.into_pyarray(py))?;
    d.set_item("exits", t.exits.into_pyarray(py))?;
    let by: Vec<_> = t
        .exits_by_reason
        .into_iter()
        .map(|v| v.into_pyarray(py))
        .collect();
    d.set_item("exits_by_reason", by)?;
    d.set_item("person_days", t.person_days.into_pyarray(py))?;
    Ok(d)
}

/// The weighted log-rank test from counted rows: `count` people of cell `cell`
/// (stratum × `n_groups` + group) with duration `time`, who exited there or not.
#[allow(clippy::too_many_arguments)]
#[pyfunction]
#[pyo3(signature = (cell, n_groups, n_strata, time, exit, count, *, weighting="logrank", p=None, q=None))]
fn logrank_counts<'py>(
    py: Python<'py>,
    cell: U32<'py>,
    n_groups: usize,
    n_strata: usize,
    time: PyReadonlyArray1<'py, f64>,
    exit: PyReadonlyArray1<'py, bool>,
    count: PyReadonlyArray1<'py, u64>,
    weighting: &str,
    p: Option<f64>,
    q: Option<f64>,
) -> PyResult<Bound<'py, PyDict>> {
    let w = crate::attrition::lr_weights(py, weighting, p, q)?;
    let (c, t, e, k) = (
        cell.as_slice()?,
        time.as_slice()?,
        exit.as_slice()?,
        count.as_slice()?,
    );
    let r = run(py, || {
        counted::logrank_counts(c, n_groups, n_strata, t, e, k, w)
    })?;
    logrank_dict(py, r, n_groups)
}

/// Aalen-Johansen cumulative incidence of every group from counted rows: `count`
/// people of cell `cell` (group × (`n_causes` + 1) + cause, cause 0 censored) with
/// duration `time`; the dict of `cumulative_incidence`.
#[pyfunction]
#[pyo3(signature = (cell, n_groups, n_causes, time, count, *, level))]
fn cumulative_incidence_counts<'py>(
    py: Python<'py>,
    cell: U32<'py>,
    n_groups: usize,
    n_causes: usize,
    time: PyReadonlyArray1<'py, f64>,
    count: PyReadonlyArray1<'py, u64>,
    level: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let (c, t, k) = (cell.as_slice()?, time.as_slice()?, count.as_slice()?);
    let curves = run(py, || {
        counted::cumulative_incidence_counts(c, n_groups, n_causes, t, k, level)
    })?;
    crate::attrition::incidence_dict(py, &curves, n_causes)
}

/// A log-rank result as the dict `hrh.logrank` reads.
pub(crate) fn logrank_dict(
    py: Python<'_>,
    r: LogRank,
    n_groups: usize,
) -> PyResult<Bound<'_, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("observed", r.observed.into_pyarray(py))?;
    d.set_item("expected", r.expected.into_pyarray(py))?;
    d.set_item(
        "variance",
        r.variance.into_pyarray(py).reshape([n_groups, n_groups])?,
    )?;
    d.set_item("n", r.n)?;
    d.set_item("statistic", r.statistic)?;
    d.set_item("df", r.df)?;
    d.set_item("p_value", r.p_value)?;
    Ok(d)
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(person_time_counts, m)?)?;
    m.add_function(wrap_pyfunction!(logrank_counts, m)?)?;
    m.add_function(wrap_pyfunction!(cumulative_incidence_counts, m)?)?;
    Ok(())
}
