//! Serde mirror of the scenario TOML: every key MODEL.md names, all optional here, none other.
//!
//! Requiredness, ranges and cross-references are checked by `validate`, which turns a
//! [`RawScenario`] into a [`crate::Scenario`]. Unknown keys are refused here.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A whole scenario document after `extends` merging and `--set` overrides.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct RawScenario {
    pub name: Option<String>,
    pub description: Option<String>,
    pub extends: Option<String>,
    pub reference: Option<String>,
    pub market: Option<RawMarket>,
    pub simulation: Option<RawSimulation>,
    pub dynamics: Option<RawDynamics>,
    #[serde(default)]
    pub region: Vec<RawRegion>,
    #[serde(default)]
    pub segment: Vec<RawSegment>,
    #[serde(default)]
    pub retailer: Vec<RawRetailer>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub format: Vec<RawFormat>,
    #[serde(default)]
    pub event: Vec<RawEvent>,
    pub sweep: Option<toml::Table>,
    pub calibration: Option<toml::Table>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct RawMarket {
    pub households: Option<f64>,
    pub outside_option: Option<String>,
    /// Stores of everyone else: the outside option's own store density (MODEL.md §2).
    pub outside_stores: Option<f64>,
    /// Share of those stores per region (default: proportional to households).
    pub outside_region_mix: Option<BTreeMap<String, f64>>,
}

/// A nest of retailers that substitute among themselves first (MODEL.md §3a).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct RawFormat {
    pub name: Option<String>,
    pub dissimilarity: Option<f64>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct RawSimulation {
    pub weeks: Option<u32>,
    pub warmup_weeks: Option<u32>,
    pub replications: Option<u32>,
    pub seed: Option<u64>,
    pub households: Option<u64>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct RawDynamics {
    pub loyalty_smoothing: Option<f64>,
    pub loyalty_weight: Option<f64>,
    pub adoption_innovation: Option<f64>,
    pub adoption_imitation: Option<f64>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct RawRegion {
    pub name: Option<String>,
    pub households_share: Option<f64>,
    pub area_km2: Option<f64>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct RawSegment {
    pub name: Option<String>,
    pub share: Option<f64>,
    pub price_sensitivity: Option<f64>,
    pub distance_sensitivity: Option<f64>,
    pub time_value: Option<f64>,
    pub fee_sensitivity: Option<f64>,
    pub weekly_spend: Option<f64>,
    pub digital_adoption: Option<f64>,
    /// $ per hour of waiting, instead of `time_value`.
    pub value_of_time: Option<f64>,
    /// $ per km of distance to the store (time and driving, round trip), instead of
    /// `distance_sensitivity`.
    pub travel_cost: Option<f64>,
    /// Utility added to every alternative of a format, by format name.
    pub format_taste: Option<BTreeMap<String, f64>>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct RawRetailer {
    pub name: Option<String>,
    pub stores: Option<f64>,
    pub region_mix: Option<BTreeMap<String, f64>>,
    pub quality: Option<f64>,
    pub price_index: Option<f64>,
    pub checkout_wait_min: Option<f64>,
    pub pickup: Option<RawPickup>,
    pub delivery: Option<RawDelivery>,
    pub adoption_pull: Option<f64>,
    pub price_response: Option<RawPriceResponse>,
    pub owner: Option<String>,
    pub format: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct RawPickup {
    pub fee: Option<f64>,
    pub wait_min: Option<f64>,
    pub quality: Option<f64>,
    pub stores: Option<f64>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct RawDelivery {
    pub fee: Option<f64>,
    pub quality: Option<f64>,
    pub coverage: Option<RawCoverage>,
}

/// Delivery coverage: one share for every region, or a share per region name.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(untagged)]
#[allow(missing_docs)]
pub enum RawCoverage {
    Everywhere(f64),
    ByRegion(BTreeMap<String, f64>),
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct RawPriceResponse {
    pub strength: Option<f64>,
    pub floor: Option<f64>,
    pub every_weeks: Option<u32>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct RawEvent {
    pub name: Option<String>,
    pub week: Option<u32>,
    pub retailer: Option<String>,
    pub acquire: Option<String>,
    pub rebrand: Option<bool>,
    pub set: Option<toml::Table>,
    pub scale: Option<toml::Table>,
    pub add: Option<toml::Table>,
}
