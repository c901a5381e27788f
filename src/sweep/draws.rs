//! The random streams of sweep designs: ChaCha8 generators keyed by (design seed, index).
//!
//! The key's third word is a constant no simulation stream uses (simulation streams put a
//! household block number there), and each use has its own stream id, so design draws never
//! coincide with a replication's draws even when the design seed equals the simulation seed.

use rand_chacha::ChaCha8Rng;
use rand_core::Rng;

/// Third key word of every design stream ("sweep" in ASCII).
const DESIGN_KEY: u64 = 0x73_7765_6570;

/// What a design stream is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DesignStream {
    /// One uniform per parameter for point `index` of a random design.
    Random,
    /// One uniform per parameter for the position of point `index` inside its strata.
    HypercubeJitter,
    /// The order of the strata of parameter `index`: one Fisher–Yates shuffle.
    HypercubeOrder,
    /// The Owen-scrambling seed of a sobol design (index 0).
    SobolScramble,
    /// Base point, directions and order of trajectory `index` of a morris design.
    MorrisTrajectory,
}

impl DesignStream {
    fn id(self) -> u64 {
        match self {
            DesignStream::Random => 1,
            DesignStream::HypercubeJitter => 2,
            DesignStream::HypercubeOrder => 3,
            DesignStream::SobolScramble => 4,
            DesignStream::MorrisTrajectory => 5,
        }
    }
}

/// The stream for one use and index of a design.
pub(crate) fn design_stream(seed: u64, purpose: DesignStream, index: u64) -> ChaCha8Rng {
    crate::rng::keyed_stream([seed, index, DESIGN_KEY, 0], purpose.id())
}

/// A uniform integer in `0..bound` (`bound` ≥ 1) by Lemire's multiply-shift; the bias is below
/// `bound / 2^64`, far under anything a sweep could detect.
pub(crate) fn below(rng: &mut ChaCha8Rng, bound: usize) -> usize {
    ((rng.next_u64() as u128 * bound as u128) >> 64) as usize
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::uniform;

    #[test]
    fn streams_depend_on_every_key() {
        let first = |mut r: ChaCha8Rng| uniform(&mut r);
        let base = first(design_stream(1, DesignStream::Random, 0));
        assert_eq!(base, first(design_stream(1, DesignStream::Random, 0)));
        assert_ne!(base, first(design_stream(2, DesignStream::Random, 0)));
        assert_ne!(base, first(design_stream(1, DesignStream::Random, 1)));
        assert_ne!(base, first(design_stream(1, DesignStream::HypercubeJitter, 0)));
    }

    #[test]
    fn below_stays_below() {
        let mut rng = design_stream(3, DesignStream::HypercubeOrder, 0);
        assert!((0..1000).all(|_| below(&mut rng, 7) < 7));
        assert!((0..100).all(|_| below(&mut rng, 1) == 0));
    }
}
