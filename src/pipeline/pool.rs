//! One flat parallel pool over (point × replication), results handed on in point order.
//!
//! Every replication of every point is one task on the rayon pool, so a sweep of many small
//! points and a run of one large point both keep every core busy (a replication also spreads
//! its household blocks over the pool). The calling thread, which is not one of the pool's
//! workers, builds each point's scenario, feeds the pool tasks for at most `window` points at
//! a time, and hands a point's replications on as soon as it and every earlier point are done.
//! Memory holds at most `window` points whatever the size of the sweep, and nothing handed on
//! depends on which thread ran what. While the workers simulate, the calling thread asks the
//! observer every [`CANCEL_POLL`] whether to stop; a stop reaches running replications at their
//! next week's end, so even a run of one large point ends promptly.

use crate::engine::{PointResults, ReplicationOutput, Worlds};
use crate::output::FolderLock;
use std::collections::VecDeque;
use std::ops::ControlFlow;
use std::ops::Range;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

/// How often the calling thread asks [`Observer::cancelled`] while replications run.
pub const CANCEL_POLL: Duration = Duration::from_millis(50);

/// [`run_points`] stopped because [`Observer::cancelled`] said so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cancelled;

impl From<Cancelled> for crate::error::Error {
    fn from(_: Cancelled) -> Self {
        crate::error::Error::Cancelled
    }
}

/// Told how a sweep is getting on, from any thread. Every method does nothing by default.
pub trait Observer: Sync {
    /// `done` of `points` points validated, before any runs (a long sweep takes seconds).
    fn checked(&self, _done: usize, _points: usize) {}
    /// What this run will simulate: points, replications and household-weeks (warm-up included).
    fn planned(&self, _points: usize, _replications: u64, _household_weeks: u64) {}
    /// `n` more household-weeks simulated.
    fn household_weeks(&self, _n: u64) {}
    /// One more replication finished.
    fn replication_done(&self) {}
    /// `point` and every point before it are finished and handed on.
    fn point_done(&self, _point: usize) {}
    /// A point's results, before its rows are written (for a caller that prints a headline).
    fn point_results(&self, _point: usize, _worlds: &Worlds, _results: &PointResults) {}
    /// Runs `write` (a point's rows, and the folder's last files) so that nothing can stop the
    /// process half-way through it: the binary holds off Ctrl-C here. Calls `write` by default.
    fn writing(&self, write: &mut dyn FnMut()) {
        write()
    }
    /// Something the user should know that is not an error (a stale lock taken over).
    fn note(&self, _message: &str) {}
    /// The output folder's lock, taken for this run: keep it (and return `None`) to release it
    /// yourself, e.g. on an exit by signal; by default it is handed back and held to the end of
    /// the run.
    fn hold(&self, lock: FolderLock) -> Option<FolderLock> {
        Some(lock)
    }
    /// True when the caller wants the run to stop (e.g. Ctrl-C in a notebook): asked from the
    /// thread that started the run, before each point starts, before each point is handed on
    /// (its rows written) and every [`CANCEL_POLL`] while replications run. Running
    /// replications stop at their next week's end, nothing more is written, and the run ends
    /// with [`crate::error::Error::Cancelled`].
    fn cancelled(&self) -> bool {
        false
    }
}

/// The observer that ignores everything.
impl Observer for () {}

/// A point whose replications are running or waiting to be handed on.
struct InFlight {
    point: usize,
    worlds: Arc<Worlds>,
    replications: Vec<Option<ReplicationOutput>>,
    missing: usize,
    /// True once `more` said the point needs no more replications.
    settled: bool,
}

/// What a task sends back: its point, its replication and its result (`None` when the run is
/// stopping).
type Report = (usize, u32, std::thread::Result<Option<ReplicationOutput>>);

