//! A tiny static file server for the browser tests, behaving like GitHub Pages: std only, bound to
//! 127.0.0.1 on a free port, serving one folder under a URL prefix (`/` for a site at a domain root,
//! `/iot-vs-m2m/` for a project site), with a thread per connection.
//!
//! What it does with a request for `<prefix><path>`:
//! - decodes `%XX` once (so `%252e` stays `%2e`), and refuses `..`, `//`, `\` and NUL with 400;
//! - serves the file; for a folder, its `index.html`; for `/x` where `x` is a folder, redirects (301) to
//!   `/x/`; for `/x` where `x.html` exists, serves `x.html` (as GitHub Pages does);
//! - anything else, or a path outside the prefix, is answered with the folder's `404.html` and status 404
//!   (a plain text body when there is none).
//!
//! Only `GET` and `HEAD` are served; every response closes its connection.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

/// A running server; stops when dropped.
pub(crate) struct Server {
    addr: SocketAddr,
    prefix: String,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    /// Serves `root` under `prefix` (`"/"`, or a sub-path such as `"/iot-vs-m2m/"`; slashes are added
    /// where missing).
    pub(crate) fn start(root: &Path, prefix: &str) -> Server {
        let prefix = normalize_prefix(prefix);
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let site = Arc::new(Site { root: root.to_path_buf(), prefix: prefix.clone() });
        let thread = {
            let stop = stop.clone();
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    if let Ok(stream) = stream {
                        let site = site.clone();
                        std::thread::spawn(move || {
                            // A client hanging up early is not the server's problem.
                            let _ = site.handle(stream);
                        });
                    }
                }
            })
        };
        Server { addr, prefix, stop, thread: Some(thread) }
    }

    /// `http://127.0.0.1:PORT<prefix>`, ending in `/`.
    pub(crate) fn base_url(&self) -> String {
        format!("http://{}{}", self.addr, self.prefix)
    }

    /// The URL of `path`, relative to the prefix (a leading `/` is ignored).
    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url(), path.trim_start_matches('/'))
    }

    /// The address the server listens on.
    pub(crate) fn addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so that it sees the flag.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn normalize_prefix(prefix: &str) -> String {
    let trimmed = prefix.trim_matches('/');
    if trimmed.is_empty() { "/".to_string() } else { format!("/{trimmed}/") }
}

struct Site {
    root: PathBuf,
    prefix: String,
}

/// What the server answers.
struct Reply {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn text(status: u16, text: &str) -> Reply {
        Reply {
            status,
            headers: vec![("Content-Type", "text/plain; charset=utf-8".into())],
            body: text.as_bytes().to_vec(),
        }
    }
}

