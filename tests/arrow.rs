//! Arrow in and out (feature `arrow`): the same data as record batches gives the same
//! report as from JSON; floats are never read silently; findings and values come out
//! exact; a stream of batches decides as the record stream does.
#![cfg(feature = "arrow")]

use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::Decimal128Type;
use arrow_array::{
    Array, ArrayRef, BinaryArray, BooleanArray, Decimal128Array, DictionaryArray, Float64Array,
    Int64Array, RecordBatch, StringArray,
};
use arrow_schema::DataType;
use chiso::arrow::{self, ArrowOptions, FloatRule};
use chiso::data::RawValue;
use chiso::stream::{FindingFilter, StreamError, StreamOptions, ValueFilter};
use chiso::{DataError, Dataset, RuleSet, Status};
use rust_decimal::Decimal;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn batch(columns: Vec<(&str, ArrayRef)>) -> RecordBatch {
    RecordBatch::try_from_iter(columns).unwrap()
}

fn text(values: &[Option<&str>]) -> ArrayRef {
    Arc::new(StringArray::from(values.to_vec()))
}

/// A dataset loaded from a data file, as the record batch a DataFrame of it would be:
/// whole numbers as int64, other numbers as decimal128 at the column's largest scale,
/// text as utf8, booleans as bool, nulls as nulls. Only flat fields.
fn as_batch(data: &Dataset) -> RecordBatch {
    let mut names: Vec<String> = Vec::new();
    for r in &data.records {
        for k in r.fields.keys() {
            if !names.contains(k) {
                names.push(k.clone());
            }
        }
    }
    let mut columns: Vec<(String, ArrayRef)> = Vec::new();
    for name in names {
        let cells: Vec<&RawValue> = data
            .records
            .iter()
            .map(|r| r.fields.get(&name).unwrap_or(&RawValue::Null))
            .collect();
        let present = || cells.iter().filter(|c| !matches!(c, RawValue::Null));
        let array: ArrayRef = if present().all(|c| matches!(c, RawValue::Number(_))) {
            let decimals: Vec<Option<Decimal>> = cells
                .iter()
                .map(|c| match c {
                    RawValue::Number(n) => Some(Decimal::from_str(n).unwrap()),
                    _ => None,
                })
                .collect();
            let scale = decimals
                .iter()
                .flatten()
                .map(|d| d.scale())
                .max()
                .unwrap_or(0);
            if scale == 0 {
                Arc::new(Int64Array::from(
                    decimals
                        .iter()
                        .map(|d| d.map(|d| i64::try_from(d.mantissa()).unwrap()))
                        .collect::<Vec<_>>(),
                ))
            } else {
                let scaled: Vec<Option<i128>> = decimals
                    .iter()
                    .map(|d| d.map(|d| d.mantissa() * 10i128.pow(scale - d.scale())))
                    .collect();
                Arc::new(
                    Decimal128Array::from(scaled)
                        .with_precision_and_scale(38, scale as i8)
                        .unwrap(),
                )
            }
        } else if present().all(|c| matches!(c, RawValue::Bool(_))) {
            Arc::new(
                cells
                    .iter()
                    .map(|c| match c {
                        RawValue::Bool(b) => Some(*b),
                        _ => None,
                    })
                    .collect::<BooleanArray>(),
            )
        } else if present().all(|c| matches!(c, RawValue::Text(_) | RawValue::Number(_))) {
            Arc::new(
                cells
                    .iter()
                    .map(|c| match c {
                        RawValue::Text(t) | RawValue::Number(t) => Some(t.clone()),
                        _ => None,
                    })
                    .collect::<StringArray>(),
            )
        } else {
            continue;
        };
        columns.push((name, array));
    }
    RecordBatch::try_from_iter(columns).unwrap()
}

