//! Per-axis band energies of a 1-D Laplacian pyramid (kernel [1,4,6,4,1]/16, reflect-101,
//! decimation by 2 along the axis only), on every [`LINE_STEP`]th line.

use super::derivatives::reflect101;
use super::simd::{has_avx2, with_avx2};
use crate::analysis::frame::plane::LumaPlane;

/// Number of pyramid bands; band 0 is the finest (0.25..0.5 cycles per pixel).
pub const BANDS: usize = 5;

/// Shortest line, in pixels, that yields all bands with at least 4 samples in the last one;
/// smaller frames are not judged.
pub const MIN_LINE: usize = 4 << (BANDS - 1);

/// The pyramid kernel, [1,4,6,4,1]/16.
pub(super) const KERNEL: [f32; 5] = [1.0 / 16.0, 4.0 / 16.0, 6.0 / 16.0, 4.0 / 16.0, 1.0 / 16.0];

/// Mean squared band value per band, in 8-bit units squared.
pub type Energies = [f64; BANDS];

/// One line in this many is read: rows `LINE_STEP / 2`, then every `LINE_STEP`; columns alike.
pub const LINE_STEP: usize = 4;

/// Side of the square blocks energies are pooled in, in pixels.
pub const BLOCK: usize = 64;

/// Squared band values summed per block and band, with sample counts, for one axis.
#[derive(Debug, Default, Clone)]
pub struct BlockEnergies {
    pub columns: usize,
    pub rows: usize,
    sums: Vec<Energies>,
    counts: Vec<[u64; BANDS]>,
}

impl BlockEnergies {
    fn reset(&mut self, width: usize, height: usize) {
        self.columns = width.div_ceil(BLOCK);
        self.rows = height.div_ceil(BLOCK);
        let n = self.columns * self.rows;
        self.sums.clear();
        self.sums.resize(n, [0.0; BANDS]);
        self.counts.clear();
        self.counts.resize(n, [0; BANDS]);
    }

    /// Mean energy per band of block `i` (row-major); 0 where a band has no samples.
    pub fn block(&self, i: usize) -> Energies {
        let mut out = [0.0; BANDS];
        for ((o, s), &n) in out.iter_mut().zip(&self.sums[i]).zip(&self.counts[i]) {
            if n > 0 {
                *o = s / n as f64;
            }
        }
        out
    }

    pub fn len(&self) -> usize {
        self.sums.len()
    }

    pub fn is_empty(&self) -> bool {
        self.sums.is_empty()
    }

    /// Mean energy per band over the whole plane.
    pub fn frame(&self) -> Energies {
        let mut out = [0.0; BANDS];
        for b in 0..BANDS {
            let s: f64 = self.sums.iter().map(|e| e[b]).sum();
            let n: u64 = self.counts.iter().map(|c| c[b]).sum();
            if n > 0 {
                out[b] = s / n as f64;
            }
        }
        out
    }
}

/// Line memory reused across frames.
#[derive(Debug, Default)]
pub struct BandScratch {
    level: Vec<f32>,
    blurred: Vec<f32>,
    /// [`vertical`]'s row of deep samples, its per-lane sums and its spare blurred row.
    lane_rows: Vec<f32>,
    /// Band 0 of [`horizontal`] on 8-bit rows.
    padded: Vec<i16>,
    blurred16: Vec<i16>,
    /// Levels of [`vertical`], apart so that [`horizontal`] does not resize them.
    lane_level: Vec<f32>,
    lane_blurred: Vec<f32>,
    lane_band_0: LaneBand0,
}

/// [`vertical`]'s band 0 of 8-bit planes: the sampled columns as i16, a blurred row times 16
/// and the sums of squares per pair of lanes.
#[derive(Debug, Default)]
struct LaneBand0 {
    samples: Vec<i16>,
    blurred: Vec<i16>,
    sums: Vec<i32>,
}

/// The pyramid kernel at sample `i` of `src`, reflect-101 at the ends.
#[inline(always)]
fn blur_at_edge(src: &[f32], i: usize) -> f32 {
    KERNEL
        .iter()
        .enumerate()
        .map(|(t, k)| k * src[reflect101(i as isize + t as isize - 2, src.len())])
        .sum()
}

