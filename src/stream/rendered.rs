//! The text and CSV reports written from a stream: the same bytes as the whole report
//! ([`crate::Report::to_text_within`], [`crate::report::csv`]) over the same data and
//! options, in bounded memory.
//!
//! Those reports list each unit's values in unit order and then the findings rule by rule,
//! while a stream decides a unit's findings for every rule at once; and they open with the
//! notes on the data, which are known only once every record is read. So each piece is
//! rendered as it is decided into its section of a [`Spool`] (values, then one section
//! per rule) and the report is written at the end: head and notes, then the sections in
//! order, then the summary. Memory holds the spool's budget; the disk holds the report.
//! A rule set with cohort operations is gathered first ([`RuleSet::gather`]: inputs bound
//! record by record, the records dropped, the units evaluated together); its units are
//! then rendered in turn, and the ranking table, which is in rank order, is kept aside
//! (a row of a few words per unit) until the end.

use std::collections::HashMap;
use std::io::Write;

use super::spool::Spool;
use super::{Records, Stream, StreamError, StreamItem, StreamOptions, ValueFilter};
use crate::data::{DataError, Record};
use crate::evaluate::Status;
use crate::report::{Report, Summary, TooLarge, csv, text};
use crate::ruleset::RuleSet;

/// The report a stream writes besides JSON Lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// The text report ([`crate::Report::to_text`]).
    Text,
    /// The CSV table of findings ([`crate::report::csv::findings`]).
    CsvFindings,
    /// The CSV table of values ([`crate::report::csv::values`]).
    CsvValues,
}

/// What a streamed report decided.
#[derive(Debug, Clone, PartialEq)]
pub struct Written {
    /// Counts over every finding.
    pub summary: Summary,
    /// What [`crate::Report::has_errors`] says of the same report: a finding failed with
    /// severity `error` or could not be decided, or a listed value could not be computed
    /// for a unit a kept finding applies to.
    pub has_errors: bool,
}

impl RuleSet {
    /// Writes the text or CSV report of an iterator of records to `out`, byte for byte
    /// the report [`RuleSet::evaluate_lean`] gives over the same records, without holding
    /// the records or the report: pieces are kept in a temporary file until the end. The
    /// report's size is bounded by [`crate::ResourceLimits::report_bytes`]. A rule set with
    /// cohort operations is gathered ([`RuleSet::gather`]): memory then holds its bound
    /// inputs and results. On a bad record nothing is written.
    ///
    /// ```
    /// use chiso::stream::{FindingFilter, Layout, StreamOptions, ValueFilter};
    /// let rules = chiso::RuleSet::from_text("t.chiso", "methodology \"T\" version 1\ninput x: number\nrule r require x > 0")?;
    /// let data = chiso::Dataset::from_json_str("d.json", r#"[{"unit": "A", "x": 1}, {"unit": "B", "x": 0}]"#, "unit")?;
    /// let options = StreamOptions { findings: FindingFilter::Failing, values: ValueFilter::None };
    /// let mut out = Vec::new();
    /// let written = rules.write_report(data.records.clone().into_iter().map(Ok), options, Layout::Text, &mut out)?;
    /// assert_eq!(String::from_utf8(out)?, rules.evaluate_lean(&data, &options).to_text());
    /// assert!(written.has_errors); // B fails a rule of severity `error`: `chiso run` exits 1
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn write_report<I, W>(
        &self,
        records: I,
        options: StreamOptions,
        layout: Layout,
        out: &mut W,
    ) -> Result<Written, StreamError>
    where
        I: Iterator<Item = Result<Record, DataError>>,
        W: Write,
    {
        let stream = self.stream_or_gather(records, options);
        Render::new(self, layout, options).run(stream, out, Stream::advance)
    }

    /// [`RuleSet::write_report`] over data files (CSV rows bound from their cells).
    pub fn write_report_files<W: Write>(
        &self,
        records: Records,
        options: StreamOptions,
        layout: Layout,
        out: &mut W,
    ) -> Result<Written, StreamError> {
        let stream = self.stream_or_gather(records, options);
        Render::new(self, layout, options).run(stream, out, Stream::advance_rows)
    }

    /// A stream of `records`, gathered when the rule set compares units.
    pub(super) fn stream_or_gather<I>(&self, records: I, options: StreamOptions) -> Stream<'_, I> {
        let whole = !super::cohort_operations(self.program()).is_empty();
        self.new_stream(records, options, whole)
    }
}

