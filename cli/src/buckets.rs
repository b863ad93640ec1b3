//! Logged files in buckets of their creation time (hour of day, day, ISO week), with the
//! spread of their median sharpness and effective share: what `trend` prints and plots.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDateTime, TimeZone, Timelike};

use crate::record::Record;
use crate::stats::quantile;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum By {
    /// Hour of the day (0-23), all days together: is it worse at peak hours?
    Hour,
    /// Calendar day.
    Day,
    /// ISO week.
    Week,
}

/// One bucket's figures.
#[derive(Debug, Clone, PartialEq)]
pub struct Bucket {
    pub label: String,
    pub files: usize,
    /// Median, 25th and 75th percentile of the files' median sharpness.
    pub sharpness: Option<[f64; 3]>,
    /// The same of the files' median effective share.
    pub share: Option<[f64; 3]>,
    /// The same of the files' median `detail`.
    pub detail: Option<[f64; 3]>,
    /// Files with an alarm.
    pub alarmed: usize,
}

fn spread(v: &[f64]) -> Option<[f64; 3]> {
    Some([quantile(v, 0.5)?, quantile(v, 0.25)?, quantile(v, 0.75)?])
}

/// The time zone hours and days are read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Zone {
    /// This machine's time zone, with its daylight saving time on each date.
    Local,
    /// A fixed offset from UTC.
    Fixed(FixedOffset),
}

impl Zone {
    pub const UTC: Zone = Zone::Fixed(FixedOffset::east_opt(0).unwrap());

    /// UTC, or this machine's time zone.
    pub fn new(utc: bool) -> Zone {
        if utc { Zone::UTC } else { Zone::Local }
    }

    /// The wall-clock time at Unix time `t`.
    pub fn wall_clock(self, t: i64) -> Option<NaiveDateTime> {
        let t = DateTime::from_timestamp(t, 0)?;
        Some(match self {
            Zone::Local => t.with_timezone(&chrono::Local).naive_local(),
            Zone::Fixed(z) => t.with_timezone(&z).naive_local(),
        })
    }

    /// The Unix time of wall-clock time `t`; a time that occurs twice (when clocks go back)
    /// is its first occurrence, one that does not occur (when they go forward) is None.
    pub fn unix(self, t: &NaiveDateTime) -> Option<i64> {
        match self {
            Zone::Local => chrono::Local
                .from_local_datetime(t)
                .earliest()
                .map(|t| t.timestamp()),
            Zone::Fixed(z) => z.from_local_datetime(t).earliest().map(|t| t.timestamp()),
        }
    }

    /// How tables name it.
    pub fn describe(self) -> String {
        match self {
            Zone::Local => "this machine's time zone".into(),
            Zone::Fixed(z) if z.local_minus_utc() == 0 => "UTC".into(),
            Zone::Fixed(z) => format!("UTC{z}"),
        }
    }
}

/// Buckets `records` (those with a creation time) in time order.
pub fn buckets(records: &[Record], by: By, zone: Zone) -> Vec<Bucket> {
    let mut groups: BTreeMap<String, Vec<&Record>> = BTreeMap::new();
    for r in records {
        let Some(t) = r.created.and_then(|t| zone.wall_clock(t)) else {
            continue;
        };
        let key = match by {
            By::Hour => format!("{:02}", t.hour()),
            By::Day => t.format("%Y-%m-%d").to_string(),
            By::Week => {
                let w = t.iso_week();
                format!("{}-W{:02}", w.year(), w.week())
            }
        };
        groups.entry(key).or_default().push(r);
    }
    groups
        .into_iter()
        .map(|(label, rs)| {
            let s: Vec<f64> = rs.iter().filter_map(|r| r.sharpness_median).collect();
            let e: Vec<f64> = rs.iter().filter_map(|r| r.effective_share_median).collect();
            let d: Vec<f64> = rs.iter().filter_map(|r| r.detail_median).collect();
            Bucket {
                label,
                files: rs.len(),
                sharpness: spread(&s),
                share: spread(&e),
                detail: spread(&d),
                alarmed: rs
                    .iter()
                    .filter(|r| r.alarms.iter().sum::<u32>() > 0)
                    .count(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Record, Verdict};

    fn record(created: i64, sharpness: f64) -> Record {
        let mut r = Record::from_values(&[]).unwrap();
        r.created = Some(created);
        r.sharpness_median = Some(sharpness);
        r.verdict = Verdict::Clean;
        r
    }

    #[test]
    fn hours_gather_days_and_weeks_split_them() {
        // 2026-11-30 (a Monday) 09:10 and 18:00 UTC, and 2026-12-01 09:50.
        let day = 1_795_996_800;
        let rs = [
            record(day + 9 * 3600 + 600, 0.6),
            record(day + 18 * 3600, 0.3),
            record(day + 86_400 + 9 * 3600 + 3000, 0.5),
        ];
        let utc = Zone::UTC;
        let hours = buckets(&rs, By::Hour, utc);
        let labels: Vec<&str> = hours.iter().map(|b| b.label.as_str()).collect();
        assert_eq!(labels, ["09", "18"]);
        assert_eq!(hours[0].files, 2);
        assert_eq!(hours[0].sharpness.unwrap()[0], 0.55);
        let days = buckets(&rs, By::Day, utc);
        assert_eq!(days.len(), 2, "{days:?}");
        assert_eq!(buckets(&rs, By::Week, utc).len(), 1);
        let plus9 = Zone::Fixed(FixedOffset::east_opt(9 * 3600).unwrap());
        assert_eq!(buckets(&rs, By::Hour, plus9)[0].label, "03");
    }
}
