//! `cartshift report OUT_DIR`: write the HTML report of a results folder.

use crate::cli::ReportArgs;
use crate::error::CliError;
use std::path::Path;

pub fn report(args: ReportArgs) -> Result<(), CliError> {
    write(&args.dir, args.quiet)
}

/// Writes `dir/report.html` and says where, unless `quiet`.
pub fn write(dir: &Path, quiet: bool) -> Result<(), CliError> {
    let path = cartshift::report::write_report(dir)?;
    if !quiet {
        println!("wrote {}", path.display());
    }
    Ok(())
}
