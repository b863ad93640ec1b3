//! Exact source size of a classic resampling upscale along one axis.
//!
//! Interpolating a line of `n` samples up to `N` mirrors its spectrum around the source's
//! Nyquist index. When the resampler scales pixel centres (`(x + 0.5) n / N`), that is DCT-II
//! index `n`, with a sign inversion: coefficient `n + j` is about `-c_j` times coefficient
//! `n - j`. When it keeps the first and last pixels in place (`x (n - 1) / (N - 1)`, as
//! videoscale's horizontal bilinear does), it is DCT-I index `n - 1`, without inversion.
//! Over [`LINES`] evenly spaced lines, the normalised correlation of the mirrored pairs for
//! `j` in `1..=`[`TAPS`] is near 1 at the source size and near 0 elsewhere. Block codecs
//! mirror the spectrum around multiples of `N / 8` too (their 8-pixel grid), so a candidate
//! on that grid needs [`GRID_CONFIDENCE`]; elsewhere [`CONFIDENCE`] suffices.

use std::collections::HashMap;

use rustfft::num_complex::Complex;

use crate::analysis::frame::plane::LumaPlane;
use crate::analysis::kernels::line_spectrum::Axis;
use crate::analysis::kernels::real_fft::{Buffers, Planners, RealFft};
use crate::analysis::kernels::simd::with_avx2;

/// Lines read per axis (half of them for the DCT-I).
pub const LINES: usize = 64;
/// Mirror pairs compared on each side of a candidate.
pub const TAPS: usize = 6;
/// Least correlation to claim a source size off the coding grid.
pub const CONFIDENCE: f64 = 0.75;
/// Least correlation to claim a source size on the coding grid (multiples of N / 8).
pub const GRID_CONFIDENCE: f64 = 0.9;
/// Least lead of a DCT-I mirror's correlation over the best candidate more than one index
/// away.
pub const PROMINENCE: f64 = 0.25;
/// Source sizes considered: from `N / MAX_FACTOR` to `N / MIN_FACTOR`.
pub const MIN_FACTOR: f64 = 1.1;
pub const MAX_FACTOR: f64 = 4.5;
/// Shortest line examined.
pub const MIN_LENGTH: usize = 64;

/// A positively identified upscale along one axis.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Upscale {
    /// Source size in pixels.
    pub from: u32,
    /// Mirror correlation at `from`, 0..1.
    pub confidence: f64,
}

/// Where a resampler puts its samples; decides the transform whose spectrum it mirrors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Alignment {
    /// Pixel centres scale: DCT-II, mirror at index `n`, sign inverted.
    Centres,
    /// First and last pixels stay in place: DCT-I, mirror at index `n - 1`, same sign.
    Corners,
}

impl Alignment {
    /// Length of the real FFT that gives the transform of a `length` line: the line
    /// reordered (DCT-II, Makhoul 1980), or its even extension (DCT-I).
    fn fft_length(self, length: usize) -> usize {
        match self {
            Alignment::Centres => length,
            Alignment::Corners => 2 * length - 2,
        }
    }

    /// Source size minus mirror index.
    fn size_offset(self) -> usize {
        match self {
            Alignment::Centres => 0,
            Alignment::Corners => 1,
        }
    }

    /// Every how many of the lines read are transformed: DCT-I lengths (2N - 2) factor
    /// badly for common sizes (3838 = 2 x 19 x 101), so it reads half the lines.
    fn line_step(self) -> usize {
        match self {
            Alignment::Centres => 1,
            Alignment::Corners => 2,
        }
    }

    /// Sign of the mirrored coefficient relative to the original.
    fn sign(self) -> f64 {
        match self {
            Alignment::Centres => -1.0,
            Alignment::Corners => 1.0,
        }
    }
}

/// FFT of a line's even extension, and per-bin twiddles giving the DCT (all 1 for DCT-I).
type DctPlan = (RealFft, Vec<Complex<f32>>);

/// FFT plans per length and alignment, and buffers reused across frames.
#[derive(Default)]
pub struct UpscaleScratch {
    planners: Planners,
    plans: HashMap<(usize, Alignment), DctPlan>,
    input: Vec<f32>,
    output: Vec<Complex<f32>>,
    fft_buffers: Buffers,
    line: Vec<f32>,
    at: Vec<usize>,
    /// The lines read, one after another.
    lines: Vec<f32>,
    /// DCT coefficients, one line after another.
    coefficients: Vec<f32>,
    energy: Vec<f64>,
    cross: Vec<f32>,
}

