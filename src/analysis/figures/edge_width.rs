//! Edge width (Marziliano 2002) as ffmpeg's `blurdetect` computes it with its defaults
//! (libavfilter/vf_blurdetect.c, edge_common.c): 5x5 Gaussian pre-blur (integer, /159),
//! Sobel magnitude |gx|+|gy| with the direction rounded to 4 bins, non-maximum suppression,
//! double threshold (low 15, high 30), then for every edge pixel the distance between the
//! extrema on both sides along its direction on the pre-blurred picture (radius 50; 0 if
//! the walk leaves the picture; diagonals times 0.7). The result is the mean width of the
//! edges with a width, in pixels; higher = blurrier. Samples deeper than 8 bits are
//! truncated to 8 bits first, since blurdetect works on 8-bit planes.

use crate::analysis::frame::plane::LumaPlane;
use crate::analysis::kernels::simd::with_avx2;

const LOW: u8 = 15;
const HIGH: u8 = 30;
const RADIUS: usize = 50;

/// Rounded gradient directions, as codes that vectorised loops can select on.
const UP45: u8 = 0;
const DOWN45: u8 = 1;
const HORIZONTAL: u8 = 2;
const VERTICAL: u8 = 3;

/// Reusable memory.
#[derive(Debug, Default)]
pub struct EdgeWidthScratch {
    luma: Vec<u8>,
    blurred: Vec<u8>,
    gradients: Vec<u16>,
    directions: Vec<u8>,
    keep: Vec<bool>,
    edges: Vec<u8>,
    wide: Vec<i32>,
    rows: [Vec<u16>; 3],
    sums: Vec<u16>,
    gx: Vec<i16>,
    gy: Vec<i16>,
}

/// ffmpeg's `get_rounded_direction` for Sobel gradients of 8-bit pictures (|gx|, |gy| at
/// most 1020, so `gy << 16` and `158218 |gx|` fit i32). With gx = 0 no bin matches, which
/// gives ffmpeg's vertical.
#[inline(always)]
fn rounded_direction(gx: i32, gy: i32) -> u8 {
    let gy = if gx < 0 { -gy } else { gy } << 16;
    let gx = gx.abs();
    let (t1, t3) = (27146 * gx, 158218 * gx);
    if gy > -t3 && gy < -t1 {
        UP45
    } else if gy > -t1 && gy < t1 {
        HORIZONTAL
    } else if gy > t1 && gy < t3 {
        DOWN45
    } else {
        VERTICAL
    }
}

/// ffmpeg's `ff_gaussian_blur`: 5x5, sigma 1.4, two border rows and columns copied. The
/// kernel is symmetric, so rows 0 and 4, and 1 and 3, are added before weighting; the sums
/// fit u16 (at most 159 x 255). `rows` and `sums` are scratch.
#[inline(always)]
fn gaussian(
    src: &[u8],
    dst: &mut [u8],
    w: usize,
    h: usize,
    rows: &mut [Vec<u16>; 3],
    sums: &mut Vec<u16>,
) {
    dst.copy_from_slice(src);
    const K: [[u16; 5]; 3] = [[2, 4, 5, 4, 2], [4, 9, 12, 9, 4], [5, 12, 15, 12, 5]];
    let row = |y: usize| &src[y * w..(y + 1) * w];
    for r in rows.iter_mut() {
        r.resize(w, 0);
    }
    let n = w - 4;
    sums.resize(n, 0);
    for j in 2..h - 2 {
        let [outer, inner, middle] = rows;
        for ((o, a), b) in outer.iter_mut().zip(row(j - 2)).zip(row(j + 2)) {
            *o = *a as u16 + *b as u16;
        }
        for ((i, a), b) in inner.iter_mut().zip(row(j - 1)).zip(row(j + 1)) {
            *i = *a as u16 + *b as u16;
        }
        for (m, c) in middle.iter_mut().zip(row(j)) {
            *m = *c as u16;
        }
        sums.fill(0);
        for (k, r) in K.iter().zip([&*outer, &*inner, &*middle]) {
            for (t, &kt) in k.iter().enumerate() {
                for (s, v) in sums.iter_mut().zip(&r[t..t + n]) {
                    *s += kt * v;
                }
            }
        }
        for (o, s) in dst[j * w + 2..j * w + 2 + n].iter_mut().zip(sums.iter()) {
            *o = (s / 159) as u8;
        }
    }
}

/// Steps of `d` (-1, 0 or 1) from `p` that stay within `0..n`.
#[inline(always)]
fn steps_inside(p: usize, d: isize, n: usize) -> usize {
    match d {
        1 => n - 1 - p,
        -1 => p,
        _ => usize::MAX,
    }
}

