//! sharpmeter's messages and properties in a gst-check Harness with a bus.

mod common;

use std::sync::OnceLock;

use common::clip::{Photo, load_photo};
use common::{fixture, init};
use gst::glib;
use gst::prelude::*;
use gst_base::prelude::*;
use gst_check::Harness;
use gstsharpmeter::messages::{Alarm, AlarmEvent, Report, Summary};
use gstsharpmeter::meta::SharpMeterMeta;

const W: u32 = 128;
const H: u32 = 96;
const FRAME: gst::ClockTime = gst::ClockTime::from_mseconds(40);

/// A harness around sharpmeter with a bus, GRAY8 128x96 at 25 fps.
fn harness(props: &[(&str, glib::Value)]) -> (Harness, gst::Bus) {
    init();
    let mut h = Harness::new("sharpmeter");
    let element = h.element().unwrap();
    for (name, value) in props {
        element.set_property_from_value(name, value);
    }
    let bus = gst::Bus::new();
    element.set_bus(Some(&bus));
    let info = gst_video::VideoInfo::builder(gst_video::VideoFormat::Gray8, W, H)
        .fps(gst::Fraction::new(25, 1))
        .build()
        .unwrap();
    h.set_src_caps(info.to_caps().unwrap());
    (h, bus)
}

/// A GRAY8 frame cut from a photo, `i` pixels further right for frame `i`.
fn frame(i: u64, pts: Option<gst::ClockTime>) -> gst::Buffer {
    static PHOTO: OnceLock<Photo> = OnceLock::new();
    let p = PHOTO.get_or_init(|| load_photo(&fixture("gray_camera__blur__0.png")));
    let data: Vec<u8> = (0..H as usize)
        .flat_map(|y| (0..W as usize).map(move |x| (y + 100, x + 100 + i as usize)))
        .map(|(y, x)| p.rgb[(y * p.width + x) * 3])
        .collect();
    let mut buf = gst::Buffer::from_mut_slice(data);
    let b = buf.get_mut().unwrap();
    b.set_pts(pts);
    b.set_duration(FRAME);
    buf
}

fn element_messages(bus: &gst::Bus) -> Vec<gst::Message> {
    std::iter::from_fn(|| bus.pop_filtered(&[gst::MessageType::Element])).collect()
}

fn reports(msgs: &[gst::Message]) -> Vec<Report> {
    msgs.iter()
        .filter_map(|m| Report::from_message(m))
        .collect()
}

#[test]
fn report_times_follow_the_segment() {
    let (mut h, bus) = harness(&[("interval", 0u64.to_value())]);
    let mut segment = gst::FormattedSegment::<gst::ClockTime>::new();
    segment.set_start(gst::ClockTime::from_seconds(10));
    segment.set_time(gst::ClockTime::from_seconds(100));
    assert!(h.push_event(gst::event::Segment::new(&segment)));
    let pts = gst::ClockTime::from_seconds(10) + FRAME * 3;
    h.push(frame(0, Some(pts))).unwrap();
    let out = h.pull().unwrap();
    let msgs = element_messages(&bus);
    let r = reports(&msgs);
    assert_eq!(r.len(), 1);
    let r = &r[0];
    assert_eq!(r.times.timestamp, Some(pts));
    assert_eq!(r.times.running_time, Some(FRAME * 3));
    assert_eq!(
        r.times.stream_time,
        Some(gst::ClockTime::from_seconds(100) + FRAME * 3)
    );
    assert_eq!(r.duration, Some(FRAME));
    assert_eq!((r.frames, r.valid_frames), (1, 1));
    // The message comes from the element, and the meta has the report's values.
    assert_eq!(msgs[0].src().unwrap(), &h.element().unwrap());
    let meta = SharpMeterMeta::from_buffer(&out).unwrap().figures;
    assert_eq!(r.sharpness, Some(meta.sharpness));
    assert_eq!(r.laplacian_variance, meta.laplacian_variance);
    assert_eq!(r.tenengrad, meta.tenengrad);
    // Raw field types are the documented ones.
    let s = msgs[0].structure().unwrap();
    assert_eq!(
        s.get::<u64>("running-time").unwrap(),
        (FRAME * 3).nseconds()
    );
    assert_eq!(s.get::<&str>("state").unwrap(), "ok");
}

