//! Hostile input and faults that pinned fixtures cannot hold: inputs made at run time (huge
//! Markdown, file names that are not UTF-8, symbolic links, unreadable files) and faults during a
//! build (a full disk, a read-only folder, signals, two builds at once, a crash in one page).
//!
//! Each case checks what a user trusts juxta with: the exit code, an error naming the file, no
//! panic, the previous output byte-identical, and nothing created beside the output folder.
//! The input cases that fit in files are fixtures in `tests/sites_invalid/`.
//!
//! Some faults need root (a small tmpfs, another user for unreadable files). Without it such a
//! test says why and passes, except under CI (`CI` set), where it fails instead.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{EPOCH, build, copy_tree, fixtures, tree};

/// A project made from the invalid fixtures' base site, in `tmp/site`.
fn base_site(tmp: &Path) -> PathBuf {
    let root = tmp.join("site");
    copy_tree(&fixtures("sites_invalid").join("_base"), &root);
    root
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The failure a user must see: `code`, every `names` in the message, and no panic.
fn assert_fails(output: &Output, code: i32, names: &[&str]) {
    let text = stderr(output);
    assert_eq!(output.status.code(), Some(code), "{text}");
    for name in names {
        assert!(text.contains(name), "the error does not name `{name}`:\n{text}");
    }
    assert!(!text.contains("panicked"), "{text}");
}

/// The names in `dir`, sorted: what a build may have created beside its output.
fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into()).collect();
    names.sort();
    names
}

/// Builds `root` into `out` once, successfully, and returns the output's files.
fn first_build(root: &Path, out: &Path) -> BTreeMap<String, Vec<u8>> {
    let result = build(root, out, &[]);
    assert!(result.status.success(), "{}", stderr(&result));
    tree(out)
}

fn ci() -> bool {
    std::env::var_os("CI").is_some()
}

/// Skips a test that needs what this machine does not give, or fails it under CI.
fn unavailable(test: &str, why: &str) {
    assert!(!ci(), "{test}: {why}; CI must run this test, not skip it");
    eprintln!("{test}: skipped: {why}");
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| o.stdout.trim_ascii() == b"0")
}

