//! Attrition and retention: exit rates, survival curves, competing exit reasons and
//! proportional-hazards models, following the conventions of R's `survival` package.
//!
//! Time-to-exit data are one row per person: an optional entry time (delayed entry,
//! left truncation: at risk on (entry, time]), the exit or censoring `time`, and a status
//! (0 = censored; 1 = exit, or 1..K = exit cause). Case weights are optional.
//!
//! - [`rates`]: exact Poisson rates per person-time, annualised proportions.
//! - [`person_time`]: headcounts, entrants, exits and person-years per calendar period.
//! - [`kaplan_meier`]: Kaplan-Meier with Greenwood variance, medians, RMST.
//! - [`curves`]: quantiles, RMST, values at given times and band rates of tables of
//!   curves, every group in one call, on one step-function lookup.
//! - [`nelson_aalen`]: cumulative hazard, Nelson-Aalen and Fleming-Harrington ties.
//! - [`logrank`]: the G-rho family of tests (log-rank, Peto-Peto).
//! - [`competing`]: Aalen-Johansen cumulative incidence with infinitesimal-jackknife
//!   standard errors.
//! - [`cox`]: Cox proportional hazards (Efron, Breslow; strata, weights, entry, robust).
//! - [`parametric`]: parametric (accelerated failure time) models: exponential,
//!   Weibull, log-normal, log-logistic, with delayed entry.
//! - [`cox_diagnostics`]: residuals of a Cox model and the proportional-hazards test.
//! - [`finegray`]: Fine-Gray regression of the subdistribution hazard of one exit cause
//!   (as R's `cmprsk::crr`).
//! - [`life_table`]: actuarial life tables.
//! - [`split`]: episode splitting at cut times and state changes (R's `survSplit`).
//! - [`tally`]: risk tables of unweighted data counted straight from the caller's
//!   columns, in parallel.

pub mod competing;
pub mod counted;
pub mod cox;
pub mod cox_diagnostics;
pub mod curves;
mod design;
pub mod finegray;
pub mod kaplan_meier;
pub mod life_table;
pub mod logrank;
pub mod nelson_aalen;
pub mod parametric;
pub mod person_time;
pub mod rates;
pub mod split;
pub mod tally;

use crate::error::{Error, Result};
use crate::validate;

/// Validated time-to-exit data of one group.
#[derive(Debug, Clone, PartialEq)]
pub struct SurvData {
    /// Entry times (−∞ without delayed entry).
    pub entry: Vec<f64>,
    /// Exit or censoring times.
    pub time: Vec<f64>,
    /// 0 = censored, k >= 1 = exit (cause k).
    pub status: Vec<u32>,
    /// Case weights (all 1 without weights).
    pub weight: Vec<f64>,
    /// Whether entry times were given.
    pub delayed: bool,
}

impl SurvData {
    /// Check and assemble: times finite and >= 0; entry < time; status codes up to
    /// `max_status`; weights finite and > 0.
    pub fn new(
        time: &[f64],
        status: &[u32],
        entry: Option<&[f64]>,
        weight: Option<&[f64]>,
        max_status: u32,
    ) -> Result<Self> {
        let n = time.len();
        validate::same_len(n, status.len(), "duration", "event")?;
        validate::non_negative(time, "duration")?;
        if let Some(i) = status.iter().position(|&s| s > max_status) {
            let allowed = if max_status == 1 {
                "0 (censored) or 1 (exit)".to_string()
            } else {
                format!("0 (censored) to {max_status}")
            };
            return Err(Error::input_at(
                "event",
                i,
                format!("code {} is not {allowed}", status[i]),
            ));
        }
        let entry_v = match entry {
            Some(e) => {
                validate::same_len(n, e.len(), "duration", "entry")?;
                validate::finite(e, "entry")?;
                if let Some(i) = (0..n).find(|&i| e[i] >= time[i]) {
                    return Err(Error::input_at(
                        "entry",
                        i,
                        format!(
                            "entry {} is not before the exit time {}; a person is at risk on (entry, exit]",
                            e[i], time[i]
                        ),
                    ));
                }
                e.to_vec()
            }
            // Without entry times everyone is at risk from the start, time 0 included.
            None => vec![f64::NEG_INFINITY; n],
        };
        let weight_v = match weight {
            Some(w) => {
                validate::same_len(n, w.len(), "duration", "weights")?;
                validate::positive(w, "weights")?;
                w.to_vec()
            }
            None => vec![1.0; n],
        };
        Ok(SurvData {
            entry: entry_v,
            time: time.to_vec(),
            status: status.to_vec(),
            weight: weight_v,
            delayed: entry.is_some(),
        })
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.time.len()
    }

