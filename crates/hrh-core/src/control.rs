//! Progress and interruption of long computations. The caller shares a [`Control`] with
//! a computation, reads its progress from another thread and may ask it to stop; the
//! computation checks it between units of work and then returns [`Error::Interrupted`],
//! leaving nothing half-done behind (its partial results are dropped).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use crate::error::{Error, Result};

/// Rows between two checks of [`Control::check_row`].
pub const CHECK_ROWS: usize = 1 << 12;

/// Shared between a computation and its caller.
#[derive(Debug, Default)]
pub struct Control {
    cancel: AtomicBool,
    done: AtomicU64,
    total: AtomicU64,
}

impl Control {
    /// Ask the computation to stop at its next check.
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    /// Whether the computation was asked to stop.
    pub fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }

    /// `Err(Error::Interrupted)` once the computation was asked to stop.
    pub fn check(&self) -> Result<()> {
        if self.cancelled() {
            Err(Error::Interrupted)
        } else {
            Ok(())
        }
    }

    /// [`Control::check`] at every [`CHECK_ROWS`]th row `i` of a pass over the rows (a
    /// load of one flag between checks is all the cost).
    pub fn check_row(&self, i: usize) -> Result<()> {
        if i % CHECK_ROWS == 0 {
            self.check()
        } else {
            Ok(())
        }
    }

    /// Units of work in all (set by the computation when it knows).
    pub fn set_total(&self, total: u64) {
        self.total.store(total, Ordering::Relaxed);
    }

    /// Record `n` more units done.
    pub fn add(&self, n: u64) {
        self.done.fetch_add(n, Ordering::Relaxed);
    }

    /// (units done, units in all; 0 while unknown).
    pub fn progress(&self) -> (u64, u64) {
        (
            self.done.load(Ordering::Relaxed),
            self.total.load(Ordering::Relaxed),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_stops() {
        let c = Control::default();
        c.set_total(10);
        c.add(3);
        c.add(4);
        assert_eq!(c.progress(), (7, 10));
        assert!(c.check().is_ok());
        c.cancel();
        assert_eq!(c.check(), Err(Error::Interrupted));
    }
}
