//! Policy economics over paired Monte Carlo draws: discounting, incremental costs and
//! effects, cost-effectiveness ratios with intervals, acceptability curves, the efficiency
//! frontier, and rank-based sensitivity of an outcome to the drawn parameters.
//!
//! Draws of two projections run with the same seed share their parameter values (common
//! random numbers), so a policy's incremental cost and effect are taken draw by draw.
//!
//! References: Drummond, M. F. et al. (2015). Methods for the Economic Evaluation of
//! Health Care Programmes, 4th ed., ch. 4 (discounting) and 9 (dominance, extended
//! dominance). Fenwick, E., Claxton, K. and Sculpher, M. (2001). Representing uncertainty:
//! the role of cost-effectiveness acceptability curves. Health Econ 10(8), 779-787.
//! Marino, S. et al. (2008). A methodology for performing global uncertainty and
//! sensitivity analysis in systems biology. J Theor Biol 254(1), 178-196 (partial rank
//! correlation).

use crate::error::{Error, Result};
use crate::linalg::ldl;
use crate::planning::quantile::{exact, PROBS};

/// When in a year its costs and outcomes fall, for discounting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timing {
    /// At the start: the base year is not discounted (factor `(1 + r)^-(y - base)`).
    Start,
    /// Mid-year: `(1 + r)^-(y - base + 1/2)`.
    Mid,
    /// At the end: `(1 + r)^-(y - base + 1)`.
    End,
}

/// Discount factors of `years` at annual `rate` from `base_year`; a rate must be finite
/// and above -1 (-100 %).
pub fn discount_factors(
    years: &[i32],
    rate: f64,
    base_year: i32,
    timing: Timing,
) -> Result<Vec<f64>> {
    if !(rate.is_finite() && rate > -1.0) {
        return Err(Error::argument(
            "discount_rate",
            format!("must be a finite rate above -1 (-100 %), got {rate}"),
        ));
    }
    let shift = match timing {
        Timing::Start => 0.0,
        Timing::Mid => 0.5,
        Timing::End => 1.0,
    };
    Ok(years
        .iter()
        .map(|&y| (1.0 + rate).powf(-(f64::from(y - base_year) + shift)))
        .collect())
}

/// Each draw's discounted sum of `x` (draws x years, row-major) with `factors` (one per
/// year).
pub fn discounted(x: &[f64], factors: &[f64]) -> Vec<f64> {
    let ny = factors.len().max(1);
    x.chunks_exact(ny)
        .map(|row| row.iter().zip(factors).map(|(a, f)| a * f).sum())
        .collect()
}

/// Mean and type-7 quantiles [`PROBS`] of draws; NaN when a draw is NaN or there are none.
pub fn summary(x: &[f64]) -> (f64, [f64; 5]) {
    if x.is_empty() || x.iter().any(|v| v.is_nan()) {
        return (f64::NAN, [f64::NAN; 5]);
    }
    let mean = x.iter().sum::<f64>() / x.len() as f64;
    let mut work = x.to_vec();
    (mean, exact(&mut work))
}

/// A cost-effectiveness ratio over paired draws.
#[derive(Clone, Debug, PartialEq)]
pub struct Ratio {
    /// Mean incremental cost over mean incremental effect; NaN unless the mean effect is
    /// positive (a ratio with a zero or negative effect does not rank a policy).
    pub ratio: f64,
    /// Quantiles [`PROBS`] of the draws' own ratios, when every draw's effect is
    /// positive (else NaN: a ratio whose denominator changes sign has no interval).
    pub quantiles: [f64; 5],
    /// Share of draws whose effect is positive.
    pub p_effect_positive: f64,
}

