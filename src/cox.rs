//! Binding of `hrh_core::attrition::cox` and `cox_diagnostics`: the fit returns its
//! results and an opaque handle to the fitted model, whose methods give predictions,
//! residuals and the proportional-hazards test without the model leaving the core.

use hrh_core::attrition::cox::{self as coxm, CoxData, CoxFit, CoxTies};
use hrh_core::attrition::cox_diagnostics::{self as diag, CoxResidualType, ZphTransform};
use numpy::{
    IntoPyArray, PyArrayMethods, PyReadonlyArray1, PyReadonlyArray2, PyUntypedArrayMethods,
};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::errors::{choice, run_controlled};

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

/// The arrays of a Cox model's data as numpy holds them (read in place).
struct Inputs<'py> {
    time: F64<'py>,
    event: U32<'py>,
    x: PyReadonlyArray2<'py, f64>,
    entry: Option<F64<'py>>,
    strata: Option<U32<'py>>,
    weights: Option<F64<'py>>,
    offset: Option<F64<'py>>,
    cluster: Option<U32<'py>>,
}

impl Inputs<'_> {
    /// The core's view of the data, its covariates named by `names` (`x0`, `x1`, ...
    /// when the caller has none to give).
    fn data<'a>(&'a self, names: &'a [String]) -> PyResult<CoxData<'a>> {
        Ok(CoxData {
            entry: slice(&self.entry)?,
            time: self.time.as_slice()?,
            event: self.event.as_slice()?,
            x: self.x.as_slice()?,
            p: self.x.shape()[1],
            names,
            strata: slice(&self.strata)?,
            weights: slice(&self.weights)?,
            offset: slice(&self.offset)?,
            cluster: slice(&self.cluster)?,
        })
    }

    fn anonymous_names(&self) -> Vec<String> {
        (0..self.x.shape()[1]).map(|j| format!("x{j}")).collect()
    }
}

/// The data a model was fitted to, handed back for its residuals and test: the tuple
/// (time, event, x, entry, strata, weights, offset).
#[derive(FromPyObject)]
struct Fitted<'py>(
    F64<'py>,
    U32<'py>,
    PyReadonlyArray2<'py, f64>,
    Option<F64<'py>>,
    Option<U32<'py>>,
    Option<F64<'py>>,
    Option<F64<'py>>,
);

impl<'py> Fitted<'py> {
    fn inputs(self) -> Inputs<'py> {
        Inputs {
            time: self.0,
            event: self.1,
            x: self.2,
            entry: self.3,
            strata: self.4,
            weights: self.5,
            offset: self.6,
            cluster: None,
        }
    }
}

/// A fitted Cox model, held by the core: predictions, residuals and the test of
/// proportional hazards are its methods.
#[pyclass(frozen, module = "hrh._core")]
pub(crate) struct CoxModel {
    fit: CoxFit,
    ties: CoxTies,
}

/// Cox proportional-hazards fit: (its results as a dict, the fitted model).
#[allow(clippy::too_many_arguments)]
#[pyfunction]
#[pyo3(signature = (time, event, x, names, entry, strata, weights, *, ties, robust=false, max_iter=30, offset=None, cluster=None))]
fn cox<'py>(
    py: Python<'py>,
    time: F64<'py>,
    event: U32<'py>,
    x: PyReadonlyArray2<'py, f64>,
    names: Vec<String>,
    entry: Option<F64<'py>>,
    strata: Option<U32<'py>>,
    weights: Option<F64<'py>>,
    ties: &str,
    robust: bool,
    max_iter: usize,
    offset: Option<F64<'py>>,
    cluster: Option<U32<'py>>,
) -> PyResult<(Bound<'py, PyDict>, CoxModel)> {
    let ties = ties_of(py, ties)?;
    let p = x.shape()[1];
    let inputs = Inputs {
        time,
        event,
        x,
        entry,
        strata,
        weights,
        offset,
        cluster,
    };
    let data = inputs.data(&names)?;
    let mut f = run_controlled(py, None, "hrh.cox", |c| {
        coxm::cox_with(&data, ties, max_iter, robust, c)
    })?;
    let d = PyDict::new(py);
    d.set_item("coef", f.coef.clone().into_pyarray(py))?;
    d.set_item("se", std::mem::take(&mut f.se).into_pyarray(py))?;
    d.set_item("se_model", std::mem::take(&mut f.se_model).into_pyarray(py))?;
    d.set_item("robust", f.robust)?;
    d.set_item("robust_score_test", f.robust_score_test)?;
    d.set_item("z", std::mem::take(&mut f.z).into_pyarray(py))?;
    d.set_item("p", std::mem::take(&mut f.p_value).into_pyarray(py))?;
    d.set_item("var", f.var.clone().into_pyarray(py).reshape([p, p])?)?;
    d.set_item("loglik_null", f.loglik_null)?;
    d.set_item("loglik", f.loglik)?;
    d.set_item("lr_test", f.lr_test)?;
    d.set_item("wald_test", f.wald_test)?;
    d.set_item("score_test", f.score_test)?;
    d.set_item("df", f.df)?;
    d.set_item("test_p_values", f.test_p_values.to_vec())?;
    d.set_item("concordance", f.concordance)?;
    d.set_item("concordance_std_err", f.concordance_std_err)?;
    d.set_item("iterations", f.iterations)?;
    d.set_item("n_events", f.n_events)?;
    let stratum = std::mem::take(&mut f.baseline_stratum);
    d.set_item("baseline_stratum", stratum.into_pyarray(py))?;
    let time = std::mem::take(&mut f.baseline_time);
    d.set_item("baseline_time", time.into_pyarray(py))?;
    let hazard = std::mem::take(&mut f.baseline_hazard);
    d.set_item("baseline_hazard", hazard.into_pyarray(py))?;
    Ok((d, CoxModel { fit: f, ties }))
}