/// The shipped rule sets whose sample data is flat (no collections).
const FLAT: &[(&str, &str)] = &[
    (
        "rules/it-staffing",
        "examples/it-staffing/quang-ninh-2020.json",
    ),
    (
        "rules/ict-index-published/2019",
        "../shared/data/ict-index-2019-quang-ninh-reported.json",
    ),
    (
        "rules/ict-index/2019",
        "examples/ict-index/provinces-2019.json",
    ),
    (
        "rules/quang-ninh-2020-plan",
        "examples/quang-ninh-2020-plan/quang-ninh.json",
    ),
    (
        "rules/mic-it-application/2017",
        "examples/mic-it-application/agencies-2017-synthetic.json",
    ),
];

#[test]
fn the_same_data_as_arrow_gives_the_same_report_as_json() {
    for (rules, data) in FLAT {
        let rules = RuleSet::load(root().join(rules)).unwrap();
        let from_json = rules.load_data(&[root().join(data)]).unwrap();
        let batch = as_batch(&from_json);
        let from_arrow = Dataset::from_arrow([&batch], &rules.arrow_options()).unwrap();
        assert_eq!(
            rules.evaluate(&from_arrow).to_json(),
            rules.evaluate(&from_json).to_json(),
            "{data}"
        );
    }
}

#[test]
fn decimals_keep_their_scale_and_nulls_are_missing() {
    let index: ArrayRef = Arc::new(
        Decimal128Array::from(vec![Some(7350), Some(-5), None])
            .with_precision_and_scale(10, 4)
            .unwrap(),
    );
    let b = batch(vec![
        ("unit", text(&[Some("A"), Some("B"), Some("C")])),
        ("i", index),
    ]);
    let data = Dataset::from_arrow([&b], &ArrowOptions::new("unit")).unwrap();
    let field = |row: usize| data.records[row].fields["i"].clone();
    assert_eq!(field(0), RawValue::Number("0.7350".into()));
    assert_eq!(field(1), RawValue::Number("-0.0005".into()));
    assert_eq!(field(2), RawValue::Null);
}

#[test]
fn floats_are_whole_or_refused_unless_shortest_is_asked_for() {
    let b = |v: Vec<Option<f64>>| {
        let units: Vec<String> = (0..v.len()).map(|i| format!("U{i}")).collect();
        let units: Vec<Option<&str>> = units.iter().map(|u| Some(u.as_str())).collect();
        batch(vec![
            ("unit", text(&units)),
            ("x", Arc::new(Float64Array::from(v)) as ArrayRef),
        ])
    };
    // A pandas integer column with a missing value is a float column: read exactly.
    let whole = Dataset::from_arrow(
        [&b(vec![Some(3.0), Some(f64::NAN), None])],
        &ArrowOptions::new("unit"),
    )
    .unwrap();
    assert_eq!(whole.records[0].fields["x"], RawValue::Number("3".into()));
    assert_eq!(whole.records[1].fields["x"], RawValue::Null);
    assert_eq!(whole.records[2].fields["x"], RawValue::Null);

    let err = Dataset::from_arrow([&b(vec![Some(1.0), Some(0.1)])], &ArrowOptions::new("unit"))
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "arrow, row 1: `x` is the binary float 0.1, which is not an exact decimal: give the column as decimals (Arrow decimal128) or text, or opt in to reading floats as their shortest decimal"
    );

    let options = ArrowOptions {
        floats: FloatRule::Shortest,
        ..ArrowOptions::new("unit")
    };
    let shortest = Dataset::from_arrow([&b(vec![Some(0.1), Some(0.735)])], &options).unwrap();
    assert_eq!(
        shortest.records[0].fields["x"],
        RawValue::Number("0.1".into())
    );
    assert_eq!(
        shortest.records[1].fields["x"],
        RawValue::Number("0.735".into())
    );
}

