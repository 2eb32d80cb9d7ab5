//! Binding of `hrh_core::density`.

use numpy::{IntoPyArray, PyArray1, PyReadonlyArray1};
use pyo3::prelude::*;

use crate::errors::{run, run_on_arguments};
use crate::F64Array;

/// Exact Poisson rates: returns (rate, lower, upper).
#[allow(clippy::too_many_arguments)]
#[pyfunction]
#[pyo3(signature = (count, exposure, *, per, level, count_name = "count", exposure_name = "exposure", alternative = "two-sided"))]
fn poisson_rate<'py>(
    py: Python<'py>,
    count: PyReadonlyArray1<'py, f64>,
    exposure: PyReadonlyArray1<'py, f64>,
    per: f64,
    level: f64,
    count_name: &str,
    exposure_name: &str,
    alternative: &str,
) -> PyResult<(F64Array<'py>, F64Array<'py>, F64Array<'py>)> {
    let (c, e) = (count.as_slice()?, exposure.as_slice()?);
    let r = run_on_arguments(py, || {
        let alt = hrh_core::density::Alternative::parse(alternative)?;
        hrh_core::density::poisson_rate_sided(c, e, per, level, alt, count_name, exposure_name)
    })?;
    Ok((
        r.rate.into_pyarray(py),
        r.lower.into_pyarray(py),
        r.upper.into_pyarray(py),
    ))
}

/// Exact comparison of two Poisson rates: returns (estimate, lower, upper, p_value,
/// total).
#[allow(clippy::too_many_arguments, clippy::type_complexity)]
#[pyfunction]
#[pyo3(signature = (events1, exposure1, events2, exposure2, *, null_ratio, level, alternative))]
fn rate_ratio<'py>(
    py: Python<'py>,
    events1: PyReadonlyArray1<'py, f64>,
    exposure1: PyReadonlyArray1<'py, f64>,
    events2: PyReadonlyArray1<'py, f64>,
    exposure2: PyReadonlyArray1<'py, f64>,
    null_ratio: f64,
    level: f64,
    alternative: &str,
) -> PyResult<(
    F64Array<'py>,
    F64Array<'py>,
    F64Array<'py>,
    F64Array<'py>,
    F64Array<'py>,
)> {
    let (x1, t1, x2, t2) = (
        events1.as_slice()?,
        exposure1.as_slice()?,
        events2.as_slice()?,
        exposure2.as_slice()?,
    );
    let r = run_on_arguments(py, || {
        let alt = hrh_core::density::Alternative::parse(alternative)?;
        hrh_core::density::rate_ratio(x1, t1, x2, t2, null_ratio, level, alt)
    })?;
    Ok((
        r.estimate.into_pyarray(py),
        r.lower.into_pyarray(py),
        r.upper.into_pyarray(py),
        r.p_value.into_pyarray(py),
        r.total.into_pyarray(py),
    ))
}

/// Density per `per` population with exact intervals, and per km2 and HRDI when `area`
/// is given: returns (density, lower, upper, per_km2 | None, hrdi | None).
#[allow(clippy::type_complexity)]
#[pyfunction]
#[pyo3(signature = (staff, population, area=None, *, per, level))]
fn density<'py>(
    py: Python<'py>,
    staff: PyReadonlyArray1<'py, f64>,
    population: PyReadonlyArray1<'py, f64>,
    area: Option<PyReadonlyArray1<'py, f64>>,
    per: f64,
    level: f64,
) -> PyResult<(
    F64Array<'py>,
    F64Array<'py>,
    F64Array<'py>,
    Option<F64Array<'py>>,
    Option<F64Array<'py>>,
)> {
    let (s, p) = (staff.as_slice()?, population.as_slice()?);
    let a = area.as_ref().map(|a| a.as_slice()).transpose()?;
    let d = run(py, || hrh_core::density::density(s, p, a, per, level))?;
    Ok((
        d.per_population.rate.into_pyarray(py),
        d.per_population.lower.into_pyarray(py),
        d.per_population.upper.into_pyarray(py),
        d.per_km2.map(|v| v.into_pyarray(py)),
        d.hrdi.map(|v| v.into_pyarray(py)),
    ))
}

