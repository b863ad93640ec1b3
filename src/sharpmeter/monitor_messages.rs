//! The monitor's events as the element's bus messages: nanoseconds become clock times,
//! saturated below `GST_CLOCK_TIME_NONE`.

use crate::messages::{Alarm, Episode, MeterMessage, Report, Summary, Timestamps, clock_time};
use crate::temporal::{
    AlarmEdge, EpisodeRecord, FrameTimes, IntervalReport, MonitorEvent, StreamSummary,
};

impl From<FrameTimes> for Timestamps {
    fn from(t: FrameTimes) -> Self {
        Timestamps {
            timestamp: t.pts.map(clock_time),
            stream_time: t.stream_time.map(clock_time),
            running_time: t.running_time.map(clock_time),
        }
    }
}

impl From<IntervalReport> for Report {
    fn from(r: IntervalReport) -> Self {
        Report {
            times: r.times.into(),
            duration: Some(clock_time(r.duration)),
            frames: r.frames,
            valid_frames: r.valid_frames,
            skipped_frames: r.skipped_frames,
            sharpness: r.sharpness,
            laplacian_variance: r.laplacian_variance,
            tenengrad: r.tenengrad,
            blur_effect: r.blur_effect,
            edge_width: r.edge_width,
            sharpness_min: r.sharpness_min,
            detail: r.detail,
            effective_width: r.effective_width,
            effective_height: r.effective_height,
            baseline: r.baseline,
            tile_min: r.tile_min,
            tiles_below: r.tiles_below,
            state: r.state,
        }
    }
}

impl From<AlarmEdge> for Alarm {
    fn from(a: AlarmEdge) -> Self {
        Alarm {
            event: a.event,
            reason: a.reason,
            times: a.times.into(),
            duration: a.duration.map(clock_time),
            sharpness: a.sharpness,
            threshold: a.threshold,
            effective_share: a.effective_share,
            baseline: a.baseline,
            relative_drop: a.relative_drop,
        }
    }
}

impl From<EpisodeRecord> for Episode {
    fn from(e: EpisodeRecord) -> Self {
        Episode {
            reason: e.reason,
            times: e.times.into(),
            duration: clock_time(e.duration),
        }
    }
}

impl From<StreamSummary> for Summary {
    fn from(s: StreamSummary) -> Self {
        Summary {
            frames: s.frames,
            valid_frames: s.valid_frames,
            skipped_frames: s.skipped_frames,
            sharpness_mean: s.sharpness_mean,
            detail_mean: s.detail_mean,
            sharpness_min: s.sharpness_min,
            effective_width: s.effective_width,
            effective_height: s.effective_height,
            alarms: s.alarms,
            alarm_duration: clock_time(s.alarm_duration),
            baseline: s.baseline,
            drop_max: s.drop_max,
            episodes: s.episodes.into_iter().map(Episode::from).collect(),
            episodes_omitted: s.episodes_omitted,
        }
    }
}

