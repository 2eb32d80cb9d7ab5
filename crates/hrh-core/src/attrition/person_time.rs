//! Headcounts, entrants, exits and person-years per calendar period and group, from a
//! register of employment spells.

use crate::date::{check_day, civil_from_days, days_from_civil, show_day};
use crate::error::{Error, Result};
use rayon::prelude::*;

/// Calendar period length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    /// Calendar years.
    Year,
    /// Calendar quarters.
    Quarter,
    /// Calendar months.
    Month,
}

fn period_start(day: i32, period: Period) -> i32 {
    let (y, m, _) = civil_from_days(day);
    match period {
        Period::Year => days_from_civil(y, 1, 1),
        Period::Quarter => days_from_civil(y, 3 * ((m - 1) / 3) + 1, 1),
        Period::Month => days_from_civil(y, m, 1),
    }
}

fn next_start(start: i32, period: Period) -> i32 {
    let (y, m, _) = civil_from_days(start);
    let step = match period {
        Period::Year => 12,
        Period::Quarter => 3,
        Period::Month => 1,
    };
    let months = (y * 12 + (m as i32 - 1)) + step;
    days_from_civil(months.div_euclid(12), (months.rem_euclid(12) + 1) as u32, 1)
}

/// Person-time table, one row per (group, period), group-major.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PersonTime {
    /// Group code of each row.
    pub group: Vec<u32>,
    /// First day of the period (days since 1970-01-01).
    pub period_start: Vec<i32>,
    /// First day after the period (or the end of observation).
    pub period_end: Vec<i32>,
    /// In post at the start of the period.
    pub headcount_start: Vec<f64>,
    /// In post at the end of the period (= next period's start).
    pub headcount_end: Vec<f64>,
    /// Hired during the period.
    pub entrants: Vec<f64>,
    /// Left during the period.
    pub exits: Vec<f64>,
    /// Exits by reason (`exits_by_reason[r - 1][row]`).
    pub exits_by_reason: Vec<Vec<f64>>,
    /// Person-years in the period (days / 365.25).
    pub person_years: Vec<f64>,
}

/// The spells of a register: entry days, exit days where `exit_known`, reason codes
/// (0 = none, 1..=`n_reasons`; read only where the exit is known) and group codes below
/// `n_groups`.
#[derive(Debug, Clone, Copy)]
pub struct Spells<'a> {
    /// First day in post (days since 1970-01-01).
    pub entry: &'a [i32],
    /// First day out of post; read only where `exit_known`.
    pub exit: &'a [i32],
    /// Whether the person has left (false: still in post).
    pub exit_known: &'a [bool],
    /// Exit reason codes.
    pub reason: &'a [u32],
    /// Number of exit reasons.
    pub n_reasons: usize,
    /// Group codes.
    pub group: &'a [u32],
    /// Number of groups.
    pub n_groups: usize,
}

/// Rows tabulated together; fixed, so the work split does not depend on the number of
/// threads (the sums are integers in any case).
const CHUNK: usize = 1 << 15;

/// Tabulate spells [entry, exit) (exit = first day out of post; no exit = still in
/// post) over calendar periods from `start` to the day before `end` (the first period
/// begins at `start`, the last ends at `end`). A person counts in `headcount_start` of a
/// period starting on day p if entry < p and (no exit or exit >= p);
/// an entrant if p <= entry < next; an exit if p <= exit < next. So every period
/// conserves people: headcount_start + entrants − exits = headcount_end. Spells that
/// begin before `start` enter through `headcount_start` (left truncation); exits on or
/// after `end` are not yet observed (right censoring).
///
/// Rows are tabulated in parallel chunks into integer counts and day sums, so the
/// table is exact and the same for any number of threads.
pub fn person_time_counts(
    spells: &Spells<'_>,
    period: Period,
    start: i32,
    end: i32,
) -> Result<PersonTimeCounts> {
    let sp = spells;
    let n = sp.entry.len();
    crate::validate::same_len(n, sp.exit.len(), "entry", "exit")?;
    crate::validate::same_len(n, sp.exit_known.len(), "entry", "exit")?;
    crate::validate::same_len(n, sp.group.len(), "entry", "by")?;
    crate::validate::same_len(n, sp.reason.len(), "entry", "reason")?;
    // Within the supported dates the calendar arithmetic cannot overflow.
    check_day(start, "start")?;
    check_day(end, "end")?;
    if end <= start {
        return Err(Error::argument(
            "end",
            format!("day {end} is not after the start day {start}"),
        ));
    }
    let cal = Calendar::new(period, start, end);
    let Some(cells) = sp.n_groups.checked_mul(cal.periods()) else {
        return Err(Error::input(
            "by",
            format!(
                "{} groups times {} periods is too many cells",
                sp.n_groups,
                cal.periods()
            ),
        ));
    };
    let sums = (0..n.div_ceil(CHUNK))
        .into_par_iter()
        .fold(
            || Sums::new(cells, sp.n_reasons),
            |mut acc, c| {
                acc.add_rows(sp, &cal, c * CHUNK..((c + 1) * CHUNK).min(n));
                acc
            },
        )
        .reduce(|| Sums::new(cells, sp.n_reasons), Sums::merge);
    if let Some((row, kind)) = sums.first_bad {
        return Err(bad_row(sp, row, kind));
    }
    Ok(sums.counts(&cal, sp.n_groups))
}

