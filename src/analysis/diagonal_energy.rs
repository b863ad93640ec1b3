//! Per-block energies of the diagonal band: fine along columns and along rows at once
//! (`(delta - k)` along columns, then along rows; kernel and edges as in
//! [`super::band_energy`]), at full resolution and on the half-resolution 2-D low-pass.
//! Resampling leaks detail into the fine band along one axis; into the diagonal band it leaks
//! only what both axes let through.

use super::band_energy::{
    BLOCK, KERNEL, blur_line, blur_row_u8, pad_reflected, squared_difference,
};
use super::derivatives::reflect101;
use super::plane::LumaPlane;
use super::simd::with_avx2;

/// Rows of the vertical filter.
const TAPS: usize = KERNEL.len();

/// Mean squared diagonal band value per block, at full (`fine`) and half (`next`) resolution,
/// in 8-bit units squared; on the block grid of [`super::band_energy::BlockEnergies`].
#[derive(Debug, Default, Clone)]
pub struct DiagonalEnergies {
    pub columns: usize,
    pub rows: usize,
    fine: Vec<(f64, u64)>,
    next: Vec<(f64, u64)>,
}

impl DiagonalEnergies {
    /// (fine, next) mean energies of block `i` (row-major); 0 where a level has no samples.
    pub fn block(&self, i: usize) -> (f64, f64) {
        let mean = |(s, n): (f64, u64)| if n > 0 { s / n as f64 } else { 0.0 };
        (mean(self.fine[i]), mean(self.next[i]))
    }

    pub fn len(&self) -> usize {
        self.fine.len()
    }

    pub fn is_empty(&self) -> bool {
        self.fine.is_empty()
    }
}

/// Writes row `r` of an image into `dst`. Implementations are inlined into their callers, so
/// they are compiled for the callers' CPU features (closures would not be).
trait RowSource<T = f32> {
    fn fill(&mut self, r: usize, dst: &mut [T]);
}

/// The plane's rows.
struct PlaneRows<'p, 'a>(&'p LumaPlane<'a>);

impl RowSource for PlaneRows<'_, '_> {
    #[inline(always)]
    fn fill(&mut self, r: usize, dst: &mut [f32]) {
        self.0.row_f32(r, dst);
    }
}

/// The plane's rows blurred along the row, at even columns; `wide` and `blurred` hold full
/// rows.
struct EvenBlurredRows<'p, 'a, 'w> {
    plane: &'p LumaPlane<'a>,
    wide: &'w mut Vec<f32>,
    blurred: &'w mut Vec<f32>,
}

impl RowSource for EvenBlurredRows<'_, '_, '_> {
    #[inline(always)]
    fn fill(&mut self, r: usize, dst: &mut [f32]) {
        self.plane.row_f32(r, self.wide);
        blur_line(self.wide, self.blurred);
        for (d, pair) in dst.iter_mut().zip(self.blurred.chunks(2)) {
            *d = pair[0];
        }
    }
}

/// Rows of the half-resolution 2-D low-pass of a plane `height` rows tall.
struct HalfRows<'c, 'p, 'a, 'w> {
    even: &'c mut RowCache<f32>,
    source: EvenBlurredRows<'p, 'a, 'w>,
    height: usize,
}

impl RowSource for HalfRows<'_, '_, '_, '_> {
    #[inline(always)]
    fn fill(&mut self, r: usize, dst: &mut [f32]) {
        self.even
            .vertical_blur(2 * r, self.height, &mut self.source, dst);
    }
}

/// The 8-bit plane's rows blurred along the row (times 16, exact), at even columns;
/// `padded` and `blurred` hold full rows.
struct EvenBlurredRows8<'p, 'a, 'w> {
    plane: &'p LumaPlane<'a>,
    padded: &'w mut Vec<i16>,
    blurred: &'w mut Vec<i16>,
}

