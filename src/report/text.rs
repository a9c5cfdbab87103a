//! The text report: the ranking, every unit's values, findings grouped by rule, then the
//! summary.
//!
//! Every computed value is listed, at its declared `display` precision or else at most
//! [`DEFAULT_DECIMALS`] decimals (a note says so); columns are aligned by the width a
//! terminal gives each character (`unicode-width`), so Vietnamese names line up.

use std::fmt::Write;

use unicode_width::UnicodeWidthStr;

use super::display::{DEFAULT_DECIMALS, NumberFormat, at_most, json_decimal, plural};
use super::{Column, Report};
use crate::evaluate::Status;

/// Renders a report for a terminal (no colour).
pub fn render(report: &Report) -> String {
    render_within(report, usize::MAX)
}

/// Renders a report for a terminal, stopping (with a text longer than `max`) once it
/// grows beyond `max` bytes, so an oversized report is never built whole.
pub fn render_within(report: &Report, max: usize) -> String {
    let mut out = String::new();
    head(&mut out, report);
    if let Some(headline) = headline(report) {
        ranking(&mut out, report, headline);
    }
    values(&mut out, report, max);
    findings(&mut out, report, max);
    if out.len() > max {
        return out;
    }
    summary_line(&mut out, &report.summary);
    out
}

/// The methodology, its sources and the report's notes.
pub(crate) fn head(out: &mut String, report: &Report) {
    let m = &report.methodology;
    let _ = writeln!(out, "{} — version {}", m.name, m.version);
    if let Some(base) = &m.extends {
        let _ = writeln!(out, "extends: {base}");
    }
    for s in &m.sources {
        let _ = writeln!(out, "source: {s}");
    }
    for note in &report.notes {
        let _ = writeln!(out, "note: {note}");
    }
}

/// The rank the ranking table is by: the first unit's first.
pub(crate) fn headline(report: &Report) -> Option<&str> {
    report
        .units
        .first()
        .and_then(|u| u.ranks.keys().next())
        .map(String::as_str)
}

/// The last line: the counts.
pub(crate) fn summary_line(out: &mut String, s: &super::Summary) {
    let _ = writeln!(
        out,
        "\nSummary: {}, {}: {} passed, {} failed ({} of severity error), {} could not be decided, {} did not apply",
        plural(s.units, "unit", "units"),
        plural(s.rules, "rule", "rules"),
        s.passed,
        s.failed,
        s.failed_errors,
        s.errors,
        s.skipped
    );
}

/// Every unit's computed values, with rank, change and label.
fn values(out: &mut String, report: &Report, max: usize) {
    if report.columns.is_empty() || report.units.is_empty() {
        return;
    }
    values_heading(out, report);
    let ranked = report.units.iter().any(|u| !u.ranks.is_empty());
    let changed = report.units.iter().any(|u| !u.changes.is_empty());
    for unit in &report.units {
        if out.len() > max {
            return;
        }
        unit_values(out, report, unit, ranked, changed);
    }
}

/// The heading of the values (when there are columns and units to list).
pub(crate) fn values_heading(out: &mut String, report: &Report) {
    let _ = writeln!(out, "\nValues");
    if report.columns.iter().any(|c| c.decimals.is_none()) {
        let _ = writeln!(
            out,
            "  (values without a declared `display` are shown to at most {DEFAULT_DECIMALS} decimals; --format json has every digit)"
        );
    }
}

/// One unit's values: a rank column when any unit is `ranked`, a change column when any
/// `changed`.
pub(crate) fn unit_values(
    out: &mut String,
    report: &Report,
    unit: &super::UnitReport,
    ranked: bool,
    changed: bool,
) {
    let _ = writeln!(out, "  {}", unit.unit);
    let mut rows = Vec::new();
    for c in &report.columns {
        let shown = match (unit.values.get(&c.name), unit.errors.get(&c.name)) {
            (Some(v), _) => report.format_of(&c.name).json(v),
            (None, Some(e)) => format!("error: {e}"),
            (None, None) => continue,
        };
        let mut row = vec![c.name.clone(), shown];
        if ranked {
            row.push(
                unit.ranks
                    .get(&c.name)
                    .map(|r| format!("rank {r}"))
                    .unwrap_or_default(),
            );
        }
        if changed {
            row.push(
                unit.changes
                    .get(&c.name)
                    .map(|ch| change_text(ch, &report.format_of(&c.name)))
                    .unwrap_or_default(),
            );
        }
        row.push(label(c));
        rows.push(row);
    }
    out.push_str(&table(&rows, "    ", &[]));
    for (name, note) in &unit.notes {
        let _ = writeln!(out, "    note: {name}: {note}");
    }
}

