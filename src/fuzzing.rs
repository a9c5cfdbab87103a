//! The bodies of the fuzz targets, shared by `fuzz/` (cargo-fuzz on nightly) and by their
//! replay on stable (`tests/fuzz_replay.rs`): one body per target, so a saved input runs
//! exactly what the fuzzer ran. A body accepts any bytes; it fails (an assertion, which
//! the fuzzer reports) only when a promise of chiso does not hold — a bad rule file or
//! data file as such is never a failure, only a crash, a hang, a wrong answer or a
//! property broken on the way.
//!
//! | target | body | promise |
//! |---|---|---|
//! | `rule_text` | [`rule_text`] | any text parses, checks and compiles or is refused with diagnostics; what compiles evaluates, reports and runs its tests |
//! | `data` | [`data`] | any JSON, JSON Lines or CSV against every shipped rule set loads or is refused naming the file; evaluation with `--explain`, `--previous`, `--sensitivity` reports; counts add up |
//! | `format` | [`format`] | `fmt(parse(x))` parses, compiles to the same program, and is a fixed point |
//! | `hook` | [`hook`] | any rhai text as a hook under the default limits compiles or is refused; each call returns or errs within its limits |
//! | `differential` | [`differential`] | the typed evaluator decides what the reference evaluator decides, row and column agree |
//!
//! Not part of the stable API (hidden from the documentation).

// A broken promise is the fuzzer's finding: these bodies are the one place in the library
// meant to panic, and only on a bug in chiso, never on bad input.
#![allow(clippy::panic)]

use std::path::Path;

use crate::access::FileAccess;
use crate::data::LoadOptions;
use crate::report::compare::PreviousYear;
use crate::source::Source;
use crate::{Dataset, RuleSet, RunOptions, Status};

/// A rule set compiled from fuzzed text: no file may be read (`extends`, `hooks`).
fn compile(name: &str, text: &str) -> Result<RuleSet, crate::LoadError> {
    RuleSet::builder()
        .file_access(FileAccess::Nothing)
        .from_text(name, text)
}

/// Three units for any rule set: plain values, edge values, nothing at all.
fn sample_data(rules: &RuleSet) -> Dataset {
    use crate::parse::ast::InputType;
    let key = rules.unit_key().to_string();
    let records = (0..3).map(|u| {
        let mut record = serde_json::Map::new();
        record.insert(key.clone(), serde_json::json!(format!("unit {u}")));
        if u < 2 {
            for input in &rules.program().inputs {
                let value = match (input.list.is_some(), input.ty, u) {
                    (true, _, _) => serde_json::json!([]),
                    (_, InputType::Boolean, u) => serde_json::json!(u == 0),
                    (_, InputType::Text, 0) => serde_json::json!("a"),
                    (_, InputType::Text, _) => serde_json::json!(""),
                    (_, InputType::Date, 0) => serde_json::json!("2020-01-06"),
                    (_, InputType::Date, _) => serde_json::json!("2024-02-29"),
                    (_, _, 0) => serde_json::json!("1.50"),
                    (_, _, _) => serde_json::json!(0),
                };
                record.insert(input.field.clone(), value);
            }
        }
        serde_json::Value::Object(record)
    });
    Dataset::from_values("sample", records, &key).unwrap_or_default()
}

/// The counts of a report's summary add up to its findings.
fn check_report(report: &crate::Report) {
    let s = &report.summary;
    assert_eq!(
        s.passed + s.failed + s.errors + s.skipped,
        report.findings.len(),
        "summary counts do not add up to the findings"
    );
    let json = report.to_json();
    assert!(
        serde_json::from_str::<serde_json::Value>(&json).is_ok(),
        "the JSON report is not JSON"
    );
    assert!(!report.to_text().is_empty());
}

