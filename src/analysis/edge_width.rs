//! Edge width (Marziliano 2002) as ffmpeg's `blurdetect` computes it with its defaults
//! (libavfilter/vf_blurdetect.c, edge_common.c): 5x5 Gaussian pre-blur (integer, /159),
//! Sobel magnitude |gx|+|gy| with the direction rounded to 4 bins, non-maximum suppression,
//! double threshold (low 15, high 30), then for every edge pixel the distance between the
//! extrema on both sides along its direction on the pre-blurred picture (radius 50; 0 if
//! the walk leaves the picture; diagonals times 0.7). The result is the mean width of the
//! edges with a width, in pixels; higher = blurrier. Samples deeper than 8 bits are
//! truncated to 8 bits first, since blurdetect works on 8-bit planes.

use super::plane::LumaPlane;

const LOW: u8 = 15;
const HIGH: u8 = 30;
const RADIUS: usize = 50;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    Up45,
    Down45,
    Horizontal,
    Vertical,
}

/// Reusable memory.
#[derive(Debug, Default)]
pub struct EdgeWidthScratch {
    luma: Vec<u8>,
    blurred: Vec<u8>,
    gradients: Vec<u16>,
    directions: Vec<Direction>,
    edges: Vec<u8>,
    line: Vec<f32>,
}

/// ffmpeg's `get_rounded_direction`.
fn rounded_direction(gx: i32, gy: i32) -> Direction {
    if gx != 0 {
        let (gx, gy) = if gx < 0 {
            (-gx as i64, -gy as i64)
        } else {
            (gx as i64, gy as i64)
        };
        let gy = gy * (1 << 16);
        let (t1, t3) = (27146 * gx, 158218 * gx);
        if gy > -t3 && gy < -t1 {
            return Direction::Up45;
        }
        if gy > -t1 && gy < t1 {
            return Direction::Horizontal;
        }
        if gy > t1 && gy < t3 {
            return Direction::Down45;
        }
    }
    Direction::Vertical
}

/// ffmpeg's `ff_gaussian_blur`: 5x5, sigma 1.4, two border rows and columns copied.
fn gaussian(src: &[u8], dst: &mut [u8], w: usize, h: usize) {
    dst.copy_from_slice(src);
    const K: [[u32; 5]; 5] = [
        [2, 4, 5, 4, 2],
        [4, 9, 12, 9, 4],
        [5, 12, 15, 12, 5],
        [4, 9, 12, 9, 4],
        [2, 4, 5, 4, 2],
    ];
    for j in 2..h - 2 {
        for i in 2..w - 2 {
            let mut s = 0u32;
            for (dy, row) in K.iter().enumerate() {
                let base = (j + dy - 2) * w + i - 2;
                for (dx, k) in row.iter().enumerate() {
                    s += k * src[base + dx] as u32;
                }
            }
            dst[j * w + i] = (s / 159) as u8;
        }
    }
}

/// Distance between the extrema around edge pixel (i, j) along `dir`, as ffmpeg's
/// `edge_width`.
fn width_at(src: &[u8], w: usize, h: usize, i: usize, j: usize, dir: Direction) -> f32 {
    let (dx, dy): (isize, isize) = match dir {
        Direction::Horizontal => (1, 0),
        Direction::Vertical => (0, 1),
        Direction::Up45 => (1, -1),
        Direction::Down45 => (1, 1),
    };
    let px = |x: isize, y: isize| src[y as usize * w + x as usize] as i32;
    let inside = |x: isize, y: isize| x >= 0 && x < w as isize && y >= 0 && y < h as isize;
    let (i, j) = (i as isize, j as isize);
    let sign = if px(i, j) > px(i - dx, j - dy) { 1 } else { -1 };
    let mut width = 0f32;
    for forward in [false, true] {
        let s: isize = if forward { 1 } else { -1 };
        let mut k = 0;
        while k < RADIUS {
            let (x1, y1) = (i + s * k as isize * dx, j + s * k as isize * dy);
            let (x2, y2) = (x1 + s * dx, y1 + s * dy);
            if !inside(x2, y2) {
                return 0.0;
            }
            let t = (px(x1, y1) - px(x2, y2)) * sign;
            if (!forward && t <= 0) || (forward && t >= 0) {
                break;
            }
            k += 1;
        }
        width += k as f32;
    }
    if matches!(dir, Direction::Up45 | Direction::Down45) {
        width = (width as f64 * 0.7) as f32;
    }
    width
}

