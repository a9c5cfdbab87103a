//! Expressions: operators by precedence (a Pratt parser over the grammar's flat
//! sequences), primaries, and the depth bound of a built expression tree.

use std::sync::{Arc, LazyLock};

use pest::iterators::Pair;
use pest::pratt_parser::{Assoc, Op, PrattParser};

use super::ast::*;
use super::{Lower, MAX_EXPR_DEPTH, MAX_EXPR_TOKENS, Rule, inner, is_keyword};
use crate::diagnostic::Diagnostic;
use crate::source::Loc;

static PRATT: LazyLock<PrattParser<Rule>> = LazyLock::new(|| {
    PrattParser::new()
        .op(Op::infix(Rule::op_or, Assoc::Left))
        .op(Op::infix(Rule::op_and, Assoc::Left))
        .op(Op::prefix(Rule::op_not))
        .op(Op::infix(Rule::op_eq, Assoc::Left)
            | Op::infix(Rule::op_ne, Assoc::Left)
            | Op::infix(Rule::op_lt, Assoc::Left)
            | Op::infix(Rule::op_le, Assoc::Left)
            | Op::infix(Rule::op_gt, Assoc::Left)
            | Op::infix(Rule::op_ge, Assoc::Left)
            | Op::infix(Rule::op_approx, Assoc::Left))
        .op(Op::infix(Rule::op_add, Assoc::Left) | Op::infix(Rule::op_sub, Assoc::Left))
        .op(Op::infix(Rule::op_mul, Assoc::Left) | Op::infix(Rule::op_div, Assoc::Left))
        .op(Op::prefix(Rule::op_neg))
        .op(Op::infix(Rule::op_pow, Assoc::Right))
});

/// Depth of an expression tree (bounded: its parts were checked when they were built).
pub(super) fn depth(e: &Expr) -> usize {
    1 + match &e.kind {
        ExprKind::Unary(_, x) => depth(x),
        ExprKind::Binary(_, a, b) => depth(a).max(depth(b)),
        ExprKind::If(c, a, b) => depth(c).max(depth(a)).max(depth(b)),
        ExprKind::Call(_, args) => args.iter().map(depth).max().unwrap_or(0),
        ExprKind::Normalise(n) => n.cohort.as_ref().map_or(0, depth),
        ExprKind::Collection(c) => c.filter.as_ref().map_or(0, depth),
        ExprKind::List(items) => items.iter().map(depth).max().unwrap_or(0),
        ExprKind::Rank(r) => r.cohort.as_ref().map_or(0, depth),
        ExprKind::Audit(a) => a.condition().map_or(0, depth),
        _ => 0,
    }
}

impl Lower {
    pub(super) fn expr(&mut self, pair: Pair<'_, Rule>) -> Expr {
        let loc = self.loc(&pair);
        let tokens = pair
            .clone()
            .into_inner()
            .filter(|p| !is_keyword(p.as_rule()))
            .count();
        if tokens > MAX_EXPR_TOKENS {
            self.diags.push(
                Diagnostic::error(
                    format!(
                        "expression has {tokens} operators and operands; at most {MAX_EXPR_TOKENS}"
                    ),
                    &loc,
                )
                .with_label("too long")
                .with_help("split the formula into named indicators"),
            );
            return Expr {
                kind: ExprKind::Bool(false),
                loc,
            };
        }
        let expr = self.pratt(pair);
        if depth(&expr) > MAX_EXPR_DEPTH {
            self.diags.push(
                Diagnostic::error(
                    format!("expression nested more than {MAX_EXPR_DEPTH} levels deep"),
                    &loc,
                )
                .with_label("too deep")
                .with_help("split the formula into named indicators"),
            );
            return Expr {
                kind: ExprKind::Bool(false),
                loc,
            };
        }
        expr
    }

