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

/// A textured 8-bit test picture of odd size for comparing the two builds.
#[cfg(test)]
pub(crate) fn textured(w: usize, h: usize) -> Vec<u8> {
    (0..w * h)
        .map(|i| ((i % w) * (i % w) + 3 * (i / w) * (i / w) + i % 7 * 13) as u8)
        .collect()
}
