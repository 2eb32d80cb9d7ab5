//! Binding of `hrh_core::synthetic`.

use numpy::{IntoPyArray, PyArray1};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::errors::run;

/// Split optional values into (values, valid mask) arrays.
fn with_mask<T: Copy + Default + numpy::Element>(
    py: Python<'_>,
    v: Vec<Option<T>>,
) -> (Bound<'_, PyArray1<T>>, Bound<'_, PyArray1<bool>>) {
    let mask: Vec<bool> = v.iter().map(Option::is_some).collect();
    let values: Vec<T> = v.into_iter().map(Option::unwrap_or_default).collect();
    (values.into_pyarray(py), mask.into_pyarray(py))
}

/// The synthetic register as a dict of arrays (codes, days since 1970-01-01, masks)
/// plus the label lists.
#[pyfunction]
#[pyo3(signature = (*, seed, n_active, first_year, reference_day))]
fn synthetic_register(
    py: Python<'_>,
    seed: u64,
    n_active: usize,
    first_year: i32,
    reference_day: i32,
) -> PyResult<Bound<'_, PyDict>> {
    use hrh_core::synthetic as s;
    let r = run(py, || {
        s::register(seed, n_active, first_year, reference_day)
    })?;
    let d = PyDict::new(py);
    d.set_item("district", r.district.into_pyarray(py))?;
    d.set_item("facility_level", r.level.into_pyarray(py))?;
    d.set_item("cadre", r.cadre.into_pyarray(py))?;
    d.set_item("qualification", r.qualification.into_pyarray(py))?;
    d.set_item("sex", r.sex.into_pyarray(py))?;
    d.set_item("fte", r.fte.into_pyarray(py))?;
    d.set_item("birth_date", r.birth.into_pyarray(py))?;
    d.set_item("hire_date", r.hire.into_pyarray(py))?;
    d.set_item("exit_date", with_mask(py, r.exit))?;
    d.set_item("exit_reason", with_mask(py, r.reason))?;
    d.set_item("training_start", with_mask(py, r.training_start))?;
    d.set_item("training_end", with_mask(py, r.training_end))?;
    let labels = PyDict::new(py);
    labels.set_item("district", s::DISTRICTS.to_vec())?;
    labels.set_item("facility_level", s::LEVELS.to_vec())?;
    labels.set_item("cadre", s::CADRES.to_vec())?;
    labels.set_item("qualification", s::QUALIFICATIONS.to_vec())?;
    labels.set_item("sex", s::SEXES.to_vec())?;
    labels.set_item("exit_reason", s::REASONS.to_vec())?;
    d.set_item("labels", labels)?;
    Ok(d)
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(synthetic_register, m)?)?;
    Ok(())
}