#[test]
fn a_column_of_a_type_chiso_does_not_read_is_refused_only_when_read() {
    let rules = RuleSet::from_text(
        "t.chiso",
        "methodology \"T\" version 1\ninput x: integer\nrule r require x > 0",
    )
    .unwrap();
    let blob: ArrayRef = Arc::new(BinaryArray::from(vec![b"ab".as_ref()]));
    let read = batch(vec![("unit", text(&[Some("A")])), ("x", blob.clone())]);
    let err = Dataset::from_arrow([&read], &rules.arrow_options()).unwrap_err();
    assert!(matches!(err, DataError::Shape { .. }));
    assert_eq!(
        err.to_string(),
        "arrow: column `x` is of Arrow type `Binary`, which chiso does not read; give it as integers, decimals (decimal128), text, booleans or dates"
    );
    // An extra column the rule set does not read is not looked at.
    let extra = batch(vec![
        ("unit", text(&[Some("A")])),
        ("x", Arc::new(Int64Array::from(vec![1])) as ArrayRef),
        ("photo", blob),
    ]);
    let data = Dataset::from_arrow([&extra], &rules.arrow_options()).unwrap();
    assert_eq!(rules.evaluate(&data).findings[0].status, Status::Pass);
    // No unit column.
    let nameless = batch(vec![("x", Arc::new(Int64Array::from(vec![1])) as ArrayRef)]);
    let err = Dataset::from_arrow([&nameless], &rules.arrow_options()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "arrow: no column `unit` naming the units (the columns are `x`)"
    );
    // A null unit name.
    let unnamed = batch(vec![
        ("unit", text(&[Some("A"), None])),
        ("x", Arc::new(Int64Array::from(vec![1, 2])) as ArrayRef),
    ]);
    let err = Dataset::from_arrow([&unnamed], &rules.arrow_options()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "arrow, row 1: record has no `unit` field naming its unit"
    );
}

#[test]
fn categoricals_lists_and_structs_are_read_as_their_values() {
    let rules = RuleSet::from_text(
        "t.chiso",
        r#"methodology "T" version 1
input region: text
input services: list of record { id: text, level: integer }
indicator online = count(services where level >= 3)
rule north when region = "north" require online >= 1"#,
    )
    .unwrap();
    let json = Dataset::from_json_str(
        "d.json",
        r#"[{"unit": "A", "region": "north", "services": [{"id": "s1", "level": 4}, {"id": "s2", "level": 2}]},
            {"unit": "B", "region": "north", "services": []},
            {"unit": "C", "region": "south", "services": [{"id": "s1", "level": 1}]}]"#,
        "unit",
    )
    .unwrap();
    let region: ArrayRef = Arc::new(
        vec!["north", "north", "south"]
            .into_iter()
            .collect::<DictionaryArray<arrow_array::types::Int8Type>>(),
    );
    let ids = StringArray::from(vec!["s1", "s2", "s1"]);
    let levels = Int64Array::from(vec![4, 2, 1]);
    let members = arrow_array::StructArray::from(vec![
        (
            Arc::new(arrow_schema::Field::new("id", DataType::Utf8, false)),
            Arc::new(ids) as ArrayRef,
        ),
        (
            Arc::new(arrow_schema::Field::new("level", DataType::Int64, false)),
            Arc::new(levels) as ArrayRef,
        ),
    ]);
    let services: ArrayRef = Arc::new(arrow_array::ListArray::new(
        Arc::new(arrow_schema::Field::new(
            "item",
            members.data_type().clone(),
            false,
        )),
        arrow_buffer::OffsetBuffer::new(vec![0, 2, 2, 3].into()),
        Arc::new(members),
        None,
    ));
    let b = batch(vec![
        ("unit", text(&[Some("A"), Some("B"), Some("C")])),
        ("region", region),
        ("services", services),
    ]);
    let arrow = Dataset::from_arrow([&b], &rules.arrow_options()).unwrap();
    assert_eq!(
        rules.evaluate(&arrow).to_json(),
        rules.evaluate(&json).to_json()
    );
    let statuses: Vec<Status> = rules
        .evaluate(&arrow)
        .findings
        .iter()
        .map(|f| f.status)
        .collect();
    assert_eq!(statuses, [Status::Pass, Status::Fail, Status::Skip]);
}

