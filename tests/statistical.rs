//! Statistical tests against exact references: logit shares, the Bass recursion, Rayleigh
//! distances. Seeds are fixed so they cannot flake; each tolerance is a multiple of a standard
//! error computed from the sample size (or from the replications), never picked to pass.

mod common;

use cartshift::engine::alternative;
use cartshift::engine::population::populate;
use cartshift::model::adoption::bass_path;
use cartshift::model::geometry::{distance_scale, distance_value, mean_nearest_distance, unit_distance};
use cartshift::model::logit::probabilities;
use common::*;

/// With no loyalty, no distance effect and nobody online, trip shares are the logit formula.
#[test]
fn static_shares_match_the_logit_formula() {
    let segment = "price_sensitivity = 2.0\ndistance_sensitivity = 0.0\ntime_value = 0.1\nfee_sensitivity = 0.1\nweekly_spend = 100.0\ndigital_adoption = 0.0";
    let retailers = r#"
[[retailer]]
name = "A"
stores = 10
quality = 0.5
price_index = 1.0
checkout_wait_min = 5.0
[[retailer]]
name = "B"
stores = 20
quality = -0.2
price_index = 0.9
checkout_wait_min = 2.0
[[retailer]]
name = "C"
stores = 5
quality = -1.0
price_index = 1.2
checkout_wait_min = 8.0
delivery = { fee = 3.0 }
"#;
    let sim = "weeks = 10\nwarmup_weeks = 0\nreplications = 4\nseed = 11\nhouseholds = 20000";
    let s = scenario(&market(sim, NO_DYNAMICS, segment, retailers));
    let results = run_with_threads(&s, 2);
    // V = q − β_p ln P − β_t W; the outside option is 0; delivery needs online households.
    let v = |q: f64, p: f64, w: f64| q - 2.0 * f64::ln(p) - 0.1 * w;
    let exact = probabilities(&[0.0, v(0.5, 1.0, 5.0), v(-0.2, 0.9, 2.0), v(-1.0, 1.2, 8.0)]);
    let trials = (20_000 * 10 * 4) as f64;
    let alts = [0, alternative(0, 0), alternative(1, 0), alternative(2, 0)];
    for (i, (&alt, &p)) in alts.iter().zip(&exact).enumerate() {
        let estimate = mean_over(&results, |w| w.share[alt]);
        assert_within(&format!("alternative {i}"), estimate, p, (p * (1.0 - p) / trials).sqrt());
    }
    assert_eq!(mean_over(&results, |w| w.share[alternative(2, 2)]), 0.0, "nobody is online");
}

/// With no pull, the online-capable share follows F ← F + (p + qF)(1 − F) from the start share.
#[test]
fn online_share_follows_the_bass_recursion() {
    let (p, q, start) = (0.01, 0.2, 0.05);
    let dynamics =
        format!("loyalty_smoothing = 0.8\nloyalty_weight = 1.0\nadoption_innovation = {p}\nadoption_imitation = {q}");
    let segment = format!(
        "price_sensitivity = 1.0\ndistance_sensitivity = 0.1\ntime_value = 0.1\nfee_sensitivity = 0.1\nweekly_spend = 100.0\ndigital_adoption = {start}"
    );
    let retailers = "[[retailer]]\nname = \"A\"\nstores = 10\nquality = 0.0\nprice_index = 1.0\ncheckout_wait_min = 5.0\ndelivery = { fee = 5.0 }";
    let (n, reps, weeks) = (50_000u64, 12usize, 30usize);
    let sim = format!("weeks = {weeks}\nwarmup_weeks = 0\nreplications = {reps}\nseed = 5\nhouseholds = {n}");
    let s = scenario(&market(&sim, &dynamics, &segment, retailers));
    let results = run_with_threads(&s, 2);
    let exact = bass_path(p, q, start, weeks);
    for (w, &f) in exact.iter().enumerate() {
        let values: Vec<f64> = results.replications.iter().map(|r| r.weeks[w].online[0]).collect();
        let mean = values.iter().sum::<f64>() / reps as f64;
        let sd = (values.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (reps - 1) as f64).sqrt();
        // The larger of the replication-based and the binomial standard error of the mean.
        let se = (sd / (reps as f64).sqrt()).max((f * (1.0 - f) / (n as f64 * reps as f64)).sqrt());
        assert_within(&format!("week {w}"), mean, f, se);
    }
}

