//! `site.toml` → [`Config`]: strict (an unknown key is an error at its line and column), validated.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Position, Result};
use crate::media_config::{AssetsConfig, CardsConfig, ImagesConfig};

/// The file name of the configuration, at the project root.
pub(crate) const FILE_NAME: &str = "site.toml";

/// The site's configuration, as validated.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Config {
    /// The site's name, shown in titles and the feed.
    pub(crate) title: String,
    /// The site's one-line description.
    pub(crate) description: String,
    /// The absolute URL the site is published at, always ending in `/`.
    pub(crate) base_url: String,
    /// The language of the content, as a BCP 47 tag (`en`, `en-GB`).
    pub(crate) language: String,
    /// The author or organisation, used in the feed and metadata.
    pub(crate) author: String,
    /// The domain written to `CNAME` for GitHub Pages, if any.
    pub(crate) cname: Option<String>,
    /// Markdown rendering options.
    pub(crate) markdown: MarkdownConfig,
    /// Size limits on the output.
    pub(crate) limits: Limits,
    /// The search index.
    pub(crate) search: SearchConfig,
    /// `juxta check`'s settings.
    pub(crate) check: CheckConfig,
    /// The address of a page's source for editing, with `{path}` where the path goes.
    pub(crate) edit_url: Option<String>,
    /// What is read from the project's git history.
    pub(crate) git: GitConfig,
    /// Tag pages.
    pub(crate) tags: TagsConfig,
    /// Free values for templates, as `site.extra`.
    pub(crate) extra: serde_json::Map<String, serde_json::Value>,
    /// `[images]`, `[share_cards]` and `[assets]`.
    pub(crate) images: ImagesConfig,
    pub(crate) share_cards: CardsConfig,
    pub(crate) assets: AssetsConfig,
}

/// `[git]`: what is read from the history of the git repository holding the project.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct GitConfig {
    /// Gives each page the date its source last changed, from one `git log` (see [`crate::git`]).
    /// Off by default: the output then depends on the history, not only on the files.
    pub(crate) last_updated: bool,
}

/// `[tags]`: the pages listing the pages of each tag, written when the theme has `tag.html`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct TagsConfig {
    /// Lists at most this many pages on each page of a tag, on further pages after it (`0`: all
    /// on one).
    pub(crate) paginate_by: usize,
}

/// `[search]`: the search index written with every build (see [`crate::search`]).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct SearchConfig {
    /// Writes the index and the client; templates see it as `site.search`.
    pub(crate) enabled: bool,
    /// Past this size the index is split into shards of about this size, loaded as needed.
    pub(crate) shard_kib: usize,
}

impl Default for SearchConfig {
    fn default() -> Self {
        SearchConfig { enabled: true, shard_kib: 500 }
    }
}

/// `[check]`: how `juxta check` treats what is not an error of the site but should be looked at.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct CheckConfig {
    /// Makes the check fail (exit code 1) on comparison sources older than their `max_age` and
    /// values missing a source, as `juxta check --strict` does. Off by default, so that an old
    /// source never blocks an urgent publish by surprise.
    pub(crate) strict: bool,
}

/// `[limits]`: how large the output may grow before the build stops with an error. They catch a
/// runaway template loop or a pasted blob before it is published.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Limits {
    /// The largest HTML file one page may render to, in KiB.
    pub(crate) max_page_kib: u64,
    /// The largest the whole output folder may grow, in MiB.
    pub(crate) max_site_mib: u64,
    /// Where `max_site_mib` is set in `site.toml`, for the error that names it.
    #[serde(skip)]
    pub(crate) max_site_at: Option<Position>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_page_kib: 4096, max_site_mib: 2048, max_site_at: None }
    }
}

/// `[limits]` as written, with the position of each value.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawLimits {
    max_page_kib: Option<u64>,
    max_site_mib: Option<toml::Spanned<u64>>,
}

/// Markdown options of `site.toml`'s `[markdown]` table.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct MarkdownConfig {
    /// Turns straight quotes into curly ones, `--` into en dashes, `...` into an ellipsis.
    pub(crate) smart_punctuation: bool,
    /// Highlights fenced code blocks at build time.
    pub(crate) highlight_code: bool,
    /// The highlighting theme for the light colour scheme.
    pub(crate) highlight_theme: String,
    /// The highlighting theme for the dark colour scheme.
    pub(crate) highlight_theme_dark: String,
    /// Passes HTML written in Markdown through to the page. When `false` it is shown as text;
    /// the HTML of components such as `comparison_table` is kept either way.
    pub(crate) raw_html: bool,
}

