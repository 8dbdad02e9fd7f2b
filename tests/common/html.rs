//! Just enough HTML and CSS reading for the output checks: start tags with their attributes (and
//! lines), the contents of `<style>` elements, `url(…)` and `@import` in CSS, `srcset` candidates, and
//! resolving a reference found in a page to a file of the output.

/// A start tag: its lowercased name, attributes (lowercased names, decoded values) and 1-based line.
#[derive(Debug, Clone)]
pub(crate) struct Tag {
    pub(crate) name: String,
    pub(crate) attrs: Vec<(String, String)>,
    pub(crate) line: usize,
}

impl Tag {
    /// The value of attribute `name`, if present.
    pub(crate) fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// The whitespace-separated, lowercased tokens of attribute `name` (`rel`, `class`).
    pub(crate) fn tokens(&self, name: &str) -> Vec<String> {
        self.attr(name).unwrap_or("").split_ascii_whitespace().map(|t| t.to_ascii_lowercase()).collect()
    }
}

/// What [`parse`] finds in a document.
#[derive(Debug, Default)]
pub(crate) struct Document {
    pub(crate) tags: Vec<Tag>,
    /// The text of every `<style>` element, with the line it starts on.
    pub(crate) styles: Vec<(usize, String)>,
}

impl Document {
    /// The start tags named `name`.
    pub(crate) fn named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Tag> + 'a {
        self.tags.iter().filter(move |t| t.name == name)
    }

    /// The `href` of the first `<base>` element, if any.
    pub(crate) fn base_href(&self) -> Option<&str> {
        self.named("base").find_map(|t| t.attr("href"))
    }

    /// Whether the page is only a redirect: it holds a `<meta http-equiv="refresh">`.
    pub(crate) fn is_redirect(&self) -> bool {
        self.named("meta").any(|t| t.attr("http-equiv").is_some_and(|v| v.eq_ignore_ascii_case("refresh")))
    }
}

/// Elements whose content is text, not markup.
const RAW_TEXT: [&str; 5] = ["script", "style", "textarea", "title", "xmp"];

/// Reads the start tags of `html`, skipping comments, doctype, end tags and raw-text contents.
pub(crate) fn parse(html: &str) -> Document {
    let bytes = html.as_bytes();
    let mut doc = Document::default();
    let (mut i, mut line, mut counted) = (0, 1, 0);
    let mut line_at = |pos: usize| {
        line += bytes[counted..pos].iter().filter(|&&b| b == b'\n').count();
        counted = pos;
        line
    };
    while let Some(offset) = html[i..].find('<') {
        let start = i + offset;
        let rest = &html[start..];
        if rest.starts_with("<!--") {
            i = rest.find("-->").map_or(html.len(), |end| start + end + 3);
        } else if rest.starts_with("<!") || rest.starts_with("<?") || rest.starts_with("</") {
            i = rest.find('>').map_or(html.len(), |end| start + end + 1);
        } else if rest[1..].starts_with(|c: char| c.is_ascii_alphabetic()) {
            let (tag, end) = read_tag(html, start, line_at(start));
            i = end;
            if RAW_TEXT.contains(&tag.name.as_str()) {
                let close = format!("</{}", tag.name);
                let content_end = find_ignore_case(&html[i..], &close).map_or(html.len(), |p| i + p);
                if tag.name == "style" {
                    doc.styles.push((line_at(i), html[i..content_end].to_string()));
                }
                i = content_end;
            }
            doc.tags.push(tag);
        } else {
            i = start + 1;
        }
    }
    doc
}

fn find_ignore_case(haystack: &str, needle: &str) -> Option<usize> {
    haystack.to_ascii_lowercase().find(&needle.to_ascii_lowercase())
}

