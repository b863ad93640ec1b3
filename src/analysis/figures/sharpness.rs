//! The primary `sharpness` score (0..1, higher = sharper), comparable across content.
//!
//! Per axis, 1-D Laplacian pyramids give band energies in 64x64 blocks. The energy that
//! the frame's noise puts in each band is subtracted. Only textured blocks are judged:
//! those whose remaining detail stands clearly above the noise. A block's fine score is the
//! log2 ratio of detail in the finest band to the next one. Its coarse score is the
//! energy-weighted band position, which keeps heavier blur ordered once the finest band is
//! gone. Each is pooled per axis at the 95th percentile over textured blocks, so a sharp
//! subject on a soft background reads sharp. The worse axis decides, so one-directional
//! motion blur counts. Only ratios of energies enter, so contrast does not.
//!
//! That axial score is half of the result. The other half is the lower of the axial score
//! and the diagonal score: the log2 ratio of noise-free diagonal detail (fine along both
//! axes) at full resolution to that at half resolution, over blocks textured on both axes,
//! pooled at the 90th percentile. A resampled or Gaussian-blurred picture keeps far less
//! diagonal detail than axial detail, since the leakage of each axis's filter multiplies. A
//! box (motion) blur lowers both levels alike, so the diagonal score only ever lowers the
//! axial one.
//!
//! The caller caps the result at [`SHARE_CAP`] times the effective share of the worse axis
//! ([`capped_by_share`]), so a frame whose detail ends early never reads sharp.

use crate::analysis::kernels::band_energy::{BANDS, BlockEnergies, Energies, white_noise_gains};
use crate::analysis::kernels::diagonal_energy::DiagonalEnergies;

/// The score of one frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SharpnessFigures {
    /// 0..1, higher = sharper; 0 when the frame cannot be judged.
    pub sharpness: f64,
    /// Enough of the frame has usable detail.
    pub valid: bool,
    /// Fraction of blocks with usable detail on either axis, 0..1.
    pub texture: f64,
}

impl SharpnessFigures {
    pub const INVALID: SharpnessFigures = SharpnessFigures {
        sharpness: 0.0,
        valid: false,
        texture: 0.0,
    };
}

/// Variance of 8-bit rounding noise.
const ROUNDING: f64 = 1.0 / 12.0;
/// Noise above rounding is over-subtracted by this factor: the estimate runs low on
/// structured content.
const NOISE_FACTOR: f64 = 1.2;
/// Least noise variance assumed (8-bit levels squared); covers rounding residue in
/// heavily blurred pictures.
const NOISE_FLOOR: f64 = 0.18;
/// A block is textured when band 2 detail exceeds this many times its noise energy...
const TEXTURE_SNR: f64 = 7.0;
/// ...plus this absolute margin (8-bit levels squared).
const TEXTURE_MARGIN: f64 = 0.25;
/// Least share of textured blocks, on each axis, for a valid frame.
const MIN_TEXTURE: f64 = 0.05;
/// Pooling percentile over textured blocks.
const POOL: f64 = 0.95;
/// Floor of the fine score (log2 ratio).
const FINE_FLOOR: f64 = -8.0;
/// Fine score x maps to (x + FINE_OFFSET) / FINE_SPAN, clamped to 0..1.
const FINE_OFFSET: f64 = 3.0;
const FINE_SPAN: f64 = 4.0;
/// Weight of the coarse score in the axial score.
const COARSE_WEIGHT: f64 = 0.1;
/// Weight of the lower of the diagonal and axial scores in the result; the axial score has
/// the rest.
const DIAGONAL_WEIGHT: f64 = 0.5;
/// Pooling percentile of the diagonal score.
const DIAGONAL_POOL: f64 = 0.9;
/// Diagonal score x maps to (x + DIAGONAL_OFFSET) / DIAGONAL_SPAN, clamped to 0..1.
const DIAGONAL_OFFSET: f64 = 1.0;
const DIAGONAL_SPAN: f64 = 4.0;

/// Noise variance (8-bit levels squared) subtracted from band energies, from noise sigma.
fn noise_variance(sigma: f64) -> f64 {
    (ROUNDING + NOISE_FACTOR * (sigma * sigma - ROUNDING).max(0.0)).max(NOISE_FLOOR)
}

