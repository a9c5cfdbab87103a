//! Declarations: constants, inputs (types, bounds, display), indicators and scores, with
//! the normalisation and ranking methods they use.

use pest::iterators::Pair;
use rust_decimal::Decimal;

use super::ast::*;
use super::{Lower, Rule, audit, composite, inner};
use crate::diagnostic::Diagnostic;
use crate::source::Loc;

impl Lower {
    pub(super) fn constant(&mut self, pair: Pair<'_, Rule>) -> Constant {
        let mut name = None;
        let mut value = None;
        let mut label = Label::default();
        for p in inner(pair) {
            match p.as_rule() {
                Rule::ident => name = Some(self.ident(&p)),
                Rule::label => label = self.label(p),
                _ => value = Some(self.primary(p)),
            }
        }
        let fallback = self.placeholder_loc();
        let name = name.unwrap_or_else(|| Ident {
            name: String::new(),
            loc: fallback.clone(),
        });
        Constant {
            value: value.unwrap_or(Expr {
                kind: ExprKind::Bool(false),
                loc: fallback,
            }),
            name,
            label,
        }
    }

    pub(super) fn input(&mut self, pair: Pair<'_, Rule>) -> Input {
        let fallback = self.placeholder_loc();
        let mut input = Input {
            name: Ident {
                name: String::new(),
                loc: fallback.clone(),
            },
            ty: InputType::Number,
            ty_loc: fallback,
            bounds: Vec::new(),
            optional: false,
            required: false,
            default: None,
            field: None,
            label: Label::default(),
            list: None,
            rounding: None,
            fraction: None,
            repeated: Vec::new(),
        };
        let mut seen: Vec<Rule> = Vec::new();
        for p in inner(pair) {
            let clause = match p.as_rule() {
                Rule::required => Some("`required`"),
                Rule::optional => Some("`optional`"),
                Rule::default_clause => Some("`default`"),
                Rule::from_clause => Some("`from`"),
                Rule::input_rounding => Some("`rounded`"),
                Rule::as_fraction => Some("`as fraction`"),
                Rule::label => Some("its label"),
                _ => None,
            };
            if let Some(clause) = clause {
                // The first stays in force; a repeat is kept only to be reported (and
                // written back by `fmt`, so the author sees both).
                if seen.contains(&p.as_rule()) {
                    input.repeated.push((clause, self.loc(&p)));
                    continue;
                }
                seen.push(p.as_rule());
            }
            match p.as_rule() {
                Rule::ident => input.name = self.ident(&p),
                Rule::list_type => {
                    input.ty_loc = self.loc(&p);
                    input.ty = InputType::Text;
                    let Some(elements) = inner(p).next() else {
                        continue;
                    };
                    input.list = Some(match elements.as_rule() {
                        Rule::record_type => {
                            let mut fields = Vec::new();
                            for f in inner(elements) {
                                let mut parts = inner(f);
                                let (Some(name), Some(ty)) = (parts.next(), parts.next()) else {
                                    continue;
                                };
                                fields.push(FieldDecl {
                                    name: self.ident(&name),
                                    ty: input_type(ty.as_str()),
                                    optional: parts.next().is_some(),
                                });
                            }
                            ListOf::Records(fields)
                        }
                        _ => ListOf::Values(input_type(elements.as_str())),
                    });
                }
                Rule::type_name => {
                    input.ty_loc = self.loc(&p);
                    input.ty = input_type(p.as_str());
                }
                Rule::compare_bound => {
                    let loc = self.loc(&p);
                    let mut parts = inner(p);
                    let op = match parts.next().map(|o| o.as_str()) {
                        Some(">=" | "≥") => BoundOp::Ge,
                        Some(">") => BoundOp::Gt,
                        Some("<=" | "≤") => BoundOp::Le,
                        _ => BoundOp::Lt,
                    };
                    let value = parts.next().map_or(Decimal::ZERO, |n| self.number(&n));
                    input.bounds.push(Bound { op, value, loc });
                }
                Rule::range_bound => {
                    let loc = self.loc(&p);
                    let mut parts = inner(p);
                    let lo = parts.next().map_or(Decimal::ZERO, |n| self.number(&n));
                    let hi = parts.next().map_or(Decimal::ZERO, |n| self.number(&n));
                    input.bounds.push(Bound {
                        op: BoundOp::Ge,
                        value: lo,
                        loc: loc.clone(),
                    });
                    input.bounds.push(Bound {
                        op: BoundOp::Le,
                        value: hi,
                        loc,
                    });
                }
                Rule::required => input.required = true,
                Rule::optional => input.optional = true,
                Rule::default_clause => {
                    if let Some(v) = inner(p).next() {
                        input.default = Some(self.primary(v));
                    }
                }
                Rule::from_clause => {
                    if let Some(v) = inner(p).next() {
                        input.field = Some(self.string(&v));
                    }
                }
                Rule::input_rounding => {
                    input.rounding = inner(p).last().map(|r| audit::rounding(r.as_str()));
                }
                Rule::as_fraction => input.fraction = Some(self.loc(&p)),
                Rule::label => input.label = self.label(p),
                _ => {}
            }
        }
        input
    }

