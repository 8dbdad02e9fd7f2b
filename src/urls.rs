//! The one place that turns a target into a link from a page, for both flavours of output.
//!
//! Every page lives in a folder of the output (`guides/protocols/index.html`), and every target is
//! a *site path*: relative to the site root, with `/` separators, ending in `/` for a page's folder
//! (`guides/protocols/`), empty for the home page, or naming a file (`style.css`). A link is the
//! way up from the page's folder to the root, then the site path. It never starts with `/` and
//! never contains the host, so one build works at `/`, under any sub-path and from `file://`.
//!
//! Every URL made here is percent-encoded ([`encode_path`]): a page `my page.md` or `café.md`
//! keeps its name on disk, and is linked as `my%20page/` and `caf%C3%A9/`, which every server and
//! browser decodes back to the file's name. Sitemaps and feeds require it, and HTML validators
//! refuse a space in an address.
//!
//! Links are read here too: [`resolve`] turns a link an author wrote in a page's Markdown
//! (`../protocols.md#mqtt`) into the link juxta writes, against the site's [`Targets`]; `juxta
//! check` reads the links of the output with the same [`join`] and [`percent_decode`].

use std::borrow::Cow;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC};

/// Which kind of output is being built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Flavour {
    /// For a web server: links to pages end in `/`.
    #[default]
    Web,
    /// For opening from disk: links to pages end in `/index.html`, which browsers need on `file://`.
    Offline,
}

/// The number of folders between the site root and the folder of `site_path`.
/// `""` → 0, `"a/"` → 1, `"a/b/"` → 2, `"a/style.css"` → 1.
pub(crate) fn depth(site_path: &str) -> usize {
    site_path.bytes().filter(|&b| b == b'/').count()
}

/// The link from a page at folder depth `from_depth` to the site path `target`.
pub(crate) fn link(from_depth: usize, target: &str, flavour: Flavour) -> String {
    link_with_room(from_depth, target, flavour, 0)
}

/// [`link`], with room for `more` bytes the caller adds (a query, a fragment).
pub(crate) fn link_with_room(from_depth: usize, target: &str, flavour: Flavour, more: usize) -> String {
    let index = flavour == Flavour::Offline && (target.is_empty() || target.ends_with('/'));
    // Exactly the room needed: links become part of pages' HTML, and a string with room to
    // spare is copied again when it is made into one.
    let mut out =
        String::with_capacity((from_depth * 3 + target.len() + if index { 10 } else { 0 }).max(2) + more);
    for _ in 0..from_depth {
        out.push_str("../");
    }
    out.push_str(&encode_path(target));
    if index {
        out.push_str("index.html");
    }
    if out.is_empty() {
        out.push_str("./");
    }
    out
}

/// The prefix leading from a page at `depth` to the site root: `""` at the root, else `../`s.
pub(crate) fn root_prefix(depth: usize) -> String {
    "../".repeat(depth)
}

/// The absolute URL of `target` under `base_url` (which ends in `/`). Absolute URLs are for
/// canonical links, OpenGraph, the sitemap and the feed only.
pub(crate) fn absolute(base_url: &str, target: &str) -> String {
    [base_url, &encode_path(target)].concat()
}

/// The bytes escaped in a URL juxta writes: everything but letters, digits, `-._~`, the path's
/// `/`, a `%` (site paths have none; the author's `base_url` may have escapes already) and the
/// punctuation that means nothing in a path and nothing in HTML. So quotes, `&`, `:`, spaces,
/// control characters and every byte of a character outside ASCII are escaped.
const ESCAPED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'/')
    .remove(b'%')
    .remove(b'!')
    .remove(b'$')
    .remove(b'(')
    .remove(b')')
    .remove(b'*')
    .remove(b'+')
    .remove(b',')
    .remove(b';')
    .remove(b'=')
    .remove(b'@');

/// `path` percent-encoded for a URL (see [`ESCAPED`]), in uppercase hexadecimal. Most paths need
/// nothing and are returned as they are.
pub(crate) fn encode_path(path: &str) -> Cow<'_, str> {
    percent_encoding::utf8_percent_encode(path, ESCAPED).into()
}