/// Runs every replication of every point in `points` on `pool`, and calls `emit` for each point
/// in point order with its worlds and its results (replications in replication order).
///
/// `worlds` builds a point's worlds (on the calling thread, as the point enters the window);
/// its `replications()` are started at once. Whenever all of a point's replications are in,
/// `more(worlds, outputs)` says how many further replications it needs (0: none; they are
/// numbered on from the last), so a point can run in batches until it is precise enough.
/// The first error of `worlds` or `emit`, or `observer` saying it is [`Observer::cancelled`]
/// (then the error is [`Cancelled`]), stops the run: no new task starts, running ones stop at
/// their next week's end and are discarded, and the error is returned. Call this from outside
/// `pool` (not inside `install`).
pub fn run_points<E: From<Cancelled>>(
    pool: &rayon::ThreadPool,
    points: Range<usize>,
    window: usize,
    mut worlds: impl FnMut(usize) -> Result<Worlds, E>,
    mut more: impl FnMut(&Worlds, &[ReplicationOutput]) -> u32,
    observer: &dyn Observer,
    mut emit: impl FnMut(usize, &Worlds, PointResults) -> Result<(), E>,
) -> Result<(), E> {
    let window = window.max(1);
    let stopping = AtomicBool::new(false);
    let (tx, rx) = mpsc::channel::<Report>();
    pool.in_place_scope(|scope| {
        let mut c = Coordinator {
            flight: VecDeque::new(),
            next: points.start,
            outstanding: 0,
            outcome: Ok(()),
            panicked: None,
        };
        let spawn = |point: usize, rep: u32, s: Arc<Worlds>| {
            let (tx, stopping) = (tx.clone(), &stopping);
            scope.spawn(move |_| {
                let _ = tx.send((point, rep, replicate(&s, rep, stopping, observer)));
            })
        };
        loop {
            while c.next < points.end && c.flight.len() < window && !c.cancel_if_asked(observer) {
                match worlds(c.next) {
                    Ok(s) => c.launch(Arc::new(s), spawn),
                    Err(e) => c.outcome = Err(e),
                }
            }
            c.extend(&mut more, spawn);
            c.hand_on(&mut emit, observer);
            if !c.running() {
                stopping.store(true, Ordering::Relaxed);
            }
            if c.outstanding == 0 {
                // Every point handed on (or the run stopping): finish, or refill the window.
                if !c.running() || c.next >= points.end {
                    break;
                }
                continue;
            }
            match rx.recv_timeout(CANCEL_POLL) {
                Ok(report) => c.receive(report),
                Err(RecvTimeoutError::Timeout) => {
                    c.cancel_if_asked(observer);
                }
                Err(RecvTimeoutError::Disconnected) => unreachable!("this thread holds a sender"),
            }
        }
        if let Some(payload) = c.panicked {
            resume_unwind(payload);
        }
        c.outcome
    })
}

/// The calling thread's book-keeping: points in flight, tasks not yet reported, first error.
struct Coordinator<E> {
    flight: VecDeque<InFlight>,
    next: usize,
    outstanding: usize,
    outcome: Result<(), E>,
    panicked: Option<Box<dyn std::any::Any + Send>>,
}

impl<E: From<Cancelled>> Coordinator<E> {
    fn running(&self) -> bool {
        self.outcome.is_ok() && self.panicked.is_none()
    }

    /// Stops the run with [`Cancelled`] if the observer asks; true when the run is stopping.
    fn cancel_if_asked(&mut self, observer: &dyn Observer) -> bool {
        if self.running() && observer.cancelled() {
            self.outcome = Err(Cancelled.into());
        }
        !self.running()
    }

    /// Starts every replication of the next point with `spawn(point, replication, scenario)`.
    fn launch(&mut self, s: Arc<Worlds>, mut spawn: impl FnMut(usize, u32, Arc<Worlds>)) {
        let replications = s.replications();
        for rep in 0..replications {
            spawn(self.next, rep, Arc::clone(&s));
        }
        let missing = replications as usize;
        self.outstanding += missing;
        let replications = vec![None; missing];
        self.flight.push_back(InFlight { point: self.next, worlds: s, replications, missing, settled: false });
        self.next += 1;
    }

    /// Asks `more` about every point whose replications are all in and starts what it wants.
    fn extend(
        &mut self,
        more: &mut impl FnMut(&Worlds, &[ReplicationOutput]) -> u32,
        mut spawn: impl FnMut(usize, u32, Arc<Worlds>),
    ) {
        if !self.running() {
            return;
        }
        for f in self.flight.iter_mut().filter(|f| f.missing == 0 && !f.settled) {
            let done: Vec<ReplicationOutput> = f.replications.iter().flatten().cloned().collect();
            let extra = more(&f.worlds, &done);
            if extra == 0 {
                f.settled = true;
                continue;
            }
            let first = f.replications.len() as u32;
            for rep in first..first + extra {
                spawn(f.point, rep, Arc::clone(&f.worlds));
            }
            f.replications.resize(f.replications.len() + extra as usize, None);
            f.missing += extra as usize;
            self.outstanding += extra as usize;
        }
    }

