//! The one conversion from a raw document to a runnable [`Scenario`]: requiredness, ranges, names.

use super::calibration::parse_calibration;
use super::error::ScenarioError;
use super::limits::{self, Breach};
use super::raw::*;
use super::source_map::SourceMap;
use super::{DEFAULT_SIMULATION, Dynamics, Event, Format, PriceResponse, Region, Retailer, Scenario, Simulation};
use crate::model::change::{Change, Field, Op};
use crate::model::retailer_state::{DeliveryState, PickupState, RetailerState};
use crate::suggest::nearest;
use std::collections::BTreeMap;

mod formats;
mod tastes;

type Result<T> = std::result::Result<T, ScenarioError>;

/// Tolerance on shares that must sum to 1.
pub const SHARE_TOLERANCE: f64 = 1e-6;

/// Allowed values of a number.
#[derive(Clone, Copy)]
enum Range {
    Finite,
    NonNegative,
    Positive,
    Unit,
}

impl Range {
    fn holds(self, v: f64) -> bool {
        v.is_finite()
            && match self {
                Range::Finite => true,
                Range::NonNegative => v >= 0.0,
                Range::Positive => v > 0.0,
                Range::Unit => (0.0..=1.0).contains(&v),
            }
    }

    fn expected(self) -> &'static str {
        match self {
            Range::Finite => "a finite number",
            Range::NonNegative => "a finite number >= 0",
            Range::Positive => "a finite number > 0",
            Range::Unit => "a number in [0, 1]",
        }
    }
}

/// Builds errors that point at the file and line of a dotted path.
struct Checker<'a> {
    sources: &'a SourceMap,
}

impl Checker<'_> {
    fn error(&self, path: &str, message: impl Into<String>) -> ScenarioError {
        self.suggest(path, message, None)
    }

    fn suggest(&self, path: &str, message: impl Into<String>, suggestion: Option<String>) -> ScenarioError {
        ScenarioError::Invalid {
            location: self.sources.locate(path),
            path: path.into(),
            message: message.into(),
            suggestion,
        }
    }

    fn required<T>(&self, value: Option<T>, path: &str) -> Result<T> {
        value.ok_or_else(|| self.error(path, "missing required key"))
    }

    fn number(&self, value: Option<f64>, path: &str, range: Range) -> Result<f64> {
        let v = self.required(value, path)?;
        self.check(v, path, range)
    }

    fn number_or(&self, value: Option<f64>, default: f64, path: &str, range: Range) -> Result<f64> {
        self.check(value.unwrap_or(default), path, range)
    }

    fn check(&self, v: f64, path: &str, range: Range) -> Result<f64> {
        if range.holds(v) { Ok(v) } else { Err(self.error(path, format!("got {v}, expected {}", range.expected()))) }
    }

    /// The `name` key of the table at `path` (`""` for the document itself).
    fn name(&self, value: Option<String>, path: &str) -> Result<String> {
        let key = if path.is_empty() { "name".to_string() } else { format!("{path}.name") };
        let name = self.required(value, &key)?;
        if name.trim().is_empty() {
            return Err(self.error(&key, "expected a non-empty name"));
        }
        Ok(name)
    }

    fn lookup(&self, name: &str, names: &[String], path: &str, what: &str) -> Result<usize> {
        names.iter().position(|n| n == name).ok_or_else(|| {
            let suggestion = nearest(name, names.iter().map(String::as_str));
            self.suggest(path, format!("unknown {what} '{name}'"), suggestion)
        })
    }

    fn shares_sum_to_one(&self, shares: &[f64], path: &str, what: &str) -> Result<()> {
        let total: f64 = shares.iter().sum();
        if (total - 1.0).abs() > SHARE_TOLERANCE {
            return Err(self.error(path, format!("{what} sum to {total}, expected 1 (within {SHARE_TOLERANCE})")));
        }
        Ok(())
    }

    fn limit(&self, result: std::result::Result<(), Breach>) -> Result<()> {
        result.map_err(|(path, message)| self.error(&path, message))
    }

    fn unique(&self, names: &[String], array: &str) -> Result<()> {
        for (i, n) in names.iter().enumerate() {
            if names[..i].contains(n) {
                return Err(self.error(&format!("{array}.{n}"), format!("{array} name '{n}' appears twice")));
            }
        }
        Ok(())
    }
}

