//! `juxta serve`: the site built into memory, served over HTTP, rebuilt as its files change, and
//! open pages reloaded.
//!
//! Three parts run side by side:
//! - the `session`: the incremental build, which keeps the last good `memory::Output`;
//! - a watcher on `content/`, `data/`, `templates/`, `static/` and `site.toml` whose debounced
//!   changes are applied by one rebuilding thread, so rebuilds never overlap and a burst of
//!   saves becomes one or two rebuilds;
//! - the HTTP server (`http`), which answers from the last good output and tells open pages to
//!   reload (or to show the build error) over server-sent events.
//!
//! Nothing is written to the disk: not to `public/`, not anywhere in the project.

mod http;
mod memory;
mod session;

pub use session::Rebuilt;

use std::net::{IpAddr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use notify::{EventKind, RecommendedWatcher, RecursiveMode, Watcher};

use crate::error::{Error, Kind, Result};
use crate::source::{CONTENT_DIR, STATIC_DIR};
use http::{Live, Shared, Signal};
use session::{Changes, Session};

/// How long changes must stop before a rebuild starts: an editor's save (a temporary file
/// written, then renamed) and a burst of saves become one rebuild.
const DEBOUNCE: Duration = Duration::from_millis(30);

/// The longest a rebuild waits for changes to stop: a stream of changes still gets rebuilds.
const DEBOUNCE_AT_MOST: Duration = Duration::from_millis(500);

/// Folders watched recursively, relative to the project root.
const WATCHED: [&str; 4] = [CONTENT_DIR, crate::source::DATA_DIR, crate::source::TEMPLATES_DIR, STATIC_DIR];

/// How long open connections get to finish once the server is asked to stop.
const STOP_GRACE: Duration = Duration::from_secs(2);

/// What to serve and where.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The project root (holding `site.toml`).
    pub root: PathBuf,
    /// The address to listen on.
    pub bind: IpAddr,
    /// The port; 0 picks a free one.
    pub port: u16,
    /// Builds pages marked `draft = true`.
    pub drafts: bool,
}

