//! The scenario library: every file validates, and each moves the market in the direction a
//! retail economist would expect. Each test runs the scenario against its reference (the file
//! it extends) with common random numbers on a small sample and requires the paired 95%
//! interval of the shift to lie on the expected side of zero.

mod common;

use cartshift::Scenario;
use cartshift::engine::{ComparisonResults, align_reference, alternative, compare};
use cartshift::output::comparison::retailer_share_shifts;
use cartshift::scenario::{LoadOptions, load};
use cartshift::stats::Summary;
use std::path::Path;

const SMALL: [&str; 2] = ["simulation.households=3000", "simulation.replications=4"];

fn file(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios").join(name)
}

/// Runs `name` against its parent on a small sample; returns both scenarios and the results.
fn against_reference(name: &str) -> (Scenario, Scenario, ComparisonResults) {
    against_reference_with(name, &SMALL)
}

/// [`against_reference`] with its own sample settings.
fn against_reference_with(name: &str, sample: &[&str]) -> (Scenario, Scenario, ComparisonResults) {
    let options = LoadOptions { overrides: sample.iter().map(|s| s.to_string()).collect() };
    let s = load(&file(name), &options).unwrap_or_else(|e| panic!("{e}"));
    let mut r = load(s.parent.as_ref().expect("library scenarios extend a baseline"), &options).unwrap();
    align_reference(&mut r, &s, true);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
    let c = pool.install(|| compare(&s, &r, true, &|_| {}));
    (s, r, c)
}

fn shift(s: &Scenario, r: &Scenario, c: &ComparisonResults, retailer: &str) -> Summary {
    let shifts = retailer_share_shifts(s, r, c);
    shifts.into_iter().find(|(name, _)| name == retailer).map(|(_, summary)| summary).unwrap()
}

fn assert_up(s: &Scenario, r: &Scenario, c: &ComparisonResults, retailer: &str) {
    let sm = shift(s, r, c, retailer);
    assert!(sm.ci95.unwrap().0 > 0.0, "{}: {retailer} should gain share: {sm:?}", s.name);
}

fn assert_down(s: &Scenario, r: &Scenario, c: &ComparisonResults, retailer: &str) {
    let sm = shift(s, r, c, retailer);
    assert!(sm.ci95.unwrap().1 < 0.0, "{}: {retailer} should lose share: {sm:?}", s.name);
}

fn index(s: &Scenario, retailer: &str) -> usize {
    s.retailers.iter().position(|x| x.name == retailer).unwrap()
}

/// Mean over replications of a per-week value of the final reported week.
fn final_week(c: &cartshift::engine::RunResults, value: impl Fn(&cartshift::engine::WeekRecord) -> f64) -> f64 {
    c.replications.iter().map(|r| value(r.weeks.last().unwrap())).sum::<f64>() / c.replications.len() as f64
}

#[test]
fn every_library_scenario_validates() {
    let mut count = 0;
    for entry in std::fs::read_dir(file("")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            load(&path, &LoadOptions::default()).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            count += 1;
        }
    }
    assert!(count >= 11, "{count} scenarios");
}

/// The app is used on 3.3% of Kroger's trips (issue 13), so the shift is small (~0.02 pp) and
/// needs a larger sample than the other scenarios; the small chains' losses are still too small
/// to resolve, so the test asks instead that nobody but Kroger gains and that Kroger's format
/// rivals lose the most per trip they had (the supermarket nest, MODEL.md §3a).
#[test]
fn kroger_alibaba_alliance_wins_kroger_shoppers_most_from_other_supermarkets() {
    let sample = ["simulation.households=10000", "simulation.replications=6"];
    let (s, r, c) = against_reference_with("kroger_alibaba_alliance.toml", &sample);
    assert_up(&s, &r, &c, "Kroger");
    for other in ["Other grocers", "Walmart", "Albertsons"] {
        assert_down(&s, &r, &c, other);
    }
    for other in s.retailers.iter().map(|x| x.name.as_str()).filter(|&x| x != "Kroger") {
        let sm = shift(&s, &r, &c, other);
        assert!(sm.ci95.unwrap().0 <= 0.0, "{other} should not gain: {sm:?}");
    }
    let relative = |name: &str| {
        let i = index(&s, name);
        let share: f64 = (0..3).map(|ch| final_week(&c.reference, |w| w.share[alternative(i, ch)])).sum();
        shift(&s, &r, &c, name).mean / share
    };
    assert!(relative("Albertsons") < relative("Walmart"), "{} vs {}", relative("Albertsons"), relative("Walmart"));
}

#[test]
fn whole_foods_price_cut_draws_shoppers_and_the_publicity_fades() {
    let (s, r, c) = against_reference("whole_foods_price_cut_2017.toml");
    assert_up(&s, &r, &c, "Whole Foods");
    assert_down(&s, &r, &c, "Walmart");
    let wf = index(&s, "Whole Foods");
    let trips = |res: &cartshift::engine::RunResults, w: usize| {
        res.replications.iter().map(|x| x.weeks[w].trips[alternative(wf, 0)]).sum::<f64>()
    };
    let gain = |w: usize| trips(&c.scenario, w) / trips(&c.reference, w) - 1.0;
    assert_eq!(gain(3), 0.0, "nothing changes before the cut");
    assert!(gain(4) > gain(10) && gain(10) > 0.0, "week 4 {} vs week 10 {}", gain(4), gain(10));
}

