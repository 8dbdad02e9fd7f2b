//! The pages juxta adds ([`crate::listings`]) rendered with the theme's templates: the further
//! pages of a section (its own template, with `paginator`), a tag's pages (`tag.html`, with `tag`
//! and `paginator`), the index of tags (`tags.html`, with `tags`) and the print page
//! (`print.html`, with `print_pages`); and the `tag_url` function.
//!
//! Each is handed a `section` that stands for it, as a section's page is, so that a theme's
//! shared layout reads its title and addresses the same way everywhere: `kind` tells them apart
//! (`tag`, `tags`, `print`).

use std::sync::Arc;

use tera::{Context, Kwargs, Map, State, Tera, Value};

use super::Templates;
use super::errors::tera_error;
use super::functions::depth_of;
use super::values::summary;
use crate::error::{Error, Result};
use crate::listings::{Extra, Pager, Planned};
use crate::markdown::Rendered;
use crate::page::PageId;
use crate::site::Site;
use crate::urls;

/// A page of the print page: its summary, its content made to work inside the print page, and
/// the id the print page gives it.
#[derive(Debug, Clone)]
pub(crate) struct PrintPage {
    pub(crate) id: PageId,
    /// How deep it is in the navigation: 0 for the home page, 1 for its pages and sections…
    pub(crate) level: usize,
    pub(crate) anchor: String,
    pub(crate) content: String,
}

impl Templates {
    /// Renders the extra page `planned`; `print` are the print page's pages.
    pub(crate) fn render_extra(&self, planned: &Planned, print: &[PrintPage]) -> Result<String> {
        let depth = urls::depth(&planned.path);
        let (template, context) = match planned.extra {
            Extra::Section { id, number } => {
                (Self::template_of(self.site.page(id)), self.further_page(id, number, depth))
            }
            Extra::Tag { index, number } => (crate::tags::TAG_TEMPLATE, self.tag_page(index, number, depth)),
            Extra::TagIndex => (crate::tags::INDEX_TEMPLATE, self.tag_index(depth)),
            Extra::Print => (crate::listings::PRINT_TEMPLATE, self.print_page(print, depth)),
        };
        let mut out = self.capped(16 * 1024);
        let result = self.tera.render_to(template, &context, &mut out);
        let shown = super::shown(template);
        let html = out.finish(
            result,
            || shown.clone(),
            |e| tera_error(&self.tera, &e, Some(&shown), None).while_rendering(&planned.path),
        )?;
        let problems = crate::html::scan(&html, &self.site.config.base_url, false).problems;
        if !problems.is_empty() {
            let page = format!("the page `{}`", planned.path);
            return Err(Error::many(
                problems.into_iter().map(|p| Error::at(&shown, format!("in {page}, {p}"))).collect(),
            ));
        }
        Ok(html)
    }

    /// Page `number` of section `id`'s listing: the section's own values, seen from `depth`, but
    /// for its text (`content` and `toc` are empty: they are on the first page).
    fn further_page(&self, id: PageId, number: usize, depth: usize) -> Context {
        let empty = Rendered::default();
        let content = Value::safe_string("");
        let mut context = self.context_at(id, Some((&empty, &content)), depth);
        let page = self.site.page(id);
        let per_page = page.front.paginate_by.unwrap_or(0);
        let pager = crate::listings::pager(&page.path, &page.pages, per_page, number);
        context.insert_value("paginator", self.paginator(&pager, depth));
        context
    }

    /// Page `number` of tag `index`'s listing.
    fn tag_page(&self, index: usize, number: usize, depth: usize) -> Context {
        let tag = &self.site.tags.list[index];
        let pager =
            crate::listings::pager(&tag.path(), &tag.pages, self.site.config.tags.paginate_by, number);
        let pages = Value::from(tag.pages.iter().map(|&p| summary(&self.site, p, depth)).collect::<Vec<_>>());
        let mut context = self.base_context(depth);
        context.insert("current_path", &tag.path());
        let mut values = Map::new();
        values.insert("pages".into(), pages);
        context.insert_value("section", self.standing_in("tag", &tag.name, &tag.path(), depth, values));
        context.insert_value("tag", tag_value(&self.site, index, depth));
        context.insert_value("paginator", self.paginator(&pager, depth));
        context
    }

    /// The index of tags.
    fn tag_index(&self, depth: usize) -> Context {
        let mut context = self.base_context(depth);
        context.insert("current_path", crate::tags::FOLDER);
        let tags: Vec<Value> =
            (0..self.site.tags.list.len()).map(|i| tag_value(&self.site, i, depth)).collect();
        context.insert_value(
            "section",
            self.standing_in("tags", "Tags", crate::tags::FOLDER, depth, Map::new()),
        );
        context.insert_value("tags", Value::from(tags));
        context
    }

