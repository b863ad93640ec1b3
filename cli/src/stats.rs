//! Medians, quantiles and the two-sample tests `compare` reports.

use statrs::distribution::{ContinuousCDF, Discrete, Hypergeometric, Normal};

/// Value at `q` (0..1) of `v` by linear interpolation; None when empty.
pub fn quantile(v: &[f64], q: f64) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let x = q.clamp(0.0, 1.0) * (s.len() - 1) as f64;
    let (i, f) = (x.floor() as usize, x.fract());
    Some(if i + 1 < s.len() {
        s[i] * (1.0 - f) + s[i + 1] * f
    } else {
        s[i]
    })
}

pub fn median(v: &[f64]) -> Option<f64> {
    quantile(v, 0.5)
}

/// Two-sided Mann-Whitney U test (normal approximation with tie and continuity
/// corrections): the p-value that `a` and `b` come from one distribution.
pub fn mann_whitney(a: &[f64], b: &[f64]) -> Option<f64> {
    let (n1, n2) = (a.len() as f64, b.len() as f64);
    if a.is_empty() || b.is_empty() {
        return None;
    }
    let mut all: Vec<(f64, bool)> = a
        .iter()
        .map(|&x| (x, true))
        .chain(b.iter().map(|&x| (x, false)))
        .collect();
    all.sort_by(|x, y| x.0.total_cmp(&y.0));
    let (mut rank_a, mut ties) = (0.0, 0.0);
    let mut i = 0;
    while i < all.len() {
        let mut j = i;
        while j + 1 < all.len() && all[j + 1].0 == all[i].0 {
            j += 1;
        }
        let rank = (i + j) as f64 / 2.0 + 1.0;
        let t = (j - i + 1) as f64;
        ties += t * t * t - t;
        rank_a += rank * all[i..=j].iter().filter(|x| x.1).count() as f64;
        i = j + 1;
    }
    let u = rank_a - n1 * (n1 + 1.0) / 2.0;
    let n = n1 + n2;
    let variance = n1 * n2 / 12.0 * ((n + 1.0) - ties / (n * (n - 1.0)));
    if variance <= 0.0 {
        return Some(1.0);
    }
    let z = ((u - n1 * n2 / 2.0).abs() - 0.5).max(0.0) / variance.sqrt();
    let normal = Normal::new(0.0, 1.0).ok()?;
    Some((2.0 * (1.0 - normal.cdf(z))).min(1.0))
}

/// 95% percentile-bootstrap interval of `median(b) / median(a) - 1` (2000 resamples, a
/// fixed seed, so a run repeats).
pub fn median_change_interval(a: &[f64], b: &[f64]) -> Option<(f64, f64)> {
    if a.is_empty() || b.is_empty() {
        return None;
    }
    let mut rng = fastrand::Rng::with_seed(0x5eed);
    let mut resample =
        |v: &[f64]| -> Vec<f64> { (0..v.len()).map(|_| v[rng.usize(..v.len())]).collect() };
    let mut changes: Vec<f64> = (0..2000)
        .filter_map(|_| {
            let (ma, mb) = (median(&resample(a))?, median(&resample(b))?);
            (ma > 0.0).then(|| mb / ma - 1.0)
        })
        .collect();
    changes.sort_by(f64::total_cmp);
    Some((quantile(&changes, 0.025)?, quantile(&changes, 0.975)?))
}

/// Two-sided Fisher exact test of a 2x2 table: `a` of `n_a` against `b` of `n_b`. The
/// p-value sums the probabilities of every table with the same margins that is at most as
/// likely as this one; None when a set is empty.
pub fn fisher_exact(a: u64, n_a: u64, b: u64, n_b: u64) -> Option<f64> {
    if n_a == 0 || n_b == 0 || a > n_a || b > n_b {
        return None;
    }
    let dist = Hypergeometric::new(n_a + n_b, a + b, n_a).ok()?;
    let lo = (a + b).saturating_sub(n_b);
    let hi = (a + b).min(n_a);
    let seen = dist.pmf(a);
    // The relative tolerance R's fisher.test uses, so equal probabilities count as equal.
    let p: f64 = (lo..=hi)
        .map(|k| dist.pmf(k))
        .filter(|&q| q <= seen * (1.0 + 1e-7))
        .sum();
    Some(p.min(1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_interpolate() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[1.0, 2.0, 3.0, 4.0]), Some(2.5));
        assert_eq!(quantile(&[0.0, 10.0], 0.1), Some(1.0));
        assert_eq!(median(&[]), None);
    }

    #[test]
    fn mann_whitney_matches_scipy() {
        // scipy.stats.mannwhitneyu(a, b, alternative='two-sided', method='asymptotic')
        let a = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0];
        let b = [5.5, 6.5, 7.5, 8.5, 9.5, 10.5, 11.5, 12.5];
        let p = mann_whitney(&a, &b).unwrap();
        assert!((p - 0.007_405_533).abs() < 1e-8, "{p}");
        let same = mann_whitney(&a, &a).unwrap();
        assert!(same > 0.9, "{same}");
        assert_eq!(mann_whitney(&[1.0; 4], &[1.0; 4]), Some(1.0));
    }

    #[test]
    fn the_interval_holds_the_change() {
        let a: Vec<f64> = (0..40).map(|i| 0.6 + 0.001 * i as f64).collect();
        let b: Vec<f64> = a.iter().map(|x| x * 0.7).collect();
        let (lo, hi) = median_change_interval(&a, &b).unwrap();
        assert!(
            lo <= -0.3 + 1e-9 && -0.3 - 1e-9 <= hi && hi - lo < 0.05,
            "{lo} {hi}"
        );
    }

    #[test]
    fn fisher_exact_matches_the_textbook_table() {
        // Wikipedia's example: 1 of 12 men and 9 of 12 women studying; R gives 0.002759.
        let p = fisher_exact(1, 12, 9, 12).unwrap();
        assert!((p - 0.002759).abs() < 1e-6, "{p}");
        assert_eq!(fisher_exact(3, 10, 3, 10), Some(1.0));
        assert_eq!(fisher_exact(0, 0, 1, 2), None);
    }
}
