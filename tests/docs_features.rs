//! The documentation conveniences beyond their pinned fixture (`tests/sites/docs_features`):
//! dates of last change read from git (one `git log` for the whole site, the same for every clone
//! of a commit, a warning and the front matter's `updated` for a shallow clone or no repository),
//! and the print page, whose every link stays inside it or reaches a file of the site, in both
//! flavours.
//!
//! Then the repository's own site in Chromium (`test-tools/docs.mjs`), at a domain root, under a
//! GitHub Pages sub-path and opened from disk: a copy button on each code block (none without
//! JavaScript) puts the code on the clipboard, with and without the Clipboard API, and says so to
//! screen readers; every link of the print page within it finds its target, and following one
//! scrolls there; every tag page lists pages that show that tag. These need `scripts/test`'s browser
//! tools: without them they are skipped locally and fail under CI.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::audit::{self, BROWSER};
use common::server::{Server, encode_path};
use common::{copy_tree, fixtures, tree};
use serde_json::Value;

/// The fixture, with `[git] last_updated` turned on.
fn site_with_git_dates(dir: &Path) {
    copy_tree(&fixtures("sites").join("docs_features"), dir);
    let config = std::fs::read_to_string(dir.join("site.toml")).unwrap();
    std::fs::write(dir.join("site.toml"), format!("{config}\n[git]\nlast_updated = true\n")).unwrap();
}

/// Runs git in `dir` with every date fixed to `date`, failing the test on an error.
fn git(dir: &Path, args: &[&str], date: &str) {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .env("GIT_AUTHOR_NAME", "Author")
        .env("GIT_AUTHOR_EMAIL", "author@example.com")
        .env("GIT_COMMITTER_NAME", "Author")
        .env("GIT_COMMITTER_EMAIL", "author@example.com")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .expect("git runs");
    assert!(output.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&output.stderr));
}

/// Whether git can be run; under CI it must.
fn git_ready(test: &str) -> bool {
    if Command::new("git").arg("--version").output().is_ok() {
        return true;
    }
    assert!(std::env::var_os("CI").is_none(), "{test}: git is needed under CI");
    eprintln!("skipped: {test}: git is not installed");
    false
}

/// A repository holding the site in `site/`, with two commits: everything on 3 February 2021,
/// then `install.md` changed on 4 March 2022.
fn repository(tmp: &Path) -> PathBuf {
    let repo = tmp.join("repo");
    site_with_git_dates(&repo.join("site"));
    git(&repo, &["init", "-q", "-b", "main"], "2021-02-03T04:05:06Z");
    git(&repo, &["add", "."], "2021-02-03T04:05:06Z");
    git(&repo, &["commit", "-qm", "First"], "2021-02-03T04:05:06Z");
    let install = repo.join("site/content/guide/install.md");
    let text = std::fs::read_to_string(&install).unwrap();
    std::fs::write(&install, text.replace("Any Linux", "Any recent Linux")).unwrap();
    git(&repo, &["commit", "-qam", "Second"], "2022-03-04T05:06:07Z");
    repo
}