#[test]
fn findings_come_out_as_the_report_has_them() {
    let rules = RuleSet::load(root().join("rules/it-staffing")).unwrap();
    let data = rules
        .load_data(&[root().join("examples/it-staffing/quang-ninh-2020.json")])
        .unwrap();
    let report = rules.evaluate(&data);
    let b = arrow::findings_batch(&report.findings).unwrap();
    assert_eq!(b.schema(), arrow::findings_schema());
    assert_eq!(b.num_rows(), report.findings.len());
    let column = |name: &str| b.column_by_name(name).unwrap().as_string::<i32>().clone();
    let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
    for (i, f) in json["findings"].as_array().unwrap().iter().enumerate() {
        assert_eq!(column("rule").value(i), f["rule"]);
        assert_eq!(column("unit").value(i), f["unit"]);
        assert_eq!(column("status").value(i), f["status"]);
        assert_eq!(column("severity").value(i), f["severity"]);
        assert_eq!(column("message").value(i), f["message"]);
        let evidence: serde_json::Value =
            serde_json::from_str(column("evidence").value(i)).unwrap();
        assert_eq!(evidence, f["evidence"]);
        match f.get("cite") {
            Some(cite) => assert_eq!(column("cite").value(i), cite),
            None => assert!(column("cite").is_null(i)),
        }
    }
}

#[test]
fn report_values_are_exact_decimals() {
    let rules = RuleSet::load(root().join("rules/ict-index-published/2019")).unwrap();
    let data = rules
        .load_data(&[root().join("../shared/data/ict-index-2019-quang-ninh-reported.json")])
        .unwrap();
    let report = rules.evaluate(&data);
    let b = arrow::report_values_batch(&report).unwrap();
    let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
    let values = json["units"][0]["values"].as_object().unwrap();
    assert!(!values.is_empty());
    for (name, value) in values {
        let column = b.column_by_name(name).unwrap();
        let DataType::Decimal128(38, scale) = column.data_type() else {
            panic!("{name} is {}", column.data_type());
        };
        let cell = column.as_primitive::<Decimal128Type>().value(0);
        let exact = Decimal::from_i128_with_scale(cell, *scale as u32);
        assert_eq!(
            exact,
            Decimal::from_str(&value.to_string()).unwrap(),
            "{name}"
        );
    }
}

#[test]
fn values_beyond_38_digits_at_the_column_scale_are_exact_text() {
    let rules = RuleSet::from_text(
        "t.chiso",
        "methodology \"T\" version 1\ninput x: number\nindicator y = x / 3",
    )
    .unwrap();
    let data = Dataset::from_json_str(
        "d.json",
        r#"[{"unit": "A", "x": 1}, {"unit": "B", "x": 30000000000000000000000000}]"#,
        "unit",
    )
    .unwrap();
    let report = rules.evaluate(&data);
    let b = arrow::report_values_batch(&report).unwrap();
    let y = b.column_by_name("y").unwrap();
    assert_eq!(y.data_type(), &DataType::Utf8);
    assert_eq!(
        y.as_string::<i32>().value(0),
        "0.3333333333333333333333333333"
    );
    assert_eq!(y.as_string::<i32>().value(1), "10000000000000000000000000");
}

fn staffing_batches(rows: usize, per_batch: usize) -> Vec<RecordBatch> {
    (0..rows)
        .step_by(per_batch)
        .map(|start| {
            let end = (start + per_batch).min(rows);
            let units: Vec<String> = (start..end).map(|i| format!("agency {i}")).collect();
            let n = |f: &dyn Fn(usize) -> i64| -> ArrayRef {
                Arc::new(Int64Array::from((start..end).map(f).collect::<Vec<_>>()))
            };
            batch(vec![
                ("unit", Arc::new(StringArray::from(units)) as ArrayRef),
                ("staff_total", n(&|i| 10 + (i % 50) as i64)),
                ("it_qualified_staff", n(&|i| (i % 5) as i64)),
                ("it_dedicated_staff", n(&|i| (i % 3) as i64)),
                ("it_dedicated_with_degree", n(&|i| (i % 2) as i64)),
                ("infosec_staff", n(&|i| (i % 4 == 0) as i64)),
                ("staff_trained_infosec", n(&|i| (i % 60) as i64)),
            ])
        })
        .collect()
}