/// Target `rule_text`: parse + check + compile of arbitrary rule text; what compiles is
/// evaluated over three units, reported, and its tests run.
pub fn rule_text(bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    match compile("fuzz.chiso", &text) {
        Ok(rules) => {
            let report = rules.evaluate(&sample_data(&rules));
            check_report(&report);
            for result in crate::testing::run(&rules) {
                assert!(!result.to_string().is_empty());
            }
        }
        Err(e) => assert!(!e.to_string().is_empty(), "an error without a message"),
    }
}

/// The shipped rule sets, for the `data` target: every rule set under `rules/`.
pub fn shipped_rule_sets(root: &Path) -> Vec<RuleSet> {
    crate::ruleset::find_rule_sets(&root.join("rules"))
        .unwrap_or_default()
        .iter()
        .filter_map(|set| RuleSet::load(set).ok())
        .collect()
}

/// Every shipped rule set with its sample data from `examples/` (the tests' corpus of
/// real rule sets; shared by the unit and integration tests).
pub fn shipped_samples(root: &Path) -> Vec<(RuleSet, Dataset)> {
    [
        (
            "rules/it-staffing",
            "examples/it-staffing/quang-ninh-2020.json",
        ),
        (
            "rules/ict-index/2019",
            "examples/ict-index/provinces-2019.json",
        ),
        (
            "rules/online-services/2019",
            "examples/online-services/provinces-2019.json",
        ),
        (
            "rules/decree-43-2011",
            "examples/decree-43-2011/portals-2020.json",
        ),
        (
            "rules/quang-binh-2025-plan",
            "examples/quang-binh-2025-plan/quang-binh.json",
        ),
        (
            "rules/quang-ninh-2020-plan",
            "examples/quang-ninh-2020-plan/quang-ninh.json",
        ),
    ]
    .into_iter()
    .map(|(rules, data)| {
        let rules = RuleSet::load(root.join(rules))
            .unwrap_or_else(|e| panic!("the shipped rule set {rules} loads: {e}"));
        let data = rules
            .load_data(&[root.join(data)])
            .unwrap_or_else(|e| panic!("the sample {data} loads: {e}"));
        (rules, data)
    })
    .collect()
}

/// Target `data`: the first byte picks a shipped rule set, the second the format (bits 0–1:
/// JSON, JSON Lines streamed, CSV, CSV with a decimal comma and `;`; bit 7: a spreadsheet)
/// and the extras (bit 2 `--explain` of the first unit, bit 3 `--previous` from the same
/// data, bit 4 `--sensitivity 3`, bit 5 a lean report of failing findings (with the typed
/// core and without, which must agree), bit 6 values in
/// the stream); the rest is the file.
pub fn data(shipped: &[RuleSet], bytes: &[u8]) {
    let [pick, flags, rest @ ..] = bytes else {
        return;
    };
    let Some(rules) = shipped.get(usize::from(*pick) % shipped.len().max(1)) else {
        return;
    };
    let key = rules.unit_key();
    // Bit 7: the bytes are a spreadsheet (XLSX, XLS, ODS).
    #[cfg(feature = "excel")]
    let sheet = flags & 128 != 0;
    #[cfg(not(feature = "excel"))]
    let sheet = false;
    let loaded = match flags & 3 {
        #[cfg(feature = "excel")]
        _ if sheet => Dataset::from_sheet_bytes("fuzz.xlsx", rest, &rules.load_options()),
        _ if sheet => return,
        0 => crate::data::decode::decode("fuzz.json", rest, None)
            .and_then(|text| Dataset::from_json_str("fuzz.json", &text, key)),
        1 => {
            stream(rules, rest, *flags);
            return;
        }
        2 => Dataset::from_csv_bytes("fuzz.csv", rest, &rules.load_options()),
        _ => {
            let mut options = LoadOptions::new(key);
            options.delimiter = Some(b';');
            options.numbers = crate::data::numbers::NumberFormat {
                decimal: ',',
                thousands: Some('.'),
            };
            Dataset::from_csv_bytes("fuzz.csv", rest, &options)
        }
    };
    let dataset = match loaded {
        Ok(d) => d,
        Err(e) => {
            assert!(
                e.to_string().starts_with("fuzz.") || e.to_string().contains("fuzz."),
                "a data error that does not name its file: {e}"
            );
            return;
        }
    };
    let previous = (flags & 8 != 0).then(|| PreviousYear::from_report(&rules.evaluate(&dataset)));
    let explain = dataset.records.first().map(|r| r.unit.clone());
    let options = RunOptions {
        explain: if flags & 4 != 0 {
            explain.as_deref()
        } else {
            None
        },
        previous: previous.as_ref(),
        sensitivity: (flags & 16 != 0).then_some((3, u64::from(*pick))),
        explain_all: *pick & 1 != 0,
        progress: None,
    };
    if let Ok(report) = rules.evaluate_with(&dataset, &options) {
        check_report(&report);
    }
    if flags & 64 != 0 {
        streamed_reports(rules, &dataset, *flags);
    }
    #[cfg(feature = "arrow")]
    if flags & 32 != 0 {
        arrow_lean(rules, &dataset, *pick);
    }
    if flags & 32 != 0 {
        let lean = crate::stream::StreamOptions {
            findings: crate::stream::FindingFilter::Failing,
            values: crate::stream::ValueFilter::None,
        };
        let report = rules.evaluate_lean(&dataset, &lean);
        assert!(report.findings.iter().all(|f| f.status != Status::Pass));
        // The typed core (records read straight into columns, failing findings kept by
        // reference and spelled out later) changes nothing the reference would say.
        let reference = rules.evaluate_lean_by(&dataset, &lean, false);
        assert_eq!(report, reference, "the typed core changed a lean report");
    }
}

