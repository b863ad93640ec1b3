//! Scene cuts: a frame whose thumbnail, with its mean and contrast removed, correlates
//! weakly with the previous frame's. Removing mean and contrast makes fades (the whole
//! picture scaled) no cut; the coarse grid makes slow pans and motion no cut.

use crate::analysis::thumbnail::{CELLS, Thumbnail};

/// Correlation below which consecutive thumbnails are a cut.
pub const CUT_CORRELATION: f64 = 0.5;
/// Thumbnails whose cells vary less than this (8-bit levels, standard deviation) are too
/// uniform to compare: no cut is declared into or out of them.
pub const MIN_CONTRAST: f64 = 2.0;

/// Zero-mean, unit-variance cells; None for a near-uniform thumbnail.
fn normalised(t: &Thumbnail) -> Option<[f64; CELLS]> {
    let mean = t.iter().map(|&v| v as f64).sum::<f64>() / CELLS as f64;
    let var = t.iter().map(|&v| (v as f64 - mean).powi(2)).sum::<f64>() / CELLS as f64;
    let sd = var.sqrt();
    (sd >= MIN_CONTRAST).then(|| std::array::from_fn(|i| (t[i] as f64 - mean) / sd))
}

/// Compares each frame's thumbnail with the previous one.
#[derive(Debug, Default)]
pub struct SceneCuts {
    previous: Option<Option<[f64; CELLS]>>,
}

impl SceneCuts {
    /// Whether the frame with thumbnail `t` starts a new scene; the first frame does not.
    pub fn push(&mut self, t: &Thumbnail) -> bool {
        let current = normalised(t);
        let cut = match (&self.previous, &current) {
            (Some(Some(a)), Some(b)) => {
                let r = a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>() / CELLS as f64;
                r < CUT_CORRELATION
            }
            _ => false,
        };
        self.previous = Some(current);
        cut
    }

    /// Forgets the previous frame (flush, new stream).
    pub fn clear(&mut self) {
        self.previous = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::thumbnail::SIDE;

    /// A smooth pattern shifted by `dx` cells, brightness `gain` and offset `offset`.
    fn scene(kind: u32, dx: f32, gain: f32, offset: f32) -> Thumbnail {
        std::array::from_fn(|i| {
            let (x, y) = ((i % SIDE) as f32 + dx, (i / SIDE) as f32);
            let v = match kind {
                0 => 100.0 + 60.0 * (x * 0.4).sin() * (y * 0.3).cos(),
                _ => 100.0 + 60.0 * ((x - y) * 0.5).cos() + 20.0 * (y * 0.9).sin(),
            };
            offset + gain * v
        })
    }

    #[test]
    fn a_change_of_scene_is_a_cut_and_a_pan_is_not() {
        let mut c = SceneCuts::default();
        assert!(!c.push(&scene(0, 0.0, 1.0, 0.0)), "the first frame");
        assert!(
            !c.push(&scene(0, 0.1, 1.0, 0.0)),
            "a pan of a tenth of a cell"
        );
        assert!(c.push(&scene(1, 0.0, 1.0, 0.0)), "another picture");
        assert!(!c.push(&scene(1, 0.0, 1.0, 0.0)));
    }

    #[test]
    fn fades_are_no_cut() {
        let mut c = SceneCuts::default();
        for k in 0..=25 {
            let gain = 1.0 - k as f32 / 25.0;
            assert!(!c.push(&scene(0, 0.0, gain, 0.0)), "fade step {k}");
        }
        // From black into another picture: no cut is declared out of a uniform frame.
        assert!(!c.push(&scene(1, 0.0, 0.1, 0.0)));
        assert!(!c.push(&scene(1, 0.0, 1.0, 16.0)));
    }

    #[test]
    fn clear_forgets_the_previous_frame() {
        let mut c = SceneCuts::default();
        c.push(&scene(0, 0.0, 1.0, 0.0));
        c.clear();
        assert!(!c.push(&scene(1, 0.0, 1.0, 0.0)));
    }
}
