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
        "threshold=0 resolution-threshold=0 drop=0.4 detail-drop=0 baseline-location=\"{}\"",
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
        h.push(c.buffer(i, c.frame(i))).unwrap();
    }
    assert!(!path.exists());
    assert!(e.emit_by_name::<bool>("baseline-save", &[]));
    assert_eq!(baseline_file::load(&path).unwrap().unwrap().frames, 100);
}

/// A baseline worth loading (established at the default 3 s).
fn sample() -> baseline_file::SavedBaseline {
    baseline_file::SavedBaseline {
        sharpness: baseline_file::QUANTILES
            .iter()
            .map(|&q| (q, 0.5 + q / 4.0))
            .collect(),
        learned: 10 * SECOND,
        frames: 250,
        effective_size: Some((640, 360)),
        caps: Some("learned elsewhere".into()),
    }
}

/// Runs `f` on another thread; panics when it has not returned within 20 s (a hang).
fn within_20_s<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || tx.send(f()).unwrap());
    rx.recv_timeout(std::time::Duration::from_secs(20))
        .unwrap_or_else(|_| panic!("{what} hangs"))
}

/// Temporary files left in `dir`.
fn temporaries(dir: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect()
}

#[test]
fn a_location_that_is_not_a_regular_file_is_refused_at_once_and_never_replaced() {
    use std::os::unix::fs::FileTypeExt;
    let path = scratch("saved-baseline-special");
    let dir = path.parent().unwrap().to_path_buf();
    let fifo = dir.join("fifo");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
    let device = dir.join("zero");
    let d = std::ffi::CString::new(device.to_str().unwrap()).unwrap();
    // SAFETY: as above; the node is /dev/zero's (char 1:5). Needs root: skipped without.
    let have_device =
        unsafe { libc::mknod(d.as_ptr(), libc::S_IFCHR | 0o666, libc::makedev(1, 5)) } == 0;
    let big = dir.join("big.json");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(2 << 30)
        .unwrap();
    let mut cases = vec![
        (fifo.clone(), "not a regular file"),
        (big.clone(), "larger than"),
    ];
    if have_device {
        cases.push((device.clone(), "not a regular file"));
    } else {
        eprintln!("not root: the character-device case is skipped");
    }
    for (location, why) in cases {
        let p = props(&location);
        let run = within_20_s("a run", move || run_clip(clip(1, 0..0), &p));
        let w = warnings(&run);
        assert!(w[0].contains("is not used") && w[0].contains(why), "{w:?}");
    }
    assert!(
        std::fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo()
    );
    if have_device {
        // A run long enough to establish a baseline still never replaces the node.
        let p = props(&device);
        let run = within_20_s("a run", move || run_clip(clip(4, 0..0), &p));
        let w = warnings(&run);
        assert!(w.iter().any(|w| w.contains("Cannot save")), "{w:?}");
        assert!(
            std::fs::symlink_metadata(&device)
                .unwrap()
                .file_type()
                .is_char_device()
        );
    }
    assert_eq!(std::fs::metadata(&big).unwrap().len(), 2 << 30);
}

#[test]
fn a_symbolic_link_is_written_through_to_its_target() {
    let path = scratch("saved-baseline-symlink");
    let dir = path.parent().unwrap();
    std::fs::create_dir(dir.join("real")).unwrap();
    std::os::unix::fs::symlink("real/target.json", &path).unwrap();
    // First a dangling link (the target is created), then an existing target, replaced
    // through the link; the link stays a link.
    for run in 1..=2u64 {
        run_clip(clip(4, 0..0), &props(&path));
        let link = std::fs::symlink_metadata(&path).unwrap();
        assert!(link.file_type().is_symlink());
        let written = baseline_file::load(&dir.join("real/target.json"));
        assert_eq!(written.unwrap().unwrap().frames, 100 * run);
    }
    assert!(temporaries(&dir.join("real")).is_empty());
}

#[test]
fn a_run_that_learned_nothing_writes_nothing() {
    let path = scratch("saved-baseline-nothing-learned");
    let text = sample().to_json();
    std::fs::write(&path, &text).unwrap();
    // No buffers at all.
    run_clip(clip(0, 0..0), &props(&path));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
    // Only soft frames, none learned (they are a drop against the loaded baseline).
    run_clip(clip(2, 0..2), &props(&path));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
}

