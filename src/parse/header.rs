//! The file and its header: items in order (with their spans, for the formatter), the
//! `methodology` header and labels, `in force` periods, `replace`-able declarations,
//! `hooks` and `sensitivity`.

use std::sync::Arc;

use pest::iterators::{Pair, Pairs};

use super::ast::*;
use super::{Lower, Rule, inner};
use crate::diagnostic::Diagnostic;
use crate::source::Loc;

impl Lower {
    pub(super) fn file(&mut self, mut pairs: Pairs<'_, Rule>) -> File {
        let mut file = File {
            header: None,
            items: Vec::new(),
            spans: Vec::new(),
        };
        let Some(top) = pairs.next() else {
            return file;
        };
        for pair in inner(top) {
            if pair.as_rule() != Rule::EOI {
                file.spans
                    .push(pair.as_span().start()..pair.as_span().end());
            }
            match pair.as_rule() {
                Rule::header => file.header = Some(self.header(pair)),
                Rule::constant_decl => {
                    let c = self.constant(pair);
                    file.items.push(Item::Constant(c));
                }
                Rule::input_decl => {
                    let i = self.input(pair);
                    file.items.push(Item::Input(i));
                }
                Rule::indicator_decl => {
                    let i = self.indicator(pair);
                    file.items.push(Item::Indicator(i));
                }
                Rule::score_decl => {
                    let s = self.score(pair);
                    file.items.push(Item::Score(s));
                }
                Rule::rule_decl => {
                    let r = self.rule(pair);
                    file.items.push(Item::Rule(r));
                }
                Rule::rank_decl => {
                    let (spec, key) = self.rank_spec(inner(pair));
                    file.items.push(Item::Rank(RankDecl {
                        column: spec.column.clone(),
                        spec,
                        key,
                    }));
                }
                Rule::sensitivity_decl => {
                    let sens = self.sensitivity(pair);
                    file.items.push(Item::Sensitivity(sens));
                }
                Rule::hooks_decl => {
                    let hooks = self.hooks(pair);
                    file.items.push(Item::Hooks(hooks));
                }
                Rule::test_decl => {
                    let test = self.test(pair);
                    file.items.push(Item::Test(test));
                }
                Rule::alias_decl => {
                    let item = self.alias(pair);
                    file.items.push(item);
                }
                Rule::aliases_decl => {
                    let item = self.alias_file(pair);
                    file.items.push(item);
                }
                Rule::holidays_decl => {
                    let start = pair.as_span().start();
                    let keyword = Ident {
                        name: "holidays".into(),
                        loc: Loc {
                            source: Arc::clone(&self.source),
                            range: start..start + "holidays".len(),
                        },
                    };
                    let mut days = Vec::new();
                    let mut working = Vec::new();
                    for d in inner(pair) {
                        if d.as_rule() == Rule::working_clause {
                            for w in inner(d) {
                                if let ExprKind::Date(day) = self.primary(w).kind {
                                    working.push(day);
                                }
                            }
                        } else if let ExprKind::Date(day) = self.primary(d).kind {
                            days.push(day);
                        }
                    }
                    file.items.push(Item::Holidays(Holidays {
                        keyword,
                        days,
                        working,
                    }));
                }
                Rule::remove_decl => {
                    let mut parts = inner(pair);
                    let kind = parts
                        .next()
                        .map(|k| k.as_str().to_string())
                        .unwrap_or_default();
                    if let Some(name) = parts.next() {
                        let name = self.ident(&name);
                        file.items.push(Item::Remove(Remove { kind, name }));
                    }
                }
                Rule::replace_decl => {
                    if let Some(decl) = inner(pair).next()
                        && let Some(item) = self.declaration(decl)
                    {
                        file.items.push(Item::Replace(Box::new(item)));
                    }
                }
                _ => {}
            }
        }
        file
    }