/// The dataset as Arrow record batches (a column of 64-bit integers where every value of
/// a field is a plain integer, else of text; split in two batches when `pick` says so):
/// the failing findings decided straight from the batches (integer columns into the typed
/// core) are those decided after loading the batches as a dataset, errors included.
#[cfg(feature = "arrow")]
fn arrow_lean(rules: &RuleSet, dataset: &Dataset, pick: u8) {
    use crate::data::RawValue;
    use arrow_array::{ArrayRef, Int64Array, RecordBatch, StringArray};
    use std::sync::Arc;
    let key = rules.unit_key();
    let mut fields: Vec<&str> = vec![key];
    for record in &dataset.records {
        for name in record.fields.keys() {
            if !fields.contains(&name.as_str()) {
                fields.push(name);
            }
        }
    }
    let batch_of = |records: &[crate::data::Record]| -> Option<RecordBatch> {
        let columns = fields.iter().map(|&field| {
            let cell = |r: &crate::data::Record| {
                if field == key {
                    Some(RawValue::Text(r.unit.clone()))
                } else {
                    r.fields.get(field).cloned()
                }
            };
            let integers: Option<Vec<Option<i64>>> = records
                .iter()
                .map(|r| match cell(r) {
                    None | Some(RawValue::Null) => Some(None),
                    Some(RawValue::Number(n)) => n.parse::<i64>().ok().map(Some),
                    Some(_) => None,
                })
                .collect();
            let column: ArrayRef = match integers {
                Some(values) if field != key => Arc::new(Int64Array::from(values)),
                _ => Arc::new(StringArray::from(
                    records
                        .iter()
                        .map(|r| match cell(r) {
                            None | Some(RawValue::Null) => None,
                            Some(RawValue::Text(t) | RawValue::Number(t)) => Some(t),
                            Some(other) => Some(other.to_string()),
                        })
                        .collect::<Vec<_>>(),
                )),
            };
            (field, column)
        });
        RecordBatch::try_from_iter(columns).ok()
    };
    let split = if pick & 2 != 0 {
        dataset.records.len() / 2
    } else {
        dataset.records.len()
    };
    let (first, second) = dataset.records.split_at(split);
    let mut batches = Vec::new();
    for part in [first, second] {
        if part.is_empty() {
            continue;
        }
        let Some(batch) = batch_of(part) else { return };
        batches.push(batch);
    }
    let options = crate::arrow::ArrowOptions::new(key);
    let direct = rules.decide_failing_batches(&batches, &options);
    let loaded = Dataset::from_arrow(&batches, &options).map(|d| rules.decide_failing(&d));
    match (direct, loaded) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "decided from batches otherwise than loaded"),
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
        (a, b) => panic!("batches: {a:?}; loaded: {b:?}"),
    }
}

