//! Text and CSV reports written from a stream (`RuleSet::write_report_files`, and so
//! `chiso run --format text|csv` for a rule set without cohort operations) are byte for
//! byte the whole report's, over shipped rule sets, real export files and data that
//! makes every kind of note, with every `--findings` and `--values` choice.

use std::path::{Path, PathBuf};
use std::process::Command;

use chiso::stream::{FindingFilter, Layout, Records, StreamError, StreamOptions, ValueFilter};
use chiso::{LoadOptions, RuleSet};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A new folder for one test's files.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("chiso-stream-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const LAYOUTS: [Layout; 3] = [Layout::Text, Layout::CsvFindings, Layout::CsvValues];

fn all_options() -> Vec<StreamOptions> {
    let mut out = Vec::new();
    for findings in [FindingFilter::All, FindingFilter::Failing] {
        for values in [ValueFilter::None, ValueFilter::Declared, ValueFilter::All] {
            out.push(StreamOptions { findings, values });
        }
    }
    out
}

/// The whole report's bytes and whether it has errors.
fn whole(
    rules: &RuleSet,
    files: &[PathBuf],
    reading: &LoadOptions,
    options: StreamOptions,
    layout: Layout,
) -> Result<(Vec<u8>, bool), String> {
    let data = rules
        .load_data_with(files, reading)
        .map_err(|e| e.to_string())?;
    let report = if options == StreamOptions::default() {
        rules.evaluate(&data)
    } else {
        rules.evaluate_lean(&data, &options)
    };
    let bytes = match layout {
        Layout::Text => report
            .to_text_within(rules.resources().report_bytes)
            .map_err(|e| e.to_string())?
            .into_bytes(),
        Layout::CsvFindings => chiso::report::csv::findings(&report).unwrap().into_bytes(),
        Layout::CsvValues => chiso::report::csv::values(&report).unwrap().into_bytes(),
    };
    Ok((bytes, report.has_errors()))
}

/// The streamed report's bytes and whether it has errors.
fn streamed(
    rules: &RuleSet,
    files: &[PathBuf],
    reading: &LoadOptions,
    options: StreamOptions,
    layout: Layout,
) -> Result<(Vec<u8>, bool), StreamError> {
    let mut out = Vec::new();
    let records = Records::open_with(files, reading.clone());
    let written = rules.write_report_files(records, options, layout, &mut out)?;
    Ok((out, written.has_errors))
}

/// Compares both over every layout and option; returns how many reports were compared.
fn same_reports(rules: &RuleSet, files: &[PathBuf], reading: &LoadOptions, what: &str) -> usize {
    let mut compared = 0;
    for options in all_options() {
        for layout in LAYOUTS {
            let expected = whole(rules, files, reading, options, layout);
            let got = streamed(rules, files, reading, options, layout);
            match (expected, got) {
                (Ok((want, want_errors)), Ok((got, got_errors))) => {
                    if want != got {
                        let (w, g) = (
                            String::from_utf8_lossy(&want),
                            String::from_utf8_lossy(&got),
                        );
                        let line = w.lines().zip(g.lines()).position(|(a, b)| a != b);
                        panic!(
                            "{what}, {options:?}, {layout:?}: streamed report differs (first at line {line:?}):\n--- whole\n{w}\n--- streamed\n{g}"
                        );
                    }
                    assert_eq!(
                        want_errors, got_errors,
                        "{what}, {options:?}, {layout:?}: exit"
                    );
                    compared += 1;
                }
                (Err(want), Err(got)) => {
                    assert_eq!(want, got.to_string(), "{what}, {options:?}, {layout:?}")
                }
                (want, got) => panic!(
                    "{what}, {options:?}, {layout:?}: whole {:?} but streamed {:?}",
                    want.map(|_| "a report"),
                    got.map(|_| "a report")
                ),
            }
        }
    }
    compared
}

