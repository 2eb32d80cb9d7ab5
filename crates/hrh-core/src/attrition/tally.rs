//! Risk tables of unweighted time-to-exit data without delayed entry, counted straight
//! from the caller's columns (any of the common integer, float and boolean element
//! types, borrowed, never copied), checking each value as it is counted.
//!
//! Rows are read in parallel over fixed-size chunks, each chunk checked and counted
//! while it sits in cache, in the cheapest of three ways the data allow:
//!
//! - durations that are whole numbers in a moderate range (days, months, whole years)
//!   go into one bin per value, and so do float durations that are whole numbers of a
//!   fixed fraction in a moderate range (years rounded to 0.01, days / 365.25, months
//!   / 12): the bin of such a value is the whole number, found and checked without a
//!   branch per row;
//! - other durations with a moderate number of distinct values (fractional years
//!   rounded to 0.01, days divided by 365.25, a wide integer range) go into a hash
//!   table keyed by the value's bit pattern, counting rows and exits per value;
//! - durations that are nearly all distinct (unrounded values from a continuous
//!   distribution) are checked in parallel, then packed with their exit flag into one
//!   `u64` key per row and radix-sorted within each group.
//!
//! No path sorts the rows by comparison. Counts are integers and the tables are built
//! in order of duration at the end, so the result is identical for any number of
//! threads. The tables equal those [`risk_table`](super::risk_table) builds from a
//! [`SurvData`](super::SurvData) of the same rows with unit weights.

use rayon::prelude::*;

use super::RiskTable;
use crate::error::{Error, Result};

/// Rows checked and counted together while they sit in cache.
const CHUNK: usize = 1 << 14;
/// Every whole number from 0 to 2^53 is exactly an f64.
const MAX_EXACT: u64 = 1 << 53;
/// Low half of a bin: rows; high half: exits.
const ROWS: u64 = u32::MAX as u64;
/// 2^52: adding it to a value in [0, 2^52) rounds the value to a whole number, which
/// the low bits of the sum then hold.
const ROUNDER: f64 = (1u64 << 52) as f64;
/// The largest whole number of units a binned value may have (well within 2^52, so
/// that a value binned in one unit is binned exactly in a tenth of it).
const MAX_UNITS: u64 = 1 << 48;
/// Units a float duration is tried in, in units per unit of the data, when it is not a
/// whole number: tenths to ten-thousandths (rounded decimals), twelfths (months),
/// days of a 365.25- or 365-day year and weeks of a 52-week year. A value is in a
/// unit when it equals a whole number of them divided by the units per unit, as
/// `(exit - hire).dt.total_days() / 365.25` or `round(years, 2)` give.
const SCALES: [f64; 8] = [10.0, 100.0, 1000.0, 10000.0, 12.0, 365.25, 365.0, 52.0];

/// A numeric element type of a duration column.
pub trait Duration: Copy + Send + Sync {
    /// The value as the tables report it.
    fn to_f64(self) -> f64;
    /// The value if it is a whole number in [0, 2^53] (an exact f64).
    fn whole(self) -> Option<u64>;
    /// [`Duration::whole`] for a value it accepted.
    fn whole_unchecked(self) -> u64;
    /// The value as a whole number `k` of units such that `k as f64 / scale` is the
    /// value itself, `k` at most [`MAX_UNITS`] (`scale` > 1; whole values use
    /// [`Duration::whole`]). Only float durations can be fractions of a unit.
    fn scaled(self, scale: f64) -> Option<u64> {
        let _ = scale;
        None
    }
    /// [`Duration::scaled`] for a value it accepted.
    fn scaled_unchecked(self, scale: f64) -> u64 {
        let _ = scale;
        self.whole_unchecked()
    }
    /// [`Duration::whole`] as the whole number (anything when not one) and whether it is
    /// one, for loops without a branch per row.
    fn whole_bits(self) -> (u64, bool) {
        self.whole().map_or((0, false), |k| (k, true))
    }
    /// [`Duration::scaled`] as [`Duration::whole_bits`] gives [`Duration::whole`].
    fn scaled_bits(self, scale: f64) -> (u64, bool) {
        self.scaled(scale).map_or((0, false), |k| (k, true))
    }
    /// What makes the value unusable as a duration, if anything.
    fn problem(self) -> Option<Problem>;
    /// Whether the value is usable (no [`Duration::problem`]), without branches.
    fn valid(self) -> bool {
        self.problem().is_none()
    }
    /// The value as messages show it.
    fn show(self) -> String;
    /// The column itself when it already holds f64 values.
    fn as_f64(column: &[Self]) -> Option<&[f64]> {
        let _ = column;
        None
    }
}

/// A numeric or boolean element type of an event column (0/false: censored, 1/true:
/// exit).
pub trait EventCode: Copy + Send + Sync {
    /// 1 for an exit, 0 for a censoring, `None` for any other value.
    fn exit(self) -> Option<u64>;
    /// [`EventCode::exit`] for a value it accepted.
    fn exit_unchecked(self) -> u64;
    /// Whether [`EventCode::exit`] accepts the value, without branches.
    fn valid(self) -> bool {
        self.exit().is_some()
    }
    /// The value as messages show it.
    fn show(self) -> String;
}

/// Why a duration is unusable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// Not a number.
    NaN,
    /// Infinite.
    Infinite,
    /// Below zero.
    Negative,
}

macro_rules! signed_duration {
    ($($t:ty),*) => {$(
        impl Duration for $t {
            fn to_f64(self) -> f64 {
                self as f64
            }
            fn whole(self) -> Option<u64> {
                (self >= 0 && self as u64 <= MAX_EXACT).then_some(self as u64)
            }
            fn whole_unchecked(self) -> u64 {
                self as u64
            }
            fn problem(self) -> Option<Problem> {
                (self < 0).then_some(Problem::Negative)
            }
            fn valid(self) -> bool {
                self >= 0
            }
            fn show(self) -> String {
                self.to_string()
            }
        }
    )*};
}
signed_duration!(i32, i64);

impl Duration for u32 {
    fn to_f64(self) -> f64 {
        self as f64
    }
    fn whole(self) -> Option<u64> {
        Some(self as u64)
    }
    fn whole_unchecked(self) -> u64 {
        self as u64
    }
    fn problem(self) -> Option<Problem> {
        None
    }
    fn show(self) -> String {
        self.to_string()
    }
}

impl Duration for f64 {
    fn to_f64(self) -> f64 {
        self
    }
    fn whole(self) -> Option<u64> {
        // -0.0 passes as 0.
        (self >= 0.0 && self <= MAX_EXACT as f64 && self.fract() == 0.0).then_some(self as u64)
    }
    fn whole_unchecked(self) -> u64 {
        self as u64
    }
    // One product, one sum, one quotient and comparisons joined without a branch, so
    // the check vectorises. `y + ROUNDER` rounds y to a whole number k (0 <= y < 2^52);
    // the value is k units exactly when k / scale gives it back.
    #[allow(clippy::manual_range_contains)]
    fn scaled(self, scale: f64) -> Option<u64> {
        let y = self * scale;
        let rounded = y + ROUNDER;
        let ok = (self >= 0.0) & (y <= MAX_UNITS as f64) & ((rounded - ROUNDER) / scale == self);
        ok.then(|| rounded.to_bits() - ROUNDER.to_bits())
    }
    fn scaled_unchecked(self, scale: f64) -> u64 {
        (self * scale + ROUNDER).to_bits() - ROUNDER.to_bits()
    }
    // The checks of `whole` and `scaled` joined without a branch (a value that is not
    // one gives a whole number of no use).
    #[allow(clippy::manual_range_contains)]
    fn whole_bits(self) -> (u64, bool) {
        let k = self as u64; // saturating; NaN gives 0
        (
            k,
            (self >= 0.0) & (self <= MAX_EXACT as f64) & (k as f64 == self),
        )
    }
    #[allow(clippy::manual_range_contains)]
    fn scaled_bits(self, scale: f64) -> (u64, bool) {
        let y = self * scale;
        let rounded = y + ROUNDER;
        let ok = (self >= 0.0) & (y <= MAX_UNITS as f64) & ((rounded - ROUNDER) / scale == self);
        (rounded.to_bits().wrapping_sub(ROUNDER.to_bits()), ok)
    }
    fn problem(self) -> Option<Problem> {
        if self.is_nan() {
            Some(Problem::NaN)
        } else if self.is_infinite() {
            Some(Problem::Infinite)
        } else if self < 0.0 {
            Some(Problem::Negative)
        } else {
            None
        }
    }
    // Two comparisons joined without a branch, so the check vectorises.
    #[allow(clippy::manual_range_contains)]
    fn valid(self) -> bool {
        (self >= 0.0) & (self < f64::INFINITY)
    }
    fn show(self) -> String {
        format!("{self:?}")
    }
    fn as_f64(column: &[f64]) -> Option<&[f64]> {
        Some(column)
    }
}

