//! Stage 5: evaluation results → the report an auditor reads.
//!
//! [`Report`] is the JSON contract (version 1): methodology, per-unit values, findings
//! with evidence and citation, summary. [`text`] renders the same report for a terminal,
//! [`html`] as one self-contained page, [`csv`] as two tables and `xlsx` (feature `xlsx`)
//! as a workbook.

pub mod compare;
pub mod csv;
pub mod display;
pub mod explain;
pub mod html;
pub mod lean;
pub mod text;
#[cfg(feature = "xlsx")]
pub mod xlsx;

use indexmap::IndexMap;
use serde::Serialize;

use crate::compile::{MessagePiece, MissingPolicy, Node, Program, RAW_SUFFIX};
use crate::evaluate::{BoundData, Decision, Evaluation, Slots, Status, UnitResult, interval};
use crate::parse::ast::Severity;
use crate::value::{Value, number_to_json};

/// The methodology a report comes from.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MethodologyInfo {
    /// Its name.
    pub name: String,
    /// Version or year.
    pub version: String,
    /// Kind of unit assessed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// Source documents.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
    /// The methodology this one extends (`Name version`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extends: Option<String>,
}

/// One unit's computed values.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct UnitReport {
    /// The unit's name.
    pub unit: String,
    /// Every indicator and score, unrounded.
    pub values: IndexMap<String, serde_json::Value>,
    /// Declared ranks (competition ranking: 1, 2, 2, 4).
    pub ranks: IndexMap<String, usize>,
    /// Where a missing-data policy applied: which members were left out or counted as 0.
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub notes: IndexMap<String, String>,
    /// Changes since the previous year (`--previous`).
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub changes: IndexMap<String, compare::Change>,
    /// Indicators and scores that could not be computed, with the reason.
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub errors: IndexMap<String, String>,
}

/// One rule decided for one unit.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Finding {
    /// Rule id.
    pub rule: String,
    /// Rule title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The unit.
    pub unit: String,
    /// pass, fail, error or skip.
    pub status: Status,
    /// The rule's severity.
    pub severity: Severity,
    /// What happened, in words.
    pub message: String,
    /// The values that decided it.
    pub evidence: IndexMap<String, serde_json::Value>,
    /// The regulation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cite: Option<String>,
}

/// Counts over all findings.
#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct Summary {
    /// Units evaluated.
    pub units: usize,
    /// Rules in the rule set.
    pub rules: usize,
    /// Findings that passed.
    pub passed: usize,
    /// Findings that failed.
    pub failed: usize,
    /// Findings that could not be decided.
    pub errors: usize,
    /// Findings whose rule did not apply.
    pub skipped: usize,
    /// Failed findings of severity `error`.
    pub failed_errors: usize,
}

impl Summary {
    /// Counts one finding of a rule of `severity`.
    pub fn count(&mut self, severity: Severity, status: Status) {
        match status {
            Status::Pass => self.passed += 1,
            Status::Fail => {
                self.failed += 1;
                if severity == Severity::Error {
                    self.failed_errors += 1;
                }
            }
            Status::Error => self.errors += 1,
            Status::Skip => self.skipped += 1,
        }
    }
}