#[test]
fn buffer_outside_segment_or_without_pts_has_no_time() {
    let (mut h, bus) = harness(&[("interval", 0u64.to_value())]);
    let mut segment = gst::FormattedSegment::<gst::ClockTime>::new();
    segment.set_start(gst::ClockTime::from_seconds(10));
    assert!(h.push_event(gst::event::Segment::new(&segment)));
    h.push(frame(0, None)).unwrap();
    h.push(frame(1, Some(gst::ClockTime::from_seconds(1))))
        .unwrap();
    let msgs = element_messages(&bus);
    assert_eq!(msgs.len(), 2);
    let s = msgs[0].structure().unwrap();
    for field in ["timestamp", "stream-time", "running-time"] {
        assert_eq!(s.get::<u64>(field).unwrap(), u64::MAX, "{field}");
    }
    // Before the segment start: a PTS but no running time.
    let r = Report::from_message(&msgs[1]).unwrap();
    assert_eq!(r.times.timestamp, Some(gst::ClockTime::from_seconds(1)));
    assert_eq!(r.times.running_time, None);
    assert_eq!(h.buffers_received(), 2);
}

#[test]
fn reports_cover_each_interval_and_eos_closes_with_a_summary() {
    // A 128x96 crop of a smooth coat reads soft; the alarm is not this test's subject.
    let (mut h, bus) = harness(&[("threshold", 0.0f64.to_value())]);
    for i in 0..60 {
        h.push(frame(i, Some(FRAME * i))).unwrap();
    }
    assert!(h.push_event(gst::event::Eos::new()));
    let msgs = element_messages(&bus);
    let r = reports(&msgs);
    assert_eq!(
        r.iter().map(|r| r.frames).collect::<Vec<_>>(),
        vec![25, 25, 10]
    );
    assert_eq!(r[0].duration, Some(gst::ClockTime::SECOND));
    assert_eq!(r[1].times.timestamp, Some(gst::ClockTime::SECOND));
    let s = Summary::from_message(msgs.last().unwrap()).expect("summary is last");
    assert_eq!((s.frames, s.valid_frames, s.alarms), (60, 60, 0));
    let mean = r
        .iter()
        .map(|r| r.sharpness.unwrap() * r.frames as f64)
        .sum::<f64>()
        / 60.0;
    assert!((s.sharpness_mean.unwrap() - mean).abs() < 1e-12);
    // EOS travels on after the summary.
    assert!(std::iter::from_fn(|| h.try_pull_event()).any(|e| e.type_() == gst::EventType::Eos));
}

#[test]
fn eos_without_buffers_posts_an_empty_summary() {
    let (mut h, bus) = harness(&[]);
    assert!(h.push_event(gst::event::Eos::new()));
    let msgs = element_messages(&bus);
    assert_eq!(msgs.len(), 1);
    let s = msgs[0].structure().unwrap();
    assert_eq!(s.name(), "sharpmeter-summary");
    assert_eq!(s.get::<u32>("frames").unwrap(), 0);
    assert!(!s.has_field("sharpness-mean"));
}

#[test]
fn analyze_every_skips_frames_without_meta() {
    let (mut h, bus) = harness(&[
        ("analyze-every", 3u32.to_value()),
        ("interval", 0u64.to_value()),
    ]);
    let mut with_meta = vec![];
    for i in 0..9 {
        h.push(frame(i, Some(FRAME * i))).unwrap();
        with_meta.push(SharpMeterMeta::from_buffer(&h.pull().unwrap()).is_some());
    }
    assert_eq!(
        with_meta,
        [true, false, false, true, false, false, true, false, false]
    );
    assert_eq!(reports(&element_messages(&bus)).len(), 3);
}

