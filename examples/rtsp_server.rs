//! An RTSP server (gst-rtsp-server) whose stream passes through sharpmeter; the server
//! application receives sharpmeter's element messages (`handle-message::element` on each
//! GstRTSPMedia) and prints its reports and alarms.
//!
//! `cargo run --example rtsp_server -- [PORT] [SOFT_AFTER_SECONDS]`, then for example
//! `gst-launch-1.0 rtspsrc location=rtsp://127.0.0.1:8554/sharpmeter ! rtph264depay !
//! avdec_h264 ! autovideosink`. The served videotestsrc shows sharp colour bars and, after
//! SOFT_AFTER_SECONDS (default 5), the soft `pinwheel` pattern (sharpness about 0.25), so
//! `threshold` and `drop` alarms follow.
//! PORT 0 picks a free port; the first line printed is the stream's URL.

use std::io::Write;

use gst::glib;
use gst::prelude::*;
use gst_rtsp_server::prelude::*;
use gstsharpmeter::messages::{Alarm, Report};

/// Mount point of the stream.
pub const MOUNT: &str = "/sharpmeter";

/// The served pipeline: a live test source named `src`, sharpmeter, H.264 for RTP.
pub const LAUNCH: &str = "( videotestsrc name=src is-live=true pattern=smpte \
    ! video/x-raw,width=640,height=360,framerate=25/1 ! sharpmeter name=meter \
    ! x264enc tune=zerolatency speed-preset=ultrafast key-int-max=25 \
    ! rtph264pay name=pay0 pt=96 config-interval=1 )";

/// One line for a sharpmeter report or alarm message; None for other messages.
pub fn describe(msg: &gst::MessageRef) -> Option<String> {
    let seconds = |t: Option<gst::ClockTime>| t.map_or(f64::NAN, |t| t.nseconds() as f64 / 1e9);
    if let Some(a) = Alarm::from_message(msg) {
        return Some(format!(
            "alarm {} ({}) at {:.2} s: smoothed sharpness {:.3}, limit {:.2}",
            a.event.as_str(),
            a.reason.as_str(),
            seconds(a.times.running_time),
            a.sharpness,
            a.threshold
        ));
    }
    let r = Report::from_message(msg)?;
    Some(format!(
        "report at {:.2} s: {} frames, sharpness {}, state {}",
        seconds(r.times.running_time),
        r.frames,
        r.sharpness.map_or("-".into(), |s| format!("{s:.3}")),
        r.state.as_str()
    ))
}

/// Starts serving [`LAUNCH`] at [`MOUNT`] on `port` (0: a free one) from `context`. Each
/// media's source turns to the soft pattern `soft_after` seconds after it is configured;
/// `on_line` receives a line per sharpmeter report and alarm, from the media's bus. Returns
/// the server (keep it alive) and the port it listens on.
pub fn start(
    context: &glib::MainContext,
    port: u16,
    soft_after: u64,
    on_line: impl Fn(String) + Send + Sync + Clone + 'static,
) -> Result<(gst_rtsp_server::RTSPServer, u16), glib::BoolError> {
    gstsharpmeter::plugin_register_static()?;
    let server = gst_rtsp_server::RTSPServer::new();
    server.set_address("127.0.0.1");
    server.set_service(&port.to_string());
    let factory = gst_rtsp_server::RTSPMediaFactory::new();
    factory.set_launch(LAUNCH);
    factory.set_shared(true);
    factory.connect_media_configure(move |_, media| {
        let on_line = on_line.clone();
        media.connect("handle-message::element", false, move |args| {
            if let Ok(msg) = args[1].get::<gst::Message>()
                && let Some(line) = describe(&msg)
            {
                on_line(line);
            }
            Some(true.to_value())
        });
        let source = media
            .element()
            .downcast::<gst::Bin>()
            .ok()
            .and_then(|bin| bin.by_name("src"));
        if let Some(source) = source {
            std::thread::spawn(move || {
                std::thread::sleep(std::time::Duration::from_secs(soft_after));
                source.set_property_from_str("pattern", "pinwheel");
            });
        }
    });
    server
        .mount_points()
        .ok_or_else(|| glib::bool_error!("the server has no mount points"))?
        .add_factory(MOUNT, factory);
    server.attach(Some(context))?;
    let bound = u16::try_from(server.bound_port())
        .map_err(|_| glib::bool_error!("the server is not listening"))?;
    Ok((server, bound))
}

#[allow(dead_code)]
fn main() {
    gst::init().expect("GStreamer initialises");
    let mut args = std::env::args().skip(1);
    let port = args
        .next()
        .map_or(8554, |p| p.parse().expect("PORT is a number"));
    let soft_after = args
        .next()
        .map_or(5, |s| s.parse().expect("SOFT_AFTER_SECONDS is a number"));
    let context = glib::MainContext::default();
    let print = |line: String| {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{line}");
        let _ = out.flush();
    };
    let (_server, port) = start(&context, port, soft_after, print).expect("RTSP server starts");
    println!("rtsp://127.0.0.1:{port}{MOUNT}");
    glib::MainLoop::new(Some(&context), false).run();
}
