//! Property tests (issue 8): random valid scenarios of bounded size — 1–3 regions, 1–3
//! segments, 1–4 retailers with random channels and maybe an event, a few weeks, a few hundred
//! households, 2–3 replications — keep the invariants whatever the parameters:
//! every household makes one trip a week (trips conserved), shares sum to 1, no NaN or
//! infinity anywhere, every confidence interval contains its mean, and the CSV bytes do not
//! depend on the number of threads.
//!
//! Scenarios are generated as TOML text, so they also go through the real loader; proptest
//! shrinks a failing case to a small one and records it in `proptest-regressions/`.

use cartshift::Scenario;
use cartshift::engine::{self, RunResults};
use cartshift::scenario::{LoadOptions, load_str};
use proptest::prelude::*;

/// Shares from positive weights, printed so that they sum to 1 within the loader's 1e-6.
fn shares(weights: &[f64]) -> Vec<f64> {
    let total: f64 = weights.iter().sum();
    weights.iter().map(|w| w / total).collect()
}

fn region_toml(shares: &[f64], areas: &[f64]) -> String {
    let mut out = String::new();
    for (g, (share, area)) in shares.iter().zip(areas).enumerate() {
        out.push_str(&format!("[[region]]\nname = \"r{g}\"\nhouseholds_share = {share:?}\narea_km2 = {area:?}\n"));
    }
    out
}

/// (share weight, β_p, β_d, β_t, β_f, spend, adoption)
type SegmentParams = (f64, f64, f64, f64, f64, f64, f64);

fn segment_toml(segments: &[SegmentParams]) -> String {
    let weights: Vec<f64> = segments.iter().map(|s| s.0).collect();
    let mut out = String::new();
    for (i, (share, s)) in shares(&weights).iter().zip(segments).enumerate() {
        out.push_str(&format!(
            "[[segment]]\nname = \"s{i}\"\nshare = {share:?}\nprice_sensitivity = {:?}\ndistance_sensitivity = {:?}\n\
             time_value = {:?}\nfee_sensitivity = {:?}\nweekly_spend = {:?}\ndigital_adoption = {:?}\n",
            s.1, s.2, s.3, s.4, s.5, s.6
        ));
    }
    out
}

/// One retailer's parameters.
#[derive(Debug, Clone)]
struct RetailerParams {
    stores: u32,
    quality: f64,
    price: f64,
    wait: f64,
    pickup: Option<(f64, f64, f64)>,
    delivery: Option<(f64, f64, f64)>,
    pull: f64,
    price_response: Option<(f64, f64, u32)>,
}

fn retailer_strategy() -> impl Strategy<Value = RetailerParams> {
    (
        0u32..300,
        -4.0..1.0f64,
        0.6..1.4f64,
        0.0..10.0f64,
        proptest::option::of((0.0..10.0f64, 0.0..10.0f64, -2.0..1.0f64)),
        proptest::option::of((0.0..12.0f64, -2.0..1.0f64, 0.0..=1.0f64)),
        0.0..1.0f64,
        proptest::option::of((0.0..2.0f64, 0.5..0.95f64, 1u32..3)),
    )
        .prop_map(|(stores, quality, price, wait, pickup, delivery, pull, price_response)| RetailerParams {
            stores,
            quality,
            price,
            wait,
            pickup,
            // A retailer with no store and no online channel is refused: give it delivery.
            delivery: if stores == 0 && pickup.is_none() {
                Some(delivery.unwrap_or((5.0, 0.0, 0.5)))
            } else {
                delivery
            },
            pull,
            price_response,
        })
}

fn retailer_toml(i: usize, r: &RetailerParams) -> String {
    let mut out = format!(
        "[[retailer]]\nname = \"R{i}\"\nstores = {}\nquality = {:?}\nprice_index = {:?}\ncheckout_wait_min = {:?}\n\
         adoption_pull = {:?}\n",
        r.stores, r.quality, r.price, r.wait, r.pull
    );
    if let Some((fee, wait, quality)) = r.pickup {
        out.push_str(&format!("pickup = {{ fee = {fee:?}, wait_min = {wait:?}, quality = {quality:?} }}\n"));
    }
    if let Some((fee, quality, coverage)) = r.delivery {
        out.push_str(&format!("delivery = {{ fee = {fee:?}, quality = {quality:?}, coverage = {coverage:?} }}\n"));
    }
    if let Some((strength, floor, every)) = r.price_response {
        let floor = floor.min(r.price);
        out.push_str(&format!(
            "price_response = {{ strength = {strength:?}, floor = {floor:?}, every_weeks = {every} }}\n"
        ));
    }
    out
}

