//! Lean reports of a whole dataset: only the findings and values asked for, and, when
//! only failing findings are kept, no reference evaluation of a unit the typed core
//! shows to pass.
//!
//! The typed core ([`crate::fast`]) decides every numeric rule it can prove the reference
//! evaluator decides the same way, over the whole cohort a column at a time. A unit whose
//! findings it decides and which has none to show (every one `pass` or `skip`) is only
//! counted. Every other unit — one with a finding the typed core leaves open, or with a
//! failing finding whose message and evidence the report shows — is evaluated by the
//! reference evaluator, and all of its findings are the reference's. The report is the
//! one the reference evaluator alone would give.

use super::{FindingFilter, StreamOptions, ValueFilter, count, full_finding, unit_values, view};
use crate::data::Dataset;
use crate::evaluate::{BoundData, Evaluation};
use crate::fast::Columns;
use crate::report::{self, Finding, Report, Summary};
use crate::ruleset::RuleSet;

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
        let program = self.program();
        let bound = self.bind(data);
        let mut summary = Summary {
            units: bound.units.len(),
            rules: program.rules.len(),
            ..Summary::default()
        };
        let (units, findings) = if typed && self.typed_applies(options) {
            (
                Vec::new(),
                self.typed_findings(&bound, options.findings, &mut summary),
            )
        } else {
            self.reference_lean(&bound, options, &mut summary)
        };
        let mut report = report::build(
            self.methodology().clone(),
            program,
            &BoundData {
                units: Vec::new(),
                inputs: Vec::new(),
            },
            &Evaluation::default(),
        );
        report.units = units;
        report.findings = findings;
        report.summary = summary;
        self.add_data_notes(&mut report, data, &bound);
        report
    }

    /// True when the typed core can spare reference evaluations: only failing findings
    /// and no values are shown, units are decided each on its own (no cohort, no rank),
    /// and no run-time limit could turn a late finding into `error`.
    fn typed_applies(&self, options: &StreamOptions) -> bool {
        let program = self.program();
        options.findings == FindingFilter::Failing
            && options.values == ValueFilter::None
            && program.cohorts.is_empty()
            && program.ranks.is_empty()
            && self.resources().run_time.is_none()
    }

    /// Every unit by the reference evaluator.
    fn reference_lean(
        &self,
        bound: &BoundData,
        options: &StreamOptions,
        summary: &mut Summary,
    ) -> (Vec<report::UnitReport>, Vec<Finding>) {
        let program = self.program();
        let results = self.evaluate_bound(bound);
        let mut units = Vec::new();
        for (index, (name, result)) in bound.units.iter().zip(results.units()).enumerate() {
            if let Some(u) = unit_values(
                program,
                name,
                view(bound, index, result),
                result,
                options.values,
            ) {
                units.push(u);
            }
        }
        let mut findings = Vec::new();
        for (rule_index, rule) in program.rules.iter().enumerate() {
            for (index, (name, result)) in bound.units.iter().zip(results.units()).enumerate() {
                let Some(decision) = result.decisions.get(rule_index) else {
                    continue;
                };
                count(summary, rule.severity, decision.status);
                if options.findings.keeps(decision.status) {
                    findings.push(full_finding(
                        program,
                        &results,
                        rule,
                        name,
                        view(bound, index, result),
                        decision,
                    ));
                }
            }
        }
        (units, findings)
    }

    /// The findings `filter` keeps, with the typed core deciding first (see the module).
    fn typed_findings(
        &self,
        bound: &BoundData,
        filter: FindingFilter,
        summary: &mut Summary,
    ) -> Vec<Finding> {
        let program = self.program();
        let typed = self
            .typed()
            .evaluate_columns(&Columns::from_bound(program, bound));
        let rules = program.rules.len();
        // Per unit, its place among the units the reference evaluates.
        let mut place: Vec<Option<usize>> = Vec::with_capacity(bound.units.len());
        let mut needed = Vec::new();
        for u in 0..bound.units.len() {
            let open = (0..rules).any(|r| typed.status(u, r).is_none_or(|s| filter.keeps(s)));
            place.push(open.then_some(needed.len()));
            if open {
                needed.push(u);
            }
        }
        let subset;
        let evaluated = if needed.len() == bound.units.len() {
            bound
        } else {
            subset = bound.subset(&needed);
            &subset
        };
        let results = self.evaluate_bound(evaluated);
        let mut findings = Vec::new();
        for (r, rule) in program.rules.iter().enumerate() {
            for (u, at) in place.iter().enumerate() {
                let Some(k) = at else {
                    if let Some(status) = typed.status(u, r) {
                        count(summary, rule.severity, status);
                    }
                    continue;
                };
                let (Some(result), Some(name)) = (results.unit(*k), evaluated.units.get(*k)) else {
                    continue;
                };
                let Some(decision) = result.decisions.get(r) else {
                    continue;
                };
                count(summary, rule.severity, decision.status);
                if filter.keeps(decision.status) {
                    findings.push(full_finding(
                        program,
                        &results,
                        rule,
                        name,
                        view(evaluated, *k, result),
                        decision,
                    ));
                }
            }
        }
        findings
    }
}