/// Decodes `%XX` escapes once; invalid escapes are kept as written, and so is the whole text when
/// what it decodes to is not UTF-8.
pub(crate) fn percent_decode(text: &str) -> Cow<'_, str> {
    percent_encoding::percent_decode_str(text).decode_utf8().unwrap_or(Cow::Borrowed(text))
}

/// Turns heading text into an id as GitHub does: lowercase; letters, marks, decimal digits, `_`
/// and `-` kept; every space a `-`; everything else (punctuation, symbols, emoji, other spaces)
/// removed. `## Major/Minor releases` → `majorminor-releases`, `## 😄 Émoji` → `-émoji`.
pub(crate) fn slugify(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        // Headings are mostly ASCII: one byte in, one byte out, without the case-mapping
        // iterator a letter of any other script needs.
        if c.is_ascii() {
            match c {
                'A'..='Z' => out.push(c.to_ascii_lowercase()),
                'a'..='z' | '0'..='9' | '_' | '-' => out.push(c),
                ' ' => out.push('-'),
                _ => {}
            }
        } else {
            out.extend(c.to_lowercase().filter(|&c| kept_in_slug(c)));
        }
    }
    out
}

/// Whether a character outside ASCII stays in a slug: a letter (or any other alphabetic
/// character), a mark, a decimal digit or a connector such as `‿`, as GitHub keeps them.
fn kept_in_slug(c: char) -> bool {
    // `XID_Continue` is letters, marks, decimal digits and connectors, with a few other
    // characters that GitHub removes.
    c.is_alphabetic()
        || unicode_normalization::char::is_combining_mark(c)
        || (unicode_ident::is_xid_continue(c)
            && !matches!(c, '\u{b7}' | '\u{387}' | '\u{1369}'..='\u{1371}' | '\u{19da}'))
}

/// Checks one path segment of a URL taken from a slug, file name or alias. It must not be able to
/// point outside the output folder or be unusable on any common file system.
pub(crate) fn check_segment(segment: &str) -> Result<(), String> {
    if segment.is_empty() {
        return Err("an empty path segment".into());
    }
    if segment == "." || segment == ".." {
        return Err(format!("`{segment}` would leave the page's folder"));
    }
    if let Some(c) = segment.chars().find(|c| matches!(c, '/' | '#' | '%')) {
        return Err(format!("the character {c:?} is not allowed in a URL segment"));
    }
    check_portable(segment)?;
    if segment.ends_with('.') || segment.ends_with(' ') || segment.starts_with('.') {
        return Err(format!("`{segment}` must not start with a dot or end with a dot or space"));
    }
    Ok(())
}

/// The longest file or folder name, in bytes, that common file systems accept.
pub(crate) const MAX_NAME_BYTES: usize = 255;

/// The longest site path juxta writes, in bytes: below the 4,096 that Linux accepts for a path,
/// with room for the output folder's own.
pub(crate) const MAX_PATH_BYTES: usize = 3_000;