#[pymethods]
impl CoxModel {
    /// Survival curves, standard errors and intervals of new covariate rows, all rows
    /// in one call: (rows) × (times) arrays.
    #[pyo3(signature = (x_new, strata, offset, times, *, level))]
    fn predict<'py>(
        &self,
        py: Python<'py>,
        x_new: PyReadonlyArray2<'py, f64>,
        strata: U32<'py>,
        offset: Option<F64<'py>>,
        times: F64<'py>,
        level: f64,
    ) -> PyResult<Bound<'py, PyDict>> {
        let (m, p) = (x_new.shape()[0], x_new.shape()[1]);
        let (xs, st, ts) = (x_new.as_slice()?, strata.as_slice()?, times.as_slice()?);
        let off = slice(&offset)?;
        let f = &self.fit;
        let r = run_controlled(py, None, "CoxResult.predict_survival", |c| {
            coxm::predict_survival_with(f, xs, p, st, off, ts, level, c)
        })?;
        let k = ts.len();
        let d = PyDict::new(py);
        d.set_item("survival", r.survival.into_pyarray(py).reshape([m, k])?)?;
        d.set_item("std_err", r.std_err.into_pyarray(py).reshape([m, k])?)?;
        d.set_item("lower", r.lower.into_pyarray(py).reshape([m, k])?)?;
        d.set_item("upper", r.upper.into_pyarray(py).reshape([m, k])?)?;
        Ok(d)
    }

    /// Residuals of the model on the data it was fitted to (`kind` as R's
    /// `residuals.coxph(type = )`).
    #[pyo3(signature = (data, *, kind))]
    fn residuals<'py>(
        &self,
        py: Python<'py>,
        data: Fitted<'py>,
        kind: &str,
    ) -> PyResult<Bound<'py, PyDict>> {
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
        let inputs = data.inputs();
        let names = inputs.anonymous_names();
        let data = inputs.data(&names)?;
        let (f, ties) = (&self.fit, self.ties);
        let r = run_controlled(py, None, "CoxResult.residuals", |c| {
            diag::residuals_with(&data, &f.coef, &f.var_model, ties, kind, c)
        })?;
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

    /// Test of proportional hazards on Schoenfeld residuals (R's `cox.zph`), on the
    /// data the model was fitted to; `assign` gives each coefficient's term.
    #[pyo3(signature = (data, assign, *, transform))]
    fn zph<'py>(
        &self,
        py: Python<'py>,
        data: Fitted<'py>,
        assign: Vec<usize>,
        transform: &str,
    ) -> PyResult<Bound<'py, PyDict>> {
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
        let inputs = data.inputs();
        let names = inputs.anonymous_names();
        let data = inputs.data(&names)?;
        let (f, ties) = (&self.fit, self.ties);
        let r = run_controlled(py, None, "CoxResult.zph", |c| {
            diag::zph_with(&data, &f.coef, ties, transform, &assign, c)
        })?;
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
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<CoxModel>()?;
    m.add_function(wrap_pyfunction!(cox, m)?)?;
    Ok(())
}
