//! `retailers.csv`: each retailer's state week by week, so that a price war can be seen.
//!
//! The state is the one in effect during the week (after its events and the price responses
//! of earlier weeks). Rows: week, then retailers in file order, metrics in the order
//! `price_index`, `stores`, `checkout_wait_min`.

use super::tables::{PointColumns, num};
use crate::engine::{RetailerWeek, RunResults};
use crate::scenario::Scenario;
use crate::stats::{summarize, t_quantile_975};

/// Header of `retailers.csv`.
pub const RETAILERS_HEADER: &str = "scenario,point,week,retailer,metric,mean,sd,ci95_low,ci95_high,p05,p95";

type StateMetric = (&'static str, fn(&RetailerWeek) -> f64);

const METRICS: [StateMetric; 3] =
    [("price_index", |r| r.price_index), ("stores", |r| r.stores), ("checkout_wait_min", |r| r.checkout_wait_min)];

/// The rows of one point: mean, sd, interval and percentiles over replications.
pub(crate) fn retailers_rows(s: &Scenario, results: &RunResults, point: &PointColumns) -> Vec<Vec<String>> {
    let n = results.replications.len();
    let t975 = if n > 1 { t_quantile_975(n - 1) } else { f64::NAN };
    let weeks = results.replications.first().map_or(0, |r| r.weeks.len());
    let mut rows = Vec::new();
    for week in 0..weeks {
        for (r, retailer) in s.retailers.iter().enumerate() {
            for (metric, value) in METRICS {
                let values: Vec<f64> =
                    results.replications.iter().map(|rep| value(&rep.weeks[week].retailers[r])).collect();
                let sm = summarize(&values, t975);
                let opt = |x: Option<f64>| x.map(num).unwrap_or_default();
                let mut row = vec![s.name.clone(), point.point.to_string()];
                row.extend(point.values.iter().cloned());
                row.extend([week.to_string(), retailer.name.clone(), metric.to_string()]);
                row.extend([num(sm.mean), opt(sm.sd), opt(sm.ci95.map(|c| c.0)), opt(sm.ci95.map(|c| c.1))]);
                row.extend([num(sm.p05), num(sm.p95)]);
                rows.push(row);
            }
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use crate::scenario::{LoadOptions, load_str};

    const TINY: &str = "name = \"tiny\"\n[market]\nhouseholds = 1000\noutside_option = \"Other\"\n\
        [simulation]\nweeks = 3\nwarmup_weeks = 1\nreplications = 2\nhouseholds = 100\n\
        [dynamics]\nloyalty_smoothing = 0.8\nloyalty_weight = 1.0\nadoption_innovation = 0.01\nadoption_imitation = 0.1\n\
        [[region]]\nname = \"town\"\nhouseholds_share = 1.0\narea_km2 = 50.0\n\
        [[segment]]\nname = \"all\"\nshare = 1.0\nprice_sensitivity = 5.0\ndistance_sensitivity = 0.3\n\
        time_value = 0.05\nfee_sensitivity = 0.1\nweekly_spend = 100.0\ndigital_adoption = 0.2\n\
        [[retailer]]\nname = \"Corner Shop\"\nstores = 10\nquality = 0.5\nprice_index = 1.0\ncheckout_wait_min = 4.0\n\
        [[event]]\nweek = 1\nretailer = \"Corner Shop\"\nset = { price_index = 0.9 }\n";

    #[test]
    fn an_event_shows_in_the_week_it_applies() {
        let s = load_str(TINY, &LoadOptions::default()).unwrap();
        let results = crate::engine::run(&s, &|_| {});
        let files = crate::output::table::render_run(&s, &results, false);
        let csv = String::from_utf8(crate::output::table::rendered(&files, "retailers.csv").to_vec()).unwrap();
        let price = |week: usize| {
            let prefix = format!("tiny,0,{week},Corner Shop,price_index,");
            let line = csv.lines().find(|l| l.starts_with(&prefix)).unwrap();
            line[prefix.len()..].split(',').next().unwrap().parse::<f64>().unwrap()
        };
        assert_eq!((price(0), price(1), price(2)), (1.0, 0.9, 0.9));
        assert_eq!(csv.lines().count(), 1 + 3 * 3);
    }
}
