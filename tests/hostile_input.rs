//! Input a hostile upstream or a careless operator sends: crop meta, video metas whose
//! layout does not fit the buffer, timestamps and durations at the end of the clock, and
//! QoS. Every frame still comes out bit-exact and in order, and no panic or hang follows.

mod common;

use common::{appsrc_pipeline, init, run, run_pipeline};
use gst::prelude::*;
use gstsharpmeter::messages::{Alarm, AlarmEvent, Report};
use gstsharpmeter::meta::SharpMeterMeta;

/// A textured 8-bit plane, `width` x `height`, stride `width`.
fn texture(width: usize, height: usize) -> Vec<u8> {
    (0..width * height)
        .map(|i| {
            let (x, y) = (i % width, i / width);
            ((x * 37 + y * 91 + (x * y) % 23) % 256) as u8
        })
        .collect()
}

/// Meta and active area of each buffer that reached `sink` through `videocrop`, with the
/// sink accepting crop meta (`with_meta`) or not; and whether the buffers carried crop meta.
fn crop_run(
    left: u32,
    top: u32,
    right: u32,
    bottom: u32,
    with_meta: bool,
) -> (Vec<SharpMeterMeta>, bool) {
    init();
    let desc = format!(
        "videotestsrc num-buffers=3 pattern=smpte ! video/x-raw,format=I420,width=640,height=360 \
         ! videocrop left={left} top={top} right={right} bottom={bottom} \
         ! sharpmeter ! appsink name=sink"
    );
    let pipeline = gst::parse::launch(&desc)
        .unwrap()
        .downcast::<gst::Pipeline>()
        .unwrap();
    if with_meta {
        // A sink that handles crop meta, as ximagesink or glimagesink do: videocrop then
        // only attaches the meta and passes the whole frame.
        let pad = pipeline
            .by_name("sink")
            .unwrap()
            .static_pad("sink")
            .unwrap();
        pad.add_probe(gst::PadProbeType::QUERY_DOWNSTREAM, |_, info| {
            if let Some(gst::PadProbeData::Query(q)) = &mut info.data
                && let gst::QueryViewMut::Allocation(a) = q.view_mut()
            {
                a.add_allocation_meta::<gst_video::VideoMeta>(None);
                a.add_allocation_meta::<gst_video::VideoCropMeta>(None);
                return gst::PadProbeReturn::Handled;
            }
            gst::PadProbeReturn::Ok
        });
    }
    let run = run_pipeline(&pipeline);
    let cropped = run
        .buffers
        .iter()
        .all(|b| b.meta::<gst_video::VideoCropMeta>().is_some());
    let metas = run
        .buffers
        .iter()
        .map(|b| SharpMeterMeta::from_buffer(b).expect("meta on every buffer"))
        .collect();
    (metas, cropped)
}

#[test]
fn crop_meta_gives_the_figures_of_the_cropped_copy() {
    let crops = [
        (320, 100, 0, 0),
        (0, 0, 320, 100),
        (10, 20, 30, 40),
        (1, 1, 1, 1),
        (200, 0, 200, 0),
        (0, 120, 0, 120),
        (300, 150, 300, 150),
        (2, 60, 400, 2),
        (100, 100, 100, 100),
        (0, 0, 0, 0),
    ];
    for (l, t, r, b) in crops {
        let (copied, meta_on_copy) = crop_run(l, t, r, b, false);
        let (cropped, meta_on_crop) = crop_run(l, t, r, b, true);
        assert!(
            !meta_on_copy,
            "videocrop copies for a sink without crop meta"
        );
        if (l, t, r, b) != (0, 0, 0, 0) {
            assert!(
                meta_on_crop,
                "videocrop attached crop meta for {l},{t},{r},{b}"
            );
        }
        let (w, h) = ((640 - l - r) as usize, (360 - t - b) as usize);
        for (a, c) in copied.iter().zip(&cropped) {
            assert_eq!(a, c, "crop {l},{t},{r},{b}");
            let area = c.figures.active_area.unwrap();
            assert!(
                area.x + area.width <= w && area.y + area.height <= h,
                "{area:?} in {w}x{h}"
            );
        }
        assert_eq!(copied.len(), 3);
    }
}