/// The table of [`person_time_counts`]: counts as floats, person-years = person-days /
/// 365.25.
pub fn person_time(
    spells: &Spells<'_>,
    period: Period,
    start: i32,
    end: i32,
) -> Result<PersonTime> {
    Ok(person_time_counts(spells, period, start, end)?.finish())
}

/// The integer counts behind a [`PersonTime`] table, one row per (group, period),
/// group-major: the mergeable partial state of a register read in parts. Two parts
/// tabulated over the same window and groups merge by adding their counts
/// ([`PersonTimeCounts::merge`]), exactly and in any order, and [`PersonTimeCounts::finish`]
/// gives the same table as [`person_time`] on all their rows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PersonTimeCounts {
    /// Group code of each row.
    pub group: Vec<u32>,
    /// First day of the period (days since 1970-01-01).
    pub period_start: Vec<i32>,
    /// First day after the period (or the end of observation).
    pub period_end: Vec<i32>,
    /// In post at the start of the period.
    pub headcount_start: Vec<i64>,
    /// Hired during the period.
    pub entrants: Vec<i64>,
    /// Left during the period.
    pub exits: Vec<i64>,
    /// Exits by reason (`exits_by_reason[r - 1][row]`).
    pub exits_by_reason: Vec<Vec<i64>>,
    /// Days in post in the period.
    pub person_days: Vec<i64>,
}

impl PersonTimeCounts {
    /// Add the counts of `other`, tabulated over the same periods, groups and reasons.
    pub fn merge(&mut self, other: &PersonTimeCounts) -> Result<()> {
        if self.group != other.group
            || self.period_start != other.period_start
            || self.period_end != other.period_end
            || self.exits_by_reason.len() != other.exits_by_reason.len()
        {
            return Err(Error::input(
                "counts",
                "the parts were tabulated over different periods, groups or exit reasons"
                    .to_string(),
            ));
        }
        fn add(a: &mut [i64], b: &[i64]) {
            for (x, &y) in a.iter_mut().zip(b) {
                *x += y;
            }
        }
        add(&mut self.headcount_start, &other.headcount_start);
        add(&mut self.entrants, &other.entrants);
        add(&mut self.exits, &other.exits);
        for (a, b) in self.exits_by_reason.iter_mut().zip(&other.exits_by_reason) {
            add(a, b);
        }
        add(&mut self.person_days, &other.person_days);
        Ok(())
    }

    /// The person-time table: counts as floats, headcount_end = headcount_start +
    /// entrants − exits, person-years = person-days / 365.25.
    pub fn finish(&self) -> PersonTime {
        let float = |v: &[i64]| v.iter().map(|&x| x as f64).collect::<Vec<_>>();
        PersonTime {
            group: self.group.clone(),
            period_start: self.period_start.clone(),
            period_end: self.period_end.clone(),
            headcount_start: float(&self.headcount_start),
            headcount_end: (0..self.group.len())
                .map(|c| (self.headcount_start[c] + self.entrants[c] - self.exits[c]) as f64)
                .collect(),
            entrants: float(&self.entrants),
            exits: float(&self.exits),
            exits_by_reason: self.exits_by_reason.iter().map(|v| float(v)).collect(),
            person_years: self
                .person_days
                .iter()
                .map(|&d| d as f64 / 365.25)
                .collect(),
        }
    }
}

