//! The readings over fixture folders laid out like /proc and /sys/fs/cgroup, and fixture
//! environments: no real cgroup or Slurm job is needed.

use super::*;
use std::collections::HashMap;
use std::fs;

/// A fake system root.
struct Root(tempfile::TempDir);

impl Root {
    /// A root whose /proc/meminfo says `mem_available_kib`.
    fn with_meminfo(mem_available_kib: u64) -> Root {
        let root = Root(tempfile::tempdir().unwrap());
        root.write("proc/meminfo", &format!("MemTotal: 24000000 kB\nMemAvailable: {mem_available_kib} kB\n"));
        root
    }

    fn write(&self, path: &str, text: &str) {
        let file = self.0.path().join(path);
        fs::create_dir_all(file.parent().unwrap()).unwrap();
        fs::write(file, text).unwrap();
    }

    fn path(&self, path: &str) -> PathBuf {
        self.0.path().join(path)
    }

    fn read(&self, env: &[(&str, &str)]) -> Option<Available> {
        let env: HashMap<String, String> = env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        available_in(self.0.path(), |name| env.get(name).cloned())
    }
}

const GIB: u64 = 1 << 30;

#[test]
fn reads_mem_available_in_bytes() {
    let text = "MemTotal:       24000000 kB\nMemFree:  100 kB\nMemAvailable:   2048 kB\n";
    assert_eq!(parse_mem_available(text), Some(2 << 20));
    assert_eq!(parse_mem_available("MemTotal: 1 kB\n"), None);
    let root = Root::with_meminfo(4 << 20);
    assert_eq!(root.read(&[]), Some(Available { bytes: 4 * GIB, limit: Limit::MemAvailable }));
}

#[test]
fn a_system_that_says_nothing_gives_none() {
    let root = Root(tempfile::tempdir().unwrap());
    assert_eq!(root.read(&[]), None);
    root.write("proc/self/cgroup", "0::/job\n");
    root.write("sys/fs/cgroup/job/memory.max", "max\n");
    assert_eq!(root.read(&[]), None, "\"max\" is no limit");
}

#[test]
fn cgroup_v2_room_is_the_least_over_the_cgroup_and_its_ancestors() {
    let root = Root::with_meminfo(16 << 20);
    root.write("proc/self/cgroup", "0::/system.slice/job_7/step_0\n");
    root.write("sys/fs/cgroup/cgroup.controllers", "memory\n");
    root.write("sys/fs/cgroup/system.slice/memory.max", "max\n");
    root.write("sys/fs/cgroup/system.slice/job_7/memory.max", &format!("{}\n", 2 * GIB));
    root.write("sys/fs/cgroup/system.slice/job_7/memory.current", &format!("{}\n", GIB / 2));
    root.write("sys/fs/cgroup/system.slice/job_7/step_0/memory.max", "max\n");
    root.write("sys/fs/cgroup/system.slice/job_7/step_0/memory.current", "4096\n");
    let job = root.path("sys/fs/cgroup/system.slice/job_7");
    assert_eq!(root.read(&[]), Some(Available { bytes: 3 * GIB / 2, limit: Limit::CgroupV2(job.clone()) }));
    let text = root.read(&[]).unwrap().limit.to_string();
    assert!(text.starts_with("cgroup memory.max (less memory.current) of ") && text.ends_with("job_7"), "{text}");
    // A tighter limit on the step wins over the job's.
    root.write("sys/fs/cgroup/system.slice/job_7/step_0/memory.max", "1000000\n");
    assert_eq!(root.read(&[]).unwrap().bytes, 1_000_000 - 4096);
}

#[test]
fn cgroup_v1_memory_controller_is_read_beside_other_hierarchies() {
    let root = Root::with_meminfo(16 << 20);
    let table = "9:name=systemd:/\n4:memory:/slurm/uid_0/job_3/step_batch\n1:cpu:/\n0::/\n";
    root.write("proc/self/cgroup", table);
    root.write("sys/fs/cgroup/memory/memory.limit_in_bytes", "9223372036854771712\n");
    root.write("sys/fs/cgroup/memory/slurm/uid_0/job_3/memory.limit_in_bytes", &format!("{GIB}\n"));
    root.write("sys/fs/cgroup/memory/slurm/uid_0/job_3/memory.usage_in_bytes", "1048576\n");
    fs::create_dir_all(root.path("sys/fs/cgroup/memory/slurm/uid_0/job_3/step_batch")).unwrap();
    let job = root.path("sys/fs/cgroup/memory/slurm/uid_0/job_3");
    assert_eq!(root.read(&[]), Some(Available { bytes: GIB - (1 << 20), limit: Limit::CgroupV1(job) }));
    assert!(root.read(&[]).unwrap().limit.to_string().starts_with("cgroup memory.limit_in_bytes"));
}

