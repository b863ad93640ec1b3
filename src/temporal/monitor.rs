//! Per-stream temporal state: smooths valid frames' figures, judges each alarm reason,
//! tracks its episodes, and produces reports and the summary.
//!
//! | reason | judged value (median over `window`) | alarm while below | ends at or above |
//! |---|---|---|---|
//! | `threshold` | sharpness | `threshold` | `threshold + hysteresis` |
//! | `resolution` | effective share of the analysed size (worse axis) | `resolution-threshold` | `resolution-threshold + hysteresis` |
//! | `drop` | sharpness / reference ([`DropJudge`]) | `1 - drop` | `1 - drop + hysteresis` |
//! | `detail` | detail / reference ([`DetailJudge`]) | `1 - detail-drop` | `1 - detail-drop + hysteresis` |
//!
//! For [`CUT_SETTLE`] after a scene cut, `resolution` starts and ends no episode.
//!
//! Each value is computed once per frame in [`Monitor::push`], in this order: the drop
//! judge reads the other two reasons' smoothed values.

use crate::analysis::{FrameFigures, Thumbnail, effective_share};
use crate::baseline_file::SavedBaseline;

use super::alarm::{AlarmEdge, AlarmEvent, AlarmReason, AlarmState};
use super::detail_judge::{DetailFrame, DetailJudge};
use super::drop_judge::{DropFrame, DropJudge};
use super::episode::{Point, Transition};
use super::reason::ReasonState;
use super::report::{IntervalReport, ReportAccumulator};
use super::scene_cut::SceneCuts;
use super::settings::MonitorSettings;
use super::summary::{StreamSummary, SummaryAccumulator};
use super::times::{FrameTimes, MAX_TIME};

/// What the monitor hands back, in the order it happened; the element posts each as a bus
/// message.
#[derive(Debug, Clone, PartialEq)]
pub enum MonitorEvent {
    Report(IntervalReport),
    Alarm(AlarmEdge),
    Summary(StreamSummary),
}

/// ns after a scene cut during which the `resolution` reason starts or ends no episode: an
/// encoder's first frames of a new scene carry less detail than the ones after them.
pub const CUT_SETTLE: u64 = 1_000_000_000;

/// One analysed frame as the monitor takes it.
#[derive(Debug, Clone, Copy)]
pub struct MonitorFrame<'a> {
    /// From the frame's PTS; a frame without running time is placed where the previous
    /// frame ended.
    pub times: FrameTimes,
    /// ns; None when unknown.
    pub duration: Option<u64>,
    pub figures: &'a FrameFigures,
    /// For scene-cut detection.
    pub thumbnail: Option<&'a Thumbnail>,
    /// The analysed size (width, height) that effective shares are of.
    pub size: (u32, u32),
}

/// Temporal state of one stream.
#[derive(Debug, Default)]
pub struct Monitor {
    /// Judges smoothed sharpness.
    sharpness: ReasonState,
    /// Judges the smoothed effective share.
    resolution: ReasonState,
    drop: DropJudge,
    detail: DetailJudge,
    cuts: SceneCuts,
    report: ReportAccumulator,
    summary: SummaryAccumulator,
    /// Where the last frame ended: the clock of a frame without running time, and the
    /// point an episode closes at when the stream stops.
    next: Point,
}

impl Monitor {
    pub fn new() -> Self {
        Self::default()
    }

    fn state(&self) -> AlarmState {
        if self.sharpness.alarm.is_active()
            || self.resolution.alarm.is_active()
            || self.drop.is_active()
            || self.detail.is_active()
        {
            AlarmState::Alarm
        } else {
            AlarmState::Ok
        }
    }

    fn emit(
        &mut self,
        tr: Option<Transition>,
        reason: AlarmReason,
        settings: &MonitorSettings,
        out: &mut Vec<MonitorEvent>,
    ) {
        let Some(tr) = tr else { return };
        let (event, at, duration) = match tr {
            Transition::Started { at } => {
                self.summary.add_alarm_start(reason, at.times);
                (AlarmEvent::Start, at, None)
            }
            Transition::Ended { at, duration } => {
                self.summary.add_alarm_end(reason, duration);
                (AlarmEvent::End, at, Some(duration))
            }
        };
        let (threshold, effective_share, baseline, relative_drop) = match reason {
            AlarmReason::Threshold => (settings.threshold, None, None, None),
            AlarmReason::Resolution => (
                settings.resolution_threshold,
                Some(self.resolution.smoothed),
                None,
                None,
            ),
            AlarmReason::Drop => (
                settings.drop,
                None,
                self.drop.reference(),
                Some(self.drop.relative_drop()),
            ),
            AlarmReason::Detail => (
                settings.detail_drop,
                None,
                self.detail.reference(),
                Some(self.detail.relative_drop()),
            ),
        };
        out.push(MonitorEvent::Alarm(AlarmEdge {
            event,
            reason,
            times: at.times,
            duration,
            sharpness: self.sharpness.smoothed,
            threshold,
            effective_share,
            baseline,
            relative_drop,
        }));
    }

