//! Rules and tests: a rule's clauses (`when`, `require`, severity, message with
//! placeholders, citation, target, `in force`), and `test` blocks with their given values
//! and expectations.

use std::sync::Arc;

use pest::iterators::Pair;
use rust_decimal::Decimal;

use super::ast::*;
use super::{Lower, Rule, ast, inner, unescape};
use crate::diagnostic::Diagnostic;
use crate::source::Loc;

impl Lower {
    pub(super) fn rule(&mut self, pair: Pair<'_, Rule>) -> ast::Rule {
        let fallback = self.placeholder_loc();
        let mut rule = ast::Rule {
            name: Ident {
                name: String::new(),
                loc: fallback,
            },
            label: Label::default(),
            severity: None,
            when: None,
            require: Vec::new(),
            message: None,
            cite: None,
            repeated: Vec::new(),
            in_force: None,
            target: None,
        };
        for p in inner(pair) {
            let loc = self.loc(&p);
            match p.as_rule() {
                Rule::ident => rule.name = self.ident(&p),
                Rule::label => rule.label = self.label(p),
                Rule::severity_clause => {
                    if rule.severity.is_some() {
                        rule.repeated.push(("severity", loc));
                        continue;
                    }
                    let sev = match inner(p).next().map(|s| s.as_str().to_string()).as_deref() {
                        Some("warning") => Severity::Warning,
                        Some("info") => Severity::Info,
                        _ => Severity::Error,
                    };
                    rule.severity = Some((sev, loc));
                }
                Rule::when_clause => {
                    if rule.when.is_some() {
                        rule.repeated.push(("when", loc));
                        continue;
                    }
                    if let Some(e) = inner(p).next() {
                        rule.when = Some(self.expr(e));
                    }
                }
                Rule::require_clause => {
                    if let Some(e) = inner(p).next() {
                        let e = self.expr(e);
                        rule.require.push(e);
                    }
                }
                Rule::message_clause => {
                    if rule.message.is_some() {
                        rule.repeated.push(("message", loc));
                        continue;
                    }
                    if let Some(s) = inner(p).next() {
                        let parts = self.message(&s);
                        rule.message = Some((parts, self.loc(&s)));
                    }
                }
                Rule::in_force_clause if rule.in_force.is_some() => {
                    rule.repeated.push(("in force", loc));
                }
                Rule::in_force_clause => rule.in_force = self.in_force(p),
                Rule::target_clause if rule.target.is_some() => {
                    rule.repeated.push(("by", loc));
                }
                Rule::target_clause => {
                    let mut parts = inner(p);
                    let (year, deadline) = match parts.next() {
                        Some(d) if d.as_rule() == Rule::date => {
                            match crate::date::parse(d.as_str()) {
                                Some(day) => (crate::date::civil_from_days(day).0, Some(day)),
                                None => {
                                    self.diags.push(
                                        Diagnostic::error(
                                            format!("`{}` is not a calendar date", d.as_str()),
                                            &self.loc(&d),
                                        )
                                        .with_label("no such day"),
                                    );
                                    (0, None)
                                }
                            }
                        }
                        Some(y) => (y.as_str().parse().unwrap_or(0), None),
                        None => (0, None),
                    };
                    let baseline = match (parts.next(), parts.next()) {
                        (Some(v), Some(y)) => {
                            Some((self.number(&v), y.as_str().parse().unwrap_or(0)))
                        }
                        _ => None,
                    };
                    rule.target = Some(ast::Target {
                        year,
                        deadline,
                        baseline,
                        loc,
                    });
                }
                Rule::cite_clause => {
                    if rule.cite.is_some() {
                        rule.repeated.push(("cite", loc));
                        continue;
                    }
                    if let Some(s) = inner(p).next() {
                        rule.cite = Some(self.string(&s));
                    }
                }
                _ => {}
            }
        }
        rule
    }

