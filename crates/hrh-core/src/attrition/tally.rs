//! Risk tables of unweighted time-to-exit data without delayed entry, counted straight
//! from the caller's columns (any of the common integer, float and boolean element
//! types, borrowed, never copied), checking each value as it is counted.
//!
//! Durations that are whole numbers in a moderate range (days, months, whole years:
//! the common case in HR registers) are counted into one bin per value, in parallel
//! over fixed-size chunks of rows. Counts are integers, so the merged table is exact
//! and identical for any number of threads. Anything else (fractional durations, a very
//! wide range) goes through [`distinct_index`] and one counting pass over its indices.
//! The tables equal those [`risk_table`](super::risk_table) builds from a
//! [`SurvData`](super::SurvData) of the same rows with unit weights.

use rayon::prelude::*;

use super::{distinct_index, RiskTable};
use crate::error::{Error, Result};

/// Rows checked and counted together while they sit in cache.
const CHUNK: usize = 1 << 14;
/// Every whole number from 0 to 2^53 is exactly an f64.
const MAX_EXACT: u64 = 1 << 53;
/// Low half of a bin: rows; high half: exits.
const ROWS: u64 = u32::MAX as u64;

/// A numeric element type of a duration column.
pub trait Duration: Copy + Send + Sync {
    /// The value as the tables report it.
    fn to_f64(self) -> f64;
    /// The value if it is a whole number in [0, 2^53] (an exact f64).
    fn whole(self) -> Option<u64>;
    /// [`Duration::whole`] for a value it accepted.
    fn whole_unchecked(self) -> u64;
    /// What makes the value unusable as a duration, if anything.
    fn problem(self) -> Option<Problem>;
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

/// One risk table per group (exits of any cause only: `events_by_cause` holds the
/// events once), or `Ok(None)` when the data are too large for counting by value
/// (more than 2^32 − 1 rows, or many groups times many distinct durations), for the
/// caller to use [`SurvData`](super::SurvData) and [`risk_table`](super::risk_table).
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
    let limit = (n / 4).max(1 << 16);
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
        .reduce(Tally::default, Tally::merge);
    tally.first_bad.into_result(c)?;
    let per_group = |cells: &[u64], len: usize, time_of: &dyn Fn(usize) -> f64| {
        (0..c.n_groups)
            .map(|g| table(&cells[g * len..(g + 1) * len], time_of))
            .collect()
    };
    match tally.counts {
        Counts::Bins(h) => {
            let lo = h.lo;
            Ok(Some(per_group(&h.cells, h.len, &|b| {
                (lo + b as u64) as f64
            })))
        }
        Counts::Empty => Ok(Some(per_group(&[], 0, &|b| b as f64))),
        Counts::Unsuitable => {
            // Fractional or widely spread durations: number the distinct values, then
            // count by (group, number) in one pass.
            let converted: Vec<f64>;
            let time: &[f64] = match T::as_f64(c.time) {
                Some(t) => t,
                None => {
                    converted = c.time.iter().map(|t| t.to_f64()).collect();
                    &converted
                }
            };
            let (distinct, idx) = distinct_index(time);
            let k = distinct.len();
            if c.n_groups.saturating_mul(k) > (4 * n).max(1 << 16) {
                return Ok(None);
            }
            let mut cells = vec![0u64; c.n_groups * k];
            for i in 0..n {
                let g = c.group.map_or(0, |g| g[i] as usize);
                cells[g * k + idx[i] as usize] += 1 | (c.event[i].exit_unchecked() << 32);
            }
            Ok(Some(per_group(&cells, k, &|b| distinct[b])))
        }
    }
}

