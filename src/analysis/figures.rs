//! All figures of one frame and the analyser that computes them with reusable memory.

use super::band_energy::MIN_LINE;
use super::band_energy::{self, BandScratch, BlockEnergies};
use super::derivatives::{DerivativeScratch, derivatives};
use super::plane::LumaPlane;
use super::sharpness::{PoolScratch, SharpnessFigures, sharpness};

/// Figures measured on one frame's luma.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FrameFigures {
    /// 0..1, higher = sharper; contrast-invariant.
    pub sharpness: f64,
    /// The frame has enough detail to be judged; invalid frames never feed alarms or means.
    pub valid: bool,
    /// OpenCV `Laplacian(ksize=1).var()`, 8-bit units; higher = sharper.
    pub laplacian_variance: f64,
    /// Mean of squared 3x3 Sobel gradients, 8-bit units; higher = sharper.
    pub tenengrad: f64,
    /// Estimated noise sigma, 8-bit levels.
    pub noise: f64,
    /// Fraction of the frame with usable detail, 0..1.
    pub texture: f64,
}

/// Computes [`FrameFigures`]; keeps its scratch memory between frames.
#[derive(Debug, Default)]
pub struct Analyzer {
    derivatives: DerivativeScratch,
    bands: BandScratch,
    horizontal: BlockEnergies,
    vertical: BlockEnergies,
    pool: PoolScratch,
}

impl Analyzer {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn analyze(&mut self, plane: &LumaPlane) -> FrameFigures {
        let d = derivatives(plane, &mut self.derivatives);
        let s = if plane.width() < MIN_LINE || plane.height() < MIN_LINE {
            SharpnessFigures::INVALID
        } else {
            band_energy::horizontal(plane, &mut self.bands, &mut self.horizontal);
            band_energy::vertical(plane, &mut self.bands, &mut self.vertical);
            sharpness(&self.horizontal, &self.vertical, d.noise, &mut self.pool)
        };
        FrameFigures {
            sharpness: s.sharpness,
            valid: s.valid,
            laplacian_variance: d.laplacian_variance,
            tenengrad: d.tenengrad,
            noise: d.noise,
            texture: s.texture,
        }
    }
}
