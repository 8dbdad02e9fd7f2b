//! Tera's errors as juxta's: each names the template (or the Markdown file, for a template tag
//! in a page) and its line and column, and the page being rendered.

use std::path::Path;

use tera::Tera;

use super::shown;
use crate::error::{Error, Position};
use crate::source::TEMPLATES_DIR;

// ---------------------------------------------------------------------------------------------
// Errors

/// A Markdown body going through Tera, for placing its errors.
pub(crate) struct InBody<'a> {
    /// The page's source file, as shown in errors.
    pub(crate) page: &'a Path,
    pub(crate) body: &'a str,
    /// The line of the file the body starts on.
    pub(crate) body_line: usize,
    pub(crate) prepared: &'a crate::body_tags::Prepared,
}

impl InBody<'_> {
    /// Where Tera's `position` in the text it read is in the page's file, and the tag opening
    /// there (`{{` or `{%`).
    fn place(&self, position: Position) -> (Position, &'static str) {
        let offset = self.prepared.body_offset(position);
        let p = Position::of_offset(self.body, offset);
        let mut end = (offset + 2).min(self.body.len());
        while !self.body.is_char_boundary(end) {
            end -= 1;
        }
        let before = &self.body[..end];
        let opener = match (before.rfind("{{"), before.rfind("{%")) {
            (Some(variable), Some(block)) if block > variable => "{%",
            (None, Some(_)) => "{%",
            _ => "{{",
        };
        (Position::new(p.line + self.body_line - 1, p.column), opener)
    }
}

/// The functions every template and body can call, for "did you mean" hints: juxta's and Tera's,
/// separated by spaces.
const FUNCTIONS: &str = "comparison comparison_table comparison_value get_page get_section range throw url";

/// The filters, likewise: Tera's and juxta's `json_ld`.
const FILTERS: &str = "abs capitalize default escape escape_html escape_xml first float get group_by indent int \
     join json_ld keys last length lower newlines_to_br nth pairs pluralize replace reverse \
     round safe sort split str title trim trim_end trim_start truncate unique upper values \
     wordcount";

/// The tests (`is …`), likewise: Tera's.
const TESTS: &str = "array bool containing defined divisible_by ending_with even float integer iterable map \
     none number odd starting_with string undefined";

/// Converts a Tera error. `rendering` is the page being rendered; `body` is set when the error
/// comes from a Markdown body. Tera reports every unknown function, filter or component of a
/// template at once: each becomes an error of its own.
pub(crate) fn tera_error(
    tera: &Tera,
    e: &tera::Error,
    rendering: Option<&Path>,
    body: Option<&InBody<'_>>,
) -> Error {
    let reports: Vec<(String, Position, String)> = match e.kind() {
        tera::ErrorKind::SyntaxError(report) | tera::ErrorKind::RenderingError(report) => {
            let span = report.span();
            let position = Position::new(span.start_line, span.start_col + 1);
            vec![(report.filename().to_string(), position, report.message().trim().to_string())]
        }
        // Tera gathers the unknown names of a template into one message of reports, whose text
        // is all it gives of them.
        tera::ErrorKind::Msg(text) if text.starts_with("error: ") => {
            text.split("\n\nerror: ").filter_map(parse_report).collect()
        }
        _ => Vec::new(),
    };
    if reports.is_empty() {
        return unplaced(e, rendering, body);
    }
    let syntax = matches!(e.kind(), tera::ErrorKind::SyntaxError(_));
    let errors = reports.into_iter().map(|(file, position, message)| {
        let near = suggestion(tera, &message);
        let error = match body {
            Some(body) if file == "__tera_one_off" => {
                return body_error(body, position, message, &near, syntax);
            }
            _ => Error::at_position(shown(&file), position, message + &near),
        };
        match rendering {
            Some(page) => error.while_rendering(page),
            None => error,
        }
    });
    Error::many(errors.collect())
}

/// An error of a template tag in a Markdown body, at its place in the page's file. Where the tag
/// may be text the author did not mean as a template (a syntax error, a name not defined, an
/// unknown name with no near miss), the message says how to write it as text.
fn body_error(body: &InBody<'_>, position: Position, message: String, near: &str, syntax: bool) -> Error {
    let (position, opener) = body.place(position);
    let unknown_name = ["function", "filter", "test", "component"]
        .iter()
        .any(|what| message.starts_with(&format!("Unknown {what} `")));
    let mistaken = syntax
        || (message.starts_with("Variable `") && message.contains("is not defined"))
        || (unknown_name && near.is_empty());
    let hint = match mistaken {
        true => format!(" (to show `{opener}` as text, write `\\{opener}` or put it in code)"),
        false => String::new(),
    };
    Error::at_position(body.page, position, message + near + &hint)
}