/// Shortfall against required staff: returns (shortfall, surplus, ratio).
#[pyfunction]
fn shortfall<'py>(
    py: Python<'py>,
    staff: PyReadonlyArray1<'py, f64>,
    required: PyReadonlyArray1<'py, f64>,
) -> PyResult<(F64Array<'py>, F64Array<'py>, F64Array<'py>)> {
    let (s, r) = (staff.as_slice()?, required.as_slice()?);
    let out = run(py, || hrh_core::density::shortfall(s, r))?;
    Ok((
        out.shortfall.into_pyarray(py),
        out.surplus.into_pyarray(py),
        out.ratio.into_pyarray(py),
    ))
}

/// Fill rate and vacancies against a quota: returns (fill_rate, vacancies).
#[pyfunction]
fn quota_gap<'py>(
    py: Python<'py>,
    staff: PyReadonlyArray1<'py, f64>,
    quota: PyReadonlyArray1<'py, f64>,
) -> PyResult<(F64Array<'py>, F64Array<'py>)> {
    let (s, q) = (staff.as_slice()?, quota.as_slice()?);
    let out = run(py, || hrh_core::density::quota_gap(s, q))?;
    Ok((
        out.fill_rate.into_pyarray(py),
        out.vacancies.into_pyarray(py),
    ))
}

type GroupedArrays<'py> = (
    Bound<'py, PyArray1<u64>>,
    Bound<'py, PyArray1<u64>>,
    Vec<F64Array<'py>>,
);

fn grouped<'py>(
    py: Python<'py>,
    codes: Vec<PyReadonlyArray1<'py, u32>>,
    cardinalities: Vec<usize>,
    values: Vec<PyReadonlyArray1<'py, f64>>,
    rows: usize,
    partial: bool,
) -> PyResult<GroupedArrays<'py>> {
    let codes = codes
        .iter()
        .map(|c| c.as_slice())
        .collect::<Result<Vec<_>, _>>()?;
    let values = slices(&values)?;
    let keys = hrh_core::sums::KeyCodes {
        codes: &codes,
        cardinalities: &cardinalities,
    };
    let t = run(py, || {
        if partial {
            hrh_core::sums::grouped_partials(keys, &values, rows)
        } else {
            hrh_core::sums::grouped_sums(keys, &values, rows)
        }
    })?;
    Ok((
        t.cell.into_pyarray(py),
        t.count.into_pyarray(py),
        t.sums.into_iter().map(|s| s.into_pyarray(py)).collect(),
    ))
}

/// Counts and exact sums over key combinations: returns (cell, count, sums), `cell` the
/// mixed-radix combination of the key codes (last key fastest) of each non-empty group.
#[pyfunction]
fn grouped_sums<'py>(
    py: Python<'py>,
    codes: Vec<PyReadonlyArray1<'py, u32>>,
    cardinalities: Vec<usize>,
    values: Vec<PyReadonlyArray1<'py, f64>>,
    rows: usize,
) -> PyResult<GroupedArrays<'py>> {
    grouped(py, codes, cardinalities, values, rows, false)
}

/// As `grouped_sums`, each group's exact sums spread over a few rows (the long partial
/// table, merged by concatenation): returns (cell, count, values).
#[pyfunction]
fn grouped_partials<'py>(
    py: Python<'py>,
    codes: Vec<PyReadonlyArray1<'py, u32>>,
    cardinalities: Vec<usize>,
    values: Vec<PyReadonlyArray1<'py, f64>>,
    rows: usize,
) -> PyResult<GroupedArrays<'py>> {
    grouped(py, codes, cardinalities, values, rows, true)
}

/// One key of `keyed_sums`: codes, or a string column read in place.
enum Key<'py> {
    Codes(PyReadonlyArray1<'py, u32>),
    Strings(crate::arrow::Column),
}

/// The keys as the core reads them (uint32 code arrays, or columns exporting Arrow
/// strings); `None` when a string key cannot be read in place.
fn read_keys<'py>(keys: &[Bound<'py, PyAny>]) -> PyResult<Option<Vec<Key<'py>>>> {
    let mut read = Vec::with_capacity(keys.len());
    for k in keys {
        if let Ok(codes) = k.extract::<PyReadonlyArray1<'py, u32>>() {
            read.push(Key::Codes(codes));
        } else {
            match crate::arrow::Column::read(k)? {
                Some(c) => read.push(Key::Strings(c)),
                None => return Ok(None),
            }
        }
    }
    Ok(Some(read))
}

