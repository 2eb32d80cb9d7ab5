//! Workforce planning: stock-and-flow projection of supply, demand from norms, quotas,
//! service use or workload, Monte Carlo uncertainty, policies and their cost.
//!
//! - [`scenario`]: the scenario document (serde) and its compiled model;
//! - [`param`]: numbers that may be distributions or differ by region;
//! - [`supply`]: the yearly stock-and-flow model of a group of regions with its costs,
//!   for a block of draws side by side ([`lanes`]);
//! - `general`: the general step of a year, one function per stage;
//! - [`costs`]: the costs of a projected year, draw by draw;
//! - [`economics`]: discounting, paired cost-effectiveness, frontier, sensitivity;
//! - [`simulate`]: the Monte Carlo driver (sampling, groups of regions, quantiles);
//! - [`demand`]: staff needed from norms, quotas, service use or WISN;
//! - [`flows`]: the flows of a projected year, named once;
//! - [`quantile`]: exact and streaming (P²) quantiles over draws;
//! - [`markov`]: transition matrices estimated from panels;
//! - [`wisn`]: the WHO Workload Indicators of Staffing Need method.

pub mod costs;
pub mod demand;
pub mod economics;
pub mod flows;
mod general;
pub mod lanes;
pub mod markov;
pub mod param;
pub mod quantile;
pub mod scenario;
pub mod simulate;
pub mod supply;
pub mod wisn;
