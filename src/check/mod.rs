//! Stage 2: the syntax tree → names resolved, types known, evaluation order fixed.
//!
//! The checker finds everything an author can get wrong without running the rule set:
//! unknown and duplicate names, cycles between indicators, type mismatches, ranges that
//! cannot hold, misused clauses. It never stops at the first problem.

mod audit;
mod composite;
mod data;
mod types;

use std::collections::HashMap;

use indexmap::IndexMap;
use rust_decimal::Decimal;

use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::hooks::Externals;
use crate::parse::ast::*;
use crate::source::Loc;
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

/// A depth-first search frame: an item, its dependencies, the next one to visit.
type Frame = (usize, Vec<(String, Loc)>, usize);

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
    fn declare(&mut self) {
        let mut rules: HashMap<&str, &Loc> = HashMap::new();
        let mut ranks: HashMap<&str, &Loc> = HashMap::new();
        let mut sensitivity: Option<&Loc> = None;
        let mut tests: HashMap<&str, &Loc> = HashMap::new();
        for (index, item) in self.items.iter().enumerate() {
            let ident = item.ident();
            let kind = match item {
                Item::Constant(_) => SymbolKind::Constant,
                Item::Input(_) => SymbolKind::Input,
                Item::Indicator(_) => SymbolKind::Indicator,
                Item::Score(_) => SymbolKind::Score,
                Item::Rule(_) => {
                    if let Some(first) = rules.insert(&ident.name, &ident.loc) {
                        self.diags.push(
                            Diagnostic::error(
                                format!("rule `{}` is declared twice", ident.name),
                                &ident.loc,
                            )
                            .with_label("second declaration")
                            .with_secondary(first, "first declared here")
                            .with_help("rule ids must be unique within a rule set"),
                        );
                    }
                    continue;
                }
                Item::Rank(_) => {
                    if let Some(first) = ranks.insert(&ident.name, &ident.loc) {
                        self.diags.push(
                            Diagnostic::error(
                                format!("rank `{}` is declared twice", ident.name),
                                &ident.loc,
                            )
                            .with_label("second rank with this key")
                            .with_secondary(first, "first declared here")
                            .with_help("give the second one its own key with `as …`"),
                        );
                    }
                    continue;
                }
                // Resolved away by `extends` before checking.
                Item::Hooks(_) | Item::Remove(_) | Item::Replace(_) | Item::Holidays(_) => continue,
                // Read with the data, not evaluated (`RuleSet` resolves them).
                Item::Alias(_) | Item::Aliases(_) => continue,
                Item::Test(_) => {
                    if let Some(first) = tests.insert(&ident.name, &ident.loc) {
                        self.diags.push(
                            Diagnostic::error(
                                format!("test `{}` is declared twice", ident.name),
                                &ident.loc,
                            )
                            .with_label("second test with this name")
                            .with_secondary(first, "first declared here"),
                        );
                    }
                    continue;
                }
                Item::Sensitivity(_) => {
                    if let Some(first) = sensitivity.replace(&ident.loc) {
                        self.diags.push(
                            Diagnostic::error(
                                "a rule set has one `sensitivity` declaration",
                                &ident.loc,
                            )
                            .with_label("second one")
                            .with_secondary(first, "first here"),
                        );
                    }
                    continue;
                }
            };
            if let Some(first) = self.symbols.get(&ident.name) {
                self.diags.push(
                    Diagnostic::error(format!("`{}` is declared twice", ident.name), &ident.loc)
                        .with_label(format!("this {}", kind.keyword()))
                        .with_secondary(
                            &first.loc,
                            format!("first declared here as {}", first.kind.keyword()),
                        )
                        .with_help("constants, inputs, indicators and scores share one namespace"),
                );
                continue;
            }
            if Builtin::from_name(&ident.name).is_some() {
                self.diags.push(
                    Diagnostic::warning(
                        format!("`{}` has the name of a built-in function", ident.name),
                        &ident.loc,
                    )
                    .with_label("shadows nothing, but reads like a call")
                    .with_help("choose another name"),
                );
            }
            self.symbols.insert(
                ident.name.clone(),
                Symbol {
                    kind,
                    item: index,
                    ty: Ty::Unknown,
                    loc: ident.loc.clone(),
                },
            );
        }
    }

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

    /// Names of indicators and scores that `item` uses directly.
    fn dependencies(item: &Item) -> Vec<(String, Loc)> {
        let mut out = Vec::new();
        match item {
            Item::Indicator(ind) => names_in(&ind.formula, &mut out),
            Item::Score(score) => {
                for m in &score.members {
                    out.push((m.name.name.clone(), m.name.loc.clone()));
                }
                if let Some((_, Some(cohort), _)) = &score.rescale {
                    names_in(cohort, &mut out);
                }
            }
            _ => {}
        }
        out
    }

    /// Orders indicators and scores so each comes after what it uses; reports cycles.
    fn order(&mut self) -> Vec<usize> {
        #[derive(Clone, Copy, PartialEq)]
        enum Mark {
            New,
            Active,
            Done,
        }
        let mut marks = vec![Mark::New; self.items.len()];
        let mut order = Vec::new();
        let mut reported = false;
        for start in 0..self.items.len() {
            if !matches!(
                self.items.get(start),
                Some(Item::Indicator(_) | Item::Score(_))
            ) {
                continue;
            }
            if marks.get(start) != Some(&Mark::New) {
                continue;
            }
            // Iterative depth-first search; the stack holds (item, its dependencies, next index).
            let mut stack: Vec<Frame> = Vec::new();
            let items = self.items;
            let enter = |node: usize, marks: &mut Vec<Mark>, stack: &mut Vec<Frame>| {
                if let Some(m) = marks.get_mut(node) {
                    *m = Mark::Active;
                }
                let deps = items.get(node).map(Self::dependencies).unwrap_or_default();
                stack.push((node, deps, 0));
            };
            enter(start, &mut marks, &mut stack);
            while let Some((node, deps, next)) = stack.last_mut() {
                let node = *node;
                let Some((dep_name, dep_loc)) = deps.get(*next).cloned() else {
                    if let Some(m) = marks.get_mut(node) {
                        *m = Mark::Done;
                    }
                    order.push(node);
                    stack.pop();
                    continue;
                };
                *next += 1;
                let Some(sym) = self.symbols.get(&dep_name) else {
                    continue; // reported by type inference
                };
                if !matches!(sym.kind, SymbolKind::Indicator | SymbolKind::Score) {
                    continue;
                }
                let dep = sym.item;
                match marks.get(dep).copied() {
                    Some(Mark::New) => enter(dep, &mut marks, &mut stack),
                    Some(Mark::Active) if !reported => {
                        reported = true;
                        let pos = stack.iter().position(|(n, _, _)| *n == dep).unwrap_or(0);
                        let mut path: Vec<String> = stack
                            .iter()
                            .skip(pos)
                            .filter_map(|(n, _, _)| {
                                self.items.get(*n).map(|i| i.ident().name.clone())
                            })
                            .collect();
                        path.push(dep_name.clone());
                        let mut d = Diagnostic::error(
                            format!("`{dep_name}` depends on itself: {}", path.join(" → ")),
                            &dep_loc,
                        )
                        .with_label("this reference closes the cycle")
                        .with_help(
                            "an indicator cannot be computed from its own value; break the cycle",
                        );
                        if let Some(item) = self.items.get(dep) {
                            d = d.with_secondary(&item.ident().loc, "declared here");
                        }
                        self.diags.push(d);
                    }
                    _ => {}
                }
            }
        }
        order
    }

    fn infer(&mut self, order: &[usize]) {
        // Constants first: their type is their literal's.
        for item in self.items {
            if let Item::Constant(c) = item {
                let ty = match &c.value.kind {
                    ExprKind::Number(_) => Ty::Number,
                    ExprKind::Text(_) => Ty::Text,
                    ExprKind::Bool(_) => Ty::Bool,
                    ExprKind::List(_) => Ty::List,
                    _ => Ty::Unknown,
                };
                self.set_ty(&c.name.name, ty);
            }
            if let Item::Input(i) = item {
                let ty = match (i.ty, &i.list) {
                    (_, Some(_)) => Ty::List,
                    (InputType::Boolean, None) => Ty::Bool,
                    (InputType::Text, None) => Ty::Text,
                    (InputType::Date, None) => Ty::Date,
                    _ => Ty::Number,
                };
                self.set_ty(&i.name.name, ty);
            }
        }
        for &index in order {
            match self.items.get(index) {
                Some(Item::Indicator(ind)) => {
                    let ty = self.expr_ty(&ind.formula);
                    self.set_ty(&ind.name.name, ty);
                }
                Some(Item::Score(score)) => {
                    for m in &score.members {
                        let ty = self.name_ty(&m.name.name, &m.name.loc);
                        if ty != Ty::Number && ty != Ty::Unknown {
                            self.diags.push(
                                Diagnostic::error(
                                    format!(
                                        "`{}` is {}, but a score averages numbers",
                                        m.name.name,
                                        ty.describe()
                                    ),
                                    &m.name.loc,
                                )
                                .with_label(format!("this is {}", ty.describe())),
                            );
                        }
                    }
                    self.set_ty(&score.name.name, Ty::Number);
                }
                _ => {}
            }
        }
    }

    fn set_ty(&mut self, name: &str, ty: Ty) {
        if let Some(sym) = self.symbols.get_mut(name) {
            sym.ty = ty;
        }
    }

    fn name_ty(&mut self, name: &str, loc: &Loc) -> Ty {
        if let Some(ty) = self.scope.iter().rev().find_map(|s| s.get(name)) {
            return *ty;
        }
        match self.symbols.get(name) {
            Some(sym) => {
                if sym.kind == SymbolKind::Input {
                    self.used.insert(name.to_string(), ());
                }
                sym.ty
            }
            None => {
                self.unknown(name, loc, "name");
                Ty::Unknown
            }
        }
    }

    fn expect(&mut self, e: &Expr, want: Ty, context: &str) -> Ty {
        let ty = self.expr_ty(e);
        if let Some(d) = mismatch(e, ty, want, context) {
            self.diags.push(d);
        }
        ty
    }

    fn expr_ty(&mut self, e: &Expr) -> Ty {
        match &e.kind {
            ExprKind::Number(_) => Ty::Number,
            ExprKind::Date(_) => Ty::Date,
            ExprKind::Text(_) => Ty::Text,
            ExprKind::Bool(_) => Ty::Bool,
            ExprKind::Name(n) => self.name_ty(n, &e.loc),
            ExprKind::Unary(UnaryOp::Neg, x) => {
                self.expect(x, Ty::Number, "the operand of `-`");
                Ty::Number
            }
            ExprKind::Unary(UnaryOp::Not, x) => {
                self.expect(x, Ty::Bool, "the operand of `not`");
                Ty::Bool
            }
            ExprKind::Binary(op, a, b) => {
                // Each operand is typed once: typing one again per level (to see whether
                // it is a date) made checking exponential in the nesting.
                let ta = self.expr_ty(a);
                let after_a = self.diags.len();
                let tb = self.expr_ty(b);
                let date_op = matches!(
                    op,
                    BinaryOp::Add
                        | BinaryOp::Sub
                        | BinaryOp::Lt
                        | BinaryOp::Le
                        | BinaryOp::Gt
                        | BinaryOp::Ge
                );
                if date_op && (ta == Ty::Date || tb == Ty::Date) {
                    return match (op, ta, tb) {
                        (BinaryOp::Add, Ty::Date, Ty::Number)
                        | (BinaryOp::Add, Ty::Number, Ty::Date)
                        | (BinaryOp::Sub, Ty::Date, Ty::Number) => Ty::Date,
                        (BinaryOp::Sub, Ty::Date, Ty::Date) => Ty::Number,
                        (
                            BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge,
                            Ty::Date,
                            Ty::Date,
                        ) => Ty::Bool,
                        _ => {
                            self.diags.push(
                                Diagnostic::error(
                                    format!(
                                        "`{}` cannot combine {} with {}",
                                        op.symbol(),
                                        ta.describe(),
                                        tb.describe()
                                    ),
                                    &e.loc,
                                )
                                .with_label("dates add and subtract days, and compare with dates")
                                .with_help(
                                    "date + days, date - days, date - date (days), date < date",
                                ),
                            );
                            Ty::Unknown
                        }
                    };
                }
                let sym = op.symbol();
                // (type both operands must have, type of the result); `=`/`!=` take any
                // two operands of the same type.
                let (operand, result) = match op {
                    BinaryOp::Add
                    | BinaryOp::Sub
                    | BinaryOp::Mul
                    | BinaryOp::Div
                    | BinaryOp::Pow => (Some(Ty::Number), Ty::Number),
                    BinaryOp::Lt
                    | BinaryOp::Le
                    | BinaryOp::Gt
                    | BinaryOp::Ge
                    | BinaryOp::Approx => (Some(Ty::Number), Ty::Bool),
                    BinaryOp::And | BinaryOp::Or => (Some(Ty::Bool), Ty::Bool),
                    BinaryOp::Eq | BinaryOp::Ne => (None, Ty::Bool),
                };
                if let Some(want) = operand {
                    // In the order `expect` gives them: the left side's, then the right's.
                    if let Some(d) = mismatch(a, ta, want, &format!("the left side of `{sym}`")) {
                        self.diags.insert(after_a, d);
                    }
                    if let Some(d) = mismatch(b, tb, want, &format!("the right side of `{sym}`")) {
                        self.diags.push(d);
                    }
                    return result;
                }
                if ta != tb && ta != Ty::Unknown && tb != Ty::Unknown {
                    self.diags.push(
                        Diagnostic::error(
                            format!("cannot compare {} with {}", ta.describe(), tb.describe()),
                            &e.loc,
                        )
                        .with_label(format!(
                            "{} `{sym}` {}",
                            ta.describe(),
                            tb.describe()
                        )),
                    );
                }
                result
            }
            ExprKind::If(c, a, b) => {
                self.expect(c, Ty::Bool, "the condition of `if`");
                let ta = self.expr_ty(a);
                let tb = self.expr_ty(b);
                if ta != tb && ta != Ty::Unknown && tb != Ty::Unknown {
                    self.diags.push(
                        Diagnostic::error(
                            format!(
                                "the branches of `if` differ: {} and {}",
                                ta.describe(),
                                tb.describe()
                            ),
                            &e.loc,
                        )
                        .with_label("both branches must have the same type"),
                    );
                    return Ty::Unknown;
                }
                if ta == Ty::Unknown { tb } else { ta }
            }
            ExprKind::Call(f, args) => self.call_ty(f, args),
            ExprKind::Normalise(n) => {
                self.column(&n.column, "normalised");
                self.check_method(&n.method, &n.method_loc);
                if let Some(c) = &n.cohort {
                    self.expect(c, Ty::Bool, "the `among` condition");
                }
                Ty::Number
            }
            ExprKind::Rank(r) => {
                self.rank_spec(r);
                Ty::Number
            }
            ExprKind::Audit(a) => self.audit_ty(a),
            ExprKind::List(items) => {
                let mut first: Option<Ty> = None;
                for item in items {
                    let ty = self.expr_ty(item);
                    match first {
                        Some(f) if f != ty && ty != Ty::Unknown => self.diags.push(
                            Diagnostic::error(
                                format!("a list of {} cannot hold {}", f.describe(), ty.describe()),
                                &item.loc,
                            )
                            .with_label("another type"),
                        ),
                        None => first = Some(ty),
                        _ => {}
                    }
                }
                Ty::List
            }
            ExprKind::Collection(c) => self.collection_ty(c, &e.loc),
            ExprKind::Project(list, field) => {
                self.name_ty(&list.name, &list.loc);
                match element_scope(self.items, &list.name) {
                    Some(scope) if scope.contains_key(&field.name) && !scope.contains_key("it") => {
                    }
                    Some(scope) => {
                        let mut d = Diagnostic::error(
                            format!("`{}` has no field `{}`", list.name, field.name),
                            &field.loc,
                        )
                        .with_label("unknown field");
                        if let Some(s) = did_you_mean(&field.name, scope.keys().map(String::as_str))
                        {
                            d = d.with_help(format!("did you mean `{s}`?"));
                        }
                        self.diags.push(d);
                    }
                    None => self.diags.push(
                        Diagnostic::error(
                            format!("`{}` is not a collection of records", list.name),
                            &list.loc,
                        )
                        .with_label("no fields"),
                    ),
                }
                Ty::List
            }
        }
    }

    fn call_ty(&mut self, f: &Ident, args: &[Expr]) -> Ty {
        let Some(builtin) = Builtin::from_name(&f.name) else {
            if let Some(target) = self.externals.resolve(&f.name) {
                self.external_arity(&f.name, &f.loc, target, args.len());
                for a in args {
                    self.expr_ty(a);
                }
                // What a hook returns is checked when it returns.
                return Ty::Unknown;
            }
            let externals = self.externals.names();
            let candidates = Builtin::ALL
                .iter()
                .map(|b| b.name())
                .chain(externals.iter().map(String::as_str));
            let mut d = Diagnostic::error(format!("unknown function `{}`", f.name), &f.loc)
                .with_label("not a built-in or hook function");
            if let Some(s) = did_you_mean(&f.name, candidates) {
                d = d.with_help(format!("did you mean `{s}`?"));
            } else {
                let names: Vec<&str> = Builtin::ALL.iter().map(|b| b.name()).collect();
                d = d.with_help(format!("the built-in functions are {}", names.join(", ")));
            }
            self.diags.push(d);
            for a in args {
                self.expr_ty(a);
            }
            return Ty::Unknown;
        };
        let (min, max) = builtin.arity();
        if args.len() < min || max.is_some_and(|m| args.len() > m) {
            let wanted = match max {
                Some(m) if m == min => format!("{min}"),
                Some(m) => format!("{min} to {m}"),
                None => format!("at least {min}"),
            };
            self.diags.push(
                Diagnostic::error(
                    format!(
                        "`{}` takes {wanted} argument(s), found {}",
                        f.name,
                        args.len()
                    ),
                    &f.loc,
                )
                .with_help(format!("usage: {}", builtin.usage())),
            );
        }
        let dates = |n| vec![Ty::Date; n];
        let signature: Option<(Vec<Ty>, Ty)> = match builtin {
            Builtin::DaysBetween | Builtin::WorkingDaysBetween => Some((dates(2), Ty::Number)),
            Builtin::WeeksWithFewer => {
                Some((vec![Ty::List, Ty::Number, Ty::Date, Ty::Date], Ty::List))
            }
            Builtin::LongestGap => Some((vec![Ty::List], Ty::Number)),
            Builtin::Duplicates => Some((vec![Ty::List], Ty::List)),
            _ => None,
        };
        if let Some((params, result)) = signature {
            for (i, (a, want)) in args.iter().zip(params).enumerate() {
                self.expect(a, want, &format!("argument {} of `{}`", i + 1, f.name));
            }
            return result;
        }
        if matches!(builtin, Builtin::ContainsAll | Builtin::Missing) {
            for (i, a) in args.iter().enumerate() {
                self.expect(a, Ty::List, &format!("argument {} of `{}`", i + 1, f.name));
            }
            return if builtin == Builtin::Missing {
                Ty::List
            } else {
                Ty::Bool
            };
        }
        for (i, a) in args.iter().enumerate() {
            self.expect(
                a,
                Ty::Number,
                &format!("argument {} of `{}`", i + 1, f.name),
            );
        }
        if builtin == Builtin::Round
            && let Some(places) = args.get(1)
            && !matches!(&places.kind, ExprKind::Number(n) if n.fract().is_zero() && *n >= Decimal::ZERO && *n <= Decimal::from(28))
        {
            self.diags.push(
                Diagnostic::error(
                    "the decimals of `round` must be a whole number from 0 to 28",
                    &places.loc,
                )
                .with_label("not a literal whole number")
                .with_help("write e.g. `round(x, 2)`"),
            );
        }
        Ty::Number
    }

    fn check_inputs(&mut self) {
        for item in self.items {
            let Item::Input(input) = item else { continue };
            let numeric = !matches!(input.ty, InputType::Boolean | InputType::Text);
            if !numeric && let Some(b) = input.bounds.first() {
                self.diags.push(
                    Diagnostic::error(
                        format!("a {} input cannot have a range", input.ty.keyword()),
                        &b.loc,
                    )
                    .with_label("range on a non-number")
                    .with_secondary(&input.ty_loc, "declared type"),
                );
            }
            if input.optional && input.required {
                self.diags.push(
                    Diagnostic::error(
                        format!(
                            "input `{}` is both `optional` and `required`",
                            input.name.name
                        ),
                        &input.name.loc,
                    )
                    .with_label("choose one"),
                );
            }
            self.check_range(input);
            if let Some(default) = &input.default {
                if !input.optional {
                    self.diags.push(
                        Diagnostic::error(
                            "only an `optional` input can have a default",
                            &default.loc,
                        )
                        .with_label("default of a required input")
                        .with_help(format!(
                            "write `optional default …` or remove the default of `{}`",
                            input.name.name
                        )),
                    );
                }
                let ty = match &default.kind {
                    ExprKind::Number(_) => Ty::Number,
                    ExprKind::Text(_) => Ty::Text,
                    _ => Ty::Bool,
                };
                let want = self
                    .symbols
                    .get(&input.name.name)
                    .map_or(Ty::Unknown, |s| s.ty);
                if ty != want && want != Ty::Unknown {
                    self.diags.push(
                        Diagnostic::error(
                            format!(
                                "the default of a {} input must be {}",
                                input.ty.keyword(),
                                want.describe()
                            ),
                            &default.loc,
                        )
                        .with_label(format!("this is {}", ty.describe())),
                    );
                } else if let ExprKind::Number(n) = &default.kind {
                    if let Some(b) = input
                        .bounds
                        .iter()
                        .find(|b| !bound_holds(b.op, *n, b.value))
                    {
                        self.diags.push(
                            Diagnostic::error(
                                format!("the default `{n}` is outside the declared range"),
                                &default.loc,
                            )
                            .with_label("out of range")
                            .with_secondary(&b.loc, "this bound"),
                        );
                    }
                    if input.ty == InputType::Integer && !n.fract().is_zero() {
                        self.diags.push(
                            Diagnostic::error(
                                format!("the default `{n}` of an integer input is not whole"),
                                &default.loc,
                            )
                            .with_label("not an integer"),
                        );
                    }
                }
            }
        }
    }

    /// Reports bounds that no value can meet together.
    fn check_range(&mut self, input: &Input) {
        let lower = input
            .bounds
            .iter()
            .filter(|b| matches!(b.op, BoundOp::Ge | BoundOp::Gt))
            .max_by(|a, b| {
                a.value
                    .cmp(&b.value)
                    .then((a.op == BoundOp::Gt).cmp(&(b.op == BoundOp::Gt)))
            });
        let upper = input
            .bounds
            .iter()
            .filter(|b| matches!(b.op, BoundOp::Le | BoundOp::Lt))
            .min_by(|a, b| {
                a.value
                    .cmp(&b.value)
                    .then((a.op == BoundOp::Lt).cmp(&(b.op == BoundOp::Lt)).reverse())
            });
        if let (Some(lo), Some(hi)) = (lower, upper) {
            let empty = lo.value > hi.value
                || (lo.value == hi.value && (lo.op == BoundOp::Gt || hi.op == BoundOp::Lt));
            if empty {
                self.diags.push(
                    Diagnostic::error(
                        format!(
                            "the range of `{}` cannot hold: no value meets every bound",
                            input.name.name
                        ),
                        &hi.loc,
                    )
                    .with_label("this bound")
                    .with_secondary(&lo.loc, "contradicts this one")
                    .with_help("write the lower bound first, e.g. `in 0 .. 100`"),
                );
            }
        }
        if input.ty == InputType::Integer {
            for b in &input.bounds {
                if !b.value.fract().is_zero() {
                    self.diags.push(
                        Diagnostic::warning(
                            format!("integer input `{}` has a fractional bound", input.name.name),
                            &b.loc,
                        )
                        .with_label("not a whole number"),
                    );
                }
            }
        }
    }

    fn element_scope(items: &[Item], list: &str) -> Option<HashMap<String, Ty>> {
        element_scope(items, list)
    }

    fn collection_ty(&mut self, c: &Collection, loc: &Loc) -> Ty {
        let Some(scope) = Self::element_scope(self.items, &c.list.name) else {
            // `sum(x)`, `min(x)`… of a number is the built-in of one argument.
            let numeric = matches!(
                c.op,
                CollectionOp::Sum | CollectionOp::Mean | CollectionOp::Min | CollectionOp::Max
            );
            if numeric
                && c.field.is_none()
                && c.filter.is_none()
                && self.symbols.contains_key(&c.list.name)
            {
                let ty = self.name_ty(&c.list.name, &c.list.loc);
                if ty != Ty::Number && ty != Ty::Unknown {
                    self.diags.push(
                        Diagnostic::error(
                            format!(
                                "argument 1 of `{}` must be a number, found {}",
                                c.op.keyword(),
                                ty.describe()
                            ),
                            &c.list.loc,
                        )
                        .with_label(format!("this is {}", ty.describe())),
                    );
                }
                return Ty::Number;
            }
            if self.symbols.contains_key(&c.list.name) {
                self.name_ty(&c.list.name, &c.list.loc);
                self.diags.push(
                    Diagnostic::error(
                        format!("`{}` is not a collection", c.list.name),
                        &c.list.loc,
                    )
                    .with_label("not a `list of …` input")
                    .with_help(format!(
                        "`{}(…)` aggregates an input declared as `list of …`",
                        c.op.keyword()
                    )),
                );
            } else {
                self.unknown(&c.list.name, &c.list.loc, "collection");
            }
            return Ty::Unknown;
        };
        self.name_ty(&c.list.name, &c.list.loc);
        let numeric_op = matches!(
            c.op,
            CollectionOp::Sum | CollectionOp::Mean | CollectionOp::Min | CollectionOp::Max
        );
        match (&c.field, numeric_op) {
            (Some(f), _) => match scope.get(&f.name) {
                Some(Ty::Number) if numeric_op => {}
                Some(Ty::Date) if matches!(c.op, CollectionOp::Min | CollectionOp::Max) => {}
                Some(ty) if numeric_op => self.diags.push(
                    Diagnostic::error(
                        format!(
                            "field `{}` is {}, but `{}` needs numbers",
                            f.name,
                            ty.describe(),
                            c.op.keyword()
                        ),
                        &f.loc,
                    )
                    .with_label(format!("this is {}", ty.describe())),
                ),
                Some(_) => self.diags.push(
                    Diagnostic::error(
                        format!("`{}` counts elements; it takes no field", c.op.keyword()),
                        &f.loc,
                    )
                    .with_label("field not used")
                    .with_help(format!(
                        "write `{}({} where …)`",
                        c.op.keyword(),
                        c.list.name
                    )),
                ),
                None => {
                    let mut d = Diagnostic::error(
                        format!("`{}` has no field `{}`", c.list.name, f.name),
                        &f.loc,
                    )
                    .with_label("unknown field");
                    if let Some(s) = did_you_mean(&f.name, scope.keys().map(String::as_str)) {
                        d = d.with_help(format!("did you mean `{s}`?"));
                    }
                    self.diags.push(d);
                }
            },
            (None, true) if scope.get("it") != Some(&Ty::Number) => self.diags.push(
                Diagnostic::error(
                    format!(
                        "`{}` needs a number field: write `{}({}.field)`",
                        c.op.keyword(),
                        c.op.keyword(),
                        c.list.name
                    ),
                    loc,
                )
                .with_label("which field?"),
            ),
            _ => {}
        }
        let field_ty = c
            .field
            .as_ref()
            .and_then(|f| scope.get(&f.name))
            .or_else(|| scope.get("it"))
            .copied();
        if let Some(filter) = &c.filter {
            self.scope.push(scope);
            self.expect(filter, Ty::Bool, "the `where` condition");
            self.scope.pop();
        } else if c.op == CollectionOp::Share {
            self.diags.push(
                Diagnostic::error("`share` needs a `where` condition", loc)
                    .with_help(format!("write `share({} where …)`", c.list.name)),
            );
        }
        match c.op {
            CollectionOp::All | CollectionOp::Any | CollectionOp::None => Ty::Bool,
            CollectionOp::Min | CollectionOp::Max if field_ty == Some(Ty::Date) => Ty::Date,
            _ => Ty::Number,
        }
    }

    /// A name used as a cohort column: an input, indicator or score holding numbers.
    fn column(&mut self, column: &Ident, what: &str) {
        let ty = self.name_ty(&column.name, &column.loc);
        let kind = self.symbols.get(&column.name).map(|s| s.kind);
        if kind == Some(SymbolKind::Constant) {
            self.diags.push(
                Diagnostic::error(
                    format!("constant `{}` cannot be {what} across units", column.name),
                    &column.loc,
                )
                .with_label("the same for every unit")
                .with_help("name an input, indicator or score"),
            );
        } else if ty != Ty::Number && ty != Ty::Unknown {
            self.diags.push(
                Diagnostic::error(
                    format!(
                        "`{}` is {}, but only numbers can be {what}",
                        column.name,
                        ty.describe()
                    ),
                    &column.loc,
                )
                .with_label(format!("this is {}", ty.describe())),
            );
        }
    }

    /// Reports a call of an external function with the wrong number of arguments.
    fn external_arity(
        &mut self,
        name: &str,
        loc: &Loc,
        target: crate::hooks::Target,
        given: usize,
    ) {
        let arity = self.externals.arity(target);
        if arity != given {
            self.diags.push(
                Diagnostic::error(
                    format!("`{name}` takes {arity} argument(s), found {given}"),
                    loc,
                )
                .with_label("wrong number of arguments")
                .with_help(format!("`{name}` is the {}", self.externals.origin(target))),
            );
        }
    }

    /// A hook used as a normaliser (`f(x, cohort)`) or aggregator (`f(values, weights)`).
    fn hook_of_two(&mut self, name: &str, loc: &Loc, role: &str) {
        match self.externals.resolve(name) {
            Some(target) => self.external_arity(name, loc, target, 2),
            None => {
                let names = self.externals.names();
                let mut d =
                    Diagnostic::error(format!("no hook function `{name}` to use as {role}"), loc)
                        .with_label("not defined by the hook scripts");
                if let Some(s) = did_you_mean(name, names.iter().map(String::as_str)) {
                    d = d.with_help(format!("did you mean `{s}`?"));
                } else {
                    d = d.with_help("define it in a script named by `hooks \"…\"`");
                }
                self.diags.push(d);
            }
        }
    }

    fn check_method(&mut self, method: &Method, loc: &Loc) {
        if let Method::Hook(name) = method {
            self.hook_of_two(name, loc, "a normaliser");
        }
        if let Method::Composite(n) = method {
            self.check_composite(n, loc);
        }
        if let Method::Goalposts(lo, hi) = method
            && lo >= hi
        {
            self.diags.push(
                Diagnostic::error(format!("goalposts `{lo} .. {hi}` are empty: the low post must be below the high one"), loc)
                    .with_label("empty goalposts")
                    .with_help("write the worst value first and state the direction: `goalposts 0 .. 100 lower is better`"),
            );
        }
        if let Method::Distance(unit) = method
            && unit.trim().is_empty()
        {
            self.diags.push(
                Diagnostic::error("`distance to` needs the name of a unit", loc)
                    .with_label("no unit"),
            );
        }
    }

    fn rank_spec(&mut self, r: &RankSpec) {
        self.column(&r.column, "ranked");
        self.check_rank_group(r);
        if let Some(c) = &r.cohort {
            self.expect(c, Ty::Bool, "the `among` condition");
        }
    }

    fn check_ranks_and_sensitivity(&mut self) {
        for item in self.items {
            match item {
                Item::Rank(rank) => self.rank_spec(&rank.spec),
                Item::Sensitivity(sens) => {
                    if let Some((v, loc)) = &sens.weights_vary
                        && (*v <= Decimal::ZERO || *v >= Decimal::ONE)
                    {
                        self.diags.push(
                            Diagnostic::error(
                                format!(
                                    "weights can vary by more than 0% and less than 100%, not {}",
                                    as_percent(*v)
                                ),
                                loc,
                            )
                            .with_label("out of range")
                            .with_help("write e.g. `weights vary 25%`"),
                        );
                    }
                    if let [(_, loc)] = sens.alternatives.as_slice() {
                        self.diags.push(
                            Diagnostic::error("`alternatives` needs at least two methods", loc)
                                .with_help("write e.g. `alternatives max, minmax`"),
                        );
                    }
                    for (m, loc) in &sens.alternatives {
                        if matches!(
                            m,
                            Method::Goalposts(..) | Method::Distance(_) | Method::Composite(_)
                        ) {
                            self.diags.push(
                                Diagnostic::error(
                                    format!(
                                        "`{}` has parameters and cannot be an alternative",
                                        m.describe()
                                    ),
                                    loc,
                                )
                                .with_label("parameterised method")
                                .with_help(
                                    "alternatives are max, minmax, zscore, percentile and rank",
                                ),
                            );
                        }
                    }
                    if sens.weights_vary.is_none() && sens.alternatives.is_empty() {
                        self.diags.push(
                            Diagnostic::error("`sensitivity` perturbs nothing", &sens.keyword.loc)
                                .with_help("add `weights vary 25%` or `alternatives max, minmax`"),
                        );
                    }
                }
                _ => {}
            }
        }
    }

    /// Tests name inputs' data fields, rules, values, ranks and their own units.
    fn check_tests(&mut self) {
        let fields: Vec<String> = self
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Input(input) => Some(
                    input
                        .field
                        .clone()
                        .unwrap_or_else(|| input.name.name.clone()),
                ),
                _ => None,
            })
            .collect();
        let rules: Vec<&str> = self
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Rule(r) => Some(r.name.name.as_str()),
                _ => None,
            })
            .collect();
        let ranks: Vec<&str> = self
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Rank(_) => Some(i.ident().name.as_str()),
                _ => None,
            })
            .collect();
        for item in self.items {
            let Item::Test(test) = item else { continue };
            let mut units: HashMap<&str, &Loc> = HashMap::new();
            for given in &test.given {
                if let Some(first) = units.insert(&given.unit, &given.loc) {
                    self.diags.push(
                        Diagnostic::error(
                            format!(
                                "unit `{}` is given twice in test `{}`",
                                given.unit, test.name.name
                            ),
                            &given.loc,
                        )
                        .with_secondary(first, "first given here"),
                    );
                }
                for (field, _) in &given.fields {
                    if !fields.contains(&field.name) {
                        let mut d = Diagnostic::error(
                            format!("`{}` is not a field any input reads", field.name),
                            &field.loc,
                        )
                        .with_label("unknown field");
                        if let Some(s) =
                            did_you_mean(&field.name, fields.iter().map(String::as_str))
                        {
                            d = d.with_help(format!("did you mean `{s}`?"));
                        }
                        self.diags.push(d);
                    }
                }
            }
            for e in &test.expect {
                if !units.contains_key(e.unit.as_str()) {
                    self.diags.push(
                        Diagnostic::error(
                            format!("test `{}` gives no unit `{}`", test.name.name, e.unit),
                            &e.loc,
                        )
                        .with_label("unit not given")
                        .with_help(format!("add `given \"{}\" …` to the test", e.unit)),
                    );
                }
                let (name, known, what) = match &e.kind {
                    Expected::Finding { rule, .. } => {
                        (rule, rules.contains(&rule.name.as_str()), "rule")
                    }
                    Expected::Rank { key, .. } => (key, ranks.contains(&key.name.as_str()), "rank"),
                    Expected::Value { name, .. } => (
                        name,
                        self.symbols.get(&name.name).is_some_and(|s| {
                            matches!(s.kind, SymbolKind::Indicator | SymbolKind::Score)
                        }),
                        "indicator or score",
                    ),
                };
                if !known {
                    let candidates: Vec<&str> = match &e.kind {
                        Expected::Finding { .. } => rules.clone(),
                        Expected::Rank { .. } => ranks.clone(),
                        Expected::Value { .. } => self.symbols.keys().map(String::as_str).collect(),
                    };
                    let mut d = Diagnostic::error(
                        format!("unknown {what} `{}` in test", name.name),
                        &name.loc,
                    )
                    .with_label("not declared");
                    if let Some(s) = did_you_mean(&name.name, candidates) {
                        d = d.with_help(format!("did you mean `{s}`?"));
                    }
                    self.diags.push(d);
                }
            }
        }
    }

    fn check_scores(&mut self) {
        for item in self.items {
            let Item::Score(score) = item else { continue };
            let mut seen: HashMap<&str, &Loc> = HashMap::new();
            for m in &score.members {
                if let Some(first) = seen.insert(&m.name.name, &m.name.loc) {
                    self.diags.push(
                        Diagnostic::error(
                            format!(
                                "`{}` appears twice in score `{}`",
                                m.name.name, score.name.name
                            ),
                            &m.name.loc,
                        )
                        .with_label("again")
                        .with_secondary(first, "first here")
                        .with_help("give it a larger weight instead of listing it twice"),
                    );
                }
                match (&m.weight, score.weighted) {
                    (Some((_, loc)), false) => self.diags.push(
                        Diagnostic::error(
                            format!(
                                "a weight in an unweighted `{} of`",
                                score.aggregation.describe()
                            ),
                            loc,
                        )
                        .with_label("weight")
                        .with_help(if score.aggregation.is_outranking() {
                            format!(
                                "write `weighted {} of` to weight the members",
                                score.aggregation.describe()
                            )
                        } else {
                            "write `weighted mean of` to weight the members of a mean".into()
                        }),
                    ),
                    (None, true) => self.diags.push(
                        Diagnostic::error(
                            format!("`{}` has no weight in a weighted mean", m.name.name),
                            &m.name.loc,
                        )
                        .with_label("no weight")
                        .with_help(format!("write `{} weight 0.5`", m.name.name)),
                    ),
                    (Some((w, loc)), true) if *w <= Decimal::ZERO => self.diags.push(
                        Diagnostic::error(format!("weight `{w}` must be greater than 0"), loc)
                            .with_label("not positive"),
                    ),
                    _ => {}
                }
            }
            if score.weighted && score.members.iter().all(|m| m.weight.is_some()) {
                let total = score
                    .members
                    .iter()
                    .filter_map(|m| m.weight.as_ref().map(|w| w.0))
                    .try_fold(Decimal::ZERO, Decimal::checked_add);
                if total != Some(Decimal::ONE) {
                    let total = total.map_or_else(
                        || "more than can be represented".to_string(),
                        |t| t.to_string(),
                    );
                    self.diags.push(
                        Diagnostic::error(format!("the weights of `{}` sum to {total}, not 1", score.name.name), &score.loc)
                            .with_label("weights")
                            .with_help("weights are not rescaled silently; make them sum to 1, or use `mean of` for equal weights"),
                    );
                }
            }
            if let Aggregation::Hook(name) = &score.aggregation {
                self.hook_of_two(name, &score.loc, "an aggregator");
            }
            self.check_composite_score(score);
            if let Aggregation::Power(p) = score.aggregation
                && p.is_zero()
            {
                self.diags.push(
                    Diagnostic::error(
                        "a power mean with exponent 0 is the geometric mean",
                        &score.loc,
                    )
                    .with_label("exponent 0")
                    .with_help("write `geometric mean of`"),
                );
            }
            if let Some((MissingPolicy::Exclude(Some(share)), loc)) = &score.missing
                && (*share <= Decimal::ZERO || *share > Decimal::ONE)
            {
                self.diags.push(
                    Diagnostic::error(format!("the share of members required must be above 0% and at most 100%, not {}", as_percent(*share)), loc)
                        .with_label("out of range")
                        .with_help("write e.g. `missing exclude at least 50%`"),
                );
            }
            if let Some((method, cohort, loc)) = &score.rescale {
                self.check_method(method, loc);
                if let Some(c) = cohort {
                    self.expect(c, Ty::Bool, "the `among` condition");
                }
            }
        }
    }

    fn check_rules(&mut self) {
        for item in self.items {
            let Item::Rule(rule) = item else { continue };
            if let Some(crate::parse::ast::Target {
                loc,
                baseline: Some(_),
                ..
            }) = &rule.target
            {
                let simple = rule
                    .require
                    .first()
                    .is_some_and(|r| r.as_threshold().is_some());
                if !simple {
                    self.diags.push(
                        Diagnostic::error(
                            "a target with a baseline needs a requirement `value >= number` (or >, <=, <)",
                            loc,
                        )
                        .with_label("no straight line to a yes/no target")
                        .with_help("write e.g. `require share_level_4 >= 50% by 2025 from 10% in 2019`"),
                    );
                }
            }
            for (clause, loc) in &rule.repeated {
                self.diags.push(
                    Diagnostic::error(
                        format!("rule `{}` has more than one `{clause}`", rule.name.name),
                        loc,
                    )
                    .with_label("repeated clause"),
                );
            }
            match rule.require.as_slice() {
                [] => self.diags.push(
                    Diagnostic::error(
                        format!("rule `{}` has no `require`", rule.name.name),
                        &rule.name.loc,
                    )
                    .with_label("nothing to check")
                    .with_help("add `require <condition>`"),
                ),
                [_] => {}
                [_, second, ..] => self.diags.push(
                    Diagnostic::error(
                        format!("rule `{}` has more than one `require`", rule.name.name),
                        &second.loc,
                    )
                    .with_label("second requirement")
                    .with_help("join them with `and`, or write two rules"),
                ),
            }
            if let Some(when) = &rule.when {
                self.expect(when, Ty::Bool, "the `when` condition");
            }
            for req in &rule.require {
                self.expect(req, Ty::Bool, "the `require` condition");
            }
            if let Some((parts, _)) = &rule.message {
                for part in parts {
                    if let MessagePart::Value { name, .. } = part {
                        let last_year = name
                            .name
                            .strip_prefix("previous ")
                            .map(str::trim)
                            .filter(|of| self.symbols.contains_key(*of));
                        if let Some(of) = last_year {
                            self.previous_of(&crate::parse::ast::Ident {
                                name: of.to_string(),
                                loc: name.loc.clone(),
                            });
                        } else if self.symbols.contains_key(&name.name) {
                            self.name_ty(&name.name, &name.loc);
                        } else {
                            self.unknown(&name.name, &name.loc, "name in message");
                        }
                    }
                }
            }
        }
    }

    fn unused_inputs(&mut self) {
        for item in self.items {
            if let Item::Input(input) = item
                && !self.used.contains_key(&input.name.name)
            {
                self.diags.push(
                    Diagnostic::warning(
                        format!("input `{}` is never used", input.name.name),
                        &input.name.loc,
                    )
                    .with_label("declared here")
                    .with_help("use it in an indicator or rule, or remove it"),
                );
            }
        }
    }
}

