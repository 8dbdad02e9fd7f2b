//! The HTTP side of `juxta serve`: request paths made safe, content types, the site's 404 page,
//! and live reload (a script injected into served pages and the event stream it listens to).
//!
//! Every request is answered from the [`Output`] of the last good build, looked up by exact site
//! path: there is no path on the disk to escape from. Files copied as they are (from `static/`
//! and `content/`) are streamed from the project, and only when their real path, links
//! resolved, is still inside the folder they come from.

use std::convert::Infallible;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use tokio::sync::broadcast;

use super::memory::{Entry, Output};
use crate::source::{CONTENT_DIR, STATIC_DIR};

/// Where the live-reload script is served.
pub(crate) const SCRIPT_PATH: &str = "/__juxta/live.js";
/// Where the live-reload events are served.
pub(crate) const EVENTS_PATH: &str = "/__juxta/events";

const SCRIPT: &str = include_str!("live.js");

/// What the server shares with the rebuilding thread.
pub(crate) struct Shared {
    /// The site being served and the state of the last rebuild.
    pub(crate) live: RwLock<Live>,
    /// Sends [`Signal`]s to every open event stream.
    pub(crate) signals: broadcast::Sender<Signal>,
    /// The project root, resolved.
    pub(crate) root: PathBuf,
    /// Whether the server listens on a loopback address only (then only local host names are
    /// answered, which keeps other sites from reaching it through DNS rebinding).
    pub(crate) loopback: bool,
    /// Tells this server's builds apart from those of an earlier run, for pages left open.
    pub(crate) run: String,
}

/// The site being served and the state of the last rebuild.
pub(crate) struct Live {
    /// The last good build; none until one succeeds.
    pub(crate) output: Option<Arc<Output>>,
    /// The error of the last rebuild, if it failed.
    pub(crate) error: Option<String>,
    /// Counts good builds.
    pub(crate) generation: u64,
}

/// What the rebuilding thread tells open pages.
#[derive(Debug, Clone)]
pub(crate) enum Signal {
    /// A build succeeded: reload.
    Reload,
    /// A build failed with this error: show it.
    Failed(String),
    /// The server is stopping: end the stream.
    Stop,
}

impl Shared {
    fn tag(&self, generation: u64) -> String {
        format!("{}-{generation}", self.run)
    }
}

/// Answers one request.
pub(crate) async fn handle(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    if request.method() != Method::GET && request.method() != Method::HEAD {
        let mut response = text(StatusCode::METHOD_NOT_ALLOWED, "405 Method Not Allowed: only GET and HEAD");
        response.headers_mut().insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return response;
    }
    let headers = request.headers();
    if shared.loopback && !local_host(headers) {
        return text(StatusCode::FORBIDDEN, "403 Forbidden: this server answers only to localhost addresses");
    }
    let raw = request.uri().path();
    match raw {
        SCRIPT_PATH => return with_type(Response::new(Body::from(SCRIPT)), "text/javascript; charset=utf-8"),
        EVENTS_PATH if !same_origin(headers) => {
            return text(StatusCode::FORBIDDEN, "403 Forbidden: events are only for pages of this server");
        }
        EVENTS_PATH => return events(&shared),
        _ => {}
    }
    let path = match site_path(raw) {
        Ok(path) => path,
        Err(status) => return text(status, &format!("{status}: not a path juxta serves")),
    };
    let (output, generation, error) = {
        let live = shared.live.read().unwrap_or_else(|e| e.into_inner());
        (live.output.clone(), live.generation, live.error.clone())
    };
    let Some(output) = output else {
        return waiting_page(&shared, error.as_deref().unwrap_or("the first build has not finished"));
    };
    let key = if path.is_empty() || path.ends_with('/') { format!("{path}index.html") } else { path.clone() };
    if let Some(entry) = output.get(&key) {
        return serve_entry(&shared, entry, &key, generation, StatusCode::OK).await;
    }
    if !path.is_empty() && !path.ends_with('/') && output.get(&format!("{path}/index.html")).is_some() {
        let query = request.uri().query().map(|q| format!("?{q}")).unwrap_or_default();
        return redirect(&format!("{raw}/{query}"));
    }
    match output.get("404.html") {
        Some(entry) => serve_entry(&shared, entry, "404.html", generation, StatusCode::NOT_FOUND).await,
        None => text(StatusCode::NOT_FOUND, "404 Not Found"),
    }
}

