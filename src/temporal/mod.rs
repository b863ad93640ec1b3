//! Temporal logic fed with per-frame numbers: smoothing, alarm episodes, reports, summary.

pub mod baseline;
pub mod count_median;
pub mod drop_judge;
pub mod episode;
pub mod median;
pub mod monitor;
pub mod reason;
pub mod report;
pub mod scene_cut;
pub mod scene_reference;
pub mod summary;

pub use monitor::{MAX_RECOVERY, Monitor, MonitorFrame, MonitorSettings};