impl RowSource<i32> for EvenBlurredRows8<'_, '_, '_> {
    #[inline(always)]
    fn fill(&mut self, r: usize, dst: &mut [i32]) {
        let row = self.plane.row_u8(r).unwrap_or(&[]);
        blur_row_u8(row, self.padded, self.blurred);
        for (d, pair) in dst.iter_mut().zip(self.blurred.chunks(2)) {
            *d = pair[0] as i32;
        }
    }
}

/// Rows of the half-resolution 2-D low-pass (times 256, exact) of an 8-bit plane `height`
/// rows tall.
struct HalfRows8<'c, 'p, 'a, 'w> {
    even: &'c mut RowCache<i32>,
    source: EvenBlurredRows8<'p, 'a, 'w>,
    height: usize,
}

impl RowSource<i32> for HalfRows8<'_, '_, '_, '_> {
    #[inline(always)]
    fn fill(&mut self, r: usize, dst: &mut [i32]) {
        let rows = taps_around(2 * r, self.height);
        for &t in &rows {
            self.even.ensure(t, &mut self.source);
        }
        let n = dst.len();
        let [r0, r1, r2, r3, r4] = rows.map(|t| &self.even.row(t)[..n]);
        for x in 0..n {
            dst[x] = r0[x] + r4[x] + 4 * (r1[x] + r3[x]) + 6 * r2[x];
        }
    }
}

/// Rows `y - 2 ..= y + 2` of an image `height` rows tall, reflect-101.
#[inline(always)]
fn taps_around(y: usize, height: usize) -> [usize; TAPS] {
    std::array::from_fn(|t| reflect101(y as isize + t as isize - 2, height))
}

/// The last [`TAPS`] rows of a filtered image, each in slot `row % TAPS`.
#[derive(Debug, Default)]
struct RowCache<T> {
    width: usize,
    data: Vec<T>,
    tags: [usize; TAPS],
}

impl<T: Copy + Default> RowCache<T> {
    fn reset(&mut self, width: usize) {
        self.width = width;
        self.data.clear();
        self.data.resize(TAPS * width, T::default());
        self.tags = [usize::MAX; TAPS];
    }

    /// Makes row `r` present, computing it with `rows` when it is not.
    #[inline(always)]
    fn ensure(&mut self, r: usize, rows: &mut impl RowSource<T>) {
        let slot = r % TAPS;
        if self.tags[slot] != r {
            rows.fill(
                r,
                &mut self.data[slot * self.width..(slot + 1) * self.width],
            );
            self.tags[slot] = r;
        }
    }

    #[inline(always)]
    fn row(&self, r: usize) -> &[T] {
        let slot = r % TAPS;
        &self.data[slot * self.width..(slot + 1) * self.width]
    }
}

impl RowCache<f32> {
    /// Writes into `out` the column filter `KERNEL` at row `y` of an image `height` rows tall,
    /// computing missing rows with `source`.
    #[inline(always)]
    fn vertical_blur(
        &mut self,
        y: usize,
        height: usize,
        source: &mut impl RowSource,
        out: &mut [f32],
    ) {
        let rows = taps_around(y, height);
        for &r in &rows {
            self.ensure(r, source);
        }
        out.fill(0.0);
        for (&r, &k) in rows.iter().zip(&KERNEL) {
            for (o, v) in out.iter_mut().zip(self.row(r)) {
                *o += k * v;
            }
        }
    }
}

/// Memory reused across frames.
#[derive(Debug, Default)]
pub struct DiagonalScratch {
    cache: RowCache<f32>,
    /// Rows of the plane blurred along the row at even columns, for the half-resolution image.
    even: RowCache<f32>,
    /// The same two for 8-bit planes, in integers.
    cache8: RowCache<i32>,
    even8: RowCache<i32>,
    even_padded: Vec<i16>,
    even_blurred: Vec<i16>,
    half_padded: Vec<i32>,
    wide: Vec<f32>,
    wide_blurred: Vec<f32>,
    line: Vec<f32>,
    blurred: Vec<f32>,
    /// The column filter of an 8-bit row with two reflected samples on each side.
    fine_padded: Vec<i16>,
    fine_band: Vec<f32>,
}

