//! The HTML of a comparison table, its downloads links and its schema.org `Dataset` JSON-LD.
//!
//! The table is built for reading by everyone: a `<caption>`, column headers with
//! `scope="col"`, one row per dimension with a row header (`scope="row"`) and a stable id, and
//! optional group sub-headings (`scope="rowgroup"`). Every value is written as text (`Yes`,
//! `High (3 of 3)`), so nothing depends on colour or icons. Every piece of data is escaped for
//! where it goes: HTML text, attribute, or JSON inside `<script>`.

use std::fmt::Write as _;

use crate::comparison::{self, Comparison, Datum, Dimension, Source};
use crate::html::escape;
use crate::site::Site;
use crate::urls;

/// What a table shows; every field has a default that shows the whole dataset.
#[derive(Debug, Clone, Default)]
pub(crate) struct Selection {
    /// Dimension ids, in the order to show them; all when `None`.
    pub(crate) dimensions: Option<Vec<String>>,
    /// Subject ids, in the order to show them; all when `None`.
    pub(crate) subjects: Option<Vec<String>>,
    /// Only the dimensions of these groups; all when `None`.
    pub(crate) groups: Option<Vec<String>>,
    /// Replaces the dataset's title as the caption.
    pub(crate) caption: Option<String>,
    /// Leaves out the one-line summaries under the row headers.
    pub(crate) hide_summaries: bool,
    /// Leaves out the group sub-headings.
    pub(crate) hide_groups: bool,
    /// Put before each dimension id to make the row ids (for two tables of one dataset on a page).
    pub(crate) id_prefix: String,
    /// Leaves out the downloads links and the JSON-LD.
    pub(crate) hide_downloads: bool,
    /// Leaves out the controls that let readers choose subjects and hide rows that agree.
    pub(crate) hide_controls: bool,
    /// Rows under sub-headings of their own (heading, dimension ids), instead of groups.
    pub(crate) sections: Option<Vec<(String, Vec<String>)>>,
    /// The name given to the data in JSON-LD when a page shows part of the dataset under a title
    /// of its own.
    pub(crate) dataset_name: Option<String>,
    /// Leaves out the block with the embed snippet and citations.
    pub(crate) hide_reuse: bool,
}

/// Where the table is shown: the site and the page, which every link is relative to.
pub(crate) struct Links<'a> {
    /// The site.
    pub(crate) site: &'a Site,
    /// The folder depth of the page showing the table.
    pub(crate) depth: usize,
    /// The site path of that page, when it is a page of the site.
    pub(crate) current: Option<String>,
}

impl Links<'_> {
    /// The link to site path `target` from the page.
    pub(crate) fn to(&self, target: &str) -> String {
        urls::link(self.depth, target, self.site.flavour)
    }

    /// The absolute URL of site path `target`.
    pub(crate) fn absolute(&self, target: &str) -> String {
        urls::absolute(&self.site.config.base_url, target)
    }

    /// The link to a generated page, unless it is the page showing the table.
    fn to_page(&self, target: Option<String>) -> Option<String> {
        target.filter(|t| self.current.as_deref() != Some(t.as_str())).map(|t| self.to(&t))
    }
}

/// Checks a selection against the dataset; the message names what is missing and suggests a
/// close match.
pub(crate) fn check(c: &Comparison, selection: &Selection) -> Result<(), String> {
    for id in selection.dimensions.iter().flatten() {
        if c.dimension(id).is_none() {
            let near = crate::suggest::closest(id, c.dimensions.iter().map(|d| d.id.as_str()));
            return Err(format!("`{}` has no dimension `{id}`{near}", c.shown.display()));
        }
    }
    for id in selection.subjects.iter().flatten() {
        if c.subject_index(id).is_none() {
            let near = crate::suggest::closest(id, c.subjects.iter().map(|s| s.id.as_str()));
            return Err(format!("`{}` has no subject `{id}`{near}", c.shown.display()));
        }
    }
    for group in selection.groups.iter().flatten() {
        if !c.dimensions.iter().any(|d| d.group.as_deref() == Some(group.as_str())) {
            let near = crate::suggest::closest(group, c.dimensions.iter().filter_map(|d| d.group.as_deref()));
            return Err(format!("`{}` has no group `{group}`{near}", c.shown.display()));
        }
    }
    Ok(())
}

