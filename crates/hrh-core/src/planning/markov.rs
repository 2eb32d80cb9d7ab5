//! One-period transition matrices (grades, regions) estimated from a panel.
//!
//! For every person, consecutive observations one period apart give one transition
//! `state(t) -> state(t + 1)`; the maximum-likelihood probability is `n_ij / n_i`
//! (Anderson and Goodman 1957), with a Wilson score interval for each cell
//! (Wilson 1927).

use crate::control::Control;
use crate::error::{Error, Result};
use crate::special::qnorm;

/// Estimated transition matrix.
#[derive(Clone, Debug)]
pub struct Transitions {
    /// Number of states.
    pub k: usize,
    /// Transition counts, row-major `k x k` (from, to).
    pub counts: Vec<f64>,
    /// Estimated probabilities (NaN for a state never observed with a successor).
    pub probability: Vec<f64>,
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
    /// Pairs of consecutive observations more than one period apart (not used).
    pub gaps: usize,
}

/// Wilson score interval for `x` successes in `n` trials.
pub fn wilson(x: f64, n: f64, z: f64) -> (f64, f64) {
    if n <= 0.0 {
        return (f64::NAN, f64::NAN);
    }
    let p = x / n;
    let z2 = z * z;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = z / (1.0 + z2 / n) * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    // At x = 0 (x = n) the lower (upper) limit is exactly 0 (1); rounding would leave a
    // tiny residue.
    let lower = if x == 0.0 {
        0.0
    } else {
        (centre - half).max(0.0)
    };
    let upper = if x == n {
        1.0
    } else {
        (centre + half).min(1.0)
    };
    (lower, upper)
}

/// Most states of a transition matrix: its four `k x k` tables of f64 then take at most
/// 512 MiB.
pub const MAX_STATES: usize = 4096;

/// Transition counts of a panel, or of a part of one that holds each of its people
/// whole: the mergeable partial state behind [`transitions`]. Two parts holding
/// different people merge by adding their counts and gaps (over the same state codes),
/// exactly, in any order; [`TransitionCounts::finish`] then gives the probabilities.
#[derive(Clone, Debug, PartialEq)]
pub struct TransitionCounts {
    /// Number of states.
    pub k: usize,
    /// Transitions, row-major `k x k` (from, to).
    pub counts: Vec<u64>,
    /// Pairs of consecutive observations more than one period apart (not used).
    pub gaps: u64,
}

impl TransitionCounts {
    /// Count the transitions of a panel. `id` and `state` are dense codes (`state < k`,
    /// `k` at most [`MAX_STATES`]), `time` integer periods. Rows may come in any order;
    /// a repeated (id, time) is an error naming both rows.
    pub fn of(id: &[u32], time: &[i64], state: &[u32], k: usize) -> Result<Self> {
        Self::of_with(id, time, state, k, &Control::default())
    }

    /// [`TransitionCounts::of`], checking `control` before the sort and every
    /// [`crate::control::CHECK_ROWS`] pairs of rows after it: once it is cancelled the
    /// count stops with [`crate::Error::Interrupted`].
    pub fn of_with(
        id: &[u32],
        time: &[i64],
        state: &[u32],
        k: usize,
        control: &Control,
    ) -> Result<Self> {
        let n = id.len();
        if time.len() != n || state.len() != n {
            return Err(Error::input(
                "time",
                "id, time and state must have the same length",
            ));
        }
        check_states(k)?;
        // Rows are numbered with u32 below.
        if u32::try_from(n).is_err() {
            return Err(Error::input(
                "id",
                format!("{n} rows is more than {}", u32::MAX),
            ));
        }
        if let Some(i) = state.iter().position(|&s| s as usize >= k) {
            return Err(Error::input_at(
                "state",
                i,
                format!("code {} is not below {k}", state[i]),
            ));
        }
        let mut order: Vec<u32> = (0..n as u32).collect();
        order.sort_unstable_by_key(|&i| (id[i as usize], time[i as usize], i));
        let mut counts = vec![0_u64; k * k];
        let mut gaps = 0;
        control.check()?;
        for (r, w) in order.windows(2).enumerate() {
            control.check_row(r)?;
            let (a, b) = (w[0] as usize, w[1] as usize);
            if id[a] != id[b] {
                continue;
            }
            if time[a] == time[b] {
                return Err(Error::input_at(
                    "time",
                    b,
                    format!(
                        "person observed twice in period {} (rows {a} and {b})",
                        time[a]
                    ),
                ));
            }
            // One period apart, compared without `time[b] - time[a]`, which can overflow.
            if time[a].checked_add(1) == Some(time[b]) {
                counts[state[a] as usize * k + state[b] as usize] += 1;
            } else {
                gaps += 1;
            }
        }
        Ok(TransitionCounts { k, counts, gaps })
    }