impl std::fmt::Debug for UpscaleScratch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UpscaleScratch").finish_non_exhaustive()
    }
}

/// True when `n` lies within 0.75 samples of a multiple of `length / 8`.
fn on_coding_grid(n: usize, length: usize) -> bool {
    let q = n as f64 * 8.0 / length as f64;
    (q - q.round()).abs() * length as f64 / 8.0 < 0.75
}

/// The source size along `axis` if the lines were upscaled from a smaller size: with pixel
/// centres scaled, or else, when `corners` is set, with the first and last pixels in place
/// (the DCT-I costs about twice the DCT-II per line read). `read` may hold lines of the same
/// plane along `axis` as [`Axis::read_lines`] gave them for another count; when those
/// include the lines this reads, they are not read again.
pub fn detect(
    plane: &LumaPlane,
    axis: Axis,
    scratch: &mut UpscaleScratch,
    corners: bool,
    read: Option<&[f32]>,
) -> Option<Upscale> {
    let (length, lines) = axis.lines_of(plane);
    if length < MIN_LENGTH || lines == 0 {
        return None;
    }
    let count = lines.min(LINES);
    // Line l of n read is l * lines / n: with n = k * count, lines k * j are the j wanted.
    let shared = read.and_then(|r| {
        let n = r.len() / length;
        (r.len() % length == 0 && n > 0 && n % count == 0).then_some((r, n / count))
    });
    let mut own = std::mem::take(&mut scratch.lines);
    let (read, step) = match shared {
        Some(shared) => shared,
        None => {
            axis.read_lines(plane, count, (&mut scratch.line, &mut scratch.at), &mut own);
            (&own[..], 1)
        }
    };
    let found = mirror(length, Alignment::Centres, read, step, scratch)
        .or_else(|| corners.then(|| mirror(length, Alignment::Corners, read, step, scratch))?);
    scratch.lines = own;
    found
}

/// FFT plan and twiddles of a DCT of `length` samples: DCT-II, X[k] = 2 Re(e^(-i pi k / 2N)
/// V[k]) of the line's even samples followed by its odd ones reversed; DCT-I, Re(Y[k]) of
/// the 2N - 2 extension.
fn dct_plan(planners: &mut Planners, length: usize, alignment: Alignment) -> DctPlan {
    let twiddle = (0..length)
        .map(|k| match alignment {
            Alignment::Centres => {
                let a = -std::f64::consts::PI * k as f64 / (2 * length) as f64;
                Complex::new(a.cos() as f32, a.sin() as f32)
            }
            Alignment::Corners => Complex::new(1.0, 0.0),
        })
        .collect();
    (
        RealFft::new(alignment.fft_length(length), planners),
        twiddle,
    )
}

with_avx2!(
    /// The best mirror of every `step`th of `lines` (each `length` long) for one alignment.
    fn mirror(
        length: usize,
        alignment: Alignment,
        lines: &[f32],
        step: usize,
        scratch: &mut UpscaleScratch,
    ) -> Option<Upscale>
        => mirror_body
);

