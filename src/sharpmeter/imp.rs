//! The sharpmeter element: BaseTransform, always in place, never writes a pixel.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{LazyLock, Mutex, MutexGuard};

use gst::glib;
use gst::prelude::*;
use gst::subclass::prelude::*;
use gst_base::prelude::*;
use gst_base::subclass::prelude::*;

use super::frame_view::{self, Format};
use crate::analysis::meter::frame_meter::{FrameMeter, MAX_TILES, MeterSettings};
use crate::analysis::{FrameFigures, LumaScratch};
use crate::baseline_file;
use crate::messages::MeterMessage;
use crate::meta::SharpMeterMeta;
use crate::temporal::{
    FrameTimes, Lateness, MAX_RECOVERY, Monitor, MonitorEvent, MonitorFrame, MonitorSettings,
};

static CAT: LazyLock<gst::DebugCategory> = LazyLock::new(|| {
    gst::DebugCategory::new(
        "sharpmeter",
        gst::DebugColorFlags::empty(),
        Some("Video sharpness meter"),
    )
});

const DEFAULT_THRESHOLD: f64 = 0.2;
const DEFAULT_RESOLUTION_THRESHOLD: f64 = 0.4;
const DEFAULT_HYSTERESIS: f64 = 0.03;
const DEFAULT_MIN_DURATION: u64 = 1_000_000_000;
const DEFAULT_WINDOW: u64 = 500_000_000;
const DEFAULT_INTERVAL: u64 = 1_000_000_000;
const DEFAULT_DROP: f64 = 0.3;
/// `detail-drop`: the lowest fall of `detail` below its reference that left the calibration
/// set's pans, zooms, fades and cuts silent (docs/evaluation.md).
const DEFAULT_DETAIL_DROP: f64 = 0.22;
const DEFAULT_BASELINE_DURATION: u64 = 3_000_000_000;
const DEFAULT_POST_MESSAGES: bool = true;
const DEFAULT_ATTACH_META: bool = true;
const DEFAULT_ANALYZE_EVERY: u32 = 1;
/// Locks `m`, recovering it when a panic poisoned it: the settings are plain values, each
/// written in one assignment, so they are whole whatever panicked.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| {
        m.clear_poison();
        poisoned.into_inner()
    })
}

/// The text of a panic's payload.
fn panic_text(payload: &(dyn std::any::Any + Send)) -> &str {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("a panic")
}

#[derive(Debug, Clone, Copy)]
struct Settings {
    monitor: MonitorSettings,
    post_messages: bool,
    attach_meta: bool,
    analyze_every: u32,
    /// `metrics`, `roi-*`, `detect-bars`, `tile-*`, `threads`; the tile threshold is
    /// `monitor.threshold`.
    meter: MeterSettings,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            monitor: MonitorSettings {
                threshold: DEFAULT_THRESHOLD,
                resolution_threshold: DEFAULT_RESOLUTION_THRESHOLD,
                hysteresis: DEFAULT_HYSTERESIS,
                min_duration: DEFAULT_MIN_DURATION,
                window: DEFAULT_WINDOW,
                interval: DEFAULT_INTERVAL,
                drop: DEFAULT_DROP,
                detail_drop: DEFAULT_DETAIL_DROP,
                baseline_duration: DEFAULT_BASELINE_DURATION,
            },
            post_messages: DEFAULT_POST_MESSAGES,
            attach_meta: DEFAULT_ATTACH_META,
            analyze_every: DEFAULT_ANALYZE_EVERY,
            meter: MeterSettings {
                tile_threshold: DEFAULT_THRESHOLD,
                ..MeterSettings::DEFAULT
            },
        }
    }
}

/// Per-stream state, created in `start` and dropped in `stop`.
#[derive(Default)]
struct State {
    format: Option<Format>,
    scratch: LumaScratch,
    meter: FrameMeter,
    monitor: Monitor,
    /// Buffers seen since start or the last flush, for `analyze-every`.
    seen: u64,
    /// A warning to post once the state lock is released.
    warning: Option<String>,
    /// Why the last frame that could not be analysed was not, so each reason is warned
    /// once in a row.
    unreadable: Option<String>,
}

/// What QoS events from downstream said: frames whose running time is at or before
/// `earliest` are late.
#[derive(Debug, Default, Clone, Copy)]
struct Qos {
    earliest: Option<u64>,
    /// Whether upstream is live and its minimum latency (ns), asked once per stream.
    upstream: Option<(bool, u64)>,
}