#[test]
fn shipped_rule_sets_stream_the_reports_they_write_whole() {
    let mut compared = 0;
    let mut cohort = Vec::new();
    for (rules_dir, data) in [
        (
            "rules/it-staffing",
            "examples/it-staffing/quang-ninh-2020.json",
        ),
        ("rules/it-staffing", "examples/it-staffing/stream.jsonl"),
        ("rules/it-staffing", "tests/data/staffing.csv"),
        ("rules/it-staffing", "tests/data/staffing-bad-values.json"),
        (
            "rules/decree-43-2011",
            "examples/decree-43-2011/portals-2020.json",
        ),
        (
            "rules/mic-it-application/2017",
            "examples/mic-it-application/agencies-2017-synthetic.json",
        ),
        (
            "rules/online-services/2019",
            "examples/online-services/provinces-2019.json",
        ),
        (
            "rules/published-audit",
            "examples/published-audit/quang-ninh-2019.json",
        ),
        (
            "rules/published-audit",
            "examples/published-audit/mic-2017-provinces.json",
        ),
        (
            "rules/quang-binh-2025-plan",
            "examples/quang-binh-2025-plan/quang-binh.json",
        ),
        (
            "rules/quang-ninh-2020-plan",
            "examples/quang-ninh-2020-plan/quang-ninh.json",
        ),
        (
            "rules/ict-index/2019",
            "examples/ict-index/provinces-2019.json",
        ),
    ] {
        let rules = RuleSet::load(root().join(rules_dir)).expect(rules_dir);
        if !chiso::stream::cohort_operations(rules.program()).is_empty() {
            cohort.push(rules_dir);
        }
        compared += same_reports(
            &rules,
            &[root().join(data)],
            &rules.load_options(),
            &format!("{rules_dir} on {data}"),
        );
    }
    // Rule sets that compare units are gathered, then written as a whole report is.
    assert!(
        cohort.contains(&"rules/ict-index/2019") && cohort.len() >= 4,
        "{cohort:?}"
    );
    // JSON Lines read whole and streamed, up to the example's deliberately bad line 7.
    let dir = scratch("lines");
    let text = std::fs::read_to_string(root().join("examples/it-staffing/stream.jsonl")).unwrap();
    let first: Vec<&str> = text.lines().take(6).collect();
    std::fs::write(dir.join("six.jsonl"), first.join("\n") + "\n").unwrap();
    let rules = RuleSet::load(root().join("rules/it-staffing")).unwrap();
    compared += same_reports(
        &rules,
        &[dir.join("six.jsonl")],
        &rules.load_options(),
        "six.jsonl",
    );
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(compared >= 12 * 18, "only {compared} reports compared");
}

#[test]
fn export_files_stream_the_reports_they_write_whole() {
    // The intake fixtures' rule set checks published ranks (a cohort operation); here
    // each unit is checked on its own so that the reports stream.
    let text = std::fs::read_to_string(root().join("tests/data/intake/published.chiso"))
        .unwrap()
        .replace("indicator place = rank of index\n", "")
        .replace("rank index\n", "")
        .replace(
            "require published_rank = place",
            "require published_rank <= 3",
        )
        .replace("ranks {place}", "is published");
    let unit_by_unit = RuleSet::from_text("published.chiso", &text).unwrap();
    assert!(chiso::stream::cohort_operations(unit_by_unit.program()).is_empty());
    let ranked = RuleSet::load(root().join("tests/data/intake/published.chiso")).unwrap();
    let mut compared = 0;
    for rules in [&unit_by_unit, &ranked] {
        for (file, decimal_comma, encoding) in [
            ("published-2017-semicolon-bom.csv", true, None),
            ("published-2017-unicode.txt", true, None),
            ("published-2017-cp1258.csv", false, Some("windows-1258")),
            ("published-2017.json", false, None),
            ("published-2017.xlsx", true, None),
            ("published-2017.ods", false, None),
        ] {
            if !cfg!(feature = "excel") && (file.ends_with(".xlsx") || file.ends_with(".ods")) {
                continue;
            }
            let mut reading = rules.load_options();
            if decimal_comma {
                reading.numbers.decimal = ',';
            }
            reading.encoding = encoding.map(str::to_string);
            compared += same_reports(
                rules,
                &[root().join("tests/data/intake").join(file)],
                &reading,
                file,
            );
        }
    }
    assert!(compared >= 2 * 4 * 18, "only {compared} reports compared");
}

