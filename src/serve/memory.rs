//! What `juxta serve` serves: the [`Output`] of the last good build, and the [`Sink`] it is
//! built into (written files kept in memory, copied files noted by where they come from and read
//! from the disk when they are requested).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use axum::body::Bytes;

use crate::error::Result;
use crate::output::{self, Sink};

/// The files of the site being served, by site path.
#[derive(Debug, Default)]
pub(crate) struct Output {
    pub(super) files: HashMap<String, Entry>,
}

/// One file of the [`Output`].
#[derive(Debug, Clone)]
pub(crate) enum Entry {
    /// A file juxta produced, held in memory.
    Bytes(Bytes),
    /// A file copied as it is (from `static/` or `content/`), read from the disk when requested.
    File(PathBuf),
}

impl Output {
    /// The file at `site_path` (`guides/mqtt/index.html`), if the site has one.
    pub(crate) fn get(&self, site_path: &str) -> Option<&Entry> {
        self.files.get(site_path)
    }

    /// Every file with its site path, in no particular order.
    #[cfg(test)]
    pub(crate) fn files(&self) -> impl Iterator<Item = (&str, &Entry)> {
        self.files.iter().map(|(path, entry)| (path.as_str(), entry))
    }
}

/// A [`Sink`] that keeps written files in memory and notes where copied files come from.
#[derive(Default)]
pub(super) struct Memory {
    files: Mutex<Vec<(String, Entry)>>,
}

impl Memory {
    pub(super) fn into_files(self) -> HashMap<String, Entry> {
        self.files.into_inner().unwrap_or_else(|e| e.into_inner()).into_iter().collect()
    }

    fn put(&self, site_path: &str, entry: Entry) {
        self.files.lock().unwrap_or_else(|e| e.into_inner()).push((site_path.to_string(), entry));
    }
}

impl Sink for Memory {
    fn write(&self, site_path: &str, contents: &[u8]) -> Result<()> {
        output::check_inside(site_path)?;
        self.put(site_path, Entry::Bytes(Bytes::copy_from_slice(contents)));
        Ok(())
    }

    // The file is read when it is requested; an unreadable one is answered with an error then.
    fn copy(&self, source: &Path, _shown: &Path, site_path: &str) -> Result<()> {
        output::check_inside(site_path)?;
        self.put(site_path, Entry::File(source.to_path_buf()));
        Ok(())
    }
}
