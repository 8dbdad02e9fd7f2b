//! The GitHub Action (action.yml), run here: its `run` steps execute in bash as GitHub runs them,
//! with its `${{ … }}` expressions, step outputs, `GITHUB_ENV` and `GITHUB_PATH` emulated; the
//! actions it calls (`uses:`) are recorded rather than run, and configure-pages answers with a
//! fixed address.
//!
//! The emulator knows only the expression forms action.yml uses (`inputs.x`, `steps.id.outputs.y`,
//! `a || b`, `x == 'literal'`) and panics on anything else, so that a new form is taught to it
//! rather than misread. With `JUXTA_DIST_ARCHIVE` set (scripts/musl), the Action also installs
//! that archive from a server on 127.0.0.1 as it installs a release from GitHub.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::server::Server;

/// The address configure-pages gives in these tests.
const PAGES_URL: &str = "https://example.github.io/repo";

fn repository() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// One run of the Action.
struct Run {
    inputs: BTreeMap<String, String>,
    /// Step id → its outputs.
    outputs: BTreeMap<String, BTreeMap<String, String>>,
    /// What the steps added with GITHUB_ENV.
    env: BTreeMap<String, String>,
    /// The actions called, with their `with:` after expressions.
    called: Vec<(String, BTreeMap<String, String>)>,
    /// The Action's own outputs.
    result: BTreeMap<String, String>,
    /// The log of the `run` steps (stdout and stderr).
    log: String,
    /// Whether every step passed.
    passed: bool,
}

impl Run {
    /// Evaluates one operand: `inputs.x`, `steps.id.outputs.y` or `'literal'`.
    fn operand(&self, text: &str) -> String {
        let text = text.trim();
        if let Some(literal) = text.strip_prefix('\'').and_then(|t| t.strip_suffix('\'')) {
            return literal.to_string();
        }
        if let Some(name) = text.strip_prefix("inputs.") {
            return self
                .inputs
                .get(name)
                .unwrap_or_else(|| panic!("the input {name} is not declared"))
                .clone();
        }
        if let Some(rest) = text.strip_prefix("steps.") {
            let (step, output) =
                rest.split_once(".outputs.").unwrap_or_else(|| panic!("cannot read `{text}`"));
            return self.outputs.get(step).and_then(|o| o.get(output)).cloned().unwrap_or_default();
        }
        panic!("the emulator does not know the expression `{text}`");
    }

    /// Evaluates `a || b || …` (the first that is not empty) or `a == b` (`"true"` or `""`).
    fn expression(&self, text: &str) -> String {
        if let Some((left, right)) = text.split_once("==") {
            return if self.operand(left) == self.operand(right) { "true".into() } else { String::new() };
        }
        text.split("||").map(|part| self.operand(part)).find(|v| !v.is_empty()).unwrap_or_default()
    }

