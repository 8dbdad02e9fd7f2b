//! Replays the fuzz targets' checked-in inputs on stable Rust: the seed corpus in
//! `fuzz/seeds/<target>/` and every input a fuzzing run found a problem with, kept in
//! `fuzz/regressions/<target>/`. Each input goes through the same function the fuzz target calls
//! (`juxta::fuzzing`), which panics when an invariant breaks.

use std::path::Path;

fn replay(target: &str, run: fn(&[u8])) {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut count = 0;
    for kind in ["seeds", "regressions"] {
        let dir = fuzz.join(kind).join(target);
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        let mut files: Vec<_> = entries.map(|e| e.unwrap().path()).collect();
        files.sort();
        for file in files {
            let input = std::fs::read(&file).unwrap();
            let outcome = std::panic::catch_unwind(|| run(&input));
            assert!(outcome.is_ok(), "{target}: {} breaks an invariant", file.display());
            count += 1;
        }
    }
    assert!(count >= 5, "{target}: only {count} inputs checked in");
}

#[test]
fn front_matter_inputs_pass() {
    replay("front_matter", juxta::fuzzing::front_matter);
}

#[test]
fn markdown_inputs_pass() {
    replay("markdown", juxta::fuzzing::markdown);
}

#[test]
fn data_inputs_pass() {
    replay("data", juxta::fuzzing::data);
}

#[test]
fn url_inputs_pass() {
    replay("url", juxta::fuzzing::url);
}
