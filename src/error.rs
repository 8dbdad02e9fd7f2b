//! The one error type of juxta: a message, where it happened (file, line, column), and its cause.
//!
//! Errors are displayed as `path:line:col: message`, the form editors and terminals turn into links.
//! A build that finds several independent problems (one per page, say) reports all of them at once,
//! sorted by location, so that an author fixes them in one pass.

use std::fmt;
use std::path::{Path, PathBuf};

/// What kind of failure this is; it decides the process exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The site has an error: content, data, template or link. Exit code 1.
    Site,
    /// Bad usage or a problem with the environment (permissions, disk, output folder). Exit code 2.
    Environment,
    /// The build was asked to stop (a signal) and did. Exit code 130.
    Interrupted,
}

/// A location in a source file, 1-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Position {
    /// Line, counted from 1.
    pub(crate) line: usize,
    /// Column in characters, counted from 1.
    pub(crate) column: usize,
}

impl Position {
    /// A position from 1-based line and column.
    pub(crate) fn new(line: usize, column: usize) -> Position {
        Position { line, column }
    }

    /// The position of byte `offset` in `text`. Offsets past the end map to the end.
    pub(crate) fn of_offset(text: &str, offset: usize) -> Position {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = text[line_start..offset].chars().count() + 1;
        Position { line, column }
    }
}

/// The positions of many offsets in one text, each found without reading the text from its start
/// again: the starts of its lines are listed once, and (where the text is not all ASCII) how many
/// characters come before every 64th byte. [`Position::of_offset`] reads everything before the
/// offset, which made positions of the values of a large data file take time quadratic in its
/// size.
pub(crate) struct Lines<'t> {
    text: &'t str,
    /// The offset of each line's first byte.
    starts: Vec<usize>,
    /// The characters before byte `64 * i`, for each `i`; empty when the text is ASCII.
    characters: Vec<usize>,
}

impl<'t> Lines<'t> {
    /// Bytes between two counts of characters kept.
    const STRIDE: usize = 64;

    pub(crate) fn new(text: &'t str) -> Lines<'t> {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        let mut characters = Vec::new();
        if !text.is_ascii() {
            let mut before = 0;
            for block in text.as_bytes().chunks(Self::STRIDE) {
                characters.push(before);
                before += character_starts(block);
            }
        }
        Lines { text, starts, characters }
    }

    /// The position of byte `offset` (as [`Position::of_offset`] gives it).
    pub(crate) fn position(&self, offset: usize) -> Position {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&start| start <= offset);
        let line_start = self.starts[line - 1];
        let column = match self.characters.is_empty() {
            true => offset - line_start,
            false => self.characters_before(offset) - self.characters_before(line_start),
        };
        Position { line, column: column + 1 }
    }

    fn characters_before(&self, offset: usize) -> usize {
        let block = offset / Self::STRIDE;
        self.characters[block] + character_starts(&self.text.as_bytes()[block * Self::STRIDE..offset])
    }
}

/// The number of characters that start in `bytes` of UTF-8: every byte but continuation bytes.
fn character_starts(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b & 0xC0 != 0x80).count()
}

/// A path as it may be printed: [`printable`], with each byte that is not UTF-8 (a file name
/// from another system) written as `\xNN` rather than lost to a replacement character.
pub(crate) fn printable_path(path: &Path) -> String {
    let mut text = String::new();
    for chunk in path.as_os_str().as_encoded_bytes().utf8_chunks() {
        text.push_str(chunk.valid());
        for byte in chunk.invalid() {
            text.push_str(&format!("\\x{byte:02x}"));
        }
    }
    printable(&text).into_owned()
}

/// `text` as it may be printed on a terminal: control characters (a newline that would start a
/// line of its own, an escape sequence that would recolour or clear the screen) and the invisible
/// marks that reorder text are written as escapes (`\n`, `\u{1b}`). Names of files and values
/// from the site reach error messages, and are printed through this.
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    let hidden = |c: char| {
        c.is_control()
            || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}')
    };
    if !text.chars().any(hidden) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if hidden(c) => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// An error with the file and position it is about. Boxed so that `Result`s stay small.
#[derive(Debug)]
pub struct Error(Box<Inner>);

/// The fields of an [`Error`]; read them through its methods.
#[derive(Debug)]
pub(crate) struct Inner {
    kind: Kind,
    path: Option<PathBuf>,
    position: Option<Position>,
    message: String,
    /// The page being rendered when a template failed; errors that differ only in it are merged.
    rendering: Vec<PathBuf>,
    /// Several errors found together; `message` is then a summary.
    others: Vec<Error>,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

/// Result type of the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A site error (exit code 1) with a message and no location.
    pub(crate) fn site(message: impl Into<String>) -> Error {
        Error(Box::new(Inner {
            kind: Kind::Site,
            path: None,
            position: None,
            message: message.into(),
            rendering: Vec::new(),
            others: Vec::new(),
            source: None,
        }))
    }