/// Pushes UYVY 64x64 frames with a video meta of the given plane offset and stride; every
/// frame must reach the sink unchanged, unanalysed, with one warning.
fn run_with_layout(offset: usize, stride: i32) {
    let (pipeline, src) = appsrc_pipeline(
        "appsrc name=src format=time caps=video/x-raw,format=UYVY,width=64,height=64,framerate=25/1 \
         ! sharpmeter ! appsink name=sink",
    );
    let frames: Vec<Vec<u8>> = (0..5)
        .map(|i| texture(128 + i, 64)[..128 * 64].to_vec())
        .collect();
    let pushed = frames.clone();
    let feeder = std::thread::spawn(move || {
        for (i, data) in pushed.into_iter().enumerate() {
            let mut buf = gst::Buffer::from_mut_slice(data);
            let b = buf.get_mut().unwrap();
            b.set_pts(gst::ClockTime::from_mseconds(40 * i as u64));
            gst_video::VideoMeta::add_full(
                b,
                gst_video::VideoFrameFlags::empty(),
                gst_video::VideoFormat::Uyvy,
                64,
                64,
                &[offset],
                &[stride],
            )
            .unwrap();
            src.push_buffer(buf).unwrap();
        }
        src.end_of_stream().unwrap();
    });
    let run = run_pipeline(&pipeline);
    feeder.join().unwrap();
    assert_eq!(run.buffers.len(), frames.len());
    for (b, f) in run.buffers.iter().zip(&frames) {
        assert_eq!(&*b.map_readable().unwrap(), &f[..], "bit-exact");
        assert!(SharpMeterMeta::from_buffer(b).is_none(), "not analysed");
    }
    let w = run.warning_texts();
    assert_eq!(w.len(), 1, "one warning: {w:?}");
    assert!(w[0].contains("without analysis"), "{w:?}");
    assert_eq!(run.summary().frames, 0);
}

#[test]
fn a_video_meta_that_does_not_fit_the_buffer_is_refused_without_reading_outside_it() {
    run_with_layout(0, 0);
    run_with_layout(0, 1 << 20);
    run_with_layout(0, -128);
    run_with_layout(1 << 20, 128);
    run_with_layout(64, 128);
}

#[test]
fn a_crop_rectangle_outside_the_frame_is_refused() {
    let (pipeline, src) = appsrc_pipeline(
        "appsrc name=src format=time caps=video/x-raw,format=GRAY8,width=64,height=64,framerate=25/1 \
         ! sharpmeter ! appsink name=sink",
    );
    let feeder = std::thread::spawn(move || {
        let mut buf = gst::Buffer::from_mut_slice(texture(64, 64));
        let b = buf.get_mut().unwrap();
        b.set_pts(gst::ClockTime::ZERO);
        gst_video::VideoCropMeta::add(b, (40, 40, 40, 40));
        src.push_buffer(buf).unwrap();
        src.end_of_stream().unwrap();
    });
    let run = run_pipeline(&pipeline);
    feeder.join().unwrap();
    assert_eq!(run.buffers.len(), 1);
    assert!(SharpMeterMeta::from_buffer(&run.buffers[0]).is_none());
    assert!(
        run.warning_texts()[0].contains("crop rectangle"),
        "{:?}",
        run.warning_texts()
    );
}

/// Runs GRAY8 frames with the given (PTS, duration) pairs to EOS with every alarm on and
/// no smoothing; returns the run.
fn run_times(times: &[(u64, Option<u64>)]) -> common::Run {
    let (pipeline, src) = appsrc_pipeline(
        "appsrc name=src format=time caps=video/x-raw,format=GRAY8,width=64,height=64 \
         ! sharpmeter threshold=0.99 window=0 min-duration=0 interval=0 drop=0.5 \
           baseline-duration=0 ! appsink name=sink",
    );
    let times = times.to_vec();
    let feeder = std::thread::spawn(move || {
        for (pts, duration) in times {
            let mut buf = gst::Buffer::from_mut_slice(texture(64, 64));
            let b = buf.get_mut().unwrap();
            b.set_pts(gst::ClockTime::from_nseconds(pts));
            b.set_duration(duration.map(gst::ClockTime::from_nseconds));
            src.push_buffer(buf).unwrap();
        }
        src.end_of_stream().unwrap();
    });
    let run = run_pipeline(&pipeline);
    feeder.join().unwrap();
    run
}

