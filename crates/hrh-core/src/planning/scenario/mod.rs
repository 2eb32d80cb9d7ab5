//! The scenario document: its schema (serde), checks with the path of every bad key, and
//! the compiled [`Model`] the simulator runs.
//!
//! The document is JSON here (the Python layer also reads TOML and turns tables into
//! records; the stock may also come as columns, which is faster to read). Unknown keys and wrong types are rejected by serde with the key's path
//! (`cadres[1].attrition.rate`); impossible values (a rate outside [0, 1], a retirement age
//! below the entry age, a region that does not exist) are rejected by [`compile()`] with the
//! same kind of path.
//!
//! - [`doc`]: the document's schema, as serde reads it;
//! - [`model`]: the compiled model (indices and parameters) that the engine runs;
//! - [`compile`](mod@compile): from document to model, with every check.

pub mod compile;
pub mod doc;
pub mod model;

pub use compile::{compile, compile_with, from_json, parse};
pub use doc::*;
pub use model::*;
