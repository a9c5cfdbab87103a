//! `weights from "weights.csv"`: a score's relative weights read from a data file when
//! the rule set is loaded, since a methodology changes its weights more often than its
//! indicators.
//!
//! The file is read by the data loaders ([`crate::data::load_records`]: CSV in any of
//! their delimiters and encodings, JSON, or a spreadsheet) and lies in the folder of the
//! rule file that names it, or below: an absolute path or one leaving the folder is
//! refused. Its columns are `member` (a member of the score), `weight` (a number ≥ 0)
//! and, optionally, `year`: then only the rows whose year is the methodology's version
//! are read. Every member needs exactly one weight, and the weights must not add up to
//! 0; they are relative, as `weights relative` (divided by their total).

use rust_decimal::Decimal;

use crate::access::Access;
use crate::data::{LoadOptions, RawValue, Record};
use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::parse::ast::{File, Item, Score, WeightsFile};

/// The columns of a weights file.
const MEMBER: &str = "member";
const WEIGHT: &str = "weight";
const YEAR: &str = "year";

/// Reads the weights file of every score that names one, for the methodology `version`.
/// Returns the errors found; the scores whose file was read have their weights.
pub fn resolve(files: &mut [File], version: &str, access: &Access) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    for item in files.iter_mut().flat_map(|f| f.items.iter_mut()) {
        let score = match item {
            Item::Score(s) => s,
            Item::Replace(inner) => match inner.as_mut() {
                Item::Score(s) => s,
                _ => continue,
            },
            _ => continue,
        };
        // Weights written as well: the checker says the score has weights twice.
        let written = score.relative.is_some() || score.members.iter().any(|m| m.weight.is_some());
        let Some(file) = score.weights_file.take_if(|_| !written) else {
            continue;
        };
        let (loaded, errors) = read(score, file, version, access);
        score.weights_file = Some(loaded);
        diags.extend(errors);
    }
    diags
}

/// Reads one score's file: the file back with its weights (when they could be read),
/// and the errors.
fn read(
    score: &Score,
    mut file: WeightsFile,
    version: &str,
    access: &Access,
) -> (WeightsFile, Vec<Diagnostic>) {
    let error = |message: String, help: Option<String>| {
        let d = Diagnostic::error(message, &file.loc).with_label("weights read from here");
        match help {
            Some(h) => d.with_help(h),
            None => d,
        }
    };
    let (path, bytes) = match access.read_table(&file.path, &file.loc) {
        Ok(read) => read,
        Err(why) => {
            let d = error(
                format!("the weights file `{}` {why}", file.path),
                Some("put the file in the rule set's folder (or below it) and name it relative to the rule file".into()),
            );
            return (file, vec![d]);
        }
    };
    let records = match crate::data::records_from_bytes(
        &path.display().to_string(),
        &bytes,
        &LoadOptions::new(MEMBER),
    ) {
        Ok(r) => r,
        Err(e) => {
            let d = error(
                format!("cannot read the weights file `{}`: {e}", file.path),
                Some(
                    "the file needs the columns `member` and `weight` (and optionally `year`)"
                        .into(),
                ),
            );
            return (file, vec![d]);
        }
    };
    match weights(score, &file.path, &records, version) {
        Ok((weights, year)) => {
            file.weights = Some(weights);
            file.year = year;
            (file, Vec::new())
        }
        Err(errors) => {
            let diags = errors.into_iter().map(|(m, h)| error(m, h)).collect();
            (file, diags)
        }
    }
}

type Problems = Vec<(String, Option<String>)>;

/// The text of a cell (numbers as written).
fn cell(record: &Record, column: &str) -> Option<String> {
    match record.fields.get(column)? {
        RawValue::Null => None,
        RawValue::Number(n) => Some(n.clone()),
        RawValue::Text(t) if t.trim().is_empty() => None,
        RawValue::Text(t) => Some(t.trim().to_string()),
        RawValue::Bool(b) => Some(b.to_string()),
        RawValue::Nested(v) => Some(v.to_string()),
    }
}