/// Checks that a file or folder name can be written on every common file system and shows as it
/// is: no `\`, `:`, `*`, `?`, `"`, `<`, `>`, `|`, control character or mark that reorders text,
/// no name Windows reserves (`con`, `nul.txt`…), and no more than [`MAX_NAME_BYTES`].
pub(crate) fn check_portable(name: &str) -> Result<(), String> {
    if name.len() > MAX_NAME_BYTES {
        return Err(format!(
            "`{}…` is {} bytes long, more than the {MAX_NAME_BYTES} that file systems accept in a name",
            name.chars().take(24).collect::<String>(),
            name.len()
        ));
    }
    const RESERVED: [&str; 22] = [
        "con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8", "com9",
        "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
    ];
    // The marks that reorder text would show a name other than the one on disk.
    let refused = |c: char| {
        matches!(c, '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|')
            || c.is_control()
            || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
    // Every file of a site passes here: an ASCII name (nearly all) is read a byte at a time.
    let found = match name.is_ascii() {
        true => name.bytes().map(char::from).find(|&c| refused(c)),
        false => name.chars().find(|&c| refused(c)),
    };
    if let Some(c) = found {
        return Err(format!("the character {c:?} is not allowed in a URL segment"));
    }
    let stem = name.split('.').next().unwrap_or_default();
    // Every reserved name has three or four letters.
    if matches!(stem.len(), 3 | 4) && RESERVED.iter().any(|reserved| reserved.eq_ignore_ascii_case(stem)) {
        return Err(format!("`{name}` is a reserved file name on Windows"));
    }
    Ok(())
}

/// Checks a relative path made of segments separated by `/` (an alias, a template name).
pub(crate) fn check_relative_path(path: &str) -> Result<(), String> {
    if path.starts_with('/') || path.starts_with('\\') || path.get(1..2) == Some(":") {
        return Err(format!("`{path}` must be relative to the site root, without a leading `/`"));
    }
    check_length(path)?;
    path.trim_end_matches('/').split('/').try_for_each(check_segment)
}

/// Checks that a site path is no longer than [`MAX_PATH_BYTES`].
pub(crate) fn check_length(site_path: &str) -> Result<(), String> {
    if site_path.len() > MAX_PATH_BYTES {
        return Err(format!(
            "the path would be {} bytes long, more than the {MAX_PATH_BYTES} juxta writes: shorten its folders",
            site_path.len()
        ));
    }
    Ok(())
}

/// The output file of an alias: `old/path/` → `old/path/index.html`; `old.html` stays as it is.
pub(crate) fn alias_file(alias: &str) -> Result<String, String> {
    check_relative_path(alias)?;
    let trimmed = alias.trim_end_matches('/');
    Ok(if trimmed.ends_with(".html") { trimmed.to_string() } else { format!("{trimmed}/index.html") })
}

// ---------------------------------------------------------------------------------------------
// Reading links

/// What a link can lead to: the site's pages and files, by path. The site implements it; `Page`
/// is what names a page.
pub(crate) trait Targets {
    /// What names a page.
    type Page: Copy;
    /// The page written in `content/<source>`, with its site path.
    fn source_page(&self, source: &str) -> Option<(Self::Page, &str)>;
    /// The site path of `content/<source>`, a content file that is not a page.
    fn content_file(&self, source: &str) -> Option<&str>;
    /// Whether `site_path` is a file of the output, or a page's folder (`guides/`).
    fn has_site_path(&self, site_path: &str) -> bool;
    /// Whether `content/<source>` is a page that could not be read: a link to it is not broken,
    /// the page is (and says so).
    fn unread(&self, source: &str) -> bool;
    /// The flavour of the links to write.
    fn flavour(&self) -> Flavour;
}

/// Where a link is written: the page's source folder (relative to `content/`), its site path, and
/// what names it.
pub(crate) struct From<'a, P> {
    /// The source file's folder, relative to `content/` (`guides/`).
    pub(crate) dir: &'a str,
    /// The page's site path (`guides/mqtt/`).
    pub(crate) path: &'a str,
    /// The page.
    pub(crate) page: P,
}

/// What a link's address becomes.
#[derive(Debug, PartialEq)]
pub(crate) enum Resolved {
    /// Written as it is: external, in-page, or to a file juxta does not know.
    Keep,
    /// Rewritten into this page-relative address.
    Replace(String),
    /// A `javascript:`, `vbscript:` or `data:` address, which is not written.
    Neutralise,
}

