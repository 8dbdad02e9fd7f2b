//! The search index: every page's title, headings (with their anchors), text, description and
//! tags, written at build time as JavaScript files under `search/` that the search client
//! (`search/client.js`, shipped by juxta) loads with `<script>` elements, lazily, so that search
//! works on a web host, under a sub-path and from `file://` alike.
//!
//! A page is split into *sections*: the text before its first heading (which also carries the
//! title, description and tags), then one section per heading with an id (or `<dt>` with an id,
//! such as a glossary's terms). Words are normalised
//! the same way here and in the client ([`terms`]): lowercase, diacritics removed, a few stop
//! words dropped, and a light English stemmer ([`stem`]) applied. The index maps each term to
//! the sections that contain it with a weight; a section is numbered `page × 64 + section`.
//!
//! Small indexes are one file, `search/index.js`. Past `[search] shard_kib` (500 KiB by default)
//! the terms are split by their first one or two letters into `search/t-<key>.js` and the page
//! records into `search/d-<n>.js`; `search/index.js` then only lists the shards, and a query
//! loads the term shards of its words and the record shards of its best results.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Write as _;

use ahash::AHashMap;
use rayon::prelude::*;
use unicode_normalization::UnicodeNormalization;

use crate::html::Piece;
use crate::page::{Page, PageId};
use crate::urls::{self, Flavour};

/// The client, written to `search/client.js`.
pub(crate) const CLIENT: &str = include_str!("search/client.js");
/// The files every build with search writes, whatever the size of the index.
pub(crate) const FILES: [&str; 2] = ["search/client.js", "search/index.js"];
/// Sections a page may have in the index; later headings join the last one.
const SECTIONS: usize = 64;
/// Longer terms (a pasted hash, a long identifier) are not worth indexing.
const MAX_TERM_BYTES: usize = 64;
/// Characters of a section's text kept for excerpts (all of it is indexed).
const EXCERPT_CHARS: usize = 400;
/// Words too common to be worth an entry, sorted.
const STOP_WORDS: [&str; 28] = [
    "an", "and", "are", "as", "at", "be", "but", "by", "for", "from", "has", "have", "in", "is", "it", "its",
    "of", "on", "or", "so", "that", "the", "this", "to", "was", "were", "will", "with",
];

/// What a rendered page contributes to the index, computed while the page is rendered.
#[derive(Debug)]
pub(crate) struct Entry {
    /// The page.
    pub(crate) id: PageId,
    /// The page's record for results: its link from the site root, title and sections, as JSON.
    record: String,
    /// The page's distinct terms, one after the other.
    words: String,
    /// One per term and section, sorted by term then section.
    hits: Vec<Hit>,
}

/// A term in a section: the term is `words[start..start + len]`.
#[derive(Debug, Clone, Copy)]
struct Hit {
    start: u32,
    len: u8,
    section: u8,
    weight: u16,
}

/// A part of a page: the text before the first heading, or a heading and the text under it.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Section {
    /// The heading's id; empty for the part before the first heading.
    pub(crate) anchor: String,
    /// The heading's text; empty for the part before the first heading.
    pub(crate) title: String,
    /// The plain text, whitespace collapsed.
    pub(crate) text: String,
}

