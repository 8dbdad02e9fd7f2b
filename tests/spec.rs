//! The CommonMark 0.31.2 spec examples and the GitHub Flavored Markdown extension examples
//! (tables, strikethrough, task lists), vendored under `tests/spec/` with their licences, each
//! built as a page of one site through juxta's whole pipeline (front matter, template pass,
//! Markdown passes, page template, reference guard, anchor check, output).
//!
//! Each page's HTML must equal what pulldown-cmark alone renders from the same Markdown with the
//! same options, once juxta's documented additions are taken out of both: heading ids and
//! self-links, code block attributes and highlighting, task-list markup, and the links juxta
//! makes page-relative. The examples where juxta differs on purpose are listed below with the
//! reason; the test fails if one of them stops differing, so the lists stay exact.
//!
//! Links in the examples to targets the spec does not define (`/uri`, `#fragment`) get those
//! targets in the site, so that the build's link and anchor checks pass for the right reason.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use pulldown_cmark::{Event, Parser, Tag};

/// Examples the build refuses, on purpose, with the reason.
const REFUSED: &[(&str, &str)] = &[
    // Raw HTML with a root-relative address, which breaks under a sub-path and offline.
    ("cm-0021", "<a href=\"/bar\\/)\">"),
    // Links from the site root to names no file of a site can have (juxta proves every link
    // from the site root, and refuses such file names): `/bar*`, `/url\bar*baz`, `/url "title"`.
    ("cm-0022", "[foo](/bar\\* \"ti\\*tle\")"),
    ("cm-0023", "[foo]: /bar\\* \"ti\\*tle\""),
    ("cm-0202", "[foo]: /url\\bar\\*baz \"foo\\\"bar\\baz\""),
    ("cm-0507", "[link](/url\u{a0}\"title\")"),
    // Raw HTML that never closes: a tag without its `>` and a `<style>` without `</style>` make a
    // browser read the rest of the page (footer, scripts) as part of them.
    ("cm-0156", "<div id=\"foo\"\n*hi*"),
    ("cm-0157", "<div class\nfoo"),
    ("cm-0158", "<div *???-&&&-<---"),
    ("cm-0173", "<style\n  type=\"text/css\">"),
    // An image without alt text: juxta asks for it (a decorative image is written with
    // `image(path=…, alt="")`).
    ("cm-0581", "![](/url)"),
    // The example's photo is written here as a text placeholder, which juxta refuses as an image it
    // cannot read; a real one becomes WebP variants with `srcset` (tests/sites/images).
    ("cm-0579", "![foo](/path/to/train.jpg)"),
];

/// Examples juxta renders otherwise than pulldown-cmark alone, on purpose, with the reason.
const DIFFERENT: &[(&str, &str)] = &[
    // A link to a Markdown file becomes a link to its page: `./target.md` → `../target/`.
    ("cm-0484", "[](./target.md)"),
];

/// One example: its page name (`cm-0042`, `gfm-table-3`), section and Markdown.
struct Example {
    name: String,
    section: String,
    markdown: String,
}

fn examples() -> Vec<Example> {
    let read = |file: &str| -> Vec<serde_json::Value> {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/spec").join(file);
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    };
    let field = |e: &serde_json::Value, key: &str| e[key].as_str().unwrap().to_string();
    let commonmark = read("commonmark-0.31.2.json").into_iter().map(|e| Example {
        name: format!("cm-{:04}", e["number"].as_u64().unwrap()),
        section: field(&e, "section"),
        markdown: field(&e, "markdown"),
    });
    let gfm = read("gfm-0.29.json").into_iter().map(|e| Example {
        name: format!("{}-{}", field(&e, "section").replace('_', "-"), e["number"].as_u64().unwrap()),
        section: field(&e, "section"),
        markdown: field(&e, "markdown"),
    });
    commonmark.chain(gfm).collect()
}

