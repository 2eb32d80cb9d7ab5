//! Binding of `hrh_core::attrition::parametric`: the fit returns its results and an
//! opaque handle to the fitted model, whose methods give predictions and band rates.

use hrh_core::attrition::parametric::{self as pm, Dist, ParametricData};
use numpy::{
    IntoPyArray, PyArrayMethods, PyReadonlyArray1, PyReadonlyArray2, PyUntypedArrayMethods,
};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::errors::{choice, run_controlled};

type F64<'py> = PyReadonlyArray1<'py, f64>;
type U32<'py> = PyReadonlyArray1<'py, u32>;

const DISTS: [(&str, Dist); 4] = [
    ("exponential", Dist::Exponential),
    ("weibull", Dist::Weibull),
    ("lognormal", Dist::LogNormal),
    ("loglogistic", Dist::LogLogistic),
];

fn opt<'a>(a: &'a Option<F64<'_>>) -> PyResult<Option<&'a [f64]>> {
    Ok(match a {
        Some(a) => Some(a.as_slice()?),
        None => None,
    })
}

/// A fitted parametric (AFT) model, held by the core.
#[pyclass(frozen, module = "hrh._core")]
pub(crate) struct ParametricModel {
    model: pm::ParametricModel,
}

/// Parametric (AFT) survival model fit: (its results as a dict, the fitted model).
#[allow(clippy::too_many_arguments)]
#[pyfunction]
#[pyo3(signature = (time, event, x, names, entry, weights, *, dist, max_iter=50))]
fn parametric_fit<'py>(
    py: Python<'py>,
    time: F64<'py>,
    event: U32<'py>,
    x: PyReadonlyArray2<'py, f64>,
    names: Vec<String>,
    entry: Option<F64<'py>>,
    weights: Option<F64<'py>>,
    dist: &str,
    max_iter: usize,
) -> PyResult<(Bound<'py, PyDict>, ParametricModel)> {
    let dist = choice(py, "dist", dist, &DISTS)?;
    let p = x.shape()[1];
    let (t, e, xs) = (time.as_slice()?, event.as_slice()?, x.as_slice()?);
    let data = ParametricData {
        time: t,
        event: e,
        x: xs,
        p,
        names: &names,
        entry: opt(&entry)?,
        weights: opt(&weights)?,
    };
    let f = run_controlled(py, None, "hrh.parametric", |c| {
        pm::fit_with(&data, dist, max_iter, c)
    })?;
    let k = f.se.len();
    let d = PyDict::new(py);
    d.set_item("coef", f.model.coef.clone().into_pyarray(py))?;
    d.set_item("log_scale", f.model.log_scale)?;
    d.set_item("var", f.model.var.clone().into_pyarray(py).reshape([k, k])?)?;
    d.set_item("se", f.se.into_pyarray(py))?;
    d.set_item("z", f.z.into_pyarray(py))?;
    d.set_item("p", f.p_value.into_pyarray(py))?;
    d.set_item("loglik", f.loglik)?;
    d.set_item("loglik_null", f.loglik_null)?;
    d.set_item("iterations", f.iterations)?;
    d.set_item("n_events", f.n_events)?;
    Ok((d, ParametricModel { model: f.model }))
}

fn table<'py>(py: Python<'py>, t: pm::PredictionTable) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("estimate", t.estimate.into_pyarray(py))?;
    d.set_item("std_err", t.std_err.into_pyarray(py))?;
    d.set_item("lower", t.lower.into_pyarray(py))?;
    d.set_item("upper", t.upper.into_pyarray(py))?;
    d.set_item("band_probability", t.band_probability.into_pyarray(py))?;
    Ok(d)
}

#[pymethods]
impl ParametricModel {
    /// Predictions (survival, hazard, quantile, restricted mean) for new covariate
    /// rows, row-major (rows) × (values of `at`), all rows in one call.
    #[pyo3(signature = (x_new, at, *, kind, level))]
    fn predict<'py>(
        &self,
        py: Python<'py>,
        x_new: PyReadonlyArray2<'py, f64>,
        at: F64<'py>,
        kind: &str,
        level: f64,
    ) -> PyResult<Bound<'py, PyDict>> {
        let what = choice(
            py,
            "kind",
            kind,
            &[
                ("survival", pm::Prediction::Survival),
                ("hazard", pm::Prediction::Hazard),
                ("quantile", pm::Prediction::Quantile),
                ("rmst", pm::Prediction::Rmst),
            ],
        )?;
        let (rows, p) = (x_new.shape()[0], x_new.shape()[1]);
        let (xs, a, m) = (x_new.as_slice()?, at.as_slice()?, &self.model);
        let t = run_controlled(py, None, "ParametricModel.predict", |c| {
            pm::predict_with(m, xs, rows, p, what, a, level, c)
        })?;
        table(py, t)
    }

    /// Annual exit rates by band of time in post for new covariate rows.
    #[pyo3(signature = (x_new, edges, *, per, level))]
    fn band_rates<'py>(
        &self,
        py: Python<'py>,
        x_new: PyReadonlyArray2<'py, f64>,
        edges: F64<'py>,
        per: f64,
        level: f64,
    ) -> PyResult<Bound<'py, PyDict>> {
        let (rows, p) = (x_new.shape()[0], x_new.shape()[1]);
        let (xs, e, m) = (x_new.as_slice()?, edges.as_slice()?, &self.model);
        let t = run_controlled(py, None, "ParametricModel.band_rates", |c| {
            pm::band_rates_with(m, xs, rows, p, e, per, level, c)
        })?;
        table(py, t)
    }
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<ParametricModel>()?;
    m.add_function(wrap_pyfunction!(parametric_fit, m)?)?;
    Ok(())
}