impl Default for MarkdownConfig {
    fn default() -> Self {
        MarkdownConfig {
            smart_punctuation: true,
            highlight_code: true,
            highlight_theme: "InspiredGitHub".into(),
            highlight_theme_dark: "base16-ocean.dark".into(),
            raw_html: true,
        }
    }
}

/// What the author wrote; see [`Config`] for what each key means.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    title: String,
    #[serde(default)]
    description: String,
    base_url: toml::Spanned<String>,
    #[serde(default = "default_language")]
    language: String,
    #[serde(default)]
    author: String,
    cname: Option<toml::Spanned<String>>,
    #[serde(default)]
    markdown: MarkdownConfig,
    #[serde(default)]
    limits: RawLimits,
    #[serde(default)]
    search: SearchConfig,
    #[serde(default)]
    check: CheckConfig,
    edit_url: Option<toml::Spanned<String>>,
    #[serde(default)]
    git: GitConfig,
    #[serde(default)]
    tags: TagsConfig,
    #[serde(default)]
    extra: serde_json::Map<String, serde_json::Value>,
    images: Option<toml::Spanned<ImagesConfig>>,
    #[serde(default)]
    share_cards: CardsConfig,
    #[serde(default)]
    assets: AssetsConfig,
}

fn default_language() -> String {
    "en".into()
}

/// Loads and validates `site.toml` from `root`. `base_url_override` replaces `base_url` (the
/// `--base-url` flag) and is validated the same way.
pub(crate) fn load(root: &Path, base_url_override: Option<&str>) -> Result<Config> {
    let path = root.join(FILE_NAME);
    let shown = Path::new(FILE_NAME);
    if !path.is_file() {
        return Err(Error::environment(format!(
            "no `{FILE_NAME}` in `{}`: is this a juxta site? (`juxta init DIR` creates one)",
            root.display()
        )));
    }
    let text = crate::fs::read_source(&path, shown)?;
    parse(&text, base_url_override)
}

/// Parses and validates the text of `site.toml`.
pub(crate) fn parse(text: &str, base_url_override: Option<&str>) -> Result<Config> {
    let shown = Path::new(FILE_NAME);
    let text = crate::located::normalize(text);
    let raw: RawConfig =
        toml::from_str(&text).map_err(|e| crate::located::toml_error(shown, &text, 0, &e))?;

    let at = |span: std::ops::Range<usize>| Position::of_offset(&text, span.start);
    let base_url = match base_url_override {
        Some(url) => normalize_base_url(url).map_err(|m| Error::environment(format!("--base-url: {m}")))?,
        None => normalize_base_url(raw.base_url.get_ref())
            .map_err(|m| Error::at_position(shown, at(raw.base_url.span()), format!("base_url: {m}")))?,
    };
    check_controls(&raw, &text)?;
    if let Some(images) = &raw.images {
        images.get_ref().check().map_err(|m| Error::at_position(shown, at(images.span()), m))?;
    }
    check_themes(&raw.markdown, &text)?;
    let cname = match raw.cname {
        Some(c) if !is_domain(c.get_ref()) => {
            return Err(Error::at_position(
                shown,
                at(c.span()),
                format!("cname `{}` is not a domain name such as `docs.example.com`", c.get_ref()),
            ));
        }
        c => c.map(toml::Spanned::into_inner),
    };
    if let Some(edit_url) = &raw.edit_url {
        check_edit_url(edit_url.get_ref())
            .map_err(|m| Error::at_position(shown, at(edit_url.span()), format!("edit_url: {m}")))?;
    }
    Ok(Config {
        title: raw.title,
        description: raw.description,
        base_url,
        language: raw.language,
        author: raw.author,
        cname,
        markdown: raw.markdown,
        limits: {
            let defaults = Limits::default();
            Limits {
                max_page_kib: raw.limits.max_page_kib.unwrap_or(defaults.max_page_kib),
                max_site_mib: raw
                    .limits
                    .max_site_mib
                    .as_ref()
                    .map_or(defaults.max_site_mib, |m| *m.get_ref()),
                max_site_at: raw.limits.max_site_mib.map(|m| at(m.span())),
            }
        },
        search: SearchConfig { shard_kib: raw.search.shard_kib.max(1), ..raw.search },
        check: raw.check,
        edit_url: raw.edit_url.map(toml::Spanned::into_inner),
        git: raw.git,
        tags: raw.tags,
        extra: {
            let mut extra = raw.extra;
            extra.values_mut().for_each(crate::located::dates_as_text);
            extra
        },
        images: raw.images.map(toml::Spanned::into_inner).unwrap_or_default(),
        share_cards: raw.share_cards,
        assets: raw.assets,
    })
}

