//! `sitemap.xml`, `robots.txt` and the Atom feed `atom.xml`: the only files besides canonical and
//! OpenGraph tags that carry absolute URLs.

use std::fmt::Write as _;

use crate::html::escape;
use crate::page::PageId;
use crate::site::Site;
use crate::source::SourceKind;

/// The number of newest dated pages the feed carries.
const FEED_ENTRIES: usize = 30;

/// `sitemap.xml`: every page, section and the home page, with its last modification date.
pub(crate) fn sitemap(site: &Site) -> String {
    use rayon::prelude::*;
    let mut ids: Vec<PageId> = site.ids().collect();
    ids.sort_by(|&a, &b| site.page(a).path.cmp(&site.page(b).path));
    // A large site's entries are written a block of pages at a time, in parallel.
    let entries: Vec<String> = ids
        .par_chunks(512)
        .map(|chunk| {
            let mut xml = String::with_capacity(chunk.len() * 128);
            for &id in chunk {
                let page = site.page(id);
                let lastmod = site.last_updated(id).or(page.front.date.as_ref()).unwrap_or(&site.build_date);
                xml.push_str("  <url>\n    <loc>");
                crate::html::escape_into(&mut xml, &site.config.base_url);
                crate::html::escape_into(&mut xml, &crate::urls::encode_path(&page.path));
                xml.push_str("</loc>\n    <lastmod>");
                xml.push_str(&lastmod.rfc3339());
                xml.push_str("</lastmod>\n  </url>\n");
            }
            xml
        })
        .collect();
    let mut xml = String::with_capacity(entries.iter().map(String::len).sum::<usize>() + 160);
    xml.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    xml.push_str("<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    xml.extend(entries);
    // The pages juxta adds (tag pages, further pages of listings, the print page) change with
    // the pages they list: they carry the build date.
    for extra in &site.extras {
        xml.push_str("  <url>\n    <loc>");
        crate::html::escape_into(&mut xml, &site.config.base_url);
        crate::html::escape_into(&mut xml, &crate::urls::encode_path(&extra.path));
        xml.push_str("</loc>\n    <lastmod>");
        xml.push_str(&site.build_date.rfc3339());
        xml.push_str("</lastmod>\n  </url>\n");
    }
    xml.push_str("</urlset>\n");
    xml
}

/// `robots.txt`: everything may be crawled; the sitemap's address.
pub(crate) fn robots(site: &Site) -> String {
    format!("User-agent: *\nAllow: /\n\nSitemap: {}sitemap.xml\n", site.config.base_url)
}

/// The pages the feed carries: the newest dated pages, newest first.
pub(crate) fn entries(site: &Site) -> Vec<PageId> {
    let mut entries: Vec<PageId> = site
        .ids()
        .filter(|&id| {
            let page = site.page(id);
            matches!(page.kind, SourceKind::Page | SourceKind::Bundle) && page.front.date.is_some()
        })
        .collect();
    entries.sort_by(|&a, &b| {
        stamp(site, b).cmp(&stamp(site, a)).then_with(|| site.page(a).path.cmp(&site.page(b).path))
    });
    entries.truncate(FEED_ENTRIES);
    entries
}

/// The date a page last changed ([`Site::last_updated`]), else its date.
fn changed(site: &Site, id: PageId) -> Option<&crate::date::Date> {
    site.last_updated(id).or(site.page(id).front.date.as_ref())
}

fn stamp(site: &Site, id: PageId) -> i64 {
    changed(site, id).map_or(0, |d| d.timestamp())
}

/// [`stamp`] as RFC 3339: the epoch for a page without a date.
fn stamp_rfc3339(site: &Site, id: PageId) -> String {
    changed(site, id).map_or_else(|| "1970-01-01T00:00:00Z".into(), |d| d.rfc3339())
}

/// `atom.xml`: the newest dated pages, with their rendered content. Links in the content are
/// page-relative, so each entry sets `xml:base` to the page's address.
pub(crate) fn atom(site: &Site, entries: &[PageId], content: &dyn Fn(PageId) -> Option<String>) -> String {
    let config = &site.config;
    let updated = entries.first().map_or_else(|| site.build_date.rfc3339(), |&id| stamp_rfc3339(site, id));

    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        xml,
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">",
        escape(&config.language)
    );
    let _ = writeln!(xml, "  <title>{}</title>", escape(&config.title));
    if !config.description.is_empty() {
        let _ = writeln!(xml, "  <subtitle>{}</subtitle>", escape(&config.description));
    }
    let _ = writeln!(
        xml,
        "  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}atom.xml\"/>",
        escape(&config.base_url)
    );
    let _ =
        writeln!(xml, "  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>", escape(&config.base_url));
    let _ = writeln!(xml, "  <id>{}</id>", escape(&config.base_url));
    let _ = writeln!(xml, "  <updated>{updated}</updated>");
    if !config.author.is_empty() {
        let _ = writeln!(xml, "  <author><name>{}</name></author>", escape(&config.author));
    }
    let _ = writeln!(xml, "  <generator>juxta</generator>");
    for &id in entries {
        let page = site.page(id);
        let permalink = escape(&site.permalink(id));
        let front = &page.front;
        let _ = writeln!(xml, "  <entry xml:base=\"{permalink}\">");
        let _ = writeln!(xml, "    <title>{}</title>", escape(&front.title));
        let _ = writeln!(xml, "    <link rel=\"alternate\" type=\"text/html\" href=\"{permalink}\"/>");
        let _ = writeln!(xml, "    <id>{permalink}</id>");
        if let Some(date) = &front.date {
            let _ = writeln!(xml, "    <published>{}</published>", date.rfc3339());
        }
        let _ = writeln!(xml, "    <updated>{}</updated>", stamp_rfc3339(site, id));
        if let Some(description) = &front.description {
            let _ = writeln!(xml, "    <summary>{}</summary>", escape(description));
        }
        if let Some(html) = content(id) {
            let _ = writeln!(xml, "    <content type=\"html\">{}</content>", escape(&html));
        }
        let _ = writeln!(xml, "  </entry>");
    }
    xml.push_str("</feed>\n");
    xml
}