    pub(super) fn pratt(&mut self, pair: Pair<'_, Rule>) -> Expr {
        let source = Arc::clone(&self.source);
        // Parentheses are tokens (so syntax errors can name them); the Pratt parser must
        // only see operators and operands. A parenthesised expression is an `expr` pair.
        let pairs = inner(pair);
        // The Pratt parser's closures cannot borrow `self` mutably three times, so each
        // collects into its own diagnostics and they are merged afterwards.
        let diags = std::cell::RefCell::new(Vec::new());
        let expr = PRATT
            .map_primary(|p| {
                let mut sub = Lower {
                    source: Arc::clone(&source),
                    diags: Vec::new(),
                };
                let e = sub.primary(p);
                diags.borrow_mut().extend(sub.diags);
                e
            })
            .map_prefix(|op, rhs| {
                let loc = Loc::from_span(&source, op.as_span()).to(&rhs.loc);
                let op = if op.as_rule() == Rule::op_not {
                    UnaryOp::Not
                } else {
                    UnaryOp::Neg
                };
                Expr {
                    kind: ExprKind::Unary(op, Box::new(rhs)),
                    loc,
                }
            })
            .map_infix(|lhs, op, rhs| {
                let op = match op.as_rule() {
                    Rule::op_add => BinaryOp::Add,
                    Rule::op_sub => BinaryOp::Sub,
                    Rule::op_mul => BinaryOp::Mul,
                    Rule::op_div => BinaryOp::Div,
                    Rule::op_pow => BinaryOp::Pow,
                    Rule::op_eq => BinaryOp::Eq,
                    Rule::op_ne => BinaryOp::Ne,
                    Rule::op_lt => BinaryOp::Lt,
                    Rule::op_le => BinaryOp::Le,
                    Rule::op_gt => BinaryOp::Gt,
                    Rule::op_ge => BinaryOp::Ge,
                    Rule::op_approx => BinaryOp::Approx,
                    Rule::op_and => BinaryOp::And,
                    _ => BinaryOp::Or,
                };
                let loc = lhs.loc.to(&rhs.loc);
                Expr {
                    kind: ExprKind::Binary(op, Box::new(lhs), Box::new(rhs)),
                    loc,
                }
            })
            .parse(pairs);
        self.diags.extend(diags.into_inner());
        expr
    }

    pub(super) fn primary(&mut self, pair: Pair<'_, Rule>) -> Expr {
        let loc = self.loc(&pair);
        let kind = match pair.as_rule() {
            Rule::expr => return self.expr(pair),
            Rule::unsigned_number | Rule::percent | Rule::signed_number => {
                ExprKind::Number(self.number(&pair))
            }
            Rule::string => ExprKind::Text(self.string(&pair)),
            Rule::boolean => ExprKind::Bool(pair.as_str() == "true"),
            Rule::name_expr => return self.name_expr(pair, loc),
            Rule::normalise_expr => ExprKind::Normalise(Box::new(self.normalise(pair))),
            Rule::treat_expr => ExprKind::Normalise(Box::new(self.treat(pair))),
            Rule::rank_expr => ExprKind::Rank(Box::new(self.rank_spec(inner(pair)).0)),
            Rule::presence
            | Rule::unit_count
            | Rule::rank_bound
            | Rule::rank_check
            | Rule::previous_value
            | Rule::change_expr => ExprKind::Audit(Box::new(self.audit(pair))),
            Rule::list_literal => ExprKind::List(inner(pair).map(|e| self.expr(e)).collect()),
            Rule::date => match crate::date::parse(pair.as_str()) {
                Some(d) => ExprKind::Date(d),
                None => {
                    self.diags.push(
                        Diagnostic::error(
                            format!("`{}` is not a calendar date", pair.as_str()),
                            &loc,
                        )
                        .with_label("no such day"),
                    );
                    ExprKind::Date(0)
                }
            },
            Rule::collection => {
                let mut parts = inner(pair);
                let op = match parts.next().map(|o| o.as_str().to_string()).as_deref() {
                    Some("count") => CollectionOp::Count,
                    Some("share") => CollectionOp::Share,
                    Some("sum") => CollectionOp::Sum,
                    Some("mean") => CollectionOp::Mean,
                    Some("min") => CollectionOp::Min,
                    Some("max") => CollectionOp::Max,
                    Some("all") => CollectionOp::All,
                    Some("any") => CollectionOp::Any,
                    _ => CollectionOp::None,
                };
                let mut collection = Collection {
                    op,
                    list: Ident {
                        name: String::new(),
                        loc: loc.clone(),
                    },
                    field: None,
                    filter: None,
                };
                let mut seen_list = false;
                for p in parts {
                    match p.as_rule() {
                        Rule::ident if !seen_list => {
                            collection.list = self.ident(&p);
                            seen_list = true;
                        }
                        Rule::ident => collection.field = Some(self.ident(&p)),
                        Rule::expr => collection.filter = Some(self.expr(p)),
                        _ => {}
                    }
                }
                ExprKind::Collection(Box::new(collection))
            }
            Rule::if_expr => {
                let mut parts = inner(pair)
                    .map(|p| self.expr(p))
                    .collect::<Vec<_>>()
                    .into_iter();
                match (parts.next(), parts.next(), parts.next()) {
                    (Some(c), Some(a), Some(b)) => {
                        ExprKind::If(Box::new(c), Box::new(a), Box::new(b))
                    }
                    _ => ExprKind::Bool(false),
                }
            }
            _ => ExprKind::Bool(false),
        };
        Expr { kind, loc }
    }