/// Validates everything and produces the scenario the engine runs. A `[sweep]` table is not
/// looked at: sweeps remove it before validating each of their points.
pub(crate) fn validate(raw: RawScenario, sources: &SourceMap, hash: String) -> Result<Scenario> {
    let c = Checker { sources };
    let name = c.name(raw.name, "")?;
    let mut market = c.required(raw.market, "market")?;
    let households = c.number(market.households, "market.households", Range::Positive)?;
    let outside_option = c.required(market.outside_option.take(), "market.outside_option")?;
    let regions = regions(&c, raw.region)?;
    let region_names: Vec<String> = regions.iter().map(|r| r.name.clone()).collect();
    let outside_stores = formats::outside_stores(&c, &mut market, &regions)?;
    let formats = formats::formats(&c, raw.format)?;
    let segments = tastes::segments(&c, raw.segment, &formats)?;
    let dynamics = dynamics(&c, raw.dynamics)?;
    let simulation = simulation(&c, raw.simulation.unwrap_or_default())?;
    let retailers = retailers(&c, raw.retailer, &regions, &formats, &outside_option)?;
    let retailer_names: Vec<String> = retailers.iter().map(|r| r.name.clone()).collect();
    let events = events(&c, raw.event, &retailer_names, &region_names, simulation.weeks)?;
    let locate = |path: &str| sources.locate(path);
    let calibration = raw.calibration.map(|t| parse_calibration(t, &retailer_names, &locate)).transpose()?;
    let scenario = Scenario {
        name,
        description: raw.description,
        households,
        outside_option,
        outside_stores,
        formats,
        regions,
        segments,
        retailers,
        dynamics,
        simulation,
        events,
        hash,
        parent: None,
        calibration,
    };
    let mut scenario = scenario;
    let owners = scenario.owners();
    for r in &mut scenario.retailers {
        r.initial.owner = owners.iter().position(|o| *o == r.owner).expect("every owner is listed");
    }
    every_retailer_can_be_chosen(&c, &scenario)?;
    let max_price = replay_events(&c, &scenario)?;
    c.limit(limits::check_totals(&scenario, max_price))?;
    Ok(scenario)
}

fn regions(c: &Checker, raw: Vec<RawRegion>) -> Result<Vec<Region>> {
    if raw.is_empty() {
        return Err(c.error("region", "expected at least one [[region]]"));
    }
    c.limit(limits::check_count("region", raw.len()))?;
    let mut out = Vec::new();
    for (i, r) in raw.into_iter().enumerate() {
        let name = c.name(r.name, &format!("region.#{}", i + 1))?;
        let p = format!("region.{name}");
        let households_share = c.number(r.households_share, &format!("{p}.households_share"), Range::Unit)?;
        let area_km2 = c.number(r.area_km2, &format!("{p}.area_km2"), Range::Positive)?;
        out.push(Region { name, households_share, area_km2 });
    }
    let names: Vec<String> = out.iter().map(|r| r.name.clone()).collect();
    c.unique(&names, "region")?;
    let shares: Vec<f64> = out.iter().map(|r| r.households_share).collect();
    c.shares_sum_to_one(&shares, "region", "region households_share values")?;
    Ok(out)
}

fn dynamics(c: &Checker, raw: Option<RawDynamics>) -> Result<Dynamics> {
    let d = c.required(raw, "dynamics")?;
    Ok(Dynamics {
        loyalty_smoothing: c.number(d.loyalty_smoothing, "dynamics.loyalty_smoothing", Range::Unit)?,
        loyalty_weight: c.number(d.loyalty_weight, "dynamics.loyalty_weight", Range::Finite)?,
        adoption_innovation: c.number(d.adoption_innovation, "dynamics.adoption_innovation", Range::Unit)?,
        adoption_imitation: c.number(d.adoption_imitation, "dynamics.adoption_imitation", Range::Unit)?,
    })
}

fn simulation(c: &Checker, s: RawSimulation) -> Result<Simulation> {
    let d = DEFAULT_SIMULATION;
    let sim = Simulation {
        weeks: s.weeks.unwrap_or(d.weeks),
        warmup_weeks: s.warmup_weeks.unwrap_or(d.warmup_weeks),
        replications: s.replications.unwrap_or(d.replications),
        seed: s.seed.unwrap_or(d.seed),
        households: s.households.unwrap_or(d.households),
    };
    let positive =
        [("weeks", sim.weeks as u64), ("replications", sim.replications as u64), ("households", sim.households)];
    for (key, v) in positive {
        if v == 0 {
            return Err(c.error(&format!("simulation.{key}"), "got 0, expected at least 1"));
        }
    }
    c.limit(limits::check_horizon(sim.weeks, sim.warmup_weeks))?;
    Ok(sim)
}

