//! `cartshift report` and `run --report` on real results and on hand-made sweep-shaped folders.
//!
//! Sweeps are written by another branch; their files carry one column per swept path between
//! `point` and the rest. The fixtures here write that shape by hand, with values computed from
//! the point number, so each test knows what the charts must show.

use assert_cmd::cargo::cargo_bin_cmd;
use std::fs;
use std::path::Path;
use tempfile::TempDir;

/// Retailers of the fixtures: name, channel, final share at point 0, its increase per point.
const FIXTURE_ALTERNATIVES: [(&str, &str, f64, f64); 4] = [
    ("Other", "none", 0.83, -0.01),
    ("Kroger", "store", 0.10, 0.01),
    ("Kroger", "pickup", 0.02, 0.0),
    ("Aldi", "store", 0.05, 0.0),
];

fn cartshift(dir: &Path, args: &[&str]) -> std::process::Output {
    cargo_bin_cmd!("cartshift").current_dir(dir).args(args).output().expect("cartshift starts")
}

fn succeed(dir: &Path, args: &[&str]) -> String {
    let out = cartshift(dir, args);
    assert!(out.status.success(), "cartshift {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// The `<svg id="ID" …>…</svg>` element of `html`.
fn svg<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html.find(&format!("<svg id=\"{id}\"")).unwrap_or_else(|| panic!("no <svg id=\"{id}\"> in the report"));
    let end = html[start..].find("</svg>").expect("closed svg") + start;
    &html[start..end]
}

/// The texts of an SVG's `<text>` elements, trimmed.
fn texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| Some(t.split_once('>')?.1.split_once("</text>")?.0.trim().to_string()))
        .collect()
}

fn stats(mean: f64) -> String {
    format!("{mean},0.01,{},{},{},{}", mean - 0.002, mean + 0.002, mean - 0.01, mean + 0.01)
}

/// A sweep-shaped results folder: `params` swept, one row of values per point.
fn sweep_fixture(dir: &Path, params: &[&str], points: &[Vec<&str>]) {
    let cols = if params.is_empty() { String::new() } else { format!("{},", params.join(",")) };
    let mut weekly = format!("scenario,point,{cols}week,retailer,channel,metric,mean,sd,ci95_low,ci95_high,p05,p95\n");
    let mut online = format!("scenario,point,{cols}week,region,mean,sd,ci95_low,ci95_high,p05,p95\n");
    let mut summary = format!("scenario,point,{cols}retailer,channel,metric,mean,sd,ci95_low,ci95_high,p05,p95\n");
    for (p, values) in points.iter().enumerate() {
        let prefix = format!("fixture,{p},{}", values.iter().map(|v| format!("{v},")).collect::<String>());
        for week in 0..3 {
            online.push_str(&format!("{prefix}{week},town,{}\n", stats(0.2 + 0.01 * week as f64)));
            for (retailer, channel, share, step) in FIXTURE_ALTERNATIVES {
                let share = share + step * p as f64;
                weekly.push_str(&format!("{prefix}{week},{retailer},{channel},share,{}\n", stats(share)));
                weekly.push_str(&format!("{prefix}{week},{retailer},{channel},trips,{}\n", stats(share * 1e6)));
            }
        }
        for (retailer, channel, share, step) in FIXTURE_ALTERNATIVES {
            let share = share + step * p as f64;
            for (metric, value) in
                [("trips", share * 3e6), ("share", share), ("revenue", share * 3e8), ("final_share", share)]
            {
                summary.push_str(&format!("{prefix}{retailer},{channel},{metric},{}\n", stats(value)));
            }
        }
    }
    fs::write(dir.join("weekly.csv"), weekly).unwrap();
    fs::write(dir.join("online.csv"), online).unwrap();
    fs::write(dir.join("summary.csv"), summary).unwrap();
    let manifest = serde_json::json!({
        "cartshift_version": "0.1.0", "scenario": "fixture", "scenario_hash": "f1x7", "seed": 9,
        "replications": 2, "households": 100, "weeks": 3, "warmup_weeks": 1,
        "files": ["weekly.csv", "online.csv", "summary.csv", "manifest.json"],
    });
    fs::write(dir.join("manifest.json"), serde_json::to_string_pretty(&manifest).unwrap()).unwrap();
}

fn report_of(dir: &Path) -> String {
    succeed(dir, &["report", ".", "--quiet"]);
    fs::read_to_string(dir.join("report.html")).expect("report.html written")
}