#[inline(always)]
fn mirror_body(
    length: usize,
    alignment: Alignment,
    lines: &[f32],
    step: usize,
    scratch: &mut UpscaleScratch,
) -> Option<Upscale> {
    let UpscaleScratch {
        planners,
        plans,
        input,
        output,
        fft_buffers,
        coefficients,
        energy,
        cross,
        ..
    } = scratch;
    let n_fft = alignment.fft_length(length);
    // Both alignments are planned, and the buffers made room for either, at a length's first
    // use, so a picture turning soft later allocates nothing.
    for a in [Alignment::Centres, Alignment::Corners] {
        let (fft, _) = plans
            .entry((length, a))
            .or_insert_with(|| dct_plan(planners, length, a));
        let n = a.fft_length(length);
        input.reserve(n.saturating_sub(input.len()));
        output.reserve((n / 2 + 1).saturating_sub(output.len()));
        fft.reserve(n, fft_buffers);
    }
    let (fft, twiddle) = &plans[&(length, alignment)];
    input.resize(n_fft, 0.0);
    output.resize(n_fft / 2 + 1, Complex::default());
    coefficients.clear();
    for line in lines
        .chunks_exact(length)
        .step_by(step * alignment.line_step())
    {
        match alignment {
            Alignment::Centres => {
                // Even samples in order, then odd ones reversed.
                let half = length / 2;
                let (even, odd) = input[..length].split_at_mut(length - half);
                // Apart, as pairs split in order and the odd ones then reversed vectorise.
                for (e, pair) in even.iter_mut().zip(line.chunks_exact(2)) {
                    *e = pair[0];
                }
                for (o, pair) in odd.iter_mut().zip(line.chunks_exact(2)) {
                    *o = pair[1];
                }
                odd.reverse();
                if length % 2 == 1 {
                    even[half] = line[length - 1];
                }
            }
            Alignment::Corners => {
                input[..length].copy_from_slice(line);
                let mirrored = &line[1..length - 1];
                for (d, s) in input[length..].iter_mut().zip(mirrored.iter().rev()) {
                    *d = *s;
                }
            }
        }
        fft.process(input, output, fft_buffers)?;
        // Appended, not zeroed first and then written.
        match alignment {
            Alignment::Centres => {
                // 2 Re(t V[k]); V[k] for k past N / 2 is conj(V[N - k]).
                let lower = output.iter().zip(twiddle.iter());
                coefficients.extend(lower.map(|(v, t)| 2.0 * (v.re * t.re - v.im * t.im)));
                let mirrored = output[1..length - output.len() + 1].iter().rev();
                let upper = mirrored.zip(&twiddle[output.len()..]);
                coefficients.extend(upper.map(|(v, t)| 2.0 * (v.re * t.re + v.im * t.im)));
            }
            Alignment::Corners => {
                let all = output.iter().zip(twiddle.iter());
                coefficients.extend(all.map(|(y, t)| y.re * t.re - y.im * t.im).take(length));
            }
        }
        debug_assert_eq!(coefficients.len() % length, 0);
    }
    // Mirror indices examined: source sizes N / MAX_FACTOR ..= N / MIN_FACTOR.
    let offset = alignment.size_offset();
    let lowest = ((length as f64 / MAX_FACTOR).ceil() as usize)
        .saturating_sub(offset)
        .max(TAPS + 1);
    let highest = ((length as f64 / MIN_FACTOR).floor() as usize - offset).min(length - TAPS - 1);
    if lowest > highest {
        return None;
    }
    mirror_sums(coefficients, length, lowest..=highest, energy, cross);
    let correlation = |n: usize| {
        let above: f64 = energy[n + 1..=n + TAPS].iter().sum();
        let below: f64 = energy[n - TAPS..n].iter().sum();
        alignment.sign() * cross[n] as f64 / (above * below).sqrt().max(1e-9)
    };
    let mut best: Option<(usize, f64)> = None;
    for n in lowest..=highest {
        let confidence = correlation(n);
        let needed = if on_coding_grid(n + offset, length) {
            GRID_CONFIDENCE
        } else {
            CONFIDENCE
        };
        if confidence >= needed && best.is_none_or(|(_, b)| confidence > b) {
            best = Some((n, confidence));
        }
    }
    let (n, confidence) = best?;
    if alignment == Alignment::Corners {
        // Without the sign inversion, compressed pictures correlate broadly; a real mirror
        // stands out from every other candidate.
        let runner_up = (lowest..=highest)
            .filter(|m| m.abs_diff(n) > 1)
            .map(correlation)
            .fold(f64::MIN, f64::max);
        if confidence - runner_up < PROMINENCE {
            return None;
        }
    }
    Some(Upscale {
        from: (n + offset) as u32,
        confidence: confidence.min(1.0),
    })
}

