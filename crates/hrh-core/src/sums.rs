//! Exact sums and grouped sums that merge in any order.
//!
//! A floating-point sum depends on the order of its terms, so a sum computed by several
//! threads, or over several partitions of a table, can differ in its last digits from
//! run to run. [`ExactSum`] keeps the sum without rounding error as a short list of
//! non-overlapping partials (Shewchuk 1997) and rounds once at the end (as Python's
//! `math.fsum`): the result is the correctly rounded sum of the terms, the same for any
//! order, any chunking and any merging of partial states.
//!
//! [`GroupedSums`] is the partial state of "sum these columns over these groups": counts
//! and exact sums per cell of the key codes' product. It merges associatively and
//! commutatively ([`GroupedSums::merge`]), so one batch, a stream of batches or a tree
//! of partitions gives bit-for-bit the same table.
//!
//! References: J. R. Shewchuk (1997), Adaptive precision floating-point arithmetic and
//! fast robust geometric predicates, Discrete & Computational Geometry 18:305-363;
//! R. M. Neal's and R. Hettinger's `msum` recipe behind CPython's `math.fsum`.

use std::borrow::Cow;

use rayon::prelude::*;

use crate::error::{Error, Result};

/// Whether every value is finite and at least `minimum` (above it when `strict`): the
/// plain case of the checks on a column before it is summed, in one pass over blocks
/// in parallel (a yes or no, so the same for any number of threads). `minimum` of
/// -inf checks only that the values are finite; a NaN is never valid.
pub fn finite_at_least(values: &[f64], minimum: f64, strict: bool) -> bool {
    // Branch-free within a block, so that the compiler vectorises it.
    let block_ok = |block: &[f64]| {
        if strict {
            block
                .iter()
                .fold(true, |ok, &x| ok & x.is_finite() & (x > minimum))
        } else {
            block
                .iter()
                .fold(true, |ok, &x| ok & x.is_finite() & (x >= minimum))
        }
    };
    values.par_chunks(1 << 16).all(block_ok)
}

/// An exact running sum of finite floats: non-overlapping partials in increasing
/// magnitude, whose exact total is the sum of every term added.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExactSum {
    partials: Vec<f64>,
    /// The true sum left the range of finite floats (or a non-finite term was added).
    overflow: bool,
}

impl ExactSum {
    /// An empty sum (zero).
    pub fn new() -> Self {
        Self::default()
    }

    /// Add one term exactly.
    #[inline]
    pub fn add(&mut self, x: f64) {
        if self.overflow {
            return;
        }
        if !x.is_finite() {
            self.overflow = true;
            return;
        }
        let mut x = x;
        let mut kept = 0;
        for j in 0..self.partials.len() {
            let y = self.partials[j];
            // Two-sum: hi + lo == x + y exactly.
            let hi = x + y;
            let b = hi - x;
            let lo = (x - (hi - b)) + (y - b);
            if !hi.is_finite() {
                self.overflow = true;
                return;
            }
            if lo != 0.0 {
                self.partials[kept] = lo;
                kept += 1;
            }
            x = hi;
        }
        self.partials.truncate(kept);
        self.partials.push(x);
    }

    /// The partials: non-overlapping floats, increasing in magnitude, whose exact sum
    /// is the sum (a single infinity when it overflowed). Adding them to another
    /// `ExactSum` adds this sum exactly, so they carry a partial sum between processes.
    pub fn partials(&self) -> Vec<f64> {
        if self.overflow {
            return vec![self.value()];
        }
        self.partials
            .iter()
            .copied()
            .filter(|&p| p != 0.0)
            .collect()
    }

    /// Add another partial sum exactly (associative and commutative).
    pub fn merge(&mut self, other: &ExactSum) {
        if other.overflow {
            self.overflow = true;
        }
        for &p in &other.partials {
            self.add(p);
        }
    }

    /// The correctly rounded value of the exact sum (round half to even; zero is +0);
    /// infinity with the sign of the largest partial when it overflowed.
    pub fn value(&self) -> f64 {
        if self.overflow {
            let sign = self.partials.last().copied().unwrap_or(1.0).signum();
            return sign * f64::INFINITY;
        }
        let p = &self.partials;
        let Some(mut n) = p.len().checked_sub(1) else {
            return 0.0;
        };
        let mut hi = p[n];
        let mut lo = 0.0;
        while n > 0 {
            n -= 1;
            let x = hi;
            let y = p[n];
            hi = x + y;
            let yr = hi - x;
            lo = y - yr;
            if lo != 0.0 {
                break;
            }
        }
        // Half-way case: the partials below decide which way to round.
        if n > 0 && ((lo < 0.0 && p[n - 1] < 0.0) || (lo > 0.0 && p[n - 1] > 0.0)) {
            let y = lo * 2.0;
            let x = hi + y;
            let yr = x - hi;
            if y == yr {
                hi = x;
            }
        }
        // A zero sum is +0 (never -0), as on the fixed-point path.
        hi + 0.0
    }
}

