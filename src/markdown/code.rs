//! Code blocks: fenced code in a known language highlighted at build time into CSS classes
//! ([`crate::highlight`]), every block scrollable with the keyboard. The page's words are counted
//! here too, where every text but code's passes.

use pulldown_cmark::{CodeBlockKind, Event, Tag, TagEnd};

/// `events` with every code block written as HTML, and the number of words of the other texts
/// (each text's words count on their own: `foo*bar*` is two texts, two words).
pub(super) fn highlight_blocks(events: Vec<Event<'_>>, highlight: bool) -> (Vec<Event<'_>>, usize) {
    let mut out = Vec::with_capacity(events.len());
    let mut words = 0;
    let mut open: Option<(CodeBlockKind<'_>, String)> = None;
    for event in events {
        match (&mut open, event) {
            (Some(_), Event::End(TagEnd::CodeBlock)) => {
                let (kind, code) = open.take().expect("a code block is open");
                out.push(Event::Html(block(&kind, &code, highlight).into()));
            }
            (Some((_, code)), Event::Text(text)) => code.push_str(&text),
            (Some(_), _) => {}
            (None, Event::Start(Tag::CodeBlock(kind))) => open = Some((kind, String::new())),
            (None, event) => {
                if let Event::Text(text) = &event {
                    words += text.split_whitespace().count();
                }
                out.push(event);
            }
        }
    }
    (out, words)
}

/// The HTML of a code block: `<pre>` with the language as `data-lang`, `<code>` with its
/// `language-` class, the code highlighted when `highlight` is on and the language known.
fn block(kind: &CodeBlockKind<'_>, code: &str, highlight: bool) -> String {
    let language = match kind {
        CodeBlockKind::Fenced(info) => {
            info.split(|c: char| c.is_whitespace() || c == ',' || c == '{').next().unwrap_or("")
        }
        CodeBlockKind::Indented => "",
    };
    let shown = crate::html::escape(language);
    let (data, class) = match language.is_empty() {
        true => (String::new(), String::new()),
        false => (format!(" data-lang=\"{shown}\""), format!(" class=\"language-{shown}\"")),
    };
    let highlighted =
        (highlight && !language.is_empty()).then(|| crate::highlight::highlight(code, language));
    // tabindex makes a horizontally scrolling block reachable with the keyboard.
    format!(
        "<pre class=\"code\" tabindex=\"0\"{data}><code{class}>{}</code></pre>\n",
        highlighted.flatten().unwrap_or_else(|| crate::html::escape(code))
    )
}