/// The site path a raw request path stands for (`/guides/mqtt/` → `guides/mqtt/`), or the status
/// to answer with. The path is percent-decoded exactly once; encoded slashes and backslashes,
/// backslashes, NUL and other control characters, `.` and `..` segments, empty segments (`//`)
/// and drive letters (`C:`) are refused, so that no request names anything outside the site.
pub(crate) fn site_path(raw: &str) -> Result<String, StatusCode> {
    let Some(rest) = raw.strip_prefix('/') else {
        return Err(StatusCode::BAD_REQUEST);
    };
    let lowered = rest.to_ascii_lowercase();
    if rest.contains('\\') || lowered.contains("%2f") || lowered.contains("%5c") {
        return Err(StatusCode::BAD_REQUEST);
    }
    let decoded = percent_decode(rest).ok_or(StatusCode::BAD_REQUEST)?;
    if decoded.chars().any(|c| c.is_control() || c == '\\') {
        return Err(StatusCode::BAD_REQUEST);
    }
    let segments: Vec<&str> = decoded.split('/').collect();
    let last = segments.len() - 1;
    for (i, segment) in segments.iter().enumerate() {
        let empty_inside = segment.is_empty() && i != last;
        if empty_inside || *segment == "." || *segment == ".." || segment.contains(':') {
            return Err(StatusCode::BAD_REQUEST);
        }
    }
    Ok(decoded)
}

/// Decodes `%XX` escapes once; `None` for a malformed escape or text that is not UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    let hex = |at: usize| text.get(at + 1..at + 3).is_some_and(|h| h.bytes().all(|b| b.is_ascii_hexdigit()));
    if !text.match_indices('%').all(|(at, _)| hex(at)) {
        return None;
    }
    percent_encoding::percent_decode_str(text).decode_utf8().ok().map(|decoded| decoded.into_owned())
}

/// The `Content-Type` of a site path, from its extension; text types say they are UTF-8.
pub(crate) fn content_type(path: &str) -> &'static str {
    let name = path.rsplit('/').next().unwrap_or(path);
    let extension = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    match extension.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" | "map" => "application/json",
        "jsonld" => "application/ld+json",
        "xml" => "application/xml",
        "atom" => "application/atom+xml",
        "rss" => "application/rss+xml",
        "txt" | "md" => "text/plain; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "pdf" => "application/pdf",
        "zip" => "application/zip",
        "wasm" => "application/wasm",
        "webmanifest" => "application/manifest+json",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        "mp3" => "audio/mpeg",
        "ogg" => "audio/ogg",
        "wav" => "audio/wav",
        _ => "application/octet-stream",
    }
}

/// Whether the `Host` header names this machine (`localhost`, `*.localhost`, `127.x.x.x`,
/// `[::1]`), with or without a port. The header is read as the host and port it must be, and
/// anything else is refused: `127.0.0.1:1111@evil.example` is not a host on this machine.
fn local_host(headers: &HeaderMap) -> bool {
    headers.get(header::HOST).and_then(|h| h.to_str().ok()).and_then(host_name).is_some_and(|name| {
        let name = name.to_ascii_lowercase();
        let name = name.strip_suffix('.').unwrap_or(&name);
        name == "localhost"
            || name.ends_with(".localhost")
            || name.parse::<std::net::Ipv4Addr>().is_ok_and(|ip| ip.is_loopback())
            || name
                .strip_prefix('[')
                .and_then(|n| n.strip_suffix(']'))
                .and_then(|n| n.parse::<std::net::Ipv6Addr>().ok())
                .is_some_and(|ip| ip.is_loopback())
    })
}

/// The host of a `Host` header (`name`, `[v6 address]`), when the header is a host and an
/// optional port and nothing else: a name of letters, digits, `-` and `.`, an IPv4 address, or
/// an IPv6 address in brackets; then `:` and digits.
fn host_name(header: &str) -> Option<&str> {
    let (host, port) = match header.strip_prefix('[') {
        Some(rest) => {
            let close = rest.find(']')? + 2;
            (&header[..close], &header[close..])
        }
        None => header.split_at(header.find(':').unwrap_or(header.len())),
    };
    let port_ok = port.is_empty()
        || port
            .strip_prefix(':')
            .is_some_and(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()));
    let host_ok = match host.strip_prefix('[') {
        Some(inside) => inside.strip_suffix(']').is_some_and(|a| a.parse::<std::net::Ipv6Addr>().is_ok()),
        None => !host.is_empty() && host.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.'),
    };
    (port_ok && host_ok).then_some(host)
}

