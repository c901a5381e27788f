//! Formats (the nests of MODEL.md §3a) and the outside option's own stores.

use super::{Checker, Range, Result, region_mix};
use crate::scenario::raw::{RawFormat, RawMarket};
use crate::scenario::{Format, Region};

/// Smallest dissimilarity accepted: below it a nest's alternatives differ by more than `f32`
/// can weigh, so the nest would behave as a single alternative anyway.
pub(crate) const MIN_DISSIMILARITY: f64 = 0.01;

/// Most formats: a household's alternatives carry their nest as one byte, nest 0 being the
/// outside option and every retailer without a format.
pub(crate) const MAX_FORMATS: usize = 255;

/// `[[format]]` tables: unique names, λ ∈ [[`MIN_DISSIMILARITY`], 1].
pub(super) fn formats(c: &Checker, raw: Vec<RawFormat>) -> Result<Vec<Format>> {
    if raw.len() > MAX_FORMATS {
        return Err(c.error("format", format!("got {} [[format]] tables, expected at most {MAX_FORMATS}", raw.len())));
    }
    let mut out = Vec::new();
    for (i, f) in raw.into_iter().enumerate() {
        let name = c.name(f.name, &format!("format.#{}", i + 1))?;
        let path = format!("format.{name}.dissimilarity");
        let lambda = c.number(f.dissimilarity, &path, Range::Unit)?;
        if lambda < MIN_DISSIMILARITY {
            let message = format!(
                "got {lambda}, expected a dissimilarity in [{MIN_DISSIMILARITY}, 1] (1 = no nesting; 0.5-0.9 is \
                 typical across grocery formats)"
            );
            return Err(c.error(&path, message));
        }
        out.push(Format { name, dissimilarity: lambda });
    }
    let names: Vec<String> = out.iter().map(|f| f.name.clone()).collect();
    c.unique(&names, "format")?;
    Ok(out)
}

/// A retailer's `format` key as a format index.
pub(super) fn retailer_format(
    c: &Checker,
    raw: Option<String>,
    formats: &[Format],
    path: &str,
) -> Result<Option<usize>> {
    let Some(name) = raw else { return Ok(None) };
    if formats.is_empty() {
        return Err(c.error(path, format!("format '{name}' is not declared: add a [[format]] with name = \"{name}\"")));
    }
    let names: Vec<String> = formats.iter().map(|f| f.name.clone()).collect();
    c.lookup(&name, &names, path, "format").map(Some)
}

/// `market.outside_stores` per region, or `None` when the outside option has no stores of its own.
pub(super) fn outside_stores(c: &Checker, market: &mut RawMarket, regions: &[Region]) -> Result<Option<Vec<f64>>> {
    let mix = market.outside_region_mix.take();
    let Some(stores) = market.outside_stores else {
        if mix.is_some() {
            return Err(c.error("market.outside_region_mix", "give market.outside_stores too, or remove the mix"));
        }
        return Ok(None);
    };
    let stores = c.check(stores, "market.outside_stores", Range::Positive)?;
    let mix = region_mix(c, mix, regions, "market.outside_region_mix")?;
    if let Some(g) = mix.iter().position(|&m| m <= 0.0) {
        let message = format!(
            "region '{}' gets no outside-option store: the outside option anchors every household's choice, so \
             give every region a positive share",
            regions[g].name
        );
        return Err(c.error("market.outside_region_mix", message));
    }
    Ok(Some(mix.iter().map(|m| stores * m).collect()))
}

#[cfg(test)]
mod tests {
    use crate::scenario::error::ScenarioError;
    use crate::scenario::{LoadOptions, TEST_SCENARIO, load_str};

    /// The test scenario with `retailer` and `extra` appended to the shop and the document.
    fn load(shop: &str, extra: &str) -> Result<crate::Scenario, ScenarioError> {
        let text = TEST_SCENARIO
            .replace("COVERAGE", "0.5")
            .replace("price_index = 1\n", &format!("price_index = 1\n{shop}\n"));
        load_str(&format!("{text}\n{extra}"), &LoadOptions::default())
    }

    fn refused(shop: &str, extra: &str) -> (String, String, Option<String>) {
        match load(shop, extra).expect_err("should be refused") {
            ScenarioError::Invalid { path, message, suggestion, .. } => (path, message, suggestion),
            other => panic!("{other}"),
        }
    }

    const FORMATS: &str = "[[format]]\nname = \"premium\"\ndissimilarity = 0.6\n";

    #[test]
    fn a_format_is_looked_up_by_name_with_a_suggestion() {
        let s = load("format = \"premium\"", FORMATS).unwrap();
        assert_eq!((s.retailers[0].format, s.formats[0].dissimilarity), (Some(0), 0.6));
        let (path, message, suggestion) = refused("format = \"premum\"", FORMATS);
        assert_eq!((path.as_str(), suggestion.as_deref()), ("retailer.Shop.format", Some("premium")));
        assert!(message.contains("unknown format 'premum'"), "{message}");
        let (_, message, _) = refused("format = \"premium\"", "");
        assert!(message.contains("add a [[format]]"), "{message}");
    }

    #[test]
    fn dissimilarity_must_be_in_the_unit_interval_and_not_near_zero() {
        for bad in ["0", "1.5", "-0.2", "0.001"] {
            let (path, message, _) = refused("", &FORMATS.replace("0.6", bad));
            assert_eq!(path, "format.premium.dissimilarity", "{bad}");
            assert!(message.contains(&format!("got {}", bad.parse::<f64>().unwrap())), "{message}");
        }
    }

    #[test]
    fn format_tastes_name_declared_formats() {
        let taste = |t: &str| {
            TEST_SCENARIO
                .replace("COVERAGE", "0.5")
                .replace("digital_adoption = 0.2", &format!("digital_adoption = 0.2\nformat_taste = {{ {t} }}"))
        };
        let s = load_str(&format!("{}\n{FORMATS}", taste("premium = 0.4")), &LoadOptions::default()).unwrap();
        assert_eq!(s.segments[0].format_taste, vec![0.4]);
        let err = load_str(&format!("{}\n{FORMATS}", taste("premum = 0.4")), &LoadOptions::default()).unwrap_err();
        assert!(err.to_string().contains("segment.all.format_taste.premum"), "{err}");
        let err = load_str(&taste("premium = 0.4"), &LoadOptions::default()).unwrap_err();
        assert!(err.to_string().contains("no [[format]] is declared"), "{err}");
    }

    #[test]
    fn outside_stores_are_spread_over_regions_and_reach_every_region() {
        let with = |market: &str| {
            let text = TEST_SCENARIO
                .replace("COVERAGE", "0.5")
                .replace("outside_option = \"Other\"", &format!("outside_option = \"Other\"\n{market}"));
            load_str(&text, &LoadOptions::default())
        };
        let s = with("outside_stores = 100").unwrap();
        assert_eq!(s.outside_stores, Some(vec![50.0, 50.0]));
        let s = with("outside_stores = 100\noutside_region_mix = { urban = 0.8, rural = 0.2 }").unwrap();
        assert_eq!(s.outside_stores, Some(vec![80.0, 20.0]));
        let err = with("outside_stores = 100\noutside_region_mix = { urban = 1.0 }").unwrap_err();
        assert!(err.to_string().contains("region 'rural' gets no outside-option store"), "{err}");
        let err = with("outside_region_mix = { urban = 1.0 }").unwrap_err();
        assert!(err.to_string().contains("give market.outside_stores too"), "{err}");
        assert!(with("outside_stores = 0").is_err());
    }
}
