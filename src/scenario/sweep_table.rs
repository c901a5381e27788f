//! Reading a `[sweep]` table: its design, `samples` and `seed`, and its `[[sweep.parameter]]`s.
//!
//! ```toml
//! [sweep]
//! design = "grid"          # grid (default), zip, random, latin_hypercube, sobol, morris or table
//! [[sweep.parameter]]
//! path = "retailer.Kroger.checkout_wait_min"
//! values = [5.0, 4.0, 3.0]  # or from = 5.0, to = 2.0, steps = 4; random designs: range = [2.0, 5.0]
//! ```
//!
//! Every problem is reported at the key that causes it, naming the swept path.

use super::error::{Location, ScenarioError};
use super::source_map::{LineIndex, SourceMap};
use super::sweep_designs as designs;
use crate::suggest::nearest;
use crate::sweep::grid::linspace;
use crate::sweep::{Design, Grid, Interval, LatinHypercube, MAX_POINTS, Random, Zip};
use serde::Deserialize;
use std::collections::HashMap;
use toml::de::{DeTable, DeValue};
use toml::{Table, Value};

type Result<T> = std::result::Result<T, ScenarioError>;

/// The designs `design = …` accepts.
const DESIGNS: [&str; 7] = ["grid", "zip", "random", "latin_hypercube", "sobol", "morris", "table"];
/// Top-level keys a sweep may not vary.
pub(super) const FIXED: [&str; 3] = ["sweep", "name", "extends"];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSweep {
    design: Option<String>,
    pub(super) samples: Option<u64>,
    pub(super) seed: Option<u64>,
    pub(super) second_order: Option<bool>,
    pub(super) trajectories: Option<u64>,
    pub(super) levels: Option<u64>,
    pub(super) file: Option<String>,
    /// Default for every parameter: `"scenario"` (only the scenario's world) or `"both"`.
    applies_to: Option<String>,
    #[serde(default)]
    pub(super) parameter: Vec<RawParameter>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawParameter {
    path: Option<String>,
    values: Option<Vec<Value>>,
    from: Option<Value>,
    to: Option<Value>,
    steps: Option<u64>,
    range: Option<Vec<Value>>,
    applies_to: Option<String>,
}

/// One swept path and where the sweep names it.
#[derive(Debug, Clone)]
pub(crate) struct Parameter {
    pub(crate) path: String,
    pub(crate) location: Option<Location>,
    /// True when the value applies to the reference's world too (`applies_to = "both"`): a
    /// shared assumption rather than the scenario's change.
    pub(crate) both: bool,
}

/// Reads a `[sweep]` table; `files` are the scenario's files, child first, for error locations;
/// `scenario_seed` seeds the sobol and morris designs when the table gives no `seed`.
pub(crate) fn read_sweep(
    table: Table,
    sources: &SourceMap,
    files: &[(String, String)],
    scenario_seed: u64,
) -> Result<(Vec<Parameter>, Design)> {
    let places = Places::new(sources, files);
    let names = parameter_paths(&table);
    let raw: RawSweep = serde_path_to_error::deserialize(Value::Table(table))
        .map_err(|err| shape_error(&places, &names, err.path(), err.inner().message()))?;
    let design = raw.design.as_deref().unwrap_or("grid");
    if !DESIGNS.contains(&design) {
        let suggestion = nearest(design, DESIGNS);
        let message = format!("unknown design '{design}', expected {}", DESIGNS.join(", "));
        return Err(invalid(places.top("design"), "sweep.design", message, suggestion));
    }
    designs::check_keys(design, &raw, &places)?;
    let both = applies_to_both(raw.applies_to.as_deref(), false, places.top("applies_to"), "sweep.applies_to")?;
    if design == "table" {
        let (mut parameters, design) = designs::table(&raw, &places)?;
        parameters.iter_mut().for_each(|p| p.both = both);
        return Ok((parameters, design));
    }
    if raw.parameter.is_empty() {
        let message = "the sweep varies nothing: add [[sweep.parameter]] tables with a path and its values";
        return Err(invalid(places.top(""), "sweep", message.into(), None));
    }
    let mut parameters = parameters(&raw.parameter, &places)?;
    for (i, (p, r)) in parameters.iter_mut().zip(&raw.parameter).enumerate() {
        let path = format!("{}.applies_to", p.path);
        p.both = applies_to_both(r.applies_to.as_deref(), both, places.param(i, "applies_to"), &path)?;
    }
    let design = match design {
        "grid" | "zip" => listed(design, &raw, &parameters, &places)?,
        "sobol" | "morris" => designs::sensitivity(design, &raw, &parameters, &places, scenario_seed)?,
        _ => sampled(design, &raw, &parameters, &places)?,
    };
    Ok((parameters, design))
}

/// Each parameter's path, checked: present, well formed, not fixed, not twice.
fn parameters(raw: &[RawParameter], places: &Places) -> Result<Vec<Parameter>> {
    let mut out: Vec<Parameter> = Vec::new();
    for (i, p) in raw.iter().enumerate() {
        let location = places.param(i, "path");
        let Some(path) = p.path.clone() else {
            let message = format!("[[sweep.parameter]] number {} has no path", i + 1);
            return Err(invalid(places.param(i, ""), "sweep.parameter", message, None));
        };
        let problem = if path.split('.').any(str::is_empty) {
            Some("[sweep] expected a dotted path such as retailer.Kroger.price_index".to_string())
        } else if FIXED.contains(&path.split('.').next().unwrap_or_default()) {
            Some("[sweep] this key cannot be swept".to_string())
        } else if out.iter().any(|q| q.path == path) {
            Some("[sweep] the path is swept twice".to_string())
        } else {
            None
        };
        if let Some(message) = problem {
            return Err(invalid(location, &path, message, None));
        }
        out.push(Parameter { path, location, both: false });
    }
    Ok(out)
}

/// `applies_to`: `"scenario"` (the default) or `"both"` worlds of a comparison.
fn applies_to_both(value: Option<&str>, default: bool, location: Option<Location>, path: &str) -> Result<bool> {
    match value {
        None => Ok(default),
        Some("scenario") => Ok(false),
        Some("both") => Ok(true),
        Some(other) => {
            let message = format!("applies_to = '{other}', expected \"scenario\" or \"both\"");
            Err(invalid(location, path, message, nearest(other, ["scenario", "both"])))
        }
    }
}

/// `grid` and `zip`: a list of values per parameter.
fn listed(design: &str, raw: &RawSweep, parameters: &[Parameter], places: &Places) -> Result<Design> {
    for (key, given) in [("samples", raw.samples.is_some()), ("seed", raw.seed.is_some())] {
        if given {
            let message = format!("{key} is for random and latin_hypercube designs, not {design}");
            return Err(invalid(places.top(key), &format!("sweep.{key}"), message, None));
        }
    }
    let mut lists = Vec::with_capacity(parameters.len());
    for (i, (p, param)) in raw.parameter.iter().zip(parameters).enumerate() {
        let values = values_of(p, design, i, &param.path, places)?;
        if design == "zip" && !lists.is_empty() {
            let (first, n): (&Vec<Value>, usize) = (&lists[0], values.len());
            if first.len() != n {
                let message = format!(
                    "[sweep] zip lists must have the same length: this one has {n} values, {} has {}",
                    parameters[0].path,
                    first.len()
                );
                return Err(invalid(places.param(i, ""), &param.path, message, None));
            }
        }
        lists.push(values);
    }
    if design == "zip" {
        return Ok(Design::Zip(Zip::new(lists).expect("lengths checked above")));
    }
    Grid::new(lists)
        .map(Design::Grid)
        .ok_or_else(|| invalid(places.top(""), "sweep", format!("the grid has more than {MAX_POINTS} points"), None))
}

/// A parameter's values in a grid or zip: `values`, or `from`, `to` and `steps`.
fn values_of(p: &RawParameter, design: &str, i: usize, path: &str, places: &Places) -> Result<Vec<Value>> {
    let fail =
        |key: &str, message: String| Err(invalid(places.param(i, key), path, format!("[sweep] {message}"), None));
    if p.range.is_some() {
        return fail(
            "range",
            format!("range is for random and latin_hypercube designs; a {design} takes values or from/to/steps"),
        );
    }
    let stepped = p.from.is_some() || p.to.is_some() || p.steps.is_some();
    match (&p.values, stepped) {
        (Some(_), true) => fail("values", "give values or from/to/steps, not both".into()),
        (Some(values), false) if values.is_empty() => {
            fail("values", "values = [] is empty: give at least one value".into())
        }
        (Some(values), false) => Ok(values.clone()),
        (None, false) => fail("", "give values = [...] or from, to and steps".into()),
        (None, true) => {
            let (Some(from), Some(to), Some(steps)) = (&p.from, &p.to, p.steps) else {
                return fail("", "from, to and steps go together: give all three".into());
            };
            for (key, v) in [("from", from), ("to", to)] {
                if !finite_number(v) {
                    return fail(key, format!("{key} = {v}: expected a finite number"));
                }
            }
            if steps < 2 {
                return fail(
                    "steps",
                    format!("steps = {steps}: expected at least 2 (for one value, write values = [x])"),
                );
            }
            if steps > MAX_POINTS {
                return fail("steps", format!("steps = {steps}: expected at most {MAX_POINTS}"));
            }
            if number(from) == number(to) {
                return fail("to", format!("empty range: from = to = {from}; for one value, write values = [{from}]"));
            }
            Ok(linspace(from, to, steps as u32))
        }
    }
}

/// `random` and `latin_hypercube`: `samples` points in each parameter's `range`.
fn sampled(design: &str, raw: &RawSweep, parameters: &[Parameter], places: &Places) -> Result<Design> {
    let samples = match raw.samples {
        None => {
            return Err(invalid(places.top(""), "sweep.samples", format!("a {design} design needs samples = N"), None));
        }
        Some(n) if n == 0 || n > MAX_POINTS => {
            let message = format!("samples = {n}: expected 1 to {MAX_POINTS}");
            return Err(invalid(places.top("samples"), "sweep.samples", message, None));
        }
        Some(n) => n as usize,
    };
    let ranges = ranges(design, raw, parameters, places)?;
    let seed = raw.seed.unwrap_or(0);
    Ok(match design {
        "random" => Design::Random(Random::new(ranges, samples, seed)),
        _ => Design::LatinHypercube(LatinHypercube::new(ranges, samples, seed)),
    })
}

/// Each parameter's `range = [low, high]`, for the designs that sample ranges.
pub(super) fn ranges(design: &str, raw: &RawSweep, parameters: &[Parameter], places: &Places) -> Result<Vec<Interval>> {
    let mut ranges = Vec::with_capacity(parameters.len());
    for (i, (p, param)) in raw.parameter.iter().zip(parameters).enumerate() {
        let fail =
            |key: &str, message: String| invalid(places.param(i, key), &param.path, format!("[sweep] {message}"), None);
        if let Some(key) = [
            ("values", p.values.is_some()),
            ("from", p.from.is_some()),
            ("to", p.to.is_some()),
            ("steps", p.steps.is_some()),
        ]
        .iter()
        .find_map(|(k, given)| given.then_some(*k))
        {
            return Err(fail(key, format!("a {design} design takes range = [low, high], not {key}")));
        }
        let range = p.range.as_ref().ok_or_else(|| fail("", format!("a {design} design needs range = [low, high]")))?;
        ranges.push(interval(range).map_err(|message| fail("range", message))?);
    }
    Ok(ranges)
}

/// `[low, high]` with low < high; integers if both bounds are.
fn interval(range: &[Value]) -> std::result::Result<Interval, String> {
    let text = Value::Array(range.to_vec()).to_string();
    let [low, high] = range else {
        return Err(format!("range = {text}: expected two numbers [low, high]"));
    };
    if !finite_number(low) || !finite_number(high) {
        return Err(format!("range = {text}: expected two finite numbers [low, high]"));
    }
    if number(low) >= number(high) {
        return Err(format!("empty range {text}: expected low < high"));
    }
    Ok(match (low, high) {
        (Value::Integer(low), Value::Integer(high)) => Interval::Integer { low: *low, high: *high },
        _ => Interval::Float { low: number(low), high: number(high) },
    })
}

fn finite_number(v: &Value) -> bool {
    matches!(v, Value::Integer(_)) || matches!(v, Value::Float(f) if f.is_finite())
}

fn number(v: &Value) -> f64 {
    match v {
        Value::Integer(i) => *i as f64,
        Value::Float(f) => *f,
        _ => f64::NAN,
    }
}

pub(super) fn invalid(
    location: Option<Location>,
    path: &str,
    message: String,
    suggestion: Option<String>,
) -> ScenarioError {
    ScenarioError::Invalid { location, path: path.to_string(), message, suggestion }
}

/// The `path` of each `[[sweep.parameter]]`, read before deserializing so errors can name it.
fn parameter_paths(table: &Table) -> Vec<Option<String>> {
    let items = table.get("parameter").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    items.iter().map(|p| p.get("path").and_then(Value::as_str).map(str::to_string)).collect()
}

/// An unknown key or a wrong type inside `[sweep]`, at the key, with a suggestion.
fn shape_error(
    places: &Places,
    names: &[Option<String>],
    path: &serde_path_to_error::Path,
    message: &str,
) -> ScenarioError {
    use serde_path_to_error::Segment;
    let message = message.trim().to_string();
    let quoted: Vec<&str> = message.split('`').skip(1).step_by(2).collect();
    let unknown = message.starts_with("unknown field").then(|| quoted.first().copied()).flatten();
    let suggestion = unknown.and_then(|wrong| nearest(wrong, quoted[1..].iter().copied()));
    let segments: Vec<&Segment> = path.iter().collect();
    let key = |s: Option<&&Segment>| match s {
        Some(Segment::Map { key }) => Some(key.clone()),
        _ => None,
    };
    match (segments.first(), segments.get(1)) {
        (Some(Segment::Map { key: array }), Some(Segment::Seq { index })) if array == "parameter" => {
            let field = key(segments.get(2)).or(unknown.map(str::to_string)).unwrap_or_default();
            let swept = names.get(*index).cloned().flatten().unwrap_or_else(|| "sweep.parameter".into());
            let message = format!("[sweep] {field}: {message}");
            invalid(places.param(*index, &field), &swept, message, suggestion)
        }
        (first, _) => {
            let field = key(first).or(unknown.map(str::to_string)).unwrap_or_default();
            invalid(places.top(&field), &format!("sweep.{field}"), message, suggestion)
        }
    }
}

/// Where the keys of `[sweep]` and of each `[[sweep.parameter]]` are written.
pub(super) struct Places<'a> {
    sources: &'a SourceMap,
    /// Per parameter: key → location, `""` → the parameter's table.
    params: Vec<HashMap<String, Location>>,
}

