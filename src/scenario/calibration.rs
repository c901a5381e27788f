//! The `[calibration]` table: target market shares a scenario should reproduce.

use super::error::{Location, ScenarioError};
use crate::suggest::nearest;

/// What a share target measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    /// Share of revenue (sales), as published market shares are.
    Revenue,
    /// Share of trips.
    Trips,
}

/// Validated calibration targets.
#[derive(Debug, Clone, PartialEq)]
pub struct CalibrationTargets {
    /// Share measure.
    pub measure: Measure,
    /// (retailer index, target share), in file order of the retailers.
    pub shares: Vec<(usize, f64)>,
    /// Target share of the online channels (pickup and delivery) in the same measure.
    pub online_share: Option<f64>,
}

const KEYS: [&str; 3] = ["share", "measure", "online_share"];

/// Parses `[calibration]` against the scenario's retailer names; `locate` finds a path's place.
pub(crate) fn parse_calibration(
    table: toml::Table,
    retailers: &[String],
    locate: &dyn Fn(&str) -> Option<Location>,
) -> Result<CalibrationTargets, ScenarioError> {
    let error = |path: &str, message: String, suggestion: Option<String>| ScenarioError::Invalid {
        location: locate(path),
        path: path.to_string(),
        message,
        suggestion,
    };
    if let Some(key) = table.keys().find(|k| !KEYS.contains(&k.as_str())) {
        let path = format!("calibration.{key}");
        return Err(error(&path, "unknown key".into(), nearest(key, KEYS)));
    }
    let measure = match table.get("measure").map(|v| v.as_str()) {
        None | Some(Some("revenue")) => Measure::Revenue,
        Some(Some("trips")) => Measure::Trips,
        Some(other) => {
            let got = other.map_or("a non-string".to_string(), |s| format!("'{s}'"));
            let suggestion = other.and_then(|s| nearest(s, ["revenue", "trips"]));
            return Err(error(
                "calibration.measure",
                format!("got {got}, expected \"revenue\" or \"trips\""),
                suggestion,
            ));
        }
    };
    let Some(share_table) = table.get("share").and_then(|v| v.as_table()) else {
        let message = "expected a table of target shares, e.g. share = { Walmart = 0.145 }".into();
        return Err(error("calibration.share", message, None));
    };
    let mut shares = Vec::new();
    for (name, value) in share_table {
        let path = format!("calibration.share.{name}");
        let Some(r) = retailers.iter().position(|x| x == name) else {
            let suggestion = nearest(name, retailers.iter().map(String::as_str));
            return Err(error(&path, format!("unknown retailer '{name}'"), suggestion));
        };
        let share = number(value).filter(|s| *s > 0.0 && *s < 1.0);
        let Some(share) = share else {
            return Err(error(&path, format!("got {value}, expected a share in (0, 1)"), None));
        };
        shares.push((r, share));
    }
    shares.sort_by_key(|(r, _)| *r);
    let total: f64 = shares.iter().map(|(_, s)| s).sum();
    if total >= 1.0 {
        let message = format!("targets sum to {total}: the outside option needs a share above 0");
        return Err(error("calibration.share", message, None));
    }
    let online_share = match table.get("online_share") {
        None => None,
        Some(v) => match number(v).filter(|s| *s > 0.0 && *s < 1.0) {
            Some(s) => Some(s),
            None => {
                return Err(error("calibration.online_share", format!("got {v}, expected a share in (0, 1)"), None));
            }
        },
    };
    Ok(CalibrationTargets { measure, shares, online_share })
}

fn number(value: &toml::Value) -> Option<f64> {
    match value {
        toml::Value::Float(f) if f.is_finite() => Some(*f),
        toml::Value::Integer(i) => Some(*i as f64),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<CalibrationTargets, ScenarioError> {
        let retailers = vec!["Walmart".to_string(), "Kroger".to_string()];
        parse_calibration(toml::from_str(text).unwrap(), &retailers, &|_| None)
    }

    #[test]
    fn reads_targets_in_retailer_order() {
        let t = parse("share = { Kroger = 0.07, Walmart = 0.145 }\nonline_share = 0.022").unwrap();
        assert_eq!(t.shares, vec![(0, 0.145), (1, 0.07)]);
        assert_eq!((t.measure, t.online_share), (Measure::Revenue, Some(0.022)));
    }

    #[test]
    fn refuses_unreachable_or_misspelt_targets() {
        let err = parse("share = { Krogr = 0.07 }").unwrap_err().to_string();
        assert!(err.contains("did you mean 'Kroger'"), "{err}");
        assert!(parse("share = { Walmart = 0.6, Kroger = 0.5 }").unwrap_err().to_string().contains("sum to"));
        assert!(parse("share = { Walmart = 0.0 }").is_err());
        assert!(parse("share = { Walmart = 0.1 }\nmeasure = \"sales\"").is_err());
        assert!(parse("share = { Walmart = 0.1 }\ntarget = 1").unwrap_err().to_string().contains("unknown key"));
    }
}
