//! `[pages]`: the pages a dataset asks for, made into pages of the site.
//!
//! ```toml
//! [pages]
//! path = "compare/"                               # the folder they live in (the default)
//! pairs = [["lte-m", "nb-iot", "lorawan"], ["mqtt", "coap"]]   # or "all"
//! max_pairs = 100                                 # more pairs than this is an error
//! subjects = true                                 # or a list of subject ids
//! dimensions = ["range"]                          # or true
//! feed = false                                    # whether they join the Atom feed
//! embed = true                                    # the embeddable table under `embed/`
//! ```
//!
//! Each list under `pairs` asks for a page for every pair of its subjects; a pair's page is at
//! `<path><a>-vs-<b>/` with the two in the file's order, and the reverse order redirects to it. A
//! subject's page is at `<path><subject>/`, a dimension's at `<path>by-<dimension>/`.
//!
//! The pages are [`Page`]s like those of `content/` (so they are in the sitemap, the search
//! index, the link and anchor checks, and in the listing of the section whose folder holds them),
//! rendered with the templates `comparison-pair.html`, `comparison-subject.html` and
//! `comparison-dimension.html`; their content is made by [`super::view`].

use std::sync::Arc;

use super::validate::Validator;
use super::{Comparison, Dimension, Subject};
use crate::data::Data;
use crate::date::Date;
use crate::error::Position;
use crate::front_matter::FrontMatter;
use crate::located::{Node, Value};
use crate::page::{Generated, Kind, Page};

/// The folder of the generated pages when `path` is not given.
pub(crate) const DEFAULT_PATH: &str = "compare/";

/// How many pair pages a dataset may ask for when `max_pairs` is not given.
pub(crate) const DEFAULT_MAX_PAIRS: usize = 100;

const KEYS: [&str; 7] = ["path", "pairs", "max_pairs", "subjects", "dimensions", "feed", "embed"];

/// What a dataset's `[pages]` asks for.
#[derive(Debug, Clone)]
pub(crate) struct Request {
    /// The site folder of the pages, ending in `/` (or empty for the site root).
    pub(crate) path: String,
    /// Pairs of subject indexes, each in the file's order, sorted.
    pub(crate) pairs: Vec<(usize, usize)>,
    /// Subjects with a page of their own.
    pub(crate) subjects: Vec<usize>,
    /// Dimensions with a page of their own.
    pub(crate) dimensions: Vec<usize>,
    /// Whether the pages join the Atom feed (dated by when their facts were checked).
    pub(crate) feed: bool,
    /// Whether the dataset gets an embeddable table under `embed/`.
    pub(crate) embed: bool,
    /// Where `[pages]` and each of its keys are written, for errors found later.
    pub(crate) at: Position,
    /// Where `pairs`, `subjects` and `dimensions` are written.
    pub(crate) kinds_at: [Position; 3],
}

impl Default for Request {
    fn default() -> Self {
        Request {
            path: DEFAULT_PATH.into(),
            pairs: Vec::new(),
            subjects: Vec::new(),
            dimensions: Vec::new(),
            feed: false,
            embed: true,
            at: Position::new(1, 1),
            kinds_at: [Position::new(1, 1); 3],
        }
    }
}

impl Request {
    /// The site path of the page of pair `(a, b)`, if it has one (in either order).
    pub(crate) fn pair_path(&self, c: &Comparison, a: usize, b: usize) -> Option<String> {
        let (a, b) = (a.min(b), a.max(b));
        self.pairs.contains(&(a, b)).then(|| pair_path(&self.path, &c.subjects[a], &c.subjects[b]))
    }

    /// The site path of subject `s`'s page, if it has one.
    pub(crate) fn subject_path(&self, c: &Comparison, s: usize) -> Option<String> {
        self.subjects.contains(&s).then(|| format!("{}{}/", self.path, c.subjects[s].id))
    }

    /// The site path of dimension `d`'s page, if it has one.
    pub(crate) fn dimension_path(&self, c: &Comparison, d: usize) -> Option<String> {
        self.dimensions.contains(&d).then(|| dimension_path(&self.path, &c.dimensions[d]))
    }
}

