//! Episode splitting, as R's `survSplit` (and `tmerge` for states that change): each
//! spell (start, stop] becomes pieces (start, c₁], (c₁, c₂], …, (c_m, stop] at the cut
//! times and state changes strictly inside it; the event stays on the last piece.
//!
//! Only the row arithmetic is here: for each output row the source row, its start,
//! stop, event code, episode number and the change in force. The caller gathers the
//! other columns by the source row.

use crate::error::{Error, Result};

/// No state change in force on a piece (before the person's first change).
pub const NO_STATE: i64 = -1;

/// Bytes of the arrays [`split_episodes`] returns, per output row.
pub const BYTES_PER_ROW: usize = 8 + 8 + 8 + 4 + 4 + 8;

/// The pieces of split spells, one entry per output row, in source row order and
/// time order within a row.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Episodes {
    /// Source row of each piece.
    pub row: Vec<u64>,
    /// Start of the piece (exclusive).
    pub start: Vec<f64>,
    /// Stop of the piece (inclusive).
    pub stop: Vec<f64>,
    /// The source row's event code on its last piece, 0 (censored) on the others.
    pub event: Vec<u32>,
    /// 1 + the number of cut times at or before the piece's start (R's `episode`).
    pub episode: Vec<u32>,
    /// Row of the state-change table in force on the piece (the person's last change
    /// at or before its start), or [`NO_STATE`].
    pub state: Vec<i64>,
}

/// State changes of persons: `id[j]` (a person code, as the spells' `id`) takes a new
/// state at `time[j]`.
#[derive(Debug, Clone, Copy)]
pub struct Changes<'a> {
    /// Person code of each spell (data row).
    pub row_id: &'a [u32],
    /// Person code of each change.
    pub id: &'a [u32],
    /// Time of each change, on the scale of the spells' times.
    pub time: &'a [f64],
    /// Number of person codes (every code is below it).
    pub n_ids: usize,
}

