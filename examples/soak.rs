//! Pushes many 1280x720 frames through sharpmeter (default properties, a report per frame)
//! and prints the process's resident memory at intervals: it stays flat when nothing leaks
//! or grows per frame.
//!
//! `cargo run --release --example soak [-- FRAMES]` (default 100000)

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
    gst::init()?;
    gstsharpmeter::plugin_register_static()?;
    // A few distinct frames repeated: the source costs little, sharpmeter does the work.
    let pipeline = gst::parse::launch(&format!(
        "videotestsrc num-buffers={frames} pattern=smpte ! video/x-raw,format=I420,width=1280,height=720,framerate=30/1 \
         ! sharpmeter name=meter interval=0 ! fakesink name=sink sync=false"
    ))?
    .downcast::<gst::Pipeline>()
    .map_err(|_| "not a pipeline")?;
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
            // Element messages are dropped as they arrive, as an application would.
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