    /// An environment or usage error (exit code 2).
    pub(crate) fn environment(message: impl Into<String>) -> Error {
        let mut e = Error::site(message);
        e.0.kind = Kind::Environment;
        e
    }

    /// The build stopped because it was asked to (exit code 130).
    pub(crate) fn interrupted() -> Error {
        let mut e = Error::site("interrupted: the build was asked to stop");
        e.0.kind = Kind::Interrupted;
        e
    }

    /// A site error about `path`.
    pub(crate) fn at(path: impl AsRef<Path>, message: impl Into<String>) -> Error {
        Error::site(message).in_file(path)
    }

    /// A site error about `path` at `position`.
    pub(crate) fn at_position(
        path: impl AsRef<Path>,
        position: Position,
        message: impl Into<String>,
    ) -> Error {
        Error::at(path, message).with_position(position)
    }

    /// Sets the file the error is about.
    pub(crate) fn in_file(mut self, path: impl AsRef<Path>) -> Error {
        self.0.path = Some(path.as_ref().to_path_buf());
        self
    }

    /// Sets the position in the file.
    pub(crate) fn with_position(mut self, position: Position) -> Error {
        self.0.position = Some(position);
        self
    }

    /// Notes the page being rendered when a template failed.
    pub(crate) fn while_rendering(mut self, page: impl AsRef<Path>) -> Error {
        self.0.rendering = vec![page.as_ref().to_path_buf()];
        self
    }

    /// Attaches the underlying cause.
    pub(crate) fn caused_by(mut self, cause: impl std::error::Error + Send + Sync + 'static) -> Error {
        self.0.source = Some(Box::new(cause));
        self
    }

    /// Gathers several errors into one, sorted by file and position so output is stable; errors
    /// that gathered several are taken apart. A single error is returned as it is.
    pub(crate) fn many(errors: Vec<Error>) -> Error {
        let errors = errors
            .into_iter()
            .flat_map(|mut e| match e.0.others.is_empty() {
                true => vec![e],
                false => std::mem::take(&mut e.0.others),
            })
            .collect();
        let mut errors = merge_rendering(errors);
        if errors.len() == 1 {
            return errors.pop().expect("one error");
        }
        let kind = [Kind::Interrupted, Kind::Environment]
            .into_iter()
            .find(|k| errors.iter().any(|e| e.0.kind == *k))
            .unwrap_or(Kind::Site);
        let mut e = Error::site(format!("{} errors", errors.len()));
        e.0.kind = kind;
        e.0.others = errors;
        e
    }

    /// The kind, which decides the exit code.
    pub fn kind(&self) -> Kind {
        self.0.kind
    }

    /// The file the error is about, if any.
    pub(crate) fn path(&self) -> Option<&Path> {
        self.0.path.as_deref()
    }

    /// The position in that file, if known.
    pub(crate) fn position(&self) -> Option<Position> {
        self.0.position
    }

    /// The individual errors when several were gathered; empty otherwise.
    pub fn errors(&self) -> &[Error] {
        &self.0.others
    }

    /// Writes this error on one line. Every part that may hold a name or value from the site is
    /// written through [`printable`], so that no file name can start a line or steer the terminal.
    fn write_one(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = |path: &Path| printable_path(path);
        if let Some(path) = &self.0.path {
            write!(f, "{}", shown(path))?;
            if let Some(p) = self.0.position {
                write!(f, ":{}:{}", p.line, p.column)?;
            }
            write!(f, ": ")?;
        }
        write!(f, "{}", printable(&self.0.message))?;
        match self.0.rendering.as_slice() {
            [] => {}
            [one] => write!(f, " (while rendering `{}`)", shown(one))?,
            [first, rest @ ..] => write!(
                f,
                " (while rendering `{}` and {} other page{})",
                shown(first),
                rest.len(),
                if rest.len() == 1 { "" } else { "s" }
            )?,
        }
        // Many libraries' errors repeat their cause's text in their own (`i/o error: No space
        // left on device` over `No space left on device`): a cause is written only when it adds
        // something.
        let mut cause = self.0.source.as_deref().map(|s| s as &dyn std::error::Error);
        let mut previous = String::new();
        while let Some(c) = cause {
            let text = c.to_string();
            if !previous.ends_with(&text) {
                write!(f, ": {}", printable(&text))?;
            }
            previous = text;
            cause = c.source();
        }
        Ok(())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.others.is_empty() {
            return self.write_one(f);
        }
        for (i, e) in self.0.others.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            e.write_one(f)?;
        }
        Ok(())
    }
}

