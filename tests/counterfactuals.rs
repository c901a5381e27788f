//! Counterfactuals that mean what they say (issue 12): price response on expected shares.

mod common;

use cartshift::Scenario;
use cartshift::engine::{ComparisonResults, RunResults, align_reference, alternative, compare};
use cartshift::stats::{summarize, t_quantile_975};
use common::*;

/// A price war on the 2018 baseline, shortened; `households` simulated households.
fn price_war(households: u64, extra: &[&str]) -> Scenario {
    let n = format!("simulation.households={households}");
    let mut o = vec!["simulation.replications=4", "simulation.weeks=24", "simulation.warmup_weeks=12", n.as_str()];
    o.extend(extra);
    repo_scenario("price_war.toml", &o)
}

fn reference_of(s: &Scenario, households: u64) -> Scenario {
    let n = format!("simulation.households={households}");
    let mut r = repo_scenario("baseline_2018.toml", &[n.as_str()]);
    align_reference(&mut r, s, true);
    r
}

fn paired(s: &Scenario, r: &Scenario, threads: usize) -> ComparisonResults {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
    pool.install(|| compare(s, r, true, &|_| {}))
}

fn responders(s: &Scenario) -> Vec<usize> {
    (0..s.retailers.len()).filter(|&r| s.retailers[r].price_response.is_some()).collect()
}

/// Mean over replications of retailer `r`'s price index in the final reported week.
fn final_price(results: &RunResults, r: usize) -> f64 {
    let prices: Vec<f64> =
        results.replications.iter().map(|rep| rep.weeks.last().unwrap().retailers[r].price_index).collect();
    prices.iter().sum::<f64>() / prices.len() as f64
}

/// Paired mean shift of retailer `r`'s share (all channels, mean over reported weeks) and the
/// half-width of its 95% interval.
fn share_shift(c: &ComparisonResults, r: usize) -> (f64, f64) {
    let share = |rep: &cartshift::engine::ReplicationResult| {
        let total: f64 = rep.weeks.iter().map(|w| (0..3).map(|ch| w.share[alternative(r, ch)]).sum::<f64>()).sum();
        total / rep.weeks.len() as f64
    };
    let diffs: Vec<f64> =
        c.scenario.replications.iter().zip(&c.reference.replications).map(|(a, b)| share(a) - share(b)).collect();
    let s = summarize(&diffs, t_quantile_975(diffs.len() - 1));
    let (lo, hi) = s.ci95.unwrap();
    (s.mean, (hi - lo) / 2.0)
}

/// Issue 12, point 1: the price war's final prices do not depend on the number of simulated
/// households (within 0.3%), and its share shifts agree within their intervals.
#[test]
fn price_war_does_not_depend_on_the_number_of_households() {
    let (small, large) = (10_000, 80_000);
    let (s_small, s_large) = (price_war(small, &[]), price_war(large, &[]));
    let c_small = paired(&s_small, &reference_of(&s_small, small), 2);
    let c_large = paired(&s_large, &reference_of(&s_large, large), 2);
    let mut cuts = 0;
    for r in responders(&s_small) {
        let (a, b) = (final_price(&c_small.scenario, r), final_price(&c_large.scenario, r));
        let (name, start) = (&s_small.retailers[r].name, s_small.retailers[r].initial.price_index);
        eprintln!("{name}: price {start} -> {a:.5} at {small}, {b:.5} at {large}");
        cuts += usize::from(a < start - 1e-3);
        assert!((a / b - 1.0).abs() < 0.003, "{name}: final price {a} at {small} vs {b} at {large}");
    }
    assert!(cuts > 0, "someone answers Aldi's expansion");
    for (r, retailer) in s_small.retailers.iter().enumerate() {
        let ((a, ha), (b, hb)) = (share_shift(&c_small, r), share_shift(&c_large, r));
        eprintln!("{}: shift {a:+.5} ± {ha:.5} at {small}, {b:+.5} ± {hb:.5} at {large}", retailer.name);
        assert!((a - b).abs() <= (ha * ha + hb * hb).sqrt(), "{}: {a} ± {ha} vs {b} ± {hb}", retailer.name);
    }
}

/// With the response rules and no event, nothing happens to lose share to: prices stay within a
/// hair of where they started at any size (the old rule, on realised shares, cut Kroger's price 5% at 5,000).
#[test]
fn price_response_without_an_event_barely_moves() {
    let s = repo_scenario(
        "price_war.toml",
        &[
            "simulation.replications=2",
            "simulation.weeks=24",
            "simulation.warmup_weeks=12",
            "simulation.households=5000",
        ],
    );
    let mut quiet = s.clone();
    quiet.events.clear();
    let results = run_with_threads(&quiet, 2);
    for r in responders(&quiet) {
        let (p, start) = (final_price(&results, r), quiet.retailers[r].initial.price_index);
        assert!(p > start * 0.995, "{}: price {start} -> {p} with no event", quiet.retailers[r].name);
    }
}

/// Expected shares are summed in fixed point: the results are the same at any thread count.
#[test]
fn price_response_is_the_same_at_any_thread_count() {
    let s = price_war(3000, &["simulation.replications=2"]);
    assert_eq!(run_with_threads(&s, 1), run_with_threads(&s, 3));
}