#[derive(Default)]
pub struct SharpMeter {
    settings: Mutex<Settings>,
    state: Mutex<Option<State>>,
    /// `baseline-location`.
    baseline_location: Mutex<Option<std::path::PathBuf>>,
    qos: Mutex<Qos>,
    /// Entry point that panics (`fault` property; tests only).
    #[cfg(feature = "fault-injection")]
    fault: Mutex<Option<String>>,
}

impl SharpMeter {
    /// Locks the per-stream state. A panic while it was held (caught at the entry point
    /// and posted as an error) may have left it half-updated: it is then discarded, as if
    /// the element had stopped, and an error says so.
    fn state(&self) -> MutexGuard<'_, Option<State>> {
        match self.state.lock() {
            Ok(guard) => guard,
            Err(poisoned) => {
                self.state.clear_poison();
                let mut guard = poisoned.into_inner();
                *guard = None;
                gst::element_imp_error!(
                    self,
                    gst::CoreError::Failed,
                    ("The element's stream state was lost to an earlier failure; it is reset")
                );
                guard
            }
        }
    }

    /// Runs `f` for an entry point that gstreamer-rs does not guard (property access,
    /// action signals): a panic in it becomes an element error and `fallback`, never an
    /// unwind into C.
    fn guarded<R>(&self, entry: &str, fallback: impl FnOnce() -> R, f: impl FnOnce() -> R) -> R {
        match catch_unwind(AssertUnwindSafe(f)) {
            Ok(r) => r,
            Err(payload) => {
                let text = panic_text(&*payload);
                gst::element_imp_error!(
                    self,
                    gst::LibraryError::Failed,
                    ("Internal failure in {}: {}", entry, text)
                );
                fallback()
            }
        }
    }

    /// Panics when the `fault` property names `entry` (fault-injection builds only).
    #[cfg(feature = "fault-injection")]
    fn inject(&self, entry: &str) {
        if lock(&self.fault).as_deref() == Some(entry) {
            panic!("fault injected in {entry}");
        }
    }

    #[cfg(not(feature = "fault-injection"))]
    #[inline(always)]
    fn inject(&self, _entry: &str) {}

    /// Loads the baseline at `baseline-location` into the monitor, after removing temporary
    /// files an interrupted save left beside it. A missing file is normal; any other
    /// failure posts a warning and the baseline learns from scratch.
    fn load_baseline(&self) {
        let Some(path) = lock(&self.baseline_location).clone() else {
            return;
        };
        let stale = baseline_file::remove_stale_temporaries(&path);
        if stale > 0 {
            gst::info!(CAT, imp = self, "Removed {stale} stale temporary files");
        }
        match baseline_file::load(&path) {
            Ok(Some(saved)) => {
                gst::info!(CAT, imp = self, "Loaded baseline {}", path.display());
                if let Some(state) = self.state().as_mut() {
                    state.monitor.load_baseline(&saved);
                }
            }
            Ok(None) => gst::info!(CAT, imp = self, "No baseline at {}", path.display()),
            Err(err) => gst::element_imp_warning!(
                self,
                gst::ResourceError::Read,
                (
                    "Baseline {} is not used ({err}); learning from scratch",
                    path.display()
                )
            ),
        }
    }

    /// Writes the established baseline to `baseline-location`. Returns false when there
    /// is no location, nothing established yet, or the write failed (a warning is posted
    /// then). When the baseline learned nothing since it was loaded or last saved, nothing
    /// is written: true then, the file already holds it.
    fn save_baseline(&self) -> bool {
        let Some(path) = lock(&self.baseline_location).clone() else {
            return false;
        };
        let monitor = lock(&self.settings).monitor;
        let saved = {
            let state = self.state();
            self.inject("baseline-save");
            state.as_ref().and_then(|state| {
                let caps = state.format.as_ref().and_then(|f| f.info.to_caps().ok());
                let caps = caps.map(|c| c.to_string());
                let judge = state.monitor.drop_judge();
                let mark = judge.learned_frames();
                let saved = judge.saved_baseline(&monitor, caps)?;
                Some(judge.has_unsaved_learning().then_some((saved, mark)))
            })
        };
        let saved = match saved {
            None => {
                gst::info!(CAT, imp = self, "No established baseline to save");
                return false;
            }
            Some(None) => {
                gst::info!(
                    CAT,
                    imp = self,
                    "Nothing learned since the baseline was loaded or saved"
                );
                return true;
            }
            Some(Some(saved)) => saved,
        };
        let (saved, mark) = saved;
        match baseline_file::save(&path, &saved) {
            Ok(()) => {
                gst::info!(CAT, imp = self, "Saved baseline {}", path.display());
                if let Some(state) = self.state().as_mut() {
                    state.monitor.mark_saved(mark);
                }
                true
            }
            Err(err) => {
                gst::element_imp_warning!(
                    self,
                    gst::ResourceError::Write,
                    ("Cannot save baseline {}: {err}", path.display())
                );
                false
            }
        }
    }

    /// Posts a warning message for each alarm limit whose recovery level (limit +
    /// hysteresis) is clamped to the highest value the figure takes.
    fn warn_clamped_recoveries(&self, monitor: &MonitorSettings) {
        for (name, limit) in monitor.clamped_recoveries() {
            gst::element_imp_warning!(
                self,
                gst::LibraryError::Settings,
                (
                    "{name} {limit} + hysteresis {} exceeds {MAX_RECOVERY}: its alarms end when the smoothed value reaches {MAX_RECOVERY}",
                    monitor.hysteresis
                )
            );
        }
    }

    /// Measures one frame: its figures and, when the tile map is on, each tile's sharpness
    /// (row-major, [`INVALID_TILE`](crate::analysis::meter::frame_meter::INVALID_TILE) where
    /// a tile cannot be judged). Only the visible rectangle (`GstVideoCropMeta`) is read.
    /// Err: why the frame cannot be analysed.
    fn measure(
        state: &mut State,
        buf: &gst::BufferRef,
        settings: &Settings,
    ) -> Result<(FrameFigures, Vec<f64>), String> {
        let format = state.format.as_ref().ok_or("no caps")?;
        let meter = MeterSettings {
            tile_threshold: settings.monitor.threshold,
            ..settings.meter
        };
        let frame_meter = &mut state.meter;
        let (figures, clamped) = frame_view::with_luma(buf, format, &mut state.scratch, |plane| {
            frame_meter.measure(plane, &meter)
        })?;
        if let Some(clamped) = clamped {
            state.warning = Some(clamped.to_string());
        }
        let tiles = state.meter.tiles().to_vec();
        Ok((figures, tiles))
    }

    /// What tells whether a frame is late: QoS from downstream (when `qos` is on) and, on
    /// a live stream, how far the pipeline's running time is past the frame's.
    fn lateness(&self) -> Lateness {
        if !self.obj().is_qos() {
            return Lateness::default();
        }
        let Qos { earliest, upstream } = *lock(&self.qos);
        let (live, latency) = upstream.unwrap_or_else(|| {
            // Asked with no lock held, once per stream.
            let mut q = gst::query::Latency::new();
            let answer = self.obj().sink_pad().peer_query(&mut q).then(|| {
                let (live, min, _) = q.result();
                (live, min.nseconds())
            });
            let answer = answer.unwrap_or((false, 0));
            lock(&self.qos).upstream = Some(answer);
            answer
        });
        Lateness {
            earliest,
            now: live
                .then(|| self.obj().current_running_time())
                .flatten()
                .map(gst::ClockTime::nseconds),
            latency,
        }
    }

    /// Times of `buf` through the current segment; unknown where the PTS or segment is.
    fn times(&self, buf: &gst::BufferRef) -> FrameTimes {
        let pts = buf.pts();
        let segment = self.obj().segment();
        let segment = segment.downcast_ref::<gst::ClockTime>();
        FrameTimes {
            pts: pts.map(gst::ClockTime::nseconds),
            stream_time: segment
                .and_then(|s| s.to_stream_time(pts))
                .map(gst::ClockTime::nseconds),
            running_time: segment
                .and_then(|s| s.to_running_time(pts))
                .map(gst::ClockTime::nseconds),
        }
    }

    /// Analyses `buf` if due, feeds the monitor and posts its messages. Returns the meta
    /// when the frame was analysed.
    fn process(&self, buf: &gst::BufferRef) -> Result<Option<SharpMeterMeta>, gst::FlowError> {
        let settings = *lock(&self.settings);
        if !settings.post_messages && !settings.attach_meta {
            return Ok(None);
        }
        let times = self.times(buf);
        let lateness = self.lateness();
        let mut messages = Vec::new();
        let (measured, warning, unreadable) = {
            let mut guard = self.state();
            let Some(state) = guard.as_mut() else {
                return Err(gst::FlowError::Flushing);
            };
            self.inject("transform");
            #[cfg(feature = "fault-injection")]
            if buf.pts() == Some(crate::fault::FAULT_PTS) {
                panic!("fault injected at PTS {}", crate::fault::FAULT_PTS);
            }
            let Some(format) = state.format.as_ref() else {
                drop(guard);
                gst::element_imp_error!(
                    self,
                    gst::CoreError::Negotiation,
                    ["Received a buffer before caps were set"]
                );
                return Err(gst::FlowError::NotNegotiated);
            };
            let due = state.seen % settings.analyze_every as u64 == 0;
            state.seen = state.seen.wrapping_add(1);
            if !due {
                return Ok(None);
            }
            let duration = buf
                .duration()
                .or_else(|| {
                    let fps = format.info.fps();
                    (fps.numer() > 0).then(|| {
                        gst::ClockTime::SECOND
                            .mul_div_floor(fps.denom() as u64, fps.numer() as u64)
                            .unwrap_or(gst::ClockTime::ZERO)
                    })
                })
                .map(gst::ClockTime::nseconds);
            let mut unreadable = None;
            let measured = if lateness.is_late(times.running_time, duration) {
                state
                    .monitor
                    .skip(&settings.monitor, times, duration, &mut messages);
                None
            } else {
                match Self::measure(state, buf, &settings) {
                    Ok((figures, tiles)) => {
                        state.unreadable = None;
                        // Effective sizes are shares of the analysed area.
                        let size = figures
                            .active_area
                            .map_or((0, 0), |a| (a.width as u32, a.height as u32));
                        let frame = MonitorFrame {
                            times,
                            duration,
                            figures: &figures,
                            thumbnail: state.meter.thumbnail(),
                            size,
                        };
                        let scene_cut =
                            state.monitor.push(&settings.monitor, &frame, &mut messages);
                        Some(SharpMeterMeta {
                            figures,
                            scene_cut,
                            tiles,
                        })
                    }
                    Err(why) => {
                        gst::debug!(CAT, imp = self, "Frame not analysed: {why}");
                        if state.unreadable.as_ref() != Some(&why) {
                            unreadable = Some(why.clone());
                        }
                        state.unreadable = Some(why);
                        None
                    }
                }
            };
            (measured, state.warning.take(), unreadable)
        };
        if let Some(why) = unreadable {
            gst::element_imp_warning!(
                self,
                gst::StreamError::Format,
                ("A frame passes without analysis: {}", why),
                ["Frames for the same reason pass without a further warning"]
            );
        }
        if let Some(text) = warning {
            gst::element_imp_warning!(self, gst::LibraryError::Settings, ("{}", text));
        }
        if settings.post_messages {
            self.post(messages);
        }
        Ok(measured)
    }

    /// Posts the monitor's events as messages; called with no lock held.
    fn post(&self, events: Vec<MonitorEvent>) {
        let obj = self.obj();
        for e in events {
            let msg = gst::message::Element::builder(MeterMessage::from(e).to_structure())
                .src(&*obj)
                .build();
            if obj.post_message(msg).is_err() {
                gst::debug!(CAT, imp = self, "No bus to post a message on");
            }
        }
    }

    /// Runs `f` on the monitor with the current settings, then posts what it produced.
    fn with_monitor(&self, f: impl FnOnce(&mut Monitor, &MonitorSettings, &mut Vec<MonitorEvent>)) {
        let settings = *lock(&self.settings);
        let mut messages = Vec::new();
        if let Some(state) = self.state().as_mut() {
            f(&mut state.monitor, &settings.monitor, &mut messages);
            state.seen = 0;
        }
        if settings.post_messages {
            self.post(messages);
        }
    }
}

