//! Risk tables from counted rows: the mergeable partial state of survival data read in
//! parts. Each part is reduced to the number of people per (cell, duration, exit or
//! not); counts of the same key from different parts add up exactly, and the risk
//! tables built from the sums are those of the rows they count.

use super::competing::{from_risk_table, merged, CumulativeIncidence};
use super::logrank::{check_group_count, from_tables, LogRank, Weights, MAX_GROUPS};
use super::RiskTable;
use crate::error::{Error, Result};
use crate::validate;

/// One risk table per cell from counted rows: `count[i]` people of cell `cell[i]`
/// (below `n_cells`) with duration `time[i]`, who exited there (`exit[i]`) or were
/// censored. Keys may repeat and come in any order. The tables equal those that
/// [`tally::risk_tables`](super::tally::risk_tables) gives for the rows themselves.
pub fn risk_tables_from_counts(
    cell: &[u32],
    n_cells: usize,
    time: &[f64],
    exit: &[bool],
    count: &[u64],
) -> Result<Vec<RiskTable>> {
    let n = time.len();
    validate::same_len(n, exit.len(), "duration", "event")?;
    validate::same_len(n, count.len(), "duration", "count")?;
    validate::same_len(n, cell.len(), "duration", "by")?;
    for i in 0..n {
        if cell[i] as usize >= n_cells {
            return Err(Error::input_at(
                "by",
                i,
                format!("code {} is not below {n_cells}", cell[i]),
            ));
        }
        if !(time[i].is_finite() && time[i] >= 0.0) {
            return Err(Error::input_at(
                "duration",
                i,
                format!("value {} is not a finite number >= 0", time[i]),
            ));
        }
        if count[i] == 0 {
            return Err(Error::input_at("count", i, "a count of 0"));
        }
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_unstable_by(|&a, &b| cell[a].cmp(&cell[b]).then(time[a].total_cmp(&time[b])));
    let mut tables = vec![RiskTable::default(); n_cells];
    let mut p = 0;
    while p < n {
        let c = cell[order[p]];
        let mut q = p;
        while q < n && cell[order[q]] == c {
            q += 1;
        }
        let rows = &order[p..q];
        let total: u64 = rows.iter().map(|&i| count[i]).sum();
        let t = &mut tables[c as usize];
        let mut before = 0u64;
        let mut a = 0;
        while a < rows.len() {
            let d = time[rows[a]];
            let (mut here, mut exits) = (0u64, 0u64);
            while a < rows.len() && time[rows[a]] == d {
                here += count[rows[a]];
                exits += if exit[rows[a]] { count[rows[a]] } else { 0 };
                a += 1;
            }
            t.time.push(d);
            t.at_risk.push((total - before) as f64);
            t.events.push(exits as f64);
            t.censored.push((here - exits) as f64);
            t.event_count.push(exits as usize);
            before += here;
        }
        p = q;
    }
    for t in &mut tables {
        t.events_by_cause = vec![t.events.clone()];
    }
    Ok(tables)
}

/// The weighted log-rank test (as [`logrank_weighted`](super::logrank::logrank_weighted))
/// from counted rows of `n_groups` groups in `n_strata` strata: `cell` = stratum ×
/// `n_groups` + group.
pub fn logrank_counts(
    cell: &[u32],
    n_groups: usize,
    n_strata: usize,
    time: &[f64],
    exit: &[bool],
    count: &[u64],
    weights: Weights,
) -> Result<LogRank> {
    weights.check()?;
    if n_groups < 2 {
        return Err(Error::input(
            "group",
            "needs at least two groups to compare",
        ));
    }
    check_group_count(n_groups, MAX_GROUPS, "the log-rank test")?;
    let Some(cells) = n_groups.checked_mul(n_strata) else {
        return Err(Error::input("strata", "too many strata times groups"));
    };
    let budget = (4 * time.len()).max(1 << 16);
    if cells > budget {
        return Err(Error::input(
            "group",
            format!("{n_groups} groups in {n_strata} strata make {cells} risk tables, more than {budget} for {} counted rows", time.len()),
        ));
    }
    let tables = risk_tables_from_counts(cell, cells, time, exit, count)?;
    from_tables(&tables, n_groups, weights)
}

/// Aalen-Johansen cumulative incidence of causes `1..=n_causes` in each of `n_groups`
/// groups (as [`cumulative_incidence_counted`](super::competing::cumulative_incidence_counted))
/// from counted rows: `count[i]` people of cell `cell[i]` = group × (`n_causes` + 1) +
/// cause (cause 0: censored) with duration `time[i]`. The risk tables, and so the
/// curves, are those of the rows counted.
pub fn cumulative_incidence_counts(
    cell: &[u32],
    n_groups: usize,
    n_causes: usize,
    time: &[f64],
    count: &[u64],
    level: f64,
) -> Result<Vec<CumulativeIncidence>> {
    validate::level(level)?;
    if n_groups == 0 {
        return Err(Error::input("by", "needs at least one group"));
    }
    let states = n_causes
        .checked_add(1)
        .ok_or_else(|| Error::input("cause", "too many causes"))?;
    let Some(cells) = n_groups.checked_mul(states) else {
        return Err(Error::input("by", "too many groups times causes"));
    };
    let budget = (4 * time.len()).max(1 << 16);
    if cells > budget {
        return Err(Error::input(
            "by",
            format!(
                "{n_groups} groups with {n_causes} causes make {cells} risk tables, more than {budget} for {} counted rows",
                time.len()
            ),
        ));
    }
    let exit: Vec<bool> = cell.iter().map(|&c| c as usize % states != 0).collect();
    let tables = risk_tables_from_counts(cell, cells, time, &exit, count)?;
    tables
        .chunks(states)
        .map(|parts| from_risk_table(merged(parts), n_causes, level))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attrition::competing::cumulative_incidence_counted;
    use crate::attrition::logrank::logrank_weighted;

    #[test]
    fn counted_rows_give_the_incidence_of_the_rows() {
        let mut x = 0x2545_F491_4F6C_DD1D_u64;
        let mut next = |m: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % m
        };
        let (n, causes, groups) = (4000, 3usize, 3usize);
        let (mut time, mut cause, mut group) = (vec![], vec![], vec![]);
        for _ in 0..n {
            time.push(next(40) as f64 / 4.0);
            cause.push(next(causes as u64 + 1) as u32);
            group.push(next(groups as u64) as u32);
        }
        let rows = cumulative_incidence_counted(&time, &cause, &group, groups, causes, 0.9)
            .unwrap()
            .unwrap();
        // Counted in reverse order, in two parts whose keys repeat.
        let mut counted: std::collections::BTreeMap<(u32, u64), u64> = Default::default();
        let mut keys = vec![];
        for i in (0..n).rev() {
            let cell = group[i] * (causes as u32 + 1) + cause[i];
            *counted.entry((cell, time[i].to_bits())).or_default() += 1;
            if i == n / 3 {
                keys.extend(std::mem::take(&mut counted));
            }
        }
        keys.extend(counted);
        let cell: Vec<u32> = keys.iter().map(|k| k.0 .0).collect();
        let t: Vec<f64> = keys.iter().map(|k| f64::from_bits(k.0 .1)).collect();
        let c: Vec<u64> = keys.iter().map(|k| k.1).collect();
        let got = cumulative_incidence_counts(&cell, groups, causes, &t, &c, 0.9).unwrap();
        assert_eq!(got, rows);
        let e = cumulative_incidence_counts(&[9], 1, 1, &[1.0], &[1], 0.9).unwrap_err();
        assert!(e.to_string().contains("not below 2"), "{e}");
        let e = cumulative_incidence_counts(&[1], 1, 1, &[f64::NAN], &[1], 0.9).unwrap_err();
        assert!(e.to_string().contains("duration"), "{e}");
    }

    #[test]
    fn counted_rows_give_the_test_of_the_rows() {
        // Rows with ties in time and across groups and strata.
        let mut x = 0x9E37_79B9_7F4A_7C15_u64;
        let mut next = |m: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % m
        };
        let n = 5000;
        let (mut time, mut event, mut group, mut strata) = (vec![], vec![], vec![], vec![]);
        for _ in 0..n {
            time.push(next(60) as f64 / 4.0);
            event.push(u32::from(next(3) > 0));
            group.push(next(3) as u32);
            strata.push(next(2) as u32);
        }
        for weights in [
            Weights::LogRank,
            Weights::GehanBreslow,
            Weights::FlemingHarrington { p: 1.0, q: 0.5 },
        ] {
            let rows =
                logrank_weighted(&time, &event, &group, 3, Some((&strata, 2)), weights).unwrap();
            // Count the rows by key, in reverse order and in two parts with repeated keys.
            let mut counted: std::collections::BTreeMap<(u32, u64, bool), u64> = Default::default();
            let mut keys = vec![];
            for i in (0..n).rev() {
                let key = (strata[i] * 3 + group[i], time[i].to_bits(), event[i] == 1);
                *counted.entry(key).or_default() += 1;
                if i == n / 2 {
                    keys.extend(std::mem::take(&mut counted));
                }
            }
            keys.extend(counted);
            let cell: Vec<u32> = keys.iter().map(|k| k.0 .0).collect();
            let t: Vec<f64> = keys.iter().map(|k| f64::from_bits(k.0 .1)).collect();
            let e: Vec<bool> = keys.iter().map(|k| k.0 .2).collect();
            let c: Vec<u64> = keys.iter().map(|k| k.1).collect();
            let got = logrank_counts(&cell, 3, 2, &t, &e, &c, weights).unwrap();
            assert_eq!(got, rows);
        }
        let e = risk_tables_from_counts(&[0], 1, &[1.0], &[true], &[0]).unwrap_err();
        assert!(e.to_string().contains("a count of 0"), "{e}");
    }
}
