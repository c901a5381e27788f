//! `cartshift._native`: the library's one run pipeline called from Python (the GIL released
//! while simulating, Ctrl-C checked every [`pipeline::pool::CANCEL_POLL`], so it stops even a
//! single long point within about a simulated week), and the `cartshift` command itself, whose
//! modules are compiled in from the binary's sources so the wheel needs no separate executable.

#[path = "../../src/bin/cartshift/app.rs"]
mod app;
#[path = "../../src/bin/cartshift/bench.rs"]
mod bench;
#[path = "../../src/bin/cartshift/calibrate.rs"]
mod calibrate;
#[path = "../../src/bin/cartshift/cli.rs"]
mod cli;
#[path = "../../src/bin/cartshift/error.rs"]
mod error;
#[path = "../../src/bin/cartshift/faults.rs"]
mod faults;
#[path = "../../src/bin/cartshift/interrupt.rs"]
mod interrupt;
#[path = "../../src/bin/cartshift/memory/mod.rs"]
mod memory;
#[path = "../../src/bin/cartshift/merge.rs"]
mod merge;
#[path = "../../src/bin/cartshift/progress.rs"]
mod progress;
#[path = "../../src/bin/cartshift/report.rs"]
mod report;
#[path = "../../src/bin/cartshift/run.rs"]
mod run;
#[path = "../../src/bin/cartshift/sensitivity.rs"]
mod sensitivity;
#[path = "../../src/bin/cartshift/summary.rs"]
mod summary;
#[path = "../../src/bin/cartshift/validate.rs"]
mod validate;

use cartshift::output::Format;
use cartshift::pipeline::{self, Observer, Outcome, Overrides, ReferenceChoice, load_plan};
use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use std::path::PathBuf;
use std::sync::Mutex;

create_exception!(cartshift, CartshiftError, PyException, "A cartshift run refused its input or failed.");

/// Asks Python whether Ctrl-C was pressed, from the thread that called the run (the pipeline
/// asks from there only, and Python runs signal handlers on its main thread); keeps the
/// `KeyboardInterrupt` to raise once the run has stopped.
struct Signals {
    interrupt: Mutex<Option<PyErr>>,
}

impl Observer for Signals {
    fn cancelled(&self) -> bool {
        let mut interrupt = self.interrupt.lock().expect("not poisoned");
        if interrupt.is_none() {
            *interrupt = Python::attach(|py| py.check_signals().err());
        }
        interrupt.is_some()
    }
}

/// Runs `path` into `out` and returns the files written.
#[pyfunction(name = "run")]
#[pyo3(signature = (path, out, *, reference=None, no_reference=false, set=None, households=None,
    replications=None, seed=None, threads=None, format="csv", raw=false, no_crn=false, force=false, resume=false))]
#[allow(clippy::too_many_arguments)]
fn run_scenario(
    py: Python<'_>,
    path: PathBuf,
    out: PathBuf,
    reference: Option<PathBuf>,
    no_reference: bool,
    set: Option<Vec<String>>,
    households: Option<u64>,
    replications: Option<u32>,
    seed: Option<u64>,
    threads: Option<usize>,
    format: &str,
    raw: bool,
    no_crn: bool,
    force: bool,
    resume: bool,
) -> PyResult<Vec<String>> {
    let format: Format = format.parse().map_err(CartshiftError::new_err)?;
    let choice = match (no_reference, reference) {
        (true, _) => ReferenceChoice::Skip,
        (false, Some(file)) => ReferenceChoice::File(file),
        (false, None) => ReferenceChoice::Default,
    };
    let overrides = Overrides { replications, households, seed, set: set.unwrap_or_default(), no_crn };
    let plan = load_plan(&path, choice, &overrides).map_err(|e| CartshiftError::new_err(e.to_string()))?;
    let threads = threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| CartshiftError::new_err(e.to_string()))?;
    let mut options = pipeline::RunOptions::new(out);
    (options.format, options.raw, options.force, options.resume) = (format, raw, force, resume);
    let signals = Signals { interrupt: Mutex::new(None) };
    let outcome = py.detach(|| pipeline::execute(&plan, &options, &pool, &signals));
    if let Some(interrupt) = signals.interrupt.lock().expect("not poisoned").take() {
        return Err(interrupt);
    }
    match outcome.map_err(|e| CartshiftError::new_err(e.to_string()))? {
        Outcome::Finished { files, .. } => Ok(files),
        Outcome::AlreadyComplete { manifest } => Ok(manifest.files),
    }
}

/// Runs the `cartshift` command line `args` (program name first); returns its exit code.
#[pyfunction(name = "cli")]
fn run_cli(py: Python<'_>, args: Vec<String>) -> u8 {
    py.detach(|| app::exit_code(args.into_iter().map(Into::into)))
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(run_scenario, m)?)?;
    m.add_function(wrap_pyfunction!(run_cli, m)?)?;
    m.add("CartshiftError", m.py().get_type::<CartshiftError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
