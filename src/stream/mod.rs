//! Streaming evaluation and lean reports: findings decided record by record, in bounded
//! memory, and reports that say only what is needed at scale.
//!
//! A rule set without cohort operations (`normalise`, `rank of`, declared ranks) decides
//! each unit from its own record alone, so [`RuleSet::stream`] turns an iterator of
//! records into an iterator of findings and [`RuleSet::write_jsonl`] writes them as JSON
//! Lines as they are decided: memory does not grow with the number of records (the index
//! of unit names that refuses a unit appearing twice keeps its first units in memory and
//! the rest in sorted runs on disk; see `unique.rs`). [`RuleSet::write_jsonl_files`] does the
//! same over data files, binding CSV rows from their cells.
//! A rule set with cohort operations needs every unit before it can decide any; streaming
//! it is a [`StreamError::Cohort`] naming the operations. [`RuleSet::gather`] decides such
//! a rule set over an iterator of records all the same: each record is bound to the
//! declared inputs as it is read and then dropped, so memory holds the inputs the rule set
//! needs rather than whole records; the findings follow once every unit is in
//! (`gather.rs`). The JSON Lines writers gather when the rule set has cohort operations.
//!
//! [`RuleSet::evaluate_lean`] builds an ordinary [`crate::Report`] in memory but keeps only
//! the findings and values asked for ([`FindingFilter`], [`ValueFilter`]); the summary
//! still counts every finding. With failing findings only and no values, the typed core
//! ([`crate::fast`]) decides first and spares the reference evaluation of units it shows
//! to pass (`lean.rs`).

mod gather;
mod jsonl;
mod lean;
mod lines;
pub mod read;
mod rendered;
mod spill;
mod spool;
mod unique;

use std::collections::VecDeque;
use std::sync::Arc;

use indexmap::IndexMap;
use serde::Serialize;

use crate::compile::{Node, Program, SlotKind};
use crate::data::{DataError, RawValue, Record};
use crate::evaluate::{self, BoundData, Evaluation, Slots, Status, UnitResult};
use crate::report::{self, Finding, Summary, UnitReport};
use crate::ruleset::RuleSet;

pub use jsonl::JSONL_FORMAT;
pub use read::Records;
pub use rendered::{Layout, Written};

/// Which findings a report keeps.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum FindingFilter {
    /// Every finding (the full report).
    #[default]
    All,
    /// Only findings that failed or could not be decided (`fail` and `error`).
    Failing,
}

impl FindingFilter {
    /// True when a finding of this status is kept.
    pub fn keeps(self, status: Status) -> bool {
        match self {
            FindingFilter::All => true,
            FindingFilter::Failing => matches!(status, Status::Fail | Status::Error),
        }
    }
}

/// Which of a unit's values a report lists.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ValueFilter {
    /// None: findings only (their evidence still shows the values that decided them).
    None,
    /// The declared indicators and scores (the full report's `values`).
    #[default]
    Declared,
    /// The inputs as well.
    All,
}

/// What a lean report or a stream keeps.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StreamOptions {
    /// Which findings.
    pub findings: FindingFilter,
    /// Which values.
    pub values: ValueFilter,
}