/// Keys coded per column: `codes[k][row]` in `0..cardinalities[k]`.
#[derive(Debug, Clone, Copy)]
pub struct KeyCodes<'a> {
    /// One code column per key.
    pub codes: &'a [&'a [u32]],
    /// The number of distinct values of each key.
    pub cardinalities: &'a [usize],
}

/// The bit range of a column of floats: the exponent of the lowest set bit of any
/// value and one past the highest, over the non-zero values.
#[derive(Debug, Clone, Copy, PartialEq)]
struct BitRange {
    low: i32,
    high: i32,
    finite: bool,
}

impl BitRange {
    const EMPTY: BitRange = BitRange {
        low: i32::MAX,
        high: i32::MIN,
        finite: true,
    };

    fn of(values: &[f64]) -> BitRange {
        let mut r = BitRange::EMPTY;
        for &x in values {
            let bits = x.to_bits();
            let biased = ((bits >> 52) & 0x7ff) as i32;
            let fraction = bits & ((1u64 << 52) - 1);
            if biased == 0x7ff {
                r.finite = false;
                continue;
            }
            let mantissa = if biased == 0 {
                fraction
            } else {
                fraction | (1 << 52)
            };
            if mantissa == 0 {
                continue;
            }
            let e = biased.max(1) - 1075;
            r.low = r.low.min(e + mantissa.trailing_zeros() as i32);
            r.high = r.high.max(e + 64 - mantissa.leading_zeros() as i32);
        }
        r
    }
}

/// Bits a fixed-point sum may use (of the 127 of an `i128`, one spare).
const FIXED_BITS: i32 = 126;
/// The lowest scale of the fixed-point path: any non-zero sum at or above 2^-900 is a
/// normal float, so scaling it back is exact.
const FIXED_MIN_SCALE: i32 = -900;

/// The exact sums of one value column over the cells.
#[derive(Debug, Clone, PartialEq)]
enum ColumnSums {
    /// Integers times 2^scale: every value added was a multiple of 2^scale below
    /// 2^high in magnitude, and `rows` values at most were added to a cell, so no sum
    /// exceeds `FIXED_BITS` bits.
    Fixed {
        scale: i32,
        high: i32,
        rows: u64,
        acc: Vec<i128>,
    },
    /// Shewchuk partials, for values spanning too wide a range of magnitudes.
    Exact(Vec<ExactSum>),
}

fn bit_length(n: u64) -> i32 {
    64 - n.leading_zeros() as i32
}

fn fits(scale: i32, high: i32, rows: u64) -> bool {
    scale >= FIXED_MIN_SCALE
        && (high as i64 - scale as i64 + bit_length(rows) as i64) <= FIXED_BITS as i64
}

/// 2^e as a float, for e in the normal range.
/// When every value times `unit` (a power of two) is an integer below 2^51 in
/// magnitude, the bits of the largest (one past its highest set bit; 0 for none):
/// rounding to an integer by adding and subtracting 1.5 * 2^52 leaves such a value as it
/// is and changes any other (NaN fails the comparison, infinities the bound).
fn on_grid(values: &[f64], unit: f64) -> Option<i32> {
    const ROUND: f64 = 6_755_399_441_055_744.0;
    let limit = pow2(51);
    let (mut bad, mut most) = (false, 0i32);
    for &x in values {
        let y = x * unit;
        let r = (y + ROUND) - ROUND;
        bad |= (r != y) | (y.abs() >= limit) | y.is_nan();
        // The biased exponent: an integer y >= 1 has 1022 less of bits.
        most = most.max(((y.to_bits() >> 52) & 0x7ff) as i32);
    }
    (!bad).then(|| (most - 1022).max(0))
}

fn pow2(e: i32) -> f64 {
    f64::from_bits(((e + 1023) as u64) << 52)
}

impl ColumnSums {
    fn empty(cells: usize) -> Self {
        ColumnSums::Fixed {
            scale: i32::MAX,
            high: i32::MIN,
            rows: 0,
            acc: vec![0; cells],
        }
    }

    /// Rescale a fixed-point state to `scale` (not above its own) if the result fits.
    fn rescale(&mut self, new_scale: i32, new_high: i32, new_rows: u64) -> bool {
        let ColumnSums::Fixed {
            scale,
            high,
            rows,
            acc,
        } = self
        else {
            return false;
        };
        let target = new_scale.min(*scale);
        let top = new_high.max(*high);
        let total = rows.saturating_add(new_rows);
        if target == i32::MAX {
            // Nothing but zeros so far.
            *rows = total;
            return true;
        }
        if !fits(target, top, total) {
            return false;
        }
        if *scale != i32::MAX && target < *scale {
            let shift = (*scale - target) as u32;
            for a in acc.iter_mut() {
                *a <<= shift;
            }
        }
        *scale = target;
        *high = top;
        *rows = total;
        true
    }

    /// Turn a fixed-point state into partials (exactly).
    /// The exact sum of one cell as partials.
    fn exact_at(&self, cell: usize) -> ExactSum {
        match self {
            ColumnSums::Fixed { scale, acc, .. } => {
                let mut s = ExactSum::new();
                let mut rest = acc[cell];
                // At most three floats hold a 126-bit integer exactly.
                for _ in 0..3 {
                    if rest == 0 {
                        break;
                    }
                    let part = rest as f64;
                    s.add(part * pow2(*scale));
                    rest -= part as i128;
                }
                s
            }
            ColumnSums::Exact(sums) => sums[cell].clone(),
        }
    }