    pub(super) fn header(&mut self, pair: Pair<'_, Rule>) -> Header {
        let loc = self.loc(&pair);
        let mut header = Header {
            name: String::new(),
            version: String::new(),
            unit: None,
            unit_key: None,
            sources: Vec::new(),
            extends: None,
            dated_by: None,
            in_force: None,
            reading: DataReading::default(),
            loc,
        };
        for p in inner(pair) {
            match p.as_rule() {
                Rule::string => header.name = self.string(&p),
                Rule::version => header.version = p.as_str().to_string(),
                Rule::unit_clause => {
                    for q in inner(p) {
                        match q.as_rule() {
                            Rule::ident => header.unit = Some(self.ident(&q)),
                            Rule::string => header.unit_key = Some(self.string(&q)),
                            _ => {}
                        }
                    }
                }
                Rule::source_clause => {
                    if let Some(q) = inner(p).next() {
                        let s = self.string(&q);
                        header.sources.push(s);
                    }
                }
                Rule::dated_clause => header.dated_by = inner(p).next().map(|i| self.ident(&i)),
                Rule::in_force_clause => header.in_force = self.in_force(p),
                Rule::extends_clause => {
                    if let Some(q) = inner(p).next() {
                        let loc = self.loc(&q);
                        header.extends = Some((self.string(&q), loc));
                    }
                }
                _ => {
                    self.data_reading(&mut header.reading, p);
                }
            }
        }
        header
    }

    pub(super) fn label(&mut self, pair: Pair<'_, Rule>) -> Label {
        let mut strings = inner(pair)
            .map(|p| self.string(&p))
            .collect::<Vec<_>>()
            .into_iter();
        Label {
            primary: strings.next(),
            secondary: strings.next(),
        }
    }

    /// `in force from D [until D]`.
    pub(super) fn in_force(&mut self, pair: Pair<'_, Rule>) -> Option<(i32, Option<i32>)> {
        let mut dates = inner(pair).map(|d| match self.primary(d).kind {
            ExprKind::Date(day) => day,
            _ => 0,
        });
        let from = dates.next()?;
        Some((from, dates.next()))
    }

    /// A declaration that `replace` may wrap.
    pub(super) fn declaration(&mut self, pair: Pair<'_, Rule>) -> Option<Item> {
        Some(match pair.as_rule() {
            Rule::constant_decl => Item::Constant(self.constant(pair)),
            Rule::input_decl => Item::Input(self.input(pair)),
            Rule::indicator_decl => Item::Indicator(self.indicator(pair)),
            Rule::score_decl => Item::Score(self.score(pair)),
            Rule::rule_decl => Item::Rule(self.rule(pair)),
            Rule::rank_decl => {
                let (spec, key) = self.rank_spec(inner(pair));
                Item::Rank(RankDecl {
                    column: spec.column.clone(),
                    spec,
                    key,
                })
            }
            _ => return None,
        })
    }

    pub(super) fn hooks(&mut self, pair: Pair<'_, Rule>) -> Hooks {
        let start = pair.as_span().start();
        let mut out = Hooks {
            keyword: Ident {
                name: "hooks".into(),
                loc: Loc {
                    source: Arc::clone(&self.source),
                    range: start..start + "hooks".len(),
                },
            },
            scripts: Vec::new(),
            limits: Vec::new(),
        };
        for p in inner(pair) {
            match p.as_rule() {
                Rule::string => {
                    let loc = self.loc(&p);
                    let path = self.string(&p);
                    out.scripts.push((path, loc));
                }
                Rule::limits_clause => {
                    for limit in inner(p) {
                        let loc = self.loc(&limit);
                        let mut parts = inner(limit);
                        let name = parts
                            .next()
                            .map(|n| n.as_str().to_string())
                            .unwrap_or_default();
                        match parts.next().map(|v| v.as_str().parse::<u64>()) {
                            Some(Ok(v)) => out.limits.push((name, v, loc)),
                            _ => self.diags.push(
                                Diagnostic::error(
                                    format!("the `{name}` limit is not a whole number that fits"),
                                    &loc,
                                )
                                .with_label("too large"),
                            ),
                        }
                    }
                }
                _ => {}
            }
        }
        out
    }

    pub(super) fn sensitivity(&mut self, pair: Pair<'_, Rule>) -> Sensitivity {
        let keyword_loc = Loc {
            source: Arc::clone(&self.source),
            range: pair.as_span().start()..pair.as_span().start() + "sensitivity".len(),
        };
        let mut out = Sensitivity {
            keyword: Ident {
                name: "sensitivity".into(),
                loc: keyword_loc,
            },
            weights_vary: None,
            alternatives: Vec::new(),
        };
        for p in inner(pair) {
            match p.as_rule() {
                Rule::weights_vary => {
                    if let Some(n) = inner(p).next() {
                        out.weights_vary = Some((self.number(&n), self.loc(&n)));
                    }
                }
                Rule::alternatives => {
                    for m in inner(p) {
                        let method = self.method(m);
                        out.alternatives.push(method);
                    }
                }
                _ => {}
            }
        }
        out
    }
}
