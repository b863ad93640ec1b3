//! Variance of the Laplacian and Tenengrad in one pass, matching OpenCV:
//! `cv2.Laplacian(y, CV_64F).var()` (ksize 1) and the mean of `Sobel_x^2 + Sobel_y^2`
//! (3x3), both with BORDER_REFLECT_101. Sums are exact integers; results are in 8-bit units.
//! The same pass feeds the noise estimate, on every [`NOISE_ROW_STEP`]th row.

use super::noise_histogram::{
    MAX_PACKED_PIXELS, NoiseHistogram, PACKED_BIN_SHIFT, PACKED_COUNT_BITS, pack, unpack,
};
use super::simd::with_avx2;
use crate::analysis::frame::plane::LumaPlane;

/// Frame-wide derivative figures (higher = sharper), in 8-bit sample units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DerivativeFigures {
    /// Population variance of the 4-neighbour Laplacian.
    pub laplacian_variance: f64,
    /// Mean squared 3x3 Sobel gradient magnitude.
    pub tenengrad: f64,
    /// Estimated noise sigma in 8-bit levels.
    pub noise: f64,
}

/// Row memory reused across frames.
#[derive(Debug, Default)]
pub struct DerivativeScratch {
    rows: [Vec<i32>; 3],
    line: Vec<i32>,
    rows8: [Vec<i16>; 3],
    line8: Vec<i16>,
    noise: NoiseHistogram,
    mags: Vec<u32>,
    resp: Vec<u32>,
    packed: Vec<u64>,
}

/// Index of `i` in `0..n` under BORDER_REFLECT_101 (n = 1 maps everything to 0).
#[inline]
pub fn reflect101(i: isize, n: usize) -> usize {
    if n == 1 {
        return 0;
    }
    let n = n as isize;
    let mut i = i;
    while i < 0 || i >= n {
        i = if i < 0 { -i } else { 2 * n - 2 - i };
    }
    i as usize
}

/// A sample type rows are held in: i32 for any depth, i16 for 8-bit samples.
trait RowSample: Copy + Default + Into<i32> {
    /// Writes row `y` of `plane` into `out` (length `width`).
    fn read(plane: &LumaPlane, y: usize, out: &mut [Self]);
    /// [`row_sums`] over rows of this type.
    fn sums(u: &[Self], c: &[Self], d: &[Self], n: usize) -> (i64, i64, i64);
}

impl RowSample for i32 {
    #[inline(always)]
    fn read(plane: &LumaPlane, y: usize, out: &mut [i32]) {
        plane.row_i32(y, out);
    }
    #[inline(always)]
    fn sums(u: &[i32], c: &[i32], d: &[i32], n: usize) -> (i64, i64, i64) {
        row_sums(u, c, d, n)
    }
}

impl RowSample for i16 {
    #[inline(always)]
    fn read(plane: &LumaPlane, y: usize, out: &mut [i16]) {
        let row = plane.row_u8(y).expect("i16 rows hold 8-bit planes only");
        for (o, &v) in out.iter_mut().zip(row) {
            *o = v as i16;
        }
    }
    #[inline(always)]
    fn sums(u: &[i16], c: &[i16], d: &[i16], n: usize) -> (i64, i64, i64) {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2.
            return unsafe { row_sums_8bit_avx2(u, c, d, n) };
        }
        row_sums_8bit(u, c, d, n)
    }
}

/// Loads row `y` into `out` with one reflected sample on each side.
#[inline(always)]
fn load_padded<T: RowSample>(plane: &LumaPlane, y: usize, line: &mut [T], out: &mut Vec<T>) {
    let w = plane.width();
    T::read(plane, y, line);
    out.clear();
    out.push(line[reflect101(-1, w)]);
    out.extend_from_slice(line);
    out.push(line[reflect101(w as isize, w)]);
}

/// Copies padded row `src` over row `dst` without allocating.
fn copy_row<T: Clone>(rows: &mut [Vec<T>; 3], src: usize, dst: usize) {
    let from = std::mem::take(&mut rows[src]);
    rows[dst].clone_from(&from);
    rows[src] = from;
}

