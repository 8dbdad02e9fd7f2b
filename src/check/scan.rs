//! Reading a built site: every reference in its HTML and CSS resolved against the files that were
//! written, every `#anchor` against the ids of its target page, ids counted per page, and the pages
//! reachable from the home page by following links.
//!
//! A problem is found here as a place in the output (a file and a byte offset); [`super::attribute`]
//! turns it into a place in the sources.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::path::Path;

use rayon::prelude::*;
use walkdir::WalkDir;

use crate::error::{Error, Result};
use crate::html::{self, Tag, decode_entities};
use crate::progress::Progress;
use crate::urls::Flavour;

/// What the scan needs to know about the build it reads.
pub(crate) struct Context<'a> {
    /// The output folder.
    pub(crate) out: &'a Path,
    /// The flavour it was built in.
    pub(crate) flavour: Flavour,
    /// The site's `base_url`: absolute links under it are the site's own.
    pub(crate) base_url: &'a str,
    /// The output files of the site's pages (`about/index.html`), which must be reachable.
    pub(crate) pages: &'a [String],
    /// Where to report progress.
    pub(crate) progress: &'a Progress,
    /// Stylesheets written twice, under a hashed name besides their own: only the copy under the
    /// file's own name is read for its references, so that a broken `url()` is reported once, at
    /// the source file.
    pub(crate) hashed_copies: &'a HashSet<String>,
}

/// What a scan found.
#[derive(Debug, Default)]
pub(crate) struct Scan {
    /// Problems, as places in the output.
    pub(crate) raws: Vec<Raw>,
    /// Links to other sites, for `--external`.
    pub(crate) external: Vec<ExternalRef>,
}

/// A problem found in the output.
#[derive(Debug, Clone)]
pub(crate) struct Raw {
    /// The output file, relative to the output folder, `/`-separated.
    pub(crate) file: String,
    /// Byte offsets in that file of the elements concerned (several for a duplicate id).
    pub(crate) offsets: Vec<usize>,
    /// What to look for in the sources.
    pub(crate) what: What,
    /// What is wrong.
    pub(crate) message: String,
    /// A value that may come from a data file (an anchor, a file name), looked up there when the
    /// reference is not written literally in its source.
    pub(crate) hint: Option<String>,
}

/// The kind of a [`Raw`] problem, with what identifies it in the sources.
#[derive(Debug, Clone)]
pub(crate) enum What {
    /// A reference; `literal` is the attribute value as written in the output.
    Reference {
        /// The attribute value as it appears in the output.
        literal: String,
    },
    /// An id used more than once on a page.
    DuplicateId(String),
    /// A page no link leads to.
    Unreachable,
}

/// A link to another site, where it was found.
#[derive(Debug, Clone)]
pub(crate) struct ExternalRef {
    /// The address requested: the link without its `#fragment`.
    pub(crate) url: String,
    /// The output file holding the link.
    pub(crate) file: String,
    /// Byte offset of its element.
    pub(crate) offset: usize,
    /// The element, as quoted in messages.
    pub(crate) element: String,
    /// The attribute value as written.
    pub(crate) literal: String,
}

impl ExternalRef {
    /// The problem of this link, if its address failed.
    pub(crate) fn problem(&self, failures: &BTreeMap<String, String>) -> Option<Raw> {
        let failure = failures.get(&self.url)?;
        Some(Raw {
            file: self.file.clone(),
            offsets: vec![self.offset],
            what: What::Reference { literal: self.literal.clone() },
            message: format!("`{}`: {failure}", self.element),
            hint: None,
        })
    }
}

