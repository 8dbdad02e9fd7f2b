//! What templates and pages read of `data`, found before the data is loaded so that a file nothing
//! reads is checked but not kept (the rule is [`Readers`]').
//!
//! A template's tags are read the way Tera 2's lexer reads them (its delimiters, comments, `raw`
//! blocks, strings with their escapes, identifiers), so that `data` is found exactly where Tera
//! would look it up; a page body is read as Tera reads it, with its text tags shielded
//! ([`crate::body_tags`]). Where the reading is unsure (text Tera would refuse), every file is
//! kept.

use std::borrow::Cow;
use std::sync::Arc;

use rayon::prelude::*;

use crate::config::Config;
use crate::data::Readers;
use crate::page::Page;

/// The variable holding the data files.
const DATA: &str = "data";

/// Tera's name for every variable of the context at once.
const WHOLE_CONTEXT: &str = "__tera_context";

/// What the templates `sources` ((name, text) pairs), the bodies and front matter `extra` tables
/// of `pages`, and the `extra` table of `config` read of `data`.
pub(crate) fn readers<'p>(
    sources: &[(String, String)],
    pages: impl IntoIterator<Item = &'p Page>,
    config: &Config,
) -> Readers {
    let mut readers = Readers::default();
    for (_, source) in sources {
        scan(source, &mut readers);
        readers.texts.push(Arc::from(source.as_str()));
    }
    extra_texts(config.extra.iter(), &mut readers.texts);
    let pages: Vec<&Page> = pages.into_iter().collect();
    for page in &pages {
        readers.texts.push(page.body.clone());
        extra_texts(page.front.extra.iter(), &mut readers.texts);
    }
    // Finding a body's template tags parses its Markdown: in parallel, as the pages are rendered.
    let tagged: Vec<&Page> = pages.into_iter().filter(|page| may_have_tags(&page.body)).collect();
    let bodies: Vec<Readers> = tagged
        .par_iter()
        .with_max_len(crate::PAGES_PER_JOB)
        .map(|page| {
            let mut found = Readers::default();
            let events = crate::markdown::parse(&page.body, &config.markdown);
            match crate::body_tags::prepare(&page.body, &events) {
                Ok(Some(prepared)) => scan(&prepared.text, &mut found),
                Ok(None) => {}
                // The page fails to render; until it is fixed, nothing is left out.
                Err(_) => found.whole = true,
            }
            found
        })
        .collect();
    for found in bodies {
        readers.whole |= found.whole;
        readers.names.extend(found.names);
    }
    readers
}

/// Whether `body` holds `{{` or `{%`, without which it never goes through Tera.
fn may_have_tags(body: &str) -> bool {
    memchr::memmem::find(body.as_bytes(), b"{{").is_some()
        || memchr::memmem::find(body.as_bytes(), b"{%").is_some()
}

/// Adds the keys and texts of an `extra` table, in which a file's name may be given to a
/// template.
fn extra_texts<'e>(
    entries: impl Iterator<Item = (&'e String, &'e serde_json::Value)>,
    texts: &mut Vec<Arc<str>>,
) {
    let mut joined = String::new();
    let mut stack: Vec<&serde_json::Value> = Vec::new();
    for (key, value) in entries {
        joined.push_str(key);
        joined.push('\n');
        stack.push(value);
    }
    while let Some(value) = stack.pop() {
        match value {
            serde_json::Value::String(text) => {
                joined.push_str(text);
                joined.push('\n');
            }
            serde_json::Value::Array(items) => stack.extend(items),
            serde_json::Value::Object(map) => {
                for (key, value) in map {
                    joined.push_str(key);
                    joined.push('\n');
                    stack.push(value);
                }
            }
            _ => {}
        }
    }
    if !joined.is_empty() {
        texts.push(Arc::from(joined));
    }
}

/// Adds what the template text `text` reads of `data` to `readers`.
fn scan(text: &str, readers: &mut Readers) {
    let Some(tokens) = tokens(text) else {
        readers.whole = true;
        return;
    };
    for (i, token) in tokens.iter().enumerate() {
        let Token::Name(name) = token else { continue };
        if *name == WHOLE_CONTEXT {
            readers.whole = true;
        }
        // `x.data` is a field of another value.
        if *name != DATA || matches!(i.checked_sub(1).map(|p| &tokens[p]), Some(Token::Dot)) {
            continue;
        }
        match (tokens.get(i + 1), tokens.get(i + 2), tokens.get(i + 3)) {
            (Some(Token::Dot), Some(Token::Name(field)), _) => {
                readers.names.insert(field.to_string());
            }
            (Some(Token::Bracket), Some(Token::Text(key)), Some(Token::Close)) => {
                readers.names.insert(key.to_string());
            }
            _ => readers.whole = true,
        }
    }
}

