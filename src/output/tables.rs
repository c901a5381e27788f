//! The tidy CSV tables of a run: one function per file, rows in a fixed order.
//!
//! Every row starts with the scenario's name, the point's number and, in a sweep, one column
//! per swept path (named by the path) holding the point's value. Row order: point, week, then the outside option followed by retailers in file order, each
//! with its channels in the order store, pickup, delivery; metrics in the order listed.
//! Floats are printed with Rust's shortest round-trip form. With one replication, `sd` and
//! the interval columns are empty: no interval can be estimated from one draw.

use crate::engine::{CHANNELS, ReplicationResult, RunResults, WeekRecord, alternative};
use crate::scenario::Scenario;
pub use crate::scenario::parameter_text;
use crate::stats::{Summary, summarize, t_quantile_975};

/// Header of `weekly.csv`.
pub const WEEKLY_HEADER: &str = "scenario,point,week,retailer,channel,metric,mean,sd,ci95_low,ci95_high,p05,p95";
/// Header of `online.csv`.
pub const ONLINE_HEADER: &str = "scenario,point,week,region,mean,sd,ci95_low,ci95_high,p05,p95";
/// Header of `summary.csv`.
pub const SUMMARY_HEADER: &str = "scenario,point,retailer,channel,metric,mean,sd,ci95_low,ci95_high,p05,p95";
/// Header of `replications.csv` (with `--raw`).
pub const REPLICATIONS_HEADER: &str = "scenario,point,replication,week,retailer,channel,trips,share,revenue";

/// One reported alternative: its index in the engine's records and its CSV labels.
#[derive(Debug, Clone)]
pub struct Reported {
    /// Engine alternative index.
    pub alt: usize,
    /// `retailer` column.
    pub retailer: String,
    /// `channel` column.
    pub channel: &'static str,
}

/// The alternatives that get rows: the outside option, then each retailer's offered channels.
pub fn reported_alternatives(s: &Scenario) -> Vec<Reported> {
    let mut out = vec![Reported { alt: 0, retailer: s.outside_option.clone(), channel: "none" }];
    for (r, retailer) in s.retailers.iter().enumerate() {
        for (c, offered) in s.channels_offered(r).into_iter().enumerate() {
            if offered {
                out.push(Reported { alt: alternative(r, c), retailer: retailer.name.clone(), channel: CHANNELS[c] });
            }
        }
    }
    out
}

/// A float in its shortest round-trip form.
pub(crate) fn num(x: f64) -> String {
    format!("{x}")
}

fn summary_cells(s: &Summary) -> [String; 6] {
    let opt = |x: Option<f64>| x.map(num).unwrap_or_default();
    [num(s.mean), opt(s.sd), opt(s.ci95.map(|c| c.0)), opt(s.ci95.map(|c| c.1)), num(s.p05), num(s.p95)]
}

/// Summaries over replications, with the t quantile computed once.
struct Summarizer<'a> {
    results: &'a RunResults,
    t975: f64,
}

impl<'a> Summarizer<'a> {
    fn new(results: &'a RunResults) -> Self {
        let n = results.replications.len();
        Summarizer { results, t975: if n > 1 { t_quantile_975(n - 1) } else { f64::NAN } }
    }

    fn over(&self, value: impl Fn(&ReplicationResult) -> f64) -> [String; 6] {
        let values: Vec<f64> = self.results.replications.iter().map(value).collect();
        summary_cells(&summarize(&values, self.t975))
    }
}

/// A row: the point's leading cells, then `cells`, then `tail`.
fn row(point: &PointColumns, name: &str, cells: &[&str], tail: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut out = point.lead(name);
    out.extend(cells.iter().map(|c| c.to_string()));
    out.extend(tail);
    out
}

/// A weekly metric: its name and where it sits in a week's record.
pub(crate) type Metric = (&'static str, fn(&WeekRecord) -> &Vec<f64>);

pub(crate) const WEEKLY_METRICS: [Metric; 3] =
    [("trips", |r| &r.trips), ("share", |r| &r.share), ("revenue", |r| &r.revenue)];

/// The columns that say which point a row belongs to: its number, then the value of each
/// swept path as printed by [`parameter_text`] (none for a plain run).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PointColumns {
    /// The `point` column.
    pub point: usize,
    /// One cell per swept path, in declaration order.
    pub values: Vec<String>,
}

impl PointColumns {
    /// Point `point` of a plain run: no parameter columns.
    pub fn plain(point: usize) -> PointColumns {
        PointColumns { point, values: Vec::new() }
    }

    /// `scenario`, `point` and the parameter cells.
    pub(crate) fn lead(&self, name: &str) -> Vec<String> {
        let mut out = Vec::with_capacity(self.values.len() + 12);
        out.push(name.to_string());
        out.push(self.point.to_string());
        out.extend(self.values.iter().cloned());
        out
    }
}

