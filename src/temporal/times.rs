//! A frame's three times, in nanoseconds.

/// The latest time a stream can carry, ns: `u64::MAX` is GStreamer's "none", so times and
/// spans stop one below it.
pub const MAX_TIME: u64 = u64::MAX - 1;

/// The times of a frame, from its PTS through the segment; None where unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FrameTimes {
    /// The buffer's PTS.
    pub pts: Option<u64>,
    pub stream_time: Option<u64>,
    pub running_time: Option<u64>,
}

impl FrameTimes {
    /// The same moment on every timeline: `t` ns.
    pub fn at(t: u64) -> Self {
        FrameTimes {
            pts: Some(t),
            stream_time: Some(t),
            running_time: Some(t),
        }
    }

    /// The times `d` ns later, at most [`MAX_TIME`] (unknown times stay unknown).
    pub fn advanced(self, d: u64) -> Self {
        let later = |t: Option<u64>| t.map(|t| t.saturating_add(d).min(MAX_TIME));
        FrameTimes {
            pts: later(self.pts),
            stream_time: later(self.stream_time),
            running_time: later(self.running_time),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advancing_saturates_below_none_and_keeps_unknown_times() {
        let t = FrameTimes {
            pts: Some(10),
            stream_time: None,
            running_time: Some(MAX_TIME - 3),
        };
        assert_eq!(
            t.advanced(5),
            FrameTimes {
                pts: Some(15),
                stream_time: None,
                running_time: Some(MAX_TIME),
            }
        );
    }
}
