//! What the command's tests share: running the binary, and x264 clips of pans over the
//! fixtures.

#![allow(dead_code)]

#[path = "../../../tests/common/clip.rs"]
pub mod clip;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use clip::{Clip, Photo, load_photo};
use gst::prelude::*;

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures")
        .join(name)
}

/// The command, to be given arguments and run with [`run`].
pub fn command() -> Command {
    Command::new(env!("CARGO_BIN_EXE_sharpmeter"))
}

/// Runs `cmd`, printing what it said (shown when a test fails).
pub fn run(cmd: &mut Command) -> Output {
    let out = cmd.output().expect("sharpmeter runs");
    eprintln!(
        "{cmd:?}\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

pub fn sharpmeter(args: &[&str]) -> Output {
    run(command().args(args))
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Encodes `clip` as H.264 (x264, ultrafast) in MP4 at `path`.
pub fn encode(clip: Clip, path: &Path) {
    encode_with(clip, path, "mp4mux");
}

/// Encodes `clip` as H.264 (x264, ultrafast) at `path` with the muxer `mux` (a launch-line
/// element, e.g. `mp4mux faststart=true`).
pub fn encode_with(clip: Clip, path: &Path, mux: &str) {
    gst::init().unwrap();
    let pipeline = gst::parse::launch(&format!(
        "appsrc name=src format=time block=true max-buffers=4 ! videoconvert \
         ! x264enc speed-preset=ultrafast bitrate=6000 ! {mux} ! filesink location=\"{}\"",
        path.display()
    ))
    .unwrap()
    .downcast::<gst::Pipeline>()
    .unwrap();
    let src = pipeline
        .by_name("src")
        .unwrap()
        .downcast::<gst_app::AppSrc>()
        .unwrap();
    pipeline.set_state(gst::State::Playing).unwrap();
    clip.feed(src);
    let bus = pipeline.bus().unwrap();
    let msg = bus
        .timed_pop_filtered(
            gst::ClockTime::NONE,
            &[gst::MessageType::Eos, gst::MessageType::Error],
        )
        .unwrap();
    assert!(matches!(msg.view(), gst::MessageView::Eos(_)), "{msg:?}");
    pipeline.set_state(gst::State::Null).unwrap();
}

/// `photo` mirrored left to right: another picture of the same kind.
pub fn mirrored(p: &Photo) -> Photo {
    let mut rgb = p.rgb.clone();
    for row in rgb.chunks_mut(p.width * 3) {
        let px: Vec<[u8; 3]> = row.chunks(3).rev().map(|c| [c[0], c[1], c[2]]).collect();
        row.copy_from_slice(&px.concat());
    }
    Photo { rgb, ..*p }
}

/// A pan over `photo` of `seconds` at `size`, 15 fps, down-upped by `factor` throughout.
pub fn pan(photo: Photo, size: (usize, usize), seconds: usize, factor: usize) -> Clip {
    Clip {
        photo,
        width: size.0,
        height: size.1,
        fps: 15,
        frames: seconds * 15,
        soft: if factor > 1 { 0..seconds * 15 } else { 0..0 },
        factor,
        fade: 0..0,
    }
}

/// The photos of the folder: five fixtures and their mirror images.
pub fn photos() -> Vec<(String, Photo)> {
    let mut out = Vec::new();
    for name in [
        "color_astronaut",
        "gray_camera",
        "gray_chelsea",
        "gray_coins",
        "gray_rocket",
    ] {
        let p = load_photo(&fixture(&format!("{name}__blur__0.png")));
        out.push((format!("{name}-mirrored"), mirrored(&p)));
        out.push((name.to_string(), p));
    }
    out
}

pub fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).expect("the JSON parses")
}

/// The one number `sql` selects from the database at `db`.
pub fn count(db: &Path, sql: &str) -> i64 {
    rusqlite::Connection::open(db)
        .unwrap()
        .query_row(sql, [], |r| r.get(0))
        .unwrap()
}

pub fn rows(db: &Path) -> i64 {
    count(db, "SELECT COUNT(*) FROM files")
}

/// `path`'s MP4 `mvhd` creation time set to Unix time `t`.
pub fn set_creation_time(path: &Path, t: i64) {
    let mut bytes = std::fs::read(path).unwrap();
    let at = bytes
        .windows(4)
        .position(|w| w == b"mvhd")
        .expect("an mvhd box");
    assert_eq!(bytes[at + 4], 0, "version 0 mvhd");
    let since_1904 = (t + 2_082_844_800) as u32;
    bytes[at + 8..at + 12].copy_from_slice(&since_1904.to_be_bytes());
    std::fs::write(path, bytes).unwrap();
}

/// A process the test started, killed when the test ends.
pub struct Child(pub std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// An HTTP server on a free local port serving `dir`, each answer held back `delay`
/// seconds before its first byte; its port.
pub fn http_server(dir: &Path, delay: f64) -> (Child, u16) {
    use std::io::BufRead;
    let script = format!(
        "import functools, http.server, time\n\
         class H(http.server.SimpleHTTPRequestHandler):\n\
         \x20   def send_head(self):\n\
         \x20       time.sleep({delay})\n\
         \x20       return super().send_head()\n\
         s = http.server.ThreadingHTTPServer(('127.0.0.1', 0), functools.partial(H, directory={dir:?}))\n\
         print(s.server_address[1], flush=True)\n\
         s.serve_forever()\n"
    );
    let mut child = Command::new("python3")
        .args(["-c", &script])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("python3 runs");
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port = line.trim().parse().expect("the server says its port");
    (Child(child), port)
}

/// A small x264 MP4 clip at `path`: a pan over the camera photo, `seconds` long, 320x240,
/// its index first (`faststart`, so it plays from a server that cannot seek).
pub fn small_clip(path: &Path, seconds: usize) {
    let photo = load_photo(&fixture("gray_camera__blur__0.png"));
    encode_with(
        pan(photo, (320, 240), seconds, 1),
        path,
        "mp4mux faststart=true",
    );
}

/// The hour labels of a `trend --by hour` table.
pub fn hours(table: &str) -> Vec<&str> {
    table
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().next())
        .filter(|w| w.len() == 2)
        .collect()
}
