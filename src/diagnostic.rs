//! Diagnostics: what every stage reports about a rule file, rendered like rustc.

use std::fmt;

use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label};
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term::{self, Config};

use crate::source::Loc;

/// How serious a diagnostic is. Errors make a rule set unusable; warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// The rule set cannot be used.
    Error,
    /// The rule set works but something is probably not what the author meant.
    Warning,
}

/// One problem found in a rule file, at a place in it.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    /// Error or warning.
    pub level: Level,
    /// Lowercase, no final period; names quoted in backticks.
    pub message: String,
    /// Where: the underlined text.
    pub loc: Option<Loc>,
    /// Short text under the caret.
    pub label: String,
    /// Extra locations with their labels (e.g. the first declaration of a duplicate).
    pub secondary: Vec<(Loc, String)>,
    /// `help:` lines: what to do about it.
    pub help: Vec<String>,
}

impl Diagnostic {
    /// An error at `loc`.
    pub fn error(message: impl Into<String>, loc: &Loc) -> Self {
        Self {
            level: Level::Error,
            message: message.into(),
            loc: Some(loc.clone()),
            label: String::new(),
            secondary: Vec::new(),
            help: Vec::new(),
        }
    }

    /// A warning at `loc`.
    pub fn warning(message: impl Into<String>, loc: &Loc) -> Self {
        Self {
            level: Level::Warning,
            ..Self::error(message, loc)
        }
    }

    /// An error about a whole file or rule set, with no position inside it.
    pub fn general(message: impl Into<String>) -> Self {
        Self {
            level: Level::Error,
            message: message.into(),
            loc: None,
            label: String::new(),
            secondary: Vec::new(),
            help: Vec::new(),
        }
    }

    /// Sets the label under the caret.
    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    /// Adds a help line.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help.push(help.into());
        self
    }

    /// Adds a second located label.
    pub fn with_secondary(mut self, loc: &Loc, label: impl Into<String>) -> Self {
        self.secondary.push((loc.clone(), label.into()));
        self
    }

    /// True for errors.
    pub fn is_error(&self) -> bool {
        self.level == Level::Error
    }

    /// Renders like rustc: `error: …`, ` --> file:line:col`, the source line and a caret,
    /// then help lines. No colour.
    pub fn render(&self) -> String {
        self.render_with(false)
    }

    /// [`Diagnostic::render`] with ANSI colours, for a terminal.
    pub fn render_coloured(&self) -> String {
        self.render_with(true)
    }

    /// [`Diagnostic::render`], coloured or not.
    pub fn render_with(&self, colour: bool) -> String {
        let mut out = Vec::new();
        let ok = if colour {
            self.emit(&mut term::termcolor::Ansi::new(&mut out))
        } else {
            self.emit(&mut term::termcolor::NoColor::new(&mut out))
        };
        if ok {
            String::from_utf8_lossy(&out).into_owned()
        } else {
            self.to_string()
        }
    }

    /// Writes the rendering to `writer`; false when it could not be written.
    fn emit<W: term::WriteStyle>(&self, writer: &mut W) -> bool {
        let config = Config::default();
        let mut cs = match self.level {
            Level::Error => CsDiagnostic::error(),
            Level::Warning => CsDiagnostic::warning(),
        }
        .with_message(&self.message)
        .with_notes(self.help.iter().map(|h| format!("help: {h}")).collect());
        let rendered = match &self.loc {
            Some(loc) => {
                let file = SimpleFile::new(loc.source.name.as_str(), loc.source.text.as_str());
                let mut labels =
                    vec![Label::primary((), loc.range.clone()).with_message(&self.label)];
                for (other, label) in &self.secondary {
                    if std::sync::Arc::ptr_eq(&other.source, &loc.source) {
                        labels.push(Label::secondary((), other.range.clone()).with_message(label));
                    } else {
                        cs.notes.push(format!("note: {label} at {other}"));
                    }
                }
                cs = cs.with_labels(labels);
                term::emit_to_write_style(writer, &config, &file, &cs)
            }
            None => {
                let file = SimpleFile::new("", "");
                term::emit_to_write_style(writer, &config, &file, &cs)
            }
        };
        rendered.is_ok()
    }

    /// The diagnostic as a machine-readable record (`chiso check --format json`).
    pub fn record(&self) -> Record {
        let mut record = Record::general(None, self.level, &self.message);
        if let Some(loc) = &self.loc {
            record.at(loc);
        }
        record.label = (!self.label.is_empty()).then(|| self.label.clone());
        record.help = self.help.clone();
        record.related = self
            .secondary
            .iter()
            .map(|(loc, label)| {
                let mut r = Record::general(None, Level::Warning, label);
                r.at(loc);
                Related {
                    file: r.file,
                    line: r.line,
                    column: r.column,
                    end_line: r.end_line,
                    end_column: r.end_column,
                    message: label.clone(),
                }
            })
            .collect();
        record
    }
}

