//! Stream-aware alarms with default properties on real encoded video: 704x1280 pans at 30 fps,
//! 10 s, through `x264enc ! avdec_h264 ! sharpmeter`. A degradation at 5 s raises one drop
//! episode dated within 0.5 s of it and posted within 1.5 s, and a switch to a painted-over
//! version one `detail` episode; a down-up a third of a second after a cut raises an alarm
//! within 1.5 s; a plain pan, a cut between sharp photos and a fade through black raise
//! nothing; a saved baseline makes a soft second run alarm from its start, and a
//! corrupt one is replaced only by a good run.

mod common;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use common::clip::{Clip, Photo, down_up, gaussian_blur, load_photo, through_black};
use common::{appsrc_pipeline, fixture, run_pipeline};
use gst::prelude::*;
use gstsharpmeter::baseline_file;
use gstsharpmeter::messages::{Alarm, AlarmEvent, AlarmReason};

const FPS: usize = 30;
const FRAMES: usize = 10 * FPS;
/// The frame where the clips change: 5 s.
const SWITCH: usize = 5 * FPS;
const SECOND: u64 = 1_000_000_000;

fn photo(name: &str) -> Photo {
    load_photo(&fixture(name))
}

/// `p` rendered at half size and upscaled.
fn down_upped(p: Photo) -> Photo {
    let rgb = down_up(&p.rgb, p.width, p.height, 2);
    Photo { rgb, ..p }
}

/// `p` blurred with a Gaussian of sigma 2.
fn blurred(p: Photo) -> Photo {
    let rgb = gaussian_blur(&p.rgb, p.width, p.height, 2.0);
    Photo { rgb, ..p }
}

/// An alarm and where the stream was when it was posted (PTS of the frame being analysed),
/// both in ns from the first frame.
#[derive(Debug)]
struct Posted {
    alarm: Alarm,
    start: u64,
    posted: u64,
}

struct Outcome {
    alarms: Vec<Posted>,
    warnings: Vec<String>,
}

impl Outcome {
    fn starts(&self, reason: AlarmReason) -> Vec<&Posted> {
        self.alarms
            .iter()
            .filter(|p| p.alarm.reason == reason && p.alarm.event == AlarmEvent::Start)
            .collect()
    }

    /// No reason starts more than one episode.
    fn assert_no_flapping(&self) {
        for reason in [
            AlarmReason::Threshold,
            AlarmReason::Resolution,
            AlarmReason::Drop,
        ] {
            assert!(self.starts(reason).len() <= 1, "{:?}", self.alarms);
        }
    }
}

/// Size, rate and length of every clip here, without a picture.
fn layout() -> Clip {
    Clip::portrait_pan(Photo {
        width: 1,
        height: 1,
        rgb: vec![0; 3],
    })
}

/// Encodes frames `frame(i)` (RGB of [`layout`]'s size, rate and length) with x264 on one
/// thread (on several it codes a clip differently from run to run), decodes them and runs
/// them through `sharpmeter <props>`.
fn run_encoded(frame: impl Fn(usize) -> Vec<u8> + Send + 'static, props: &str) -> Outcome {
    let clip = layout();
    let (pipeline, src) = appsrc_pipeline(&format!(
        "appsrc name=src format=time block=true max-buffers=4 ! videoconvert \
         ! x264enc speed-preset=superfast pass=qual quantizer=23 threads=1 ! avdec_h264 \
         ! sharpmeter name=meter {props} ! fakesink"
    ));
    // The PTS of the frame sharpmeter is analysing, and of the first frame.
    let current = Arc::new(AtomicU64::new(0));
    let first = Arc::new(AtomicU64::new(u64::MAX));
    let meter = pipeline.by_name("meter").unwrap();
    let (c, f) = (current.clone(), first.clone());
    meter
        .static_pad("sink")
        .unwrap()
        .add_probe(gst::PadProbeType::BUFFER, move |_, info| {
            if let Some(pts) = info.buffer().and_then(|b| b.pts()) {
                c.store(pts.nseconds(), Ordering::SeqCst);
                let _ = f.compare_exchange(
                    u64::MAX,
                    pts.nseconds(),
                    Ordering::SeqCst,
                    Ordering::SeqCst,
                );
            }
            gst::PadProbeReturn::Ok
        });
    // Alarms are posted from the streaming thread, while that frame is analysed.
    let posted = Arc::new(Mutex::new(Vec::new()));
    let p = posted.clone();
    pipeline.bus().unwrap().set_sync_handler(move |_, msg| {
        if let Some(a) = Alarm::from_message(msg) {
            p.lock().unwrap().push((a, current.load(Ordering::SeqCst)));
        }
        gst::BusSyncReply::Pass
    });
    src.set_caps(Some(&clip.caps()));
    let pts: Vec<u64> = (0..=clip.frames).map(|i| clip.pts(i)).collect();
    let feeder = std::thread::spawn(move || {
        for i in 0..pts.len() - 1 {
            let mut buf = gst::Buffer::from_mut_slice(frame(i));
            let b = buf.get_mut().unwrap();
            b.set_pts(gst::ClockTime::from_nseconds(pts[i]));
            b.set_duration(gst::ClockTime::from_nseconds(pts[i + 1] - pts[i]));
            if src.push_buffer(buf).is_err() {
                return;
            }
        }
        let _ = src.end_of_stream();
    });
    let run = run_pipeline(&pipeline);
    feeder.join().unwrap();
    let origin = first.load(Ordering::SeqCst);
    let alarms = std::mem::take(&mut *posted.lock().unwrap())
        .into_iter()
        .map(|(alarm, at)| Posted {
            start: alarm.times.timestamp.unwrap().nseconds() - origin,
            posted: at - origin,
            alarm,
        })
        .collect();
    let warnings = run.warning_texts();
    Outcome { alarms, warnings }
}

