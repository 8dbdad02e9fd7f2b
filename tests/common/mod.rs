//! Helpers shared by the integration tests: running the binary, copying and comparing trees; and, in
//! submodules, the output checks (`audit`), the HTML reading they need (`html`) and a static file
//! server for the browser (`server`).

#![allow(dead_code)]

pub(crate) mod audit;
pub(crate) mod html;
pub(crate) mod server;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A fixed build date, so pinned output does not depend on file times.
pub(crate) const EPOCH: &str = "1700000000";

/// The build date for the site in `dir`: [`EPOCH`], except for the repository's own site (or a
/// copy of its data), built today. Its facts carry the dates they were checked on,
/// which a fixed date in the past would put in the future, an error.
pub(crate) fn epoch(dir: &Path) -> String {
    let ours = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/protocols.toml");
    let data = |root: &Path| std::fs::read(root.join("data/protocols.toml")).ok();
    if data(dir).is_some() && data(dir) == std::fs::read(&ours).ok() {
        // The start of today (UTC): the same for every build of a test run, and not before any
        // date written by today.
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap();
        return (now.as_secs() / 86_400 * 86_400).to_string();
    }
    EPOCH.to_string()
}

/// Runs `juxta` with `args` in `dir`.
pub(crate) fn juxta(dir: &Path, args: &[&str]) -> Output {
    let root = args.iter().position(|a| *a == "--root").and_then(|i| args.get(i + 1)).map(Path::new);
    Command::new(env!("CARGO_BIN_EXE_juxta"))
        .args(args)
        .current_dir(dir)
        .env("SOURCE_DATE_EPOCH", epoch(root.unwrap_or(dir)))
        .output()
        .expect("the juxta binary runs")
}

/// Builds `root` into `out` with extra arguments; returns the process output.
pub(crate) fn build(root: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["build", "--quiet", "--root", root.to_str().unwrap(), "--out", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    juxta(root, &args)
}

/// Every file under `dir` with its bytes, keyed by `/`-separated relative path.
pub(crate) fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let rel = entry.path().strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/");
            files.insert(rel, std::fs::read(entry.path()).unwrap());
        }
    }
    files
}

/// Copies the tree at `from` into `to` (created if needed), overwriting files.
pub(crate) fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// The folder of the fixtures of kind `kind` (`sites`, `sites_invalid`).
pub(crate) fn fixtures(kind: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join(kind)
}

/// Whether pinned files should be rewritten instead of compared.
pub(crate) fn blessing() -> bool {
    std::env::var_os("JUXTA_BLESS").is_some()
}

/// The fixture case folders under `dir`, sorted, skipping names starting with `_`.
pub(crate) fn cases(dir: &Path) -> Vec<PathBuf> {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir() && !p.file_name().unwrap().to_string_lossy().starts_with('_'))
        .collect();
    cases.sort();
    cases
}

/// Compares a failing run of fixture `case` with its pinned `expected_stderr` and `expected_exit`
/// (1 when absent), or re-pins the stderr when blessing; each difference is pushed to `failures`.
pub(crate) fn compare_pinned(
    case: &Path,
    name: &str,
    stderr: &str,
    code: Option<i32>,
    failures: &mut Vec<String>,
) {
    let expected_code: i32 =
        std::fs::read_to_string(case.join("expected_exit")).map(|c| c.trim().parse().unwrap()).unwrap_or(1);
    if blessing() {
        std::fs::write(case.join("expected_stderr"), stderr.as_bytes()).unwrap();
    } else {
        let expected = std::fs::read_to_string(case.join("expected_stderr")).unwrap_or_default();
        if stderr != expected {
            failures.push(format!("{name}: stderr differs\n--- actual\n{stderr}--- expected\n{expected}"));
        }
    }
    if code != Some(expected_code) {
        failures.push(format!("{name}: exit code {code:?}, expected {expected_code}"));
    }
}
