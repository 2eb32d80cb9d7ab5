//! Small dense symmetric linear algebra (row-major `Vec<f64>`): a pivot-tolerant LDLᵀ
//! factorisation in the manner of the `cholesky2`/`chinv2` routines of R's survival
//! package, so that singular information matrices give a generalised inverse (dropped
//! directions) instead of NaN.

/// LDLᵀ factorisation of a symmetric positive semi-definite `n × n` matrix.
#[derive(Debug, Clone, PartialEq)]
pub struct Ldl {
    /// Unit lower-triangular factor (row-major; diagonal implied 1).
    pub l: Vec<f64>,
    /// Diagonal; 0 for directions judged singular.
    pub d: Vec<f64>,
    /// Rank: number of non-zero pivots.
    pub rank: usize,
    n: usize,
}

/// Factor `a`; a pivot below `tol` times the largest diagonal element is set to 0.
pub fn ldl(a: &[f64], n: usize, tol: f64) -> Ldl {
    let mut l = vec![0.0; n * n];
    let mut d = vec![0.0; n];
    let eps = a
        .iter()
        .step_by(n + 1)
        .fold(0.0_f64, |m, &x| m.max(x.abs()))
        * tol;
    let mut rank = 0;
    for j in 0..n {
        let mut dj = a[j * n + j];
        for k in 0..j {
            dj -= l[j * n + k] * l[j * n + k] * d[k];
        }
        if dj <= eps || !dj.is_finite() {
            d[j] = 0.0;
            for i in (j + 1)..n {
                l[i * n + j] = 0.0;
            }
            l[j * n + j] = 1.0;
            continue;
        }
        rank += 1;
        d[j] = dj;
        l[j * n + j] = 1.0;
        for i in (j + 1)..n {
            let mut v = a[i * n + j];
            for k in 0..j {
                v -= l[i * n + k] * l[j * n + k] * d[k];
            }
            l[i * n + j] = v / dj;
        }
    }
    Ldl { l, d, rank, n }
}

impl Ldl {
    /// Solve A x = b on the non-singular directions (x is 0 on dropped ones).
    pub fn solve(&self, b: &[f64]) -> Vec<f64> {
        let n = self.n;
        let mut y = b.to_vec();
        for i in 0..n {
            for k in 0..i {
                y[i] -= self.l[i * n + k] * y[k];
            }
        }
        for i in 0..n {
            y[i] = if self.d[i] > 0.0 {
                y[i] / self.d[i]
            } else {
                0.0
            };
        }
        for i in (0..n).rev() {
            for k in (i + 1)..n {
                y[i] -= self.l[k * n + i] * y[k];
            }
            if self.d[i] == 0.0 {
                y[i] = 0.0;
            }
        }
        y
    }

    /// Generalised inverse (rows and columns of dropped directions are 0).
    pub fn inverse(&self) -> Vec<f64> {
        let n = self.n;
        let mut inv = vec![0.0; n * n];
        for j in 0..n {
            let mut e = vec![0.0; n];
            e[j] = 1.0;
            let col = self.solve(&e);
            for i in 0..n {
                inv[i * n + j] = col[i];
            }
        }
        for j in 0..n {
            if self.d[j] == 0.0 {
                for i in 0..n {
                    inv[i * n + j] = 0.0;
                    inv[j * n + i] = 0.0;
                }
            }
        }
        inv
    }
}

/// xᵀ A⁻ x with a generalised inverse of the symmetric `m × m` matrix `a`.
pub fn quadratic_form_ginv(a: &[f64], x: &[f64], m: usize) -> f64 {
    if m == 0 {
        return 0.0;
    }
    let f = ldl(a, m, 1e-9);
    let y = f.solve(x);
    x.iter().zip(&y).map(|(a, b)| a * b).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solves_and_inverts() {
        let a = [4.0, 2.0, 0.6, 2.0, 2.0, 0.5, 0.6, 0.5, 3.0];
        let f = ldl(&a, 3, 1e-12);
        assert_eq!(f.rank, 3);
        let inv = f.inverse();
        for i in 0..3 {
            for j in 0..3 {
                let v: f64 = (0..3).map(|k| a[i * 3 + k] * inv[k * 3 + j]).sum();
                assert!((v - if i == j { 1.0 } else { 0.0 }).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn singular_direction_is_dropped() {
        let a = [1.0, 1.0, 1.0, 1.0];
        let f = ldl(&a, 2, 1e-9);
        assert_eq!(f.rank, 1);
        assert!((quadratic_form_ginv(&a, &[2.0, 2.0], 2) - 4.0).abs() < 1e-12);
    }
}