/// Something the server reports while it runs; the caller decides how to show it.
#[derive(Debug)]
pub enum Notice<'a> {
    /// The server listens at `url`. `exposed` when the address is reachable from other machines.
    Listening {
        /// `http://127.0.0.1:1111/`.
        url: &'a str,
        /// Whether the address is not a loopback address.
        exposed: bool,
    },
    /// A build or rebuild succeeded.
    Built(&'a Rebuilt),
    /// A build or rebuild failed; `served` says whether an earlier good build is still served.
    Failed {
        /// The error, with every problem found.
        error: &'a Error,
        /// Whether the last good build is still served.
        served: bool,
    },
    /// Watching a folder failed; changes in it are not seen until the next successful watch.
    Watch(&'a Error),
    /// The server stopped after Ctrl-C (or SIGTERM).
    Stopped,
}

/// What the rebuilding thread receives.
enum Work {
    Changed(Vec<PathBuf>),
    /// The watcher lost events (its queue overflowed): reread everything.
    Rescan,
    Stop,
}

/// Builds the site, serves it and rebuilds it on changes until Ctrl-C. Returns an error when the
/// address cannot be used, the project cannot be read at all (no `site.toml`), or the folders
/// cannot be watched; errors in the site itself are reported through `notice` and served as an
/// overlay while the server keeps running.
pub fn run(options: &ServeOptions, notice: &(dyn Fn(Notice<'_>) + Sync)) -> Result<()> {
    let address = SocketAddr::new(options.bind, options.port);
    let listener = TcpListener::bind(address).map_err(|e| bind_error(address, e))?;
    let address = listener.local_addr().map_err(|e| bind_error(address, e))?;
    listener.set_nonblocking(true).map_err(|e| bind_error(address, e))?;
    let url = local_url(address);

    let mut session = Session::new(&options.root, &url, options.drafts)?;
    let first = match session.rebuild(Changes::default()) {
        Err(e) if e.kind() == Kind::Environment => return Err(e),
        first => first,
    };
    let (signals, _) = tokio::sync::broadcast::channel(64);
    let shared = Arc::new(Shared {
        live: RwLock::new(Live { output: session.output(), error: None, generation: 0 }),
        signals,
        root: session.root().to_path_buf(),
        loopback: options.bind.is_loopback(),
        run: format!("{:x}", std::process::id() as u128 ^ nanos()),
    });
    report(&shared, notice, first, session.output(), false);

    let (work, inbox) = mpsc::channel();
    let mut watcher = watch(session.root(), work.clone())?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::environment("cannot start the server's runtime").caused_by(e))?;
    std::thread::scope(|scope| {
        let (session, watcher, shared) = (&mut session, &mut watcher, &shared);
        scope.spawn(move || rebuild_loop(session, inbox, watcher, shared, notice));
        notice(Notice::Listening { url: &url, exposed: !options.bind.is_loopback() });
        let served = runtime.block_on(serve(listener, shared.clone()));
        let _ = work.send(Work::Stop);
        served
    })?;
    notice(Notice::Stopped);
    Ok(())
}

/// Runs the HTTP server until Ctrl-C or SIGTERM, then ends the event streams and gives open
/// connections a moment to finish.
async fn serve(listener: TcpListener, shared: Arc<Shared>) -> Result<()> {
    let listener = tokio::net::TcpListener::from_std(listener)
        .map_err(|e| Error::environment("cannot listen").caused_by(e))?;
    let app = axum::Router::new().fallback(http::handle).with_state(shared.clone());
    let (stopped, stop) = tokio::sync::oneshot::channel::<()>();
    let server = axum::serve(listener, app).with_graceful_shutdown(async move {
        stop_requested().await;
        let _ = shared.signals.send(Signal::Stop);
        let _ = stopped.send(());
    });
    let server = tokio::spawn(async move { server.await });
    let _ = stop.await;
    // Connections still open after the grace period (a stalled download) are dropped.
    let _ = tokio::time::timeout(STOP_GRACE, server).await;
    Ok(())
}

/// Waits for Ctrl-C, or SIGTERM on Unix.
async fn stop_requested() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// Applies changes as they come, one rebuild at a time, once they have stopped for
/// [`DEBOUNCE`]; changes that arrive during a rebuild are gathered into the next one.
fn rebuild_loop(
    session: &mut Session,
    inbox: mpsc::Receiver<Work>,
    watcher: &mut RecommendedWatcher,
    shared: &Shared,
    notice: &(dyn Fn(Notice<'_>) + Sync),
) {
    while let Ok(first) = inbox.recv() {
        let mut changes = Changes::default();
        let mut batch = vec![first];
        let started = std::time::Instant::now();
        while let Ok(work) = inbox.recv_timeout(DEBOUNCE) {
            batch.push(work);
            if started.elapsed() > DEBOUNCE_AT_MOST {
                break;
            }
        }
        for work in batch {
            match work {
                Work::Stop => return,
                Work::Rescan => changes.merge(Changes::everything()),
                Work::Changed(paths) => {
                    for path in paths {
                        let relative = path.strip_prefix(session.root()).unwrap_or(&path).to_path_buf();
                        rewatch(watcher, session.root(), &relative, notice);
                        changes.add(&relative);
                    }
                }
            }
        }
        if changes.is_empty() {
            continue;
        }
        let result = session.rebuild(changes);
        report(shared, notice, result, session.output(), true);
    }
}

/// Publishes the result of a build and the output now served to the server and the open pages,
/// and reports it.
fn report(
    shared: &Shared,
    notice: &(dyn Fn(Notice<'_>) + Sync),
    result: Result<Rebuilt>,
    output: Option<Arc<memory::Output>>,
    announce: bool,
) {
    let mut live = shared.live.write().unwrap_or_else(|e| e.into_inner());
    live.output = output;
    match result {
        Ok(rebuilt) => {
            notice(Notice::Built(&rebuilt));
            live.error = None;
            live.generation += 1;
            drop(live);
            if announce {
                let _ = shared.signals.send(Signal::Reload);
            }
        }
        Err(error) => {
            notice(Notice::Failed { error: &error, served: live.output.is_some() });
            live.error = Some(error.to_string());
            drop(live);
            let _ = shared.signals.send(Signal::Failed(error.to_string()));
        }
    }
}

/// Starts watching the project's source folders and `site.toml`.
fn watch(root: &Path, work: mpsc::Sender<Work>) -> Result<RecommendedWatcher> {
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        let _ = match event {
            // Reading a file (the rebuild itself does) changes nothing.
            Ok(event) if matches!(event.kind, EventKind::Access(_)) => return,
            Ok(event) if event.need_rescan() => work.send(Work::Rescan),
            Ok(event) => work.send(Work::Changed(event.paths)),
            Err(_) => work.send(Work::Rescan),
        };
    })
    .map_err(|e| watch_error(root, e))?;
    // The root itself is watched without its subfolders (it holds `public/` and `target/`):
    // that is enough to see `site.toml` change and a source folder appear or disappear.
    watcher.watch(root, RecursiveMode::NonRecursive).map_err(|e| watch_error(root, e))?;
    for dir in WATCHED {
        let path = root.join(dir);
        if path.is_dir() {
            watcher.watch(&path, RecursiveMode::Recursive).map_err(|e| watch_error(&path, e))?;
        }
    }
    Ok(watcher)
}

/// Watches a source folder again when it was created, replaced or removed (a branch switch).
fn rewatch(
    watcher: &mut RecommendedWatcher,
    root: &Path,
    relative: &Path,
    notice: &(dyn Fn(Notice<'_>) + Sync),
) {
    let Some(dir) = WATCHED.iter().find(|d| relative == Path::new(d)) else { return };
    let path = root.join(dir);
    let _ = watcher.unwatch(&path);
    if path.is_dir()
        && let Err(e) = watcher.watch(&path, RecursiveMode::Recursive)
    {
        notice(Notice::Watch(&watch_error(&path, e)));
    }
}

fn watch_error(path: &Path, e: notify::Error) -> Error {
    Error::environment(format!(
        "cannot watch `{}` for changes (on Linux, raising fs.inotify.max_user_watches may help)",
        path.display()
    ))
    .caused_by(e)
}

fn bind_error(address: SocketAddr, e: std::io::Error) -> Error {
    let hint = match e.kind() {
        std::io::ErrorKind::AddrInUse => {
            "the port is already in use (another `juxta serve`?): choose another with --port"
        }
        std::io::ErrorKind::AddrNotAvailable => "this machine has no such address: check --bind",
        std::io::ErrorKind::PermissionDenied => "permission denied: use a port above 1023",
        _ => "check --bind and --port",
    };
    Error::environment(format!("cannot listen on {address}: {hint}")).caused_by(e)
}

/// The address pages are served at. A wildcard address (`0.0.0.0`, `::`) is reached locally
/// through the loopback address.
fn local_url(address: SocketAddr) -> String {
    let ip = match address.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(std::net::Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(std::net::Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    format!("http://{}/", SocketAddr::new(ip, address.port()))
}

fn nanos() -> u128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos())
}
