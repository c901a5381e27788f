//! The validated scenario the engine runs: loaded from TOML, merged, overridden, checked once.
//!
//! Nothing in here is re-checked by the engine: if a [`Scenario`] exists, it is runnable.

mod apply;
mod calibration;
pub mod error;
mod files;
mod limits;
mod load;
mod merge;
mod overrides;
pub mod raw;
mod source_map;
mod sweep;
mod sweep_designs;
mod sweep_table;
mod validate;

pub use crate::model::change::{Change, Field, Op};
pub(crate) use apply::apply_event;
pub use calibration::{CalibrationTargets, Measure};
pub use limits::{MAX_GROUPS, MAX_TOTAL, MAX_UTILITY};
pub use load::{LoadOptions, MAX_EXTENDS_DEPTH, load, load_files, load_str};
pub use sweep::{Sweep, load_sweep, load_sweep_str, parameter_text};

use crate::model::retailer_state::RetailerState;

/// A small valid scenario for unit tests: two regions, one segment, an online-only `Shop`
/// whose delivery coverage is the text `COVERAGE`, to be replaced.
#[cfg(test)]
pub(crate) const TEST_SCENARIO: &str = r#"name = "test"
[market]
households = 1000
outside_option = "Other"
[dynamics]
loyalty_smoothing = 0.8
loyalty_weight = 1.0
adoption_innovation = 0.01
adoption_imitation = 0.1
[[region]]
name = "urban"
households_share = 0.5
area_km2 = 10
[[region]]
name = "rural"
households_share = 0.5
area_km2 = 100
[[segment]]
name = "all"
share = 1.0
price_sensitivity = 1
distance_sensitivity = 0.1
time_value = 0.1
fee_sensitivity = 0.1
weekly_spend = 100
digital_adoption = 0.2
[[retailer]]
name = "Shop"
stores = 0
quality = 0
price_index = 1
delivery = { coverage = COVERAGE }
"#;

/// A runnable scenario.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// `name`: identifies the scenario in every CSV row.
    pub name: String,
    /// `description`, free text.
    pub description: Option<String>,
    /// `market.households`: real households the sample stands for.
    pub households: f64,
    /// `market.outside_option`: name of the anchor alternative (utility 0 but for distance).
    pub outside_option: String,
    /// `market.outside_stores` spread by `market.outside_region_mix`: the outside option's
    /// stores per region; `None` makes it a free, everywhere-nearest alternative (V = 0).
    pub outside_stores: Option<Vec<f64>>,
    /// `[[format]]` in file order: the nests of MODEL.md §3a.
    pub formats: Vec<Format>,
    /// `[[region]]` in file order.
    pub regions: Vec<Region>,
    /// `[[segment]]` in file order.
    pub segments: Vec<Segment>,
    /// `[[retailer]]` in file order (a parent's retailers first).
    pub retailers: Vec<Retailer>,
    /// `[dynamics]`.
    pub dynamics: Dynamics,
    /// `[simulation]`, defaults filled in.
    pub simulation: Simulation,
    /// `[[event]]` in file order.
    pub events: Vec<Event>,
    /// SHA-256 of the fully merged scenario document, hex.
    pub hash: String,
    /// The file this scenario `extends`, if any: its reference.
    pub parent: Option<std::path::PathBuf>,
    /// `[calibration]` targets, if any.
    pub calibration: Option<CalibrationTargets>,
}

/// A nest of retailers whose shoppers substitute among themselves first.
#[derive(Debug, Clone, PartialEq)]
pub struct Format {
    /// `name`.
    pub name: String,
    /// λ ∈ (0, 1]: 1 is the plain logit, smaller means closer substitutes within the nest.
    pub dissimilarity: f64,
}

/// A part of the market with its own store densities.
#[derive(Debug, Clone, PartialEq)]
pub struct Region {
    /// `name`.
    pub name: String,
    /// `households_share` ∈ [0, 1]; all regions sum to 1.
    pub households_share: f64,
    /// `area_km2` > 0.
    pub area_km2: f64,
}

/// A group of households with common tastes.
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    /// `name`.
    pub name: String,
    /// `share` of households; all segments sum to 1.
    pub share: f64,
    /// β_p, utility per unit of ln(price index).
    pub price_sensitivity: f64,
    /// β_d, utility per km.
    pub distance_sensitivity: f64,
    /// β_t, utility per minute.
    pub time_value: f64,
    /// β_f, utility per dollar of fee.
    pub fee_sensitivity: f64,
    /// Dollars per trip at price index 1.
    pub weekly_spend: f64,
    /// Share online-capable at the start.
    pub digital_adoption: f64,
    /// Utility added to every alternative of a retailer in each format (by format index).
    pub format_taste: Vec<f64>,
}

impl Segment {
    /// α_s: the utility of one dollar to this segment, β_p / weekly spend (a 1% higher price
    /// index costs about 1% of the basket).
    pub fn dollar_utility(&self) -> f64 {
        self.price_sensitivity / self.weekly_spend
    }

