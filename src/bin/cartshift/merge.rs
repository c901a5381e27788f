//! `cartshift merge OUT SHARD_DIR…`: join a sharded sweep's folders.

use crate::cli::MergeArgs;
use crate::error::CliError;
use cartshift::output::merge_shards;

pub fn merge(args: MergeArgs) -> Result<(), CliError> {
    let files = merge_shards(&args.out, &args.shards)?;
    if !args.quiet {
        println!("merged {} shards into {}: {}", args.shards.len(), args.out.display(), files.join(", "));
    }
    Ok(())
}
