//! SharpMeterMeta (tags "video", "size") survives elements that keep the picture's size and
//! is dropped where the picture is rescaled.

mod common;

use common::run;
use gstsharpmeter::meta::{META_NAME, SharpMeterMeta};

const SRC: &str = "videotestsrc num-buffers=3 pattern=smpte ! video/x-raw,format=I420,width=320,height=240 ! sharpmeter";

fn metas(desc: &str) -> Vec<Option<SharpMeterMeta>> {
    run(desc)
        .buffers
        .iter()
        .map(|b| SharpMeterMeta::from_buffer(b))
        .collect()
}

/// videoconvert in 1.22 is videoconvertscale: a format change asks size-tagged metas for a
/// scale transform at the same size, which must keep the meta.
#[test]
fn survives_queue_tee_identity_and_videoconvert() {
    let direct = metas(&format!("{SRC} ! appsink name=sink"));
    assert_eq!(direct.len(), 3);
    assert!(direct.iter().all(|m| m.is_some()));
    let through = metas(&format!(
        "{SRC} ! queue ! tee ! identity ! videoconvert ! video/x-raw,format=RGBx ! appsink name=sink"
    ));
    assert_eq!(through, direct, "same figures after the chain");
}

#[test]
fn dropped_by_rescaling() {
    let scaled = metas(&format!(
        "{SRC} ! videoscale ! video/x-raw,width=160,height=120 ! appsink name=sink"
    ));
    assert_eq!(scaled.len(), 3);
    assert!(
        scaled.iter().all(|m| m.is_none()),
        "{META_NAME} must not describe a rescaled picture"
    );
}
