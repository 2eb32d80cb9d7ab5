//! The covariate matrix of a regression (Cox, Fine-Gray, parametric): the checks the
//! data show before any fitting, written once. A [`Design`] is `n` rows of `p`
//! covariates, row-major, with a name per covariate for messages; it checks its layout
//! and that every value is finite, and names a bad value by its covariate and row.
//! [`Design::cross_products`] and [`Design::check_rank`] find collinear covariates on
//! the correlation matrix, whatever centring and scaling a model uses (each model
//! keeps its own threshold for a constant covariate, the one its reference uses).

use crate::control::Control;
use crate::error::{Error, Result};
use crate::linalg::ldl;

/// `n` rows of `p` covariates, row-major, checked for layout and finite values.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Design<'a> {
    /// The values, row-major `n × p`.
    pub x: &'a [f64],
    /// Rows.
    pub n: usize,
    /// Covariates.
    pub p: usize,
    names: &'a [String],
}

/// Message of a covariate with (nearly) no variation.
pub(crate) const CONSTANT: &str =
    "is constant (or nearly), so its effect cannot be estimated; drop it";

impl<'a> Design<'a> {
    /// The design of `n` rows, `p` covariates: an `InputError` on `covariates` when `x`
    /// does not hold `n × p` values, and on the covariate and row of the first value
    /// that is not a finite number.
    pub fn new(x: &'a [f64], n: usize, p: usize, names: &'a [String]) -> Result<Self> {
        if n.checked_mul(p) != Some(x.len()) {
            return Err(Error::input(
                "covariates",
                format!("has {} values, expected {n} × {p}", x.len()),
            ));
        }
        let d = Design { x, n, p, names };
        if let Some(i) = x.iter().position(|v| !v.is_finite()) {
            return Err(Error::input_at(
                d.name(i % p),
                i / p,
                format!("value {} is not a finite number", x[i]),
            ));
        }
        Ok(d)
    }

    /// The name of covariate `j` (`covariates` when the caller gave none).
    pub fn name(&self, j: usize) -> &'a str {
        self.names.get(j).map_or("covariates", |s| s.as_str())
    }

    /// An `InputError` when there is no covariate.
    pub fn require_covariates(&self) -> Result<()> {
        if self.p == 0 {
            return Err(Error::input("covariates", "no covariates given"));
        }
        Ok(())
    }

    /// An `InputError` unless there are more rows than the `p` coefficients.
    pub fn require_rows(&self) -> Result<()> {
        let (n, p) = (self.n, self.p);
        if n <= p {
            return Err(Error::input(
                "covariates",
                format!("{p} covariates need more than {p} rows; the data have {n}"),
            ));
        }
        Ok(())
    }

    /// The error for covariate `j` being constant, with `message`.
    pub fn constant(&self, j: usize, message: &str) -> Error {
        Error::input(self.name(j), message)
    }

    /// Σ_i w_i c(i, a) c(i, b), the symmetric `p × p` matrix (row-major) of weighted
    /// cross products of the centred (and scaled) covariates `c(i, j)`, with `w(i)` the
    /// weight of row `i`; `control` is checked every [`crate::control::CHECK_ROWS`]
    /// rows.
    pub fn cross_products(
        &self,
        centred: impl Fn(usize, usize) -> f64,
        weight: impl Fn(usize) -> f64,
        control: &Control,
    ) -> Result<Vec<f64>> {
        let p = self.p;
        let mut cov = vec![0.0; p * p];
        for i in 0..self.n {
            control.check_row(i)?;
            for a in 0..p {
                let xa = centred(i, a) * weight(i);
                for b in 0..=a {
                    cov[a * p + b] += xa * centred(i, b);
                }
            }
        }
        for a in 0..p {
            for b in 0..a {
                cov[b * p + a] = cov[a * p + b];
            }
        }
        Ok(cov)
    }

    /// An `InputError` naming the first covariate that is a linear combination of the
    /// ones before it, found scale-free on the correlation matrix of `cov` (from
    /// [`Design::cross_products`], no covariate constant).
    pub fn check_rank(&self, cov: &[f64]) -> Result<()> {
        let p = self.p;
        let mut corr = cov.to_vec();
        for a in 0..p {
            for b in 0..p {
                corr[a * p + b] = cov[a * p + b] / (cov[a * p + a] * cov[b * p + b]).sqrt();
            }
        }
        let f = ldl(&corr, p, 1e-10);
        if f.rank < p {
            let j = f.d.iter().position(|&x| x == 0.0).unwrap_or(0);
            return Err(Error::input(
                self.name(j),
                "is a linear combination of the covariates before it (collinear); drop it or \
                 merge levels",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_covariate_and_row_of_a_bad_value() {
        let names = vec!["age".to_string(), "grade".to_string()];
        let x = [1.0, 2.0, 3.0, f64::NAN];
        let e = Design::new(&x, 2, 2, &names).unwrap_err();
        assert_eq!(
            e.to_string(),
            "column 'grade', row 1: value NaN is not a finite number"
        );
        let e = Design::new(&x[..3], 2, 2, &names).unwrap_err();
        assert_eq!(
            e.to_string(),
            "column 'covariates': has 3 values, expected 2 × 2"
        );
    }

    #[test]
    fn finds_a_collinear_covariate() {
        let names: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
        // c = a + b
        let x = [
            1.0, 0.0, 1.0, 2.0, 1.0, 3.0, 0.0, 3.0, 3.0, 5.0, 1.0, 6.0, 2.0, 2.0, 4.0,
        ];
        let d = Design::new(&x, 5, 3, &names).unwrap();
        let mean: Vec<f64> = (0..3)
            .map(|j| (0..5).map(|i| x[i * 3 + j]).sum::<f64>() / 5.0)
            .collect();
        let cov = d
            .cross_products(|i, j| x[i * 3 + j] - mean[j], |_| 1.0, &Control::default())
            .unwrap();
        let e = d.check_rank(&cov).unwrap_err().to_string();
        assert!(e.starts_with("column 'c': is a linear combination"), "{e}");
        let two = Design::new(&x, 5, 3, &names).unwrap();
        let cov2 = [cov[0], cov[1], cov[3], cov[4]];
        let d2 = Design { p: 2, ..two };
        assert!(d2.check_rank(&cov2).is_ok());
    }
}
