//! The one error type of the core.

use std::fmt;

/// Where a bad value sits: the column (or argument) name and, when known, the row.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Location {
    /// Column or argument name, as the caller named it.
    pub column: Option<String>,
    /// Zero-based row index.
    pub row: Option<usize>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.column, self.row) {
            (Some(c), Some(r)) => write!(f, "column '{c}', row {r}: "),
            (Some(c), None) => write!(f, "column '{c}': "),
            (None, Some(r)) => write!(f, "row {r}: "),
            (None, None) => Ok(()),
        }
    }
}

/// Every failure the core reports. The Python binding maps each variant to one
/// exception class of `hrh.exceptions`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Bad input data or arguments (Python: `hrh.InputError`).
    #[error("{location}{message}")]
    Input {
        /// Where the bad value is.
        location: Location,
        /// What is wrong, including the offending value.
        message: String,
    },
    /// A scenario document with a bad key (Python: `hrh.ScenarioError`).
    #[error("scenario key '{path}': {message}")]
    Scenario {
        /// Path of the offending key, e.g. `cadres[1].attrition.rate`.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// The caller asked the computation to stop (Python: `KeyboardInterrupt`).
    #[error("interrupted")]
    Interrupted,
    /// An iterative fit that failed (Python: `hrh.ConvergenceError`).
    #[error("{what} did not converge: {reason}; {hint}")]
    Convergence {
        /// What was being fitted.
        what: String,
        /// Why it failed.
        reason: String,
        /// What the user can try.
        hint: String,
    },
}

impl Error {
    /// An input error about an argument or column as a whole.
    pub fn input(column: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Input {
            location: Location {
                column: Some(column.into()),
                row: None,
            },
            message: message.into(),
        }
    }

    /// An input error about one value of a column.
    pub fn input_at(column: impl Into<String>, row: usize, message: impl Into<String>) -> Self {
        Error::Input {
            location: Location {
                column: Some(column.into()),
                row: Some(row),
            },
            message: message.into(),
        }
    }
}

/// `Result` with the core's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;