/// Whether the request has no `Origin` (a same-origin `GET`) or the origin of this very server.
fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or_default();
    !host.is_empty() && origin.to_str().is_ok_and(|o| o.eq_ignore_ascii_case(&format!("http://{host}")))
}

/// The live-reload event stream: `hello` with the current build's generation and error, then
/// `reload` after each good build and `failed` after each failed one.
fn events(shared: &Arc<Shared>) -> Response {
    // Subscribe before reading the state, so that no build can slip between the two.
    let receiver = shared.signals.subscribe();
    let hello = {
        let live = shared.live.read().unwrap_or_else(|e| e.into_inner());
        serde_json::json!({ "generation": shared.tag(live.generation), "error": live.error })
    };
    let first = Event::default().event("hello").retry(std::time::Duration::from_millis(500));
    let first = futures_util::stream::once(async move { Ok::<_, Infallible>(first.data(hello.to_string())) });
    let rest = futures_util::stream::unfold(receiver, |mut receiver| async move {
        let event = match receiver.recv().await {
            Ok(Signal::Reload) | Err(broadcast::error::RecvError::Lagged(_)) => {
                Event::default().event("reload").data("{}")
            }
            Ok(Signal::Failed(error)) => {
                Event::default().event("failed").data(serde_json::json!({ "error": error }).to_string())
            }
            Ok(Signal::Stop) | Err(broadcast::error::RecvError::Closed) => return None,
        };
        Some((Ok::<_, Infallible>(event), receiver))
    });
    let mut response = Sse::new(first.chain(rest)).keep_alive(KeepAlive::default()).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Serves one file of the output with `status`.
async fn serve_entry(
    shared: &Shared,
    entry: &Entry,
    key: &str,
    generation: u64,
    status: StatusCode,
) -> Response {
    let kind = content_type(key);
    let mut response = match entry {
        Entry::Bytes(bytes) if kind.starts_with("text/html") => {
            Response::new(Body::from(with_script(bytes, &shared.tag(generation))))
        }
        Entry::Bytes(bytes) => Response::new(Body::from(bytes.clone())),
        Entry::File(path) => match open_inside(&shared.root, path).await {
            Some((file, length)) => {
                let stream = tokio_util::io::ReaderStream::with_capacity(file, 64 * 1024);
                let mut response = Response::new(Body::from_stream(stream));
                response.headers_mut().insert(header::CONTENT_LENGTH, HeaderValue::from(length));
                response
            }
            None => return text(StatusCode::NOT_FOUND, "404 Not Found"),
        },
    };
    *response.status_mut() = status;
    with_type(response, kind)
}

/// Opens a copied file for streaming, if it is a regular file whose real path is inside the
/// project's `static/` or `content/` folder (a link leading out of them is not followed).
async fn open_inside(root: &Path, path: &Path) -> Option<(tokio::fs::File, u64)> {
    let real = tokio::fs::canonicalize(path).await.ok()?;
    let mut inside = false;
    for dir in [STATIC_DIR, CONTENT_DIR] {
        if let Ok(folder) = tokio::fs::canonicalize(root.join(dir)).await {
            inside |= real.starts_with(folder);
        }
    }
    if !inside {
        return None;
    }
    let file = tokio::fs::File::open(&real).await.ok()?;
    let metadata = file.metadata().await.ok()?;
    metadata.is_file().then_some((file, metadata.len()))
}

/// A page with the live-reload script added before `</body>` (or at the end).
fn with_script(html: &[u8], generation: &str) -> Bytes {
    let tag = format!("<script src=\"{SCRIPT_PATH}\" data-generation=\"{generation}\"></script>");
    let at = html.windows(7).rposition(|w| w.eq_ignore_ascii_case(b"</body>")).unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + tag.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(tag.as_bytes());
    out.extend_from_slice(&html[at..]);
    Bytes::from(out)
}

/// What every page gets before the first good build: the error, shown by the overlay too.
fn waiting_page(shared: &Shared, error: &str) -> Response {
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>juxta: the site does not build yet</title>\n</head>\n<body>\n\
         <h1>The site does not build yet</h1>\n<pre>{}</pre>\n\
         <p>Fix the error and save: this page reloads by itself.</p>\n</body>\n</html>\n",
        crate::html::escape(error)
    );
    let body = with_script(html.as_bytes(), &shared.tag(0));
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
    with_type(response, "text/html; charset=utf-8")
}