/// Builds `root` into `out` with `git` run through a wrapper that logs each run to `log`.
fn build_logging_git(root: &Path, out: &Path, log: &Path) -> Output {
    let wrapper = log.with_extension("bin");
    std::fs::create_dir_all(&wrapper).unwrap();
    let real = String::from_utf8(Command::new("sh").args(["-c", "command -v git"]).output().unwrap().stdout)
        .unwrap()
        .trim()
        .to_string();
    let script = format!("#!/bin/sh\necho \"$*\" >> '{}'\nexec '{real}' \"$@\"\n", log.display());
    let git = wrapper.join("git");
    std::fs::write(&git, script).unwrap();
    #[cfg(unix)]
    std::fs::set_permissions(&git, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let path = format!("{}:{}", wrapper.display(), std::env::var("PATH").unwrap_or_default());
    Command::new(env!("CARGO_BIN_EXE_juxta"))
        .args(["build", "--quiet", "--root", root.to_str().unwrap(), "--out", out.to_str().unwrap()])
        .env("SOURCE_DATE_EPOCH", common::EPOCH)
        .env("PATH", path)
        .output()
        .expect("the juxta binary runs")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The `<lastmod>` of `loc` in a sitemap.
fn lastmod(sitemap: &str, loc: &str) -> String {
    let at = sitemap.find(&format!("<loc>{loc}</loc>")).unwrap_or_else(|| panic!("{loc} in {sitemap}"));
    let rest = &sitemap[at..];
    let start = rest.find("<lastmod>").unwrap() + 9;
    rest[start..start + rest[start..].find('<').unwrap()].to_string()
}

#[test]
fn last_updated_comes_from_one_git_log_and_is_the_same_for_every_clone_of_a_commit() {
    let test = "last_updated_comes_from_one_git_log_and_is_the_same_for_every_clone_of_a_commit";
    if !git_ready(test) {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let repo = repository(tmp.path());
    let (out, log) = (tmp.path().join("out"), tmp.path().join("git.log"));
    let result = build_logging_git(&repo.join("site"), &out, &log);
    assert!(result.status.success(), "{}", String::from_utf8_lossy(&result.stderr));
    assert_eq!(String::from_utf8_lossy(&result.stderr), "", "no warning with the whole history");
    // One question (is the clone shallow?) and one walk of the history, for all ten pages.
    let runs: Vec<String> = read(&log).lines().map(str::to_string).collect();
    assert_eq!(runs.len(), 2, "git ran {} times: {runs:#?}", runs.len());
    assert!(runs[1].contains(" log "), "{runs:?}");

    let sitemap = read(&out.join("sitemap.xml"));
    let base = "https://example.com/docs/";
    assert_eq!(lastmod(&sitemap, &format!("{base}guide/install/")), "2022-03-04T05:06:07Z");
    assert_eq!(lastmod(&sitemap, &format!("{base}guide/configure/")), "2021-02-03T04:05:06Z");
    // The git date wins over the front matter's `updated` (2024-03-01), and templates show it.
    let install = read(&out.join("guide/install/index.html"));
    assert!(install.contains("<time datetime=\"2022-03-04T05:06:07Z\">2022-03-04</time>"), "{install}");
    // The feed dates a post by its last change too.
    let atom = read(&out.join("atom.xml"));
    assert!(atom.contains("<updated>2021-02-03T04:05:06Z</updated>"), "{atom}");

    // Another clone of the same commit, with other file times, builds the same site.
    let clone = tmp.path().join("clone");
    let source = format!("file://{}", repo.display());
    git(tmp.path(), &["clone", "-q", &source, clone.to_str().unwrap()], "2030-01-01T00:00:00Z");
    let again = tmp.path().join("again");
    let result = build_logging_git(&clone.join("site"), &again, &tmp.path().join("again.log"));
    assert!(result.status.success(), "{}", String::from_utf8_lossy(&result.stderr));
    assert_eq!(tree(&out), tree(&again), "two clones of one commit give the same output");
}

#[test]
fn a_shallow_clone_warns_and_falls_back_to_updated() {
    let test = "a_shallow_clone_warns_and_falls_back_to_updated";
    if !git_ready(test) {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let repo = repository(tmp.path());
    let clone = tmp.path().join("shallow");
    let source = format!("file://{}", repo.display());
    git(
        tmp.path(),
        &["clone", "-q", "--depth", "1", &source, clone.to_str().unwrap()],
        "2030-01-01T00:00:00Z",
    );
    let out = tmp.path().join("out");
    let result = build_logging_git(&clone.join("site"), &out, &tmp.path().join("git.log"));
    assert!(result.status.success(), "{}", String::from_utf8_lossy(&result.stderr));
    assert_eq!(
        String::from_utf8_lossy(&result.stderr),
        "juxta: warning: site.toml: `[git] last_updated` is on, but the repository is a shallow clone, \
         whose history cannot say when each file last changed (fetch all of it: `git fetch --unshallow`, \
         or `fetch-depth: 0` for actions/checkout): pages have no date of last change from git, and show \
         their front matter's `updated` instead\n"
    );
    let install = read(&out.join("guide/install/index.html"));
    assert!(install.contains("<time datetime=\"2024-03-01\">2024-03-01</time>"), "{install}");
    let sitemap = read(&out.join("sitemap.xml"));
    assert_eq!(lastmod(&sitemap, "https://example.com/docs/guide/install/"), "2024-03-01T00:00:00Z");

    // Outside any repository, the same, for another reason.
    let alone = tmp.path().join("alone");
    site_with_git_dates(&alone);
    let result = build_logging_git(&alone, &tmp.path().join("out2"), &tmp.path().join("git2.log"));
    assert!(result.status.success());
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(stderr.contains("is not in a git repository: pages have no date of last change"), "{stderr}");
}

/// `juxta check` reads both flavours of the fixture: every tag page, further page of a listing
/// and the print page is reachable from the home page, and every link and anchor in them resolves,
/// offline too (where a link to a folder would open the folder).
#[test]
fn the_pages_juxta_adds_check_clean_in_both_flavours() {
    let tmp = tempfile::tempdir().unwrap();
    let site = fixtures("sites").join("docs_features");
    let result = Command::new(env!("CARGO_BIN_EXE_juxta"))
        .args(["check", "--root", site.to_str().unwrap()])
        .env("SOURCE_DATE_EPOCH", common::EPOCH)
        .env("TMPDIR", tmp.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(result.status.success() && stderr.ends_with(": no problems\n"), "{stderr}");
    // 23 files, and the theme's four stylesheets and scripts again under hashed names.
    assert!(stderr.starts_with("juxta: checked 10 pages and 27 other files"), "{stderr}");
}

/// Every id of an HTML page, and whether one is written twice.
fn ids(html: &str) -> (BTreeSet<String>, Vec<String>) {
    let (mut ids, mut twice) = (BTreeSet::new(), Vec::new());
    for tag in common::html::parse(html).tags {
        if let Some(id) = tag.attr("id")
            && !ids.insert(id.to_string())
        {
            twice.push(id.to_string());
        }
    }
    (ids, twice)
}

#[test]
fn the_print_page_links_within_itself_in_both_flavours() {
    for (flavour, args) in [("web", &[][..]), ("offline", &["--offline"][..])] {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        let result = common::build(&fixtures("sites").join("docs_features"), &out, args);
        assert!(result.status.success(), "{}", String::from_utf8_lossy(&result.stderr));
        let html = read(&out.join("print/index.html"));
        let (ids, twice) = ids(&html);
        assert!(twice.is_empty(), "{flavour}: ids written twice: {twice:?}");
        let mut inside = 0;
        for tag in common::html::parse(&html).tags {
            for attribute in ["href", "src", "for", "aria-labelledby", "aria-describedby"] {
                let Some(value) = tag.attr(attribute) else { continue };
                if attribute != "href" && attribute != "src" {
                    for id in value.split_whitespace() {
                        assert!(ids.contains(id), "{flavour}: {attribute}=\"{value}\" names no id");
                    }
                } else if let Some(fragment) = value.strip_prefix('#') {
                    inside += 1;
                    assert!(ids.contains(fragment), "{flavour}: {value} is no id of the print page");
                } else {
                    let file = out.join("print").join(value.split('#').next().unwrap());
                    let file = if value.ends_with('/') { file.join("index.html") } else { file };
                    assert!(file.is_file(), "{flavour}: {value} leads to no file ({})", file.display());
                    assert!(value.starts_with("../"), "{flavour}: {value} is relative to print/");
                }
            }
        }
        // The table of contents and the links between the pages, their headings and back home.
        assert!(inside >= 20, "{flavour}: {inside} links within the page");
        assert!(html.contains("<a href=\"#page-guide-configure--the-file\">configuration</a>"), "{html}");
        assert!(html.contains("marker-end=\"url(#page-guide-configure--tip)\""), "{html}");
    }
}

/// Runs `test-tools/docs.mjs` on the repository's site built for `base_url` and reached at `root`
/// (`http://127.0.0.1:PORT/prefix/` or `file:///…/`), whose pages end in `index` (`index.html` from
/// disk, nothing over HTTP), and checks its report.
fn use_the_docs_features(what: &str, base_url: &str, root: &str, index: &str) {
    let page = |path: &str| format!("{root}{path}{index}");
    let result = Command::new("node")
        .arg(audit::test_tools().join("docs.mjs"))
        .args([page("about/"), page("print/"), page("tags/"), root.to_string()])
        .output()
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&result.stdout);
    assert!(result.status.success(), "docs.mjs failed:\n{}", String::from_utf8_lossy(&result.stderr));
    let report: Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("docs.mjs printed no report ({e}):\n{stdout}"));
    assert_eq!(report["errors"], Value::Array(vec![]), "{what}: {report}");
    assert_eq!(report["outside"], Value::Array(vec![]), "{what}: {report}");

    let copy = &report["copy"];
    let code = "git clone https://github.com/JUXTA_OWNER/juxta.git\ncd juxta\ncargo run --release -- build --offline";
    assert_eq!(copy["code"], format!("{code}\n"), "{what}: {copy}");
    assert_eq!(copy["buttons"], copy["blocks"], "{what}: a button on each code block: {copy}");
    assert_eq!(
        (&copy["language"], &copy["caption"]),
        (&"sh".into(), &"Build the guide for reading from disk".into())
    );
    assert_eq!(copy["marked"], serde_json::json!(["cargo run --release -- build --offline"]), "{what}");
    assert_eq!(copy["clipboard"], code, "{what}: the code, without its last line break, is copied: {copy}");
    assert_eq!(copy["after"]["button"], "Copied", "{what}: {copy}");
    assert_eq!(copy["after"]["status"], "Code copied to the clipboard", "{what}: said in the live region");
    assert_eq!(copy["withoutApi"]["clipboard"], code, "{what}: copied without the Clipboard API: {copy}");
    assert_eq!(copy["withoutApi"]["status"], "Code copied to the clipboard", "{what}: {copy}");
    let no_script = &report["noScript"];
    assert!(no_script["blocks"].as_u64() >= Some(1) && no_script["buttons"] == 0, "{what}: {no_script}");

    let print = &report["print"];
    assert_eq!(print["missing"], Value::Array(vec![]), "{what}: links within the print page lead nowhere");
    assert!(print["inside"].as_u64() > Some(100), "{what}: {}", print["inside"]);
    assert_eq!(print["ids"], print["distinctIds"], "{what}: no id is written twice");
    assert!(
        print["followed"]["inView"] == true,
        "{what}: following a link scrolls to it: {}",
        print["followed"]
    );
    let followed = print["followed"]["url"].as_str().unwrap();
    assert!(followed.starts_with(&page("print/")) && followed.contains('#'), "{what}: {followed}");
    // A link to a page of the document leads within it, never to the page's own address.
    let in_document: Vec<String> = print["addresses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| page(a.as_str().unwrap().strip_prefix(base_url).unwrap()))
        .collect();
    assert!(in_document.len() >= 10, "{what}: {in_document:?}");
    for link in print["elsewhere"].as_array().unwrap().iter().map(|l| l.as_str().unwrap()) {
        assert!(!in_document.iter().any(|p| link.split('#').next() == Some(p.as_str())), "{what}: {link}");
    }

    let tags = report["tags"].as_array().unwrap();
    assert!(tags.len() >= 4, "{what}: {tags:?}");
    for tag in tags {
        let pages = tag["pages"].as_array().unwrap();
        assert!(!pages.is_empty(), "{what}: {tag}");
        assert!(pages.iter().all(|p| p["showsTag"] == true), "{what}: a listed page shows the tag: {tag}");
    }
    eprintln!(
        "{what}: copy checked, {} links within the print page, {} tags with {} pages",
        print["inside"],
        tags.len(),
        tags.iter().map(|t| t["pages"].as_array().unwrap().len()).sum::<usize>()
    );
}

/// Builds the repository's site with `args` into a fresh folder.
fn build_flagship(args: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    let result = common::build(root, &out, args);
    assert!(result.status.success(), "{}", String::from_utf8_lossy(&result.stderr));
    (tmp, out)
}

#[test]
fn copy_buttons_print_links_and_tag_pages_work_at_the_root_under_a_sub_path_and_from_disk() {
    if !audit::tools_ready(
        "copy_buttons_print_links_and_tag_pages_work_at_the_root_under_a_sub_path_and_from_disk",
        BROWSER,
    ) {
        return;
    }
    let (_root_tmp, out) = build_flagship(&[]);
    let server = Server::start(&out, "/");
    use_the_docs_features("at the root", "https://example.com/", &server.base_url(), "");

    let (_sub_tmp, out) = build_flagship(&["--base-url", "https://example.github.io/iot-vs-m2m/"]);
    let server = Server::start(&out, "/iot-vs-m2m/");
    use_the_docs_features(
        "under a sub-path",
        "https://example.github.io/iot-vs-m2m/",
        &server.base_url(),
        "",
    );

    let (_disk_tmp, out) = build_flagship(&["--offline"]);
    let root = format!("file://{}/", encode_path(&out.canonicalize().unwrap().to_string_lossy()));
    use_the_docs_features("from disk", "https://example.com/", &root, "index.html");
}
