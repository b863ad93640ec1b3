//! sharpmeter: a GStreamer element that measures per-frame video sharpness, attaches it to
//! buffers as `SharpMeterMeta` and posts reports, alarms and a summary on the bus.

use gst::glib;

pub mod analysis;
pub mod baseline_file;
#[cfg(feature = "fault-injection")]
pub mod fault;
pub mod messages;
pub mod meta;
pub mod schema;
pub mod sharpmeter;
pub mod temporal;

fn plugin_init(plugin: &gst::Plugin) -> Result<(), glib::BoolError> {
    meta::register();
    sharpmeter::register(plugin)
}

gst::plugin_define!(
    sharpmeter,
    env!("CARGO_PKG_DESCRIPTION"),
    plugin_init,
    concat!(env!("CARGO_PKG_VERSION"), "-", env!("COMMIT_ID")),
    "MPL",
    env!("CARGO_PKG_NAME"),
    env!("CARGO_PKG_NAME"),
    // The installed README (`make install`), also the element's doc-uri.
    env!("SHARPMETER_DOC_URI"),
    env!("BUILD_REL_DATE")
);
