//! Temporal logic fed with per-frame numbers (nanoseconds as `u64`, figures as `f64`):
//! smoothing, alarm episodes, the baseline, scene cuts, reports and the summary. It knows
//! nothing of GStreamer; the element turns its [`MonitorEvent`]s into bus messages.

pub mod alarm;
pub mod baseline;
pub mod count_median;
pub mod detail_judge;
pub mod drop_judge;
pub mod episode;
pub mod lateness;
pub mod mean;
pub mod median;
pub mod monitor;
pub mod reason;
pub mod report;
pub mod scene_cut;
pub mod scene_reference;
pub mod settings;
pub mod summary;
pub mod times;

pub use alarm::{AlarmEdge, AlarmEvent, AlarmReason, AlarmState};
pub use lateness::Lateness;
pub use monitor::{Monitor, MonitorEvent, MonitorFrame};
pub use report::IntervalReport;
pub use settings::{MAX_RECOVERY, MonitorSettings};
pub use summary::{EpisodeRecord, StreamSummary};
pub use times::FrameTimes;
