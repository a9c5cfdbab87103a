//! `chiso run --format jsonl`, `--findings` and `--values`: streamed and lean reports say
//! what the full report says, and only that.

use std::path::PathBuf;
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn chiso(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_chiso"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("chiso runs")
}

fn lines(out: &Output) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("every line is JSON"))
        .collect()
}

const RULES: &str = "rules/it-staffing";
const DATA: &str = "examples/it-staffing/quang-ninh-2020.json";

fn full_report() -> serde_json::Value {
    let out = chiso(&["run", "--rules", RULES, "--data", DATA, "--format", "json"]);
    serde_json::from_slice(&out.stdout).expect("a JSON report")
}

#[test]
fn jsonl_failing_findings_are_the_full_reports_failing_findings() {
    let full = full_report();
    let out = chiso(&[
        "run",
        "--rules",
        RULES,
        "--data",
        DATA,
        "--format",
        "jsonl",
        "--findings",
        "failing",
        "--values",
        "none",
    ]);
    assert_eq!(out.status.code(), Some(1), "failing findings exit 1");
    let lines = lines(&out);
    assert_eq!(lines[0]["format"], "chiso-jsonl-1");
    assert_eq!(lines.last().unwrap()["summary"], full["summary"]);
    let streamed: Vec<(String, String, String)> = lines[1..lines.len() - 1]
        .iter()
        .map(|l| {
            (
                l["unit"].as_str().unwrap().to_string(),
                l["rule"].as_str().unwrap().to_string(),
                l["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let mut expected: Vec<(String, String, String)> = full["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "fail" || f["status"] == "error")
        .map(|f| {
            (
                f["unit"].as_str().unwrap().to_string(),
                f["rule"].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let mut streamed_sorted = streamed.clone();
    streamed_sorted.sort();
    expected.sort();
    assert!(!expected.is_empty());
    assert_eq!(streamed_sorted, expected);
}

#[test]
fn csv_streams_as_json_does() {
    let dir = std::env::temp_dir().join(format!("chiso-stream-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let csv = dir.join("staff.csv");
    std::fs::write(
        &csv,
        "unit,staff_total,it_qualified_staff,it_dedicated_staff,it_dedicated_with_degree,infosec_staff,staff_trained_infosec\n\
         Sở Y tế,95,3,1,1,0,40\n\
         Sở Tư pháp,45,1,1,1,,45\n",
    )
    .unwrap();
    let out = chiso(&[
        "run",
        "--rules",
        RULES,
        "--data",
        csv.to_str().unwrap(),
        "--format",
        "jsonl",
    ]);
    let lines = lines(&out);
    // Header, then per unit its values and its five findings, then the summary.
    assert_eq!(lines.len(), 1 + 2 * (1 + 5) + 1);
    assert_eq!(lines[1]["unit"], "Sở Y tế");
    assert_eq!(
        lines[1]["values"]["share_trained_infosec"].to_string(),
        "0.4210526315789473684210526316"
    );
    let error = lines
        .iter()
        .find(|l| l["unit"] == "Sở Tư pháp" && l["rule"] == "submission_consistent")
        .unwrap();
    assert_eq!(error["status"], "error");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("`infosec_staff` is missing")
    );
}

#[test]
fn failing_only_json_keeps_the_summary_of_all() {
    let full = full_report();
    let out = chiso(&[
        "run",
        "--rules",
        RULES,
        "--data",
        DATA,
        "--format",
        "json",
        "--findings",
        "failing",
        "--values",
        "none",
    ]);
    let lean: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(lean["summary"], full["summary"]);
    assert_eq!(lean["units"].as_array().unwrap().len(), 0);
    assert!(
        lean["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["status"] == "fail" || f["status"] == "error")
    );
}

/// The ICT Index normalises across every province: its JSON Lines come after every row is
/// read (each bound to the inputs and dropped), and say what the full report says, from
/// a CSV file (cells bound without records) and from JSON.
#[test]
fn cohort_rule_sets_stream_once_gathered_and_say_what_the_full_report_says() {
    let rules = "rules/ict-index/2019";
    let json_data = "examples/ict-index/provinces-2019.json";
    let sample: serde_json::Value =
        serde_json::from_slice(&std::fs::read(root().join(json_data)).unwrap()).unwrap();
    let units = sample["units"].as_array().unwrap();
    let mut columns: Vec<String> = Vec::new();
    for u in units {
        for k in u.as_object().unwrap().keys() {
            if !columns.contains(k) {
                columns.push(k.clone());
            }
        }
    }
    let mut csv = columns.join(",") + "\n";
    for u in units {
        let cells: Vec<String> = columns
            .iter()
            .map(|c| match &u[c] {
                serde_json::Value::String(t) => format!("\"{t}\""),
                serde_json::Value::Null => String::new(),
                other => other.to_string(),
            })
            .collect();
        csv += &(cells.join(",") + "\n");
    }
    let path = std::env::temp_dir().join(format!("chiso-ict-{}.csv", std::process::id()));
    std::fs::write(&path, csv).unwrap();
    let csv_data = path.display().to_string();
    for data in [json_data, csv_data.as_str()] {
        let full = chiso(&["run", "--rules", rules, "--data", data, "--format", "json"]);
        let full: serde_json::Value = serde_json::from_slice(&full.stdout).expect("a report");
        let out = chiso(&[
            "run", "--rules", rules, "--data", data, "--format", "jsonl", "--values", "declared",
        ]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let lines = lines(&out);
        let (values, findings): (Vec<_>, Vec<_>) = lines[1..lines.len() - 1]
            .iter()
            .partition(|l| l.get("values").is_some());
        let full_units = full["units"].as_array().unwrap();
        assert_eq!(values.len(), 63, "{data}");
        assert_eq!(values.len(), full_units.len());
        for (got, want) in values.iter().zip(full_units) {
            assert_eq!(got["unit"], want["unit"], "{data}");
            assert_eq!(got["values"], want["values"], "{data}: {}", got["unit"]);
            assert_eq!(got["ranks"], want["ranks"], "{data}: {}", got["unit"]);
        }
        // A passing finding's line is its unit, rule and status (no message).
        let key = |f: &serde_json::Value| {
            let message = if f["status"] == "pass" {
                String::new()
            } else {
                f["message"].to_string()
            };
            (
                f["unit"].to_string(),
                f["rule"].to_string(),
                f["status"].to_string(),
                message,
            )
        };
        let mut got: Vec<_> = findings.iter().map(|f| key(f)).collect();
        let mut want: Vec<_> = full["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(key)
            .collect();
        got.sort();
        want.sort();
        assert_eq!(got, want, "{data}");
        assert_eq!(lines[lines.len() - 1]["summary"], full["summary"], "{data}");
    }
    std::fs::remove_file(&path).ok();
    // `--explain` is a whole-report option: not with JSON Lines.
    let out = chiso(&[
        "run",
        "--rules",
        RULES,
        "--data",
        DATA,
        "--format",
        "jsonl",
        "--explain",
        "Sở Y tế",
    ]);
    assert_eq!(out.status.code(), Some(2));
}

/// A bad row in a cohort rule set's data decides nothing (normalising without it would
/// decide every unit against the wrong cohort): the header line only, the row named, exit 2.
#[test]
fn a_bad_row_in_a_gathered_cohort_stops_before_any_finding() {
    let mut csv = String::from("unit,fixed_phones_per_100\n");
    for i in 0..50 {
        csv.push_str(&format!("Tỉnh {i},{}\n", 3 + i % 7));
    }
    csv.push_str("Tỉnh 7,4\n");
    let path = std::env::temp_dir().join(format!("chiso-ict-bad-{}.csv", std::process::id()));
    std::fs::write(&path, csv).unwrap();
    let data = path.display().to_string();
    let out = chiso(&[
        "run",
        "--rules",
        "rules/ict-index/2019",
        "--data",
        &data,
        "--format",
        "jsonl",
    ]);
    std::fs::remove_file(&path).ok();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("Tỉnh 7") && stderr.contains("row 52"),
        "{stderr}"
    );
    let lines = lines(&out);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0]["format"], "chiso-jsonl-1");
}

/// Beyond the units the index keeps in memory (114,688) the names go to disk, and a unit
/// written twice there is still refused, naming both rows, with no summary and exit 2.
#[test]
fn a_unit_twice_beyond_the_index_in_memory_is_refused() {
    let mut csv = String::from("unit,staff_total,it_qualified_staff\n");
    for i in 0..120_000 {
        let name = if i == 119_000 { 116_000 } else { i };
        csv.push_str(&format!("Đơn vị {name},{},{}\n", 20 + i % 7, i % 5));
    }
    let path = std::env::temp_dir().join(format!("chiso-cli-twice-{}.csv", std::process::id()));
    std::fs::write(&path, csv).unwrap();
    let data = path.display().to_string();
    let args = [
        "run", "--rules", RULES, "--data", &data, "--format", "jsonl",
    ];
    let out = chiso(&args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(
        stderr.trim(),
        format!(
            "error: {data}, row 119002: unit `Đơn vị 116000` appears twice (first at {data}, row 116002)"
        )
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("\"unit\":\"Đơn vị 119999\""));
    assert!(!stdout.contains("\"summary\""));
    // No directory for the names on disk: a clear error, not a pass or a panic.
    let out = Command::new(env!("CARGO_BIN_EXE_chiso"))
        .args(args)
        .current_dir(root())
        .env("TMPDIR", "/nonexistent-chiso-tmp")
        .output()
        .expect("chiso runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("cannot keep the names of the units beyond the first 114688 in a temporary file in `/nonexistent-chiso-tmp`"),
        "{stderr}"
    );
    std::fs::remove_file(&path).unwrap();
}

/// A data file with a header and no rows decides nothing: an error (exit 2) as with the
/// whole-report formats, never a summary of zero units and exit 0.
#[test]
fn a_file_without_rows_is_refused_as_the_whole_report_refuses_it() {
    let path = std::env::temp_dir().join(format!("chiso-empty-{}.csv", std::process::id()));
    std::fs::write(&path, "unit,staff_total\n").unwrap();
    let data = path.display().to_string();
    for rules in [RULES, "rules/ict-index/2019"] {
        for format in ["jsonl", "json"] {
            let out = chiso(&["run", "--rules", rules, "--data", &data, "--format", format]);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{rules} {format}: {stderr}");
            assert!(
                stderr.contains("no units in") && stderr.contains("holds no records"),
                "{stderr}"
            );
        }
    }
    std::fs::remove_file(&path).ok();
}

/// Findings as (unit, rule, status, message), sorted, from a JSON report or JSON Lines
/// (which leaves out the message of a pass).
fn finding_rows(findings: &[serde_json::Value]) -> Vec<[String; 4]> {
    let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
    let mut rows: Vec<[String; 4]> = findings
        .iter()
        .filter(|f| f.get("rule").is_some() && f.get("status").is_some())
        .map(|f| {
            [
                text(&f["unit"]),
                text(&f["rule"]),
                text(&f["status"]),
                if f["status"] == "pass" {
                    String::new()
                } else {
                    text(&f["message"])
                },
            ]
        })
        .collect();
    rows.sort();
    rows
}

#[test]
fn export_files_stream_as_the_whole_report_reads_them() {
    // One published table as auditors receive it (see tests/data_formats.rs): title rows,
    // `;` and a byte-order mark, UTF-16 tab-separated text, Windows-1258, workbooks.
    let rules = "tests/data/intake/published.chiso";
    let mut cases = vec![
        ("published-2017-semicolon-bom.csv", vec!["--decimal-comma"]),
        ("published-2017-unicode.txt", vec!["--decimal-comma"]),
        (
            "published-2017-cp1258.csv",
            vec!["--encoding", "windows-1258"],
        ),
        ("published-2017.json", vec![]),
    ];
    if cfg!(feature = "excel") {
        cases.push(("published-2017.xlsx", vec!["--decimal-comma"]));
        cases.push(("published-2017.ods", vec![]));
    }
    let clean = {
        let out = chiso(&[
            "run",
            "--rules",
            rules,
            "--data",
            "tests/data/intake/published-2017.json",
            "--format",
            "json",
        ]);
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let expected = finding_rows(clean["findings"].as_array().unwrap());
    assert_eq!(expected.len(), 5, "{expected:?}");
    for (file, reading) in cases {
        let data = format!("tests/data/intake/{file}");
        let mut args = vec![
            "run", "--rules", rules, "--data", &data, "--format", "jsonl",
        ];
        args.extend(reading.iter().copied());
        let out = chiso(&args);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{file}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let lines = lines(&out);
        assert_eq!(lines.last().unwrap()["summary"], clean["summary"], "{file}");
        assert_eq!(finding_rows(&lines), expected, "{file}");
        // Every value, every digit, as the whole report has it.
        for unit in clean["units"].as_array().unwrap() {
            let streamed = lines
                .iter()
                .find(|l| l["unit"] == unit["unit"] && l.get("values").is_some())
                .unwrap_or_else(|| panic!("{file}: no values line for {}", unit["unit"]));
            assert_eq!(streamed["values"], unit["values"], "{file}");
        }
    }
    // Undeclared, the Windows-1258 file is refused at its first bad byte, as loading it is.
    let out = chiso(&[
        "run",
        "--rules",
        rules,
        "--data",
        "tests/data/intake/published-2017-cp1258.csv",
        "--format",
        "jsonl",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("published-2017-cp1258.csv: byte 32 (line 2) is not valid UTF-8"),
        "{err}"
    );
}
