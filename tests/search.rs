//! Site search, used in headless Chromium as a reader would (`test-tools/search.mjs`): over http under
//! a GitHub Pages sub-path and from disk in the offline flavour, "MQTT" lists the protocols page
//! first, a word found only in one heading links to that heading's anchor, a typo ("protocl") still
//! finds the protocols page, nothing is requested outside the site, axe finds no violation with the
//! results open, the keyboard works, and without JavaScript a link to every page takes the box's
//! place. A site past the shard size gets a sharded index of which a query loads only what it needs.
//! The client and the index builder normalise words identically.
//!
//! The browser tests need `scripts/test`'s browser tools: without them they are skipped locally and
//! fail under CI.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::audit::{self, BROWSER};
use common::server::{Server, encode_path};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Report {
    queries: Vec<Query>,
    enter: Enter,
    axe: Vec<Axe>,
    outside: Vec<String>,
    failed: Vec<String>,
    console: Vec<String>,
    page_errors: Vec<String>,
    no_script: NoScript,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Query {
    query: String,
    ms: u64,
    focused: Option<String>,
    index_loaded_before: bool,
    status: String,
    expanded: Option<String>,
    results: Vec<Hit>,
    scripts: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct Hit {
    href: String,
    marks: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct Enter {
    active: Option<Active>,
    landed: String,
}

#[derive(Debug, Deserialize)]
struct Active {
    selected: Option<String>,
    href: String,
}

#[derive(Debug, Deserialize)]
struct Axe {
    scheme: String,
    violations: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct NoScript {
    box_shown: bool,
    link: Option<Link>,
}

#[derive(Debug, Deserialize)]
struct Link {
    text: String,
    href: String,
}

/// A word of the repository's site written only in one heading, and that heading's anchor.
const HEADING_WORD: &str = "coping";
const HEADING_ANCHOR: &str = "comparison/#coping-with-change";

fn repository() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `search.mjs` on `page`, every request staying under `root`.
fn search(page: &str, root: &str, queries: &[&str]) -> Report {
    let result = Command::new("node")
        .arg(audit::test_tools().join("search.mjs"))
        .args([page, root])
        .args(queries)
        .output()
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&result.stdout);
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(result.status.success(), "search.mjs failed ({}):\n{stderr}", result.status);
    serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("search.mjs printed no report ({e}):\n{stdout}\nstderr:\n{stderr}"))
}

fn build(root: &Path, extra: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    let result = common::build(root, &out, extra);
    assert!(result.status.success(), "the build failed:\n{}", String::from_utf8_lossy(&result.stderr));
    (tmp, out)
}

fn query<'a>(report: &'a Report, text: &str) -> &'a Query {
    report.queries.iter().find(|q| q.query == text).expect("the query ran")
}

