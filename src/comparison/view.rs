//! The content of the pages a dataset asks for ([`super::pages`]): what `page.content` holds on
//! a pair, subject or dimension page, and the `page.comparison` value their templates read.
//!
//! - A pair page shows the two subjects side by side, the rows where they differ first, then
//!   those where they agree, each with the dimension's summary and the values' notes and sources.
//! - A subject page shows the subject on every dimension, the pair pages it is in, and the other
//!   datasets that compare a subject with the same id.
//! - A dimension page lists every subject by its value: ranked, best first, when the values are
//!   numbers or ratings; grouped by value otherwise.

use std::fmt::Write as _;

use super::{Comparison, Dimension, text};
use crate::html::escape;
use crate::markdown::{Heading, Rendered};
use crate::page::PageId;
use crate::page::{Generated, Kind};
use crate::site::Site;
use crate::table::{Links, Selection};
use crate::urls;

/// The content of generated page `id`, as a page's rendered Markdown would be.
pub(crate) fn render(site: &Site, id: PageId) -> Rendered {
    let page = site.page(id);
    let generated = page.generated.as_ref().expect("a generated page");
    let c = &site.data.comparisons[&generated.dataset];
    let links = Links { site, depth: urls::depth(&page.path), current: Some(page.path.clone()) };
    let mut headings = Vec::new();
    let html = match generated.kind {
        Kind::Pair(a, b) => pair(c, a, b, &links, &mut headings),
        Kind::Subject(s) => subject(c, s, &links, &mut headings),
        Kind::Dimension(d) => dimension(c, d, &links, &mut headings),
    };
    let mut rendered = Rendered::default();
    for found in crate::html::scan(&html, &site.config.base_url, false).ids {
        rendered.ids.insert(found.to_string());
    }
    rendered.words = words(&html);
    rendered.headings = headings;
    rendered.html = html;
    rendered
}

/// `page.comparison` on a generated page: the dataset's `id`, `title`, `description` and
/// `license`, what the page shows (`kind`, and the ids `shown`: two subjects, one subject or one
/// dimension), when its facts were checked, and links to the downloads. It is kept small, as every
/// generated page has it; `comparison(dataset=page.comparison.id)` gives a template the whole
/// dataset.
pub(crate) fn template_value(site: &Site, id: PageId) -> Option<serde_json::Value> {
    let page = site.page(id);
    let Generated { dataset, kind, .. } = page.generated.as_deref()?;
    let c = site.data.comparisons.get(dataset)?;
    let links = Links { site, depth: urls::depth(&page.path), current: Some(page.path.clone()) };
    let shown = match *kind {
        Kind::Pair(a, b) => vec![c.subjects[a].id.as_str(), c.subjects[b].id.as_str()],
        Kind::Subject(s) => vec![c.subjects[s].id.as_str()],
        Kind::Dimension(d) => vec![c.dimensions[d].id.as_str()],
    };
    Some(serde_json::json!({
        "id": c.id, "title": c.title, "description": c.description, "license": c.license,
        "kind": kind.name(), "shown": shown,
        "checked": super::pages::checked(c, *kind).map(|d| d.ymd()),
        "downloads": {
            "json": links.to(&c.download_path("json")),
            "csv": links.to(&c.download_path("csv")),
            "datapackage": links.to(super::DATAPACKAGE),
        },
    }))
}

fn heading(html: &mut String, headings: &mut Vec<Heading>, id: &str, title: &str) {
    let _ = writeln!(html, "<h2 id=\"{id}\">{}</h2>", escape(title));
    headings.push(Heading { level: 2, id: id.into(), title: title.into(), text: String::new() });
}

