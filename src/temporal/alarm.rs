//! Alarms as the monitor reports them: the reasons, the two edges of an episode, the state a
//! report carries, and one edge with the values that decided it.

use super::times::FrameTimes;

/// Why an alarm was raised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AlarmReason {
    /// Smoothed sharpness below the `threshold` property.
    #[default]
    Threshold,
    /// Smoothed effective size below `resolution-threshold` of the nominal size.
    Resolution,
    /// Smoothed sharpness more than `drop` below the stream's baseline.
    Drop,
    /// Smoothed `detail` more than `detail-drop` below the stream's detail baseline.
    Detail,
}

impl AlarmReason {
    /// Every reason, in the order the monitor judges them.
    pub const ALL: [AlarmReason; 4] = [
        AlarmReason::Threshold,
        AlarmReason::Resolution,
        AlarmReason::Drop,
        AlarmReason::Detail,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AlarmReason::Threshold => "threshold",
            AlarmReason::Resolution => "resolution",
            AlarmReason::Drop => "drop",
            AlarmReason::Detail => "detail",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// Whether an edge opens or closes an episode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AlarmEvent {
    #[default]
    Start,
    End,
}

impl AlarmEvent {
    pub fn as_str(self) -> &'static str {
        match self {
            AlarmEvent::Start => "start",
            AlarmEvent::End => "end",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [AlarmEvent::Start, AlarmEvent::End]
            .into_iter()
            .find(|e| e.as_str() == s)
    }
}

/// Whether any reason is in alarm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AlarmState {
    #[default]
    Ok,
    Alarm,
}

impl AlarmState {
    pub fn as_str(self) -> &'static str {
        match self {
            AlarmState::Ok => "ok",
            AlarmState::Alarm => "alarm",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [AlarmState::Ok, AlarmState::Alarm]
            .into_iter()
            .find(|a| a.as_str() == s)
    }
}

/// The start or end of one reason's episode.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct AlarmEdge {
    pub event: AlarmEvent,
    pub reason: AlarmReason,
    /// Times of the episode's first degraded frame (start) or first recovered frame (end).
    pub times: FrameTimes,
    /// Episode length, ns; only on `End`.
    pub duration: Option<u64>,
    /// The smoothed sharpness at the edge.
    pub sharpness: f64,
    /// The reason's setting: `threshold`, `resolution-threshold`, `drop` or `detail-drop`.
    pub threshold: f64,
    /// `Resolution`: the smoothed effective share that decided.
    pub effective_share: Option<f64>,
    /// `Drop`, `Detail`: the level the drop is measured against (sharpness, detail).
    pub baseline: Option<f64>,
    /// `Drop`, `Detail`: `1 - value / baseline` of the smoothed ratio.
    pub relative_drop: Option<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_parse_back() {
        for r in AlarmReason::ALL {
            assert_eq!(AlarmReason::parse(r.as_str()), Some(r));
        }
        for e in [AlarmEvent::Start, AlarmEvent::End] {
            assert_eq!(AlarmEvent::parse(e.as_str()), Some(e));
        }
        for s in [AlarmState::Ok, AlarmState::Alarm] {
            assert_eq!(AlarmState::parse(s.as_str()), Some(s));
        }
        assert_eq!(AlarmReason::parse("Drop"), None);
    }
}