/// The text and CSV reports written from a stream of the dataset's records (gathered when
/// the rule set compares units) are the bytes of the whole report (options from `flags`).
fn streamed_reports(rules: &RuleSet, dataset: &Dataset, flags: u8) {
    use crate::stream::{FindingFilter, Layout, StreamOptions, ValueFilter};
    let options = StreamOptions {
        findings: if flags & 32 != 0 {
            FindingFilter::Failing
        } else {
            FindingFilter::All
        },
        values: match (flags >> 2) & 3 {
            0 => ValueFilter::None,
            1 => ValueFilter::All,
            _ => ValueFilter::Declared,
        },
    };
    let report = rules.evaluate_lean(dataset, &options);
    for layout in [Layout::Text, Layout::CsvFindings, Layout::CsvValues] {
        let whole = match layout {
            Layout::Text => report.to_text(),
            Layout::CsvFindings => crate::report::csv::findings(&report).unwrap_or_default(),
            Layout::CsvValues => crate::report::csv::values(&report).unwrap_or_default(),
        };
        let mut out = Vec::new();
        let records = dataset.records.clone().into_iter().map(Ok);
        match rules.write_report(records, options, layout, &mut out) {
            Ok(written) => {
                assert_eq!(
                    String::from_utf8_lossy(&out),
                    whole,
                    "a streamed {layout:?} report differs from the whole one"
                );
                assert_eq!(written.has_errors, report.has_errors(), "{layout:?}");
            }
            Err(crate::stream::StreamError::TooLarge(_)) => {}
            Err(e) => panic!("the stream refused records a dataset holds: {e}"),
        }
    }
}

/// JSON Lines through the streaming reader and writer (gathered first when the rule set
/// compares units): every line written is JSON, and when every record reads, the summary
/// line is the summary of the same records evaluated as a `Dataset`.
fn stream(rules: &RuleSet, bytes: &[u8], flags: u8) {
    let records = crate::stream::Records::from_json_lines(
        "fuzz.jsonl",
        std::io::Cursor::new(bytes.to_vec()),
        rules.unit_key(),
    );
    let options = crate::stream::StreamOptions {
        findings: if flags & 32 != 0 {
            crate::stream::FindingFilter::Failing
        } else {
            crate::stream::FindingFilter::All
        },
        values: if flags & 64 != 0 {
            crate::stream::ValueFilter::All
        } else {
            crate::stream::ValueFilter::Declared
        },
    };
    let mut out = Vec::new();
    let written = rules.write_jsonl(records, options, &mut out);
    for line in String::from_utf8_lossy(&out).lines() {
        assert!(
            serde_json::from_str::<serde_json::Value>(line).is_ok(),
            "a JSON Lines line that is not JSON: {line}"
        );
    }
    let Ok(summary) = written else { return };
    let again = crate::stream::Records::from_json_lines(
        "fuzz.jsonl",
        std::io::Cursor::new(bytes.to_vec()),
        rules.unit_key(),
    );
    let records: Result<Vec<_>, _> = again.collect();
    let dataset = records.and_then(Dataset::from_records);
    let Ok(dataset) = dataset else {
        panic!("the stream read records a dataset refuses: {dataset:?}");
    };
    assert_eq!(
        summary,
        rules.evaluate(&dataset).summary,
        "the stream decided otherwise than the whole dataset"
    );
}