/// A tmpfs mounted for one test, unmounted when dropped (also when the test fails).
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(dir: &Path, size: &str) -> Option<Tmpfs> {
        std::fs::create_dir_all(dir).unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size},mode=0755"), "tmpfs"])
            .arg(dir)
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| Tmpfs(dir.to_path_buf()))
    }

    fn remount(&self, options: &str) {
        let status =
            Command::new("mount").args(["-o", &format!("remount,{options}")]).arg(&self.0).status().unwrap();
        assert!(status.success(), "remount {options}");
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

/// Mounts a tmpfs, or says why the test cannot run.
fn tmpfs(test: &str, dir: &Path, size: &str) -> Option<Tmpfs> {
    if !is_root() {
        unavailable(test, "mounting a tmpfs needs root");
        return None;
    }
    let mount = Tmpfs::mount(dir, size);
    if mount.is_none() {
        unavailable(test, "`mount -t tmpfs` failed (no permission to mount here)");
    }
    mount
}

// ---------------------------------------------------------------------------------------------
// Front matter and file names

#[test]
fn front_matter_without_a_final_newline_or_a_body_builds() {
    let tmp = tempfile::tempdir().unwrap();
    let root = base_site(tmp.path());
    std::fs::write(root.join("content/_index.md"), "+++\ntitle = \"Home\"\n+++\n").unwrap();
    std::fs::write(root.join("content/guide/page.md"), "+++\ntitle = \"No newline\"\n+++").unwrap();
    std::fs::write(root.join("content/guide/yaml.md"), "---\ntitle: Only front matter\n---\n").unwrap();
    let out = tmp.path().join("public");
    let files = first_build(&root, &out);
    let page = String::from_utf8_lossy(&files["guide/page/index.html"]).into_owned();
    assert!(page.contains("<h1>No newline</h1>"), "{page}");
    assert!(files.contains_key("guide/yaml/index.html"));
}

#[test]
fn a_file_name_that_is_not_utf8_is_an_error_naming_its_folder() {
    use std::os::unix::ffi::OsStrExt;
    for folder in ["content/guide", "static", "data"] {
        let tmp = tempfile::tempdir().unwrap();
        let root = base_site(tmp.path());
        let out = tmp.path().join("public");
        let before = first_build(&root, &out);
        std::fs::create_dir_all(root.join(folder)).unwrap();
        let name = std::ffi::OsStr::from_bytes(b"caf\xe9.md");
        std::fs::write(root.join(folder).join(name), "+++\ntitle = \"x\"\n+++\n").unwrap();
        let result = build(&root, &out, &[]);
        assert_fails(&result, 1, &[folder, "not valid UTF-8"]);
        assert_eq!(tree(&out), before, "{folder}: the previous output changed");
        assert_eq!(names_in(tmp.path()), ["public", "site"]);
    }
}

#[test]
fn unportable_file_names_are_errors_naming_the_file() {
    for (folder, name, problem) in [
        ("content/guide", "a\\b.md", "'\\\\'"),
        ("content/guide", "up\\..\\..\\evil.md", "'\\\\'"),
        ("content/guide", "diagram:v2.svg", "':'"),
        ("static", "aux.css", "reserved file name on Windows"),
        ("static/com1", "x.css", "reserved file name on Windows"),
        ("static", "tab\there.txt", "'\\t'"),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let root = base_site(tmp.path());
        let out = tmp.path().join("public");
        let before = first_build(&root, &out);
        std::fs::create_dir_all(root.join(folder)).unwrap();
        std::fs::write(root.join(folder).join(name), "+++\ntitle = \"x\"\n+++\n").unwrap();
        let result = build(&root, &out, &[]);
        // A control character in a name is printed as its escape.
        let shown = name.replace('\t', "\\t");
        assert_fails(&result, 1, &[&format!("{folder}/{shown}: "), problem]);
        assert_eq!(tree(&out), before, "{name}: the previous output changed");
        assert_eq!(names_in(tmp.path()), ["public", "site"], "{name}");
    }
}

/// Regression: only the first bad name was reported, and a name with a newline or an escape
/// sequence was printed as it is, starting a line of its own or recolouring the terminal.
#[test]
fn every_bad_file_name_is_reported_at_once_and_printed_safely() {
    use std::os::unix::ffi::OsStrExt;
    let tmp = tempfile::tempdir().unwrap();
    let root = base_site(tmp.path());
    let out = tmp.path().join("public");
    let before = first_build(&root, &out);
    for dir in ["static/css", "data", "templates/partials"] {
        std::fs::create_dir_all(root.join(dir)).unwrap();
    }
    let page = "+++\ntitle = \"x\"\n+++\n";
    let names: [(&[u8], &str); 7] = [
        (b"content/guide/new\nline.md", "content/guide/new\\nline.md: "),
        (b"content/guide/fake.md:1:1: error\n.md", "content/guide/fake.md:1:1: error\\n.md: "),
        (b"content/guide/bell\x07.md", "content/guide/bell\\u{7}.md: "),
        (b"static/css/\x1b[2Jclear.css", "static/css/\\u{1b}[2Jclear.css: "),
        (b"static/right\xe2\x80\xaeleft.txt", "static/right\\u{202e}left.txt: "),
        (b"data/caf\xe9.toml", "data/caf\\xe9.toml: the file name is not valid UTF-8"),
        (
            b"templates/partials/caf\xe9.html",
            "templates/partials/caf\\xe9.html: the file name is not valid UTF-8",
        ),
    ];
    for (name, _) in &names {
        std::fs::write(root.join(std::ffi::OsStr::from_bytes(name)), page).unwrap();
    }
    let result = build(&root, &out, &[]);
    let text = stderr(&result);
    // The templates are read once the content and data are: their names come in a second run.
    let first_run: Vec<&str> = names[..6].iter().map(|(_, shown)| *shown).collect();
    assert_fails(&result, 1, &first_run);
    assert_eq!(text.lines().count(), 7, "six errors and the summary, one line each:\n{text}");
    assert!(!text.contains(['\u{1b}', '\u{7}', '\u{202e}', '\t']), "{text:?}");
    assert_eq!(tree(&out), before);
    for (name, _) in &names[..6] {
        std::fs::remove_file(root.join(std::ffi::OsStr::from_bytes(name))).unwrap();
    }
    assert_fails(&build(&root, &out, &[]), 1, &[names[6].1]);
    assert_eq!(names_in(tmp.path()), ["public", "site"]);
}

// ---------------------------------------------------------------------------------------------
// Markdown at scale

/// Builds a page whose body is `body` with a page budget large enough for it; returns the
/// result and how long it took.
fn build_body(tmp: &Path, body: &str) -> (Output, Duration) {
    let root = tmp.join("site");
    if !root.exists() {
        copy_tree(&fixtures("sites_invalid").join("_base"), &root);
        let config = std::fs::read_to_string(root.join("site.toml")).unwrap();
        std::fs::write(root.join("site.toml"), format!("{config}\n[limits]\nmax_page_kib = 65536\n"))
            .unwrap();
    }
    // The base home page links to the page's `#a-heading`.
    let page = format!("+++\ntitle = \"Big\"\n+++\n## A heading\n\n{body}\n");
    std::fs::write(root.join("content/guide/page.md"), page).unwrap();
    let started = Instant::now();
    let result = build(&root, &tmp.join("public"), &[]);
    (result, started.elapsed())
}

/// Builds `make(n)` and `make(4 * n)`: both must succeed, and the larger may take at most about
/// four times as long (with room for noise on a shared machine), so time grows linearly.
fn assert_linear(name: &str, n: usize, make: impl Fn(usize) -> String) {
    let tmp = tempfile::tempdir().unwrap();
    let (small, small_time) = build_body(tmp.path(), &make(n));
    assert!(small.status.success(), "{name} × {n}: {}", stderr(&small));
    let (large, large_time) = build_body(tmp.path(), &make(4 * n));
    assert!(large.status.success(), "{name} × {}: {}", 4 * n, stderr(&large));
    assert!(!stderr(&large).contains("panicked"));
    let page = std::fs::read(tmp.path().join("public/guide/page/index.html")).unwrap();
    assert!(page.len() < 64 * 1024 * 1024, "{name}: the page is {} bytes", page.len());
    // Build start-up is a fixed cost in both; 10 × leaves room for a busy machine, while a
    // quadratic pass would take 16 × the per-item time and much more at these sizes.
    let bound = small_time * 10 + Duration::from_secs(3);
    assert!(large_time < bound, "{name}: {n} took {small_time:?}, {} took {large_time:?}", 4 * n);
}

#[test]
fn deeply_nested_block_quotes_build_in_linear_time() {
    assert_linear("nested block quotes", 25_000, |n| format!("{} deep\n", ">".repeat(n)));
}

#[test]
fn deeply_nested_lists_build_in_linear_time() {
    assert_linear("nested lists", 25_000, |n| format!("{}deep\n", "- ".repeat(n)));
}

#[test]
fn a_table_thousands_of_columns_wide_builds_in_linear_time() {
    assert_linear("table columns", 2_500, |n| {
        let row = |cell: &str| format!("|{}\n", format!("{cell}|").repeat(n));
        format!("{}{}{}", row("h"), row("---"), row("v"))
    });
}

#[test]
fn thousands_of_link_references_build_in_linear_time() {
    assert_linear("link references", 2_500, |n| {
        let uses: String = (0..n).map(|i| format!("[link {i}][r{i}] ")).collect();
        let definitions: String = (0..n).map(|i| format!("[r{i}]: https://example.org/{i}\n")).collect();
        format!("{uses}\n\n{definitions}")
    });
}

#[test]
fn a_ten_megabyte_paragraph_stops_at_the_page_budget_with_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let root = base_site(tmp.path());
    let out = tmp.path().join("public");
    let before = first_build(&root, &out);
    let paragraph = "word ".repeat(2 * 1024 * 1024);
    let page = format!("+++\ntitle = \"Big\"\n+++\n## A heading\n\n{paragraph}\n");
    std::fs::write(root.join("content/guide/page.md"), page).unwrap();
    let started = Instant::now();
    let result = build(&root, &out, &[]);
    assert_fails(&result, 1, &["content/guide/page.md", "max_page_kib"]);
    assert!(started.elapsed() < Duration::from_secs(60), "took {:?}", started.elapsed());
    assert_eq!(tree(&out), before);
    assert_eq!(names_in(tmp.path()), ["public", "site"]);
}

// ---------------------------------------------------------------------------------------------
// Data at scale

/// A comparison dataset of `subjects` subjects on three dimensions, as TOML.
fn wide_dataset(subjects: usize) -> String {
    let mut toml = String::from("kind = \"comparison\"\ntitle = \"Wide\"\n");
    for i in 0..subjects {
        toml.push_str(&format!("\n[[subjects]]\nid = \"s{i}\"\nname = \"Subject {i}\"\n"));
    }
    for d in 0..3 {
        toml.push_str(&format!(
            "\n[[dimensions]]\nid = \"d{d}\"\nlabel = \"D{d}\"\nsummary = \"What {d} is\"\n"
        ));
        for i in 0..subjects {
            toml.push_str(&format!("values.s{i} = \"Value {i}\"\n"));
        }
    }
    toml
}