impl EventCode for bool {
    fn exit(self) -> Option<u64> {
        Some(self as u64)
    }
    fn exit_unchecked(self) -> u64 {
        self as u64
    }
    fn show(self) -> String {
        self.to_string()
    }
}

macro_rules! integer_event {
    ($($t:ty),*) => {$(
        impl EventCode for $t {
            fn exit(self) -> Option<u64> {
                match self {
                    0 => Some(0),
                    1 => Some(1),
                    _ => None,
                }
            }
            fn exit_unchecked(self) -> u64 {
                self as u64
            }
            fn valid(self) -> bool {
                // Negative codes wrap to large values.
                (self as u64) <= 1
            }
            fn show(self) -> String {
                self.to_string()
            }
        }
    )*};
}
integer_event!(i32, i64, u32);

impl EventCode for f64 {
    fn exit(self) -> Option<u64> {
        if self == 0.0 {
            Some(0)
        } else if self == 1.0 {
            Some(1)
        } else {
            None
        }
    }
    fn exit_unchecked(self) -> u64 {
        (self == 1.0) as u64
    }
    fn valid(self) -> bool {
        (self == 0.0) | (self == 1.0)
    }
    fn show(self) -> String {
        format!("{self:?}")
    }
}

/// The columns to tabulate: `time` and `event` of equal length; `group` codes below
/// `n_groups` (`None`: one group). The names are the caller's, for messages.
#[derive(Debug, Clone, Copy)]
pub struct Columns<'a, T, E> {
    /// Durations.
    pub time: &'a [T],
    /// Event codes.
    pub event: &'a [E],
    /// Group code of each row, or `None` for a single group.
    pub group: Option<&'a [u32]>,
    /// Number of groups (1 without `group`).
    pub n_groups: usize,
    /// Name of the duration column.
    pub time_name: &'a str,
    /// Name of the event column.
    pub event_name: &'a str,
}

/// One risk table per group (unweighted exits of any cause: `events_by_cause` and
/// `event_count` are left empty, `events` being the counts), or `Ok(None)` when the
/// data have 2^32 − 1 rows or more, for the caller to use [`SurvData`](super::SurvData)
/// and [`risk_table`](super::risk_table).
///
/// Errors name the first bad row: a NaN duration anywhere comes first, then an infinite
/// one, then a negative one, then an event code other than 0/1, then a group code out
/// of range.
pub fn risk_tables<T: Duration, E: EventCode>(
    c: &Columns<'_, T, E>,
) -> Result<Option<Vec<RiskTable>>> {
    let n = c.time.len();
    crate::validate::same_len(n, c.event.len(), c.time_name, c.event_name)?;
    if let Some(g) = c.group {
        crate::validate::same_len(n, g.len(), c.time_name, "by")?;
    }
    if n as u64 >= ROWS || c.n_groups == 0 {
        return Ok(None);
    }
    let limit = Limits {
        bins: (n / 4).max(1 << 16),
        cells: (4 * n).max(1 << 20),
    };
    let parts = (rayon::current_num_threads() * 4)
        .min(n.div_ceil(CHUNK))
        .max(1);
    let rows_per_part = (n.div_ceil(parts).div_ceil(CHUNK) * CHUNK).max(CHUNK);
    let tally = (0..n.div_ceil(rows_per_part))
        .into_par_iter()
        .map(|p| {
            let mut part = Tally::default();
            let end = ((p + 1) * rows_per_part).min(n);
            let mut lo = p * rows_per_part;
            while lo < end {
                let hi = (lo + CHUNK).min(end);
                part.chunk(c, lo..hi, limit);
                lo = hi;
            }
            part
        })
        .reduce(Tally::default, |a, b| Tally::merge(a, b, limit));
    tally.first_bad.into_result(c)?;
    let n_groups = c.n_groups;
    let tables = match tally.counts {
        Counts::Empty => (0..n_groups).map(|_| table(std::iter::empty())).collect(),
        Counts::Bins(h) => {
            let (lo, scale) = (h.lo, h.scale);
            (0..n_groups)
                .map(|g| {
                    let cells = &h.cells[g * h.len..(g + 1) * h.len];
                    table(
                        cells
                            .iter()
                            .enumerate()
                            .map(|(b, &cell)| (Bins::value(lo + b as u64, scale), cell)),
                    )
                })
                .collect()
        }
        Counts::Hashed(h) => {
            let order = h.slots_by_duration();
            (0..n_groups)
                .map(|g| {
                    table(
                        order
                            .iter()
                            .map(|&s| (f64::from_bits(h.keys[s]), h.cells[s * n_groups + g])),
                    )
                })
                .collect()
        }
        Counts::Sort => sorted_tables(c),
        Counts::Bad => unreachable!("a bad value is reported above"),
    };
    Ok(Some(tables))
}

/// The risk table of one group from its (duration, rows and exits packed) cells in
/// ascending order of duration; empty cells are skipped.
fn table<I: Iterator<Item = (f64, u64)> + Clone>(cells: I) -> RiskTable {
    let total: u64 = cells.clone().map(|(_, c)| c & ROWS).sum();
    let mut t = RiskTable::default();
    let mut before = 0;
    for (time, cell) in cells {
        let rows = cell & ROWS;
        if rows == 0 {
            continue;
        }
        let exits = cell >> 32;
        t.time.push(time);
        t.at_risk.push((total - before) as f64);
        t.events.push(exits as f64);
        t.censored.push((rows - exits) as f64);
        before += rows;
    }
    t
}

/// The key of a duration: its bit pattern (−0 as 0). For durations >= 0 the order of
/// the keys is the order of the values.
#[inline]
fn key_of(t: f64) -> u64 {
    (t + 0.0).to_bits()
}

/// Tables of nearly all-distinct durations (checked already): every row becomes the
/// key `duration << 1 | exit` (a duration >= 0 leaves the top bit free) in its group's
/// buffer, each group's keys are radix-sorted in parallel, and its runs of equal
/// durations make its table, written over the sorting buffers.
fn sorted_tables<T: Duration, E: EventCode>(c: &Columns<'_, T, E>) -> Vec<RiskTable> {
    let n = c.time.len();
    let packed = |i: usize| (key_of(c.time[i].to_f64()) << 1) | c.event[i].exit_unchecked();
    let keys: Vec<Vec<u64>> = match c.group {
        None => {
            let mut keys = vec![0u64; n];
            keys.par_chunks_mut(CHUNK).enumerate().for_each(|(p, out)| {
                for (j, k) in out.iter_mut().enumerate() {
                    *k = packed(p * CHUNK + j);
                }
            });
            vec![keys]
        }
        Some(groups) => {
            let k = c.n_groups;
            let sizes = groups
                .par_chunks(CHUNK)
                .fold(
                    || vec![0usize; k],
                    |mut sizes, chunk| {
                        for &g in chunk {
                            sizes[g as usize] += 1;
                        }
                        sizes
                    },
                )
                .reduce(
                    || vec![0usize; k],
                    |mut a, b| {
                        a.iter_mut().zip(b).for_each(|(a, b)| *a += b);
                        a
                    },
                );
            if k <= 4 {
                // A few groups: each gathers its own rows in one pass of its own, all
                // at once.
                (0..k)
                    .into_par_iter()
                    .map(|g| {
                        // Every row is written and only the group's rows move on
                        // (no branch on a coin toss); the slot past the end takes the
                        // writes after the group's last row.
                        let mut keys = vec![0u64; sizes[g] + 1];
                        let mut j = 0;
                        for (i, &x) in groups.iter().enumerate() {
                            keys[j] = packed(i);
                            j += usize::from(x as usize == g);
                        }
                        keys.truncate(sizes[g]);
                        keys
                    })
                    .collect()
            } else {
                let mut keys: Vec<Vec<u64>> =
                    sizes.iter().map(|&m| Vec::with_capacity(m)).collect();
                for (i, &g) in groups.iter().enumerate() {
                    keys[g as usize].push(packed(i));
                }
                keys
            }
        }
    };
    keys.into_par_iter()
        .map(|k| {
            let (sorted, spare) = par_radix_sort(k);
            table_of_sorted(sorted, spare)
        })
        .collect()
}

