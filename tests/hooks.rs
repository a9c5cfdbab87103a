//! rhai hooks: values across the boundary, the sandbox (each way a script can run away
//! ends in a specific error, never a hang or a crash), compile errors at the script's
//! position, native functions and limits from the embedding program, and the shipped
//! hook whose behaviour changes when only its script changes. Paths are relative to the
//! package root, where cargo runs integration tests, so messages are stable.
#![cfg(feature = "rhai")]

use std::path::{Path, PathBuf};
use std::time::Duration;

use chiso::{Dataset, Limits, LoadError, Report, RuleSet, Status, Value};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn data() -> Dataset {
    Dataset::from_json_str(
        "units.json",
        r#"[{"unit": "A", "x": 2, "y": 5}, {"unit": "B", "x": "0.1", "y": 3}]"#,
        "unit",
    )
    .unwrap()
}

fn sandbox() -> Report {
    let rules = RuleSet::load("tests/hooks/sandbox.chiso").unwrap_or_else(|e| panic!("{e}"));
    rules.evaluate(&data())
}

fn error_of(report: &Report, unit: &str, name: &str) -> String {
    let u = report.units.iter().find(|u| u.unit == unit).unwrap();
    u.errors
        .get(name)
        .cloned()
        .unwrap_or_else(|| panic!("{name} of {unit} has a value"))
}

#[test]
fn numbers_cross_as_exact_decimals_and_hooks_serve_every_role() {
    let report = sandbox();
    let b = report.units.iter().find(|u| u.unit == "B").unwrap();
    // 0.1 × 2 in the script is exactly 0.2: no binary floating point on the way.
    assert_eq!(b.values["doubled"].to_string(), "0.2");
    // Normaliser hook: (x / best)²; aggregator hook: max − min of the members.
    let a = report.units.iter().find(|u| u.unit == "A").unwrap();
    assert_eq!(a.values["curved"].to_string(), "1");
    assert_eq!(b.values["curved"].to_string(), "0.0025");
    assert_eq!(a.values["spread"].to_string(), "3");
    // Predicate hook: pass/fail plus the evidence it returns (a number and text).
    let f = report
        .findings
        .iter()
        .find(|f| f.rule == "script_check" && f.unit == "A")
        .unwrap();
    assert_eq!(f.status, Status::Pass);
    assert_eq!(f.evidence["gap"], serde_json::json!(3));
    assert_eq!(f.evidence["note"], serde_json::json!("checked by script"));
}

#[test]
fn runaway_scripts_stop_with_specific_errors_and_the_report_stands() {
    let report = sandbox();
    let endless = error_of(&report, "A", "endless");
    assert!(
        endless.contains("stopped after 200000 operations (an endless loop?)"),
        "{endless}"
    );
    assert!(
        endless.contains("tests/hooks/sandbox.rhai:2:4"),
        "{endless}"
    );
    assert!(
        endless.contains("called by `endless(x)` at tests/hooks/sandbox.chiso:10:21"),
        "{endless}"
    );
    let recursion = error_of(&report, "A", "recursion");
    assert!(
        recursion.contains("calls nested deeper than 32 (runaway recursion?)"),
        "{recursion}"
    );
    let strings = error_of(&report, "A", "strings");
    assert!(strings.contains("grew beyond its limit"), "{strings}");
    let arrays = error_of(&report, "A", "arrays");
    assert!(arrays.contains("grew beyond its limit"), "{arrays}");
    let thrown = error_of(&report, "A", "thrown");
    assert!(thrown.contains("no data for this unit"), "{thrown}");
    // The rest of the report is produced.
    assert_eq!(report.units.len(), 2);
    assert!(
        report
            .findings
            .iter()
            .any(|f| f.rule == "double_ok" && f.status == Status::Pass)
    );
}

#[test]
fn recursion_deeper_than_a_small_stack_stops_with_an_error_not_an_abort() {
    // 32 calls (the default limit) of 20 expressions each: within every rhai limit, and
    // more than a 2 MB thread's stack in a debug build, where the process used to abort.
    let report = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(|| {
            let rules =
                RuleSet::load("tests/hooks/deep_stack.chiso").unwrap_or_else(|e| panic!("{e}"));
            let data = Dataset::from_json_str(
                "units.json",
                r#"[{"unit": "deep", "x": 1000}, {"unit": "shallow", "x": 3}]"#,
                "unit",
            )
            .unwrap();
            rules.evaluate(&data)
        })
        .unwrap()
        .join()
        .expect("the evaluation thread panicked");
    let deep = error_of(&report, "deep", "y");
    assert!(
        deep.contains("nested deeper than this thread's stack holds")
            || deep.contains("calls nested deeper than 32"),
        "{deep}"
    );
    assert!(deep.contains("deep_stack.rhai"), "{deep}");
    let shallow = report.units.iter().find(|u| u.unit == "shallow").unwrap();
    assert_eq!(
        shallow.values.get("y").map(|v| v.to_string()).as_deref(),
        Some("60")
    );
}

