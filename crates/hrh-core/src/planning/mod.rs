//! Workforce planning: staffing need from workload (WISN).
//!
//! - [`wisn`]: the WHO Workload Indicators of Staffing Need method.

pub mod wisn;
