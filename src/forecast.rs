//! Binding of `hrh_core::forecast`.

use hrh_core::forecast::{
    arima::{ArimaSpec, Search},
    coefficient_test, fit_groups_with,
    grey::GreySpec,
    holt::{EtsSpec, Initial, Trend},
    Breaks, Model,
};
use hrh_core::Error;
use numpy::{IntoPyArray, PyReadonlyArray1};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::errors::{option, run_controlled, to_pyerr};

type F64<'py> = PyReadonlyArray1<'py, f64>;
type U64<'py> = PyReadonlyArray1<'py, u64>;

#[allow(clippy::too_many_arguments)]
fn model(
    name: &str,
    initial: &str,
    alpha: Option<f64>,
    beta: Option<f64>,
    phi: Option<f64>,
    first_residual: bool,
    ddof: u8,
    order: Option<(usize, usize, usize)>,
    include_mean: bool,
    drift: bool,
    search: Search,
) -> Result<Model, Error> {
    let initial = match initial {
        "optimal" => Initial::Optimal,
        "simple" => Initial::Simple,
        other => {
            return Err(Error::argument(
                "initial",
                format!("'{other}' is not 'optimal' or 'simple'"),
            ))
        }
    };
    let ets = |trend| {
        Model::Ets(EtsSpec {
            trend,
            initial,
            alpha,
            beta,
            phi,
        })
    };
    Ok(match name {
        "linear" => Model::Linear,
        "loglinear" => Model::LogLinear,
        "ses" => ets(Trend::None),
        "holt" => ets(Trend::Additive),
        "damped" => ets(Trend::Damped),
        "gm11" => Model::Grey(GreySpec {
            first_residual,
            ddof,
        }),
        "arima" => Model::Arima(ArimaSpec {
            order,
            include_mean,
            drift,
            search,
        }),
        other => {
            return Err(Error::argument(
                "model",
                format!(
                    "'{other}' is not one of 'linear', 'loglinear', 'ses', 'holt', \
                     'damped', 'gm11', 'arima'"
                ),
            ))
        }
    })
}