/// Regression: the position of every value of a TOML dataset was found by counting lines from the
/// start of the file, so 5,000 subjects took 8.7 s where the same data in JSON took 0.13 s.
#[test]
fn a_toml_dataset_loads_in_time_linear_in_its_size() {
    let tmp = tempfile::tempdir().unwrap();
    let root = base_site(tmp.path());
    std::fs::create_dir_all(root.join("data")).unwrap();
    let timed = |subjects: usize| {
        std::fs::write(root.join("data/wide.toml"), wide_dataset(subjects)).unwrap();
        let started = Instant::now();
        let result = build(&root, &tmp.path().join("public"), &[]);
        assert!(result.status.success(), "{subjects}: {}", stderr(&result));
        started.elapsed()
    };
    let (small, large) = (timed(1_250), timed(5_000));
    // Four times the data: a quadratic pass takes sixteen times as long.
    assert!(
        large < small * 8 + Duration::from_secs(2),
        "1,250 subjects took {small:?}, 5,000 took {large:?}"
    );
}

/// The peak memory of building `root` into `out`, in bytes, measured by GNU time.
fn peak_memory(root: &Path, out: &Path) -> Option<u64> {
    let result = Command::new("/usr/bin/time")
        .args(["-f", "%M"])
        .arg(env!("CARGO_BIN_EXE_juxta"))
        .args(["build", "--quiet", "--root"])
        .arg(root)
        .arg("--out")
        .arg(out)
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .output()
        .ok()?;
    assert!(result.status.success(), "{}", stderr(&result));
    stderr(&result).lines().last()?.trim().parse::<u64>().ok().map(|kib| kib * 1024)
}

/// Regression: a 50 MiB CSV file peaked at 3.46 GiB, about 75 times its size: its rows were held
/// three times over (as JSON values, a copy of those, and the template engine's), then once
/// (still about 13 times the file: each row a table of the template engine's values). Now a file
/// nothing reads is checked row by row and not kept: its memory is its text; a file a template
/// reads still costs its rows, once.
#[test]
fn a_large_csv_file_takes_memory_in_proportion_to_its_size() {
    let test = "a_large_csv_file_takes_memory_in_proportion_to_its_size";
    if !Path::new("/usr/bin/time").exists() {
        return unavailable(
            test,
            "measuring peak memory needs GNU time at /usr/bin/time (Debian package `time`)",
        );
    }
    let tmp = tempfile::tempdir().unwrap();
    let root = base_site(tmp.path());
    std::fs::create_dir_all(root.join("data")).unwrap();
    let csv = |mib: usize| {
        let mut text = String::from("id,name,count,ratio,ok,code\n");
        let mut i = 0;
        while text.len() < mib << 20 {
            text.push_str(&format!("{i},Item {i},{},{}.5,{},{:05}\n", i * 7, i / 8, i % 2 == 0, i % 1000));
            i += 1;
        }
        text
    };
    // What twelve more MiB of short cells cost, per byte of the file.
    let per_byte = |page: &str| {
        std::fs::write(root.join("content/guide/rows.md"), page).unwrap();
        let mut peaks = Vec::new();
        for mib in [4, 16] {
            std::fs::write(root.join("data/rows.csv"), csv(mib)).unwrap();
            peaks.push(peak_memory(&root, &tmp.path().join("public")).expect("GNU time reports the peak"));
        }
        peaks[1].saturating_sub(peaks[0]) as f64 / (12 << 20) as f64
    };
    let unread = per_byte("+++\ntitle = \"Rows\"\n+++\nNothing here reads the data.\n");
    assert!(unread <= 4.0, "each byte of a CSV file nothing reads took {unread:.1} bytes of memory");
    let read = per_byte("+++\ntitle = \"Rows\"\n+++\n{{ data.rows | length }} rows.\n");
    assert!(read < 20.0, "each byte of a CSV file a page reads took {read:.1} bytes of memory");
    assert!(read > unread * 4.0, "a page reads the file ({read:.1} bytes a byte): it is kept, and measured");
}

// ---------------------------------------------------------------------------------------------
// Raw HTML and dangerous links

