//! `chiso`: the command line over the library.

use std::path::PathBuf;
use std::process::ExitCode;

use chiso::ruleset::find_rule_sets;
use chiso::{LoadError, RuleSet, RunOptions};
use clap::{Parser, Subcommand, ValueEnum};

mod cli_data;

/// Standard output that a closed pipe does not crash: when the reader stops reading
/// (`chiso run … | head`), chiso stops writing and exits with 141, as a shell reports a
/// program ended by its pipe. Any other failure to write is exit 2 with the reason.
macro_rules! print {
    ($($arg:tt)*) => { write_out(format_args!($($arg)*)) };
}
macro_rules! println {
    () => { write_out(format_args!("\n")) };
    ($($arg:tt)*) => {{ write_out(format_args!($($arg)*)); write_out(format_args!("\n")) }};
}
/// Standard error that cannot fail: a message nobody can read is dropped, not a crash.
macro_rules! eprint {
    ($($arg:tt)*) => { write_err(format_args!($($arg)*)) };
}
macro_rules! eprintln {
    ($($arg:tt)*) => {{ write_err(format_args!($($arg)*)); write_err(format_args!("\n")) }};
}

/// Exit code when standard output was closed by its reader (128 + SIGPIPE).
const CLOSED_PIPE: i32 = 141;

fn write_out(args: std::fmt::Arguments<'_>) {
    use std::io::Write;
    if let Err(e) = std::io::stdout().lock().write_fmt(args) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(CLOSED_PIPE);
        }
        write_err(format_args!(
            "error: cannot write to standard output: {e}\n"
        ));
        std::process::exit(i32::from(UNUSABLE));
    }
}

