//! Per-block energies of the diagonal band: fine along columns and along rows at once
//! (`(delta - k)` along columns, then along rows; kernel and edges as in
//! [`super::band_energy`]), at full resolution and on the half-resolution 2-D low-pass.
//! Resampling leaks detail into the fine band along one axis; into the diagonal band it leaks
//! only what both axes let through.

use super::band_energy::{BLOCK, KERNEL, blur_line, squared_difference};
use super::derivatives::reflect101;
use super::diagonal_energy_u8::{self, ExactScratch};
use super::simd::with_avx2;
use crate::analysis::frame::plane::LumaPlane;

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
    /// The 8-bit path's memory.
    exact: ExactScratch,
    wide: Vec<f32>,
    wide_blurred: Vec<f32>,
    line: Vec<f32>,
    blurred: Vec<f32>,
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
        let (fine, next) = (&mut out.fine, &mut out.next);
        diagonal_energy_u8::accumulate(plane, out.columns, &mut scratch.exact, fine, next);
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
        crate::analysis::kernels::simd::with_textured(203, 117, |p| {
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
            crate::analysis::kernels::simd::with_8_and_16_bit(w, h, |eight, sixteen| {
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
