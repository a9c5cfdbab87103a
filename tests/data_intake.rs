//! Data as it really arrives: unit names in two Unicode forms, control characters, fields
//! and columns written twice, numbers with more digits than an exact decimal holds, and
//! files large enough that a quadratic duplicate check would show.

use std::time::{Duration, Instant};

use chiso::{Dataset, RuleSet, Status};

#[test]
fn one_hundred_thousand_csv_rows_load_in_linear_time() {
    let mut csv = String::from("unit,x\n");
    for i in 0..100_000 {
        csv.push_str(&format!("Unit {i},{i}\n"));
    }
    let start = Instant::now();
    let data = Dataset::from_csv_str("big.csv", &csv, "unit").unwrap();
    assert_eq!(data.records.len(), 100_000);
    // The scan over every earlier record took minutes; a hash lookup takes a
    // few seconds even in a debug build on a busy machine.
    assert!(
        start.elapsed() < Duration::from_secs(60),
        "{:?}",
        start.elapsed()
    );
    let dup = format!("{csv}Unit 5,1\n");
    let err = Dataset::from_csv_str("big.csv", &dup, "unit").unwrap_err();
    assert_eq!(
        err.to_string(),
        "big.csv, row 100002: unit `Unit 5` appears twice (first at big.csv, row 7)"
    );
}

#[test]
fn a_unit_typed_in_nfd_and_nfc_is_one_unit() {
    let nfd = "So\u{31b}\u{309} Y te\u{302}\u{301}";
    let json = format!(r#"[{{"unit": "Sở Y tế", "x": 1}}, {{"unit": "{nfd}", "x": 2}}]"#);
    let err = Dataset::from_json_str("d.json", &json, "unit").unwrap_err();
    assert!(
        err.to_string().contains("unit `Sở Y tế` appears twice"),
        "{err}"
    );
    let data =
        Dataset::from_json_str("d.json", &format!(r#"[{{"unit": "{nfd}"}}]"#), "unit").unwrap();
    assert_eq!(data.records[0].unit, "Sở Y tế");
    assert_eq!(data.position("Sở Y tế"), Some(0));
    assert_eq!(data.position(nfd), Some(0));
}

#[test]
fn control_characters_in_unit_names_are_refused() {
    let err = Dataset::from_json_str("d.json", r#"[{"unit": "A\u0000B"}]"#, "unit").unwrap_err();
    assert_eq!(
        err.to_string(),
        "d.json, [0]: the unit name \"A\\0B\" holds the control character U+0000 at byte 1; unit names must be printable"
    );
    let err = Dataset::from_csv_str("d.csv", "unit,x\n\"Evil\x1b[31m\",1\n", "unit").unwrap_err();
    assert!(err.to_string().contains("U+001B"), "{err}");
}

#[test]
fn a_json_field_written_twice_is_refused() {
    let err = Dataset::from_json_str(
        "d.json",
        r#"{"units": [{"unit": "A", "staff": 3, "staff": 4}]}"#,
        "unit",
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("the key `staff` is written twice in one object (as its field 2 and 3)"),
        "{err}"
    );
}

#[test]
fn a_number_beyond_28_significant_digits_is_an_error_not_cut() {
    let rules = RuleSet::from_text(
        "t.chiso",
        "methodology \"T\" version 1\ninput x: number\nrule r require x > 0",
    )
    .unwrap();
    let data = Dataset::from_json_str(
        "d.json",
        r#"[{"unit": "A", "x": 3.14159265358979323846264338327950}, {"unit": "B", "x": "0.1234567890123456789012345678"}]"#,
        "unit",
    )
    .unwrap();
    let report = rules.evaluate(&data);
    assert_eq!(report.findings[0].status, Status::Error);
    assert!(
        report.findings[0]
            .message
            .contains("at most 28 significant digits"),
        "{}",
        report.findings[0].message
    );
    assert_eq!(report.findings[1].status, Status::Pass);
}

#[test]
fn a_field_value_stays_as_small_as_a_string() {
    // Reading a column of a dataset walks every record's fields: a JSON array or object
    // kept inline would make every field as large as a whole map.
    assert!(std::mem::size_of::<chiso::data::RawValue>() <= 32);
}
