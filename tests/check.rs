//! `juxta check`, `juxta init`, and the progress line.
//!
//! - `tests/check_sites/<case>/` holds the files that differ from `tests/check_sites/_base/` (a
//!   site that checks clean); the combined site's check prints exactly `<case>/expected_stderr`
//!   (times replaced by `<time>`) and exits with 1 (or the code in `expected_exit`). The check
//!   leaves the site's own `public/` alone and its temporary folders are gone afterwards.
//! - External links are checked against servers on 127.0.0.1 only.
//!
//! `JUXTA_BLESS=1 cargo test --test check` rewrites the pinned files after a deliberate change.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::{cases, copy_tree, fixtures, tree};

/// Runs `juxta` in `dir` with a private temporary folder and no proxy.
fn juxta_in(dir: &Path, tmp: &Path, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_juxta"));
    command.args(args).current_dir(dir).env("SOURCE_DATE_EPOCH", common::epoch(dir)).env("TMPDIR", tmp);
    for proxy in ["http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"] {
        command.env_remove(proxy);
    }
    command.output().expect("the juxta binary runs")
}

/// stderr with the times of the summary line replaced, so that it can be pinned.
fn normalized(output: &Output) -> String {
    let text = String::from_utf8_lossy(&output.stderr);
    let mut lines = Vec::new();
    for line in text.lines() {
        lines.push(match line.rfind(" in ") {
            Some(at) if line.starts_with("juxta: ") && line[at + 4..].contains(" s") => {
                let rest = &line[at + 4..];
                let after = rest.find(" s").map_or("", |i| &rest[i + 2..]);
                format!("{} in <time>{after}", &line[..at])
            }
            _ => line.to_string(),
        });
    }
    lines.join("\n") + "\n"
}

/// Builds the site of a case (base plus the case's files) in `tmp/site`.
fn case_site(case: &Path, tmp: &Path) -> PathBuf {
    let site = tmp.join("site");
    copy_tree(&fixtures("check_sites").join("_base"), &site);
    copy_tree(case, &site);
    for pinned in ["expected_stderr", "expected_exit"] {
        let _ = std::fs::remove_file(site.join(pinned));
    }
    site
}

