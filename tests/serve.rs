//! `juxta serve`: the server over real HTTP on 127.0.0.1 with the debug binary, each test on a
//! free port of its own. (The incremental build is checked against full builds by the unit
//! tests of `src/serve/session.rs`.)
//!
//! The fixture is `tests/serve_site/`, copied into a temporary folder per test (as `site/`, with
//! a secret file beside it that no request may read).

#![cfg(unix)]

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::audit::Tool;

/// How long anything may take before a test fails.
const WAIT: Duration = Duration::from_secs(30);

/// What the secret file beside the site holds; no response may contain it.
const SECRET: &str = "TOP-SECRET-BYTES";

const PAGE: &str = "content/guide/page.md";
const OTHER: &str = "content/guide/other.md";
const ABOUT: &str = "content/about.md";

// ---------------------------------------------------------------------------------------------
// The server over HTTP

#[test]
fn an_edit_sends_reload_and_the_page_shows_the_new_content() {
    let project = Project::new();
    let server = Server::start(&project.site);
    let mut events = server.events(None);
    assert!(events.wait_for("hello").1.contains("\"error\":null"));
    let before = server.get("/guide/page/");
    assert_eq!(before.status, 200);
    assert!(before.text().contains("First version"));
    assert!(before.text().contains("<script src=\"/__juxta/live.js\" data-generation=\""));

    replace(&project.site, PAGE, "First version", "Second version");
    events.wait_for("reload");
    let after = server.get("/guide/page/").text();
    assert!(after.contains("Second version") && !after.contains("First version"));
    server.wait_for_log("juxta: content/guide/page.md changed: rendered 1 of 5 pages in ");
}

/// A data file nothing reads is not kept for templates; a page or a template edited to read it
/// shows it (a page's edit reads only that page again, so the data is read again for it).
#[test]
fn a_page_or_template_edited_to_read_a_data_file_nothing_read_shows_it() {
    let project = Project::new();
    let site = &project.site;
    write(site, "data/rows.csv", "id,name\n1,first\n2,second\n");
    let server = Server::start(site);
    let mut events = server.events(None);
    assert!(events.wait_for("hello").1.contains("\"error\":null"));

    replace(site, PAGE, "First version", "First version, {{ data.rows | length }} rows");
    server.wait_until("the page's new reading is served", || {
        server.get("/guide/page/").text().contains("First version, 2 rows")
    });
    server.wait_for_log("juxta: content/guide/page.md changed: rendered 1 of 5 pages in ");

    write(site, "data/more.csv", "id\n1\n2\n3\n");
    server.wait_for_log("juxta: data/more.csv changed");
    replace(site, "templates/page.html", "<h1>", "<h1 data-more=\"{{ data['more'] | length }}\">");
    server.wait_until("the template's new reading is served", || {
        server.get("/guide/page/").text().contains("<h1 data-more=\"3\">")
    });
    assert!(!server.log().contains("failed"), "{}", server.log());
}

#[test]
fn broken_front_matter_shows_the_error_over_every_page_until_it_is_fixed() {
    let project = Project::new();
    let server = Server::start(&project.site);
    let mut events = server.events(None);
    events.wait_for("hello");

    replace(&project.site, PAGE, "weight = 1", "weight = 1\ntitel = \"Typo\"");
    // A save caught half-written fails differently first; the error of the saved file follows.
    let failed = loop {
        let failed = events.wait_for("failed").1;
        if failed.contains("titel") {
            break failed;
        }
    };
    let expected = "content/guide/page.md:5:1: unknown field `titel`, expected one of `title`, `description`, \
                    `date`, `updated`, `draft`, `weight`, `slug`, `template`, `tags`, `aliases`, `in_search`, `paginate_by`, `extra`";
    assert_eq!(failed, serde_json(&[("error", expected)]));
    server.wait_for_log("juxta: the build failed with 1 error; still serving the last good build");
    // The last good build is still served, and a page opened now learns of the error at once.
    assert!(server.get("/guide/page/").text().contains("First version"));
    let mut late = server.events(None);
    assert!(late.wait_for("hello").1.contains(&format!("\"error\":{}", quote(expected))));

    replace(&project.site, PAGE, "titel = \"Typo\"", "");
    replace(&project.site, PAGE, "First version", "Fixed version");
    events.wait_for("reload");
    assert!(server.get("/guide/page/").text().contains("Fixed version"));
    assert!(server.events(None).wait_for("hello").1.contains("\"error\":null"));
}