impl<'a> Places<'a> {
    /// The parameters are those of the child-most file that writes `[[sweep.parameter]]`:
    /// merging replaces the whole array.
    fn new(sources: &'a SourceMap, files: &[(String, String)]) -> Places<'a> {
        let params = files.iter().find_map(|(display, text)| parameters_in(display, text)).unwrap_or_default();
        Places { sources, params }
    }

    pub(super) fn top(&self, key: &str) -> Option<Location> {
        self.sources.locate(&if key.is_empty() { "sweep".to_string() } else { format!("sweep.{key}") })
    }

    pub(super) fn param(&self, index: usize, key: &str) -> Option<Location> {
        let places = self.params.get(index);
        places.and_then(|p| p.get(key).or_else(|| p.get(""))).cloned().or_else(|| self.top("parameter"))
    }
}

fn parameters_in(display: &str, text: &str) -> Option<Vec<HashMap<String, Location>>> {
    let root = DeTable::parse(text).ok()?;
    let lines = LineIndex::new(text);
    let sweep = find(root.get_ref(), "sweep")?;
    let DeValue::Table(sweep) = sweep.get_ref() else { return None };
    let array = find(sweep, "parameter")?;
    let DeValue::Array(items) = array.get_ref() else { return None };
    let mut out = Vec::new();
    for item in items.iter() {
        let mut places = HashMap::new();
        places.insert(String::new(), lines.location(display, item.span().start));
        if let DeValue::Table(t) = item.get_ref() {
            for (k, _) in t.iter() {
                places.insert(k.get_ref().to_string(), lines.location(display, k.span().start));
            }
        }
        out.push(places);
    }
    Some(out)
}

fn find<'t, 'i>(table: &'t DeTable<'i>, name: &str) -> Option<&'t toml::Spanned<DeValue<'i>>> {
    table.iter().find(|(k, _)| k.get_ref() == name).map(|(_, v)| v)
}