#[test]
fn a_script_returning_the_wrong_type_names_the_script_and_the_rule() {
    let report = sandbox();
    let wrong = error_of(&report, "A", "wrong");
    assert_eq!(
        wrong,
        "hook function `wrong_type` (tests/hooks/sandbox.rhai:6:4): returned text, expected a number \
         (called by `wrong_type(x)` at tests/hooks/sandbox.chiso:14:19)"
    );
    let nothing = error_of(&report, "A", "nothing");
    assert!(
        nothing.contains("returned nothing, expected a value"),
        "{nothing}"
    );
}

#[test]
fn the_time_limit_stops_a_script_that_the_operation_limit_allows() {
    let rules = RuleSet::builder()
        .limits(Limits {
            // The most operations there can be (0 is not unlimited): the clock stops it.
            operations: Limits::CEILING.operations,
            time: Duration::from_millis(50),
            ..Limits::default()
        })
        .load("tests/hooks/sandbox.chiso")
        .unwrap();
    let started = std::time::Instant::now();
    let report = rules.evaluate(&data());
    let endless = error_of(&report, "A", "endless");
    assert!(
        endless.contains("stopped after 50 ms, the time limit of one call"),
        "{endless}"
    );
    assert!(started.elapsed() < Duration::from_secs(30));
}

#[test]
fn the_embedding_programs_limits_win_over_the_rule_sets() {
    let rules = RuleSet::builder()
        .limits(Limits {
            operations: 1_000,
            ..Limits::default()
        })
        .load("tests/hooks/sandbox.chiso")
        .unwrap();
    let endless = error_of(&rules.evaluate(&data()), "A", "endless");
    assert!(
        endless.contains("stopped after 1000 operations"),
        "{endless}"
    );
}

fn load_error(name: &str) -> String {
    match RuleSet::load(format!("tests/hooks/{name}.chiso")) {
        Err(LoadError::Invalid { diagnostics }) => diagnostics.iter().map(|d| d.render()).collect(),
        Err(other) => panic!("{other}"),
        Ok(_) => panic!("{name} should not load"),
    }
}

#[test]
fn import_and_eval_are_refused_when_the_script_compiles() {
    let import = load_error("import");
    assert!(
        import.contains("hook script does not compile: 'import' is a reserved keyword"),
        "{import}"
    );
    assert!(import.contains("tests/hooks/import.rhai:1:1"), "{import}");
    let eval = load_error("eval");
    assert!(
        eval.contains("reserved keyword 'eval' is disabled"),
        "{eval}"
    );
    assert!(eval.contains("tests/hooks/eval.rhai:1:11"), "{eval}");
}

#[test]
fn file_access_does_not_exist_in_the_sandbox() {
    let rules = RuleSet::load("tests/hooks/files.chiso").unwrap();
    let report = rules.evaluate(&data());
    let e = error_of(&report, "A", "y");
    assert!(e.contains("calls `open_file"), "{e}");
    assert!(
        e.contains("hook scripts have no file, network or process access"),
        "{e}"
    );
    assert_eq!(report.findings[0].status, Status::Error);
}

#[test]
fn script_compile_errors_point_into_the_script() {
    let broken = load_error("broken");
    assert!(
        broken.contains("error: hook script does not compile: Unexpected ';'"),
        "{broken}"
    );
    assert!(broken.contains("tests/hooks/broken.rhai:2:16"), "{broken}");
    assert!(
        broken.contains("script named here at tests/hooks/broken.chiso:2:7"),
        "{broken}"
    );
}

#[test]
fn a_function_defined_twice_is_reported_at_its_second_definition_every_run() {
    // rhai keeps a script's functions in a hash order that changes from process to
    // process, and each definition used to be located at the first `fn name(` in the
    // text: which of the two was called the second changed from run to run, and the error
    // always pointed at the first. Now each points at its second definition, every run.
    let twice = load_error("overloads");
    for (k, name) in ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot"]
        .iter()
        .enumerate()
    {
        let message = format!("hook function `{name}` is defined twice");
        let at = twice
            .find(&message)
            .unwrap_or_else(|| panic!("no `{message}` in {twice}"));
        let rest = &twice[at + message.len()..];
        let this = &rest[..rest.find("hook function").unwrap_or(rest.len())];
        let second = format!("┌─ tests/hooks/overloads.rhai:{}:4", 9 + k);
        let first = format!("{} │ fn {name}(x) {{ x }}", 3 + k);
        assert!(this.contains(&second), "{this}");
        assert!(this.contains(&first), "{this}");
        assert!(this.contains("first defined here"), "{this}");
    }
}

