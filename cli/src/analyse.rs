//! One input through `uridecodebin ! videoconvert ! sharpmeter ! appsink`, as fast as it
//! decodes: per-frame figures, alarm episodes, reports, the summary and the creation time.
//! A stream that shows no video frame within the stall time is given up with a reason.

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use gst::prelude::*;
use gstsharpmeter::analysis::effective_share;
use gstsharpmeter::messages::{Alarm, AlarmEvent, AlarmReason, Report, Summary};
use gstsharpmeter::meta::SharpMeterMeta;

/// One analysed frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Frame {
    /// Seconds from the first frame.
    pub time: f64,
    pub valid: bool,
    pub sharpness: f64,
    /// Effective share of the analysed area, worse axis.
    pub share: Option<f64>,
    pub effective_width: Option<u32>,
    pub effective_height: Option<u32>,
    /// `detail`, when the frame has one.
    pub detail: Option<f64>,
}

/// An alarm episode, in seconds from the first frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Span {
    pub reason: AlarmReason,
    pub start: f64,
    pub end: f64,
}

/// What one input gave.
#[derive(Debug, Default)]
pub struct Analysis {
    pub frames: Vec<Frame>,
    pub episodes: Vec<Span>,
    pub reports: Vec<Report>,
    pub summary: Option<Summary>,
    /// Seconds from the first frame's start to the last frame's end.
    pub duration: f64,
    /// Seconds of video the container states from the first frame on: where its video
    /// stream's segment ends, else the container's duration (which covers every stream).
    /// None for live sources, and when the analysis stopped at `--duration`.
    pub container_duration: Option<f64>,
    /// The container's creation time (`datetime` tag with a time of day), Unix seconds.
    pub created: Option<i64>,
    /// The element's `threshold` as set.
    pub threshold: f64,
}

/// The URI of a path or URI.
pub fn uri_of(input: &str) -> String {
    if crate::inputs::is_uri(input) {
        return input.to_string();
    }
    file_uri(Path::new(input))
}

/// The `file://` URI of `path`, whatever bytes its name holds.
pub fn file_uri(path: &Path) -> String {
    let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    gst::glib::filename_to_uri(&path, None)
        .map_or_else(|_| path.display().to_string(), |u| u.to_string())
}

/// Sets `name=value` on `element`, with the value parsed as gst-launch parses it.
pub fn set_property(element: &gst::Element, name: &str, value: &str) -> Result<(), String> {
    let pspec = element
        .find_property(name)
        .ok_or_else(|| format!("sharpmeter has no property {name:?}"))?;
    if !pspec.flags().contains(gst::glib::ParamFlags::WRITABLE) {
        return Err(format!("property {name:?} cannot be set"));
    }
    let not_valid = || format!("{name}={value}: not a valid {}", pspec.value_type());
    // GLib reads "-5" as an unsigned 2^64 - 5.
    let unsigned = [
        gst::glib::Type::U32,
        gst::glib::Type::U64,
        gst::glib::Type::U_LONG,
    ];
    if unsigned.contains(&pspec.value_type()) && value.trim_start().starts_with('-') {
        return Err(not_valid());
    }
    let v = gst::glib::Value::deserialize(value, pspec.value_type()).map_err(|_| not_valid())?;
    // GLib's own check, which set_property_from_value would turn into a panic.
    let mut probe = v.clone();
    let changed = unsafe {
        use gst::glib::translate::{ToGlibPtr, ToGlibPtrMut};
        gst::glib::gobject_ffi::g_param_value_validate(
            pspec.to_glib_none().0,
            probe.to_glib_none_mut().0,
        )
    };
    if changed != 0 {
        return Err(format!("{name}={value}: out of range"));
    }
    element.set_property_from_value(name, &v);
    Ok(())
}

/// Checks element properties before any input is opened.
pub fn check_properties(props: &[(String, String)]) -> Result<(), String> {
    let meter = gst::ElementFactory::make("sharpmeter")
        .build()
        .map_err(|e| e.to_string())?;
    props
        .iter()
        .try_for_each(|(n, v)| set_property(&meter, n, v))
}