/// Reads the output folder and checks what it holds.
pub(crate) fn scan(context: &Context<'_>) -> Result<Scan> {
    let files = output_files(context.out)?;
    let readable: Vec<&String> = files
        .iter()
        .filter(|f| f.ends_with(".html") || f.ends_with(".css"))
        .filter(|f| !context.hashed_copies.contains(*f))
        .collect();
    let total = readable.len();
    context.progress.phase(
        format!("checking the {} build", if context.flavour == Flavour::Web { "web" } else { "offline" }),
        total,
    );
    // Two passes keep memory to the ids of the site: the first reads every page's ids (and
    // finds duplicates), the second reads each file again and resolves its references against
    // them, keeping only problems, external links and the links between pages.
    let first: Vec<(&String, BTreeMap<String, Vec<usize>>)> = crate::error::collect(
        readable
            .par_iter()
            .with_max_len(crate::PAGES_PER_JOB)
            .map(|&file| {
                let d = read(context.out, file)?;
                context.progress.step();
                Ok((file, d.ids))
            })
            .collect(),
    )?;
    let mut scan = Scan::default();
    for (file, ids) in &first {
        scan.raws.extend(duplicate_ids(file, ids));
    }
    let ids: HashMap<&str, HashSet<&str>> = first
        .iter()
        .filter(|(file, _)| file.ends_with(".html"))
        .map(|(file, ids)| (file.as_str(), ids.keys().map(String::as_str).collect()))
        .collect();
    let numbers: HashMap<&str, u32> =
        readable.iter().enumerate().map(|(i, f)| (f.as_str(), i as u32)).collect();
    let resolver = Resolver { context, files: &files, ids: &ids, numbers: &numbers };
    context.progress.phase("checking references", total);
    let results: Vec<(Scan, Vec<u32>)> = crate::error::collect(
        readable
            .par_iter()
            .with_max_len(crate::PAGES_PER_JOB)
            .map(|&file| {
                let found = resolver.document(&read(context.out, file)?);
                context.progress.step();
                Ok(found)
            })
            .collect(),
    )?;
    let mut edges: Vec<Vec<u32>> = Vec::with_capacity(results.len());
    for (found, links) in results {
        scan.raws.extend(found.raws);
        scan.external.extend(found.external);
        edges.push(links);
    }
    scan.raws.extend(unreachable(context, &readable, &numbers, &edges));
    Ok(scan)
}

/// Reads and parses one HTML or CSS file of the output.
fn read(out: &Path, file: &str) -> Result<Document> {
    crate::guard::check()?;
    let path = out.join(file);
    let bytes = std::fs::read(&path).map_err(|e| crate::fs::io_error("cannot read", &path, e))?;
    let text = String::from_utf8_lossy(&bytes);
    Ok(if file.ends_with(".css") { css(file, &text) } else { document(file, &text) })
}

/// Every file of the output, relative and `/`-separated, without juxta's marker.
fn output_files(out: &Path) -> Result<HashSet<String>> {
    let mut files = HashSet::new();
    for entry in WalkDir::new(out).follow_links(false) {
        let entry = entry.map_err(|e| Error::environment("cannot read the built site").caused_by(e))?;
        if !entry.file_type().is_file() {
            continue;
        }
        let relative = entry.path().strip_prefix(out).unwrap_or(entry.path());
        let name = relative.to_string_lossy().replace('\\', "/");
        if name != crate::output::MARKER {
            files.insert(name);
        }
    }
    Ok(files)
}

/// One HTML or CSS file, read.
struct Document {
    file: String,
    /// Ids (and `<a name>` targets) with the offsets of their elements.
    ids: BTreeMap<String, Vec<usize>>,
    references: Vec<Reference>,
    /// The `href` of the document's `<base>`, if any.
    base: Option<String>,
}

/// One address in a document.
struct Reference {
    /// The element, quoted as it will be in messages.
    element: String,
    /// The address as written (entities not decoded).
    literal: String,
    offset: usize,
    /// Followed when working out which pages are reachable (`<a>`, `<area>`).
    navigates: bool,
    /// From a `srcset`: a candidate of several.
    candidate: bool,
}

fn document(file: &str, text: &str) -> Document {
    let tags = html::tags(text);
    let mut ids: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    let mut references = Vec::new();
    let mut base = None;
    for tag in &tags {
        if let Some(id) = tag.get("id") {
            ids.entry(decode_entities(id).into_owned()).or_default().push(tag.offset);
        }
        if tag.name == "a"
            && let Some(name) = tag.get("name")
        {
            // `<a name>` is an anchor target too; it may repeat its element's id, which is fine.
            let offsets = ids.entry(decode_entities(name).into_owned()).or_default();
            if !offsets.contains(&tag.offset) {
                offsets.push(tag.offset);
            }
        }
        if tag.name == "base" {
            base = tag.get("href").map(|h| decode_entities(h).into_owned());
            continue;
        }
        references.extend(tag_references(tag));
    }
    // An `<a id=x name=x>` is one element, not a duplicate.
    for offsets in ids.values_mut() {
        offsets.dedup();
    }
    Document { file: file.to_string(), ids, references, base }
}

