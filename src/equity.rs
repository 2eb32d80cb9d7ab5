//! Binding of `hrh_core::equity`.

use hrh_core::equity::{
    concentration::{concentration_index as ci, Correction},
    gini as g,
    partial::{self, Term},
    polarization as pz,
    table::{equity_table_with as table, Measure},
    theil as th, Distribution,
};
use hrh_core::Error;
use numpy::{IntoPyArray, PyArray2, PyReadonlyArray1};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::errors::{choice, run, run_controlled, run_on_arguments};
use crate::F64Array;

type F64<'py> = PyReadonlyArray1<'py, f64>;
type U32<'py> = PyReadonlyArray1<'py, u32>;

fn slice<'a>(a: &'a Option<F64<'_>>) -> PyResult<Option<&'a [f64]>> {
    Ok(match a {
        Some(a) => Some(a.as_slice()?),
        None => None,
    })
}

/// Weighted Gini coefficient.
#[pyfunction]
#[pyo3(signature = (values, weights=None, *, corrected=false))]
fn gini(
    py: Python<'_>,
    values: F64<'_>,
    weights: Option<F64<'_>>,
    corrected: bool,
) -> PyResult<f64> {
    let (v, w) = (values.as_slice()?, slice(&weights)?);
    run_on_arguments(py, || {
        g::gini(&Distribution::new(v, w)?, corrected, w.is_some())
    })
}

/// Lorenz curve: (population_share, value_share), n + 1 points from (0, 0).
#[pyfunction]
#[pyo3(signature = (values, weights=None))]
fn lorenz<'py>(
    py: Python<'py>,
    values: F64<'py>,
    weights: Option<F64<'py>>,
) -> PyResult<(F64Array<'py>, F64Array<'py>)> {
    let (v, w) = (values.as_slice()?, slice(&weights)?);
    let (p, l) = run_on_arguments(py, || Ok(g::lorenz(&Distribution::new(v, w)?)))?;
    Ok((p.into_pyarray(py), l.into_pyarray(py)))
}

fn reference(mean: &Bound<'_, PyAny>) -> PyResult<th::Reference> {
    if let Ok(s) = mean.extract::<String>() {
        return match s.as_str() {
            "weighted" => Ok(th::Reference::Weighted),
            "unweighted" => Ok(th::Reference::Unweighted),
            other => Err(crate::errors::to_pyerr(
                mean.py(),
                Error::argument(
                    "mean",
                    format!("'{other}' is not 'weighted', 'unweighted' or a number"),
                ),
            )),
        };
    }
    Ok(th::Reference::Value(mean.extract::<f64>()?))
}

/// Theil index with decomposition: dict of total, reference, between and within, with
/// `unit_contribution` when `units` and the `group_*` arrays when `groups` is given.
#[allow(clippy::too_many_arguments)]
#[pyfunction]
#[pyo3(signature = (values, weights=None, groups=None, n_groups=0, *, kind, mean, log_base, units=true))]
fn theil<'py>(
    py: Python<'py>,
    values: F64<'py>,
    weights: Option<F64<'py>>,
    groups: Option<U32<'py>>,
    n_groups: usize,
    kind: &str,
    mean: &Bound<'py, PyAny>,
    log_base: f64,
    units: bool,
) -> PyResult<Bound<'py, PyDict>> {
    let kind = choice(
        py,
        "kind",
        kind,
        &[("T", th::TheilKind::T), ("L", th::TheilKind::L)],
    )?;
    let reference = reference(mean)?;
    let (v, w) = (values.as_slice()?, slice(&weights)?);
    let gs = match &groups {
        Some(gr) => Some((gr.as_slice()?, n_groups)),
        None => None,
    };
    // Without each unit's term, about the weighted mean: the fast path where it
    // applies (the general one names every error).
    let t = run_on_arguments(py, || {
        let fast = (!units && reference == th::Reference::Weighted)
            .then(|| th::fast::theil_fast(v, w, kind, log_base, gs))
            .flatten();
        match fast {
            Some(t) => Ok(t),
            None => th::theil_of(v, w, kind, reference, log_base, gs, units),
        }
    })?;
    let d = PyDict::new(py);
    d.set_item("total", t.total)?;
    d.set_item("reference", t.reference)?;
    d.set_item("between", t.between)?;
    d.set_item("within", t.within)?;
    // Only what was asked for: each unit's term with `units`, the groups' parts with
    // groups (empty arrays cost as much to make as a small index does to compute).
    if units {
        d.set_item("unit_contribution", t.unit_contribution.into_pyarray(py))?;
    }
    if groups.is_some() {
        d.set_item("group_weight_share", t.group_weight_share.into_pyarray(py))?;
        d.set_item("group_value_share", t.group_value_share.into_pyarray(py))?;
        d.set_item("group_mean", t.group_mean.into_pyarray(py))?;
        d.set_item("group_index", t.group_index.into_pyarray(py))?;
        d.set_item("group_within", t.group_within.into_pyarray(py))?;
        d.set_item("group_between", t.group_between.into_pyarray(py))?;
    }
    Ok(d)
}