/// Rows under an optional sub-heading: each dimension with its index in the dataset.
type Section<'a> = (Option<&'a str>, Vec<(usize, &'a Dimension)>);

/// A table being written: the dataset, what is shown, and the sources cited, numbered in the
/// order their first cell is shown.
struct Table<'a> {
    c: &'a Comparison,
    selection: &'a Selection,
    links: &'a Links<'a>,
    /// Subject indexes, in column order.
    subjects: Vec<usize>,
    /// Rows under their sub-headings.
    sections: Vec<Section<'a>>,
    /// Source indexes; a source's number is its place here plus one.
    cited: Vec<usize>,
    /// The prefix of the table's own ids: `<id_prefix><dataset>-`.
    ids: String,
}

/// Renders the table (after [`check`]), with the controls above it and the sources, dates,
/// downloads and reuse snippets below. The output has no blank line, so that Markdown keeps it as
/// one HTML block.
pub(crate) fn render(c: &Comparison, selection: &Selection, links: &Links<'_>) -> String {
    let table = Table::new(c, selection, links);
    let caption = selection.caption.as_deref().unwrap_or(&c.title);
    let rows: usize = table.sections.iter().map(|(_, rows)| rows.len()).sum();
    let mut html = String::with_capacity(2048 + rows * (400 + table.subjects.len() * 160));
    html.push_str("<div class=\"comparison\">\n");
    table.controls(&mut html);
    let _ = writeln!(
        html,
        "<div class=\"table-scroll\" role=\"region\" aria-label=\"{}\" tabindex=\"0\">\n\
         <table class=\"comparison-table\">\n<caption>{}</caption>",
        escape(caption),
        escape(caption)
    );
    table.head(&mut html);
    for (heading, rows) in &table.sections {
        html.push_str("<tbody>\n");
        if let Some(heading) = heading {
            let _ = writeln!(
                html,
                "<tr class=\"comparison-group\"><th scope=\"rowgroup\" colspan=\"{}\">{}</th></tr>",
                table.subjects.len() + 1,
                escape(heading)
            );
        }
        for &(index, d) in rows {
            table.row(&mut html, index, d);
        }
        html.push_str("</tbody>\n");
    }
    html.push_str("</table>\n</div>\n");
    table.checked(&mut html);
    table.sources(&mut html);
    table.pairs(&mut html);
    if !selection.hide_downloads {
        let package = links.to(crate::comparison::DATAPACKAGE);
        let _ = writeln!(
            html,
            "<p class=\"comparison-downloads\">Download this data: <a href=\"{}\" download>JSON</a>, \
             <a href=\"{}\" download>CSV</a>, <a href=\"{}\">data package</a></p>",
            escape(&links.to(&c.download_path("json"))),
            escape(&links.to(&c.download_path("csv"))),
            escape(&package)
        );
        if !selection.hide_reuse {
            reuse_html(&mut html, c, links);
        }
        let _ = writeln!(html, "<script type=\"application/ld+json\">{}</script>", table.json_ld());
    }
    html.push_str("</div>\n");
    html
}

/// The folded block under a dataset's main table: the iframe snippet that embeds the table in
/// another site, and the dataset's citation as CITATION.cff and BibTeX. It has no blank line, so
/// that Markdown keeps it in the table's HTML block.
fn reuse_html(html: &mut String, c: &Comparison, links: &Links<'_>) {
    let site = links.site;
    let url = comparison::cite::home_of(c, site, links.current.as_deref());
    html.push_str("<details class=\"comparison-reuse\"><summary>Embed or cite this data</summary>\n");
    if c.pages.embed {
        let embed = comparison::embed_path(c);
        let height = (160 + 56 * c.dimensions.len()).min(2000);
        let snippet = format!(
            "<iframe src=\"{}\" title=\"{}\" width=\"100%\" height=\"{height}\" style=\"border:0\" loading=\"lazy\"></iframe>",
            escape(&links.absolute(&embed)),
            escape(&c.title)
        );
        let _ = writeln!(
            html,
            "<p>To show this table on another site, paste this where it should appear \
             (<a href=\"{}\">see the table alone</a>):</p>\n<pre class=\"comparison-snippet\"><code>{}</code></pre>",
            escape(&links.to(&embed)),
            escape(&snippet)
        );
    }
    let _ = writeln!(
        html,
        "<p>To cite it, as <code>CITATION.cff</code>:</p>\n<pre class=\"comparison-snippet\"><code>{}</code></pre>\n\
         <p>As BibTeX:</p>\n<pre class=\"comparison-snippet\"><code>{}</code></pre>",
        escape(comparison::cite::cff(c, site, &url).trim_end()),
        escape(comparison::cite::bibtex(c, site, &url).trim_end())
    );
    html.push_str("</details>\n");
}

