//! The economics, as pure functions: distances, logit choice, loyalty, adoption, retailer changes.

pub mod adoption;
pub mod change;
pub mod coupling;
pub mod geometry;
pub mod lanes;
pub mod logit;
pub mod loyalty;
pub mod nested_coupling;
pub mod nested_logit;
pub mod retailer_state;