    pub(super) fn display(&mut self, pair: Pair<'_, Rule>) -> (Option<u32>, Rounding) {
        let mut parts = inner(pair);
        let Some(n) = parts.next() else {
            return (None, Rounding::HalfUp);
        };
        let rounding = match parts.next().map(|r| r.as_str().to_string()).as_deref() {
            Some("half-even") => Rounding::HalfEven,
            Some("down") => Rounding::Down,
            _ => Rounding::HalfUp,
        };
        match n.as_str().parse::<u32>() {
            Ok(d) if d <= 28 => (Some(d), rounding),
            _ => {
                let loc = self.loc(&n);
                self.diags.push(
                    Diagnostic::error(format!("cannot display `{}` decimals", n.as_str()), &loc)
                        .with_label("at most 28"),
                );
                (None, rounding)
            }
        }
    }

    pub(super) fn method(&mut self, pair: Pair<'_, Rule>) -> (Method, Loc) {
        let loc = self.loc(&pair);
        let Some(m) = inner(pair).next() else {
            return (Method::Max, loc);
        };
        let method = match m.as_rule() {
            Rule::m_minmax => Method::MinMax,
            Rule::m_zscore => Method::ZScore,
            Rule::m_percentile => Method::Percentile,
            Rule::m_rank => Method::Rank,
            Rule::m_goalposts => {
                let mut bounds = inner(m);
                let lo = bounds.next().map_or(Decimal::ZERO, |b| self.number(&b));
                let hi = bounds.next().map_or(Decimal::ONE, |b| self.number(&b));
                Method::Goalposts(lo, hi)
            }
            Rule::m_distance => {
                let unit = inner(m).next().map(|u| self.string(&u)).unwrap_or_default();
                Method::Distance(unit)
            }
            Rule::hook_name => Method::Hook(
                inner(m)
                    .next()
                    .map(|n| n.as_str().to_string())
                    .unwrap_or_default(),
            ),
            _ => match self.composite_method(m) {
                Some(n) => Method::Composite(n),
                None => Method::Max,
            },
        };
        (method, loc)
    }

    /// The condition of an `among` clause.
    pub(super) fn cohort(&mut self, pair: Pair<'_, Rule>) -> Option<Expr> {
        inner(pair).next().map(|e| self.expr(e))
    }

