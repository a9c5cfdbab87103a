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

fn temp(name: &str) -> PathBuf {
    let dir = root().join("target/cli-reports");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

const ICT: [&str; 5] = [
    "run",
    "--rules",
    "rules/ict-index/2019",
    "--data",
    "examples/ict-index/provinces-2019.json",
];

#[test]
fn out_without_format_follows_the_extension() {
    // Seen: `--out rep.json` wrote the text report into the `.json` file.
    let file = temp("rep.json");
    let path = file.to_str().unwrap();
    let out = chiso(&[&ICT[..], &["--out", path]].concat());
    // The ICT sample leaves inputs out on purpose: exit 1 (see PRODUCT.md).
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(report["summary"]["units"], 63);
    for (ext, start) in [("html", "<!DOCTYPE html>"), ("csv", "rule,unit,status")] {
        let file = temp(&format!("rep.{ext}"));
        let out = chiso(&[&ICT[..], &["--out", file.to_str().unwrap()]].concat());
        assert_eq!(code(&out), 1, "{}", stderr(&out));
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(text.starts_with(start), "{ext}: {}", &text[..50]);
    }
}

#[test]
fn a_format_that_contradicts_the_extension_is_an_error() {
    let file = temp("mismatch.json");
    let out = chiso(
        &[
            &ICT[..],
            &["--format", "html", "--out", file.to_str().unwrap()],
        ]
        .concat(),
    );
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("--format html does not match the extension"),
        "{}",
        stderr(&out)
    );
    let out = chiso(&[&ICT[..], &["--format", "json", "--table", "values"]].concat());
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("--table"), "{}", stderr(&out));
}

#[test]
fn csv_tables_on_the_command_line() {
    let out = chiso(&[&ICT[..], &["--format", "csv", "--table", "values"]].concat());
    // The ICT sample leaves inputs out on purpose: exit 1 (see PRODUCT.md).
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let text = stdout(&out);
    let header = text.lines().next().unwrap();
    assert!(header.starts_with("unit,"), "{header}");
    assert!(header.contains("ict_index.rank"), "{header}");
    assert_eq!(text.lines().count(), 64);
    let out = chiso(&[
        "run",
        "--rules",
        "rules/it-staffing",
        "--data",
        "examples/it-staffing/quang-ninh-2020.json",
        "--format",
        "csv",
    ]);
    assert_eq!(code(&out), 1);
    assert!(
        stdout(&out).contains("attt_staffing,Sở Y tế,fail,error,"),
        "{}",
        stdout(&out)
    );
    assert!(
        stdout(&out).contains("it_qualified_staff=3; infosec_staff=0"),
        "{}",
        stdout(&out)
    );
}

#[cfg(feature = "xlsx")]
#[test]
fn xlsx_needs_a_file_or_a_pipe_and_writes_a_workbook() {
    let file = temp("rep.xlsx");
    let out = chiso(&[&ICT[..], &["--out", file.to_str().unwrap()]].concat());
    // The ICT sample leaves inputs out on purpose: exit 1 (see PRODUCT.md).
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let bytes = std::fs::read(&file).unwrap();
    assert_eq!(&bytes[..2], b"PK");
}

#[cfg(unix)]
#[test]
fn a_closed_pipe_ends_quietly() {
    // Seen: `chiso run … --format json | head -c 100` panicked ("Broken pipe"), exit 101.
    use std::io::Read;
    use std::os::unix::process::ExitStatusExt;
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_chiso"))
        .args([&ICT[..], &["--format", "json"]].concat())
        .current_dir(root())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 100];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    // The pipe's reading end is closed here; the report is far larger than its buffer.
    let out = child.wait_with_output().unwrap();
    let err = stderr(&out);
    assert!(
        !err.contains("panicked") && !err.contains("Broken pipe"),
        "{err}"
    );
    assert!(
        out.status.signal() == Some(13) || out.status.code() == Some(0),
        "{:?}",
        out.status
    );
    assert!(String::from_utf8_lossy(&first).contains("methodology"));
}