#[test]
fn each_kind_of_broken_link_is_reported_at_its_source() {
    let mut failures = Vec::new();
    let all = cases(&fixtures("check_sites"));
    assert!(all.len() >= 9, "the fixtures are there: {all:?}");
    for case in all {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let tmp = tempfile::tempdir().unwrap();
        let site = case_site(&case, tmp.path());
        // The user's own output folder, which the check must not touch.
        std::fs::create_dir_all(site.join("public")).unwrap();
        std::fs::write(site.join("public/mine.txt"), "not juxta's").unwrap();
        let before = tree(&site);
        let private = tmp.path().join("tmp");
        std::fs::create_dir(&private).unwrap();

        let result = juxta_in(&site, &private, &["check"]);
        let stderr = normalized(&result);
        common::compare_pinned(&case, &name, &stderr, result.status.code(), &mut failures);
        if tree(&site) != before {
            failures.push(format!("{name}: the check changed the site's files"));
        }
        let left: Vec<_> = std::fs::read_dir(&private).unwrap().collect();
        if !left.is_empty() {
            failures.push(format!("{name}: the check left {} temporary entries", left.len()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn a_clean_site_exits_0_with_one_summary_line() {
    let tmp = tempfile::tempdir().unwrap();
    let site = fixtures("check_sites").join("_base");
    let result = juxta_in(&site, tmp.path(), &["check"]);
    assert_eq!(result.status.code(), Some(0), "{}", String::from_utf8_lossy(&result.stderr));
    assert_eq!(
        normalized(&result),
        "juxta: checked 2 pages and 14 other files, web and offline, in <time>: no problems\n"
    );
    assert!(result.stdout.is_empty());
    let quiet = juxta_in(&site, tmp.path(), &["check", "--quiet"]);
    assert_eq!(quiet.status.code(), Some(0));
    assert!(quiet.stderr.is_empty(), "{}", String::from_utf8_lossy(&quiet.stderr));
}

#[test]
fn usage_and_environment_problems_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let empty = tmp.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let result = juxta_in(&empty, tmp.path(), &["check"]);
    assert_eq!(result.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&result.stderr).contains("no `site.toml`"));
    let site = fixtures("check_sites").join("_base");
    assert_eq!(juxta_in(&site, tmp.path(), &["check", "--timeout", "3"]).status.code(), Some(2));
}

#[test]
fn the_flagship_site_checks_clean() {
    let tmp = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let result = juxta_in(root, tmp.path(), &["check"]);
    let stderr = normalized(&result);
    assert_eq!(result.status.code(), Some(0), "{stderr}");
    // The site reads its pages' dates of last change from git: a clone without the whole history
    // (CI's may be shallow) says it cannot, and only then.
    let shallow = std::process::Command::new("git")
        .args(["rev-parse", "--is-shallow-repository"])
        .current_dir(root)
        .output()
        .map_or(true, |o| !o.status.success() || String::from_utf8_lossy(&o.stdout).trim() == "true");
    let (warnings, rest): (Vec<&str>, Vec<&str>) = stderr
        .lines()
        .partition(|l| l.starts_with("juxta: warning: site.toml: `[git] last_updated` is on, but "));
    assert_eq!(warnings.len(), usize::from(shallow), "{stderr}");
    assert!(rest.len() == 1 && rest[0].ends_with("web and offline, in <time>: no problems"), "{stderr}");
}

#[test]
fn init_writes_a_site_that_builds_and_checks_clean() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("new/site");
    let result = juxta_in(tmp.path(), tmp.path(), &["init", "new/site"]);
    assert_eq!(result.status.code(), Some(0), "{}", String::from_utf8_lossy(&result.stderr));
    let files = tree(&dir);
    // What it wrote, then the three steps left to publish it.
    assert_eq!(
        String::from_utf8_lossy(&result.stderr),
        format!(
            "juxta: wrote a new site of {} files into new/site; `juxta build --root new/site` builds it\n{}",
            files.len(),
            juxta::init::PUBLISH_STEPS
        )
    );
    assert_eq!(files[".github/workflows/pages.yml"], juxta::init::workflow().into_bytes());
    for expected in [
        "site.toml",
        ".gitignore",
        "content/_index.md",
        "content/guide.md",
        "data/static_vs_server.toml",
        "templates/base.html",
        "templates/index.html",
        "templates/page.html",
        "templates/404.html",
        "static/style.css",
    ] {
        assert!(files.contains_key(expected), "{expected} is missing: {:?}", files.keys());
    }
    // The theme is the flagship's, byte for byte.
    let flagship = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (name, bytes) in &tree(&flagship.join("templates")) {
        assert_eq!(&files[&format!("templates/{name}")], bytes, "templates/{name}");
    }

    let built = common::build(&dir, &dir.join("public"), &[]);
    assert!(built.status.success(), "{}", String::from_utf8_lossy(&built.stderr));
    let home = std::fs::read_to_string(dir.join("public/index.html")).unwrap();
    assert!(home.contains("<table"), "the home page shows the comparison:\n{home}");
    assert!(dir.join("public/data/static_vs_server.csv").is_file());
    let checked = juxta_in(&dir, tmp.path(), &["check"]);
    assert_eq!(checked.status.code(), Some(0), "{}", String::from_utf8_lossy(&checked.stderr));
}

#[test]
fn init_refuses_a_folder_that_is_not_empty() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("mine");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("notes.txt"), "keep me").unwrap();
    let result = juxta_in(tmp.path(), tmp.path(), &["init", "mine"]);
    assert_eq!(result.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&result.stderr),
        "refusing to create a site in `mine`: it is not empty; choose a new or empty folder\n"
    );
    assert_eq!(tree(&dir).len(), 1, "nothing was added");
    assert_eq!(std::fs::read_to_string(dir.join("notes.txt")).unwrap(), "keep me");

    std::fs::write(tmp.path().join("file"), "x").unwrap();
    let result = juxta_in(tmp.path(), tmp.path(), &["init", "file"]);
    assert_eq!(result.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&result.stderr).contains("it is a file, not a folder"));
}

// ---------------------------------------------------------------------------------------------
// Progress

