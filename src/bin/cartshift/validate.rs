//! `cartshift validate`: load and check scenario files, run nothing.

use crate::cli::ValidateArgs;
use cartshift::scenario::{LoadOptions, load};

pub fn validate(args: ValidateArgs) -> Result<(), cartshift::Error> {
    let options = LoadOptions { overrides: args.overrides };
    let mut first_error = None;
    for path in &args.scenarios {
        match load(path, &options) {
            Ok(s) => println!(
                "ok    {}  ({}: {} regions, {} segments, {} retailers, {} events)",
                path.display(),
                s.name,
                s.regions.len(),
                s.segments.len(),
                s.retailers.len(),
                s.events.len()
            ),
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
