//! GitHub's alerts (`> [!NOTE]`) as callouts with a title, and task-list markers as disabled
//! checkboxes with a label.

use pulldown_cmark::{BlockQuoteKind, Event, Tag, TagEnd};

/// `event` as HTML when it opens or closes an alert or is a task-list marker; applied to each
/// event as the page is written.
pub(super) fn rewrite(event: Event<'_>) -> Event<'_> {
    match event {
        Event::Start(Tag::BlockQuote(Some(kind))) => {
            let (class, label) = alert(kind);
            Event::Html(
                format!(
                    "<div class=\"callout callout-{class}\" role=\"note\">\n<p class=\"callout-title\">{label}</p>\n"
                )
                .into(),
            )
        }
        Event::End(TagEnd::BlockQuote(Some(_))) => Event::Html("</div>\n".into()),
        Event::TaskListMarker(done) => {
            let (checked, label) = if done { (" checked", "Done") } else { ("", "Not done") };
            Event::InlineHtml(
                format!("<input type=\"checkbox\" disabled{checked} aria-label=\"{label}\"> ").into(),
            )
        }
        other => other,
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