#[test]
fn a_cgroup_path_not_under_the_mount_counts_as_the_mount() {
    let root = Root::with_meminfo(16 << 20);
    root.write("proc/self/cgroup", "0::/../../elsewhere\n");
    root.write("sys/fs/cgroup/memory.max", "3000000\n");
    root.write("sys/fs/cgroup/memory.current", "1000000\n");
    let mount = root.path("sys/fs/cgroup");
    assert_eq!(root.read(&[]), Some(Available { bytes: 2_000_000, limit: Limit::CgroupV2(mount) }));
}

#[test]
fn slurm_mem_per_node_is_in_mebibytes_and_wins_when_smallest() {
    let root = Root::with_meminfo(16 << 20);
    let read = root.read(&[("SLURM_MEM_PER_NODE", "512")]).unwrap();
    assert_eq!(read, Available { bytes: 512 << 20, limit: Limit::SlurmPerNode { mb: 512 } });
    assert_eq!(read.limit.to_string(), "SLURM_MEM_PER_NODE = 512 MB (the job's --mem)");
    assert_eq!(root.read(&[("SLURM_MEM_PER_NODE", "0")]).unwrap().limit, Limit::MemAvailable, "--mem=0 is the node");
    assert_eq!(root.read(&[("SLURM_MEM_PER_NODE", "lots")]).unwrap().limit, Limit::MemAvailable);
    let big = root.read(&[("SLURM_MEM_PER_NODE", "65536")]).unwrap();
    assert_eq!(big.limit, Limit::MemAvailable, "the machine has less than the grant");
}

#[test]
fn slurm_mem_per_cpu_counts_the_cpus_on_the_node() {
    let root = Root::with_meminfo(16 << 20);
    let on_node = [("SLURM_MEM_PER_CPU", "300"), ("SLURM_CPUS_ON_NODE", "2"), ("SLURM_CPUS_PER_TASK", "4")];
    let read = root.read(&on_node).unwrap();
    assert_eq!(read.bytes, 600 << 20);
    assert_eq!(read.limit.to_string(), "SLURM_MEM_PER_CPU = 300 MB × SLURM_CPUS_ON_NODE = 2 (the job's --mem-per-cpu)");
    let per_task = root.read(&[("SLURM_MEM_PER_CPU", "300"), ("SLURM_CPUS_PER_TASK", "3")]).unwrap();
    assert_eq!(per_task.bytes, 900 << 20);
    let alone = root.read(&[("SLURM_MEM_PER_CPU", "300")]).unwrap();
    assert_eq!(alone.limit, Limit::SlurmPerCpu { mb: 300, cpus: 1, cpus_var: None });
    let both = root.read(&[("SLURM_MEM_PER_NODE", "100"), ("SLURM_MEM_PER_CPU", "300")]).unwrap();
    assert_eq!(both.limit, Limit::SlurmPerNode { mb: 100 }, "--mem is the job's grant when set");
}

#[test]
fn the_smallest_of_meminfo_cgroup_and_slurm_applies() {
    let root = Root::with_meminfo(16 << 20);
    root.write("proc/self/cgroup", "0::/job\n");
    root.write("sys/fs/cgroup/job/memory.max", &format!("{}\n", 3 * GIB));
    root.write("sys/fs/cgroup/job/memory.current", "0\n");
    assert!(matches!(root.read(&[("SLURM_MEM_PER_NODE", "4096")]).unwrap().limit, Limit::CgroupV2(_)));
    assert_eq!(root.read(&[("SLURM_MEM_PER_NODE", "2048")]).unwrap().bytes, 2 * GIB);
    let tight_machine = Root::with_meminfo(1 << 20);
    assert_eq!(tight_machine.read(&[("SLURM_MEM_PER_NODE", "2048")]).unwrap().limit, Limit::MemAvailable);
}

#[test]
fn the_override_replaces_every_reading() {
    let root = Root::with_meminfo(1 << 20);
    let read = root.read(&[(OVERRIDE_VAR, " 70000000 "), ("SLURM_MEM_PER_NODE", "1")]).unwrap();
    assert_eq!(read, Available { bytes: 70_000_000, limit: Limit::Override });
    assert_eq!(read.limit.to_string(), OVERRIDE_VAR);
    assert_eq!(root.read(&[(OVERRIDE_VAR, "much")]).unwrap().limit, Limit::MemAvailable, "not a number: ignored");
}
