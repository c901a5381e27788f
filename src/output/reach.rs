//! `reach` rows of `summary.csv`: the share of households with at least one trip to a retailer
//! (any channel) over the reported weeks — people, not trips.

use crate::engine::RunResults;
use crate::scenario::Scenario;
use crate::stats::{summarize, t_quantile_975};

/// One row tail per retailer, in file order: `(retailer, [mean, sd, ci95_low, ci95_high, p05,
/// p95])` with channel `all` and metric `reach` to be filled in by the caller.
pub(crate) fn reach_summaries(s: &Scenario, results: &RunResults) -> Vec<(String, [String; 6])> {
    let n = results.replications.len();
    let t975 = if n > 1 { t_quantile_975(n - 1) } else { f64::NAN };
    let num = super::tables::num;
    let opt = |x: Option<f64>| x.map(num).unwrap_or_default();
    s.retailers
        .iter()
        .enumerate()
        .map(|(r, retailer)| {
            let values: Vec<f64> = results.replications.iter().map(|rep| rep.reach[r]).collect();
            let sm = summarize(&values, t975);
            let cells = [num(sm.mean), opt(sm.sd), opt(sm.ci95.map(|c| c.0)), opt(sm.ci95.map(|c| c.1))];
            let [a, b, c, d] = cells;
            (retailer.name.clone(), [a, b, c, d, num(sm.p05), num(sm.p95)])
        })
        .collect()
}
