//! A fenced code block's info string: the language, then options juxta reads.
//!
//! ````text
//! ```rust {2,4-6} title="src/main.rs" linenos
//! ````
//!
//! - `{2,4-6}` or `hl_lines="2 4-6"` highlights lines (numbers or ranges, split by commas or
//!   spaces; both forms may be given and add up);
//! - `title="…"` gives the block a caption;
//! - `linenos` (or `linenums`, as MkDocs writes it) numbers the lines from 1, `linenos=10` from 10
//!   (`linenostart=10`, as Zola writes it).
//!
//! Everything else after the language is ignored, as GitHub ignores it, so that fences written for
//! other tools build as written: `rust,ignore` (mdBook), `{r}` (R Markdown), `{.python
//! .numberLines}` (Pandoc), `ins={4}` (Starlight). An option of juxta's written wrongly is an
//! error: a line range that cannot be read (a `{…}` that starts with a digit is one), a highlighted
//! line past the end of the block, a line number that is not one, an unclosed quote.

use pulldown_cmark::{CodeBlockKind, Event, Tag, TagEnd};

use super::Item;

/// What an info string asks for.
#[derive(Debug, Default, PartialEq)]
pub(super) struct Fence<'a> {
    /// The language: the info string's first word (up to a space, `,` or `{`), or the first of
    /// a `{…}` that opens it (`{r}`, `{.python}`).
    pub(super) language: &'a str,
    /// The caption.
    pub(super) title: Option<String>,
    /// Lines highlighted, 1-based and inclusive, each with where it is written in the info string.
    pub(super) marked: Vec<Lines>,
    /// The number of the first line, when lines are numbered.
    pub(super) first_number: Option<usize>,
}

/// A range of lines and where it is written.
#[derive(Debug, PartialEq)]
pub(super) struct Lines {
    pub(super) first: usize,
    pub(super) last: usize,
    /// Byte offset of the range in the info string.
    pub(super) at: usize,
}

/// A problem in an info string: the byte offset in it where the problem is, and the message.
#[derive(Debug, PartialEq)]
pub(super) struct Problem {
    pub(super) at: usize,
    pub(super) message: String,
}

impl Fence<'_> {
    /// Whether each line is written in an element of its own (for highlights or numbers).
    pub(super) fn by_line(&self) -> bool {
        !self.marked.is_empty() || self.first_number.is_some()
    }

    /// Whether line `n` (1-based) is highlighted.
    pub(super) fn is_marked(&self, n: usize) -> bool {
        self.marked.iter().any(|lines| (lines.first..=lines.last).contains(&n))
    }

    /// Checks that every highlighted line is in a block of `count` lines.
    fn check_lines(&self, count: usize) -> Result<(), Problem> {
        match self.marked.iter().find(|lines| lines.last > count) {
            None => Ok(()),
            Some(lines) => Err(Problem {
                at: lines.at,
                message: format!(
                    "highlights line {}, but the code block has {} line{}",
                    lines.last,
                    count,
                    if count == 1 { "" } else { "s" }
                ),
            }),
        }
    }
}

/// The language of an info string: its first word.
pub(super) fn language(info: &str) -> &str {
    info.split(|c: char| c.is_whitespace() || c == ',' || c == '{').next().unwrap_or("")
}

/// Reads an info string.
pub(super) fn parse(info: &str) -> Result<Fence<'_>, Problem> {
    let language = language(info);
    let mut fence = Fence { language, ..Fence::default() };
    let bytes = info.as_bytes();
    let mut i = language.len();
    while i < bytes.len() {
        let c = bytes[i];
        if c.is_ascii_whitespace() || c == b',' {
            i += 1;
            continue;
        }
        if c == b'{' {
            let end = info[i..].find('}').map(|e| i + e);
            // Line ranges start with a digit; other tools' attributes (`{r}`, `{.python}`) do not.
            if !info[i + 1..].trim_start().starts_with(|c: char| c.is_ascii_digit()) {
                let inner = &info[i + 1..end.unwrap_or(bytes.len())];
                if fence.language.is_empty() {
                    // `{r}` (R Markdown) and `{.python}` (Pandoc) name the language.
                    let word = inner.trim_start().trim_start_matches('.');
                    fence.language =
                        word.split(|c: char| c.is_whitespace() || c == ',' || c == '}').next().unwrap_or("");
                }
                i = end.map_or(bytes.len(), |end| end + 1);
                continue;
            }
            let end = end.ok_or_else(|| Problem {
                at: i,
                message: "the `{` of a line range is never closed: write lines as `{2,4-6}`".into(),
            })?;
            fence.marked.extend(ranges(&info[i + 1..end], i + 1)?);
            i = end + 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && !bytes[i].is_ascii_whitespace() && bytes[i] != b'=' && bytes[i] != b',' {
            i += 1;
        }
        let key = &info[start..i];
        if bytes.get(i) != Some(&b'=') {
            if matches!(key, "linenos" | "linenums") {
                fence.first_number.get_or_insert(1);
            }
            continue;
        }
        if !OPTIONS.contains(&key) {
            // Another tool's option: its value is skipped, and the rest if it cannot be read.
            match value(info, i + 1) {
                Ok((_, _, end)) => i = end,
                Err(_) => break,
            }
            continue;
        }
        let (mut value, value_at, mut end) = value(info, i + 1)?;
        if key == "hl_lines" && !info[i + 1..].starts_with(['"', '\'']) {
            // Zola writes the ranges unquoted, with spaces: `rust,hl_lines=1 3-5 9,linenos`.
            end = more_ranges(info, end);
            value = &info[value_at..end];
        }
        i = end;
        option(&mut fence, key, start, value, value_at)?;
    }
    Ok(fence)
}