/// A fraction written as a percentage: 1.2 → `120%`.
fn as_percent(v: Decimal) -> String {
    match v.checked_mul(Decimal::ONE_HUNDRED) {
        Some(p) => format!("{}%", p.normalize()),
        None => v.to_string(),
    }
}

/// The element scope of a collection input: its record fields, or `it`.
pub fn element_scope(items: &[Item], list: &str) -> Option<HashMap<String, Ty>> {
    let ty = |t: InputType| match t {
        InputType::Boolean => Ty::Bool,
        InputType::Text => Ty::Text,
        InputType::Date => Ty::Date,
        _ => Ty::Number,
    };
    items.iter().find_map(|i| match i {
        Item::Input(input) if input.name.name == list => match &input.list {
            Some(ListOf::Records(fields)) => Some(
                fields
                    .iter()
                    .map(|f| (f.name.name.clone(), ty(f.ty)))
                    .collect(),
            ),
            Some(ListOf::Values(t)) => Some(HashMap::from([("it".to_string(), ty(*t))])),
            None => None,
        },
        _ => None,
    })
}

/// Does `value op limit` hold?
pub fn bound_holds(op: BoundOp, value: Decimal, limit: Decimal) -> bool {
    match op {
        BoundOp::Ge => value >= limit,
        BoundOp::Gt => value > limit,
        BoundOp::Le => value <= limit,
        BoundOp::Lt => value < limit,
    }
}