#[test]
fn amazon_go_brings_amazon_into_stores() {
    let (s, r, c) = against_reference("amazon_go_cashierless.toml");
    assert_up(&s, &r, &c, "Amazon");
    assert_down(&s, &r, &c, "Walmart");
    let amazon = index(&s, "Amazon");
    assert!(final_week(&c.scenario, |w| w.trips[alternative(amazon, 0)]) > 0.0);
    assert_eq!(final_week(&c.reference, |w| w.trips[alternative(amazon, 0)]), 0.0);
}

/// Kroger keeps Boxed as a banner: no household changes its choice, and Kroger's owner-level
/// revenue rises by exactly Boxed's revenue from the acquisition on.
#[test]
fn kroger_acquiring_boxed_keeps_the_banner_and_books_its_sales() {
    let (s, r, c) = against_reference("kroger_acquires_boxed.toml");
    let boxed = index(&s, "Boxed");
    for (a, b) in c.scenario.replications.iter().zip(&c.reference.replications) {
        for (wa, wb) in a.weeks.iter().zip(&b.weeks) {
            assert_eq!(wa.trips, wb.trips, "an ownership change moves no household");
        }
    }
    let files = cartshift::output::table::render_comparison(&s, &r, &c, false);
    let shifts = String::from_utf8(cartshift::output::table::rendered(&files, "shifts_owners.csv").to_vec()).unwrap();
    let kroger_revenue: f64 = shifts
        .lines()
        .find(|l| l.starts_with("kroger_acquires_boxed,baseline_2018_boxed,0,Kroger,revenue,"))
        .and_then(|l| l.split(',').nth(5))
        .unwrap()
        .parse()
        .unwrap();
    let boxed_after: f64 = c
        .scenario
        .replications
        .iter()
        .map(|rep| {
            rep.weeks[8..].iter().map(|w| (0..3).map(|ch| w.revenue[alternative(boxed, ch)]).sum::<f64>()).sum::<f64>()
        })
        .sum::<f64>()
        / c.scenario.replications.len() as f64;
    assert!((kroger_revenue - boxed_after).abs() <= 1e-9 * boxed_after.max(1.0), "{kroger_revenue} vs {boxed_after}");
}

#[test]
fn kroger_ocado_changes_nothing_for_two_years_then_grows_delivery() {
    let (s, _r, c) = against_reference("kroger_ocado_2018.toml");
    assert_eq!(s.simulation.weeks, 156);
    for (a, b) in c.scenario.replications.iter().zip(&c.reference.replications) {
        assert_eq!(a.weeks[..104], b.weeks[..104], "identical before the centres open");
    }
    let kroger = index(&s, "Kroger");
    let delivery = |res: &cartshift::engine::RunResults| final_week(res, |w| w.share[alternative(kroger, 2)]);
    // The first centres serve three metros (7.4% of Kroger's delivery reach, issue 13): a few
    // percent more Kroger delivery, not the +20% the file assumed before.
    assert!(delivery(&c.scenario) > delivery(&c.reference));
}

#[test]
fn walmart_pickup_rollout_grows_walmart_pickup() {
    let (s, r, c) = against_reference("walmart_pickup_rollout.toml");
    assert_up(&s, &r, &c, "Walmart");
    let walmart = index(&s, "Walmart");
    let pickup = |res: &cartshift::engine::RunResults| final_week(res, |w| w.share[alternative(walmart, 1)]);
    assert!(pickup(&c.scenario) > pickup(&c.reference));
}

#[test]
fn price_war_grows_aldi_and_the_chains_that_lose_most_cut_prices() {
    let (s, r, c) = against_reference("price_war.toml");
    assert_up(&s, &r, &c, "Aldi");
    assert_down(&s, &r, &c, "Other grocers");
    // Responses follow expected shares (issue 12): a chain answers a relative loss beyond the 1%
    // tolerance and never goes above its list price. Albertsons loses most relative to its
    // share and cuts (about 0.3% by week 51); Kroger's loss is a fraction of a percent of its
    // share, inside the tolerance, so it holds within 0.05%; Walmart's own share grows over the
    // year (online) although the war costs it some, so it stays at list.
    let price = |chain: &str| {
        let i = index(&s, chain);
        (s.retailers[i].initial.price_index, final_week(&c.scenario, |w| w.retailers[i].price_index))
    };
    let (start, end) = price("Albertsons");
    assert!(end < start * 0.999, "Albertsons did not cut its price: {start} -> {end}");
    let (start, end) = price("Kroger");
    assert!(end <= start && end > start * 0.9995, "Kroger should hold near its list price: {start} -> {end}");
    let (start, end) = price("Walmart");
    assert!(end == start, "Walmart should stay at list: {start} -> {end}");
}

#[test]
fn kroger_superstore_draws_most_from_its_own_region() {
    let (s, r, c) = against_reference("kroger_union_superstore.toml");
    assert_up(&s, &r, &c, "Kroger Superstore");
    assert_down(&s, &r, &c, "Kroger");
    let store = alternative(index(&s, "Kroger Superstore"), 0);
    let regions = s.regions.len();
    let by_region = |g: usize| final_week(&c.scenario, |w| w.region_trips[store * regions + g]);
    let (core, suburbs) = (by_region(0), by_region(1));
    assert!(suburbs > 2.0 * core, "suburbs {suburbs} vs urban core {core}");
}
