//! A stream's own sharpness level: the weighted median of the sharpness of the frames it has
//! learned. Each frame weighs its duration, and older frames fade with a half-life of
//! [`HALF_LIFE`], so the level follows slow changes. The caller decides which frames are
//! learned (valid frames outside drop episodes); the baseline counts as established once it
//! has learned a given duration of frames.

/// Histogram bins over the sharpness range 0..1.
pub const BINS: usize = 1000;
/// ns after which a learned frame weighs half as much.
pub const HALF_LIFE: u64 = 600_000_000_000;
/// Weights are renormalised when their sum passes this, and below its inverse.
const RESCALE: f64 = 1e100;

/// Weighted histogram of learned sharpness.
#[derive(Debug, Clone)]
pub struct Baseline {
    weights: Vec<f64>,
    total: f64,
    /// ns of frames learned, without fading.
    learned: u64,
    /// Frames learned.
    frames: u64,
    /// Clock of the last learned frame.
    last: Option<u64>,
    /// ns after which a learned frame weighs half as much.
    half_life: u64,
}

impl Default for Baseline {
    fn default() -> Self {
        Baseline {
            weights: vec![0.0; BINS],
            total: 0.0,
            learned: 0,
            frames: 0,
            last: None,
            half_life: HALF_LIFE,
        }
    }
}

fn bin(value: f64) -> usize {
    ((value.clamp(0.0, 1.0) * BINS as f64) as usize).min(BINS - 1)
}

impl Baseline {
    /// An empty baseline whose learned frames fade with `half_life` ns instead of
    /// [`HALF_LIFE`].
    pub fn with_half_life(half_life: u64) -> Self {
        Baseline {
            half_life: half_life.max(1),
            ..Default::default()
        }
    }

    /// Learns a frame of `duration` ns at `clock` with sharpness `value` (clamped to 0..1).
    /// Earlier frames fade by the time elapsed since the last learned frame.
    pub fn learn(&mut self, clock: u64, duration: u64, value: f64) {
        if !value.is_finite() {
            return;
        }
        if let Some(last) = self.last {
            let elapsed = clock.saturating_sub(last);
            if elapsed > 0 {
                let fade = 0.5f64.powf(elapsed as f64 / self.half_life as f64);
                self.scale(fade);
            }
        }
        self.last = Some(self.last.map_or(clock, |l| l.max(clock)));
        // A frame without duration still counts, as one nanosecond.
        let w = duration.max(1) as f64;
        self.weights[bin(value)] += w;
        self.total += w;
        self.learned = self.learned.saturating_add(duration);
        self.frames = self.frames.saturating_add(1);
        if self.total > RESCALE {
            self.scale(1.0 / self.total);
        }
    }

    fn scale(&mut self, factor: f64) {
        for w in &mut self.weights {
            *w *= factor;
        }
        self.total *= factor;
        if self.total > 0.0 && self.total < 1.0 / RESCALE {
            let f = 1.0 / self.total;
            for w in &mut self.weights {
                *w *= f;
            }
            self.total = 1.0;
        }
    }

    /// A baseline rebuilt from saved (quantile, sharpness) pairs: each value weighs an equal
    /// share of `learned` ns, so the median is kept; it counts as `learned` ns and `frames`
    /// frames learned.
    pub fn from_quantiles(pairs: &[(f64, f64)], learned: u64, frames: u64) -> Self {
        let mut b = Baseline::default();
        if pairs.is_empty() {
            return b;
        }
        let w = learned.max(1) as f64 / pairs.len() as f64;
        for &(_, value) in pairs {
            if value.is_finite() {
                b.weights[bin(value)] += w;
                b.total += w;
            }
        }
        b.learned = learned;
        b.frames = frames;
        b
    }

    /// ns of frames learned so far.
    pub fn learned(&self) -> u64 {
        self.learned
    }

    /// Frames learned so far.
    pub fn frames(&self) -> u64 {
        self.frames
    }

    /// Whether at least `needed` ns of frames have been learned.
    pub fn is_established(&self, needed: u64) -> bool {
        self.total > 0.0 && self.learned >= needed
    }