fn pair(c: &Comparison, a: usize, b: usize, links: &Links<'_>, headings: &mut Vec<Heading>) -> String {
    let (sa, sb) = (&c.subjects[a], &c.subjects[b]);
    let (differ, agree): (Vec<&Dimension>, Vec<&Dimension>) =
        c.dimensions.iter().partition(|d| text(d, &d.values[a]) != text(d, &d.values[b]));
    let ids = |dimensions: &[&Dimension]| dimensions.iter().map(|d| d.id.clone()).collect::<Vec<_>>();
    let mut html = String::new();
    let names: Vec<&str> = differ.iter().map(|d| d.label.as_str()).collect();
    let summary = match names.as_slice() {
        [] => format!("{} and {} agree on all {} aspects.", sa.name, sb.name, c.dimensions.len()),
        [one] => format!("They differ on one aspect of {}: {one}.", c.dimensions.len()),
        [rest @ .., last] => format!(
            "They differ on {} aspects of {}: {} and {last}.",
            names.len(),
            c.dimensions.len(),
            rest.join(", ")
        ),
    };
    let _ = writeln!(html, "<p>{}</p>", escape(&summary));
    heading(&mut html, headings, "side-by-side", "Side by side");
    let selection = Selection {
        subjects: Some(vec![sa.id.clone(), sb.id.clone()]),
        sections: Some(vec![
            ("Where they differ".into(), ids(&differ)),
            ("Where they agree".into(), ids(&agree)),
        ]),
        caption: Some(format!("{} and {}, aspect by aspect", sa.name, sb.name)),
        dataset_name: Some(format!("{} vs {}", sa.name, sb.name)),
        hide_controls: true,
        hide_reuse: true,
        ..Selection::default()
    };
    html.push_str(&crate::table::render(c, &selection, links));
    let mut more: Vec<(String, String)> = Vec::new();
    for s in [a, b] {
        if let Some(link) = c.pages.subject_path(c, s) {
            more.push((links.to(&link), format!("Everything about {}", c.subjects[s].name)));
        }
    }
    see_also(&mut html, headings, c, links, more);
    html
}

fn subject(c: &Comparison, s: usize, links: &Links<'_>, headings: &mut Vec<Heading>) -> String {
    let subject = &c.subjects[s];
    // The subject's description is in the page's own description, which templates show.
    let mut html = String::new();
    heading(&mut html, headings, "every-aspect", "Every aspect");
    let selection = Selection {
        subjects: Some(vec![subject.id.clone()]),
        caption: Some(format!("{}, aspect by aspect", subject.name)),
        dataset_name: Some(subject.name.clone()),
        hide_controls: true,
        hide_reuse: true,
        ..Selection::default()
    };
    html.push_str(&crate::table::render(c, &selection, links));
    let mut more = Vec::new();
    for &(x, y) in &c.pages.pairs {
        if x == s || y == s {
            let other = &c.subjects[if x == s { y } else { x }];
            let path = c.pages.pair_path(c, x, y).expect("a listed pair");
            more.push((links.to(&path), format!("{} compared with {}", subject.name, other.name)));
        }
    }
    for other in links.site.data.comparisons.values().filter(|o| o.id != c.id) {
        let Some(i) = other.subject_index(&subject.id) else { continue };
        let page =
            other.page.as_ref().and_then(|p| links.site.by_source.get(p.value.trim_start_matches('/')));
        let target = match (other.pages.subject_path(other, i), page) {
            (Some(path), _) => Some(path),
            (None, Some(&id)) => Some(links.site.page(id).path.clone()),
            (None, None) => None,
        };
        if let Some(target) = target {
            more.push((links.to(&target), format!("{} in “{}”", other.subjects[i].name, other.title)));
        }
    }
    see_also(&mut html, headings, c, links, more);
    html
}

/// "See also": the links given, and the page presenting the whole dataset.
fn see_also(
    html: &mut String,
    headings: &mut Vec<Heading>,
    c: &Comparison,
    links: &Links<'_>,
    mut more: Vec<(String, String)>,
) {
    if let Some(&id) = c.page.as_ref().and_then(|p| links.site.by_source.get(p.value.trim_start_matches('/')))
    {
        more.push((links.to(&links.site.page(id).path), format!("The whole comparison: {}", c.title)));
    }
    if more.is_empty() {
        return;
    }
    heading(html, headings, "see-also", "See also");
    html.push_str("<ul class=\"comparison-see-also\">\n");
    for (link, title) in more {
        let _ = writeln!(html, "<li><a href=\"{}\">{}</a></li>", escape(&link), escape(&title));
    }
    html.push_str("</ul>\n");
}

/// The subjects in the order a dimension page lists them, with their rank when `better` says
/// which way is better (subjects of equal value share a rank).
fn ranking(d: &Dimension) -> Vec<(usize, Option<usize>)> {
    let mut order: Vec<usize> = (0..d.values.len()).collect();
    if d.kind.is_ordered() {
        let descending = match d.better {
            Some(super::Better::Higher) => true,
            Some(super::Better::Lower) => false,
            None => matches!(d.kind, super::Kind::Rating(_)),
        };
        order.sort_by(|&x, &y| {
            let (x, y) = (d.values[x].number(), d.values[y].number());
            match (x, y) {
                (Some(x), Some(y)) if descending => y.total_cmp(&x),
                (Some(x), Some(y)) => x.total_cmp(&y),
                // Values that do not apply come last.
                (x, y) => x.is_none().cmp(&y.is_none()),
            }
        });
    } else {
        // Equal values together, in the order each first appears.
        let texts: Vec<String> = d.values.iter().map(|v| text(d, v)).collect();
        order.sort_by_key(|&i| texts.iter().position(|t| *t == texts[i]));
    }
    let mut ranked = Vec::with_capacity(order.len());
    for (place, &s) in order.iter().enumerate() {
        let rank = match (d.better, d.values[s].number()) {
            (Some(_), Some(n)) => {
                let previous = place.checked_sub(1).map(|p| order[p]);
                match previous.and_then(|p| ranked.last().map(|&(_, r)| (p, r))) {
                    Some((p, Some(r))) if d.values[p].number() == Some(n) => Some(r),
                    _ => Some(place + 1),
                }
            }
            _ => None,
        };
        ranked.push((s, rank));
    }
    ranked
}

