//! The tables of a comparison: shifts (scenario − reference) with paired intervals, per horizon
//! and per week, and the switching matrix of who went from which choice to which.

use super::tables::{PointColumns, Reported, WEEKLY_METRICS, num, reported_alternatives};
use crate::engine::{ComparisonResults, ReplicationResult, WeekRecord};
use crate::scenario::Scenario;
use crate::stats::{summarize, t_quantile_975};

/// Header of `shifts.csv`.
pub const SHIFTS_HEADER: &str = "scenario,reference,point,retailer,channel,metric,mean,sd,ci95_low,ci95_high";
/// Header of `shifts_weekly.csv`.
pub const SHIFTS_WEEKLY_HEADER: &str =
    "scenario,reference,point,week,retailer,channel,metric,mean,sd,ci95_low,ci95_high";
/// Header of `switching.csv`.
pub const SWITCHING_HEADER: &str = "scenario,reference,point,from_retailer,from_channel,to_retailer,to_channel,final_week_mean,final_week_ci95_low,final_week_ci95_high,horizon_mean";

/// A row label matched across the two worlds by retailer name and channel.
pub(crate) struct Matched {
    pub(crate) retailer: String,
    pub(crate) channel: &'static str,
    pub(crate) scenario_alt: Option<usize>,
    pub(crate) reference_alt: Option<usize>,
}

/// The scenario's reported alternatives, then any only the reference has.
pub(crate) fn matched_alternatives(s: &Scenario, r: &Scenario) -> Vec<Matched> {
    let ours = reported_alternatives(s);
    let theirs = reported_alternatives(r);
    let find = |list: &[Reported], a: &Reported| {
        list.iter().find(|b| b.retailer == a.retailer && b.channel == a.channel).map(|b| b.alt)
    };
    let mut out: Vec<Matched> = ours
        .iter()
        .map(|a| Matched {
            retailer: a.retailer.clone(),
            channel: a.channel,
            scenario_alt: Some(a.alt),
            reference_alt: find(&theirs, a),
        })
        .collect();
    for b in theirs.iter().filter(|b| find(&ours, b).is_none()) {
        out.push(Matched {
            retailer: b.retailer.clone(),
            channel: b.channel,
            scenario_alt: None,
            reference_alt: Some(b.alt),
        });
    }
    out
}

/// Mean, sd and the paired 95% interval of per-replication differences.
pub(crate) fn paired_cells(diffs: &[f64]) -> [String; 4] {
    let n = diffs.len();
    let t = if n > 1 { t_quantile_975(n - 1) } else { f64::NAN };
    let s = summarize(diffs, t);
    let opt = |x: Option<f64>| x.map(num).unwrap_or_default();
    [num(s.mean), opt(s.sd), opt(s.ci95.map(|c| c.0)), opt(s.ci95.map(|c| c.1))]
}

type Value = fn(&ReplicationResult, usize) -> f64;

fn horizon_total(rep: &ReplicationResult, alt: usize, field: fn(&WeekRecord) -> &Vec<f64>) -> f64 {
    rep.weeks.iter().map(|w| field(w)[alt]).sum()
}

const HORIZON_METRICS: [(&str, Value); 4] = [
    ("trips", |rep, alt| horizon_total(rep, alt, |w| &w.trips)),
    ("share", |rep, alt| horizon_total(rep, alt, |w| &w.share) / rep.weeks.len() as f64),
    ("revenue", |rep, alt| horizon_total(rep, alt, |w| &w.revenue)),
    ("final_share", |rep, alt| rep.weeks.last().map_or(0.0, |w| w.share[alt])),
];

/// Per replication: scenario value − reference value (an alternative missing from a world is 0).
pub(crate) fn differences(
    c: &ComparisonResults,
    m: &Matched,
    value: impl Fn(&ReplicationResult, usize) -> f64,
) -> Vec<f64> {
    let pairs = c.scenario.replications.iter().zip(&c.reference.replications);
    pairs
        .map(|(a, b)| {
            m.scenario_alt.map_or(0.0, |alt| value(a, alt)) - m.reference_alt.map_or(0.0, |alt| value(b, alt))
        })
        .collect()
}

/// The leading cells of a comparison row: scenario, reference, point and the swept values.
fn lead(s: &Scenario, r: &Scenario, point: &PointColumns) -> Vec<String> {
    let mut out = vec![s.name.clone(), r.name.clone(), point.point.to_string()];
    out.extend(point.values.iter().cloned());
    out
}

