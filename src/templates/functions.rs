//! juxta's template functions and filters: `url`, `get_page`, `get_section`, `json_ld`, and the
//! comparison components (`comparison_table`, `comparison_value`, `comparison`). Every link they
//! return is relative to the page being rendered, whose depth is the context's `__depth`.

use std::sync::{Arc, Mutex};

use tera::{Kwargs, State, Tera, TeraResult, Value};

use super::values::{listing, summary};
use crate::comparison::{self, Comparison, Datum};
use crate::page::PageId;
use crate::site::Site;
use crate::table::{Links, Selection};
use crate::urls;

// ---------------------------------------------------------------------------------------------
// What a render reads of other pages

/// Something of another page that a render read through `get_page` or `get_section`. `juxta
/// serve` records these so that an edit to a page's front matter re-renders the pages showing it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Read {
    /// The page's own fields (`get_page`).
    Page(PageId),
    /// A section's fields and the summaries of its pages and subsections (`get_section`).
    Listing(PageId),
}

/// What each page's renders read of other pages, by page, when `juxta serve` asks for it.
pub(super) type ReadLog = Arc<Vec<Mutex<Vec<Read>>>>;

/// Notes that the render with `state` read `read`, when reads are recorded: the page being
/// rendered is the one at the context's `current_path`.
fn note_read(log: Option<&ReadLog>, site: &Site, state: &State, read: Read) {
    let Some(log) = log else { return };
    let path = state.get::<String>("current_path").ok().flatten();
    if let Some(reads) = path.and_then(|path| site.by_path.get(&path)).and_then(|id| log.get(id.index())) {
        reads.lock().unwrap_or_else(|e| e.into_inner()).push(read);
    }
}

// ---------------------------------------------------------------------------------------------
// Functions

/// The depth of the page being rendered, which every link a function returns is relative to.
pub(crate) fn depth_of(state: &State) -> usize {
    state.get::<usize>("__depth").ok().flatten().unwrap_or(0)
}

/// Whether a Markdown body is being rendered (rather than a page template).
pub(crate) fn in_body(state: &State) -> bool {
    state.get::<bool>("__body").ok().flatten().unwrap_or(false)
}

pub(super) fn register_functions(tera: &mut Tera, site: &Arc<Site>, log: Option<&ReadLog>) {
    register_comparisons(tera, site);
    tera.register_filter("json_ld", JsonLd);
    let s = site.clone();
    tera.register_function("url", move |kwargs: Kwargs, state: &State| -> tera::TeraResult<String> {
        let path: &str = kwargs.must_get("path")?;
        let depth = depth_of(state);
        resolve_url(&s, path, depth).map_err(tera::Error::message)
    });
    let (s, reads) = (site.clone(), log.cloned());
    tera.register_function("get_page", move |kwargs: Kwargs, state: &State| -> tera::TeraResult<Value> {
        let path: &str = kwargs.must_get("path")?;
        let id = find_page(&s, path).map_err(tera::Error::message)?;
        note_read(reads.as_ref(), &s, state, Read::Page(id));
        Ok(summary(&s, id, depth_of(state)))
    });
    let (s, reads) = (site.clone(), log.cloned());
    tera.register_function("get_section", move |kwargs: Kwargs, state: &State| -> tera::TeraResult<Value> {
        let path: &str = kwargs.must_get("path")?;
        let id = find_page(&s, path).map_err(tera::Error::message)?;
        if !s.page(id).is_section() {
            return Err(tera::Error::message(format!(
                "get_section: `{path}` is a page, not a section (`_index.md`)"
            )));
        }
        note_read(reads.as_ref(), &s, state, Read::Listing(id));
        Ok(listing(&s, id, depth_of(state)).section)
    });
}

/// `value | json_ld`: the value as JSON that is safe inside `<script type="application/ld+json">`
/// (no `<`, `>` or `&` that could end the element), for structured data built in templates.
struct JsonLd;

impl tera::Filter<Value, tera::TeraResult<Value>> for JsonLd {
    fn call(&self, value: Value, _: Kwargs, _: &State) -> tera::TeraResult<Value> {
        let json = serde_json::to_value(&value).map_err(|e| tera::Error::message(format!("json_ld: {e}")))?;
        Ok(Value::safe_string(&crate::table::script_json(&json)))
    }

