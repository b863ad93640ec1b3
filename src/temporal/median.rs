//! Median of the values seen within a time window.

use std::collections::VecDeque;

/// Most samples a window holds, whatever its length in time: a stream whose clock does not
/// advance (no timestamps, no frame rate) or a huge window keeps memory and cost bounded.
pub const MAX_SAMPLES: usize = 2048;

/// Rolling median over the latest [`MAX_SAMPLES`] samples whose clock lies within `window`
/// ns of the newest one.
#[derive(Debug, Default)]
pub struct RollingMedian {
    samples: VecDeque<(u64, f64)>,
    sorted: Vec<f64>,
}

impl RollingMedian {
    /// Adds a sample and returns the median of the window ending at `clock`. The newest
    /// sample is always kept, so a zero window gives the value itself.
    pub fn push(&mut self, clock: u64, value: f64, window: u64) -> f64 {
        if self.samples.len() == MAX_SAMPLES {
            self.samples.pop_front();
        }
        self.samples.push_back((clock, value));
        while let Some(&(c, _)) = self.samples.front() {
            if self.samples.len() > 1 && clock.saturating_sub(c) >= window {
                self.samples.pop_front();
            } else {
                break;
            }
        }
        self.sorted.clear();
        self.sorted.extend(self.samples.iter().map(|&(_, v)| v));
        self.sorted.sort_by(f64::total_cmp);
        let n = self.sorted.len();
        if n % 2 == 1 {
            self.sorted[n / 2]
        } else {
            (self.sorted[n / 2 - 1] + self.sorted[n / 2]) / 2.0
        }
    }

    pub fn clear(&mut self) {
        self.samples.clear();
    }

    /// Samples in the window.
    pub fn len(&self) -> usize {
        self.samples.len()
    }

    pub fn is_empty(&self) -> bool {
        self.samples.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_over_time_window() {
        let mut m = RollingMedian::default();
        assert_eq!(m.push(0, 5.0, 100), 5.0);
        assert_eq!(m.push(10, 1.0, 100), 3.0);
        assert_eq!(m.push(20, 9.0, 100), 5.0);
        // At clock 105 the sample at 0 has left the window: values 1, 9, 2.
        assert_eq!(m.push(105, 2.0, 100), 2.0);
        // At 110 the sample at 10 has left too: values 9, 2, 100; the outlier is ignored.
        assert_eq!(m.push(110, 100.0, 100), 9.0);
    }

    #[test]
    fn a_window_whose_clock_stands_still_is_bounded_by_count() {
        let mut m = RollingMedian::default();
        for i in 0..3 * MAX_SAMPLES {
            m.push(0, i as f64, u64::MAX);
        }
        assert_eq!(m.samples.len(), MAX_SAMPLES);
        // The median of the latest MAX_SAMPLES values.
        let last = (3 * MAX_SAMPLES - 1) as f64;
        let median = last + 1.0 - MAX_SAMPLES as f64 / 2.0 + 0.5;
        assert_eq!(m.push(0, last + 1.0, u64::MAX), median);
    }

    #[test]
    fn zero_window_is_the_value_itself() {
        let mut m = RollingMedian::default();
        m.push(0, 1.0, 0);
        assert_eq!(m.push(0, 7.0, 0), 7.0);
    }
}