const HOSTILE_LINKS: &str = "\
[a](javascript:alert(1)) [b](JaVaScRiPt:alert(2)) [c](&#106;avascript:alert(3))
[d](java&#x09;script:alert(4)) [e](<java\tscript:alert(5)>) <vbscript:msgbox(6)>
[f]( data:text/html,<script>alert(7)</script> ) ![g](data:image/svg+xml,<svg/onload=alert(8)>)
[h][ref] <javascript:alert(9)> [i](%6Aavascript:fine) [j](\u{1}javascript:alert(10))

[ref]: javascript:alert(11)
";

/// Builds `body` as `content/guide/page.md` with `settings` added to site.toml; returns what
/// the page's Markdown became.
fn render_markdown(settings: &str, body: &str) -> String {
    let tmp = tempfile::tempdir().unwrap();
    let root = base_site(tmp.path());
    let config = std::fs::read_to_string(root.join("site.toml")).unwrap();
    std::fs::write(root.join("site.toml"), format!("{config}\n{settings}\n")).unwrap();
    copy_tree(&fixtures("sites").join("comparison/data"), &root.join("data"));
    let page = format!("+++\ntitle = \"P\"\n+++\n## A heading\n\n{body}");
    std::fs::write(root.join("content/guide/page.md"), page).unwrap();
    let out = tmp.path().join("public");
    let result = build(&root, &out, &[]);
    assert!(result.status.success(), "{}", stderr(&result));
    let page = std::fs::read_to_string(out.join("guide/page/index.html")).unwrap();
    let start = page.find("<h1>P</h1>").expect("the page's heading");
    let end = page.find("<p>In <a").expect("the section line after the content");
    page[start..end].to_string()
}

#[test]
fn dangerous_link_schemes_are_neutralised_with_and_without_raw_html() {
    for settings in ["", "[markdown]\nraw_html = false"] {
        let html = render_markdown(settings, HOSTILE_LINKS);
        let lower = html.to_ascii_lowercase();
        for scheme in ["javascript:", "vbscript:", "data:"] {
            for attribute in ["href=\"", "src=\""] {
                assert!(!lower.contains(&format!("{attribute}{scheme}")), "{settings:?}: {html}");
            }
        }
        assert!(!lower.contains("href=\"java"), "{settings:?}: {html}");
        assert!(!lower.contains("<script"), "{settings:?}: {html}");
        // The text of each link is kept; the percent-encoded one is a harmless relative link.
        assert!(html.contains(">a</a>") && html.contains(">h</a>"), "{html}");
        assert!(html.contains("href=\"%6Aavascript:fine\""), "{html}");
    }
}

#[test]
fn raw_html_is_kept_by_default_and_shown_as_text_when_turned_off() {
    let body = "<div class=\"note\" onclick=\"alert(1)\">Raw block</div>\n\nInline <b>bold</b> and \
                <img src=x onerror=alert(2)>.\n\n`<code>` stays code.\n";
    let on = render_markdown("", body);
    assert!(on.contains("<div class=\"note\" onclick=\"alert(1)\">Raw block</div>"), "{on}");
    assert!(on.contains("<b>bold</b>"), "{on}");
    let off = render_markdown("[markdown]\nraw_html = false", body);
    assert!(!off.contains("<div") && !off.contains("<b>") && !off.contains("<img"), "{off}");
    assert!(off.contains("&lt;div class=\"note\" onclick=\"alert(1)\"&gt;Raw block"), "{off}");
    assert!(off.contains("Inline &lt;b&gt;bold&lt;/b&gt;"), "{off}");
    assert!(off.contains("<code>&lt;code&gt;</code>"), "{off}");
}

#[test]
fn components_keep_their_html_when_raw_html_is_off() {
    let body = "Reach of a wire: {{ comparison_value(dataset=\"wires\", dimension=\"speed\", \
                subject=\"copper\") }}.\n\n{{ comparison_table(dataset=\"wires\") }}\n\n\
                Inline: {{ comparison_table(dataset=\"wires\", downloads=false, id_prefix=\"b-\") }} end.\n\n\
                `{{ comparison_table(dataset=\"wires\", downloads=false, id_prefix=\"c-\") }}`\n\n\
                Cut: {{ comparison_table(dataset=\"wires\", downloads=false, id_prefix=\"d-\") | truncate(length=30) }}\n\n\
                <table><tr><td>author's own table</td></tr></table>\n";
    let on = render_markdown("", body);
    let off = render_markdown("[markdown]\nraw_html = false", body);
    let tables = |html: &str| html.matches("<table").count();
    assert!(tables(&on) >= 3, "{on}");
    assert_eq!(tables(&off), 2, "the two component tables, not the author's:\n{off}");
    assert!(off.contains("&lt;table&gt;&lt;tr&gt;&lt;td&gt;author"), "{off}");
    // A table on its own line is a block, not wrapped in a paragraph.
    let block = off.find("<table").unwrap();
    assert!(!off[..block].trim_end().ends_with("<p>"), "{off}");
    // In code the call is text, as written.
    assert!(
        off.contains(
            "<code>{{ comparison_table(dataset=\"wires\", downloads=false, id_prefix=\"c-\") }}</code>"
        ),
        "{off}"
    );
    assert!(off.contains("application/ld+json"), "the table's structured data is kept:\n{off}");
    // A filter that cuts a component's output leaves harmless digits, the same in every build.
    let again = render_markdown("[markdown]\nraw_html = false", body);
    assert_eq!(off, again, "two builds differ");
    assert!(!off.contains(['\u{E001}', '\u{E002}']), "{off}");
}

#[test]
fn a_forged_component_placeholder_stays_text() {
    // What a sealed component looks like, with a key the author cannot know.
    let forged = "\u{E001}00000000000000003c623e783c2f623e\u{E002}";
    let off = render_markdown("[markdown]\nraw_html = false", &format!("Forged: {forged}\n"));
    assert!(!off.contains("<b>x</b>"), "{off}");
}

// ---------------------------------------------------------------------------------------------
// Hostile values everywhere

const HOSTILE: &str = "</script><script>alert(1)</script>\"' javascript:alert(2) \u{2028}\u{2029} \
                       <img src=x onerror=alert(3)> {{ site.title }} ]]> &amp;";

fn toml_string(text: &str) -> String {
    serde_json::to_string(text).unwrap()
}

#[test]
fn hostile_values_are_escaped_in_pages_json_ld_feed_and_sitemap() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("site");
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    for part in ["content", "data", "templates", "static"] {
        copy_tree(&repo.join(part), &root.join(part));
    }
    let h = toml_string(HOSTILE);
    std::fs::write(
        root.join("site.toml"),
        format!(
            "title = {h}\ndescription = {h}\nbase_url = \"https://example.com/\"\nauthor = {h}\n\
             [extra]\nrepository = \"https://example.com/repo\"\n"
        ),
    )
    .unwrap();
    let about = std::fs::read_to_string(root.join("content/about.md")).unwrap();
    let body = about.splitn(3, "+++").nth(2).unwrap();
    std::fs::write(
        root.join("content/about.md"),
        format!(
            "+++\ntitle = {h}\ndescription = {h}\ndate = 2024-01-01\ntags = [{h}]\n[extra]\nnav = {h}\n+++{body}"
        ),
    )
    .unwrap();
    for (file, plain) in [
        ("data/glossary.toml", "term = \"6LoWPAN\""),
        ("data/glossary.toml", "definition = \"IPv6 over"),
        ("data/iot_vs_m2m.toml", "title = \"IoT and M2M compared\""),
        ("data/iot_vs_m2m.toml", "name = \"IoT\""),
    ] {
        let text = std::fs::read_to_string(root.join(file)).unwrap();
        let key = plain.split(" = ").next().unwrap();
        let line_end = text[text.find(plain).unwrap()..].find('\n').unwrap() + text.find(plain).unwrap();
        let text = format!("{}{key} = {h}{}", &text[..text.find(plain).unwrap()], &text[line_end..]);
        std::fs::write(root.join(file), text).unwrap();
    }
    let out = tmp.path().join("public");
    let result = build(&root, &out, &[]);
    assert!(result.status.success(), "{}", stderr(&result));
    let files = tree(&out);
    let mut checked = 0;
    for (name, bytes) in &files {
        if name.ends_with(".json") {
            // A download holds the values as they are, as JSON data (never run by a browser).
            let value: serde_json::Value = serde_json::from_slice(bytes).unwrap();
            assert!(name != "data/iot_vs_m2m.json" || value.to_string().contains("alert(1)"), "{name}");
            continue;
        }
        if !(name.ends_with(".html") || name.ends_with(".xml")) {
            continue;
        }
        let text = String::from_utf8_lossy(bytes);
        let lower = text.to_ascii_lowercase();
        assert!(!lower.contains("<script>alert"), "{name} runs the hostile script");
        assert!(!lower.contains("<img src=x"), "{name} holds the hostile image");
        assert!(!lower.contains("href=\"javascript:"), "{name} links to javascript:");
        assert!(!text.contains("]]>") || !name.ends_with(".xml"), "{name} ends a CDATA section");
        let mut rest = text.as_ref();
        while let Some(start) = rest.find("<script type=\"application/ld+json\">") {
            let json_start = start + "<script type=\"application/ld+json\">".len();
            let end = json_start + rest[json_start..].find("</script>").unwrap();
            let json = &rest[json_start..end];
            let value: serde_json::Value =
                serde_json::from_str(json).unwrap_or_else(|e| panic!("{name}: JSON-LD does not parse: {e}"));
            assert!(!json.contains(['\u{2028}', '\u{2029}', '<']), "{name}: {json}");
            if value.to_string().contains("alert(1)") {
                checked += 1;
            }
            rest = &rest[end..];
        }
    }
    assert!(checked > 0, "the hostile values reached some JSON-LD");
    let feed = String::from_utf8_lossy(&files["atom.xml"]);
    assert!(feed.contains("&lt;/script&gt;&lt;script&gt;alert(1)"), "{feed}");
    let about = String::from_utf8_lossy(&files["about/index.html"]);
    assert!(about.contains("&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;"), "{about}");
    assert!(about.contains("{{ site.title }}"), "a value is not rendered as a template");
}

