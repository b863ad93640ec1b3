//! Runtime dispatch of hot loops to code compiled for AVX2.
//!
//! [`with_avx2!`] defines a function that runs its body compiled with AVX2 enabled when the
//! CPU has it, and the baseline build otherwise. The body and the helpers it calls are
//! `#[inline(always)]`, so they are compiled for the caller's features. Rust does not fuse
//! or reorder floating-point operations, so both builds give the same results.

/// `with_avx2!(pub fn name(a: A, b: B) -> R => body)` defines `name`, which calls
/// `body(a, b)` compiled for AVX2 when available.
macro_rules! with_avx2 {
    ($(#[$meta:meta])* $vis:vis fn $name:ident($($arg:ident: $ty:ty),* $(,)?) $(-> $ret:ty)? => $body:ident) => {
        $(#[$meta])*
        $vis fn $name($($arg: $ty),*) $(-> $ret)? {
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx2")]
                unsafe fn avx2($($arg: $ty),*) $(-> $ret)? {
                    $body($($arg),*)
                }
                if std::arch::is_x86_feature_detected!("avx2") {
                    // SAFETY: the CPU has AVX2.
                    return unsafe { avx2($($arg),*) };
                }
            }
            $body($($arg),*)
        }
    };
}

pub(crate) use with_avx2;

/// Whether the CPU has AVX2, for loops that pick their kernel once per call.
#[inline(always)]
pub(crate) fn has_avx2() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx2")
    }
    #[cfg(not(target_arch = "x86_64"))]
    false
}

/// A textured 8-bit test picture of odd size for comparing the two builds.
#[cfg(test)]
pub(crate) fn textured(w: usize, h: usize) -> Vec<u8> {
    (0..w * h)
        .map(|i| ((i % w) * (i % w) + 3 * (i / w) * (i / w) + i % 7 * 13) as u8)
        .collect()
}

/// [`textured`] as an 8-bit plane, for `check`.
#[cfg(test)]
pub(crate) fn with_textured(
    w: usize,
    h: usize,
    check: impl FnOnce(&crate::analysis::frame::plane::LumaPlane),
) {
    let data = textured(w, h);
    check(&crate::analysis::frame::plane::LumaPlane::new_u8(&data, w, h, w).unwrap());
}

/// [`textured`] as an 8-bit plane and as the same values in 16-bit samples (scale shift 0),
/// which the passes take on their float paths; `check` gets both.
#[cfg(test)]
pub(crate) fn with_8_and_16_bit(
    w: usize,
    h: usize,
    check: impl FnOnce(
        &crate::analysis::frame::plane::LumaPlane,
        &crate::analysis::frame::plane::LumaPlane,
    ),
) {
    use crate::analysis::frame::plane::LumaPlane;
    let data = textured(w, h);
    let wide: Vec<u16> = data.iter().map(|&v| v as u16).collect();
    check(
        &LumaPlane::new_u8(&data, w, h, w).unwrap(),
        &LumaPlane::new_u16(&wide, w, h, w, 0).unwrap(),
    );
}
