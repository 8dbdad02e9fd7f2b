//! The repository's own site, built by juxta, is valid HTML (Nu Html Checker), keeps every page under
//! the 100 KB weight budget (HTML, stylesheets, scripts and first-screen images), gives every image
//! its size, loads nothing from outside the site, and passes a browser audit in
//! Chromium: no axe-core violation at 1280 and 375 px wide in light and dark, no horizontal scroll on
//! a phone, no request leaving 127.0.0.1, no failed request, no console error.
//!
//! The browser and validator tests need `scripts/test`'s tools: without them they are skipped locally
//! and fail under CI. `JUXTA_SCREENSHOTS=DIR` keeps screenshots of every audited page.

mod common;

use std::path::Path;
use std::time::Instant;

use common::audit::{self, BROWSER, VNU, WEIGHT_BUDGET};
use common::server::Server;

/// Builds the repository's site into a fresh temporary folder; returns it and the output folder.
fn build_flagship() -> (tempfile::TempDir, std::path::PathBuf) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    let result = common::build(root, &out, &[]);
    assert!(
        result.status.success(),
        "juxta could not build the repository's site:\n{}",
        String::from_utf8_lossy(&result.stderr)
    );
    (tmp, out)
}

#[test]
fn flagship_html_is_valid() {
    if !audit::tools_ready("flagship_html_is_valid", VNU) {
        return;
    }
    let (_tmp, out) = build_flagship();
    let pages = audit::html_files(&out);
    let errors = audit::vnu(&out);
    let list: Vec<String> = errors.iter().map(|e| format!("  - {e}")).collect();
    assert!(
        errors.is_empty(),
        "the Nu Html Checker found {} error(s) in {} page(s):\n{}",
        errors.len(),
        pages.len(),
        list.join("\n")
    );
}

#[test]
fn flagship_pages_fit_the_weight_budget() {
    let (_tmp, out) = build_flagship();
    // The print page is every page in one document, by design far over one page's budget: it is
    // held instead to weighing less than the pages it gathers, and to loading no script.
    let (print, weights): (Vec<_>, Vec<_>) =
        audit::page_weights(&out, "/").into_iter().partition(|w| w.page == "print/index.html");
    let print = print.first().expect("the theme writes the print page");
    let text = std::fs::read_to_string(out.join(&print.page)).unwrap();
    let gathered: Vec<String> = text
        .split("<p class=\"print-page-address\">https://example.com/")
        .skip(1)
        .map(|rest| format!("{}index.html", &rest[..rest.find('<').unwrap()]))
        .collect();
    let pages_html: u64 = weights.iter().filter(|w| gathered.contains(&w.page)).map(|w| w.html).sum();
    eprintln!("print page: {print}; the {} pages it gathers: {pages_html} bytes of HTML", gathered.len());
    assert!(gathered.len() >= 10, "the print page gathers the guide's pages: {gathered:?}");
    assert!(print.html < pages_html, "the print page weighs more than its {} pages: {print}", gathered.len());
    assert!(print.assets.iter().all(|(asset, _)| !asset.ends_with(".js")), "{print}");
    let heaviest = weights.first().expect("the site has HTML pages");
    eprintln!("heaviest page: {heaviest} (budget {WEIGHT_BUDGET} bytes)");
    let missing: Vec<String> = weights
        .iter()
        .flat_map(|w| {
            w.missing.iter().map(move |m| format!("  - {} loads {m}, which is not in the output", w.page))
        })
        .collect();
    assert!(missing.is_empty(), "stylesheets or scripts are missing:\n{}", missing.join("\n"));
    let over: Vec<String> =
        weights.iter().filter(|w| w.total() >= WEIGHT_BUDGET).map(|w| format!("  - {w}")).collect();
    assert!(
        over.is_empty(),
        "{} page(s) weigh {WEIGHT_BUDGET} bytes or more (HTML + stylesheets + scripts); the heaviest is \
         {heaviest}:\n{}",
        over.len(),
        over.join("\n")
    );
}

/// No image shifts the layout as it loads: every `<img>` says its size. The pages show images
/// (the home page's picture), so the check reads some.
#[test]
fn flagship_images_have_width_and_height() {
    let (_tmp, out) = build_flagship();
    let mut seen = 0;
    let mut without_size = Vec::new();
    for file in audit::html_files(&out) {
        let doc = common::html::parse(&std::fs::read_to_string(out.join(&file)).unwrap());
        for tag in doc.tags.iter().filter(|t| t.name == "img") {
            seen += 1;
            if tag.attr("width").is_none() || tag.attr("height").is_none() {
                without_size
                    .push(format!("  - {file}: <img src=\"{}\">", tag.attr("src").unwrap_or_default()));
            }
        }
    }
    assert!(seen > 0, "the flagship shows no image");
    assert!(without_size.is_empty(), "images without width and height:\n{}", without_size.join("\n"));
}

#[test]
fn flagship_loads_nothing_from_outside() {
    let (_tmp, out) = build_flagship();
    let found = audit::external_references(&out);
    let list: Vec<String> = found.iter().map(|r| format!("  - {r}")).collect();
    assert!(
        found.is_empty(),
        "{} reference(s) load something from outside the site:\n{}",
        found.len(),
        list.join("\n")
    );
}

#[test]
fn flagship_passes_the_browser_audit() {
    if !audit::tools_ready("flagship_passes_the_browser_audit", BROWSER) {
        return;
    }
    let (_tmp, out) = build_flagship();
    let pages: Vec<String> = audit::html_files(&out)
        .into_iter()
        .filter(|file| !common::html::parse(&std::fs::read_to_string(out.join(file)).unwrap()).is_redirect())
        .map(|file| audit::url_path(&file))
        .collect();
    let server = Server::start(&out, "/");
    let started = Instant::now();
    let report = audit::browser_audit(&server.base_url(), &pages);
    eprintln!(
        "browser audit: {} page(s), {} run(s) in {:.1} s ({}, axe-core {})",
        pages.len(),
        report.runs.len(),
        started.elapsed().as_secs_f64(),
        report.browser.as_deref().unwrap_or("Chromium"),
        report.axe
    );
    assert_eq!(report.runs.len(), pages.len() * 4, "every page is audited in four runs");
    let findings = report.findings();
    assert!(findings.is_empty(), "the browser audit of the flagship site found problems: {findings}");
}
