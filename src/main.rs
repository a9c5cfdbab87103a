//! `chiso`: the command line over the library.

use std::path::PathBuf;
use std::process::ExitCode;

use chiso::RuleSet;
use chiso::ruleset::find_rule_sets;
use clap::{CommandFactory, Parser, Subcommand, ValueEnum};

mod cli_data;
mod cli_fmt;
mod cli_run;
mod cli_stream;
mod cli_term;

use cli_run::{ReportFormat, Table};
use cli_term::{ColorWhen, Term};

/// Exit code: unusable input (bad rule file, data file or arguments).
const UNUSABLE: u8 = 2;

#[derive(Parser)]
#[command(
    name = "chiso",
    version,
    about = "Scoring methodologies and compliance rules as rule files"
)]
struct Cli {
    /// Colour diagnostics: `auto` (when standard error is a terminal and `NO_COLOR` is not
    /// set), `always` or `never`.
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorWhen::Auto, global = true)]
    color: ColorWhen,
    /// No progress bars and no status lines (`ok: …`, `formatted: …`, passing tests);
    /// reports, diagnostics and errors are still printed.
    #[arg(long, short, global = true)]
    quiet: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Parse and check rule files or rule-set folders.
    Check {
        /// Output format: rustc-style text on standard error, or one JSON document on
        /// standard output (see the README's "Diagnostics as JSON").
        #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
        format: CheckFormat,
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
        /// Show what formatting would change as a unified diff, without rewriting (exit 1
        /// when there is a change).
        #[arg(long)]
        diff: bool,
        /// Rule files or folders (searched recursively for `.chiso` files), or `-` to
        /// format standard input to standard output.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Run a rule set over data files and report values and findings.
    Run {
        /// The rule set: a `.chiso` file or a folder of them.
        #[arg(long)]
        rules: PathBuf,
        /// Data files (JSON, JSON Lines, CSV, Excel/ODS); together they form one dataset.
        #[arg(long, required = true, num_args = 1..)]
        data: Vec<PathBuf>,
        /// Report format (default: the one `--out`'s extension names, else text).
        #[arg(long, value_enum)]
        format: Option<ReportFormat>,
        /// Write the report to this file instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
        /// The CSV table: one row per finding (default) or one per unit with every value
        /// and rank.
        #[arg(long, value_enum)]
        table: Option<Table>,
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
    /// Print a shell completion script: `chiso completions bash > /etc/bash_completion.d/chiso`.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

/// `chiso check --format`.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum CheckFormat {
    /// rustc-style diagnostics on standard error, one line per rule set on standard output.
    Text,
    /// One JSON document on standard output.
    Json,
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

/// `chiso diff --format`.
#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
    /// The same JSON on one line.
    Jsonl,
}

fn main() -> ExitCode {
    restore_sigpipe();
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
    let term = Term::new(cli.color, cli.quiet);
    match cli.command {
        Command::Check { format, paths } => check(term, &paths, format),
        Command::Fmt { check, diff, paths } => {
            cli_fmt::fmt(term, &paths, cli_fmt::Mode { check, diff })
        }
        Command::Test { paths } => test(term, &paths),
        Command::Diff { old, new, format } => diff(term, &old, &new, format),
        #[cfg(feature = "lsp")]
        Command::Lsp => match chiso::lsp::run_stdio() {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                term.error(e);
                ExitCode::from(UNUSABLE)
            }
        },
        Command::Completions { shell } => {
            let mut out = std::io::stdout().lock();
            clap_complete::generate(shell, &mut Cli::command(), "chiso", &mut out);
            ExitCode::SUCCESS
        }
        Command::Run {
            rules,
            data,
            format,
            out,
            table,
            explain,
            previous,
            sensitivity,
            seed,
            findings,
            values,
            reading,
        } => {
            let extras = cli_run::Extras {
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
                table,
                reading,
            };
            cli_run::run(term, &rules, &data, format, out.as_deref(), &extras)
        }
    }
}