#[test]
fn attach_meta_off_is_passthrough_with_messages() {
    let (mut h, bus) = harness(&[
        ("attach-meta", false.to_value()),
        ("interval", 0u64.to_value()),
    ]);
    let element = h.element().unwrap();
    assert!(
        element
            .downcast_ref::<gst_base::BaseTransform>()
            .unwrap()
            .is_passthrough()
    );
    let input = frame(0, Some(gst::ClockTime::ZERO));
    h.push(input.clone()).unwrap();
    let out = h.pull().unwrap();
    assert!(SharpMeterMeta::from_buffer(&out).is_none());
    assert_eq!(out.as_ptr(), input.as_ptr(), "the same buffer goes through");
    assert_eq!(reports(&element_messages(&bus)).len(), 1);
    // Switching it back on while running attaches meta again.
    element.set_property("attach-meta", true);
    h.push(frame(1, Some(FRAME))).unwrap();
    assert!(SharpMeterMeta::from_buffer(&h.pull().unwrap()).is_some());
}

#[test]
fn post_messages_off_keeps_the_meta() {
    let (mut h, bus) = harness(&[
        ("post-messages", false.to_value()),
        ("interval", 0u64.to_value()),
    ]);
    h.push(frame(0, Some(gst::ClockTime::ZERO))).unwrap();
    assert!(SharpMeterMeta::from_buffer(&h.pull().unwrap()).is_some());
    assert!(h.push_event(gst::event::Eos::new()));
    assert!(element_messages(&bus).is_empty());
}

#[test]
fn flushing_closes_an_open_alarm_and_starts_afresh() {
    // Threshold 1 puts every valid frame in alarm; no smoothing or minimum duration.
    let (mut h, bus) = harness(&[
        ("threshold", 1.0f64.to_value()),
        ("resolution-threshold", 0.0f64.to_value()),
        ("min-duration", 0u64.to_value()),
        ("window", 0u64.to_value()),
    ]);
    for i in 0..5 {
        h.push(frame(i, Some(FRAME * i))).unwrap();
    }
    assert!(h.push_event(gst::event::FlushStart::new()));
    assert!(h.push_event(gst::event::FlushStop::new(true)));
    let msgs = element_messages(&bus);
    let alarms: Vec<Alarm> = msgs.iter().filter_map(|m| Alarm::from_message(m)).collect();
    assert_eq!(alarms.len(), 2);
    assert_eq!(alarms[0].event, AlarmEvent::Start);
    assert_eq!(alarms[0].times.timestamp, Some(gst::ClockTime::ZERO));
    assert_eq!(alarms[1].event, AlarmEvent::End);
    assert_eq!(alarms[1].duration, Some(FRAME * 5));
    // The frames before the flush are reported once.
    assert_eq!(reports(&msgs).iter().map(|r| r.frames).sum::<u32>(), 5);
}

#[test]
fn unsupported_caps_are_refused_without_panic() {
    init();
    let mut h = Harness::new("sharpmeter");
    let info = gst_video::VideoInfo::builder(gst_video::VideoFormat::Ayuv, 64, 64)
        .build()
        .unwrap();
    h.set_src_caps(info.to_caps().unwrap());
    let buf = gst::Buffer::with_size(info.size()).unwrap();
    assert_eq!(h.push(buf), Err(gst::FlowError::NotNegotiated));
}

