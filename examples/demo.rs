//! `make demo`: runs sharpmeter on a built-in clip (a slow pan over a photo that turns soft
//! part-way) or on a file or URI given as the first argument, and prints its messages.
//!
//! `cargo run --example demo [-- INPUT]`

// Shared with the tests; the demo uses the pan and its down-up.
#[allow(dead_code)]
#[path = "../tests/common/clip.rs"]
mod clip;

use std::path::Path;

use gst::prelude::*;
use gstsharpmeter::messages::{Alarm, AlarmEvent, AlarmReason, Report, Summary};

const WIDTH: usize = 640;
const HEIGHT: usize = 360;
const FPS: u32 = 25;

fn fmt_time(t: Option<gst::ClockTime>) -> String {
    t.map_or("--:--:--.---".into(), |t| {
        format!(
            "{:02}:{:02}.{:03}",
            t.seconds() / 60,
            t.seconds() % 60,
            t.mseconds() % 1000
        )
    })
}

/// "WxH", with "-" for a side without an estimate.
fn fmt_size(w: Option<u32>, h: Option<u32>) -> String {
    let side = |v: Option<u32>| v.map_or("-".to_string(), |v| v.to_string());
    format!("{}x{}", side(w), side(h))
}

/// What decided an alarm edge, in words.
fn alarm_value(a: &Alarm) -> String {
    match (a.reason, a.effective_share) {
        (AlarmReason::Resolution, Some(share)) => format!(
            "effective size {:.2} of the frame (limit {:.2})",
            share, a.threshold
        ),
        _ if a.reason == AlarmReason::Drop => format!(
            "smoothed sharpness {:.3} against reference {:.3}: relative drop {:.2} (limit {:.2})",
            a.sharpness,
            a.baseline.unwrap_or(f64::NAN),
            a.relative_drop.unwrap_or(f64::NAN),
            a.threshold
        ),
        _ if a.reason == AlarmReason::Detail => {
            let (reference, fall) = (
                a.baseline.unwrap_or(f64::NAN),
                a.relative_drop.unwrap_or(f64::NAN),
            );
            format!(
                "smoothed detail {:.3} against reference {reference:.3}: relative drop {fall:.2} (limit {:.2})",
                reference * (1.0 - fall),
                a.threshold
            )
        }
        _ => format!(
            "smoothed sharpness {:.3} (threshold {:.3})",
            a.sharpness, a.threshold
        ),
    }
}

fn fmt_opt(v: Option<f64>, digits: usize) -> String {
    v.map_or("-".into(), |v| format!("{v:.digits$}"))
}

/// A pipeline analysing the built-in clip, fed from a thread.
fn builtin_pipeline() -> Result<gst::Pipeline, Box<dyn std::error::Error>> {
    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/color_astronaut__blur__0.png");
    let frames = 12 * FPS as usize;
    let soft = 4 * FPS as usize..8 * FPS as usize;
    println!(
        "Built-in clip: slow pan over a photo, {WIDTH}x{HEIGHT} RGB at {FPS} fps, {} s; \
         rendered at half size and upscaled from {} s to {} s.\n",
        frames / FPS as usize,
        soft.start / FPS as usize,
        soft.end / FPS as usize
    );
    let clip = clip::Clip {
        photo: clip::load_photo(&fixture),
        width: WIDTH,
        height: HEIGHT,
        fps: FPS,
        frames,
        soft,
        factor: 2,
        fade: 0..0,
    };
    let pipeline = gst::parse::launch(
        "appsrc name=src format=time is-live=false block=true max-buffers=8 ! sharpmeter ! fakesink",
    )?
    .downcast::<gst::Pipeline>()
    .map_err(|_| "not a pipeline")?;
    let src = pipeline
        .by_name("src")
        .ok_or("no appsrc")?
        .downcast::<gst_app::AppSrc>()
        .map_err(|_| "not an appsrc")?;
    std::thread::spawn(move || clip.feed(src));
    Ok(pipeline)
}

/// A pipeline decoding a file or URI.
fn input_pipeline(input: &str) -> Result<gst::Pipeline, Box<dyn std::error::Error>> {
    let uri = if input.contains("://") {
        input.to_string()
    } else {
        let path = std::fs::canonicalize(input).map_err(|e| format!("{input}: {e}"))?;
        gst::glib::filename_to_uri(&path, None)?.to_string()
    };
    println!("Analysing {uri}\n");
    let desc = format!("uridecodebin uri=\"{uri}\" ! videoconvert ! sharpmeter ! fakesink");
    Ok(gst::parse::launch(&desc)?
        .downcast::<gst::Pipeline>()
        .map_err(|_| "not a pipeline")?)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    gst::init()?;
    gstsharpmeter::plugin_register_static()?;
    let pipeline = match std::env::args().nth(1).filter(|s| !s.is_empty()) {
        Some(input) => input_pipeline(&input)?,
        None => builtin_pipeline()?,
    };
    let bus = pipeline.bus().ok_or("no bus")?;
    pipeline.set_state(gst::State::Playing)?;
    println!(
        "{:<10} {:>6} {:>6}  {:>9} {:>9}  {:>10} {:>10}  {:>11}  state",
        "time", "frames", "valid", "sharpness", "min", "lap-var", "tenengrad", "eff. size"
    );
    let mut result = Ok(());
    for msg in bus.iter_timed(gst::ClockTime::NONE) {
        if let Some(r) = Report::from_message(&msg) {
            println!(
                "{:<10} {:>6} {:>6}  {:>9} {:>9}  {:>10} {:>10}  {:>11}  {}",
                fmt_time(r.times.stream_time),
                r.frames,
                r.valid_frames,
                fmt_opt(r.sharpness, 3),
                fmt_opt(r.sharpness_min, 3),
                fmt_opt(r.laplacian_variance, 1),
                fmt_opt(r.tenengrad, 1),
                fmt_size(r.effective_width, r.effective_height),
                r.state.as_str()
            );
        } else if let Some(a) = Alarm::from_message(&msg) {
            match a.event {
                AlarmEvent::Start => println!(
                    ">>> ALARM START at {} ({}): {}",
                    fmt_time(a.times.stream_time),
                    a.reason.as_str(),
                    alarm_value(&a)
                ),
                AlarmEvent::End => println!(
                    "<<< ALARM END   at {} ({}) after {:.2} s: {}",
                    fmt_time(a.times.stream_time),
                    a.reason.as_str(),
                    a.duration.map_or(0.0, |d| d.nseconds() as f64 / 1e9),
                    alarm_value(&a)
                ),
            }
        } else if let Some(s) = Summary::from_message(&msg) {
            println!(
                "\nSummary: {} frames ({} valid), mean sharpness {}, min {}, median effective size {}, {} alarm(s), {:.2} s in alarm",
                s.frames,
                s.valid_frames,
                fmt_opt(s.sharpness_mean, 3),
                fmt_opt(s.sharpness_min, 3),
                fmt_size(s.effective_width, s.effective_height),
                s.alarms,
                s.alarm_duration.nseconds() as f64 / 1e9
            );
        } else {
            match msg.view() {
                gst::MessageView::Eos(_) => break,
                gst::MessageView::Error(e) => {
                    result =
                        Err(format!("{} ({})", e.error(), e.debug().unwrap_or_default()).into());
                    break;
                }
                _ => {}
            }
        }
    }
    pipeline.set_state(gst::State::Null)?;
    result
}
