//! Noise level estimate (Immerkaer 1996): the mean absolute response of the 3x3 kernel
//! [[1,-2,1],[-2,4,-2],[1,-2,1]] times sqrt(pi/2)/6, taken over the pixels whose Sobel
//! magnitude |gx|+|gy| is at or below its 90th percentile, so edges do not count as noise.
//! One pass: a histogram over Sobel magnitude holds counts and summed responses.

/// Histogram bins of Sobel magnitude in 8-bit units (|gx|+|gy| <= 2040).
const BINS: usize = 2048;

/// Share of pixels, by ascending Sobel magnitude, that the estimate uses.
const QUANTILE: f64 = 0.9;

#[derive(Debug)]
pub struct NoiseHistogram {
    counts: Vec<u64>,
    responses: Vec<u64>,
}

impl Default for NoiseHistogram {
    fn default() -> Self {
        NoiseHistogram {
            counts: vec![0; BINS],
            responses: vec![0; BINS],
        }
    }
}

impl NoiseHistogram {
    pub fn clear(&mut self) {
        self.counts.fill(0);
        self.responses.fill(0);
    }

    /// Adds one pixel: its Sobel magnitude bin and its absolute Immerkaer response, both in
    /// raw sample units; `shift` maps the magnitude to 8-bit units.
    #[inline]
    pub fn add(&mut self, sobel: u32, response: u32, shift: u32) {
        let bin = ((sobel >> shift) as usize).min(BINS - 1);
        self.counts[bin] += 1;
        self.responses[bin] += response as u64;
    }

    /// Estimated noise sigma in 8-bit levels (0 for an empty histogram).
    pub fn sigma(&self, scale_shift: u32) -> f64 {
        let total: u64 = self.counts.iter().sum();
        if total == 0 {
            return 0.0;
        }
        let wanted = (total as f64 * QUANTILE).ceil() as u64;
        let (mut n, mut sum) = (0u64, 0u64);
        for (c, r) in self.counts.iter().zip(&self.responses) {
            n += c;
            sum += r;
            if n >= wanted {
                break;
            }
        }
        let mean = sum as f64 / n as f64 / (1u64 << scale_shift) as f64;
        mean * (std::f64::consts::PI / 2.0).sqrt() / 6.0
    }
}