    /// Add the counts of `other`, a part holding other people, over the same states.
    pub fn merge(&mut self, other: &TransitionCounts) -> Result<()> {
        if other.k != self.k || other.counts.len() != self.counts.len() {
            return Err(Error::input(
                "state",
                format!(
                    "partial counts over {} and {} states do not merge; give both the same states",
                    self.k, other.k
                ),
            ));
        }
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a = a
                .checked_add(*b)
                .ok_or_else(|| Error::input("state", "a transition count is beyond 2^64 - 1"))?;
        }
        self.gaps = self
            .gaps
            .checked_add(other.gaps)
            .ok_or_else(|| Error::input("time", "the number of gaps is beyond 2^64 - 1"))?;
        Ok(())
    }

    /// Probabilities `n_ij / n_i` with Wilson score intervals at `level`.
    pub fn finish(&self, level: f64) -> Result<Transitions> {
        if !(level > 0.0 && level < 1.0) {
            return Err(Error::argument(
                "level",
                format!("must be between 0 and 1, got {level}"),
            ));
        }
        let k = self.k;
        check_states(k)?;
        if self.counts.len() != k * k {
            return Err(Error::input(
                "count",
                format!(
                    "{} counts for {k} states; expected {}",
                    self.counts.len(),
                    k * k
                ),
            ));
        }
        let counts: Vec<f64> = self.counts.iter().map(|&c| c as f64).collect();
        let z = qnorm(0.5 + level / 2.0);
        let mut probability = vec![f64::NAN; k * k];
        let mut lower = vec![f64::NAN; k * k];
        let mut upper = vec![f64::NAN; k * k];
        for i in 0..k {
            let row = &counts[i * k..(i + 1) * k];
            let total: f64 = row.iter().sum();
            if total == 0.0 {
                continue;
            }
            for j in 0..k {
                let c = row[j];
                probability[i * k + j] = c / total;
                let (lo, hi) = wilson(c, total, z);
                lower[i * k + j] = lo;
                upper[i * k + j] = hi;
            }
        }
        Ok(Transitions {
            k,
            counts,
            probability,
            lower,
            upper,
            gaps: usize::try_from(self.gaps).unwrap_or(usize::MAX),
        })
    }
}

fn check_states(k: usize) -> Result<()> {
    if k > MAX_STATES {
        return Err(Error::input(
            "state",
            format!("{k} states is more than {MAX_STATES}"),
        ));
    }
    Ok(())
}

