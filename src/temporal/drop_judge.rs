//! The `drop` reason: a frame's sharpness over its reference (the stream's baseline, or a
//! softer new scene's own level), smoothed, against `1 - drop`.
//!
//! The baseline learns every valid frame except while a drop episode is open or pending
//! (smoothed ratio below the limit): it follows changes smaller than `drop`, and a larger
//! fall never becomes the new normal by itself.

use super::alarm::AlarmReason;
use super::baseline::Baseline;
use super::count_median::CountMedian;
use super::episode::{Point, Transition};
use super::reason::ReasonState;
use super::scene_reference::{SceneLimits, SceneReference};
use super::settings::MonitorSettings;
use crate::baseline_file::{QUANTILES, SavedBaseline};

/// What the drop judge needs of one analysed frame, computed once by the monitor after the
/// other reasons have judged it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DropFrame {
    pub at: Point,
    /// Where the frame ends on the monitor's clock.
    pub end: u64,
    /// The frame's duration, ns: its weight in the baseline.
    pub duration: u64,
    /// The frame's sharpness; None when it is not valid.
    pub sharpness: Option<f64>,
    /// The smoothed sharpness of the current scene (the `threshold` reason's median).
    pub smoothed_sharpness: f64,
    /// The frame's effective width and height, learned with the baseline.
    pub effective: (Option<u32>, Option<u32>),
}

/// The baseline, the scene reference and the drop episodes of one stream.
#[derive(Debug, Default)]
pub struct DropJudge {
    /// Judges the smoothed ratio of sharpness to the reference.
    pub(super) ratio: ReasonState,
    baseline: Baseline,
    /// The established baseline level at the last frame.
    level: Option<f64>,
    /// The level the last frame was judged against.
    reference: Option<f64>,
    scene: SceneReference,
    /// Effective sizes of the frames the baseline learned in this stream.
    learned_width: CountMedian,
    learned_height: CountMedian,
    /// Effective size of a loaded baseline.
    loaded_size: Option<(u32, u32)>,
    /// Frames the baseline learned in this stream, and that count when it was last loaded
    /// or saved.
    learned_frames: u64,
    saved_at: u64,
}

impl DropJudge {
    /// Judges `frame` against its reference, then lets the baseline learn it unless a drop
    /// episode is open or pending. Returns the episode edge, if any, and the relative drop
    /// of the smoothed ratio when the frame was judged.
    pub fn judge(
        &mut self,
        frame: &DropFrame,
        settings: &MonitorSettings,
    ) -> (Option<Transition>, Option<f64>) {
        self.level = self
            .baseline
            .is_established(settings.baseline_duration)
            .then(|| self.baseline.level())
            .flatten()
            .filter(|&b| b > 0.0);
        let limit = settings.limit(AlarmReason::Drop);
        let active = self.ratio.alarm.is_active();
        let limits = SceneLimits::new(self.level, limit, settings, active, true);
        let smoothed = frame.sharpness.map(|_| frame.smoothed_sharpness);
        let (reference, changed) = self.scene.judge(frame.at.clock, smoothed, &limits);
        if changed {
            self.ratio.clear();
        }
        self.reference = reference;
        let ratio = frame.sharpness.zip(self.reference).map(|(s, b)| s / b);
        let tr = self
            .ratio
            .judge(ratio, limit, frame.at, frame.end, settings);
        let relative_drop = ratio.map(|_| self.relative_drop());
        let pending = ratio.is_some() && limit > 0.0 && self.ratio.smoothed < limit;
        if let Some(s) = frame.sharpness
            && !self.ratio.alarm.is_active()
            && !pending
        {
            self.baseline.learn(frame.at.clock, frame.duration, s);
            self.learned_frames += 1;
            self.learned_width.add(frame.effective.0);
            self.learned_height.add(frame.effective.1);
        }
        (tr, relative_drop)
    }

    /// `1 - ratio` of the latest smoothed ratio.
    pub fn relative_drop(&self) -> f64 {
        1.0 - self.ratio.smoothed
    }

    /// The level the last frame was judged against.
    pub fn reference(&self) -> Option<f64> {
        self.reference
    }

    /// The established baseline level at the last frame.
    pub fn level(&self) -> Option<f64> {
        self.level
    }

    pub fn is_active(&self) -> bool {
        self.ratio.alarm.is_active()
    }

    /// A scene cut at `clock`: the smoothing restarts and, unless an episode is open, a new
    /// scene may settle at its own level.
    pub fn cut(&mut self, clock: u64) {
        self.ratio.clear();
        self.scene.cut(clock, self.ratio.alarm.is_active());
    }

    /// Closes an open episode at `at` and forgets the smoothing and the scene (flush, EOS);
    /// the baseline stays.
    pub fn flush(&mut self, at: Point) -> Option<Transition> {
        let tr = self.ratio.flush(at);
        self.scene.clear();
        tr
    }

    /// Replaces the baseline with a saved one. It is established at once when it learned
    /// at least `baseline-duration`, and goes on learning from this stream.
    pub fn load_baseline(&mut self, saved: &SavedBaseline) {
        self.baseline = Baseline::from_quantiles(&saved.sharpness, saved.learned, saved.frames);
        self.loaded_size = saved.effective_size;
        self.saved_at = self.learned_frames;
    }

    /// Whether the baseline learned frames since it was loaded or last saved: a run that
    /// learned nothing has nothing to write.
    pub fn has_unsaved_learning(&self) -> bool {
        self.learned_frames != self.saved_at
    }

    /// Frames learned so far, to pass to [`DropJudge::mark_saved`] once the baseline as it
    /// is now was written.
    pub fn learned_frames(&self) -> u64 {
        self.learned_frames
    }

    /// Notes that the baseline as it was after `learned_frames` frames was written.
    pub fn mark_saved(&mut self, learned_frames: u64) {
        self.saved_at = learned_frames;
    }

    /// The baseline to save, once established; `caps` describes the stream.
    pub fn saved_baseline(
        &self,
        settings: &MonitorSettings,
        caps: Option<String>,
    ) -> Option<SavedBaseline> {
        if !self.baseline.is_established(settings.baseline_duration) {
            return None;
        }
        let sharpness = QUANTILES
            .iter()
            .map(|&q| Some((q, self.baseline.quantile(q)?)))
            .collect::<Option<Vec<_>>>()?;
        Some(SavedBaseline {
            sharpness,
            learned: self.baseline.learned(),
            frames: self.baseline.frames(),
            effective_size: self
                .learned_width
                .get()
                .zip(self.learned_height.get())
                .or(self.loaded_size),
            caps,
        })
    }
}
