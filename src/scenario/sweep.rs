//! `[sweep]` (MODEL.md §9): one scenario document and a design that makes many points of it.
//!
//! A point is a list of `(path, value)` overrides applied to the merged document (after
//! `extends` and `--set`, without its `[sweep]` table) by the machinery of `--set`, then
//! deserialized and validated exactly like a plain scenario. A document without `[sweep]` is a
//! sweep of one point, point 0, that varies nothing. Every point keeps the scenario's seed, so
//! replication r of every point sees the same random streams (common random numbers).

use super::Scenario;
use super::error::ScenarioError;
use super::load::{LoadOptions, Merged, build, hash_document, merge_file, merge_text};
use super::overrides::set_value;
use super::source_map::SourceMap;
use super::sweep_table::{Parameter, read_sweep};
use crate::suggest::nearest;
use crate::sweep::Design;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use toml::{Table, Value};

/// A scenario document and the points a `[sweep]` makes of it.
#[derive(Debug, Clone)]
pub struct Sweep {
    doc: Table,
    sources: SourceMap,
    hash: String,
    parent: Option<PathBuf>,
    reference: Option<PathBuf>,
    table: Option<Value>,
    parameters: Vec<Parameter>,
    design: Design,
    set_paths: Vec<String>,
}

/// Loads the scenario at `path` as a sweep (a plain scenario is a sweep of one point).
pub fn load_sweep(path: &Path, options: &LoadOptions) -> Result<Sweep, ScenarioError> {
    Sweep::new(merge_file(path, options)?)
}

/// Loads a scenario given as text as a sweep (`extends` resolves against the working directory).
pub fn load_sweep_str(text: &str, options: &LoadOptions) -> Result<Sweep, ScenarioError> {
    Sweep::new(merge_text(text, options)?)
}

impl Sweep {
    fn new(merged: Merged) -> Result<Sweep, ScenarioError> {
        let Merged { mut doc, sources, files, parent, reference, set_paths } = merged;
        let mut hash = hash_document(&doc);
        let table = doc.remove("sweep");
        let (parameters, design) = match table.clone() {
            None => (Vec::new(), Design::Single),
            Some(Value::Table(table)) => read_sweep(table, &sources, &files, scenario_seed(&doc))?,
            Some(other) => {
                return Err(ScenarioError::Invalid {
                    location: sources.locate("sweep"),
                    path: "sweep".into(),
                    message: format!("invalid type: {}, expected a table", other.type_str()),
                    suggestion: None,
                });
            }
        };
        if let Design::Table(points) = &design {
            // The points live in a file: a different file is a different sweep.
            let digest = Sha256::digest(format!("{hash} {}", points.digest()));
            hash = digest.iter().map(|b| format!("{b:02x}")).collect();
        }
        Ok(Sweep { doc, sources, hash, parent, reference, table, parameters, design, set_paths })
    }

    /// The scenario to compare with by default: the file named by the top-level `reference`
    /// key, else the file the scenario `extends`, if any.
    pub fn reference(&self) -> Option<&Path> {
        self.reference.as_deref().or(self.parent.as_deref())
    }

    /// The resolved document as TOML: `extends` merged, `--set` applied, the `[simulation]`
    /// keys written out as `simulation` has them, the `[sweep]` table kept, and `reference`
    /// naming `reference_file` (or absent). Running it reproduces this scenario's results.
    pub fn resolved_toml(&self, simulation: &super::Simulation, reference_file: Option<&str>) -> String {
        let mut doc = self.doc.clone();
        doc.remove("extends");
        doc.remove("reference");
        if let Some(file) = reference_file {
            doc.insert("reference".into(), Value::String(file.into()));
        }
        let as_int = |x: u64| Value::Integer(i64::try_from(x).unwrap_or(i64::MAX));
        let mut sim = toml::Table::new();
        sim.insert("weeks".into(), as_int(simulation.weeks.into()));
        sim.insert("warmup_weeks".into(), as_int(simulation.warmup_weeks.into()));
        sim.insert("replications".into(), as_int(simulation.replications.into()));
        sim.insert("seed".into(), as_int(simulation.seed));
        sim.insert("households".into(), as_int(simulation.households));
        doc.insert("simulation".into(), Value::Table(sim));
        if let Some(table) = &self.table {
            doc.insert("sweep".into(), table.clone());
        }
        let header = "# The resolved scenario of this results folder, written by cartshift: `extends` merged,\n\
                      # --set applied, defaults written out. `cartshift run scenario.toml` reproduces its results.\n";
        format!("{header}{}", toml::to_string(&doc).expect("a TOML table serializes"))
    }

