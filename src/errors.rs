//! The exception hierarchy of `hrh`, defined once here and re-exported by
//! `hrh.exceptions`:
//!
//! ```text
//! HrhError(Exception)
//! ├── InputError(HrhError, ValueError)
//! │   └── ScenarioError(InputError)          .path
//! └── ConvergenceError(HrhError, ArithmeticError)   .reason, .hint
//! ```

use hrh_core::control::Control;
use hrh_core::Error;
use pyo3::exceptions::{PyArithmeticError, PyException, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyTuple, PyType};

static HRH_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static INPUT_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static SCENARIO_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static CONVERGENCE_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();

fn new_class<'py>(
    py: Python<'py>,
    name: &str,
    bases: Vec<Bound<'py, PyType>>,
    doc: &str,
) -> PyResult<Bound<'py, PyType>> {
    let namespace = PyDict::new(py);
    namespace.set_item("__module__", "hrh.exceptions")?;
    namespace.set_item("__doc__", doc)?;
    let bases = PyTuple::new(py, bases)?;
    let cls = py
        .get_type::<PyType>()
        .call1((name, bases, namespace))?
        .cast_into::<PyType>()?;
    Ok(cls)
}

fn class<'py>(py: Python<'py>, cell: &PyOnceLock<Py<PyType>>) -> Bound<'py, PyType> {
    cell.get(py)
        .expect("hrh._core exception classes are created at import")
        .bind(py)
        .clone()
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    let base = new_class(
        py,
        "HrhError",
        vec![py.get_type::<PyException>()],
        "Base class of every error raised by hrh.",
    )?;
    let input = new_class(
        py,
        "InputError",
        vec![base.clone(), py.get_type::<PyValueError>()],
        "Bad input data or arguments. The message names the column, the row and the value.",
    )?;
    let scenario = new_class(
        py,
        "ScenarioError",
        vec![input.clone()],
        "A scenario document with a bad key; ``.path`` is the path of the key, e.g. \
         ``cadres[1].attrition.rate``.",
    )?;
    let convergence = new_class(
        py,
        "ConvergenceError",
        vec![base.clone(), py.get_type::<PyArithmeticError>()],
        "A fit that did not converge; ``.reason`` says why and ``.hint`` what to try.",
    )?;
    m.add("HrhError", &base)?;
    m.add("InputError", &input)?;
    m.add("ScenarioError", &scenario)?;
    m.add("ConvergenceError", &convergence)?;
    let _ = HRH_ERROR.set(py, base.unbind());
    let _ = INPUT_ERROR.set(py, input.unbind());
    let _ = SCENARIO_ERROR.set(py, scenario.unbind());
    let _ = CONVERGENCE_ERROR.set(py, convergence.unbind());
    Ok(())
}

/// Convert a core error into the matching Python exception.
pub(crate) fn to_pyerr(py: Python<'_>, err: Error) -> PyErr {
    if err == Error::Interrupted {
        return pyo3::exceptions::PyKeyboardInterrupt::new_err("interrupted");
    }
    let message = err.to_string();
    let build = || -> PyResult<PyErr> {
        let (cls, attrs): (_, Vec<(&str, String)>) = match err {
            Error::Input { .. } => (class(py, &INPUT_ERROR), vec![]),
            Error::Scenario { path, .. } => (class(py, &SCENARIO_ERROR), vec![("path", path)]),
            Error::Convergence { reason, hint, .. } => (
                class(py, &CONVERGENCE_ERROR),
                vec![("reason", reason), ("hint", hint)],
            ),
            _ => (class(py, &HRH_ERROR), vec![]),
        };
        let value = cls.call1((message.clone(),))?;
        for (k, v) in attrs {
            value.setattr(k, v)?;
        }
        Ok(PyErr::from_value(value))
    };
    build().unwrap_or_else(|e| e)
}