/// Filters `src` with the pyramid kernel (reflect-101) into `out`.
#[inline(always)]
pub(super) fn blur_line(src: &[f32], out: &mut Vec<f32>) {
    let n = src.len();
    out.clear();
    for i in 0..n.min(2) {
        out.push(blur_at_edge(src, i));
    }
    if n > 4 {
        out.extend(
            src.windows(5)
                .map(|s| KERNEL[0] * (s[0] + s[4]) + KERNEL[1] * (s[1] + s[3]) + KERNEL[2] * s[2]),
        );
    }
    for i in out.len()..n {
        out.push(blur_at_edge(src, i));
    }
}

/// Sum of `(a - b)^2`, in eight f32 lanes added up in f64.
#[inline(always)]
pub(super) fn squared_difference(a: &[f32], b: &[f32]) -> f64 {
    let mut lanes = [0f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f64 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| ((x - y) * (x - y)) as f64)
        .sum();
    for (x, y) in ca.zip(cb) {
        for k in 0..8 {
            let d = x[k] - y[k];
            lanes[k] += d * d;
        }
    }
    lanes.iter().map(|&v| v as f64).sum::<f64>() + tail
}

/// [`squared_difference`] of `N` samples, the same operations unrolled.
#[inline(always)]
fn squared_difference_n<const N: usize>(a: &[f32; N], b: &[f32; N]) -> f64 {
    let mut lanes = [0f32; 8];
    for j in 0..N / 8 {
        for k in 0..8 {
            let d = a[8 * j + k] - b[8 * j + k];
            lanes[k] += d * d;
        }
    }
    let tail: f64 = (N / 8 * 8..N)
        .map(|i| ((a[i] - b[i]) * (a[i] - b[i])) as f64)
        .sum();
    lanes.iter().map(|&v| v as f64).sum::<f64>() + tail
}

/// Calls `add(k, sum, N)` with the [`squared_difference`] of each whole chunk `k` of `N`
/// samples of `a` and `b`; returns how many there were.
#[inline(always)]
fn add_chunks<const N: usize>(
    a: &[f32],
    b: &[f32],
    add: &mut impl FnMut(usize, f64, usize),
) -> usize {
    let (ca, cb) = (a.chunks_exact(N), b.chunks_exact(N));
    let whole = ca.len().min(cb.len());
    let avx2 = has_avx2();
    for (k, (x, y)) in ca.zip(cb).enumerate() {
        let (x, y) = (x.try_into().unwrap(), y.try_into().unwrap());
        #[cfg(target_arch = "x86_64")]
        if avx2 {
            // SAFETY: the CPU has AVX2.
            add(k, unsafe { x86::squared_difference_n::<N>(x, y) }, N);
            continue;
        }
        let _ = avx2;
        add(k, squared_difference_n::<N>(x, y), N);
    }
    whole
}

/// Fills the two samples at each end of `padded` (a row with two free samples on each side)
/// by reflect-101.
#[inline(always)]
pub(super) fn pad_reflected<T: Copy>(padded: &mut [T]) {
    let w = padded.len() - 4;
    for t in 1..=2 {
        padded[2 - t] = padded[2 + reflect101(-(t as isize), w)];
        padded[w + 1 + t] = padded[2 + reflect101((w - 1 + t) as isize, w)];
    }
}

/// Writes the 8-bit `row` as i16 into `padded`, with two samples reflected (reflect-101) on
/// each side, and its pyramid-kernel blur times 16 (exact, at most 4080) into `blurred`.
#[inline(always)]
pub(super) fn blur_row_u8(row: &[u8], padded: &mut Vec<i16>, blurred: &mut Vec<i16>) {
    let w = row.len();
    padded.resize(w + 4, 0);
    blurred.resize(w, 0);
    let (p, b) = (&mut padded[..w + 4], &mut blurred[..w]);
    for (d, &v) in p[2..w + 2].iter_mut().zip(row) {
        *d = v as i16;
    }
    pad_reflected(p);
    for x in 0..w {
        b[x] = p[x] + p[x + 4] + 4 * (p[x + 1] + p[x + 3]) + 6 * p[x + 2];
    }
}