#[test]
fn a_stream_of_batches_decides_as_the_record_stream_does() {
    let rules = RuleSet::load(root().join("rules/it-staffing")).unwrap();
    let batches = staffing_batches(2_500, 1_000);
    let data = Dataset::from_arrow(&batches, &rules.arrow_options()).unwrap();
    let options = StreamOptions {
        findings: FindingFilter::All,
        values: ValueFilter::Declared,
    };
    let expected = rules.evaluate_lean(&data, &options);
    let mut stream = rules
        .validate_batches(batches.into_iter(), options, rules.arrow_options())
        .unwrap();
    let mut findings = 0;
    let mut units = Vec::new();
    for out in stream.by_ref() {
        let out = out.unwrap();
        findings += out.findings.num_rows();
        let values = out.values.unwrap();
        assert_eq!(values.num_rows(), out.rows);
        let share = values.column_by_name("share_trained_infosec").unwrap();
        for i in 0..values.num_rows() {
            units.push((
                values.column(0).as_string::<i32>().value(i).to_string(),
                share.as_string::<i32>().value(i).to_string(),
            ));
        }
    }
    assert_eq!(findings, expected.findings.len());
    assert_eq!(stream.summary(), &expected.summary);
    assert_eq!(stream.rows(), 2_500);
    assert_eq!(units.len(), 2_500);
    for (u, (name, share)) in expected.units.iter().zip(&units) {
        assert_eq!(&u.unit, name);
        assert_eq!(u.values["share_trained_infosec"].to_string(), *share);
    }
}

#[test]
fn a_unit_twice_across_batches_ends_the_stream() {
    let rules = RuleSet::load(root().join("rules/it-staffing")).unwrap();
    let mut batches = staffing_batches(10, 10);
    batches.extend(staffing_batches(1, 1));
    let mut stream = rules
        .validate_batches(
            batches.into_iter(),
            StreamOptions::default(),
            rules.arrow_options(),
        )
        .unwrap();
    assert!(stream.next().unwrap().is_ok());
    let err = stream.next().unwrap().unwrap_err();
    assert_eq!(
        err.to_string(),
        "arrow, row 10: unit `agency 0` appears twice (first at arrow, row 0)"
    );
    assert!(stream.next().is_none());
}

#[test]
fn a_rule_set_comparing_units_is_not_streamed() {
    let rules = RuleSet::load(root().join("rules/ict-index/2019")).unwrap();
    let err = rules
        .validate_batches(
            std::iter::empty(),
            StreamOptions::default(),
            rules.arrow_options(),
        )
        .err()
        .unwrap();
    assert!(matches!(err, StreamError::Cohort { .. }), "{err}");
}

/// The ICT Index normalises across every province: over batches it is gathered and
/// decided once, and says what the report over the same data says.
#[test]
fn a_rule_set_comparing_units_is_decided_over_all_batches_together() {
    let rules = RuleSet::load(root().join("rules/ict-index/2019")).unwrap();
    let data = rules
        .load_data(&[root().join("examples/ict-index/provinces-2019.json")])
        .unwrap();
    let whole = as_batch(&data);
    let batches: Vec<RecordBatch> = [(0, 20), (20, 25), (45, 18)]
        .iter()
        .map(|&(at, n)| whole.slice(at, n))
        .collect();
    let options = StreamOptions {
        findings: FindingFilter::All,
        values: ValueFilter::Declared,
    };
    let expected = rules.evaluate_lean(&data, &options);
    let (decided, summary) = rules
        .gather_batches(batches.clone().into_iter(), options, rules.arrow_options())
        .unwrap();
    assert_eq!(summary, expected.summary);
    assert_eq!(decided.rows, 63);
    assert_eq!(decided.findings.num_rows(), expected.findings.len());
    let values = decided.values.unwrap();
    assert_eq!(values.num_rows(), 63);
    // Normalised values depend on every province: the first and the last batch's units
    // have the report's values to the last digit.
    let index = values.column_by_name("ict_index").unwrap();
    for (i, u) in expected.units.iter().enumerate() {
        assert_eq!(values.column(0).as_string::<i32>().value(i), u.unit);
        assert_eq!(
            index.as_string::<i32>().value(i),
            u.values["ict_index"].to_string()
        );
    }
    // A unit twice, across batches, decides nothing.
    let mut twice = batches;
    twice.push(whole.slice(5, 1));
    let err = rules
        .gather_batches(twice.into_iter(), options, rules.arrow_options())
        .unwrap_err();
    assert!(err.to_string().contains("appears twice"), "{err}");
}