#[glib::object_subclass]
impl ObjectSubclass for SharpMeter {
    const NAME: &'static str = "GstSharpMeter";
    type Type = super::SharpMeter;
    type ParentType = gst_base::BaseTransform;
}

impl ObjectImpl for SharpMeter {
    fn signals() -> &'static [glib::subclass::Signal] {
        static SIGNALS: LazyLock<Vec<glib::subclass::Signal>> = LazyLock::new(|| {
            vec![
                glib::subclass::Signal::builder("baseline-save")
                    .action()
                    .return_type::<bool>()
                    .class_handler(|args| {
                        let element = args[0].get::<super::SharpMeter>().ok()?;
                        let imp = element.imp();
                        let saved = imp.guarded("baseline-save", || false, || imp.save_baseline());
                        Some(saved.to_value())
                    })
                    .build(),
            ]
        });
        SIGNALS.as_ref()
    }

    fn properties() -> &'static [glib::ParamSpec] {
        static PROPERTIES: LazyLock<Vec<glib::ParamSpec>> = LazyLock::new(|| {
            #[allow(unused_mut)]
            let mut properties = vec![
                glib::ParamSpecDouble::builder("threshold")
                    .nick("Threshold")
                    .blurb("Alarm when the smoothed sharpness (0..1) stays below this; 0 disables the alarm")
                    .minimum(0.0)
                    .maximum(1.0)
                    .default_value(DEFAULT_THRESHOLD)
                    .mutable_playing()
                    .build(),
                glib::ParamSpecDouble::builder("resolution-threshold")
                    .nick("Resolution threshold")
                    .blurb("Alarm when the smoothed effective size stays below this share of the frame size (worse axis); 0 disables the alarm")
                    .minimum(0.0)
                    .maximum(1.0)
                    .default_value(DEFAULT_RESOLUTION_THRESHOLD)
                    .mutable_playing()
                    .build(),
                glib::ParamSpecDouble::builder("hysteresis")
                    .nick("Hysteresis")
                    .blurb("An alarm ends when its smoothed value stays at or above its threshold + hysteresis (at most 1)")
                    .minimum(0.0)
                    .maximum(1.0)
                    .default_value(DEFAULT_HYSTERESIS)
                    .mutable_playing()
                    .build(),
                glib::ParamSpecUInt64::builder("min-duration")
                    .nick("Minimum duration")
                    .blurb("Nanoseconds a smoothed value must stay below its threshold (or recovered) before an alarm starts (or ends)")
                    .default_value(DEFAULT_MIN_DURATION)
                    .mutable_playing()
                    .build(),
                glib::ParamSpecUInt64::builder("window")
                    .nick("Smoothing window")
                    .blurb("Nanoseconds of valid frames whose median each alarm judges (sharpness, effective size); 0 judges each frame")
                    .default_value(DEFAULT_WINDOW)
                    .mutable_playing()
                    .build(),
                glib::ParamSpecUInt64::builder("interval")
                    .nick("Report interval")
                    .blurb("Nanoseconds between sharpmeter report messages; 0 posts one per analysed frame")
                    .default_value(DEFAULT_INTERVAL)
                    .mutable_playing()
                    .build(),
                glib::ParamSpecDouble::builder("drop")
                    .nick("Drop")
                    .blurb("Alarm (reason drop) when the smoothed sharpness stays more than this fraction below the stream's baseline (or, after a cut to softer content, below the highest level of that scene's first min-duration); 0 disables the alarm")
                    .minimum(0.0)
                    .maximum(1.0)
                    .default_value(DEFAULT_DROP)
                    .mutable_playing()
                    .build(),
                glib::ParamSpecDouble::builder("detail-drop")
                    .nick("Detail drop")
                    .blurb("Alarm (reason detail) when the smoothed detail stays more than this fraction below the stream's own detail of the last seconds (or, after a cut to content with less detail, below that scene's own level); 0 disables the alarm")
                    .minimum(0.0)
                    .maximum(1.0)
                    .default_value(DEFAULT_DETAIL_DROP)
                    .mutable_playing()
                    .build(),
                glib::ParamSpecUInt64::builder("baseline-duration")
                    .nick("Baseline duration")
                    .blurb("Nanoseconds of valid frames the baseline learns before drop alarms can start")
                    .default_value(DEFAULT_BASELINE_DURATION)
                    .mutable_playing()
                    .build(),
                glib::ParamSpecUInt::builder("roi-x")
                    .nick("Region x")
                    .blurb("Left edge of the region of interest, pixels; a region reaching outside the frame is clamped to it, with a warning message")
                    .default_value(0)
                    .mutable_playing()
                    .build(),
                glib::ParamSpecUInt::builder("roi-y")
                    .nick("Region y")
                    .blurb("Top edge of the region of interest, pixels")
                    .default_value(0)
                    .mutable_playing()
                    .build(),
                glib::ParamSpecUInt::builder("roi-width")
                    .nick("Region width")
                    .blurb("Width of the region of interest, pixels; 0 reaches the frame's right edge")
                    .default_value(0)
                    .mutable_playing()
                    .build(),
                glib::ParamSpecUInt::builder("roi-height")
                    .nick("Region height")
                    .blurb("Height of the region of interest, pixels; 0 reaches the frame's bottom edge")
                    .default_value(0)
                    .mutable_playing()
                    .build(),
                glib::ParamSpecBoolean::builder("detect-bars")
                    .nick("Detect bars")
                    .blurb("Leave dark uniform letterbox and pillarbox bars at the region's edges out of the analysis (meta field active-area)")
                    .default_value(MeterSettings::DEFAULT.detect_bars)
                    .mutable_playing()
                    .build(),
                glib::ParamSpecUInt::builder("tile-columns")
                    .nick("Tile columns")
                    .blurb("Columns of the tile map over the analysed area (meta field tiles); 0 (or tile-rows 0) switches it off")
                    .maximum(MAX_TILES)
                    .default_value(0)
                    .mutable_playing()
                    .build(),
                glib::ParamSpecUInt::builder("tile-rows")
                    .nick("Tile rows")
                    .blurb("Rows of the tile map over the analysed area; 0 (or tile-columns 0) switches it off")
                    .maximum(MAX_TILES)
                    .default_value(0)
                    .mutable_playing()
                    .build(),
                glib::ParamSpecString::builder("baseline-location")
                    .nick("Baseline location")
                    .blurb("JSON file holding the stream's baseline: read at start when it exists, written at EOS and on the baseline-save signal")
                    .mutable_ready()
                    .build(),
                glib::ParamSpecBoolean::builder("post-messages")
                    .nick("Post messages")
                    .blurb("Post report, alarm and summary messages on the bus")
                    .default_value(DEFAULT_POST_MESSAGES)
                    .mutable_playing()
                    .build(),
                glib::ParamSpecBoolean::builder("attach-meta")
                    .nick("Attach meta")
                    .blurb("Attach SharpMeterMeta to analysed buffers; when false the element is in passthrough")
                    .default_value(DEFAULT_ATTACH_META)
                    .mutable_playing()
                    .build(),
                glib::ParamSpecFlags::builder::<super::MetricFlags>("metrics")
                    .nick("Metrics")
                    .blurb("Optional metrics to compute besides sharpness, valid, noise and texture")
                    .default_value(MeterSettings::DEFAULT.metrics.into())
                    .mutable_playing()
                    .build(),
                glib::ParamSpecUInt::builder("analyze-every")
                    .nick("Analyse every")
                    .blurb("Analyse one buffer in this many; the others pass untouched, without meta")
                    .minimum(1)
                    .default_value(DEFAULT_ANALYZE_EVERY)
                    .mutable_playing()
                    .build(),
                glib::ParamSpecUInt::builder("threads")
                    .nick("Threads")
                    .blurb("Threads a frame's analysis may use (2: its independent passes run in parallel; the figures are the same)")
                    .minimum(1)
                    .maximum(2)
                    .default_value(MeterSettings::DEFAULT.threads as u32)
                    .mutable_playing()
                    .build(),
            ];
            #[cfg(feature = "fault-injection")]
            properties.push(
                glib::ParamSpecString::builder("fault")
                    .blurb("Entry point that panics (fault-injection builds only)")
                    .build(),
            );
            properties
        });
        PROPERTIES.as_ref()
    }

    fn set_property(&self, _id: usize, value: &glib::Value, pspec: &glib::ParamSpec) {
        self.guarded("set-property", || (), || self.set(value, pspec));
    }

    fn property(&self, _id: usize, pspec: &glib::ParamSpec) -> glib::Value {
        self.guarded(
            "property",
            || pspec.default_value().clone(),
            || self.get(pspec),
        )
    }

    fn constructed(&self) {
        self.parent_constructed();
        // Late frames pass without analysis; BaseTransform never drops them (src_event).
        self.obj().set_qos(true);
    }
}