/// Split each spell (start_i, stop_i] (start 0 without `entry`) at the `cuts` and at
/// its person's change times that lie strictly inside it.
///
/// Conventions (those of `survSplit` and of `tmerge`'s time-dependent covariates):
/// a cut or change at or before the start, or at or after the stop, does not split the
/// spell; the pieces are (t_k, t_{k+1}] so the event (`event[i]`, any code) stays on
/// the last piece and the others are censored (0); `episode` is 1 + the number of cuts
/// at or before the piece's start; the state on a piece is the person's last change at
/// or before the piece's start (a change at time c governs (c, …], so a change exactly
/// at the start governs the whole first piece and one exactly at the stop none of it).
///
/// Checks: `cuts` finite, >= 0 and strictly increasing; durations finite and >= 0;
/// entry finite and before the duration; change times finite, ids below `n_ids`, a
/// person's change times distinct, and every changed person with a spell. The output
/// size (sum of pieces) is counted with checked arithmetic and refused when
/// `rows × (BYTES_PER_ROW + row_bytes)` exceeds `max_memory`, before allocating.
///
/// Reference: Therneau TM, Crowson C, Atkinson E (2024) Using time dependent
/// covariates and time dependent coefficients in the Cox model, vignette of R's
/// `survival` package.
pub fn split_episodes(
    time: &[f64],
    event: &[u32],
    entry: Option<&[f64]>,
    cuts: &[f64],
    changes: Option<Changes<'_>>,
    row_bytes: usize,
    max_memory: usize,
) -> Result<Episodes> {
    let n = time.len();
    crate::validate::same_len(n, event.len(), "duration", "event")?;
    for (i, &c) in cuts.iter().enumerate() {
        if !(c.is_finite() && c >= 0.0) {
            return Err(Error::argument_at(
                "cut",
                i,
                format!("{c} is not a finite time >= 0"),
            ));
        }
        if i > 0 && c <= cuts[i - 1] {
            return Err(Error::argument_at(
                "cut",
                i,
                format!(
                    "{c} does not follow {}: cut times must be strictly increasing (sorted, no duplicates)",
                    cuts[i - 1]
                ),
            ));
        }
    }
    for (i, &t) in time.iter().enumerate() {
        if !(t.is_finite() && t >= 0.0) {
            return Err(Error::input_at(
                "duration",
                i,
                format!("{t} is not a finite duration >= 0"),
            ));
        }
    }
    if let Some(e) = entry {
        crate::validate::same_len(n, e.len(), "duration", "entry")?;
        for i in 0..n {
            if !e[i].is_finite() {
                return Err(Error::input_at(
                    "entry",
                    i,
                    format!("{} is not a finite time", e[i]),
                ));
            }
            if e[i] >= time[i] {
                return Err(Error::input_at(
                    "entry",
                    i,
                    format!(
                        "entry {} is not before the exit time {}; a spell is (entry, exit]",
                        e[i], time[i]
                    ),
                ));
            }
        }
    }
    let start_of = |i: usize| entry.map_or(0.0, |e| e[i]);
    // Each person's changes, sorted by time: offsets into `order` by person code.
    let by_person = match changes {
        Some(c) => Some(index_changes(c, n)?),
        None => None,
    };
    let times_of = |i: usize| -> &[f64] {
        match (&by_person, changes) {
            (Some(p), Some(c)) => {
                let id = c.row_id[i] as usize;
                &p.times[p.offset[id]..p.offset[id + 1]]
            }
            _ => &[],
        }
    };
    // Pass 1: count the pieces, checked.
    let mut total: usize = 0;
    for i in 0..n {
        let (a, b) = (start_of(i), time[i]);
        let pieces = 1 + inside(cuts, a, b).len() + inside(times_of(i), a, b).len();
        total = total.checked_add(pieces).ok_or_else(too_many)?;
    }
    let need = BYTES_PER_ROW
        .checked_add(row_bytes)
        .and_then(|b| b.checked_mul(total));
    match need {
        Some(bytes) if bytes <= max_memory => {}
        _ => {
            let want = need.map_or("more than the address space".to_string(), |b| {
                format!("about {}", size(b))
            });
            return Err(Error::argument(
                "cut",
                format!(
                    "splitting {n} rows makes {total} rows, which would need {want} of memory, \
                     over the budget of {} (HRH_MAX_MEMORY): use fewer cut times or \
                     split a subset of the rows",
                    size(max_memory)
                ),
            ));
        }
    }
    // Pass 2: fill.
    let mut out = Episodes {
        row: Vec::with_capacity(total),
        start: Vec::with_capacity(total),
        stop: Vec::with_capacity(total),
        event: Vec::with_capacity(total),
        episode: Vec::with_capacity(total),
        state: Vec::with_capacity(if changes.is_some() { total } else { 0 }),
    };
    for i in 0..n {
        let (a, b) = (start_of(i), time[i]);
        let ct = inside(cuts, a, b);
        let own = times_of(i);
        let st = inside(own, a, b);
        // Merge the two sorted lists of split times (equal times split once).
        let (mut x, mut y) = (0, 0);
        let mut lo = a;
        loop {
            let next = match (ct.get(x), st.get(y)) {
                (Some(&c), Some(&s)) => {
                    if c <= s {
                        x += 1;
                    }
                    if s <= c {
                        y += 1;
                    }
                    c.min(s)
                }
                (Some(&c), None) => {
                    x += 1;
                    c
                }
                (None, Some(&s)) => {
                    y += 1;
                    s
                }
                (None, None) => b,
            };
            let last = next == b;
            out.row.push(i as u64);
            out.start.push(lo);
            out.stop.push(next);
            out.event.push(if last { event[i] } else { 0 });
            // Cuts at or before lo: survSplit's findInterval(start, cut) + 1.
            out.episode
                .push(1 + cuts.partition_point(|&c| c <= lo) as u32);
            if let (Some(p), Some(c)) = (&by_person, changes) {
                let id = c.row_id[i] as usize;
                let k = own.partition_point(|&t| t <= lo);
                out.state.push(if k == 0 {
                    NO_STATE
                } else {
                    p.row[p.offset[id] + k - 1] as i64
                });
            }
            if last {
                break;
            }
            lo = next;
        }
    }
    Ok(out)
}

