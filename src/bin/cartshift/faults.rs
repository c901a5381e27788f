//! Test-only fault injection, read from the environment by the binary (the library reads none):
//! `CARTSHIFT_FAIL_WRITE_AFTER_BYTES=N` makes a run's streamed writes fail like a full disk once
//! N bytes of rows are written, so tests can produce a failed write mid-sweep on any machine.

use crate::error::CliError;

/// The variable that sets [`fail_write_after`].
pub const FAIL_WRITE_AFTER: &str = "CARTSHIFT_FAIL_WRITE_AFTER_BYTES";

/// The injected write limit, if the variable is set (a byte count, else a usage error).
pub fn fail_write_after() -> Result<Option<u64>, CliError> {
    let Ok(text) = std::env::var(FAIL_WRITE_AFTER) else { return Ok(None) };
    let bytes = text.trim().parse().map_err(|_| {
        CliError::Usage(format!("{FAIL_WRITE_AFTER}={text}: expected a number of bytes (a test-only switch)"))
    })?;
    Ok(Some(bytes))
}