impl SharpMeter {
    fn set(&self, value: &glib::Value, pspec: &glib::ParamSpec) {
        #[cfg(feature = "fault-injection")]
        if pspec.name() == "fault" {
            *lock(&self.fault) = value.get().expect("type checked upstream");
            return;
        }
        let mut s = lock(&self.settings);
        self.inject("set-property");
        match pspec.name() {
            "threshold" => s.monitor.threshold = value.get().expect("type checked upstream"),
            "resolution-threshold" => {
                s.monitor.resolution_threshold = value.get().expect("type checked upstream")
            }
            "hysteresis" => s.monitor.hysteresis = value.get().expect("type checked upstream"),
            "min-duration" => s.monitor.min_duration = value.get().expect("type checked upstream"),
            "window" => s.monitor.window = value.get().expect("type checked upstream"),
            "interval" => s.monitor.interval = value.get().expect("type checked upstream"),
            "drop" => s.monitor.drop = value.get().expect("type checked upstream"),
            "detail-drop" => s.monitor.detail_drop = value.get().expect("type checked upstream"),
            "baseline-location" => {
                let path: Option<String> = value.get().expect("type checked upstream");
                *lock(&self.baseline_location) = path.filter(|p| !p.is_empty()).map(Into::into);
            }
            "baseline-duration" => {
                s.monitor.baseline_duration = value.get().expect("type checked upstream")
            }
            "post-messages" => s.post_messages = value.get().expect("type checked upstream"),
            "attach-meta" => {
                s.attach_meta = value.get().expect("type checked upstream");
                let passthrough = !s.attach_meta;
                drop(s);
                self.obj().set_passthrough(passthrough);
                return;
            }
            "analyze-every" => s.analyze_every = value.get().expect("type checked upstream"),
            "threads" => {
                s.meter.threads = value.get::<u32>().expect("type checked upstream") as usize
            }
            "roi-x" => s.meter.roi.0 = value.get().expect("type checked upstream"),
            "roi-y" => s.meter.roi.1 = value.get().expect("type checked upstream"),
            "roi-width" => s.meter.roi.2 = value.get().expect("type checked upstream"),
            "roi-height" => s.meter.roi.3 = value.get().expect("type checked upstream"),
            "detect-bars" => s.meter.detect_bars = value.get().expect("type checked upstream"),
            "tile-columns" => s.meter.tiles.0 = value.get().expect("type checked upstream"),
            "tile-rows" => s.meter.tiles.1 = value.get().expect("type checked upstream"),
            "metrics" => {
                s.meter.metrics = value
                    .get::<super::MetricFlags>()
                    .expect("type checked upstream")
                    .into()
            }
            other => unreachable!("unknown property {other}"),
        }
        let monitor = s.monitor;
        drop(s);
        gst::debug!(CAT, imp = self, "Set {} to {:?}", pspec.name(), value);
        let limits = ["threshold", "resolution-threshold", "hysteresis"];
        if limits.contains(&pspec.name()) && self.state().is_some() {
            self.warn_clamped_recoveries(&monitor);
        }
    }