/// Mean edge width in pixels; None when the frame has no edges (or is under 5 pixels on a
/// side), where ffmpeg gives NaN.
pub fn edge_width(plane: &LumaPlane, scratch: &mut EdgeWidthScratch) -> Option<f64> {
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
        line,
    } = scratch;
    plane.to_packed(line, luma, |v| v as u8);
    blurred.resize(w * h, 0);
    gaussian(luma, blurred, w, h);

    gradients.clear();
    gradients.resize(w * h, 0);
    directions.clear();
    directions.resize(w * h, Direction::Vertical);
    let b = |x: usize, y: usize| blurred[y * w + x] as i32;
    for j in 1..h - 1 {
        for i in 1..w - 1 {
            let gx = -b(i - 1, j - 1) + b(i + 1, j - 1) - 2 * b(i - 1, j) + 2 * b(i + 1, j)
                - b(i - 1, j + 1)
                + b(i + 1, j + 1);
            let gy = -b(i - 1, j - 1) + b(i - 1, j + 1) - 2 * b(i, j - 1) + 2 * b(i, j + 1)
                - b(i + 1, j - 1)
                + b(i + 1, j + 1);
            gradients[j * w + i] = (gx.abs() + gy.abs()) as u16;
            directions[j * w + i] = rounded_direction(gx, gy);
        }
    }

    edges.clear();
    edges.resize(w * h, 0);
    for j in 1..h - 1 {
        for i in 1..w - 1 {
            let g = |x: usize, y: usize| gradients[y * w + x];
            let c = g(i, j);
            let (a, bb) = match directions[j * w + i] {
                Direction::Up45 => (g(i - 1, j + 1), g(i + 1, j - 1)),
                Direction::Down45 => (g(i - 1, j - 1), g(i + 1, j + 1)),
                Direction::Horizontal => (g(i - 1, j), g(i + 1, j)),
                Direction::Vertical => (g(i, j - 1), g(i, j + 1)),
            };
            if c > a && c > bb {
                edges[j * w + i] = c.min(255) as u8;
            }
        }
    }

    // Double threshold. Values above HIGH are never changed, so doing it in place, as
    // blurdetect does, gives the same result as reading the suppressed magnitudes.
    let (mut total, mut count) = (0f64, 0u64);
    for j in 0..h {
        for i in 0..w {
            let v = edges[j * w + i];
            let keep = v > HIGH
                || (i > 0
                    && i < w - 1
                    && j > 0
                    && j < h - 1
                    && v > LOW
                    && [
                        (i - 1, j - 1),
                        (i, j - 1),
                        (i + 1, j - 1),
                        (i - 1, j),
                        (i + 1, j),
                        (i - 1, j + 1),
                        (i, j + 1),
                        (i + 1, j + 1),
                    ]
                    .iter()
                    .any(|&(x, y)| edges[y * w + x] > HIGH));
            if !keep {
                edges[j * w + i] = 0;
                continue;
            }
            let width = width_at(blurred, w, h, i, j, directions[j * w + i]);
            if width > 0.001 {
                count += 1;
                total += width as f64;
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
        assert_eq!(rounded_direction(10, 0), Direction::Horizontal);
        assert_eq!(rounded_direction(0, 10), Direction::Vertical);
        assert_eq!(rounded_direction(10, 10), Direction::Down45);
        assert_eq!(rounded_direction(10, -10), Direction::Up45);
        assert_eq!(rounded_direction(-10, 10), Direction::Up45);
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
}
