//! Intake: a dataset's records straight into typed columns, with no reference `Value` in
//! between. A field written as a plain integer (the common case: counts) is read as an
//! `i64` and checked against its input's bounds; every other field goes through the
//! reference's own binding ([`FieldCursor`]). A value is therefore in a column exactly
//! when the reference binds it to that number, which `Columns::from_bound` over
//! [`crate::evaluate::bind`] would give.

use rust_decimal::Decimal;

use super::{Columns, Rational};
use crate::compile::{InputPlan, Program};
use crate::data::{RawValue, Record};
use crate::evaluate::FieldCursor;
use crate::parse::ast::InputType;
use crate::value::Value;

/// A dataset's number inputs as columns, and what the report must say about them.
#[derive(Debug, Clone)]
pub struct Intake {
    /// The number inputs, as columns.
    pub columns: Columns,
    /// Per input: no record's value of it could be read (the report says so once, with
    /// an example that needs the reference's binding).
    pub unread: Vec<bool>,
}

/// `text` as an `i64` when it is a plain integer: an optional `-` and at most 18 digits,
/// nothing else (no sign `+`, no space, no point, no exponent). The reference reads such a
/// text as the same integer; anything else is left to it.
fn plain_integer(raw: &RawValue) -> Option<i64> {
    let (RawValue::Number(text) | RawValue::Text(text)) = raw else {
        return None;
    };
    let (negative, digits) = match text.as_bytes() {
        [b'-', rest @ ..] => (true, rest),
        all => (false, all),
    };
    if digits.is_empty() || digits.len() > 18 {
        return None;
    }
    // One pass, checking and reading each digit: 18 digits stay below 10¹⁸ < 2⁶³.
    let mut n: i64 = 0;
    for &b in digits {
        let digit = b.wrapping_sub(b'0');
        if digit > 9 {
            return None;
        }
        n = n * 10 + i64::from(digit);
    }
    Some(if negative { -n } else { n })
}

/// True when the reference binds a plain integer of this input to that integer: a
/// number type read as written (a percent is scaled; a list or last year's value is not
/// a field of this record).
fn reads_integers(plan: &InputPlan) -> bool {
    plan.list.is_none()
        && plan.previous.is_none()
        && matches!(
            plan.ty,
            InputType::Integer | InputType::Number | InputType::Decimal
        )
}

/// The integers an input's bounds admit, as one interval: `n >= 0.5` admits what
/// `n >= 1` admits. Checking an integer against it is exactly checking it against every
/// bound, without a decimal per value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct WholeRange {
    lo: i128,
    hi: i128,
}

impl WholeRange {
    /// The interval of the integers that satisfy every bound.
    pub(crate) fn of(bounds: &[(crate::parse::ast::BoundOp, Decimal)]) -> Self {
        use crate::parse::ast::BoundOp;
        // A decimal's mantissa has 96 bits: its floor and ceiling fit an i128.
        let whole = |d: Decimal| d.mantissa() / 10i128.pow(d.scale());
        let floor = |d: Decimal| {
            let w = whole(d);
            if Decimal::from_i128_with_scale(w, 0) > d {
                w - 1
            } else {
                w
            }
        };
        let ceil = |d: Decimal| {
            let w = whole(d);
            if Decimal::from_i128_with_scale(w, 0) < d {
                w + 1
            } else {
                w
            }
        };
        let mut range = WholeRange {
            lo: i128::MIN,
            hi: i128::MAX,
        };
        for &(op, limit) in bounds {
            match op {
                BoundOp::Ge => range.lo = range.lo.max(ceil(limit)),
                BoundOp::Gt => range.lo = range.lo.max(floor(limit) + 1),
                BoundOp::Le => range.hi = range.hi.min(floor(limit)),
                BoundOp::Lt => range.hi = range.hi.min(ceil(limit) - 1),
            }
        }
        range
    }

