//! Theme assets that browsers may cache forever: the stylesheets, scripts and fonts of `static/`,
//! and the ones juxta writes (`highlight.css`, `comparison.css`, the search client), each also
//! written under a name holding a hash of its contents (`style.3f2a9c1d.css`). Templates link
//! them through `url(path='style.css')`, which gives the hashed name: a host may cache a hashed
//! file for a year, and a new build, linking new names, is never served stale. Links stay
//! page-relative, so the offline build works as before.
//!
//! Stylesheets are minified before they are hashed, and their `url()`s to other hashed files
//! (a font) are rewritten to the hashed names, so a stylesheet's hash changes with its fonts'.
//! The file under its own name is still written as it was, for links juxta does not write.
//!
//! With `[assets] headers = true` the output also gets `_headers`, the file of response headers
//! Netlify and Cloudflare Pages read: hashed files (and resized images, whose names hold a hash
//! too) are marked immutable for a year.

pub(crate) mod prepare;

use std::collections::BTreeMap;

/// The hashed names of a site's assets, and their contents.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Assets {
    /// Hashed site path by site path.
    names: BTreeMap<String, String>,
    /// The hashed files: site path and contents.
    files: Vec<(String, Vec<u8>)>,
}

impl Assets {
    /// The name to link the file at `site_path` by: its hashed name, when it has one.
    pub(crate) fn name<'a>(&'a self, site_path: &'a str) -> &'a str {
        self.names.get(site_path).map_or(site_path, String::as_str)
    }

    /// The hashed files, with their contents.
    pub(crate) fn files(&self) -> &[(String, Vec<u8>)] {
        &self.files
    }
}

/// The hashed name of `site_path` with contents hashing to `hash` (hexadecimal):
/// `css/style.css` → `css/style.3f2a9c1d.css`.
pub(crate) fn hashed_name(site_path: &str, hash: &str) -> String {
    let name_at = site_path.rfind('/').map_or(0, |i| i + 1);
    match site_path[name_at..].rfind('.') {
        Some(dot) if dot > 0 => {
            let dot = name_at + dot;
            format!("{}.{}{}", &site_path[..dot], &hash[..8], &site_path[dot..])
        }
        _ => format!("{site_path}.{}", &hash[..8]),
    }
}

/// `_headers` for the hashed files of `assets` and the resized images `images` (site paths).
pub(crate) fn headers<'a>(assets: &'a Assets, images: impl Iterator<Item = &'a str>) -> String {
    let mut out = String::from(
        "# Written by juxta ([assets] headers = true in site.toml): files whose names hold a hash of\n\
         # their contents never change, so browsers and CDNs may keep them for a year.\n",
    );
    let mut paths: Vec<&str> = assets.files.iter().map(|(path, _)| path.as_str()).chain(images).collect();
    paths.sort_unstable();
    for path in paths {
        out.push('/');
        out.push_str(&crate::urls::encode_path(path));
        out.push_str("\n  Cache-Control: public, max-age=31536000, immutable\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_names_keep_folder_and_extension() {
        let hash = "3f2a9c1d5e";
        assert_eq!(hashed_name("style.css", hash), "style.3f2a9c1d.css");
        assert_eq!(hashed_name("search/client.js", hash), "search/client.3f2a9c1d.js");
        assert_eq!(hashed_name("a.b/font.min.woff2", hash), "a.b/font.min.3f2a9c1d.woff2");
        assert_eq!(hashed_name("fonts/LICENSE", hash), "fonts/LICENSE.3f2a9c1d");
    }
}
