//! Quantiles of Monte Carlo draws: exact (all draws kept) or streaming with the extended
//! P² algorithm, whose memory does not grow with the number of draws.
//!
//! References: Jain, R. and Chlamtac, I. (1985). The P² algorithm for dynamic calculation
//! of quantiles and histograms without storing observations. CACM 28(10), 1076-1085.
//! Raatikainen, K. E. E. (1987). Simultaneous estimation of several percentiles.
//! Simulation 49(4), 159-164.

/// The quantiles reported for every projected number.
pub const PROBS: [f64; 5] = [0.05, 0.25, 0.5, 0.75, 0.95];
const M: usize = 2 * PROBS.len() + 3;

/// Sample quantile of sorted data, R's type 7 (numpy's default `linear`).
pub fn type7(sorted: &[f64], p: f64) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return f64::NAN;
    }
    let h = (n - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(n - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// Type-7 quantiles [`PROBS`] of `x` (no NaN), as [`type7`] of the sorted values; may
/// reorder `x`.
///
/// Only ten order statistics are needed. From a few hundred values on, one pass counts
/// the values in [`BUCKETS`] equal-width buckets between the minimum and the maximum
/// (the bucket index is monotone in the value, so a bucket's values rank after every
/// value of the buckets below it), a second pass collects the values of the buckets
/// holding a needed rank, and only those are ordered.
pub fn exact(x: &mut [f64]) -> [f64; 5] {
    let (lo, hi) = if x.len() < 256 {
        (0.0, 0.0)
    } else {
        let (_, lo, hi) = sum_min_max(x);
        (lo, hi)
    };
    exact_in(x, lo, hi)
}

/// [`exact`] of values known to lie in `[lo, hi]` (used from 256 values on).
pub fn exact_in(x: &mut [f64], lo: f64, hi: f64) -> [f64; 5] {
    // The working buffers leave the thread-local store for the call, so that all of the
    // work runs in the function compiled for the processor.
    let mut bufs = BUFFERS.take();
    let q = exact_in_with(x, lo, hi, &mut bufs);
    BUFFERS.set(bufs);
    q
}

fn exact_in_with(x: &mut [f64], lo: f64, hi: f64, bufs: &mut Buffers) -> [f64; 5] {
    #[cfg(target_arch = "x86_64")]
    {
        /// The same code compiled for AVX2 (the same operations, so the same numbers).
        #[target_feature(enable = "avx2")]
        fn avx2(x: &mut [f64], lo: f64, hi: f64, bufs: &mut Buffers) -> [f64; 5] {
            exact_in_buffers(x, lo, hi, bufs)
        }
        if super::lanes::has_avx2() {
            // SAFETY: the processor supports AVX2, checked just above.
            return unsafe { avx2(x, lo, hi, bufs) };
        }
    }
    exact_in_buffers(x, lo, hi, bufs)
}

/// Working buffers of [`exact_in`]: bucket indices, positions of the values in needed
/// buckets, and those values.
#[derive(Default)]
struct Buffers {
    idx: Vec<u8>,
    cand: Vec<u32>,
    pool: Vec<f64>,
}

thread_local! {
    /// A thread's [`Buffers`], reused from call to call.
    static BUFFERS: std::cell::Cell<Buffers> = const { std::cell::Cell::new(Buffers {
        idx: Vec::new(),
        cand: Vec::new(),
        pool: Vec::new(),
    }) };
}

/// A buffer of at least `n` elements, whose contents the caller overwrites.
fn at_least<T: Copy + Default>(v: &mut Vec<T>, n: usize) -> &mut [T] {
    if v.len() < n {
        v.resize(n, T::default());
    }
    &mut v[..n]
}

#[inline(always)]
fn exact_in_buffers(x: &mut [f64], lo: f64, hi: f64, bufs: &mut Buffers) -> [f64; 5] {
    let n = x.len();
    if n == 0 {
        return [f64::NAN; 5];
    }
    let at = PROBS.map(|p| {
        let h = (n - 1) as f64 * p;
        let lo = h.floor() as usize;
        (h, lo, (lo + 1).min(n - 1))
    });
    // The needed ranks, ascending and distinct.
    let mut ks = [0usize; 2 * PROBS.len()];
    for (j, &(_, lo, hi)) in at.iter().enumerate() {
        ks[2 * j] = lo;
        ks[2 * j + 1] = hi;
    }
    ks.sort_unstable();
    let mut nk = 1;
    for i in 1..ks.len() {
        if ks[i] != ks[nk - 1] {
            ks[nk] = ks[i];
            nk += 1;
        }
    }
    let ks = &ks[..nk];
    let interpolate =
        |v: &dyn Fn(usize) -> f64| at.map(|(h, lo, hi)| v(lo) + (h - lo as f64) * (v(hi) - v(lo)));
    if n < 256 {
        select(x, ks, 0);
        return interpolate(&|i| x[i]);
    }
    if lo >= hi {
        return [lo; 5];
    }
    // Bucket of each value: monotone in the value, in 0..BUCKETS (computed four at a
    // time, then counted in two histograms so that equal neighbours wait less on each
    // other).
    let scale = BUCKETS as f64 / (hi - lo);
    let idx = at_least(&mut bufs.idx, n);
    let top = (BUCKETS - 1) as f64;
    for (o, &v) in idx.iter_mut().zip(x.iter()) {
        let y = (v - lo) * scale;
        // NaN (from infinite values) goes to the top bucket, as the infinities do.
        let y = if y < top { y } else { top };
        // SAFETY: `y` is a number in [0, BUCKETS - 1]: v >= lo, and the line above caps
        // it and turns NaN into `top`.
        *o = unsafe { y.to_int_unchecked::<i32>() } as u8;
    }
    let mut counts = [0u32; BUCKETS];
    let mut odd = [0u32; BUCKETS];
    let pairs = idx.chunks_exact(2);
    if let [b] = pairs.remainder() {
        counts[*b as usize] += 1;
    }
    for p in pairs {
        counts[p[0] as usize] += 1;
        odd[p[1] as usize] += 1;
    }
    for (c, o) in counts.iter_mut().zip(&odd) {
        *c += o;
    }
    // The buckets holding a needed rank: (bucket, rank of its first value, its values'
    // start in `pool`), and each bucket's place in that list.
    let mut wanted = [(0usize, 0usize, 0usize); 2 * PROBS.len() + 1];
    let mut nw = 0;
    let mut slot = [u8::MAX; BUCKETS];
    let mut below = 0usize;
    let mut size = 0usize;
    let mut next = 0;
    // Blocks of 16 buckets without a needed rank are passed over by their sum, and the
    // search ends at the last needed rank.
    for (bi, block) in counts.chunks_exact(16).enumerate() {
        if next == nk {
            break;
        }
        let sum = block.iter().sum::<u32>() as usize;
        if ks[next] >= below + sum {
            below += sum;
            continue;
        }
        for (j, &c) in block.iter().enumerate() {
            let c = c as usize;
            if next < nk && ks[next] < below + c {
                let b = bi * 16 + j;
                slot[b] = nw as u8;
                wanted[nw] = (b, below, size);
                nw += 1;
                size += c;
                while next < nk && ks[next] < below + c {
                    next += 1;
                }
            }
            below += c;
        }
    }
    wanted[nw] = (BUCKETS, n, size);
    // Positions of the values in needed buckets (few), then those values into their
    // buckets' places in `pool`.
    let mut ids = [0u8; 2 * PROBS.len()];
    for (id, w) in ids.iter_mut().zip(&wanted[..nw]) {
        *id = w.0 as u8;
    }
    let cand = at_least(&mut bufs.cand, n);
    let nc = positions_in(idx, &ids[..nw], &slot, cand);
    let pool = at_least(&mut bufs.pool, size);
    let mut fill = [0usize; 2 * PROBS.len()];
    for (f, w) in fill.iter_mut().zip(&wanted[..nw]) {
        *f = w.2;
    }
    for &i in &cand[..nc] {
        let f = &mut fill[usize::from(slot[usize::from(idx[i as usize])])];
        pool[*f] = x[i as usize];
        *f += 1;
    }
    // Order each needed bucket's values at the needed ranks.
    let mut local = [0usize; 2 * PROBS.len()];
    for i in 0..nw {
        let (_, first, start) = wanted[i];
        let part = &mut pool[start..wanted[i + 1].2];
        let mut nl = 0;
        for &k in ks.iter().filter(|&&k| k >= first && k < first + part.len()) {
            local[nl] = k - first;
            nl += 1;
        }
        select(part, &local[..nl], 0);
    }
    // The first needed bucket starts at or below the smallest needed rank (the scan
    // above listed it on reaching that rank), so it is the answer when no later one is.
    let of_rank = |k: usize| {
        let i = (1..nw).rfind(|&i| wanted[i].1 <= k).unwrap_or(0);
        pool[wanted[i].2 + k - wanted[i].1]
    };
    interpolate(&of_rank)
}

/// Positions in `idx` of the buckets `ids` (those with `slot` not `u8::MAX`), ascending,
/// into `cand`; returns their number.
#[inline(always)]
fn positions_in(idx: &[u8], ids: &[u8], slot: &[u8; BUCKETS], cand: &mut [u32]) -> usize {
    #[cfg(target_arch = "x86_64")]
    if super::lanes::has_avx2() {
        // SAFETY: the processor supports AVX2, checked just above.
        return unsafe { positions_avx2(idx, ids, cand) };
    }
    let _ = ids;
    positions_from(idx, slot, cand, 0, 0)
}

/// [`positions_in`] from position `start`, `nc` already found, one value at a time.
#[inline(always)]
fn positions_from(
    idx: &[u8],
    slot: &[u8; BUCKETS],
    cand: &mut [u32],
    start: usize,
    mut nc: usize,
) -> usize {
    for (i, &b) in idx.iter().enumerate().skip(start) {
        if slot[usize::from(b)] != u8::MAX {
            cand[nc] = i as u32;
            nc += 1;
        }
    }
    nc
}

/// [`positions_in`] 32 buckets at a time: each compared with every needed bucket, the
/// matches taken from the bit mask.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn positions_avx2(idx: &[u8], ids: &[u8], cand: &mut [u32]) -> usize {
    use std::arch::x86_64::{
        __m256i, _mm256_cmpeq_epi8, _mm256_loadu_si256, _mm256_movemask_epi8, _mm256_or_si256,
        _mm256_set1_epi8, _mm256_setzero_si256,
    };
    let mut keys = [_mm256_setzero_si256(); 2 * PROBS.len()];
    for (k, &id) in keys.iter_mut().zip(ids) {
        *k = _mm256_set1_epi8(id as i8);
    }
    let keys = &keys[..ids.len()];
    let mut nc = 0;
    let chunks = idx.chunks_exact(32);
    let rest = chunks.remainder();
    for (ci, c) in chunks.enumerate() {
        // SAFETY: `c` is 32 bytes; the load is unaligned.
        let v = unsafe { _mm256_loadu_si256(c.as_ptr().cast::<__m256i>()) };
        let mut hit = _mm256_setzero_si256();
        for &k in keys {
            hit = _mm256_or_si256(hit, _mm256_cmpeq_epi8(v, k));
        }
        let mut m = _mm256_movemask_epi8(hit) as u32;
        while m != 0 {
            cand[nc] = (ci * 32) as u32 + m.trailing_zeros();
            nc += 1;
            m &= m - 1;
        }
    }
    let start = idx.len() - rest.len();
    for (i, &b) in rest.iter().enumerate() {
        if ids.contains(&b) {
            cand[nc] = (start + i) as u32;
            nc += 1;
        }
    }
    nc
}

/// Buckets of [`exact`]'s counting pass.
pub const BUCKETS: usize = 256;

/// Sum, minimum and maximum of `v` (NaN left out of the last two), four interleaved
/// lanes at a time, the lanes added in a fixed order at the end.
pub(crate) fn sum_min_max(v: &[f64]) -> (f64, f64, f64) {
    const W: usize = 4;
    let mut sum = [0.0f64; W];
    let mut lo = [f64::INFINITY; W];
    let mut hi = [f64::NEG_INFINITY; W];
    let chunks = v.chunks_exact(W);
    let rest = chunks.remainder();
    let mut add = |l: usize, x: f64| {
        sum[l] += x;
        lo[l] = if x < lo[l] { x } else { lo[l] };
        hi[l] = if x > hi[l] { x } else { hi[l] };
    };
    for c in chunks {
        for (l, &x) in c.iter().enumerate() {
            add(l, x);
        }
    }
    for (l, &x) in rest.iter().enumerate() {
        add(l, x);
    }
    let lo = lo
        .iter()
        .fold(f64::INFINITY, |a, &b| if b < a { b } else { a });
    let hi = hi
        .iter()
        .fold(f64::NEG_INFINITY, |a, &b| if b > a { b } else { a });
    ((sum[0] + sum[1]) + (sum[2] + sum[3]), lo, hi)
}

/// Put the order statistics `ks` (ascending positions in the whole array, of which `x`
/// starts at `offset`) in place.
fn select(x: &mut [f64], ks: &[usize], offset: usize) {
    if ks.is_empty() {
        return;
    }
    let mid = ks.len() / 2;
    let k = ks[mid] - offset;
    let (left, _, right) = x.select_nth_unstable_by(k, f64::total_cmp);
    select(left, &ks[..mid], offset);
    select(right, &ks[mid + 1..], offset + k + 1);
}

/// Streaming estimator of [`PROBS`] (extended P², 13 markers). Exact while it has seen
/// fewer than 13 values.
#[derive(Clone, Debug)]
pub struct P2 {
    n: usize,
    q: [f64; M],
    pos: [f64; M],
}

/// Desired marker positions as shares of the data: 0, p1/2, p1, (p1+p2)/2, ..., pm,
/// (pm+1)/2, 1.
const DESIRED: [f64; M] = {
    let mut d = [0.0; M];
    d[M - 1] = 1.0;
    let mut j = 0;
    while j < PROBS.len() {
        let prev = if j == 0 { 0.0 } else { PROBS[j - 1] };
        d[2 * j + 1] = 0.5 * (prev + PROBS[j]);
        d[2 * j + 2] = PROBS[j];
        j += 1;
    }
    d[M - 2] = 0.5 * (PROBS[PROBS.len() - 1] + 1.0);
    d
};

impl Default for P2 {
    fn default() -> Self {
        Self::new()
    }
}

impl P2 {
    /// An empty estimator.
    pub fn new() -> Self {
        P2 {
            n: 0,
            q: [0.0; M],
            pos: [0.0; M],
        }
    }

    /// Add one value (NaN values must be filtered by the caller).
    pub fn push(&mut self, x: f64) {
        if self.n < M {
            self.q[self.n] = x;
            self.n += 1;
            if self.n == M {
                self.q.sort_by(f64::total_cmp);
                for (i, p) in self.pos.iter_mut().enumerate() {
                    *p = (i + 1) as f64;
                }
            }
            return;
        }
        let q = &mut self.q;
        let pos = &mut self.pos;
        let k = if x < q[0] {
            q[0] = x;
            0
        } else if x >= q[M - 1] {
            q[M - 1] = x;
            M - 2
        } else {
            // The cell q[k] <= x < q[k + 1], by binary search.
            q[1..M - 1].partition_point(|&v| v <= x)
        };
        for p in pos.iter_mut().skip(k + 1) {
            *p += 1.0;
        }
        self.n += 1;
        let dp = &DESIRED;
        let n = self.n as f64;
        for i in 1..M - 1 {
            let want = 1.0 + (n - 1.0) * dp[i];
            let d = want - pos[i];
            if (d >= 1.0 && pos[i + 1] - pos[i] > 1.0) || (d <= -1.0 && pos[i - 1] - pos[i] < -1.0)
            {
                let s = d.signum();
                let parabolic = q[i]
                    + s / (pos[i + 1] - pos[i - 1])
                        * ((pos[i] - pos[i - 1] + s) * (q[i + 1] - q[i]) / (pos[i + 1] - pos[i])
                            + (pos[i + 1] - pos[i] - s) * (q[i] - q[i - 1])
                                / (pos[i] - pos[i - 1]));
                q[i] = if q[i - 1] < parabolic && parabolic < q[i + 1] {
                    parabolic
                } else {
                    let j = if s > 0.0 { i + 1 } else { i - 1 };
                    q[i] + s * (q[j] - q[i]) / (pos[j] - pos[i])
                };
                pos[i] += s;
            }
        }
    }

    /// The current estimates of [`PROBS`].
    pub fn quantiles(&self) -> [f64; 5] {
        let mut out = [f64::NAN; 5];
        if self.n == 0 {
            return out;
        }
        if self.n < M {
            let mut v = self.q[..self.n].to_vec();
            v.sort_by(f64::total_cmp);
            for (o, &p) in out.iter_mut().zip(&PROBS) {
                *o = type7(&v, p);
            }
        } else {
            for (j, o) in out.iter_mut().enumerate() {
                *o = self.q[2 * j + 2];
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    #[test]
    fn exact_below_thirteen() {
        let mut p = P2::new();
        for x in [5.0, 1.0, 3.0, 2.0, 4.0] {
            p.push(x);
        }
        assert_eq!(p.quantiles(), [1.2, 2.0, 3.0, 4.0, 4.8]);
    }

    #[test]
    fn selection_matches_sorting() {
        let mut rng = Rng::stream(5, 1);
        for n in [1, 2, 3, 7, 20, 21, 255, 256, 257, 999, 1000, 5000] {
            let mut x: Vec<f64> = (0..n).map(|_| (rng.normal() * 4.0).round()).collect();
            let mut sorted = x.clone();
            sorted.sort_by(f64::total_cmp);
            let want = PROBS.map(|p| type7(&sorted, p));
            assert_eq!(exact(&mut x), want, "n = {n}");
            // Continuous values, one far outlier (most values in one bucket), all equal.
            let mut y: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
            y[0] = 1e9;
            let mut z = vec![3.5; n];
            for v in [&mut y, &mut z] {
                let mut sorted = v.clone();
                sorted.sort_by(f64::total_cmp);
                let want = PROBS.map(|p| type7(&sorted, p));
                assert_eq!(exact(v), want, "n = {n}");
            }
        }
        assert!(exact(&mut []).iter().all(|q| q.is_nan()));
    }

    #[test]
    fn positions_of_needed_buckets_on_both_paths() {
        let mut rng = Rng::stream(9, 2);
        for n in [0, 1, 31, 32, 33, 100, 1000, 1003] {
            let idx: Vec<u8> = (0..n).map(|_| rng.below(20) as u8 * 13).collect();
            let ids = [0u8, 13, 130, 247];
            let mut slot = [u8::MAX; BUCKETS];
            for (j, &b) in ids.iter().enumerate() {
                slot[usize::from(b)] = j as u8;
            }
            let want: Vec<u32> = (0..n as u32)
                .filter(|&i| ids.contains(&idx[i as usize]))
                .collect();
            let mut cand = vec![0u32; n];
            let k = positions_from(&idx, &slot, &mut cand, 0, 0);
            assert_eq!(&cand[..k], &want[..], "n = {n}");
            let k = positions_in(&idx, &ids, &slot, &mut cand);
            assert_eq!(&cand[..k], &want[..], "n = {n}");
        }
    }

    #[test]
    fn close_to_exact_on_many_draws() {
        let mut rng = Rng::stream(3, 0);
        let mut p = P2::new();
        let mut all = Vec::new();
        for _ in 0..5000 {
            let x = rng.normal() * 10.0 + 100.0;
            p.push(x);
            all.push(x);
        }
        all.sort_by(f64::total_cmp);
        for (est, &pr) in p.quantiles().iter().zip(&PROBS) {
            let exact = type7(&all, pr);
            assert!((est - exact).abs() < 0.5, "p={pr}: {est} vs {exact}");
        }
    }
}