/// What must hold of the flagship site's search wherever it is opened; `root` is the site's URL
/// and `page_link` how links to pages end (`/` on the web, `/index.html` offline).
fn assert_flagship_search(test: &str, report: &Report, root: &str, page_link: &str) {
    let mqtt = query(report, "MQTT");
    assert_eq!(mqtt.focused.as_deref(), Some("search-input"), "`/` focuses the search box");
    assert!(!mqtt.index_loaded_before, "the index is loaded only once the box is used");
    assert!(
        mqtt.scripts
            .iter()
            .any(|s| s.ends_with("search/index.js") && !s.contains(':') && !s.starts_with('/')),
        "the index is loaded with a page-relative <script>: {:?}",
        mqtt.scripts
    );
    assert_eq!(mqtt.expanded.as_deref(), Some("true"), "the combobox says its list is open");
    // The page the protocols dataset makes for MQTT, titled "MQTT", comes first; the protocols
    // page's section on it is among the first five (pair pages such as "HTTP vs MQTT" may come
    // between).
    let first = mqtt.results.first().expect("results for MQTT");
    let subject = format!("{root}compare/mqtt{page_link}");
    assert!(first.href.starts_with(&subject), "MQTT lists its own page first: {:#?}", mqtt.results);
    let protocols = format!("{root}protocols{page_link}");
    assert!(
        mqtt.results.iter().take(5).any(|r| r.href.starts_with(&protocols) && r.href.ends_with("#mqtt")),
        "the protocols page's section on MQTT is among the first five: {:#?}",
        mqtt.results
    );
    assert!(first.marks.iter().any(|m| m == "MQTT"), "the match is highlighted: {first:?}");
    let shown = mqtt.results.len();
    assert!(
        mqtt.status.starts_with(&format!("{shown} results for")) || mqtt.status.contains("showing the first"),
        "the count is announced: {:?} for {shown} results",
        mqtt.status
    );

    let word = query(report, HEADING_WORD);
    let anchor = HEADING_ANCHOR.replace('/', page_link);
    let first = word.results.first().expect("results for the heading's word");
    assert_eq!(first.href, format!("{root}{anchor}"), "a word only in a heading links to its anchor");
    assert_eq!(word.results.len(), 1, "the word is in one heading only: {:#?}", word.results);

    let typo = query(report, "protocl");
    let first = typo.results.first().expect("results for a typo");
    assert!(first.href.starts_with(&protocols), "`protocl` finds the protocols page: {:#?}", typo.results);

    for a in &report.axe {
        assert!(
            a.violations.is_empty(),
            "axe ({}) with results open:\n{}",
            a.scheme,
            a.violations.join("\n")
        );
    }
    assert!(report.outside.is_empty(), "requests outside the site: {:?}", report.outside);
    assert!(report.failed.is_empty(), "failed requests: {:?}", report.failed);
    assert!(report.console.is_empty() && report.page_errors.is_empty(), "errors: {report:?}");

    let active = report.enter.active.as_ref().expect("ArrowDown selects a result");
    assert_eq!(active.selected.as_deref(), Some("true"), "the active result is marked selected");
    assert_eq!(report.enter.landed, active.href, "Enter opens the selected result");

    assert!(!report.no_script.box_shown, "without JavaScript the search box is not shown");
    let link = report.no_script.link.as_ref().expect("without JavaScript a link to every page is shown");
    assert_eq!(link.href, format!("{root}site-map{page_link}"), "the link leads to the site map: {link:?}");
    assert_eq!(link.text, "All pages");

    for q in &report.queries {
        eprintln!(
            "{test}: {:?}: {} ({} shown) in {} ms from the first keystroke",
            q.query,
            q.status,
            q.results.len(),
            q.ms
        );
    }
}

#[test]
fn search_works_under_a_sub_path() {
    let test = "search_works_under_a_sub_path";
    if !audit::tools_ready(test, BROWSER) {
        return;
    }
    assert_heading_word_is_only_in_one_heading();
    let (_tmp, out) = build(repository(), &["--base-url", "https://example.github.io/iot-vs-m2m/"]);
    let server = Server::start(&out, "/iot-vs-m2m/");
    let root = server.base_url();
    let report = search(&server.url("m2m/"), &root, &["MQTT", HEADING_WORD, "protocl"]);
    assert_flagship_search(test, &report, &root, "/");
}

#[test]
fn search_works_offline_from_disk() {
    let test = "search_works_offline_from_disk";
    if !audit::tools_ready(test, BROWSER) {
        return;
    }
    let (_tmp, out) = build(repository(), &["--offline"]);
    let root = format!("file://{}/", encode_path(&out.canonicalize().unwrap().to_string_lossy()));
    let report = search(&format!("{root}glossary/index.html"), &root, &["MQTT", HEADING_WORD, "protocl"]);
    assert_flagship_search(test, &report, &root, "/index.html");
}

/// The precondition of the heading test, checked rather than assumed: the word appears once in the
/// site's sources, on a heading line.
fn assert_heading_word_is_only_in_one_heading() {
    let mut lines = Vec::new();
    for dir in ["content", "data"] {
        for entry in walkdir::WalkDir::new(repository().join(dir)) {
            let entry = entry.unwrap();
            // The text files (content/ also holds images).
            if let Ok(text) = std::fs::read_to_string(entry.path()) {
                lines.extend(
                    text.lines().filter(|l| l.to_lowercase().contains(HEADING_WORD)).map(str::to_string),
                );
            }
        }
    }
    assert!(
        lines.len() == 1 && lines[0].starts_with('#'),
        "`{HEADING_WORD}` is in one heading only: {lines:?}"
    );
}

/// A copy of the repository's site with `count` more pages in a `bulk/` section, each with its own
/// made-up word (`bulkword<n>`), and the shard size set to `shard_kib`.
fn large_site(count: usize, shard_kib: usize) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    for dir in ["content", "data", "templates", "static"] {
        common::copy_tree(&repository().join(dir), &tmp.path().join(dir));
    }
    let config = std::fs::read_to_string(repository().join("site.toml")).unwrap();
    std::fs::write(tmp.path().join("site.toml"), format!("{config}\n[search]\nshard_kib = {shard_kib}\n"))
        .unwrap();
    let bulk = tmp.path().join("content/bulk");
    std::fs::create_dir_all(&bulk).unwrap();
    std::fs::write(bulk.join("_index.md"), "+++\ntitle = \"Bulk\"\n+++\nMany pages.\n").unwrap();
    for n in 0..count {
        let body = format!(
            "+++\ntitle = \"Bulk page {n}\"\n+++\nThis page describes gateway number {n} and its \
             bulkword{n} setting.\n\n## Details\n\nSensors, brokers and networks of page {n}.\n"
        );
        std::fs::write(bulk.join(format!("page-{n}.md")), body).unwrap();
    }
    tmp
}

