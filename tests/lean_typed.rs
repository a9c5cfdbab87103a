//! The lean and streaming paths against the plain reference: a lean report with the typed
//! core equals the one without it, and the JSON Lines written directly equal the stream's
//! findings serialised one by one — on the shipped rule sets and on data with exact
//! threshold ties, ties after a division, missing values and division by zero.

use std::path::Path;

use chiso::data::{DataError, Dataset, Record};
use chiso::stream::{FindingFilter, StreamItem, StreamOptions, ValueFilter};
use chiso::{RuleSet, Status};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn shipped() -> Vec<(RuleSet, Dataset)> {
    chiso::fuzzing::shipped_samples(root())
}

const THRESHOLDS: &str = r#"methodology "Thresholds" version 1
input a: integer >= 0
input b: integer
input c: decimal
input d: number
indicator r = a / b
indicator third = a / 3
rule ratio "Ratio" require r >= 40% message "{unit}: {r:2} of {b}" cite "§1"
rule tie when a >= 2 require c >= 1.5
rule thirds severity warning require third * 3 >= a and b / 9 <= third
rule either require a > 0 and b > 0 or d >= 0.5
rule signed require -a + b * 2 <= c message "{unit} has {c}"
rule plain require d / (a - 2) < 1
"#;

/// Units on and around every threshold, with holes: every value of `a` and `b` from a
/// small grid (`b = 0` divides by zero, `a = 2` ties), `c` on 1.5 or missing, `d` on 0.5,
/// written as text or missing.
fn threshold_data() -> String {
    let mut units = Vec::new();
    let mut i = 0;
    for a in 0..7 {
        for b in -1..8 {
            i += 1;
            let c = match i % 5 {
                0 => "null".to_string(),
                1 => "1.5".to_string(),
                2 => "\"1.50\"".to_string(),
                3 => "1.4999999999999999999999999999".to_string(),
                _ => format!("{}", b * 2 - a),
            };
            let d = match i % 4 {
                0 => String::new(),
                1 => ", \"d\": 0.5".to_string(),
                2 => ", \"d\": \"x\"".to_string(),
                _ => format!(", \"d\": {}", a - 3),
            };
            units.push(format!(
                "{{\"unit\": \"U {i}\", \"a\": {a}, \"b\": {b}, \"c\": {c}{d}}}"
            ));
        }
    }
    format!("[{}]", units.join(",\n"))
}

fn every_option() -> Vec<StreamOptions> {
    let mut out = Vec::new();
    for findings in [FindingFilter::All, FindingFilter::Failing] {
        for values in [ValueFilter::None, ValueFilter::Declared, ValueFilter::All] {
            out.push(StreamOptions { findings, values });
        }
    }
    out
}

fn cases() -> Vec<(RuleSet, Dataset)> {
    let rules = RuleSet::from_text("thresholds.chiso", THRESHOLDS).unwrap();
    let data = Dataset::from_json_str("t.json", &threshold_data(), "unit").unwrap();
    let mut all = shipped();
    all.push((rules, data));
    all
}

#[test]
fn the_typed_core_changes_no_lean_report() {
    let mut spared = false;
    for (rules, data) in cases() {
        for options in every_option() {
            let typed = rules.evaluate_lean_by(&data, &options, true);
            let reference = rules.evaluate_lean_by(&data, &options, false);
            assert_eq!(typed, reference, "{} {options:?}", rules.methodology().name);
            assert_eq!(
                typed.to_json(),
                reference.to_json(),
                "{}",
                rules.methodology().name
            );
            spared |= options.findings == FindingFilter::Failing
                && options.values == ValueFilter::None
                && typed.summary.passed > 0;
        }
    }
    assert!(spared);
    // The threshold data has every kind of finding.
    let (rules, data) = cases().pop().unwrap();
    let s = rules.evaluate(&data).summary;
    assert!(
        s.passed > 0 && s.failed > 0 && s.errors > 0 && s.skipped > 0,
        "{s:?}"
    );
}

