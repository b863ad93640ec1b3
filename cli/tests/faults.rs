//! Faults found by abusing the command (issue "The command keeps every result and says so at
//! once"), one test each: results that were lost or misreported, inputs and outputs that were
//! mishandled, exit statuses that did not tell.

mod common;

use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::time::{Duration, Instant};

use common::clip::load_photo;
use common::{
    Child, command, count, encode_with, fixture, hours, http_server, json, pan, rows, run,
    set_creation_time, sharpmeter, small_clip, stderr, stdout,
};

fn s(p: &Path) -> String {
    p.display().to_string()
}

#[test]
fn rechecking_a_uri_logs_a_new_row_dated_when_checked() {
    let dir = tempfile::tempdir().unwrap();
    let clip = dir.path().join("cam.mp4");
    small_clip(&clip, 2);
    // No creation time in the container (0 in `mvhd`): the check dates it.
    set_creation_time(&clip, -2_082_844_800);
    let (_server, port) = http_server(dir.path(), 0.0);
    let uri = format!("http://127.0.0.1:{port}/cam.mp4");
    let db = dir.path().join("uri.db");
    for _ in 0..2 {
        let out = sharpmeter(&["check", &uri, "--db", &s(&db)]);
        assert_eq!(out.status.code(), Some(0));
    }
    assert_eq!(rows(&db), 2, "each check of a URI is a row");
    let dated = count(
        &db,
        "SELECT COUNT(*) FROM files WHERE created IS NOT NULL AND created_from = 'checked'",
    );
    assert_eq!(
        dated, 2,
        "dated by the check, so trend and compare see them"
    );
}

#[test]
fn a_file_and_its_reports_are_written_whole_or_not_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let (one, two) = (dir.path().join("one.mp4"), dir.path().join("two.mp4"));
    small_clip(&one, 1);
    small_clip(&two, 2);
    let db = dir.path().join("log.db");
    assert_eq!(
        sharpmeter(&["check", &s(&one), "--db", &s(&db)])
            .status
            .code(),
        Some(0)
    );
    // The disk fills up after three report rows.
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute_batch(
            "CREATE TRIGGER full BEFORE INSERT ON reports
             WHEN (SELECT COUNT(*) FROM reports) >= 3
             BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;",
        )
        .unwrap();
    let out = sharpmeter(&[
        "check",
        &s(&two),
        "--db",
        &s(&db),
        "--db-reports",
        "--set",
        "interval=0",
    ]);
    assert_eq!(out.status.code(), Some(3), "a result that was not logged");
    assert!(
        stdout(&out).contains("(not logged: database or disk is full)"),
        "{}",
        stdout(&out)
    );
    assert!(stderr(&out).contains("two.mp4: result not logged"));
    assert_eq!(rows(&db), 1, "no row for two.mp4");
    let reports = count(&db, "SELECT COUNT(*) FROM reports");
    assert_eq!(reports, 0, "nor any of its reports");
    // The next run analyses it again instead of serving a half-written row.
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute_batch("DROP TRIGGER full")
        .unwrap();
    let again = sharpmeter(&["check", &s(&two), "--db", &s(&db), "--db-reports"]);
    assert_eq!(again.status.code(), Some(0));
    assert!(!stdout(&again).contains("from the database"));
}

#[test]
fn a_locked_database_is_waited_for_and_then_said_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let clip = dir.path().join("clip.mp4");
    small_clip(&clip, 1);
    let db = dir.path().join("log.db");
    sharpmeter(&["check", &s(&clip), "--db", &s(&db), "--set", "drop=0.5"]);
    let writer = rusqlite::Connection::open(&db).unwrap();
    writer.execute_batch("BEGIN IMMEDIATE").unwrap();
    let started = Instant::now();
    let out = sharpmeter(&["check", &s(&clip), "--db", &s(&db), "--db-wait", "1"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        stdout(&out).contains("(not logged: database is locked)"),
        "{}",
        stdout(&out)
    );
    assert!(stdout(&out).contains("1 not logged"), "{}", stdout(&out));
    assert!(started.elapsed() < Duration::from_secs(20));
    writer.execute_batch("COMMIT").unwrap();
    assert_eq!(rows(&db), 1);
}