/// Reads the start tag beginning at `start` (on `<`); returns it and the position after its `>`.
fn read_tag(html: &str, start: usize, line: usize) -> (Tag, usize) {
    let bytes = html.as_bytes();
    let mut i = start + 1;
    let name_end = |i: usize| {
        let mut j = i;
        while j < bytes.len() && !bytes[j].is_ascii_whitespace() && !b"/>".contains(&bytes[j]) {
            j += 1;
        }
        j
    };
    let end = name_end(i);
    let name = html[i..end].to_ascii_lowercase();
    i = end;
    let mut attrs = Vec::new();
    loop {
        while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
            i += 1;
        }
        if i >= bytes.len() {
            break;
        }
        if bytes[i] == b'>' {
            i += 1;
            break;
        }
        let mut j = i;
        while j < bytes.len() && !bytes[j].is_ascii_whitespace() && !b"/>=".contains(&bytes[j]) {
            j += 1;
        }
        if j == i {
            // A stray `=`: skip it.
            i += 1;
            continue;
        }
        let attr = html[i..j].to_ascii_lowercase();
        i = j;
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut value = String::new();
        if i < bytes.len() && bytes[i] == b'=' {
            i += 1;
            while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            if i < bytes.len() && (bytes[i] == b'"' || bytes[i] == b'\'') {
                let quote = bytes[i] as char;
                let close = html[i + 1..].find(quote).map_or(html.len(), |p| i + 1 + p);
                value = decode_entities(&html[i + 1..close]);
                i = (close + 1).min(html.len());
            } else {
                let mut k = i;
                while k < bytes.len() && !bytes[k].is_ascii_whitespace() && bytes[k] != b'>' {
                    k += 1;
                }
                value = decode_entities(&html[i..k]);
                i = k;
            }
        }
        attrs.push((attr, value));
    }
    (Tag { name, attrs, line }, i)
}

