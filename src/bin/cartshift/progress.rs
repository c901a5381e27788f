//! A progress bar on stderr for runs longer than a second: replications (or a sweep's points)
//! done, elapsed time and the time left. Silent with `--quiet` or when stderr is not a terminal; a run that finishes
//! within the second never draws it.
//!
//! `CARTSHIFT_PROGRESS_DELAY_MS` changes the one-second delay; the tests use it to see the bar
//! on a run that takes less than a second.

use cartshift::stats::Summary;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};
use std::io::IsTerminal;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Points validated between two updates of the bar's message while a sweep is checked.
const CHECKED_EVERY: usize = 100;

/// How long a run goes before the bar appears.
const DEFAULT_DELAY: Duration = Duration::from_secs(1);

/// A compared point's headline: the reference's name and each retailer's share shift.
type Headline = (String, Vec<(String, Summary)>);

/// The bar of every run: household-weeks for the ETA, shown as replications for a single
/// scenario and as points, replications and points per second for a sweep. It is drawn only
/// after the delay, and never with `--quiet` or when stderr is not a terminal. It also keeps a
/// single scenario's headline shifts for printing at the end.
pub struct RunProgress {
    bar: ProgressBar,
    sweep: bool,
    started: Instant,
    delay: Duration,
    allowed: bool,
    shown: AtomicBool,
    points: AtomicUsize,
    points_total: AtomicUsize,
    replications: AtomicU64,
    replications_total: AtomicU64,
    shifts: Mutex<Option<Headline>>,
}

impl RunProgress {
    pub fn new(quiet: bool, sweep: bool) -> RunProgress {
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::hidden());
        RunProgress {
            bar,
            sweep,
            started: Instant::now(),
            delay: delay(),
            allowed: !quiet && std::io::stderr().is_terminal(),
            shown: AtomicBool::new(false),
            points: AtomicUsize::new(0),
            points_total: AtomicUsize::new(0),
            replications: AtomicU64::new(0),
            replications_total: AtomicU64::new(0),
            shifts: Mutex::new(None),
        }
    }

    /// What the run will do.
    pub fn plan(&self, points: usize, replications: u64, household_weeks: u64) {
        self.points_total.store(points, Ordering::Relaxed);
        self.replications_total.store(replications, Ordering::Relaxed);
        self.bar.set_length(household_weeks);
        self.bar.set_style(if self.sweep { sweep_style() } else { style(replications) });
        self.bar.reset_elapsed();
        self.refresh();
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

    pub fn replication(&self) {
        self.replications.fetch_add(1, Ordering::Relaxed);
        self.refresh();
    }

    pub fn point(&self) {
        self.points.fetch_add(1, Ordering::Relaxed);
        self.refresh();
    }

    /// Validation of a large sweep's points before they run: `done` of `points` checked.
    pub fn checked(&self, done: usize, points: usize) {
        if self.sweep && (done.is_multiple_of(CHECKED_EVERY) || done == points) {
            self.bar.set_message(format!("checked {done}/{points} points before running them"));
            self.advance(0);
            self.bar.tick();
        }
    }

    /// Something the user should know that is not an error, printed around the bar.
    pub fn note(&self, message: &str) {
        self.bar.suspend(|| eprintln!("note: {message}"));
    }

    /// Clears the bar from the terminal.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }

    /// Keeps a compared point's headline: each retailer's share shift against `reference`.
    pub fn keep_shifts(&self, reference: &str, shifts: Vec<(String, Summary)>) {
        *self.shifts.lock().unwrap_or_else(|p| p.into_inner()) = Some((reference.to_string(), shifts));
    }

    /// The headline: each retailer's mean weekly trip share, scenario minus reference.
    pub fn print_shifts(&self) {
        let kept = self.shifts.lock().unwrap_or_else(|p| p.into_inner());
        let Some((reference, shifts)) = kept.as_ref() else { return };
        println!("\nshift in mean weekly trip share against {reference} (percentage points, paired 95% CI):");
        for (name, summary) in shifts {
            let ci =
                summary.ci95.map_or(String::new(), |(lo, hi)| format!("  [{:+.3}, {:+.3}]", lo * 100.0, hi * 100.0));
            println!("  {name:<24} {:+.3}{ci}", summary.mean * 100.0);
        }
    }

    fn refresh(&self) {
        if !self.sweep {
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

fn delay() -> Duration {
    let ms = std::env::var("CARTSHIFT_PROGRESS_DELAY_MS").ok().and_then(|v| v.parse().ok());
    ms.map_or(DEFAULT_DELAY, Duration::from_millis)
}

/// Replications done out of `replications`, from the share of household-weeks done.
fn replications_done(position: u64, length: u64, replications: u64) -> u64 {
    if length == 0 { 0 } else { (u128::from(position) * u128::from(replications) / u128::from(length)) as u64 }
}

fn style(replications: u64) -> ProgressStyle {
    let count = move |state: &ProgressState, w: &mut dyn std::fmt::Write| {
        let done = replications_done(state.pos(), state.len().unwrap_or(0), replications);
        let _ = write!(w, "{done}/{replications}");
    };
    ProgressStyle::with_template("{bar:40} {replications} replications  {elapsed} elapsed  ETA {eta}")
        .expect("valid template")
        .with_key("replications", count)
}

fn sweep_style() -> ProgressStyle {
    ProgressStyle::with_template("{bar:30} {percent:>3}%  {msg}  ETA {eta}").expect("valid template")
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
