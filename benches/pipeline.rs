//! A benchmark of a whole small build through juxta's API: a project of one section with 100
//! pages (prose with links, lists, a table and a footnote; every other page with code), each
//! page's navigation listing the section, built with highlighting off and on. The timed
//! comparison with other generators at 10,000 pages is `bench/run.py` (see docs/performance.md).
//!
//! ```sh
//! cargo bench --bench pipeline
//! ```
//!
//! `cargo test --all-targets` runs each benchmark once, so they cannot rot.

use std::fmt::Write as _;
use std::path::Path;
use std::sync::LazyLock;

use divan::{Bencher, black_box};
use juxta::Options;

fn main() {
    divan::main();
}

/// The project, written once with highlighting off and once with it on.
struct Fixture {
    plain: tempfile::TempDir,
    highlighted: tempfile::TempDir,
}

static FIXTURE: LazyLock<Fixture> = LazyLock::new(|| {
    let project = |highlight: bool| {
        let dir = tempfile::tempdir().expect("a temporary folder");
        write_project(dir.path(), highlight);
        dir
    };
    Fixture { plain: project(false), highlighted: project(true) }
});

const PAGES: usize = 100;

const PROSE: &str = "Devices report **readings** to a `gateway`, which forwards them [upstream](p002.md) \
    and to [the broker](../guide/p050.md#delivery). Retries back off *exponentially*.\n\n";

const CODE: &str =
    "```rust\nfn main() {\n    let reading = sensor::read(7);\n    println!(\"{} mV\", reading);\n}\n```\n\n";

fn body(with_code: bool) -> String {
    let mut body = String::new();
    for n in 0..6 {
        let _ = write!(body, "## Part {n}\n\n{PROSE}{PROSE}- one\n- two\n- three\n\n");
        if with_code && n % 2 == 0 {
            body.push_str(CODE);
        }
    }
    body.push_str("| Setting | Default |\n|---|---|\n| `interval` | 60 |\n| `retries` | 3 |\n\n");
    body.push_str("Why it matters[^1].\n\n[^1]: A footnote.\n");
    body
}

fn write_project(root: &Path, highlight: bool) {
    let write = |path: &str, text: &str| {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("writable");
        std::fs::write(path, text).expect("writable");
    };
    write(
        "site.toml",
        &format!(
            "title = \"Bench\"\nbase_url = \"https://example.com/\"\n[markdown]\nhighlight_code = {highlight}\n"
        ),
    );
    write("templates/index.html", "<title>{{ section.title }}</title>{{ section.content }}");
    write("templates/section.html", "<title>{{ section.title }}</title>{{ section.content }}");
    write("templates/404.html", "<title>Not found</title>");
    write(
        "templates/page.html",
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{{ page.title }}</title>\
         <link rel=\"stylesheet\" href=\"{{ url(path='style.css') }}\"></head><body>\
         <nav><ul>{% for p in page.section.pages %}<li><a href=\"{{ p.url }}\">{{ p.title }}</a></li>{% endfor %}</ul></nav>\
         <main><h1>{{ page.title }}</h1>{{ page.content }}</main></body></html>",
    );
    write("static/style.css", "body { margin: 0 }\n");
    write("content/_index.md", "+++\ntitle = \"Home\"\n+++\n");
    write("content/guide/_index.md", "+++\ntitle = \"Guide\"\n+++\n");
    for n in 0..PAGES {
        let text =
            format!("+++\ntitle = \"Page {n}\"\nweight = {n}\n+++\n\n## Delivery\n\n{}", body(n % 2 == 0));
        write(&format!("content/guide/p{n:03}.md"), &text);
    }
}

/// A whole build of the 100-page project, with and without highlighting, into a fresh folder
/// each time (what `juxta build` does).
#[divan::bench(args = [false, true])]
fn build(bencher: Bencher, highlight: bool) {
    let project = if highlight { &FIXTURE.highlighted } else { &FIXTURE.plain };
    let out = tempfile::tempdir().expect("a temporary folder");
    let options = Options {
        root: project.path().to_path_buf(),
        out: Some(out.path().join("public")),
        ..Options::default()
    };
    bencher.bench(|| juxta::build(black_box(&options)).expect("the fixture builds"));
}
