//! All figures of one frame and the analyser that computes them with reusable memory.

use super::band_energy::BandScratch;
use super::derivatives::{DerivativeScratch, derivatives};
use super::plane::LumaPlane;
use super::sharpness::sharpness;

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
}

/// Computes [`FrameFigures`]; keeps its scratch memory between frames.
#[derive(Debug, Default)]
pub struct Analyzer {
    derivatives: DerivativeScratch,
    bands: BandScratch,
}

impl Analyzer {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn analyze(&mut self, plane: &LumaPlane) -> FrameFigures {
        let d = derivatives(plane, &mut self.derivatives);
        let s = sharpness(plane, &mut self.bands);
        FrameFigures {
            sharpness: s.sharpness,
            valid: s.valid,
            laplacian_variance: d.laplacian_variance,
            tenengrad: d.tenengrad,
        }
    }
}