fn dimension(c: &Comparison, index: usize, links: &Links<'_>, headings: &mut Vec<Heading>) -> String {
    let d = &c.dimensions[index];
    // The summary is in the page's own description, which templates show.
    let mut html = String::new();
    let (title, how) = match (d.kind.is_ordered(), d.better) {
        (true, Some(better)) => ("Ranked", format!("best first ({} is better)", better.name())),
        (true, None) => ("In order", "from lowest to highest".to_string()),
        (false, _) => ("By value", "subjects with the same value together".to_string()),
    };
    heading(&mut html, headings, "by-value", title);
    let ranked = ranking(d);
    let ranks = d.better.is_some();
    // Sources are numbered in the order the rows cite them.
    let mut cited: Vec<usize> = Vec::new();
    for &(s, _) in &ranked {
        for &source in &d.values[s].sources {
            if !cited.contains(&source) {
                cited.push(source);
            }
        }
    }
    let ids = format!("{}-", urls::slugify(&c.id));
    let _ = writeln!(
        html,
        "<div class=\"comparison\">\n<div class=\"table-scroll\" role=\"region\" aria-label=\"{label}\" tabindex=\"0\">\n\
         <table class=\"comparison-table comparison-ranking\" data-sortable>\n<caption>{label}: {}</caption>\n\
         <thead>\n<tr>{}<th scope=\"col\">Subject</th><th scope=\"col\">{label}</th></tr>\n</thead>\n<tbody>",
        escape(&how),
        if ranks { "<th scope=\"col\">Rank</th>" } else { "" },
        label = escape(&d.label)
    );
    for (s, rank) in ranked {
        let subject = &c.subjects[s];
        let cell = &d.values[s];
        html.push_str("<tr>");
        if ranks {
            match rank {
                Some(rank) => {
                    let _ = write!(html, "<td data-sort=\"{rank}\">{rank}</td>");
                }
                None => html.push_str("<td></td>"),
            }
        }
        let name = escape(&subject.name);
        match c.pages.subject_path(c, s) {
            Some(path) => {
                let _ = write!(
                    html,
                    "<th scope=\"row\"><a href=\"{}\">{name}</a></th>",
                    escape(&links.to(&path))
                );
            }
            None => {
                let _ = write!(html, "<th scope=\"row\">{name}</th>");
            }
        }
        let _ = write!(html, "<td id=\"{}\"", escape(&d.cell_id(subject)));
        if let Some(n) = cell.number() {
            let _ = write!(html, " data-sort=\"{n}\"");
        }
        let _ = write!(html, "><span class=\"comparison-value\">{}</span>", escape(&text(d, cell)));
        if let Some(note) = &cell.note {
            let _ = write!(html, " <span class=\"comparison-note\">{}</span>", escape(note));
        }
        let number = |source: &usize| cited.iter().position(|x| x == source).map_or(0, |i| i + 1);
        crate::table::cite_html(&mut html, &ids, cell.sources.iter().map(number));
        html.push_str("</td></tr>\n");
    }
    html.push_str("</tbody>\n</table>\n</div>\n");
    crate::table::checked_html(&mut html, c.checked(&d.values));
    crate::table::sources_html(&mut html, c, &ids, &cited);
    html.push_str("</div>\n");
    see_also(&mut html, headings, c, links, Vec::new());
    html
}

/// The number of words of `html`'s text, for the reading time.
fn words(html: &str) -> usize {
    let mut words = 0;
    let mut in_tag = false;
    let mut in_word = false;
    for ch in html.chars() {
        match ch {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                in_word = false;
            }
            _ if in_tag => {}
            c if c.is_whitespace() => in_word = false,
            _ => {
                if !in_word {
                    words += 1;
                }
                in_word = true;
            }
        }
    }
    words
}