/// The targets an example's links need: ids in its page, and files at the site root.
fn targets(markdown: &str, options: pulldown_cmark::Options) -> (BTreeSet<String>, BTreeSet<String>) {
    let (mut ids, mut files) = (BTreeSet::new(), BTreeSet::new());
    for event in Parser::new_ext(markdown, options) {
        let (Event::Start(Tag::Link { dest_url, .. }) | Event::Start(Tag::Image { dest_url, .. })) = event
        else {
            continue;
        };
        let dest = dest_url.trim();
        if let Some(anchor) = dest.strip_prefix('#') {
            ids.insert(juxta::fuzzing::percent_decode(anchor));
        } else if let Some(path) = dest.strip_prefix('/').filter(|p| !p.starts_with('/')) {
            let path = path.split(['?', '#']).next().unwrap_or_default();
            let path = juxta::fuzzing::percent_decode(path);
            if !path.is_empty() && !path.ends_with('/') && juxta::fuzzing::is_portable_name(&path) {
                files.insert(format!("static/{path}"));
            }
        } else if dest.ends_with(".md") && !dest.contains(':') {
            // A page beside the example's, which is at the root of `content/`.
            let path = juxta::fuzzing::percent_decode(dest.trim_start_matches("./"));
            files.insert(format!("content/{path}"));
        }
    }
    (ids, files)
}

const PAGE: &str = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{{ page.title }}</title></head>\
<body>{% for id in page.extra.ids | default(value=[]) %}<span id=\"{{ id }}\"></span>{% endfor %}\
<!--content-->{{ page.content }}<!--/content--></body></html>";

/// Writes a site with a page for each example into `root`.
fn write_site(root: &Path, examples: &[&Example]) {
    let options = juxta::fuzzing::markdown_options();
    let write = |path: &str, text: &str| {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    // An address no example links to: a link to the site's own address is refused.
    write("site.toml", "title = \"Spec\"\nbase_url = \"https://spec.invalid/\"\n[search]\nenabled = false\n");
    write("templates/page.html", PAGE);
    write("templates/index.html", "<!DOCTYPE html><title>{{ section.title }}</title>");
    write("templates/404.html", "<!DOCTYPE html><title>404</title>");
    write("content/_index.md", "+++\ntitle = \"Spec\"\n+++\n");
    for example in examples {
        let (ids, files) = targets(&example.markdown, options);
        for file in files {
            write(&file, "+++\ntitle = \"A target a spec example links to\"\n+++\n");
        }
        let ids: Vec<String> = ids.iter().map(|id| format!("{:?}", id)).collect();
        let front = format!("+++\ntitle = \"{}\"\n[extra]\nids = [{}]\n+++\n", example.name, ids.join(", "));
        write(&format!("content/{}.md", example.name), &(front + &example.markdown));
    }
}

/// `html` without juxta's documented additions, and with pulldown-cmark's own ways of writing
/// the same things made alike: heading ids and self-links, code block attributes and
/// highlighting, task-list markup, page-relative links.
fn comparable(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        let end = rest[start..].find('>').map_or(rest.len(), |e| start + e + 1);
        let tag = &rest[start..end];
        rest = &rest[end..];
        if let Some(level) = heading_level(tag) {
            out.push_str(&format!("<h{level}>"));
        } else if tag.starts_with("<a class=\"anchor\"") && rest.starts_with("#</a>") {
            rest = &rest["#</a>".len()..];
        } else if tag.starts_with("<pre class=\"code\"") {
            out.push_str("<pre>");
        } else if tag.starts_with("<span") || tag == "</span>" {
        } else if tag.starts_with("<input") && tag.contains("checkbox") {
            let checked = tag.contains("checked");
            out.push_str(if checked { "[x]" } else { "[ ]" });
            rest = rest.strip_prefix(' ').or_else(|| rest.strip_prefix('\n')).unwrap_or(rest);
        } else {
            out.push_str(&tag.replace("=\"../", "=\"/"));
        }
    }
    out.push_str(rest);
    // pulldown-cmark starts a code block or a heading on a line of its own; juxta writes them
    // as raw HTML, where they are (whitespace between tags, which HTML ignores). Code is escaped
    // by juxta as attribute values are, quotes included.
    let out = out.replace("\n<pre>", "<pre>");
    let out = (1..=6).fold(out, |out, level| out.replace(&format!("\n<h{level}>"), &format!("<h{level}>")));
    out.replace("&quot;", "\"").replace("&#39;", "'")
}