/// A pan over `sharp` that continues over `soft` (the same photo degraded) from 5 s.
fn switching(sharp: Photo, soft: Photo) -> Outcome {
    let (before, after) = (Clip::portrait_pan(sharp), Clip::portrait_pan(soft));
    run_encoded(
        move |i| {
            if i < SWITCH {
                before.frame(i)
            } else {
                after.frame(i)
            }
        },
        "",
    )
}

/// Exactly one episode of `reason`, dated within 0.5 s of the switch and posted within 1.5 s;
/// its relative drop is above `min_drop`.
fn assert_one_at_the_switch(o: &Outcome, reason: AlarmReason, min_drop: f64, what: &str) {
    o.assert_no_flapping();
    let starts = o.starts(reason);
    assert_eq!(starts.len(), 1, "{what}: {:?}", o.alarms);
    let switch = SWITCH as u64 * SECOND / FPS as u64;
    let d = starts[0];
    assert!(
        (switch..switch + SECOND / 2).contains(&d.start),
        "{what}: dated {} ns",
        d.start
    );
    assert!(d.posted < switch + 3 * SECOND / 2, "{what}: {d:?}");
    let drop = d.alarm.relative_drop.unwrap();
    assert!(drop > min_drop, "{what}: {d:?}");
}

/// Exactly one drop episode at the switch, sharpness more than 35% down.
fn assert_one_drop_at_the_switch(o: &Outcome, what: &str) {
    assert_one_at_the_switch(o, AlarmReason::Drop, 0.35, what);
}

#[test]
fn a_switch_to_half_resolution_raises_one_drop_episode() {
    for name in ["color_astronaut__blur__0.png", "gray_rocket__blur__0.png"] {
        let o = switching(photo(name), down_upped(photo(name)));
        assert_one_drop_at_the_switch(&o, name);
    }
}

#[test]
fn a_switch_to_gaussian_blur_raises_one_drop_episode() {
    for name in ["gray_camera__blur__0.png", "gray_coins__blur__0.png"] {
        let o = switching(photo(name), blurred(photo(name)));
        assert_one_drop_at_the_switch(&o, name);
    }
}

#[test]
fn a_switch_to_painted_over_detail_raises_one_detail_episode() {
    for (sharp, painted) in [
        ("gray_camera__blur__0.png", "gray_camera__bilateral__9.png"),
        ("gray_chelsea__blur__0.png", "gray_chelsea__nlmeans__15.png"),
        ("gray_coins__blur__0.png", "gray_coins__tv__0.08.png"),
    ] {
        let o = switching(photo(sharp), photo(painted));
        // More than `detail-drop` (0.22) down.
        assert_one_at_the_switch(&o, AlarmReason::Detail, 0.22, painted);
    }
}

#[test]
fn plain_pans_raise_no_alarm() {
    for name in ["color_astronaut__blur__0.png", "gray_grass__blur__0.png"] {
        let o = switching(photo(name), photo(name));
        assert!(o.alarms.is_empty(), "{name}: {:?}", o.alarms);
    }
}