/// What two rule sets compile to, without positions (a location's debug form is its text
/// without whitespace or parentheses).
fn canonical(rules: &RuleSet) -> String {
    format!(
        "{:?}\n{:?}\n{:?}",
        rules.methodology(),
        rules.program(),
        rules.tests()
    )
}

/// The messages of a load error, sorted (positions left out).
fn messages(e: &crate::LoadError) -> Vec<String> {
    let mut out = match e {
        crate::LoadError::Invalid { diagnostics } => {
            diagnostics.iter().map(|d| d.message.clone()).collect()
        }
        other => vec![other.to_string()],
    };
    out.sort();
    out
}

/// Target `format`: `fmt(parse(x))` parses, compiles to the same program (or fails with
/// the same messages), and formatting it again changes nothing.
pub fn format(bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    let Ok(formatted) = crate::format::format_source(&Source::new("fuzz.chiso", &*text)) else {
        return;
    };
    let again = crate::format::format_source(&Source::new("fuzz.chiso", formatted.as_str()));
    let again = match again {
        Ok(a) => a,
        Err(d) => {
            let first = d.first().map(|d| d.render()).unwrap_or_default();
            panic!("formatted text does not parse:\n{formatted}\n{first}");
        }
    };
    assert_eq!(again, formatted, "fmt is not a fixed point");
    match (
        compile("fuzz.chiso", &text),
        compile("fuzz.chiso", &formatted),
    ) {
        (Ok(a), Ok(b)) => assert_eq!(
            canonical(&a),
            canonical(&b),
            "fmt changed the program:\n{formatted}"
        ),
        (Err(a), Err(b)) => assert_eq!(
            messages(&a),
            messages(&b),
            "fmt changed the diagnostics:\n{formatted}"
        ),
        (a, b) => panic!(
            "fmt changed whether the rule set compiles ({} before, {} after):\n{formatted}",
            a.map_or_else(|e| e.to_string(), |_| "compiles".into()),
            b.map_or_else(|e| e.to_string(), |_| "compiles".into())
        ),
    }
}

/// Target `hook`: arbitrary rhai text as a hook script under the default limits; each of
/// its functions (up to four arguments) is called with numbers, text and lists.
#[cfg(feature = "rhai")]
pub fn hook(bytes: &[u8]) {
    use crate::hooks::script::Scripts;
    use crate::source::Loc;
    use crate::value::Value;
    use rust_decimal::Decimal;
    use std::sync::Arc;
    let text = String::from_utf8_lossy(bytes);
    let rule_file = Source::new("fuzz.chiso", "hooks \"fuzz.rhai\"");
    let at = Loc {
        source: rule_file,
        range: 6..17,
    };
    let script = Source::new("fuzz.rhai", &*text);
    let scripts = match Scripts::compile_sources(&[(script, at.clone())], crate::Limits::default())
    {
        Ok(s) => s,
        Err(d) => {
            assert!(!d.is_empty() && !d[0].render().is_empty());
            return;
        }
    };
    let arguments = [
        Value::Number(Decimal::new(15, 1)),
        Value::Text(Arc::from("Sở Y tế")),
        Value::List(Arc::from(vec![
            Value::Number(Decimal::ONE),
            Value::Number(Decimal::NEGATIVE_ONE),
        ])),
        Value::Bool(true),
    ];
    // At most three functions a run, so one input cannot hold the fuzzer for long.
    for name in scripts.names().into_iter().take(3) {
        let Some(index) = scripts.function(&name) else {
            continue;
        };
        let arity = scripts.arity(index);
        if arity > 4 {
            continue;
        }
        for shift in 0..2 {
            let args: Vec<Value> = (0..arity)
                .map(|k| arguments[(k + shift) % arguments.len()].clone())
                .collect();
            if let Err(fault) = scripts.call(index, &args, &at) {
                assert!(!fault.to_string().is_empty());
            }
        }
    }
}

