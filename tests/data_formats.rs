//! One published table in every shape auditors receive it: semicolon CSV with a
//! byte-order mark and a title row, Excel's UTF-16 "Unicode text", a Windows-1258 export,
//! an `.xlsx` with title rows and comma-decimal text cells, an `.ods` with float cells.
//! Each gives the same report as the clean JSON. The files are made by
//! `tests/data/intake/make_fixtures.py`.

use std::path::Path;
use std::process::Command;

use chiso::data::numbers::NumberFormat;
use chiso::{Dataset, LoadOptions, RuleSet};

const DIR: &str = "tests/data/intake";

fn rules() -> RuleSet {
    RuleSet::load(Path::new(DIR).join("published.chiso")).unwrap_or_else(|e| panic!("{e}"))
}

fn report(file: &str, options: &LoadOptions) -> String {
    let rules = rules();
    let data = rules
        .load_data_with(&[Path::new(DIR).join(file)], options)
        .unwrap_or_else(|e| panic!("{e}"));
    rules.evaluate(&data).to_json()
}

fn comma_decimals() -> LoadOptions {
    let mut o = rules().load_options();
    o.numbers = NumberFormat {
        decimal: ',',
        thousands: None,
    };
    o
}

#[test]
fn the_clean_json_report() {
    let clean = report("published-2017.json", &rules().load_options());
    insta::assert_snapshot!("published_2017_clean", clean);
}

#[test]
fn a_semicolon_csv_with_bom_title_row_and_decimal_commas() {
    let clean = report("published-2017.json", &rules().load_options());
    assert_eq!(
        report("published-2017-semicolon-bom.csv", &comma_decimals()),
        clean
    );
}

#[test]
fn excel_unicode_text_utf16_tab_separated() {
    let clean = report("published-2017.json", &rules().load_options());
    assert_eq!(
        report("published-2017-unicode.txt", &comma_decimals()),
        clean
    );
}

#[test]
fn a_windows_1258_export_when_declared() {
    let clean = report("published-2017.json", &rules().load_options());
    let mut o = rules().load_options();
    o.encoding = Some("windows-1258".into());
    assert_eq!(report("published-2017-cp1258.csv", &o), clean);
    // Undeclared, its bytes are not UTF-8: an error at the first bad byte, not mojibake.
    let err = rules()
        .load_data(&[Path::new(DIR).join("published-2017-cp1258.csv")])
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "tests/data/intake/published-2017-cp1258.csv: byte 32 (line 2) is not valid UTF-8; declare the file's encoding (e.g. `--encoding windows-1258`) or save it as UTF-8"
    );
}

#[cfg(feature = "excel")]
#[test]
fn an_xlsx_with_title_rows_and_comma_decimal_text_cells() {
    let clean = report("published-2017.json", &rules().load_options());
    assert_eq!(report("published-2017.xlsx", &comma_decimals()), clean);
    // The sheet by name in the path, and by number.
    assert_eq!(
        report("published-2017.xlsx#Xếp hạng", &comma_decimals()),
        clean
    );
    let mut o = comma_decimals();
    o.sheet = Some("1".into());
    o.header_row = Some(3);
    assert_eq!(report("published-2017.xlsx", &o), clean);
    let data = Dataset::load_with(&Path::new(DIR).join("published-2017.xlsx"), &o).unwrap();
    assert_eq!(
        data.records[0].origin.to_string(),
        "tests/data/intake/published-2017.xlsx#Xếp hạng, row 4"
    );
    o.sheet = Some("Tổng hợp".into());
    let err = Dataset::load_with(&Path::new(DIR).join("published-2017.xlsx"), &o).unwrap_err();
    assert!(
        err.to_string()
            .contains("no sheet `Tổng hợp`; the workbook's sheets are: Xếp hạng, Ghi chú"),
        "{err}"
    );
    let mut o = comma_decimals();
    o.header_row = Some(1);
    let err = Dataset::load_with(&Path::new(DIR).join("published-2017.xlsx"), &o).unwrap_err();
    assert!(
        err.to_string()
            .contains("the header row 1 has no `tinh` column"),
        "{err}"
    );
}

#[cfg(feature = "excel")]
#[test]
fn an_ods_with_float_cells_reads_the_digits_shown() {
    let clean = report("published-2017.json", &rules().load_options());
    assert_eq!(report("published-2017.ods", &rules().load_options()), clean);
}

#[test]
fn the_command_line_takes_the_same_options() {
    let run = |extra: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_chiso"))
            .args([
                "run",
                "--rules",
                "tests/data/intake/published.chiso",
                "--format",
                "json",
            ])
            .args(extra)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).to_string(),
        )
    };
    let (code, clean) = run(&["--data", "tests/data/intake/published-2017.json"]);
    assert_eq!(code, Some(0));
    let (code, csv) = run(&[
        "--data",
        "tests/data/intake/published-2017-semicolon-bom.csv",
        "--decimal-comma",
        "--delimiter",
        ";",
    ]);
    assert_eq!(code, Some(0));
    assert_eq!(csv, clean);
    let (code, legacy) = run(&[
        "--data",
        "tests/data/intake/published-2017-cp1258.csv",
        "--encoding",
        "windows-1258",
    ]);
    assert_eq!(code, Some(0));
    assert_eq!(legacy, clean);
}
