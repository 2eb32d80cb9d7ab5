//! Theil T and L about the weighted mean, without each unit's term, for the inputs
//! users have: finite values >= 0 (no subnormals), weights > 0, a few groups.
//!
//! Two passes over fixed blocks of units, run in parallel: the first checks the units
//! and sums Σw and Σwx (per group), the second sums w·r·ln r (T) or w·ln r (L) with
//! r = x / μ, μ the mean of the unit's group (of all units without groups). The block
//! boundaries do not depend on the number of threads and the blocks are combined in
//! order, so the figures are the same for any number of threads. The logarithm is
//! [`ln`], branch-free so that a block's terms are formed in vector registers.
//!
//! With groups, the total is between + within (two sums of terms >= 0), so that each
//! unit's logarithm is taken once, about its group's mean.
//!
//! Anything else (bad or extreme values, another reference level, a wide range of
//! ratios) gives `None`, and the caller takes the general path, which names errors.

use rayon::prelude::*;

use super::{check_log_base, Theil, TheilKind};

/// Units per block (fixed: the figures must not depend on the number of threads).
const BLOCK: usize = 1 << 14;
/// Units whose terms are formed before they are added.
const CHUNK: usize = 256;
/// At most this many groups (more take the general path).
const MAX_GROUPS: usize = 64;
/// Ratios x / μ kept within [1 / LIMIT, LIMIT], where every product stays normal.
const LIMIT: f64 = 1e290;

// fdlibm's constants, bit for bit (ln 2 split in two, the polynomial's coefficients).
const LN2_HI: f64 = f64::from_bits(0x3fe62e42fee00000); // 6.93147180369123816490e-1
const LN2_LO: f64 = f64::from_bits(0x3dea39ef35793c76); // 1.90821492927058770002e-10
const LG1: f64 = f64::from_bits(0x3fe5555555555593); // 6.666666666666735130e-1
const LG2: f64 = f64::from_bits(0x3fd999999997fa04); // 3.999999999940941908e-1
const LG3: f64 = f64::from_bits(0x3fd2492494229359); // 2.857142874366239149e-1
const LG4: f64 = f64::from_bits(0x3fcc71c51d8e78af); // 2.222219843214978396e-1
const LG5: f64 = f64::from_bits(0x3fc7466496cb03de); // 1.818357216161805012e-1
const LG6: f64 = f64::from_bits(0x3fc39a09d078c69f); // 1.531383769920937332e-1
const LG7: f64 = f64::from_bits(0x3fc2f112df3e5244); // 1.479819860511658591e-1

/// ln x for a positive normal finite x, within 1 ulp: the fdlibm (musl) logarithm
/// without its branches for zero, subnormals, negatives, infinity and NaN, so that it
/// vectorises. (At x = 0 it returns a finite number, about −709.)
///
/// Reference: Sun Microsystems fdlibm e_log.c, as in musl src/math/log.c.
#[inline(always)]
pub(crate) fn ln(x: f64) -> f64 {
    let bits = x.to_bits();
    // Reduce x to 1 + f with 1 + f in [√2/2, √2): hx is the high word.
    let hx = ((bits >> 32) as u32).wrapping_add(0x3ff0_0000 - 0x3fe6_a09e);
    let k = (hx >> 20) as i32 - 0x3ff;
    let hx = (hx & 0x000f_ffff) + 0x3fe6_a09e;
    let m = f64::from_bits(((hx as u64) << 32) | (bits & 0xffff_ffff));
    let f = m - 1.0;
    let hfsq = 0.5 * f * f;
    let s = f / (2.0 + f);
    let z = s * s;
    let w = z * z;
    let t1 = w * (LG2 + w * (LG4 + w * LG6));
    let t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
    let r = t2 + t1;
    let dk = k as f64;
    s * (hfsq + r) + dk * LN2_LO - hfsq + f + dk * LN2_HI
}

