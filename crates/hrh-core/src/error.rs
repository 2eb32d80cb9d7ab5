//! The one error type of the core.

use std::fmt;

/// What a [`Location`] names: a column of the data, or an argument of the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Subject {
    /// A column of the user's data (`column 'staff', row 3: ...`).
    #[default]
    Column,
    /// An argument of the call, such as `level` or `width` (`argument 'level': ...`);
    /// the index of a list argument is its item (`argument 'bands', item 2: ...`).
    Argument,
}

/// Where a bad value sits: the column or argument name and, when known, the row (of a
/// column) or item (of a list argument).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Location {
    /// Column or argument name, as the caller named it.
    pub column: Option<String>,
    /// Zero-based row (or item) index.
    pub row: Option<usize>,
    /// Whether `column` names a column or an argument.
    pub subject: Subject,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (kind, index) = match self.subject {
            Subject::Column => ("column", "row"),
            Subject::Argument => ("argument", "item"),
        };
        match (&self.column, self.row) {
            (Some(c), Some(r)) => write!(f, "{kind} '{c}', {index} {r}: "),
            (Some(c), None) => write!(f, "{kind} '{c}': "),
            (None, Some(r)) => write!(f, "{index} {r}: "),
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
    fn located(
        subject: Subject,
        name: String,
        row: Option<usize>,
        message: impl Into<String>,
    ) -> Self {
        Error::Input {
            location: Location {
                column: Some(name),
                row,
                subject,
            },
            message: message.into(),
        }
    }

    /// An input error about a column as a whole.
    pub fn input(column: impl Into<String>, message: impl Into<String>) -> Self {
        Self::located(Subject::Column, column.into(), None, message)
    }

    /// An input error about one value of a column.
    pub fn input_at(column: impl Into<String>, row: usize, message: impl Into<String>) -> Self {
        Self::located(Subject::Column, column.into(), Some(row), message)
    }

    /// An input error about an argument of the call (a scalar option or a list).
    pub fn argument(name: impl Into<String>, message: impl Into<String>) -> Self {
        Self::located(Subject::Argument, name.into(), None, message)
    }

    /// The same error said of an argument: a check written for columns (every value
    /// finite, say) applied to a list argument names it as `argument 'x', item i`.
    pub fn of_argument(self) -> Self {
        match self {
            Error::Input { location, message } => Error::Input {
                location: Location {
                    subject: Subject::Argument,
                    ..location
                },
                message,
            },
            other => other,
        }
    }

    /// An input error about item `item` of a list argument.
    pub fn argument_at(name: impl Into<String>, item: usize, message: impl Into<String>) -> Self {
        Self::located(Subject::Argument, name.into(), Some(item), message)
    }
}

/// `Result` with the core's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_columns_and_arguments() {
        let e = Error::input_at("staff", 3, "value -1 is negative");
        assert_eq!(e.to_string(), "column 'staff', row 3: value -1 is negative");
        let e = Error::argument("level", "2 is outside (0, 1)");
        assert_eq!(e.to_string(), "argument 'level': 2 is outside (0, 1)");
        let e = Error::argument_at("bands", 2, "edge 1 is not above 3");
        assert_eq!(
            e.to_string(),
            "argument 'bands', item 2: edge 1 is not above 3"
        );
    }
}
