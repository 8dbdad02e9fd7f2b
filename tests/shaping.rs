//! Readers shape the repository's comparison tables by keyboard in Chromium (`test-tools/shape.mjs`),
//! served over HTTP and opened from disk as an offline build: with JavaScript off, "Show only the
//! rows that differ" hides exactly the rows where every subject agrees and a cleared subject
//! checkbox hides its whole column (CSS `:has()` alone); with JavaScript on, the same happens, the
//! change is said in the status region, the "Order" button orders the columns by its row, and a
//! ranking table sorts by a column. No page logs an error.
//!
//! These need `scripts/test`'s browser tools: without them they are skipped locally and fail under CI.

mod common;

use std::path::Path;
use std::process::Command;

use common::audit::{self, BROWSER};
use common::server::{Server, encode_path};
use serde_json::Value;

fn build(extra: &[&str]) -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    let result = common::build(Path::new(env!("CARGO_MANIFEST_DIR")), &out, extra);
    assert!(result.status.success(), "{}", String::from_utf8_lossy(&result.stderr));
    (tmp, out)
}

fn shape(table: &str, ranking: &str) -> Value {
    let result = Command::new("node")
        .arg(audit::test_tools().join("shape.mjs"))
        .args([table, ranking])
        .output()
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&result.stdout);
    assert!(result.status.success(), "shape.mjs failed:\n{}", String::from_utf8_lossy(&result.stderr));
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("shape.mjs printed no report ({e}):\n{stdout}"))
}

fn n(value: &Value) -> u64 {
    value.as_u64().unwrap_or_else(|| panic!("not a count: {value}"))
}

/// What holds with JavaScript off and on alike.
fn assert_shaped(run: &Value, what: &str) {
    let (before, differences, column) = (&run["before"], &run["differences"], &run["column"]);
    assert_eq!(before["rows"], before["allRows"], "{what}: every row is shown at first: {run}");
    assert_eq!(before["columns"], before["allColumns"], "{what}: every column is shown at first: {run}");
    assert!(n(&before["sameRows"]) > 0, "{what}: the first table has rows that agree: {run}");
    assert_eq!(run["differencesChecked"], true, "{what}: Space ticks the checkbox: {run}");
    assert_eq!(
        n(&differences["rows"]),
        n(&before["allRows"]) - n(&before["sameRows"]),
        "{what}: the rows that agree are hidden: {run}"
    );
    assert_eq!(n(&column["columns"]), n(&before["allColumns"]) - 1, "{what}: one column is hidden: {run}");
    assert_eq!(
        column["cellsOfHiddenColumn"], 0,
        "{what}: the column's cells are hidden with its header: {run}"
    );
    assert!(run["errors"].as_array().unwrap().is_empty(), "{what}: errors: {run}");
}

fn assert_reader_can_shape(table: &str, ranking: &str, what: &str) {
    let report = shape(table, ranking);
    let (off, on) = (&report["off"], &report["on"]);
    assert_shaped(off, &format!("{what}, JavaScript off"));
    assert_eq!(off["before"]["sortButtons"], 0, "{what}: no script, no Order buttons: {off}");
    assert_eq!(off["column"]["status"], "", "{what}: no script, nothing said: {off}");

    assert_shaped(on, &format!("{what}, JavaScript on"));
    let columns = n(&on["before"]["allColumns"]);
    let status = on["column"]["status"].as_str().unwrap();
    assert!(
        status.starts_with(&format!(
            "{} of {columns} columns and {} of ",
            columns - 1,
            n(&on["column"]["rows"])
        )),
        "{what}: the change is said: {status:?}"
    );
    // Among fewer columns, more rows agree.
    assert!(n(&on["column"]["rows"]) <= n(&on["differences"]["rows"]), "{what}: {on}");
    let ordered = &on["orderedSort"];
    let values: Vec<f64> = ordered["values"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v.as_str().and_then(|s| s.parse().ok()))
        .collect();
    assert!(!values.is_empty(), "{what}: the ordered row has values: {on}");
    match ordered["sort"].as_str() {
        Some("descending") => assert!(values.windows(2).all(|w| w[0] >= w[1]), "{what}: {values:?}"),
        Some("ascending") => assert!(values.windows(2).all(|w| w[0] <= w[1]), "{what}: {values:?}"),
        other => panic!("{what}: the ordered row says how: {other:?} in {on}"),
    }

    let ranking = &report["ranking"];
    assert_eq!(ranking["buttons"], 3, "{what}: a button per column of the ranking: {ranking}");
    let mut sorted: Vec<String> =
        ranking["before"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
    sorted.sort_by_key(|s| s.to_lowercase());
    let after: Vec<String> =
        ranking["after"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
    assert_eq!(after, sorted, "{what}: sorted by name: {ranking}");
    assert!(ranking["sort"].as_array().unwrap().iter().any(|s| s == "ascending"), "{what}: {ranking}");
}

#[test]
fn readers_shape_tables_served_with_javascript_off_and_on() {
    if !audit::tools_ready("readers_shape_tables_served_with_javascript_off_and_on", BROWSER) {
        return;
    }
    let (_tmp, out) = build(&[]);
    let server = Server::start(&out, "/iot-vs-m2m/");
    let base = server.base_url();
    assert_reader_can_shape(&format!("{base}protocols/"), &format!("{base}compare/by-power/"), "served");
}

#[test]
fn readers_shape_tables_opened_from_disk() {
    if !audit::tools_ready("readers_shape_tables_opened_from_disk", BROWSER) {
        return;
    }
    let (_tmp, out) = build(&["--offline"]);
    let url = |file: &str| {
        let path = out.join(file).canonicalize().unwrap();
        format!("file://{}", encode_path(&path.to_string_lossy()))
    };
    assert_reader_can_shape(&url("protocols/index.html"), &url("compare/by-power/index.html"), "from disk");
}
