//! Counterfactuals: a scenario against its reference, in lockstep with common random numbers.

mod common;

use cartshift::Scenario;
use cartshift::engine::{ComparisonResults, align_reference, alternative, compare};
use cartshift::output::table::{render_comparison, rendered};
use common::*;

const SMALL: [&str; 4] =
    ["simulation.households=4000", "simulation.replications=6", "simulation.weeks=12", "simulation.warmup_weeks=6"];

fn baseline(extra: &[&str]) -> Scenario {
    let overrides: Vec<&str> = SMALL.iter().chain(extra).copied().collect();
    repo_scenario("baseline_2018.toml", &overrides)
}

fn run_compare(s: &Scenario, r: &Scenario, crn: bool) -> ComparisonResults {
    let mut r = r.clone();
    align_reference(&mut r, s, crn);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
    pool.install(|| compare(s, &r, crn, &|_| {}))
}

/// Reads a CSV document into rows of cells (header dropped).
fn rows(bytes: &[u8]) -> Vec<Vec<String>> {
    let mut reader = csv::Reader::from_reader(bytes);
    reader.records().map(|r| r.unwrap().iter().map(str::to_string).collect()).collect()
}

#[test]
fn a_scenario_identical_to_its_reference_shifts_nothing() {
    let s = baseline(&[]);
    let c = run_compare(&s, &s, true);
    assert_eq!(c.scenario, c.reference);
    let files = render_comparison(&s, &s, &c, false);
    for row in rows(rendered(&files, "shifts.csv")) {
        for cell in &row[6..] {
            assert_eq!(cell.parse::<f64>().unwrap(), 0.0, "{row:?}");
        }
    }
    let alts = 1 + 3 * s.retailers.len();
    for (final_week, horizon) in c.switching.as_ref().unwrap() {
        for from in 0..alts {
            for to in (0..alts).filter(|&to| to != from) {
                assert_eq!((final_week[from * alts + to], horizon[from * alts + to]), (0, 0));
            }
        }
    }
    let switching = rows(rendered(&files, "switching.csv"));
    assert!(switching.iter().filter(|r| r[3..5] != r[5..7]).all(|r| r[7] == "0" && r[10] == "0"));
}

/// Sum over a retailer's channels of a per-alternative value.
fn retailer_total(values: &[f64], r: usize) -> f64 {
    (0..3).map(|c| values[alternative(r, c)]).sum()
}

#[test]
fn a_price_cut_raises_own_share_and_lowers_every_other() {
    let r = baseline(&[]);
    let s = baseline(&["retailer.Kroger.price_index=0.9"]);
    let c = run_compare(&s, &r, true);
    let kroger = s.retailers.iter().position(|x| x.name == "Kroger").unwrap();
    let mean_shift = |alt: usize| {
        let d = |res: &cartshift::engine::RunResults| mean_over(res, |w| w.share[alt]);
        d(&c.scenario) - d(&c.reference)
    };
    let own: f64 = (0..3).map(|ch| mean_shift(alternative(kroger, ch))).sum();
    assert!(own > 0.0, "Kroger's share shift {own}");
    let mut others = vec![0];
    others
        .extend((0..s.retailers.len()).filter(|&x| x != kroger).flat_map(|x| (0..3).map(move |ch| alternative(x, ch))));
    for alt in others {
        let base = mean_over(&c.reference, |w| w.share[alt]);
        let shift = mean_shift(alt);
        // With thirteen chains some channels hold a few households of this sample (Sprouts'
        // delivery: 0.004%), too few for one of them to be seen switching: those may stay put.
        if base >= 0.001 {
            assert!(shift < 0.0, "alternative {alt} (share {base}) moved by {shift}");
        } else if base > 0.0 {
            assert!(shift <= 0.0, "alternative {alt} (share {base}) moved by {shift}");
        } else {
            assert_eq!(shift, 0.0);
        }
    }
}

#[test]
fn switching_rows_and_columns_add_up_to_each_worlds_trips() {
    let r = baseline(&[]);
    let s = baseline(&["retailer.Walmart.checkout_wait_min=2", "retailer.Amazon.delivery.fee=0"]);
    let c = run_compare(&s, &r, true);
    let alts = 1 + 3 * s.retailers.len();
    let scale = s.households / s.simulation.households as f64;
    for (i, (final_week, horizon)) in c.switching.as_ref().unwrap().iter().enumerate() {
        let (ref_weeks, scen_weeks) = (&c.reference.replications[i].weeks, &c.scenario.replications[i].weeks);
        for alt in 0..alts {
            let row: u64 = (0..alts).map(|to| final_week[alt * alts + to]).sum();
            let column: u64 = (0..alts).map(|from| final_week[from * alts + alt]).sum();
            assert_eq!(row as f64 * scale, ref_weeks.last().unwrap().trips[alt], "replication {i} row {alt}");
            assert_eq!(column as f64 * scale, scen_weeks.last().unwrap().trips[alt], "replication {i} column {alt}");
            let row_h: u64 = (0..alts).map(|to| horizon[alt * alts + to]).sum();
            let ref_h: f64 = ref_weeks.iter().map(|w| w.trips[alt] / scale).sum();
            assert_eq!(row_h as f64, ref_h.round(), "replication {i} horizon row {alt}");
        }
        let moved: u64 = (0..alts)
            .flat_map(|f| (0..alts).filter(move |&t| t != f).map(move |t| (f, t)))
            .map(|(f, t)| final_week[f * alts + t])
            .sum();
        assert!(moved > 0, "some households switched");
    }
}

/// Width of the paired 95% interval of Kroger's mean weekly share shift.
fn interval_width(c: &ComparisonResults, kroger: usize) -> f64 {
    let diffs: Vec<f64> = c
        .scenario
        .replications
        .iter()
        .zip(&c.reference.replications)
        .map(|(a, b)| {
            let mean = |rep: &cartshift::engine::ReplicationResult| {
                rep.weeks.iter().map(|w| retailer_total(&w.share, kroger)).sum::<f64>() / rep.weeks.len() as f64
            };
            mean(a) - mean(b)
        })
        .collect();
    let n = diffs.len();
    let summary = cartshift::stats::summarize(&diffs, cartshift::stats::t_quantile_975(n - 1));
    let (lo, hi) = summary.ci95.unwrap();
    hi - lo
}

/// Common random numbers must narrow the paired interval of a small effect at least 5-fold.
#[test]
fn common_random_numbers_narrow_the_interval_fivefold() {
    let r = baseline(&["simulation.replications=16"]);
    let s = baseline(&["simulation.replications=16", "retailer.Kroger.price_index=0.99"]);
    let kroger = s.retailers.iter().position(|x| x.name == "Kroger").unwrap();
    let with_crn = interval_width(&run_compare(&s, &r, true), kroger);
    let without = interval_width(&run_compare(&s, &r, false), kroger);
    let ratio = without / with_crn;
    eprintln!("CRN interval {with_crn:e}, independent {without:e}, ratio {ratio:.1}");
    assert!(ratio >= 5.0, "CRN narrowed the interval only {ratio:.2}-fold");
}