    /// Turn a fixed-point state into partials (exactly).
    fn make_exact(&mut self) {
        if let ColumnSums::Fixed { acc, .. } = self {
            let sums = (0..acc.len()).map(|c| self.exact_at(c)).collect();
            *self = ColumnSums::Exact(sums);
        }
    }

    fn add(&mut self, cell: &[u32], values: &[f64]) {
        // The usual block once the scale is set: every value an integer times 2^scale
        // below 2^51 in magnitude, checked in one vectorised pass instead of the exact
        // range of each value's bits (the sums, and their bits, are the same).
        if let ColumnSums::Fixed { scale, .. } = *self {
            let top = if (FIXED_MIN_SCALE..=1022).contains(&scale) {
                on_grid(values, pow2(-scale))
            } else {
                None
            };
            if top.is_some_and(|t| self.rescale(scale, scale + t, values.len() as u64)) {
                if let ColumnSums::Fixed { acc, .. } = self {
                    let unit = pow2(-scale);
                    for (&c, &x) in cell.iter().zip(values) {
                        acc[c as usize] += i128::from((x * unit) as i64);
                    }
                }
                return;
            }
        }
        let range = BitRange::of(values);
        let fixed = range.finite
            && (range.low == i32::MAX || self.rescale(range.low, range.high, values.len() as u64));
        if !fixed {
            self.make_exact();
        }
        match self {
            // Nothing but zeros so far: nothing to add.
            ColumnSums::Fixed {
                scale: i32::MAX, ..
            } => {}
            ColumnSums::Fixed { scale, acc, .. }
                if i64::from(range.high) - i64::from(*scale) <= 62 && *scale <= 1022 =>
            {
                // Every value is an integer times 2^scale below 2^62 in magnitude:
                // scaling it by a power of two is exact, and so is the conversion.
                let unit = pow2(-*scale);
                for (&c, &x) in cell.iter().zip(values) {
                    acc[c as usize] += i128::from((x * unit) as i64);
                }
            }
            ColumnSums::Fixed { scale, acc, .. } => {
                let scale = *scale;
                for (&c, &x) in cell.iter().zip(values) {
                    let bits = x.to_bits();
                    let biased = ((bits >> 52) & 0x7ff) as i32;
                    let fraction = bits & ((1u64 << 52) - 1);
                    let mantissa = if biased == 0 {
                        fraction
                    } else {
                        fraction | (1 << 52)
                    };
                    let shift = biased.max(1) - 1075 - scale;
                    // A negative shift drops only zero bits (the value is a multiple of
                    // 2^scale); zero has a zero mantissa whatever the shift.
                    let m = if shift >= 0 {
                        (mantissa as i128) << shift.min(127)
                    } else {
                        (mantissa >> (-shift).min(63)) as i128
                    };
                    acc[c as usize] += if (bits >> 63) == 1 { -m } else { m };
                }
            }
            ColumnSums::Exact(sums) => {
                for (&c, &x) in cell.iter().zip(values) {
                    sums[c as usize].add(x);
                }
            }
        }
    }

    /// Room for `cells` cells (not fewer than now), the new ones empty.
    fn grow(&mut self, cells: usize) {
        match self {
            ColumnSums::Fixed { acc, .. } => acc.resize(cells, 0),
            ColumnSums::Exact(sums) => sums.resize(cells, ExactSum::new()),
        }
    }

    /// Add cell `i` of `other` into cell `map[i]` of this (cell `i` when `map` is
    /// `None`).
    fn merge(&mut self, other: &ColumnSums, map: Option<&[u32]>) {
        let at = |i: usize| map.map_or(i, |m| m[i] as usize);
        let mut other = other.clone();
        if let ColumnSums::Fixed {
            scale, high, rows, ..
        } = other
        {
            // Both on the lower scale, if the sum of both still fits.
            if self.rescale(scale, high, rows) && other.rescale(self.scale(), high, 0) {
                if let (
                    ColumnSums::Fixed { acc: mine, .. },
                    ColumnSums::Fixed { acc: theirs, .. },
                ) = (&mut *self, &other)
                {
                    for (i, b) in theirs.iter().enumerate() {
                        mine[at(i)] += b;
                    }
                    return;
                }
            }
        }
        self.make_exact();
        other.make_exact();
        if let (ColumnSums::Exact(mine), ColumnSums::Exact(theirs)) = (&mut *self, &other) {
            for (i, b) in theirs.iter().enumerate() {
                mine[at(i)].merge(b);
            }
        }
    }

    fn scale(&self) -> i32 {
        match self {
            ColumnSums::Fixed { scale, .. } => *scale,
            ColumnSums::Exact(_) => i32::MIN,
        }
    }

