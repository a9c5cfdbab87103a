//! How a number is shown to a person: values keep their type up to the report.
//!
//! The JSON report has every digit and no types; text, CSV, HTML and rule messages show
//! a percent as a percent (`78.5%`, a difference of two percents as `1.5 points`), a
//! published `decimal` with the digits it was published with (`0.7320`), a computed
//! value at its declared `display` precision or, without one, at most
//! [`DEFAULT_DECIMALS`] decimals, and a raw input exactly as it was given.

use rust_decimal::Decimal;

use crate::compile::{Program, Rounding, SlotKind};
use crate::parse::ast::InputType;

/// Most decimals of a computed value without a declared `display` (rounded half-up,
/// trailing zeros dropped).
pub const DEFAULT_DECIMALS: u32 = 4;

/// Most decimals of the bounds of a `~=` interval.
pub const INTERVAL_DECIMALS: u32 = 6;

/// What a number stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Style {
    /// Computed (indicator, score): declared decimals, else at most [`DEFAULT_DECIMALS`].
    #[default]
    Computed,
    /// A raw input: shown exactly as given.
    Exact,
    /// A `decimal` input, a published figure: shown with the digits it was written with.
    Published,
    /// A `percent` input: a fraction shown as a percentage.
    Percent,
}

/// How one named value is shown.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct NumberFormat {
    /// What the number stands for.
    pub style: Style,
    /// Declared decimals (of the percentage, for a percent).
    pub decimals: Option<u32>,
    /// How they are rounded.
    pub rounding: Rounding,
}

impl NumberFormat {
    /// The format of a slot, from its declaration.
    pub fn of_slot(program: &Program, slot: usize) -> Self {
        let Some(info) = program.slots.get(slot) else {
            return Self::default();
        };
        let style = match (info.kind, info.input_type) {
            (SlotKind::Input, Some(InputType::Percent)) => Style::Percent,
            (SlotKind::Input, Some(InputType::Decimal)) => Style::Published,
            (SlotKind::Input, _) => Style::Exact,
            _ => Style::Computed,
        };
        Self {
            style,
            decimals: info.display,
            rounding: info.rounding,
        }
    }

    /// Shows a number: `78.5%`, `0.7320`, `0.7350`.
    pub fn number(&self, n: Decimal) -> String {
        match self.style {
            Style::Percent => format!("{}%", self.figure(percent_figure(n), 2)),
            Style::Published => match self.decimals {
                Some(d) => crate::value::round(n, d, self.rounding).to_string(),
                None => n.to_string(),
            },
            Style::Exact => match self.decimals {
                Some(d) => crate::value::round(n, d, self.rounding).to_string(),
                None => n.normalize().to_string(),
            },
            Style::Computed => self.figure(n, DEFAULT_DECIMALS),
        }
    }

    /// Shows the difference of two such numbers: a difference of percents is in
    /// percentage points (`1.5 points`).
    pub fn difference(&self, n: Decimal) -> String {
        match self.style {
            Style::Percent => {
                let p = self.figure(percent_figure(n), 2);
                let unit = if p == "1" || p == "-1" {
                    "point"
                } else {
                    "points"
                };
                format!("{p} {unit}")
            }
            Style::Computed => self.figure(n, DEFAULT_DECIMALS),
            // A difference of published figures has as many decimals as they do; raw
            // inputs are exact.
            Style::Published | Style::Exact => match self.decimals {
                Some(d) => crate::value::round(n, d, self.rounding).to_string(),
                None => n.normalize().to_string(),
            },
        }
    }

    /// Declared decimals, or at most `default` with trailing zeros dropped.
    fn figure(&self, n: Decimal, default: u32) -> String {
        match self.decimals {
            Some(d) => crate::value::round(n, d, self.rounding).to_string(),
            None => at_most(n, default),
        }
    }

    /// Shows a value of the JSON report; numbers in this format, lists item by item,
    /// `null` as `missing`.
    pub fn json(&self, v: &serde_json::Value) -> String {
        match v {
            serde_json::Value::Number(n) => match crate::evaluate::parse_decimal(&n.to_string()) {
                Some(d) => self.number(d),
                None => n.to_string(),
            },
            serde_json::Value::Null => "missing".to_string(),
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Bool(b) => b.to_string(),
            serde_json::Value::Array(items) => {
                let parts: Vec<String> = items.iter().map(|i| self.json(i)).collect();
                format!("[{}]", parts.join(", "))
            }
            other => other.to_string(),
        }
    }

    /// Shows a difference given as a JSON number.
    pub fn json_difference(&self, v: &serde_json::Value) -> String {
        match json_decimal(v) {
            Some(d) => self.difference(d),
            None => self.json(v),
        }
    }
}

/// At most `decimals` decimals, rounded half-up, trailing zeros dropped.
pub fn at_most(n: Decimal, decimals: u32) -> String {
    crate::value::round_half_up(n, decimals)
        .normalize()
        .to_string()
}

/// A JSON number as a decimal.
pub fn json_decimal(v: &serde_json::Value) -> Option<Decimal> {
    match v {
        serde_json::Value::Number(n) => crate::evaluate::parse_decimal(&n.to_string()),
        _ => None,
    }
}

/// A fraction as a percentage figure: 0.785 → 78.5 (exact: the scale moves by two).
fn percent_figure(n: Decimal) -> Decimal {
    n.checked_mul(Decimal::ONE_HUNDRED).unwrap_or(n)
}

/// `1 rule`, `2 rules`.
pub fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}

/// A finding's status as the JSON report writes it: `pass`, `fail`, `error`, `skip`.
pub fn status_word(status: crate::evaluate::Status) -> &'static str {
    use crate::evaluate::Status;
    match status {
        Status::Pass => "pass",
        Status::Fail => "fail",
        Status::Error => "error",
        Status::Skip => "skip",
    }
}