/// A whole report (JSON version 1).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Report {
    /// The methodology.
    pub methodology: MethodologyInfo,
    /// Per-unit values.
    pub units: Vec<UnitReport>,
    /// Per-rule, per-unit findings.
    pub findings: Vec<Finding>,
    /// Counts.
    pub summary: Summary,
    /// What a reader must know before the findings, each said once: a data column that
    /// is close to an input's name, a required input no record has, a reason every unit
    /// shares, units a previous year's file does not have.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// Version of the methodology the `changes` compare with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_version: Option<String>,
    /// `--explain UNIT`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explain: Option<explain::Explanation>,
    /// `--sensitivity N`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sensitivity: Option<crate::evaluate::sensitivity::SensitivityReport>,
    /// How each computed value is shown in text reports (not serialised).
    #[serde(skip)]
    pub columns: Vec<Column>,
    /// How each named value (input, indicator, score) is shown to a person: percents as
    /// percents, published figures with their digits (not serialised).
    #[serde(skip)]
    pub formats: IndexMap<String, display::NumberFormat>,
    /// For each rule with a numeric target, by rule id, the format of the value it judges:
    /// its `target`, `expected in …` and `gap to target` evidence are that kind of
    /// number (not serialised).
    #[serde(skip)]
    pub target_formats: IndexMap<String, display::NumberFormat>,
    /// The declared labels of every named value (Vietnamese first, English second when
    /// given), by name (not serialised).
    #[serde(skip)]
    pub labels: IndexMap<String, crate::parse::ast::Label>,
    /// The members of every aggregated score, by score name (a rescaled score's members
    /// are those of the mean beneath it); the pillars of an index (not serialised).
    #[serde(skip)]
    pub components: IndexMap<String, Vec<String>>,
    /// Every unit's explanation, when the run asked for them (`RunOptions::explain_all`;
    /// the HTML and Excel reports show them; not serialised).
    #[serde(skip)]
    pub explanations: Vec<explain::Explanation>,
}

/// What a report file says about the run beyond the report itself (the HTML header, the
/// Excel summary sheet).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunContext {
    /// The data files the report was computed from, as given.
    pub data_files: Vec<String>,
    /// Where the previous year's values came from (`--previous`), as given.
    pub previous_file: Option<String>,
    /// When the report was made, shown as given (e.g. `2026-05-01 10:32 UTC`); the
    /// library has no clock.
    pub generated: Option<String>,
}

/// How a text report shows one indicator or score.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// Its name.
    pub name: String,
    /// Its (first) label.
    pub label: Option<String>,
    /// Decimals, when declared.
    pub decimals: Option<u32>,
    /// How values are rounded for display.
    pub rounding: crate::compile::Rounding,
    /// Indicator or score.
    pub kind: crate::compile::SlotKind,
}

impl Report {
    /// True when `chiso run` exits 1: a finding failed with severity `error` or could not
    /// be decided, or an indicator or score could not be computed for a unit a rule
    /// applies to (any unit, in a rule set without rules).
    ///
    /// ```
    /// let rules = chiso::RuleSet::from_text("t.chiso", "methodology \"T\" version 1\ninput x: number\nindicator y = x * 2")?;
    /// let data = chiso::Dataset::from_json_str("d.json", r#"[{"unit": "A", "x": "1,5"}]"#, "unit")?;
    /// assert!(rules.evaluate(&data).has_errors()); // `y` could not be computed
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn has_errors(&self) -> bool {
        if self.summary.failed_errors > 0 {
            return true;
        }
        let (findings, values) = self.undecided();
        !findings.is_empty() || !values.is_empty()
    }

    /// What the run could not decide: the findings of status `error`, and each value
    /// `(unit, name, reason)` that could not be computed for a unit a rule applies to (any
    /// unit, in a rule set without rules). With the failed error-severity findings, this
    /// is what makes [`Report::has_errors`] true (and `chiso run` exit 1).
    pub fn undecided(&self) -> (Vec<&Finding>, Vec<(&str, &str, &str)>) {
        let findings = self
            .findings
            .iter()
            .filter(|f| f.status == Status::Error)
            .collect();
        let applies: std::collections::HashSet<&str> = self
            .findings
            .iter()
            .filter(|f| f.status != Status::Skip)
            .map(|f| f.unit.as_str())
            .collect();
        let values = self
            .units
            .iter()
            .filter(|u| self.summary.rules == 0 || applies.contains(u.unit.as_str()))
            .flat_map(|u| {
                u.errors
                    .iter()
                    .map(move |(name, reason)| (u.unit.as_str(), name.as_str(), reason.as_str()))
            })
            .collect();
        (findings, values)
    }

    /// The report as pretty JSON (version 1 of the contract).
    ///
    /// ```
    /// let rules = chiso::RuleSet::from_text("t.chiso", "methodology \"T\" version 2019\ninput x: number\nrule r require x > 0")?;
    /// let data = chiso::Dataset::from_json_str("d.json", r#"[{"unit": "A", "x": 1}]"#, "unit")?;
    /// let json: serde_json::Value = serde_json::from_str(&rules.evaluate(&data).to_json())?;
    /// assert_eq!(json["methodology"]["version"], "2019");
    /// assert_eq!(json["summary"]["passed"], 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    }