/// Sums of the Laplacian, its square and the squared Sobel magnitude over one row, given the
/// padded rows above, at and below it (each `n + 2` long), in i64.
#[inline(always)]
fn row_sums(u: &[i32], c: &[i32], d: &[i32], n: usize) -> (i64, i64, i64) {
    let (u, c, d) = (&u[..n + 2], &c[..n + 2], &d[..n + 2]);
    let (mut ls, mut lq, mut gq) = (0i64, 0i64, 0i64);
    for i in 0..n {
        let (u0, u1, u2) = (u[i], u[i + 1], u[i + 2]);
        let (c0, c1, c2) = (c[i], c[i + 1], c[i + 2]);
        let (d0, d1, d2) = (d[i], d[i + 1], d[i + 2]);
        let lap = (c0 + c2 + u1 + d1 - 4 * c1) as i64;
        let gx = ((u2 - u0) + 2 * (c2 - c0) + (d2 - d0)) as i64;
        let gy = ((d0 + 2 * d1 + d2) - (u0 + 2 * u1 + u2)) as i64;
        ls += lap;
        lq += lap * lap;
        gq += gx * gx + gy * gy;
    }
    (ls, lq, gq)
}

/// [`row_sums`] for 8-bit samples held as i16: the Laplacian and both Sobel components fit
/// i16 (at most 1020 in magnitude) and their squares i32, so the compiler can use 16-bit
/// lanes; chunks of [`CHUNK`] pixels are summed in i32, then in i64.
#[inline(always)]
fn row_sums_8bit(u: &[i16], c: &[i16], d: &[i16], n: usize) -> (i64, i64, i64) {
    let (u, c, d) = (&u[..n + 2], &c[..n + 2], &d[..n + 2]);
    let (mut ls, mut lq, mut gq) = (0i64, 0i64, 0i64);
    let mut start = 0;
    while start < n {
        let end = (start + CHUNK).min(n);
        let (mut cls, mut clq, mut cgq) = (0i32, 0i32, 0i32);
        for i in start..end {
            let (u0, u1, u2) = (u[i], u[i + 1], u[i + 2]);
            let (c0, c1, c2) = (c[i], c[i + 1], c[i + 2]);
            let (d0, d1, d2) = (d[i], d[i + 1], d[i + 2]);
            let lap = c0 + c2 + u1 + d1 - 4 * c1;
            let gx = (u2 - u0) + 2 * (c2 - c0) + (d2 - d0);
            let gy = (d0 + 2 * d1 + d2) - (u0 + 2 * u1 + u2);
            let (lap, gx, gy) = (lap as i32, gx as i32, gy as i32);
            cls += lap;
            clq += lap * lap;
            cgq += gx * gx + gy * gy;
        }
        ls += cls as i64;
        lq += clq as i64;
        gq += cgq as i64;
        start = end;
    }
    (ls, lq, gq)
}

