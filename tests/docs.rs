//! The project's own documentation holds together: every relative link in the README,
//! ARCHITECTURE.md, CONTRIBUTING.md, CHANGELOG.md and docs/ names a file of the repository, and
//! every `#anchor` into a Markdown file names one of its headings, as GitHub makes their ids.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

fn repository() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The Markdown files of the documentation.
fn documents() -> Vec<PathBuf> {
    let root = repository();
    let mut files: Vec<PathBuf> = ["README.md", "ARCHITECTURE.md", "CONTRIBUTING.md", "CHANGELOG.md"]
        .iter()
        .map(|name| root.join(name))
        .collect();
    for entry in std::fs::read_dir(root.join("docs")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            files.push(path);
        }
    }
    files
}

/// A heading's id as GitHub makes it: lowercase; letters, digits, `-` and `_` kept; spaces made
/// `-`; anything else dropped; a repeated id numbered `-1`, `-2`…
fn github_id(text: &str, taken: &mut BTreeMap<String, usize>) -> String {
    let id: String = text
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect();
    let count = taken.entry(id.clone()).or_insert(0);
    *count += 1;
    if *count == 1 { id } else { format!("{id}-{}", *count - 1) }
}

/// The heading ids and the link destinations of a Markdown file.
fn read(path: &Path) -> (BTreeSet<String>, Vec<String>) {
    let text = std::fs::read_to_string(path).unwrap();
    let (mut ids, mut links, mut taken) = (BTreeSet::new(), Vec::new(), BTreeMap::new());
    let mut heading: Option<String> = None;
    for event in Parser::new_ext(&text, Options::all()) {
        match event {
            Event::Start(Tag::Heading { level, .. }) if level <= HeadingLevel::H6 => {
                heading = Some(String::new())
            }
            Event::Text(t) | Event::Code(t) if heading.is_some() => heading.as_mut().unwrap().push_str(&t),
            Event::End(TagEnd::Heading(_)) => {
                ids.insert(github_id(&heading.take().unwrap_or_default(), &mut taken));
            }
            Event::Start(Tag::Link { dest_url, .. }) | Event::Start(Tag::Image { dest_url, .. }) => {
                links.push(dest_url.to_string())
            }
            _ => {}
        }
    }
    (ids, links)
}

#[test]
fn every_relative_link_and_anchor_of_the_docs_leads_somewhere() {
    let documents = documents();
    let mut broken = Vec::new();
    let mut checked = 0;
    for document in &documents {
        let (_, links) = read(document);
        for link in links {
            if link.contains("://") || link.starts_with("mailto:") {
                continue;
            }
            let (file, anchor) = link.split_once('#').map_or((link.as_str(), None), |(f, a)| (f, Some(a)));
            let target =
                if file.is_empty() { document.clone() } else { document.parent().unwrap().join(file) };
            checked += 1;
            if !target.exists() {
                broken.push(format!("{}: `{link}`: no such file", document.display()));
                continue;
            }
            if let Some(anchor) = anchor.filter(|_| target.extension().is_some_and(|e| e == "md")) {
                let (ids, _) = read(&target);
                if !ids.contains(anchor) {
                    broken.push(format!("{}: `{link}`: no such heading", document.display()));
                }
            }
        }
    }
    assert!(checked > 40, "the links were read ({checked})");
    assert!(broken.is_empty(), "broken links in the docs:\n{}", broken.join("\n"));
}

#[test]
fn github_ids_are_made_as_github_makes_them() {
    let mut taken = BTreeMap::new();
    assert_eq!(github_id("Checking a site: `juxta check`", &mut taken), "checking-a-site-juxta-check");
    assert_eq!(
        github_id("One way to do each thing (2026-12)", &mut taken),
        "one-way-to-do-each-thing-2026-12"
    );
    assert_eq!(github_id("FAQ", &mut taken), "faq");
    assert_eq!(github_id("FAQ", &mut taken), "faq-1");
}
