//! Exit rates per person-time with exact intervals, and annualised proportions.

use crate::density::{poisson_rate, RateInterval};
use crate::error::{Error, Result};
use crate::validate;

/// Rates `events / exposure × per` with exact Garwood intervals (see
/// [`crate::density::garwood`]).
pub fn rate(events: &[f64], exposure: &[f64], per: f64, level: f64) -> Result<RateInterval> {
    poisson_rate(events, exposure, per, level, "events", "exposure")
}

/// Annualise a proportion observed over `years`: 1 − (1 − p)^(1/years), the constant
/// yearly probability that compounds to `p`.
pub fn annualize(proportion: &[f64], years: &[f64]) -> Result<Vec<f64>> {
    validate::same_len(proportion.len(), years.len(), "proportion", "years")?;
    validate::finite(proportion, "proportion")?;
    validate::positive(years, "years")?;
    if let Some(i) = proportion.iter().position(|p| !(0.0..=1.0).contains(p)) {
        return Err(Error::input_at(
            "proportion",
            i,
            format!("value {} is outside [0, 1]", proportion[i]),
        ));
    }
    Ok(proportion
        .iter()
        .zip(years)
        .map(|(p, y)| 1.0 - (1.0 - p).powf(1.0 / y))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annualized_compounds_back() {
        let a = annualize(&[0.3], &[3.0]).unwrap()[0];
        assert!((1.0 - (1.0 - a).powi(3) - 0.3).abs() < 1e-15);
        assert!(annualize(&[1.2], &[1.0]).is_err());
    }
}