    fn is_safe(&self) -> bool {
        true
    }
}

fn find_page(site: &Site, path: &str) -> std::result::Result<PageId, String> {
    let key = path.trim_start_matches("@/").trim_start_matches('/');
    site.by_source.get(key).copied().ok_or_else(|| {
        let near = crate::suggest::closest(key, site.by_source.keys().map(String::as_str));
        format!("there is no page `content/{key}`{near}")
    })
}

/// `url(path=…)`: a content file (`protocols.md`, `@/protocols.md`) or a file of the output
/// (`style.css`, `atom.xml`), as a link from the page being rendered.
fn resolve_url(site: &Site, path: &str, depth: usize) -> std::result::Result<String, String> {
    if crate::urls::is_dangerous(path) {
        return Err(format!("url: `{path}` is not a link juxta will write"));
    }
    let (path, fragment) = match path.split_once('#') {
        Some((p, f)) => (p, Some(f)),
        None => (path, None),
    };
    let key = path.trim_start_matches("@/").trim_start_matches('/');
    let mut url = if key.ends_with(".md") {
        let id = find_page(site, key)?;
        urls::link(depth, &site.page(id).path, site.flavour)
    } else if site.files.contains(key) || site.by_path.contains_key(key) {
        urls::link(depth, site.assets.name(key), site.flavour)
    } else {
        let near = crate::suggest::closest(key, site.files.iter().map(String::as_str));
        return Err(format!("url: no page or file `{key}` in the site{near}"));
    };
    if let Some(f) = fragment {
        url.push('#');
        url.push_str(f);
    }
    Ok(url)
}

// ---------------------------------------------------------------------------------------------
// Comparison components

/// Registers `comparison_table`, `comparison_value` and `comparison`.
/// Registers the comparison components.
fn register_comparisons(tera: &mut Tera, site: &Arc<Site>) {
    tera.register_function("comparison_table", TableFunction(site.clone()));
    let s = site.clone();
    tera.register_function("comparison_value", move |kwargs: Kwargs, _: &State| -> TeraResult<Value> {
        comparison_value(&s, &kwargs).map_err(tera::Error::message)
    });
    let s = site.clone();
    tera.register_function("comparison", move |kwargs: Kwargs, state: &State| -> TeraResult<Value> {
        check_arguments("comparison", &kwargs, &["dataset"])?;
        let c = dataset(&s, &kwargs, "comparison").map_err(tera::Error::message)?;
        Ok(Value::from_serializable(&crate::table::template_value(c, &links(&s, state))))
    });
}

/// `comparison_table(dataset=…)`: returns HTML, so it is registered as safe.
struct TableFunction(Arc<Site>);

impl tera::Function<TeraResult<Value>> for TableFunction {
    fn call(&self, kwargs: Kwargs, state: &State) -> TeraResult<Value> {
        const ARGS: [&str; 10] = [
            "dataset",
            "dimensions",
            "subjects",
            "groups",
            "caption",
            "summaries",
            "group_headings",
            "id_prefix",
            "downloads",
            "controls",
        ];
        check_arguments("comparison_table", &kwargs, &ARGS)?;
        let c = dataset(&self.0, &kwargs, "comparison_table").map_err(tera::Error::message)?;
        let selection = Selection {
            dimensions: kwargs.get::<Vec<String>>("dimensions")?,
            subjects: kwargs.get::<Vec<String>>("subjects")?,
            groups: kwargs.get::<Vec<String>>("groups")?,
            caption: kwargs.get::<String>("caption")?,
            hide_summaries: !kwargs.get::<bool>("summaries")?.unwrap_or(true),
            hide_groups: !kwargs.get::<bool>("group_headings")?.unwrap_or(true),
            id_prefix: kwargs.get::<String>("id_prefix")?.unwrap_or_default(),
            hide_downloads: !kwargs.get::<bool>("downloads")?.unwrap_or(true),
            hide_controls: !kwargs.get::<bool>("controls")?.unwrap_or(true),
            ..Selection::default()
        };
        if !selection.id_prefix.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
            return Err(tera::Error::message(
                "comparison_table: `id_prefix` may use only letters, digits, `-` and `_`",
            ));
        }
        crate::table::check(c, &selection)
            .map_err(|m| tera::Error::message(format!("comparison_table: {m}")))?;
        let html = crate::table::render(c, &selection, &links(&self.0, state));
        if !self.0.config.markdown.raw_html && in_body(state) {
            return Ok(Value::safe_string(&crate::markdown::raw_html::seal(&html)));
        }
        Ok(Value::safe_string(&html))
    }

    fn is_safe(&self) -> bool {
        true
    }
}