impl Site {
    fn handle(&self, stream: TcpStream) -> std::io::Result<()> {
        stream.set_read_timeout(Some(Duration::from_secs(10)))?;
        let mut reader = BufReader::new(stream.try_clone()?);
        let mut request_line = String::new();
        reader.read_line(&mut request_line)?;
        // Read (and ignore) the headers, up to the empty line.
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line)? == 0 || line == "\r\n" || line == "\n" {
                break;
            }
        }
        let mut parts = request_line.split_whitespace();
        let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        let reply = match method {
            "GET" | "HEAD" => self.respond(target),
            _ => Reply::text(405, "method not allowed\n"),
        };
        write_reply(stream, &reply, method == "HEAD")
    }

    fn respond(&self, target: &str) -> Reply {
        let path = target.split(['?', '#']).next().unwrap_or("");
        let Some(decoded) = percent_decode(path) else {
            return Reply::text(400, "bad request: malformed percent-encoding\n");
        };
        if !decoded.starts_with('/')
            || decoded.contains('\\')
            || decoded.contains('\0')
            || decoded.contains("//")
            || decoded.split('/').any(|segment| segment == "..")
        {
            return Reply::text(400, "bad request\n");
        }
        if decoded.len() + 1 == self.prefix.len() && self.prefix.starts_with(&decoded) {
            // The prefix without its final slash.
            return redirect(&self.prefix);
        }
        let Some(rel) = decoded.strip_prefix(&self.prefix) else {
            return self.not_found();
        };
        let file = self.root.join(rel);
        // Symbolic links are not followed, like GitHub Pages.
        let meta = std::fs::symlink_metadata(&file);
        match meta {
            Ok(meta) if meta.is_dir() => {
                if !rel.is_empty() && !rel.ends_with('/') {
                    return redirect(&format!("{}/", encode_path(&decoded)));
                }
                self.serve_file(&file.join("index.html")).unwrap_or_else(|| self.not_found())
            }
            Ok(meta) if meta.is_file() => self.serve_file(&file).unwrap_or_else(|| self.not_found()),
            _ if !rel.is_empty() && !rel.ends_with('/') => {
                let html = self.root.join(format!("{rel}.html"));
                self.serve_file(&html).unwrap_or_else(|| self.not_found())
            }
            _ => self.not_found(),
        }
    }

    fn serve_file(&self, file: &Path) -> Option<Reply> {
        let meta = std::fs::symlink_metadata(file).ok()?;
        if !meta.is_file() {
            return None;
        }
        let body = std::fs::read(file).ok()?;
        Some(Reply { status: 200, headers: vec![("Content-Type", content_type(file).into())], body })
    }

    fn not_found(&self) -> Reply {
        match self.serve_file(&self.root.join("404.html")) {
            Some(mut reply) => {
                reply.status = 404;
                reply
            }
            None => Reply::text(404, "not found\n"),
        }
    }
}

fn redirect(location: &str) -> Reply {
    let mut reply = Reply::text(301, &format!("moved to {location}\n"));
    reply.headers.push(("Location", location.to_string()));
    reply
}

fn write_reply(mut stream: TcpStream, reply: &Reply, head_only: bool) -> std::io::Result<()> {
    let reason = match reply.status {
        200 => "OK",
        301 => "Moved Permanently",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        _ => "",
    };
    let mut head = format!("HTTP/1.1 {} {}\r\n", reply.status, reason);
    for (name, value) in &reply.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!(
        "Content-Length: {}\r\nX-Content-Type-Options: nosniff\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
        reply.body.len()
    ));
    stream.write_all(head.as_bytes())?;
    if !head_only {
        stream.write_all(&reply.body)?;
    }
    stream.flush()?;
    let _ = stream.shutdown(std::net::Shutdown::Write);
    // Drain what the client still sends so that closing does not reset the connection.
    let _ = stream.set_read_timeout(Some(Duration::from_millis(200)));
    let _ = stream.read(&mut [0u8; 512]);
    Ok(())
}

/// The `Content-Type` for a file, by extension.
pub(crate) fn content_type(file: &Path) -> &'static str {
    let ext = file.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "csv" => "text/csv; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "xml" => "application/xml",
        "txt" => "text/plain; charset=utf-8",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "webmanifest" => "application/manifest+json",
        "pdf" => "application/pdf",
        _ => "application/octet-stream",
    }
}

/// Decodes `%XX` escapes once; `None` for a malformed escape or bytes that are not UTF-8.
pub(crate) fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Escapes what may not stand in a URL path as it is (the inverse of [`percent_decode`] for paths).
pub(crate) fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"/-._~!$&'()*+,;=:@".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// A response as [`get`] returns it.
#[derive(Debug)]
pub(crate) struct Response {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl Response {
    /// The value of header `name` (case-insensitive), if present.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The body as text.
    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// A minimal HTTP/1.1 `GET` of `target` (a raw request target such as `/a%20b/`) from `addr`; it does
/// not follow redirects.
pub(crate) fn get(addr: SocketAddr, target: &str) -> Response {
    let mut stream = TcpStream::connect(addr).expect("connect to the test server");
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(stream, "GET {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read the response");
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("a complete response head");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let body = raw[split + 4..].to_vec();
    let mut lines = head.lines();
    let status = lines.next().and_then(|l| l.split_whitespace().nth(1)).and_then(|s| s.parse().ok()).unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    Response { status, headers, body }
}
