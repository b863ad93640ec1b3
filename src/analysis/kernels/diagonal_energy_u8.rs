//! [`super::diagonal_energy`] for 8-bit planes, in exact integers: every band value and
//! square is an integer, summed per block in i64, so the portable and AVX2 kernels give the
//! same sums. The full-resolution band is 256 times the band, the half-resolution one 65536
//! times.

use super::band_energy::BLOCK;
use super::derivatives::reflect101;
use super::simd::has_avx2;
use crate::analysis::frame::plane::LumaPlane;

/// Rows of the vertical filter.
const TAPS: usize = 5;

/// Rows `y - 2 ..= y + 2` of an image `height` rows tall, reflect-101.
#[inline(always)]
fn taps_around(y: usize, height: usize) -> [usize; TAPS] {
    std::array::from_fn(|t| reflect101(y as isize + t as isize - 2, height))
}

/// Memory reused across frames.
#[derive(Debug, Default)]
pub struct ExactScratch {
    /// The column filter of a row, two reflected samples on each side.
    fine: Vec<i16>,
    half_fine: Vec<i32>,
    /// Rows of the plane blurred along the row at even columns (times 16), by row.
    even: Rows<i16>,
    /// Rows of the half-resolution 2-D low-pass (times 256), by row.
    half: Rows<i32>,
    /// Squares of the current block row, per block, in four partial sums.
    squares: Vec<[i64; 4]>,
}

/// The last [`TAPS`] rows of an image, each in slot `row % TAPS`.
#[derive(Debug, Default)]
struct Rows<T> {
    width: usize,
    data: Vec<T>,
    tags: [usize; TAPS],
}

impl<T: Copy + Default> Rows<T> {
    fn reset(&mut self, width: usize) {
        self.width = width;
        self.data.clear();
        self.data.resize(TAPS * width, T::default());
        self.tags = [usize::MAX; TAPS];
    }

    /// Row `r` to be written, or None when it is present.
    #[inline(always)]
    fn missing(&mut self, r: usize) -> Option<&mut [T]> {
        let slot = r % TAPS;
        (self.tags[slot] != r).then(|| {
            self.tags[slot] = r;
            &mut self.data[slot * self.width..(slot + 1) * self.width]
        })
    }

    #[inline(always)]
    fn row(&self, r: usize) -> &[T] {
        let slot = r % TAPS;
        &self.data[slot * self.width..(slot + 1) * self.width]
    }
}

/// Fills the two samples at each end of `padded` by reflect-101.
#[inline(always)]
fn pad_reflected<T: Copy>(padded: &mut [T]) {
    let w = padded.len() - 4;
    for t in 1..=2 {
        padded[2 - t] = padded[2 + reflect101(-(t as isize), w)];
        padded[w + 1 + t] = padded[2 + reflect101((w - 1 + t) as isize, w)];
    }
}

/// Adds the squared diagonal band of an 8-bit `plane` to `fine` (full resolution) and `next`
/// (half resolution) per block, in 8-bit units squared; the block grid has `columns` columns.
pub(super) fn accumulate(
    plane: &LumaPlane,
    columns: usize,
    scratch: &mut ExactScratch,
    fine: &mut [(f64, u64)],
    next: &mut [(f64, u64)],
) {
    let avx2 = has_avx2();
    full_resolution(plane, columns, scratch, fine, avx2);
    half_resolution(plane, columns, scratch, next, avx2);
}

/// Adds the block row's squares to `sums` from `first`, times `scale`, and clears them.
fn flush(squares: &mut [[i64; 4]], first: usize, scale: f64, sums: &mut [(f64, u64)]) {
    for (k, s) in squares.iter_mut().enumerate() {
        sums[first + k].0 += s.iter().sum::<i64>() as f64 * scale;
        *s = [0; 4];
    }
}

/// Counts `width` samples of each of `lines` lines on blocks of `block` from `first`.
fn count(width: usize, block: usize, first: usize, lines: usize, sums: &mut [(f64, u64)]) {
    for (k, x0) in (0..width).step_by(block).enumerate() {
        sums[first + k].1 += (((x0 + block).min(width) - x0) * lines) as u64;
    }
}