/// The calendar periods of the window: their first days and, for each day of the
/// window, the period it falls in.
struct Calendar {
    /// First day of each period, then `end`.
    bounds: Vec<i32>,
    /// Period of each day from `bounds[0]` (empty for a window too long to list).
    period_of_day: Vec<u32>,
}

impl Calendar {
    fn new(period: Period, start: i32, end: i32) -> Calendar {
        let mut bounds = vec![period_start(start, period).max(start)];
        let mut b = next_start(period_start(start, period), period);
        while b < end {
            bounds.push(b);
            b = next_start(b, period);
        }
        bounds.push(end);
        let days = (end as i64 - bounds[0] as i64) as usize;
        let mut period_of_day = Vec::new();
        if days <= 1 << 22 {
            period_of_day.reserve(days);
            for (k, w) in bounds.windows(2).enumerate() {
                period_of_day.extend(std::iter::repeat_n(k as u32, (w[1] - w[0]) as usize));
            }
        }
        Calendar {
            bounds,
            period_of_day,
        }
    }

    fn periods(&self) -> usize {
        self.bounds.len() - 1
    }

    /// Index of the period containing day `x` (None outside the window).
    fn locate(&self, x: i32) -> Option<usize> {
        let b0 = self.bounds[0];
        if x < b0 || x >= self.bounds[self.periods()] {
            return None;
        }
        Some(
            match self.period_of_day.get((x as i64 - b0 as i64) as usize) {
                Some(&k) => k as usize,
                None => self.bounds.partition_point(|&bb| bb <= x) - 1,
            },
        )
    }

    /// Number of periods that start on or before day `x`.
    fn starts_upto(&self, x: i32) -> usize {
        if x < self.bounds[0] {
            0
        } else {
            self.locate(x).map_or(self.periods(), |k| k + 1)
        }
    }
}

/// What is wrong with a row, in the order rows are checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Bad {
    ExitBeforeEntry,
    Reason,
    Group,
}

fn bad_row(sp: &Spells<'_>, i: usize, kind: Bad) -> Error {
    match kind {
        Bad::ExitBeforeEntry => Error::input_at(
            "exit",
            i,
            // Any day count: `show_day` leaves out the calendar where it would overflow.
            format!(
                "exit date {} is before the entry date {}",
                show_day(sp.exit[i]),
                show_day(sp.entry[i])
            ),
        ),
        Bad::Reason => Error::input_at(
            "reason",
            i,
            format!("code {} is not below {}", sp.reason[i], sp.n_reasons + 1),
        ),
        Bad::Group => Error::input_at(
            "by",
            i,
            format!("group code {} is not below {}", sp.group[i], sp.n_groups),
        ),
    }
}

/// Integer sums per (group, period) cell, group-major.
struct Sums {
    /// +1 at the first cell a spell is in post at the start of, −1 after its last.
    hc_diff: Vec<i64>,
    entrants: Vec<u64>,
    exits: Vec<u64>,
    by_reason: Vec<Vec<u64>>,
    /// +1 at the first period a spell covers whole, −1 after its last.
    full_diff: Vec<i64>,
    /// Days in post in partly covered periods.
    partial: Vec<i64>,
    /// The first bad row and what is wrong with it.
    first_bad: Option<(usize, Bad)>,
}

impl Sums {
    fn new(cells: usize, n_reasons: usize) -> Sums {
        Sums {
            hc_diff: vec![0; cells + 1],
            entrants: vec![0; cells],
            exits: vec![0; cells],
            by_reason: vec![vec![0; cells]; n_reasons],
            full_diff: vec![0; cells + 1],
            partial: vec![0; cells],
            first_bad: None,
        }
    }