/// Decodes the character references that matter in URLs: `&amp;`, `&quot;`, `&apos;`, `&lt;`, `&gt;`,
/// `&colon;`, `&sol;`, `&#NN;` and `&#xHH;`.
pub(crate) fn decode_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let end = rest.find(';').filter(|&e| e <= 10);
        let decoded = end.and_then(|e| {
            let entity = &rest[1..e];
            let c = match entity {
                "amp" => Some('&'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "colon" => Some(':'),
                "sol" => Some('/'),
                _ if entity.starts_with("#x") || entity.starts_with("#X") => {
                    u32::from_str_radix(&entity[2..], 16).ok().and_then(char::from_u32)
                }
                _ if entity.starts_with('#') => entity[1..].parse().ok().and_then(char::from_u32),
                _ => None,
            };
            c.map(|c| (c, e + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The URLs a stylesheet loads: every `url(…)` and every `@import "…"`, with the 1-based line of each
/// (counted from `first_line`). Comments are skipped.
pub(crate) fn css_urls(css: &str, first_line: usize) -> Vec<(usize, String)> {
    let bytes = css.as_bytes();
    let lower = css.to_ascii_lowercase();
    let mut found = Vec::new();
    let mut i = 0;
    let mut line = first_line;
    while i < bytes.len() {
        if bytes[i] == b'\n' {
            line += 1;
            i += 1;
        } else if lower[i..].starts_with("/*") {
            let end = lower[i + 2..].find("*/").map_or(bytes.len(), |p| i + 2 + p + 2);
            line += bytes[i..end].iter().filter(|&&b| b == b'\n').count();
            i = end;
        } else if bytes[i] == b'"' || bytes[i] == b'\'' {
            // A string outside `url(` or `@import`: skip it whole.
            let (_, end) = css_string(css, i);
            i = end;
        } else if lower[i..].starts_with("url(") {
            let mut j = i + 4;
            while j < bytes.len() && bytes[j].is_ascii_whitespace() {
                j += 1;
            }
            let (value, end) = if j < bytes.len() && (bytes[j] == b'"' || bytes[j] == b'\'') {
                css_string(css, j)
            } else {
                let end = css[j..].find(')').map_or(bytes.len(), |p| j + p);
                (css[j..end].trim().to_string(), end)
            };
            found.push((line, value));
            i = end;
        } else if lower[i..].starts_with("@import") {
            let mut j = i + 7;
            while j < bytes.len() && bytes[j].is_ascii_whitespace() {
                j += 1;
            }
            if j < bytes.len() && (bytes[j] == b'"' || bytes[j] == b'\'') {
                let (value, end) = css_string(css, j);
                found.push((line, value));
                i = end;
            } else {
                // `@import url(…)`: the `url(` branch picks it up.
                i = j;
            }
        } else {
            i += 1;
        }
    }
    found
}

/// Reads the CSS string starting at the quote at `start`; returns its value and the position after it.
fn css_string(css: &str, start: usize) -> (String, usize) {
    let bytes = css.as_bytes();
    let quote = bytes[start];
    let mut value = String::new();
    let mut j = start + 1;
    while j < bytes.len() && bytes[j] != quote && bytes[j] != b'\n' {
        if bytes[j] == b'\\' && j + 1 < bytes.len() {
            j += 1;
        }
        let c = css[j..].chars().next().unwrap();
        value.push(c);
        j += c.len_utf8();
    }
    (value, (j + 1).min(bytes.len()))
}

/// The URLs of a `srcset` attribute (descriptors dropped).
pub(crate) fn srcset_urls(srcset: &str) -> Vec<String> {
    let mut urls = Vec::new();
    let mut rest = srcset;
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace() || c == ',');
        if rest.is_empty() {
            break;
        }
        let end = rest.find(|c: char| c.is_ascii_whitespace()).unwrap_or(rest.len());
        let url = &rest[..end];
        if let Some(url) = url.strip_suffix(',') {
            urls.push(url.trim_end_matches(',').to_string());
            rest = &rest[end..];
            continue;
        }
        urls.push(url.to_string());
        rest = &rest[end..];
        // Skip the descriptors, up to the next comma outside parentheses.
        let mut depth = 0;
        let mut cut = rest.len();
        for (k, c) in rest.char_indices() {
            match c {
                '(' => depth += 1,
                ')' => depth -= 1,
                ',' if depth <= 0 => {
                    cut = k;
                    break;
                }
                _ => {}
            }
        }
        rest = &rest[cut..];
    }
    urls
}

/// Whether a URL found in a page or stylesheet points outside the site: `//host/…`, or any scheme but
/// `data:`, `blob:`, `about:` and `javascript:` (so `http:`, `https:`, `ftp:` …).
pub(crate) fn is_external(url: &str) -> bool {
    // Browsers drop leading and trailing spaces and every tab and newline before parsing.
    let url: String = url.trim().chars().filter(|c| !matches!(c, '\t' | '\n' | '\r')).collect();
    let lower = url.to_ascii_lowercase();
    if lower.starts_with("//")
        || lower.starts_with("\\\\")
        || lower.starts_with("/\\")
        || lower.starts_with("\\/")
    {
        return true;
    }
    match scheme(&lower) {
        Some(scheme) => !["data", "blob", "about", "javascript"].contains(&scheme),
        None => false,
    }
}

/// The scheme of a URL, if it has one.
fn scheme(url: &str) -> Option<&str> {
    let colon = url.find(':')?;
    let scheme = &url[..colon];
    let valid = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    valid.then_some(scheme)
}

/// Resolves `href`, found in the output file `from` (a `/`-separated path relative to the output root,
/// such as `overview/index.html`), to the output-relative path it loads. `base` is the page's
/// `<base href>`, if any; `prefix` is the URL path the site is served under (`/` or `/repo/`).
/// `None` for what is not a file of the site: external URLs, `data:`, fragments, paths outside the
/// prefix or above the root.
pub(crate) fn resolve(from: &str, base: Option<&str>, href: &str, prefix: &str) -> Option<String> {
    let href = href.trim();
    if href.is_empty()
        || href.starts_with('#')
        || is_external(href)
        || scheme(&href.to_ascii_lowercase()).is_some()
    {
        return None;
    }
    let path = href.split(['?', '#']).next().unwrap_or("");
    let path = super::server::percent_decode(path)?;
    let dir = match base.map(str::trim) {
        Some(base) if base.starts_with('/') && !base.starts_with("//") => {
            let base = super::server::percent_decode(base.split(['?', '#']).next().unwrap_or(""))?;
            let in_site = within_prefix(&base, prefix)?;
            in_site.rsplit_once('/').map_or("", |(dir, _)| dir).to_string()
        }
        Some(base)
            if !base.is_empty() && scheme(&base.to_ascii_lowercase()).is_none() && !is_external(base) =>
        {
            let base = resolve(from, None, base, prefix)?;
            base.rsplit_once('/').map_or("", |(dir, _)| dir).to_string()
        }
        _ => from.rsplit_once('/').map_or("", |(dir, _)| dir).to_string(),
    };
    let joined = if path.starts_with('/') {
        within_prefix(&path, prefix)?.to_string()
    } else if dir.is_empty() {
        path.clone()
    } else {
        format!("{dir}/{path}")
    };
    let mut parts: Vec<&str> = Vec::new();
    for segment in joined.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    let mut resolved = parts.join("/");
    if (joined.ends_with('/') || joined.is_empty() || joined.ends_with("/.") || joined.ends_with("/.."))
        && !resolved.is_empty()
    {
        resolved.push('/');
    }
    Some(resolved)
}

/// The part of the absolute URL path `path` inside the site served under `prefix` (`/` or `/repo/`),
/// without a leading `/`; `None` when it is outside.
fn within_prefix<'a>(path: &'a str, prefix: &str) -> Option<&'a str> {
    let prefix = prefix.trim_matches('/');
    let path = path.strip_prefix('/')?;
    if prefix.is_empty() {
        return Some(path);
    }
    if path == prefix {
        return Some("");
    }
    path.strip_prefix(prefix)?.strip_prefix('/')
}
