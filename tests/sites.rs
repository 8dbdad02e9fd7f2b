//! Fixture sites with pinned output and pinned errors.
//!
//! - `tests/sites/<case>/` is a project; it builds (with the arguments in its `args` file, if
//!   any) into exactly the files of `<case>/expected/`, byte for byte.
//! - `tests/sites_invalid/<case>/` holds the files that differ from `tests/sites_invalid/_base/`;
//!   the combined project fails with exactly `<case>/expected_stderr` and exit code 1 (or the
//!   code in `expected_exit`), and leaves an existing output folder as it was.
//!
//! `JUXTA_BLESS=1 cargo test --test sites` rewrites the pinned files after a deliberate change.

mod common;

use std::path::Path;

use common::{blessing, build, cases, copy_tree, fixtures, tree};

fn args_of(case: &Path) -> Vec<String> {
    std::fs::read_to_string(case.join("args"))
        .map(|a| a.split_whitespace().map(str::to_string).collect())
        .unwrap_or_default()
}

#[test]
fn valid_sites_match_their_pinned_output() {
    let mut failures = Vec::new();
    for case in cases(&fixtures("sites")) {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let args = args_of(&case);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let result = build(&case, &out, &args);
        assert!(
            result.status.success(),
            "{name}: build failed:\n{}",
            String::from_utf8_lossy(&result.stderr)
        );
        let expected_dir = case.join("expected");
        if blessing() {
            let _ = std::fs::remove_dir_all(&expected_dir);
            copy_tree(&out, &expected_dir);
            continue;
        }
        let actual = tree(&out);
        let expected = tree(&expected_dir);
        let names = |t: &std::collections::BTreeMap<String, Vec<u8>>| t.keys().cloned().collect::<Vec<_>>();
        if names(&actual) != names(&expected) {
            failures.push(format!(
                "{name}: files differ:\n  actual   {:?}\n  expected {:?}",
                names(&actual),
                names(&expected)
            ));
            continue;
        }
        for (file, bytes) in &actual {
            if bytes != &expected[file] {
                failures.push(format!(
                    "{name}: {file} differs from the pinned copy:\n{}",
                    String::from_utf8_lossy(bytes)
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn invalid_sites_fail_with_their_pinned_error_and_keep_the_previous_output() {
    let dir = fixtures("sites_invalid");
    let base = dir.join("_base");
    let mut failures = Vec::new();
    for case in cases(&dir) {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("site");
        copy_tree(&base, &root);
        copy_tree(&case, &root);
        for pinned in ["expected_stderr", "expected_exit", "args"] {
            let _ = std::fs::remove_file(root.join(pinned));
        }
        // A previous build's output, which the failing build must leave exactly as it is.
        let out = tmp.path().join("public");
        std::fs::create_dir_all(out.join("old")).unwrap();
        std::fs::write(out.join(".juxta-output"), "marker").unwrap();
        std::fs::write(out.join("old/index.html"), "previous output").unwrap();
        let before = tree(&out);

        let args = args_of(&case);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let result = build(&root, &out, &args);
        let stderr = String::from_utf8_lossy(&result.stderr).replace(root.to_str().unwrap(), "<root>");
        common::compare_pinned(&case, &name, &stderr, result.status.code(), &mut failures);
        if tree(&out) != before {
            failures.push(format!("{name}: the previous output was changed"));
        }
        let leftovers: Vec<String> = std::fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n != "site" && n != "public")
            .collect();
        if !leftovers.is_empty() {
            failures.push(format!("{name}: files left beside the output: {leftovers:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
