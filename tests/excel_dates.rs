//! Excel date cells as dates (issue 9): a `date` input read from `.xlsx` cells holding a
//! date (a serial number with a date format), a date-time, the text `2020-03-15`, and
//! cells that are not dates, through the library and the command line.
//!
//! `tests/data/excel-dates/deadline.xlsx` is written by `write_the_workbook` below with
//! rust_xlsxwriter (chiso's `xlsx` feature): `cargo test --test excel_dates -- --ignored`
//! writes it again. `deadline.ods` holds the same rows as OpenDocument date cells
//! (`make_ods.py` beside it).

#![cfg(feature = "excel")]

use std::path::Path;
use std::process::Command;

use chiso::data::RawValue;
use chiso::{RuleSet, Status};

const DIR: &str = "tests/data/excel-dates";
const BOOK: &str = "tests/data/excel-dates/deadline.xlsx";
/// The same rows as OpenDocument date cells (ISO `date-value`s), written by
/// `tests/data/excel-dates/make_ods.py`.
const ODS: &str = "tests/data/excel-dates/deadline.ods";

/// Each row: the unit, how its `report_date` cell is written, and what chiso reads.
/// The deadline is 2020-03-31; 43905 is the serial number of 2020-03-15.
const ROWS: [(&str, &str, Expect); 8] = [
    (
        "Sở Y tế",
        "date 2020-03-15, dd/mm/yyyy",
        Expect::Date("2020-03-15", Status::Pass),
    ),
    (
        "Sở Tư pháp",
        "date 2020-04-02, yyyy-mm-dd",
        Expect::Date("2020-04-02", Status::Fail),
    ),
    (
        "Sở Xây dựng",
        "date-time 2020-03-31 00:00",
        Expect::Date("2020-03-31", Status::Pass),
    ),
    (
        "Sở Nội vụ",
        "text \"2020-03-15\"",
        Expect::Date("2020-03-15", Status::Pass),
    ),
    (
        "Sở Công Thương",
        "date-time 2020-03-15 14:30",
        Expect::Error("\"2020-03-15T14:30:00\""),
    ),
    (
        "Sở Tài chính",
        "number 43905, no date format",
        Expect::Error("43905"),
    ),
    (
        "Sở Giao thông Vận tải",
        "text \"15/03/2020\"",
        Expect::Error("\"15/03/2020\""),
    ),
    (
        "Sở Tài nguyên và Môi trường",
        "date 1900-01-10",
        Expect::Date("1900-01-10", Status::Pass),
    ),
];

#[derive(Clone, Copy)]
enum Expect {
    /// Read as this date; the rule decides this.
    Date(&'static str, Status),
    /// Not a date: the rule is `error`, naming the cell's value as read.
    Error(&'static str),
}

#[test]
#[ignore = "writes the fixture; run with --ignored after changing it"]
#[cfg(feature = "xlsx")]
fn write_the_workbook() {
    use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook};

    let date = |y, m, d| ExcelDateTime::from_ymd(y, m, d).unwrap();
    let vn = Format::new().set_num_format("dd/mm/yyyy");
    let iso = Format::new().set_num_format("yyyy-mm-dd");
    let stamp = Format::new().set_num_format("dd/mm/yyyy hh:mm");
    let mut book = Workbook::new();
    // A fixed creation time: the same bytes on every run.
    let created = ExcelDateTime::from_ymd(2020, 4, 1)
        .unwrap()
        .and_hms(8, 0, 0)
        .unwrap();
    book.set_properties(&DocProperties::new().set_creation_datetime(&created));
    let sheet = book.add_worksheet();
    sheet.set_name("Báo cáo quý I").unwrap();
    // A title row above the header, as provinces publish their tables.
    sheet
        .write_string(0, 0, "Tình hình gửi báo cáo quý I/2020")
        .unwrap();
    sheet.write_string(1, 0, "unit").unwrap();
    sheet.write_string(1, 1, "report_date").unwrap();
    for (i, (unit, _, _)) in ROWS.iter().enumerate() {
        let row = i as u32 + 2;
        sheet.write_string(row, 0, *unit).unwrap();
        match i {
            0 => sheet.write_datetime_with_format(row, 1, date(2020, 3, 15), &vn),
            1 => sheet.write_datetime_with_format(row, 1, date(2020, 4, 2), &iso),
            2 => sheet.write_datetime_with_format(row, 1, date(2020, 3, 31), &stamp),
            3 => sheet.write_string(row, 1, "2020-03-15"),
            4 => sheet.write_datetime_with_format(
                row,
                1,
                date(2020, 3, 15).and_hms(14, 30, 0).unwrap(),
                &stamp,
            ),
            5 => sheet.write_number(row, 1, 43905),
            6 => sheet.write_string(row, 1, "15/03/2020"),
            7 => sheet.write_datetime_with_format(row, 1, date(1900, 1, 10), &iso),
            _ => unreachable!(),
        }
        .unwrap();
    }
    sheet.set_column_width(0, 30).unwrap();
    sheet.set_column_width(1, 18).unwrap();
    book.save(BOOK).unwrap();
}

fn rules() -> RuleSet {
    RuleSet::load(Path::new(DIR).join("deadline.chiso")).unwrap_or_else(|e| panic!("{e}"))
}

/// The `on_time` finding of each unit in a JSON report.
fn finding<'a>(json: &'a serde_json::Value, unit: &str) -> &'a serde_json::Value {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["unit"] == unit && f["rule"] == "on_time")
        .unwrap_or_else(|| panic!("no finding for {unit}"))
}

