//! The simulated households of one replication, in blocks that each own their random streams.

use crate::model::geometry::{quantise_distance, unit_distance};
use crate::rng::{BLOCK_HOUSEHOLDS, Purpose, stream, uniform, uniform_open_zero};
use crate::scenario::Scenario;
use rayon::prelude::*;

/// Up to [`BLOCK_HOUSEHOLDS`] households as a struct of arrays; per-retailer values are
/// stored household-major (`[household * retailers + retailer]`).
#[derive(Debug, Clone)]
pub struct Block {
    /// Block number: the `block` key of its random streams.
    pub index: usize,
    /// Region of each household (contiguous across blocks).
    pub region: Vec<u8>,
    /// Segment of each household (drawn).
    pub segment: Vec<u8>,
    /// Online-capable yet?
    pub online: Vec<bool>,
    /// Nearest-store distance at unit density, sqrt(−ln U_hr / π), per retailer, in quanta
    /// of [`crate::model::geometry::DISTANCE_QUANTUM`].
    pub unit_distance: Vec<u16>,
    /// Nearest outside-option store at unit density, one per household, in the same quanta;
    /// empty when the outside option has no stores of its own.
    pub outside_distance: Vec<u16>,
    /// Loyalty L_hr per retailer, in quanta of [`crate::model::loyalty::QUANTUM`].
    pub loyalty: Vec<u16>,
    /// Shopped at the retailer (any channel) in a reported week yet? A bitset per household,
    /// [`visited_bytes`] bytes each, retailer r in bit r % 8 of byte r / 8.
    pub visited: Vec<u8>,
}

impl Block {
    /// Households in this block.
    pub fn len(&self) -> usize {
        self.region.len()
    }

    /// Bytes the households' arrays hold (their capacity): memory that grows with households.
    pub fn heap_bytes(&self) -> usize {
        self.region.capacity()
            + self.segment.capacity()
            + self.online.capacity() * size_of::<bool>()
            + self.unit_distance.capacity() * size_of::<u16>()
            + self.outside_distance.capacity() * size_of::<u16>()
            + self.loyalty.capacity() * size_of::<u16>()
            + self.visited.capacity()
    }

    /// True for a block with no households.
    pub fn is_empty(&self) -> bool {
        self.region.is_empty()
    }
}

/// Bytes per household of [`Block::visited`] for `retailers` retailers.
pub fn visited_bytes(retailers: usize) -> usize {
    retailers.div_ceil(8)
}

/// Households per region by largest-remainder rounding of `share × n` (ties to the first region).
pub fn region_sizes(shares: &[f64], n: u64) -> Vec<u64> {
    let exact: Vec<f64> = shares.iter().map(|s| s * n as f64).collect();
    let mut sizes: Vec<u64> = exact.iter().map(|e| e.floor() as u64).collect();
    let assigned: u64 = sizes.iter().sum();
    let mut order: Vec<usize> = (0..shares.len()).collect();
    order.sort_by(|&a, &b| {
        let (ra, rb) = (exact[a] - exact[a].floor(), exact[b] - exact[b].floor());
        rb.total_cmp(&ra).then(a.cmp(&b))
    });
    for &g in order.iter().cycle().take(n.saturating_sub(assigned) as usize) {
        sizes[g] += 1;
    }
    sizes
}

/// Draws every household of one replication: segment, starting online capability and the
/// nearest-store draw per retailer, each from its own stream so that adding a retailer
/// leaves the others' draws unchanged.
pub fn populate(scenario: &Scenario, replication: u32) -> Vec<Block> {
    let n = scenario.simulation.households;
    let shares: Vec<f64> = scenario.regions.iter().map(|r| r.households_share).collect();
    let bounds: Vec<u64> = region_sizes(&shares, n)
        .iter()
        .scan(0, |acc, s| {
            *acc += s;
            Some(*acc)
        })
        .collect();
    let blocks = n.div_ceil(BLOCK_HOUSEHOLDS as u64) as usize;
    (0..blocks)
        .into_par_iter()
        .map(|b| {
            let first = (b * BLOCK_HOUSEHOLDS) as u64;
            let len = (n - first).min(BLOCK_HOUSEHOLDS as u64) as usize;
            populate_block(scenario, replication, b, first, len, &bounds)
        })
        .collect()
}

fn populate_block(s: &Scenario, replication: u32, index: usize, first: u64, len: usize, bounds: &[u64]) -> Block {
    let seed = s.simulation.seed;
    let region = (0..len as u64).map(|i| bounds.partition_point(|&b| b <= first + i) as u8).collect();
    let mut setup = stream(seed, replication, index, None, Purpose::Setup);
    let (mut segment, mut online) = (Vec::with_capacity(len), Vec::with_capacity(len));
    for _ in 0..len {
        let (u_segment, u_online) = (uniform(&mut setup), uniform(&mut setup));
        let seg = draw_segment(s, u_segment);
        segment.push(seg as u8);
        online.push(u_online < s.segments[seg].digital_adoption);
    }
    let retailers = s.retailers.len();
    let mut distance = vec![0u16; len * retailers];
    for r in 0..retailers {
        let mut rng = stream(seed, replication, index, None, Purpose::Distance(r));
        for i in 0..len {
            distance[i * retailers + r] = quantise_distance(unit_distance(uniform_open_zero(&mut rng)));
        }
    }
    let outside_distance = match s.outside_stores {
        Some(_) => {
            let mut rng = stream(seed, replication, index, None, Purpose::OutsideDistance);
            (0..len).map(|_| quantise_distance(unit_distance(uniform_open_zero(&mut rng)))).collect()
        }
        None => Vec::new(),
    };
    let loyalty = vec![0; len * retailers];
    let visited = vec![0; len * visited_bytes(retailers)];
    Block { index, region, segment, online, unit_distance: distance, outside_distance, loyalty, visited }
}

fn draw_segment(s: &Scenario, u: f64) -> usize {
    let mut cumulative = 0.0;
    for (i, seg) in s.segments.iter().enumerate() {
        cumulative += seg.share;
        if u < cumulative {
            return i;
        }
    }
    // Shares sum to 1 within 1e-6: the remainder belongs to the last segment with a share.
    s.segments.iter().rposition(|seg| seg.share > 0.0).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn largest_remainder_assigns_every_household() {
        assert_eq!(region_sizes(&[0.5, 0.3, 0.2], 10), vec![5, 3, 2]);
        assert_eq!(region_sizes(&[1.0 / 3.0; 3], 10), vec![4, 3, 3]);
        assert_eq!(region_sizes(&[0.25, 0.75], 3), vec![1, 2]);
        let sizes = region_sizes(&[0.333, 0.333, 0.334], 1001);
        assert_eq!(sizes.iter().sum::<u64>(), 1001);
    }
}
