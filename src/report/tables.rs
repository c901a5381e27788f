//! The report's HTML tables: horizon results with intervals, the switching matrix shaded by
//! size, and the manifest that says what produced the results.

use super::format::{compact, with_interval};
use super::html::escape;
use super::palette::{css, shade, text_on};
use super::results::{Alternative, Results, Switch};

/// Columns of the horizon table: metric in `summary.csv`, heading, scale and decimals.
const HORIZON_COLUMNS: [(&str, &str, f64, usize); 4] = [
    ("share", "Mean weekly trip share (%)", 100.0, 3),
    ("final_share", "Final-week trip share (%)", 100.0, 3),
    ("trips", "Trips over the horizon (millions)", 1e-6, 1),
    ("revenue", "Revenue over the horizon ($ billions)", 1e-9, 3),
];

/// `summary.csv` at the shown point: one row per retailer and channel, mean [95% CI] per metric.
pub(crate) fn horizon(results: &Results) -> String {
    let point = results.shown_point();
    let rows: Vec<_> = results.summary.iter().filter(|r| r.point == point).collect();
    let mut alternatives: Vec<&Alternative> = Vec::new();
    for r in &rows {
        if !alternatives.contains(&&r.alt) {
            alternatives.push(&r.alt);
        }
    }
    let mut html = String::from("<table id=\"table-horizon\">\n<tr><th>Retailer</th><th>Channel</th>");
    for (_, heading, _, _) in HORIZON_COLUMNS {
        html.push_str(&format!("<th>{}</th>", escape(heading)));
    }
    html.push_str("</tr>\n");
    for alt in alternatives {
        let channel = if alt.channel == "none" { "(outside option)" } else { alt.channel.as_str() };
        html.push_str(&format!("<tr><td>{}</td><td>{}</td>", escape(&alt.retailer), escape(channel)));
        for (metric, _, scale, decimals) in HORIZON_COLUMNS {
            let cell = rows.iter().find(|r| &r.alt == alt && r.metric == metric);
            let text = cell.map_or(String::new(), |r| with_interval(&r.estimate, scale, decimals));
            html.push_str(&format!("<td class=\"num\">{}</td>", escape(&text)));
        }
        html.push_str("</tr>\n");
    }
    html.push_str("</table>\n");
    html
}

fn label(alt: &Alternative) -> String {
    if alt.channel == "none" { alt.retailer.clone() } else { format!("{} {}", alt.retailer, alt.channel) }
}

/// `switching.csv` at the shown point as a from × to table of final-week households, the
/// changes shaded by size (the diagonal, households that did not change, greyed).
pub(crate) fn switching(results: &Results) -> Option<String> {
    let point = results.shown_point();
    let cells: Vec<&Switch> = results.switching.as_ref()?.iter().filter(|s| s.point == point).collect();
    let mut from: Vec<&Alternative> = Vec::new();
    let mut to: Vec<&Alternative> = Vec::new();
    for s in &cells {
        if !from.contains(&&s.from) {
            from.push(&s.from);
        }
        if !to.contains(&&s.to) {
            to.push(&s.to);
        }
    }
    let largest = cells.iter().filter(|s| s.from != s.to).map(|s| s.final_week.mean).fold(0.0, f64::max);
    let mut html =
        String::from("<table id=\"table-switching\" class=\"matrix\">\n<tr><th>reference ↓ / scenario →</th>");
    for t in &to {
        html.push_str(&format!("<th class=\"to\">{}</th>", escape(&label(t))));
    }
    html.push_str("</tr>\n");
    for f in &from {
        html.push_str(&format!("<tr><th>{}</th>", escape(&label(f))));
        for t in &to {
            let cell = cells.iter().find(|s| &&s.from == f && &&s.to == t);
            html.push_str(&switch_cell(cell.copied(), largest));
        }
        html.push_str("</tr>\n");
    }
    html.push_str("</table>\n");
    Some(html)
}

fn switch_cell(cell: Option<&Switch>, largest: f64) -> String {
    let Some(s) = cell else { return "<td></td>".into() };
    let e = &s.final_week;
    let tip = match (e.low, e.high) {
        (Some(lo), Some(hi)) => {
            format!("{} → {}: {} [{}, {}]", label(&s.from), label(&s.to), compact(e.mean), compact(lo), compact(hi))
        }
        _ => format!("{} → {}: {}", label(&s.from), label(&s.to), compact(e.mean)),
    };
    if s.from == s.to {
        return format!("<td class=\"same\" title=\"{}\">{}</td>", escape(&tip), escape(&compact(e.mean)));
    }
    let t = if largest > 0.0 { (e.mean / largest).clamp(0.0, 1.0) } else { 0.0 };
    let fill = shade(t);
    format!(
        "<td style=\"background:{};color:{}\" title=\"{}\">{}</td>",
        css(fill),
        css(text_on(fill)),
        escape(&tip),
        escape(&compact(e.mean))
    )
}

/// The manifest's fields as a definition list: the known ones first, in a reader's order.
pub(crate) fn manifest(results: &Results) -> String {
    const KNOWN: [(&str, &str); 11] = [
        ("cartshift_version", "cartshift version"),
        ("scenario", "scenario"),
        ("scenario_hash", "scenario hash (SHA-256)"),
        ("seed", "seed"),
        ("replications", "replications"),
        ("households", "simulated households"),
        ("market_households", "real households"),
        ("weeks", "reported weeks"),
        ("warmup_weeks", "warm-up weeks"),
        ("threads", "threads"),
        ("wall_seconds", "wall-clock seconds"),
    ];
    let mut html = String::from("<dl id=\"manifest\" class=\"manifest\">\n");
    let mut item = |key: &str, value: &str| {
        html.push_str(&format!("<dt>{}</dt><dd>{}</dd>\n", escape(key), escape(value)));
    };
    for (key, name) in KNOWN {
        if let Some(value) = results.manifest_text(key) {
            item(name, &value);
        }
    }
    if let Some(reference) = results.manifest.get("reference") {
        for (key, value) in reference.as_object().into_iter().flatten() {
            let value = value.as_str().map_or_else(|| value.to_string(), str::to_string);
            item(&format!("reference {}", key.replace('_', " ")), &value);
        }
    }
    let shown = |k: &str| {
        KNOWN.iter().any(|(key, _)| *key == k) || ["reference", "files", "household_weeks_per_second"].contains(&k)
    };
    for (key, value) in results.manifest.as_object().into_iter().flatten().filter(|(k, _)| !shown(k)) {
        item(key, &value.as_str().map_or_else(|| value.to_string(), str::to_string));
    }
    html.push_str("</dl>\n");
    html
}
