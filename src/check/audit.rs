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
        match a {
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
