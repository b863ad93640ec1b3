//! The RTSP server example over loopback: an `rtspsrc` client plays the stream, and the server
//! application receives sharpmeter's alarm when the served source turns soft.

#[allow(dead_code)]
#[path = "../examples/rtsp_server.rs"]
mod rtsp_server;

use std::sync::mpsc;
use std::time::{Duration, Instant};

use gst::glib;
use gst::prelude::*;

#[test]
fn the_server_application_receives_an_alarm_when_its_source_turns_soft() {
    gst::init().unwrap();
    let (lines, received) = mpsc::channel::<String>();
    let (port_tx, port_rx) = mpsc::channel();
    // The server runs its own main context in its own thread, as an application's would.
    std::thread::spawn(move || {
        let context = glib::MainContext::new();
        let on_line = move |line| {
            let _ = lines.send(line);
        };
        let (server, port) = rtsp_server::start(&context, 0, 2, on_line).expect("server starts");
        port_tx.send(port).unwrap();
        glib::MainLoop::new(Some(&context), false).run();
        drop(server);
    });
    let port = port_rx.recv_timeout(Duration::from_secs(10)).unwrap();
    let client = gst::parse::launch(&format!(
        "rtspsrc location=rtsp://127.0.0.1:{port}{} protocols=tcp latency=0 \
         ! rtph264depay ! avdec_h264 ! fakesink",
        rtsp_server::MOUNT
    ))
    .unwrap();
    client.set_state(gst::State::Playing).unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut seen = Vec::new();
    let alarm = loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match received.recv_timeout(left) {
            Ok(line) if line.starts_with("alarm start") => break line,
            Ok(line) => seen.push(line),
            Err(_) => panic!("no alarm within 30 s; the server saw {seen:?}"),
        }
    };
    client.set_state(gst::State::Null).unwrap();
    // Sharp before the switch at 2 s, an alarm after it.
    let sharp = seen
        .iter()
        .find(|l| l.starts_with("report at 0."))
        .expect("a first report");
    assert!(sharp.ends_with("state ok"), "{seen:?}");
    let at: f64 = alarm
        .split(" at ")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .and_then(|s| s.parse().ok())
        .expect("alarm time");
    // The source turns soft 2 s of wall-clock time after the media is configured, which is
    // earlier in running time by however long the media took to start playing.
    assert!((1.0..4.0).contains(&at), "{alarm}");
}
