//! When a frame is too late to analyse (the element's `qos`): downstream's QoS said so, or
//! on a live stream it arrived later than upstream's latency after its running time.

/// What tells whether a frame is late, ns.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Lateness {
    /// From QoS: frames at or before this running time are late.
    pub earliest: Option<u64>,
    /// On a live stream: the pipeline's running time now.
    pub now: Option<u64>,
    /// Upstream's minimum latency.
    pub latency: u64,
}

impl Lateness {
    /// The running time at or before which frames are late, from a QoS event's `timestamp`
    /// and `jitter` (how late, or with a negative value how early, that buffer was).
    pub fn qos_earliest(timestamp: u64, jitter: i64) -> u64 {
        let d = jitter.unsigned_abs();
        if jitter >= 0 {
            timestamp.saturating_add(d)
        } else {
            timestamp.saturating_sub(d)
        }
    }

    /// Whether a frame at `running_time` lasting `duration` is late: downstream said so,
    /// or on a live stream it arrived later than upstream's latency (at least one frame)
    /// after its running time. A frame without running time never is.
    pub fn is_late(&self, running_time: Option<u64>, duration: Option<u64>) -> bool {
        let Some(rt) = running_time else {
            return false;
        };
        if self.earliest.is_some_and(|e| rt <= e) {
            return true;
        }
        let budget = self.latency.max(duration.unwrap_or(0));
        self.now.is_some_and(|now| now > rt.saturating_add(budget))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn late_by_qos_or_past_the_latency_budget() {
        let qos = Lateness {
            earliest: Some(100),
            ..Default::default()
        };
        assert!(qos.is_late(Some(100), None));
        assert!(!qos.is_late(Some(101), None));
        assert!(!qos.is_late(None, None));
        let live = Lateness {
            earliest: None,
            now: Some(1_000),
            latency: 200,
        };
        // The budget is the latency or one frame, whichever is longer.
        assert!(!live.is_late(Some(800), Some(100)));
        assert!(live.is_late(Some(799), Some(100)));
        assert!(!live.is_late(Some(700), Some(300)));
        assert!(!live.is_late(Some(u64::MAX - 5), Some(u64::MAX)));
    }

    #[test]
    fn the_earliest_time_follows_the_jitter_and_saturates() {
        assert_eq!(Lateness::qos_earliest(1_000, 40), 1_040);
        assert_eq!(Lateness::qos_earliest(1_000, -40), 960);
        assert_eq!(Lateness::qos_earliest(10, -40), 0);
        assert_eq!(Lateness::qos_earliest(u64::MAX - 1, 40), u64::MAX);
    }
}
