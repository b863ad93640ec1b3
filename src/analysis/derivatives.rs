//! Variance of the Laplacian and Tenengrad in one pass, matching OpenCV:
//! `cv2.Laplacian(y, CV_64F).var()` (ksize 1) and the mean of `Sobel_x^2 + Sobel_y^2`
//! (3x3), both with BORDER_REFLECT_101. Sums are exact integers; results are in 8-bit units.
//! The same pass feeds the noise estimate.

use super::noise::NoiseHistogram;
use super::plane::LumaPlane;

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
    noise: NoiseHistogram,
    mags: Vec<u32>,
    resp: Vec<u32>,
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

/// Loads row `y` into `out` with one reflected sample on each side.
fn load_padded(plane: &LumaPlane, y: usize, line: &mut [i32], out: &mut Vec<i32>) {
    let w = plane.width();
    plane.row_i32(y, line);
    out.clear();
    out.push(line[reflect101(-1, w)]);
    out.extend_from_slice(line);
    out.push(line[reflect101(w as isize, w)]);
}

/// Copies padded row `src` over row `dst` without allocating.
fn copy_row(rows: &mut [Vec<i32>; 3], src: usize, dst: usize) {
    let from = std::mem::take(&mut rows[src]);
    rows[dst].clone_from(&from);
    rows[src] = from;
}

/// One row, given the padded rows above, at and below it: returns the sums of the
/// Laplacian, its square and the squared Sobel magnitude, and fills `mags` with |gx|+|gy|
/// and `resp` with the absolute Immerkaer response of each pixel for the noise estimate.
#[inline]
fn row_sums(
    u: &[i32],
    c: &[i32],
    d: &[i32],
    mags: &mut Vec<u32>,
    resp: &mut Vec<u32>,
) -> (i64, i64, i64) {
    mags.clear();
    resp.clear();
    let (mut ls, mut lq, mut gq) = (0i64, 0i64, 0i64);
    for ((u, c), d) in u.windows(3).zip(c.windows(3)).zip(d.windows(3)) {
        let lap = c[0] + c[2] + u[1] + d[1] - 4 * c[1];
        let gx = (u[2] - u[0]) + 2 * (c[2] - c[0]) + (d[2] - d[0]);
        let gy = (d[0] + 2 * d[1] + d[2]) - (u[0] + 2 * u[1] + u[2]);
        let r = (u[0] - 2 * u[1] + u[2]) - 2 * (c[0] - 2 * c[1] + c[2]) + (d[0] - 2 * d[1] + d[2]);
        mags.push(gx.unsigned_abs() + gy.unsigned_abs());
        resp.push(r.unsigned_abs());
        let (lap, gx, gy) = (lap as i64, gx as i64, gy as i64);
        ls += lap;
        lq += lap * lap;
        gq += gx * gx + gy * gy;
    }
    (ls, lq, gq)
}

/// Computes both figures over the whole plane.
pub fn derivatives(plane: &LumaPlane, scratch: &mut DerivativeScratch) -> DerivativeFigures {
    let (w, h) = (plane.width(), plane.height());
    scratch.line.resize(w, 0);
    let DerivativeScratch {
        rows,
        line,
        noise,
        mags,
        resp,
    } = scratch;
    noise.clear();
    // slots: index into `rows` of the padded rows above, at and below y.
    let mut slot = [0usize, 1, 2];
    load_padded(plane, 0, line, &mut rows[1]);
    load_padded(plane, reflect101(1, h), line, &mut rows[2]);
    copy_row(rows, 2, 0);

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
        let (ls, lq, gq) = row_sums(u, c, d, mags, resp);
        for (&m, &r) in mags.iter().zip(resp.iter()) {
            noise.add(m, r, plane.scale_shift());
        }
        lap_sum += ls as i128;
        lap_sq += lq as i128;
        grad_sq += gq as i128;
    }
    let n = (w * h) as i128;
    let unit = (1u64 << (2 * plane.scale_shift())) as f64;
    let var_num = n * lap_sq - lap_sum * lap_sum;
    DerivativeFigures {
        laplacian_variance: var_num as f64 / (n as f64 * n as f64) / unit,
        tenengrad: grad_sq as f64 / n as f64 / unit,
        noise: noise.sigma(plane.scale_shift()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
