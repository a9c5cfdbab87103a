//! A row-local rule set over a stream of record batches: one findings batch (and values
//! batch) out per batch in, through [`RuleSet::stream`]; a rule set that compares units
//! over all the batches at once, through [`RuleSet::gather`].

use std::sync::{Arc, Mutex};

use arrow_array::RecordBatch;

use super::{ArrowOptions, BatchRecords, write};
use crate::data::{DataError, Record};
use crate::report::{Finding, Summary, UnitReport};
use crate::ruleset::RuleSet;
use crate::stream::{Stream, StreamError, StreamItem, StreamOptions, ValueFilter};

/// What one batch in gave.
#[derive(Debug, Clone)]
pub struct Validated {
    /// The kept findings of the batch's units ([`super::findings_schema`]), unit by unit.
    pub findings: RecordBatch,
    /// The units' values ([`super::values_schema`]), when the options ask for values.
    pub values: Option<RecordBatch>,
    /// The number of rows of the batch in.
    pub rows: usize,
}

/// The records of the batch being decided. The stream reads them through this shared
/// slot; when the batch is used up it reads `None` and stops until the next batch is put
/// in (a [`Stream`] asks its records again after a `None`).
#[derive(Clone, Default)]
struct Feed(Arc<Mutex<Option<BatchRecords>>>);

impl Feed {
    fn put(&self, records: BatchRecords) {
        let mut slot = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *slot = Some(records);
    }
}

impl Iterator for Feed {
    type Item = Result<Record, DataError>;

    fn next(&mut self) -> Option<Self::Item> {
        let mut slot = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        slot.as_mut()?.next()
    }
}

/// The findings of a stream of record batches; see [`RuleSet::validate_batches`].
pub struct ArrowStream<'a, I> {
    rules: &'a RuleSet,
    stream: Stream<'a, Feed>,
    feed: Feed,
    batches: I,
    options: ArrowOptions,
    values: ValueFilter,
    rows: usize,
    stopped: bool,
}

impl<I> ArrowStream<'_, I> {
    /// Counts over every finding decided so far (kept or not).
    pub fn summary(&self) -> &Summary {
        self.stream.summary()
    }

    /// The rows read so far.
    pub fn rows(&self) -> usize {
        self.rows
    }
}

impl<I: Iterator<Item = RecordBatch>> Iterator for ArrowStream<'_, I> {
    type Item = Result<Validated, DataError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.stopped {
            return None;
        }
        let Some(batch) = self.batches.next() else {
            // The end of the batches: the units kept on disk are checked once, here.
            self.stopped = true;
            return self.stream.check_units().err().map(Err);
        };
        let result = self.decide(&batch);
        if result.is_err() {
            self.stopped = true;
        }
        Some(result)
    }
}

impl<I> ArrowStream<'_, I> {
    fn decide(&mut self, batch: &RecordBatch) -> Result<Validated, DataError> {
        let records = BatchRecords::new(batch, &self.options, self.rows)?;
        self.rows += batch.num_rows();
        self.feed.put(records);
        let mut findings: Vec<Finding> = Vec::new();
        let mut units: Vec<UnitReport> = Vec::new();
        for item in self.stream.by_ref() {
            match item? {
                StreamItem::Finding(f) => findings.push(f),
                StreamItem::Unit(u) => units.push(u),
            }
        }
        let arrow = |e: arrow_schema::ArrowError| DataError::Shape {
            file: self.options.source.clone(),
            message: format!("cannot write the findings as Arrow: {e}"),
        };
        let program = self.rules.program();
        let values = match self.values {
            ValueFilter::None => None,
            filter => Some(write::values_batch(program, filter, &units).map_err(arrow)?),
        };
        Ok(Validated {
            findings: write::findings_batch(&findings).map_err(arrow)?,
            values,
            rows: batch.num_rows(),
        })
    }
}

impl RuleSet {
    /// Decides a row-local rule set over record batches, one batch at a time: for each
    /// batch in, the findings the options keep (and, if asked, the units' values) as
    /// batches, in bounded memory. A unit appearing twice (in any batches), or a batch
    /// that cannot be read, ends the stream with that error; the end of `batches` is the
    /// end of the stream, where units kept on disk are checked (the last item is then that
    /// error, if any). A rule set with cohort
    /// operations is [`StreamError::Cohort`].
    ///
    /// ```
    /// use std::sync::Arc;
    /// use arrow_array::{ArrayRef, Int64Array, RecordBatch, StringArray};
    /// use chiso::stream::{FindingFilter, StreamOptions, ValueFilter};
    /// let rules = chiso::RuleSet::from_text("t.chiso", "methodology \"T\" version 1\ninput x: integer\nrule r require x > 0")?;
    /// let batch = |units: Vec<&str>, x: Vec<i64>| -> Result<RecordBatch, arrow_schema::ArrowError> {
    ///     let units: ArrayRef = Arc::new(StringArray::from(units));
    ///     let x: ArrayRef = Arc::new(Int64Array::from(x));
    ///     RecordBatch::try_from_iter([("unit", units), ("x", x)])
    /// };
    /// let batches = vec![batch(vec!["A", "B"], vec![1, 0])?, batch(vec!["C"], vec![-1])?];
    /// let options = StreamOptions { findings: FindingFilter::Failing, values: ValueFilter::None };
    /// let mut stream = rules.validate_batches(batches.into_iter(), options, rules.arrow_options())?;
    /// let failing: usize = stream.by_ref().map(|b| b.map(|b| b.findings.num_rows())).sum::<Result<_, _>>()?;
    /// assert_eq!(failing, 2);
    /// assert_eq!(stream.summary().passed, 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn validate_batches<I>(
        &self,
        batches: I,
        options: StreamOptions,
        arrow: ArrowOptions,
    ) -> Result<ArrowStream<'_, I>, StreamError>
    where
        I: Iterator<Item = RecordBatch>,
    {
        let feed = Feed::default();
        Ok(ArrowStream {
            rules: self,
            stream: self.stream(feed.clone(), options)?.in_pieces(),
            feed,
            batches,
            options: arrow,
            values: options.values,
            rows: 0,
            stopped: false,
        })
    }
}