/// Target `hook` without the `rhai` feature: nothing to run.
#[cfg(not(feature = "rhai"))]
pub fn hook(_bytes: &[u8]) {}

/// Choices read from the fuzzer's bytes (0 once they run out).
struct Choices<'a> {
    bytes: &'a [u8],
}

impl Choices<'_> {
    fn next(&mut self, m: usize) -> usize {
        let Some((first, rest)) = self.bytes.split_first() else {
            return 0;
        };
        self.bytes = rest;
        usize::from(*first) % m.max(1)
    }

    fn pick<'b>(&mut self, xs: &[&'b str]) -> &'b str {
        xs.get(self.next(xs.len())).copied().unwrap_or("0")
    }
}

const INPUTS: [&str; 5] = ["a", "b", "c", "d", "p"];

fn number(g: &mut Choices<'_>, depth: usize) -> String {
    if depth == 0 || g.next(3) == 0 {
        return match g.next(8) {
            0 => g
                .pick(&["2", "0.4", "40%", "100", "1.5", "0", "3", "-1", "0.001"])
                .to_string(),
            1 => "ind".to_string(),
            2 => "k".to_string(),
            _ => g.pick(&INPUTS).to_string(),
        };
    }
    match g.next(8) {
        0 => format!("-({})", number(g, depth - 1)),
        1 => format!(
            "{}({}, {})",
            g.pick(&["min", "max"]),
            number(g, depth - 1),
            number(g, depth - 1)
        ),
        2 => format!("abs({})", number(g, depth - 1)),
        3 => format!(
            "(if {} then {} else {})",
            condition(g, 0),
            number(g, depth - 1),
            number(g, depth - 1)
        ),
        _ => {
            let op = g.pick(&["+", "-", "*", "/", "/"]);
            format!("({} {op} {})", number(g, depth - 1), number(g, depth - 1))
        }
    }
}

fn condition(g: &mut Choices<'_>, depth: usize) -> String {
    if depth == 0 || g.next(2) == 0 {
        let op = g.pick(&[">=", ">", "<=", "<", "=", "!="]);
        return format!("{} {op} {}", number(g, 2), number(g, 1));
    }
    match g.next(3) {
        0 => format!(
            "({} and {})",
            condition(g, depth - 1),
            condition(g, depth - 1)
        ),
        1 => format!(
            "({} or {})",
            condition(g, depth - 1),
            condition(g, depth - 1)
        ),
        _ => format!("not ({})", condition(g, depth - 1)),
    }
}

/// A rule set of generated formulas over five inputs.
fn generated_rule_set(g: &mut Choices<'_>) -> String {
    let mut text = String::from(
        "methodology \"G\" version 1\ninput a: integer\ninput b: integer\ninput c: integer\ninput d: decimal\ninput p: percent\n",
    );
    text.push_str(&format!(
        "constant k = {}\n",
        g.pick(&["2", "0.5", "-3", "12.25", "0"])
    ));
    text.push_str(&format!(
        "indicator ind = {}\n",
        number(g, 2).replace("ind", "a")
    ));
    for i in 0..1 + g.next(6) {
        text.push_str(&format!("rule r{i}\n"));
        if g.next(3) == 0 {
            text.push_str(&format!("  when {}\n", condition(g, 1)));
        }
        text.push_str(&format!("  require {}\n", condition(g, 2)));
    }
    text
}

fn generated_value(g: &mut Choices<'_>, decimal: bool) -> serde_json::Value {
    match g.next(24) {
        0 => serde_json::Value::Null,
        1 => serde_json::json!(0),
        2 => serde_json::json!("9223372036854775807"),
        3 => serde_json::json!("not a number"),
        4 => serde_json::json!("-0"),
        5 => serde_json::json!("79228162514264337593543950335"),
        6 => serde_json::json!("0.0000000000000000000000000001"),
        _ if decimal => serde_json::json!(format!("{}.{:02}", g.next(50), g.next(100))),
        _ => serde_json::json!(g.next(12) as i64 - 2),
    }
}