fn label(c: &Column) -> String {
    c.label.clone().unwrap_or_default()
}

/// Findings grouped by rule, each with its evidence.
fn findings(out: &mut String, report: &Report, max: usize) {
    let mut current_rule: Option<&str> = None;
    if !report.findings.is_empty() {
        findings_heading(out);
    }
    for f in &report.findings {
        if out.len() > max {
            return;
        }
        if current_rule != Some(f.rule.as_str()) {
            current_rule = Some(&f.rule);
            rule_heading(out, f);
        }
        finding(out, report, f);
    }
}

/// The heading of the findings (when there are some).
pub(crate) fn findings_heading(out: &mut String) {
    let _ = writeln!(out, "\nFindings");
}

/// The lines that head a rule's findings: id, severity, title, citation.
pub(crate) fn rule_heading(out: &mut String, f: &super::Finding) {
    let title = f
        .title
        .as_deref()
        .map(|t| format!(" — {t}"))
        .unwrap_or_default();
    let _ = writeln!(out, "  {} [{}]{title}", f.rule, f.severity.keyword());
    if let Some(cite) = &f.cite {
        let _ = writeln!(out, "    cite: {cite}");
    }
}

/// One finding: status, unit, message or reason, and its evidence.
pub(crate) fn finding(out: &mut String, report: &Report, f: &super::Finding) {
    let status = match f.status {
        Status::Pass => "pass ",
        Status::Fail => "FAIL ",
        Status::Error => "ERROR",
        Status::Skip => "skip ",
    };
    match f.status {
        // Every skip says why (false `when`, out of force, target date not reached).
        Status::Skip => {
            let reason = f.message.trim_start_matches("does not apply: ");
            let _ = writeln!(out, "    {status} {}: {reason}", f.unit);
        }
        Status::Pass => {
            let _ = writeln!(out, "    {status} {}", f.unit);
        }
        Status::Fail | Status::Error => {
            let _ = writeln!(out, "    {status} {}: {}", f.unit, f.message);
        }
    }
    if f.status != Status::Skip && !f.evidence.is_empty() {
        let _ = writeln!(out, "          {}", evidence_line(report, f));
    }
}

