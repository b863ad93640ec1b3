//! Mean power spectrum of lines of a luma plane: rows (horizontal detail) or columns
//! (vertical detail), in Hann-windowed, mean-removed segments of [`SEGMENT`] samples with
//! half overlap (at most [`SEGMENTS_PER_LINE`] per line, spread evenly), over at most
//! [`LINES`] evenly spaced lines.

use std::sync::Arc;

use rustfft::{Fft, FftPlanner, num_complex::Complex};

use super::simd::with_avx2;
use crate::analysis::frame::plane::LumaPlane;

/// Samples per segment; bin `k` of the spectrum is `k / SEGMENT` cycles per pixel.
pub const SEGMENT: usize = 128;
/// Index of the Nyquist bin.
pub const NYQUIST: usize = SEGMENT / 2;
/// Most lines read per axis.
pub const LINES: usize = 128;
/// Most segments read per line.
pub const SEGMENTS_PER_LINE: usize = 12;

/// Which lines to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Axis {
    /// Rows: detail along the width.
    Rows,
    /// Columns: detail along the height.
    Columns,
}

impl Axis {
    /// Length of one line and number of lines of `plane` along this axis.
    pub fn lines_of(self, plane: &LumaPlane) -> (usize, usize) {
        match self {
            Axis::Rows => (plane.width(), plane.height()),
            Axis::Columns => (plane.height(), plane.width()),
        }
    }

    /// Replaces `out` with `count` evenly spaced lines of `plane` (line `l` is `l * lines /
    /// count`), one after another, in the 8-bit range. Columns are gathered row by row, so
    /// memory is read in order; `row` and `at` are scratch.
    pub fn read_lines(
        self,
        plane: &LumaPlane,
        count: usize,
        scratch: (&mut Vec<f32>, &mut Vec<usize>),
        out: &mut Vec<f32>,
    ) {
        read_lines(self, plane, count, scratch, out);
    }
}

with_avx2!(
    /// [`Axis::read_lines`].
    fn read_lines(
        axis: Axis,
        plane: &LumaPlane,
        count: usize,
        scratch: (&mut Vec<f32>, &mut Vec<usize>),
        out: &mut Vec<f32>,
    ) => read_lines_body
);

#[inline(always)]
fn read_lines_body(
    axis: Axis,
    plane: &LumaPlane,
    count: usize,
    (row, at): (&mut Vec<f32>, &mut Vec<usize>),
    out: &mut Vec<f32>,
) {
    let (length, lines) = axis.lines_of(plane);
    at.clear();
    at.extend((0..count).map(|l| l * lines / count));
    // Every sample is written below.
    out.resize(count * length, 0.0);
    match axis {
        Axis::Rows => {
            for (&y, line) in at.iter().zip(out.chunks_exact_mut(length)) {
                plane.row_f32(y, line);
            }
        }
        Axis::Columns => {
            row.resize(plane.width(), 0.0);
            // 8-bit rows 16 at a time, so each line is written a cache line at a time
            // (lines 1280 samples long share a few cache sets).
            const ROWS: usize = 16;
            let whole = match plane.row_u8(0) {
                Some(_) => length / ROWS * ROWS,
                None => 0,
            };
            for y in (0..whole).step_by(ROWS) {
                let rows: [&[u8]; ROWS] =
                    std::array::from_fn(|k| plane.row_u8(y + k).unwrap_or_default());
                for (&x, line) in at.iter().zip(out.chunks_exact_mut(length)) {
                    // The bytes gathered first, then converted together.
                    let bytes: [u8; ROWS] = std::array::from_fn(|k| rows[k][x]);
                    for (o, b) in line[y..y + ROWS].iter_mut().zip(bytes) {
                        *o = b as f32;
                    }
                }
            }
            for y in whole..length {
                match plane.row_u8(y) {
                    Some(r) => {
                        for (l, &x) in at.iter().enumerate() {
                            out[l * length + y] = r[x] as f32;
                        }
                    }
                    None => {
                        plane.row_f32(y, row);
                        for (l, &x) in at.iter().enumerate() {
                            out[l * length + y] = row[x];
                        }
                    }
                }
            }
        }
    }
}

