//! Local mean and local standard deviation under a 7x7 Gaussian window (sigma 7/6, the
//! window of BRISQUE's mean-subtracted contrast-normalised luma), at sampled pairs of
//! adjacent rows. Borders reflect-101 along rows; the window's rows always lie in the plane.

use super::derivatives::reflect101;
use super::simd::with_avx2;
use crate::analysis::frame::plane::LumaPlane;

/// Rows (and columns) of the window on each side of its centre.
pub const RADIUS: usize = 3;
/// The normalised Gaussian window, sigma 7/6.
const WEIGHTS: [f32; 2 * RADIUS + 1] = [
    0.012_560_2,
    0.078_827_97,
    0.237_296_08,
    0.342_631_5,
    0.237_296_08,
    0.078_827_97,
    0.012_560_2,
];
/// Samples are taken relative to mid-grey, so that `E[x^2] - E[x]^2` keeps its precision in
/// `f32`.
const OFFSET: f32 = 128.0;
/// Input rows one pair reads.
const WINDOW_ROWS: usize = 2 * RADIUS + 2;
/// Pairs are at least this many rows apart.
const MIN_SPACING: usize = 8;
/// The spacing doubles while at least this many pairs remain; more pairs did not change
/// the figure's falls on the calibration set, half as many (9 at 1080 rows) made a pan
/// across coffee raise a `detail` alarm (docs/evaluation.md).
const MIN_PAIRS: usize = 17;

/// Rows between the first rows of two successive pairs for a plane `height` rows high:
/// 8, doubled while at least 17 pairs remain (32 at 720 and 1080 rows, 64 at 2160).
pub fn pair_spacing(height: usize) -> usize {
    let mut spacing = MIN_SPACING;
    while spacing * 2 * MIN_PAIRS <= height {
        spacing *= 2;
    }
    spacing
}

/// First rows of the sampled pairs: every [`pair_spacing`] rows from the middle of the
/// first spacing (or the last row that fits), each pair's window inside the plane. Empty
/// under 8 rows.
pub fn pair_rows(height: usize) -> impl Iterator<Item = usize> {
    let spacing = pair_spacing(height);
    let (first, last) = match height.checked_sub(RADIUS + 2) {
        Some(last) if last >= RADIUS => ((RADIUS + (spacing - 2) / 2).min(last), last),
        _ => (1, 0),
    };
    (first..=last).step_by(spacing)
}

/// Deviation from the local mean and local standard deviation of each sample of the sampled
/// row pairs, 8-bit units: row `2 * p + i` is row `i` of pair `p`, `width` samples each. With
/// a `span`, only the spans of [`LocalContrast::is_computed`] hold values.
#[derive(Debug, Default, Clone)]
pub struct LocalContrast {
    pub width: usize,
    pub rows: usize,
    /// Columns of a span; 0: whole rows.
    pub span: usize,
    pub deviation: Vec<f32>,
    pub sigma: Vec<f32>,
}

impl LocalContrast {
    /// Deviations and sigmas of row `r`.
    pub fn row(&self, r: usize) -> (&[f32], &[f32]) {
        let span = r * self.width..(r + 1) * self.width;
        (&self.deviation[span.clone()], &self.sigma[span])
    }

    /// Whether span `s` (columns `s * span..(s + 1) * span`) of pair `p` was computed: every
    /// other span, the even ones on even pairs and the odd ones on odd pairs.
    pub fn is_computed(&self, p: usize, s: usize) -> bool {
        is_computed(self.span, p, s)
    }
}

fn is_computed(span: usize, p: usize, s: usize) -> bool {
    span == 0 || (p + s).is_multiple_of(2)
}

/// Reused memory of [`local_contrast`].
#[derive(Debug, Default)]
pub struct LocalContrastScratch {
    /// The window's input rows, offset by [`OFFSET`].
    input: Vec<f32>,
    /// Column-filtered mean and mean square of one output row, padded by [`RADIUS`] on each
    /// side.
    mean: Vec<f32>,
    square: Vec<f32>,
}