/// Adds the squared band values of the line in `scratch.level`, from band `from` on (the line
/// is that band's level), to the blocks `first, first + step, ...` along it.
#[inline(always)]
fn accumulate_levels(
    scratch: &mut BandScratch,
    out: &mut BlockEnergies,
    (first, step): (usize, usize),
    from: usize,
) {
    let BandScratch { level, blurred, .. } = scratch;
    for band in from..BANDS {
        let n = level.len();
        if n < 2 {
            break;
        }
        blur_line(level, blurred);
        let chunk = (BLOCK >> band).max(1);
        let mut add = |k: usize, sum: f64, len: usize| {
            let i = first + k * step;
            out.sums[i][band] += sum;
            out.counts[i][band] += len as u64;
        };
        // Whole chunks of the sizes bands 1 to 4 have, with their size known.
        let whole = match chunk {
            32 => add_chunks::<32>(level, blurred, &mut add),
            16 => add_chunks::<16>(level, blurred, &mut add),
            8 => add_chunks::<8>(level, blurred, &mut add),
            4 => add_chunks::<4>(level, blurred, &mut add),
            _ => 0,
        };
        let rest = level[whole * chunk..].chunks(chunk);
        for (k, (a, b)) in rest.zip(blurred[whole * chunk..].chunks(chunk)).enumerate() {
            add(whole + k, squared_difference(a, b), a.len());
        }
        even_samples(blurred, level);
    }
}

/// Replaces `level` with the samples of `blurred` at even positions.
#[inline(always)]
fn even_samples<T: Copy>(blurred: &[T], level: &mut Vec<f32>)
where
    f32: From<T>,
{
    let n = blurred.len();
    level.resize(n.div_ceil(2), 0.0);
    // Pairs, then the odd length's last sample: this vectorises, step_by(2) does not.
    for (l, pair) in level.iter_mut().zip(blurred.chunks_exact(2)) {
        *l = f32::from(pair[0]);
    }
    if n % 2 == 1 {
        level[n / 2] = f32::from(blurred[n - 1]);
    }
}

/// Band 0 of an 8-bit row (at least 2 samples) in integers, exactly: the kernel times 16 fits
/// i16 (at most 4080), as do 16 times the band and, summed over a block of 64, its squares
/// i32. Leaves band 1's level (the blurred row at even positions) in `scratch.level`.
#[inline(always)]
fn first_band_u8(row: &[u8], scratch: &mut BandScratch, out: &mut BlockEnergies, first: usize) {
    let w = row.len();
    let BandScratch {
        level,
        padded,
        blurred16,
        ..
    } = scratch;
    blur_row_u8(row, padded, blurred16);
    let (p, b) = (&padded[..w + 4], &blurred16[..w]);
    for (k, x0) in (0..w).step_by(BLOCK).enumerate() {
        let x1 = (x0 + BLOCK).min(w);
        let mut sum = 0i32;
        for (&v, &bl) in p[x0 + 2..x1 + 2].iter().zip(&b[x0..x1]) {
            let d = (16 * v - bl) as i32;
            sum += d * d;
        }
        out.sums[first + k][0] += sum as f64 / 256.0;
        out.counts[first + k][0] += (x1 - x0) as u64;
    }
    even_samples(b, level);
    level.iter_mut().for_each(|v| *v /= 16.0);
}

with_avx2!(
    /// Band energies along rows (horizontal detail), per block, from every
    /// [`LINE_STEP`]th row.
    pub fn horizontal(plane: &LumaPlane, scratch: &mut BandScratch, out: &mut BlockEnergies)
        => horizontal_body
);

#[inline(always)]
fn horizontal_body(plane: &LumaPlane, scratch: &mut BandScratch, out: &mut BlockEnergies) {
    let (w, h) = (plane.width(), plane.height());
    out.reset(w, h);
    for y in (LINE_STEP / 2..h).step_by(LINE_STEP) {
        let first = (y / BLOCK) * out.columns;
        match plane.row_u8(y) {
            Some(row) if w >= 2 => {
                first_band_u8(row, scratch, out, first);
                accumulate_levels(scratch, out, (first, 1), 1);
            }
            _ => {
                scratch.level.resize(w, 0.0);
                plane.row_f32(y, &mut scratch.level);
                accumulate_levels(scratch, out, (first, 1), 0);
            }
        }
    }
}

with_avx2!(
    /// Band energies along columns (vertical detail), per block, from every
    /// [`LINE_STEP`]th column. The sampled columns are lanes of rows read in order, so each
    /// pyramid level filters whole rows at once.
    pub fn vertical(plane: &LumaPlane, scratch: &mut BandScratch, out: &mut BlockEnergies)
        => vertical_body
);

/// `out = KERNEL` across the rows `rows[t]` (lane by lane), summed as [`blur_line`] sums
/// the samples at a line's ends (`edge`) or inside it.
#[inline(always)]
fn blur_rows(rows: [&[f32]; 5], edge: bool, out: &mut [f32]) {
    let n = out.len();
    let [r0, r1, r2, r3, r4] = rows.map(|r| &r[..n]);
    if edge {
        for x in 0..n {
            let mut v = 0.0;
            for (k, r) in KERNEL.iter().zip([r0, r1, r2, r3, r4]) {
                v += k * r[x];
            }
            out[x] = v;
        }
    } else {
        for x in 0..n {
            out[x] = KERNEL[0] * (r0[x] + r4[x]) + KERNEL[1] * (r1[x] + r3[x]) + KERNEL[2] * r2[x];
        }
    }
}