/// The addresses an element loads or links to.
fn tag_references(tag: &Tag<'_>) -> Vec<Reference> {
    let navigates = matches!(&*tag.name, "a" | "area");
    let mut found = Vec::new();
    let mut push = |attribute: &str, literal: &str, candidate: bool| {
        found.push(Reference {
            element: tag.describe(attribute),
            literal: literal.to_string(),
            offset: tag.offset,
            navigates: navigates && attribute == "href",
            candidate,
        });
    };
    for attribute in ["href", "src", "poster"] {
        if let Some(value) = tag.get(attribute) {
            push(attribute, value, false);
        }
    }
    if tag.name == "object"
        && let Some(value) = tag.get("data")
    {
        push("data", value, false);
    }
    if let Some(srcset) = tag.get("srcset") {
        for candidate in srcset.split(',').filter_map(|c| c.split_whitespace().next()) {
            push("srcset", candidate, true);
        }
    }
    if tag.name == "meta"
        && tag.get("http-equiv").is_some_and(|v| v.eq_ignore_ascii_case("refresh"))
        && let Some(content) = tag.get("content")
    {
        let lower = content.to_ascii_lowercase();
        if let Some(at) = lower.find("url=") {
            push("content", content[at + 4..].trim().trim_matches(['\'', '"']), false);
        }
    }
    found
}

/// The address `value` with what must be percent-encoded in it encoded, when there is any: a space
/// or control character, one of `"<>\\^`{}`, or a `%` that does not start an escape. Letters
/// outside ASCII are valid in an address as written in HTML and are left as they are.
fn percent_encoded(value: &str) -> Option<String> {
    let bytes = value.as_bytes();
    let escape_at = |i: usize| bytes.get(i + 1..i + 3).is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit));
    let wrong = |i: usize, b: u8| {
        b <= b' ' || b == 0x7f || b"\"<>\\^`{}".contains(&b) || (b == b'%' && !escape_at(i))
    };
    if !bytes.iter().enumerate().any(|(i, &b)| wrong(i, b)) {
        return None;
    }
    let mut out = String::with_capacity(value.len() + 8);
    for (i, c) in value.char_indices() {
        match c.is_ascii() && wrong(i, c as u8) {
            true => out.push_str(&format!("%{:02X}", c as u8)),
            false => out.push(c),
        }
    }
    Some(out)
}

/// The `url(…)` and `@import` addresses of a stylesheet; comments are skipped.
fn css(file: &str, text: &str) -> Document {
    let mut references = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if text[i..].starts_with("/*") {
            i = text[i + 2..].find("*/").map_or(bytes.len(), |end| i + 2 + end + 2);
            continue;
        }
        let (start, quoted_only) = if text[i..].starts_with("url(") {
            (i + 4, false)
        } else if text[i..].starts_with("@import") {
            (i + 7, true)
        } else {
            i += text[i..].chars().next().map_or(1, char::len_utf8);
            continue;
        };
        let rest = text[start..].trim_start();
        let at = start + (text[start..].len() - rest.len());
        let (value, end) = match rest.chars().next() {
            Some(quote @ ('"' | '\'')) => {
                let close = rest[1..].find(quote).map_or(rest.len(), |n| n + 1);
                (&rest[1..close], at + close + 1)
            }
            Some(_) if !quoted_only => {
                let close = rest.find(')').unwrap_or(rest.len());
                (rest[..close].trim(), at + close)
            }
            _ => ("", at),
        };
        if !value.is_empty() {
            references.push(Reference {
                element: format!("url({value})"),
                literal: value.to_string(),
                offset: i,
                navigates: false,
                candidate: false,
            });
        }
        i = end.max(i + 1);
    }
    Document { file: file.to_string(), ids: BTreeMap::new(), references, base: None }
}

