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
    /// Sums of [`pack`]ed pixels per bin, for [`NoiseHistogram::add_packed`]: one update per
    /// pixel instead of two. Two copies, which alternate pixels, so that runs of pixels in one
    /// bin overlap their updates.
    packed: Vec<u64>,
}

/// Bits of a packed pixel that count it.
pub(crate) const PACKED_COUNT_BITS: u32 = 24;

/// Bits above which a packed pixel holds its bin.
pub(crate) const PACKED_BIN_SHIFT: u32 = 53;

/// Most pixels a frame may add with [`NoiseHistogram::add_packed`]: no count reaches
/// 2^[`PACKED_COUNT_BITS`], and no summed response (at most 4080 per 8-bit pixel) 2^40.
pub const MAX_PACKED_PIXELS: usize = (1 << PACKED_COUNT_BITS) - 1;

/// One 8-bit pixel as one u64: its bin above [`PACKED_BIN_SHIFT`], its response from
/// [`PACKED_COUNT_BITS`], and a count of 1. Sums of these wrap; [`NoiseHistogram::sigma`]
/// takes each bin's `bin * count` back out of the high bits, which leaves the count and the
/// summed response exact.
#[inline(always)]
pub fn pack(sobel: u32, response: u32) -> u64 {
    ((sobel.min(BINS as u32 - 1) as u64) << PACKED_BIN_SHIFT)
        | ((response as u64) << PACKED_COUNT_BITS)
        | 1
}

/// The bin and response of one [`pack`]ed pixel.
#[inline(always)]
pub fn unpack(packed: u64) -> (u32, u32) {
    let response =
        (packed >> PACKED_COUNT_BITS) & ((1 << (PACKED_BIN_SHIFT - PACKED_COUNT_BITS)) - 1);
    ((packed >> PACKED_BIN_SHIFT) as u32, response as u32)
}

/// Adds a [`pack`]ed pixel to its bin among `bins` (one copy of [`BINS`]), wrapping.
#[inline(always)]
fn add_to_bin(bins: &mut [u64], packed: u64) {
    let bin = &mut bins[(packed >> PACKED_BIN_SHIFT) as usize];
    *bin = bin.wrapping_add(packed);
}

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
    /// at most [`MAX_PACKED_PIXELS`] pixels this way or with [`NoiseHistogram::add_packed`].
    pub fn add_8bit(&mut self, sobel: &[u32], responses: &[u32]) {
        for (&s, &r) in sobel.iter().zip(responses) {
            add_to_bin(&mut self.packed[..BINS], pack(s, r));
        }
    }

    /// Adds 8-bit pixels [`pack`]ed, as [`NoiseHistogram::add_8bit`].
    #[inline(always)]
    pub fn add_packed(&mut self, packed: &[u64]) {
        let (a, b) = self.packed.split_at_mut(BINS);
        let (a, b) = (&mut a[..BINS], &mut b[..BINS]);
        let pairs = packed.chunks_exact(2);
        if let Some(&p) = pairs.remainder().first() {
            add_to_bin(a, p);
        }
        for p in pairs {
            add_to_bin(a, p[0]);
            add_to_bin(b, p[1]);
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
            let packed = a.iter().zip(b).enumerate().map(|(i, (a, b))| {
                let p = a.wrapping_add(*b);
                p.wrapping_sub(((i as u64) * (p & mask)) << PACKED_BIN_SHIFT)
            });
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
        let pixels: Vec<u64> = sobel
            .iter()
            .zip(&responses)
            .map(|(&s, &r)| pack(s, r))
            .collect();
        let mut histograms: [NoiseHistogram; 3] = Default::default();
        let [packed, from_slices, plain] = &mut histograms;
        for _ in 0..3 {
            packed.add_packed(&pixels);
            from_slices.add_8bit(&sobel, &responses);
            for (&s, &r) in sobel.iter().zip(&responses) {
                plain.add(s, r, 0);
            }
        }
        // Bin 2047 holds thousands of pixels: its bin * count wraps far past 2^64.
        assert!(plain.sigma(0) > 0.0);
        assert_eq!(packed.sigma(0), plain.sigma(0));
        assert_eq!(from_slices.sigma(0), plain.sigma(0));
        packed.clear();
        assert_eq!(packed.sigma(0), 0.0);
        for (&p, (&s, &r)) in pixels.iter().zip(sobel.iter().zip(&responses)) {
            assert_eq!(unpack(p), (s.min(BINS as u32 - 1), r));
        }
    }
}