impl From<MonitorEvent> for MeterMessage {
    fn from(e: MonitorEvent) -> Self {
        match e {
            MonitorEvent::Report(r) => MeterMessage::Report(r.into()),
            MonitorEvent::Alarm(a) => MeterMessage::Alarm(a.into()),
            MonitorEvent::Summary(s) => MeterMessage::Summary(s.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use gst::ClockTime;

    use super::*;
    use crate::temporal::{AlarmEvent, AlarmReason, AlarmState};

    fn ns(t: u64) -> Option<ClockTime> {
        Some(ClockTime::from_nseconds(t))
    }

    #[test]
    fn every_field_reaches_its_message() {
        let times = FrameTimes {
            pts: Some(1),
            stream_time: None,
            running_time: Some(3),
        };
        let stamps = Timestamps {
            timestamp: ns(1),
            stream_time: None,
            running_time: ns(3),
        };
        let report = IntervalReport {
            times,
            duration: 40,
            frames: 5,
            valid_frames: 4,
            skipped_frames: 1,
            sharpness: Some(0.5),
            laplacian_variance: Some(6.0),
            tenengrad: Some(7.0),
            blur_effect: Some(0.3),
            edge_width: Some(2.5),
            sharpness_min: Some(0.4),
            detail: Some(0.3),
            effective_width: Some(320),
            effective_height: Some(180),
            baseline: Some(0.6),
            tile_min: Some(0.1),
            tiles_below: Some(0.25),
            state: AlarmState::Alarm,
        };
        assert_eq!(
            MeterMessage::from(MonitorEvent::Report(report)),
            MeterMessage::Report(Report {
                times: stamps,
                duration: ns(40),
                frames: 5,
                valid_frames: 4,
                skipped_frames: 1,
                sharpness: Some(0.5),
                laplacian_variance: Some(6.0),
                tenengrad: Some(7.0),
                blur_effect: Some(0.3),
                edge_width: Some(2.5),
                sharpness_min: Some(0.4),
                detail: Some(0.3),
                effective_width: Some(320),
                effective_height: Some(180),
                baseline: Some(0.6),
                tile_min: Some(0.1),
                tiles_below: Some(0.25),
                state: AlarmState::Alarm,
            })
        );
        let edge = AlarmEdge {
            event: AlarmEvent::End,
            reason: AlarmReason::Drop,
            times,
            duration: Some(9),
            sharpness: 0.2,
            threshold: 0.3,
            effective_share: Some(0.5),
            baseline: Some(0.7),
            relative_drop: Some(0.6),
        };
        assert_eq!(
            MeterMessage::from(MonitorEvent::Alarm(edge)),
            MeterMessage::Alarm(Alarm {
                event: AlarmEvent::End,
                reason: AlarmReason::Drop,
                times: stamps,
                duration: ns(9),
                sharpness: 0.2,
                threshold: 0.3,
                effective_share: Some(0.5),
                baseline: Some(0.7),
                relative_drop: Some(0.6),
            })
        );
        let summary = StreamSummary {
            frames: 10,
            valid_frames: 9,
            skipped_frames: 2,
            sharpness_mean: Some(0.5),
            sharpness_min: Some(0.1),
            detail_mean: Some(0.35),
            effective_width: Some(640),
            effective_height: Some(360),
            alarms: 3,
            alarm_duration: 77,
            baseline: Some(0.6),
            drop_max: Some(0.4),
            episodes: vec![EpisodeRecord {
                reason: AlarmReason::Resolution,
                times,
                duration: 8,
            }],
            episodes_omitted: 2,
        };
        assert_eq!(
            MeterMessage::from(MonitorEvent::Summary(summary)),
            MeterMessage::Summary(Summary {
                frames: 10,
                valid_frames: 9,
                skipped_frames: 2,
                sharpness_mean: Some(0.5),
                sharpness_min: Some(0.1),
                detail_mean: Some(0.35),
                effective_width: Some(640),
                effective_height: Some(360),
                alarms: 3,
                alarm_duration: ClockTime::from_nseconds(77),
                baseline: Some(0.6),
                drop_max: Some(0.4),
                episodes: vec![Episode {
                    reason: AlarmReason::Resolution,
                    times: stamps,
                    duration: ClockTime::from_nseconds(8),
                }],
                episodes_omitted: 2,
            })
        );
    }

    #[test]
    fn times_and_spans_saturate_below_none() {
        let end = FrameTimes::at(u64::MAX);
        assert_eq!(Timestamps::from(end).running_time, Some(ClockTime::MAX));
        let summary = Summary::from(StreamSummary {
            alarm_duration: u64::MAX,
            episodes: vec![EpisodeRecord {
                duration: u64::MAX,
                ..Default::default()
            }],
            ..Default::default()
        });
        assert_eq!(summary.alarm_duration, ClockTime::MAX);
        assert_eq!(summary.episodes[0].duration, ClockTime::MAX);
        let edge = Alarm::from(AlarmEdge {
            duration: Some(u64::MAX),
            ..Default::default()
        });
        assert_eq!(edge.duration, Some(ClockTime::MAX));
    }
}
