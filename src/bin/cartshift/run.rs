//! `cartshift run` and `cartshift compare`: typed options in, the library's one pipeline
//! ([`cartshift::pipeline`]) in the middle, printing out. Plain, compared, swept, sharded and
//! resumed runs differ here only in the plan and options they build.

use crate::cli::{CompareArgs, RunArgs, RunOptions, ShardArg};
use crate::error::CliError;
use crate::progress::RunProgress;
use crate::{interrupt, memory};
use cartshift::engine::{PointResults, Worlds};
use cartshift::guard::TooLarge;
use cartshift::output::comparison::retailer_share_shifts;
use cartshift::pipeline::{self, Outcome, Overrides, Plan, ReferenceChoice, load_plan};
use cartshift::sweep::Shard;
use std::path::{Path, PathBuf};

pub fn run(args: RunArgs) -> Result<(), CliError> {
    let choice = match (args.no_reference, args.reference) {
        (true, _) => ReferenceChoice::Skip,
        (false, Some(file)) => ReferenceChoice::File(file),
        (false, None) => ReferenceChoice::Default,
    };
    let shard = match args.shard {
        None => None,
        Some(ShardArg::Fixed(shard)) => Some(shard),
        Some(ShardArg::Auto) => Some(Shard::from_scheduler(|name| std::env::var(name).ok())?),
    };
    execute(&args.scenario, choice, args.options, shard, args.resume)
}

pub fn compare(args: CompareArgs) -> Result<(), CliError> {
    execute(&args.scenario, ReferenceChoice::File(args.reference), args.options, None, false)
}

/// Builds the plan from the files and flags.
fn plan(path: &Path, choice: ReferenceChoice, o: &RunOptions) -> Result<Plan, CliError> {
    let overrides = Overrides {
        replications: o.replications,
        households: o.households,
        seed: o.seed,
        set: o.overrides.clone(),
        no_crn: o.no_crn,
    };
    Ok(load_plan(path, choice, &overrides)?)
}

fn execute(
    path: &Path,
    choice: ReferenceChoice,
    o: RunOptions,
    shard: Option<Shard>,
    resume: bool,
) -> Result<(), CliError> {
    let plan = plan(path, choice, &o)?;
    let first = plan.worlds(0)?;
    let dir = o.out.clone().unwrap_or_else(|| {
        let whole = default_folder(&first.scenario.name);
        shard.map_or(whole.clone(), |s| whole.join(format!("shard-{}-of-{}", s.index, s.count)))
    });
    let (pool, _) = thread_pool(o.threads);
    let mut options = pipeline::RunOptions::new(&dir);
    (options.shard, options.resume, options.raw, options.force) = (shard, resume, o.raw, o.force);
    options.format = o.format;
    options.available_memory = if o.force { None } else { memory::available_bytes() };
    options.command_line = std::env::args().collect();
    options.precision = precision(&o, resume)?;
    options.fail_write_after = crate::faults::fail_write_after()?;
    let progress = RunProgress::new(o.quiet, plan.sweep.is_sweep());
    let outcome = pipeline::execute(&plan, &options, &pool, &progress);
    progress.finish();
    match outcome? {
        _ if o.quiet => {}
        Outcome::AlreadyComplete { .. } => println!("{}: already complete, nothing to resume", dir.display()),
        Outcome::Finished { manifest, files, points } => {
            crate::summary::print(&plan, &manifest, points);
            println!("wrote {}: {}", dir.display(), files.join(", "));
            if !plan.sweep.is_sweep() {
                progress.print_shifts();
            }
        }
    }
    if o.report {
        crate::report::write(&dir, o.quiet)?;
    }
    Ok(())
}

/// The adaptive-replications rule from `--precision` and its bounds.
fn precision(o: &RunOptions, resume: bool) -> Result<Option<pipeline::Precision>, CliError> {
    let Some(half_width_pp) = o.precision else { return Ok(None) };
    if resume {
        return Err(CliError::Usage("--precision cannot be combined with --resume yet: run without --resume".into()));
    }
    if o.min_replications > o.max_replications {
        let (min, max) = (o.min_replications, o.max_replications);
        return Err(CliError::Usage(format!("--min-replications {min} is above --max-replications {max}")));
    }
    let (min_replications, max_replications) = (o.min_replications, o.max_replications);
    Ok(Some(pipeline::Precision { half_width_pp, min_replications, max_replications }))
}

/// What to do about a run refused by the resource guard, in terms of flags.
pub fn too_large_hint(e: &TooLarge) -> String {
    if e.largest_households == 0 {
        "hint: lower --replications or simulation.weeks, or pass --force to run anyway".into()
    } else {
        format!("hint: the largest --households that fits is {}; or pass --force to run anyway", e.largest_households)
    }
}

/// A pool of `--threads` workers (default: all cores) and its size.
pub(crate) fn thread_pool(threads: Option<u32>) -> (rayon::ThreadPool, usize) {
    let threads = threads.map_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()), |t| t as usize);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("thread pool starts");
    (pool, threads)
}

/// `results/<scenario name>/`.
pub(crate) fn default_folder(name: &str) -> PathBuf {
    PathBuf::from("results").join(folder_name(name))
}

/// Lets the library's pipeline hold off Ctrl-C while it writes.
impl cartshift::pipeline::Observer for RunProgress {
    fn planned(&self, points: usize, replications: u64, household_weeks: u64) {
        self.plan(points, replications, household_weeks);
    }

    fn household_weeks(&self, n: u64) {
        self.advance(n);
    }

    fn replication_done(&self) {
        self.replication();
    }

    fn point_done(&self, _point: usize) {
        self.point();
    }

    fn writing(&self, write: &mut dyn FnMut()) {
        interrupt::while_writing(write)
    }

    fn checked(&self, done: usize, points: usize) {
        self.checked(done, points);
    }

    fn note(&self, message: &str) {
        self.note(message);
    }

    fn hold(&self, lock: cartshift::output::FolderLock) -> Option<cartshift::output::FolderLock> {
        interrupt::hold(lock);
        None
    }

    fn point_results(&self, _point: usize, worlds: &Worlds, results: &PointResults) {
        if let (Some(r), Some(c)) = (&worlds.reference, results.comparison()) {
            self.keep_shifts(&r.name, retailer_share_shifts(&worlds.scenario, r, c));
        }
    }
}

/// A scenario name as a folder name: anything but letters, digits, `-`, `_` and `.` becomes `_`.
fn folder_name(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() || "-_.".contains(c) { c } else { '_' }).collect()
}
