//! sharpmeter after a real H.264 round trip (x264enc ! avdec_h264): every decoded frame is
//! analysed, coarse quantisation, which removes fine detail, reads softer, and untouched
//! photos still rank above 2x down-up copies at CRF 20.

mod common;

use common::{fixture, run};
use gstsharpmeter::messages::Summary;
use gstsharpmeter::meta::SharpMeterMeta;

/// Mean sharpness of 10 frames of a photo encoded at `quantizer`.
fn encoded_sharpness(quantizer: u32) -> f64 {
    let r = run(&format!(
        "filesrc location={} ! pngdec ! imagefreeze num-buffers=10 ! videoconvert \
         ! video/x-raw,format=I420,framerate=25/1 ! x264enc pass=quant quantizer={quantizer} \
         ! avdec_h264 ! sharpmeter ! appsink name=sink",
        fixture("gray_camera__blur__0.png").display()
    ));
    assert_eq!(r.buffers.len(), 10);
    for b in &r.buffers {
        let m = SharpMeterMeta::from_buffer(b).expect("meta on every decoded frame");
        assert!(m.figures.valid);
    }
    let s = Summary::from_message(r.messages.last().unwrap()).unwrap();
    assert_eq!((s.frames, s.valid_frames), (10, 10));
    s.sharpness_mean.unwrap()
}

#[test]
fn coarse_quantisation_reads_softer() {
    let fine = encoded_sharpness(18);
    let coarse = encoded_sharpness(45);
    assert!(
        coarse < fine,
        "quantizer 45: {coarse}, quantizer 18: {fine}"
    );
}

/// Sharpness of one frame of a fixture after x264 at CRF 20.
fn crf20_sharpness(name: &str) -> f64 {
    let r = run(&format!(
        "filesrc location={} ! pngdec ! videoconvert ! video/x-raw,format=I420 \
         ! x264enc pass=qual quantizer=20 ! avdec_h264 ! sharpmeter ! appsink name=sink",
        fixture(name).display()
    ));
    let m = SharpMeterMeta::from_buffer(&r.buffers[0]).expect("meta");
    assert!(m.figures.valid, "{name}");
    m.figures.sharpness
}

#[test]
fn untouched_photos_rank_above_2x_down_ups_after_h264() {
    let sources = [
        "camera", "chelsea", "coins", "grass", "rocket", "text", "brick",
    ];
    let read = |deg: &str| -> Vec<f64> {
        sources
            .iter()
            .map(|s| crf20_sharpness(&format!("gray_{s}__{deg}.png")))
            .collect()
    };
    let (untouched, down_up) = (read("blur__0"), read("downup__2"));
    let pairs = untouched.len() * down_up.len();
    let ordered = untouched
        .iter()
        .flat_map(|u| down_up.iter().map(move |d| u32::from(u > d)))
        .sum::<u32>() as f64;
    let auc = ordered / pairs as f64;
    assert!(auc >= 0.95, "AUC {auc}: {untouched:?} vs {down_up:?}");
}
