//! The element's bus messages as typed structs: built from and parsed into `gst::Structure`.
//! Field names and types are the public schema (version [`SCHEMA_VERSION`]).
//!
//! Time fields are guint64 nanoseconds; `GST_CLOCK_TIME_NONE` (u64::MAX) where unknown,
//! which is `None` here.

use std::sync::LazyLock;

use gst::ClockTime;

pub use crate::schema::SCHEMA_VERSION;
use crate::schema::{
    self, Field, FieldType, FieldValue, SchemaError, keyword, optional, required, value_as,
};
/// The keywords of alarm and report fields, shared with the monitor that decides them.
pub use crate::temporal::alarm::{AlarmEvent, AlarmReason, AlarmState};

/// Structure name of the periodic report.
pub const REPORT_NAME: &str = "sharpmeter";
/// Structure name of alarm start/end messages.
pub const ALARM_NAME: &str = "sharpmeter-alarm";
/// Structure name of the end-of-stream summary.
pub const SUMMARY_NAME: &str = "sharpmeter-summary";
/// Name of the structures in the summary's `episodes` array.
pub const EPISODE_NAME: &str = "sharpmeter-episode";

/// The three time fields of a frame, from its PTS through the segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Timestamps {
    /// Buffer PTS.
    pub timestamp: Option<ClockTime>,
    pub stream_time: Option<ClockTime>,
    pub running_time: Option<ClockTime>,
}

/// Periodic report (`sharpmeter`): figures over the frames analysed in one interval.
#[derive(Debug, Clone, PartialEq, Default)]
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
    /// Mean `detail` over the frames that have one.
    pub detail: Option<f64>,
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
#[derive(Debug, Clone, PartialEq, Default)]
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
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Summary {
    /// Frames analysed.
    pub frames: u32,
    pub valid_frames: u32,
    /// Frames that passed without analysis because they were late (QoS).
    pub skipped_frames: u32,
    /// Over valid frames; `None` when there were none.
    pub sharpness_mean: Option<f64>,
    pub sharpness_min: Option<f64>,
    /// Mean `detail` over the frames that have one.
    pub detail_mean: Option<f64>,
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
#[derive(Debug, Clone, Copy, PartialEq, Default)]
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

/// `ns` as a clock time, saturated at [`ClockTime::MAX`] (u64::MAX means "none" in C).
pub fn clock_time(ns: u64) -> ClockTime {
    ClockTime::from_nseconds(ns.min(ClockTime::MAX.nseconds()))
}

fn time_value(t: Option<ClockTime>) -> u64 {
    t.map_or(u64::MAX, ClockTime::nseconds)
}

fn time_of(v: u64) -> Option<ClockTime> {
    (v != u64::MAX).then(|| clock_time(v))
}

/// The structure of an element message named `name`, if `msg` is one.
fn element_structure<'a>(msg: &'a gst::MessageRef, name: &str) -> Option<&'a gst::StructureRef> {
    match msg.view() {
        gst::MessageView::Element(e) => e.structure().filter(|s| s.name() == name),
        _ => None,
    }
}

/// A required guint64 time field of member `$($path).+` (`Option<ClockTime>`, NONE when
/// unknown).
macro_rules! time_field {
    ($t:ty, $name:literal, $($path:ident).+, $doc:literal) => {
        Field::<$t> {
            name: $name,
            ty: FieldType::Uint64,
            required: true,
            doc: $doc,
            get: |v| Some(FieldValue::Uint64(time_value(v.$($path).+))),
            set: |v, x| {
                v.$($path).+ = time_of(value_as!(x, Uint64));
                Ok(())
            },
        }
    };
}

/// A required guint64 field of member `$m`, a `ClockTime` span.
macro_rules! span_field {
    ($t:ty, $name:literal, $m:ident, $doc:literal) => {
        Field::<$t> {
            name: $name,
            ty: FieldType::Uint64,
            required: true,
            doc: $doc,
            get: |v| Some(FieldValue::Uint64(v.$m.nseconds())),
            set: |v, x| {
                v.$m = clock_time(value_as!(x, Uint64));
                Ok(())
            },
        }
    };
}

/// The three time fields of member `times`.
macro_rules! times_fields {
    ($t:ty, $of:literal) => {
        [
            time_field!($t, "timestamp", times.timestamp, $of),
            time_field!($t, "stream-time", times.stream_time, $of),
            time_field!($t, "running-time", times.running_time, $of),
        ]
    };
}

