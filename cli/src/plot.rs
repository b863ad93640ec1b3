//! Plots (SVG or PNG, chosen by the file name): `sharpmeter plot`'s per-frame figures with
//! the threshold and alarm episodes, and `sharpmeter trend`'s buckets. PNG text uses DejaVu
//! Sans from Debian's fonts-dejavu-core.

use std::path::Path;

use gstsharpmeter::messages::AlarmReason;
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::analyse::{Analysis, Frame};
use crate::buckets::{Bucket, By};
use crate::record::REASONS;
use crate::stats::median;

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
        AlarmReason::Detail => RGBColor(140, 86, 75),
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

/// Where each alarm reason of input `i` of `n` is shaded: input bands from the top, each split
/// in one strip per reason, in [`REASONS`] order.
fn strip(i: usize, n: usize, reason: AlarmReason) -> (f64, f64) {
    let band = 1.05 / n.max(1) as f64;
    let k = REASONS.iter().position(|r| *r == reason).unwrap_or(0) as f64;
    let top = 1.05 - i as f64 * band - k * band / REASONS.len() as f64;
    (top - band / REASONS.len() as f64, top)
}

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
    let (plots, legend) = root.split_horizontally(760);
    let panels = plots.split_evenly((2, 1));
    let series: [(&str, Figure, bool); 2] = [
        ("sharpness", |f| f.valid.then_some(f.sharpness), true),
        (
            "effective share of the frame (worse axis)",
            |f| f.share,
            false,
        ),
    ];
    let threshold = runs.first().map(|r| r.analysis.threshold);
    for (panel, (label, value, with_threshold)) in panels.iter().zip(series) {
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
        for (i, run) in runs.iter().enumerate() {
            chart
                .draw_series(run.analysis.episodes.iter().map(|e| {
                    let (bottom, top) = strip(i, runs.len(), e.reason);
                    let shade = reason_colour(e.reason).mix(0.25);
                    Rectangle::new([(e.start, bottom), (e.end, top)], shade.filled())
                }))
                .map_err(err)?;
        }
        if let (true, Some(t)) = (with_threshold, threshold) {
            chart
                .draw_series(DashedLineSeries::new(
                    [(0.0, t), (end, t)],
                    8,
                    5,
                    THRESHOLD.stroke_width(2),
                ))
                .map_err(err)?;
        }
        // The first input thick, the second thin on top, so both show where they overlap.
        for (i, run) in runs.iter().enumerate() {
            let points: Vec<(f64, f64)> = run
                .analysis
                .frames
                .iter()
                .filter_map(|f| value(f).map(|v| (f.time, v.min(1.05))))
                .collect();
            chart
                .draw_series(LineSeries::new(
                    points,
                    TRACES[i % 2].stroke_width(trace_width(i, runs.len())),
                ))
                .map_err(err)?;
        }
    }
    // The legend: one entry per trace, the threshold, and each alarm reason drawn.
    let style = ("sans-serif", 14).into_font().color(&BLACK);
    let mut y = 40;
    let mut entry =
        |mark: &dyn Fn(i32) -> Result<(), String>, text: String| -> Result<(), String> {
            mark(y)?;
            legend.draw_text(&text, &style, (40, y - 7)).map_err(err)?;
            y += 24;
            Ok(())
        };
    // Each trace, then the alarm reasons it raised, shaded as in the plots.
    for (i, run) in runs.iter().enumerate() {
        let colour = TRACES[i % 2].stroke_width(trace_width(i, runs.len()));
        entry(
            &|y| {
                legend
                    .draw(&PathElement::new([(5, y), (32, y)], colour))
                    .map_err(err)
            },
            run.name.clone(),
        )?;
        let half = match (runs.len(), i) {
            (1, _) => "",
            (_, 0) => ", upper half",
            _ => ", lower half",
        };
        for reason in REASONS {
            if !run.analysis.episodes.iter().any(|e| e.reason == reason) {
                continue;
            }
            let shade = reason_colour(reason).mix(0.25);
            entry(
                &|y| {
                    legend
                        .draw(&Rectangle::new([(15, y - 6), (32, y + 6)], shade.filled()))
                        .map_err(err)
                },
                format!("{} alarm{half}", reason.as_str()),
            )?;
        }
    }
    if let Some(t) = threshold {
        entry(
            &|y| {
                legend
                    .draw(&PathElement::new(
                        [(5, y), (12, y)],
                        THRESHOLD.stroke_width(2),
                    ))
                    .and_then(|_| {
                        legend.draw(&PathElement::new(
                            [(18, y), (25, y)],
                            THRESHOLD.stroke_width(2),
                        ))
                    })
                    .map_err(err)
            },
            format!("threshold {t:.2}"),
        )?;
    }
    root.present().map_err(err)
}