/// Detail energy per band: the band energy less what noise of variance `noise_var` puts there.
fn detail(e: &Energies, noise_var: f64) -> Energies {
    let g = white_noise_gains();
    let mut d = [0.0; BANDS];
    for b in 0..BANDS {
        d[b] = (e[b] - g[b] * noise_var).max(0.0);
    }
    d
}

fn is_textured(d: &Energies, noise_var: f64) -> bool {
    d[2] > TEXTURE_SNR * white_noise_gains()[2] * noise_var + TEXTURE_MARGIN
}

/// log2 of finest-band detail over next-band detail, floored.
fn fine_score(d: &Energies) -> f64 {
    (d[0] / (d[1] + 1e-6)).log2().max(FINE_FLOOR)
}

/// Energy-weighted band position: 1 when all detail is in the finest band, 0 in the coarsest.
fn coarse_score(d: &Energies) -> f64 {
    let total: f64 = d.iter().sum();
    if total <= 0.0 {
        return 0.0;
    }
    let weighted: f64 = d
        .iter()
        .enumerate()
        .map(|(b, e)| (1.0 - b as f64 / (BANDS - 1) as f64) * e)
        .sum();
    weighted / total
}

/// Value at `q` (0..1) of `v` (reordered in place, without allocating); None when empty.
fn percentile(v: &mut [f64], q: f64) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    let i = ((v.len() - 1) as f64 * q).round() as usize;
    Some(*v.select_nth_unstable_by(i, f64::total_cmp).1)
}

/// log2 of the diagonal detail at full resolution over that at half resolution, with the
/// noise energy removed from both; None when the half-resolution detail is gone.
fn diagonal_score(fine: f64, next: f64, noise_var: f64) -> Option<f64> {
    let g = white_noise_gains();
    let d0 = (fine - g[0] * g[0] * noise_var).max(0.0);
    let d1 = (next - g[1] * g[1] * noise_var).max(0.0);
    (d1 > 0.0).then(|| (d0 / d1).log2().max(FINE_FLOOR))
}

/// The score is at most this multiple of the effective share (worse axis). A box (motion)
/// blur keeps the band ratios of its edges' corners but ends the spectrum early.
pub const SHARE_CAP: f64 = 2.0;

/// `sharpness` capped by the effective shares (0..1) of rows and columns, where known.
pub fn capped_by_share(sharpness: f64, shares: [Option<f64>; 2]) -> f64 {
    shares
        .into_iter()
        .flatten()
        .fold(sharpness, |s, share| s.min(SHARE_CAP * share))
}

/// Reusable memory for pooling.
#[derive(Debug, Default)]
pub struct PoolScratch {
    fine: Vec<f64>,
    coarse: Vec<f64>,
    diagonal: Vec<f64>,
    textured: Vec<[bool; 2]>,
}

