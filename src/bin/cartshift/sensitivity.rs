//! `cartshift sensitivity OUT_DIR`: Sobol' indices or Morris measures of a finished sweep,
//! written to OUT_DIR/sensitivity.csv, with the top drivers of each headline printed.

use crate::cli::SensitivityArgs;
use crate::error::CliError;
use cartshift::sensitivity::{IndexRow, analyze, read_outputs, top_drivers, write_sensitivity};

pub fn sensitivity(args: SensitivityArgs) -> Result<(), CliError> {
    let outputs = read_outputs(&args.dir)?;
    let rows = analyze(&outputs, args.resamples as usize)?;
    let path = write_sensitivity(&args.dir, &rows)?;
    if args.quiet {
        return Ok(());
    }
    println!("wrote {} ({} indices)", path.display(), rows.len());
    let ranked = top_drivers(&rows, args.top);
    if let Some(first) = ranked.first().and_then(|(_, list)| list.first()) {
        println!("top drivers by {} (95% interval):", first.index);
    }
    for ((scenario, retailer, channel, metric), list) in ranked {
        let largest = list.iter().map(|r| r.value.high.abs().max(r.value.estimate.abs())).fold(0.0, f64::max);
        let decimals = decimals(largest);
        let drivers: Vec<String> = list.iter().map(|r| driver(r, decimals)).collect();
        println!("  {scenario} {retailer} {channel} {metric}: {}", drivers.join("; "));
    }
    Ok(())
}

fn driver(r: &IndexRow, decimals: usize) -> String {
    let v = r.value;
    format!("{} {:.*} [{:.*}, {:.*}]", r.parameter, decimals, v.estimate, decimals, v.low, decimals, v.high)
}

/// Decimals that give the largest value three significant digits (3 to 8).
fn decimals(largest: f64) -> usize {
    if largest > 0.0 && largest.is_finite() { (2 - largest.log10().floor() as i64).clamp(3, 8) as usize } else { 3 }
}