/// The first pass's sums over a block.
#[derive(Clone)]
struct Sums {
    /// A value not finite, negative or subnormal, a weight not finite and > 0, or a
    /// group code out of range.
    bad: bool,
    /// A value is 0.
    zero: bool,
    /// Smallest positive and largest value.
    lo: f64,
    hi: f64,
    /// Σw and Σwx per group (one entry without groups).
    w: Vec<f64>,
    wx: Vec<f64>,
}

impl Sums {
    fn new(k: usize) -> Self {
        Sums {
            bad: false,
            zero: false,
            lo: f64::INFINITY,
            hi: 0.0,
            w: vec![0.0; k],
            wx: vec![0.0; k],
        }
    }

    fn add(&mut self, o: &Sums) {
        self.bad |= o.bad;
        self.zero |= o.zero;
        self.lo = self.lo.min(o.lo);
        self.hi = self.hi.max(o.hi);
        for (a, b) in self.w.iter_mut().zip(&o.w) {
            *a += b;
        }
        for (a, b) in self.wx.iter_mut().zip(&o.wx) {
            *a += b;
        }
    }
}

/// The blocks' results in order, in parallel for more than one block.
fn blocks<T: Send>(n: usize, f: impl Fn(usize, usize) -> T + Sync + Send) -> Vec<T> {
    let starts: Vec<usize> = (0..n).step_by(BLOCK).collect();
    let run = |&s: &usize| f(s, (s + BLOCK).min(n));
    if starts.len() > 1 {
        starts.par_iter().map(run).collect()
    } else {
        starts.iter().map(run).collect()
    }
}

/// What the first pass reads: the units and the number of groups (1 without).
#[derive(Clone, Copy)]
struct Read<'a> {
    values: &'a [f64],
    weights: Option<&'a [f64]>,
    codes: Option<&'a [u32]>,
    k: usize,
}

/// First pass over units `s..e`. Only minima, maxima and sums, so that a block is
/// read in vector registers: a NaN or infinite value or weight makes Σw or Σwx NaN or
/// infinite, which the caller checks.
#[inline(always)]
fn first_portable(u: Read<'_>, s: usize, e: usize) -> Sums {
    let Read {
        values,
        weights,
        codes,
        k,
    } = u;
    let mut out = Sums::new(k);
    let xs = &values[s..e];
    let ws = weights.map(|w| &w[s..e]);
    // Four lanes of every running figure, combined in a fixed order: the smallest
    // value, the smallest positive one, the largest, the smallest weight, Σw, Σwx.
    let mut mn = [f64::INFINITY; 4];
    let mut lo = [f64::INFINITY; 4];
    let mut hi = [0.0_f64; 4];
    let mut wmin = [f64::INFINITY; 4];
    let (mut sw, mut swx) = ([0.0; 4], [0.0; 4]);
    let mut unit = |j: usize, x: f64, w: f64| {
        mn[j] = if x < mn[j] { x } else { mn[j] };
        let xp = if x > 0.0 { x } else { f64::INFINITY };
        lo[j] = if xp < lo[j] { xp } else { lo[j] };
        hi[j] = if x > hi[j] { x } else { hi[j] };
        wmin[j] = if w < wmin[j] { w } else { wmin[j] };
        sw[j] += w;
        swx[j] += w * x;
    };
    match ws {
        Some(ws) => {
            let (xc, wc) = (xs.chunks_exact(4), ws.chunks_exact(4));
            for (&x, &w) in xc.remainder().iter().zip(wc.remainder()) {
                unit(0, x, w);
            }
            for (x4, w4) in xc.zip(wc) {
                for j in 0..4 {
                    unit(j, x4[j], w4[j]);
                }
            }
        }
        None => {
            let xc = xs.chunks_exact(4);
            for &x in xc.remainder() {
                unit(0, x, 1.0);
            }
            for x4 in xc {
                for j in 0..4 {
                    unit(j, x4[j], 1.0);
                }
            }
        }
    }
    let min4 = |a: [f64; 4]| a.iter().fold(f64::INFINITY, |m, &v| m.min(v));
    let mn = min4(mn);
    let sum4 = |a: [f64; 4]| (a[0] + a[1]) + (a[2] + a[3]);
    let (sw, swx) = (sum4(sw), sum4(swx));
    // A negative or subnormal value, a weight <= 0, or a NaN or infinity anywhere.
    out.lo = min4(lo);
    out.hi = hi.iter().fold(0.0, |a, &b| a.max(b));
    out.bad = mn < 0.0
        || out.lo < f64::MIN_POSITIVE
        || min4(wmin) <= 0.0
        || !(sw.is_finite() && swx.is_finite());
    out.zero = mn == 0.0;
    match codes {
        None => {
            out.w[0] = sw;
            out.wx[0] = swx;
        }
        Some(codes) => {
            let codes = &codes[s..e];
            out.bad |= codes.iter().fold(false, |b, &g| b | (g as usize >= k));
            if !out.bad {
                for (i, (&x, &g)) in xs.iter().zip(codes).enumerate() {
                    let wi = ws.map_or(1.0, |w| w[i]);
                    out.w[g as usize] += wi;
                    out.wx[g as usize] += wi * x;
                }
            }
        }
    }
    out
}

