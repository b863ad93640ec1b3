//! Plots (SVG or PNG, chosen by the file name): `sharpmeter plot`'s per-frame figures with
//! the threshold and alarm episodes, and `sharpmeter trend`'s buckets. PNG text uses DejaVu
//! Sans from Debian's fonts-dejavu-core.

use std::path::Path;

use gstsharpmeter::messages::AlarmReason;
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::analyse::{Analysis, Frame};
use crate::record::REASONS;
use crate::stats::median;
use crate::trend::{Bucket, By};

const FONT: &str = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
/// Trace colours of the first and second input.
const TRACES: [RGBColor; 2] = [RGBColor(31, 119, 180), RGBColor(255, 127, 14)];
const THRESHOLD: RGBColor = RGBColor(200, 30, 30);

/// Shade of each alarm reason, in [`REASONS`] order.
fn reason_colour(r: AlarmReason) -> RGBColor {
    match r {
        AlarmReason::Threshold => RGBColor(214, 39, 40),
        AlarmReason::Resolution => RGBColor(148, 103, 189),
        AlarmReason::Drop => RGBColor(44, 160, 44),
    }
}

fn register_font() -> Result<(), String> {
    static FONT_BYTES: std::sync::OnceLock<Result<&'static [u8], String>> =
        std::sync::OnceLock::new();
    let bytes = FONT_BYTES
        .get_or_init(|| {
            std::fs::read(FONT)
                .map(|b| &*Box::leak(b.into_boxed_slice()))
                .map_err(|e| format!("{FONT}: {e} (apt-get install fonts-dejavu-core)"))
        })
        .clone()?;
    plotters::style::register_font("sans-serif", FontStyle::Normal, bytes)
        .map_err(|_| format!("{FONT}: not a font"))
}

/// Draws with `draw` into `path`, 1000x700, SVG or PNG by extension.
fn render(
    path: &Path,
    draw: impl Fn(DrawingArea<SVGBackend, Shift>) -> Result<(), String>,
    draw_png: impl Fn(DrawingArea<BitMapBackend, Shift>) -> Result<(), String>,
) -> Result<(), String> {
    register_font()?;
    let size = (1000, 700);
    match path.extension().and_then(|e| e.to_str()) {
        Some("svg") => draw(SVGBackend::new(path, size).into_drawing_area()),
        Some("png") => draw_png(BitMapBackend::new(path, size).into_drawing_area()),
        _ => Err(format!("{}: a plot ends in .svg or .png", path.display())),
    }
}

/// One plotted input.
pub struct Run<'a> {
    pub name: String,
    pub analysis: &'a Analysis,
}

type Figure = fn(&Frame) -> Option<f64>;