    /// True when the document has a `[sweep]` table.
    pub fn is_sweep(&self) -> bool {
        !matches!(self.design, Design::Single)
    }

    /// How many points.
    pub fn points(&self) -> usize {
        self.design.points()
    }

    /// The design.
    pub fn design(&self) -> &Design {
        &self.design
    }

    /// The swept paths, in declaration (and column) order.
    pub fn parameters(&self) -> Vec<String> {
        self.parameters.iter().map(|p| p.path.clone()).collect()
    }

    /// SHA-256 of the merged document with its `[sweep]` table: the sweep's identity. For a
    /// plain scenario it is the scenario's own hash.
    pub fn hash(&self) -> &str {
        &self.hash
    }

    /// The file the scenario `extends`, if any.
    pub fn parent(&self) -> Option<&Path> {
        self.parent.as_deref()
    }

    /// The swept values at `point` that apply to the reference's world too
    /// (`applies_to = "both"`), as `(path, value)`.
    pub fn shared_values(&self, point: usize) -> Vec<(String, Value)> {
        let values = self.values(point);
        self.parameters.iter().zip(values).filter(|(p, _)| p.both).map(|(p, v)| (p.path.clone(), v)).collect()
    }

    /// The scenario of point 0 with `values` set on top (a reference given a point's shared
    /// values). An error names the path.
    pub fn scenario_with(&self, values: &[(String, Value)]) -> Result<Scenario, ScenarioError> {
        let mut doc = self.doc.clone();
        for (path, v) in values {
            set_value(&mut doc, path, v.clone()).map_err(|e| match e {
                ScenarioError::Invalid { location, path, message, suggestion } => ScenarioError::Invalid {
                    location,
                    path: path.clone(),
                    message: format!("{message} (a value the sweep shares with the reference, which lacks it)"),
                    suggestion,
                },
                other => other,
            })?;
        }
        let mut scenario = build(&doc, &self.sources, &self.set_paths)?;
        scenario.parent = self.parent.clone();
        Ok(scenario)
    }

    /// Each swept path's value at `point` (< [`Sweep::points`]).
    pub fn values(&self, point: usize) -> Vec<Value> {
        self.design.values(point)
    }

    /// The runnable scenario of `point` (< [`Sweep::points`]). An error names the point and its
    /// values, and points at the sweep's parameter when the problem is the swept value.
    pub fn scenario(&self, point: usize) -> Result<Scenario, ScenarioError> {
        let values = self.values(point);
        let mut doc = self.doc.clone();
        for (p, v) in self.parameters.iter().zip(&values) {
            set_value(&mut doc, &p.path, v.clone()).map_err(|e| self.point_error(e, point, &values))?;
        }
        let built = build(&doc, &self.sources, &self.set_paths);
        let mut scenario = built.map_err(|e| self.point_error(e, point, &values))?;
        scenario.parent = self.parent.clone();
        Ok(scenario)
    }

    /// Validates every point in order, handing each scenario to `each`; stops at the first error.
    pub fn check(&self, mut each: impl FnMut(usize, &Scenario)) -> Result<(), ScenarioError> {
        for point in 0..self.points() {
            each(point, &self.scenario(point)?);
        }
        Ok(())
    }