/// The options juxta reads as `key=value`.
const OPTIONS: [&str; 5] = ["title", "hl_lines", "linenos", "linenums", "linenostart"];

/// Applies `key=value`, with `key` at `key_at` and the value at `value_at` in the info string.
fn option(
    fence: &mut Fence<'_>,
    key: &str,
    key_at: usize,
    value: &str,
    value_at: usize,
) -> Result<(), Problem> {
    match key {
        "title" if fence.title.is_some() => {
            Err(Problem { at: key_at, message: "`title` is given twice: keep one".into() })
        }
        "title" => {
            fence.title = Some(value.to_string()).filter(|t| !t.trim().is_empty());
            Ok(())
        }
        "hl_lines" => {
            fence.marked.extend(ranges(value, value_at)?);
            Ok(())
        }
        "linenos" | "linenums" | "linenostart" => {
            let first = value.trim().parse::<usize>().ok().filter(|&n| n >= 1).ok_or_else(|| Problem {
                at: value_at,
                message: format!(
                    "`{key}={value}`: the first line's number must be a whole number from 1, such as `{key}=10`"
                ),
            })?;
            fence.first_number = Some(first);
            Ok(())
        }
        _ => Ok(()),
    }
}

/// A value after `=` at `start`: quoted with `"` or `'`, or running to the next space. Returns
/// the value, where it starts, and where reading goes on.
fn value(info: &str, start: usize) -> Result<(&str, usize, usize), Problem> {
    let rest = &info[start..];
    match rest.chars().next() {
        Some(quote @ ('"' | '\'')) => match rest[1..].find(quote) {
            Some(end) => Ok((&rest[1..1 + end], start + 1, start + end + 2)),
            None => Err(Problem {
                at: start,
                message: format!("the quote `{quote}` opened here is never closed"),
            }),
        },
        _ => {
            let end = rest.find(|c: char| c.is_whitespace()).unwrap_or(rest.len());
            Ok((&rest[..end], start, start + end))
        }
    }
}

/// Where the line ranges that follow `end` (separated by spaces) end.
fn more_ranges(info: &str, mut end: usize) -> usize {
    loop {
        let rest = &info[end..];
        let token_at = rest.len() - rest.trim_start_matches([' ', '\t']).len();
        let token = rest[token_at..].split([' ', '\t', ',']).next().unwrap_or("");
        if token_at == 0 || token.is_empty() || !token.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
            return end;
        }
        end += token_at + token.len();
    }
}

/// Line numbers and ranges (`2 4-6`, `2,4-6`) written at `at` in the info string.
fn ranges(text: &str, at: usize) -> Result<Vec<Lines>, Problem> {
    let mut out = Vec::new();
    let mut offset = 0;
    for part in text.split(|c: char| c == ',' || c.is_whitespace()) {
        let part_at = at + offset;
        offset += part.len() + 1;
        if part.is_empty() {
            continue;
        }
        let bad = |why: &str| Problem {
            at: part_at,
            message: format!("line range `{part}` {why}: write line numbers such as `{{2,4-6}}`"),
        };
        let number = |n: &str| n.parse::<usize>().ok().filter(|&n| n >= 1);
        let (first, last) = match part.split_once('-') {
            Some((a, b)) => (number(a), number(b)),
            None => (number(part), number(part)),
        };
        let (Some(first), Some(last)) = (first, last) else {
            return Err(bad("is not a line number or a range of them (lines count from 1)"));
        };
        if first > last {
            return Err(bad("runs backwards"));
        }
        out.push(Lines { first, last, at: part_at });
    }
    Ok(out)
}

/// Every problem in the info strings of the fenced code blocks among `events`, each with its byte
/// offset in `body` (the text the events were parsed from): an option that cannot be read, or a
/// highlighted line past the end of its block.
pub(super) fn check(body: &str, events: &[Item<'_>]) -> Vec<(usize, String)> {
    let mut problems = Vec::new();
    let mut open: Option<(&str, usize, usize)> = None;
    for (event, range) in events {
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                open = Some((info.as_ref(), range.start, 0));
            }
            Event::Text(text) => {
                if let Some((_, _, lines)) = &mut open {
                    *lines += text.matches('\n').count();
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                let Some((info, start, lines)) = open.take() else { continue };
                let checked = parse(info).and_then(|fence| fence.check_lines(lines));
                if let Err(problem) = checked {
                    problems.push((place(body, start, info, problem.at), problem.message));
                }
            }
            _ => {}
        }
    }
    problems
}

