//! A progress bar on stderr for long runs; silent when asked or when stderr is not a terminal.

use cartshift::sweep::Observer;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

/// A bar counting household-weeks, or a hidden one.
pub fn bar(total: u64, quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    let style = ProgressStyle::with_template(
        "{bar:40} {percent:>3}%  {human_pos}/{human_len} household-weeks  {per_sec}  ETA {eta}",
    )
    .expect("valid template");
    bar.set_style(style);
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
}
