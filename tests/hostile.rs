//! The hostile-input corpus (issue 16): every case of `tests/hostile/cases.json` is run
//! through the `chiso` binary in a fresh folder — deep nesting, huge and generated files,
//! cycles, Unicode and broken bytes, numbers beyond range, duplicate keys and columns,
//! misbehaving hook scripts, files outside the rule set, a million units with one bad
//! one. Each case names its exit code, the words its messages must hold and the words
//! that must not appear (a file's content a rule file tried to show); none may panic,
//! abort or outlive its timeout. Large inputs are generated here, not committed.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

fn manifest() -> Vec<Value> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hostile/cases.json");
    let text = std::fs::read_to_string(path).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    doc["cases"].as_array().unwrap().clone()
}

fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or("")
}

fn words(v: &Value, key: &str) -> Vec<String> {
    v[key]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|w| w.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// `{i}`, `{next}` (the following number, wrapping) and `{y}` (the year 1000 + i).
fn numbered(text: &str, i: u64, times: u64) -> String {
    text.replace("{i}", &i.to_string())
        .replace("{next}", &((i + 1) % times.max(1)).to_string())
        .replace("{y}", &format!("{:04}", 1000 + i))
}

/// The bytes a file specification stands for.
fn content(spec: &Value) -> Vec<u8> {
    match spec {
        Value::String(s) => s.as_bytes().to_vec(),
        Value::Array(pieces) => pieces.iter().flat_map(content).collect(),
        Value::Object(o) if o.contains_key("repeat") => {
            let text = str_of(spec, "repeat");
            let times = spec["times"].as_u64().unwrap();
            let mut out = String::from(str_of(spec, "prefix"));
            for i in 0..times {
                if spec["numbered"].as_bool() == Some(true) {
                    out.push_str(&numbered(text, i, times));
                } else {
                    out.push_str(text);
                }
            }
            out.push_str(str_of(spec, "suffix"));
            out.into_bytes()
        }
        Value::Object(o) if o.contains_key("hex") => {
            let hex = str_of(spec, "hex");
            (0..hex.len() / 2)
                .map(|k| u8::from_str_radix(&hex[2 * k..2 * k + 2], 16).unwrap())
                .collect()
        }
        Value::Object(o) if o.contains_key("utf16le") || o.contains_key("utf16le_bom") => {
            let (text, bom) = match o.get("utf16le") {
                Some(t) => (t.as_str().unwrap(), false),
                None => (str_of(spec, "utf16le_bom"), true),
            };
            let mut out = if bom { vec![0xFF, 0xFE] } else { Vec::new() };
            out.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
            out
        }
        Value::Object(o) if o.contains_key("units") => units(spec),
        other => panic!("unknown file specification {other}"),
    }
}

/// `units` generated records: `u0`, `u1`, … with the given fields; unit `bad` (if any)
/// has the text `bad` in its first field.
fn units(spec: &Value) -> Vec<u8> {
    let count = spec["units"].as_u64().unwrap();
    let bad = spec["bad"].as_u64();
    let fields: Vec<(String, String)> = spec["fields"]
        .as_object()
        .map(|f| {
            f.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string()))
                .collect()
        })
        .unwrap_or_default();
    let value = |u: u64, k: usize, v: &str| {
        if Some(u) == bad && k == 0 {
            "bad".to_string()
        } else {
            v.to_string()
        }
    };
    let mut out = String::new();
    if str_of(spec, "format") == "csv" {
        out.push_str("unit");
        for (k, _) in &fields {
            out.push(',');
            out.push_str(k);
        }
        out.push('\n');
        for u in 0..count {
            out.push_str(&format!("u{u}"));
            for (k, (_, v)) in fields.iter().enumerate() {
                out.push(',');
                out.push_str(&value(u, k, v));
            }
            out.push('\n');
        }
    } else {
        out.push('[');
        for u in 0..count {
            if u > 0 {
                out.push_str(",\n");
            }
            out.push_str(&format!("{{\"unit\": \"u{u}\""));
            for (k, (name, v)) in fields.iter().enumerate() {
                out.push_str(&format!(", \"{name}\": \"{}\"", value(u, k, v)));
            }
            out.push('}');
        }
        out.push_str("]\n");
    }
    out.into_bytes()
}

/// Writes the case's files under `dir` (names may climb above it with `..`).
fn write_files(dir: &Path, files: &Value) {
    for (name, spec) in files.as_object().unwrap() {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        if let Some(target) = spec.get("symlink").and_then(Value::as_str) {
            #[cfg(unix)]
            std::os::unix::fs::symlink(target, &path).unwrap();
            #[cfg(not(unix))]
            let _ = target;
        } else if spec.get("dir").is_some() {
            std::fs::create_dir_all(&path).unwrap();
        } else {
            std::fs::write(&path, content(spec)).unwrap();
        }
    }
}

struct Outcome {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    took: Duration,
    timed_out: bool,
}

fn reader(mut from: impl Read + Send + 'static) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut out = Vec::new();
        let _ = from.read_to_end(&mut out);
        out
    })
}

