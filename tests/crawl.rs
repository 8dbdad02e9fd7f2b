//! The repository's site works wherever it is published, as a reader clicking through it in Chromium
//! finds it (`test-tools/crawl.mjs`): on GitHub Pages under a project sub-path (`/iot-vs-m2m/`), at a
//! domain root, opened from disk as an offline build, and unpacked from the `--zip` download. In each,
//! every page reachable from the home page loads and is styled, nothing fails to load or leaves the
//! site, nothing logs an error, every internal link leads to something that exists and every `#fragment`
//! names an element on its target page. Served, a missing URL gets the styled 404 page whose links all
//! work; offline, the theme toggle works and is remembered after a reload.
//!
//! These need `scripts/test`'s browser tools: without them they are skipped locally and fail under CI.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use common::audit::{self, BROWSER};
use common::server::{Server, encode_path};
use serde::Deserialize;

/// What `crawl.mjs` reports.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Crawl {
    pages_visited: usize,
    links_checked: usize,
    /// Images that loaded and showed, below the first screen too.
    images_shown: usize,
    distinct_link_targets: usize,
    anchors_checked: usize,
    pages: Vec<String>,
    problems: BTreeMap<String, Vec<String>>,
    missing: Option<Missing>,
    toggle: Option<Toggle>,
    seconds: f64,
}

#[derive(Debug, Deserialize)]
struct Missing {
    status: Option<u16>,
    error: Option<String>,
    styled: Option<serde_json::Value>,
    failed: Vec<String>,
    outside: Vec<String>,
    console: Vec<String>,
    #[serde(rename = "pageErrors")]
    page_errors: Vec<String>,
    links: Vec<MissingLink>,
}

#[derive(Debug, Deserialize)]
struct MissingLink {
    href: String,
    status: serde_json::Value,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Toggle {
    before: Option<String>,
    after: Option<String>,
    after_reload: Option<String>,
    error: Option<String>,
    page_errors: Vec<String>,
}

impl Crawl {
    /// Every problem, one line each, grouped by kind.
    fn problem_lines(&self) -> Vec<String> {
        self.problems
            .iter()
            .flat_map(|(kind, list)| list.iter().map(move |p| format!("  - [{kind}] {p}")))
            .collect()
    }

    fn counts(&self) -> String {
        format!(
            "{} page(s), {} internal link(s) checked ({} distinct targets), {} anchor(s) checked, in {:.1} s",
            self.pages_visited,
            self.links_checked,
            self.distinct_link_targets,
            self.anchors_checked,
            self.seconds
        )
    }

    /// Asserts that the crawl found nothing wrong and reached at least `min_pages` pages.
    fn assert_clean(&self, what: &str, min_pages: usize) {
        let problems = self.problem_lines();
        assert!(
            problems.is_empty(),
            "crawling {what} found {} problem(s) ({}):\n{}",
            problems.len(),
            self.counts(),
            problems.join("\n")
        );
        // The flagship's home page shows images: a crawl that saw none did not check them.
        assert!(self.images_shown > 0, "crawling {what} saw no image load ({})", self.counts());
        assert!(
            self.pages_visited >= min_pages,
            "crawling {what} reached only {} page(s), expected at least {min_pages}: {:?}",
            self.pages_visited,
            self.pages
        );
    }
}

/// Runs `test-tools/crawl.mjs` from `start`, staying under `root`, with extra arguments.
fn crawl(start: &str, root: &str, extra: &[&str]) -> Crawl {
    let result = Command::new("node")
        .arg(audit::test_tools().join("crawl.mjs"))
        .args([start, root])
        .args(extra)
        .output()
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&result.stdout);
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(result.status.success(), "crawl.mjs failed ({}):\n{stderr}", result.status);
    serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("crawl.mjs printed no report ({e}):\n{stdout}\nstderr:\n{stderr}"))
}

/// Builds the repository's site with extra arguments into a fresh temporary folder.
fn build(extra: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    let result = common::build(root, &out, extra);
    assert!(
        result.status.success(),
        "juxta could not build the repository's site with {extra:?}:\n{}",
        String::from_utf8_lossy(&result.stderr)
    );
    (tmp, out)
}

/// The `file://` URL of a local path.
fn file_url(path: &Path) -> String {
    let path = path.canonicalize().unwrap();
    format!("file://{}", encode_path(&path.to_string_lossy()))
}