/// Sort `u64` keys, in parallel: one pass scatters them into up to 2^16 buckets of
/// equal width between the smallest and the largest key, then the buckets (small
/// enough to stay in cache) are sorted at once, by [`radix_sort`] or, when small, by
/// comparison. The sorted keys are the same for any number of threads. Returns them
/// with the buffer left over (empty when they were sorted in place), for the caller to
/// reuse rather than touch fresh memory.
fn par_radix_sort(mut keys: Vec<u64>) -> (Vec<u64>, Vec<u64>) {
    let n = keys.len();
    if n < 1 << 16 {
        radix_sort(&mut keys);
        return (keys, Vec::new());
    }
    // About 16 keys per bucket, at most 2^16 buckets.
    let top: u32 = (n.ilog2() - 4).clamp(12, 16);
    let (min, max) = keys
        .par_chunks(CHUNK)
        .map(|c| {
            c.iter()
                .fold((u64::MAX, 0), |(lo, hi), &k| (lo.min(k), hi.max(k)))
        })
        .reduce(|| (u64::MAX, 0), |a, b| (a.0.min(b.0), a.1.max(b.1)));
    // Bits of the widest offset from the smallest key: the width of the buckets
    // follows the range of the keys, not their common leading bits.
    let high = 64 - (max - min).leading_zeros();
    if high <= top {
        radix_sort(&mut keys);
        return (keys, Vec::new());
    }
    let shift = high - top;
    let bucket = |k: u64| ((k - min) >> shift) as usize;
    let mut start = vec![0usize; (1 << top) + 1];
    for &k in keys.iter() {
        start[bucket(k) + 1] += 1;
    }
    for b in 0..1 << top {
        start[b + 1] += start[b];
    }
    let mut scratch = vec![0u64; n];
    let mut next = start.clone();
    for &k in keys.iter() {
        let b = bucket(k);
        scratch[next[b]] = k;
        next[b] += 1;
    }
    let mut buckets: Vec<&mut [u64]> = Vec::new();
    let mut rest = scratch.as_mut_slice();
    for b in 0..1 << top {
        let (head, tail) = std::mem::take(&mut rest).split_at_mut(start[b + 1] - start[b]);
        if head.len() > 1 {
            buckets.push(head);
        }
        rest = tail;
    }
    buckets.into_par_iter().with_min_len(64).for_each(|b| {
        if b.len() < 1 << 12 {
            b.sort_unstable();
        } else {
            radix_sort(b);
        }
    });
    (scratch, keys)
}

/// Sort `u64` keys in place: least-significant-digit radix sort on 11-bit digits (six
/// passes at most), skipping the digits every key shares.
fn radix_sort(keys: &mut [u64]) {
    let mut none = vec![(); keys.len()];
    radix_sort_with(keys, &mut none);
}

/// [`radix_sort`] of `keys`, moving `payload[i]` with `keys[i]`; stable, so equal keys
/// keep their payloads in their first order.
pub(crate) fn radix_sort_with<P: Copy + Default>(keys: &mut [u64], payload: &mut [P]) {
    const BITS: usize = 11;
    const DIGITS: usize = 64usize.div_ceil(BITS);
    const MASK: u64 = (1 << BITS) - 1;
    let n = keys.len();
    assert_eq!(n, payload.len(), "one payload per key");
    let mut counts = vec![[0usize; 1 << BITS]; DIGITS];
    for &k in keys.iter() {
        for (d, c) in counts.iter_mut().enumerate() {
            c[((k >> (BITS * d)) & MASK) as usize] += 1;
        }
    }
    let mut scratch = vec![0u64; n];
    let mut scratch_p = vec![P::default(); n];
    let (mut from, mut to): (&mut [u64], &mut [u64]) = (keys, &mut scratch);
    let (mut from_p, mut to_p): (&mut [P], &mut [P]) = (payload, &mut scratch_p);
    let mut in_scratch = false;
    for (d, c) in counts.iter().enumerate() {
        if c.contains(&n) {
            continue; // every key has the same digit here
        }
        let mut start = vec![0usize; 1 << BITS];
        let mut acc = 0;
        for (s, &x) in start.iter_mut().zip(c.iter()) {
            *s = acc;
            acc += x;
        }
        for (&k, &p) in from.iter().zip(from_p.iter()) {
            let b = ((k >> (BITS * d)) & MASK) as usize;
            to[start[b]] = k;
            to_p[start[b]] = p;
            start[b] += 1;
        }
        std::mem::swap(&mut from, &mut to);
        std::mem::swap(&mut from_p, &mut to_p);
        in_scratch = !in_scratch;
    }
    if in_scratch {
        // `from` is the scratch buffer holding the sorted keys.
        to.copy_from_slice(from);
        to_p.copy_from_slice(from_p);
    }
}

/// The risk table of one group's sorted keys (`duration << 1 | exit`). The times are
/// written over the keys (a run is read before its time is written, at or before the
/// run's first key) and the numbers at risk over `spare` (a buffer of at least as many
/// keys, or empty): fresh memory only for the exits and censorings.
fn table_of_sorted(mut keys: Vec<u64>, spare: Vec<u64>) -> RiskTable {
    let n = keys.len();
    let total = n as u64;
    let mut at_risk = spare;
    at_risk.clear();
    at_risk.reserve_exact(n);
    let (mut events, mut censored) = (Vec::with_capacity(n), Vec::with_capacity(n));
    let (mut before, mut p, mut j) = (0u64, 0, 0);
    while p < n {
        let d = keys[p] >> 1;
        let mut q = p;
        let mut exits = 0u64;
        while q < n && keys[q] >> 1 == d {
            exits += keys[q] & 1;
            q += 1;
        }
        let rows = (q - p) as u64;
        keys[j] = d;
        at_risk.push(((total - before) as f64).to_bits());
        events.push(exits as f64);
        censored.push((rows - exits) as f64);
        before += rows;
        p = q;
        j += 1;
    }
    keys.truncate(j);
    // Bits to values, in place (the same allocations).
    let time: Vec<f64> = keys.into_iter().map(f64::from_bits).collect();
    let at_risk: Vec<f64> = at_risk.into_iter().map(f64::from_bits).collect();
    RiskTable {
        time,
        at_risk,
        events,
        censored,
        ..RiskTable::default()
    }
}

/// First row of each kind of bad value seen so far.
#[derive(Debug, Default, Clone, Copy)]
struct FirstBad {
    nan: Option<usize>,
    infinite: Option<usize>,
    negative: Option<usize>,
    event: Option<usize>,
    group: Option<usize>,
}

fn earliest(a: Option<usize>, b: Option<usize>) -> Option<usize> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, None) => x,
        (None, y) => y,
    }
}

impl FirstBad {
    fn merge(self, o: FirstBad) -> FirstBad {
        FirstBad {
            nan: earliest(self.nan, o.nan),
            infinite: earliest(self.infinite, o.infinite),
            negative: earliest(self.negative, o.negative),
            event: earliest(self.event, o.event),
            group: earliest(self.group, o.group),
        }
    }