/// The index entry of `page`, numbered `id`, whose rendered Markdown is `html`, linked in the
/// `flavour` of the build; `None` when the page asked to stay out of search (`in_search = false`).
pub(crate) fn entry(page: &Page, id: PageId, flavour: Flavour, html: &str) -> Option<Entry> {
    if !page.front.in_search {
        return None;
    }
    let mut sections = sections(html);
    if sections.len() > SECTIONS {
        let rest: Vec<Section> = sections.split_off(SECTIONS);
        let last = sections.last_mut().expect("SECTIONS > 0");
        for s in rest {
            last.text.push(' ');
            last.text.push_str(&s.title);
            last.text.push(' ');
            last.text.push_str(&s.text);
        }
    }
    let front = &page.front;
    // Each field adds `weight` per occurrence of a term, up to `cap`; a section's weight for a
    // term is the sum over its fields. The maps and the word buffer are reused throughout, and
    // each distinct term is stored once per page.
    let (mut field, mut section) = (AHashMap::<String, u16>::new(), AHashMap::<String, u16>::new());
    let mut known = AHashMap::<String, (u32, u8)>::new();
    let (mut words_of_page, mut hits) = (String::new(), Vec::new());
    let mut word = String::new();
    for (i, s) in sections.iter().enumerate() {
        let mut fields = vec![(s.title.as_str(), 8, 8), (s.text.as_str(), 1, 6)];
        if i == 0 {
            fields.push((&front.title, 10, 10));
            fields.extend(front.tags.iter().map(|t| (t.as_str(), 6, 6)));
            fields.extend(front.description.as_deref().map(|d| (d, 3, 3)));
        }
        for (text, weight, cap) in fields {
            for w in words(text) {
                if !term_into(w, &mut word) || word.len() > MAX_TERM_BYTES {
                    continue;
                }
                match field.get_mut(word.as_str()) {
                    Some(given) => *given = (*given + weight).min(cap),
                    None => {
                        field.insert(word.clone(), weight);
                    }
                }
            }
            for (term, w) in field.drain() {
                *section.entry(term).or_default() += w;
            }
        }
        for (term, weight) in section.drain() {
            let (start, len) = *known.entry(term).or_insert_with_key(|term| {
                words_of_page.push_str(term);
                ((words_of_page.len() - term.len()) as u32, term.len() as u8)
            });
            hits.push(Hit { start, len, section: i as u8, weight });
        }
    }
    let text = |h: &Hit| &words_of_page[h.start as usize..][..h.len as usize];
    hits.sort_unstable_by(|a, b| text(a).cmp(text(b)).then(a.section.cmp(&b.section)));

    if sections[0].text.is_empty()
        && let Some(description) = &front.description
    {
        sections[0].text = description.clone();
    }
    let record = record(page, flavour, &sections);
    Some(Entry { id, record, words: words_of_page, hits })
}

/// The page's record for results, as JSON: its link from the site root, its title and its
/// sections (anchor, title and the start of the text).
fn record(page: &Page, flavour: Flavour, sections: &[Section]) -> String {
    let mut record = String::from("[");
    push_json(&mut record, &urls::link(0, &page.path, flavour));
    record.push(',');
    push_json(&mut record, &page.front.title);
    record.push_str(",[");
    for (i, s) in sections.iter().enumerate() {
        if i > 0 {
            record.push(',');
        }
        record.push('[');
        push_json(&mut record, &s.anchor);
        record.push(',');
        push_json(&mut record, &s.title);
        record.push(',');
        push_json(&mut record, excerpt_text(&s.text));
        record.push(']');
    }
    record.push_str("]]");
    record
}

/// The index files, as (site path, contents): [`FILES`]' `search/index.js` and, when the index
/// is larger than `shard_bytes`, its shards. `client.js` is written separately.
pub(crate) fn files(mut entries: Vec<&Entry>, shard_bytes: usize) -> Vec<(String, String)> {
    entries.sort_unstable_by_key(|e| e.id);
    let pages = entries.len();
    let postings = postings(&entries);
    let records: Vec<&str> = entries.iter().map(|e| e.record.as_str()).collect();
    let whole_terms = postings.iter().map(|(t, p)| t.len() + p.len() + 4).sum::<usize>();
    let whole_records = records.iter().map(|r| r.len() + 1).sum::<usize>();
    if whole_terms + whole_records <= shard_bytes {
        let mut index = format!("juxtaSearch.index({{\"v\":1,\"pages\":{pages},\"depth\":0,\"t\":");
        push_terms(&mut index, postings.iter().map(|(t, p)| (*t, p.as_str())));
        index.push_str(",\"d\":[");
        index.push_str(&records.join(","));
        index.push_str("]});\n");
        return vec![("search/index.js".to_string(), index)];
    }

    let depth = shard_depth(&postings, shard_bytes);
    let mut files = Vec::new();
    let mut keys = Vec::new();
    let mut start = 0;
    while start < postings.len() {
        let key = shard_key(postings[start].0, depth);
        let end = start + postings[start..].iter().take_while(|(t, _)| shard_key(t, depth) == key).count();
        let mut shard = String::from("juxtaSearch.terms(");
        push_json(&mut shard, key);
        shard.push(',');
        push_terms(&mut shard, postings[start..end].iter().map(|(t, p)| (*t, p.as_str())));
        shard.push_str(");\n");
        files.push((format!("search/t-{}.js", file_key(key)), shard));
        keys.push(key);
        start = end;
    }
    let mut firsts = Vec::new();
    let mut start = 0;
    while start < records.len() {
        let mut bytes = 0;
        let end = start
            + records[start..]
                .iter()
                .take_while(|r| {
                    bytes += r.len() + 1;
                    bytes <= shard_bytes
                })
                .count()
                .max(1);
        let shard =
            format!("juxtaSearch.docs({},{start},[{}]);\n", firsts.len(), records[start..end].join(","));
        files.push((format!("search/d-{}.js", firsts.len()), shard));
        firsts.push(start);
        start = end;
    }
    let mut index = format!("juxtaSearch.index({{\"v\":1,\"pages\":{pages},\"depth\":{depth},\"terms\":[");
    for (i, key) in keys.iter().enumerate() {
        if i > 0 {
            index.push(',');
        }
        push_json(&mut index, key);
    }
    let firsts: Vec<String> = firsts.iter().map(usize::to_string).collect();
    let _ = writeln!(index, "],\"docs\":[{}]}});", firsts.join(","));
    files.push(("search/index.js".to_string(), index));
    files.sort_unstable();
    files
}