    /// How the value `name` is shown (a computed value's format when it is unknown).
    pub fn format_of(&self, name: &str) -> display::NumberFormat {
        self.formats.get(name).copied().unwrap_or_default()
    }

    /// A finding's evidence on one line, `field=value; …`, each value as a person reads it
    /// (the CSV and Excel exports' evidence column).
    pub fn evidence_line(&self, finding: &Finding) -> String {
        finding
            .evidence
            .iter()
            .map(|(k, v)| format!("{k}={}", self.evidence_text(finding, k, v)))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// One item of a finding's evidence as a person reads it: `78.5%`, `1.5 points`,
    /// `0.7320`, `[0.7345, 0.7355]`, `missing`.
    pub fn evidence_text(&self, finding: &Finding, key: &str, value: &serde_json::Value) -> String {
        use display::{INTERVAL_DECIMALS, NumberFormat, Style, json_decimal};
        if let Some(f) = self.formats.get(key) {
            return f.json(value);
        }
        if let Some(name) = key.strip_suffix(".interval") {
            let percent = self.format_of(name).style == Style::Percent;
            if let serde_json::Value::Array(bounds) = value {
                // Rounded outwards, so the interval shown contains the exact one.
                let shown: Vec<String> = bounds
                    .iter()
                    .enumerate()
                    .map(|(i, b)| {
                        let outward = if i == 0 {
                            rust_decimal::RoundingStrategy::ToNegativeInfinity
                        } else {
                            rust_decimal::RoundingStrategy::ToPositiveInfinity
                        };
                        match json_decimal(b) {
                            Some(d) if percent => format!(
                                "{}%",
                                (d * rust_decimal::Decimal::ONE_HUNDRED)
                                    .round_dp_with_strategy(INTERVAL_DECIMALS - 2, outward)
                                    .normalize()
                            ),
                            Some(d) => d
                                .round_dp_with_strategy(INTERVAL_DECIMALS, outward)
                                .normalize()
                                .to_string(),
                            None => b.to_string(),
                        }
                    })
                    .collect();
                return format!("[{}]", shown.join(", "));
            }
        }
        let target = self.target_formats.get(&finding.rule).copied();
        match (key, target) {
            ("gap to target", Some(t)) => t.json_difference(value),
            ("target", Some(t)) => t.json(value),
            (k, Some(t)) if k.starts_with("expected in ") => t.json(value),
            _ => NumberFormat {
                style: Style::Exact,
                ..NumberFormat::default()
            }
            .json(value),
        }
    }

    /// The report as one self-contained HTML page (see [`html`]).
    pub fn to_html(&self, context: &RunContext) -> String {
        html::render(self, context)
    }

    /// The report as text for a terminal.
    pub fn to_text(&self) -> String {
        // Without a bound the text is always within it.
        self.to_text_within(usize::MAX).unwrap_or_default()
    }

    /// The report as text, or an error once it would be larger than `max` bytes (the
    /// text is never built whole beyond the limit).
    ///
    /// ```
    /// let rules = chiso::RuleSet::from_text("t.chiso", "methodology \"T\" version 1\ninput x: number\nrule r require x > 0")?;
    /// let data = chiso::Dataset::from_json_str("d.json", r#"[{"unit": "A", "x": 1}]"#, "unit")?;
    /// let report = rules.evaluate(&data);
    /// assert!(report.to_text_within(1 << 20).is_ok());
    /// assert!(report.to_text_within(10).unwrap_err().to_string().contains("larger than 10 bytes"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn to_text_within(&self, max: usize) -> Result<String, TooLarge> {
        let mut out = text::render_within(self, max);
        if out.len() <= max {
            if let Some(e) = &self.explain {
                out.push_str(&explain::render(e));
            }
            if let Some(s) = &self.sensitivity {
                out.push_str(&text::sensitivity(s));
            }
        }
        if out.len() > max {
            return Err(TooLarge { max });
        }
        Ok(out)
    }