/// The ratio of incremental cost `dc` to incremental effect `de`, draw by draw.
pub fn ratio(dc: &[f64], de: &[f64]) -> Ratio {
    let n = dc.len().min(de.len());
    if n == 0 || dc.iter().chain(de).any(|v| v.is_nan()) {
        return Ratio {
            ratio: f64::NAN,
            quantiles: [f64::NAN; 5],
            p_effect_positive: f64::NAN,
        };
    }
    let (mc, me) = (mean(dc), mean(de));
    let positive = de.iter().filter(|&&e| e > 0.0).count();
    let quantiles = if positive == n {
        let mut r: Vec<f64> = dc.iter().zip(de).map(|(c, e)| c / e).collect();
        exact(&mut r)
    } else {
        [f64::NAN; 5]
    };
    Ratio {
        ratio: if me > 0.0 { mc / me } else { f64::NAN },
        quantiles,
        p_effect_positive: positive as f64 / n as f64,
    }
}

fn mean(x: &[f64]) -> f64 {
    x.iter().sum::<f64>() / x.len() as f64
}

/// Willingness-to-pay values must be finite and not negative.
pub fn check_wtp(wtp: &[f64]) -> Result<()> {
    match wtp.iter().position(|w| !(w.is_finite() && *w >= 0.0)) {
        Some(i) => Err(Error::input_at(
            "wtp",
            i,
            format!(
                "a willingness to pay must be a finite number >= 0, got {}",
                wtp[i]
            ),
        )),
        None => Ok(()),
    }
}

/// Cost-effectiveness acceptability: per willingness to pay `w`, the share of draws in
/// which the policy's net benefit `w de - dc` is positive (a tie, as a policy against
/// itself, is not cost-effective).
pub fn acceptability(dc: &[f64], de: &[f64], wtp: &[f64]) -> Result<Vec<f64>> {
    check_wtp(wtp)?;
    let n = dc.len().min(de.len());
    Ok(wtp
        .iter()
        .map(|&w| {
            if n == 0 {
                return f64::NAN;
            }
            let yes = dc
                .iter()
                .zip(de)
                .filter(|(c, e)| w * **e - **c > 0.0)
                .count();
            yes as f64 / n as f64
        })
        .collect())
}

/// Per willingness to pay (rows) and strategy (columns, row-major): the share of draws in
/// which the strategy's net benefit `w effect - cost` is the largest (ties go to the
/// first). `cost` and `effect` hold one vector of draws per strategy, all of one length.
pub fn p_best(cost: &[Vec<f64>], effect: &[Vec<f64>], wtp: &[f64]) -> Result<Vec<f64>> {
    check_wtp(wtp)?;
    let k = cost.len();
    let n = cost.first().map_or(0, Vec::len);
    if effect.len() != k || cost.iter().chain(effect).any(|v| v.len() != n) {
        return Err(Error::input(
            "projections",
            "every strategy needs the same number of draws",
        ));
    }
    let mut out = vec![0.0; wtp.len() * k];
    for (row, &w) in out.chunks_exact_mut(k.max(1)).zip(wtp) {
        for d in 0..n {
            let mut best = 0;
            let mut top = f64::NEG_INFINITY;
            for s in 0..k {
                let nb = w * effect[s][d] - cost[s][d];
                if nb > top {
                    top = nb;
                    best = s;
                }
            }
            row[best] += 1.0;
        }
        row.iter_mut().for_each(|x| *x /= n.max(1) as f64);
    }
    Ok(out)
}

/// Where a strategy stands on the efficiency frontier.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// On the frontier.
    Frontier,
    /// Another strategy has at least its effect at a lower cost, or more effect at no
    /// higher cost.
    Dominated,
    /// A mix of two frontier strategies would give more effect at its cost: its ratio to
    /// the strategy below exceeds the next strategy's.
    ExtendedlyDominated,
}