/// The diagnostic when `e`, of type `ty`, is not of type `want` (`Unknown` fits anything:
/// its error was reported where it arose).
fn mismatch(e: &Expr, ty: Ty, want: Ty, context: &str) -> Option<Diagnostic> {
    (ty != want && ty != Ty::Unknown).then(|| {
        Diagnostic::error(
            format!(
                "{context} must be {}, found {}",
                want.describe(),
                ty.describe()
            ),
            &e.loc,
        )
        .with_label(format!("this is {}", ty.describe()))
    })
}

/// Every name referenced in `e`, with its location (function names excluded).
pub fn names_in(e: &Expr, out: &mut Vec<(String, Loc)>) {
    match &e.kind {
        ExprKind::Name(n) => out.push((n.clone(), e.loc.clone())),
        ExprKind::Unary(_, x) => names_in(x, out),
        ExprKind::Binary(_, a, b) => {
            names_in(a, out);
            names_in(b, out);
        }
        ExprKind::If(c, a, b) => {
            names_in(c, out);
            names_in(a, out);
            names_in(b, out);
        }
        ExprKind::Call(_, args) => args.iter().for_each(|a| names_in(a, out)),
        ExprKind::Normalise(n) => {
            out.push((n.column.name.clone(), n.column.loc.clone()));
            if let Some(c) = &n.cohort {
                names_in(c, out);
            }
        }
        ExprKind::Rank(r) => {
            out.push((r.column.name.clone(), r.column.loc.clone()));
            if let Some(c) = &r.cohort {
                names_in(c, out);
            }
        }
        ExprKind::Collection(c) => {
            out.push((c.list.name.clone(), c.list.loc.clone()));
            if let Some(f) = &c.filter {
                names_in(f, out);
            }
        }
        ExprKind::List(items) => items.iter().for_each(|i| names_in(i, out)),
        ExprKind::Project(list, _) => out.push((list.name.clone(), list.loc.clone())),
        ExprKind::Audit(a) => {
            for c in a.columns() {
                out.push((c.name.clone(), c.loc.clone()));
            }
            // Last year's value is a slot of its own (no dependency of this year's order).
            if let Some(p) = a.previous() {
                out.push((
                    crate::parse::audit::previous_slot_name(&p.name),
                    p.loc.clone(),
                ));
            }
            if let Some(c) = a.condition() {
                names_in(c, out);
            }
        }
        ExprKind::Number(_) | ExprKind::Date(_) | ExprKind::Text(_) | ExprKind::Bool(_) => {}
    }
}