#[cfg(unix)]
#[test]
fn the_stream_example_ends_quietly_on_a_closed_pipe() {
    use std::io::{Read, Write};
    use std::process::Stdio;
    // `cargo test` builds the examples beside the binary.
    let example = PathBuf::from(env!("CARGO_BIN_EXE_chiso"))
        .parent()
        .unwrap()
        .join("examples/validate_stream");
    assert!(
        example.exists(),
        "{} is not built: run `cargo test --all-features` (it builds the examples)",
        example.display()
    );
    let mut child = Command::new(example)
        .arg("rules/it-staffing")
        .current_dir(root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        for i in 0..20_000 {
            let line = format!(
                "{{\"unit\": \"Sở {i}\", \"staff_total\": 10, \"it_qualified_staff\": 3, \"infosec_staff\": 0, \"it_dedicated_staff\": 0, \"it_dedicated_with_degree\": 0, \"staff_trained_infosec\": 0}}\n"
            );
            if stdin.write_all(line.as_bytes()).is_err() {
                break;
            }
        }
    });
    let mut first = [0u8; 100];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    let out = child.wait_with_output().unwrap();
    let _ = writer.join();
    let err = stderr(&out);
    assert!(
        !err.contains("panicked") && !err.contains("Broken pipe"),
        "{err}"
    );
    assert_eq!(out.status.code(), Some(0), "{err}");
}

#[test]
fn bash_loads_the_completion_script() {
    let out = chiso(&["completions", "bash"]);
    assert_eq!(code(&out), 0);
    let file = temp("chiso.bash");
    std::fs::write(&file, &out.stdout).unwrap();
    let syntax = Command::new("bash").arg("-n").arg(&file).output().unwrap();
    assert!(syntax.status.success(), "{}", stderr(&syntax));
    let loaded = Command::new("bash")
        .arg("-c")
        .arg(format!("source '{}' && complete -p chiso", file.display()))
        .output()
        .unwrap();
    assert!(loaded.status.success(), "{}", stderr(&loaded));
    assert!(stdout(&loaded).contains("chiso"), "{}", stdout(&loaded));
    for shell in ["zsh", "fish", "powershell"] {
        let out = chiso(&["completions", shell]);
        assert_eq!(code(&out), 0, "{shell}");
        assert!(stdout(&out).contains("chiso"), "{shell}");
    }
}