/// What every row must read as, in a report of `book`.
fn check(book: &str, json: &serde_json::Value) {
    for (unit, cell, expect) in ROWS {
        let f = finding(json, unit);
        let at = format!("{book}: {unit}: {cell}: {f}");
        match expect {
            Expect::Date(date, status) => {
                assert_eq!(f["status"], format!("{status:?}").to_lowercase(), "{at}");
                assert_eq!(f["evidence"]["report_date"], date, "{at}");
                if status == Status::Fail {
                    assert_eq!(
                        f["message"],
                        format!("{unit} sent its report on {date}; the deadline was 2020-03-31"),
                        "{at}"
                    );
                }
            }
            Expect::Error(found) => {
                assert_eq!(f["status"], "error", "{at}");
                assert_eq!(
                    f["message"],
                    format!(
                        "cannot decide: `report_date` is {found}, expected a date such as \"2022-08-15\""
                    ),
                    "{at}"
                );
            }
        }
    }
    // Date arithmetic on a cell read as a date: 2020-04-02 is two days late.
    let unit = json["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["unit"] == "Sở Tư pháp")
        .unwrap();
    assert_eq!(unit["values"]["days_late"], 2, "{book}: {unit}");
}

#[test]
fn date_cells_read_as_calendar_dates_through_the_library() {
    let rules = rules();
    for book in [BOOK, ODS] {
        let data = rules.load_data(&[book]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(data.records.len(), ROWS.len());
        for (i, (unit, cell, expect)) in ROWS.iter().enumerate() {
            let record = &data.records[i];
            assert_eq!(record.unit, *unit);
            // Spreadsheet rows: a title row, then the header, then the units.
            assert_eq!(
                record.origin.to_string(),
                format!("{book}#Báo cáo quý I, row {}", i + 3)
            );
            let read = &record.fields["report_date"];
            match expect {
                Expect::Date(date, _) => {
                    assert_eq!(
                        *read,
                        RawValue::Text(date.to_string()),
                        "{book}: {unit}: {cell}"
                    );
                }
                Expect::Error(found) => {
                    assert_eq!(read.to_string(), *found, "{book}: {unit}: {cell}")
                }
            }
        }
        let json: serde_json::Value =
            serde_json::from_str(&rules.evaluate(&data).to_json()).unwrap();
        check(book, &json);
    }
}

#[test]
fn date_cells_read_as_calendar_dates_through_the_command_line() {
    let run = |book: &str, format: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_chiso"))
            .args([
                "run",
                "--rules",
                "tests/data/excel-dates/deadline.chiso",
                "--data",
                book,
                "--format",
                format,
            ])
            .output()
            .unwrap();
        let stdout = String::from_utf8(out.stdout).unwrap();
        // Error-severity findings that could not be decided: exit 1.
        assert_eq!(
            out.status.code(),
            Some(1),
            "{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        stdout
    };
    for book in [BOOK, ODS] {
        check(book, &serde_json::from_str(&run(book, "json")).unwrap());
        let text = run(book, "text");
        for (unit, cell, expect) in ROWS {
            let lines: Vec<&str> = text.lines().filter(|l| l.contains(unit)).collect();
            assert!(!lines.is_empty(), "{unit} is not in the report:\n{text}");
            if let Expect::Date(date, _) = expect {
                assert!(
                    !lines
                        .iter()
                        .any(|l| l.contains("439") || l.contains("error")),
                    "{book}: {unit}: {cell}: {lines:?}"
                );
                assert!(
                    text.contains(&format!("report_date = {date}")),
                    "{book}: {unit}: {cell}:\n{text}"
                );
            }
        }
        assert!(
            text.contains("Sở Tư pháp sent its report on 2020-04-02; the deadline was 2020-03-31"),
            "{text}"
        );
        assert!(
            text.contains("`report_date` is \"2020-03-15T14:30:00\", expected a date such as"),
            "{text}"
        );
    }
}