/// Resolves references against the files and ids of the output.
struct Resolver<'a> {
    context: &'a Context<'a>,
    files: &'a HashSet<String>,
    ids: &'a HashMap<&'a str, HashSet<&'a str>>,
    /// The number of each HTML and CSS file, for the links between pages.
    numbers: &'a HashMap<&'a str, u32>,
}

/// Where a reference leads.
enum Resolved {
    /// Nothing to check: `mailto:`, `tel:`, an empty `href`, a document whose `<base>` is unknown.
    Skip,
    /// Another site.
    External(String),
    /// A file of the output, and the anchor in it.
    Internal { file: String, fragment: Option<String> },
    /// A broken reference: the reason.
    Broken(String),
    /// A page linked by its folder, which works on a server but not from disk: the page's file
    /// and the reason.
    Folder(String, String),
}

impl Resolver<'_> {
    /// Checks a document's references; returns the problems and external links found, and the
    /// numbers of the pages it links to.
    fn document(&self, d: &Document) -> (Scan, Vec<u32>) {
        let mut scan = Scan::default();
        let mut links = Vec::new();
        let dir = match &d.base {
            None => Some(parent_dir(&d.file).to_string()),
            Some(base) => self.base_dir(base),
        };
        for r in &d.references {
            let problem = |message: String, hint: Option<String>| Raw {
                file: d.file.clone(),
                offsets: vec![r.offset],
                what: What::Reference { literal: r.literal.clone() },
                message: format!("`{}`: {message}", r.element),
                hint,
            };
            match self.resolve(&d.file, dir.as_deref(), &r.literal) {
                Resolved::Skip => {}
                Resolved::External(url) => scan.external.push(ExternalRef {
                    url,
                    file: d.file.clone(),
                    offset: r.offset,
                    element: r.element.clone(),
                    literal: r.literal.clone(),
                }),
                Resolved::Broken(reason) => {
                    let reason =
                        if r.candidate { format!("the candidate `{}`: {reason}", r.literal) } else { reason };
                    let hint = file_name(&r.literal);
                    scan.raws.push(problem(reason, hint));
                }
                Resolved::Folder(file, reason) => {
                    scan.raws.push(problem(reason, None));
                    // The page is there: only the form of the link is wrong.
                    if r.navigates {
                        links.extend(self.numbers.get(file.as_str()));
                    }
                }
                Resolved::Internal { file, fragment } => {
                    if let Some(fragment) = fragment
                        && let Some(message) = self.missing_anchor(&d.file, &file, &fragment)
                    {
                        scan.raws.push(Raw { message, ..problem(String::new(), Some(fragment)) });
                    }
                    if r.navigates && file.ends_with(".html") {
                        links.extend(self.numbers.get(file.as_str()));
                    }
                }
            }
        }
        links.sort_unstable();
        links.dedup();
        (scan, links)
    }

    /// The folder a `<base href>` makes relative links start from, when it is the site's root
    /// or a folder under it (as juxta writes in `404.html`).
    fn base_dir(&self, base: &str) -> Option<String> {
        let base_url = self.context.base_url;
        let site_path = base_url.split_once("://").map_or(base_url, |(_, r)| r);
        let site_path = site_path.find('/').map_or("/", |i| &site_path[i..]);
        let rest = base.strip_prefix(base_url).or_else(|| base.strip_prefix(site_path))?;
        Some(parent_dir(rest).to_string())
    }

    fn resolve(&self, from: &str, dir: Option<&str>, literal: &str) -> Resolved {
        let value = decode_entities(literal);
        let value = value.trim();
        if value.is_empty() {
            return Resolved::Skip;
        }
        if let Some(encoded) = percent_encoded(value) {
            return Resolved::Broken(format!("the address is not percent-encoded: write `{encoded}`"));
        }
        // The site's own absolute addresses (canonical links) are checked against the output,
        // as a server would answer them.
        if let Some(rest) = value.strip_prefix(self.context.base_url) {
            return self.internal(from, "", rest, true);
        }
        if value.starts_with("//") {
            return Resolved::External(format!("https:{}", strip_fragment(value)));
        }
        if let Some(scheme) = scheme(value) {
            return match scheme.as_str() {
                "http" | "https" => Resolved::External(strip_fragment(value).to_string()),
                _ => Resolved::Skip,
            };
        }
        match dir {
            Some(dir) => self.internal(from, dir, value, false),
            None if value.starts_with('#') => self.internal(from, "", value, false),
            None => Resolved::Skip,
        }
    }

    /// A reference inside the site; `web` forces a server's view of folders (for absolute links).
    fn internal(&self, from: &str, dir: &str, value: &str, web: bool) -> Resolved {
        let (before, fragment) = match value.split_once('#') {
            Some((b, f)) => (b, Some(crate::urls::percent_decode(f).into_owned())),
            None => (value, None),
        };
        let path = before.split_once('?').map_or(before, |(p, _)| p);
        if path.is_empty() && !web {
            return Resolved::Internal { file: from.to_string(), fragment };
        }
        let decoded = crate::urls::percent_decode(path);
        if decoded.starts_with('/') {
            return Resolved::Broken(
                "a root-relative address breaks under a sub-path and offline; use a relative link".into(),
            );
        }
        let Some(joined) = join(dir, &decoded) else {
            return Resolved::Broken("it leads outside the site".into());
        };
        let offline = self.context.flavour == Flavour::Offline && !web;
        let folder = if joined.is_empty() || joined.ends_with('/') {
            joined.clone()
        } else if self.files.contains(&joined) {
            return Resolved::Internal { file: joined, fragment };
        } else {
            format!("{joined}/")
        };
        let index = format!("{folder}index.html");
        if !self.files.contains(&index) {
            let near = self.near(&joined);
            return Resolved::Broken(format!("the site has no page or file `{joined}`{near}"));
        }
        if offline {
            let fixed =
                if path.ends_with('/') { format!("{path}index.html") } else { format!("{path}/index.html") };
            return Resolved::Folder(
                index,
                format!(
                    "opened from disk, a link to a folder shows the folder, not its page; link to `{fixed}`"
                ),
            );
        }
        Resolved::Internal { file: index, fragment }
    }

    /// Why `#fragment` does not lead anywhere in `target`, if it does not.
    fn missing_anchor(&self, from: &str, target: &str, fragment: &str) -> Option<String> {
        // `#` and `#top` lead to the top of any page; a text fragment is not an id.
        if fragment.is_empty() || fragment.eq_ignore_ascii_case("top") || fragment.starts_with(":~:") {
            return None;
        }
        let ids = self.ids.get(target)?;
        if ids.contains(fragment) {
            return None;
        }
        let near = crate::suggest::closest(fragment, ids.iter().copied());
        // Said without the link as written, which differs between the flavours.
        Some(match target {
            t if t == from => format!("link to `#{fragment}`: this page has no element with that id{near}"),
            "index.html" => {
                format!("link to `#{fragment}` on the home page: it has no element with that id{near}")
            }
            t => {
                format!("link to `#{fragment}` on `{}`: it has no element with that id{near}", shown_page(t))
            }
        })
    }

    /// A suggestion among the site's files and page folders for a missing `path`.
    fn near(&self, path: &str) -> String {
        let folders = self.files.iter().filter_map(|f| f.strip_suffix("index.html"));
        let candidates = self.files.iter().map(String::as_str).chain(folders).filter(|c| !c.is_empty());
        crate::suggest::closest(path, candidates)
    }
}