/// Whether `site_path` is a name the index may take (`search/t-….js`, `search/d-….js`), which no
/// page or copied file may use.
pub(crate) fn is_reserved(site_path: &str) -> bool {
    FILES.contains(&site_path)
        || site_path
            .strip_prefix("search/")
            .is_some_and(|name| (name.starts_with("t-") || name.starts_with("d-")) && name.ends_with(".js"))
}

/// The plain text of rendered HTML split into sections at each heading that has an id (and each
/// `<dt>` with an id: a glossary's terms are headings of a kind); the first section holds what
/// comes before the first heading. Heading anchors (`<a class="anchor">`),
/// scripts, styles and SVG are left out.
pub(crate) fn sections(html: &str) -> Vec<Section> {
    let mut sections = vec![Section::default()];
    let mut heading: Option<Cow<'_, str>> = None;
    // The element being left out, and how many of its kind are open inside it.
    let mut skipping: Option<(Cow<'_, str>, usize)> = None;
    for piece in crate::html::tokens(html) {
        if let Some((name, depth)) = &mut skipping {
            match &piece {
                Piece::Start(tag) if tag.name == *name => *depth += 1,
                Piece::End(end) if end == name && *depth == 0 => skipping = None,
                Piece::End(end) if end == name => *depth -= 1,
                _ => {}
            }
            continue;
        }
        let (name, start) = match piece {
            Piece::Text(text) => {
                push_text(&mut sections, heading.is_some(), text);
                continue;
            }
            Piece::Start(tag) => (tag.name.clone(), Some(tag)),
            Piece::End(name) => (name, None),
        };
        let current = sections.last_mut().expect("never empty");
        if !is_inline(&name) {
            separate(if heading.is_some() { &mut current.title } else { &mut current.text });
        }
        let Some(tag) = start else {
            if heading.as_deref() == Some(&*name) {
                heading = None;
            }
            continue;
        };
        match &*name {
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "dt" => {
                if let Some(id) = tag.get("id") {
                    sections.push(Section {
                        anchor: crate::html::decode_entities(id).into_owned(),
                        ..Section::default()
                    });
                    heading = Some(name);
                }
            }
            "a" if tag.get("class").is_some_and(|c| c.split_ascii_whitespace().any(|c| c == "anchor")) => {
                skipping = Some((name, 0));
            }
            "script" | "style" | "svg" | "template" | "noscript" => skipping = Some((name, 0)),
            _ => {}
        }
    }
    for s in &mut sections {
        s.title.truncate(s.title.trim_end().len());
        s.text.truncate(s.text.trim_end().len());
    }
    sections
}

/// The index terms of `text`, in order: each word folded ([`fold`]), stop words and one-letter
/// words dropped, then stemmed ([`stem`]). The client does exactly the same to a query.
pub(crate) fn terms(text: &str) -> impl Iterator<Item = String> + '_ {
    words(text).filter_map(|w| {
        let mut term = String::new();
        term_into(w, &mut term).then_some(term)
    })
}

/// Puts the index term of `word` into `out`; `false` when the word has none (a stop word or a
/// one-letter word).
fn term_into(word: &str, out: &mut String) -> bool {
    out.clear();
    if word.is_ascii() {
        out.extend(word.bytes().map(|b| char::from(b.to_ascii_lowercase())));
    } else {
        out.push_str(&fold(word));
    }
    if out.chars().nth(1).is_none() || STOP_WORDS.binary_search(&out.as_str()).is_ok() {
        return false;
    }
    stem(out);
    true
}

/// The words of `text`: runs of letters and digits (Unicode `Alphabetic` or `Numeric`).
pub(crate) fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty())
}