fn redirect(location: &str) -> Response {
    let mut response = text(StatusCode::TEMPORARY_REDIRECT, "307 Temporary Redirect");
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

fn text(status: StatusCode, message: &str) -> Response {
    let mut response = Response::new(Body::from(format!("{message}\n")));
    *response.status_mut() = status;
    with_type(response, "text/plain; charset=utf-8")
}

/// Sets the content type and the headers every response carries: nothing is cached (each
/// reload must see the newest build) and the type is not second-guessed.
fn with_type(mut response: Response, kind: &'static str) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_paths_are_decoded_once_and_never_climb_out() {
        assert_eq!(site_path("/"), Ok(String::new()));
        assert_eq!(site_path("/guides/mqtt/"), Ok("guides/mqtt/".to_string()));
        assert_eq!(site_path("/a%20b.css"), Ok("a b.css".to_string()));
        // Decoded once: `%252e%252e` names a folder called `%2e%2e`, which no site has.
        assert_eq!(site_path("/%252e%252e/x"), Ok("%2e%2e/x".to_string()));
        for bad in [
            "/../x",
            "/%2e%2e/x",
            "/%2E%2E%2Fx",
            "/a/..%2fx",
            "/..%5cx",
            "/a\\..\\x",
            "//etc/passwd",
            "/C:/Windows/win.ini",
            "/c%3a/x",
            "/x%00.html",
            "/./x",
            "/%zz",
            "/%ff",
            "*",
        ] {
            assert_eq!(site_path(bad), Err(StatusCode::BAD_REQUEST), "{bad}");
        }
    }

    /// Regression: the host was what came before the last `:`, so a header naming another host
    /// after an `@` passed for this machine.
    #[test]
    fn only_a_host_and_port_of_this_machine_pass_the_host_check() {
        let local = |host: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::HOST, HeaderValue::from_str(host).unwrap());
            local_host(&headers)
        };
        for good in [
            "localhost",
            "LOCALHOST:1111",
            "app.localhost:80",
            "127.0.0.1",
            "127.1.2.3:8080",
            "[::1]:1111",
            "[::1]",
            "localhost.",
        ] {
            assert!(local(good), "{good}");
        }
        for bad in [
            "127.0.0.1:1111@evil.example",
            "localhost@evil.example",
            "evil.example",
            "localhost.evil.example",
            "127.0.0.1.evil.example",
            "localhost:1111:2222",
            "localhost:",
            "localhost:port",
            "[::1]@evil.example",
            "[::2]:1111",
            "user:pass@localhost",
            "localhost/evil",
            "localhost evil",
            "",
        ] {
            assert!(!local(bad), "{bad}");
        }
        assert!(!local_host(&HeaderMap::new()), "no Host header");
    }

    #[test]
    fn the_script_goes_before_the_last_closing_body_tag() {
        assert_eq!(&with_script(b"<p></p></BODY></html>", "r-1")[..7], b"<p></p>");
        let html = with_script(b"<body></body>", "r-1");
        assert!(html.ends_with(b"data-generation=\"r-1\"></script></body>"));
        assert!(with_script(b"<p>", "r-1").starts_with(b"<p><script"));
    }

    #[test]
    fn content_types_follow_extensions() {
        assert_eq!(content_type("a/index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("style.CSS"), "text/css; charset=utf-8");
        assert_eq!(content_type("atom.xml"), "application/xml");
        assert_eq!(content_type("data/x.csv"), "text/csv; charset=utf-8");
        assert_eq!(content_type(".nojekyll"), "application/octet-stream");
        assert_eq!(content_type("CNAME"), "application/octet-stream");
    }
}
