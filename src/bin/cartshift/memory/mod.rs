//! How much memory a run may use, and which limit says so: the smallest of what the machine has
//! free (`MemAvailable` in /proc/meminfo), what the process's cgroup still allows (a container's
//! or a Slurm job's limit, which /proc/meminfo does not show) and what Slurm granted the job
//! (`SLURM_MEM_PER_NODE`, or `SLURM_MEM_PER_CPU` × its CPUs, on nodes that do not enforce it).
//! The byte count in `CARTSHIFT_MEMORY_AVAILABLE`, where set, replaces them all (for a limit
//! none of these shows, and for tests).

mod cgroup;
mod slurm;

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The environment variable that replaces every other reading.
pub const OVERRIDE_VAR: &str = "CARTSHIFT_MEMORY_AVAILABLE";

/// Memory a run may use, and the limit that set it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Available {
    /// Bytes.
    pub bytes: u64,
    /// The smallest limit, which gave `bytes`.
    pub limit: Limit,
}

/// Where a memory figure comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Limit {
    /// `CARTSHIFT_MEMORY_AVAILABLE`.
    Override,
    /// `MemAvailable` in /proc/meminfo.
    MemAvailable,
    /// A cgroup v2 folder's `memory.max` less its `memory.current`.
    CgroupV2(PathBuf),
    /// A cgroup v1 folder's `memory.limit_in_bytes` less its `memory.usage_in_bytes`.
    CgroupV1(PathBuf),
    /// `SLURM_MEM_PER_NODE` (`--mem`), in Slurm's megabytes (MiB).
    SlurmPerNode {
        /// The variable's value.
        mb: u64,
    },
    /// `SLURM_MEM_PER_CPU` (`--mem-per-cpu`) times the job's CPUs on this node.
    SlurmPerCpu {
        /// The variable's value, in Slurm's megabytes (MiB).
        mb: u64,
        /// CPUs counted.
        cpus: u64,
        /// The variable that gave the CPUs, if any (else one CPU is counted).
        cpus_var: Option<&'static str>,
    },
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Limit::Override => write!(f, "{OVERRIDE_VAR}"),
            Limit::MemAvailable => write!(f, "MemAvailable in /proc/meminfo"),
            Limit::CgroupV2(dir) => write!(f, "cgroup memory.max (less memory.current) of {}", dir.display()),
            Limit::CgroupV1(dir) => {
                write!(f, "cgroup memory.limit_in_bytes (less memory.usage_in_bytes) of {}", dir.display())
            }
            Limit::SlurmPerNode { mb } => write!(f, "SLURM_MEM_PER_NODE = {mb} MB (the job's --mem)"),
            Limit::SlurmPerCpu { mb, cpus, cpus_var: Some(var) } => {
                write!(f, "SLURM_MEM_PER_CPU = {mb} MB × {var} = {cpus} (the job's --mem-per-cpu)")
            }
            Limit::SlurmPerCpu { mb, .. } => write!(f, "SLURM_MEM_PER_CPU = {mb} MB × 1 CPU (the job's --mem-per-cpu)"),
        }
    }
}

/// Memory this process may use, read once per process (so that a refusal names the limit the
/// check used), or `None` where the system does not say.
pub fn available() -> Option<Available> {
    static READING: OnceLock<Option<Available>> = OnceLock::new();
    READING.get_or_init(|| available_in(Path::new("/"), |name| std::env::var(name).ok())).clone()
}

/// Available memory in bytes (see [`available`]).
pub fn available_bytes() -> Option<u64> {
    available().map(|a| a.bytes)
}

/// The line printed under a run refused by the memory guard: which limit applied.
pub fn refusal_note() -> Option<String> {
    available().map(|a| format!("note: the memory available is set by {}", a.limit))
}

/// The reading on a system whose files are under `root` (`/` for this one) and whose
/// environment `var` looks up.
pub fn available_in(root: &Path, var: impl Fn(&str) -> Option<String>) -> Option<Available> {
    if let Some(bytes) = var(OVERRIDE_VAR).and_then(|v| v.trim().parse().ok()) {
        return Some(Available { bytes, limit: Limit::Override });
    }
    let meminfo = std::fs::read_to_string(root.join("proc/meminfo")).ok();
    let free =
        meminfo.as_deref().and_then(parse_mem_available).map(|bytes| Available { bytes, limit: Limit::MemAvailable });
    [free, cgroup::room(root), slurm::grant(&var)].into_iter().flatten().min_by_key(|a| a.bytes)
}

/// The `MemAvailable:  123 kB` line, in bytes.
fn parse_mem_available(meminfo: &str) -> Option<u64> {
    let line = meminfo.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    kib.checked_mul(1024)
}

#[cfg(test)]
mod tests;