/// The read keys as key columns borrowing them (`None`: a string array that does not
/// hold together).
fn key_columns<'a>(read: &'a [Key<'_>]) -> PyResult<Option<Vec<hrh_core::keys::KeyColumn<'a>>>> {
    let mut columns = Vec::with_capacity(read.len());
    for k in read {
        columns.push(match k {
            Key::Codes(c) => hrh_core::keys::KeyColumn::Codes(c.as_slice()?),
            Key::Strings(c) => match c.arrays() {
                Some(a) => hrh_core::keys::KeyColumn::Strings(a),
                None => return Ok(None),
            },
        });
    }
    Ok(Some(columns))
}

/// `f` of the keys read in place as key columns; `None` when a string key cannot be
/// read in place.
fn with_key_columns<'py, T>(
    keys: &[Bound<'py, PyAny>],
    f: impl FnOnce(&[hrh_core::keys::KeyColumn<'_>]) -> PyResult<T>,
) -> PyResult<Option<T>> {
    let Some(read) = read_keys(keys)? else {
        return Ok(None);
    };
    let Some(columns) = key_columns(&read)? else {
        return Ok(None);
    };
    f(&columns).map(Some)
}

/// The arrays' values as slices.
fn slices<'a>(values: &'a [PyReadonlyArray1<'_, f64>]) -> PyResult<Vec<&'a [f64]>> {
    Ok(values
        .iter()
        .map(|v| v.as_slice())
        .collect::<Result<Vec<_>, _>>()?)
}

/// (cell, count, sums, labels) of `keyed_sums` for Python.
type KeyedArrays<'py> = (
    Bound<'py, PyArray1<u64>>,
    Bound<'py, PyArray1<u64>>,
    Vec<F64Array<'py>>,
    Vec<Bound<'py, PyAny>>,
);

fn keyed_arrays<'py>(
    py: Python<'py>,
    out: hrh_core::keys::KeyedSums,
) -> PyResult<KeyedArrays<'py>> {
    let labels = out
        .labels
        .into_iter()
        .map(|l| match l {
            hrh_core::keys::Labels::Strings(s) => s.into_pyobject(py).map(|o| o.into_any()),
            hrh_core::keys::Labels::Codes(c) => Ok(c.into_pyarray(py).into_any()),
        })
        .collect::<PyResult<Vec<_>>>()?;
    let t = out.table;
    Ok((
        t.cell.into_pyarray(py),
        t.count.into_pyarray(py),
        t.sums.into_iter().map(|s| s.into_pyarray(py)).collect(),
        labels,
    ))
}

/// Counts and exact sums of `values` over the combinations of `keys` present (each key
/// a uint32 code array or a column exporting Arrow strings), hashed in one pass; with
/// `partial`, the long partial table. Returns (cell, count, sums, labels): `labels[k]`
/// the sorted distinct values of key `k` (a list of strings, None for null, or the
/// codes present as a uint32 array), `cell` each row's mixed-radix combination of ranks
/// in them (last key fastest). `None` when a string key cannot be read in place.
#[pyfunction]
#[pyo3(signature = (keys, values, rows, *, partial = false))]
fn keyed_sums<'py>(
    py: Python<'py>,
    keys: Vec<Bound<'py, PyAny>>,
    values: Vec<PyReadonlyArray1<'py, f64>>,
    rows: usize,
    partial: bool,
) -> PyResult<Option<KeyedArrays<'py>>> {
    let values = slices(&values)?;
    let out = with_key_columns(&keys, |columns| {
        run(py, || {
            hrh_core::keys::keyed_sums(columns, &values, rows, partial)
        })
    })?;
    match out.flatten() {
        Some(out) => keyed_arrays(py, out).map(Some),
        None => Ok(None),
    }
}

/// The state of `keyed_sums` over rows that come in batches: `add` groups a batch on
/// the calling thread (the next batch can be read meanwhile) and merges it exactly;
/// `finish` gives `keyed_sums`' result over every row added, whatever the batches.
#[pyclass(module = "hrh._core")]
pub(crate) struct KeyedSumsState {
    state: hrh_core::keys::KeyedState,
}

#[pymethods]
impl KeyedSumsState {
    /// A state for `keys` key columns and `columns` value columns.
    #[new]
    fn new(py: Python<'_>, keys: usize, columns: usize) -> PyResult<Self> {
        let state = run(py, || hrh_core::keys::KeyedState::new(keys, columns))?;
        Ok(KeyedSumsState { state })
    }

