//! Limits that keep every number a valid scenario produces finite, checked during validation.
//!
//! Each parameter being finite is not enough: a utility sums several terms, and horizon totals
//! multiply households, spend, price and weeks. These checks refuse, with the offending path,
//! any scenario whose arithmetic could overflow to infinity (and from there to NaN in a CSV).

use super::{Scenario, Segment};
use crate::model::retailer_state::RetailerState;

/// Largest horizon total (trips or revenue, in real households or dollars) a scenario may
/// reach, so that sums, variances and intervals over replications stay finite.
pub const MAX_TOTAL: f64 = 1e100;

/// Largest bound on a utility's magnitude (the sum of its terms' magnitudes): far beyond any
/// meaningful utility, and well inside `f32`, so that the kernel's arithmetic stays finite
/// whatever precision it uses.
pub const MAX_UTILITY: f64 = 1e30;

/// Most regions and most segments: households store them as one byte each.
pub const MAX_GROUPS: usize = 256;

/// A limit broken: the dotted path to blame and what is wrong.
pub(crate) type Breach = (String, String);

/// At most [`MAX_GROUPS`] elements in `array`.
pub(crate) fn check_count(array: &str, count: usize) -> Result<(), Breach> {
    if count > MAX_GROUPS {
        return Err((array.to_string(), format!("got {count} [[{array}]] tables, expected at most {MAX_GROUPS}")));
    }
    Ok(())
}

/// Warm-up plus reported weeks must be countable.
pub(crate) fn check_horizon(weeks: u32, warmup_weeks: u32) -> Result<(), Breach> {
    match weeks.checked_add(warmup_weeks) {
        Some(_) => Ok(()),
        None => Err((
            "simulation.warmup_weeks".into(),
            format!("weeks + warmup_weeks is {}, expected at most {}", weeks as u64 + warmup_weeks as u64, u32::MAX),
        )),
    }
}

/// An upper bound of |V − γL| over a retailer's channels for one segment, plus |γ|: if it is
/// at most [`MAX_UTILITY`], every utility the kernel computes (base + γL − β_d·d) is finite or −∞.
fn utility_bound(seg: &Segment, st: &RetailerState, floor: Option<f64>, loyalty_weight: f64) -> f64 {
    let price = seg.price_sensitivity * (st.price_index.ln().abs() + floor.map_or(0.0, |f| f.ln().abs()));
    let format_taste = seg.format_taste.iter().fold(0.0, |m: f64, t| m.max(t.abs()));
    let mut bound =
        st.quality.abs() + price + seg.time_value * st.checkout_wait_min + loyalty_weight.abs() + format_taste;
    if let Some(p) = &st.pickup {
        bound += p.quality.abs() + seg.time_value * p.wait_min + seg.fee_sensitivity * p.fee;
    }
    if let Some(d) = &st.delivery {
        bound += d.quality.abs() + seg.fee_sensitivity * d.fee;
    }
    bound
}

/// Every segment's utilities of retailer `r` in state `st` stay finite.
pub(crate) fn check_utilities(s: &Scenario, r: usize, st: &RetailerState, path: &str) -> Result<(), Breach> {
    let retailer = &s.retailers[r];
    let floor = retailer.price_response.map(|p| p.floor);
    for seg in &s.segments {
        let bound = utility_bound(seg, st, floor, s.dynamics.loyalty_weight);
        if bound.is_nan() || bound > MAX_UTILITY {
            let message = format!(
                "{}'s utility for segment '{}' could reach {bound:e}: the magnitudes of quality, quality \
                 offsets, loyalty_weight and the price, wait and fee terms must add up to at most {MAX_UTILITY:e}",
                retailer.name, seg.name
            );
            return Err((path.to_string(), message));
        }
    }
    Ok(())
}

/// Horizon trips and revenue stay below [`MAX_TOTAL`]; `max_price` is the highest price index
/// any retailer reaches.
pub(crate) fn check_totals(s: &Scenario, max_price: f64) -> Result<(), Breach> {
    let weeks = s.simulation.weeks as f64;
    let spend = s.segments.iter().map(|seg| seg.weekly_spend).fold(0.0, f64::max);
    let trips = s.households * weeks;
    let revenue = trips * spend * max_price.max(1.0);
    if !(trips <= MAX_TOTAL && revenue <= MAX_TOTAL) {
        let message = format!(
            "horizon totals reach {:e} (market.households × weeks × weekly_spend × price_index), expected at most \
             {MAX_TOTAL:e}",
            revenue.max(trips)
        );
        return Err(("market.households".into(), message));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn horizon_overflow_is_a_breach() {
        assert!(check_horizon(u32::MAX, 1).is_err());
        assert!(check_horizon(u32::MAX - 1, 1).is_ok());
    }

    #[test]
    fn group_counts_fit_in_a_byte() {
        assert!(check_count("region", 256).is_ok());
        assert!(check_count("region", 257).unwrap_err().1.contains("at most 256"));
    }
}
