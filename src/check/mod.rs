//! Stage 2: the syntax tree → names resolved, types known, evaluation order fixed.
//!
//! The checker finds everything an author can get wrong without running the rule set:
//! unknown and duplicate names, cycles between indicators, type mismatches, ranges that
//! cannot hold, misused clauses. It never stops at the first problem.

mod audit;
mod composite;
mod data;
mod infer;
mod inputs;
mod rules;
mod symbols;
mod types;

use std::collections::HashMap;

use indexmap::IndexMap;
use rust_decimal::Decimal;

use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::hooks::Externals;
use crate::parse::ast::*;
use crate::source::Loc;
pub use infer::element_scope;
pub use inputs::bound_holds;
pub use symbols::names_in;
pub use types::{Builtin, Ty};

/// What a name in the shared namespace refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SymbolKind {
    /// `constant`.
    Constant,
    /// `input`.
    Input,
    /// `indicator`.
    Indicator,
    /// `score`.
    Score,
}

impl SymbolKind {
    /// The keyword that declares it.
    pub fn keyword(self) -> &'static str {
        match self {
            SymbolKind::Constant => "constant",
            SymbolKind::Input => "input",
            SymbolKind::Indicator => "indicator",
            SymbolKind::Score => "score",
        }
    }
}

/// A declared name.
#[derive(Debug, Clone)]
pub struct Symbol {
    /// What it is.
    pub kind: SymbolKind,
    /// Index into the rule set's items.
    pub item: usize,
    /// Its type, once known.
    pub ty: Ty,
    /// Where it was declared.
    pub loc: Loc,
}

/// The result of checking: a rule set whose names and types are all known.
#[derive(Debug)]
pub struct Checked {
    /// The header.
    pub header: Header,
    /// All declarations of all files, in order.
    pub items: Vec<Item>,
    /// Constants, inputs, indicators and scores by name, in declaration order.
    pub symbols: IndexMap<String, Symbol>,
    /// Indicators and scores (item indices) in an order where each comes after what it uses.
    pub order: Vec<usize>,
    /// Warnings (the rule set is usable).
    pub warnings: Vec<Diagnostic>,
    /// Names whose previous-year values are read (`previous x`, `change of x …`), each
    /// with where it is first written.
    pub previous: IndexMap<String, Loc>,
}

/// Checks the parsed files of one rule set. `Err` holds every error and warning found.
pub fn check(files: Vec<File>, externals: &Externals) -> Result<Checked, Vec<Diagnostic>> {
    let mut diags = Vec::new();
    let mut header: Option<Header> = None;
    let mut items = Vec::new();
    for file in files {
        if let Some(h) = file.header {
            match &header {
                Some(first) => diags.push(
                    Diagnostic::error("a rule set has one `methodology` header", &h.loc)
                        .with_label("second header")
                        .with_secondary(&first.loc, "first header here")
                        .with_help("put other files' declarations under the one header, or make them a rule set of their own"),
                ),
                None => header = Some(h),
            }
        }
        items.extend(file.items);
    }
    let Some(header) = header else {
        let mut d = Diagnostic::general("no `methodology` header in this rule set")
            .with_help("start one file with `methodology \"Name\" version 2020`");
        if let Some(first) = items.first() {
            d = Diagnostic::error(
                "no `methodology` header in this rule set",
                &first.ident().loc,
            )
            .with_label("declarations start here without a header")
            .with_help("start the file with `methodology \"Name\" version 2020`");
        }
        diags.push(d);
        return Err(diags);
    };
    let mut checker = Checker {
        items: &items,
        symbols: IndexMap::new(),
        diags,
        used: HashMap::new(),
        externals,
        scope: Vec::new(),
        previous: IndexMap::new(),
    };
    checker.declare();
    let order = checker.order();
    checker.infer(&order);
    checker.check_inputs();
    checker.check_scores();
    checker.check_rules();
    checker.check_ranks_and_sensitivity();
    checker.check_input_rounding();
    checker.check_data_reading(&header);
    checker.check_tests();
    if let Some(d) = &header.dated_by {
        let ty = checker.name_ty(&d.name, &d.loc);
        if ty != Ty::Date && ty != Ty::Unknown {
            checker.diags.push(
                Diagnostic::error(
                    format!(
                        "`dated by` needs a date input; `{}` is {}",
                        d.name,
                        ty.describe()
                    ),
                    &d.loc,
                )
                .with_label("not a date"),
            );
        }
    }
    checker.unused_inputs();
    let Checker {
        symbols,
        diags,
        previous,
        ..
    } = checker;
    if diags.iter().any(Diagnostic::is_error) {
        return Err(diags);
    }
    Ok(Checked {
        header,
        items,
        symbols,
        order,
        warnings: diags,
        previous,
    })
}

/// The checker's state over one rule set (its passes are in `symbols.rs`, `infer.rs`,
/// `inputs.rs`, `rules.rs`, `composite.rs`, `audit.rs` and `data.rs`).
struct Checker<'a> {
    items: &'a [Item],
    symbols: IndexMap<String, Symbol>,
    diags: Vec<Diagnostic>,
    /// Inputs referenced anywhere.
    used: HashMap<String, ()>,
    /// Hook and native functions.
    externals: &'a Externals,
    /// Element scopes of collection conditions, innermost last: name → type.
    scope: Vec<HashMap<String, Ty>>,
    /// Names read from the previous year, with where each is first written.
    previous: IndexMap<String, Loc>,
}

impl Checker<'_> {
    /// Reports an unknown name, with a suggestion.
    fn unknown(&mut self, name: &str, loc: &Loc, what: &str) {
        let mut d =
            Diagnostic::error(format!("unknown {what} `{name}`"), loc).with_label("not declared");
        let fields: Vec<String> = self.scope.iter().flat_map(|s| s.keys().cloned()).collect();
        let candidates = fields
            .iter()
            .map(String::as_str)
            .chain(self.symbols.keys().map(String::as_str));
        if let Some(s) = did_you_mean(name, candidates) {
            d = d.with_help(format!("did you mean `{s}`?"));
        } else {
            d = d.with_help(format!("declare it, e.g. `input {name}: number`"));
        }
        self.diags.push(d);
    }
}

/// A fraction written as a percentage: 1.2 → `120%`.
fn as_percent(v: Decimal) -> String {
    match v.checked_mul(Decimal::ONE_HUNDRED) {
        Some(p) => format!("{}%", p.normalize()),
        None => v.to_string(),
    }
}
