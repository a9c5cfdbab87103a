//! Binding: a record's raw fields → typed input values, checked against declarations.

use std::str::FromStr;
use std::sync::Arc;

use rust_decimal::Decimal;

use super::{Fault, Outcome};
use crate::check::bound_holds;
use crate::compile::InputPlan;
use crate::data::{RawValue, raw_value};
use crate::parse::ast::{BoundOp, InputType, ListOf};
use crate::value::{Value, percent_to_fraction};

/// The fault of `previous x` in a run given no previous year.
pub fn no_previous_year(of: &str) -> Arc<Fault> {
    Arc::new(Fault::Previous {
        name: of.to_string(),
        why: "no previous year was given (run with `--previous FILE`: last year's data or report)"
            .into(),
        missing: false,
    })
}

/// Last year's `x` for one unit, from `values` (the unit's previous-year values, `None`
/// when the previous year does not have the unit).
pub fn previous_value(
    of: &str,
    unit: &str,
    values: Option<&indexmap::IndexMap<String, rust_decimal::Decimal>>,
) -> Outcome {
    let why = match values {
        None => format!("`{unit}` is not in the previous year's data"),
        Some(values) => match values.get(of) {
            Some(v) => return Ok(Value::Number(*v)),
            None => format!("the previous year's data has no value of `{of}` for `{unit}`"),
        },
    };
    Err(Arc::new(Fault::Previous {
        name: of.to_string(),
        why,
        missing: true,
    }))
}

/// Finds each input's field in record after record and binds it. Records of one file have
/// their fields in one order, so the position where a field was last found is tried first:
/// comparing one name costs less than hashing it.
pub struct FieldCursor {
    at: Vec<Option<usize>>,
}

impl FieldCursor {
    /// A cursor for the inputs of `program`.
    pub fn new(program: &crate::compile::Program) -> Self {
        FieldCursor {
            at: vec![None; program.inputs.len()],
        }
    }

    /// The raw field of input `k` (planned as `plan`) in `record`, if it has one.
    pub fn field<'r>(
        &mut self,
        k: usize,
        plan: &InputPlan,
        record: &'r crate::data::Record,
    ) -> Option<std::borrow::Cow<'r, RawValue>> {
        let at = self.at.get_mut(k)?;
        match at.and_then(|i| record.fields.get_index(i)) {
            Some((name, value)) if *name == plan.field => Some(std::borrow::Cow::Borrowed(value)),
            _ => {
                *at = record.fields.get_index_of(plan.field.as_str());
                record.field(&plan.field)
            }
        }
    }

    /// The value of input `k` for `record`, as [`crate::evaluate::bind`] gives it.
    pub fn bind(&mut self, k: usize, plan: &InputPlan, record: &crate::data::Record) -> Outcome {
        if let Some(of) = &plan.previous {
            return Err(no_previous_year(of));
        }
        bind_input(plan, self.field(k, plan, record).as_deref())
    }
}

/// The value of one input for one record.
pub fn bind_input(plan: &InputPlan, raw: Option<&RawValue>) -> Outcome {
    let raw = match raw {
        None | Some(RawValue::Null) => {
            return match (&plan.default, plan.optional) {
                (Some(d), _) => Ok(d.clone()),
                _ => Err(Arc::new(Fault::Missing {
                    input: plan.name.to_string(),
                    field: plan.field.clone(),
                })),
            };
        }
        Some(r) => r,
    };
    if let Some(list) = &plan.list {
        return bind_list(plan, list, raw);
    }
    let with_percent_sign = matches!(raw, RawValue::Text(t) if t.trim_end().ends_with('%'));
    if plan.fraction && plan.ty == InputType::Percent && !with_percent_sign {
        // `as fraction`: 0.85 is already 85%, as the spreadsheet stored it.
        return convert(
            &plan.name,
            &plan.field,
            InputType::Number,
            &plan.bounds,
            raw,
        );
    }
    convert(&plan.name, &plan.field, plan.ty, &plan.bounds, raw)
}

