//! Binding of `hrh_core::attrition::finegray` (Fine-Gray competing-risks regression):
//! the fit returns its results and an opaque handle to the fitted model, whose
//! `predict` gives the cumulative incidence of new covariate rows.

use hrh_core::attrition::{curves, finegray as fg};
use numpy::{
    IntoPyArray, PyArray2, PyArrayMethods, PyReadonlyArray1, PyReadonlyArray2,
    PyUntypedArrayMethods,
};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::errors::run_controlled;

type F64<'py> = PyReadonlyArray1<'py, f64>;
type U32<'py> = PyReadonlyArray1<'py, u32>;

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<FineGrayModel>()?;
    m.add_function(wrap_pyfunction!(fine_gray, m)?)?;
    Ok(())
}

/// A fitted Fine-Gray model, held by the core.
#[pyclass(frozen, module = "hrh._core")]
pub(crate) struct FineGrayModel {
    fit: fg::FineGrayFit,
}

/// Fit a Fine-Gray model: `status` 0 = censored, 1 = cause of interest, 2 = competing.
/// Returns (its results as a dict, the fitted model).
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
) -> PyResult<(Bound<'py, PyDict>, FineGrayModel)> {
    let p = x.shape()[1];
    let (t, s, xs) = (time.as_slice()?, status.as_slice()?, x.as_slice()?);
    let data = fg::FineGrayData {
        time: t,
        status: s,
        x: xs,
        p,
        names: &names,
    };
    let mut f = run_controlled(py, None, "hrh.fine_gray", |c| {
        fg::fine_gray_with(&data, max_iter, tol, c)
    })?;
    let d = PyDict::new(py);
    let take = std::mem::take::<Vec<f64>>;
    d.set_item("coef", f.coef.clone().into_pyarray(py))?;
    d.set_item("std_err", take(&mut f.std_err).into_pyarray(py))?;
    d.set_item("z", take(&mut f.z).into_pyarray(py))?;
    d.set_item("p_value", take(&mut f.p_value).into_pyarray(py))?;
    d.set_item("var", take(&mut f.var).into_pyarray(py).reshape([p, p])?)?;
    let information = take(&mut f.information);
    d.set_item("information", information.into_pyarray(py).reshape([p, p])?)?;
    d.set_item("loglik", f.loglik)?;
    d.set_item("loglik_null", f.loglik_null)?;
    d.set_item("iterations", f.iterations)?;
    d.set_item("n", f.n)?;
    d.set_item("n_events", f.n_events)?;
    d.set_item("n_competing", f.n_competing)?;
    d.set_item("n_censored", f.n_censored)?;
    d.set_item("time", f.time.clone().into_pyarray(py))?;
    d.set_item("baseline_jump", f.baseline_jump.clone().into_pyarray(py))?;
    Ok((d, FineGrayModel { fit: f }))
}

#[pymethods]
impl FineGrayModel {
    /// Cumulative incidence of new covariate rows (m × p), all rows in one call: an
    /// m × k array at the fit's k exit times, or at `times` (a step function, 0 before
    /// the first exit time).
    #[pyo3(signature = (x_new, times=None))]
    fn predict<'py>(
        &self,
        py: Python<'py>,
        x_new: PyReadonlyArray2<'py, f64>,
        times: Option<F64<'py>>,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let (m, p) = (x_new.shape()[0], x_new.shape()[1]);
        let xs = x_new.as_slice()?;
        let q = match &times {
            Some(t) => Some(t.as_slice()?),
            None => None,
        };
        let fit = &self.fit;
        let out = run_controlled(py, None, "FineGrayModel.predict", |c| {
            let f = fg::predict_cumulative_incidence_with(fit, xs, p, c)?;
            match q {
                Some(q) => curves::rows_at(&fit.time, &f, m, q, 0.0),
                None => Ok(f),
            }
        })?;
        let k = q.map_or(fit.time.len(), |q| q.len());
        out.into_pyarray(py).reshape([m, k])
    }
}