/// FFT plan, window and buffers reused across frames.
pub struct SpectrumScratch {
    fft: Arc<dyn Fft<f32>>,
    window: Vec<f32>,
    /// Pairs of segments, one in the real and one in the imaginary part, for one line.
    pairs: Vec<Complex<f32>>,
    fft_scratch: Vec<Complex<f32>>,
    row: Vec<f32>,
    at: Vec<usize>,
    /// Lines read along rows and along columns, apart, so that neither is zeroed again to
    /// grow back each frame.
    lines: [Vec<f32>; 2],
    /// The axis lines were last read along by [`line_spectrum`].
    read_along: Option<Axis>,
    power: Vec<f64>,
}

impl std::fmt::Debug for SpectrumScratch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SpectrumScratch").finish_non_exhaustive()
    }
}

impl Default for SpectrumScratch {
    fn default() -> Self {
        let fft = FftPlanner::<f32>::new().plan_fft_forward(SEGMENT);
        let window = (0..SEGMENT)
            .map(|i| {
                let phase = 2.0 * std::f64::consts::PI * (i as f64 + 0.5) / SEGMENT as f64;
                (0.5 - 0.5 * phase.cos()) as f32
            })
            .collect();
        SpectrumScratch {
            pairs: Vec::new(),
            fft_scratch: vec![Complex::default(); fft.get_inplace_scratch_len()],
            fft,
            window,
            row: Vec::new(),
            at: Vec::new(),
            lines: Default::default(),
            read_along: None,
            power: vec![0.0; NYQUIST + 1],
        }
    }
}

/// Sum of a segment, halves added pairwise. Video samples (8 to 16 bits, brought to the 8-bit
/// range by at most 2^-8) are multiples of 2^-8 below 256, so sums of [`SEGMENT`] of them are
/// exact in f32 in any order: the same as a sequential sum.
#[inline(always)]
fn segment_sum(v: &[f32; SEGMENT]) -> f32 {
    #[inline(always)]
    fn halve<const N: usize, const H: usize>(v: &[f32; N]) -> [f32; H] {
        std::array::from_fn(|i| v[i] + v[i + H])
    }
    let v: [f32; 8] = halve::<16, 8>(&halve::<32, 16>(&halve::<64, 32>(&halve::<128, 64>(v))));
    let v: [f32; 2] = halve::<4, 2>(&halve::<8, 4>(&v));
    v[0] + v[1]
}

/// Mean power per bin `0..=NYQUIST` along `axis`; None when the lines are shorter than
/// [`SEGMENT`].
pub fn line_spectrum<'s>(
    plane: &LumaPlane,
    axis: Axis,
    scratch: &'s mut SpectrumScratch,
) -> Option<&'s [f64]> {
    let (length, lines) = axis.lines_of(plane);
    scratch.read_along = None;
    if length < SEGMENT || lines == 0 {
        return None;
    }
    mean_power(plane, axis, scratch);
    scratch.read_along = Some(axis);
    Some(&scratch.power)
}

impl SpectrumScratch {
    /// The lines the last [`line_spectrum`] call read, one after another, when it read them
    /// along `axis` ([`LINES`] of them at most, as [`Axis::read_lines`] gives them).
    pub fn lines_read(&self, axis: Axis) -> Option<&[f32]> {
        (self.read_along == Some(axis)).then_some(&self.lines[axis as usize][..])
    }
}

with_avx2!(
    /// Writes the mean power per bin into `scratch.power`.
    fn mean_power(plane: &LumaPlane, axis: Axis, scratch: &mut SpectrumScratch)
        => mean_power_body
);