/// Line width of trace `i` of `n`: the first of two is drawn wide under the second.
fn trace_width(i: usize, n: usize) -> u32 {
    if i == 0 && n > 1 { 4 } else { 2 }
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
    // Hours sit at their hour of the day (0-23), so empty hours show; days and weeks follow
    // one another.
    let xs: Vec<f64> = match by {
        By::Hour => b.iter().map(|b| b.label.parse().unwrap_or(0.0)).collect(),
        By::Day | By::Week => (0..b.len()).map(|i| i as f64).collect(),
    };
    let (x_range, ticks) = match by {
        By::Hour => (-0.5..23.5, 24),
        By::Day | By::Week => (-0.5..(b.len() as f64 - 0.5), b.len().min(24)),
    };
    let labels: Vec<(f64, String)> = xs
        .iter()
        .copied()
        .zip(b.iter().map(|b| b.label.clone()))
        .collect();
    let x_desc = match by {
        By::Hour => "hour of day",
        By::Day => "day",
        By::Week => "week",
    };
    let panels = root.split_evenly((2, 1));
    type Spread = fn(&Bucket) -> Option<[f64; 3]>;
    let series: [(&str, Spread); 2] = [
        (
            "median sharpness of the files (dots), 25th-75th percentile (bars)",
            |b| b.sharpness,
        ),
        (
            "median effective share of the files (dots), 25th-75th percentile (bars)",
            |b| b.share,
        ),
    ];
    for (panel, (caption, value)) in panels.iter().zip(series) {
        let mut chart = ChartBuilder::on(panel)
            .caption(caption, ("sans-serif", 18))
            .margin(10)
            .x_label_area_size(35)
            .y_label_area_size(45)
            .build_cartesian_2d(x_range.clone(), 0.0..1.05f64)
            .map_err(err)?;
        let labels = labels.clone();
        chart
            .configure_mesh()
            .x_desc(x_desc)
            .x_labels(ticks)
            .x_label_formatter(&move |x| {
                let i = x.round();
                if (x - i).abs() > 0.01 {
                    return String::new();
                }
                match by {
                    By::Hour => format!("{i:02}"),
                    By::Day | By::Week => labels
                        .iter()
                        .find(|(p, _)| *p == i)
                        .map(|(_, l)| l.clone())
                        .unwrap_or_default(),
                }
            })
            .draw()
            .map_err(err)?;
        let colour = TRACES[0];
        let points: Vec<(f64, [f64; 3])> = xs
            .iter()
            .zip(b)
            .filter_map(|(&x, b)| value(b).map(|v| (x, v)))
            .collect();
        chart
            .draw_series(points.iter().map(|&(x, [_, lo, hi])| {
                Rectangle::new([(x - 0.2, lo), (x + 0.2, hi)], colour.mix(0.3).filled())
            }))
            .map_err(err)?;
        // Lines join neighbouring buckets only.
        chart
            .draw_series(
                points
                    .windows(2)
                    .filter(|w| w[1].0 - w[0].0 == 1.0)
                    .map(|w| {
                        PathElement::new(
                            [(w[0].0, w[0].1[0]), (w[1].0, w[1].1[0])],
                            colour.stroke_width(2),
                        )
                    }),
            )
            .map_err(err)?;
        chart
            .draw_series(
                points
                    .iter()
                    .map(|&(x, [m, _, _])| Circle::new((x, m), 4, colour.filled())),
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
        let ([(_, sa), (soft_a, fa)], [(_, sb), (soft_b, fb)]) =
            (sharp_and_soft(a.analysis), sharp_and_soft(b.analysis));
        lines.push(format!(
            "{} against {}: in alarms {:.0}% of frames against {:.0}%; median sharpness outside alarms {} against {}, in alarms {} against {}",
            a.name,
            b.name,
            100.0 * soft_a,
            100.0 * soft_b,
            f(sa),
            f(sb),
            f(fa),
            f(fb)
        ));
    }
    lines.join("\n")
}
