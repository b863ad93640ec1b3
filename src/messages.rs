//! The element's bus messages as typed structs: built from and parsed into `gst::Structure`.
//! Field names and types are the public schema (version [`SCHEMA_VERSION`]).
//!
//! Time fields are guint64 nanoseconds; `GST_CLOCK_TIME_NONE` (u64::MAX) where unknown,
//! which is `None` here.

use gst::ClockTime;

/// Version of the message and meta schema; bumped on incompatible changes.
pub const SCHEMA_VERSION: u32 = 1;

/// Structure name of the periodic report.
pub const REPORT_NAME: &str = "sharpmeter";
/// Structure name of alarm start/end messages.
pub const ALARM_NAME: &str = "sharpmeter-alarm";
/// Structure name of the end-of-stream summary.
pub const SUMMARY_NAME: &str = "sharpmeter-summary";
/// Name of the structures in the summary's `episodes` array.
pub const EPISODE_NAME: &str = "sharpmeter-episode";

/// Alarm state carried by reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlarmState {
    Ok,
    Alarm,
}

impl AlarmState {
    pub fn as_str(self) -> &'static str {
        match self {
            AlarmState::Ok => "ok",
            AlarmState::Alarm => "alarm",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s {
            "ok" => Some(AlarmState::Ok),
            "alarm" => Some(AlarmState::Alarm),
            _ => None,
        }
    }
}

/// Whether an alarm message opens or closes an episode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlarmEvent {
    Start,
    End,
}

impl AlarmEvent {
    pub fn as_str(self) -> &'static str {
        match self {
            AlarmEvent::Start => "start",
            AlarmEvent::End => "end",
        }
    }
}

/// Why an alarm was raised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlarmReason {
    /// Smoothed sharpness below the `threshold` property.
    Threshold,
    /// Smoothed effective size below `resolution-threshold` of the nominal size.
    Resolution,
    /// Smoothed sharpness more than `drop` below the stream's baseline.
    Drop,
}

impl AlarmReason {
    pub fn as_str(self) -> &'static str {
        match self {
            AlarmReason::Threshold => "threshold",
            AlarmReason::Resolution => "resolution",
            AlarmReason::Drop => "drop",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s {
            "threshold" => Some(AlarmReason::Threshold),
            "resolution" => Some(AlarmReason::Resolution),
            "drop" => Some(AlarmReason::Drop),
            _ => None,
        }
    }
}

/// The three time fields of a frame, from its PTS through the segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Timestamps {
    /// Buffer PTS.
    pub timestamp: Option<ClockTime>,
    pub stream_time: Option<ClockTime>,
    pub running_time: Option<ClockTime>,
}

/// Periodic report (`sharpmeter`): figures over the frames analysed in one interval.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// Times of the first frame covered.
    pub times: Timestamps,
    /// Span covered, from the first frame's start to the last frame's end.
    pub duration: Option<ClockTime>,
    /// Frames analysed.
    pub frames: u32,
    pub valid_frames: u32,
    /// Frames that passed without analysis because they were late (QoS).
    pub skipped_frames: u32,
    /// Means over valid frames; `None` when `valid_frames` is 0 or the metric was not
    /// computed (edge-width: over the valid frames that have edges).
    pub sharpness: Option<f64>,
    pub laplacian_variance: Option<f64>,
    pub tenengrad: Option<f64>,
    pub blur_effect: Option<f64>,
    pub edge_width: Option<f64>,
    pub sharpness_min: Option<f64>,
    /// Medians over valid frames with an estimate, pixels.
    pub effective_width: Option<u32>,
    pub effective_height: Option<u32>,
    /// The stream's baseline sharpness at the end of the interval, once established.
    pub baseline: Option<f64>,
    /// Tile map: the lowest valid tile of the interval, and the mean share of valid tiles
    /// below `threshold`; None when the map is off or no tile was valid.
    pub tile_min: Option<f64>,
    pub tiles_below: Option<f64>,
    pub state: AlarmState,
}