/// A collection input: a JSON array whose elements fit the declaration; a mismatch names
/// its path, `services[12].level`.
fn bind_list(plan: &InputPlan, list: &ListOf, raw: &RawValue) -> Outcome {
    let Some(items) = (match raw {
        RawValue::Nested(nested) => nested.as_array(),
        _ => None,
    }) else {
        return Err(Arc::new(Fault::Invalid {
            input: plan.name.to_string(),
            field: plan.field.clone(),
            found: raw.to_string(),
            expected: "a list (a JSON array)".into(),
        }));
    };
    let mut values = Vec::with_capacity(items.len());
    // A record field named `id` identifies its member: two members with one id would make
    // "which services fail" ambiguous, so the data is refused.
    let mut ids: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (i, item) in items.iter().enumerate() {
        let path = format!("{}[{i}]", plan.field);
        let value = match list {
            ListOf::Values(ty) => convert(&plan.name, &path, *ty, &[], &raw_value(item.clone()))?,
            ListOf::Records(fields) => {
                let serde_json::Value::Object(object) = item else {
                    return Err(Arc::new(Fault::Invalid {
                        input: plan.name.to_string(),
                        field: path,
                        found: item.to_string(),
                        expected: "a record (a JSON object)".into(),
                    }));
                };
                let mut record = indexmap::IndexMap::new();
                for f in fields {
                    let field_path = format!("{path}.{}", f.name.name);
                    match object.get(&f.name.name).cloned().map(raw_value) {
                        None | Some(RawValue::Null) if f.optional => {}
                        None | Some(RawValue::Null) => {
                            return Err(Arc::new(Fault::Missing {
                                input: plan.name.to_string(),
                                field: field_path,
                            }));
                        }
                        Some(v) => {
                            let value = convert(&plan.name, &field_path, f.ty, &[], &v)?;
                            record.insert(f.name.name.clone(), value);
                        }
                    }
                }
                if let Some(id) = record.get("id")
                    && let Some(first) = ids.insert(id.to_string(), i)
                {
                    return Err(Arc::new(Fault::Invalid {
                        input: plan.name.to_string(),
                        field: format!("{path}.id"),
                        found: object.get("id").map(|v| v.to_string()).unwrap_or_default(),
                        expected: format!("a unique id ({}[{first}] has the same one)", plan.field),
                    }));
                }
                Value::Record(Arc::new(record))
            }
        };
        values.push(value);
    }
    Ok(Value::List(Arc::from(values)))
}

/// One value of a declared type, checked against its bounds.
fn convert(
    name: &str,
    field: &str,
    ty: InputType,
    bounds: &[(BoundOp, Decimal)],
    raw: &RawValue,
) -> Outcome {
    let invalid = |expected: &str| {
        Arc::new(Fault::Invalid {
            input: name.to_string(),
            field: field.to_string(),
            found: raw.to_string(),
            expected: expected.to_string(),
        })
    };
    let value = match ty {
        InputType::Date => match raw {
            RawValue::Text(t) => match crate::date::parse(t) {
                Some(d) => Value::Date(d),
                None => return Err(invalid("a date such as \"2022-08-15\"")),
            },
            _ => return Err(invalid("a date such as \"2022-08-15\"")),
        },
        InputType::Boolean => match raw {
            RawValue::Bool(b) => Value::Bool(*b),
            RawValue::Text(t) => match t.trim().to_lowercase().as_str() {
                "true" | "yes" | "có" | "1" => Value::Bool(true),
                "false" | "no" | "không" | "0" => Value::Bool(false),
                _ => return Err(invalid("true or false")),
            },
            _ => return Err(invalid("true or false")),
        },
        InputType::Text => match raw {
            RawValue::Text(t) => Value::Text(Arc::from(t.as_str())),
            RawValue::Number(n) => Value::Text(Arc::from(n.as_str())),
            _ => return Err(invalid("text")),
        },
        InputType::Number | InputType::Decimal | InputType::Integer | InputType::Percent => {
            let text = match raw {
                RawValue::Number(n) => n.as_str(),
                RawValue::Text(t) => t.trim(),
                _ => return Err(invalid(expected_number(ty))),
            };
            let text = match text.strip_suffix('%') {
                Some(t) if ty == InputType::Percent => t.trim_end(),
                _ => text,
            };
            let Some(mut n) = parse_decimal(text) else {
                if let Some(fault) = crate::evaluate::range::beyond(name, field, text) {
                    return Err(fault);
                }
                if beyond_exact(text) {
                    return Err(invalid(
                        "a number of at most 28 significant digits (an exact decimal holds no more, and chiso does not cut digits)",
                    ));
                }
                return Err(invalid(&crate::data::numbers::with_hint(
                    expected_number(ty),
                    text,
                )));
            };
            if ty == InputType::Integer && !n.fract().is_zero() {
                return Err(invalid("a whole number"));
            }
            if ty == InputType::Percent {
                n = percent_to_fraction(n);
            }
            if let Some((op, limit)) = bounds
                .iter()
                .find(|(op, limit)| !bound_holds(*op, n, *limit))
            {
                return Err(Arc::new(Fault::OutOfRange {
                    input: name.to_string(),
                    value: n,
                    bound: describe_bound(*op, *limit, ty),
                }));
            }
            Value::Number(n)
        }
    };
    Ok(value)
}

