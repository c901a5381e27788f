//! `cartshift sensitivity` end to end: sobol and morris sweeps run, sharded and merged, then
//! analysed; folders it cannot analyse are refused with exit 2 and nothing written.

mod sweep_support;

use sweep_support::*;

const QUIET: &str = "--quiet";

fn design(body: &str) -> String {
    format!(
        "\n[sweep]\n{body}\n[[sweep.parameter]]\npath = \"dynamics.loyalty_weight\"\nrange = [1.0, 3.0]\n\
         [[sweep.parameter]]\npath = \"retailer.Kroger.checkout_wait_min\"\nrange = [2.0, 6.0]\n"
    )
}

#[test]
fn a_sharded_sobol_sweep_merges_to_the_whole_and_gives_the_same_indices() {
    let ws = Workspace::new();
    ws.write("sobol.toml", &(tiny(300, 4) + &design("design = \"sobol\"\nsamples = 4\nsecond_order = true")));
    ws.succeed(&["run", "sobol.toml", "-o", "whole", QUIET]);
    for k in 1..=3 {
        ws.succeed(&["run", "sobol.toml", "-o", &format!("shard{k}"), "--shard", &format!("{k}/3"), QUIET]);
    }
    ws.refuse("a shard", &["sensitivity", "shard2"]);
    ws.succeed(&["merge", "merged", "shard1", "shard2", "shard3", QUIET]);
    assert_same_results(&ws.path("whole"), &ws.path("merged"), &["summary.csv"]);
    assert_eq!(manifest(&ws.path("whole"))["sweep"]["sensitivity"]["method"], "sobol");
    let printed = ws.succeed(&["sensitivity", "whole"]);
    assert!(printed.contains("top drivers by ST") && printed.contains("Kroger all share:"), "{printed}");
    ws.succeed(&["sensitivity", "merged", QUIET]);
    let csv = read(&ws.path("whole/sensitivity.csv"));
    assert_eq!(csv, read(&ws.path("merged/sensitivity.csv")), "same bootstrap, same bytes");
    let text = String::from_utf8(csv).unwrap();
    assert!(text.starts_with("scenario,retailer,channel,metric,parameter,index,estimate,ci95_low,ci95_high\n"));
    // 2 parameters x (S1, ST) + 1 pair (S2) per headline.
    let kroger: Vec<&str> = text.lines().filter(|l| l.starts_with("tiny,Kroger,all,share,")).collect();
    assert_eq!(kroger.len(), 5, "{kroger:?}");
    assert!(kroger.iter().any(|l| l.contains("dynamics.loyalty_weight * retailer.Kroger.checkout_wait_min,S2,")));
}

#[test]
fn a_morris_sweep_gives_mu_star_sigma_and_mu() {
    let ws = Workspace::new();
    ws.write("morris.toml", &(tiny(300, 4) + &design("design = \"morris\"\ntrajectories = 4")));
    ws.succeed(&["run", "morris.toml", "-o", "out", QUIET]);
    assert_eq!(manifest(&ws.path("out"))["sweep"]["points"], 12);
    let printed = ws.succeed(&["sensitivity", "out", "--resamples", "50", "--top", "1"]);
    assert!(printed.contains("top drivers by mu_star"), "{printed}");
    let text = text(&ws.path("out/sensitivity.csv"));
    for index in ["mu_star", "sigma", "mu"] {
        assert!(
            text.lines().any(|l| l.starts_with("tiny,Amazon,delivery,share,") && l.contains(&format!(",{index},")))
        );
    }
    ws.succeed(&["report", "out", QUIET]);
    assert!(text_of(&ws, "out/report.html").contains("<h2>Sensitivity</h2>"));
}

fn text_of(ws: &Workspace, name: &str) -> String {
    text(&ws.path(name))
}

#[test]
fn folders_without_a_sensitivity_design_are_refused() {
    let ws = Workspace::new();
    ws.write("grid.toml", &(tiny(300, 4) + GRID));
    ws.succeed(&["run", "grid.toml", "-o", "grid", QUIET]);
    let err = ws.refuse("a grid", &["sensitivity", "grid"]);
    assert!(err.contains("design = \"sobol\" or \"morris\""), "{err}");
    let err = ws.refuse("no folder", &["sensitivity", "missing"]);
    assert!(err.contains("missing/manifest.json"), "{err}");
}

#[test]
fn a_table_sweep_resumes_only_with_the_same_points() {
    let ws = Workspace::new();
    let table = "\n[sweep]\ndesign = \"table\"\nfile = \"points.csv\"\n";
    ws.write("table.toml", &(tiny(300, 4) + table));
    ws.write("points.csv", "dynamics.loyalty_weight,retailer.Kroger.checkout_wait_min\n1.5,5\n2.5,2.0\n");
    ws.succeed(&["run", "table.toml", "-o", "out", QUIET]);
    let summary = text(&ws.path("out/summary.csv"));
    assert!(summary.lines().nth(1).unwrap().starts_with("tiny,0,1.5,5,"), "{summary}");
    ws.succeed(&["run", "table.toml", "-o", "out", "--resume", QUIET]);
    ws.write("points.csv", "dynamics.loyalty_weight,retailer.Kroger.checkout_wait_min\n1.5,5\n2.5,3.0\n");
    let err = ws.refuse("changed points", &["run", "table.toml", "-o", "out", "--resume"]);
    assert!(err.contains("out"), "{err}");
    ws.write("points.csv", "dynamics.loyalty_weight,retailer.Kroger.checkout_wait_min\n1.5,5\n2.5,x\n");
    let err = ws.refuse("a bad cell", &["run", "table.toml", "-o", "other"]);
    assert!(err.contains("points.csv:3:2") && err.contains("retailer.Kroger.checkout_wait_min"), "{err}");
}