/// Writes `r2 - (K0 (r0 + r4) + K1 (r1 + r3) + K2 r2)`, the fine band along columns at the
/// middle row, into `out`.
#[inline(always)]
fn column_fine(r: [&[f32]; TAPS], out: &mut [f32]) {
    let n = out.len();
    let [r0, r1, r2, r3, r4] = r.map(|s| &s[..n]);
    for x in 0..n {
        let c = r2[x];
        out[x] = c - (KERNEL[0] * (r0[x] + r4[x]) + KERNEL[1] * (r1[x] + r3[x]) + KERNEL[2] * c);
    }
}

/// Adds the squared diagonal band of a `width` x `height` image, whose row `r` `read` writes,
/// to `sums` on blocks of `block` pixels.
#[inline(always)]
fn accumulate(
    (width, height): (usize, usize),
    (block, columns): (usize, usize),
    read: &mut impl RowSource,
    cache: &mut RowCache<f32>,
    (line, blurred): (&mut Vec<f32>, &mut Vec<f32>),
    sums: &mut [(f64, u64)],
) {
    cache.reset(width);
    line.resize(width, 0.0);
    for y in 0..height {
        let rows = taps_around(y, height);
        for &r in &rows {
            cache.ensure(r, read);
        }
        column_fine(rows.map(|r| cache.row(r)), line);
        blur_line(line, blurred);
        let first = (y / block) * columns;
        for (k, x0) in (0..width).step_by(block).enumerate() {
            let x1 = (x0 + block).min(width);
            sums[first + k].0 += squared_difference(&line[x0..x1], &blurred[x0..x1]);
            sums[first + k].1 += (x1 - x0) as u64;
        }
    }
}

/// Sum of squares, in eight f32 lanes added up in f64.
#[inline(always)]
fn sum_of_squares(a: &[f32]) -> f64 {
    let mut lanes = [0f32; 8];
    let chunks = a.chunks_exact(8);
    let tail: f64 = chunks.remainder().iter().map(|&x| (x * x) as f64).sum();
    for x in chunks {
        for k in 0..8 {
            lanes[k] += x[k] * x[k];
        }
    }
    lanes.iter().map(|&v| v as f64).sum::<f64>() + tail
}

/// Writes the fine band along rows of `padded` (a row filtered along columns, with two
/// reflected samples on each side), `10 c - 4 (b + d) - (a + e)` (16 times the band), into
/// `band`, and adds `scale` times its squares to `sums` on blocks of `block` samples from
/// `sums[first]`. The band must fit f32 exactly (below 2^24).
#[inline(always)]
fn add_row_fine<T: Copy + Into<i32>>(
    padded: &mut [T],
    band: &mut [f32],
    (block, first, scale): (usize, usize, f64),
    sums: &mut [(f64, u64)],
) {
    let w = band.len();
    pad_reflected(padded);
    let p = &padded[..w + 4];
    for x in 0..w {
        let [a, b, c, d, e] = [p[x], p[x + 1], p[x + 2], p[x + 3], p[x + 4]].map(Into::into);
        band[x] = (10 * c - 4 * (b + d) - (a + e)) as f32;
    }
    for (k, x0) in (0..w).step_by(block).enumerate() {
        let x1 = (x0 + block).min(w);
        sums[first + k].0 += sum_of_squares(&band[x0..x1]) * scale;
        sums[first + k].1 += (x1 - x0) as u64;
    }
}

/// [`accumulate`] at full resolution for 8-bit planes, in integers up to the squares: the
/// column filter times 16 fits i16 (at most 2550 in magnitude), the band times 256 fits i32
/// and f32 exactly (at most 51000).
#[inline(always)]
fn accumulate_u8(
    plane: &LumaPlane,
    columns: usize,
    (padded, band): (&mut Vec<i16>, &mut Vec<f32>),
    sums: &mut [(f64, u64)],
) {
    let (w, h) = (plane.width(), plane.height());
    padded.resize(w + 4, 0);
    band.resize(w, 0.0);
    let (padded, band) = (&mut padded[..w + 4], &mut band[..w]);
    for y in 0..h {
        let rows = taps_around(y, h).map(|r| &plane.row_u8(r).unwrap_or(&[])[..w]);
        let [r0, r1, r2, r3, r4] = rows;
        let fine = &mut padded[2..w + 2];
        for x in 0..w {
            let [a, b, c, d, e] = [r0[x], r1[x], r2[x], r3[x], r4[x]].map(i16::from);
            fine[x] = 10 * c - 4 * (b + d) - (a + e);
        }
        let first = (y / BLOCK) * columns;
        add_row_fine(padded, band, (BLOCK, first, 1.0 / 65536.0), sums);
    }
}