#[test]
fn progress_is_absent_when_stderr_is_not_a_terminal() {
    let tmp = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = tmp.path().join("public");
    let result = Command::new(env!("CARGO_BIN_EXE_juxta"))
        .args(["build", "--out", out.to_str().unwrap()])
        .current_dir(root)
        .env("JUXTA_PROGRESS_DELAY_MS", "0")
        .output()
        .unwrap();
    assert!(result.status.success());
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert_eq!(stderr.lines().count(), 1, "only the summary line:\n{stderr:?}");
    // The repository's own site grows page by page; only the shape of the summary is pinned.
    assert!(stderr.starts_with("juxta: built ") && stderr.contains(" pages and "), "{stderr:?}");
    assert!(!stderr.contains('\r') && !stderr.contains('\x1b'), "{stderr:?}");
}

#[test]
fn progress_is_shown_on_a_terminal_and_erased_before_the_summary() {
    if Command::new("script").arg("--version").output().is_err() {
        panic!("`script` (util-linux) is needed to run juxta on a terminal");
    }
    let tmp = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let command = format!("{} check --root {}", env!("CARGO_BIN_EXE_juxta"), root.display());
    let result = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env("JUXTA_PROGRESS_DELAY_MS", "0")
        .env("TMPDIR", tmp.path())
        .output()
        .unwrap();
    assert!(result.status.success(), "{}", String::from_utf8_lossy(&result.stderr));
    let screen = String::from_utf8_lossy(&result.stdout).into_owned();
    assert!(screen.contains("\r\x1b[2Kjuxta: "), "a progress line was drawn:\n{screen:?}");
    let last = screen.trim_end().rsplit("\r\x1b[2K").next().unwrap_or_default();
    assert!(
        last.starts_with("juxta: checked ") && last.contains(" pages and ") && last.ends_with("no problems"),
        "the progress line is erased before the summary:\n{last:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// External links

/// Servers on 127.0.0.1 answering by path, counting requests in flight.
struct Servers {
    ports: Vec<u16>,
    requests: Arc<AtomicUsize>,
    in_flight: Arc<AtomicUsize>,
    most_in_flight: Arc<AtomicUsize>,
    most_per_server: Vec<Arc<AtomicUsize>>,
}

impl Servers {
    fn start(count: usize) -> Servers {
        let requests = Arc::new(AtomicUsize::new(0));
        let in_flight = Arc::new(AtomicUsize::new(0));
        let most_in_flight = Arc::new(AtomicUsize::new(0));
        let flaky = Arc::new(AtomicUsize::new(0));
        let mut ports = Vec::new();
        let mut most_per_server = Vec::new();
        for _ in 0..count {
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            ports.push(listener.local_addr().unwrap().port());
            let mine = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
            most_per_server.push(mine.1.clone());
            let shared = (requests.clone(), in_flight.clone(), most_in_flight.clone(), flaky.clone());
            std::thread::spawn(move || {
                for stream in listener.incoming().flatten() {
                    let shared = shared.clone();
                    let mine = mine.clone();
                    std::thread::spawn(move || {
                        let (requests, in_flight, most, flaky) = shared;
                        requests.fetch_add(1, Ordering::SeqCst);
                        let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(now, Ordering::SeqCst);
                        let here = mine.0.fetch_add(1, Ordering::SeqCst) + 1;
                        mine.1.fetch_max(here, Ordering::SeqCst);
                        // Counted out before answering: the client cannot start its next
                        // request in this slot before this one is counted out.
                        let _ = answer(stream, &flaky, || {
                            mine.0.fetch_sub(1, Ordering::SeqCst);
                            in_flight.fetch_sub(1, Ordering::SeqCst);
                        });
                    });
                }
            });
        }
        Servers { ports, requests, in_flight, most_in_flight, most_per_server }
    }
}

/// Answers one request: `/ok` 200; `/missing` 404; `/no-head` 405 to HEAD and 200 to GET;
/// `/slow` after 3 s; `/flaky` 503 the first two times, then 200; `/wait/…` 200 after 300 ms.
fn answer(stream: TcpStream, flaky: &AtomicUsize, answering: impl FnOnce()) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    let _ = reader.read_line(&mut request_line);
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).unwrap_or(0) == 0 || header.trim().is_empty() {
            break;
        }
    }
    let mut parts = request_line.split_whitespace();
    let (method, path) = (parts.next().unwrap_or_default(), parts.next().unwrap_or_default());
    let status = match path {
        "/ok" => "200 OK",
        "/missing" => "404 Not Found",
        "/no-head" if method == "HEAD" => "405 Method Not Allowed",
        "/no-head" => "200 OK",
        "/slow" => {
            std::thread::sleep(Duration::from_secs(3));
            "200 OK"
        }
        "/flaky" if flaky.fetch_add(1, Ordering::SeqCst) < 2 => "503 Service Unavailable",
        "/flaky" => "200 OK",
        p if p.starts_with("/wait/") => {
            std::thread::sleep(Duration::from_millis(300));
            "200 OK"
        }
        _ => "404 Not Found",
    };
    answering();
    let mut stream = stream;
    write!(stream, "HTTP/1.1 {status}\r\nContent-Length: 2\r\nConnection: close\r\n\r\n")?;
    if method != "HEAD" {
        stream.write_all(b"ok")?;
    }
    stream.flush()
}

