//! chiso embedded as a validation step: a rule set compiled once checks a stream of
//! records (JSON Lines) one by one, as a service would check submissions as they arrive.
//!
//! `cargo run --example validate_stream -- rules/it-staffing examples/it-staffing/stream.jsonl`
//!
//! Prints one line per failed or undecidable finding and a count at the end; exits 1 when
//! a record failed an error-severity rule or could not be judged, 2 on unusable input.
//! When the reader of its output goes away (`… | head`), it stops quietly.

use std::io::{BufRead, BufReader, Write};
use std::process::ExitCode;

use chiso::{Dataset, RuleSet, Status};

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (Some(rules_path), input) = (args.next(), args.next()) else {
        eprintln!(
            "usage: validate_stream RULES [RECORDS.jsonl]  (records from standard input when absent)"
        );
        return ExitCode::from(2);
    };
    // Compile once…
    let rules = match RuleSet::load(&rules_path) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let reader: Box<dyn BufRead> = match &input {
        Some(path) => match std::fs::File::open(path) {
            Ok(f) => Box::new(BufReader::new(f)),
            Err(e) => {
                eprintln!("cannot read `{path}`: {e}");
                return ExitCode::from(2);
            }
        },
        None => Box::new(BufReader::new(std::io::stdin())),
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match validate(&rules, reader, &mut out).and_then(|code| out.flush().map(|()| code)) {
        Ok(code) => code,
        // The reader went away (`| head`): stop quietly, as Unix tools do.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("cannot write: {e}");
            ExitCode::from(2)
        }
    }
}

/// Checks every record of `reader`, writing a line per problem to `out`.
fn validate(
    rules: &RuleSet,
    reader: Box<dyn BufRead>,
    out: &mut impl Write,
) -> std::io::Result<ExitCode> {
    let (mut records, mut rejected, mut problems) = (0, 0, 0);
    // …evaluate many.
    for (n, line) in reader.lines().enumerate() {
        let Ok(line) = line else { break };
        if line.trim().is_empty() {
            continue;
        }
        records += 1;
        let source = format!("line {}", n + 1);
        let record = serde_json::from_str(&line)
            .map_err(|e| e.to_string())
            .and_then(|v| {
                Dataset::from_values(&source, [v], rules.unit_key()).map_err(|e| e.to_string())
            });
        let data = match record {
            Ok(d) => d,
            Err(e) => {
                writeln!(out, "{source}: rejected: {e}")?;
                rejected += 1;
                continue;
            }
        };
        let report = rules.evaluate(&data);
        for f in report
            .findings
            .iter()
            .filter(|f| matches!(f.status, Status::Fail | Status::Error))
        {
            let status = if f.status == Status::Fail {
                "fail"
            } else {
                "error"
            };
            writeln!(
                out,
                "{source}: {} {status} {}: {}",
                f.unit, f.rule, f.message
            )?;
        }
        if report.has_errors() {
            problems += 1;
        }
    }
    writeln!(
        out,
        "{records} records: {problems} with error-severity problems, {rejected} rejected"
    )?;
    Ok(if problems + rejected > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
