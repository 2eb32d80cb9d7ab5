//! Derivative-free and quasi-Newton minimisers used by the forecasting models.
//!
//! - [`nelder_mead`]: the simplex method of Nelder & Mead (1965) with the standard
//!   coefficients (reflection 1, expansion 2, contraction 0.5, shrink 0.5), restarted
//!   from the best point until a restart no longer improves the objective.
//! - [`bfgs`]: BFGS with central-difference gradients and a backtracking (Armijo) line
//!   search, for smooth objectives such as the ARIMA likelihood.
//!
//! Both treat a non-finite objective value as +∞, so a caller marks infeasible points
//! by returning `f64::INFINITY`.
//!
//! References: Nelder JA, Mead R (1965). A simplex method for function minimization.
//! The Computer Journal 7:308-313. Nocedal J, Wright SJ (2006). Numerical
//! Optimization, 2nd ed., Springer (chapter 6, BFGS).

/// Result of a minimisation.
#[derive(Debug, Clone, PartialEq)]
pub struct Minimum {
    /// Argument of the smallest value found.
    pub x: Vec<f64>,
    /// The smallest value found.
    pub value: f64,
    /// Objective evaluations used.
    pub evaluations: usize,
    /// Whether the stopping rule was met before the evaluation budget ran out.
    pub converged: bool,
}

fn clean(v: f64) -> f64 {
    if v.is_nan() {
        f64::INFINITY
    } else {
        v
    }
}

/// One Nelder-Mead run from `x0` with initial steps `step` (one per coordinate).
/// Stops when the spread of the simplex values is below `ftol·(|f_best| + ftol)` and
/// the simplex is smaller than `xtol` in every coordinate, or after `max_eval`
/// evaluations.
fn nm_run<F: FnMut(&[f64]) -> f64>(
    f: &mut F,
    x0: &[f64],
    step: &[f64],
    ftol: f64,
    xtol: f64,
    max_eval: usize,
) -> Minimum {
    let n = x0.len();
    let mut evals = 0usize;
    let mut eval = |x: &[f64], evals: &mut usize| {
        *evals += 1;
        clean(f(x))
    };
    let mut pts: Vec<Vec<f64>> = Vec::with_capacity(n + 1);
    let mut vals: Vec<f64> = Vec::with_capacity(n + 1);
    pts.push(x0.to_vec());
    vals.push(eval(x0, &mut evals));
    for i in 0..n {
        let mut p = x0.to_vec();
        p[i] += if step[i] != 0.0 { step[i] } else { 0.1 };
        vals.push(eval(&p, &mut evals));
        pts.push(p);
    }
    let mut converged = false;
    let mut order: Vec<usize> = (0..=n).collect();
    let mut centroid = vec![0.0; n];
    let mut trial = vec![0.0; n];
    let mut trial2 = vec![0.0; n];
    while evals < max_eval {
        order.sort_by(|&a, &b| vals[a].total_cmp(&vals[b]));
        let (best, worst, second) = (order[0], order[n], order[n.saturating_sub(1)]);
        let (fb, fw) = (vals[best], vals[worst]);
        let spread = (fw - fb).abs();
        let size = (0..n)
            .map(|j| {
                let (lo, hi) = pts.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |a, p| {
                    (a.0.min(p[j]), a.1.max(p[j]))
                });
                hi - lo
            })
            .fold(0.0_f64, f64::max);
        if fb.is_finite() && spread <= ftol * (fb.abs() + ftol) && size <= xtol {
            converged = true;
            break;
        }
        centroid.iter_mut().for_each(|c| *c = 0.0);
        for &i in &order[..n] {
            for j in 0..n {
                centroid[j] += pts[i][j] / n as f64;
            }
        }
        for j in 0..n {
            trial[j] = centroid[j] + (centroid[j] - pts[worst][j]);
        }
        let fr = eval(&trial, &mut evals);
        if fr < fb {
            for j in 0..n {
                trial2[j] = centroid[j] + 2.0 * (centroid[j] - pts[worst][j]);
            }
            let fe = eval(&trial2, &mut evals);
            if fe < fr {
                pts[worst].copy_from_slice(&trial2);
                vals[worst] = fe;
            } else {
                pts[worst].copy_from_slice(&trial);
                vals[worst] = fr;
            }
            continue;
        }
        if fr < vals[second] {
            pts[worst].copy_from_slice(&trial);
            vals[worst] = fr;
            continue;
        }
        // Contraction: outside if the reflection improved on the worst, else inside.
        let outside = fr < fw;
        for j in 0..n {
            trial2[j] = if outside {
                centroid[j] + 0.5 * (trial[j] - centroid[j])
            } else {
                centroid[j] + 0.5 * (pts[worst][j] - centroid[j])
            };
        }
        let fc = eval(&trial2, &mut evals);
        if fc < fw.min(fr) || (!outside && fc < fw) {
            pts[worst].copy_from_slice(&trial2);
            vals[worst] = fc;
            continue;
        }
        // Shrink towards the best point.
        let pb = pts[best].clone();
        for &i in &order[1..] {
            for j in 0..n {
                pts[i][j] = pb[j] + 0.5 * (pts[i][j] - pb[j]);
            }
            vals[i] = eval(&pts[i], &mut evals);
        }
    }
    let best = (0..=n)
        .min_by(|&a, &b| vals[a].total_cmp(&vals[b]))
        .unwrap_or(0);
    Minimum {
        x: pts[best].clone(),
        value: vals[best],
        evaluations: evals,
        converged,
    }
}