#[test]
fn outputs_are_checked_before_any_input_is_analysed() {
    let dir = tempfile::tempdir().unwrap();
    let clip = dir.path().join("in.mp4");
    small_clip(&clip, 1);
    let before = std::fs::read(&clip).unwrap();
    let nowhere = dir.path().join("no/such/folder/x.json");
    let out = sharpmeter(&["check", &s(&clip), "--json", &s(&nowhere)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stdout(&out).is_empty(), "nothing was analysed");
    assert!(stderr(&out).contains("x.json"), "{}", stderr(&out));
    let over = sharpmeter(&["check", &s(&clip), "--json", &s(&clip)]);
    assert_eq!(over.status.code(), Some(2));
    assert!(
        stderr(&over).contains("is also an input"),
        "{}",
        stderr(&over)
    );
    assert_eq!(std::fs::read(&clip).unwrap(), before, "the input is intact");
    let both = sharpmeter(&["check", &s(&clip), "--json", "-", "--csv", "-"]);
    assert_eq!(both.status.code(), Some(2));
    assert!(stderr(&both).contains("cannot both write to standard output"));
    // A good output is written whole, with no temporary file left beside it.
    let json_path = dir.path().join("out.json");
    let good = sharpmeter(&["check", &s(&clip), "--json", &s(&json_path)]);
    assert_eq!(good.status.code(), Some(0));
    let doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&json_path).unwrap()).unwrap();
    assert_eq!(doc["total"]["files"], 1);
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!names.iter().any(|n| n.ends_with(".tmp")), "{names:?}");
}