// The cause chain is part of `Display` (so it is printed once, in order); `source` is left empty
// so that callers walking the chain do not print causes twice.
impl std::error::Error for Error {}

/// Sorts errors by location, merges those that differ only in the page being rendered (one
/// broken template otherwise repeats its error for every page that uses it), and drops exact
/// repeats.
fn merge_rendering(mut errors: Vec<Error>) -> Vec<Error> {
    errors.sort_by(|a, b| {
        (&a.0.path, a.0.position, &a.0.message, &a.0.rendering).cmp(&(
            &b.0.path,
            b.0.position,
            &b.0.message,
            &b.0.rendering,
        ))
    });
    let mut merged: Vec<Error> = Vec::with_capacity(errors.len());
    for mut e in errors {
        if let Some(last) = merged.last_mut()
            && !e.0.rendering.is_empty()
            && !last.0.rendering.is_empty()
            && (&last.0.path, last.0.position, &last.0.message) == (&e.0.path, e.0.position, &e.0.message)
        {
            last.0.rendering.append(&mut e.0.rendering);
            continue;
        }
        // The same error reached from several pages at once (a size limit) is said once.
        if let Some(last) = merged.last()
            && e.0.rendering.is_empty()
            && last.0.rendering.is_empty()
            && (&last.0.path, last.0.position, &last.0.message) == (&e.0.path, e.0.position, &e.0.message)
        {
            continue;
        }
        merged.push(e);
    }
    merged
}

/// Collects the errors of a parallel stage: `Ok` values in order, or every error gathered.
pub(crate) fn collect<T>(results: Vec<Result<T>>) -> Result<Vec<T>> {
    let mut values = Vec::with_capacity(results.len());
    let mut errors = Vec::new();
    for r in results {
        match r {
            Ok(v) => values.push(v),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() { Ok(values) } else { Err(Error::many(errors)) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn position_of_offset_counts_characters_not_bytes() {
        let text = "a\nég=1\n";
        assert_eq!(Position::of_offset(text, 0), Position::new(1, 1));
        assert_eq!(Position::of_offset(text, 2), Position::new(2, 1));
        // "é" is two bytes; the "=" after "ég" is the third character.
        assert_eq!(Position::of_offset(text, 5), Position::new(2, 3));
        assert_eq!(Position::of_offset(text, 100), Position::new(3, 1));
    }

    #[test]
    fn lines_give_the_positions_of_offset_in_any_order() {
        for text in ["a\nég=1\n\nxyz", "plain\nascii\n", "", "€€€€\n".repeat(40).as_str()] {
            let lines = Lines::new(text);
            for offset in (0..=text.len() + 2).rev() {
                assert_eq!(lines.position(offset), Position::of_offset(text, offset), "{text:?} at {offset}");
            }
        }
    }

    #[test]
    fn control_characters_and_reordering_marks_are_printed_as_escapes() {
        assert_eq!(printable("a.md"), "a.md");
        assert_eq!(printable("a\nb\tc\u{1b}[2J\u{202e}d"), "a\\nb\\tc\\u{1b}[2J\\u{202e}d");
        let e = Error::at("content/x\ny.md", "bad `\u{7}`");
        assert_eq!(e.to_string(), "content/x\\ny.md: bad `\\u{7}`");
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStrExt;
            let path = Path::new(std::ffi::OsStr::from_bytes(b"data/caf\xe9\n.json"));
            assert_eq!(printable_path(path), "data/caf\\xe9\\n.json");
        }
    }

    #[test]
    fn a_cause_that_only_repeats_the_text_before_it_is_left_out() {
        #[derive(Debug)]
        struct Wrapper(std::io::Error);
        impl fmt::Display for Wrapper {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "i/o error: {}", self.0)
            }
        }
        impl std::error::Error for Wrapper {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                Some(&self.0)
            }
        }
        let io = std::io::Error::other("disk full");
        let e = Error::environment("cannot write the zip").caused_by(Wrapper(io));
        assert_eq!(e.to_string(), "cannot write the zip: i/o error: disk full");
    }

    #[test]
    fn many_errors_are_sorted_and_printed_one_per_line() {
        let e = Error::many(vec![
            Error::at_position("b.md", Position::new(1, 1), "second"),
            Error::at_position("a.md", Position::new(3, 2), "first"),
        ]);
        assert_eq!(e.to_string(), "a.md:3:2: first\nb.md:1:1: second");
    }
}
