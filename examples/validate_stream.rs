//! chiso embedded as a validation step: a rule set compiled once checks a stream of
//! records (JSON Lines) one by one, as a service would check submissions as they arrive.
//!
//! `cargo run --example validate_stream -- rules/it-staffing examples/it-staffing/stream.jsonl`
//!
//! Prints one line per failed or undecidable finding and a count at the end; exits 1 when
//! a record failed an error-severity rule or could not be judged, 2 on unusable input.

use std::io::{BufRead, BufReader};
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
                println!("{source}: rejected: {e}");
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
            println!("{source}: {} {status} {}: {}", f.unit, f.rule, f.message);
        }
        if report.has_errors() {
            problems += 1;
        }
    }
    println!("{records} records: {problems} with error-severity problems, {rejected} rejected");
    if problems + rejected > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
