//! What the data says about the declared inputs, gathered a record at a time so that a
//! stream, which never holds the records, says the notes a whole dataset says:
//! [`NoteFeed`] (each file's columns and the values of percent inputs: near-miss columns,
//! missing columns, percents that look like fractions) and [`Unreadable`] (an input no
//! unit's value of could be read).

use std::collections::{BTreeMap, HashMap, HashSet};

use super::RuleSet;
use super::data::{DataNote, folded};
use crate::compile::Program;
use crate::data::{RawValue, Record};
use crate::evaluate::Outcome;
use crate::parse::ast::InputType;

/// The columns of one file and what its percent inputs held.
#[derive(Default)]
struct FileSeen {
    /// Column names, in the order first met.
    columns: Vec<String>,
    seen: HashSet<String>,
    /// The last record's field names: the next record with the same adds nothing.
    last: Vec<String>,
    /// Per input (by its index), the fraction check of a percent input.
    fractions: Vec<Fractions>,
}

/// Whether every number of a percent input is within [0, 1] with one fractional, and
/// the first fractional value as written.
#[derive(Default, Clone)]
struct Fractions {
    example: Option<String>,
    ruled_out: bool,
}

impl Fractions {
    fn see(&mut self, value: &RawValue) {
        if self.ruled_out {
            return;
        }
        let text = match value {
            RawValue::Number(n) => n.as_str(),
            // Values written with `%` say they are percents.
            RawValue::Text(t) if t.trim().ends_with('%') => {
                self.ruled_out = true;
                return;
            }
            RawValue::Text(t) => t.trim(),
            _ => return,
        };
        let Ok(n) = text.parse::<rust_decimal::Decimal>() else {
            return;
        };
        if n < rust_decimal::Decimal::ZERO || n > rust_decimal::Decimal::ONE {
            self.ruled_out = true;
            return;
        }
        if !n.fract().is_zero() && self.example.is_none() {
            self.example = Some(text.to_string());
        }
    }

    fn example(&self) -> Option<&String> {
        self.example.as_ref().filter(|_| !self.ruled_out)
    }
}

/// The data notes of records fed one at a time ([`RuleSet::data_notes`] over a whole
/// dataset, or a stream's records and rows).
pub(crate) struct NoteFeed<'r> {
    rules: &'r RuleSet,
    /// By file name, as the notes list them.
    files: BTreeMap<String, FileSeen>,
}

impl<'r> NoteFeed<'r> {
    /// Nothing seen yet.
    pub(crate) fn new(rules: &'r RuleSet) -> Self {
        NoteFeed {
            rules,
            files: BTreeMap::new(),
        }
    }

    fn file(&mut self, file: &str) -> &mut FileSeen {
        if !self.files.contains_key(file) {
            let inputs = self.rules.program().inputs.len();
            self.files.insert(
                file.to_string(),
                FileSeen {
                    fractions: vec![Fractions::default(); inputs],
                    ..FileSeen::default()
                },
            );
        }
        self.files
            .get_mut(file)
            .unwrap_or_else(|| unreachable!("inserted above"))
    }

    /// A record.
    pub(crate) fn record(&mut self, record: &Record) {
        let rules = self.rules;
        let seen = self.file(&record.origin.file);
        if !record.fields.keys().eq(seen.last.iter()) {
            seen.last = record.fields.keys().cloned().collect();
            for c in record.fields.keys() {
                if seen.seen.insert(c.clone()) {
                    seen.columns.push(c.clone());
                }
            }
        }
        for (k, plan) in rules.program().inputs.iter().enumerate() {
            if watches_fractions(plan)
                && let (Some(check), Some(value)) =
                    (seen.fractions.get_mut(k), record.field(&plan.field))
            {
                check.see(&value);
            }
        }
    }

    /// A CSV row: the file's `headers` and the row's `cells`, where `inputs` gives each
    /// input's column.
    pub(crate) fn row(
        &mut self,
        file: &str,
        headers: &[String],
        cells: &[RawValue],
        inputs: &[Option<usize>],
    ) {
        let rules = self.rules;
        let seen = self.file(file);
        if seen.columns.is_empty() {
            for h in headers.iter().filter(|h| !h.is_empty()) {
                if seen.seen.insert(h.clone()) {
                    seen.columns.push(h.clone());
                }
            }
        }
        for ((plan, column), check) in rules
            .program()
            .inputs
            .iter()
            .zip(inputs)
            .zip(&mut seen.fractions)
        {
            if watches_fractions(plan)
                && let Some(value) = column.and_then(|c| cells.get(c))
            {
                check.see(value);
            }
        }
    }

