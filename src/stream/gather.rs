//! Gathering: a rule set with cohort operations (`normalise`, ranks, `count of units`)
//! decides no unit before it has every unit, so its records are bound to the declared
//! inputs as they are read, each record dropped once bound, and the units are evaluated
//! together at the end. Memory holds the input slots the program reads (a converted value
//! per declared input, nothing for the fields it ignores), the unit names and the results,
//! never the records themselves.

use crate::data::{DataError, Record};
use crate::ruleset::RuleSet;

use super::{Stream, StreamOptions};

impl<I> Stream<'_, I> {
    /// When gathering, the next unit to report: on the first call every record is read
    /// with `read` (which binds it into a new row) and the units are evaluated together;
    /// each later call moves to the next unit. A bad record ends the stream with its
    /// error before anything is decided; `None` after the last unit.
    pub(super) fn step_whole(
        &mut self,
        mut read: impl FnMut(&mut Self) -> Option<Result<(), DataError>>,
    ) -> Option<Result<(), DataError>> {
        if self.stopped {
            return None;
        }
        if self.gathered {
            self.cursor += 1;
        } else {
            while let Some(step) = read(self) {
                if let Err(e) = step {
                    self.stopped = true;
                    return Some(Err(e));
                }
            }
            self.results = self.rules.evaluate_bound(&self.bound);
            self.gathered = true;
            self.cursor = 0;
        }
        if self.cursor < self.bound.units.len() {
            Some(Ok(()))
        } else {
            self.stopped = true;
            None
        }
    }
}

impl RuleSet {
    /// Decides an iterator of records as one cohort: every record is read and bound to
    /// the declared inputs first (each record dropped once bound, so memory holds the
    /// inputs the rule set reads rather than whole records), then the units are evaluated
    /// together and the stream yields their findings (and values, if asked) in the order
    /// the records came. This is how a rule set with cohort operations (`normalise`,
    /// ranks, `count of units`), which [`RuleSet::stream`] refuses, is decided from a
    /// stream; the results are those of [`RuleSet::evaluate`] over the same records. A
    /// unit appearing twice, or a record that cannot be read, is the stream's only item.
    ///
    /// ```
    /// use chiso::stream::{FindingFilter, StreamItem, StreamOptions, ValueFilter};
    /// let rules = chiso::RuleSet::from_text(
    ///     "t.chiso",
    ///     "methodology \"T\" version 1\ninput x: number\nindicator share = normalise x by max\nrule r require share >= 0.5",
    /// )?;
    /// let records = chiso::Dataset::from_json_str(
    ///     "d.json",
    ///     r#"[{"unit": "A", "x": 10}, {"unit": "B", "x": 4}]"#,
    ///     "unit",
    /// )?
    /// .records;
    /// let options = StreamOptions { findings: FindingFilter::Failing, values: ValueFilter::None };
    /// let failing: Vec<StreamItem> = rules.gather(records.into_iter().map(Ok), options).collect::<Result<_, _>>()?;
    /// assert!(matches!(&failing[..], [StreamItem::Finding(f)] if f.unit == "B"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn gather<I>(&self, records: I, options: StreamOptions) -> Stream<'_, I>
    where
        I: Iterator<Item = Result<Record, DataError>>,
    {
        self.new_stream(records, options, true)
    }
}