/// The weights of the score's members, in order, from the rows of `version`; the year
/// read when the file has a `year` column.
fn weights(
    score: &Score,
    file: &str,
    records: &[Record],
    version: &str,
) -> Result<(Vec<Decimal>, Option<String>), Problems> {
    let mut problems: Problems = Vec::new();
    let unknown_columns: Vec<&str> = records
        .iter()
        .flat_map(|r| r.fields.keys())
        .map(String::as_str)
        .filter(|c| ![MEMBER, WEIGHT, YEAR].contains(c))
        .collect();
    if let Some(c) = unknown_columns.first() {
        problems.push((
            format!("the weights file `{file}` has a column `{c}`"),
            Some(match did_you_mean(c, [WEIGHT, YEAR]) {
                Some(s) => format!(
                    "did you mean `{s}`? The columns are `member`, `weight` and optionally `year`"
                ),
                None => "the columns are `member`, `weight` and optionally `year`".into(),
            }),
        ));
        return Err(problems);
    }
    let by_year = records.iter().any(|r| r.fields.contains_key(YEAR));
    let rows: Vec<&Record> = if by_year {
        records
            .iter()
            .filter(|r| cell(r, YEAR).as_deref() == Some(version.trim()))
            .collect()
    } else {
        records.iter().collect()
    };
    let describe = || {
        if by_year {
            format!("`{file}` (year {version})")
        } else {
            format!("`{file}`")
        }
    };
    if rows.is_empty() {
        let mut years: Vec<String> = records.iter().filter_map(|r| cell(r, YEAR)).collect();
        years.sort();
        years.dedup();
        problems.push((
            format!("the weights file `{file}` has no rows for year {version}, the methodology's version"),
            Some(format!("its years are {}", years.join(", "))),
        ));
        return Err(problems);
    }
    let names: Vec<&str> = score.members.iter().map(|m| m.name.name.as_str()).collect();
    let mut found: Vec<Option<(Decimal, &str)>> = vec![None; names.len()];
    for r in &rows {
        let position = &r.origin.position;
        let Some(index) = names.iter().position(|n| *n == r.unit) else {
            let help = match did_you_mean(&r.unit, names.iter().copied()) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("the members of `{}` are {}", score.name.name, list(&names)),
            };
            problems.push((
                format!(
                    "{} names `{}` ({position}), which is not a member of `{}`",
                    describe(),
                    r.unit,
                    score.name.name
                ),
                Some(help),
            ));
            continue;
        };
        let weight = match cell(r, WEIGHT) {
            None => {
                problems.push((
                    format!("{} has no weight for `{}` ({position})", describe(), r.unit),
                    None,
                ));
                continue;
            }
            Some(text) => match crate::evaluate::parse_decimal(&text) {
                Some(w) if w.is_sign_negative() && !w.is_zero() => {
                    problems.push((
                        format!(
                            "the weight of `{}` in {} is {w} ({position}): weights cannot be negative",
                            r.unit,
                            describe()
                        ),
                        None,
                    ));
                    continue;
                }
                Some(w) => w,
                None => {
                    problems.push((
                        format!(
                            "the weight of `{}` in {} is `{text}` ({position}), not a number",
                            r.unit,
                            describe()
                        ),
                        Some("write it with a `.` for decimals, e.g. `0.25`".into()),
                    ));
                    continue;
                }
            },
        };
        match found.get_mut(index) {
            Some(Some((_, first))) => problems.push((
                format!(
                    "{} gives `{}` two weights ({first} and {position})",
                    describe(),
                    r.unit
                ),
                None,
            )),
            Some(slot) => *slot = Some((weight, position)),
            None => {}
        }
    }
    let missing: Vec<&str> = names
        .iter()
        .zip(&found)
        .filter(|(_, w)| w.is_none())
        .map(|(n, _)| *n)
        .collect();
    if !missing.is_empty() && problems.is_empty() {
        problems.push((
            format!(
                "{} has no weight for {} of `{}`",
                describe(),
                list(&missing),
                score.name.name
            ),
            Some(if by_year {
                format!("every member needs one row `member,weight,year` with the year {version}")
            } else {
                "every member needs one row `member,weight`".into()
            }),
        ));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let weights: Vec<Decimal> = found.iter().flatten().map(|(w, _)| *w).collect();
    let total = weights
        .iter()
        .try_fold(Decimal::ZERO, |a, w| a.checked_add(*w));
    match total {
        Some(t) if t.is_zero() => Err(vec![(
            format!(
                "the weights of `{}` in {} add up to 0: they cannot be divided by their total",
                score.name.name,
                describe()
            ),
            Some("give at least one member a weight above 0".into()),
        )]),
        None => Err(vec![(
            format!(
                "the weights in {} add up to more than can be represented",
                describe()
            ),
            None,
        )]),
        Some(_) => Ok((weights, by_year.then(|| version.trim().to_string()))),
    }
}

fn list(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
