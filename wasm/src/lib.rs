//! chiso compiled to WebAssembly: check, format and run rule files on texts passed in.
//!
//! A thin layer over the library, like the command line: the same parser, checker,
//! evaluator and report; only the files come from the caller instead of the disk. Every
//! function takes and returns JSON text, so the JavaScript side needs nothing but
//! `JSON.parse`:
//!
//! - [`check`]`(files, rules)` → `{"diagnostics": […], "summary": "…"}`
//! - [`format`]`(name, text)` → `{"text": "…"}` or `{"diagnostics": […]}`
//! - [`run`]`(files, rules, data_name, data)` → `{"diagnostics": […], "report": "…"}`
//!
//! `files` is a JSON object mapping paths to texts: the rule set's files, the rule sets it
//! `extends` and its hook scripts (`{"rules/ict-index/2018/ict-index.chiso": "…", …}`);
//! `rules` is the path of the rule file or folder to load, as `chiso check PATH` takes it.
//! A diagnostic is `{file, line, column, end_line, end_column, severity, message,
//! rendered}` with 1-based lines and columns in characters; `rendered` is the text `chiso
//! check` prints. `report` is the text `chiso run --format json` prints (exact decimals
//! kept), or `null` when the rule set or the data is unusable.
//!
//! Nothing here panics on bad input: every failure is a diagnostic.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::Arc;

use chiso::diagnostic::Level;
use chiso::{DataError, Dataset, Diagnostic, Files, LoadError, RuleSet};
use serde::Serialize;
use wasm_bindgen::prelude::wasm_bindgen;

/// One diagnostic, positioned for an editor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Message {
    /// The file it is about (a rule file or the data).
    pub file: String,
    /// 1-based line of the start, if it has a position.
    pub line: Option<usize>,
    /// 1-based column (in characters) of the start.
    pub column: Option<usize>,
    /// 1-based line of the end.
    pub end_line: Option<usize>,
    /// 1-based column (in characters) just after the end.
    pub end_column: Option<usize>,
    /// `error` or `warning`.
    pub severity: &'static str,
    /// The one-line message.
    pub message: String,
    /// The full text, rendered as `chiso check` prints it (source line, caret, help).
    pub rendered: String,
}

impl Message {
    /// A rule-file diagnostic.
    fn from_diagnostic(d: &Diagnostic) -> Self {
        let severity = match d.level {
            Level::Error => "error",
            Level::Warning => "warning",
        };
        let (file, start, end) = match &d.loc {
            Some(loc) => (
                loc.source.name.clone(),
                Some(loc.source.line_col(loc.range.start)),
                Some(loc.source.line_col(loc.range.end)),
            ),
            None => (String::new(), None, None),
        };
        Self {
            file,
            line: start.map(|p| p.0),
            column: start.map(|p| p.1),
            end_line: end.map(|p| p.0),
            end_column: end.map(|p| p.1),
            severity,
            message: d.message.clone(),
            rendered: d.render(),
        }
    }

    /// A data-file error: positioned where the reader says (JSON line and column, CSV line).
    fn from_data_error(file: &str, e: &DataError) -> Self {
        let (line, column) = match e {
            DataError::Json { line, column, .. } => (Some(*line), Some(*column)),
            DataError::Csv { line, .. } => (usize::try_from(*line).ok(), None),
            DataError::Encoding { line, .. } => (Some(*line), None),
            _ => (None, None),
        };
        let text = e.to_string();
        Self {
            file: file.to_string(),
            line,
            column,
            end_line: line,
            end_column: column.map(|c| c + 1),
            severity: "error",
            message: text.clone(),
            rendered: format!("error: {text}\n"),
        }
    }

    /// An error about something other than a position (an unreadable path, bad arguments).
    fn general(file: &str, message: String) -> Self {
        Self {
            file: file.to_string(),
            line: None,
            column: None,
            end_line: None,
            end_column: None,
            severity: "error",
            rendered: format!("error: {message}\n"),
            message,
        }
    }
}

/// The messages of a failed load.
fn load_messages(rules: &str, e: &LoadError) -> Vec<Message> {
    match e {
        LoadError::Invalid { diagnostics } => {
            diagnostics.iter().map(Message::from_diagnostic).collect()
        }
        other => vec![Message::general(rules, other.to_string())],
    }
}

/// The last rule set compiled, by the texts it was compiled from: re-running after an edit
/// of the data does not compile the rules again.
type Compiled = (String, String, Result<Arc<RuleSet>, Vec<Message>>);

