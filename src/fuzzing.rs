//! Entry points of the fuzz targets in `fuzz/` and of the test that replays their corpus
//! (`tests/fuzz_corpus.rs`), and the few internals the integration tests compare with other
//! implementations (the Markdown specification, the search client, the JSON Schema). Not part of
//! juxta's API: hidden from the documentation and free to change.
//!
//! Each fuzzing function takes arbitrary bytes, runs one stage of the pipeline on them in memory,
//! and panics only when an invariant breaks: a stage may refuse its input with an error, but never
//! panic, and what it accepts must be safe to write.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use crate::config::Config;
use crate::data::Data;
use crate::date::Date;
use crate::page::{self, Page, PageId};
use crate::site::{Parts, Site};
use crate::source::{ContentAsset, ContentFile, SourceKind};
use crate::templates::Templates;
use crate::urls::{self, Flavour};
use crate::{comparison, data, html, located, markdown, table};

/// Front matter splitting and parsing, and the page path derived from it. The first byte picks
/// the kind of file; the rest is the file's bytes.
pub fn front_matter(input: &[u8]) {
    let Some((&selector, bytes)) = input.split_first() else { return };
    let (path, kind) = match selector % 4 {
        0 => ("_index.md", SourceKind::Home),
        1 => ("guide/_index.md", SourceKind::Section),
        2 => ("guide/page.md", SourceKind::Page),
        _ => ("guide/bundle/index.md", SourceKind::Bundle),
    };
    let shown = Path::new("content").join(path);
    let text = match crate::fs::decode_source(bytes.to_vec(), &shown) {
        Ok(text) => text,
        Err(e) => return check_error(&e),
    };
    let file = ContentFile { path: path.to_string(), kind };
    match page::parse(&file, &text) {
        Ok(page) => {
            assert!(!page.front.title.trim().is_empty(), "an empty title was accepted");
            check_site_path(&page.path);
            for alias in &page.front.aliases {
                let file = urls::alias_file(alias).expect("aliases are checked when the page is parsed");
                check_site_path(&file);
            }
            for date in [&page.front.date, &page.front.updated].into_iter().flatten() {
                assert_eq!(Date::parse(&date.to_string()).as_ref(), Some(date));
                let _ = date.rfc3339();
            }
        }
        Err(e) => check_error(&e),
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        let _ = Date::parse(text);
    }
}

/// Data loading and validation: the first byte picks the format; the rest is the file. A file
/// declaring `kind = "comparison"` is validated, and a valid dataset is rendered as a table,
/// JSON and CSV.
pub fn data(input: &[u8]) {
    let Some((&selector, bytes)) = input.split_first() else { return };
    let ext = ["toml", "json", "yaml", "yml", "csv"][usize::from(selector) % 5];
    let name = format!("fuzz.{ext}");
    let shown = Path::new(crate::source::DATA_DIR).join(&name);
    let text = match crate::fs::decode_source(bytes.to_vec(), &shown) {
        Ok(text) => text,
        Err(e) => return check_error(&e),
    };
    let data::Parsed { text, comparison: declared, .. } = match data::parse_file(&text, &shown, ext, true) {
        Ok(parsed) => parsed,
        Err(e) => return check_error(&e),
    };
    if !declared || ext == "csv" {
        return;
    }
    let node = located::parse(&text, ext, &shown).expect("a file its parser accepted is read again");
    let c = match comparison::validate("fuzz", &shown, &node) {
        Ok(c) => c,
        Err(errors) => return errors.iter().for_each(check_error),
    };
    let _ = serde_json::to_string(&c.to_json()).expect("JSON values always serialise");
    let _ = c.to_csv();
    let today = Date::from_timestamp(1_700_000_000).expect("a date in range");
    let _ = comparison::sources::notices(&c, &today);
    comparison::sources::future_dates(&c, &today).iter().for_each(check_error);
    let site = &fixture(0).site;
    let links = table::Links { site, depth: 1, current: Some("guide/".into()) };
    let selection = table::Selection::default();
    table::check(&c, &selection).expect("the whole dataset is a valid selection");
    let html = table::render(&c, &selection, &links);
    check_html(&html, "a comparison table");
}

