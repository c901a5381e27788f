//! A legend drawn beside the plot (never over the data): a swatch and a label per entry.

use super::{Area, DrawResult, text};
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// How an entry's swatch looks.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Swatch {
    /// A solid line.
    Line,
    /// A dashed line.
    Dashed,
}

/// One legend entry.
pub(crate) struct Entry {
    pub label: String,
    pub colour: RGBColor,
    pub swatch: Swatch,
}

/// Row height of an entry, in pixels.
const ROW: i32 = 22;

/// Draws `entries` top-down from `top` pixels into `area`, with an optional heading.
pub(crate) fn draw(area: &Area, heading: Option<&str>, entries: &[Entry], top: i32) -> DrawResult {
    let mut y = top;
    if let Some(heading) = heading {
        area.draw(&Text::new(heading.to_string(), (8, y), text(16, BLACK).pos(Pos::new(HPos::Left, VPos::Center))))?;
        y += ROW;
    }
    for entry in entries {
        let style = entry.colour.stroke_width(3);
        match entry.swatch {
            Swatch::Line => area.draw(&PathElement::new(vec![(8, y), (36, y)], style))?,
            Swatch::Dashed => area.draw(&DashedPathElement::new(vec![(8, y), (36, y)], 5, 3, style))?,
        }
        let label = Text::new(entry.label.clone(), (44, y), text(16, BLACK).pos(Pos::new(HPos::Left, VPos::Center)));
        area.draw(&label)?;
        y += ROW;
    }
    Ok(())
}
