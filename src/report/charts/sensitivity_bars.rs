//! Sensitivity indices as horizontal bars with 95% whiskers, one chart per headline, drawn when
//! the folder holds `sensitivity.csv` (written by `cartshift sensitivity`): total (ST, dark) and
//! first-order (S1, light) Sobol' indices, or Morris' mu_star, per swept parameter.

use super::{Area, Chart, DrawResult, padded, text};
use crate::report::error::ReportError;
use plotters::prelude::*;
use std::path::Path;

/// Most headlines charted: retailers' totals, the shifts first.
const MAX_CHARTS: usize = 8;
/// Height of one parameter's row, in pixels.
const ROW_HEIGHT: u32 = 34;

/// One index of one parameter.
#[derive(Debug, Clone, PartialEq)]
struct Bar {
    parameter: String,
    index: String,
    estimate: f64,
    low: f64,
    high: f64,
}

/// The indices of one headline.
#[derive(Debug, Clone, PartialEq)]
pub struct SensitivityBars {
    headline: String,
    slug: String,
    morris: bool,
    bars: Vec<Bar>,
}

impl SensitivityBars {
    /// The charts of `dir/sensitivity.csv`, none without it: each retailer's `all` channel (or its
    /// only channel), share shifts before shares, at most eight.
    pub fn read(dir: &Path) -> Result<Vec<SensitivityBars>, ReportError> {
        let path = dir.join("sensitivity.csv");
        let Ok(file) = std::fs::File::open(&path) else { return Ok(Vec::new()) };
        let bad = |message: String| ReportError::Write { path: path.clone(), message };
        let mut charts: Vec<SensitivityBars> = Vec::new();
        for record in csv::Reader::from_reader(std::io::BufReader::new(file)).records() {
            let r = record.map_err(|e| bad(format!("not CSV: {e}")))?;
            if r.len() < 9 || !["ST", "S1", "mu_star"].contains(&&r[5]) {
                continue;
            }
            let number = |i: usize| r[i].parse::<f64>().map_err(|_| bad(format!("{:?} is not a number", &r[i])));
            let bar = Bar {
                parameter: r[4].into(),
                index: r[5].into(),
                estimate: number(6)?,
                low: number(7)?,
                high: number(8)?,
            };
            let headline = format!("{} · {} · {} · {}", &r[0], &r[1], &r[2], &r[3]);
            match charts.iter_mut().find(|c| c.headline == headline) {
                Some(chart) => chart.bars.push(bar),
                None => charts.push(SensitivityBars {
                    slug: format!("chart-sensitivity-{}", charts.len()),
                    headline,
                    morris: bar.index == "mu_star",
                    bars: vec![bar],
                }),
            }
        }
        Ok(pick(charts))
    }

    fn parameters(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for b in &self.bars {
            if !names.contains(&b.parameter.as_str()) {
                names.push(&b.parameter);
            }
        }
        names
    }
}

/// Totals (`all`, or a retailer's only channel), shifts first, at most [`MAX_CHARTS`].
fn pick(charts: Vec<SensitivityBars>) -> Vec<SensitivityBars> {
    let parts = |c: &SensitivityBars| c.headline.split(" · ").map(str::to_string).collect::<Vec<String>>();
    let group = |p: &[String]| [p[0].clone(), p[1].clone(), p[3].clone()];
    let total = |c: &SensitivityBars| {
        let p = parts(c);
        p[2] == "all" || charts.iter().filter(|o| group(&parts(o)) == group(&p)).count() == 1
    };
    let (mut shifts, mut shares): (Vec<_>, Vec<_>) =
        charts.iter().filter(|c| total(c)).cloned().partition(|c| c.headline.ends_with("share_shift"));
    shifts.append(&mut shares);
    shifts.truncate(MAX_CHARTS);
    shifts
}

impl Chart for SensitivityBars {
    fn id(&self) -> &str {
        &self.slug
    }

    fn title(&self) -> String {
        format!("Which assumptions drive {}", self.headline)
    }

