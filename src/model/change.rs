//! Dotted retailer field paths that events may change (`pickup.fee`, `stores.urban`, …), and how.

/// A changeable retailer parameter. A region index narrows a per-region field to one region.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum Field {
    Stores(Option<usize>),
    Quality,
    PriceIndex,
    CheckoutWaitMin,
    AdoptionPull,
    PickupFee,
    PickupWaitMin,
    PickupQuality,
    PickupStores(Option<usize>),
    DeliveryFee,
    DeliveryQuality,
    DeliveryCoverage(Option<usize>),
}

/// How a change combines with the current value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// Replace.
    Set,
    /// Multiply.
    Scale,
    /// Add.
    Add,
}

/// One `field = value` entry of an event's `set`, `scale` or `add` table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Change {
    /// What changes.
    pub field: Field,
    /// How.
    pub op: Op,
    /// By what.
    pub value: f64,
}

impl Op {
    /// The new value.
    pub fn apply(self, current: f64, value: f64) -> f64 {
        match self {
            Op::Set => value,
            Op::Scale => current * value,
            Op::Add => current + value,
        }
    }

    /// The key naming this table in an event.
    pub fn key(self) -> &'static str {
        match self {
            Op::Set => "set",
            Op::Scale => "scale",
            Op::Add => "add",
        }
    }
}

/// Field paths without a region suffix, for parsing and suggestions.
pub const FIELD_NAMES: [&str; 12] = [
    "stores",
    "quality",
    "price_index",
    "checkout_wait_min",
    "adoption_pull",
    "pickup.fee",
    "pickup.wait_min",
    "pickup.quality",
    "pickup.stores",
    "delivery.fee",
    "delivery.quality",
    "delivery.coverage",
];

impl Field {
    /// Parses `path` (e.g. `pickup.stores.urban`); `Err` carries every valid path for suggestions.
    pub fn parse(path: &str, regions: &[String]) -> Result<Field, Vec<String>> {
        let (base, region) = split_region(path, regions);
        let field = match (base, region) {
            ("stores", r) => Field::Stores(r),
            ("pickup.stores", r) => Field::PickupStores(r),
            ("delivery.coverage", r) => Field::DeliveryCoverage(r),
            ("quality", None) => Field::Quality,
            ("price_index", None) => Field::PriceIndex,
            ("checkout_wait_min", None) => Field::CheckoutWaitMin,
            ("adoption_pull", None) => Field::AdoptionPull,
            ("pickup.fee", None) => Field::PickupFee,
            ("pickup.wait_min", None) => Field::PickupWaitMin,
            ("pickup.quality", None) => Field::PickupQuality,
            ("delivery.fee", None) => Field::DeliveryFee,
            ("delivery.quality", None) => Field::DeliveryQuality,
            _ => return Err(valid_paths(regions)),
        };
        Ok(field)
    }

    /// True for fields that change how many stores a retailer has.
    pub fn is_store_count(self) -> bool {
        matches!(self, Field::Stores(_))
    }
}

fn split_region<'a>(path: &'a str, regions: &[String]) -> (&'a str, Option<usize>) {
    if let Some((base, last)) = path.rsplit_once('.')
        && let Some(g) = regions.iter().position(|r| r == last)
    {
        return (base, Some(g));
    }
    (path, None)
}

fn valid_paths(regions: &[String]) -> Vec<String> {
    let mut out: Vec<String> = FIELD_NAMES.iter().map(|s| s.to_string()).collect();
    for base in ["stores", "pickup.stores", "delivery.coverage"] {
        out.extend(regions.iter().map(|r| format!("{base}.{r}")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_plain_and_regional_paths() {
        let regions = vec!["urban".to_string(), "rural".to_string()];
        assert_eq!(Field::parse("pickup.fee", &regions), Ok(Field::PickupFee));
        assert_eq!(Field::parse("stores.rural", &regions), Ok(Field::Stores(Some(1))));
        assert_eq!(Field::parse("stores", &regions), Ok(Field::Stores(None)));
    }

    #[test]
    fn unknown_paths_list_the_valid_ones() {
        let regions = vec!["urban".to_string()];
        let err = Field::parse("pickup.feee", &regions).unwrap_err();
        assert!(err.contains(&"pickup.fee".to_string()));
        assert!(err.contains(&"stores.urban".to_string()));
        assert!(Field::parse("quality.urban", &regions).is_err());
    }
}
