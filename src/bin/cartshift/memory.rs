//! How much memory the machine can give a run: `MemAvailable` from /proc/meminfo (Linux), or
//! the byte count in `CARTSHIFT_MEMORY_AVAILABLE` where that is set — for a container whose
//! memory limit /proc/meminfo does not show, and for tests.

/// The environment variable that overrides /proc/meminfo.
pub const OVERRIDE_VAR: &str = "CARTSHIFT_MEMORY_AVAILABLE";

/// Available memory in bytes, or `None` where the system does not say.
pub fn available_bytes() -> Option<u64> {
    if let Some(bytes) = std::env::var(OVERRIDE_VAR).ok().and_then(|v| v.trim().parse().ok()) {
        return Some(bytes);
    }
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok()?;
    parse_mem_available(&meminfo)
}

/// The `MemAvailable:  123 kB` line, in bytes.
fn parse_mem_available(meminfo: &str) -> Option<u64> {
    let line = meminfo.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    kib.checked_mul(1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_mem_available_in_bytes() {
        let text = "MemTotal:       24000000 kB\nMemFree:  100 kB\nMemAvailable:   2048 kB\n";
        assert_eq!(parse_mem_available(text), Some(2 << 20));
        assert_eq!(parse_mem_available("MemTotal: 1 kB\n"), None);
    }
}