/// What deciding failing findings straight from batches gives, against deciding them over
/// the dataset loading makes of the same batches (equal, errors included); true when the
/// batches were read straight.
fn lean_as_loaded(rules: &RuleSet, batches: &[RecordBatch], options: &ArrowOptions) -> bool {
    let direct = rules
        .decide_failing_batches(batches, options)
        .map_err(|e| e.to_string());
    let loaded = Dataset::from_arrow(batches, options)
        .map(|d| rules.decide_failing(&d))
        .map_err(|e| e.to_string());
    assert_eq!(direct, loaded);
    if let Ok(lean) = &direct {
        let data = Dataset::from_arrow(batches, options).unwrap();
        let report = rules.render_lean(lean.clone(), &data);
        let full = rules.evaluate_lean(
            &data,
            &StreamOptions {
                findings: FindingFilter::Failing,
                values: ValueFilter::None,
            },
        );
        assert_eq!(report, full);
    }
    rules.batches_direct(batches, options).is_some()
}

const LEAN: &str = r#"methodology "Lean from batches" version 1
input a: integer >= 0
input b: integer
input c: number < 100
input o: integer optional
indicator r = a / b
rule ratio "Ratio" require r >= 40% message "{unit}: {r} of {b}"
rule small when a >= 2 require c * 3 <= b + 7
rule optional require o >= 0 or a > 5
"#;

fn ints(values: &[Option<i64>]) -> ArrayRef {
    Arc::new(Int64Array::from(values.to_vec()))
}

