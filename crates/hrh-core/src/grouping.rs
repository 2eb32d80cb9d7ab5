//! Rows of each group, from dense group codes (one per row, numbered 0..n_groups by the
//! caller, e.g. from polars' codes of the `by` keys), checked once here for every
//! function that works group by group.

use rayon::prelude::*;

use crate::control::Control;
use crate::error::{Error, Result};

/// Row indices of each group code, in row order within a group. The codes are checked:
/// one per row (`rows`), each below `n_groups`, and no more groups than rows (a code
/// out of range would drop its rows silently). Errors name the column `by`.
pub fn group_rows(group: &[u32], n_groups: usize, rows: usize) -> Result<Vec<Vec<usize>>> {
    if group.len() != rows {
        return Err(Error::input(
            "by",
            format!("{} group codes for {rows} rows", group.len()),
        ));
    }
    if let Some(row) = group.iter().position(|&g| g as usize >= n_groups) {
        return Err(Error::input_at(
            "by",
            row,
            format!("group code {} is not below {n_groups}", group[row]),
        ));
    }
    if n_groups > rows.max(1) {
        return Err(Error::input(
            "by",
            format!("{n_groups} groups for {rows} rows"),
        ));
    }
    let mut out = vec![Vec::new(); n_groups];
    for (i, &g) in group.iter().enumerate() {
        out[g as usize].push(i);
    }
    Ok(out)
}

/// `f` on the row indices of each group, in parallel, results in group order; `control`
/// is checked between groups (and a cancelled run returns [`Error::Interrupted`]). When
/// several groups fail, the error is that of the first of them, whatever the threads.
pub fn map_groups<T: Send>(
    group: &[u32],
    n_groups: usize,
    rows: usize,
    control: Option<&Control>,
    f: impl Fn(&[usize]) -> Result<T> + Sync,
) -> Result<Vec<T>> {
    let groups = group_rows(group, n_groups, rows)?;
    if let Some(c) = control {
        c.set_total(n_groups as u64);
    }
    groups
        .par_iter()
        .map(|rows| {
            if let Some(c) = control {
                c.check()?;
            }
            let r = f(rows);
            if let Some(c) = control {
                c.add(1);
            }
            r
        })
        .collect::<Vec<Result<T>>>()
        .into_iter()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_of_each_code() {
        let g = group_rows(&[1, 0, 1, 2], 3, 4).unwrap();
        assert_eq!(g, vec![vec![1], vec![0, 2], vec![3]]);
    }

    #[test]
    fn bad_codes_are_input_errors() {
        let e = group_rows(&[0, 1, 5], 2, 3).unwrap_err();
        assert_eq!(
            e.to_string(),
            "column 'by', row 2: group code 5 is not below 2"
        );
        let e = group_rows(&[0, 1, 1], 9, 3).unwrap_err();
        assert_eq!(e.to_string(), "column 'by': 9 groups for 3 rows");
        let e = group_rows(&[0, 1], 2, 3).unwrap_err();
        assert_eq!(e.to_string(), "column 'by': 2 group codes for 3 rows");
    }

    #[test]
    fn map_groups_keeps_group_order_and_stops_when_cancelled() {
        let g = [2, 0, 1, 0];
        let sums = map_groups(&g, 3, 4, None, |r| Ok(r.iter().sum::<usize>())).unwrap();
        assert_eq!(sums, vec![4, 2, 0]);
        let c = Control::default();
        c.cancel();
        let e = map_groups(&g, 3, 4, Some(&c), |r| Ok(r.len())).unwrap_err();
        assert_eq!(e, Error::Interrupted);
    }
}