/// Target `differential`: the typed evaluator (`src/fast/`) against the reference
/// evaluator on generated formulas and data. Every finding the typed core decides, row or
/// column, equals the reference's; after completion every finding does; every value it
/// computes is within its error bound of the reference's, which is not an error.
pub fn differential(bytes: &[u8]) {
    use crate::fast::{Columns, FastProgram};
    let mut g = Choices { bytes };
    let text = generated_rule_set(&mut g);
    let Ok(rules) = RuleSet::from_text("generated.chiso", &text) else {
        return;
    };
    let units = 1 + g.next(8);
    let records: Vec<serde_json::Value> = (0..units)
        .map(|u| {
            let mut record = serde_json::Map::new();
            record.insert("unit".into(), serde_json::json!(format!("u{u}")));
            for name in INPUTS {
                record.insert(
                    name.into(),
                    generated_value(&mut g, matches!(name, "d" | "p")),
                );
            }
            if g.next(4) == 0 {
                let a = record.get("a").cloned().unwrap_or_default();
                record.insert("b".into(), a);
            }
            serde_json::Value::Object(record)
        })
        .collect();
    let Ok(dataset) = Dataset::from_values("generated", records, "unit") else {
        return;
    };
    let program = rules.program();
    let fast = FastProgram::compile(program);
    let bound = rules.bind(&dataset);
    let reference = rules.evaluate_bound(&bound);
    let cols = Columns::from_bound(program, &bound);
    let mut typed = fast.evaluate_columns(&cols);
    let mut row = fast.row_buffer();
    let slots: Vec<usize> = fast.value_slots().collect();
    for u in 0..cols.len() {
        let Some(expected) = reference.unit(u) else {
            continue;
        };
        fast.evaluate_row(&cols, u, &mut row);
        for (r, d) in expected.decisions.iter().enumerate() {
            let by_row = row.statuses.get(r).copied().flatten();
            assert_eq!(
                by_row,
                typed.status(u, r),
                "row and column disagree\n{text}"
            );
            if let Some(s) = by_row {
                assert_eq!(s, d.status, "unit {u}, rule r{r}\n{text}");
            }
        }
        for (k, slot) in slots.iter().enumerate() {
            let Some(Some(value)) = row.values.get(k) else {
                continue;
            };
            let Some(computed) = slot
                .checked_sub(program.input_count())
                .and_then(|i| expected.computed.get(i))
            else {
                continue;
            };
            match computed {
                Ok(crate::Value::Number(x)) => {
                    use rust_decimal::prelude::ToPrimitive;
                    let x = x.to_f64().unwrap_or(f64::NAN);
                    let typed_value = value.to_f64();
                    let slack = value.error() + 1e-9 * x.abs().max(1.0);
                    assert!(
                        (x - typed_value).abs() <= slack,
                        "unit {u}, slot {slot}: typed {typed_value} ± {}, reference {x}\n{text}",
                        value.error()
                    );
                }
                other => panic!(
                    "unit {u}, slot {slot}: typed {}, reference {other:?}\n{text}",
                    value.to_f64()
                ),
            }
        }
        row.complete(program, &bound, u);
        let all: Vec<Option<Status>> = expected.decisions.iter().map(|d| Some(d.status)).collect();
        assert_eq!(row.statuses, all, "completed row\n{text}");
    }
    typed.complete(program, &bound);
    let all: Vec<Vec<Option<Status>>> = reference
        .units()
        .map(|u| u.decisions.iter().map(|d| Some(d.status)).collect())
        .collect();
    assert_eq!(typed.by_unit(), all, "completed columns\n{text}");
}