fn pair_path(path: &str, a: &Subject, b: &Subject) -> String {
    format!("{path}{}-vs-{}/", a.id, b.id)
}

fn dimension_path(path: &str, d: &Dimension) -> String {
    format!("{path}by-{}/", d.id)
}

/// The pages every dataset of `data` asks for, in the order of datasets, then pairs, subjects and
/// dimensions. A page is dated (`updated`, and `date` when it joins the feed) by when its facts
/// were last checked.
pub(crate) fn generate(data: &Data) -> Vec<Page> {
    let mut pages = Vec::new();
    for c in data.comparisons.values() {
        let r = &c.pages;
        let kinds = r.pairs.iter().map(|&(a, b)| (Kind::Pair(a, b), r.kinds_at[0]));
        let kinds = kinds
            .chain(r.subjects.iter().map(|&s| (Kind::Subject(s), r.kinds_at[1])))
            .chain(r.dimensions.iter().map(|&d| (Kind::Dimension(d), r.kinds_at[2])));
        for (kind, at) in kinds {
            let what = match kind {
                Kind::Pair(a, b) => format!("the pair page `{}` vs `{}`", c.subjects[a].id, c.subjects[b].id),
                Kind::Subject(s) => format!("the subject page `{}`", c.subjects[s].id),
                Kind::Dimension(d) => format!("the dimension page `{}`", c.dimensions[d].id),
            };
            let generated = Generated { dataset: c.id.clone(), shown: c.shown.clone(), kind, at, what };
            pages.push(page(c, generated));
        }
    }
    pages
}

/// One generated page, with its title, description, address and template.
fn page(c: &Comparison, generated: Generated) -> Page {
    let r = &c.pages;
    let (title, description, path, aliases) = match generated.kind {
        Kind::Pair(a, b) => {
            let (sa, sb) = (&c.subjects[a], &c.subjects[b]);
            let description = format!(
                "{} and {} compared on {} aspects from “{}”: where they differ, and where they agree.",
                sa.name,
                sb.name,
                c.dimensions.len(),
                c.title
            );
            let reverse = pair_path(&r.path, sb, sa);
            (format!("{} vs {}", sa.name, sb.name), description, pair_path(&r.path, sa, sb), vec![reverse])
        }
        Kind::Subject(s) => {
            let subject = &c.subjects[s];
            let description = match &subject.description {
                Some(d) => {
                    format!("{}: {d}. Every aspect from “{}”, with notes and sources.", subject.name, c.title)
                }
                None => format!("{}: every aspect from “{}”, with notes and sources.", subject.name, c.title),
            };
            (subject.name.clone(), description, format!("{}{}/", r.path, subject.id), Vec::new())
        }
        Kind::Dimension(d) => {
            let dimension = &c.dimensions[d];
            let how = if dimension.kind.is_ordered() { "ranked" } else { "grouped" };
            let description = format!(
                "{}: every subject of “{}” {how} by its value.",
                dimension.summary.trim_end_matches('.'),
                c.title
            );
            (
                format!("{} compared", dimension.label),
                description,
                dimension_path(&r.path, dimension),
                Vec::new(),
            )
        }
    };
    let checked = checked(c, generated.kind).cloned();
    let front = FrontMatter {
        title,
        description: Some(description),
        date: checked.clone().filter(|_| r.feed),
        updated: checked,
        draft: false,
        weight: None,
        slug: None,
        template: Some(generated.kind.template().to_string()),
        tags: Vec::new(),
        aliases,
        in_search: true,
        paginate_by: None,
        extra: serde_json::Map::new(),
    };
    let source = format!("@{}/{}/{}", c.shown.display(), generated.kind.name(), path.trim_end_matches('/'));
    Page::generated(source, path, front, Arc::new(generated))
}

