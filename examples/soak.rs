//! Pushes many 1280x720 frames through sharpmeter (default properties, a report per frame)
//! and prints the process's resident memory at intervals: it stays flat when nothing leaks
//! or grows per frame.
//!
//! `cargo run --release --example soak [-- FRAMES [flapping|untimestamped]]` (default 100000)
//!
//! `flapping`: 64x64 frames alternating sharp and soft with `window=0 min-duration=0`, an alarm
//! episode every two frames. `untimestamped`: 64x64 frames without timestamps or frame rate,
//! `window=18446744073709551615`.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use gst::prelude::*;

/// Resident set size in KiB, from /proc/self/status.
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let frames: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000);
    let mode = std::env::args().nth(2).unwrap_or_default();
    gst::init()?;
    gstsharpmeter::plugin_register_static()?;
    // A few distinct frames repeated: the source costs little, sharpmeter does the work.
    let desc = match mode.as_str() {
        "flapping" => format!(
            "videotestsrc num-buffers={frames} pattern=smpte ! video/x-raw,format=GRAY8,width=64,height=64,framerate=30/1 \
             ! sharpmeter name=meter interval=0 window=0 min-duration=0 threshold=0.9 ! fakesink name=sink sync=false"
        ),
        "untimestamped" => format!(
            "videotestsrc num-buffers={frames} pattern=smpte ! video/x-raw,format=GRAY8,width=64,height=64,framerate=30/1 \
             ! capssetter caps=video/x-raw,framerate=(fraction)0/1 \
             ! sharpmeter name=meter interval=0 window=18446744073709551615 ! fakesink name=sink sync=false"
        ),
        _ => format!(
            "videotestsrc num-buffers={frames} pattern=smpte ! video/x-raw,format=I420,width=1280,height=720,framerate=30/1 \
             ! sharpmeter name=meter interval=0 ! fakesink name=sink sync=false"
        ),
    };
    let pipeline = gst::parse::launch(&desc)?
        .downcast::<gst::Pipeline>()
        .map_err(|_| "not a pipeline")?;
    let meter_pad = pipeline
        .by_name("meter")
        .and_then(|m| m.static_pad("sink"))
        .ok_or("no meter")?;
    let pushed = AtomicU64::new(0);
    let untimestamped = mode == "untimestamped";
    let flapping = mode == "flapping";
    meter_pad.add_probe(gst::PadProbeType::BUFFER, move |_, info| {
        let n = pushed.fetch_add(1, Ordering::Relaxed);
        if let Some(buf) = info.buffer_mut() {
            let buf = buf.make_mut();
            if untimestamped {
                buf.set_pts(gst::ClockTime::NONE);
                buf.set_duration(gst::ClockTime::NONE);
            }
            if flapping && n % 2 == 1 {
                // Every other frame soft: each pixel the mean of its row's run of 8.
                let mut map = buf.map_writable().expect("writable");
                for run in map.chunks_mut(8) {
                    let mean =
                        (run.iter().map(|&v| v as u32).sum::<u32>() / run.len() as u32) as u8;
                    run.fill(mean);
                }
            }
        }
        gst::PadProbeReturn::Ok
    });
    let count = Arc::new(AtomicU64::new(0));
    let step = (frames / 20).max(1);
    let sink_pad = pipeline
        .by_name("sink")
        .and_then(|s| s.static_pad("sink"))
        .ok_or("no sink pad")?;
    let seen = count.clone();
    sink_pad.add_probe(gst::PadProbeType::BUFFER, move |_, _| {
        let n = seen.fetch_add(1, Ordering::Relaxed) + 1;
        if n == 1 || n.is_multiple_of(step) {
            println!("{n:>8} frames  RSS {:>8} KiB", rss_kib());
        }
        gst::PadProbeReturn::Ok
    });
    let bus = pipeline.bus().ok_or("no bus")?;
    pipeline.set_state(gst::State::Playing)?;
    let start = std::time::Instant::now();
    for msg in bus.iter_timed(gst::ClockTime::NONE) {
        match msg.view() {
            gst::MessageView::Eos(_) => break,
            gst::MessageView::Error(e) => {
                pipeline.set_state(gst::State::Null)?;
                return Err(format!("{} ({:?})", e.error(), e.debug()).into());
            }
            gst::MessageView::Element(_) => {
                if let Some(summary) = gstsharpmeter::messages::Summary::from_message(&msg) {
                    println!(
                        "summary: {} alarms, {} episodes listed, {} omitted",
                        summary.alarms,
                        summary.episodes.len(),
                        summary.episodes_omitted
                    );
                }
            }
            // Other messages are dropped as they arrive, as an application would.
            _ => {}
        }
    }
    pipeline.set_state(gst::State::Null)?;
    println!(
        "{} frames in {:.1} s, RSS at the end {} KiB",
        count.load(Ordering::Relaxed),
        start.elapsed().as_secs_f64(),
        rss_kib()
    );
    Ok(())
}
