//! Many inequality measures for many groups of units in one call, with bootstrap
//! intervals: the engine behind `hrh.equity`.

use rayon::prelude::*;

use super::bootstrap::{percentile_intervals, replicates_with};
use super::gini::gini;
use super::theil::{atkinson, cv, theil, Reference, TheilKind};
use super::{check_groups, Distribution};
use crate::control::Control;
use crate::error::{Error, Location, Result};
use crate::validate;

/// A measure of [`equity_table`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Measure {
    /// Weighted Gini.
    Gini,
    /// Theil T (with between/within parts when groups are given).
    TheilT,
    /// Theil L (with between/within parts when groups are given).
    TheilL,
    /// Atkinson index with the given ε.
    Atkinson(f64),
    /// Coefficient of variation (ddof 0).
    Cv,
}

impl Measure {
    fn name(&self) -> &'static str {
        match self {
            Measure::Gini => "gini",
            Measure::TheilT => "theil_t",
            Measure::TheilL => "theil_l",
            Measure::Atkinson(_) => "atkinson",
            Measure::Cv => "cv",
        }
    }
}

/// Estimates (and intervals) per group of units; row `g` belongs to group code `g`.
#[derive(Debug, Clone, PartialEq)]
pub struct EquityTable {
    /// Statistic names, e.g. `gini`, `theil_t`, `theil_t_between`, `theil_t_within`,
    /// `theil_t_between_share`.
    pub columns: Vec<String>,
    /// Estimates, one row per group.
    pub estimate: Vec<Vec<f64>>,
    /// Lower percentile limits (empty without bootstrap).
    pub lower: Vec<Vec<f64>>,
    /// Upper percentile limits (empty without bootstrap).
    pub upper: Vec<Vec<f64>>,
    /// Bootstrap replicates kept per group (0 without bootstrap).
    pub replicates: Vec<usize>,
}

fn columns(measures: &[Measure], decompose: bool) -> Vec<String> {
    let mut out = Vec::new();
    for m in measures {
        out.push(m.name().to_string());
        if decompose && matches!(m, Measure::TheilT | Measure::TheilL) {
            for part in ["between", "within", "between_share"] {
                out.push(format!("{}_{part}", m.name()));
            }
        }
    }
    out
}

fn compute(
    d: &Distribution,
    groups: Option<(&[u32], usize)>,
    measures: &[Measure],
) -> Result<Vec<f64>> {
    let mut out = Vec::new();
    for m in measures {
        match *m {
            Measure::Gini => out.push(gini(d, false, true)?),
            Measure::TheilT | Measure::TheilL => {
                let kind = if *m == Measure::TheilT {
                    TheilKind::T
                } else {
                    TheilKind::L
                };
                let t = theil(d, kind, Reference::Weighted, std::f64::consts::E, groups)?;
                out.push(t.total);
                if groups.is_some() {
                    out.push(t.between);
                    out.push(t.within);
                    out.push(if t.total > 0.0 {
                        t.between / t.total
                    } else {
                        f64::NAN
                    });
                }
            }
            Measure::Atkinson(e) => out.push(atkinson(d, e)?),
            Measure::Cv => out.push(cv(d, 0.0)?),
        }
    }
    // Every column is >= 0 by definition (the Theil parts about the weighted mean
    // included); a resample of equal levels gives rounding noise such as -1.1e-16, and
    // -0.0, which print as "-0.0000". Both become 0; NaN stays.
    for v in &mut out {
        if *v <= 0.0 {
            *v = 0.0;
        }
    }
    Ok(out)
}

/// Estimate, lower, upper and replicates kept, for one group.
type GroupResult = (Vec<f64>, Vec<f64>, Vec<f64>, usize);

/// Relabel a row-level error of a subset with the row of the full input.
fn relabel(err: Error, rows: &[usize]) -> Error {
    match err {
        Error::Input {
            location:
                Location {
                    column,
                    row: Some(r),
                    subject,
                },
            message,
        } => Error::Input {
            location: Location {
                column,
                row: rows.get(r).copied(),
                subject,
            },
            message,
        },
        other => other,
    }
}

/// Most bootstrap replicates (each is kept until its group's intervals are taken).
pub const MAX_REPLICATES: usize = 1_000_000;

/// For each group `by[i]` in `0..n_by` of units, the `measures` of the distribution of
/// `values` weighted by `weights`; with `groups`, Theil's between/within parts over the
/// subgroups; with `bootstrap > 0`, percentile intervals at `level` from resampling the
/// units of each group with replacement (replicate `b` of group `g` uses the random
/// stream `(seed, g·2³² + b)`; identical for any number of threads).
#[allow(clippy::too_many_arguments)]
pub fn equity_table(
    values: &[f64],
    weights: &[f64],
    by: &[u32],
    n_by: usize,
    groups: Option<(&[u32], usize)>,
    measures: &[Measure],
    bootstrap: usize,
    level: f64,
    seed: u64,
) -> Result<EquityTable> {
    let control = Control::default();
    let opts = (bootstrap, level, seed);
    equity_table_with(values, weights, by, n_by, groups, measures, opts, &control)
}