/// The tokens of a template that matter here; anything else is [`Token::Other`].
#[derive(Debug, PartialEq)]
enum Token<'t> {
    /// An identifier.
    Name(&'t str),
    /// A string literal, unescaped.
    Text(Cow<'t, str>),
    /// `.` or `?.`
    Dot,
    /// `[` or `?[`
    Bracket,
    /// `]`
    Close,
    /// Any other token, and the end of a tag.
    Other,
}

/// The tokens of the tags of template text `text`, read as Tera 2's lexer reads them; `None`
/// where Tera would refuse the text (an unclosed tag, comment, `raw` block or string, a character
/// no token starts with).
fn tokens(text: &str) -> Option<Vec<Token<'_>>> {
    let mut tokens = Vec::new();
    let mut at = 0;
    while let Some(start) = tag_start(&text[at..]).map(|offset| at + offset) {
        let inside = &text[start + 2..];
        let rest = match &text[start..start + 2] {
            "{#" => &inside[find(inside, "#}")? + 2..],
            opener => {
                // Like Tera, a `-` after the opener is taken before anything else is read.
                let inside = inside.strip_prefix('-').unwrap_or(inside);
                if opener == "{%" && named_tag(inside, "raw").is_some() {
                    after_raw(inside)?
                } else {
                    let rest = tag_tokens(inside, if opener == "{{" { "}}" } else { "%}" }, &mut tokens)?;
                    tokens.push(Token::Other);
                    rest
                }
            }
        };
        at = text.len() - rest.len();
    }
    Some(tokens)
}

/// Where the next `{{`, `{%` or `{#` of `text` starts.
fn tag_start(text: &str) -> Option<usize> {
    text.as_bytes().windows(2).position(|w| matches!(w, b"{{" | b"{%" | b"{#"))
}

/// The byte offset of `needle` in `haystack`.
fn find(haystack: &str, needle: &str) -> Option<usize> {
    memchr::memmem::find(haystack.as_bytes(), needle.as_bytes())
}

/// The length of `-? <name> -?%}` at the start of `rest`, as Tera's lexer skips it.
fn named_tag(rest: &str, name: &str) -> Option<usize> {
    let after = rest.strip_prefix('-').unwrap_or(rest).trim_start_matches(|c: char| c.is_ascii_whitespace());
    let after = after.strip_prefix(name)?.trim_start_matches(|c: char| c.is_ascii_whitespace());
    let after = after.strip_prefix('-').unwrap_or(after).strip_prefix("%}")?;
    Some(rest.len() - after.len())
}

/// What follows the `{% endraw %}` that closes the `raw` block opened at the start of `rest`
/// (what follows its `{%`).
fn after_raw(rest: &str) -> Option<&str> {
    let mut offset = named_tag(rest, "raw")?;
    loop {
        offset += find(&rest[offset..], "{%")? + 2;
        if let Some(end) = named_tag(&rest[offset..], "endraw") {
            return Some(&rest[offset + end..]);
        }
    }
}

/// Reads the tokens of one tag from `rest` up to its `close` (`}}` or `%}`, or either after a
/// `-`); returns what follows it.
fn tag_tokens<'t>(mut rest: &'t str, close: &str, tokens: &mut Vec<Token<'t>>) -> Option<&'t str> {
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace());
        let after_dash = rest.strip_prefix('-').unwrap_or("");
        if let Some(after) = rest.strip_prefix(close).or_else(|| after_dash.strip_prefix(close)) {
            return Some(after);
        }
        let bytes = rest.as_bytes();
        let (token, length) = match bytes.first()? {
            b'.' if rest.starts_with("...") => (Token::Other, 3),
            b'?' if rest.starts_with("?.") => (Token::Dot, 2),
            b'?' if rest.starts_with("?[") => (Token::Bracket, 2),
            b'.' => (Token::Dot, 1),
            b'[' => (Token::Bracket, 1),
            b']' => (Token::Close, 1),
            &quote @ (b'"' | b'\'' | b'`') => string(rest, quote)?,
            b if b.is_ascii_digit() => (Token::Other, number_length(bytes)),
            b if b.is_ascii_alphabetic() || *b == b'_' => {
                let length = bytes.iter().take_while(|b| b.is_ascii_alphanumeric() || **b == b'_').count();
                match &rest[..length] {
                    "true" | "True" | "false" | "False" => (Token::Other, length),
                    name => (Token::Name(name), length),
                }
            }
            b if b"+-*/%!,:~|=><(){}@".contains(b) => (Token::Other, 1),
            _ => return None,
        };
        tokens.push(token);
        rest = &rest[length..];
    }
}