/// The band at full resolution: the column filter times 16 fits i16 (at most 2550 in
/// magnitude), the band times 256 i32 (at most 51000), its squares summed over a block i64.
fn full_resolution(
    plane: &LumaPlane,
    columns: usize,
    scratch: &mut ExactScratch,
    sums: &mut [(f64, u64)],
    avx2: bool,
) {
    let (w, h) = (plane.width(), plane.height());
    let ExactScratch { fine, squares, .. } = scratch;
    fine.resize(w + 4, 0);
    squares.clear();
    squares.resize(columns, [0; 4]);
    for y in 0..h {
        let rows = taps_around(y, h).map(|r| &plane.row_u8(r).unwrap_or(&[])[..w]);
        column_fine_u8(rows, &mut fine[2..w + 2], avx2);
        pad_reflected(&mut fine[..w + 4]);
        add_row_squares_i16::<BLOCK>(&fine[..w + 4], squares, avx2);
        let first = (y / BLOCK) * columns;
        if (y + 1) % BLOCK == 0 || y + 1 == h {
            count(w, BLOCK, first, y % BLOCK + 1, sums);
            flush(squares, first, 1.0 / 65536.0, sums);
        }
    }
}

/// The band at half resolution: the row blur at even columns times 16 fits i16 (at most
/// 4080), the half image times 256 i32 (at most 65280), its column filter times 16 i32 (at
/// most 652800), the band times 65536 i32 (at most 13,056,000), its squares i64.
fn half_resolution(
    plane: &LumaPlane,
    columns: usize,
    scratch: &mut ExactScratch,
    sums: &mut [(f64, u64)],
    avx2: bool,
) {
    let (w, h) = (plane.width(), plane.height());
    let (hw, hh) = (w.div_ceil(2), h.div_ceil(2));
    let ExactScratch {
        half_fine,
        even,
        half,
        squares,
        ..
    } = scratch;
    even.reset(hw);
    half.reset(hw);
    half_fine.resize(hw + 4, 0);
    squares.clear();
    squares.resize(columns, [0; 4]);
    const HALF_BLOCK: usize = BLOCK / 2;
    for y in 0..hh {
        let taps = taps_around(y, hh);
        for &r in &taps {
            if let Some(dst) = half.missing(r) {
                let rows = taps_around(2 * r, h);
                for &t in &rows {
                    if let Some(e) = even.missing(t) {
                        even_blur_row(plane.row_u8(t).unwrap_or(&[]), e, avx2);
                    }
                }
                vertical_blur_i16(rows.map(|t| even.row(t)), dst, avx2);
            }
        }
        column_fine_i32(taps.map(|r| half.row(r)), &mut half_fine[2..hw + 2], avx2);
        pad_reflected(&mut half_fine[..hw + 4]);
        add_row_squares_i32::<HALF_BLOCK>(&half_fine[..hw + 4], squares, avx2);
        let first = (y / HALF_BLOCK) * columns;
        if (y + 1) % HALF_BLOCK == 0 || y + 1 == hh {
            count(hw, HALF_BLOCK, first, y % HALF_BLOCK + 1, sums);
            flush(squares, first, 1.0 / 4294967296.0, sums);
        }
    }
}

/// `10 c - 4 (b + d) - (a + e)` of the five rows, column by column, into `out`.
#[inline(always)]
fn column_fine_u8(rows: [&[u8]; TAPS], out: &mut [i16], avx2: bool) {
    let mut done = 0;
    #[cfg(target_arch = "x86_64")]
    if avx2 {
        // SAFETY: the CPU has AVX2.
        done = unsafe { x86::column_fine_u8(rows, out) };
    }
    let _ = avx2;
    let [r0, r1, r2, r3, r4] = rows;
    for x in done..out.len() {
        let [a, b, c, d, e] = [r0[x], r1[x], r2[x], r3[x], r4[x]].map(i16::from);
        out[x] = 10 * c - 4 * (b + d) - (a + e);
    }
}

/// [`column_fine_u8`] over i32 rows.
#[inline(always)]
fn column_fine_i32(rows: [&[i32]; TAPS], out: &mut [i32], avx2: bool) {
    let mut done = 0;
    #[cfg(target_arch = "x86_64")]
    if avx2 {
        // SAFETY: the CPU has AVX2.
        done = unsafe { x86::column_fine_i32(rows, out) };
    }
    let _ = avx2;
    let [r0, r1, r2, r3, r4] = rows;
    for x in done..out.len() {
        out[x] = 10 * r2[x] - 4 * (r1[x] + r3[x]) - (r0[x] + r4[x]);
    }
}

