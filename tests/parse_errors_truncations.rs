//! The syntax errors of every shipped rule file cut short, against a committed record.
//!
//! Every `.chiso` file under `rules/`, `examples/` and `tests/` is truncated at each line
//! end, at an even sample of its token boundaries and in the middle of a sample of its
//! words (the last two also with a stray `@` after the cut), and the diagnostics of
//! parsing each prefix (position, message, label, help) are compared with `tests/snapshots/parse_errors_truncations.txt`. A grammar restructured
//! for speed must name the same place and the same expected constructs an author saw
//! before; a change is reviewed by regenerating the record (`CHISO_BLESS=1 cargo test
//! --test parse_errors_truncations`) and reading its diff. Each complete file's syntax
//! tree is recorded too, as a fingerprint of its debug output, so a restructured tree
//! builder must lower every shipped file to the same tree.
//!
//! The number of cuts per file is bounded so that the test stays fast in debug builds:
//! each cut reparses the prefix, so the cost grows with the square of a file's length.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use chiso::parse::parse_file;
use chiso::source::Source;

/// Line ends sampled per file (all of them in all but the longest files).
const LINE_ENDS_PER_FILE: usize = 150;
/// Token boundaries sampled per file, besides its line ends.
const BOUNDARIES_PER_FILE: usize = 60;
/// Cuts inside a word (a keyword or name half typed) sampled per file.
const WORD_CUTS_PER_FILE: usize = 20;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn rule_files() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "chiso") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    for dir in ["rules", "examples", "tests"] {
        walk(&root().join(dir), &mut files);
    }
    files.sort();
    files
}

#[derive(Clone, Copy, PartialEq)]
enum Class {
    Space,
    Word,
    Other,
}

fn class(c: char) -> Class {
    if c.is_whitespace() {
        Class::Space
    } else if c.is_alphanumeric() || c == '_' {
        Class::Word
    } else {
        Class::Other
    }
}

/// Byte offsets where a token starts or ends outside strings and comments, and offsets
/// one character into each word of three or more characters.
fn boundaries(text: &str) -> (Vec<usize>, Vec<usize>) {
    let mut tokens = Vec::new();
    let mut words = Vec::new();
    let mut chars = text.char_indices().peekable();
    let mut previous = Class::Space;
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => {
                tokens.push(i);
                let mut escaped = false;
                for (_, c) in chars.by_ref() {
                    if escaped {
                        escaped = false;
                    } else if c == '\\' {
                        escaped = true;
                    } else if c == '"' {
                        break;
                    }
                }
                previous = Class::Other;
                if let Some(&(j, _)) = chars.peek() {
                    tokens.push(j);
                }
                continue;
            }
            '#' => {
                while chars.peek().is_some_and(|&(_, c)| c != '\n') {
                    chars.next();
                }
                previous = Class::Space;
                continue;
            }
            _ => {}
        }
        let now = class(c);
        if now != previous || now == Class::Other {
            tokens.push(i);
            if now == Class::Word {
                let word: Vec<(usize, char)> = text[i..]
                    .char_indices()
                    .take_while(|&(_, c)| class(c) == Class::Word)
                    .collect();
                if let (true, Some(&(second, _))) = (word.len() >= 3, word.get(1)) {
                    words.push(i + second);
                }
            }
        }
        previous = now;
    }
    tokens.dedup();
    (tokens, words)
}

/// `count` offsets spread evenly over `all`.
fn sample(all: &[usize], count: usize) -> Vec<usize> {
    if all.len() <= count {
        return all.to_vec();
    }
    (0..count).map(|k| all[k * all.len() / count]).collect()
}

/// The offsets at which `text` is cut: its line ends, and sampled token boundaries and
/// word cuts (which are also cut and followed by a stray `@`, so that the diagnostic names
/// everything that could follow there even where the prefix is complete).
fn cuts(text: &str) -> (Vec<usize>, Vec<usize>) {
    let (tokens, words) = boundaries(text);
    let line_ends: Vec<usize> = text
        .match_indices('\n')
        .map(|(i, _)| i)
        .filter(|&c| c > 0)
        .collect();
    let line_ends = sample(&line_ends, LINE_ENDS_PER_FILE);
    let mut inside = sample(&tokens, BOUNDARIES_PER_FILE);
    inside.extend(sample(&words, WORD_CUTS_PER_FILE));
    inside.retain(|&c| c > 0 && c < text.len());
    inside.sort_unstable();
    inside.dedup();
    (line_ends, inside)
}