/// `field = value, …` as a person reads it.
pub fn evidence_line(report: &Report, f: &super::Finding) -> String {
    f.evidence
        .iter()
        .map(|(k, v)| format!("{k} = {}", report.evidence_text(f, k, v)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `Δ +0.0123 (+1.5%), up 2` for a value's change since last year; a percent changes by
/// points (`Δ +1.5 points (+2.0%)`).
pub fn change_text(change: &super::compare::Change, format: &NumberFormat) -> String {
    let points = format.json_difference(&change.points);
    let points = if points.starts_with('-') {
        points
    } else {
        format!("+{points}")
    };
    let percent = change
        .percent
        .as_ref()
        .and_then(json_decimal)
        .map(|p| {
            let p = crate::value::round_half_up(p, 1).to_string();
            if p.starts_with('-') {
                format!(" ({p}%)")
            } else {
                format!(" (+{p}%)")
            }
        })
        .unwrap_or_default();
    let places = match change.places {
        Some(0) => ", same place".to_string(),
        Some(p) if p > 0 => format!(", up {p}"),
        Some(p) => format!(", down {}", -p),
        None => String::new(),
    };
    format!("Δ {points}{percent}{places}")
}

/// The rank spreads of the first declared rank, in nominal rank order.
pub fn sensitivity(s: &crate::evaluate::sensitivity::SensitivityReport) -> String {
    let mut out = String::new();
    let Some((key, spreads)) = s.ranks.first() else {
        return out;
    };
    let _ = writeln!(
        out,
        "\nSensitivity of {key}: {}, seed {}, {}",
        plural(s.runs, "run", "runs"),
        s.seed,
        sensitivity_what(s)
    );
    let mut sorted: Vec<_> = spreads.iter().collect();
    sorted.sort_by(|a, b| a.rank.cmp(&b.rank).then_with(|| a.unit.cmp(&b.unit)));
    let mut rows = vec![vec![
        "rank".to_string(),
        "unit".to_string(),
        "median".to_string(),
        "5–95%".to_string(),
    ]];
    for r in sorted {
        rows.push(vec![
            r.rank.map_or("-".to_string(), |r| r.to_string()),
            r.unit.clone(),
            r.median.to_string(),
            format!("{}–{}", r.p5, r.p95),
        ]);
    }
    out.push_str(&table(&rows, "  ", &[0, 2]));
    out
}

/// What the sensitivity runs varied: `weights ±20%; normalisation among …`.
pub fn sensitivity_what(s: &crate::evaluate::sensitivity::SensitivityReport) -> String {
    let vary = s
        .weights_vary
        .as_ref()
        .and_then(json_decimal)
        .map(|v| {
            format!(
                "weights ±{}%",
                at_most(v * rust_decimal::Decimal::ONE_HUNDRED, 4)
            )
        })
        .unwrap_or_default();
    let alternatives = if s.alternatives.is_empty() {
        String::new()
    } else {
        format!("normalisation among {}", s.alternatives.join(", "))
    };
    [vary, alternatives]
        .into_iter()
        .filter(|x| !x.is_empty())
        .collect::<Vec<_>>()
        .join("; ")
}

/// The units in rank order of `key`, with the ranked value.
pub(crate) fn ranking(out: &mut String, report: &Report, key: &str) {
    let format = report.format_of(key);
    let ranked = report
        .units
        .iter()
        .filter_map(|u| ranking_row(u, key, &format))
        .collect();
    ranking_table(out, key, ranked);
}

/// A unit's row in the ranking by `key` (none without that rank): its rank, and the
/// cells rank, unit, value and change of place.
pub(crate) fn ranking_row(
    u: &super::UnitReport,
    key: &str,
    format: &NumberFormat,
) -> Option<(usize, Vec<String>)> {
    let rank = *u.ranks.get(key)?;
    let mut row = vec![
        rank.to_string(),
        u.unit.clone(),
        u.values
            .get(key)
            .map_or_else(String::new, |v| format.json(v)),
    ];
    if let Some(places) = u.changes.get(key).and_then(|c| c.places) {
        row.push(match places {
            0 => "same place".to_string(),
            p if p > 0 => format!("up {p}"),
            p => format!("down {}", -p),
        });
    }
    Some((rank, row))
}

/// The ranking table of `rows` ([`ranking_row`]), in rank order and then by unit.
pub(crate) fn ranking_table(out: &mut String, key: &str, mut rows: Vec<(usize, Vec<String>)>) {
    rows.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.get(1).cmp(&b.1.get(1))));
    let _ = writeln!(out, "\nRanking by {key}");
    let rows: Vec<Vec<String>> = rows.into_iter().map(|(_, row)| row).collect();
    out.push_str(&table(&rows, "  ", &[0]));
}

/// Rows of cells as aligned lines: every column but the last padded to its widest cell
/// (terminal display width), the columns in `right` aligned right, two spaces between.
pub fn table(rows: &[Vec<String>], indent: &str, right: &[usize]) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|i| {
            rows.iter()
                .filter_map(|r| r.get(i))
                .map(|c| c.width())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in rows {
        let mut line = String::from(indent);
        for (i, cell) in row.iter().enumerate() {
            let last = i + 1 == row.len();
            let fill = widths
                .get(i)
                .copied()
                .unwrap_or(0)
                .saturating_sub(cell.width());
            if right.contains(&i) {
                line.push_str(&" ".repeat(fill));
                line.push_str(cell);
            } else {
                line.push_str(cell);
                if !last {
                    line.push_str(&" ".repeat(fill));
                }
            }
            if !last {
                line.push_str("  ");
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_align_by_display_width() {
        // "Đà Nẵng" written with combining marks (NFD) is longer in chars than it is wide.
        let nfd = "Đa\u{300} Na\u{306}\u{303}ng";
        let rows = vec![
            vec![nfd.to_string(), "1".to_string()],
            vec!["Ha Noi".to_string(), "2".to_string()],
        ];
        let text = table(&rows, "", &[]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0].width(), lines[1].width(), "{text}");
        assert!(lines[1].starts_with("Ha Noi   2"), "{text}");
    }

    #[test]
    fn plural_forms() {
        assert_eq!(plural(1, "rule", "rules"), "1 rule");
        assert_eq!(plural(0, "rule", "rules"), "0 rules");
        assert_eq!(plural(2, "unit", "units"), "2 units");
    }
}
