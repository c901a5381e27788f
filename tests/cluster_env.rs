//! The cluster examples run as their schedulers would run them, from the example files
//! themselves: no Kubernetes can run on this project's machines (no single-node distribution
//! installs from its package registries), so each pod of examples/kubernetes/sweep-job.yaml is
//! started here with the command, environment and `JOB_COMPLETION_INDEX` Kubernetes would give
//! it, and merge-job.yaml's command joins the shards. examples/slurm/sweep.sbatch gets the same
//! with the variables of a Slurm array task (tests/cluster/slurm.sh runs it on a real Slurm).
//! Either way the merged files must equal the unsharded run's byte for byte.

mod sweep_support;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use sweep_support::{assert_same_results, manifest};

const EXAMPLE: &str = "scenarios/sweeps/checkout_vs_price_cut.toml";
const RESULTS: &str = "results/checkout_vs_price_cut";
/// Appended to the examples' commands so that the 16 points run in a blink.
const SMALL: [&str; 4] = ["--households", "300", "--replications", "2"];
/// The files of a run without `--raw`.
const FILES: [&str; 3] = ["weekly.csv", "online.csv", "summary.csv"];
/// Variables a scheduler sets that must not leak in from the machine running the tests.
const SCHEDULER_VARS: [&str; 7] = [
    "SLURM_ARRAY_TASK_ID",
    "SLURM_ARRAY_TASK_COUNT",
    "SLURM_ARRAY_TASK_MIN",
    "SLURM_ARRAY_TASK_STEP",
    "JOB_COMPLETION_INDEX",
    "CARTSHIFT_SHARD_COUNT",
    "CARTSHIFT_SHARD",
];

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A temporary folder laid out like the pods' working folder: the repository's scenarios/.
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary folder");
    copy_tree(&repo().join("scenarios"), &dir.path().join("scenarios"));
    dir
}

fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() { copy_tree(&path, &target) } else { fs::copy(&path, &target).map(drop).unwrap() }
    }
}

/// `program args` in `dir` with `env`, the binary's folder first on PATH, and no scheduler
/// variable from outside.
fn run(dir: &Path, program: &str, args: &[String], env: &[(String, String)]) -> Output {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_cartshift"));
    let path = format!("{}:{}", bin.parent().unwrap().display(), std::env::var("PATH").unwrap_or_default());
    let mut cmd = Command::new(program);
    for var in SCHEDULER_VARS {
        cmd.env_remove(var);
    }
    cmd.env_remove("CARTSHIFT_MEMORY_AVAILABLE").env("PATH", path).env("CARTSHIFT", &bin);
    cmd.current_dir(dir).args(args).envs(env.iter().map(|(k, v)| (k, v))).output().expect("the command starts")
}

fn succeed(what: &str, out: Output) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{what} failed ({:?}):\n{stderr}", out.status.code());
    String::from_utf8(out.stdout).expect("UTF-8")
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// The unsharded run of the example, at the size the tests use.
fn whole_run(dir: &Path) -> PathBuf {
    let args = strings(&[&["run", EXAMPLE, "-o", "whole", "--quiet"][..], &SMALL].concat());
    succeed("the unsharded run", run(dir, env!("CARGO_BIN_EXE_cartshift"), &args, &[]));
    dir.join("whole")
}

// ---------------------------------------------------------------------------------------------
// reading the Kubernetes manifests (just the parts the examples use)

/// A YAML flow sequence such as `command: ["a", "b",\n "c"]`, which is also JSON.
fn flow_list(yaml: &str, key: &str) -> Vec<String> {
    let at = yaml.find(&format!("{key}: [")).unwrap_or_else(|| panic!("no `{key}: [` in the example"));
    let open = at + key.len() + 2;
    let close = open + yaml[open..].find(']').expect("a closing ]");
    serde_json::from_str(&yaml[open..=close]).unwrap_or_else(|e| panic!("{key}: {e}"))
}

/// The number after `key:` (the first occurrence).
fn number(yaml: &str, key: &str) -> usize {
    let line = yaml.lines().find(|l| l.trim_start().starts_with(&format!("{key}:"))).expect(key);
    line.split(':').nth(1).unwrap().split('#').next().unwrap().trim().parse().expect(key)
}

/// The container's `env` entries: `- name: X` followed by `value: "Y"`.
fn env_vars(yaml: &str) -> Vec<(String, String)> {
    let lines: Vec<&str> = yaml.lines().map(str::trim).collect();
    let unquote = |v: &str| v.split('#').next().unwrap().trim().trim_matches('"').to_string();
    lines
        .windows(2)
        .filter_map(|w| Some((w[0].strip_prefix("- name:")?.trim().to_string(), unquote(w[1].strip_prefix("value:")?))))
        .collect()
}

