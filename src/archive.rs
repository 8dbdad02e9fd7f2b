//! `--zip`: the offline build packed into one zip file, to hand to someone or attach to a release.
//!
//! Everything sits under one top folder named after the zip file (`guide.zip` unpacks into
//! `guide/`), so unpacking never scatters files. Entries are sorted and carry a fixed date, so the
//! same site gives the same bytes. The file is written beside its final name and renamed into
//! place, so a failed run leaves any previous zip as it was.
//!
//! The zip file is refused ([`check_target`]) where writing it would destroy something: in the
//! project (its root, `site.toml`, anything in `content/`, `data/`, `templates/` or `static/`),
//! inside the output folder (which the next build replaces), over a folder or a link, or over
//! an existing file that is not a zip juxta wrote. juxta marks its zips with a comment
//! ([`COMMENT`]) and replaces only those.

use std::cell::RefCell;
use std::io::Write;
use std::path::Path;
use std::rc::Rc;

use walkdir::WalkDir;
use zip::write::SimpleFileOptions;

use crate::error::{Error, Result};

/// The comment of every zip juxta writes: how it knows a zip it may replace.
pub(crate) const COMMENT: &str =
    "Written by juxta (juxta build --zip), which replaces this file when it builds it again.";

/// Resolves the zip file `zip` of a build of the project at `root` (into `out`, when given), and
/// refuses it where writing would destroy something (see the module's documentation). Nothing is
/// written.
pub(crate) fn check_target(root: &Path, zip: &Path, out: Option<&Path>) -> Result<std::path::PathBuf> {
    let cannot = |why: &str| {
        Err(Error::environment(format!("refusing to write the zip to `{}`: {why}", zip.display())))
    };
    let root = root.canonicalize().map_err(|e| crate::fs::io_error("cannot resolve", root, e))?;
    let Some((path, _, _)) = crate::output::locate(zip) else {
        return cannot("it is not a file name");
    };
    if let Some(why) = crate::output::in_project(&root, &path) {
        return cannot(&why);
    }
    // This build's output, and the one every plain `juxta build` replaces.
    let default_out = root.join("public");
    let outs = out
        .map(|out| (out, "the output folder"))
        .into_iter()
        .chain([(default_out.as_path(), "`public/`, the folder `juxta build` writes")]);
    for (out, which) in outs {
        if let Some((out, _, _)) = crate::output::locate(out)
            && path.starts_with(&out)
        {
            return cannot(&format!("it is inside {which}, which each build replaces"));
        }
    }
    match std::fs::symlink_metadata(&path) {
        Ok(meta) if meta.file_type().is_symlink() => cannot("it is a symbolic link"),
        Ok(meta) if meta.is_dir() => cannot("it is a folder"),
        Ok(_) if !written_by_juxta(&path) => cannot(
            "a file of that name exists and is not a zip juxta wrote; remove it or choose another name",
        ),
        _ => Ok(path),
    }
}

/// Whether the file at `path` is a zip juxta wrote: it ends with the end record of a zip whose
/// comment is [`COMMENT`].
fn written_by_juxta(path: &Path) -> bool {
    use std::io::{Read as _, Seek as _, SeekFrom};
    // The end record: a signature, 16 bytes, the comment's length (2 bytes), the comment.
    let tail = 22 + COMMENT.len();
    let mut bytes = vec![0; tail];
    let read = std::fs::File::open(path).and_then(|mut file| {
        file.seek(SeekFrom::End(-(tail as i64)))?;
        file.read_exact(&mut bytes)
    });
    read.is_ok()
        && bytes.starts_with(b"PK\x05\x06")
        && bytes[20..22] == (COMMENT.len() as u16).to_le_bytes()
        && bytes.ends_with(COMMENT.as_bytes())
}

/// Packs the folder `dir` into the zip file `zip_path`, a path [`check_target`] accepted;
/// errors name it as `shown` (as it was asked for).
pub(crate) fn zip_folder(dir: &Path, zip_path: &Path, shown: &Path) -> Result<()> {
    let top = zip_path
        .file_stem()
        .and_then(|s| s.to_str())
        .filter(|s| !s.is_empty() && !s.starts_with('.'))
        .unwrap_or("site")
        .to_string();
    let parent = zip_path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let prefix =
        format!(".{}.juxta-zip-", zip_path.file_name().and_then(|n| n.to_str()).unwrap_or("site.zip"));
    // The half-written zips of killed runs.
    crate::scratch::remove_stale(parent, &prefix);
    crate::fs::create_dir_all(parent)?;
    let temporary = parent.join(format!("{prefix}{}", std::process::id()));
    crate::guard::track(&temporary);
    let written = write_zip(dir, &temporary, shown, &top).and_then(|()| {
        crate::guard::check()?;
        std::fs::rename(&temporary, zip_path).map_err(|e| {
            Error::environment(format!("cannot move the zip into place at `{}`", shown.display()))
                .caused_by(e)
        })
    });
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    crate::guard::untrack(&temporary);
    written
}