/// Frames collected by the appsink callback.
#[derive(Default)]
struct Collected {
    frames: Vec<Frame>,
    first: Option<gst::ClockTime>,
    end: Option<gst::ClockTime>,
    /// The end of the video stream's segment, when the demuxer set one.
    stop: Option<gst::ClockTime>,
}

fn seconds(t: gst::ClockTime, origin: Option<gst::ClockTime>) -> f64 {
    t.saturating_sub(origin.unwrap_or(gst::ClockTime::ZERO))
        .nseconds() as f64
        / 1e9
}

/// Held while a pipeline starts or stops, so that no two workers' pipelines do at once (the
/// case in which qtdemux was seen to stay silent).
static STATE_CHANGES: Mutex<()> = Mutex::new(());
/// The error of an attempt that exposed no stream within the stall time. Such an input is
/// started once more: qtdemux in GStreamer 1.22 now and then stays silent on a truncated MP4
/// (no stream, no error) when another pipeline stops at the same moment.
const NOTHING_EXPOSED: &str = "no stream found";

/// How an input is analysed.
#[derive(Debug, Clone)]
pub struct Settings {
    /// sharpmeter properties, `name=value`.
    pub props: Vec<(String, String)>,
    /// An input that shows no frame for this long is given up.
    pub stall: Duration,
    /// Analyse this much of the stream, then stop; a live source needs it.
    pub limit: Option<Duration>,
}

/// Analyses `uri` as `settings` say. `frames` counts frames as they pass, `permille` how
/// much of the input is decoded.
pub fn analyse(
    uri: &str,
    settings: &Settings,
    frames: &AtomicU64,
    permille: &AtomicU64,
) -> Result<Analysis, String> {
    let stall = settings.stall;
    let progress = (frames, permille);
    match attempt(uri, settings, progress) {
        Err(e) if e == NOTHING_EXPOSED => attempt(uri, settings, progress).map_err(|e| {
            if e == NOTHING_EXPOSED {
                format!("{NOTHING_EXPOSED} within {} s, twice", stall.as_secs())
            } else {
                e
            }
        }),
        other => other,
    }
}

/// Frames done of every input, and thousandths of this one.
type Counters<'a> = (&'a AtomicU64, &'a AtomicU64);