/// JSON Lines as the stream's items say them, one by one (what `write_jsonl` wrote before
/// it wrote lines directly).
fn lines_from_items(rules: &RuleSet, records: Vec<Record>, options: StreamOptions) -> String {
    let mut out = String::new();
    let mut stream = rules
        .stream(records.into_iter().map(Ok::<_, DataError>), options)
        .unwrap();
    for item in stream.by_ref() {
        match item.unwrap() {
            StreamItem::Unit(u) => out.push_str(&serde_json::to_string(&u).unwrap()),
            StreamItem::Finding(f) => {
                let mut line = serde_json::Map::new();
                line.insert("unit".into(), f.unit.clone().into());
                line.insert("rule".into(), f.rule.clone().into());
                line.insert("status".into(), serde_json::to_value(f.status).unwrap());
                if f.status != Status::Pass {
                    line.insert("message".into(), f.message.clone().into());
                }
                if matches!(f.status, Status::Fail | Status::Error) && !f.evidence.is_empty() {
                    line.insert(
                        "evidence".into(),
                        serde_json::to_value(&f.evidence).unwrap(),
                    );
                }
                out.push_str(&serde_json::to_string(&line).unwrap());
            }
        }
        out.push('\n');
    }
    let summary = serde_json::json!({ "summary": stream.summary() });
    out.push_str(&serde_json::to_string(&summary).unwrap());
    out.push('\n');
    out
}

#[test]
fn json_lines_written_directly_are_the_stream_items() {
    let mut streamed = 0;
    for (rules, data) in cases() {
        if !chiso::stream::cohort_operations(rules.program()).is_empty() {
            continue;
        }
        streamed += 1;
        for options in every_option() {
            let mut out = Vec::new();
            let records = data.records.clone().into_iter().map(Ok);
            rules.write_jsonl(records, options, &mut out).unwrap();
            let text = String::from_utf8(out).unwrap();
            let (_header, body) = text.split_once('\n').unwrap();
            let expected = lines_from_items(&rules, data.records.clone(), options);
            assert_eq!(body, expected, "{} {options:?}", rules.methodology().name);
        }
    }
    assert!(streamed >= 3, "{streamed}");
}