/// Run `f` with the GIL released and map its error to a Python exception.
pub(crate) fn run<T, F>(py: Python<'_>, f: F) -> PyResult<T>
where
    T: Send,
    F: Send + FnOnce() -> hrh_core::Result<T>,
{
    py.detach(f).map_err(|e| to_pyerr(py, e))
}

/// [`run`] for a call whose data are arrays passed as arguments rather than columns of
/// a table: its input errors name them as arguments (`argument 'values', item 3: ...`).
pub(crate) fn run_on_arguments<T, F>(py: Python<'_>, f: F) -> PyResult<T>
where
    T: Send,
    F: Send + FnOnce() -> hrh_core::Result<T>,
{
    run(py, || f().map_err(Error::of_argument))
}

/// Run `f` on its own thread with the GIL released, while this thread checks for Ctrl-C
/// (and other signals) every 100 ms: on `KeyboardInterrupt` it asks `f` to stop through
/// its [`Control`] and raises once `f` has returned. With `progress_after` (seconds), the
/// progress `f` reports is written to `sys.stderr` from then on, on one line.
pub(crate) fn run_controlled<T, F>(
    py: Python<'_>,
    progress_after: Option<f64>,
    label: &str,
    f: F,
) -> PyResult<T>
where
    T: Send,
    F: Send + FnOnce(&Control) -> hrh_core::Result<T>,
{
    use std::sync::mpsc;
    use std::time::{Duration, Instant};
    let control = Control::default();
    let start = Instant::now();
    std::thread::scope(|scope| {
        let (tx, rx) = mpsc::channel();
        let ctl = &control;
        scope.spawn(move || {
            let _ = tx.send(f(ctl));
        });
        let mut rx = rx;
        let mut shown = false;
        loop {
            let (got, back) = py.detach(move || (rx.recv_timeout(Duration::from_millis(100)), rx));
            rx = back;
            match got {
                Ok(result) => {
                    if shown {
                        let _ = write_stderr(py, &format!("\r{label}: done{:>12}\n", ""));
                    }
                    return result.map_err(|e| to_pyerr(py, e));
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    if let Err(e) = py.check_signals() {
                        control.cancel();
                        // Wait for the computation to stop (it checks between blocks).
                        let _ = py.detach(move || rx.recv());
                        if shown {
                            let _ = write_stderr(py, "\n");
                        }
                        return Err(e);
                    }
                    let due = progress_after.is_some_and(|s| start.elapsed().as_secs_f64() >= s);
                    if due {
                        let (done, total) = control.progress();
                        if total > 0 {
                            let pct = 100.0 * done as f64 / total as f64;
                            let secs = start.elapsed().as_secs_f64();
                            let _ =
                                write_stderr(py, &format!("\r{label}: {pct:5.1} % ({secs:.0} s)"));
                            shown = true;
                        }
                    }
                }
                // The computation panicked: leaving the scope re-raises its panic.
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            }
        }
        Err(pyo3::exceptions::PyRuntimeError::new_err(
            "the computation stopped without a result",
        ))
    })
}

fn write_stderr(py: Python<'_>, text: &str) -> PyResult<()> {
    let err = py.import("sys")?.getattr("stderr")?;
    err.call_method1("write", (text,))?;
    err.call_method0("flush")?;
    Ok(())
}

/// The value of `options` named `value`, or an InputError on `argument` listing the
/// choices (`argument 'x': 'd' is not 'a', 'b' or 'c'`).
pub(crate) fn choice<T: Copy>(
    py: Python<'_>,
    argument: &str,
    value: &str,
    options: &[(&str, T)],
) -> PyResult<T> {
    if let Some((_, v)) = options.iter().find(|(name, _)| *name == value) {
        return Ok(*v);
    }
    let shown = pyo3::types::PyString::new(py, value)
        .repr()
        .map_or_else(|_| format!("{value:?}"), |r| r.to_string());
    Err(not_one_of(py, argument, &shown, options))
}

/// [`choice`] for any Python value: one that is not a string is not one of the options
/// either, and the message shows its `repr`.
pub(crate) fn option<T: Copy>(
    py: Python<'_>,
    argument: &str,
    value: &Bound<'_, PyAny>,
    options: &[(&str, T)],
) -> PyResult<T> {
    match value.cast::<pyo3::types::PyString>() {
        Ok(s) => choice(py, argument, &s.to_cow()?, options),
        Err(_) => {
            let shown = value
                .repr()
                .map_or_else(|_| "the value".to_string(), |r| r.to_string());
            Err(not_one_of(py, argument, &shown, options))
        }
    }
}

fn not_one_of<T>(py: Python<'_>, argument: &str, shown: &str, options: &[(&str, T)]) -> PyErr {
    let names: Vec<String> = options.iter().map(|(n, _)| format!("'{n}'")).collect();
    let listed = match names.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    };
    to_pyerr(
        py,
        Error::argument(argument, format!("{shown} is not {listed}")),
    )
}