#[inline(always)]
fn vertical_body(plane: &LumaPlane, scratch: &mut BandScratch, out: &mut BlockEnergies) {
    let (w, h) = (plane.width(), plane.height());
    out.reset(w, h);
    // Lane k is column LINE_STEP / 2 + k LINE_STEP.
    let lanes = (w + LINE_STEP - 1 - LINE_STEP / 2) / LINE_STEP;
    let BandScratch {
        lane_level: level,
        lane_blurred: blurred,
        lane_rows: row,
        lane_band_0,
        ..
    } = scratch;
    // `level` holds the current level; its blurred rows at even y go to `next`, the others
    // to the spare row, and the two swap for the next level.
    let next_len = lanes * h.div_ceil(2);
    level.resize(lanes * h, 0.0);
    blurred.resize(next_len, 0.0);
    row.resize(w + 2 * lanes, 0.0);
    let (row, rest) = row.split_at_mut(w);
    let (sums, spare) = rest.split_at_mut(lanes);
    let (mut level, mut next) = (&mut level[..], &mut blurred[..]);
    let (mut n, mut first_band) = (h, 0);
    if h >= 2 && plane.row_u8(0).is_some() {
        vertical_band_0_u8(plane, lanes, lane_band_0, out, level);
        (n, first_band) = (h.div_ceil(2), 1);
    } else {
        for y in 0..h {
            plane.row_f32(y, row);
            for (l, v) in level[y * lanes..(y + 1) * lanes]
                .iter_mut()
                .zip(row[LINE_STEP / 2..].iter().step_by(LINE_STEP))
            {
                *l = *v;
            }
        }
    }
    for band in first_band..BANDS {
        if n < 2 {
            break;
        }
        let chunk = (BLOCK >> band).max(1);
        for y0 in (0..n).step_by(chunk) {
            let y1 = (y0 + chunk).min(n);
            sums.fill(0.0);
            for y in y0..y1 {
                let rows = lane_rows(level, y, n, lanes);
                let edge = n <= 4 || y < 2 || y >= n - 2;
                let b = if y % 2 == 0 {
                    &mut next[y / 2 * lanes..(y / 2 + 1) * lanes]
                } else {
                    &mut *spare
                };
                blur_rows(rows, edge, b);
                let l = &level[y * lanes..(y + 1) * lanes];
                for ((s, a), b) in sums.iter_mut().zip(l).zip(b.iter()) {
                    *s += (a - b) * (a - b);
                }
            }
            let sums = sums.iter().map(|&s| s as f64);
            add_lane_sums(out, (band, y0 / chunk), y1 - y0, sums);
        }
        std::mem::swap(&mut level, &mut next);
        n = n.div_ceil(2);
    }
}

/// Band 0 of [`vertical`] on an 8-bit plane (at least 2 rows) in integers, exactly, as
/// [`first_band_u8`] along rows; writes band 1's level (the blurred even rows) to `level1`.
#[inline(always)]
fn vertical_band_0_u8(
    plane: &LumaPlane,
    lanes: usize,
    LaneBand0 {
        samples,
        blurred,
        sums,
    }: &mut LaneBand0,
    out: &mut BlockEnergies,
    level1: &mut [f32],
) {
    let h = plane.height();
    if lanes == 0 {
        return;
    }
    samples.resize(lanes * h, 0);
    blurred.resize(lanes, 0);
    for (y, lane_row) in samples.chunks_exact_mut(lanes).enumerate() {
        let row = plane.row_u8(y).expect("an 8-bit plane");
        let r = row.get(LINE_STEP / 2..).unwrap_or_default();
        // Whole groups of LINE_STEP samples, then a last partial one.
        for (l, c) in lane_row.iter_mut().zip(r.chunks_exact(LINE_STEP)) {
            *l = c[0] as i16;
        }
        let whole = r.len() / LINE_STEP;
        if whole < lanes {
            lane_row[whole] = r[whole * LINE_STEP] as i16;
        }
    }
    let pairs = lanes.div_ceil(2);
    sums.resize(pairs, 0);
    let (samples, b, sums) = (&samples[..], &mut blurred[..lanes], &mut sums[..pairs]);
    for y0 in (0..h).step_by(BLOCK) {
        let y1 = (y0 + BLOCK).min(h);
        sums.fill(0);
        for y in y0..y1 {
            band_0_lanes(lane_rows(samples, y, h, lanes), b, sums);
            if y % 2 == 0 {
                for (l, &v) in level1[y / 2 * lanes..(y / 2 + 1) * lanes]
                    .iter_mut()
                    .zip(&*b)
                {
                    *l = v as f32 / 16.0;
                }
            }
        }
        // Pair k's sum for lane 2k, 0 for lane 2k + 1: the same block (module constants), and
        // sums of integers over 256 are exact in f64, so the block sums are as lane by lane.
        let lane_sums = (0..lanes).map(|x| match x % 2 {
            0 => sums[x / 2] as f64 / 256.0,
            _ => 0.0,
        });
        add_lane_sums(out, (0, y0 / BLOCK), y1 - y0, lane_sums);
    }
}

