//! `sharpmeter compare A B`: two sets of files (folders, globs, or `db:FROM..TO` selections
//! of the database by creation time), their median sharpness, the change with a bootstrap
//! interval, and a Mann-Whitney U test over the files' median sharpness.

use chrono::{FixedOffset, NaiveDate, NaiveDateTime, TimeZone};

use crate::check::{CheckOptions, Outcome, check_all, progress_bar};
use crate::db::Db;
use crate::inputs::expand;
use crate::record::Record;
use crate::stats::{mann_whitney, median, median_change_interval};

/// Below this p-value `compare` calls two sets different.
pub const ALPHA: f64 = 0.05;

/// A time as `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM` in `zone`, Unix seconds.
fn parse_time(s: &str, zone: FixedOffset) -> Result<i64, String> {
    let naive = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M")
        .or_else(|_| {
            NaiveDate::parse_from_str(s, "%Y-%m-%d").map(|d| d.and_time(Default::default()))
        })
        .map_err(|_| format!("{s:?}: not a time (YYYY-MM-DD or YYYY-MM-DDTHH:MM)"))?;
    zone.from_local_datetime(&naive)
        .single()
        .map(|t| t.timestamp())
        .ok_or_else(|| format!("{s:?}: not a time in {zone}"))
}

/// `FROM..TO` (either may be empty) as a half-open range of Unix seconds.
pub fn parse_range(s: &str, zone: FixedOffset) -> Result<(Option<i64>, Option<i64>), String> {
    let (from, to) = s
        .split_once("..")
        .ok_or_else(|| format!("{s:?}: a selection is FROM..TO"))?;
    let t = |x: &str| (!x.is_empty()).then(|| parse_time(x, zone)).transpose();
    Ok((t(from)?, t(to)?))
}

/// The records of one side.
fn side(
    arg: &str,
    o: &CheckOptions,
    db: Option<&Db>,
    zone: FixedOffset,
) -> Result<Vec<Record>, String> {
    if let Some(range) = arg.strip_prefix("db:") {
        let db = db.ok_or("a db: selection needs --db")?;
        let (from, to) = parse_range(range, zone)?;
        return db.records(from, to);
    }
    let inputs = expand(&[arg.to_string()]);
    let bar = progress_bar(inputs.len());
    let batch = check_all(&inputs, o, db, &bar, &|line| eprintln!("{line}"));
    Ok(batch
        .outcomes
        .into_iter()
        .filter_map(|o| match o {
            Outcome::Checked { record, .. } => Some(*record),
            Outcome::Failed { .. } => None,
        })
        .collect())
}

/// The sentence that says how `b` differs from `a`.
pub fn verdict(a_name: &str, b_name: &str, a: &[f64], b: &[f64]) -> String {
    let counts = format!("{} vs {} files", a.len(), b.len());
    let (Some(ma), Some(mb), Some(p)) = (median(a), median(b), mann_whitney(a, b)) else {
        return format!(
            "cannot compare {a_name} and {b_name}: a set has no judged file ({counts})"
        );
    };
    let p_text = if p < 0.001 {
        "p < 0.001".to_string()
    } else {
        format!("p = {p:.3}")
    };
    if p >= ALPHA || ma <= 0.0 {
        return format!(
            "no difference in sharpness between {a_name} and {b_name} ({p_text}, {counts})"
        );
    }
    let change = mb / ma - 1.0;
    let interval = median_change_interval(a, b)
        .map(|(lo, hi)| {
            let (lo, hi) = if change < 0.0 { (-hi, -lo) } else { (lo, hi) };
            format!(" (95% interval {:.0}% to {:.0}%)", 100.0 * lo, 100.0 * hi)
        })
        .unwrap_or_default();
    format!(
        "{b_name} is {:.0}% {} than {a_name}{interval}, {p_text}, {counts}",
        100.0 * change.abs(),
        if change < 0.0 { "softer" } else { "sharper" }
    )
}

/// Runs `compare`.
pub fn run(a: &str, b: &str, o: &CheckOptions, utc: bool) -> Result<i32, String> {
    crate::analyse::check_properties(&o.props)?;
    let db = o.db.as_deref().map(Db::open).transpose()?;
    let zone = crate::buckets::zone(utc);
    let (ra, rb) = (
        side(a, o, db.as_ref(), zone)?,
        side(b, o, db.as_ref(), zone)?,
    );
    let values =
        |r: &[Record]| -> Vec<f64> { r.iter().filter_map(|r| r.sharpness_median).collect() };
    let shares =
        |r: &[Record]| -> Vec<f64> { r.iter().filter_map(|r| r.effective_share_median).collect() };
    let (va, vb) = (values(&ra), values(&rb));
    let f = |v: Option<f64>, d: usize| v.map_or("-".into(), |v| format!("{v:.d$}"));
    for (name, r, v) in [(a, &ra, &va), (b, &rb, &vb)] {
        println!(
            "{name}: {} files, {} judged; median sharpness {}, median effective share {}",
            r.len(),
            v.len(),
            f(median(v), 3),
            f(median(&shares(r)), 2)
        );
    }
    println!("{}", verdict(a, b, &va, &vb));
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_say_softer_or_no_difference() {
        let a: Vec<f64> = (0..20).map(|i| 0.60 + 0.002 * i as f64).collect();
        let b: Vec<f64> = a.iter().map(|x| x * 0.69).collect();
        let v = verdict("A", "B", &a, &b);
        assert!(v.starts_with("B is 31% softer than A (95% interval"), "{v}");
        assert!(v.ends_with("p < 0.001, 20 vs 20 files"), "{v}");
        let same: Vec<f64> = a.iter().rev().map(|x| x + 0.0001).collect();
        let v = verdict("A", "B", &a, &same);
        assert!(v.starts_with("no difference"), "{v}");
        assert!(verdict("A", "B", &a, &[]).starts_with("cannot compare"));
    }

    #[test]
    fn ranges_are_half_open_and_may_be_open() {
        let z = FixedOffset::east_opt(0).unwrap();
        assert_eq!(
            parse_range("2026-11-30..2026-12-01T09:00", z),
            Ok((Some(1_795_996_800), Some(1_795_996_800 + 86_400 + 9 * 3600)))
        );
        assert_eq!(parse_range("..", z), Ok((None, None)));
        assert!(parse_range("2026-11-30", z).is_err());
        assert!(parse_range("yesterday..", z).is_err());
    }
}
