//! The benchmark floor: every Markdown file under a folder rendered with pulldown-cmark alone, in
//! parallel, each into an HTML file, with the Markdown options juxta turns on. No front matter
//! parsing beyond skipping it, no templates, no links checked: what any generator built on
//! pulldown-cmark must at least spend.
//!
//! ```sh
//! cargo run --release --example floor -- CONTENT_DIR OUT_DIR
//! ```

use std::path::{Path, PathBuf};

use pulldown_cmark::{Options, Parser, html};
use rayon::prelude::*;
use walkdir::WalkDir;

fn main() {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let [content, out] = args.as_slice() else {
        eprintln!("usage: floor CONTENT_DIR OUT_DIR");
        std::process::exit(2);
    };
    let files: Vec<PathBuf> = WalkDir::new(content)
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "md"))
        .map(|e| e.into_path())
        .collect();
    let written: usize = files.par_iter().map(|file| render(content, out, file)).sum();
    println!("{written} pages");
}

fn render(content: &Path, out: &Path, file: &Path) -> usize {
    let text = std::fs::read_to_string(file).expect("readable Markdown");
    let body = skip_front_matter(&text);
    let mut options = Options::ENABLE_TABLES | Options::ENABLE_FOOTNOTES | Options::ENABLE_STRIKETHROUGH;
    options |= Options::ENABLE_TASKLISTS | Options::ENABLE_HEADING_ATTRIBUTES | Options::ENABLE_GFM;
    let mut html_out = String::with_capacity(body.len() * 3 / 2);
    html::push_html(&mut html_out, Parser::new_ext(body, options));
    let relative = file.strip_prefix(content).expect("under the content folder");
    let target = out.join(relative).with_extension("html");
    std::fs::create_dir_all(target.parent().expect("a parent")).expect("writable output");
    std::fs::write(target, html_out).expect("writable output");
    1
}

fn skip_front_matter(text: &str) -> &str {
    text.strip_prefix("+++\n")
        .and_then(|rest| rest.find("\n+++\n").map(|end| &rest[end + 5..]))
        .unwrap_or(text)
}