fn attempt(uri: &str, settings: &Settings, counters: Counters) -> Result<Analysis, String> {
    let make = |name: &str| {
        gst::ElementFactory::make(name)
            .build()
            .map_err(|e| format!("{name}: {e}"))
    };
    let pipeline = gst::Pipeline::new();
    let src = gst::ElementFactory::make("uridecodebin")
        .property("uri", uri)
        .build()
        .map_err(|e| e.to_string())?;
    let convert = make("videoconvert")?;
    let meter = make("sharpmeter")?;
    for (n, v) in &settings.props {
        set_property(&meter, n, v)?;
    }
    let threshold = meter.property::<f64>("threshold");
    let sink = gst_app::AppSink::builder().sync(false).build();
    pipeline
        .add_many([&src, &convert, &meter, sink.upcast_ref()])
        .map_err(|e| e.to_string())?;
    gst::Element::link_many([&convert, &meter, sink.upcast_ref()]).map_err(|e| e.to_string())?;

    let linked = Arc::new(AtomicBool::new(false));
    // Set when the demuxer has exposed a stream or said it has none.
    let exposed = Arc::new(AtomicBool::new(false));
    // Why no video was linked: a video stream without a decoder, or none at all.
    let undecodable = Arc::new(Mutex::new(None::<String>));
    let no_video = Arc::new(AtomicBool::new(false));
    let sink_pad = convert
        .static_pad("sink")
        .ok_or("videoconvert has no sink pad")?;
    {
        let (linked, undecodable, exposed) = (linked.clone(), undecodable.clone(), exposed.clone());
        let bin = pipeline.downgrade();
        src.connect_pad_added(move |_, pad| {
            exposed.store(true, Ordering::SeqCst);
            let caps = pad.current_caps().unwrap_or_else(|| pad.query_caps(None));
            let name = caps
                .structure(0)
                .map_or(String::new(), |s| s.name().to_string());
            if name == "video/x-raw"
                && !linked.load(Ordering::SeqCst)
                && pad.link(&sink_pad).is_ok()
            {
                linked.store(true, Ordering::SeqCst);
                return;
            }
            if name.starts_with("video/") && name != "video/x-raw" {
                *undecodable.lock().unwrap_or_else(|e| e.into_inner()) = Some(name);
            }
            // Other streams (audio, subtitles, undecodable ones) end in a fakesink.
            let (Some(bin), Ok(sink)) = (
                bin.upgrade(),
                gst::ElementFactory::make("fakesink")
                    .property("sync", false)
                    .property("async", false)
                    .build(),
            ) else {
                return;
            };
            if bin.add(&sink).is_ok() {
                let _ = sink.sync_state_with_parent();
                if let Some(p) = sink.static_pad("sink") {
                    let _ = pad.link(&p);
                }
            }
        });
    }
    {
        let (linked, no_video, exposed) = (linked.clone(), no_video.clone(), exposed.clone());
        src.connect_no_more_pads(move |_| {
            exposed.store(true, Ordering::SeqCst);
            if !linked.load(Ordering::SeqCst) {
                no_video.store(true, Ordering::SeqCst);
            }
        });
    }
    let collected = Arc::new(Mutex::new(Collected::default()));
    let progress = Arc::new(AtomicU64::new(0));
    // Set once a frame ends `settings.limit` after the first began.
    let enough = Arc::new(AtomicBool::new(false));
    let limit = settings
        .limit
        .map(|d| gst::ClockTime::from_nseconds(d.as_nanos() as u64));
    {
        let (collected, progress, enough) = (collected.clone(), progress.clone(), enough.clone());
        sink.set_callbacks(
            gst_app::AppSinkCallbacks::builder()
                .new_sample(move |sink| {
                    let sample = sink.pull_sample().map_err(|_| gst::FlowError::Eos)?;
                    let (Some(buf), Some(caps)) = (sample.buffer(), sample.caps()) else {
                        return Ok(gst::FlowSuccess::Ok);
                    };
                    let Some(pts) = buf.pts() else {
                        return Ok(gst::FlowSuccess::Ok);
                    };
                    let size = gst_video::VideoInfo::from_caps(caps)
                        .map_or((0, 0), |i| (i.width(), i.height()));
                    let mut c = collected.lock().unwrap_or_else(|e| e.into_inner());
                    let first = *c.first.get_or_insert(pts);
                    if let Some(stop) = sample
                        .segment()
                        .and_then(|s| s.downcast_ref::<gst::ClockTime>())
                        .and_then(|s| s.stop())
                    {
                        c.stop = Some(stop);
                    }
                    let end = pts + buf.duration().unwrap_or(gst::ClockTime::ZERO);
                    c.end = Some(c.end.map_or(end, |e| e.max(end)));
                    if let Some(meta) = SharpMeterMeta::from_buffer(buf) {
                        let f = meta.figures;
                        let area = f
                            .active_area
                            .map_or(size, |a| (a.width as u32, a.height as u32));
                        c.frames.push(Frame {
                            time: seconds(pts, Some(first)),
                            valid: f.valid,
                            sharpness: f.sharpness,
                            share: effective_share(&f, area),
                            effective_width: f.effective_width.filter(|_| f.valid),
                            effective_height: f.effective_height.filter(|_| f.valid),
                            detail: f.detail,
                        });
                    }
                    if limit.is_some_and(|l| end.saturating_sub(first) >= l) {
                        enough.store(true, Ordering::SeqCst);
                    }
                    progress.fetch_add(1, Ordering::Relaxed);
                    Ok(gst::FlowSuccess::Ok)
                })
                .build(),
        );
    }
    let bus = pipeline.bus().ok_or("pipeline without a bus")?;
    let flags = Flags {
        no_video: &no_video,
        exposed: &exposed,
        enough: &enough,
        limit,
    };
    let result = run(&pipeline, &bus, flags, &progress, settings.stall, counters).map_err(|e| {
        match undecodable.lock().unwrap_or_else(|e| e.into_inner()).take() {
            Some(caps) if e == NO_VIDEO => format!("no decoder for its video ({caps})"),
            _ => e,
        }
    });
    {
        let _changing = STATE_CHANGES.lock().unwrap_or_else(|e| e.into_inner());
        let _ = pipeline.set_state(gst::State::Null);
    }
    let Messages {
        episodes: alarms,
        reports,
        summary,
        created,
        container_duration,
    } = result?;
    let c = std::mem::take(&mut *collected.lock().unwrap_or_else(|e| e.into_inner()));
    if c.first.is_none() {
        return Err("no video frame decoded".into());
    }
    let duration = c.end.map_or(0.0, |e| seconds(e, c.first));
    let episodes = alarms
        .into_iter()
        .map(|(reason, start, end)| Span {
            reason,
            start: seconds(start, c.first),
            end: end.map_or(duration, |e| seconds(e, c.first).min(duration)),
        })
        .collect();
    Ok(Analysis {
        duration,
        container_duration: c
            .stop
            .map(|stop| seconds(stop, c.first))
            .or(container_duration)
            .filter(|_| !enough.load(Ordering::SeqCst)),
        frames: c.frames,
        episodes,
        reports,
        summary,
        created,
        threshold,
    })
}

