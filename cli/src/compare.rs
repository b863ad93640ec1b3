//! `sharpmeter compare A B`: two sets of files (folders, globs, or `db:FROM..TO` selections
//! of the database by creation time), their median sharpness and `detail`, the change of each
//! with a bootstrap interval and a Mann-Whitney U test over the files' medians, and a Fisher
//! exact test of their alarm rates. Exit status: 0 B is not worse, 1 B is significantly softer,
//! has significantly less detail or raises alarms significantly more often, 2 the sets cannot
//! be compared.

use chrono::{NaiveDate, NaiveDateTime};

use crate::buckets::Zone;

use crate::check::{CheckOptions, Outcome, check_all, progress_bar};
use crate::db::Db;
use crate::inputs::expand;
use crate::record::{Record, Verdict};
use crate::stats::{fisher_exact, mann_whitney, median, median_change_interval};

/// Below this p-value `compare` calls two sets different.
pub const ALPHA: f64 = 0.05;

/// A time as `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM` in `zone`, Unix seconds.
fn parse_time(s: &str, zone: Zone) -> Result<i64, String> {
    let naive = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M")
        .or_else(|_| {
            NaiveDate::parse_from_str(s, "%Y-%m-%d").map(|d| d.and_time(Default::default()))
        })
        .map_err(|_| format!("{s:?}: not a time (YYYY-MM-DD or YYYY-MM-DDTHH:MM)"))?;
    zone.unix(&naive)
        .ok_or_else(|| format!("{s:?}: not a time in {}", zone.describe()))
}

/// `FROM..TO` (either may be empty) as a half-open range of Unix seconds.
pub fn parse_range(s: &str, zone: Zone) -> Result<(Option<i64>, Option<i64>), String> {
    let (from, to) = s
        .split_once("..")
        .ok_or_else(|| format!("{s:?}: a selection is FROM..TO"))?;
    let t = |x: &str| (!x.is_empty()).then(|| parse_time(x, zone)).transpose();
    let (from, to) = (t(from)?, t(to)?);
    if let (Some(f), Some(t)) = (from, to)
        && f >= t
    {
        return Err(format!("{s:?}: FROM is not before TO"));
    }
    Ok((from, to))
}

/// The records of one side.
fn side(arg: &str, o: &CheckOptions, db: Option<&Db>, zone: Zone) -> Result<Vec<Record>, String> {
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

/// How B compares with A.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finding {
    /// No significant difference, or B is better.
    NotWorse,
    /// B is significantly lower (softer, less detail).
    Worse,
    /// A set has no judged file.
    Cannot,
}

/// A per-file figure `compare` tests: its name, and how B reads against A when its median is
/// lower and when higher.
#[derive(Debug, Clone, Copy)]
pub struct Figure {
    pub name: &'static str,
    pub lower: (&'static str, &'static str),
    pub higher: (&'static str, &'static str),
}

/// Files' median sharpness: "B is 31% softer than A".
pub const SHARPNESS: Figure = Figure {
    name: "sharpness",
    lower: ("is", "softer than"),
    higher: ("is", "sharper than"),
};

/// Files' median `detail`: "B has 31% less detail than A".
pub const DETAIL: Figure = Figure {
    name: "detail",
    lower: ("has", "less detail than"),
    higher: ("has", "more detail than"),
};

/// The sentence that says how `b` differs from `a` in `figure`, and what it found.
pub fn verdict(
    figure: Figure,
    a_name: &str,
    b_name: &str,
    a: &[f64],
    b: &[f64],
) -> (String, Finding) {
    let counts = format!("{} vs {} files", a.len(), b.len());
    let (Some(ma), Some(mb), Some(p)) = (median(a), median(b), mann_whitney(a, b)) else {
        return (
            format!(
                "cannot compare the {} of {a_name} and {b_name}: a set has no judged file ({counts})",
                figure.name
            ),
            Finding::Cannot,
        );
    };
    let p_text = if p < 0.001 {
        "p < 0.001".to_string()
    } else {
        format!("p = {p:.3}")
    };
    if p >= ALPHA || ma <= 0.0 {
        return (
            format!(
                "no difference in {} between {a_name} and {b_name} ({p_text}, {counts})",
                figure.name
            ),
            Finding::NotWorse,
        );
    }
    let change = mb / ma - 1.0;
    let interval = median_change_interval(a, b)
        .map(|(lo, hi)| {
            let (lo, hi) = if change < 0.0 { (-hi, -lo) } else { (lo, hi) };
            format!(" (95% interval {:.0}% to {:.0}%)", 100.0 * lo, 100.0 * hi)
        })
        .unwrap_or_default();
    let (verb, words) = if change < 0.0 {
        figure.lower
    } else {
        figure.higher
    };
    let text = format!(
        "{b_name} {verb} {:.0}% {words} {a_name}{interval}, {p_text}, {counts}",
        100.0 * change.abs(),
    );
    let finding = if change < 0.0 {
        Finding::Worse
    } else {
        Finding::NotWorse
    };
    (text, finding)
}