/// Why a stream cannot run or stopped.
#[derive(Debug, thiserror::Error)]
pub enum StreamError {
    /// The rule set compares units with each other.
    #[error(
        "the rule set compares units with each other ({what}): it needs every unit before it can decide any, so it cannot be streamed; use `--format json` or `text`"
    )]
    Cohort {
        /// The cohort operations, by the value that uses them.
        what: String,
    },
    /// A record could not be read (the findings before it were already written).
    #[error(transparent)]
    Data(#[from] DataError),
    /// The output could not be written.
    #[error("cannot write the report: {0}")]
    Write(#[from] std::io::Error),
    /// A CSV row could not be written.
    #[error(transparent)]
    Csv(#[from] report::csv::CsvError),
    /// The report would be larger than the most the rule set's resources allow.
    #[error(transparent)]
    TooLarge(#[from] report::TooLarge),
}

impl From<::csv::Error> for StreamError {
    fn from(e: ::csv::Error) -> Self {
        StreamError::Csv(e.into())
    }
}

/// One item of a stream: a unit's values, or one finding.
#[derive(Debug, Clone, PartialEq)]
pub enum StreamItem {
    /// A unit's values (only when the options ask for values), before its findings.
    Unit(UnitReport),
    /// A finding the options keep.
    Finding(Finding),
}

/// The findings of a stream of records; see [`RuleSet::stream`].
pub struct Stream<'a, I> {
    rules: &'a RuleSet,
    records: I,
    options: StreamOptions,
    seen: unique::UniqueUnits,
    pending: VecDeque<StreamItem>,
    summary: Summary,
    stopped: bool,
    /// The record being decided, bound (one unit; its vectors reused record to record).
    bound: BoundData,
    /// Its values and decisions.
    results: Evaluation,
    /// Where the key and each input are among the cells of the CSV file being read.
    columns: CsvColumns,
    /// The records come in pieces (Arrow batches): the end of one is not the end of the
    /// stream, and the owner checks the units kept on disk once, at the very end
    /// ([`Stream::check_units`]); checking them at every piece would read them all again
    /// each time.
    in_pieces: bool,
    /// Every unit is bound before any is decided (a cohort rule set, [`RuleSet::gather`]):
    /// `bound` grows a row per record instead of reusing its one row.
    whole: bool,
    /// Gathering is over and `results` holds every unit's.
    gathered: bool,
    /// The unit of `bound` and `results` being reported: always 0 when records are
    /// decided one at a time.
    cursor: usize,
    /// What the data says, gathered as records are read, when a report needs its notes.
    watch: Option<Watch<'a>>,
    /// The names the record just read was written with where an alias mapped them;
    /// when gathering, by unit (only the units that have some).
    written: Vec<(String, String)>,
    written_by_unit: std::collections::HashMap<usize, Vec<(String, String)>>,
}

/// The notes on the data a whole report opens with, gathered record by record.
struct Watch<'a> {
    feed: crate::ruleset::NoteFeed<'a>,
    unreadable: crate::ruleset::Unreadable,
}

/// The columns a program reads in one CSV file (found again when the file changes).
struct CsvColumns {
    file_number: usize,
    key: Option<usize>,
    inputs: Vec<Option<usize>>,
}

impl<'a, I> Stream<'a, I> {
    /// Counts over every finding decided so far (kept or not).
    pub fn summary(&self) -> &Summary {
        &self.summary
    }

    /// The names the unit being reported was written with where an alias mapped them.
    fn take_written(&mut self) -> Vec<(String, String)> {
        if self.whole {
            self.written_by_unit
                .remove(&self.cursor)
                .unwrap_or_default()
        } else {
            std::mem::take(&mut self.written)
        }
    }

    /// When gathering, once every unit is evaluated: whether any unit has a rank, and the
    /// ranks units have, in the order first met (the CSV values table's rank columns).
    fn ranks_met(&self) -> (bool, Vec<String>) {
        let program = self.rules.program();
        let mut names: Vec<String> = Vec::new();
        for result in self.results.units() {
            for (plan, rank) in program.ranks.iter().zip(result.ranks) {
                if rank.is_some() && !names.iter().any(|n| **n == *plan.key) {
                    names.push(plan.key.to_string());
                }
            }
        }
        (!names.is_empty(), names)
    }

    /// Gathers, from here on, what the data says (see [`Stream::data_notes`]).
    fn watch_data(&mut self) {
        self.watch = Some(Watch {
            feed: crate::ruleset::NoteFeed::new(self.rules),
            unreadable: crate::ruleset::Unreadable::default(),
        });
    }

    /// The notes a whole report of the records read opens with: near-miss and missing
    /// columns, percents that look like fractions, inputs no unit could be read for.
    fn data_notes(&mut self) -> Vec<String> {
        let Some(watch) = self.watch.take() else {
            return Vec::new();
        };
        let mut notes: Vec<String> = watch
            .feed
            .finish()
            .iter()
            // As `RuleSet::data_notes_said`: unread columns are only `--strict`'s business.
            .filter(|n| !matches!(n, crate::ruleset::DataNote::Unused { .. }))
            .map(ToString::to_string)
            .collect();
        notes.extend(watch.unreadable.notes(self.rules.program()));
        notes
    }
}

impl<I: Iterator<Item = Result<Record, DataError>>> Iterator for Stream<'_, I> {
    type Item = Result<StreamItem, DataError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.pending.pop_front() {
                return Some(Ok(item));
            }
            if let Err(e) = self.advance()? {
                return Some(Err(e));
            }
            self.queue();
        }
    }
}