#[test]
fn failing_findings_decided_from_batches_are_those_of_the_loaded_dataset() {
    let rules = RuleSet::from_text("lean.chiso", LEAN).unwrap();
    let options = ArrowOptions::new("unit");
    // Names padded and in NFD, nulls, a division by zero, a value out of bounds, a tie on
    // 40%, a column the rule set does not read, other integer widths.
    let first = batch(vec![
        (
            "unit",
            text(&[Some(" A "), Some("Ho\u{0300}a"), Some("C"), Some("D")]),
        ),
        ("a", ints(&[Some(2), Some(0), None, Some(4)])),
        ("b", ints(&[Some(5), Some(0), Some(3), Some(10)])),
        (
            "c",
            Arc::new(arrow_array::Int32Array::from(vec![
                Some(1),
                Some(150),
                Some(-4),
                None,
            ])) as ArrayRef,
        ),
        ("extra", ints(&[Some(1), None, Some(3), Some(4)])),
    ]);
    let second = batch(vec![
        ("unit", text(&[Some("E"), Some("F")])),
        ("a", ints(&[Some(7), Some(1)])),
        ("b", ints(&[Some(-2), Some(2)])),
        (
            "c",
            Arc::new(arrow_array::Int32Array::from(vec![Some(2), Some(3)])) as ArrayRef,
        ),
        (
            "o",
            Arc::new(arrow_array::UInt8Array::from(vec![Some(1), None])) as ArrayRef,
        ),
    ]);
    let both = [first.clone(), second.clone()];
    assert!(lean_as_loaded(&rules, &both, &options));
    let lean = rules.decide_failing_batches(&both, &options).unwrap();
    assert!(lean.summary.failed > 0 && lean.summary.errors > 0 && lean.summary.passed > 0);
    assert!(
        lean.findings.iter().any(|f| f.unit >= 4),
        "rows of the second batch"
    );
    assert!(lean_as_loaded(
        &rules,
        &[second.clone(), first.clone()],
        &options
    ));
    assert!(lean_as_loaded(&rules, &[], &options));
    // A column read under another spelling: a note, and no unit can read `a`.
    let renamed = batch(vec![
        ("unit", text(&[Some("A"), Some("B")])),
        ("A", ints(&[Some(1), Some(2)])),
        ("b", ints(&[Some(1), Some(2)])),
        ("c", ints(&[Some(1), Some(2)])),
    ]);
    assert!(lean_as_loaded(&rules, &[renamed], &options));
    // What loading must read itself: every outcome is still the loaded one.
    let twice = batch(vec![
        ("unit", text(&[Some("A"), Some(" A")])),
        ("a", ints(&[Some(1), Some(2)])),
    ]);
    assert!(!lean_as_loaded(&rules, &[twice], &options));
    let unnamed = batch(vec![
        ("unit", text(&[Some("A"), None])),
        ("a", ints(&[Some(1), Some(2)])),
    ]);
    assert!(!lean_as_loaded(&rules, &[unnamed], &options));
    let floats = batch(vec![
        ("unit", text(&[Some("A"), Some("B")])),
        ("a", ints(&[Some(1), Some(2)])),
        (
            "c",
            Arc::new(Float64Array::from(vec![Some(1.0), Some(2.5)])) as ArrayRef,
        ),
    ]);
    assert!(!lean_as_loaded(&rules, &[floats], &options));
    let staffing = RuleSet::load(root().join("rules/it-staffing")).unwrap();
    let data = staffing
        .load_data(&[root().join("examples/it-staffing/quang-ninh-2020.json")])
        .unwrap();
    let sample = as_batch(&data);
    let mut key = ArrowOptions::new(staffing.unit_key());
    // Its text columns (notes) are loading's to read; without them the batch is read
    // straight.
    assert!(!lean_as_loaded(
        &staffing,
        std::slice::from_ref(&sample),
        &key
    ));
    key.columns = Some(
        staffing
            .program()
            .inputs
            .iter()
            .map(|i| i.field.clone())
            .collect(),
    );
    assert!(lean_as_loaded(
        &staffing,
        std::slice::from_ref(&sample),
        &key
    ));
    let halves = [sample.slice(0, 3), sample.slice(3, sample.num_rows() - 3)];
    assert!(lean_as_loaded(&staffing, &halves, &key));
}

#[test]
fn a_unit_twice_far_apart_in_a_long_stream_of_batches_is_found_at_the_end() {
    // Past the units the stream keeps in memory (about 115,000), names go to disk and are
    // checked once, when the batches end: both occurrences here are past that point.
    let rules = RuleSet::from_text(
        "t.chiso",
        "methodology \"T\" version 1\ninput x: integer\nrule r require x >= 0",
    )
    .unwrap();
    let rows = 12_000;
    let batches: Vec<RecordBatch> = (0..11)
        .map(|b| {
            let names: Vec<String> = (0..rows)
                .map(|r| match b * rows + r {
                    125_000 => "U 118000".to_string(),
                    i => format!("U {i}"),
                })
                .collect();
            let names: Vec<Option<&str>> = names.iter().map(|n| Some(n.as_str())).collect();
            batch(vec![
                ("unit", text(&names)),
                ("x", ints(&vec![Some(1); rows])),
            ])
        })
        .collect();
    let options = StreamOptions {
        findings: FindingFilter::Failing,
        values: ValueFilter::None,
    };
    let stream = rules
        .validate_batches(batches.into_iter(), options, ArrowOptions::new("unit"))
        .unwrap();
    let items: Vec<_> = stream.collect();
    assert_eq!(items.len(), 12, "eleven batches, then the check at the end");
    assert!(items[..11].iter().all(Result::is_ok));
    let Err(err) = &items[11] else {
        panic!("the unit given twice passed");
    };
    let message = err.to_string();
    assert!(message.contains("U 118000"), "{message}");
    assert!(
        message.contains("row 125000") && message.contains("row 118000"),
        "{message}"
    );
}
