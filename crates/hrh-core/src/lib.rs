//! Numerical core of `hrh`, an open library for human resources for health (HRH)
//! analytics.
//!
//! This crate is pure Rust: it knows nothing of Python, numpy or dataframes. Inputs are
//! slices, outputs plain vectors and structs, and every fallible function returns
//! [`Result`]. The Python package `hrh` wraps it through a thin pyo3 binding crate.
//!
//! Modules:
//! - [`density`]: rates per N population, exact Poisson intervals, shortfall against a
//!   norm, quota gaps, per-area density, HRDI and agglomeration degrees.
//! - [`equity`]: Gini and Lorenz, Theil with decomposition, generalised entropy,
//!   Atkinson, coefficient of variation, concentration and polarization indices,
//!   bootstrap intervals.
//! - [`attrition`]: exit rates, person-time, Kaplan-Meier, Nelson-Aalen, log-rank,
//!   Aalen-Johansen cumulative incidence, Cox models, life tables.
//! - [`linalg`]: pivot-tolerant LDLᵀ for small symmetric systems.
//! - [`planning`]: staffing need from workload (WISN).
//! - [`forecast`]: linear and log-linear trends, exponential smoothing (ETS), GM(1,1)
//!   and ARIMA, for many series at once.
//! - [`special`]: special functions and quantiles (regularised incomplete gamma inverse).
//! - [`sums`]: exact sums and grouped sums whose partial states merge in any order.
//! - [`rng`]: the deterministic, stream-splittable random generator every random
//!   routine uses.
//! - [`synthetic`]: the deterministic synthetic HR register used by the demo report.
//! - [`date`]: civil-date arithmetic on days since 1970-01-01.
//! - [`grouping`]: the rows of each group from dense group codes, checked once, and a
//!   parallel map over groups.
//! - [`control`]: progress and interruption of long computations.

// Index loops over several parallel arrays read more clearly than zipped iterators in
// the numerical kernels.
#![allow(clippy::needless_range_loop)]

pub mod attrition;
pub mod binom;
pub mod control;
pub mod date;
pub mod density;
pub mod equity;
pub mod error;
pub mod forecast;
pub mod grouping;
pub mod keys;
pub mod linalg;
pub mod planning;
pub mod rng;
pub mod special;
pub mod sums;
pub mod synthetic;
pub(crate) mod validate;

pub use error::{Error, Result, Subject};