impl<I: Iterator<Item = Result<Record, DataError>>> Stream<'_, I> {
    /// Moves to the next unit to report: [`Stream::read_record`], or when gathering, every
    /// record read first ([`Stream::step_whole`]); `None` at the end.
    fn advance(&mut self) -> Option<Result<(), DataError>> {
        if self.whole {
            self.step_whole(Self::read_record)
        } else {
            self.read_record()
        }
    }

    /// Reads the next record, refuses a unit seen before, and evaluates it with the
    /// reference evaluator into `bound` and `results` (when gathering, only binds it);
    /// `None` at the end.
    fn read_record(&mut self) -> Option<Result<(), DataError>> {
        if self.stopped {
            return None;
        }
        // At the end of the records (or of a piece of them), the units kept on disk.
        let Some(next) = self.records.next() else {
            if self.in_pieces {
                return None;
            }
            let checked = self.seen.check();
            self.stopped = checked.is_err();
            return checked.err().map(Err);
        };
        let mut record = match next {
            Ok(r) => r,
            Err(e) => {
                self.stopped = true;
                return Some(Err(e));
            }
        };
        if self.summary.units >= self.rules.resources().records {
            self.stopped = true;
            return Some(Err(crate::data::too_many(
                &record.origin.file,
                self.rules.resources().records,
            )));
        }
        // The same unit typed on two systems (NFC/NFD) is one unit, as in a `Dataset`.
        crate::data::names::make_nfc(&mut record.unit);
        if let Err(refusal) = self.seen.insert(&record.unit, &record.origin) {
            self.stopped = true;
            return Some(Err(refusal.error(record.unit, record.origin)));
        }
        self.watch_record(&mut record);
        let program = self.rules.program();
        evaluate::bind_record(
            program,
            &record,
            input_row(&mut self.bound, self.whole, program),
        );
        self.evaluate_bound(record.unit);
        Some(Ok(()))
    }
}

impl<I> Stream<'_, I> {
    /// A stream fed in pieces: see [`Stream::check_units`].
    #[cfg(feature = "arrow")]
    pub(crate) fn in_pieces(mut self) -> Self {
        self.in_pieces = true;
        self
    }

    /// Checks the units kept on disk against each other, at the end of a stream fed in
    /// pieces: a unit given twice is the error.
    #[cfg(feature = "arrow")]
    pub(crate) fn check_units(&mut self) -> Result<(), DataError> {
        let checked = self.seen.check();
        self.stopped |= checked.is_err();
        checked
    }

    /// Evaluates the inputs bound for the unit `name` (when gathering, only names it:
    /// the units are evaluated together at the end).
    fn evaluate_bound(&mut self, name: String) {
        self.summary.units += 1;
        if let (Some(watch), Some(inputs)) = (&mut self.watch, self.bound.inputs.last()) {
            watch.unreadable.unit(&name, inputs);
        }
        if self.whole && !self.written.is_empty() {
            let unit = self.bound.units.len();
            self.written_by_unit
                .insert(unit, std::mem::take(&mut self.written));
        }
        if self.whole {
            self.bound.units.push(Arc::from(name));
            return;
        }
        self.bound.units.clear();
        self.bound.units.push(Arc::from(name));
        self.results = evaluate::evaluate(self.rules.program(), &self.bound);
    }

    /// Feeds a record to the notes being gathered, and keeps the names it was written
    /// with.
    fn watch_record(&mut self, record: &mut Record) {
        if let Some(watch) = &mut self.watch {
            watch.feed.record(record);
            self.written = std::mem::take(&mut record.written);
        }
    }
}

