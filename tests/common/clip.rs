//! A synthetic clip for tests and the demo: a slow pan over a photo, RGB, with a stretch of
//! frames rendered soft (down-scaled by an integer factor with a box filter, then scaled back
//! up bicubically: the "rendered at a lower resolution and upscaled" case).

use std::ops::Range;
use std::path::Path;

/// An 8-bit RGB picture.
pub struct Photo {
    pub width: usize,
    pub height: usize,
    pub rgb: Vec<u8>,
}

/// Decodes an 8-bit gray, RGB or RGBA PNG into RGB.
pub fn load_photo(path: &Path) -> Photo {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut reader = png::Decoder::new(file).read_info().expect("png header");
    let mut data = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut data).expect("png data");
    data.truncate(info.buffer_size());
    let channels = info.color_type.samples();
    let rgb = data
        .chunks(channels)
        .flat_map(|px| match channels {
            1 | 2 => [px[0]; 3],
            _ => [px[0], px[1], px[2]],
        })
        .collect();
    Photo {
        width: info.width as usize,
        height: info.height as usize,
        rgb,
    }
}

/// Mirror index into `0..n` with period `2n` (the photo tiled with flips, seamless).
fn mirror(i: usize, n: usize) -> usize {
    let i = i % (2 * n);
    if i < n { i } else { 2 * n - 1 - i }
}

/// Frame size, rate, length and where it is soft.
pub struct Clip {
    pub photo: Photo,
    pub width: usize,
    pub height: usize,
    pub fps: u32,
    pub frames: usize,
    pub soft: Range<usize>,
    /// Down-up factor of the soft frames.
    pub factor: usize,
    /// Frames over which the picture fades linearly to black and back (black mid-way).
    pub fade: Range<usize>,
}

impl Clip {
    /// The 704x1280 pan at 30 fps over `photo`, 10 s long, that the stream-alarm checks use.
    pub fn portrait_pan(photo: Photo) -> Clip {
        Clip {
            photo,
            width: 704,
            height: 1280,
            fps: 30,
            frames: 300,
            soft: 0..0,
            factor: 1,
            fade: 0..0,
        }
    }

    /// Presentation time of frame `i`, in nanoseconds.
    pub fn pts(&self, i: usize) -> u64 {
        i as u64 * 1_000_000_000 / self.fps as u64
    }

    /// Frame `i` as packed RGB, `width * 3` bytes per row.
    pub fn frame(&self, i: usize) -> Vec<u8> {
        let (w, h) = (self.width, self.height);
        let (ox, oy) = (i * 2, i);
        let mut out = vec![0u8; w * h * 3];
        for y in 0..h {
            let sy = mirror(y + oy, self.photo.height);
            for x in 0..w {
                let sx = mirror(x + ox, self.photo.width);
                let s = (sy * self.photo.width + sx) * 3;
                out[(y * w + x) * 3..][..3].copy_from_slice(&self.photo.rgb[s..s + 3]);
            }
        }
        if self.soft.contains(&i) {
            out = down_up(&out, w, h, self.factor);
        }
        if self.fade.contains(&i) {
            let half = (self.fade.len() as f64 / 2.0).max(1.0);
            let gain = ((i - self.fade.start) as f64 - half).abs() / half;
            out.iter_mut()
                .for_each(|v| *v = (*v as f64 * gain).round() as u8);
        }
        out
    }
}

impl Clip {
    /// RGB caps of the clip; its rows need no padding (asserted).
    pub fn caps(&self) -> gst::Caps {
        let info = gst_video::VideoInfo::builder(
            gst_video::VideoFormat::Rgb,
            self.width as u32,
            self.height as u32,
        )
        .fps(gst::Fraction::new(self.fps as i32, 1))
        .build()
        .unwrap();
        assert_eq!(
            info.stride()[0] as usize,
            self.width * 3,
            "RGB rows need no padding"
        );
        info.to_caps().unwrap()
    }

    /// Sets the caps on `src` and pushes every frame with PTS and duration, then EOS.
    /// Blocks while `src` is full; returns early if the pipeline stops taking buffers.
    /// `data` as frame `i`: a buffer with the clip's PTS and duration for that frame.
    pub fn buffer(&self, i: usize, data: Vec<u8>) -> gst::Buffer {
        let mut buf = gst::Buffer::from_mut_slice(data);
        let b = buf.get_mut().unwrap();
        b.set_pts(gst::ClockTime::from_nseconds(self.pts(i)));
        b.set_duration(gst::ClockTime::from_nseconds(self.pts(i + 1) - self.pts(i)));
        buf
    }

    pub fn feed(self, src: gst_app::AppSrc) {
        src.set_caps(Some(&self.caps()));
        for i in 0..self.frames {
            if src.push_buffer(self.buffer(i, self.frame(i))).is_err() {
                return;
            }
        }
        let _ = src.end_of_stream();
    }
}

/// Keys cubic weights (A = -0.75, as OpenCV's INTER_CUBIC) of the 4 taps around fraction `t`.
fn cubic_weights(t: f32) -> [f32; 4] {
    const A: f32 = -0.75;
    let near = |x: f32| ((A + 2.0) * x - (A + 3.0)) * x * x + 1.0;
    let far = |x: f32| ((A * x - 5.0 * A) * x + 8.0 * A) * x - 4.0 * A;
    [far(1.0 + t), near(t), near(1.0 - t), far(2.0 - t)]
}