    fn into_result<T: Duration, E: EventCode>(self, c: &Columns<'_, T, E>) -> Result<()> {
        let (tn, en) = (c.time_name, c.event_name);
        if let Some(i) = self.nan {
            return Err(Error::input_at(tn, i, "value is NaN"));
        }
        if let Some(i) = self.infinite {
            let v = c.time[i].show();
            return Err(Error::input_at(
                tn,
                i,
                format!("value {v} is not a finite number"),
            ));
        }
        if let Some(i) = self.negative {
            let v = c.time[i].show();
            return Err(Error::input_at(
                tn,
                i,
                format!("value {v} is negative; {tn} must be >= 0"),
            ));
        }
        if let Some(i) = self.event {
            let v = c.event[i].show();
            return Err(Error::input_at(
                en,
                i,
                format!("value {v} is not 0 (censored) or 1 (exit)"),
            ));
        }
        if let (Some(i), Some(g)) = (self.group, c.group) {
            let msg = format!("group code {} is not below {}", g[i], c.n_groups);
            return Err(Error::input_at("by", i, msg));
        }
        Ok(())
    }
}

/// Bins for the values lo .. lo + len of every group (group-major), in units of
/// 1 / `scale` (1: whole values).
#[derive(Debug)]
struct Bins {
    lo: u64,
    len: usize,
    cells: Vec<u64>,
    scale: f64,
}

/// Counts by duration for every group in an open-addressing hash table: the slot of a
/// duration holds its key (see [`key_of`]) and `n_groups` cells of rows and exits.
#[derive(Debug)]
struct Hashed {
    keys: Vec<u64>,
    cells: Vec<u64>,
    n_groups: usize,
    /// Occupied slots.
    len: usize,
    /// 64 − log2(slots), for Fibonacci hashing.
    shift: u32,
}

/// A free slot (a NaN bit pattern, never a key).
const FREE: u64 = u64::MAX;

/// How many cells counting may use: `bins` for counting by value, `cells` for the
/// hash table (slots times groups), both in proportion to the number of rows.
#[derive(Debug, Clone, Copy)]
struct Limits {
    bins: usize,
    cells: usize,
}

impl Hashed {
    /// Whether a table for `n_groups` groups with room for `rows` more distinct
    /// durations stays within the budget.
    fn fits(n_groups: usize, rows: usize, limit: Limits) -> bool {
        (4 * (rows + (1 << 12))).saturating_mul(n_groups) <= limit.cells
    }

    /// Whether `rows` more rows, all of new durations, keep the table within budget.
    fn has_room(&self, rows: usize, limit: Limits) -> bool {
        Hashed::fits(self.n_groups, self.len + rows, limit)
    }

    fn new(n_groups: usize) -> Hashed {
        let slots = 1 << 12;
        Hashed {
            keys: vec![FREE; slots],
            cells: vec![0; slots * n_groups],
            n_groups,
            len: 0,
            shift: 64 - 12,
        }
    }

    /// Add `cell` (rows and exits packed) to group `g` at duration key `key`.
    #[inline]
    fn add(&mut self, key: u64, g: usize, cell: u64) {
        if 2 * (self.len + 1) > self.keys.len() {
            self.grow();
        }
        let s = self.slot(key);
        self.cells[s * self.n_groups + g] += cell;
    }

    /// The slot of `key`, taken if it is new.
    #[inline]
    fn slot(&mut self, key: u64) -> usize {
        let mask = self.keys.len() - 1;
        let mut s = (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> self.shift) as usize;
        loop {
            let k = self.keys[s];
            if k == key {
                return s;
            }
            if k == FREE {
                self.keys[s] = key;
                self.len += 1;
                return s;
            }
            s = (s + 1) & mask;
        }
    }

    fn grow(&mut self) {
        let g = self.n_groups;
        let slots = 2 * self.keys.len();
        let old = std::mem::replace(
            self,
            Hashed {
                keys: vec![FREE; slots],
                cells: vec![0; slots * g],
                n_groups: g,
                len: 0,
                shift: self.shift - 1,
            },
        );
        old.add_into(self);
    }

    /// Add every count of `self` into `into`.
    fn add_into(&self, into: &mut Hashed) {
        let g = self.n_groups;
        for (s, &k) in self.keys.iter().enumerate() {
            if k != FREE {
                for (j, &cell) in self.cells[s * g..(s + 1) * g].iter().enumerate() {
                    if cell != 0 {
                        into.add(k, j, cell);
                    }
                }
            }
        }
    }

    /// The counts of `bins`, hashed.
    fn from_bins(b: &Bins, n_groups: usize) -> Hashed {
        let mut h = Hashed::new(n_groups);
        for g in 0..n_groups {
            for (i, &cell) in b.cells[g * b.len..(g + 1) * b.len].iter().enumerate() {
                if cell != 0 {
                    h.add(key_of(Bins::value(b.lo + i as u64, b.scale)), g, cell);
                }
            }
        }
        h
    }

    /// Occupied slots in ascending order of duration.
    fn slots_by_duration(&self) -> Vec<usize> {
        let mut slots: Vec<usize> = (0..self.keys.len())
            .filter(|&s| self.keys[s] != FREE)
            .collect();
        slots.sort_unstable_by_key(|&s| self.keys[s]);
        slots
    }
}

#[derive(Debug, Default)]
enum Counts {
    /// Nothing counted yet.
    #[default]
    Empty,
    /// Counted by value.
    Bins(Bins),
    /// Counted by hashed value.
    Hashed(Hashed),
    /// Too many distinct durations to hash: rows are only checked, and sorted at the end.
    Sort,
    /// A bad value was found: counting stopped, checks go on for the first bad row.
    Bad,
}

/// The counts and checks of a run of chunks.
#[derive(Debug, Default)]
struct Tally {
    counts: Counts,
    first_bad: FirstBad,
    /// Rows counted so far.
    rows: usize,
}

impl Tally {
    /// Check rows `rows` and count them in the way the data seen so far allow.
    fn chunk<T: Duration, E: EventCode>(
        &mut self,
        c: &Columns<'_, T, E>,
        rows: std::ops::Range<usize>,
        limit: Limits,
    ) {
        let (ts, es) = (&c.time[rows.clone()], &c.event[rows.clone()]);
        let gs = c.group.map(|g| &g[rows.clone()]);
        if let Some(gs) = gs {
            if let Some(i) = gs.iter().position(|&g| g as usize >= c.n_groups) {
                self.first_bad.group = earliest(self.first_bad.group, Some(rows.start + i));
                self.diagnose(ts, es, rows.start);
                return;
            }
        }
        if ts.is_empty() {
            return;
        }
        self.rows += ts.len();
        if let Counts::Hashed(h) = &self.counts {
            if !h.has_room(ts.len(), limit) {
                self.counts = Counts::Sort;
            }
        }
        match &mut self.counts {
            Counts::Bad => self.diagnose(ts, es, rows.start),
            Counts::Sort => {
                if !all_valid(ts, es) {
                    self.diagnose(ts, es, rows.start);
                }
            }
            Counts::Hashed(h) => {
                if !all_valid(ts, es) {
                    self.diagnose(ts, es, rows.start);
                    return;
                }
                hash_chunk(h, ts, es, gs);
                if nearly_distinct(h.len, self.rows) {
                    self.counts = Counts::Sort;
                }
            }
            Counts::Empty | Counts::Bins(_) => self.whole_chunk(c, ts, es, gs, rows.start, limit),
        }
    }