/// Ids used by more than one element of a page.
fn duplicate_ids(file: &str, ids: &BTreeMap<String, Vec<usize>>) -> Vec<Raw> {
    ids.iter()
        .filter(|(_, offsets)| offsets.len() > 1)
        .map(|(id, offsets)| Raw {
            file: file.to_string(),
            offsets: offsets.clone(),
            what: What::DuplicateId(id.clone()),
            message: format!(
                "the id `{id}` is used {} times on this page, so links to `#{id}` reach only the first",
                offsets.len()
            ),
            hint: None,
        })
        .collect()
}

/// Pages that no chain of links from the home page reaches.
fn unreachable(
    context: &Context<'_>,
    files: &[&String],
    numbers: &HashMap<&str, u32>,
    edges: &[Vec<u32>],
) -> Vec<Raw> {
    let mut seen = vec![false; files.len()];
    let mut queue: VecDeque<u32> = numbers.get("index.html").copied().into_iter().collect();
    while let Some(file) = queue.pop_front() {
        if std::mem::replace(&mut seen[file as usize], true) {
            continue;
        }
        queue.extend(edges[file as usize].iter().filter(|&&next| !seen[next as usize]));
    }
    let seen: HashSet<&str> =
        files.iter().zip(&seen).filter(|&(_, &seen)| seen).map(|(file, _)| file.as_str()).collect();
    context
        .pages
        .iter()
        .filter(|page| !seen.contains(page.as_str()))
        .map(|page| Raw {
            file: page.clone(),
            offsets: Vec::new(),
            what: What::Unreachable,
            message: format!(
                "the page `{}` cannot be reached by following links from the home page: link to it \
                 from a page that can, or mark it `draft = true`",
                shown_page(page)
            ),
            hint: None,
        })
        .collect()
}

