//! `cartshift calibrate`: fit qualities to the [calibration] targets and write them back.

use crate::cli::CalibrateArgs;
use cartshift::calibrate::{CalibrationOptions, calibrate as fit, write_calibrated};
use cartshift::output::write_atomic;
use cartshift::scenario::{LoadOptions, load};
use cartshift::{Error, ScenarioError};
use std::path::PathBuf;

pub fn calibrate(args: CalibrateArgs) -> Result<(), Error> {
    let mut overrides = Vec::new();
    if let Some(n) = args.replications {
        overrides.push(format!("simulation.replications={n}"));
    }
    if let Some(n) = args.households {
        overrides.push(format!("simulation.households={n}"));
    }
    overrides.extend(args.overrides.iter().cloned());
    let scenario = load(&args.scenario, &LoadOptions { overrides })?;
    if !(args.tolerance_pp > 0.0 && args.tolerance_pp.is_finite()) {
        return Err(usage("--tolerance-pp", format!("got {}, expected a number > 0", args.tolerance_pp)));
    }
    let text = std::fs::read_to_string(&args.scenario)
        .map_err(|source| ScenarioError::Read { path: args.scenario.clone(), source })?;
    let out = match (&args.out, args.in_place) {
        (_, true) => args.scenario.clone(),
        (Some(out), false) => out.clone(),
        (None, false) => args.scenario.with_extension("calibrated.toml"),
    };
    let threads =
        args.threads.map_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()), |t| t as usize);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("thread pool starts");
    let options = CalibrationOptions { tolerance: args.tolerance_pp / 100.0, max_iterations: args.max_iterations };
    let quiet = args.quiet;
    if !quiet {
        let sim = &scenario.simulation;
        let measure = scenario.calibration.as_ref().map_or("revenue", |c| match c.measure {
            cartshift::scenario::Measure::Revenue => "revenue",
            cartshift::scenario::Measure::Trips => "trips",
        });
        println!(
            "calibrating {} to {measure} shares ({} replications x {} households, seed {}, tolerance {} pp)",
            scenario.name, sim.replications, sim.households, sim.seed, args.tolerance_pp
        );
    }
    let report = move |i: u32, miss: f64| {
        if !quiet {
            println!("  iteration {i:>2}: largest miss {:.4} pp", miss * 100.0);
        }
    };
    let result = pool.install(|| fit(&scenario, options, &report)).map_err(|e| usage("calibration", e.to_string()))?;
    if !quiet {
        print_table(&result);
    }
    if !result.converged {
        let message = format!(
            "not every target is within {} pp after {} iterations; nothing written (try more --replications or --max-iterations)",
            args.tolerance_pp, result.iterations
        );
        return Err(Error::Failed(message));
    }
    let written = write_calibrated(&text, &scenario, &result).map_err(|e| usage("scenario", e.to_string()))?;
    write_atomic(&out, written.as_bytes())?;
    if !quiet {
        println!(
            "converged in {} iterations: every target within {} pp\nwrote {}",
            result.iterations,
            args.tolerance_pp,
            PathBuf::from(&out).display()
        );
    }
    Ok(())
}

fn print_table(c: &cartshift::calibrate::Calibration) {
    println!("\n  {:<16} {:>9} {:>9}   quality (was -> now)", "target", "share", "achieved");
    for row in &c.rows {
        let what = if row.name == "online" { "online offset" } else { "" };
        println!(
            "  {:<16} {:>8.3}% {:>8.3}%   {:+.4} -> {:+.4} {what}",
            row.name,
            row.target * 100.0,
            row.achieved * 100.0,
            row.before,
            row.after
        );
    }
    println!();
}

fn usage(path: &str, message: String) -> Error {
    Error::Scenario(ScenarioError::Invalid { location: None, path: path.into(), message, suggestion: None })
}