/// Lanes per block of the vertical pass: even, so lanes 2k and 2k + 1 share a block.
const _: () = assert!((BLOCK / LINE_STEP).is_multiple_of(2) && LINE_STEP / 2 < LINE_STEP);

/// One row of [`vertical_band_0_u8`]: the blur across `rows` (times 16, at most 4080) into
/// `blurred`, and the squared band (16 times the band, at most 2550 in magnitude) added to
/// `sums` per pair of lanes (2k, 2k + 1); over 64 rows a pair's sum stays below 2^30.
#[inline(always)]
fn band_0_lanes(rows: [&[i16]; 5], blurred: &mut [i16], sums: &mut [i32]) {
    let lanes = blurred.len();
    let mut done = 0;
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2.
        done = unsafe { x86::band_0_lanes(rows, blurred, sums) };
    }
    let [r0, r1, r2, r3, r4] = rows.map(|r| &r[..lanes]);
    for x in done..lanes {
        blurred[x] = r0[x] + r4[x] + 4 * (r1[x] + r3[x]) + 6 * r2[x];
        let d = (16 * r2[x] - blurred[x]) as i32;
        sums[x / 2] += d * d;
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use std::arch::x86_64::*;

    /// [`super::squared_difference_n`] in one vector of eight f32 lanes (the same operations,
    /// which LLVM otherwise gathers across chunks), `N` a multiple of 8 or below 8.
    #[target_feature(enable = "avx2")]
    pub(super) fn squared_difference_n<const N: usize>(a: &[f32; N], b: &[f32; N]) -> f64 {
        const { assert!(N.is_multiple_of(8) || N < 8) };
        let mut squares = [0f64; 8];
        if N >= 8 {
            let mut lanes = _mm256_setzero_ps();
            for j in (0..N).step_by(8) {
                // SAFETY: j + 8 <= N, within both arrays.
                let (x, y) = unsafe {
                    (
                        _mm256_loadu_ps(a.as_ptr().add(j)),
                        _mm256_loadu_ps(b.as_ptr().add(j)),
                    )
                };
                let d = _mm256_sub_ps(x, y);
                lanes = _mm256_add_ps(lanes, _mm256_mul_ps(d, d));
            }
            let (lo, hi) = (
                _mm256_cvtps_pd(_mm256_castps256_ps128(lanes)),
                _mm256_cvtps_pd(_mm256_extractf128_ps::<1>(lanes)),
            );
            // SAFETY: `squares` holds 8 f64.
            unsafe {
                _mm256_storeu_pd(squares.as_mut_ptr(), lo);
                _mm256_storeu_pd(squares.as_mut_ptr().add(4), hi);
            }
        } else {
            for i in 0..N {
                squares[i] = ((a[i] - b[i]) * (a[i] - b[i])) as f64;
            }
        }
        // Lanes are sums of squares, at least +0, so the first is the sum's first value.
        squares[1..N.min(8)].iter().fold(squares[0], |s, &v| s + v)
    }

    /// [`super::band_0_lanes`] 16 lanes at a time, squares of lane pairs by `vpmaddwd`;
    /// returns how many lanes it did.
    #[target_feature(enable = "avx2")]
    pub(super) fn band_0_lanes(rows: [&[i16]; 5], blurred: &mut [i16], sums: &mut [i32]) -> usize {
        let full = blurred.len() / 16 * 16;
        assert!(rows.iter().all(|r| r.len() >= full) && sums.len() * 2 >= full);
        for x in (0..full).step_by(16) {
            // SAFETY: x + 16 <= full, within every row and `blurred`; x / 2 + 8 <= sums.len().
            unsafe {
                let [a, b, c, d, e] =
                    rows.map(|r| _mm256_loadu_si256(r.as_ptr().add(x) as *const __m256i));
                let six_c = _mm256_add_epi16(_mm256_slli_epi16::<2>(c), _mm256_slli_epi16::<1>(c));
                let v = _mm256_add_epi16(
                    _mm256_add_epi16(_mm256_add_epi16(a, e), six_c),
                    _mm256_slli_epi16::<2>(_mm256_add_epi16(b, d)),
                );
                _mm256_storeu_si256(blurred.as_mut_ptr().add(x) as *mut __m256i, v);
                let band = _mm256_sub_epi16(_mm256_slli_epi16::<4>(c), v);
                let at = sums.as_mut_ptr().add(x / 2) as *mut __m256i;
                let sum = _mm256_add_epi32(_mm256_loadu_si256(at), _mm256_madd_epi16(band, band));
                _mm256_storeu_si256(at, sum);
            }
        }
        full
    }
}

