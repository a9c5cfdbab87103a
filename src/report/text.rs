//! The text report: values per unit, findings grouped by rule, then the summary.

use std::fmt::Write;

use super::Report;
use crate::evaluate::Status;

/// Renders a report for a terminal (no colour).
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let m = &report.methodology;
    let _ = writeln!(out, "{} — version {}", m.name, m.version);
    for s in &m.sources {
        let _ = writeln!(out, "source: {s}");
    }
    let name_width = report
        .display
        .keys()
        .map(|k| k.chars().count())
        .max()
        .unwrap_or(0);
    if !report.display.is_empty() {
        let _ = writeln!(out, "\nValues");
        for unit in &report.units {
            let _ = writeln!(out, "  {}", unit.unit);
            let rows: Vec<(&String, String)> = report
                .display
                .iter()
                .filter_map(|(name, decimals)| {
                    match (unit.values.get(name), unit.errors.get(name)) {
                        (Some(v), _) => Some((name, show_number(v, *decimals))),
                        (None, Some(e)) => Some((name, format!("error: {e}"))),
                        (None, None) => None,
                    }
                })
                .collect();
            let value_width = rows
                .iter()
                .map(|(_, v)| v.chars().count())
                .max()
                .unwrap_or(0);
            for (name, shown) in rows {
                let label = report
                    .labels
                    .get(name)
                    .map(|l| format!("  {l}"))
                    .unwrap_or_default();
                let _ = writeln!(out, "    {name:<name_width$}  {shown:<value_width$}{label}");
            }
        }
    }
    let mut current_rule: Option<&str> = None;
    if !report.findings.is_empty() {
        let _ = writeln!(out, "\nFindings");
    }
    for f in &report.findings {
        if current_rule != Some(f.rule.as_str()) {
            current_rule = Some(&f.rule);
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
        let status = match f.status {
            Status::Pass => "pass ",
            Status::Fail => "FAIL ",
            Status::Error => "ERROR",
            Status::Skip => "skip ",
        };
        match f.status {
            Status::Pass | Status::Skip => {
                let _ = writeln!(out, "    {status} {}", f.unit);
            }
            Status::Fail | Status::Error => {
                let _ = writeln!(out, "    {status} {}: {}", f.unit, f.message);
            }
        }
        if matches!(f.status, Status::Fail | Status::Error | Status::Pass) && !f.evidence.is_empty()
        {
            let ev: Vec<String> = f
                .evidence
                .iter()
                .map(|(k, v)| {
                    let decimals = report.display.get(k).copied().flatten();
                    let shown = match v {
                        serde_json::Value::Null => "missing".to_string(),
                        serde_json::Value::Array(items) => {
                            let parts: Vec<String> =
                                items.iter().map(|i| show_number(i, None)).collect();
                            format!("[{}]", parts.join(", "))
                        }
                        other => show_number(other, decimals),
                    };
                    format!("{k} = {shown}")
                })
                .collect();
            let _ = writeln!(out, "          {}", ev.join(", "));
        }
    }
    let s = &report.summary;
    let _ = writeln!(
        out,
        "\nSummary: {} units, {} rules: {} passed, {} failed ({} of severity error), {} could not be decided, {} did not apply",
        s.units, s.rules, s.passed, s.failed, s.failed_errors, s.errors, s.skipped
    );
    out
}

/// A JSON value for display, numbers rounded half-up to `decimals` when given.
fn show_number(v: &serde_json::Value, decimals: Option<u32>) -> String {
    match v {
        serde_json::Value::Number(n) => {
            let text = n.to_string();
            match (decimals, crate::evaluate::parse_decimal(&text)) {
                (Some(d), Some(x)) => crate::value::round_half_up(x, d).to_string(),
                _ => text,
            }
        }
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
