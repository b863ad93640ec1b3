//! Stream events and flags a long-running element meets: GAP events, DISCONT buffers,
//! segments with rate != 1, interlaced caps, properties changed from another thread while
//! PLAYING, and a flushing seek.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use common::clip::load_photo;
use common::{fixture, init, run_pipeline};
use gst::prelude::*;
use gst_check::Harness;
use gstsharpmeter::messages::{Alarm, Report, Summary};
use gstsharpmeter::meta::SharpMeterMeta;

const W: u32 = 256;
const H: u32 = 192;
const FRAME: gst::ClockTime = gst::ClockTime::from_mseconds(40);

fn harness(caps: gst::Caps) -> (Harness, gst::Bus) {
    init();
    let mut h = Harness::new("sharpmeter");
    let element = h.element().unwrap();
    element.set_property("interval", 0u64);
    let bus = gst::Bus::new();
    element.set_bus(Some(&bus));
    h.set_src_caps(caps);
    (h, bus)
}

fn gray_caps() -> gst::Caps {
    init();
    gst_video::VideoInfo::builder(gst_video::VideoFormat::Gray8, W, H)
        .fps(gst::Fraction::new(25, 1))
        .build()
        .unwrap()
        .to_caps()
        .unwrap()
}

/// A GRAY8 crop of a photo.
fn frame(pts: gst::ClockTime) -> (Vec<u8>, gst::Buffer) {
    let p = load_photo(&fixture("gray_camera__blur__0.png"));
    let data: Vec<u8> = (0..H as usize)
        .flat_map(|y| (0..W as usize).map(move |x| (y + 50, x + 50)))
        .map(|(y, x)| p.rgb[(y * p.width + x) * 3])
        .collect();
    let mut buf = gst::Buffer::from_mut_slice(data.clone());
    let b = buf.get_mut().unwrap();
    b.set_pts(pts);
    b.set_duration(FRAME);
    (data, buf)
}

fn reports(bus: &gst::Bus) -> Vec<Report> {
    std::iter::from_fn(|| bus.pop_filtered(&[gst::MessageType::Element]))
        .filter_map(|m| Report::from_message(&m))
        .collect()
}

#[test]
fn gap_events_pass_and_the_stream_goes_on() {
    let (mut h, bus) = harness(gray_caps());
    h.push(frame(gst::ClockTime::ZERO).1).unwrap();
    assert!(h.push_event(gst::event::Gap::builder(FRAME).duration(FRAME * 10).build()));
    h.push(frame(FRAME * 11).1).unwrap();
    assert_eq!(h.buffers_received(), 2);
    let gap = std::iter::from_fn(|| h.try_pull_event()).find(|e| e.type_() == gst::EventType::Gap);
    assert!(gap.is_some(), "the GAP event travels downstream");
    let r = reports(&bus);
    assert_eq!(r.len(), 2);
    assert_eq!(r[1].times.timestamp, Some(FRAME * 11));
}

#[test]
fn discont_buffers_keep_their_flag_and_are_measured() {
    let (mut h, _bus) = harness(gray_caps());
    let (data, mut buf) = frame(gst::ClockTime::ZERO);
    buf.get_mut().unwrap().set_flags(gst::BufferFlags::DISCONT);
    h.push(buf).unwrap();
    let out = h.pull().unwrap();
    assert!(out.flags().contains(gst::BufferFlags::DISCONT));
    assert_eq!(out.map_readable().unwrap().as_slice(), &data[..]);
    assert!(SharpMeterMeta::from_buffer(&out).unwrap().figures.valid);
}

#[test]
fn running_time_follows_a_segment_rate() {
    let (mut h, bus) = harness(gray_caps());
    let mut segment = gst::FormattedSegment::<gst::ClockTime>::new();
    segment.set_rate(2.0);
    assert!(h.push_event(gst::event::Segment::new(&segment)));
    for i in 0..3 {
        h.push(frame(FRAME * i * 2).1).unwrap();
    }
    let r = reports(&bus);
    assert_eq!(r.len(), 3);
    // At rate 2, 160 ms of stream take 80 ms of running time.
    assert_eq!(r[2].times.timestamp, Some(FRAME * 4));
    assert_eq!(r[2].times.running_time, Some(FRAME * 2));
    assert_eq!(r[2].times.stream_time, Some(FRAME * 4));
}

#[test]
fn interlaced_frames_are_measured_as_whole_frames() {
    init();
    let caps = gst_video::VideoInfo::builder(gst_video::VideoFormat::Gray8, W, H)
        .fps(gst::Fraction::new(25, 1))
        .interlace_mode(gst_video::VideoInterlaceMode::Interleaved)
        .build()
        .unwrap()
        .to_caps()
        .unwrap();
    let (mut h, _bus) = harness(caps);
    let (data, buf) = frame(gst::ClockTime::ZERO);
    h.push(buf).unwrap();
    let out = h.pull().unwrap();
    assert_eq!(out.map_readable().unwrap().as_slice(), &data[..]);
    let interlaced = SharpMeterMeta::from_buffer(&out).unwrap().figures;
    let (mut p, _) = harness(gray_caps());
    p.push(frame(gst::ClockTime::ZERO).1).unwrap();
    let progressive = SharpMeterMeta::from_buffer(&p.pull().unwrap())
        .unwrap()
        .figures;
    assert_eq!(interlaced, progressive);
}