    /// The weighted `q`-quantile (0..1) of learned sharpness, interpolated within its bin;
    /// None before any frame.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        if self.total <= 0.0 {
            return None;
        }
        let target = q.clamp(0.0, 1.0) * self.total;
        let mut below = 0.0;
        for (i, &w) in self.weights.iter().enumerate() {
            if w > 0.0 && below + w >= target {
                let within = ((target - below) / w).clamp(0.0, 1.0);
                return Some((i as f64 + within) / BINS as f64);
            }
            below += w;
        }
        let last = self.weights.iter().rposition(|&w| w > 0.0)?;
        Some((last + 1) as f64 / BINS as f64)
    }

    /// The baseline level: the weighted median.
    pub fn level(&self) -> Option<f64> {
        self.quantile(0.5)
    }

    /// Forgets everything learned.
    pub fn clear(&mut self) {
        *self = Baseline::with_half_life(self.half_life);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FRAME: u64 = 40_000_000;

    fn feed(b: &mut Baseline, from: u64, frames: u64, value: f64) -> u64 {
        for i in 0..frames {
            b.learn((from + i) * FRAME, FRAME, value);
        }
        from + frames
    }

    #[test]
    fn a_steady_stream_gives_its_own_level() {
        let mut b = Baseline::default();
        assert_eq!(b.level(), None);
        assert!(!b.is_established(0));
        feed(&mut b, 0, 75, 0.62);
        let level = b.level().unwrap();
        assert!((level - 0.62).abs() <= 1.0 / BINS as f64, "{level}");
        assert_eq!(b.learned(), 75 * FRAME);
        assert!(b.is_established(3_000_000_000));
        assert!(!b.is_established(3_000_000_001));
    }

    #[test]
    fn the_median_ignores_a_short_soft_stretch() {
        let mut b = Baseline::default();
        let t = feed(&mut b, 0, 100, 0.8);
        feed(&mut b, t, 40, 0.2);
        assert!((b.level().unwrap() - 0.8).abs() < 0.002);
        // Quantiles order the learned values.
        assert!(b.quantile(0.1).unwrap() < 0.21);
        assert!(b.quantile(0.9).unwrap() > 0.79);
    }

    #[test]
    fn frames_weigh_their_duration() {
        let mut b = Baseline::default();
        b.learn(0, 3 * FRAME, 0.9);
        b.learn(3 * FRAME, FRAME, 0.1);
        b.learn(4 * FRAME, FRAME, 0.1);
        // 3 frames' worth at 0.9 against 2 at 0.1.
        assert!(b.level().unwrap() > 0.89);
    }

    #[test]
    fn old_frames_fade_with_the_half_life() {
        let mut b = Baseline::default();
        b.learn(0, HALF_LIFE, 0.9);
        // After four half-lives the old level weighs 1/16 of a newer one of the same length.
        b.learn(4 * HALF_LIFE, HALF_LIFE, 0.3);
        assert!((b.level().unwrap() - 0.3).abs() < 0.002, "{:?}", b.level());
        let q = b.quantile(0.95).unwrap();
        assert!(q > 0.89, "{q}");
    }

    #[test]
    fn out_of_range_values_are_clamped_and_nan_ignored() {
        let mut b = Baseline::default();
        b.learn(0, FRAME, f64::NAN);
        assert_eq!(b.level(), None);
        b.learn(0, FRAME, 1.5);
        assert!(b.level().unwrap() <= 1.0);
        b.learn(FRAME, FRAME, -1.0);
        assert!(b.quantile(0.0).unwrap() >= 0.0);
        b.clear();
        assert_eq!(b.learned(), 0);
    }

    #[test]
    fn a_baseline_rebuilt_from_quantiles_keeps_its_median() {
        let mut b = Baseline::default();
        for (i, v) in (0..100).map(|i| 0.5 + (i % 10) as f64 * 0.02).enumerate() {
            b.learn(i as u64 * FRAME, FRAME, v);
        }
        let qs = [0.05, 0.1, 0.25, 0.4, 0.5, 0.6, 0.75, 0.9, 0.95];
        let pairs: Vec<(f64, f64)> = qs.iter().map(|&q| (q, b.quantile(q).unwrap())).collect();
        let r = Baseline::from_quantiles(&pairs, b.learned(), b.frames());
        assert!((r.level().unwrap() - b.level().unwrap()).abs() < 0.002);
        assert_eq!((r.learned(), r.frames()), (100 * FRAME, 100));
        assert!(r.is_established(4 * 1_000_000_000));
        assert_eq!(Baseline::from_quantiles(&[], 5, 5).level(), None);
    }

    #[test]
    fn weights_stay_finite_over_a_long_stream() {
        let mut b = Baseline::default();
        // A day of frames with durations of a minute each.
        for i in 0..1440u64 {
            b.learn(i * 60_000_000_000, 60_000_000_000, 0.5);
        }
        assert!(b.total.is_finite() && b.total > 0.0);
        assert!((b.level().unwrap() - 0.5).abs() < 0.002);
    }
}
