//! Totals over a whole stream.

use gst::ClockTime;

use crate::analysis::FrameFigures;
use crate::messages::{AlarmReason, Episode, Summary, Timestamps};

use super::count_median::CountMedian;

#[derive(Debug, Default)]
pub struct SummaryAccumulator {
    frames: u32,
    valid_frames: u32,
    sharpness_sum: f64,
    sharpness_min: Option<f64>,
    effective_width: CountMedian,
    effective_height: CountMedian,
    alarms: u32,
    alarm_duration: u64,
    drop_max: Option<f64>,
    /// Closed episodes, and open ones with a zero duration until they end.
    episodes: Vec<Episode>,
}

impl SummaryAccumulator {
    pub fn add_frame(&mut self, figures: &FrameFigures) {
        self.frames = self.frames.saturating_add(1);
        if figures.valid {
            self.valid_frames += 1;
            self.sharpness_sum += figures.sharpness;
            let m = self.sharpness_min.get_or_insert(figures.sharpness);
            *m = m.min(figures.sharpness);
            self.effective_width.add(figures.effective_width);
            self.effective_height.add(figures.effective_height);
        }
    }

    pub fn add_alarm_start(&mut self, reason: AlarmReason, times: Timestamps) {
        self.alarms += 1;
        self.episodes.push(Episode {
            reason,
            times,
            duration: ClockTime::ZERO,
        });
    }

    pub fn add_alarm_end(&mut self, reason: AlarmReason, duration: u64) {
        self.alarm_duration = self.alarm_duration.saturating_add(duration);
        if let Some(e) = self.episodes.iter_mut().rev().find(|e| e.reason == reason) {
            e.duration = ClockTime::from_nseconds(duration);
        }
    }

    /// Notes the relative drop of a frame's smoothed sharpness against the baseline.
    pub fn add_drop(&mut self, drop: f64) {
        let m = self.drop_max.get_or_insert(drop);
        *m = m.max(drop);
    }

    /// The summary, with the stream's final `baseline`.
    pub fn summary(&self, baseline: Option<f64>) -> Summary {
        Summary {
            frames: self.frames,
            valid_frames: self.valid_frames,
            sharpness_mean: (self.valid_frames > 0)
                .then(|| self.sharpness_sum / self.valid_frames as f64),
            sharpness_min: self.sharpness_min,
            effective_width: self.effective_width.get(),
            effective_height: self.effective_height.get(),
            alarms: self.alarms,
            alarm_duration: ClockTime::from_nseconds(self.alarm_duration),
            baseline,
            drop_max: self.drop_max,
            episodes: self.episodes.clone(),
        }
    }
}