impl<'a> Stream<'a, Records> {
    /// [`Stream::advance`] over files: a CSV row is bound from its cells, without making a
    /// record of it (the same unit, errors and values as through [`Record::new`]).
    fn advance_rows(&mut self) -> Option<Result<(), DataError>> {
        if self.whole {
            self.step_whole(Self::read_row)
        } else {
            self.read_row()
        }
    }

    /// [`Stream::read_record`] over files.
    fn read_row(&mut self) -> Option<Result<(), DataError>> {
        if self.stopped {
            return None;
        }
        let step = self.next_row();
        if step.as_ref().is_some_and(Result::is_err) {
            self.stopped = true;
        }
        step
    }

    fn next_row(&mut self) -> Option<Result<(), DataError>> {
        let rules: &'a RuleSet = self.rules;
        let program = rules.program();
        let limit = rules.resources().records;
        let Some(next) = self.records.next_row() else {
            return self.seen.check().err().map(Err);
        };
        let row = match next {
            Ok(read::Next::Row(row)) => row,
            Ok(read::Next::Record(mut record)) => {
                if self.summary.units >= limit {
                    return Some(Err(crate::data::too_many(&record.origin.file, limit)));
                }
                crate::data::names::make_nfc(&mut record.unit);
                if let Err(refusal) = self.seen.insert(&record.unit, &record.origin) {
                    return Some(Err(refusal.error(record.unit, record.origin)));
                }
                self.watch_record(&mut record);
                evaluate::bind_record(
                    program,
                    &record,
                    input_row(&mut self.bound, self.whole, program),
                );
                self.evaluate_bound(record.unit);
                return Some(Ok(()));
            }
            Err(e) => return Some(Err(e)),
        };
        if self.columns.file_number != row.file_number {
            let at = |name: &str| row.headers.iter().position(|h| h == name);
            self.columns = CsvColumns {
                file_number: row.file_number,
                key: at(row.key),
                inputs: program.inputs.iter().map(|p| at(&p.field)).collect(),
            };
        }
        let key = row.key;
        // As `Record::new` names a unit.
        let unit = match self.columns.key.and_then(|k| row.cells.get(k)) {
            Some(RawValue::Text(t)) if !t.trim().is_empty() => {
                if let Err(message) = crate::data::names::check_unit_name(t.trim()) {
                    let origin = row.origin();
                    return Some(Err(DataError::Record { origin, message }));
                }
                crate::data::names::nfc(t.trim())
            }
            Some(RawValue::Number(n)) => n.clone(),
            None | Some(RawValue::Null) => {
                return Some(Err(DataError::Record {
                    origin: row.origin(),
                    message: format!("record has no `{key}` field naming its unit"),
                }));
            }
            Some(other) => {
                return Some(Err(DataError::Record {
                    origin: row.origin(),
                    message: format!("`{key}` must name the unit, found {other}"),
                }));
            }
        };
        // As `Records` maps a record's alias, keeping the name as written for the notes.
        self.written.clear();
        let unit = match row.aliases.canonical(&unit) {
            Some(canonical) => {
                if self.watch.is_some() {
                    self.written.push((unit, row.file.to_string()));
                }
                canonical.to_string()
            }
            None => unit,
        };
        if self.summary.units >= limit {
            return Some(Err(crate::data::too_many(row.file, limit)));
        }
        if let Err(refusal) = self.seen.insert_numbered(&unit, row.file, "row ", row.line) {
            return Some(Err(refusal.error(unit, row.origin())));
        }
        if let Some(watch) = &mut self.watch {
            watch
                .feed
                .row(row.file, row.headers, row.cells, &self.columns.inputs);
        }
        let inputs = input_row(&mut self.bound, self.whole, program);
        inputs.clear();
        inputs.extend(
            program
                .inputs
                .iter()
                .zip(&self.columns.inputs)
                .map(|(plan, column)| match &plan.previous {
                    Some(of) => Err(evaluate::no_previous_year(of)),
                    None => evaluate::bind_input(plan, column.and_then(|c| row.cells.get(c))),
                }),
        );
        self.evaluate_bound(unit);
        Some(Ok(()))
    }
}

