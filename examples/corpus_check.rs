//! Checks the analysis core against the shared corpus and prints what it measured:
//! OpenCV agreement of laplacian-variance and tenengrad on every gray image, the ordering of
//! `sharpness` along blur and down-up series, its change at half contrast, and validity on
//! flat frames. Exits non-zero when a target is missed.
//!
//! `cargo run --release --example corpus_check -- ../shared/corpus`

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use gstsharpmeter::analysis::{Analyzer, FrameFigures, LumaLayout, LumaScratch, luma_plane};

struct Image {
    width: usize,
    height: usize,
    channels: usize,
    data: Vec<u8>,
}

fn load_png(path: &Path) -> Image {
    let decoder = png::Decoder::new(std::fs::File::open(path).expect("open png"));
    let mut reader = decoder.read_info().expect("png header");
    let mut data = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut data).expect("png data");
    data.truncate(info.buffer_size());
    let channels = match info.color_type {
        png::ColorType::Grayscale => 1,
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
        other => panic!("unsupported png colour type {other:?}"),
    };
    assert_eq!(info.bit_depth, png::BitDepth::Eight);
    Image {
        width: info.width as usize,
        height: info.height as usize,
        channels,
        data,
    }
}

fn analyze(img: &Image, analyzer: &mut Analyzer) -> FrameFigures {
    let layout = match img.channels {
        1 => LumaLayout::Bytes { pixel_stride: 1 },
        n => LumaLayout::Rgb {
            r: 0,
            g: 1,
            b: 2,
            pixel_stride: n,
        },
    };
    let mut scratch = LumaScratch::default();
    let plane = luma_plane(
        &img.data,
        img.width,
        img.height,
        img.width * img.channels,
        layout,
        &mut scratch,
    )
    .expect("plane");
    analyzer.analyze(&plane)
}

fn half_contrast(img: &Image) -> Image {
    Image {
        data: img
            .data
            .iter()
            .map(|&v| (v as u32).div_ceil(2) as u8)
            .collect(),
        ..*img
    }
}

fn main() {
    let root = PathBuf::from(std::env::args().nth(1).unwrap_or("../shared/corpus".into()));
    let peers = std::fs::read_to_string(root.join("peers.csv")).expect("peers.csv");
    let mut analyzer = Analyzer::new();
    let mut failures = 0;
    // image -> (source, mode, degradation, level, figures)
    let mut scores: BTreeMap<(String, String, String), Vec<(f64, f64)>> = BTreeMap::new();
    let (mut worst_lap, mut worst_ten) = (0.0f64, 0.0f64);
    let mut gray_count = 0;
    println!(
        "{:<42} {:>8} {:>5} {:>12} {:>12}",
        "image", "sharp", "valid", "lapvar", "tenengrad"
    );
    for line in peers.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let (image, source, mode, degradation, level) = (f[0], f[1], f[2], f[3], f[4]);
        let img = load_png(&root.join(image));
        let fig = analyze(&img, &mut analyzer);
        println!(
            "{image:<42} {:>8.4} {:>5} {:>12.4} {:>12.4}",
            fig.sharpness, fig.valid, fig.laplacian_variance, fig.tenengrad
        );
        if mode == "gray" {
            gray_count += 1;
            let lap: f64 = f[8].parse().unwrap();
            let ten: f64 = f[10].parse().unwrap();
            let rel = |a: f64, b: f64| {
                if b == 0.0 {
                    a.abs()
                } else {
                    ((a - b) / b).abs()
                }
            };
            worst_lap = worst_lap.max(rel(fig.laplacian_variance, lap));
            worst_ten = worst_ten.max(rel(fig.tenengrad, ten));
        }
        if mode == "flat" {
            let expect_valid = source.contains("text") || source.contains("clock");
            if source.contains("noise") {
                // Faint noise on flat gray needs noise compensation: a later issue.
                println!("  (not yet a target: {image} valid={})", fig.valid);
            } else if fig.valid != expect_valid {
                println!(
                    "  FAIL: {image} valid={} expected {expect_valid}",
                    fig.valid
                );
                failures += 1;
            }
            continue;
        }
        let level: f64 = level.parse().unwrap();
        let key = (
            source.to_string(),
            mode.to_string(),
            degradation.to_string(),
        );
        scores.entry(key).or_default().push((level, fig.sharpness));
        if level == 0.0 && degradation == "blur" {
            let half = analyze(&half_contrast(&img), &mut analyzer);
            let d = (half.sharpness - fig.sharpness).abs();
            println!("  half contrast: {:.4} (change {:.4})", half.sharpness, d);
            if d >= 0.01 {
                println!("  FAIL: {image} half contrast changes sharpness by {d:.4}");
                failures += 1;
            }
        }
    }
    println!(
        "\nOpenCV agreement on {gray_count} gray images: laplacian-variance worst relative error {worst_lap:.2e}, tenengrad {worst_ten:.2e}"
    );
    if worst_lap > 1e-9 || worst_ten > 1e-9 {
        println!("  FAIL: relative error above 1e-9");
        failures += 1;
    }
    // downup level 1 is the untouched image (blur 0).
    let untouched: BTreeMap<(String, String), f64> = scores
        .iter()
        .filter(|((_, _, d), _)| d == "blur")
        .map(|((s, m, _), v)| {
            (
                (s.clone(), m.clone()),
                v.iter().find(|(l, _)| *l == 0.0).unwrap().1,
            )
        })
        .collect();
    for ((source, mode, degradation), values) in &scores {
        let series: &[f64] = match degradation.as_str() {
            "blur" => &[0.0, 1.0, 2.0, 4.0],
            "downup" => &[1.0, 2.0, 3.0, 4.0],
            _ => continue,
        };
        let seq: Vec<f64> = series
            .iter()
            .map(|lv| {
                if *lv == 1.0 && degradation == "downup" {
                    untouched[&(source.clone(), mode.clone())]
                } else {
                    values.iter().find(|(l, _)| l == lv).unwrap().1
                }
            })
            .collect();
        let ok = seq.windows(2).all(|p| p[1] < p[0]);
        println!(
            "{source:<10} {mode:<5} {degradation:<7} {}  {}",
            seq.iter()
                .map(|v| format!("{v:.4}"))
                .collect::<Vec<_>>()
                .join(" > "),
            if ok {
                "ok"
            } else {
                "FAIL: not strictly decreasing"
            }
        );
        failures += usize::from(!ok);
    }
    println!("\n{} targets missed", failures);
    std::process::exit(i32::from(failures > 0));
}