/// [`accumulate`] at half resolution for 8-bit planes, in integers up to the squares: the
/// half image times 256 (at most 65280), its column filter times 16 and the band times 16
/// again, at most 13,056,000 in magnitude, which f32 holds exactly.
#[inline(always)]
fn accumulate_half_u8(
    plane: &LumaPlane,
    columns: usize,
    scratch: &mut DiagonalScratch,
    sums: &mut [(f64, u64)],
) {
    let (w, h) = (plane.width(), plane.height());
    let (hw, hh) = (w.div_ceil(2), h.div_ceil(2));
    let DiagonalScratch {
        cache8,
        even8,
        even_padded,
        even_blurred,
        half_padded,
        fine_band: band,
        ..
    } = scratch;
    cache8.reset(hw);
    even8.reset(hw);
    half_padded.resize(hw + 4, 0);
    band.resize(hw, 0.0);
    let (padded, band) = (&mut half_padded[..hw + 4], &mut band[..hw]);
    let mut read = HalfRows8 {
        even: even8,
        source: EvenBlurredRows8 {
            plane,
            padded: even_padded,
            blurred: even_blurred,
        },
        height: h,
    };
    for y in 0..hh {
        let rows = taps_around(y, hh);
        for &r in &rows {
            cache8.ensure(r, &mut read);
        }
        let [r0, r1, r2, r3, r4] = rows.map(|r| &cache8.row(r)[..hw]);
        let fine = &mut padded[2..hw + 2];
        for x in 0..hw {
            fine[x] = 10 * r2[x] - 4 * (r1[x] + r3[x]) - (r0[x] + r4[x]);
        }
        let first = (y / (BLOCK / 2)) * columns;
        add_row_fine(padded, band, (BLOCK / 2, first, 1.0 / 4294967296.0), sums);
    }
}

with_avx2!(
    /// Diagonal band energies of `plane`, per block.
    pub fn diagonal(plane: &LumaPlane, scratch: &mut DiagonalScratch, out: &mut DiagonalEnergies)
        => diagonal_body
);

