//! A progress bar on stderr for long runs; silent when asked or when stderr is not a terminal.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

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
