//! Progress of long work, shown on a terminal.
//!
//! The library reports what it is doing through a [`Progress`] handle: the current phase and, for
//! phases made of many equal steps (pages, files, links), how many are done. A default handle does
//! nothing, so a build that nobody watches pays one branch per step. The binary shows an enabled
//! handle with [`Display`], which stays silent until the work has taken longer than its delay
//! (about a second), redraws one line of stderr a few times a second, and erases it at the end,
//! so the summary line that follows stands alone.

use std::io::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How long work may take before progress is shown.
pub const DELAY: Duration = Duration::from_secs(1);

/// How often the progress line is redrawn.
const REDRAW: Duration = Duration::from_millis(100);

/// A handle for reporting progress; cheap to clone. The default handle reports nothing.
#[derive(Debug, Clone, Default)]
pub struct Progress(Option<Arc<State>>);

#[derive(Debug, Default)]
struct State {
    phase: Mutex<String>,
    done: AtomicUsize,
    total: AtomicUsize,
}

impl Progress {
    /// A handle whose reports a [`Display`] can show.
    pub fn enabled() -> Progress {
        Progress(Some(Arc::default()))
    }

    /// Starts a phase; `total` is its number of steps, or 0 when it is not counted.
    pub(crate) fn phase(&self, name: impl Into<String>, total: usize) {
        if let Some(state) = &self.0 {
            *state.phase.lock().unwrap_or_else(|e| e.into_inner()) = name.into();
            state.done.store(0, Ordering::Relaxed);
            state.total.store(total, Ordering::Relaxed);
        }
    }

    /// One step of the current phase is done.
    pub(crate) fn step(&self) {
        if let Some(state) = &self.0 {
            state.done.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// The line describing where the work is, or `None` for a disabled handle.
    fn line(&self) -> Option<String> {
        let state = self.0.as_ref()?;
        let phase = state.phase.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let total = state.total.load(Ordering::Relaxed);
        let done = state.done.load(Ordering::Relaxed).min(total);
        Some(if total == 0 { phase } else { format!("{phase}: {done}/{total}") })
    }
}

/// Draws a [`Progress`] on stderr, from a thread of its own, until [`Display::finish`].
pub struct Display {
    stop: Arc<(Mutex<bool>, Condvar)>,
    thread: Option<JoinHandle<()>>,
}

impl Display {
    /// Starts drawing `progress` once `delay` has passed.
    pub fn start(progress: &Progress, delay: Duration) -> Display {
        let stop = Arc::new((Mutex::new(false), Condvar::new()));
        let progress = progress.clone();
        let signal = stop.clone();
        let thread = std::thread::spawn(move || draw(&progress, delay, &signal));
        Display { stop, thread: Some(thread) }
    }

    /// Stops drawing and erases the progress line, if one was drawn.
    pub fn finish(mut self) {
        self.stop_thread();
    }

    fn stop_thread(&mut self) {
        let (stopped, wake) = &*self.stop;
        *stopped.lock().unwrap_or_else(|e| e.into_inner()) = true;
        wake.notify_all();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Display {
    fn drop(&mut self) {
        self.stop_thread();
    }
}

/// The drawing loop: waits for the delay, then redraws until told to stop.
fn draw(progress: &Progress, delay: Duration, stop: &(Mutex<bool>, Condvar)) {
    let started = Instant::now();
    let (stopped, wake) = stop;
    let mut drawn = false;
    let mut guard = stopped.lock().unwrap_or_else(|e| e.into_inner());
    loop {
        let wait = if drawn { REDRAW } else { delay.saturating_sub(started.elapsed()) };
        guard = wake.wait_timeout(guard, wait).unwrap_or_else(|e| e.into_inner()).0;
        if *guard {
            break;
        }
        if started.elapsed() < delay {
            continue;
        }
        if let Some(line) = progress.line() {
            let seconds = started.elapsed().as_secs_f64();
            // `\r` and "erase line" keep the progress on one line of the terminal.
            let _ = write!(std::io::stderr(), "\r\x1b[2Kjuxta: {line} ({seconds:.0} s)");
            let _ = std::io::stderr().flush();
            drawn = true;
        }
    }
    if drawn {
        let _ = write!(std::io::stderr(), "\r\x1b[2K");
        let _ = std::io::stderr().flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_phase_counts_its_steps_and_a_default_handle_reports_nothing() {
        let progress = Progress::enabled();
        progress.phase("rendering pages", 3);
        progress.step();
        progress.step();
        assert_eq!(progress.line().as_deref(), Some("rendering pages: 2/3"));
        progress.phase("writing files", 0);
        assert_eq!(progress.line().as_deref(), Some("writing files"));
        let silent = Progress::default();
        silent.phase("rendering pages", 3);
        silent.step();
        assert_eq!(silent.line(), None);
    }
}