    /// True without rows.
    pub fn is_empty(&self) -> bool {
        self.time.is_empty()
    }

    /// `f` on the data of each group (`group[i] < n_groups`, one code per row), in
    /// parallel and in group order, or on all the data at once when there is a single
    /// group (no copy); `control` is checked between groups.
    pub fn per_group<T: Send>(
        &self,
        group: &[u32],
        n_groups: usize,
        control: Option<&crate::control::Control>,
        f: impl Fn(&SurvData) -> Result<T> + Sync,
    ) -> Result<Vec<T>> {
        if n_groups == 1 {
            return Ok(vec![f(self)?]);
        }
        crate::grouping::map_groups(group, n_groups, self.time.len(), control, |rows| {
            f(&self.subset(rows))
        })
    }

    /// Rows `idx` as a new data set.
    pub fn subset(&self, idx: &[usize]) -> SurvData {
        SurvData {
            entry: idx.iter().map(|&i| self.entry[i]).collect(),
            time: idx.iter().map(|&i| self.time[i]).collect(),
            status: idx.iter().map(|&i| self.status[i]).collect(),
            weight: idx.iter().map(|&i| self.weight[i]).collect(),
            delayed: self.delayed,
        }
    }
}

/// Work space of a sequential pass over a curve's times: a fixed-size array, which
/// the compiler keeps in registers and unrolls over, for the common small sizes (two or
/// three groups, one to three causes), or a vector of `len` zeros otherwise. The
/// arithmetic is the same either way.
pub(crate) trait Work<T>: AsRef<[T]> + AsMut<[T]> {
    fn zeros(len: usize) -> Self;
}

impl<T: Copy + Default, const N: usize> Work<T> for [T; N] {
    fn zeros(len: usize) -> Self {
        debug_assert_eq!(len, N);
        [T::default(); N]
    }
}

impl<T: Copy + Default> Work<T> for Vec<T> {
    fn zeros(len: usize) -> Self {
        vec![T::default(); len]
    }
}

/// Counts at each distinct exit/censoring time.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RiskTable {
    /// Distinct times (sorted).
    pub time: Vec<f64>,
    /// Weighted number at risk just before each time.
    pub at_risk: Vec<f64>,
    /// Weighted exits of any cause.
    pub events: Vec<f64>,
    /// Weighted exits per cause (`events_by_cause[k - 1][j]`); empty in a table that
    /// does not keep causes apart.
    pub events_by_cause: Vec<Vec<f64>>,
    /// Weighted censorings.
    pub censored: Vec<f64>,
    /// Unweighted number of exits (for tie corrections); empty in a table of
    /// unweighted rows, whose `events` are the counts (see [`RiskTable::exit_count`]).
    pub event_count: Vec<usize>,
}

/// The earliest next time of `tables`, each read at its position in `pos` (a table past
/// its last time reads as ∞), found without branching on which table has it (in
/// continuous data a coin toss at every time); `None` when every table is done.
pub(crate) fn next_time(tables: &[RiskTable], pos: &[usize]) -> Option<f64> {
    let mut t = f64::INFINITY;
    for (tab, &p) in tables.iter().zip(pos) {
        t = t.min(tab.time.get(p).copied().unwrap_or(f64::INFINITY));
    }
    (t < f64::INFINITY).then_some(t)
}

impl RiskTable {
    /// Unweighted number of exits at the `j`-th time: `event_count[j]`, or `events[j]`
    /// in a table of unweighted rows (`event_count` empty).
    pub fn exit_count(&self, j: usize) -> usize {
        match self.event_count.get(j) {
            Some(&c) => c,
            None => self.events[j] as usize,
        }
    }
}