    fn get(&self, pspec: &glib::ParamSpec) -> glib::Value {
        #[cfg(feature = "fault-injection")]
        if pspec.name() == "fault" {
            return lock(&self.fault).to_value();
        }
        let s = lock(&self.settings);
        self.inject("property");
        match pspec.name() {
            "threshold" => s.monitor.threshold.to_value(),
            "resolution-threshold" => s.monitor.resolution_threshold.to_value(),
            "hysteresis" => s.monitor.hysteresis.to_value(),
            "min-duration" => s.monitor.min_duration.to_value(),
            "window" => s.monitor.window.to_value(),
            "interval" => s.monitor.interval.to_value(),
            "drop" => s.monitor.drop.to_value(),
            "detail-drop" => s.monitor.detail_drop.to_value(),
            "baseline-location" => lock(&self.baseline_location)
                .as_ref()
                .map(|p| p.display().to_string())
                .to_value(),
            "baseline-duration" => s.monitor.baseline_duration.to_value(),
            "post-messages" => s.post_messages.to_value(),
            "attach-meta" => s.attach_meta.to_value(),
            "analyze-every" => s.analyze_every.to_value(),
            "threads" => (s.meter.threads as u32).to_value(),
            "roi-x" => s.meter.roi.0.to_value(),
            "roi-y" => s.meter.roi.1.to_value(),
            "roi-width" => s.meter.roi.2.to_value(),
            "roi-height" => s.meter.roi.3.to_value(),
            "detect-bars" => s.meter.detect_bars.to_value(),
            "tile-columns" => s.meter.tiles.0.to_value(),
            "tile-rows" => s.meter.tiles.1.to_value(),
            "metrics" => super::MetricFlags::from(s.meter.metrics).to_value(),
            other => unreachable!("unknown property {other}"),
        }
    }
}