/// Generalised entropy GE(alpha).
#[pyfunction]
#[pyo3(signature = (values, weights=None, *, alpha))]
fn generalized_entropy(
    py: Python<'_>,
    values: F64<'_>,
    weights: Option<F64<'_>>,
    alpha: f64,
) -> PyResult<f64> {
    let (v, w) = (values.as_slice()?, slice(&weights)?);
    run_on_arguments(py, || {
        th::generalized_entropy(&Distribution::new(v, w)?, alpha)
    })
}

/// Atkinson index.
#[pyfunction]
#[pyo3(signature = (values, weights=None, *, epsilon))]
fn atkinson(
    py: Python<'_>,
    values: F64<'_>,
    weights: Option<F64<'_>>,
    epsilon: f64,
) -> PyResult<f64> {
    let (v, w) = (values.as_slice()?, slice(&weights)?);
    run_on_arguments(py, || th::atkinson(&Distribution::new(v, w)?, epsilon))
}

/// Coefficient of variation.
#[pyfunction]
#[pyo3(signature = (values, weights=None, *, ddof))]
fn cv(py: Python<'_>, values: F64<'_>, weights: Option<F64<'_>>, ddof: f64) -> PyResult<f64> {
    let (v, w) = (values.as_slice()?, slice(&weights)?);
    run_on_arguments(py, || th::cv(&Distribution::new(v, w)?, ddof))
}

/// Concentration index; correction None, "wagstaff" or "erreygers" with bounds.
#[allow(clippy::too_many_arguments)]
#[pyfunction]
#[pyo3(signature = (values, rank, weights=None, *, correction=None, lower=0.0, upper=1.0))]
fn concentration_index(
    py: Python<'_>,
    values: F64<'_>,
    rank: F64<'_>,
    weights: Option<F64<'_>>,
    correction: Option<&str>,
    lower: f64,
    upper: f64,
) -> PyResult<f64> {
    let c = match correction {
        None => Correction::None,
        Some("wagstaff") => Correction::Wagstaff { lower, upper },
        Some("erreygers") => Correction::Erreygers { lower, upper },
        Some(other) => {
            return Err(crate::errors::to_pyerr(
                py,
                Error::argument(
                    "correction",
                    format!("'{other}' is not None, 'wagstaff' or 'erreygers'"),
                ),
            ))
        }
    };
    let (v, r, w) = (values.as_slice()?, rank.as_slice()?, slice(&weights)?);
    run_on_arguments(py, || ci(&Distribution::new(v, w)?, r, c))
}

