//! Threshold alarms on a clip that turns soft part-way (rendered at half size and upscaled),
//! with `threshold` 0.4 (its half-size frames stay above the default 0.2) and
//! default window 0.5 s and min-duration 1 s; the resolution and drop alarms are switched off
//! except where said (tests/resolution.rs and tests/stream_alarms.rs cover
//! them).

mod common;

use common::{astronaut_pan as clip, init, run_clip};
use gst::prelude::*;
use gstsharpmeter::messages::{Alarm, AlarmEvent, AlarmReason, Report};

const FPS: u32 = 25;
const SECOND: u64 = 1_000_000_000;
/// The threshold these clips are judged with.
const THRESHOLD: f64 = 0.4;
/// `THRESHOLD`, with the resolution, drop and detail alarms off.
const THRESHOLD_ONLY: &str = "threshold=0.4 resolution-threshold=0 drop=0 detail-drop=0";

/// Default hysteresis of the element.
fn hysteresis() -> f64 {
    init();
    let e = gst::ElementFactory::make("sharpmeter").build().unwrap();
    e.property("hysteresis")
}

fn alarms(run: &common::Run) -> Vec<Alarm> {
    run.messages
        .iter()
        .filter_map(|m| Alarm::from_message(m))
        .collect()
}

fn reports(run: &common::Run) -> Vec<Report> {
    run.messages
        .iter()
        .filter_map(|m| Report::from_message(m))
        .collect()
}

#[test]
fn soft_stretch_posts_one_start_and_one_end() {
    let run = run_clip(clip(10, 3..6), THRESHOLD_ONLY);
    let a = alarms(&run);
    assert_eq!(a.len(), 2, "{a:?}");
    assert_eq!(
        (a[0].event, a[1].event),
        (AlarmEvent::Start, AlarmEvent::End)
    );
    let start = a[0].times.timestamp.unwrap().nseconds();
    let end = a[1].times.timestamp.unwrap().nseconds();
    // The 1 s median crosses within the smoothing window after each change.
    assert!(
        (3 * SECOND..4 * SECOND).contains(&start),
        "start at {start}"
    );
    assert!((6 * SECOND..7 * SECOND).contains(&end), "end at {end}");
    assert_eq!(a[0].times.running_time, a[0].times.timestamp);
    let (threshold, hysteresis) = (THRESHOLD, hysteresis());
    assert_eq!(a[0].threshold, threshold);
    assert!(a[0].sharpness < threshold);
    assert!(a[1].sharpness >= threshold + hysteresis);
    assert_eq!(a[1].duration.unwrap().nseconds(), end - start);
    let s = run.summary();
    assert_eq!((s.frames, s.valid_frames, s.alarms), (250, 250, 1));
    assert_eq!(s.alarm_duration.nseconds(), end - start);
    // Reports say "alarm" once the episode is confirmed, and "ok" again after it ends.
    let states: Vec<&str> = reports(&run).iter().map(|r| r.state.as_str()).collect();
    assert_eq!(states.len(), 10);
    assert_eq!(states[0], "ok");
    assert!(states.contains(&"alarm"));
    assert_eq!(states[9], "ok");
}

#[test]
fn constant_sharp_stream_posts_no_alarm() {
    let run = run_clip(clip(6, 0..0), THRESHOLD_ONLY);
    assert!(alarms(&run).is_empty());
    let s = run.summary();
    assert_eq!((s.frames, s.alarms), (150, 0));
    // Every frame, not just the smoothed value, stays above the threshold.
    assert!(
        s.sharpness_min.unwrap() > THRESHOLD,
        "{:?}",
        s.sharpness_min
    );
}

#[test]
fn episode_open_at_eos_is_closed_before_the_summary() {
    let run = run_clip(clip(6, 2..6), THRESHOLD_ONLY);
    let a = alarms(&run);
    assert_eq!(a.len(), 2);
    assert_eq!(a[1].event, AlarmEvent::End);
    // Closed where the last frame ends.
    assert_eq!(a[1].times.timestamp.unwrap().nseconds(), 6 * SECOND);
    let n = run.messages.len();
    assert!(Alarm::from_message(&run.messages[n - 2]).is_some());
}

#[test]
fn fade_to_black_and_back_raises_no_alarm() {
    // Sharp throughout; from 2 s to 6 s the picture fades to black and back.
    let mut c = clip(8, 0..0);
    c.fade = 2 * FPS as usize..6 * FPS as usize;
    // Both alarms on: dark frames are invalid and carry no estimate either.
    let run = run_clip(c, "");
    assert!(alarms(&run).is_empty(), "{:?}", alarms(&run));
    let s = run.summary();
    assert_eq!(s.alarms, 0);
    // The darkest frames are not valid: they do not count.
    assert!(
        s.valid_frames < s.frames,
        "{} of {}",
        s.valid_frames,
        s.frames
    );
}

#[test]
fn threshold_zero_disables_the_alarm() {
    let run = run_clip(
        clip(6, 1..6),
        "threshold=0 resolution-threshold=0 detail-drop=0",
    );
    assert!(alarms(&run).is_empty());
    assert_eq!(run.summary().alarms, 0);
}

#[test]
fn a_fall_against_the_stream_baseline_posts_one_drop_episode() {
    let run = run_clip(
        clip(10, 5..7),
        "threshold=0 resolution-threshold=0 drop=0.4 detail-drop=0",
    );
    let a = alarms(&run);
    assert_eq!(a.len(), 2, "{a:?}");
    assert!(a.iter().all(|a| a.reason == AlarmReason::Drop));
    let start = a[0].times.timestamp.unwrap().nseconds();
    let end = a[1].times.timestamp.unwrap().nseconds();
    assert!(
        (5 * SECOND..6 * SECOND).contains(&start),
        "start at {start}"
    );
    assert!((7 * SECOND..8 * SECOND).contains(&end), "end at {end}");
    let baseline = a[0].baseline.unwrap();
    assert!(baseline > 0.5, "the sharp pan's level: {baseline}");
    assert!(a[0].relative_drop.unwrap() > 0.4, "{a:?}");
    assert_eq!(a[0].threshold, 0.4);
    // Reports carry the baseline once 3 s (baseline-duration) have been learned; the soft
    // stretch does not move it.
    let b: Vec<Option<f64>> = reports(&run).iter().map(|r| r.baseline).collect();
    assert_eq!(b.len(), 10);
    assert_eq!(b[..2], [None, None]);
    assert!((b[9].unwrap() - baseline).abs() < 0.02, "{b:?}");
}