/// What parsing `text` reports, one line per diagnostic (or `ok`).
fn outcome(name: &str, text: &str) -> String {
    let source = Source::new(name, text);
    let diagnostics = match parse_file(&source) {
        Ok(_) => return "ok".to_string(),
        Err(d) => d,
    };
    let mut out = String::new();
    for (k, d) in diagnostics.iter().enumerate() {
        if k > 0 {
            out.push_str("\n    also ");
        }
        match &d.loc {
            Some(loc) => {
                let (line, col) = source.line_col(loc.range.start);
                let _ = write!(
                    out,
                    "{line}:{col} +{} {}",
                    loc.range.len(),
                    d.message.replace('\n', "\\n")
                );
            }
            None => out.push_str(&d.message),
        }
        // A syntax error's label repeats the start of its message.
        if !d.label.is_empty() && !d.message.starts_with(&d.label) {
            let _ = write!(out, " [{}]", d.label.replace('\n', "\\n"));
        }
        for help in &d.help {
            let _ = write!(out, " (help: {})", help.replace('\n', "\\n"));
        }
    }
    out
}

/// FNV-1a: a fingerprint stable across Rust versions, unlike the standard hasher.
fn fingerprint(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The record of every rule file in order, the files taken in turn by as many threads as
/// there are cores (debug builds parse slowly).
fn record() -> String {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let files = rule_files();
    let next = AtomicUsize::new(0);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut records: Vec<(usize, String)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let k = next.fetch_add(1, Ordering::Relaxed);
                        let Some(path) = files.get(k) else {
                            return done;
                        };
                        done.push((k, record_file(path)));
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a recording thread"))
            .collect()
    });
    records.sort_unstable_by_key(|(k, _)| *k);
    records.into_iter().map(|(_, r)| r).collect()
}

/// The record of one rule file: its tree's fingerprint, then one line per cut.
fn record_file(path: &Path) -> String {
    let mut out = String::new();
    let name = path
        .strip_prefix(root())
        .unwrap_or(path)
        .display()
        .to_string()
        .replace('\\', "/");
    let text = std::fs::read_to_string(path).expect("a readable rule file");
    let whole = match parse_file(&Source::new(name.as_str(), text.as_str())) {
        Ok(file) => format!("tree {:016x}", fingerprint(&format!("{file:?}"))),
        Err(_) => outcome(&name, &text),
    };
    let _ = writeln!(out, "== {name} ({} bytes): {whole}", text.len());
    let (line_ends, inside) = cuts(&text);
    for cut in line_ends {
        let _ = writeln!(out, "{cut}: {}", outcome(&name, &text[..cut]));
    }
    for cut in inside {
        let _ = writeln!(out, "{cut}: {}", outcome(&name, &text[..cut]));
        let stray = format!("{} @", &text[..cut]);
        let _ = writeln!(out, "{cut}+@: {}", outcome(&name, &stray));
    }
    out
}

#[test]
fn truncated_rule_files_report_what_they_always_did() {
    let expected_path = root().join("tests/snapshots/parse_errors_truncations.txt");
    let actual = record();
    if std::env::var_os("CHISO_BLESS").is_some() {
        std::fs::write(&expected_path, &actual).expect("the record is written");
        return;
    }
    let expected = std::fs::read_to_string(&expected_path)
        .expect("the record exists (create it with CHISO_BLESS=1)");
    if expected == actual {
        return;
    }
    let new_path = root().join("target/parse_errors_truncations.actual.txt");
    let _ = std::fs::write(&new_path, &actual);
    let mut file = "";
    let mut differences = String::new();
    let mut count = 0;
    for (e, a) in expected.lines().zip(actual.lines()) {
        if e.starts_with("== ") {
            file = e;
        }
        if e != a {
            count += 1;
            if count <= 20 {
                let _ = writeln!(differences, "{file}\n  was: {e}\n  now: {a}");
            }
        }
    }
    panic!(
        "{count} differing lines ({} lines recorded, {} now); the first:\n{differences}\nall of it: {}",
        expected.lines().count(),
        actual.lines().count(),
        new_path.display()
    );
}
