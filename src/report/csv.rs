//! The report as CSV, for the spreadsheet a province already keeps.
//!
//! [`findings`]: one row per finding — `rule, unit, status, severity, message, evidence,
//! cite`, the evidence as `field=value; …` as a person reads it (percents as percents,
//! published figures with their digits). [`values`]: one row per unit — `unit`, every
//! indicator and score, then `NAME.rank` for every declared rank. Numbers in the values
//! table keep every digit (a percent is written as a percentage, `78.5%`, which
//! spreadsheets read as the number 0.785); a value that could not be computed is empty.

use super::Report;
use super::display::{Style, json_decimal, status_word};

/// Why a CSV table could not be written.
#[derive(Debug, thiserror::Error)]
pub enum CsvError {
    /// The writer failed.
    #[error("cannot write CSV: {0}")]
    Csv(#[from] ::csv::Error),
    /// The underlying output failed.
    #[error("cannot write CSV: {0}")]
    Io(#[from] std::io::Error),
}

/// One row per finding.
///
/// ```
/// let rules = chiso::RuleSet::from_text("t.chiso", "methodology \"T\" version 1\ninput x: number\nrule r require x > 0 cite \"Art. 1\"")?;
/// let data = chiso::Dataset::from_json_str("d.json", r#"[{"unit": "A", "x": -1}]"#, "unit")?;
/// let csv = chiso::report::csv::findings(&rules.evaluate(&data))?;
/// assert_eq!(csv.lines().nth(1), Some("r,A,fail,error,A does not meet `r`,x=-1,Art. 1"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn findings(report: &Report) -> Result<String, CsvError> {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    w.write_record(FINDINGS_HEADER)?;
    for f in &report.findings {
        finding_row(&mut w, report, f)?;
    }
    finish(w)
}

/// The columns of the findings table.
pub(crate) const FINDINGS_HEADER: [&str; 7] = [
    "rule", "unit", "status", "severity", "message", "evidence", "cite",
];

/// One finding's row.
pub(crate) fn finding_row<W: std::io::Write>(
    w: &mut ::csv::Writer<W>,
    report: &Report,
    f: &super::Finding,
) -> Result<(), CsvError> {
    let evidence = report.evidence_line(f);
    w.write_record([
        f.rule.as_str(),
        f.unit.as_str(),
        status_word(f.status),
        f.severity.keyword(),
        f.message.as_str(),
        evidence.as_str(),
        f.cite.as_deref().unwrap_or(""),
    ])?;
    Ok(())
}

/// One row per unit: every value (every digit) and every rank.
pub fn values(report: &Report) -> Result<String, CsvError> {
    let ranks = rank_names(&report.units);
    let mut w = ::csv::Writer::from_writer(Vec::new());
    w.write_record(values_header(report, &ranks))?;
    for u in &report.units {
        w.write_record(values_row(report, u, &ranks))?;
    }
    finish(w)
}

/// The ranks of the values table: each rank any unit has, in the order first met.
pub(crate) fn rank_names(units: &[super::UnitReport]) -> Vec<&str> {
    let mut ranks: Vec<&str> = Vec::new();
    for u in units {
        for k in u.ranks.keys() {
            if !ranks.contains(&k.as_str()) {
                ranks.push(k);
            }
        }
    }
    ranks
}

/// The header of the values table.
pub(crate) fn values_header(report: &Report, ranks: &[&str]) -> Vec<String> {
    let mut header = vec!["unit".to_string()];
    header.extend(report.columns.iter().map(|c| c.name.clone()));
    header.extend(ranks.iter().map(|r| format!("{r}.rank")));
    header
}

/// One unit's row of the values table.
pub(crate) fn values_row(report: &Report, u: &super::UnitReport, ranks: &[&str]) -> Vec<String> {
    let mut row = vec![u.unit.clone()];
    for c in &report.columns {
        row.push(match u.values.get(&c.name) {
            Some(v) => exact(report, &c.name, v),
            None => String::new(),
        });
    }
    for r in ranks {
        row.push(u.ranks.get(*r).map(|x| x.to_string()).unwrap_or_default());
    }
    row
}

/// A value with every digit; a percent as a percentage (`78.5%`).
fn exact(report: &Report, name: &str, v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Number(n) => match (report.format_of(name).style, json_decimal(v)) {
            (Style::Percent, Some(d)) => match d.checked_mul(rust_decimal::Decimal::ONE_HUNDRED) {
                Some(p) => format!("{}%", p.normalize()),
                None => n.to_string(),
            },
            _ => n.to_string(),
        },
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn finish(w: ::csv::Writer<Vec<u8>>) -> Result<String, CsvError> {
    let bytes = w.into_inner().map_err(|e| CsvError::Io(e.into_error()))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}