/// Scores a frame from its per-axis and diagonal block energies and its noise sigma (8-bit
/// levels).
pub fn sharpness(
    horizontal: &BlockEnergies,
    vertical: &BlockEnergies,
    diagonal: &DiagonalEnergies,
    noise_sigma: f64,
    scratch: &mut PoolScratch,
) -> SharpnessFigures {
    let noise_var = noise_variance(noise_sigma);
    let blocks = horizontal.len();
    let PoolScratch {
        fine,
        coarse,
        diagonal: diagonal_scores,
        textured,
    } = scratch;
    textured.clear();
    textured.resize(blocks, [false; 2]);
    let mut pooled = [(0.0f64, 0.0f64); 2];
    let mut enough = blocks > 0;
    for (axis, energies) in [horizontal, vertical].into_iter().enumerate() {
        fine.clear();
        coarse.clear();
        for (i, flags) in textured.iter_mut().enumerate() {
            let d = detail(&energies.block(i), noise_var);
            if is_textured(&d, noise_var) {
                flags[axis] = true;
                fine.push(fine_score(&d));
                coarse.push(coarse_score(&d));
            }
        }
        enough &= !fine.is_empty() && fine.len() as f64 >= MIN_TEXTURE * blocks as f64;
        pooled[axis] = (
            percentile(fine, POOL).unwrap_or(FINE_FLOOR),
            percentile(coarse, POOL).unwrap_or(0.0),
        );
    }
    let texture = if blocks == 0 {
        0.0
    } else {
        textured.iter().filter(|t| t[0] || t[1]).count() as f64 / blocks as f64
    };
    if !enough {
        return SharpnessFigures {
            texture,
            ..SharpnessFigures::INVALID
        };
    }
    diagonal_scores.clear();
    if diagonal.len() == blocks {
        diagonal_scores.extend(textured.iter().enumerate().filter_map(|(i, t)| {
            let (f, n) = diagonal.block(i);
            (t[0] && t[1])
                .then(|| diagonal_score(f, n, noise_var))
                .flatten()
        }));
    }
    let fine = ((pooled[0].0.min(pooled[1].0) + FINE_OFFSET) / FINE_SPAN).clamp(0.0, 1.0);
    let coarse = pooled[0].1.min(pooled[1].1);
    let axial = (1.0 - COARSE_WEIGHT) * fine + COARSE_WEIGHT * coarse;
    let diagonal = percentile(diagonal_scores, DIAGONAL_POOL).map_or(0.0, |d| {
        ((d + DIAGONAL_OFFSET) / DIAGONAL_SPAN).clamp(0.0, 1.0)
    });
    SharpnessFigures {
        sharpness: (1.0 - DIAGONAL_WEIGHT) * axial + DIAGONAL_WEIGHT * diagonal.min(axial),
        valid: true,
        texture,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn halving_contrast_scales_detail_by_a_quarter_above_the_floor() {
        // Estimated variance s holds rounding R; at half contrast the rest is a quarter and
        // the picture is rounded anew: (s - R) / 4 + R.
        let s: f64 = 4.0;
        let full = noise_variance(s.sqrt());
        let half = noise_variance(((s - ROUNDING) / 4.0 + ROUNDING).sqrt());
        assert!(((full - ROUNDING) / 4.0 - (half - ROUNDING)).abs() < 1e-12);
        assert_eq!(noise_variance(0.0), NOISE_FLOOR);
    }

    #[test]
    fn coarse_score_moves_with_the_energy() {
        assert_eq!(coarse_score(&[1.0, 0.0, 0.0, 0.0, 0.0]), 1.0);
        assert_eq!(coarse_score(&[0.0, 0.0, 0.0, 0.0, 1.0]), 0.0);
        assert!(
            coarse_score(&[0.0, 0.0, 1.0, 1.0, 1.0]) > coarse_score(&[0.0, 0.0, 0.0, 1.0, 1.0])
        );
        assert_eq!(coarse_score(&[0.0; BANDS]), 0.0);
    }

    #[test]
    fn diagonal_score_removes_the_noise_from_both_levels() {
        let g = white_noise_gains();
        let v = 2.0;
        let (fine, next) = (1.0 + g[0] * g[0] * v, 4.0 + g[1] * g[1] * v);
        assert!((diagonal_score(fine, next, v).unwrap() + 2.0).abs() < 1e-12);
        // Pure noise leaves no detail at half resolution: no score.
        assert_eq!(diagonal_score(g[0] * g[0] * v, g[1] * g[1] * v, v), None);
        assert_eq!(diagonal_score(0.0, 1.0, v), Some(FINE_FLOOR));
    }

    #[test]
    fn the_worse_effective_share_caps_the_score() {
        assert_eq!(capped_by_share(0.9, [None, None]), 0.9);
        assert_eq!(capped_by_share(0.9, [Some(1.0), Some(0.5)]), 0.9);
        assert_eq!(capped_by_share(0.9, [Some(0.2), Some(0.3)]), 0.4);
        assert_eq!(capped_by_share(0.3, [Some(1.0), Some(0.2)]), 0.3);
    }

    #[test]
    fn percentile_picks_the_upper_values() {
        let mut v: Vec<f64> = (0..101).map(|i| i as f64).collect();
        v.reverse();
        assert_eq!(percentile(&mut v, 0.95), Some(95.0));
        assert_eq!(percentile(&mut [], 0.95), None);
    }
}
