//! Ctrl-C (SIGINT) and SIGTERM: stop at once, leave no partial file in the output folder, and
//! exit with 128 + the signal number (130, 143), as shells expect.
//!
//! Rows are written point by point into a hidden partial folder and the files are moved into
//! place whole at the end. A signal during the simulation exits straight away: a plain run has
//! written nothing (its only point is written at the end); a sweep keeps its finished points in
//! the partial folder for `--resume`. A signal while the files
//! are being written waits for the writing to finish (no temporary file is left behind and the
//! folder holds one whole, consistent set of files), then exits with the signal's code. The
//! library knows nothing of this: it is the binary's process state.

use cartshift::output::FolderLock;
use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::iterator::Signals;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI32, Ordering};

/// Held while results are written; the signal thread takes it before exiting.
static WRITING: Mutex<()> = Mutex::new(());
/// The signal received, or 0.
static RECEIVED: AtomicI32 = AtomicI32::new(0);
/// The output folder's lock, released (its file removed) on an exit by signal too.
static LOCK: Mutex<Option<FolderLock>> = Mutex::new(None);

/// Holds `lock` until [`release`] or an exit by signal.
pub fn hold(lock: FolderLock) {
    *LOCK.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(lock);
}

/// Releases the lock [`hold`] took.
pub fn release() {
    LOCK.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).take();
}

/// Starts the thread that turns SIGINT and SIGTERM into an orderly exit.
pub fn install() -> std::io::Result<()> {
    let mut signals = Signals::new([SIGINT, SIGTERM])?;
    std::thread::Builder::new().name("signals".into()).spawn(move || {
        if let Some(signal) = signals.forever().next() {
            RECEIVED.store(signal, Ordering::SeqCst);
            let _writing = WRITING.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            exit(signal);
        }
    })?;
    Ok(())
}

/// Runs `write` so that a signal cannot end the process half-way through it.
pub fn while_writing<T>(write: impl FnOnce() -> T) -> T {
    let _writing = WRITING.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let result = write();
    match RECEIVED.load(Ordering::SeqCst) {
        0 => result,
        signal => exit(signal),
    }
}

fn exit(signal: i32) -> ! {
    let name = if signal == SIGINT { "SIGINT" } else { "SIGTERM" };
    release();
    eprintln!(
        "cartshift: interrupted by {name}; no partial file was left in the output folder (a sweep's finished \
         points are kept: continue with --resume)"
    );
    std::process::exit(128 + signal)
}