/// Minimise `f` from `x0` by Nelder-Mead, restarting from the best point (with the
/// initial steps) until a restart improves the value by less than `ftol` relative,
/// at most `max_eval` evaluations in all.
pub fn nelder_mead<F: FnMut(&[f64]) -> f64>(
    mut f: F,
    x0: &[f64],
    step: &[f64],
    ftol: f64,
    xtol: f64,
    max_eval: usize,
) -> Minimum {
    let mut best = nm_run(&mut f, x0, step, ftol, xtol, max_eval);
    let mut used = best.evaluations;
    for _ in 0..20 {
        if used >= max_eval {
            break;
        }
        let again = nm_run(&mut f, &best.x, step, ftol, xtol, max_eval - used);
        used += again.evaluations;
        let improved = again.value < best.value - ftol * (best.value.abs() + ftol);
        if again.value <= best.value {
            best.x = again.x;
            best.value = again.value;
            best.converged = again.converged;
        }
        if !improved {
            break;
        }
    }
    best.evaluations = used;
    best
}

/// Central-difference gradient with relative steps.
fn gradient<F: FnMut(&[f64]) -> f64>(f: &mut F, x: &[f64], h: &[f64], g: &mut [f64]) -> usize {
    let mut xp = x.to_vec();
    for i in 0..x.len() {
        let hi = h[i];
        xp[i] = x[i] + hi;
        let fp = clean(f(&xp));
        xp[i] = x[i] - hi;
        let fm = clean(f(&xp));
        xp[i] = x[i];
        g[i] = if fp.is_finite() && fm.is_finite() {
            (fp - fm) / (2.0 * hi)
        } else {
            0.0
        };
    }
    2 * x.len()
}

