//! Blur effect (Crete-Roffet 2007) exactly as scikit-image's `measure.blur_effect` computes
//! it: per axis, re-blur with a 1-D box of `h_size` (scipy `uniform_filter1d`, mode
//! 'reflect'), take the absolute Sobel derivative along that axis ([1,0,-1] times
//! [1,2,1]/4 across it) of the picture and of the re-blurred picture, both at least the
//! float64 epsilon; B = (sum D - sum max(0, D - D_blur)) / sum D over the crop
//! [2 : size-1] on both axes; the result is the larger B. 0..1, higher = blurrier.
//!
//! Computed row by row in integers on raw samples: box sums stand for the box means
//! (`h_size` times them), and the Sobel responses are kept unscaled. The sums are exact, so
//! the result equals scikit-image's float64 one to its rounding.

use crate::analysis::frame::plane::LumaPlane;
use crate::analysis::kernels::simd::with_avx2;

/// The box size scikit-image uses by default.
pub const H_SIZE: usize = 11;

/// Pixels summed in i32 before adding to the i64 totals; no overflow for 16-bit samples.
const CHUNK: usize = 256;

/// Three consecutive rows, each in slot `row % 3`.
#[derive(Debug, Default)]
struct Rows3 {
    data: [Vec<i32>; 3],
}

impl Rows3 {
    fn reset(&mut self, w: usize) {
        for r in &mut self.data {
            r.clear();
            r.resize(w, 0);
        }
    }

    #[inline(always)]
    fn slot(&mut self, r: usize) -> &mut Vec<i32> {
        &mut self.data[r % 3]
    }

    /// Rows `y - 1`, `y` and `y + 1`.
    #[inline(always)]
    fn around(&self, y: usize) -> [&[i32]; 3] {
        [
            &self.data[(y - 1) % 3],
            &self.data[y % 3],
            &self.data[(y + 1) % 3],
        ]
    }
}

/// The picture's rows, their box sums along the row and their box sums along the column,
/// each for three consecutive rows.
#[derive(Debug, Default)]
struct Rings {
    image: Rows3,
    box_x: Rows3,
    box_y: Rows3,
    /// Box sums along the column of the row last loaded.
    column_sums: Vec<i32>,
    padded: Vec<i32>,
    row: Vec<i32>,
}

impl Rings {
    /// Prepares for `plane`, with the column sums of row 0.
    #[inline(always)]
    fn reset(&mut self, plane: &LumaPlane, size: usize) {
        let (w, h) = (plane.width(), plane.height());
        self.image.reset(w);
        self.box_x.reset(w);
        self.box_y.reset(w);
        self.row.resize(w, 0);
        self.column_sums.clear();
        self.column_sums.resize(w, 0);
        let (before, after) = box_reach(size);
        for i in -before..=after {
            plane.row_i32(reflect(i, h), &mut self.row);
            add_row(&mut self.column_sums, &self.row, 1);
        }
    }

    /// Loads row `r`, the row after the last loaded one (row 0 is loaded by `reset`).
    #[inline(always)]
    fn load(&mut self, plane: &LumaPlane, r: usize, size: usize) {
        let h = plane.height();
        let (before, after) = box_reach(size);
        if r > 0 {
            plane.row_i32(reflect(r as isize + after, h), &mut self.row);
            add_row(&mut self.column_sums, &self.row, 1);
            plane.row_i32(reflect(r as isize - 1 - before, h), &mut self.row);
            add_row(&mut self.column_sums, &self.row, -1);
        }
        self.box_y.slot(r).copy_from_slice(&self.column_sums);
        let image = self.image.slot(r);
        plane.row_i32(r, image);
        box_sums(image, size, &mut self.padded, self.box_x.slot(r));
    }
}

/// `sums += sign * row`.
#[inline(always)]
fn add_row(sums: &mut [i32], row: &[i32], sign: i32) {
    sums.iter_mut().zip(row).for_each(|(s, v)| *s += sign * v);
}

/// Reusable memory.
#[derive(Debug, Default)]
pub struct BlurEffectScratch {
    rings: Rings,
    smooth: Vec<i32>,
    sharp: Vec<i32>,
    blurred: Vec<i32>,
}

/// scipy's 'reflect' border: the edge sample is repeated (d c b a | a b c d | d c b a).
fn reflect(i: isize, n: usize) -> usize {
    let n = n as isize;
    let i = i.rem_euclid(2 * n);
    (if i < n { i } else { 2 * n - 1 - i }) as usize
}

