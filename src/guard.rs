//! Faults during a build that are not the site's doing: a request to stop (Ctrl-C, `kill`), and
//! a bug in juxta or a library that panics while one page is rendered.
//!
//! A stop request only raises [`INTERRUPTED`]; the build notices it before the next page or
//! file, returns an error of kind [`Kind::Interrupted`](crate::error::Kind), and the staging
//! folder is removed on the way out, so the previous output stays as it was. A panic in one
//! page's rendering is caught and reported as an error naming the page, printed once like any
//! other error.

use std::cell::{Cell, RefCell};
use std::panic::{AssertUnwindSafe, PanicHookInfo};
use std::path::PathBuf;
use std::sync::Once;
use std::sync::atomic::{AtomicBool, Ordering};

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