/// Minimise a smooth `f` from `x0` by BFGS with numerical gradients (step `ndeps`
/// per coordinate, as R's `optim`), stopping when the relative decrease of one
/// iteration is below `reltol` or after `max_iter` iterations.
pub fn bfgs<F: FnMut(&[f64]) -> f64>(
    mut f: F,
    x0: &[f64],
    ndeps: &[f64],
    reltol: f64,
    max_iter: usize,
) -> Minimum {
    let n = x0.len();
    let mut x = x0.to_vec();
    let mut fx = clean(f(&x));
    let mut evals = 1usize;
    if n == 0 || !fx.is_finite() {
        return Minimum {
            x,
            value: fx,
            evaluations: evals,
            converged: n == 0,
        };
    }
    let mut g = vec![0.0; n];
    evals += gradient(&mut f, &x, ndeps, &mut g);
    // Inverse Hessian approximation, row-major.
    let mut hinv = vec![0.0; n * n];
    let reset = |h: &mut Vec<f64>| {
        h.iter_mut().for_each(|v| *v = 0.0);
        for i in 0..n {
            h[i * n + i] = 1.0;
        }
    };
    reset(&mut hinv);
    let mut converged = false;
    let mut fresh = true;
    let mut xn = vec![0.0; n];
    let mut gn = vec![0.0; n];
    for _ in 0..max_iter {
        let mut d: Vec<f64> = (0..n)
            .map(|i| -(0..n).map(|j| hinv[i * n + j] * g[j]).sum::<f64>())
            .collect();
        let mut slope: f64 = d.iter().zip(&g).map(|(a, b)| a * b).sum();
        if slope >= 0.0 {
            reset(&mut hinv);
            d = g.iter().map(|v| -v).collect();
            slope = d.iter().zip(&g).map(|(a, b)| a * b).sum();
            fresh = true;
        }
        if slope == 0.0 {
            converged = true;
            break;
        }
        let mut t = 1.0;
        let mut accepted = false;
        let mut fnew = fx;
        for _ in 0..40 {
            for i in 0..n {
                xn[i] = x[i] + t * d[i];
            }
            fnew = clean(f(&xn));
            evals += 1;
            if fnew.is_finite() && fnew <= fx + 1e-4 * t * slope {
                accepted = true;
                break;
            }
            t *= 0.2;
        }
        if !accepted {
            if fresh {
                converged = true; // no descent possible along the gradient
                break;
            }
            reset(&mut hinv);
            fresh = true;
            continue;
        }
        evals += gradient(&mut f, &xn, ndeps, &mut gn);
        let s: Vec<f64> = (0..n).map(|i| xn[i] - x[i]).collect();
        let y: Vec<f64> = (0..n).map(|i| gn[i] - g[i]).collect();
        let sy: f64 = s.iter().zip(&y).map(|(a, b)| a * b).sum();
        let decrease = fx - fnew;
        x.copy_from_slice(&xn);
        g.copy_from_slice(&gn);
        fx = fnew;
        fresh = false;
        if decrease.abs() <= reltol * (fx.abs() + reltol) {
            converged = true;
            break;
        }
        if sy > 1e-12 * s.iter().map(|v| v * v).sum::<f64>().sqrt() {
            let hy: Vec<f64> = (0..n)
                .map(|i| (0..n).map(|j| hinv[i * n + j] * y[j]).sum())
                .collect();
            let yhy: f64 = y.iter().zip(&hy).map(|(a, b)| a * b).sum();
            for i in 0..n {
                for j in 0..n {
                    hinv[i * n + j] +=
                        ((sy + yhy) * s[i] * s[j]) / (sy * sy) - (hy[i] * s[j] + s[i] * hy[j]) / sy;
                }
            }
        }
    }
    Minimum {
        x,
        value: fx,
        evaluations: evals,
        converged,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rosenbrock(x: &[f64]) -> f64 {
        100.0 * (x[1] - x[0] * x[0]).powi(2) + (1.0 - x[0]).powi(2)
    }

    #[test]
    fn nelder_mead_finds_rosenbrock_minimum() {
        let m = nelder_mead(rosenbrock, &[-1.2, 1.0], &[0.1, 0.1], 1e-14, 1e-9, 10_000);
        assert!(m.value < 1e-12, "{m:?}");
        assert!((m.x[0] - 1.0).abs() < 1e-5);
    }

    #[test]
    fn bfgs_finds_rosenbrock_minimum() {
        let m = bfgs(rosenbrock, &[-1.2, 1.0], &[1e-6, 1e-6], 1e-14, 1000);
        assert!(m.value < 1e-9, "{m:?}");
    }

    #[test]
    fn infeasible_points_are_avoided() {
        let f = |x: &[f64]| {
            if x[0] < 0.5 {
                f64::NAN
            } else {
                (x[0] - 0.25).powi(2)
            }
        };
        let m = nelder_mead(f, &[2.0], &[0.5], 1e-14, 1e-10, 2000);
        assert!((m.x[0] - 0.5).abs() < 1e-6, "{m:?}");
    }
}
