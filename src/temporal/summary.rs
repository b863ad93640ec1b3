//! Totals over a whole stream.

use std::collections::VecDeque;

use crate::analysis::FrameFigures;

use super::alarm::AlarmReason;
use super::count_median::CountMedian;
use super::mean::Mean;
use super::times::FrameTimes;

/// Most episodes the summary lists; earlier ones are only counted.
pub const MAX_EPISODES: usize = 100;

/// Totals over a whole stream (the `sharpmeter-summary` message).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StreamSummary {
    /// Frames analysed.
    pub frames: u32,
    pub valid_frames: u32,
    /// Frames that passed without analysis because they were late.
    pub skipped_frames: u32,
    /// Over valid frames; None when there were none.
    pub sharpness_mean: Option<f64>,
    pub sharpness_min: Option<f64>,
    /// Mean `detail` over the frames that have one.
    pub detail_mean: Option<f64>,
    /// Medians over valid frames with an estimate, pixels.
    pub effective_width: Option<u32>,
    pub effective_height: Option<u32>,
    /// Episodes started, all reasons.
    pub alarms: u32,
    /// ns in all episodes.
    pub alarm_duration: u64,
    /// The stream's established baseline at the end.
    pub baseline: Option<f64>,
    /// Largest relative drop of the smoothed sharpness against the established baseline.
    pub drop_max: Option<f64>,
    /// The latest [`MAX_EPISODES`] episodes, in the order they started.
    pub episodes: Vec<EpisodeRecord>,
    /// Earlier episodes left out of `episodes`.
    pub episodes_omitted: u32,
}

/// One alarm episode of the summary.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct EpisodeRecord {
    pub reason: AlarmReason,
    /// Times of its first degraded frame.
    pub times: FrameTimes,
    /// ns; 0 while open.
    pub duration: u64,
}

#[derive(Debug, Default)]
pub struct SummaryAccumulator {
    frames: u32,
    valid_frames: u32,
    sharpness_sum: f64,
    sharpness_min: Option<f64>,
    detail: Mean,
    effective_width: CountMedian,
    effective_height: CountMedian,
    alarms: u32,
    alarm_duration: u64,
    drop_max: Option<f64>,
    /// The latest [`MAX_EPISODES`] episodes: closed ones, and open ones with a zero duration
    /// until they end.
    episodes: VecDeque<EpisodeRecord>,
    /// Episodes that left `episodes` to keep it bounded.
    episodes_omitted: u32,
    /// Frames that passed without analysis because they were late.
    skipped_frames: u32,
}

impl SummaryAccumulator {
    pub fn add_frame(&mut self, figures: &FrameFigures) {
        self.frames = self.frames.saturating_add(1);
        self.detail.add(figures.detail);
        if figures.valid {
            self.valid_frames = self.valid_frames.saturating_add(1);
            self.sharpness_sum += figures.sharpness;
            let m = self.sharpness_min.get_or_insert(figures.sharpness);
            *m = m.min(figures.sharpness);
            self.effective_width.add(figures.effective_width);
            self.effective_height.add(figures.effective_height);
        }
    }

    /// Notes a frame that passed without analysis because it was late.
    pub fn add_skipped(&mut self) {
        self.skipped_frames = self.skipped_frames.saturating_add(1);
    }

    pub fn add_alarm_start(&mut self, reason: AlarmReason, times: FrameTimes) {
        self.alarms = self.alarms.saturating_add(1);
        if self.episodes.len() == MAX_EPISODES {
            self.episodes.pop_front();
            self.episodes_omitted = self.episodes_omitted.saturating_add(1);
        }
        self.episodes.push_back(EpisodeRecord {
            reason,
            times,
            duration: 0,
        });
    }

    pub fn add_alarm_end(&mut self, reason: AlarmReason, duration: u64) {
        self.alarm_duration = self.alarm_duration.saturating_add(duration);
        if let Some(e) = self.episodes.iter_mut().rev().find(|e| e.reason == reason) {
            e.duration = duration;
        }
    }

    /// Notes the relative drop of a frame's smoothed sharpness against the baseline.
    pub fn add_drop(&mut self, drop: f64) {
        let m = self.drop_max.get_or_insert(drop);
        *m = m.max(drop);
    }

    /// The summary, with the stream's final `baseline`.
    pub fn summary(&self, baseline: Option<f64>) -> StreamSummary {
        StreamSummary {
            frames: self.frames,
            valid_frames: self.valid_frames,
            sharpness_mean: (self.valid_frames > 0)
                .then(|| self.sharpness_sum / self.valid_frames as f64),
            sharpness_min: self.sharpness_min,
            detail_mean: self.detail.get(),
            effective_width: self.effective_width.get(),
            effective_height: self.effective_height.get(),
            alarms: self.alarms,
            alarm_duration: self.alarm_duration,
            baseline,
            drop_max: self.drop_max,
            episodes: self.episodes.iter().copied().collect(),
            episodes_omitted: self.episodes_omitted,
            skipped_frames: self.skipped_frames,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_episode_list_keeps_the_latest_and_counts_the_rest() {
        let mut s = SummaryAccumulator::default();
        for i in 0..MAX_EPISODES as u64 + 30 {
            let times = FrameTimes {
                pts: Some(i),
                ..Default::default()
            };
            s.add_alarm_start(AlarmReason::Drop, times);
            s.add_alarm_end(AlarmReason::Drop, u64::MAX);
        }
        let summary = s.summary(None);
        assert_eq!(summary.alarms, MAX_EPISODES as u32 + 30);
        assert_eq!(summary.episodes.len(), MAX_EPISODES);
        assert_eq!(summary.episodes_omitted, 30);
        assert_eq!(summary.episodes[0].times.pts, Some(30));
        // Durations saturate instead of wrapping.
        assert_eq!(summary.alarm_duration, u64::MAX);
        assert_eq!(summary.episodes[0].duration, u64::MAX);
    }
}
