//! The pages juxta adds to a site's own, and what each lists: the further pages of a section whose
//! front matter sets `paginate_by` (`blog/page/2/`), a page per tag and the index of tags
//! ([`crate::tags`]), and the print page (`print/`, every page in navigation order, when the theme
//! has `print.html`). Their addresses are known when the site is assembled, so that they are
//! checked against every other file's and listed in the sitemap; they are rendered after the
//! site's pages ([`crate::extra_pages`]).

use std::path::Path;

use crate::page::{Page, PageId};
use crate::source::TEMPLATES_DIR;
use crate::tags::{self, Tags};

/// The template of the print page; the page is written when the theme has it.
pub(crate) const PRINT_TEMPLATE: &str = "print.html";
/// The print page's address.
pub(crate) const PRINT_PATH: &str = "print/";

/// A page juxta writes besides those of `content/` and the datasets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Extra {
    /// Page `number` (from 2) of a section's listing; the first is the section's own page.
    Section { id: PageId, number: usize },
    /// Page `number` (from 1) of the listing of tag `index` of [`Tags::list`].
    Tag { index: usize, number: usize },
    /// The index of tags.
    TagIndex,
    /// Every page in one, for printing.
    Print,
}

/// An extra page and its site path (`blog/page/2/`).
#[derive(Debug, Clone)]
pub(crate) struct Planned {
    pub(crate) path: String,
    pub(crate) extra: Extra,
}

/// One page of a paginated listing: which of the listed pages it shows, and where every page of
/// the listing is.
#[derive(Debug, Clone)]
pub(crate) struct Pager {
    /// 1-based.
    pub(crate) number: usize,
    /// The site path of each page of the listing, the first one's the listing's own.
    pub(crate) paths: Vec<String>,
    /// The listed pages this page shows.
    pub(crate) items: Vec<PageId>,
}

/// The extra pages of a site whose pages are `pages` (sorted by source path) and tags `tags`.
pub(crate) fn plan(root: &Path, pages: &[Page], tags: &Tags, tags_per_page: usize) -> Vec<Planned> {
    let mut planned = Vec::new();
    for (i, page) in pages.iter().enumerate() {
        let per_page = page.front.paginate_by.unwrap_or(0);
        if !page.is_section() || per_page == 0 {
            continue;
        }
        let id = PageId(i as u32);
        for number in 2..=count(page.pages.len(), per_page) {
            planned
                .push(Planned { path: page_path(&page.path, number), extra: Extra::Section { id, number } });
        }
    }
    if tags.pages {
        for (index, tag) in tags.list.iter().enumerate() {
            for number in 1..=count(tag.pages.len(), tags_per_page) {
                planned.push(Planned {
                    path: page_path(&tag.path(), number),
                    extra: Extra::Tag { index, number },
                });
            }
        }
    }
    if tags.index {
        planned.push(Planned { path: tags::FOLDER.into(), extra: Extra::TagIndex });
    }
    if root.join(TEMPLATES_DIR).join(PRINT_TEMPLATE).is_file() {
        planned.push(Planned { path: PRINT_PATH.into(), extra: Extra::Print });
    }
    planned
}

/// How many pages a listing of `items` takes at `per_page` a page (`0`: all on one).
pub(crate) fn count(items: usize, per_page: usize) -> usize {
    match per_page {
        0 => 1,
        n => items.div_ceil(n).max(1),
    }
}

/// The site path of page `number` of the listing at `base`: `base` itself for the first.
pub(crate) fn page_path(base: &str, number: usize) -> String {
    match number {
        1 => base.to_string(),
        n => format!("{base}page/{n}/"),
    }
}

/// Page `number` of the listing of `items` at `base`, `per_page` a page.
pub(crate) fn pager(base: &str, items: &[PageId], per_page: usize, number: usize) -> Pager {
    let total = count(items.len(), per_page);
    let items = match per_page {
        0 => items.to_vec(),
        n => items.iter().skip((number - 1) * n).take(n).copied().collect(),
    };
    Pager { number, paths: (1..=total).map(|n| page_path(base, n)).collect(), items }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listings_are_split_into_numbered_pages() {
        assert_eq!(count(0, 10), 1);
        assert_eq!(count(10, 10), 1);
        assert_eq!(count(11, 10), 2);
        assert_eq!(count(11, 0), 1);
        assert_eq!(page_path("blog/", 1), "blog/");
        assert_eq!(page_path("blog/", 3), "blog/page/3/");
        assert_eq!(page_path("", 2), "page/2/");
        let ids: Vec<PageId> = (0..5).map(PageId).collect();
        let second = pager("tags/x/", &ids, 2, 2);
        assert_eq!(second.items, [PageId(2), PageId(3)]);
        assert_eq!(second.paths, ["tags/x/", "tags/x/page/2/", "tags/x/page/3/"]);
        assert_eq!(pager("tags/x/", &ids, 2, 3).items, [PageId(4)]);
    }
}