    /// The print page: every page of `print` with its summary, `content`, `anchor` and `level`.
    fn print_page(&self, print: &[PrintPage], depth: usize) -> Context {
        let mut context = self.base_context(depth);
        context.insert("current_path", crate::listings::PRINT_PATH);
        let title = self.site.config.title.as_str();
        let section = self.standing_in("print", title, crate::listings::PRINT_PATH, depth, Map::new());
        context.insert_value("section", section);
        let pages: Vec<Value> = print
            .iter()
            .map(|p| {
                let mut map = summary(&self.site, p.id, depth).into_map().unwrap_or_default();
                map.insert("content".into(), Value::safe_string(&p.content));
                map.insert("anchor".into(), p.anchor.as_str().into());
                map.insert("level".into(), p.level.into());
                Value::from(map)
            })
            .collect();
        context.insert_value("print_pages", Value::from(pages));
        context
    }

    /// The `section` of an extra page: its title, addresses and `kind`, with empty text, as a
    /// section's page has them; `values` adds more.
    fn standing_in(&self, kind: &str, title: &str, path: &str, depth: usize, mut values: Map) -> Value {
        let site = &self.site;
        let fields: [(&str, Value); 9] = [
            ("title", title.into()),
            ("kind", kind.into()),
            ("path", path.into()),
            ("url", urls::link(depth, path, site.flavour).into()),
            ("permalink", urls::absolute(&site.config.base_url, path).into()),
            ("content", Value::safe_string("")),
            ("toc", Value::from(Vec::<Value>::new())),
            ("extra", Value::from(Map::new())),
            ("tags", Value::from(Vec::<Value>::new())),
        ];
        for (key, value) in fields {
            values.entry(key.into()).or_insert(value);
        }
        values.entry("pages".into()).or_insert_with(|| Value::from(Vec::<Value>::new()));
        values.entry("subsections".into()).or_insert_with(|| Value::from(Vec::<Value>::new()));
        Value::from(values)
    }

    /// `paginator`: the page of a listing being rendered, its pages' summaries, and links to the
    /// others, as seen from `depth`.
    pub(super) fn paginator(&self, pager: &Pager, depth: usize) -> Value {
        let site = &self.site;
        let link = |n: usize| -> Value { urls::link(depth, &pager.paths[n - 1], site.flavour).into() };
        let (number, total) = (pager.number, pager.paths.len());
        let mut map = Map::new();
        map.insert("number".into(), number.into());
        map.insert("total".into(), total.into());
        let pages: Vec<Value> = pager.items.iter().map(|&p| summary(site, p, depth)).collect();
        map.insert("pages".into(), Value::from(pages));
        map.insert("first".into(), link(1));
        map.insert("last".into(), link(total));
        map.insert("previous".into(), if number > 1 { link(number - 1) } else { Value::none() });
        map.insert("next".into(), if number < total { link(number + 1) } else { Value::none() });
        let permalink = urls::absolute(&site.config.base_url, &pager.paths[number - 1]);
        map.insert("permalink".into(), permalink.into());
        let links: Vec<Value> = (1..=total)
            .map(|n| {
                let mut entry = Map::new();
                entry.insert("number".into(), n.into());
                entry.insert("url".into(), link(n));
                entry.insert("current".into(), (n == number).into());
                Value::from(entry)
            })
            .collect();
        map.insert("links".into(), Value::from(links));
        Value::from(map)
    }
}

/// Tag `index` as a page at `depth` sees it: `name`, `slug`, `url` (when tags have pages) and
/// how many pages carry it.
fn tag_value(site: &Site, index: usize, depth: usize) -> Value {
    let tag = &site.tags.list[index];
    let mut map = Map::new();
    map.insert("name".into(), tag.name.as_str().into());
    map.insert("slug".into(), tag.slug.as_str().into());
    map.insert("count".into(), tag.pages.len().into());
    if site.tags.pages {
        map.insert("url".into(), urls::link(depth, &tag.path(), site.flavour).into());
        map.insert("permalink".into(), urls::absolute(&site.config.base_url, &tag.path()).into());
    }
    Value::from(map)
}

/// Registers `tag_url(name=…)`: the link to a tag's page from the page being rendered.
pub(super) fn register(tera: &mut Tera, site: &Arc<Site>) {
    let s = site.clone();
    tera.register_function("tag_url", move |kwargs: Kwargs, state: &State| -> tera::TeraResult<String> {
        let name: &str = kwargs.must_get("name")?;
        if !s.tags.pages {
            return Err(tera::Error::message(format!(
                "tag_url: tags have no pages: add the template `{}` to `templates/`",
                crate::tags::TAG_TEMPLATE
            )));
        }
        let tag = s.tags.get(name).ok_or_else(|| {
            let near = crate::suggest::closest(name, s.tags.list.iter().map(|t| t.name.as_str()));
            tera::Error::message(format!("tag_url: no page has the tag `{name}`{near}"))
        })?;
        Ok(urls::link(depth_of(state), &tag.path(), s.flavour))
    });
}
