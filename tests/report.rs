//! The report example on encoded files: one CSV and JSON row per frame with every figure, a
//! plot with the alarm episodes, and a comparison of two inputs.

mod common;
#[allow(dead_code)]
#[path = "../examples/report.rs"]
mod report;

use std::path::{Path, PathBuf};

use common::{appsrc_pipeline, astronaut_pan, run_pipeline};

/// `clip` as H.264 in MP4 at `name` in the test's scratch directory.
fn encoded(clip: common::clip::Clip, name: &str) -> PathBuf {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let (pipeline, src) = appsrc_pipeline(&format!(
        "appsrc name=src format=time block=true max-buffers=4 ! videoconvert ! x264enc \
         ! mp4mux ! filesink location=\"{}\"",
        path.display()
    ));
    let feeder = std::thread::spawn(move || clip.feed(src));
    run_pipeline(&pipeline);
    feeder.join().unwrap();
    path
}

#[test]
fn report_writes_rows_a_plot_and_a_comparison() {
    // 6 s at 25 fps, rendered at half size from 2 s to 4 s; and the same pan soft throughout.
    let today = encoded(astronaut_pan(6, 2..4), "report-today.mp4");
    let soft = encoded(astronaut_pan(6, 0..6), "report-soft.mp4");
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let (csv, jsonl, svg) = (
        dir.join("report.csv"),
        dir.join("report.jsonl"),
        dir.join("report.svg"),
    );
    let args = [
        today.to_str().unwrap(),
        "--csv",
        csv.to_str().unwrap(),
        "--jsonl",
        jsonl.to_str().unwrap(),
        "--plot",
        svg.to_str().unwrap(),
        "--compare",
        soft.to_str().unwrap(),
    ];
    let options = report::parse(args.iter().map(|s| s.to_string())).unwrap();
    let text = report::run(&options).unwrap();

    let csv = std::fs::read_to_string(csv).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 151, "a header and one row per frame");
    assert_eq!(lines[0].split(',').count(), report::COLUMNS.len());
    assert!(
        lines[1..]
            .iter()
            .all(|l| l.split(',').count() == report::COLUMNS.len())
    );
    // Every metric is on: the classic figures are filled in.
    let row: Vec<&str> = lines[1].split(',').collect();
    let column = |name: &str| report::COLUMNS.iter().position(|c| *c == name).unwrap();
    assert_eq!(row[column("time")], "0.0");
    assert!(
        row[column("edge-width")].parse::<f64>().is_ok(),
        "{}",
        lines[1]
    );
    assert_eq!(row[column("active-width")], "640");

    let jsonl = std::fs::read_to_string(jsonl).unwrap();
    let rows: Vec<serde_json::Value> = jsonl
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 150);
    let sharpness = |r: &serde_json::Value| r["sharpness"].as_f64().unwrap();
    assert!(
        sharpness(&rows[25]) > 0.5 && sharpness(&rows[75]) < 0.4,
        "{jsonl}"
    );

    let svg = std::fs::read_to_string(svg).unwrap();
    assert!(svg.starts_with("<svg") || svg.contains("<svg"));
    assert!(svg.contains("alarm, report-today.mp4"));
    assert!(svg.contains("report-soft.mp4"));

    // One summary per input, then the difference.
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].contains("report-today.mp4: 150 frames (150 valid)"),
        "{text}"
    );
    assert!(lines[0].ends_with("3 alarm episode(s)"), "{text}");
    assert!(text.contains("threshold alarm from 2.0"), "{text}");
    // Today, soft for a third of the time, against a run soft throughout.
    let last = lines.last().unwrap();
    assert!(last.contains("report-today.mp4 against "), "{text}");
    assert!(
        last.contains("report-soft.mp4: median sharpness +"),
        "{text}"
    );
    assert!(last.contains("median effective share +"), "{text}");
    assert!(last.ends_with("alarm episodes 3 against 2"), "{text}");
}

#[test]
fn report_refuses_bad_arguments_and_missing_files() {
    let parse = |args: &[&str]| report::parse(args.iter().map(|s| s.to_string()));
    assert!(parse(&[]).unwrap_err().starts_with("usage"));
    assert!(
        parse(&["a.mp4", "--csv"])
            .unwrap_err()
            .contains("--csv needs a value")
    );
    assert!(
        parse(&["a.mp4", "--frobnicate"])
            .unwrap_err()
            .contains("unknown option")
    );
    let o = parse(&["/nonexistent/clip.mp4"]).unwrap();
    let err = report::run(&o).unwrap_err();
    assert!(err.contains("/nonexistent/clip.mp4"), "{err}");
    let o = parse(&["x.mp4", "--plot", "out.gif"]).unwrap();
    assert_eq!(o.plot.as_deref(), Some(Path::new("out.gif")));
}