/// Where byte `at` of `info` is written in `body`, for a fenced block starting at `start`: the
/// info string follows the fence's backticks or tildes on its first line. An info string with
/// escapes or character references reads differently from what is written; its problems are
/// placed at its start.
fn place(body: &str, start: usize, info: &str, at: usize) -> usize {
    let line_end = body[start..].find('\n').map_or(body.len(), |e| start + e);
    let line = &body[start..line_end];
    let Some(fence_at) = line.find(['`', '~']) else { return start };
    let fence_char = line.as_bytes()[fence_at];
    let after = fence_at + line[fence_at..].bytes().take_while(|&b| b == fence_char).count();
    let written = line[after..].trim_start();
    let info_at = start + line.len() - written.len();
    if written.trim_end() == info { info_at + at } else { info_at }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marked(info: &str) -> Vec<(usize, usize)> {
        parse(info).unwrap().marked.iter().map(|l| (l.first, l.last)).collect()
    }

    #[test]
    fn options_are_read_in_each_spelling() {
        assert_eq!(marked("rust {2,4-6}"), [(2, 2), (4, 6)]);
        assert_eq!(marked("rust{2}"), [(2, 2)]);
        assert_eq!(marked("py hl_lines=\"2 4-6\""), [(2, 2), (4, 6)]);
        assert_eq!(marked("py hl_lines='1' {3}"), [(1, 1), (3, 3)]);
        let fence = parse("rust title=\"src/main.rs\" linenos").unwrap();
        assert_eq!(
            (fence.language, fence.title.as_deref(), fence.first_number),
            ("rust", Some("src/main.rs"), Some(1))
        );
        assert_eq!(parse("py linenums=\"10\"").unwrap().first_number, Some(10));
        assert_eq!(parse("py linenos=3").unwrap().first_number, Some(3));
        // Zola's way: options after commas, ranges unquoted with spaces.
        let zola = parse("rust,linenos,hl_lines=1 3-5 9,linenostart=10").unwrap();
        assert_eq!(
            zola.marked.iter().map(|l| (l.first, l.last)).collect::<Vec<_>>(),
            [(1, 1), (3, 5), (9, 9)]
        );
        assert_eq!(zola.first_number, Some(10));
        assert_eq!(marked("js hl_lines=2 title=\"x\""), [(2, 2)]);
    }

    #[test]
    fn other_tools_words_and_options_are_ignored_as_github_ignores_them() {
        let fence = parse("rust,ignore").unwrap();
        assert_eq!((fence.language, fence.by_line(), fence.title), ("rust", false, None));
        assert_eq!(parse("console some words").unwrap(), Fence { language: "console", ..Fence::default() });
        assert_eq!(parse("").unwrap(), Fence::default());
        // CommonMark's own example of an info string, R Markdown, Pandoc, Starlight, Nextra.
        for info in
            ["ruby startline=3 $%@#$", "{r}", "{.python .numberLines startFrom=\"100\"}", "js ins={4} {5}"]
        {
            let fence = parse(info).unwrap_or_else(|p| panic!("{info}: {p:?}"));
            assert_eq!(fence.title, None, "{info}");
        }
        assert_eq!(marked("js ins={4} {5}"), [(5, 5)]);
        assert_eq!(parse("{r setup, echo=FALSE}").unwrap().language, "r");
        assert_eq!(parse("{.python .numberLines}").unwrap().language, "python");
        assert_eq!(parse("js filename=\"a b.js\" title='x'").unwrap().title.as_deref(), Some("x"));
        assert_eq!(parse("js filename=\"unclosed title=\"x\"").unwrap().title, None);
    }

    #[test]
    fn malformed_options_are_placed() {
        let problem = |info: &str| parse(info).unwrap_err();
        assert_eq!(problem("rust {2,x}").at, 8);
        assert!(problem("rust {2,x}").message.starts_with("line range `x` is not a line number"));
        assert!(problem("rust {6-4}").message.contains("runs backwards"));
        assert!(problem("rust {0}").message.contains("lines count from 1"));
        assert_eq!(problem("rust {2").at, 5);
        assert_eq!(problem("rust title=\"open").at, 11);
        assert_eq!(problem("rust linenos=x").at, 13);
        assert_eq!(problem("rust { 2, x}").at, 10);
        assert_eq!(problem("a title=x title=y").at, 10);
    }

    #[test]
    fn problems_are_placed_in_the_body() {
        let body = "Text.\n\n> ```rust  {1,9}\n> fn main() {}\n> ```\n";
        let config = crate::config::MarkdownConfig::default();
        let events = super::super::parse(body, &config);
        let problems = check(body, &events);
        assert_eq!(problems.len(), 1, "{problems:?}");
        let (offset, message) = &problems[0];
        assert_eq!(&body[*offset..*offset + 3], "9}\n", "{problems:?}");
        assert_eq!(message, "highlights line 9, but the code block has 1 line");
    }
}
