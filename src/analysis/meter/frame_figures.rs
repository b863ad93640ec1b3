//! What one frame's measurement yields ([`FrameFigures`]), which optional metrics to compute
//! ([`Metrics`]), and the effective share the alarms judge.

use crate::analysis::frame::rect::Rect;

/// Optional metrics to compute besides `sharpness`, `valid`, `noise` and `texture`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Metrics {
    pub laplacian_variance: bool,
    pub tenengrad: bool,
    pub blur_effect: bool,
    pub edge_width: bool,
    pub effective_resolution: bool,
    pub detail: bool,
}

impl Metrics {
    /// The real-time set: the derivative figures come from the pass that estimates noise.
    pub const DEFAULT: Metrics = Metrics {
        laplacian_variance: true,
        tenengrad: true,
        blur_effect: false,
        edge_width: false,
        effective_resolution: true,
        detail: true,
    };
    pub const ALL: Metrics = Metrics {
        laplacian_variance: true,
        tenengrad: true,
        blur_effect: true,
        edge_width: true,
        effective_resolution: true,
        detail: true,
    };
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::DEFAULT
    }
}

/// Figures measured on one frame's luma. Optional ones are None when not selected, or when
/// the frame has nothing to measure them on (edge-width without edges, tiny frames).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct FrameFigures {
    /// 0..1, higher = sharper; comparable across content; 0 when not `valid`.
    pub sharpness: f64,
    /// The frame has enough usable detail to be judged; invalid frames never feed alarms
    /// or means.
    pub valid: bool,
    /// Estimated noise sigma, 8-bit levels.
    pub noise: f64,
    /// Fraction of the frame with usable detail, 0..1.
    pub texture: f64,
    /// OpenCV `Laplacian(ksize=1).var()`, 8-bit units; higher = sharper.
    pub laplacian_variance: Option<f64>,
    /// Mean of squared 3x3 Sobel gradients, 8-bit units; higher = sharper.
    pub tenengrad: Option<f64>,
    /// scikit-image `blur_effect` (h_size 11), 0..1; higher = blurrier.
    pub blur_effect: Option<f64>,
    /// ffmpeg `blurdetect` mean edge width, pixels; higher = blurrier.
    pub edge_width: Option<f64>,
    /// Width, in pixels, that the detail along rows corresponds to; only on valid frames.
    pub effective_width: Option<u32>,
    /// Height, in pixels, that the detail along columns corresponds to; only on valid frames.
    pub effective_height: Option<u32>,
    /// Source width of an identified classic upscale along rows.
    pub upscaled_from_width: Option<u32>,
    /// Source height of an identified classic upscale along columns.
    pub upscaled_from_height: Option<u32>,
    /// Confidence of the identified upscale, 0..1 (the lower of both axes when both are).
    pub upscale_confidence: Option<f64>,
    /// Mean squared contrast-normalised luma where the frame has most structure (about
    /// 0..1.5); lower = less fine detail between edges. Judged against the stream's own
    /// history. None when the frame has too little structure or is under 64x8.
    pub detail: Option<f64>,
    /// Lowest sharpness of the valid tiles of the tile map, when it is on and any tile is
    /// valid. Set by [`FrameMeter`](super::frame_meter::FrameMeter).
    pub tile_min: Option<f64>,
    /// Share of the valid tiles whose sharpness is below the tile threshold. Set by
    /// [`FrameMeter`](super::frame_meter::FrameMeter).
    pub tiles_below: Option<f64>,
    /// The analysed area in the picture's pixels (region of interest without bars). Set by
    /// [`FrameMeter`](super::frame_meter::FrameMeter); the analysis of a plane alone leaves it None.
    pub active_area: Option<Rect>,
}

/// Effective size as a share of `size` (width, height) on the worse axis with an estimate;
/// None for invalid frames and frames without one.
pub fn effective_share(figures: &FrameFigures, (width, height): (u32, u32)) -> Option<f64> {
    if !figures.valid {
        return None;
    }
    let share = |v: Option<u32>, n: u32| v.filter(|_| n > 0).map(|v| v as f64 / n as f64);
    match (
        share(figures.effective_width, width),
        share(figures.effective_height, height),
    ) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn effective_share_takes_the_worse_axis_with_an_estimate() {
        let f = FrameFigures {
            valid: true,
            effective_width: Some(320),
            effective_height: Some(270),
            ..Default::default()
        };
        assert_eq!(effective_share(&f, (640, 360)), Some(0.5));
        let one_axis = FrameFigures {
            effective_height: None,
            ..f
        };
        assert_eq!(effective_share(&one_axis, (640, 360)), Some(0.5));
        let invalid = FrameFigures { valid: false, ..f };
        assert_eq!(effective_share(&invalid, (640, 360)), None);
    }
}
