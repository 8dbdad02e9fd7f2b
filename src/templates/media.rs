//! The template functions for what a page shows besides its text: `image` (a responsive image,
//! see [`crate::images`]), `share_card` (the picture its link shows when shared) and
//! `wrap_text` (lines of text that fit a width, for the share card's SVG template).

use std::sync::Arc;

use tera::{Kwargs, State, Tera, TeraResult, Value};

use super::errors::tera_error;
use super::functions::{check_arguments, depth_of, in_body};
use crate::error::Result;
use crate::images::{self, Loading, Markup};
use crate::page::PageId;
use crate::site::Site;

impl super::Templates {
    /// Page `id`'s share card as SVG: the theme's `share-card.svg` (or juxta's own) rendered
    /// with the page's values and `card` (its `width` and `height`).
    pub(crate) fn render_card(&self, id: PageId) -> Result<String> {
        let mut context = self.context(id, None);
        let mut card = tera::Map::new();
        card.insert("width".into(), crate::cards::WIDTH.into());
        card.insert("height".into(), crate::cards::HEIGHT.into());
        context.insert_value("card", Value::from(card));
        let shown = self.site.page(id).shown_path();
        self.tera
            .render(crate::cards::TEMPLATE, &context)
            .map_err(|e| tera_error(&self.tera, &e, Some(&shown), None))
    }
}

/// Registers `image`, `share_card` and `wrap_text`.
pub(super) fn register(tera: &mut Tera, site: &Arc<Site>) {
    tera.register_function("image", ImageFunction(site.clone()));
    let s = site.clone();
    tera.register_function("share_card", move |kwargs: Kwargs, state: &State| -> TeraResult<Value> {
        check_arguments("share_card", &kwargs, &[])?;
        let page =
            state.get::<String>("current_path").ok().flatten().and_then(|p| s.by_path.get(&p).copied());
        crate::cards::pages::card_value(&s, page)
            .map_err(|m| tera::Error::message(format!("share_card: {m}")))
    });
    let s = site.clone();
    tera.register_function("wrap_text", move |kwargs: Kwargs, _: &State| -> TeraResult<Value> {
        check_arguments("wrap_text", &kwargs, &["text", "width", "size", "weight", "lines"])?;
        let text: String = kwargs.must_get("text")?;
        let wrap = crate::cards::Wrap {
            width: kwargs.must_get::<f64>("width")? as f32,
            size: kwargs.must_get::<f64>("size")? as f32,
            weight: kwargs.get::<u16>("weight")?.unwrap_or(400),
            lines: kwargs.get::<usize>("lines")?.unwrap_or(3).max(1),
        };
        let lines = crate::cards::wrap_text(&s.cards, &text, &wrap).map_err(tera::Error::message)?;
        Ok(Value::from_serializable(&lines))
    });
}

/// `image(path=…, alt=…)`: an `<img>` with the image's variants; returns HTML, so it is
/// registered as safe.
struct ImageFunction(Arc<Site>);

impl tera::Function<TeraResult<Value>> for ImageFunction {
    fn call(&self, kwargs: Kwargs, state: &State) -> TeraResult<Value> {
        check_arguments("image", &kwargs, &["path", "alt", "title", "class", "sizes", "eager"])?;
        let site = &self.0;
        let path: String = kwargs.must_get("path")?;
        let Some(alt) = kwargs.get::<String>("alt")? else {
            return Err(tera::Error::message(format!(
                "image: `{path}` needs `alt`: say what the image shows, or `alt=\"\"` if it is only decoration"
            )));
        };
        let site_path = site_path(site, &path).ok_or_else(|| {
            let near = crate::suggest::closest(&path, site.images.paths());
            tera::Error::message(format!("image: there is no image `{path}` in the site{near}"))
        })?;
        let image = match site.images.get(&site_path) {
            Some(Ok(image)) => image,
            Some(Err(problem)) => return Err(tera::Error::message(format!("image: {}", problem.0))),
            None => return Err(tera::Error::message(format!("image: `{path}` is not an image file"))),
        };
        let (title, class, sizes) =
            (kwargs.get::<String>("title")?, kwargs.get::<String>("class")?, kwargs.get::<String>("sizes")?);
        if sizes.as_deref().is_some_and(|s| s.contains(['"', '<', '>', '&'])) {
            return Err(tera::Error::message("image: `sizes` may not contain `\"`, `<`, `>` or `&`"));
        }
        let eager = kwargs.get::<bool>("eager")?.unwrap_or(false);
        let markup = Markup {
            alt: &alt,
            title: title.as_deref(),
            class: class.as_deref(),
            loading: if eager { Loading::Eager } else { Loading::Lazy },
            sizes: sizes.as_deref(),
        };
        let html = images::img(&image, depth_of(state), site.flavour, &site.config.images, &markup);
        if !site.config.markdown.raw_html && in_body(state) {
            return Ok(Value::safe_string(&crate::markdown::raw_html::seal(&html)));
        }
        Ok(Value::safe_string(&html))
    }

    fn is_safe(&self) -> bool {
        true
    }
}

/// The site path of the image `path` names: a file of `content/` (`@/guides/photo.jpg`, or
/// `guides/photo.jpg`), or a file of the output (`images/logo.png`, from `static/`).
fn site_path(site: &Site, path: &str) -> Option<String> {
    let key = path.trim_start_matches("@/").trim_start_matches('/');
    if let Some(output) = site.content_files.get(key) {
        return Some(output.clone());
    }
    (!path.starts_with("@/") && site.images.source(key).is_some()).then(|| key.to_string())
}
