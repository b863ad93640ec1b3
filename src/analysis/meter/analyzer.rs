//! The analyser: every figure of one plane (or an area of it) with reusable memory, on one
//! or two threads.

use super::frame_figures::{FrameFigures, Metrics};
use super::worker::Worker;
use crate::analysis::figures::blur_effect::{BlurEffectScratch, H_SIZE, blur_effect};
use crate::analysis::figures::detail::{DetailScratch, SEGMENT as DETAIL_SEGMENT, detail};
use crate::analysis::figures::edge_width::{EdgeWidthScratch, edge_width};
use crate::analysis::figures::effective_resolution::effective_share;
use crate::analysis::figures::sharpness::{
    PoolScratch, SharpnessFigures, capped_by_share, sharpness,
};
use crate::analysis::figures::upscale::{Upscale, UpscaleScratch, detect};
use crate::analysis::frame::plane::LumaPlane;
use crate::analysis::frame::rect::Rect;
use crate::analysis::kernels::band_energy::{self, BandScratch, BlockEnergies, MIN_LINE};
use crate::analysis::kernels::derivatives::{DerivativeScratch, derivatives};
use crate::analysis::kernels::diagonal_energy::{self, DiagonalEnergies, DiagonalScratch};
use crate::analysis::kernels::line_spectrum::{Axis, SpectrumScratch, line_spectrum};
use crate::analysis::kernels::local_contrast::{
    LocalContrast, LocalContrastScratch, local_contrast,
};
use crate::analysis::kernels::thumbnail::{CELLS, Thumbnail, ThumbnailScratch, thumbnail};

/// Effective size and identified upscale along one axis.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct AxisResolution {
    effective: Option<u32>,
    upscale: Option<Upscale>,
}

/// An identified upscale is kept when the spectral share agrees with its source share:
/// detail reaches at most this multiple of the source size (sharp resampling kernels leak
/// some above it)...
const AGREE_ABOVE: f64 = 1.4;
/// ...and at least this fraction of it.
const AGREE_BELOW: f64 = 0.5;
/// The source size replaces the spectral estimate when that reaches this fraction of it;
/// content softer than its source grid keeps the spectral estimate.
const SOURCE_DETAIL: f64 = 0.8;

/// Computes [`FrameFigures`]; keeps its scratch memory between frames.
#[derive(Debug, Default)]
pub struct Analyzer {
    derivatives: DerivativeScratch,
    bands: BandScratch,
    horizontal: BlockEnergies,
    vertical: BlockEnergies,
    diagonal_scratch: DiagonalScratch,
    diagonal: DiagonalEnergies,
    pool: PoolScratch,
    blur_effect: BlurEffectScratch,
    edge_width: EdgeWidthScratch,
    contrast_scratch: LocalContrastScratch,
    contrast: LocalContrast,
    detail: DetailScratch,
    spectrum: SpectrumScratch,
    upscale: UpscaleScratch,
    thumbnail_scratch: ThumbnailScratch,
    thumbnail: Option<Thumbnail>,
    threads: usize,
    /// The second thread of `threads` 2, kept from frame to frame.
    worker: Worker,
}

impl Analyzer {
    pub fn new() -> Self {
        Self::default()
    }

    /// Threads a frame's analysis may use: 1, or 2 (more would not help). With 2 the
    /// independent passes run on two threads; the figures are the same.
    pub fn set_threads(&mut self, threads: usize) {
        self.threads = threads.clamp(1, 2);
    }

    /// The thumbnail of the last analysed frame, for scene-cut detection.
    pub fn thumbnail(&self) -> Option<&Thumbnail> {
        self.thumbnail.as_ref()
    }

    pub fn analyze(&mut self, plane: &LumaPlane, metrics: Metrics) -> FrameFigures {
        let all = Rect::full(plane.width(), plane.height());
        self.analyze_area(plane, all, metrics)
    }