#[test]
fn run_with_report_writes_every_chart_of_a_comparison() {
    let ws = TempDir::new().unwrap();
    for name in ["baseline_2018.toml", "kroger_alibaba_alliance.toml"] {
        fs::copy(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios").join(name), ws.path().join(name)).unwrap();
    }
    let args = ["run", "kroger_alibaba_alliance.toml", "-o", "out", "--households", "1500", "--replications", "2"];
    let stdout = succeed(ws.path(), &[&args[..], &["--report"]].concat());
    assert!(stdout.contains("report.html"), "run says where the report is: {stdout}");
    let html = fs::read_to_string(ws.path().join("out/report.html")).unwrap();
    for id in ["chart-share", "chart-online", "chart-shifts"] {
        assert!(svg(&html, id).contains("<text"), "{id} has labels");
    }
    for id in ["table-horizon", "table-switching", "manifest"] {
        assert!(html.contains(&format!("id=\"{id}\"")), "no {id}");
    }
    let manifest: serde_json::Value =
        serde_json::from_slice(&fs::read(ws.path().join("out/manifest.json")).unwrap()).unwrap();
    assert!(html.contains(manifest["scenario_hash"].as_str().unwrap()), "the report names the scenario hash");
    assert!(manifest["files"].as_array().unwrap().iter().any(|f| f == "report.html"), "report.html is listed as ours");
    assert!(svg(&html, "chart-shifts").contains("Kroger · store"));
    assert!(!html.contains("<script") && !html.contains(" src=") && !html.contains(" href="), "self-contained");
}

#[test]
fn a_plain_run_has_no_comparison_section() {
    let ws = TempDir::new().unwrap();
    sweep_fixture(ws.path(), &[], &[vec![]]);
    let html = report_of(ws.path());
    svg(&html, "chart-share");
    svg(&html, "chart-online");
    assert!(!html.contains("chart-shifts") && !html.contains("table-switching"));
    assert!(!html.contains("chart-sweep"), "one point is no sweep");
    assert!(html.contains("f1x7"), "manifest shown");
}

#[test]
fn sweep_of_one_path_draws_final_share_against_the_value() {
    let ws = TempDir::new().unwrap();
    sweep_fixture(ws.path(), &["retailer.Kroger.price_index"], &[vec!["0.95"], vec!["1.0"], vec!["1.05"]]);
    let html = report_of(ws.path());
    let chart = svg(&html, "chart-sweep");
    assert_eq!(chart.matches("<circle").count(), 2 * 3, "a marker per retailer (outside option aside) and point");
    let labels = texts(chart);
    assert!(labels.contains(&"Kroger".into()) && labels.contains(&"Aldi".into()), "legend: {labels:?}");
    assert!(chart.contains("retailer.Kroger.price_index"), "the axis names the path");
    assert!(html.contains("retailer.Kroger.price_index = 0.95"), "the note says which point the time charts show");
}

#[test]
fn sweep_of_two_paths_draws_a_heat_map_per_retailer() {
    let ws = TempDir::new().unwrap();
    let points: Vec<Vec<&str>> = ["0.9", "1.0", "1.1"].iter().flat_map(|x| ["1", "2"].map(|y| vec![*x, y])).collect();
    sweep_fixture(ws.path(), &["retailer.Kroger.price_index", "dynamics.loyalty_weight"], &points);
    let html = report_of(ws.path());
    let labels = texts(svg(&html, "chart-sweep-heatmap"));
    for p in 0..points.len() {
        let kroger = format!("{:.2}", (0.10 + 0.01 * p as f64 + 0.02) * 100.0);
        assert!(labels.contains(&kroger), "Kroger's cell at point {p} ({kroger}) in {labels:?}");
    }
    for name in ["Other", "Kroger", "Aldi"] {
        assert!(labels.contains(&name.to_string()), "a panel for {name}");
    }
    assert!(!html.contains("id=\"chart-sweep\""), "two paths: a heat map, not lines");
}

#[test]
fn text_from_the_files_is_escaped() {
    let ws = TempDir::new().unwrap();
    sweep_fixture(ws.path(), &[], &[vec![]]);
    for file in ["weekly.csv", "summary.csv"] {
        let text = fs::read_to_string(ws.path().join(file)).unwrap().replace("Aldi", "\"A&B <i>x</i>\"");
        fs::write(ws.path().join(file), text).unwrap();
    }
    let html = report_of(ws.path());
    assert!(!html.contains("<i>x</i>"), "markup from a CSV must not reach the page");
    assert!(html.contains("A&amp;B &lt;i&gt;x&lt;/i&gt;"));
}

#[test]
fn report_refuses_a_folder_cartshift_did_not_write() {
    let ws = TempDir::new().unwrap();
    let out = cartshift(ws.path(), &["report", "."]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("not a cartshift results folder (no manifest.json)"), "{stderr}");
    assert!(!ws.path().join("report.html").exists());
}

#[test]
fn report_names_the_file_and_line_of_a_bad_value() {
    let ws = TempDir::new().unwrap();
    sweep_fixture(ws.path(), &[], &[vec![]]);
    let text = fs::read_to_string(ws.path().join("online.csv")).unwrap();
    let broken: Vec<String> = text
        .lines()
        .enumerate()
        .map(|(i, l)| if i == 2 { l.replacen(",town,0.", ",town,x", 1) } else { l.to_string() })
        .collect();
    fs::write(ws.path().join("online.csv"), broken.join("\n")).unwrap();
    let out = cartshift(ws.path(), &["report", "."]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("online.csv:3: 'mean' should be a number"), "{stderr}");
}

#[test]
fn a_sweep_of_a_counterfactual_draws_the_shift_against_each_swept_value() {
    let ws = TempDir::new().unwrap();
    let scenarios = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let sweep = scenarios.join("sweeps/checkout_vs_price_cut.toml");
    let args = ["run", sweep.to_str().unwrap(), "-o", "out", "--households", "300", "--replications", "2"];
    succeed(ws.path(), &[&args[..], &["--set", "simulation.weeks=4", "--report", "--quiet"]].concat());
    let html = fs::read_to_string(ws.path().join("out/report.html")).unwrap();
    for (k, path) in ["retailer.Kroger.checkout_wait_min", "retailer.Whole Foods.price_index"].iter().enumerate() {
        let labels = texts(svg(&html, &format!("chart-sweep-shift-{k}")));
        assert!(labels.iter().any(|l| l == path), "axis named {path}: {labels:?}");
        assert!(labels.iter().any(|l| l == "Kroger") && labels.iter().any(|l| l == "Whole Foods"), "{labels:?}");
    }
    assert!(html.contains("held at the first point"), "a slice through point 0 says so");
}
