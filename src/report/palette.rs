//! Colours that stay distinguishable for colour-blind readers: the Okabe–Ito palette for
//! categories, one blue from it for sequential shading, and a neutral grey for the outside option.

use plotters::style::RGBColor;

/// Okabe & Ito (2008), ordered for white paper: yellow last, as it is the weakest on white.
const OKABE_ITO: [RGBColor; 8] = [
    RGBColor(0xE6, 0x9F, 0x00), // orange
    RGBColor(0x56, 0xB4, 0xE9), // sky blue
    RGBColor(0x00, 0x9E, 0x73), // bluish green
    RGBColor(0x00, 0x72, 0xB2), // blue
    RGBColor(0xD5, 0x5E, 0x00), // vermillion
    RGBColor(0xCC, 0x79, 0xA7), // reddish purple
    RGBColor(0x00, 0x00, 0x00), // black
    RGBColor(0xF0, 0xE4, 0x42), // yellow
];

/// The outside option (other grocers): grey, so the named retailers stand out.
pub(crate) const NEUTRAL: RGBColor = RGBColor(0x99, 0x99, 0x99);

/// The end of the sequential scale (heat maps, the switching table): Okabe–Ito blue.
pub(crate) const SEQUENTIAL: RGBColor = RGBColor(0x00, 0x72, 0xB2);

/// The colour of the `i`-th category; past eight the palette repeats.
pub(crate) fn category(i: usize) -> RGBColor {
    OKABE_ITO[i % OKABE_ITO.len()]
}

/// A colour as CSS hex.
pub(crate) fn css(c: RGBColor) -> String {
    format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)
}

/// A sequential shade from white (t = 0) to [`SEQUENTIAL`] (t = 1).
pub(crate) fn shade(t: f64) -> RGBColor {
    let t = t.clamp(0.0, 1.0);
    let mix = |end: u8| (255.0 + (f64::from(end) - 255.0) * t).round() as u8;
    RGBColor(mix(SEQUENTIAL.0), mix(SEQUENTIAL.1), mix(SEQUENTIAL.2))
}

/// Black or white, whichever reads better on `background` (WCAG relative luminance).
pub(crate) fn text_on(background: RGBColor) -> RGBColor {
    let channel = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.03928 { c / 12.92 } else { ((c + 0.055) / 1.055).powf(2.4) }
    };
    let luminance = 0.2126 * channel(background.0) + 0.7152 * channel(background.1) + 0.0722 * channel(background.2);
    if luminance > 0.179 { RGBColor(0, 0, 0) } else { RGBColor(255, 255, 255) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_eight_categories_differ() {
        let colours: Vec<String> = (0..8).map(|i| css(category(i))).collect();
        for (i, a) in colours.iter().enumerate() {
            assert!(!colours[i + 1..].contains(a), "{a} repeats");
        }
        assert_eq!(css(category(8)), css(category(0)));
    }

    #[test]
    fn shades_run_from_white_to_blue_with_readable_text() {
        assert_eq!(css(shade(0.0)), "#ffffff");
        assert_eq!(css(shade(1.0)), "#0072b2");
        assert_eq!(css(text_on(shade(0.0))), "#000000");
        assert_eq!(css(text_on(shade(1.0))), "#ffffff");
    }
}
