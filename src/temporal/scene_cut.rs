//! Scene cuts: a frame whose thumbnail, with its mean and contrast removed, correlates
//! weakly with the previous frame's, or whose cells change by far more than they changed a
//! frame before (a new picture with a similar layout but another brightness). Removing mean
//! and contrast, and comparing the change with the previous one, makes fades (the whole
//! picture scaled a little each frame) no cut; the coarse grid makes slow pans and motion no
//! cut.

use crate::analysis::kernels::thumbnail::{CELLS, Thumbnail};

/// Correlation below which consecutive thumbnails are a cut.
pub const CUT_CORRELATION: f64 = 0.5;
/// Mean absolute change of the cells (8-bit levels), beyond the previous frame's change,
/// that is a cut: a tenth of the range, as ffmpeg's `scdet` defaults to. A 1 s fade changes
/// the cells of the corpus photos by at most 5.1 levels a frame.
pub const CUT_CHANGE: f64 = 25.5;
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

/// Mean absolute difference of the cells, 8-bit levels.
fn change(a: &Thumbnail, b: &Thumbnail) -> f64 {
    a.iter()
        .zip(b)
        .map(|(&x, &y)| (x as f64 - y as f64).abs())
        .sum::<f64>()
        / CELLS as f64
}

/// The previous frame's thumbnail, its normalised cells and its change from the frame
/// before it.
#[derive(Debug)]
struct Previous {
    thumbnail: Thumbnail,
    normalised: Option<[f64; CELLS]>,
    change: f64,
}

/// Compares each frame's thumbnail with the previous one.
#[derive(Debug, Default)]
pub struct SceneCuts {
    previous: Option<Previous>,
}

impl SceneCuts {
    /// Whether the frame with thumbnail `t` starts a new scene; the first frame does not.
    pub fn push(&mut self, t: &Thumbnail) -> bool {
        let current = Previous {
            thumbnail: *t,
            normalised: normalised(t),
            change: self
                .previous
                .as_ref()
                .map_or(0.0, |p| change(&p.thumbnail, t)),
        };
        let cut = match (&self.previous, &current.normalised) {
            (
                Some(Previous {
                    normalised: Some(a),
                    change: before,
                    ..
                }),
                Some(b),
            ) => {
                let r = a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>() / CELLS as f64;
                r < CUT_CORRELATION || current.change - before >= CUT_CHANGE
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
    use crate::analysis::kernels::thumbnail::SIDE;

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
        for k in 2..=25 {
            let gain = k as f32 / 25.0;
            assert!(!c.push(&scene(1, 0.0, gain, 0.0)), "fade-in step {k}");
        }
    }

    #[test]
    fn a_jump_of_brightness_and_contrast_is_a_cut() {
        // The layout correlates, as a page of text cut to a retina photo did (0.54).
        let mut c = SceneCuts::default();
        assert!(!c.push(&scene(0, 0.0, 1.0, 60.0)));
        assert!(!c.push(&scene(0, 0.1, 1.0, 60.0)));
        assert!(c.push(&scene(0, 0.2, 0.25, 40.0)), "a new picture");
        assert!(!c.push(&scene(0, 0.3, 0.25, 40.0)));
        // A one-frame flash is one cut, not two.
        assert!(c.push(&scene(0, 0.3, 1.0, 120.0)));
        assert!(!c.push(&scene(0, 0.3, 0.25, 40.0)));
    }

    #[test]
    fn clear_forgets_the_previous_frame() {
        let mut c = SceneCuts::default();
        c.push(&scene(0, 0.0, 1.0, 0.0));
        c.clear();
        assert!(!c.push(&scene(1, 0.0, 1.0, 0.0)));
    }
}