#[test]
fn a_large_index_is_sharded_and_deterministic() {
    let site = large_site(2000, 30);
    let (_one, out) = build(site.path(), &[]);
    let (_two, again) = build(site.path(), &[]);
    let files = common::tree(&out.join("search"));
    assert_eq!(files, common::tree(&again.join("search")), "the index is byte-identical across builds");

    let terms: Vec<&String> = files.keys().filter(|f| f.starts_with("t-")).collect();
    let docs: Vec<&String> = files.keys().filter(|f| f.starts_with("d-")).collect();
    assert!(
        terms.len() > 10 && docs.len() > 3,
        "sharded: {} term and {} record shards",
        terms.len(),
        docs.len()
    );
    let largest = files.iter().filter(|(f, _)| *f != "client.js").map(|(_, b)| b.len()).max().unwrap();
    let total: usize = files.iter().filter(|(f, _)| *f != "client.js").map(|(_, b)| b.len()).sum();
    // A shard may pass the budget only when one first letter (or record) alone is larger.
    assert!(largest < 3 * 30 * 1024, "largest shard {largest} bytes");
    let index = String::from_utf8(files["index.js"].clone()).unwrap();
    assert!(index.len() < 8 * 1024 && index.contains("\"terms\":[") && !index.contains("\"t\":"), "{index}");
    eprintln!(
        "a_large_index_is_sharded_and_deterministic: {} pages: {total} bytes in {} files ({} bytes a page), largest {largest}",
        2000 + 10,
        files.len() - 1,
        total / 2010
    );

    let test = "a_large_index_is_sharded_and_deterministic";
    if !audit::tools_ready(test, BROWSER) {
        return;
    }
    let server = Server::start(&out, "/");
    let root = server.base_url();
    let report = search(&server.url("iot/"), &root, &["bulkword1234", "MQTT"]);
    let word = query(&report, "bulkword1234");
    assert_eq!(word.results.first().map(|h| h.href.as_str()), Some(server.url("bulk/page-1234/").as_str()));
    let loaded: Vec<&String> =
        word.scripts.iter().filter(|s| s.contains("search/t-") || s.contains("search/d-")).collect();
    assert_eq!(loaded.len(), 2, "one term shard and one record shard: {loaded:?}");
    let mqtt = query(&report, "MQTT");
    assert!(mqtt.results[0].href.starts_with(&server.url("compare/mqtt/")), "{:#?}", mqtt.results);
    assert!(
        mqtt.results.iter().take(5).any(|r| r.href.starts_with(&server.url("protocols/"))),
        "{:#?}",
        mqtt.results
    );
    assert!(report.outside.is_empty() && report.failed.is_empty(), "{report:?}");
    eprintln!("{test}: first results in {} ms (index not loaded before), then {} ms", word.ms, mqtt.ms);
}

/// The words the client makes of a text are the index's terms, character for character.
#[test]
fn client_and_index_normalise_alike() {
    if !audit::tools_ready("client_and_index_normalise_alike", &[audit::Tool::Node]) {
        return;
    }
    let samples = [
        "The Protocols of connected DEVICES",
        "Café, naïve, Ångström and Œuvre",
        "5G NB-IoT LTE-M TCP/IP 802.15.4",
        "batteries boxes matches glasses sending embedded shared string analysis",
        "İstanbul ΣΊΣΥΦΟΣ straße ﬁne",
        "日本語のテキスト and العربية",
    ];
    let script = format!(
        "globalThis.window = globalThis;\n{}\nconsole.log(JSON.stringify({}.map(juxtaSearch.normalize)));",
        include_str!("../src/search/client.js"),
        serde_json::to_string(&samples).unwrap()
    );
    let output = Command::new("node").args(["-e", &script]).output().expect("node runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let client: Vec<Vec<String>> = serde_json::from_slice(&output.stdout).unwrap();
    let index: Vec<Vec<String>> = samples.iter().map(|s| juxta::fuzzing::search_terms(s)).collect();
    assert_eq!(client, index);
    assert_eq!(index[1], ["cafe", "naive", "angstrom", "œuvre"]);
}
