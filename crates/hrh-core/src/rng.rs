//! Deterministic random numbers.
//!
//! Every random routine in `hrh` draws from an [`Rng`] built by [`Rng::stream`] from
//! `(seed, stream)`: the draws of replicate `i` depend on the seed and `i` only, never on
//! how work is split across threads. The generator is xoshiro256++ (Blackman and Vigna,
//! 2021), seeded through SplitMix64; both are fixed here so that results stay identical
//! across versions of any dependency.

/// SplitMix64 step (Steele, Lea and Flood, 2014), used to expand seeds.
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Right edge of the base layer of [`Rng::normal_ziggurat`]'s 256 layers.
const ZIG_R: f64 = 3.654_152_885_361_009;
/// Area of each of those layers (under the normal density without its constant).
const ZIG_V: f64 = 0.004_928_673_233_99;

/// Ziggurat layers: `x[i]` the right edges (x[0] = V / f(R), the base layer's width as a
/// rectangle of area V; x[1] = R; x[256] = 0), `f[i] = exp(-x[i]^2 / 2)`.
struct Ziggurat {
    x: [f64; 257],
    f: [f64; 257],
}

fn ziggurat() -> &'static Ziggurat {
    static TABLES: std::sync::OnceLock<Ziggurat> = std::sync::OnceLock::new();
    TABLES.get_or_init(|| {
        let pdf = |x: f64| (-0.5 * x * x).exp();
        let mut x = [0.0; 257];
        x[0] = ZIG_V / pdf(ZIG_R);
        x[1] = ZIG_R;
        for i in 2..256 {
            x[i] = (-2.0 * (ZIG_V / x[i - 1] + pdf(x[i - 1])).ln()).sqrt();
        }
        x[256] = 0.0;
        Ziggurat { x, f: x.map(pdf) }
    })
}

/// xoshiro256++ generator.
#[derive(Debug, Clone)]
pub struct Rng {
    s: [u64; 4],
    spare_normal: Option<f64>,
}