/// Rows `y - 2 ..= y + 2` (reflect-101 among `n`) of `lanes` samples each in `level`.
#[inline(always)]
fn lane_rows<T>(level: &[T], y: usize, n: usize, lanes: usize) -> [&[T]; 5] {
    std::array::from_fn(|t| {
        let r = reflect101(y as isize + t as isize - 2, n);
        &level[r * lanes..(r + 1) * lanes]
    })
}

/// Adds per-lane sums of `band` over `rows` rows of block row `block_row` to the blocks
/// that hold the lanes' columns.
#[inline(always)]
fn add_lane_sums(
    out: &mut BlockEnergies,
    (band, block_row): (usize, usize),
    rows: usize,
    sums: impl Iterator<Item = f64>,
) {
    let first = block_row * out.columns;
    // Each block's sum is held in a register while its lanes are added, in lane order.
    let mut block: Option<(usize, f64, u64)> = None;
    let store = |out: &mut BlockEnergies, (i, sum, lanes): (usize, f64, u64)| {
        out.sums[i][band] = sum;
        out.counts[i][band] += lanes * rows as u64;
    };
    for (k, s) in sums.enumerate() {
        let i = first + (LINE_STEP / 2 + k * LINE_STEP) / BLOCK;
        let (at, sum, lanes) = match block {
            Some(b) if b.0 == i => b,
            other => {
                if let Some(b) = other {
                    store(out, b);
                }
                (i, out.sums[i][band], 0)
            }
        };
        block = Some((at, sum + s, lanes + 1));
    }
    if let Some(b) = block {
        store(out, b);
    }
}