/// A site whose home page links to `links`.
fn site_linking(tmp: &Path, links: &[String]) -> PathBuf {
    let site = tmp.join("site");
    copy_tree(&fixtures("check_sites").join("_base"), &site);
    let list: String = links.iter().map(|l| format!("- <{l}>\n")).collect();
    std::fs::write(
        site.join("content/_index.md"),
        format!("+++\ntitle = \"Home\"\n+++\nStart with [the guide](guide.md).\n\n{list}"),
    )
    .unwrap();
    site
}

#[test]
fn external_links_get_head_then_get_with_timeouts_and_retries() {
    let servers = Servers::start(1);
    let base = format!("http://127.0.0.1:{}", servers.ports[0]);
    let links: Vec<String> =
        ["ok", "missing", "no-head", "slow", "flaky"].iter().map(|p| format!("{base}/{p}")).collect();
    let tmp = tempfile::tempdir().unwrap();
    let site = site_linking(tmp.path(), &links);

    let offline = juxta_in(&site, tmp.path(), &["check"]);
    assert_eq!(offline.status.code(), Some(0), "{}", String::from_utf8_lossy(&offline.stderr));
    assert_eq!(servers.requests.load(Ordering::SeqCst), 0, "without --external nothing is requested");

    let result = juxta_in(&site, tmp.path(), &["check", "--external", "--timeout", "1", "--retries", "1"]);
    let stderr = normalized(&result).replace(&base, "http://127.0.0.1:<port>");
    assert_eq!(
        stderr,
        "content/_index.md:7:4: `<a href=\"http://127.0.0.1:<port>/missing\">`: the server answered 404 Not Found\n\
         content/_index.md:9:4: `<a href=\"http://127.0.0.1:<port>/slow\">`: no answer within 1 s (2 tries)\n\
         juxta: the check found 2 problems in 2 pages and 14 other files and 5 external links, web and offline, \
         in <time>\n"
    );
    assert_eq!(result.status.code(), Some(1));
}

#[test]
fn external_requests_keep_to_the_global_and_per_host_limits() {
    let servers = Servers::start(3);
    let links: Vec<String> = servers
        .ports
        .iter()
        .flat_map(|port| (0..4).map(move |i| format!("http://127.0.0.1:{port}/wait/{i}")))
        .collect();
    let tmp = tempfile::tempdir().unwrap();
    let site = site_linking(tmp.path(), &links);
    let result =
        juxta_in(&site, tmp.path(), &["check", "--external", "--concurrency", "3", "--per-host", "2"]);
    assert_eq!(result.status.code(), Some(0), "{}", String::from_utf8_lossy(&result.stderr));
    assert_eq!(servers.in_flight.load(Ordering::SeqCst), 0);
    // HEAD succeeds, so each link is one request.
    assert_eq!(servers.requests.load(Ordering::SeqCst), 12);
    assert_eq!(servers.most_in_flight.load(Ordering::SeqCst), 3, "the global limit is reached, not passed");
    for (i, most) in servers.most_per_server.iter().enumerate() {
        assert!(
            most.load(Ordering::SeqCst) <= 2,
            "server {i} had {} requests at once",
            most.load(Ordering::SeqCst)
        );
    }
}
