//! Comparison datasets carrying hostile values cannot inject markup or script anywhere: every
//! tag of the output is parsed and its attributes checked, and every JSON-LD block must parse
//! back to exactly the values of the data file.
//!
//! The fixture is `tests/sites/comparison`, whose data holds `</script><script>alert(1)</script>`
//! in a subject name and a description, `" onmouseover="alert(1)` in a note, `javascript:` as a
//! source, and U+2028 in a description. Its full output is also pinned by `tests/sites.rs`.

mod common;

use common::{build, fixtures, tree};

/// One start tag: its name and attributes, as a browser would read them.
#[derive(Debug)]
struct Tag {
    name: String,
    attributes: Vec<(String, String)>,
}

/// The start tags of `html` and the text inside each `<script>` element.
fn parse(html: &str) -> (Vec<Tag>, Vec<String>) {
    let bytes = html.as_bytes();
    let (mut tags, mut scripts) = (Vec::new(), Vec::new());
    let mut i = 0;
    while let Some(offset) = html[i..].find('<') {
        i += offset + 1;
        if !bytes.get(i).is_some_and(u8::is_ascii_alphabetic) {
            continue;
        }
        let name_end = html[i..].find(|c: char| c.is_ascii_whitespace() || c == '>' || c == '/').unwrap() + i;
        let name = html[i..name_end].to_ascii_lowercase();
        i = name_end;
        let mut attributes = Vec::new();
        loop {
            while bytes[i].is_ascii_whitespace() || bytes[i] == b'/' {
                i += 1;
            }
            if bytes[i] == b'>' {
                i += 1;
                break;
            }
            let end = html[i..].find(|c: char| c.is_ascii_whitespace() || c == '=' || c == '>').unwrap() + i;
            let attribute = html[i..end].to_ascii_lowercase();
            i = end;
            let mut value = String::new();
            if bytes[i] == b'=' {
                i += 1;
                let quote = bytes[i];
                if quote == b'"' || quote == b'\'' {
                    let close = html[i + 1..].find(quote as char).unwrap() + i + 1;
                    value = html[i + 1..close].to_string();
                    i = close + 1;
                } else {
                    let end = html[i..].find(|c: char| c.is_ascii_whitespace() || c == '>').unwrap() + i;
                    value = html[i..end].to_string();
                    i = end;
                }
            }
            attributes.push((attribute, value));
        }
        if name == "script" {
            // Script text ends at the first `</script`, whatever it contains: exactly what an
            // injected `</script>` would exploit.
            let end = html[i..].to_ascii_lowercase().find("</script").unwrap() + i;
            scripts.push(html[i..end].to_string());
            i = end;
        }
        tags.push(Tag { name, attributes });
    }
    (tags, scripts)
}

#[test]
fn hostile_data_values_cannot_inject_markup_or_script() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    let result = build(&fixtures("sites").join("comparison"), &out, &[]);
    assert!(result.status.success(), "{}", String::from_utf8_lossy(&result.stderr));

    let mut pages = 0;
    let mut json_ld = Vec::new();
    for (file, bytes) in tree(&out) {
        if !file.ends_with(".html") {
            continue;
        }
        pages += 1;
        let html = String::from_utf8(bytes).unwrap();
        let (tags, scripts) = parse(&html);
        for tag in &tags {
            for (name, value) in &tag.attributes {
                assert!(!name.starts_with("on"), "{file}: <{}> has an event handler {name}", tag.name);
                let url = value.trim().to_ascii_lowercase();
                assert!(!url.starts_with("javascript:"), "{file}: <{}> {name}={value}", tag.name);
            }
            if tag.name == "script" {
                assert_eq!(
                    tag.attributes,
                    [("type".to_string(), "application/ld+json".to_string())],
                    "{file}: a script that is not JSON-LD"
                );
            }
        }
        assert!(tags.iter().all(|t| t.name != "em" && t.name != "img"), "{file}: data became markup");
        json_ld.extend(scripts);
    }
    assert_eq!(pages, 6, "home, details, 404 and one embeddable table per dataset");
    assert_eq!(json_ld.len(), 8, "one Dataset per table with downloads, one built by the template");

    for script in &json_ld {
        assert!(!script.contains('<') && !script.contains('\u{2028}'), "{script}");
        let dataset: serde_json::Value = serde_json::from_str(script).unwrap();
        assert_eq!(dataset["@type"], "Dataset");
        if dataset["name"] == "Devices compared" || dataset["name"] == "From a template" {
            assert_eq!(
                dataset["description"],
                "How two device families differ. \u{2028} </script><script>alert(1)</script>"
            );
        }
        if dataset["name"] == "Devices compared" {
            assert_eq!(dataset["distribution"][1]["contentUrl"], "https://example.com/docs/data/devices.csv");
        }
    }
}