/// The Markdown pipeline of one page: the Tera pass when the body asks for it (and the check
/// whether it does), Markdown (streamed and read whole first, which must agree), link rewriting,
/// and the page template. The first byte picks the options (raw HTML, smart punctuation,
/// highlighting, offline links); the rest is the body.
pub fn markdown(input: &[u8]) {
    let Some((&selector, bytes)) = input.split_first() else { return };
    let Ok(body) = std::str::from_utf8(bytes) else { return };
    // Nested `range` loops can run for hours while writing nothing; only an interrupt stops them
    // (output is capped, time is not), so they are outside what this target can judge.
    if body.contains("range") {
        return;
    }
    let fixture = fixture(selector);
    let (site, templates, id) = (&fixture.site, &fixture.templates, fixture.page);
    let events = markdown::parse(body, &site.config.markdown);
    let expanded = match templates.expand_body(id, body, &events) {
        Ok(expanded) => expanded,
        Err(e) => return check_error(&e),
    };
    if !body.contains("{{") && !body.contains("{%") {
        assert_eq!(expanded, None, "a body without template syntax went through Tera");
    }
    let rendered = match &expanded {
        Some(expanded) => markdown::render(site, id, expanded),
        None => markdown::render_parsed(site, id, body, events),
    };
    let rendered = match rendered {
        Ok(rendered) => rendered,
        Err(e) => return check_error(&e),
    };
    if !site.config.markdown.raw_html {
        check_html(&rendered.html, "Markdown rendered without raw HTML");
    }
    for tag in html::tags(&rendered.html) {
        for attribute in ["href", "src"] {
            if let Some(url) = tag.get(attribute)
                && !site.config.markdown.raw_html
            {
                assert!(!urls::is_dangerous(url), "{} kept {url:?}", tag.describe(attribute));
            }
        }
    }
    match templates.render_page(id, &rendered) {
        Ok(html) => check_scan(&html, &site.config.base_url),
        Err(e) => check_error(&e),
    }
}

/// URL and slug resolution: the input is a slug, an alias, a heading and a link destination at
/// once.
pub fn url(input: &[u8]) {
    let Ok(text) = std::str::from_utf8(input) else { return };
    if urls::check_segment(text).is_ok() {
        assert!(!text.contains(['/', '\\']) && text != "." && text != "..", "segment {text:?}");
    }
    if let Ok(file) = urls::alias_file(text) {
        check_site_path(&file);
    }
    let slug = urls::slugify(text);
    assert!(!slug.contains(['/', '\\', '.', '<', '>', '"', '&', '#', '%', ' ']), "slug {slug:?}");
    let _ = urls::percent_decode(text);
    for selector in [0, 8] {
        let fixture = fixture(selector);
        let site = &fixture.site;
        let page = site.page(fixture.page);
        let from = urls::From { dir: page.source_dir(), path: &page.path, page: fixture.page };
        match urls::resolve(&**site, &from, text, |_, _| {}) {
            Ok(urls::Resolved::Replace(url)) => {
                assert!(!urls::is_dangerous(&url), "link {text:?} became {url:?}");
                assert!(!url.starts_with('/') || text.trim().starts_with("//"), "{text:?} → {url:?}");
            }
            Ok(urls::Resolved::Keep) => assert!(!urls::is_dangerous(text), "{text:?} was kept"),
            Ok(urls::Resolved::Neutralise) => assert!(urls::is_dangerous(text), "{text:?} was neutralised"),
            Err(message) => assert!(!message.is_empty()),
        }
    }
    let file = ContentFile { path: format!("guide/{text}.md"), kind: SourceKind::Page };
    let page = format!("+++\ntitle = \"t\"\nslug = {}\n+++\n", toml_string(text));
    if let Ok(page) = page::parse(&file, &page) {
        check_site_path(&page.path);
    }
}