    /// The notes, file by file.
    pub(crate) fn finish(self) -> Vec<DataNote> {
        let program = self.rules.program();
        let key = self.rules.unit_key();
        let mut fields_of: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for plan in program.inputs.iter().filter(|p| p.previous.is_none()) {
            fields_of
                .entry(plan.field.split('.').next().unwrap_or(&plan.field))
                .or_default()
                .push(&plan.name);
        }
        let mut notes = Vec::new();
        for (file, seen) in &self.files {
            let mut unused = Vec::new();
            let mut near: HashMap<&str, &str> = HashMap::new();
            for column in &seen.columns {
                if column == key || fields_of.contains_key(column.as_str()) {
                    continue;
                }
                let close = fields_of.keys().find(|f| {
                    !seen.seen.contains(**f)
                        && (folded(f) == folded(column) || strsim::levenshtein(f, column) <= 1)
                });
                match close {
                    Some(field) => {
                        near.insert(field, column);
                        notes.push(DataNote::NearMiss {
                            file: file.clone(),
                            column: column.clone(),
                            field: field.to_string(),
                        });
                    }
                    None => unused.push(column.clone()),
                }
            }
            if !unused.is_empty() {
                notes.push(DataNote::Unused {
                    file: file.clone(),
                    columns: unused,
                });
            }
            for (plan, check) in program.inputs.iter().zip(&seen.fractions) {
                let head = plan.field.split('.').next().unwrap_or(&plan.field);
                if !plan.optional
                    && plan.default.is_none()
                    && !seen.seen.contains(head)
                    && !near.contains_key(head)
                {
                    notes.push(DataNote::MissingColumn {
                        file: file.clone(),
                        field: plan.field.clone(),
                    });
                }
                if watches_fractions(plan)
                    && let Some(example) = check.example()
                {
                    notes.push(DataNote::LooksLikeFractions {
                        file: file.clone(),
                        input: plan.name.to_string(),
                        example: example.clone(),
                    });
                }
            }
        }
        notes
    }
}

/// A percent input read as written (not declared a fraction, not a list).
fn watches_fractions(plan: &crate::compile::InputPlan) -> bool {
    plan.ty == InputType::Percent && !plan.fraction && plan.list.is_none()
}

/// Per input, whether no unit's value could be read so far, with the first unit by name
/// and its reason.
#[derive(Default)]
pub(crate) struct Unreadable {
    units: usize,
    /// Per input slot: `None` once a unit's value was read.
    faults: Vec<Option<(String, String)>>,
}

impl Unreadable {
    /// One unit's bound inputs.
    pub(crate) fn unit(&mut self, unit: &str, inputs: &[Outcome]) {
        if self.units == 0 {
            self.faults = inputs
                .iter()
                .map(|i| i.as_ref().err().map(|f| (unit.to_string(), f.to_string())))
                .collect();
        } else {
            for (slot, input) in self.faults.iter_mut().zip(inputs) {
                match (slot.as_mut(), input) {
                    (Some(_), Ok(_)) => *slot = None,
                    // The unit named is the first by name, so the note does not depend on
                    // the order of the records.
                    (Some((first, reason)), Err(f)) if unit < first.as_str() => {
                        *first = unit.to_string();
                        *reason = f.to_string();
                    }
                    _ => {}
                }
            }
        }
        self.units += 1;
    }

    /// A note for each input no unit's value of could be read (only over more than one
    /// unit: one unit's faults are its own).
    pub(crate) fn notes(&self, program: &Program) -> Vec<String> {
        if self.units < 2 {
            return Vec::new();
        }
        program
            .inputs
            .iter()
            .zip(&self.faults)
            .filter_map(|(plan, fault)| {
                let (unit, fault) = fault.as_ref()?;
                Some(format!(
                    "`{}` could not be read for any of the {} units; for example {unit}: {fault}",
                    plan.name, self.units,
                ))
            })
            .collect()
    }
}

/// The unit note that says which names a unit was written with where an alias mapped
/// them: `“TP. HCM” in a.csv, “HCM” in b.csv`.
pub(crate) fn written_as(names: &[(String, String)]) -> String {
    names
        .iter()
        .map(|(name, file)| format!("“{name}” in {file}"))
        .collect::<Vec<_>>()
        .join(", ")
}
