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
pub struct Position {
    /// Line, counted from 1.
    pub line: usize,
    /// Column in characters, counted from 1.
    pub column: usize,
}

impl Position {
    /// A position from 1-based line and column.
    pub fn new(line: usize, column: usize) -> Position {
        Position { line, column }
    }

    /// The position of byte `offset` in `text`. Offsets past the end map to the end.
    pub fn of_offset(text: &str, offset: usize) -> Position {
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

/// An error with the file and position it is about. Boxed so that `Result`s stay small.
#[derive(Debug)]
pub struct Error(Box<Inner>);

/// The fields of an [`Error`]; read them through its methods.
#[derive(Debug)]
pub struct Inner {
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
    pub fn site(message: impl Into<String>) -> Error {
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
    pub fn environment(message: impl Into<String>) -> Error {
        let mut e = Error::site(message);
        e.0.kind = Kind::Environment;
        e
    }

    /// The build stopped because it was asked to (exit code 130).
    pub fn interrupted() -> Error {
        let mut e = Error::site("interrupted: the build was asked to stop");
        e.0.kind = Kind::Interrupted;
        e
    }

    /// A site error about `path`.
    pub fn at(path: impl AsRef<Path>, message: impl Into<String>) -> Error {
        Error::site(message).in_file(path)
    }

    /// A site error about `path` at `position`.
    pub fn at_position(path: impl AsRef<Path>, position: Position, message: impl Into<String>) -> Error {
        Error::at(path, message).with_position(position)
    }

    /// Sets the file the error is about.
    pub fn in_file(mut self, path: impl AsRef<Path>) -> Error {
        self.path = Some(path.as_ref().to_path_buf());
        self
    }

    /// Sets the position in the file.
    pub fn with_position(mut self, position: Position) -> Error {
        self.position = Some(position);
        self
    }

    /// Notes the page being rendered when a template failed.
    pub fn while_rendering(mut self, page: impl AsRef<Path>) -> Error {
        self.rendering = vec![page.as_ref().to_path_buf()];
        self
    }

    /// Attaches the underlying cause.
    pub fn caused_by(mut self, cause: impl std::error::Error + Send + Sync + 'static) -> Error {
        self.source = Some(Box::new(cause));
        self
    }

    /// Gathers several errors into one, sorted by file and position so output is stable; errors
    /// that gathered several are taken apart. A single error is returned as it is.
    pub fn many(errors: Vec<Error>) -> Error {
        let errors = errors
            .into_iter()
            .flat_map(|mut e| match e.others.is_empty() {
                true => vec![e],
                false => std::mem::take(&mut e.others),
            })
            .collect();
        let mut errors = merge_rendering(errors);
        if errors.len() == 1 {
            return errors.pop().expect("one error");
        }
        let kind = [Kind::Interrupted, Kind::Environment]
            .into_iter()
            .find(|k| errors.iter().any(|e| e.kind == *k))
            .unwrap_or(Kind::Site);
        let mut e = Error::site(format!("{} errors", errors.len()));
        e.0.kind = kind;
        e.0.others = errors;
        e
    }

    /// The kind, which decides the exit code.
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// The file the error is about, if any.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The position in that file, if known.
    pub fn position(&self) -> Option<Position> {
        self.position
    }

    /// The message without location.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The individual errors when several were gathered; empty otherwise.
    pub fn errors(&self) -> &[Error] {
        &self.others
    }

    fn write_one(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(path) = &self.path {
            write!(f, "{}", path.display())?;
            if let Some(p) = self.position {
                write!(f, ":{}:{}", p.line, p.column)?;
            }
            write!(f, ": ")?;
        }
        write!(f, "{}", self.message)?;
        match self.rendering.as_slice() {
            [] => {}
            [one] => write!(f, " (while rendering `{}`)", one.display())?,
            [first, rest @ ..] => write!(
                f,
                " (while rendering `{}` and {} other page{})",
                first.display(),
                rest.len(),
                if rest.len() == 1 { "" } else { "s" }
            )?,
        }
        let mut cause = self.source.as_deref().map(|s| s as &dyn std::error::Error);
        while let Some(c) = cause {
            write!(f, ": {c}")?;
            cause = c.source();
        }
        Ok(())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.others.is_empty() {
            return self.write_one(f);
        }
        for (i, e) in self.others.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            e.write_one(f)?;
        }
        Ok(())
    }
}

impl std::ops::Deref for Error {
    type Target = Inner;

    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl std::ops::DerefMut for Error {
    fn deref_mut(&mut self) -> &mut Inner {
        &mut self.0
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
        (&a.path, a.position, &a.message, &a.rendering).cmp(&(&b.path, b.position, &b.message, &b.rendering))
    });
    let mut merged: Vec<Error> = Vec::with_capacity(errors.len());
    for mut e in errors {
        if let Some(last) = merged.last_mut()
            && !e.rendering.is_empty()
            && !last.rendering.is_empty()
            && (&last.path, last.position, &last.message) == (&e.path, e.position, &e.message)
        {
            last.rendering.append(&mut e.rendering);
            continue;
        }
        // The same error reached from several pages at once (a size limit) is said once.
        if let Some(last) = merged.last()
            && e.rendering.is_empty()
            && last.rendering.is_empty()
            && (&last.path, last.position, &last.message) == (&e.path, e.position, &e.message)
        {
            continue;
        }
        merged.push(e);
    }
    merged
}

/// Collects the errors of a parallel stage: `Ok` values in order, or every error gathered.
pub(crate) fn collect<T>(results: Vec<Result<T>>) -> Result<Vec<T>> {
    if results.iter().all(Result::is_ok) {
        // Collected in place: where a `T` and its `Result` have one size (most do), the values
        // stay in the vector's memory instead of being copied to a new one.
        return Ok(results.into_iter().filter_map(Result::ok).collect());
    }
    let mut values = Vec::with_capacity(results.len());
    let mut errors = Vec::new();
    for r in results {
        match r {
            Ok(v) => values.push(v),
            Err(e) if e.others.is_empty() => errors.push(e),
            Err(mut e) => errors.append(&mut e.others),
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
    fn many_errors_are_sorted_and_printed_one_per_line() {
        let e = Error::many(vec![
            Error::at_position("b.md", Position::new(1, 1), "second"),
            Error::at_position("a.md", Position::new(3, 2), "first"),
        ]);
        assert_eq!(e.to_string(), "a.md:3:2: first\nb.md:1:1: second");
    }
}
