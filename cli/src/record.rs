//! What `check` keeps of one file: the figures of its line, JSON object, CSV row and database
//! row. [`FIELDS`] names them once for all four.

use gstsharpmeter::messages::{AlarmReason, SUMMARY_FIELDS, Summary};
use serde_json::{Map, Value};

use crate::analyse::Analysis;
use crate::stats::{median, quantile};

/// Alarm reasons in the order columns and lines give them.
pub const REASONS: [AlarmReason; 4] = [
    AlarmReason::Threshold,
    AlarmReason::Resolution,
    AlarmReason::Drop,
    AlarmReason::Detail,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// No alarm.
    Clean,
    /// At least one alarm episode.
    Alarm,
    /// No frame could be judged (flat, too small, no texture).
    Unjudged,
    /// The decoded video ends early: shorter than the container says.
    Incomplete,
}

/// Decoded video this much shorter than its container (seconds, or this share of it when
/// larger) is incomplete; streams within a file start and end a little apart.
const INCOMPLETE_SECONDS: f64 = 1.0;
const INCOMPLETE_SHARE: f64 = 0.02;

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Clean => "ok",
            Verdict::Alarm => "alarm",
            Verdict::Unjudged => "unjudged",
            Verdict::Incomplete => "incomplete",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        [
            Verdict::Clean,
            Verdict::Alarm,
            Verdict::Unjudged,
            Verdict::Incomplete,
        ]
        .into_iter()
        .find(|v| v.as_str() == s)
    }
}

/// One checked file.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub path: String,
    /// SHA-256 of the file's bytes (hex); for a URI, the URI, `#` and the check time.
    pub hash: String,
    /// Unix seconds: the container's creation time, else the file's modification time.
    pub created: Option<i64>,
    /// `tag`, `mtime`, `checked` (a URI) or `none`.
    pub created_from: String,
    pub duration: f64,
    /// The container's duration, seconds, when it says one.
    pub container_duration: Option<f64>,
    pub frames: u64,
    pub valid_share: f64,
    pub sharpness_median: Option<f64>,
    pub sharpness_p10: Option<f64>,
    pub effective_share_median: Option<f64>,
    pub effective_width: Option<u32>,
    pub effective_height: Option<u32>,
    /// Median `detail` over the frames that have one.
    pub detail_median: Option<f64>,
    /// Alarm episodes per reason, in [`REASONS`] order.
    pub alarms: [u32; 4],
    pub alarm_seconds: f64,
    pub verdict: Verdict,
    /// The element's summary message, as JSON (the field names of docs/messages.md).
    pub summary: Map<String, Value>,
}

impl Record {
    /// The record of `a`; its creation time is the container's, else `fallback` (a time
    /// and where it comes from: `mtime`, or `checked` for a URI).
    pub fn new(path: String, hash: String, a: &Analysis, fallback: Option<(i64, &str)>) -> Record {
        let valid: Vec<f64> = a
            .frames
            .iter()
            .filter(|f| f.valid)
            .map(|f| f.sharpness)
            .collect();
        let shares: Vec<f64> = a.frames.iter().filter_map(|f| f.share).collect();
        let med = |v: Vec<u32>| {
            median(&v.iter().map(|&x| x as f64).collect::<Vec<_>>()).map(|m| m.round() as u32)
        };
        let mut alarms = [0; 4];
        for e in &a.episodes {
            alarms[REASONS.iter().position(|r| *r == e.reason).unwrap_or(0)] += 1;
        }
        let short = a
            .container_duration
            .is_some_and(|c| a.duration < c - (INCOMPLETE_SECONDS).max(INCOMPLETE_SHARE * c));
        let verdict = if short {
            Verdict::Incomplete
        } else if !a.episodes.is_empty() {
            Verdict::Alarm
        } else if valid.is_empty() {
            Verdict::Unjudged
        } else {
            Verdict::Clean
        };
        let summary = a.summary.as_ref().map(summary_json).unwrap_or_default();
        let (created, created_from) = match (a.created, fallback) {
            (Some(t), _) => (Some(t), "tag"),
            (None, Some((t, from))) => (Some(t), from),
            (None, None) => (None, "none"),
        };
        Record {
            path,
            hash,
            created,
            created_from: created_from.into(),
            duration: a.duration,
            container_duration: a.container_duration,
            frames: a.frames.len() as u64,
            valid_share: if a.frames.is_empty() {
                0.0
            } else {
                valid.len() as f64 / a.frames.len() as f64
            },
            sharpness_median: median(&valid),
            sharpness_p10: quantile(&valid, 0.1),
            effective_share_median: median(&shares),
            effective_width: med(a.frames.iter().filter_map(|f| f.effective_width).collect()),
            effective_height: med(a.frames.iter().filter_map(|f| f.effective_height).collect()),
            detail_median: median(&a.frames.iter().filter_map(|f| f.detail).collect::<Vec<_>>()),
            alarms,
            // Summed from +0.0: an empty f64 sum is -0.0.
            alarm_seconds: a.episodes.iter().fold(0.0, |t, e| t + (e.end - e.start)),
            verdict,
            summary,
        }
    }