/// The sentence on the alarm rates (files with an alarm) of both sets, and whether B's is
/// significantly higher.
pub fn alarm_rates(a: &[Record], b: &[Record]) -> (String, bool) {
    let alarmed = |r: &[Record]| r.iter().filter(|r| r.verdict == Verdict::Alarm).count() as u64;
    let (ka, kb) = (alarmed(a), alarmed(b));
    let (na, nb) = (a.len() as u64, b.len() as u64);
    let Some(p) = fisher_exact(ka, na, kb, nb) else {
        return ("alarm rates: a set has no file".into(), false);
    };
    let p_text = if p < 0.001 {
        "p < 0.001".to_string()
    } else {
        format!("p = {p:.3}")
    };
    let higher = kb * na > ka * nb;
    (
        format!("alarm rates: {ka} of {na} files vs {kb} of {nb} (Fisher exact test, {p_text})"),
        higher && p < ALPHA,
    )
}

/// Runs `compare`; the exit status.
pub fn run(a: &str, b: &str, o: &CheckOptions, utc: bool) -> Result<i32, String> {
    crate::analyse::check_properties(&o.analysis.props)?;
    let selections = [a, b].iter().filter(|s| s.starts_with("db:")).count();
    let db = match o.db.as_deref() {
        // Nothing to log: the database is only read.
        Some(p) if selections == 2 => Some(Db::open_read_only(p)?),
        Some(p) if selections == 1 && !p.is_file() => {
            return Err(format!("{}: no such database", p.display()));
        }
        Some(p) => Some(Db::open(p, o.db_wait)?),
        None => None,
    };
    let zone = Zone::new(utc);
    let (ra, rb) = (
        side(a, o, db.as_ref(), zone)?,
        side(b, o, db.as_ref(), zone)?,
    );
    let values =
        |r: &[Record]| -> Vec<f64> { r.iter().filter_map(|r| r.sharpness_median).collect() };
    let shares =
        |r: &[Record]| -> Vec<f64> { r.iter().filter_map(|r| r.effective_share_median).collect() };
    let details = |r: &[Record]| -> Vec<f64> { r.iter().filter_map(|r| r.detail_median).collect() };
    let (va, vb) = (values(&ra), values(&rb));
    let (da, db_) = (details(&ra), details(&rb));
    let f = |v: Option<f64>, d: usize| v.map_or("-".into(), |v| format!("{v:.d$}"));
    for (name, r, v, d) in [(a, &ra, &va, &da), (b, &rb, &vb, &db_)] {
        println!(
            "{name}: {} files, {} judged; median sharpness {}, median effective share {}, median detail {}",
            r.len(),
            v.len(),
            f(median(v), 3),
            f(median(&shares(r)), 2),
            f(median(d), 3)
        );
    }
    let (rates, more_alarms) = alarm_rates(&ra, &rb);
    println!("{rates}");
    // Detail is judged only when both sets have it (databases from before it have none).
    let detail = (!da.is_empty() && !db_.is_empty()).then(|| verdict(DETAIL, a, b, &da, &db_));
    if let Some((text, _)) = &detail {
        println!("{text}");
    }
    let (text, finding) = verdict(SHARPNESS, a, b, &va, &vb);
    println!("{text}");
    let less_detail = detail.is_some_and(|(_, f)| f == Finding::Worse);
    Ok(match finding {
        Finding::Cannot => 2,
        Finding::Worse => 1,
        Finding::NotWorse if more_alarms || less_detail => 1,
        Finding::NotWorse => 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_say_softer_or_no_difference() {
        let a: Vec<f64> = (0..20).map(|i| 0.60 + 0.002 * i as f64).collect();
        let b: Vec<f64> = a.iter().map(|x| x * 0.69).collect();
        let (v, f) = verdict(SHARPNESS, "A", "B", &a, &b);
        assert!(v.starts_with("B is 31% softer than A (95% interval"), "{v}");
        assert!(v.ends_with("p < 0.001, 20 vs 20 files"), "{v}");
        assert_eq!(f, Finding::Worse);
        let (v, f) = verdict(SHARPNESS, "B", "A", &b, &a);
        assert!(v.starts_with("A is 45% sharper than B"), "{v}");
        assert_eq!(f, Finding::NotWorse, "sharper");
        let (v, f) = verdict(DETAIL, "A", "B", &a, &b);
        assert!(
            v.starts_with("B has 31% less detail than A (95% interval"),
            "{v}"
        );
        assert_eq!(f, Finding::Worse);
        let same: Vec<f64> = a.iter().rev().map(|x| x + 0.0001).collect();
        let (v, f) = verdict(SHARPNESS, "A", "B", &a, &same);
        assert!(v.starts_with("no difference in sharpness"), "{v}");
        assert_eq!(f, Finding::NotWorse);
        let (v, f) = verdict(DETAIL, "A", "B", &a, &same);
        assert!(v.starts_with("no difference in detail"), "{v}");
        assert_eq!(f, Finding::NotWorse);
        let (v, f) = verdict(SHARPNESS, "A", "B", &a, &[]);
        assert!(v.starts_with("cannot compare the sharpness"));
        assert_eq!(f, Finding::Cannot);
    }

    #[test]
    fn ranges_are_half_open_and_may_be_open() {
        let z = Zone::UTC;
        assert_eq!(
            parse_range("2026-11-30..2026-12-01T09:00", z),
            Ok((Some(1_795_996_800), Some(1_795_996_800 + 86_400 + 9 * 3600)))
        );
        assert_eq!(parse_range("..", z), Ok((None, None)));
        assert!(parse_range("2026-11-30", z).is_err());
        assert!(parse_range("yesterday..", z).is_err());
        let reversed = parse_range("2026-12-01..2026-11-30", z).unwrap_err();
        assert!(reversed.contains("FROM is not before TO"), "{reversed}");
    }
}