    fn value(&self, cell: usize) -> f64 {
        match self {
            ColumnSums::Fixed { scale, acc, .. } => {
                if acc[cell] == 0 {
                    0.0
                } else {
                    // The integer rounds once to the nearest float (ties to even), and
                    // scaling by a power of two is exact in the normal range.
                    let v = acc[cell] as f64;
                    if *scale > 1023 {
                        v * pow2(1023) * pow2(*scale - 1023)
                    } else {
                        v * pow2(*scale)
                    }
                }
            }
            ColumnSums::Exact(sums) => sums[cell].value(),
        }
    }
}

/// Grouped counts and exact sums: the partial state of a grouped sum.
///
/// Each column's sums are kept exactly, as integers times a common power of two when
/// the values' bits span at most about 126 bits together (the usual case: one integer
/// add per row), else as Shewchuk partials. Either way the finished sums are the
/// correctly rounded sums, so states merge associatively and commutatively and any
/// split of the rows gives the same bits.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupedSums {
    cells: usize,
    counts: Vec<u64>,
    columns: Vec<ColumnSums>,
}

/// The finished table of a grouped sum: only the cells with rows.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupedTable {
    /// The cell (mixed-radix key combination) of each output row, increasing.
    pub cell: Vec<u64>,
    /// Rows in each cell.
    pub count: Vec<u64>,
    /// `sums[c][i]`: the correctly rounded sum of value column `c` over output row `i`.
    pub sums: Vec<Vec<f64>>,
}

/// The finished partial table of a grouped sum: like [`GroupedTable`], with each sum as
/// the exact partials of [`ExactSum::partials`].
#[derive(Debug, Clone, PartialEq)]
pub struct GroupedPartials {
    /// The cell (mixed-radix key combination) of each output row, increasing.
    pub cell: Vec<u64>,
    /// Rows in each cell.
    pub count: Vec<u64>,
    /// `partials[c][i]`: the partials of value column `c`'s sum over output row `i`.
    pub partials: Vec<Vec<Vec<f64>>>,
}

/// Cells a dense partial state may hold (each costs a count and 16 bytes per value
/// column, more for values of widely different magnitudes).
pub const MAX_DENSE_CELLS: usize = 1 << 22;

/// Rows per block when adding in parallel.
const BLOCK: usize = 1 << 16;

impl GroupedSums {
    /// An empty state over `cells` cells and `columns` value columns.
    pub fn new(cells: usize, columns: usize) -> Result<Self> {
        if cells > MAX_DENSE_CELLS {
            return Err(Error::input(
                "by",
                format!(
                    "{cells} key combinations exceed the {MAX_DENSE_CELLS} a grouped sum holds \
                     (about {} MiB per value column); group by fewer or coarser keys",
                    (cells as u128 * 24) >> 20
                ),
            ));
        }
        Ok(Self {
            cells,
            counts: vec![0; cells],
            columns: (0..columns).map(|_| ColumnSums::empty(cells)).collect(),
        })
    }

    /// Add rows whose cells are `cell` (each `< cells`) with values `values[c][row]`.
    pub fn add(&mut self, cell: &[u32], values: &[&[f64]]) -> Result<()> {
        if values.len() != self.columns.len() {
            return Err(Error::input(
                "values",
                format!(
                    "{} value columns, expected {}",
                    values.len(),
                    self.columns.len()
                ),
            ));
        }
        for v in values {
            if v.len() != cell.len() {
                return Err(Error::input(
                    "values",
                    format!("{} values for {} rows", v.len(), cell.len()),
                ));
            }
        }
        // The largest cell first (a vectorised pass), the row of a bad one only then.
        let beyond = |&c: &u32| c as usize >= self.cells;
        if cell.iter().max().is_some_and(beyond) {
            if let Some(row) = cell.iter().position(beyond) {
                return Err(Error::input_at(
                    "cell",
                    row,
                    format!("{} is not below {}", cell[row], self.cells),
                ));
            }
        }
        for &c in cell {
            self.counts[c as usize] += 1;
        }
        for (sums, v) in self.columns.iter_mut().zip(values) {
            sums.add(cell, v);
        }
        Ok(())
    }

    /// Merge another state over the same cells (associative and commutative).
    pub fn merge(&mut self, other: &GroupedSums) -> Result<()> {
        if other.cells != self.cells || other.columns.len() != self.columns.len() {
            return Err(Error::input(
                "state",
                "partial states over different cells or columns cannot merge",
            ));
        }
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
        for (a, b) in self.columns.iter_mut().zip(&other.columns) {
            a.merge(b, None);
        }
        Ok(())
    }

    /// The number of cells.
    pub fn cells(&self) -> usize {
        self.cells
    }

    /// The number of value columns.
    pub fn columns(&self) -> usize {
        self.columns.len()
    }

    /// Room for `cells` cells (not fewer than now), the new ones empty: a state whose
    /// cells are found as the rows arrive (hashed keys) grows with them.
    pub fn grow(&mut self, cells: usize) {
        if cells > self.cells {
            self.cells = cells;
            self.counts.resize(cells, 0);
            for c in &mut self.columns {
                c.grow(cells);
            }
        }
    }

