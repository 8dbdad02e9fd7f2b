//! The output checks that `flagship.rs` runs can fail: on `tests/audit_fixtures/bad/`, plain HTML with
//! one planted problem of each kind, the Nu Html Checker reports the invalid attribute, the weight
//! budget reports the heavy page, the external-reference check reports the external script, and the
//! browser audit reports the missing alt text, the faint text, the page wider than a phone, the
//! external request, the missing stylesheet and the console and page errors. Also that the static file
//! server behaves like GitHub Pages and that the HTML and CSS reading finds what it must.

mod common;

use std::path::PathBuf;

use common::audit::{self, ALL, VNU, WEIGHT_BUDGET};
use common::html;
use common::server::{self, Server};

/// A copy of the bad fixture with its generated part: `big.css`, 120,000 bytes, for `heavy.html`.
fn bad_site() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("bad");
    common::copy_tree(&common::fixtures("audit_fixtures").join("bad"), &site);
    let rule = ".planted-weight { margin: 0; }\n";
    std::fs::write(site.join("big.css"), rule.repeat(120_000 / rule.len() + 1)).unwrap();
    (tmp, site)
}

#[test]
fn the_nu_html_checker_reports_the_planted_error() {
    if !audit::tools_ready("the_nu_html_checker_reports_the_planted_error", VNU) {
        return;
    }
    let (_tmp, site) = bad_site();
    let errors = audit::vnu(&site);
    let listed: Vec<String> = errors.iter().map(ToString::to_string).collect();
    let planted = errors.iter().find(|e| e.file == "index.html" && e.message.contains("frobnicate"));
    let planted =
        planted.unwrap_or_else(|| panic!("no error for the unknown attribute:\n{}", listed.join("\n")));
    assert_eq!(planted.line, Some(22), "{planted}");
    assert!(errors.iter().any(|e| e.file == "index.html" && e.message.contains("alt")), "{listed:#?}");
    assert!(errors.iter().all(|e| e.file == "index.html"), "the other pages are valid: {listed:#?}");
}

#[test]
fn the_weight_budget_reports_the_heavy_page_and_missing_stylesheets() {
    let (_tmp, site) = bad_site();
    let weights = audit::page_weights(&site, "/");
    let heaviest = &weights[0];
    assert_eq!(heaviest.page, "heavy.html");
    assert!(heaviest.total() >= WEIGHT_BUDGET, "{heaviest}");
    let big = std::fs::metadata(site.join("big.css")).unwrap().len();
    let style = std::fs::metadata(site.join("style.css")).unwrap().len();
    let html = std::fs::metadata(site.join("heavy.html")).unwrap().len();
    assert_eq!(heaviest.total(), html + big + style, "{heaviest}");
    let over: Vec<&str> =
        weights.iter().filter(|w| w.total() >= WEIGHT_BUDGET).map(|w| w.page.as_str()).collect();
    assert_eq!(over, ["heavy.html"]);
    let index = weights.iter().find(|w| w.page == "index.html").unwrap();
    assert_eq!(index.missing, ["missing.css"], "{index}");
    // An image on the first screen counts; an external script does not (it is the external
    // check's business).
    let dot = std::fs::metadata(site.join("dot.svg")).unwrap().len();
    assert_eq!(index.assets, [("dot.svg".to_string(), dot), ("style.css".to_string(), style)]);
    let sub = weights.iter().find(|w| w.page == "sub dir/index.html").unwrap();
    assert_eq!(sub.assets, [("style.css".to_string(), style)], "`../style.css` resolves from the sub-folder");
}

#[test]
fn the_external_reference_check_reports_the_external_script() {
    let (_tmp, site) = bad_site();
    let found = audit::external_references(&site);
    let listed: Vec<String> = found.iter().map(ToString::to_string).collect();
    assert_eq!(listed, ["index.html:12: <script src> loads https://example.com/x.js"]);
}

