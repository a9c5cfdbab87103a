//! `chiso run` over a stream: `--format jsonl` always, and the text and CSV reports unless
//! something asked needs the whole dataset, so a million rows never become a million
//! records in memory. The streamed text and CSV are byte for byte the whole report's.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chiso::stream::{Layout, Records, StreamError, StreamOptions};
use chiso::{DataError, LoadOptions, RuleSet};

use crate::UNUSABLE;
use crate::cli_run::{LARGE_DATA_BYTES, ReportFormat, Table};
use crate::cli_term::Term;

/// `--format jsonl`: records read, decided and written one at a time.
pub fn run_jsonl(
    term: Term,
    rules: &RuleSet,
    data: &[PathBuf],
    out: Option<&Path>,
    lean: StreamOptions,
    reading: LoadOptions,
) -> ExitCode {
    let mut writer: Box<dyn Write> = match out {
        Some(path) => match File::create(path) {
            Ok(f) => Box::new(BufWriter::with_capacity(1 << 16, f)),
            Err(e) => {
                term.error(format!("cannot write `{}`: {e}", path.display()));
                return ExitCode::from(UNUSABLE);
            }
        },
        None => Box::new(BufWriter::with_capacity(1 << 16, std::io::stdout().lock())),
    };
    let records = Records::open_with(data, reading);
    match rules.write_jsonl_files(records, lean, &mut writer) {
        Ok(summary) if summary.failed_errors > 0 || summary.errors > 0 => ExitCode::from(1),
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writer.flush();
            term.error(e);
            ExitCode::from(UNUSABLE)
        }
    }
}

/// The streamed layout of a text or CSV report, when nothing asked for needs the whole
/// dataset: no `--explain`, `--previous` or `--sensitivity`, no `--strict` (it refuses an
/// unread column before deciding anything). A rule set with cohort operations is gathered.
pub fn streamable(
    format: ReportFormat,
    table: Table,
    extras: bool,
    reading: &LoadOptions,
) -> Option<Layout> {
    if extras || reading.strict {
        return None;
    }
    match (format, table) {
        (ReportFormat::Text, _) => Some(Layout::Text),
        (ReportFormat::Csv, Table::Findings) => Some(Layout::CsvFindings),
        (ReportFormat::Csv, Table::Values) => Some(Layout::CsvValues),
        _ => None,
    }
}

/// A text or CSV report written from a stream; `None` when a unit's fields turned out to
/// be split over two files, which only a whole dataset joins (nothing was written then).
pub fn run_streamed(
    term: Term,
    rules: &RuleSet,
    data: &[PathBuf],
    out: Option<&Path>,
    lean: StreamOptions,
    reading: LoadOptions,
    layout: Layout,
) -> Option<ExitCode> {
    let bytes: u64 = data
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum();
    let spinner = (bytes > LARGE_DATA_BYTES).then(|| {
        term.spinner(format!(
            "reading and deciding {} MB of data",
            bytes.div_ceil(1_000_000)
        ))
    });
    let mut writer = Output::new(out);
    let records = Records::open_with(data, reading);
    let written = rules.write_report_files(records, lean, layout, &mut writer);
    if let Some(s) = spinner {
        s.finish_and_clear();
    }
    match written {
        Ok(w) if w.has_errors => Some(ExitCode::from(1)),
        Ok(_) => Some(ExitCode::SUCCESS),
        Err(StreamError::Data(DataError::DuplicateUnit { first, second, .. }))
            if first.file != second.file =>
        {
            None
        }
        Err(StreamError::Write(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            Some(ExitCode::SUCCESS)
        }
        Err(e) => {
            term.error(e);
            Some(ExitCode::from(UNUSABLE))
        }
    }
}

/// Standard output, or a file created only when the report is written (a run that fails
/// leaves an existing file as it was, as the whole report does).
enum Output<'p> {
    Stdout(BufWriter<std::io::StdoutLock<'static>>),
    Pending(&'p Path),
    File(BufWriter<File>),
}

impl<'p> Output<'p> {
    fn new(out: Option<&'p Path>) -> Self {
        match out {
            Some(path) => Output::Pending(path),
            None => Output::Stdout(BufWriter::with_capacity(1 << 16, std::io::stdout().lock())),
        }
    }
}

impl Write for Output<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Output::Pending(path) = self {
            let file = File::create(*path)
                .map_err(|e| std::io::Error::new(e.kind(), format!("`{}`: {e}", path.display())))?;
            *self = Output::File(BufWriter::with_capacity(1 << 16, file));
        }
        match self {
            Output::Stdout(w) => w.write(buf),
            Output::File(w) => w.write(buf),
            Output::Pending(_) => Ok(0),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Output::Stdout(w) => w.flush(),
            Output::File(w) => w.flush(),
            Output::Pending(_) => Ok(()),
        }
    }
}