/// Sorted distinct values of `x` and, for each row, the index of its value among them.
///
/// Integer-valued data in a moderate range (days, months, whole years: the common case
/// in HR registers) are bucketed directly in O(n); anything else goes through a hash
/// map, O(n) plus a sort of the distinct values only.
pub(crate) fn distinct_index(x: &[f64]) -> (Vec<f64>, Vec<u32>) {
    let n = x.len();
    if n == 0 {
        return (Vec::new(), Vec::new());
    }
    let (mut lo, mut hi, mut integral) = (f64::INFINITY, f64::NEG_INFINITY, true);
    for &v in x {
        lo = lo.min(v);
        hi = hi.max(v);
        integral &= v.fract() == 0.0;
    }
    let range = hi - lo + 1.0;
    if integral && range <= (4 * n).max(1 << 16) as f64 {
        let m = range as usize;
        let mut rank = vec![u32::MAX; m];
        for &v in x {
            rank[(v - lo) as usize] = 0;
        }
        let mut distinct = Vec::new();
        for (b, r) in rank.iter_mut().enumerate() {
            if *r == 0 {
                *r = distinct.len() as u32;
                distinct.push(lo + b as f64);
            }
        }
        let idx = x.iter().map(|&v| rank[(v - lo) as usize]).collect();
        return (distinct, idx);
    }
    if mostly_distinct(x) {
        return distinct_by_sorting(x);
    }
    let mut ids: std::collections::HashMap<u64, u32, BuildMix> =
        std::collections::HashMap::with_capacity_and_hasher(1024, BuildMix);
    let mut first: Vec<f64> = Vec::new();
    let provisional: Vec<u32> = x
        .iter()
        .map(|&v| {
            let key = if v == 0.0 { 0 } else { v.to_bits() }; // -0.0 == 0.0
            *ids.entry(key).or_insert_with(|| {
                first.push(v);
                (first.len() - 1) as u32
            })
        })
        .collect();
    let mut order: Vec<u32> = (0..first.len() as u32).collect();
    order.sort_unstable_by(|&a, &b| first[a as usize].total_cmp(&first[b as usize]));
    let mut rank = vec![0u32; first.len()];
    for (r, &id) in order.iter().enumerate() {
        rank[id as usize] = r as u32;
    }
    let distinct = order.iter().map(|&id| first[id as usize]).collect();
    (
        distinct,
        provisional.iter().map(|&p| rank[p as usize]).collect(),
    )
}

/// A key of an f64 whose unsigned order is the value's order (−0 as 0).
fn order_key(v: f64) -> u64 {
    let b = (v + 0.0).to_bits();
    if b >> 63 == 1 {
        !b
    } else {
        b | (1 << 63)
    }
}

/// Whether the first 4,096 values are nearly all distinct (values drawn from a
/// continuous distribution), so that sorting beats hashing.
fn mostly_distinct(x: &[f64]) -> bool {
    let m = x.len().min(1 << 12);
    if m < 1 << 10 {
        return false;
    }
    let mut sample: Vec<u64> = x[..m].iter().map(|&v| order_key(v)).collect();
    sample.sort_unstable();
    sample.dedup();
    4 * sample.len() > 3 * m
}

/// [`distinct_index`] by a radix sort of the rows on their values: each distinct
/// value as it first occurs.
fn distinct_by_sorting(x: &[f64]) -> (Vec<f64>, Vec<u32>) {
    let n = x.len();
    let mut keys: Vec<u64> = x.iter().map(|&v| order_key(v)).collect();
    let mut rows: Vec<u32> = (0..n as u32).collect();
    tally::radix_sort_with(&mut keys, &mut rows);
    let mut distinct = Vec::new();
    let mut idx = vec![0u32; n];
    for i in 0..n {
        if i == 0 || keys[i] != keys[i - 1] {
            distinct.push(x[rows[i] as usize]);
        }
        idx[rows[i] as usize] = (distinct.len() - 1) as u32;
    }
    (distinct, idx)
}

/// A fast multiplicative hasher for the bit patterns of f64 keys.
#[derive(Clone, Copy, Default)]
struct BuildMix;

#[derive(Default)]
struct Mix(u64);

impl std::hash::Hasher for Mix {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ b as u64).wrapping_mul(0x100_0000_01B3);
        }
    }
    fn write_u64(&mut self, v: u64) {
        let z = (v ^ (v >> 31)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        self.0 = z ^ (z >> 29);
    }
}

impl std::hash::BuildHasher for BuildMix {
    type Hasher = Mix;
    fn build_hasher(&self) -> Mix {
        Mix(0)
    }
}