    /// The line `check` prints.
    pub fn line(&self) -> String {
        let f = |v: Option<f64>| v.map_or("-".into(), |v| format!("{v:.3}"));
        let size = match (self.effective_width, self.effective_height) {
            (Some(w), Some(h)) => format!("{w}x{h}"),
            _ => "-".into(),
        };
        let alarms: Vec<String> = REASONS
            .iter()
            .zip(self.alarms)
            .filter(|(_, n)| *n > 0)
            .map(|(r, n)| format!("{} {n}", r.as_str()))
            .collect();
        format!(
            "{}: {:.1} s, {} frames, {:.0}% valid, sharpness median {} p10 {}, effective {size}, detail {}, alarms {}: {}",
            self.path,
            self.duration,
            self.frames,
            100.0 * self.valid_share,
            f(self.sharpness_median),
            f(self.sharpness_p10),
            f(self.detail_median),
            if alarms.is_empty() {
                "none".into()
            } else {
                alarms.join(", ")
            },
            match (self.verdict, self.container_duration) {
                (Verdict::Incomplete, Some(c)) => format!(
                    "incomplete (decoded {:.1} s of the container's {c:.1} s)",
                    self.duration
                ),
                (v, _) => v.as_str().to_string(),
            }
        )
    }
}

/// The summary message's fields as JSON.
pub fn summary_json(s: &Summary) -> Map<String, Value> {
    SUMMARY_FIELDS
        .iter()
        .filter_map(|f| (f.get)(s).map(|v| (f.name.to_string(), v.to_json())))
        .collect()
}

/// SQL type of a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sql {
    Integer,
    Real,
    Text,
}

impl Sql {
    pub fn name(self) -> &'static str {
        match self {
            Sql::Integer => "INTEGER",
            Sql::Real => "REAL",
            Sql::Text => "TEXT",
        }
    }
}

/// One field of a record: its name (JSON key, CSV header, database column), type, value
/// and how a value read back is stored.
pub struct RecordField {
    pub name: &'static str,
    pub sql: Sql,
    pub get: fn(&Record) -> Value,
    pub set: fn(&mut Record, &Value) -> Option<()>,
}

macro_rules! field {
    ($name:literal, $sql:ident, $f:ident, opt_f64) => {
        RecordField {
            name: $name,
            sql: Sql::$sql,
            get: |r| r.$f.map_or(Value::Null, Value::from),
            set: |r, v| {
                r.$f = v.as_f64();
                Some(())
            },
        }
    };
    ($name:literal, $sql:ident, $f:ident, opt_u32) => {
        RecordField {
            name: $name,
            sql: Sql::$sql,
            get: |r| r.$f.map_or(Value::Null, Value::from),
            set: |r, v| {
                r.$f = v.as_u64().map(|x| x as u32);
                Some(())
            },
        }
    };
    ($name:literal, $sql:ident, $f:ident, f64) => {
        RecordField {
            name: $name,
            sql: Sql::$sql,
            get: |r| Value::from(r.$f),
            set: |r, v| {
                r.$f = v.as_f64()?;
                Some(())
            },
        }
    };
}

/// A `String` field.
macro_rules! text_field {
    ($name:literal, $f:ident) => {
        RecordField {
            name: $name,
            sql: Sql::Text,
            get: |r| Value::from(r.$f.clone()),
            set: |r, v| {
                r.$f = v.as_str()?.to_string();
                Some(())
            },
        }
    };
}

/// Alarm count of reason `i` of [`REASONS`] as a field.
macro_rules! alarm_field {
    ($name:literal, $i:literal) => {
        RecordField {
            name: $name,
            sql: Sql::Integer,
            get: |r| Value::from(r.alarms[$i]),
            set: |r, v| {
                r.alarms[$i] = v.as_u64()? as u32;
                Some(())
            },
        }
    };
}