    fn add_rows(&mut self, sp: &Spells<'_>, cal: &Calendar, rows: std::ops::Range<usize>) {
        let p = cal.periods();
        let (b0, end) = (cal.bounds[0], cal.bounds[p]);
        for i in rows {
            let known = sp.exit_known[i];
            let bad = if known && sp.exit[i] < sp.entry[i] {
                Some(Bad::ExitBeforeEntry)
            } else if sp.reason[i] as usize > sp.n_reasons {
                Some(Bad::Reason)
            } else if sp.group[i] as usize >= sp.n_groups {
                Some(Bad::Group)
            } else {
                None
            };
            if let Some(kind) = bad {
                // Rows come in order within a run of chunks: the first one stands.
                self.first_bad.get_or_insert((i, kind));
            }
            if self.first_bad.is_some() {
                continue;
            }
            let base = sp.group[i] as usize * p;
            let e = sp.entry[i];
            let x = if known { sp.exit[i] } else { i32::MAX };
            if x < b0 || e >= end {
                continue;
            }
            // Periods whose start p satisfies e < p <= x: headcount_start.
            let first_hc = cal.starts_upto(e);
            let last_hc = cal.starts_upto(x); // exclusive
            if first_hc < last_hc {
                self.hc_diff[base + first_hc] += 1;
                self.hc_diff[base + last_hc] -= 1;
            }
            if let Some(k) = cal.locate(e) {
                self.entrants[base + k] += 1;
            }
            if known {
                if let Some(k) = cal.locate(x) {
                    self.exits[base + k] += 1;
                    if sp.reason[i] > 0 {
                        self.by_reason[sp.reason[i] as usize - 1][base + k] += 1;
                    }
                }
            }
            // Exposure: overlap of [e, x) with each period.
            let lo = e.max(b0);
            let hi = x.min(end);
            if hi <= lo {
                continue;
            }
            let kl = cal.locate(lo).unwrap_or(0);
            let kh = cal.locate(hi - 1).unwrap_or(p - 1);
            if kl == kh {
                self.partial[base + kl] += (hi - lo) as i64;
            } else {
                self.partial[base + kl] += (cal.bounds[kl + 1] - lo) as i64;
                self.partial[base + kh] += (hi - cal.bounds[kh]) as i64;
                if kl + 1 < kh {
                    self.full_diff[base + kl + 1] += 1;
                    self.full_diff[base + kh] -= 1;
                }
            }
        }
    }

    fn merge(mut self, o: Sums) -> Sums {
        fn add<T: Copy + std::ops::AddAssign>(a: &mut [T], b: &[T]) {
            for (x, &y) in a.iter_mut().zip(b) {
                *x += y;
            }
        }
        add(&mut self.hc_diff, &o.hc_diff);
        add(&mut self.entrants, &o.entrants);
        add(&mut self.exits, &o.exits);
        for (a, b) in self.by_reason.iter_mut().zip(&o.by_reason) {
            add(a, b);
        }
        add(&mut self.full_diff, &o.full_diff);
        add(&mut self.partial, &o.partial);
        self.first_bad = match (self.first_bad, o.first_bad) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self
    }

