//! One road for every run: plan → guard → output folder → flat (point × replication) pool →
//! tables. A plain run is a plan of one point, a comparison a point with two worlds, a sweep
//! many points; a shard is a slice of the points and a resume continues a folder's journal.
//! Every guarantee — the output-folder checks, the memory guard, atomic and journalled writes,
//! the hook that lets the binary hold off signals while writing, progress, every table — holds
//! for all of them because there is no other road.

pub mod adaptive;
pub mod load;
pub mod plan;
pub mod pool;

pub use adaptive::Precision;
pub use load::{Overrides, ReferenceChoice, load_plan};
pub use plan::{Plan, Reference};
pub use pool::{CANCEL_POLL, Cancelled, Observer, run_points};

use crate::engine::Worlds;
use crate::error::Error;
use crate::guard::MemoryEstimate;
use crate::output::format::{Column, ColumnType, columns, parameter_type};
use crate::output::table::{PointOutput, Table};
use crate::output::tables::{PointColumns, parameter_text};
use crate::output::{
    AdaptiveInfo, FolderLock, Format, Identity, Manifest, OutFolder, PARTIAL_DIR, ReferenceInfo, ShardInfo, Start,
    SweepInfo, SweepWriter, plan_start,
};
use crate::sweep::Shard;
use std::ops::Range;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// How often finished points are made durable by default.
pub const DEFAULT_SYNC_EVERY: Duration = Duration::from_millis(500);

/// Where and how a plan runs.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// The output folder.
    pub dir: PathBuf,
    /// Run only this share of the points.
    pub shard: Option<Shard>,
    /// Continue an interrupted run in `dir` instead of starting afresh.
    pub resume: bool,
    /// Also write `replications.csv`.
    pub raw: bool,
    /// The tables' file format.
    pub format: Format,
    /// Write beside files cartshift did not write.
    pub force: bool,
    /// Memory the run may use, in bytes; `None` skips the guard.
    pub available_memory: Option<u64>,
    /// How often finished points are fsynced and journalled ([`DEFAULT_SYNC_EVERY`]).
    pub sync_every: Duration,
    /// The command line, recorded in the manifest.
    pub command_line: Vec<String>,
    /// Run each point in batches until this precision is met, instead of a fixed number of
    /// replications ([`adaptive`]).
    pub precision: Option<Precision>,
    /// Fault injection for tests: fail like a full disk after this many bytes of rows
    /// ([`SweepWriter::fail_after`]). `None` in real runs.
    pub fail_write_after: Option<u64>,
}

impl RunOptions {
    /// A whole run into `dir`: no shard, no resume, no `replications.csv`, no guard.
    pub fn new(dir: impl Into<PathBuf>) -> RunOptions {
        RunOptions {
            dir: dir.into(),
            shard: None,
            resume: false,
            raw: false,
            format: Format::Csv,
            force: false,
            available_memory: None,
            sync_every: DEFAULT_SYNC_EVERY,
            command_line: Vec::new(),
            precision: None,
            fail_write_after: None,
        }
    }
}