impl GstObjectImpl for SharpMeter {}

impl ElementImpl for SharpMeter {
    fn metadata() -> Option<&'static gst::subclass::ElementMetadata> {
        static METADATA: LazyLock<gst::subclass::ElementMetadata> = LazyLock::new(|| {
            gst::subclass::ElementMetadata::with_additional(
                "Sharpness meter",
                "Filter/Analyzer/Video",
                "Measures per-frame sharpness, attaches it as SharpMeterMeta and posts \
                 reports, alarms and a summary; frames pass unchanged",
                "sharpmeter developers",
                &[("doc-uri", env!("SHARPMETER_DOC_URI"))],
            )
        });
        Some(&*METADATA)
    }

    fn pad_templates() -> &'static [gst::PadTemplate] {
        static TEMPLATES: LazyLock<Vec<gst::PadTemplate>> = LazyLock::new(|| {
            let caps = gst_video::VideoCapsBuilder::new()
                .format_list(super::FORMATS.iter().copied())
                .build();
            [gst::PadDirection::Src, gst::PadDirection::Sink]
                .into_iter()
                .map(|dir| {
                    let name = if dir == gst::PadDirection::Src {
                        "src"
                    } else {
                        "sink"
                    };
                    gst::PadTemplate::new(name, dir, gst::PadPresence::Always, &caps).unwrap()
                })
                .collect()
        });
        TEMPLATES.as_ref()
    }
}