fn retailers(
    c: &Checker,
    raw: Vec<RawRetailer>,
    regions: &[Region],
    formats: &[Format],
    outside: &str,
) -> Result<Vec<Retailer>> {
    if raw.is_empty() {
        return Err(c.error("retailer", "expected at least one [[retailer]]"));
    }
    let mut out = Vec::new();
    for (i, r) in raw.into_iter().enumerate() {
        out.push(retailer(c, r, i, regions, formats)?);
    }
    let names: Vec<String> = out.iter().map(|r| r.name.clone()).collect();
    c.unique(&names, "retailer")?;
    if let Some(clash) = names.iter().find(|n| n.as_str() == outside) {
        return Err(c.error(&format!("retailer.{clash}.name"), "a retailer cannot share the outside option's name"));
    }
    Ok(out)
}

fn retailer(c: &Checker, r: RawRetailer, index: usize, regions: &[Region], formats: &[Format]) -> Result<Retailer> {
    let name = c.name(r.name, &format!("retailer.#{}", index + 1))?;
    let p = format!("retailer.{name}");
    let key = |k: &str| format!("{p}.{k}");
    let stores = c.number(r.stores, &key("stores"), Range::NonNegative)?;
    let region_mix = region_mix(c, r.region_mix, regions, &key("region_mix"))?;
    let wait = if stores > 0.0 {
        c.number(r.checkout_wait_min, &key("checkout_wait_min"), Range::NonNegative)?
    } else {
        c.number_or(r.checkout_wait_min, 0.0, &key("checkout_wait_min"), Range::NonNegative)?
    };
    let pickup = match r.pickup {
        None => None,
        Some(pu) => Some(pickup(c, pu, stores, &region_mix, &key("pickup"))?),
    };
    let delivery = match r.delivery {
        None => None,
        Some(dl) => Some(delivery(c, dl, regions, &key("delivery"))?),
    };
    let price_response = match r.price_response {
        None => None,
        Some(pr) => Some(PriceResponse {
            strength: c.number(pr.strength, &key("price_response.strength"), Range::NonNegative)?,
            floor: c.number(pr.floor, &key("price_response.floor"), Range::Positive)?,
            every_weeks: c.required(pr.every_weeks, &key("price_response.every_weeks")).and_then(|w| {
                if w == 0 {
                    Err(c.error(&key("price_response.every_weeks"), "got 0, expected at least 1"))
                } else {
                    Ok(w)
                }
            })?,
        }),
    };
    let initial = RetailerState {
        active: true,
        stores: region_mix.iter().map(|m| stores * m).collect(),
        quality: c.number(r.quality, &key("quality"), Range::Finite)?,
        price_index: c.number(r.price_index, &key("price_index"), Range::Positive)?,
        checkout_wait_min: wait,
        owner: 0,
        adoption_pull: c.number_or(r.adoption_pull, 0.0, &key("adoption_pull"), Range::NonNegative)?,
        pickup,
        delivery,
    };
    let owner = match r.owner {
        Some(o) if o.trim().is_empty() => return Err(c.error(&key("owner"), "expected a non-empty name")),
        Some(o) => o,
        None => name.clone(),
    };
    let format = formats::retailer_format(c, r.format, formats, &key("format"))?;
    Ok(Retailer { name, region_mix, price_response, owner, format, initial })
}

fn region_mix(c: &Checker, raw: Option<BTreeMap<String, f64>>, regions: &[Region], path: &str) -> Result<Vec<f64>> {
    let Some(raw) = raw else {
        return Ok(regions.iter().map(|r| r.households_share).collect());
    };
    let mix = per_region(c, raw, regions, path, 0.0, Range::NonNegative)?;
    c.shares_sum_to_one(&mix, path, "region_mix values")?;
    Ok(mix)
}

/// A table keyed by region name; regions it leaves out get `default`.
fn per_region(
    c: &Checker,
    raw: BTreeMap<String, f64>,
    regions: &[Region],
    path: &str,
    default: f64,
    range: Range,
) -> Result<Vec<f64>> {
    let names: Vec<String> = regions.iter().map(|r| r.name.clone()).collect();
    let mut out = vec![default; regions.len()];
    for (region, v) in raw {
        let g = c.lookup(&region, &names, &format!("{path}.{region}"), "region")?;
        out[g] = c.check(v, &format!("{path}.{region}"), range)?;
    }
    Ok(out)
}

