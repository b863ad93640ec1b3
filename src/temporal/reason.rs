//! One alarm reason's smoothing and episodes, whatever value it judges.

use std::collections::VecDeque;

use super::episode::{EpisodeTracker, Point, Transition};
use super::median::{MAX_SAMPLES, RollingMedian};
use super::settings::MonitorSettings;

/// Smoothing and episodes of one alarm reason: the median of its judged value over the
/// smoothing window, against a limit, recovering at the limit plus the hysteresis.
#[derive(Debug, Default)]
pub struct ReasonState {
    pub(super) median: RollingMedian,
    /// The frames in the smoothing window with their values, since the last edge: an edge
    /// is dated at the first of them that crossed by itself.
    pub(super) recent: VecDeque<(Point, f64)>,
    pub alarm: EpisodeTracker,
    /// The latest smoothed value.
    pub smoothed: f64,
    /// Where the current stretch of frames without a value began.
    missing_since: Option<u64>,
    /// Frames before this clock are smoothed but judged by no edge ([`ReasonState::hold`]).
    hold_until: Option<u64>,
}

impl ReasonState {
    /// Feeds one frame's value (None: the frame is not judged for this reason) against
    /// `limit`; a limit of 0 or less closes an open episode.
    pub fn judge(
        &mut self,
        value: Option<f64>,
        limit: f64,
        at: Point,
        end: u64,
        settings: &MonitorSettings,
    ) -> Option<Transition> {
        match value {
            None => {
                self.missing_since.get_or_insert(at.clock);
            }
            Some(v) => {
                // A stretch without values that outlasted the window ends the run in
                // progress.
                if let Some(since) = self.missing_since.take()
                    && at.clock.saturating_sub(since) >= settings.window
                {
                    self.alarm.break_run();
                }
                self.smoothed = self.median.push(at.clock, v, settings.window);
                if self.recent.len() == MAX_SAMPLES {
                    self.recent.pop_front();
                }
                self.recent.push_back((at, v));
                while self.recent.len() > 1
                    && at.clock.saturating_sub(self.recent[0].0.clock) >= settings.window
                {
                    self.recent.pop_front();
                }
            }
        }
        if limit <= 0.0 {
            self.recent.clear();
            return self.alarm.close(at);
        }
        value?;
        if self.hold_until.is_some_and(|until| at.clock < until) {
            self.recent.clear();
            return None;
        }
        let v = self.smoothed;
        let recovery = settings.recovery(limit);
        let (degraded, recovered) = (v < limit, v >= recovery);
        // A run that starts now starts at the first frame of the window that crossed.
        let crossed = |&&(_, x): &&(Point, f64)| {
            if self.alarm.is_active() {
                x >= recovery
            } else {
                x < limit
            }
        };
        let first = self.recent.iter().find(crossed).map_or(at, |&(p, _)| p);
        let tr = self
            .alarm
            .update(first, end, degraded, recovered, settings.min_duration);
        if tr.is_some() {
            self.recent.clear();
        }
        tr
    }

    /// Frames before `until` (clock) still enter the median but start or end no episode and
    /// date no edge.
    pub fn hold(&mut self, until: u64) {
        self.hold_until = Some(until);
    }

    /// Forgets the smoothing window and any hold.
    pub fn clear(&mut self) {
        self.median.clear();
        self.recent.clear();
        self.hold_until = None;
    }

    /// Closes an open episode at `at` and forgets the smoothing window and any hold.
    pub fn flush(&mut self, at: Point) -> Option<Transition> {
        self.clear();
        self.alarm.close(at)
    }
}
