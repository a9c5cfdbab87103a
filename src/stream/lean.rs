//! Lean reports of a whole dataset: only the findings and values asked for, and, when
//! only failing findings are kept, no reference evaluation of a unit the typed core
//! decides.
//!
//! Keeping only failing findings is two steps. [`RuleSet::decide_failing`] decides and
//! counts every finding and keeps the failing ones by reference ([`LeanReport`]): the
//! typed core ([`crate::fast`]) reads the records straight into columns and decides every
//! numeric rule it can prove the reference evaluator decides the same way; a unit with a
//! finding it leaves open is bound and evaluated by the reference evaluator, and that
//! unit's failing findings are spelled out there and then (so a hook never runs twice).
//! [`RuleSet::render_lean`] then spells out the rest: it evaluates, with the reference
//! evaluator, only the units that have a failing finding still unspelled. The report is
//! the one the reference evaluator alone gives.

use super::{FindingFilter, StreamOptions, ValueFilter, full_finding, unit_values, view};
use std::borrow::Borrow;

use crate::data::{Dataset, Record};
use crate::evaluate::{self, BoundData, Evaluation};
use crate::fast::{Columns, Intake, TypedEvaluation};
use crate::report::lean::{FindingRef, LeanReport};
use crate::report::{self, Finding, Report, Summary};
use crate::ruleset::RuleSet;

/// Failing findings only, no values: what [`RuleSet::decide_failing`] decides.
const FAILING: StreamOptions = StreamOptions {
    findings: FindingFilter::Failing,
    values: ValueFilter::None,
};

