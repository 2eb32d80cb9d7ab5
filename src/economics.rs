//! Binding of `hrh_core::planning::economics`.

use hrh_core::planning::economics as e;
use numpy::{IntoPyArray, PyReadonlyArray1};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::errors::{option, run};

type F64<'py> = PyReadonlyArray1<'py, f64>;

/// Discount factors of `years`.
#[pyfunction]
#[pyo3(signature = (years, rate, base_year, timing))]
fn discount_factors<'py>(
    py: Python<'py>,
    years: Vec<i32>,
    rate: f64,
    base_year: i32,
    timing: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, numpy::PyArray1<f64>>> {
    let timing = option(
        py,
        "timing",
        timing,
        &[
            ("start", e::Timing::Start),
            ("mid", e::Timing::Mid),
            ("end", e::Timing::End),
        ],
    )?;
    let f = run(py, || e::discount_factors(&years, rate, base_year, timing))?;
    Ok(f.into_pyarray(py))
}

/// Each draw's discounted sum (draws x years, flat) and its mean and quantiles.
#[pyfunction]
fn discounted<'py>(
    py: Python<'py>,
    x: F64<'py>,
    factors: F64<'py>,
) -> PyResult<Bound<'py, numpy::PyArray1<f64>>> {
    let (x, f) = (x.as_slice()?, factors.as_slice()?);
    let out = py.detach(|| e::discounted(x, f));
    Ok(out.into_pyarray(py))
}

/// Mean and quantiles of draws: (mean, [q5, q25, q50, q75, q95]).
#[pyfunction]
fn summary(py: Python<'_>, x: F64<'_>) -> PyResult<(f64, Vec<f64>)> {
    let x = x.as_slice()?;
    let (m, q) = py.detach(|| e::summary(x));
    Ok((m, q.to_vec()))
}

/// The cost-effectiveness ratio of paired draws.
#[pyfunction]
fn ratio<'py>(py: Python<'py>, dc: F64<'py>, de: F64<'py>) -> PyResult<Bound<'py, PyDict>> {
    let (dc, de) = (dc.as_slice()?, de.as_slice()?);
    let r = py.detach(|| e::ratio(dc, de));
    let d = PyDict::new(py);
    d.set_item("ratio", r.ratio)?;
    d.set_item("quantiles", r.quantiles.to_vec())?;
    d.set_item("p_effect_positive", r.p_effect_positive)?;
    Ok(d)
}

/// Acceptability per willingness to pay.
#[pyfunction]
fn acceptability<'py>(
    py: Python<'py>,
    dc: F64<'py>,
    de: F64<'py>,
    wtp: F64<'py>,
) -> PyResult<Bound<'py, numpy::PyArray1<f64>>> {
    let (dc, de, wtp) = (dc.as_slice()?, de.as_slice()?, wtp.as_slice()?);
    Ok(run(py, || e::acceptability(dc, de, wtp))?.into_pyarray(py))
}

/// Probability that each strategy has the largest net benefit, per (wtp, strategy).
#[pyfunction]
fn p_best<'py>(
    py: Python<'py>,
    cost: Vec<Vec<f64>>,
    effect: Vec<Vec<f64>>,
    wtp: F64<'py>,
) -> PyResult<Bound<'py, numpy::PyArray1<f64>>> {
    let wtp = wtp.as_slice()?;
    Ok(run(py, || e::p_best(&cost, &effect, wtp))?.into_pyarray(py))
}

/// Frontier status ("frontier", "dominated", "extendedly dominated") and ratio per
/// strategy.
#[pyfunction]
fn frontier(py: Python<'_>, cost: Vec<f64>, effect: Vec<f64>) -> PyResult<Vec<(String, f64)>> {
    let f = run(py, || e::frontier(&cost, &effect))?;
    Ok(f.into_iter()
        .map(|(s, r)| {
            let s = match s {
                e::Status::Frontier => "frontier",
                e::Status::Dominated => "dominated",
                e::Status::ExtendedlyDominated => "extendedly dominated",
            };
            (s.to_string(), r)
        })
        .collect())
}

/// Partial rank correlations of `p` parameters (`x`, n x p flat) with `y`.
#[pyfunction]
fn prcc<'py>(
    py: Python<'py>,
    x: F64<'py>,
    p: usize,
    y: F64<'py>,
) -> PyResult<Bound<'py, numpy::PyArray1<f64>>> {
    let (x, y) = (x.as_slice()?, y.as_slice()?);
    Ok(run(py, || e::prcc(x, y.len(), p, y))?.into_pyarray(py))
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(discount_factors, m)?)?;
    m.add_function(wrap_pyfunction!(discounted, m)?)?;
    m.add_function(wrap_pyfunction!(summary, m)?)?;
    m.add_function(wrap_pyfunction!(ratio, m)?)?;
    m.add_function(wrap_pyfunction!(acceptability, m)?)?;
    m.add_function(wrap_pyfunction!(p_best, m)?)?;
    m.add_function(wrap_pyfunction!(frontier, m)?)?;
    m.add_function(wrap_pyfunction!(prcc, m)?)?;
    Ok(())
}
