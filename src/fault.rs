//! Test-only hook of the `fault-injection` feature (tests/panics.rs).

/// A buffer at this PTS panics inside the element while it holds its state lock, and in the
/// meta's transform when copied.
pub const FAULT_PTS: gst::ClockTime = gst::ClockTime::from_seconds(4242);
