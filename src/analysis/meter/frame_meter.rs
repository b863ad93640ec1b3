//! One frame measured as the element measures it: the region of interest clamped to the
//! frame, dark letterbox bars left out, the figures of the analysed area and the tile map.
//! The element and every tool call [`FrameMeter::measure`], so a tool analyses exactly as
//! the element does.

use std::fmt;

use super::analyzer::Analyzer;
use super::frame_figures::{FrameFigures, Metrics};
use super::letterbox::{LetterboxScratch, active_area};
use crate::analysis::frame::plane::LumaPlane;
use crate::analysis::frame::rect::Rect;
use crate::analysis::kernels::thumbnail::Thumbnail;

/// Most tile columns or rows.
pub const MAX_TILES: u32 = 64;
/// Value of a tile that cannot be judged.
pub const INVALID_TILE: f64 = -1.0;

/// A region of interest: x, y, width, height in pixels; a width or height of 0 reaches the
/// frame's edge.
pub type Roi = (u32, u32, u32, u32);

/// How frames are measured (the element's properties that shape a frame's figures).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MeterSettings {
    pub metrics: Metrics,
    pub roi: Roi,
    /// Leave dark uniform bars at the region's edges out.
    pub detect_bars: bool,
    /// Tile map columns and rows; 0 in either switches it off.
    pub tiles: (u32, u32),
    /// Tiles below this sharpness count in `tiles_below` (the element's `threshold`).
    pub tile_threshold: f64,
    /// Threads a frame's analysis may use (1 or 2).
    pub threads: usize,
}

impl MeterSettings {
    /// The element's defaults.
    pub const DEFAULT: MeterSettings = MeterSettings {
        metrics: Metrics::DEFAULT,
        roi: (0, 0, 0, 0),
        detect_bars: true,
        tiles: (0, 0),
        tile_threshold: 0.2,
        threads: 1,
    };
}

impl Default for MeterSettings {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// A region of interest that reached outside the frame, and what was analysed instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegionClamped {
    pub roi: Roi,
    pub frame: (usize, usize),
    /// The clamped region; None when the region lay wholly outside and the whole frame was
    /// analysed.
    pub area: Option<Rect>,
}

impl fmt::Display for RegionClamped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (x, y, w, h) = self.roi;
        let (width, height) = self.frame;
        write!(
            f,
            "Region of interest x {x} y {y} width {w} height {h} reaches outside the {width}x{height} frame: "
        )?;
        match self.area {
            Some(a) => write!(
                f,
                "clamped to x {} y {} width {} height {}",
                a.x, a.y, a.width, a.height
            ),
            None => write!(f, "outside the frame; the whole frame is analysed"),
        }
    }
}

/// Measures frames; keeps its scratch memory and the last frame's tile map between frames.
#[derive(Debug, Default)]
pub struct FrameMeter {
    analyzer: Analyzer,
    letterbox: LetterboxScratch,
    tiles: Vec<f64>,
    /// The region of interest and frame size last reported as clamped.
    reported: Option<(Roi, (usize, usize))>,
}

impl FrameMeter {
    pub fn new() -> Self {
        Self::default()
    }