    /// Points an error at the swept parameter it concerns, suggests a whole path for a
    /// misspelt one, and says which point it is.
    fn point_error(&self, err: ScenarioError, point: usize, values: &[Value]) -> ScenarioError {
        let ScenarioError::Invalid { location, path, message, suggestion } = err else { return err };
        if !self.is_sweep() {
            return ScenarioError::Invalid { location, path, message, suggestion };
        }
        let related = |p: &&Parameter| {
            p.path == path || p.path.starts_with(&format!("{path}.")) || path.starts_with(&format!("{}.", p.path))
        };
        let swept = self.parameters.iter().enumerate().find(|(_, p)| related(p));
        let assignments: Vec<String> =
            self.parameters.iter().zip(values).map(|(p, v)| format!("{} = {}", p.path, parameter_text(v))).collect();
        let message = format!("{message} (sweep point {point}: {})", assignments.join(", "));
        match swept {
            None => ScenarioError::Invalid { location, path, message, suggestion },
            Some((column, p)) => {
                let suggestion = suggestion.map(|s| whole_path(&p.path, &s));
                let location = match &self.design {
                    Design::Table(points) => Some(points.cell(point, column)),
                    _ => p.location.clone(),
                };
                ScenarioError::Invalid { location, path: p.path.clone(), message, suggestion }
            }
        }
    }
}

/// The merged document's `simulation.seed` (or its default): the default seed of the designs
/// made for sensitivity analysis.
fn scenario_seed(doc: &Table) -> u64 {
    let seed = doc.get("simulation").and_then(|s| s.get("seed")).and_then(Value::as_integer);
    seed.and_then(|s| u64::try_from(s).ok()).unwrap_or(super::DEFAULT_SIMULATION.seed)
}

/// `retailer.Krogr.price_index` with suggestion `Kroger` → `retailer.Kroger.price_index`: the
/// suggestion replaces the path's key nearest to it.
fn whole_path(path: &str, suggestion: &str) -> String {
    let keys: Vec<&str> = path.split('.').collect();
    match nearest(suggestion, keys.iter().copied()) {
        Some(wrong) => keys.iter().map(|k| if *k == wrong { suggestion } else { k }).collect::<Vec<_>>().join("."),
        None => suggestion.to_string(),
    }
}