/// A rule set and files that make every note a report opens with, and a unit note.
fn noted_case(dir: &Path) -> (RuleSet, Vec<PathBuf>) {
    std::fs::write(
        dir.join("r.chiso"),
        r#"methodology "Noted" version 1
  unit province key "tinh"
alias "Khánh Hoà" for "Khánh Hòa"
input staff: integer >= 0
input budget: number
input online: percent in 0% .. 100%
input trained: integer optional
indicator per_staff = budget / staff
rule staffed require staff >= 1
rule online_half require online >= 50%
"#,
    )
    .unwrap();
    // `budjet` is a near miss for `budget`; `online` holds fractions; `trained` has no
    // column (optional: no note); `note` is read by nobody (only `--strict` minds).
    std::fs::write(
        dir.join("a.csv"),
        "tinh,staff,budjet,online,note\nKhánh Hoà,3,10,0.5,x\nHà Nội,0,5,0.75,y\nĐà Nẵng,NA,7,1,z\n",
    )
    .unwrap();
    // `staff` unreadable here, and no `budget` column in either file.
    std::fs::write(
        dir.join("b.json"),
        r#"[{"tinh": "Huế", "staff": "many", "online": 60}, {"tinh": "Cần Thơ", "staff": "few", "online": "40%"}]"#,
    )
    .unwrap();
    let rules = RuleSet::load(dir.join("r.chiso")).unwrap();
    (rules, vec![dir.join("a.csv"), dir.join("b.json")])
}

