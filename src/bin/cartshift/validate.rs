//! `cartshift validate`: load and check scenario files (every point of a sweep), run nothing.

use crate::cli::ValidateArgs;
use crate::error::CliError;
use cartshift::scenario::{LoadOptions, Sweep, load_sweep};
use cartshift::{Scenario, ScenarioError};
use std::path::Path;

pub fn validate(args: ValidateArgs) -> Result<(), CliError> {
    let options = LoadOptions { overrides: args.overrides };
    let mut first_error = None;
    for path in &args.scenarios {
        match check(path, &options) {
            Ok((sweep, s)) => {
                println!(
                    "ok    {}  ({}: {} regions, {} segments, {} retailers, {} events{})",
                    path.display(),
                    s.name,
                    s.regions.len(),
                    s.segments.len(),
                    s.retailers.len(),
                    s.events.len(),
                    sweep_note(&sweep)
                );
                print_tastes(&s);
            }
            Err(err) => {
                println!("FAIL  {}", path.display());
                first_error.get_or_insert(err);
            }
        }
    }
    match first_error {
        None => Ok(()),
        Some(err) => Err(err.into()),
    }
}

/// Loads the file and validates every point; returns point 0's scenario.
fn check(path: &Path, options: &LoadOptions) -> Result<(Sweep, Scenario), ScenarioError> {
    let sweep = load_sweep(path, options)?;
    let first = sweep.scenario(0)?;
    sweep.check(|_, _| {})?;
    Ok((sweep, first))
}

/// Every segment's tastes in dollars, whichever form the file used (MODEL.md §1): waiting,
/// distance, fees, full loyalty and each format taste, per trip.
fn print_tastes(s: &Scenario) {
    if !s.formats.is_empty() {
        let formats: Vec<String> = s.formats.iter().map(|f| format!("{} (λ {})", f.name, f.dissimilarity)).collect();
        println!("      formats: {}", formats.join(", "));
    }
    for seg in &s.segments {
        match seg.tastes_in_dollars() {
            Some(t) => {
                let dollar = seg.dollar_utility();
                let mut extra = format!("; full loyalty ${:.2}/trip", s.dynamics.loyalty_weight / dollar);
                for (f, taste) in s.formats.iter().zip(&seg.format_taste).filter(|(_, t)| **t != 0.0) {
                    extra.push_str(&format!("; {} {:+.2} $/trip", f.name, taste / dollar));
                }
                println!(
                    "      {:<22} a dollar = {:.4} utility ({} / ${}); waiting ${:.1}/h; distance ${:.2}/km; a $1 fee weighs ${:.2}{extra}",
                    seg.name,
                    dollar,
                    seg.price_sensitivity,
                    seg.weekly_spend,
                    t.value_of_time_per_hour,
                    t.travel_cost_per_km,
                    t.fee_weight
                )
            }
            None => println!("      {:<22} price_sensitivity 0: its tastes have no dollar value", seg.name),
        }
    }
}

fn sweep_note(sweep: &Sweep) -> String {
    if !sweep.is_sweep() {
        return String::new();
    }
    let parameters = sweep.parameters();
    format!("; {} sweep of {} points over {}", sweep.design().name(), sweep.points(), parameters.join(", "))
}
