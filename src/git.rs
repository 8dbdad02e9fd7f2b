//! Each page's date of last change, read from the history of the git repository that holds the
//! project, when `site.toml` asks for it (`[git] last_updated = true`).
//!
//! One `git log` walks the history of `content/` and `data/` for the whole site, newest commit
//! first, and stops as soon as every file asked about has a date: a file's date is the committer
//! date of the last commit that changed it. The same commit gives the same dates, whatever the
//! clock, the files' times or the clone. Uncommitted changes do not count, and a file git does
//! not know has no date.
//!
//! A shallow clone's history is cut short, so every file would seem changed by its oldest commit:
//! it is not read. Then, and when the project is in no repository or git cannot be run, pages have
//! no date from git, and the build says why in a warning.

use std::collections::{HashMap, HashSet};
use std::io::BufRead as _;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::config::Config;
use crate::data::Data;
use crate::date::Date;
use crate::page::Page;
use crate::source::{CONTENT_DIR, DATA_DIR};

/// Dates of last change by path relative to the project root (`content/guide/mqtt.md`), and the
/// warning of a history that could not be read.
#[derive(Debug, Clone, Default)]
pub(crate) struct History {
    pub(crate) dates: HashMap<String, Date>,
    pub(crate) warning: Option<String>,
}

/// The history of the project at `root` for its `pages` and the data files of its comparison
/// datasets (which generate pages), when `config` asks for it; empty otherwise.
pub(crate) fn for_site(root: &Path, config: &Config, pages: &[Page], data: &Data) -> History {
    if !config.git.last_updated {
        return History::default();
    }
    let shown = |path: &Path| path.to_string_lossy().replace('\\', "/");
    let wanted = pages
        .iter()
        .map(|page| shown(&page.shown_path()))
        .chain(data.comparisons.values().map(|c| shown(&c.shown)))
        .collect();
    history(root, wanted)
}

/// Marks the start of a commit in the log, before its committer date.
const COMMIT: u8 = 0x01;

/// The date of last change of each of the files `wanted` (paths relative to `root`, with `/`).
pub(crate) fn history(root: &Path, wanted: HashSet<String>) -> History {
    match read(root, wanted) {
        Ok(dates) => History { dates, warning: None },
        Err(why) => History {
            dates: HashMap::new(),
            warning: Some(format!(
                "site.toml: `[git] last_updated` is on, but {why}: pages have no date of last change \
                 from git, and show their front matter's `updated` instead"
            )),
        },
    }
}

/// [`history`]'s dates, or why they cannot be read (to end "`[git] last_updated` is on, but").
fn read(root: &Path, mut wanted: HashSet<String>) -> Result<HashMap<String, Date>, String> {
    let shallow = git(root).args(["rev-parse", "--is-shallow-repository"]).output();
    let shallow = shallow.map_err(|e| format!("git cannot be run ({e})"))?;
    if !shallow.status.success() {
        return Err(format!("`{}` is not in a git repository", root.display()));
    }
    if String::from_utf8_lossy(&shallow.stdout).trim() == "true" {
        return Err("the repository is a shallow clone, whose history cannot say when each file last \
                    changed (fetch all of it: `git fetch --unshallow`, or `fetch-depth: 0` for \
                    actions/checkout)"
            .into());
    }
    let mut child = git(root)
        .args(["log", "-z", "--no-merges", "--no-renames", "--relative", "--name-only"])
        .arg("--format=%x01%ct")
        .args(["--", CONTENT_DIR, DATA_DIR])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("git cannot be run ({e})"))?;
    let stdout = child.stdout.take().expect("stdout is piped");
    let mut dates = HashMap::with_capacity(wanted.len());
    let mut commit: Option<Date> = None;
    let mut reader = std::io::BufReader::new(stdout);
    let mut record = Vec::new();
    while !wanted.is_empty() {
        record.clear();
        match reader.read_until(0, &mut record) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        let text = record.strip_suffix(&[0]).unwrap_or(&record);
        let text = text.strip_prefix(b"\n").unwrap_or(text);
        if let Some(stamp) = text.strip_prefix(&[COMMIT]) {
            commit =
                std::str::from_utf8(stamp).ok().and_then(|s| s.parse().ok()).and_then(Date::from_timestamp);
        } else if let (Some(date), Ok(path)) = (&commit, std::str::from_utf8(text))
            && wanted.remove(path)
        {
            dates.insert(path.to_string(), date.clone());
        }
    }
    // Every file asked about has its date: the rest of the history is not needed.
    let stopped = wanted.is_empty();
    if stopped {
        let _ = child.kill();
    }
    drop(reader);
    let output = child.wait_with_output().map_err(|e| format!("git could not be waited for ({e})"))?;
    if !stopped && !output.status.success() {
        let message = String::from_utf8_lossy(&output.stderr);
        let first = message.lines().next().unwrap_or("").trim();
        return Err(format!("`git log` failed ({first})"));
    }
    Ok(dates)
}

