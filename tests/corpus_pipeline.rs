//! Corpus fixtures through `filesrc ! pngdec ! sharpmeter ! appsink`: OpenCV's figures to
//! 1e-9 relative, scikit-image's blur effect to 1e-6, ffmpeg's edge width to 2% (and absent
//! where ffmpeg gives NaN), meta equal to the report, and `sharpness` ordered along
//! degradations.

mod common;

use common::{fixture, rel, run};
use gstsharpmeter::messages::{Report, Summary};
use gstsharpmeter::meta::SharpMeterMeta;

/// Runs one PNG through sharpmeter; returns the meta of its single frame and the reports.
fn analyse_png(name: &str) -> (SharpMeterMeta, Vec<Report>) {
    let r = run(&format!(
        "filesrc location={} ! pngdec ! sharpmeter metrics=laplacian-variance+tenengrad+blur-effect+edge-width ! appsink name=sink",
        fixture(name).display()
    ));
    assert_eq!(r.buffers.len(), 1, "{name}: one frame");
    let meta = SharpMeterMeta::from_buffer(&r.buffers[0]).expect("meta on the frame");
    let reports = r
        .messages
        .iter()
        .filter_map(|m| Report::from_message(m))
        .collect();
    let summaries: Vec<_> = r
        .messages
        .iter()
        .filter_map(|m| Summary::from_message(m))
        .collect();
    assert_eq!(summaries.len(), 1);
    assert_eq!(summaries[0].frames, 1);
    (meta, reports)
}

#[test]
fn classic_metrics_equal_their_peers() {
    let peers = std::fs::read_to_string(fixture("peers.csv")).unwrap();
    let mut checked = 0;
    for line in peers.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let name = f[0].replace('/', "_");
        let value = |i: usize| f[i].parse::<f64>().unwrap();
        let (meta, _) = analyse_png(&name);
        let got = meta.figures;
        let lapvar = got.laplacian_variance.unwrap();
        assert!(
            rel(lapvar, value(2)) <= 1e-9,
            "{name}: laplacian-variance {lapvar} vs OpenCV {}",
            value(2)
        );
        let ten = got.tenengrad.unwrap();
        assert!(
            rel(ten, value(3)) <= 1e-9,
            "{name}: tenengrad {ten} vs OpenCV {}",
            value(3)
        );
        let be = got.blur_effect.unwrap();
        assert!(
            (be - value(1)).abs() <= 1e-6,
            "{name}: blur-effect {be} vs scikit-image {}",
            value(1)
        );
        match (got.edge_width, f[4]) {
            (None, "nan") => {}
            (Some(w), _) => assert!(
                rel(w, value(4)) <= 0.02,
                "{name}: edge-width {w} vs ffmpeg {}",
                f[4]
            ),
            (None, other) => panic!("{name}: no edge-width, ffmpeg has {other}"),
        }
        checked += 1;
    }
    assert_eq!(checked, 25);
}

#[test]
fn report_of_a_single_frame_carries_the_meta_values() {
    let (meta, reports) = analyse_png("gray_camera__blur__0.png");
    assert_eq!(reports.len(), 1, "the pending report is posted at EOS");
    let r = &reports[0];
    assert_eq!((r.frames, r.valid_frames), (1, 1));
    assert!(meta.figures.valid);
    assert_eq!(r.sharpness, Some(meta.figures.sharpness));
    assert_eq!(r.sharpness_min, Some(meta.figures.sharpness));
    assert_eq!(r.laplacian_variance, meta.figures.laplacian_variance);
    assert_eq!(r.tenengrad, meta.figures.tenengrad);
    assert_eq!(r.blur_effect, meta.figures.blur_effect);
    assert_eq!(r.edge_width, meta.figures.edge_width);
}

fn sharpness(name: &str) -> f64 {
    let (meta, _) = analyse_png(name);
    assert!(meta.figures.valid, "{name} is valid");
    meta.figures.sharpness
}

fn assert_strictly_decreasing(names: &[String]) {
    let values: Vec<f64> = names.iter().map(|n| sharpness(n)).collect();
    for (pair, v) in names.windows(2).zip(values.windows(2)) {
        assert!(
            v[1] < v[0],
            "{} ({}) not below {} ({})",
            pair[1],
            v[1],
            pair[0],
            v[0]
        );
    }
}

#[test]
fn sharpness_decreases_along_blur_and_down_up() {
    // gray fixtures are GRAY8 through pngdec, colour ones RGB.
    for source in ["gray_camera", "color_astronaut"] {
        let blur: Vec<String> = ["0", "1", "2", "4"]
            .iter()
            .map(|l| format!("{source}__blur__{l}.png"))
            .collect();
        assert_strictly_decreasing(&blur);
        let mut downup = vec![format!("{source}__blur__0.png")];
        downup.extend(
            ["2", "3", "4"]
                .iter()
                .map(|l| format!("{source}__downup__{l}.png")),
        );
        assert_strictly_decreasing(&downup);
    }
}
