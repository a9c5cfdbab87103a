//! The report as an Excel workbook (feature `xlsx`): sheets Summary, Values, Findings and
//! Explain.
//!
//! Values are numbers, shown with the declared display format (`display 4` → `0.0000`,
//! a percent as a percentage). Excel stores every number as a 64-bit float, so a cell
//! holds about 15 significant digits; `--format json` and `--format csv --table values`
//! keep every digit.

use rust_xlsxwriter::{Format, FormatAlign, Workbook, Worksheet, XlsxError};

use super::display::{NumberFormat, Style, json_decimal, plural, status_word};
use super::explain::{ExplainNode, TEXT_DECIMALS, round_numbers_in};
use super::{Report, RunContext};
use crate::evaluate::Status;

/// Why the workbook could not be written.
#[derive(Debug, thiserror::Error)]
#[error("cannot write the Excel report: {0}")]
pub struct XlsxReportError(#[from] XlsxError);

/// The workbook's bytes.
///
/// ```
/// let rules = chiso::RuleSet::from_text("t.chiso", "methodology \"T\" version 1\ninput x: number\nindicator y = x * 2\nrule r require y > 0")?;
/// let data = chiso::Dataset::from_json_str("d.json", r#"[{"unit": "A", "x": 1}]"#, "unit")?;
/// let bytes = chiso::report::xlsx::workbook(&rules.evaluate(&data), &Default::default())?;
/// assert_eq!(&bytes[..2], b"PK"); // a zip archive
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn workbook(report: &Report, context: &RunContext) -> Result<Vec<u8>, XlsxReportError> {
    let mut book = Workbook::new();
    book.push_worksheet(summary(report, context)?);
    book.push_worksheet(values(report)?);
    book.push_worksheet(findings(report)?);
    book.push_worksheet(explain(report)?);
    Ok(book.save_to_buffer()?)
}

fn bold() -> Format {
    Format::new().set_bold()
}

fn header(sheet: &mut Worksheet, names: &[String]) -> Result<(), XlsxError> {
    let b = bold().set_background_color("#E8EEF5");
    for (col, name) in names.iter().enumerate() {
        sheet.write_string_with_format(0, col_of(col), name, &b)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}

fn col_of(i: usize) -> u16 {
    u16::try_from(i).unwrap_or(u16::MAX)
}

fn row_of(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

fn summary(report: &Report, context: &RunContext) -> Result<Worksheet, XlsxError> {
    let mut sheet = Worksheet::new();
    sheet.set_name("Summary")?;
    let m = &report.methodology;
    let s = &report.summary;
    let mut rows: Vec<(&str, String)> = vec![
        ("Methodology", m.name.clone()),
        ("Version", m.version.clone()),
    ];
    if let Some(e) = &m.extends {
        rows.push(("Extends", e.clone()));
    }
    if let Some(u) = &m.unit {
        rows.push(("Unit assessed", u.clone()));
    }
    for source in &m.sources {
        rows.push(("Source", source.clone()));
    }
    for file in &context.data_files {
        rows.push(("Data file", file.clone()));
    }
    if let Some(file) = &context.previous_file {
        rows.push(("Compared with", file.clone()));
    }
    if let Some(p) = &report.previous_version {
        rows.push(("Previous values computed with version", p.clone()));
    }
    if let Some(when) = &context.generated {
        rows.push(("Run at", when.clone()));
    }
    let title = bold().set_font_size(14);
    sheet.write_string_with_format(0, 0, &m.name, &title)?;
    let mut r = 2;
    for (k, v) in &rows {
        sheet.write_string_with_format(r, 0, *k, &bold())?;
        sheet.write_string(r, 1, v)?;
        r += 1;
    }
    r += 1;
    let counts = [
        ("Units", s.units),
        ("Rules", s.rules),
        ("Passed", s.passed),
        ("Failed", s.failed),
        ("Failed of severity error", s.failed_errors),
        ("Could not be decided", s.errors),
        ("Did not apply", s.skipped),
    ];
    for (k, v) in counts {
        sheet.write_string_with_format(r, 0, k, &bold())?;
        sheet.write_number(r, 1, v as f64)?;
        r += 1;
    }
    r += 1;
    sheet.write_string_with_format(r, 0, "Value", &bold())?;
    sheet.write_string_with_format(r, 1, "Label", &bold())?;
    sheet.write_string_with_format(r, 2, "English label", &bold())?;
    for c in &report.columns {
        r += 1;
        sheet.write_string(r, 0, &c.name)?;
        if let Some(l) = report.labels.get(&c.name) {
            if let Some(p) = &l.primary {
                sheet.write_string(r, 1, p)?;
            }
            if let Some(e) = &l.secondary {
                sheet.write_string(r, 2, e)?;
            }
        }
    }
    sheet.set_column_width(0, 28)?;
    sheet.set_column_width(1, 60)?;
    sheet.set_column_width(2, 40)?;
    Ok(sheet)
}

/// The Excel number format of a value: declared decimals, a percent as a percentage.
fn excel_format(format: &NumberFormat) -> Format {
    let digits = |d: u32| {
        if d == 0 {
            "0".to_string()
        } else {
            format!("0.{}", "0".repeat(d as usize))
        }
    };
    let code = match (format.style, format.decimals) {
        (Style::Percent, Some(d)) => format!("{}%", digits(d)),
        (Style::Percent, None) => "0.0##%".to_string(),
        (_, Some(d)) => digits(d),
        (_, None) => "General".to_string(),
    };
    Format::new().set_num_format(code)
}

/// Writes a JSON value as a number (with `format`), a boolean or text.
fn write_value(
    sheet: &mut Worksheet,
    row: u32,
    col: u16,
    v: &serde_json::Value,
    format: &Format,
) -> Result<(), XlsxError> {
    use rust_decimal::prelude::ToPrimitive;
    match v {
        serde_json::Value::Number(_) => match json_decimal(v).and_then(|d| d.to_f64()) {
            Some(f) => sheet
                .write_number_with_format(row, col, f, format)
                .map(|_| ()),
            None => sheet.write_string(row, col, v.to_string()).map(|_| ()),
        },
        serde_json::Value::Bool(b) => sheet.write_boolean(row, col, *b).map(|_| ()),
        serde_json::Value::String(s) => sheet.write_string(row, col, s).map(|_| ()),
        serde_json::Value::Null => Ok(()),
        other => sheet.write_string(row, col, other.to_string()).map(|_| ()),
    }
}

fn values(report: &Report) -> Result<Worksheet, XlsxError> {
    let mut sheet = Worksheet::new();
    sheet.set_name("Values")?;
    let names: Vec<&str> = report.columns.iter().map(|c| c.name.as_str()).collect();
    let mut ranks: Vec<&str> = Vec::new();
    for u in &report.units {
        for k in u.ranks.keys() {
            if !ranks.contains(&k.as_str()) {
                ranks.push(k);
            }
        }
    }
    let mut head = vec!["unit".to_string()];
    head.extend(names.iter().map(|n| n.to_string()));
    head.extend(ranks.iter().map(|r| format!("{r}.rank")));
    header(&mut sheet, &head)?;
    let formats: Vec<Format> = names
        .iter()
        .map(|n| excel_format(&report.format_of(n)))
        .collect();
    for (i, u) in report.units.iter().enumerate() {
        let r = row_of(i + 1);
        sheet.write_string(r, 0, &u.unit)?;
        for (j, (name, format)) in names.iter().zip(&formats).enumerate() {
            if let Some(v) = u.values.get(*name) {
                write_value(&mut sheet, r, col_of(j + 1), v, format)?;
            }
        }
        for (j, key) in ranks.iter().enumerate() {
            if let Some(rank) = u.ranks.get(*key) {
                sheet.write_number(r, col_of(names.len() + 1 + j), *rank as f64)?;
            }
        }
    }
    sheet.set_column_width(0, 28)?;
    if !report.units.is_empty() {
        sheet.autofilter(0, 0, row_of(report.units.len()), col_of(head.len() - 1))?;
    }
    Ok(sheet)
}

fn findings(report: &Report) -> Result<Worksheet, XlsxError> {
    let mut sheet = Worksheet::new();
    sheet.set_name("Findings")?;
    let head: Vec<String> = [
        "rule", "title", "unit", "status", "severity", "message", "evidence", "cite",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    header(&mut sheet, &head)?;
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    let status_format = |s: Status| {
        let colour = match s {
            Status::Pass => "#1A7F37",
            Status::Fail => "#C62828",
            Status::Error => "#8E44AD",
            Status::Skip => "#6B7280",
        };
        Format::new().set_bold().set_font_color(colour)
    };
    for (i, f) in report.findings.iter().enumerate() {
        let r = row_of(i + 1);
        let evidence = report.evidence_line(f);
        sheet.write_string(r, 0, &f.rule)?;
        sheet.write_string(r, 1, f.title.as_deref().unwrap_or(""))?;
        sheet.write_string(r, 2, &f.unit)?;
        sheet.write_string_with_format(r, 3, status_word(f.status), &status_format(f.status))?;
        sheet.write_string(r, 4, f.severity.keyword())?;
        sheet.write_string_with_format(r, 5, &f.message, &wrap)?;
        sheet.write_string_with_format(r, 6, &evidence, &wrap)?;
        sheet.write_string(r, 7, f.cite.as_deref().unwrap_or(""))?;
    }
    for (col, width) in [
        (0, 22),
        (1, 30),
        (2, 26),
        (3, 8),
        (4, 9),
        (5, 60),
        (6, 50),
        (7, 40),
    ] {
        sheet.set_column_width(col, width)?;
    }
    sheet.autofilter(0, 0, row_of(report.findings.len()), 7)?;
    Ok(sheet)
}

fn explain(report: &Report) -> Result<Worksheet, XlsxError> {
    let mut sheet = Worksheet::new();
    sheet.set_name("Explain")?;
    let head: Vec<String> = [
        "unit",
        "value",
        "kind",
        "figure",
        "weight",
        "contribution",
        "how",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    header(&mut sheet, &head)?;
    let explanations: Vec<&super::explain::Explanation> = if report.explanations.is_empty() {
        report.explain.iter().collect()
    } else {
        report.explanations.iter().collect()
    };
    let mut row = 1;
    for e in explanations {
        for node in &e.nodes {
            explain_rows(&mut sheet, report, &e.unit, node, 0, &mut row)?;
        }
    }
    if row == 1 {
        sheet.write_string(
            1,
            0,
            format!(
                "no explanations: {} without one",
                plural(report.units.len(), "unit", "units")
            ),
        )?;
    }
    for (col, width) in [
        (0, 26),
        (1, 40),
        (2, 10),
        (3, 14),
        (4, 10),
        (5, 12),
        (6, 70),
    ] {
        sheet.set_column_width(col, width)?;
    }
    Ok(sheet)
}

fn explain_rows(
    sheet: &mut Worksheet,
    report: &Report,
    unit: &str,
    node: &ExplainNode,
    depth: usize,
    row: &mut u32,
) -> Result<(), XlsxError> {
    let r = *row;
    *row = row.saturating_add(1);
    sheet.write_string(r, 0, unit)?;
    let indent = Format::new().set_indent(u8::try_from(depth.min(15)).unwrap_or(15));
    sheet.write_string_with_format(r, 1, &node.name, &indent)?;
    sheet.write_string(r, 2, node.kind)?;
    match &node.error {
        Some(e) if node.value.is_null() => {
            sheet.write_string(r, 3, format!("error: {e}"))?;
        }
        _ => write_value(
            sheet,
            r,
            3,
            &node.value,
            &excel_format(&report.format_of(&node.name)),
        )?,
    }
    let plain = Format::new().set_num_format("0.0000");
    if let Some(w) = &node.weight {
        write_value(sheet, r, 4, w, &plain)?;
    }
    if let Some(c) = &node.contribution {
        write_value(sheet, r, 5, c, &plain)?;
    }
    if let Some(how) = &node.how {
        sheet.write_string(r, 6, round_numbers_in(how, TEXT_DECIMALS))?;
    }
    for child in &node.children {
        explain_rows(sheet, report, unit, child, depth + 1, row)?;
    }
    Ok(())
}
