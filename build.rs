//! Embeds the flagship site's theme (`templates/` and `static/`) in the binary for `juxta init`,
//! and tells `juxta --version` which commit it was built from.
//!
//! Every file under the theme's folders is listed, so a file added to the theme is embedded without
//! touching this script; Cargo re-runs it when anything in them changes.
//!
//! The commit comes from, in order: `JUXTA_COMMIT` in the environment (for a packager building
//! from a source archive), git when the package's folder is the top of a git checkout, and the
//! `.cargo_vcs_info.json` that `cargo package` writes into the crate. A build with none of them
//! (a plain tarball without `.git`) says the version alone.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

const THEME_DIRS: [&str; 2] = ["templates", "static"];

fn main() {
    let root = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("Cargo sets CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in THEME_DIRS {
        println!("cargo:rerun-if-changed={dir}");
        collect(&root, &root.join(dir), &mut files);
    }
    files.sort();
    let mut code = String::from("&[\n");
    for (name, path) in &files {
        writeln!(code, "    ({name:?}, include_bytes!({:?})),", path.display().to_string()).unwrap();
    }
    code.push_str("]\n");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("Cargo sets OUT_DIR")).join("theme.rs");
    std::fs::write(&out, code).unwrap_or_else(|e| panic!("cannot write `{}`: {e}", out.display()));

    let version = std::env::var("CARGO_PKG_VERSION").expect("Cargo sets CARGO_PKG_VERSION");
    let version = match commit(&root) {
        Some(commit) => format!("{version} (commit {commit})"),
        None => version,
    };
    println!("cargo:rustc-env=JUXTA_VERSION={version}");
}

/// The first 12 hex digits of the commit the sources come from, when it is known.
fn commit(root: &Path) -> Option<String> {
    println!("cargo:rerun-if-env-changed=JUXTA_COMMIT");
    let given = std::env::var("JUXTA_COMMIT").ok().filter(|c| !c.trim().is_empty());
    let found = given.or_else(|| git_commit(root)).or_else(|| packaged_commit(root))?;
    let hex: String = found.trim().chars().take_while(char::is_ascii_hexdigit).take(12).collect();
    (hex.len() >= 7).then_some(hex)
}

/// HEAD of the git checkout whose top is `root`, and the files to watch for a new commit. A package
/// unpacked inside some other repository (vendored, say) is not that repository's commit: `.git`
/// must be in `root` itself (a folder in a clone, a file in a worktree).
fn git_commit(root: &Path) -> Option<String> {
    if !root.join(".git").exists() {
        return None;
    }
    let git = |args: &[&str]| -> Option<String> {
        let output = Command::new("git").arg("-C").arg(root).args(args).output().ok()?;
        output.status.success().then(|| String::from_utf8_lossy(&output.stdout).trim().to_string())
    };
    let head = git(&["rev-parse", "HEAD"])?;
    // A commit moves HEAD (a detached checkout) or the branch it names, loose or packed.
    let mut watched = vec![git(&["rev-parse", "--git-path", "HEAD"])?];
    if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
        watched.push(git(&["rev-parse", "--git-path", &branch])?);
    }
    watched.push(git(&["rev-parse", "--git-path", "packed-refs"])?);
    for path in watched {
        let path = root.join(path);
        // A missing file would make Cargo run this script on every build.
        if path.exists() {
            println!("cargo:rerun-if-changed={}", path.display());
        }
    }
    Some(head)
}

/// The commit `cargo package` recorded in `.cargo_vcs_info.json` (`"sha1": "…"`).
fn packaged_commit(root: &Path) -> Option<String> {
    let info = std::fs::read_to_string(root.join(".cargo_vcs_info.json")).ok()?;
    let after = &info[info.find("\"sha1\"")? + "\"sha1\"".len()..];
    let value = after.trim_start().strip_prefix(':')?.trim_start().strip_prefix('"')?;
    Some(value.split('"').next()?.to_string())
}

/// Adds the files under `dir` (skipping hidden ones) as (path relative to `root` with `/`,
/// absolute path).
fn collect(root: &Path, dir: &Path, files: &mut Vec<(String, PathBuf)>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let Ok(kind) = entry.file_type() else { continue };
        if kind.is_dir() {
            collect(root, &path, files);
        } else if kind.is_file() {
            let name = path.strip_prefix(root).unwrap_or(&path).to_string_lossy().replace('\\', "/");
            files.push((name, path));
        }
    }
}