/// Fields of the report (`sharpmeter`), in the order they are written.
pub static REPORT_FIELDS: LazyLock<Vec<Field<Report>>> = LazyLock::new(|| {
    let mut f = Vec::from(times_fields!(Report, "of the first frame covered"));
    f.extend([
        time_field!(
            Report,
            "duration",
            duration,
            "from the first frame's start to the last frame's end"
        ),
        required!(Report, "frames", frames, Uint, "frames analysed"),
        required!(Report, "valid-frames", valid_frames, Uint, "of which valid"),
        required!(
            Report,
            "skipped-frames",
            skipped_frames,
            Uint,
            "frames that passed without analysis because they were late (`qos`)"
        ),
        optional!(
            Report,
            "sharpness",
            sharpness,
            Double,
            "mean over valid frames; absent when `valid-frames` is 0"
        ),
        optional!(
            Report,
            "laplacian-variance",
            laplacian_variance,
            Double,
            "mean over valid frames, when computed (`metrics`)"
        ),
        optional!(
            Report,
            "tenengrad",
            tenengrad,
            Double,
            "mean over valid frames, when computed"
        ),
        optional!(
            Report,
            "blur-effect",
            blur_effect,
            Double,
            "mean over valid frames, when computed"
        ),
        optional!(
            Report,
            "edge-width",
            edge_width,
            Double,
            "mean over the valid frames that have edges, when computed"
        ),
        optional!(
            Report,
            "sharpness-min",
            sharpness_min,
            Double,
            "minimum over valid frames; absent when `valid-frames` is 0"
        ),
        optional!(
            Report,
            "detail",
            detail,
            Double,
            "mean `detail` over the frames that have one (`metrics`); absent when none has"
        ),
        optional!(
            Report,
            "baseline",
            baseline,
            Double,
            "the stream's baseline sharpness at the end of the interval, once established"
        ),
        optional!(
            Report,
            "tile-min",
            tile_min,
            Double,
            "tile map only: the lowest sharpness of a valid tile in the interval"
        ),
        optional!(
            Report,
            "tiles-below",
            tiles_below,
            Double,
            "tile map only: mean share of valid tiles below `threshold`"
        ),
        optional!(
            Report,
            "effective-width",
            effective_width,
            Uint,
            "median over the valid frames with an estimate, pixels"
        ),
        optional!(
            Report,
            "effective-height",
            effective_height,
            Uint,
            "median over the valid frames with an estimate, pixels"
        ),
        keyword!(
            Report,
            "state",
            state,
            AlarmState,
            "`ok` or `alarm` (any reason) when the report is posted"
        ),
    ]);
    f
});

/// Fields of alarm messages (`sharpmeter-alarm`), in the order they are written.
pub static ALARM_FIELDS: LazyLock<Vec<Field<Alarm>>> = LazyLock::new(|| {
    let mut f = vec![
        keyword!(Alarm, "event", event, AlarmEvent, "`start` or `end`"),
        keyword!(
            Alarm,
            "reason",
            reason,
            AlarmReason,
            "`threshold`, `resolution` or `drop`"
        ),
    ];
    f.extend(times_fields!(
        Alarm,
        "of the episode's first degraded frame (start) or first recovered frame (end)"
    ));
    f.extend([
        Field::<Alarm> {
            name: "duration",
            ty: FieldType::Uint64,
            required: false,
            doc: "end only: from the start to the end",
            get: |v| {
                (v.event == AlarmEvent::End).then(|| FieldValue::Uint64(time_value(v.duration)))
            },
            set: |v, x| {
                v.duration = time_of(value_as!(x, Uint64));
                Ok(())
            },
        },
        required!(
            Alarm,
            "sharpness",
            sharpness,
            Double,
            "the smoothed sharpness at the edge"
        ),
        required!(
            Alarm,
            "threshold",
            threshold,
            Double,
            "the reason's limit: `threshold`, `resolution-threshold` or `drop`"
        ),
        optional!(
            Alarm,
            "effective-share",
            effective_share,
            Double,
            "resolution only: the smoothed effective share that decided"
        ),
        optional!(
            Alarm,
            "baseline",
            baseline,
            Double,
            "drop only: the level the drop is measured against"
        ),
        optional!(
            Alarm,
            "relative-drop",
            relative_drop,
            Double,
            "drop only: `1 - sharpness / baseline` of the smoothed sharpness"
        ),
    ]);
    f
});

