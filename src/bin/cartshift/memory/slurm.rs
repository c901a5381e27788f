//! The memory Slurm granted a job, from the variables it sets in the job's environment: where a
//! node enforces the grant with a cgroup the cgroup says the same (less what is used); where it
//! does not (no `task/cgroup`), these variables are the only record of it.

use super::{Available, Limit};

/// Slurm's megabyte: `--mem=1G` sets `SLURM_MEM_PER_NODE=1024`.
const MB: u64 = 1 << 20;

/// The CPUs a `--mem-per-cpu` grant is multiplied by, in order of preference.
const CPU_VARS: [&str; 2] = ["SLURM_CPUS_ON_NODE", "SLURM_CPUS_PER_TASK"];

/// `SLURM_MEM_PER_NODE` (`--mem`), else `SLURM_MEM_PER_CPU` (`--mem-per-cpu`) times the job's CPUs
/// on this node; `None` outside a job, or for `--mem=0` (all of the node's memory).
pub fn grant(var: &impl Fn(&str) -> Option<String>) -> Option<Available> {
    if let Some(mb) = positive(var("SLURM_MEM_PER_NODE")) {
        return Some(Available { bytes: mb.saturating_mul(MB), limit: Limit::SlurmPerNode { mb } });
    }
    let mb = positive(var("SLURM_MEM_PER_CPU"))?;
    let counted = CPU_VARS.into_iter().find_map(|name| positive(var(name)).map(|cpus| (name, cpus)));
    let (cpus_var, cpus) = counted.map_or((None, 1), |(name, cpus)| (Some(name), cpus));
    let bytes = mb.saturating_mul(cpus).saturating_mul(MB);
    Some(Available { bytes, limit: Limit::SlurmPerCpu { mb, cpus, cpus_var } })
}

/// A whole number above zero.
fn positive(value: Option<String>) -> Option<u64> {
    value?.trim().parse().ok().filter(|&n| n > 0)
}