/// Resolves the address `dest` of a link written in the Markdown of the page `from`. `anchor` is
/// called with every `#anchor` the link needs on a page (checked once every page is rendered);
/// `Err` is the message of a broken link.
pub(crate) fn resolve<T: Targets>(
    targets: &T,
    from: &From<'_, T::Page>,
    dest: &str,
    mut anchor: impl FnMut(T::Page, String),
) -> Result<Resolved, String> {
    let dest = dest.trim();
    if dest.is_empty() {
        return Ok(Resolved::Keep);
    }
    if is_dangerous(dest) {
        return Ok(Resolved::Neutralise);
    }
    if has_scheme(dest) || dest.starts_with("//") {
        return Ok(Resolved::Keep);
    }
    if let Some(fragment) = dest.strip_prefix('#') {
        anchor(from.page, percent_decode(fragment).into_owned());
        return Ok(Resolved::Keep);
    }
    let (rest, fragment) = match dest.split_once('#') {
        Some((rest, fragment)) => (rest, Some(fragment)),
        None => (dest, None),
    };
    let (path, query) = match rest.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (rest, None),
    };
    let decoded = percent_decode(path);
    let (site_relative, content_path) = match decoded.strip_prefix('/') {
        Some(stripped) => (true, stripped.to_string()),
        None => {
            (false, join(from.dir, &decoded).ok_or_else(|| format!("`{dest}` leads outside `content/`"))?)
        }
    };
    let target = if decoded.ends_with(".md") {
        let Some((page, target)) = targets.source_page(&content_path) else {
            if targets.unread(&content_path) {
                return Ok(Resolved::Keep);
            }
            return Err(format!(
                "link to `{dest}`: there is no page `content/{content_path}` (or it is a draft)"
            ));
        };
        if let Some(fragment) = fragment {
            anchor(page, percent_decode(fragment).into_owned());
        }
        target.to_string()
    } else if let Some(output) = targets.content_file(&content_path) {
        output.to_string()
    } else if site_relative {
        site_target(targets, &content_path)
            .ok_or_else(|| format!("link to `{dest}`: no page or file of the site has that path"))?
    } else {
        return Ok(Resolved::Keep);
    };
    let mut url = link(depth(from.path), &target, targets.flavour());
    for (mark, part) in [('?', query), ('#', fragment)] {
        if let Some(part) = part {
            url.push(mark);
            url.push_str(part);
        }
    }
    Ok(Resolved::Replace(url))
}

/// A site path (`protocols/`, `style.css`) for a root-relative link written without the `/`.
fn site_target(targets: &impl Targets, path: &str) -> Option<String> {
    if targets.has_site_path(path) {
        return Some(path.to_string());
    }
    let dir = if path.is_empty() || path.ends_with('/') { path.to_string() } else { format!("{path}/") };
    let dir = dir.strip_suffix("index.html/").map_or(dir.clone(), str::to_string);
    targets.has_site_path(&dir).then_some(dir)
}

/// `javascript:`, `vbscript:` and `data:` URLs can run script; browsers ignore whitespace and
/// control characters inside the scheme, so those are skipped before comparing.
pub(crate) fn is_dangerous(url: &str) -> bool {
    let scheme: String = url
        .chars()
        .filter(|c| !c.is_ascii_whitespace() && !c.is_control())
        .take(11)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    ["javascript:", "vbscript:", "data:"].iter().any(|s| scheme.starts_with(s))
}

/// Whether `url` starts with a scheme: a letter, then letters, digits, `+`, `-` or `.`, then `:`.
fn has_scheme(url: &str) -> bool {
    let Some((scheme, _)) = url.split_once(':') else { return false };
    scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
}