/// A whole scenario as TOML text, with an optional price event on the first retailer.
fn scenario_strategy() -> impl Strategy<Value = String> {
    let regions = (1usize..=3).prop_flat_map(|n| {
        (proptest::collection::vec(0.05..1.0f64, n), proptest::collection::vec(1.0..50_000.0f64, n))
    });
    let segment = (0.05..1.0f64, 0.0..6.0f64, 0.0..0.5f64, 0.0..0.2f64, 0.0..0.5f64, 20.0..200.0f64, 0.0..=1.0f64);
    let segments = proptest::collection::vec(segment, 1..=3);
    let retailers = proptest::collection::vec(retailer_strategy(), 1..=4);
    let simulation = (1u32..=4, 0u32..=2, 2u32..=3, 1u64..=400, 0u64..1_000_000);
    let dynamics = (0.0..=1.0f64, -1.0..4.0f64, 0.0..0.1f64, 0.0..0.5f64);
    let event = proptest::option::of((0.5..1.2f64, 0u32..4));
    (regions, segments, retailers, simulation, dynamics, event).prop_map(
        |((weights, areas), segments, retailers, (weeks, warmup, reps, households, seed), dynamics, event)| {
            let mut text = format!(
                "name = \"prop\"\n[market]\nhouseholds = 1_000_000\noutside_option = \"Other\"\n\
                 [simulation]\nweeks = {weeks}\nwarmup_weeks = {warmup}\nreplications = {reps}\n\
                 households = {households}\nseed = {seed}\n\
                 [dynamics]\nloyalty_smoothing = {:?}\nloyalty_weight = {:?}\nadoption_innovation = {:?}\n\
                 adoption_imitation = {:?}\n",
                dynamics.0, dynamics.1, dynamics.2, dynamics.3
            );
            text.push_str(&region_toml(&shares(&weights), &areas));
            text.push_str(&segment_toml(&segments));
            for (i, r) in retailers.iter().enumerate() {
                text.push_str(&retailer_toml(i, r));
            }
            if let Some((scale, week)) = event {
                let week = week.min(weeks - 1);
                text.push_str(&format!(
                    "[[event]]\nweek = {week}\nretailer = \"R0\"\nscale = {{ price_index = {scale:?} }}\n"
                ));
            }
            text
        },
    )
}

fn run_on(s: &Scenario, threads: usize) -> RunResults {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
    pool.install(|| engine::run(s, &|_| {}))
}

fn csv_files(s: &Scenario, results: &RunResults) -> Vec<(String, Vec<u8>)> {
    cartshift::output::table::render_run(s, results, true)
}

/// Trips sum to the market's households and shares to 1 in every replication-week; every
/// recorded number is finite and every share or online fraction lies in [0, 1].
fn check_records(s: &Scenario, results: &RunResults) -> Result<(), TestCaseError> {
    prop_assert_eq!(results.replications.len(), s.simulation.replications as usize);
    for rep in &results.replications {
        prop_assert_eq!(rep.weeks.len(), s.simulation.weeks as usize);
        for (w, week) in rep.weeks.iter().enumerate() {
            let trips: f64 = week.trips.iter().sum();
            prop_assert!((trips - s.households).abs() <= 1e-9 * s.households, "week {}: {} trips", w, trips);
            let shares: f64 = week.share.iter().sum();
            prop_assert!((shares - 1.0).abs() <= 1e-12, "week {}: shares sum to {}", w, shares);
            let all = week.trips.iter().chain(&week.share).chain(&week.revenue).chain(&week.online);
            for x in all {
                prop_assert!(x.is_finite() && *x >= 0.0, "week {}: {}", w, x);
            }
            for x in week.share.iter().chain(&week.online) {
                prop_assert!(*x <= 1.0, "week {}: fraction {}", w, x);
            }
        }
    }
    Ok(())
}

/// Every cell after the labels is a finite number or empty, and ci95_low ≤ mean ≤ ci95_high.
fn check_csv(name: &str, bytes: &[u8]) -> Result<(), TestCaseError> {
    let text = std::str::from_utf8(bytes).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |c: &str| header.iter().position(|h| *h == c);
    let first = col("mean").or(col("trips")).unwrap();
    for line in lines {
        let cells: Vec<&str> = line.split(',').collect();
        prop_assert_eq!(cells.len(), header.len(), "{}: {}", name, line);
        let mut values = Vec::new();
        for cell in &cells[first..] {
            let value = if cell.is_empty() { None } else { Some(cell.parse::<f64>().unwrap_or(f64::NAN)) };
            prop_assert!(value.is_none_or(f64::is_finite), "{}: {}", name, line);
            values.push(value);
        }
        if let (Some(m), Some(lo), Some(hi)) = (col("mean"), col("ci95_low"), col("ci95_high")) {
            let get = |i: usize| values[i - first];
            if let (Some(mean), Some(lo), Some(hi)) = (get(m), get(lo), get(hi)) {
                prop_assert!(lo <= mean && mean <= hi, "{}: interval misses the mean: {}", name, line);
            }
        }
    }
    Ok(())
}

/// 64 cases, or `PROPTEST_CASES`.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(64)
}

proptest! {
    // Each case simulates a few thousand household-weeks three times; 64 cases keep `cargo test`
    // well under a second on two cores. PROPTEST_CASES=1000 runs more.
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn random_valid_scenarios_keep_the_invariants(text in scenario_strategy()) {
        let s = load_str(&text, &LoadOptions::default()).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        let one = run_on(&s, 1);
        check_records(&s, &one)?;
        let files = csv_files(&s, &one);
        for (name, bytes) in &files {
            check_csv(name, bytes)?;
        }
        for threads in [2, 3] {
            let other = csv_files(&s, &run_on(&s, threads));
            for ((name, a), (_, b)) in files.iter().zip(&other) {
                prop_assert!(a == b, "{} differs between 1 and {} threads", name, threads);
            }
        }
    }
}