#[test]
fn two_writers_of_one_path_never_leave_a_torn_file_or_a_spurious_error() {
    let path = scratch("saved-baseline-two-writers");
    baseline_file::save(&path, &sample()).unwrap();
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writers: Vec<_> = (0..2u64)
        .map(|w| {
            let path = path.clone();
            std::thread::spawn(move || {
                for round in 0..500 {
                    let b = baseline_file::SavedBaseline {
                        frames: w * 1000 + round,
                        ..sample()
                    };
                    baseline_file::save(&path, &b).unwrap();
                }
            })
        })
        .collect();
    let reader = {
        let (path, done) = (path.clone(), done.clone());
        std::thread::spawn(move || {
            let mut reads = 0;
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                baseline_file::load(&path).unwrap().expect("a whole file");
                reads += 1;
            }
            reads
        })
    };
    for w in writers {
        w.join().unwrap();
    }
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    assert!(reader.join().unwrap() > 0);
    let last = baseline_file::load(&path).unwrap().unwrap();
    assert!(last.frames == 499 || last.frames == 1499, "{}", last.frames);
    assert!(temporaries(path.parent().unwrap()).is_empty());
}

#[test]
fn the_save_signal_racing_the_end_of_stream_save_never_fails() {
    init();
    let path = scratch("saved-baseline-signal-vs-eos");
    for round in 0..50 {
        let c = clip(1, 0..0);
        let (pipeline, src) = common::appsrc_pipeline(&format!(
            "appsrc name=src format=time caps=\"{}\" ! sharpmeter name=meter baseline-duration=0 \
               threshold=0 resolution-threshold=0 baseline-location=\"{}\" ! fakesink",
            c.caps(),
            path.display()
        ));
        let meter = pipeline.by_name("meter").unwrap();
        let feeder = std::thread::spawn(move || {
            for i in 0..4 {
                let mut buf = gst::Buffer::from_mut_slice(c.frame(i));
                buf.get_mut()
                    .unwrap()
                    .set_pts(gst::ClockTime::from_nseconds(c.pts(i)));
                src.push_buffer(buf).unwrap();
            }
            src.end_of_stream().unwrap();
        });
        let signaller = std::thread::spawn(move || {
            (0..5)
                .map(|_| meter.emit_by_name::<bool>("baseline-save", &[]))
                .collect::<Vec<bool>>()
        });
        let run = common::run_pipeline(&pipeline);
        feeder.join().unwrap();
        signaller.join().unwrap();
        let w = warnings(&run);
        assert!(w.is_empty(), "round {round}: {w:?}");
        baseline_file::load(&path).unwrap().expect("a whole file");
    }
    assert!(temporaries(path.parent().unwrap()).is_empty());
}

/// Saves to `SHARPMETER_KILL_PATH` until killed (run by the test below as a child process).
#[test]
#[ignore = "a child process of the kill test"]
fn child_saving_until_killed() {
    let Ok(path) = std::env::var("SHARPMETER_KILL_PATH") else {
        return;
    };
    for round in 0.. {
        let b = baseline_file::SavedBaseline {
            frames: round,
            ..sample()
        };
        baseline_file::save(std::path::Path::new(&path), &b).unwrap();
    }
}

#[test]
fn temporary_files_of_a_killed_save_are_removed_at_the_next_start() {
    let path = scratch("saved-baseline-killed");
    let dir = path.parent().unwrap();
    let exe = std::env::current_exe().unwrap();
    let mut left = 0;
    for kill in 0..100u64 {
        let mut child = std::process::Command::new(&exe)
            .args([
                "--exact",
                "child_saving_until_killed",
                "--ignored",
                "--quiet",
            ])
            .env("SHARPMETER_KILL_PATH", &path)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(5 + kill % 20));
        child.kill().unwrap();
        child.wait().unwrap();
        left = left.max(temporaries(dir).len());
    }
    eprintln!("at most {left} temporary files after a kill");
    assert!(path.exists(), "the children saved");
    // The element's start removes what the killed saves left; the baseline is whole.
    let run = run_clip(clip(1, 0..0), &props(&path));
    assert!(warnings(&run).is_empty(), "{:?}", warnings(&run));
    assert!(temporaries(dir).is_empty(), "{:?}", temporaries(dir));
    baseline_file::load(&path).unwrap().expect("a whole file");
}