    /// Count a chunk by value while every duration is a whole number of units (whole
    /// values, or fractions of one of [`SCALES`]) in range; move to hashing at the
    /// first chunk that is not.
    #[allow(clippy::too_many_arguments)]
    fn whole_chunk<T: Duration, E: EventCode>(
        &mut self,
        c: &Columns<'_, T, E>,
        ts: &[T],
        es: &[E],
        gs: Option<&[u32]>,
        offset: usize,
        limit: Limits,
    ) {
        // Once bins are set, most chunks fit them: checked and counted in one pass.
        if let Counts::Bins(b) = &mut self.counts {
            let scale = b.scale;
            let fitted = if scale == 1.0 {
                b.count_fitting(ts, es, gs, |t| t.whole_bits())
            } else {
                b.count_fitting(ts, es, gs, |t| t.scaled_bits(scale))
            };
            if fitted {
                return;
            }
        }
        // Pass 1: the range of the chunk in the current unit, and whether every value
        // is usable as it is.
        let mut scale = match &self.counts {
            Counts::Bins(b) => b.scale,
            _ => 1.0,
        };
        let (mut range, valid) = if scale == 1.0 {
            units(ts, es, |t| t.whole())
        } else {
            units(ts, es, |t| t.scaled(scale))
        };
        if !valid {
            self.diagnose(ts, es, offset);
            return;
        }
        if range.is_none() {
            // A finer unit that the counts so far can move to.
            let empty = matches!(self.counts, Counts::Empty);
            for &s in &SCALES {
                if empty || refinement(scale, s).is_some() {
                    range = units_only(ts, s);
                    if range.is_some() {
                        scale = s;
                        break;
                    }
                }
            }
        }
        let n_groups = c.n_groups;
        if let Some((lo, hi)) = range {
            if let Counts::Empty = self.counts {
                let len = (hi - lo) as usize + 1;
                if len.saturating_mul(n_groups) <= limit.bins {
                    self.counts = Counts::Bins(Bins {
                        lo,
                        len,
                        cells: vec![0; len * n_groups],
                        scale,
                    });
                }
            }
            if let Counts::Bins(bins) = &mut self.counts {
                if bins.rescale(scale, n_groups, limit.bins)
                    && bins.cover(lo, hi, n_groups, limit.bins)
                {
                    // Pass 2: count, the chunk still in cache.
                    if scale == 1.0 {
                        bins.count(ts, es, gs, |t| t.whole_unchecked());
                    } else {
                        bins.count(ts, es, gs, |t| t.scaled_unchecked(scale));
                    }
                    return;
                }
            }
        }
        // A duration in no unit or a range too wide for bins: hash from here on, if
        // a table for every group fits the budget; else sort at the end.
        if !Hashed::fits(n_groups, ts.len(), limit) {
            self.counts = Counts::Sort;
            return;
        }
        let mut h = match &self.counts {
            Counts::Bins(b) => Hashed::from_bins(b, n_groups),
            _ => Hashed::new(n_groups),
        };
        hash_chunk(&mut h, ts, es, gs);
        self.counts = if nearly_distinct(h.len, self.rows) {
            Counts::Sort
        } else {
            Counts::Hashed(h)
        };
    }

    /// Record the first bad value of each kind in a chunk that has one.
    fn diagnose<T: Duration, E: EventCode>(&mut self, ts: &[T], es: &[E], offset: usize) {
        let mut found = FirstBad::default();
        for (i, (&t, &e)) in ts.iter().zip(es).enumerate() {
            let row = Some(offset + i);
            match t.problem() {
                Some(Problem::NaN) => found.nan = earliest(found.nan, row),
                Some(Problem::Infinite) => found.infinite = earliest(found.infinite, row),
                Some(Problem::Negative) => found.negative = earliest(found.negative, row),
                None => {}
            }
            if e.exit().is_none() {
                found.event = earliest(found.event, row);
            }
        }
        self.first_bad = self.first_bad.merge(found);
        self.counts = Counts::Bad;
    }

    fn merge(self, o: Tally, limit: Limits) -> Tally {
        let counts = match (self.counts, o.counts) {
            (Counts::Bad, _) | (_, Counts::Bad) => Counts::Bad,
            (Counts::Sort, _) | (_, Counts::Sort) => Counts::Sort,
            (Counts::Empty, x) | (x, Counts::Empty) => x,
            (Counts::Bins(a), Counts::Bins(b)) => Bins::add(a, b, limit.bins),
            (Counts::Hashed(a), Counts::Hashed(b)) if !a.has_room(b.len, limit) => Counts::Sort,
            (Counts::Hashed(a), Counts::Hashed(b)) => {
                let (small, mut big) = if a.len < b.len { (a, b) } else { (b, a) };
                small.add_into(&mut big);
                Counts::Hashed(big)
            }
            (Counts::Hashed(mut h), Counts::Bins(b)) | (Counts::Bins(b), Counts::Hashed(mut h)) => {
                if h.has_room(b.len, limit) {
                    Hashed::from_bins(&b, h.n_groups).add_into(&mut h);
                    Counts::Hashed(h)
                } else {
                    Counts::Sort
                }
            }
        };
        Tally {
            counts,
            first_bad: self.first_bad.merge(o.first_bad),
            rows: self.rows + o.rows,
        }
    }
}

/// Whether every duration and event code of a chunk is usable (one branch-free pass).
fn all_valid<T: Duration, E: EventCode>(ts: &[T], es: &[E]) -> bool {
    ts.iter()
        .zip(es)
        .fold(true, |ok, (&t, &e)| ok & t.valid() & e.valid())
}

/// The range of a chunk's durations as whole numbers of a unit (`unit` of each
/// value), `None` when a value is not one, and whether every duration and event code
/// is usable.
fn units<T: Duration, E: EventCode>(
    ts: &[T],
    es: &[E],
    unit: impl Fn(T) -> Option<u64>,
) -> (Option<(u64, u64)>, bool) {
    let (mut lo, mut hi, mut all, mut valid) = (u64::MAX, 0u64, true, true);
    for (&t, &e) in ts.iter().zip(es) {
        match unit(t) {
            Some(w) => {
                lo = lo.min(w);
                hi = hi.max(w);
            }
            None => {
                all = false;
                valid &= t.problem().is_none();
            }
        }
        valid &= e.exit().is_some();
    }
    (all.then_some((lo, hi)), valid)
}

/// The range of a chunk's (usable) durations in units of 1 / `scale`, `None` when a
/// value is not a whole number of them (stopping at the first block that has one).
fn units_only<T: Duration>(ts: &[T], scale: f64) -> Option<(u64, u64)> {
    let (mut lo, mut hi) = (u64::MAX, 0u64);
    for block in ts.chunks(256) {
        let mut all = true;
        for &t in block {
            let k = t.scaled(scale);
            all &= k.is_some();
            let k = k.unwrap_or(0);
            lo = lo.min(k);
            hi = hi.max(k);
        }
        if !all {
            return None;
        }
    }
    Some((lo, hi))
}

/// How many units of 1 / `to` make one unit of 1 / `from` (both units per unit of
/// the data), when that is a whole number above 1: the counts in the coarser unit then
/// move to the finer one exactly.
fn refinement(from: f64, to: f64) -> Option<u64> {
    let f = to / from;
    (f > 1.0 && f <= 1e4 && f.fract() == 0.0 && f * from == to).then_some(f as u64)
}

/// Whether `distinct` durations among the `rows` hashed so far are nearly all
/// distinct (nine in ten rows of a new value, or more than half past the first
/// chunks): sorting at the end is then cheaper than hashing on.
fn nearly_distinct(distinct: usize, rows: usize) -> bool {
    10 * distinct > 9 * rows || distinct > (1 << 14).max(rows / 2)
}

/// Count a checked chunk into the hash table.
fn hash_chunk<T: Duration, E: EventCode>(h: &mut Hashed, ts: &[T], es: &[E], gs: Option<&[u32]>) {
    match gs {
        None => {
            for (&t, &e) in ts.iter().zip(es) {
                h.add(key_of(t.to_f64()), 0, 1 | (e.exit_unchecked() << 32));
            }
        }
        Some(gs) => {
            for ((&t, &e), &g) in ts.iter().zip(es).zip(gs) {
                h.add(
                    key_of(t.to_f64()),
                    g as usize,
                    1 | (e.exit_unchecked() << 32),
                );
            }
        }
    }
}

impl Bins {
    /// The duration of bin value `k` in units of 1 / `scale`: the value counted there
    /// (for whole values, `k` itself).
    #[inline]
    fn value(k: u64, scale: f64) -> f64 {
        k as f64 / scale
    }

