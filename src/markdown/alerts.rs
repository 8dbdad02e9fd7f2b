//! GitHub's alerts (`> [!NOTE]`) as callouts with a title, and task-list markers as disabled
//! checkboxes with a label.

use pulldown_cmark::{BlockQuoteKind, Event, Tag, TagEnd};

use super::Item;

/// Writes the alerts and task-list markers of `events` as HTML.
pub(super) fn rewrite(events: &mut [Item<'_>]) {
    for (event, _) in events {
        *event = match event {
            Event::Start(Tag::BlockQuote(Some(kind))) => {
                let (class, label) = alert(*kind);
                Event::Html(
                    format!(
                        "<div class=\"callout callout-{class}\" role=\"note\">\n<p class=\"callout-title\">{label}</p>\n"
                    )
                    .into(),
                )
            }
            Event::End(TagEnd::BlockQuote(Some(_))) => Event::Html("</div>\n".into()),
            Event::TaskListMarker(done) => {
                let (checked, label) = if *done { (" checked", "Done") } else { ("", "Not done") };
                Event::InlineHtml(
                    format!("<input type=\"checkbox\" disabled{checked} aria-label=\"{label}\"> ").into(),
                )
            }
            _ => continue,
        };
    }
}

/// An alert's class and title.
fn alert(kind: BlockQuoteKind) -> (&'static str, &'static str) {
    match kind {
        BlockQuoteKind::Note => ("note", "Note"),
        BlockQuoteKind::Tip => ("tip", "Tip"),
        BlockQuoteKind::Important => ("important", "Important"),
        BlockQuoteKind::Warning => ("warning", "Warning"),
        BlockQuoteKind::Caution => ("caution", "Caution"),
    }
}
