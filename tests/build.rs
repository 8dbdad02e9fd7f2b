//! Guarantees of `juxta build` beyond pinned output: determinism, line-ending independence,
//! exit codes, the output folder's safety rules, and atomic replacement.

mod common;

use std::path::Path;

use common::{build, copy_tree, fixtures, juxta, tree};

fn fixture(name: &str) -> std::path::PathBuf {
    fixtures("sites").join(name)
}

#[test]
fn two_builds_give_byte_identical_trees() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    assert!(build(&fixture("markdown"), &a, &[]).status.success());
    assert!(build(&fixture("markdown"), &b, &[]).status.success());
    let (ta, tb) = (tree(&a), tree(&b));
    assert!(ta.len() > 10, "the fixture writes a real site");
    assert_eq!(ta, tb);
}

#[test]
fn bom_and_crlf_give_the_same_output_as_lf() {
    let tmp = tempfile::tempdir().unwrap();
    let crlf_site = tmp.path().join("crlf");
    copy_tree(&fixture("markdown"), &crlf_site);
    for entry in walkdir::WalkDir::new(crlf_site.join("content")) {
        let entry = entry.unwrap();
        if entry.path().extension().is_some_and(|e| e == "md") {
            let text = std::fs::read_to_string(entry.path()).unwrap();
            std::fs::write(entry.path(), format!("\u{feff}{}", text.replace('\n', "\r\n"))).unwrap();
        }
    }
    let (lf_out, crlf_out) = (tmp.path().join("lf-out"), tmp.path().join("crlf-out"));
    assert!(build(&fixture("markdown"), &lf_out, &[]).status.success());
    let result = build(&crlf_site, &crlf_out, &[]);
    assert!(result.status.success(), "{}", String::from_utf8_lossy(&result.stderr));
    assert_eq!(tree(&lf_out), tree(&crlf_out));
}

#[test]
fn a_failed_build_leaves_the_previous_build_byte_identical() {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    copy_tree(&fixture("markdown"), &site);
    let out = tmp.path().join("public");
    assert!(build(&site, &out, &[]).status.success());
    let before = tree(&out);
    // Break the very last page in source order.
    std::fs::write(site.join("content/guide/features.md"), "+++\ntitle = 1\n+++\n").unwrap();
    let result = build(&site, &out, &[]);
    assert_eq!(result.status.code(), Some(1));
    assert_eq!(tree(&out), before);
    let names: Vec<String> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into())
        .collect();
    assert_eq!(names.len(), 2, "no staging folder is left behind: {names:?}");
}

#[test]
fn a_successful_build_replaces_stale_files() {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    copy_tree(&fixture("markdown"), &site);
    let out = tmp.path().join("public");
    assert!(build(&site, &out, &[]).status.success());
    std::fs::remove_file(site.join("content/guide/features.md")).unwrap();
    std::fs::write(site.join("content/guide/diagram/index.md"), "+++\ntitle = \"Diagram\"\n+++\nAlone.\n")
        .unwrap();
    std::fs::write(site.join("content/_index.md"), "+++\ntitle = \"Home\"\n+++\nHome.\n").unwrap();
    assert!(build(&site, &out, &[]).status.success());
    assert!(!out.join("guide/features/index.html").exists(), "a removed page's output is gone");
    assert!(out.join("guide/diagram/index.html").exists());
}

#[test]
fn exit_codes_distinguish_success_site_errors_and_usage() {
    let tmp = tempfile::tempdir().unwrap();
    assert_eq!(build(&fixture("markdown"), &tmp.path().join("ok"), &[]).status.code(), Some(0));
    let broken = tmp.path().join("broken");
    copy_tree(&fixture("markdown"), &broken);
    std::fs::write(broken.join("content/_index.md"), "no front matter").unwrap();
    assert_eq!(build(&broken, &tmp.path().join("out"), &[]).status.code(), Some(1));
    assert_eq!(juxta(tmp.path(), &["build", "--no-such-flag"]).status.code(), Some(2));
    assert_eq!(juxta(tmp.path(), &["frobnicate"]).status.code(), Some(2));
    // Not a site at all: no site.toml.
    let empty = tmp.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let result = juxta(&empty, &["build"]);
    assert_eq!(result.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&result.stderr).contains("no `site.toml`"));
}

fn refused(site: &Path, out: &Path) -> String {
    let result = build(site, out, &[]);
    assert_eq!(result.status.code(), Some(2), "{}", String::from_utf8_lossy(&result.stderr));
    String::from_utf8_lossy(&result.stderr).into_owned()
}