/// Samples before and after the centre of a box of `size`, as scipy places it.
fn box_reach(size: usize) -> (isize, isize) {
    ((size / 2) as isize, (size - size / 2 - 1) as isize)
}

/// Box sums of `size` along `row` (reflected at its ends) into `out`; `padded` is scratch.
#[inline(always)]
fn box_sums(row: &[i32], size: usize, padded: &mut Vec<i32>, out: &mut [i32]) {
    let w = row.len();
    let (before, after) = box_reach(size);
    padded.clear();
    padded.extend((-before..0).map(|i| row[reflect(i, w)]));
    padded.extend_from_slice(row);
    padded.extend((w as isize..w as isize + after).map(|i| row[reflect(i, w)]));
    out.fill(0);
    for t in 0..size {
        for (o, p) in out.iter_mut().zip(&padded[t..t + w]) {
            *o += p;
        }
    }
}

/// Totals of one axis: sum of |D|, sum of max(0, size |D| - |D_blur|) (both unscaled), and
/// the count of zero D, which scikit-image floors at epsilon.
#[derive(Debug, Default, Clone, Copy)]
struct AxisTotals {
    sharp: i64,
    removed: i64,
    zeros: u64,
}

impl AxisTotals {
    /// Adds the crop's columns `2..=w-2` of one row, where `sharp` and `blurred` are the Sobel
    /// responses along the axis at every column `1..w-1` (index `x - 1`).
    #[inline(always)]
    fn add(&mut self, sharp: &[i32], blurred: &[i32], size: i32) {
        for (s, b) in sharp[1..].chunks(CHUNK).zip(blurred[1..].chunks(CHUNK)) {
            let (mut m1, mut m2, mut zeros) = (0i32, 0i32, 0i32);
            for (&s, &b) in s.iter().zip(b) {
                let s = s.abs();
                m1 += s;
                m2 += (size * s - b.abs()).max(0);
                zeros += (s == 0) as i32;
            }
            self.sharp += m1 as i64;
            self.removed += m2 as i64;
            self.zeros += zeros as u64;
        }
    }

    /// B of this axis, for responses `scale` times those of scikit-image's float picture.
    fn blur(&self, size: usize, scale: f64) -> f64 {
        let m1 = self.sharp as f64 / scale + self.zeros as f64 * f64::EPSILON;
        let m2 = self.removed as f64 / (scale * size as f64);
        (m1 - m2).abs() / m1
    }
}

/// The Sobel response along rows (unscaled) at columns `1..w-1` of the middle one of the
/// rows `r`, into `out` (index `x - 1`); `smooth` is scratch.
#[inline(always)]
fn sobel_along_x(r: [&[i32]; 3], smooth: &mut Vec<i32>, out: &mut Vec<i32>) {
    let w = r[1].len();
    smooth.resize(w, 0);
    for (((s, a), b), c) in smooth.iter_mut().zip(r[0]).zip(r[1]).zip(&r[2][..w]) {
        *s = a + 2 * b + c;
    }
    out.resize(w - 2, 0);
    for ((o, a), c) in out.iter_mut().zip(&smooth[..w - 2]).zip(&smooth[2..]) {
        *o = c - a;
    }
}

/// The Sobel response along columns (unscaled) at columns `1..w-1` of the middle one of the
/// rows `r`, into `out` (index `x - 1`); `diff` is scratch.
#[inline(always)]
fn sobel_along_y(r: [&[i32]; 3], diff: &mut Vec<i32>, out: &mut Vec<i32>) {
    let w = r[1].len();
    diff.resize(w, 0);
    for ((d, a), c) in diff.iter_mut().zip(r[0]).zip(&r[2][..w]) {
        *d = c - a;
    }
    out.resize(w - 2, 0);
    for (((o, a), b), c) in out
        .iter_mut()
        .zip(&diff[..w - 2])
        .zip(&diff[1..w - 1])
        .zip(&diff[2..])
    {
        *o = a + 2 * b + c;
    }
}

with_avx2!(
    /// Blur effect with box size `h_size`; None for frames under 4 pixels on a side.
    pub fn blur_effect(plane: &LumaPlane, h_size: usize, scratch: &mut BlurEffectScratch)
        -> Option<f64> => blur_effect_body
);