    /// Analyses `area` (in `region`'s coordinates, within it) of `region`. The thumbnail
    /// covers the whole region, so scene cuts do not follow changes of the area.
    pub fn analyze_area(
        &mut self,
        region: &LumaPlane,
        area: Rect,
        metrics: Metrics,
    ) -> FrameFigures {
        let t = self.thumbnail.get_or_insert([0.0; CELLS]);
        thumbnail(region, &mut self.thumbnail_scratch, t);
        let cropped = region.crop(area).unwrap_or(*region);
        let plane = &cropped;
        let Measured {
            derivatives: d,
            score: s,
            shares,
            resolution: (width, height),
            peers: (blur_effect_value, edge_width_value),
            detail: detail_value,
        } = if self.threads > 1 && plane.width() >= MIN_LINE && plane.height() >= MIN_LINE {
            self.measure_on_two_threads(plane, metrics)
        } else {
            let d = derivatives(plane, &mut self.derivatives);
            let s = self.score(plane, d.noise);
            let (shares, resolution) = if s.valid {
                let upscale = metrics.effective_resolution.then_some(&mut self.upscale);
                shares_and_resolutions(plane, &mut self.spectrum, upscale)
            } else {
                ([None, None], Default::default())
            };
            let peers = (
                peer_blur_effect(plane, metrics, &mut self.blur_effect),
                peer_edge_width(plane, metrics, &mut self.edge_width),
            );
            let detail = frame_detail(
                plane,
                metrics,
                &mut self.contrast_scratch,
                &mut self.contrast,
                &mut self.detail,
            );
            Measured {
                derivatives: d,
                score: s,
                shares,
                resolution,
                peers,
                detail,
            }
        };
        FrameFigures {
            sharpness: capped_by_share(s.sharpness, shares),
            valid: s.valid,
            noise: d.noise,
            texture: s.texture,
            laplacian_variance: metrics.laplacian_variance.then_some(d.laplacian_variance),
            tenengrad: metrics.tenengrad.then_some(d.tenengrad),
            blur_effect: blur_effect_value,
            edge_width: edge_width_value,
            effective_width: width.effective,
            effective_height: height.effective,
            upscaled_from_width: width.upscale.map(|u| u.from),
            upscaled_from_height: height.upscale.map(|u| u.from),
            detail: detail_value,
            upscale_confidence: match (width.upscale, height.upscale) {
                (Some(a), Some(b)) => Some(a.confidence.min(b.confidence)),
                (a, b) => a.or(b).map(|u| u.confidence),
            },
            tile_min: None,
            tiles_below: None,
            active_area: None,
        }
    }

    /// Sharpness of `tile` alone, judged with the frame's `noise` sigma; None when the tile
    /// is too small or has too little detail to be judged. Reuses the frame's scratch.
    pub fn tile_sharpness(&mut self, tile: &LumaPlane, noise: f64) -> Option<f64> {
        let s = self.score(tile, noise);
        s.valid
            .then(|| capped_by_share(s.sharpness, shares_of(tile, &mut self.spectrum)))
    }

    /// The uncapped score of `plane` with noise sigma `noise`; invalid for planes under
    /// [`MIN_LINE`] on a side.
    fn score(&mut self, plane: &LumaPlane, noise: f64) -> SharpnessFigures {
        if plane.width() < MIN_LINE || plane.height() < MIN_LINE {
            return SharpnessFigures::INVALID;
        }
        band_energy::horizontal(plane, &mut self.bands, &mut self.horizontal);
        band_energy::vertical(plane, &mut self.bands, &mut self.vertical);
        diagonal_energy::diagonal(plane, &mut self.diagonal_scratch, &mut self.diagonal);
        sharpness(
            &self.horizontal,
            &self.vertical,
            &self.diagonal,
            noise,
            &mut self.pool,
        )
    }

    /// The serial path's figures, with the diagonal band, the line spectra, the upscale
    /// search and blur-effect on a second thread while this one runs the derivative and band
    /// passes and edge-width. The spectra and the search run before validity is known and are
    /// dropped for an invalid frame, as the serial path would not have run them. Panics on
    /// either thread reach the caller.
    fn measure_on_two_threads(&mut self, plane: &LumaPlane, metrics: Metrics) -> Measured {
        let Analyzer {
            derivatives: derivative_scratch,
            bands,
            horizontal,
            vertical,
            diagonal_scratch,
            diagonal,
            pool,
            spectrum,
            upscale,
            blur_effect: blur_effect_scratch,
            edge_width: edge_width_scratch,
            contrast_scratch,
            contrast,
            detail: detail_scratch,
            worker,
            ..
        } = self;
        let ((d, edge, detail), (shares, resolution, blur)) = worker.join(
            || {
                let d = derivatives(plane, derivative_scratch);
                band_energy::horizontal(plane, bands, horizontal);
                band_energy::vertical(plane, bands, vertical);
                let edge = peer_edge_width(plane, metrics, edge_width_scratch);
                let detail =
                    frame_detail(plane, metrics, contrast_scratch, contrast, detail_scratch);
                (d, edge, detail)
            },
            || {
                #[cfg(feature = "fault-injection")]
                if plane.width() == FAULT_WIDTH {
                    panic!("fault injected on the second analysis thread");
                }
                diagonal_energy::diagonal(plane, diagonal_scratch, diagonal);
                let upscale = metrics.effective_resolution.then_some(upscale);
                let (shares, resolution) = shares_and_resolutions(plane, spectrum, upscale);
                let blur = peer_blur_effect(plane, metrics, blur_effect_scratch);
                (shares, resolution, blur)
            },
        );
        let s = sharpness(horizontal, vertical, diagonal, d.noise, pool);
        let (shares, resolution) = if s.valid {
            (shares, resolution)
        } else {
            ([None, None], Default::default())
        };
        Measured {
            derivatives: d,
            score: s,
            shares,
            resolution,
            peers: (blur, edge),
            detail,
        }
    }
}