/// `Some(n)` for an opening `<hN …>` tag.
fn heading_level(tag: &str) -> Option<char> {
    let level = tag.strip_prefix("<h")?.chars().next()?;
    let after = tag.get(3..4)?;
    (level.is_ascii_digit() && (after == ">" || after == " ")).then_some(level)
}

/// The content of each built page, by example name.
fn built(out: &Path) -> BTreeMap<String, String> {
    let mut pages = BTreeMap::new();
    for entry in std::fs::read_dir(out).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        let Ok(html) = std::fs::read_to_string(entry.path().join("index.html")) else { continue };
        if let (Some(start), Some(end)) = (html.find("<!--content-->"), html.rfind("<!--/content-->")) {
            pages.insert(name, html[start + "<!--content-->".len()..end].to_string());
        }
    }
    pages
}

#[test]
fn spec_examples_render_through_the_whole_pipeline_as_pulldown_cmark_renders_them() {
    let examples = examples();
    let options = juxta::fuzzing::markdown_options();
    let tmp = tempfile::tempdir().unwrap();

    // Every example at once: the build fails on the refused ones, and on no other.
    let (root, out) = (tmp.path().join("all"), tmp.path().join("all-out"));
    write_site(&root, &examples.iter().collect::<Vec<_>>());
    let result = common::build(&root, &out, &[]);
    let stderr = String::from_utf8_lossy(&result.stderr);
    let failed: BTreeSet<String> = stderr
        .lines()
        .filter(|l| !l.starts_with("juxta: "))
        .map(|l| l.strip_prefix("content/").and_then(|l| l.split(".md").next()).unwrap_or(l).to_string())
        .collect();
    let refused: BTreeSet<String> = REFUSED.iter().map(|(n, _)| n.to_string()).collect();
    assert_eq!(failed, refused, "the pages the build refused:\n{stderr}");

    // The others build, and come out as pulldown-cmark writes them.
    let kept: Vec<&Example> = examples.iter().filter(|e| !refused.contains(&e.name)).collect();
    let (root, out) = (tmp.path().join("kept"), tmp.path().join("kept-out"));
    write_site(&root, &kept);
    let result = common::build(&root, &out, &[]);
    assert!(result.status.success(), "{}", String::from_utf8_lossy(&result.stderr));
    let pages = built(&out);
    let different: BTreeSet<&str> = DIFFERENT.iter().map(|(n, _)| *n).collect();
    let mut failures = Vec::new();
    let mut same = BTreeMap::<&str, usize>::new();
    for example in &kept {
        let mut expected = String::new();
        pulldown_cmark::html::push_html(&mut expected, Parser::new_ext(&example.markdown, options));
        let actual = pages.get(&example.name).map(String::as_str).unwrap_or("(no page)");
        let equal = comparable(actual) == comparable(&expected);
        if equal {
            *same.entry(if example.name.starts_with("cm-") { "CommonMark" } else { "GFM" }).or_default() += 1;
        }
        if equal == different.contains(example.name.as_str()) {
            failures.push(format!(
                "{} ({}): {}\n--- markdown\n{}--- juxta\n{}\n--- pulldown-cmark\n{}",
                example.name,
                example.section,
                if equal { "listed as different, but the same" } else { "differs" },
                example.markdown,
                comparable(actual),
                comparable(&expected)
            ));
        }
    }
    eprintln!(
        "{} examples: {same:?} the same, {} differ on purpose, {} refused on purpose",
        examples.len(),
        DIFFERENT.len(),
        REFUSED.len()
    );
    assert!(failures.is_empty(), "{} failures:\n\n{}", failures.len(), failures.join("\n\n"));
}