fn expected_number(ty: InputType) -> &'static str {
    match ty {
        InputType::Integer => "a whole number",
        InputType::Percent => "a percentage such as 85 or \"85%\"",
        InputType::Decimal => "a decimal number such as \"0.59\"",
        _ => "a number",
    }
}

/// True when `text` is a number only a rounded decimal can hold: more significant digits
/// than the 96-bit mantissa of an exact decimal (about 28), or more than 28 decimals.
fn beyond_exact(text: &str) -> bool {
    let mantissa = text.split(['e', 'E']).next().unwrap_or_default();
    Decimal::from_str(mantissa).is_ok() && Decimal::from_str_exact(mantissa).is_err()
}

/// Parses a decimal as written in data: `0.59`, `-3`, `1e2`. A comma as decimal
/// separator is refused rather than guessed, and so is a number with more digits than an
/// exact decimal holds (it would otherwise be silently rounded).
pub fn parse_decimal(text: &str) -> Option<Decimal> {
    if text.is_empty() || text.contains(',') {
        return None;
    }
    if text.contains(['e', 'E']) {
        let mantissa = text.split(['e', 'E']).next().unwrap_or_default();
        Decimal::from_str_exact(mantissa).ok()?;
        return Decimal::from_scientific(text).ok();
    }
    Decimal::from_str_exact(text).ok()
}

fn describe_bound(op: BoundOp, limit: Decimal, ty: InputType) -> String {
    let sym = match op {
        BoundOp::Ge => ">=",
        BoundOp::Gt => ">",
        BoundOp::Le => "<=",
        BoundOp::Lt => "<",
    };
    if ty == InputType::Percent {
        match limit.checked_mul(Decimal::ONE_HUNDRED) {
            Some(points) => format!("{sym} {}%", points.normalize()),
            None => format!("{sym} {}", limit.normalize()),
        }
    } else {
        format!("{sym} {}", limit.normalize())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_parse_strictly() {
        assert_eq!(
            parse_decimal("0.590").map(|d| d.to_string()),
            Some("0.590".into())
        );
        assert_eq!(
            parse_decimal("1e2").map(|d| d.normalize().to_string()),
            Some("100".into())
        );
        assert_eq!(parse_decimal("0,59"), None);
        assert_eq!(parse_decimal("abc"), None);
        assert_eq!(parse_decimal(""), None);
    }

    #[test]
    fn more_digits_than_an_exact_decimal_holds_are_refused_not_cut() {
        let d28 = "0.1234567890123456789012345678";
        assert_eq!(parse_decimal(d28).map(|d| d.to_string()), Some(d28.into()));
        assert_eq!(parse_decimal("0.12345678901234567890123456789"), None);
        assert_eq!(parse_decimal("123456789012345678901.123456789"), None);
        // Leading zeros are not significant.
        assert!(parse_decimal("0.0000000000000000000000001").is_some());
        assert_eq!(parse_decimal("1.23456789012345678901234567890e3"), None);
        // What an exact decimal prints (29 digits) reads back exactly.
        assert!(parse_decimal("2.0000000000000000000000000003").is_some());
        let raw = RawValue::Number("3.14159265358979323846264338327950".into());
        let err = convert("x", "x", InputType::Number, &[], &raw).unwrap_err();
        assert!(
            err.to_string().contains("at most 28 significant digits"),
            "{err}"
        );
    }
}
