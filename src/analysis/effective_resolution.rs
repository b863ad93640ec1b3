//! Effective resolution: the share of the nominal size that a line spectrum's detail
//! corresponds to.
//!
//! The power spectrum is whitened (times k^2, so natural 1/f^2 content is flat), smoothed
//! over 3 bins and taken in dB. A trend is fitted on the low band (bins 3..=12) and half its
//! slope kept; the detail edge is the first bin from 8 up where the curve falls more than
//! [`DROP_DB`] below that trend, or to within [`FLOOR_MARGIN_DB`] of the floor (the median of
//! the top quarter, where compression noise and aliases sit) while at least
//! [`LEAST_DROP_DB`] below the trend. A spectrum that never falls
//! [`MIN_DEPTH_DB`] below its low band to that floor has detail up to Nyquist. The edge,
//! as a share of Nyquist, times [`CALIBRATION`] is the estimate.

use super::line_spectrum::NYQUIST;

/// Fall below the low-band trend that ends the detail, dB.
pub const DROP_DB: f64 = 11.0;
/// Detail must stand this far above the floor, dB.
pub const FLOOR_MARGIN_DB: f64 = 1.0;
/// Least fall below the trend that can end the detail, dB: a gentle slope is not a cut-off.
pub const LEAST_DROP_DB: f64 = 6.0;
/// Least fall from low band to floor for any cut-off to be read, dB.
pub const MIN_DEPTH_DB: f64 = 4.0;
/// Edge bin to effective share: a classic down-up by `f` reads `1 / f`.
pub const CALIBRATION: f64 = 0.85;
/// Share of the fitted low-band slope carried to high frequencies.
const SLOPE_SHARE: f64 = 0.5;
/// Low band the trend is fitted on, in bins.
const LOW_BAND: std::ops::RangeInclusive<usize> = 3..=12;
/// Reference bin of the trend's level.
const REFERENCE_BIN: usize = 8;

/// Whitened power in dB per bin, smoothed over 3 bins; bin 0 is 0.
fn whitened_db(power: &[f64]) -> Vec<f64> {
    let n = power.len();
    let white: Vec<f64> = power
        .iter()
        .enumerate()
        .map(|(k, p)| p * (k * k) as f64)
        .collect();
    (0..n)
        .map(|k| {
            if k == 0 {
                return 0.0;
            }
            let (a, b) = (k.saturating_sub(1).max(1), (k + 1).min(n - 1));
            let mean = white[a..=b].iter().sum::<f64>() / (b - a + 1) as f64;
            10.0 * (mean + 1e-12).log10()
        })
        .collect()
}

/// Share of the nominal size (0..1] that the detail of `power` (bins `0..=NYQUIST` of
/// [`super::line_spectrum`]) corresponds to; None when the spectrum carries no energy.
pub fn effective_share(power: &[f64]) -> Option<f64> {
    if power.len() != NYQUIST + 1 || power[1..].iter().sum::<f64>() <= 0.0 {
        return None;
    }
    let curve = whitened_db(power);
    let n = NYQUIST;
    // Least squares of the curve on log2(bin) over the low band.
    let (mut sx, mut sy, mut sxx, mut sxy) = (0.0, 0.0, 0.0, 0.0);
    for k in LOW_BAND {
        let x = (k as f64).log2();
        sx += x;
        sy += curve[k];
        sxx += x * x;
        sxy += x * curve[k];
    }
    let m = LOW_BAND.count() as f64;
    let slope = (m * sxy - sx * sy) / (m * sxx - sx * sx) * SLOPE_SHARE;
    let intercept = (sy - slope * sx) / m;
    let trend = |k: usize| intercept + slope * (k as f64).log2();
    let mut top = curve[n * 3 / 4..=n].to_vec();
    top.sort_by(f64::total_cmp);
    let floor = top[top.len() / 2];
    if trend(REFERENCE_BIN) - floor < MIN_DEPTH_DB {
        return Some(1.0);
    }
    let threshold = |k: usize| {
        (trend(k) - DROP_DB)
            .max(floor + FLOOR_MARGIN_DB)
            .min(trend(k) - LEAST_DROP_DB)
    };
    let Some(k) = (REFERENCE_BIN..=n).find(|&k| curve[k] < threshold(k)) else {
        return Some(1.0);
    };
    // Linear crossing between the last bin above the threshold and the first below.
    let (last, t) = (k - 1, threshold(k - 1));
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
    fn an_empty_spectrum_has_no_estimate() {
        assert_eq!(effective_share(&[0.0; NYQUIST + 1]), None);
        assert_eq!(effective_share(&[1.0; 3]), None);
    }
}