impl BaseTransformImpl for SharpMeter {
    const MODE: gst_base::subclass::BaseTransformMode =
        gst_base::subclass::BaseTransformMode::AlwaysInPlace;
    const PASSTHROUGH_ON_SAME_CAPS: bool = false;
    const TRANSFORM_IP_ON_PASSTHROUGH: bool = true;

    fn start(&self) -> Result<(), gst::ErrorMessage> {
        *self.state() = Some(State::default());
        *lock(&self.qos) = Qos::default();
        self.inject("start");
        let (attach, monitor) = {
            let s = lock(&self.settings);
            (s.attach_meta, s.monitor)
        };
        self.obj().set_passthrough(!attach);
        self.warn_clamped_recoveries(&monitor);
        self.load_baseline();
        Ok(())
    }

    fn stop(&self) -> Result<(), gst::ErrorMessage> {
        // Stopping never fails, even after a panic: the pads must deactivate.
        self.guarded(
            "stop",
            || (),
            || {
                *self.state() = None;
                *lock(&self.qos) = Qos::default();
                self.inject("stop");
            },
        );
        Ok(())
    }

    fn set_caps(&self, incaps: &gst::Caps, outcaps: &gst::Caps) -> Result<(), gst::LoggableError> {
        let info = gst_video::VideoInfo::from_caps(incaps)
            .map_err(|_| gst::loggable_error!(CAT, "Cannot parse video caps {}", incaps))?;
        let name = info.format().to_str();
        let format = Format::new(info)
            .ok_or_else(|| gst::loggable_error!(CAT, "No luma in format {}", name))?;
        gst::debug!(CAT, imp = self, "Caps {incaps}: luma {:?}", format.layout());
        let mut guard = self.state();
        self.inject("set-caps");
        let state = guard.get_or_insert_with(State::default);
        state.format = Some(format);
        state.unreadable = None;
        drop(guard);
        self.parent_set_caps(incaps, outcaps)
    }

