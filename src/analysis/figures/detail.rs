//! `detail`: the variance of mean-subtracted contrast-normalised luma (MSCN, as in BRISQUE)
//! where the frame has structure. Edge-preserving smoothing (denoisers, bilateral and
//! non-local-means filters, TV) removes the fine variations between edges, so the normalised
//! deviations shrink while edges stay. The figure is judged against the stream's own history,
//! not against a fixed level: its level depends on the content.
//!
//! The sampled row pairs of [`local_contrast`](crate::analysis::kernels::local_contrast) are
//! cut into segments of 64 columns, of which the analyzer computes every other one (a
//! checkerboard); a segment's structure is its mean local sigma. The
//! quarter of segments with the most structure are pooled, so sky, fog and out-of-focus
//! background do not decide the figure. The normalising constant is a fifth of their mean
//! structure, which makes the figure independent of contrast.

use crate::analysis::kernels::local_contrast::LocalContrast;
use crate::analysis::kernels::simd::with_avx2;

/// Columns of a segment.
pub const SEGMENT: usize = 64;
/// Share of the segments pooled, those with the most structure.
pub const POOLED: f64 = 0.25;
/// MSCN's constant as a share of the pooled segments' mean structure.
pub const CONSTANT_SHARE: f64 = 0.2;
/// Mean local sigma (8-bit levels) the pooled segments need for a figure.
pub const MIN_STRUCTURE: f64 = 2.0;

/// Reused memory of [`detail`].
#[derive(Debug, Default)]
pub struct DetailScratch {
    /// (structure, row, first column) of each segment.
    segments: Vec<(f64, u32, u32)>,
}

with_avx2!(
    /// The frame's `detail` (mean squared MSCN over the pooled segments, about 0..1.5) from
    /// its local contrast; None when there is no whole segment or the pooled segments have
    /// less structure than [`MIN_STRUCTURE`].
    pub fn detail(contrast: &LocalContrast, scratch: &mut DetailScratch) -> Option<f64>
        => detail_body
);

/// Lanes summed together; a segment's sum is the same on both builds.
const LANES: usize = 8;

/// Sum of `f` over a segment's samples, in [`LANES`] partial sums added in order.
#[inline(always)]
fn lane_sum(a: &[f32], b: &[f32], f: impl Fn(f32, f32) -> f32) -> f32 {
    let mut acc = [0.0f32; LANES];
    for (a, b) in a.chunks_exact(LANES).zip(b.chunks_exact(LANES)) {
        for i in 0..LANES {
            acc[i] += f(a[i], b[i]);
        }
    }
    acc.iter().sum()
}

