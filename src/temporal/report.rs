//! Accumulates analysed frames into one periodic report.

use crate::analysis::FrameFigures;

use super::alarm::AlarmState;
use super::count_median::CountMedian;
use super::episode::Point;
use super::mean::Mean;
use super::times::FrameTimes;

/// Figures over the frames of one interval (the `sharpmeter` report message).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct IntervalReport {
    /// Times of the first frame covered.
    pub times: FrameTimes,
    /// ns from the first frame's start to the last frame's end.
    pub duration: u64,
    /// Frames analysed.
    pub frames: u32,
    pub valid_frames: u32,
    /// Frames that passed without analysis because they were late.
    pub skipped_frames: u32,
    /// Means over valid frames; None when there were none or the metric was not computed.
    pub sharpness: Option<f64>,
    pub laplacian_variance: Option<f64>,
    pub tenengrad: Option<f64>,
    pub blur_effect: Option<f64>,
    pub edge_width: Option<f64>,
    pub sharpness_min: Option<f64>,
    /// Mean `detail` over the frames that have one (valid or not).
    pub detail: Option<f64>,
    /// Medians over valid frames with an estimate, pixels.
    pub effective_width: Option<u32>,
    pub effective_height: Option<u32>,
    /// The stream's established baseline at the end of the interval.
    pub baseline: Option<f64>,
    /// Tile map: the lowest valid tile, and the mean share of valid tiles below `threshold`.
    pub tile_min: Option<f64>,
    pub tiles_below: Option<f64>,
    pub state: AlarmState,
}

/// Means, minimum and size medians over the valid frames of one interval.
#[derive(Debug, Default)]
pub struct ReportAccumulator {
    first: Option<Point>,
    end_clock: u64,
    frames: u32,
    valid_frames: u32,
    skipped_frames: u32,
    sharpness: Mean,
    laplacian_variance: Mean,
    tenengrad: Mean,
    blur_effect: Mean,
    edge_width: Mean,
    sharpness_min: Option<f64>,
    detail: Mean,
    tile_min: Option<f64>,
    tiles_below: Mean,
    effective_width: CountMedian,
    effective_height: CountMedian,
}

impl ReportAccumulator {
    /// Starts an interval at `at` unless one is open, and extends it to `end_clock`.
    fn cover(&mut self, at: Point, end_clock: u64) {
        if self.first.is_none() {
            *self = ReportAccumulator {
                first: Some(at),
                ..Default::default()
            };
        }
        self.end_clock = self.end_clock.max(end_clock);
    }

    /// Counts a frame that passed without analysis.
    pub fn add_skipped(&mut self, at: Point, end_clock: u64) {
        self.cover(at, end_clock);
        self.skipped_frames = self.skipped_frames.saturating_add(1);
    }

    pub fn add(&mut self, at: Point, end_clock: u64, figures: &FrameFigures) {
        self.cover(at, end_clock);
        self.frames = self.frames.saturating_add(1);
        self.detail.add(figures.detail);
        if figures.valid {
            self.valid_frames = self.valid_frames.saturating_add(1);
            self.sharpness.add(Some(figures.sharpness));
            self.laplacian_variance.add(figures.laplacian_variance);
            self.tenengrad.add(figures.tenengrad);
            self.blur_effect.add(figures.blur_effect);
            self.edge_width.add(figures.edge_width);
            self.effective_width.add(figures.effective_width);
            self.effective_height.add(figures.effective_height);
            let m = self.sharpness_min.get_or_insert(figures.sharpness);
            *m = m.min(figures.sharpness);
        }
        if let Some(t) = figures.tile_min {
            self.tile_min = Some(self.tile_min.map_or(t, |m| m.min(t)));
        }
        self.tiles_below.add(figures.tiles_below);
    }

    /// True once the frames added span at least `interval` (always, for interval 0).
    pub fn is_due(&self, interval: u64) -> bool {
        self.first
            .is_some_and(|f| self.end_clock.saturating_sub(f.clock) >= interval)
    }

    /// The report of the frames added since the last one, if any; starts a new interval.
    pub fn take(&mut self, state: AlarmState) -> Option<IntervalReport> {
        let first = self.first.take()?;
        Some(IntervalReport {
            times: first.times,
            duration: self.end_clock.saturating_sub(first.clock),
            frames: self.frames,
            valid_frames: self.valid_frames,
            skipped_frames: self.skipped_frames,
            sharpness: self.sharpness.get(),
            laplacian_variance: self.laplacian_variance.get(),
            tenengrad: self.tenengrad.get(),
            blur_effect: self.blur_effect.get(),
            edge_width: self.edge_width.get(),
            sharpness_min: self.sharpness_min,
            detail: self.detail.get(),
            effective_width: self.effective_width.get(),
            effective_height: self.effective_height.get(),
            baseline: None,
            tile_min: self.tile_min,
            tiles_below: self.tiles_below.get(),
            state,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figures(sharpness: f64, valid: bool) -> FrameFigures {
        FrameFigures {
            sharpness,
            valid,
            noise: 0.0,
            texture: 1.0,
            laplacian_variance: Some(sharpness * 100.0),
            tenengrad: Some(sharpness * 1000.0),
            blur_effect: None,
            edge_width: None,
            effective_width: Some((sharpness * 1000.0) as u32),
            ..Default::default()
        }
    }

    fn at(clock: u64) -> Point {
        Point {
            clock,
            ..Default::default()
        }
    }

    #[test]
    fn means_and_min_over_valid_frames_only() {
        let mut r = ReportAccumulator::default();
        r.add(at(0), 10, &figures(0.4, true));
        r.add(at(10), 20, &figures(0.0, false));
        assert!(!r.is_due(30));
        r.add(at(20), 30, &figures(0.2, true));
        assert!(r.is_due(30));
        let rep = r.take(AlarmState::Ok).unwrap();
        assert_eq!((rep.frames, rep.valid_frames), (3, 2));
        assert!((rep.sharpness.unwrap() - 0.3).abs() < 1e-12);
        assert!((rep.laplacian_variance.unwrap() - 30.0).abs() < 1e-9);
        assert_eq!(rep.sharpness_min, Some(0.2));
        assert_eq!(
            (rep.effective_width, rep.effective_height),
            (Some(200), None)
        );
        // Metrics not computed stay out of the report.
        assert_eq!((rep.blur_effect, rep.edge_width), (None, None));
        assert_eq!(rep.duration, 30);
        assert!(r.take(AlarmState::Ok).is_none());
    }

    #[test]
    fn no_valid_frames_means_no_figures() {
        let mut r = ReportAccumulator::default();
        r.add(at(100), 110, &figures(0.0, false));
        assert!(r.is_due(0));
        let rep = r.take(AlarmState::Alarm).unwrap();
        assert_eq!(rep.sharpness, None);
        assert_eq!(rep.sharpness_min, None);
        assert_eq!(rep.state, AlarmState::Alarm);
    }
}
