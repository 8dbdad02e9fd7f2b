//! The module graph of `src/` is layered, as ARCHITECTURE.md draws it: no module uses, directly or
//! through others, a module that uses it. A module is a file; what a module's files use of their
//! parent (`super::`, or `crate::markdown` from `markdown/links.rs`) is the parent's to give and
//! is not an edge.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Every module of `src/` (`markdown::links`), with its source.
fn modules() -> BTreeMap<String, String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut modules = BTreeMap::new();
    for entry in walkdir::WalkDir::new(&src) {
        let entry = entry.unwrap();
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let relative = path.strip_prefix(&src).unwrap().with_extension("");
        let mut parts: Vec<String> = relative.iter().map(|p| p.to_string_lossy().into_owned()).collect();
        if parts.last().is_some_and(|p| p == "mod") {
            parts.pop();
        }
        if parts.len() == 1 && (parts[0] == "lib" || parts[0] == "main") {
            continue;
        }
        modules.insert(parts.join("::"), std::fs::read_to_string(path).unwrap());
    }
    modules
}

/// The paths a module's source names from the crate root: `crate::a::b`, each item of
/// `crate::{a, b::c}`, and `super::x` made absolute. Comments and unit tests are left out.
fn paths(module: &str, source: &str) -> Vec<String> {
    let code = source.split("#[cfg(test)]\nmod tests").next().unwrap_or_default();
    let code: String =
        code.lines().map(|l| l.split("//").next().unwrap_or_default()).collect::<Vec<_>>().join("\n");
    let parent: Vec<&str> = module.split("::").collect();
    let parent = parent[..parent.len() - 1].join("::");
    let mut found = Vec::new();
    for (prefix, base) in [("crate::", String::new()), ("super::", parent)] {
        for (at, _) in code.match_indices(prefix) {
            let rest = &code[at + prefix.len()..];
            let items: Vec<&str> = match rest.strip_prefix('{') {
                Some(group) => group.split('}').next().unwrap_or_default().split(',').collect(),
                None => vec![rest],
            };
            for item in items {
                let item = item.trim();
                let end =
                    item.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':')).unwrap_or(item.len());
                let path = item[..end].trim_end_matches(':');
                found.push(if base.is_empty() { path.to_string() } else { format!("{base}::{path}") });
            }
        }
    }
    found
}

/// The module a path names: its longest prefix that is a module.
fn module_of<'m>(modules: &'m BTreeMap<String, String>, path: &str) -> Option<&'m str> {
    let parts: Vec<&str> = path.split("::").collect();
    (1..=parts.len())
        .rev()
        .find_map(|n| modules.get_key_value(&parts[..n].join("::")).map(|(k, _)| k.as_str()))
}

#[test]
fn no_module_uses_one_that_uses_it() {
    let modules = modules();
    let mut edges: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (module, source) in &modules {
        for path in paths(module, source) {
            let Some(target) = module_of(&modules, &path) else { continue };
            let is_ancestor = module.starts_with(&format!("{target}::"));
            if target != module && !is_ancestor {
                edges.entry(module).or_default().insert(target);
            }
        }
    }
    assert!(edges.len() > 30, "the graph was read: {edges:?}");
    // A depth-first walk from every module; a module met again on the current path is a cycle.
    fn walk<'m>(
        module: &'m str,
        edges: &BTreeMap<&'m str, BTreeSet<&'m str>>,
        path: &mut Vec<&'m str>,
        done: &mut BTreeSet<&'m str>,
    ) {
        if let Some(at) = path.iter().position(|m| *m == module) {
            panic!("an import cycle: {}", [&path[at..], &[module]].concat().join(" → "));
        }
        if !done.insert(module) {
            return;
        }
        path.push(module);
        for next in edges.get(module).into_iter().flatten() {
            walk(next, edges, path, done);
        }
        path.pop();
    }
    let mut done = BTreeSet::new();
    for module in edges.keys() {
        walk(module, &edges, &mut Vec::new(), &mut done);
    }
}

/// Every function of `src/` with its length in lines, longest first: from its `fn` line to the
/// line that closes it at the same indentation (rustfmt's layout).
fn function_lengths() -> Vec<(usize, String)> {
    let mut lengths = Vec::new();
    for (module, source) in modules_with_roots() {
        let lines: Vec<&str> = source.lines().collect();
        for (at, line) in lines.iter().enumerate() {
            let code = line.trim_start();
            let indent = &line[..line.len() - code.len()];
            let code = code.strip_prefix("pub(crate) ").or(code.strip_prefix("pub(super) ")).unwrap_or(code);
            let code = code.strip_prefix("pub ").unwrap_or(code);
            let code = code.strip_prefix("const ").unwrap_or(code);
            let code = code.strip_prefix("async ").unwrap_or(code);
            let Some(signature) = code.strip_prefix("fn ") else { continue };
            if line.ends_with(';') || line.ends_with('}') {
                continue;
            }
            let close = format!("{indent}}}");
            let Some(end) = lines[at + 1..].iter().position(|l| *l == close) else { continue };
            let name = signature.split(['(', '<']).next().unwrap_or_default();
            lengths.push((end + 2, format!("{module}::{name}")));
        }
    }
    lengths.sort_by(|a, b| b.cmp(a));
    lengths
}

/// [`modules`] with `lib` and `main` too.
fn modules_with_roots() -> BTreeMap<String, String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut modules = modules();
    for root in ["lib", "main"] {
        modules.insert(root.into(), std::fs::read_to_string(src.join(format!("{root}.rs"))).unwrap());
    }
    modules
}

#[test]
fn no_file_is_over_700_lines() {
    let modules = modules_with_roots();
    let long: Vec<String> = modules
        .iter()
        .map(|(module, source)| (module, source.lines().count()))
        .filter(|(_, n)| *n > 700)
        .map(|(module, n)| format!("{module}: {n} lines"))
        .collect();
    assert!(modules.len() > 50, "the modules were read");
    assert!(long.is_empty(), "split these: {long:?}");
}

#[test]
fn no_function_is_over_80_lines() {
    let lengths = function_lengths();
    assert!(lengths.len() > 500, "the functions were read ({})", lengths.len());
    // `cargo test --test architecture -- --nocapture` shows the longest.
    for (n, name) in &lengths[..10] {
        println!("{n:4} {name}");
    }
    let long: Vec<_> = lengths.iter().filter(|(n, _)| *n > 80).collect();
    assert!(long.is_empty(), "split these: {long:?}");
}
