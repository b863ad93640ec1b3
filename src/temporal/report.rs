//! Accumulates analysed frames into one periodic report.

use gst::ClockTime;

use crate::analysis::FrameFigures;
use crate::messages::{AlarmState, Report};

use super::episode::Point;

/// Mean and minimum over the valid frames of one interval.
#[derive(Debug, Default)]
pub struct ReportAccumulator {
    first: Option<Point>,
    end_clock: u64,
    frames: u32,
    valid_frames: u32,
    sharpness_sum: f64,
    laplacian_sum: f64,
    tenengrad_sum: f64,
    sharpness_min: f64,
}

impl ReportAccumulator {
    pub fn add(&mut self, at: Point, end_clock: u64, figures: &FrameFigures) {
        if self.first.is_none() {
            *self = ReportAccumulator {
                first: Some(at),
                sharpness_min: f64::INFINITY,
                ..Default::default()
            };
        }
        self.end_clock = self.end_clock.max(end_clock);
        self.frames = self.frames.saturating_add(1);
        if figures.valid {
            self.valid_frames += 1;
            self.sharpness_sum += figures.sharpness;
            self.laplacian_sum += figures.laplacian_variance;
            self.tenengrad_sum += figures.tenengrad;
            self.sharpness_min = self.sharpness_min.min(figures.sharpness);
        }
    }

    /// True once the frames added span at least `interval` (always, for interval 0).
    pub fn is_due(&self, interval: u64) -> bool {
        self.first
            .is_some_and(|f| self.end_clock.saturating_sub(f.clock) >= interval)
    }

    /// The report of the frames added since the last one, if any; starts a new interval.
    pub fn take(&mut self, state: AlarmState) -> Option<Report> {
        let first = self.first.take()?;
        let n = self.valid_frames as f64;
        let mean = |sum: f64| (self.valid_frames > 0).then(|| sum / n);
        Some(Report {
            times: first.times,
            duration: Some(ClockTime::from_nseconds(
                self.end_clock.saturating_sub(first.clock),
            )),
            frames: self.frames,
            valid_frames: self.valid_frames,
            sharpness: mean(self.sharpness_sum),
            laplacian_variance: mean(self.laplacian_sum),
            tenengrad: mean(self.tenengrad_sum),
            sharpness_min: (self.valid_frames > 0).then_some(self.sharpness_min),
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
            laplacian_variance: sharpness * 100.0,
            tenengrad: sharpness * 1000.0,
            noise: 0.0,
            texture: 1.0,
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
        assert_eq!(rep.duration, Some(ClockTime::from_nseconds(30)));
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