/// Nearest-store distances drawn at set-up have the Rayleigh mean 1/(2√λ) and its median.
#[test]
fn nearest_store_distance_is_rayleigh() {
    let segment = "price_sensitivity = 1.0\ndistance_sensitivity = 0.1\ntime_value = 0.1\nfee_sensitivity = 0.1\nweekly_spend = 100.0\ndigital_adoption = 0.0";
    let retailers =
        "[[retailer]]\nname = \"A\"\nstores = 25\nquality = 0.0\nprice_index = 1.0\ncheckout_wait_min = 5.0";
    let sim = "weeks = 1\nreplications = 1\nseed = 3\nhouseholds = 200000";
    let s = scenario(&market(sim, NO_DYNAMICS, segment, retailers));
    let km = distance_scale(25.0, 100.0).unwrap();
    let distances: Vec<f64> = populate(&s, 0)
        .iter()
        .flat_map(|b| b.unit_distance.iter().map(|&u| f64::from(distance_value(u)) * km).collect::<Vec<_>>())
        .collect();
    let n = distances.len() as f64;
    let mean = distances.iter().sum::<f64>() / n;
    let sd = (distances.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    assert_within("mean distance", mean, mean_nearest_distance(0.25), sd / n.sqrt());
    // P(D > median) = 1/2 where the median solves exp(−πλd²) = 1/2.
    let median = unit_distance(0.5) * km;
    let above = distances.iter().filter(|&&d| d > median).count() as f64 / n;
    assert_within("share beyond the median", above, 0.5, (0.25 / n).sqrt());
}

/// With distance in the utility, the share is the logit averaged over the Rayleigh distance:
/// E[e^{a − β d} / (1 + e^{a − β d})], integrated here on a fine grid of the uniform draw.
#[test]
fn shares_with_distance_average_the_logit_over_rayleigh() {
    let (quality, beta_d, stores, area) = (1.0, 0.8, 4.0, 100.0);
    let segment = format!(
        "price_sensitivity = 1.0\ndistance_sensitivity = {beta_d}\ntime_value = 0.0\nfee_sensitivity = 0.1\nweekly_spend = 100.0\ndigital_adoption = 0.0"
    );
    let retailers = format!(
        "[[retailer]]\nname = \"A\"\nstores = {stores}\nquality = {quality}\nprice_index = 1.0\ncheckout_wait_min = 0.0"
    );
    let sim = "weeks = 10\nwarmup_weeks = 0\nreplications = 4\nseed = 9\nhouseholds = 20000";
    let s = scenario(&market(sim, NO_DYNAMICS, &segment, &retailers));
    let results = run_with_threads(&s, 2);
    let km = distance_scale(stores, area).unwrap();
    let grid = 200_000;
    let exact = (0..grid)
        .map(|i| {
            let d = unit_distance((i as f64 + 0.5) / grid as f64) * km;
            let e = (quality - beta_d * d).exp();
            e / (1.0 + e)
        })
        .sum::<f64>()
        / grid as f64;
    let estimate = mean_over(&results, |w| w.share[alternative(0, 0)]);
    // Each household keeps its distance every week, so the independent units are households
    // per replication: n = 20,000 × 4, with the between-household variance bounded by p(1 − p).
    let se = (exact * (1.0 - exact) / (20_000.0 * 4.0)).sqrt();
    assert_within("share with distance", estimate, exact, se);
}