/// The length of the number at the start of `bytes`: digits with at most one `.`.
fn number_length(bytes: &[u8]) -> usize {
    let mut point = false;
    bytes
        .iter()
        .take_while(|&&b| {
            if b == b'.' && !point {
                point = true;
                true
            } else {
                b.is_ascii_digit()
            }
        })
        .count()
}

/// The string literal opened by `quote` at the start of `rest`, unescaped, and its length with
/// the quotes; `None` for one Tera refuses.
fn string(rest: &str, quote: u8) -> Option<(Token<'_>, usize)> {
    let bytes = rest.as_bytes();
    let mut escaped = false;
    let mut escapes = false;
    let length = bytes[1..]
        .iter()
        .take_while(|&&b| {
            if escaped {
                escaped = false;
                return true;
            }
            if b == b'\\' {
                (escaped, escapes) = (true, true);
                return true;
            }
            b != quote
        })
        .count();
    if bytes.get(length + 1) != Some(&quote) {
        return None;
    }
    let inner = &rest[1..length + 1];
    if !escapes {
        return Some((Token::Text(Cow::Borrowed(inner)), length + 2));
    }
    let mut text = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            text.push(c);
            continue;
        }
        text.push(match chars.next()? {
            c @ ('"' | '\'' | '/' | '\\') => c,
            'n' => '\n',
            't' => '\t',
            'r' => '\r',
            _ => return None,
        });
    }
    Some((Token::Text(Cow::Owned(text)), length + 2))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `text` reads: every file, or the names read.
    fn read(text: &str) -> Result<Vec<String>, &'static str> {
        let mut readers = Readers::default();
        scan(text, &mut readers);
        match readers.whole {
            true => Err("whole"),
            false => Ok(readers.names.into_iter().collect()),
        }
    }

    #[test]
    fn a_file_read_by_name_is_read_in_every_way_tera_writes_it() {
        let cases = [
            ("{{ data.rows }}", "rows"),
            ("{{ data . rows | length }}", "rows"),
            ("{{- data.rows -}}", "rows"),
            ("{% for r in data.rows %}{{ r.id }}{% endfor %}", "rows"),
            ("{{ data[\"my-rows\"] }}", "my-rows"),
            ("{{ data['my rows'][0] }}", "my rows"),
            ("{{ data[`rows`] }}", "rows"),
            ("{{ data[\"a\\\"b\"] }}", "a\"b"),
            ("{{ data?.rows }}", "rows"),
            ("{{ data?[\"rows\"] }}", "rows"),
            ("{% set r = data.rows | default(value=[]) %}", "rows"),
            ("{% if data.rows is defined %}x{% endif %}", "rows"),
            ("{{ f(x=data.rows) }}", "rows"),
            ("{{ {\"a\": data.rows} }}", "rows"),
            ("{%- set x = \"}}\" ~ data.rows -%}", "rows"),
        ];
        for (text, name) in cases {
            assert_eq!(read(text), Ok(vec![name.to_string()]), "{text}");
        }
    }

    #[test]
    fn data_read_as_a_whole_keeps_every_file() {
        let cases = [
            "{{ data }}",
            "{% for name, rows in data %}{% endfor %}",
            "{{ data | length }}",
            "{{ data[name] }}",
            "{{ data[\"ro\" ~ \"ws\"] }}",
            "{{ data[page.extra.table] }}",
            "{% set d = data %}{{ d.rows }}",
            "{{ f(tables=data) }}",
            "{% if \"rows\" in data %}x{% endif %}",
            "{% if data is defined %}x{% endif %}",
            "{{ <table ...data /> }}",
            "{{ __tera_context }}",
            "{{ data.0 }}",
            "{{ data.true }}",
            "{{ \"unclosed }}",
            "{{ data.rows ",
            "{% raw %}{{ x }}",
            "{# never closed",
            "{#}{{ data }}",
            "{{ ü }}",
        ];
        for text in cases {
            assert_eq!(read(text), Err("whole"), "{text}");
        }
    }

    #[test]
    fn data_outside_tags_or_as_a_field_reads_nothing() {
        let cases = [
            "<div data-theme=\"dark\">data</div>",
            "{% block structured_data %}{% endblock structured_data %}",
            "{{ page.data }}{{ x?.data }}{{ page.data.rows }}",
            "{{ \"data\" }}{{ 'data | length' }}",
            "{# {{ data }} #}",
            "{##}{{ page }}",
            "{% raw %}{{ data }}{% endraw %}{{ page }}",
            "{%- raw -%} {{ data }} {%- endraw -%}",
            "{% raw %}{% endraw x %}{{ data }}{% endraw %}",
            "{{ dataset }}{{ metadata }}{{ data_rows }}",
            "text with {{ 1.5 }} and {{ 2 }}",
        ];
        for text in cases {
            assert_eq!(read(text), Ok(vec![]), "{text}");
        }
    }

    #[test]
    fn a_string_holding_a_closing_delimiter_does_not_end_the_tag() {
        assert_eq!(read("{{ \"%} }}\" ~ data }}"), Err("whole"));
        assert_eq!(read("{% set x = '%}' %}{{ data.rows }}"), Ok(vec!["rows".to_string()]));
    }

    /// Templates that read data files in every way Tera offers, and other values beside them.
    const TEMPLATES: [&str; 15] = [
        "{% for r in data.rows %}{{ r.id }}{% endfor %}",
        "{{ data[\"my-rows\"] | length }}{{ data['other'].x }}",
        "{% if data.missing is defined %}yes{% else %}no{% endif %}",
        "{{ data.rows | default(value=[]) | length }}{{ data?.absent?.x | default(value=0) }}",
        "{% set key = \"oth\" ~ \"er\" %}{{ data[key].x }}",
        "{% for name, value in data %}{% if name is starting_with(pat=\"ro\") %}{{ value | length }}{% endif %}{% endfor %}",
        "{{ data | length }}",
        "{% if \"oth\" ~ \"er\" in data %}in{% endif %}",
        "{% set d = data %}{{ d.other.x }}",
        "{# {{ data.rows }} #}{{ data.other.x }}{% raw %}{{ data }}{% endraw %}",
        "{{ \"}}\" ~ data.other.x }}",
        "{{ page.data }}{{ data . rows[0] . id }}",
        "{% component show(d) %}{{ d.x }}{% endcomponent show %}{{<show d={data.other} />}}",
        "{% component show(@data) %}{{ data.other.x }}{% endcomponent show %}{{<show />}}",
        "{% filter upper %}{{ data[\"other\"][\"x\"] }}{% endfilter %}",
    ];

    /// Every template above renders the same with the data files its tags are found to read
    /// (without the rule of names as words) as with all of them: a file a template reads is
    /// never missing.
    #[test]
    fn a_template_renders_the_same_with_only_the_files_found_read() {
        let files = serde_json::json!({
            "rows": [{"id": 1}, {"id": 2}],
            "my-rows": [1, 2, 3],
            "other": {"x": "seven"},
            "unread": {"x": 0},
        });
        let files = files.as_object().expect("an object");
        let stems: Vec<&str> = files.keys().map(String::as_str).collect();
        for template in TEMPLATES {
            let mut readers = Readers::default();
            scan(template, &mut readers);
            let render = |kept: &dyn Fn(&str) -> bool| {
                let data: serde_json::Map<String, serde_json::Value> = files
                    .iter()
                    .filter(|(stem, _)| kept(stem))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                let mut context = tera::Context::new();
                context.insert("data", &data);
                context.insert("page", &serde_json::json!({"data": "a field"}));
                let mut tera = tera::Tera::new();
                tera.add_raw_template("t", template)
                    .and_then(|()| tera.render("t", &context))
                    .map_err(|e| e.to_string())
            };
            let all = render(&|_| true);
            assert!(all.is_ok(), "{template}: {all:?}");
            assert_eq!(render(&|stem| readers.read(stem, &stems)), all, "{template}");
        }
        let mut readers = Readers::default();
        scan(TEMPLATES[0], &mut readers);
        assert!(!readers.read("unread", &stems), "a file nothing reads is left out");
    }
}
