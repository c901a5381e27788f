//! What the kernel needs for one week, precomputed from the retailers' current parameters.
//!
//! Utilities split into a part shared by a segment in a region (quality, price, wait, fee,
//! and whether the channel exists there) and a part per household (distance, loyalty,
//! online capability, delivery reach). The shared part is computed here once per week, in
//! `f32`, with [`UNAVAILABLE`] folded in where a channel does not exist. A segment's taste
//! for a retailer's format is part of the shared part; the nests themselves (MODEL.md §3a)
//! are described by [`WeekTables::retailer_nest`] and [`WeekTables::lambda`].

use crate::model::geometry::{coverage_threshold, distance_scale};
use crate::model::logit::UNAVAILABLE;
use crate::model::retailer_state::RetailerState;
use crate::scenario::{Scenario, Segment};

/// Channels per retailer, in output and choice order.
pub const CHANNELS: [&str; 3] = ["store", "pickup", "delivery"];

/// Alternative index of (retailer, channel); 0 is the outside option.
#[inline]
pub fn alternative(retailer: usize, channel: usize) -> usize {
    1 + 3 * retailer + channel
}

/// Per-week inputs to the choice kernel.
#[derive(Debug, Clone)]
pub struct WeekTables {
    /// Retailers R.
    pub retailers: usize,
    /// Segments S.
    pub segments: usize,
    /// Regions G.
    pub regions: usize,
    /// Utility without distance and loyalty, `[((segment * G + region) * R + retailer) * 3 + channel]`;
    /// [`UNAVAILABLE`] where the channel does not exist in the region or the retailer is gone.
    pub base: Vec<f32>,
    /// km per unit distance to the nearest store, `[region * R + retailer]` (0 where none).
    pub store_km: Vec<f32>,
    /// Same for the nearest pickup store.
    pub pickup_km: Vec<f32>,
    /// Delivery reaches unit distances strictly below this, `[region * R + retailer]`.
    pub delivery_reach: Vec<f32>,
    /// β_d per segment.
    pub distance_sensitivity: Vec<f32>,
    /// γ.
    pub loyalty_weight: f32,
    /// θ as the loyalty update's integer multiplier ([`crate::model::loyalty::keep`]).
    pub loyalty_keep: u32,
    /// Adoption pull per retailer.
    pub pull: Vec<f32>,
    /// The retailers that pull households online (pull > 0), in retailer order: the kernel sums
    /// only their terms (the others add an exact zero, so the sum is the same); empty when none
    /// pulls.
    pub pulling: Vec<usize>,
    /// True if any retailer has a price response: the kernel then tallies expected shares.
    pub expected_shares: bool,
    /// Nest of each retailer's channels: 0 (the outside option's nest, λ = 1) for a retailer
    /// without a format, 1 + its format's index otherwise.
    pub retailer_nest: Vec<u8>,
    /// λ per nest; nest 0's is 1.
    pub lambda: Vec<f32>,
    /// True when some nest has λ < 1: only then does the kernel use nested-logit weights (with
    /// λ = 1 everywhere the nested logit is the plain logit, whose faster path gives the same
    /// choices as before formats existed).
    pub nested: bool,
    /// km per unit distance to the nearest outside-option store, per region; empty when the
    /// outside option has no stores of its own (then V_outside = 0).
    pub outside_km: Vec<f32>,
    /// The households-in-lanes kernel's menus, one per cell, built once a week by the first
    /// block that needs them.
    #[cfg(target_arch = "x86_64")]
    pub(crate) lane_menus: std::sync::OnceLock<Vec<super::kernel_lanes::Menu>>,
}

impl WeekTables {
    /// Tables for retailers in `states`.
    pub fn new(s: &Scenario, states: &[RetailerState]) -> WeekTables {
        let r_count = states.len();
        let mut base = Vec::with_capacity(s.segments.len() * s.regions.len() * r_count * 3);
        for seg in &s.segments {
            for g in 0..s.regions.len() {
                for (st, retailer) in states.iter().zip(&s.retailers) {
                    let taste = retailer.format.map_or(0.0, |f| seg.format_taste[f]);
                    let channels =
                        channel_utilities(seg, st, g).map(|v| if v > UNAVAILABLE as f64 { v + taste } else { v });
                    base.extend(channels.map(|v| v as f32));
                }
            }
        }
        let outside_km = match &s.outside_stores {
            Some(stores) => s
                .regions
                .iter()
                .zip(stores)
                .map(|(region, &n)| distance_scale(n, region.area_km2).unwrap_or(0.0) as f32)
                .collect(),
            None => Vec::new(),
        };
        let mut lambda = vec![1.0f32];
        lambda.extend(s.formats.iter().map(|f| f.dissimilarity as f32));
        let (mut store_km, mut pickup_km, mut delivery_reach) = (Vec::new(), Vec::new(), Vec::new());
        for (g, region) in s.regions.iter().enumerate() {
            for st in states {
                store_km.push(distance_scale(st.stores[g], region.area_km2).unwrap_or(0.0) as f32);
                pickup_km.push(distance_scale(st.pickup_stores(g), region.area_km2).unwrap_or(0.0) as f32);
                let reach = st.delivery.as_ref().map_or(0.0, |d| coverage_threshold(d.coverage[g]));
                delivery_reach.push(reach as f32);
            }
        }
        let pull: Vec<f32> = states.iter().map(|st| if st.active { st.adoption_pull as f32 } else { 0.0 }).collect();
        WeekTables {
            retailers: r_count,
            segments: s.segments.len(),
            regions: s.regions.len(),
            base,
            store_km,
            pickup_km,
            delivery_reach,
            distance_sensitivity: s.segments.iter().map(|seg| seg.distance_sensitivity as f32).collect(),
            loyalty_weight: s.dynamics.loyalty_weight as f32,
            loyalty_keep: crate::model::loyalty::keep(s.dynamics.loyalty_smoothing as f32),
            pulling: (0..r_count).filter(|&r| pull[r] > 0.0).collect(),
            pull,
            expected_shares: s.retailers.iter().any(|r| r.price_response.is_some()),
            retailer_nest: s.retailers.iter().map(|r| r.format.map_or(0, |f| f as u8 + 1)).collect(),
            nested: lambda.iter().any(|&l| l < 1.0),
            lambda,
            outside_km,
            #[cfg(target_arch = "x86_64")]
            lane_menus: std::sync::OnceLock::new(),
        }
    }
}

/// V without distance and loyalty for store, pickup and delivery in region `g` (MODEL.md §3).
fn channel_utilities(seg: &Segment, st: &RetailerState, g: usize) -> [f64; 3] {
    let none = UNAVAILABLE as f64;
    if !st.active {
        return [none; 3];
    }
    let shared = st.quality - seg.price_sensitivity * st.price_index.ln();
    let store = if st.stores[g] > 0.0 { shared - seg.time_value * st.checkout_wait_min } else { none };
    let pickup = match &st.pickup {
        Some(p) if st.pickup_stores(g) > 0.0 => {
            shared + p.quality - seg.time_value * p.wait_min - seg.fee_sensitivity * p.fee
        }
        _ => none,
    };
    let delivery = match &st.delivery {
        Some(d) if d.coverage[g] > 0.0 => shared + d.quality - seg.fee_sensitivity * d.fee,
        _ => none,
    };
    [store, pickup, delivery]
}
