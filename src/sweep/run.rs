//! Running a sweep into a results folder: every point validated before anything is written,
//! rows streamed in point order as points finish, an interrupted folder resumed, a manifest.
//!
//! A plain scenario runs here too, as a sweep of one point: its files are the same bytes the
//! in-memory writer ([`crate::output::write_run`]) produces.

use super::pool::{Observer, run_points};
use super::{Shard, SweepError};
use crate::engine::RunResults;
use crate::output::tables::{PointColumns, TableKind, parameter_text};
use crate::output::{FolderLock, Identity, Manifest, ShardInfo, Start, SweepInfo, SweepWriter, plan_start};
use crate::scenario::{Scenario, Sweep};
use std::ops::Range;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// How often finished points are made durable by default.
pub const DEFAULT_SYNC_EVERY: Duration = Duration::from_millis(500);

/// Where and how to run a sweep.
#[derive(Debug, Clone)]
pub struct SweepOptions {
    /// The output folder.
    pub dir: PathBuf,
    /// Run only this share of the points.
    pub shard: Option<Shard>,
    /// Also write `replications.csv`.
    pub raw: bool,
    /// Continue an interrupted run in `dir` instead of starting afresh.
    pub resume: bool,
    /// How often finished points are fsynced and journalled ([`DEFAULT_SYNC_EVERY`]).
    pub sync_every: Duration,
    /// Fault injection for tests: fail like a full disk after this many bytes of rows
    /// ([`SweepWriter::fail_after`]). `None` in real runs.
    pub fail_write_after: Option<u64>,
}

impl SweepOptions {
    /// A whole run into `dir`, without `replications.csv`, starting afresh.
    pub fn new(dir: impl Into<PathBuf>) -> SweepOptions {
        let dir = dir.into();
        SweepOptions {
            dir,
            shard: None,
            raw: false,
            resume: false,
            sync_every: DEFAULT_SYNC_EVERY,
            fail_write_after: None,
        }
    }
}

/// What a run did.
#[derive(Debug, Clone)]
pub enum SweepOutcome {
    /// The points were simulated and the files written.
    Finished {
        /// The manifest written.
        manifest: Box<Manifest>,
        /// The files written, manifest last.
        files: Vec<String>,
        /// Points simulated by this call (fewer than the folder's when resumed).
        points: usize,
    },
    /// `resume` found the folder already holding this run, finished; nothing was done.
    AlreadyComplete {
        /// Its manifest.
        manifest: Box<Manifest>,
    },
}

/// Runs every point of `sweep` (or of its shard) on `pool` into `options.dir`.
/// Call from outside `pool`; `observer` hears about progress.
pub fn run_sweep(
    sweep: &Sweep,
    options: &SweepOptions,
    pool: &rayon::ThreadPool,
    observer: &dyn Observer,
) -> Result<SweepOutcome, SweepError> {
    let lock = FolderLock::acquire(&options.dir)?;
    if let Some(note) = lock.note() {
        observer.note(note);
    }
    let first = sweep.scenario(0)?;
    let range = options.shard.map_or(0..sweep.points(), |s| s.points(sweep.points()));
    let kinds = TableKind::for_run(options.raw);
    let identity = identity(sweep, &first, options.shard, &range, &kinds);
    let start = plan_start(&options.dir, &identity, options.resume)?;
    let next = match &start {
        Start::Complete(manifest) => return Ok(SweepOutcome::AlreadyComplete { manifest: manifest.clone() }),
        Start::Fresh => range.start,
        Start::Resume { next, .. } => *next,
    };
    let (mut household_weeks, mut replications) = (0u64, 0u64);
    sweep.check(|point, s| {
        observer.checked(point + 1, sweep.points());
        if (next..range.end).contains(&point) {
            household_weeks += RunResults::household_weeks(s);
            replications += u64::from(s.simulation.replications);
        }
    })?;
    observer.planned(range.end.saturating_sub(next), replications, household_weeks);
    let started = Instant::now();
    let parameters = sweep.parameters();
    let mut writer = match start {
        Start::Resume { next, lengths } => {
            SweepWriter::resume(&options.dir, &identity, next, &lengths, options.sync_every)?
        }
        _ => {
            let headers: Vec<Vec<u8>> = kinds.iter().map(|k| k.header(&parameters)).collect();
            SweepWriter::create(&options.dir, &identity, &headers, options.sync_every)?
        }
    }
    .fail_after(options.fail_write_after);
    let window = 2 * pool.current_num_threads() + 1;
    run_points(
        pool,
        next..range.end,
        window,
        |p| Ok(sweep.scenario(p)?),
        observer,
        |point, s, results| {
            let columns = PointColumns { point, values: sweep.values(point).iter().map(parameter_text).collect() };
            let rows: Vec<Vec<u8>> = kinds.iter().map(|k| k.rows(s, &results, &columns)).collect();
            Ok::<(), SweepError>(writer.write_point(&rows)?)
        },
    )?;
    let wall = started.elapsed().as_secs_f64();
    let mut manifest = Manifest::new(&first, pool.current_num_threads(), wall, household_weeks);
    manifest.scenario_hash = sweep.hash().to_string();
    manifest.sweep = sweep.is_sweep().then(|| SweepInfo {
        design: sweep.design().name().to_string(),
        points: sweep.points(),
        parameters: parameters.clone(),
    });
    manifest.shard = identity.shard;
    let files = writer.finish(manifest.clone())?;
    manifest.files = files.clone();
    Ok(SweepOutcome::Finished { manifest: Box::new(manifest), files, points: range.end.saturating_sub(next) })
}

/// What the folder will be the results of.
fn identity(
    sweep: &Sweep,
    first: &Scenario,
    shard: Option<Shard>,
    range: &Range<usize>,
    kinds: &[TableKind],
) -> Identity {
    Identity {
        cartshift_version: env!("CARGO_PKG_VERSION").to_string(),
        scenario: first.name.clone(),
        scenario_hash: sweep.hash().to_string(),
        seed: first.simulation.seed,
        points: sweep.points(),
        shard: shard.map(|s| ShardInfo {
            index: s.index,
            count: s.count,
            first_point: range.start,
            points: range.len(),
        }),
        files: kinds.iter().map(|k| k.file_name().to_string()).collect(),
    }
}