#[test]
fn check_writes_diagnostics_as_json() {
    let out = chiso(&[
        "check",
        "--format",
        "json",
        "tests/broken/unknown_name_typo.chiso",
        "tests/broken/warning_unused_input.chiso",
        "rules/it-staffing",
    ]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert_eq!(stderr(&out), "", "the diagnostics go to the JSON document");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["version"], 1);
    let d = &doc["diagnostics"][0];
    assert_eq!(d["file"], "tests/broken/unknown_name_typo.chiso");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(4), Some(16))
    );
    assert_eq!(d["end_line"], 4);
    assert!(d["end_column"].as_u64().unwrap() > 16);
    assert_eq!(d["severity"], "error");
    assert!(d["code"].is_null());
    assert!(d["message"].as_str().unwrap().contains("unknown"), "{d}");
    assert!(
        d["help"].as_array().unwrap().iter().any(|h| h
            .as_str()
            .unwrap()
            .contains("did you mean `infosec_staff`?")),
        "{d}"
    );
    let warning = doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["file"] == "tests/broken/warning_unused_input.chiso")
        .unwrap();
    assert_eq!(warning["severity"], "warning");
    assert!(
        warning["message"]
            .as_str()
            .unwrap()
            .contains("input `unused` is never used")
    );
    let sets = doc["rule_sets"].as_array().unwrap();
    let statuses: Vec<&str> = sets.iter().map(|s| s["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["error", "warnings", "ok"]);
    assert_eq!(doc["summary"]["errors"], 1);
}

#[test]
fn fmt_diff_shows_the_change_and_fmt_reads_standard_input() {
    use std::io::Write;
    use std::process::Stdio;
    let messy = "methodology \"M\" version 1\ninput   x :number\nrule r   require x>1\n";
    let file = temp("messy.chiso");
    std::fs::write(&file, messy).unwrap();
    let out = chiso(&["fmt", "--diff", file.to_str().unwrap()]);
    assert_eq!(code(&out), 1);
    let diff = stdout(&out);
    assert!(diff.contains("-input   x :number"), "{diff}");
    assert!(diff.contains("+input x: number"), "{diff}");
    assert!(diff.contains("@@"), "{diff}");
    // --diff does not rewrite the file.
    assert_eq!(std::fs::read_to_string(&file).unwrap(), messy);

    let mut child = Command::new(env!("CARGO_BIN_EXE_chiso"))
        .args(["fmt", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(messy.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let formatted = stdout(&out);
    assert!(formatted.contains("input x: number\n"), "{formatted}");
    assert!(formatted.contains("require x > 1"), "{formatted}");
}

#[test]
fn colour_is_chosen_by_color_and_never_by_a_pipe() {
    let broken = "tests/broken/unknown_name_typo.chiso";
    let out = chiso(&["--color", "always", "check", broken]);
    assert!(stderr(&out).contains("\u{1b}["), "{}", stderr(&out));
    let out = chiso(&["check", broken, "--color", "never"]);
    assert!(!stderr(&out).contains("\u{1b}["), "{}", stderr(&out));
    // Standard error is a pipe here: no colour by default.
    let out = chiso(&["check", broken]);
    assert!(!stderr(&out).contains("\u{1b}["), "{}", stderr(&out));
    assert!(stderr(&out).contains("tests/broken/unknown_name_typo.chiso:4:16"));
}

#[test]
fn quiet_leaves_only_what_matters() {
    let out = chiso(&["check", "--quiet", "rules/"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out), "");
    let out = chiso(&["-q", "test", "rules/it-staffing"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(text.ends_with(" passed, 0 failed\n"), "{text}");
}

#[test]
fn no_progress_bar_when_standard_error_is_not_a_terminal() {
    let out = chiso(&[&ICT[..], &["--sensitivity", "20", "--format", "json"]].concat());
    // The ICT sample leaves inputs out on purpose: exit 1 (see PRODUCT.md).
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert_eq!(stderr(&out), "");
}

/// Runs `chiso ARGS` under a pseudo-terminal (`script`), returning what the terminal
/// showed; `None` where `script` is not available.
#[cfg(target_os = "linux")]
fn on_a_terminal(args: &str, env: &[(&str, &str)]) -> Option<String> {
    let script = Command::new("script")
        .args(["-qec"])
        .arg(format!("{} {args}", env!("CARGO_BIN_EXE_chiso")))
        .arg("/dev/null")
        .current_dir(root())
        .env_remove("NO_COLOR")
        .envs(env.iter().copied())
        .output()
        .ok()?;
    Some(String::from_utf8_lossy(&script.stdout).into_owned())
}

#[cfg(target_os = "linux")]
#[test]
fn on_a_terminal_diagnostics_are_coloured_unless_no_color_and_sensitivity_shows_progress() {
    // Seen: no colour on a terminal; `--sensitivity 5000` ran with no sign of life.
    let Some(coloured) = on_a_terminal("check tests/broken/unknown_name_typo.chiso", &[]) else {
        eprintln!("`script` (util-linux) is not installed: the terminal checks did not run");
        return;
    };
    assert!(coloured.contains("\u{1b}["), "{coloured}");
    let plain = on_a_terminal(
        "check tests/broken/unknown_name_typo.chiso",
        &[("NO_COLOR", "1")],
    )
    .unwrap();
    assert!(!plain.contains("\u{1b}["), "{plain}");
    assert!(plain.contains("unknown_name_typo.chiso:4:16"), "{plain}");
    let progress = on_a_terminal(
        "run --rules rules/ict-index/2019 --data examples/ict-index/provinces-2019.json --sensitivity 300 --out target/cli-reports/progress.json",
        &[],
    )
    .unwrap();
    assert!(progress.contains("sensitivity runs"), "{progress}");
    let quiet = on_a_terminal(
        "run --quiet --rules rules/ict-index/2019 --data examples/ict-index/provinces-2019.json --sensitivity 300 --out target/cli-reports/quiet.json",
        &[],
    )
    .unwrap();
    assert!(!quiet.contains("sensitivity runs"), "{quiet}");
}

#[test]
fn the_readme_shows_check_json_as_it_is() {
    let readme = include_str!("../README.md");
    let start = readme
        .find("```json\n{\n  \"version\": 1,")
        .expect("the example")
        + "```json\n".len();
    let end = start + readme[start..].find("```").unwrap();
    let documented: serde_json::Value = serde_json::from_str(&readme[start..end]).unwrap();
    let out = chiso(&[
        "check",
        "--format",
        "json",
        "tests/broken/unknown_name_typo.chiso",
    ]);
    let actual: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(documented, actual);
}
