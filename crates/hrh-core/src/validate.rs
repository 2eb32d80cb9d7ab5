//! Checks shared by every module: each returns an [`Error::Input`] naming the column,
//! the row and the value.

use crate::error::{Error, Result};

/// A number for a message: plain, or in exponent form when very large or small.
pub(crate) fn short(x: f64) -> String {
    if x != 0.0 && !(1e-4..1e15).contains(&x.abs()) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

/// Every value finite.
pub(crate) fn finite(values: &[f64], name: &str) -> Result<()> {
    match values.iter().position(|v| !v.is_finite()) {
        Some(i) => Err(Error::input_at(
            name,
            i,
            format!("value {} is not a finite number", values[i]),
        )),
        None => Ok(()),
    }
}

/// Every value finite and >= 0.
pub(crate) fn non_negative(values: &[f64], name: &str) -> Result<()> {
    finite(values, name)?;
    match values.iter().position(|&v| v < 0.0) {
        Some(i) => Err(Error::input_at(
            name,
            i,
            format!("value {} is negative; {name} must be >= 0", values[i]),
        )),
        None => Ok(()),
    }
}

/// Every value finite and > 0.
pub(crate) fn positive(values: &[f64], name: &str) -> Result<()> {
    finite(values, name)?;
    match values.iter().position(|&v| v <= 0.0) {
        Some(i) => Err(Error::input_at(
            name,
            i,
            format!("value {} is not positive; {name} must be > 0", values[i]),
        )),
        None => Ok(()),
    }
}

/// Two slices of the same length.
pub(crate) fn same_len(a: usize, b: usize, name_a: &str, name_b: &str) -> Result<()> {
    if a == b {
        Ok(())
    } else {
        Err(Error::input(
            name_b,
            format!("has length {b} but '{name_a}' has length {a}"),
        ))
    }
}

/// A confidence level strictly inside (0, 1).
pub(crate) fn level(level: f64) -> Result<()> {
    if level > 0.0 && level < 1.0 {
        Ok(())
    } else {
        Err(Error::argument(
            "level",
            format!("{level} is outside (0, 1); give e.g. 0.95"),
        ))
    }
}

/// A finite, strictly positive scalar argument.
pub(crate) fn positive_scalar(value: f64, name: &str) -> Result<()> {
    if value.is_finite() && value > 0.0 {
        Ok(())
    } else {
        Err(Error::argument(
            name,
            format!("{value} must be a finite number > 0"),
        ))
    }
}