#[test]
fn the_output_folder_may_not_be_the_project_its_sources_or_a_foreign_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    copy_tree(&fixture("markdown"), &site);
    let before = tree(&site);
    assert!(refused(&site, &site).contains("it holds the project"));
    assert!(refused(&site, tmp.path()).contains("it holds the project"));
    assert!(refused(&site, &site.join("content/out")).contains("inside the project's `content/` folder"));
    let foreign = tmp.path().join("foreign");
    std::fs::create_dir(&foreign).unwrap();
    std::fs::write(foreign.join("precious.txt"), "keep me").unwrap();
    assert!(refused(&site, &foreign).contains("was not made by juxta"));
    assert_eq!(std::fs::read_to_string(foreign.join("precious.txt")).unwrap(), "keep me");
    assert_eq!(tree(&site), before, "the project is untouched");
    // An empty folder is fine.
    let empty = tmp.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    assert!(build(&site, &empty, &[]).status.success());
}

#[test]
fn nothing_is_written_outside_the_output_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    copy_tree(&fixture("markdown"), &site);
    let before = tree(&site);
    let out = tmp.path().join("public");
    assert!(build(&site, &out, &[]).status.success());
    assert_eq!(tree(&site), before);
    let names: Vec<String> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into())
        .collect();
    let mut names = names;
    names.sort();
    assert_eq!(names, ["public", "site"]);
}

#[test]
fn a_body_without_template_syntax_is_not_rendered_by_tera() {
    // `{{` is absent, so `{% raw` mistakes or Tera-like text stay literal Markdown.
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    copy_tree(&fixture("markdown"), &site);
    std::fs::write(site.join("content/_index.md"), "+++\ntitle = \"Home\"\n+++\nBraces } and {# stay.\n")
        .unwrap();
    let out = tmp.path().join("public");
    let result = build(&site, &out, &[]);
    assert!(result.status.success(), "{}", String::from_utf8_lossy(&result.stderr));
    let home = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(home.contains("Braces } and {# stay."), "{home}");
}

#[test]
fn zip_packs_an_offline_build_under_one_folder_and_is_reproducible() {
    let tmp = tempfile::tempdir().unwrap();
    let site = fixture("comparison");
    let zip_a = tmp.path().join("guide.zip");
    std::fs::create_dir(tmp.path().join("again")).unwrap();
    let zip_b = tmp.path().join("again/guide.zip");
    for zip in [&zip_a, &zip_b] {
        let result = juxta(&site, &["build", "--quiet", "--zip", zip.to_str().unwrap()]);
        assert!(result.status.success(), "{}", String::from_utf8_lossy(&result.stderr));
    }
    assert!(!site.join("public").exists(), "without --out, --zip builds in a temporary folder");

    let mut archive = zip::ZipArchive::new(std::fs::File::open(&zip_a).unwrap()).unwrap();
    let names: Vec<String> = archive.file_names().map(|n| n.unwrap().into_owned()).collect();
    assert!(names.iter().all(|n| n.starts_with("guide/")), "{names:?}");
    assert!(!names.iter().any(|n| n.ends_with(".juxta-output")), "{names:?}");
    let mut home = String::new();
    std::io::Read::read_to_string(&mut archive.by_name("guide/index.html").unwrap(), &mut home).unwrap();
    assert!(home.contains("href=\"details/index.html\""), "links end in index.html offline:\n{home}");

    assert_eq!(std::fs::read(&zip_a).unwrap(), std::fs::read(&zip_b).unwrap(), "two zips differ");
}

#[test]
fn zip_inside_the_output_folder_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    let zip = out.join("site.zip");
    let result = build(&fixture("comparison"), &out, &["--zip", zip.to_str().unwrap()]);
    assert_eq!(result.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&result.stderr).contains("is inside the output folder"));
}

/// Without `SOURCE_DATE_EPOCH`, the build date is the newest modification time of the site's
/// inputs: a page's (taken as the page is read) as much as a template's.
#[test]
fn the_build_date_is_the_newest_input_file_time() {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    copy_tree(&fixture("markdown"), &site);
    let at = |seconds: u64| std::time::UNIX_EPOCH + std::time::Duration::from_secs(seconds);
    let touch = |path: &Path, seconds: u64| {
        std::fs::File::options().write(true).open(path).unwrap().set_modified(at(seconds)).unwrap();
    };
    for entry in walkdir::WalkDir::new(&site) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            touch(entry.path(), 1_600_000_000);
        }
    }
    let home_lastmod = |newest: &Path, seconds: u64| {
        touch(newest, seconds);
        let out = tmp.path().join("out");
        let result = std::process::Command::new(env!("CARGO_BIN_EXE_juxta"))
            .args(["build", "--quiet", "--root", site.to_str().unwrap(), "--out", out.to_str().unwrap()])
            .env_remove("SOURCE_DATE_EPOCH")
            .output()
            .unwrap();
        assert!(result.status.success(), "{}", String::from_utf8_lossy(&result.stderr));
        let sitemap = std::fs::read_to_string(out.join("sitemap.xml")).unwrap();
        let at = sitemap.find("<lastmod>").unwrap() + "<lastmod>".len();
        sitemap[at..at + 20].to_string()
    };
    assert_eq!(home_lastmod(&site.join("content/guide/features.md"), 1_650_000_000), "2022-04-15T05:20:00Z");
    assert_eq!(home_lastmod(&site.join("templates/page.html"), 1_700_000_000), "2023-11-14T22:13:20Z");
}

