//! Private temporary folders: where `juxta check` builds the site twice and where `build --zip`
//! builds it when there is no `--out`. Each is named after its purpose and the process that made
//! it (`juxta-check-<pid>-<n>` in the system's temporary folder) and removed when dropped.
//!
//! A run that is killed cannot remove its folder; at tens of megabytes each, those would pile up.
//! Every run removes, before making its own, the folders whose process no longer runs and that
//! belong to the same user: the way a build removes the staging folders of killed builds. A
//! folder of a live process, or of another user, is never touched.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// A private folder under the system's temporary folder, removed when dropped.
pub(crate) struct Scratch {
    path: PathBuf,
}

impl Scratch {
    /// Makes a fresh folder `juxta-<purpose>-<pid>-<n>`, after removing the stale folders of
    /// earlier runs for `purpose`.
    pub(crate) fn create(purpose: &str) -> Result<Scratch> {
        let base = std::env::temp_dir();
        let prefix = format!("juxta-{purpose}-");
        remove_stale(&base, &prefix);
        let cannot =
            || Error::environment(format!("cannot create a temporary folder in `{}`", base.display()));
        for attempt in 0..100 {
            let path = base.join(format!("{prefix}{}-{attempt}", std::process::id()));
            match std::fs::create_dir(&path) {
                Ok(()) => {
                    crate::guard::track(&path);
                    return Ok(Scratch { path });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(cannot().caused_by(e)),
            }
        }
        Err(cannot())
    }

    /// The folder.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
        crate::guard::untrack(&self.path);
    }
}

/// Removes the entries of `dir` named `<prefix><pid>` or `<prefix><pid>-<anything>` whose process
/// no longer runs and which belong to this user. What cannot be removed is left for a later run.
pub(crate) fn remove_stale(dir: &Path, prefix: &str) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(|n| pid_after(n, prefix)) else { continue };
        if !is_stale(&entry.path(), pid) {
            continue;
        }
        let _ = match entry.file_type() {
            Ok(t) if t.is_dir() => std::fs::remove_dir_all(entry.path()),
            _ => std::fs::remove_file(entry.path()),
        };
    }
}

/// The process id in `name` after `prefix`, up to the end or a `-`.
fn pid_after(name: &str, prefix: &str) -> Option<u32> {
    let rest = name.strip_prefix(prefix)?;
    rest.split('-').next()?.parse().ok()
}

/// Whether `path`, made by process `pid`, is left over: this user's, and its process gone.
#[cfg(unix)]
fn is_stale(path: &Path, pid: u32) -> bool {
    use std::os::unix::fs::MetadataExt as _;
    let Ok(meta) = std::fs::symlink_metadata(path) else { return false };
    if meta.uid() != rustix::process::geteuid().as_raw() || pid == std::process::id() {
        return false;
    }
    let Some(pid) = i32::try_from(pid).ok().and_then(rustix::process::Pid::from_raw) else { return false };
    // Signal 0 asks only whether the process exists; "no such process" is the one sure answer
    // (a process of another user answers "not permitted").
    rustix::process::test_kill_process(pid) == Err(rustix::io::Errno::SRCH)
}

/// Elsewhere no process is asked about: nothing is removed.
#[cfg(not(unix))]
fn is_stale(_path: &Path, _pid: u32) -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_leftovers_of_ended_processes_are_removed() {
        let tmp = tempfile::tempdir().unwrap();
        // A process that has ended: a child waited for.
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let ended = child.id();
        child.wait().unwrap();
        let me = std::process::id();
        for name in [
            format!("juxta-check-{ended}-0"),
            format!("juxta-check-{ended}"),
            format!("juxta-check-{me}-0"),
            "juxta-check-notanumber".into(),
            format!("juxta-zip-{ended}-0"),
        ] {
            std::fs::create_dir(tmp.path().join(name)).unwrap();
        }
        std::fs::write(tmp.path().join(format!("juxta-check-{ended}-1")), "a file").unwrap();
        remove_stale(tmp.path(), "juxta-check-");
        let mut left: Vec<String> = std::fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(
            left,
            [format!("juxta-check-{me}-0"), "juxta-check-notanumber".into(), format!("juxta-zip-{ended}-0")]
        );
    }
}