    fn caption(&self) -> String {
        if self.morris {
            "Morris screening: mu_star, the mean absolute elementary effect of moving each parameter (in units of \
             the output per whole range), with its 95% bootstrap interval over trajectories. sensitivity.csv also \
             holds sigma (interactions and curvature) and the signed mean mu."
                .into()
        } else {
            "Sobol' indices: the share of the output's variance due to each parameter alone (S1, light) and with \
             all its interactions (ST, dark), with 95% bootstrap intervals over base points. Small negative \
             estimates are sampling noise around zero."
                .into()
        }
    }

    fn size(&self) -> (u32, u32) {
        (1100, 90 + ROW_HEIGHT * self.parameters().len() as u32)
    }

    fn draw(&self, root: &Area) -> DrawResult {
        let names: Vec<String> = self.parameters().iter().map(|s| s.to_string()).collect();
        let n = names.len();
        let (lo, hi) = self.bars.iter().fold((0.0f64, 0.0f64), |(lo, hi), b| (lo.min(b.low), hi.max(b.high)));
        let label_at = super::bars::row_labels(names.clone());
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .x_label_area_size(48)
            .y_label_area_size(360)
            .build_cartesian_2d(padded(lo, hi, 0.05), -0.5..(n as f64 - 0.5))?;
        let x_desc = if self.morris { "mu_star (output per whole range)" } else { "Sobol' index (share of variance)" };
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(n)
            .y_label_formatter(&label_at)
            .x_desc(x_desc)
            .label_style(text(15, BLACK))
            .axis_desc_style(text(16, BLACK))
            .draw()?;
        for b in &self.bars {
            let row = (n - 1 - names.iter().position(|p| *p == b.parameter).unwrap_or(0)) as f64;
            let (y, colour) = match b.index.as_str() {
                "S1" => (row - 0.18, RGBColor(158, 202, 225)),
                "ST" => (row + 0.18, RGBColor(33, 113, 181)),
                _ => (row, RGBColor(33, 113, 181)),
            };
            let half = if self.morris { 0.3 } else { 0.15 };
            chart.draw_series(std::iter::once(Rectangle::new(
                [(0.0, y - half), (b.estimate, y + half)],
                colour.filled(),
            )))?;
            let whisker = BLACK.stroke_width(2);
            let segments = [
                vec![(b.low, y), (b.high, y)],
                vec![(b.low, y - half / 2.0), (b.low, y + half / 2.0)],
                vec![(b.high, y - half / 2.0), (b.high, y + half / 2.0)],
            ];
            chart.draw_series(segments.into_iter().map(|s| PathElement::new(s, whisker)))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CSV: &str = "scenario,retailer,channel,metric,parameter,index,estimate,ci95_low,ci95_high\n\
        s,Kroger,store,share,a,S1,0.5,0.4,0.6\n\
        s,Kroger,pickup,share,a,S1,0.1,0.0,0.2\n\
        s,Kroger,all,share,a,S1,0.5,0.4,0.6\ns,Kroger,all,share,a,ST,0.6,0.5,0.7\n\
        s,Kroger,all,share,b,S1,0.1,0.0,0.2\ns,Kroger,all,share,b,ST,0.2,0.1,0.3\n\
        s,Aldi,store,share,a,S1,0.3,0.2,0.4\n\
        s,Kroger,all,share_shift,a,ST,0.9,0.8,1.0\n";

    #[test]
    fn totals_are_charted_shifts_first_with_whiskers() {
        let dir = tempfile::tempdir().unwrap();
        assert!(SensitivityBars::read(dir.path()).unwrap().is_empty(), "no file, no chart");
        std::fs::write(dir.path().join("sensitivity.csv"), CSV).unwrap();
        let charts = SensitivityBars::read(dir.path()).unwrap();
        let heads: Vec<&str> = charts.iter().map(|c| c.headline.as_str()).collect();
        assert_eq!(heads, ["s · Kroger · all · share_shift", "s · Kroger · all · share", "s · Aldi · store · share"]);
        assert_eq!(charts[1].parameters(), ["a", "b"]);
        let svg = charts[1].svg().unwrap();
        assert!(svg.contains("id=\"chart-sensitivity-2\"") && svg.matches("<polyline").count() >= 12, "{svg}");
    }
}