/// Joins a relative path to a folder (`a/b/` + `../c.md` → `a/c.md`); `None` if it climbs out.
pub(crate) fn join(dir: &str, relative: &str) -> Option<String> {
    let mut parts: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    for segment in relative.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    let mut joined = parts.join("/");
    if relative.ends_with('/') && !joined.is_empty() {
        joined.push('/');
    }
    Some(joined)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_page_relative_in_both_flavours() {
        assert_eq!(link(0, "", Flavour::Web), "./");
        assert_eq!(link(0, "", Flavour::Offline), "index.html");
        assert_eq!(link(2, "", Flavour::Web), "../../");
        assert_eq!(link(2, "a/c/", Flavour::Web), "../../a/c/");
        assert_eq!(link(2, "a/c/", Flavour::Offline), "../../a/c/index.html");
        assert_eq!(link(1, "style.css", Flavour::Offline), "../style.css");
    }

    /// Regression: `content/my page.md` put a raw space in the sitemap and the canonical link.
    #[test]
    fn urls_are_percent_encoded_and_names_on_disk_are_not() {
        assert_eq!(link(1, "my page/", Flavour::Web), "../my%20page/");
        assert_eq!(link(0, "café/", Flavour::Offline), "caf%C3%A9/index.html");
        assert_eq!(link(0, "it's & that/a+b(1).css", Flavour::Web), "it%27s%20%26%20that/a+b(1).css");
        assert_eq!(
            absolute("https://example.com/docs/", "über uns/"),
            "https://example.com/docs/%C3%BCber%20uns/"
        );
        assert_eq!(encode_path("plain/path-1_2.~x/"), "plain/path-1_2.~x/");
        assert!(matches!(encode_path("plain/"), std::borrow::Cow::Borrowed(_)));
    }

    #[test]
    fn slugs_follow_githubs_rules() {
        let cases = [
            ("Major/Minor releases", "majorminor-releases"),
            ("v1.2 notes", "v12-notes"),
            ("MQTT vs. CoAP: what's different?", "mqtt-vs-coap-whats-different"),
            ("heading with a - dash", "heading-with-a---dash"),
            ("snake_case and `code`", "snake_case-and-code"),
            ("exchange.bind(x, [, cb])", "exchangebindx--cb"),
            ("Über 4G/LTE-M", "über-4glte-m"),
            ("Привет non-latin 你好", "привет-non-latin-你好"),
            ("😄 emoji", "-emoji"),
            ("I ♥ Unicode", "i--unicode"),
            ("en–dash and em—dash", "endash-and-emdash"),
            ("apostrophe’s «quoted» ½ ² ¥", "apostrophes-quoted---"),
            ("Ⅻ Ⓐ café ́accent", "ⅻ-ⓐ-café-́accent"),
            ("İstanbul ΣΟΦΙΑ Straße", "i̇stanbul-σοφια-straße"),
            ("tab\there\u{a0}nbsp\u{200b}", "tabherenbsp"),
            ("!!!", ""),
        ];
        for (text, slug) in cases {
            assert_eq!(slugify(text), slug, "{text:?}");
        }
    }

    #[test]
    fn unsafe_segments_are_refused() {
        for bad in ["..", ".", "a/b", "a\\b", "CON", "nul.txt", "x:y", ".hidden", ""] {
            assert!(check_segment(bad).is_err(), "{bad}");
        }
        assert!(check_segment("lte-m").is_ok());
        for bad in ["bell\u{7}", "next\u{85}line", "é:x", "COM1.txt", "Aux"] {
            assert!(check_portable(bad).is_err(), "{bad:?}");
        }
        for good in ["console", "com10", "auxiliary.md", "é-ü", "nul-hypothesis"] {
            assert!(check_portable(good).is_ok(), "{good:?}");
        }
        assert!(check_relative_path("/etc/passwd").is_err());
        assert!(check_relative_path("C:/x").is_err());
        assert!(check_relative_path("old/../../x").is_err());
        assert!(check_relative_path("old/page/").is_ok());
    }

    #[test]
    fn dangerous_schemes_are_detected_through_whitespace_and_case() {
        assert!(is_dangerous("javascript:alert(1)"));
        assert!(is_dangerous(" JaVa\tScRiPt:alert(1)"));
        assert!(is_dangerous("data:text/html,x"));
        assert!(!is_dangerous("https://example.com/javascript:"));
        assert!(!is_dangerous("javascript-alert.md"));
    }

    #[test]
    fn a_scheme_is_a_letter_then_letters_digits_plus_minus_dots() {
        for url in ["https://example.com/", "mailto:a@b.c", "c++-1.x:y", "Z:"] {
            assert!(has_scheme(url), "{url:?}");
        }
        for url in ["a.md", ":x", "1a:x", "é:x", "a b:x", "a/b:c", "#a:b"] {
            assert!(!has_scheme(url), "{url:?}");
        }
    }

    #[test]
    fn join_resolves_dots_and_refuses_to_climb_out() {
        assert_eq!(join("a/b/", "../c.md").as_deref(), Some("a/c.md"));
        assert_eq!(join("", "./x.md").as_deref(), Some("x.md"));
        assert_eq!(join("a/", "../../x.md"), None);
        assert_eq!(join("a/b/", "../").as_deref(), Some("a/"));
        assert_eq!(join("a/", "..").as_deref(), Some(""));
        assert_eq!(join("a/", "../").as_deref(), Some(""));
        assert_eq!(join("", "b//./c/").as_deref(), Some("b/c/"));
        assert_eq!(join("a/", "b/..").as_deref(), Some("a"));
    }

    #[test]
    fn percent_decoding_keeps_what_it_cannot_decode() {
        assert_eq!(percent_decode("caf%C3%A9%20x"), "café x");
        assert_eq!(percent_decode("100%zz%"), "100%zz%");
        assert_eq!(percent_decode("%FF%41"), "%FF%41", "not UTF-8 once decoded: kept whole");
    }
}