fn first(u: Read<'_>, s: usize, e: usize) -> Sums {
    #[cfg(target_arch = "x86_64")]
    {
        /// The same code compiled for AVX2 (the same operations, so the same numbers).
        #[target_feature(enable = "avx2")]
        fn avx2(u: Read<'_>, s: usize, e: usize) -> Sums {
            first_portable(u, s, e)
        }
        if crate::planning::lanes::has_avx2() {
            // SAFETY: the processor supports AVX2, checked just above.
            return unsafe { avx2(u, s, e) };
        }
    }
    first_portable(u, s, e)
}

/// w·r·ln r (T) or w·ln r (L) of each unit, r = x / μ (x · (1/μ) would round twice).
#[inline(always)]
fn terms(kind: TheilKind, xs: &[f64], ws: Option<&[f64]>, mu: &[f64], out: &mut [f64]) {
    // r · ln r is 0 at r = 0, where ln returns a finite number.
    match (kind, ws) {
        (TheilKind::T, Some(ws)) => {
            for ((t, (&x, &w)), &m) in out.iter_mut().zip(xs.iter().zip(ws)).zip(mu) {
                let r = x / m;
                *t = w * (r * ln(r));
            }
        }
        (TheilKind::T, None) => {
            for ((t, &x), &m) in out.iter_mut().zip(xs).zip(mu) {
                let r = x / m;
                *t = r * ln(r);
            }
        }
        (TheilKind::L, Some(ws)) => {
            for ((t, (&x, &w)), &m) in out.iter_mut().zip(xs.iter().zip(ws)).zip(mu) {
                *t = w * ln(x / m);
            }
        }
        (TheilKind::L, None) => {
            for ((t, &x), &m) in out.iter_mut().zip(xs).zip(mu) {
                *t = ln(x / m);
            }
        }
    }
}

/// What the second pass reads: the units and the mean each is compared with (per
/// group, or of all units).
#[derive(Clone, Copy)]
struct Pass<'a> {
    kind: TheilKind,
    values: &'a [f64],
    weights: Option<&'a [f64]>,
    codes: Option<&'a [u32]>,
    mu: &'a [f64],
}

