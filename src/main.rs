//! `chiso`: the command line over the library.

use std::path::PathBuf;
use std::process::ExitCode;

use chiso::ruleset::find_rule_sets;
use chiso::{LoadError, RuleSet, RunOptions};
use clap::{Parser, Subcommand, ValueEnum};

/// Exit code: unusable input (bad rule file, data file or arguments).
const UNUSABLE: u8 = 2;

#[derive(Parser)]
#[command(
    name = "chiso",
    version,
    about = "Scoring methodologies and compliance rules as rule files"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Parse and check rule files or rule-set folders.
    Check {
        /// Rule files, rule-set folders, or folders of rule sets.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Run a rule set over data files and report values and findings.
    Run {
        /// The rule set: a `.chiso` file or a folder of them.
        #[arg(long)]
        rules: PathBuf,
        /// Data files (JSON or CSV); together they form one dataset.
        #[arg(long, required = true, num_args = 1..)]
        data: Vec<PathBuf>,
        /// Report format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Write the report to this file instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Show the tree beneath this unit's values: raw and normalised values, weights,
        /// contributions.
        #[arg(long, value_name = "UNIT")]
        explain: Option<String>,
        /// Last year's data (JSON or CSV) or last year's JSON report: adds each value's
        /// change in points, per cent and rank places.
        #[arg(long, value_name = "FILE")]
        previous: Option<PathBuf>,
        /// Re-run the index N times with weights and normalisations perturbed within the
        /// bounds the rule set declares; report each unit's median rank and 5–95% interval.
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=100_000))]
        sensitivity: Option<u32>,
        /// Seed of the sensitivity runs (same seed, same result).
        #[arg(long, default_value_t = 1, requires = "sensitivity")]
        seed: u64,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(UNUSABLE)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match cli.command {
        Command::Check { paths } => check(&paths),
        Command::Run {
            rules,
            data,
            format,
            out,
            explain,
            previous,
            sensitivity,
            seed,
        } => {
            let extras = Extras {
                explain,
                previous,
                sensitivity: sensitivity.map(|n| (n as usize, seed)),
            };
            run(&rules, &data, format, out.as_deref(), &extras)
        }
    }
}

fn print_load_error(e: &LoadError) {
    match e {
        LoadError::Invalid { diagnostics } => {
            for d in diagnostics {
                eprint!("{}", d.render());
            }
        }
        other => eprintln!("error: {other}"),
    }
}

fn check(paths: &[PathBuf]) -> ExitCode {
    let mut errors = false;
    let mut warnings = false;
    for path in paths {
        let sets = match find_rule_sets(path) {
            Ok(sets) => sets,
            Err(e) => {
                print_load_error(&e);
                errors = true;
                continue;
            }
        };
        for set in sets {
            match RuleSet::load(&set) {
                Ok(rules) => {
                    for w in rules.warnings() {
                        eprint!("{}", w.render());
                        warnings = true;
                    }
                    let p = rules.program();
                    println!(
                        "ok: {} — {} {} ({} inputs, {} indicators and scores, {} rules)",
                        set.display(),
                        rules.methodology().name,
                        rules.methodology().version,
                        p.inputs.len(),
                        p.formulas.len(),
                        p.rules.len()
                    );
                }
                Err(e) => {
                    print_load_error(&e);
                    errors = true;
                }
            }
        }
    }
    if errors {
        ExitCode::from(UNUSABLE)
    } else if warnings {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// The optional parts of `chiso run`.
struct Extras {
    explain: Option<String>,
    previous: Option<PathBuf>,
    sensitivity: Option<(usize, u64)>,
}

fn run(
    rules: &std::path::Path,
    data: &[PathBuf],
    format: Format,
    out: Option<&std::path::Path>,
    extras: &Extras,
) -> ExitCode {
    let rules = match RuleSet::load(rules) {
        Ok(r) => r,
        Err(e) => {
            print_load_error(&e);
            return ExitCode::from(UNUSABLE);
        }
    };
    let dataset = match rules.load_data(data) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(UNUSABLE);
        }
    };
    let previous = match &extras.previous {
        None => None,
        Some(path) => match rules.load_previous(path) {
            Ok(p) => Some(p),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(UNUSABLE);
            }
        },
    };
    let options = RunOptions {
        explain: extras.explain.as_deref(),
        previous: previous.as_ref(),
        sensitivity: extras.sensitivity,
    };
    let report = match rules.evaluate_with(&dataset, &options) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(UNUSABLE);
        }
    };
    let text = match format {
        Format::Text => report.to_text(),
        Format::Json => report.to_json() + "\n",
    };
    match out {
        Some(path) => {
            if let Err(e) = std::fs::write(path, text) {
                eprintln!("error: cannot write `{}`: {e}", path.display());
                return ExitCode::from(UNUSABLE);
            }
        }
        None => print!("{text}"),
    }
    if report.has_errors() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
