//! Building a [`Plan`] from a scenario file and the overrides a caller gives (flags, `--set`),
//! so the command line and the Python package load runs the same way.

use super::plan::Plan;
use crate::error::Error;
use crate::scenario::{LoadOptions, load_sweep};
use std::path::{Path, PathBuf};

/// Which reference a run compares with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReferenceChoice {
    /// The file the scenario's `reference` key or `extends` names, if any.
    Default,
    /// A named file.
    File(PathBuf),
    /// None.
    Skip,
}

/// What a caller changes in the scenario file.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `simulation.replications`.
    pub replications: Option<u32>,
    /// `simulation.households`.
    pub households: Option<u64>,
    /// `simulation.seed`.
    pub seed: Option<u64>,
    /// `PATH=VALUE` settings (`--set`); `simulation.*` ones apply to the reference too.
    pub set: Vec<String>,
    /// Run the reference on independent random streams instead of common random numbers.
    pub no_crn: bool,
}

impl Overrides {
    /// `simulation.*` overrides from the flags and `set`: they apply to both worlds.
    fn shared(&self) -> Vec<String> {
        let flags =
            [("replications", self.replications.map(u64::from)), ("households", self.households), ("seed", self.seed)];
        let mut out: Vec<String> =
            flags.iter().filter_map(|(key, v)| v.map(|v| format!("simulation.{key}={v}"))).collect();
        out.extend(self.set.iter().filter(|s| is_simulation(s)).cloned());
        out
    }
}

fn is_simulation(setting: &str) -> bool {
    setting.trim_start().starts_with("simulation.")
}

/// Loads the plan of `path` with `overrides`, compared with the reference `choice` names.
pub fn load_plan(path: &Path, choice: ReferenceChoice, overrides: &Overrides) -> Result<Plan, Error> {
    let shared = overrides.shared();
    let mut all = shared.clone();
    all.extend(overrides.set.iter().filter(|s| !is_simulation(s)).cloned());
    let sweep = load_sweep(path, &LoadOptions { overrides: all })?;
    let reference = match choice {
        ReferenceChoice::Default => sweep.reference().map(Path::to_path_buf),
        ReferenceChoice::File(file) => Some(file),
        ReferenceChoice::Skip => None,
    };
    Ok(match reference {
        None => Plan::plain(sweep),
        Some(file) => {
            let reference = load_sweep(&file, &LoadOptions { overrides: shared })?;
            Plan::compared(sweep, reference, !overrides.no_crn)?
        }
    })
}
