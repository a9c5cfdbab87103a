//! Stage 1: text → syntax tree.
//!
//! The pest grammar (`grammar/chiso.pest`) produces a concrete tree; [`parse_file`] lowers
//! it into the [`ast`] with a [`Loc`] on every node. Syntax errors become [`Diagnostic`]s
//! that name what was expected in the author's terms, not the grammar's.

pub mod ast;
pub mod audit;
pub mod composite;
mod data;
mod declarations;
mod errors;
mod expr;
mod header;
pub mod nesting;
mod rules;

pub use nesting::{MAX_NESTING, MAX_PARENTHESES};

use std::str::FromStr;
use std::sync::Arc;

use pest::Parser;
use pest::iterators::Pair;
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

use errors::{is_keyword, syntax_error};
use grammar::{Grammar, Rule};

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
