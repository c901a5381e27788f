//! Results by region: where a retailer's trips come from, and where a change moves them.

use super::comparison::{differences, matched_alternatives, paired_cells};
use super::tables::{csv_document, num, reported_alternatives};
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

/// `regions.csv`: per region, each alternative's horizon trips and mean weekly share of the
/// region's trips.
pub fn regions_csv(s: &Scenario, results: &RunResults, point: usize) -> Vec<u8> {
    let n = results.replications.len();
    let t = if n > 1 { t_quantile_975(n - 1) } else { f64::NAN };
    let regions = s.regions.len();
    let point = point.to_string();
    let mut rows = Vec::new();
    for (g, region) in s.regions.iter().enumerate() {
        for a in reported_alternatives(s) {
            for (metric, value) in METRICS {
                let values: Vec<f64> = results.replications.iter().map(|rep| value(rep, a.alt, g, regions)).collect();
                let sm = summarize(&values, t);
                let opt = |x: Option<f64>| x.map(num).unwrap_or_default();
                let cells = [&s.name, &point, &region.name, &a.retailer, a.channel, metric].map(str::to_string);
                let stats = [num(sm.mean), opt(sm.sd), opt(sm.ci95.map(|c| c.0)), opt(sm.ci95.map(|c| c.1))];
                rows.push(cells.into_iter().chain(stats).chain([num(sm.p05), num(sm.p95)]).collect());
            }
        }
    }
    csv_document(REGIONS_HEADER, rows)
}

/// `shifts_regions.csv`: scenario − reference per region, with paired intervals; `None` when
/// the two worlds do not have the same regions.
pub fn shifts_regions_csv(s: &Scenario, r: &Scenario, c: &ComparisonResults, point: usize) -> Option<Vec<u8>> {
    if s.regions.iter().map(|x| &x.name).ne(r.regions.iter().map(|x| &x.name)) {
        return None;
    }
    let regions = s.regions.len();
    let point = point.to_string();
    let mut rows = Vec::new();
    for (g, region) in s.regions.iter().enumerate() {
        for m in matched_alternatives(s, r) {
            for (metric, value) in METRICS {
                let diffs = differences(c, &m, |rep, alt| value(rep, alt, g, regions));
                let labels =
                    [&s.name, &r.name, &point, &region.name, &m.retailer, m.channel, metric].map(str::to_string);
                rows.push(labels.into_iter().chain(paired_cells(&diffs)).collect());
            }
        }
    }
    Some(csv_document(SHIFTS_REGIONS_HEADER, rows))
}
