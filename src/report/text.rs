//! The text report: values per unit, findings grouped by rule, then the summary.

use std::fmt::Write;

use super::{Column, Report};
use crate::compile::Rounding;
use crate::evaluate::Status;

/// Renders a report for a terminal (no colour).
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let m = &report.methodology;
    let _ = writeln!(out, "{} — version {}", m.name, m.version);
    if let Some(base) = &m.extends {
        let _ = writeln!(out, "extends: {base}");
    }
    for s in &m.sources {
        let _ = writeln!(out, "source: {s}");
    }
    // The author's `display` clauses choose what a person reads; without any, show all.
    let any_display = report.columns.iter().any(|c| c.decimals.is_some());
    let columns: Vec<&Column> = report
        .columns
        .iter()
        .filter(|c| !any_display || c.decimals.is_some())
        .collect();
    let name_width = columns
        .iter()
        .map(|c| c.name.chars().count())
        .max()
        .unwrap_or(0);
    if let Some(headline) = report.units.first().and_then(|u| u.ranks.keys().next()) {
        ranking(&mut out, report, headline);
    }
    if !columns.is_empty() {
        let _ = writeln!(out, "\nValues");
        for unit in &report.units {
            let _ = writeln!(out, "  {}", unit.unit);
            let rows: Vec<(&Column, String)> = columns
                .iter()
                .filter_map(
                    |c| match (unit.values.get(&c.name), unit.errors.get(&c.name)) {
                        (Some(v), _) => Some((*c, show_number(v, c.decimals, c.rounding))),
                        (None, Some(e)) => Some((*c, format!("error: {e}"))),
                        (None, None) => None,
                    },
                )
                .collect();
            let value_width = rows
                .iter()
                .map(|(_, v)| v.chars().count())
                .max()
                .unwrap_or(0);
            for (c, shown) in rows {
                let rank = match unit.ranks.get(&c.name) {
                    Some(r) => format!("  rank {r:<3}"),
                    None if !unit.ranks.is_empty() => " ".repeat(11),
                    None => String::new(),
                };
                let label = c
                    .label
                    .as_deref()
                    .map(|l| format!("  {l}"))
                    .unwrap_or_default();
                let change = unit
                    .changes
                    .get(&c.name)
                    .map(|ch| change_text(ch, c))
                    .unwrap_or_default();
                let name = &c.name;
                let _ = writeln!(
                    out,
                    "    {name:<name_width$}  {shown:<value_width$}{rank}{change}{label}"
                );
            }
            for (name, note) in &unit.notes {
                let _ = writeln!(out, "    note: {name}: {note}");
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
        if matches!(f.status, Status::Fail | Status::Error | Status::Pass) && !f.evidence.is_empty()
        {
            let ev: Vec<String> = f
                .evidence
                .iter()
                .map(|(k, v)| {
                    let column = report.columns.iter().find(|c| &c.name == k);
                    let decimals = column.and_then(|c| c.decimals);
                    let rounding = column.map_or(Rounding::HalfUp, |c| c.rounding);
                    let shown = match v {
                        serde_json::Value::Null => "missing".to_string(),
                        serde_json::Value::Array(items) => {
                            let parts: Vec<String> = items
                                .iter()
                                .map(|i| show_number(i, None, Rounding::HalfUp))
                                .collect();
                            format!("[{}]", parts.join(", "))
                        }
                        other => show_number(other, decimals, rounding),
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

/// `  Δ +0.0123 (+1.5%), up 2` for a value's change since last year.
fn change_text(change: &super::compare::Change, column: &Column) -> String {
    let points = show_number(&change.points, column.decimals, column.rounding);
    let points = if points.starts_with('-') {
        points
    } else {
        format!("+{points}")
    };
    let percent = change
        .percent
        .as_ref()
        .map(|p| {
            let p = show_number(p, Some(1), Rounding::HalfUp);
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
    format!("  Δ {points}{percent}{places}")
}

/// The rank spreads of the first declared rank, in nominal rank order.
pub fn sensitivity(s: &crate::evaluate::sensitivity::SensitivityReport) -> String {
    let mut out = String::new();
    let Some((key, spreads)) = s.ranks.first() else {
        return out;
    };
    let vary = s
        .weights_vary
        .as_ref()
        .map(|v| format!("weights ±{}", percent(v)))
        .unwrap_or_default();
    let alternatives = if s.alternatives.is_empty() {
        String::new()
    } else {
        format!("normalisation among {}", s.alternatives.join(", "))
    };
    let what: Vec<String> = [vary, alternatives]
        .into_iter()
        .filter(|x| !x.is_empty())
        .collect();
    let _ = writeln!(
        out,
        "\nSensitivity of {key}: {} runs, seed {}, {}",
        s.runs,
        s.seed,
        what.join("; ")
    );
    let mut rows: Vec<_> = spreads.iter().collect();
    rows.sort_by(|a, b| a.rank.cmp(&b.rank).then_with(|| a.unit.cmp(&b.unit)));
    let width = rows
        .iter()
        .map(|r| r.unit.chars().count())
        .max()
        .unwrap_or(0);
    let _ = writeln!(
        out,
        "  {:>4}  {:<width$}  {:>6}  5–95%",
        "rank", "unit", "median"
    );
    for r in rows {
        let rank = r.rank.map_or("-".to_string(), |r| r.to_string());
        let _ = writeln!(
            out,
            "  {rank:>4}  {:<width$}  {:>6}  {}–{}",
            r.unit, r.median, r.p5, r.p95
        );
    }
    out
}

/// A fraction shown as a percentage: 0.25 → `25%`.
fn percent(v: &serde_json::Value) -> String {
    match crate::evaluate::parse_decimal(&v.to_string()) {
        Some(d) => format!("{}%", (d * rust_decimal::Decimal::ONE_HUNDRED).normalize()),
        None => v.to_string(),
    }
}

/// The units in rank order of `key`, with the ranked value.
fn ranking(out: &mut String, report: &Report, key: &str) {
    let mut rows: Vec<(usize, &str, String)> = report
        .units
        .iter()
        .filter_map(|u| {
            let rank = *u.ranks.get(key)?;
            let column = report.columns.iter().find(|c| c.name == key);
            let value = u.values.get(key).map_or_else(String::new, |v| {
                show_number(
                    v,
                    column.and_then(|c| c.decimals),
                    column.map_or(Rounding::HalfUp, |c| c.rounding),
                )
            });
            Some((rank, u.unit.as_str(), value))
        })
        .collect();
    rows.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)));
    let unit_width = rows.iter().map(|r| r.1.chars().count()).max().unwrap_or(0);
    let _ = writeln!(out, "\nRanking by {key}");
    for (rank, unit, value) in rows {
        let _ = writeln!(out, "  {rank:>4}  {unit:<unit_width$}  {value}");
    }
}

/// A JSON value for display, numbers rounded to `decimals` when given.
fn show_number(v: &serde_json::Value, decimals: Option<u32>, rounding: Rounding) -> String {
    match v {
        serde_json::Value::Number(n) => {
            let text = n.to_string();
            match (decimals, crate::evaluate::parse_decimal(&text)) {
                (Some(d), Some(x)) => crate::value::round(x, d, rounding).to_string(),
                _ => text,
            }
        }
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