    /// The report as pretty JSON, or an error once it would be larger than `max` bytes
    /// (written through a bounded buffer: never more than `max` bytes are held).
    pub fn to_json_within(&self, max: usize) -> Result<String, TooLarge> {
        let mut out = Bounded {
            bytes: Vec::new(),
            max,
        };
        serde_json::to_writer_pretty(&mut out, self).map_err(|_| TooLarge { max })?;
        String::from_utf8(out.bytes).map_err(|_| TooLarge { max })
    }
}

/// A report larger than the limit an embedding program set
/// ([`crate::ResourceLimits::report_bytes`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "the report would be larger than {}, the most this program writes (fewer units, `--findings failing` or `--values none` make it smaller)",
    crate::limits::bytes(*max as u64)
)]
pub struct TooLarge {
    /// The limit, in bytes.
    pub max: usize,
}

/// A writer that refuses to grow beyond `max` bytes.
struct Bounded {
    bytes: Vec<u8>,
    max: usize,
}

impl std::io::Write for Bounded {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.bytes.len().saturating_add(buf.len()) > self.max {
            return Err(std::io::Error::other("report too large"));
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Builds the report from evaluation results.
pub fn build(
    methodology: MethodologyInfo,
    program: &Program,
    data: &BoundData,
    results: &Evaluation,
) -> Report {
    let mut units = Vec::with_capacity(data.units.len());
    let mut findings = Vec::new();
    let mut summary = Summary {
        units: data.units.len(),
        rules: program.rules.len(),
        ..Summary::default()
    };
    for (index, (name, result)) in data.units.iter().zip(results.units()).enumerate() {
        let slots = view(data, index, result);
        let mut values = IndexMap::new();
        let mut errors = IndexMap::new();
        for &slot in &program.display_order {
            let (Some(info), Some(outcome)) = (program.slots.get(slot), slots.get(slot)) else {
                continue;
            };
            match outcome {
                Ok(v) => {
                    values.insert(info.name.to_string(), v.to_json());
                }
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
        units.push(UnitReport {
            unit: name.to_string(),
            values,
            ranks,
            notes: unit_notes(program, slots, &results.cohorts, result.ranks),
            changes: IndexMap::new(),
            errors,
        });
    }
    for (rule_index, rule) in program.rules.iter().enumerate() {
        for (index, (name, result)) in data.units.iter().zip(results.units()).enumerate() {
            let Some(decision) = result.decisions.get(rule_index) else {
                continue;
            };
            summary.count(rule.severity, decision.status);
            let mut f = finding(program, rule, name, view(data, index, result), decision);
            if decision.status == Status::Fail {
                let extra = crate::evaluate::requirement_evidence(
                    program,
                    view(data, index, result),
                    &results.cohorts,
                    &rule.require,
                );
                f.evidence.extend(extra);
            }
            findings.push(f);
        }
    }
    let columns = program
        .display_order
        .iter()
        .filter_map(|&s| program.slots.get(s))
        .map(|s| Column {
            name: s.name.to_string(),
            label: s.label.primary.clone(),
            decimals: s.display,
            rounding: s.rounding,
            kind: s.kind,
        })
        .collect();
    let labels = program
        .slots
        .iter()
        .filter(|s| !s.hidden)
        .map(|s| (s.name.to_string(), s.label.clone()))
        .collect();
    let components = program
        .slots
        .iter()
        .enumerate()
        .filter(|(_, s)| !s.hidden)
        .filter_map(|(i, s)| Some((s.name.to_string(), members_of(program, i, 0)?)))
        .collect();
    let formats = program
        .slots
        .iter()
        .enumerate()
        .filter(|(_, s)| !s.hidden)
        .map(|(i, s)| {
            (
                s.name.to_string(),
                display::NumberFormat::of_slot(program, i),
            )
        })
        .collect();
    let target_formats = program
        .rules
        .iter()
        .filter_map(|r| {
            let t = r.target.as_ref()?;
            t.compare?;
            let format = match &t.value {
                Node::Slot(s) => display::NumberFormat::of_slot(program, *s),
                _ => display::NumberFormat::default(),
            };
            Some((r.id.to_string(), format))
        })
        .collect();
    Report {
        methodology,
        units,
        findings,
        summary,
        notes: Vec::new(),
        previous_version: None,
        explain: None,
        sensitivity: None,
        columns,
        formats,
        target_formats,
        labels,
        components,
        explanations: Vec::new(),
    }
}

/// The names of the members of the mean that computes `slot`, looking through a
/// rescaling (`rescaled by max` wraps the mean in a normalisation of a hidden slot).
fn members_of(program: &Program, slot: usize, depth: usize) -> Option<Vec<String>> {
    match &program.formula_of(slot)?.node {
        Node::Aggregate(agg) => Some(
            agg.members
                .iter()
                .filter_map(|m| match m {
                    Node::Slot(s) => program.slots.get(*s).map(|i| i.name.to_string()),
                    _ => None,
                })
                .collect(),
        ),
        Node::Normalise(n)
            if depth < 4 && program.slots.get(n.column).is_some_and(|i| i.hidden) =>
        {
            members_of(program, n.column, depth + 1)
        }
        _ => None,
    }
}

/// A unit's notes: inputs missing, and what its cohort operations say of it (values
/// treated for outliers, outranking ties, ranks it has none of).
pub(crate) fn unit_notes(
    program: &Program,
    slots: Slots<'_>,
    cohorts: &[Option<crate::evaluate::cohort::CohortStats>],
    ranks: &[Option<usize>],
) -> IndexMap<String, String> {
    let mut notes = missing_notes(program, slots);
    notes.extend(crate::evaluate::treat::notes(program, slots, cohorts));
    notes.extend(crate::evaluate::outrank::notes(program, slots, cohorts));
    notes.extend(crate::evaluate::unranked::notes(program, slots, ranks));
    notes
}

/// For each score whose missing-data policy applied to this unit, what it did.
pub(crate) fn missing_notes(program: &Program, slots: Slots<'_>) -> IndexMap<String, String> {
    let mut notes = IndexMap::new();
    for formula in &program.formulas {
        let Node::Aggregate(agg) = &formula.node else {
            continue;
        };
        let missing: Vec<String> = agg
            .members
            .iter()
            .filter_map(|m| match m {
                Node::Slot(s) => match slots.get(*s) {
                    Some(Err(f)) if f.is_missing() => {
                        program.slots.get(*s).map(|i| format!("`{}`", i.name))
                    }
                    _ => None,
                },
                _ => None,
            })
            .collect();
        if missing.is_empty() {
            continue;
        }
        let note = match agg.missing {
            MissingPolicy::Error => continue,
            MissingPolicy::Zero => format!("missing zero: {} counted as 0", missing.join(", ")),
            MissingPolicy::Exclude(_) | MissingPolicy::ExcludeMembers(_)
                if agg.kind.is_outranking() =>
            {
                format!(
                    "missing exclude: {} left out, other units compared with it over the members both have",
                    missing.join(", ")
                )
            }
            MissingPolicy::Exclude(_) | MissingPolicy::ExcludeMembers(_) => format!(
                "missing exclude: {} left out, the other members re-weighted",
                missing.join(", ")
            ),
        };
        let name = program
            .slots
            .get(formula.slot)
            .map(|i| i.name.to_string())
            .unwrap_or_default();
        // A rescaled score's policy belongs to the score the author named.
        let name = name
            .strip_suffix(RAW_SUFFIX)
            .map(str::to_string)
            .unwrap_or(name);
        notes.insert(name, note);
    }
    notes
}

/// All slots of unit `index`.
fn view<'a>(data: &'a BoundData, index: usize, result: UnitResult<'a>) -> Slots<'a> {
    Slots {
        inputs: data.inputs.get(index).map_or(&[], Vec::as_slice),
        computed: result.computed,
    }
}

pub(crate) fn finding(
    program: &Program,
    rule: &crate::compile::RulePlan,
    unit: &str,
    slots: Slots<'_>,
    decision: &Decision,
) -> Finding {
    Finding {
        rule: rule.id.to_string(),
        title: rule.title.clone(),
        unit: unit.to_string(),
        status: decision.status,
        severity: rule.severity,
        message: message(program, rule, unit, slots, decision),
        evidence: evidence(program, rule, slots, decision),
        cite: rule.cite.clone(),
    }
}

/// A finding's evidence: the values its rule reads, their intervals, what a hook
/// predicate returned (a failed requirement's members are added by the caller).
pub(crate) fn evidence(
    program: &Program,
    rule: &crate::compile::RulePlan,
    slots: Slots<'_>,
    decision: &Decision,
) -> IndexMap<String, serde_json::Value> {
    let mut evidence = IndexMap::new();
    for &slot in &rule.evidence {
        let (Some(info), Some(outcome)) = (program.slots.get(slot), slots.get(slot)) else {
            continue;
        };
        evidence.insert(info.name.to_string(), evidence_value(info, outcome));
    }
    for &slot in &rule.interval_evidence {
        let Some(info) = program.slots.get(slot) else {
            continue;
        };
        if let Ok(i) = interval::of_slot(program, slots, slot) {
            evidence.insert(
                format!("{}.interval", info.name),
                serde_json::Value::Array(vec![number_to_json(i.lo), number_to_json(i.hi)]),
            );
        }
    }
    if let Some(extra) = decision.evidence() {
        for (k, v) in extra.iter() {
            evidence.insert(k.clone(), v.to_json());
        }
    }
    evidence
}

/// What happened, in words.
pub(crate) fn message(
    program: &Program,
    rule: &crate::compile::RulePlan,
    unit: &str,
    slots: Slots<'_>,
    decision: &Decision,
) -> String {
    match decision.status {
        Status::Fail if rule.message.is_empty() && decision.note().is_some() => {
            format!("{unit}: {}", decision.note().unwrap_or_default())
        }
        Status::Fail => {
            if rule.message.is_empty() {
                format!("{unit} does not meet `{}`", rule.id)
            } else {
                render_message(program, &rule.message, unit, slots)
            }
        }
        Status::Pass => rule
            .title
            .clone()
            .map_or_else(|| "requirement met".to_string(), |t| format!("{t}: met")),
        Status::Skip => match decision.note() {
            Some(note) => format!("does not apply: {note}"),
            None => "does not apply: the `when` condition is false".to_string(),
        },
        Status::Error => match decision.fault() {
            Some(f) => format!("cannot decide: {f}"),
            None => "cannot decide".to_string(),
        },
    }
}

/// A value of the evidence; a published `decimal` keeps the digits it was written with
/// (`0.7320`, the same number as `0.732`).
fn evidence_value(
    info: &crate::compile::SlotInfo,
    outcome: &crate::evaluate::Outcome,
) -> serde_json::Value {
    match outcome {
        Ok(Value::Number(n)) if info.input_type == Some(crate::parse::ast::InputType::Decimal) => {
            match n.to_string().parse::<serde_json::Number>() {
                Ok(num) => serde_json::Value::Number(num),
                Err(_) => number_to_json(*n),
            }
        }
        Ok(v) => v.to_json(),
        Err(_) => serde_json::Value::Null,
    }
}

fn render_message(
    program: &Program,
    pieces: &[MessagePiece],
    unit: &str,
    slots: Slots<'_>,
) -> String {
    let mut out = String::new();
    for piece in pieces {
        match piece {
            MessagePiece::Text(t) => out.push_str(t),
            MessagePiece::Unit => out.push_str(unit),
            MessagePiece::Const(v, decimals) => out.push_str(&v.display(*decimals)),
            MessagePiece::Slot(s, decimals) => match slots.get(*s) {
                Some(Ok(Value::Number(n))) => {
                    let mut format = display::NumberFormat::of_slot(program, *s);
                    if decimals.is_some() {
                        // `{name:2}`: two decimals (of the percentage, for a percent), half-up.
                        format.decimals = *decimals;
                        format.rounding = crate::compile::Rounding::HalfUp;
                    }
                    out.push_str(&format.number(*n));
                }
                Some(Ok(v)) => out.push_str(&v.display(*decimals)),
                _ => out.push_str("(missing)"),
            },
        }
    }
    out
}