fn frames<DB: DrawingBackend>(root: DrawingArea<DB, Shift>, runs: &[Run]) -> Result<(), String>
where
    DB::ErrorType: 'static,
{
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    root.fill(&WHITE).map_err(err)?;
    let end = runs
        .iter()
        .map(|r| r.analysis.duration)
        .fold(1.0f64, f64::max);
    let panels = root.split_evenly((2, 1));
    let series: [(&str, Figure, bool); 2] = [
        ("sharpness", |f| f.valid.then_some(f.sharpness), true),
        (
            "effective share of the frame (worse axis)",
            |f| f.share,
            false,
        ),
    ];
    for (panel, (label, value, threshold)) in panels.iter().zip(series) {
        let mut chart = ChartBuilder::on(panel)
            .caption(label, ("sans-serif", 20))
            .margin(10)
            .x_label_area_size(35)
            .y_label_area_size(45)
            .build_cartesian_2d(0.0..end, 0.0..1.05f64)
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc("time (s)")
            .draw()
            .map_err(err)?;
        // Alarm episodes: one band per input (the whole height for one input, upper and
        // lower half for two), in the reason's colour.
        let bands = runs.len().max(1) as f64;
        for (i, run) in runs.iter().enumerate() {
            let (top, bottom) = (
                1.05 * (1.0 - i as f64 / bands),
                1.05 * (1.0 - (i + 1) as f64 / bands),
            );
            for reason in REASONS {
                let shade = reason_colour(reason).mix(0.2);
                let rects: Vec<_> = run
                    .analysis
                    .episodes
                    .iter()
                    .filter(|e| e.reason == reason)
                    .map(|e| Rectangle::new([(e.start, bottom), (e.end, top)], shade.filled()))
                    .collect();
                if rects.is_empty() {
                    continue;
                }
                let who = if runs.len() > 1 {
                    format!(", {}", run.name)
                } else {
                    String::new()
                };
                chart
                    .draw_series(rects)
                    .map_err(err)?
                    .label(format!("{} alarm{who}", reason.as_str()))
                    .legend(move |(x, y)| {
                        Rectangle::new([(x, y - 5), (x + 20, y + 5)], shade.filled())
                    });
            }
        }
        if threshold && let Some(t) = runs.first().map(|r| r.analysis.threshold) {
            chart
                .draw_series(DashedLineSeries::new(
                    [(0.0, t), (end, t)],
                    8,
                    5,
                    THRESHOLD.stroke_width(2),
                ))
                .map_err(err)?
                .label(format!("threshold {t:.2}"))
                .legend(|(x, y)| {
                    PathElement::new([(x, y), (x + 20, y)], THRESHOLD.stroke_width(2))
                });
        }
        // The first input thick, the second thin on top, so both show where they overlap.
        for (i, run) in runs.iter().enumerate() {
            let colour = TRACES[i % TRACES.len()];
            let width = if i == 0 && runs.len() > 1 { 4 } else { 2 };
            let points: Vec<(f64, f64)> = run
                .analysis
                .frames
                .iter()
                .filter_map(|f| value(f).map(|v| (f.time, v.min(1.05))))
                .collect();
            chart
                .draw_series(LineSeries::new(points, colour.stroke_width(width)))
                .map_err(err)?
                .label(run.name.clone())
                .legend(move |(x, y)| {
                    PathElement::new([(x, y), (x + 20, y)], colour.stroke_width(width))
                });
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .position(SeriesLabelPosition::LowerRight)
            .draw()
            .map_err(err)?;
    }
    root.present().map_err(err)
}

/// Plots the per-frame figures of `runs` into `path`.
pub fn per_frame(runs: &[Run], path: &Path) -> Result<(), String> {
    render(path, |a| frames(a, runs), |a| frames(a, runs))
}

fn buckets<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    b: &[Bucket],
    by: By,
) -> Result<(), String>
where
    DB::ErrorType: 'static,
{
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    root.fill(&WHITE).map_err(err)?;
    let labels: Vec<String> = b.iter().map(|b| b.label.clone()).collect();
    let x_desc = match by {
        By::Hour => "hour of day",
        By::Day => "day",
        By::Week => "week",
    };
    let panels = root.split_evenly((2, 1));
    type Spread = fn(&Bucket) -> Option<[f64; 3]>;
    let series: [(&str, Spread); 2] = [
        (
            "median sharpness of the files (line), 25th-75th percentile (bars)",
            |b| b.sharpness,
        ),
        ("median effective share of the files", |b| b.share),
    ];
    for (panel, (caption, value)) in panels.iter().zip(series) {
        let n = b.len();
        let mut chart = ChartBuilder::on(panel)
            .caption(caption, ("sans-serif", 18))
            .margin(10)
            .x_label_area_size(35)
            .y_label_area_size(45)
            .build_cartesian_2d(-0.5..(n as f64 - 0.5), 0.0..1.05f64)
            .map_err(err)?;
        let labels = labels.clone();
        chart
            .configure_mesh()
            .x_desc(x_desc)
            .x_labels(n.min(24))
            .x_label_formatter(&move |x| {
                let i = x.round();
                if (x - i).abs() < 0.01 && i >= 0.0 {
                    labels.get(i as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .draw()
            .map_err(err)?;
        let colour = TRACES[0];
        chart
            .draw_series(b.iter().enumerate().filter_map(|(i, b)| {
                value(b).map(|[_, lo, hi]| {
                    Rectangle::new(
                        [(i as f64 - 0.2, lo), (i as f64 + 0.2, hi)],
                        colour.mix(0.3).filled(),
                    )
                })
            }))
            .map_err(err)?;
        let points: Vec<(f64, f64)> = b
            .iter()
            .enumerate()
            .filter_map(|(i, b)| value(b).map(|[m, _, _]| (i as f64, m)))
            .collect();
        chart
            .draw_series(LineSeries::new(points.clone(), colour.stroke_width(2)))
            .map_err(err)?;
        chart
            .draw_series(
                points
                    .into_iter()
                    .map(|p| Circle::new(p, 4, colour.filled())),
            )
            .map_err(err)?;
    }
    root.present().map_err(err)
}

/// Plots `trend`'s buckets into `path`.
pub fn trend(b: &[Bucket], by: By, path: &Path) -> Result<(), String> {
    render(path, |a| buckets(a, b, by), |a| buckets(a, b, by))
}

/// Median sharpness and time share of an input's frames outside and inside alarm episodes.
pub fn sharp_and_soft(a: &Analysis) -> [(f64, Option<f64>); 2] {
    let in_alarm = |f: &Frame| {
        a.episodes
            .iter()
            .any(|e| e.start <= f.time && f.time < e.end)
    };
    let mut parts: [Vec<f64>; 2] = [Vec::new(), Vec::new()];
    let mut counts = [0usize; 2];
    for f in &a.frames {
        let k = in_alarm(f) as usize;
        counts[k] += 1;
        if f.valid {
            parts[k].push(f.sharpness);
        }
    }
    let total = a.frames.len().max(1) as f64;
    [0, 1].map(|k| (counts[k] as f64 / total, median(&parts[k])))
}

/// What `plot` prints of its inputs and, with two, how the second differs.
pub fn describe(runs: &[Run]) -> String {
    let f = |v: Option<f64>| v.map_or("-".into(), |v| format!("{v:.3}"));
    let mut lines: Vec<String> = runs
        .iter()
        .map(|r| {
            let [(sharp_share, sharp), (soft_share, soft)] = sharp_and_soft(r.analysis);
            let mut l = format!(
                "{}: {:.1} s; outside alarms {:.0}% of frames, median sharpness {}",
                r.name,
                r.analysis.duration,
                100.0 * sharp_share,
                f(sharp)
            );
            if soft_share > 0.0 {
                l += &format!(
                    "; in alarms {:.0}% of frames, median sharpness {}",
                    100.0 * soft_share,
                    f(soft)
                );
            }
            l
        })
        .collect();
    if let [a, b] = runs {
        let ([(_, sa), (soft_a, _)], [(_, sb), (soft_b, _)]) =
            (sharp_and_soft(a.analysis), sharp_and_soft(b.analysis));
        let change = match (sa, sb) {
            (Some(x), Some(y)) if y > 0.0 => format!("{:+.0}%", 100.0 * (x / y - 1.0)),
            _ => "-".into(),
        };
        lines.push(format!(
            "{} against {}: outside alarms median sharpness {change}; in alarms {:.0}% of frames against {:.0}%",
            a.name,
            b.name,
            100.0 * soft_a,
            100.0 * soft_b
        ));
    }
    lines.join("\n")
}