/// Fields of the summary (`sharpmeter-summary`), in the order they are written.
pub static SUMMARY_FIELDS: LazyLock<Vec<Field<Summary>>> = LazyLock::new(|| {
    vec![
        required!(
            Summary,
            "frames",
            frames,
            Uint,
            "frames analysed over the whole stream"
        ),
        required!(
            Summary,
            "valid-frames",
            valid_frames,
            Uint,
            "of which valid"
        ),
        required!(
            Summary,
            "skipped-frames",
            skipped_frames,
            Uint,
            "frames that passed without analysis because they were late (`qos`)"
        ),
        optional!(
            Summary,
            "sharpness-mean",
            sharpness_mean,
            Double,
            "over valid frames; absent when there were none"
        ),
        optional!(
            Summary,
            "sharpness-min",
            sharpness_min,
            Double,
            "over valid frames; absent when there were none"
        ),
        optional!(
            Summary,
            "detail-mean",
            detail_mean,
            Double,
            "mean `detail` over the frames that have one; absent when none has"
        ),
        optional!(
            Summary,
            "effective-width",
            effective_width,
            Uint,
            "median over the stream's valid frames with an estimate"
        ),
        optional!(
            Summary,
            "effective-height",
            effective_height,
            Uint,
            "median over the stream's valid frames with an estimate"
        ),
        optional!(
            Summary,
            "baseline",
            baseline,
            Double,
            "the stream's baseline sharpness at the end, when established"
        ),
        optional!(
            Summary,
            "drop-max",
            drop_max,
            Double,
            "largest relative drop of the smoothed sharpness against the established baseline"
        ),
        required!(
            Summary,
            "alarms",
            alarms,
            Uint,
            "episodes started, all reasons"
        ),
        span_field!(
            Summary,
            "alarm-duration",
            alarm_duration,
            "total length of the episodes"
        ),
        Field::<Summary> {
            name: "episodes",
            ty: FieldType::StructureArray,
            required: true,
            doc: "the latest 100 episodes in start order (`sharpmeter-episode` structures)",
            get: |v| {
                Some(FieldValue::StructureArray(
                    v.episodes.iter().map(Episode::to_structure).collect(),
                ))
            },
            set: |v, x| {
                v.episodes = value_as!(x, StructureArray)
                    .iter()
                    .map(|s| Episode::parse(s).map_err(|e| e.to_string()))
                    .collect::<Result<_, _>>()?;
                Ok(())
            },
        },
        required!(
            Summary,
            "episodes-omitted",
            episodes_omitted,
            Uint,
            "earlier episodes left out of `episodes`"
        ),
    ]
});

/// Fields of the summary's episodes (`sharpmeter-episode`), in the order they are written.
pub static EPISODE_FIELDS: LazyLock<Vec<Field<Episode>>> = LazyLock::new(|| {
    let mut f = vec![keyword!(Episode, "reason", reason, AlarmReason, "why")];
    f.extend(times_fields!(Episode, "of its first degraded frame"));
    f.push(span_field!(
        Episode,
        "duration",
        duration,
        "its length; 0 while open"
    ));
    f
});

/// Parsing and building of one message type through its field table.
macro_rules! message_structure {
    ($t:ty, $name:expr, $fields:expr) => {
        impl $t {
            pub fn to_structure(&self) -> gst::Structure {
                schema::build($name, &$fields, self)
            }

            /// The message, if `msg` is an element message with this structure that parses.
            pub fn from_message(msg: &gst::MessageRef) -> Option<Self> {
                Self::from_structure(element_structure(msg, $name)?)
            }

            /// The message, if `s` is its structure and parses ([`Self::parse`] says why not).
            pub fn from_structure(s: &gst::StructureRef) -> Option<Self> {
                Self::parse(s).ok()
            }

            /// Parses `s`: a field of another type than the schema's, or a missing required
            /// field, is an error.
            pub fn parse(s: &gst::StructureRef) -> Result<Self, SchemaError> {
                schema::parse(s, $name, &$fields)
            }
        }
    };
}

message_structure!(Report, REPORT_NAME, REPORT_FIELDS);
message_structure!(Alarm, ALARM_NAME, ALARM_FIELDS);
message_structure!(Summary, SUMMARY_NAME, SUMMARY_FIELDS);
message_structure!(Episode, EPISODE_NAME, EPISODE_FIELDS);

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
            detail: Some(0.42),
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
            detail_mean: None,
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

    #[test]
    fn a_field_of_another_type_or_a_missing_one_is_an_error_not_absent() {
        init();
        let r = Report {
            sharpness: Some(0.5),
            ..Default::default()
        };
        let good = r.to_structure();
        assert_eq!(Report::parse(&good), Ok(r));
        let mut s = good.clone();
        s.set("frames", 3.0f64);
        assert!(matches!(
            Report::parse(&s),
            Err(SchemaError::WrongType {
                field: "frames",
                ..
            })
        ));
        assert_eq!(Report::from_structure(&s), None);
        let mut s = good.clone();
        s.set("sharpness", "sharp");
        let err = Report::parse(&s).unwrap_err();
        assert!(err.to_string().contains("sharpness"), "{err}");
        let mut s = good.clone();
        s.remove_field("state");
        assert_eq!(Report::parse(&s), Err(SchemaError::Missing("state")));
        let mut s = good;
        s.set("state", "maybe");
        assert!(matches!(
            Report::parse(&s),
            Err(SchemaError::Invalid { field: "state", .. })
        ));
        let err = Alarm::parse(&Report::default().to_structure()).unwrap_err();
        assert!(matches!(err, SchemaError::Name { .. }), "{err}");
    }
}
