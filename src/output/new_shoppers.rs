//! `new_shoppers.csv`: people, not trips — households that shopped at a retailer in a window in
//! the scenario but not in the reference, by their primary retailer in the reference.
//!
//! Rows: windows in the engine's order (four weeks from each event's week, then the whole
//! horizon), then the scenario's retailers in file order, then `from` (the reference's outside
//! option, then its retailers in file order; a retailer is never its own origin). Counts are
//! real households (simulated ones × households per simulated household); mean, sd and 95%
//! interval over replications.

use super::comparison::paired_cells;
use super::tables::PointColumns;
use crate::engine::ComparisonResults;
use crate::scenario::Scenario;

/// Header of `new_shoppers.csv`.
pub const NEW_SHOPPERS_HEADER: &str =
    "scenario,reference,point,window_start,window_end,retailer,from,mean,sd,ci95_low,ci95_high";

/// Rows of `new_shoppers.csv` of scenario `s` against reference `r` for one point; none without
/// common random numbers (there are no pairs of households to compare).
pub(crate) fn new_shoppers_rows(
    s: &Scenario,
    r: &Scenario,
    c: &ComparisonResults,
    point: &PointColumns,
) -> Vec<Vec<String>> {
    let Some(per_replication) = c.new_shoppers.as_ref() else { return Vec::new() };
    let Some(first) = per_replication.first() else { return Vec::new() };
    let scale = s.households / s.simulation.households as f64;
    let origins: Vec<&str> =
        std::iter::once(r.outside_option.as_str()).chain(r.retailers.iter().map(|x| x.name.as_str())).collect();
    let mut rows = Vec::new();
    for (k, window) in first.iter().map(|w| w.window).enumerate() {
        for (ri, retailer) in s.retailers.iter().enumerate() {
            for (from, origin) in origins.iter().enumerate().filter(|(_, o)| **o != retailer.name) {
                let values: Vec<f64> =
                    per_replication.iter().map(|rep| rep[k].counts[ri * origins.len() + from] as f64 * scale).collect();
                let mut row = vec![s.name.clone(), r.name.clone(), point.point.to_string()];
                row.extend(point.values.iter().cloned());
                row.extend([window.start.to_string(), window.end.to_string(), retailer.name.clone()]);
                row.push(origin.to_string());
                row.extend(paired_cells(&values));
                rows.push(row);
            }
        }
    }
    rows
}
