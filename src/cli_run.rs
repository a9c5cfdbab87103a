//! `chiso run`: load, evaluate, write the report in the format asked for (or the one
//! `--out`'s extension names).

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chiso::report::RunContext;
use chiso::{RuleSet, RunOptions};
use clap::ValueEnum;

use crate::cli_term::Term;
use crate::{UNUSABLE, cli_data, cli_stream};

/// Data files larger than this (about 50,000 records) get a spinner while they load.
pub(crate) const LARGE_DATA_BYTES: u64 = 5_000_000;
/// Datasets with more units than this get a spinner while they are evaluated.
const LARGE_DATASET: usize = 50_000;

/// `chiso run --format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// The text report (default).
    Text,
    /// The JSON report (contract version 1).
    Json,
    /// JSON Lines: one finding per line, written as it is decided, in bounded memory
    /// (rule sets without cohort operations).
    Jsonl,
    /// CSV: one row per finding, or one per unit with `--table values`.
    Csv,
    /// One self-contained HTML page with the ranking, charts, findings and explanations.
    Html,
    /// An Excel workbook: Summary, Values, Findings, Explain (feature `xlsx`).
    Xlsx,
}

impl ReportFormat {
    /// The format an output file's extension names, if any.
    pub fn of_path(path: &Path) -> Option<Self> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "txt" | "text" => Self::Text,
            "json" => Self::Json,
            "jsonl" | "ndjson" => Self::Jsonl,
            "csv" => Self::Csv,
            "html" | "htm" => Self::Html,
            "xlsx" => Self::Xlsx,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Json => "json",
            Self::Jsonl => "jsonl",
            Self::Csv => "csv",
            Self::Html => "html",
            Self::Xlsx => "xlsx",
        }
    }
}

/// `chiso run --table` (CSV only).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Table {
    /// One row per finding.
    Findings,
    /// One row per unit: every value and rank.
    Values,
}

/// The format to write: `--format`, else `--out`'s extension, else text. An explicit
/// format that contradicts the extension is an error.
pub fn resolve_format(
    format: Option<ReportFormat>,
    out: Option<&Path>,
) -> Result<ReportFormat, String> {
    let by_extension = out.and_then(ReportFormat::of_path);
    match (format, by_extension, out) {
        (Some(f), Some(e), Some(path)) if f != e => Err(format!(
            "--format {} does not match the extension of `{}` ({}): drop --format, or name the file for the format",
            f.name(),
            path.display(),
            e.name()
        )),
        (Some(f), _, _) => Ok(f),
        (None, Some(e), _) => Ok(e),
        (None, None, _) => Ok(ReportFormat::Text),
    }
}

/// The optional parts of `chiso run`.
pub struct Extras {
    /// `--explain`.
    pub explain: Option<String>,
    /// `--previous`.
    pub previous: Option<PathBuf>,
    /// `--sensitivity` and `--seed`.
    pub sensitivity: Option<(usize, u64)>,
    /// `--findings` and `--values`.
    pub lean: chiso::stream::StreamOptions,
    /// `--table`.
    pub table: Option<Table>,
    /// How to read the data files.
    pub reading: cli_data::DataArgs,
}

impl Extras {
    fn any(&self) -> bool {
        self.explain.is_some() || self.previous.is_some() || self.sensitivity.is_some()
    }
}

