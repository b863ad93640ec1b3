//! Helpers shared by the integration tests: plugin registration, fixtures, and running real
//! pipelines to EOS while collecting sharpmeter's messages and the buffers that reach a sink.

#![allow(dead_code)]

pub mod clip;

use std::path::PathBuf;
use std::sync::{Arc, Mutex, Once};

use gst::prelude::*;

pub fn init() {
    static INIT: Once = Once::new();
    INIT.call_once(|| {
        gst::init().unwrap();
        gstsharpmeter::plugin_register_static().unwrap();
    });
}

pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// A 640x360 pan at 25 fps over the astronaut fixture, `seconds` long, rendered at half size
/// and upscaled during `soft` (in seconds).
pub fn astronaut_pan(seconds: usize, soft: std::ops::Range<usize>) -> clip::Clip {
    clip::Clip {
        photo: clip::load_photo(&fixture("color_astronaut__blur__0.png")),
        width: 640,
        height: 360,
        fps: 25,
        frames: seconds * 25,
        soft: soft.start * 25..soft.end * 25,
        factor: 2,
        fade: 0..0,
    }
}

/// What a pipeline run produced.
#[derive(Default)]
pub struct Run {
    /// Element messages posted by sharpmeter, in order.
    pub messages: Vec<gst::Message>,
    /// Buffers that reached an appsink named `sink`, in order.
    pub buffers: Vec<gst::Buffer>,
    /// Warning messages, in order.
    pub warnings: Vec<gst::Message>,
}

impl Run {
    /// The end-of-stream summary, which must be the last element message.
    pub fn summary(&self) -> gstsharpmeter::messages::Summary {
        let last = self.messages.last().expect("element messages");
        gstsharpmeter::messages::Summary::from_message(last).expect("summary is the last message")
    }

    /// The texts of the warning messages, in order.
    pub fn warning_texts(&self) -> Vec<String> {
        self.warnings
            .iter()
            .filter_map(|m| match m.view() {
                gst::MessageView::Warning(w) => Some(w.error().to_string()),
                _ => None,
            })
            .collect()
    }
}

/// Runs `pipeline` to EOS. Panics on an error message or after 60 s.
pub fn run_pipeline(pipeline: &gst::Pipeline) -> Run {
    let buffers = Arc::new(Mutex::new(Vec::new()));
    if let Some(sink) = pipeline.by_name("sink") {
        let sink = sink
            .downcast::<gst_app::AppSink>()
            .expect("sink is an appsink");
        sink.set_property("sync", false);
        let store = buffers.clone();
        sink.set_callbacks(
            gst_app::AppSinkCallbacks::builder()
                .new_sample(move |s| {
                    let sample = s.pull_sample().map_err(|_| gst::FlowError::Eos)?;
                    store.lock().unwrap().push(sample.buffer_owned().unwrap());
                    Ok(gst::FlowSuccess::Ok)
                })
                .build(),
        );
    }
    let bus = pipeline.bus().unwrap();
    pipeline.set_state(gst::State::Playing).unwrap();
    let (mut messages, mut warnings) = (Vec::new(), Vec::new());
    for msg in bus.iter_timed(gst::ClockTime::from_seconds(60)) {
        match msg.view() {
            gst::MessageView::Eos(_) => {
                pipeline.set_state(gst::State::Null).unwrap();
                let buffers = std::mem::take(&mut *buffers.lock().unwrap());
                return Run {
                    messages,
                    buffers,
                    warnings,
                };
            }
            gst::MessageView::Error(e) => {
                pipeline.set_state(gst::State::Null).unwrap();
                panic!("pipeline error: {} ({:?})", e.error(), e.debug());
            }
            gst::MessageView::Element(_) => messages.push(msg.clone()),
            gst::MessageView::Warning(_) => warnings.push(msg.clone()),
            _ => {}
        }
    }
    pipeline.set_state(gst::State::Null).unwrap();
    panic!("pipeline did not reach EOS within 60 s");
}

/// Parses and runs a gst-launch description.
pub fn run(desc: &str) -> Run {
    init();
    let pipeline = gst::parse::launch(desc)
        .unwrap_or_else(|e| panic!("{desc}: {e}"))
        .downcast::<gst::Pipeline>()
        .unwrap();
    run_pipeline(&pipeline)
}

/// Parses a gst-launch description with an appsrc named `src`; returns both.
pub fn appsrc_pipeline(desc: &str) -> (gst::Pipeline, gst_app::AppSrc) {
    init();
    let pipeline = gst::parse::launch(desc)
        .unwrap_or_else(|e| panic!("{desc}: {e}"))
        .downcast::<gst::Pipeline>()
        .unwrap();
    let src = pipeline
        .by_name("src")
        .expect("an element named src")
        .downcast::<gst_app::AppSrc>()
        .expect("src is an appsrc");
    (pipeline, src)
}

/// The appsink named `sink` in `pipeline`.
pub fn appsink(pipeline: &gst::Pipeline) -> gst_app::AppSink {
    pipeline
        .by_name("sink")
        .expect("an element named sink")
        .downcast::<gst_app::AppSink>()
        .expect("sink is an appsink")
}

/// Runs `clip` through `appsrc ! sharpmeter <props> ! fakesink`.
pub fn run_clip(clip: clip::Clip, props: &str) -> Run {
    let (pipeline, src) = appsrc_pipeline(&format!(
        "appsrc name=src format=time block=true max-buffers=4 ! sharpmeter {props} ! fakesink"
    ));
    let feeder = std::thread::spawn(move || clip.feed(src));
    let run = run_pipeline(&pipeline);
    feeder.join().unwrap();
    run
}

/// Directory of the built plugin: the cdylib sits beside the test binary's `deps/`.
pub fn plugin_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().parent().unwrap().to_path_buf();
    assert!(
        dir.join("libgstsharpmeter.so").exists(),
        "{} has no libgstsharpmeter.so",
        dir.display()
    );
    dir
}

/// Runs `program args` with the built plugin on `GST_PLUGIN_PATH` and a private registry
/// named `registry`; its stdout. Panics, with its stderr, when it fails.
pub fn run_with_plugin<S: AsRef<std::ffi::OsStr>>(
    program: &str,
    args: &[S],
    registry: &str,
) -> String {
    let out = std::process::Command::new(program)
        .args(args)
        .env("GST_PLUGIN_PATH", plugin_dir())
        .env(
            "GST_REGISTRY",
            // Set when tests are built; examples that include this file use the temp dir.
            option_env!("CARGO_TARGET_TMPDIR")
                .map_or_else(std::env::temp_dir, PathBuf::from)
                .join(registry),
        )
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{program} {:?} failed: {}\n{stdout}",
        args.iter()
            .map(|a| a.as_ref().to_string_lossy())
            .collect::<Vec<_>>(),
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// Relative difference of `a` from `b`.
pub fn rel(a: f64, b: f64) -> f64 {
    if b == 0.0 {
        a.abs()
    } else {
        ((a - b) / b).abs()
    }
}