fn pickup(c: &Checker, pu: RawPickup, stores: f64, mix: &[f64], path: &str) -> Result<PickupState> {
    let pickup_stores = match pu.stores {
        None => None,
        Some(s) => {
            let s = c.check(s, &format!("{path}.stores"), Range::NonNegative)?;
            if s > stores {
                return Err(c.error(
                    &format!("{path}.stores"),
                    format!("got {s}, expected at most the retailer's {stores} stores"),
                ));
            }
            Some(mix.iter().map(|m| s * m).collect())
        }
    };
    Ok(PickupState {
        fee: c.number_or(pu.fee, 0.0, &format!("{path}.fee"), Range::NonNegative)?,
        wait_min: c.number_or(pu.wait_min, 0.0, &format!("{path}.wait_min"), Range::NonNegative)?,
        quality: c.number_or(pu.quality, 0.0, &format!("{path}.quality"), Range::Finite)?,
        stores: pickup_stores,
    })
}

fn delivery(c: &Checker, dl: RawDelivery, regions: &[Region], path: &str) -> Result<DeliveryState> {
    let cov_path = format!("{path}.coverage");
    let coverage = match dl.coverage {
        None => vec![1.0; regions.len()],
        Some(RawCoverage::Everywhere(v)) => vec![c.check(v, &cov_path, Range::Unit)?; regions.len()],
        Some(RawCoverage::ByRegion(t)) => {
            let missing = regions.iter().find(|r| !t.contains_key(&r.name)).map(|r| r.name.clone());
            let coverage = per_region(c, t, regions, &cov_path, 0.0, Range::Unit)?;
            if let Some(missing) = missing {
                return Err(c.error(
                    &cov_path,
                    format!("no coverage given for region '{missing}'; list every region or give one number"),
                ));
            }
            coverage
        }
    };
    Ok(DeliveryState {
        fee: c.number_or(dl.fee, 0.0, &format!("{path}.fee"), Range::NonNegative)?,
        quality: c.number_or(dl.quality, 0.0, &format!("{path}.quality"), Range::Finite)?,
        coverage,
    })
}

fn events(c: &Checker, raw: Vec<RawEvent>, retailers: &[String], regions: &[String], weeks: u32) -> Result<Vec<Event>> {
    let mut out = Vec::new();
    for (i, e) in raw.into_iter().enumerate() {
        let label = e.name.clone().unwrap_or_else(|| (i + 1).to_string());
        let p = format!("event.{label}");
        let week = c.required(e.week, &format!("{p}.week"))?;
        if week >= weeks {
            let message = format!("week {week} is past the horizon: reported weeks are 0 to {}", weeks - 1);
            return Err(c.error(&format!("{p}.week"), message));
        }
        let retailer_name = c.required(e.retailer, &format!("{p}.retailer"))?;
        let retailer = c.lookup(&retailer_name, retailers, &format!("{p}.retailer"), "retailer")?;
        let acquire = match e.acquire {
            None => None,
            Some(target) => {
                let t = c.lookup(&target, retailers, &format!("{p}.acquire"), "retailer")?;
                if t == retailer {
                    return Err(c.error(&format!("{p}.acquire"), "a retailer cannot acquire itself"));
                }
                Some(t)
            }
        };
        let mut changes = Vec::new();
        for (op, table) in [(Op::Set, e.set), (Op::Scale, e.scale), (Op::Add, e.add)] {
            for (field_path, value) in flatten(table.unwrap_or_default()) {
                let path = format!("{p}.{}.{field_path}", op.key());
                let field = Field::parse(&field_path, regions).map_err(|valid| {
                    let suggestion = nearest(&field_path, valid.iter().map(String::as_str));
                    c.suggest(&path, format!("unknown retailer field '{field_path}'"), suggestion)
                })?;
                let value = match value {
                    toml::Value::Float(f) => f,
                    toml::Value::Integer(n) => n as f64,
                    other => return Err(c.error(&path, format!("got {}, expected a number", other.type_str()))),
                };
                let range = if op == Op::Scale { Range::NonNegative } else { Range::Finite };
                changes.push(Change { field, op, value: c.check(value, &path, range)? });
            }
        }
        if changes.is_empty() && acquire.is_none() {
            return Err(c.error(&p, "the event changes nothing: give set, scale, add or acquire"));
        }
        let rebrand = e.rebrand.unwrap_or(false);
        if rebrand && acquire.is_none() {
            return Err(c.error(&format!("{p}.rebrand"), "rebrand applies to an acquisition: give acquire too"));
        }
        out.push(Event { label, week, retailer, acquire, rebrand, changes });
    }
    Ok(out)
}

/// `{ pickup = { fee = 1 } }` and `{ "pickup.fee" = 1 }` alike become `pickup.fee = 1`.
fn flatten(table: toml::Table) -> Vec<(String, toml::Value)> {
    let mut out = Vec::new();
    for (key, value) in table {
        match value {
            toml::Value::Table(inner) => {
                out.extend(flatten(inner).into_iter().map(|(k, v)| (format!("{key}.{k}"), v)));
            }
            v => out.push((key, v)),
        }
    }
    out
}

