//! A sweep of one path: each retailer's final-week trip share against the swept value, with
//! 95% interval whiskers.

use super::legend::{self, Entry, Swatch};
use super::series::{Colours, Line, lines_by, percent};
use super::{Area, Chart, DrawResult, padded, text};
use crate::report::results::{Estimate, Record, Results};
use plotters::prelude::*;

/// The values a swept path takes, in order: as numbers when every one is a number.
pub(crate) struct SweptAxis {
    /// The path.
    pub path: String,
    /// Distinct values as written, in order (numerically sorted when numeric).
    pub labels: Vec<String>,
    /// True when every value is a number (the axis is then to scale).
    pub numeric: bool,
}

impl SweptAxis {
    /// The axis of swept path number `k`.
    pub(crate) fn of(results: &Results, k: usize) -> Option<SweptAxis> {
        let path = results.params.get(k)?.clone();
        let mut labels: Vec<String> = Vec::new();
        for p in &results.points {
            let value = p.values.get(k)?;
            if !labels.contains(value) {
                labels.push(value.clone());
            }
        }
        let numeric = labels.iter().all(|l| l.trim().parse::<f64>().is_ok_and(f64::is_finite));
        if numeric {
            labels.sort_by(|a, b| a.trim().parse::<f64>().unwrap_or(0.0).total_cmp(&b.trim().parse().unwrap_or(0.0)));
        }
        Some(SweptAxis { path, labels, numeric })
    }

    /// Where `value` sits on the axis: the number itself, or its rank.
    pub(crate) fn position(&self, value: &str) -> f64 {
        match value.trim().parse::<f64>() {
            Ok(x) if self.numeric => x,
            _ => self.labels.iter().position(|l| l == value).unwrap_or(0) as f64,
        }
    }
}

/// Final share per retailer against one swept path.
pub struct SweepLine {
    axis: SweptAxis,
    lines: Vec<Line>,
}

impl SweepLine {
    /// From `summary.csv`'s `final_share` rows of every point; `None` unless one path was swept.
    pub fn from_results(results: &Results, colours: &Colours) -> Option<SweepLine> {
        if results.params.len() != 1 || results.points.len() < 2 {
            return None;
        }
        let axis = SweptAxis::of(results, 0)?;
        let finals: Vec<Record> = results.summary.iter().filter(|r| r.metric == "final_share").cloned().collect();
        let group = |r: &Record| (r.alt.channel != "none").then(|| r.alt.retailer.clone());
        let mut lines: Vec<Line> = Vec::new();
        for point in &results.points {
            let x = axis.position(&point.values[0]);
            for (label, points) in lines_by(&finals, point.index, group, |_| x) {
                push_point(&mut lines, colours, label, x, percent(points[0].1));
            }
        }
        sort_points(&mut lines);
        Some(SweepLine { axis, lines })
    }
}

impl Chart for SweepLine {
    fn id(&self) -> &str {
        "chart-sweep"
    }

    fn title(&self) -> String {
        format!("Final-week trip share against {}", self.axis.path)
    }

    fn caption(&self) -> String {
        format!(
            "Each retailer's trip share in the last reported week (%, all channels together) at each swept value of \
             {}. Markers: mean over replications; whiskers: 95% confidence interval (channels' intervals added up). \
             The outside option is in the tables.",
            self.axis.path
        )
    }

    fn size(&self) -> (u32, u32) {
        (1100, 440)
    }

    fn draw(&self, root: &Area) -> DrawResult {
        let top =
            self.lines.iter().flat_map(|l| l.points.iter()).map(|(_, e)| e.high.unwrap_or(e.mean)).fold(0.0, f64::max);
        let y = 0.0..padded(0.0, top, 0.08).end;
        let labels = SweptLabels { y_desc: "Final-week trip share (%)", y_format: &|y| format!("{y:.1}%") };
        draw_swept_lines(root, self.size().0, &self.axis, &self.lines, y, &labels, false)
    }
}