/// Refuses a highlighting theme juxta does not have, at its line and column.
fn check_themes(markdown: &MarkdownConfig, text: &str) -> Result<()> {
    let shown = Path::new(FILE_NAME);
    for (key, name) in [
        ("highlight_theme", &markdown.highlight_theme),
        ("highlight_theme_dark", &markdown.highlight_theme_dark),
    ] {
        crate::highlight::check_theme(name).map_err(|m| {
            // Only a file with this error is read again for the position.
            let at = crate::located::parse(text, "toml", shown)
                .ok()
                .and_then(|root| Some(root.get("markdown")?.get(key)?.at));
            let error = Error::at(shown, format!("{key}: {m}"));
            match at {
                Some(at) => error.with_position(at),
                None => error,
            }
        })?;
    }
    Ok(())
}

/// Refuses a control character (written as an escape) in the values that reach pages: see
/// [`crate::data`].
fn check_controls(raw: &RawConfig, text: &str) -> Result<()> {
    let in_text = |text: &str| text.chars().find(|&c| crate::located::is_refused_control(c));
    let found = [("title", &raw.title), ("description", &raw.description), ("author", &raw.author)]
        .into_iter()
        .find_map(|(key, value)| Some((key, in_text(value)?)))
        .or_else(|| {
            let found = raw
                .extra
                .iter()
                .find_map(|(k, v)| in_text(k).or_else(|| crate::located::control_in_value(v)));
            Some(("extra", found?))
        });
    let Some((key, control)) = found else { return Ok(()) };
    let shown = Path::new(FILE_NAME);
    let at = crate::located::parse(text, "toml", shown).ok().and_then(|root| Some(root.get(key)?.at));
    let error = Error::at(shown, format!("{key}: {}", crate::located::control_message(control)));
    Err(match at {
        Some(at) => error.with_position(at),
        None => error,
    })
}

/// Checks that `url` is an absolute http(s) URL and makes it end with `/`.
fn normalize_base_url(url: &str) -> std::result::Result<String, String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| format!("`{url}` must be an absolute URL starting with https:// or http://"))?;
    let host = rest.split('/').next().unwrap_or_default();
    if host.is_empty() || url.contains(char::is_whitespace) || url.contains(['?', '#', '"', '<', '>']) {
        return Err(format!("`{url}` is not a valid site address such as https://example.com/docs/"));
    }
    // The path is percent-encoded as every URL juxta writes is; escapes already there are kept.
    let path = &rest[host.len()..];
    let mut url = format!("{}{host}{}", &url[..url.len() - rest.len()], crate::urls::encode_path(path));
    if !url.ends_with('/') {
        url.push('/');
    }
    Ok(url)
}

/// Checks `edit_url`: an http(s) address with `{path}` where each page's source path goes.
fn check_edit_url(url: &str) -> std::result::Result<(), String> {
    let bad_char = |c: char| c.is_whitespace() || c.is_control() || matches!(c, '"' | '<' | '>');
    if !(url.starts_with("https://") || url.starts_with("http://")) || url.contains(bad_char) {
        return Err(format!("`{url}` must be an absolute address starting with https:// or http://"));
    }
    if !url.contains("{path}") {
        return Err(format!(
            "`{url}` has no `{{path}}`, where each page's source path goes: for a GitHub repository, \
             https://github.com/OWNER/REPOSITORY/edit/main/{{path}}"
        ));
    }
    Ok(())
}

fn is_domain(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 253
        && name.contains('.')
        && name.split('.').all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_gets_a_trailing_slash_and_must_be_absolute() {
        assert_eq!(normalize_base_url("https://a.io/docs").unwrap(), "https://a.io/docs/");
        assert!(normalize_base_url("/docs/").is_err());
        assert!(normalize_base_url("https:///x").is_err());
        assert_eq!(normalize_base_url("https://a.io/über/%C3%A9").unwrap(), "https://a.io/%C3%BCber/%C3%A9/");
    }

    #[test]
    fn toml_dates_in_extra_reach_templates_as_the_text_written() {
        let root = tempfile::tempdir().unwrap();
        let text = "title = \"t\"\nbase_url = \"https://a.io/\"\n[extra]\nlaunched = 2026-12-07T10:30:00Z\n";
        std::fs::write(root.path().join(FILE_NAME), text).unwrap();
        let config = load(root.path(), None).unwrap();
        assert_eq!(config.extra["launched"], serde_json::json!("2026-12-07T10:30:00Z"));
    }

    #[test]
    fn cname_must_be_a_domain() {
        assert!(is_domain("docs.example.com"));
        assert!(!is_domain("https://example.com"));
        assert!(!is_domain("../x"));
    }
}
