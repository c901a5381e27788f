//! Every random stream of a run, derived from (seed, replication, block, week, purpose).
//!
//! A stream is a ChaCha8 generator whose 256-bit key is the four 64-bit words
//! (seed, replication, block, week) and whose stream id is the purpose. Households are
//! grouped in blocks of [`BLOCK_HOUSEHOLDS`], a constant of the output format: changing it
//! changes every result. Nothing here depends on threads or on the order of work.

use rand_chacha::ChaCha8Rng;
use rand_core::{Rng, SeedableRng};

/// Households per random-stream block. Part of the format, not a tuning knob.
pub const BLOCK_HOUSEHOLDS: usize = 1024;

/// The `week` key of set-up streams (drawn once, before week 0 of the warm-up).
const SETUP_WEEK: u64 = u64::MAX;

/// What a stream is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Segment membership and starting online capability: two draws per household.
    Setup,
    /// The nearest-store draw U_hr for one retailer (by file index): one draw per household.
    Distance(usize),
    /// A simulated week: the going-online draw, then the choice draw, per household.
    Week,
    /// A paired week: the taste shocks that couple the scenario's choice to the reference's
    /// (a variable number per household, see `model::coupling`).
    Shocks,
    /// The nearest outside-option store draw (`market.outside_stores`): one per household.
    OutsideDistance,
}

impl Purpose {
    fn id(self) -> u64 {
        match self {
            Purpose::Setup => 1,
            Purpose::Week => 2,
            Purpose::Shocks => 3,
            Purpose::OutsideDistance => 4,
            Purpose::Distance(r) => (1 << 32) + r as u64,
        }
    }
}

/// The stream for one block of households. `week` is the simulated week (warm-up included),
/// or `None` for set-up draws.
pub fn stream(seed: u64, replication: u32, block: usize, week: Option<u32>, purpose: Purpose) -> ChaCha8Rng {
    keyed_stream([seed, replication as u64, block as u64, week.map_or(SETUP_WEEK, u64::from)], purpose.id())
}

/// A ChaCha8 generator whose 256-bit key is four 64-bit words (little-endian) and whose stream
/// id is `stream_id`: the one way every random stream of cartshift is made.
pub fn keyed_stream(words: [u64; 4], stream_id: u64) -> ChaCha8Rng {
    let mut key = [0u8; 32];
    for (chunk, word) in key.chunks_exact_mut(8).zip(words) {
        chunk.copy_from_slice(&word.to_le_bytes());
    }
    let mut rng = ChaCha8Rng::from_seed(key);
    rng.set_stream(stream_id);
    rng
}

/// A uniform draw in [0, 1) from the top 53 bits of one 64-bit output.
#[inline]
pub fn uniform(rng: &mut ChaCha8Rng) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// A uniform draw in (0, 1], for logarithms.
#[inline]
pub fn uniform_open_zero(rng: &mut ChaCha8Rng) -> f64 {
    1.0 - uniform(rng)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_pure_functions_of_their_keys() {
        let a: Vec<f64> =
            (0..4).map(|_| 0.0).scan(stream(7, 1, 2, Some(3), Purpose::Week), |r, _| Some(uniform(r))).collect();
        let b: Vec<f64> =
            (0..4).map(|_| 0.0).scan(stream(7, 1, 2, Some(3), Purpose::Week), |r, _| Some(uniform(r))).collect();
        assert_eq!(a, b);
    }

    #[test]
    fn every_key_changes_the_stream() {
        let first = |mut r: ChaCha8Rng| uniform(&mut r);
        let base = first(stream(7, 1, 2, Some(3), Purpose::Week));
        assert_ne!(base, first(stream(8, 1, 2, Some(3), Purpose::Week)));
        assert_ne!(base, first(stream(7, 2, 2, Some(3), Purpose::Week)));
        assert_ne!(base, first(stream(7, 1, 3, Some(3), Purpose::Week)));
        assert_ne!(base, first(stream(7, 1, 2, Some(4), Purpose::Week)));
        assert_ne!(base, first(stream(7, 1, 2, None, Purpose::Week)));
        assert_ne!(base, first(stream(7, 1, 2, Some(3), Purpose::Setup)));
        assert_ne!(base, first(stream(7, 1, 2, Some(3), Purpose::Shocks)));
        assert_ne!(
            first(stream(7, 1, 2, None, Purpose::Distance(0))),
            first(stream(7, 1, 2, None, Purpose::Distance(1)))
        );
    }

    #[test]
    fn uniforms_stay_in_range() {
        let mut r = stream(1, 0, 0, None, Purpose::Setup);
        for _ in 0..10_000 {
            let u = uniform(&mut r);
            assert!((0.0..1.0).contains(&u));
            let v = uniform_open_zero(&mut r);
            assert!(v > 0.0 && v <= 1.0);
        }
    }
}