/// Distance between the extrema around edge pixel (i, j) along `dir`, as ffmpeg's
/// `edge_width`: 0 when a walk would leave the picture before ending.
#[inline(always)]
fn width_at(src: &[u8], w: usize, h: usize, i: usize, j: usize, dir: u8) -> f32 {
    let (dx, dy): (isize, isize) = match dir {
        HORIZONTAL => (1, 0),
        VERTICAL => (0, 1),
        UP45 => (1, -1),
        _ => (1, 1),
    };
    let step = dy * w as isize + dx;
    let at = (j * w + i) as isize;
    let px = |k: isize| src[(at + k * step) as usize] as i32;
    let sign = if px(0) > px(-1) { 1 } else { -1 };
    let mut width = 0f32;
    for s in [-1isize, 1] {
        let inside = steps_inside(i, s * dx, w).min(steps_inside(j, s * dy, h));
        let mut k = 0;
        while k < RADIUS {
            if k == inside {
                return 0.0;
            }
            let t = (px(s * k as isize) - px(s * (k as isize + 1))) * sign;
            if (s < 0 && t <= 0) || (s > 0 && t >= 0) {
                break;
            }
            k += 1;
        }
        width += k as f32;
    }
    if dir == UP45 || dir == DOWN45 {
        width = (width as f64 * 0.7) as f32;
    }
    width
}

with_avx2!(
    /// Mean edge width in pixels; None when the frame has no edges (or is under 5 pixels on a
    /// side), where ffmpeg gives NaN.
    pub fn edge_width(plane: &LumaPlane, scratch: &mut EdgeWidthScratch) -> Option<f64>
        => edge_width_body
);

/// The picture as 8-bit samples, row after row: deeper samples truncated, as blurdetect sees
/// them.
#[inline(always)]
fn pack_u8(plane: &LumaPlane, wide: &mut Vec<i32>, out: &mut Vec<u8>) {
    let (w, h) = (plane.width(), plane.height());
    out.clear();
    wide.resize(w, 0);
    let shift = plane.scale_shift();
    for y in 0..h {
        match plane.row_u8(y) {
            Some(row) => out.extend_from_slice(row),
            None => {
                plane.row_i32(y, wide);
                out.extend(wide.iter().map(|&v| (v >> shift).min(255) as u8));
            }
        }
    }
}

/// Sobel gradients of row `j` of the `w`-wide picture `b` at columns `1..w-1` (index
/// `i - 1`), as ffmpeg's `ff_sobel` computes them.
#[inline(always)]
fn sobel_row(b: &[u8], w: usize, j: usize, gx: &mut [i16], gy: &mut [i16]) {
    let n = w - 2;
    let row = |y: usize, x0: usize| &b[y * w + x0..][..n];
    let (ul, uc, ur) = (row(j - 1, 0), row(j - 1, 1), row(j - 1, 2));
    let (ml, mr) = (row(j, 0), row(j, 2));
    let (dl, dc, dr) = (row(j + 1, 0), row(j + 1, 1), row(j + 1, 2));
    for i in 0..n {
        let v = |r: &[u8]| r[i] as i16;
        gx[i] = v(ur) - v(ul) + 2 * (v(mr) - v(ml)) + v(dr) - v(dl);
        gy[i] = v(dl) - v(ul) + 2 * (v(dc) - v(uc)) + v(dr) - v(ur);
    }
}