impl<'a> Table<'a> {
    fn new(c: &'a Comparison, selection: &'a Selection, links: &'a Links<'a>) -> Table<'a> {
        let subjects: Vec<usize> = match &selection.subjects {
            Some(ids) => ids.iter().filter_map(|id| c.subject_index(id)).collect(),
            None => (0..c.subjects.len()).collect(),
        };
        let indexed = |id: &str| c.dimensions.iter().enumerate().find(|(_, d)| d.id == id);
        let sections = match &selection.sections {
            Some(sections) => sections
                .iter()
                .map(|(heading, ids)| {
                    (Some(heading.as_str()), ids.iter().filter_map(|id| indexed(id)).collect())
                })
                .filter(|(_, rows): &(_, Vec<_>)| !rows.is_empty())
                .collect(),
            None => {
                let mut dimensions: Vec<(usize, &Dimension)> = match &selection.dimensions {
                    Some(ids) => ids.iter().filter_map(|id| indexed(id)).collect(),
                    None => c.dimensions.iter().enumerate().collect(),
                };
                if let Some(groups) = &selection.groups {
                    dimensions.retain(|(_, d)| d.group.as_ref().is_some_and(|g| groups.contains(g)));
                }
                grouped(&dimensions, !selection.hide_groups)
            }
        };
        let mut cited = Vec::new();
        for (_, rows) in &sections {
            for (_, d) in rows {
                for &s in &subjects {
                    for &source in &d.values[s].sources {
                        if !cited.contains(&source) {
                            cited.push(source);
                        }
                    }
                }
            }
        }
        let ids = format!("{}{}-", selection.id_prefix, urls::slugify(&c.id));
        Table { c, selection, links, subjects, sections, cited, ids }
    }

    /// The rows as (dimension, whether every subject shown has the same value).
    fn rows(&self) -> impl Iterator<Item = (&'a Dimension, bool)> + '_ {
        self.sections.iter().flat_map(|(_, rows)| rows).map(|&(_, d)| (d, self.same(d)))
    }

    fn same(&self, d: &Dimension) -> bool {
        let mut texts = self.subjects.iter().map(|&s| comparison::text(d, &d.values[s]));
        let first = texts.next();
        texts.all(|t| Some(&t) == first.as_ref())
    }

    /// A checkbox to hide the rows where every subject agrees, and one per subject to choose the
    /// columns: they work with CSS alone (`:has()`, in the generated `comparison.css`), so from
    /// disk and with JavaScript off; the theme's script adds a spoken summary of what is shown.
    fn controls(&self, html: &mut String) {
        if self.selection.hide_controls || self.subjects.len() < 2 {
            return;
        }
        let (same, rows) = self.rows().fold((0, 0), |(same, rows), (_, s)| (same + usize::from(s), rows + 1));
        let choose = self.subjects.len() >= 3;
        if same == 0 && !choose {
            return;
        }
        html.push_str("<div class=\"comparison-controls\">\n");
        if same > 0 && same < rows {
            html.push_str(
                "<label class=\"comparison-toggle\"><input type=\"checkbox\" class=\"comparison-only-differences\"> \
                 Show only the rows that differ</label>\n",
            );
        }
        if choose {
            html.push_str(
                "<details class=\"comparison-choose\"><summary>Choose what to compare</summary>\n\
                 <fieldset class=\"comparison-pick\"><legend>Columns shown</legend>\n",
            );
            for (column, &s) in self.subjects.iter().enumerate() {
                let _ = writeln!(
                    html,
                    "<label><input type=\"checkbox\" value=\"{}\" data-column=\"{}\" checked> {}</label>",
                    escape(&self.c.subjects[s].id),
                    column + 2,
                    escape(&self.c.subjects[s].name)
                );
            }
            html.push_str("</fieldset>\n</details>\n");
        }
        html.push_str("<p class=\"comparison-status visually-hidden\" role=\"status\"></p>\n</div>\n");
    }

    fn head(&self, html: &mut String) {
        html.push_str("<thead>\n<tr><th scope=\"col\">Dimension</th>");
        for &s in &self.subjects {
            let subject = &self.c.subjects[s];
            let name = escape(&subject.name);
            let _ = write!(html, "<th scope=\"col\" data-subject=\"{}\">", escape(&subject.id));
            match self.links.to_page(self.c.pages.subject_path(self.c, s)) {
                Some(link) => {
                    let _ = write!(html, "<a href=\"{}\">{name}</a></th>", escape(&link));
                }
                None => {
                    let _ = write!(html, "{name}</th>");
                }
            }
        }
        html.push_str("</tr>\n</thead>\n");
    }

    fn row(&self, html: &mut String, index: usize, d: &Dimension) {
        let prefix = escape(&self.selection.id_prefix);
        let _ = write!(html, "<tr id=\"{prefix}{}\"", escape(&d.id));
        if self.same(d) && self.subjects.len() > 1 {
            html.push_str(" class=\"comparison-same\"");
        }
        if d.kind.is_ordered() {
            let order = d.better.map_or("asc", comparison::Better::name);
            let _ = write!(html, " data-order=\"{order}\"");
        }
        let label = escape(&d.label);
        html.push_str("><th scope=\"row\"><span class=\"comparison-label\">");
        match self.links.to_page(self.c.pages.dimension_path(self.c, index)) {
            Some(link) => {
                let _ = write!(html, "<a href=\"{}\">{label}</a>", escape(&link));
            }
            None => html.push_str(&label),
        }
        html.push_str("</span>");
        if !self.selection.hide_summaries {
            let _ = write!(html, " <span class=\"comparison-summary\">{}</span>", escape(&d.summary));
        }
        html.push_str("</th>");
        for &s in &self.subjects {
            self.cell(html, d, s);
        }
        html.push_str("</tr>\n");
    }

    fn cell(&self, html: &mut String, d: &Dimension, s: usize) {
        let cell = &d.values[s];
        let class = match &cell.value {
            None => "comparison-na",
            Some(Datum::Boolean(true)) => "comparison-yes",
            Some(Datum::Boolean(false)) => "comparison-no",
            Some(Datum::Rating(_)) => "comparison-rating",
            Some(Datum::Number(_)) => "comparison-number",
            Some(Datum::Text(_)) => "comparison-text",
        };
        let id = format!("{}{}", self.selection.id_prefix, d.cell_id(&self.c.subjects[s]));
        let _ = write!(html, "<td id=\"{}\" class=\"{class}\"", escape(&id));
        if let (Some(Datum::Rating(r)), comparison::Kind::Rating(scale)) = (&cell.value, &d.kind) {
            let _ = write!(html, " data-rating=\"{r}\" data-max=\"{}\"", scale.max);
        }
        if let Some(n) = cell.number() {
            let _ = write!(html, " data-sort=\"{n}\"");
        }
        let _ =
            write!(html, "><span class=\"comparison-value\">{}</span>", escape(&comparison::text(d, cell)));
        if let Some(note) = &cell.note {
            let _ = write!(html, " <span class=\"comparison-note\">{}</span>", escape(note));
        }
        cite_html(html, &self.ids, cell.sources.iter().map(|&source| self.number(source)));
        html.push_str("</td>");
    }

    fn number(&self, source: usize) -> usize {
        self.cited.iter().position(|&s| s == source).map_or(0, |i| i + 1)
    }

    /// "Facts checked 2026-11": the newest date of the facts shown.
    fn checked(&self, html: &mut String) {
        let cells = self.rows().flat_map(|(d, _)| self.subjects.iter().map(|&s| &d.values[s]));
        checked_html(html, self.c.checked(cells));
    }

    /// The sources cited, numbered, each with the id its cells link to.
    fn sources(&self, html: &mut String) {
        sources_html(html, self.c, &self.ids, &self.cited);
    }

    /// Links to the pair pages among the subjects shown, folded away.
    fn pairs(&self, html: &mut String) {
        let mut links = Vec::new();
        for (i, &a) in self.subjects.iter().enumerate() {
            for &b in &self.subjects[i + 1..] {
                let (a, b) = (a.min(b), a.max(b));
                if let Some(link) = self.links.to_page(self.c.pages.pair_path(self.c, a, b)) {
                    links.push((a, b, link));
                }
            }
        }
        if links.is_empty() {
            return;
        }
        links.sort_unstable();
        let _ = writeln!(
            html,
            "<details class=\"comparison-pairs\"><summary>Two at a time ({} {})</summary>\n<ul>",
            links.len(),
            if links.len() == 1 { "page" } else { "pages" }
        );
        for (a, b, link) in links {
            let (a, b) = (&self.c.subjects[a].name, &self.c.subjects[b].name);
            let _ =
                writeln!(html, "<li><a href=\"{}\">{} vs {}</a></li>", escape(&link), escape(a), escape(b));
        }
        html.push_str("</ul>\n</details>\n");
    }

    /// schema.org `Dataset` describing the data shown, its downloads and its sources.
    fn json_ld(&self) -> String {
        let (c, links) = (self.c, self.links);
        let mut dataset = serde_json::json!({
            "@context": "https://schema.org",
            "@type": "Dataset",
            "name": self.selection.dataset_name.as_deref().unwrap_or(&c.title),
            "description": c.description.as_deref().unwrap_or(&c.title),
            "variableMeasured": c.dimensions.iter().map(|d| d.label.as_str()).collect::<Vec<_>>(),
            "distribution": [
                {"@type": "DataDownload", "encodingFormat": "application/json", "contentUrl": links.absolute(&c.download_path("json"))},
                {"@type": "DataDownload", "encodingFormat": "text/csv", "contentUrl": links.absolute(&c.download_path("csv"))},
            ],
        });
        if let Some(url) = &links.current {
            dataset["url"] = links.absolute(url).into();
        }
        if let Some(license) = &c.license {
            dataset["license"] = license.as_str().into();
        }
        let cells = self.rows().flat_map(|(d, _)| self.subjects.iter().map(|&s| &d.values[s]));
        if let Some(date) = c.checked(cells) {
            dataset["dateModified"] = date.ymd().into();
        }
        if !self.cited.is_empty() {
            let citations: Vec<serde_json::Value> =
                self.cited.iter().map(|&s| citation(&c.sources[s])).collect();
            dataset["citation"] = citations.into();
        }
        script_json(&dataset)
    }
}

