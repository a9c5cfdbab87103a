//! The language server driven by scripted LSP exchanges, on the shipped rule sets.
//!
//! Each test starts `chiso::lsp::serve` on an in-memory connection, plays the client's
//! side (initialize, didOpen, requests), and snapshots the responses with the checkout's
//! path replaced by `$ROOT`. Snapshots live in `tests/snapshots/`; review changes with
//! `cargo insta review` (or regenerate with `INSTA_UPDATE=always cargo test`).
#![cfg(feature = "lsp")]

use std::path::{Path, PathBuf};
use std::thread::JoinHandle;

use lsp_server::{Connection, Message, Notification, Request, RequestId};
use serde_json::{Value, json};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn uri(path: &Path) -> String {
    lsp_types::Url::from_file_path(path).unwrap().to_string()
}

/// The client's side of a session.
struct Client {
    conn: Connection,
    server: Option<JoinHandle<()>>,
    next: i32,
    /// Notifications received while waiting for responses.
    notifications: Vec<Notification>,
}

impl Client {
    fn start() -> Self {
        let (server, conn) = Connection::memory();
        let handle = std::thread::spawn(move || chiso::lsp::serve(&server).unwrap());
        let mut client = Client {
            conn,
            server: Some(handle),
            next: 0,
            notifications: Vec::new(),
        };
        let init = client.request("initialize", json!({ "capabilities": {} }));
        assert!(init["capabilities"]["hoverProvider"].as_bool().unwrap());
        client.notify("initialized", json!({}));
        client
    }

    fn notify(&self, method: &str, params: Value) {
        self.conn
            .sender
            .send(Message::Notification(Notification::new(
                method.into(),
                params,
            )))
            .unwrap();
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next += 1;
        let id = RequestId::from(self.next);
        self.conn
            .sender
            .send(Message::Request(Request::new(
                id.clone(),
                method.into(),
                params,
            )))
            .unwrap();
        loop {
            match self.conn.receiver.recv().unwrap() {
                Message::Response(r) if r.id == id => {
                    if let Some(e) = r.error {
                        return json!({ "error": e.message });
                    }
                    return r.result.unwrap_or(Value::Null);
                }
                Message::Notification(n) => self.notifications.push(n),
                other => panic!("unexpected {other:?}"),
            }
        }
    }

    fn open(&mut self, path: &Path, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": {
                "uri": uri(path), "languageId": "chiso", "version": 1, "text": text } }),
        );
    }

    fn open_file(&mut self, path: &Path) {
        let text = std::fs::read_to_string(path).unwrap();
        self.open(path, &text);
    }

    fn change(&mut self, path: &Path, version: i32, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri(path), "version": version },
                    "contentChanges": [{ "text": text }] }),
        );
    }

    /// The last diagnostics published for `path` (a round trip first, so that every
    /// notification sent before it has arrived).
    fn diagnostics(&mut self, path: &Path) -> Vec<Value> {
        self.request(
            "textDocument/documentSymbol",
            json!({ "textDocument": { "uri": uri(path) } }),
        );
        let uri = uri(path);
        self.notifications
            .iter()
            .rev()
            .find(|n| n.method == "textDocument/publishDiagnostics" && n.params["uri"] == uri)
            .map(|n| n.params["diagnostics"].as_array().unwrap().clone())
            .unwrap_or_else(|| panic!("no diagnostics published for {uri}"))
    }

    fn at(&mut self, method: &str, path: &Path, line: u32, character: u32, extra: Value) -> Value {
        let mut params = json!({
            "textDocument": { "uri": uri(path) },
            "position": { "line": line, "character": character },
        });
        if let (Some(p), Some(e)) = (params.as_object_mut(), extra.as_object()) {
            p.extend(e.clone());
        }
        self.request(method, params)
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        if std::thread::panicking() {
            return;
        }
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        if let Some(h) = self.server.take() {
            h.join().unwrap();
        }
    }
}