/// Lowercase, decomposed, combining diacritical marks (U+0300 to U+036F) removed.
pub(crate) fn fold(word: &str) -> String {
    word.to_lowercase().nfd().filter(|c| !('\u{300}'..='\u{36f}').contains(c)).collect()
}

/// A light English stemmer: plurals (`-ies`, `-sses`, `-xes`, `-ches`, `-shes`, `-zes`, `-s`),
/// then `-ing` and `-ed` on longer words. It conflates a word's common forms without the
/// reach (and the surprises) of a full stemmer.
pub(crate) fn stem(word: &mut String) {
    let n = word.chars().count();
    if n > 4 && word.ends_with("ies") {
        word.truncate(word.len() - 3);
        word.push('y');
    } else if word.ends_with("sses")
        || (n > 4 && ["xes", "ches", "shes", "zes"].iter().any(|s| word.ends_with(s)))
    {
        word.truncate(word.len() - 2);
    } else if n > 3 && word.ends_with('s') && !["ss", "us", "is"].iter().any(|s| word.ends_with(s)) {
        word.truncate(word.len() - 1);
    }
    let n = word.chars().count();
    if n >= 7 && word.ends_with("ing") {
        word.truncate(word.len() - 3);
    } else if n >= 6 && word.ends_with("ed") {
        word.truncate(word.len() - 2);
    }
}

// ---------------------------------------------------------------------------------------------
// Building the index

/// Every term with its postings, sorted by term: `[section, weight, …]` as JSON numbers, the
/// sections delta-coded (each the difference from the previous one).
fn postings<'a>(entries: &[&'a Entry]) -> Vec<(&'a str, String)> {
    let mut by_term: AHashMap<&str, Vec<(u32, u16)>> = AHashMap::new();
    for (page, entry) in entries.iter().enumerate() {
        for hit in &entry.hits {
            let term = &entry.words[hit.start as usize..][..hit.len as usize];
            let doc = page as u32 * SECTIONS as u32 + u32::from(hit.section);
            by_term.entry(term).or_default().push((doc, hit.weight));
        }
    }
    let by_term: Vec<(&str, Vec<(u32, u16)>)> = by_term.into_iter().collect();
    let mut postings: Vec<(&str, String)> = by_term
        .into_par_iter()
        .map(|(term, mut list)| {
            list.sort_unstable();
            let mut out = String::with_capacity(list.len() * 6);
            let mut previous = 0;
            for (i, (doc, weight)) in list.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                let _ = write!(out, "{},{weight}", doc - previous);
                previous = *doc;
            }
            (term, out)
        })
        .collect();
    postings.par_sort_unstable_by(|a, b| a.0.cmp(b.0));
    postings
}

/// How many leading characters of a term name its shard: one, or two when some one-letter shard
/// would still be larger than `shard_bytes`.
fn shard_depth(postings: &[(&str, String)], shard_bytes: usize) -> usize {
    let mut sizes: HashMap<&str, usize> = HashMap::new();
    for (term, list) in postings {
        *sizes.entry(shard_key(term, 1)).or_default() += term.len() + list.len() + 6;
    }
    if sizes.values().any(|&s| s > shard_bytes) { 2 } else { 1 }
}

/// The first `depth` characters of `term`.
fn shard_key(term: &str, depth: usize) -> &str {
    term.char_indices().nth(depth).map_or(term, |(i, _)| &term[..i])
}

/// A shard key as a file name: ASCII letters and digits as they are, anything else as `_` and
/// its hexadecimal code point. The client computes the same name.
fn file_key(key: &str) -> String {
    let mut name = String::new();
    for c in key.chars() {
        if c.is_ascii_alphanumeric() {
            name.push(c);
        } else {
            let _ = write!(name, "_{:x}", c as u32);
        }
    }
    name
}

fn push_terms<'a>(out: &mut String, terms: impl Iterator<Item = (&'a str, &'a str)>) {
    out.push('{');
    for (i, (term, list)) in terms.enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_json(out, term);
        out.push_str(":[");
        out.push_str(list);
        out.push(']');
    }
    out.push('}');
}

/// Appends `text` as a JSON string that is also safe in any JavaScript source (U+2028 and U+2029
/// escaped).
fn push_json(out: &mut String, text: &str) {
    let json = serde_json::to_string(text).expect("strings always serialise");
    if json.contains(['\u{2028}', '\u{2029}']) {
        out.push_str(&json.replace('\u{2028}', "\\u2028").replace('\u{2029}', "\\u2029"));
    } else {
        out.push_str(&json);
    }
}

