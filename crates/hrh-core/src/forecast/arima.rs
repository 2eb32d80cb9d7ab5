//! ARIMA(p, d, q) models (work in progress).

use super::Fit;
use crate::error::{Error, Result};

/// Parameter names (unused entries NaN).
pub const PARAMS: [&str; 10] = [
    "p", "d", "q", "ar1", "ar2", "ar3", "ma1", "ma2", "ma3", "drift",
];

/// An ARIMA model: a fixed order, or `None` to select by AICc.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ArimaSpec {
    /// (p, d, q), or `None` for automatic selection.
    pub order: Option<(usize, usize, usize)>,
    /// Include a drift (d = 1) or mean (d = 0) term.
    pub drift: bool,
}

impl ArimaSpec {
    /// Display name.
    pub fn name(&self) -> String {
        match self.order {
            Some((p, d, q)) => format!("ARIMA({p},{d},{q})"),
            None => "ARIMA".into(),
        }
    }

    /// Fewest observations.
    pub fn min_points(&self) -> usize {
        match self.order {
            Some((p, d, q)) => p + d + q + 3,
            None => 6,
        }
    }
}

/// Fit an ARIMA model.
pub fn fit(_y: &[f64], spec: &ArimaSpec, _horizon: usize, _levels: &[f64]) -> Result<Fit> {
    Err(Error::input(
        "model",
        format!("{} is not implemented yet", spec.name()),
    ))
}