    /// Measures `plane` (the visible picture). The figures carry the analysed area
    /// (`active_area`, in `plane`'s pixels) and, with the tile map on, `tile_min` and
    /// `tiles_below`; [`FrameMeter::tiles`] holds the map. Returns with them, once per
    /// region and frame size, how a region of interest reaching outside the frame was
    /// clamped.
    pub fn measure(
        &mut self,
        plane: &LumaPlane,
        settings: &MeterSettings,
    ) -> (FrameFigures, Option<RegionClamped>) {
        let (width, height) = (plane.width(), plane.height());
        let (x, y, w, h) = settings.roi;
        let wanted = (x as usize, y as usize, w as usize, h as usize);
        let area = Rect::region_of_interest(wanted, width, height);
        let whole = area.is_some_and(|a| {
            (w == 0 || a.width == w as usize) && (h == 0 || a.height == h as usize)
        });
        let mut clamped = None;
        if !whole && self.reported != Some((settings.roi, (width, height))) {
            self.reported = Some((settings.roi, (width, height)));
            clamped = Some(RegionClamped {
                roi: settings.roi,
                frame: (width, height),
                area,
            });
        }
        let roi = area.unwrap_or(Rect::full(width, height));
        let region = plane.crop(roi).expect("the region is clamped to the frame");
        let area = if settings.detect_bars {
            active_area(&region, &mut self.letterbox)
        } else {
            Rect::full(roi.width, roi.height)
        };
        self.analyzer.set_threads(settings.threads);
        let mut figures = self.analyzer.analyze_area(&region, area, settings.metrics);
        figures.active_area = Some(area.within(roi));
        self.tiles.clear();
        let (columns, rows) = settings.tiles;
        if columns > 0 && rows > 0 {
            let analysed = region
                .crop(area)
                .expect("the active area lies in the region");
            for t in tile_rects(analysed.width(), analysed.height(), columns, rows) {
                let sharpness = analysed
                    .crop(t)
                    .ok()
                    .and_then(|tile| self.analyzer.tile_sharpness(&tile, figures.noise));
                self.tiles.push(sharpness.unwrap_or(INVALID_TILE));
            }
            let valid = || self.tiles.iter().copied().filter(|&s| s >= 0.0);
            let count = valid().count();
            let below = valid().filter(|&s| s < settings.tile_threshold).count();
            figures.tile_min = valid().reduce(f64::min);
            figures.tiles_below = (count > 0).then(|| below as f64 / count as f64);
        }
        (figures, clamped)
    }

    /// The last frame's tile map, row-major: each tile's sharpness, or [`INVALID_TILE`]
    /// where it cannot be judged; empty when the map is off.
    pub fn tiles(&self) -> &[f64] {
        &self.tiles
    }

    /// The thumbnail of the last measured frame's region, for scene-cut detection.
    pub fn thumbnail(&self) -> Option<&Thumbnail> {
        self.analyzer.thumbnail()
    }
}

/// The `columns` x `rows` tiles of a `width` x `height` area, row-major; edges are spread
/// evenly, so tiles differ by at most one pixel.
fn tile_rects(width: usize, height: usize, columns: u32, rows: u32) -> impl Iterator<Item = Rect> {
    let (c, r) = (columns as usize, rows as usize);
    (0..r).flat_map(move |j| {
        (0..c).map(move |i| {
            let (x0, x1) = (i * width / c, (i + 1) * width / c);
            let (y0, y1) = (j * height / r, (j + 1) * height / r);
            Rect::new(x0, y0, x1 - x0, y1 - y0)
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiles_cover_the_area_evenly() {
        let rects: Vec<Rect> = tile_rects(10, 7, 3, 2).collect();
        assert_eq!(rects.len(), 6);
        assert_eq!(rects.iter().map(|r| r.width * r.height).sum::<usize>(), 70);
        assert!(rects.iter().all(|r| (3..=4).contains(&r.width)));
    }

    #[test]
    fn a_region_outside_the_frame_is_reported_once_per_region_and_size() {
        let data = vec![128u8; 64 * 48];
        let plane = LumaPlane::new_u8(&data, 64, 48, 64).unwrap();
        let mut meter = FrameMeter::new();
        let settings = MeterSettings {
            roi: (32, 0, 64, 0),
            ..Default::default()
        };
        let (f, clamped) = meter.measure(&plane, &settings);
        let clamped = clamped.expect("reported");
        assert_eq!(clamped.area, Some(Rect::new(32, 0, 32, 48)));
        assert!(
            clamped
                .to_string()
                .contains("clamped to x 32 y 0 width 32 height 48")
        );
        assert_eq!(f.active_area, Some(Rect::new(32, 0, 32, 48)));
        assert!(meter.measure(&plane, &settings).1.is_none(), "once");
        let outside = MeterSettings {
            roi: (100, 0, 0, 0),
            ..Default::default()
        };
        let (f, clamped) = meter.measure(&plane, &outside);
        assert!(
            clamped
                .unwrap()
                .to_string()
                .contains("the whole frame is analysed")
        );
        assert_eq!(f.active_area, Some(Rect::full(64, 48)));
    }
}