#[inline(always)]
fn edge_width_body(plane: &LumaPlane, scratch: &mut EdgeWidthScratch) -> Option<f64> {
    let (w, h) = (plane.width(), plane.height());
    if w < 5 || h < 5 {
        return None;
    }
    let EdgeWidthScratch {
        luma,
        blurred,
        gradients,
        directions,
        edges,
        keep,
        wide,
        rows,
        sums,
        gx,
        gy,
    } = scratch;
    pack_u8(plane, wide, luma);
    blurred.resize(w * h, 0);
    gaussian(luma, blurred, w, h, rows, sums);

    gradients.clear();
    gradients.resize(w * h, 0);
    directions.clear();
    directions.resize(w * h, VERTICAL);
    gx.resize(w - 2, 0);
    gy.resize(w - 2, 0);
    for j in 1..h - 1 {
        sobel_row(blurred, w, j, gx, gy);
        let g = &mut gradients[j * w + 1..(j + 1) * w - 1];
        let d = &mut directions[j * w + 1..(j + 1) * w - 1];
        for (((g, d), &x), &y) in g.iter_mut().zip(d).zip(gx.iter()).zip(gy.iter()) {
            *g = x.unsigned_abs() + y.unsigned_abs();
            *d = rounded_direction(x as i32, y as i32);
        }
    }

    // Non-maximum suppression; magnitudes up to LOW never pass the threshold, so they are
    // dropped here.
    edges.clear();
    edges.resize(w * h, 0);
    let n = w - 2;
    for j in 1..h - 1 {
        let row = |y: usize, x0: usize| &gradients[y * w + x0..][..n];
        let (ul, uc, ur) = (row(j - 1, 0), row(j - 1, 1), row(j - 1, 2));
        let (ml, mc, mr) = (row(j, 0), row(j, 1), row(j, 2));
        let (dl, dc, dr) = (row(j + 1, 0), row(j + 1, 1), row(j + 1, 2));
        let d = &directions[j * w + 1..][..n];
        let e = &mut edges[j * w + 1..][..n];
        for i in 0..n {
            // Masks rather than a match, so the loop vectorises.
            let pick = |code: u8, m: u16| m & ((d[i] == code) as u16).wrapping_neg();
            let neighbours = pick(UP45, dl[i].max(ur[i]))
                | pick(DOWN45, ul[i].max(dr[i]))
                | pick(HORIZONTAL, ml[i].max(mr[i]))
                | pick(VERTICAL, uc[i].max(dc[i]));
            let c = mc[i];
            let edge = (c > LOW as u16) & (c > neighbours);
            e[i] = if edge { c.min(255) as u8 } else { 0 };
        }
    }

    // Double threshold: above HIGH, or above LOW next to one above HIGH. Values above HIGH
    // never change, so this reads the suppressed magnitudes as blurdetect's in-place pass
    // does. Border pixels are never edges.
    let (mut total, mut count) = (0f64, 0u64);
    keep.resize(n, false);
    let keep = &mut keep[..n];
    for j in 1..h - 1 {
        let row = |y: usize, x0: usize| &edges[y * w + x0..][..n];
        let (ul, uc, ur) = (row(j - 1, 0), row(j - 1, 1), row(j - 1, 2));
        let (ml, mc, mr) = (row(j, 0), row(j, 1), row(j, 2));
        let (dl, dc, dr) = (row(j + 1, 0), row(j + 1, 1), row(j + 1, 2));
        for i in 0..n {
            let strong = ul[i].max(uc[i]).max(ur[i]).max(ml[i]).max(mr[i]);
            let strong = strong.max(dl[i]).max(dc[i]).max(dr[i]) > HIGH;
            keep[i] = (mc[i] > HIGH) | ((mc[i] > LOW) & strong);
        }
        for (k, chunk) in keep.chunks(32).enumerate() {
            if !chunk.contains(&true) {
                continue;
            }
            for (t, _) in chunk.iter().enumerate().filter(|(_, kept)| **kept) {
                let i = 1 + k * 32 + t;
                let width = width_at(blurred, w, h, i, j, directions[j * w + i]);
                if width > 0.001 {
                    count += 1;
                    total += width as f64;
                }
            }
        }
    }
    (total >= 2.0).then(|| total / count as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directions_follow_the_gradient_angle() {
        assert_eq!(rounded_direction(10, 0), HORIZONTAL);
        assert_eq!(rounded_direction(0, 10), VERTICAL);
        assert_eq!(rounded_direction(10, 10), DOWN45);
        assert_eq!(rounded_direction(10, -10), UP45);
        assert_eq!(rounded_direction(-10, 10), UP45);
        assert_eq!(rounded_direction(-1020, -1020), DOWN45);
        assert_eq!(rounded_direction(0, 0), VERTICAL);
    }

    #[test]
    fn flat_frame_has_no_edge_width() {
        let data = vec![100u8; 64 * 64];
        let p = LumaPlane::new_u8(&data, 64, 64, 64).unwrap();
        assert_eq!(edge_width(&p, &mut Default::default()), None);
    }

    #[test]
    fn softer_step_is_wider() {
        let step = |ramp: usize| -> Vec<u8> {
            (0..64 * 64)
                .map(|i| {
                    let x = i % 64;
                    let t = (x as f64 - 32.0) / ramp as f64;
                    (40.0 + 160.0 * t.clamp(0.0, 1.0)) as u8
                })
                .collect()
        };
        let (sharp, soft) = (step(1), step(8));
        let ws = edge_width(
            &LumaPlane::new_u8(&sharp, 64, 64, 64).unwrap(),
            &mut Default::default(),
        )
        .unwrap();
        let wb = edge_width(
            &LumaPlane::new_u8(&soft, 64, 64, 64).unwrap(),
            &mut Default::default(),
        )
        .unwrap();
        assert!(wb > ws + 3.0, "sharp {ws}, soft {wb}");
    }

    #[test]
    fn avx2_build_equals_the_baseline() {
        crate::analysis::kernels::simd::with_textured(203, 77, |p| {
            let mut scratch = EdgeWidthScratch::default();
            let got = edge_width(p, &mut scratch);
            assert!(got.is_some());
            assert_eq!(got, edge_width_body(p, &mut scratch));
        });
    }
}
