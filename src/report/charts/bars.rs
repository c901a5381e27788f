//! Horizontal bars with interval whiskers: the shift of each retailer and channel against the
//! reference (scenario − reference), in percentage points of mean weekly trip share.

use super::series::Colours;
use super::{Area, Chart, DrawResult, padded, text};
use crate::report::format::signed;
use crate::report::results::{Estimate, Results};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// One bar: its label, colour and value (already in display units).
struct Bar {
    label: String,
    colour: RGBColor,
    value: Estimate,
}

/// The shift chart.
pub struct ShiftBars {
    reference: String,
    bars: Vec<Bar>,
}

/// Height of one bar's row, in pixels.
const ROW_HEIGHT: u32 = 26;

impl ShiftBars {
    /// Bars from `shifts.csv` (metric `share`), or `None` without a reference.
    pub fn from_results(results: &Results, colours: &Colours) -> Option<ShiftBars> {
        let shifts = results.shifts.as_ref()?;
        let point = results.shown_point();
        let bars: Vec<Bar> = shifts
            .iter()
            .filter(|r| r.point == point && r.metric == "share")
            .map(|r| Bar {
                label: if r.alt.channel == "none" {
                    r.alt.retailer.clone()
                } else {
                    format!("{} · {}", r.alt.retailer, r.alt.channel)
                },
                colour: colours.of_retailer(&r.alt.retailer),
                value: super::series::percent(r.estimate),
            })
            .collect();
        let reference = results.manifest.get("reference").and_then(|r| r.get("scenario")).and_then(|s| s.as_str());
        (!bars.is_empty()).then(|| ShiftBars { reference: reference.unwrap_or("the reference").to_string(), bars })
    }

    fn x_range(&self) -> std::ops::Range<f64> {
        let ends =
            self.bars.iter().flat_map(|b| [b.value.mean, b.value.low.unwrap_or(0.0), b.value.high.unwrap_or(0.0)]);
        let (lo, hi) = ends.fold((0.0f64, 0.0f64), |(lo, hi), x| (lo.min(x), hi.max(x)));
        padded(lo, hi, 0.16)
    }

    /// Decimals that show the smallest non-zero shift.
    fn decimals(&self) -> usize {
        let smallest = self.bars.iter().map(|b| b.value.mean.abs()).filter(|x| *x > 0.0).fold(f64::INFINITY, f64::min);
        if smallest >= 0.1 {
            2
        } else if smallest >= 0.01 {
            3
        } else {
            4
        }
    }
}

impl Chart for ShiftBars {
    fn id(&self) -> &str {
        "chart-shifts"
    }

    fn title(&self) -> String {
        format!("Shift in mean weekly trip share against {}", self.reference)
    }

    fn caption(&self) -> String {
        format!(
            "Scenario minus reference ({}), per retailer and channel, in percentage points of mean weekly trip \
             share over the horizon. Whiskers: paired 95% confidence interval over replications (often narrower \
             than the bar's end, as both worlds share their random numbers).",
            self.reference
        )
    }

    fn size(&self) -> (u32, u32) {
        (1100, 90 + ROW_HEIGHT * self.bars.len() as u32)
    }

    fn draw(&self, root: &Area) -> DrawResult {
        let n = self.bars.len();
        let label_at = row_labels(self.bars.iter().map(|b| b.label.clone()).collect());
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .x_label_area_size(48)
            .y_label_area_size(210)
            .build_cartesian_2d(self.x_range(), -0.5..(n as f64 - 0.5))?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .light_line_style(RGBColor(246, 246, 246))
            .bold_line_style(RGBColor(210, 210, 210))
            .y_labels(n)
            .y_label_formatter(&label_at)
            .x_label_formatter(&|x| signed(*x, 2))
            .x_desc("Shift (percentage points of weekly trip share)")
            .label_style(text(16, BLACK))
            .axis_desc_style(text(17, BLACK))
            .draw()?;
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(0.0, -0.5), (0.0, n as f64 - 0.5)],
            BLACK.stroke_width(1),
        )))?;
        let decimals = self.decimals();
        let range = self.x_range();
        let gap = 0.008 * (range.end - range.start);
        for (i, bar) in self.bars.iter().enumerate() {
            draw_bar(&mut chart, (n - 1 - i) as f64, bar, decimals, gap)?;
        }
        Ok(())
    }
}

type BarChart<'a, 'b> = ChartContext<
    'a,
    SVGBackend<'b>,
    Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
>;

/// A bar at row `y`: the box, its whisker with caps, and its value `gap` beyond the outer end.
fn draw_bar(chart: &mut BarChart, y: f64, bar: &Bar, decimals: usize, gap: f64) -> DrawResult {
    let v = bar.value;
    chart.draw_series(std::iter::once(Rectangle::new([(0.0, y - 0.32), (v.mean, y + 0.32)], bar.colour.filled())))?;
    if let (Some(lo), Some(hi)) = (v.low, v.high) {
        let whisker = BLACK.stroke_width(2);
        let segments =
            [vec![(lo, y), (hi, y)], vec![(lo, y - 0.18), (lo, y + 0.18)], vec![(hi, y - 0.18), (hi, y + 0.18)]];
        chart.draw_series(segments.into_iter().map(|s| PathElement::new(s, whisker)))?;
    }
    let (end, anchor) = if v.mean >= 0.0 {
        (v.high.unwrap_or(v.mean).max(v.mean) + gap, HPos::Left)
    } else {
        (v.low.unwrap_or(v.mean).min(v.mean) - gap, HPos::Right)
    };
    let label = Text::new(signed(v.mean, decimals), (end, y), text(15, BLACK).pos(Pos::new(anchor, VPos::Center)));
    chart.draw_series(std::iter::once(label))?;
    Ok(())
}

/// The y-axis labels of horizontal bars drawn top to bottom in `labels` order: row i (from
/// the bottom) is labelled `labels[n - 1 - i]`, and positions between rows get no label.
pub(crate) fn row_labels(labels: Vec<String>) -> impl Fn(&f64) -> String {
    let n = labels.len();
    move |y: &f64| {
        let i = y.round();
        if (y - i).abs() > 1e-6 || i < 0.0 {
            String::new()
        } else {
            labels.get(n - 1 - i as usize).cloned().unwrap_or_default()
        }
    }
}