/// Alarm start or end (`sharpmeter-alarm`).
#[derive(Debug, Clone, PartialEq)]
pub struct Alarm {
    pub event: AlarmEvent,
    pub reason: AlarmReason,
    /// Times of the episode's first degraded frame (start) or first recovered frame (end).
    pub times: Timestamps,
    /// Episode length; only on `end`.
    pub duration: Option<ClockTime>,
    /// The smoothed sharpness at the edge.
    pub sharpness: f64,
    /// The limit of this reason: `threshold` (sharpness), `resolution-threshold` (share
    /// of the nominal size) or `drop` (fraction of the baseline).
    pub threshold: f64,
    /// Resolution alarms: the smoothed effective share of the nominal size (worse axis)
    /// that decided.
    pub effective_share: Option<f64>,
    /// Drop alarms: the baseline sharpness the drop is measured against.
    pub baseline: Option<f64>,
    /// Drop alarms: `1 - sharpness / baseline` of the smoothed sharpness.
    pub relative_drop: Option<f64>,
}

/// End-of-stream summary (`sharpmeter-summary`).
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// Frames analysed.
    pub frames: u32,
    pub valid_frames: u32,
    /// Frames that passed without analysis because they were late (QoS).
    pub skipped_frames: u32,
    /// Over valid frames; `None` when there were none.
    pub sharpness_mean: Option<f64>,
    pub sharpness_min: Option<f64>,
    /// Medians over valid frames with an estimate, pixels.
    pub effective_width: Option<u32>,
    pub effective_height: Option<u32>,
    /// Number of alarm episodes, all reasons.
    pub alarms: u32,
    /// Total length of all episodes.
    pub alarm_duration: ClockTime,
    /// The stream's baseline sharpness at the end, when established.
    pub baseline: Option<f64>,
    /// Largest relative drop (`1 - sharpness / baseline`) of the smoothed sharpness against
    /// the established baseline.
    pub drop_max: Option<f64>,
    /// The latest alarm episodes (at most 100), in the order they started.
    pub episodes: Vec<Episode>,
    /// Earlier episodes left out of `episodes`; counted in `alarms` and `alarm-duration`.
    pub episodes_omitted: u32,
}

/// One alarm episode in the summary (`sharpmeter-episode` structures in its `episodes`
/// array).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Episode {
    pub reason: AlarmReason,
    /// Times of the episode's first degraded frame.
    pub times: Timestamps,
    pub duration: ClockTime,
}

/// Any message the element posts.
#[derive(Debug, Clone, PartialEq)]
pub enum MeterMessage {
    Report(Report),
    Alarm(Alarm),
    Summary(Summary),
}

impl MeterMessage {
    pub fn to_structure(&self) -> gst::Structure {
        match self {
            MeterMessage::Report(r) => r.to_structure(),
            MeterMessage::Alarm(a) => a.to_structure(),
            MeterMessage::Summary(s) => s.to_structure(),
        }
    }
}

impl Timestamps {
    /// The times `d` later, at most [`ClockTime::MAX`] (unknown times stay unknown).
    pub fn advanced(self, d: ClockTime) -> Self {
        Timestamps {
            timestamp: self.timestamp.map(|t| t.saturating_add(d)),
            stream_time: self.stream_time.map(|t| t.saturating_add(d)),
            running_time: self.running_time.map(|t| t.saturating_add(d)),
        }
    }
}

/// `ns` as a clock time, saturated at [`ClockTime::MAX`] (u64::MAX means "none" in C).
pub fn clock_time(ns: u64) -> ClockTime {
    ClockTime::from_nseconds(ns.min(ClockTime::MAX.nseconds()))
}

fn time_value(t: Option<ClockTime>) -> u64 {
    t.map_or(u64::MAX, ClockTime::nseconds)
}

fn get_time(s: &gst::StructureRef, name: &str) -> Option<Option<ClockTime>> {
    let v = s.get::<u64>(name).ok()?;
    Some((v != u64::MAX).then(|| clock_time(v)))
}

