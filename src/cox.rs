//! Binding of `hrh_core::attrition::cox` predictions and `cox_diagnostics`.

use hrh_core::attrition::cox::{self as coxm, CoxData, CoxFit, CoxTies};
use hrh_core::attrition::cox_diagnostics::{self as diag, CoxResidualType, ZphTransform};
use numpy::{
    IntoPyArray, PyArrayMethods, PyReadonlyArray1, PyReadonlyArray2, PyUntypedArrayMethods,
};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::errors::{choice, run};

type F64<'py> = PyReadonlyArray1<'py, f64>;
type U32<'py> = PyReadonlyArray1<'py, u32>;

fn slice<'a, T: numpy::Element>(
    a: &'a Option<PyReadonlyArray1<'_, T>>,
) -> PyResult<Option<&'a [T]>> {
    Ok(match a {
        Some(a) => Some(a.as_slice()?),
        None => None,
    })
}

fn ties_of(py: Python<'_>, ties: &str) -> PyResult<CoxTies> {
    choice(
        py,
        "ties",
        ties,
        &[("efron", CoxTies::Efron), ("breslow", CoxTies::Breslow)],
    )
}

/// A float64 array out of the fitted model's dict.
fn vec_of(fit: &Bound<'_, PyDict>, key: &str) -> PyResult<Vec<f64>> {
    match fit.get_item(key)? {
        Some(v) => {
            let a = v.extract::<PyReadonlyArray1<f64>>();
            match a {
                Ok(a) => Ok(a.as_slice()?.to_vec()),
                // 2-d arrays (the variance) are read flat.
                Err(_) => {
                    let a = v.extract::<PyReadonlyArray2<f64>>()?;
                    Ok(a.as_array().iter().copied().collect())
                }
            }
        }
        None => Err(pyo3::exceptions::PyKeyError::new_err(key.to_string())),
    }
}

fn u32_of(fit: &Bound<'_, PyDict>, key: &str) -> PyResult<Vec<u32>> {
    match fit.get_item(key)? {
        Some(v) => Ok(v.extract::<U32>()?.as_slice()?.to_vec()),
        None => Err(pyo3::exceptions::PyKeyError::new_err(key.to_string())),
    }
}

/// Survival curves, standard errors and intervals of new covariate rows from a fitted
/// model (the dict `cox` returns), all rows in one call.
#[allow(clippy::too_many_arguments)]
#[pyfunction]
#[pyo3(signature = (fit, x_new, strata, offset, times, *, level))]
fn cox_predict<'py>(
    py: Python<'py>,
    fit: &Bound<'py, PyDict>,
    x_new: PyReadonlyArray2<'py, f64>,
    strata: U32<'py>,
    offset: Option<F64<'py>>,
    times: F64<'py>,
    level: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let f = CoxFit {
        coef: vec_of(fit, "coef")?,
        var: vec_of(fit, "var")?,
        means: vec_of(fit, "means")?,
        baseline_stratum: u32_of(fit, "baseline_stratum")?,
        curve_stratum: u32_of(fit, "curve_stratum")?,
        curve_time: vec_of(fit, "curve_time")?,
        curve_hazard: vec_of(fit, "curve_hazard")?,
        curve_var: vec_of(fit, "curve_var")?,
        curve_xbar: vec_of(fit, "curve_xbar")?,
        ..Default::default()
    };
    let (m, p) = (x_new.shape()[0], x_new.shape()[1]);
    let (xs, st, ts) = (x_new.as_slice()?, strata.as_slice()?, times.as_slice()?);
    let off = slice(&offset)?;
    let r = run(py, || coxm::predict_survival(&f, xs, p, st, off, ts, level))?;
    let k = ts.len();
    let d = PyDict::new(py);
    d.set_item("survival", r.survival.into_pyarray(py).reshape([m, k])?)?;
    d.set_item("std_err", r.std_err.into_pyarray(py).reshape([m, k])?)?;
    d.set_item("lower", r.lower.into_pyarray(py).reshape([m, k])?)?;
    d.set_item("upper", r.upper.into_pyarray(py).reshape([m, k])?)?;
    Ok(d)
}