/// The start of `text` kept for excerpts, cut at a word boundary.
fn excerpt_text(text: &str) -> &str {
    match text.char_indices().nth(EXCERPT_CHARS) {
        None => text,
        Some((cut, _)) => text[..cut].rfind(' ').map_or(&text[..cut], |space| &text[..space]),
    }
}

/// Inline elements join the words around them; every other tag separates words.
fn is_inline(name: &str) -> bool {
    matches!(
        name,
        "a" | "abbr"
            | "b"
            | "bdi"
            | "cite"
            | "code"
            | "data"
            | "del"
            | "dfn"
            | "em"
            | "i"
            | "ins"
            | "kbd"
            | "mark"
            | "q"
            | "s"
            | "samp"
            | "small"
            | "span"
            | "strong"
            | "sub"
            | "sup"
            | "time"
            | "u"
            | "var"
    )
}

fn push_text(sections: &mut [Section], in_heading: bool, raw: &str) {
    if raw.is_empty() {
        return;
    }
    let section = sections.last_mut().expect("never empty");
    let out = if in_heading { &mut section.title } else { &mut section.text };
    let decoded = crate::html::decode_entities(raw);
    for (i, word) in decoded.split(|c: char| c.is_whitespace()).enumerate() {
        if i > 0 {
            separate(out);
        }
        out.push_str(word);
    }
}

/// Adds a space unless `out` is empty or already ends in one.
fn separate(out: &mut String) {
    if !out.is_empty() && !out.ends_with(' ') {
        out.push(' ');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_terms(text: &str) -> Vec<String> {
        terms(text).collect()
    }

    #[test]
    fn terms_are_folded_stemmed_and_free_of_stop_words() {
        assert_eq!(
            all_terms("The Protocols of connected DEVICES, café and naïve batteries"),
            ["protocol", "connect", "device", "cafe", "naive", "battery"]
        );
        assert_eq!(all_terms("a I x 5G TCP/IP"), ["5g", "tcp", "ip"]);
        assert_eq!(
            all_terms("sending boxes matches glasses status analysis"),
            ["send", "box", "match", "glass", "status", "analysis"]
        );
        // Short words keep their endings, so `string` and `need` stay whole.
        assert_eq!(all_terms("string need bus gas"), ["string", "need", "bus", "gas"]);
    }

    #[test]
    fn stop_words_are_sorted_for_binary_search() {
        assert!(STOP_WORDS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn sections_split_at_headings_with_ids() {
        let html = "<p>Intro &amp; more<sup>1</sup></p>\n<h2 id=\"mqtt\">MQTT <em>broker</em><a class=\"anchor\" \
                    href=\"#mqtt\" aria-hidden=\"true\">#</a></h2>\n<p>Publish<br>subscribe</p>\
                    <script>var x = 1;</script><h3>No id</h3><table><tr><td>a</td><td>b</td></tr></table>";
        let got = sections(html);
        assert_eq!(
            got,
            [
                Section { anchor: String::new(), title: String::new(), text: "Intro & more1".into() },
                Section {
                    anchor: "mqtt".into(),
                    title: "MQTT broker".into(),
                    text: "Publish subscribe No id a b".into()
                },
            ]
        );
    }

    #[test]
    fn a_lone_less_than_sign_is_text() {
        assert_eq!(sections("<p>1 < 2 &#x3c; 3 &bogus; &mdash;</p>")[0].text, "1 < 2 < 3 &bogus; —");
    }

    #[test]
    fn excerpts_are_cut_at_a_word_boundary() {
        let long = "word ".repeat(EXCERPT_CHARS);
        let cut = excerpt_text(long.trim_end());
        assert!(cut.len() <= EXCERPT_CHARS && cut.ends_with("word"), "{}", cut.len());
    }

    #[test]
    fn shard_files_are_named_safely() {
        assert_eq!(file_key("pr"), "pr");
        assert_eq!(file_key("é/"), "_e9_2f");
        assert_eq!(shard_key("über", 2), "üb");
        assert_eq!(shard_key("a", 2), "a");
        assert!(is_reserved("search/t-pr.js") && is_reserved("search/index.js"));
        assert!(!is_reserved("search/index.html") && !is_reserved("search/t-pr.css"));
    }

    #[test]
    fn json_strings_are_safe_in_javascript() {
        let mut out = String::new();
        push_json(&mut out, "a\u{2028}b\"</script>");
        assert_eq!(out, r#""a\u2028b\"</script>""#);
    }
}
