//! The `detail` reason: a frame's `detail` over its reference (the stream's detail baseline,
//! or a new scene's own level), smoothed, against `1 - detail-drop`.
//!
//! The rules of `drop` ([`super::drop_judge`], [`super::scene_reference`]) on `detail` instead
//! of sharpness, with one difference: the baseline forgets with a half-life of [`HALF_LIFE`]
//! (1.5 s), as the detail a pan shows drifts with its content (40% over 3 s on real photos).
//! The baseline learns every frame with a figure except while a detail episode is open or
//! pending; it is not saved with `baseline-location`.

use super::alarm::AlarmReason;
use super::baseline::Baseline;
use super::episode::{Point, Transition};
use super::median::RollingMedian;
use super::reason::ReasonState;
use super::scene_reference::{SceneLimits, SceneReference};
use super::settings::MonitorSettings;

/// `detail` is learned by the baseline divided by this, so that its range (about 0..1.5)
/// fits the baseline's 0..1.
const SCALE: f64 = 2.0;
/// ns after which a learned frame weighs half as much in the detail baseline. On the
/// calibration set's clips, 1.5 s leaves every pan, zoom, fade and cut silent at a
/// `detail-drop` of 0.22, where 3 s let 9 of 269 alarm at 0.2; 10 minutes (as `drop`'s)
/// alarmed on 3 pans and 2 fades at 0.25.
pub const HALF_LIFE: u64 = 1_500_000_000;

/// What the detail judge needs of one analysed frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DetailFrame {
    pub at: Point,
    /// Where the frame ends on the monitor's clock.
    pub end: u64,
    /// The frame's duration, ns: its weight in the baseline.
    pub duration: u64,
    /// The frame's `detail`, when it has one.
    pub detail: Option<f64>,
}

/// The detail baseline, the scene reference and the detail episodes of one stream.
#[derive(Debug)]
pub struct DetailJudge {
    /// Judges the smoothed ratio of detail to the reference.
    pub(super) ratio: ReasonState,
    /// The scene's smoothed detail.
    smoothed: RollingMedian,
    baseline: Baseline,
    /// The level the last frame was judged against.
    reference: Option<f64>,
    scene: SceneReference,
}

impl Default for DetailJudge {
    fn default() -> Self {
        DetailJudge {
            ratio: ReasonState::default(),
            smoothed: RollingMedian::default(),
            baseline: Baseline::with_half_life(HALF_LIFE),
            reference: None,
            scene: SceneReference::default(),
        }
    }
}

impl DetailJudge {
    /// Judges `frame` against its reference, then lets the baseline learn it unless a detail
    /// episode is open or pending.
    pub fn judge(&mut self, frame: &DetailFrame, settings: &MonitorSettings) -> Option<Transition> {
        let level = self
            .baseline
            .is_established(settings.baseline_duration)
            .then(|| self.baseline.level())
            .flatten()
            .filter(|&b| b > 0.0)
            .map(|b| b * SCALE);
        let limit = settings.limit(AlarmReason::Detail);
        let active = self.ratio.alarm.is_active();
        let limits = SceneLimits::new(level, limit, settings, active, false);
        let smoothed = frame
            .detail
            .map(|d| self.smoothed.push(frame.at.clock, d, settings.window));
        let (reference, changed) = self.scene.judge(frame.at.clock, smoothed, &limits);
        if changed {
            self.ratio.clear();
        }
        self.reference = reference;
        let ratio = frame.detail.zip(self.reference).map(|(d, r)| d / r);
        let tr = self
            .ratio
            .judge(ratio, limit, frame.at, frame.end, settings);
        let pending = ratio.is_some() && limit > 0.0 && self.ratio.smoothed < limit;
        if let Some(d) = frame.detail
            && !self.ratio.alarm.is_active()
            && !pending
        {
            self.baseline
                .learn(frame.at.clock, frame.duration, d / SCALE);
        }
        tr
    }

    /// The level the last frame was judged against.
    pub fn reference(&self) -> Option<f64> {
        self.reference
    }

    /// `1 - ratio` of the latest smoothed ratio.
    pub fn relative_drop(&self) -> f64 {
        1.0 - self.ratio.smoothed
    }

    pub fn is_active(&self) -> bool {
        self.ratio.alarm.is_active()
    }

    /// A scene cut at `clock`: the smoothing restarts and, unless an episode is open, a new
    /// scene may settle at its own level.
    pub fn cut(&mut self, clock: u64) {
        self.ratio.clear();
        self.smoothed.clear();
        self.scene.cut(clock, self.ratio.alarm.is_active());
    }

