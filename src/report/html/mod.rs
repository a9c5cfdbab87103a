//! The HTML report: one self-contained page an auditor hands to a department head.
//!
//! Everything is inline — the style sheet, a small script (sortable tables, the findings
//! filter, details opened for printing) and the charts, drawn here as SVG — and a
//! Content-Security-Policy forbids the page any network access, so it works opened from
//! disk, offline, and printed to PDF.
//!
//! The markup is written with `maud`, which escapes every interpolated value: unit names,
//! messages, labels and evidence can hold `<script>` and stay text. Numbers are shown as
//! the text report shows them ([`super::display`]): declared display precision, percents
//! as percents, published figures with their digits; SVG coordinates are floats, the
//! numbers printed beside them are not.

mod charts;
mod findings;
mod units;

use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::display::plural;
use super::{Report, RunContext, UnitReport};

const STYLE: &str = include_str!("report.css");
const SCRIPT: &str = include_str!("report.js");

/// No network, no plug-ins: inline styles, scripts and images only.
const POLICY: &str =
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:";

/// Renders `report` as one HTML page.
pub fn render(report: &Report, context: &RunContext) -> String {
    let m = &report.methodology;
    let title = format!("{} — {}", m.name, m.version);
    let ranking = Ranking::of(report);
    let page = html! {
        (DOCTYPE)
        html lang="vi" {
            head {
                meta charset="utf-8";
                meta http-equiv="Content-Security-Policy" content=(POLICY);
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="generator" content="chiso";
                title { (title) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                (header(report, context))
                nav.toc aria-label="Contents" {
                    a href="#summary" { (bi("Tóm tắt", "Summary")) }
                    @if ranking.is_some() {
                        a href="#ranking" { (bi("Xếp hạng", "Ranking")) }
                        a href="#charts" { (bi("Biểu đồ", "Charts")) }
                    }
                    @if report.sensitivity.is_some() {
                        a href="#sensitivity" { (bi("Độ nhạy", "Sensitivity")) }
                    }
                    @if !report.findings.is_empty() {
                        a href="#findings" { (bi("Kết quả kiểm tra", "Findings")) }
                    }
                    @if !report.units.is_empty() {
                        a href="#units" { (bi("Đơn vị", "Units")) }
                    }
                }
                main {
                    (summary(report))
                    @if let Some(r) = &ranking {
                        (ranking_table(report, r))
                        (charts::section(report, r))
                    }
                    @if let Some(s) = &report.sensitivity {
                        (charts::sensitivity(report, s))
                    }
                    @if !report.findings.is_empty() {
                        (findings::section(report))
                    }
                    @if !report.units.is_empty() {
                        (units::section(report, ranking.as_ref()))
                    }
                }
                footer {
                    p {
                        "chiso — "
                        (bi("số liệu đầy đủ trong --format json", "every digit is in --format json"))
                    }
                }
                script { (PreEscaped(SCRIPT)) }
            }
        }
    };
    page.into_string()
}

/// `Tiếng Việt / English`: a heading of the page in both languages.
pub(crate) fn bi(vi: &str, en: &str) -> Markup {
    html! {
        span.vi { (vi) }
        span.en lang="en" { (en) }
    }
}

/// The declared label of `name`: Vietnamese first, English when declared; the name when
/// nothing is declared.
pub(crate) fn label(report: &Report, name: &str) -> Markup {
    let declared = report.labels.get(name);
    let primary = declared.and_then(|l| l.primary.as_deref());
    let secondary = declared.and_then(|l| l.secondary.as_deref());
    html! {
        @match primary {
            Some(p) => {
                span.vi { (p) }
                @if let Some(s) = secondary {
                    span.en lang="en" { (s) }
                }
            }
            None => code { (name) }
        }
    }
}

/// The value `name` of `unit` as the report shows it, and its exact digits for sorting.
pub(crate) fn shown(report: &Report, unit: &UnitReport, name: &str) -> Option<(String, String)> {
    let v = unit.values.get(name)?;
    let exact = match v {
        serde_json::Value::Number(n) => n.to_string(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    Some((report.format_of(name).json(v), exact))
}

fn header(report: &Report, context: &RunContext) -> Markup {
    let m = &report.methodology;
    html! {
        header.page {
            h1 { (m.name) }
            dl.facts {
                dt { (bi("Phiên bản", "Version")) }
                dd { (m.version) }
                @if let Some(base) = &m.extends {
                    dt { (bi("Kế thừa", "Extends")) }
                    dd { (base) }
                }
                @if let Some(unit) = &m.unit {
                    dt { (bi("Đơn vị đánh giá", "Unit assessed")) }
                    dd { (unit) }
                }
                @if !m.sources.is_empty() {
                    dt { (bi("Căn cứ", "Source")) }
                    dd { @for s in &m.sources { span.item { (s) } } }
                }
                @if !context.data_files.is_empty() {
                    dt { (bi("Dữ liệu", "Data files")) }
                    dd { @for f in &context.data_files { code.item { (f) } } }
                }
                @if let Some(previous) = &report.previous_version {
                    dt { (bi("So sánh với", "Compared with")) }
                    dd {
                        @if let Some(file) = &context.previous_file { code { (file) } " " }
                        "(" (bi("tính theo phiên bản", "computed with version")) " " (previous) ")"
                    }
                }
                @if let Some(when) = &context.generated {
                    dt { (bi("Thời điểm chạy", "Run at")) }
                    dd { time { (when) } }
                }
            }
        }
    }
}

fn summary(report: &Report) -> Markup {
    let s = &report.summary;
    let cards: [(&str, &str, &str, usize); 4] = [
        ("pass", "Đạt", "passed", s.passed),
        ("fail", "Không đạt", "failed", s.failed),
        ("error", "Không xác định", "could not be decided", s.errors),
        ("skip", "Không áp dụng", "did not apply", s.skipped),
    ];
    html! {
        section #summary {
            h2 { (bi("Tóm tắt", "Summary")) }
            p.counts {
                strong { (plural(s.units, "unit", "units")) } " · "
                strong { (plural(s.rules, "rule", "rules")) } " · "
                (plural(report.findings.len(), "finding", "findings"))
                @if s.failed_errors > 0 {
                    " · "
                    strong.bad { (s.failed_errors) " failed of severity error" }
                }
            }
            ul.cards {
                @for (status, vi, en, n) in cards {
                    li class={ "card " (status) } {
                        span.n { (n) }
                        span.what { (bi(vi, en)) }
                    }
                }
            }
        }
    }
}

/// The ranking the page is built around: the first declared rank, the units in its
/// order (unranked last), and the scores beneath it.
pub(crate) struct Ranking<'a> {
    /// The rank key (also the ranked value's name).
    pub key: String,
    /// Units in rank order, each with its rank.
    pub order: Vec<(Option<usize>, &'a UnitReport)>,
    /// The members of the ranked score that have values: its pillars.
    pub pillars: Vec<String>,
}

impl<'a> Ranking<'a> {
    fn of(report: &'a Report) -> Option<Self> {
        let key = report
            .units
            .iter()
            .find_map(|u| u.ranks.keys().next())?
            .clone();
        let mut order: Vec<(Option<usize>, &UnitReport)> = report
            .units
            .iter()
            .map(|u| (u.ranks.get(&key).copied(), u))
            .collect();
        order.sort_by(|a, b| match (a.0, b.0) {
            (Some(x), Some(y)) => x.cmp(&y).then_with(|| a.1.unit.cmp(&b.1.unit)),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        });
        let pillars = report
            .components
            .get(&key)
            .map(|members| {
                members
                    .iter()
                    .filter(|m| report.units.iter().any(|u| u.values.contains_key(*m)))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        Some(Self {
            key,
            order,
            pillars,
        })
    }
}

/// The scores shown beside the ranked value: every score with a value, the ranked one
/// first.
pub(crate) fn score_columns(report: &Report, key: &str) -> Vec<String> {
    report
        .columns
        .iter()
        .filter(|c| c.kind == crate::compile::SlotKind::Score && c.name != key)
        .filter(|c| report.units.iter().any(|u| u.values.contains_key(&c.name)))
        .map(|c| c.name.clone())
        .collect()
}

fn ranking_table(report: &Report, ranking: &Ranking<'_>) -> Markup {
    let key = &ranking.key;
    let others = score_columns(report, key);
    let changed = report.units.iter().any(|u| u.changes.contains_key(key));
    let index_of = |u: &UnitReport| {
        report
            .units
            .iter()
            .position(|x| std::ptr::eq(x, u))
            .unwrap_or(0)
    };
    html! {
        section #ranking {
            h2 { (bi("Xếp hạng", "Ranking")) " " code { (key) } }
            p.hint {
                (bi("Bấm vào tiêu đề cột để sắp xếp.", "Click a column heading to sort."))
            }
            div.scroll {
                table.sortable.ranking #ranking-table {
                    thead {
                        tr {
                            th data-type="number" aria-sort="ascending" { (bi("Hạng", "Rank")) }
                            th data-type="text" { (bi("Đơn vị", "Unit")) }
                            th data-type="number" data-first="descending" title=(key) { (label(report, key)) }
                            @if changed {
                                th.rank data-type="number" data-first="descending" { (bi("Thay đổi", "Change")) }
                                th.rank data-type="number" data-first="descending" { (bi("Bậc", "Places")) }
                            }
                            @for name in &others {
                                th data-type="number" data-first="descending" title=(name) { (label(report, name)) }
                                @if report.units.iter().any(|u| u.ranks.contains_key(name)) {
                                    th.rank data-type="number" { (bi("Hạng", "Rank")) }
                                }
                            }
                        }
                    }
                    tbody {
                        @for (rank, unit) in &ranking.order {
                            tr {
                                td.num data-sort=(rank.map(|r| r.to_string()).unwrap_or_default()) {
                                    (rank.map_or("–".to_string(), |r| r.to_string()))
                                }
                                td data-sort=(unit.unit) {
                                    a href={ "#unit-" (index_of(unit)) } { (unit.unit) }
                                }
                                (value_cell(report, unit, key))
                                @if changed {
                                    @let change = unit.changes.get(key);
                                    td.num data-sort=(change.map(|c| c.points.to_string()).unwrap_or_default()) {
                                        (change.map(|c| signed(&report.format_of(key).json_difference(&c.points))).unwrap_or_default())
                                    }
                                    td.num data-sort=(change.and_then(|c| c.places).map(|p| p.to_string()).unwrap_or_default()) {
                                        (change.and_then(|c| c.places).map(places).unwrap_or_default())
                                    }
                                }
                                @for name in &others {
                                    (value_cell(report, unit, name))
                                    @if report.units.iter().any(|u| u.ranks.contains_key(name)) {
                                        @let r = unit.ranks.get(name);
                                        td.num.rank data-sort=(r.map(|r| r.to_string()).unwrap_or_default()) {
                                            (r.map(|r| r.to_string()).unwrap_or_default())
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn value_cell(report: &Report, unit: &UnitReport, name: &str) -> Markup {
    match shown(report, unit, name) {
        Some((text, exact)) => html! { td.num data-sort=(exact) { (text) } },
        None => match unit.errors.get(name) {
            Some(e) => html! { td.num.missing data-sort="" title=(e) { "error" } },
            None => html! { td.num.missing data-sort="" { "–" } },
        },
    }
}

/// `+0.0123` / `-0.0123`.
pub(crate) fn signed(text: &str) -> String {
    if text.starts_with('-') {
        text.replacen('-', "−", 1)
    } else {
        format!("+{text}")
    }
}

/// `▲ 2`, `▼ 3`, `=`.
pub(crate) fn places(p: i64) -> String {
    match p {
        0 => "=".to_string(),
        p if p > 0 => format!("▲ {p}"),
        p => format!("▼ {}", -p),
    }
}