impl Timestamps {
    fn write(&self, b: gst::structure::Builder) -> gst::structure::Builder {
        b.field("timestamp", time_value(self.timestamp))
            .field("stream-time", time_value(self.stream_time))
            .field("running-time", time_value(self.running_time))
    }

    fn read(s: &gst::StructureRef) -> Option<Self> {
        Some(Timestamps {
            timestamp: get_time(s, "timestamp")?,
            stream_time: get_time(s, "stream-time")?,
            running_time: get_time(s, "running-time")?,
        })
    }
}

/// The structure of an element message named `name`, if `msg` is one.
fn element_structure<'a>(msg: &'a gst::MessageRef, name: &str) -> Option<&'a gst::StructureRef> {
    match msg.view() {
        gst::MessageView::Element(e) => e.structure().filter(|s| s.name() == name),
        _ => None,
    }
}

/// Adds the effective size fields that are present.
fn size_fields(
    b: gst::structure::Builder,
    width: Option<u32>,
    height: Option<u32>,
) -> gst::structure::Builder {
    b.field_if_some("effective-width", width)
        .field_if_some("effective-height", height)
}

fn builder(name: &str) -> gst::structure::Builder {
    gst::Structure::builder(name).field("schema-version", SCHEMA_VERSION)
}

impl Report {
    pub fn to_structure(&self) -> gst::Structure {
        let mut b = self
            .times
            .write(builder(REPORT_NAME))
            .field("duration", time_value(self.duration))
            .field("frames", self.frames)
            .field("valid-frames", self.valid_frames)
            .field("skipped-frames", self.skipped_frames);
        for (name, v) in [
            ("sharpness", self.sharpness),
            ("laplacian-variance", self.laplacian_variance),
            ("tenengrad", self.tenengrad),
            ("blur-effect", self.blur_effect),
            ("edge-width", self.edge_width),
            ("sharpness-min", self.sharpness_min),
            ("baseline", self.baseline),
            ("tile-min", self.tile_min),
            ("tiles-below", self.tiles_below),
        ] {
            b = b.field_if_some(name, v);
        }
        b = size_fields(b, self.effective_width, self.effective_height);
        b.field("state", self.state.as_str()).build()
    }

    pub fn from_message(msg: &gst::MessageRef) -> Option<Self> {
        Self::from_structure(element_structure(msg, REPORT_NAME)?)
    }

    pub fn from_structure(s: &gst::StructureRef) -> Option<Self> {
        (s.name() == REPORT_NAME).then_some(())?;
        Some(Report {
            times: Timestamps::read(s)?,
            duration: get_time(s, "duration")?,
            frames: s.get("frames").ok()?,
            valid_frames: s.get("valid-frames").ok()?,
            skipped_frames: s.get("skipped-frames").ok()?,
            sharpness: s.get("sharpness").ok(),
            laplacian_variance: s.get("laplacian-variance").ok(),
            tenengrad: s.get("tenengrad").ok(),
            blur_effect: s.get("blur-effect").ok(),
            edge_width: s.get("edge-width").ok(),
            sharpness_min: s.get("sharpness-min").ok(),
            effective_width: s.get("effective-width").ok(),
            effective_height: s.get("effective-height").ok(),
            baseline: s.get("baseline").ok(),
            tile_min: s.get("tile-min").ok(),
            tiles_below: s.get("tiles-below").ok(),
            state: AlarmState::parse(s.get("state").ok()?)?,
        })
    }
}

impl Alarm {
    pub fn to_structure(&self) -> gst::Structure {
        let mut b = self.times.write(
            builder(ALARM_NAME)
                .field("event", self.event.as_str())
                .field("reason", self.reason.as_str()),
        );
        if self.event == AlarmEvent::End {
            b = b.field("duration", time_value(self.duration));
        }
        b.field("sharpness", self.sharpness)
            .field("threshold", self.threshold)
            .field_if_some("effective-share", self.effective_share)
            .field_if_some("baseline", self.baseline)
            .field_if_some("relative-drop", self.relative_drop)
            .build()
    }

