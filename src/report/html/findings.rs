//! The findings of the HTML report, grouped by rule, with status filters and a search box
//! (the filtering is done by the page's script; without it every finding shows).

use maud::{Markup, html};

use super::bi;
use crate::evaluate::Status;
use crate::report::display::status_word;
use crate::report::{Finding, Report};

fn count(findings: &[&Finding], status: Status) -> usize {
    findings.iter().filter(|f| f.status == status).count()
}

/// The findings section.
pub(super) fn section(report: &Report) -> Markup {
    let all: Vec<&Finding> = report.findings.iter().collect();
    let mut groups: Vec<(&str, Vec<&Finding>)> = Vec::new();
    for f in &report.findings {
        match groups.iter_mut().find(|(rule, _)| *rule == f.rule) {
            Some((_, list)) => list.push(f),
            None => groups.push((&f.rule, vec![f])),
        }
    }
    let statuses = [Status::Fail, Status::Error, Status::Pass, Status::Skip];
    html! {
        section #findings {
            h2 { (bi("Kết quả kiểm tra", "Findings")) }
            div.filters role="group" aria-label="Filter findings by status" {
                button type="button" data-filter="all" aria-pressed="true" {
                    (bi("Tất cả", "All")) " " span.count { (all.len()) }
                }
                @for s in statuses {
                    button type="button" class={ "badge " (status_word(s)) } data-filter=(status_word(s)) aria-pressed="false" {
                        (status_word(s)) " " span.count { (count(&all, s)) }
                    }
                }
                label.search {
                    (bi("Tìm", "Search")) " "
                    input #finding-search type="search" placeholder="unit, message…";
                }
                span.shown aria-live="polite" {}
            }
            @for (rule, list) in &groups {
                @let first = list.first();
                section.rule data-rule=(rule) {
                    h3 {
                        code { (rule) }
                        @if let Some(t) = first.and_then(|f| f.title.as_deref()) { " — " (t) }
                        @if let Some(f) = first {
                            " " span class={ "severity " (f.severity.keyword()) } { (f.severity.keyword()) }
                        }
                    }
                    @if let Some(cite) = first.and_then(|f| f.cite.as_deref()) {
                        p.cite { (bi("Căn cứ: ", "Cite: ")) " " (cite) }
                    }
                    p.tally {
                        @for s in statuses {
                            @let n = count(list, s);
                            @if n > 0 { span class={ "badge " (status_word(s)) } { (n) " " (status_word(s)) } " " }
                        }
                    }
                    table.findings {
                        thead {
                            tr {
                                th { (bi("Trạng thái", "Status")) }
                                th { (bi("Đơn vị", "Unit")) }
                                th { (bi("Nội dung", "Message")) }
                                th { (bi("Căn cứ số liệu", "Evidence")) }
                            }
                        }
                        tbody {
                            @for f in list {
                                tr data-status=(status_word(f.status)) {
                                    td { span class={ "badge " (status_word(f.status)) } { (status_word(f.status)) } }
                                    td.unit { (f.unit) }
                                    td.message { (f.message) }
                                    td.evidence {
                                        @if !f.evidence.is_empty() {
                                            ul {
                                                @for (k, v) in &f.evidence {
                                                    li { code { (k) } " = " (report.evidence_text(f, k, v)) }
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
    }
}