/// The efficiency frontier of strategies with mean `cost` and `effect`: each one's status
/// and, on the frontier, its incremental ratio to the frontier strategy of next lower
/// effect (NaN for the first). Strategies of equal cost and effect keep the first.
pub fn frontier(cost: &[f64], effect: &[f64]) -> Result<Vec<(Status, f64)>> {
    let k = cost.len();
    if effect.len() != k {
        return Err(Error::input("effect", "one effect per strategy"));
    }
    if let Some(i) = cost.iter().chain(effect).position(|v| !v.is_finite()) {
        return Err(Error::input_at(
            if i < k { "cost" } else { "effect" },
            i % k,
            "a strategy's mean cost and effect must be finite",
        ));
    }
    let mut status = vec![Status::Frontier; k];
    for i in 0..k {
        for j in 0..k {
            if i == j {
                continue;
            }
            let no_worse = cost[j] <= cost[i] && effect[j] >= effect[i];
            let better = cost[j] < cost[i] || effect[j] > effect[i];
            let same_earlier = cost[j] == cost[i] && effect[j] == effect[i] && j < i;
            if (no_worse && better) || same_earlier {
                status[i] = Status::Dominated;
                break;
            }
        }
    }
    // The rest by effect (then cost); remove extended dominance until none is left.
    let mut order: Vec<usize> = (0..k).filter(|&i| status[i] == Status::Frontier).collect();
    order.sort_by(|&a, &b| {
        effect[a]
            .total_cmp(&effect[b])
            .then(cost[a].total_cmp(&cost[b]))
    });
    loop {
        let icer = |a: usize, b: usize| (cost[b] - cost[a]) / (effect[b] - effect[a]);
        let hit = (1..order.len().saturating_sub(1))
            .find(|&j| icer(order[j - 1], order[j]) > icer(order[j], order[j + 1]));
        match hit {
            Some(j) => {
                status[order[j]] = Status::ExtendedlyDominated;
                order.remove(j);
            }
            None => break,
        }
    }
    let mut out: Vec<(Status, f64)> = status.iter().map(|&s| (s, f64::NAN)).collect();
    for w in order.windows(2) {
        let (a, b) = (w[0], w[1]);
        out[b].1 = (cost[b] - cost[a]) / (effect[b] - effect[a]);
    }
    Ok(out)
}

/// Ranks 1..n of `x`, ties given their mean rank.
fn ranks(x: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..x.len()).collect();
    idx.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let mut r = vec![0.0; x.len()];
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && x[idx[j + 1]] == x[idx[i]] {
            j += 1;
        }
        let mid = (i + j) as f64 / 2.0 + 1.0;
        for &k in &idx[i..=j] {
            r[k] = mid;
        }
        i = j + 1;
    }
    r
}