#[test]
fn a_cut_between_sharp_photos_raises_no_alarm() {
    // Astronaut reads 27% below camera; text 48% below rocket, and x264 codes its first
    // half second after the cut at a third of its width; text reads 35% below coins, past the
    // drop limit: the scene rule takes each new scene's own level.
    for (a, b) in [
        ("gray_camera__blur__0.png", "color_astronaut__blur__0.png"),
        ("gray_rocket__blur__0.png", "gray_text__blur__0.png"),
        ("gray_coins__blur__0.png", "gray_text__blur__0.png"),
    ] {
        let (first, second) = (Clip::portrait_pan(photo(a)), Clip::portrait_pan(photo(b)));
        let o = run_encoded(
            move |i| {
                if i < SWITCH {
                    first.frame(i)
                } else {
                    second.frame(i - SWITCH)
                }
            },
            "",
        );
        assert!(o.alarms.is_empty(), "{a} -> {b}: {:?}", o.alarms);
    }
}

#[test]
fn a_down_up_a_third_of_a_second_after_a_cut_raises_an_alarm() {
    // The new scene's first 10 frames are sharp, then rendered at half size: judged against
    // those first frames, not taken as the new scene's level.
    for (a, b) in [
        ("gray_camera__blur__0.png", "color_astronaut__blur__0.png"),
        ("gray_coins__blur__0.png", "gray_text__blur__0.png"),
    ] {
        let first = Clip::portrait_pan(photo(a));
        let sharp = Clip::portrait_pan(photo(b));
        let soft = Clip::portrait_pan(down_upped(photo(b)));
        let o = run_encoded(
            move |i| match i {
                i if i < SWITCH => first.frame(i),
                i if i < SWITCH + FPS / 3 => sharp.frame(i - SWITCH),
                i => soft.frame(i - SWITCH),
            },
            "",
        );
        o.assert_no_flapping();
        let cut = SWITCH as u64 * SECOND / FPS as u64;
        let first_start = o
            .alarms
            .iter()
            .filter(|p| p.alarm.event == AlarmEvent::Start)
            .map(|p| (p.start, p.posted))
            .min();
        let (start, posted) = first_start.unwrap_or_else(|| panic!("{a} -> {b}: no alarm"));
        assert!(
            (cut..cut + SECOND).contains(&start),
            "{a} -> {b}: {:?}",
            o.alarms
        );
        assert!(posted < cut + 3 * SECOND / 2, "{a} -> {b}: {:?}", o.alarms);
    }
}

#[test]
fn a_fade_through_black_raises_no_alarm() {
    // Fades out from 4 s, black from 5 s, fades in from 6 s, the same pan from 7 s.
    let p = Clip::portrait_pan(photo("color_astronaut__blur__0.png"));
    let o = run_encoded(
        move |i| {
            let gain = through_black(i as f64 / FPS as f64, 4.0);
            let mut f = p.frame(i);
            f.iter_mut()
                .for_each(|v| *v = (*v as f64 * gain).round() as u8);
            f
        },
        "",
    );
    assert!(o.alarms.is_empty(), "{:?}", o.alarms);
}

#[test]
fn a_saved_baseline_replaces_a_corrupt_one_and_makes_a_soft_run_alarm_at_once() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("stream-alarms-baseline");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("baseline.json");
    std::fs::write(&path, "{ not json").unwrap();
    let props = format!("baseline-location=\"{}\"", path.display());
    let name = "color_astronaut__blur__0.png";
    // Run 1: sharp. The corrupt file gives one warning, learning starts from scratch, and
    // the good run replaces the file at EOS.
    let sharp = Clip::portrait_pan(photo(name));
    let o = run_encoded(move |i| sharp.frame(i), &props);
    assert_eq!(o.warnings.len(), 1, "{:?}", o.warnings);
    assert!(o.alarms.is_empty(), "{:?}", o.alarms);
    let saved = baseline_file::load(&path)
        .unwrap()
        .expect("replaced at EOS");
    assert_eq!(saved.frames, FRAMES as u64);
    // Run 2: rendered at half size throughout; it alarms from its start.
    let soft = Clip::portrait_pan(down_upped(photo(name)));
    let o = run_encoded(move |i| soft.frame(i), &props);
    assert!(o.warnings.is_empty(), "{:?}", o.warnings);
    let drops = o.starts(AlarmReason::Drop);
    assert_eq!(drops.len(), 1, "{:?}", o.alarms);
    assert!(drops[0].start < SECOND / 2, "{:?}", drops[0]);
    assert!(drops[0].posted < 3 * SECOND / 2, "{:?}", drops[0]);
}
