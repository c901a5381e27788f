//! Invariants on every week of real scenarios, determinism across thread counts, and the
//! behaviour of events: acquisitions, price response and common random numbers.

mod common;

use cartshift::engine::alternative;
use cartshift::output::table::render_run;
use common::*;

/// Trips over all alternatives equal the real households, shares sum to 1, nothing is NaN,
/// revenue is non-negative, and online capability is never lost.
#[test]
fn every_week_conserves_households_and_shares() {
    for file in ["baseline_2018.toml", "kroger_alibaba_alliance.toml"] {
        let s = repo_scenario(file, &["simulation.households=3000", "simulation.replications=3"]);
        let results = run_with_threads(&s, 2);
        for rep in &results.replications {
            let mut previous_online = vec![0.0; s.regions.len()];
            for (w, week) in rep.weeks.iter().enumerate() {
                let trips: f64 = week.trips.iter().sum();
                let shares: f64 = week.share.iter().sum();
                assert!((trips - s.households).abs() < 1e-6 * s.households, "{file} week {w}: trips {trips}");
                assert!((shares - 1.0).abs() < 1e-12, "{file} week {w}: shares {shares}");
                let all = week.trips.iter().chain(&week.share).chain(&week.revenue).chain(&week.online);
                assert!(
                    all.clone().all(|x| x.is_finite() && *x >= 0.0),
                    "{file} week {w}: non-finite or negative value"
                );
                assert!(week.online.iter().zip(&previous_online).all(|(now, before)| now >= before && *now <= 1.0));
                previous_online = week.online.clone();
            }
        }
    }
}

fn csv_files(s: &cartshift::Scenario, threads: usize) -> Vec<Vec<u8>> {
    let r = run_with_threads(s, threads);
    render_run(s, &r, true).into_iter().map(|(_, bytes)| bytes).collect()
}

/// Same scenario and seed: the same bytes with 1 and 2 threads, and from run to run.
#[test]
fn results_do_not_depend_on_threads() {
    // 2,500 households make three blocks, so blocks are spread over threads too.
    let s = repo_scenario(
        "kroger_alibaba_alliance.toml",
        &["simulation.households=2500", "simulation.replications=3", "simulation.weeks=8", "simulation.warmup_weeks=2"],
    );
    let one = csv_files(&s, 1);
    assert_eq!(one, csv_files(&s, 2));
    assert_eq!(one, csv_files(&s, 2));
    let other_seed = repo_scenario(
        "kroger_alibaba_alliance.toml",
        &[
            "simulation.households=2500",
            "simulation.replications=3",
            "simulation.weeks=8",
            "simulation.warmup_weeks=2",
            "simulation.seed=1",
        ],
    );
    assert_ne!(one[0], csv_files(&other_seed, 2)[0], "the seed must matter");
}

const SEGMENT: &str = "price_sensitivity = 3.0\ndistance_sensitivity = 0.2\ntime_value = 0.1\nfee_sensitivity = 0.1\nweekly_spend = 100.0\ndigital_adoption = 0.3";
const DYNAMICS: &str =
    "loyalty_smoothing = 0.8\nloyalty_weight = 2.0\nadoption_innovation = 0.0\nadoption_imitation = 0.0";

fn two_retailers(extra: &str) -> String {
    let retailers = format!(
        "[[retailer]]\nname = \"A\"\nstores = 10\nquality = 0.0\nprice_index = 1.0\ncheckout_wait_min = 5.0\n\
         [[retailer]]\nname = \"B\"\nstores = 10\nquality = 0.0\nprice_index = 1.0\ncheckout_wait_min = 5.0\n\
         pickup = {{ fee = 2.0, wait_min = 3.0 }}\n{extra}"
    );
    market("weeks = 12\nwarmup_weeks = 5\nreplications = 2\nseed = 4\nhouseholds = 5000", DYNAMICS, SEGMENT, &retailers)
}