/// With the `fault-injection` feature, the second analysis thread panics on planes this wide
/// (tests only).
#[cfg(feature = "fault-injection")]
pub const FAULT_WIDTH: usize = 4240;

/// What [`Analyzer::analyze_area`] measures on the whole analysed area.
struct Measured {
    derivatives: crate::analysis::kernels::derivatives::DerivativeFigures,
    score: SharpnessFigures,
    shares: [Option<f64>; 2],
    resolution: (AxisResolution, AxisResolution),
    /// blur-effect and edge-width, when asked for.
    peers: (Option<f64>, Option<f64>),
    detail: Option<f64>,
}

/// The frame's `detail`, when `metrics` asks for it.
fn frame_detail(
    plane: &LumaPlane,
    metrics: Metrics,
    scratch: &mut LocalContrastScratch,
    contrast: &mut LocalContrast,
    detail_scratch: &mut DetailScratch,
) -> Option<f64> {
    if !metrics.detail {
        return None;
    }
    local_contrast(plane, DETAIL_SEGMENT, scratch, contrast);
    detail(contrast, detail_scratch)
}

/// scikit-image's blur_effect of `plane`, when `metrics` asks for it.
fn peer_blur_effect(
    plane: &LumaPlane,
    metrics: Metrics,
    scratch: &mut BlurEffectScratch,
) -> Option<f64> {
    metrics
        .blur_effect
        .then(|| blur_effect(plane, H_SIZE, scratch))
        .flatten()
}

/// ffmpeg blurdetect's edge width of `plane`, when `metrics` asks for it.
fn peer_edge_width(
    plane: &LumaPlane,
    metrics: Metrics,
    scratch: &mut EdgeWidthScratch,
) -> Option<f64> {
    metrics
        .edge_width
        .then(|| edge_width(plane, scratch))
        .flatten()
}

/// Spectral effective shares of `plane` along rows and columns.
fn shares_of(plane: &LumaPlane, spectrum: &mut SpectrumScratch) -> [Option<f64>; 2] {
    [Axis::Rows, Axis::Columns]
        .map(|axis| line_spectrum(plane, axis, spectrum).and_then(effective_share))
}

/// [`shares_of`] and, with `upscale`, [`resolution`] along rows and along columns, from the
/// lines the spectra read.
fn shares_and_resolutions(
    plane: &LumaPlane,
    spectrum: &mut SpectrumScratch,
    mut upscale: Option<&mut UpscaleScratch>,
) -> ([Option<f64>; 2], (AxisResolution, AxisResolution)) {
    let mut along = |axis: Axis| {
        let share = line_spectrum(plane, axis, spectrum).and_then(effective_share);
        let resolution = match upscale.as_deref_mut() {
            Some(u) => resolution(plane, axis, share, u, spectrum.lines_read(axis)),
            None => AxisResolution::default(),
        };
        (share, resolution)
    };
    let (rows, columns) = (along(Axis::Rows), along(Axis::Columns));
    ([rows.0, columns.0], (rows.1, columns.1))
}

/// Effective size along `axis` in pixels from its spectral `share`, and the upscale
/// identified along it. An identified upscale whose source carried detail sets the
/// effective size to its source size.
fn resolution(
    plane: &LumaPlane,
    axis: Axis,
    share: Option<f64>,
    scratch: &mut UpscaleScratch,
    read: Option<&[f32]>,
) -> AxisResolution {
    let nominal = axis.lines_of(plane).0 as f64;
    let Some(share) = share else {
        return AxisResolution::default();
    };
    // Corner-aligned upscales are looked for only below full detail.
    let upscale = detect(plane, axis, scratch, share < 1.0, read).filter(|u| {
        let source = u.from as f64 / nominal;
        share <= AGREE_ABOVE * source && share >= AGREE_BELOW * source
    });
    let spectral = (share * nominal).round() as u32;
    let effective = match upscale {
        Some(u) if share >= SOURCE_DETAIL * u.from as f64 / nominal => u.from,
        _ => spectral,
    };
    AxisResolution {
        effective: Some(effective),
        upscale,
    }
}