    /// Closes an open episode at `at` and forgets the smoothing and the scene (flush, EOS);
    /// the baseline stays.
    pub fn flush(&mut self, at: Point) -> Option<Transition> {
        let tr = self.ratio.flush(at);
        self.smoothed.clear();
        self.scene.clear();
        tr
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::temporal::episode::Point;
    use crate::temporal::times::FrameTimes;

    const FRAME: u64 = 40_000_000;

    fn settings() -> MonitorSettings {
        MonitorSettings {
            threshold: 0.0,
            resolution_threshold: 0.0,
            hysteresis: 0.03,
            min_duration: 400_000_000,
            window: 200_000_000,
            interval: 1_000_000_000,
            drop: 0.0,
            detail_drop: 0.25,
            baseline_duration: 1_000_000_000,
        }
    }

    /// Feeds frames `from..to` with `detail`; returns the edges.
    fn feed(
        judge: &mut DetailJudge,
        range: std::ops::Range<u64>,
        detail: Option<f64>,
    ) -> Vec<(u64, Transition)> {
        let s = settings();
        range
            .filter_map(|i| {
                let clock = i * FRAME;
                let at = Point {
                    times: FrameTimes::at(clock),
                    clock,
                };
                let frame = DetailFrame {
                    at,
                    end: clock + FRAME,
                    duration: FRAME,
                    detail,
                };
                judge.judge(&frame, &s).map(|t| (i, t))
            })
            .collect()
    }

    #[test]
    fn a_fall_beyond_the_limit_alarms_after_the_baseline_and_recovers() {
        let mut j = DetailJudge::default();
        // 1 s establishes the baseline; nothing alarms before.
        assert!(feed(&mut j, 0..25, Some(0.4)).is_empty());
        assert!(feed(&mut j, 25..50, Some(0.32)).is_empty(), "a 20% fall");
        let edges = feed(&mut j, 50..100, Some(0.2));
        assert!(
            matches!(edges[..], [(_, Transition::Started { .. })]),
            "{edges:?}"
        );
        assert!((j.relative_drop() - 0.5).abs() < 0.3);
        // The baseline did not learn the painted frames: recovery ends the episode.
        let edges = feed(&mut j, 100..150, Some(0.4));
        assert!(
            matches!(edges[..], [(_, Transition::Ended { .. })]),
            "{edges:?}"
        );
    }

    #[test]
    fn a_cut_to_content_with_less_detail_is_new_content() {
        let mut j = DetailJudge::default();
        feed(&mut j, 0..50, Some(0.4));
        j.cut(50 * FRAME);
        // Less detail at the same effective share: the scene's own level.
        assert!(feed(&mut j, 50..150, Some(0.2)).is_empty());
        assert_eq!(j.reference(), Some(0.2));
    }

    #[test]
    fn the_reference_follows_a_drift_of_content_and_holds_through_a_fall() {
        let mut j = DetailJudge::default();
        // 20 s at 0.4, 30% less over 6 s as a pan reaches other content, 4 s there: no alarm
        // (a baseline that remembered the first 20 s would see a 30% fall).
        let mut edges = feed(&mut j, 0..500, Some(0.4));
        for i in 0..150 {
            edges.extend(feed(
                &mut j,
                500 + i..501 + i,
                Some(0.4 - 0.12 * i as f64 / 150.0),
            ));
        }
        edges.extend(feed(&mut j, 650..750, Some(0.28)));
        assert!(edges.is_empty(), "{edges:?}");
        // A sudden fall of half: one episode, and the reference held above the new level.
        let edges = feed(&mut j, 750..800, Some(0.14));
        assert!(
            matches!(edges[..], [(_, Transition::Started { .. })]),
            "{edges:?}"
        );
        assert!(j.reference().unwrap() > 0.25, "{:?}", j.reference());
    }

    #[test]
    fn frames_without_a_figure_judge_nothing() {
        let mut j = DetailJudge::default();
        feed(&mut j, 0..50, Some(0.4));
        assert!(feed(&mut j, 50..150, None).is_empty());
        assert!(!j.is_active());
    }

    #[test]
    fn off_closes_an_open_episode() {
        let mut j = DetailJudge::default();
        feed(&mut j, 0..50, Some(0.4));
        feed(&mut j, 50..100, Some(0.1));
        assert!(j.is_active());
        let mut s = settings();
        s.detail_drop = 0.0;
        let at = Point {
            times: FrameTimes::at(100 * FRAME),
            clock: 100 * FRAME,
        };
        let frame = DetailFrame {
            at,
            end: at.clock + FRAME,
            duration: FRAME,
            detail: Some(0.1),
        };
        assert!(matches!(
            j.judge(&frame, &s),
            Some(Transition::Ended { .. })
        ));
    }
}