/// After A acquires B with `rebrand`, B has no trips, and A keeps most of B's shoppers through
/// their loyalty.
#[test]
fn rebranding_acquisition_removes_the_target_and_moves_its_shoppers() {
    let s = scenario(&two_retailers("[[event]]\nweek = 3\nretailer = \"A\"\nacquire = \"B\"\nrebrand = true"));
    let results = run_with_threads(&s, 2);
    let a_total = |w: &cartshift::engine::WeekRecord| (0..3).map(|c| w.share[alternative(0, c)]).sum::<f64>();
    for rep in &results.replications {
        let b_before: f64 = (0..3).map(|c| rep.weeks[2].share[alternative(1, c)]).sum();
        assert!(b_before > 0.1);
        for week in &rep.weeks[3..] {
            assert_eq!((0..3).map(|c| week.trips[alternative(1, c)]).sum::<f64>(), 0.0);
        }
        // A now has twice the stores and B's pickup channel.
        assert!(a_total(&rep.weeks[3]) > a_total(&rep.weeks[2]) + 0.5 * b_before);
        assert!(rep.weeks[3].share[alternative(0, 1)] > 0.0, "A gained B's pickup channel");
    }
}

/// A plain acquisition keeps B trading as a banner: nothing in the market changes, only B's
/// owner (A from week 3 on).
#[test]
fn acquisition_keeps_the_banner_and_changes_its_owner() {
    let plain = scenario(&two_retailers(""));
    let s = scenario(&two_retailers("[[event]]\nweek = 3\nretailer = \"A\"\nacquire = \"B\""));
    let (with, without) = (run_with_threads(&s, 2), run_with_threads(&plain, 2));
    assert_eq!(s.owners(), ["A", "B"]);
    for (a, b) in with.replications.iter().zip(&without.replications) {
        for (w, (wa, wb)) in a.weeks.iter().zip(&b.weeks).enumerate() {
            assert_eq!(wa.trips, wb.trips);
            assert_eq!(wa.retailers[1].owner, usize::from(w < 3), "week {w}");
        }
    }
}

/// A rival's price cut takes share from B; B's price response cuts its price, never below the
/// floor, never upwards. With one segment, revenue / trips = weekly_spend × price index.
#[test]
fn price_response_cuts_prices_after_losing_share() {
    let rule = "price_response = { strength = 0.5, floor = 0.9, every_weeks = 2 }\n";
    let event = "[[event]]\nweek = 1\nretailer = \"A\"\nset = { price_index = 0.8 }";
    let s = scenario(&two_retailers(&format!("{rule}{event}")));
    let results = run_with_threads(&s, 2);
    for rep in &results.replications {
        let price: Vec<f64> =
            rep.weeks.iter().map(|w| w.revenue[alternative(1, 0)] / w.trips[alternative(1, 0)] / 100.0).collect();
        assert!(
            (price[0] - 1.0).abs() < 1e-9 && (price[2] - 1.0).abs() < 1e-9,
            "no cut before the first look: {price:?}"
        );
        assert!(price[3] < 1.0 - 1e-6, "cut after week 2: {price:?}");
        assert!(price.windows(2).all(|p| p[1] <= p[0] + 1e-9), "never raises: {price:?}");
        assert!(price.iter().all(|&p| p >= 0.9 - 1e-9), "never below the floor: {price:?}");
    }
}

/// Two scenarios that differ only in a price see the same draws: with no adoption pull, the
/// online-capable share, which does not depend on choices, is identical week by week.
#[test]
fn scenarios_share_random_numbers() {
    let dynamics =
        "loyalty_smoothing = 0.8\nloyalty_weight = 2.0\nadoption_innovation = 0.02\nadoption_imitation = 0.1";
    let base = market(
        "weeks = 6\nreplications = 2\nseed = 8\nhouseholds = 3000",
        dynamics,
        SEGMENT,
        "[[retailer]]\nname = \"A\"\nstores = 10\nquality = 0.0\nprice_index = 1.0\ncheckout_wait_min = 5.0",
    );
    let cut = base.replace("price_index = 1.0", "price_index = 0.95");
    let (r1, r2) = (run_with_threads(&scenario(&base), 2), run_with_threads(&scenario(&cut), 1));
    for (a, b) in r1.replications.iter().zip(&r2.replications) {
        for (wa, wb) in a.weeks.iter().zip(&b.weeks) {
            assert_eq!(wa.online, wb.online);
        }
    }
    // ...while the price cut itself raises A's share.
    let share = |r: &cartshift::engine::RunResults| mean_over(r, |w| w.share[alternative(0, 0)]);
    assert!(share(&r2) > share(&r1));
}
