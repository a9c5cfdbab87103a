//! Stage 1: text → syntax tree.
//!
//! The pest grammar (`grammar/chiso.pest`) produces a concrete tree; [`parse_file`] lowers
//! it into the [`ast`] with a [`Loc`] on every node. Syntax errors become [`Diagnostic`]s
//! that name what was expected in the author's terms, not the grammar's.

pub mod ast;
pub mod audit;
pub mod composite;
mod data;
pub mod nesting;

pub use nesting::{MAX_NESTING, MAX_PARENTHESES};

use std::str::FromStr;
use std::sync::{Arc, LazyLock};

use pest::Parser;
use pest::iterators::{Pair, Pairs};
use pest::pratt_parser::{Assoc, Op, PrattParser};
use rust_decimal::Decimal;

use crate::diagnostic::Diagnostic;
use crate::source::{Loc, Source};
use ast::*;

mod grammar {
    #![allow(missing_docs)]
    //! The parser pest generates from `grammar/chiso.pest`.
    #[derive(pest_derive::Parser)]
    #[grammar = "../grammar/chiso.pest"]
    pub struct Grammar;
}

use grammar::{Grammar, Rule};

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

/// Parses one rule file. On failure returns every diagnostic found (a syntax error stops
/// parsing; literal errors are collected).
pub fn parse_file(source: &Arc<Source>) -> Result<File, Vec<Diagnostic>> {
    parse_file_within(source, nesting::MAX_NESTING)
}

/// [`parse_file`] with expressions nested at most `max_nesting` levels deep (brackets,
/// `if`, `among`); [`nesting::MAX_NESTING`] is the most any stage can recurse through.
pub fn parse_file_within(
    source: &Arc<Source>,
    max_nesting: usize,
) -> Result<File, Vec<Diagnostic>> {
    let max_nesting = max_nesting.clamp(1, nesting::MAX_NESTING);
    if let Some(d) = nesting::nested_beyond(source, max_nesting) {
        return Err(vec![d]);
    }
    let pairs =
        Grammar::parse(Rule::file, &source.text).map_err(|e| vec![syntax_error(source, &e)])?;
    let mut lower = Lower {
        source: Arc::clone(source),
        diags: Vec::new(),
    };
    let file = lower.file(pairs);
    if lower.diags.is_empty() {
        Ok(file)
    } else {
        Err(lower.diags)
    }
}

/// Parses a standalone expression (used by tests and embedding programs).
pub fn parse_expr(source: &Arc<Source>) -> Result<Expr, Vec<Diagnostic>> {
    if let Some(d) = nesting::too_deeply_nested(source) {
        return Err(vec![d]);
    }
    let mut pairs =
        Grammar::parse(Rule::expr, &source.text).map_err(|e| vec![syntax_error(source, &e)])?;
    let mut lower = Lower {
        source: Arc::clone(source),
        diags: Vec::new(),
    };
    let Some(pair) = pairs.next() else {
        return Err(vec![Diagnostic::general("empty expression")]);
    };
    let end = pair.as_span().end();
    if end < source.text.trim_end().len() {
        let loc = Loc {
            source: Arc::clone(source),
            range: end..source.text.len(),
        };
        return Err(vec![Diagnostic::error(
            "unexpected text after the expression",
            &loc,
        )]);
    }
    let expr = lower.expr(pair);
    if lower.diags.is_empty() {
        Ok(expr)
    } else {
        Err(lower.diags)
    }
}

/// Most levels in one expression tree.
pub const MAX_EXPR_DEPTH: usize = 100;
/// Most operators and operands in one flat expression (between parentheses).
pub const MAX_EXPR_TOKENS: usize = 400;