impl<I> Stream<'_, I> {
    /// Counts the decisions of the record just evaluated and queues what is kept.
    fn queue(&mut self) {
        let program = self.rules.program();
        let Some(result) = self.results.unit(self.cursor) else {
            return;
        };
        let name = self.bound.units.get(self.cursor).map_or("", |u| u.as_ref());
        let slots = view(&self.bound, self.cursor, result);
        if let Some(values) = unit_values(
            program,
            &self.results.cohorts,
            name,
            slots,
            result,
            self.options.values,
        ) {
            self.pending.push_back(StreamItem::Unit(values));
        }
        for (rule, decision) in program.rules.iter().zip(result.decisions) {
            self.summary.count(rule.severity, decision.status);
            if self.options.findings.keeps(decision.status) {
                self.pending.push_back(StreamItem::Finding(full_finding(
                    program,
                    &self.results,
                    rule,
                    name,
                    slots,
                    decision,
                )));
            }
        }
    }
}

/// Appends a value as compact JSON.
fn json<T: Serialize + ?Sized>(buf: &mut Vec<u8>, value: &T) -> Result<(), StreamError> {
    serde_json::to_writer(&mut *buf, value).map_err(|e| StreamError::Write(e.into()))
}

/// A finding as the full report shows it, with the members that made a requirement fail.
fn full_finding(
    program: &Program,
    results: &Evaluation,
    rule: &crate::compile::RulePlan,
    unit: &str,
    slots: Slots<'_>,
    decision: &evaluate::Decision,
) -> Finding {
    let mut f = report::finding(program, rule, unit, slots, decision);
    if decision.status == Status::Fail {
        f.evidence.extend(evaluate::requirement_evidence(
            program,
            slots,
            &results.cohorts,
            &rule.require,
        ));
    }
    f
}

/// The row the next record's inputs are bound into: the one row, reused, when records are
/// decided one at a time; a new last row when every unit is gathered.
fn input_row<'b>(
    bound: &'b mut BoundData,
    whole: bool,
    program: &Program,
) -> &'b mut Vec<evaluate::Outcome> {
    if whole || bound.inputs.is_empty() {
        bound.inputs.push(Vec::with_capacity(program.inputs.len()));
    }
    let last = bound.inputs.len() - 1;
    &mut bound.inputs[last]
}

fn view<'a>(data: &'a BoundData, index: usize, result: UnitResult<'a>) -> Slots<'a> {
    Slots {
        inputs: data.inputs.get(index).map_or(&[], Vec::as_slice),
        computed: result.computed,
    }
}

/// A unit's values as the options ask; `None` when they ask for none.
fn unit_values(
    program: &Program,
    cohorts: &[Option<evaluate::cohort::CohortStats>],
    name: &str,
    slots: Slots<'_>,
    result: UnitResult<'_>,
    filter: ValueFilter,
) -> Option<UnitReport> {
    let listed: Box<dyn Iterator<Item = usize> + '_> = match filter {
        ValueFilter::None => return None,
        ValueFilter::Declared => Box::new(program.display_order.iter().copied()),
        ValueFilter::All => Box::new(
            program
                .inputs
                .iter()
                .map(|i| i.slot)
                .chain(program.display_order.iter().copied()),
        ),
    };
    let mut values = IndexMap::new();
    let mut errors = IndexMap::new();
    for slot in listed {
        let (Some(info), Some(outcome)) = (program.slots.get(slot), slots.get(slot)) else {
            continue;
        };
        match outcome {
            Ok(v) => {
                values.insert(info.name.to_string(), v.to_json());
            }
            // A missing input is already the reason of the findings that need it.
            Err(_) if info.kind == SlotKind::Input => {}
            Err(fault) => {
                errors.insert(info.name.to_string(), fault.to_string());
            }
        }
    }
    let ranks = program
        .ranks
        .iter()
        .zip(result.ranks)
        .filter_map(|(plan, rank)| rank.map(|r| (plan.key.to_string(), r)))
        .collect();
    Some(UnitReport {
        unit: name.to_string(),
        values,
        ranks,
        notes: report::unit_notes(program, slots, cohorts, result.ranks),
        changes: IndexMap::new(),
        errors,
    })
}