    fn counts(&self, cal: &Calendar, n_groups: usize) -> PersonTimeCounts {
        let p = cal.periods();
        let cells = n_groups * p;
        let mut out = PersonTimeCounts {
            exits_by_reason: vec![Vec::with_capacity(cells); self.by_reason.len()],
            ..Default::default()
        };
        // Running sums over the flattened cells: a spell's closing difference may sit on
        // the next group's first cell, where it cancels the spell's opening one.
        let (mut hc, mut full) = (0i64, 0i64);
        for g in 0..n_groups {
            for k in 0..p {
                let c = g * p + k;
                hc += self.hc_diff[c];
                full += self.full_diff[c];
                let len = (cal.bounds[k + 1] - cal.bounds[k]) as i64;
                out.group.push(g as u32);
                out.period_start.push(cal.bounds[k]);
                out.period_end.push(cal.bounds[k + 1]);
                out.headcount_start.push(hc);
                out.entrants.push(self.entrants[c] as i64);
                out.exits.push(self.exits[c] as i64);
                for (r, col) in out.exits_by_reason.iter_mut().enumerate() {
                    col.push(self.by_reason[r][c] as i64);
                }
                out.person_days.push(full * len + self.partial[c]);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_beyond_the_calendar_are_input_errors() {
        let spells = Spells {
            entry: &[i32::MAX],
            exit: &[0],
            exit_known: &[true],
            reason: &[0],
            n_reasons: 0,
            group: &[0],
            n_groups: 1,
        };
        // A window ending on i32::MAX used to overflow the calendar arithmetic.
        let e = person_time(&spells, Period::Month, 0, i32::MAX).unwrap_err();
        assert!(
            e.to_string().starts_with("argument 'end': day 2147483647"),
            "{e}"
        );
        let e = person_time(&spells, Period::Year, i32::MIN, 0).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("argument 'start': day -2147483648"),
            "{e}"
        );
        // An entry on i32::MAX used to overflow while the message was written.
        let e = person_time(&spells, Period::Year, 0, 365).unwrap_err();
        assert_eq!(
            e.to_string(),
            "column 'exit', row 0: exit date 1970-01-01 is before the entry date day 2147483647 since 1970-01-01"
        );
        let many = Spells {
            n_groups: usize::MAX,
            ..spells
        };
        let e = person_time(&many, Period::Year, 0, 800).unwrap_err();
        assert!(e.to_string().contains("too many cells"), "{e}");
    }

    #[test]
    fn conservation_and_exposure() {
        let d = |y, m, dd| days_from_civil(y, m, dd);
        let entry = [d(2018, 6, 1), d(2020, 1, 1), d(2020, 7, 1), d(2021, 3, 1)];
        let exit = [d(2020, 7, 1), 0, d(2021, 7, 1), 0];
        let known = [true, false, true, false];
        let reason = [1, 0, 2, 0];
        let spells = Spells {
            entry: &entry,
            exit: &exit,
            exit_known: &known,
            reason: &reason,
            n_reasons: 2,
            group: &[0, 0, 0, 0],
            n_groups: 1,
        };
        let t = person_time(&spells, Period::Year, d(2020, 1, 1), d(2022, 1, 1)).unwrap();
        assert_eq!(t.period_start, vec![d(2020, 1, 1), d(2021, 1, 1)]);
        // 2020: starts with person 0 (hired before); person 1 hired on 1 Jan is an entrant.
        assert_eq!(t.headcount_start, vec![1.0, 2.0]);
        assert_eq!(t.entrants, vec![2.0, 1.0]);
        assert_eq!(t.exits, vec![1.0, 1.0]);
        assert_eq!(t.headcount_end, vec![2.0, 2.0]);
        assert_eq!(t.exits_by_reason[0], vec![1.0, 0.0]);
        assert_eq!(t.exits_by_reason[1], vec![0.0, 1.0]);
        let py2020 = ((d(2020, 7, 1) - d(2020, 1, 1)) + 366 + (d(2021, 1, 1) - d(2020, 7, 1)))
            as f64
            / 365.25;
        assert!((t.person_years[0] - py2020).abs() < 1e-12);
    }

    /// A pseudo-random register of spells in 3 groups with 2 exit reasons.
    #[derive(Default)]
    struct Register {
        entry: Vec<i32>,
        exit: Vec<i32>,
        known: Vec<bool>,
        reason: Vec<u32>,
        group: Vec<u32>,
    }

    impl Register {
        fn new(n: usize) -> Register {
            let mut x = 0x2545_F491_4F6C_DD1D_u64;
            let mut next = |m: u64| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x % m
            };
            let mut reg = Register::default();
            for _ in 0..n {
                let entry = days_from_civil(1990, 1, 1) + next(35 * 365) as i32;
                let known = next(10) < 6;
                let stay = 1 + next(20 * 365) as i32;
                reg.entry.push(entry);
                reg.exit.push(if known { entry + stay } else { 0 });
                reg.known.push(known);
                reg.reason.push(if known { 1 + next(2) as u32 } else { 0 });
                reg.group.push(next(3) as u32);
            }
            reg
        }

        fn spells(&self) -> Spells<'_> {
            Spells {
                entry: &self.entry,
                exit: &self.exit,
                exit_known: &self.known,
                reason: &self.reason,
                n_reasons: 2,
                group: &self.group,
                n_groups: 3,
            }
        }
    }