/// Rows of `shifts.csv`: horizon shifts per retailer and channel.
pub(crate) fn shifts_rows(s: &Scenario, r: &Scenario, c: &ComparisonResults, point: &PointColumns) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for m in matched_alternatives(s, r) {
        for (metric, value) in HORIZON_METRICS {
            let cells = paired_cells(&differences(c, &m, value));
            let mut row = lead(s, r, point);
            row.extend([m.retailer.clone(), m.channel.to_string(), metric.to_string()]);
            rows.push(row.into_iter().chain(cells).collect());
        }
    }
    rows
}

/// Rows of `shifts_weekly.csv`: weekly shifts in trips and share.
pub(crate) fn shifts_weekly_rows(
    s: &Scenario,
    r: &Scenario,
    c: &ComparisonResults,
    point: &PointColumns,
) -> Vec<Vec<String>> {
    let matched = matched_alternatives(s, r);
    let mut rows = Vec::new();
    for w in 0..s.simulation.weeks as usize {
        let week = w.to_string();
        for m in &matched {
            for (metric, field) in &WEEKLY_METRICS[..2] {
                let cells = paired_cells(&differences(c, m, |rep, alt| field(&rep.weeks[w])[alt]));
                let mut row = lead(s, r, point);
                row.extend([week.clone(), m.retailer.clone(), m.channel.to_string(), metric.to_string()]);
                rows.push(row.into_iter().chain(cells).collect());
            }
        }
    }
    rows
}

/// Rows of `switching.csv`: households (scaled) by reference choice and scenario choice,
/// diagonal included; empty when the comparison ran without common random numbers.
pub(crate) fn switching_rows(
    s: &Scenario,
    r: &Scenario,
    c: &ComparisonResults,
    point: &PointColumns,
) -> Vec<Vec<String>> {
    let Some(switching) = c.switching.as_ref() else { return Vec::new() };
    let scale = s.households / s.simulation.households as f64;
    let to_alts = 1 + 3 * s.retailers.len();
    let n = switching.len();
    let t = if n > 1 { t_quantile_975(n - 1) } else { f64::NAN };
    let mut rows = Vec::new();
    for from in reported_alternatives(r) {
        for to in reported_alternatives(s) {
            let cell = from.alt * to_alts + to.alt;
            let final_week: Vec<f64> = switching.iter().map(|(f, _)| f[cell] as f64 * scale).collect();
            let horizon = switching.iter().map(|(_, h)| h[cell] as f64 * scale).sum::<f64>() / n as f64;
            let summary = summarize(&final_week, t);
            let opt = |x: Option<f64>| x.map(num).unwrap_or_default();
            let mut row = lead(s, r, point);
            row.extend([from.retailer.clone(), from.channel.to_string(), to.retailer.clone(), to.channel.to_string()]);
            row.extend([
                num(summary.mean),
                opt(summary.ci95.map(|c| c.0)),
                opt(summary.ci95.map(|c| c.1)),
                num(horizon),
            ]);
            rows.push(row);
        }
    }
    rows
}

/// Each retailer's (and the outside option's) mean weekly trip share over all its channels,
/// scenario minus reference, summarised over replications with a paired interval.
pub fn retailer_share_shifts(
    s: &Scenario,
    r: &Scenario,
    c: &ComparisonResults,
) -> Vec<(String, crate::stats::Summary)> {
    let mut names = vec![s.outside_option.clone()];
    names.extend(s.retailers.iter().map(|x| x.name.clone()));
    names.extend(r.retailers.iter().map(|x| x.name.clone()).filter(|n| !s.retailers.iter().any(|x| &x.name == n)));
    let share = |world: &Scenario, rep: &ReplicationResult, name: &str| -> f64 {
        let alts: Vec<usize> = if name == world.outside_option {
            vec![0]
        } else {
            match world.retailers.iter().position(|x| x.name == name) {
                Some(i) => (0..3).map(|ch| crate::engine::alternative(i, ch)).collect(),
                None => Vec::new(),
            }
        };
        rep.weeks.iter().map(|w| alts.iter().map(|&a| w.share[a]).sum::<f64>()).sum::<f64>() / rep.weeks.len() as f64
    };
    let n = c.scenario.replications.len();
    let t = if n > 1 { t_quantile_975(n - 1) } else { f64::NAN };
    names
        .into_iter()
        .map(|name| {
            let pairs = c.scenario.replications.iter().zip(&c.reference.replications);
            let diffs: Vec<f64> = pairs.map(|(a, b)| share(s, a, &name) - share(r, b, &name)).collect();
            let summary = summarize(&diffs, t);
            (name, summary)
        })
        .collect()
}