/// Tabulate risk sets at every distinct exit or censoring time in O(n) (plus
/// O(n log k) for delayed entry, k distinct times). At time t the risk set is
/// {i : entry_i < t <= time_i}: each row adds its weight to the at-risk counts from
/// the first distinct time after its entry up to its own time, through a difference
/// array.
pub fn risk_table(d: &SurvData, n_causes: usize) -> RiskTable {
    let (time, idx) = distinct_index(&d.time);
    let k = time.len();
    let mut diff = vec![0.0; k + 1];
    let mut events = vec![0.0; k];
    let mut censored = vec![0.0; k];
    let mut count = vec![0usize; k];
    let mut by_cause = vec![vec![0.0; k]; n_causes];
    for i in 0..d.len() {
        let j = idx[i] as usize;
        let w = d.weight[i];
        let start = if d.delayed {
            let e = d.entry[i];
            time.partition_point(|&t| t <= e)
        } else {
            0
        };
        diff[start] += w;
        diff[j + 1] -= w;
        if d.status[i] > 0 {
            events[j] += w;
            count[j] += 1;
            if let Some(c) = by_cause.get_mut(d.status[i] as usize - 1) {
                c[j] += w;
            }
        } else {
            censored[j] += w;
        }
    }
    let mut at_risk = Vec::with_capacity(k);
    let mut acc = 0.0;
    for v in diff.iter().take(k) {
        acc += v;
        at_risk.push(acc);
    }
    RiskTable {
        time,
        at_risk,
        events,
        events_by_cause: by_cause,
        censored,
        event_count: count,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn risk_sets_with_ties_and_entry() {
        let d = SurvData::new(
            &[2.0, 3.0, 3.0, 5.0, 8.0],
            &[1, 1, 0, 1, 0],
            Some(&[0.0, 0.0, 2.5, 4.0, 0.0]),
            None,
            1,
        )
        .unwrap();
        let t = risk_table(&d, 1);
        assert_eq!(t.time, vec![2.0, 3.0, 5.0, 8.0]);
        // At 2: rows 0,1,4 (row 2 enters at 2.5, row 3 at 4).
        assert_eq!(t.at_risk, vec![3.0, 3.0, 2.0, 1.0]);
        assert_eq!(t.events, vec![1.0, 1.0, 1.0, 0.0]);
        assert_eq!(t.censored, vec![0.0, 1.0, 0.0, 1.0]);
    }

    #[test]
    fn distinct_index_by_hashing_and_by_sorting_agree() {
        // Nearly all distinct (sorted path), with ties, −0 and negative values.
        let mut x: Vec<f64> = (0..20_000)
            .map(|i| ((i * 7919) % 20_011) as f64 / 3.0 - 50.0)
            .collect();
        x[5] = -0.0;
        x[9] = 0.0;
        x[100] = x[200];
        assert!(mostly_distinct(&x));
        let (d, idx) = distinct_index(&x);
        assert!(d.windows(2).all(|w| w[0] < w[1]));
        for (i, &v) in x.iter().enumerate() {
            assert_eq!(d[idx[i] as usize], v);
        }
        let mut want: Vec<f64> = x.iter().map(|v| v + 0.0).collect();
        want.sort_by(f64::total_cmp);
        want.dedup();
        assert_eq!(d.len(), want.len());
        // Few distinct values: the hash path gives the same kind of answer.
        let y: Vec<f64> = x.iter().map(|v| (v / 10.0).round() / 4.0).collect();
        assert!(!mostly_distinct(&y));
        let (d, idx) = distinct_index(&y);
        assert!(d.windows(2).all(|w| w[0] < w[1]));
        for (i, &v) in y.iter().enumerate() {
            assert_eq!(d[idx[i] as usize], v);
        }
    }

    #[test]
    fn entry_must_precede_exit() {
        let e = SurvData::new(&[2.0], &[1], Some(&[2.0]), None, 1).unwrap_err();
        assert!(e
            .to_string()
            .starts_with("column 'entry', row 0: entry 2 is not before"));
        let e = SurvData::new(&[2.0], &[3], None, None, 1).unwrap_err();
        assert_eq!(
            e.to_string(),
            "column 'event', row 0: code 3 is not 0 (censored) or 1 (exit)"
        );
    }
}
