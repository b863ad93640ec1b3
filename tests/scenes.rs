//! Scene cuts in a real pipeline: the meta marks the first frame of a new scene, and neither
//! a pan nor a fade to black and back counts as a cut.

mod common;

use common::clip::{Clip, load_photo};
use common::{appsrc_pipeline, astronaut_pan, fixture, run_pipeline};
use gstsharpmeter::meta::SharpMeterMeta;

/// The 640x360 pan at 25 fps over `photo`, `frames` long, fading to black and back over
/// `fade`.
fn pan(photo: &str, frames: usize, fade: std::ops::Range<usize>) -> Clip {
    Clip {
        photo: load_photo(&fixture(photo)),
        frames,
        fade,
        ..astronaut_pan(0, 0..0)
    }
}

#[test]
fn the_meta_marks_the_first_frame_after_a_cut_only() {
    let (pipeline, src) = appsrc_pipeline(
        "appsrc name=src format=time block=true max-buffers=4 ! sharpmeter \
         ! appsink name=sink sync=false",
    );
    // 2 s of one photo with a 1 s fade to black and back, then 2 s of another photo.
    let first = pan("color_astronaut__blur__0.png", 50, 10..35);
    let second = pan("gray_camera__blur__0.png", 50, 0..0);
    let feeder = std::thread::spawn(move || {
        src.set_caps(Some(&first.caps()));
        for i in 0..100 {
            let data = if i < 50 {
                first.frame(i)
            } else {
                second.frame(i - 50)
            };
            if src.push_buffer(first.buffer(i, data)).is_err() {
                return;
            }
        }
        let _ = src.end_of_stream();
    });
    let run = run_pipeline(&pipeline);
    feeder.join().unwrap();
    assert_eq!(run.buffers.len(), 100);
    let cuts: Vec<usize> = run
        .buffers
        .iter()
        .enumerate()
        .filter(|(_, b)| {
            SharpMeterMeta::from_buffer(b)
                .expect("meta on every frame")
                .scene_cut
        })
        .map(|(i, _)| i)
        .collect();
    assert_eq!(cuts, vec![50]);
}
