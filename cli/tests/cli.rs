//! The `sharpmeter` binary as users run it, on x264 clips made here: `check` on a folder
//! with bad inputs mixed in, its JSON and database, `compare`, `trend` and `plot`.

mod common;

use std::process::Command;

use common::clip::{Photo, load_photo};
use common::{
    count, encode, fixture, hours, json, pan, photos, rows, set_creation_time, sharpmeter, stdout,
};

#[test]
fn check_flags_the_degraded_clips_reports_bad_inputs_and_logs_each_file_once() {
    let dir = tempfile::Builder::new()
        .disable_cleanup(std::env::var_os("KEEP").is_some())
        .tempdir()
        .unwrap();
    let (sharp, soft) = (
        dir.path().join("clips/sharp"),
        dir.path().join("clips/soft"),
    );
    std::fs::create_dir_all(&sharp).unwrap();
    std::fs::create_dir_all(&soft).unwrap();
    // 20 clips of 704x1280, 10 s: 10 sharp, 10 rendered at a third of the size and scaled
    // back up (a 2x down-up alone reads half the size, above the default 0.4).
    std::thread::scope(|s| {
        for (name, photo) in photos() {
            let down = Photo {
                rgb: photo.rgb.clone(),
                ..photo
            };
            let (sharp, soft) = (
                sharp.join(format!("{name}.mp4")),
                soft.join(format!("{name}.mp4")),
            );
            s.spawn(move || encode(pan(photo, (704, 1280), 10, 1), &sharp));
            s.spawn(move || encode(pan(down, (704, 1280), 10, 3), &soft));
        }
    });
    // Bad inputs beside them: truncated, audio only, text, empty, a folder loop, missing.
    let bad = dir.path().join("bad");
    std::fs::create_dir(&bad).unwrap();
    let whole = std::fs::read(sharp.join("gray_camera.mp4")).unwrap();
    std::fs::write(bad.join("truncated.mp4"), &whole[..whole.len() / 3]).unwrap();
    std::fs::write(bad.join("notes.mp4"), b"not a video\n").unwrap();
    std::fs::write(bad.join("empty.mp4"), b"").unwrap();
    std::os::unix::fs::symlink(&bad, bad.join("loop")).unwrap();
    let status = Command::new("gst-launch-1.0")
        .args([
            "-q",
            "audiotestsrc",
            "num-buffers=50",
            "!",
            "avenc_aac",
            "!",
            "mp4mux",
            "!",
            "filesink",
        ])
        .arg(format!("location={}", bad.join("audio.mp4").display()))
        .status()
        .unwrap();
    assert!(status.success());
    let missing = dir.path().join("missing.mp4");
    let db = dir.path().join("log.db");
    let (clips, bad_s, missing_s, db_s) = (
        dir.path().join("clips").display().to_string(),
        bad.display().to_string(),
        missing.display().to_string(),
        db.display().to_string(),
    );

    let first = sharpmeter(&[
        "check", &clips, &bad_s, &missing_s, "--db", &db_s, "--json", "-", "--jobs", "2",
    ]);
    assert_eq!(first.status.code(), Some(2), "a file could not be analysed");
    let doc = json(&first);
    let files = doc["files"].as_array().unwrap();
    let checked: Vec<&serde_json::Value> =
        files.iter().filter(|f| f.get("error").is_none()).collect();
    assert_eq!(
        checked.len(),
        20,
        "every clip is analysed beside the bad inputs"
    );
    for f in &checked {
        let path = f["path"].as_str().unwrap();
        let flagged = f["verdict"] == "alarm";
        assert_eq!(flagged, path.contains("/soft/"), "{path}: {f}");
        assert_eq!(f["frames"], 150, "{path}");
        assert_eq!(
            (f["effective_width"].is_u64(), f["created_from"].as_str()),
            (true, Some("tag")),
            "{f}"
        );
    }
    let errors: Vec<(String, String)> = files
        .iter()
        .filter_map(|f| {
            let e = f.get("error")?.as_str()?.to_string();
            Some((f["path"].as_str()?.to_string(), e))
        })
        .collect();
    let reason = |name: &str| {
        errors
            .iter()
            .find(|(p, _)| p.ends_with(name))
            .map(|(_, e)| e.as_str())
            .unwrap_or_else(|| panic!("{name} is reported: {errors:?}"))
    };
    // Each bad input is named with its own cause, found by GStreamer or by the check
    // itself, not by the watchdog that gives up a silent stream (one exception below).
    assert_eq!(reason("audio.mp4"), "no video stream");
    assert_eq!(reason("empty.mp4"), "empty file");
    assert_eq!(reason("missing.mp4"), "no such file or folder");
    assert!(reason("notes.mp4").contains("determine type"), "{errors:?}");
    // qtdemux in GStreamer 1.22 now and then stays silent on a truncated MP4 while another
    // pipeline runs (seen about once in ten runs of this test, on both attempts); the check
    // then names that no stream appeared.
    let truncated = reason("truncated.mp4");
    assert!(
        truncated.contains("no playable streams")
            || truncated == "no stream found within 5 s, twice",
        "{errors:?}"
    );
    assert!(reason("loop").contains("loop"), "{errors:?}");
    assert_eq!(errors.len(), 6, "{errors:?}");
    assert_eq!(rows(&db), 20);

    // Again on the clips alone: nothing new in the database, exit status 1 for the alarms.
    let again = sharpmeter(&["check", &clips, "--db", &db_s]);
    assert_eq!(again.status.code(), Some(1));
    let text = stdout(&again);
    assert_eq!(text.matches("(from the database)").count(), 20, "{text}");
    assert!(
        text.contains("20 files: 10 ok, 10 with alarms, 0 unjudged, 0 failed"),
        "{text}"
    );
    assert_eq!(rows(&db), 20);

    // The two halves compared from the database.
    let (sharp_s, soft_s) = (sharp.display().to_string(), soft.display().to_string());
    let cmp = sharpmeter(&["compare", &sharp_s, &soft_s, "--db", &db_s]);
    assert_eq!(cmp.status.code(), Some(1), "B is softer");
    let text = stdout(&cmp);
    let last = text.lines().last().unwrap();
    assert!(
        last.contains("softer than")
            && last.contains("p < 0.001")
            && last.ends_with("10 vs 10 files"),
        "{text}"
    );

    // CSV to standard output: a header and one row per clip.
    let csv = sharpmeter(&["check", &sharp_s, "--db", &db_s, "--csv", "-"]);
    assert_eq!(csv.status.code(), Some(0));
    let table = stdout(&csv);
    assert!(table.starts_with("path,hash,created,"), "{table}");
    assert_eq!(table.lines().count(), 11);
}

