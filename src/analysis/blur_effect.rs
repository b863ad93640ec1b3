//! Blur effect (Crete-Roffet 2007) exactly as scikit-image's `measure.blur_effect` computes
//! it: per axis, re-blur with a 1-D box of `h_size` (scipy `uniform_filter1d`, mode
//! 'reflect'), take the absolute Sobel derivative along that axis ([1,0,-1] times
//! [1,2,1]/4 across it) of the picture and of the re-blurred picture, both at least the
//! float64 epsilon; B = (sum D - sum max(0, D - D_blur)) / sum D over the crop
//! [2 : size-1] on both axes; the result is the larger B. 0..1, higher = blurrier.

use super::plane::LumaPlane;

/// The box size scikit-image uses by default.
pub const H_SIZE: usize = 11;

/// Reusable memory.
#[derive(Debug, Default)]
pub struct BlurEffectScratch {
    image: Vec<f64>,
    filtered: Vec<f64>,
    line: Vec<f32>,
}

/// scipy's 'reflect' border: the edge sample is repeated (d c b a | a b c d | d c b a).
fn reflect(i: isize, n: usize) -> usize {
    let n = n as isize;
    let i = i.rem_euclid(2 * n);
    (if i < n { i } else { 2 * n - 1 - i }) as usize
}

/// `uniform_filter1d(src, size)` along rows (`step` 1) or columns (`step` width).
fn box_filter(src: &[f64], dst: &mut [f64], w: usize, h: usize, size: usize, along_x: bool) {
    let before = (size / 2) as isize;
    let after = (size - size / 2 - 1) as isize;
    let (lines, len) = if along_x { (h, w) } else { (w, h) };
    let at = |line: usize, i: usize| if along_x { line * w + i } else { i * w + line };
    for line in 0..lines {
        for i in 0..len {
            let mut s = 0.0;
            for k in -before..=after {
                s += src[at(line, reflect(i as isize + k, len))];
            }
            dst[at(line, i)] = s / size as f64;
        }
    }
}

/// Sum over the crop of |Sobel| along x (`along_x`) or y of `img`, and of the part of it
/// that re-blurring removed, comparing with `blurred`.
fn axis_sums(img: &[f64], blurred: &[f64], w: usize, h: usize, along_x: bool) -> (f64, f64) {
    let d = |p: &[f64], x: usize, y: usize| -> f64 {
        let v = |xx: usize, yy: usize| p[yy * w + xx];
        let g = if along_x {
            (v(x - 1, y - 1) + 2.0 * v(x - 1, y) + v(x - 1, y + 1))
                - (v(x + 1, y - 1) + 2.0 * v(x + 1, y) + v(x + 1, y + 1))
        } else {
            (v(x - 1, y - 1) + 2.0 * v(x, y - 1) + v(x + 1, y - 1))
                - (v(x - 1, y + 1) + 2.0 * v(x, y + 1) + v(x + 1, y + 1))
        };
        (g / 4.0).abs().max(f64::EPSILON)
    };
    let (mut m1, mut m2) = (0.0, 0.0);
    for y in 2..h - 1 {
        for x in 2..w - 1 {
            let sharp = d(img, x, y);
            let blur = d(blurred, x, y);
            m1 += sharp;
            m2 += (sharp - blur).max(0.0);
        }
    }
    (m1, m2)
}

/// Blur effect with box size `h_size`; None for frames under 4 pixels on a side.
pub fn blur_effect(
    plane: &LumaPlane,
    h_size: usize,
    scratch: &mut BlurEffectScratch,
) -> Option<f64> {
    let (w, h) = (plane.width(), plane.height());
    if w < 4 || h < 4 || h_size == 0 {
        return None;
    }
    let BlurEffectScratch {
        image,
        filtered,
        line,
    } = scratch;
    line.resize(w, 0.0);
    image.clear();
    for y in 0..h {
        plane.row_f32(y, line);
        image.extend(line.iter().map(|&v| v as f64 / 255.0));
    }
    filtered.resize(w * h, 0.0);
    let mut worst = 0.0f64;
    for along_x in [false, true] {
        box_filter(image, filtered, w, h, h_size, along_x);
        let (m1, m2) = axis_sums(image, filtered, w, h, along_x);
        worst = worst.max((m1 - m2).abs() / m1);
    }
    Some(worst)
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