    /// Check and count a chunk in one pass, when every duration and event code is
    /// usable and every duration a whole number of units within the bins (`unit`: its
    /// number of units and whether it is one; group codes checked already); `false`,
    /// with nothing counted, when a row is not.
    fn count_fitting<T: Duration, E: EventCode>(
        &mut self,
        ts: &[T],
        es: &[E],
        gs: Option<&[u32]>,
        unit: impl Fn(T) -> (u64, bool),
    ) -> bool {
        let (base, len) = (self.lo, self.len);
        // A row's bin within its group and cell (0 and bin 0 for a row that does not fit).
        let bin = |t: T, e: E| -> (usize, u64, bool) {
            let (k, whole) = unit(t);
            let i = k.wrapping_sub(base);
            let ok = whole & (i < len as u64) & e.valid();
            let cell = (ok as u64) * (1 | (e.exit_unchecked() << 32));
            (if ok { i as usize } else { 0 }, cell, ok)
        };
        // Add (`sign` 1) or take back (`sign` −1, wrapping) every fitting row's cell.
        let pass = |cells: &mut [u64], sign: u64| -> bool {
            let mut all = true;
            match gs {
                None => {
                    for (&t, &e) in ts.iter().zip(es) {
                        let (i, cell, ok) = bin(t, e);
                        cells[i] = cells[i].wrapping_add(cell.wrapping_mul(sign));
                        all &= ok;
                    }
                }
                Some(gs) => {
                    for ((&t, &e), &g) in ts.iter().zip(es).zip(gs) {
                        let (i, cell, ok) = bin(t, e);
                        let b = g as usize * len + i;
                        cells[b] = cells[b].wrapping_add(cell.wrapping_mul(sign));
                        all &= ok;
                    }
                }
            }
            all
        };
        if pass(&mut self.cells, 1) {
            return true;
        }
        pass(&mut self.cells, u64::MAX);
        false
    }

    /// Count a checked chunk whose durations are in range (`unit`: each duration's
    /// whole number of units).
    fn count<T: Duration, E: EventCode>(
        &mut self,
        ts: &[T],
        es: &[E],
        gs: Option<&[u32]>,
        unit: impl Fn(T) -> u64,
    ) {
        let (base, len, cells) = (self.lo, self.len, &mut self.cells);
        match gs {
            None => {
                for (&t, &e) in ts.iter().zip(es) {
                    cells[(unit(t) - base) as usize] += 1 | (e.exit_unchecked() << 32);
                }
            }
            Some(gs) => {
                for ((&t, &e), &g) in ts.iter().zip(es).zip(gs) {
                    let b = g as usize * len + (unit(t) - base) as usize;
                    cells[b] += 1 | (e.exit_unchecked() << 32);
                }
            }
        }
    }

    /// Move the counts to units of 1 / `scale` (a refinement of the current unit, see
    /// [`refinement`]); false when that is not one or needs more than `limit` cells.
    fn rescale(&mut self, scale: f64, n_groups: usize, limit: usize) -> bool {
        if scale == self.scale {
            return true;
        }
        let Some(f) = refinement(self.scale, scale) else {
            return false;
        };
        let len = (self.len - 1).saturating_mul(f as usize).saturating_add(1);
        let hi = (self.lo + self.len as u64 - 1).saturating_mul(f);
        if len.saturating_mul(n_groups) > limit || hi > MAX_UNITS {
            return false;
        }
        let mut cells = vec![0; len * n_groups];
        for g in 0..n_groups {
            for (i, &cell) in self.cells[g * self.len..(g + 1) * self.len]
                .iter()
                .enumerate()
            {
                cells[g * len + i * f as usize] = cell;
            }
        }
        *self = Bins {
            lo: self.lo * f,
            len,
            cells,
            scale,
        };
        true
    }

    /// Widen the bins to hold lo ..= hi (with room to grow upwards, as sorted data
    /// would); false when that needs more than `limit` cells.
    fn cover(&mut self, lo: u64, hi: u64, n_groups: usize, limit: usize) -> bool {
        let end = self.lo + self.len as u64; // exclusive
        if lo >= self.lo && hi < end {
            return true;
        }
        let new_lo = lo.min(self.lo);
        let needed = (hi.max(end - 1) - new_lo) as usize + 1;
        if needed.saturating_mul(n_groups) > limit {
            return false;
        }
        let len = needed.max((2 * self.len).min(limit / n_groups));
        self.relayout(new_lo, len, n_groups);
        true
    }

    /// Move the counts into bins for lo .. lo + len (which contain the current ones).
    fn relayout(&mut self, lo: u64, len: usize, n_groups: usize) {
        let mut cells = vec![0; len * n_groups];
        let shift = (self.lo - lo) as usize;
        for g in 0..n_groups {
            let from = &self.cells[g * self.len..(g + 1) * self.len];
            cells[g * len + shift..g * len + shift + self.len].copy_from_slice(from);
        }
        *self = Bins {
            lo,
            len,
            cells,
            scale: self.scale,
        };
    }

    /// The counts of two runs of chunks together: bins when their joint range fits
    /// `limit` cells, else hashed.
    fn add(mut a: Bins, mut b: Bins, limit: usize) -> Counts {
        let n_groups = a.cells.len() / a.len;
        // One unit for both: the finer one, when the other refines into it.
        let scale = a.scale.max(b.scale);
        if !a.rescale(scale, n_groups, limit) || !b.rescale(scale, n_groups, limit) {
            let mut h = Hashed::from_bins(&a, n_groups);
            Hashed::from_bins(&b, n_groups).add_into(&mut h);
            return Counts::Hashed(h);
        }
        let lo = a.lo.min(b.lo);
        let end = (a.lo + a.len as u64).max(b.lo + b.len as u64);
        let len = (end - lo) as usize;
        if len.saturating_mul(n_groups) > limit {
            let mut h = Hashed::from_bins(&a, n_groups);
            Hashed::from_bins(&b, n_groups).add_into(&mut h);
            return Counts::Hashed(h);
        }
        if a.lo != lo || a.len != len {
            a.relayout(lo, len, n_groups);
        }
        if b.lo != lo || b.len != len {
            b.relayout(lo, len, n_groups);
        }
        for (x, y) in a.cells.iter_mut().zip(&b.cells) {
            *x += y;
        }
        Counts::Bins(a)
    }
}
#[cfg(test)]
mod tests {
    use super::super::{risk_table, SurvData};
    use super::*;