/// Dimensions by group in the order groups first appear; one unnamed group when groups are off
/// or no dimension has one.
fn grouped<'a>(dimensions: &[(usize, &'a Dimension)], by_group: bool) -> Vec<Section<'a>> {
    if !by_group || dimensions.iter().all(|(_, d)| d.group.is_none()) {
        return vec![(None, dimensions.to_vec())];
    }
    let mut groups: Vec<Section<'a>> = Vec::new();
    for &(i, d) in dimensions {
        let key = d.group.as_deref();
        match groups.iter_mut().find(|(g, _)| *g == key) {
            Some((_, rows)) => rows.push((i, d)),
            None => groups.push((key, vec![(i, d)])),
        }
    }
    // Dimensions without a group come first, under no sub-heading.
    groups.sort_by_key(|(g, _)| g.is_some());
    groups
}

/// A value's links to its sources, by their `numbers` in the list under its table, whose ids
/// start with `ids`: one superscript for them all, `[1, 4]`.
pub(crate) fn cite_html(html: &mut String, ids: &str, numbers: impl IntoIterator<Item = usize>) {
    let mut numbers = numbers.into_iter().peekable();
    if numbers.peek().is_none() {
        return;
    }
    let ids = escape(ids);
    html.push_str("<sup class=\"comparison-cite\"><span class=\"visually-hidden\">sources </span>[");
    for (i, number) in numbers.enumerate() {
        if i > 0 {
            html.push_str(", ");
        }
        let _ = write!(html, "<a href=\"#{ids}source-{number}\">{number}</a>");
    }
    html.push_str("]</sup>");
}