// ---------------------------------------------------------------------------------------------
// Links and permissions

#[test]
fn symbolic_links_are_not_followed_and_their_targets_never_copied() {
    let tmp = tempfile::tempdir().unwrap();
    let root = base_site(tmp.path());
    let secret_dir = tmp.path().join("private");
    std::fs::create_dir(&secret_dir).unwrap();
    let secret = "+++\ntitle = \"SECRET-7f3a\"\n+++\nSECRET-7f3a\n";
    std::fs::write(secret_dir.join("notes.md"), secret).unwrap();
    std::fs::write(secret_dir.join("notes.toml"), "value = \"SECRET-7f3a\"\n").unwrap();
    std::fs::write(secret_dir.join("page.html"), "SECRET-7f3a").unwrap();
    std::fs::create_dir_all(root.join("static")).unwrap();
    std::fs::create_dir_all(root.join("data")).unwrap();
    let link = |target: &Path, at: &str| std::os::unix::fs::symlink(target, root.join(at)).unwrap();
    link(&secret_dir.join("notes.md"), "content/guide/leak.md");
    link(&secret_dir, "content/leaked-folder");
    link(&secret_dir.join("notes.md"), "static/leak.txt");
    link(&secret_dir, "static/leaked-folder");
    link(&secret_dir.join("notes.toml"), "data/leak.toml");
    link(&secret_dir.join("page.html"), "templates/leak.html");
    link(Path::new("/etc/passwd"), "static/passwd");
    let out = tmp.path().join("public");
    let files = first_build(&root, &out);
    for (name, bytes) in &files {
        assert!(!String::from_utf8_lossy(bytes).contains("SECRET-7f3a"), "{name} holds the secret");
        assert!(!name.contains("leak") && !name.contains("passwd"), "{name} was copied");
    }
    assert_eq!(names_in(tmp.path()), ["private", "public", "site"]);
}

/// Runs the build as the unprivileged user `nobody`, for whom file permissions count.
fn build_as_nobody(root: &Path, out: &Path) -> Output {
    Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(env!("CARGO_BIN_EXE_juxta"))
        .args(["build", "--quiet", "--root"])
        .arg(root)
        .arg("--out")
        .arg(out)
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .current_dir("/")
        .output()
        .unwrap()
}

/// Makes the tree under `dir` usable by `nobody`: readable everywhere, writable where juxta
/// writes.
fn open_to_nobody(dir: &Path) {
    let status = Command::new("chmod").args(["-R", "a+rwX"]).arg(dir).status().unwrap();
    assert!(status.success());
}

fn nobody_available(test: &str) -> bool {
    let works = is_root()
        && Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups", "true"])
            .status()
            .is_ok_and(|s| s.success());
    if !works {
        unavailable(test, "running as another user needs root and setpriv");
    }
    works
}

#[test]
fn an_unreadable_file_or_folder_is_an_error_naming_it() {
    if !nobody_available("an_unreadable_file_or_folder_is_an_error_naming_it") {
        return;
    }
    for (what, path) in [
        ("file", "content/guide/page.md"),
        ("folder", "content/guide"),
        ("static file", "static/style.css"),
        ("data file", "data/facts.toml"),
        ("template", "templates/page.html"),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let root = base_site(tmp.path());
        std::fs::create_dir_all(root.join("static")).unwrap();
        std::fs::write(root.join("static/style.css"), "p {}").unwrap();
        std::fs::create_dir_all(root.join("data")).unwrap();
        std::fs::write(root.join("data/facts.toml"), "a = 1\n").unwrap();
        let out = tmp.path().join("public");
        open_to_nobody(tmp.path());
        let result = build_as_nobody(&root, &out);
        assert!(result.status.success(), "{what}: {}", stderr(&result));
        let before = tree(&out);
        let status = Command::new("chmod").arg("000").arg(root.join(path)).status().unwrap();
        assert!(status.success());
        let result = build_as_nobody(&root, &out);
        assert_fails(&result, 1, &[path]);
        assert!(stderr(&result).contains("ermission denied"), "{what}: {}", stderr(&result));
        assert_eq!(tree(&out), before, "{what}: the previous output changed");
        assert_eq!(names_in(tmp.path()), ["public", "site"], "{what}");
        let _ = Command::new("chmod").arg("755").arg(root.join(path)).status();
    }
}

// ---------------------------------------------------------------------------------------------
// Faults during the build

/// A site with `pages` pages of some weight, so a build takes long enough to interrupt.
fn big_site(tmp: &Path, pages: usize) -> PathBuf {
    let root = base_site(tmp);
    let text =
        "Some text with a [link](../page/) and `code`.\n\n```rust\nfn main() { println!(\"hi\"); }\n```\n\n";
    for i in 0..pages {
        let body = format!("+++\ntitle = \"Page {i}\"\n+++\n## Part {i}\n\n{}", text.repeat(20));
        std::fs::write(root.join(format!("content/guide/p{i:05}.md")), body).unwrap();
    }
    root
}

#[test]
fn a_render_error_in_the_very_last_page_leaves_the_output_as_it_was() {
    let tmp = tempfile::tempdir().unwrap();
    let root = big_site(tmp.path(), 200);
    let out = tmp.path().join("public");
    let before = first_build(&root, &out);
    // Last in source order, in the section's listing and in rendering.
    std::fs::write(
        root.join("content/guide/zzzz.md"),
        "+++\ntitle = \"Zzz\"\nweight = 1000000\n+++\nLine one.\n\nBy {{ page.extra.author }}.\n",
    )
    .unwrap();
    let result = build(&root, &out, &[]);
    assert_fails(&result, 1, &["content/guide/zzzz.md:7:18: Field `author` is not defined"]);
    assert_eq!(tree(&out), before);
    assert_eq!(names_in(tmp.path()), ["public", "site"]);
}

#[test]
fn a_crash_while_rendering_one_page_is_reported_naming_the_page() {
    let tmp = tempfile::tempdir().unwrap();
    let root = big_site(tmp.path(), 50);
    let out = tmp.path().join("public");
    let before = first_build(&root, &out);
    let result = Command::new(env!("CARGO_BIN_EXE_juxta"))
        .args(["build", "--quiet", "--root"])
        .arg(&root)
        .arg("--out")
        .arg(&out)
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .env("JUXTA_TEST_CRASH_PAGE", "guide/p00025.md")
        .output()
        .unwrap();
    assert_fails(&result, 1, &["content/guide/p00025.md", "crashed while rendering this page"]);
    assert_eq!(stderr(&result).lines().count(), 2, "one error and the summary:\n{}", stderr(&result));
    assert_eq!(tree(&out), before);
    assert_eq!(names_in(tmp.path()), ["public", "site"]);
}