    /// True when `n` satisfies every bound.
    #[inline]
    pub(crate) fn contains(self, n: i64) -> bool {
        (self.lo..=self.hi).contains(&i128::from(n))
    }
}

impl Columns {
    /// The number inputs of `records`, as columns: what [`Columns::from_bound`] gives
    /// over the records' binding, without building it.
    pub fn from_records(program: &Program, records: &[Record]) -> Intake {
        let mut cursor = FieldCursor::new(program);
        let ranges: Vec<WholeRange> = program
            .inputs
            .iter()
            .map(|plan| WholeRange::of(&plan.bounds))
            .collect();
        let mut unread = vec![true; program.inputs.len()];
        let columns = Columns::from_fn(program.inputs.len(), records.len(), |u, k| {
            let (Some(plan), Some(record)) = (program.inputs.get(k), records.get(u)) else {
                return None;
            };
            let read = unread.get_mut(k);
            if reads_integers(plan)
                && let Some(field) = cursor.field(k, plan, record)
                && let Some(n) = plain_integer(&field)
                && ranges.get(k).is_some_and(|range| range.contains(n))
            {
                if let Some(read) = read {
                    *read = false;
                }
                return Some(Rational::int(n));
            }
            let bound = cursor.bind(k, plan, record);
            if bound.is_ok()
                && let Some(read) = read
            {
                *read = false;
            }
            match bound {
                Ok(Value::Number(x)) => Rational::decimal(x),
                _ => None,
            }
        });
        Intake { columns, unread }
    }
}

#[cfg(test)]
mod tests {
    use super::{WholeRange, plain_integer};
    use crate::data::RawValue;

    #[test]
    fn a_plain_integer_is_an_optional_minus_and_at_most_eighteen_digits() {
        let read = |t: &str| plain_integer(&RawValue::Number(t.to_string()));
        for (text, n) in [
            ("0", 0),
            ("-0", 0),
            ("7", 7),
            ("-42", -42),
            ("007", 7),
            ("999999999999999999", 999_999_999_999_999_999),
            ("-999999999999999999", -999_999_999_999_999_999),
        ] {
            assert_eq!(read(text), Some(n), "{text}");
            assert_eq!(plain_integer(&RawValue::Text(text.into())), Some(n));
        }
        for text in [
            "",
            "-",
            "+1",
            " 1",
            "1 ",
            "1.0",
            "1e3",
            "12a",
            "--1",
            "1000000000000000000",
            "٣",
        ] {
            assert_eq!(read(text), None, "{text:?}");
        }
        assert_eq!(plain_integer(&RawValue::Bool(true)), None);
        assert_eq!(plain_integer(&RawValue::Null), None);
    }
    use crate::check::bound_holds;
    use crate::parse::ast::BoundOp;
    use rust_decimal::Decimal;

    #[test]
    fn the_whole_range_admits_exactly_the_integers_every_bound_admits() {
        let limits = [
            "0", "1", "-1", "0.5", "-0.5", "2.0", "99.99", "-7.25", "1e3",
        ];
        let ops = [BoundOp::Ge, BoundOp::Gt, BoundOp::Le, BoundOp::Lt];
        for a in limits {
            for b in limits {
                for (i, op_a) in ops.iter().enumerate() {
                    let op_b = ops[(i + 1) % 4];
                    let bounds = [
                        (
                            *op_a,
                            Decimal::from_scientific(a).unwrap_or_else(|_| a.parse().unwrap()),
                        ),
                        (op_b, b.parse().unwrap_or(Decimal::ONE)),
                    ];
                    let range = WholeRange::of(&bounds);
                    for n in -1_200..1_200i64 {
                        let every = bounds
                            .iter()
                            .all(|(op, limit)| bound_holds(*op, Decimal::from(n), *limit));
                        assert_eq!(range.contains(n), every, "{n} {bounds:?}");
                    }
                }
            }
        }
        assert!(WholeRange::of(&[]).contains(i64::MIN));
        assert!(WholeRange::of(&[]).contains(i64::MAX));
    }
}
