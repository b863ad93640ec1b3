//! Measures the stream-aware alarms with the element's default properties on 704x1280 pans at
//! 30 fps, 10 s, through `x264enc pass=qual quantizer=23 speed-preset=superfast threads=1 !
//! avdec_h264` (x264 on several threads codes the same clip differently from run to run),
//! over every untouched photo of a corpus: a switch at 5 s to a 2x down-up and to a Gaussian
//! blur of sigma 2, a plain pan, a fade through a second of black, and a cut to every other
//! photo. Each clip is encoded and analysed once; its figures are replayed through `Monitor`.
//! Prints a line per clip and the counts per kind; exits non-zero when a cut, pan or fade
//! raises a drop alarm other than a cut to a photo whose effective share reads below 0.75
//! after the cut.
//!
//! `cargo run --release --example alarm_check -- ../shared/corpus [photo.png ...]`

#[path = "../tests/common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};

use common::clip::{Clip, Photo, down_up, gaussian_blur, load_photo, through_black};
use gst::prelude::*;
use gst_video::prelude::*;
use gstsharpmeter::analysis::kernels::thumbnail::Thumbnail;
use gstsharpmeter::analysis::{
    FrameFigures, FrameMeter, LumaPlane, MeterSettings, effective_share,
};
use gstsharpmeter::temporal::{
    AlarmEvent, AlarmReason, FrameTimes, Monitor, MonitorEvent, MonitorFrame, MonitorSettings,
};

const W: usize = 704;
const H: usize = 1280;
const FPS: usize = 30;
const FRAMES: usize = 10 * FPS;
const SWITCH: usize = 5 * FPS;
const SECOND: f64 = 1e9;

fn with_rgb(p: &Photo, rgb: Vec<u8>) -> Photo {
    Photo {
        width: p.width,
        height: p.height,
        rgb,
    }
}

/// One decoded frame's figures, thumbnail and analysed size (the active area).
struct Frame {
    figures: FrameFigures,
    thumbnail: Thumbnail,
    size: (u32, u32),
}

/// Encodes `frame(i)` for every frame, decodes it and measures each frame as the element does
/// (`FrameMeter` with the default properties).
fn encode_and_analyse(frame: impl Fn(usize) -> Vec<u8> + Send + 'static) -> Vec<Frame> {
    let (pipeline, src) = common::appsrc_pipeline(
        "appsrc name=src format=time block=true max-buffers=4 ! videoconvert \
         ! x264enc speed-preset=superfast pass=qual quantizer=23 threads=1 ! avdec_h264 \
         ! appsink name=sink sync=false",
    );
    let sink = common::appsink(&pipeline);
    let layout = Clip::portrait_pan(Photo {
        width: 1,
        height: 1,
        rgb: vec![0; 3],
    });
    src.set_caps(Some(&layout.caps()));
    pipeline.set_state(gst::State::Playing).unwrap();
    let feeder = std::thread::spawn(move || {
        for i in 0..FRAMES {
            if src.push_buffer(layout.buffer(i, frame(i))).is_err() {
                return;
            }
        }
        let _ = src.end_of_stream();
    });
    let mut meter = FrameMeter::new();
    let mut frames = Vec::new();
    while let Ok(sample) = sink.pull_sample() {
        // The decoder's 8-bit luma plane (Y444 from RGB input), as it reaches the element; a
        // conversion to GRAY8 would stretch limited-range levels.
        let info = gst_video::VideoInfo::from_caps(sample.caps().unwrap()).unwrap();
        assert!(
            info.is_yuv() && info.format_info().depth()[0] == 8,
            "{info:?}"
        );
        let frame =
            gst_video::VideoFrameRef::from_buffer_ref_readable(sample.buffer().unwrap(), &info)
                .unwrap();
        let stride = frame.plane_stride()[0] as usize;
        let plane = LumaPlane::new_u8(frame.plane_data(0).unwrap(), W, H, stride).unwrap();
        let (figures, _) = meter.measure(&plane, &MeterSettings::DEFAULT);
        let thumbnail = *meter.thumbnail().unwrap();
        let area = figures.active_area.expect("the analysed area");
        let size = (area.width as u32, area.height as u32);
        frames.push(Frame {
            figures,
            thumbnail,
            size,
        });
    }
    feeder.join().unwrap();
    pipeline.set_state(gst::State::Null).unwrap();
    frames
}

/// The element's default alarm settings.
fn default_settings() -> MonitorSettings {
    let e = gst::ElementFactory::make("sharpmeter").build().unwrap();
    MonitorSettings {
        threshold: e.property("threshold"),
        resolution_threshold: e.property("resolution-threshold"),
        hysteresis: e.property("hysteresis"),
        min_duration: e.property("min-duration"),
        window: e.property("window"),
        interval: e.property("interval"),
        drop: e.property("drop"),
        detail_drop: e.property("detail-drop"),
        baseline_duration: e.property("baseline-duration"),
    }
}

/// An alarm start: reason, dated at (s), posted at (s).
type Start = (AlarmReason, f64, f64);

/// Replays the frames through a monitor; the alarm starts.
fn replay(frames: &[Frame], settings: &MonitorSettings) -> Vec<Start> {
    let mut monitor = Monitor::new();
    let mut out = Vec::new();
    let mut starts = Vec::new();
    let frame_ns = 1_000_000_000 / FPS as u64;
    for (i, f) in frames.iter().enumerate() {
        let t = i as u64 * frame_ns;
        out.clear();
        let frame = MonitorFrame {
            times: FrameTimes::at(t),
            duration: Some(frame_ns),
            figures: &f.figures,
            thumbnail: Some(&f.thumbnail),
            size: f.size,
        };
        monitor.push(settings, &frame, &mut out);
        for m in &out {
            if let MonitorEvent::Alarm(a) = m
                && a.event == AlarmEvent::Start
            {
                let dated = a.times.pts.unwrap() as f64 / SECOND;
                starts.push((a.reason, dated, t as f64 / SECOND));
            }
        }
    }
    starts
}

