//! How a rule set reads its data: the number format and missing markers its header
//! declares, the other names of its units (`alias`, `aliases "file.csv"`), and what the
//! data's columns say about the declared inputs (near misses, missing columns, percents
//! that look like fractions).

use std::collections::HashMap;
use std::path::Path;

use super::{LoadError, RuleSet};
use crate::access::Access;
use crate::data::numbers::NumberFormat;
use crate::data::{Aliases, DataError, Dataset, LoadOptions, RawValue};
use crate::diagnostic::Diagnostic;
use crate::parse::ast::{DataReading, Item};

/// The options a rule set's header declares, on top of the defaults.
pub(super) fn declared_options(key: &str, reading: &DataReading, aliases: &Aliases) -> LoadOptions {
    let mut options = LoadOptions::new(key);
    let decimal = match reading.decimal_comma {
        Some((true, _)) => ',',
        _ => '.',
    };
    options.numbers = NumberFormat {
        decimal,
        thousands: reading
            .thousands
            .as_ref()
            .and_then(|(t, _)| t.chars().next()),
    };
    if let Some((markers, _)) = &reading.missing {
        options.missing = markers.iter().map(|m| m.trim().to_string()).collect();
    }
    options.aliases = aliases.clone();
    options
}

/// The aliases of `items`: `alias … for …` and the tables `aliases "…"` names, each read
/// from the declaring file's folder (a path leaving it is refused).
pub(super) fn aliases(items: &[Item], access: &Access) -> Result<Aliases, LoadError> {
    let mut aliases = Aliases::default();
    let mut diagnostics = Vec::new();
    for item in items {
        match item {
            Item::Alias(a) => {
                for (name, _) in &a.names {
                    // Two canonical names for one alias are the checker's diagnostic.
                    let _ = aliases.insert(name, &a.canonical.0);
                }
            }
            Item::Aliases(file) => {
                let help = "put the table (columns `alias` and `name`) in the rule set's folder";
                let (path, bytes) = match access.read_table(&file.path, &file.loc) {
                    Ok(read) => read,
                    Err(why) => {
                        diagnostics.push(
                            Diagnostic::error(
                                format!("cannot read the alias table `{}`", file.path),
                                &file.loc,
                            )
                            .with_label(format!("the table {why}"))
                            .with_help(help),
                        );
                        continue;
                    }
                };
                if let Err(e) = read_table(&path, &bytes, &mut aliases) {
                    diagnostics.push(
                        Diagnostic::error(format!("the alias table `{}` is unusable", file.path), &file.loc)
                            .with_label(e)
                            .with_help("one row per written name: columns `alias` (as written) and `name` (the unit's canonical name)"),
                    );
                }
            }
            _ => {}
        }
    }
    if diagnostics.is_empty() {
        Ok(aliases)
    } else {
        Err(LoadError::Invalid { diagnostics })
    }
}

/// Reads an alias table (CSV or spreadsheet: columns `alias`, `name`) into `aliases`.
fn read_table(path: &Path, bytes: &[u8], aliases: &mut Aliases) -> Result<(), String> {
    let records = crate::data::records_from_bytes(
        &path.display().to_string(),
        bytes,
        &LoadOptions::new("alias"),
    )
    .map_err(|e| e.to_string())?;
    // One row per alias: a name written twice is the dataset's duplicate-unit error.
    let table = Dataset::from_records(records).map_err(|e| e.to_string())?;
    for record in &table.records {
        let name = match record.fields.get("name") {
            Some(RawValue::Text(t)) if !t.trim().is_empty() => t.trim(),
            _ => {
                return Err(format!(
                    "{}: no `name` for the alias `{}`",
                    record.origin, record.unit
                ));
            }
        };
        aliases.insert(&record.unit, name).map_err(|other| {
            format!(
                "{}: `{}` is an alias of two units, `{other}` and `{name}`",
                record.origin, record.unit
            )
        })?;
    }
    Ok(())
}

/// What a run should be told about its data before any unit is judged, once per file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum DataNote {
    /// A column close to an input's field that is not one (`Students` for `students`).
    NearMiss {
        /// The file.
        file: String,
        /// The column as written.
        column: String,
        /// The input's field it is close to.
        field: String,
    },
    /// Columns the rule set does not read.
    Unused {
        /// The file.
        file: String,
        /// The columns.
        columns: Vec<String>,
    },
    /// A required input no record of the file has.
    MissingColumn {
        /// The file.
        file: String,
        /// The field.
        field: String,
    },
    /// Every value of a percent input is between 0 and 1 and some are fractional.
    LooksLikeFractions {
        /// The file.
        file: String,
        /// The input.
        input: String,
        /// A fractional value seen.
        example: String,
    },
}

