//! What the kernel needs for one week, precomputed from the retailers' current parameters.
//!
//! Utilities split into a part shared by a segment (quality, price, wait, fee) and a part
//! per household (distance, loyalty). The shared part is computed here once per week.

use crate::model::geometry::{coverage_threshold, distance_scale};
use crate::model::retailer_state::RetailerState;
use crate::scenario::Scenario;

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
    /// Utility without distance and loyalty, `[(segment * R + retailer) * 3 + channel]`;
    /// `NEG_INFINITY` where the channel does not exist or the retailer is gone.
    pub base: Vec<f64>,
    /// km per unit distance to the nearest store, `[region * R + retailer]`; `None`: no store.
    pub store_scale: Vec<Option<f64>>,
    /// Same for the nearest pickup store.
    pub pickup_scale: Vec<Option<f64>>,
    /// Delivery reaches unit distances below this, `[region * R + retailer]`.
    pub delivery_reach: Vec<f64>,
    /// β_d per segment.
    pub distance_sensitivity: Vec<f64>,
    /// γ.
    pub loyalty_weight: f64,
    /// Adoption pull per retailer.
    pub pull: Vec<f64>,
    /// True if any retailer pulls households online.
    pub any_pull: bool,
}

impl WeekTables {
    /// Tables for retailers in `states`.
    pub fn new(s: &Scenario, states: &[RetailerState]) -> WeekTables {
        let r_count = states.len();
        let mut base = Vec::with_capacity(s.segments.len() * r_count * 3);
        for seg in &s.segments {
            for st in states {
                base.extend(channel_utilities(seg, st));
            }
        }
        let (mut store_scale, mut pickup_scale, mut delivery_reach) = (Vec::new(), Vec::new(), Vec::new());
        for (g, region) in s.regions.iter().enumerate() {
            for st in states {
                store_scale.push(distance_scale(st.stores[g], region.area_km2));
                pickup_scale.push(distance_scale(st.pickup_stores(g), region.area_km2));
                delivery_reach.push(st.delivery.as_ref().map_or(0.0, |d| coverage_threshold(d.coverage[g])));
            }
        }
        let pull: Vec<f64> = states.iter().map(|st| if st.active { st.adoption_pull } else { 0.0 }).collect();
        WeekTables {
            retailers: r_count,
            segments: s.segments.len(),
            base,
            store_scale,
            pickup_scale,
            delivery_reach,
            distance_sensitivity: s.segments.iter().map(|seg| seg.distance_sensitivity).collect(),
            loyalty_weight: s.dynamics.loyalty_weight,
            any_pull: pull.iter().any(|&p| p > 0.0),
            pull,
        }
    }
}

/// V without distance and loyalty for store, pickup and delivery (MODEL.md §3).
fn channel_utilities(seg: &crate::scenario::Segment, st: &RetailerState) -> [f64; 3] {
    let none = f64::NEG_INFINITY;
    if !st.active {
        return [none; 3];
    }
    let shared = st.quality - seg.price_sensitivity * st.price_index.ln();
    let store = shared - seg.time_value * st.checkout_wait_min;
    let pickup = st
        .pickup
        .as_ref()
        .map_or(none, |p| shared + p.quality - seg.time_value * p.wait_min - seg.fee_sensitivity * p.fee);
    let delivery = st.delivery.as_ref().map_or(none, |d| shared + d.quality - seg.fee_sensitivity * d.fee);
    [store, pickup, delivery]
}
