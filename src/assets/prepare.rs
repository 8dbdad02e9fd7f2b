//! The hashed assets of a site, made once it is assembled ([`all`]).

use std::collections::BTreeMap;
use std::path::Path;

use super::{Assets, hashed_name};
use crate::error::{Error, Result};
use crate::site::Site;
use crate::source::STATIC_DIR;

/// Extensions of the files hashed, fonts first: a stylesheet's `url()`s name them.
const FONTS: [&str; 5] = ["woff2", "woff", "ttf", "otf", "eot"];
const STYLES_AND_SCRIPTS: [&str; 3] = ["css", "js", "mjs"];

/// The hashed names and contents of the site's assets: `static/`'s stylesheets, scripts and
/// fonts, and those juxta writes. Empty with `[assets] hash = false`.
pub(crate) fn all(site: &Site) -> Result<Assets> {
    let settings = &site.config.assets;
    if !settings.hash {
        return Ok(Assets::default());
    }
    let mut sources: Vec<(String, Vec<u8>)> = Vec::new();
    for copy in &site.copies {
        let ext = copy.output.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
        let is_asset = FONTS.contains(&ext.as_str()) || STYLES_AND_SCRIPTS.contains(&ext.as_str());
        if is_asset && copy.source.starts_with(STATIC_DIR) {
            let bytes = crate::fs::read_bytes(&site.root.join(&copy.source), &copy.source)?;
            sources.push((copy.output.clone(), bytes));
        }
    }
    let markdown = &site.config.markdown;
    let highlight = crate::highlight::stylesheet(&markdown.highlight_theme, &markdown.highlight_theme_dark)
        .map_err(|m| Error::at(crate::config::FILE_NAME, m))?;
    sources.push(("highlight.css".into(), highlight.into_bytes()));
    sources.push((
        crate::comparison::STYLESHEET.into(),
        crate::comparison::publish::stylesheet(site).into_bytes(),
    ));
    if site.config.search.enabled {
        sources.push((crate::search::FILES[0].into(), crate::search::CLIENT.as_bytes().to_vec()));
    }
    // Fonts, then stylesheets (which name fonts), then scripts.
    let rank = |path: &str| {
        let ext = path.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
        (usize::from(!FONTS.contains(&ext.as_str())) + usize::from(ext != "css"), path.to_string())
    };
    sources.sort_by_key(|(path, _)| rank(path));
    let mut assets = Assets { names: BTreeMap::new(), files: Vec::new() };
    for (path, bytes) in sources {
        let bytes = if path.to_ascii_lowercase().ends_with(".css") {
            let text = String::from_utf8(bytes).map_err(|_| {
                Error::at(Path::new(STATIC_DIR).join(&path), "the stylesheet is not valid UTF-8")
            })?;
            stylesheet(&text, &path, &assets.names, settings.minify).into_bytes()
        } else {
            bytes
        };
        let hashed = hashed_name(&path, &crate::cache::key(&[&bytes]));
        assets.names.insert(path, hashed.clone());
        assets.files.push((hashed, bytes));
    }
    Ok(assets)
}

/// A stylesheet at `site_path`, minified when `minify`, with its `url()`s of hashed files
/// rewritten to their hashed names.
fn stylesheet(text: &str, site_path: &str, names: &BTreeMap<String, String>, minify: bool) -> String {
    let text = match minify {
        // A stylesheet the minifier cannot read is written as it is.
        true => minifier::css::minify(text).map_or_else(|_| text.to_string(), |m| m.to_string()),
        false => text.to_string(),
    };
    let dir = site_path.rfind('/').map_or("", |i| &site_path[..=i]);
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(at) = rest.find("url(") {
        let (before, after) = rest.split_at(at + 4);
        out.push_str(before);
        let inner_len = after.find(')').unwrap_or(after.len());
        let inner = &after[..inner_len];
        let quote = inner.trim_start().chars().next().filter(|c| matches!(c, '"' | '\''));
        let address = match quote {
            Some(q) => inner.trim().trim_matches(q),
            None => inner.trim(),
        };
        let path_len = address.find(['?', '#']).unwrap_or(address.len());
        let target = crate::urls::join(dir, &crate::urls::percent_decode(&address[..path_len]));
        match target.and_then(|t| names.get(&t)) {
            Some(hashed) if !address.contains(':') && !address.starts_with('/') => {
                let name = hashed.rsplit('/').next().unwrap_or(hashed);
                let kept = &address[..path_len];
                let folder = kept.rfind('/').map_or("", |i| &kept[..=i]);
                let q = quote.map(String::from).unwrap_or_default();
                out.push_str(&format!("{q}{folder}{name}{}{q}", &address[path_len..]));
            }
            _ => out.push_str(inner),
        }
        rest = &after[inner_len..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stylesheet_names_hashed_fonts_by_their_hashed_names() {
        let names: BTreeMap<String, String> =
            [("fonts/a.woff2".to_string(), "fonts/a.12345678.woff2".to_string())].into();
        let css = "@font-face{src:url(\"../fonts/a.woff2?v=1#x\") format(\"woff2\"),url(other.woff)}\
                   body{background:url(data:image/png;base64,xx)}";
        let out = stylesheet(css, "css/site.css", &names, false);
        assert!(out.contains("url(\"../fonts/a.12345678.woff2?v=1#x\")"), "{out}");
        assert!(out.contains("url(other.woff)") && out.contains("url(data:image/png;base64,xx)"), "{out}");
    }

    #[test]
    fn minifying_keeps_the_rules() {
        let out = stylesheet("a {\n  color : red ;\n}\n/* note */\n", "s.css", &BTreeMap::new(), true);
        assert_eq!(out, "a{color:red;}");
    }
}