/// `(line, character)` of the `nth` occurrence of `needle` in the file (0-based, for LSP;
/// the rule files' lines here are ASCII before the names looked up).
fn find(path: &Path, needle: &str, nth: usize) -> (u32, u32) {
    let text = std::fs::read_to_string(path).unwrap();
    let offset = text.match_indices(needle).nth(nth).unwrap().0;
    let before = &text[..offset];
    let line = before.matches('\n').count() as u32;
    let col = before.rsplit('\n').next().unwrap().encode_utf16().count() as u32;
    (line, col)
}

/// JSON with the checkout's path replaced, for snapshots.
fn shown(v: &Value) -> String {
    let text = serde_json::to_string_pretty(v).unwrap();
    text.replace(&uri(&root()), "file://$ROOT")
}

fn staffing() -> PathBuf {
    root().join("rules/it-staffing/it-staffing.chiso")
}

fn ict(year: &str) -> PathBuf {
    root().join(format!("rules/ict-index/{year}/ict-index.chiso"))
}

#[test]
fn hover_shows_inputs_indicators_rules_and_builtins() {
    let mut c = Client::start();
    let path = staffing();
    c.open_file(&path);
    let mut out = String::new();
    for (needle, nth) in [
        ("infosec_staff >= attt_minimum", 0),
        ("share_trained_infosec >= 100%", 0),
        ("attt_staffing", 0),
        ("attt_minimum", 2),
    ] {
        let (l, ch) = find(&path, needle, nth);
        let hover = c.at("textDocument/hover", &path, l, ch + 1, json!({}));
        out.push_str(&format!(
            "== {needle}\n{}\n\n",
            hover["contents"]["value"].as_str().unwrap()
        ));
    }
    let decree = root().join("rules/decree-43-2011/decree-43-2011.chiso");
    c.open_file(&decree);
    let (l, ch) = find(&decree, "weeks_with_fewer(", 0);
    let hover = c.at("textDocument/hover", &decree, l, ch + 2, json!({}));
    out.push_str(&format!(
        "== weeks_with_fewer\n{}\n",
        hover["contents"]["value"].as_str().unwrap()
    ));
    insta::assert_snapshot!(out);
}

