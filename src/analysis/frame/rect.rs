//! Rectangles of a frame: the region of interest and the active (unbarred) area.

/// A rectangle in pixels: its top-left corner and size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Rect {
    pub x: usize,
    pub y: usize,
    pub width: usize,
    pub height: usize,
}

impl Rect {
    pub const fn new(x: usize, y: usize, width: usize, height: usize) -> Self {
        Rect {
            x,
            y,
            width,
            height,
        }
    }

    /// The whole of a `width` x `height` frame.
    pub const fn full(width: usize, height: usize) -> Self {
        Rect::new(0, 0, width, height)
    }

    /// A region of interest as given by properties (width or height 0: to the frame's
    /// edge), clamped to a `width` x `height` frame. None when nothing of it is inside.
    pub fn region_of_interest(
        (x, y, w, h): (usize, usize, usize, usize),
        width: usize,
        height: usize,
    ) -> Option<Rect> {
        if x >= width || y >= height {
            return None;
        }
        let w = if w == 0 { width - x } else { w.min(width - x) };
        let h = if h == 0 {
            height - y
        } else {
            h.min(height - y)
        };
        Some(Rect::new(x, y, w, h))
    }

    /// This rectangle moved by the corner of `outer` (from `outer`'s coordinates to those
    /// of the frame `outer` lies in).
    pub fn within(self, outer: Rect) -> Rect {
        Rect::new(outer.x + self.x, outer.y + self.y, self.width, self.height)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_region_of_interest_is_clamped_to_the_frame() {
        let roi = |r| Rect::region_of_interest(r, 640, 360);
        assert_eq!(roi((0, 0, 0, 0)), Some(Rect::full(640, 360)));
        assert_eq!(roi((320, 0, 0, 0)), Some(Rect::new(320, 0, 320, 360)));
        assert_eq!(roi((600, 300, 100, 100)), Some(Rect::new(600, 300, 40, 60)));
        assert_eq!(roi((10, 20, 30, 40)), Some(Rect::new(10, 20, 30, 40)));
        assert_eq!(roi((640, 0, 10, 10)), None);
        assert_eq!(roi((0, 360, 10, 10)), None);
    }

    #[test]
    fn an_inner_rectangle_moves_to_frame_coordinates() {
        let inner = Rect::new(5, 6, 10, 20).within(Rect::new(100, 200, 50, 50));
        assert_eq!(inner, Rect::new(105, 206, 10, 20));
    }
}