/// Polarization index: method "esteban_ray", "wolfson" or "zhang_kanbur".
#[pyfunction]
#[pyo3(signature = (values, weights=None, groups=None, n_groups=0, *, method, alpha))]
#[allow(clippy::too_many_arguments)]
fn polarization(
    py: Python<'_>,
    values: F64<'_>,
    weights: Option<F64<'_>>,
    groups: Option<U32<'_>>,
    n_groups: usize,
    method: &str,
    alpha: f64,
) -> PyResult<f64> {
    let (v, w) = (values.as_slice()?, slice(&weights)?);
    let gs = match &groups {
        Some(g) => Some(g.as_slice()?),
        None => None,
    };
    let method = method.to_string();
    run_on_arguments(py, move || {
        let d = Distribution::new(v, w)?;
        match method.as_str() {
            "esteban_ray" => match gs {
                Some(g) => pz::esteban_ray_grouped(&d, g, n_groups, alpha),
                None => pz::esteban_ray(&d, alpha),
            },
            "wolfson" => match gs {
                Some(_) => Err(Error::argument(
                    "groups",
                    "method 'wolfson' is defined on units and takes no groups",
                )),
                None => pz::wolfson(&d),
            },
            "zhang_kanbur" => match gs {
                Some(g) => pz::zhang_kanbur(&d, g, n_groups),
                None => Err(Error::argument(
                    "groups",
                    "method 'zhang_kanbur' needs groups",
                )),
            },
            other => Err(Error::argument(
                "method",
                format!("'{other}' is not 'esteban_ray', 'wolfson' or 'zhang_kanbur'"),
            )),
        }
    })
}

/// Measures for many groups at once, with bootstrap intervals. `column` names the
/// table column the levels come from (the staff column), so that an error about a
/// level names it rather than the internal `values`.
#[allow(clippy::too_many_arguments)]
#[pyfunction]
#[pyo3(signature = (values, weights, by, n_by, groups=None, n_groups=0, *, measures, epsilon, bootstrap, level, seed, progress_after=None, column="values"))]
fn equity_table<'py>(
    py: Python<'py>,
    values: F64<'py>,
    weights: F64<'py>,
    by: U32<'py>,
    n_by: usize,
    groups: Option<U32<'py>>,
    n_groups: usize,
    measures: Vec<String>,
    epsilon: f64,
    bootstrap: usize,
    level: f64,
    seed: u64,
    progress_after: Option<f64>,
    column: &str,
) -> PyResult<Bound<'py, PyDict>> {
    let mut ms = Vec::with_capacity(measures.len());
    let options = [
        ("gini", Measure::Gini),
        ("theil_t", Measure::TheilT),
        ("theil_l", Measure::TheilL),
        ("atkinson", Measure::Atkinson(epsilon)),
        ("cv", Measure::Cv),
    ];
    for m in &measures {
        ms.push(choice(py, "measures", m, &options)?);
    }
    let (v, w, b) = (values.as_slice()?, weights.as_slice()?, by.as_slice()?);
    let gs = match &groups {
        Some(g) => Some((g.as_slice()?, n_groups)),
        None => None,
    };
    let t = run_controlled(py, progress_after, "hrh.equity", |c| {
        table(v, w, b, n_by, gs, &ms, (bootstrap, level, seed), c).map_err(|e| match e {
            Error::Input {
                mut location,
                message,
            } if location.column.as_deref() == Some("values") => {
                location.column = Some(column.to_string());
                Error::Input { location, message }
            }
            e => e,
        })
    })?;
    let to2d = |rows: Vec<Vec<f64>>| -> PyResult<Bound<'py, PyArray2<f64>>> {
        if rows.is_empty() {
            return Ok(PyArray2::zeros(py, [0, t.columns.len()], false));
        }
        Ok(PyArray2::from_vec2(py, &rows)?)
    };
    let d = PyDict::new(py);
    d.set_item("columns", t.columns.clone())?;
    d.set_item("estimate", to2d(t.estimate.clone())?)?;
    d.set_item("lower", to2d(t.lower.clone())?)?;
    d.set_item("upper", to2d(t.upper.clone())?)?;
    d.set_item("replicates", t.replicates.clone())?;
    Ok(d)
}

