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
        let drivers: Vec<String> = list.iter().map(|r| driver(r)).collect();
        println!("  {scenario} {retailer} {channel} {metric}: {}", drivers.join("; "));
    }
    Ok(())
}

fn driver(r: &IndexRow) -> String {
    let v = r.value;
    format!("{} {:.3} [{:.3}, {:.3}]", r.parameter, v.estimate, v.low, v.high)
}
