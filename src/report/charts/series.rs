//! Shaping rows into lines: one per retailer (its channels added up) or per region, each point a
//! mean with its interval; and one colour per retailer, the same in every chart.

use crate::report::palette::{self, NEUTRAL};
use crate::report::results::{Estimate, Record, Results};
use plotters::style::RGBColor;

/// A line of a chart: (x, estimate) points in x order.
#[derive(Debug, Clone)]
pub struct Line {
    /// Legend text.
    pub label: String,
    /// Stroke and band colour.
    pub colour: RGBColor,
    /// Dashed (the reference world) or solid.
    pub dashed: bool,
    /// Points.
    pub points: Vec<(f64, Estimate)>,
}

/// Each retailer's colour: the outside option grey, the others Okabe–Ito in file order.
pub struct Colours {
    named: Vec<(String, RGBColor)>,
}

impl Colours {
    /// Colours for every retailer of the run (and of its reference).
    pub fn of(results: &Results) -> Colours {
        let mut named: Vec<(String, RGBColor)> = Vec::new();
        let reference = results.reference_weekly.iter().flatten();
        for r in results.summary.iter().chain(results.weekly.iter()).chain(reference) {
            if !named.iter().any(|(n, _)| n == &r.alt.retailer) {
                let colour = if r.alt.channel == "none" {
                    NEUTRAL
                } else {
                    palette::category(named.iter().filter(|(_, c)| *c != NEUTRAL).count())
                };
                named.push((r.alt.retailer.clone(), colour));
            }
        }
        Colours { named }
    }

    /// The colour of `retailer` (grey for one never seen).
    pub fn of_retailer(&self, retailer: &str) -> RGBColor {
        self.named.iter().find(|(n, _)| n == retailer).map_or(NEUTRAL, |(_, c)| *c)
    }
}

/// Adds estimates: means add exactly; the interval of a sum is taken as the sum of the ends,
/// which is never narrower than the exact interval (sd(X+Y) ≤ sd(X) + sd(Y)).
pub(crate) fn add(a: Estimate, b: Estimate) -> Estimate {
    let sum = |x: Option<f64>, y: Option<f64>| Some(x? + y?);
    Estimate { mean: a.mean + b.mean, low: sum(a.low, b.low), high: sum(a.high, b.high) }
}

/// One line per group (first-appearance order) of `records` at `point`, x = `x(record)`, the
/// group's records at the same x added up. `group` returns `None` to leave a record out.
pub(crate) fn lines_by(
    records: &[Record],
    point: u32,
    group: impl Fn(&Record) -> Option<String>,
    x: impl Fn(&Record) -> f64,
) -> Vec<(String, Vec<(f64, Estimate)>)> {
    let mut lines: Vec<(String, Vec<(f64, Estimate)>)> = Vec::new();
    for r in records.iter().filter(|r| r.point == point) {
        let Some(name) = group(r) else { continue };
        let index = match lines.iter().position(|(n, _)| *n == name) {
            Some(i) => i,
            None => {
                lines.push((name, Vec::new()));
                lines.len() - 1
            }
        };
        let points = &mut lines[index].1;
        let at = x(r);
        match points.iter_mut().find(|(px, _)| *px == at) {
            Some((_, e)) => *e = add(*e, r.estimate),
            None => points.push((at, r.estimate)),
        }
    }
    for (_, points) in &mut lines {
        points.sort_by(|a, b| a.0.total_cmp(&b.0));
    }
    lines
}

/// Weekly trip share per retailer (channels added up), as percent; the outside option left out
/// when `with_outside` is false.
pub(crate) fn retailer_share_lines(
    records: &[Record],
    point: u32,
    colours: &Colours,
    with_outside: bool,
    dashed: bool,
) -> Vec<Line> {
    let group = |r: &Record| (with_outside || r.alt.channel != "none").then(|| r.alt.retailer.clone());
    let week = |r: &Record| f64::from(r.week.unwrap_or(0));
    lines_by(records, point, group, week)
        .into_iter()
        .map(|(label, points)| Line {
            colour: colours.of_retailer(&label),
            label,
            dashed,
            points: points.into_iter().map(|(x, e)| (x, percent(e))).collect(),
        })
        .collect()
}

/// An estimate of a share as percent.
pub(crate) fn percent(e: Estimate) -> Estimate {
    Estimate { mean: e.mean * 100.0, low: e.low.map(|x| x * 100.0), high: e.high.map(|x| x * 100.0) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::results::Alternative;

    fn record(week: u32, retailer: &str, channel: &str, mean: f64) -> Record {
        Record {
            point: 0,
            week: Some(week),
            alt: Alternative { retailer: retailer.into(), channel: channel.into() },
            metric: "share".into(),
            estimate: Estimate { mean, low: Some(mean - 0.01), high: Some(mean + 0.01) },
        }
    }

    #[test]
    fn channels_add_up_per_retailer_and_week() {
        let rows = [
            record(0, "Other", "none", 0.6),
            record(0, "K", "store", 0.3),
            record(0, "K", "pickup", 0.1),
            record(1, "K", "store", 0.2),
        ];
        let lines = lines_by(
            &rows,
            0,
            |r| (r.alt.channel != "none").then(|| r.alt.retailer.clone()),
            |r| f64::from(r.week.unwrap()),
        );
        assert_eq!(lines.len(), 1);
        let (name, points) = &lines[0];
        assert_eq!(name, "K");
        assert_eq!(points.len(), 2);
        assert!((points[0].1.mean - 0.4).abs() < 1e-12);
        assert!((points[0].1.high.unwrap() - 0.42).abs() < 1e-12, "interval ends add up");
        assert!(lines_by(&rows, 1, |r| Some(r.alt.retailer.clone()), |_| 0.0).is_empty(), "other points left out");
    }
}
