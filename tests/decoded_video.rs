//! sharpmeter after a real H.264 round trip (x264enc ! avdec_h264): every decoded frame is
//! analysed, and coarse quantisation, which removes fine detail, reads softer.

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