/// Box-filter down by `f`, then bicubic back to `w x h`: for whole factors, OpenCV's
/// INTER_AREA down and INTER_CUBIC up, as the corpus's down-up series.
pub fn down_up(rgb: &[u8], w: usize, h: usize, f: usize) -> Vec<u8> {
    down_up_xy(rgb, w, h, f, f)
}

/// [`down_up`] with its own whole factor per axis (`fx` along rows, `fy` along columns).
pub fn down_up_xy(rgb: &[u8], w: usize, h: usize, fx: usize, fy: usize) -> Vec<u8> {
    let (sw, sh) = (w.div_ceil(fx), h.div_ceil(fy));
    let mut small = vec![0f32; sw * sh * 3];
    for sy in 0..sh {
        for sx in 0..sw {
            let mut acc = [0f32; 3];
            let mut n = 0.0;
            for y in sy * fy..((sy + 1) * fy).min(h) {
                for x in sx * fx..((sx + 1) * fx).min(w) {
                    for c in 0..3 {
                        acc[c] += rgb[(y * w + x) * 3 + c] as f32;
                    }
                    n += 1.0;
                }
            }
            for c in 0..3 {
                small[(sy * sw + sx) * 3 + c] = acc[c] / n;
            }
        }
    }
    // Taps and weights per output coordinate; source indices clamped at the borders.
    let taps = |n: usize, small_n: usize, f: usize| -> Vec<([usize; 4], [f32; 4])> {
        (0..n)
            .map(|x| {
                let at = (x as f32 + 0.5) / f as f32 - 0.5;
                let x0 = at.floor();
                let idx = [-1.0f32, 0.0, 1.0, 2.0]
                    .map(|d| (x0 + d).clamp(0.0, (small_n - 1) as f32) as usize);
                (idx, cubic_weights(at - x0))
            })
            .collect()
    };
    let (tx, ty) = (taps(w, sw, fx), taps(h, sh, fy));
    // Rows first into a float buffer, then columns.
    let mut wide = vec![0f32; w * sh * 3];
    for sy in 0..sh {
        for (x, (idx, wt)) in tx.iter().enumerate() {
            for c in 0..3 {
                wide[(sy * w + x) * 3 + c] = (0..4)
                    .map(|k| wt[k] * small[(sy * sw + idx[k]) * 3 + c])
                    .sum();
            }
        }
    }
    let mut out = vec![0u8; w * h * 3];
    for (y, (idx, wt)) in ty.iter().enumerate() {
        for x in 0..w {
            for c in 0..3 {
                let v: f32 = (0..4).map(|k| wt[k] * wide[(idx[k] * w + x) * 3 + c]).sum();
                out[(y * w + x) * 3 + c] = v.round().clamp(0.0, 255.0) as u8;
            }
        }
    }
    out
}

/// Gaussian blur of packed RGB with standard deviation `sigma` pixels (taps to 4 sigma,
/// mirrored borders, as scipy's `gaussian_filter`).
pub fn gaussian_blur(rgb: &[u8], w: usize, h: usize, sigma: f32) -> Vec<u8> {
    let r = (4.0 * sigma).ceil() as isize;
    let k: Vec<f32> = (-r..=r)
        .map(|i| (-((i * i) as f32) / (2.0 * sigma * sigma)).exp())
        .collect();
    let total: f32 = k.iter().sum();
    let k: Vec<f32> = k.iter().map(|v| v / total).collect();
    let reflect = |i: isize, n: usize| -> usize {
        let n = n as isize;
        let i = if i < 0 { -i - 1 } else { i };
        (if i >= n { 2 * n - i - 1 } else { i }).clamp(0, n - 1) as usize
    };
    let mut rows = vec![0f32; w * h * 3];
    for y in 0..h {
        for x in 0..w {
            for c in 0..3 {
                rows[(y * w + x) * 3 + c] = k
                    .iter()
                    .enumerate()
                    .map(|(j, kv)| {
                        let sx = reflect(x as isize + j as isize - r, w);
                        kv * rgb[(y * w + sx) * 3 + c] as f32
                    })
                    .sum();
            }
        }
    }
    let mut out = vec![0u8; w * h * 3];
    for y in 0..h {
        for x in 0..w {
            for c in 0..3 {
                let v: f32 = k
                    .iter()
                    .enumerate()
                    .map(|(j, kv)| {
                        let sy = reflect(y as isize + j as isize - r, h);
                        kv * rows[(sy * w + x) * 3 + c]
                    })
                    .sum();
                out[(y * w + x) * 3 + c] = v.round().clamp(0.0, 255.0) as u8;
            }
        }
    }
    out
}

/// Gain at `t` seconds of a fade through black that starts at `start` seconds: out over one
/// second, black for one, back in over one.
pub fn through_black(t: f64, start: f64) -> f64 {
    let t = t - start;
    match t {
        t if t < 0.0 => 1.0,
        t if t < 1.0 => 1.0 - t,
        t if t < 2.0 => 0.0,
        t if t < 3.0 => t - 2.0,
        _ => 1.0,
    }
}
