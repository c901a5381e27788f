//! `owners.csv` and, in a comparison, `shifts_owners.csv`: trips, share and revenue by the
//! company that owns the banners, over all its banners and channels.
//!
//! A banner counts towards its owner of that week (an acquisition moves it from the week it
//! applies). Owners in the order of `Scenario::owners`; in `shifts_owners.csv` the scenario's
//! owners, then any only the reference has. Metrics: `trips` and `revenue` summed over the
//! reported weeks, `share` the mean weekly share of all trips.

use super::comparison::paired_cells;
use super::tables::{PointColumns, num};
use crate::engine::{ComparisonResults, ReplicationResult, alternative};
use crate::scenario::Scenario;
use crate::stats::{summarize, t_quantile_975};

/// Header of `owners.csv`.
pub const OWNERS_HEADER: &str = "scenario,point,owner,metric,mean,sd,ci95_low,ci95_high,p05,p95";
/// Header of `shifts_owners.csv`.
pub const SHIFTS_OWNERS_HEADER: &str = "scenario,reference,point,owner,metric,mean,sd,ci95_low,ci95_high";

const METRICS: [&str; 3] = ["trips", "share", "revenue"];

/// One replication's horizon totals `[trips, share, revenue]` for owner `owner` (an index into
/// `s.owners()`).
fn owner_totals(rep: &ReplicationResult, owner: usize) -> [f64; 3] {
    let mut out = [0.0; 3];
    for week in &rep.weeks {
        for r in (0..week.retailers.len()).filter(|&r| week.retailers[r].owner == owner) {
            for c in 0..3 {
                let alt = alternative(r, c);
                out[0] += week.trips[alt];
                out[1] += week.share[alt];
                out[2] += week.revenue[alt];
            }
        }
    }
    out[1] /= rep.weeks.len().max(1) as f64;
    out
}

/// Rows of `owners.csv` for one point.
pub(crate) fn owners_rows(s: &Scenario, results: &crate::engine::RunResults, point: &PointColumns) -> Vec<Vec<String>> {
    let n = results.replications.len();
    let t975 = if n > 1 { t_quantile_975(n - 1) } else { f64::NAN };
    let opt = |x: Option<f64>| x.map(num).unwrap_or_default();
    let mut rows = Vec::new();
    for (o, owner) in s.owners().iter().enumerate() {
        let totals: Vec<[f64; 3]> = results.replications.iter().map(|rep| owner_totals(rep, o)).collect();
        for (m, metric) in METRICS.iter().enumerate() {
            let values: Vec<f64> = totals.iter().map(|t| t[m]).collect();
            let sm = summarize(&values, t975);
            let mut row = point.lead(&s.name);
            row.extend([owner.clone(), metric.to_string()]);
            row.extend([num(sm.mean), opt(sm.sd), opt(sm.ci95.map(|c| c.0)), opt(sm.ci95.map(|c| c.1))]);
            row.extend([num(sm.p05), num(sm.p95)]);
            rows.push(row);
        }
    }
    rows
}

/// Rows of `shifts_owners.csv`: per replication scenario − reference, paired mean and interval;
/// an owner missing from one world counts 0 there.
pub(crate) fn shifts_owners_rows(
    s: &Scenario,
    r: &Scenario,
    c: &ComparisonResults,
    point: &PointColumns,
) -> Vec<Vec<String>> {
    let (ours, theirs) = (s.owners(), r.owners());
    let mut names = ours.clone();
    names.extend(theirs.iter().filter(|o| !ours.contains(o)).cloned());
    let totals = |reps: &[ReplicationResult], list: &[String], name: &str, rep: usize| {
        list.iter().position(|o| o == name).map_or([0.0; 3], |o| owner_totals(&reps[rep], o))
    };
    let mut rows = Vec::new();
    for name in &names {
        let pairs: Vec<([f64; 3], [f64; 3])> = (0..c.scenario.replications.len())
            .map(|i| {
                (totals(&c.scenario.replications, &ours, name, i), totals(&c.reference.replications, &theirs, name, i))
            })
            .collect();
        for (m, metric) in METRICS.iter().enumerate() {
            let diffs: Vec<f64> = pairs.iter().map(|(a, b)| a[m] - b[m]).collect();
            let mut row = vec![s.name.clone(), r.name.clone(), point.point.to_string()];
            row.extend(point.values.iter().cloned());
            row.extend([name.clone(), metric.to_string()]);
            row.extend(paired_cells(&diffs));
            rows.push(row);
        }
    }
    rows
}