/// Adds `(x, estimate)` to the line labelled `label`, starting it (in the retailer's colour)
/// when it is new.
pub(crate) fn push_point(lines: &mut Vec<Line>, colours: &Colours, label: String, x: f64, estimate: Estimate) {
    match lines.iter_mut().find(|l| l.label == label) {
        Some(line) => line.points.push((x, estimate)),
        None => {
            let colour = colours.of_retailer(&label);
            lines.push(Line { label, colour, dashed: false, points: vec![(x, estimate)] });
        }
    }
}

/// Puts every line's points in x order.
pub(crate) fn sort_points(lines: &mut [Line]) {
    for line in lines {
        line.points.sort_by(|a, b| a.0.total_cmp(&b.0));
    }
}

/// The y axis of a chart against a swept value.
pub(crate) struct SweptLabels<'a> {
    /// Its description.
    pub y_desc: &'a str,
    /// How a tick is written.
    pub y_format: &'a dyn Fn(&f64) -> String,
}

/// Lines of estimates against a swept axis: a marker at each mean, whiskers over its interval,
/// a legend at the side; with `zero`, a grey line at y = 0.
pub(crate) fn draw_swept_lines(
    root: &Area,
    width: u32,
    axis: &SweptAxis,
    lines: &[Line],
    y: std::ops::Range<f64>,
    labels: &SweptLabels,
    zero: bool,
) -> DrawResult {
    let (plot, side) = root.split_horizontally(width - 230);
    let xs = lines.iter().flat_map(|l| l.points.iter().map(|(x, _)| *x));
    let (lo, hi) = xs.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| (a.min(x), b.max(x)));
    let x_range = padded(lo, hi, 0.05);
    let mut chart = ChartBuilder::on(&plot)
        .margin(12)
        .x_label_area_size(48)
        .y_label_area_size(72)
        .build_cartesian_2d(x_range.clone(), y)?;
    let names = axis.labels.clone();
    let numeric = axis.numeric;
    let x_label = move |x: &f64| {
        if numeric {
            format!("{}", (x * 1e6).round() / 1e6)
        } else if (x - x.round()).abs() < 1e-6 && *x >= 0.0 {
            names.get(x.round() as usize).cloned().unwrap_or_default()
        } else {
            String::new()
        }
    };
    let mut mesh = chart.configure_mesh();
    mesh.light_line_style(RGBColor(246, 246, 246))
        .bold_line_style(RGBColor(210, 210, 210))
        .x_desc(axis.path.as_str())
        .y_desc(labels.y_desc)
        .x_label_formatter(&x_label)
        .y_label_formatter(labels.y_format)
        .label_style(text(16, BLACK))
        .axis_desc_style(text(17, BLACK));
    if !numeric {
        mesh.x_labels(axis.labels.len());
    }
    mesh.draw()?;
    if zero {
        let grey = RGBColor(120, 120, 120).stroke_width(1);
        chart.draw_series(LineSeries::new([(x_range.start, 0.0), (x_range.end, 0.0)], grey))?;
    }
    for line in lines {
        let style = line.colour.stroke_width(2);
        chart.draw_series(LineSeries::new(line.points.iter().map(|(x, e)| (*x, e.mean)), style))?;
        chart.draw_series(line.points.iter().map(|(x, e)| Circle::new((*x, e.mean), 4, line.colour.filled())))?;
        let whiskers = line.points.iter().filter_map(|(x, e)| Some(vec![(*x, e.low?), (*x, e.high?)]));
        chart.draw_series(whiskers.map(|w| PathElement::new(w, style)))?;
    }
    let entries: Vec<Entry> =
        lines.iter().map(|l| Entry { label: l.label.clone(), colour: l.colour, swatch: Swatch::Line }).collect();
    legend::draw(&side, None, &entries, 30)
}