/// A swept value as TOML writes it (floats in shortest round-trip form, always with a decimal
/// point or an exponent: `2.0`, `0.97`, `1e-7`), except that a string is its bare text.
pub fn parameter_text(value: &toml::Value) -> String {
    match value {
        toml::Value::Float(f) if f.is_nan() => "nan".into(),
        toml::Value::Float(f) => format!("{f:?}"),
        toml::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::TEST_SCENARIO;

    fn sweep(table: &str) -> Result<Sweep, ScenarioError> {
        load_sweep_str(&(TEST_SCENARIO.replace("COVERAGE", "0.5") + table), &LoadOptions::default())
    }

    fn refused(table: &str) -> (String, String) {
        let err = sweep(table).and_then(|s| s.check(|_, _| {})).expect_err("the sweep should be refused");
        let ScenarioError::Invalid { path, .. } = &err else { panic!("{err}") };
        (path.clone(), err.to_string())
    }

    const GRID: &str = "[sweep]\n[[sweep.parameter]]\npath = \"retailer.Shop.price_index\"\nvalues = [0.9, 1.1]\n\
                        [[sweep.parameter]]\npath = \"dynamics.loyalty_weight\"\nfrom = 1\nto = 3\nsteps = 3\n";

    #[test]
    fn a_grid_sets_every_combination() {
        let s = sweep(GRID).unwrap();
        assert_eq!(s.points(), 6);
        assert_eq!(s.parameters(), ["retailer.Shop.price_index", "dynamics.loyalty_weight"]);
        let p4 = s.scenario(4).unwrap();
        assert_eq!((p4.retailers[0].initial.price_index, p4.dynamics.loyalty_weight), (1.1, 2.0));
        assert_ne!(s.hash(), p4.hash, "the sweep's hash covers its [sweep] table");
    }

    #[test]
    fn a_plain_scenario_is_one_point_with_its_own_hash() {
        let s = sweep("").unwrap();
        assert!(!s.is_sweep());
        assert_eq!(s.points(), 1);
        assert_eq!(s.hash(), s.scenario(0).unwrap().hash);
    }

    #[test]
    fn misspelt_paths_get_a_whole_path_suggestion() {
        let (path, text) = refused("[sweep]\n[[sweep.parameter]]\npath = \"retailer.Shop.qualty\"\nvalues = [1]\n");
        assert_eq!(path, "retailer.Shop.qualty");
        assert!(text.contains("did you mean 'retailer.Shop.quality'"), "{text}");
        assert!(text.starts_with("<string>:"), "points into the file: {text}");
        let (_, text) = refused("[sweep]\n[[sweep.parameter]]\npath = \"retailer.Shopp.quality\"\nvalues = [1]\n");
        assert!(text.contains("did you mean 'retailer.Shop.quality'"), "{text}");
        let (_, text) = refused("[sweep]\n[[sweep.parameter]]\npath = \"dynamic.loyalty_weight\"\nvalues = [1]\n");
        assert!(text.contains("did you mean 'dynamics.loyalty_weight'"), "{text}");
    }

    #[test]
    fn a_bad_value_names_its_point() {
        let (path, text) =
            refused("[sweep]\n[[sweep.parameter]]\npath = \"retailer.Shop.price_index\"\nvalues = [1.0, -1.0]\n");
        assert_eq!(path, "retailer.Shop.price_index");
        assert!(text.contains("sweep point 1: retailer.Shop.price_index = -1.0"), "{text}");
    }

    #[test]
    fn bad_tables_are_refused_at_the_key() {
        let param = |body: &str| format!("[sweep]\n[[sweep.parameter]]\npath = \"dynamics.loyalty_weight\"\n{body}\n");
        let cases = [
            (param("from = 1\nto = 2\nsteps = 0"), "steps = 0"),
            (param("values = []"), "values = [] is empty"),
            (param("valeus = [1]"), "did you mean 'values'"),
            (param("range = [1, 2]"), "range is for random"),
            (param("from = 1\nto = 1\nsteps = 3"), "empty range"),
            (
                "[sweep]\ndesign = \"latin_hypercube\"\nsamples = 4\n".to_string() + &param("range = [2.0, 2.0]")[8..],
                "empty range",
            ),
            ("[sweep]\ndesign = \"random\"\n".to_string() + &param("range = [1, 2]")[8..], "needs samples"),
            ("[sweep]\ndesign = \"lhs\"\n".to_string() + &param("values = [1]")[8..], "unknown design"),
        ];
        for (table, expected) in cases {
            let (_, text) = refused(&table);
            assert!(text.contains(expected), "{table}\n--> {text}");
        }
    }

    #[test]
    fn zip_lists_must_match() {
        let table = "[sweep]\ndesign = \"zip\"\n[[sweep.parameter]]\npath = \"dynamics.loyalty_weight\"\nvalues = [1, 2]\n\
                     [[sweep.parameter]]\npath = \"retailer.Shop.quality\"\nvalues = [1, 2, 3]\n";
        let (path, text) = refused(table);
        assert_eq!(path, "retailer.Shop.quality");
        let whole = TEST_SCENARIO.replace("COVERAGE", "0.5") + table;
        let line = whole.lines().position(|l| l.contains("retailer.Shop.quality")).unwrap();
        assert!(text.contains("same length") && text.contains(&format!("<string>:{line}:1:")), "{text}");
    }
}
