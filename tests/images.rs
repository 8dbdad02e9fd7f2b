//! The cache of processed images and share cards (`JUXTA_CACHE_DIR`, `.juxta-cache/` by default):
//! a rebuild takes what it can from it instead of encoding again, and the output is the same bytes
//! with the cache, without it, and after it is deleted. The images fixture (`tests/sites/images`)
//! pins what the pages and files look like; `tests/sites_invalid/image_*` pin the errors.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::{copy_tree, fixtures, tree};

fn build(root: &Path, out: &Path, cache: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_juxta"))
        .args(["build", "--quiet", "--root", root.to_str().unwrap(), "--out", out.to_str().unwrap()])
        .env("SOURCE_DATE_EPOCH", common::epoch(root))
        .env("JUXTA_CACHE_DIR", cache)
        .output()
        .expect("the juxta binary runs")
}

/// The images fixture, without a cache its own builds may have left in it.
fn copy_site(root: &Path) {
    copy_tree(&fixtures("sites").join("images"), root);
    let _ = std::fs::remove_dir_all(root.join(".juxta-cache"));
    let _ = std::fs::remove_dir_all(root.join("expected"));
}

fn build_ok(root: &Path, out: &Path, cache: &Path) {
    let result = build(root, out, cache);
    assert!(result.status.success(), "the build failed:\n{}", String::from_utf8_lossy(&result.stderr));
}

#[test]
fn the_cache_never_changes_the_output_and_a_rebuild_reads_it() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("site");
    copy_site(&root);
    let cache = tmp.path().join("cache");
    let (first, second, third) = (tmp.path().join("a"), tmp.path().join("b"), tmp.path().join("c"));

    build_ok(&root, &first, &cache);
    let entries = tree(&cache);
    assert!(entries.keys().any(|k| k.starts_with("images/")), "no image was cached: {:?}", entries.keys());
    assert!(entries.keys().any(|k| k.starts_with("cards/")), "no card was cached: {:?}", entries.keys());
    assert!(!root.join(".juxta-cache").exists(), "JUXTA_CACHE_DIR moves the cache out of the project");

    build_ok(&root, &second, &cache);
    assert_eq!(tree(&first), tree(&second), "a build from the cache writes the same bytes");
    assert_eq!(entries, tree(&cache), "a rebuild adds nothing to the cache");

    std::fs::remove_dir_all(&cache).unwrap();
    build_ok(&root, &third, &cache);
    assert_eq!(tree(&first), tree(&third), "a build without the cache writes the same bytes");
}

/// The proof that a rebuild encodes nothing: an entry of the cache swapped for another image
/// (which no encoder would make from this original) is what the next build writes.
#[test]
fn a_rebuild_takes_variants_from_the_cache_instead_of_encoding() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("site");
    copy_site(&root);
    let cache = tmp.path().join("cache");
    let (first, second) = (tmp.path().join("a"), tmp.path().join("b"));
    build_ok(&root, &first, &cache);
    let images: Vec<_> =
        std::fs::read_dir(cache.join("images")).unwrap().map(|e| e.unwrap().path()).collect();
    let red_16 = std::fs::read(first.join("red-16w.91b43f82.webp")).unwrap();
    let photo_16 = std::fs::read(first.join("gallery/photo-16w.8670dba6.webp")).unwrap();
    assert_ne!(red_16, photo_16);
    let entry = images.iter().find(|p| std::fs::read(p).unwrap() == red_16).expect("the variant is cached");
    std::fs::write(entry, &photo_16).unwrap();

    build_ok(&root, &second, &cache);
    assert_eq!(std::fs::read(second.join("red-16w.91b43f82.webp")).unwrap(), photo_16);
}

/// A cache that cannot be written (here a file where its folder should be) is no error.
#[test]
fn a_cache_that_cannot_be_written_is_ignored() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("site");
    copy_site(&root);
    let blocked = tmp.path().join("file");
    std::fs::write(&blocked, "not a folder").unwrap();
    let out = tmp.path().join("out");
    build_ok(&root, &out, &blocked.join("cache"));
    assert_eq!(tree(&out), tree(&fixtures("sites").join("images").join("expected")));
}
