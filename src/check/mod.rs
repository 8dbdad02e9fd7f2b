//! `juxta check`: builds the site in both flavours into private temporary folders and checks the
//! HTML (and CSS) that came out.
//!
//! The build already refuses broken Markdown links, missing headings and references that only
//! work at the domain root. The check reads what was really written, so it also sees links that
//! templates, components and raw HTML write: every internal `href`, `src`, `srcset`, `poster` and
//! CSS `url()` must name a file of the output, every `#anchor` an id of its target page; ids must
//! be unique on a page; every page must be reachable by following links from the home page; in the
//! offline flavour a link may not point at a folder (a browser opening files from disk shows the
//! folder, not its page). With `--external`, links to other sites are requested too ([`external`]).
//!
//! Each problem names the source that emitted it (`attribute`): the content page, the template,
//! the static file or the data file, with the line and column where they can be found.
//!
//! | module | owns |
//! |---|---|
//! | `scan` | reading the built files: references, ids, links between pages |
//! | `attribute` | from a place in the output back to the source that wrote it |
//! | [`external`] | requesting links to other sites, with limits, timeouts and retries |

pub(crate) mod attribute;
pub mod external;
pub(crate) mod scan;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::{Error, Kind, Position, Result};
use crate::progress::Progress;
use crate::urls::Flavour;

/// What to check and how.
#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    /// The project root (holding `site.toml`).
    pub root: PathBuf,
    /// Replaces `base_url` from `site.toml`.
    pub base_url: Option<String>,
    /// Builds and checks pages marked `draft = true`.
    pub drafts: bool,
    /// Also requests links to other sites, with these settings.
    pub external: Option<external::Settings>,
    /// Where the check reports its progress (nowhere by default).
    pub progress: Progress,
    /// Counts the notices about comparison sources as problems (`--strict`); `[check] strict`
    /// in `site.toml` does the same.
    pub strict: bool,
}

/// What a check found.
#[derive(Debug, Clone, Default)]
pub struct CheckReport {
    /// One line per problem, `path:line:col: message`, sorted by file and position.
    pub problems: Vec<String>,
    /// Pages, sections and the home page of the site.
    pub pages: usize,
    /// Other files of the web build.
    pub files: usize,
    /// Distinct links to other sites that were requested (`--external`).
    pub external_links: usize,
    /// What is not an error of the site but should be looked at: comparison sources older than
    /// their `max_age`, and values without a source where the dataset requires one; one line
    /// each, `path:line:col: message`.
    pub notices: Vec<String>,
    /// Whether the notices fail the check (`--strict`, or `[check] strict` in `site.toml`).
    pub strict: bool,
    /// What the builds could not do as asked without failing ([`crate::Report::warnings`]).
    pub warnings: Vec<String>,
}

/// One problem, before it is formatted: where its source is, and the page whose output showed it
/// when the source is a template shared by many pages.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Problem {
    /// The source file, relative to the project root.
    pub(crate) path: Option<PathBuf>,
    /// Where in that file, when known.
    pub(crate) position: Option<Position>,
    /// What is wrong.
    pub(crate) message: String,
    /// The pages being rendered when a template wrote the problem.
    pub(crate) pages: Vec<PathBuf>,
}

impl Problem {
    /// The problem on one line, printable as [`Error`]s are (see [`crate::error::printable`]).
    fn line(&self) -> String {
        use crate::error::{printable, printable_path};
        let mut line = String::new();
        if let Some(path) = &self.path {
            line.push_str(&printable_path(path));
            if let Some(p) = self.position {
                line.push_str(&format!(":{}:{}", p.line, p.column));
            }
            line.push_str(": ");
        }
        line.push_str(&printable(&self.message));
        match self.pages.as_slice() {
            [] => {}
            [one] => line.push_str(&format!(" (while rendering `{}`)", printable_path(one))),
            [first, rest @ ..] => line.push_str(&format!(
                " (while rendering `{}` and {} other page{})",
                printable_path(first),
                rest.len(),
                if rest.len() == 1 { "" } else { "s" }
            )),
        }
        line
    }
}

/// Builds the site at `options.root` in both flavours and checks the output.
pub fn check(options: &CheckOptions) -> Result<CheckReport> {
    let folder = crate::scratch::Scratch::create("check")?;
    let mut report = CheckReport::default();
    let mut flavours = Vec::new();
    for flavour in [Flavour::Web, Flavour::Offline] {
        let name = match flavour {
            Flavour::Web => "web",
            Flavour::Offline => "offline",
        };
        let build = crate::Options {
            root: options.root.clone(),
            out: Some(folder.path().join(name)),
            base_url: options.base_url.clone(),
            flavour,
            drafts: options.drafts,
            zip: None,
            progress: options.progress.clone(),
        };
        flavours.push(check_flavour(&build, &options.progress, &mut report)?);
    }
    let mut external_failures = BTreeMap::new();
    if let Some(settings) = &options.external {
        let mut urls: Vec<String> = flavours
            .iter()
            .flat_map(|f| f.scan.iter().flat_map(|s| &s.external))
            .map(|e| e.url.clone())
            .collect();
        urls.sort();
        urls.dedup();
        report.external_links = urls.len();
        options.progress.phase("checking external links", urls.len());
        external_failures = external::check_all(&urls, settings, &options.progress);
    }
    options.progress.phase("naming the sources of problems", 0);
    let mut per_flavour = Vec::new();
    let mut flavours_loaded = None;
    for flavour in flavours {
        let mut problems = flavour.build_problems;
        if let (Some(scan), Some(loaded)) = (flavour.scan, &flavour.loaded) {
            let mut raws = scan.raws;
            raws.extend(scan.external.iter().filter_map(|e| e.problem(&external_failures)));
            problems.extend(attribute::attribute(loaded, &flavour.out, raws));
        }
        if flavours_loaded.is_none() {
            flavours_loaded = flavour.loaded;
        }
        per_flavour.push(merge_pages(problems));
    }
    report.problems = merge_flavours(per_flavour);
    if let Some(loaded) = flavours_loaded.as_ref() {
        let site = &loaded.site;
        report.strict = options.strict || site.config.check.strict;
        report.notices = site
            .data
            .comparisons
            .values()
            .flat_map(|c| crate::comparison::sources::notices(c, &site.build_date))
            .map(|n| format!("{}:{}:{}: {}", n.path.display(), n.at.line, n.at.column, n.message))
            .collect();
        report.warnings = site.history.warning.iter().cloned().collect();
    }
    Ok(report)
}