    /// Merge another state whose cell `i` is this state's cell `map[i]` (associative
    /// and commutative, as [`GroupedSums::merge`]).
    pub fn merge_mapped(&mut self, other: &GroupedSums, map: &[u32]) -> Result<()> {
        if map.len() != other.cells
            || other.columns.len() != self.columns.len()
            || map.iter().any(|&c| c as usize >= self.cells)
        {
            return Err(Error::input(
                "state",
                "partial states over different cells or columns cannot merge",
            ));
        }
        for (i, &b) in other.counts.iter().enumerate() {
            self.counts[map[i] as usize] += b;
        }
        for (a, b) in self.columns.iter_mut().zip(&other.columns) {
            a.merge(b, Some(map));
        }
        Ok(())
    }

    /// The cells with at least one row, each sum kept exactly as its partials: a table
    /// that another process can merge (sum the partials again) without rounding.
    pub fn finish_partials(&self) -> GroupedPartials {
        let kept: Vec<usize> = (0..self.cells).filter(|&c| self.counts[c] > 0).collect();
        GroupedPartials {
            cell: kept.iter().map(|&c| c as u64).collect(),
            count: kept.iter().map(|&c| self.counts[c]).collect(),
            partials: self
                .columns
                .iter()
                .map(|s| kept.iter().map(|&c| s.exact_at(c).partials()).collect())
                .collect(),
        }
    }

    /// The table of cells with at least one row.
    pub fn finish(&self) -> GroupedTable {
        let kept: Vec<usize> = (0..self.cells).filter(|&c| self.counts[c] > 0).collect();
        GroupedTable {
            cell: kept.iter().map(|&c| c as u64).collect(),
            count: kept.iter().map(|&c| self.counts[c]).collect(),
            sums: self
                .columns
                .iter()
                .map(|s| kept.iter().map(|&c| s.value(c)).collect())
                .collect(),
        }
    }
}

/// Checks each key's codes against its cardinality; returns the number of key
/// combinations (the product of the cardinalities).
fn check_keys(keys: KeyCodes<'_>, rows: usize) -> Result<u64> {
    if keys.codes.len() != keys.cardinalities.len() {
        return Err(Error::input(
            "by",
            "one cardinality per key column is needed",
        ));
    }
    let mut product: u64 = 1;
    for (k, (codes, &n)) in keys.codes.iter().zip(keys.cardinalities).enumerate() {
        if codes.len() != rows {
            return Err(Error::input(
                format!("key {k}"),
                format!("{} codes for {rows} rows", codes.len()),
            ));
        }
        if let Some(row) = codes.iter().position(|&c| c as usize >= n) {
            return Err(Error::input_at(
                format!("key {k}"),
                row,
                format!("code {} is not below {n}", codes[row]),
            ));
        }
        product = product.checked_mul(n.max(1) as u64).ok_or_else(|| {
            Error::input(
                "by",
                format!(
                    "the keys' combinations ({}) exceed 2^64; group by fewer keys",
                    keys.cardinalities
                        .iter()
                        .map(|n| n.to_string())
                        .collect::<Vec<_>>()
                        .join(" x ")
                ),
            )
        })?;
    }
    Ok(product)
}

/// The mixed-radix key combination of each row (the last key varies fastest).
fn combine<T>(keys: KeyCodes<'_>, rows: usize) -> Vec<T>
where
    T: Copy
        + Send
        + Sync
        + Default
        + From<u32>
        + std::ops::Mul<Output = T>
        + std::ops::Add<Output = T>,
{
    let mut out = vec![T::default(); rows];
    for (codes, &n) in keys.codes.iter().zip(keys.cardinalities) {
        // n fits: the product of the cardinalities fits T.
        let n = T::from(n as u32);
        out.par_chunks_mut(BLOCK)
            .zip(codes.par_chunks(BLOCK))
            .for_each(|(o, c)| {
                for (o, &c) in o.iter_mut().zip(c) {
                    *o = *o * n + T::from(c);
                }
            });
    }
    out
}

/// Dense cell indices of the key combinations: the combinations themselves when they
/// are few (a single key's codes as they are), else the rank among the distinct
/// combinations present (found by sorting). Returns the index of each row and the
/// combination of each index.
fn dense_cells<'a>(keys: KeyCodes<'a>, rows: usize) -> Result<(Cow<'a, [u32]>, Vec<u64>)> {
    let product = check_keys(keys, rows)?;
    if product <= (rows.max(BLOCK) as u64).min(MAX_DENSE_CELLS as u64) {
        let index = match keys.codes {
            [] => Cow::Owned(vec![0u32; rows]),
            [one] => Cow::Borrowed(*one),
            _ => Cow::Owned(combine::<u32>(keys, rows)),
        };
        return Ok((index, (0..product).collect()));
    }
    let combined = combine::<u64>(keys, rows);
    let mut distinct = combined.clone();
    distinct.par_sort_unstable();
    distinct.dedup();
    let index = combined
        .par_iter()
        .map(|c| distinct.binary_search(c).unwrap_or(0) as u32)
        .collect();
    Ok((Cow::Owned(index), distinct))
}