/// A page's output file as a reader knows it: `about/index.html` → `about/`.
fn shown_page(file: &str) -> String {
    match file.strip_suffix("index.html") {
        Some(folder) if !folder.is_empty() => folder.to_string(),
        _ => file.to_string(),
    }
}

/// `a/b/index.html` → `a/b/`; `index.html` → ``.
fn parent_dir(file: &str) -> &str {
    file.rfind('/').map_or("", |i| &file[..=i])
}

/// Joins a relative path to a folder (`a/b/` + `../c` → `a/c`); `None` if it climbs out. As in a
/// browser, an address ending in `.` (`a/.`) names a folder, like one ending in `/`.
fn join(dir: &str, relative: &str) -> Option<String> {
    let mut joined = crate::urls::join(dir, relative)?;
    if (relative.ends_with("/.") || relative == ".") && !joined.is_empty() {
        joined.push('/');
    }
    Some(joined)
}

/// The URL scheme, lowercase, if `value` has one.
fn scheme(value: &str) -> Option<String> {
    let (scheme, _) = value.split_once(':')?;
    let valid = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    valid.then(|| scheme.to_ascii_lowercase())
}

fn strip_fragment(url: &str) -> &str {
    url.split_once('#').map_or(url, |(u, _)| u)
}

/// The last path segment of an address, looked for in data files when a reference is broken.
fn file_name(literal: &str) -> Option<String> {
    let path = literal.split(['#', '?']).next().unwrap_or_default();
    let name = path.trim_end_matches('/').rsplit('/').next().unwrap_or_default();
    (!name.is_empty() && name != "." && name != "..").then(|| name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_stay_inside_the_site() {
        assert_eq!(join("a/b/", "../c/"), Some("a/c/".into()));
        assert_eq!(join("a/", "../"), Some(String::new()));
        assert_eq!(join("a/", "x.png"), Some("a/x.png".into()));
        assert_eq!(join("", "../x"), None);
        assert_eq!(join("a/", "b/."), Some("a/b/".into()));
        assert_eq!(join("a/", "."), Some("a/".into()));
        assert_eq!(join("", "."), Some(String::new()));
    }

    #[test]
    fn stylesheet_addresses_are_found_outside_comments() {
        let d = css(
            "s.css",
            "/* url(no.png) */ a{background:url( 'a.png' )} @import \"b.css\"; b{x:url(c.svg#i)}",
        );
        let found: Vec<&str> = d.references.iter().map(|r| r.literal.as_str()).collect();
        assert_eq!(found, ["a.png", "b.css", "c.svg#i"]);
    }

    #[test]
    fn an_address_that_is_not_percent_encoded_is_found_and_encoded() {
        assert_eq!(percent_encoded("my page/").as_deref(), Some("my%20page/"));
        assert_eq!(percent_encoded("a%zz\"b\t{c}").as_deref(), Some("a%25zz%22b%09%7Bc%7D"));
        for fine in ["my%20page/", "café/", "https://a.io/?q=1&b[]=2#x", "mailto:a@b.c", "100%25"] {
            assert_eq!(percent_encoded(fine), None, "{fine}");
        }
    }

    #[test]
    fn the_home_page_and_folders_are_named_as_readers_know_them() {
        assert_eq!(shown_page("index.html"), "index.html");
        assert_eq!(shown_page("guide/index.html"), "guide/");
        assert_eq!(file_name("../img/a.png#x"), Some("a.png".into()));
    }
}