/// A report being rendered into sections: 0 the values, 1 + r rule r's findings.
struct Render<'a> {
    rules: &'a RuleSet,
    layout: Layout,
    /// The report without units or findings: columns, formats, methodology.
    shell: Report,
    spool: Spool,
    rule_index: HashMap<&'a str, usize>,
    /// Scratch text and CSV rows of one item.
    text: String,
    csv: ::csv::Writer<Shared>,
    /// Where `csv` writes.
    row: Shared,
    value_errors: bool,
    options: StreamOptions,
    /// Set once the first unit is ready: every unit's ranks are known by then.
    prepared: bool,
    /// Some unit has a rank (the text's rank column).
    ranked: bool,
    /// The ranks units have, in the order first met (the CSV values table's columns).
    rank_names: Vec<String>,
    /// The rank the ranking table is by (the first unit's first), and its rows.
    headline: Option<(String, crate::report::display::NumberFormat)>,
    ranking: Vec<(usize, Vec<String>)>,
    units_rendered: usize,
}

impl<'a> Render<'a> {
    fn new(rules: &'a RuleSet, layout: Layout, options: StreamOptions) -> Self {
        let program = rules.program();
        let row = Shared::default();
        Render {
            rules,
            layout,
            shell: rules.report_shell(),
            spool: Spool::new(1 + program.rules.len()),
            rule_index: program
                .rules
                .iter()
                .enumerate()
                .map(|(i, r)| (r.id.as_ref(), i))
                .collect(),
            text: String::new(),
            csv: ::csv::Writer::from_writer(row.clone()),
            row,
            value_errors: false,
            options,
            prepared: false,
            ranked: false,
            rank_names: Vec::new(),
            headline: None,
            ranking: Vec::new(),
            units_rendered: 0,
        }
    }

