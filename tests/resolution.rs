//! Effective resolution through real pipelines: corpus down-ups (OpenCV area down, cubic
//! up), GStreamer's own scalers, an H.264 round trip of a down-up clip, and the
//! `resolution` alarm on a stream that switches to a down-up.

mod common;

use common::clip::{Clip, down_up_xy, load_photo};
use common::{fixture, run, run_clip};
use gstsharpmeter::analysis::{Analyzer, FrameFigures, LumaPlane, Metrics};
use gstsharpmeter::messages::{Alarm, AlarmEvent, AlarmReason, Report, Summary};
use gstsharpmeter::meta::SharpMeterMeta;

const SECOND: u64 = 1_000_000_000;

/// Figures of every frame that reached the sink.
fn figures(r: &common::Run) -> Vec<FrameFigures> {
    r.buffers
        .iter()
        .map(|b| SharpMeterMeta::from_buffer(b).expect("meta").figures)
        .collect()
}

/// Figures of one PNG fixture, optionally scaled down to 1/`factor` and back with
/// videoscale `method`.
fn png(name: &str, scale: Option<(&str, u32)>) -> FrameFigures {
    let path = fixture(name);
    let scaled = match scale {
        None => String::new(),
        Some((method, factor)) => {
            let p = load_photo(&path);
            let (w, h) = (p.width as u32, p.height as u32);
            format!(
                "! videoscale method={method} ! video/x-raw,width={},height={} \
                 ! videoscale method={method} ! video/x-raw,width={w},height={h} ",
                w / factor,
                h / factor
            )
        }
    };
    let r = run(&format!(
        "filesrc location={} ! pngdec ! videoconvert ! video/x-raw,format=GRAY8 {scaled}\
         ! sharpmeter ! appsink name=sink",
        path.display()
    ));
    figures(&r)[0]
}

/// Effective width and height as shares of the nominal size.
fn shares(f: &FrameFigures, w: u32, h: u32) -> (f64, f64) {
    (
        f.effective_width.expect("effective width") as f64 / w as f64,
        f.effective_height.expect("effective height") as f64 / h as f64,
    )
}

#[test]
fn corpus_down_ups_read_their_factor() {
    for source in ["gray_camera", "color_astronaut"] {
        for factor in [2.0, 3.0, 4.0] {
            let f = png(&format!("{source}__downup__{factor}.png"), None);
            let (w, h) = shares(&f, 512, 512);
            for share in [w, h] {
                assert!(
                    (share * factor - 1.0).abs() <= 0.15,
                    "{source} down-up {factor}: {w:.3} x {h:.3}"
                );
            }
        }
    }
}

#[test]
fn untouched_photos_carry_far_more_than_their_down_ups() {
    for source in UNTOUCHED {
        let full = png(&format!("{source}__blur__0.png"), None);
        let half = png(&format!("{source}__downup__2.png"), None);
        let ratio = full.effective_width.unwrap() as f64 / half.effective_width.unwrap() as f64;
        assert!(ratio >= 1.6, "{source}: width ratio {ratio:.2}");
    }
}

#[test]
fn gstreamer_scalers_read_within_a_quarter() {
    // videoscale's horizontal bilinear keeps the first and last pixels in place (its vertical
    // pass scales pixel centres): both are identified.
    for (photo, width, height) in [("gray_camera", 512, 512), ("gray_coins", 384, 302)] {
        for method in ["bilinear", "catrom", "lanczos"] {
            for factor in [2, 3] {
                let f = png(&format!("{photo}__blur__0.png"), Some((method, factor)));
                let (w, h) = shares(&f, width, height);
                for share in [w, h] {
                    assert!(
                        (share * factor as f64 - 1.0).abs() <= 0.25,
                        "{photo} {method} {factor}: {w:.3} x {h:.3}"
                    );
                }
            }
        }
    }
}

const UNTOUCHED: [&str; 7] = [
    "gray_camera",
    "gray_chelsea",
    "gray_coins",
    "gray_grass",
    "gray_rocket",
    "gray_text",
    "color_astronaut",
];

#[test]
fn corpus_down_ups_name_their_source_size() {
    for factor in [2, 3, 4] {
        let f = png(&format!("gray_camera__downup__{factor}.png"), None);
        let n = (512.0 / factor as f64).round() as u32;
        assert_eq!(
            (f.upscaled_from_width, f.upscaled_from_height),
            (Some(n), Some(n)),
            "down-up {factor}"
        );
        assert!(f.upscale_confidence.unwrap() > 0.9, "{f:?}");
    }
}

#[test]
fn untouched_photos_claim_no_upscale_even_after_heavy_h264() {
    for source in UNTOUCHED {
        let path = fixture(&format!("{source}__blur__0.png"));
        let raw = png(&format!("{source}__blur__0.png"), None);
        let r = run(&format!(
            "filesrc location={} ! pngdec ! videoconvert ! video/x-raw,format=I420 \
             ! x264enc pass=qual quantizer=35 ! avdec_h264 ! sharpmeter ! appsink name=sink",
            path.display()
        ));
        for (what, f) in [("raw", raw), ("CRF 35", figures(&r)[0])] {
            assert_eq!(
                (
                    f.upscaled_from_width,
                    f.upscaled_from_height,
                    f.upscale_confidence
                ),
                (None, None, None),
                "{source} {what}"
            );
        }
    }
}