    /// `text` with every `${{ … }}` replaced by its value.
    fn substitute(&self, text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${{") {
            out.push_str(&rest[..start]);
            let end = rest[start..].find("}}").expect("`}}` closes `${{`") + start;
            out.push_str(&self.expression(&rest[start + 3..end]));
            rest = &rest[end + 2..];
        }
        out.push_str(rest);
        out
    }
}

/// `KEY=value` lines, as the steps write them into GITHUB_OUTPUT and GITHUB_ENV.
fn pairs(path: &Path) -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines().filter_map(|l| l.split_once('=')).map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn text_map(value: &serde_json::Value) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    for (key, value) in value.as_object().into_iter().flatten() {
        let text = match value {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        map.insert(key.clone(), text);
    }
    map
}

/// Runs the Action with `given` inputs in the workspace `workspace`, with `env` added.
fn run_action(workspace: &Path, given: &[(&str, &str)], env: &[(&str, &str)]) -> Run {
    let text = std::fs::read_to_string(repository().join("action.yml")).unwrap();
    let action: serde_json::Value = serde_saphyr::from_str(&text).unwrap();
    let mut inputs = BTreeMap::new();
    for (name, input) in action["inputs"].as_object().unwrap() {
        inputs.insert(name.clone(), input["default"].as_str().unwrap_or_default().to_string());
    }
    for (name, value) in given {
        assert!(inputs.contains_key(*name), "the Action has no input {name}");
        inputs.insert(name.to_string(), value.to_string());
    }
    let temp = workspace.join("runner-temp");
    std::fs::create_dir_all(&temp).unwrap();
    let mut run = Run {
        inputs,
        outputs: BTreeMap::new(),
        env: BTreeMap::new(),
        called: Vec::new(),
        result: BTreeMap::new(),
        log: String::new(),
        passed: true,
    };
    for (i, step) in action["runs"]["steps"].as_array().unwrap().iter().enumerate() {
        if let Some(condition) = step["if"].as_str()
            && run.expression(condition).is_empty()
        {
            continue;
        }
        let id = step["id"].as_str().map_or_else(|| format!("step{i}"), str::to_string);
        if let Some(uses) = step["uses"].as_str() {
            let with = text_map(&step["with"]).into_iter().map(|(k, v)| (k, run.substitute(&v))).collect();
            if uses.starts_with("actions/configure-pages@") {
                run.outputs
                    .insert(id.clone(), BTreeMap::from([("base_url".to_string(), PAGES_URL.to_string())]));
            }
            run.called.push((uses.to_string(), with));
            continue;
        }
        let files = ["output", "env", "path"].map(|f| workspace.join(format!("github-{f}-{i}")));
        let mut command = Command::new("bash");
        command
            .args(["--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"].as_str().unwrap()])
            .current_dir(workspace)
            .env("GITHUB_ACTION_PATH", repository())
            .env("RUNNER_TEMP", &temp)
            .env("GITHUB_OUTPUT", &files[0])
            .env("GITHUB_ENV", &files[1])
            .env("GITHUB_PATH", &files[2])
            .envs(env.iter().copied())
            .envs(&run.env);
        for (name, value) in text_map(&step["env"]) {
            command.env(name, run.substitute(&value));
        }
        let output = command.output().unwrap();
        run.log.push_str(&String::from_utf8_lossy(&output.stdout));
        run.log.push_str(&String::from_utf8_lossy(&output.stderr));
        run.outputs.insert(id, pairs(&files[0]));
        run.env.extend(pairs(&files[1]));
        if !output.status.success() {
            run.passed = false;
            return run;
        }
    }
    for (name, output) in action["outputs"].as_object().unwrap() {
        let value = run.substitute(output["value"].as_str().unwrap());
        run.result.insert(name.clone(), value);
    }
    run
}