impl RuleSet {
    /// Evaluates a dataset into a report that keeps only the findings and values asked
    /// for; the summary counts every finding. With [`StreamOptions::default`] it equals
    /// [`RuleSet::evaluate`].
    ///
    /// ```
    /// use chiso::stream::{FindingFilter, StreamOptions, ValueFilter};
    /// let rules = chiso::RuleSet::from_text("t.chiso", "methodology \"T\" version 1\ninput x: number\nrule r require x > 0")?;
    /// let data = chiso::Dataset::from_json_str("d.json", r#"[{"unit": "A", "x": 1}, {"unit": "B", "x": 0}]"#, "unit")?;
    /// let options = StreamOptions { findings: FindingFilter::Failing, values: ValueFilter::None };
    /// let report = rules.evaluate_lean(&data, &options);
    /// assert_eq!(report.findings.len(), 1);
    /// assert_eq!(report.summary.passed, 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn evaluate_lean(&self, data: &Dataset, options: &StreamOptions) -> Report {
        self.evaluate_lean_by(data, options, true)
    }

    /// [`RuleSet::evaluate_lean`] with the typed core allowed or not (the tests compare
    /// both).
    #[doc(hidden)]
    pub fn evaluate_lean_by(&self, data: &Dataset, options: &StreamOptions, typed: bool) -> Report {
        if *options == FAILING {
            return self.render_lean(self.decide_failing_by(data, typed), data);
        }
        let bound = self.bind(data);
        let mut summary = self.empty_summary(bound.units.len());
        let (units, findings, _) = self.reference_lean(&bound, options, &mut summary);
        let mut report = self.report_shell();
        report.units = units;
        report.findings = findings;
        report.summary = summary;
        self.add_data_notes(&mut report, data, &bound);
        report
    }

    /// Decides and counts every finding of a dataset and keeps the failing ones (`fail`
    /// and `error`) by reference, without spelling them out: the fast half of
    /// `--findings failing --values none`. [`RuleSet::render_lean`] turns it into the
    /// report [`RuleSet::evaluate_lean`] gives.
    ///
    /// ```
    /// let rules = chiso::RuleSet::from_text("t.chiso", "methodology \"T\" version 1\ninput x: integer\nrule r \"Positive\" require x > 0")?;
    /// let data = chiso::Dataset::from_json_str("d.json", r#"[{"unit": "A", "x": 1}, {"unit": "B", "x": 0}]"#, "unit")?;
    /// let lean = rules.decide_failing(&data);
    /// assert_eq!((lean.summary.passed, lean.summary.failed), (1, 1));
    /// assert_eq!(data.records[lean.findings[0].unit].unit, "B");
    /// let report = rules.render_lean(lean, &data);
    /// assert_eq!(report.findings[0].unit, "B");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn decide_failing(&self, data: &Dataset) -> LeanReport {
        self.decide_failing_by(data, true)
    }

    /// The report of a [`LeanReport`]: its failing findings spelled out (rule title,
    /// message, evidence, citation), from a reference evaluation of only the units that
    /// have one still unspelled.
    pub fn render_lean(&self, lean: LeanReport, data: &Dataset) -> Report {
        let program = self.program();
        let mut shown: Vec<usize> = Vec::new();
        let mut at = lean.spelled.iter().map(|(i, _)| *i).peekable();
        for (i, f) in lean.findings.iter().enumerate() {
            if at.next_if_eq(&i).is_none() {
                shown.push(f.unit);
            }
        }
        let mut spelled = lean.spelled.into_iter().peekable();
        shown.sort_unstable();
        shown.dedup();
        let records = shown.iter().filter_map(|&u| data.records.get(u));
        let bound = evaluate::bind_records(program, records.collect::<Vec<_>>().into_iter());
        let results = self.evaluate_bound(&bound);
        let spell = |f: &FindingRef| -> Option<Finding> {
            let k = shown.binary_search(&f.unit).ok()?;
            let (rule, result, name) = (
                program.rules.get(f.rule)?,
                results.unit(k)?,
                bound.units.get(k)?,
            );
            let decision = result.decisions.get(f.rule)?;
            Some(full_finding(
                program,
                &results,
                rule,
                name,
                view(&bound, k, result),
                decision,
            ))
        };
        let mut report = self.report_shell();
        report.findings = lean
            .findings
            .iter()
            .enumerate()
            .filter_map(|(i, f)| match spelled.next_if(|(at, _)| *at == i) {
                Some((_, words)) => Some(words),
                None => spell(f),
            })
            .collect();
        report.summary = lean.summary;
        report.notes = lean.notes;
        report
    }

    fn decide_failing_by(&self, data: &Dataset, typed: bool) -> LeanReport {
        if typed && self.typed_applies() {
            return self.typed_decide(data);
        }
        let bound = self.bind(data);
        let mut summary = self.empty_summary(bound.units.len());
        let (_, findings, refs) = self.reference_lean(&bound, &FAILING, &mut summary);
        let mut notes = self.data_notes_said(data);
        notes.extend(self.unreadable_notes(&bound));
        LeanReport {
            summary,
            notes,
            findings: refs,
            spelled: findings.into_iter().enumerate().collect(),
        }
    }

    /// True when the typed core can spare reference evaluations: units are decided each
    /// on its own (no cohort, no rank), and no run-time limit could turn a late finding
    /// into `error`.
    pub(crate) fn typed_applies(&self) -> bool {
        let program = self.program();
        program.cohorts.is_empty()
            && program.ranks.is_empty()
            && self.resources().run_time.is_none()
    }

    /// A report with no units, findings or notes yet.
    pub(super) fn report_shell(&self) -> Report {
        report::build(
            self.methodology().clone(),
            self.program(),
            &BoundData {
                units: Vec::new(),
                inputs: Vec::new(),
            },
            &Evaluation::default(),
        )
    }

    fn empty_summary(&self, units: usize) -> Summary {
        Summary {
            units,
            rules: self.program().rules.len(),
            ..Summary::default()
        }
    }

    /// Every unit by the reference evaluator: the units' values and the findings the
    /// options keep, with each finding's reference.
    fn reference_lean(
        &self,
        bound: &BoundData,
        options: &StreamOptions,
        summary: &mut Summary,
    ) -> (Vec<report::UnitReport>, Vec<Finding>, Vec<FindingRef>) {
        let program = self.program();
        let results = self.evaluate_bound(bound);
        let mut units = Vec::new();
        for (index, (name, result)) in bound.units.iter().zip(results.units()).enumerate() {
            if let Some(u) = unit_values(
                program,
                &results.cohorts,
                name,
                view(bound, index, result),
                result,
                options.values,
            ) {
                units.push(u);
            }
        }
        let (mut findings, mut refs) = (Vec::new(), Vec::new());
        for (rule_index, rule) in program.rules.iter().enumerate() {
            for (index, (name, result)) in bound.units.iter().zip(results.units()).enumerate() {
                let Some(decision) = result.decisions.get(rule_index) else {
                    continue;
                };
                summary.count(rule.severity, decision.status);
                if options.findings.keeps(decision.status) {
                    findings.push(full_finding(
                        program,
                        &results,
                        rule,
                        name,
                        view(bound, index, result),
                        decision,
                    ));
                    refs.push(FindingRef {
                        rule: rule_index,
                        unit: index,
                        status: decision.status,
                    });
                }
            }
        }
        (units, findings, refs)
    }

    /// [`RuleSet::decide_failing`] with the typed core deciding first (see the module).
    fn typed_decide(&self, data: &Dataset) -> LeanReport {
        let intake = Columns::from_records(self.program(), &data.records);
        let (typed, open) = self.typed_open(&intake);
        let records: Vec<&Record> = open.iter().filter_map(|&u| data.records.get(u)).collect();
        let mut notes = self.data_notes_said(data);
        if data.records.len() > 1 && intake.unread.iter().any(|&unread| unread) {
            notes.extend(self.unreadable_notes(&self.bind(data)));
        }
        self.typed_lean(&typed, &open, &records, notes)
    }

    /// The typed core over intake columns: its decisions, and the units (in order) with a
    /// finding it leaves open.
    pub(crate) fn typed_open(&self, intake: &Intake) -> (TypedEvaluation, Vec<usize>) {
        let typed = self.typed().evaluate_columns(&intake.columns);
        let rules = self.program().rules.len();
        let open = (0..intake.columns.len())
            .filter(|&u| (0..rules).any(|r| typed.status(u, r).is_none()))
            .collect();
        (typed, open)
    }

    /// The lean report of typed decisions, the records of the `open` units (evaluated here
    /// by the reference evaluator) and the report's notes.
    pub(crate) fn typed_lean<R: Borrow<Record>>(
        &self,
        typed: &TypedEvaluation,
        open: &[usize],
        records: &[R],
        notes: Vec<String>,
    ) -> LeanReport {
        let program = self.program();
        let units = typed.units();
        let bound = evaluate::bind_records(program, records.iter().map(Borrow::borrow));
        let results = self.evaluate_bound(&bound);
        let mut lean = LeanReport {
            summary: self.empty_summary(units),
            notes,
            ..LeanReport::default()
        };
        for (r, rule) in program.rules.iter().enumerate() {
            // `open` is in unit order: walk it beside the units.
            let mut k = 0;
            for u in 0..units {
                let (status, words) = if open.get(k) == Some(&u) {
                    k += 1;
                    let (Some(result), Some(name)) = (results.unit(k - 1), bound.units.get(k - 1))
                    else {
                        continue;
                    };
                    let Some(decision) = result.decisions.get(r) else {
                        continue;
                    };
                    let words = FAILING.findings.keeps(decision.status).then(|| {
                        full_finding(
                            program,
                            &results,
                            rule,
                            name,
                            view(&bound, k - 1, result),
                            decision,
                        )
                    });
                    (decision.status, words)
                } else {
                    match typed.status(u, r) {
                        Some(status) => (status, None),
                        None => continue,
                    }
                };
                lean.summary.count(rule.severity, status);
                if FAILING.findings.keeps(status) {
                    if let Some(words) = words {
                        lean.spelled.push((lean.findings.len(), words));
                    }
                    lean.findings.push(FindingRef {
                        rule: r,
                        unit: u,
                        status,
                    });
                }
            }
        }
        lean
    }
}