#[test]
fn a_definition_is_located_past_comments_and_strings_that_spell_it() {
    // Each definition used to be found by the first `fn name(` in the text, so a comment
    // or a string spelling one ahead of the real definitions drew the error there.
    let twice = load_error("decoys");
    assert!(
        twice.contains("hook function `twice` is defined twice"),
        "{twice}"
    );
    assert!(twice.contains("┌─ tests/hooks/decoys.rhai:7:4"), "{twice}");
    assert!(twice.contains("5 │ fn twice(x) { x }"), "{twice}");
    for decoy in ["1 │", "2 │", "3 │", "4 │"] {
        assert!(
            !twice.contains(decoy),
            "a comment or string taken for a definition: {twice}"
        );
    }
}

#[test]
fn unknown_and_misused_hooks_are_diagnostics() {
    let text = "methodology \"T\" version 1\nhooks \"sandbox.rhai\"\ninput x: number\n\
                indicator a = doubel(x)\nindicator b = double(x, x)\nindicator c = normalise x by hook curv\n\
                rule r require a + b + c > 0\n";
    let err = RuleSet::from_text("tests/hooks/inline.chiso", text)
        .unwrap_err()
        .to_string();
    assert!(err.contains("unknown function `doubel`"), "{err}");
    assert!(err.contains("did you mean `double`?"), "{err}");
    assert!(
        err.contains("`double` takes 1 argument(s), found 2"),
        "{err}"
    );
    assert!(
        err.contains("no hook function `curv` to use as a normaliser"),
        "{err}"
    );
    let missing = RuleSet::from_text(
        "nowhere/x.chiso",
        "methodology \"T\" version 1\nhooks \"absent.rhai\"\n",
    )
    .unwrap_err()
    .to_string();
    assert!(
        missing.contains("cannot read hook script `nowhere/absent.rhai`"),
        "{missing}"
    );
}

#[test]
fn native_functions_are_called_like_built_ins() {
    let rules = RuleSet::builder()
        .function("vat", 1, |args: &[Value]| match args {
            [Value::Number(n)] => Ok(Value::Number(*n * rust_decimal::Decimal::new(11, 1))),
            _ => Err("expected one number".into()),
        })
        .function("refuse", 1, |_: &[Value]| Err("the registry is closed today".into()))
        .from_text(
            "native.chiso",
            "methodology \"T\" version 1\ninput x: number\nindicator gross = vat(x)\nindicator no = refuse(x)\nrule r require gross > 2\n",
        )
        .unwrap();
    let report = rules.evaluate(&data());
    assert_eq!(report.units[0].values["gross"].to_string(), "2.2");
    assert_eq!(
        report.units[0].errors["no"],
        "hook native function `refuse`: the registry is closed today (called by `refuse(x)` at native.chiso:4:16)"
    );
    assert_eq!(report.findings[0].status, Status::Pass);
}

/// Copies a folder (one level) into a fresh temporary directory.
fn copy_rule_set(from: &Path, name: &str) -> PathBuf {
    let to = std::env::temp_dir().join(format!("chiso-hooks-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, to.join(path.file_name().unwrap())).unwrap();
    }
    to
}

#[test]
fn changing_only_the_script_changes_the_result() {
    let shipped = root().join("rules/online-services/2019");
    let data_path = root().join("examples/online-services/provinces-2019.json");
    let score = |dir: &Path| -> String {
        let rules = RuleSet::load(dir).unwrap_or_else(|e| panic!("{e}"));
        let data = rules.load_data(&[&data_path]).unwrap();
        let report = rules.evaluate(&data);
        let qn = report
            .units
            .iter()
            .find(|u| u.unit == "Quảng Ninh")
            .unwrap();
        qn.values["level_score"].to_string()
    };
    // (120 × 0.10 + 610 × 0.25 + 480 × 0.70 + 530 × 1.00) / 1740
    assert!(
        score(&shipped).starts_with("0.5922413793103448275862068"),
        "{}",
        score(&shipped)
    );
    let copy = copy_rule_set(&shipped, "curve");
    let script = copy.join("level-curve.rhai");
    let text = std::fs::read_to_string(&script)
        .unwrap()
        .replace("3 => 0.70", "3 => 0.50");
    std::fs::write(&script, text).unwrap();
    // Only the curve changed: level 3 is now worth 0.50.
    let changed = score(&copy);
    assert!(
        changed.starts_with("0.5370689655172413793103448"),
        "{changed}"
    );
    std::fs::remove_dir_all(&copy).ok();
}