/// [`row_sums_8bit`] with AVX2 intrinsics: 16 pixels at a time in i16 lanes, squares
/// summed in pairs into i32 lanes (`vpmaddwd`), [`CHUNK`] pixels per i32 sum. The same
/// exact integer sums.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn row_sums_8bit_avx2(u: &[i16], c: &[i16], d: &[i16], n: usize) -> (i64, i64, i64) {
    use std::arch::x86_64::*;
    const LANES: usize = 16;
    let (u, c, d) = (&u[..n + 2], &c[..n + 2], &d[..n + 2]);
    // Loads 16 samples of `r` from `i`; callers keep i + 16 <= r.len().
    let load = |r: &[i16], i: usize| {
        debug_assert!(i + LANES <= r.len());
        // SAFETY: in bounds, as above; unaligned loads are allowed.
        unsafe { _mm256_loadu_si256(r.as_ptr().add(i) as *const __m256i) }
    };
    let lanes_sum = |v: __m256i| -> i64 {
        let mut a = [0i32; 8];
        // SAFETY: `a` has room for 8 i32.
        unsafe { _mm256_storeu_si256(a.as_mut_ptr() as *mut __m256i, v) };
        a.iter().map(|&x| x as i64).sum()
    };
    let ones = _mm256_set1_epi16(1);
    let (mut ls, mut lq, mut gq) = (0i64, 0i64, 0i64);
    let full = n / LANES * LANES;
    let mut start = 0;
    while start < full {
        let end = (start + CHUNK).min(full);
        let (mut cls, mut clq, mut cgq) = (
            _mm256_setzero_si256(),
            _mm256_setzero_si256(),
            _mm256_setzero_si256(),
        );
        for i in (start..end).step_by(LANES) {
            let taps = [u, c, d].map(|r| [load(r, i), load(r, i + 1), load(r, i + 2)]);
            let [lap, gx, gy] = x86::laplacian_and_gradient(taps);
            cls = _mm256_add_epi32(cls, _mm256_madd_epi16(lap, ones));
            clq = _mm256_add_epi32(clq, _mm256_madd_epi16(lap, lap));
            cgq = _mm256_add_epi32(
                cgq,
                _mm256_add_epi32(_mm256_madd_epi16(gx, gx), _mm256_madd_epi16(gy, gy)),
            );
        }
        ls += lanes_sum(cls);
        lq += lanes_sum(clq);
        gq += lanes_sum(cgq);
        start = end;
    }
    if full < n {
        let (a, b, e) = row_sums_8bit(&u[full..], &c[full..], &d[full..], n - full);
        ls += a;
        lq += b;
        gq += e;
    }
    (ls, lq, gq)
}

/// Pixels summed in i32 before i64 for 8-bit samples: 256 * 2 * 1020^2 < 2^31.
const CHUNK: usize = 256;

/// Fills `mags` with |gx|+|gy| and `resp` with the absolute Immerkaer response of each
/// pixel of one row (rows as for [`row_sums`]).
#[inline(always)]
fn noise_row<T: RowSample>(u: &[T], c: &[T], d: &[T], mags: &mut [u32], resp: &mut [u32]) {
    let n = mags.len();
    let (u, c, d, resp) = (&u[..n + 2], &c[..n + 2], &d[..n + 2], &mut resp[..n]);
    for i in 0..n {
        let (u0, u1, u2): (i32, i32, i32) = (u[i].into(), u[i + 1].into(), u[i + 2].into());
        let (c0, c1, c2): (i32, i32, i32) = (c[i].into(), c[i + 1].into(), c[i + 2].into());
        let (d0, d1, d2): (i32, i32, i32) = (d[i].into(), d[i + 1].into(), d[i + 2].into());
        let gx = (u2 - u0) + 2 * (c2 - c0) + (d2 - d0);
        let gy = (d0 + 2 * d1 + d2) - (u0 + 2 * u1 + u2);
        let r = (u0 - 2 * u1 + u2) - 2 * (c0 - 2 * c1 + c2) + (d0 - 2 * d1 + d2);
        mags[i] = gx.unsigned_abs() + gy.unsigned_abs();
        resp[i] = r.unsigned_abs();
    }
}

/// The noise estimate reads every this many rows of planes at least [`NOISE_ALL_ROWS`]
/// tall, and every row of shorter ones.
pub const NOISE_ROW_STEP: usize = 4;
const NOISE_ALL_ROWS: usize = 64;

with_avx2!(
    /// Computes both figures over the whole plane.
    pub fn derivatives(plane: &LumaPlane, scratch: &mut DerivativeScratch) -> DerivativeFigures
        => derivatives_body
);

#[inline(always)]
fn derivatives_body(plane: &LumaPlane, scratch: &mut DerivativeScratch) -> DerivativeFigures {
    let DerivativeScratch {
        rows,
        line,
        rows8,
        line8,
        noise,
        mags,
        resp,
        packed,
    } = scratch;
    if plane.sample_bits() == 8 {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2.
            return unsafe { x86::pass_u8(plane, noise, packed) };
        }
        pass(plane, rows8, line8, noise, mags, resp)
    } else {
        pass(plane, rows, line, noise, mags, resp)
    }
}