#[test]
fn properties_have_documented_defaults_and_ranges() {
    init();
    let e = gst::ElementFactory::make("sharpmeter").build().unwrap();
    assert_eq!(e.property::<f64>("threshold"), 0.2);
    assert_eq!(e.property::<f64>("resolution-threshold"), 0.4);
    assert_eq!(e.property::<f64>("hysteresis"), 0.03);
    assert_eq!(e.property::<u64>("min-duration"), 1_000_000_000);
    assert_eq!(e.property::<u64>("window"), 500_000_000);
    assert_eq!(e.property::<f64>("drop"), 0.3);
    assert_eq!(e.property::<u64>("baseline-duration"), 3_000_000_000);
    assert_eq!(e.property::<u64>("interval"), 1_000_000_000);
    assert!(e.property::<bool>("post-messages"));
    assert!(e.property::<bool>("attach-meta"));
    assert_eq!(e.property::<u32>("analyze-every"), 1);
    assert_eq!(e.property::<u32>("threads"), 1);
    let spec = e.find_property("threads").unwrap();
    let spec = spec.downcast_ref::<glib::ParamSpecUInt>().unwrap();
    assert_eq!((spec.minimum(), spec.maximum()), (1, 2));
    let klass = e.factory().unwrap().metadata("klass").unwrap().to_string();
    assert_eq!(klass, "Filter/Analyzer/Video");
    // Out-of-range values are refused by the ParamSpecs (GLib warns and keeps the value).
    let spec = e.find_property("analyze-every").unwrap();
    assert!(
        spec.downcast_ref::<glib::ParamSpecUInt>()
            .unwrap()
            .minimum()
            == 1
    );
    let spec = e.find_property("threshold").unwrap();
    let spec = spec.downcast_ref::<glib::ParamSpecDouble>().unwrap();
    assert_eq!((spec.minimum(), spec.maximum()), (0.0, 1.0));
}

/// Texts of the warning messages on `bus`.
fn warnings(bus: &gst::Bus) -> Vec<String> {
    std::iter::from_fn(|| bus.pop_filtered(&[gst::MessageType::Warning]))
        .map(|m| match m.view() {
            gst::MessageView::Warning(w) => w.error().to_string(),
            _ => unreachable!(),
        })
        .collect()
}

#[test]
fn limits_whose_recovery_exceeds_one_are_clamped_with_a_warning() {
    // Set before the element starts: the warning comes at start.
    init();
    let pipeline = gst::parse::launch(
        "videotestsrc num-buffers=2 ! sharpmeter threshold=0.99 hysteresis=0.05 ! fakesink",
    )
    .unwrap();
    let bus = pipeline.bus().unwrap();
    pipeline.set_state(gst::State::Playing).unwrap();
    let mut w = vec![];
    for m in bus.iter_timed(gst::ClockTime::from_seconds(30)) {
        match m.view() {
            gst::MessageView::Warning(e) => w.push(e.error().to_string()),
            gst::MessageView::Eos(_) => break,
            _ => {}
        }
    }
    pipeline.set_state(gst::State::Null).unwrap();
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        w[0].contains("threshold 0.99 + hysteresis 0.05 exceeds 1"),
        "{w:?}"
    );

    // Set while running: the warning comes with the change; sane values post none.
    let (mut h, bus) = harness(&[]);
    h.push(frame(0, Some(gst::ClockTime::ZERO))).unwrap();
    let element = h.element().unwrap();
    element.set_property("threshold", 0.5);
    element.set_property("hysteresis", 0.1);
    assert!(warnings(&bus).is_empty());
    element.set_property("resolution-threshold", 0.95);
    let w = warnings(&bus);
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        w[0].contains("resolution-threshold 0.95 + hysteresis 0.1"),
        "{w:?}"
    );
}