    fn propose_allocation(
        &self,
        decide_query: Option<&gst::query::Allocation>,
        query: &mut gst::query::Allocation,
    ) -> Result<(), gst::LoggableError> {
        self.inject("propose-allocation");
        self.parent_propose_allocation(decide_query, query)?;
        if query
            .find_allocation_meta::<gst_video::VideoMeta>()
            .is_none()
        {
            query.add_allocation_meta::<gst_video::VideoMeta>(None);
        }
        Ok(())
    }

    fn sink_event(&self, event: gst::Event) -> bool {
        self.inject("sink-event");
        match event.view() {
            gst::EventView::FlushStop(_) => {
                self.with_monitor(|m, s, out| m.flush(s, out));
                *lock(&self.qos) = Qos::default();
            }
            gst::EventView::Eos(_) => {
                self.with_monitor(|m, s, out| m.finish(s, out));
                self.save_baseline();
            }
            _ => {}
        }
        self.parent_sink_event(event)
    }

    fn src_event(&self, event: gst::Event) -> bool {
        self.inject("src-event");
        // BaseTransform would drop late buffers on QoS; this element only skips their
        // analysis, so it keeps QoS to itself and forwards the event upstream.
        if let gst::EventView::Qos(qos) = event.view() {
            if self.obj().is_qos() {
                let (_, _, diff, timestamp) = qos.get();
                lock(&self.qos).earliest =
                    timestamp.map(|t| Lateness::qos_earliest(t.nseconds(), diff));
            }
            return self.obj().sink_pad().push_event(event);
        }
        self.parent_src_event(event)
    }

    fn transform_ip(&self, buf: &mut gst::BufferRef) -> Result<gst::FlowSuccess, gst::FlowError> {
        if let Some(meta) = self.process(buf)?
            && lock(&self.settings).attach_meta
            && let Err(err) = meta.add(buf)
        {
            gst::warning!(CAT, imp = self, "Cannot attach meta: {err}");
        }
        Ok(gst::FlowSuccess::Ok)
    }

    fn transform_ip_passthrough(
        &self,
        buf: &gst::Buffer,
    ) -> Result<gst::FlowSuccess, gst::FlowError> {
        self.process(buf)?;
        Ok(gst::FlowSuccess::Ok)
    }
}