/// Every field of a record, in output order.
pub static FIELDS: &[RecordField] = &[
    text_field!("path", path),
    text_field!("hash", hash),
    RecordField {
        name: "created",
        sql: Sql::Integer,
        get: |r| r.created.map_or(Value::Null, Value::from),
        set: |r, v| {
            r.created = v.as_i64();
            Some(())
        },
    },
    text_field!("created_from", created_from),
    field!("duration", Real, duration, f64),
    field!("container_duration", Real, container_duration, opt_f64),
    RecordField {
        name: "frames",
        sql: Sql::Integer,
        get: |r| Value::from(r.frames),
        set: |r, v| {
            r.frames = v.as_u64()?;
            Some(())
        },
    },
    field!("valid_share", Real, valid_share, f64),
    field!("sharpness_median", Real, sharpness_median, opt_f64),
    field!("sharpness_p10", Real, sharpness_p10, opt_f64),
    field!(
        "effective_share_median",
        Real,
        effective_share_median,
        opt_f64
    ),
    field!("effective_width", Integer, effective_width, opt_u32),
    field!("effective_height", Integer, effective_height, opt_u32),
    field!("detail_median", Real, detail_median, opt_f64),
    alarm_field!("alarms_threshold", 0),
    alarm_field!("alarms_resolution", 1),
    alarm_field!("alarms_drop", 2),
    alarm_field!("alarms_detail", 3),
    field!("alarm_seconds", Real, alarm_seconds, f64),
    RecordField {
        name: "verdict",
        sql: Sql::Text,
        get: |r| Value::from(r.verdict.as_str()),
        set: |r, v| {
            r.verdict = Verdict::parse(v.as_str()?)?;
            Some(())
        },
    },
    RecordField {
        name: "summary",
        sql: Sql::Text,
        get: |r| Value::Object(r.summary.clone()),
        set: |r, v| {
            r.summary = v.as_object()?.clone();
            Some(())
        },
    },
];

impl Record {
    pub fn to_json(&self) -> Value {
        Value::Object(
            FIELDS
                .iter()
                .map(|f| (f.name.to_string(), (f.get)(self)))
                .collect(),
        )
    }

    /// A record from values in [`FIELDS`] order; None when one does not fit its field.
    pub fn from_values(values: &[Value]) -> Option<Record> {
        let mut r = Record {
            path: String::new(),
            hash: String::new(),
            created: None,
            created_from: String::new(),
            duration: 0.0,
            container_duration: None,
            frames: 0,
            valid_share: 0.0,
            sharpness_median: None,
            sharpness_p10: None,
            effective_share_median: None,
            effective_width: None,
            effective_height: None,
            detail_median: None,
            alarms: [0; 4],
            alarm_seconds: 0.0,
            verdict: Verdict::Clean,
            summary: Map::new(),
        };
        for (f, v) in FIELDS.iter().zip(values) {
            (f.set)(&mut r, v)?;
        }
        Some(r)
    }

    /// CSV cells in [`FIELDS`] order: empty when absent, JSON text for the summary.
    pub fn csv_cells(&self) -> Vec<String> {
        FIELDS
            .iter()
            .map(|f| match (f.get)(self) {
                Value::Null => String::new(),
                Value::String(s) => s,
                v => v.to_string(),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyse::{Frame, Span};

    #[test]
    fn a_record_round_trips_through_its_values() {
        let frame = |time, sharpness| Frame {
            time,
            valid: true,
            sharpness,
            share: Some(0.9),
            effective_width: Some(700),
            effective_height: Some(1270),
            detail: Some(0.3 + sharpness / 10.0),
        };
        let a = Analysis {
            frames: (0..10)
                .map(|i| frame(i as f64 * 0.1, 0.5 + 0.01 * i as f64))
                .collect(),
            episodes: vec![Span {
                reason: AlarmReason::Drop,
                start: 0.2,
                end: 0.5,
            }],
            duration: 1.0,
            ..Default::default()
        };
        let r = Record::new(
            "a.mp4".into(),
            "00".into(),
            &a,
            Some((1_700_000_000, "mtime")),
        );
        assert_eq!(r.verdict, Verdict::Alarm);
        assert_eq!(r.alarms, [0, 0, 1, 0]);
        assert_eq!(r.created_from, "mtime");
        assert_eq!(r.effective_width, Some(700));
        let values: Vec<Value> = FIELDS.iter().map(|f| (f.get)(&r)).collect();
        assert_eq!(Record::from_values(&values), Some(r.clone()));
        assert!(r.line().contains("alarms drop 1: alarm"), "{}", r.line());
    }

    #[test]
    fn summary_episodes_are_objects_and_no_alarm_is_zero_seconds() {
        use gstsharpmeter::messages::{Episode, Timestamps};
        gst::init().unwrap();
        let episode = Episode {
            reason: AlarmReason::Drop,
            times: Timestamps {
                timestamp: Some(gst::ClockTime::from_seconds(4)),
                ..Default::default()
            },
            duration: gst::ClockTime::from_seconds(2),
        };
        let a = Analysis {
            summary: Some(Summary {
                alarms: 1,
                episodes: vec![episode],
                ..Default::default()
            }),
            ..Default::default()
        };
        let r = Record::new("a.mp4".into(), "00".into(), &a, None);
        let json = r.to_json();
        let e = &json["summary"]["episodes"][0];
        assert_eq!(e["reason"], "drop", "{json}");
        assert_eq!(e["timestamp"], 4_000_000_000u64, "{json}");
        assert_eq!(e["running-time"], u64::MAX, "{json}");
        let text = serde_json::to_string(&json).unwrap();
        assert!(text.contains("\"alarm_seconds\":0.0,"), "{text}");
    }
}