/// The checks every grouped sum makes first: at most `u32::MAX` rows, and as many
/// values in each column as rows.
pub(crate) fn check_sizes(values: &[&[f64]], rows: usize) -> Result<()> {
    if rows > u32::MAX as usize {
        return Err(Error::input(
            "data",
            format!(
                "{rows} rows; a grouped sum takes at most {} per call",
                u32::MAX
            ),
        ));
    }
    if let Some(v) = values.iter().find(|v| v.len() != rows) {
        return Err(Error::input(
            "values",
            format!("{} values for {rows} rows", v.len()),
        ));
    }
    Ok(())
}

/// The partial state of `values` summed over the key combinations, built in parallel
/// blocks, and the key combination of each of its cells.
fn grouped_state(
    keys: KeyCodes<'_>,
    values: &[&[f64]],
    rows: usize,
) -> Result<(GroupedSums, Vec<u64>)> {
    check_sizes(values, rows)?;
    let (cell, names) = dense_cells(keys, rows)?;
    let cells = names.len();
    let columns = values.len();
    let blocks = rows.div_ceil(BLOCK).max(1);
    // One state per thread-sized stretch of blocks when the cells are few; the merge is
    // exact, so the split does not change the result.
    let parts = if cells <= BLOCK {
        rayon::current_num_threads().clamp(1, blocks)
    } else {
        1
    };
    let per = blocks.div_ceil(parts) * BLOCK;
    let states: Vec<GroupedSums> = (0..parts)
        .into_par_iter()
        .map(|p| {
            let lo = (p * per).min(rows);
            let hi = ((p + 1) * per).min(rows);
            let mut s = GroupedSums::new(cells, columns)?;
            let slices: Vec<&[f64]> = values.iter().map(|v| &v[lo..hi]).collect();
            s.add(&cell[lo..hi], &slices)?;
            Ok(s)
        })
        .collect::<Result<_>>()?;
    let mut states = states.into_iter();
    let mut total = states
        .next()
        .map_or_else(|| GroupedSums::new(cells, columns), Ok)?;
    for s in states {
        total.merge(&s)?;
    }
    Ok((total, names))
}

/// Counts and exact sums of `values` over the key combinations, computed in parallel
/// blocks; identical for any number of threads. The table's `cell` is the mixed-radix
/// combination of key codes.
pub fn grouped_sums(keys: KeyCodes<'_>, values: &[&[f64]], rows: usize) -> Result<GroupedTable> {
    let (state, names) = grouped_state(keys, values, rows)?;
    let mut table = state.finish();
    for c in table.cell.iter_mut() {
        *c = names[*c as usize];
    }
    Ok(table)
}

/// As [`grouped_sums`], with each group's sums kept exactly in a few rows whose values
/// add up (exactly) to the sums: the long form of [`GroupedPartials`]. A group spans as
/// many rows as its longest list of partials (at least one), shorter lists padded with
/// zeros, its count on the first row and zero on the others. Tables of batches or
/// partitions merge by concatenation, and a grouped sum of the concatenation (exact,
/// here) gives the sums over all rows.
pub fn grouped_partials(
    keys: KeyCodes<'_>,
    values: &[&[f64]],
    rows: usize,
) -> Result<GroupedTable> {
    let (state, names) = grouped_state(keys, values, rows)?;
    Ok(long_partials(&state.finish_partials(), |c| {
        names[c as usize]
    }))
}

