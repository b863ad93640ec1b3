//! Pixel passes over a plane view: derivatives, band energies, line spectra, FFTs, local
//! contrast, the thumbnail, and the AVX2 dispatch they share. They know nothing of figures;
//! they use [`super::frame`] and each other.

pub mod band_energy;
pub mod derivatives;
pub mod diagonal_energy;
mod diagonal_energy_u8;
pub mod line_spectrum;
pub mod local_contrast;
pub mod noise_histogram;
pub(crate) mod real_fft;
pub(crate) mod simd;
pub mod thumbnail;
