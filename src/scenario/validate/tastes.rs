//! Segments: tastes in utility or in dollars, and affinities for formats.

use super::{Checker, Range, Result};
use crate::scenario::raw::RawSegment;
use crate::scenario::{Format, Segment, limits};
use std::collections::BTreeMap;

pub(super) fn segments(c: &Checker, raw: Vec<RawSegment>, formats: &[Format]) -> Result<Vec<Segment>> {
    if raw.is_empty() {
        return Err(c.error("segment", "expected at least one [[segment]]"));
    }
    c.limit(limits::check_count("segment", raw.len()))?;
    let mut out = Vec::new();
    for (i, s) in raw.into_iter().enumerate() {
        let name = c.name(s.name, &format!("segment.#{}", i + 1))?;
        let p = format!("segment.{name}");
        let key = |k: &str| format!("{p}.{k}");
        let price_sensitivity = c.number(s.price_sensitivity, &key("price_sensitivity"), Range::NonNegative)?;
        let weekly_spend = c.number(s.weekly_spend, &key("weekly_spend"), Range::Positive)?;
        // A dollar's utility to this segment (MODEL.md §1, tastes in money).
        let dollar = price_sensitivity / weekly_spend;
        let money = |utility: Option<f64>, dollars: Option<f64>, keys: (&str, &str), per_dollar: f64| match (
            utility, dollars,
        ) {
            (Some(_), Some(_)) => {
                Err(c.error(&key(keys.1), format!("give {} (utility) or {} (dollars), not both", keys.0, keys.1)))
            }
            (None, Some(d)) => Ok(c.number(Some(d), &key(keys.1), Range::NonNegative)? * per_dollar),
            (u, None) => c.number(u, &key(keys.0), Range::NonNegative),
        };
        out.push(Segment {
            share: c.number(s.share, &key("share"), Range::Unit)?,
            price_sensitivity,
            distance_sensitivity: money(
                s.distance_sensitivity,
                s.travel_cost,
                ("distance_sensitivity", "travel_cost"),
                dollar,
            )?,
            time_value: money(s.time_value, s.value_of_time, ("time_value", "value_of_time"), dollar / 60.0)?,
            fee_sensitivity: c.number_or(s.fee_sensitivity, dollar, &key("fee_sensitivity"), Range::NonNegative)?,
            weekly_spend,
            digital_adoption: c.number(s.digital_adoption, &key("digital_adoption"), Range::Unit)?,
            format_taste: format_taste(c, s.format_taste, formats, &key("format_taste"))?,
            name,
        });
    }
    let names: Vec<String> = out.iter().map(|s| s.name.clone()).collect();
    c.unique(&names, "segment")?;
    let shares: Vec<f64> = out.iter().map(|s| s.share).collect();
    c.shares_sum_to_one(&shares, "segment", "segment share values")?;
    Ok(out)
}

/// `format_taste = { premium = 0.6 }`: a utility per format index (0 for formats left out).
fn format_taste(c: &Checker, raw: Option<BTreeMap<String, f64>>, formats: &[Format], path: &str) -> Result<Vec<f64>> {
    let names: Vec<String> = formats.iter().map(|f| f.name.clone()).collect();
    let mut out = vec![0.0; formats.len()];
    for (name, v) in raw.unwrap_or_default() {
        let key = format!("{path}.{name}");
        if formats.is_empty() {
            return Err(c.error(&key, "no [[format]] is declared: declare the format (name, dissimilarity) first"));
        }
        let f = c.lookup(&name, &names, &key, "format")?;
        out[f] = c.check(v, &key, Range::Finite)?;
    }
    Ok(out)
}