/// Writes `text` to a file of the temporary folder.
fn temp(name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("chiso-lean-typed-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// What writing JSON Lines gives: the lines, and the error if it stopped.
fn written(
    result: Result<chiso::report::Summary, chiso::stream::StreamError>,
    out: Vec<u8>,
) -> String {
    let mut text = String::from_utf8(out).unwrap();
    if let Err(e) = result {
        text.push_str(&format!("ERROR {e}"));
    }
    text
}

#[test]
fn csv_rows_bound_from_their_cells_write_what_records_write() {
    let rules = RuleSet::from_text("thresholds.chiso", THRESHOLDS).unwrap();
    let staffing = RuleSet::load(root().join("rules/it-staffing")).unwrap();
    // A byte-order mark, quoted commas and line breaks, empty cells, a name in NFD, a
    // column the rule set does not read, columns in another order in the second file.
    let first = temp(
        "a.csv",
        "\u{feff}unit,a,b,c,d,note\n U 1 ,2,5,1.5,0.5,x\n\"U, 2\",0,0,,\"a\nb\",\nHo\u{0300}a,3,9,1.4999999999999999999999999999,x,\n",
    );
    let second = temp("b.csv", "b,unit,a\n4,U 4,2\n,U 5,\n");
    let repeated = temp("c.csv", "unit,a\nU 6,1\nHòa,2\n");
    let unnamed = temp("d.csv", "unit,a\nU 7,1\n,2\n");
    let bad_name = temp("e.csv", "unit,a\nU 8,1\n\"x\ty\",2\n");
    let keyless = temp("f.csv", "name,a\nU 9,1\n");
    let lines = temp("g.jsonl", "{\"unit\": \"U 10\", \"a\": 1}\n");
    let staff = root().join("tests/../examples/it-staffing/quang-ninh-2020.json");
    let cases: Vec<(&RuleSet, Vec<&Path>)> = vec![
        (&rules, vec![&first, &second]),
        (&rules, vec![&first, &second, &repeated]),
        (&rules, vec![&first, &unnamed]),
        (&rules, vec![&bad_name]),
        (&rules, vec![&keyless]),
        (&rules, vec![&lines, &first, &lines]),
        (&staffing, vec![&staff, &first]),
    ];
    for (rules, files) in cases {
        for options in every_option() {
            let open = || chiso::stream::Records::open(&files, rules.unit_key());
            let mut out = Vec::new();
            let records = written(rules.write_jsonl(open(), options, &mut out), out);
            let mut out = Vec::new();
            let rows = written(rules.write_jsonl_files(open(), options, &mut out), out);
            assert_eq!(rows, records, "{files:?} {options:?}");
        }
    }
}

/// Fields the typed intake reads itself (plain integers) and fields it leaves to the
/// reference's binding (signs, spaces, points, exponents, decimal commas, percents, text,
/// out of bounds, beyond 64 bits), over inputs of every number type.
const INTAKE: &str = r#"methodology "Intake" version 1
input i: integer >= 0
input n: number < 1000
input d: decimal
input p: percent
input t: text
input o: integer optional
rule r require i + n + d + p >= 1
"#;

fn intake_data() -> String {
    let cells = [
        "5",
        "\"5\"",
        "\"+5\"",
        "\" 7\"",
        "\"007\"",
        "-0",
        "\"-0\"",
        "1e2",
        "12.0",
        "\"12,5\"",
        "\"85%\"",
        "-3",
        "999",
        "1000",
        "123456789012345678",
        "1234567890123456789",
        "99999999999999999999",
        "\"x\"",
        "null",
        "true",
        "[1]",
        "0.1",
    ];
    let mut units = Vec::new();
    for (k, cell) in cells.iter().enumerate() {
        let other = cells[(k * 7 + 3) % cells.len()];
        let missing = if k % 3 == 0 {
            String::new()
        } else {
            format!(", \"o\": {other}")
        };
        units.push(format!(
            "{{\"unit\": \"U {k}\", \"i\": {cell}, \"n\": {other}, \"d\": {cell}, \"p\": {cell}, \"t\": {cell}{missing}}}"
        ));
    }
    format!("[{}]", units.join(",\n"))
}

#[test]
fn records_read_straight_into_columns_are_what_binding_gives() {
    let mut all = cases();
    let rules = RuleSet::from_text("intake.chiso", INTAKE).unwrap();
    let data = Dataset::from_json_str("i.json", &intake_data(), "unit").unwrap();
    all.push((rules, data));
    for (rules, data) in all {
        let program = rules.program();
        let bound = rules.bind(&data);
        let intake = chiso::fast::Columns::from_records(program, &data.records);
        let name = &rules.methodology().name;
        assert_eq!(
            intake.columns,
            chiso::fast::Columns::from_bound(program, &bound),
            "{name}"
        );
        for (k, unread) in intake.unread.iter().enumerate() {
            let none = bound.inputs.iter().all(|row| row[k].is_err());
            assert_eq!(*unread, none, "{name}: input {k}");
        }
    }
}

#[test]
fn failing_findings_decided_by_reference_are_the_reports() {
    for (rules, data) in cases() {
        let lean = rules.decide_failing(&data);
        let report = rules.render_lean(lean.clone(), &data);
        let name = &rules.methodology().name;
        assert_eq!(lean.findings.len(), report.findings.len(), "{name}");
        assert_eq!(lean.summary, report.summary, "{name}");
        assert_eq!(lean.has_errors(), report.has_errors(), "{name}");
        for (r, f) in lean.findings.iter().zip(&report.findings) {
            assert_eq!(rules.program().rules[r.rule].id.as_ref(), f.rule, "{name}");
            assert_eq!(data.records[r.unit].unit, f.unit, "{name}");
            assert_eq!(r.status, f.status, "{name}");
        }
    }
}