#[inline(always)]
fn mean_power_body(plane: &LumaPlane, axis: Axis, scratch: &mut SpectrumScratch) {
    let (length, lines) = axis.lines_of(plane);
    let SpectrumScratch {
        fft,
        window,
        pairs,
        fft_scratch,
        row,
        at,
        lines: read,
        power,
        ..
    } = scratch;
    let read = &mut read[axis as usize];
    power.clear();
    power.resize(NYQUIST + 1, 0.0);
    axis.read_lines(plane, lines.min(LINES), (row, at), read);
    // Half-overlapping segments, at most SEGMENTS_PER_LINE spread evenly over a line.
    let count = ((length - SEGMENT) / (SEGMENT / 2) + 1).min(SEGMENTS_PER_LINE);
    let start = |s: usize| {
        if count > 1 {
            s * (length - SEGMENT) / (count - 1)
        } else {
            0
        }
    };
    let window: &[f32; SEGMENT] = window[..].try_into().unwrap();
    let mut norms = [0f32; SEGMENT];
    let mut segments = 0u64;
    for line in read.chunks_exact(length) {
        pairs.resize(count.div_ceil(2) * SEGMENT, Complex::default());
        for (s, pair) in (0..count).step_by(2).zip(pairs.chunks_exact_mut(SEGMENT)) {
            // Segment s in the real part and s + 1, or zeros past the last, in the imaginary.
            let segment = |s: usize| {
                let v: &[f32; SEGMENT] = line[start(s)..start(s) + SEGMENT].try_into().unwrap();
                (v, segment_sum(v) / SEGMENT as f32)
            };
            let (re, re_mean) = segment(s);
            // Past the last segment, the real part's samples under a window of zeros.
            let (im, im_mean, im_window) = match s + 1 < count {
                true => {
                    let (v, mean) = segment(s + 1);
                    (v, mean, window)
                }
                false => (re, re_mean, &[0.0; SEGMENT]),
            };
            let pair: &mut [Complex<f32>; SEGMENT] = pair.try_into().unwrap();
            for (i, z) in pair.iter_mut().enumerate() {
                *z = Complex::new(
                    (re[i] - re_mean) * window[i],
                    (im[i] - im_mean) * im_window[i],
                );
            }
        }
        fft.process_with_scratch(pairs, fft_scratch);
        // The spectra A and B of two real segments in one transform Z: |A_k|^2 + |B_k|^2 =
        // (|Z_k|^2 + |Z_(N-k)|^2) / 2.
        for z in pairs.chunks_exact(SEGMENT) {
            for (n, z) in norms.iter_mut().zip(z) {
                *n = z.norm_sqr();
            }
            power[0] += (norms[0] as f64 + norms[0] as f64) * 0.5;
            let mirrored = norms[NYQUIST..].iter().rev();
            for ((p, &n), &m) in power[1..].iter_mut().zip(&norms[1..=NYQUIST]).zip(mirrored) {
                *p += (n as f64 + m as f64) * 0.5;
            }
        }
        segments += count as u64;
    }
    for p in power.iter_mut() {
        *p /= segments as f64;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_segment_sums_as_in_sequence() {
        let mut s = 7u32;
        for _ in 0..50 {
            let v: [f32; SEGMENT] = std::array::from_fn(|_| {
                s = s.wrapping_mul(1664525).wrapping_add(1013904223);
                (s >> 16) as f32 / 256.0
            });
            assert_eq!(segment_sum(&v), v.iter().sum::<f32>());
        }
    }

    #[test]
    fn a_sinusoid_lands_in_its_bin() {
        let (w, h) = (256, 8);
        let data: Vec<u8> = (0..w * h)
            .map(|i| {
                let x = (i % w) as f64;
                (128.0 + 100.0 * (2.0 * std::f64::consts::PI * 16.0 * x / 128.0).sin()) as u8
            })
            .collect();
        let plane = LumaPlane::new_u8(&data, w, h, w).unwrap();
        let mut s = SpectrumScratch::default();
        let rows = line_spectrum(&plane, Axis::Rows, &mut s).unwrap().to_vec();
        let peak = (0..=NYQUIST).max_by(|&a, &b| rows[a].total_cmp(&rows[b]));
        assert_eq!(peak, Some(16));
        let columns = line_spectrum(&plane, Axis::Columns, &mut s);
        assert!(columns.is_none(), "8 rows are shorter than a segment");
    }

    #[test]
    fn columns_see_vertical_detail_only() {
        let (w, h) = (130, 140);
        let data: Vec<u8> = (0..w * h)
            .map(|i| if (i / w) % 2 == 0 { 200 } else { 50 })
            .collect();
        let plane = LumaPlane::new_u8(&data, w, h, w).unwrap();
        let mut s = SpectrumScratch::default();
        let rows: f64 = line_spectrum(&plane, Axis::Rows, &mut s)
            .unwrap()
            .iter()
            .sum();
        assert!(rows < 1e-6);
        let columns = line_spectrum(&plane, Axis::Columns, &mut s).unwrap();
        assert!(columns[NYQUIST] > 1e3);
    }

    #[test]
    fn lines_are_read_at_their_indices() {
        let (w, h) = (37, 23);
        let data: Vec<u16> = (0..w * h).map(|i| (i * 37 % 1021) as u16).collect();
        let deep = LumaPlane::new_u16(&data, w, h, w, 2).unwrap();
        let narrow: Vec<u8> = data.iter().map(|&v| (v % 256) as u8).collect();
        let eight = LumaPlane::new_u8(&narrow, w, h, w).unwrap();
        let (mut row, mut at, mut out) = (Vec::new(), Vec::new(), Vec::new());
        let mut column = vec![0.0; h];
        for plane in [deep, eight] {
            Axis::Columns.read_lines(&plane, 5, (&mut row, &mut at), &mut out);
            assert_eq!(out.len(), 5 * h);
            for l in 0..5 {
                plane.column_f32(l * w / 5, &mut column);
                assert_eq!(&out[l * h..(l + 1) * h], &column[..]);
            }
            Axis::Rows.read_lines(&plane, 4, (&mut row, &mut at), &mut out);
            let mut r = vec![0.0; w];
            for l in 0..4 {
                plane.row_f32(l * h / 4, &mut r);
                assert_eq!(&out[l * w..(l + 1) * w], &r[..]);
            }
        }
    }

    /// Segments transformed one at a time with a real FFT, for comparison.
    fn single_segments(plane: &LumaPlane, axis: Axis) -> Vec<f64> {
        use realfft::RealFftPlanner;
        let fft = RealFftPlanner::<f32>::new().plan_fft_forward(SEGMENT);
        let (length, lines) = axis.lines_of(plane);
        let (mut row, mut at, mut read) = (Vec::new(), Vec::new(), Vec::new());
        axis.read_lines(plane, lines.min(LINES), (&mut row, &mut at), &mut read);
        let window = SpectrumScratch::default().window;
        let count = ((length - SEGMENT) / (SEGMENT / 2) + 1).min(SEGMENTS_PER_LINE);
        let mut power = vec![0.0; NYQUIST + 1];
        let mut segments = 0;
        for line in read.chunks_exact(length) {
            for s in 0..count {
                let start = if count > 1 {
                    s * (length - SEGMENT) / (count - 1)
                } else {
                    0
                };
                let v = &line[start..start + SEGMENT];
                let mean = v.iter().sum::<f32>() / SEGMENT as f32;
                let mut input: Vec<f32> =
                    v.iter().zip(&window).map(|(x, w)| (x - mean) * w).collect();
                let mut output = fft.make_output_vec();
                fft.process(&mut input, &mut output).unwrap();
                for (p, c) in power.iter_mut().zip(&output) {
                    *p += c.norm_sqr() as f64;
                }
                segments += 1;
            }
        }
        power.iter().map(|p| p / segments as f64).collect()
    }

    #[test]
    fn pairs_of_segments_give_the_power_of_single_segments() {
        // 400 samples make 5 segments (one unpaired), 150 make 1.
        crate::analysis::kernels::simd::with_textured(400, 150, |plane| {
            let mut s = SpectrumScratch::default();
            for axis in [Axis::Rows, Axis::Columns] {
                let paired = line_spectrum(plane, axis, &mut s).unwrap().to_vec();
                let single = single_segments(plane, axis);
                let top = single.iter().copied().fold(0.0, f64::max);
                for (k, (a, b)) in paired.iter().zip(&single).enumerate() {
                    assert!((a - b).abs() <= 1e-5 * top, "{axis:?} bin {k}: {a} {b}");
                }
                assert!(paired[NYQUIST] > 0.0);
            }
        });
    }

    #[test]
    fn the_avx2_build_gives_the_same_power() {
        crate::analysis::kernels::simd::with_textured(203, 150, |plane| {
            let mut s = SpectrumScratch::default();
            for axis in [Axis::Rows, Axis::Columns] {
                mean_power(plane, axis, &mut s);
                let dispatched = s.power.clone();
                mean_power_body(plane, axis, &mut s);
                assert_eq!(dispatched, s.power);
                assert!(dispatched[NYQUIST] > 0.0);
            }
        });
    }
}
