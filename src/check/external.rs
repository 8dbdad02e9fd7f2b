//! `juxta check --external`: requests every link to another site, once per address.
//!
//! Each address is asked for with `HEAD`; when that does not answer with success (some servers
//! refuse or mishandle `HEAD`), with `GET`, whose answer decides (its body is not read). Redirects
//! are followed. A timeout, a failed connection, `429 Too Many Requests` and the `502`, `503` and
//! `504` answers are retried after a pause that doubles each time (or the server's `Retry-After`,
//! up to 10 s). At most [`Settings::concurrency`] requests run at once, and at most
//! [`Settings::per_host`] to any one host, so a site with hundreds of links to one server does not
//! hammer it.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Condvar, Mutex};
use std::time::Duration;

use crate::progress::Progress;

/// How links to other sites are requested.
#[derive(Debug, Clone)]
pub struct Settings {
    /// How long one request may take, from connecting to the answer's headers.
    pub timeout: Duration,
    /// Requests at once, in all.
    pub concurrency: usize,
    /// Requests at once to one host.
    pub per_host: usize,
    /// Further tries after a failure that may pass (timeout, connection, 429, 502–504).
    pub retries: u32,
    /// The pause before the first retry; it doubles for each further one.
    pub backoff: Duration,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            timeout: Duration::from_secs(10),
            concurrency: 8,
            per_host: 2,
            retries: 2,
            backoff: Duration::from_millis(500),
        }
    }
}

/// Requests each of `urls`; returns why each failing one failed.
pub(crate) fn check_all(
    urls: &[String],
    settings: &Settings,
    progress: &Progress,
) -> BTreeMap<String, String> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(settings.timeout))
        .http_status_as_error(false)
        .max_redirects(10)
        .user_agent(concat!("juxta/", env!("CARGO_PKG_VERSION"), " (link check)"))
        .build()
        .into();
    let queue = Queue {
        state: Mutex::new(State { pending: urls.iter().cloned().collect(), busy: HashMap::new() }),
        changed: Condvar::new(),
        per_host: settings.per_host.max(1),
    };
    let failures = Mutex::new(BTreeMap::new());
    let workers = settings.concurrency.max(1).min(urls.len());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                while let Some(url) = queue.next() {
                    if let Err(reason) = request(&agent, &url, settings) {
                        failures.lock().unwrap_or_else(|e| e.into_inner()).insert(url.clone(), reason);
                    }
                    queue.done(&url);
                    progress.step();
                }
            });
        }
    });
    failures.into_inner().unwrap_or_else(|e| e.into_inner())
}

/// Addresses waiting, and requests running per host.
struct Queue {
    state: Mutex<State>,
    changed: Condvar,
    per_host: usize,
}

struct State {
    pending: VecDeque<String>,
    busy: HashMap<String, usize>,
}

impl Queue {
    /// The next address whose host has a free slot; waits while every host is busy, and returns
    /// `None` once nothing is left.
    fn next(&self) -> Option<String> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if state.pending.is_empty() {
                return None;
            }
            let free = state
                .pending
                .iter()
                .position(|url| state.busy.get(host(url)).copied().unwrap_or(0) < self.per_host);
            if let Some(i) = free {
                let url = state.pending.remove(i).expect("the position is in the queue");
                *state.busy.entry(host(&url).to_string()).or_default() += 1;
                return Some(url);
            }
            state = self.changed.wait(state).unwrap_or_else(|e| e.into_inner());
        }
    }

    fn done(&self, url: &str) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(count) = state.busy.get_mut(host(url)) {
            *count -= 1;
        }
        self.changed.notify_all();
    }
}

/// The scheme and authority of `url` (`https://example.com:8443`), which identify
/// the server it goes to.
fn host(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    let end = url[after_scheme..].find(['/', '?', '#']).map_or(url.len(), |i| after_scheme + i);
    &url[..end]
}

/// What one try gave.
enum Answer {
    Success,
    Status(u16, Option<Duration>),
    Failed(String, bool),
}

/// Requests `url`, retrying what may pass; `Err` says why it failed in the end.
fn request(agent: &ureq::Agent, url: &str, settings: &Settings) -> Result<(), String> {
    let tries = settings.retries + 1;
    let mut pause = settings.backoff;
    for attempt in 1..=tries {
        let answer = try_once(agent, url, settings);
        let (retry, wait, reason) = match answer {
            Answer::Success => return Ok(()),
            Answer::Status(status, retry_after) => {
                let retry = matches!(status, 429 | 502 | 503 | 504);
                let reason = ureq::http::StatusCode::from_u16(status)
                    .ok()
                    .and_then(|s| s.canonical_reason())
                    .map_or(format!("the server answered {status}"), |r| {
                        format!("the server answered {status} {r}")
                    });
                (retry, retry_after, reason)
            }
            Answer::Failed(reason, retry) => (retry, None, reason),
        };
        if !retry || attempt == tries {
            let tried = if attempt > 1 { format!(" ({attempt} tries)") } else { String::new() };
            return Err(format!("{reason}{tried}"));
        }
        std::thread::sleep(wait.unwrap_or(pause).min(Duration::from_secs(10)));
        pause *= 2;
    }
    Ok(())
}

/// One `HEAD`, and a `GET` when the `HEAD` did not succeed.
fn try_once(agent: &ureq::Agent, url: &str, settings: &Settings) -> Answer {
    match agent.head(url).call() {
        Ok(response) if response.status().is_success() => return Answer::Success,
        Ok(_) => {}
        Err(e) => return failed(e, settings),
    }
    match agent.get(url).call() {
        Ok(response) if response.status().is_success() => Answer::Success,
        Ok(response) => {
            let retry_after = response
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse().ok())
                .map(Duration::from_secs);
            Answer::Status(response.status().as_u16(), retry_after)
        }
        Err(e) => failed(e, settings),
    }
}

fn failed(e: ureq::Error, settings: &Settings) -> Answer {
    match e {
        ureq::Error::Timeout(_) => {
            Answer::Failed(format!("no answer within {} s", settings.timeout.as_secs_f64()), true)
        }
        ureq::Error::HostNotFound => Answer::Failed("the host name does not resolve".into(), false),
        ureq::Error::Io(_) | ureq::Error::ConnectionFailed => {
            Answer::Failed(format!("cannot connect: {e}"), true)
        }
        ureq::Error::BadUri(_) => Answer::Failed(format!("not a valid address: {e}"), false),
        other => Answer::Failed(format!("the request failed: {other}"), false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_scheme_and_authority() {
        assert_eq!(host("https://example.com/a/b?c"), "https://example.com");
        assert_eq!(host("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
        assert_eq!(host("https://example.org#x"), "https://example.org");
    }
}
