//! Forward FFT of real input, as `realfft` computes it: an even length `n` by a complex FFT
//! of `n / 2` and a split of its spectrum (the same operations, so the same values), odd
//! lengths by `realfft` itself. The split is inlined into its caller, so it is compiled for
//! the caller's CPU features; `realfft`'s is reached through a trait object and runs as
//! baseline code.

use std::sync::Arc;

use realfft::{RealFftPlanner, RealToComplex};
use rustfft::{Fft, FftPlanner, num_complex::Complex};

/// A planned forward FFT of `len` real samples.
pub(crate) enum RealFft {
    Even {
        half: Arc<dyn Fft<f32>>,
        /// `realfft`'s e^(-2 pi i k / n) / 2 for `k` in `1..twiddle_count`, real and
        /// imaginary parts apart.
        twiddles: [Vec<f32>; 2],
    },
    Odd(Arc<dyn RealToComplex<f32>>),
}

/// Memory [`RealFft::process`] reuses.
#[derive(Default)]
pub(crate) struct Buffers {
    pairs: Vec<Complex<f32>>,
    scratch: Vec<Complex<f32>>,
    /// The bins [`split`] pairs up, real and imaginary parts apart: from the start, and from
    /// the end backwards.
    parts: [Vec<f32>; 4],
}

/// Plans shared by the [`RealFft`]s of one owner.
pub(crate) struct Planners {
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
    pub(crate) fn new(len: usize, planners: &mut Planners) -> Self {
        if len % 2 == 1 {
            return RealFft::Odd(planners.real.plan_fft_forward(len));
        }
        let twiddle_count = if len.is_multiple_of(4) {
            len / 4
        } else {
            len / 4 + 1
        };
        let twiddles: Vec<Complex<f32>> = (1..twiddle_count)
            .map(|i| {
                let angle = -2f64 * std::f64::consts::PI / len as f64 * i as f64;
                Complex::new(angle.cos() as f32, angle.sin() as f32) * 0.5
            })
            .collect();
        let twiddles = [
            twiddles.iter().map(|t| t.re).collect(),
            twiddles.iter().map(|t| t.im).collect(),
        ];
        RealFft::Even {
            half: planners.complex.plan_fft_forward(len / 2),
            twiddles,
        }
    }

    /// Makes room in `buffers` for this transform, so that [`RealFft::process`] allocates
    /// nothing.
    pub(crate) fn reserve(&self, len: usize, buffers: &mut Buffers) {
        let scratch = match self {
            RealFft::Even { half, .. } => half.get_outofplace_scratch_len(),
            RealFft::Odd(fft) => fft.get_scratch_len(),
        };
        let grow = |v: &mut Vec<_>, n: usize| v.reserve(n.saturating_sub(v.len()));
        grow(&mut buffers.pairs, len / 2);
        grow(&mut buffers.scratch, scratch);
        for part in &mut buffers.parts {
            part.reserve((len / 4).saturating_sub(part.len()));
        }
    }

    /// The spectrum (`len / 2 + 1` bins) of `input` (`len` samples) into `output`; `input` is
    /// overwritten.
    #[inline(always)]
    pub(crate) fn process(
        &self,
        input: &mut [f32],
        output: &mut [Complex<f32>],
        buffers: &mut Buffers,
    ) -> Option<()> {
        let Buffers {
            pairs,
            scratch,
            parts,
        } = buffers;
        match self {
            RealFft::Odd(fft) => {
                scratch.resize(fft.get_scratch_len(), Complex::default());
                fft.process_with_scratch(input, output, scratch).ok()
            }
            RealFft::Even { half, twiddles } => {
                let n = input.len() / 2;
                if output.len() != n + 1 {
                    return None;
                }
                scratch.resize(half.get_outofplace_scratch_len(), Complex::default());
                pairs.clear();
                pairs.extend(input.chunks_exact(2).map(|p| Complex::new(p[0], p[1])));
                half.process_outofplace_with_scratch(pairs, &mut output[..n], scratch);
                split(output, twiddles, parts);
                Some(())
            }
        }
    }
}

/// `realfft`'s split of a half-length complex spectrum (`output[..n]`) into the real input's
/// spectrum (`output[..=n]`), each value by the same operations in the same order. Bin `1 + i`
/// pairs with bin `n - 1 - i`; the pairs are taken apart into real and imaginary parts, so
/// the arithmetic runs in whole vectors.
#[inline(always)]
fn split(output: &mut [Complex<f32>], [tw_re, tw_im]: &[Vec<f32>; 2], parts: &mut [Vec<f32>; 4]) {
    let len = output.len();
    if len < 2 {
        return;
    }
    let value = output[0];
    output[0] = Complex::new(value.re + value.im, 0.0);
    output[len - 1] = Complex::new(value.re - value.im, 0.0);
    // As realfft zips twiddles, bins 1..len / 2 and bins len / 2..len - 1 backwards.
    let count = tw_re.len().min(len / 2 - 1).min(len - len / 2 - 1);
    let (tw_re, tw_im) = (&tw_re[..count], &tw_im[..count]);
    let [o_re, o_im, r_re, r_im] = parts;
    for part in [&mut *o_re, &mut *o_im, &mut *r_re, &mut *r_im] {
        part.resize(count, 0.0);
    }
    let (o_re, o_im, r_re, r_im) = (&mut o_re[..], &mut o_im[..], &mut r_re[..], &mut r_im[..]);
    for ((re, im), c) in o_re.iter_mut().zip(o_im.iter_mut()).zip(&output[1..=count]) {
        (*re, *im) = (c.re, c.im);
    }
    let mirrored = output[len - 1 - count..len - 1].iter().rev();
    for ((re, im), c) in r_re.iter_mut().zip(r_im.iter_mut()).zip(mirrored) {
        (*re, *im) = (c.re, c.im);
    }
    for i in 0..count {
        let (sum_re, sum_im) = (o_re[i] + r_re[i], o_im[i] + r_im[i]);
        let (diff_re, diff_im) = (o_re[i] - r_re[i], o_im[i] - r_im[i]);
        let half = 0.5f32;
        let half_sum_re = half * sum_re;
        let half_diff_im = half * diff_im;
        // (sum * re).im + (diff * im).re and (sum * im).im - (diff * re).re.
        let output_twiddled_real = sum_im * tw_re[i] + diff_re * tw_im[i];
        let output_twiddled_im = sum_im * tw_im[i] - diff_re * tw_re[i];
        o_re[i] = half_sum_re + output_twiddled_real;
        o_im[i] = half_diff_im + output_twiddled_im;
        r_re[i] = half_sum_re - output_twiddled_real;
        r_im[i] = output_twiddled_im - half_diff_im;
    }
    for ((c, &re), &im) in output[1..=count].iter_mut().zip(&*o_re).zip(&*o_im) {
        *c = Complex::new(re, im);
    }
    let mirrored = output[len - 1 - count..len - 1].iter_mut().rev();
    for ((c, &re), &im) in mirrored.zip(&*r_re).zip(&*r_im) {
        *c = Complex::new(re, im);
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
            let mut output = vec![Complex::default(); len / 2 + 1];
            fft.process(&mut input, &mut output, &mut Buffers::default())
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