/// Bytes in MiB below a GiB, else in GiB.
fn size(bytes: usize) -> String {
    let b = bytes as f64;
    if b < f64::from(1u32 << 30) {
        format!("{:.1} MiB", b / f64::from(1u32 << 20))
    } else {
        format!("{:.1} GiB", b / f64::from(1u32 << 30))
    }
}

fn too_many() -> Error {
    Error::argument(
        "cut",
        "the split would make more rows than the address space holds",
    )
}

/// The values of sorted `v` strictly inside (a, b).
fn inside(v: &[f64], a: f64, b: f64) -> &[f64] {
    let lo = v.partition_point(|&c| c <= a);
    let hi = v.partition_point(|&c| c < b).max(lo);
    &v[lo..hi]
}

/// Changes grouped by person and sorted by time.
struct ByPerson {
    offset: Vec<usize>,
    times: Vec<f64>,
    row: Vec<usize>,
}

fn index_changes(c: Changes<'_>, n: usize) -> Result<ByPerson> {
    let m = c.id.len();
    crate::validate::same_len(m, c.time.len(), "id", "time")?;
    crate::validate::same_len(n, c.row_id.len(), "duration", "id")?;
    if let Some(i) = c.row_id.iter().position(|&g| g as usize >= c.n_ids) {
        return Err(Error::input_at(
            "id",
            i,
            format!("person code {} is not below {}", c.row_id[i], c.n_ids),
        ));
    }
    let mut has_spell = vec![false; c.n_ids];
    for &g in c.row_id {
        has_spell[g as usize] = true;
    }
    for j in 0..m {
        let g = c.id[j] as usize;
        if g >= c.n_ids || !has_spell[g] {
            return Err(Error::input_at(
                "changes",
                j,
                "a state change of a person who has no spell in the data",
            ));
        }
        if !c.time[j].is_finite() {
            return Err(Error::input_at(
                "changes",
                j,
                format!("change time {} is not a finite number", c.time[j]),
            ));
        }
    }
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| c.id[a].cmp(&c.id[b]).then(c.time[a].total_cmp(&c.time[b])));
    for w in order.windows(2) {
        if c.id[w[0]] == c.id[w[1]] && c.time[w[0]] == c.time[w[1]] {
            let (a, b) = (w[0].min(w[1]), w[0].max(w[1]));
            return Err(Error::input_at(
                "changes",
                b,
                format!(
                    "a second change of the same person at time {} (also row {a}): which state holds is ambiguous",
                    c.time[b]
                ),
            ));
        }
    }
    let mut offset = vec![0usize; c.n_ids + 1];
    for &g in c.id {
        offset[g as usize + 1] += 1;
    }
    for k in 0..c.n_ids {
        offset[k + 1] += offset[k];
    }
    Ok(ByPerson {
        offset,
        times: order.iter().map(|&j| c.time[j] + 0.0).collect(),
        row: order,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const BIG: usize = 1 << 30;

    #[test]
    fn cuts_as_survsplit() {
        // survSplit(Surv(st, t, s) ~ ., cut = c(2, 4, 6), episode = "ep").
        let r = split_episodes(
            &[5.0, 10.0, 3.0],
            &[1, 0, 1],
            Some(&[0.0, 2.0, 0.0]),
            &[2.0, 4.0, 6.0],
            None,
            0,
            BIG,
        )
        .unwrap();
        assert_eq!(r.row, vec![0, 0, 0, 1, 1, 1, 2, 2]);
        assert_eq!(r.start, vec![0.0, 2.0, 4.0, 2.0, 4.0, 6.0, 0.0, 2.0]);
        assert_eq!(r.stop, vec![2.0, 4.0, 5.0, 4.0, 6.0, 10.0, 2.0, 3.0]);
        assert_eq!(r.event, vec![0, 0, 1, 0, 0, 0, 0, 1]);
        assert_eq!(r.episode, vec![1, 2, 3, 2, 3, 4, 1, 2]);
        assert!(r.state.is_empty());
    }

    #[test]
    fn state_changes_with_cuts() {
        // Person 0: spells (0, 5] and (5, 9]; changes at 0 (state row 2), 3 (row 0),
        // 5 (row 1, exactly a stop and a start). Person 1: change at 7 after its spell.
        let ch = Changes {
            row_id: &[0, 0, 1],
            id: &[0, 0, 0, 1],
            time: &[3.0, 5.0, 0.0, 7.0],
            n_ids: 2,
        };
        let r = split_episodes(
            &[5.0, 9.0, 4.0],
            &[0, 2, 1],
            Some(&[0.0, 5.0, 0.0]),
            &[3.0, 6.0],
            Some(ch),
            0,
            BIG,
        )
        .unwrap();
        assert_eq!(r.row, vec![0, 0, 1, 1, 2, 2]);
        assert_eq!(r.start, vec![0.0, 3.0, 5.0, 6.0, 0.0, 3.0]);
        assert_eq!(r.stop, vec![3.0, 5.0, 6.0, 9.0, 3.0, 4.0]);
        assert_eq!(r.event, vec![0, 0, 0, 2, 0, 1]);
        assert_eq!(r.episode, vec![1, 2, 2, 3, 1, 2]);
        assert_eq!(r.state, vec![2, 0, 1, 1, NO_STATE, NO_STATE]);
    }

    #[test]
    fn bad_input() {
        let msg = |r: Result<Episodes>| r.unwrap_err().to_string();
        let t = [5.0, 3.0];
        let e = [1, 0];
        let m = msg(split_episodes(&t, &e, None, &[2.0, 1.0], None, 0, BIG));
        assert!(
            m.starts_with("argument 'cut', item 1: 1 does not follow 2"),
            "{m}"
        );
        let m = msg(split_episodes(&t, &e, None, &[2.0, 2.0], None, 0, BIG));
        assert!(m.contains("strictly increasing"), "{m}");
        let m = msg(split_episodes(&t, &e, None, &[-1.0], None, 0, BIG));
        assert!(
            m.starts_with("argument 'cut', item 0: -1 is not a finite time"),
            "{m}"
        );
        let m = msg(split_episodes(&t, &e, None, &[f64::NAN], None, 0, BIG));
        assert!(m.contains("NaN is not a finite time"), "{m}");
        let m = msg(split_episodes(
            &t,
            &e,
            Some(&[0.0, 3.0]),
            &[1.0],
            None,
            0,
            BIG,
        ));
        assert!(
            m.starts_with("column 'entry', row 1: entry 3 is not before"),
            "{m}"
        );
        let m = msg(split_episodes(&t, &e, None, &[1.0, 2.0], None, 0, 100));
        assert!(
            m.contains("makes 6 rows, which would need about 0.0 MiB"),
            "{m}"
        );
        let ch = Changes {
            row_id: &[0, 0],
            id: &[0, 1],
            time: &[1.0, 1.0],
            n_ids: 2,
        };
        let m = msg(split_episodes(&t, &e, None, &[], Some(ch), 0, BIG));
        assert!(
            m.starts_with("column 'changes', row 1: a state change of a person"),
            "{m}"
        );
        let ch = Changes {
            row_id: &[0, 0],
            id: &[0, 0, 0],
            time: &[1.0, 2.0, 1.0],
            n_ids: 1,
        };
        let m = msg(split_episodes(&t, &e, None, &[], Some(ch), 0, BIG));
        assert!(
            m.starts_with("column 'changes', row 2: a second change"),
            "{m}"
        );
    }
}
