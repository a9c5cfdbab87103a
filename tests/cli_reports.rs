//! The command line as people who know `cargo` expect it: report formats, wording,
//! colour, quiet, completions, machine-readable diagnostics, `fmt --diff` and `fmt -`.

use std::path::PathBuf;
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn chiso(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_chiso"))
        .args(args)
        .current_dir(root())
        .env_remove("NO_COLOR")
        .output()
        .expect("chiso runs")
}

fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn check_does_not_say_ok_for_a_rule_set_with_warnings() {
    let out = chiso(&["check", "tests/broken/warning_unused_input.chiso"]);
    assert_eq!(code(&out), 1);
    let text = stdout(&out);
    assert!(!text.contains("ok:"), "{text}");
    assert!(text.starts_with("1 warning: "), "{text}");
}

#[test]
fn check_names_the_version_as_a_version() {
    let out = chiso(&["check", "rules/quang-binh-2025-plan"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("Quảng Bình IT-application targets to 2025 version 2025"),
        "{text}"
    );
    assert!(!text.contains("2025 2025"), "{text}");
}

#[test]
fn test_says_the_rule_set_did_not_compile() {
    let out = chiso(&["test", "tests/broken/unknown_name_typo.chiso"]);
    assert_eq!(code(&out), 2);
    let text = stdout(&out);
    assert!(text.contains("did not compile"), "{text}");
    assert!(!text.ends_with("0 passed, 0 failed\n"), "{text}");
}