/// The pyramid kernel along the 8-bit `row` (reflect-101) times 16, at even positions, into
/// `out` (`row.len().div_ceil(2)` samples). Output `i` reads `row[2i - 2 ..= 2i + 2]`, in place
/// where that lies within the row, through reflect-101 at the ends.
#[inline(always)]
fn even_blur_row(row: &[u8], out: &mut [i16], avx2: bool) {
    let w = row.len();
    let blur = |p: [u8; 5]| {
        let [a, b, c, d, e] = p.map(i16::from);
        a + e + 4 * (b + d) + 6 * c
    };
    // Outputs 1..inner read within the row (2i + 2 < w).
    let inner = (w.saturating_sub(1) / 2).clamp(1, out.len().max(1));
    let mut done = 1;
    #[cfg(target_arch = "x86_64")]
    if avx2 && inner > 1 {
        // Output j of the kernel, out[1 + j], reads row[2j ..= 2j + 4].
        // SAFETY: the CPU has AVX2.
        done += unsafe { x86::even_blur_u8(row, &mut out[1..inner]) };
    }
    let _ = avx2;
    for i in done..inner {
        out[i] = blur(row[2 * i - 2..2 * i + 3].try_into().unwrap());
    }
    for i in std::iter::once(0).chain(inner..out.len()) {
        out[i] = blur(std::array::from_fn(|t| {
            row[reflect101((2 * i + t) as isize - 2, w)]
        }));
    }
}

/// The pyramid kernel across the five rows (times 16), column by column, into `out`.
#[inline(always)]
fn vertical_blur_i16(rows: [&[i16]; TAPS], out: &mut [i32], avx2: bool) {
    let mut done = 0;
    #[cfg(target_arch = "x86_64")]
    if avx2 {
        // SAFETY: the CPU has AVX2.
        done = unsafe { x86::vertical_blur_i16(rows, out) };
    }
    let _ = avx2;
    let [r0, r1, r2, r3, r4] = rows;
    for x in done..out.len() {
        let [a, b, c, d, e] = [r0[x], r1[x], r2[x], r3[x], r4[x]].map(i32::from);
        out[x] = a + e + 4 * (b + d) + 6 * c;
    }
}

/// The fine band along `padded` at sample `x`, `10 c - 4 (b + d) - (a + e)`, squared.
#[inline(always)]
fn band_square<T: Copy + Into<i32>>(padded: &[T], x: usize) -> i64 {
    let [a, b, c, d, e] = [0, 1, 2, 3, 4].map(|t| padded[x + t].into());
    let v = (10 * c - 4 * (b + d) - (a + e)) as i64;
    v * v
}

/// Adds the squared fine band along `padded` (a row with two reflected samples on each side)
/// to `squares`, per block of `block` samples.
#[inline(always)]
fn add_row_squares_i16<const B: usize>(padded: &[i16], squares: &mut [[i64; 4]], avx2: bool) {
    #[cfg(target_arch = "x86_64")]
    if avx2 {
        // SAFETY: the CPU has AVX2.
        return unsafe { x86::add_row_squares_i16::<B>(padded, squares) };
    }
    let _ = avx2;
    add_row_squares(padded, B, squares);
}

/// [`add_row_squares_i16`] over i32 samples (each band value fits i32).
#[inline(always)]
fn add_row_squares_i32<const B: usize>(padded: &[i32], squares: &mut [[i64; 4]], avx2: bool) {
    #[cfg(target_arch = "x86_64")]
    if avx2 {
        // SAFETY: the CPU has AVX2.
        return unsafe { x86::add_row_squares_i32::<B>(padded, squares) };
    }
    let _ = avx2;
    add_row_squares(padded, B, squares);
}

#[inline(always)]
fn add_row_squares<T: Copy + Into<i32>>(padded: &[T], block: usize, squares: &mut [[i64; 4]]) {
    let w = padded.len() - 4;
    for (k, x0) in (0..w).step_by(block).enumerate() {
        squares[k][0] += (x0..(x0 + block).min(w))
            .map(|x| band_square(padded, x))
            .sum::<i64>();
    }
}