/// Writes the zip of `dir` into `file`; errors name `shown`, the zip asked for.
fn write_zip(dir: &Path, file: &Path, shown: &Path, top: &str) -> Result<()> {
    let failed = |e: std::io::Error| {
        Error::environment(format!("cannot write the zip `{}`", shown.display())).caused_by(e)
    };
    let out = std::fs::File::create(file).map_err(failed)?;
    let failure = Rc::new(RefCell::new(None));
    let mut zip = zip::ZipWriter::new(Quiet::new(out, failure.clone()));
    let written = add_entries(&mut zip, dir, top, &failed).and_then(|()| {
        zip.set_comment(COMMENT).map_err(|e| failed(e.into()))?;
        zip.finish().map_err(|e| failed(e.into()))?.flush().map_err(failed)
    });
    // The first failure of the file, when there was one, rather than the library's account of it.
    written.map_err(|e| match failure.take() {
        Some(first) if e.kind() != crate::error::Kind::Interrupted => failed(first),
        _ => e,
    })
}

/// Adds the files of `dir` under the folder `top`; `failed` makes the error of a failed write.
fn add_entries(
    zip: &mut zip::ZipWriter<Quiet>,
    dir: &Path,
    top: &str,
    failed: &dyn Fn(std::io::Error) -> Error,
) -> Result<()> {
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    for entry in WalkDir::new(dir).follow_links(false).sort_by_file_name() {
        crate::guard::check()?;
        let entry = entry.map_err(|e| Error::environment("cannot read the built site").caused_by(e))?;
        let relative = entry.path().strip_prefix(dir).unwrap_or(entry.path());
        let name = relative.to_string_lossy().replace('\\', "/");
        if name.is_empty() || name == crate::output::MARKER {
            continue;
        }
        let path_in_zip = format!("{top}/{name}");
        if entry.file_type().is_dir() {
            zip.add_directory(path_in_zip, options.unix_permissions(0o755)).map_err(|e| failed(e.into()))?;
        } else if entry.file_type().is_file() {
            let bytes = std::fs::read(entry.path())
                .map_err(|e| crate::fs::io_error("cannot read", entry.path(), e))?;
            zip.start_file(path_in_zip, options.unix_permissions(0o644)).map_err(|e| failed(e.into()))?;
            zip.write_all(&bytes).map_err(failed)?;
        }
    }
    Ok(())
}

/// The zip file being written, which turns silent after its first failure (a full disk): later
/// writes are dropped, and seeks move a position that only this keeps. The zip library finishes
/// an archive it is dropped with, and prints its own debug text to the terminal when that fails;
/// the file is deleted anyway, and the first failure is kept (in `failure`) to be reported as
/// juxta's error.
struct Quiet {
    file: std::io::BufWriter<std::fs::File>,
    failure: Rc<RefCell<Option<std::io::Error>>>,
    /// Where the library believes it is in the file, and the furthest it has been.
    position: u64,
    end: u64,
}

impl Quiet {
    fn new(file: std::fs::File, failure: Rc<RefCell<Option<std::io::Error>>>) -> Quiet {
        Quiet { file: std::io::BufWriter::new(file), failure, position: 0, end: 0 }
    }

    fn failed(&self) -> bool {
        self.failure.borrow().is_some()
    }

    fn moved_to(&mut self, position: u64) {
        self.position = position;
        self.end = self.end.max(position);
    }

    /// Keeps the first failure; the library gets one of the same kind and text.
    fn note<T>(&mut self, result: std::io::Result<T>) -> std::io::Result<T> {
        result.map_err(|e| {
            let told = std::io::Error::new(e.kind(), e.to_string());
            self.failure.borrow_mut().get_or_insert(e);
            told
        })
    }
}

impl Write for Quiet {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        if self.failed() {
            self.moved_to(self.position + bytes.len() as u64);
            return Ok(bytes.len());
        }
        let result = self.file.write(bytes);
        if let Ok(written) = result {
            self.moved_to(self.position + written as u64);
        }
        self.note(result)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.failed() {
            return Ok(());
        }
        let result = self.file.flush();
        self.note(result)
    }
}

impl std::io::Seek for Quiet {
    fn seek(&mut self, to: std::io::SeekFrom) -> std::io::Result<u64> {
        if self.failed() {
            let position = match to {
                std::io::SeekFrom::Start(at) => at,
                std::io::SeekFrom::Current(by) => self.position.saturating_add_signed(by),
                std::io::SeekFrom::End(by) => self.end.saturating_add_signed(by),
            };
            self.moved_to(position);
            return Ok(position);
        }
        let result = self.file.seek(to);
        if let Ok(position) = result {
            self.moved_to(position);
        }
        self.note(result)
    }
}
