//! `juxta init DIR`: writes a new, working site.
//!
//! The site gets the flagship site's theme (every file of this repository's `templates/` and
//! `static/`, embedded in the binary when it is compiled, see `build.rs`), a `site.toml`, a home page
//! and a guide page, and a comparison dataset that both show. It builds and checks clean as it is.
//! `DIR` is created when missing; a folder that holds anything is refused, so nothing of the
//! user's is ever overwritten.
//!
//! It also writes `.github/workflows/pages.yml`, which publishes the site on GitHub Pages with
//! juxta's GitHub Action at the tag of this version (`OWNER/juxta@vX.Y.Z`, the address taken from
//! `repository` in Cargo.toml), so the Action installs the same juxta that made the site.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The theme: paths relative to the new site's root, and their bytes.
const THEME: &[(&str, &[u8])] = include!(concat!(env!("OUT_DIR"), "/theme.rs"));

/// The site's own files, besides the theme.
const SCAFFOLD: [(&str, &str); 7] = [
    ("site.toml", include_str!("scaffold/site.toml")),
    (".gitignore", include_str!("scaffold/gitignore")),
    ("content/_index.md", include_str!("scaffold/content/_index.md")),
    ("content/guide.md", include_str!("scaffold/content/guide.md")),
    // The theme's search box gives way to a link to this page when JavaScript is off.
    ("content/site-map.md", include_str!("../../content/site-map.md")),
    ("data/static_vs_server.toml", include_str!("scaffold/data/static_vs_server.toml")),
    // The JSON Schema of the comparison format, which the dataset names on its first line so that
    // editors complete and check it as it is typed.
    ("comparison.schema.json", include_str!("../../docs/comparison.schema.json")),
];

/// Where the workflow goes, relative to the site's root.
pub const WORKFLOW: &str = ".github/workflows/pages.yml";

/// What is left to do to publish a new site, printed after `init`.
pub const PUBLISH_STEPS: &str = "\
To publish it on GitHub Pages with the workflow in .github/workflows/pages.yml:
  1. Push it to the main branch of a GitHub repository (.github must be at the repository's root:
     for a site in a subfolder, move .github up and give the juxta steps `with: root: <folder>`).
  2. In the repository's Settings > Pages, set Source to \"GitHub Actions\".
  3. Under Actions, open the \"Publish to GitHub Pages\" run (re-run it if it ran before step 2):
     its deploy job shows the site's address.
";

/// The workflow, naming the Action of the repository in Cargo.toml at this version's tag.
pub fn workflow() -> String {
    let repository = env!("CARGO_PKG_REPOSITORY");
    let action = repository.strip_prefix("https://github.com/").unwrap_or(repository).trim_end_matches('/');
    include_str!("scaffold/pages.yml")
        .replace("ACTION@VERSION", &format!("{action}@v{}", env!("CARGO_PKG_VERSION")))
}

/// What `init` wrote.
#[derive(Debug, Clone)]
pub struct InitReport {
    /// The new site's folder.
    pub dir: PathBuf,
    /// Files written.
    pub files: usize,
}

/// Writes a new site into `dir`, which must be missing or empty.
pub fn init(dir: &Path) -> Result<InitReport> {
    let created = match std::fs::symlink_metadata(dir) {
        Ok(meta) if !meta.is_dir() => {
            return Err(refuse(dir, "it is a file, not a folder"));
        }
        Ok(_) => {
            let mut entries = std::fs::read_dir(dir).map_err(|e| io("cannot read", dir, e))?;
            if entries.next().is_some() {
                return Err(refuse(dir, "it is not empty; choose a new or empty folder"));
            }
            false
        }
        Err(_) => {
            std::fs::create_dir_all(dir).map_err(|e| io("cannot create", dir, e))?;
            true
        }
    };
    let workflow = workflow();
    let files = THEME
        .iter()
        .copied()
        .chain(SCAFFOLD.iter().map(|(name, text)| (*name, text.as_bytes())))
        .chain([(WORKFLOW, workflow.as_bytes())]);
    let mut count = 0;
    for (name, bytes) in files {
        if let Err(e) = write(dir, name, bytes) {
            // The folder was empty or new: removing what was written leaves it as it was.
            if created {
                let _ = std::fs::remove_dir_all(dir);
            } else if let Ok(entries) = std::fs::read_dir(dir) {
                for entry in entries.flatten() {
                    let path = entry.path();
                    let _ = if path.is_dir() {
                        std::fs::remove_dir_all(path)
                    } else {
                        std::fs::remove_file(path)
                    };
                }
            }
            return Err(e);
        }
        count += 1;
    }
    Ok(InitReport { dir: dir.to_path_buf(), files: count })
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> Result<()> {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| io("cannot create", parent, e))?;
    }
    std::fs::write(&path, bytes).map_err(|e| io("cannot write", &path, e))
}

fn refuse(dir: &Path, why: &str) -> Error {
    Error::environment(format!("refusing to create a site in `{}`: {why}", dir.display()))
}

fn io(what: &str, path: &Path, e: std::io::Error) -> Error {
    Error::environment(format!("{what} `{}`", path.display())).caused_by(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_theme_is_embedded_whole() {
        let names: Vec<&str> = THEME.iter().map(|(name, _)| *name).collect();
        for expected in
            ["templates/base.html", "templates/index.html", "templates/404.html", "static/style.css"]
        {
            assert!(names.contains(&expected), "{expected} is missing from {names:?}");
        }
        let on_disk = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("static/style.css")).unwrap();
        let embedded = THEME.iter().find(|(name, _)| *name == "static/style.css").unwrap().1;
        assert_eq!(embedded, on_disk.as_slice());
    }

    #[test]
    fn the_workflow_uses_the_action_at_this_version() {
        let repository = env!("CARGO_PKG_REPOSITORY");
        let slug = repository.strip_prefix("https://github.com/").expect("repository is a GitHub address");
        let text = workflow();
        let expected = format!("uses: {slug}@v{}\n", env!("CARGO_PKG_VERSION"));
        assert_eq!(text.matches(&expected).count(), 2, "{text}");
        assert!(!text.contains("ACTION@VERSION"));
    }
}
