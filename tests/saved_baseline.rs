//! Saved baselines (`baseline-location`): written at EOS, loaded at start so a soft stream
//! alarms from its first frames, a corrupt file gives a warning and is replaced only by a good
//! run, and the `baseline-save` action signal writes on request.

mod common;

use common::{astronaut_pan as clip, init, run_clip};
use gst::prelude::*;
use gstsharpmeter::baseline_file;
use gstsharpmeter::messages::{Alarm, AlarmEvent, AlarmReason};

const SECOND: u64 = 1_000_000_000;

fn props(path: &std::path::Path) -> String {
    format!(
        "threshold=0 resolution-threshold=0 drop=0.4 baseline-location=\"{}\"",
        path.display()
    )
}

fn scratch(name: &str) -> std::path::PathBuf {
    let d = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d.join("baseline.json")
}

fn drop_starts(run: &common::Run) -> Vec<u64> {
    run.messages
        .iter()
        .filter_map(|m| Alarm::from_message(m))
        .filter(|a| a.reason == AlarmReason::Drop && a.event == AlarmEvent::Start)
        .map(|a| a.times.timestamp.unwrap().nseconds())
        .collect()
}

fn warnings(run: &common::Run) -> Vec<String> {
    run.warning_texts()
}

#[test]
fn a_saved_baseline_makes_the_next_run_alarm_from_its_start() {
    let path = scratch("saved-baseline-runs");
    // Run 1: 6 s sharp, no file yet (no warning), the baseline is written at EOS.
    let run = run_clip(clip(6, 0..0), &props(&path));
    assert!(warnings(&run).is_empty(), "{:?}", warnings(&run));
    let saved = baseline_file::load(&path).unwrap().expect("written at EOS");
    assert_eq!((saved.learned, saved.frames), (6 * SECOND, 150));
    assert_eq!(saved.effective_size, Some((640, 360)));
    assert!(saved.caps.as_deref().unwrap().contains("width=(int)640"));
    let median = saved.sharpness.iter().find(|&&(q, _)| q == 0.5).unwrap().1;
    // Run 2: soft throughout; the loaded baseline makes it a drop from the first frame.
    let run = run_clip(clip(4, 0..4), &props(&path));
    let starts = drop_starts(&run);
    assert_eq!(starts.len(), 1, "{starts:?}");
    assert!(starts[0] <= SECOND / 2, "start at {}", starts[0]);
    // The soft frames were not learned: the rewritten baseline keeps run 1's level.
    let again = baseline_file::load(&path).unwrap().unwrap();
    let median2 = again.sharpness.iter().find(|&&(q, _)| q == 0.5).unwrap().1;
    assert!((median2 - median).abs() < 0.01, "{median} then {median2}");
    // Its effective size is that of the learned frames too, not the soft run's 320x180.
    assert_eq!(again.effective_size, Some((640, 360)));
}

#[test]
fn a_corrupt_file_warns_and_is_replaced_only_by_a_good_run() {
    let path = scratch("saved-baseline-corrupt");
    std::fs::write(&path, "not a baseline").unwrap();
    // Too short to establish a baseline (3 s): a warning, learning from scratch, no write.
    let run = run_clip(clip(2, 0..0), &props(&path));
    let w = warnings(&run);
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        w[0].contains("is not used") && w[0].contains("not JSON"),
        "{w:?}"
    );
    assert!(drop_starts(&run).is_empty());
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "not a baseline");
    // A run that establishes one replaces it.
    run_clip(clip(4, 0..0), &props(&path));
    assert!(baseline_file::load(&path).unwrap().is_some());
}

#[test]
fn the_baseline_save_signal_writes_on_request() {
    init();
    let path = scratch("saved-baseline-signal");
    let c = clip(4, 0..0);
    let mut h = gst_check::Harness::new("sharpmeter");
    let e = h.element().unwrap();
    e.set_property("baseline-location", path.to_str().unwrap());
    h.set_src_caps(c.caps());
    h.play();
    // Nothing established yet: nothing to write.
    assert!(!e.emit_by_name::<bool>("baseline-save", &[]));
    for i in 0..c.frames {
        let mut buf = gst::Buffer::from_mut_slice(c.frame(i));
        let b = buf.get_mut().unwrap();
        b.set_pts(gst::ClockTime::from_nseconds(c.pts(i)));
        b.set_duration(gst::ClockTime::from_nseconds(c.pts(i + 1) - c.pts(i)));
        h.push(buf).unwrap();
    }
    assert!(!path.exists());
    assert!(e.emit_by_name::<bool>("baseline-save", &[]));
    assert_eq!(baseline_file::load(&path).unwrap().unwrap().frames, 100);
}