#[inline(always)]
fn blur_effect_body(
    plane: &LumaPlane,
    h_size: usize,
    scratch: &mut BlurEffectScratch,
) -> Option<f64> {
    let (w, h) = (plane.width(), plane.height());
    if w < 4 || h < 4 || h_size == 0 {
        return None;
    }
    let BlurEffectScratch {
        rings,
        smooth,
        sharp,
        blurred,
    } = scratch;
    rings.reset(plane, h_size);
    for r in 0..=2 {
        rings.load(plane, r, h_size);
    }
    let size = h_size as i32;
    let (mut along_x, mut along_y) = (AxisTotals::default(), AxisTotals::default());
    for y in 2..h - 1 {
        rings.load(plane, y + 1, h_size);
        sobel_along_x(rings.image.around(y), smooth, sharp);
        sobel_along_x(rings.box_x.around(y), smooth, blurred);
        along_x.add(sharp, blurred, size);
        sobel_along_y(rings.image.around(y), smooth, sharp);
        sobel_along_y(rings.box_y.around(y), smooth, blurred);
        along_y.add(sharp, blurred, size);
    }
    // scikit-image's picture is samples / 255 in the 8-bit range; its Sobel divides by 4.
    let scale = 4.0 * 255.0 * (1u64 << plane.scale_shift()) as f64;
    Some(along_y.blur(h_size, scale).max(along_x.blur(h_size, scale)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `uniform_filter1d(src, size)` along x (`along_x`) or y, as running sums.
    fn box_filter(
        src: &[f64],
        dst: &mut [f64],
        acc: &mut Vec<f64>,
        w: usize,
        h: usize,
        size: usize,
        along_x: bool,
    ) {
        let before = (size / 2) as isize;
        let after = (size - size / 2 - 1) as isize;
        let k = 1.0 / size as f64;
        if along_x {
            for (s, d) in src.chunks_exact(w).zip(dst.chunks_exact_mut(w)) {
                let mut sum: f64 = (-before..=after).map(|i| s[reflect(i, w)]).sum();
                d[0] = sum * k;
                for i in 1..w as isize {
                    sum += s[reflect(i + after, w)] - s[reflect(i - 1 - before, w)];
                    d[i as usize] = sum * k;
                }
            }
        } else {
            let row = |y: isize| &src[reflect(y, h) * w..][..w];
            acc.clear();
            acc.resize(w, 0.0);
            for y in -before..=after {
                acc.iter_mut().zip(row(y)).for_each(|(a, v)| *a += v);
            }
            for y in 0..h as isize {
                if y > 0 {
                    let (add, sub) = (row(y + after), row(y - 1 - before));
                    for ((a, p), m) in acc.iter_mut().zip(add).zip(sub) {
                        *a += p - m;
                    }
                }
                for (d, a) in dst[y as usize * w..][..w].iter_mut().zip(acc.iter()) {
                    *d = a * k;
                }
            }
        }
    }

    /// Absolute Sobel derivative (skimage's, [1,0,-1] x [1,2,1]/4) along x (`along_x`) or y at
    /// row `y` of `p`, for x in 1..w-1, into `out` (index x - 1), floored at f64 epsilon.
    fn sobel_row(
        p: &[f64],
        w: usize,
        y: usize,
        along_x: bool,
        tmp: &mut Vec<f64>,
        out: &mut Vec<f64>,
    ) {
        let (up, c, dn) = (
            &p[(y - 1) * w..y * w],
            &p[y * w..(y + 1) * w],
            &p[(y + 1) * w..(y + 2) * w],
        );
        out.clear();
        if along_x {
            tmp.clear();
            tmp.extend(up.iter().zip(c).zip(dn).map(|((u, c), d)| u + 2.0 * c + d));
            out.extend(
                tmp.windows(3)
                    .map(|s| ((s[0] - s[2]) / 4.0).abs().max(f64::EPSILON)),
            );
        } else {
            out.extend(up.windows(3).zip(dn.windows(3)).map(|(u, d)| {
                (((u[0] + 2.0 * u[1] + u[2]) - (d[0] + 2.0 * d[1] + d[2])) / 4.0)
                    .abs()
                    .max(f64::EPSILON)
            }));
        }
    }

    /// Sum over the crop [2 : h-1] x [2 : w-1] of the picture's |Sobel| along one axis, and of
    /// the part of it that re-blurring removed.
    fn axis_sums(
        img: &[f64],
        blurred: &[f64],
        w: usize,
        h: usize,
        along_x: bool,
        rows: &mut [Vec<f64>; 3],
    ) -> (f64, f64) {
        let [tmp, sharp, blur] = rows;
        let (mut m1, mut m2) = (0.0, 0.0);
        for y in 2..h - 1 {
            sobel_row(img, w, y, along_x, tmp, sharp);
            sobel_row(blurred, w, y, along_x, tmp, blur);
            // Index x - 1: the crop's x = 2..w-1 is 1..w-2 here.
            for (s, b) in sharp[1..].iter().zip(&blur[1..]) {
                m1 += s;
                m2 += (s - b).max(0.0);
            }
        }
        (m1, m2)
    }

    /// The float64 computation scikit-image does, on whole pictures.
    fn reference(plane: &LumaPlane, h_size: usize) -> Option<f64> {
        let (w, h) = (plane.width(), plane.height());
        if w < 4 || h < 4 || h_size == 0 {
            return None;
        }
        let (mut image, mut filtered, mut line) = (Vec::new(), Vec::new(), Vec::new());
        let (mut acc, mut rows) = (Vec::new(), Default::default());
        plane.to_packed(&mut line, &mut image, |v| v as f64 / 255.0);
        filtered.resize(w * h, 0.0);
        let mut worst = 0.0f64;
        for along_x in [false, true] {
            box_filter(&image, &mut filtered, &mut acc, w, h, h_size, along_x);
            let (m1, m2) = axis_sums(&image, &filtered, w, h, along_x, &mut rows);
            worst = worst.max((m1 - m2).abs() / m1);
        }
        Some(worst)
    }

    fn plane(data: &[u8], w: usize, h: usize) -> LumaPlane<'_> {
        LumaPlane::new_u8(data, w, h, w).unwrap()
    }

    #[test]
    fn reflect_repeats_the_edge_sample() {
        let got: Vec<usize> = (-3..7).map(|i| reflect(i, 4)).collect();
        assert_eq!(got, vec![2, 1, 0, 0, 1, 2, 3, 3, 2, 1]);
    }

    #[test]
    fn uniform_frame_gives_one() {
        let data = vec![90u8; 40 * 30];
        let b = blur_effect(&plane(&data, 40, 30), H_SIZE, &mut Default::default()).unwrap();
        assert_eq!(b, 1.0);
    }

    #[test]
    fn frame_constant_along_one_axis_gives_about_one() {
        let data: Vec<u8> = (0..40 * 30).map(|i| ((i % 40) * 6) as u8).collect();
        let b = blur_effect(&plane(&data, 40, 30), H_SIZE, &mut Default::default()).unwrap();
        assert!(b > 0.99, "{b}");
    }

    #[test]
    fn tiny_frames_have_no_value() {
        assert_eq!(
            blur_effect(
                &plane(&[1, 2, 3, 4, 5, 6, 7, 8, 9], 3, 3),
                H_SIZE,
                &mut Default::default()
            ),
            None
        );
    }

    #[test]
    fn integer_rows_equal_the_float64_pictures() {
        let mut scratch = BlurEffectScratch::default();
        for (w, h) in [(4, 4), (5, 9), (37, 23), (130, 70)] {
            let data = crate::analysis::kernels::simd::textured(w, h);
            let p = plane(&data, w, h);
            for size in [1, 3, 11, 40] {
                let got = blur_effect(&p, size, &mut scratch).unwrap();
                let want = reference(&p, size).unwrap();
                assert!(
                    (got - want).abs() < 1e-12,
                    "{w}x{h} size {size}: {got} vs {want}"
                );
            }
        }
        let deep: Vec<u16> = crate::analysis::kernels::simd::textured(61, 33)
            .iter()
            .enumerate()
            .map(|(i, &v)| (v as u16) << 8 | (i % 251) as u16)
            .collect();
        let p = LumaPlane::new_u16(&deep, 61, 33, 61, 8).unwrap();
        let (got, want) = (blur_effect(&p, 11, &mut scratch), reference(&p, 11));
        assert!(
            (got.unwrap() - want.unwrap()).abs() < 1e-12,
            "{got:?} vs {want:?}"
        );
    }

    #[test]
    fn avx2_build_equals_the_baseline() {
        crate::analysis::kernels::simd::with_textured(203, 77, |p| {
            let mut scratch = BlurEffectScratch::default();
            let got = blur_effect(p, H_SIZE, &mut scratch);
            assert!(got.is_some_and(|b| b > 0.0 && b < 1.0), "{got:?}");
            assert_eq!(got, blur_effect_body(p, H_SIZE, &mut scratch));
        });
    }
}