/// Starts a build and waits until it is writing pages into its staging folder.
fn start_and_wait_for_staging(root: &Path, out: &Path) -> std::process::Child {
    let mut child = Command::new(env!("CARGO_BIN_EXE_juxta"))
        .args(["build", "--quiet", "--root"])
        .arg(root)
        .arg("--out")
        .arg(out)
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let parent = out.parent().unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let staging = std::fs::read_dir(parent)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.file_name().unwrap().to_string_lossy().contains("juxta-staging"));
        if let Some(staging) = staging
            && staging.join("guide").is_dir()
        {
            return child;
        }
        assert!(child.try_wait().unwrap().is_none(), "the build ended before it could be interrupted");
        assert!(Instant::now() < deadline, "no staging folder appeared");
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn send(signal: &str, child: &std::process::Child) {
    let status = Command::new("kill").args(["-s", signal, &child.id().to_string()]).status().unwrap();
    assert!(status.success());
}

#[test]
fn sigint_and_sigterm_mid_build_exit_130_and_keep_the_previous_output() {
    let tmp = tempfile::tempdir().unwrap();
    let root = big_site(tmp.path(), 3000);
    let out = tmp.path().join("public");
    let before = first_build(&root, &out);
    std::fs::write(root.join("content/guide/p00000.md"), "+++\ntitle = \"Changed\"\n+++\nNew.\n").unwrap();
    for signal in ["INT", "TERM"] {
        let child = start_and_wait_for_staging(&root, &out);
        send(signal, &child);
        let result = child.wait_with_output().unwrap();
        assert_eq!(result.status.code(), Some(130), "SIG{signal}: {}", stderr(&result));
        assert!(stderr(&result).contains("interrupted"), "{}", stderr(&result));
        assert!(!stderr(&result).contains("panicked"), "{}", stderr(&result));
        assert_eq!(tree(&out), before, "SIG{signal}: the previous output changed");
        assert_eq!(names_in(tmp.path()), ["public", "site"], "SIG{signal}: the staging folder is left");
    }
}

#[test]
fn a_killed_builds_staging_folder_is_removed_by_the_next_build() {
    let tmp = tempfile::tempdir().unwrap();
    let root = big_site(tmp.path(), 3000);
    let out = tmp.path().join("public");
    let before = first_build(&root, &out);
    let child = start_and_wait_for_staging(&root, &out);
    send("KILL", &child);
    let result = child.wait_with_output().unwrap();
    assert_eq!(result.status.code(), None, "killed by the signal");
    assert_eq!(tree(&out), before, "the previous output survives a kill");
    assert_eq!(names_in(tmp.path()).len(), 3, "the killed build left its staging folder");
    assert!(build(&root, &out, &[]).status.success());
    assert_eq!(names_in(tmp.path()), ["public", "site"], "the next build removed it");
}

#[test]
fn two_builds_at_once_never_interleave_their_output() {
    let tmp = tempfile::tempdir().unwrap();
    let a = big_site(&tmp.path().join("a"), 400);
    let b = big_site(&tmp.path().join("b"), 300);
    std::fs::write(b.join("content/_index.md"), "+++\ntitle = \"Home of B\"\n+++\nB.\n").unwrap();
    let (only_a, only_b) = (tmp.path().join("only-a"), tmp.path().join("only-b"));
    let expected_a = first_build(&a, &only_a);
    let expected_b = first_build(&b, &only_b);
    let out = tmp.path().join("public");
    for round in 0..3 {
        let spawn = |root: &Path| {
            Command::new(env!("CARGO_BIN_EXE_juxta"))
                .args(["build", "--quiet", "--root"])
                .arg(root)
                .arg("--out")
                .arg(&out)
                .env("SOURCE_DATE_EPOCH", EPOCH)
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        };
        let (first, second) = if round % 2 == 0 { (&a, &b) } else { (&b, &a) };
        let one = spawn(first);
        let two = spawn(second);
        for child in [one, two] {
            let result = child.wait_with_output().unwrap();
            assert!(result.status.success(), "round {round}: {}", stderr(&result));
        }
        let got = tree(&out);
        assert!(got == expected_a || got == expected_b, "round {round}: the output mixes both builds");
    }
    assert_eq!(names_in(tmp.path()), ["a", "b", "only-a", "only-b", "public"]);
}

#[test]
fn a_full_disk_mid_build_is_an_environment_error_and_keeps_the_previous_output() {
    let test = "a_full_disk_mid_build_is_an_environment_error_and_keeps_the_previous_output";
    let tmp = tempfile::tempdir().unwrap();
    let root = base_site(tmp.path());
    let disk = tmp.path().join("disk");
    let Some(_mount) = tmpfs(test, &disk, "2m") else { return };
    let out = disk.join("public");
    let before = first_build(&root, &out);
    // A file larger than the disk: the build runs out of space while copying it.
    std::fs::create_dir_all(root.join("static")).unwrap();
    std::fs::write(root.join("static/big.bin"), vec![7u8; 3 * 1024 * 1024]).unwrap();
    let result = build(&root, &out, &[]);
    assert_fails(&result, 2, &["No space left on device"]);
    assert!(stderr(&result).contains("big.bin") || stderr(&result).contains("disk/"), "{}", stderr(&result));
    assert_eq!(tree(&out), before);
    assert_eq!(names_in(&disk), ["public"], "the staging folder is removed");
}

#[test]
fn a_read_only_output_parent_is_an_environment_error_and_keeps_the_previous_output() {
    let test = "a_read_only_output_parent_is_an_environment_error_and_keeps_the_previous_output";
    let tmp = tempfile::tempdir().unwrap();
    let root = base_site(tmp.path());
    let disk = tmp.path().join("disk");
    let Some(mount) = tmpfs(test, &disk, "4m") else { return };
    let out = disk.join("public");
    let before = first_build(&root, &out);
    mount.remount("ro");
    let result = build(&root, &out, &[]);
    assert_fails(&result, 2, &["Read-only file system", disk.to_str().unwrap()]);
    assert_eq!(tree(&out), before);
    assert_eq!(names_in(&disk), ["public"]);
    // A first build into a read-only place fails the same way.
    let result = build(&root, &disk.join("new"), &[]);
    assert_fails(&result, 2, &["Read-only file system"]);
}

// ---------------------------------------------------------------------------------------------
// Where `--zip` may write

/// Every file under `dir`, with its bytes, and the names of its symbolic links.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.unwrap();
        let name = entry.path().strip_prefix(dir).unwrap().to_string_lossy().into_owned();
        if entry.file_type().is_file() {
            files.insert(name, std::fs::read(entry.path()).unwrap());
        } else if entry.file_type().is_symlink() {
            files.insert(name, b"(link)".to_vec());
        }
    }
    files
}