#[test]
fn renegotiation_mid_stream_changes_format_and_size() {
    let (mut h, bus) = harness(&[("interval", 0u64.to_value())]);
    h.push(frame(0, Some(gst::ClockTime::ZERO))).unwrap();
    let gray = SharpMeterMeta::from_buffer(&h.pull().unwrap())
        .unwrap()
        .figures;
    // The same luma as I420 (128x96 rows need no padding): Y plane, then neutral chroma.
    let info = gst_video::VideoInfo::builder(gst_video::VideoFormat::I420, W, H)
        .fps(gst::Fraction::new(25, 1))
        .build()
        .unwrap();
    h.set_src_caps(info.to_caps().unwrap());
    let luma = frame(0, None).map_readable().unwrap().to_vec();
    let mut bytes = luma;
    bytes.resize(info.size(), 128);
    let mut buf = gst::Buffer::from_mut_slice(bytes);
    buf.get_mut().unwrap().set_pts(FRAME);
    h.push(buf).unwrap();
    let i420 = SharpMeterMeta::from_buffer(&h.pull().unwrap())
        .unwrap()
        .figures;
    assert_eq!(i420, gray);
    // A smaller size: analysed, too small to be valid.
    let info = gst_video::VideoInfo::builder(gst_video::VideoFormat::Gray8, 32, 32)
        .build()
        .unwrap();
    h.set_src_caps(info.to_caps().unwrap());
    let mut buf = gst::Buffer::from_mut_slice(vec![7u8; info.size()]);
    buf.get_mut().unwrap().set_pts(FRAME * 2);
    h.push(buf).unwrap();
    assert!(
        !SharpMeterMeta::from_buffer(&h.pull().unwrap())
            .unwrap()
            .figures
            .valid
    );
    assert_eq!(reports(&element_messages(&bus)).len(), 3);
}

#[test]
fn metrics_property_decides_the_fields_of_meta_and_reports() {
    let (mut h, bus) = harness(&[("interval", 0u64.to_value())]);
    let element = h.element().unwrap();
    let fields =
        |s: &gst::StructureRef| -> Vec<String> { s.fields().map(|f| f.to_string()).collect() };
    // Default set: the derivative figures, `detail` and the effective size, not the slower
    // classic metrics. 96 rows are shorter than a spectrum segment: no effective height.
    h.push(frame(0, Some(gst::ClockTime::ZERO))).unwrap();
    let out = h.pull().unwrap();
    let meta = gst::meta::CustomMeta::from_buffer(&out, "SharpMeterMeta").unwrap();
    assert_eq!(
        fields(meta.structure()),
        [
            "schema-version",
            "sharpness",
            "valid",
            "noise",
            "texture",
            "laplacian-variance",
            "tenengrad",
            "detail",
            "effective-width",
            "scene-cut",
            "active-area"
        ]
    );
    let first = element_messages(&bus);
    assert!(
        first
            .last()
            .unwrap()
            .structure()
            .unwrap()
            .has_field("detail")
    );
    // Changed while running, as a gst-launch string.
    element.set_property_from_str("metrics", "blur-effect+edge-width");
    h.push(frame(1, Some(FRAME))).unwrap();
    let out = h.pull().unwrap();
    let meta = gst::meta::CustomMeta::from_buffer(&out, "SharpMeterMeta").unwrap();
    let names = fields(meta.structure());
    assert!(names.contains(&"blur-effect".into()) && names.contains(&"edge-width".into()));
    assert!(!names.contains(&"laplacian-variance".into()) && !names.contains(&"tenengrad".into()));
    assert!(!names.contains(&"detail".into()));
    let msgs = element_messages(&bus);
    let last = msgs.last().unwrap().structure().unwrap();
    assert!(last.has_field("blur-effect") && last.has_field("edge-width"));
    assert!(!last.has_field("laplacian-variance") && !last.has_field("detail"));
    let r = Report::from_message(msgs.last().unwrap()).unwrap();
    let m = SharpMeterMeta::from_buffer(&out).unwrap().figures;
    assert_eq!((r.blur_effect, r.edge_width), (m.blur_effect, m.edge_width));
    assert_eq!(
        element
            .property_value("metrics")
            .get::<gstsharpmeter::sharpmeter::MetricFlags>()
            .unwrap(),
        gstsharpmeter::sharpmeter::MetricFlags::BLUR_EFFECT
            | gstsharpmeter::sharpmeter::MetricFlags::EDGE_WIDTH
    );
}