    /// Feeds one analysed frame. Returns whether it starts a new scene; a cut restarts the
    /// smoothing windows without starting or ending an episode.
    pub fn push(
        &mut self,
        settings: &MonitorSettings,
        frame: &MonitorFrame,
        out: &mut Vec<MonitorEvent>,
    ) -> bool {
        let figures = frame.figures;
        let cut = frame.thumbnail.is_some_and(|t| self.cuts.push(t));
        let (at, end) = self.place(frame.times, frame.duration);
        if cut {
            self.sharpness.clear();
            self.resolution.clear();
            self.resolution.hold(at.clock.saturating_add(CUT_SETTLE));
            self.drop.cut(at.clock);
            self.detail.cut(at.clock);
        }
        self.summary.add_frame(figures);
        self.report.add(at, end, figures);
        let sharpness = figures.valid.then_some(figures.sharpness);
        let limit = settings.limit(AlarmReason::Threshold);
        let tr = self.sharpness.judge(sharpness, limit, at, end, settings);
        self.emit(tr, AlarmReason::Threshold, settings, out);
        let share = effective_share(figures, frame.size);
        let limit = settings.limit(AlarmReason::Resolution);
        let tr = self.resolution.judge(share, limit, at, end, settings);
        self.emit(tr, AlarmReason::Resolution, settings, out);
        let drop_frame = DropFrame {
            at,
            end,
            duration: frame.duration.unwrap_or(0),
            sharpness,
            smoothed_sharpness: self.sharpness.smoothed,
            effective: (figures.effective_width, figures.effective_height),
        };
        let (tr, relative_drop) = self.drop.judge(&drop_frame, settings);
        self.emit(tr, AlarmReason::Drop, settings, out);
        if let Some(d) = relative_drop {
            self.summary.add_drop(d);
        }
        let detail_frame = DetailFrame {
            at,
            end,
            duration: frame.duration.unwrap_or(0),
            detail: figures.detail,
        };
        let tr = self.detail.judge(&detail_frame, settings);
        self.emit(tr, AlarmReason::Detail, settings, out);
        if self.report.is_due(settings.interval) {
            self.take_report(out);
        }
        cut
    }

    /// Where a frame with `times` and `duration` starts and ends on the monitor's clock; the
    /// next frame without running time is placed at its end.
    fn place(&mut self, times: FrameTimes, duration: Option<u64>) -> (Point, u64) {
        let clock = times.running_time.unwrap_or(self.next.clock);
        let duration = duration.unwrap_or(0);
        // Clocks stay at or below MAX_TIME, so every span between them is a time.
        let end = clock.saturating_add(duration).min(MAX_TIME);
        self.next = Point {
            times: times.advanced(duration),
            clock: end,
        };
        (Point { times, clock }, end)
    }

    /// Counts a frame that passed without analysis because it was late; posts the report
    /// when its interval is due.
    pub fn skip(
        &mut self,
        settings: &MonitorSettings,
        times: FrameTimes,
        duration: Option<u64>,
        out: &mut Vec<MonitorEvent>,
    ) {
        let (at, end) = self.place(times, duration);
        self.report.add_skipped(at, end);
        self.summary.add_skipped();
        if self.report.is_due(settings.interval) {
            self.take_report(out);
        }
    }

    /// Posts the report of the frames added since the last one, if any, with the baseline.
    fn take_report(&mut self, out: &mut Vec<MonitorEvent>) {
        let state = self.state();
        if let Some(mut report) = self.report.take(state) {
            report.baseline = self.drop.level();
            out.push(MonitorEvent::Report(report));
        }
    }

    /// Ends the current run (flush or end of stream): posts the pending report, closes an
    /// open episode where the last frame ended, and forgets the smoothing window.
    pub fn flush(&mut self, settings: &MonitorSettings, out: &mut Vec<MonitorEvent>) {
        self.take_report(out);
        let tr = self.sharpness.flush(self.next);
        self.emit(tr, AlarmReason::Threshold, settings, out);
        let tr = self.resolution.flush(self.next);
        self.emit(tr, AlarmReason::Resolution, settings, out);
        let tr = self.drop.flush(self.next);
        self.emit(tr, AlarmReason::Drop, settings, out);
        let tr = self.detail.flush(self.next);
        self.emit(tr, AlarmReason::Detail, settings, out);
        self.cuts.clear();
    }

    /// Replaces the baseline with a saved one ([`DropJudge::load_baseline`]).
    pub fn load_baseline(&mut self, saved: &SavedBaseline) {
        self.drop.load_baseline(saved);
    }