/// `git` run in `root`, its messages in English, whatever the user's configuration says of
/// signatures.
fn git(root: &Path) -> Command {
    let mut command = Command::new("git");
    command
        .arg("-C")
        .arg(root)
        .args(["-c", "log.showSignature=false"])
        .env("LC_ALL", "C")
        .stdin(Stdio::null());
    command
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs git in `dir` with fixed dates, failing the test on an error.
    fn run(dir: &Path, args: &[&str], date: &str) {
        let status = Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(args)
            .env("GIT_AUTHOR_DATE", date)
            .env("GIT_COMMITTER_DATE", date)
            .env("GIT_AUTHOR_NAME", "a")
            .env("GIT_AUTHOR_EMAIL", "a@example.com")
            .env("GIT_COMMITTER_NAME", "a")
            .env("GIT_COMMITTER_EMAIL", "a@example.com")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .stdout(Stdio::null())
            .status()
            .unwrap();
        assert!(status.success(), "git {args:?}");
    }

    #[test]
    fn each_file_gets_the_date_of_the_last_commit_that_changed_it() {
        if Command::new("git").arg("--version").output().is_err() {
            eprintln!("skipped: git is not installed");
            return;
        }
        let tmp = tempfile::tempdir().unwrap();
        let repo = tmp.path();
        let site = repo.join("site");
        std::fs::create_dir_all(site.join("content")).unwrap();
        std::fs::create_dir_all(site.join("data")).unwrap();
        run(repo, &["init", "-q"], "2020-01-01T00:00:00Z");
        for file in ["content/a.md", "content/my page.md", "data/d.toml"] {
            std::fs::write(site.join(file), "one").unwrap();
        }
        run(repo, &["add", "."], "2020-01-01T00:00:00Z");
        run(repo, &["commit", "-qm", "one"], "2021-02-03T04:05:06Z");
        std::fs::write(site.join("content/a.md"), "two").unwrap();
        run(repo, &["commit", "-qam", "two"], "2022-03-04T05:06:07Z");
        // Uncommitted changes and files git does not know have no date of their own.
        std::fs::write(site.join("content/my page.md"), "three").unwrap();
        std::fs::write(site.join("content/new.md"), "new").unwrap();
        let wanted = ["content/a.md", "content/my page.md", "data/d.toml", "content/new.md"];
        let history = history(&site, wanted.iter().map(|s| s.to_string()).collect());
        assert_eq!(history.warning, None);
        let date = |path: &str| history.dates.get(path).map(Date::as_str);
        assert_eq!(date("content/a.md"), Some("2022-03-04T05:06:07Z"));
        assert_eq!(date("content/my page.md"), Some("2021-02-03T04:05:06Z"));
        assert_eq!(date("data/d.toml"), Some("2021-02-03T04:05:06Z"));
        assert_eq!(date("content/new.md"), None);

        // A shallow clone is not read, and says so.
        let clone = tmp.path().join("clone");
        let source = format!("file://{}", repo.display());
        run(
            tmp.path(),
            &["clone", "-q", "--depth", "1", &source, clone.to_str().unwrap()],
            "2023-01-01T00:00:00Z",
        );
        let shallow = super::history(&clone.join("site"), ["content/a.md".to_string()].into());
        assert!(shallow.dates.is_empty());
        assert!(shallow.warning.as_deref().is_some_and(|w| w.contains("shallow clone")), "{shallow:?}");

        // Outside any repository.
        let outside = tempfile::tempdir().unwrap();
        let none = super::history(outside.path(), ["content/a.md".to_string()].into());
        assert!(
            none.warning.as_deref().is_some_and(|w| w.contains("is not in a git repository")),
            "{none:?}"
        );
    }
}