#[test]
fn properties_changed_from_another_thread_while_playing() {
    init();
    let pipeline = gst::parse::launch(
        "videotestsrc num-buffers=1500 ! video/x-raw,width=320,height=240 \
         ! sharpmeter name=meter ! fakesink",
    )
    .unwrap()
    .downcast::<gst::Pipeline>()
    .unwrap();
    let meter = pipeline.by_name("meter").unwrap();
    let done = Arc::new(AtomicBool::new(false));
    let changer = {
        let (meter, done) = (meter.clone(), done.clone());
        std::thread::spawn(move || {
            let mut i = 0u64;
            while !done.load(Ordering::Relaxed) {
                meter.set_property("threshold", (i % 100) as f64 / 100.0);
                meter.set_property("resolution-threshold", (i % 7) as f64 / 10.0);
                meter.set_property("window", (i % 5) * 100_000_000);
                meter.set_property("min-duration", (i % 3) * 100_000_000);
                meter.set_property("interval", (i % 4) * 50_000_000);
                meter.set_property("analyze-every", 1 + (i % 3) as u32);
                meter.set_property("attach-meta", i.is_multiple_of(2));
                meter.set_property("drop", (i % 5) as f64 / 10.0);
                // Regions partly outside the 320x240 frame too.
                meter.set_property("roi-x", (i % 4) as u32 * 100);
                meter.set_property("roi-y", (i % 2) as u32 * 100);
                meter.set_property("roi-width", (i % 3) as u32 * 150);
                meter.set_property("roi-height", (i % 5) as u32 * 60);
                meter.set_property("detect-bars", i.is_multiple_of(3));
                meter.set_property("tile-columns", (i % 4) as u32);
                meter.set_property("tile-rows", (i % 3) as u32);
                meter.set_property_from_str(
                    "metrics",
                    [
                        "tenengrad",
                        "laplacian-variance+effective-resolution",
                        "edge-width",
                    ][(i % 3) as usize],
                );
                i += 1;
            }
            i
        })
    };
    let run = run_pipeline(&pipeline);
    done.store(true, Ordering::Relaxed);
    let changes = changer.join().unwrap();
    assert!(changes > 100, "only {changes} rounds of changes");
    let s = Summary::from_message(run.messages.last().unwrap()).expect("summary last");
    assert!(s.frames > 0 && s.frames <= 1500);
    // The last values set are the ones in force.
    meter.set_property("threshold", 0.25f64);
    assert_eq!(meter.property::<f64>("threshold"), 0.25);
}

#[test]
fn a_flushing_seek_ends_the_open_alarm_and_measures_afresh() {
    init();
    // Threshold 1 puts every valid frame in alarm, with no smoothing or minimum duration.
    let pipeline = gst::parse::launch(&format!(
        "filesrc location={} ! pngdec ! videoconvert ! imagefreeze num-buffers=60 \
         ! video/x-raw,format=GRAY8,framerate=25/1 \
         ! sharpmeter threshold=1 resolution-threshold=0 min-duration=0 window=0 interval=0 \
         ! appsink name=sink sync=false max-buffers=2",
        fixture("gray_camera__blur__0.png").display()
    ))
    .unwrap()
    .downcast::<gst::Pipeline>()
    .unwrap();
    let sink = common::appsink(&pipeline);
    let bus = pipeline.bus().unwrap();
    pipeline.set_state(gst::State::Playing).unwrap();
    let pts: Vec<_> = (0..20)
        .map(|_| sink.pull_sample().unwrap().buffer().unwrap().pts().unwrap())
        .collect();
    assert_eq!(pts[19], FRAME * 19);
    pipeline
        .seek_simple(gst::SeekFlags::FLUSH, gst::ClockTime::ZERO)
        .unwrap();
    // After the seek the stream starts again at 0.
    let after: Vec<_> = (0..10)
        .map(|_| sink.pull_sample().unwrap().buffer().unwrap().pts().unwrap())
        .collect();
    assert!(after.contains(&gst::ClockTime::ZERO), "{after:?}");
    // The remaining frames flow to EOS; appsink posts EOS once it is drained.
    while sink.pull_sample().is_ok() {}
    let mut alarms = vec![];
    let mut summary = None;
    for msg in bus.iter_timed(gst::ClockTime::from_seconds(30)) {
        match msg.view() {
            gst::MessageView::Element(_) => {
                if let Some(a) = Alarm::from_message(&msg) {
                    alarms.push(a);
                } else if let Some(s) = Summary::from_message(&msg) {
                    summary = Some(s);
                }
            }
            gst::MessageView::Eos(_) => break,
            gst::MessageView::Error(e) => panic!("{}", e.error()),
            _ => {}
        }
    }
    pipeline.set_state(gst::State::Null).unwrap();
    use gstsharpmeter::messages::AlarmEvent::{End, Start};
    let events: Vec<_> = alarms.iter().map(|a| a.event).collect();
    // One episode before the flush, closed by it; a new one after, closed at EOS.
    assert_eq!(events, vec![Start, End, Start, End], "{alarms:?}");
    assert_eq!(alarms[0].times.timestamp, Some(gst::ClockTime::ZERO));
    assert!(
        alarms[1].duration.unwrap() >= FRAME * 20,
        "the first episode covers the frames before the seek: {:?}",
        alarms[1]
    );
    assert_eq!(alarms[2].times.timestamp, Some(gst::ClockTime::ZERO));
    assert!(summary.is_some());
}