/// The reason given when no stream is raw video.
const NO_VIDEO: &str = "no video stream";

/// What the demuxer's and the sink's callbacks found, and whether the run is limited.
#[derive(Clone, Copy)]
struct Flags<'a> {
    /// No stream is raw video.
    no_video: &'a AtomicBool,
    /// A stream was exposed, or none will be.
    exposed: &'a AtomicBool,
    /// The frames reached the `--duration` limit.
    enough: &'a AtomicBool,
    /// The `--duration` limit.
    limit: Option<gst::ClockTime>,
}

/// An alarm episode by the PTS of its first frame and of its end (None: still open at EOS).
type Episode = (AlarmReason, gst::ClockTime, Option<gst::ClockTime>);

/// What the bus carried.
struct Messages {
    episodes: Vec<Episode>,
    reports: Vec<Report>,
    summary: Option<Summary>,
    /// The container's creation time, Unix seconds.
    created: Option<i64>,
    /// The container's duration, seconds.
    container_duration: Option<f64>,
}

/// The error for a live source analysed without a limit.
pub const LIVE: &str =
    "a live source, which never ends: give --duration (e.g. --duration 30s) to analyse that long";

/// Plays the pipeline to EOS; collects what the bus carries.
fn run(
    pipeline: &gst::Pipeline,
    bus: &gst::Bus,
    flags: Flags,
    progress: &AtomicU64,
    stall: Duration,
    (frames_done, permille): Counters,
) -> Result<Messages, String> {
    let error_text = |e: &gst::message::Error| {
        let text = e.error().to_string();
        let text = text.trim_end_matches('.');
        match e.debug() {
            Some(d) if text.contains("Internal data stream error") => format!("{text} ({d})"),
            _ => text.to_string(),
        }
    };
    // PAUSED first: a live source says so there (no preroll).
    let playing = {
        let _changing = STATE_CHANGES.lock().unwrap_or_else(|e| e.into_inner());
        pipeline
            .set_state(gst::State::Paused)
            .and_then(|paused| pipeline.set_state(gst::State::Playing).map(|_| paused))
    };
    if playing == Ok(gst::StateChangeSuccess::NoPreroll) && flags.limit.is_none() {
        return Err(LIVE.into());
    }
    if playing.is_err() {
        let reason = bus
            .timed_pop_filtered(
                Duration::from_secs(1).try_into().ok(),
                &[gst::MessageType::Error],
            )
            .and_then(|m| match m.view() {
                gst::MessageView::Error(e) => Some(error_text(e)),
                _ => None,
            });
        return Err(reason.unwrap_or_else(|| "cannot be opened".into()));
    }
    let mut open: Vec<(AlarmReason, gst::ClockTime)> = Vec::new();
    let (mut episodes, mut reports, mut summary, mut created) =
        (Vec::new(), Vec::new(), None, None);
    let started = Instant::now();
    let mut last = (0u64, started);
    let mut container_duration = None;
    let mut eos_sent = false;
    loop {
        if container_duration.is_none() && flags.exposed.load(Ordering::SeqCst) {
            container_duration = pipeline.query_duration::<gst::ClockTime>();
        }
        let whole = match (container_duration, flags.limit) {
            (Some(d), Some(l)) => Some(d.min(l)),
            (d, l) => d.or(l),
        };
        if let (Some(whole), Some(at)) = (whole, pipeline.query_position::<gst::ClockTime>())
            && whole > gst::ClockTime::ZERO
        {
            let done = at.nseconds() as u128 * 1000 / whole.nseconds() as u128;
            permille.store(done.min(999) as u64, Ordering::Relaxed);
        }
        if flags.enough.load(Ordering::SeqCst) && !eos_sent {
            // The element posts its summary at the EOS this makes.
            eos_sent = pipeline.send_event(gst::event::Eos::new());
        }
        if let Some(msg) = bus.timed_pop(gst::ClockTime::from_mseconds(100)) {
            match msg.view() {
                gst::MessageView::Eos(_) => break,
                gst::MessageView::Error(e) => return Err(error_text(e)),
                gst::MessageView::Tag(t) => {
                    if let Some(d) = t.tags().get::<gst::tags::DateTime>() {
                        let d = d.get();
                        if d.has_time() {
                            created = d.to_g_date_time().ok().map(|g| g.to_unix());
                        }
                    }
                }
                _ => {
                    if let Some(a) = Alarm::from_message(&msg) {
                        let at = a.times.timestamp.unwrap_or(gst::ClockTime::ZERO);
                        match a.event {
                            AlarmEvent::Start => open.push((a.reason, at)),
                            AlarmEvent::End => {
                                if let Some(i) = open.iter().position(|(r, _)| *r == a.reason) {
                                    let (reason, start) = open.remove(i);
                                    episodes.push((reason, start, Some(at)));
                                }
                            }
                        }
                    } else if let Some(r) = Report::from_message(&msg) {
                        reports.push(r);
                    } else if let Some(s) = Summary::from_message(&msg) {
                        summary = Some(s);
                    }
                }
            }
        }
        if flags.no_video.load(Ordering::SeqCst) {
            return Err(NO_VIDEO.into());
        }
        if !flags.exposed.load(Ordering::SeqCst) && started.elapsed() > stall {
            return Err(NOTHING_EXPOSED.into());
        }
        let n = progress.load(Ordering::Relaxed);
        if n != last.0 {
            frames_done.fetch_add(n - last.0, Ordering::Relaxed);
            last = (n, Instant::now());
        } else if last.1.elapsed() > stall {
            return Err(if n == 0 {
                format!("no video frame within {} s", stall.as_secs())
            } else {
                format!(
                    "stalled: no frame for {} s after {n} frames",
                    stall.as_secs()
                )
            });
        }
    }
    // Episodes the element left open end with the stream.
    episodes.extend(
        open.into_iter()
            .map(|(reason, start)| (reason, start, None)),
    );
    Ok(Messages {
        episodes,
        reports,
        summary,
        created,
        container_duration: container_duration.map(|d| d.nseconds() as f64 / 1e9),
    })
}