pub(crate) fn weekly_rows(s: &Scenario, results: &RunResults, point: &PointColumns) -> Vec<Vec<String>> {
    let summarizer = Summarizer::new(results);
    let mut rows = Vec::new();
    for w in 0..s.simulation.weeks as usize {
        let week = w.to_string();
        for a in reported_alternatives(s) {
            for (metric, field) in WEEKLY_METRICS {
                let summary = summarizer.over(|rep| field(&rep.weeks[w])[a.alt]);
                rows.push(row(point, &s.name, &[&week, &a.retailer, a.channel, metric], summary));
            }
        }
    }
    rows
}

pub(crate) fn online_rows(s: &Scenario, results: &RunResults, point: &PointColumns) -> Vec<Vec<String>> {
    let summarizer = Summarizer::new(results);
    let mut rows = Vec::new();
    for w in 0..s.simulation.weeks as usize {
        let week = w.to_string();
        for (g, region) in s.regions.iter().enumerate() {
            let summary = summarizer.over(|rep| rep.weeks[w].online[g]);
            rows.push(row(point, &s.name, &[&week, &region.name], summary));
        }
    }
    rows
}

pub(crate) fn summary_rows(s: &Scenario, results: &RunResults, point: &PointColumns) -> Vec<Vec<String>> {
    let summarizer = Summarizer::new(results);
    let weeks = s.simulation.weeks as f64;
    let total = |rep: &ReplicationResult, alt: usize, field: fn(&WeekRecord) -> &Vec<f64>| -> f64 {
        rep.weeks.iter().map(|w| field(w)[alt]).sum()
    };
    let mut rows = Vec::new();
    for a in reported_alternatives(s) {
        let alt = a.alt;
        let summaries = [
            ("trips", summarizer.over(|rep| total(rep, alt, |w| &w.trips))),
            ("share", summarizer.over(|rep| total(rep, alt, |w| &w.share) / weeks)),
            ("revenue", summarizer.over(|rep| total(rep, alt, |w| &w.revenue))),
            ("final_share", summarizer.over(|rep| rep.weeks.last().map_or(0.0, |w| w.share[alt]))),
        ];
        for (metric, summary) in summaries {
            rows.push(row(point, &s.name, &[&a.retailer, a.channel, metric], summary));
        }
    }
    for (retailer, summary) in super::reach::reach_summaries(s, results) {
        rows.push(row(point, &s.name, &[&retailer, "all", "reach"], summary));
    }
    rows
}

pub(crate) fn replications_rows(s: &Scenario, results: &RunResults, point: &PointColumns) -> Vec<Vec<String>> {
    let reported = reported_alternatives(s);
    let mut rows = Vec::new();
    for rep in &results.replications {
        let replication = rep.replication.to_string();
        for (w, week) in rep.weeks.iter().enumerate() {
            let w = w.to_string();
            for a in &reported {
                let values = [week.trips[a.alt], week.share[a.alt], week.revenue[a.alt]].map(num);
                rows.push(row(point, &s.name, &[&replication, &w, &a.retailer, a.channel], values));
            }
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameter_columns_follow_point() {
        use crate::output::table::{Table, TableKind, World};
        let summary = Table { kind: TableKind::Summary, world: World::Scenario };
        let header = summary.header(&["retailer.Whole Foods.price_index".into(), "a,b".into()]);
        let text = String::from_utf8(header).unwrap();
        assert_eq!(
            text,
            "scenario,point,retailer.Whole Foods.price_index,\"a,b\",retailer,channel,metric,mean,sd,ci95_low,ci95_high,p05,p95\n"
        );
        let weekly = Table { kind: TableKind::Weekly, world: World::Scenario };
        assert_eq!(weekly.header(&[]), format!("{WEEKLY_HEADER}\n").into_bytes());
        let shifts = Table { kind: TableKind::Shifts, world: World::Scenario };
        let text = String::from_utf8(shifts.header(&["x".into()])).unwrap();
        assert!(text.starts_with("scenario,reference,point,x,retailer,"), "{text}");
    }

    #[test]
    fn parameters_print_as_toml_scalars() {
        use toml::Value;
        let texts: Vec<String> =
            [Value::Float(2.0), Value::Float(0.97), Value::Float(1e-7), Value::Integer(4), Value::Boolean(true)]
                .iter()
                .map(parameter_text)
                .collect();
        assert_eq!(texts, ["2.0", "0.97", "1e-7", "4", "true"]);
        for text in &texts {
            assert!(toml::from_str::<toml::Table>(&format!("v = {text}")).is_ok(), "{text} is not TOML");
        }
        assert_eq!(parameter_text(&Value::String("Kroger".into())), "Kroger");
    }
}
