//! One collapsible section per unit: its values with rank and change, its notes, and the
//! explain tree beneath its values (collapsible, level by level).

use maud::{Markup, html};

use super::{Ranking, bi, label, places, shown, signed};
use crate::report::display::{at_most, json_decimal};
use crate::report::explain::{ExplainNode, TEXT_DECIMALS, round_numbers_in};
use crate::report::{Report, UnitReport};

/// The units section.
pub(super) fn section(report: &Report, ranking: Option<&Ranking<'_>>) -> Markup {
    let order: Vec<&UnitReport> = match ranking {
        Some(r) => r.order.iter().map(|(_, u)| *u).collect(),
        None => report.units.iter().collect(),
    };
    let index_of = |u: &UnitReport| {
        report
            .units
            .iter()
            .position(|x| std::ptr::eq(x, u))
            .unwrap_or(0)
    };
    html! {
        section #units {
            h2 { (bi("Đơn vị", "Units")) }
            @if report.explanations.is_empty() {
                p.hint { (bi("Mỗi đơn vị: các giá trị, thứ hạng và thay đổi.", "Each unit: its values, ranks and changes.")) }
            } @else {
                p.hint {
                    (bi("Mỗi đơn vị: các giá trị và cây giải thích (bấm để mở).",
                        "Each unit: its values and the tree beneath them (click to open)."))
                }
            }
            @for unit in order {
                (unit_section(report, unit, index_of(unit), ranking.map(|r| r.key.as_str())))
            }
        }
    }
}

fn unit_section(report: &Report, unit: &UnitReport, index: usize, key: Option<&str>) -> Markup {
    let headline = key.and_then(|k| Some((unit.ranks.get(k)?, shown(report, unit, k)?.0)));
    let explanation = report.explanations.iter().find(|e| e.unit == unit.unit);
    let changed = !unit.changes.is_empty();
    html! {
        details.unit id={ "unit-" (index) } {
            summary {
                strong { (unit.unit) }
                @if let Some((rank, value)) = &headline {
                    " — " (bi("hạng", "rank")) " " (rank) " · " (value)
                }
                @if !unit.errors.is_empty() {
                    " " span.badge.error { (unit.errors.len()) " error" }
                }
            }
            @if !unit.values.is_empty() || !unit.errors.is_empty() {
                table.values {
                    thead {
                        tr {
                            th { (bi("Giá trị", "Value")) }
                            th { (bi("Số liệu", "Figure")) }
                            th { (bi("Hạng", "Rank")) }
                            @if changed { th { (bi("Thay đổi", "Change")) } }
                        }
                    }
                    tbody {
                        @for c in &report.columns {
                            @let name = c.name.as_str();
                            @if unit.values.contains_key(name) || unit.errors.contains_key(name) {
                                tr {
                                    th scope="row" { (label(report, name)) " " code.name { (name) } }
                                    @match (shown(report, unit, name), unit.errors.get(name)) {
                                        (Some((text, _)), _) => td.num { (text) },
                                        (None, Some(e)) => td.error { "error: " (e) },
                                        (None, None) => td {},
                                    }
                                    td.num { (unit.ranks.get(name).map(|r| r.to_string()).unwrap_or_default()) }
                                    @if changed {
                                        td.num {
                                            @if let Some(ch) = unit.changes.get(name) {
                                                (signed(&report.format_of(name).json_difference(&ch.points)))
                                                @if let Some(p) = ch.places { " (" (places(p)) ")" }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if !unit.notes.is_empty() {
                ul.notes {
                    @for (name, note) in &unit.notes {
                        li { code { (name) } ": " (note) }
                    }
                }
            }
            @if let Some(e) = explanation {
                div.explain {
                    h4 { (bi("Cây giải thích", "Explanation")) }
                    ul.tree {
                        @for node in &e.nodes {
                            (tree(report, node, 0))
                        }
                    }
                }
            }
        }
    }
}

fn tree(report: &Report, node: &ExplainNode, depth: usize) -> Markup {
    let value = match (&node.value, &node.error) {
        (serde_json::Value::Null, Some(e)) => format!("error: {e}"),
        (v, _) => report.format_of(&node.name).json(v),
    };
    let short =
        |v: &serde_json::Value| json_decimal(v).map_or_else(|| v.to_string(), |d| at_most(d, 4));
    let line = html! {
        span.node {
            code.name { (node.name) } " "
            @if report.labels.get(&node.name).is_some_and(|l| l.primary.is_some()) {
                span.label { (label(report, &node.name)) } " "
            }
            span.kind { (node.kind) } " "
            strong.value { (value) }
            @if let Some(w) = &node.weight { " " span.weight { "weight " (short(w)) } }
            @if let Some(c) = &node.contribution { " " span.weight { "contributes " (short(c)) } }
            @if let Some(how) = &node.how { " " span.how { "= " (round_numbers_in(how, TEXT_DECIMALS)) } }
        }
    };
    html! {
        li {
            @if node.children.is_empty() {
                (line)
            } @else {
                details open[depth == 0] {
                    summary { (line) }
                    ul {
                        @for child in &node.children {
                            (tree(report, child, depth + 1))
                        }
                    }
                }
            }
        }
    }
}
