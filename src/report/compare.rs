//! `--previous`: each value's change since the previous year, in points, in per cent of
//! the previous year's value (the stated denominator) and in rank places.

use indexmap::IndexMap;
use rust_decimal::Decimal;
use serde::Serialize;

use super::Report;
use crate::evaluate::parse_decimal;
use crate::value::number_to_json;

/// One unit's values and ranks of last year.
pub type UnitYear = (IndexMap<String, Decimal>, IndexMap<String, usize>);

/// Last year's values and ranks, by unit.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PreviousYear {
    /// Version or year of the methodology that produced them.
    pub version: String,
    /// Per unit: values and ranks.
    pub units: IndexMap<String, UnitYear>,
}

/// How one value changed.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Change {
    /// Last year's value.
    pub previous: serde_json::Value,
    /// This year − last year.
    pub points: serde_json::Value,
    /// (This year − last year) ÷ last year × 100; absent when last year was 0.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub percent: Option<serde_json::Value>,
    /// Last year's rank.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_rank: Option<usize>,
    /// Places gained (positive) or lost (negative).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub places: Option<i64>,
}

impl PreviousYear {
    /// Each unit's year by its name in Unicode NFC, as this year's units are named.
    pub fn by_name(&self) -> std::collections::HashMap<String, &UnitYear> {
        self.units
            .iter()
            .map(|(name, year)| (crate::data::names::nfc(name), year))
            .collect()
    }

    /// From a report computed now (from last year's data).
    pub fn from_report(report: &Report) -> Self {
        let units = report
            .units
            .iter()
            .map(|u| {
                let values = u
                    .values
                    .iter()
                    .filter_map(|(k, v)| decimal(v).map(|d| (k.clone(), d)))
                    .collect();
                (u.unit.clone(), (values, u.ranks.clone()))
            })
            .collect();
        Self {
            version: report.methodology.version.clone(),
            units,
        }
    }

    /// From last year's JSON report (`chiso run --format json`); `None` if the text is
    /// not such a report.
    pub fn from_report_json(text: &str) -> Option<Self> {
        let v: serde_json::Value = serde_json::from_str(text).ok()?;
        let version = v.get("methodology")?.get("version")?.as_str()?.to_string();
        v.get("summary")?;
        let mut units = IndexMap::new();
        for u in v.get("units")?.as_array()? {
            let name = u.get("unit")?.as_str()?.to_string();
            let values = u
                .get("values")
                .and_then(|v| v.as_object())
                .map(|m| {
                    m.iter()
                        .filter_map(|(k, v)| decimal(v).map(|d| (k.clone(), d)))
                        .collect()
                })
                .unwrap_or_default();
            let ranks = u
                .get("ranks")
                .and_then(|v| v.as_object())
                .map(|m| {
                    m.iter()
                        .filter_map(|(k, v)| {
                            v.as_u64()
                                .and_then(|r| usize::try_from(r).ok())
                                .map(|r| (k.clone(), r))
                        })
                        .collect()
                })
                .unwrap_or_default();
            units.insert(name, (values, ranks));
        }
        Some(Self { version, units })
    }
}

fn decimal(v: &serde_json::Value) -> Option<Decimal> {
    match v {
        serde_json::Value::Number(n) => parse_decimal(&n.to_string()),
        _ => None,
    }
}

/// Adds to every unit of `report` its changes since `previous`.
/// Units are matched by name in Unicode NFC (a rule set's aliases are applied when the
/// previous year is loaded); a unit of either year that the other does not have is named
/// in a report note, never dropped silently.
pub fn compare(report: &mut Report, previous: &PreviousYear) {
    let by_name = previous.by_name();
    let mut new_units = Vec::new();
    for unit in &report.units {
        if !by_name.contains_key(&unit.unit) {
            new_units.push(format!("`{}`", unit.unit));
        }
    }
    let now: std::collections::HashSet<&str> =
        report.units.iter().map(|u| u.unit.as_str()).collect();
    let gone: Vec<String> = by_name
        .keys()
        .filter(|name| !now.contains(name.as_str()))
        .map(|name| format!("`{name}`"))
        .collect();
    if !new_units.is_empty() {
        report.notes.push(format!(
            "--previous: {} of this year not in the previous year's data, so without changes: {} (if a name is spelled differently there, declare an `alias`)",
            count(new_units.len()),
            new_units.join(", ")
        ));
    }
    if !gone.is_empty() {
        let mut gone = gone;
        gone.sort();
        report.notes.push(format!(
            "--previous: {} of the previous year not in this year's data: {}",
            count(gone.len()),
            gone.join(", ")
        ));
    }
    for unit in &mut report.units {
        let Some((values, ranks)) = by_name.get(&unit.unit).copied() else {
            continue;
        };
        for (name, now) in &unit.values {
            let (Some(now), Some(before)) = (decimal(now), values.get(name)) else {
                continue;
            };
            let Some(points) = now.checked_sub(*before) else {
                continue;
            };
            let percent = if before.is_zero() {
                None
            } else {
                points
                    .checked_mul(Decimal::ONE_HUNDRED)
                    .and_then(|p| p.checked_div(*before))
                    .map(number_to_json)
            };
            let previous_rank = ranks.get(name).copied();
            let places = match (previous_rank, unit.ranks.get(name)) {
                (Some(b), Some(n)) => Some(b as i64 - *n as i64),
                _ => None,
            };
            unit.changes.insert(
                name.clone(),
                Change {
                    previous: number_to_json(*before),
                    points: number_to_json(points),
                    percent,
                    previous_rank,
                    places,
                },
            );
        }
    }
    report.previous_version = Some(previous.version.clone());
}

fn count(n: usize) -> String {
    if n == 1 {
        "1 unit".into()
    } else {
        format!("{n} units")
    }
}
