//! Results by region: where a retailer's trips come from, and where a change moves them.

use super::comparison::{differences, matched_alternatives, paired_cells};
use super::tables::{PointColumns, num, reported_alternatives};
use crate::engine::{ComparisonResults, ReplicationResult, RunResults};
use crate::scenario::Scenario;
use crate::stats::{summarize, t_quantile_975};

/// Header of `regions.csv`.
pub const REGIONS_HEADER: &str = "scenario,point,region,retailer,channel,metric,mean,sd,ci95_low,ci95_high,p05,p95";
/// Header of `shifts_regions.csv`.
pub const SHIFTS_REGIONS_HEADER: &str =
    "scenario,reference,point,region,retailer,channel,metric,mean,sd,ci95_low,ci95_high";

/// Trips of `alt` in region `g` summed over the horizon.
fn region_trips(rep: &ReplicationResult, alt: usize, g: usize, regions: usize) -> f64 {
    rep.weeks.iter().map(|w| w.region_trips[alt * regions + g]).sum()
}

/// Mean weekly share of region `g`'s trips that went to `alt`.
fn region_share(rep: &ReplicationResult, alt: usize, g: usize, regions: usize) -> f64 {
    let alternatives = rep.weeks.first().map_or(0, |w| w.region_trips.len() / regions);
    let weekly = rep.weeks.iter().map(|w| {
        let all: f64 = (0..alternatives).map(|a| w.region_trips[a * regions + g]).sum();
        if all > 0.0 { w.region_trips[alt * regions + g] / all } else { 0.0 }
    });
    weekly.sum::<f64>() / rep.weeks.len().max(1) as f64
}

type RegionMetric = (&'static str, fn(&ReplicationResult, usize, usize, usize) -> f64);
const METRICS: [RegionMetric; 2] = [("trips", region_trips), ("share", region_share)];

/// Rows of `regions.csv`: per region, each alternative's horizon trips and mean weekly share
/// of the region's trips.
pub(crate) fn regions_rows(s: &Scenario, results: &RunResults, point: &PointColumns) -> Vec<Vec<String>> {
    let n = results.replications.len();
    let t = if n > 1 { t_quantile_975(n - 1) } else { f64::NAN };
    let regions = s.regions.len();
    let mut rows = Vec::new();
    for (g, region) in s.regions.iter().enumerate() {
        for a in reported_alternatives(s) {
            for (metric, value) in METRICS {
                let values: Vec<f64> = results.replications.iter().map(|rep| value(rep, a.alt, g, regions)).collect();
                let sm = summarize(&values, t);
                let opt = |x: Option<f64>| x.map(num).unwrap_or_default();
                let mut row = point.lead(&s.name);
                row.extend([region.name.clone(), a.retailer.clone(), a.channel.to_string(), metric.to_string()]);
                row.extend([num(sm.mean), opt(sm.sd), opt(sm.ci95.map(|c| c.0)), opt(sm.ci95.map(|c| c.1))]);
                row.extend([num(sm.p05), num(sm.p95)]);
                rows.push(row);
            }
        }
    }
    rows
}

/// True when `shifts_regions.csv` can be written: both worlds have the same regions.
pub(crate) fn same_regions(s: &Scenario, r: &Scenario) -> bool {
    s.regions.iter().map(|x| &x.name).eq(r.regions.iter().map(|x| &x.name))
}

/// Rows of `shifts_regions.csv`: scenario − reference per region, with paired intervals
/// (call only when [`same_regions`]).
pub(crate) fn shifts_regions_rows(
    s: &Scenario,
    r: &Scenario,
    c: &ComparisonResults,
    point: &PointColumns,
) -> Vec<Vec<String>> {
    let regions = s.regions.len();
    let mut rows = Vec::new();
    for (g, region) in s.regions.iter().enumerate() {
        for m in matched_alternatives(s, r) {
            for (metric, value) in METRICS {
                let diffs = differences(c, &m, |rep, alt| value(rep, alt, g, regions));
                let mut row = vec![s.name.clone(), r.name.clone(), point.point.to_string()];
                row.extend(point.values.iter().cloned());
                row.extend([region.name.clone(), m.retailer.clone(), m.channel.to_string(), metric.to_string()]);
                rows.push(row.into_iter().chain(paired_cells(&diffs)).collect());
            }
        }
    }
    rows
}