/// The AVX2 kernels. Each returns how many leading samples it wrote (or, for
/// [`add_row_squares`], handles the row whole); the portable code does the rest.
#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::{TAPS, band_square};
    use std::arch::x86_64::*;

    /// Loads 16 bytes of `r` from `x`; callers keep x + 16 <= r.len().
    #[target_feature(enable = "avx2")]
    fn bytes16(r: &[u8], x: usize) -> __m128i {
        assert!(x + 16 <= r.len());
        // SAFETY: in bounds, as asserted; unaligned loads are allowed.
        unsafe { _mm_loadu_si128(r.as_ptr().add(x) as *const __m128i) }
    }

    /// 32 bytes of `r` from `x`.
    #[target_feature(enable = "avx2")]
    fn bytes32<T>(r: &[T], x: usize) -> __m256i {
        assert!((x + 32 / size_of::<T>()) <= r.len());
        // SAFETY: in bounds, as asserted.
        unsafe { _mm256_loadu_si256(r.as_ptr().add(x) as *const __m256i) }
    }

    /// Stores 32 bytes into `r` from `x`.
    #[target_feature(enable = "avx2")]
    fn store32<T>(r: &mut [T], x: usize, v: __m256i) {
        assert!((x + 32 / size_of::<T>()) <= r.len());
        // SAFETY: in bounds, as asserted.
        unsafe { _mm256_storeu_si256(r.as_mut_ptr().add(x) as *mut __m256i, v) }
    }

    /// 8 i32 of `r` from `x`.
    #[target_feature(enable = "avx2")]
    fn load_i32(r: &[i32], x: usize) -> __m256i {
        bytes32(r, x)
    }

    /// `10 c - 4 (b + d) - (a + e)` in i32 lanes.
    #[target_feature(enable = "avx2")]
    fn fine_i32(a: __m256i, b: __m256i, c: __m256i, d: __m256i, e: __m256i) -> __m256i {
        let ten_c = _mm256_add_epi32(_mm256_slli_epi32::<3>(c), _mm256_slli_epi32::<1>(c));
        _mm256_sub_epi32(
            _mm256_sub_epi32(ten_c, _mm256_slli_epi32::<2>(_mm256_add_epi32(b, d))),
            _mm256_add_epi32(a, e),
        )
    }

    #[target_feature(enable = "avx2")]
    pub(super) fn column_fine_u8(rows: [&[u8]; TAPS], out: &mut [i16]) -> usize {
        let full = out.len() / 16 * 16;
        let load = |r: &[u8], x| _mm256_cvtepu8_epi16(bytes16(r, x));
        for x in (0..full).step_by(16) {
            let [a, b, c, d, e] = rows.map(|r| load(r, x));
            let ten_c = _mm256_add_epi16(_mm256_slli_epi16::<3>(c), _mm256_slli_epi16::<1>(c));
            let v = _mm256_sub_epi16(
                _mm256_sub_epi16(ten_c, _mm256_slli_epi16::<2>(_mm256_add_epi16(b, d))),
                _mm256_add_epi16(a, e),
            );
            store32(out, x, v);
        }
        full
    }

    #[target_feature(enable = "avx2")]
    pub(super) fn column_fine_i32(rows: [&[i32]; TAPS], out: &mut [i32]) -> usize {
        let full = out.len() / 8 * 8;
        for x in (0..full).step_by(8) {
            let [a, b, c, d, e] = rows.map(|r| bytes32(r, x));
            store32(out, x, fine_i32(a, b, c, d, e));
        }
        full
    }

    /// Sums of byte pairs, `p[2i] * lo + p[2i + 1] * hi`, of 32 bytes from `x`, in i16.
    #[target_feature(enable = "avx2")]
    fn pairs(p: &[u8], x: usize, lo: i8, hi: i8) -> __m256i {
        let weights = _mm256_set1_epi16(((hi as u8 as i16) << 8) | lo as u8 as i16);
        _mm256_maddubs_epi16(bytes32(p, x), weights)
    }

    /// The pyramid kernel times 16 at `padded[2i ..= 2i + 4]` into `out[i]`, 16 outputs at a
    /// time; returns how many it wrote.
    #[target_feature(enable = "avx2")]
    pub(super) fn even_blur_u8(padded: &[u8], out: &mut [i16]) -> usize {
        // 16 outputs read 36 bytes from 2i.
        let full = (padded.len().saturating_sub(4) / 32 * 16).min(out.len() / 16 * 16);
        for i in (0..full).step_by(16) {
            let x = 2 * i;
            let v = _mm256_add_epi16(
                _mm256_add_epi16(pairs(padded, x, 1, 4), pairs(padded, x + 2, 6, 4)),
                pairs(padded, x + 4, 1, 0),
            );
            // maddubs pairs within each 128-bit half; the outputs are in order.
            store32(out, i, v);
        }
        full
    }

    #[target_feature(enable = "avx2")]
    pub(super) fn vertical_blur_i16(rows: [&[i16]; TAPS], out: &mut [i32]) -> usize {
        let full = out.len() / 16 * 16;
        for x in (0..full).step_by(16) {
            let [a, b, c, d, e] = rows.map(|r| bytes32(r, x));
            // At most 65280: exact in unsigned 16-bit lanes.
            let six_c = _mm256_add_epi16(_mm256_slli_epi16::<2>(c), _mm256_slli_epi16::<1>(c));
            let v = _mm256_add_epi16(
                _mm256_add_epi16(_mm256_add_epi16(a, e), six_c),
                _mm256_slli_epi16::<2>(_mm256_add_epi16(b, d)),
            );
            store32(out, x, _mm256_cvtepu16_epi32(_mm256_castsi256_si128(v)));
            store32(
                out,
                x + 8,
                _mm256_cvtepu16_epi32(_mm256_extracti128_si256::<1>(v)),
            );
        }
        full
    }

    /// Adds the squares of `v`'s eight i32 lanes, in i64, to `acc`'s four lanes.
    #[target_feature(enable = "avx2")]
    fn add_squares(acc: __m256i, v: __m256i) -> __m256i {
        let odd = _mm256_srli_epi64::<32>(v);
        _mm256_add_epi64(
            acc,
            _mm256_add_epi64(_mm256_mul_epi32(v, v), _mm256_mul_epi32(odd, odd)),
        )
    }

    #[target_feature(enable = "avx2")]
    pub(super) fn add_row_squares_i16<const B: usize>(padded: &[i16], squares: &mut [[i64; 4]]) {
        // The band at even samples from pairs: (a, b) (-1, -4) + (c, d) (10, -4) + (e, f)
        // (-1, 0); at odd samples, the pairs one sample on, with (0, -1) on the last pair
        // from the same load as the even samples' (read no further). Each pair sum and the
        // band fit i32.
        let weights =
            |lo: i16, hi: i16| _mm256_set1_epi32(((hi as u16 as i32) << 16) | lo as u16 as i32);
        let (outer, centre, even_last, odd_last) = (
            weights(-1, -4),
            weights(10, -4),
            weights(-1, 0),
            weights(0, -1),
        );
        add_row_squares::<B, _>(padded, squares, |span| {
            let mut acc = _mm256_setzero_si256();
            for x in (0..B / 16 * 16).step_by(16) {
                let [a, b, c, d, e] = [0, 1, 2, 3, 4].map(|t| bytes32(span, x + t));
                let even = _mm256_add_epi32(
                    _mm256_add_epi32(_mm256_madd_epi16(a, outer), _mm256_madd_epi16(c, centre)),
                    _mm256_madd_epi16(e, even_last),
                );
                let odd = _mm256_add_epi32(
                    _mm256_add_epi32(_mm256_madd_epi16(b, outer), _mm256_madd_epi16(d, centre)),
                    _mm256_madd_epi16(e, odd_last),
                );
                acc = add_squares(add_squares(acc, even), odd);
            }
            let rest: i64 = (B / 16 * 16..B).map(|x| band_square(span, x)).sum();
            _mm256_add_epi64(acc, _mm256_set_epi64x(0, 0, 0, rest))
        });
    }

    #[target_feature(enable = "avx2")]
    pub(super) fn add_row_squares_i32<const B: usize>(padded: &[i32], squares: &mut [[i64; 4]]) {
        add_row_squares::<B, _>(padded, squares, |span| {
            let mut acc = _mm256_setzero_si256();
            for x in (0..B).step_by(8) {
                let [a, b, c, d, e] = [0, 1, 2, 3, 4].map(|t| load_i32(span, x + t));
                acc = add_squares(acc, fine_i32(a, b, c, d, e));
            }
            acc
        });
    }

    /// [`super::add_row_squares`] with `block` summing the squared band of a whole block (its
    /// samples, with the four the band reads after them) in four i64 lanes.
    #[target_feature(enable = "avx2")]
    #[inline]
    fn add_row_squares<const B: usize, T: Copy + Into<i32>>(
        padded: &[T],
        squares: &mut [[i64; 4]],
        block: impl Fn(&[T]) -> __m256i,
    ) {
        let w = padded.len() - 4;
        for (x0, lanes) in (0..w).step_by(B).zip(squares.iter_mut()) {
            let x1 = (x0 + B).min(w);
            let (acc, done) = if x1 - x0 == B {
                (block(&padded[x0..x0 + B + 4]), x1)
            } else {
                (_mm256_setzero_si256(), x0)
            };
            let mut sum = [0i64; 4];
            store32(&mut sum, 0, acc);
            for (l, s) in lanes.iter_mut().zip(sum) {
                *l += s;
            }
            lanes[0] += (done..x1).map(|x| band_square(padded, x)).sum::<i64>();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The squared band of the column-filtered row `fine` per block of `B`.
    fn row_squares<const B: usize>(fine: &[i16], avx2: bool) -> Vec<i64> {
        let mut squares = vec![[0i64; 4]; (fine.len() - 4).div_ceil(B)];
        add_row_squares_i16::<B>(fine, &mut squares, avx2);
        squares.iter().map(|s| s.iter().sum()).collect()
    }

    /// Every kernel, AVX2 against portable, on rows of many lengths (blocks of 8, 16 + 8 and
    /// [`BLOCK`] along the full-resolution row).
    #[test]
    fn the_avx2_kernels_equal_the_portable_ones() {
        if !has_avx2() {
            return;
        }
        let data = crate::analysis::kernels::simd::textured(613, 5);
        let extremes: Vec<u8> = (0..613).map(|i| if i % 2 == 0 { 255 } else { 0 }).collect();
        for n in [1, 2, 7, 15, 16, 17, 31, 32, 33, 64, 65, 100, 611] {
            for rows in [
                std::array::from_fn(|y| &data[y * 613..y * 613 + n]),
                [
                    &extremes[..n],
                    &[0u8; 613][..n],
                    &extremes[..n],
                    &[0u8; 613][..n],
                    &extremes[..n],
                ],
            ] {
                let run = |avx2| {
                    let mut fine = vec![0i16; n + 4];
                    column_fine_u8(rows, &mut fine[2..n + 2], avx2);
                    pad_reflected(&mut fine);
                    let squares = [
                        row_squares::<8>(&fine, avx2),
                        row_squares::<24>(&fine, avx2),
                        row_squares::<BLOCK>(&fine, avx2),
                    ];
                    let half = n.div_ceil(2);
                    let mut even: Vec<Vec<i16>> = vec![vec![0; half]; TAPS];
                    for (r, e) in rows.iter().zip(&mut even) {
                        even_blur_row(r, e, avx2);
                        let blur = |i: usize| -> i16 {
                            let tap = |t: usize| r[reflect101((2 * i + t) as isize - 2, n)] as i16;
                            tap(0) + tap(4) + 4 * (tap(1) + tap(3)) + 6 * tap(2)
                        };
                        assert!(e.iter().enumerate().all(|(i, &v)| v == blur(i)), "n {n}");
                    }
                    let mut low = vec![0i32; half];
                    vertical_blur_i16(std::array::from_fn(|t| &even[t][..]), &mut low, avx2);
                    let mut fine32 = vec![0i32; half + 4];
                    let spread: Vec<i32> = low.iter().map(|&v| v * 10).collect();
                    column_fine_i32(
                        [&low, &spread, &low, &spread, &low],
                        &mut fine32[2..half + 2],
                        avx2,
                    );
                    pad_reflected(&mut fine32);
                    let mut squares32 = vec![[0i64; 4]; half.div_ceil(16)];
                    add_row_squares_i32::<16>(&fine32, &mut squares32, avx2);
                    let squares32: Vec<i64> = squares32.iter().map(|s| s.iter().sum()).collect();
                    (fine, squares, even, low, fine32, squares32)
                };
                assert_eq!(run(true), run(false), "n {n}");
            }
        }
    }
}