thread_local! {
    static LAST: RefCell<Option<Compiled>> = const { RefCell::new(None) };
}

/// Compiles the rule set at `rules` from `files` (a JSON object of path → text), or the
/// diagnostics that say why not. The last result is kept.
fn compile(files: &str, rules: &str) -> Result<Arc<RuleSet>, Vec<Message>> {
    let cached = LAST.with(|last| {
        last.borrow()
            .as_ref()
            .filter(|(f, r, _)| f == files && r == rules)
            .map(|(_, _, result)| result.clone())
    });
    if let Some(result) = cached {
        return result;
    }
    let result = compile_uncached(files, rules);
    LAST.with(|last| {
        *last.borrow_mut() = Some((files.to_string(), rules.to_string(), result.clone()));
    });
    result
}

fn compile_uncached(files: &str, rules: &str) -> Result<Arc<RuleSet>, Vec<Message>> {
    let texts: BTreeMap<String, String> = serde_json::from_str(files).map_err(|e| {
        vec![Message::general(
            rules,
            format!("the files must be a JSON object of path → text: {e}"),
        )]
    })?;
    RuleSet::builder()
        .files(Files::memory(texts))
        .load(rules)
        .map(Arc::new)
        .map_err(|e| load_messages(rules, &e))
}

/// JSON text of a value that serialises (the types here always do).
fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_string())
}

/// Checks a rule set as `chiso check` does: `{"diagnostics": […], "summary": "…"}`, with
/// the warnings of a usable rule set, or the errors of an unusable one; `summary` is the
/// line `chiso check` prints for a usable rule set (`null` otherwise).
#[wasm_bindgen]
pub fn check(files: &str, rules: &str) -> String {
    match compile(files, rules) {
        Ok(set) => {
            let diagnostics: Vec<Message> = set
                .warnings()
                .iter()
                .map(Message::from_diagnostic)
                .collect();
            let p = set.program();
            let summary = format!(
                "{} — {} version {} ({} inputs, {} indicators and scores, {} rules)",
                rules,
                set.methodology().name,
                set.methodology().version,
                p.inputs.len(),
                p.formulas.len(),
                p.rules.len()
            );
            format!(
                "{{\"diagnostics\":{},\"summary\":{}}}",
                to_json(&diagnostics),
                to_json(&summary)
            )
        }
        Err(diagnostics) => format!(
            "{{\"diagnostics\":{},\"summary\":null}}",
            to_json(&diagnostics)
        ),
    }
}

/// Formats one rule file as `chiso fmt` does: `{"text": "…"}`, or `{"diagnostics": […]}`
/// when it does not parse.
#[wasm_bindgen]
pub fn format(name: &str, text: &str) -> String {
    let source = chiso::source::Source::new(name, text);
    match chiso::format::format_source(&source) {
        Ok(formatted) => format!("{{\"text\":{}}}", to_json(&formatted)),
        Err(diagnostics) => {
            let messages: Vec<Message> = diagnostics.iter().map(Message::from_diagnostic).collect();
            format!("{{\"diagnostics\":{}}}", to_json(&messages))
        }
    }
}

/// Evaluates the rule set at `rules` (from `files`) on one data file's text, JSON or CSV
/// by the extension of `data_name`: `{"diagnostics": […], "report": "…"}`, where `report`
/// is the text of `chiso run --format json` (a JSON string, so that exact decimals keep
/// their digits), or `null` with the diagnostics that say why not.
#[wasm_bindgen]
pub fn run(files: &str, rules: &str, data_name: &str, data: &str) -> String {
    let (diagnostics, report) = evaluate(files, rules, data_name, data);
    format!(
        "{{\"diagnostics\":{},\"report\":{}}}",
        to_json(&diagnostics),
        to_json(&report)
    )
}