#[test]
fn in_a_browser_the_error_overlay_appears_and_the_fix_reloads_the_page_without_it() {
    let test = "in_a_browser_the_error_overlay_appears_and_the_fix_reloads_the_page_without_it";
    if !common::audit::tools_ready(test, &[Tool::Chromium, Tool::Node, Tool::PlaywrightCore]) {
        return;
    }
    let project = Project::new();
    let server = Server::start(&project.site);
    let mut browser = Command::new("node")
        .arg(common::audit::test_tools().join("live.mjs"))
        .arg(format!("http://{}/guide/page/", server.addr))
        .stdout(Stdio::piped())
        .spawn()
        .expect("node runs");
    let mut seen = BufReader::new(browser.stdout.take().unwrap()).lines();
    let mut next = move || seen.next().expect("live.mjs reports").unwrap();
    assert_eq!(next(), r#"{"ready":true}"#);

    replace(&project.site, PAGE, "weight = 1", "weight = 1\ntitel = \"Typo\"");
    let overlay = next();
    assert!(overlay.contains("content/guide/page.md:5:1: unknown field `titel`"), "{overlay}");
    assert!(overlay.contains("this page shows the last good build"), "{overlay}");

    replace(&project.site, PAGE, "titel = \"Typo\"", "");
    replace(&project.site, PAGE, "First version", "Fixed version");
    let reloaded = next();
    assert!(reloaded.starts_with(r#"{"reloaded":true,"overlay":false,"main":"Page"#), "{reloaded}");
    assert!(reloaded.contains("Fixed version") && reloaded.ends_with(r#""errors":[]}"#), "{reloaded}");
    assert!(wait(&mut browser, WAIT).is_some_and(|s| s.success()), "live.mjs failed");
}

#[test]
fn a_site_broken_from_the_start_is_served_as_its_error_until_fixed() {
    let project = Project::new();
    replace(&project.site, ABOUT, "title = \"About\"", "title = \"About");
    let server = Server::start(&project.site);
    let waiting = server.get("/about/");
    assert_eq!(waiting.status, 503);
    assert!(waiting.text().contains("content/about.md:2:15: invalid basic string"), "{}", waiting.text());
    assert!(waiting.text().contains("/__juxta/live.js"));
    let mut events = server.events(None);
    assert!(events.wait_for("hello").1.contains("content/about.md:2:15: invalid basic string"));

    replace(&project.site, ABOUT, "title = \"About", "title = \"About\"");
    events.wait_for("reload");
    assert_eq!(server.get("/about/").status, 200);
}

#[test]
fn traversal_requests_get_400_or_404_and_never_foreign_bytes() {
    let project = Project::new();
    let site = &project.site;
    symlink(&project.root.join("secret.txt"), &site.join("static/leak.txt"));
    symlink(&project.root, &site.join("static/outside"));
    let server = Server::start(site);
    let targets = [
        "/../secret.txt",
        "/../../secret.txt",
        "/..%2fsecret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E/%2E%2E/secret.txt",
        "/guide/..%2f..%2fsecret.txt",
        "/%2e%2e%2fsecret.txt",
        "/..%5csecret.txt",
        "/..\\secret.txt",
        "/%5c..%5csecret.txt",
        "//secret.txt",
        "/%2fsecret.txt",
        "/C:/secret.txt",
        "/c:%5csecret.txt",
        "/C%3A/secret.txt",
        "/secret.txt%00.html",
        "/%00",
        "/%252e%252e/secret.txt",
        "/%c0%ae%c0%ae/secret.txt",
        "/leak.txt",
        "/outside/secret.txt",
        "/outside/site/site.toml",
        "/site.toml",
        "/content/_index.md",
        "/static/notes.txt",
        "/templates/base.html",
    ];
    let absolute = format!("http://{}/%2e%2e/secret.txt", server.addr);
    for target in targets.iter().copied().chain([absolute.as_str()]) {
        let response = server.get(target);
        assert!(matches!(response.status, 400 | 404), "{target}: status {}", response.status);
        assert!(!response.text().contains(SECRET), "{target} leaked the secret");
    }

    // A served file replaced by a link out of the site is not followed, not even before the
    // rebuild that drops it has run.
    std::fs::remove_file(site.join("static/notes.txt")).unwrap();
    symlink(&project.root.join("secret.txt"), &site.join("static/notes.txt"));
    let response = server.get("/notes.txt");
    assert_eq!(response.status, 404);
    assert!(!response.text().contains(SECRET));
}

#[test]
fn events_refuse_a_foreign_origin_and_the_server_a_foreign_host() {
    let project = Project::new();
    let server = Server::start(&project.site);
    for origin in ["http://evil.example", "null", "http://127.0.0.1:1", "https://localhost"] {
        let response = server.request("GET", "/__juxta/events", &[("Origin", origin)]);
        assert_eq!(response.status, 403, "Origin: {origin}");
        assert_eq!(response.header("access-control-allow-origin"), None);
    }
    let own = format!("http://{}", server.addr);
    let mut events = server.events(Some(&own));
    assert!(events.wait_for("hello").1.contains("\"generation\""));
    // A page of another site reaching this server through DNS rebinding names another host.
    let port = server.addr.port();
    for host in
        ["evil.example".to_string(), format!("127.0.0.1:{port}@evil.example"), format!("localhost:{port}:1")]
    {
        let response = server.request("GET", "/", &[("Host", &host)]);
        assert_eq!(response.status, 403, "Host: {host}");
    }
    let response = server.request("GET", "/", &[("Host", &format!("localhost:{}", server.addr.port()))]);
    assert_eq!(response.status, 200);
    for target in ["/", "/style.css", "/__juxta/live.js", "/missing/"] {
        assert_eq!(server.get(target).header("access-control-allow-origin"), None, "{target}");
    }
}

#[test]
fn responses_have_the_right_content_type_and_missing_pages_the_sites_404_page() {
    let project = Project::new();
    let big: Vec<u8> = (0..6 * 1024 * 1024u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(project.site.join("static/big.bin"), &big).unwrap();
    let server = Server::start(&project.site);
    for (target, kind) in [
        ("/", "text/html; charset=utf-8"),
        ("/guide/page/", "text/html; charset=utf-8"),
        ("/style.css", "text/css; charset=utf-8"),
        ("/highlight.css", "text/css; charset=utf-8"),
        ("/dot.svg", "image/svg+xml"),
        ("/notes.txt", "text/plain; charset=utf-8"),
        ("/robots.txt", "text/plain; charset=utf-8"),
        ("/atom.xml", "application/xml"),
        ("/sitemap.xml", "application/xml"),
        ("/__juxta/live.js", "text/javascript; charset=utf-8"),
        ("/big.bin", "application/octet-stream"),
    ] {
        let response = server.get(target);
        assert_eq!((response.status, response.header("content-type")), (200, Some(kind)), "{target}");
        assert_eq!(response.header("x-content-type-options"), Some("nosniff"));
    }
    let response = server.get("/big.bin");
    assert_eq!(response.header("content-length"), Some("6291456"));
    assert!(response.body == big, "the large file arrives whole");
    let head = server.request("HEAD", "/", &[]);
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());

    let missing = server.get("/no/such/page/");
    assert_eq!(missing.status, 404);
    assert_eq!(missing.header("content-type"), Some("text/html; charset=utf-8"));
    assert!(
        missing.text().contains("<h1>Page not found</h1>") && missing.text().contains("/__juxta/live.js")
    );
    let folder = server.get("/guide?a=1");
    assert_eq!((folder.status, folder.header("location")), (307, Some("/guide/?a=1")));
    assert_eq!(server.request("POST", "/", &[]).status, 405);
}

#[test]
fn the_reload_script_is_in_served_pages_only_never_in_built_output() {
    let project = Project::new();
    let out = project.root.join("public");
    let built = common::build(&project.site, &out, &[]);
    assert!(built.status.success(), "{}", String::from_utf8_lossy(&built.stderr));
    for (path, bytes) in common::tree(&out) {
        assert!(!String::from_utf8_lossy(&bytes).contains("__juxta"), "{path}");
    }
    let server = Server::start(&project.site);
    assert!(server.get("/").text().contains("/__juxta/live.js"));
    assert!(server.get("/style.css").text().starts_with("body {"));
}

#[test]
fn a_taken_port_is_a_clear_error_with_exit_code_2() {
    let project = Project::new();
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let mut child = juxta_serve(&project.site, &["--port", &port]);
    let status = wait(&mut child, WAIT).expect("juxta serve exits");
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    assert_eq!(status.code(), Some(2), "{stderr}");
    let expected = format!(
        "cannot listen on 127.0.0.1:{port}: the port is already in use (another `juxta serve`?): \
         choose another with --port: "
    );
    assert!(stderr.starts_with(&expected), "{stderr}");
    assert!(!project.site.join("public").exists());
}

#[test]
fn ctrl_c_stops_cleanly_and_leaves_every_file_alone() {
    let project = Project::new();
    let before = common::tree(&project.root);
    let mut server = Server::start(&project.site);
    assert_eq!(server.get("/").status, 200);
    let mut events = server.events(None);
    events.wait_for("hello");

    let pid = server.child.id().to_string();
    assert!(Command::new("kill").args(["-INT", &pid]).status().unwrap().success());
    let status = wait(&mut server.child, WAIT).expect("juxta serve stops after SIGINT");
    assert!(status.success(), "{status:?}: {}", server.log());
    server.wait_for_log("juxta: stopped");
    assert!(events.ended(), "open event streams are closed");
    assert_eq!(common::tree(&project.root), before, "no file was written, changed or removed");
}

#[test]
fn atomic_saves_renames_deletes_and_bursts_of_changes_are_all_seen() {
    let project = Project::new();
    let site = &project.site;
    let server = Server::start(site);
    let mut events = server.events(None);
    events.wait_for("hello");

    // An editor's atomic save: a temporary file written beside the page, then renamed over it.
    let text = std::fs::read_to_string(site.join(PAGE)).unwrap().replace("First", "Atomic");
    write(site, "content/guide/page.md.tmp", &text);
    std::fs::rename(site.join("content/guide/page.md.tmp"), site.join(PAGE)).unwrap();
    server.wait_until("the atomic save is served", || {
        server.get("/guide/page/").text().contains("Atomic version")
            && server.get("/guide/page.md.tmp").status == 404
    });

    // A branch switch: many pages added at once, one renamed, a folder of pages removed.
    for i in 0..150 {
        write(
            site,
            &format!("content/guide/burst-{i:03}.md"),
            &format!("+++\ntitle = \"Burst {i}\"\n+++\nBurst page {i}.\n"),
        );
    }
    std::fs::rename(site.join(OTHER), site.join("content/guide/moved.md")).unwrap();
    server.wait_until("the burst is served", || {
        server.get("/guide/burst-149/").status == 200
            && server.get("/guide/moved/").status == 200
            && server.get("/guide/other/").status == 404
    });
    for i in 0..150 {
        assert_eq!(server.get(&format!("/guide/burst-{i:03}/")).status, 200, "burst page {i}");
    }
    for i in 0..150 {
        std::fs::remove_file(site.join(format!("content/guide/burst-{i:03}.md"))).unwrap();
    }
    server.wait_until("the deletions are served", || server.get("/guide/burst-000/").status == 404);
    assert_eq!(server.get("/guide/burst-149/").status, 404);
    assert!(!server.log().contains("failed"), "{}", server.log());

    // A static file's new contents are served as soon as the pages are told to reload.
    write(site, "static/style.css", "main { color: teal; }\n");
    events.wait_for("reload");
    server.wait_until("the new stylesheet is served", || server.get("/style.css").text().contains("teal"));
}

// ---------------------------------------------------------------------------------------------
// Helpers

/// A temporary folder holding a copy of the fixture site as `site/` and a secret file beside it.
struct Project {
    root: PathBuf,
    site: PathBuf,
    _dir: tempfile::TempDir,
}

impl Project {
    fn new() -> Project {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        let site = root.join("site");
        common::copy_tree(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/serve_site"), &site);
        std::fs::write(root.join("secret.txt"), SECRET).unwrap();
        Project { root, site, _dir: dir }
    }
}

fn write(site: &Path, path: &str, text: &str) {
    std::fs::write(site.join(path), text).unwrap();
}

fn replace(site: &Path, path: &str, from: &str, to: &str) {
    let text = std::fs::read_to_string(site.join(path)).unwrap();
    assert!(text.contains(from), "`{from}` is in {path}");
    write(site, path, &text.replacen(from, to, 1));
}

fn symlink(target: &Path, link: &Path) {
    std::os::unix::fs::symlink(target, link).unwrap();
}

/// `{"key":"value",…}` as serde_json writes it (keys sorted).
fn serde_json(pairs: &[(&str, &str)]) -> String {
    let fields: Vec<String> = pairs.iter().map(|(k, v)| format!("{}:{}", quote(k), quote(v))).collect();
    format!("{{{}}}", fields.join(","))
}

fn quote(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn juxta_serve(site: &Path, extra: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_juxta"))
        .args(["serve", "--root", site.to_str().unwrap()])
        .args(extra)
        .env("SOURCE_DATE_EPOCH", common::EPOCH)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the juxta binary runs")
}

/// Waits for a process to exit, at most `limit`.
fn wait(child: &mut Child, limit: Duration) -> Option<ExitStatus> {
    let started = Instant::now();
    while started.elapsed() < limit {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    None
}

/// A running `juxta serve`, killed when dropped.
struct Server {
    child: Child,
    addr: SocketAddr,
    log: Arc<Mutex<String>>,
}

impl Server {
    /// Starts `juxta serve --port 0` on `site` and waits until it listens.
    fn start(site: &Path) -> Server {
        let mut child = juxta_serve(site, &["--port", "0"]);
        let stderr = child.stderr.take().unwrap();
        let log = Arc::new(Mutex::new(String::new()));
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                let mut log = sink.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        });
        let mut server = Server { child, addr: "127.0.0.1:1".parse().unwrap(), log };
        server.wait_for_log("juxta: serving http://");
        let log = server.log();
        let url = log.split("juxta: serving http://").nth(1).unwrap();
        server.addr = url[..url.find('/').unwrap()].parse().unwrap();
        server
    }

    fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    fn wait_for_log(&self, text: &str) {
        self.wait_until(&format!("`{text}` in the log"), || self.log().contains(text));
    }

    fn wait_until(&self, what: &str, mut done: impl FnMut() -> bool) {
        let started = Instant::now();
        while !done() {
            assert!(started.elapsed() < WAIT, "timed out waiting for {what}; the log:\n{}", self.log());
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn get(&self, target: &str) -> Response {
        self.request("GET", target, &[])
    }

    /// One HTTP/1.1 request; a `Host` in `headers` replaces the server's address.
    fn request(&self, method: &str, target: &str, headers: &[(&str, &str)]) -> Response {
        let mut stream = TcpStream::connect(self.addr).unwrap();
        stream.set_read_timeout(Some(WAIT)).unwrap();
        let mut head = format!("{method} {target} HTTP/1.1\r\nConnection: close\r\n");
        if !headers.iter().any(|(name, _)| name.eq_ignore_ascii_case("host")) {
            head.push_str(&format!("Host: {}\r\n", self.addr));
        }
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        stream.write_all(format!("{head}\r\n").as_bytes()).unwrap();
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).unwrap();
        Response::parse(&raw)
    }

    /// Opens the event stream (HTTP/1.0, so that the body is not chunked).
    fn events(&self, origin: Option<&str>) -> Events {
        let mut stream = TcpStream::connect(self.addr).unwrap();
        stream.set_read_timeout(Some(WAIT)).unwrap();
        let origin = origin.map(|o| format!("Origin: {o}\r\n")).unwrap_or_default();
        write!(stream, "GET /__juxta/events HTTP/1.0\r\nHost: {}\r\n{origin}\r\n", self.addr).unwrap();
        let mut reader = BufReader::new(stream);
        let mut status = String::new();
        reader.read_line(&mut status).unwrap();
        assert!(status.starts_with("HTTP/1.0 200") || status.starts_with("HTTP/1.1 200"), "{status}");
        let mut line = String::new();
        while reader.read_line(&mut line).unwrap() > 0 && line != "\r\n" {
            if line.to_ascii_lowercase().starts_with("content-type:") {
                assert!(line.contains("text/event-stream"), "{line}");
            }
            line.clear();
        }
        Events { reader }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An open event stream.
struct Events {
    reader: BufReader<TcpStream>,
}

impl Events {
    /// The next event: its name and data.
    fn next(&mut self) -> Option<(String, String)> {
        let (mut name, mut data) = (String::new(), Vec::new());
        loop {
            let mut line = String::new();
            if self.reader.read_line(&mut line).ok()? == 0 {
                return None;
            }
            let line = line.trim_end_matches(['\r', '\n']);
            if line.is_empty() {
                if !name.is_empty() {
                    return Some((name, data.join("\n")));
                }
                continue;
            }
            if let Some(value) = line.strip_prefix("event:") {
                name = value.trim_start().to_string();
            } else if let Some(value) = line.strip_prefix("data:") {
                data.push(value.strip_prefix(' ').unwrap_or(value).to_string());
            }
        }
    }

    /// Reads events until one named `name`, which it returns.
    fn wait_for(&mut self, name: &str) -> (String, String) {
        loop {
            match self.next() {
                Some(event) if event.0 == name => return event,
                Some(_) => {}
                None => panic!("the event stream ended before a `{name}` event"),
            }
        }
    }

    /// Whether the stream has ended (after any events still buffered).
    fn ended(&mut self) -> bool {
        while self.next().is_some() {}
        true
    }
}

struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    fn parse(raw: &[u8]) -> Response {
        let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("a complete response head");
        let head = String::from_utf8_lossy(&raw[..split]).into_owned();
        let mut lines = head.lines();
        let status = lines.next().and_then(|l| l.split_whitespace().nth(1)).unwrap().parse().unwrap();
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        let mut response = Response { status, headers, body: raw[split + 4..].to_vec() };
        if response.header("transfer-encoding") == Some("chunked") {
            response.body = dechunk(&response.body);
        }
        response
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

fn dechunk(mut raw: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    loop {
        let end = raw.windows(2).position(|w| w == b"\r\n").expect("a chunk size line");
        let size = usize::from_str_radix(std::str::from_utf8(&raw[..end]).unwrap().trim(), 16).unwrap();
        if size == 0 {
            return body;
        }
        body.extend_from_slice(&raw[end + 2..end + 2 + size]);
        raw = &raw[end + 2 + size + 2..];
    }
}