/// What a run did.
#[derive(Debug, Clone)]
pub enum Outcome {
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

/// Runs `plan` (or its shard) on `pool` into `options.dir`, telling `observer` how it goes.
/// Call from outside `pool`.
pub fn execute(
    plan: &Plan,
    options: &RunOptions,
    pool: &rayon::ThreadPool,
    observer: &dyn Observer,
) -> Result<Outcome, Error> {
    let range = options.shard.map_or(0..plan.points(), |s| s.points(plan.points()));
    let first = plan.worlds(range.start.min(plan.points().saturating_sub(1)))?;
    let tables = Table::for_run(&first, options.raw);
    let identity = Identity {
        format: options.format,
        ..identity(plan, &first, (options.shard, options.precision), &range, &tables)
    };
    let folder = OutFolder::prepare(&options.dir, options.force, options.resume)?;
    let lock = FolderLock::acquire(&options.dir)?;
    if let Some(note) = lock.note() {
        observer.note(note);
    }
    let _lock = observer.hold(lock);
    let start = plan_start(&options.dir, &identity, options.resume)?;
    let next = match &start {
        Start::Complete(manifest) => return Ok(Outcome::AlreadyComplete { manifest: manifest.clone() }),
        Start::Fresh => range.start,
        Start::Resume { next, .. } => *next,
    };
    let window = 2 * pool.current_num_threads() + 1;
    let household_weeks = check_points(plan, next..range.end, options, (pool.current_num_threads(), window), observer)?;
    observer.planned(range.end.saturating_sub(next), household_weeks.1, household_weeks.0);
    let mut run = Writing {
        plan,
        options,
        identity: &identity,
        tables: &tables,
        first: &first,
        threads: pool.current_num_threads(),
        started: Instant::now(),
        household_weeks: household_weeks.0,
        writer: None,
        files: None,
        adaptive: Vec::new(),
        simulated: 0,
    };
    if let Start::Resume { next, lengths } = &start {
        let writer = SweepWriter::resume(&options.dir, &identity, *next, lengths, options.sync_every)?;
        run.writer = Some(writer.fail_after(options.fail_write_after).with_format(options.format, run.columns()));
    }
    let end = range.end;
    let result = run_points(
        pool,
        next..end,
        window,
        |p| Ok(with_replications(plan.worlds(p)?, options.precision.map(|p| p.min_replications))),
        |worlds, outputs| options.precision.map_or(0, |p| p.more(worlds, outputs)),
        observer,
        |point, worlds, results| {
            observer.point_results(point, worlds, &results);
            run.record_replications(worlds, &results);
            let columns = PointColumns { point, values: plan.values(point).iter().map(parameter_text).collect() };
            let out = PointOutput { worlds, results: &results, columns: &columns };
            let rows: Vec<Vec<u8>> = tables.iter().map(|t| t.rows(&out)).collect();
            run.write_point(&rows, point + 1 == end, observer)
        },
    )
    .and_then(|()| run.finish_if_needed(observer));
    match result {
        Ok(()) => {
            let files = run.files.take().expect("a finished run has its files");
            folder.remove_stale(&files);
            let manifest = run.manifest();
            Ok(Outcome::Finished { manifest: Box::new(manifest), files, points: end.saturating_sub(next) })
        }
        Err(err) => {
            if !resumable(&options.dir, &identity) {
                folder.discard();
            }
            Err(err)
        }
    }
}

/// Validates every point to run and applies the memory guard; returns the household-weeks and
/// replications to simulate.
fn check_points(
    plan: &Plan,
    points: Range<usize>,
    options: &RunOptions,
    (threads, window): (usize, usize),
    observer: &dyn Observer,
) -> Result<(u64, u64), Error> {
    let (mut household_weeks, mut replications) = (0u64, 0u64);
    let mut largest: Option<MemoryEstimate> = None;
    let in_flight = window.min(points.len()).max(1);
    let total = points.len();
    for (done, point) in points.enumerate() {
        observer.checked(done + 1, total);
        let w = with_replications(plan.worlds(point)?, options.precision.map(|p| p.max_replications));
        household_weeks += w.household_weeks();
        replications += u64::from(w.replications());
        let estimate = MemoryEstimate::new(&w.scenario, w.reference.as_ref(), threads, options.raw)
            .with_points_in_flight(in_flight);
        if largest.is_none_or(|l| estimate.bytes() > l.bytes()) {
            largest = Some(estimate);
        }
    }
    if let (Some(available), Some(estimate)) = (options.available_memory, largest) {
        estimate.check(available)?;
    }
    Ok((household_weeks, replications))
}

/// `worlds` with `replications` per world, when given (adaptive runs start at the minimum and
/// are sized for the maximum).
fn with_replications(mut worlds: Worlds, replications: Option<u32>) -> Worlds {
    if let Some(n) = replications {
        worlds.scenario.simulation.replications = n;
        if let Some(r) = &mut worlds.reference {
            r.simulation.replications = n;
        }
    }
    worlds
}

/// True when the folder holds an unfinished run of `identity` (its journal), worth keeping for
/// `--resume` after a failure: the points it finished, if any, stay valid.
fn resumable(dir: &std::path::Path, identity: &Identity) -> bool {
    let journal = dir.join(PARTIAL_DIR).join(crate::output::folder::JOURNAL_FILE);
    journal.is_file() && identity.files.iter().all(|f| dir.join(PARTIAL_DIR).join(f).is_file() || dir.join(f).is_file())
}

/// The writing half of a run: the writer (created when the first point is ready, so a run
/// stopped before then leaves nothing), and the files once finished.
struct Writing<'a> {
    plan: &'a Plan,
    options: &'a RunOptions,
    identity: &'a Identity,
    tables: &'a [Table],
    first: &'a Worlds,
    threads: usize,
    started: Instant,
    household_weeks: u64,
    writer: Option<SweepWriter>,
    files: Option<Vec<String>>,
    /// With a precision: each point's replications and whether the target was met.
    adaptive: Vec<(u32, bool)>,
    /// With a precision: household-weeks simulated so far.
    simulated: u64,
}