/// Median of valid frames' sharpness and worse-axis share over frames `range`.
fn level(frames: &[Frame], range: std::ops::Range<usize>) -> (f64, f64) {
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
    };
    let valid: Vec<&Frame> = frames[range].iter().filter(|f| f.figures.valid).collect();
    (
        median(valid.iter().map(|f| f.figures.sharpness).collect()),
        median(
            valid
                .iter()
                .filter_map(|f| effective_share(&f.figures, f.size))
                .collect(),
        ),
    )
}

fn name_of(path: &Path) -> String {
    let stem = path.file_stem().unwrap().to_string_lossy();
    stem.split("__").next().unwrap().to_string()
}

fn main() {
    gst::init().unwrap();
    gstsharpmeter::plugin_register_static().unwrap();
    let mut args = std::env::args().skip(1);
    let corpus = PathBuf::from(args.next().unwrap_or("../shared/corpus".into()));
    let mut paths: Vec<PathBuf> = Vec::new();
    for dir in ["color", "gray"] {
        let Ok(entries) = std::fs::read_dir(corpus.join(dir)) else {
            continue;
        };
        let mut found: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.to_string_lossy().ends_with("__blur__0.png"))
            .filter(|p| !paths.iter().any(|q| name_of(q) == name_of(p)))
            .collect();
        found.sort();
        paths.extend(found);
    }
    paths.extend(args.map(PathBuf::from));
    let settings = default_settings();
    println!(
        "defaults: drop {} window {:.2} s min-duration {:.2} s baseline-duration {:.2} s, \
         threshold {} resolution-threshold {}",
        settings.drop,
        settings.window as f64 / SECOND,
        settings.min_duration as f64 / SECOND,
        settings.baseline_duration as f64 / SECOND,
        settings.threshold,
        settings.resolution_threshold
    );
    let photos: Vec<(String, Photo)> = paths.iter().map(|p| (name_of(p), load_photo(p))).collect();
    let mut failures = Vec::new();
    let mut counts: std::collections::BTreeMap<&str, (usize, usize)> = Default::default();
    let mut report = |kind: &'static str, what: &str, frames: &[Frame]| {
        let starts = replay(frames, &settings);
        let (before, _) = level(frames, FPS..SWITCH);
        let (after, share) = level(frames, SWITCH + FPS / 2..FRAMES);
        let drops: Vec<&Start> = starts.iter().filter(|s| s.0 == AlarmReason::Drop).collect();
        let c = counts.entry(kind).or_default();
        c.0 += 1;
        c.1 += usize::from(!drops.is_empty());
        let listed: Vec<String> = starts
            .iter()
            .map(|(r, d, p)| format!("{} {d:.2}/{p:.2}", r.as_str()))
            .collect();
        println!(
            "{kind:7} {what:24} sharpness {before:.3} -> {after:.3} ({:+4.0}%), share {share:.2}; \
             starts (dated/posted s): {}",
            100.0 * (after / before - 1.0),
            if listed.is_empty() {
                "none".to_string()
            } else {
                listed.join(", ")
            }
        );
        // A cut to a picture whose detail reads coarser is a fall of resolution.
        let coarse = kind == "cut" && share < 0.75;
        if kind != "down-up" && kind != "blur" && !drops.is_empty() && !coarse {
            failures.push(format!("{kind} {what}"));
        }
    };
    for (name, photo) in &photos {
        let sharp = Clip::portrait_pan(with_rgb(photo, photo.rgb.clone()));
        let frames = encode_and_analyse(move |i| sharp.frame(i));
        report("plain", name, &frames);
        for (kind, soft) in [
            (
                "down-up",
                with_rgb(photo, down_up(&photo.rgb, photo.width, photo.height, 2)),
            ),
            (
                "blur",
                with_rgb(
                    photo,
                    gaussian_blur(&photo.rgb, photo.width, photo.height, 2.0),
                ),
            ),
        ] {
            let (a, b) = (
                Clip::portrait_pan(with_rgb(photo, photo.rgb.clone())),
                Clip::portrait_pan(soft),
            );
            let frames =
                encode_and_analyse(move |i| if i < SWITCH { a.frame(i) } else { b.frame(i) });
            report(kind, name, &frames);
        }
        let p = Clip::portrait_pan(with_rgb(photo, photo.rgb.clone()));
        let frames = encode_and_analyse(move |i| {
            let gain = through_black(i as f64 / FPS as f64, 4.0);
            let mut f = p.frame(i);
            f.iter_mut()
                .for_each(|v| *v = (*v as f64 * gain).round() as u8);
            f
        });
        report("fade", name, &frames);
    }
    for (a_name, a) in &photos {
        for (b_name, b) in &photos {
            if a_name == b_name {
                continue;
            }
            let (first, second) = (
                Clip::portrait_pan(with_rgb(a, a.rgb.clone())),
                Clip::portrait_pan(with_rgb(b, b.rgb.clone())),
            );
            let frames = encode_and_analyse(move |i| {
                if i < SWITCH {
                    first.frame(i)
                } else {
                    second.frame(i - SWITCH)
                }
            });
            report("cut", &format!("{a_name} -> {b_name}"), &frames);
        }
    }
    println!("\nclips with a drop alarm, per kind:");
    for (kind, (n, alarmed)) in &counts {
        println!("  {kind:8} {alarmed} of {n}");
    }
    if !failures.is_empty() {
        println!("drop alarms where none belongs: {failures:?}");
        std::process::exit(1);
    }
}
