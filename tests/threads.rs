//! `threads=2` splits a frame's analysis over two threads and changes no figure: the core on
//! sharp, down-up, blurred, small and flat pictures, and the element's meta on a pipeline.

mod common;

use common::clip::{self, Clip};
use gstsharpmeter::analysis::{Analyzer, LumaPlane, Metrics, Rect};
use gstsharpmeter::meta::SharpMeterMeta;

/// Frames of a 640x360 pan over `name`, sharp then rendered at half size, as GRAY8.
fn frames(name: &str) -> Vec<Vec<u8>> {
    let c = Clip {
        photo: clip::load_photo(&common::fixture(name)),
        width: 640,
        height: 360,
        fps: 25,
        frames: 4,
        soft: 2..4,
        factor: 2,
        fade: 0..0,
    };
    (0..c.frames)
        .map(|i| c.frame(i).chunks(3).map(|p| p[0]).collect())
        .collect()
}

#[test]
fn two_threads_give_the_figures_of_one() {
    let mut cases: Vec<(String, Vec<u8>, usize, usize)> = Vec::new();
    for name in [
        "gray_camera__blur__0.png",
        "color_astronaut__blur__2.png",
        "gray_text__blur__0.png",
        "flat_uniform_black__none__0.png",
    ] {
        for (i, f) in frames(name).into_iter().enumerate() {
            cases.push((format!("{name} frame {i}"), f, 640, 360));
        }
    }
    // At the smallest judged size, and below it.
    cases.push((
        "64x64".into(),
        frames("gray_grass__blur__0.png")[0][..64 * 64].to_vec(),
        64,
        64,
    ));
    cases.push((
        "63x40".into(),
        frames("gray_grass__blur__0.png")[0][..63 * 40].to_vec(),
        63,
        40,
    ));
    let (mut one, mut two) = (Analyzer::new(), Analyzer::new());
    two.set_threads(2);
    let mut valid = 0;
    for (name, data, w, h) in &cases {
        let plane = LumaPlane::new_u8(data, *w, *h, *w).unwrap();
        for metrics in [Metrics::DEFAULT, Metrics::ALL] {
            let area = Rect::new(0, 0, *w, *h);
            let a = one.analyze_area(&plane, area, metrics);
            let b = two.analyze_area(&plane, area, metrics);
            assert_eq!(a, b, "{name}");
            valid += a.valid as usize;
        }
    }
    // Both paths were taken: valid frames with every figure, and invalid ones.
    assert!(valid > 10 && valid < 2 * cases.len(), "{valid}");
}

#[test]
fn the_element_with_two_threads_attaches_the_same_meta() {
    let desc = |threads| {
        format!(
            "videotestsrc num-buffers=12 pattern=smpte ! video/x-raw,width=1280,height=720 \
             ! sharpmeter threads={threads} ! appsink name=sink"
        )
    };
    let figures = |run: common::Run| -> Vec<_> {
        run.buffers
            .iter()
            .map(|b| SharpMeterMeta::from_buffer(b).unwrap().figures)
            .collect()
    };
    let (a, b) = (
        figures(common::run(&desc(1))),
        figures(common::run(&desc(2))),
    );
    assert_eq!(a.len(), 12);
    assert!(a[0].valid);
    assert_eq!(a, b);
}