/// `chiso … | head` ends quietly: the default action of SIGPIPE (end the process, exit
/// status 141 in a shell) instead of Rust's "ignore, then fail the write".
fn restore_sigpipe() {
    #[cfg(unix)]
    // SAFETY: called first thing in `main`, before any thread exists; SIG_DFL is the
    // default action every Unix program starts with.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// Every rule set under `paths`, loaded: `(path, result)`; the paths that cannot even be
/// searched come with their error.
fn load_all(paths: &[PathBuf]) -> Vec<(PathBuf, Result<RuleSet, chiso::LoadError>)> {
    let mut loaded = Vec::new();
    for path in paths {
        match find_rule_sets(path) {
            Ok(sets) => {
                for set in sets {
                    let result = RuleSet::load(&set);
                    loaded.push((set, result));
                }
            }
            Err(e) => loaded.push((path.clone(), Err(e))),
        }
    }
    loaded
}

fn check(term: Term, paths: &[PathBuf], format: CheckFormat) -> ExitCode {
    use chiso::report::display::plural;
    let loaded = load_all(paths);
    let unusable = loaded.iter().any(|(_, r)| r.is_err());
    let warnings = loaded
        .iter()
        .any(|(_, r)| r.as_ref().is_ok_and(|rules| !rules.warnings().is_empty()));
    if format == CheckFormat::Json {
        println!("{}", check_json(&loaded));
    } else {
        for (set, result) in &loaded {
            let rules = match result {
                Ok(rules) => rules,
                Err(e) => {
                    term.load_error(e);
                    continue;
                }
            };
            for w in rules.warnings() {
                term.diagnostic(w);
            }
            let count = rules.warnings().len();
            // "ok" only for a rule set without warnings: `check` exits 1 on warnings.
            let verdict = if count == 0 {
                if term.quiet {
                    continue;
                }
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
        }
    }
    if unusable {
        ExitCode::from(UNUSABLE)
    } else if warnings {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// `chiso check --format json`: version 1 of the diagnostics document.
fn check_json(loaded: &[(PathBuf, Result<RuleSet, chiso::LoadError>)]) -> String {
    use chiso::diagnostic::{Level, Record};
    let mut diagnostics = Vec::new();
    let mut sets = Vec::new();
    let (mut errors, mut warnings) = (0, 0);
    for (set, result) in loaded {
        let path = set.display().to_string();
        let records: Vec<Record> = match result {
            Ok(rules) => rules.warnings().iter().map(|d| d.record()).collect(),
            Err(chiso::LoadError::Invalid { diagnostics }) => {
                diagnostics.iter().map(|d| d.record()).collect()
            }
            Err(other) => vec![Record::general(
                Some(path.clone()),
                Level::Error,
                &other.to_string(),
            )],
        };
        let e = records.iter().filter(|r| r.severity == "error").count();
        let w = records.len() - e;
        errors += e;
        warnings += w;
        let (name, version) = match result {
            Ok(rules) => (
                Some(rules.methodology().name.clone()),
                Some(rules.methodology().version.clone()),
            ),
            Err(_) => (None, None),
        };
        sets.push(serde_json::json!({
            "path": path,
            "status": if result.is_err() { "error" } else if w > 0 { "warnings" } else { "ok" },
            "methodology": name,
            "version": version,
            "errors": e,
            "warnings": w,
        }));
        diagnostics.extend(records);
    }
    let doc = serde_json::json!({
        "version": 1,
        "rule_sets": sets,
        "diagnostics": diagnostics,
        "summary": {"rule_sets": loaded.len(), "errors": errors, "warnings": warnings},
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

fn diff(term: Term, old: &std::path::Path, new: &std::path::Path, format: Format) -> ExitCode {
    let load = |p: &std::path::Path| {
        RuleSet::load(p).map_err(|e| {
            term.load_error(&e);
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

fn test(term: Term, paths: &[PathBuf]) -> ExitCode {
    let (mut passed, mut failed) = (0, 0);
    let mut unusable = Vec::new();
    for (set, result) in load_all(paths) {
        let rules = match result {
            Ok(rules) => rules,
            Err(e) => {
                term.load_error(&e);
                unusable.push(set);
                continue;
            }
        };
        let results = chiso::testing::run(&rules);
        if !term.quiet {
            println!("{}: {} test(s)", set.display(), results.len());
        }
        for r in results {
            if r.passed() {
                passed += 1;
            } else {
                failed += 1;
            }
            if !term.quiet || !r.passed() {
                println!("  {r}");
            }
        }
    }
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
