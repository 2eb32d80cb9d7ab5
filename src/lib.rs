//! `hrh._core`: the Python binding of the `hrh-core` crate.
//!
//! Each file mirrors one core module and only converts numpy arrays in and out; the
//! mathematics lives in `crates/hrh-core`. Heavy calls go through [`errors::run`], which
//! releases the GIL and maps core errors to the exception classes of `hrh.exceptions`.

use numpy::PyArray1;
use pyo3::prelude::*;

mod arrow;
mod attrition;
mod cox;
mod density;
mod economics;
mod equity;
mod errors;
mod finegray;
mod forecast;
mod parametric;
mod planning;
mod scale;
mod synthetic;

/// Arrays handed to Python are freed by this allocator when numpy lets them go.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A float64 numpy array handed back to Python.
pub(crate) type F64Array<'py> = Bound<'py, PyArray1<f64>>;

/// Rust core of hrh, the health-workforce analytics library.
#[pymodule(gil_used = false)]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("debug_build", cfg!(debug_assertions))?;
    configure_threads();
    errors::register(m)?;
    arrow::register(m)?;
    attrition::register(m)?;
    cox::register(m)?;
    density::register(m)?;
    economics::register(m)?;
    equity::register(m)?;
    finegray::register(m)?;
    forecast::register(m)?;
    parametric::register(m)?;
    planning::register(m)?;
    scale::register(m)?;
    synthetic::register(m)?;
    Ok(())
}

/// Cap rayon's global pool at `HRH_NUM_THREADS` when it is set to a positive integer.
fn configure_threads() {
    if let Some(n) = std::env::var("HRH_NUM_THREADS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|&n| n > 0)
    {
        // An error means the pool already exists (the module was imported before).
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global();
    }
}