/// The records of every batch in turn, positions counted from the first batch; a batch
/// that cannot be read is one error item, and the end.
struct AllBatches<I> {
    batches: I,
    current: Option<BatchRecords>,
    options: ArrowOptions,
    rows: usize,
    failed: bool,
}

impl<I: Iterator<Item = RecordBatch>> Iterator for AllBatches<I> {
    type Item = Result<Record, DataError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.failed {
                return None;
            }
            if let Some(record) = self.current.as_mut().and_then(Iterator::next) {
                return Some(record);
            }
            let batch = self.batches.next()?;
            match BatchRecords::new(&batch, &self.options, self.rows) {
                Ok(records) => self.current = Some(records),
                Err(e) => {
                    self.failed = true;
                    return Some(Err(e));
                }
            }
            self.rows += batch.num_rows();
        }
    }
}

impl RuleSet {
    /// Decides record batches as one cohort, for a rule set that compares units
    /// (`normalise`, ranks), which [`RuleSet::validate_batches`] refuses: every batch is
    /// read and each row bound to the declared inputs ([`RuleSet::gather`]), then the units
    /// are decided together. Returns the kept findings (and, if asked, the values) of every
    /// unit as one batch each, in the order of the rows, with the counts of all findings.
    /// A batch that cannot be read, or a unit appearing twice, is the error and nothing is
    /// decided.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use arrow_array::{ArrayRef, Int64Array, RecordBatch, StringArray};
    /// use chiso::stream::{FindingFilter, StreamOptions, ValueFilter};
    /// let rules = chiso::RuleSet::from_text(
    ///     "t.chiso",
    ///     "methodology \"T\" version 1\ninput x: integer\nindicator share = normalise x by max\nrule r require share >= 0.5",
    /// )?;
    /// let batch = |units: Vec<&str>, x: Vec<i64>| -> Result<RecordBatch, arrow_schema::ArrowError> {
    ///     let units: ArrayRef = Arc::new(StringArray::from(units));
    ///     let x: ArrayRef = Arc::new(Int64Array::from(x));
    ///     RecordBatch::try_from_iter([("unit", units), ("x", x)])
    /// };
    /// let batches = vec![batch(vec!["A", "B"], vec![10, 4])?, batch(vec!["C"], vec![6])?];
    /// let options = StreamOptions { findings: FindingFilter::Failing, values: ValueFilter::None };
    /// let (decided, summary) = rules.gather_batches(batches.into_iter(), options, rules.arrow_options())?;
    /// assert_eq!(decided.findings.num_rows(), 1); // B: 4 is 0.4 of the greatest
    /// assert_eq!((decided.rows, summary.passed), (3, 2));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn gather_batches<I>(
        &self,
        batches: I,
        options: StreamOptions,
        arrow: ArrowOptions,
    ) -> Result<(Validated, Summary), DataError>
    where
        I: Iterator<Item = RecordBatch>,
    {
        let records = AllBatches {
            batches,
            current: None,
            options: arrow.clone(),
            rows: 0,
            failed: false,
        };
        let mut stream = self.gather(records, options);
        let mut findings: Vec<Finding> = Vec::new();
        let mut units: Vec<UnitReport> = Vec::new();
        for item in stream.by_ref() {
            match item? {
                StreamItem::Finding(f) => findings.push(f),
                StreamItem::Unit(u) => units.push(u),
            }
        }
        let summary = stream.summary().clone();
        let shape = |e: arrow_schema::ArrowError| DataError::Shape {
            file: arrow.source.clone(),
            message: format!("cannot write the findings as Arrow: {e}"),
        };
        let values = match options.values {
            ValueFilter::None => None,
            filter => Some(write::values_batch(self.program(), filter, &units).map_err(shape)?),
        };
        let decided = Validated {
            findings: write::findings_batch(&findings).map_err(shape)?,
            values,
            rows: summary.units,
        };
        Ok((decided, summary))
    }
}
