//! cartshift: a scenario simulator of grocery e-commerce competition.
//!
//! A scenario file describes a market (regions, segments of households with their tastes,
//! retailers with stores, pickup and delivery) and events (price cuts, partnerships,
//! acquisitions). The engine simulates households week by week — multinomial logit choice,
//! Guadagni–Little loyalty, Bass-style online adoption — over independent replications,
//! and the output layer writes tidy CSV with confidence intervals.
//!
//! ```
//! use cartshift::scenario::{load_str, LoadOptions};
//!
//! let text = r#"
//! name = "tiny"
//! [market]
//! households = 1000
//! outside_option = "Other grocers"
//! [simulation]
//! weeks = 2
//! warmup_weeks = 1
//! replications = 2
//! households = 100
//! [dynamics]
//! loyalty_smoothing = 0.8
//! loyalty_weight = 1.0
//! adoption_innovation = 0.01
//! adoption_imitation = 0.1
//! [[region]]
//! name = "town"
//! households_share = 1.0
//! area_km2 = 50.0
//! [[segment]]
//! name = "everyone"
//! share = 1.0
//! price_sensitivity = 5.0
//! distance_sensitivity = 0.3
//! time_value = 0.05
//! fee_sensitivity = 0.1
//! weekly_spend = 100.0
//! digital_adoption = 0.2
//! [[retailer]]
//! name = "Corner Shop"
//! stores = 10
//! quality = 0.5
//! price_index = 1.0
//! checkout_wait_min = 4.0
//! "#;
//! let scenario = load_str(text, &LoadOptions::default()).unwrap();
//! let results = cartshift::engine::run(&scenario, &|_| {});
//! let week = &results.replications[0].weeks[0];
//! let total: f64 = week.trips.iter().sum();
//! assert!((total - 1000.0).abs() < 1e-6); // every household makes one trip a week
//! ```
#![deny(missing_docs)]

pub mod calibrate;
pub mod engine;
pub mod error;
pub mod guard;
pub mod location;
pub mod model;
pub mod output;
pub mod pipeline;
pub mod report;
pub mod rng;
pub mod scenario;
pub mod sensitivity;
pub mod stats;
pub mod suggest;
pub mod sweep;

pub use error::{Error, ScenarioError};
pub use scenario::Scenario;
