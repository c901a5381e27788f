//! A sweep of a counterfactual: each retailer's shift in mean weekly trip share (scenario −
//! reference, percentage points) against one swept value, with its paired 95% interval. With
//! several swept paths there is one chart per path, each a slice through the first point (the
//! other paths held at their point-0 values).

use super::legend::{self, Entry, Swatch};
use super::series::{Colours, Line, lines_by, percent};
use super::sweep_line::SweptAxis;
use super::{Area, Chart, DrawResult, padded, text};
use crate::report::results::{Record, Results};
use plotters::prelude::*;

/// Share shifts per retailer against swept path number `k`.
pub struct ShiftSweep {
    id: String,
    axis: SweptAxis,
    /// `path = value` of the paths held fixed.
    held: Vec<String>,
    lines: Vec<Line>,
}

impl ShiftSweep {
    /// From `shifts.csv`'s `share` rows; `None` without shifts or with fewer than two points on
    /// the slice.
    pub fn from_results(results: &Results, k: usize, colours: &Colours) -> Option<ShiftSweep> {
        let shifts = results.shifts.as_ref()?;
        let base = results.points.first()?;
        let axis = SweptAxis::of(results, k)?;
        let on_slice =
            |values: &[String]| values.iter().zip(&base.values).enumerate().all(|(j, (v, b))| j == k || v == b);
        let slice: Vec<_> = results.points.iter().filter(|p| on_slice(&p.values)).collect();
        if slice.len() < 2 {
            return None;
        }
        let shares: Vec<Record> = shifts.iter().filter(|r| r.metric == "share").cloned().collect();
        let mut lines: Vec<Line> = Vec::new();
        for point in slice {
            let x = axis.position(&point.values[k]);
            for (label, points) in lines_by(&shares, point.index, |r| Some(r.alt.retailer.clone()), |_| x) {
                let estimate = percent(points[0].1);
                match lines.iter_mut().find(|l| l.label == label) {
                    Some(line) => line.points.push((x, estimate)),
                    None => {
                        let colour = colours.of_retailer(&label);
                        lines.push(Line { label, colour, dashed: false, points: vec![(x, estimate)] });
                    }
                }
            }
        }
        for line in &mut lines {
            line.points.sort_by(|a, b| a.0.total_cmp(&b.0));
        }
        let held = (0..results.params.len())
            .filter(|&j| j != k)
            .map(|j| format!("{} = {}", results.params[j], base.values[j]))
            .collect();
        Some(ShiftSweep { id: format!("chart-sweep-shift-{k}"), axis, held, lines })
    }
}

impl Chart for ShiftSweep {
    fn id(&self) -> &str {
        &self.id
    }

    fn title(&self) -> String {
        format!("Shift in trip share against {}", self.axis.path)
    }

    fn caption(&self) -> String {
        let held = if self.held.is_empty() {
            String::new()
        } else {
            format!(" The other swept paths are held at the first point's values ({}).", self.held.join(", "))
        };
        format!(
            "Each retailer's mean weekly trip share (all channels together) minus the reference's, in percentage \
             points, at each swept value of {}. Markers: mean over replications; whiskers: paired 95% confidence \
             interval (channels' intervals added up).{held}",
            self.axis.path
        )
    }

    fn size(&self) -> (u32, u32) {
        (1100, 440)
    }

    fn draw(&self, root: &Area) -> DrawResult {
        let (plot, side) = root.split_horizontally(self.size().0 - 230);
        let points = || self.lines.iter().flat_map(|l| l.points.iter());
        let (lo, hi) = points().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), (x, _)| (a.min(*x), b.max(*x)));
        let bottom = points().map(|(_, e)| e.low.unwrap_or(e.mean)).fold(0.0, f64::min);
        let top = points().map(|(_, e)| e.high.unwrap_or(e.mean)).fold(0.0, f64::max);
        let mut chart = ChartBuilder::on(&plot)
            .margin(12)
            .x_label_area_size(48)
            .y_label_area_size(72)
            .build_cartesian_2d(padded(lo, hi, 0.05), padded(bottom, top, 0.08))?;
        let labels = self.axis.labels.clone();
        let numeric = self.axis.numeric;
        let x_label = move |x: &f64| {
            if numeric {
                format!("{}", (x * 1e6).round() / 1e6)
            } else if (x - x.round()).abs() < 1e-6 && *x >= 0.0 {
                labels.get(x.round() as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        };
        let mut mesh = chart.configure_mesh();
        mesh.light_line_style(RGBColor(246, 246, 246))
            .bold_line_style(RGBColor(210, 210, 210))
            .x_desc(self.axis.path.as_str())
            .y_desc("Shift in trip share (pp)")
            .x_label_formatter(&x_label)
            .y_label_formatter(&|y| format!("{y:+.2}"))
            .label_style(text(16, BLACK))
            .axis_desc_style(text(17, BLACK));
        if !numeric {
            mesh.x_labels(self.axis.labels.len());
        }
        mesh.draw()?;
        let (x0, x1) = (padded(lo, hi, 0.05).start, padded(lo, hi, 0.05).end);
        chart.draw_series(LineSeries::new([(x0, 0.0), (x1, 0.0)], RGBColor(120, 120, 120).stroke_width(1)))?;
        for line in &self.lines {
            let style = line.colour.stroke_width(2);
            chart.draw_series(LineSeries::new(line.points.iter().map(|(x, e)| (*x, e.mean)), style))?;
            chart.draw_series(line.points.iter().map(|(x, e)| Circle::new((*x, e.mean), 4, line.colour.filled())))?;
            let whiskers = line.points.iter().filter_map(|(x, e)| Some(vec![(*x, e.low?), (*x, e.high?)]));
            chart.draw_series(whiskers.map(|w| PathElement::new(w, style)))?;
        }
        let entries: Vec<Entry> = self
            .lines
            .iter()
            .map(|l| Entry { label: l.label.clone(), colour: l.colour, swatch: Swatch::Line })
            .collect();
        legend::draw(&side, None, &entries, 30)
    }
}
