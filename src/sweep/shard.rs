//! `--shard K/N`: the share of a sweep's points that one machine runs.
//!
//! Shard K of N (K counted from 1) runs a contiguous block of points, the blocks sized within
//! one point of each other, so shard folders joined in shard order hold the whole sweep's rows
//! in point order. A scheduler's array job can name the shard through its environment
//! ([`Shard::from_scheduler`]); the library never reads the environment itself.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::ops::Range;
use std::str::FromStr;

/// One share of a sweep's points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    /// Which share, from 1 to `count`.
    pub index: usize,
    /// How many shares the points are cut into.
    pub count: usize,
}

/// A shard that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShardError {
    /// Not `K/N` with 1 ≤ K ≤ N.
    #[error("--shard {text}: expected K/N with 1 <= K <= N (e.g. 2/8), or auto")]
    Syntax {
        /// What was given.
        text: String,
    },
    /// `--shard auto` outside an array job.
    #[error(
        "--shard auto: no SLURM_ARRAY_TASK_ID (Slurm array job) or JOB_COMPLETION_INDEX \
         (Kubernetes Indexed Job) in the environment; give --shard K/N instead"
    )]
    NoScheduler,
    /// An environment variable a scheduler should have set is missing or not a number.
    #[error("--shard auto: {name} {problem}")]
    Variable {
        /// The variable.
        name: &'static str,
        /// What is wrong with it.
        problem: String,
    },
}

impl Shard {
    /// Shard `index` of `count`.
    pub fn new(index: usize, count: usize) -> Option<Shard> {
        (index >= 1 && index <= count).then_some(Shard { index, count })
    }

    /// The points of a sweep of `total` points that this shard runs.
    pub fn points(&self, total: usize) -> Range<usize> {
        let bound = |k: usize| (total as u128 * k as u128 / self.count as u128) as usize;
        bound(self.index - 1)..bound(self.index)
    }

    /// The shard of an array job, from its environment (`var` looks a variable up):
    /// Slurm's `SLURM_ARRAY_TASK_ID`, `_COUNT`, `_MIN` and `_STEP` (any `--array=A-B:S`), or a
    /// Kubernetes Indexed Job's 0-based `JOB_COMPLETION_INDEX` with the Job's `completions`
    /// repeated in `CARTSHIFT_SHARD_COUNT` (Kubernetes does not expose it to the pod).
    pub fn from_scheduler(var: impl Fn(&str) -> Option<String>) -> Result<Shard, ShardError> {
        if let Some(id) = var("SLURM_ARRAY_TASK_ID") {
            let id = number("SLURM_ARRAY_TASK_ID", Some(id))?;
            let count = number("SLURM_ARRAY_TASK_COUNT", var("SLURM_ARRAY_TASK_COUNT"))?;
            let min = number("SLURM_ARRAY_TASK_MIN", var("SLURM_ARRAY_TASK_MIN").or(Some("0".into())))?;
            let step = number("SLURM_ARRAY_TASK_STEP", var("SLURM_ARRAY_TASK_STEP").or(Some("1".into())))?.max(1);
            let offset = id.checked_sub(min).filter(|o| o % step == 0);
            let index = offset.map(|o| o / step + 1);
            return index.and_then(|k| Shard::new(k, count)).ok_or(ShardError::Variable {
                name: "SLURM_ARRAY_TASK_ID",
                problem: format!(
                    "{id} is not one of the {count} tasks from {min} by {step}: use a contiguous --array=A-B[:S]"
                ),
            });
        }
        if let Some(index) = var("JOB_COMPLETION_INDEX") {
            let index = number("JOB_COMPLETION_INDEX", Some(index))?;
            let count = number("CARTSHIFT_SHARD_COUNT", var("CARTSHIFT_SHARD_COUNT"))?;
            return Shard::new(index + 1, count).ok_or(ShardError::Variable {
                name: "JOB_COMPLETION_INDEX",
                problem: format!("{index} is not below CARTSHIFT_SHARD_COUNT = {count}"),
            });
        }
        Err(ShardError::NoScheduler)
    }
}

fn number(name: &'static str, value: Option<String>) -> Result<usize, ShardError> {
    let value = value.ok_or(ShardError::Variable { name, problem: "is not set".into() })?;
    value
        .trim()
        .parse()
        .map_err(|_| ShardError::Variable { name, problem: format!("= {value:?} is not a whole number") })
}

impl FromStr for Shard {
    type Err = ShardError;

    fn from_str(text: &str) -> Result<Shard, ShardError> {
        let syntax = || ShardError::Syntax { text: text.to_string() };
        let (k, n) = text.split_once('/').ok_or_else(syntax)?;
        let (k, n) = (k.trim().parse().map_err(|_| syntax())?, n.trim().parse().map_err(|_| syntax())?);
        Shard::new(k, n).ok_or_else(syntax)
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn shards_cover_every_point_once_in_order() {
        for total in [0, 1, 7, 10, 1001] {
            for count in 1..=12 {
                let mut next = 0;
                for index in 1..=count {
                    let r = Shard { index, count }.points(total);
                    assert_eq!(r.start, next);
                    assert!(r.len() <= total / count + 1);
                    next = r.end;
                }
                assert_eq!(next, total);
            }
        }
    }

    #[test]
    fn parses_and_prints_k_of_n() {
        assert_eq!("2/8".parse::<Shard>(), Ok(Shard { index: 2, count: 8 }));
        assert_eq!(Shard { index: 2, count: 8 }.to_string(), "2/8");
        for bad in ["0/4", "5/4", "1/0", "x/4", "3", "1/2/3", ""] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }

    #[test]
    fn reads_slurm_arrays_with_any_start_and_step() {
        let shard = |pairs: &[(&str, &str)]| Shard::from_scheduler(env(pairs));
        let zero_based = [("SLURM_ARRAY_TASK_ID", "0"), ("SLURM_ARRAY_TASK_COUNT", "4"), ("SLURM_ARRAY_TASK_MIN", "0")];
        assert_eq!(shard(&zero_based), Ok(Shard { index: 1, count: 4 }));
        let stepped = [
            ("SLURM_ARRAY_TASK_ID", "15"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
            ("SLURM_ARRAY_TASK_MIN", "3"),
            ("SLURM_ARRAY_TASK_STEP", "4"),
        ];
        assert_eq!(shard(&stepped), Ok(Shard { index: 4, count: 4 }));
        assert!(shard(&[("SLURM_ARRAY_TASK_ID", "2")]).is_err(), "the count is required");
        assert!(shard(&[("SLURM_ARRAY_TASK_ID", "9"), ("SLURM_ARRAY_TASK_COUNT", "4")]).is_err());
    }

    #[test]
    fn reads_kubernetes_indexed_jobs() {
        let pairs = [("JOB_COMPLETION_INDEX", "0"), ("CARTSHIFT_SHARD_COUNT", "3")];
        assert_eq!(Shard::from_scheduler(env(&pairs)), Ok(Shard { index: 1, count: 3 }));
        let missing = Shard::from_scheduler(env(&[("JOB_COMPLETION_INDEX", "0")])).unwrap_err();
        assert!(missing.to_string().contains("CARTSHIFT_SHARD_COUNT is not set"), "{missing}");
        assert_eq!(Shard::from_scheduler(env(&[])), Err(ShardError::NoScheduler));
    }
}
