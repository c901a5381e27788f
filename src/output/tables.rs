//! The tidy CSV tables of a run: one function per file, rows in a fixed order.
//!
//! Row order: point, week, then the outside option followed by retailers in file order, each
//! with its channels in the order store, pickup, delivery; metrics in the order listed.
//! Floats are printed with Rust's shortest round-trip form. With one replication, `sd` and
//! the interval columns are empty: no interval can be estimated from one draw.

use crate::engine::{CHANNELS, ReplicationResult, RunResults, WeekRecord, alternative};
use crate::scenario::Scenario;
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

/// Builds a CSV document from a header line and rows of cells.
pub(crate) fn csv_document(header: &str, rows: Vec<Vec<String>>) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(header.split(',')).expect("writing to memory");
    for row in rows {
        writer.write_record(&row).expect("writing to memory");
    }
    writer.into_inner().expect("writing to memory")
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

fn labels(cells: &[&str], summary: [String; 6]) -> Vec<String> {
    cells.iter().map(|c| c.to_string()).chain(summary).collect()
}

/// A weekly metric: its name and where it sits in a week's record.
pub(crate) type Metric = (&'static str, fn(&WeekRecord) -> &Vec<f64>);

pub(crate) const WEEKLY_METRICS: [Metric; 3] =
    [("trips", |r| &r.trips), ("share", |r| &r.share), ("revenue", |r| &r.revenue)];

/// `weekly.csv`: trips, share and revenue per week, retailer and channel.
pub fn weekly_csv(s: &Scenario, results: &RunResults, point: usize) -> Vec<u8> {
    let summarizer = Summarizer::new(results);
    let point = point.to_string();
    let mut rows = Vec::new();
    for w in 0..s.simulation.weeks as usize {
        let week = w.to_string();
        for a in reported_alternatives(s) {
            for (metric, field) in WEEKLY_METRICS {
                let summary = summarizer.over(|rep| field(&rep.weeks[w])[a.alt]);
                rows.push(labels(&[&s.name, &point, &week, &a.retailer, a.channel, metric], summary));
            }
        }
    }
    csv_document(WEEKLY_HEADER, rows)
}

/// `online.csv`: the online-capable share per week and region.
pub fn online_csv(s: &Scenario, results: &RunResults, point: usize) -> Vec<u8> {
    let summarizer = Summarizer::new(results);
    let point = point.to_string();
    let mut rows = Vec::new();
    for w in 0..s.simulation.weeks as usize {
        let week = w.to_string();
        for (g, region) in s.regions.iter().enumerate() {
            let summary = summarizer.over(|rep| rep.weeks[w].online[g]);
            rows.push(labels(&[&s.name, &point, &week, &region.name], summary));
        }
    }
    csv_document(ONLINE_HEADER, rows)
}

/// `summary.csv`: horizon totals (trips, revenue), mean weekly share and final-week share.
pub fn summary_csv(s: &Scenario, results: &RunResults, point: usize) -> Vec<u8> {
    let summarizer = Summarizer::new(results);
    let point = point.to_string();
    let weeks = s.simulation.weeks as f64;
    let total = |rep: &ReplicationResult, alt: usize, field: fn(&WeekRecord) -> &Vec<f64>| -> f64 {
        rep.weeks.iter().map(|w| field(w)[alt]).sum()
    };
    let mut rows = Vec::new();
    for a in reported_alternatives(s) {
        let alt = a.alt;
        let cells = |metric: &str| {
            vec![s.name.clone(), point.clone(), a.retailer.clone(), a.channel.to_string(), metric.to_string()]
        };
        let summaries = [
            ("trips", summarizer.over(|rep| total(rep, alt, |w| &w.trips))),
            ("share", summarizer.over(|rep| total(rep, alt, |w| &w.share) / weeks)),
            ("revenue", summarizer.over(|rep| total(rep, alt, |w| &w.revenue))),
            ("final_share", summarizer.over(|rep| rep.weeks.last().map_or(0.0, |w| w.share[alt]))),
        ];
        for (metric, summary) in summaries {
            rows.push(cells(metric).into_iter().chain(summary).collect());
        }
    }
    csv_document(SUMMARY_HEADER, rows)
}

/// `replications.csv`: every replication's weekly values, unsummarised.
pub fn replications_csv(s: &Scenario, results: &RunResults, point: usize) -> Vec<u8> {
    let reported = reported_alternatives(s);
    let point = point.to_string();
    let mut rows = Vec::new();
    for rep in &results.replications {
        let replication = rep.replication.to_string();
        for (w, week) in rep.weeks.iter().enumerate() {
            let w = w.to_string();
            for a in &reported {
                let cells = [
                    s.name.clone(),
                    point.clone(),
                    replication.clone(),
                    w.clone(),
                    a.retailer.clone(),
                    a.channel.to_string(),
                ];
                let values = [week.trips[a.alt], week.share[a.alt], week.revenue[a.alt]].map(num);
                rows.push(cells.into_iter().chain(values).collect());
            }
        }
    }
    csv_document(REPLICATIONS_HEADER, rows)
}