#[test]
fn definition_references_and_rename_reach_into_the_extended_methodology() {
    let mut c = Client::start();
    let (y2019, y2018) = (ict("2019"), ict("2018"));
    c.open_file(&y2019);
    // `n_literacy` in 2019's replaced score is declared in 2018.
    let (l, ch) = find(&y2019, "n_literacy", 0);
    let def = c.at("textDocument/definition", &y2019, l, ch, json!({}));
    assert_eq!(def[0]["uri"], uri(&y2018));
    let refs = c.at(
        "textDocument/references",
        &y2019,
        l,
        ch,
        json!({ "context": { "includeDeclaration": true } }),
    );
    let files: std::collections::BTreeSet<String> = refs
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["uri"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(files.len(), 2, "references in both years: {refs}");
    let rename = c.at(
        "textDocument/rename",
        &y2019,
        l,
        ch,
        json!({ "newName": "n_adult_literacy" }),
    );
    let mut edits: Vec<(String, Value)> = rename["changes"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    edits.sort_by(|a, b| a.0.cmp(&b.0));
    // A taken name and a reserved word are refused.
    let taken = c.at(
        "textDocument/rename",
        &y2019,
        l,
        ch,
        json!({ "newName": "n_attendance" }),
    );
    let reserved = c.at(
        "textDocument/rename",
        &y2019,
        l,
        ch,
        json!({ "newName": "rule" }),
    );
    insta::assert_snapshot!(shown(&json!({
        "definition": def,
        "references": refs,
        "rename": edits,
        "rename to a taken name": taken,
        "rename to a reserved word": reserved,
    })));
}

#[test]
fn rename_applied_leaves_both_years_checking_clean() {
    let dir = tempdir("rename");
    for year in ["2018", "2019"] {
        std::fs::create_dir_all(dir.join(year)).unwrap();
        std::fs::copy(ict(year), dir.join(year).join("ict-index.chiso")).unwrap();
    }
    let mut c = Client::start();
    let y2019 = dir.join("2019/ict-index.chiso");
    c.open_file(&y2019);
    let (l, ch) = find(&y2019, "n_schools_it", 0);
    let rename = c.at(
        "textDocument/rename",
        &y2019,
        l,
        ch,
        json!({ "newName": "n_schools_teaching_it" }),
    );
    for (file, edits) in rename["changes"].as_object().unwrap() {
        let path = lsp_types::Url::parse(file).unwrap().to_file_path().unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, apply(&text, edits.as_array().unwrap())).unwrap();
    }
    let rules = chiso::RuleSet::load(dir.join("2019")).unwrap();
    assert!(
        rules
            .items()
            .iter()
            .any(|i| i.ident().name == "n_schools_teaching_it")
    );
    assert!(chiso::RuleSet::load(dir.join("2018")).is_ok());
}

#[test]
fn completion_offers_names_builtins_keywords_and_methods() {
    let mut c = Client::start();
    let y2019 = ict("2019");
    let text = std::fs::read_to_string(&y2019).unwrap();
    let typed = format!("{text}\nindicator n_new = normalise portal_compliance by \n");
    c.open(&y2019, &typed);
    let line = typed.lines().count() as u32 - 1;
    let methods = c.at("textDocument/completion", &y2019, line, 51, json!({}));
    let labels = |v: &Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|i| i["label"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        labels(&methods),
        [
            "max",
            "minmax",
            "zscore",
            "percentile",
            "rank",
            "goalposts",
            "distance",
            "hook"
        ]
    );
    // In a formula: the names of both years, built-ins and keywords.
    let names = c.at("textDocument/completion", &y2019, line, 18, json!({}));
    let names = labels(&names);
    for expected in [
        "portal_compliance",
        "n_literacy",
        "adult_literacy",
        "round",
        "working_days_between",
        "normalise",
        "if",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "no `{expected}` in {names:?}"
        );
    }
    // After `input x:` the types.
    let typed = format!("{text}\ninput y: \n");
    c.change(&y2019, 2, &typed);
    let types = c.at(
        "textDocument/completion",
        &y2019,
        typed.lines().count() as u32 - 1,
        9,
        json!({}),
    );
    assert_eq!(labels(&types)[..3], ["number", "integer", "decimal"]);
}

#[test]
fn formatting_is_the_chiso_fmt_printer() {
    let mut c = Client::start();
    let path = staffing();
    let text = std::fs::read_to_string(&path).unwrap();
    let messy = text
        .replace(
            "input staff_total: integer >= 1",
            "input   staff_total :  integer   >= 1",
        )
        .replace("  severity error\n  when", "      severity   error\n when");
    assert_ne!(messy, text);
    c.open(&path, &messy);
    let edits = c.request(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": uri(&path) }, "options": { "tabSize": 2, "insertSpaces": true } }),
    );
    let formatted = apply(&messy, edits.as_array().unwrap());
    assert_eq!(
        formatted, text,
        "the shipped file is formatted, so formatting restores it"
    );
    // A formatted document needs no edit.
    c.change(&path, 2, &text);
    let none = c.request(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": uri(&path) }, "options": { "tabSize": 2, "insertSpaces": true } }),
    );
    assert_eq!(none, json!([]));
}

#[test]
fn outline_and_test_lenses() {
    let mut c = Client::start();
    let path = staffing();
    c.open_file(&path);
    let symbols = c.request(
        "textDocument/documentSymbol",
        json!({ "textDocument": { "uri": uri(&path) } }),
    );
    let outline: Vec<String> = symbols
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            format!(
                "{} {} (line {})",
                s["detail"].as_str().unwrap(),
                s["name"].as_str().unwrap(),
                s["selectionRange"]["start"]["line"].as_u64().unwrap() + 1
            )
        })
        .collect();
    let lenses = c.request(
        "textDocument/codeLens",
        json!({ "textDocument": { "uri": uri(&path) } }),
    );
    let lens = &lenses[0]["command"];
    let run = c.request(
        "workspace/executeCommand",
        json!({ "command": lens["command"], "arguments": lens["arguments"] }),
    );
    assert_eq!(run["failed"], 0, "{run}");
    let all = c.request(
        "workspace/executeCommand",
        json!({ "command": "chiso.runTests", "arguments": [uri(&path)] }),
    );
    insta::assert_snapshot!(format!(
        "{}\n\nlenses: {}\nrun one: {}\nrun all: {}",
        outline.join("\n"),
        lenses.as_array().unwrap().len(),
        run["results"],
        all["results"]
    ));
}