/// A data file is kept for templates only when something reads it: whichever way a template,
/// an included template, a component or a page's body reads it, it is there.
#[test]
fn a_data_file_read_in_any_way_a_template_or_page_writes_it_is_there() {
    // (where, what it writes, what the page shows)
    let cases = [
        ("template", "{{ data.rows | length }}", "[2]"),
        ("template", "{{- data . rows[1].name -}}", "[second]"),
        ("template", "{{ data[\"my-rows\"][0].name }}", "[mine]"),
        ("template", "{{ data['rows'][0].name }}", "[first]"),
        ("template", "{{ data?.rows[0]?.name }}{{ data?[\"my-rows\"] | length }}", "[first1]"),
        ("template", "{% if data.rows is defined %}yes{% endif %}", "[yes]"),
        ("template", "{% include \"part.html\" %}", "[second]"),
        ("template", "{{<count rows={data.rows} />}}", "[2]"),
        ("template", "{{<other_x />}}", "[seven]"),
        ("template", "{% set t = page.extra.table ~ \"ws\" %}{{ data[t][0].name }}", "[first]"),
        ("template", "{% set d = data %}{{ d[\"oth\" ~ \"er\"].x }}", "[seven]"),
        (
            "template",
            "{% for name, file in data %}{% if name is starting_with(pat=\"oth\") %}{{ file.x }}{% endif %}{% endfor %}",
            "[seven]",
        ),
        ("body", "{{ data.rows | length }} rows", "[2 rows]"),
        ("body", "{% for r in data[\"my-rows\"] %}{{ r.name }}{% endfor %}", "[mine]"),
        ("body", "{{<other_x />}}", "[seven]"),
        ("body", "{{ data[page.extra.table ~ \"ws\"] | length }} rows", "[2 rows]"),
    ];
    for (place, writes, shows) in cases {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("site");
        copy_tree(&fixtures("sites_invalid").join("_base"), &root);
        std::fs::create_dir_all(root.join("data")).unwrap();
        std::fs::write(root.join("data/rows.csv"), "id,name\n1,first\n2,second\n").unwrap();
        std::fs::write(root.join("data/my-rows.csv"), "id,name\n1,mine\n").unwrap();
        std::fs::write(root.join("data/other.toml"), "x = \"seven\"\n").unwrap();
        if writes.contains("part.html") {
            std::fs::write(root.join("templates/part.html"), "{{ data.rows[1].name }}").unwrap();
        }
        // `other_x` takes `data` from where it is used: a read of `data` as a whole, which keeps
        // every file, so it is there only for the cases that use it.
        let mut components =
            String::from("{% component count(rows) %}{{ rows | length }}{% endcomponent count %}\n");
        if writes.contains("other_x") {
            components
                .push_str("{% component other_x(@data) %}{{ data.other.x }}{% endcomponent other_x %}\n");
        }
        std::fs::write(root.join("templates/components.html"), components).unwrap();
        let (template, body) = match place {
            "template" => (writes, ""),
            _ => ("", writes),
        };
        let page_template = std::fs::read_to_string(root.join("templates/page.html")).unwrap();
        let page_template = page_template.replacen(
            "{{ page.content }}",
            &format!("{{{{ page.content }}}}<p id=\"t\">[{template}]</p>"),
            1,
        );
        std::fs::write(root.join("templates/page.html"), page_template).unwrap();
        // Names computed when rendering (`ro` ~ `ws`) are reads of `data` as a whole; other
        // cases write no name of a file but the one they read.
        let extra = if writes.contains("page.extra.table") { "[extra]\ntable = \"ro\"\n" } else { "" };
        let page = format!("+++\ntitle = \"Page\"\n{extra}+++\n## A heading\n\n<p id=\"b\">[{body}]</p>\n");
        std::fs::write(root.join("content/guide/page.md"), page).unwrap();
        let out = tmp.path().join("public");
        let result = build(&root, &out, &[]);
        assert!(result.status.success(), "{place} `{writes}`: {}", String::from_utf8_lossy(&result.stderr));
        let html = std::fs::read_to_string(out.join("guide/page/index.html")).unwrap();
        assert!(html.contains(shows), "{place} `{writes}` shows {shows}:\n{html}");
    }
}
