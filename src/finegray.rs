//! Binding of `hrh_core::attrition::finegray` (Fine-Gray competing-risks regression).

use hrh_core::attrition::finegray as fg;
use numpy::{
    IntoPyArray, PyArray2, PyArrayMethods, PyReadonlyArray1, PyReadonlyArray2,
    PyUntypedArrayMethods,
};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::errors::run;

type F64<'py> = PyReadonlyArray1<'py, f64>;
type U32<'py> = PyReadonlyArray1<'py, u32>;

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(fine_gray, m)?)?;
    m.add_function(wrap_pyfunction!(fine_gray_predict, m)?)?;
    Ok(())
}

/// Fit a Fine-Gray model: `status` 0 = censored, 1 = cause of interest, 2 = competing.
#[pyfunction]
#[pyo3(signature = (time, status, x, names, *, max_iter, tol))]
fn fine_gray<'py>(
    py: Python<'py>,
    time: F64<'py>,
    status: U32<'py>,
    x: PyReadonlyArray2<'py, f64>,
    names: Vec<String>,
    max_iter: usize,
    tol: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let p = x.shape()[1];
    let (t, s, xs) = (time.as_slice()?, status.as_slice()?, x.as_slice()?);
    let data = fg::FineGrayData {
        time: t,
        status: s,
        x: xs,
        p,
        names: &names,
    };
    let f = run(py, || fg::fine_gray(&data, max_iter, tol))?;
    let d = PyDict::new(py);
    d.set_item("coef", f.coef.into_pyarray(py))?;
    d.set_item("std_err", f.std_err.into_pyarray(py))?;
    d.set_item("z", f.z.into_pyarray(py))?;
    d.set_item("p_value", f.p_value.into_pyarray(py))?;
    d.set_item("var", f.var.into_pyarray(py).reshape([p, p])?)?;
    d.set_item(
        "information",
        f.information.into_pyarray(py).reshape([p, p])?,
    )?;
    d.set_item("loglik", f.loglik)?;
    d.set_item("loglik_null", f.loglik_null)?;
    d.set_item("iterations", f.iterations)?;
    d.set_item("n", f.n)?;
    d.set_item("n_events", f.n_events)?;
    d.set_item("n_competing", f.n_competing)?;
    d.set_item("n_censored", f.n_censored)?;
    d.set_item("time", f.time.into_pyarray(py))?;
    d.set_item("baseline_jump", f.baseline_jump.into_pyarray(py))?;
    Ok(d)
}

/// Cumulative incidence of new covariate rows (m × p) at each time of the fit's
/// baseline: an m × (number of times) array.
#[pyfunction]
fn fine_gray_predict<'py>(
    py: Python<'py>,
    coef: F64<'py>,
    baseline_jump: F64<'py>,
    x_new: PyReadonlyArray2<'py, f64>,
) -> PyResult<Bound<'py, PyArray2<f64>>> {
    let fit = fg::FineGrayFit {
        coef: coef.as_slice()?.to_vec(),
        baseline_jump: baseline_jump.as_slice()?.to_vec(),
        ..Default::default()
    };
    let (m, p) = (x_new.shape()[0], x_new.shape()[1]);
    let xs = x_new.as_slice()?;
    let k = fit.baseline_jump.len();
    let out = run(py, || fg::predict_cumulative_incidence(&fit, xs, p))?;
    out.into_pyarray(py).reshape([m, k])
}
