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

/// A folder held open, whose files are read, written and made by their path relative to it.
/// The kernel then looks up only that path, not every folder above it again for each file (the
/// sources are under `/…/site/content/`, the pages under `/…/.public.juxta-staging-…/`): the
/// system time of a 10,000-page build without highlighting went from 0.30 to 0.28 s. Elsewhere
/// than on Unix the full path is used.
pub(crate) struct Folder {
    path: PathBuf,
    #[cfg(unix)]
    fd: std::os::fd::OwnedFd,
}

impl Folder {
    /// Opens the folder at `path`.
    pub(crate) fn open(path: &Path) -> Result<Folder> {
        #[cfg(unix)]
        {
            use rustix::fs::{Mode, OFlags};
            let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
            let fd = rustix::fs::open(path, flags, Mode::empty())
                .map_err(|e| io_error("cannot open", path, e.into()))?;
            Ok(Folder { path: path.to_path_buf(), fd })
        }
        #[cfg(not(unix))]
        Ok(Folder { path: path.to_path_buf() })
    }

    /// The folder's path.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Reads the source file at `relative` as UTF-8 (see [`read_source`]), with its modification
    /// time, read from the open file at no extra cost. `shown` makes the path shown in errors (most
    /// files have none, so it is made only then).
    pub(crate) fn read_source_dated(
        &self,
        relative: &str,
        shown: impl Fn() -> PathBuf,
    ) -> Result<(String, Option<std::time::SystemTime>)> {
        use std::io::Read as _;
        let cannot = |e| Error::at(shown(), "cannot read the file").caused_by(e);
        let mut file = self.open_file(relative, false).map_err(cannot)?;
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

    /// Writes `contents` to a new file at `relative` (`/`-separated), making its folders as needed.
    pub(crate) fn write(&self, relative: &str, contents: &[u8]) -> Result<()> {
        use std::io::Write as _;
        let mut file = self.create(relative)?;
        file.write_all(contents).map_err(|e| io_error("cannot write", &self.path.join(relative), e))
    }

    /// A new, empty file at `relative` (`/`-separated), its folders made as needed; an existing
    /// file is emptied.
    pub(crate) fn create(&self, relative: &str) -> Result<std::fs::File> {
        if let Some((parent, _)) = relative.rsplit_once('/') {
            self.create_dir_all(parent)?;
        }
        self.open_file(relative, true).map_err(|e| io_error("cannot write", &self.path.join(relative), e))
    }

    /// Makes the folder `relative` and any missing folders above it: one `mkdir` for a new folder
    /// whose parent exists, as most are.
    fn create_dir_all(&self, relative: &str) -> Result<()> {
        let made = match self.make_dir(relative) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => match relative.rsplit_once('/') {
                Some((parent, _)) => {
                    self.create_dir_all(parent)?;
                    self.make_dir(relative)
                }
                None => Err(e),
            },
            other => other,
        };
        match made {
            // Something that is not a folder in the way fails when a file is made in it.
            Err(e) if e.kind() != io::ErrorKind::AlreadyExists => {
                Err(io_error("cannot create folder", &self.path.join(relative), e))
            }
            _ => Ok(()),
        }
    }

    #[cfg(unix)]
    fn make_dir(&self, relative: &str) -> io::Result<()> {
        Ok(rustix::fs::mkdirat(&self.fd, relative, rustix::fs::Mode::from_raw_mode(0o777))?)
    }

    #[cfg(not(unix))]
    fn make_dir(&self, relative: &str) -> io::Result<()> {
        std::fs::create_dir(self.path.join(relative))
    }

    /// Opens the file at `relative`: to read, or to write (made, or emptied).
    #[cfg(unix)]
    fn open_file(&self, relative: &str, write: bool) -> io::Result<std::fs::File> {
        use rustix::fs::{Mode, OFlags};
        let (flags, mode) = match write {
            true => (OFlags::WRONLY | OFlags::CREATE | OFlags::TRUNC, Mode::from_raw_mode(0o666)),
            false => (OFlags::RDONLY, Mode::empty()),
        };
        Ok(rustix::fs::openat(&self.fd, relative, flags | OFlags::CLOEXEC, mode)?.into())
    }

    #[cfg(not(unix))]
    fn open_file(&self, relative: &str, write: bool) -> io::Result<std::fs::File> {
        let path = self.path.join(relative);
        match write {
            true => std::fs::File::create(path),
            false => std::fs::File::open(path),
        }
    }
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

/// Copies an open file's contents (not its permissions or timestamps) to the new file `to`;
/// returns the number of bytes copied. `shown` names the source in errors, and `to_path` makes
/// the path of `to` for them (only then).
pub(crate) fn copy_from(
    from: &mut std::fs::File,
    shown: &Path,
    to: &mut std::fs::File,
    to_path: impl FnOnce() -> PathBuf,
) -> Result<u64> {
    std::io::copy(from, to)
        .map_err(|e| io_error(&format!("cannot copy `{}` to", shown.display()), &to_path(), e))
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
            let folder = Folder::open(dir.path()).unwrap();
            let (read, modified) =
                folder.read_source_dated(&format!("{size}.md"), || PathBuf::from("shown.md")).unwrap();
            assert_eq!(read, text, "a file of {size} bytes");
            assert!(modified.is_some());
        }
    }

    #[test]
    fn a_dated_read_of_a_file_that_says_it_is_empty_reads_what_it_holds() {
        // Files under /proc report a size of 0 and hold text all the same.
        let path = Path::new("/proc/self/cmdline");
        let folder = Folder::open(Path::new("/proc/self")).unwrap();
        let (read, _) = folder.read_source_dated("cmdline", || PathBuf::from("cmdline")).unwrap();
        assert!(!read.is_empty());
        assert_eq!(read, std::fs::read_to_string(path).unwrap());
    }

    #[test]
    fn a_dated_read_of_text_that_is_not_utf8_names_the_shown_path_and_position() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.md");
        std::fs::write(&path, b"+++\ntitle = \"x\"\n+++\nab\xffc").unwrap();
        let error = Folder::open(dir.path())
            .unwrap()
            .read_source_dated("bad.md", || PathBuf::from("content/bad.md"))
            .unwrap_err();
        assert_eq!(error.to_string(), "content/bad.md:4:3: the file is not valid UTF-8 text");
    }

    #[test]
    fn a_folder_writes_files_by_their_relative_path_making_the_folders_between() {
        let dir = tempfile::tempdir().unwrap();
        let folder = Folder::open(dir.path()).unwrap();
        folder.write("a/b/c/index.html", b"deep").unwrap();
        folder.write("a/b/index.html", b"first").unwrap();
        folder.write("a/b/index.html", b"second").unwrap();
        folder.write("top.html", b"top").unwrap();
        let read = |path: &str| std::fs::read_to_string(dir.path().join(path)).unwrap();
        assert_eq!(read("a/b/c/index.html"), "deep");
        assert_eq!(read("a/b/index.html"), "second", "an existing file is replaced");
        assert_eq!(read("top.html"), "top");
        // A file where a folder should be: the error names the file that could not be written.
        let error = folder.write("top.html/index.html", b"x").unwrap_err().to_string();
        let path = dir.path().join("top.html/index.html");
        assert!(error.starts_with(&format!("cannot write `{}`", path.display())), "{error}");
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