/// A new site made by `juxta init` in `workspace/site`, committed to git at a fixed time.
fn new_site(workspace: &Path) -> PathBuf {
    let output = common::juxta(workspace, &["init", "site"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let site = workspace.join("site");
    for args in [&["init", "-q"][..], &["add", "."], &["commit", "-q", "-m", "A new site"]] {
        let output = Command::new("git")
            .args(args)
            .current_dir(&site)
            .env("GIT_AUTHOR_NAME", "juxta")
            .env("GIT_AUTHOR_EMAIL", "juxta@example.com")
            .env("GIT_COMMITTER_NAME", "juxta")
            .env("GIT_COMMITTER_EMAIL", "juxta@example.com")
            .env("GIT_AUTHOR_DATE", "@1700000000 +0000")
            .env("GIT_COMMITTER_DATE", "@1700000000 +0000")
            .output()
            .unwrap();
        assert!(output.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    }
    site
}

#[test]
fn the_action_checks_builds_and_uploads_a_site_for_github_pages() {
    let tmp = tempfile::tempdir().unwrap();
    new_site(tmp.path());
    let binary = env!("CARGO_BIN_EXE_juxta");
    let run = run_action(tmp.path(), &[("juxta", binary), ("root", "site")], &[]);
    assert!(run.passed, "{}", run.log);

    let out = PathBuf::from(&run.result["out"]);
    assert_eq!(run.result["base-url"], format!("{PAGES_URL}/"));
    assert!(run.log.contains(": no problems"), "the site was checked:\n{}", run.log);
    assert_eq!(
        run.env.get("SOURCE_DATE_EPOCH").map(String::as_str),
        Some("1700000000"),
        "dated by the last commit"
    );
    assert!(out.join("index.html").is_file());
    let sitemap = std::fs::read_to_string(out.join("sitemap.xml")).unwrap();
    assert!(sitemap.contains(&format!("<loc>{PAGES_URL}/guide/</loc>")), "{sitemap}");
    assert!(out.join(".nojekyll").is_file(), "hidden files stay");
    assert!(!out.join(".juxta-output").exists(), "juxta's mark is not part of the site");

    let called: Vec<&str> = run.called.iter().map(|(uses, _)| uses.as_str()).collect();
    assert_eq!(called, ["actions/configure-pages@v6", "actions/upload-pages-artifact@v5"]);
    let upload = &run.called[1].1;
    assert_eq!(upload["path"], run.result["out"]);
    assert_eq!(upload["include-hidden-files"], "true");
}

#[test]
fn the_action_builds_a_preview_under_a_sub_path_with_an_offline_zip_as_an_artifact() {
    let tmp = tempfile::tempdir().unwrap();
    new_site(tmp.path());
    let binary = env!("CARGO_BIN_EXE_juxta");
    let given = [
        ("juxta", binary),
        ("root", "site"),
        ("base-url", "https://docs.example.com"),
        ("sub-path", "pr-42"),
        ("offline-zip", "site.zip"),
        ("check", "false"),
        ("upload", "artifact"),
    ];
    let run = run_action(tmp.path(), &given, &[]);
    assert!(run.passed, "{}", run.log);
    assert_eq!(run.result["base-url"], "https://docs.example.com/pr-42/");
    assert!(!run.log.contains("no problems"), "check: false skips the check:\n{}", run.log);
    let out = PathBuf::from(&run.result["out"]);
    let home = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(home.contains("https://docs.example.com/pr-42/"), "the canonical address is under the sub-path");
    let zip = std::fs::read(out.join("site.zip")).unwrap();
    assert_eq!(&zip[..4], b"PK\x03\x04", "the offline zip is in the site");

    let called: Vec<&str> = run.called.iter().map(|(uses, _)| uses.as_str()).collect();
    assert_eq!(called, ["actions/upload-artifact@v7"], "no configure-pages with a base-url given");
    assert_eq!(run.called[0].1["name"], "juxta-site");
}

#[test]
fn the_action_refuses_inputs_it_does_not_know_before_building() {
    let tmp = tempfile::tempdir().unwrap();
    new_site(tmp.path());
    let binary = env!("CARGO_BIN_EXE_juxta");
    for (given, message) in [
        (("upload", "s3"), "::error::upload must be pages, artifact or none, not `s3`"),
        (("check", "yes"), "::error::check must be true or false, not `yes`"),
        (
            ("offline-zip", "../site.zip"),
            "::error::offline-zip must be a file name ending in .zip, not `../site.zip`",
        ),
        (("sub-path", "../up"), "::error::sub-path must be a folder such as pr-42, not `../up`"),
        (("root", "nowhere"), "::error::there is no site.toml in `nowhere`"),
    ] {
        let mut inputs = BTreeMap::from([("juxta", binary), ("root", "site")]);
        inputs.insert(given.0, given.1);
        let run = run_action(tmp.path(), &inputs.into_iter().collect::<Vec<_>>(), &[]);
        assert!(!run.passed, "{given:?} was accepted");
        assert!(run.log.contains(message), "{given:?}:\n{}", run.log);
        assert!(!tmp.path().join("runner-temp/juxta-site").exists(), "nothing was built");
    }
}

#[test]
fn the_action_installs_the_release_of_its_own_version() {
    let Some(archive) = std::env::var_os("JUXTA_DIST_ARCHIVE") else {
        use std::io::Write as _;
        let _ = writeln!(
            std::io::stderr(),
            "skipped: the_action_installs_the_release_of_its_own_version: JUXTA_DIST_ARCHIVE is not set \
             (scripts/musl builds the archive and sets it)"
        );
        return;
    };
    if !cfg!(all(target_os = "linux", target_arch = "x86_64")) {
        return;
    }
    let archive = repository().join(archive);
    let releases = tempfile::tempdir().unwrap();
    let folder = releases.path().join(format!("v{}", env!("CARGO_PKG_VERSION")));
    std::fs::create_dir(&folder).unwrap();
    for file in [archive.clone(), archive.with_extension("gz.sha256")] {
        std::fs::copy(&file, folder.join(file.file_name().unwrap())).unwrap();
    }
    let server = Server::start(releases.path(), "/");

    let tmp = tempfile::tempdir().unwrap();
    new_site(tmp.path());
    let run = run_action(tmp.path(), &[("root", "site")], &[("JUXTA_DOWNLOAD_BASE", &server.base_url())]);
    assert!(run.passed, "{}", run.log);
    let binary = &run.outputs["install"]["binary"];
    assert_eq!(*binary, tmp.path().join("runner-temp/juxta/bin/juxta").display().to_string());
    let path = std::fs::read_to_string(tmp.path().join("github-path-0")).unwrap();
    assert_eq!(
        path.trim_end(),
        tmp.path().join("runner-temp/juxta/bin").display().to_string(),
        "juxta is put on PATH"
    );
    assert!(
        run.log.contains(&format!("juxta install: installed juxta {}", env!("CARGO_PKG_VERSION"))),
        "{}",
        run.log
    );
    assert!(PathBuf::from(&run.result["out"]).join("index.html").is_file());
}