/// The cohort operations of a program, by the value or rank that uses them; empty when
/// every unit can be decided from its own record.
pub fn cohort_operations(program: &Program) -> Vec<String> {
    fn uses_cohort(node: &Node) -> bool {
        let mut cohorts = Vec::new();
        crate::compile::cohorts_in(node, &mut cohorts);
        !cohorts.is_empty()
    }
    let name = |slot: usize| program.slots.get(slot).map_or("?", |s| s.name.as_ref());
    let mut out: Vec<String> = program
        .formulas
        .iter()
        .filter(|f| uses_cohort(&f.node))
        .map(|f| format!("`{}`", name(f.slot)))
        .collect();
    out.extend(
        program
            .rules
            .iter()
            .filter(|r| uses_cohort(&r.require) || r.when.as_ref().is_some_and(uses_cohort))
            .map(|r| format!("rule `{}`", r.id)),
    );
    out.extend(program.ranks.iter().map(|r| format!("rank `{}`", r.key)));
    out
}

impl RuleSet {
    /// Decides an iterator of records one record at a time: an iterator of findings (and,
    /// if asked, each unit's values before its findings), in bounded memory. A unit
    /// appearing twice, or a record that cannot be read, ends the stream with that error.
    ///
    /// ```
    /// use chiso::stream::{FindingFilter, StreamItem, StreamOptions, ValueFilter};
    /// let rules = chiso::RuleSet::from_text("t.chiso", "methodology \"T\" version 1\ninput x: number\nrule r require x > 0")?;
    /// let records = chiso::Dataset::from_json_str("d.json", r#"[{"unit": "A", "x": 1}, {"unit": "B", "x": 0}]"#, "unit")?.records;
    /// let options = StreamOptions { findings: FindingFilter::Failing, values: ValueFilter::None };
    /// let failing: Vec<StreamItem> = rules.stream(records.into_iter().map(Ok), options)?.collect::<Result<_, _>>()?;
    /// assert!(matches!(&failing[..], [StreamItem::Finding(f)] if f.unit == "B"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn stream<I>(
        &self,
        records: I,
        options: StreamOptions,
    ) -> Result<Stream<'_, I>, StreamError>
    where
        I: Iterator<Item = Result<Record, DataError>>,
    {
        let cohorts = cohort_operations(self.program());
        if !cohorts.is_empty() {
            return Err(StreamError::Cohort {
                what: cohorts.join(", "),
            });
        }
        Ok(self.new_stream(records, options, false))
    }

    /// A stream over `records`, deciding one record at a time or, with `whole`, every
    /// record together once all are read.
    fn new_stream<I>(&self, records: I, options: StreamOptions, whole: bool) -> Stream<'_, I> {
        Stream {
            rules: self,
            records,
            options,
            seen: unique::UniqueUnits::default(),
            pending: VecDeque::new(),
            summary: Summary {
                rules: self.program().rules.len(),
                ..Summary::default()
            },
            stopped: false,
            // One row, reused; or a row per unit, added as records are read.
            bound: BoundData {
                units: Vec::with_capacity(1),
                inputs: Vec::with_capacity(1),
            },
            results: Evaluation::default(),
            columns: CsvColumns {
                file_number: usize::MAX,
                key: None,
                inputs: Vec::new(),
            },
            in_pieces: false,
            whole,
            gathered: false,
            cursor: 0,
            watch: None,
            written: Vec::new(),
            written_by_unit: std::collections::HashMap::new(),
        }
    }
}

#[cfg(test)]
mod tests;