/// Partial rank correlation of each of `p` parameters (columns of `x`, `n x p` row-major)
/// with the outcome `y`: the correlation of their ranks once the ranks of the other
/// parameters are accounted for, from the inverse of the rank correlation matrix. A
/// parameter that does not vary over the draws gets NaN; so does every parameter when
/// the outcome does not vary.
pub fn prcc(x: &[f64], n: usize, p: usize, y: &[f64]) -> Result<Vec<f64>> {
    if x.len() != n.saturating_mul(p) || y.len() != n {
        return Err(Error::input(
            "draws",
            "one outcome and p parameters per draw",
        ));
    }
    if let Some(i) = x.iter().chain(y).position(|v| !v.is_finite()) {
        return Err(Error::input_at(
            if i < x.len() { "parameters" } else { "outcome" },
            if i < x.len() {
                i / p.max(1)
            } else {
                i - x.len()
            },
            "a drawn value is not finite",
        ));
    }
    fn varies(mut col: impl Iterator<Item = f64>) -> bool {
        let first = col.next();
        col.any(|v| Some(v) != first)
    }
    let used: Vec<usize> = (0..p)
        .filter(|&j| varies((0..n).map(|i| x[i * p + j])))
        .collect();
    let mut out = vec![f64::NAN; p];
    if used.is_empty() || !varies(y.iter().copied()) {
        return Ok(out);
    }
    let q = used.len() + 1;
    if n < q + 2 {
        return Err(Error::input(
            "draws",
            format!(
                "{n} draws cannot separate {} varying parameters: take at least {}",
                used.len(),
                q + 2
            ),
        ));
    }
    // Centred, scaled ranks; their correlation matrix.
    let mut cols: Vec<Vec<f64>> = used
        .iter()
        .map(|&j| ranks(&(0..n).map(|i| x[i * p + j]).collect::<Vec<_>>()))
        .collect();
    cols.push(ranks(y));
    for c in &mut cols {
        let m = mean(c);
        c.iter_mut().for_each(|v| *v -= m);
        let s = c.iter().map(|v| v * v).sum::<f64>().sqrt();
        c.iter_mut().for_each(|v| *v /= s);
    }
    let mut r = vec![0.0; q * q];
    for a in 0..q {
        for b in a..q {
            let v: f64 = cols[a].iter().zip(&cols[b]).map(|(u, w)| u * w).sum();
            r[a * q + b] = v;
            r[b * q + a] = v;
        }
    }
    let f = ldl(&r, q, 1e-10);
    if f.rank < q {
        return Err(Error::input(
            "parameters",
            "the parameters' ranks are collinear (two parameters drawn as one?): \
             partial correlations are undefined",
        ));
    }
    let inv = f.inverse();
    let last = q - 1;
    for (a, &j) in used.iter().enumerate() {
        let v = -inv[a * q + last] / (inv[a * q + a] * inv[last * q + last]).sqrt();
        out[j] = v.clamp(-1.0, 1.0);
    }
    Ok(out)
}

