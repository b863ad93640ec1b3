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
    acc: Vec<f64>,
    rows: [Vec<f64>; 3],
}

/// scipy's 'reflect' border: the edge sample is repeated (d c b a | a b c d | d c b a).
fn reflect(i: isize, n: usize) -> usize {
    let n = n as isize;
    let i = i.rem_euclid(2 * n);
    (if i < n { i } else { 2 * n - 1 - i }) as usize
}

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
fn sobel_row(p: &[f64], w: usize, y: usize, along_x: bool, tmp: &mut Vec<f64>, out: &mut Vec<f64>) {
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
        acc,
        rows,
    } = scratch;
    plane.to_packed(line, image, |v| v as f64 / 255.0);
    filtered.resize(w * h, 0.0);
    let mut worst = 0.0f64;
    for along_x in [false, true] {
        box_filter(image, filtered, acc, w, h, h_size, along_x);
        let (m1, m2) = axis_sums(image, filtered, w, h, along_x, rows);
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