#[test]
fn diagnostics_as_you_type_at_the_right_line() {
    let mut c = Client::start();
    let path = staffing();
    let text = std::fs::read_to_string(&path).unwrap();
    c.open(&path, &text);
    assert_eq!(c.diagnostics(&path), Vec::<Value>::new());
    let typo = text.replace(
        "require infosec_staff >= attt_minimum",
        "require infosec_staf >= attt_minimum",
    );
    c.change(&path, 2, &typo);
    let diags = c.diagnostics(&path);
    let (line, col) = find(&path, "infosec_staff >= attt_minimum", 0);
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(
        diags[0]["range"]["start"],
        json!({ "line": line, "character": col })
    );
    assert_eq!(
        diags[0]["range"]["end"],
        json!({ "line": line, "character": col + 12 })
    );
    assert!(
        diags[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("unknown name `infosec_staf`")
    );
    // Fixed: the diagnostic is cleared.
    c.change(&path, 3, &text);
    assert_eq!(c.diagnostics(&path), Vec::<Value>::new());
}

#[test]
fn diagnostics_span_the_files_of_a_rule_set() {
    let dir = tempdir("set");
    let inputs = dir.join("inputs.chiso");
    let rules = dir.join("rules.chiso");
    std::fs::write(
        &inputs,
        "methodology \"T\" version 1\ninput staff: integer >= 0\n",
    )
    .unwrap();
    std::fs::write(&rules, "rule has_staff\n  require staff >= 1\n").unwrap();
    let mut c = Client::start();
    c.open_file(&rules);
    assert_eq!(c.diagnostics(&rules), Vec::<Value>::new());
    // Renaming the input in the other file breaks this one.
    c.open_file(&inputs);
    c.change(
        &inputs,
        2,
        "methodology \"T\" version 1\ninput staff_count: integer >= 0\n",
    );
    let diags = c.diagnostics(&rules);
    assert_eq!(diags.len(), 1);
    assert_eq!(
        diags[0]["range"]["start"],
        json!({ "line": 1, "character": 10 })
    );
    assert!(
        diags[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("unknown name `staff`")
    );
    // …and the renamed input, now unused, is warned about in its own file.
    let warnings = c.diagnostics(&inputs);
    assert_eq!(warnings.len(), 1);
    assert_eq!(warnings[0]["severity"], 2);
    assert!(
        warnings[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("input `staff_count` is never used")
    );
}

#[test]
fn every_check_diagnostic_of_the_broken_corpus_is_published_at_the_same_place() {
    let broken = root().join("tests/broken");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&broken)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "chiso"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 66);
    let mut c = Client::start();
    let mut compared = 0;
    for file in &files {
        // What `chiso check` prints: `error: message` then `┌─ file:line:column`.
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_chiso"))
            .arg("check")
            .arg(file)
            .output()
            .unwrap();
        let stderr = String::from_utf8(out.stderr).unwrap();
        let mut expected = Vec::new();
        let mut pending: Option<(String, String)> = None;
        for line in stderr.lines() {
            for level in ["error", "warning"] {
                if let Some(m) = line.strip_prefix(&format!("{level}: ")) {
                    if let Some((l, m)) = pending.take() {
                        expected.push((l, m, None));
                    }
                    pending = Some((level.to_string(), m.to_string()));
                }
            }
            if let Some(at) = line.trim_start().strip_prefix("┌─ ")
                && let Some((level, message)) = pending.take()
            {
                let mut parts = at.rsplitn(3, ':');
                let col: u32 = parts.next().unwrap().parse().unwrap();
                let line: u32 = parts.next().unwrap().parse().unwrap();
                expected.push((level, message, Some((line - 1, col - 1))));
            }
        }
        if let Some((l, m)) = pending.take() {
            expected.push((l, m, None));
        }
        assert!(
            !expected.is_empty(),
            "{}: chiso check printed nothing",
            file.display()
        );
        c.open_file(file);
        let published = c.diagnostics(file);
        let got: Vec<Seen> = published
            .iter()
            .map(|d| {
                let level = if d["severity"] == 1 {
                    "error"
                } else {
                    "warning"
                };
                let message = d["message"]
                    .as_str()
                    .unwrap()
                    .lines()
                    .next()
                    .unwrap()
                    .to_string();
                let start = &d["range"]["start"];
                let at = (
                    start["line"].as_u64().unwrap() as u32,
                    start["character"].as_u64().unwrap() as u32,
                );
                (level.to_string(), message, Some(at))
            })
            .collect();
        // A diagnostic without a place is published at the file's start.
        let expected: Vec<_> = expected
            .into_iter()
            .map(|(l, m, at)| (l, m, Some(at.unwrap_or((0, 0)))))
            .collect();
        assert_eq!(got, expected, "{}", file.display());
        // And the whole range is the library's location, converted.
        let text = std::fs::read_to_string(file).unwrap();
        if let Err(chiso::LoadError::Invalid { diagnostics }) =
            chiso::RuleSet::from_text(&file.display().to_string(), &text)
        {
            let index = chiso::lsp::position::LineIndex::new(&text);
            for (d, p) in diagnostics.iter().zip(&published) {
                if let Some(loc) = &d.loc {
                    assert_eq!(
                        serde_json::to_value(index.range(loc.range.clone())).unwrap(),
                        p["range"],
                        "{}",
                        file.display()
                    );
                }
            }
        }
        compared += got.len();
    }
    assert!(compared >= 58, "only {compared} diagnostics compared");
}

/// A diagnostic as compared: level, first line of the message, start (line, column).
type Seen = (String, String, Option<(u32, u32)>);

/// Applies LSP text edits (non-overlapping) to `text`.
fn apply(text: &str, edits: &[Value]) -> String {
    let index = chiso::lsp::position::LineIndex::new(text);
    let mut spans: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|e| {
            let pos = |p: &Value| {
                index.offset(lsp_types::Position::new(
                    p["line"].as_u64().unwrap() as u32,
                    p["character"].as_u64().unwrap() as u32,
                ))
            };
            (
                pos(&e["range"]["start"]),
                pos(&e["range"]["end"]),
                e["newText"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    spans.sort_by_key(|s| std::cmp::Reverse(s.0));
    let mut out = text.to_string();
    for (start, end, new) in spans {
        out.replace_range(start..end, &new);
    }
    out
}

fn tempdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("chiso-lsp-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `chiso lsp` speaks the protocol on standard input and output (what an editor starts).
#[test]
fn the_binary_serves_on_stdio() {
    use std::io::{Read, Write};
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_chiso"))
        .arg("lsp")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let path = staffing();
    let messages = [
        json!({ "jsonrpc": "2.0", "id": 1, "method": "initialize", "params": { "capabilities": {} } }),
        json!({ "jsonrpc": "2.0", "method": "initialized", "params": {} }),
        json!({ "jsonrpc": "2.0", "method": "textDocument/didOpen", "params": { "textDocument": {
            "uri": uri(&path), "languageId": "chiso", "version": 1,
            "text": "methodology \"T\" version 1\nrule r require y > 0\n" } } }),
        json!({ "jsonrpc": "2.0", "id": 2, "method": "shutdown" }),
        json!({ "jsonrpc": "2.0", "method": "exit" }),
    ];
    let mut stdin = child.stdin.take().unwrap();
    for m in messages {
        let body = m.to_string();
        write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
    }
    drop(stdin);
    let mut out = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    assert!(child.wait().unwrap().success());
    assert!(out.contains("\"hoverProvider\":true"), "{out}");
    assert!(out.contains("unknown name `y`"), "{out}");
}