/// `comparison_value(dataset=…, dimension=…, subject=…, field="text")`: one value for prose.
/// `field` is `text` (the display text, the default), `value` (the raw value), `note` or
/// `source`.
fn comparison_value(site: &Site, kwargs: &Kwargs) -> Result<Value, String> {
    check_arguments("comparison_value", kwargs, &["dataset", "dimension", "subject", "field"])
        .map_err(|e| e.to_string())?;
    let c = dataset(site, kwargs, "comparison_value")?;
    let string = |key: &str| -> Result<String, String> {
        kwargs.must_get::<String>(key).map_err(|e| format!("comparison_value: {e}"))
    };
    let (dimension, subject) = (string("dimension")?, string("subject")?);
    let field = kwargs.get::<String>("field").map_err(|e| e.to_string())?.unwrap_or_else(|| "text".into());
    let selection = Selection {
        dimensions: Some(vec![dimension.clone()]),
        subjects: Some(vec![subject.clone()]),
        ..Selection::default()
    };
    crate::table::check(c, &selection).map_err(|m| format!("comparison_value: {m}"))?;
    let d = c.dimension(&dimension).expect("checked above");
    let cell = &d.values[c.subject_index(&subject).expect("checked above")];
    Ok(match field.as_str() {
        "text" => comparison::text(d, cell).into(),
        "value" => match &cell.value {
            None => Value::none(),
            Some(Datum::Text(t)) => t.as_str().into(),
            Some(Datum::Rating(r)) => (*r).into(),
            Some(Datum::Boolean(b)) => (*b).into(),
            Some(Datum::Number(n)) => Value::from_serializable(n),
        },
        "note" => cell.note.as_deref().into(),
        "source" => cell.sources.first().map(|&i| c.sources[i].reference()).into(),
        other => {
            let near = crate::suggest::closest(other, ["text", "value", "note", "source"].into_iter());
            return Err(format!(
                "comparison_value: unknown field `{other}`{near}; expected `text`, `value`, `note` or `source`"
            ));
        }
    })
}

/// Refuses arguments a function does not take, so that a misspelt one is not silently ignored.
pub(super) fn check_arguments(function: &str, kwargs: &Kwargs, known: &[&str]) -> TeraResult<()> {
    for (key, _) in kwargs.iter() {
        let key = key.as_str().unwrap_or_default();
        if !known.contains(&key) {
            let near = crate::suggest::closest(key, known.iter().copied());
            let expected = known.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ");
            return Err(tera::Error::message(format!(
                "{function}: unknown argument `{key}`{near}; it takes {expected}"
            )));
        }
    }
    Ok(())
}

/// The dataset named by the `dataset` argument, or a message naming what is wrong.
fn dataset<'a>(site: &'a Site, kwargs: &Kwargs, function: &str) -> Result<&'a Comparison, String> {
    let id: String = kwargs.must_get("dataset").map_err(|e| format!("{function}: {e}"))?;
    if let Some(c) = site.data.comparisons.get(&id) {
        return Ok(c);
    }
    if let Some(file) = site.data.files.get(&id) {
        let shown = file.shown.display();
        let hint = if file.shown.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv")) {
            "a CSV file cannot declare one: write it as TOML, YAML or JSON".to_string()
        } else {
            format!("it needs `{}`", comparison::syntax(&file.shown, "kind", "\"comparison\""))
        };
        return Err(format!("{function}: `{shown}` is not a comparison dataset: {hint}"));
    }
    let near = crate::suggest::closest(&id, site.data.comparisons.keys().map(String::as_str));
    Err(format!("{function}: there is no comparison dataset `{id}` in `data/`{near}"))
}

fn links<'s>(site: &'s Site, state: &State) -> Links<'s> {
    let current = state.get::<String>("current_path").ok().flatten();
    Links { site, depth: depth_of(state), current }
}