/// Energy each band gets from white noise of unit variance.
pub fn white_noise_gains() -> &'static Energies {
    static GAINS: std::sync::OnceLock<Energies> = std::sync::OnceLock::new();
    GAINS.get_or_init(|| {
        // Equivalent full-rate filter of band i: (delta - k) upsampled by 2^i, after the
        // cascade of k upsampled by 2^j for j < i. Its squared norm is the variance gain.
        let upsample = |taps: &[f64], factor: usize| -> Vec<f64> {
            let mut out = vec![0.0; (taps.len() - 1) * factor + 1];
            for (i, t) in taps.iter().enumerate() {
                out[i * factor] = *t;
            }
            out
        };
        let convolve = |a: &[f64], b: &[f64]| -> Vec<f64> {
            let mut out = vec![0.0; a.len() + b.len() - 1];
            for (i, x) in a.iter().enumerate() {
                for (j, y) in b.iter().enumerate() {
                    out[i + j] += x * y;
                }
            }
            out
        };
        let k: Vec<f64> = KERNEL.iter().map(|&v| v as f64).collect();
        let mut band_pass = k.iter().map(|v| -v).collect::<Vec<_>>();
        band_pass[2] += 1.0;
        let mut cascade = vec![1.0];
        let mut gains = [0.0; BANDS];
        for (i, gain) in gains.iter_mut().enumerate() {
            let h = convolve(&cascade, &upsample(&band_pass, 1 << i));
            *gain = h.iter().map(|v| v * v).sum();
            cascade = convolve(&cascade, &upsample(&k, 1 << i));
        }
        gains
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_avx2_band_0_lanes_equal_the_portable_ones() {
        if !std::arch::is_x86_feature_detected!("avx2") {
            return;
        }
        // Extremes (0 and 255 times 1) and a texture, over lane counts around 16.
        let texture = crate::analysis::kernels::simd::textured(203, 5);
        for lanes in [1, 15, 16, 17, 33, 203] {
            for rows in [
                std::array::from_fn(|t| (0..lanes).map(|x| texture[t * 203 + x] as i16).collect()),
                std::array::from_fn(|t| vec![if t == 2 { 255i16 } else { 0 }; lanes]),
                std::array::from_fn(|t| vec![if t == 2 { 0i16 } else { 255 }; lanes]),
            ] {
                let rows: [Vec<i16>; 5] = rows;
                let rows = std::array::from_fn(|t| &rows[t][..]);
                let (mut simd, mut portable) = (
                    (vec![0; lanes], vec![7; lanes.div_ceil(2)]),
                    (vec![0; lanes], vec![7; lanes.div_ceil(2)]),
                );
                // SAFETY: the CPU has AVX2.
                let done = unsafe { x86::band_0_lanes(rows, &mut simd.0, &mut simd.1) };
                let [r0, r1, r2, r3, r4] = rows;
                for x in 0..lanes {
                    let v = r0[x] + r4[x] + 4 * (r1[x] + r3[x]) + 6 * r2[x];
                    let d = (16 * r2[x] - v) as i32;
                    portable.0[x] = v;
                    portable.1[x / 2] += d * d;
                }
                assert_eq!(done, lanes / 16 * 16);
                let (b, s) = (&portable.0[..done], &portable.1[..done / 2]);
                assert_eq!(
                    (&simd.0[..done], &simd.1[..done / 2]),
                    (b, s),
                    "{lanes} lanes"
                );
            }
        }
    }

    #[test]
    fn unrolled_squared_differences_equal_the_loop() {
        // Differences over six orders of magnitude, so the order of additions shows.
        let a: Vec<f32> = (0..64)
            .map(|i| (i * 37 % 101) as f32 * 10f32.powi(i % 7 - 3) / 7.0)
            .collect();
        let b: Vec<f32> = (0..64).map(|i| (i * 53 % 89) as f32 / 3.0e3).collect();
        fn check<const N: usize>(a: &[f32], b: &[f32]) {
            let fixed =
                squared_difference_n::<N>(a[..N].try_into().unwrap(), b[..N].try_into().unwrap());
            assert_eq!(
                fixed.to_bits(),
                squared_difference(&a[..N], &b[..N]).to_bits(),
                "{N}"
            );
        }
        check::<4>(&a, &b);
        check::<8>(&a, &b);
        check::<12>(&a, &b);
        check::<16>(&a, &b);
        check::<32>(&a, &b);
        check::<64>(&a, &b);
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            fn check_avx2<const N: usize>(a: &[f32], b: &[f32]) {
                let (a, b) = (a[..N].try_into().unwrap(), b[..N].try_into().unwrap());
                // SAFETY: the CPU has AVX2.
                let fast = unsafe { x86::squared_difference_n::<N>(a, b) };
                assert_eq!(
                    fast.to_bits(),
                    squared_difference_n::<N>(a, b).to_bits(),
                    "{N}"
                );
            }
            // Also lane 1 at 2^60 and the others at 100, so that the order of the f64 adds
            // shows: 2^60 + 100 is 2^60, 2^60 + 700 is not.
            let wide: Vec<f32> = (0..64)
                .map(|i| if i % 8 == 1 { 2f32.powi(30) } else { 10.0 })
                .collect();
            for (a, b) in [(&a, &b), (&wide, &vec![0.0; 64])] {
                check_avx2::<4>(a, b);
                check_avx2::<8>(a, b);
                check_avx2::<16>(a, b);
                check_avx2::<32>(a, b);
                check_avx2::<64>(a, b);
            }
        }
    }

    type Pass = fn(&LumaPlane, &mut BandScratch, &mut BlockEnergies);

    #[test]
    fn the_avx2_build_gives_the_same_energies() {
        crate::analysis::kernels::simd::with_textured(203, 117, |p| {
            let mut s = BandScratch::default();
            let (mut a, mut b) = (BlockEnergies::default(), BlockEnergies::default());
            horizontal(p, &mut s, &mut a);
            horizontal_body(p, &mut s, &mut b);
            assert!((0..a.len()).all(|i| a.block(i) == b.block(i)));
            vertical(p, &mut s, &mut a);
            vertical_body(p, &mut s, &mut b);
            assert!((0..a.len()).all(|i| a.block(i) == b.block(i)));
            assert!(a.frame()[0] > 0.0);
        });
    }

    #[test]
    fn white_noise_gains_match_known_values() {
        let g = white_noise_gains();
        assert!((g[0] - 134.0 / 256.0).abs() < 1e-12);
        assert!((g[1] - 0.0815).abs() < 5e-4, "{}", g[1]);
        assert!((g[2] - 0.0317).abs() < 5e-4, "{}", g[2]);
        assert!(g.windows(2).all(|p| p[1] < p[0]));
    }

    #[test]
    fn measured_noise_energy_follows_the_gains() {
        // Uniform noise in [-0.5, 0.5) has variance 1/12.
        let (w, h) = (256, 256);
        let mut s = 12345u32;
        let data: Vec<u16> = (0..w * h)
            .map(|_| {
                s = s.wrapping_mul(1664525).wrapping_add(1013904223);
                (s >> 16) as u16
            })
            .collect();
        let p = LumaPlane::new_u16(&data, w, h, w, 16).unwrap();
        let mut blocks = BlockEnergies::default();
        horizontal(&p, &mut BandScratch::default(), &mut blocks);
        let e = blocks.frame();
        let g = white_noise_gains();
        for b in 0..3 {
            let expected = g[b] / 12.0;
            assert!(
                (e[b] / expected - 1.0).abs() < 0.05,
                "band {b}: {} vs {}",
                e[b],
                expected
            );
        }
    }

    #[test]
    fn axes_see_their_own_direction() {
        // Vertical stripes: detail along rows only.
        let (w, h) = (64, 64);
        let data: Vec<u8> = (0..w * h)
            .map(|i| if (i % w) % 2 == 0 { 200 } else { 50 })
            .collect();
        let p = LumaPlane::new_u8(&data, w, h, w).unwrap();
        let mut s = BandScratch::default();
        let (mut hb, mut vb) = (BlockEnergies::default(), BlockEnergies::default());
        horizontal(&p, &mut s, &mut hb);
        vertical(&p, &mut s, &mut vb);
        let (hz, vt) = (hb.frame(), vb.frame());
        assert!(hz[0] > 1000.0);
        assert!(vt.iter().all(|&e| e < 1e-6));
    }

    #[test]
    fn columns_read_as_the_rows_of_the_transposed_plane() {
        let (w, h) = (203, 117);
        let data = crate::analysis::kernels::simd::textured(w, h);
        let transposed: Vec<u8> = (0..w * h).map(|i| data[(i % h) * w + i / h]).collect();
        let p = LumaPlane::new_u8(&data, w, h, w).unwrap();
        let t = LumaPlane::new_u8(&transposed, h, w, h).unwrap();
        let mut s = BandScratch::default();
        let (mut v, mut r) = (BlockEnergies::default(), BlockEnergies::default());
        vertical(&p, &mut s, &mut v);
        horizontal(&t, &mut s, &mut r);
        assert_eq!((v.columns, v.rows), (r.rows, r.columns));
        for by in 0..v.rows {
            for bx in 0..v.columns {
                let (a, b) = (v.block(by * v.columns + bx), r.block(bx * r.columns + by));
                for band in 0..BANDS {
                    assert!(
                        (a[band] - b[band]).abs() <= 1e-5 * b[band].max(1e-3),
                        "{a:?} {b:?}"
                    );
                }
                assert_eq!(v.counts[by * v.columns + bx], r.counts[bx * r.columns + by]);
            }
        }
    }

    #[test]
    fn the_integer_band_0_of_8_bit_lines_equals_the_float_one() {
        for ((w, h), axis) in [(2, 3), (3, 2), (5, 9), (9, 5), (203, 117), (117, 203)]
            .into_iter()
            .flat_map(|size| [(size, horizontal as Pass), (size, vertical as Pass)])
        {
            let mut s = BandScratch::default();
            let (mut exact, mut float) = (BlockEnergies::default(), BlockEnergies::default());
            crate::analysis::kernels::simd::with_8_and_16_bit(w, h, |eight, sixteen| {
                axis(eight, &mut s, &mut exact);
                axis(sixteen, &mut s, &mut float);
            });
            assert_eq!(exact.counts, float.counts);
            for (a, b) in exact.sums.iter().zip(&float.sums) {
                assert!(a[0] > 0.0 || w.min(h) < 5, "{w}x{h}: {a:?}");
                for band in 0..BANDS {
                    assert!(
                        (a[band] - b[band]).abs() <= 1e-6 * b[band].max(1.0),
                        "{a:?} {b:?}"
                    );
                }
            }
        }
    }
}
