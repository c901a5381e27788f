//! A progress bar on stderr for runs longer than a second: replications done, elapsed time and
//! the time left. Silent with `--quiet` or when stderr is not a terminal; a run that finishes
//! within the second never draws it.
//!
//! `CARTSHIFT_PROGRESS_DELAY_MS` changes the one-second delay; the tests use it to see the bar
//! on a run that takes less than a second.

use cartshift::sweep::Observer;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};
use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Points validated between two updates of the bar's message while a sweep is checked.
const CHECKED_EVERY: usize = 100;

/// How long a run goes before the bar appears.
const DEFAULT_DELAY: Duration = Duration::from_secs(1);

/// Counts household-weeks (the engine's unit of progress) and shows them as replications.
pub struct Progress {
    bar: ProgressBar,
    started: Instant,
    delay: Duration,
    /// False when the bar must never be drawn.
    allowed: bool,
    shown: AtomicBool,
}

impl Progress {
    /// A bar for `household_weeks` of work spread evenly over `replications`.
    pub fn new(household_weeks: u64, replications: u32, quiet: bool) -> Progress {
        let bar = ProgressBar::with_draw_target(Some(household_weeks), ProgressDrawTarget::hidden());
        bar.set_style(style(replications));
        Progress {
            bar,
            started: Instant::now(),
            delay: delay(),
            allowed: !quiet && std::io::stderr().is_terminal(),
            shown: AtomicBool::new(false),
        }
    }

    /// Records `n` more household-weeks done; draws the bar once the delay has passed.
    pub fn advance(&self, n: u64) {
        self.bar.inc(n);
        if self.allowed
            && !self.shown.load(Ordering::Relaxed)
            && self.started.elapsed() >= self.delay
            && !self.shown.swap(true, Ordering::Relaxed)
        {
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    }

    /// Clears the bar from the terminal.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

fn delay() -> Duration {
    let ms = std::env::var("CARTSHIFT_PROGRESS_DELAY_MS").ok().and_then(|v| v.parse().ok());
    ms.map_or(DEFAULT_DELAY, Duration::from_millis)
}

/// Replications done out of `replications`, from the share of household-weeks done.
fn replications_done(position: u64, length: u64, replications: u32) -> u64 {
    if length == 0 { 0 } else { (u128::from(position) * u128::from(replications) / u128::from(length)) as u64 }
}

fn style(replications: u32) -> ProgressStyle {
    let count = move |state: &ProgressState, w: &mut dyn std::fmt::Write| {
        let done = replications_done(state.pos(), state.len().unwrap_or(0), replications);
        let _ = write!(w, "{done}/{replications}");
    };
    ProgressStyle::with_template("{bar:40} {replications} replications  {elapsed} elapsed  ETA {eta}")
        .expect("valid template")
        .with_key("replications", count)
}

/// A bar counting household-weeks for a sweep, or a hidden one.
fn bar(total: u64, quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    let template = "{bar:40} {percent:>3}%  {human_pos}/{human_len} household-weeks  {per_sec}  ETA {eta}";
    bar.set_style(ProgressStyle::with_template(template).expect("valid template"));
    bar
}

/// The bar of a run without a reference: household-weeks for the ETA and, in a sweep, points
/// and replications done and points per second.
pub struct SweepProgress {
    bar: ProgressBar,
    sweep: bool,
    points: AtomicUsize,
    points_total: AtomicUsize,
    replications: AtomicU64,
    replications_total: AtomicU64,
}

impl SweepProgress {
    pub fn new(quiet: bool, sweep: bool) -> SweepProgress {
        let bar = bar(0, quiet);
        if sweep && !bar.is_hidden() {
            let template = "{bar:30} {percent:>3}%  {msg}  ETA {eta}";
            bar.set_style(ProgressStyle::with_template(template).expect("valid template"));
        }
        SweepProgress {
            bar,
            sweep,
            points: AtomicUsize::new(0),
            points_total: AtomicUsize::new(0),
            replications: AtomicU64::new(0),
            replications_total: AtomicU64::new(0),
        }
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }

    fn refresh(&self) {
        if !self.sweep || self.bar.is_hidden() {
            return;
        }
        let points = self.points.load(Ordering::Relaxed);
        let seconds = self.bar.elapsed().as_secs_f64();
        let rate = if seconds > 0.0 { points as f64 / seconds } else { 0.0 };
        self.bar.set_message(format!(
            "{points}/{} points  {}/{} replications  {rate:.1} points/s",
            self.points_total.load(Ordering::Relaxed),
            self.replications.load(Ordering::Relaxed),
            self.replications_total.load(Ordering::Relaxed),
        ));
    }
}

impl Observer for SweepProgress {
    fn checked(&self, done: usize, points: usize) {
        if self.sweep && !self.bar.is_hidden() && (done.is_multiple_of(CHECKED_EVERY) || done == points) {
            self.bar.set_message(format!("checked {done}/{points} points before running them"));
            self.bar.tick();
        }
    }

    fn planned(&self, points: usize, replications: u64, household_weeks: u64) {
        self.points_total.store(points, Ordering::Relaxed);
        self.replications_total.store(replications, Ordering::Relaxed);
        self.bar.set_length(household_weeks);
        self.bar.reset_elapsed();
        self.refresh();
    }

    fn household_weeks(&self, n: u64) {
        self.bar.inc(n);
    }

    fn replication_done(&self) {
        self.replications.fetch_add(1, Ordering::Relaxed);
        self.refresh();
    }

    fn point_done(&self, _point: usize) {
        self.points.fetch_add(1, Ordering::Relaxed);
        self.refresh();
    }

    fn note(&self, message: &str) {
        self.bar.suspend(|| eprintln!("note: {message}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replications_are_counted_from_work_done() {
        assert_eq!(replications_done(0, 3200, 32), 0);
        assert_eq!(replications_done(99, 3200, 32), 0);
        assert_eq!(replications_done(100, 3200, 32), 1);
        assert_eq!(replications_done(3200, 3200, 32), 32);
        assert_eq!(replications_done(5, 0, 32), 0);
    }
}