/// Residuals of a fitted Cox model (`kind` as R's `residuals.coxph(type = )`).
#[allow(clippy::too_many_arguments)]
#[pyfunction]
#[pyo3(signature = (time, event, x, entry, strata, weights, offset, coef, var_model, *, ties, kind))]
fn cox_residuals<'py>(
    py: Python<'py>,
    time: F64<'py>,
    event: U32<'py>,
    x: PyReadonlyArray2<'py, f64>,
    entry: Option<F64<'py>>,
    strata: Option<U32<'py>>,
    weights: Option<F64<'py>>,
    offset: Option<F64<'py>>,
    coef: F64<'py>,
    var_model: PyReadonlyArray2<'py, f64>,
    ties: &str,
    kind: &str,
) -> PyResult<Bound<'py, PyDict>> {
    let ties = ties_of(py, ties)?;
    let kind = choice(
        py,
        "type",
        kind,
        &[
            ("martingale", CoxResidualType::Martingale),
            ("deviance", CoxResidualType::Deviance),
            ("score", CoxResidualType::Score),
            ("schoenfeld", CoxResidualType::Schoenfeld),
            ("dfbeta", CoxResidualType::Dfbeta),
            ("dfbetas", CoxResidualType::Dfbetas),
        ],
    )?;
    let p = x.shape()[1];
    let names: Vec<String> = (0..p).map(|j| format!("x{j}")).collect();
    let data = CoxData {
        entry: slice(&entry)?,
        time: time.as_slice()?,
        event: event.as_slice()?,
        x: x.as_slice()?,
        p,
        names: &names,
        strata: slice(&strata)?,
        weights: slice(&weights)?,
        offset: slice(&offset)?,
        cluster: None,
    };
    let (b, v) = (coef.as_slice()?, var_model.as_slice()?);
    let r = run(py, || diag::residuals(&data, b, v, ties, kind))?;
    let rows = r.row.len();
    let d = PyDict::new(py);
    let row: Vec<u64> = r.row.iter().map(|&i| i as u64).collect();
    d.set_item("row", row.into_pyarray(py))?;
    d.set_item("time", r.time.into_pyarray(py))?;
    d.set_item(
        "values",
        r.values.into_pyarray(py).reshape([rows, r.columns])?,
    )?;
    Ok(d)
}

/// Test of proportional hazards on Schoenfeld residuals (R's `cox.zph`).
#[allow(clippy::too_many_arguments)]
#[pyfunction]
#[pyo3(signature = (time, event, x, entry, strata, weights, offset, coef, assign, *, ties, transform))]
fn cox_zph<'py>(
    py: Python<'py>,
    time: F64<'py>,
    event: U32<'py>,
    x: PyReadonlyArray2<'py, f64>,
    entry: Option<F64<'py>>,
    strata: Option<U32<'py>>,
    weights: Option<F64<'py>>,
    offset: Option<F64<'py>>,
    coef: F64<'py>,
    assign: Vec<usize>,
    ties: &str,
    transform: &str,
) -> PyResult<Bound<'py, PyDict>> {
    let ties = ties_of(py, ties)?;
    let transform = choice(
        py,
        "transform",
        transform,
        &[
            ("km", ZphTransform::Km),
            ("rank", ZphTransform::Rank),
            ("identity", ZphTransform::Identity),
            ("log", ZphTransform::Log),
        ],
    )?;
    let p = x.shape()[1];
    let names: Vec<String> = (0..p).map(|j| format!("x{j}")).collect();
    let data = CoxData {
        entry: slice(&entry)?,
        time: time.as_slice()?,
        event: event.as_slice()?,
        x: x.as_slice()?,
        p,
        names: &names,
        strata: slice(&strata)?,
        weights: slice(&weights)?,
        offset: slice(&offset)?,
        cluster: None,
    };
    let b = coef.as_slice()?;
    let r = run(py, || diag::zph(&data, b, ties, transform, &assign))?;
    let ne = r.row.len();
    let d = PyDict::new(py);
    d.set_item("chisq", r.chisq.into_pyarray(py))?;
    d.set_item("df", r.df)?;
    d.set_item("p", r.p_value.into_pyarray(py))?;
    let row: Vec<u64> = r.row.iter().map(|&i| i as u64).collect();
    d.set_item("row", row.into_pyarray(py))?;
    d.set_item("time", r.time.into_pyarray(py))?;
    d.set_item("x", r.x.into_pyarray(py))?;
    d.set_item(
        "scaled",
        r.scaled.into_pyarray(py).reshape([ne, r.n_terms])?,
    )?;
    Ok(d)
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(cox_predict, m)?)?;
    m.add_function(wrap_pyfunction!(cox_residuals, m)?)?;
    m.add_function(wrap_pyfunction!(cox_zph, m)?)?;
    Ok(())
}