/// The diagnostics and, if the rule set and the data are usable, the report's JSON text.
fn evaluate(
    files: &str,
    rules: &str,
    data_name: &str,
    data: &str,
) -> (Vec<Message>, Option<String>) {
    let set = match compile(files, rules) {
        Ok(set) => set,
        Err(diagnostics) => return (diagnostics, None),
    };
    let mut diagnostics: Vec<Message> = set
        .warnings()
        .iter()
        .map(Message::from_diagnostic)
        .collect();
    let csv = [".csv", ".tsv", ".txt"]
        .iter()
        .any(|e| data_name.to_ascii_lowercase().ends_with(e));
    // As `chiso run` reads a data file: CSV in any common delimiter, JSON; no units is an error.
    let dataset = if csv {
        Dataset::from_csv_bytes(data_name, data.as_bytes(), &set.load_options())
    } else {
        Dataset::from_json_str(data_name, data, set.unit_key())
    };
    let dataset = match dataset {
        Ok(d) if d.records.is_empty() => Err(Message::from_data_error(
            data_name,
            &DataError::NoUnits {
                file: data_name.to_string(),
                detail: "the file holds no records (a unit is a record naming it)".into(),
            },
        )),
        Ok(d) => Ok(d),
        Err(e) => Err(Message::from_data_error(data_name, &e)),
    };
    match dataset {
        Ok(dataset) => (diagnostics, Some(set.evaluate(&dataset).to_json())),
        Err(message) => {
            diagnostics.push(message);
            (diagnostics, None)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STAFFING: &str = "methodology \"S\" version 1\ninput a: integer >= 0\ninput b: integer >= 0\nrule attt when a >= 2 require b >= 1";

    fn files(pairs: &[(&str, &str)]) -> String {
        to_json(&pairs.iter().cloned().collect::<BTreeMap<_, _>>())
    }

    #[test]
    fn runs_a_rule_set_on_json_and_csv() {
        let f = files(&[("s.chiso", STAFFING)]);
        let out: serde_json::Value = serde_json::from_str(&run(
            &f,
            "s.chiso",
            "d.json",
            r#"[{"unit": "X", "a": 3, "b": 0}]"#,
        ))
        .unwrap();
        let report: serde_json::Value =
            serde_json::from_str(out["report"].as_str().unwrap()).unwrap();
        assert_eq!(report["findings"][0]["status"], "fail");
        let out: serde_json::Value =
            serde_json::from_str(&run(&f, "s.chiso", "d.csv", "unit,a,b\nX,3,1\n")).unwrap();
        let report: serde_json::Value =
            serde_json::from_str(out["report"].as_str().unwrap()).unwrap();
        assert_eq!(report["findings"][0]["status"], "pass");
    }

    #[test]
    fn a_typo_is_a_diagnostic_at_its_line() {
        let typo = STAFFING.replace("require b", "require bb");
        let out: serde_json::Value =
            serde_json::from_str(&check(&files(&[("s.chiso", &typo)]), "s.chiso")).unwrap();
        let d = &out["diagnostics"][0];
        assert_eq!(d["line"], 4);
        assert_eq!(d["severity"], "error");
        assert_eq!(d["message"], "unknown name `bb`");
        assert!(d["rendered"].as_str().unwrap().contains("┌─ s.chiso:4:"));
    }

    #[test]
    fn a_folder_extends_another_in_memory() {
        let f = files(&[
            ("r/2018/a.chiso", STAFFING),
            (
                "r/2019/b.chiso",
                "methodology \"S\" version 2\n  extends \"../2018\"\nremove rule attt\ninput c: number",
            ),
        ]);
        let out: serde_json::Value = serde_json::from_str(&check(&f, "r/2019")).unwrap();
        // Warnings only: `c` is never used, nor are the base's inputs once its rule is removed.
        let warnings = out["diagnostics"].as_array().unwrap();
        assert!(warnings.iter().all(|d| d["severity"] == "warning"));
        // Paths in memory are named without `..`: the extended file is where it is kept.
        assert_eq!(warnings[0]["file"], "r/2018/a.chiso");
        assert!(out["summary"].as_str().unwrap().contains("0 rules"));
    }

    #[test]
    fn garbage_never_panics() {
        for (files_text, rules, data) in [
            ("not json", "x", "[]"),
            ("{}", "", ""),
            (
                &files(&[("s.chiso", "\u{0}\u{1}methodology ((((")]),
                "s.chiso",
                "{",
            ),
            (&files(&[("s.chiso", STAFFING)]), "s.chiso", "{]"),
            (&files(&[("s.chiso", STAFFING)]), "s.chiso", "[1, 2, \"x\"]"),
            (&files(&[("s.chiso", STAFFING)]), "s.chiso", "[]"),
        ] {
            let out: serde_json::Value =
                serde_json::from_str(&run(files_text, rules, "d.json", data)).unwrap();
            assert!(out["report"].is_null(), "{out}");
            assert!(!out["diagnostics"].as_array().unwrap().is_empty(), "{out}");
        }
        let out: serde_json::Value = serde_json::from_str(&format("x.chiso", "((")).unwrap();
        assert!(out["diagnostics"].is_array());
    }
}
