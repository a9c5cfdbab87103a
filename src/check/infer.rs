//! Type inference: the type of every constant, indicator and expression in evaluation
//! order, operands and arguments checked against what they need, collection conditions
//! over a list's elements, calls to built-in and external functions.

use std::collections::HashMap;
use std::fmt;

use rust_decimal::Decimal;

use super::{Builtin, Checker, SymbolKind, Ty};
use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::parse::ast::*;
use crate::source::Loc;

impl Checker<'_> {
    pub(super) fn infer(&mut self, order: &[usize]) {
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

    pub(super) fn set_ty(&mut self, name: &str, ty: Ty) {
        if let Some(sym) = self.symbols.get_mut(name) {
            sym.ty = ty;
        }
    }

    pub(super) fn name_ty(&mut self, name: &str, loc: &Loc) -> Ty {
        if let Some(ty) = self.scope.iter().rev().find_map(|s| s.get(name)) {
            return *ty;
        }
        match self.symbols.get(name) {
            Some(sym) => {
                // Names are read far more often than inputs are declared: allocate once.
                if sym.kind == SymbolKind::Input && !self.used.contains_key(name) {
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

    pub(super) fn expect(&mut self, e: &Expr, want: Ty, context: impl fmt::Display) -> Ty {
        let ty = self.expr_ty(e);
        if let Some(d) = mismatch(e, ty, want, context) {
            self.diags.push(d);
        }
        ty
    }

    pub(super) fn expr_ty(&mut self, e: &Expr) -> Ty {
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
                    if let Some(d) = mismatch(a, ta, want, format_args!("the left side of `{sym}`"))
                    {
                        self.diags.insert(after_a, d);
                    }
                    if let Some(d) =
                        mismatch(b, tb, want, format_args!("the right side of `{sym}`"))
                    {
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

    pub(super) fn call_ty(&mut self, f: &Ident, args: &[Expr]) -> Ty {
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
                self.expect(a, want, format_args!("argument {} of `{}`", i + 1, f.name));
            }
            return result;
        }
        if matches!(builtin, Builtin::ContainsAll | Builtin::Missing) {
            for (i, a) in args.iter().enumerate() {
                self.expect(
                    a,
                    Ty::List,
                    format_args!("argument {} of `{}`", i + 1, f.name),
                );
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
                format_args!("argument {} of `{}`", i + 1, f.name),
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

    pub(super) fn element_scope(items: &[Item], list: &str) -> Option<HashMap<String, Ty>> {
        element_scope(items, list)
    }

    pub(super) fn collection_ty(&mut self, c: &Collection, loc: &Loc) -> Ty {
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

    /// Reports a call of an external function with the wrong number of arguments.
    pub(super) fn external_arity(
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

/// The diagnostic when `e`, of type `ty`, is not of type `want` (`Unknown` fits anything:
/// its error was reported where it arose). `context` is only written out for a mismatch:
/// nearly every operand checks, and formatting it each time was a string per operator.
fn mismatch(e: &Expr, ty: Ty, want: Ty, context: impl fmt::Display) -> Option<Diagnostic> {
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
