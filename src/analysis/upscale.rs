//! Exact source size of a classic resampling upscale along one axis.
//!
//! Interpolating a line of `n` samples up to `N` mirrors its spectrum around DCT-II index
//! `n` with a sign inversion: coefficient `n + j` is about `-c_j` times coefficient `n - j`.
//! Over [`LINES`] evenly spaced lines, the normalised correlation of `-X[n + j]` with
//! `X[n - j]` for `j` in `1..=`[`TAPS`] is near 1 at the source size and near 0 elsewhere.
//! Block codecs mirror the spectrum around multiples of `N / 8` too (their 8-pixel grid), so
//! a candidate on that grid needs [`GRID_CONFIDENCE`]; elsewhere [`CONFIDENCE`] suffices.

use std::collections::HashMap;
use std::sync::Arc;

use realfft::{RealFftPlanner, RealToComplex, num_complex::Complex};

use super::line_spectrum::Axis;
use super::plane::LumaPlane;

/// Lines read per axis.
pub const LINES: usize = 64;
/// Mirror pairs compared on each side of a candidate.
pub const TAPS: usize = 6;
/// Least correlation to claim a source size off the coding grid.
pub const CONFIDENCE: f64 = 0.75;
/// Least correlation to claim a source size on the coding grid (multiples of N / 8).
pub const GRID_CONFIDENCE: f64 = 0.9;
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

/// FFT of twice a line's length, and the DCT-II twiddles of that length.
type DctPlan = (Arc<dyn RealToComplex<f32>>, Vec<Complex<f32>>);

/// FFT plans per length and buffers reused across frames.
#[derive(Default)]
pub struct UpscaleScratch {
    planner: RealFftPlanner<f32>,
    plans: HashMap<usize, DctPlan>,
    input: Vec<f32>,
    output: Vec<Complex<f32>>,
    fft_scratch: Vec<Complex<f32>>,
    line: Vec<f32>,
    /// DCT-II coefficients, one line after another.
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

/// The source size along `axis` if the lines were upscaled from a smaller size.
pub fn detect(plane: &LumaPlane, axis: Axis, scratch: &mut UpscaleScratch) -> Option<Upscale> {
    let (length, lines) = axis.lines_of(plane);
    if length < MIN_LENGTH || lines == 0 {
        return None;
    }
    let UpscaleScratch {
        planner,
        plans,
        input,
        output,
        fft_scratch,
        line,
        coefficients,
        energy,
        cross,
    } = scratch;
    // DCT-II through the FFT of the even extension: X[k] = Re(e^(-i pi k / 2N) Y[k]).
    let (fft, twiddle) = plans.entry(length).or_insert_with(|| {
        let twiddle = (0..length)
            .map(|k| {
                let a = -std::f64::consts::PI * k as f64 / (2 * length) as f64;
                Complex::new(a.cos() as f32, a.sin() as f32)
            })
            .collect();
        (planner.plan_fft_forward(2 * length), twiddle)
    });
    input.resize(2 * length, 0.0);
    output.resize(length + 1, Complex::default());
    fft_scratch.resize(fft.get_scratch_len(), Complex::default());
    line.resize(length, 0.0);
    let used = lines.min(LINES);
    coefficients.clear();
    for l in 0..used {
        let index = l * lines / used;
        axis.read_line(plane, index, line);
        input[..length].copy_from_slice(line);
        for (d, s) in input[length..].iter_mut().zip(line.iter().rev()) {
            *d = *s;
        }
        fft.process_with_scratch(input, output, fft_scratch).ok()?;
        coefficients.extend(output.iter().zip(twiddle.iter()).map(|(y, t)| (y * t).re));
    }
    let lowest = ((length as f64 / MAX_FACTOR).ceil() as usize).max(TAPS + 1);
    let highest = ((length as f64 / MIN_FACTOR).floor() as usize).min(length - TAPS - 1);
    if lowest > highest {
        return None;
    }
    // energy[k]: sum over lines of X[k]^2; cross[n]: sum over lines and taps of
    // X[n + j] X[n - j], accumulated with n innermost.
    energy.clear();
    energy.resize(length, 0.0);
    cross.clear();
    cross.resize(highest + 1, 0.0);
    for c in coefficients.chunks_exact(length) {
        for (e, &v) in energy.iter_mut().zip(c) {
            *e += (v * v) as f64;
        }
        for j in 1..=TAPS {
            let (up, down) = (&c[lowest + j..=highest + j], &c[lowest - j..=highest - j]);
            for ((x, &p), &q) in cross[lowest..].iter_mut().zip(up).zip(down) {
                *x += p * q;
            }
        }
    }
    let mut best: Option<Upscale> = None;
    for n in lowest..=highest {
        let above: f64 = energy[n + 1..=n + TAPS].iter().sum();
        let below: f64 = energy[n - TAPS..n].iter().sum();
        let confidence = -(cross[n] as f64) / (above * below).sqrt().max(1e-9);
        let needed = if on_coding_grid(n, length) {
            GRID_CONFIDENCE
        } else {
            CONFIDENCE
        };
        if confidence >= needed && best.is_none_or(|b| confidence > b.confidence) {
            best = Some(Upscale {
                from: n as u32,
                confidence: confidence.min(1.0),
            });
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

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

    /// Linear interpolation of each row from `w` to `to` samples (half-pixel centres).
    fn upscale_rows(src: &[u8], w: usize, h: usize, to: usize) -> Vec<u8> {
        let mut out = vec![0u8; to * h];
        for y in 0..h {
            for x in 0..to {
                let f = ((x as f64 + 0.5) * w as f64 / to as f64 - 0.5).clamp(0.0, (w - 1) as f64);
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
        let up = upscale_rows(&noise(w, h, 7), w, h, to);
        let plane = LumaPlane::new_u8(&up, to, h, to).unwrap();
        let mut s = UpscaleScratch::default();
        let found = detect(&plane, Axis::Rows, &mut s).expect("an upscale");
        assert_eq!(found.from, 150);
        assert!(found.confidence > 0.9, "{found:?}");
        // Columns were not resampled.
        assert_eq!(detect(&plane, Axis::Columns, &mut s), None);
    }

    #[test]
    fn untouched_detail_claims_nothing() {
        let (w, h) = (256, 96);
        let data = noise(w, h, 3);
        let plane = LumaPlane::new_u8(&data, w, h, w).unwrap();
        let mut s = UpscaleScratch::default();
        assert_eq!(detect(&plane, Axis::Rows, &mut s), None);
        assert_eq!(detect(&plane, Axis::Columns, &mut s), None);
    }

    #[test]
    fn the_coding_grid_is_every_eighth_of_the_length() {
        assert!(on_coding_grid(256, 512));
        assert!(on_coding_grid(394, 450)); // 7 * 56.25
        assert!(!on_coding_grid(341, 512));
    }
}
