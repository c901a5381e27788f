//! Lines over reported weeks with their 95% bands: trip share per retailer, online-capable share
//! per region; the reference world, when there is one, dashed in the same colour.

use super::legend::{self, Entry, Swatch};
use super::series::{Colours, Line, lines_by, percent, retailer_share_lines};
use super::{Area, Chart, DrawResult, padded, text};
use crate::report::palette;
use crate::report::results::{Estimate, Results};
use plotters::prelude::*;

/// Width of the legend column, in pixels.
const LEGEND_WIDTH: u32 = 230;

/// A chart of lines over weeks.
pub struct TimeSeriesChart {
    id: &'static str,
    title: String,
    caption: String,
    y_desc: String,
    lines: Vec<Line>,
    reference_name: Option<String>,
}

impl TimeSeriesChart {
    /// Weekly trip share per retailer (the outside option has its own row in the tables: at
    /// around two thirds of trips it would flatten every other line).
    pub fn trip_share(results: &Results, colours: &Colours) -> TimeSeriesChart {
        let point = results.shown_point();
        let mut lines = retailer_share_lines(&results.weekly, point, colours, false, false);
        if let Some(reference) = &results.reference_weekly {
            lines.extend(retailer_share_lines(reference, point, colours, false, true));
        }
        TimeSeriesChart {
            id: "chart-share",
            title: "Trip share per retailer, week by week".into(),
            caption: "Share of all grocery trips each week (%), all of a retailer's channels together. Line: mean \
                      over replications; shaded: its 95% confidence interval (for a retailer with several channels, \
                      the channels' intervals added up, which is never narrower than the exact one). The outside \
                      option (other grocers) is in the table below."
                .into(),
            y_desc: "Trip share (% of all trips)".into(),
            lines,
            reference_name: reference_name(results),
        }
    }

    /// The share of households able to shop online, per region.
    pub fn online(results: &Results) -> TimeSeriesChart {
        let point = results.shown_point();
        let region_lines = |records, dashed| -> Vec<Line> {
            let week = |r: &crate::report::results::Record| f64::from(r.week.unwrap_or(0));
            lines_by(records, point, |r| Some(r.alt.retailer.clone()), week)
                .into_iter()
                .enumerate()
                .map(|(i, (label, points))| Line {
                    label,
                    colour: palette::category(i),
                    dashed,
                    points: points.into_iter().map(|(x, e)| (x, percent(e))).collect(),
                })
                .collect()
        };
        let mut lines = region_lines(&results.online, false);
        if let Some(reference) = &results.reference_online {
            lines.extend(region_lines(reference, true));
        }
        TimeSeriesChart {
            id: "chart-online",
            title: "Households able to shop online, per region".into(),
            caption: "Share of a region's households that are online-capable after each week's adoption step (%). \
                      Line: mean over replications; shaded: 95% confidence interval."
                .into(),
            y_desc: "Online-capable households (%)".into(),
            lines,
            reference_name: reference_name(results),
        }
    }

    fn has_reference(&self) -> bool {
        self.lines.iter().any(|l| l.dashed)
    }

    fn y_range(&self) -> std::ops::Range<f64> {
        let ends = self.lines.iter().flat_map(|l| l.points.iter()).map(|(_, e)| e.high.unwrap_or(e.mean).max(e.mean));
        let top = ends.fold(0.0f64, f64::max);
        0.0..padded(0.0, top, 0.08).end
    }

    fn legend_entries(&self) -> Vec<Entry> {
        let solid = self.lines.iter().filter(|l| !l.dashed);
        let mut entries: Vec<Entry> =
            solid.map(|l| Entry { label: l.label.clone(), colour: l.colour, swatch: Swatch::Line }).collect();
        if self.has_reference() {
            let grey = RGBColor(80, 80, 80);
            entries.push(Entry { label: "this scenario".into(), colour: grey, swatch: Swatch::Line });
            let name = self.reference_name.clone().unwrap_or_else(|| "reference".into());
            entries.push(Entry { label: format!("reference: {name}"), colour: grey, swatch: Swatch::Dashed });
        }
        entries
    }
}

/// The reference scenario's name, from the manifest.
fn reference_name(results: &Results) -> Option<String> {
    results.manifest.get("reference")?.get("scenario")?.as_str().map(str::to_string)
}

/// The band of a line: the upper ends left to right, then the lower ends back.
fn band(points: &[(f64, Estimate)]) -> Option<Vec<(f64, f64)>> {
    let upper: Option<Vec<(f64, f64)>> = points.iter().map(|(x, e)| e.high.map(|h| (*x, h))).collect();
    let lower: Option<Vec<(f64, f64)>> = points.iter().rev().map(|(x, e)| e.low.map(|l| (*x, l))).collect();
    let mut polygon = upper?;
    polygon.extend(lower?);
    Some(polygon)
}

impl Chart for TimeSeriesChart {
    fn id(&self) -> &str {
        self.id
    }

    fn title(&self) -> String {
        self.title.clone()
    }

    fn caption(&self) -> String {
        match &self.reference_name {
            Some(name) if self.has_reference() => {
                format!("{} Dashed: the reference scenario {name}, run on the same random numbers.", self.caption)
            }
            _ => self.caption.clone(),
        }
    }

    fn size(&self) -> (u32, u32) {
        (1100, 440)
    }

    fn draw(&self, root: &Area) -> DrawResult {
        let (plot, side) = root.split_horizontally(self.size().0 - LEGEND_WIDTH);
        let last_week = self.lines.iter().flat_map(|l| l.points.iter()).map(|(x, _)| *x).fold(1.0, f64::max);
        let mut chart = ChartBuilder::on(&plot)
            .margin(12)
            .x_label_area_size(48)
            .y_label_area_size(72)
            .build_cartesian_2d(0.0..last_week, self.y_range())?;
        chart
            .configure_mesh()
            .light_line_style(RGBColor(246, 246, 246))
            .bold_line_style(RGBColor(210, 210, 210))
            .x_desc("Week (reported weeks, from 0)")
            .y_desc(self.y_desc.as_str())
            .x_label_formatter(&|x| if (x - x.round()).abs() < 1e-9 { format!("{x:.0}") } else { String::new() })
            .y_label_formatter(&|y| format!("{y:.1}%"))
            .label_style(text(16, BLACK))
            .axis_desc_style(text(17, BLACK))
            .draw()?;
        for line in self.lines.iter().filter(|l| !l.dashed) {
            if let Some(polygon) = band(&line.points) {
                chart.draw_series(std::iter::once(Polygon::new(polygon, line.colour.mix(0.25).filled())))?;
            }
        }
        for line in &self.lines {
            let points = line.points.iter().map(|(x, e)| (*x, e.mean));
            if line.dashed {
                chart.draw_series(DashedLineSeries::new(points, 6, 4, line.colour.stroke_width(2)))?;
            } else {
                chart.draw_series(LineSeries::new(points, line.colour.stroke_width(2)))?;
            }
        }
        legend::draw(&side, None, &self.legend_entries(), 30)
    }
}