    /// A name and what follows it: a name alone, `x is rank of v`, `x is present`, a call
    /// or a projection. `loc` spans all of it; a name alone is located as the name.
    fn name_expr(&mut self, pair: Pair<'_, Rule>, loc: Loc) -> Expr {
        let mut parts = pair.into_inner();
        let Some(name) = parts.next() else {
            return Expr {
                kind: ExprKind::Bool(false),
                loc,
            };
        };
        let Some(tail) = parts.next() else {
            return Expr {
                kind: ExprKind::Name(crate::data::names::nfc(name.as_str())),
                loc: self.loc(&name),
            };
        };
        let kind = match tail.as_rule() {
            Rule::name_rank_check => ExprKind::Audit(Box::new(self.audit_parts(
                Rule::rank_check,
                std::iter::once(name).chain(tail.into_inner()),
            ))),
            Rule::name_presence => ExprKind::Audit(Box::new(self.audit_parts(
                Rule::presence,
                std::iter::once(name).chain(tail.into_inner()),
            ))),
            Rule::arguments => ExprKind::Call(
                self.ident(&name),
                inner(tail).map(|a| self.expr(a)).collect(),
            ),
            Rule::field => match inner(tail).next() {
                Some(f) => ExprKind::Project(self.ident(&name), self.ident(&f)),
                None => ExprKind::Bool(false),
            },
            _ => ExprKind::Bool(false),
        };
        Expr { kind, loc }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::{audit, parse_expr, parse_file};
    use crate::source::Source;

    pub(super) fn expr(text: &str) -> Expr {
        let src = Source::new("t", text);
        match parse_expr(&src) {
            Ok(e) => e,
            Err(d) => panic!("{}", d[0].render()),
        }
    }

    pub(super) fn show(e: &Expr) -> String {
        match &e.kind {
            ExprKind::Number(n) => n.to_string(),
            ExprKind::Date(d) => crate::date::format(*d),
            ExprKind::Project(l, f) => format!("{}.{}", l.name, f.name),
            ExprKind::Text(t) => format!("{t:?}"),
            ExprKind::Bool(b) => b.to_string(),
            ExprKind::Name(n) => n.clone(),
            ExprKind::Unary(UnaryOp::Neg, x) => format!("(-{})", show(x)),
            ExprKind::Unary(UnaryOp::Not, x) => format!("(not {})", show(x)),
            ExprKind::Binary(op, a, b) => format!("({} {} {})", show(a), op.symbol(), show(b)),
            ExprKind::If(c, a, b) => format!("(if {} {} {})", show(c), show(a), show(b)),
            ExprKind::Call(f, args) => {
                format!(
                    "{}({})",
                    f.name,
                    args.iter().map(show).collect::<Vec<_>>().join(", ")
                )
            }
            ExprKind::Normalise(n) => format!(
                "(normalise {} {}{}{})",
                n.column.name,
                n.method.describe(),
                if n.lower_is_better { " lower" } else { "" },
                n.cohort
                    .as_ref()
                    .map(|c| format!(" among {}", show(c)))
                    .unwrap_or_default()
            ),
            ExprKind::List(items) => format!(
                "[{}]",
                items.iter().map(show).collect::<Vec<_>>().join(", ")
            ),
            ExprKind::Collection(c) => format!(
                "({} {}{}{})",
                c.op.keyword(),
                c.list.name,
                c.field
                    .as_ref()
                    .map(|f| format!(".{}", f.name))
                    .unwrap_or_default(),
                c.filter
                    .as_ref()
                    .map(|f| format!(" where {}", show(f)))
                    .unwrap_or_default()
            ),
            ExprKind::Rank(r) => format!(
                "(rank {}{}{})",
                r.column.name,
                if r.ascending { " ascending" } else { "" },
                r.rounded
                    .map(|d| format!(" rounded {d}"))
                    .unwrap_or_default()
            ),
            ExprKind::Audit(a) => format!("({})", audit::format(a, show)),
        }
    }

    #[test]
    pub(super) fn collections_and_lists() {
        assert_eq!(
            show(&expr("count(s where a >= 3 and b) + 1")),
            "((count s where ((a >= 3) and b)) + 1)"
        );
        assert_eq!(show(&expr("sum(s.views)")), "(sum s.views)");
        assert_eq!(show(&expr("sum(a, b)")), "sum(a, b)");
        assert_eq!(
            show(&expr("contains_all(x, [\"a\", \"b\"])")),
            "contains_all(x, [\"a\", \"b\"])"
        );
    }

    #[test]
    pub(super) fn cohort_operations_parse_as_operands() {
        assert_eq!(
            show(&expr("normalise x by max * 40 + 1")),
            "(((normalise x max) * 40) + 1)"
        );
        assert_eq!(
            show(&expr(
                "normalise cost by goalposts 0 .. 100 lower is better among kind = \"district\""
            )),
            "(normalise cost goalposts 0 .. 100 lower among (kind = \"district\"))"
        );
        assert_eq!(
            show(&expr("rank of x ascending rounded 3")),
            "(rank x ascending rounded 3)"
        );
        assert_eq!(
            show(&expr("normalise x by distance to \"Đà Nẵng\"")),
            "(normalise x distance to \"Đà Nẵng\")"
        );
    }

    #[test]
    pub(super) fn precedence_follows_arithmetic_then_comparison_then_logic() {
        assert_eq!(
            show(&expr("a + b * c ^ 2 ^ 3")),
            "(a + (b * (c ^ (2 ^ 3))))"
        );
        assert_eq!(show(&expr("-x ^ 2")), "(-(x ^ 2))");
        assert_eq!(
            show(&expr("a >= 2 and not b or c")),
            "(((a >= 2) and (not b)) or c)"
        );
        assert_eq!(show(&expr("a - b - c")), "((a - b) - c)");
        assert_eq!(show(&expr("x ≥ 40% × y")), "(x >= (0.40 * y))");
    }

    #[test]
    pub(super) fn if_and_calls() {
        assert_eq!(
            show(&expr("if a > 0 then max(a, 1) else 0")),
            "(if (a > 0) max(a, 1) 0)"
        );
    }

    #[test]
    pub(super) fn keywords_do_not_swallow_names_that_start_with_them() {
        assert_eq!(
            show(&expr("android + order + notes")),
            "((android + order) + notes)"
        );
    }

    #[test]
    pub(super) fn message_placeholders() {
        let src = Source::new(
            "t.chiso",
            "methodology \"m\" version 1\nrule r require true message \"{unit} has {x:2} {{not}}\"",
        );
        let file = parse_file(&src).unwrap();
        let Item::Rule(rule) = &file.items[0] else {
            panic!()
        };
        let (parts, _) = rule.message.as_ref().unwrap();
        assert_eq!(parts.len(), 4);
        assert_eq!(parts[0], MessagePart::Unit);
        let MessagePart::Value { name, decimals } = &parts[2] else {
            panic!()
        };
        assert_eq!(
            (name.name.as_str(), *decimals, name.loc.text()),
            ("x", Some(2), "x:2")
        );
        assert_eq!(parts[3], MessagePart::Text(" {not}".into()));
    }
}