impl std::fmt::Display for DataNote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DataNote::NearMiss {
                file,
                column,
                field,
            } => write!(
                f,
                "{file}: column `{column}` is not an input; did you mean `{field}`? (rename the column, or declare `from \"{column}\"`)"
            ),
            DataNote::Unused { file, columns } => {
                let list: Vec<String> = columns.iter().map(|c| format!("`{c}`")).collect();
                write!(
                    f,
                    "{file}: {} not read by this rule set: {}",
                    plural(columns.len()),
                    list.join(", ")
                )
            }
            DataNote::MissingColumn { file, field } => write!(
                f,
                "{file}: no record has `{field}`, which every unit needs; its findings cannot be decided"
            ),
            DataNote::LooksLikeFractions {
                file,
                input,
                example,
            } => write!(
                f,
                "{file}: every `{input}` is between 0 and 1 and some are fractional ({example}): if the file holds fractions (0.85 for 85%), declare `input {input}: percent as fraction`; as written, {example} is read as {example}%"
            ),
        }
    }
}

fn plural(n: usize) -> String {
    if n == 1 {
        "1 column is".into()
    } else {
        format!("{n} columns are")
    }
}

/// Lower-case letters without diacritics, for "did you mean" on column names.
pub(super) fn folded(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    s.nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .map(|c| if c == 'đ' { 'd' } else { c })
        .filter(|c| c.is_alphanumeric())
        .collect()
}

impl RuleSet {
    /// What the data's columns say about the declared inputs, file by file: columns close
    /// to an input's field (case, accents, one edit) with a did-you-mean, columns not
    /// read, required inputs no record has, percents that look like fractions.
    pub fn data_notes(&self, data: &Dataset) -> Vec<DataNote> {
        let mut feed = super::notes::NoteFeed::new(self);
        for record in &data.records {
            feed.record(record);
        }
        feed.finish()
    }

    /// Loads data files as `options` say, then, with `options.strict`, refuses columns
    /// that are not inputs.
    pub(super) fn strict_columns(&self, data: &Dataset) -> Result<(), DataError> {
        for note in self.data_notes(data) {
            match note {
                DataNote::NearMiss {
                    file,
                    column,
                    field,
                } => {
                    return Err(DataError::UnknownColumn {
                        file,
                        column,
                        hint: format!("; did you mean `{field}`?"),
                    });
                }
                DataNote::Unused { file, columns } => {
                    if let Some(column) = columns.into_iter().next() {
                        return Err(DataError::UnknownColumn {
                            file,
                            column,
                            hint: String::new(),
                        });
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }
}

impl RuleSet {
    /// The data notes every report says (a column nobody reads is said only by
    /// `--strict`).
    pub(crate) fn data_notes_said(&self, data: &Dataset) -> Vec<String> {
        self.data_notes(data)
            .iter()
            // Columns nobody reads are common (a published table's other columns): only
            // `--strict` refuses them; near misses and missing columns are always said.
            .filter(|n| !matches!(n, DataNote::Unused { .. }))
            .map(ToString::to_string)
            .collect()
    }

    /// A note for each input no unit's value of could be read, with the first unit by
    /// name as an example (only over more than one unit: one unit's faults are its own).
    pub(crate) fn unreadable_notes(&self, bound: &crate::evaluate::BoundData) -> Vec<String> {
        let mut feed = super::notes::Unreadable::default();
        for (unit, inputs) in bound.units.iter().zip(&bound.inputs) {
            feed.unit(unit, inputs);
        }
        feed.notes(self.program())
    }

    /// Adds to `report` what the data says before any finding: [`RuleSet::data_notes`], an
    /// input that no unit could be read for (said once, with the first unit's reason), and
    /// the names units were written with where an alias mapped them.
    pub(crate) fn add_data_notes(
        &self,
        report: &mut crate::Report,
        data: &Dataset,
        bound: &crate::evaluate::BoundData,
    ) {
        report.notes.extend(self.data_notes_said(data));
        report.notes.extend(self.unreadable_notes(bound));
        let written: HashMap<&str, &[(String, String)]> = data
            .records
            .iter()
            .filter(|r| !r.written.is_empty())
            .map(|r| (r.unit.as_str(), r.written.as_slice()))
            .collect();
        if written.is_empty() {
            return;
        }
        for unit in &mut report.units {
            if let Some(names) = written.get(unit.unit.as_str()) {
                unit.notes
                    .insert("written as".into(), super::notes::written_as(names));
            }
        }
    }
}