/// One diagnostic as `chiso check --format json` writes it. Lines and columns are
/// 1-based, columns count characters; `end_line`/`end_column` is the position just after
/// the last underlined character. Fields without a value are `null`, never left out.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Record {
    /// The rule file (or the path that could not be read).
    pub file: Option<String>,
    /// Line of the start.
    pub line: Option<usize>,
    /// Column of the start.
    pub column: Option<usize>,
    /// Line just after the end.
    pub end_line: Option<usize>,
    /// Column just after the end.
    pub end_column: Option<usize>,
    /// `error` or `warning`.
    pub severity: &'static str,
    /// A stable code for the kind of problem, where it has one (none does yet).
    pub code: Option<String>,
    /// The message: lowercase, no final period.
    pub message: String,
    /// The text under the caret.
    pub label: Option<String>,
    /// What to do about it.
    pub help: Vec<String>,
    /// Other places concerned (the first declaration of a duplicate, …).
    pub related: Vec<Related>,
}

/// Another place a diagnostic points at.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Related {
    /// The rule file.
    pub file: Option<String>,
    /// Line of the start.
    pub line: Option<usize>,
    /// Column of the start.
    pub column: Option<usize>,
    /// Line just after the end.
    pub end_line: Option<usize>,
    /// Column just after the end.
    pub end_column: Option<usize>,
    /// What is there.
    pub message: String,
}

impl Record {
    /// A record about a whole file (or none), without a position.
    pub fn general(file: Option<String>, level: Level, message: &str) -> Self {
        Self {
            file,
            line: None,
            column: None,
            end_line: None,
            end_column: None,
            severity: match level {
                Level::Error => "error",
                Level::Warning => "warning",
            },
            code: None,
            message: message.to_string(),
            label: None,
            help: Vec::new(),
            related: Vec::new(),
        }
    }

    fn at(&mut self, loc: &Loc) {
        let (line, column) = loc.source.line_col(loc.range.start);
        let (end_line, end_column) = loc.source.line_col(loc.range.end);
        self.file = Some(loc.source.name.clone());
        self.line = Some(line);
        self.column = Some(column);
        self.end_line = Some(end_line);
        self.end_column = Some(end_column);
    }
}

impl fmt::Display for Diagnostic {
    /// One line: `file:line:col: error: message`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.level {
            Level::Error => "error",
            Level::Warning => "warning",
        };
        match &self.loc {
            Some(loc) => write!(f, "{loc}: {level}: {}", self.message),
            None => write!(f, "{level}: {}", self.message),
        }
    }
}

/// The closest of `candidates` to `name`, if close enough to be a plausible typo.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let limit = (name.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (edit_distance(name, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = Vec::with_capacity(b.len() + 1);
        cur.push(i + 1);
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            let best = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
            cur.push(best);
        }
        prev = cur;
    }
    prev.last().copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        let names = ["infosec_staff", "staff_total", "it_qualified_staff"];
        assert_eq!(did_you_mean("infosec_staf", names), Some("infosec_staff"));
        assert_eq!(did_you_mean("budget", names), None);
    }

    #[test]
    fn edit_distance_basics() {
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("bộ", "bô"), 1);
    }
}
