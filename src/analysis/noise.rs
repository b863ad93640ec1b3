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
    /// Count (low [`PACKED_COUNT_BITS`] bits) and summed response (the rest) per bin, for
    /// [`NoiseHistogram::add_8bit`]: one update per pixel instead of two. Two copies, which
    /// alternate pixels, so that runs of pixels in one bin overlap their updates.
    packed: Vec<u64>,
}

/// Bits of a packed bin that count pixels.
const PACKED_COUNT_BITS: u32 = 24;

/// Most pixels a frame may add with [`NoiseHistogram::add_8bit`]: no count reaches
/// 2^[`PACKED_COUNT_BITS`], and no summed response (at most 4080 per 8-bit pixel) 2^40.
pub const MAX_PACKED_PIXELS: usize = (1 << PACKED_COUNT_BITS) - 1;

impl Default for NoiseHistogram {
    fn default() -> Self {
        NoiseHistogram {
            counts: vec![0; BINS],
            responses: vec![0; BINS],
            packed: vec![0; 2 * BINS],
        }
    }
}

impl NoiseHistogram {
    pub fn clear(&mut self) {
        self.counts.fill(0);
        self.responses.fill(0);
        self.packed.fill(0);
    }

    /// Adds pixels of an 8-bit plane, as [`NoiseHistogram::add`] with shift 0. A frame may add
    /// at most [`MAX_PACKED_PIXELS`] pixels this way.
    #[inline(always)]
    pub fn add_8bit(&mut self, sobel: &[u32], responses: &[u32]) {
        let (a, b) = self.packed.split_at_mut(BINS);
        let (a, b) = (&mut a[..BINS], &mut b[..BINS]);
        let pack = |r: u32| ((r as u64) << PACKED_COUNT_BITS) | 1;
        let (s2, r2) = (sobel.chunks_exact(2), responses.chunks_exact(2));
        if let (Some(&s), Some(&r)) = (s2.remainder().first(), r2.remainder().first()) {
            a[(s as usize).min(BINS - 1)] += pack(r);
        }
        for (s, r) in s2.zip(r2) {
            a[(s[0] as usize).min(BINS - 1)] += pack(r[0]);
            b[(s[1] as usize).min(BINS - 1)] += pack(r[1]);
        }
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
        let mask = (1u64 << PACKED_COUNT_BITS) - 1;
        let bins = || {
            let (a, b) = self.packed.split_at(BINS);
            let packed = a.iter().zip(b).map(|(a, b)| a + b);
            self.counts
                .iter()
                .zip(&self.responses)
                .zip(packed)
                .map(move |((c, r), p)| (c + (p & mask), r + (p >> PACKED_COUNT_BITS)))
        };
        let total: u64 = bins().map(|(c, _)| c).sum();
        if total == 0 {
            return 0.0;
        }
        let wanted = (total as f64 * QUANTILE).ceil() as u64;
        let (mut n, mut sum) = (0u64, 0u64);
        for (c, r) in bins() {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_8_bit_pixels_give_the_same_sigma() {
        // Odd length, magnitudes past the last bin, responses up to 4080.
        let sobel: Vec<u32> = (0..10_001).map(|i| (i * 7919 % 2300) as u32).collect();
        let responses: Vec<u32> = (0..10_001).map(|i| (i * 104_729 % 4081) as u32).collect();
        let (mut packed, mut plain) = (NoiseHistogram::default(), NoiseHistogram::default());
        for _ in 0..3 {
            packed.add_8bit(&sobel, &responses);
            for (&s, &r) in sobel.iter().zip(&responses) {
                plain.add(s, r, 0);
            }
        }
        assert!(plain.sigma(0) > 0.0);
        assert_eq!(packed.sigma(0), plain.sigma(0));
        packed.clear();
        assert_eq!(packed.sigma(0), 0.0);
    }
}
