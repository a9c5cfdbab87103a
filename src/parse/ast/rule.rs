//! Rules and tests in the syntax tree: a rule's clauses, severity, message and target;
//! a `test` block's given values and expectations.

use rust_decimal::Decimal;

use super::{Expr, Ident, Label};
use crate::source::Loc;

/// How serious a rule's failure is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Blocks: `chiso run` exits 1.
    Error,
    /// Reported, does not change the exit code.
    Warning,
    /// For information.
    Info,
}

impl Severity {
    /// The keyword.
    pub fn keyword(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// A piece of a message template.
#[derive(Debug, Clone, PartialEq)]
pub enum MessagePart {
    /// Literal text.
    Text(String),
    /// `{unit}`: the unit's name.
    Unit,
    /// `{name}` or `{name:2}`.
    Value {
        /// The quoted name.
        name: Ident,
        /// Decimals to show.
        decimals: Option<u32>,
    },
}

/// `rule id "title" …`.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// Its id.
    pub name: Ident,
    /// Title.
    pub label: Label,
    /// Severity clause (default `error`).
    pub severity: Option<(Severity, Loc)>,
    /// `when` condition.
    pub when: Option<Expr>,
    /// `require` clauses (exactly one is valid).
    pub require: Vec<Expr>,
    /// Message template.
    pub message: Option<(Vec<MessagePart>, Loc)>,
    /// Citation.
    pub cite: Option<String>,
    /// Clauses written more than once: (clause keyword, location).
    pub repeated: Vec<(&'static str, Loc)>,
    /// `in force from … until …`.
    pub in_force: Option<(i32, Option<i32>)>,
    /// `by YEAR [from VALUE in YEAR]`.
    pub target: Option<Target>,
}

/// A rule's `by YEAR [from VALUE in YEAR]` or `by DATE [...]` clause.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// The target year (the deadline's year for `by DATE`).
    pub year: i32,
    /// `by DATE`: the deadline, as days since 1970-01-01; data dated after it is judged.
    pub deadline: Option<i32>,
    /// `from VALUE in YEAR`: the baseline value and its year.
    pub baseline: Option<(Decimal, i32)>,
    /// Where the clause was written.
    pub loc: Loc,
}

/// `test "name" given … expect …`.
#[derive(Debug, Clone, PartialEq)]
pub struct Test {
    /// Its name, with the location of the `test` keyword's string.
    pub name: Ident,
    /// The units of its data: name, fields (name, literal) and location.
    pub given: Vec<Given>,
    /// What must come out.
    pub expect: Vec<Expectation>,
}

/// One unit of a test's data.
#[derive(Debug, Clone, PartialEq)]
pub struct Given {
    /// The unit.
    pub unit: String,
    /// Field values as literals.
    pub fields: Vec<(Ident, Expr)>,
    /// Where the clause is.
    pub loc: Loc,
}

/// One expectation of a test.
#[derive(Debug, Clone, PartialEq)]
pub struct Expectation {
    /// What is expected.
    pub kind: Expected,
    /// The unit it is about.
    pub unit: String,
    /// Where it is written.
    pub loc: Loc,
}

/// The kinds of expectation.
#[derive(Debug, Clone, PartialEq)]
pub enum Expected {
    /// A finding's status.
    Finding {
        /// The rule.
        rule: Ident,
        /// The status: pass, fail, error or skip.
        status: String,
    },
    /// A value, exactly, within a tolerance, or at a number of decimals.
    Value {
        /// The indicator, score or input.
        name: Ident,
        /// The expected value, as written.
        value: Decimal,
        /// Largest accepted difference.
        within: Option<Decimal>,
        /// Compare after rounding both half-up to this many decimals.
        decimals: Option<u32>,
    },
    /// A declared rank.
    Rank {
        /// The rank's key.
        key: Ident,
        /// The expected rank.
        rank: usize,
    },
}
