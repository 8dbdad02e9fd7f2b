//! Faults during a build that are not the site's doing: a request to stop (Ctrl-C, `kill`), and
//! a bug in juxta or a library that panics while one page is rendered.
//!
//! A stop request only raises [`INTERRUPTED`]; the build notices it before the next page or
//! file, returns an error of kind [`Kind::Interrupted`](crate::error::Kind), and the staging
//! folder is removed on the way out, so the previous output stays as it was. A panic in one
//! page's rendering is caught and reported as an error naming the page, printed once like any
//! other error.
//!
//! A template can loop for a long time without writing or calling anything of juxta's, so that
//! nothing notices the request; Tera has no way to be stopped from outside. Every temporary
//! folder and file a run makes (staging, `juxta check`'s builds, a zip being written) is
//! therefore tracked while it exists, and the `juxta` command, when a stop request is
//! not honoured within a moment, removes them with [`remove_temporary`] and ends the process.

use std::cell::{Cell, RefCell};
use std::panic::{AssertUnwindSafe, PanicHookInfo};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, Once};

use crate::error::{Error, Result};

/// Raised when the process is asked to stop; the `juxta` command sets it from its signal
/// handlers.
pub static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Fails with an interruption once a stop was requested.
pub(crate) fn check() -> Result<()> {
    if INTERRUPTED.load(Ordering::SeqCst) {
        return Err(Error::interrupted());
    }
    Ok(())
}

/// Raised once a build has swapped its new output in: a stop request after that no longer leaves
/// the previous output (the `juxta` command says so).
pub static SWAPPED: AtomicBool = AtomicBool::new(false);

/// The temporary folders and files of this process that exist now.
static TEMPORARY: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// The list of temporary paths, held: while it is, [`remove_temporary`] waits. The swap of the
/// output holds it, so that a forced stop never removes a folder between two of its steps.
pub(crate) struct Temporary(MutexGuard<'static, Vec<PathBuf>>);

impl Temporary {
    /// Holds the list (waiting for whoever holds it).
    pub(crate) fn hold() -> Temporary {
        Temporary(TEMPORARY.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// Adds `path`, to be removed should the process be stopped before it is.
    pub(crate) fn track(&mut self, path: &Path) {
        self.0.push(path.to_path_buf());
    }

    /// Takes `path` off the list: it was removed or is no longer temporary.
    pub(crate) fn untrack(&mut self, path: &Path) {
        self.0.retain(|p| p != path);
    }
}

/// Tracks `path` (see [`Temporary::track`]).
pub(crate) fn track(path: &Path) {
    Temporary::hold().track(path);
}

/// Stops tracking `path` (see [`Temporary::untrack`]).
pub(crate) fn untrack(path: &Path) {
    Temporary::hold().untrack(path);
}

/// Removes every temporary folder and file of this process, for the `juxta` command when it must
/// end before the code that made them could. A swap of the output in progress finishes first.
/// The list then stays held until the process ends, so that no other is made meanwhile.
pub fn remove_temporary() {
    INTERRUPTED.store(true, Ordering::SeqCst);
    let held = TEMPORARY.lock().unwrap_or_else(|e| e.into_inner());
    for path in held.iter() {
        // A thread still writing into a folder can add a file as it is removed: a few tries.
        for _ in 0..3 {
            let removed = match std::fs::symlink_metadata(path) {
                Ok(meta) if meta.is_dir() => std::fs::remove_dir_all(path),
                Ok(_) => std::fs::remove_file(path),
                Err(_) => Ok(()),
            };
            if removed.is_ok() {
                break;
            }
        }
    }
    // Never released: the caller ends the process next.
    std::mem::forget(held);
}

thread_local! {
    /// Set while this thread runs code whose panics [`catch`] reports.
    static CATCHING: Cell<bool> = const { Cell::new(false) };
    /// Where the last caught panic happened, for the error message.
    static LOCATION: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Runs `render` for the page `shown` gives, turning a panic into an error naming the page.
pub(crate) fn catch<T>(shown: impl FnOnce() -> PathBuf, render: impl FnOnce() -> Result<T>) -> Result<T> {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info: &PanicHookInfo<'_>| {
            if CATCHING.get() {
                LOCATION.set(info.location().map(ToString::to_string));
            } else {
                default(info);
            }
        }));
    });
    CATCHING.set(true);
    let result = std::panic::catch_unwind(AssertUnwindSafe(render));
    CATCHING.set(false);
    result.unwrap_or_else(|payload| {
        let what = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "no message".into());
        let at = LOCATION.take().map(|l| format!(" at {l}")).unwrap_or_default();
        Err(Error::at(
            shown(),
            format!(
                "juxta crashed while rendering this page ({what}{at}); this is a bug in juxta, \
                 please report it with this page attached"
            ),
        ))
    })
}

/// Debug builds only: crashes on purpose while rendering the page whose path (relative to
/// `content/`) is in `JUXTA_TEST_CRASH_PAGE`, so that tests can prove a crash is caught.
pub(crate) fn crash_for_tests(source: &str) {
    if cfg!(debug_assertions) && std::env::var_os("JUXTA_TEST_CRASH_PAGE").is_some_and(|p| p == source) {
        panic!("crash requested by JUXTA_TEST_CRASH_PAGE");
    }
}

/// Debug builds only: when `JUXTA_TEST_KILL_AT` names `step`, the process kills itself there with
/// `SIGKILL`, as a power cut or `kill -9` would, so that tests can prove every step of the swap
/// leaves a usable output.
pub(crate) fn kill_for_tests(step: &str) {
    #[cfg(unix)]
    if cfg!(debug_assertions) && std::env::var_os("JUXTA_TEST_KILL_AT").is_some_and(|s| s == step) {
        let _ = rustix::process::kill_process(rustix::process::getpid(), rustix::process::Signal::KILL);
    }
}
