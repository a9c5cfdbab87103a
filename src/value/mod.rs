//! Values, why a value could not be known ([`Fault`]), and exact decimal arithmetic
//! helpers.
//!
//! Numbers are [`Decimal`]s: exact to 28 significant digits, and they remember how many
//! decimals they were written with, which is how a published figure keeps its precision.

use std::fmt;
use std::sync::Arc;

use rust_decimal::{Decimal, RoundingStrategy};

mod fault;

pub use fault::Fault;

/// A value of an input, constant, indicator or score.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// An exact decimal number.
    Number(Decimal),
    /// A truth value.
    Bool(bool),
    /// Text.
    Text(Arc<str>),
    /// A calendar date, as days since 1970-01-01.
    Date(i32),
    /// A list (from and to hook scripts).
    List(Arc<[Value]>),
    /// A record of named values (from and to hook scripts; a predicate's evidence).
    Record(Arc<indexmap::IndexMap<String, Value>>),
}

impl Value {
    /// The value as JSON: numbers keep every digit.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Number(n) => number_to_json(*n),
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Text(t) => serde_json::Value::String(t.to_string()),
            Value::Date(d) => serde_json::Value::String(crate::date::format(*d)),
            Value::List(items) => {
                serde_json::Value::Array(items.iter().map(Value::to_json).collect())
            }
            Value::Record(fields) => serde_json::Value::Object(
                fields
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_json()))
                    .collect(),
            ),
        }
    }

    /// What kind of value it is, for messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Number(_) => "a number",
            Value::Bool(_) => "a true/false value",
            Value::Text(_) => "text",
            Value::Date(_) => "a date",
            Value::List(_) => "a list",
            Value::Record(_) => "a record",
        }
    }

    /// Shows the value, rounding numbers half-up to `decimals` when given.
    pub fn display(&self, decimals: Option<u32>) -> String {
        match (self, decimals) {
            (Value::Number(n), Some(d)) => round_half_up(*n, d).to_string(),
            (Value::Number(n), None) => n.normalize().to_string(),
            (Value::Bool(b), _) => b.to_string(),
            (Value::Text(t), _) => t.to_string(),
            (Value::Date(d), _) => crate::date::format(*d),
            (other, _) => other.to_json().to_string(),
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display(None))
    }
}

/// A number as a JSON number with all its digits (never through a float).
pub fn number_to_json(n: Decimal) -> serde_json::Value {
    let mut bytes = Vec::with_capacity(32);
    write_decimal(&mut bytes, n.normalize());
    let text = String::from_utf8(bytes).unwrap_or_else(|_| n.normalize().to_string());
    match text.parse::<serde_json::Number>() {
        Ok(num) => serde_json::Value::Number(num),
        Err(_) => serde_json::Value::String(text),
    }
}

/// Appends `n` as its `Display` writes it: the digits of its mantissa with the point `scale`
/// places from the right (`7.50` keeps its zero). Every mantissa fits 128 bits, so `itoa`
/// writes them: `Display` divides 96-bit numbers digit by digit, and was a tenth of the
/// time of writing a million rows' findings.
pub fn write_decimal(buf: &mut Vec<u8>, n: Decimal) {
    // `-0` keeps its sign through `Display`; leave it there.
    if n.is_zero() && n.is_sign_negative() {
        buf.extend_from_slice(n.to_string().as_bytes());
        return;
    }
    let mantissa = n.mantissa();
    if mantissa < 0 {
        buf.push(b'-');
    }
    let mut digits = itoa::Buffer::new();
    // 64-bit formatting where it fits (most values), as it is quicker than 128-bit.
    let digits = match u64::try_from(mantissa.unsigned_abs()) {
        Ok(small) => digits.format(small),
        Err(_) => digits.format(mantissa.unsigned_abs()),
    }
    .as_bytes();
    let scale = n.scale() as usize;
    match digits.len().checked_sub(scale) {
        Some(0) | None => {
            buf.extend_from_slice(b"0.");
            buf.resize(buf.len() + scale - digits.len(), b'0');
            buf.extend_from_slice(digits);
        }
        Some(_) if scale == 0 => buf.extend_from_slice(digits),
        Some(whole) => {
            let (int, frac) = digits.split_at(whole);
            buf.extend_from_slice(int);
            buf.push(b'.');
            buf.extend_from_slice(frac);
        }
    }
}

/// How displayed values are rounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Rounding {
    /// Half away from zero (the default; what published tables do).
    #[default]
    HalfUp,
    /// Half to even.
    HalfEven,
    /// Toward zero.
    Down,
}

/// Rounds half away from zero ("round half up" as published tables do) to `decimals`.
pub fn round_half_up(n: Decimal, decimals: u32) -> Decimal {
    round(n, decimals, Rounding::HalfUp)
}

/// Rounds to `decimals` the way a node declares, showing exactly that many places.
pub fn round(n: Decimal, decimals: u32, rounding: Rounding) -> Decimal {
    let strategy = match rounding {
        Rounding::HalfUp => RoundingStrategy::MidpointAwayFromZero,
        Rounding::HalfEven => RoundingStrategy::MidpointNearestEven,
        Rounding::Down => RoundingStrategy::ToZero,
    };
    let mut r = n.round_dp_with_strategy(decimals, strategy);
    if r.scale() < decimals {
        r.rescale(decimals);
    }
    r
}

/// `85` percent → `0.85`, exactly.
pub fn percent_to_fraction(v: Decimal) -> Decimal {
    let mut r = v;
    // Shifting the scale by two divides by 100 without any rounding.
    if r.scale() + 2 <= 28 {
        r.set_scale(r.scale() + 2).ok();
        r
    } else {
        v / Decimal::ONE_HUNDRED
    }
}

