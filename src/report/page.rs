//! The report page: which sections a results folder gets (the comparison and sweep sections only
//! when their files are there) and in what order.

use super::charts::{Chart, Colours, SensitivityBars, ShiftBars, ShiftSweep, SweepHeatmap, SweepLine, TimeSeriesChart};
use super::error::ReportError;
use super::format::fixed;
use super::html::{escape, page};
use super::results::Results;
use super::tables;

/// Swept paths that get a shift chart of their own (a slice through the first point each).
const MAX_SHIFT_SLICES: usize = 3;

/// The whole report of `results` as HTML.
pub(crate) fn render(results: &Results) -> Result<String, ReportError> {
    let colours = Colours::of(results);
    let scenario = results.manifest_text("scenario").unwrap_or_else(|| "results".into());
    let mut body =
        format!("<h1>{}</h1>\n<p class=\"subtitle\">{}</p>\n", escape(&scenario), escape(&subtitle(results)));
    if let Some(note) = sweep_note(results) {
        body.push_str(&format!("<p class=\"note\">{}</p>\n", escape(&note)));
    }
    body.push_str("<h2>Market over time</h2>\n");
    body.push_str(&figure(&TimeSeriesChart::trip_share(results, &colours))?);
    body.push_str(&figure(&TimeSeriesChart::online(results))?);
    body.push_str("<h2>Results over the horizon</h2>\n");
    body.push_str(
        "<p>Mean over replications with its 95% confidence interval in brackets (the Monte Carlo uncertainty of \
         the mean, which narrows with more replications).</p>\n",
    );
    body.push_str(&tables::horizon(results));
    body.push_str(&comparison_section(results, &colours)?);
    body.push_str(&sweep_section(results, &colours)?);
    body.push_str(&sensitivity_section(results)?);
    body.push_str("<h2>What produced these results</h2>\n");
    body.push_str(&tables::manifest(results));
    body.push_str(&format!(
        "<p class=\"subtitle\">Written by <code>cartshift report</code> from the files in {}.</p>\n",
        escape(&results.dir.display().to_string())
    ));
    Ok(page(&format!("cartshift report: {scenario}"), &body))
}

/// `<figure>` with the chart's title, its SVG and caption.
fn figure(chart: &dyn Chart) -> Result<String, ReportError> {
    Ok(format!(
        "<figure>\n<h3>{}</h3>\n{}\n<figcaption>{}</figcaption>\n</figure>\n",
        escape(&chart.title()),
        chart.svg()?,
        escape(&chart.caption())
    ))
}

fn subtitle(results: &Results) -> String {
    let field = |k: &str| match results.manifest.get(k).and_then(|v| v.as_u64()) {
        Some(n) => fixed(n as f64, 0),
        None => results.manifest_text(k).unwrap_or_else(|| "?".into()),
    };
    format!(
        "{} replications × {} simulated households, {} reported weeks after {} warm-up weeks; seed {}.",
        field("replications"),
        field("households"),
        field("weeks"),
        field("warmup_weeks"),
        results.manifest_text("seed").unwrap_or_else(|| "?".into())
    )
}

fn sweep_note(results: &Results) -> Option<String> {
    let first = results.points.first()?;
    if results.params.is_empty() {
        return None;
    }
    let values: Vec<String> = results.params.iter().zip(&first.values).map(|(p, v)| format!("{p} = {v}")).collect();
    Some(format!(
        "A sweep of {} points. The charts over time and the tables show point {} ({}); the sweep section at the \
         end shows every point.",
        results.points.len(),
        first.index,
        values.join(", ")
    ))
}

fn comparison_section(results: &Results, colours: &Colours) -> Result<String, ReportError> {
    let Some(bars) = ShiftBars::from_results(results, colours) else { return Ok(String::new()) };
    let mut html = String::from("<h2>Against the reference</h2>\n");
    html.push_str(&figure(&bars)?);
    if let Some(table) = tables::switching(results) {
        html.push_str("<h3>Who switched from what to what, in the final week</h3>\n");
        html.push_str(
            "<p>Real households by their choice in the reference (rows) and in the scenario (columns), in the final \
             reported week, mean over replications (hover a cell for its 95% interval). The diagonal, grey, did not \
             change; the other cells are shaded from white to blue by size.</p>\n",
        );
        html.push_str(&table);
    }
    Ok(html)
}

fn sweep_section(results: &Results, colours: &Colours) -> Result<String, ReportError> {
    if results.params.is_empty() || results.points.len() < 2 {
        return Ok(String::new());
    }
    let mut html = String::from("<h2>Sweep</h2>\n");
    if let Some(line) = SweepLine::from_results(results, colours) {
        html.push_str(&figure(&line)?);
    } else if let Some(map) = SweepHeatmap::from_results(results) {
        html.push_str(&figure(&map)?);
    } else {
        html.push_str(&format!(
            "<p class=\"note\">{} paths were swept: the report draws sweeps of one or two paths; see summary.csv.</p>\n",
            results.params.len()
        ));
    }
    for k in 0..results.params.len().min(MAX_SHIFT_SLICES) {
        if let Some(chart) = ShiftSweep::from_results(results, k, colours) {
            html.push_str(&figure(&chart)?);
        }
    }
    Ok(html)
}

/// The indices of `sensitivity.csv`, when `cartshift sensitivity` has written it.
fn sensitivity_section(results: &Results) -> Result<String, ReportError> {
    let charts = SensitivityBars::read(&results.dir)?;
    if charts.is_empty() {
        return Ok(String::new());
    }
    let mut html = String::from("<h2>Sensitivity</h2>\n");
    html.push_str(
        "<p>From sensitivity.csv (<code>cartshift sensitivity</code>): each retailer's total, share shifts \
         first; every channel and index is in the file.</p>\n",
    );
    for chart in &charts {
        html.push_str(&figure(chart)?);
    }
    Ok(html)
}
