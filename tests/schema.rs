//! The JSON Schema of the comparison format (`docs/comparison.schema.json`, which `juxta init`
//! writes and editors read) agrees with juxta: every dataset juxta accepts (the flagship site's,
//! the `init` scaffold's, the documented example and every valid fixture's) is valid against it,
//! and datasets juxta refuses for a reason a schema can state are invalid against it.
//!
//! Files are read as juxta reads them, so a TOML date is text, as editors
//! hand it to the schema.

mod common;

use std::path::{Path, PathBuf};

use common::fixtures;

fn repository() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The schema, compiled.
fn schema() -> (boon::Schemas, boon::SchemaIndex) {
    let text = std::fs::read_to_string(repository().join("docs/comparison.schema.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    compiler.add_resource("comparison.schema.json", json).unwrap();
    let index = compiler.compile("comparison.schema.json", &mut schemas).unwrap();
    (schemas, index)
}

/// The file read as juxta reads it; `None` when it is not a comparison dataset.
fn dataset(path: &Path) -> Option<serde_json::Value> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    if !["toml", "yaml", "yml", "json"].contains(&ext.as_str()) {
        return None;
    }
    let text = std::fs::read_to_string(path).ok()?;
    let value = juxta::fuzzing::data_as_json(&text, &ext)?;
    (value.get("kind").and_then(serde_json::Value::as_str) == Some("comparison")).then_some(value)
}

fn data_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| entries.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    files.sort();
    files
}

/// Every comparison dataset juxta builds: the flagship's, the scaffold's and the valid fixtures'.
fn accepted() -> Vec<(PathBuf, serde_json::Value)> {
    let mut dirs = vec![repository().join("data"), repository().join("src/init/scaffold/data")];
    dirs.extend(common::cases(&fixtures("sites")).into_iter().map(|case| case.join("data")));
    let files = dirs.iter().flat_map(|dir| data_files(dir));
    files.filter_map(|path| dataset(&path).map(|value| (path, value))).collect()
}

#[test]
fn every_dataset_juxta_builds_is_valid_against_the_schema() {
    let (schemas, index) = schema();
    let datasets = accepted();
    let names: Vec<String> =
        datasets.iter().map(|(p, _)| p.file_name().unwrap().to_string_lossy().into()).collect();
    for expected in [
        "protocols.toml",
        "iot_vs_m2m.toml",
        "static_vs_server.toml",
        "gadgets.toml",
        "radios.yaml",
        "wires.json",
    ] {
        assert!(names.iter().any(|n| n == expected), "{expected} is among {names:?}");
    }
    let mut failures = Vec::new();
    for (path, value) in &datasets {
        if let Err(e) = schemas.validate(value, index) {
            failures.push(format!("{}: {e:#}", path.display()));
        }
    }
    // The documented example, as the docs show it.
    let docs = std::fs::read_to_string(repository().join("docs/comparisons.md")).unwrap();
    let example = docs.split("```toml\n").nth(1).unwrap().split("```").next().unwrap();
    let example = juxta::fuzzing::data_as_json(example, "toml").unwrap();
    if let Err(e) = schemas.validate(&example, index) {
        failures.push(format!("the example of docs/comparisons.md: {e:#}"));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Invalid fixtures whose mistakes a schema can state (a misspelt or unknown key, a value of the
/// wrong type, a bad date, `accessed` without `url`, a `[pages]` key that does not exist) are
/// refused by the schema as they are by juxta.
#[test]
fn the_schema_refuses_datasets_juxta_refuses() {
    let (schemas, index) = schema();
    let refused = [
        "comparison_unknown_field",
        "comparison_type_mismatch",
        "comparison_source_invalid",
        "comparison_pages_invalid",
        "comparison_cell_id_collision",
    ];
    for case in refused {
        let dir = fixtures("sites_invalid").join(case).join("data");
        let values: Vec<serde_json::Value> = data_files(&dir).iter().filter_map(|p| dataset(p)).collect();
        assert!(!values.is_empty(), "{case} has a dataset");
        assert!(values.iter().any(|v| schemas.validate(v, index).is_err()), "{case} passes the schema");
    }
    // And each field of a valid dataset, broken on its own.
    let (_, valid) = accepted().into_iter().find(|(p, _)| p.ends_with("gadgets.toml")).unwrap();
    let broken: [(&str, Break); 7] = [
        ("no title", |v| drop(v.as_object_mut().unwrap().remove("title"))),
        ("a misspelt key", |v| v["dimensions"][0]["lable"] = "Price".into()),
        ("a number as text", |v| v["dimensions"][0]["values"]["phone"] = "600".into()),
        ("a bad id", |v| v["subjects"][0]["id"] = "The Phone".into()),
        ("max_age without a unit", |v| v["max_age"] = "18".into()),
        ("accessed without url", |v| drop(v["sources"]["old-survey"].as_object_mut().unwrap().remove("url"))),
        ("better on text", |v| v["dimensions"][2]["better"] = "higher".into()),
    ];
    assert!(schemas.validate(&valid, index).is_ok());
    for (what, breaks) in broken {
        let mut value = valid.clone();
        breaks(&mut value);
        assert!(schemas.validate(&value, index).is_err(), "the schema accepts a dataset with {what}");
    }
}

/// A change that breaks a valid dataset.
type Break = fn(&mut serde_json::Value);

/// The schema `juxta init` writes is the one published with the docs.
#[test]
fn init_writes_the_published_schema() {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("new");
    let result = common::juxta(tmp.path(), &["init", site.to_str().unwrap()]);
    assert!(result.status.success(), "{}", String::from_utf8_lossy(&result.stderr));
    let written = std::fs::read(site.join("comparison.schema.json")).unwrap();
    assert_eq!(written, std::fs::read(repository().join("docs/comparison.schema.json")).unwrap());
    let dataset = std::fs::read_to_string(site.join("data/static_vs_server.toml")).unwrap();
    assert!(dataset.starts_with("#:schema ../comparison.schema.json\n"), "{dataset}");
}
