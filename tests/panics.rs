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
    // The state lock the panic poisoned is recovered, not unwrapped into an abort.
    meter.set_property("baseline-location", "/nonexistent/baseline.json");
    assert!(!meter.emit_by_name::<bool>("baseline-save", &[]));
    pipeline.set_state(gst::State::Null).unwrap();
}

#[test]
fn a_panic_on_the_second_analysis_thread_becomes_an_element_error() {
    let w = gstsharpmeter::analysis::meter::analyzer::FAULT_WIDTH;
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

/// The first error on `pipeline`'s bus within 10 s, if it came from `meter`.
fn meter_error_within(pipeline: &gst::Pipeline) -> Option<String> {
    let msg = pipeline
        .bus()
        .unwrap()
        .timed_pop_filtered(gst::ClockTime::from_seconds(10), &[gst::MessageType::Error])?;
    let gst::MessageView::Error(e) = msg.view() else {
        unreachable!()
    };
    (msg.src()?.name() == "meter").then(|| e.error().to_string())
}

/// A frame for the 64x64 GRAY8 pipelines below.
fn frame(pts: gst::ClockTime) -> gst::Buffer {
    let mut buf = gst::Buffer::from_mut_slice(
        (0..64 * 64)
            .map(|i| (i * 7 % 251) as u8)
            .collect::<Vec<u8>>(),
    );
    buf.get_mut().unwrap().set_pts(pts);
    buf
}

#[test]
fn a_panic_in_any_entry_point_becomes_an_element_error_and_never_aborts() {
    let entries = [
        "set-property",
        "property",
        "baseline-save",
        "start",
        "stop",
        "set-caps",
        "sink-event",
        "src-event",
        "propose-allocation",
        "transform",
    ];
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("panics-entry-points");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for entry in entries {
        let (pipeline, src) = common::appsrc_pipeline(&format!(
            "appsrc name=src format=time caps=video/x-raw,format=GRAY8,width=64,height=64,framerate=25/1 \
             ! sharpmeter name=meter baseline-duration=0 baseline-location=\"{}\" ! fakesink",
            dir.join(format!("{entry}.json")).display()
        ));
        let meter = pipeline.by_name("meter").unwrap();
        let armed = entry != "start" && entry != "set-caps";
        if armed {
            pipeline.set_state(gst::State::Playing).unwrap();
            src.push_buffer(frame(gst::ClockTime::ZERO)).unwrap();
            // Let the frame through before the fault is armed.
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
        meter.set_property("fault", entry);
        match entry {
            "set-property" => meter.set_property("threshold", 0.5f64),
            "property" => assert_eq!(meter.property::<f64>("threshold"), 0.2),
            "baseline-save" => assert!(!meter.emit_by_name::<bool>("baseline-save", &[])),
            "start" => {
                let _ = pipeline.set_state(gst::State::Playing);
            }
            "stop" => {
                pipeline.set_state(gst::State::Ready).unwrap();
            }
            "src-event" => {
                let ev =
                    gst::event::Qos::new(gst::QOSType::Underflow, 1.0, 0, gst::ClockTime::ZERO);
                let _ = meter.static_pad("src").unwrap().send_event(ev);
            }
            "propose-allocation" => {
                let caps = gst::Caps::builder("video/x-raw")
                    .field("format", "GRAY8")
                    .field("width", 64)
                    .field("height", 64)
                    .field("framerate", gst::Fraction::new(25, 1))
                    .build();
                let mut q = gst::query::Allocation::new(Some(&caps), true);
                let _ = meter.static_pad("sink").unwrap().query(&mut q);
            }
            "sink-event" => {
                let _ = src.end_of_stream();
            }
            _ => {
                let _ = pipeline.set_state(gst::State::Playing);
                let _ = src.push_buffer(frame(gst::ClockTime::from_mseconds(40)));
            }
        }
        let error = meter_error_within(&pipeline);
        assert!(
            error
                .as_deref()
                .is_some_and(|e| e.contains("fault injected") || e.contains("Panicked")),
            "{entry}: {error:?}"
        );
        // The process goes on: the locks the panic held are recovered.
        meter.set_property("fault", None::<&str>);
        meter.set_property("threshold", 0.3f64);
        assert_eq!(meter.property::<f64>("threshold"), 0.3);
        let _ = meter.emit_by_name::<bool>("baseline-save", &[]);
        pipeline.set_state(gst::State::Null).unwrap();
    }
}

#[test]
fn a_panic_in_the_meta_transform_drops_the_meta_copy_only() {
    common::init();
    let mut buf = frame(gstsharpmeter::fault::FAULT_PTS);
    let meta = gstsharpmeter::meta::SharpMeterMeta::default();
    meta.add(buf.get_mut().unwrap()).unwrap();
    let copy = buf.copy();
    assert!(gstsharpmeter::meta::SharpMeterMeta::from_buffer(&copy).is_none());
    assert!(gstsharpmeter::meta::SharpMeterMeta::from_buffer(&buf).is_some());
}