fn term(py: Python<'_>, name: &str, epsilon: f64) -> PyResult<Term> {
    let options = [
        ("theil_t", Term::TheilT),
        ("theil_t_within", Term::TheilTWithin),
        ("theil_l", Term::TheilL),
        ("theil_l_within", Term::TheilLWithin),
        ("atkinson", Term::Atkinson(epsilon)),
        ("cv", Term::Cv),
    ];
    choice(py, "term", name, &options)
}

/// Each unit's term of a sum behind an index, about its group's and subgroup's means.
#[pyfunction]
#[pyo3(signature = (staff, weights, mean, sub_mean, *, term, epsilon=0.0))]
fn equity_unit_terms<'py>(
    py: Python<'py>,
    staff: F64<'py>,
    weights: F64<'py>,
    mean: F64<'py>,
    sub_mean: F64<'py>,
    term: &str,
    epsilon: f64,
) -> PyResult<F64Array<'py>> {
    let t = self::term(py, term, epsilon)?;
    let (s, w) = (staff.as_slice()?, weights.as_slice()?);
    let (m, mg) = (mean.as_slice()?, sub_mean.as_slice()?);
    let out = run(py, || partial::unit_terms(s, w, m, mg, t))?;
    Ok(out.into_pyarray(py))
}

/// The index of each group from its summed terms and its total weight.
#[pyfunction]
#[pyo3(signature = (sums, weights, *, term, epsilon=0.0))]
fn equity_from_sums<'py>(
    py: Python<'py>,
    sums: F64<'py>,
    weights: F64<'py>,
    term: &str,
    epsilon: f64,
) -> PyResult<F64Array<'py>> {
    let t = self::term(py, term, epsilon)?;
    let (s, w) = (sums.as_slice()?, weights.as_slice()?);
    if s.len() != w.len() {
        return Err(crate::errors::to_pyerr(
            py,
            Error::input("weights", "sums and weights must have the same length"),
        ));
    }
    let out: Vec<f64> = s
        .iter()
        .zip(w)
        .map(|(&a, &b)| partial::finish(t, a, b))
        .collect();
    Ok(out.into_pyarray(py))
}

/// Each subgroup's terms of Theil T's and L's between-subgroup parts.
#[pyfunction]
fn equity_between<'py>(
    py: Python<'py>,
    weight_g: F64<'py>,
    mean_g: F64<'py>,
    weight: F64<'py>,
    mean: F64<'py>,
) -> PyResult<(F64Array<'py>, F64Array<'py>)> {
    let (wg, mg) = (weight_g.as_slice()?, mean_g.as_slice()?);
    let (w, m) = (weight.as_slice()?, mean.as_slice()?);
    let n = wg.len();
    if [mg.len(), w.len(), m.len()].iter().any(|&l| l != n) {
        return Err(crate::errors::to_pyerr(
            py,
            Error::input("weights", "subgroup weights and means must have one length"),
        ));
    }
    let (t, l): (Vec<f64>, Vec<f64>) = (0..n)
        .map(|i| partial::between(wg[i], mg[i], w[i], m[i]))
        .unzip();
    Ok((t.into_pyarray(py), l.into_pyarray(py)))
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(gini, m)?)?;
    m.add_function(wrap_pyfunction!(lorenz, m)?)?;
    m.add_function(wrap_pyfunction!(theil, m)?)?;
    m.add_function(wrap_pyfunction!(generalized_entropy, m)?)?;
    m.add_function(wrap_pyfunction!(atkinson, m)?)?;
    m.add_function(wrap_pyfunction!(cv, m)?)?;
    m.add_function(wrap_pyfunction!(concentration_index, m)?)?;
    m.add_function(wrap_pyfunction!(polarization, m)?)?;
    m.add_function(wrap_pyfunction!(equity_table, m)?)?;
    m.add_function(wrap_pyfunction!(equity_unit_terms, m)?)?;
    m.add_function(wrap_pyfunction!(equity_from_sums, m)?)?;
    m.add_function(wrap_pyfunction!(equity_between, m)?)?;
    Ok(())
}
