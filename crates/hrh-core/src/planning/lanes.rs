//! A number per Monte Carlo draw for a block of [`L`] draws run side by side.
//!
//! The projection engine computes every flow of [`L`] draws at once: each arithmetic
//! operation on an [`X`] is the same IEEE operation applied lane by lane, so a lane's
//! result is bit-for-bit what a scalar computation of that draw would give, while the
//! compiler turns the lane loops into SIMD instructions.

use std::ops::{Add, AddAssign, Div, Mul, MulAssign, Sub, SubAssign};

/// Draws per block.
pub const L: usize = 8;

/// When set, the parts compiled twice run their portable copy even on a processor with
/// AVX2 (for checks that both copies give the same numbers).
static PORTABLE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Run the portable copies only (`true`) or pick the AVX2 copies where the processor has
/// AVX2 (`false`, the default). Results are the same either way.
pub fn force_portable(on: bool) {
    PORTABLE.store(on, std::sync::atomic::Ordering::Relaxed);
}

/// Whether the processor has AVX2 (and the portable copies are not forced), for the
/// parts of the engine compiled a second time for it (the same IEEE operations, so the
/// same numbers). The one switch between the copies: every dispatch site asks it.
pub(crate) fn has_avx2() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        !PORTABLE.load(std::sync::atomic::Ordering::Relaxed)
            && std::arch::is_x86_feature_detected!("avx2")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// One number per draw of a block.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct X(pub [f64; L]);

impl X {
    pub const ZERO: X = X([0.0; L]);
    pub const ONE: X = X([1.0; L]);

    /// The same number in every lane.
    #[inline(always)]
    pub fn splat(x: f64) -> X {
        X([x; L])
    }

    /// Apply `f` lane by lane.
    #[inline(always)]
    pub fn map(self, f: impl Fn(f64) -> f64) -> X {
        X(self.0.map(f))
    }

    /// Combine two numbers lane by lane.
    #[inline(always)]
    pub fn zip(self, o: X, f: impl Fn(f64, f64) -> f64) -> X {
        let mut r = self;
        for (a, &b) in r.0.iter_mut().zip(&o.0) {
            *a = f(*a, b);
        }
        r
    }

    /// Lane-wise [`f64::min`].
    #[inline(always)]
    pub fn min(self, o: X) -> X {
        self.zip(o, f64::min)
    }

    /// Lane-wise `x^n`.
    #[inline(always)]
    pub fn powi(self, n: i32) -> X {
        self.map(|x| x.powi(n))
    }

    /// Whether every lane is exactly zero.
    #[inline(always)]
    pub fn all_zero(&self) -> bool {
        self.0.iter().all(|&x| x == 0.0)
    }

    /// Whether some lane is above zero.
    #[inline(always)]
    pub fn any_positive(&self) -> bool {
        self.0.iter().any(|&x| x > 0.0)
    }

    /// Sum of the first `n` lanes (the others count as 0), in a fixed order: each lane of
    /// the first half plus the lane half a block later, and so on down to one.
    #[inline(always)]
    pub fn sum_lanes(self, n: usize) -> f64 {
        let mut x = self.0;
        if n < L {
            x[n..].iter_mut().for_each(|v| *v = 0.0);
        }
        let mut w = L;
        while w > 1 {
            w /= 2;
            for i in 0..w {
                x[i] += x[i + w];
            }
        }
        x[0]
    }

    /// Sum of a slice, lane by lane, in slice order.
    #[inline(always)]
    pub fn sum(xs: &[X]) -> X {
        let mut s = X::ZERO;
        for &x in xs {
            s += x;
        }
        s
    }
}

macro_rules! lane_op {
    ($tr:ident, $f:ident, $atr:ident, $af:ident, $op:tt) => {
        impl $tr for X {
            type Output = X;
            #[inline(always)]
            #[allow(clippy::assign_op_pattern)]
            fn $f(self, o: X) -> X {
                let mut r = self;
                for (a, &b) in r.0.iter_mut().zip(&o.0) {
                    *a = *a $op b;
                }
                r
            }
        }
        impl $tr<X> for f64 {
            type Output = X;
            #[inline(always)]
            fn $f(self, o: X) -> X {
                X::splat(self) $op o
            }
        }
        impl $atr for X {
            #[inline(always)]
            fn $af(&mut self, o: X) {
                *self = *self $op o;
            }
        }
    };
}

lane_op!(Add, add, AddAssign, add_assign, +);
lane_op!(Sub, sub, SubAssign, sub_assign, -);
lane_op!(Mul, mul, MulAssign, mul_assign, *);

impl Div for X {
    type Output = X;
    #[inline(always)]
    fn div(self, o: X) -> X {
        self.zip(o, |a, b| a / b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lane_by_lane() {
        let a = X(std::array::from_fn(|i| i as f64));
        let b = X::splat(2.0);
        assert_eq!((a * b - a + 1.0 * a).0[3], 6.0);
        assert_eq!((a / b).0[1], 0.5);
        assert_eq!(a.min(b).0, [0.0, 1.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0]);
        assert!(X::ZERO.all_zero() && !a.all_zero() && a.any_positive());
        assert_eq!(X::sum(&[a, b]).0[0], 2.0);
        assert_eq!(a.sum_lanes(L), (L * (L - 1) / 2) as f64);
        assert_eq!(a.sum_lanes(3), 3.0);
        assert_eq!(a.powi(2).0[3], 9.0);
    }
}