/// The Markdown options juxta parses pages with, by default.
pub fn markdown_options() -> pulldown_cmark::Options {
    markdown::options(&crate::config::MarkdownConfig::default())
}

/// `%XX` escapes decoded as juxta decodes the addresses of links.
pub fn percent_decode(text: &str) -> String {
    urls::percent_decode(text).into_owned()
}

/// Whether a file could have `name` in a site (see `urls::check_portable`).
pub fn is_portable_name(name: &str) -> bool {
    urls::check_portable(name).is_ok()
}

/// The search index's terms of `text`, in order, as the search client must make them of a query.
pub fn search_terms(text: &str) -> Vec<String> {
    crate::search::terms(text).collect()
}

/// A data file read as juxta reads it (TOML dates as text), as JSON; `None` when it does not
/// parse. `ext` is the file's extension.
pub fn data_as_json(text: &str, ext: &str) -> Option<serde_json::Value> {
    fn json(node: &located::Node) -> serde_json::Value {
        match &node.value {
            located::Value::Null => serde_json::Value::Null,
            located::Value::Bool(b) => (*b).into(),
            located::Value::Number(n) => serde_json::Value::Number(n.clone()),
            located::Value::Str(s) => s.as_str().into(),
            located::Value::Seq(items) => items.iter().map(json).collect(),
            located::Value::Map(entries) => entries.iter().map(|e| (e.key.clone(), json(&e.node))).collect(),
        }
    }
    located::parse(text, ext, Path::new("data")).ok().map(|node| json(&node))
}

/// A path inside the output folder: relative, no `.` or `..` segments, no backslash.
fn check_site_path(path: &str) {
    assert!(!path.starts_with('/') && !path.contains('\\'), "site path {path:?}");
    assert!(path.split('/').all(|s| s != ".." && s != "."), "site path {path:?}");
    assert!(!path.contains(':'), "site path {path:?}");
}

/// An error must name a file and print without panicking.
fn check_error(e: &crate::Error) {
    let text = e.to_string();
    assert!(!text.is_empty());
    for one in std::iter::once(e).chain(e.errors()) {
        assert!(one.path().is_some() || !one.errors().is_empty(), "an error names no file: {text}");
    }
}

/// The one-pass reading of a page finds the ids its tags show, and allowing `<base>` only takes
/// problems away.
fn check_scan(html: &str, base_url: &str) {
    let tags = html::tags(html);
    let ids: Vec<&str> = tags.iter().filter_map(|t| t.get("id")).collect();
    let scan = html::scan(html, base_url, false);
    assert_eq!(scan.ids, ids, "{html}");
    let allowed = html::scan(html, base_url, true).problems;
    assert!(allowed.iter().all(|p| scan.problems.contains(p)), "{html}");
}

/// HTML made from data must not carry script: no element that runs it, no event handler, no
/// `javascript:` link.
fn check_html(html: &str, what: &str) {
    for tag in html::tags(html) {
        assert!(
            !matches!(&*tag.name, "script" | "iframe" | "object" | "embed" | "style")
                || tag.get("type") == Some("application/ld+json"),
            "{what} holds <{}>: {html}",
            tag.name
        );
        for (name, value) in &tag.attributes {
            assert!(!name.starts_with("on"), "{what} holds an event handler {name}: {html}");
            if matches!(&**name, "href" | "src") {
                assert!(!urls::is_dangerous(value), "{what} links to {value:?}");
            }
        }
    }
}

fn toml_string(text: &str) -> String {
    serde_json::to_string(text).expect("strings always serialise")
}

/// A small site in memory, built once per set of options: a home page, a section, the page
/// being fuzzed, a second page, a content file and one comparison dataset.
struct Fixture {
    site: Arc<Site>,
    templates: Templates,
    page: PageId,
}

const DATASET: &str = r#"kind = "comparison"
title = "IoT vs M2M"
[[subjects]]
id = "iot"
name = "IoT"
[[subjects]]
id = "m2m"
name = "M2M"
[[dimensions]]
id = "reach"
label = "Reach"
summary = "How far a message goes"
values = { iot = "Internet", m2m = "Point to point" }
"#;