    fn run<I, W, F>(
        mut self,
        mut stream: Stream<'a, I>,
        out: &mut W,
        mut advance: F,
    ) -> Result<Written, StreamError>
    where
        W: Write,
        F: FnMut(&mut Stream<'a, I>) -> Option<Result<(), DataError>>,
    {
        stream.watch_data();
        let max = self.rules.resources().report_bytes as u64;
        while let Some(step) = advance(&mut stream) {
            step?;
            if !self.prepared {
                self.prepared = true;
                if stream.whole && self.options.values != ValueFilter::None {
                    (self.ranked, self.rank_names) = stream.ranks_met();
                }
            }
            stream.queue();
            let written = stream.take_written();
            let (mut listed_errors, mut applies) = (false, false);
            while let Some(item) = stream.pending.pop_front() {
                match item {
                    StreamItem::Unit(mut unit) => {
                        if !written.is_empty() {
                            unit.notes
                                .insert("written as".into(), crate::ruleset::written_as(&written));
                        }
                        listed_errors = !unit.errors.is_empty();
                        self.unit(&unit)?;
                    }
                    StreamItem::Finding(f) => {
                        applies |= f.status != Status::Skip;
                        self.finding(&f)?;
                    }
                }
            }
            let rules = self.rules.program().rules.len();
            self.value_errors |= listed_errors && (rules == 0 || applies);
            if self.spool.len() > max {
                return Err(TooLarge { max: max as usize }.into());
            }
        }
        let summary = stream.summary().clone();
        self.shell.notes = stream.data_notes();
        let has_errors = summary.failed_errors > 0 || summary.errors > 0 || self.value_errors;
        match self.layout {
            Layout::Text => self.write_text(&summary, max, out)?,
            Layout::CsvFindings | Layout::CsvValues => self.write_csv(max, out)?,
        }
        out.flush()?;
        Ok(Written {
            summary,
            has_errors,
        })
    }

    /// Renders a unit's values into section 0.
    fn unit(&mut self, unit: &crate::report::UnitReport) -> Result<(), StreamError> {
        match self.layout {
            Layout::Text => {
                if self.units_rendered == 0 {
                    self.headline = unit
                        .ranks
                        .keys()
                        .next()
                        .map(|key| (key.clone(), self.shell.format_of(key)));
                }
                if let Some((key, format)) = &self.headline
                    && let Some(row) = text::ranking_row(unit, key, format)
                {
                    self.ranking.push(row);
                }
                self.text.clear();
                text::unit_values(&mut self.text, &self.shell, unit, self.ranked, false);
                self.spool.push(0, self.text.as_bytes())?;
            }
            Layout::CsvValues => {
                let ranks: Vec<&str> = self.rank_names.iter().map(String::as_str).collect();
                self.csv
                    .write_record(csv::values_row(&self.shell, unit, &ranks))?;
                self.push_csv(0)?;
            }
            Layout::CsvFindings => {}
        }
        self.units_rendered += 1;
        Ok(())
    }

    /// Renders a finding into its rule's section.
    fn finding(&mut self, f: &crate::report::Finding) -> Result<(), StreamError> {
        let Some(&r) = self.rule_index.get(f.rule.as_str()) else {
            return Ok(());
        };
        match self.layout {
            Layout::Text => {
                self.text.clear();
                if self.spool.is_empty(1 + r) {
                    text::rule_heading(&mut self.text, f);
                }
                text::finding(&mut self.text, &self.shell, f);
                self.spool.push(1 + r, self.text.as_bytes())?;
            }
            Layout::CsvFindings => {
                csv::finding_row(&mut self.csv, &self.shell, f)?;
                self.push_csv(1 + r)?;
            }
            Layout::CsvValues => {}
        }
        Ok(())
    }

    /// Moves the CSV row just written into `section`.
    fn push_csv(&mut self, section: usize) -> Result<(), StreamError> {
        self.csv.flush()?;
        let mut row = self.row.0.borrow_mut();
        self.spool.push(section, &row)?;
        row.clear();
        Ok(())
    }

    /// Head, values, findings and summary, as [`text::render_within`] lays them out.
    fn write_text<W: Write>(
        &mut self,
        summary: &Summary,
        max: u64,
        out: &mut W,
    ) -> Result<(), StreamError> {
        let mut head = String::new();
        text::head(&mut head, &self.shell);
        if let Some((key, _)) = &self.headline {
            text::ranking_table(&mut head, key, std::mem::take(&mut self.ranking));
        }
        let has_values = !self.shell.columns.is_empty() && !self.spool.is_empty(0);
        if has_values {
            text::values_heading(&mut head, &self.shell);
        }
        let sections = self.spool.len();
        let has_findings = (1..=self.rules.program().rules.len()).any(|s| !self.spool.is_empty(s));
        let mut findings_heading = String::new();
        if has_findings {
            text::findings_heading(&mut findings_heading);
        }
        let mut tail = String::new();
        text::summary_line(&mut tail, summary);
        let total = (head.len() + findings_heading.len() + tail.len()) as u64 + sections;
        if total > max {
            return Err(TooLarge { max: max as usize }.into());
        }
        out.write_all(head.as_bytes())?;
        if has_values {
            self.spool.copy(0, out)?;
        }
        out.write_all(findings_heading.as_bytes())?;
        for s in 1..=self.rules.program().rules.len() {
            self.spool.copy(s, out)?;
        }
        out.write_all(tail.as_bytes())?;
        Ok(())
    }

    /// The header row, then the table's rows.
    fn write_csv<W: Write>(&mut self, max: u64, out: &mut W) -> Result<(), StreamError> {
        match self.layout {
            Layout::CsvValues => {
                let ranks: Vec<&str> = self.rank_names.iter().map(String::as_str).collect();
                self.csv
                    .write_record(csv::values_header(&self.shell, &ranks))?
            }
            _ => self.csv.write_record(csv::FINDINGS_HEADER)?,
        }
        self.csv.flush()?;
        let header = std::mem::take(&mut *self.row.0.borrow_mut());
        if header.len() as u64 + self.spool.len() > max {
            return Err(TooLarge { max: max as usize }.into());
        }
        out.write_all(&header)?;
        let sections = match self.layout {
            Layout::CsvValues => 0..1,
            _ => 1..1 + self.rules.program().rules.len(),
        };
        for s in sections {
            self.spool.copy(s, out)?;
        }
        Ok(())
    }
}

/// The bytes a CSV writer wrote, shared with the renderer that moves them row by row
/// into their section (the writer keeps its output to itself otherwise).
#[derive(Clone, Default)]
struct Shared(std::rc::Rc<std::cell::RefCell<Vec<u8>>>);

impl Write for Shared {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
