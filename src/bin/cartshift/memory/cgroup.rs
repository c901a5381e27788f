//! The memory a process's cgroup still allows: a container's or a scheduler's limit (Slurm's
//! `task/cgroup` puts each job in one), which /proc/meminfo does not show.
//!
//! /proc/self/cgroup names the process's cgroup in each hierarchy: `0::/path` for cgroup v2
//! (mounted at /sys/fs/cgroup, or /sys/fs/cgroup/unified beside v1), `N:memory:/path` for the v1
//! memory controller (mounted at /sys/fs/cgroup/memory). A limit set on any ancestor binds too
//! (Slurm sets it on the job, its steps and tasks inherit it), so the room is the least, over the
//! cgroup and its ancestors up to the mount, of limit less usage; "max" or a missing file is none.

use super::{Available, Limit};
use std::path::{Component, Path, PathBuf};

/// The files of one cgroup version.
#[derive(Clone, Copy)]
struct Files {
    limit: &'static str,
    usage: &'static str,
    name: fn(PathBuf) -> Limit,
}

const V2: Files = Files { limit: "memory.max", usage: "memory.current", name: Limit::CgroupV2 };
const V1: Files = Files { limit: "memory.limit_in_bytes", usage: "memory.usage_in_bytes", name: Limit::CgroupV1 };

/// The least room left by the memory limits of this process's cgroups, or `None` if none has one.
pub fn room(root: &Path) -> Option<Available> {
    let table = std::fs::read_to_string(root.join("proc/self/cgroup")).ok()?;
    let mut places: Vec<(PathBuf, &str, Files)> = Vec::new();
    for line in table.lines() {
        let mut fields = line.splitn(3, ':');
        let (Some(_), Some(controllers), Some(path)) = (fields.next(), fields.next(), fields.next()) else { continue };
        if controllers.is_empty() {
            for mount in ["sys/fs/cgroup", "sys/fs/cgroup/unified"] {
                places.push((root.join(mount), path, V2));
            }
        } else if controllers.split(',').any(|c| c == "memory") {
            for mount in ["sys/fs/cgroup/memory".to_string(), format!("sys/fs/cgroup/{controllers}")] {
                places.push((root.join(mount), path, V1));
            }
        }
    }
    places.dedup_by(|a, b| a.0 == b.0);
    places.into_iter().filter_map(|(mount, path, files)| room_under(&mount, path, files)).min_by_key(|a| a.bytes)
}

/// The least room over the cgroup `path` under `mount` and its ancestors up to the mount. A path
/// that is not there (another cgroup namespace) counts as the mount itself.
fn room_under(mount: &Path, path: &str, files: Files) -> Option<Available> {
    let relative = Path::new(path.trim_start_matches('/'));
    let inside = relative.components().all(|c| matches!(c, Component::Normal(_)));
    let leaf = mount.join(relative);
    let start = if inside && leaf.is_dir() { leaf } else { mount.to_path_buf() };
    start
        .ancestors()
        .take_while(|dir| dir.starts_with(mount))
        .filter_map(|dir| room_of(dir, files))
        .min_by_key(|a| a.bytes)
}

/// One cgroup folder's limit less its usage, if it has a limit.
fn room_of(dir: &Path, files: Files) -> Option<Available> {
    let number = |file: &str| std::fs::read_to_string(dir.join(file)).ok()?.trim().parse::<u64>().ok();
    let limit = number(files.limit)?;
    let usage = number(files.usage).unwrap_or(0);
    Some(Available { bytes: limit.saturating_sub(usage), limit: (files.name)(dir.to_path_buf()) })
}
