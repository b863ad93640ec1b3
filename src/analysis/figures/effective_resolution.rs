//! Effective resolution: the share of the nominal size that a line spectrum's detail
//! corresponds to.
//!
//! The power spectrum is whitened (times k^2, so natural 1/f^2 content is flat), smoothed
//! over 3 bins and taken in dB. Its level is the mean over the low band (bins 3..=12) and its
//! floor the median of the top quarter, where compression noise and aliases sit. The detail
//! edge is the first bin from 8 up where the curve reaches the floor, or falls
//! [`DROP_DB`] below the level, while at least [`LEAST_DROP_DB`] below the level (a gentle
//! slope is not a cut-off). A spectrum whose floor is within [`MIN_DEPTH_DB`] of its level
//! has detail up to Nyquist. The edge, as a share of Nyquist, times [`CALIBRATION`] is the
//! estimate. The constants were chosen on the shared corpus and H.264 clips made from it.

use crate::analysis::kernels::line_spectrum::NYQUIST;

/// Fall below the low-band level that ends the detail even above the floor, dB.
pub const DROP_DB: f64 = 17.0;
/// Least fall below the low-band level that can end the detail, dB.
pub const LEAST_DROP_DB: f64 = 7.0;
/// Least fall from low band to floor for any cut-off to be read, dB.
pub const MIN_DEPTH_DB: f64 = 4.0;
/// Edge bin to effective share: a down-up by `f` (area down, cubic up) reads `1 / f`.
pub const CALIBRATION: f64 = 0.75;
/// Low band the level is taken over, in bins.
const LOW_BAND: std::ops::RangeInclusive<usize> = 3..=12;
/// First bin that can end the detail.
const FIRST_EDGE: usize = 8;

/// Whitened power in dB per bin, smoothed over 3 bins; bin 0 is 0. `power` has
/// `NYQUIST + 1` bins.
fn whitened_db(power: &[f64]) -> [f64; NYQUIST + 1] {
    const N: usize = NYQUIST + 1;
    let mut white = [0.0; N];
    for (k, (w, p)) in white.iter_mut().zip(power).enumerate() {
        *w = p * (k * k) as f64;
    }
    let mut out = [0.0; N];
    for (k, o) in out.iter_mut().enumerate().skip(1) {
        let (a, b) = (k.saturating_sub(1).max(1), (k + 1).min(N - 1));
        let mean = white[a..=b].iter().sum::<f64>() / (b - a + 1) as f64;
        *o = 10.0 * (mean + 1e-12).log10();
    }
    out
}

/// Mean of the low band and median of the top quarter of a whitened curve, dB.
fn level_and_floor(curve: &[f64]) -> (f64, f64) {
    let level = curve[LOW_BAND].iter().sum::<f64>() / LOW_BAND.count() as f64;
    let mut top = [0.0; NYQUIST / 4 + 1];
    top.copy_from_slice(&curve[NYQUIST * 3 / 4..=NYQUIST]);
    top.sort_unstable_by(f64::total_cmp);
    (level, top[top.len() / 2])
}

/// Fall from the low-band level to the floor of `power`'s whitened curve, dB, the depth
/// that [`effective_share`] compares with [`MIN_DEPTH_DB`]; None when the spectrum carries
/// no energy.
pub fn depth_db(power: &[f64]) -> Option<f64> {
    if power.len() != NYQUIST + 1 || power[1..].iter().sum::<f64>() <= 0.0 {
        return None;
    }
    let (level, floor) = level_and_floor(&whitened_db(power));
    Some(level - floor)
}

/// Share of the nominal size (0..1] that the detail of `power` (bins `0..=NYQUIST` of
/// [`crate::analysis::kernels::line_spectrum`]) corresponds to; None when the spectrum carries no energy.
pub fn effective_share(power: &[f64]) -> Option<f64> {
    if power.len() != NYQUIST + 1 || power[1..].iter().sum::<f64>() <= 0.0 {
        return None;
    }
    let curve = whitened_db(power);
    let n = NYQUIST;
    let (level, floor) = level_and_floor(&curve);
    if level - floor < MIN_DEPTH_DB {
        return Some(1.0);
    }
    let t = (level - DROP_DB).max(floor).min(level - LEAST_DROP_DB);
    let Some(k) = (FIRST_EDGE..=n).find(|&k| curve[k] < t) else {
        return Some(1.0);
    };
    // Linear crossing between the last bin above the threshold and the first below.
    let last = k - 1;
    let (a, b) = (curve[last], curve[k]);
    let edge = last as f64 + ((a - t) / (a - b).max(1e-9)).clamp(0.0, 1.0);
    Some((edge / n as f64 * CALIBRATION).min(1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Power of content with a 1/f^2 spectrum up to bin `cut`, then a floor `floor_db`
    /// below it.
    fn cut_spectrum(cut: usize, floor_db: f64) -> Vec<f64> {
        (0..=NYQUIST)
            .map(|k| {
                let k2 = (k.max(1) * k.max(1)) as f64;
                if k <= cut {
                    1.0 / k2
                } else {
                    10f64.powf(floor_db / 10.0) / k2
                }
            })
            .collect()
    }

    #[test]
    fn flat_whitened_spectrum_is_full_resolution() {
        assert_eq!(effective_share(&cut_spectrum(NYQUIST, -30.0)), Some(1.0));
    }

    #[test]
    fn a_cut_off_reads_in_proportion() {
        let half = effective_share(&cut_spectrum(NYQUIST / 2, -25.0)).unwrap();
        let quarter = effective_share(&cut_spectrum(NYQUIST / 4, -25.0)).unwrap();
        assert!((half - 0.5 * CALIBRATION).abs() < 0.03, "{half}");
        assert!((quarter - 0.25 * CALIBRATION).abs() < 0.03, "{quarter}");
    }

    #[test]
    fn a_shallow_fall_is_not_a_cut_off() {
        assert_eq!(effective_share(&cut_spectrum(NYQUIST / 2, -3.0)), Some(1.0));
    }

    #[test]
    fn depth_is_the_fall_to_the_floor() {
        let depth = depth_db(&cut_spectrum(NYQUIST / 2, -25.0)).unwrap();
        assert!((depth - 25.0).abs() < 0.5, "{depth}");
        assert!(depth_db(&cut_spectrum(NYQUIST, -25.0)).unwrap().abs() < 0.5);
        assert_eq!(depth_db(&[0.0; NYQUIST + 1]), None);
    }

    #[test]
    fn an_empty_spectrum_has_no_estimate() {
        assert_eq!(effective_share(&[0.0; NYQUIST + 1]), None);
        assert_eq!(effective_share(&[1.0; 3]), None);
    }
}
