//! File-system access wrapped so that every error names the path it is about.
//!
//! No other module calls `std::fs` for reading or writing site files directly: the error would lose
//! the path (a bare `io::Error` says "permission denied", not which file).

use std::io;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Reads a source file as UTF-8. Invalid UTF-8 is a site error naming the line and column of the
/// first bad byte, because it is something the author must fix in the file.
pub(crate) fn read_source(path: &Path, shown: &Path) -> Result<String> {
    decode_source(read_bytes(path, shown)?, shown)
}

/// [`read_source`], with the file's modification time, read from the open file at no extra cost.
/// `shown` makes the path shown in errors (most files have none, so it is made only then).
pub(crate) fn read_source_dated(
    path: &Path,
    shown: impl Fn() -> PathBuf,
) -> Result<(String, Option<std::time::SystemTime>)> {
    use std::io::Read as _;
    let cannot = |e| Error::at(shown(), "cannot read the file").caused_by(e);
    let mut file = std::fs::File::open(path).map_err(cannot)?;
    let metadata = file.metadata().map_err(cannot)?;
    let size = usize::try_from(metadata.len()).unwrap_or(0);
    // One byte of room past the size the file had when opened: a single read that comes back
    // short of filling it has reached the end, with no second read to learn so.
    let mut bytes = vec![0; size + 1];
    let mut filled = 0;
    loop {
        match file.read(&mut bytes[filled..]) {
            Ok(0) => break,
            Ok(read) => filled += read,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(cannot(e)),
        }
        if filled < bytes.len() {
            // All the file held when opened, with room to spare: the end of a regular file. A
            // read that stops short of that size (some network file systems do), or any short
            // read of something else, is followed by another.
            if filled >= size && metadata.is_file() {
                break;
            }
            continue;
        }
        // The file grew since it was opened: make room and read on.
        bytes.resize(bytes.len() * 2, 0);
    }
    bytes.truncate(filled);
    let text = String::from_utf8(bytes).map_err(|e| not_utf8(&e, &shown()))?;
    Ok((text, metadata.modified().ok()))
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

/// Writes a file, creating nothing but the file itself.
pub(crate) fn write(path: &Path, contents: &[u8]) -> Result<()> {
    std::fs::write(path, contents).map_err(|e| io_error("cannot write", path, e))
}

/// Creates a folder and its parents.
pub(crate) fn create_dir_all(path: &Path) -> Result<()> {
    std::fs::create_dir_all(path).map_err(|e| io_error("cannot create folder", path, e))
}

/// Copies an open file's contents (not its permissions or timestamps) to a new file `to`;
/// returns the number of bytes copied. `shown` names the source in errors.
pub(crate) fn copy_from(from: &mut std::fs::File, shown: &Path, to: &Path) -> Result<u64> {
    let mut file = std::fs::File::create(to).map_err(|e| io_error("cannot create", to, e))?;
    std::io::copy(from, &mut file)
        .map_err(|e| io_error(&format!("cannot copy `{}` to", shown.display()), to, e))
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
    fn a_dated_read_returns_the_whole_file_whatever_its_size() {
        let dir = tempfile::tempdir().unwrap();
        for size in [0, 1, 2, 4095, 4096, 4097, 300_000] {
            let path = dir.path().join(format!("{size}.md"));
            let text: String = (0..size).map(|i| char::from(b'a' + (i % 26) as u8)).collect();
            std::fs::write(&path, &text).unwrap();
            let (read, modified) = read_source_dated(&path, || PathBuf::from("shown.md")).unwrap();
            assert_eq!(read, text, "a file of {size} bytes");
            assert!(modified.is_some());
        }
    }

    #[test]
    fn a_dated_read_of_a_file_that_says_it_is_empty_reads_what_it_holds() {
        // Files under /proc report a size of 0 and hold text all the same.
        let path = Path::new("/proc/self/cmdline");
        let (read, _) = read_source_dated(path, || PathBuf::from("cmdline")).unwrap();
        assert!(!read.is_empty());
        assert_eq!(read, std::fs::read_to_string(path).unwrap());
    }

    #[test]
    fn a_dated_read_of_text_that_is_not_utf8_names_the_shown_path_and_position() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.md");
        std::fs::write(&path, b"+++\ntitle = \"x\"\n+++\nab\xffc").unwrap();
        let error = read_source_dated(&path, || PathBuf::from("content/bad.md")).unwrap_err();
        assert_eq!(error.to_string(), "content/bad.md:4:3: the file is not valid UTF-8 text");
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
