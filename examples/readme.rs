//! The Rust snippet of docs/integration.md; tests/readme.rs checks that the page shows this
//! file and runs it.

use gst::prelude::*;
use gstsharpmeter::messages::{Alarm, AlarmEvent, Report};

pub fn run() -> Result<Vec<String>, Box<dyn std::error::Error>> {
    gst::init()?;
    gstsharpmeter::plugin_register_static()?;
    let pipeline = gst::parse::launch(
        "videotestsrc num-buffers=100 pattern=pinwheel ! video/x-raw,width=640,height=360 \
         ! sharpmeter threshold=0.3 ! fakesink",
    )?;
    pipeline.set_state(gst::State::Playing)?;
    let mut lines = Vec::new();
    for msg in pipeline.bus().unwrap().iter_timed(gst::ClockTime::NONE) {
        if let Some(r) = Report::from_message(&msg) {
            lines.push(format!(
                "report: sharpness {:?} over {} frames",
                r.sharpness, r.frames
            ));
        } else if let Some(a) = Alarm::from_message(&msg) {
            if a.event == AlarmEvent::Start {
                lines.push(format!(
                    "alarm ({}) since {:?}",
                    a.reason.as_str(),
                    a.times.running_time
                ));
            }
        } else if let gst::MessageView::Eos(_) | gst::MessageView::Error(_) = msg.view() {
            break;
        }
    }
    pipeline.set_state(gst::State::Null)?;
    Ok(lines)
}

#[allow(dead_code)]
fn main() {
    for line in run().expect("the pipeline runs") {
        println!("{line}");
    }
}
