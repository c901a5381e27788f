//! Counterfactuals that mean what they say (issue 12): price response on expected shares,
//! switching flows from shared taste shocks.

mod common;

use cartshift::Scenario;
use cartshift::engine::{ComparisonResults, RunResults, align_reference, alternative, compare};
use cartshift::model::coupling::{Logit, couple};
use cartshift::model::logit;
use cartshift::rng::{Purpose, stream, uniform, uniform_open_zero};
use cartshift::stats::{summarize, t_quantile_975};
use common::*;

/// A price war on the 2018 baseline, its full reported year on a shorter warm-up;
/// `households` simulated households.
fn price_war(households: u64, extra: &[&str]) -> Scenario {
    let n = format!("simulation.households={households}");
    let mut o = vec!["simulation.replications=4", "simulation.weeks=52", "simulation.warmup_weeks=12", n.as_str()];
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

/// (from, to) frequencies of `n` households under [`couple`]: reference V = `reference`,
/// scenario V = `scenario`, the same alternatives in both.
fn coupled_flows(reference: &[f32], scenario: &[f32], n: usize) -> Vec<Vec<f64>> {
    let logit = |v: &[f32]| {
        let w: Vec<f32> = v.iter().map(|x| x.exp()).collect();
        let t = w.iter().sum::<f32>();
        (w, t)
    };
    let ((wr, tr), (ws, ts)) = (logit(reference), logit(scenario));
    let r = Logit { utilities: reference, weights: &wr, total: tr };
    let s = Logit { utilities: scenario, weights: &ws, total: ts };
    let map: Vec<Option<usize>> = (0..reference.len()).map(Some).collect();
    let mut choices = stream(5, 0, 0, Some(0), Purpose::Week);
    let mut shocks = stream(5, 0, 0, Some(0), Purpose::Shocks);
    let mut flows = vec![vec![0.0; scenario.len()]; reference.len()];
    for _ in 0..n {
        let from = logit::pick(&wr, tr, uniform(&mut choices) as f32).0;
        flows[from][couple(from, &r, &s, &map, &mut shocks)] += 1.0 / n as f64;
    }
    flows
}

/// The random-utility model itself: the same iid Gumbel shocks in both worlds.
fn brute_force_flows(reference: &[f32], scenario: &[f32], n: usize) -> Vec<Vec<f64>> {
    let mut rng = stream(6, 0, 0, Some(0), Purpose::Setup);
    let argmax = |v: &[f32], e: &[f64]| {
        (0..v.len()).map(|k| (k, v[k] as f64 + e[k])).fold((0, f64::MIN), |a, b| if b.1 > a.1 { b } else { a }).0
    };
    let mut flows = vec![vec![0.0; scenario.len()]; reference.len()];
    for _ in 0..n {
        let e: Vec<f64> = (0..reference.len()).map(|_| -(-uniform_open_zero(&mut rng).ln()).ln()).collect();
        flows[argmax(reference, &e)][argmax(scenario, &e)] += 1.0 / n as f64;
    }
    flows
}

/// Issue 12, point 5: outside option, A and B of equal utility; then A +0.5 and B −0.5. The
/// coupled flows equal those of shared Gumbel shocks (about 11.4% B→A, 5.9% outside→A, 3.3%
/// B→outside), within 4 standard errors of the difference, cell by cell.
#[test]
fn switching_flows_are_the_random_utility_models() {
    let n = 400_000;
    let (reference, scenario) = ([0.0f32, 0.0, 0.0], [0.0f32, 0.5, -0.5]);
    let coupled = coupled_flows(&reference, &scenario, n);
    let brute = brute_force_flows(&reference, &scenario, n);
    for from in 0..3 {
        for to in 0..3 {
            let (a, b) = (coupled[from][to], brute[from][to]);
            let se = (a * (1.0 - a) / n as f64 + b * (1.0 - b) / n as f64).sqrt();
            eprintln!("{from} -> {to}: coupled {a:.4}, shared shocks {b:.4}");
            assert!((a - b).abs() <= 4.0 * se + 1e-9, "{from} -> {to}: coupled {a}, shared shocks {b}");
        }
    }
    assert!(coupled[2][0] > 0.02, "B loses to the outside option too: {}", coupled[2][0]);
}

fn small_baseline(extra: &[&str]) -> Scenario {
    let mut o = vec![
        "simulation.households=3000",
        "simulation.replications=3",
        "simulation.weeks=10",
        "simulation.warmup_weeks=6",
    ];
    o.extend(extra);
    repo_scenario("baseline_2018.toml", &o)
}

/// Issue 12, point 4: reach counts people. Every weekly share is a lower bound of reach (those
/// households shopped there), and reach is at most 1; a world against itself has no new shoppers.
#[test]
fn reach_and_new_shoppers_count_people() {
    let s = small_baseline(&[]);
    let c = paired(&s, &s, 2);
    for rep in &c.scenario.replications {
        for (r, &reach) in rep.reach.iter().enumerate() {
            let top =
                rep.weeks.iter().map(|w| (0..3).map(|ch| w.share[alternative(r, ch)]).sum::<f64>()).fold(0.0, f64::max);
            assert!(reach >= top - 1e-12 && reach <= 1.0, "retailer {r}: reach {reach}, best week {top}");
        }
    }
    for rep in c.new_shoppers.as_ref().unwrap() {
        assert!(rep.iter().all(|w| w.counts.iter().all(|&n| n == 0)), "nobody is new against herself");
    }
}

/// A 10% Kroger price cut from week 2 wins Kroger new shoppers in the event window and over the
/// horizon; at most every household, and more over the horizon than in four weeks.
#[test]
fn a_price_cut_wins_new_shoppers() {
    let r = small_baseline(&[]);
    let mut s = small_baseline(&["retailer.Kroger.price_index=0.9"]);
    s.name = "kroger_cut".into();
    let c = paired(&s, &r, 2);
    let kroger = s.retailers.iter().position(|x| x.name == "Kroger").unwrap();
    let columns = 1 + r.retailers.len();
    for rep in c.new_shoppers.as_ref().unwrap() {
        let whole = rep.last().unwrap();
        assert_eq!((whole.window.start, whole.window.end), (0, 9));
        let kroger_new: u64 = whole.counts[kroger * columns..(kroger + 1) * columns].iter().sum();
        assert!(kroger_new > 0 && kroger_new <= s.simulation.households, "{kroger_new}");
        assert_eq!(whole.counts[kroger * columns + 1 + kroger], 0, "nobody is new from Kroger itself");
    }
    let files = cartshift::output::table::render_comparison(&s, &r, &c, false);
    let text = String::from_utf8(cartshift::output::table::rendered(&files, "new_shoppers.csv").to_vec()).unwrap();
    assert!(text.starts_with("scenario,reference,point,window_start,window_end,retailer,from,mean"));
    assert_eq!(text.lines().count(), 1 + s.retailers.len() * r.retailers.len());
}

/// Issue 12, point 3 (ownership): the 2018 baseline lists Whole Foods under Amazon, and
/// owners.csv adds its banners' trips up.
#[test]
fn owners_add_up_their_banners() {
    let s = small_baseline(&[]);
    assert_eq!(s.retailers.iter().find(|r| r.name == "Whole Foods").unwrap().owner, "Amazon");
    assert!(!s.owners().contains(&"Whole Foods".to_string()));
    let results = run_with_threads(&s, 2);
    let files = cartshift::output::table::render_run(&s, &results, false);
    let csv = String::from_utf8(cartshift::output::table::rendered(&files, "owners.csv").to_vec()).unwrap();
    let mean = |owner: &str| -> f64 {
        let prefix = format!("baseline_2018,0,{owner},trips,");
        csv.lines().find(|l| l.starts_with(&prefix)).unwrap()[prefix.len()..]
            .split(',')
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    let banner_trips = |name: &str| {
        let r = s.retailers.iter().position(|x| x.name == name).unwrap();
        let per_rep: f64 = results
            .replications
            .iter()
            .map(|rep| rep.weeks.iter().map(|w| (0..3).map(|c| w.trips[alternative(r, c)]).sum::<f64>()).sum::<f64>())
            .sum();
        per_rep / results.replications.len() as f64
    };
    let amazon = banner_trips("Amazon") + banner_trips("Whole Foods");
    assert!((mean("Amazon") - amazon).abs() <= 1e-9 * amazon, "{} vs {amazon}", mean("Amazon"));
}

/// `rebrand` only makes sense with `acquire`.
#[test]
fn rebrand_without_an_acquisition_is_refused() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/price_war.toml")).unwrap();
    let text = text.replace("set = { stores = 2500 }", "set = { stores = 2500 }\nrebrand = true");
    let dir = tempfile::tempdir().unwrap();
    let parent = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/baseline_2018.toml");
    std::fs::copy(parent, dir.path().join("baseline_2018.toml")).unwrap();
    std::fs::write(dir.path().join("war.toml"), text).unwrap();
    let err = cartshift::scenario::load(&dir.path().join("war.toml"), &Default::default()).unwrap_err().to_string();
    assert!(err.contains("rebrand") && err.contains("acquire"), "{err}");
}
