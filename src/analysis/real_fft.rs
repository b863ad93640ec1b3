//! Forward FFT of real input, as `realfft` computes it: an even length `n` by a complex FFT
//! of `n / 2` and a split of its spectrum (the same operations, so the same values), odd
//! lengths by `realfft` itself. The split is inlined into its caller, so it is compiled for
//! the caller's CPU features; `realfft`'s is reached through a trait object and runs as
//! baseline code.

use std::sync::Arc;

use realfft::{RealFftPlanner, RealToComplex};
use rustfft::{Fft, FftPlanner, num_complex::Complex};

/// A planned forward FFT of `len` real samples.
pub(super) enum RealFft {
    Even {
        half: Arc<dyn Fft<f32>>,
        /// `realfft`'s: e^(-2 pi i k / n) / 2 for `k` in `1..twiddle_count`.
        twiddles: Vec<Complex<f32>>,
    },
    Odd(Arc<dyn RealToComplex<f32>>),
}

/// Plans shared by the [`RealFft`]s of one owner.
pub(super) struct Planners {
    complex: FftPlanner<f32>,
    real: RealFftPlanner<f32>,
}

impl Default for Planners {
    fn default() -> Self {
        Planners {
            complex: FftPlanner::new(),
            real: RealFftPlanner::new(),
        }
    }
}

impl RealFft {
    pub(super) fn new(len: usize, planners: &mut Planners) -> Self {
        if len % 2 == 1 {
            return RealFft::Odd(planners.real.plan_fft_forward(len));
        }
        let twiddle_count = if len.is_multiple_of(4) {
            len / 4
        } else {
            len / 4 + 1
        };
        let twiddles = (1..twiddle_count)
            .map(|i| {
                let angle = -2f64 * std::f64::consts::PI / len as f64 * i as f64;
                Complex::new(angle.cos() as f32, angle.sin() as f32) * 0.5
            })
            .collect();
        RealFft::Even {
            half: planners.complex.plan_fft_forward(len / 2),
            twiddles,
        }
    }

    /// Scratch [`RealFft::process`] needs.
    pub(super) fn scratch_len(&self) -> usize {
        match self {
            RealFft::Even { half, .. } => half.get_outofplace_scratch_len(),
            RealFft::Odd(fft) => fft.get_scratch_len(),
        }
    }

    /// The spectrum (`len / 2 + 1` bins) of `input` (`len` samples) into `output`; `input`,
    /// `pairs` (room for `len / 2`) and `scratch` are overwritten.
    #[inline(always)]
    pub(super) fn process(
        &self,
        input: &mut [f32],
        pairs: &mut [Complex<f32>],
        output: &mut [Complex<f32>],
        scratch: &mut [Complex<f32>],
    ) -> Option<()> {
        match self {
            RealFft::Odd(fft) => fft.process_with_scratch(input, output, scratch).ok(),
            RealFft::Even { half, twiddles } => {
                let n = input.len() / 2;
                let scratch_len = half.get_outofplace_scratch_len();
                if pairs.len() < n || output.len() != n + 1 || scratch.len() < scratch_len {
                    return None;
                }
                let pairs = &mut pairs[..n];
                for (c, p) in pairs.iter_mut().zip(input.chunks_exact(2)) {
                    *c = Complex::new(p[0], p[1]);
                }
                half.process_outofplace_with_scratch(pairs, &mut output[..n], scratch);
                split(output, twiddles);
                Some(())
            }
        }
    }
}

/// `realfft`'s split of a half-length complex spectrum (`output[..n]`) into the real input's
/// spectrum (`output[..=n]`), each value by the same operations in the same order.
#[inline(always)]
fn split(output: &mut [Complex<f32>], twiddles: &[Complex<f32>]) {
    let len = output.len();
    let (left, right) = output.split_at_mut(len / 2);
    let (Some(first), Some(last)) = (left.first_mut(), right.last_mut()) else {
        return;
    };
    let value = *first;
    *first = Complex::new(value.re + value.im, 0.0);
    *last = Complex::new(value.re - value.im, 0.0);
    let right_len = right.len();
    let (left, right) = (&mut left[1..], &mut right[..right_len - 1]);
    for ((twiddle, out), out_rev) in twiddles.iter().zip(left).zip(right.iter_mut().rev()) {
        let sum = *out + *out_rev;
        let diff = *out - *out_rev;
        let half = 0.5f32;
        let twiddled_re_sum = sum * twiddle.re;
        let twiddled_im_sum = sum * twiddle.im;
        let twiddled_re_diff = diff * twiddle.re;
        let twiddled_im_diff = diff * twiddle.im;
        let half_sum_re = half * sum.re;
        let half_diff_im = half * diff.im;
        let output_twiddled_real = twiddled_re_sum.im + twiddled_im_diff.re;
        let output_twiddled_im = twiddled_im_sum.im - twiddled_re_diff.re;
        *out = Complex::new(
            half_sum_re + output_twiddled_real,
            half_diff_im + output_twiddled_im,
        );
        *out_rev = Complex::new(
            half_sum_re - output_twiddled_real,
            output_twiddled_im - half_diff_im,
        );
    }
    if len % 2 == 1 {
        output[len / 2].im = -output[len / 2].im;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spectra_equal_realfft_bit_for_bit() {
        let mut planners = Planners::default();
        let mut reference = RealFftPlanner::<f32>::new();
        for len in [2, 4, 6, 10, 64, 67, 130, 540, 1080, 1920] {
            let mut s = 5u32;
            let line: Vec<f32> = (0..len)
                .map(|_| {
                    s = s.wrapping_mul(1664525).wrapping_add(1013904223);
                    (s >> 24) as f32
                })
                .collect();
            let fft = RealFft::new(len, &mut planners);
            let mut input = line.clone();
            let mut pairs = vec![Complex::default(); len / 2];
            let mut output = vec![Complex::default(); len / 2 + 1];
            let mut scratch = vec![Complex::default(); fft.scratch_len()];
            fft.process(&mut input, &mut pairs, &mut output, &mut scratch)
                .unwrap();
            let real = reference.plan_fft_forward(len);
            let (mut input, mut want) = (line.clone(), real.make_output_vec());
            real.process(&mut input, &mut want).unwrap();
            let bits = |v: &[Complex<f32>]| -> Vec<(u32, u32)> {
                v.iter().map(|c| (c.re.to_bits(), c.im.to_bits())).collect()
            };
            assert_eq!(bits(&output), bits(&want), "{len}");
        }
    }
}