    pub fn from_message(msg: &gst::MessageRef) -> Option<Self> {
        Self::from_structure(element_structure(msg, ALARM_NAME)?)
    }

    pub fn from_structure(s: &gst::StructureRef) -> Option<Self> {
        (s.name() == ALARM_NAME).then_some(())?;
        let event = match s.get::<&str>("event").ok()? {
            "start" => AlarmEvent::Start,
            "end" => AlarmEvent::End,
            _ => return None,
        };
        Some(Alarm {
            event,
            reason: AlarmReason::parse(s.get("reason").ok()?)?,
            times: Timestamps::read(s)?,
            duration: get_time(s, "duration").flatten(),
            sharpness: s.get("sharpness").ok()?,
            threshold: s.get("threshold").ok()?,
            effective_share: s.get("effective-share").ok(),
            baseline: s.get("baseline").ok(),
            relative_drop: s.get("relative-drop").ok(),
        })
    }
}

impl Summary {
    pub fn to_structure(&self) -> gst::Structure {
        let mut b = builder(SUMMARY_NAME)
            .field("frames", self.frames)
            .field("valid-frames", self.valid_frames)
            .field("skipped-frames", self.skipped_frames);
        if let (Some(mean), Some(min)) = (self.sharpness_mean, self.sharpness_min) {
            b = b.field("sharpness-mean", mean).field("sharpness-min", min);
        }
        b = size_fields(b, self.effective_width, self.effective_height)
            .field_if_some("baseline", self.baseline)
            .field_if_some("drop-max", self.drop_max);
        let episodes = gst::Array::new(self.episodes.iter().map(Episode::to_structure));
        b.field("alarms", self.alarms)
            .field("alarm-duration", self.alarm_duration.nseconds())
            .field("episodes", episodes)
            .field("episodes-omitted", self.episodes_omitted)
            .build()
    }

    pub fn from_message(msg: &gst::MessageRef) -> Option<Self> {
        Self::from_structure(element_structure(msg, SUMMARY_NAME)?)
    }

    pub fn from_structure(s: &gst::StructureRef) -> Option<Self> {
        (s.name() == SUMMARY_NAME).then_some(())?;
        Some(Summary {
            frames: s.get("frames").ok()?,
            valid_frames: s.get("valid-frames").ok()?,
            skipped_frames: s.get("skipped-frames").ok()?,
            sharpness_mean: s.get("sharpness-mean").ok(),
            sharpness_min: s.get("sharpness-min").ok(),
            effective_width: s.get("effective-width").ok(),
            effective_height: s.get("effective-height").ok(),
            alarms: s.get("alarms").ok()?,
            alarm_duration: clock_time(s.get("alarm-duration").ok()?),
            baseline: s.get("baseline").ok(),
            drop_max: s.get("drop-max").ok(),
            episodes: s
                .get::<gst::Array>("episodes")
                .ok()?
                .iter()
                .map(|v| Episode::from_structure(v.get::<&gst::StructureRef>().ok()?))
                .collect::<Option<_>>()?,
            episodes_omitted: s.get("episodes-omitted").ok()?,
        })
    }
}

impl Episode {
    pub fn to_structure(&self) -> gst::Structure {
        self.times
            .write(builder(EPISODE_NAME).field("reason", self.reason.as_str()))
            .field("duration", self.duration.nseconds())
            .build()
    }