with_avx2!(
    /// Local deviation and sigma at the row pairs of [`pair_rows`], in whole rows (`span`
    /// 0) or in every other span of `span` columns, alternating between pairs (a checkerboard;
    /// [`LocalContrast::is_computed`]); no rows for planes under 8 rows.
    pub fn local_contrast(plane: &LumaPlane, span: usize, scratch: &mut LocalContrastScratch, out: &mut LocalContrast)
        => local_contrast_body
);

#[inline(always)]
fn local_contrast_body(
    plane: &LumaPlane,
    span: usize,
    scratch: &mut LocalContrastScratch,
    out: &mut LocalContrast,
) {
    let w = plane.width();
    out.width = w;
    out.rows = 0;
    out.span = span;
    // Written in place; resizing to the previous frame's length writes nothing.
    let samples = pair_rows(plane.height()).count() * 2 * w;
    out.deviation.resize(samples, 0.0);
    out.sigma.resize(samples, 0.0);
    let padded = w + 2 * RADIUS;
    scratch.input.resize(WINDOW_ROWS * w, 0.0);
    scratch.mean.resize(padded, 0.0);
    scratch.square.resize(padded, 0.0);
    let (width, count) = match span {
        0 => (w, 1),
        _ => (span, w.div_ceil(span)),
    };
    for (p, first) in pair_rows(plane.height()).enumerate() {
        for (i, row) in scratch.input.chunks_exact_mut(w).enumerate() {
            plane.row_f32(first - RADIUS + i, row);
            for v in row.iter_mut() {
                *v -= OFFSET;
            }
        }
        for i in 0..2 {
            let start = out.rows * w;
            let rows = &scratch.input[i * w..];
            let centre = &scratch.input[(i + RADIUS) * w..(i + RADIUS + 1) * w];
            for s in (0..count).filter(|&s| is_computed(span, p, s)) {
                let (a, b) = (s * width, ((s + 1) * width).min(w));
                // Column sums over the span and the window's reach on each side.
                let (c0, c1) = (a.saturating_sub(RADIUS), (b + RADIUS).min(w));
                column_filter(rows, w, c0..c1, &mut scratch.mean, &mut scratch.square);
                row_filter(
                    &centre[a..b],
                    &scratch.mean[a..b + 2 * RADIUS],
                    &scratch.square[a..b + 2 * RADIUS],
                    &mut out.deviation[start + a..start + b],
                    &mut out.sigma[start + a..start + b],
                );
            }
            out.rows += 1;
        }
    }
}

/// Lanes summed together in registers; the sums of each column are made in the same order
/// whether or not a column is in a whole group of lanes.
const LANES: usize = 8;

/// Weighted sums down the window's seven rows of `rows` (row stride `w`) for the columns
/// `columns` into the middle of `mean` and `square` (offset by [`RADIUS`]), then reflect-101
/// padding at the ends of the row that `columns` reaches.
#[inline(always)]
fn column_filter(
    rows: &[f32],
    w: usize,
    columns: std::ops::Range<usize>,
    mean: &mut [f32],
    square: &mut [f32],
) {
    let (m, q) = (
        &mut mean[RADIUS..RADIUS + w],
        &mut square[RADIUS..RADIUS + w],
    );
    let whole = columns.start + (columns.len() / LANES) * LANES;
    for x0 in (columns.start..whole).step_by(LANES) {
        let (mut sm, mut sq) = ([0.0f32; LANES], [0.0f32; LANES]);
        for (k, &weight) in WEIGHTS.iter().enumerate() {
            let v = &rows[k * w + x0..k * w + x0 + LANES];
            for i in 0..LANES {
                sm[i] += weight * v[i];
                sq[i] += weight * (v[i] * v[i]);
            }
        }
        m[x0..x0 + LANES].copy_from_slice(&sm);
        q[x0..x0 + LANES].copy_from_slice(&sq);
    }
    for x in whole..columns.end {
        let (mut sm, mut sq) = (0.0f32, 0.0f32);
        for (k, &weight) in WEIGHTS.iter().enumerate() {
            let v = rows[k * w + x];
            sm += weight * v;
            sq += weight * (v * v);
        }
        m[x] = sm;
        q[x] = sq;
    }
    for line in [mean, square] {
        for j in 1..=RADIUS {
            if columns.start == 0 {
                line[RADIUS - j] = line[RADIUS + reflect101(-(j as isize), w)];
            }
            if columns.end == w {
                line[RADIUS + w - 1 + j] = line[RADIUS + reflect101((w - 1 + j) as isize, w)];
            }
        }
    }
}