fn write_err(args: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let _ = std::io::stderr().lock().write_fmt(args);
}

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
    /// What changed between two methodology versions.
    Diff {
        /// The old rule set.
        old: PathBuf,
        /// The new rule set.
        new: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Run the tests written in rule files (`test "…" given … expect …`).
    Test {
        /// Rule files, rule-set folders, or folders of rule sets.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Rewrite rule files in the one canonical layout (comments kept).
    Fmt {
        /// Report files that are not formatted instead of rewriting them (exit 1).
        #[arg(long)]
        check: bool,
        /// Rule files or folders (searched recursively for `.chiso` files).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Run a rule set over data files and report values and findings.
    Run {
        /// The rule set: a `.chiso` file or a folder of them.
        #[arg(long)]
        rules: PathBuf,
        /// Data files (JSON, CSV, Excel/ODS); together they form one dataset.
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
        /// Which findings the report lists (the summary counts all of them).
        #[arg(long, value_enum, default_value_t = Findings::All)]
        findings: Findings,
        /// Which values the report lists per unit: none, the declared indicators and
        /// scores, or the inputs as well.
        #[arg(long, value_enum, default_value_t = Values::Declared)]
        values: Values,
        /// How to read the data files.
        #[command(flatten)]
        reading: cli_data::DataArgs,
    },
    /// Serve the language server protocol on standard input and output (for editors).
    #[cfg(feature = "lsp")]
    Lsp,
}

/// `--findings`.
#[derive(Clone, Copy, ValueEnum)]
enum Findings {
    /// Every finding.
    All,
    /// Only `fail` and `error`.
    Failing,
}

/// `--values`.
#[derive(Clone, Copy, ValueEnum)]
enum Values {
    /// No per-unit values (findings still show their evidence).
    None,
    /// Indicators and scores.
    Declared,
    /// Inputs, indicators and scores.
    All,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
    /// JSON Lines: one finding per line, written as it is decided, in bounded memory
    /// (rule sets without cohort operations).
    Jsonl,
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
        Command::Fmt { check, paths } => fmt(&paths, check),
        Command::Test { paths } => test(&paths),
        Command::Diff { old, new, format } => diff(&old, &new, format),
        #[cfg(feature = "lsp")]
        Command::Lsp => match chiso::lsp::run_stdio() {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(UNUSABLE)
            }
        },
        Command::Run {
            rules,
            data,
            format,
            out,
            explain,
            previous,
            sensitivity,
            seed,
            findings,
            values,
            reading,
        } => {
            let extras = Extras {
                explain,
                previous,
                sensitivity: sensitivity.map(|n| (n as usize, seed)),
                lean: chiso::stream::StreamOptions {
                    findings: match findings {
                        Findings::All => chiso::stream::FindingFilter::All,
                        Findings::Failing => chiso::stream::FindingFilter::Failing,
                    },
                    values: match values {
                        Values::None => chiso::stream::ValueFilter::None,
                        Values::Declared => chiso::stream::ValueFilter::Declared,
                        Values::All => chiso::stream::ValueFilter::All,
                    },
                },
                reading,
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

/// Loads every rule set under `paths` and hands each to `each`; prints what cannot be
/// loaded. Returns the paths that could not be loaded (empty when all could).
fn for_each_rule_set(
    paths: &[PathBuf],
    mut each: impl FnMut(&std::path::Path, RuleSet),
) -> Vec<PathBuf> {
    let mut unusable = Vec::new();
    for path in paths {
        let sets = match find_rule_sets(path) {
            Ok(sets) => sets,
            Err(e) => {
                print_load_error(&e);
                unusable.push(path.clone());
                continue;
            }
        };
        for set in sets {
            match RuleSet::load(&set) {
                Ok(rules) => each(&set, rules),
                Err(e) => {
                    print_load_error(&e);
                    unusable.push(set);
                }
            }
        }
    }
    unusable
}

fn check(paths: &[PathBuf]) -> ExitCode {
    use chiso::report::display::plural;
    let mut warnings = false;
    let unusable = for_each_rule_set(paths, |set, rules| {
        for w in rules.warnings() {
            eprint!("{}", w.render());
        }
        let count = rules.warnings().len();
        warnings |= count > 0;
        // "ok" only for a rule set without warnings: `check` exits 1 on warnings.
        let verdict = if count == 0 {
            "ok".to_string()
        } else {
            plural(count, "warning", "warnings")
        };
        let p = rules.program();
        println!(
            "{verdict}: {} — {} version {} ({}, {}, {})",
            set.display(),
            rules.methodology().name,
            rules.methodology().version,
            plural(p.inputs.len(), "input", "inputs"),
            plural(
                p.formulas.len(),
                "indicator or score",
                "indicators and scores"
            ),
            plural(p.rules.len(), "rule", "rules")
        );
    });
    if !unusable.is_empty() {
        ExitCode::from(UNUSABLE)
    } else if warnings {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn diff(old: &std::path::Path, new: &std::path::Path, format: Format) -> ExitCode {
    let load = |p: &std::path::Path| {
        RuleSet::load(p).map_err(|e| {
            print_load_error(&e);
            ExitCode::from(UNUSABLE)
        })
    };
    let (old, new) = match (load(old), load(new)) {
        (Ok(o), Ok(n)) => (o, n),
        (Err(code), _) | (_, Err(code)) => return code,
    };
    let d = chiso::diff::diff(&old, &new);
    match format {
        Format::Text => print!("{}", d.to_text()),
        Format::Json => println!("{}", serde_json::to_string_pretty(&d).unwrap_or_default()),
        Format::Jsonl => println!("{}", serde_json::to_string(&d).unwrap_or_default()),
    }
    ExitCode::SUCCESS
}

fn test(paths: &[PathBuf]) -> ExitCode {
    let (mut passed, mut failed) = (0, 0);
    let unusable = for_each_rule_set(paths, |set, rules| {
        let results = chiso::testing::run(&rules);
        println!("{}: {} test(s)", set.display(), results.len());
        for r in results {
            println!("  {r}");
            if r.passed() {
                passed += 1;
            } else {
                failed += 1;
            }
        }
    });
    for set in &unusable {
        println!(
            "{}: the rule set did not compile; its tests did not run",
            set.display()
        );
    }
    if unusable.is_empty() {
        println!("{passed} passed, {failed} failed");
    } else {
        println!(
            "{passed} passed, {failed} failed; {} did not compile",
            chiso::report::display::plural(unusable.len(), "rule set", "rule sets")
        );
    }
    if !unusable.is_empty() {
        ExitCode::from(UNUSABLE)
    } else if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn fmt(paths: &[PathBuf], check: bool) -> ExitCode {
    let mut files = Vec::new();
    for path in paths {
        match chiso::ruleset::find_rule_files(path) {
            Ok(found) => files.extend(found),
            Err(e) => {
                print_load_error(&e);
                return ExitCode::from(UNUSABLE);
            }
        }
    }
    let (mut unusable, mut unformatted) = (false, 0);
    for file in files {
        let text = match std::fs::read_to_string(&file) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("error: cannot read `{}`: {e}", file.display());
                unusable = true;
                continue;
            }
        };
        let source = chiso::source::Source::new(file.display().to_string(), text);
        match chiso::format::format_source(&source) {
            Ok(formatted) if formatted == source.text => {}
            Ok(formatted) => {
                unformatted += 1;
                if check {
                    println!("not formatted: {}", file.display());
                } else if let Err(e) = std::fs::write(&file, formatted) {
                    eprintln!("error: cannot write `{}`: {e}", file.display());
                    unusable = true;
                } else {
                    println!("formatted: {}", file.display());
                }
            }
            Err(diagnostics) => {
                for d in diagnostics {
                    eprint!("{}", d.render());
                }
                unusable = true;
            }
        }
    }
    if unusable {
        ExitCode::from(UNUSABLE)
    } else if check && unformatted > 0 {
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
    /// `--findings` and `--values`.
    lean: chiso::stream::StreamOptions,
    reading: cli_data::DataArgs,
}

impl Extras {
    fn any(&self) -> bool {
        self.explain.is_some() || self.previous.is_some() || self.sensitivity.is_some()
    }
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
    if extras.any() && (matches!(format, Format::Jsonl) || extras.lean != Default::default()) {
        eprintln!(
            "error: --explain, --previous and --sensitivity need the full report: they cannot be combined with --format jsonl, --findings or --values"
        );
        return ExitCode::from(UNUSABLE);
    }
    if matches!(format, Format::Jsonl) {
        if !extras.reading.is_default() {
            eprintln!(
                "error: --format jsonl streams UTF-8 CSV and JSON Lines as written; the reading options (--delimiter, --encoding, --decimal-comma, --thousands, --missing, --sheet, --header-row) are not supported with it yet"
            );
            return ExitCode::from(UNUSABLE);
        }
        return run_jsonl(&rules, data, out, extras.lean);
    }
    let reading = match extras.reading.options(rules.unit_key()) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(UNUSABLE);
        }
    };
    let dataset = match rules.load_data_with(data, &reading) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(UNUSABLE);
        }
    };
    let previous = match &extras.previous {
        None => None,
        Some(path) => match rules.load_previous_with(path, &reading) {
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
    let report = if extras.lean == Default::default() {
        rules.evaluate_with(&dataset, &options)
    } else {
        Ok(rules.evaluate_lean(&dataset, &extras.lean))
    };
    let report = match report {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(UNUSABLE);
        }
    };
    let max = rules.resources().report_bytes;
    let text = match format {
        Format::Text => report.to_text_within(max),
        Format::Json | Format::Jsonl => report.to_json_within(max).map(|j| j + "\n"),
    };
    let text = match text {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(UNUSABLE);
        }
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

/// `--format jsonl`: records read, decided and written one at a time.
fn run_jsonl(
    rules: &RuleSet,
    data: &[PathBuf],
    out: Option<&std::path::Path>,
    lean: chiso::stream::StreamOptions,
) -> ExitCode {
    use std::io::Write;
    let mut writer: Box<dyn Write> = match out {
        Some(path) => match std::fs::File::create(path) {
            Ok(f) => Box::new(std::io::BufWriter::with_capacity(1 << 16, f)),
            Err(e) => {
                eprintln!("error: cannot write `{}`: {e}", path.display());
                return ExitCode::from(UNUSABLE);
            }
        },
        None => Box::new(std::io::BufWriter::with_capacity(
            1 << 16,
            std::io::stdout().lock(),
        )),
    };
    let records = chiso::stream::Records::open(data, rules.unit_key());
    match rules.write_jsonl(records, lean, &mut writer) {
        Ok(summary) if summary.failed_errors > 0 || summary.errors > 0 => ExitCode::from(1),
        Ok(_) => ExitCode::SUCCESS,
        Err(chiso::stream::StreamError::Write(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            std::process::exit(CLOSED_PIPE)
        }
        Err(e) => {
            let _ = writer.flush();
            eprintln!("error: {e}");
            ExitCode::from(UNUSABLE)
        }
    }
}
