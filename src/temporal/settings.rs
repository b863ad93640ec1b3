//! The settings the monitor reads on every frame (the element's alarm properties), and the
//! limit and recovery level of each reason they give.

use super::alarm::AlarmReason;

/// Highest value a judged figure takes; recovery levels above it are clamped to it.
pub const MAX_RECOVERY: f64 = 1.0;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MonitorSettings {
    /// Alarm when smoothed sharpness is below this; 0 disables.
    pub threshold: f64,
    /// Alarm when the smoothed effective share of the analysed size (worse axis) is below
    /// this; 0 disables.
    pub resolution_threshold: f64,
    /// An alarm ends when its judged value reaches its limit plus this (every reason).
    pub hysteresis: f64,
    /// ns a run must last to start or end an episode.
    pub min_duration: u64,
    /// ns of the rolling median.
    pub window: u64,
    /// ns between reports; 0 reports every analysed frame.
    pub interval: u64,
    /// Alarm when smoothed sharpness is more than this fraction below its reference; 0
    /// disables.
    pub drop: f64,
    /// Alarm when smoothed `detail` is more than this fraction below its reference; 0
    /// disables.
    pub detail_drop: f64,
    /// ns of learned frames after which the baseline is established.
    pub baseline_duration: u64,
}

impl MonitorSettings {
    /// Smoothed value at or above which an alarm below `limit` ends: `limit + hysteresis`,
    /// at most [`MAX_RECOVERY`].
    pub fn recovery(&self, limit: f64) -> f64 {
        (limit + self.hysteresis).min(MAX_RECOVERY)
    }

    /// The limit of `reason`'s judged value (0: off). `drop` and `detail` judge the ratio of
    /// their figure to its reference, so their limits are `1 - drop` and `1 - detail-drop`.
    pub fn limit(&self, reason: AlarmReason) -> f64 {
        match reason {
            AlarmReason::Threshold => self.threshold,
            AlarmReason::Resolution => self.resolution_threshold,
            AlarmReason::Drop if self.drop > 0.0 => 1.0 - self.drop,
            AlarmReason::Drop => 0.0,
            AlarmReason::Detail if self.detail_drop > 0.0 => 1.0 - self.detail_drop,
            AlarmReason::Detail => 0.0,
        }
    }

    /// The alarm limits whose `limit + hysteresis` exceeds [`MAX_RECOVERY`], by property
    /// name.
    pub fn clamped_recoveries(&self) -> Vec<(&'static str, f64)> {
        [
            ("threshold", self.threshold),
            ("resolution-threshold", self.resolution_threshold),
        ]
        .into_iter()
        .filter(|&(_, limit)| limit > 0.0 && limit + self.hysteresis > MAX_RECOVERY)
        .collect()
    }
}
