//! The pages juxta adds to a site's own ([`crate::listings`]), rendered once every page is: the
//! further pages of paginated sections, the tag pages and their index, and the print page, which
//! is made of every page's rendered content in navigation order ([`crate::print`]).

use std::collections::HashMap;

use rayon::prelude::*;

use crate::error::Result;
use crate::listings::Extra;
use crate::page::{Page, PageId};
use crate::site::Site;
use crate::templates::{PrintPage, Templates};

/// The pages whose rendered content is kept once they are written: the feed's, and when the site
/// has a print page, every page of it.
pub(crate) fn kept(site: &Site, feed_entries: &[PageId]) -> Vec<PageId> {
    let mut kept = feed_entries.to_vec();
    if site.extras.iter().any(|e| e.extra == Extra::Print) {
        kept.extend(navigation_order(&site.pages, site.home));
    }
    kept
}

/// Every extra page of `site`, rendered, with its file's site path; `content` holds the rendered
/// content of the pages [`kept`].
pub(crate) fn render(
    site: &Site,
    templates: &Templates,
    content: &HashMap<PageId, &str>,
) -> Result<Vec<(String, String)>> {
    let print: Vec<PrintPage> = match site.extras.iter().any(|e| e.extra == Extra::Print) {
        false => Vec::new(),
        true => {
            let order = navigation_order(&site.pages, site.home);
            let levels: HashMap<PageId, usize> = order.iter().map(|&id| (id, level(site, id))).collect();
            crate::print::pages(site, &order, content)
                .into_iter()
                .map(|p| PrintPage { level: levels[&p.id], id: p.id, anchor: p.anchor, content: p.content })
                .collect()
        }
    };
    let rendered = site
        .extras
        .par_iter()
        .map(|planned| {
            crate::guard::check()?;
            let html = templates.render_extra(planned, &print)?;
            Ok(([planned.path.as_str(), "index.html"].concat(), html))
        })
        .collect();
    crate::error::collect(rendered)
}

/// How many sections are above page `id`: 0 for the home page.
fn level(site: &Site, id: PageId) -> usize {
    std::iter::successors(site.page(id).parent, |&p| site.page(p).parent).count()
}

/// The pages in navigation order: the home page, then each section's pages and subsections in the
/// order of its listings (weight, date, title), each subsection followed by its own. A page
/// outside every section (one a dataset generates at an address no section holds) is not in the
/// navigation, and left out.
pub(crate) fn navigation_order(pages: &[Page], home: PageId) -> Vec<PageId> {
    fn visit(pages: &[Page], id: PageId, out: &mut Vec<PageId>) {
        out.push(id);
        let page = &pages[id.index()];
        let mut children: Vec<PageId> = page.pages.iter().chain(&page.subsections).copied().collect();
        children.sort_by(|&a, &b| crate::site::listing_order(&pages[a.index()], &pages[b.index()]));
        for child in children {
            visit(pages, child, out);
        }
    }
    let mut out = Vec::with_capacity(pages.len());
    visit(pages, home, &mut out);
    out
}
