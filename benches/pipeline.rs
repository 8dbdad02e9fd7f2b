//! Micro-benchmarks of a build's inner loops: Markdown rendering (with and without a highlighted
//! code block), template rendering of a page whose navigation lists its 100-page section, link
//! resolution, and the read of an emitted page's tags behind the reference guard.
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
use juxta::page::PageId;
use juxta::{Loaded, Options, html, markdown};

fn main() {
    divan::main();
}

/// A project of one section with 100 pages, loaded once.
struct Fixture {
    loaded: Loaded,
    _dir: tempfile::TempDir,
}

static FIXTURE: LazyLock<Fixture> = LazyLock::new(|| {
    let dir = tempfile::tempdir().expect("a temporary folder");
    write_project(dir.path());
    let options = Options { root: dir.path().to_path_buf(), ..Options::default() };
    let loaded = juxta::load(&options).expect("the fixture loads");
    Fixture { loaded, _dir: dir }
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

fn write_project(root: &Path) {
    let write = |path: &str, text: &str| {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("writable");
        std::fs::write(path, text).expect("writable");
    };
    write("site.toml", "title = \"Bench\"\nbase_url = \"https://example.com/\"\n");
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

fn page(n: usize) -> PageId {
    let site = &FIXTURE.loaded.site;
    site.ids().find(|&id| site.page(id).source == format!("guide/p{n:03}.md")).expect("the page exists")
}

#[divan::bench(args = [false, true])]
fn markdown_render(bencher: Bencher, with_code: bool) {
    let site = &FIXTURE.loaded.site;
    let id = page(1);
    let body = body(with_code);
    markdown::render(site, id, &body).expect("renders"); // loads the syntaxes once
    bencher
        .counter(divan::counter::BytesCount::of_str(&body))
        .bench(|| markdown::render(site, id, black_box(&body)));
}

#[divan::bench]
fn template_render(bencher: Bencher) {
    let Loaded { site, templates } = &FIXTURE.loaded;
    let id = page(1);
    let rendered = markdown::render(site, id, &body(false)).expect("renders");
    bencher.bench(|| templates.render_page(black_box(id), &rendered));
}

#[divan::bench(args = ["p002.md", "../guide/p050.md#delivery", "https://example.org/", "#delivery"])]
fn link_resolution(bencher: Bencher, dest: &str) {
    let site = &FIXTURE.loaded.site;
    let id = page(1);
    assert!(markdown::resolve_link(site, id, dest).is_ok());
    bencher.bench(|| markdown::resolve_link(site, id, black_box(dest)));
}

#[divan::bench]
fn emitted_page_scan(bencher: Bencher) {
    let Loaded { site, templates } = &FIXTURE.loaded;
    let id = page(1);
    let rendered = markdown::render(site, id, &body(true)).expect("renders");
    let page_html = templates.render_page(id, &rendered).expect("renders");
    bencher
        .counter(divan::counter::BytesCount::of_str(&page_html))
        .bench(|| html::scan(black_box(&page_html), "https://example.com/", false));
}
