//! A panic inside the element, or on its second analysis thread, never crosses the FFI
//! boundary: it becomes an element error, the element refuses further buffers, and the
//! pipeline shuts down cleanly. Needs the
//! `fault-injection` feature (`make test` runs it).
#![cfg(feature = "fault-injection")]

mod common;

use gst::prelude::*;

/// The text of the first error message on `pipeline`'s bus, which must come from the element
/// named `meter`.
fn meter_error(pipeline: &gst::Pipeline) -> String {
    let error = pipeline
        .bus()
        .unwrap()
        .timed_pop_filtered(gst::ClockTime::from_seconds(10), &[gst::MessageType::Error])
        .expect("an error message");
    let gst::MessageView::Error(e) = error.view() else {
        unreachable!()
    };
    assert_eq!(error.src().unwrap().name(), "meter", "{e:?}");
    e.error().to_string()
}

#[test]
fn an_injected_panic_becomes_an_element_error() {
    let (pipeline, src) = common::appsrc_pipeline(
        "appsrc name=src format=time caps=video/x-raw,format=GRAY8,width=64,height=64,framerate=25/1 \
         ! sharpmeter name=meter ! fakesink",
    );
    pipeline.set_state(gst::State::Playing).unwrap();
    for pts in [gst::ClockTime::ZERO, gst::ClockTime::from_seconds(4242)] {
        let mut buf = gst::Buffer::from_mut_slice(vec![128u8; 64 * 64]);
        buf.get_mut().unwrap().set_pts(pts);
        src.push_buffer(buf).unwrap();
    }
    assert!(meter_error(&pipeline).contains("fault injected"));
    // The element stays usable from the application: properties and state changes work.
    let meter = pipeline.by_name("meter").unwrap();
    meter.set_property("threshold", 0.5f64);
    assert_eq!(meter.property::<f64>("threshold"), 0.5);
    pipeline.set_state(gst::State::Null).unwrap();
}

#[test]
fn a_panic_on_the_second_analysis_thread_becomes_an_element_error() {
    let w = gstsharpmeter::analysis::figures::FAULT_WIDTH;
    let (pipeline, src) = common::appsrc_pipeline(&format!(
        "appsrc name=src format=time caps=video/x-raw,format=GRAY8,width={w},height=64,framerate=25/1 \
         ! sharpmeter name=meter threads=2 ! fakesink"
    ));
    pipeline.set_state(gst::State::Playing).unwrap();
    let mut buf = gst::Buffer::from_mut_slice(vec![128u8; w * 64]);
    buf.get_mut().unwrap().set_pts(gst::ClockTime::ZERO);
    let _ = src.push_buffer(buf);
    assert!(meter_error(&pipeline).contains("second analysis thread"));
    pipeline.set_state(gst::State::Null).unwrap();
}
