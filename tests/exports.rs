//! The report files people hand on: HTML (self-contained, escaped), CSV and Excel read
//! back and compared with the JSON report's values and statuses.

use std::path::PathBuf;

use chiso::report::RunContext;
use chiso::{Report, RuleSet, RunOptions};
use rust_decimal::Decimal;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The ICT Index 2019 with every option the HTML report shows.
fn ict_index() -> Report {
    let rules = RuleSet::load(root().join("rules/ict-index/2019")).unwrap();
    let data = rules
        .load_data(&[root().join("examples/ict-index/provinces-2019.json")])
        .unwrap();
    let previous = rules
        .load_previous(&root().join("examples/ict-index/provinces-2018.json"))
        .unwrap();
    rules
        .evaluate_with(
            &data,
            &RunOptions {
                previous: Some(&previous),
                sensitivity: Some((20, 1)),
                explain_all: true,
                ..Default::default()
            },
        )
        .unwrap()
}

fn evaluate(rules: &str, data: &str) -> Report {
    let rules = RuleSet::from_text("t.chiso", rules).unwrap_or_else(|e| panic!("{e}"));
    let data = chiso::Dataset::from_json_str("d.json", data, rules.unit_key()).unwrap();
    rules
        .evaluate_with(
            &data,
            &RunOptions {
                explain_all: true,
                ..Default::default()
            },
        )
        .unwrap()
}

fn json(report: &Report) -> serde_json::Value {
    serde_json::from_str(&report.to_json()).unwrap()
}

fn decimal(text: &str) -> Decimal {
    text.parse::<Decimal>()
        .or_else(|_| Decimal::from_scientific(text))
        .unwrap_or_else(|e| panic!("{text}: {e}"))
}

/// A value of the CSV values table as the exact number it stands for (`78.5%` is 0.785).
fn csv_number(cell: &str) -> Decimal {
    match cell.strip_suffix('%') {
        Some(p) => decimal(p) / Decimal::ONE_HUNDRED,
        None => decimal(cell),
    }
}

#[test]
fn csv_values_round_trip_to_the_json_values_and_ranks() {
    let report = ict_index();
    let json = json(&report);
    let text = chiso::report::csv::values(&report).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header[0], "unit");
    assert!(header.contains(&"ict_index.rank".to_string()), "{header:?}");
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 63);
    let mut compared = 0;
    for (row, unit) in rows.iter().zip(json["units"].as_array().unwrap()) {
        assert_eq!(&row[0], unit["unit"].as_str().unwrap());
        for (name, value) in unit["values"].as_object().unwrap() {
            let col = header.iter().position(|h| h == name).unwrap();
            assert_eq!(
                csv_number(&row[col]),
                decimal(&value.to_string()),
                "{name} of {}",
                &row[0]
            );
            compared += 1;
        }
        for (key, rank) in unit["ranks"].as_object().unwrap() {
            let col = header
                .iter()
                .position(|h| *h == format!("{key}.rank"))
                .unwrap();
            assert_eq!(row[col].parse::<u64>().unwrap(), rank.as_u64().unwrap());
        }
    }
    assert!(compared > 63 * 35, "{compared}");
}

#[test]
fn csv_findings_round_trip_to_the_json_statuses_with_readable_evidence() {
    let report = evaluate(
        "methodology \"T\" version 1
input built: percent in 0% .. 100%
input published: decimal
rule enough \"Enough built\" require built >= 80% cite \"Art. 3, cl. 4\"
rule printed require published > 0.8
",
        r#"[{"unit": "Quảng Bình", "built": 78.5, "published": 0.7320},
            {"unit": "Hà Nội, \"capital\"", "built": 90, "published": 0.9}]"#,
    );
    let json = json(&report);
    let text = chiso::report::csv::findings(&report).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        [
            "rule", "unit", "status", "severity", "message", "evidence", "cite"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let findings = json["findings"].as_array().unwrap();
    assert_eq!(rows.len(), findings.len());
    for (row, f) in rows.iter().zip(findings) {
        assert_eq!(&row[0], f["rule"].as_str().unwrap());
        assert_eq!(&row[1], f["unit"].as_str().unwrap());
        assert_eq!(&row[2], f["status"].as_str().unwrap());
        assert_eq!(&row[3], f["severity"].as_str().unwrap());
        assert_eq!(&row[4], f["message"].as_str().unwrap());
        assert_eq!(&row[6], f["cite"].as_str().unwrap_or(""));
    }
    // Percents as percents, published figures with their digits.
    assert_eq!(&rows[0][5], "built=78.5%");
    assert_eq!(&rows[0][2], "fail");
    assert_eq!(&rows[2][5], "published=0.7320");
    assert_eq!(&rows[1][1], "Hà Nội, \"capital\"");
}