    /// Hands on, in order, every finished point at the front of the window.
    fn hand_on(
        &mut self,
        emit: &mut impl FnMut(usize, &Worlds, PointResults) -> Result<(), E>,
        observer: &dyn Observer,
    ) {
        while self.flight.front().is_some_and(|f| f.missing == 0 && f.settled) {
            let done = self.flight.pop_front().expect("front checked above");
            if !self.cancel_if_asked(observer) {
                let results = done.worlds.collect(done.replications.into_iter().flatten().collect());
                self.outcome = emit(done.point, &done.worlds, results);
                observer.point_done(done.point);
            }
        }
    }

    /// Files one task's report.
    fn receive(&mut self, (point, rep, result): Report) {
        self.outstanding -= 1;
        match result {
            Ok(Some(r)) => {
                let first = self.flight[0].point;
                let slot = &mut self.flight[point - first];
                slot.replications[rep as usize] = Some(r);
                slot.missing -= 1;
            }
            Ok(None) => {}
            Err(payload) => {
                self.panicked.get_or_insert(payload);
            }
        }
    }
}

/// One task: a replication, unless the run is stopping (then it stops at its next week's end
/// and its incomplete output is dropped); a panic is caught and sent back.
fn replicate(
    s: &Worlds,
    rep: u32,
    stopping: &AtomicBool,
    observer: &dyn Observer,
) -> std::thread::Result<Option<ReplicationOutput>> {
    if stopping.load(Ordering::Relaxed) {
        return Ok(None);
    }
    let progress = |n| {
        observer.household_weeks(n);
        if stopping.load(Ordering::Relaxed) { ControlFlow::Break(()) } else { ControlFlow::Continue(()) }
    };
    let result = catch_unwind(AssertUnwindSafe(|| s.replicate(rep, &progress)))?;
    if stopping.load(Ordering::Relaxed) {
        return Ok(None);
    }
    observer.replication_done();
    Ok(Some(result))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;
    use crate::scenario::{LoadOptions, TEST_SCENARIO, load_str};
    use std::sync::Mutex;

    fn scenario(replications: u32) -> Worlds {
        let text = TEST_SCENARIO.replace("COVERAGE", "0.5")
            + &format!("[simulation]\nweeks = 2\nwarmup_weeks = 1\nhouseholds = 50\nreplications = {replications}\n");
        Worlds::plain(load_str(&text, &LoadOptions::default()).unwrap())
    }

    /// Counts points started (scenario built) and handed on, to check the window holds.
    #[derive(Default)]
    struct Count {
        started: Mutex<usize>,
        emitted: Mutex<Vec<usize>>,
        most_in_flight: Mutex<usize>,
    }

    #[test]
    fn points_come_out_in_order_and_the_window_holds() {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
        let count = Count::default();
        let result: Result<(), Cancelled> = run_points(
            &pool,
            3..40,
            4,
            |_| {
                let mut started = count.started.lock().unwrap();
                *started += 1;
                let in_flight = *started - count.emitted.lock().unwrap().len();
                let mut most = count.most_in_flight.lock().unwrap();
                *most = (*most).max(in_flight);
                Ok(scenario(2))
            },
            |_, _| 0,
            &(),
            |point, _, results| {
                let reps = &results.scenario().replications;
                assert_eq!(reps.iter().map(|r| r.replication).collect::<Vec<_>>(), [0, 1]);
                count.emitted.lock().unwrap().push(point);
                Ok(())
            },
        );
        assert_eq!(result, Ok(()));
        assert_eq!(*count.emitted.lock().unwrap(), (3..40).collect::<Vec<_>>());
        assert!(*count.most_in_flight.lock().unwrap() <= 4);
    }

    /// With a window of one point, every point finishes before the next is fed: the coordinator
    /// must refill the window instead of waiting for reports that cannot come.
    #[test]
    fn a_drained_window_is_refilled() {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
        let mut emitted = Vec::new();
        let result: Result<(), Cancelled> = run_points(
            &pool,
            0..5,
            1,
            |_| Ok(scenario(3)),
            |_, _| 0,
            &(),
            |point, _, _| {
                emitted.push(point);
                Ok(())
            },
        );
        assert_eq!((result, emitted), (Ok(()), vec![0, 1, 2, 3, 4]));
    }

    #[test]
    fn the_first_error_stops_the_run() {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
        let mut emitted = Vec::new();
        let result = run_points(
            &pool,
            0..50,
            3,
            |p| if p == 5 { Err(Error::Failed(format!("bad point {p}"))) } else { Ok(scenario(1)) },
            |_, _| 0,
            &(),
            |point, _, _| {
                emitted.push(point);
                Ok(())
            },
        );
        assert!(matches!(result, Err(Error::Failed(m)) if m == "bad point 5"));
        assert!(emitted.iter().all(|&p| p < 5), "{emitted:?}");
    }
}
