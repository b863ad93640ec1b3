//! Python reads the reports, the summary (with its episodes array) and SharpMeterMeta: with
//! Debian's python3-gst-1.0 overrides, and with PyGObject (python3-gi) alone.

mod common;

use std::path::Path;

use common::run_with_plugin;

fn field(json: &str, key: &str) -> Vec<String> {
    // Values of `"key": value` in order; enough for the flat JSON the script prints.
    json.match_indices(&format!("\"{key}\": "))
        .map(|(i, m)| {
            let rest = &json[i + m.len()..];
            let end = rest.find([',', '}']).unwrap();
            rest[..end].trim().to_string()
        })
        .collect()
}

#[test]
fn python_reads_reports_summary_and_meta() {
    // With Debian's python3-gst-1.0 overrides (`s["tiles"]`) and with PyGObject alone.
    for mode in [None, Some("pygobject-only")] {
        check_read_report_and_meta(mode);
    }
}

fn check_read_report_and_meta(mode: Option<&str>) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/read_report_and_meta.py");
    let mut args = vec![script.into_os_string()];
    args.extend(mode.map(Into::into));
    let stdout = run_with_plugin("/usr/bin/python3", &args, "python-registry.bin");
    let sharpness = field(&stdout, "sharpness");
    // 10 reports (interval 0) then 10 metas, with the same per-frame values.
    assert_eq!(sharpness.len(), 20, "{stdout}");
    assert_eq!(sharpness[..10], sharpness[10..]);
    let v: f64 = sharpness[0].parse().unwrap();
    assert!(v > 0.4 && v <= 1.0, "smpte bars are sharp: {v}");
    assert_eq!(field(&stdout, "valid"), vec!["true"; 10]);
    assert_eq!(field(&stdout, "running-time")[1], "100000000");
    assert_eq!(field(&stdout, "state")[0], "\"ok\"");
    // The summary's frames come last.
    assert_eq!(field(&stdout, "frames").last().unwrap(), "10");
    assert_eq!(field(&stdout, "alarms"), vec!["0"]);
    assert_eq!(field(&stdout, "scene-cut"), vec!["false"; 10]);
    assert_eq!(field(&stdout, "active-area"), vec!["\"0:0:320:240\""; 10]);
    assert_eq!(field(&stdout, "tiles"), vec!["2"; 10]);
    // The ball pipeline's one threshold episode, read from the summary's array.
    assert_eq!(field(&stdout, "reason"), vec!["\"threshold\""]);
    assert_eq!(field(&stdout, "duration"), vec!["1000000000"]);
}

#[test]
fn watch_py_prints_reports_alarms_and_the_meta_of_an_encoded_file() {
    // 4 s of videotestsrc's soft ball pattern as H.264 in MP4.
    let clip = Path::new(env!("CARGO_TARGET_TMPDIR")).join("watch-ball.mp4");
    gst::init().unwrap();
    let pipeline = gst::parse::launch(&format!(
        "videotestsrc num-buffers=100 pattern=ball ! video/x-raw,width=320,height=240,framerate=25/1 \
         ! x264enc ! mp4mux ! filesink location=\"{}\"",
        clip.display()
    ))
    .unwrap();
    use gst::prelude::*;
    pipeline.set_state(gst::State::Playing).unwrap();
    let bus = pipeline.bus().unwrap();
    let msg = bus
        .timed_pop_filtered(
            gst::ClockTime::from_seconds(60),
            &[gst::MessageType::Eos, gst::MessageType::Error],
        )
        .expect("EOS");
    assert_eq!(msg.type_(), gst::MessageType::Eos, "{msg:?}");
    pipeline.set_state(gst::State::Null).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/python/watch.py");
    let args = [
        script.to_str().unwrap(),
        clip.to_str().unwrap(),
        "tile-columns=2",
        "tile-rows=1",
        // The ball reads about 0.2, at the default threshold.
        "threshold=0.4",
    ];
    let out = run_with_plugin("/usr/bin/python3", &args, "python-watch-registry.bin");
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[0].starts_with("meta of the first frame: sharpness 0.")
            && lines[0].contains("active area [0, 0, 320, 240], tiles ["),
        "{out}"
    );
    assert_eq!(
        lines.iter().filter(|l| l.starts_with("report ")).count(),
        4,
        "{out}"
    );
    let alarms: Vec<&&str> = lines.iter().filter(|l| l.contains("alarm ")).collect();
    assert!(
        alarms[0].starts_with("alarm start (threshold) at 0.0"),
        "{out}"
    );
    assert!(
        alarms
            .iter()
            .any(|l| l.starts_with("alarm end (threshold)")),
        "{out}"
    );
    assert!(
        lines
            .last()
            .unwrap()
            .starts_with("summary: 100 frames (100 valid)"),
        "{out}"
    );
}
