//! `chiso fmt`: rewrite rule files in the canonical layout, list them (`--check`), show
//! the changes (`--diff`), or format standard input (`-`) to standard output.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use crate::UNUSABLE;
use crate::cli_term::Term;

/// What `chiso fmt` does with a file that is not formatted.
#[derive(Clone, Copy)]
pub struct Mode {
    /// List it and exit 1.
    pub check: bool,
    /// Print a unified diff of the change and exit 1.
    pub diff: bool,
}

/// The unified diff from `old` to `new` of `name`.
pub fn unified_diff(name: &str, old: &str, new: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{name}"), &format!("b/{name}"))
        .to_string()
}

/// `chiso fmt`.
pub fn fmt(term: Term, paths: &[PathBuf], mode: Mode) -> ExitCode {
    let stdin = paths.iter().any(|p| p.as_os_str() == "-");
    if stdin {
        if paths.len() > 1 {
            term.error("`-` (standard input) cannot be combined with other paths");
            return ExitCode::from(UNUSABLE);
        }
        return fmt_stdin(term, mode);
    }
    let mut files = Vec::new();
    for path in paths {
        match chiso::ruleset::find_rule_files(path) {
            Ok(found) => files.extend(found),
            Err(e) => {
                term.load_error(&e);
                return ExitCode::from(UNUSABLE);
            }
        }
    }
    let (mut unusable, mut unformatted) = (false, 0);
    let mut out = std::io::stdout().lock();
    for file in files {
        let text = match std::fs::read_to_string(&file) {
            Ok(t) => t,
            Err(e) => {
                term.error(format!("cannot read `{}`: {e}", file.display()));
                unusable = true;
                continue;
            }
        };
        let name = file.display().to_string();
        let source = chiso::source::Source::new(name.clone(), text);
        match chiso::format::format_source(&source) {
            Ok(formatted) if formatted == source.text => {}
            Ok(formatted) => {
                unformatted += 1;
                let line = if mode.diff {
                    unified_diff(&name, &source.text, &formatted)
                } else if mode.check {
                    format!("not formatted: {name}\n")
                } else if let Err(e) = std::fs::write(&file, formatted) {
                    term.error(format!("cannot write `{name}`: {e}"));
                    unusable = true;
                    continue;
                } else if term.quiet {
                    continue;
                } else {
                    format!("formatted: {name}\n")
                };
                if out.write_all(line.as_bytes()).is_err() {
                    return ExitCode::from(UNUSABLE);
                }
            }
            Err(diagnostics) => {
                for d in diagnostics {
                    term.diagnostic(&d);
                }
                unusable = true;
            }
        }
    }
    if unusable {
        ExitCode::from(UNUSABLE)
    } else if (mode.check || mode.diff) && unformatted > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// `chiso fmt -`: standard input formatted to standard output (`--check`: nothing
/// printed, exit 1 when not formatted; `--diff`: the diff).
fn fmt_stdin(term: Term, mode: Mode) -> ExitCode {
    let mut text = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut text) {
        term.error(format!("cannot read standard input: {e}"));
        return ExitCode::from(UNUSABLE);
    }
    let source = chiso::source::Source::new("<stdin>", text);
    let formatted = match chiso::format::format_source(&source) {
        Ok(f) => f,
        Err(diagnostics) => {
            for d in diagnostics {
                term.diagnostic(&d);
            }
            return ExitCode::from(UNUSABLE);
        }
    };
    let changed = formatted != source.text;
    let output = if mode.diff {
        if changed {
            unified_diff("<stdin>", &source.text, &formatted)
        } else {
            String::new()
        }
    } else if mode.check {
        if changed {
            "not formatted: <stdin>\n".to_string()
        } else {
            String::new()
        }
    } else {
        formatted
    };
    let mut out = std::io::stdout().lock();
    if out
        .write_all(output.as_bytes())
        .and_then(|()| out.flush())
        .is_err()
    {
        return ExitCode::from(UNUSABLE);
    }
    if (mode.check || mode.diff) && changed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