/// The long form of a partial table (see [`grouped_partials`]), each output cell
/// named by `name` of the state's cell.
pub fn long_partials(p: &GroupedPartials, name: impl Fn(u64) -> u64) -> GroupedTable {
    let mut out = GroupedTable {
        cell: Vec::new(),
        count: Vec::new(),
        sums: vec![Vec::new(); p.partials.len()],
    };
    for (i, (&cell, &count)) in p.cell.iter().zip(&p.count).enumerate() {
        let span = p
            .partials
            .iter()
            .map(|c| c[i].len())
            .max()
            .unwrap_or(0)
            .max(1);
        for r in 0..span {
            out.cell.push(name(cell));
            out.count.push(if r == 0 { count } else { 0 });
            for (column, parts) in out.sums.iter_mut().zip(&p.partials) {
                column.push(parts[i].get(r).copied().unwrap_or(0.0));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finite_at_least_finds_a_bad_value_in_any_block() {
        let n = 3 * (1 << 16) + 5;
        let ok: Vec<f64> = (0..n).map(|i| (i % 7) as f64 * 0.25).collect();
        assert!(finite_at_least(&ok, 0.0, false));
        assert!(!finite_at_least(&ok, 0.0, true)); // zeros are not positive
        assert!(finite_at_least(&[], 1.0, true));
        assert!(finite_at_least(&[-0.0, 1.0], 0.0, false));
        assert!(finite_at_least(&[-5.0, 1e308], f64::NEG_INFINITY, false));
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -1e-300] {
            for at in [0, 1 << 16, n - 1] {
                let mut v = ok.clone();
                v[at] = bad;
                assert!(!finite_at_least(&v, 0.0, false), "{bad} at {at}");
                if !bad.is_finite() {
                    assert!(!finite_at_least(&v, f64::NEG_INFINITY, false));
                }
            }
        }
    }

    #[test]
    fn a_cell_beyond_the_table_is_named_by_its_row() {
        let mut g = GroupedSums::new(3, 1).unwrap();
        let e = g.add(&[0, 2, 3, 1, 7], &[&[1.0; 5]]).unwrap_err();
        assert_eq!(e.to_string(), "column 'cell', row 2: 3 is not below 3");
        g.add(&[0, 2, 2], &[&[1.0, 2.0, 3.0]]).unwrap();
        assert_eq!(g.finish().sums[0], vec![1.0, 5.0]);
    }

    fn exact(xs: &[f64]) -> f64 {
        let mut s = ExactSum::new();
        for &x in xs {
            s.add(x);
        }
        s.value()
    }

    #[test]
    fn exact_sum_is_correctly_rounded() {
        assert_eq!(exact(&[0.1; 10]), 1.0);
        assert_eq!(exact(&[1e100, 1.0, -1e100, 1e-100]), 1.0);
        assert_eq!(exact(&[]), 0.0);
        // Half-way cases (CPython's fsum tests).
        assert_eq!(exact(&[1.0, 1e-16, 1e-16 * 0.5]), 1.0000000000000002);
        assert_eq!(
            exact(&[2f64.powi(53), -0.5, -2f64.powi(-54)]),
            2f64.powi(53) - 1.0
        );
        assert_eq!(
            exact(&[2f64.powi(53), 1.0, 2f64.powi(-80)]),
            2f64.powi(53) + 2.0
        );
        assert_eq!(exact(&[2f64.powi(53), 1.0]), 2f64.powi(53));
        assert_eq!(
            exact(&[1.7976931348623157e308, 1.7976931348623157e308]),
            f64::INFINITY
        );
    }

    #[test]
    fn any_order_and_merge_gives_the_same_bits() {
        let mut rng = crate::rng::Rng::stream(7, 0);
        let xs: Vec<f64> = (0..5000)
            .map(|_| rng.uniform() * 10f64.powi((rng.uniform() * 12.0) as i32 - 6))
            .collect();
        let a = exact(&xs);
        let mut rev = xs.clone();
        rev.reverse();
        assert_eq!(a.to_bits(), exact(&rev).to_bits());
        for split in [1, 17, 2500, 4999] {
            let (mut l, mut r) = (ExactSum::new(), ExactSum::new());
            xs[..split].iter().for_each(|&x| l.add(x));
            xs[split..].iter().for_each(|&x| r.add(x));
            r.merge(&l);
            assert_eq!(a.to_bits(), r.value().to_bits());
        }
    }

    #[test]
    fn fixed_point_and_partials_agree_bit_for_bit() {
        let mut rng = crate::rng::Rng::stream(11, 0);
        let cases: Vec<Vec<f64>> = vec![
            (0..20000).map(|i| [0.5, 0.8, 1.0, 0.1][i % 4]).collect(),
            (0..20000).map(|_| rng.uniform() * 1e6 - 3e5).collect(),
            (0..20000)
                .map(|_| (rng.uniform() * 1e4).round() / 100.0)
                .collect(),
            // Too wide for the fixed-point path: partials.
            (0..20000)
                .map(|i| {
                    if i % 7 == 0 {
                        1e200
                    } else {
                        1e-200 * rng.uniform()
                    }
                })
                .collect(),
            vec![0.0, -0.0, 5e-324, 1e-310, 3.0],
        ];
        for xs in &cases {
            let cell: Vec<u32> = (0..xs.len() as u32).map(|i| i % 3).collect();
            let mut one = GroupedSums::new(3, 1).unwrap();
            one.add(&cell, &[xs]).unwrap();
            let t = one.finish();
            for g in 0..3 {
                let mine: Vec<f64> = xs
                    .iter()
                    .zip(&cell)
                    .filter(|(_, &c)| c == g)
                    .map(|(&x, _)| x)
                    .collect();
                assert_eq!(
                    t.sums[0][g as usize].to_bits(),
                    exact(&mine).to_bits(),
                    "{g}"
                );
            }
            // Any split into parts, merged in any order, gives the same bits.
            for split in [1, 999, xs.len() / 2] {
                let split = split.min(xs.len());
                let mut a = GroupedSums::new(3, 1).unwrap();
                let mut b = GroupedSums::new(3, 1).unwrap();
                a.add(&cell[..split], &[&xs[..split]]).unwrap();
                b.add(&cell[split..], &[&xs[split..]]).unwrap();
                b.merge(&a).unwrap();
                assert_eq!(b.finish(), t);
            }
        }
    }

    #[test]
    fn blocks_on_and_off_the_grid_of_the_first() {
        // Blocks added one after another: the first sets the fixed-point scale; later
        // ones on its grid take the quick check, others (finer values, values too large
        // for the check, wide ranges, non-finite) the exact range of their bits.
        let mut rng = crate::rng::Rng::stream(12, 0);
        let mut blocks: Vec<Vec<f64>> = vec![
            (0..500).map(|i| [0.5, 1.0, 1.5][i % 3]).collect(),
            (0..500).map(|i| [-0.5, 2.0, 0.0, -0.0][i % 4]).collect(),
            (0..500)
                .map(|_| (rng.uniform() * 64.0).floor() / 8.0)
                .collect(),
            (0..500)
                .map(|_| (rng.uniform() * 1e6).floor() * 4.0)
                .collect(),
            (0..500)
                .map(|_| 2f64.powi(55) * (1.0 + rng.uniform()))
                .collect(),
            (0..500).map(|i| [0.25, 1e-30][i % 2]).collect(),
            (0..500)
                .map(|_| (rng.uniform() * 4.0).floor() * 0.5)
                .collect(),
        ];
        blocks.push(vec![1.0, f64::INFINITY, 2.0]);
        blocks.push(vec![0.5; 10]);
        for end in 1..=blocks.len() {
            let mut state = GroupedSums::new(2, 1).unwrap();
            let mut all: [Vec<f64>; 2] = [Vec::new(), Vec::new()];
            for xs in &blocks[..end] {
                let cell: Vec<u32> = (0..xs.len() as u32).map(|i| i % 2).collect();
                state.add(&cell, &[xs]).unwrap();
                for (i, &x) in xs.iter().enumerate() {
                    all[i % 2].push(x);
                }
            }
            let t = state.finish();
            for g in 0..2 {
                assert_eq!(
                    t.sums[0][g].to_bits(),
                    exact(&all[g]).to_bits(),
                    "blocks 0..{end}, cell {g}"
                );
            }
        }
    }

    #[test]
    fn partials_carry_the_exact_sum() {
        let k = [0u32, 1, 0, 1, 0];
        let v = [0.1, 1e300, 0.2, -1e300, 1e-300];
        let codes: [&[u32]; 1] = [&k];
        let keys = KeyCodes {
            codes: &codes,
            cardinalities: &[2],
        };
        let p = grouped_partials(keys, &[&v], 5).unwrap();
        let t = grouped_sums(keys, &[&v], 5).unwrap();
        for (i, &cell) in t.cell.iter().enumerate() {
            let mine: Vec<f64> = (0..p.cell.len())
                .filter(|&r| p.cell[r] == cell)
                .map(|r| p.sums[0][r])
                .collect();
            assert_eq!(exact(&mine).to_bits(), t.sums[0][i].to_bits());
            let n: u64 = (0..p.cell.len())
                .filter(|&r| p.cell[r] == cell)
                .map(|r| p.count[r])
                .sum();
            assert_eq!(n, t.count[i]);
        }
        // Group 1 cancels to zero: one row. Summing the long table again gives the sums.
        assert_eq!(p.cell.iter().filter(|&&c| c == 1).count(), 1);
        let cells: Vec<u32> = p.cell.iter().map(|&c| c as u32).collect();
        let again: [&[u32]; 1] = [&cells];
        let keys2 = KeyCodes {
            codes: &again,
            cardinalities: &[2],
        };
        let n = cells.len();
        assert_eq!(grouped_sums(keys2, &[&p.sums[0]], n).unwrap().sums, t.sums);
    }

    #[test]
    fn grouped_sums_by_two_keys() {
        let k1 = [0u32, 1, 0, 2, 1];
        let k2 = [1u32, 0, 1, 0, 0];
        let v = [0.5, 1.0, 0.25, 2.0, 3.0];
        let codes: [&[u32]; 2] = [&k1, &k2];
        let t = grouped_sums(
            KeyCodes {
                codes: &codes,
                cardinalities: &[3, 2],
            },
            &[&v],
            5,
        )
        .unwrap();
        assert_eq!(t.cell, vec![1, 2, 4]);
        assert_eq!(t.count, vec![2, 2, 1]);
        assert_eq!(t.sums, vec![vec![0.75, 4.0, 2.0]]);
    }

    #[test]
    fn bad_codes_and_too_many_cells_are_errors() {
        let k = [0u32, 3];
        let codes: [&[u32]; 1] = [&k];
        let e = grouped_sums(
            KeyCodes {
                codes: &codes,
                cardinalities: &[3],
            },
            &[],
            2,
        );
        assert!(matches!(e, Err(Error::Input { .. })));
        let k = [0u32, 1];
        let codes: [&[u32]; 2] = [&k, &k];
        let e = grouped_sums(
            KeyCodes {
                codes: &codes,
                cardinalities: &[1 << 40, 1 << 40],
            },
            &[],
            2,
        );
        assert!(format!("{e:?}").contains("exceed"));
    }

    #[test]
    fn many_sparse_combinations_are_ranked() {
        // 3 x 2^30 combinations, 4 present: sorted, not allocated densely.
        let k1 = [2u32, 0, 2, 1];
        let k2 = [5u32, 1 << 29, 5, 7];
        let codes: [&[u32]; 2] = [&k1, &k2];
        let v = [1.0, 2.0, 3.0, 4.0];
        let t = grouped_sums(
            KeyCodes {
                codes: &codes,
                cardinalities: &[3, 1 << 30],
            },
            &[&v],
            4,
        )
        .unwrap();
        assert_eq!(t.cell, vec![1 << 29, (1 << 30) + 7, (2 << 30) + 5]);
        assert_eq!(t.count, vec![1, 1, 2]);
        assert_eq!(t.sums, vec![vec![2.0, 4.0, 4.0]]);
    }
}