    pub fn from_structure(s: &gst::StructureRef) -> Option<Self> {
        (s.name() == EPISODE_NAME).then_some(())?;
        Some(Episode {
            reason: AlarmReason::parse(s.get("reason").ok()?)?,
            times: Timestamps::read(s)?,
            duration: clock_time(s.get("duration").ok()?),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn init() {
        gst::init().unwrap();
    }

    #[test]
    fn report_round_trips_and_omits_absent_means() {
        init();
        let r = Report {
            times: Timestamps {
                timestamp: Some(ClockTime::from_mseconds(40)),
                stream_time: Some(ClockTime::from_mseconds(40)),
                running_time: None,
            },
            duration: Some(ClockTime::SECOND),
            frames: 25,
            valid_frames: 0,
            skipped_frames: 3,
            sharpness: None,
            laplacian_variance: None,
            tenengrad: None,
            blur_effect: None,
            edge_width: Some(2.5),
            sharpness_min: None,
            effective_width: Some(352),
            effective_height: None,
            baseline: Some(0.8),
            tile_min: Some(0.25),
            tiles_below: None,
            state: AlarmState::Ok,
        };
        let s = r.to_structure();
        assert_eq!(s.get::<u64>("running-time").unwrap(), u64::MAX);
        assert!(!s.has_field("sharpness"));
        assert_eq!(s.get::<u32>("schema-version").unwrap(), SCHEMA_VERSION);
        assert_eq!(Report::from_structure(&s), Some(r));
    }

    #[test]
    fn alarm_and_summary_round_trip() {
        init();
        let a = Alarm {
            event: AlarmEvent::End,
            reason: AlarmReason::Threshold,
            times: Timestamps::default(),
            duration: Some(ClockTime::from_seconds(3)),
            sharpness: 0.3,
            threshold: 0.2,
            effective_share: None,
            baseline: None,
            relative_drop: None,
        };
        assert_eq!(Alarm::from_structure(&a.to_structure()), Some(a.clone()));
        let start = Alarm {
            event: AlarmEvent::Start,
            duration: None,
            ..a.clone()
        };
        let s = start.to_structure();
        assert!(!s.has_field("duration"));
        assert_eq!(Alarm::from_structure(&s), Some(start));
        let resolution = Alarm {
            reason: AlarmReason::Resolution,
            threshold: 0.7,
            effective_share: Some(0.5),
            ..a.clone()
        };
        let s = resolution.to_structure();
        assert_eq!(s.get::<&str>("reason").unwrap(), "resolution");
        assert_eq!(Alarm::from_structure(&s), Some(resolution));
        let drop = Alarm {
            reason: AlarmReason::Drop,
            threshold: 0.4,
            baseline: Some(0.8),
            relative_drop: Some(0.6),
            ..a.clone()
        };
        let s = drop.to_structure();
        assert_eq!(s.get::<&str>("reason").unwrap(), "drop");
        assert_eq!(s.get::<f64>("relative-drop").unwrap(), 0.6);
        assert_eq!(Alarm::from_structure(&s), Some(drop));
        let sum = Summary {
            frames: 0,
            valid_frames: 0,
            skipped_frames: 0,
            sharpness_mean: None,
            sharpness_min: None,
            effective_width: None,
            effective_height: None,
            alarms: 0,
            alarm_duration: ClockTime::ZERO,
            baseline: None,
            drop_max: None,
            episodes: vec![],
            episodes_omitted: 0,
        };
        assert_eq!(
            Summary::from_structure(&sum.to_structure()),
            Some(sum.clone())
        );
        let t = ClockTime::from_seconds(5);
        let full = Summary {
            alarms: 2,
            alarm_duration: ClockTime::from_seconds(3),
            baseline: Some(0.7),
            drop_max: Some(0.6),
            episodes: vec![
                Episode {
                    reason: AlarmReason::Drop,
                    times: Timestamps {
                        timestamp: Some(t),
                        stream_time: Some(t),
                        running_time: Some(t),
                    },
                    duration: ClockTime::from_seconds(2),
                },
                Episode {
                    reason: AlarmReason::Threshold,
                    times: Timestamps::default(),
                    duration: ClockTime::SECOND,
                },
            ],
            ..sum
        };
        let s = full.to_structure();
        assert_eq!(s.get::<f64>("drop-max").unwrap(), 0.6);
        assert_eq!(s.get::<gst::Array>("episodes").unwrap().len(), 2);
        assert_eq!(Summary::from_structure(&s), Some(full));
        // A structure with another name is not parsed.
        assert_eq!(Report::from_structure(&a.to_structure()), None);
    }
}
