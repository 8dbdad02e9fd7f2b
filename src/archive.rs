//! `--zip`: the offline build packed into one zip file, to hand to someone or attach to a release.
//!
//! Everything sits under one top folder named after the zip file (`guide.zip` unpacks into
//! `guide/`), so unpacking never scatters files. Entries are sorted and carry a fixed date, so the
//! same site gives the same bytes. The file is written beside its final name and renamed into
//! place, so a failed run leaves any previous zip as it was.

use std::io::Write as _;
use std::path::Path;

use walkdir::WalkDir;
use zip::write::SimpleFileOptions;

use crate::error::{Error, Result};

/// Packs the folder `dir` into the zip file `zip_path`.
pub fn zip_folder(dir: &Path, zip_path: &Path) -> Result<()> {
    let top = zip_path
        .file_stem()
        .and_then(|s| s.to_str())
        .filter(|s| !s.is_empty() && !s.starts_with('.'))
        .unwrap_or("site")
        .to_string();
    let parent = zip_path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let temporary = parent.join(format!(
        ".{}.juxta-zip-{}",
        zip_path.file_name().and_then(|n| n.to_str()).unwrap_or("site.zip"),
        std::process::id()
    ));
    let written = write_zip(dir, &temporary, &top).and_then(|()| {
        std::fs::rename(&temporary, zip_path).map_err(|e| {
            Error::environment(format!("cannot move the zip into place at `{}`", zip_path.display()))
                .caused_by(e)
        })
    });
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    written
}

fn write_zip(dir: &Path, file: &Path, top: &str) -> Result<()> {
    let failed = |e: zip::result::ZipError| {
        Error::environment(format!("cannot write the zip `{}`", file.display())).caused_by(e)
    };
    let out = std::fs::File::create(file).map_err(|e| {
        Error::environment(format!("cannot create the zip `{}`", file.display())).caused_by(e)
    })?;
    let mut zip = zip::ZipWriter::new(std::io::BufWriter::new(out));
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    for entry in WalkDir::new(dir).follow_links(false).sort_by_file_name() {
        let entry = entry.map_err(|e| Error::environment("cannot read the built site").caused_by(e))?;
        let relative = entry.path().strip_prefix(dir).unwrap_or(entry.path());
        let name = relative.to_string_lossy().replace('\\', "/");
        if name.is_empty() || name == crate::output::MARKER {
            continue;
        }
        let path_in_zip = format!("{top}/{name}");
        if entry.file_type().is_dir() {
            zip.add_directory(path_in_zip, options.unix_permissions(0o755)).map_err(failed)?;
        } else if entry.file_type().is_file() {
            let bytes = std::fs::read(entry.path())
                .map_err(|e| crate::fs::io_error("cannot read", entry.path(), e))?;
            zip.start_file(path_in_zip, options.unix_permissions(0o644)).map_err(failed)?;
            zip.write_all(&bytes).map_err(|e| failed(e.into()))?;
        }
    }
    let mut writer = zip.finish().map_err(failed)?;
    writer.flush().map_err(|e| failed(e.into()))?;
    Ok(())
}