/// Count transitions and estimate the matrix: [`TransitionCounts::of`] then
/// [`TransitionCounts::finish`]. `id` and `state` are dense codes (`state < k`, `k` at
/// most [`MAX_STATES`]), `time` integer periods. Rows may come in any order; a repeated
/// (id, time) is an error naming both rows.
pub fn transitions(
    id: &[u32],
    time: &[i64],
    state: &[u32],
    k: usize,
    level: f64,
) -> Result<Transitions> {
    if !(level > 0.0 && level < 1.0) {
        return Err(Error::argument(
            "level",
            format!("must be between 0 and 1, got {level}"),
        ));
    }
    TransitionCounts::of(id, time, state, k)?.finish(level)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_by_hand() {
        // Person 0: 0 -> 0 -> 1; person 1: 1 -> 1, then a gap; rows shuffled.
        let id = [0, 1, 0, 1, 0, 1];
        let time = [2, 1, 1, 2, 3, 5];
        let state = [0, 1, 0, 1, 1, 0];
        let t = transitions(&id, &time, &state, 2, 0.95).unwrap();
        assert_eq!(t.counts, vec![1.0, 1.0, 0.0, 1.0]);
        assert_eq!(t.probability, vec![0.5, 0.5, 0.0, 1.0]);
        assert_eq!(t.gaps, 1);
        // Wilson interval for 1 of 2 at 95 %: 0.0945 to 0.9055.
        assert!((t.lower[0] - 0.094_531).abs() < 1e-5, "{}", t.lower[0]);
        let e = transitions(&[0, 0], &[1, 1], &[0, 1], 2, 0.95)
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "column 'time', row 1: person observed twice in period 1 (rows 0 and 1)"
        );
    }

    #[test]
    fn extreme_periods_and_too_many_states() {
        // Periods i64::MIN and i64::MAX: their difference used to overflow.
        let t = transitions(&[0, 0], &[i64::MIN, i64::MAX], &[0, 1], 2, 0.95).unwrap();
        assert_eq!((t.counts.iter().sum::<f64>(), t.gaps), (0.0, 1));
        // k x k used to overflow (or exhaust memory) before anything was checked.
        let e = transitions(&[0], &[1], &[0], usize::MAX, 0.95).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!("column 'state': {} states is more than 4096", usize::MAX)
        );
    }

    #[test]
    fn parts_holding_different_people_merge_to_the_whole() {
        // People 0..6 over periods 0..5 (odd people miss period 2: one gap each), cut
        // into three parts by person in every way, merged in several orders.
        let (mut id, mut time, mut state) = (Vec::new(), Vec::new(), Vec::new());
        for p in 0..6_u32 {
            for t in 0..5_i64 {
                if p % 2 == 1 && t == 2 {
                    continue;
                }
                id.push(p);
                time.push(t);
                state.push((p * 7 + t as u32 * 3) % 3);
            }
        }
        let whole = TransitionCounts::of(&id, &time, &state, 3).unwrap();
        let part = |lo: u32, hi: u32| {
            let rows: Vec<usize> = (0..id.len())
                .filter(|&i| id[i] >= lo && id[i] < hi)
                .collect();
            let ids: Vec<u32> = rows.iter().map(|&i| id[i]).collect();
            let times: Vec<i64> = rows.iter().map(|&i| time[i]).collect();
            let states: Vec<u32> = rows.iter().map(|&i| state[i]).collect();
            TransitionCounts::of(&ids, &times, &states, 3).unwrap()
        };
        for a in 0..=6 {
            for b in a..=6 {
                let parts = [part(0, a), part(a, b), part(b, 6)];
                for order in [[0, 1, 2], [2, 0, 1], [1, 2, 0]] {
                    let mut m = parts[order[0]].clone();
                    m.merge(&parts[order[1]]).unwrap();
                    m.merge(&parts[order[2]]).unwrap();
                    assert_eq!(m, whole);
                }
            }
        }
        assert_eq!(whole.gaps, 3);
        assert_eq!(whole.counts.iter().sum::<u64>(), 3 * 4 + 3 * 2);
        let t = whole.finish(0.95).unwrap();
        let direct = transitions(&id, &time, &state, 3, 0.95).unwrap();
        assert_eq!(
            (t.counts, t.lower, t.gaps),
            (direct.counts, direct.lower, direct.gaps)
        );
        let mut other = TransitionCounts::of(&[0], &[0], &[0], 1).unwrap();
        assert!(other.merge(&whole).is_err());
        assert!(whole.finish(1.0).is_err());
    }
}