#[test]
fn trend_compare_and_plot_on_small_clips() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let names = [
        "color_astronaut",
        "gray_camera",
        "gray_chelsea",
        "gray_coins",
        "gray_rocket",
        "gray_text",
    ];
    for sub in ["a", "b", "soft"] {
        std::fs::create_dir(d.join(sub)).unwrap();
    }
    // Two sharp sets of the same six photos (encoded twice), and a soft set.
    let day = 1_795_996_800; // 2026-11-30 00:00 UTC
    std::thread::scope(|s| {
        for (i, name) in names.iter().enumerate() {
            s.spawn(move || {
                let photo = || load_photo(&fixture(&format!("{name}__blur__0.png")));
                let a = d.join(format!("a/{name}.mp4"));
                encode(pan(photo(), (320, 240), 2, 1), &a);
                // Creation times at 03:xx for four files, 17:xx for the others.
                let hour = if i < 4 { 3 } else { 17 };
                set_creation_time(&a, day + hour * 3600 + 60 * i as i64);
                encode(
                    pan(photo(), (320, 240), 2, 1),
                    &d.join(format!("b/{name}.mp4")),
                );
                encode(
                    pan(photo(), (320, 240), 2, 3),
                    &d.join(format!("soft/{name}.mp4")),
                );
            });
        }
    });
    // b's files differ in bytes from a's (their creation times are now).
    let db = d.join("log.db");
    let (db_s, a, b, soft) = (
        db.display().to_string(),
        d.join("a").display().to_string(),
        d.join("b").display().to_string(),
        d.join("soft").display().to_string(),
    );
    let checked = sharpmeter(&["check", &a, "--db", &db_s, "--db-reports"]);
    assert_eq!(checked.status.code(), Some(0), "sharp clips raise no alarm");
    let reports = count(
        &db,
        "SELECT COUNT(*) FROM reports WHERE sharpness IS NOT NULL",
    );
    assert!(reports >= 6, "{reports} report rows");

    let (png, svg) = (d.join("trend.png"), d.join("trend.svg"));
    for plot in [&png, &svg] {
        let t = sharpmeter(&[
            "trend",
            "--db",
            &db_s,
            "--by",
            "hour",
            "--utc",
            "--plot",
            plot.to_str().unwrap(),
        ]);
        assert_eq!(t.status.code(), Some(0));
        let text = stdout(&t);
        assert_eq!(hours(&text), ["03", "17"], "{text}");
        assert!(text.lines().nth(1).unwrap().contains("    4 "), "{text}");
    }
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&png).unwrap()));
    assert_eq!(decoder.read_info().unwrap().info().width, 1000);
    assert!(
        std::fs::read_to_string(&svg)
            .unwrap()
            .contains("hour of day")
    );
    let by_day = sharpmeter(&["trend", "--db", &db_s, "--by", "day", "--utc"]);
    assert!(
        stdout(&by_day).contains("2026-11-30"),
        "{}",
        stdout(&by_day)
    );

    // Sets that differ, and sets that do not.
    let differ = sharpmeter(&["compare", &a, &soft, "--db", &db_s]);
    assert_eq!(differ.status.code(), Some(1), "B is softer");
    let last = stdout(&differ).lines().last().unwrap().to_string();
    assert!(
        last.contains("softer than") && last.ends_with("6 vs 6 files"),
        "{last}"
    );
    let p: f64 = last
        .split("p = ")
        .nth(1)
        .map_or(0.0, |r| r.split(',').next().unwrap().parse().unwrap());
    assert!(p < 0.01, "{last}");
    let same = sharpmeter(&["compare", &a, &b, "--db", &db_s]);
    assert_eq!(same.status.code(), Some(0));
    let last = stdout(&same).lines().last().unwrap().to_string();
    assert!(last.starts_with("no difference"), "{last}");
    // db: selections by creation time: the four files of 03:xx against the two of 17:xx.
    let sel = sharpmeter(&[
        "compare",
        "db:2026-11-30..2026-11-30T12:00",
        "db:2026-11-30T12:00..",
        "--db",
        &db_s,
        "--utc",
    ]);
    assert!(
        stdout(&sel).contains("4 files, 4 judged"),
        "{}",
        stdout(&sel)
    );

    // The per-frame plot of a clip against its soft version, and its frames as CSV.
    let out = d.join("frames.svg");
    let (one, other) = (
        format!("{soft}/gray_camera.mp4"),
        format!("{a}/gray_camera.mp4"),
    );
    let plotted = sharpmeter(&[
        "plot",
        &one,
        "--compare",
        &other,
        "-o",
        out.to_str().unwrap(),
        "--csv",
        "-",
    ]);
    assert_eq!(plotted.status.code(), Some(0));
    let text = stdout(&plotted);
    assert!(text.starts_with("time,valid,sharpness,"), "{text}");
    assert_eq!(
        text.lines().filter(|l| l.contains(",true,")).count(),
        30,
        "{text}"
    );
    let svg = std::fs::read_to_string(&out).unwrap();
    assert!(
        svg.contains("threshold 0.20") && svg.contains("threshold alarm"),
        "the legend names the threshold and the alarm"
    );
    let said = String::from_utf8_lossy(&plotted.stderr);
    assert!(
        said.contains("soft/gray_camera.mp4 against ") && said.contains("a/gray_camera.mp4: 2.0 s"),
        "{said}"
    );
}

#[test]
fn help_version_and_bad_arguments() {
    let help = sharpmeter(&["--help"]);
    assert!(help.status.success());
    for sub in ["check", "trend", "compare", "plot"] {
        assert!(stdout(&help).contains(sub));
        let h = sharpmeter(&[sub, "--help"]);
        assert!(
            h.status.success() && stdout(&h).contains("Usage: sharpmeter"),
            "{sub}"
        );
    }
    let v = sharpmeter(&["--version"]);
    assert_eq!(
        stdout(&v).trim(),
        format!("sharpmeter {}", env!("CARGO_PKG_VERSION"))
    );
    let unknown = sharpmeter(&["check", "x.mp4", "--set", "no-such-prop=1"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no property \"no-such-prop\""));
    let range = sharpmeter(&["check", "x.mp4", "--set", "threshold=7"]);
    assert!(String::from_utf8_lossy(&range.stderr).contains("threshold=7: out of range"));
    assert_eq!(
        sharpmeter(&["check"]).status.code(),
        Some(2),
        "a path is required"
    );
}