/// [`derivatives`] with rows held as `T`.
#[inline(always)]
fn pass<T: RowSample>(
    plane: &LumaPlane,
    rows: &mut [Vec<T>; 3],
    line: &mut Vec<T>,
    noise: &mut NoiseHistogram,
    mags: &mut Vec<u32>,
    resp: &mut Vec<u32>,
) -> DerivativeFigures {
    let (w, h) = (plane.width(), plane.height());
    line.resize(w, T::default());
    noise.clear();
    mags.resize(w, 0);
    resp.resize(w, 0);
    // slots: index into `rows` of the padded rows above, at and below y.
    let mut slot = [0usize, 1, 2];
    load_padded(plane, 0, line, &mut rows[1]);
    load_padded(plane, reflect101(1, h), line, &mut rows[2]);
    copy_row(rows, 2, 0);

    let (noise_step, noise_first) = noise_rows(h);
    let noise_pixels = w * h.div_ceil(noise_step);
    let packed = plane.sample_bits() == 8 && noise_pixels <= MAX_PACKED_PIXELS;
    let mut lap_sum: i128 = 0;
    let mut lap_sq: i128 = 0;
    let mut grad_sq: i128 = 0;
    for y in 0..h {
        if y > 0 {
            slot.rotate_left(1);
            let below = reflect101(y as isize + 1, h);
            if below == y - 1 {
                copy_row(rows, slot[0], slot[2]);
            } else {
                load_padded(plane, below, line, &mut rows[slot[2]]);
            }
        }
        let (u, c, d) = (&rows[slot[0]], &rows[slot[1]], &rows[slot[2]]);
        let (ls, lq, gq) = T::sums(u, c, d, w);
        if y % noise_step == noise_first {
            noise_row(u, c, d, mags, resp);
            if packed {
                noise.add_8bit(mags, resp);
            } else {
                for (&m, &r) in mags.iter().zip(resp.iter()) {
                    noise.add(m, r, plane.scale_shift());
                }
            }
        }
        lap_sum += ls as i128;
        lap_sq += lq as i128;
        grad_sq += gq as i128;
    }
    figures(
        (lap_sum, lap_sq, grad_sq),
        w * h,
        plane.scale_shift(),
        noise,
    )
}

/// The figures from the sums over `pixels` pixels of samples `shift` bits above 8-bit.
fn figures(
    (lap_sum, lap_sq, grad_sq): (i128, i128, i128),
    pixels: usize,
    shift: u32,
    noise: &NoiseHistogram,
) -> DerivativeFigures {
    let n = pixels as i128;
    let unit = (1u64 << (2 * shift)) as f64;
    let var_num = n * lap_sq - lap_sum * lap_sum;
    DerivativeFigures {
        laplacian_variance: var_num as f64 / (n as f64 * n as f64) / unit,
        tenengrad: grad_sq as f64 / n as f64 / unit,
        noise: noise.sigma(shift),
    }
}

/// The noise rows of a plane `h` rows tall: every [`NOISE_ROW_STEP`]th from the middle of
/// the first step, or every row of short planes.
#[inline(always)]
fn noise_rows(h: usize) -> (usize, usize) {
    let step = if h < NOISE_ALL_ROWS {
        1
    } else {
        NOISE_ROW_STEP
    };
    (step, step / 2)
}