#[test]
fn the_external_reference_check_knows_what_loads_and_what_does_not() {
    let tmp = tempfile::tempdir().unwrap();
    let page = r#"<!DOCTYPE html>
<html><head>
<link rel="canonical" href="https://example.com/">
<link rel="alternate" type="application/atom+xml" href="https://example.com/atom.xml">
<meta property="og:image" content="https://example.com/card.png">
<link rel="stylesheet" href="//cdn.example.com/a.css">
<link rel="icon" href="https://example.com/favicon.ico">
<link rel="apple-touch-icon" href="https://example.com/touch.png">
<link rel=preload as=font href=HTTPS://fonts.example.com/f.woff2>
<link rel="stylesheet" href="local.css">
<style>
/* url(https://example.com/in-a-comment.png) is not loaded */
@import "https://example.com/imported.css";
body { background: url( 'https://example.com/bg.png' ) }
.ok { background: url(data:image/png;base64,AAAA) url(img/local.png) }
</style>
</head><body>
<a href="https://example.com/">a link is not a request</a>
<img alt="" src="local.png" srcset="local-2x.png 2x, https://example.com/3x.png 3x">
<video poster="https://example.com/poster.jpg"></video>
<object data="https://example.com/doc.pdf"></object>
<p style="background-image: url(&quot;https://example.com/inline.png&quot;)">x</p>
<svg><use href="https://example.com/sprite.svg#i"></use></svg>
<script>document.write('<img src="https://example.com/in-a-script.png">')</script>
<iframe src="https:&#x2F;&#x2F;example.com/frame"></iframe>
</body></html>
"#;
    std::fs::write(tmp.path().join("page.html"), page).unwrap();
    std::fs::write(
        tmp.path().join("local.css"),
        "@import url(\"http://example.com/x.css\");\n.a { background: url(/img/ok.png) }\n.b{background:url(//example.com/y.png)}\n",
    )
    .unwrap();
    let found: Vec<String> = audit::external_references(tmp.path()).iter().map(ToString::to_string).collect();
    assert_eq!(
        found,
        [
            "page.html:6: <link rel=\"stylesheet\" href> loads //cdn.example.com/a.css",
            "page.html:7: <link rel=\"icon\" href> loads https://example.com/favicon.ico",
            "page.html:8: <link rel=\"apple-touch-icon\" href> loads https://example.com/touch.png",
            "page.html:9: <link rel=\"preload\" href> loads HTTPS://fonts.example.com/f.woff2",
            "page.html:19: <img srcset> loads https://example.com/3x.png",
            "page.html:20: <video poster> loads https://example.com/poster.jpg",
            "page.html:21: <object data> loads https://example.com/doc.pdf",
            "page.html:22: <p style> url() loads https://example.com/inline.png",
            "page.html:23: <use href> loads https://example.com/sprite.svg#i",
            "page.html:25: <iframe src> loads https://example.com/frame",
            "page.html:13: <style> url()/@import loads https://example.com/imported.css",
            "page.html:14: <style> url()/@import loads https://example.com/bg.png",
            "local.css:1: CSS url()/@import loads http://example.com/x.css",
            "local.css:3: CSS url()/@import loads //example.com/y.png",
        ]
    );
}

