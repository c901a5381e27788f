//! One flat parallel pool over (point × replication), results handed on in point order.
//!
//! Every replication of every point is one task on the rayon pool, so a sweep of many small
//! points and a run of one large point both keep every core busy (a replication also spreads
//! its household blocks over the pool). The calling thread, which is not one of the pool's
//! workers, builds each point's scenario, feeds the pool tasks for at most `window` points at
//! a time, and hands a point's replications on as soon as it and every earlier point are done.
//! Memory holds at most `window` points whatever the size of the sweep, and nothing handed on
//! depends on which thread ran what.

use crate::engine::{ReplicationResult, RunResults, run_replication};
use crate::scenario::Scenario;
use std::collections::VecDeque;
use std::ops::Range;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;

/// Told how a sweep is getting on, from any thread. Every method does nothing by default.
pub trait Observer: Sync {
    /// What this run will simulate: points, replications and household-weeks (warm-up included).
    fn planned(&self, _points: usize, _replications: u64, _household_weeks: u64) {}
    /// `n` more household-weeks simulated.
    fn household_weeks(&self, _n: u64) {}
    /// One more replication finished.
    fn replication_done(&self) {}
    /// `point` and every point before it are finished and handed on.
    fn point_done(&self, _point: usize) {}
}

/// The observer that ignores everything.
impl Observer for () {}

/// A point whose replications are running or waiting to be handed on.
struct InFlight {
    point: usize,
    scenario: Arc<Scenario>,
    replications: Vec<Option<ReplicationResult>>,
    missing: usize,
}

/// What a task sends back: its point, its replication and its result (`None` when cancelled).
type Report = (usize, u32, std::thread::Result<Option<ReplicationResult>>);

/// Runs every replication of every point in `points` on `pool`, and calls `emit` for each point
/// in point order with its scenario and its replications in replication order.
///
/// `scenario` builds a point's scenario (on the calling thread, as the point enters the window).
/// The first error of `scenario` or `emit` stops the run: no new task starts, running ones
/// finish, and the error is returned. Call this from outside `pool` (not inside `install`).
pub fn run_points<E>(
    pool: &rayon::ThreadPool,
    points: Range<usize>,
    window: usize,
    mut scenario: impl FnMut(usize) -> Result<Scenario, E>,
    observer: &dyn Observer,
    mut emit: impl FnMut(usize, &Scenario, RunResults) -> Result<(), E>,
) -> Result<(), E> {
    let window = window.max(1);
    let cancelled = AtomicBool::new(false);
    let (tx, rx) = mpsc::channel::<Report>();
    pool.in_place_scope(|scope| {
        let mut flight: VecDeque<InFlight> = VecDeque::new();
        let mut next = points.start;
        let mut outstanding = 0usize;
        let mut outcome: Result<(), E> = Ok(());
        let mut panicked = None;
        loop {
            while outcome.is_ok() && panicked.is_none() && next < points.end && flight.len() < window {
                match scenario(next) {
                    Ok(s) => {
                        let s = Arc::new(s);
                        for rep in 0..s.simulation.replications {
                            let (s, tx, cancelled) = (Arc::clone(&s), tx.clone(), &cancelled);
                            let point = next;
                            scope.spawn(move |_| {
                                let _ = tx.send((point, rep, replicate(&s, rep, cancelled, observer)));
                            });
                        }
                        outstanding += s.simulation.replications as usize;
                        let missing = s.simulation.replications as usize;
                        flight.push_back(InFlight {
                            point: next,
                            scenario: s,
                            replications: vec![None; missing],
                            missing,
                        });
                    }
                    Err(e) => outcome = Err(e),
                }
                next += 1;
            }
            while flight.front().is_some_and(|f| f.missing == 0) {
                let done = flight.pop_front().expect("front checked above");
                if outcome.is_ok() && panicked.is_none() {
                    let replications = done.replications.into_iter().flatten().collect();
                    outcome = emit(done.point, &done.scenario, RunResults { replications });
                    observer.point_done(done.point);
                }
            }
            let stopping = outcome.is_err() || panicked.is_some();
            if stopping {
                cancelled.store(true, Ordering::Relaxed);
            }
            if outstanding == 0 {
                // Every point handed on (or the run stopping): finish, or refill the window.
                if stopping || next >= points.end {
                    break;
                }
                continue;
            }
            let (point, rep, result) = rx.recv().expect("this thread holds a sender");
            outstanding -= 1;
            match result {
                Ok(Some(r)) => {
                    let first = flight[0].point;
                    let slot = &mut flight[point - first];
                    slot.replications[rep as usize] = Some(r);
                    slot.missing -= 1;
                }
                Ok(None) => {}
                Err(payload) => {
                    panicked.get_or_insert(payload);
                }
            }
        }
        if let Some(payload) = panicked {
            resume_unwind(payload);
        }
        outcome
    })
}

/// One task: a replication, unless the run was cancelled; a panic is caught and sent back.
fn replicate(
    s: &Scenario,
    rep: u32,
    cancelled: &AtomicBool,
    observer: &dyn Observer,
) -> std::thread::Result<Option<ReplicationResult>> {
    if cancelled.load(Ordering::Relaxed) {
        return Ok(None);
    }
    let result = catch_unwind(AssertUnwindSafe(|| run_replication(s, rep, &|n| observer.household_weeks(n))))?;
    observer.replication_done();
    Ok(Some(result))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{LoadOptions, TEST_SCENARIO, load_str};
    use std::sync::Mutex;

    fn scenario(replications: u32) -> Scenario {
        let text = TEST_SCENARIO.replace("COVERAGE", "0.5")
            + &format!("[simulation]\nweeks = 2\nwarmup_weeks = 1\nhouseholds = 50\nreplications = {replications}\n");
        load_str(&text, &LoadOptions::default()).unwrap()
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
        let result: Result<(), ()> = run_points(
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
            &(),
            |point, _, results| {
                assert_eq!(results.replications.iter().map(|r| r.replication).collect::<Vec<_>>(), [0, 1]);
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
        let result: Result<(), ()> = run_points(
            &pool,
            0..5,
            1,
            |_| Ok(scenario(3)),
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
            |p| if p == 5 { Err(format!("bad point {p}")) } else { Ok(scenario(1)) },
            &(),
            |point, _, _| {
                emitted.push(point);
                Ok(())
            },
        );
        assert_eq!(result, Err("bad point 5".to_string()));
        assert!(emitted.iter().all(|&p| p < 5), "{emitted:?}");
    }
}