/// Regression: `--zip content/about.md` replaced the page with a zip and exited 0, and a zip
/// inside the output folder (reached through `..` or a link) was deleted by the next build.
#[test]
fn zip_never_replaces_a_source_or_lands_where_a_build_deletes_it() {
    let tmp = tempfile::tempdir().unwrap();
    let root = base_site(tmp.path());
    std::fs::create_dir_all(root.join("data")).unwrap();
    std::fs::write(root.join("data/facts.toml"), "a = 1\n").unwrap();
    std::fs::create_dir_all(root.join("static")).unwrap();
    let out = tmp.path().join("public");
    first_build(&root, &out);
    std::fs::write(tmp.path().join("notes.txt"), "my notes").unwrap();
    std::os::unix::fs::symlink(&out, tmp.path().join("out-link")).unwrap();
    std::os::unix::fs::symlink(root.join("content"), tmp.path().join("content-link")).unwrap();
    let before = snapshot(tmp.path());
    let with_out = ["--out", "public"];
    for (zip, extra, why) in [
        ("site/content/guide/page.md", &[][..], "inside the project's `content/` folder"),
        ("site/site.toml", &[], "not a zip juxta wrote"),
        ("site/templates/base.html", &[], "inside the project's `templates/` folder"),
        ("site/data/facts.toml", &[], "inside the project's `data/` folder"),
        ("site/content/site.zip", &[], "inside the project's `content/` folder"),
        ("site/static/site.zip", &[], "inside the project's `static/` folder"),
        ("content-link/site.zip", &[], "inside the project's `content/` folder"),
        ("site", &[], "it holds the project"),
        ("site/public/site.zip", &[], "inside `public/`"),
        ("site/public/site.zip", &with_out[..], "inside `public/`"),
        ("public/site.zip", &with_out[..], "inside the output folder"),
        ("site/../public/site.zip", &with_out[..], "inside the output folder"),
        ("out-link/site.zip", &with_out[..], "inside the output folder"),
        ("notes.txt", &[], "not a zip juxta wrote"),
        ("public", &[], "it is a folder"),
        ("out-link", &[], "it is a symbolic link"),
    ] {
        let mut args = vec!["build", "--quiet", "--root", "site", "--zip", zip];
        args.extend_from_slice(extra);
        let result = common::juxta(tmp.path(), &args);
        assert_fails(&result, 2, &["refusing to write the zip", why]);
        assert_eq!(snapshot(tmp.path()), before, "--zip {zip}: something was written");
    }
    // A zip juxta wrote is replaced; the next build keeps it.
    for _ in 0..2 {
        let result =
            common::juxta(tmp.path(), &["build", "--quiet", "--root", "site", "--zip", "dist/site.zip"]);
        assert!(result.status.success(), "{}", stderr(&result));
    }
    assert!(build(&root, &out, &[]).status.success());
    assert!(tmp.path().join("dist/site.zip").is_file());
}

/// Regression: on a full disk the zip library printed its debug text (`ZipWriter::drop: failed to
/// finalize archive: Io(Os { … })`) before juxta's message, which repeated the cause twice.
#[test]
fn a_zip_onto_a_full_disk_is_one_clear_error() {
    let test = "a_zip_onto_a_full_disk_is_one_clear_error";
    let tmp = tempfile::tempdir().unwrap();
    let root = base_site(tmp.path());
    std::fs::create_dir_all(root.join("static")).unwrap();
    // Random bytes do not compress: the zip outgrows the disk.
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let noise: Vec<u8> = (0..3_000_000)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect();
    std::fs::write(root.join("static/noise.bin"), noise).unwrap();
    let disk = tmp.path().join("disk");
    let Some(_mount) = tmpfs(test, &disk, "1m") else { return };
    let zip = disk.join("site.zip");
    let result = build(&root, &tmp.path().join("public"), &["--zip", zip.to_str().unwrap()]);
    let text = stderr(&result);
    assert_fails(
        &result,
        2,
        &[&format!("cannot write the zip `{}`: No space left on device", zip.display())],
    );
    assert_eq!(text.matches("No space left").count(), 1, "{text}");
    assert!(!text.contains("ZipWriter") && !text.contains("Os {"), "{text}");
    assert_eq!(text.lines().count(), 2, "the error and the summary:\n{text}");
    assert_eq!(names_in(&disk), Vec::<String>::new(), "the half-written zip is removed");
}

// ---------------------------------------------------------------------------------------------
// Kills, stop requests and temporary folders

/// Regression: a build killed between the two renames of the swap left no output folder until
/// the next build. Now the swap is one exchange; a kill at each step leaves the output whole, the
/// previous site or the new one. The two-rename way (where the system has no exchange) is tried
/// too: killed between its renames, it leaves no output, and the next build puts it back.
#[test]
fn a_kill_at_every_step_of_the_swap_leaves_a_whole_output() {
    use std::os::unix::process::ExitStatusExt;
    let tmp = tempfile::tempdir().unwrap();
    let root = big_site(tmp.path(), 20);
    let out = tmp.path().join("public");
    let page = root.join("content/guide/p00000.md");
    let original = std::fs::read_to_string(&page).unwrap();
    let old = first_build(&root, &out);
    let changed = "+++\ntitle = \"Changed\"\n+++\nNew.\n";
    std::fs::write(&page, changed).unwrap();
    let new = first_build(&root, &tmp.path().join("new"));
    std::fs::remove_dir_all(tmp.path().join("new")).unwrap();
    assert_ne!(old, new);
    let run = |swap: &str, step: &str| {
        Command::new(env!("CARGO_BIN_EXE_juxta"))
            .args(["build", "--quiet", "--root"])
            .arg(&root)
            .arg("--out")
            .arg(&out)
            .env("SOURCE_DATE_EPOCH", EPOCH)
            .env("JUXTA_TEST_SWAP", swap)
            .env("JUXTA_TEST_KILL_AT", step)
            .output()
            .unwrap()
    };
    let exchange = ["swap", "swapped", "removing"];
    let renames = ["swap", "moved-aside", "swapped", "removing"];
    for (swap, steps) in [("exchange", &exchange[..]), ("renames", &renames[..])] {
        for &step in steps {
            std::fs::write(&page, &original).unwrap();
            assert_eq!(first_build(&root, &out), old);
            std::fs::write(&page, changed).unwrap();
            let killed = run(swap, step);
            assert_eq!(killed.status.signal(), Some(9), "{swap}, {step}: not killed: {}", stderr(&killed));
            if (swap, step) == ("renames", "moved-aside") {
                assert!(!out.exists(), "the window the exchange closes");
            } else {
                let left = tree(&out);
                assert!(left == old || left == new, "{swap}, killed at {step}: the output is not whole");
            }
            let next = build(&root, &out, &[]);
            assert!(next.status.success(), "{swap}, {step}: {}", stderr(&next));
            assert_eq!(tree(&out), new, "{swap}, {step}: the next build");
            assert_eq!(names_in(tmp.path()), ["public", "site"], "{swap}, {step}: leftovers");
        }
    }
    // With the exchange, no step moves the output aside: the build is not killed there.
    let result = run("exchange", "moved-aside");
    assert!(result.status.success(), "{}", stderr(&result));
}

