//! The files of `data/`, loaded and exposed to templates and pages as `data.<file stem>`.
//!
//! Each file is parsed with its format's parser; a malformed file is an error naming
//! `data/<file>:line:col`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::{Error, Position, Result};

/// The data folder's name, relative to the project root.
pub const DATA_DIR: &str = "data";

/// Everything in `data/`, by file stem.
#[derive(Debug, Default)]
pub struct Data {
    /// Files by stem, sorted.
    pub files: BTreeMap<String, DataFile>,
}

/// One loaded data file.
#[derive(Debug)]
pub struct DataFile {
    /// Path shown in errors: `data/<file>`.
    pub shown: PathBuf,
    /// The file's contents.
    pub value: serde_json::Value,
}

impl Data {
    /// All files as one map, for templates.
    pub fn to_value(&self) -> serde_json::Value {
        serde_json::Value::Object(self.files.iter().map(|(k, f)| (k.clone(), f.value.clone())).collect())
    }
}

/// Loads every data file under `root/data/` (not in subfolders; hidden files ignored).
pub fn load(root: &Path) -> Result<Data> {
    let dir = root.join(DATA_DIR);
    let mut data = Data::default();
    if !dir.is_dir() {
        return Ok(data);
    }
    let entries =
        std::fs::read_dir(&dir).map_err(|e| Error::at(DATA_DIR, "cannot read the folder").caused_by(e))?;
    let mut paths = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| Error::at(DATA_DIR, "cannot read the folder").caused_by(e))?;
        let name = entry.file_name();
        let Some(name) = name.to_str().map(str::to_string) else {
            return Err(Error::at(entry.path(), "the file name is not valid UTF-8: rename the file"));
        };
        if name.starts_with('.') || !entry.file_type().is_ok_and(|t| t.is_file()) {
            continue;
        }
        paths.push(name);
    }
    paths.sort();
    let mut errors = Vec::new();
    for name in paths {
        let shown = Path::new(DATA_DIR).join(&name);
        let Some((stem, ext)) = name.rsplit_once('.') else {
            errors
                .push(Error::at(&shown, "a data file needs an extension: .toml, .yaml, .yml, .json or .csv"));
            continue;
        };
        match load_file(&dir.join(&name), &shown, ext) {
            Ok(value) => {
                if let Some(other) = data.files.get(stem) {
                    errors.push(Error::at(
                        &shown,
                        format!(
                            "`{}` already provides `data.{stem}`: rename one of them",
                            other.shown.display()
                        ),
                    ));
                    continue;
                }
                data.files.insert(stem.to_string(), DataFile { shown, value });
            }
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() { Ok(data) } else { Err(Error::many(errors)) }
}

fn load_file(path: &Path, shown: &Path, ext: &str) -> Result<serde_json::Value> {
    let raw = crate::fs::read_source(path, shown)?;
    let text = crate::front_matter::normalize(&raw);
    match ext.to_ascii_lowercase().as_str() {
        "toml" => toml::from_str(&text).map_err(|e| crate::config::toml_error(shown, &text, 0, &e)),
        "json" => serde_json::from_str(&text).map_err(|e| {
            let message = e.to_string();
            let message = message.find(" at line ").map_or(message.as_str(), |i| &message[..i]).to_string();
            Error::at_position(shown, Position::new(e.line().max(1), e.column().max(1)), message)
        }),
        "yaml" | "yml" => serde_saphyr::from_str(&text).map_err(|e| {
            let inner = e.without_snippet();
            let position = inner.location().map_or(Position::new(1, 1), |l| {
                Position::new(l.line().max(1) as usize, l.column().max(1) as usize)
            });
            Error::at_position(shown, position, crate::front_matter::yaml_message(inner))
        }),
        other => Err(Error::at(
            shown,
            format!("`.{other}` is not a data format juxta reads: use .toml, .yaml, .yml, .json or .csv"),
        )),
    }
}
