//! The report's charts, drawn in Rust with plotters' SVG backend: one file per kind of chart
//! behind the small [`Chart`] trait, plus the data shaping and legend they share.

mod bars;
mod heatmap;
mod legend;
mod sensitivity_bars;
mod series;
mod shift_sweep;
mod sweep_line;
mod time_series;

pub use bars::ShiftBars;
pub use heatmap::SweepHeatmap;
pub use sensitivity_bars::SensitivityBars;
pub use series::{Colours, Line};
pub use shift_sweep::ShiftSweep;
pub use sweep_line::SweepLine;
pub use time_series::TimeSeriesChart;

use super::error::ReportError;
use plotters::coord::Shift;
use plotters::prelude::*;

/// A drawing area of an SVG being written to a string.
pub(crate) type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;

/// What drawing can fail with (plotters' errors, boxed).
pub(crate) type DrawResult = Result<(), Box<dyn std::error::Error>>;

/// Font family of every label.
pub(crate) const FONT: &str = "sans-serif";

/// One chart of the report.
pub trait Chart {
    /// The `id` of its `<svg>` element, stable so tests and readers can find it.
    fn id(&self) -> &str;
    /// Its heading.
    fn title(&self) -> String;
    /// What it shows and how to read it (units, intervals).
    fn caption(&self) -> String;
    /// Width and height in pixels.
    fn size(&self) -> (u32, u32);
    /// Draws it on a white area of [`Chart::size`].
    fn draw(&self, root: &Area) -> DrawResult;

    /// The chart as an `<svg>` element carrying its id and an accessible label.
    fn svg(&self) -> Result<String, ReportError> {
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, self.size()).into_drawing_area();
            let drawn = root.fill(&WHITE).map_err(Into::into).and_then(|_| self.draw(&root));
            let presented = drawn.and_then(|_| root.present().map_err(Into::into));
            presented.map_err(|e| ReportError::Draw { chart: self.id().to_string(), message: e.to_string() })?;
        }
        Ok(tag_svg(&svg, self.id(), &self.title()))
    }
}

/// Adds `id`, `role` and `aria-label` to the opening `<svg` tag.
fn tag_svg(svg: &str, id: &str, title: &str) -> String {
    let attributes = format!(
        "<svg id=\"{}\" class=\"chart\" role=\"img\" aria-label=\"{}\" ",
        super::html::escape(id),
        super::html::escape(title)
    );
    svg.replacen("<svg ", &attributes, 1)
}

/// A text style of `size` pixels in `colour`.
pub(crate) fn text(size: u32, colour: RGBColor) -> TextStyle<'static> {
    (FONT, size).into_font().color(&colour)
}

/// A finite, non-empty range around `lo..hi` with `pad` of its width added on each side.
pub(crate) fn padded(lo: f64, hi: f64, pad: f64) -> std::ops::Range<f64> {
    let (lo, hi) = if lo.is_finite() && hi.is_finite() { (lo, hi) } else { (0.0, 1.0) };
    let width = if hi > lo { hi - lo } else { lo.abs().max(1e-9) };
    (lo - pad * width)..(hi + pad * width)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_svg_tag_gets_an_id_and_an_escaped_label() {
        let tagged = tag_svg("<svg width=\"2\"><text>a</text></svg>", "chart-x", "A & <B>");
        assert!(
            tagged
                .starts_with("<svg id=\"chart-x\" class=\"chart\" role=\"img\" aria-label=\"A &amp; &lt;B&gt;\" width")
        );
    }

    #[test]
    fn ranges_are_never_empty() {
        assert_eq!(padded(0.0, 10.0, 0.1), -1.0..11.0);
        let r = padded(5.0, 5.0, 0.1);
        assert!(r.start < 5.0 && r.end > 5.0);
        let r = padded(f64::NAN, 1.0, 0.0);
        assert!(r.start < r.end);
    }
}