/// An error Tera gives no position for: at the template it names, if any.
fn unplaced(e: &tera::Error, rendering: Option<&Path>, body: Option<&InBody<'_>>) -> Error {
    let mut text = e.to_string();
    let mut cause = std::error::Error::source(e);
    while let Some(c) = cause {
        text.push_str(&format!(": {c}"));
        cause = c.source();
    }
    let text = text.trim().to_string();
    let error = match (e.kind(), body) {
        (tera::ErrorKind::CircularExtend { tpl, .. } | tera::ErrorKind::CircularInclude { tpl, .. }, _) => {
            Error::at(shown(tpl), text)
        }
        (tera::ErrorKind::MissingParent { current, .. }, _) => Error::at(shown(current), text),
        (_, Some(body)) => return Error::at(body.page, text),
        (_, None) => Error::at(TEMPLATES_DIR, text),
    };
    match rendering {
        Some(page) => error.while_rendering(page),
        None => error,
    }
}

/// A loop of `{% include %}`s, `chain` running from a template back to itself: the error is at
/// the include that closes it, in the template `sources` hold.
pub(crate) fn circular_include(sources: &[(String, String)], chain: &[String]) -> Error {
    let [.., from, to] = chain else { return Error::at(TEMPLATES_DIR, "a loop of includes") };
    let message = format!(
        "`{{% include \"{to}\" %}}` makes a loop of includes ({}): a template cannot include itself, \
         even through others",
        chain.join(" → ")
    );
    let source = sources.iter().find(|(name, _)| name == from).map_or("", |(_, source)| source.as_str());
    match include_position(source, to) {
        Some(position) => Error::at_position(shown(from), position, message),
        None => Error::at(shown(from), message),
    }
}

/// Where `source` writes `{% include "name" %}` (or with `'`, or `{%-`).
fn include_position(source: &str, name: &str) -> Option<Position> {
    let quoted = [format!("\"{name}\""), format!("'{name}'")];
    source.match_indices("{%").map(|(at, _)| at).find_map(|at| {
        let rest = source[at + 2..].trim_start_matches('-').trim_start().strip_prefix("include")?;
        let rest = rest.trim_start();
        quoted.iter().any(|q| rest.starts_with(q.as_str())).then(|| Position::of_offset(source, at))
    })
}

/// `" (did you mean `x`?)"` for a message about an unknown function or component with a close
/// name, or `""`.
fn suggestion(tera: &Tera, message: &str) -> String {
    let name = |prefix: &str| message.strip_prefix(prefix)?.strip_suffix('`');
    for (prefix, names) in
        [("Unknown function `", FUNCTIONS), ("Unknown filter `", FILTERS), ("Unknown test `", TESTS)]
    {
        if let Some(unknown) = name(prefix) {
            return crate::suggest::closest(unknown, names.split_whitespace());
        }
    }
    if let Some(component) = name("Unknown component `") {
        return crate::suggest::closest(component, tera.get_component_names());
    }
    String::new()
}

/// Reads one report of Tera's text: `error: <message>` then ` --> <file>:<line>:<col>`.
fn parse_report(text: &str) -> Option<(String, Position, String)> {
    let mut lines = text.lines();
    let first = lines.next()?;
    let message = first.strip_prefix("error: ").unwrap_or(first).trim().to_string();
    let locus = lines.find_map(|l| l.trim_start().strip_prefix("--> "))?;
    let mut parts = locus.rsplitn(3, ':');
    let column = parts.next()?.trim().parse().ok()?;
    let line = parts.next()?.trim().parse().ok()?;
    let file = parts.next()?.to_string();
    Some((file, Position::new(line, column), message))
}

/// The template's source path shown in errors.
#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use tera::Context;

    use super::super::register_functions;
    use super::*;

    #[test]
    fn the_names_suggested_are_those_tera_knows() {
        let mut tera = Tera::new();
        register_functions(&mut tera, &Arc::new(crate::fuzzing::site_for_tests()), None);
        let unknown = |source: &str| {
            let error = tera.render_str(source, &Context::new(), true).err()?;
            Some(error.to_string())
        };
        for name in FUNCTIONS.split_whitespace() {
            let error = unknown(&format!("{{{{ {name}() }}}}")).unwrap_or_default();
            assert!(!error.contains("Unknown function"), "{name}: {error}");
        }
        for name in FILTERS.split_whitespace() {
            let error = unknown(&format!("{{{{ 1 | {name} }}}}")).unwrap_or_default();
            assert!(!error.contains("Unknown filter"), "{name}: {error}");
        }
        for name in TESTS.split_whitespace() {
            let error = unknown(&format!("{{{{ 1 is {name} }}}}")).unwrap_or_default();
            assert!(!error.contains("Unknown test"), "{name}: {error}");
        }
        assert!(unknown("{{ 1 | lenght }}").unwrap().contains("Unknown filter `lenght`"));
        assert_eq!(suggestion(&tera, "Unknown filter `lenght`"), " (did you mean `length`?)");
    }

    #[test]
    fn reports_are_parsed_into_file_and_position() {
        let text = "error: Variable `x` not found\n  --> page.html:3:7\n   |\n 3 | {{ x }}\n   |    ^";
        let (file, position, message) = parse_report(text).unwrap();
        assert_eq!(file, "page.html");
        assert_eq!(position, Position::new(3, 7));
        assert_eq!(message, "Variable `x` not found");
    }
}