    /// The drop judge: the baseline, its saving and the scene reference.
    pub fn drop_judge(&self) -> &DropJudge {
        &self.drop
    }

    /// Notes that the baseline as it was after `learned_frames` frames was written.
    pub fn mark_saved(&mut self, learned_frames: u64) {
        self.drop.mark_saved(learned_frames);
    }

    /// End of stream: [`Monitor::flush`] followed by the summary.
    pub fn finish(&mut self, settings: &MonitorSettings, out: &mut Vec<MonitorEvent>) {
        self.flush(settings, out);
        out.push(MonitorEvent::Summary(
            self.summary.summary(self.drop.level()),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::temporal::median::MAX_SAMPLES;

    const FRAME: u64 = 40_000_000; // 25 fps
    const SIZE: (u32, u32) = (640, 360);

    fn settings() -> MonitorSettings {
        MonitorSettings {
            threshold: 0.3,
            resolution_threshold: 0.0,
            hysteresis: 0.05,
            min_duration: 400_000_000,
            window: 200_000_000,
            interval: 1_000_000_000,
            drop: 0.0,
            detail_drop: 0.0,
            baseline_duration: 1_000_000_000,
        }
    }

    fn frame(i: u64, sharpness: f64, valid: bool) -> (FrameTimes, FrameFigures) {
        (
            FrameTimes::at(i * FRAME),
            FrameFigures {
                sharpness,
                valid,
                noise: 0.0,
                texture: 1.0,
                laplacian_variance: Some(1.0),
                tenengrad: Some(1.0),
                ..Default::default()
            },
        )
    }

    /// Pushes one frame of [`SIZE`] into `m`; whether it starts a new scene.
    fn push(
        m: &mut Monitor,
        s: &MonitorSettings,
        times: FrameTimes,
        duration: Option<u64>,
        figures: &FrameFigures,
        thumbnail: Option<&Thumbnail>,
        out: &mut Vec<MonitorEvent>,
    ) -> bool {
        let frame = MonitorFrame {
            times,
            duration,
            figures,
            thumbnail,
            size: SIZE,
        };
        m.push(s, &frame, out)
    }

    /// Pushes one 25 fps frame per value (sharpness, valid) into `m`.
    fn feed(m: &mut Monitor, values: &[(f64, bool)], s: &MonitorSettings) -> Vec<MonitorEvent> {
        let mut out = vec![];
        for (i, &(v, valid)) in values.iter().enumerate() {
            let (t, f) = frame(i as u64, v, valid);
            push(m, s, t, Some(FRAME), &f, None, &mut out);
        }
        out
    }

    fn run(values: &[(f64, bool)], s: &MonitorSettings) -> Vec<MonitorEvent> {
        let mut m = Monitor::new();
        let mut out = feed(&mut m, values, s);
        m.finish(s, &mut out);
        out
    }

    fn alarms(out: &[MonitorEvent]) -> Vec<&AlarmEdge> {
        out.iter()
            .filter_map(|m| match m {
                MonitorEvent::Alarm(a) => Some(a),
                _ => None,
            })
            .collect()
    }

    fn reports(out: &[MonitorEvent]) -> Vec<&IntervalReport> {
        out.iter()
            .filter_map(|m| match m {
                MonitorEvent::Report(r) => Some(r),
                _ => None,
            })
            .collect()
    }

    fn summary(out: &[MonitorEvent]) -> &StreamSummary {
        match out.last() {
            Some(MonitorEvent::Summary(s)) => s,
            other => panic!("last message is not the summary: {other:?}"),
        }
    }

    #[test]
    fn memory_stays_bounded_over_flapping_alarms_and_a_clock_that_stands_still() {
        let s = MonitorSettings {
            window: 0,
            min_duration: 0,
            interval: u64::MAX,
            ..settings()
        };
        let mut m = Monitor::new();
        let values: Vec<(f64, bool)> = (0..300_000)
            .map(|i| (if i % 2 == 0 { 0.5 } else { 0.1 }, true))
            .collect();
        let mut out = feed(&mut m, &values, &s);
        out.retain(|m| matches!(m, MonitorEvent::Summary(_)));
        m.finish(&s, &mut out);
        let sum = summary(&out);
        assert_eq!(sum.alarms, 150_000);
        assert_eq!(sum.episodes.len(), super::super::summary::MAX_EPISODES);
        assert_eq!(sum.episodes_omitted, 150_000 - 100);
        // No timestamps, no durations, a window of 2^64-1 ns: windows are bounded by count.
        let s = MonitorSettings {
            window: u64::MAX,
            ..settings()
        };
        let mut m = Monitor::new();
        let mut out = vec![];
        let (_, f) = frame(0, 0.5, true);
        for _ in 0..3 * MAX_SAMPLES {
            push(&mut m, &s, FrameTimes::default(), None, &f, None, &mut out);
        }
        for r in [&m.sharpness, &m.resolution, &m.drop.ratio] {
            assert!(r.median.len() <= MAX_SAMPLES && r.recent.len() <= MAX_SAMPLES);
        }
    }

    #[test]
    fn soft_stretch_gives_one_episode_near_the_change() {
        // 2 s sharp, 2 s soft, 2 s sharp at 25 fps.
        let mut v = vec![(0.5, true); 50];
        v.extend(vec![(0.1, true); 50]);
        v.extend(vec![(0.5, true); 50]);
        let out = run(&v, &settings());
        let a = alarms(&out);
        assert_eq!(a.len(), 2, "{a:?}");
        assert_eq!(a[0].event, AlarmEvent::Start);
        let start = a[0].times.pts.unwrap();
        // The median of a 200 ms window crosses within that window of the change at 2 s.
        assert!((2_000_000_000..2_200_000_000).contains(&start), "{start}");
        assert!(a[0].sharpness < 0.3);
        assert_eq!(a[1].event, AlarmEvent::End);
        let end = a[1].times.pts.unwrap();
        assert!((4_000_000_000..4_200_000_000).contains(&end), "{end}");
        assert_eq!(a[1].duration.unwrap(), end - start);
        let s = summary(&out);
        assert_eq!((s.frames, s.valid_frames, s.alarms), (150, 150, 1));
        assert_eq!(s.alarm_duration, end - start);
        assert_eq!(s.sharpness_min, Some(0.1));
    }

    #[test]
    fn edges_are_dated_at_the_first_frame_that_crossed() {
        // A 1 s median crosses half a second after each change; the edges are not.
        let s = MonitorSettings {
            window: 1_000_000_000,
            ..settings()
        };
        let mut v = vec![(0.5, true); 50];
        v.extend(vec![(0.1, true); 50]);
        v.extend(vec![(0.5, true); 50]);
        let out = run(&v, &s);
        let a = alarms(&out);
        assert_eq!(a.len(), 2, "{a:?}");
        assert_eq!(a[0].times.pts.unwrap(), 50 * FRAME);
        assert_eq!(a[1].times.pts.unwrap(), 100 * FRAME);
    }

    #[test]
    fn a_long_invalid_stretch_breaks_a_run() {
        // Soft for 0.24 s, 0.6 s of invalid frames (a fade through black), soft again for
        // 0.24 s: no run lasted the 0.4 s min-duration on its own.
        let mut v = vec![(0.5, true); 25];
        v.extend(vec![(0.1, true); 6]);
        v.extend(vec![(0.0, false); 15]);
        v.extend(vec![(0.1, true); 6]);
        v.extend(vec![(0.5, true); 25]);
        let out = run(&v, &settings());
        assert!(alarms(&out).is_empty(), "{:?}", alarms(&out));
        // A short gap does not break it.
        let mut v = vec![(0.5, true); 25];
        v.extend(vec![(0.1, true); 6]);
        v.extend(vec![(0.0, false); 2]);
        v.extend(vec![(0.1, true); 6]);
        v.extend(vec![(0.5, true); 25]);
        let a = alarms(&run(&v, &settings())).len();
        assert_eq!(a, 2);
    }

    #[test]
    fn recovery_above_the_highest_value_is_clamped_to_it() {
        let s = MonitorSettings {
            threshold: 0.99,
            hysteresis: 0.05,
            ..settings()
        };
        assert_eq!(s.clamped_recoveries(), vec![("threshold", 0.99)]);
        // 1 s at 0.5, then 2 s at the highest value: the episode ends.
        let mut v = vec![(0.5, true); 25];
        v.extend(vec![(1.0, true); 50]);
        let out = run(&v, &s);
        let a = alarms(&out);
        let events: Vec<_> = a.iter().map(|a| a.event).collect();
        assert_eq!(events, vec![AlarmEvent::Start, AlarmEvent::End]);
        let end = a[1].times.pts.unwrap();
        assert!(
            end < 75 * FRAME,
            "ended by the data, not at the stream's end: {end}"
        );
        assert!(settings().clamped_recoveries().is_empty());
    }

    #[test]
    fn constant_sharp_stream_and_invalid_frames_raise_nothing() {
        let mut v = vec![(0.5, true); 50];
        v.extend(vec![(0.0, false); 50]);
        let out = run(&v, &settings());
        assert!(alarms(&out).is_empty());
        let s = summary(&out);
        assert_eq!((s.frames, s.valid_frames), (100, 50));
        assert_eq!(s.sharpness_mean, Some(0.5));
    }

    #[test]
    fn open_episode_is_closed_before_the_summary() {
        let mut v = vec![(0.5, true); 25];
        v.extend(vec![(0.1, true); 50]);
        let out = run(&v, &settings());
        let a = alarms(&out);
        assert_eq!(a.len(), 2);
        assert_eq!(a[1].event, AlarmEvent::End);
        // Closed where the last frame ended: 75 frames.
        assert_eq!(a[1].times.pts.unwrap(), 75 * FRAME);
        assert!(matches!(out[out.len() - 2], MonitorEvent::Alarm(_)));
    }

    #[test]
    fn reports_cover_each_interval_and_the_remainder() {
        let v = vec![(0.5, true); 60];
        let out = run(&v, &settings());
        let reports = reports(&out);
        assert_eq!(reports.len(), 3);
        assert_eq!(reports[0].frames, 25);
        assert_eq!(reports[0].duration, 25 * FRAME);
        assert_eq!(reports[1].times.pts.unwrap(), 25 * FRAME);
        assert_eq!(reports[2].frames, 10);
        let every = run(
            &v[..3],
            &MonitorSettings {
                interval: 0,
                ..settings()
            },
        );
        assert_eq!(every.len(), 4);
    }

    #[test]
    fn disabled_threshold_never_alarms_and_closes_open_episode() {
        let s = MonitorSettings {
            threshold: 0.0,
            ..settings()
        };
        assert!(alarms(&run(&[(0.01, true); 100], &s)).is_empty());

        let mut m = Monitor::new();
        let mut out = vec![];
        for i in 0..30 {
            let (t, f) = frame(i, 0.1, true);
            push(&mut m, &settings(), t, None, &f, None, &mut out);
        }
        let (t, f) = frame(30, 0.1, true);
        push(&mut m, &s, t, None, &f, None, &mut out);
        let a = alarms(&out);
        assert_eq!(a.len(), 2);
        assert_eq!(a[1].event, AlarmEvent::End);
    }

    #[test]
    fn frames_without_timestamps_are_placed_after_the_previous_one() {
        let s = MonitorSettings {
            min_duration: 0,
            window: 0,
            ..settings()
        };
        let mut m = Monitor::new();
        let mut out = vec![];
        let f = frame(0, 0.1, true).1;
        for _ in 0..30 {
            push(
                &mut m,
                &s,
                FrameTimes::default(),
                Some(FRAME),
                &f,
                None,
                &mut out,
            );
        }
        m.finish(&s, &mut out);
        let a = alarms(&out);
        assert_eq!(a.len(), 2);
        assert_eq!(a[0].times.pts, None);
        assert_eq!(a[1].duration.unwrap(), 30 * FRAME);
    }

    #[test]
    fn effective_size_below_its_limit_raises_a_resolution_episode() {
        let s = MonitorSettings {
            threshold: 0.0,
            resolution_threshold: 0.7,
            ..settings()
        };
        let mut m = Monitor::new();
        let mut out = vec![];
        // 2 s at full size, 2 s carrying half the width, 2 s full; heights always full.
        for i in 0..150u64 {
            let (t, mut f) = frame(i, 0.5, true);
            let soft = (50..100).contains(&i);
            f.effective_width = Some(if soft { 320 } else { 640 });
            f.effective_height = Some(360);
            push(&mut m, &s, t, Some(FRAME), &f, None, &mut out);
        }
        m.finish(&s, &mut out);
        let a = alarms(&out);
        assert_eq!(a.len(), 2, "{a:?}");
        assert!(a.iter().all(|a| a.reason == AlarmReason::Resolution));
        let start = a[0].times.pts.unwrap();
        assert!((2_000_000_000..2_200_000_000).contains(&start), "{start}");
        assert_eq!(a[0].effective_share, Some(0.5));
        assert_eq!(a[0].threshold, 0.7);
        let end = a[1].times.pts.unwrap();
        assert!((4_000_000_000..4_200_000_000).contains(&end), "{end}");
        let reports = reports(&out);
        assert_eq!(reports[0].effective_width, Some(640));
        assert_eq!(reports[2].effective_width, Some(320));
        assert_eq!(reports[2].state, AlarmState::Alarm);
        let sum = summary(&out);
        assert_eq!(
            (sum.alarms, sum.effective_width, sum.effective_height),
            (1, Some(640), Some(360))
        );
    }

    #[test]
    fn frames_without_an_estimate_leave_the_resolution_alarm_alone() {
        let s = MonitorSettings {
            threshold: 0.0,
            resolution_threshold: 0.7,
            ..settings()
        };
        // Invalid frames and frames without estimates never start an episode.
        let out = run(&[(0.0, false); 100], &s);
        assert!(alarms(&out).is_empty());
        assert_eq!(summary(&out).effective_width, None);
    }

    /// The resolution reason alone, at 0.6.
    fn resolution_settings() -> MonitorSettings {
        MonitorSettings {
            threshold: 0.0,
            resolution_threshold: 0.6,
            ..settings()
        }
    }

    /// 2 s of a scene at full size, a cut to a second scene whose effective width is
    /// `share(i)` of the nominal one; the resolution alarms (threshold and drop off).
    fn resolution_after_cut(share: impl Fn(u64) -> f64) -> Vec<AlarmEdge> {
        let (scene_a, scene_b) = two_scenes();
        let s = resolution_settings();
        let (mut m, mut out) = (Monitor::new(), vec![]);
        for i in 0..150u64 {
            let (t, mut f) = frame(i, 0.5, true);
            let second = i >= 50;
            f.effective_width = Some((SIZE.0 as f64 * if second { share(i) } else { 1.0 }) as u32);
            f.effective_height = Some(SIZE.1);
            let thumb = if second { &scene_b } else { &scene_a };
            let d = Some(FRAME);
            push(&mut m, &s, t, d, &f, Some(thumb), &mut out);
        }
        m.finish(&s, &mut out);
        alarms(&out).into_iter().cloned().collect()
    }

    #[test]
    fn a_new_scene_settles_before_its_effective_size_is_judged() {
        // An encoder's soft first 0.9 s after the cut (min-duration 0.4 s) raise nothing.
        let a = resolution_after_cut(|i| if i < 50 + 22 { 0.4 } else { 1.0 });
        assert!(a.is_empty(), "{a:?}");
        // A scene that stays at 0.4 is judged from 1 s after the cut.
        let a = resolution_after_cut(|_| 0.4);
        assert_eq!(a.len(), 2, "{a:?}");
        assert_eq!(a[0].reason, AlarmReason::Resolution);
        let start = a[0].times.pts.unwrap();
        assert_eq!(start, 50 * FRAME + CUT_SETTLE, "{a:?}");
    }

    #[test]
    fn a_flush_ends_the_settling_of_the_scene_before_it() {
        // A cut at 4 s holds the resolution reason until 5 s; a flushing seek right after
        // it restarts the clock at 0, and the stream then carries half its width from 1 s.
        let (scene_a, scene_b) = two_scenes();
        let s = resolution_settings();
        let (mut m, mut out) = (Monitor::new(), vec![]);
        let d = Some(FRAME);
        for i in 0..101u64 {
            let (t, f) = frame(i, 0.5, true);
            let thumb = if i < 100 { &scene_a } else { &scene_b };
            push(&mut m, &s, t, d, &f, Some(thumb), &mut out);
        }
        m.flush(&s, &mut out);
        for i in 0..100u64 {
            let (t, mut f) = frame(i, 0.5, true);
            f.effective_width = Some(if i < 25 { SIZE.0 } else { SIZE.0 / 2 });
            push(&mut m, &s, t, d, &f, Some(&scene_b), &mut out);
        }
        m.finish(&s, &mut out);
        let a = alarms(&out);
        assert_eq!(a.len(), 2, "{a:?}");
        let start = a[0].times.pts.unwrap();
        assert!((25 * FRAME..30 * FRAME).contains(&start), "{a:?}");
    }

    fn drop_settings() -> MonitorSettings {
        MonitorSettings {
            threshold: 0.0,
            drop: 0.4,
            ..settings()
        }
    }

    #[test]
    fn a_fall_below_the_baseline_gives_one_drop_episode() {
        // 3 s at 0.8 (the baseline), 4 s at 0.3 (a 62% drop), 2 s at 0.8, at 25 fps.
        let mut v = vec![(0.8, true); 75];
        v.extend(vec![(0.3, true); 100]);
        v.extend(vec![(0.8, true); 50]);
        let out = run(&v, &drop_settings());
        let a = alarms(&out);
        assert_eq!(a.len(), 2, "{a:?}");
        assert!(a.iter().all(|a| a.reason == AlarmReason::Drop));
        let start = a[0].times.pts.unwrap();
        assert!((3_000_000_000..3_200_000_000).contains(&start), "{start}");
        let baseline = a[0].baseline.unwrap();
        assert!((baseline - 0.8).abs() < 0.002, "{baseline}");
        let drop = a[0].relative_drop.unwrap();
        assert!((drop - 0.625).abs() < 0.01, "{drop}");
        assert_eq!(a[0].threshold, 0.4);
        let end = a[1].times.pts.unwrap();
        assert!((7_000_000_000..7_200_000_000).contains(&end), "{end}");
        // The soft stretch, longer than the sharp one, was not learned: the baseline is
        // still 0.8.
        let last = *reports(&out).last().unwrap();
        assert!((last.baseline.unwrap() - 0.8).abs() < 0.002, "{last:?}");
        assert_eq!(
            reports(&out)[0].baseline,
            None,
            "not established in the first second"
        );
        let sum = summary(&out);
        assert!((sum.baseline.unwrap() - 0.8).abs() < 0.002);
        assert!((sum.drop_max.unwrap() - 0.625).abs() < 0.01, "{sum:?}");
        assert_eq!(sum.episodes.len(), 1);
        let e = sum.episodes[0];
        assert_eq!(e.reason, AlarmReason::Drop);
        assert_eq!(e.times.pts.unwrap(), start);
        assert_eq!(e.duration, end - start);
    }

    #[test]
    fn no_drop_alarm_before_the_baseline_is_established() {
        // Soft from the first frame: that is the stream's normal.
        let mut v = vec![(0.3, true); 25];
        v.extend(vec![(0.3, true); 100]);
        let out = run(&v, &drop_settings());
        assert!(alarms(&out).is_empty());
        let last = *reports(&out).last().unwrap();
        assert!((last.baseline.unwrap() - 0.3).abs() < 0.002);
    }

    #[test]
    fn changes_smaller_than_drop_are_learned() {
        // 0.8 for 2 s, then 0.6 (25% lower, under the 40% drop) for 8 s.
        let mut v = vec![(0.8, true); 50];
        v.extend(vec![(0.6, true); 200]);
        let out = run(&v, &drop_settings());
        assert!(alarms(&out).is_empty());
        let last = *reports(&out).last().unwrap();
        assert!((last.baseline.unwrap() - 0.6).abs() < 0.002, "{last:?}");
    }

    #[test]
    fn drop_zero_disables_the_alarm_but_not_the_baseline() {
        let mut v = vec![(0.8, true); 75];
        v.extend(vec![(0.1, true); 75]);
        let s = MonitorSettings {
            drop: 0.0,
            ..drop_settings()
        };
        let out = run(&v, &s);
        assert!(alarms(&out).is_empty());
        assert!(reports(&out).last().unwrap().baseline.is_some());
    }

    #[test]
    fn invalid_frames_neither_judge_nor_teach_the_baseline() {
        let mut v = vec![(0.8, true); 75];
        v.extend(vec![(0.0, false); 75]);
        v.extend(vec![(0.8, true); 25]);
        let out = run(&v, &drop_settings());
        assert!(alarms(&out).is_empty());
        let last = *reports(&out).last().unwrap();
        assert!((last.baseline.unwrap() - 0.8).abs() < 0.002);
    }

    #[test]
    fn a_loaded_baseline_alarms_from_the_first_frames() {
        // Run 1: 4 s sharp; its baseline is saved.
        let s = drop_settings();
        let mut m = Monitor::new();
        feed(&mut m, &[(0.8, true); 100], &s);
        let saved = m
            .drop_judge()
            .saved_baseline(&s, Some("caps".into()))
            .unwrap();
        assert_eq!((saved.learned, saved.frames), (100 * FRAME, 100));
        assert!(
            saved
                .sharpness
                .iter()
                .all(|&(_, v)| (v - 0.8).abs() < 0.002)
        );
        // Run 2 loads it and is soft from the start: the drop episode starts at once.
        let mut m = Monitor::new();
        m.load_baseline(&saved);
        let mut out = feed(&mut m, &[(0.3, true); 50], &s);
        m.finish(&s, &mut out);
        let a = alarms(&out);
        assert_eq!(a[0].reason, AlarmReason::Drop);
        assert_eq!(a[0].times.pts, Some(0));
        // Too short a run gives nothing to save.
        let mut m = Monitor::new();
        feed(&mut m, &[(0.8, true)], &s);
        assert_eq!(m.drop_judge().saved_baseline(&s, None), None);
    }

    /// Two thumbnails of different scenes.
    fn two_scenes() -> (Thumbnail, Thumbnail) {
        use crate::analysis::kernels::thumbnail::SIDE;
        (
            std::array::from_fn(|i| ((i % SIDE) * 10) as f32),
            std::array::from_fn(|i| ((i / SIDE) * 10) as f32),
        )
    }

    /// Feeds one 25 fps frame per (sharpness, effective share of the width, second scene)
    /// with drop settings; the alarms.
    fn run_scenes(frames: impl Iterator<Item = (f64, f64, bool)>) -> Vec<AlarmEdge> {
        let (scene_a, scene_b) = two_scenes();
        let s = drop_settings();
        let mut m = Monitor::new();
        let mut out = vec![];
        for (i, (v, share, second)) in frames.enumerate() {
            let (t, mut f) = frame(i as u64, v, true);
            f.effective_width = Some((SIZE.0 as f64 * share) as u32);
            f.effective_height = Some(SIZE.1);
            let d = Some(FRAME);
            let thumb = if second { &scene_b } else { &scene_a };
            push(&mut m, &s, t, d, &f, Some(thumb), &mut out);
        }
        m.finish(&s, &mut out);
        alarms(&out).into_iter().cloned().collect()
    }

    /// 3 s of a sharp scene (0.8, full size), then a cut to a scene of `sharpness` whose
    /// effective width is `share` of the nominal one; the alarms.
    fn cut_to(sharpness: f64, share: f64) -> Vec<AlarmEdge> {
        run_scenes((0..200).map(|i| {
            if i < 75 {
                (0.8, 1.0, false)
            } else {
                (sharpness, share, true)
            }
        }))
    }

    #[test]
    fn a_cut_to_softer_content_is_no_drop_whatever_its_effective_size() {
        assert!(cut_to(0.4, 1.0).is_empty());
        assert!(cut_to(0.4, 0.5).is_empty());
    }

    #[test]
    fn a_fall_while_a_new_scene_settles_is_a_drop_from_its_first_frames() {
        // The new scene reads 0.5 for 3 frames, then 0.25: its smoothed level falls within
        // the 0.4 s it settles.
        let a = run_scenes((0..200).map(|i| match i {
            0..75 => (0.8, 1.0, false),
            75..78 => (0.5, 1.0, true),
            _ => (0.25, 1.0, true),
        }));
        assert_eq!(a.len(), 2, "{a:?}");
        assert_eq!(a[0].reason, AlarmReason::Drop);
        let start = a[0].times.pts.unwrap();
        assert!((78 * FRAME..85 * FRAME).contains(&start), "{a:?}");
        assert!((a[0].baseline.unwrap() - 0.5).abs() < 0.002, "{a:?}");
    }

    #[test]
    fn a_softer_scene_that_settles_just_above_the_drop_limit_is_no_drop() {
        // Baseline 0.8, limit 0.48, recovery 0.52: the scene reads 0.5 at the end of
        // settling, then 0.45 (0.5625 of the baseline).
        let a = run_scenes((0..200).map(|i| match i {
            0..75 => (0.8, 1.0, false),
            75..80 => (0.45, 1.0, true),
            80..86 => (0.5, 1.0, true),
            _ => (0.45, 1.0, true),
        }));
        assert!(a.is_empty(), "{a:?}");
    }

    #[test]
    fn a_drop_within_a_softer_scene_is_judged_against_that_scene() {
        // 3 s at 0.8, a cut to 0.4 content for 3 s, then that scene falls to 0.15.
        let a = run_scenes((0..250).map(|i| match i {
            0..75 => (0.8, 1.0, false),
            75..150 => (0.4, 1.0, true),
            _ => (0.15, 1.0, true),
        }));
        assert_eq!(a.len(), 2, "{a:?}");
        let start = a[0].times.pts.unwrap();
        assert!((150 * FRAME..160 * FRAME).contains(&start), "{start}");
        // The message carries the level the drop was measured against.
        let reference = a[0].baseline.unwrap();
        assert!((reference - 0.4).abs() < 0.002, "{reference}");
        assert!((a[0].relative_drop.unwrap() - 0.625).abs() < 0.01, "{a:?}");
    }

    #[test]
    fn a_scene_cut_restarts_the_smoothing_window() {
        use crate::analysis::kernels::thumbnail::CELLS;
        let (scene_a, scene_b) = two_scenes();
        assert_eq!(scene_a.len(), CELLS);
        let s = MonitorSettings {
            window: 2_000_000_000,
            min_duration: 0,
            ..settings()
        };
        let run_scenes = |with_thumbnails: bool| {
            let mut m = Monitor::new();
            let (mut out, mut cuts) = (vec![], vec![]);
            let mut posted = None;
            // 2 s of a sharp scene, then 2 s of a soft one.
            for i in 0..100u64 {
                let (sharpness, thumb) = if i < 50 {
                    (0.8, &scene_a)
                } else {
                    (0.1, &scene_b)
                };
                let (t, f) = frame(i, sharpness, true);
                let thumb = with_thumbnails.then_some(thumb);
                let d = Some(FRAME);
                if push(&mut m, &s, t, d, &f, thumb, &mut out) {
                    cuts.push(i);
                }
                if posted.is_none() && !alarms(&out).is_empty() {
                    posted = Some(i);
                }
            }
            m.finish(&s, &mut out);
            let start = alarms(&out)[0].times.pts.unwrap();
            (start, posted.unwrap(), cuts)
        };
        // The cut frame posts the episode: the 2 s window no longer holds the old scene.
        assert_eq!(run_scenes(true), (50 * FRAME, 50, vec![50]));
        // Without thumbnails the median needs half the window; the episode is still dated
        // at the first soft frame.
        let (start, posted, _) = run_scenes(false);
        assert_eq!(start, 50 * FRAME);
        assert!(posted > 70, "{posted}");
    }
}