/// [`equity_table`] with `(bootstrap, level, seed)`, reporting its progress (in
/// replicates) to `control` and stopping with [`Error::Interrupted`] when asked to.
#[allow(clippy::too_many_arguments)]
pub fn equity_table_with(
    values: &[f64],
    weights: &[f64],
    by: &[u32],
    n_by: usize,
    groups: Option<(&[u32], usize)>,
    measures: &[Measure],
    (bootstrap, level, seed): (usize, f64, u64),
    control: &Control,
) -> Result<EquityTable> {
    validate::same_len(values.len(), weights.len(), "values", "weights")?;
    validate::non_negative(values, "values")?;
    validate::positive(weights, "weights")?;
    check_groups(by, values.len(), n_by)?;
    if let Some((g, n)) = groups {
        check_groups(g, values.len(), n)?;
    }
    if bootstrap > 0 {
        validate::level(level)?;
    }
    if bootstrap > MAX_REPLICATES {
        return Err(Error::argument(
            "bootstrap",
            format!("{bootstrap} replicates is more than {MAX_REPLICATES}"),
        ));
    }
    let mut rows: Vec<Vec<usize>> = vec![Vec::new(); n_by];
    for (i, &b) in by.iter().enumerate() {
        rows[b as usize].push(i);
    }
    let cols = columns(measures, groups.is_some());
    let k = cols.len();
    control.set_total((bootstrap as u64).saturating_mul(n_by as u64));
    let results: Vec<Result<GroupResult>> = rows
        .par_iter()
        .enumerate()
        .map(|(g, idx)| {
            if idx.is_empty() {
                return Err(Error::input("by", format!("group code {g} has no units")));
            }
            let v: Vec<f64> = idx.iter().map(|&i| values[i]).collect();
            let w: Vec<f64> = idx.iter().map(|&i| weights[i]).collect();
            let d = Distribution::new(&v, Some(&w)).map_err(|e| relabel(e, idx))?;
            let sub: Option<Vec<u32>> = groups.map(|(gc, _)| idx.iter().map(|&i| gc[i]).collect());
            let sub_groups = sub.as_deref().zip(groups.map(|(_, n)| n));
            let est = compute(&d, sub_groups, measures).map_err(|e| relabel(e, idx))?;
            if bootstrap == 0 {
                return Ok((est, Vec::new(), Vec::new(), 0));
            }
            let stat = |r: &[usize]| {
                let dr = d.subset(r)?;
                let gr: Option<Vec<u32>> = sub.as_ref().map(|s| r.iter().map(|&i| s[i]).collect());
                compute(&dr, gr.as_deref().zip(groups.map(|(_, n)| n)), measures).ok()
            };
            let reps = replicates_with(idx.len(), bootstrap, seed, (g as u64) << 32, stat, control);
            control.check()?;
            let (lo, hi) = percentile_intervals(&reps, k, level)?;
            Ok((est, lo, hi, reps.len()))
        })
        .collect();
    let mut table = EquityTable {
        columns: cols,
        estimate: Vec::with_capacity(n_by),
        lower: Vec::new(),
        upper: Vec::new(),
        replicates: Vec::with_capacity(n_by),
    };
    control.check()?;
    for r in results {
        let (est, lo, hi, n) = r?;
        table.estimate.push(est);
        if bootstrap > 0 {
            table.lower.push(lo);
            table.upper.push(hi);
        }
        table.replicates.push(n);
    }
    Ok(table)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_match_separate_calls_and_bootstrap_brackets() {
        let values = [1.0, 2.0, 3.0, 5.0, 1.0, 1.5, 2.0, 8.0];
        let weights = [1.0, 2.0, 1.0, 1.0, 3.0, 1.0, 2.0, 1.0];
        let by = [0u32, 0, 0, 0, 1, 1, 1, 1];
        let measures = [
            Measure::Gini,
            Measure::TheilT,
            Measure::Atkinson(0.5),
            Measure::Cv,
        ];
        let t = equity_table(&values, &weights, &by, 2, None, &measures, 300, 0.9, 1).unwrap();
        let d1 = Distribution::new(&values[4..], Some(&weights[4..])).unwrap();
        assert!((t.estimate[1][0] - gini(&d1, false, true).unwrap()).abs() < 1e-15);
        for g in 0..2 {
            for j in 0..t.columns.len() {
                assert!(t.lower[g][j] <= t.upper[g][j]);
            }
        }
        let again = equity_table(&values, &weights, &by, 2, None, &measures, 300, 0.9, 1).unwrap();
        assert_eq!(t, again);
    }

    #[test]
    fn equal_levels_give_zero_not_negative_zero() {
        // Three equal levels: every replicate is a resample of equal levels, whose Theil
        // indices came out as -1.1e-16 and printed as "-0.0000".
        let values = [0.1, 0.1, 0.1];
        let weights = [3.0, 7.0, 11.0];
        let by = [0u32, 0, 0];
        let measures = [Measure::Gini, Measure::TheilT, Measure::TheilL, Measure::Cv];
        let t = equity_table(&values, &weights, &by, 1, None, &measures, 50, 0.9, 3).unwrap();
        for v in t.estimate[0].iter().chain(&t.lower[0]).chain(&t.upper[0]) {
            assert!(v.is_sign_positive() && *v < 1e-12, "{v:?}");
        }
    }

    #[test]
    fn errors_name_the_original_row() {
        let e = equity_table(
            &[1.0, 2.0, 0.0],
            &[1.0, 1.0, 1.0],
            &[0, 1, 1],
            2,
            None,
            &[Measure::TheilL],
            0,
            0.95,
            0,
        )
        .unwrap_err();
        assert!(
            e.to_string().starts_with("column 'values', row 2: value 0"),
            "{e}"
        );
    }
}