/// A page whose body loops for hours without writing anything or calling any of juxta's code.
const SILENT_LOOP: &str = "+++\ntitle = \"Loop\"\n+++\n{% for i in range(end=100000) %}{% for j in \
                           range(end=100000) %}{% set x = j %}{% endfor %}{% endfor %}\n";

/// Spawns `juxta` with `args` in `dir`, with `tmpdir` as its temporary folder.
fn spawn_in(dir: &Path, tmpdir: &Path, args: &[&str]) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_juxta"))
        .args(args)
        .current_dir(dir)
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .env("TMPDIR", tmpdir)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits until `dir` holds an entry whose name starts with `prefix`; returns its path.
fn wait_for_entry(dir: &Path, prefix: &str, child: &mut std::process::Child) -> PathBuf {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let found = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(prefix));
        if let Some(found) = found {
            return found;
        }
        assert!(child.try_wait().unwrap().is_none(), "the run ended before `{prefix}…` appeared");
        assert!(Instant::now() < deadline, "no `{prefix}…` appeared");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Regression: a template loop that writes nothing ignored the first Ctrl-C (nothing in juxta
/// runs to notice it); a second one ended the process and left the staging folder.
#[test]
fn a_template_loop_that_writes_nothing_stops_within_a_second_of_a_signal() {
    let tmp = tempfile::tempdir().unwrap();
    let root = base_site(tmp.path());
    let out = tmp.path().join("public");
    let before = first_build(&root, &out);
    std::fs::write(root.join("content/guide/loop.md"), SILENT_LOOP).unwrap();
    for signal in ["INT", "TERM"] {
        let mut child =
            spawn_in(&root, tmp.path(), &["build", "--quiet", "--root", ".", "--out", "../public"]);
        wait_for_entry(tmp.path(), ".public.juxta-staging-", &mut child);
        // Well into the loop.
        std::thread::sleep(Duration::from_millis(300));
        send(signal, &child);
        let sent = Instant::now();
        let result = child.wait_with_output().unwrap();
        let took = sent.elapsed();
        assert!(took < Duration::from_secs(1), "SIG{signal}: stopped after {took:?}");
        assert_fails(&result, 130, &["juxta: interrupted; the previous output is unchanged"]);
        assert_eq!(stderr(&result).lines().count(), 1, "{}", stderr(&result));
        assert_eq!(tree(&out), before, "SIG{signal}: the previous output changed");
        assert_eq!(names_in(tmp.path()), ["public", "site"], "SIG{signal}: the staging folder is left");
    }
}

/// Regression: a signal to `juxta check` ended it with exit code 1 and "the site does not build".
/// Stopped while it builds (it notices) or in a template loop (it is ended), it exits 130, says
/// it was interrupted, and leaves no temporary folder.
#[test]
fn a_signal_stops_a_check_with_130_and_removes_its_temporary_folders() {
    let tmp = tempfile::tempdir().unwrap();
    let temporary = tmp.path().join("tmp");
    std::fs::create_dir(&temporary).unwrap();
    let root = big_site(tmp.path(), 3000);
    let looping = base_site(&tmp.path().join("looping"));
    std::fs::write(looping.join("content/guide/loop.md"), SILENT_LOOP).unwrap();
    for (signal, site) in [("INT", &root), ("TERM", &root), ("INT", &looping), ("HUP", &looping)] {
        let mut child = spawn_in(site, &temporary, &["check", "--quiet"]);
        let scratch = wait_for_entry(&temporary, "juxta-check-", &mut child);
        wait_for_entry(&scratch, ".web.juxta-staging-", &mut child);
        std::thread::sleep(Duration::from_millis(100));
        send(signal, &child);
        let sent = Instant::now();
        let result = child.wait_with_output().unwrap();
        assert!(sent.elapsed() < Duration::from_secs(1), "SIG{signal}: stopped after {:?}", sent.elapsed());
        assert_fails(&result, 130, &["juxta: interrupted; the check did not finish"]);
        assert!(!stderr(&result).contains("does not build"), "{}", stderr(&result));
        assert_eq!(names_in(&temporary), Vec::<String>::new(), "SIG{signal}: left in the temporary folder");
        assert!(!site.join("public").exists());
    }
}

/// Regression: a killed `build --zip` or `check` left its folder of tens of megabytes in the
/// temporary folder, and no later run removed it. The next run of either removes those whose
/// process is gone (and only those: a live run's folder is kept).
#[test]
fn temporary_folders_of_killed_runs_are_removed_by_the_next_run() {
    let tmp = tempfile::tempdir().unwrap();
    let temporary = tmp.path().join("tmp");
    std::fs::create_dir(&temporary).unwrap();
    let root = base_site(tmp.path());
    let looping = base_site(&tmp.path().join("looping"));
    std::fs::write(looping.join("content/guide/loop.md"), SILENT_LOOP).unwrap();
    // A live run's folder and a half-written zip of a live run are kept.
    let mut live = Command::new("sleep").arg("60").spawn().unwrap();
    let live_folder = temporary.join(format!("juxta-check-{}-0", live.id()));
    std::fs::create_dir(&live_folder).unwrap();
    let dist = tmp.path().join("dist");
    std::fs::create_dir(&dist).unwrap();
    std::fs::write(dist.join(format!(".site.zip.juxta-zip-{}", live.id())), "live").unwrap();
    for (purpose, args) in
        [("check", &["check", "--quiet"][..]), ("zip", &["build", "--quiet", "--zip", "../dist/site.zip"])]
    {
        let mut child = spawn_in(&looping, &temporary, args);
        let left = wait_for_entry(&temporary, &format!("juxta-{purpose}-{}-", child.id()), &mut child);
        let killed_pid = child.id();
        send("KILL", &child);
        child.wait().unwrap();
        assert!(left.is_dir(), "the killed {purpose} left its folder");
        // A zip half written by the killed run, as a kill while packing leaves it.
        std::fs::write(dist.join(format!(".site.zip.juxta-zip-{killed_pid}")), "half").unwrap();
        let result = spawn_in(&root, &temporary, args).wait_with_output().unwrap();
        assert!(result.status.success(), "{purpose}: {}", stderr(&result));
        assert!(!left.exists(), "the next {purpose} removed the killed one's folder");
        assert!(live_folder.is_dir(), "a live run's folder is kept");
        let mut names = names_in(&temporary);
        names.retain(|n| !n.ends_with(&format!("{}-0", live.id())));
        assert_eq!(names, Vec::<String>::new(), "{purpose}");
    }
    assert_eq!(names_in(&dist), [format!(".site.zip.juxta-zip-{}", live.id()), "site.zip".into()]);
    live.kill().unwrap();
    live.wait().unwrap();
}
