//! Regions: the region of interest, letterbox bars left out of the analysed area, and a
//! shallow depth of field, on fixtures composed in the test.

mod common;

use common::clip::{Photo, gaussian_blur, load_photo};
use common::{appsrc_pipeline, fixture, run_pipeline};
use gstsharpmeter::analysis::{FrameFigures, Rect};
use gstsharpmeter::messages::Report;
use gstsharpmeter::meta::SharpMeterMeta;

/// Sharp photos the region tests compose their frames from.
const PHOTOS: [&str; 4] = [
    "color_astronaut__blur__0.png",
    "gray_camera__blur__0.png",
    "gray_coins__blur__0.png",
    "gray_chelsea__blur__0.png",
];

/// What sharpmeter `props` attaches to one RGB frame, its report, and the warnings it
/// posts.
fn measure_all(p: &Photo, props: &str) -> (SharpMeterMeta, Report, Vec<String>) {
    let (pipeline, src) = appsrc_pipeline(&format!(
        "appsrc name=src format=time ! sharpmeter {props} ! appsink name=sink"
    ));
    let info =
        gst_video::VideoInfo::builder(gst_video::VideoFormat::Rgb, p.width as u32, p.height as u32)
            .fps(gst::Fraction::new(25, 1))
            .build()
            .unwrap();
    src.set_caps(Some(&info.to_caps().unwrap()));
    let mut data = vec![0u8; info.size()];
    let stride = info.stride()[0] as usize;
    for (y, row) in p.rgb.chunks(p.width * 3).enumerate() {
        data[y * stride..][..row.len()].copy_from_slice(row);
    }
    let mut buf = gst::Buffer::from_mut_slice(data);
    buf.get_mut().unwrap().set_pts(gst::ClockTime::ZERO);
    src.push_buffer(buf).unwrap();
    src.end_of_stream().unwrap();
    let run = run_pipeline(&pipeline);
    let meta = SharpMeterMeta::from_buffer(&run.buffers[0]).expect("meta on the frame");
    let report = run
        .messages
        .iter()
        .find_map(|m| Report::from_message(m))
        .expect("a report");
    let warnings = run.warning_texts();
    (meta, report, warnings)
}

/// The figures sharpmeter `props` attaches to one RGB frame, and the warnings it posts.
fn measure(p: &Photo, props: &str) -> (FrameFigures, Vec<String>) {
    let (meta, _, warnings) = measure_all(p, props);
    (meta.figures, warnings)
}

fn sharpness(p: &Photo, props: &str) -> f64 {
    let (f, warnings) = measure(p, props);
    assert!(f.valid, "{props}: {f:?}");
    assert!(warnings.is_empty(), "{props}: {warnings:?}");
    f.sharpness
}

/// `p` with the pixels outside `keep` blurred by a Gaussian of sigma 3.
fn blurred_outside(p: &Photo, keep: Rect) -> Photo {
    let soft = gaussian_blur(&p.rgb, p.width, p.height, 3.0);
    let mut rgb = soft;
    for y in keep.y..keep.y + keep.height {
        let row = (y * p.width + keep.x) * 3..(y * p.width + keep.x + keep.width) * 3;
        rgb[row.clone()].copy_from_slice(&p.rgb[row]);
    }
    Photo {
        width: p.width,
        height: p.height,
        rgb,
    }
}

#[test]
fn a_region_of_interest_measures_only_its_part() {
    for name in PHOTOS {
        let p = load_photo(&fixture(name));
        let half = p.width / 2;
        let frame = blurred_outside(&p, Rect::new(0, 0, half, p.height));
        let left = sharpness(&frame, &format!("roi-width={half}"));
        let right = sharpness(&frame, &format!("roi-x={half}"));
        assert!(right <= 0.7 * left, "{name}: right {right} left {left}");
        let (f, _) = measure(&frame, &format!("roi-x={half}"));
        assert_eq!(f.active_area, Some(Rect::new(half, 0, half, p.height)));
    }
}

#[test]
fn a_region_reaching_outside_the_frame_is_clamped_with_one_warning() {
    let p = load_photo(&fixture("gray_camera__blur__0.png"));
    let (f, warnings) = measure(&p, "roi-x=300 roi-y=100 roi-width=400 roi-height=100");
    assert_eq!(f.active_area, Some(Rect::new(300, 100, 212, 100)));
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("clamped"), "{warnings:?}");
    // Entirely outside: the whole frame, also with a warning.
    let (f, warnings) = measure(&p, "roi-x=600");
    assert_eq!(f.active_area, Some(Rect::full(512, 512)));
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    // Inside: no warning.
    let (_, warnings) = measure(&p, "roi-x=10 roi-y=10 roi-width=100 roi-height=100");
    assert!(warnings.is_empty(), "{warnings:?}");
}