/// [`pass`] for 8-bit planes with AVX2, reading the plane's rows in place: 16 pixels at a time
/// in i16 lanes (as [`row_sums_8bit_avx2`]), the first and last columns and the tail with
/// reflect-101 one pixel at a time. The same exact sums, so the same figures.
#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::*;
    use std::arch::x86_64::*;

    /// The three rows' samples at `x - 1`, `x`, `x + 1` (reflect-101) as i32.
    #[inline(always)]
    fn taps(r: &[u8], x: usize) -> [i32; 3] {
        let w = r.len();
        [x as isize - 1, x as isize, x as isize + 1].map(|i| r[reflect101(i, w)] as i32)
    }

    /// Laplacian, gx, gy and Immerkaer response of pixel `x`.
    #[inline(always)]
    fn pixel(u: &[u8], c: &[u8], d: &[u8], x: usize) -> [i32; 4] {
        let ([u0, u1, u2], [c0, c1, c2], [d0, d1, d2]) = (taps(u, x), taps(c, x), taps(d, x));
        [
            c0 + c2 + u1 + d1 - 4 * c1,
            (u2 - u0) + 2 * (c2 - c0) + (d2 - d0),
            (d0 + 2 * d1 + d2) - (u0 + 2 * u1 + u2),
            (u0 - 2 * u1 + u2) - 2 * (c0 - 2 * c1 + c2) + (d0 - 2 * d1 + d2),
        ]
    }

    /// The 4-neighbour Laplacian and the Sobel gx and gy of 16 pixels, from the samples left
    /// of, at and right of them in the rows above, at and below (i16 lanes; 8-bit samples
    /// keep every value within i16).
    #[target_feature(enable = "avx2")]
    #[inline]
    pub(super) fn laplacian_and_gradient(
        [[u0, u1, u2], [c0, c1, c2], [d0, d1, d2]]: [[__m256i; 3]; 3],
    ) -> [__m256i; 3] {
        let lap = _mm256_sub_epi16(
            _mm256_add_epi16(_mm256_add_epi16(c0, c2), _mm256_add_epi16(u1, d1)),
            _mm256_slli_epi16::<2>(c1),
        );
        let gx = _mm256_add_epi16(
            _mm256_add_epi16(_mm256_sub_epi16(u2, u0), _mm256_sub_epi16(d2, d0)),
            _mm256_slli_epi16::<1>(_mm256_sub_epi16(c2, c0)),
        );
        let gy = _mm256_add_epi16(
            _mm256_add_epi16(_mm256_sub_epi16(d0, u0), _mm256_sub_epi16(d2, u2)),
            _mm256_slli_epi16::<1>(_mm256_sub_epi16(d1, u1)),
        );
        [lap, gx, gy]
    }

    /// 16 samples of `r` from `x` as i16; callers keep x + 16 <= r.len().
    #[target_feature(enable = "avx2")]
    fn load(r: &[u8], x: usize) -> __m256i {
        assert!(x + 16 <= r.len());
        // SAFETY: in bounds, as asserted; unaligned loads are allowed.
        _mm256_cvtepu8_epi16(unsafe { _mm_loadu_si128(r.as_ptr().add(x) as *const __m128i) })
    }

    /// Stores 16 pixels' magnitudes `m` (0..=2040) and responses `r` (0..=4080), i16 lanes,
    /// [`pack`]ed into `out` from `x`.
    #[target_feature(enable = "avx2")]
    fn store_packed(out: &mut [u64], x: usize, m: __m256i, r: __m256i) {
        assert!(x + 16 <= out.len());
        let one = _mm256_set1_epi64x(1);
        let quarters = |v: __m256i| {
            let (lo, hi) = (_mm256_castsi256_si128(v), _mm256_extracti128_si256::<1>(v));
            [lo, _mm_srli_si128::<8>(lo), hi, _mm_srli_si128::<8>(hi)]
                .map(|q| _mm256_cvtepu16_epi64(q))
        };
        for (k, (m, r)) in quarters(m).into_iter().zip(quarters(r)).enumerate() {
            let p = _mm256_or_si256(
                _mm256_or_si256(
                    _mm256_slli_epi64::<{ PACKED_BIN_SHIFT as i32 }>(m),
                    _mm256_slli_epi64::<{ PACKED_COUNT_BITS as i32 }>(r),
                ),
                one,
            );
            // SAFETY: in bounds, as asserted.
            unsafe { _mm256_storeu_si256(out.as_mut_ptr().add(x + 4 * k) as *mut __m256i, p) };
        }
    }

    /// The sums of one row; with `NOISE`, each pixel's |gx|+|gy| and |response|, [`pack`]ed.
    #[target_feature(enable = "avx2")]
    fn row<const NOISE: bool>([u, c, d]: [&[u8]; 3], packed: &mut [u64]) -> (i64, i64, i64) {
        let w = c.len();
        let ones = _mm256_set1_epi16(1);
        let (mut ls, mut lq, mut gq) = (0i64, 0i64, 0i64);
        let lanes_sum = |v: __m256i| -> i64 {
            let mut a = [0i32; 8];
            // SAFETY: `a` has room for 8 i32.
            unsafe { _mm256_storeu_si256(a.as_mut_ptr() as *mut __m256i, v) };
            a.iter().map(|&x| x as i64).sum()
        };
        // Pixels x..x + 16 (x >= 1, x + 17 <= w), those of lanes outside `keep` left out of
        // the sums: Laplacian, squared Laplacian and squared gradient in i32 lanes (each adds
        // at most 4 * 1020^2).
        let block = |x: usize, keep: __m256i, packed: &mut [u64]| {
            let taps = [u, c, d].map(|r| [load(r, x - 1), load(r, x), load(r, x + 1)]);
            let [[u0, u1, u2], [c0, c1, c2], [d0, d1, d2]] = taps;
            let [lap, gx, gy] = laplacian_and_gradient(taps);
            if NOISE {
                // (u0 - 2 u1 + u2) - 2 (c0 - 2 c1 + c2) + (d0 - 2 d1 + d2), at most 4080.
                let second = |a: __m256i, b: __m256i, e: __m256i| {
                    _mm256_sub_epi16(_mm256_add_epi16(a, e), _mm256_slli_epi16::<1>(b))
                };
                let r = _mm256_add_epi16(
                    _mm256_sub_epi16(
                        second(u0, u1, u2),
                        _mm256_slli_epi16::<1>(second(c0, c1, c2)),
                    ),
                    second(d0, d1, d2),
                );
                let m = _mm256_add_epi16(_mm256_abs_epi16(gx), _mm256_abs_epi16(gy));
                store_packed(packed, x, m, _mm256_abs_epi16(r));
            }
            let [lap, gx, gy] = [lap, gx, gy].map(|v| _mm256_and_si256(v, keep));
            [
                _mm256_madd_epi16(lap, ones),
                _mm256_madd_epi16(lap, lap),
                _mm256_add_epi32(_mm256_madd_epi16(gx, gx), _mm256_madd_epi16(gy, gy)),
            ]
        };
        let all = _mm256_set1_epi16(-1);
        // Sums flushed to i64 every 128 blocks.
        let mut x = 1;
        while x + 17 <= w {
            let mut sums = [_mm256_setzero_si256(); 3];
            let mut steps = 0;
            while x + 17 <= w && steps < 128 {
                for (s, v) in sums.iter_mut().zip(block(x, all, packed)) {
                    *s = _mm256_add_epi32(*s, v);
                }
                x += 16;
                steps += 1;
            }
            ls += lanes_sum(sums[0]);
            lq += lanes_sum(sums[1]);
            gq += lanes_sum(sums[2]);
        }
        // The pixels left before the last, in a block ending there with those done left out.
        if x > 1 && x < w - 1 {
            let last = w - 17;
            let lanes = _mm256_setr_epi16(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
            let done = _mm256_set1_epi16((x - last) as i16);
            let keep = _mm256_cmpgt_epi16(lanes, _mm256_sub_epi16(done, ones));
            let [a, b, c] = block(last, keep, packed);
            ls += lanes_sum(a);
            lq += lanes_sum(b);
            gq += lanes_sum(c);
            x = w - 1;
        }
        for p in std::iter::once(0).chain(x.max(1)..w) {
            let [lap, gx, gy, r] = pixel(u, c, d, p);
            let (lap, gx, gy) = (lap as i64, gx as i64, gy as i64);
            ls += lap;
            lq += lap * lap;
            gq += gx * gx + gy * gy;
            if NOISE {
                packed[p] = pack(
                    gx.unsigned_abs() as u32 + gy.unsigned_abs() as u32,
                    r.unsigned_abs(),
                );
            }
        }
        (ls, lq, gq)
    }

    #[target_feature(enable = "avx2")]
    pub(super) fn pass_u8(
        plane: &LumaPlane,
        noise: &mut NoiseHistogram,
        packed_row: &mut Vec<u64>,
    ) -> DerivativeFigures {
        let (w, h) = (plane.width(), plane.height());
        noise.clear();
        packed_row.resize(w, 0);
        let (step, first) = noise_rows(h);
        let packed = w * h.div_ceil(step) <= MAX_PACKED_PIXELS;
        let row_of = |y: isize| plane.row_u8(reflect101(y, h)).unwrap_or(&[]);
        let (mut lap_sum, mut lap_sq, mut grad_sq) = (0i128, 0i128, 0i128);
        for y in 0..h {
            let rows = [
                row_of(y as isize - 1),
                row_of(y as isize),
                row_of(y as isize + 1),
            ];
            let (ls, lq, gq) = if y % step == first {
                let sums = row::<true>(rows, packed_row);
                if packed {
                    noise.add_packed(packed_row);
                } else {
                    for &p in packed_row.iter() {
                        let (m, r) = unpack(p);
                        noise.add(m, r, 0);
                    }
                }
                sums
            } else {
                row::<false>(rows, packed_row)
            };
            lap_sum += ls as i128;
            lap_sq += lq as i128;
            grad_sq += gq as i128;
        }
        figures((lap_sum, lap_sq, grad_sq), w * h, 0, noise)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_avx2_build_gives_the_same_figures() {
        let (w, h) = (203, 117);
        let data = crate::analysis::kernels::simd::textured(w, h);
        let deep: Vec<u16> = data.iter().map(|&v| (v as u16) << 2).collect();
        for p in [
            LumaPlane::new_u8(&data, w, h, w).unwrap(),
            LumaPlane::new_u16(&deep, w, h, w, 2).unwrap(),
        ] {
            let dispatched = derivatives(&p, &mut DerivativeScratch::default());
            let baseline = derivatives_body(&p, &mut DerivativeScratch::default());
            assert_eq!(dispatched, baseline);
        }
    }

    #[test]
    fn the_avx2_pass_over_8_bit_rows_equals_the_padded_one() {
        if !std::arch::is_x86_feature_detected!("avx2") {
            return;
        }
        for (w, h) in [
            (1, 1),
            (2, 3),
            (17, 5),
            (18, 70),
            (33, 64),
            (203, 117),
            (4100, 3),
        ] {
            let data = crate::analysis::kernels::simd::textured(w, h);
            let p = LumaPlane::new_u8(&data, w, h, w).unwrap();
            let DerivativeScratch {
                rows8,
                line8,
                mut noise,
                mut mags,
                mut resp,
                mut packed,
                ..
            } = DerivativeScratch::default();
            let (mut rows8, mut line8) = (rows8, line8);
            let padded = pass(&p, &mut rows8, &mut line8, &mut noise, &mut mags, &mut resp);
            // SAFETY: the CPU has AVX2.
            let direct = unsafe { x86::pass_u8(&p, &mut noise, &mut packed) };
            assert_eq!(direct, padded, "{w}x{h}");
        }
    }

    #[test]
    fn avx2_sums_equal_the_portable_ones() {
        let data = crate::analysis::kernels::simd::textured(613, 3);
        let row = |y: usize| -> Vec<i16> {
            data[y * 613..(y + 1) * 613]
                .iter()
                .map(|&v| v as i16)
                .collect()
        };
        let (u, c, d) = (row(0), row(1), row(2));
        let extremes: Vec<i16> = (0..613).map(|i| if i % 2 == 0 { 255 } else { 0 }).collect();
        let zeros = vec![0i16; 613];
        if !std::arch::is_x86_feature_detected!("avx2") {
            return;
        }
        for n in [1, 15, 16, 17, 255, 256, 257, 611] {
            for (u, c, d) in [
                (&u, &c, &d),
                (&zeros, &extremes, &zeros),
                (&extremes, &zeros, &extremes),
            ] {
                // SAFETY: the CPU has AVX2.
                let fast = unsafe { row_sums_8bit_avx2(u, c, d, n) };
                assert_eq!(fast, row_sums_8bit(u, c, d, n), "n {n}");
                assert_eq!(fast, row_sums(&widen(u), &widen(c), &widen(d), n), "n {n}");
            }
        }
    }

    fn widen(v: &[i16]) -> Vec<i32> {
        v.iter().map(|&x| x as i32).collect()
    }

    /// Direct definition with explicit border handling, for comparison.
    fn reference(data: &[u8], w: usize, h: usize) -> (f64, f64) {
        let px = |x: isize, y: isize| data[reflect101(y, h) * w + reflect101(x, w)] as f64;
        let mut laps = vec![];
        let mut ten = 0.0;
        for y in 0..h as isize {
            for x in 0..w as isize {
                laps.push(
                    px(x - 1, y) + px(x + 1, y) + px(x, y - 1) + px(x, y + 1) - 4.0 * px(x, y),
                );
                let gx = px(x + 1, y - 1) - px(x - 1, y - 1)
                    + 2.0 * (px(x + 1, y) - px(x - 1, y))
                    + px(x + 1, y + 1)
                    - px(x - 1, y + 1);
                let gy = px(x - 1, y + 1) + 2.0 * px(x, y + 1) + px(x + 1, y + 1)
                    - px(x - 1, y - 1)
                    - 2.0 * px(x, y - 1)
                    - px(x + 1, y - 1);
                ten += gx * gx + gy * gy;
            }
        }
        let n = laps.len() as f64;
        let mean = laps.iter().sum::<f64>() / n;
        let var = laps.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
        (var, ten / n)
    }

    fn pseudo_random(n: usize, seed: u32) -> Vec<u8> {
        let mut s = seed;
        (0..n)
            .map(|_| {
                s = s.wrapping_mul(1664525).wrapping_add(1013904223);
                (s >> 24) as u8
            })
            .collect()
    }

    #[test]
    fn reflect101_matches_opencv() {
        assert_eq!(reflect101(-1, 5), 1);
        assert_eq!(reflect101(5, 5), 3);
        assert_eq!(reflect101(-1, 2), 1);
        assert_eq!(reflect101(2, 2), 0);
        assert_eq!(reflect101(-1, 1), 0);
    }

    #[test]
    fn matches_direct_definition_on_all_small_sizes() {
        for (w, h) in [(1, 1), (1, 5), (5, 1), (2, 2), (3, 5), (33, 17), (64, 3)] {
            let data = pseudo_random(w * h, (w * 31 + h) as u32);
            let p = LumaPlane::new_u8(&data, w, h, w).unwrap();
            let got = derivatives(&p, &mut DerivativeScratch::default());
            let (var, ten) = reference(&data, w, h);
            assert!(
                (got.laplacian_variance - var).abs() <= 1e-9 * var.max(1.0),
                "{w}x{h}"
            );
            assert!(
                (got.tenengrad - ten).abs() <= 1e-9 * ten.max(1.0),
                "{w}x{h}"
            );
        }
    }

    #[test]
    fn uniform_plane_gives_zero() {
        let p = LumaPlane::new_u8(&[77; 12], 4, 3, 4).unwrap();
        let f = derivatives(&p, &mut DerivativeScratch::default());
        assert_eq!(f.laplacian_variance, 0.0);
        assert_eq!(f.tenengrad, 0.0);
    }

    #[test]
    fn deep_samples_give_the_8bit_figures() {
        let data = pseudo_random(40 * 30, 7);
        let p8 = LumaPlane::new_u8(&data, 40, 30, 40).unwrap();
        let deep: Vec<u16> = data.iter().map(|&v| (v as u16) << 8).collect();
        let p16 = LumaPlane::new_u16(&deep, 40, 30, 40, 8).unwrap();
        let a = derivatives(&p8, &mut DerivativeScratch::default());
        let b = derivatives(&p16, &mut DerivativeScratch::default());
        assert_eq!(a, b);
    }
}