const TEMPLATES: [(&str, &str); 4] = [
    ("page.html", "<!DOCTYPE html><title>{{ page.title }}</title><main>{{ page.content | safe }}</main>"),
    ("section.html", "<!DOCTYPE html><title>{{ section.title }}</title>{{ section.content | safe }}"),
    ("index.html", "<!DOCTYPE html><title>{{ section.title }}</title>{{ section.content | safe }}"),
    ("404.html", "<!DOCTYPE html><title>{{ page.title }}</title>"),
];

/// The site the fuzz targets build on, for unit tests.
#[cfg(test)]
pub(crate) fn site_for_tests() -> Site {
    let fixture = build_fixture(0);
    drop(fixture.templates);
    Arc::try_unwrap(fixture.site).expect("the only reference to the fixture's site")
}

fn fixture(selector: u8) -> &'static Fixture {
    static FIXTURES: [OnceLock<Fixture>; 16] = [const { OnceLock::new() }; 16];
    let options = usize::from(selector % 16);
    FIXTURES[options].get_or_init(|| build_fixture(options))
}

fn build_fixture(options: usize) -> Fixture {
    let mut config: Config =
        crate::config::parse("title = \"Fuzz\"\nbase_url = \"https://example.com/docs/\"\n", None)
            .expect("the fixture's configuration is valid");
    config.markdown.raw_html = options & 1 == 0;
    config.markdown.smart_punctuation = options & 2 == 0;
    config.markdown.highlight_code = options & 4 == 0;
    let flavour = if options & 8 == 0 { Flavour::Web } else { Flavour::Offline };
    let sources = [
        ("_index.md", SourceKind::Home, "+++\ntitle = \"Home\"\n+++\n# Welcome\n"),
        ("guide/_index.md", SourceKind::Section, "+++\ntitle = \"Guide\"\n+++\n"),
        ("guide/other.md", SourceKind::Page, "+++\ntitle = \"Other\"\n+++\n## Reach {#reach}\n"),
        ("guide/page.md", SourceKind::Page, "+++\ntitle = \"Page\"\ntags = [\"a\"]\n+++\n"),
    ];
    let pages: Vec<Page> = sources
        .iter()
        .map(|(path, kind, text)| {
            let file = ContentFile { path: path.to_string(), kind: *kind };
            page::parse(&file, text).expect("the fixture's pages are valid")
        })
        .collect();
    let shown = Path::new(crate::source::DATA_DIR).join("iot_vs_m2m.toml");
    let data::Parsed { value, text, .. } =
        data::parse_file(DATASET, &shown, "toml", true).expect("the fixture's data is valid");
    let node = located::parse(&text, "toml", &shown).expect("the fixture's data is valid");
    let c = comparison::validate("iot_vs_m2m", &shown, &node).expect("the fixture's dataset is valid");
    let mut data = Data::default();
    data.comparisons.insert("iot_vs_m2m".into(), c);
    data.files.insert("iot_vs_m2m".into(), data::DataFile { shown, value });
    let parts = Parts {
        root: "/nonexistent-juxta-fuzz-root".into(),
        config,
        flavour,
        drafts: false,
        assets: vec![ContentAsset { path: "guide/diagram.svg".into(), bundle: None }],
        static_files: vec!["style.css".into()],
        data,
        build_date: Date::from_timestamp(1_700_000_000).expect("a date in range"),
        history: crate::git::History::default(),
    };
    let site = Arc::new(Site::assemble(parts, pages).expect("the fixture site assembles"));
    let sources = TEMPLATES.iter().map(|(n, s)| (n.to_string(), s.to_string())).collect();
    let ids: Vec<_> = site.ids().collect();
    let templates =
        Templates::compile(site.clone(), sources, &ids, false).expect("the fixture's templates compile");
    let page = site.by_source["guide/page.md"];
    Fixture { site, templates, page }
}