/// The closed interval of values that round to a published figure: `0.59` stands for
/// `[0.585, 0.595]`; a figure with no decimals, `14`, for `[13.5, 14.5]`.
///
/// A figure with 28 decimals is already at the limit of exact decimals: its half-unit is
/// not representable, and it is taken as exact.
pub fn published_interval(n: Decimal) -> (Decimal, Decimal) {
    let Ok(half) = Decimal::try_new(5, n.scale() + 1) else {
        return (n, n);
    };
    match (n.checked_sub(half), n.checked_add(half)) {
        (Some(lo), Some(hi)) => (lo, hi),
        _ => (n, n),
    }
}

/// The closed interval of values a figure printed with `rounding` may stand for: half-up
/// and half-even `0.59` for `[0.585, 0.595]`, truncated (`down`) `0.59` for `[0.59, 0.60]`
/// (and `-0.59` for `[-0.60, -0.59]`). Closed ends only ever widen it, so a verdict that no
/// value inside could fit stays sound.
pub fn printed_interval(n: Decimal, rounding: Rounding) -> (Decimal, Decimal) {
    match rounding {
        Rounding::HalfUp | Rounding::HalfEven => published_interval(n),
        Rounding::Down => {
            let Ok(unit) = Decimal::try_new(1, n.scale()) else {
                return (n, n);
            };
            let (lo, hi) = if n.is_zero() {
                (n.checked_sub(unit), n.checked_add(unit))
            } else if n.is_sign_negative() {
                (n.checked_sub(unit), Some(n))
            } else {
                (Some(n), n.checked_add(unit))
            };
            match (lo, hi) {
                (Some(lo), Some(hi)) => (lo, hi),
                _ => (n, n),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn half_up_not_half_even() {
        // The brief's case: (0.9941 + 0.8956) / 2 = 0.94485 was published as 0.9449.
        assert_eq!(round_half_up(d("0.94485"), 4).to_string(), "0.9449");
        assert_eq!(round_half_up(d("-0.125"), 2).to_string(), "-0.13");
        assert_eq!(round_half_up(d("0.5"), 2).to_string(), "0.50");
        assert_eq!(
            round(d("0.94485"), 4, Rounding::HalfEven).to_string(),
            "0.9448"
        );
        assert_eq!(round(d("0.94489"), 4, Rounding::Down).to_string(), "0.9448");
    }

    #[test]
    fn published_intervals_follow_the_printed_decimals() {
        assert_eq!(published_interval(d("0.59")), (d("0.585"), d("0.595")));
        assert_eq!(
            published_interval(d("0.8956")),
            (d("0.89555"), d("0.89565"))
        );
        assert_eq!(published_interval(d("0.590")), (d("0.5895"), d("0.5905")));
        assert_eq!(published_interval(d("14")), (d("13.5"), d("14.5")));
        let finest = d("0.1234567890123456789012345678");
        assert_eq!(published_interval(finest), (finest, finest));
    }

    #[test]
    fn truncated_figures_stand_for_the_unit_above_them() {
        assert_eq!(
            printed_interval(d("0.84"), Rounding::Down),
            (d("0.84"), d("0.85"))
        );
        assert_eq!(
            printed_interval(d("-0.84"), Rounding::Down),
            (d("-0.85"), d("-0.84"))
        );
        assert_eq!(
            printed_interval(d("0.0"), Rounding::Down),
            (d("-0.1"), d("0.1"))
        );
        assert_eq!(
            printed_interval(d("0.84"), Rounding::HalfEven),
            (d("0.835"), d("0.845"))
        );
    }

    #[test]
    fn percent_is_exact() {
        assert_eq!(percent_to_fraction(d("40")), d("0.40"));
        assert_eq!(percent_to_fraction(d("99.7")), d("0.997"));
    }

    #[test]
    fn json_numbers_keep_all_digits() {
        let n = d("2.2049") / d("3");
        assert_eq!(
            number_to_json(n).to_string(),
            "0.7349666666666666666666666667"
        );
    }

    #[test]
    fn a_decimal_is_written_as_display_writes_it() {
        let mut cases: Vec<Decimal> = [
            "0",
            "-0",
            "0.0",
            "-0.00",
            "1",
            "-1",
            "7.50",
            "-7.5",
            "1e3",
            "120",
            "0.001",
            "9223372036854775807",
            "9223372036854775808",
            "-9223372036854775808",
            "-9223372036854775809",
            "79228162514264337593543950335",
            "-79228162514264337593543950335",
            "12345678901234567890.5",
        ]
        .iter()
        .map(|t| Decimal::from_scientific(t).unwrap_or_else(|_| t.parse().unwrap()))
        .collect();
        cases.push(-Decimal::ZERO);
        cases.push(Decimal::new(0, 5).normalize());
        // Every scale, with mantissas of every length up to 96 bits, both signs.
        let mut state: u128 = 0x9E37_79B9_7F4A_7C15;
        for scale in 0..=28 {
            for bits in [1, 7, 30, 63, 64, 65, 90, 96] {
                state = state.wrapping_mul(0x5851_F42D_4C95_7F2D).wrapping_add(1);
                let m = (state >> 32) & ((1u128 << bits) - 1);
                let m = i128::try_from(m).unwrap();
                for m in [m, -m, 0] {
                    cases.push(Decimal::from_i128_with_scale(m, scale));
                }
            }
        }
        for n in cases {
            for n in [n, n.normalize()] {
                let mut buf = Vec::new();
                write_decimal(&mut buf, n);
                assert_eq!(String::from_utf8(buf).unwrap(), n.to_string(), "{n:?}");
            }
        }
    }
}