    #[test]
    fn same_table_for_any_number_of_threads() {
        let reg = Register::new(200_000);
        let (start, end) = (days_from_civil(2010, 1, 1), days_from_civil(2025, 1, 1));
        let tables: Vec<PersonTime> = [1, 2, 3]
            .iter()
            .map(|&threads| {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .unwrap();
                pool.install(|| person_time(&reg.spells(), Period::Month, start, end).unwrap())
            })
            .collect();
        assert_eq!(tables[0], tables[1]);
        assert_eq!(tables[0], tables[2]);
        // Conservation in every cell.
        let t = &tables[0];
        for c in 0..t.group.len() {
            assert_eq!(
                t.headcount_start[c] + t.entrants[c] - t.exits[c],
                t.headcount_end[c]
            );
        }
    }

    #[test]
    fn first_bad_row_whichever_chunk_finds_it() {
        let mut reg = Register::new(100_000);
        reg.reason[90_000] = 3; // a reason code out of range, later than the exit below
        reg.known[70_001] = true;
        reg.exit[70_001] = reg.entry[70_001] - 1;
        let (start, end) = (days_from_civil(2010, 1, 1), days_from_civil(2025, 1, 1));
        let first_error = |reg: &Register| {
            person_time(&reg.spells(), Period::Year, start, end)
                .unwrap_err()
                .to_string()
        };
        assert!(first_error(&reg).starts_with("column 'exit', row 70001: exit date "));
        reg.known[70_001] = false;
        assert_eq!(
            first_error(&reg),
            "column 'reason', row 90000: code 3 is not below 3"
        );
    }
    #[test]
    fn an_exit_on_the_first_day_counts_in_the_first_period() {
        let d = |y, m, dd| days_from_civil(y, m, dd);
        let spells = Spells {
            entry: &[d(2019, 5, 1), d(2019, 5, 1)],
            exit: &[d(2020, 1, 1), d(2019, 12, 31)],
            exit_known: &[true, true],
            reason: &[1, 1],
            n_reasons: 1,
            group: &[0, 0],
            n_groups: 1,
        };
        // In post on the first day and leaving that day, as on any later period's first
        // day; a spell that ended the day before is not in the window.
        let t = person_time(&spells, Period::Year, d(2020, 1, 1), d(2021, 1, 1)).unwrap();
        assert_eq!(t.headcount_start, vec![1.0]);
        assert_eq!(t.exits, vec![1.0]);
        assert_eq!(t.headcount_end, vec![0.0]);
        assert_eq!(t.person_years, vec![0.0]);
        let later = person_time(&spells, Period::Year, d(2019, 1, 1), d(2021, 1, 1)).unwrap();
        assert_eq!(later.headcount_start[1], 1.0);
        assert_eq!(later.exits[1], 1.0);
    }

    #[test]
    fn parts_merged_in_any_order_give_the_whole_table() {
        let reg = Register::new(30_000);
        let (start, end) = (days_from_civil(2005, 1, 1), days_from_civil(2024, 7, 1));
        let whole = person_time(&reg.spells(), Period::Quarter, start, end).unwrap();
        let part = |rows: std::ops::Range<usize>| {
            let sp = reg.spells();
            let spells = Spells {
                entry: &sp.entry[rows.clone()],
                exit: &sp.exit[rows.clone()],
                exit_known: &sp.exit_known[rows.clone()],
                reason: &sp.reason[rows.clone()],
                group: &sp.group[rows],
                ..sp
            };
            person_time_counts(&spells, Period::Quarter, start, end).unwrap()
        };
        // Cuts including empty parts, merged forwards, backwards and pairwise.
        for cuts in [
            vec![0, 30_000],
            vec![0, 0, 7, 12_345, 12_345, 30_000],
            vec![0, 1, 29_999, 30_000],
        ] {
            let parts: Vec<_> = cuts.windows(2).map(|w| part(w[0]..w[1])).collect();
            let mut forward = parts[0].clone();
            for p in &parts[1..] {
                forward.merge(p).unwrap();
            }
            let mut backward = parts[parts.len() - 1].clone();
            for p in parts[..parts.len() - 1].iter().rev() {
                backward.merge(p).unwrap();
            }
            assert_eq!(forward, backward);
            assert_eq!(forward.finish(), whole);
        }
        // Parts over different windows do not merge.
        let mut a = part(0..10);
        let other = person_time_counts(&reg.spells(), Period::Year, start, end).unwrap();
        assert!(a
            .merge(&other)
            .unwrap_err()
            .to_string()
            .contains("different periods"));
    }
}