/// `chiso run`.
pub fn run(
    term: Term,
    rules: &Path,
    data: &[PathBuf],
    format: Option<ReportFormat>,
    out: Option<&Path>,
    extras: &Extras,
) -> ExitCode {
    let unusable = |message: String| {
        term.error(message);
        ExitCode::from(UNUSABLE)
    };
    let format = match resolve_format(format, out) {
        Ok(f) => f,
        Err(e) => return unusable(e),
    };
    if extras.table.is_some() && format != ReportFormat::Csv {
        return unusable(format!(
            "--table chooses the CSV table; it does not apply to --format {}",
            format.name()
        ));
    }
    if format == ReportFormat::Xlsx && !cfg!(feature = "xlsx") {
        return unusable(
            "this chiso was built without the `xlsx` feature: --format xlsx is not available"
                .into(),
        );
    }
    if format == ReportFormat::Xlsx && out.is_none() && std::io::stdout().is_terminal() {
        return unusable(
            "an Excel workbook is binary: write it to a file with --out FILE.xlsx".into(),
        );
    }
    let rules = match RuleSet::load(rules) {
        Ok(r) => r,
        Err(e) => {
            term.load_error(&e);
            return ExitCode::from(UNUSABLE);
        }
    };
    if extras.any() && (format == ReportFormat::Jsonl || extras.lean != Default::default()) {
        return unusable(
            "--explain, --previous and --sensitivity need the full report: they cannot be combined with --format jsonl, --findings or --values".into(),
        );
    }
    let reading = match extras.reading.options(rules.load_options()) {
        Ok(o) => o,
        Err(e) => return unusable(e),
    };
    if format == ReportFormat::Jsonl {
        if reading.strict {
            return unusable(
                "--strict refuses a column in any record before anything is decided; --format jsonl writes findings as records are read: use --format json or text with --strict".into(),
            );
        }
        return cli_stream::run_jsonl(term, &rules, data, out, extras.lean, reading);
    }
    let table = extras.table.unwrap_or(Table::Findings);
    if let Some(layout) = cli_stream::streamable(format, table, extras.any(), &reading)
        && let Some(code) = cli_stream::run_streamed(
            term,
            &rules,
            data,
            out,
            extras.lean,
            reading.clone(),
            layout,
        )
    {
        return code;
    }
    let bytes: u64 = data
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum();
    let spinner = (bytes > LARGE_DATA_BYTES)
        .then(|| term.spinner(format!("reading {} MB of data", bytes.div_ceil(1_000_000))));
    let dataset = rules.load_data_with(data, &reading);
    if let Some(s) = spinner {
        s.finish_and_clear();
    }
    let dataset = match dataset {
        Ok(d) => d,
        Err(e) => return unusable(e.to_string()),
    };
    let previous = match &extras.previous {
        None => None,
        Some(path) => match rules.load_previous_with(path, &reading) {
            Ok(p) => Some(p),
            Err(e) => return unusable(e.to_string()),
        },
    };
    let runs = extras.sensitivity.map_or(0, |(n, _)| n as u64);
    let bar = term.bar(runs, "sensitivity runs");
    let tell = |done: usize, _total: usize| bar.set_position(done as u64);
    let spinner = (dataset.records.len() > LARGE_DATASET)
        .then(|| term.spinner(format!("evaluating {} units", dataset.records.len())));
    let rich = matches!(format, ReportFormat::Html | ReportFormat::Xlsx);
    let options = RunOptions {
        explain: extras.explain.as_deref(),
        previous: previous.as_ref(),
        sensitivity: extras.sensitivity,
        explain_all: rich,
        progress: extras.sensitivity.map(|_| chiso::Progress(&tell)),
    };
    let report = if extras.lean == Default::default() {
        rules.evaluate_with(&dataset, &options)
    } else {
        Ok(rules.evaluate_lean(&dataset, &extras.lean))
    };
    bar.finish_and_clear();
    if let Some(s) = spinner {
        s.finish_and_clear();
    }
    let report = match report {
        Ok(r) => r,
        Err(e) => return unusable(e.to_string()),
    };
    let context = RunContext {
        data_files: data.iter().map(|p| p.display().to_string()).collect(),
        previous_file: extras.previous.as_ref().map(|p| p.display().to_string()),
        generated: Some(now_utc()),
    };
    let max = rules.resources().report_bytes;
    let written = match format {
        ReportFormat::Text => report
            .to_text_within(max)
            .map(String::into_bytes)
            .map_err(|e| e.to_string()),
        ReportFormat::Json | ReportFormat::Jsonl => report
            .to_json_within(max)
            .map(|j| (j + "\n").into_bytes())
            .map_err(|e| e.to_string()),
        ReportFormat::Html => Ok(report.to_html(&context).into_bytes()),
        ReportFormat::Csv => match table {
            Table::Findings => chiso::report::csv::findings(&report),
            Table::Values => chiso::report::csv::values(&report),
        }
        .map_err(|e| e.to_string())
        .and_then(|csv| {
            if csv.len() > max {
                return Err(chiso::report::TooLarge { max }.to_string());
            }
            Ok(csv.into_bytes())
        }),
        ReportFormat::Xlsx => xlsx(&report, &context),
    };
    let bytes = match written {
        Ok(b) => b,
        Err(e) => return unusable(e),
    };
    match out {
        Some(path) => {
            if let Err(e) = std::fs::write(path, bytes) {
                return unusable(format!("cannot write `{}`: {e}", path.display()));
            }
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            if let Err(e) = stdout.write_all(&bytes).and_then(|()| stdout.flush()) {
                if e.kind() == std::io::ErrorKind::BrokenPipe {
                    return ExitCode::SUCCESS;
                }
                return unusable(format!("cannot write the report: {e}"));
            }
        }
    }
    if report.has_errors() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

#[cfg(feature = "xlsx")]
fn xlsx(report: &chiso::Report, context: &RunContext) -> Result<Vec<u8>, String> {
    chiso::report::xlsx::workbook(report, context).map_err(|e| e.to_string())
}

#[cfg(not(feature = "xlsx"))]
fn xlsx(_: &chiso::Report, _: &RunContext) -> Result<Vec<u8>, String> {
    Err("this chiso was built without the `xlsx` feature".into())
}

/// The time now, `2026-05-01 10:32 UTC` (for the report's header).
fn now_utc() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let days = (secs / 86_400) as i64;
    let (h, m) = ((secs % 86_400) / 3600, (secs % 3600) / 60);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{d:02} {h:02}:{m:02} UTC")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_format_follows_the_extension_unless_given_and_a_mismatch_is_an_error() {
        let json = Path::new("rep.json");
        assert_eq!(resolve_format(None, Some(json)), Ok(ReportFormat::Json));
        assert_eq!(
            resolve_format(None, Some(Path::new("r.HTML"))),
            Ok(ReportFormat::Html)
        );
        assert_eq!(
            resolve_format(None, Some(Path::new("r.log"))),
            Ok(ReportFormat::Text)
        );
        assert_eq!(resolve_format(None, None), Ok(ReportFormat::Text));
        assert_eq!(
            resolve_format(Some(ReportFormat::Csv), Some(Path::new("r.log"))),
            Ok(ReportFormat::Csv)
        );
        assert!(resolve_format(Some(ReportFormat::Html), Some(json)).is_err());
    }

    #[test]
    fn the_clock_reads_as_a_utc_date() {
        let now = now_utc();
        assert!(now.ends_with(" UTC") && now.len() == 20, "{now}");
    }
}