/// Replaces `energy[k]` (`k < length`) with the sum over lines of X[k]^2 and `cross[n]`
/// (`n` in `candidates`, 0 below) with the sum over lines and taps of X[n + j] X[n - j], both
/// added line by line, and taps in order. A chunk of indices is summed in registers over all
/// lines, so no add waits for the store of the one before.
#[inline(always)]
fn mirror_sums(
    coefficients: &[f32],
    length: usize,
    candidates: std::ops::RangeInclusive<usize>,
    energy: &mut Vec<f64>,
    cross: &mut Vec<f32>,
) {
    const CHUNK: usize = 32;
    let (lowest, highest) = candidates.into_inner();
    let lines = || coefficients.chunks_exact(length);
    energy.clear();
    energy.resize(length, 0.0);
    let whole = length / CHUNK * CHUNK;
    for (k, e) in energy[..whole].chunks_exact_mut(CHUNK).enumerate() {
        let mut sums = [0f64; CHUNK];
        for c in lines() {
            let c: &[f32; CHUNK] = c[k * CHUNK..(k + 1) * CHUNK].try_into().unwrap();
            for (s, &v) in sums.iter_mut().zip(c) {
                *s += (v * v) as f64;
            }
        }
        e.copy_from_slice(&sums);
    }
    for c in lines() {
        for (e, &v) in energy[whole..].iter_mut().zip(&c[whole..]) {
            *e += (v * v) as f64;
        }
    }
    cross.clear();
    cross.resize(highest + 1, 0.0);
    let count = highest + 1 - lowest;
    let end = lowest + count / CHUNK * CHUNK;
    for (k, x) in cross[lowest..end].chunks_exact_mut(CHUNK).enumerate() {
        let n = lowest + k * CHUNK;
        let mut sums = [0f32; CHUNK];
        for c in lines() {
            for j in 1..=TAPS {
                let up: &[f32; CHUNK] = c[n + j..n + j + CHUNK].try_into().unwrap();
                let down: &[f32; CHUNK] = c[n - j..n - j + CHUNK].try_into().unwrap();
                for ((s, &p), &q) in sums.iter_mut().zip(up).zip(down) {
                    *s += p * q;
                }
            }
        }
        x.copy_from_slice(&sums);
    }
    for c in lines() {
        for j in 1..=TAPS {
            let (up, down) = (&c[end + j..=highest + j], &c[end - j..=highest - j]);
            for ((x, &p), &q) in cross[end..].iter_mut().zip(up).zip(down) {
                *x += p * q;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mirror_sums_are_those_added_line_by_line() {
        let length = 203;
        let coefficients: Vec<f32> = noise(length, 9, 13)
            .iter()
            .map(|&v| (v as f32 - 127.5) * 1.37)
            .collect();
        for (lowest, highest) in [(7, 195), (7, 38), (50, 81), (20, 20)] {
            let (mut energy, mut cross) = (vec![], vec![]);
            mirror_sums(
                &coefficients,
                length,
                lowest..=highest,
                &mut energy,
                &mut cross,
            );
            let (mut e, mut x) = (vec![0f64; length], vec![0f32; highest + 1]);
            for c in coefficients.chunks_exact(length) {
                for (e, &v) in e.iter_mut().zip(c) {
                    *e += (v * v) as f64;
                }
                for j in 1..=TAPS {
                    for n in lowest..=highest {
                        x[n] += c[n + j] * c[n - j];
                    }
                }
            }
            assert_eq!(energy, e);
            assert_eq!(cross, x, "{lowest}..={highest}");
        }
    }

    /// Pseudo-random detail, `w` x `h`.
    fn noise(w: usize, h: usize, seed: u32) -> Vec<u8> {
        let mut s = seed;
        (0..w * h)
            .map(|_| {
                s = s.wrapping_mul(1664525).wrapping_add(1013904223);
                (s >> 24) as u8
            })
            .collect()
    }

    /// Linear interpolation of each row from `w` to `to` samples: pixel centres scale, or
    /// with `corners` the first and last pixels stay in place.
    fn interpolate_rows(src: &[u8], w: usize, h: usize, to: usize, corners: bool) -> Vec<u8> {
        let mut out = vec![0u8; to * h];
        for y in 0..h {
            for x in 0..to {
                let f = if corners {
                    x as f64 * (w - 1) as f64 / (to - 1) as f64
                } else {
                    (x as f64 + 0.5) * w as f64 / to as f64 - 0.5
                }
                .clamp(0.0, (w - 1) as f64);
                let (i, t) = (f.floor() as usize, f.fract());
                let j = (i + 1).min(w - 1);
                let v = src[y * w + i] as f64 * (1.0 - t) + src[y * w + j] as f64 * t;
                out[y * to + x] = v.round() as u8;
            }
        }
        out
    }

    #[test]
    fn finds_the_source_width_of_a_linear_upscale() {
        let (w, h, to) = (150, 80, 256);
        let up = interpolate_rows(&noise(w, h, 7), w, h, to, false);
        let plane = LumaPlane::new_u8(&up, to, h, to).unwrap();
        let mut s = UpscaleScratch::default();
        let found = detect(&plane, Axis::Rows, &mut s, true, None).expect("an upscale");
        assert_eq!(found.from, 150);
        assert!(found.confidence > 0.9, "{found:?}");
        // Columns were not resampled.
        assert_eq!(detect(&plane, Axis::Columns, &mut s, true, None), None);
    }

    #[test]
    fn the_avx2_build_finds_the_same_mirrors() {
        for corners in [false, true] {
            let up = interpolate_rows(&noise(150, 80, 3), 150, 80, 256, corners);
            let plane = LumaPlane::new_u8(&up, 256, 80, 256).unwrap();
            let mut s = UpscaleScratch::default();
            let found = detect(&plane, Axis::Rows, &mut s, true, None);
            assert_eq!(found.map(|u| u.from), Some(150));
            for a in [Alignment::Centres, Alignment::Corners] {
                let lines = s.lines.clone();
                assert_eq!(
                    mirror(256, a, &lines, 1, &mut s),
                    mirror_body(256, a, &lines, 1, &mut s)
                );
            }
        }
    }

    #[test]
    fn finds_the_source_width_of_a_corner_aligned_upscale() {
        for (w, to) in [(150, 256), (128, 256), (100, 300)] {
            let up = interpolate_rows(&noise(w, 80, 5), w, 80, to, true);
            let plane = LumaPlane::new_u8(&up, to, 80, to).unwrap();
            let mut s = UpscaleScratch::default();
            let found = detect(&plane, Axis::Rows, &mut s, true, None).expect("an upscale");
            assert_eq!(found.from, w as u32, "{w} -> {to}");
            assert!(found.confidence > 0.9, "{found:?}");
        }
    }

    #[test]
    fn the_lines_the_spectra_read_give_the_same_search() {
        use crate::analysis::kernels::line_spectrum::{SpectrumScratch, line_spectrum};
        // 300 rows: every other of the spectra's 128 lines; 100: none of them (not a
        // multiple of 64); 40: the same 40 lines.
        for h in [300, 100, 40] {
            let up = interpolate_rows(&noise(150, h, 9), 150, h, 256, false);
            let plane = LumaPlane::new_u8(&up, 256, h, 256).unwrap();
            let mut spectrum = SpectrumScratch::default();
            line_spectrum(&plane, Axis::Rows, &mut spectrum).unwrap();
            assert_eq!(spectrum.lines_read(Axis::Columns), None);
            let search = |read| {
                detect(
                    &plane,
                    Axis::Rows,
                    &mut UpscaleScratch::default(),
                    true,
                    read,
                )
            };
            let (shared, own) = (search(spectrum.lines_read(Axis::Rows)), search(None));
            assert!(own.is_some(), "{h} rows");
            assert_eq!(shared, own, "{h} rows");
        }
    }

    #[test]
    fn untouched_detail_claims_nothing() {
        let (w, h) = (256, 96);
        let data = noise(w, h, 3);
        let plane = LumaPlane::new_u8(&data, w, h, w).unwrap();
        let mut s = UpscaleScratch::default();
        assert_eq!(detect(&plane, Axis::Rows, &mut s, true, None), None);
        assert_eq!(detect(&plane, Axis::Columns, &mut s, true, None), None);
    }

    #[test]
    fn the_centre_aligned_transform_is_twice_the_dct_ii() {
        for length in [64, 67] {
            let line: Vec<f32> = noise(length, 1, 11).iter().map(|&v| v as f32).collect();
            let mut s = UpscaleScratch::default();
            let _ = mirror_body(length, Alignment::Centres, &line, 1, &mut s);
            let pi = std::f64::consts::PI;
            for (k, &got) in s.coefficients.iter().enumerate() {
                let want: f64 = (0..length)
                    .map(|n| {
                        let phase = pi * k as f64 * (2 * n + 1) as f64 / (2 * length) as f64;
                        2.0 * line[n] as f64 * phase.cos()
                    })
                    .sum();
                assert!(
                    (got as f64 - want).abs() < 0.05,
                    "{length} {k}: {got} {want}"
                );
            }
            assert_eq!(s.coefficients.len(), length);
        }
    }

    #[test]
    fn the_coding_grid_is_every_eighth_of_the_length() {
        assert!(on_coding_grid(256, 512));
        assert!(on_coding_grid(394, 450)); // 7 * 56.25
        assert!(!on_coding_grid(341, 512));
    }
}