/// `p` centred in a black frame of `width` x `height`; where the photo is.
fn boxed(p: &Photo, width: usize, height: usize) -> (Photo, Rect) {
    let (left, top) = ((width - p.width) / 2, (height - p.height) / 2);
    let mut rgb = vec![0u8; width * height * 3];
    for (y, row) in p.rgb.chunks(p.width * 3).enumerate() {
        rgb[((top + y) * width + left) * 3..][..row.len()].copy_from_slice(row);
    }
    let frame = Photo { width, height, rgb };
    (frame, Rect::new(left, top, p.width, p.height))
}

#[test]
fn letterbox_and_pillarbox_bars_are_left_out() {
    for name in PHOTOS {
        let p = load_photo(&fixture(name));
        let plain = sharpness(&p, "");
        // A frame a third taller (letterbox), and one a third wider (pillarbox).
        for (w, h) in [(p.width, p.height * 4 / 3), (p.width * 4 / 3, p.height)] {
            let (frame, picture) = boxed(&p, w, h);
            let (f, _) = measure(&frame, "");
            assert_eq!(f.active_area, Some(picture), "{name} in {w}x{h}");
            assert!(
                (f.sharpness - plain).abs() <= 0.03,
                "{name} in {w}x{h}: {} against {plain}",
                f.sharpness
            );
            // With detection off, the whole frame is analysed.
            let (f, _) = measure(&frame, "detect-bars=false");
            assert_eq!(f.active_area, Some(Rect::full(w, h)));
        }
    }
}

#[test]
fn a_sharp_subject_on_a_soft_background_reads_sharp() {
    for name in PHOTOS {
        let p = load_photo(&fixture(name));
        let sharp = sharpness(&p, "");
        // A centred rectangle covering 45% of the frame sharp, the rest blurred (sigma 3).
        let side = 0.45f64.sqrt();
        let (w, h) = (
            (p.width as f64 * side).round() as usize,
            (p.height as f64 * side).round() as usize,
        );
        let subject = Rect::new((p.width - w) / 2, (p.height - h) / 2, w, h);
        let shallow = sharpness(&blurred_outside(&p, subject), "");
        assert!(
            shallow >= 0.9 * sharp,
            "{name}: shallow {shallow} sharp {sharp}"
        );
    }
}

#[test]
fn a_tile_map_tells_the_sharp_half_from_the_blurred_one() {
    for name in PHOTOS {
        let p = load_photo(&fixture(name));
        let frame = blurred_outside(&p, Rect::new(0, 0, p.width / 2, p.height));
        let (meta, report, _) = measure_all(&frame, "tile-columns=2 tile-rows=1");
        let [left, right] = meta.tiles[..] else {
            panic!("{name}: two tiles, got {:?}", meta.tiles);
        };
        assert!(right >= 0.0 && left > right, "{name}: {:?}", meta.tiles);
        assert_eq!(report.tile_min, Some(right));
        // With the default threshold 0.4 the blurred half is below it, the sharp one not.
        assert!(left >= 0.4 && right < 0.4, "{name}: {:?}", meta.tiles);
        assert_eq!(report.tiles_below, Some(0.5), "{name}");
    }
}

#[test]
fn tiles_without_detail_read_minus_one_and_the_map_is_off_by_default() {
    let mut p = load_photo(&fixture("gray_camera__blur__0.png"));
    // The right half a uniform gray.
    for row in p.rgb.chunks_mut(p.width * 3) {
        row[p.width / 2 * 3..].fill(128);
    }
    let (meta, report, _) = measure_all(&p, "tile-columns=2 tile-rows=2 detect-bars=false");
    assert_eq!(meta.tiles.len(), 4);
    assert_eq!(
        (meta.tiles[1], meta.tiles[3]),
        (-1.0, -1.0),
        "{:?}",
        meta.tiles
    );
    assert!(
        meta.tiles[0] > 0.0 && meta.tiles[2] > 0.0,
        "{:?}",
        meta.tiles
    );
    assert!(report.tile_min.is_some_and(|m| m > 0.0));
    let (meta, report, _) = measure_all(&p, "");
    assert!(meta.tiles.is_empty());
    assert_eq!((report.tile_min, report.tiles_below), (None, None));
}

#[test]
fn more_tiles_than_pixels_read_minus_one() {
    let p = Photo {
        width: 3,
        height: 5,
        rgb: (0..45).map(|v| (v * 5) as u8).collect(),
    };
    let (meta, report, _) = measure_all(&p, "tile-columns=64 tile-rows=64 roi-x=1");
    assert_eq!(meta.tiles.len(), 64 * 64);
    assert!(meta.tiles.iter().all(|&t| t == -1.0));
    assert_eq!(meta.figures.active_area, Some(Rect::new(1, 0, 2, 5)));
    assert_eq!((report.tile_min, report.tiles_below), (None, None));
}
