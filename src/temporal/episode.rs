//! Start/end state machine of one alarm reason, with a minimum duration on both edges.
//! Callers decide per sample whether it is degraded and whether it is recovered (the two
//! differ by the hysteresis), so every alarm reason shares this logic.

use super::times::FrameTimes;

/// A frame's position: its reported times and the monotonic clock used for durations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Point {
    pub times: FrameTimes,
    /// Nanoseconds on a clock that only moves forward within a segment.
    pub clock: u64,
}

/// An edge of an episode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    /// The episode starts at the first degraded frame of the run that lasted.
    Started { at: Point },
    /// The episode ends at `at`; `duration` is from its start to `at`.
    Ended { at: Point, duration: u64 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Clear,
    Active { start: Point },
}

/// One reason's episode tracker.
#[derive(Debug, Clone)]
pub struct EpisodeTracker {
    state: State,
    /// First frame of the current run that may flip the state.
    pending: Option<Point>,
}

impl Default for EpisodeTracker {
    fn default() -> Self {
        EpisodeTracker {
            state: State::Clear,
            pending: None,
        }
    }
}

impl EpisodeTracker {
    pub fn is_active(&self) -> bool {
        matches!(self.state, State::Active { .. })
    }

    /// Feeds one judged frame. `end_clock` is where the frame ends; `at` is where a run
    /// that begins with this frame is dated (the frame itself, or an earlier frame that the
    /// caller's smoothing hid). A run of degraded (while clear) or recovered (while active)
    /// frames flips the state once it has lasted `min_duration` from its date.
    pub fn update(
        &mut self,
        at: Point,
        end_clock: u64,
        degraded: bool,
        recovered: bool,
        min_duration: u64,
    ) -> Option<Transition> {
        let flips = match self.state {
            State::Clear => degraded,
            State::Active { .. } => recovered,
        };
        if !flips {
            self.pending = None;
            return None;
        }
        let first = *self.pending.get_or_insert(at);
        if end_clock.saturating_sub(first.clock) < min_duration {
            return None;
        }
        self.pending = None;
        match self.state {
            State::Clear => {
                self.state = State::Active { start: first };
                Some(Transition::Started { at: first })
            }
            State::Active { start } => {
                self.state = State::Clear;
                Some(Transition::Ended {
                    at: first,
                    duration: first.clock.saturating_sub(start.clock),
                })
            }
        }
    }

    /// Forgets the run in progress: the next degraded (or recovered) frame starts a new one.
    pub fn break_run(&mut self) {
        self.pending = None;
    }

    /// Ends an active episode at `at` (end of stream, flush, alarm switched off).
    pub fn close(&mut self, at: Point) -> Option<Transition> {
        self.pending = None;
        match std::mem::replace(&mut self.state, State::Clear) {
            State::Active { start } => Some(Transition::Ended {
                at,
                duration: at.clock.saturating_sub(start.clock),
            }),
            State::Clear => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pt(clock: u64) -> Point {
        Point {
            times: FrameTimes::default(),
            clock,
        }
    }

    /// Feeds values at 10 ns per frame; threshold 0.5, recovery at 0.6.
    fn run(values: &[f64], min_duration: u64) -> Vec<Transition> {
        let mut t = EpisodeTracker::default();
        values
            .iter()
            .enumerate()
            .filter_map(|(i, &v)| {
                let c = i as u64 * 10;
                t.update(pt(c), c + 10, v < 0.5, v >= 0.6, min_duration)
            })
            .collect()
    }

    #[test]
    fn starts_at_first_degraded_frame_after_min_duration() {
        let tr = run(&[0.9, 0.9, 0.4, 0.4, 0.4, 0.4, 0.9, 0.9, 0.9, 0.9], 30);
        assert_eq!(
            tr,
            vec![
                Transition::Started { at: pt(20) },
                Transition::Ended {
                    at: pt(60),
                    duration: 40
                }
            ]
        );
    }

    #[test]
    fn short_dips_and_hysteresis_band_do_not_flip() {
        // Two degraded frames (20 ns) are shorter than 30 ns.
        assert!(run(&[0.9, 0.4, 0.4, 0.9, 0.9], 30).is_empty());
        // 0.55 is neither degraded nor recovered: an active episode stays active.
        let tr = run(&[0.4, 0.4, 0.4, 0.55, 0.55, 0.55, 0.55], 30);
        assert_eq!(tr, vec![Transition::Started { at: pt(0) }]);
    }

    #[test]
    fn interrupted_run_restarts_the_count() {
        let tr = run(&[0.4, 0.4, 0.9, 0.4, 0.4, 0.4], 30);
        assert_eq!(tr, vec![Transition::Started { at: pt(30) }]);
    }

    #[test]
    fn close_ends_only_an_active_episode() {
        let mut t = EpisodeTracker::default();
        assert_eq!(t.close(pt(5)), None);
        t.update(pt(10), 20, true, false, 0);
        assert!(t.is_active());
        assert_eq!(
            t.close(pt(50)),
            Some(Transition::Ended {
                at: pt(50),
                duration: 40
            })
        );
        assert!(!t.is_active());
    }
}