/// The quantile levels of [`summary`] and [`Ratio::quantiles`].
pub const LEVELS: [f64; 5] = PROBS;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discounting_worked_by_hand() {
        // Three years, 3 % from 2025: costs 100 and 50 a year (two items).
        let f = discount_factors(&[2025, 2026, 2027], 0.03, 2025, Timing::Start).unwrap();
        let costs = [150.0, 150.0, 150.0];
        let total = discounted(&costs, &f)[0];
        let by_hand = 150.0 + 150.0 / 1.03 + 150.0 / (1.03 * 1.03);
        assert!((total - by_hand).abs() < 1e-12, "{total} {by_hand}");
        let mid = discount_factors(&[2025], 0.03, 2025, Timing::Mid).unwrap()[0];
        assert!((mid - 1.0 / 1.03f64.sqrt()).abs() < 1e-15);
        let end = discount_factors(&[2025], 0.03, 2025, Timing::End).unwrap()[0];
        assert!((end - 1.0 / 1.03).abs() < 1e-15);
        assert_eq!(
            discount_factors(&[2030], 0.0, 2025, Timing::End).unwrap(),
            [1.0]
        );
        for bad in [-1.0, -2.0, f64::NAN, f64::INFINITY] {
            let e = discount_factors(&[2025], bad, 2025, Timing::Start).unwrap_err();
            assert!(e.to_string().contains("discount_rate"), "{e}");
        }
    }

    #[test]
    fn ratios_only_where_the_effect_is_positive() {
        let r = ratio(&[10.0, 20.0, 30.0], &[1.0, 2.0, 3.0]);
        assert_eq!(r.ratio, 10.0);
        assert_eq!(r.quantiles, [10.0; 5]);
        assert_eq!(r.p_effect_positive, 1.0);
        let r = ratio(&[10.0, 20.0], &[1.0, -1.0]);
        assert!(r.ratio.is_nan() && r.quantiles[0].is_nan());
        assert_eq!(r.p_effect_positive, 0.5);
        let r = ratio(&[10.0, 20.0], &[3.0, -1.0]);
        assert_eq!(r.ratio, 15.0);
        assert!(r.quantiles[2].is_nan());
    }

    #[test]
    fn acceptability_rises_with_willingness_to_pay() {
        let dc: Vec<f64> = (0..200).map(|i| 50.0 + (i as f64 * 7.3) % 40.0).collect();
        let de: Vec<f64> = (0..200).map(|i| 0.5 + (i as f64 * 3.1) % 1.0).collect();
        let wtp: Vec<f64> = (0..50).map(|i| i as f64 * 5.0).collect();
        let a = acceptability(&dc, &de, &wtp).unwrap();
        assert!(a.windows(2).all(|w| w[1] >= w[0]));
        assert_eq!(a[0], 0.0);
        assert_eq!(*a.last().unwrap(), 1.0);
        // A policy against itself is never cost-effective.
        assert_eq!(
            acceptability(&[0.0; 3], &[0.0; 3], &[0.0, 1e9]).unwrap(),
            [0.0, 0.0]
        );
        let e = acceptability(&dc, &de, &[1.0, f64::INFINITY]).unwrap_err();
        assert!(e.to_string().contains("'wtp', row 1"), "{e}");
        let best = p_best(
            &[vec![0.0; 2], dc[..2].to_vec()],
            &[vec![0.0; 2], de[..2].to_vec()],
            &[0.0, 1e6],
        )
        .unwrap();
        assert_eq!(best, [1.0, 0.0, 0.0, 1.0]);
    }

    #[test]
    fn dominance_on_four_policies() {
        // (cost, effect): base (0, 0); A (100, 10): ratio 10; B (300, 12): extendedly
        // dominated, since C (400, 30) costs 15 per unit over A while B costs 100 over A;
        // D (500, 9): dominated by A.
        let cost = [0.0, 100.0, 300.0, 400.0, 500.0];
        let effect = [0.0, 10.0, 12.0, 30.0, 9.0];
        let f = frontier(&cost, &effect).unwrap();
        let status: Vec<Status> = f.iter().map(|x| x.0).collect();
        use Status::*;
        assert_eq!(
            status,
            [Frontier, Frontier, ExtendedlyDominated, Frontier, Dominated]
        );
        assert!(f[0].1.is_nan());
        assert_eq!(f[1].1, 10.0);
        assert_eq!(f[3].1, 15.0);
        assert!(f[2].1.is_nan() && f[4].1.is_nan());
        // Equal strategies: the first stays.
        let f = frontier(&[0.0, 5.0, 5.0], &[0.0, 1.0, 1.0]).unwrap();
        assert_eq!(f[2].0, Dominated);
        assert!(frontier(&[0.0, f64::NAN], &[0.0, 1.0]).is_err());
    }

    #[test]
    fn partial_rank_correlation_finds_the_driver() {
        // y rises with a, falls a little with b, ignores c; d is fixed.
        let n = 400;
        let mut rng = crate::rng::Rng::stream(5, 0);
        let mut x = Vec::new();
        let mut y = Vec::new();
        for _ in 0..n {
            let (a, b, c) = (rng.uniform(), rng.uniform(), rng.uniform());
            x.extend([a, b, c, 1.0]);
            y.push((3.0 * a).exp() - b + 0.05 * rng.normal());
        }
        let r = prcc(&x, n, 4, &y).unwrap();
        assert!(r[0] > 0.95, "{r:?}");
        assert!(r[1] < -0.5, "{r:?}");
        assert!(r[2].abs() < 0.15, "{r:?}");
        assert!(r[3].is_nan());
        // Monotone transforms of the outcome do not change rank correlations.
        let z: Vec<f64> = y.iter().map(|v| v.powi(3)).collect();
        assert_eq!(prcc(&x, n, 4, &z).unwrap()[..3], r[..3]);
        assert!(prcc(&x[..8], 2, 4, &y[..2]).is_err());
        let dup: Vec<f64> = (0..n).flat_map(|i| [x[i * 4], x[i * 4]]).collect();
        assert!(prcc(&dup, n, 2, &y).is_err());
    }
}