/// "Facts checked 2026-11", when the facts shown have a date.
pub(crate) fn checked_html(html: &mut String, date: Option<&crate::date::Date>) {
    if let Some(date) = date {
        let _ = writeln!(
            html,
            "<p class=\"comparison-checked\">Facts checked <time datetime=\"{}\">{}</time></p>",
            date.ymd(),
            &date.ymd()[..7]
        );
    }
}

/// The numbered list of the sources `cited` (indexes into the dataset's sources), each with the
/// id its values link to (`<ids>source-<n>`).
pub(crate) fn sources_html(html: &mut String, c: &Comparison, ids: &str, cited: &[usize]) {
    if cited.is_empty() {
        return;
    }
    let ids = escape(ids);
    let _ = writeln!(
        html,
        "<p class=\"comparison-sources-title\" id=\"{ids}sources\">Sources</p>\n\
         <ol class=\"comparison-sources\" aria-labelledby=\"{ids}sources\">"
    );
    for (i, &source) in cited.iter().enumerate() {
        let _ = write!(html, "<li id=\"{ids}source-{}\">", i + 1);
        source_html(html, &c.sources[source]);
        html.push_str("</li>\n");
    }
    html.push_str("</ol>\n");
}

/// One source in the list under a table: its title, publisher, address (a link only when it is
/// an `http(s)` address, named by its host), when it was read, and its note.
pub(crate) fn source_html(html: &mut String, source: &Source) {
    let host = source.url.as_deref().and_then(|u| crate::comparison::sources::host(u).map(|h| (u, h)));
    match (&source.title, host) {
        (Some(title), _) => {
            let _ = write!(html, "<cite>{}</cite>", escape(title));
        }
        (None, Some((url, _))) => {
            // A bare address is its own title: shown without its scheme, shortened if long.
            let shown = url.split_once("://").map_or(url, |(_, rest)| rest).trim_end_matches('/');
            let shown = match shown.char_indices().nth(64) {
                Some((i, _)) => format!("{}…", &shown[..i]),
                None => shown.to_string(),
            };
            let _ = write!(html, "<a href=\"{}\">{}</a>", escape(url), escape(&shown));
        }
        (None, None) => html.push_str(&escape(source.url.as_deref().unwrap_or_default())),
    }
    if let Some(publisher) = &source.publisher {
        let _ = write!(html, ", {}", escape(publisher));
    }
    if let (Some(_), Some((url, host))) = (&source.title, host) {
        let _ = write!(html, ", <a href=\"{}\">{}</a>", escape(url), escape(host));
    }
    if let Some(accessed) = &source.accessed {
        let date = accessed.value.ymd();
        let _ = write!(html, ", accessed <time datetime=\"{date}\">{date}</time>");
    }
    if let Some(note) = &source.note {
        let _ = write!(html, ". {}", escape(note));
    }
}