/// When the facts a generated page shows were last checked.
pub(crate) fn checked(c: &Comparison, kind: Kind) -> Option<&Date> {
    match kind {
        Kind::Pair(a, b) => c.checked(c.dimensions.iter().flat_map(|d| [&d.values[a], &d.values[b]])),
        Kind::Subject(s) => c.checked(c.dimensions.iter().map(|d| &d.values[s])),
        Kind::Dimension(d) => c.checked(&c.dimensions[d].values),
    }
}

impl Validator<'_> {
    /// `[pages]`, checked against the subjects and dimensions.
    pub(super) fn pages(&mut self, root: &Node, subjects: &[Subject], dimensions: &[Dimension]) -> Request {
        let mut request = Request::default();
        let Some(node) = root.get("pages") else { return request };
        let what = "`[pages]`";
        if node.entries().is_none() {
            self.error(
                node.at,
                format!("`pages` must be a table (`[pages]`), not {}", node.value.describe()),
            );
            return request;
        }
        request.at = root
            .entries()
            .unwrap_or_default()
            .iter()
            .find(|e| e.key == "pages")
            .map_or(node.at, |e| e.key_at);
        self.known_keys(node, &KEYS, what);
        if let Some(path) = self.text(node, "path", what, false) {
            let at = node.get("path").map_or(node.at, |n| n.at);
            match folder(&path) {
                Ok(folder) => request.path = folder,
                Err(m) => self.error(at, format!("`path` of {what}: {m}")),
            }
        }
        request.feed = self.boolean(node, "feed", what).unwrap_or(false);
        request.embed = self.boolean(node, "embed", what).unwrap_or(true);
        let ids: Vec<&str> = subjects.iter().map(|s| s.id.as_str()).collect();
        if let Some(pairs) = node.get("pairs") {
            request.kinds_at[0] = pairs.at;
            request.pairs = self.pairs(pairs, &ids);
            self.max_pairs(node, pairs.at, request.pairs.len(), subjects.len());
        }
        if let Some(list) = node.get("subjects") {
            request.kinds_at[1] = list.at;
            request.subjects = self.chosen(list, "subjects", &ids);
        }
        let dimension_ids: Vec<&str> = dimensions.iter().map(|d| d.id.as_str()).collect();
        if let Some(list) = node.get("dimensions") {
            request.kinds_at[2] = list.at;
            request.dimensions = self.chosen(list, "dimensions", &dimension_ids);
        }
        request
    }

    /// `pairs = "all"`, or lists of subject ids, each asking for every pair among its subjects.
    fn pairs(&mut self, node: &Node, ids: &[&str]) -> Vec<(usize, usize)> {
        let mut pairs = Vec::new();
        if ids.len() < 3 {
            self.error(
                node.at,
                "`pairs` of `[pages]` needs a dataset of three subjects or more: with two, the \
                 dataset's own table is their comparison",
            );
            return pairs;
        }
        let groups: Vec<Vec<usize>> = match &node.value {
            Value::Str(s) if s == "all" => vec![(0..ids.len()).collect()],
            Value::Seq(groups) => groups.iter().filter_map(|group| self.pair_group(group, ids)).collect(),
            other => {
                self.error(
                    node.at,
                    format!(
                        "`pairs` of `[pages]` must be `\"all\"` or a list of lists of subject ids, such as \
                         [[\"{}\", \"{}\"]], not {}",
                        ids[0],
                        ids[1],
                        other.describe()
                    ),
                );
                return pairs;
            }
        };
        for group in groups {
            for (i, &a) in group.iter().enumerate() {
                for &b in &group[i + 1..] {
                    pairs.push((a.min(b), a.max(b)));
                }
            }
        }
        pairs.sort_unstable();
        pairs.dedup();
        pairs
    }

    /// One list under `pairs`: two subjects or more, each once.
    fn pair_group(&mut self, group: &Node, ids: &[&str]) -> Option<Vec<usize>> {
        let Value::Seq(items) = &group.value else {
            self.error(
                group.at,
                format!(
                    "each entry of `pairs` must be a list of two subject ids or more, such as [\"{}\", \"{}\"], \
                     not {}",
                    ids[0],
                    ids[1],
                    group.value.describe()
                ),
            );
            return None;
        };
        if items.len() < 2 {
            self.error(
                group.at,
                "each entry of `pairs` needs two subject ids or more: a pair is two subjects",
            );
            return None;
        }
        let mut chosen = Vec::new();
        for item in items {
            let index = self.id_ref(item, ids, "`pairs`")?;
            if chosen.contains(&index) {
                self.error(item.at, format!("`{}` is named twice in this entry of `pairs`", ids[index]));
                return None;
            }
            chosen.push(index);
        }
        Some(chosen)
    }

    /// `max_pairs`: how many pair pages the rule may make.
    fn max_pairs(&mut self, node: &Node, pairs_at: Position, count: usize, subjects: usize) {
        let max = match node.get("max_pairs") {
            None => DEFAULT_MAX_PAIRS,
            Some(Node { value: Value::Number(n), at }) => match n.as_u64() {
                Some(n) if n > 0 => n as usize,
                _ => {
                    self.error(
                        *at,
                        format!("`max_pairs` of `[pages]` must be a whole number above 0, not `{n}`"),
                    );
                    return;
                }
            },
            Some(other) => {
                self.error(
                    other.at,
                    format!(
                        "`max_pairs` of `[pages]` must be a whole number, not {}",
                        other.value.describe()
                    ),
                );
                return;
            }
        };
        if count > max {
            let possible = subjects * (subjects - 1) / 2;
            self.error(
                pairs_at,
                format!(
                    "`pairs` asks for {count} pair pages (of {possible} possible), more than `max_pairs` \
                     ({max}{}): list only the pairs readers look for, or raise `max_pairs`",
                    if node.get("max_pairs").is_none() { ", the default" } else { "" }
                ),
            );
        }
    }

    /// `subjects` or `dimensions` of `[pages]`: `true`, `false`, or a list of ids.
    fn chosen(&mut self, node: &Node, key: &str, ids: &[&str]) -> Vec<usize> {
        match &node.value {
            Value::Bool(true) => (0..ids.len()).collect(),
            Value::Bool(false) => Vec::new(),
            Value::Seq(items) => {
                let mut chosen: Vec<usize> =
                    items.iter().filter_map(|item| self.id_ref(item, ids, &format!("`{key}`"))).collect();
                chosen.sort_unstable();
                chosen.dedup();
                chosen
            }
            other => {
                self.error(
                    node.at,
                    format!(
                        "`{key}` of `[pages]` must be `true`, `false` or a list of ids, not {}",
                        other.describe()
                    ),
                );
                Vec::new()
            }
        }
    }

    /// An id among `ids` (of subjects or dimensions), reported with a suggestion when unknown.
    fn id_ref(&mut self, node: &Node, ids: &[&str], key: &str) -> Option<usize> {
        let Some(id) = node.as_str() else {
            self.error(node.at, format!("{key} of `[pages]` lists ids, not {}", node.value.describe()));
            return None;
        };
        let found = ids.iter().position(|i| *i == id);
        if found.is_none() {
            let what = if key == "`dimensions`" { "dimension" } else { "subject" };
            let near = crate::suggest::closest(id, ids.iter().copied());
            self.error(
                node.at,
                format!("{key} of `[pages]` names `{id}`, which is not a {what} of the dataset{near}"),
            );
        }
        found
    }
}

/// `path` of `[pages]` as a site folder ending in `/`; `""` is the site root.
fn folder(path: &str) -> Result<String, String> {
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() && !path.starts_with('/') {
        return Ok(String::new());
    }
    crate::urls::check_relative_path(trimmed)?;
    Ok(format!("{trimmed}/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_end_in_a_slash_and_stay_in_the_site() {
        assert_eq!(folder("compare").unwrap(), "compare/");
        assert_eq!(folder("compare/protocols/").unwrap(), "compare/protocols/");
        assert_eq!(folder("").unwrap(), "");
        assert!(folder("/compare/").is_err());
        assert!(folder("../up/").is_err());
        assert!(folder("a/../../b").is_err());
    }
}
