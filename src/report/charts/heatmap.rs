//! A sweep of two paths: for each retailer a heat map of its final-week trip share over the grid
//! of swept values, shaded on its own scale and labelled with the value in each cell.

use super::series::{add, percent};
use super::sweep_line::SweptAxis;
use super::{Area, Chart, DrawResult, text};
use crate::report::format::fixed;
use crate::report::palette::{shade, text_on};
use crate::report::results::{Estimate, Results};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// One retailer's grid: `cells[(x, y)]` = final share (%) at the x-th and y-th swept values.
struct Panel {
    retailer: String,
    cells: Vec<(usize, usize, f64)>,
}

/// Heat maps of final share against two swept paths.
pub struct SweepHeatmap {
    x: SweptAxis,
    y: SweptAxis,
    panels: Vec<Panel>,
}

/// Panels per row.
const COLUMNS: usize = 3;

impl SweepHeatmap {
    /// From `summary.csv`'s `final_share` rows; `None` unless exactly two paths were swept.
    pub fn from_results(results: &Results) -> Option<SweepHeatmap> {
        if results.params.len() != 2 || results.points.len() < 2 {
            return None;
        }
        let (x, y) = (SweptAxis::of(results, 0)?, SweptAxis::of(results, 1)?);
        let mut panels: Vec<Panel> = Vec::new();
        for point in &results.points {
            let xi = x.labels.iter().position(|l| *l == point.values[0])?;
            let yi = y.labels.iter().position(|l| *l == point.values[1])?;
            let mut totals: Vec<(String, Estimate)> = Vec::new();
            for r in results.summary.iter().filter(|r| r.point == point.index && r.metric == "final_share") {
                match totals.iter_mut().find(|(n, _)| *n == r.alt.retailer) {
                    Some((_, e)) => *e = add(*e, r.estimate),
                    None => totals.push((r.alt.retailer.clone(), r.estimate)),
                }
            }
            for (retailer, estimate) in totals {
                let value = percent(estimate).mean;
                match panels.iter_mut().find(|p| p.retailer == retailer) {
                    Some(panel) => panel.cells.push((xi, yi, value)),
                    None => panels.push(Panel { retailer, cells: vec![(xi, yi, value)] }),
                }
            }
        }
        Some(SweepHeatmap { x, y, panels })
    }

    fn rows(&self) -> usize {
        self.panels.len().div_ceil(COLUMNS).max(1)
    }
}

impl Chart for SweepHeatmap {
    fn id(&self) -> &str {
        "chart-sweep-heatmap"
    }

    fn title(&self) -> String {
        format!("Final-week trip share over {} × {}", self.x.path, self.y.path)
    }

    fn caption(&self) -> String {
        "One map per retailer: its trip share in the last reported week (%, all channels together, mean over \
         replications) at each pair of swept values. Each map is shaded on its own scale, white at its lowest \
         value and dark blue at its highest; the number in each cell is the value."
            .into()
    }

    fn size(&self) -> (u32, u32) {
        (1100, 340 * self.rows() as u32)
    }

    fn draw(&self, root: &Area) -> DrawResult {
        let areas = root.split_evenly((self.rows(), COLUMNS));
        for (panel, area) in self.panels.iter().zip(areas.iter()) {
            self.draw_panel(panel, area)?;
        }
        Ok(())
    }
}

impl SweepHeatmap {
    fn draw_panel(&self, panel: &Panel, area: &Area) -> DrawResult {
        let (nx, ny) = (self.x.labels.len(), self.y.labels.len());
        let mut chart = ChartBuilder::on(area)
            .margin(10)
            .caption(&panel.retailer, text(18, BLACK))
            .x_label_area_size(44)
            .y_label_area_size(64)
            .build_cartesian_2d(-0.5..(nx as f64 - 0.5), -0.5..(ny as f64 - 0.5))?;
        let category = |labels: Vec<String>| {
            move |v: &f64| {
                let i = v.round();
                if (v - i).abs() > 1e-6 || i < 0.0 {
                    String::new()
                } else {
                    labels.get(i as usize).cloned().unwrap_or_default()
                }
            }
        };
        let (x_label, y_label) = (category(self.x.labels.clone()), category(self.y.labels.clone()));
        chart
            .configure_mesh()
            .disable_mesh()
            .x_labels(nx)
            .y_labels(ny)
            .x_label_formatter(&x_label)
            .y_label_formatter(&y_label)
            .x_desc(self.x.path.as_str())
            .y_desc(self.y.path.as_str())
            .label_style(text(15, BLACK))
            .axis_desc_style(text(15, BLACK))
            .draw()?;
        let (lo, hi) =
            panel.cells.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), c| (a.min(c.2), b.max(c.2)));
        for &(xi, yi, value) in &panel.cells {
            let t = if hi > lo { (value - lo) / (hi - lo) } else { 0.5 };
            let (x, y) = (xi as f64, yi as f64);
            let fill = shade(0.08 + 0.92 * t);
            chart.draw_series(std::iter::once(Rectangle::new(
                [(x - 0.5, y - 0.5), (x + 0.5, y + 0.5)],
                fill.filled(),
            )))?;
            let label = text(15, text_on(fill)).pos(Pos::new(HPos::Center, VPos::Center));
            chart.draw_series(std::iter::once(Text::new(fixed(value, 2), (x, y), label)))?;
        }
        Ok(())
    }
}
