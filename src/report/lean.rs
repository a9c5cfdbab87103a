//! A lean report: every finding decided and counted, the ones shown kept as references
//! (rule, unit, status) instead of copies of their words.
//!
//! A full [`Report`](super::Report) spells out each finding it shows: the rule's id,
//! title and citation, the unit's name, a message with the unit's values, the evidence.
//! Over a large cohort where most units fail something, spelling those out costs far
//! more than deciding them. A lean report refers to the rule and the unit instead; the
//! words are made only for what is shown (`RuleSet::render_lean`), from the same
//! reference evaluation a full report uses, so they are the same words.

use super::{Finding, Summary};
use crate::evaluate::Status;

/// One finding, by reference: the rule's index in the program and the unit's index in the
/// dataset (the record it came from).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FindingRef {
    /// The rule's index in [`crate::compile::Program::rules`].
    pub rule: usize,
    /// The unit's index in the dataset's records.
    pub unit: usize,
    /// pass, fail, error or skip.
    pub status: Status,
}

/// Every finding decided and counted; the failing ones (fail and error) kept by
/// reference, rule by rule and unit by unit in the dataset's order, as a report lists them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LeanReport {
    /// Counts over every finding.
    pub summary: Summary,
    /// What a reader must know before the findings (as [`super::Report::notes`]).
    pub notes: Vec<String>,
    /// The failing findings.
    pub findings: Vec<FindingRef>,
    /// The findings (by their index in `findings`, in order) already in words, where
    /// deciding them took the reference evaluation anyway (a unit the typed core left
    /// open, or a rule set it does not apply to).
    pub(crate) spelled: Vec<(usize, Finding)>,
}

impl LeanReport {
    /// True when `chiso run` would exit 1: a finding failed with severity `error` or
    /// could not be decided.
    pub fn has_errors(&self) -> bool {
        self.summary.failed_errors > 0 || self.summary.errors > 0
    }
}
