//! Embeds the flagship site's theme (`templates/` and `static/`) in the binary for `juxta init`.
//!
//! Every file under those folders is listed, so a file added to the theme is embedded without
//! touching this script; Cargo re-runs it when anything in them changes.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

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