impl Rng {
    /// The generator for replicate (or worker, or draw) `stream` under `seed`.
    pub fn stream(seed: u64, stream: u64) -> Self {
        let mut seed_state = seed;
        let mut sm = splitmix64(&mut seed_state) ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03);
        let mut s = [0u64; 4];
        for v in &mut s {
            *v = splitmix64(&mut sm);
        }
        if s == [0; 4] {
            s[0] = 1;
        }
        Rng {
            s,
            spare_normal: None,
        }
    }

    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let result = self.s[0]
            .wrapping_add(self.s[3])
            .rotate_left(23)
            .wrapping_add(self.s[0]);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        result
    }

    /// Uniform on [0, 1) with 53 random bits.
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform on (0, 1): never exactly zero, safe under `ln`.
    pub fn uniform_open(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform integer in `0..n` (Lemire's multiply-shift with rejection; unbiased).
    ///
    /// # Panics
    ///
    /// If `n` is 0 (there is no such integer). Cannot happen from user data: every
    /// caller passes a length it has checked is not zero.
    pub fn below(&mut self, n: u64) -> u64 {
        assert!(n > 0, "below(0)");
        let threshold = n.wrapping_neg() % n;
        loop {
            let m = (self.next_u64() as u128) * (n as u128);
            if (m as u64) >= threshold {
                return (m >> 64) as u64;
            }
        }
    }

    /// Standard normal deviate (Marsaglia's polar method).
    pub fn normal(&mut self) -> f64 {
        if let Some(z) = self.spare_normal.take() {
            return z;
        }
        loop {
            let u = 2.0 * self.uniform() - 1.0;
            let v = 2.0 * self.uniform() - 1.0;
            let s = u * u + v * v;
            if s > 0.0 && s < 1.0 {
                let m = (-2.0 * s.ln() / s).sqrt();
                self.spare_normal = Some(v * m);
                return u * m;
            }
        }
    }

    /// Standard normal deviate by the ziggurat method (Marsaglia and Tsang, 2000, "The
    /// ziggurat method for generating random variables", J. Stat. Softw. 5(8)) with 256
    /// layers of equal area, the layer and the uniform taken from separate bits of one
    /// 64-bit draw (Doornik, 2005, "An improved ziggurat method to generate normal random
    /// samples"). Most draws cost one 64-bit number and a multiplication; the tail beyond
    /// the base layer uses Marsaglia's exponential method. Faster than [`Rng::normal`],
    /// which stays for the streams that already use it.
    pub fn normal_ziggurat(&mut self) -> f64 {
        let z = ziggurat();
        loop {
            let bits = self.next_u64();
            let i = (bits & 0xff) as usize;
            // 52 bits above the layer's 8 (bits 12..64): u uniform on [-1, 1).
            let u = 2.0 * ((bits >> 12) as f64 * (1.0 / (1u64 << 52) as f64)) - 1.0;
            let x = u * z.x[i];
            if x.abs() < z.x[i + 1] {
                return x;
            }
            if i == 0 {
                // The tail beyond R, on the side of `u`.
                loop {
                    let t = self.uniform_open().ln() / ZIG_R;
                    let y = self.uniform_open().ln();
                    if -2.0 * y >= t * t {
                        return if u < 0.0 { t - ZIG_R } else { ZIG_R - t };
                    }
                }
            }
            if z.f[i + 1] + (z.f[i] - z.f[i + 1]) * self.uniform() < (-0.5 * x * x).exp() {
                return x;
            }
        }
    }

    /// Exponential deviate with the given rate.
    pub fn exponential(&mut self, rate: f64) -> f64 {
        -self.uniform_open().ln() / rate
    }

    /// Bernoulli trial with success probability `p`.
    pub fn bernoulli(&mut self, p: f64) -> bool {
        self.uniform() < p
    }

    /// Gamma deviate with the given shape (scale 1): Marsaglia and Tsang (2000), "A simple
    /// method for generating gamma variables", ACM TOMS 26(3), with the `U^(1/shape)` boost
    /// for shape < 1.
    pub fn gamma(&mut self, shape: f64) -> f64 {
        if shape < 1.0 {
            let u = self.uniform_open();
            return self.gamma(shape + 1.0) * u.powf(1.0 / shape);
        }
        let d = shape - 1.0 / 3.0;
        let c = 1.0 / (9.0 * d).sqrt();
        loop {
            let x = self.normal_ziggurat();
            let v = 1.0 + c * x;
            if v <= 0.0 {
                continue;
            }
            let v = v * v * v;
            let u = self.uniform_open();
            if u < 1.0 - 0.0331 * x * x * x * x || u.ln() < 0.5 * x * x + d * (1.0 - v + v.ln()) {
                return d * v;
            }
        }
    }

    /// Beta(a, b) deviate as `X / (X + Y)` with `X ~ Gamma(a)`, `Y ~ Gamma(b)`.
    pub fn beta(&mut self, a: f64, b: f64) -> f64 {
        let x = self.gamma(a);
        let y = self.gamma(b);
        x / (x + y)
    }

    /// Binomial(n, p) deviate by sequential inversion (exact; expected cost O(n min(p, 1 - p))).
    pub fn binomial(&mut self, n: u64, p: f64) -> u64 {
        if n == 0 || p <= 0.0 {
            return 0;
        }
        if p >= 1.0 {
            return n;
        }
        if p > 0.5 {
            return n - self.binomial(n, 1.0 - p);
        }
        // Geometric waiting times between successes (Devroye 1986, X.4.3): count the
        // successes whose cumulative waiting time stays within n trials.
        let log_q = (-p).ln_1p();
        let mut trials = 0u64;
        let mut successes = 0u64;
        loop {
            // The cast saturates at u64::MAX for a tiny `p` (a wait beyond any n): add
            // the 1 saturating too, so such a wait ends the count rather than wrapping to
            // a gap of 0 (one success too many in a release build).
            let gap = ((self.uniform_open().ln() / log_q).floor() as u64).saturating_add(1);
            trials = trials.saturating_add(gap);
            if trials > n {
                return successes;
            }
            successes += 1;
        }
    }

    /// Index drawn with probability proportional to `weights` (all >= 0, sum > 0).
    pub fn categorical(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut u = self.uniform() * total;
        for (i, &w) in weights.iter().enumerate() {
            if u < w {
                return i;
            }
            u -= w;
        }
        weights.iter().rposition(|&w| w > 0.0).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binomial_with_a_tiny_probability_has_no_success() {
        // The geometric wait exceeds u64::MAX trials: no success among n, in debug and
        // release builds alike (the wait used to wrap to 0 and count successes).
        for s in 0..200 {
            let mut rng = Rng::stream(s, 1);
            assert_eq!(rng.binomial(1_000, 1e-300), 0);
        }
    }

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let a: Vec<u64> = (0..4).map(|_| Rng::stream(7, 3).next_u64()).collect();
        assert!(a.iter().all(|&x| x == a[0]));
        assert_ne!(Rng::stream(7, 3).next_u64(), Rng::stream(7, 4).next_u64());
        assert_ne!(Rng::stream(7, 3).next_u64(), Rng::stream(8, 3).next_u64());
    }

    #[test]
    fn uniform_moments() {
        let mut r = Rng::stream(1, 0);
        let n = 200_000;
        let xs: Vec<f64> = (0..n).map(|_| r.uniform()).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        assert!((mean - 0.5).abs() < 0.005);
        assert!(xs.iter().all(|&x| (0.0..1.0).contains(&x)));
    }

    #[test]
    fn normal_moments() {
        let mut r = Rng::stream(2, 0);
        let n = 200_000;
        let xs: Vec<f64> = (0..n).map(|_| r.normal()).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
        assert!(mean.abs() < 0.01 && (var - 1.0).abs() < 0.01);
    }

    #[test]
    fn ziggurat_is_normal() {
        // Layers: decreasing edges that end at 0 (the table recurrence closes).
        let z = ziggurat();
        assert!(z.x.windows(2).all(|w| w[0] > w[1]));
        assert!(z.x[255] > 0.0 && z.x[255] < 0.3, "{}", z.x[255]);
        let mut r = Rng::stream(4, 0);
        let n = 400_000;
        let mut xs: Vec<f64> = (0..n).map(|_| r.normal_ziggurat()).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
        let kurt = xs.iter().map(|x| (x - mean).powi(4)).sum::<f64>() / n as f64 / var.powi(2);
        assert!(
            mean.abs() < 0.006 && (var - 1.0).abs() < 0.008,
            "{mean} {var}"
        );
        assert!((kurt - 3.0).abs() < 0.05, "{kurt}");
        // Kolmogorov-Smirnov distance to the normal distribution (5% critical value
        // 1.36 / sqrt(n) = 0.0022).
        xs.sort_by(f64::total_cmp);
        let phi = |x: f64| 0.5 * statrs::function::erf::erfc(-x / std::f64::consts::SQRT_2);
        let d = xs
            .iter()
            .enumerate()
            .map(|(i, &x)| {
                let p = phi(x);
                (p - i as f64 / n as f64)
                    .abs()
                    .max((p - (i + 1) as f64 / n as f64).abs())
            })
            .fold(0.0, f64::max);
        assert!(d < 0.0022, "KS distance {d}");
        // Tails beyond the base layer (3.654) and beyond 4, on both sides: expected
        // 2 x 1.29e-4 and 2 x 3.17e-5 of the draws.
        for (edge, share) in [(ZIG_R, 2.0 * 1.290e-4), (4.0, 2.0 * 3.167e-5)] {
            let k = xs.iter().filter(|x| x.abs() > edge).count() as f64;
            let want = share * n as f64;
            assert!(
                (k - want).abs() < 4.0 * want.sqrt(),
                "beyond {edge}: {k} vs {want}"
            );
        }
    }

    #[test]
    fn below_is_in_range() {
        let mut r = Rng::stream(3, 0);
        let mut counts = [0usize; 7];
        for _ in 0..70_000 {
            counts[r.below(7) as usize] += 1;
        }
        assert!(counts.iter().all(|&c| (9_000..11_000).contains(&c)));
    }
}