    fn cols<'a, T, E>(
        time: &'a [T],
        event: &'a [E],
        group: Option<&'a [u32]>,
    ) -> Columns<'a, T, E> {
        Columns {
            time,
            event,
            group,
            n_groups: group.map_or(1, |g| g.iter().max().map_or(1, |&m| m as usize + 1)),
            time_name: "years",
            event_name: "left",
        }
    }

    /// The tables `risk_table` builds from the same rows, group by group.
    fn reference(
        time: &[f64],
        event: &[u32],
        group: Option<&[u32]>,
        n_groups: usize,
    ) -> Vec<RiskTable> {
        (0..n_groups)
            .map(|g| {
                let rows: Vec<usize> = (0..time.len())
                    .filter(|&i| group.map_or(0, |gs| gs[i]) as usize == g)
                    .collect();
                let d = SurvData::new(time, event, None, None, 1)
                    .unwrap()
                    .subset(&rows);
                // The tally keeps neither causes nor separate counts (see risk_tables).
                RiskTable {
                    events_by_cause: Vec::new(),
                    event_count: Vec::new(),
                    ..risk_table(&d, 1)
                }
            })
            .collect()
    }

    /// Pseudo-random test data: whole durations 0..range, about 60 % exits, 3 groups.
    fn sample(n: usize, range: u64) -> (Vec<i64>, Vec<u32>, Vec<u32>) {
        let mut x = 0x9E37_79B9_7F4A_7C15_u64;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let mut t = Vec::with_capacity(n);
        let mut e = Vec::with_capacity(n);
        let mut g = Vec::with_capacity(n);
        for _ in 0..n {
            t.push((next() % range) as i64);
            e.push((next() % 10 < 6) as u32);
            g.push((next() % 3) as u32);
        }
        (t, e, g)
    }

    #[test]
    fn whole_durations_match_risk_table_for_every_type_and_thread_count() {
        let (t, e, g) = sample(100_000, 7_300);
        let tf: Vec<f64> = t.iter().map(|&v| v as f64).collect();
        let t32: Vec<i32> = t.iter().map(|&v| v as i32).collect();
        let eb: Vec<bool> = e.iter().map(|&v| v == 1).collect();
        let ef: Vec<f64> = e.iter().map(|&v| v as f64).collect();
        for group in [None, Some(&g[..])] {
            let want = reference(&tf, &e, group, if group.is_some() { 3 } else { 1 });
            for threads in [1, 2, 3] {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .unwrap();
                pool.install(|| {
                    assert_eq!(risk_tables(&cols(&t, &e, group)).unwrap().unwrap(), want);
                    assert_eq!(risk_tables(&cols(&tf, &eb, group)).unwrap().unwrap(), want);
                    assert_eq!(risk_tables(&cols(&t32, &ef, group)).unwrap().unwrap(), want);
                });
            }
        }
    }

    #[test]
    fn sorted_spread_and_fractional_durations() {
        // Ascending durations make every chunk widen the bins.
        let (mut t, e, g) = sample(60_000, 50_000);
        t.sort_unstable();
        let tf: Vec<f64> = t.iter().map(|&v| v as f64).collect();
        assert_eq!(
            risk_tables(&cols(&t, &e, Some(&g))).unwrap().unwrap(),
            reference(&tf, &e, Some(&g), 3)
        );
        // A range far beyond the bins' limit, then fractional durations.
        let wide: Vec<i64> = t.iter().map(|&v| v * 1_000_003).collect();
        let wf: Vec<f64> = wide.iter().map(|&v| v as f64).collect();
        assert_eq!(
            risk_tables(&cols(&wide, &e, None)).unwrap().unwrap(),
            reference(&wf, &e, None, 1)
        );
        let frac: Vec<f64> = t.iter().map(|&v| v as f64 / 7.0).collect();
        assert_eq!(
            risk_tables(&cols(&frac, &e, Some(&g))).unwrap().unwrap(),
            reference(&frac, &e, Some(&g), 3)
        );
    }

    /// Every way of counting, alone and mixed across the parts of the input, for 1, 2
    /// and 3 threads: whole days (bins), days / 365.25 and years rounded to 0.01
    /// (hashed), whole days then fractional years in later rows (bins moved into the
    /// hash table), a range too wide for bins (hashed), unrounded continuous values
    /// (sorted), and continuous values only in the second half (hashed, then sorted).
    #[test]
    fn every_counting_path_matches_risk_table_for_any_thread_count() {
        let n = 200_000;
        let (days, e, g) = sample(n, 20_000);
        let mut x = 0x2545_F491_4F6C_DD1D_u64;
        let mut unif = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 11) as f64 / (1u64 << 53) as f64
        };
        let continuous: Vec<f64> = (0..n).map(|_| -8.0 * (1.0 - unif()).ln()).collect();
        let as_f64 = |v: &[i64]| -> Vec<f64> { v.iter().map(|&d| d as f64).collect() };
        let cases: Vec<(&str, Vec<f64>)> = vec![
            ("whole days", as_f64(&days)),
            (
                "days / 365.25",
                days.iter().map(|&d| d as f64 / 365.25).collect(),
            ),
            (
                "years to 0.01",
                continuous
                    .iter()
                    .map(|v| (v * 100.0).round() / 100.0)
                    .collect(),
            ),
            (
                "whole, then fractional",
                (0..n)
                    .map(|i| {
                        if i < n / 2 {
                            days[i] as f64
                        } else {
                            days[i] as f64 / 7.0
                        }
                    })
                    .collect(),
            ),
            (
                "wide range",
                days.iter().map(|&d| (d * 1_000_003) as f64).collect(),
            ),
            ("continuous", continuous.clone()),
            (
                "months / 12",
                days.iter().map(|&d| (d % 600) as f64 / 12.0).collect(),
            ),
            (
                "tenths, then hundredths, then thousandths",
                (0..n)
                    .map(|i| {
                        let digits = [10.0, 100.0, 1000.0][3 * i / n];
                        (continuous[i] * digits).round() / digits
                    })
                    .collect(),
            ),
            (
                "whole days, then days / 365.25",
                (0..n)
                    .map(|i| {
                        let d = days[i] as f64;
                        if i < n / 2 {
                            d
                        } else {
                            d / 365.25
                        }
                    })
                    .collect(),
            ),
            (
                "hundredths with -0 and huge values",
                (0..n)
                    .map(|i| match i % 1000 {
                        0 => -0.0,
                        1 => 1e15 + (i % 7) as f64,
                        _ => (continuous[i] * 100.0).round() / 100.0,
                    })
                    .collect(),
            ),
            (
                "rounded, then continuous",
                (0..n)
                    .map(|i| {
                        if i < n / 2 {
                            (continuous[i] * 10.0).round()
                        } else {
                            continuous[i]
                        }
                    })
                    .collect(),
            ),
        ];
        for (name, t) in &cases {
            for group in [None, Some(&g[..])] {
                let want = reference(t, &e, group, if group.is_some() { 3 } else { 1 });
                for threads in [1, 2, 3] {
                    let pool = rayon::ThreadPoolBuilder::new()
                        .num_threads(threads)
                        .build()
                        .unwrap();
                    let got = pool.install(|| risk_tables(&cols(t, &e, group)).unwrap().unwrap());
                    assert_eq!(
                        got,
                        want,
                        "{name}, {threads} threads, groups {}",
                        group.is_some()
                    );
                }
            }
        }
    }

    #[test]
    fn scaled_values_are_whole_numbers_of_units_given_back_exactly() {
        for (t, scale, want) in [
            (0.01, 100.0, Some(1)),
            (12.34, 100.0, Some(1234)),
            (-0.0, 100.0, Some(0)),
            (0.015, 100.0, None),
            (1.0 / 3.0, 100.0, None),
            (700.0 / 365.25, 365.25, Some(700)),
            (-0.01, 100.0, None),
            (f64::NAN, 100.0, None),
            (f64::INFINITY, 100.0, None),
            (1e13, 100.0, None), // beyond MAX_UNITS
        ] {
            let got = t.scaled(scale);
            assert_eq!(got, want, "{t} in units of 1/{scale}");
            if let Some(k) = got {
                assert_eq!(t.scaled_unchecked(scale), k);
                assert_eq!(Bins::value(k, scale), t);
            }
        }
        assert_eq!(refinement(10.0, 100.0), Some(10));
        assert_eq!(refinement(1.0, 365.0), Some(365));
        assert_eq!(refinement(100.0, 365.25), None);
        assert_eq!(refinement(100.0, 10.0), None);
        assert_eq!(5i64.scaled(100.0), None);
    }

    /// How one run of chunks counts `t` (one group, no exits): bins and their units,
    /// the hash table, or sorting.
    fn mode(t: &[f64]) -> String {
        let e = vec![0u32; t.len()];
        let c = cols(t, &e, None);
        let limit = Limits {
            bins: 1 << 16,
            cells: 1 << 22,
        };
        let mut part = Tally::default();
        for lo in (0..t.len()).step_by(CHUNK) {
            part.chunk(&c, lo..(lo + CHUNK).min(t.len()), limit);
        }
        match part.counts {
            Counts::Bins(b) => format!("bins 1/{}", b.scale),
            Counts::Hashed(_) => "hashed".into(),
            Counts::Sort => "sort".into(),
            Counts::Empty => "empty".into(),
            Counts::Bad => "bad".into(),
        }
    }

    #[test]
    fn each_kind_of_duration_is_counted_the_cheap_way() {
        let n = 3 * CHUNK;
        let u = |i: usize| {
            ((i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 11) as f64 / (1u64 << 53) as f64
        };
        let years: Vec<f64> = (0..n).map(|i| 40.0 * u(i)).collect();
        let by = |f: &dyn Fn(usize) -> f64| -> Vec<f64> { (0..n).map(f).collect() };
        assert_eq!(mode(&by(&|i| (years[i] * 365.0).floor())), "bins 1/1");
        assert_eq!(
            mode(&by(&|i| (years[i] * 100.0).round() / 100.0)),
            "bins 1/100"
        );
        assert_eq!(
            mode(&by(&|i| (years[i] * 365.25).floor() / 365.25)),
            "bins 1/365.25"
        );
        // Whole years, then hundredths: the bins move to the finer unit.
        let mixed = by(&|i| {
            if i < CHUNK {
                years[i].floor()
            } else {
                (years[i] * 100.0).round() / 100.0
            }
        });
        assert_eq!(mode(&mixed), "bins 1/100");
        // Days / 7 are in no unit tried: hashed.
        assert_eq!(mode(&by(&|i| (years[i] * 365.0).floor() / 7.0)), "hashed");
        // Unrounded: sorted from the first chunk on.
        assert_eq!(mode(&years[..CHUNK]), "sort");
    }

    #[test]
    fn radix_sort_sorts() {
        let mut x = 7u64;
        for n in [0, 1, 63, 64, 1000, 70_000, 300_001] {
            let mut keys: Vec<u64> = (0..n)
                .map(|i| {
                    x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                    // Shared high bytes in half the keys, as durations in a narrow range have.
                    if i % 2 == 0 {
                        x >> 20
                    } else {
                        x
                    }
                })
                .collect();
            let mut want = keys.clone();
            want.sort_unstable();
            let split = keys.clone();
            radix_sort(&mut keys);
            assert_eq!(keys, want);
            assert_eq!(par_radix_sort(split).0, want);
        }
        // Packed durations from a continuous distribution, many repeats of a few keys,
        // and most keys in one bucket beside a few far away.
        let n = 200_000u64;
        let cases: [Vec<u64>; 3] = [
            (0..n)
                .map(|i| {
                    x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                    let t = -8.0 * (1.0 - (x >> 11) as f64 / (1u64 << 53) as f64).ln();
                    (key_of(t) << 1) | (i & 1)
                })
                .collect(),
            (0..n).map(|i| (i * 7919) % 1000).collect(),
            (0..n)
                .map(|i| {
                    if i % 1000 == 0 {
                        u64::MAX - i
                    } else {
                        (i * 7919) % n
                    }
                })
                .collect(),
        ];
        for keys in cases {
            let mut want = keys.clone();
            want.sort_unstable();
            assert_eq!(par_radix_sort(keys).0, want);
        }
    }

    #[test]
    fn first_bad_value_by_kind() {
        let e = [1i64, 0, 1, 1, 0, 2];
        let msg = |t: &[f64], e: &[i64]| risk_tables(&cols(t, e, None)).unwrap_err().to_string();
        let t = [1.0, -2.0, f64::INFINITY, 3.0, f64::NAN, 5.0];
        assert_eq!(msg(&t, &e), "column 'years', row 4: value is NaN");
        let t = [1.0, -2.0, f64::INFINITY, 3.0, 4.0, 5.0];
        assert_eq!(
            msg(&t, &e),
            "column 'years', row 2: value inf is not a finite number"
        );
        let t = [1.0, -2.5, 3.0, 3.0, 4.0, 5.0];
        assert_eq!(
            msg(&t, &e),
            "column 'years', row 1: value -2.5 is negative; years must be >= 0"
        );
        let t = [1.0, 2.0, 3.0, 3.0, 4.0, 5.0];
        assert_eq!(
            msg(&t, &e),
            "column 'left', row 5: value 2 is not 0 (censored) or 1 (exit)"
        );
        // A bad row far into a large input, found whichever chunk sees it first.
        let mut t: Vec<i32> = (0..200_000).map(|i| i % 365).collect();
        t[150_001] = -1;
        t[190_000] = -7;
        let e = vec![true; t.len()];
        let err = risk_tables(&cols(&t, &e, None)).unwrap_err().to_string();
        assert_eq!(
            err,
            "column 'years', row 150001: value -1 is negative; years must be >= 0"
        );
        let g = vec![0u32, 5];
        let c = Columns {
            n_groups: 2,
            ..cols(&[1i64, 2], &[1i64, 0], Some(&g))
        };
        assert_eq!(
            risk_tables(&c).unwrap_err().to_string(),
            "column 'by', row 1: group code 5 is not below 2"
        );
    }

    /// Chunks after the first are checked and counted in one pass while they fit the
    /// bins; a chunk with a row that does not (beyond the bins, off the unit, a bad
    /// value or event code) is taken back and counted the two-pass way, with the same
    /// tables and errors as `risk_table` gives, for any number of threads.
    #[test]
    fn one_pass_chunks_give_back_rows_that_do_not_fit() {
        let n = 6 * CHUNK;
        let (days, e, g) = sample(n, 3_000);
        let years: Vec<f64> = days.iter().map(|&d| d as f64 / 100.0).collect();
        let mut beyond = years.clone();
        beyond[4 * CHUNK + 7] = 45.67; // past the bins, still in hundredths
        let mut off = years.clone();
        off[5 * CHUNK + 1] = 1.0 / 3.0; // in no unit: hashed from there on
        let whole: Vec<f64> = days.iter().map(|&d| d as f64).collect();
        let mut whole_beyond = whole.clone();
        whole_beyond[3 * CHUNK] = 1e6;
        for t in [&years, &beyond, &off, &whole, &whole_beyond] {
            for group in [None, Some(&g[..])] {
                let k = if group.is_some() { 3 } else { 1 };
                let want = reference(t, &e, group, k);
                for threads in [1, 2, 3] {
                    let pool = rayon::ThreadPoolBuilder::new()
                        .num_threads(threads)
                        .build()
                        .unwrap();
                    let got = pool.install(|| risk_tables(&cols(t, &e, group)));
                    assert_eq!(got.unwrap().unwrap(), want);
                }
            }
        }
        let mut bad = years.clone();
        bad[3 * CHUNK + 5] = -0.25;
        let err = risk_tables(&cols(&bad, &e, None)).unwrap_err().to_string();
        assert_eq!(
            err,
            format!(
                "column 'years', row {}: value -0.25 is negative; years must be >= 0",
                3 * CHUNK + 5
            )
        );
        let mut bad_e: Vec<i64> = e.iter().map(|&v| v as i64).collect();
        bad_e[2 * CHUNK + 9] = -1;
        let err = risk_tables(&cols(&years, &bad_e, Some(&g)))
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            format!(
                "column 'left', row {}: value -1 is not 0 (censored) or 1 (exit)",
                2 * CHUNK + 9
            )
        );
    }

    #[test]
    fn first_bad_value_while_hashing_or_sorting() {
        // Fractional (hashed) and all-distinct (sorted) durations, bad rows far in.
        let n = 120_000;
        let hashed: Vec<f64> = (0..n).map(|i| (i % 900) as f64 / 100.0).collect();
        let sorted: Vec<f64> = (0..n).map(|i| i as f64 * 1.000_001 + 0.5).collect();
        for mut t in [hashed, sorted] {
            let e = vec![1u32; n];
            t[100_003] = -0.5;
            t[110_000] = f64::NAN;
            let err = risk_tables(&cols(&t, &e, None)).unwrap_err().to_string();
            assert_eq!(err, "column 'years', row 110000: value is NaN");
            t[110_000] = 1.5;
            let err = risk_tables(&cols(&t, &e, None)).unwrap_err().to_string();
            assert_eq!(
                err,
                "column 'years', row 100003: value -0.5 is negative; years must be >= 0"
            );
            t[100_003] = 0.25;
            let mut e = e;
            e[90_000] = 3;
            let err = risk_tables(&cols(&t, &e, None)).unwrap_err().to_string();
            assert_eq!(
                err,
                "column 'left', row 90000: value 3 is not 0 (censored) or 1 (exit)"
            );
        }
    }

    #[test]
    fn empty_groups_and_no_rows() {
        let c = Columns {
            n_groups: 3,
            ..cols(&[2i64, 1], &[1i64, 0], Some(&[0, 2]))
        };
        let t = risk_tables(&c).unwrap().unwrap();
        assert_eq!(t.len(), 3);
        assert!(t[1].time.is_empty());
        assert_eq!(t[2].time, vec![1.0]);
        let none: [i64; 0] = [];
        assert_eq!(
            risk_tables(&cols(&none, &none, None)).unwrap().unwrap(),
            reference(&[], &[], None, 1)
        );
    }
}
