//! A sweep of a counterfactual: each retailer's shift in mean weekly trip share (scenario −
//! reference, percentage points) against one swept value, with its paired 95% interval. With
//! several swept paths there is one chart per path, each a slice through the first point (the
//! other paths held at their point-0 values).

use super::series::{Colours, Line, lines_by, percent};
use super::sweep_line::{SweptAxis, SweptLabels, draw_swept_lines, push_point, sort_points};
use super::{Area, Chart, DrawResult, padded};
use crate::report::results::{Record, Results};

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
                push_point(&mut lines, colours, label, x, percent(points[0].1));
            }
        }
        sort_points(&mut lines);
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
        let points = || self.lines.iter().flat_map(|l| l.points.iter());
        let bottom = points().map(|(_, e)| e.low.unwrap_or(e.mean)).fold(0.0, f64::min);
        let top = points().map(|(_, e)| e.high.unwrap_or(e.mean)).fold(0.0, f64::max);
        let labels = SweptLabels { y_desc: "Shift in trip share (pp)", y_format: &|y| format!("{y:+.2}") };
        draw_swept_lines(root, self.size().0, &self.axis, &self.lines, padded(bottom, top, 0.08), &labels, true)
    }
}
