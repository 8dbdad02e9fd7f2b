//! File-system access wrapped so that every error names the path it is about.
//!
//! No other module calls `std::fs` for reading or writing site files directly: the error would lose
//! the path (a bare `io::Error` says "permission denied", not which file).

use std::io;
use std::path::Path;

use crate::error::{Error, Result};

/// Reads a source file as UTF-8. Invalid UTF-8 is a site error naming the line and column of the
/// first bad byte, because it is something the author must fix in the file.
pub(crate) fn read_source(path: &Path, shown: &Path) -> Result<String> {
    decode_source(read_bytes(path, shown)?, shown)
}

/// [`read_source`], with the file's modification time ([`seconds_since_epoch`]) taken from the
/// open file rather than looked up again by its path.
pub(crate) fn read_source_dated(path: &Path, shown: &Path) -> Result<(String, Option<i64>)> {
    let cannot = |e: io::Error| Error::at(shown, "cannot read the file").caused_by(e);
    let mut file = std::fs::File::open(path).map_err(cannot)?;
    let modified = file.metadata().and_then(|m| m.modified()).ok().and_then(seconds_since_epoch);
    let mut bytes = Vec::new();
    io::Read::read_to_end(&mut file, &mut bytes).map_err(cannot)?;
    Ok((decode_source(bytes, shown)?, modified))
}

/// A file time as whole seconds since 1970; `None` for a time before it.
pub(crate) fn seconds_since_epoch(time: std::time::SystemTime) -> Option<i64> {
    time.duration_since(std::time::UNIX_EPOCH).ok().map(|d| d.as_secs() as i64)
}

/// Decodes a source file's bytes as UTF-8; see [`read_source`].
pub(crate) fn decode_source(bytes: Vec<u8>, shown: &Path) -> Result<String> {
    String::from_utf8(bytes).map_err(|e| not_utf8(&e, shown))
}

/// The error for a file that is not UTF-8, at its first bad byte.
fn not_utf8(e: &std::string::FromUtf8Error, shown: &Path) -> Error {
    let valid = e.utf8_error().valid_up_to();
    // The prefix is valid UTF-8 by definition, so the position can be computed on it.
    let prefix = std::str::from_utf8(&e.as_bytes()[..valid]).unwrap_or_default();
    let position = crate::error::Position::of_offset(prefix, valid);
    Error::at_position(shown, position, "the file is not valid UTF-8 text")
}

/// Reads a file's bytes.
pub(crate) fn read_bytes(path: &Path, shown: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| Error::at(shown, "cannot read the file").caused_by(e))
}

/// Creates a folder and its parents.
pub(crate) fn create_dir_all(path: &Path) -> Result<()> {
    std::fs::create_dir_all(path).map_err(|e| io_error("cannot create folder", path, e))
}

/// Writes `contents` to a new file at `path`, making its folders as needed; an existing file is
/// replaced.
pub(crate) fn write(path: &Path, contents: &[u8]) -> Result<()> {
    if let Some(parent) = path.parent() {
        create_dir_all(parent)?;
    }
    std::fs::write(path, contents).map_err(|e| io_error("cannot write", path, e))
}

/// Removes a folder tree; a missing folder is not an error.
pub(crate) fn remove_dir_all(path: &Path) -> Result<()> {
    match remove_tree(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(io_error("cannot remove", path, e)),
        _ => Ok(()),
    }
}

/// Removes a folder tree, the trees at its top in parallel: a site's last output (thousands of
/// folders) goes in about half the time on two cores. Each is removed by
/// `std::fs::remove_dir_all`, which never follows a symbolic link, even one put in a folder's
/// place while it runs.
pub(crate) fn remove_tree(path: &Path) -> io::Result<()> {
    use rayon::prelude::*;
    if !std::fs::symlink_metadata(path)?.is_dir() {
        return std::fs::remove_dir_all(path);
    }
    let entries = std::fs::read_dir(path)?.collect::<io::Result<Vec<_>>>()?;
    entries.par_iter().try_for_each(|entry| match entry.file_type()?.is_dir() {
        true => std::fs::remove_dir_all(entry.path()),
        false => std::fs::remove_file(entry.path()),
    })?;
    std::fs::remove_dir(path)
}

/// Renames a file or folder.
pub(crate) fn rename(from: &Path, to: &Path) -> Result<()> {
    std::fs::rename(from, to).map_err(|e| io_error(&format!("cannot rename to `{}`", to.display()), from, e))
}

/// An environment error for a failed I/O operation on `path`.
pub(crate) fn io_error(what: &str, path: &Path, e: io::Error) -> Error {
    Error::environment(format!("{what} `{}`", path.display())).caused_by(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_read_of_text_that_is_not_utf8_names_the_shown_path_and_position() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.md");
        std::fs::write(&path, b"+++\ntitle = \"x\"\n+++\nab\xffc").unwrap();
        let error = read_source(&path, Path::new("content/bad.md")).unwrap_err();
        assert_eq!(error.to_string(), "content/bad.md:4:3: the file is not valid UTF-8 text");
    }

    #[test]
    fn a_write_makes_the_folders_between_and_replaces_a_file() {
        let dir = tempfile::tempdir().unwrap();
        write(&dir.path().join("a/b/c/index.html"), b"deep").unwrap();
        write(&dir.path().join("a/b/index.html"), b"first").unwrap();
        write(&dir.path().join("a/b/index.html"), b"second").unwrap();
        let read = |path: &str| std::fs::read_to_string(dir.path().join(path)).unwrap();
        assert_eq!(read("a/b/c/index.html"), "deep");
        assert_eq!(read("a/b/index.html"), "second", "an existing file is replaced");
    }

    #[test]
    fn a_removed_tree_is_gone_and_links_in_it_are_removed_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let outside = dir.path().join("outside");
        std::fs::create_dir(&outside).unwrap();
        std::fs::write(outside.join("kept.txt"), "kept").unwrap();
        let tree = dir.path().join("tree");
        for section in ["a", "b/c/d", "e"] {
            std::fs::create_dir_all(tree.join(section)).unwrap();
            std::fs::write(tree.join(section).join("index.html"), "x").unwrap();
        }
        std::fs::write(tree.join("top.html"), "x").unwrap();
        std::os::unix::fs::symlink(&outside, tree.join("link")).unwrap();
        std::os::unix::fs::symlink(&outside, tree.join("b/link")).unwrap();
        remove_dir_all(&tree).unwrap();
        assert!(!tree.exists());
        assert_eq!(std::fs::read_to_string(outside.join("kept.txt")).unwrap(), "kept");
        remove_dir_all(&tree).expect("a missing folder is not an error");
    }
}
