//! The layout of `src/` stays as ARCHITECTURE.md draws it: the top-level modules of the
//! library depend on each other one way down the pipeline (no circle of imports), the
//! front ends sit on top of the library and nothing in it reaches up to them, and every
//! source file stays short enough to hold one concept.
//!
//! The dependencies are read from the source text: every `crate::<module>` path (in `use`
//! declarations and in code, `use crate::{a, b}` groups included, and a name the crate
//! root re-exports counting as its module) outside comments, string literals and
//! `#[cfg(test)]` items.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The most lines a file of `src/` may have.
const MOST_LINES: usize = 850;

/// Top-level modules that sit on top of the library: the command line (`main.rs`,
/// `cli_*.rs`), the language server, the fuzzing entry points and the Arrow adapter.
fn is_front_end(module: &str) -> bool {
    matches!(module, "main" | "lsp" | "fuzzing" | "arrow") || module.starts_with("cli_")
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file of `src/` belongs to: `evaluate` for
/// `src/evaluate/node.rs`, `files` for `src/files.rs`.
fn top_module(file: &Path) -> String {
    let relative = file.strip_prefix(src()).unwrap();
    let first = relative.components().next().unwrap().as_os_str();
    first.to_str().unwrap().trim_end_matches(".rs").to_string()
}

/// The text with comments, string and character literals blanked out (kept as spaces,
/// so nothing joins), lifetimes left alone.
fn code_only(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
            out.push(' ');
        } else if c == 'r'
            && matches!(next, Some('"' | '#'))
            && !is_ident(chars.get(i.wrapping_sub(1)))
        {
            // A raw string: r"…", r#"…"#.
            let mut j = i + 1;
            let mut hashes = 0;
            while chars.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if chars.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            j += 1;
            loop {
                if j >= chars.len() {
                    break;
                }
                if chars[j] == '"' && (1..=hashes).all(|h| chars.get(j + h) == Some(&'#')) {
                    j += 1 + hashes;
                    break;
                }
                j += 1;
            }
            out.push_str("\"\"");
            i = j;
        } else if c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
            out.push_str("\"\"");
        } else if c == '\'' && (next == Some('\\') || chars.get(i + 2) == Some(&'\'')) {
            // A character literal ('a', '\n', '\''), not a lifetime.
            i += 1;
            while i < chars.len() && chars[i] != '\'' {
                if chars[i] == '\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
            out.push_str("' '");
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn is_ident(c: Option<&char>) -> bool {
    c.is_some_and(|c| c.is_alphanumeric() || *c == '_')
}

/// Code with its `#[cfg(test)]` items left out, and the files of the `#[cfg(test)] mod x;`
/// declarations it holds (their names).
fn without_tests(code: &str) -> (String, Vec<String>) {
    const MARK: &str = "#[cfg(test)]";
    let mut out = String::new();
    let mut test_modules = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find(MARK) {
        out.push_str(&rest[..at]);
        let item = &rest[at + MARK.len()..];
        let end_of_declaration = item.find(';');
        let open = item.find('{');
        match (end_of_declaration, open) {
            (Some(semi), open) if open.is_none_or(|o| semi < o) => {
                // `mod tests;` or `use …;`
                let words: Vec<&str> = item[..semi].split_whitespace().collect();
                if let Some(p) = words.iter().position(|w| *w == "mod")
                    && let Some(name) = words.get(p + 1)
                {
                    test_modules.push(name.to_string());
                }
                rest = &item[semi + 1..];
            }
            (_, Some(open)) => {
                let mut depth = 0;
                let mut end = item.len();
                for (k, ch) in item[open..].char_indices() {
                    match ch {
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                end = open + k + 1;
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                rest = &item[end..];
            }
            _ => rest = "",
        }
    }
    out.push_str(rest);
    (out, test_modules)
}

/// The first segment of every `crate::` path in `code`, groups `crate::{a, b::c}` giving
/// `a` and `b`.
fn crate_paths(code: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let before = rest[..at].chars().last();
        rest = &rest[at + "crate::".len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$') {
            continue; // `$crate::`, or a longer identifier ending in `crate`
        }
        let rest_trimmed = rest.trim_start();
        if let Some(group) = rest_trimmed.strip_prefix('{') {
            let mut depth = 1;
            let mut item = String::new();
            for ch in group.chars() {
                match ch {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    _ => {}
                }
                if depth == 0 || (depth == 1 && ch == ',') {
                    push_first_segment(&item, &mut found);
                    item.clear();
                    if depth == 0 {
                        break;
                    }
                } else if depth == 1 {
                    item.push(ch);
                } else if depth == 2 && ch == '{' {
                    item.push(' ');
                }
            }
        } else {
            push_first_segment(rest_trimmed, &mut found);
        }
    }
    found
}

fn push_first_segment(path: &str, found: &mut BTreeSet<String>) {
    let name: String = path
        .trim_start()
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    if !name.is_empty() && name != "self" {
        found.insert(name);
    }
}

/// Names the crate root re-exports (`pub use ruleset::{LoadError, …}`), by the module
/// they come from, so that `crate::LoadError` counts as a use of `ruleset`.
fn root_reexports(lib: &str) -> BTreeMap<String, String> {
    let mut names = BTreeMap::new();
    for statement in lib.split(';') {
        let statement = statement.trim();
        let Some(path) = statement.strip_prefix("pub use ") else {
            continue;
        };
        let Some((module, items)) = path.split_once("::") else {
            continue;
        };
        let items = items.trim().trim_start_matches('{').trim_end_matches('}');
        for item in items.split(',') {
            let item = item.trim();
            let name = item.rsplit(" as ").next().unwrap_or(item);
            let name = name.rsplit("::").next().unwrap_or(name).trim();
            if !name.is_empty() {
                names.insert(name.to_string(), module.trim().to_string());
            }
        }
    }
    names
}

/// Every top-level module of the library → the modules it uses → the files that use them.
type Graph = BTreeMap<String, BTreeMap<String, BTreeSet<String>>>;

fn dependency_graph() -> Graph {
    let root = src();
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    let modules: BTreeSet<String> = files
        .iter()
        .map(|f| top_module(f))
        .filter(|m| m != "lib")
        .collect();
    let lib = code_only(&std::fs::read_to_string(root.join("lib.rs")).unwrap());
    let reexports = root_reexports(&lib);
    // Files that are `#[cfg(test)] mod x;` of another file.
    let mut test_files = BTreeSet::new();
    let mut code_of = BTreeMap::new();
    for file in &files {
        let code = code_only(&std::fs::read_to_string(file).unwrap());
        let (code, test_modules) = without_tests(&code);
        let name = file.file_name().unwrap().to_str().unwrap();
        let dir = if matches!(name, "mod.rs" | "lib.rs" | "main.rs") {
            file.parent().unwrap().to_path_buf()
        } else {
            file.with_extension("")
        };
        for m in test_modules {
            test_files.insert(dir.join(format!("{m}.rs")));
            test_files.insert(dir.join(&m).join("mod.rs"));
        }
        code_of.insert(file.clone(), code);
    }
    let mut graph = Graph::new();
    for (file, code) in &code_of {
        let from = top_module(file);
        if from == "lib" || test_files.contains(file) {
            continue;
        }
        let edges = graph.entry(from.clone()).or_default();
        for segment in crate_paths(code) {
            let to = if modules.contains(&segment) {
                segment
            } else if let Some(module) = reexports.get(&segment) {
                module.clone()
            } else {
                continue;
            };
            if to != from {
                let shown = file.strip_prefix(&root).unwrap().display().to_string();
                edges.entry(to).or_default().insert(shown);
            }
        }
    }
    graph
}

/// A circle of the graph among `modules`, as the modules along it (the first repeated at
/// the end), if there is one.
fn find_cycle(graph: &Graph, modules: &BTreeSet<String>) -> Option<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Open,
        Done,
    }
    fn visit(
        m: &str,
        graph: &Graph,
        modules: &BTreeSet<String>,
        marks: &mut BTreeMap<String, Mark>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        marks.insert(m.to_string(), Mark::Open);
        path.push(m.to_string());
        for next in graph.get(m).into_iter().flat_map(|e| e.keys()) {
            if !modules.contains(next) {
                continue;
            }
            match marks.get(next).copied().unwrap_or(Mark::New) {
                Mark::Open => {
                    let start = path.iter().position(|p| p == next).unwrap();
                    let mut cycle = path[start..].to_vec();
                    cycle.push(next.clone());
                    return Some(cycle);
                }
                Mark::New => {
                    if let Some(c) = visit(next, graph, modules, marks, path) {
                        return Some(c);
                    }
                }
                Mark::Done => {}
            }
        }
        path.pop();
        marks.insert(m.to_string(), Mark::Done);
        None
    }
    let mut marks = BTreeMap::new();
    for m in modules {
        if marks.get(m).copied().unwrap_or(Mark::New) == Mark::New
            && let Some(c) = visit(m, graph, modules, &mut marks, &mut Vec::new())
        {
            return Some(c);
        }
    }
    None
}

fn library_modules(graph: &Graph) -> BTreeSet<String> {
    graph.keys().filter(|m| !is_front_end(m)).cloned().collect()
}

#[test]
fn library_modules_depend_on_each_other_one_way() {
    let graph = dependency_graph();
    let modules = library_modules(&graph);
    assert!(modules.len() > 20, "too few modules found: {modules:?}");
    if let Some(cycle) = find_cycle(&graph, &modules) {
        let steps: Vec<String> = cycle
            .windows(2)
            .map(|w| {
                let files = &graph[&w[0]][&w[1]];
                let files: Vec<&str> = files.iter().map(String::as_str).collect();
                format!("  {} → {} (in {})", w[0], w[1], files.join(", "))
            })
            .collect();
        panic!(
            "the modules import each other in a circle: {}\n{}",
            cycle.join(" → "),
            steps.join("\n")
        );
    }
}

#[test]
fn the_library_does_not_reach_up_to_its_front_ends() {
    let graph = dependency_graph();
    let mut wrong = Vec::new();
    for (from, edges) in &graph {
        if is_front_end(from) {
            continue;
        }
        for (to, files) in edges {
            if is_front_end(to) {
                wrong.push(format!("{from} → {to} (in {files:?})"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "library modules use front ends: {wrong:#?}"
    );
}

#[test]
fn the_known_circles_stay_broken() {
    // The circles issue 13 found; each edge named here would close one again.
    let graph = dependency_graph();
    let uses = |from: &str, to: &str| graph.get(from).is_some_and(|e| e.contains_key(to));
    for (from, to) in [
        ("hooks", "evaluate"),
        ("check", "evaluate"),
        ("compile", "evaluate"),
        ("files", "ruleset"),
        ("access", "ruleset"),
        ("extend", "ruleset"),
        ("calendar", "evaluate"),
        ("value", "parse"),
        ("limits", "parse"),
    ] {
        assert!(
            !uses(from, to),
            "`{from}` uses `{to}` again: {:?}",
            graph[from][to]
        );
    }
}

#[test]
fn source_files_hold_one_concept_each() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let long: Vec<String> = files
        .iter()
        .filter_map(|f| {
            let lines = std::fs::read_to_string(f).unwrap().lines().count();
            (lines > MOST_LINES).then(|| format!("{} ({lines} lines)", f.display()))
        })
        .collect();
    assert!(
        long.is_empty(),
        "files longer than {MOST_LINES} lines; split them by concept: {long:#?}"
    );
}

#[test]
fn the_reader_finds_the_dependencies_the_compiler_sees() {
    // The reader itself: comments, strings and test code are not dependencies; groups and
    // re-exported names are.
    let code = code_only(
        "use crate::{a::X, b::{Y, Z}};\n// crate::c\nlet s = \"crate::d\";\nlet t = r#\"crate::e\"#;\n\
         let c = '\"'; crate::f::g();\n#[cfg(test)]\nmod tests { use crate::h; }\nfn k<'a>() { crate::Named }",
    );
    let (code, _) = without_tests(&code);
    let found: Vec<String> = crate_paths(&code).into_iter().collect();
    assert_eq!(found, ["Named", "a", "b", "f"]);
    let names = root_reexports("pub use ruleset::{LoadError, RuleSet};\npub use value::Value;");
    assert_eq!(names["LoadError"], "ruleset");
    assert_eq!(names["Value"], "value");
}