/// Crawls the site served from `out` under `prefix`, then asks for a missing page and checks the 404.
fn crawl_served(test: &str, out: &Path, prefix: &str) {
    let server = Server::start(out, prefix);
    let base = server.base_url();
    let missing = server.url("no/such/page/");
    let started = Instant::now();
    let report = crawl(&base, &base, &["--missing", &missing]);
    eprintln!("{test}: crawl of {base}: {}", report.counts());
    report.assert_clean(&base, 10);

    let m = report.missing.as_ref().expect("a report on the missing page");
    assert_eq!(m.status, Some(404), "{missing} answers 404: {m:?}");
    assert!(m.error.is_none(), "{missing} loads: {m:?}");
    let styled = m.styled.as_ref().and_then(|s| s.get("ok")).and_then(|ok| ok.as_bool());
    assert_eq!(styled, Some(true), "the 404 page at {missing} is styled: {:?}", m.styled);
    let mut bad: Vec<String> = Vec::new();
    bad.extend(m.failed.iter().map(|f| format!("failed request: {f}")));
    bad.extend(m.outside.iter().map(|o| format!("request outside the site: {o}")));
    bad.extend(m.console.iter().map(|c| format!("console error: {c}")));
    bad.extend(m.page_errors.iter().map(|e| format!("page error: {e}")));
    let mut internal = 0;
    for link in &m.links {
        if link.status == "external" {
            continue;
        }
        internal += 1;
        if link.status != 200 {
            bad.push(format!("link {} leads to {}", link.href, link.status));
        }
    }
    assert!(internal > 0, "the 404 page links back into the site: {:?}", m.links);
    assert!(bad.is_empty(), "the 404 page at {missing} has problems:\n  - {}", bad.join("\n  - "));
    eprintln!(
        "{test}: 404 page: status 404, styled, {internal} internal link(s) all 200; {:.1} s in all",
        started.elapsed().as_secs_f64()
    );
}

#[test]
fn site_works_under_a_github_pages_sub_path() {
    let test = "site_works_under_a_github_pages_sub_path";
    if !audit::tools_ready(test, BROWSER) {
        return;
    }
    let (_tmp, out) = build(&["--base-url", "https://example.github.io/iot-vs-m2m/"]);
    crawl_served(test, &out, "/iot-vs-m2m/");
}

#[test]
fn site_works_at_a_domain_root() {
    let test = "site_works_at_a_domain_root";
    if !audit::tools_ready(test, BROWSER) {
        return;
    }
    let (_tmp, out) = build(&[]);
    crawl_served(test, &out, "/");
}

#[test]
fn offline_build_works_from_disk() {
    let test = "offline_build_works_from_disk";
    if !audit::tools_ready(test, BROWSER) {
        return;
    }
    let (_tmp, out) = build(&["--offline"]);
    let root = format!("{}/", file_url(&out));
    let start = format!("{root}index.html");
    let report = crawl(&start, &root, &["--toggle"]);
    eprintln!("{test}: crawl of {start}: {}", report.counts());
    report.assert_clean(&start, 10);

    let t = report.toggle.as_ref().expect("a report on the theme toggle");
    assert!(t.error.is_none() && t.page_errors.is_empty(), "the theme toggle could be used: {t:?}");
    assert!(
        t.after.as_deref().is_some_and(|a| a == "dark" || a == "light") && t.after != t.before,
        "clicking the theme toggle changes the theme (before {:?}, after {:?})",
        t.before,
        t.after
    );
    assert_eq!(t.after_reload, t.after, "the chosen theme is remembered after a reload: {t:?}");
    eprintln!("{test}: theme toggle: {:?} -> {:?}, after reload {:?}", t.before, t.after, t.after_reload);
}

#[test]
fn zip_download_works_once_unpacked() {
    let test = "zip_download_works_once_unpacked";
    if !audit::tools_ready(test, BROWSER) {
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = tempfile::tempdir().unwrap();
    let zip = tmp.path().join("guide.zip");
    let result = common::juxta(
        root,
        &["build", "--quiet", "--root", root.to_str().unwrap(), "--zip", zip.to_str().unwrap()],
    );
    assert!(
        result.status.success(),
        "juxta build --zip failed:\n{}",
        String::from_utf8_lossy(&result.stderr)
    );
    let unpacked = tmp.path().join("unpacked");
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&zip).unwrap()).unwrap();
    archive.extract(&unpacked).expect("the zip unpacks");

    let guide = unpacked.join("guide");
    assert!(guide.join("index.html").is_file(), "the zip holds guide/index.html");
    let root_url = format!("{}/", file_url(&guide));
    let start = format!("{root_url}index.html");
    let report = crawl(&start, &root_url, &[]);
    eprintln!("{test}: crawl of {start}: {}", report.counts());
    report.assert_clean(&start, 10);
}

/// The crawler is not trivially clean: on the audit's bad fixture (a missing stylesheet, an
/// external script, pages with console errors) it reports those problems.
#[test]
fn crawl_reports_a_broken_site() {
    if !audit::tools_ready("crawl_reports_a_broken_site", audit::BROWSER) {
        return;
    }
    let bad = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/audit_fixtures/bad");
    let server = Server::start(&bad, "/bad/");
    let root = server.base_url();
    let report = crawl(&root, &root, &[]);
    let kinds: Vec<&str> =
        report.problems.iter().filter(|(_, list)| !list.is_empty()).map(|(k, _)| k.as_str()).collect();
    for expected in ["failedRequests", "outsideRequests"] {
        assert!(kinds.contains(&expected), "no `{expected}` reported: {:#?}", report.problem_lines());
    }
}