impl Writing<'_> {
    /// Notes how many replications an adaptive point took and whether it met the target.
    fn record_replications(&mut self, worlds: &Worlds, results: &crate::engine::PointResults) {
        let Some(precision) = self.options.precision else { return };
        let n = results.scenario().replications.len();
        self.adaptive.push((n as u32, precision.met_results(worlds, results)));
        // The plan counted the maximum; count what ran.
        let per_replication = worlds.household_weeks() / u64::from(worlds.replications().max(1));
        self.simulated += per_replication * n as u64;
    }

    /// Appends a point's rows and, after the last point, finishes the folder — all under the
    /// observer's writing hook, so a signal cannot cut it half-way.
    fn write_point(&mut self, rows: &[Vec<u8>], last: bool, observer: &dyn Observer) -> Result<(), Error> {
        let mut result = Ok(());
        observer.writing(&mut || {
            result = self.writer().and_then(|w| Ok(w.write_point(rows)?));
            if last && result.is_ok() {
                result = self.finish();
            }
        });
        result
    }

    /// Finishes a run that had no point left to write (a resumed run stopped while finishing).
    fn finish_if_needed(&mut self, observer: &dyn Observer) -> Result<(), Error> {
        if self.files.is_some() {
            return Ok(());
        }
        let mut result = Ok(());
        observer.writing(&mut || result = self.writer().map(|_| ()).and_then(|()| self.finish()));
        result
    }

    fn writer(&mut self) -> Result<&mut SweepWriter, Error> {
        if self.writer.is_none() {
            let parameters = self.plan.parameters();
            let headers: Vec<Vec<u8>> = self.tables.iter().map(|t| t.header(&parameters)).collect();
            let writer = SweepWriter::create(&self.options.dir, self.identity, &headers, self.options.sync_every)?;
            self.writer =
                Some(writer.fail_after(self.options.fail_write_after).with_format(self.options.format, self.columns()));
        }
        Ok(self.writer.as_mut().expect("created above"))
    }

    /// Each table's columns, typed for Parquet (none are needed for CSV alone).
    fn columns(&self) -> Vec<Vec<Column>> {
        if !self.options.format.writes_parquet() {
            return Vec::new();
        }
        let parameters = parameter_types(self.plan);
        let names: Vec<String> = parameters.iter().map(|(n, _)| n.clone()).collect();
        let header = |t: &Table| -> Vec<String> {
            let bytes = t.header(&names);
            let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(&bytes[..]);
            reader
                .records()
                .next()
                .and_then(Result::ok)
                .map(|r| r.iter().map(str::to_string).collect())
                .unwrap_or_default()
        };
        self.tables.iter().map(|t| columns(&header(t), &parameters)).collect()
    }

    fn finish(&mut self) -> Result<(), Error> {
        let writer = self.writer.take().expect("finish follows a writer");
        let manifest = self.manifest();
        let files = writer.finish(manifest, &self.resolved_files())?;
        self.files = Some(files);
        Ok(())
    }

    /// `scenario.toml` and, with a reference, `reference.toml`: the run, repeatable from the folder.
    fn resolved_files(&self) -> Vec<(String, Vec<u8>)> {
        let reference = self.plan.reference.as_ref();
        let sim = &self.first.scenario.simulation;
        let scenario = self.plan.sweep.resolved_toml(sim, reference.map(|_| "reference.toml"));
        let mut files = vec![("scenario.toml".to_string(), scenario.into_bytes())];
        if let Some(r) = reference {
            let toml = r.sweep.resolved_toml(&r.scenario.simulation, None);
            files.push(("reference.toml".to_string(), toml.into_bytes()));
        }
        files
    }

    fn manifest(&self) -> Manifest {
        let wall = self.started.elapsed().as_secs_f64();
        let household_weeks = if self.options.precision.is_some() { self.simulated } else { self.household_weeks };
        let mut manifest = Manifest::new(&self.first.scenario, self.threads, wall, household_weeks);
        manifest.scenario_hash = self.identity.scenario_hash.clone();
        manifest.reference = self.first.reference.as_ref().map(|r| ReferenceInfo {
            scenario: r.name.clone(),
            scenario_hash: r.hash.clone(),
            common_random_numbers: self.first.common_random_numbers,
        });
        manifest.sweep = self.plan.sweep.is_sweep().then(|| SweepInfo {
            design: self.plan.sweep.design().name().to_string(),
            points: self.plan.points(),
            parameters: self.plan.parameters(),
            sensitivity: self.plan.sweep.design().sensitivity(),
        });
        manifest.shard = self.identity.shard;
        manifest.command_line = self.options.command_line.clone();
        manifest.adaptive = self.options.precision.map(|p| AdaptiveInfo {
            rule: p.describe(),
            half_width_pp: p.half_width_pp,
            replications: self.adaptive.iter().map(|a| a.0).collect(),
            met: self.adaptive.iter().map(|a| a.1).collect(),
        });
        manifest.files = self.files.clone().unwrap_or_default();
        manifest
    }
}

/// Each swept path with the type of its values over every point of the plan (so every shard
/// of a sweep types its columns alike).
fn parameter_types(plan: &Plan) -> Vec<(String, ColumnType)> {
    let values: Vec<Vec<toml::Value>> = (0..plan.points()).map(|p| plan.values(p)).collect();
    let typed = |(i, name): (usize, String)| (name, parameter_type(values.iter().filter_map(|v| v.get(i))));
    plan.parameters().into_iter().enumerate().map(typed).collect()
}

/// What the folder will be the results of.
fn identity(
    plan: &Plan,
    first: &Worlds,
    (shard, precision): (Option<Shard>, Option<Precision>),
    range: &Range<usize>,
    tables: &[Table],
) -> Identity {
    Identity {
        cartshift_version: env!("CARGO_PKG_VERSION").to_string(),
        scenario: first.scenario.name.clone(),
        scenario_hash: plan.hash(),
        seed: first.scenario.simulation.seed,
        points: plan.points(),
        shard: shard.map(|s| ShardInfo {
            index: s.index,
            count: s.count,
            first_point: range.start,
            points: range.len(),
        }),
        files: tables.iter().map(Table::file_name).collect(),
        precision: precision.map(|p| p.describe()),
        format: Format::Csv,
    }
}