/// Runs chiso in `dir`; `close_after` closes standard output after that many bytes.
fn run(dir: &Path, args: &[String], timeout: Duration, close_after: Option<usize>) -> Outcome {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_chiso"))
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout_pipe = child.stdout.take().unwrap();
    let stdout = match close_after {
        Some(n) => {
            let mut first = vec![0u8; n];
            let _ = stdout_pipe.read_exact(&mut first);
            drop(stdout_pipe);
            std::thread::spawn(move || first)
        }
        None => reader(stdout_pipe),
    };
    let stderr = reader(child.stderr.take().unwrap());
    let mut timed_out = false;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if started.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            timed_out = true;
            break None;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let text = |bytes: Vec<u8>| String::from_utf8_lossy(&bytes).into_owned();
    Outcome {
        code: status.and_then(exit_code),
        stdout: text(stdout.join().unwrap()),
        stderr: text(stderr.join().unwrap()),
        took: started.elapsed(),
        timed_out,
    }
}

/// What is wrong with the outcome of `case`, if anything.
fn problems(case: &Value, out: &Outcome) -> Vec<String> {
    let mut found = Vec::new();
    if out.timed_out {
        found.push(format!("still running after {:?}", out.took));
        return found;
    }
    let expected = case["exit"].as_i64().map(|c| c as i32);
    if out.code != expected {
        found.push(format!("exit {:?}, expected {expected:?}", out.code));
    }
    if out.stderr.contains("panicked") || matches!(out.code, Some(101 | 134)) {
        found.push("panicked or aborted".into());
    }
    for w in words(case, "stderr") {
        if !out.stderr.contains(&w) {
            found.push(format!("stderr lacks {w:?}"));
        }
    }
    for w in words(case, "stdout") {
        if !out.stdout.contains(&w) {
            found.push(format!("stdout lacks {w:?}"));
        }
    }
    for w in words(case, "absent") {
        if out.stdout.contains(&w) || out.stderr.contains(&w) {
            found.push(format!("shows {w:?}"));
        }
    }
    found
}

fn cut(text: &str) -> &str {
    let mut end = text.len().min(600);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Runs one case in its folder under `base`: its failure, if any, and how long it took.
fn run_case(base: &Path, case: &Value) -> (Option<String>, Duration) {
    let name = str_of(case, "name");
    let dir = base.join(name).join("case");
    std::fs::create_dir_all(&dir).unwrap();
    write_files(&dir, &case["files"]);
    let args: Vec<String> = words(case, "args");
    let timeout = Duration::from_secs(case["timeout"].as_u64().unwrap_or(60));
    let close = case["close_stdout_after"].as_u64().map(|n| n as usize);
    let out = run(&dir, &args, timeout, close);
    let found = problems(case, &out);
    let _ = std::fs::remove_dir_all(base.join(name));
    let failure = (!found.is_empty()).then(|| {
        format!(
            "{name} ({}): {}\n  stderr: {}\n  stdout: {}",
            str_of(case, "about"),
            found.join("; "),
            cut(&out.stderr),
            cut(&out.stdout)
        )
    });
    (failure, out.took)
}

#[test]
fn every_hostile_case_has_its_expected_outcome() {
    let mut cases = manifest();
    assert!(cases.len() >= 100, "only {} cases", cases.len());
    let total = cases.len();
    if let Ok(only) = std::env::var("CHISO_HOSTILE_CASE") {
        cases.retain(|c| str_of(c, "name") == only);
    }
    // The longest first, on two workers (the CI machine has two cores).
    cases.sort_by_key(|c| std::cmp::Reverse(c["timeout"].as_u64().unwrap_or(60)));
    let base = std::env::temp_dir().join(format!("chiso-hostile-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    let started = Instant::now();
    let queue = std::sync::Mutex::new(cases.into_iter());
    let results = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| {
                loop {
                    let Some(case) = queue.lock().unwrap().next() else {
                        break;
                    };
                    let (failure, took) = run_case(&base, &case);
                    results.lock().unwrap().push((
                        str_of(&case, "name").to_string(),
                        failure,
                        took,
                    ));
                }
            });
        }
    });
    let _ = std::fs::remove_dir_all(&base);
    let mut results = results.into_inner().unwrap();
    results.sort_by_key(|r| std::cmp::Reverse(r.2));
    let slowest: Vec<String> = results
        .iter()
        .take(5)
        .map(|(name, _, took)| format!("{name} {took:.1?}"))
        .collect();
    eprintln!(
        "{} hostile cases in {:.1?}; slowest: {}",
        results.len(),
        started.elapsed(),
        slowest.join(", ")
    );
    let failures: Vec<String> = results.into_iter().filter_map(|r| r.1).collect();
    assert!(
        failures.is_empty(),
        "{} of {total} cases:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The exit code, or the one a shell reports for a process a signal ended (128 + the
/// signal: a closed pipe's SIGPIPE is 141).
fn exit_code(status: std::process::ExitStatus) -> Option<i32> {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return Some(128 + signal);
        }
    }
    status.code()
}
