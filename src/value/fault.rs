//! Why a value or finding could not be decided.

use std::fmt;

use rust_decimal::Decimal;

use crate::source::Loc;

/// The reason a value is missing, invalid or could not be computed. A finding that
/// depends on it has status `error`, never `pass`.
#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    /// A required input is absent from the unit's record.
    Missing {
        /// The input.
        input: String,
        /// The data field.
        field: String,
    },
    /// A field's value does not fit the input's declared type.
    Invalid {
        /// The input.
        input: String,
        /// The data field.
        field: String,
        /// The value as written.
        found: String,
        /// What the declaration expects.
        expected: String,
    },
    /// A value outside the declared range.
    OutOfRange {
        /// The input.
        input: String,
        /// The value.
        value: Decimal,
        /// The bound it breaks, e.g. `>= 0`.
        bound: String,
    },
    /// Division by zero.
    DivisionByZero {
        /// The division.
        at: Loc,
    },
    /// A result too large for exact decimal arithmetic.
    Overflow {
        /// The operation.
        at: Loc,
    },
    /// A hook script or native function failed, was stopped by the sandbox, or returned
    /// something unusable.
    Hook {
        /// The function and where it is defined (and where it stopped).
        origin: String,
        /// What happened.
        message: String,
        /// The call in the rule file.
        at: Loc,
    },
    /// A value of another kind than its place needs (only a hook's result can be).
    WrongKind {
        /// What was found and what was expected.
        what: String,
    },
    /// A computation that would nest beyond chiso's limits.
    TooDeep {
        /// What was too deep.
        what: String,
    },
    /// Every member of a score is missing (`missing exclude` leaves nothing to aggregate).
    MissingMembers {
        /// Each member with the reason it is missing.
        members: Vec<String>,
    },
    /// `previous x` without a value: no previous year was given, or it lacks the unit or
    /// its `x`.
    Previous {
        /// `x`.
        name: String,
        /// Why there is no value.
        why: String,
        /// The previous year was given but has no value here (a presence test answers
        /// `missing`); otherwise the run could not look.
        missing: bool,
    },
    /// An operation outside its domain (square root of a negative number…).
    Domain {
        /// The operation.
        at: Loc,
        /// What went wrong.
        what: String,
    },
}

impl Fault {
    /// A value absent from the data (an input, or every member of a score), as opposed
    /// to one that could not be computed: `missing exclude` and `missing zero` apply.
    pub fn is_missing(&self) -> bool {
        matches!(
            self,
            Fault::Missing { .. }
                | Fault::MissingMembers { .. }
                | Fault::Previous { missing: true, .. }
        )
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let expr = |at: &Loc| at.text().split_whitespace().collect::<Vec<_>>().join(" ");
        match self {
            Fault::Missing { input, field } if input == field => write!(f, "`{input}` is missing"),
            Fault::Missing { input, field } => write!(f, "`{input}` (field `{field}`) is missing"),
            Fault::Invalid {
                input,
                field,
                found,
                expected,
            } => {
                if input == field {
                    write!(f, "`{input}` is {found}, expected {expected}")
                } else {
                    write!(
                        f,
                        "`{input}` (field `{field}`) is {found}, expected {expected}"
                    )
                }
            }
            Fault::OutOfRange {
                input,
                value,
                bound,
            } => {
                write!(
                    f,
                    "`{input}` is {value}, outside its declared range (must be {bound})"
                )
            }
            Fault::DivisionByZero { at } => write!(f, "division by zero in `{}` ({at})", expr(at)),
            Fault::Overflow { at } => write!(f, "number too large in `{}` ({at})", expr(at)),
            Fault::Domain { at, what } => write!(f, "{what} in `{}` ({at})", expr(at)),
            Fault::Previous { name, why, .. } => write!(f, "`previous {name}`: {why}"),
            Fault::TooDeep { what } | Fault::WrongKind { what } => f.write_str(what),
            Fault::MissingMembers { members } => {
                write!(f, "every member is missing: {}", members.join(", "))
            }
            Fault::Hook {
                origin,
                message,
                at,
            } => {
                write!(
                    f,
                    "hook {origin}: {message} (called by `{}` at {at})",
                    expr(at)
                )
            }
        }
    }
}