#[cfg(all(feature = "xlsx", feature = "excel"))]
#[test]
fn xlsx_round_trips_to_the_json_values_and_statuses() {
    use calamine::{Data, Reader, Xlsx};
    let report = ict_index();
    let json = json(&report);
    let bytes = chiso::report::xlsx::workbook(
        &report,
        &RunContext {
            data_files: vec!["examples/ict-index/provinces-2019.json".into()],
            generated: Some("2026-01-01 00:00 UTC".into()),
            ..Default::default()
        },
    )
    .unwrap();
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    assert_eq!(
        book.sheet_names(),
        ["Summary", "Values", "Findings", "Explain"]
    );
    let summary = book.worksheet_range("Summary").unwrap();
    let cells: Vec<String> = summary.cells().map(|(_, _, c)| c.to_string()).collect();
    assert!(cells.contains(&"Vietnam ICT Index — provinces".to_string()));
    assert!(cells.contains(&"examples/ict-index/provinces-2019.json".to_string()));

    let values = book.worksheet_range("Values").unwrap();
    let header: Vec<String> = values
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    let units = json["units"].as_array().unwrap();
    assert_eq!(values.rows().count(), units.len() + 1);
    for (row, unit) in values.rows().skip(1).zip(units) {
        assert_eq!(row[0].to_string(), unit["unit"].as_str().unwrap());
        for (name, value) in unit["values"].as_object().unwrap() {
            let col = header.iter().position(|h| h == name).unwrap();
            let Data::Float(f) = row[col] else {
                panic!("{name} is not a number: {:?}", row[col]);
            };
            let exact: f64 = value.to_string().parse().unwrap();
            assert!((f - exact).abs() <= 1e-12 * exact.abs().max(1.0), "{name}");
        }
        let col = header.iter().position(|h| h == "ict_index.rank").unwrap();
        assert_eq!(
            row[col],
            Data::Float(unit["ranks"]["ict_index"].as_f64().unwrap())
        );
    }

    let findings = book.worksheet_range("Findings").unwrap();
    let statuses: Vec<String> = findings.rows().skip(1).map(|r| r[3].to_string()).collect();
    let expected: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, expected);

    let explain = book.worksheet_range("Explain").unwrap();
    let explained: std::collections::BTreeSet<String> =
        explain.rows().skip(1).map(|r| r[0].to_string()).collect();
    assert_eq!(explained.len(), 63);
}

#[test]
fn the_html_report_is_self_contained_and_has_every_part() {
    let report = ict_index();
    let html = report.to_html(&RunContext {
        data_files: vec!["examples/ict-index/provinces-2019.json".into()],
        generated: Some("2026-01-01 10:00 UTC".into()),
        previous_file: Some("examples/ict-index/provinces-2018.json".into()),
    });
    for part in [
        "<!DOCTYPE html>",
        "Content-Security-Policy",
        "id=\"ranking-table\"",
        "id=\"index-chart\"",
        "id=\"heat-map\"",
        "id=\"interval-plot\"",
        "class=\"tree\"",
        "examples/ict-index/provinces-2019.json",
        "2026-01-01 10:00 UTC",
        "examples/ict-index/provinces-2018.json",
        // Vietnamese label first, English second.
        "<span class=\"vi\">Chỉ số sẵn sàng cho phát triển và ứng dụng CNTT-TT</span><span class=\"en\" lang=\"en\">Vietnam ICT Index</span>",
    ] {
        assert!(html.contains(part), "no {part}");
    }
    // Nothing is fetched: no external script, style, image or font.
    for external in ["src=\"http", "href=\"http", "url(http", "@import", "<link"] {
        assert!(!html.contains(external), "{external}");
    }
    // Every unit has its section and explanation.
    assert_eq!(html.matches("<details class=\"unit\"").count(), 63);
    // Numbers at the declared display precision (`display 4`), not 28 digits.
    let first = &report.units[0];
    let index = first.values["ict_index"].to_string();
    assert!(index.len() > 10, "{index}");
    assert!(!html.contains(&format!(">{index}<")));
    let shown = report
        .format_of("ict_index")
        .json(&first.values["ict_index"]);
    assert!(html.contains(&format!(">{shown}<")), "{shown}");
}

#[test]
fn the_html_report_escapes_everything_user_supplied() {
    let report = evaluate(
        "methodology \"<script>alert('name')</script>\" version 1
input x: number \"<img src=x onerror=alert(1)>\" / \"</span><script>alert(2)</script>\"
score s = mean of x
rank s
rule r \"<b onmouseover=alert(3)>title</b>\" require x > 1
  message \"{unit} </td><script>alert(4)</script>\"
  cite \"<a href=javascript:alert(5)>cite</a>\"
",
        r#"[{"unit": "<script>alert('unit')</script>", "x": 1},
            {"unit": "\"><svg onload=alert(6)>", "x": 2}]"#,
    );
    let html = report.to_html(&RunContext {
        data_files: vec!["<script>file</script>.json".into()],
        generated: None,
        previous_file: None,
    });
    assert!(html.contains("id=\"findings\"") && html.contains("data-filter=\"fail\""));
    // The page's own script is the only one.
    assert_eq!(html.matches("<script").count(), 1, "{html}");
    for raw in [
        "<img src=x",
        "<svg onload",
        "<b onmouseover",
        "<a href=javascript",
        "</td><script>",
    ] {
        assert!(!html.contains(raw), "{raw} not escaped");
    }
    for escaped in [
        "&lt;script&gt;alert('unit')&lt;/script&gt;",
        "&lt;img src=x onerror=alert(1)&gt;",
        "&lt;script&gt;file&lt;/script&gt;.json",
        "&quot;&gt;&lt;svg onload=alert(6)&gt;",
    ] {
        assert!(html.contains(escaped), "no {escaped}");
    }
}

#[test]
fn the_html_report_of_a_rule_set_without_ranks_has_findings_and_no_charts() {
    let report = evaluate(
        "methodology \"T\" version 1\ninput x: percent\nrule r require x >= 50%\n",
        r#"[{"unit": "A", "x": 40}, {"unit": "B", "x": 60}]"#,
    );
    let html = report.to_html(&RunContext::default());
    assert!(html.contains("id=\"findings\""));
    assert!(!html.contains("id=\"ranking-table\""));
    assert!(!html.contains("<svg class=\"dots\""));
    // A percent is shown as a percent in the evidence.
    assert!(html.contains("x</code> = 40%"), "{html}");
}