    /// Add a batch of `rows` rows (keys as for `keyed_sums`; codes must mean the same
    /// values in every batch), grouped on one thread, or on all with `parallel` (when
    /// no read runs meanwhile). False, adding nothing, when a string key cannot be
    /// read in place.
    #[pyo3(signature = (keys, values, rows, *, parallel = false))]
    fn add<'py>(
        &mut self,
        py: Python<'py>,
        keys: Vec<Bound<'py, PyAny>>,
        values: Vec<PyReadonlyArray1<'py, f64>>,
        rows: usize,
        parallel: bool,
    ) -> PyResult<bool> {
        let values = slices(&values)?;
        let state = &mut self.state;
        let added = with_key_columns(&keys, |columns| {
            run(py, || state.add(columns, &values, rows, parallel))
        })?;
        Ok(added == Some(true))
    }

    /// The rows added so far.
    #[getter]
    fn rows(&self) -> u64 {
        self.state.rows()
    }

    /// `keyed_sums`' (cell, count, sums, labels) over every row added (`partial`: the
    /// long partial table); None when a string is not UTF-8.
    #[pyo3(signature = (*, partial = false))]
    fn finish<'py>(&self, py: Python<'py>, partial: bool) -> PyResult<Option<KeyedArrays<'py>>> {
        let state = &self.state;
        match run(py, || state.finish(partial))? {
            Some(out) => keyed_arrays(py, out).map(Some),
            None => Ok(None),
        }
    }
}

/// Whether every value is finite and meets `minimum` ("any", "non_negative" or
/// "positive"), in one parallel pass with the GIL released: the plain case of the
/// checks of a numeric column (which find the first bad row only when this is false).
#[pyfunction]
fn values_within(
    py: Python<'_>,
    values: PyReadonlyArray1<'_, f64>,
    minimum: &str,
) -> PyResult<bool> {
    let (bound, strict) = crate::errors::choice(
        py,
        "minimum",
        minimum,
        &[
            ("any", (f64::NEG_INFINITY, false)),
            ("non_negative", (0.0, false)),
            ("positive", (0.0, true)),
        ],
    )?;
    let v = values.as_slice()?;
    Ok(py.detach(|| hrh_core::sums::finite_at_least(v, bound, strict)))
}

/// Agglomeration degrees: returns a dict of arrays (staff_share, population_share,
/// area_share, hrad, pad, ratio, hrdi).
#[allow(clippy::too_many_arguments)]
#[pyfunction]
#[pyo3(signature = (staff, population, area, group, n_groups, *, per))]
fn agglomeration<'py>(
    py: Python<'py>,
    staff: PyReadonlyArray1<'py, f64>,
    population: PyReadonlyArray1<'py, f64>,
    area: PyReadonlyArray1<'py, f64>,
    group: PyReadonlyArray1<'py, u32>,
    n_groups: usize,
    per: f64,
) -> PyResult<Bound<'py, pyo3::types::PyDict>> {
    let (s, p, a, g) = (
        staff.as_slice()?,
        population.as_slice()?,
        area.as_slice()?,
        group.as_slice()?,
    );
    let out = run(py, || {
        hrh_core::density::agglomeration(s, p, a, g, n_groups, per)
    })?;
    let d = pyo3::types::PyDict::new(py);
    d.set_item("staff_share", out.staff_share.into_pyarray(py))?;
    d.set_item("population_share", out.population_share.into_pyarray(py))?;
    d.set_item("area_share", out.area_share.into_pyarray(py))?;
    d.set_item("hrad", out.hrad.into_pyarray(py))?;
    d.set_item("pad", out.pad.into_pyarray(py))?;
    d.set_item("hrad_pad_ratio", out.ratio.into_pyarray(py))?;
    d.set_item("hrdi", out.hrdi.into_pyarray(py))?;
    Ok(d)
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(poisson_rate, m)?)?;
    m.add_function(wrap_pyfunction!(rate_ratio, m)?)?;
    m.add_function(wrap_pyfunction!(density, m)?)?;
    m.add_function(wrap_pyfunction!(shortfall, m)?)?;
    m.add_function(wrap_pyfunction!(quota_gap, m)?)?;
    m.add_function(wrap_pyfunction!(agglomeration, m)?)?;
    m.add_function(wrap_pyfunction!(grouped_sums, m)?)?;
    m.add_function(wrap_pyfunction!(grouped_partials, m)?)?;
    m.add_function(wrap_pyfunction!(keyed_sums, m)?)?;
    m.add_class::<KeyedSumsState>()?;
    m.add_function(wrap_pyfunction!(values_within, m)?)?;
    Ok(())
}