/// Second pass over units `s..e`: the sums of the terms per group.
#[inline(always)]
fn second_portable(p: Pass<'_>, s: usize, e: usize, acc: &mut [f64]) {
    let mut t = [0.0; CHUNK];
    let mut m = [p.mu[0]; CHUNK];
    let mut lanes = [0.0; 4];
    for a in (s..e).step_by(CHUNK) {
        let b = (a + CHUNK).min(e);
        let len = b - a;
        let ws = p.weights.map(|w| &w[a..b]);
        match p.codes {
            None => {
                terms(p.kind, &p.values[a..b], ws, &m[..len], &mut t[..len]);
                let tc = t[..len].chunks_exact(4);
                for &v in tc.remainder() {
                    lanes[0] += v;
                }
                for t4 in tc {
                    for j in 0..4 {
                        lanes[j] += t4[j];
                    }
                }
            }
            Some(codes) => {
                let cs = &codes[a..b];
                for (mi, &g) in m.iter_mut().zip(cs) {
                    *mi = p.mu[g as usize];
                }
                terms(p.kind, &p.values[a..b], ws, &m[..len], &mut t[..len]);
                for (&v, &g) in t[..len].iter().zip(cs) {
                    acc[g as usize] += v;
                }
            }
        }
    }
    if p.codes.is_none() {
        acc[0] += (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
    }
}

fn second(p: Pass<'_>, s: usize, e: usize) -> Vec<f64> {
    let mut acc = vec![0.0; p.mu.len()];
    #[cfg(target_arch = "x86_64")]
    {
        /// The same code compiled for AVX2 (the same operations, so the same numbers).
        #[target_feature(enable = "avx2")]
        fn avx2(p: Pass<'_>, s: usize, e: usize, acc: &mut [f64]) {
            second_portable(p, s, e, acc)
        }
        if crate::planning::lanes::has_avx2() {
            // SAFETY: the processor supports AVX2, checked just above.
            unsafe { avx2(p, s, e, &mut acc) };
            return acc;
        }
    }
    second_portable(p, s, e, &mut acc);
    acc
}

/// Theil T or L about the weighted mean, with the decomposition over `groups`, and no
/// unit terms; `None` where the general path ([`super::theil_of`]) must be taken.
pub fn theil_fast(
    values: &[f64],
    weights: Option<&[f64]>,
    kind: TheilKind,
    log_base: f64,
    groups: Option<(&[u32], usize)>,
) -> Option<Theil> {
    let ln_base = check_log_base(log_base).ok()?;
    let n = values.len();
    if n == 0 || weights.is_some_and(|w| w.len() != n) {
        return None;
    }
    let (codes, k) = match groups {
        Some((c, k)) if c.len() == n && (1..=MAX_GROUPS).contains(&k) => (Some(c), k),
        Some(_) => return None,
        None => (None, 1),
    };
    let read = Read {
        values,
        weights,
        codes,
        k,
    };
    let parts = blocks(n, |s, e| first(read, s, e));
    let mut all = Sums::new(k);
    for p in &parts {
        all.add(p);
    }
    if all.bad || (all.zero && kind == TheilKind::L) {
        return None;
    }
    let total_w: f64 = all.w.iter().sum();
    let total_wx: f64 = all.wx.iter().sum();
    let normal = |v: f64| v.is_finite() && v >= f64::MIN_POSITIVE;
    if !(normal(total_w) && normal(total_wx)) {
        return None;
    }
    let m = total_wx / total_w;
    // Each group's mean (1.0 for an empty group or one of zeros, never read: such a
    // group has no units, or only units whose term is 0).
    let mut mu = vec![1.0; k];
    for g in 0..k {
        if all.w[g] > 0.0 && all.wx[g] > 0.0 {
            mu[g] = all.wx[g] / all.w[g];
        }
    }
    // Every ratio x / μ in range (so is the group means' ratio to m).
    for &u in mu.iter().chain([&m]) {
        if !(normal(u)
            && all.hi / u < LIMIT
            && (all.lo == f64::INFINITY || all.lo / u > 1.0 / LIMIT))
        {
            return None;
        }
    }
    let mu_or_m: Vec<f64> = if codes.is_some() { mu.clone() } else { vec![m] };
    let pass = Pass {
        kind,
        values,
        weights,
        codes,
        mu: &mu_or_m,
    };
    let sums = blocks(n, |s, e| second(pass, s, e));
    let mut acc = vec![0.0; k];
    for b in &sums {
        for (a, v) in acc.iter_mut().zip(b) {
            *a += v;
        }
    }
    let scale = |v: f64| if ln_base == 1.0 { v } else { v / ln_base };
    let t = if codes.is_none() {
        let own = scale(match kind {
            TheilKind::T => acc[0] / total_w,
            TheilKind::L => -acc[0] / total_w,
        });
        Theil {
            total: own,
            reference: m,
            between: 0.0,
            within: own,
            unit_contribution: Vec::new(),
            group_weight_share: vec![1.0],
            group_value_share: vec![1.0],
            group_mean: vec![m],
            group_index: vec![own],
            group_within: vec![own],
            group_between: vec![0.0],
        }
    } else {
        let mut pg = vec![0.0; k];
        let mut mean = vec![f64::NAN; k];
        let mut own = vec![f64::NAN; k];
        let mut within = vec![0.0; k];
        let mut between = vec![0.0; k];
        for g in 0..k {
            pg[g] = all.w[g] / total_w;
            if all.w[g] == 0.0 {
                continue;
            }
            mean[g] = all.wx[g] / all.w[g];
            if all.wx[g] == 0.0 {
                continue;
            }
            let l = ln(mean[g] / m);
            match kind {
                TheilKind::T => {
                    own[g] = scale(acc[g] / all.w[g]);
                    let share = pg[g] * mean[g] / m;
                    within[g] = share * own[g];
                    between[g] = scale(share * l);
                }
                TheilKind::L => {
                    own[g] = scale(-acc[g] / all.w[g]);
                    within[g] = pg[g] * own[g];
                    between[g] = scale(-pg[g] * l);
                }
            }
        }
        let b: f64 = between.iter().sum();
        let w: f64 = within.iter().sum();
        Theil {
            total: b + w,
            reference: m,
            between: b,
            within: w,
            unit_contribution: Vec::new(),
            group_weight_share: pg,
            group_value_share: all.wx.iter().map(|s| s / total_wx).collect(),
            group_mean: mean,
            group_index: own,
            group_within: within,
            group_between: between,
        }
    };
    let finite = [t.total, t.between, t.within]
        .iter()
        .chain(&t.group_within)
        .chain(&t.group_between)
        .all(|v| v.is_finite());
    finite.then_some(t)
}

#[cfg(test)]
mod tests {
    use super::super::theil_of;
    use super::*;
    use crate::equity::theil::Reference;

    #[test]
    fn ln_is_within_an_ulp_of_std() {
        let mut x = f64::MIN_POSITIVE;
        let mut worst = 0.0_f64;
        while x < f64::MAX / 1.37 {
            for y in [x, x * 1.0000001, x * 0.9999999, 1.0 + (x % 1.0)] {
                let (a, b) = (ln(y), y.ln());
                let ulp = f64::from_bits(b.abs().to_bits() + 1) - b.abs();
                if b != 0.0 && y >= f64::MIN_POSITIVE {
                    worst = worst.max((a - b).abs() / ulp);
                }
            }
            x *= 1.37;
        }
        assert!(worst <= 1.0, "{worst} ulp");
        assert_eq!(ln(1.0), 0.0);
        assert!(ln(0.0).is_finite()); // 0 · ln 0 = 0 in T's terms
    }

    /// Units like the bench's: a spread of levels, some zero, and large weights. (The
    /// parts are compared relative to the total: a small between part is the
    /// difference of nearby means, whose last bits depend on the order of the sums.)
    fn units(n: usize) -> (Vec<f64>, Vec<f64>, Vec<u32>) {
        let mut s = 12345u64;
        let mut next = || {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (s >> 11) as f64 / (1u64 << 53) as f64
        };
        let mut x = Vec::with_capacity(n);
        let mut w = Vec::with_capacity(n);
        let mut g = Vec::with_capacity(n);
        for _ in 0..n {
            let u = next();
            x.push(if u < 0.05 { 0.0 } else { (4.0 * u).exp() });
            w.push((10.0 * next()).exp().round() + 100.0);
            g.push((next() * 4.0) as u32);
        }
        (x, w, g)
    }

    #[test]
    fn the_same_figures_as_the_general_path() {
        for n in [1, 7, 1000, 3 * BLOCK + 17] {
            let (x, w, g) = units(n);
            let x_l: Vec<f64> = x.iter().map(|v| v + 0.25).collect();
            for kind in [TheilKind::T, TheilKind::L] {
                let x = if kind == TheilKind::T { &x } else { &x_l };
                for weights in [Some(&w[..]), None] {
                    for base in [std::f64::consts::E, 10.0] {
                        for groups in [None, Some((&g[..], 4)), Some((&g[..], 6))] {
                            let want = theil_of(
                                x,
                                weights,
                                kind,
                                Reference::Weighted,
                                base,
                                groups,
                                false,
                            )
                            .unwrap();
                            let got = theil_fast(x, weights, kind, base, groups).unwrap();
                            let close = |a: f64, b: f64| {
                                (a.is_nan() && b.is_nan())
                                    || (a - b).abs() <= 1e-12 * b.abs().max(want.total) + 1e-15
                            };
                            for (a, b) in [
                                (got.total, want.total),
                                (got.between, want.between),
                                (got.within, want.within),
                                (got.reference, want.reference),
                            ] {
                                assert!(close(a, b), "{n} {kind:?} {a} {b}");
                            }
                            for (a, b) in [
                                (&got.group_weight_share, &want.group_weight_share),
                                (&got.group_value_share, &want.group_value_share),
                                (&got.group_mean, &want.group_mean),
                                (&got.group_index, &want.group_index),
                                (&got.group_within, &want.group_within),
                                (&got.group_between, &want.group_between),
                            ] {
                                assert_eq!(a.len(), b.len());
                                for (&a, &b) in a.iter().zip(b) {
                                    assert!(close(a, b), "{n} {kind:?} {a} {b}");
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn the_same_bits_for_any_number_of_threads() {
        let (x, w, g) = units(5 * BLOCK + 3);
        let run = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(|| {
                let a = theil_fast(&x, Some(&w), TheilKind::T, 10.0, None).unwrap();
                let b = theil_fast(&x, Some(&w), TheilKind::T, 10.0, Some((&g, 4))).unwrap();
                [a.total, b.total, b.between, b.within].map(f64::to_bits)
            })
        };
        let one = run(1);
        for threads in [2, 3, 8] {
            assert_eq!(run(threads), one);
        }
    }

    #[test]
    fn unusual_input_takes_the_general_path() {
        let w = [1.0, 2.0, 3.0];
        let none = |x: &[f64], w: Option<&[f64]>, kind, groups| {
            theil_fast(x, w, kind, 10.0, groups).is_none()
        };
        let t = TheilKind::T;
        assert!(none(&[], None, t, None));
        assert!(none(&[1.0, f64::NAN, 2.0], Some(&w), t, None));
        assert!(none(&[1.0, -1.0, 2.0], Some(&w), t, None));
        assert!(none(&[1.0, f64::INFINITY, 2.0], Some(&w), t, None));
        assert!(none(&[1.0, 5e-324, 2.0], Some(&w), t, None));
        assert!(none(&[1.0, 2.0, 3.0], Some(&[1.0, 0.0, 1.0]), t, None));
        assert!(none(&[1.0, 2.0, 3.0], Some(&[1.0, f64::NAN, 1.0]), t, None));
        assert!(none(&[1.0, 2.0, 3.0], Some(&[1.0, 1.0]), t, None));
        assert!(none(&[0.0, 0.0, 0.0], Some(&w), t, None));
        assert!(none(&[0.0, 1.0, 2.0], Some(&w), TheilKind::L, None));
        assert!(none(&[1e-300, 1.0, 1e300], None, t, None));
        assert!(none(&[1.0, 2.0, 3.0], None, t, Some((&[0, 1, 2], 2))));
        assert!(none(&[1.0, 2.0, 3.0], None, t, Some((&[0, 1], 2))));
        assert!(theil_fast(&[1.0, 2.0], None, t, 1.0, None).is_none());
        // A usual input does not.
        assert!(!none(&[0.0, 1.0, 2.0], Some(&w), t, Some((&[0, 1, 1], 3))));
    }
}
