//! `hrh._core`: the Python binding of the `hrh-core` crate.
//!
//! Each file mirrors one core module and only converts numpy arrays in and out; the
//! mathematics lives in `crates/hrh-core`. Heavy calls go through [`errors::run`], which
//! releases the GIL and maps core errors to the exception classes of `hrh.exceptions`.

use pyo3::prelude::*;

mod density;
mod errors;
mod synthetic;

/// Rust core of hrh, the health-workforce analytics library.
#[pymodule(gil_used = false)]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("debug_build", cfg!(debug_assertions))?;
    errors::register(m)?;
    density::register(m)?;
    synthetic::register(m)?;
    Ok(())
}