#[inline(always)]
fn diagonal_body(plane: &LumaPlane, scratch: &mut DiagonalScratch, out: &mut DiagonalEnergies) {
    let (w, h) = (plane.width(), plane.height());
    out.columns = w.div_ceil(BLOCK);
    out.rows = h.div_ceil(BLOCK);
    let n = out.columns * out.rows;
    out.fine.clear();
    out.fine.resize(n, (0.0, 0));
    out.next.clear();
    out.next.resize(n, (0.0, 0));
    if w == 0 || h == 0 {
        return;
    }
    if plane.sample_bits() == 8 {
        let (padded, band) = (&mut scratch.fine_padded, &mut scratch.fine_band);
        accumulate_u8(plane, out.columns, (padded, band), &mut out.fine);
        accumulate_half_u8(plane, out.columns, scratch, &mut out.next);
        return;
    }
    let DiagonalScratch {
        cache,
        even,
        wide,
        wide_blurred,
        line,
        blurred,
        ..
    } = scratch;
    accumulate(
        (w, h),
        (BLOCK, out.columns),
        &mut PlaneRows(plane),
        cache,
        (line, blurred),
        &mut out.fine,
    );

    // Half resolution: the 2-D low-pass at even rows and columns, row by row as read.
    let (hw, hh) = (w.div_ceil(2), h.div_ceil(2));
    even.reset(hw);
    wide.resize(w, 0.0);
    let mut read_half = HalfRows {
        even,
        source: EvenBlurredRows {
            plane,
            wide,
            blurred: wide_blurred,
        },
        height: h,
    };
    accumulate(
        (hw, hh),
        (BLOCK / 2, out.columns),
        &mut read_half,
        cache,
        (line, blurred),
        &mut out.next,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_avx2_build_gives_the_same_energies() {
        crate::analysis::simd::with_textured(203, 117, |p| {
            let mut s = DiagonalScratch::default();
            let (mut a, mut b) = (DiagonalEnergies::default(), DiagonalEnergies::default());
            diagonal(p, &mut s, &mut a);
            diagonal_body(p, &mut s, &mut b);
            assert!((0..a.len()).all(|i| a.block(i) == b.block(i)));
            assert!(a.block(0).0 > 0.0);
        });
    }

    #[test]
    fn the_integer_path_of_8_bit_planes_equals_the_float_path() {
        for (w, h) in [(1, 1), (2, 3), (5, 4), (7, 9), (203, 117)] {
            let mut s = DiagonalScratch::default();
            let (mut exact, mut float) = (DiagonalEnergies::default(), DiagonalEnergies::default());
            crate::analysis::simd::with_8_and_16_bit(w, h, |eight, sixteen| {
                diagonal(eight, &mut s, &mut exact);
                diagonal(sixteen, &mut s, &mut float);
            });
            assert_eq!(exact.fine.len(), float.fine.len());
            for (a, b) in exact
                .fine
                .iter()
                .chain(&exact.next)
                .zip(float.fine.iter().chain(&float.next))
            {
                assert_eq!(a.1, b.1);
                assert!(
                    (a.0 - b.0).abs() <= 1e-5 * b.0.max(1.0),
                    "{w}x{h}: {a:?} {b:?}"
                );
            }
            assert!(w < 7 || (exact.fine[0].0 > 0.0 && exact.next[0].0 > 0.0));
        }
    }

    fn energies(data: &[u8], w: usize, h: usize) -> DiagonalEnergies {
        let plane = LumaPlane::new_u8(data, w, h, w).unwrap();
        let mut out = DiagonalEnergies::default();
        diagonal(&plane, &mut DiagonalScratch::default(), &mut out);
        out
    }

    #[test]
    fn a_checkerboard_is_all_fine_diagonal_detail() {
        let (w, h) = (128, 128);
        let data: Vec<u8> = (0..w * h)
            .map(|i| if (i % w + i / w) % 2 == 0 { 100 } else { 140 })
            .collect();
        let e = energies(&data, w, h);
        let (fine, next) = e.block(0);
        // (delta - k) passes the Nyquist frequency with gain 1 along each axis.
        assert!((fine - 400.0).abs() < 1e-3, "{fine}");
        assert!(next < 1e-6, "{next}");
    }

    #[test]
    fn stripes_have_no_diagonal_detail() {
        let (w, h) = (128, 64);
        let data: Vec<u8> = (0..w * h)
            .map(|i| if (i % w) % 3 == 0 { 200 } else { 20 })
            .collect();
        let e = energies(&data, w, h);
        assert_eq!(e.len(), 2);
        for i in 0..e.len() {
            let (fine, next) = e.block(i);
            assert!(fine < 1e-6 && next < 1e-6, "{fine} {next}");
        }
    }

    #[test]
    fn odd_and_tiny_sizes_fill_every_block() {
        for (w, h) in [(1, 1), (3, 5), (97, 71), (130, 65)] {
            let data: Vec<u8> = (0..w * h).map(|i| (i * 37 % 251) as u8).collect();
            let e = energies(&data, w, h);
            assert_eq!(e.len(), w.div_ceil(BLOCK) * h.div_ceil(BLOCK));
            for i in 0..e.len() {
                let (fine, next) = e.block(i);
                assert!(fine.is_finite() && next.is_finite() && fine >= 0.0 && next >= 0.0);
            }
        }
    }
}