#[inline(always)]
fn detail_body(contrast: &LocalContrast, scratch: &mut DetailScratch) -> Option<f64> {
    let segments = &mut scratch.segments;
    segments.clear();
    let per_row = contrast.width / SEGMENT;
    for r in (0..contrast.rows).step_by(2) {
        let (_, upper) = contrast.row(r);
        let (_, lower) = contrast.row(r + 1);
        for s in (0..per_row).filter(|&s| contrast.is_computed(r / 2, s)) {
            let span = s * SEGMENT..(s + 1) * SEGMENT;
            let sum = lane_sum(&upper[span.clone()], &lower[span], |a, b| a + b);
            segments.push((
                sum as f64 / (2 * SEGMENT) as f64,
                r as u32,
                (s * SEGMENT) as u32,
            ));
        }
    }
    if segments.is_empty() {
        return None;
    }
    let pooled = ((segments.len() as f64 * POOLED).round() as usize).max(1);
    // Most structure first; ties keep the order of the frame.
    segments.select_nth_unstable_by(pooled - 1, |a, b| {
        b.0.total_cmp(&a.0).then((a.1, a.2).cmp(&(b.1, b.2)))
    });
    let top = &segments[..pooled];
    let structure = top.iter().map(|s| s.0).sum::<f64>() / pooled as f64;
    if structure < MIN_STRUCTURE {
        return None;
    }
    let constant = (CONSTANT_SHARE * structure) as f32;
    let mut sum = 0.0f64;
    for &(_, r, x0) in top {
        let span = x0 as usize..x0 as usize + SEGMENT;
        for r in [r as usize, r as usize + 1] {
            let (dev, sigma) = contrast.row(r);
            let part = lane_sum(&dev[span.clone()], &sigma[span.clone()], |d, s| {
                let m = d / (s + constant);
                m * m
            });
            sum += part as f64;
        }
    }
    Some(sum / (pooled * 2 * SEGMENT) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::frame::plane::LumaPlane;
    use crate::analysis::kernels::local_contrast::{LocalContrastScratch, local_contrast};

    fn figure(data: &[u8], w: usize, h: usize) -> Option<f64> {
        let plane = LumaPlane::new_u8(data, w, h, w).unwrap();
        let mut contrast = LocalContrast::default();
        local_contrast(
            &plane,
            SEGMENT,
            &mut LocalContrastScratch::default(),
            &mut contrast,
        );
        detail(&contrast, &mut DetailScratch::default())
    }

    /// Deterministic texture: a hash of the position, `amplitude` levels around 128.
    fn texture(w: usize, h: usize, amplitude: f64) -> Vec<u8> {
        (0..w * h)
            .map(|i| {
                let v = ((i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40) as f64
                    / (1u64 << 24) as f64;
                (128.0 + amplitude * (v - 0.5) * 2.0).round() as u8
            })
            .collect()
    }

    /// A 3x3 box blur (clamped borders).
    fn smoothed(data: &[u8], w: usize, h: usize) -> Vec<u8> {
        let at = |x: isize, y: isize| {
            data[y.clamp(0, h as isize - 1) as usize * w + x.clamp(0, w as isize - 1) as usize]
                as f64
        };
        (0..w * h)
            .map(|i| {
                let (x, y) = ((i % w) as isize, (i / w) as isize);
                let mut s = 0.0;
                for dy in -1..=1 {
                    for dx in -1..=1 {
                        s += at(x + dx, y + dy);
                    }
                }
                (s / 9.0).round() as u8
            })
            .collect()
    }

    #[test]
    fn both_builds_give_the_same_figure() {
        let (w, h) = (200, 80);
        let data = texture(w, h, 30.0);
        let plane = LumaPlane::new_u8(&data, w, h, w).unwrap();
        let mut contrast = LocalContrast::default();
        local_contrast(
            &plane,
            SEGMENT,
            &mut LocalContrastScratch::default(),
            &mut contrast,
        );
        let a = detail(&contrast, &mut DetailScratch::default());
        let b = detail_body(&contrast, &mut DetailScratch::default());
        assert!(a.is_some());
        assert_eq!(a, b);
    }

    #[test]
    fn flat_and_tiny_frames_have_no_figure() {
        assert_eq!(figure(&vec![90; 256 * 64], 256, 64), None);
        assert_eq!(figure(&texture(63, 64, 40.0), 63, 64), None);
        assert_eq!(figure(&texture(256, 7, 40.0), 256, 7), None);
        // Structure under the floor.
        assert_eq!(figure(&texture(256, 64, 1.0), 256, 64), None);
    }

    #[test]
    fn smoothing_lowers_it_and_contrast_does_not_move_it() {
        let (w, h) = (256, 96);
        let sharp = texture(w, h, 60.0);
        let d = figure(&sharp, w, h).unwrap();
        assert!(d > 0.5, "{d}");
        let soft = figure(&smoothed(&sharp, w, h), w, h).unwrap();
        assert!(soft < 0.8 * d, "{soft} vs {d}");
        let half: Vec<u8> = sharp
            .iter()
            .map(|&v| (128.0 + (v as f64 - 128.0) / 2.0).round() as u8)
            .collect();
        let h2 = figure(&half, w, h).unwrap();
        assert!((h2 / d - 1.0).abs() < 0.05, "{h2} vs {d}");
    }

    #[test]
    fn the_most_structured_quarter_decides() {
        // Left quarter textured, the rest flat: the same as textured everywhere.
        let (w, h) = (256, 96);
        let full = texture(w, h, 60.0);
        let mut part = vec![128u8; w * h];
        for y in 0..h {
            part[y * w..y * w + 64].copy_from_slice(&full[y * w..y * w + 64]);
        }
        let a = figure(&full, w, h).unwrap();
        let b = figure(&part, w, h).unwrap();
        assert!((b / a - 1.0).abs() < 0.1, "{b} vs {a}");
    }
}
