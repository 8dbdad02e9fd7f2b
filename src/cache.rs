//! The cache of processed images and share cards, kept between builds in a folder outside the
//! output: `.juxta-cache/` in the project, or the folder `JUXTA_CACHE_DIR` names.
//!
//! An entry is a file named by the hash of everything its bytes depend on (the original's
//! contents and every setting), so an entry is never stale: a change makes a new name. Entries are
//! written to a temporary file and renamed into place, so that a build that is stopped never
//! leaves half a file, and two builds sharing the cache never read one. The cache is a shortcut
//! only: a folder that cannot be read or written is ignored, and deleting it changes nothing but
//! the time the next build takes.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use sha2::{Digest, Sha256};

/// The cache folder's name in the project.
pub(crate) const DIR: &str = ".juxta-cache";

/// The environment variable that puts the cache elsewhere.
pub(crate) const ENV: &str = "JUXTA_CACHE_DIR";

/// A cache folder.
#[derive(Debug, Clone)]
pub(crate) struct Cache {
    dir: PathBuf,
}

impl Cache {
    /// The cache of the project at `root`.
    pub(crate) fn of_project(root: &Path) -> Cache {
        let dir = match std::env::var_os(ENV) {
            Some(dir) if !dir.is_empty() => PathBuf::from(dir),
            _ => root.join(DIR),
        };
        Cache { dir }
    }

    /// The entry `key` of the kind `kind` (a sub-folder: `images`, `cards`), if it is there.
    pub(crate) fn get(&self, kind: &str, key: &str) -> Option<Vec<u8>> {
        std::fs::read(self.dir.join(kind).join(key)).ok()
    }

    /// Stores `bytes` as the entry `key` of `kind`; a cache that cannot be written is left as it is.
    pub(crate) fn put(&self, kind: &str, key: &str, bytes: &[u8]) {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let dir = self.dir.join(kind);
        if std::fs::create_dir_all(&dir).is_err() {
            return;
        }
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let temporary = dir.join(format!(".{key}.{}-{n}.tmp", std::process::id()));
        if std::fs::write(&temporary, bytes).is_err() || std::fs::rename(&temporary, dir.join(key)).is_err() {
            let _ = std::fs::remove_file(&temporary);
        }
    }
}

/// The SHA-256 of `parts`, each preceded by its length so that no two lists of parts hash alike,
/// in lowercase hexadecimal.
pub(crate) fn key(parts: &[&[u8]]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part);
    }
    hex(&hasher.finalize())
}

/// `bytes` in lowercase hexadecimal.
pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_depend_on_where_parts_split() {
        assert_ne!(key(&[b"ab", b"c"]), key(&[b"a", b"bc"]));
        assert_eq!(key(&[b"ab", b"c"]), key(&[b"ab", b"c"]));
        assert_eq!(key(&[]).len(), 64);
    }

    #[test]
    fn an_entry_is_read_back_and_a_cache_that_cannot_be_written_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache { dir: dir.path().join("c") };
        assert_eq!(cache.get("images", "k"), None);
        cache.put("images", "k", b"bytes");
        assert_eq!(cache.get("images", "k").as_deref(), Some(&b"bytes"[..]));
        let file = dir.path().join("file");
        std::fs::write(&file, "").unwrap();
        let blocked = Cache { dir: file.join("under-a-file") };
        blocked.put("images", "k", b"bytes");
        assert_eq!(blocked.get("images", "k"), None);
    }
}
