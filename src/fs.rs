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

/// [`read_source`], with the file's modification time, read from the open file at no extra cost.
pub(crate) fn read_source_dated(
    path: &Path,
    shown: &Path,
) -> Result<(String, Option<std::time::SystemTime>)> {
    use std::io::Read as _;
    let cannot = |e| Error::at(shown, "cannot read the file").caused_by(e);
    let mut file = std::fs::File::open(path).map_err(cannot)?;
    let metadata = file.metadata().map_err(cannot)?;
    let mut bytes = Vec::with_capacity(usize::try_from(metadata.len()).unwrap_or(0));
    // Through `take`, which skips the size and position queries `File` makes before reading:
    // the size is known, and the file was just opened.
    (&mut file).take(u64::MAX).read_to_end(&mut bytes).map_err(cannot)?;
    Ok((decode_source(bytes, shown)?, metadata.modified().ok()))
}

/// A file time as whole seconds since 1970; `None` for a time before it.
pub(crate) fn seconds_since_epoch(time: std::time::SystemTime) -> Option<i64> {
    time.duration_since(std::time::UNIX_EPOCH).ok().map(|d| d.as_secs() as i64)
}

/// Decodes a source file's bytes as UTF-8; see [`read_source`].
pub(crate) fn decode_source(bytes: Vec<u8>, shown: &Path) -> Result<String> {
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let bytes = e.as_bytes();
        // The prefix is valid UTF-8 by definition, so the position can be computed on it.
        let prefix = std::str::from_utf8(&bytes[..valid]).unwrap_or_default();
        let position = crate::error::Position::of_offset(prefix, valid);
        Error::at_position(shown, position, "the file is not valid UTF-8 text")
    })
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
    match std::fs::remove_dir_all(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(io_error("cannot remove", path, e)),
        _ => Ok(()),
    }
}

/// Renames a file or folder.
pub(crate) fn rename(from: &Path, to: &Path) -> Result<()> {
    std::fs::rename(from, to).map_err(|e| io_error(&format!("cannot rename to `{}`", to.display()), from, e))
}

/// An environment error for a failed I/O operation on `path`.
pub(crate) fn io_error(what: &str, path: &Path, e: io::Error) -> Error {
    Error::environment(format!("{what} `{}`", path.display())).caused_by(e)
}
