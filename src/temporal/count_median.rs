//! Exact median of whole numbers, kept as counts per value: memory grows with the number of
//! distinct values (at most the largest frame dimension for sizes), not with stream length.

use std::collections::BTreeMap;

#[derive(Debug, Default, Clone)]
pub struct CountMedian {
    counts: BTreeMap<u32, u64>,
    n: u64,
}

impl CountMedian {
    pub fn add(&mut self, v: Option<u32>) {
        if let Some(v) = v {
            *self.counts.entry(v).or_default() += 1;
            self.n += 1;
        }
    }

    /// The lower median of the values added; None when there were none.
    pub fn get(&self) -> Option<u32> {
        let rank = self.n.checked_sub(1)? / 2;
        let mut seen = 0;
        for (&v, &c) in &self.counts {
            seen += c;
            if seen > rank {
                return Some(v);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_counts() {
        let mut m = CountMedian::default();
        assert_eq!(m.get(), None);
        for v in [640, 352, 352, 700, 640, 352] {
            m.add(Some(v));
        }
        m.add(None);
        // 352 352 352 640 640 700: the lower median.
        assert_eq!(m.get(), Some(352));
        m.add(Some(700));
        assert_eq!(m.get(), Some(640));
    }
}