#[test]
fn the_browser_audit_reports_every_planted_problem() {
    if !audit::tools_ready("the_browser_audit_reports_every_planted_problem", ALL) {
        return;
    }
    let (_tmp, site) = bad_site();
    // Served under a sub-path, as a GitHub Pages project site is.
    let server = Server::start(&site, "/audit-bad/");
    let pages: Vec<String> = audit::html_files(&site)
        .into_iter()
        .filter(|f| f != "404.html")
        .filter(|f| !html::parse(&std::fs::read_to_string(site.join(f)).unwrap()).is_redirect())
        .map(|f| server::encode_path(&audit::url_path(&f)))
        .collect();
    assert_eq!(pages, ["heavy.html", "", "sub%20dir/", "wide.html"]);
    let report = audit::browser_audit(&server.base_url(), &pages);
    assert_eq!(report.runs.len(), 16, "four runs per page");
    let runs = |page: &'static str| report.runs.iter().filter(move |r| r.page == page);
    for run in &report.runs {
        assert_eq!(run.status, Some(200), "{}: {:?}", run.url, run.error);
        assert!(run.error.is_none(), "{}: {:?}", run.url, run.error);
    }
    for run in runs("") {
        let rule = |id: &str| run.violations.iter().find(|v| v.id == id);
        let alt = rule("image-alt")
            .unwrap_or_else(|| panic!("no image-alt at {}: {:#?}", run.width, run.violations));
        assert_eq!(alt.nodes[0].target, ["img"]);
        assert!(alt.nodes[0].html.starts_with("<img src=\"dot.svg\""), "{:?}", alt.nodes[0]);
        let contrast = rule("color-contrast").expect("the faint text fails color-contrast");
        assert_eq!(contrast.nodes[0].target, [".faint"]);
        assert_eq!(run.external, ["https://example.com/x.js"]);
        assert!(
            run.failed.iter().any(|f| f.url.ends_with("/audit-bad/missing.css") && f.status == Some(404))
        );
        assert!(
            run.failed.iter().all(|f| !f.url.contains("example.com")),
            "external requests are not failures"
        );
        assert!(run.console.iter().any(|m| m.text.contains("planted console error")), "{:?}", run.console);
        assert!(run.page_errors.iter().any(|e| e.contains("planted page error")), "{:?}", run.page_errors);
        assert!(run.overflow.is_none());
    }
    for run in runs("wide.html") {
        if run.width == 375 {
            let overflow = run.overflow.as_ref().expect("wide.html scrolls sideways at 375 px");
            assert!(overflow.scroll_width > overflow.client_width);
            let widest = overflow.widest.as_ref().expect("the culprit is named");
            assert_eq!(widest.selector, "div#planted-wide");
            assert_eq!(widest.width, 600);
            assert!(widest.html.starts_with(r#"<div class="too-wide" id="planted-wide">"#), "{widest:?}");
        } else {
            assert!(run.overflow.is_none(), "wide.html fits at {} px", run.width);
        }
    }
    for page in ["heavy.html", "sub%20dir/", "wide.html"] {
        for run in runs(page) {
            assert!(run.violations.is_empty(), "{page}: {:#?}", run.violations);
            assert!(run.external.is_empty() && run.failed.is_empty() && run.console.is_empty(), "{run:#?}");
        }
    }
    // What a developer reads when the flagship fails.
    let findings = report.findings();
    let text = findings.to_string();
    eprintln!("{text}");
    assert!(!findings.is_empty());
    assert!(
        text.contains("/ (home) [1280px light, 1280px dark, 375px light, 375px dark] image-alt (critical)"),
        "{text}"
    );
    assert!(text.contains("/wide.html [375px light, 375px dark]: scrollWidth"), "{text}");
    assert!(text.contains("`div#planted-wide` (600 px wide"), "{text}");
    assert!(text.contains("https://example.com/x.js"), "{text}");
    assert!(text.contains("stylesheet /audit-bad/missing.css (HTTP 404)"), "{text}");
    assert_eq!(findings.external.len(), 1);
    assert_eq!(findings.overflow.len(), 1);
}

/// The server's answer to `target`.
fn get(server: &Server, target: &str) -> server::Response {
    server::get(server.addr(), target)
}

#[test]
fn the_static_server_behaves_like_github_pages() {
    let (_tmp, site) = bad_site();
    std::fs::write(site.join("data.json"), "{}").unwrap();
    std::fs::write(site.join("feed.xml"), "<feed/>").unwrap();
    std::fs::write(site.join("%41.txt"), "literally %41").unwrap();
    let server = Server::start(&site, "/");
    let home = get(&server, "/");
    assert_eq!(home.status, 200);
    assert_eq!(home.header("Content-Type"), Some("text/html; charset=utf-8"));
    assert_eq!(home.body, std::fs::read(site.join("index.html")).unwrap());
    assert_eq!(get(&server, "/index.html?query=1#x").body, home.body);
    for (path, kind) in [
        ("/style.css", "text/css; charset=utf-8"),
        ("/dot.svg", "image/svg+xml"),
        ("/data.json", "application/json"),
        ("/feed.xml", "application/xml"),
    ] {
        let response = get(&server, path);
        assert_eq!((response.status, response.header("Content-Type")), (200, Some(kind)), "{path}");
    }
    // A folder without its slash is redirected; with it, its index.html is served.
    let redirect = get(&server, "/sub%20dir");
    assert_eq!((redirect.status, redirect.header("Location")), (301, Some("/sub%20dir/")));
    let sub = get(&server, "/sub%20dir/");
    assert_eq!(sub.body, std::fs::read(site.join("sub dir/index.html")).unwrap());
    // `%XX` is decoded once: `%2541` names the file `%41.txt`, `%41` the missing `A.txt`.
    assert_eq!(get(&server, "/%2541.txt").text(), "literally %41");
    assert_eq!(get(&server, "/%41.txt").status, 404);
    // `/wide` serves wide.html, as GitHub Pages does.
    assert_eq!(get(&server, "/wide").body, std::fs::read(site.join("wide.html")).unwrap());
    // Missing: the folder's 404.html with status 404.
    let missing = get(&server, "/no/such/page/");
    assert_eq!(missing.status, 404);
    assert_eq!(missing.body, std::fs::read(site.join("404.html")).unwrap());
    assert_eq!(missing.header("Content-Type"), Some("text/html; charset=utf-8"));
    // Nothing outside the folder.
    for target in ["/../Cargo.toml", "/sub%20dir/../../x", "/%2e%2e/x", "//etc/passwd", "/a%5c..%5cb", "/%zz"]
    {
        assert_eq!(get(&server, target).status, 400, "{target}");
    }
}

#[test]
fn the_static_server_serves_under_a_prefix() {
    let (_tmp, site) = bad_site();
    let server = Server::start(&site, "iot-vs-m2m");
    assert!(server.base_url().starts_with("http://127.0.0.1:"));
    assert!(server.base_url().ends_with("/iot-vs-m2m/"));
    assert_eq!(server.url("/wide.html"), format!("{}wide.html", server.base_url()));
    let redirect = get(&server, "/iot-vs-m2m");
    assert_eq!((redirect.status, redirect.header("Location")), (301, Some("/iot-vs-m2m/")));
    assert_eq!(get(&server, "/iot-vs-m2m/").body, std::fs::read(site.join("index.html")).unwrap());
    assert_eq!(get(&server, "/iot-vs-m2m/sub%20dir").header("Location"), Some("/iot-vs-m2m/sub%20dir/"));
    for outside in ["/", "/index.html", "/iot-vs-m2mx/index.html"] {
        let response = get(&server, outside);
        assert_eq!(response.status, 404, "{outside}");
        assert_eq!(response.body, std::fs::read(site.join("404.html")).unwrap());
    }
}

#[test]
fn references_resolve_to_output_files() {
    let cases = [
        ("index.html", None, "style.css", "/", Some("style.css")),
        ("a/b/index.html", None, "../../style.css?v=1#x", "/", Some("style.css")),
        ("a/index.html", None, "/css/site.css", "/", Some("css/site.css")),
        ("a/index.html", None, "/repo/css/site.css", "/repo/", Some("css/site.css")),
        ("a/index.html", None, "/other/site.css", "/repo/", None),
        ("a/index.html", None, "/repox/site.css", "/repo/", None),
        ("404.html", Some("/repo/"), "style.css", "/repo/", Some("style.css")),
        ("404.html", Some("/"), "a/b.css", "/", Some("a/b.css")),
        ("x/404.html", Some("../"), "a.css", "/", Some("a.css")),
        ("a/index.html", None, "with%20space.css", "/", Some("a/with space.css")),
        ("a/index.html", None, "./", "/", Some("a/")),
        ("a/index.html", None, "..", "/", Some("")),
        ("index.html", None, "../../etc/passwd", "/", None),
        ("index.html", None, "https://example.com/a.css", "/", None),
        ("index.html", None, "data:text/css,a{}", "/", None),
        ("index.html", None, "#top", "/", None),
    ];
    for (from, base, href, prefix, expected) in cases {
        assert_eq!(
            html::resolve(from, base, href, prefix).as_deref(),
            expected,
            "{from} {base:?} {href} {prefix}"
        );
    }
}

#[test]
fn html_and_css_reading_finds_tags_attributes_and_urls() {
    let doc = html::parse(
        "<!-- <img src=x> -->\n<P CLASS=a data-x='1 > 2'>\n<script>if (a<b) { '<img src=y>' }</script>\n\
         <img\n  src=\"a&amp;b.png\" alt>\n<style>\n.x{}\n</style>",
    );
    let names: Vec<&str> = doc.tags.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["p", "script", "img", "style"]);
    assert_eq!(doc.tags[0].attr("class"), Some("a"));
    assert_eq!(doc.tags[0].attr("data-x"), Some("1 > 2"));
    assert_eq!(
        (doc.tags[2].line, doc.tags[2].attr("src"), doc.tags[2].attr("alt")),
        (4, Some("a&b.png"), Some(""))
    );
    assert_eq!(doc.styles, [(6, "\n.x{}\n".to_string())]);
    assert_eq!(
        html::srcset_urls("a.png 1x, b,c.png 2x,d.png, e.png (max-width: 1px, x) 3x"),
        ["a.png", "b,c.png", "d.png", "e.png"]
    );
    let urls = html::css_urls(
        "a{b:url(\"x\\\".png\")}\n@import 'y.css' screen;\n/* url(z) */ c{content:\"url(no)\"}",
        1,
    );
    assert_eq!(urls, [(1, "x\".png".to_string()), (2, "y.css".to_string())]);
    assert!(html::is_external(" https://a") && html::is_external("//a") && html::is_external("ftp://a"));
    assert!(html::is_external("ht\ntps://a"));
    assert!(!html::is_external("data:x") && !html::is_external("/a") && !html::is_external("a.png"));
}
