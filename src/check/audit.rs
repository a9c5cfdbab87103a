//! Checks of the auditing constructs: presence applies to inputs, ranks read numbers,
//! a declared rounding belongs to a published `decimal`.

use super::{Checker, SymbolKind, Ty};
use crate::diagnostic::Diagnostic;
use crate::parse::ast::{InputType, Item};
use crate::parse::audit::AuditExpr;

impl Checker<'_> {
    /// The type of an auditing expression, reporting misuse.
    pub(super) fn audit_ty(&mut self, a: &AuditExpr) -> Ty {
        if let Some(c) = a.condition() {
            self.expect(c, Ty::Bool, "the condition");
        }
        if let Some(name) = a.previous() {
            self.previous_of(name);
        }
        match a {
            AuditExpr::Presence { previous: true, .. } => Ty::Bool,
            AuditExpr::Previous { .. } | AuditExpr::Change { .. } => Ty::Number,
            AuditExpr::Presence { input, .. } => {
                self.name_ty(&input.name, &input.loc);
                let kind = self.symbols.get(&input.name).map(|s| s.kind);
                if kind.is_some() && kind != Some(SymbolKind::Input) {
                    self.diags.push(
                        Diagnostic::error(
                            format!(
                                "only an input can be present or missing; `{}` is computed",
                                input.name
                            ),
                            &input.loc,
                        )
                        .with_label("not an input")
                        .with_help("test the inputs it is computed from"),
                    );
                }
                Ty::Bool
            }
            AuditExpr::UnitCount { .. } => Ty::Number,
            AuditExpr::RankBound { column, .. } => {
                self.column(column, "ranked");
                Ty::Number
            }
            AuditExpr::RankCheck { rank, column, .. } => {
                self.column(rank, "compared as ranks");
                self.column(column, "ranked");
                Ty::Bool
            }
        }
    }

    /// `previous x` (and `change of x …`) reads last year's number `x`: an input, indicator
    /// or score of this rule set that holds a number.
    pub(super) fn previous_of(&mut self, name: &crate::parse::ast::Ident) {
        let ty = self.name_ty(&name.name, &name.loc);
        if ty != Ty::Number && ty != Ty::Unknown {
            self.diags.push(
                Diagnostic::error(
                    format!(
                        "`previous` reads last year's number; `{}` is {}",
                        name.name,
                        ty.describe()
                    ),
                    &name.loc,
                )
                .with_label("not a number")
                .with_help("previous-year values are numbers: inputs, indicators or scores"),
            );
            return;
        }
        if self
            .symbols
            .get(&name.name)
            .is_some_and(|s| s.kind == SymbolKind::Constant)
        {
            self.diags.push(
                Diagnostic::error(
                    format!("`{}` is a constant: it has no previous year", name.name),
                    &name.loc,
                )
                .with_label("a constant")
                .with_help("use `previous` with an input, indicator or score"),
            );
            return;
        }
        if ty == Ty::Number {
            self.previous
                .entry(name.name.clone())
                .or_insert_with(|| name.loc.clone());
        }
    }

    /// `rounded …` is how a published figure was rounded: only a `decimal` has one.
    pub(super) fn check_input_rounding(&mut self) {
        for item in self.items {
            if let Item::Input(i) = item
                && i.rounding.is_some()
                && (i.ty != InputType::Decimal || i.list.is_some())
            {
                self.diags.push(
                    Diagnostic::error(
                        format!(
                            "`rounded` is declared on `{}`, which is not a published `decimal`",
                            i.name.name
                        ),
                        &i.name.loc,
                    )
                    .with_label(format!("declared as {}", i.ty.keyword()))
                    .with_help("declare the input `decimal` to read it as a printed figure"),
                );
            }
        }
    }
}