/// A retailer with no channel at any point of the scenario could never be chosen: refuse it
/// rather than drop it silently from every table.
fn every_retailer_can_be_chosen(c: &Checker, s: &Scenario) -> Result<()> {
    for (r, retailer) in s.retailers.iter().enumerate() {
        if s.channels_offered(r) == [false; 3] {
            let message = "has no stores, no pickup and no delivery, and no event gives it any: it could never be \
                           chosen; give it stores or an online channel, or remove it";
            return Err(c.error(&format!("retailer.{}", retailer.name), message));
        }
    }
    Ok(())
}

/// Plays the events in order on the initial parameters, refusing any that cannot apply, that
/// push a parameter out of range, or that make a utility overflow (price response only lowers
/// prices above a positive floor). Returns the highest price index any retailer reaches.
fn replay_events(c: &Checker, s: &Scenario) -> Result<f64> {
    let mut states: Vec<RetailerState> = s.retailers.iter().map(|r| r.initial.clone()).collect();
    for (r, st) in states.iter().enumerate() {
        c.limit(limits::check_utilities(s, r, st, &format!("retailer.{}", s.retailers[r].name)))?;
    }
    let mut max_price = states.iter().map(|st| st.price_index).fold(0.0, f64::max);
    // The order of `Scenario::event_schedule`, without a list per week of the horizon.
    let mut order: Vec<usize> = (0..s.events.len()).collect();
    order.sort_by_key(|&i| (s.events[i].week, s.events[i].acquire.is_none(), i));
    for i in order {
        let e = &s.events[i];
        let p = format!("event.{}", e.label);
        let name = &s.retailers[e.retailer].name;
        if !states[e.retailer].active {
            return Err(c.error(
                &format!("{p}.retailer"),
                format!("{name} was folded into another retailer (rebrand) by an earlier event"),
            ));
        }
        if let Some(t) = e.acquire.filter(|&t| !states[t].active) {
            let target = &s.retailers[t].name;
            let why = format!("{target} was already folded into another retailer (rebrand) by an earlier event");
            return Err(c.error(&format!("{p}.acquire"), why));
        }
        super::apply::apply_event(s, e, &mut states).map_err(|why| {
            c.error(
                &p,
                format!(
                    "cannot change {name}: {why}; declare the channel in the retailer (e.g. with stores = 0) first"
                ),
            )
        })?;
        if let Some(problem) = states[e.retailer].out_of_range() {
            return Err(c.error(&p, format!("after this event {name}'s {problem}")));
        }
        c.limit(limits::check_utilities(s, e.retailer, &states[e.retailer], &p))?;
        max_price = max_price.max(states[e.retailer].price_index);
    }
    Ok(max_price)
}

#[cfg(test)]
mod tests {
    use crate::scenario::error::ScenarioError;
    use crate::scenario::{LoadOptions, TEST_SCENARIO, load_str};

    fn refuse(text: &str) -> ScenarioError {
        load_str(text, &LoadOptions::default()).expect_err("the scenario should be refused")
    }

    #[test]
    fn test_scenario_is_valid() {
        let s = load_str(&TEST_SCENARIO.replace("COVERAGE", "0.5"), &LoadOptions::default()).unwrap();
        assert_eq!(s.retailers[0].initial.delivery.as_ref().map(|d| d.coverage.clone()), Some(vec![0.5, 0.5]));
    }

    #[test]
    fn misspelt_coverage_region_is_named_before_the_missing_one() {
        let err = refuse(&TEST_SCENARIO.replace("COVERAGE", "{ urban = 1.0, rual = 0.5 }"));
        let ScenarioError::Invalid { path, suggestion, .. } = &err else { panic!("{err}") };
        assert_eq!(path, "retailer.Shop.delivery.coverage.rual");
        assert_eq!(suggestion.as_deref(), Some("rural"));
        let err = refuse(&TEST_SCENARIO.replace("COVERAGE", "{ urban = 1.0 }"));
        assert!(err.to_string().contains("no coverage given for region 'rural'"), "{err}");
    }

    #[test]
    fn missing_scenario_name_is_the_name_key() {
        let err = refuse(&TEST_SCENARIO.replace("COVERAGE", "0.5").replace("name = \"test\"\n", ""));
        let ScenarioError::Invalid { path, location, .. } = &err else { panic!("{err}") };
        assert_eq!(path, "name");
        assert_eq!(location.as_ref().map(|l| (l.file.as_str(), l.line)), Some(("<string>", None)));
    }
}