#[test]
fn a_down_up_along_the_width_leaves_the_height_alone() {
    let p = load_photo(&fixture("gray_camera__blur__0.png"));
    let (w, h) = (p.width, p.height);
    let gray = |rgb: &[u8]| -> Vec<u8> { rgb.chunks(3).map(|c| c[0]).collect() };
    let mut analyzer = Analyzer::new();
    let mut measure =
        |g: &[u8]| analyzer.analyze(&LumaPlane::new_u8(g, w, h, w).unwrap(), Metrics::DEFAULT);
    let full = measure(&gray(&p.rgb));
    let squeezed = measure(&gray(&down_up_xy(&p.rgb, w, h, 2, 1)));
    let (sw, sh) = shares(&squeezed, w as u32, h as u32);
    let (_, fh) = shares(&full, w as u32, h as u32);
    assert!((sw * 2.0 - 1.0).abs() <= 0.15, "width {sw}");
    assert!((sh / fh - 1.0).abs() <= 0.1, "height {sh} vs {fh}");
    assert_eq!(squeezed.upscaled_from_width, Some(256));
    assert_eq!(squeezed.upscaled_from_height, None);
}

/// Shares of the frame size read on every frame of a 704x1280 slow pan, down-up by 2 as the
/// corpus (area down, bicubic up), through x264 at `crf` and avdec_h264.
fn encoded_down_up_clip(crf: u32) -> Vec<(f64, f64)> {
    let clip = Clip {
        photo: load_photo(&fixture("color_astronaut__blur__0.png")),
        width: 704,
        height: 1280,
        fps: 30,
        frames: 45,
        soft: 0..45,
        factor: 2,
        fade: 0..0,
    };
    let (pipeline, src) = common::appsrc_pipeline(&format!(
        "appsrc name=src format=time block=true max-buffers=4 ! videoconvert \
         ! video/x-raw,format=I420 ! x264enc pass=qual quantizer={crf} speed-preset=faster \
         ! avdec_h264 ! sharpmeter ! appsink name=sink"
    ));
    let feeder = std::thread::spawn(move || clip.feed(src));
    let r = common::run_pipeline(&pipeline);
    feeder.join().unwrap();
    let f = figures(&r);
    assert_eq!(f.len(), 45);
    f.iter().map(|f| shares(f, 704, 1280)).collect()
}

#[test]
fn h264_down_up_clip_reads_half_the_size() {
    for crf in [18, 28] {
        let s = encoded_down_up_clip(crf);
        let near = s
            .iter()
            .filter(|(w, h)| (w * 2.0 - 1.0).abs() <= 0.15 && (h * 2.0 - 1.0).abs() <= 0.15)
            .count();
        assert!(
            near as f64 >= 0.9 * s.len() as f64,
            "CRF {crf}: {near} of {} frames within 15%: {s:?}",
            s.len()
        );
    }
    let s = encoded_down_up_clip(35);
    assert!(
        s.iter().all(|(w, h)| *w < 0.8 && *h < 0.8),
        "CRF 35: a frame reads near full size: {s:?}"
    );
}

/// A 640x360 pan over a photo, 10 s, rendered at half size and upscaled from 3 s to 6 s.
fn switching_clip() -> Clip {
    common::astronaut_pan(10, 3..6)
}

#[test]
fn switching_to_a_down_up_raises_a_resolution_alarm() {
    // The half-size frames read 0.5 of the size: above the default 0.4.
    let r = run_clip(
        switching_clip(),
        "threshold=0 drop=0 detail-drop=0 resolution-threshold=0.6",
    );
    let alarms: Vec<Alarm> = r
        .messages
        .iter()
        .filter_map(|m| Alarm::from_message(m))
        .collect();
    assert_eq!(alarms.len(), 2, "{alarms:?}");
    assert!(alarms.iter().all(|a| a.reason == AlarmReason::Resolution));
    assert_eq!(
        (alarms[0].event, alarms[1].event),
        (AlarmEvent::Start, AlarmEvent::End)
    );
    let start = alarms[0].times.timestamp.unwrap().nseconds();
    let end = alarms[1].times.timestamp.unwrap().nseconds();
    assert!((3 * SECOND..4 * SECOND).contains(&start), "start {start}");
    assert!((6 * SECOND..7 * SECOND).contains(&end), "end {end}");
    let share = alarms[0].effective_share.unwrap();
    assert!(share < alarms[0].threshold, "{share}");
    // Reports carry the interval's median size: full before, about half during.
    let reports: Vec<Report> = r
        .messages
        .iter()
        .filter_map(|m| Report::from_message(m))
        .collect();
    assert_eq!(reports[0].effective_width, Some(640));
    let during = reports[4].effective_width.unwrap();
    assert!((256..=384).contains(&during), "{during}");
    let s = Summary::from_message(r.messages.last().unwrap()).unwrap();
    assert_eq!((s.alarms, s.effective_width), (1, Some(640)));
}

#[test]
fn sharp_stream_raises_no_resolution_alarm() {
    let mut clip = switching_clip();
    clip.soft = 0..0;
    let r = run_clip(clip, "threshold=0 drop=0");
    assert!(r.messages.iter().all(|m| Alarm::from_message(m).is_none()));
}