/// A source as a schema.org `CreativeWork`.
fn citation(source: &Source) -> serde_json::Value {
    let mut work = serde_json::json!({"@type": "CreativeWork", "name": source.label()});
    if let Some(url) = &source.url {
        work["url"] = url.as_str().into();
    }
    if let Some(publisher) = &source.publisher {
        work["publisher"] = serde_json::json!({"@type": "Organization", "name": publisher});
    }
    work
}

/// JSON that is safe inside `<script>`: `<`, `>` and `&` are written as `\u` escapes, so no value
/// can close the element, and U+2028/U+2029 are escaped for older JavaScript parsers.
pub(crate) fn script_json(value: &serde_json::Value) -> String {
    let text = value.to_string();
    let mut out = String::with_capacity(text.len() + 16);
    for ch in text.chars() {
        match ch {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Template functions

/// What `comparison(dataset=…)` gives templates: the dataset as the JSON download has it, with
/// links to the downloads, the embeddable table and the generated pages.
pub(crate) fn template_value(c: &Comparison, links: &Links<'_>) -> serde_json::Value {
    let mut value = c.to_json();
    value["downloads"] = serde_json::json!({
        "json": links.to(&c.download_path("json")),
        "csv": links.to(&c.download_path("csv")),
        "datapackage": links.to(crate::comparison::DATAPACKAGE),
    });
    let r = &c.pages;
    let pairs: Vec<serde_json::Value> = r
        .pairs
        .iter()
        .filter_map(|&(a, b)| {
            let path = r.pair_path(c, a, b)?;
            let (a, b) = (&c.subjects[a], &c.subjects[b]);
            let title = format!("{} vs {}", a.name, b.name);
            Some(serde_json::json!({"title": title, "subjects": [a.id, b.id], "url": links.to(&path)}))
        })
        .collect();
    let by_id = |paths: Vec<(String, Option<String>)>| -> serde_json::Map<String, serde_json::Value> {
        paths.into_iter().filter_map(|(id, path)| Some((id, links.to(&path?).into()))).collect()
    };
    let subjects =
        by_id(c.subjects.iter().enumerate().map(|(i, s)| (s.id.clone(), r.subject_path(c, i))).collect());
    let dimensions =
        by_id(c.dimensions.iter().enumerate().map(|(i, d)| (d.id.clone(), r.dimension_path(c, i))).collect());
    value["pages"] = serde_json::json!({"pairs": pairs, "subjects": subjects, "dimensions": dimensions});
    value["embed"] = r.embed.then(|| links.to(&crate::comparison::embed_path(c))).into();
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_json_cannot_close_the_script_element() {
        let v = serde_json::json!({"name": "</script><script>alert(1)</script>\u{2028}&"});
        let out = script_json(&v);
        assert!(!out.contains('<') && !out.contains('>'), "{out}");
        assert_eq!(
            out,
            r#"{"name":"\u003c/script\u003e\u003cscript\u003ealert(1)\u003c/script\u003e\u2028\u0026"}"#
        );
        let back: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(back, v);
    }
}