#[test]
fn timestamps_and_durations_at_the_end_of_the_clock_saturate() {
    let max = gst::ClockTime::MAX.nseconds();
    let second = 1_000_000_000;
    let cases: [&[(u64, Option<u64>)]; 3] = [
        &[(0, Some(40_000_000)), (second, Some(max))],
        &[
            (max - 3 * second, Some(second)),
            (max - 2 * second, Some(second)),
            (max - second, Some(2 * second)),
        ],
        &[(max - 1, Some(max)), (max - 1, None)],
    ];
    for times in cases {
        let run = run_times(times);
        assert_eq!(run.buffers.len(), times.len());
        let s = run.summary();
        assert_eq!(s.frames, times.len() as u32);
        for m in &run.messages {
            if let Some(a) = Alarm::from_message(m) {
                let t = a.times.timestamp.unwrap();
                assert!(t.nseconds() <= max, "{a:?}");
                if a.event == AlarmEvent::End {
                    let d = a.duration.unwrap().nseconds();
                    assert!(d <= max, "{a:?}");
                }
            }
            if let Some(r) = Report::from_message(m) {
                assert!(r.duration.unwrap().nseconds() <= max);
            }
        }
        // An episode never ends before it starts.
        let starts: Vec<_> = run
            .messages
            .iter()
            .filter_map(|m| Alarm::from_message(m))
            .collect();
        for pair in starts.windows(2) {
            if pair[0].event == AlarmEvent::Start && pair[1].event == AlarmEvent::End {
                assert!(
                    pair[1].times.timestamp >= pair[0].times.timestamp,
                    "{pair:?}"
                );
            }
        }
    }
}

#[test]
fn qos_from_downstream_skips_analysis_and_never_drops_a_frame() {
    for qos in [true, false] {
        let (pipeline, src) = appsrc_pipeline(&format!(
            "appsrc name=src format=time caps=video/x-raw,format=GRAY8,width=64,height=64,framerate=25/1 \
             ! sharpmeter name=meter qos={qos} interval=0 ! appsink name=sink"
        ));
        let meter = pipeline.by_name("meter").unwrap();
        let src_pad = meter.static_pad("src").unwrap();
        // When frame 5 (200 ms) arrives, downstream says frames up to 500 ms are late.
        meter
            .static_pad("sink")
            .unwrap()
            .add_probe(gst::PadProbeType::BUFFER, move |_, info| {
                let pts = info.buffer().and_then(|b| b.pts());
                if pts == Some(gst::ClockTime::from_mseconds(200)) {
                    let ev = gst::event::Qos::new(
                        gst::QOSType::Underflow,
                        2.0,
                        300_000_000,
                        gst::ClockTime::from_mseconds(200),
                    );
                    assert!(src_pad.send_event(ev));
                }
                gst::PadProbeReturn::Ok
            });
        let feeder = std::thread::spawn(move || {
            for i in 0..20u64 {
                let mut buf = gst::Buffer::from_mut_slice(texture(64, 64));
                let b = buf.get_mut().unwrap();
                b.set_pts(gst::ClockTime::from_mseconds(40 * i));
                src.push_buffer(buf).unwrap();
            }
            src.end_of_stream().unwrap();
        });
        let run = run_pipeline(&pipeline);
        feeder.join().unwrap();
        assert_eq!(
            run.buffers.len(),
            20,
            "qos={qos}: every frame reaches the sink"
        );
        let analysed = run
            .buffers
            .iter()
            .filter(|b| SharpMeterMeta::from_buffer(b).is_some())
            .count();
        let s = run.summary();
        // Frames 5 to 12 (200 to 480 ms) are at or before 500 ms.
        let skipped = if qos { 8 } else { 0 };
        assert_eq!(s.skipped_frames, skipped, "qos={qos}");
        assert_eq!((s.frames, analysed), (20 - skipped, 20 - skipped as usize));
        let reported: u32 = run
            .messages
            .iter()
            .filter_map(|m| Report::from_message(m))
            .map(|r| r.skipped_frames)
            .sum();
        assert_eq!(reported, skipped);
    }
}

#[test]
fn a_live_stream_the_analysis_cannot_keep_up_with_keeps_every_frame_in_real_time() {
    // 4K with every metric costs several frame durations a frame on this machine.
    let run = run("videotestsrc is-live=true num-buffers=30 \
         ! video/x-raw,format=I420,width=3840,height=2160,framerate=30/1 \
         ! sharpmeter metrics=laplacian-variance+tenengrad+blur-effect+edge-width+effective-resolution \
         ! fakesink sync=true name=out");
    let s = run.summary();
    assert_eq!(s.frames + s.skipped_frames, 30, "{s:?}");
    assert!(s.skipped_frames > 0, "{s:?}");
    assert!(s.frames > 0, "{s:?}");
}
