//! The `[sweep]` settings of the designs made for sensitivity analysis (`sobol`, `morris`) and
//! of the `table` design, read and checked at the key that is wrong, like the other designs'.

use super::error::{Location, ScenarioError};
use super::sweep_table::{FIXED, Parameter, Places, RawSweep, invalid, ranges};
use crate::sweep::morris::delta;
use crate::sweep::sobol::{MAX_SOBOL_PARAMETERS, MAX_SOBOL_SAMPLES};
use crate::sweep::{Design, Interval, MAX_POINTS, Morris, PointTable, Sobol};
use std::path::{Path, PathBuf};

type Result<T> = std::result::Result<T, ScenarioError>;

/// The design settings `[sweep]` may hold, and which designs take each.
const SETTINGS: [(&str, &[&str]); 6] = [
    ("samples", &["random", "latin_hypercube", "sobol"]),
    ("seed", &["random", "latin_hypercube", "sobol", "morris"]),
    ("second_order", &["sobol"]),
    ("trajectories", &["morris"]),
    ("levels", &["morris"]),
    ("file", &["table"]),
];

/// Refuses a setting the design does not take, naming the settings it does take.
pub(super) fn check_keys(design: &str, raw: &RawSweep, places: &Places) -> Result<()> {
    let given = [
        raw.samples.is_some(),
        raw.seed.is_some(),
        raw.second_order.is_some(),
        raw.trajectories.is_some(),
        raw.levels.is_some(),
        raw.file.is_some(),
    ];
    for ((key, designs), given) in SETTINGS.iter().zip(given) {
        if given && !designs.contains(&design) {
            let takes: Vec<&str> = SETTINGS.iter().filter(|(_, d)| d.contains(&design)).map(|(k, _)| *k).collect();
            let takes = if takes.is_empty() { "no settings besides its parameters".into() } else { takes.join(", ") };
            let message = format!("{key} is for {} designs; a {design} design takes {takes}", designs.join(", "));
            return Err(invalid(places.top(key), &format!("sweep.{key}"), message, None));
        }
    }
    Ok(())
}

/// `sobol` (`samples`, `second_order`) or `morris` (`trajectories`, `levels`) over the ranges;
/// the design seed defaults to the scenario's seed.
pub(super) fn sensitivity(
    design: &str,
    raw: &RawSweep,
    parameters: &[Parameter],
    places: &Places,
    scenario_seed: u64,
) -> Result<Design> {
    let ranges = ranges(design, raw, parameters, places)?;
    let seed = raw.seed.unwrap_or(scenario_seed);
    if design == "sobol" {
        let samples = count(
            raw.samples,
            "samples",
            1,
            MAX_SOBOL_SAMPLES as u64,
            places,
            "a sobol design needs samples = N (base points; a power of 2 is best)",
        )?;
        if parameters.len() > MAX_SOBOL_PARAMETERS {
            let message =
                format!("a sobol design takes at most {MAX_SOBOL_PARAMETERS} parameters, not {}", parameters.len());
            return Err(invalid(places.top(""), "sweep.parameter", message, None));
        }
        return Ok(Design::Sobol(Sobol::new(ranges, samples, raw.second_order.unwrap_or(false), seed)));
    }
    let most = MAX_POINTS / (parameters.len() as u64 + 1);
    let trajectories = count(
        raw.trajectories,
        "trajectories",
        2,
        most,
        places,
        "a morris design needs trajectories = r (at least 2)",
    )?;
    let levels = count(raw.levels.or(Some(4)), "levels", 2, 1000, places, "")? as u32;
    if levels % 2 == 1 {
        let message = format!("levels = {levels}: expected an even number (the step is levels / (2 (levels - 1)))");
        return Err(invalid(places.top("levels"), "sweep.levels", message, None));
    }
    for (i, (range, p)) in ranges.iter().zip(parameters).enumerate() {
        if let Interval::Integer { low, high } = *range
            && ((high - low) as f64) < f64::from(levels - 1)
        {
            {
                let message = format!(
                    "[sweep] range = [{low}, {high}] has fewer than levels = {levels} integers; \
                     widen it or write float bounds"
                );
                return Err(invalid(places.param(i, "range"), &p.path, message, None));
            }
        }
    }
    debug_assert!(delta(levels) > 0.5);
    Ok(Design::Morris(Morris::new(ranges, trajectories, levels, seed)))
}

/// A whole-number setting between `low` and `high`; `missing` when it is absent.
fn count(value: Option<u64>, key: &str, low: u64, high: u64, places: &Places, missing: &str) -> Result<usize> {
    match value {
        None => Err(invalid(places.top(""), &format!("sweep.{key}"), missing.to_string(), None)),
        Some(n) if n < low || n > high => {
            let message = format!("{key} = {n}: expected {low} to {high}");
            Err(invalid(places.top(key), &format!("sweep.{key}"), message, None))
        }
        Some(n) => Ok(n as usize),
    }
}

/// `table`: the points of `file`, a CSV beside the scenario file that names it.
pub(super) fn table(raw: &RawSweep, places: &Places) -> Result<(Vec<Parameter>, Design)> {
    if !raw.parameter.is_empty() {
        let message = "a table design takes its swept paths from the header of its file; \
                       remove the [[sweep.parameter]] tables";
        return Err(invalid(places.top("parameter"), "sweep.parameter", message.into(), None));
    }
    let Some(file) = &raw.file else {
        let message = "a table design needs file = \"points.csv\" (one column per swept path, one row per point)";
        return Err(invalid(places.top(""), "sweep.file", message.into(), None));
    };
    let at_key = places.top("file");
    let path = beside(at_key.as_ref(), file);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        let message = format!("cannot read {}: {e}", path.display());
        invalid(at_key.clone(), "sweep.file", message, None)
    })?;
    let display = path.display().to_string();
    let points = PointTable::parse(&display, &text).map_err(|e| {
        let message =
            format!("[sweep] {}{}", e.column.as_ref().map(|c| format!("column {c}: ")).unwrap_or_default(), e.message);
        invalid(Some(e.location), e.column.as_deref().unwrap_or("sweep.file"), message, None)
    })?;
    let mut parameters: Vec<Parameter> = Vec::new();
    for (c, path) in points.paths().iter().enumerate() {
        let location = Location { file: display.clone(), line: Some(1), column: Some(c as u32 + 1) };
        let problem = if path.split('.').any(str::is_empty) {
            Some("[sweep] the header must name dotted paths such as retailer.Kroger.price_index")
        } else if FIXED.contains(&path.split('.').next().unwrap_or_default()) {
            Some("[sweep] this key cannot be swept")
        } else if parameters.iter().any(|q| &q.path == path) {
            Some("[sweep] the path is swept twice")
        } else {
            None
        };
        if let Some(message) = problem {
            return Err(invalid(Some(location), path, message.into(), None));
        }
        parameters.push(Parameter { path: path.clone(), location: Some(location), both: false });
    }
    Ok((parameters, Design::Table(points)))
}

/// `file` resolved against the folder of the scenario file that names it (the working
/// directory for a scenario given as text).
fn beside(named_in: Option<&Location>, file: &str) -> PathBuf {
    match named_in {
        Some(l) if !l.file.starts_with('<') && !l.file.starts_with("--") => {
            Path::new(&l.file).parent().unwrap_or(Path::new("")).join(file)
        }
        _ => PathBuf::from(file),
    }
}