#[test]
fn data_notes_and_aliases_are_said_as_the_whole_report_says_them() {
    let dir = scratch("notes");
    let (rules, files) = noted_case(&dir);
    let (text, _) = whole(
        &rules,
        &files,
        &rules.load_options(),
        StreamOptions::default(),
        Layout::Text,
    )
    .unwrap();
    let text = String::from_utf8(text).unwrap();
    // The case makes what it should, so the comparison below covers it.
    for said in [
        "budjet",
        "fraction",
        "written as: “Khánh Hoà” in",
        "`budget` could not be read",
    ] {
        assert!(text.contains(said), "no `{said}` in:\n{text}");
    }
    let compared = same_reports(&rules, &files, &rules.load_options(), "noted");
    assert_eq!(compared, 18);
    // The same units ranked: gathered, with a ranking table and rank columns.
    let text = std::fs::read_to_string(dir.join("r.chiso")).unwrap()
        + "indicator place = rank of per_staff\nrank staff\n";
    std::fs::write(dir.join("r.chiso"), text).unwrap();
    let ranked = RuleSet::load(dir.join("r.chiso")).unwrap();
    assert!(!chiso::stream::cohort_operations(ranked.program()).is_empty());
    let (text, _) = whole(
        &ranked,
        &files,
        &ranked.load_options(),
        StreamOptions::default(),
        Layout::Text,
    )
    .unwrap();
    assert!(String::from_utf8_lossy(&text).contains("Ranking by staff"));
    assert_eq!(
        same_reports(&ranked, &files, &ranked.load_options(), "ranked"),
        18
    );
    // Each file alone too: notes per file, one unit's faults its own.
    for file in &files {
        same_reports(
            &rules,
            std::slice::from_ref(file),
            &rules.load_options(),
            "one file",
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_report_larger_than_allowed_is_refused_whole_or_streamed() {
    let dir = scratch("large");
    let mut csv = String::from("unit,x\n");
    for i in 0..2_000 {
        csv.push_str(&format!("U{i},{}\n", i % 3));
    }
    std::fs::write(dir.join("d.csv"), csv).unwrap();
    let rules = RuleSet::builder()
        .resources(chiso::ResourceLimits {
            report_bytes: 20_000,
            ..chiso::ResourceLimits::default()
        })
        .from_text(
            "t.chiso",
            "methodology \"T\" version 1\ninput x: number\nrule r require x > 0",
        )
        .unwrap();
    let files = [dir.join("d.csv")];
    for layout in LAYOUTS {
        let options = StreamOptions::default();
        let whole = whole(&rules, &files, &rules.load_options(), options, layout);
        let got = streamed(&rules, &files, &rules.load_options(), options, layout);
        // The library's CSV tables are not bounded; `chiso run` bounds them as the stream
        // does.
        let too_large = whole.as_ref().map_or(true, |(b, _)| b.len() > 20_000);
        assert_eq!(too_large, layout != Layout::CsvValues, "{layout:?}");
        match got {
            Err(StreamError::TooLarge(e)) if too_large => assert_eq!(e.max, 20_000),
            Ok((bytes, _)) if !too_large => assert_eq!(bytes, whole.unwrap().0),
            other => panic!("{layout:?}: {:?}", other.map(|_| "a report")),
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

fn chiso(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_chiso"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("chiso runs")
}

#[test]
fn the_command_line_streams_text_and_csv_and_joins_split_units_whole() {
    let rules = RuleSet::load(root().join("rules/it-staffing")).unwrap();
    let data = root().join("tests/data/staffing.csv");
    for (layout, args) in [
        (Layout::Text, vec!["--format", "text"]),
        (Layout::CsvFindings, vec!["--format", "csv"]),
        (
            Layout::CsvValues,
            vec!["--format", "csv", "--table", "values"],
        ),
    ] {
        let mut run = vec![
            "run",
            "--rules",
            "rules/it-staffing",
            "--data",
            "tests/data/staffing.csv",
        ];
        run.extend(args);
        let out = chiso(&run);
        let (want, errors) = whole(
            &rules,
            std::slice::from_ref(&data),
            &rules.load_options(),
            StreamOptions::default(),
            layout,
        )
        .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&want)
        );
        assert_eq!(out.status.code(), Some(if errors { 1 } else { 0 }));
    }
    // A unit's fields in two files: a stream cannot join them, so the whole report does.
    let dir = scratch("split");
    std::fs::write(
        dir.join("counts.csv"),
        "unit,staff_total,it_qualified_staff,it_dedicated_staff\nSở A,50,3,1\nSở B,20,1,0\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("more.csv"),
        "unit,it_dedicated_with_degree,infosec_staff,staff_trained_infosec\nSở A,1,0,50\nSở B,0,0,3\n",
    )
    .unwrap();
    let files = [dir.join("counts.csv"), dir.join("more.csv")];
    let (want, _) = whole(
        &rules,
        &files,
        &rules.load_options(),
        StreamOptions::default(),
        Layout::Text,
    )
    .unwrap();
    let (a, b) = (files[0].to_str().unwrap(), files[1].to_str().unwrap());
    let out = chiso(&["run", "--rules", "rules/it-staffing", "--data", a, b]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&want)
    );
    assert!(String::from_utf8_lossy(&want).contains("Sở A"));
    // Written to a file, a failed run leaves the file as it was.
    let report = dir.join("report.txt");
    std::fs::write(&report, "kept").unwrap();
    let bad = dir.join("bad.csv");
    std::fs::write(&bad, "unit,staff_total\nSở A,1\nSở A,2\n").unwrap();
    let out = chiso(&[
        "run",
        "--rules",
        "rules/it-staffing",
        "--data",
        bad.to_str().unwrap(),
        "--out",
        report.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Sở A"));
    assert_eq!(std::fs::read_to_string(&report).unwrap(), "kept");
    std::fs::remove_dir_all(&dir).unwrap();
}