    /// The tastes in dollars: waiting ($/h), distance ($/km, round trip) and a fee's weight
    /// (1 = a dollar is a dollar); `None` where the segment ignores price (α = 0).
    pub fn tastes_in_dollars(&self) -> Option<TastesInDollars> {
        let dollar = self.dollar_utility();
        (dollar > 0.0).then(|| TastesInDollars {
            value_of_time_per_hour: self.time_value * 60.0 / dollar,
            travel_cost_per_km: self.distance_sensitivity / dollar,
            fee_weight: self.fee_sensitivity / dollar,
        })
    }
}

/// A segment's tastes converted to money through its price coefficient.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TastesInDollars {
    /// $ per hour of waiting (checkout, pickup).
    pub value_of_time_per_hour: f64,
    /// $ per km of distance to the store.
    pub travel_cost_per_km: f64,
    /// How many dollars of basket a dollar of fee weighs.
    pub fee_weight: f64,
}

/// A retailer: its fixed identity and its parameters at the start of the run.
#[derive(Debug, Clone, PartialEq)]
pub struct Retailer {
    /// `name`, unique.
    pub name: String,
    /// Share of its stores per region (sums to 1).
    pub region_mix: Vec<f64>,
    /// Optional price pressure rule.
    pub price_response: Option<PriceResponse>,
    /// `owner`: the company that owns the banner at the start (default: the retailer itself).
    pub owner: String,
    /// Index of its `[[format]]` nest, if any.
    pub format: Option<usize>,
    /// Parameters events and price response change.
    pub initial: RetailerState,
}

/// MODEL.md §5 price pressure.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PriceResponse {
    /// Cut per unit of relative share lost.
    pub strength: f64,
    /// Lowest price index it will go to.
    pub floor: f64,
    /// Looks at its share every this many reported weeks.
    pub every_weeks: u32,
}

/// Loyalty and adoption coefficients.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dynamics {
    /// θ in L ← θL + (1 − θ)·chosen.
    pub loyalty_smoothing: f64,
    /// γ, utility of full loyalty.
    pub loyalty_weight: f64,
    /// Bass p, weekly.
    pub adoption_innovation: f64,
    /// Bass q, weekly.
    pub adoption_imitation: f64,
}

/// How much to simulate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Simulation {
    /// Reported weeks.
    pub weeks: u32,
    /// Weeks simulated before week 0 and not reported.
    pub warmup_weeks: u32,
    /// Independent replications.
    pub replications: u32,
    /// Root of every random stream.
    pub seed: u64,
    /// Simulated households N.
    pub households: u64,
}

/// Default `[simulation]` values, documented in the README.
pub const DEFAULT_SIMULATION: Simulation =
    Simulation { weeks: 52, warmup_weeks: 26, replications: 32, seed: 2018, households: 20_000 };

/// A change to a retailer from a reported week on.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// `name`, or `event N` (1-based) when unnamed.
    pub label: String,
    /// First reported week it applies in.
    pub week: u32,
    /// Index of the retailer it changes.
    pub retailer: usize,
    /// Index of a retailer it acquires.
    pub acquire: Option<usize>,
    /// `rebrand = true`: the acquired retailer folds into the acquirer instead of trading on
    /// as a banner.
    pub rebrand: bool,
    /// `set`, `scale`, `add` changes in that order.
    pub changes: Vec<Change>,
}

impl Scenario {
    /// The owners of the scenario's banners, each once, in the order their first retailer
    /// appears in the file (acquirers' owners are among them).
    pub fn owners(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for r in &self.retailers {
            if !out.contains(&r.owner) {
                out.push(r.owner.clone());
            }
        }
        out
    }

    /// Weeks simulated in all, warm-up included.
    pub fn total_weeks(&self) -> u32 {
        self.simulation.warmup_weeks + self.simulation.weeks
    }

    /// Which channels a retailer can ever offer in this scenario: `[store, pickup, delivery]`.
    /// These are the channels that get rows in the output.
    pub fn channels_offered(&self, retailer: usize) -> [bool; 3] {
        let mut offered = self.retailers[retailer].initial.channels();
        for event in self.events.iter().filter(|e| e.retailer == retailer) {
            if let Some(target) = event.acquire {
                let theirs = self.retailers[target].initial.channels();
                for c in 0..3 {
                    offered[c] |= theirs[c];
                }
            }
            if event.changes.iter().any(|c| c.field.is_store_count()) {
                offered[0] = true;
            }
        }
        offered
    }

    /// Event indices per reported week, in the order they apply: acquisitions first, then file order.
    pub fn event_schedule(&self) -> Vec<Vec<usize>> {
        let mut schedule = vec![Vec::new(); self.simulation.weeks as usize];
        for acquisitions in [true, false] {
            for (i, e) in self.events.iter().enumerate() {
                if e.acquire.is_some() == acquisitions {
                    schedule[e.week as usize].push(i);
                }
            }
        }
        schedule
    }
}
