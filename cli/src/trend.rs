//! `sharpmeter trend`: the logged files by hour of day, day or week of their creation time,
//! with the median and interquartile range of their median sharpness, effective share and
//! `detail`.

use std::path::Path;

use crate::buckets::{Bucket, By, Zone, buckets};
use crate::db::Db;

/// The table `trend` prints.
pub fn table(buckets: &[Bucket], by: By) -> String {
    let head = match by {
        By::Hour => "hour",
        By::Day => "day",
        By::Week => "week",
    };
    let f = |v: Option<[f64; 3]>, d: usize| {
        v.map_or("-".into(), |[m, lo, hi]| {
            format!("{m:.d$} ({lo:.d$}-{hi:.d$})")
        })
    };
    let mut out = format!(
        "{head:<10} {:>5}  {:<24} {:<20} {:<24} {:>7}\n",
        "files", "sharpness (p25-p75)", "eff. share (p25-p75)", "detail (p25-p75)", "alarmed"
    );
    for b in buckets {
        out += &format!(
            "{:<10} {:>5}  {:<24} {:<20} {:<24} {:>7}\n",
            b.label,
            b.files,
            f(b.sharpness, 3),
            f(b.share, 2),
            f(b.detail, 3),
            b.alarmed
        );
    }
    out
}

/// Runs `trend`.
pub fn run(db: &Path, by: By, utc: bool, plot: Option<&Path>) -> Result<i32, String> {
    let records = Db::open_read_only(db)?.records(None, None)?;
    let zone = Zone::new(utc);
    let b = buckets(&records, by, zone);
    if b.is_empty() {
        return Err(format!(
            "{}: no checked file with a creation time",
            db.display()
        ));
    }
    print!("{}", table(&b, by));
    println!("{} files; times in {}", records.len(), zone.describe());
    if let Some(p) = plot {
        crate::plot::trend(&b, by, p)?;
        println!("plot: {}", p.display());
    }
    Ok(0)
}
