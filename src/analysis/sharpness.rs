//! The primary `sharpness` score (0..1, higher = sharper): per axis, the weighted share of
//! detail energy in the three finest of five pyramid bands (weights 1, 2/3, 1/3, 0, 0), with
//! the expected 8-bit rounding noise removed; the worse axis decides and the square root of
//! the share is the score. Only ratios of band energies enter, so contrast does not.

use super::band_energy::{self, BANDS, BandScratch, Energies, MIN_LINE};
use super::plane::LumaPlane;

/// Detail energy (8-bit units squared, summed over bands and both axes) below which a frame
/// is too flat to judge.
pub const MIN_DETAIL_ENERGY: f64 = 1.0;

/// The score of one frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SharpnessFigures {
    /// 0..1, higher = sharper; 0 when the frame cannot be judged.
    pub sharpness: f64,
    /// The frame has enough detail to be judged.
    pub valid: bool,
}

/// Weight of band `b` in the score: 1, 2/3 and 1/3 for the three finest bands, 0 for the
/// two coarsest (which only normalise).
fn weight(b: usize) -> f64 {
    (1.0 - b as f64 / 3.0).max(0.0)
}

/// Band energies less the energy of 8-bit rounding noise (variance 1/12). Deeper samples
/// are treated alike, so one picture scores the same at every depth.
fn detail(raw: &Energies) -> Energies {
    let rounding = 1.0 / 12.0;
    let gains = band_energy::white_noise_gains();
    let mut out = [0.0; BANDS];
    for b in 0..BANDS {
        out[b] = (raw[b] - gains[b] * rounding).max(0.0);
    }
    out
}

/// Weighted share of detail energy, or None when there is none.
fn axis_score(detail: &Energies) -> Option<f64> {
    let total: f64 = detail.iter().sum();
    (total > 0.0).then(|| {
        detail
            .iter()
            .enumerate()
            .map(|(b, e)| weight(b) * e)
            .sum::<f64>()
            / total
    })
}

/// Scores a plane. Planes shorter than [`MIN_LINE`] on either axis are not valid.
pub fn sharpness(plane: &LumaPlane, scratch: &mut BandScratch) -> SharpnessFigures {
    const INVALID: SharpnessFigures = SharpnessFigures {
        sharpness: 0.0,
        valid: false,
    };
    if plane.width() < MIN_LINE || plane.height() < MIN_LINE {
        return INVALID;
    }
    let hx = detail(&band_energy::horizontal(plane, scratch));
    let vy = detail(&band_energy::vertical(plane, scratch));
    let energy: f64 = hx.iter().chain(vy.iter()).sum();
    match (axis_score(&hx), axis_score(&vy)) {
        (Some(x), Some(y)) if energy >= MIN_DETAIL_ENERGY => SharpnessFigures {
            sharpness: x.min(y).clamp(0.0, 1.0).sqrt(),
            valid: true,
        },
        _ => INVALID,
    }
}
