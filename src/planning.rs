//! Binding of `hrh_core::planning`.

use hrh_core::planning::wisn as w;
use numpy::{IntoPyArray, PyReadonlyArray1};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::errors::run;

type F64<'py> = PyReadonlyArray1<'py, f64>;

/// WISN per group; with `low`/`high` unit times and `draws`, interval limits too.
#[allow(clippy::too_many_arguments)]
#[pyfunction]
#[pyo3(signature = (available_time, service_group, workload, unit_time, cas_percent, ias_hours, existing, n_groups, *, low=None, high=None, draws=0, level=0.95, seed=0))]
fn wisn<'py>(
    py: Python<'py>,
    available_time: f64,
    service_group: PyReadonlyArray1<'py, u32>,
    workload: F64<'py>,
    unit_time: F64<'py>,
    cas_percent: F64<'py>,
    ias_hours: F64<'py>,
    existing: F64<'py>,
    n_groups: usize,
    low: Option<F64<'py>>,
    high: Option<F64<'py>>,
    draws: usize,
    level: f64,
    seed: u64,
) -> PyResult<Bound<'py, PyDict>> {
    let input = w::WisnInput {
        available_time,
        service_group: service_group.as_slice()?,
        workload: workload.as_slice()?,
        unit_time: unit_time.as_slice()?,
        cas_percent: cas_percent.as_slice()?,
        ias_hours: ias_hours.as_slice()?,
        existing: existing.as_slice()?,
        n_groups,
    };
    let bounds = match (&low, &high) {
        (Some(l), Some(h)) => Some((l.as_slice()?, h.as_slice()?)),
        _ => None,
    };
    let (r, interval) = run(py, || {
        let r = w::wisn(&input)?;
        let interval = match bounds {
            Some((l, h)) if draws > 0 => Some(w::wisn_interval(&input, l, h, draws, level, seed)?),
            _ => None,
        };
        Ok((r, interval))
    })?;
    let d = PyDict::new(py);
    d.set_item("service_staff", r.service_staff.into_pyarray(py))?;
    d.set_item("caf", r.caf.into_pyarray(py))?;
    d.set_item("iaf", r.iaf.into_pyarray(py))?;
    d.set_item("required", r.required.into_pyarray(py))?;
    d.set_item("difference", r.difference.into_pyarray(py))?;
    d.set_item("ratio", r.ratio.into_pyarray(py))?;
    d.set_item("pressure", r.pressure.into_pyarray(py))?;
    if let Some((lo, hi)) = interval {
        d.set_item("required_lower", lo.into_pyarray(py))?;
        d.set_item("required_upper", hi.into_pyarray(py))?;
    }
    Ok(d)
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(wisn, m)?)?;
    Ok(())
}