    /// Splits a message template into text and `{placeholders}`; placeholders keep their
    /// location so an unknown name is underlined inside the string.
    pub(super) fn message(&mut self, pair: &Pair<'_, Rule>) -> Vec<MessagePart> {
        let Some(raw_pair) = pair.clone().into_inner().next() else {
            return Vec::new();
        };
        let raw = raw_pair.as_str();
        let base = raw_pair.as_span().start();
        let mut parts = Vec::new();
        let mut text = String::new();
        let mut rest = raw;
        let mut offset = 0;
        while let Some(open) = rest.find('{') {
            text.push_str(rest.get(..open).unwrap_or(""));
            let after = rest.get(open + 1..).unwrap_or("");
            let Some(close) = after.find('}') else {
                let loc = Loc {
                    source: Arc::clone(&self.source),
                    range: base + offset + open..base + raw.len(),
                };
                self.diags.push(
                    Diagnostic::error("unclosed `{` in message", &loc)
                        .with_label("no matching `}`")
                        .with_help("quote a value as `{name}`; write `{{` for a literal brace"),
                );
                rest = "";
                break;
            };
            if after.starts_with('{') {
                text.push('{');
                offset += open + 2;
                rest = after.get(1..).unwrap_or("");
                continue;
            }
            let inside = after.get(..close).unwrap_or("");
            let start = base + offset + open + 1;
            let loc = Loc {
                source: Arc::clone(&self.source),
                range: start..start + inside.len(),
            };
            if !text.is_empty() {
                parts.push(MessagePart::Text(unescape(&std::mem::take(&mut text))));
            }
            let (name, decimals) = match inside.split_once(':') {
                Some((n, d)) => match d.trim().parse::<u32>() {
                    Ok(d) if d <= 28 => (n.trim(), Some(d)),
                    _ => {
                        self.diags.push(
                            Diagnostic::error(format!("`{d}` is not a number of decimals"), &loc)
                                .with_help("write `{name:2}` to show two decimals"),
                        );
                        (n.trim(), None)
                    }
                },
                None => (inside.trim(), None),
            };
            if name == "unit" {
                parts.push(MessagePart::Unit);
            } else {
                parts.push(MessagePart::Value {
                    name: Ident {
                        name: crate::data::names::nfc(name),
                        loc,
                    },
                    decimals,
                });
            }
            offset += open + 1 + close + 1;
            rest = after.get(close + 1..).unwrap_or("");
        }
        text.push_str(rest);
        if !text.is_empty() {
            parts.push(MessagePart::Text(unescape(&text.replace("}}", "}"))));
        }
        parts
    }

    pub(super) fn test(&mut self, pair: Pair<'_, Rule>) -> Test {
        let mut test = Test {
            name: Ident {
                name: String::new(),
                loc: self.placeholder_loc(),
            },
            given: Vec::new(),
            expect: Vec::new(),
        };
        for p in inner(pair) {
            let loc = self.loc(&p);
            match p.as_rule() {
                Rule::string => {
                    test.name = Ident {
                        name: self.string(&p),
                        loc,
                    }
                }
                Rule::given_clause => {
                    let mut parts = inner(p);
                    let unit = parts.next().map(|u| self.string(&u)).unwrap_or_default();
                    let mut fields = Vec::new();
                    for a in parts {
                        let mut kv = inner(a);
                        if let (Some(k), Some(v)) = (kv.next(), kv.next()) {
                            let key = self.ident(&k);
                            let value = self.primary(v);
                            fields.push((key, value));
                        }
                    }
                    test.given.push(Given { unit, fields, loc });
                }
                Rule::expect_clause => {
                    let Some(e) = inner(p).next() else { continue };
                    let rule = e.as_rule();
                    let mut parts = inner(e);
                    let (Some(name), Some(unit)) = (parts.next(), parts.next()) else {
                        continue;
                    };
                    let name = self.ident(&name);
                    let unit = self.string(&unit);
                    let kind = match rule {
                        Rule::expect_finding => Expected::Finding {
                            rule: name,
                            status: parts
                                .next()
                                .map(|s| s.as_str().to_string())
                                .unwrap_or_default(),
                        },
                        Rule::expect_rank => Expected::Rank {
                            key: name,
                            rank: parts
                                .next()
                                .and_then(|r| r.as_str().parse().ok())
                                .unwrap_or(0),
                        },
                        _ => {
                            let value = parts.next().map_or(Decimal::ZERO, |v| self.number(&v));
                            let (mut within, mut decimals) = (None, None);
                            if let Some(t) = parts.next() {
                                match t.as_rule() {
                                    Rule::tolerance => {
                                        within = inner(t).next().map(|n| self.number(&n))
                                    }
                                    _ => decimals = self.display(t).0,
                                }
                            }
                            Expected::Value {
                                name,
                                value,
                                within,
                                decimals,
                            }
                        }
                    };
                    test.expect.push(Expectation { kind, unit, loc });
                }
                _ => {}
            }
        }
        test
    }
}