/// Depth of an expression tree (bounded: its parts were checked when they were built).
fn depth(e: &Expr) -> usize {
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

fn syntax_error(source: &Arc<Source>, err: &pest::error::Error<Rule>) -> Diagnostic {
    let pos = match err.location {
        pest::error::InputLocation::Pos(p) => p,
        pest::error::InputLocation::Span((s, _)) => s,
    };
    let found = found_at(&source.text, pos);
    let loc = Loc {
        source: Arc::clone(source),
        range: pos..pos + found.len().max(usize::from(pos < source.text.len())),
    };
    let expected = match &err.variant {
        pest::error::ErrorVariant::ParsingError { positives, .. } => {
            let mut names: Vec<&str> = positives.iter().filter_map(|r| describe(*r)).collect();
            names.sort_unstable();
            names.dedup();
            let declarations = [
                "`constant`",
                "`holidays`",
                "`test`",
                "`remove`",
                "`replace`",
                "`hooks`",
                "`indicator`",
                "`input`",
                "`rank`",
                "`rule`",
                "`score`",
                "`sensitivity`",
            ];
            if names.iter().filter(|n| declarations.contains(n)).count() >= 3 {
                // Any declaration may follow; listing them all hides what was expected here.
                names.retain(|n| !declarations.contains(n));
                let at = names
                    .iter()
                    .position(|n| *n == "end of file")
                    .unwrap_or(names.len());
                names.insert(at, "the next declaration");
            }
            if names.contains(&"an expression") {
                // Whatever can start an expression is summed up as "an expression".
                let operand = [
                    "`(`",
                    "`[`",
                    "a date such as 2022-08-15",
                    "`if`",
                    "`rank`",
                    "`true` or `false`",
                    "a name",
                    "a number",
                    "a quoted string",
                ];
                names.retain(|n| !operand.contains(n));
            }
            names
        }
        pest::error::ErrorVariant::CustomError { .. } => Vec::new(),
    };
    let found_text = if found.is_empty() {
        "end of file".to_string()
    } else {
        format!("`{found}`")
    };
    let message = if expected.is_empty() {
        format!("unexpected {found_text}")
    } else {
        format!("expected {}, found {found_text}", join_or(&expected))
    };
    let label = if expected.is_empty() {
        "not allowed here".to_string()
    } else {
        format!("expected {}", join_or(&expected))
    };
    let mut diag = Diagnostic::error(message, &loc).with_label(label);
    if is_reserved(found) && expected.contains(&"a name") {
        diag = diag.with_help(format!(
            "`{found}` is a reserved word and cannot be used as a name"
        ));
    }
    diag
}

fn is_reserved(word: &str) -> bool {
    Grammar::parse(Rule::reserved, word)
        .is_ok_and(|mut p| p.next().is_some_and(|p| p.as_str() == word))
}

/// The word (or single character) at `pos`.
fn found_at(text: &str, pos: usize) -> &str {
    let rest = text.get(pos..).unwrap_or("");
    let word_len: usize = rest
        .char_indices()
        .take_while(|(_, c)| c.is_alphanumeric() || *c == '_')
        .map(|(_, c)| c.len_utf8())
        .sum();
    if word_len > 0 {
        rest.get(..word_len).unwrap_or("")
    } else {
        rest.chars()
            .next()
            .map_or("", |c| rest.get(..c.len_utf8()).unwrap_or(""))
    }
}

fn join_or(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// How an author would name what the grammar expected. `None` hides internal rules.
fn describe(rule: Rule) -> Option<&'static str> {
    Some(match rule {
        Rule::EOI => "end of file",
        Rule::header | Rule::kw_methodology => "`methodology`",
        Rule::kw_version | Rule::version => "`version` and a version",
        Rule::unit_clause | Rule::kw_unit => "`unit`",
        Rule::source_clause | Rule::kw_source => "`source`",
        Rule::constant_decl | Rule::kw_constant => "`constant`",
        Rule::input_decl | Rule::kw_input => "`input`",
        Rule::indicator_decl | Rule::kw_indicator => "`indicator`",
        Rule::score_decl | Rule::kw_score => "`score`",
        Rule::rule_decl | Rule::kw_rule => "`rule`",
        Rule::type_name => "a type (number, integer, decimal, percent, boolean, text)",
        Rule::compare_bound | Rule::compare_op => "a bound such as `>= 0`",
        Rule::range_bound | Rule::kw_in => "a range such as `in 0 .. 1`",
        Rule::required => "`required`",
        Rule::optional => "`optional`",
        Rule::default_clause | Rule::kw_default => "`default`",
        Rule::from_clause | Rule::kw_from => "`from`",
        Rule::label => "a label",
        Rule::display_clause | Rule::kw_display => "`display`",
        Rule::aggregate | Rule::kw_mean => "`mean of`",
        Rule::weighted => "`weighted mean of`",
        Rule::kw_of => "`of`",
        Rule::member => "a name",
        Rule::kw_weight => "`weight`",
        Rule::severity_clause | Rule::kw_severity => "`severity`",
        Rule::severity => "a severity (error, warning, info)",
        Rule::when_clause | Rule::kw_when => "`when`",
        Rule::require_clause | Rule::kw_require => "`require`",
        Rule::message_clause | Rule::kw_message => "`message`",
        Rule::cite_clause | Rule::kw_cite => "`cite`",
        Rule::expr | Rule::if_expr | Rule::call => "an expression",
        Rule::op_approx
        | Rule::op_le
        | Rule::op_ge
        | Rule::op_ne
        | Rule::op_eq
        | Rule::op_lt
        | Rule::op_gt
        | Rule::op_add
        | Rule::op_sub
        | Rule::op_mul
        | Rule::op_div
        | Rule::op_pow
        | Rule::op_and
        | Rule::op_or => "an operator",
        Rule::op_neg | Rule::op_not => "an expression",
        Rule::kw_then => "`then`",
        Rule::kw_else => "`else`",
        Rule::kw_if => "`if`",
        Rule::percent | Rule::unsigned_number | Rule::signed_number | Rule::integer => "a number",
        Rule::boolean => "`true` or `false`",
        Rule::string => "a quoted string",
        Rule::ident => "a name",
        Rule::rank_decl | Rule::kw_rank => "`rank`",
        Rule::sensitivity_decl | Rule::kw_sensitivity => "`sensitivity`",
        Rule::normalise_expr | Rule::kw_normalise | Rule::rank_expr => "an expression",
        Rule::method
        | Rule::m_max
        | Rule::m_minmax
        | Rule::m_zscore
        | Rule::m_percentile
        | Rule::m_rank
        | Rule::m_goalposts
        | Rule::m_distance => {
            "a method (max, minmax, zscore, percentile, rank, goalposts, distance to)"
        }
        Rule::kw_by => "`by`",
        Rule::direction | Rule::higher | Rule::lower => "`higher is better` or `lower is better`",
        Rule::cohort | Rule::kw_among => "`among`",
        Rule::order => "`ascending` or `descending`",
        Rule::rounded | Rule::kw_rounded => "`rounded`",
        Rule::kw_as => "`as`",
        Rule::mean_kind | Rule::arithmetic | Rule::geometric | Rule::harmonic | Rule::power => {
            "a kind of mean (arithmetic, geometric, harmonic, power p)"
        }
        Rule::minimum => "`minimum of`",
        Rule::total => "`sum of`",
        Rule::missing_clause | Rule::kw_missing => "`missing`",
        Rule::exclude | Rule::zero | Rule::fail_missing => "`exclude`, `zero` or `error`",
        Rule::rescale_clause | Rule::kw_rescaled => "`rescaled by`",
        Rule::weights_vary | Rule::kw_weights => "`weights vary`",
        Rule::alternatives | Rule::kw_alternatives => "`alternatives`",
        Rule::rounding => "a rounding (half-up, half-even, down)",
        Rule::hooks_decl | Rule::kw_hooks => "`hooks`",
        Rule::test_decl | Rule::kw_test => "`test`",
        Rule::extends_clause | Rule::kw_extends => "`extends`",
        Rule::remove_decl | Rule::kw_remove => "`remove`",
        Rule::replace_decl | Rule::kw_replace => "`replace`",
        Rule::decl_kind => "what to remove (constant, input, indicator, score, rule, rank)",
        Rule::given_clause | Rule::kw_given => "`given`",
        Rule::expect_clause | Rule::kw_expect => "`expect`",
        Rule::assignment => "a field such as `staff_total = 95`",
        Rule::expect_value | Rule::kw_value => "`value`",
        Rule::expect_rank => "`rank`",
        Rule::expect_finding => "a rule id",
        Rule::status => "a status (pass, fail, error, skip)",
        Rule::tolerance | Rule::kw_within => "`within`",
        Rule::precision => "`at … decimals`",
        Rule::kw_decimals => "`decimals`",
        Rule::hook_name | Rule::kw_hook => "`hook`",
        Rule::limits_clause | Rule::kw_limits => "`limits`",
        Rule::limit | Rule::limit_name => {
            "a limit (operations, calls, depth, string, array, map, milliseconds)"
        }
        Rule::kw_is => "`is`",
        Rule::kw_better => "`better`",
        Rule::kw_to => "`to`",
        Rule::kw_at => "`at least`",
        Rule::colon => "`:`",
        Rule::dot => "`.`",
        Rule::lbrace => "`{`",
        Rule::rbrace => "`}`",
        Rule::lbracket => "`[`",
        Rule::rbracket => "`]`",
        Rule::list_type | Rule::kw_list => "`list of`",
        Rule::record_type | Rule::kw_record => "`record {`",
        Rule::field_decl => "a field such as `level: integer`",
        Rule::kw_where => "`where`",
        Rule::date => "a date such as 2022-08-15",
        Rule::holidays_decl | Rule::kw_holidays => "`holidays`",
        Rule::dated_clause | Rule::kw_dated => "`dated by`",
        Rule::in_force_clause | Rule::kw_in_force => "`in force from`",
        Rule::kw_until => "`until`",
        Rule::target_clause => "`by` a target year",
        Rule::collection | Rule::collection_fn | Rule::list_literal | Rule::projection => {
            "an expression"
        }
        Rule::equals => "`=`",
        Rule::comma => "`,`",
        Rule::dots => "`..`",
        Rule::lparen => "`(`",
        Rule::rparen => "`)`",
        Rule::slash => "`/`",
        _ => return None,
    })
}

fn is_keyword(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::colon
            | Rule::equals
            | Rule::comma
            | Rule::dots
            | Rule::lparen
            | Rule::rparen
            | Rule::slash
            | Rule::kw_methodology
            | Rule::kw_version
            | Rule::kw_unit
            | Rule::kw_key
            | Rule::kw_source
            | Rule::kw_constant
            | Rule::kw_input
            | Rule::kw_in
            | Rule::kw_default
            | Rule::kw_from
            | Rule::kw_indicator
            | Rule::kw_display
            | Rule::kw_score
            | Rule::kw_mean
            | Rule::kw_of
            | Rule::kw_weight
            | Rule::kw_rule
            | Rule::kw_severity
            | Rule::kw_when
            | Rule::kw_require
            | Rule::kw_message
            | Rule::kw_cite
            | Rule::kw_if
            | Rule::kw_then
            | Rule::kw_else
            | Rule::kw_normalise
            | Rule::kw_by
            | Rule::kw_goalposts
            | Rule::kw_distance
            | Rule::kw_to
            | Rule::kw_is
            | Rule::kw_better
            | Rule::kw_among
            | Rule::kw_rank
            | Rule::kw_rounded
            | Rule::kw_as
            | Rule::kw_power
            | Rule::kw_missing
            | Rule::kw_at
            | Rule::kw_least
            | Rule::kw_rescaled
            | Rule::kw_sensitivity
            | Rule::kw_weights
            | Rule::kw_vary
            | Rule::kw_alternatives
            | Rule::kw_hooks
            | Rule::kw_hook
            | Rule::kw_limits
            | Rule::kw_test
            | Rule::kw_given
            | Rule::kw_expect
            | Rule::kw_value
            | Rule::kw_within
            | Rule::kw_decimals
            | Rule::kw_extends
            | Rule::kw_remove
            | Rule::kw_replace
            | Rule::kw_list
            | Rule::kw_holidays
            | Rule::kw_dated
            | Rule::kw_in_force
            | Rule::kw_until
            | Rule::kw_record
            | Rule::kw_where
            | Rule::dot
            | Rule::lbrace
            | Rule::rbrace
            | Rule::lbracket
            | Rule::rbracket
    )
}