/// The risk table of one group's bins (rows and exits packed per bin), in bin order.
fn table(bins: &[u64], time_of: &dyn Fn(usize) -> f64) -> RiskTable {
    let total: u64 = bins.iter().map(|&b| b & ROWS).sum();
    let mut t = RiskTable::default();
    let mut before = 0;
    for (b, &bin) in bins.iter().enumerate() {
        let rows = bin & ROWS;
        if rows == 0 {
            continue;
        }
        let exits = bin >> 32;
        t.time.push(time_of(b));
        t.at_risk.push((total - before) as f64);
        t.events.push(exits as f64);
        t.censored.push((rows - exits) as f64);
        t.event_count.push(exits as usize);
        before += rows;
    }
    t.events_by_cause = vec![t.events.clone()];
    t
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
    fn any(&self) -> bool {
        self.nan.is_some()
            || self.infinite.is_some()
            || self.negative.is_some()
            || self.event.is_some()
            || self.group.is_some()
    }

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

/// Bins for the values lo .. lo + len of every group (group-major).
#[derive(Debug)]
struct Bins {
    lo: u64,
    len: usize,
    cells: Vec<u64>,
}

#[derive(Debug, Default)]
enum Counts {
    /// Nothing counted yet.
    #[default]
    Empty,
    /// Counted by value.
    Bins(Bins),
    /// A fractional duration, a range too wide for bins, or a bad value: counting by
    /// value stopped.
    Unsuitable,
}

/// The counts and checks of a run of chunks.
#[derive(Debug, Default)]
struct Tally {
    counts: Counts,
    first_bad: FirstBad,
}

impl Tally {
    /// Check rows `rows` and, while counting by value is possible, count them.
    fn chunk<T: Duration, E: EventCode>(
        &mut self,
        c: &Columns<'_, T, E>,
        rows: std::ops::Range<usize>,
        limit: usize,
    ) {
        let (ts, es) = (&c.time[rows.clone()], &c.event[rows.clone()]);
        let gs = c.group.map(|g| &g[rows.clone()]);
        // Pass 1: the range of the chunk, and whether every value is usable as it is.
        let (mut lo, mut hi, mut ok) = (u64::MAX, 0u64, true);
        for (&t, &e) in ts.iter().zip(es) {
            match (t.whole(), e.exit()) {
                (Some(w), Some(_)) => {
                    lo = lo.min(w);
                    hi = hi.max(w);
                }
                _ => ok = false,
            }
        }
        if let Some(gs) = gs {
            if let Some(i) = gs.iter().position(|&g| g as usize >= c.n_groups) {
                self.first_bad.group = earliest(self.first_bad.group, Some(rows.start + i));
                ok = false;
            }
        }
        if !ok {
            self.diagnose(ts, es, rows.start);
            return;
        }
        if self.first_bad.any() || ts.is_empty() {
            return;
        }
        // Pass 2: count, the chunk still in cache.
        let n_groups = c.n_groups;
        if let Counts::Empty = self.counts {
            let len = (hi - lo) as usize + 1;
            if len.saturating_mul(n_groups) > limit {
                self.counts = Counts::Unsuitable;
                return;
            }
            self.counts = Counts::Bins(Bins {
                lo,
                len,
                cells: vec![0; len * n_groups],
            });
        }
        let Counts::Bins(bins) = &mut self.counts else {
            // Counting by value stopped already.
            return;
        };
        if !bins.cover(lo, hi, n_groups, limit) {
            self.counts = Counts::Unsuitable;
            return;
        }
        let (base, len, cells) = (bins.lo, bins.len, &mut bins.cells);
        match gs {
            None => {
                for (&t, &e) in ts.iter().zip(es) {
                    cells[(t.whole_unchecked() - base) as usize] += 1 | (e.exit_unchecked() << 32);
                }
            }
            Some(gs) => {
                for ((&t, &e), &g) in ts.iter().zip(es).zip(gs) {
                    let b = g as usize * len + (t.whole_unchecked() - base) as usize;
                    cells[b] += 1 | (e.exit_unchecked() << 32);
                }
            }
        }
    }

    /// Record the first bad value of each kind in a chunk that has one, or note a
    /// fractional or out-of-range duration that rules out counting by value.
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
        self.counts = Counts::Unsuitable;
    }

    fn merge(self, o: Tally) -> Tally {
        let counts = match (self.counts, o.counts) {
            (Counts::Unsuitable, _) | (_, Counts::Unsuitable) => Counts::Unsuitable,
            (Counts::Empty, x) | (x, Counts::Empty) => x,
            (Counts::Bins(a), Counts::Bins(b)) => Bins::add(a, b),
        };
        Tally {
            counts,
            first_bad: self.first_bad.merge(o.first_bad),
        }
    }
}

impl Bins {
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
        *self = Bins { lo, len, cells };
    }

    fn add(mut a: Bins, mut b: Bins) -> Counts {
        let n_groups = a.cells.len() / a.len;
        let lo = a.lo.min(b.lo);
        let end = (a.lo + a.len as u64).max(b.lo + b.len as u64);
        let len = (end - lo) as usize;
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
                risk_table(&d, 1)
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