#[test]
fn a_slow_origin_is_waited_for_as_long_as_the_stall_time() {
    let dir = tempfile::tempdir().unwrap();
    small_clip(&dir.path().join("cam.mp4"), 1);
    let (_server, port) = http_server(dir.path(), 3.0);
    let uri = format!("http://127.0.0.1:{port}/cam.mp4");
    let out = sharpmeter(&["check", &uri, "--stall", "6"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

#[test]
fn negative_values_of_unsigned_properties_are_refused() {
    let out = sharpmeter(&["check", "x.mp4", "--set", "min-duration=-5"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("min-duration=-5: not a valid guint64"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn trend_and_compare_count_a_file_once_whatever_settings_checked_it() {
    let dir = tempfile::tempdir().unwrap();
    let clips = dir.path().join("clips");
    std::fs::create_dir(&clips).unwrap();
    // Three files of other lengths, so of other contents.
    for i in 1..=3 {
        small_clip(&clips.join(format!("{i}.mp4")), i);
    }
    let db = dir.path().join("log.db");
    sharpmeter(&["check", &s(&clips), "--db", &s(&db)]);
    sharpmeter(&[
        "check",
        &s(&clips),
        "--db",
        &s(&db),
        "--set",
        "threshold=0.4",
    ]);
    assert_eq!(rows(&db), 6, "one row per file and settings");
    let trend = sharpmeter(&["trend", "--db", &s(&db), "--by", "week", "--utc"]);
    assert!(stdout(&trend).contains("\n3 files;"), "{}", stdout(&trend));
    let cmp = sharpmeter(&["compare", "db:..", "db:..", "--db", &s(&db)]);
    assert!(
        stdout(&cmp).contains("db:..: 3 files, 3 judged"),
        "{}",
        stdout(&cmp)
    );
}

#[test]
fn hours_follow_daylight_saving_time() {
    let dir = tempfile::tempdir().unwrap();
    let clip = dir.path().join("july.mp4");
    small_clip(&clip, 1);
    // 2026-07-15 08:15 UTC is 10:15 in Berlin (CEST, UTC+2); in December Berlin is UTC+1.
    set_creation_time(&clip, 1_784_103_300);
    let db = dir.path().join("log.db");
    sharpmeter(&["check", &s(&clip), "--db", &s(&db)]);
    let out = run(command()
        .args(["trend", "--db", &s(&db), "--by", "hour"])
        .env("TZ", "Europe/Berlin"));
    let text = stdout(&out);
    assert_eq!(hours(&text), ["10"], "{text}");
}

#[test]
fn a_file_that_ends_early_is_incomplete_never_ok() {
    let dir = tempfile::tempdir().unwrap();
    let whole = dir.path().join("whole.mp4");
    let photo = load_photo(&fixture("gray_camera__blur__0.png"));
    encode_with(
        pan(photo, (320, 240), 10, 1),
        &whole,
        "mp4mux faststart=true",
    );
    let bytes = std::fs::read(&whole).unwrap();
    let half = dir.path().join("half.mp4");
    std::fs::write(&half, &bytes[..bytes.len() / 2]).unwrap();
    let out = sharpmeter(&["check", &s(&whole), &s(&half), "--json", "-"]);
    assert_eq!(out.status.code(), Some(2), "as for a failure");
    let doc = json(&out);
    let files = doc["files"].as_array().unwrap();
    assert_eq!(files[0]["verdict"], "ok", "{doc}");
    assert_eq!(files[1]["verdict"], "incomplete", "{doc}");
    let (decoded, container) = (
        files[1]["duration"].as_f64().unwrap(),
        files[1]["container_duration"].as_f64().unwrap(),
    );
    assert!(decoded < 7.0 && (container - 10.0).abs() < 0.5, "{doc}");
    let line = stdout(&sharpmeter(&["check", &s(&half)]));
    assert!(
        line.contains("incomplete (decoded ") && line.contains("of the container's 10.0 s)"),
        "{line}"
    );
    // Audio that runs 3 s past the end of the video is no sign of a cut.
    let longer_audio = dir.path().join("audio_tail.mp4");
    let status = std::process::Command::new("gst-launch-1.0")
        .args(["-q", "videotestsrc", "num-buffers=30", "!"])
        .args(["video/x-raw,width=320,height=240,framerate=15/1", "!"])
        .args([
            "x264enc",
            "speed-preset=ultrafast",
            "!",
            "mp4mux",
            "name=m",
            "!",
        ])
        .arg("filesink")
        .arg(format!("location={}", longer_audio.display()))
        .args([
            "audiotestsrc",
            "num-buffers=230",
            "!",
            "avenc_aac",
            "!",
            "m.",
        ])
        .status()
        .unwrap();
    assert!(status.success());
    let out = sharpmeter(&["check", &s(&longer_audio), "--json", "-"]);
    let doc = json(&out);
    let file = &doc["files"][0];
    assert_ne!(file["verdict"], "incomplete", "{doc}");
    assert!(
        (file["duration"].as_f64().unwrap() - 2.0).abs() < 0.1,
        "{doc}"
    );
}

#[test]
fn file_names_that_are_not_utf8_are_analysed() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("in");
    std::fs::create_dir(&folder).unwrap();
    // "café.mp4" in Latin-1.
    let name = std::ffi::OsStr::from_bytes(b"caf\xe9.mp4");
    let clip = folder.join(name);
    // The encoder's launch line takes a UTF-8 name; the file is renamed after.
    let plain = folder.join("plain.mp4");
    small_clip(&plain, 1);
    std::fs::rename(&plain, &clip).unwrap();
    let in_folder = sharpmeter(&["check", &s(&folder)]);
    assert_eq!(in_folder.status.code(), Some(0), "{}", stdout(&in_folder));
    let direct = run(command().arg("check").arg(&clip));
    assert_eq!(direct.status.code(), Some(0), "{}", stdout(&direct));
    assert!(stdout(&direct).contains("1 ok"));
}

#[test]
fn compare_and_trend_say_when_they_cannot_compare() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("typo.db");
    let out = sharpmeter(&["compare", "db:..", "db:..", "--db", &s(&missing)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no such database"),
        "{}",
        stderr(&out)
    );
    let out = sharpmeter(&["trend", "--db", &s(&missing)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!missing.exists(), "no database was created");
    // A database with a file in it, and a selection from after to before.
    let clip = dir.path().join("clip.mp4");
    small_clip(&clip, 1);
    let db = dir.path().join("log.db");
    sharpmeter(&["check", &s(&clip), "--db", &s(&db)]);
    let out = sharpmeter(&[
        "compare",
        "db:2026-12-01..2026-11-01",
        "db:..",
        "--db",
        &s(&db),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("FROM is not before TO"));
    // An empty selection cannot be compared.
    let out = sharpmeter(&["compare", "db:..2000-01-01", "db:..", "--db", &s(&db)]);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
}

#[test]
fn a_live_source_is_analysed_for_duration_or_said_to_need_it() {
    let port = std::net::UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let _sender = Child(
        std::process::Command::new("gst-launch-1.0")
            .args([
                "-q",
                "videotestsrc",
                "is-live=true",
                "pattern=ball",
                "!",
                "video/x-raw,width=320,height=240,framerate=15/1",
                "!",
                "x264enc",
                "tune=zerolatency",
                "speed-preset=ultrafast",
                "key-int-max=15",
                "!",
                "mpegtsmux",
                "!",
                "udpsink",
                "host=127.0.0.1",
            ])
            .arg(format!("port={port}"))
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    );
    let uri = format!("udp://127.0.0.1:{port}");
    let started = Instant::now();
    let out = sharpmeter(&["check", &uri]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stdout(&out).contains("give --duration"), "{}", stdout(&out));
    assert!(started.elapsed() < Duration::from_secs(5));
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("live.db");
    let started = Instant::now();
    let out = sharpmeter(&["check", &uri, "--duration", "3s", "--db", &s(&db)]);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stdout(&out));
    assert!(started.elapsed() < Duration::from_secs(15));
    assert_eq!(rows(&db), 1);
    let text = stdout(&out);
    let seconds: f64 = text
        .split(": ")
        .nth(1)
        .and_then(|t| t.split(" s,").next())
        .and_then(|t| t.parse().ok())
        .unwrap_or_else(|| panic!("{text}"));
    assert!((2.5..4.5).contains(&seconds), "{text}");
}

#[test]
fn lines_come_in_the_order_of_the_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let (long, short) = (
        dir.path().join("a_long.mp4"),
        dir.path().join("b_short.mp4"),
    );
    small_clip(&long, 20);
    small_clip(&short, 1);
    let out = sharpmeter(&["check", &s(dir.path()), "--jobs", "2"]);
    let text = stdout(&out);
    let (a, b) = (text.find("a_long.mp4"), text.find("b_short.mp4"));
    assert!(a.is_some() && b.is_some() && a < b, "{text}");
}

#[test]
fn trend_reads_a_database_without_writing_to_it() {
    let dir = tempfile::tempdir().unwrap();
    let clip = dir.path().join("clip.mp4");
    small_clip(&clip, 1);
    let db = dir.path().join("log.db");
    sharpmeter(&["check", &s(&clip), "--db", &s(&db)]);
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute_batch("PRAGMA journal_mode=DELETE")
        .unwrap();
    let before = std::fs::read(&db).unwrap();
    let out = sharpmeter(&["trend", "--db", &s(&db)]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(std::fs::read(&db).unwrap(), before, "not a byte changed");
    assert!(!dir.path().join("log.db-wal").exists(), "no journal made");
}

#[test]
fn jobs_are_between_1_and_64() {
    for n in ["0", "65"] {
        let out = sharpmeter(&["check", "x.mp4", "--jobs", n]);
        assert_eq!(out.status.code(), Some(2));
        assert!(stderr(&out).contains("--jobs"), "{}", stderr(&out));
    }
}

#[test]
fn progress_moves_while_a_file_decodes() {
    let dir = tempfile::tempdir().unwrap();
    let clip = dir.path().join("long.mp4");
    small_clip(&clip, 30);
    // `script` gives the command a terminal, where the progress bar is drawn.
    let line = format!("{} check {}", env!("CARGO_BIN_EXE_sharpmeter"), s(&clip));
    let out = run(std::process::Command::new("script").args(["-qec", &line, "/dev/null"]));
    let text = stdout(&out);
    let midway: Vec<u32> = text
        .split("% 0/1 files")
        .filter_map(|before| before.rsplit(' ').next()?.parse().ok())
        .filter(|p| (1..100).contains(p))
        .collect();
    assert!(!midway.is_empty(), "{text:?}");
}