#[test]
fn the_kubernetes_indexed_job_shards_and_its_merge_job_equal_the_whole_run() {
    let job = fs::read_to_string(repo().join("examples/kubernetes/sweep-job.yaml")).unwrap();
    let merge_job = fs::read_to_string(repo().join("examples/kubernetes/merge-job.yaml")).unwrap();
    let command = flow_list(&job, "command");
    let (completions, env) = (number(&job, "completions"), env_vars(&job));
    assert_eq!(command[..2], ["cartshift", "run"]);
    assert!(command.windows(2).any(|w| w == ["--shard", "auto"]) && command.contains(&"--resume".to_string()));
    let count = env.iter().find(|(k, _)| k == "CARTSHIFT_SHARD_COUNT").map(|(_, v)| v.parse::<usize>().unwrap());
    assert_eq!(count, Some(completions), "CARTSHIFT_SHARD_COUNT must repeat completions");

    let dir = workspace();
    let mut pod_args = command[1..].to_vec();
    pod_args.extend(strings(&SMALL));
    let pod = |index: usize| {
        let mut pod_env = env.clone();
        pod_env.push(("JOB_COMPLETION_INDEX".into(), index.to_string()));
        run(dir.path(), "cartshift", &pod_args, &pod_env)
    };
    for index in 0..completions {
        succeed(&format!("pod {index}"), pod(index));
        let written = manifest(&dir.path().join(format!("{RESULTS}/shard-{}-of-{completions}", index + 1)));
        let (shard, total) = (&written["shard"], written["sweep"]["points"].as_u64().unwrap() as usize);
        let (first, end) = (total * index / completions, total * (index + 1) / completions);
        assert_eq!(
            (shard["index"].as_u64(), shard["count"].as_u64()),
            (Some(index as u64 + 1), Some(completions as u64))
        );
        assert_eq!(
            (shard["first_point"].as_u64(), shard["points"].as_u64()),
            (Some(first as u64), Some((end - first) as u64))
        );
    }
    // A pod retried after it had finished (restartPolicy: OnFailure) changes nothing.
    let third = dir.path().join(format!("{RESULTS}/shard-3-of-{completions}"));
    let before = fs::read(third.join("weekly.csv")).unwrap();
    succeed("pod 2 retried", pod(2));
    assert_eq!(fs::read(third.join("weekly.csv")).unwrap(), before);

    let merge = flow_list(&merge_job, "args");
    succeed("the merge job", run(dir.path(), "sh", &[vec!["-c".to_string()], merge].concat(), &[]));
    assert_same_results(&whole_run(dir.path()), &dir.path().join(RESULTS), &FILES);
}

#[test]
fn a_pod_index_beyond_the_shard_count_is_refused_naming_the_variable() {
    let dir = workspace();
    let args = strings(&["run", EXAMPLE, "--shard", "auto", "--quiet"]);
    let env = vec![("JOB_COMPLETION_INDEX".to_string(), "8".to_string()), ("CARTSHIFT_SHARD_COUNT".into(), "8".into())];
    let out = run(dir.path(), "cartshift", &args, &env);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("JOB_COMPLETION_INDEX") && stderr.contains("CARTSHIFT_SHARD_COUNT = 8"), "{stderr}");
    assert!(!dir.path().join("results").exists(), "nothing may be written");
}

// ---------------------------------------------------------------------------------------------
// the Slurm script, with the variables of an array task

/// The variables Slurm gives task `id` of `--array=min-max`.
fn array_task(id: usize, min: usize, max: usize) -> Vec<(String, String)> {
    let pairs = [
        ("SLURM_ARRAY_TASK_ID", id),
        ("SLURM_ARRAY_TASK_COUNT", max - min + 1),
        ("SLURM_ARRAY_TASK_MIN", min),
        ("SLURM_ARRAY_TASK_MAX", max),
        ("SLURM_ARRAY_TASK_STEP", 1),
        ("SLURM_CPUS_PER_TASK", 2),
    ];
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

#[cfg(unix)]
#[test]
fn the_slurm_script_runs_its_array_tasks_and_a_resubmitted_task_keeps_its_shard() {
    let dir = workspace();
    let script = repo().join("examples/slurm/sweep.sbatch").display().to_string();
    let args = strings(&[&[script.as_str(), EXAMPLE][..], &SMALL].concat());
    for id in [0, 1, 3, 4, 5, 6, 7] {
        succeed(&format!("task {id}"), run(dir.path(), "bash", &args, &array_task(id, 0, 7)));
    }
    // Task 2 resubmitted alone (`sbatch --array=2`): an array of one, so the shard is named.
    let mut resubmitted = array_task(2, 2, 2);
    resubmitted.push(("CARTSHIFT_SHARD".into(), "3/8".into()));
    let log = succeed("task 2 resubmitted", run(dir.path(), "bash", &args, &resubmitted));
    assert!(log.contains("shard 3/8: points 4 to 5"), "{log}");
    assert!(log.contains("attempt 1"), "the script says which attempt it is: {log}");
    assert!(!dir.path().join(format!("{RESULTS}/shard-1-of-1")).exists());

    let shards = (1..=8).map(|k| format!("{RESULTS}/shard-{k}-of-8"));
    let merge: Vec<String> = strings(&["merge", RESULTS]).into_iter().chain(shards).collect();
    succeed("merge", run(dir.path(), env!("CARGO_BIN_EXE_cartshift"), &merge, &[]));
    assert_same_results(&whole_run(dir.path()), &dir.path().join(RESULTS), &FILES);
}