/// One flavour built and read.
struct Checked {
    out: PathBuf,
    /// The build's own errors, when it failed.
    build_problems: Vec<Problem>,
    scan: Option<scan::Scan>,
    loaded: Option<crate::Loaded>,
}

fn check_flavour(build: &crate::Options, progress: &Progress, report: &mut CheckReport) -> Result<Checked> {
    let out = build.out.clone().expect("check builds into a private folder");
    let built = match crate::build(build) {
        Ok(built) => built,
        // Only the site's own errors are problems of the site: a stop request or a broken
        // environment ends the check.
        Err(e) if e.kind() != Kind::Site => return Err(e),
        Err(e) => {
            let problems = if e.errors().is_empty() {
                vec![from_error(&e)]
            } else {
                e.errors().iter().map(from_error).collect()
            };
            return Ok(Checked { out, build_problems: problems, scan: None, loaded: None });
        }
    };
    let loaded = crate::load(build)?;
    if build.flavour == Flavour::Web || report.pages == 0 {
        report.pages = built.pages;
        report.files = built.files;
    }
    let pages: Vec<String> = loaded.site.pages.iter().map(|p| p.output_file()).collect();
    let hashed_copies = loaded.site.assets.files().iter().map(|(name, _)| name.clone()).collect();
    let context = scan::Context {
        out: &out,
        flavour: build.flavour,
        base_url: &loaded.site.config.base_url,
        pages: &pages,
        progress,
        hashed_copies: &hashed_copies,
    };
    let scan = scan::scan(&context)?;
    Ok(Checked { out, build_problems: Vec::new(), scan: Some(scan), loaded: Some(loaded) })
}

/// A build error as a problem; its text after the location is kept whole (causes included).
fn from_error(e: &Error) -> Problem {
    let text = e.to_string();
    let prefix = match (e.path(), e.position()) {
        (Some(path), Some(p)) => format!("{}:{}:{}: ", path.display(), p.line, p.column),
        (Some(path), None) => format!("{}: ", path.display()),
        _ => String::new(),
    };
    Problem {
        path: e.path().map(Path::to_path_buf),
        position: e.position(),
        message: text.strip_prefix(&prefix).unwrap_or(&text).to_string(),
        pages: Vec::new(),
    }
}

/// Sorts problems and merges those that differ only in the page being rendered (one broken link
/// in a shared template is said once, with the number of pages showing it).
fn merge_pages(mut problems: Vec<Problem>) -> Vec<Problem> {
    problems.sort();
    let mut merged: Vec<Problem> = Vec::with_capacity(problems.len());
    for mut p in problems {
        if let Some(last) = merged.last_mut()
            && (&last.path, last.position, &last.message) == (&p.path, p.position, &p.message)
        {
            last.pages.append(&mut p.pages);
            last.pages.sort();
            last.pages.dedup();
            continue;
        }
        merged.push(p);
    }
    merged
}

/// One list from the two flavours' problems: a problem found in both is said once; one found in
/// only one flavour says which.
fn merge_flavours(mut flavours: Vec<Vec<Problem>>) -> Vec<String> {
    let offline = flavours.pop().unwrap_or_default();
    let web = flavours.pop().unwrap_or_default();
    let mut all: Vec<(Problem, &str)> = Vec::new();
    for p in &web {
        all.push((p.clone(), if offline.contains(p) { "" } else { " (in the web build only)" }));
    }
    for p in offline.iter().filter(|p| !web.contains(p)) {
        all.push((p.clone(), " (in the offline build only)"));
    }
    all.sort();
    all.into_iter().map(|(p, note)| p.line() + note).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(path: &str, line: usize, message: &str, page: Option<&str>) -> Problem {
        Problem {
            path: Some(path.into()),
            position: Some(Position::new(line, 1)),
            message: message.into(),
            pages: page.map(PathBuf::from).into_iter().collect(),
        }
    }

    #[test]
    fn a_template_problem_on_many_pages_is_said_once() {
        let merged = merge_pages(vec![
            problem("templates/base.html", 3, "bad", Some("content/b.md")),
            problem("templates/base.html", 3, "bad", Some("content/a.md")),
            problem("templates/base.html", 3, "bad", Some("content/c.md")),
        ]);
        assert_eq!(merged.len(), 1);
        assert_eq!(
            merged[0].line(),
            "templates/base.html:3:1: bad (while rendering `content/a.md` and 2 other pages)"
        );
    }

    #[test]
    fn a_problem_of_one_flavour_says_which() {
        let both = problem("content/a.md", 2, "both", None);
        let web_only = problem("content/a.md", 1, "web", None);
        let offline_only = problem("content/a.md", 9, "offline", None);
        let lines = merge_flavours(vec![vec![web_only, both.clone()], vec![both, offline_only]]);
        assert_eq!(
            lines,
            [
                "content/a.md:1:1: web (in the web build only)",
                "content/a.md:2:1: both",
                "content/a.md:9:1: offline (in the offline build only)"
            ]
        );
    }
}