/// The row pass of the window over the padded column sums, then deviation and sigma.
#[inline(always)]
fn row_filter(centre: &[f32], mean: &[f32], square: &[f32], dev: &mut [f32], sigma: &mut [f32]) {
    let w = centre.len();
    let whole = w / LANES * LANES;
    for x0 in (0..whole).step_by(LANES) {
        let (mut mu, mut sq) = ([0.0f32; LANES], [0.0f32; LANES]);
        for (k, &weight) in WEIGHTS.iter().enumerate() {
            let (m, q) = (
                &mean[x0 + k..x0 + k + LANES],
                &square[x0 + k..x0 + k + LANES],
            );
            for i in 0..LANES {
                mu[i] += weight * m[i];
                sq[i] += weight * q[i];
            }
        }
        let v = &centre[x0..x0 + LANES];
        let (d, s) = (&mut dev[x0..x0 + LANES], &mut sigma[x0..x0 + LANES]);
        for i in 0..LANES {
            d[i] = v[i] - mu[i];
            s[i] = (sq[i] - mu[i] * mu[i]).abs().sqrt();
        }
    }
    for x in whole..w {
        let (mut mu, mut sq) = (0.0f32, 0.0f32);
        for (k, &weight) in WEIGHTS.iter().enumerate() {
            mu += weight * mean[x + k];
            sq += weight * square[x + k];
        }
        dev[x] = centre[x] - mu;
        sigma[x] = (sq - mu * mu).abs().sqrt();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::kernels::simd::with_8_and_16_bit;

    /// The window in f64, straight from its definition.
    fn direct(plane: &LumaPlane, y: usize, x: usize) -> (f64, f64) {
        let (w, h) = (plane.width(), plane.height());
        let mut row = vec![0.0f32; w];
        let (mut mu, mut q) = (0.0, 0.0);
        for (j, &wy) in WEIGHTS.iter().enumerate() {
            let yy = reflect101(y as isize + j as isize - RADIUS as isize, h);
            plane.row_f32(yy, &mut row);
            for (i, &wx) in WEIGHTS.iter().enumerate() {
                let xx = reflect101(x as isize + i as isize - RADIUS as isize, w);
                let v = row[xx] as f64;
                mu += (wy * wx) as f64 * v;
                q += (wy * wx) as f64 * v * v;
            }
        }
        plane.row_f32(y, &mut row);
        (row[x] as f64 - mu, (q - mu * mu).abs().sqrt())
    }

    #[test]
    fn weights_are_the_normalised_gaussian() {
        let sum: f32 = WEIGHTS.iter().sum();
        assert!((sum - 1.0).abs() < 1e-6);
        let s = 7.0f64 / 6.0;
        let g: Vec<f64> = (-3..=3)
            .map(|i: i32| (-(i * i) as f64 / (2.0 * s * s)).exp())
            .collect();
        let total: f64 = g.iter().sum();
        for (a, b) in WEIGHTS.iter().zip(&g) {
            assert!((*a as f64 - b / total).abs() < 1e-7);
        }
    }

    #[test]
    fn pairs_are_spaced_by_height_and_their_windows_stay_inside() {
        assert_eq!(pair_spacing(240), 8);
        assert_eq!(pair_spacing(400), 16);
        assert_eq!(pair_spacing(720), 32);
        assert_eq!(pair_spacing(1080), 32);
        assert_eq!(pair_spacing(2160), 64);
        assert_eq!(pair_rows(7).count(), 0);
        assert_eq!(pair_rows(8).collect::<Vec<_>>(), vec![3]);
        assert_eq!(pair_rows(1080).next(), Some(18));
        for h in [8, 9, 15, 16, 17, 240, 1080, 1081, 2160] {
            let rows: Vec<usize> = pair_rows(h).collect();
            assert!(!rows.is_empty(), "{h}");
            for r in rows {
                assert!(r >= RADIUS && r + 1 + RADIUS < h, "{h}: {r}");
            }
        }
        assert_eq!(pair_rows(1080).count(), 34);
    }

    #[test]
    fn matches_the_window_computed_directly_on_both_builds_and_depths() {
        with_8_and_16_bit(37, 29, |narrow, wide| {
            for plane in [narrow, wide] {
                let (mut scratch, mut out) =
                    (LocalContrastScratch::default(), LocalContrast::default());
                local_contrast(plane, 0, &mut scratch, &mut out);
                let mut base = LocalContrast::default();
                local_contrast_body(plane, 0, &mut LocalContrastScratch::default(), &mut base);
                assert_eq!(out.deviation, base.deviation);
                assert_eq!(out.sigma, base.sigma);
                let firsts: Vec<usize> = pair_rows(29).collect();
                assert_eq!(out.rows, 2 * firsts.len());
                for (p, &first) in firsts.iter().enumerate() {
                    for i in 0..2 {
                        let (dev, sigma) = out.row(2 * p + i);
                        for x in 0..37 {
                            let (d, s) = direct(plane, first + i, x);
                            assert!((dev[x] as f64 - d).abs() < 2e-3, "dev {x}: {} {d}", dev[x]);
                            assert!(
                                (sigma[x] as f64 - s).abs() < 2e-2,
                                "sigma {x}: {} {s}",
                                sigma[x]
                            );
                        }
                    }
                }
            }
        });
    }

    #[test]
    fn spans_in_a_checkerboard_match_whole_rows() {
        with_8_and_16_bit(150, 40, |narrow, wide| {
            for plane in [narrow, wide] {
                let (mut scratch, mut whole, mut spans) = (
                    LocalContrastScratch::default(),
                    LocalContrast::default(),
                    LocalContrast::default(),
                );
                local_contrast(plane, 0, &mut scratch, &mut whole);
                local_contrast(plane, 64, &mut scratch, &mut spans);
                assert_eq!(spans.rows, whole.rows);
                let mut computed = 0;
                for r in 0..whole.rows {
                    for s in 0..3 {
                        if !spans.is_computed(r / 2, s) {
                            continue;
                        }
                        computed += 1;
                        let cols = s * 64..((s + 1) * 64).min(150);
                        let (a, b) = (whole.row(r), spans.row(r));
                        assert_eq!(a.0[cols.clone()], b.0[cols.clone()], "row {r} span {s}");
                        assert_eq!(a.1[cols.clone()], b.1[cols], "row {r} span {s}");
                    }
                }
                // Even pairs compute spans 0 and 2, odd pairs span 1.
                assert_eq!(computed, whole.rows / 2 * 3);
            }
        });
    }

    #[test]
    fn a_flat_plane_has_no_contrast() {
        let data = vec![200u8; 64 * 16];
        let plane = LumaPlane::new_u8(&data, 64, 16, 64).unwrap();
        let mut out = LocalContrast::default();
        local_contrast(&plane, 0, &mut LocalContrastScratch::default(), &mut out);
        assert!(out.rows > 0);
        assert!(out.deviation.iter().all(|&d| d.abs() < 1e-4));
        assert!(out.sigma.iter().all(|&s| s < 1e-2));
    }
}