    pub(super) fn rank_spec<'i>(
        &mut self,
        pairs: impl Iterator<Item = Pair<'i, Rule>>,
    ) -> (RankSpec, Option<Ident>) {
        let fallback = self.placeholder_loc();
        let mut spec = RankSpec {
            column: Ident {
                name: String::new(),
                loc: fallback,
            },
            ascending: false,
            rounded: None,
            cohort: None,
            group: None,
        };
        let mut key = None;
        let mut seen_column = false;
        for p in pairs {
            match p.as_rule() {
                Rule::ident if !seen_column => {
                    spec.column = self.ident(&p);
                    seen_column = true;
                }
                Rule::ident => key = Some(self.ident(&p)),
                Rule::order => spec.ascending = p.as_str() == "ascending",
                Rule::rounded => spec.rounded = self.display(p).0,
                Rule::cohort => spec.cohort = self.cohort(p),
                Rule::rank_group => spec.group = inner(p).next().map(|g| self.ident(&g)),
                _ => {}
            }
        }
        (spec, key)
    }

    pub(super) fn normalise(&mut self, pair: Pair<'_, Rule>) -> Normalise {
        let fallback = self.placeholder_loc();
        let mut n = Normalise {
            column: Ident {
                name: String::new(),
                loc: fallback.clone(),
            },
            method: Method::Max,
            method_loc: fallback,
            lower_is_better: false,
            cohort: None,
        };
        for p in inner(pair) {
            match p.as_rule() {
                Rule::ident => n.column = self.ident(&p),
                Rule::method => (n.method, n.method_loc) = self.method(p),
                Rule::direction => n.lower_is_better = p.as_str().starts_with("lower"),
                Rule::cohort => n.cohort = self.cohort(p),
                _ => {}
            }
        }
        n
    }

    pub(super) fn indicator(&mut self, pair: Pair<'_, Rule>) -> Indicator {
        let fallback = self.placeholder_loc();
        let mut ind = Indicator {
            name: Ident {
                name: String::new(),
                loc: fallback.clone(),
            },
            label: Label::default(),
            formula: Expr {
                kind: ExprKind::Bool(false),
                loc: fallback,
            },
            display: None,
            rounding: Rounding::HalfUp,
        };
        for p in inner(pair) {
            match p.as_rule() {
                Rule::ident => ind.name = self.ident(&p),
                Rule::label => ind.label = self.label(p),
                Rule::expr => ind.formula = self.expr(p),
                Rule::display_clause => (ind.display, ind.rounding) = self.display(p),
                _ => {}
            }
        }
        ind
    }

    pub(super) fn score(&mut self, pair: Pair<'_, Rule>) -> Score {
        let fallback = self.placeholder_loc();
        let mut score = Score {
            name: Ident {
                name: String::new(),
                loc: fallback.clone(),
            },
            label: Label::default(),
            weighted: false,
            aggregation: Aggregation::Arithmetic,
            members: Vec::new(),
            display: None,
            rounding: Rounding::HalfUp,
            missing: None,
            rescale: None,
            relative: None,
            weights_file: None,
            loc: fallback,
        };
        for p in inner(pair) {
            let loc = self.loc(&p);
            match p.as_rule() {
                Rule::ident => score.name = self.ident(&p),
                Rule::label => score.label = self.label(p),
                Rule::display_clause => (score.display, score.rounding) = self.display(p),
                Rule::missing_clause => {
                    let mut parts = inner(p);
                    let policy = match parts.next().map(|q| q.as_rule()) {
                        Some(Rule::exclude) => self.exclude_policy(parts),
                        Some(Rule::zero) => MissingPolicy::Zero,
                        _ => MissingPolicy::Error,
                    };
                    score.missing = Some((policy, loc));
                }
                Rule::relative_weights | Rule::weights_file => self.score_weights(p, &mut score),
                Rule::rescale_clause => {
                    let mut method = (Method::Max, loc.clone());
                    let mut cohort = None;
                    for q in inner(p) {
                        match q.as_rule() {
                            Rule::method => method = self.method(q),
                            Rule::cohort => cohort = self.cohort(q),
                            _ => {}
                        }
                    }
                    score.rescale = Some((method.0, cohort, method.1));
                }
                Rule::aggregate => {
                    score.loc = self.loc(&p);
                    for q in inner(p) {
                        match q.as_rule() {
                            Rule::weighted => score.weighted = true,
                            Rule::minimum => score.aggregation = Aggregation::Minimum,
                            Rule::total => score.aggregation = Aggregation::Sum,
                            Rule::outranking => score.aggregation = composite::outranking(q),
                            Rule::hook_name => {
                                score.aggregation = Aggregation::Hook(
                                    inner(q)
                                        .next()
                                        .map(|n| n.as_str().to_string())
                                        .unwrap_or_default(),
                                )
                            }
                            Rule::mean_kind => {
                                score.aggregation = match inner(q).next() {
                                    Some(k) if k.as_rule() == Rule::geometric => {
                                        Aggregation::Geometric
                                    }
                                    Some(k) if k.as_rule() == Rule::harmonic => {
                                        Aggregation::Harmonic
                                    }
                                    Some(k) if k.as_rule() == Rule::power => {
                                        let p = inner(k)
                                            .next()
                                            .map_or(Decimal::ONE, |n| self.number(&n));
                                        Aggregation::Power(p)
                                    }
                                    _ => Aggregation::Arithmetic,
                                }
                            }
                            Rule::member => {
                                let mut parts = inner(q);
                                let name = parts.next().map(|n| self.ident(&n));
                                let weight = parts.next().map(|w| (self.number(&w), self.loc(&w)));
                                if let Some(name) = name {
                                    score.members.push(Member { name, weight });
                                }
                            }
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
        score
    }
}

/// A type keyword.
pub(super) fn input_type(keyword: &str) -> InputType {
    match keyword {
        "integer" => InputType::Integer,
        "decimal" => InputType::Decimal,
        "percent" => InputType::Percent,
        "boolean" => InputType::Boolean,
        "text" => InputType::Text,
        "date" => InputType::Date,
        _ => InputType::Number,
    }
}
