//! How the data is read: `as fraction` belongs to a percent, a thousands separator is one
//! of `.` `,` or a space and differs from the decimal separator, missing markers are not
//! blank, and one written name stands for one unit.

use std::collections::HashMap;

use super::Checker;
use crate::diagnostic::Diagnostic;
use crate::parse::ast::{Header, InputType, Item};

impl Checker<'_> {
    /// The header's reading clauses, `as fraction` and the `alias` declarations.
    pub(super) fn check_data_reading(&mut self, header: &Header) {
        let reading = &header.reading;
        let decimal = match &reading.decimal_comma {
            Some((true, _)) => ',',
            _ => '.',
        };
        if let Some((t, loc)) = &reading.thousands {
            if !matches!(t.as_str(), "." | "," | " ") {
                self.diags.push(
                    Diagnostic::error(
                        format!("`thousands {t:?}` is not a grouping character"),
                        loc,
                    )
                    .with_label("expected \".\", \",\" or \" \"")
                    .with_help("published figures group thousands with a dot, a comma or a space"),
                );
            } else if t.starts_with(decimal) {
                self.diags.push(
                    Diagnostic::error(
                        format!("`thousands {t:?}` is also the decimal separator"),
                        loc,
                    )
                    .with_label("the same character cannot be both")
                    .with_help(if decimal == ',' {
                        "with `decimal comma`, thousands are grouped with \".\" or \" \""
                    } else {
                        "declare `decimal comma` if the decimals are written with a comma"
                    }),
                );
            }
        }
        if let Some((markers, loc)) = &reading.missing
            && markers.iter().any(|m| m.trim().is_empty())
        {
            self.diags.push(
                Diagnostic::error("a missing marker is blank", loc)
                    .with_label("an empty cell is always missing; list only texts such as \"NA\"")
                    .with_help("remove the empty string from the list"),
            );
        }
        let mut canonical_of: HashMap<String, (&str, &crate::source::Loc)> = HashMap::new();
        for item in self.items {
            match item {
                Item::Input(i) if i.fraction.is_some() && i.ty != InputType::Percent => {
                    if let Some(loc) = &i.fraction {
                        self.diags.push(
                            Diagnostic::error(
                                format!(
                                    "`as fraction` is declared on `{}`, which is not a percent",
                                    i.name.name
                                ),
                                loc,
                            )
                            .with_label(format!("`{}` is {}", i.name.name, i.ty.keyword()))
                            .with_help("`as fraction` says a percent's data holds 0.85 for 85%"),
                        );
                    }
                }
                Item::Alias(a) => {
                    for (name, loc) in &a.names {
                        let key = crate::data::names::nfc(name.trim());
                        match canonical_of.get(&key) {
                            Some((other, first)) if *other != a.canonical.0.as_str() => {
                                self.diags.push(
                                    Diagnostic::error(
                                        format!(
                                            "`{name}` is an alias of two units, `{other}` and `{}`",
                                            a.canonical.0
                                        ),
                                        loc,
                                    )
                                    .with_label(format!("here for `{}`", a.canonical.0))
                                    .with_secondary(first, format!("first for `{other}`"))
                                    .with_help("a written name can stand for one unit only"),
                                );
                            }
                            _ => {
                                canonical_of.insert(key, (&a.canonical.0, loc));
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }
}