/// Fit one model to every series and forecast; flat arrays, series after series.
#[allow(clippy::too_many_arguments)]
#[pyfunction]
#[pyo3(signature = (times, values, offsets, labels, *, model, horizon, levels, initial="optimal", alpha=None, beta=None, phi=None, first_residual=false, ddof=0, order=None, mean=true, drift=false, search, breaks=Vec::new(), slope_breaks=Vec::new(), conf_level=0.95, progress_after=None))]
fn forecast<'py>(
    py: Python<'py>,
    times: F64<'py>,
    values: F64<'py>,
    offsets: U64<'py>,
    labels: Vec<String>,
    model: &str,
    horizon: usize,
    levels: Vec<f64>,
    initial: &str,
    alpha: Option<f64>,
    beta: Option<f64>,
    phi: Option<f64>,
    first_residual: bool,
    ddof: u8,
    order: Option<(usize, usize, usize)>,
    mean: bool,
    drift: bool,
    search: &Bound<'py, PyAny>,
    breaks: Vec<f64>,
    slope_breaks: Vec<f64>,
    conf_level: f64,
    progress_after: Option<f64>,
) -> PyResult<Bound<'py, PyDict>> {
    let search = option(
        py,
        "search",
        search,
        &[
            ("stepwise", Search::Stepwise),
            ("exhaustive", Search::Exhaustive),
        ],
    )?;
    let m = self::model(
        model,
        initial,
        alpha,
        beta,
        phi,
        first_residual,
        ddof,
        order,
        mean,
        drift,
        search,
    )
    .map_err(|e| to_pyerr(py, e))?;
    let breaks = Breaks {
        level: breaks,
        slope: slope_breaks,
    };
    let (t, v) = (times.as_slice()?, values.as_slice()?);
    let offsets: Vec<usize> = offsets.as_slice()?.iter().map(|&o| o as usize).collect();
    let fits = run_controlled(py, progress_after, "hrh.trend", |c| {
        fit_groups_with(t, v, &offsets, &labels, &m, (horizon, &levels, &breaks), c)
    })?;
    let g = fits.len();
    let names = m.param_names_with(&breaks);
    let mask = m.coefficient_mask(&breaks);
    let mut fitted = Vec::with_capacity(v.len());
    let mut residuals = Vec::with_capacity(v.len());
    let mut mean = Vec::with_capacity(g * horizon);
    let mut lower = Vec::with_capacity(levels.len() * g * horizon);
    let mut upper = Vec::with_capacity(levels.len() * g * horizon);
    let mut params = Vec::with_capacity(g * names.len());
    let mut coef_df = Vec::with_capacity(g);
    let mut crit: [Vec<f64>; 8] = Default::default();
    let (mut grey_c, mut grey_p, mut grade) = (Vec::new(), Vec::new(), Vec::new());
    for f in &fits {
        fitted.extend_from_slice(&f.fitted);
        residuals.extend_from_slice(&f.residuals);
        mean.extend_from_slice(&f.mean);
        params.extend_from_slice(&f.params);
        coef_df.push(f.coef_df);
        let c = &f.criteria;
        let a = &f.accuracy;
        for (k, x) in [
            c.loglik, c.aic, c.aicc, c.bic, c.sigma2, a.rmse, a.mae, a.mape,
        ]
        .into_iter()
        .enumerate()
        {
            crit[k].push(x);
        }
        if let Some(gr) = f.grey {
            grey_c.push(gr.c);
            grey_p.push(gr.p);
            grade.push(gr.grade.as_str());
        }
    }
    // Level-major: lower[l][series][step].
    for l in 0..levels.len() {
        for f in &fits {
            lower.extend_from_slice(&f.lower[l]);
            upper.extend_from_slice(&f.upper[l]);
        }
    }
    let d = PyDict::new(py);
    d.set_item("model_name", m.name())?;
    d.set_item("fitted", fitted.into_pyarray(py))?;
    d.set_item("residuals", residuals.into_pyarray(py))?;
    d.set_item("mean", mean.into_pyarray(py))?;
    d.set_item("lower", lower.into_pyarray(py))?;
    d.set_item("upper", upper.into_pyarray(py))?;
    // Coefficient table, series by series: estimate, std_err, statistic, p, limits.
    let k = names.len();
    let mut cols: [Vec<f64>; 6] = Default::default();
    let (mut series, mut term) = (Vec::new(), Vec::new());
    for (gi, f) in fits.iter().enumerate() {
        for j in (0..k).filter(|&j| mask[j] && !f.params[j].is_nan()) {
            let (est, se) = (f.params[j], f.std_err[j]);
            let (z, p, lo, hi) = coefficient_test(est, se, f.coef_df, conf_level);
            for (col, x) in cols.iter_mut().zip([est, se, z, p, lo, hi]) {
                col.push(x);
            }
            series.push(gi as u64);
            term.push(names[j].clone());
        }
    }
    let coef = PyDict::new(py);
    coef.set_item("series", series.into_pyarray(py))?;
    coef.set_item("term", term)?;
    for (name, col) in [
        "estimate",
        "std_err",
        "statistic",
        "p_value",
        "lower",
        "upper",
    ]
    .into_iter()
    .zip(cols)
    {
        coef.set_item(name, col.into_pyarray(py))?;
    }
    coef.set_item("df", coef_df.into_pyarray(py))?;
    d.set_item("coefficients", coef)?;
    d.set_item("params", params.into_pyarray(py))?;
    d.set_item("param_names", names)?;
    for (k, name) in [
        "loglik", "aic", "aicc", "bic", "sigma2", "rmse", "mae", "mape",
    ]
    .into_iter()
    .enumerate()
    {
        d.set_item(name, std::mem::take(&mut crit[k]).into_pyarray(py))?;
    }
    if !grade.is_empty() {
        d.set_item("grey_c", grey_c.into_pyarray(py))?;
        d.set_item("grey_p", grey_p.into_pyarray(py))?;
        d.set_item("grey_grade", grade)?;
    }
    Ok(d)
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(forecast, m)?)?;
    Ok(())
}