#[test]
fn downloads_hold_every_value_of_the_dataset() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    let result = build(&fixtures("sites").join("comparison"), &out, &[]);
    assert!(result.status.success(), "{}", String::from_utf8_lossy(&result.stderr));

    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("data/devices.json")).unwrap()).unwrap();
    let battery = &json["dimensions"][1];
    assert_eq!(battery["id"], "battery");
    assert_eq!(battery["values"]["gateway"]["value"], false);
    assert_eq!(battery["values"]["gateway"]["note"], "\" onmouseover=\"alert(1)");
    assert_eq!(json["dimensions"][4]["values"]["gateway"]["not_applicable"], true);

    let csv = std::fs::read_to_string(out.join("data/devices.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header = reader.headers().unwrap().clone();
    assert_eq!(&header[7], "Gateway </script><script>alert(1)</script>");
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 5);
    assert_eq!(&rows[1][8], "\" onmouseover=\"alert(1)");
    assert_eq!(&rows[2][4], "Low (1 of 3)");
}

/// The example of `docs/comparisons.md` is a valid dataset, and the sentence the page promises
/// is what `comparison_value` gives.
#[test]
fn the_documented_example_builds() {
    let docs = std::fs::read_to_string(fixtures("..").join("docs/comparisons.md")).unwrap();
    let example = docs.split("```toml\n").nth(1).unwrap().split("```").next().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("site");
    common::copy_tree(&fixtures("sites_invalid").join("_base"), &root);
    std::fs::create_dir_all(root.join("data")).unwrap();
    std::fs::write(root.join("data/iot_vs_m2m.toml"), example).unwrap();
    // The example asks for pages, rendered with the theme's templates.
    for kind in ["pair", "subject", "dimension"] {
        let name = format!("comparison-{kind}.html");
        std::fs::copy(fixtures("..").join("templates").join(&name), root.join("templates").join(&name))
            .unwrap();
    }
    let page = "+++\ntitle = \"Page\"\n+++\n## A heading\n\n\
        M2M networks answer in about {{ comparison_value(dataset=\"iot_vs_m2m\", dimension=\"latency\", subject=\"m2m\") }}.\n\n\
        {{ comparison_table(dataset=\"iot_vs_m2m\") }}\n";
    std::fs::write(root.join("content/guide/page.md"), page).unwrap();
    let out = tmp.path().join("public");
    let result = build(&root, &out, &[]);
    assert!(result.status.success(), "{}", String::from_utf8_lossy(&result.stderr));
    let html = std::fs::read_to_string(out.join("guide/page/index.html")).unwrap();
    assert!(html.contains("M2M networks answer in about 40 ms."), "{html}");
    assert!(html.contains("<tr id=\"connectivity\">"), "{html}");
    assert!(html.contains("<span class=\"comparison-value\">High (3 of 3)</span>"), "{html}");
    for page in ["compare/iot-vs-m2m", "compare/m2m-vs-scada", "compare/iot", "compare/by-latency"] {
        assert!(out.join(page).join("index.html").is_file(), "{page}");
    }
    let pair = std::fs::read_to_string(out.join("compare/iot-vs-m2m/index.html")).unwrap();
    assert!(pair.contains("<li id=\"iot-vs-m2m-source-1\"><cite>ITU-T Y.2060"), "{pair}");
}