/// The pairs inside `pair`, keywords left out.
fn inner(pair: Pair<'_, Rule>) -> impl Iterator<Item = Pair<'_, Rule>> {
    pair.into_inner().filter(|p| !is_keyword(p.as_rule()))
}

struct Lower {
    source: Arc<Source>,
    diags: Vec<Diagnostic>,
}

impl Lower {
    fn loc(&self, pair: &Pair<'_, Rule>) -> Loc {
        let span = pair.as_span();
        // Spans of non-atomic rules can end in the whitespace and comments before the
        // next token (a construct ending in optional parts takes them along).
        let trimmed = crate::source::code_len(span.as_str());
        Loc {
            source: Arc::clone(&self.source),
            range: span.start()..span.start() + trimmed,
        }
    }

    fn file(&mut self, mut pairs: Pairs<'_, Rule>) -> File {
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

    /// A name as written, in Unicode NFC: `điểm` typed with combining marks (NFD) and
    /// precomposed (NFC) is one name, in declarations, formulas, messages and data fields.
    fn ident(&self, pair: &Pair<'_, Rule>) -> Ident {
        Ident {
            name: crate::data::names::nfc(pair.as_str()),
            loc: self.loc(pair),
        }
    }

    fn string(&mut self, pair: &Pair<'_, Rule>) -> String {
        let raw = pair.clone().into_inner().next().map_or("", |p| p.as_str());
        unescape(raw)
    }

    fn header(&mut self, pair: Pair<'_, Rule>) -> Header {
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

    fn label(&mut self, pair: Pair<'_, Rule>) -> Label {
        let mut strings = inner(pair)
            .map(|p| self.string(&p))
            .collect::<Vec<_>>()
            .into_iter();
        Label {
            primary: strings.next(),
            secondary: strings.next(),
        }
    }

    fn constant(&mut self, pair: Pair<'_, Rule>) -> Constant {
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

    fn placeholder_loc(&self) -> Loc {
        Loc {
            source: Arc::clone(&self.source),
            range: 0..0,
        }
    }

    fn number(&mut self, pair: &Pair<'_, Rule>) -> Decimal {
        let text = pair.as_str();
        let (digits, percent) = match text.strip_suffix('%') {
            Some(d) => (d, true),
            None => (text, false),
        };
        let (digits, negative) = match digits
            .strip_prefix('-')
            .or_else(|| digits.strip_prefix('−'))
        {
            Some(d) => (d, true),
            None => (digits, false),
        };
        match Decimal::from_str(digits) {
            Ok(mut v) => {
                if percent {
                    v = crate::value::percent_to_fraction(v);
                }
                if negative { -v } else { v }
            }
            Err(_) => {
                let loc = self.loc(pair);
                self.diags.push(
                    Diagnostic::error(
                        format!("number `{text}` cannot be represented exactly"),
                        &loc,
                    )
                    .with_label("too many digits or too large")
                    .with_help("numbers have at most 28 significant digits"),
                );
                Decimal::ZERO
            }
        }
    }

    fn input(&mut self, pair: Pair<'_, Rule>) -> Input {
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
        };
        for p in inner(pair) {
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

    fn display(&mut self, pair: Pair<'_, Rule>) -> (Option<u32>, Rounding) {
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

    /// `in force from D [until D]`.
    fn in_force(&mut self, pair: Pair<'_, Rule>) -> Option<(i32, Option<i32>)> {
        let mut dates = inner(pair).map(|d| match self.primary(d).kind {
            ExprKind::Date(day) => day,
            _ => 0,
        });
        let from = dates.next()?;
        Some((from, dates.next()))
    }

    fn method(&mut self, pair: Pair<'_, Rule>) -> (Method, Loc) {
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
    fn cohort(&mut self, pair: Pair<'_, Rule>) -> Option<Expr> {
        inner(pair).next().map(|e| self.expr(e))
    }

    fn rank_spec<'i>(
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

    fn normalise(&mut self, pair: Pair<'_, Rule>) -> Normalise {
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

    /// A declaration that `replace` may wrap.
    fn declaration(&mut self, pair: Pair<'_, Rule>) -> Option<Item> {
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

    fn test(&mut self, pair: Pair<'_, Rule>) -> Test {
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

    fn hooks(&mut self, pair: Pair<'_, Rule>) -> Hooks {
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

    fn sensitivity(&mut self, pair: Pair<'_, Rule>) -> Sensitivity {
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

    fn indicator(&mut self, pair: Pair<'_, Rule>) -> Indicator {
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

    fn score(&mut self, pair: Pair<'_, Rule>) -> Score {
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

    fn rule(&mut self, pair: Pair<'_, Rule>) -> ast::Rule {
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
                        rule.repeated.push(("severity", loc.clone()));
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
                        rule.repeated.push(("message", loc.clone()));
                    }
                    if let Some(s) = inner(p).next() {
                        let parts = self.message(&s);
                        rule.message = Some((parts, self.loc(&s)));
                    }
                }
                Rule::in_force_clause => rule.in_force = self.in_force(p),
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
    fn message(&mut self, pair: &Pair<'_, Rule>) -> Vec<MessagePart> {
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

    fn expr(&mut self, pair: Pair<'_, Rule>) -> Expr {
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

    fn pratt(&mut self, pair: Pair<'_, Rule>) -> Expr {
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

    fn primary(&mut self, pair: Pair<'_, Rule>) -> Expr {
        let loc = self.loc(&pair);
        let kind = match pair.as_rule() {
            Rule::expr => return self.expr(pair),
            Rule::unsigned_number | Rule::percent | Rule::signed_number => {
                ExprKind::Number(self.number(&pair))
            }
            Rule::string => ExprKind::Text(self.string(&pair)),
            Rule::boolean => ExprKind::Bool(pair.as_str() == "true"),
            Rule::ident => ExprKind::Name(crate::data::names::nfc(pair.as_str())),
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
            Rule::projection => {
                let mut parts = inner(pair);
                match (parts.next(), parts.next()) {
                    (Some(l), Some(f)) => ExprKind::Project(self.ident(&l), self.ident(&f)),
                    _ => ExprKind::Bool(false),
                }
            }
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
            Rule::call => {
                let mut parts = inner(pair);
                let name = parts.next().map(|n| self.ident(&n));
                let args = parts.map(|a| self.expr(a)).collect();
                match name {
                    Some(name) => ExprKind::Call(name, args),
                    None => ExprKind::Bool(false),
                }
            }
            _ => ExprKind::Bool(false),
        };
        Expr { kind, loc }
    }
}

/// A type keyword.
fn input_type(keyword: &str) -> InputType {
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

fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(other) => out.push(other),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expr(text: &str) -> Expr {
        let src = Source::new("t", text);
        match parse_expr(&src) {
            Ok(e) => e,
            Err(d) => panic!("{}", d[0].render()),
        }
    }

    fn show(e: &Expr) -> String {
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
            ExprKind::Audit(a) => format!("({})", super::audit::format(a, show)),
        }
    }

    #[test]
    fn collections_and_lists() {
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
    fn cohort_operations_parse_as_operands() {
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
    fn precedence_follows_arithmetic_then_comparison_then_logic() {
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
    fn if_and_calls() {
        assert_eq!(
            show(&expr("if a > 0 then max(a, 1) else 0")),
            "(if (a > 0) max(a, 1) 0)"
        );
    }

    #[test]
    fn keywords_do_not_swallow_names_that_start_with_them() {
        assert_eq!(
            show(&expr("android + order + notes")),
            "((android + order) + notes)"
        );
    }

    #[test]
    fn message_placeholders() {
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
