//! Seeded, parallel bootstrap by resampling units.

use rayon::prelude::*;

use crate::control::Control;
use crate::error::{Error, Result};
use crate::rng::Rng;

/// Quantile of sorted data by linear interpolation (R's type 7, numpy's default); `q`
/// outside [0, 1] is taken as the nearer end, NaN gives NaN.
pub fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() || q.is_nan() {
        return f64::NAN;
    }
    let h = (sorted.len() - 1) as f64 * q.clamp(0.0, 1.0);
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// Replicates of a statistic on resampled units: replicate `b` draws `n` unit indices
/// with replacement from the random stream `(seed, stream_base + b)`, so results do not
/// depend on the number of threads. `stat` returns `k` numbers, or `None` where a
/// resample makes the statistic undefined (e.g. every resampled value zero); such
/// replicates are left out. Returns one vector per replicate kept.
pub fn replicates<F>(n: usize, reps: usize, seed: u64, stream_base: u64, stat: F) -> Vec<Vec<f64>>
where
    F: Fn(&[usize]) -> Option<Vec<f64>> + Sync,
{
    replicates_with(n, reps, seed, stream_base, stat, &Control::default())
}

/// [`replicates`], counting each replicate done in `control` and skipping the rest once
/// it is cancelled (the caller then checks `control` and drops the partial result).
pub fn replicates_with<F>(
    n: usize,
    reps: usize,
    seed: u64,
    stream_base: u64,
    stat: F,
    control: &Control,
) -> Vec<Vec<f64>>
where
    F: Fn(&[usize]) -> Option<Vec<f64>> + Sync,
{
    (0..reps)
        .into_par_iter()
        .map(|b| {
            if control.cancelled() {
                return None;
            }
            let mut rng = Rng::stream(seed, stream_base + b as u64);
            let idx: Vec<usize> = (0..n).map(|_| rng.below(n as u64) as usize).collect();
            let out = stat(&idx);
            control.add(1);
            out
        })
        .collect::<Vec<_>>()
        .into_iter()
        .flatten()
        .collect()
}

/// Percentile interval at `level` (in (0, 1)) of each of the `k` statistics over the
/// replicates (each with `k` values).
pub fn percentile_intervals(
    reps: &[Vec<f64>],
    k: usize,
    level: f64,
) -> Result<(Vec<f64>, Vec<f64>)> {
    crate::validate::level(level)?;
    if let Some(i) = reps.iter().position(|r| r.len() != k) {
        return Err(Error::argument(
            "bootstrap",
            format!("replicate {i} has {} values, not {k}", reps[i].len()),
        ));
    }
    if reps.is_empty() {
        return Err(Error::argument(
            "bootstrap",
            "no bootstrap replicate gave a defined value; the intervals cannot be computed",
        ));
    }
    let a = (1.0 - level) / 2.0;
    let mut lower = Vec::with_capacity(k);
    let mut upper = Vec::with_capacity(k);
    for j in 0..k {
        let mut col: Vec<f64> = reps.iter().map(|r| r[j]).filter(|v| !v.is_nan()).collect();
        col.sort_by(f64::total_cmp);
        lower.push(quantile_sorted(&col, a));
        upper.push(quantile_sorted(&col, 1.0 - a));
    }
    Ok((lower, upper))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_across_thread_counts() {
        let stat = |idx: &[usize]| Some(vec![idx.iter().sum::<usize>() as f64]);
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap()
            .install(|| replicates(50, 200, 9, 0, stat));
        let two = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap()
            .install(|| replicates(50, 200, 9, 0, stat));
        assert_eq!(one, two);
    }

    #[test]
    fn type7_quantiles() {
        let s = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile_sorted(&s, 0.5), 2.5);
        assert_eq!(quantile_sorted(&s, 0.0), 1.0);
        assert!((quantile_sorted(&s, 0.9) - 3.7).abs() < 1e-12);
        // Out of [0, 1] used to index past the end; now the nearer end.
        assert_eq!(quantile_sorted(&s, 1.5), 4.0);
        assert_eq!(quantile_sorted(&s, -0.5), 1.0);
        assert!(quantile_sorted(&s, f64::NAN).is_nan());
    }

    #[test]
    fn bad_level_or_short_replicate_is_an_input_error() {
        let reps = vec![vec![1.0, 2.0], vec![3.0, 4.0]];
        // level 1.5 used to ask for the quantile 1.25 and index past the end.
        let e = percentile_intervals(&reps, 2, 1.5).unwrap_err();
        assert!(e.to_string().starts_with("argument 'level': 1.5"), "{e}");
        // A replicate with fewer than k values used to be indexed past its end.
        let e = percentile_intervals(&[vec![1.0]], 2, 0.9).unwrap_err();
        assert_eq!(
            e.to_string(),
            "argument 'bootstrap': replicate 0 has 1 values, not 2"
        );
        assert!(percentile_intervals(&reps, 2, 0.9).is_ok());
    }
}
